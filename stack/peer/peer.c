/*
 * peer.c - the reference peer (rtg/peer.h). First cut: the API compiles;
 * the implementation follows.
 */
#include "rtg/peer.h"

struct rtg_peer {
  const struct rtg_ctx *ctx;
};

void rtg_peer_config_default(struct rtg_peer_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->audio = cfg->video = cfg->data = true;
  cfg->answer_setup = RTG_SDP_SETUP_ACTIVE;
}

int rtg_peer_new(struct rtg_peer **out, const struct rtg_ctx *ctx,
                 const struct rtg_peer_config *cfg, rtg_time now) {
  (void)ctx;
  (void)cfg;
  (void)now;
  *out = NULL;
  return RTG_ERR_UNSUPPORTED;
}
void rtg_peer_free(struct rtg_peer *p) { (void)p; }
int rtg_peer_add_local_candidate(struct rtg_peer *p, const struct rtg_ice_cand *c) {
  (void)p;
  (void)c;
  return RTG_ERR_UNSUPPORTED;
}
void rtg_peer_local_candidates_done(struct rtg_peer *p) { (void)p; }
bool rtg_peer_gathering_done(const struct rtg_peer *p) {
  (void)p;
  return false;
}
int rtg_peer_add_remote_candidate(struct rtg_peer *p, const char *line, struct rtg_perr *perr) {
  (void)p;
  (void)line;
  (void)perr;
  return RTG_ERR_UNSUPPORTED;
}
void rtg_peer_end_of_candidates(struct rtg_peer *p) { (void)p; }
int rtg_peer_resolve_mdns(struct rtg_peer *p, const char *hostname,
                          const struct rtg_stun_addr *addr) {
  (void)p;
  (void)hostname;
  (void)addr;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_create_offer(struct rtg_peer *p, char *buf, size_t cap, size_t *len) {
  (void)p;
  (void)buf;
  (void)cap;
  (void)len;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_set_remote_description(struct rtg_peer *p, rtg_time now, int type, const char *sdp,
                                    size_t len, struct rtg_perr *perr) {
  (void)p;
  (void)now;
  (void)type;
  (void)sdp;
  (void)len;
  (void)perr;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_create_answer(struct rtg_peer *p, rtg_time now, char *buf, size_t cap, size_t *len,
                           struct rtg_perr *perr) {
  (void)p;
  (void)now;
  (void)buf;
  (void)cap;
  (void)len;
  (void)perr;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_restart_ice(struct rtg_peer *p) {
  (void)p;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_handle_datagram(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *local,
                             const struct rtg_stun_addr *src, const uint8_t *data, size_t len) {
  (void)p;
  (void)now;
  (void)local;
  (void)src;
  (void)data;
  (void)len;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_handle_timeout(struct rtg_peer *p, rtg_time now) {
  (void)p;
  (void)now;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_poll_transmit(struct rtg_peer *p, uint8_t *buf, size_t cap, size_t *len,
                           struct rtg_stun_addr *src, struct rtg_stun_addr *dst) {
  (void)p;
  (void)buf;
  (void)cap;
  (void)len;
  (void)src;
  (void)dst;
  return RTG_ERR_AGAIN;
}
rtg_time rtg_peer_poll_timeout(const struct rtg_peer *p) {
  (void)p;
  return RTG_TIME_NEVER;
}
int rtg_peer_poll_event(struct rtg_peer *p, struct rtg_peer_event *ev) {
  (void)p;
  (void)ev;
  return RTG_ERR_AGAIN;
}
int rtg_peer_dc_open(struct rtg_peer *p, rtg_time now, const struct rtg_dc_channel_opts *o,
                     uint16_t *sid) {
  (void)p;
  (void)now;
  (void)o;
  (void)sid;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_dc_send(struct rtg_peer *p, rtg_time now, uint16_t sid, bool binary, const void *data,
                     size_t len) {
  (void)p;
  (void)now;
  (void)sid;
  (void)binary;
  (void)data;
  (void)len;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_dc_close(struct rtg_peer *p, uint16_t sid) {
  (void)p;
  (void)sid;
  return RTG_ERR_UNSUPPORTED;
}
size_t rtg_peer_dc_buffered(const struct rtg_peer *p, uint16_t sid) {
  (void)p;
  (void)sid;
  return 0;
}
uint32_t rtg_peer_local_ssrc(const struct rtg_peer *p, int kind) {
  (void)p;
  (void)kind;
  return 0;
}
int rtg_peer_send_rtp(struct rtg_peer *p, rtg_time now, const uint8_t *pkt, size_t len) {
  (void)p;
  (void)now;
  (void)pkt;
  (void)len;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_send_rtcp(struct rtg_peer *p, rtg_time now, const uint8_t *pkt, size_t len) {
  (void)p;
  (void)now;
  (void)pkt;
  (void)len;
  return RTG_ERR_UNSUPPORTED;
}
int rtg_peer_close(struct rtg_peer *p, rtg_time now) {
  (void)p;
  (void)now;
  return RTG_ERR_UNSUPPORTED;
}
void rtg_peer_stats(const struct rtg_peer *p, struct rtg_peer_stats *st) {
  (void)p;
  memset(st, 0, sizeof *st);
}
const char *rtg_peer_event_name(enum rtg_peer_event_type t) {
  (void)t;
  return "unknown";
}
