/*
 * peer.c - the reference peer (rtg/peer.h): the object, its configuration,
 * the event queue and the pump that moves datagrams and events between the
 * ICE agent, the TURN client, the DTLS endpoint and the SCTP association
 * after every input (DESIGN.md rule 1: the caller only sees one object).
 */
#include <stdio.h>
#include <string.h>

#include "peer/internal.h"

void rtg_peer_config_default(struct rtg_peer_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->ice_mode = RTG_ICE_FULL;
  cfg->audio = cfg->video = cfg->data = true;
  cfg->answer_setup = RTG_SDP_SETUP_ACTIVE;
}

bool peer_addr_eq(const struct rtg_stun_addr *a, const struct rtg_stun_addr *b) {
  size_t n = a->family == 1 ? 4 : 16;
  return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, n) == 0;
}

/* ---- events ---------------------------------------------------------------- */

struct rtg_peer_event *peer_event_push(struct rtg_peer *p, enum rtg_peer_event_type t) {
  struct rtg_peer_event *ev;
  if (p->ev_count == PEER_EVQ) { /* the caller does not drain: drop */
    p->st.events_dropped++;
    return NULL;
  }
  ev = &p->evq[(p->ev_head + p->ev_count) % PEER_EVQ];
  p->ev_count++;
  memset(ev, 0, sizeof *ev);
  ev->type = t;
  ev->mid = "";
  return ev;
}

const uint8_t *peer_event_data(struct rtg_peer *p, const void *data, size_t len) {
  uint8_t *d;
  if (len > p->arena_cap - p->arena_len) return NULL;
  d = p->arena + p->arena_len;
  if (len) memcpy(d, data, len);
  p->arena_len += (len + 7) & ~(size_t)7;
  if (p->arena_len > p->arena_cap) p->arena_len = p->arena_cap;
  return d;
}

const char *peer_event_str(struct rtg_peer *p, const char *s) {
  return (const char *)peer_event_data(p, s, strlen(s) + 1);
}

/* Event payloads live in the arena until the queue has been drained: the
 * pointers of the last event popped stay valid until the next call. */
static void arena_recycle(struct rtg_peer *p) {
  if (p->ev_count == 0) p->arena_len = 0;
}

void peer_event_unpush(struct rtg_peer *p) {
  p->ev_count--;
  p->st.events_dropped++;
}

void peer_fail(struct rtg_peer *p, const char *reason) {
  struct rtg_peer_event *ev;
  if (p->state == PEER_CLOSED) return;
  p->state = PEER_CLOSED;
  ev = peer_event_push(p, RTG_PEER_EV_CLOSED);
  if (ev) ev->reason = reason;
}

/* ---- object ---------------------------------------------------------------- */

static int copy_config(struct rtg_peer *p, const struct rtg_peer_config *cfg) {
  size_t n = 0;
  p->cfg = *cfg;
  if (cfg->codecs) {
    for (; cfg->codecs[n]; n++) {
      if (n == RTG_PEER_MAX_CODECS || strlen(cfg->codecs[n]) >= sizeof p->codec_names[0])
        return RTG_ERR_INVAL;
      memcpy(p->codec_names[n], cfg->codecs[n], strlen(cfg->codecs[n]) + 1);
      p->codec_ptrs[n] = p->codec_names[n];
    }
    p->codec_ptrs[n] = NULL;
    p->cfg.codecs = p->codec_ptrs;
  }
  if (cfg->n_srtp_profiles > RTG_PEER_MAX_SRTP_PROFILES) return RTG_ERR_INVAL;
  if (cfg->n_srtp_profiles == 0) {
    p->cfg.srtp_profiles[0] = RTG_SRTP_AES128_CM_HMAC_SHA1_80;
    p->cfg.srtp_profiles[1] = RTG_SRTP_AEAD_AES_128_GCM;
    p->cfg.srtp_profiles[2] = RTG_SRTP_AEAD_AES_256_GCM;
    p->cfg.n_srtp_profiles = 3;
  }
  if (p->cfg.mtu == 0) p->cfg.mtu = PEER_DEFAULT_MTU;
  if (p->cfg.mtu < 576 || p->cfg.mtu > RTG_PEER_MAX_DATAGRAM) return RTG_ERR_INVAL;
  if (p->cfg.max_message_size == 0) p->cfg.max_message_size = PEER_DEFAULT_MMS;
  if (p->cfg.max_message_size > (1u << 24)) return RTG_ERR_INVAL;
  if (p->cfg.sctp_port == 0) p->cfg.sctp_port = 5000;
  if (p->cfg.answer_setup == RTG_SDP_SETUP_NONE) p->cfg.answer_setup = RTG_SDP_SETUP_ACTIVE;
  if (p->cfg.answer_setup != RTG_SDP_SETUP_ACTIVE && p->cfg.answer_setup != RTG_SDP_SETUP_PASSIVE)
    return RTG_ERR_INVAL;
  if (p->cfg.stun_checks_per_sec == 0) p->cfg.stun_checks_per_sec = 50;
  if (p->cfg.rtcp_interval <= 0) p->cfg.rtcp_interval = RTG_SEC(1);
  if (p->cfg.loss_permille_in > 1000 || p->cfg.loss_permille_out > 1000) return RTG_ERR_INVAL;
  if (p->cfg.relay_only && cfg->turn == NULL) return RTG_ERR_INVAL;
  p->cfg.turn = NULL; /* copied by peer_turn_start */
  return 0;
}

static int alloc_buffers(struct rtg_peer *p) {
  p->local_sdp = rtg_alloc(p->ctx, sizeof *p->local_sdp);
  p->remote_sdp = rtg_alloc(p->ctx, sizeof *p->remote_sdp);
  p->scratch = rtg_alloc(p->ctx, sizeof *p->scratch);
  p->txq = rtg_alloc(p->ctx, PEER_TXQ * sizeof *p->txq);
  p->arena_cap = (size_t)p->cfg.max_message_size + 128 * 1024;
  p->arena = rtg_alloc(p->ctx, p->arena_cap);
  p->work = rtg_alloc(p->ctx, RTG_PEER_MAX_DATAGRAM + RTG_SRTP_MAX_TRAILER);
  p->early = rtg_alloc(p->ctx, PEER_EARLY_DTLS * sizeof *p->early);
  if (!p->local_sdp || !p->remote_sdp || !p->scratch || !p->txq || !p->arena || !p->work ||
      !p->early)
    return RTG_ERR_NOMEM;
  return 0;
}

/* RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/" */
static bool ice_chars(const char *s) {
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '+' || *s == '/'))
      return false;
  return true;
}

static int make_identity(struct rtg_peer *p) {
  int rc;
  uint64_t id;
  uint32_t ssrc[2];
  if (p->cert == NULL) {
    rc = p->cfg.seeded_rng ? rtg_dtls_cert_generate_seeded(p->ctx, &p->own_cert)
                           : rtg_dtls_cert_generate(p->ctx, &p->own_cert);
    if (rc) return rc;
    p->cert = p->own_cert;
  }
  p->fp_alg = RTG_HASH_SHA256;
  if ((rc = rtg_dtls_cert_fingerprint(p->cert, p->fp_alg, p->fp)) != 0) return rc;
  if ((rc = peer_random_string(p, p->ufrag, PEER_UFRAG_LEN)) != 0) return rc;
  if ((rc = peer_random_string(p, p->pwd, PEER_PWD_LEN)) != 0) return rc;
  if (p->cfg.ice_ufrag && p->cfg.ice_pwd) {
    size_t ul = strlen(p->cfg.ice_ufrag), pl = strlen(p->cfg.ice_pwd);
    if (ul < 4 || ul >= sizeof p->ufrag || pl < 22 || pl >= sizeof p->pwd ||
        !ice_chars(p->cfg.ice_ufrag) || !ice_chars(p->cfg.ice_pwd))
      return RTG_ERR_INVAL;
    memcpy(p->ufrag, p->cfg.ice_ufrag, ul + 1);
    memcpy(p->pwd, p->cfg.ice_pwd, pl + 1);
  }
  p->cfg.ice_ufrag = p->cfg.ice_pwd = NULL;
  if ((rc = peer_random_string(p, p->cname, 16)) != 0) return rc;
  if (rtg_random(p->ctx, &id, sizeof id)) return RTG_ERR_CRYPTO;
  p->sess_id = (id >> 2) | 1;
  if (rtg_random(p->ctx, ssrc, sizeof ssrc)) return RTG_ERR_CRYPTO;
  peer_media_init(p, ssrc);
  p->sess_version = 1;
  return rtg_stun_cred_init_short(&p->cred, p->pwd, strlen(p->pwd));
}

int rtg_peer_new(struct rtg_peer **out, const struct rtg_ctx *ctx,
                 const struct rtg_peer_config *cfg, rtg_time now) {
  struct rtg_peer *p;
  int rc;
  *out = NULL;
  if (ctx == NULL || cfg == NULL) return RTG_ERR_INVAL;
  if ((p = rtg_alloc(ctx, sizeof *p)) == NULL) return RTG_ERR_NOMEM;
  p->ctx = ctx;
  p->now = now;
  p->cert = cfg->cert;
  for (size_t i = 0; i < RTG_PEER_MAX_MEDIA; i++) p->sect[i].out_stream = p->sect[i].in_stream = -1;
  if ((rc = copy_config(p, cfg)) == 0 && (rc = alloc_buffers(p)) == 0 &&
      (rc = make_identity(p)) == 0 && cfg->turn)
    rc = peer_turn_start(p, now, cfg->turn);
  if (rc) {
    rtg_peer_free(p);
    return rc;
  }
  p->tokens = p->cfg.stun_checks_per_sec;
  p->tokens_at = now;
  *out = p;
  return 0;
}

void rtg_peer_free(struct rtg_peer *p) {
  if (p == NULL) return;
  rtg_ice_agent_free(p->ice);
  rtg_turn_client_free(p->turn);
  rtg_dc_free(p->dc);
  rtg_dtls_endpoint_free(p->dtls);
  rtg_dtls_cert_free(p->own_cert);
  peer_media_free(p);
  rtg_stun_cred_free(&p->cred);
  rtg_free(p->ctx, p->local_sdp);
  rtg_free(p->ctx, p->remote_sdp);
  rtg_free(p->ctx, p->scratch);
  rtg_free(p->ctx, p->txq);
  rtg_free(p->ctx, p->arena);
  rtg_free(p->ctx, p->work);
  rtg_free(p->ctx, p->early);
  rtg_free(p->ctx, p);
}

/* ---- the pump -------------------------------------------------------------- */

static void on_ice_event(struct rtg_peer *p, const struct rtg_ice_event *ie) {
  struct rtg_peer_event *ev;
  switch (ie->type) {
    case RTG_ICE_EV_SELECTED_PAIR:
    case RTG_ICE_EV_CONNECTED:
      p->sel_local = ie->local;
      p->sel_remote = ie->remote;
      p->have_pair = true;
      if (ie->type == RTG_ICE_EV_CONNECTED) {
        if (p->ice_connected) return; /* after a restart: the pair event said it */
        p->ice_connected = true;
        p->st.ice_connected_at = p->now;
      }
      if ((ev = peer_event_push(p, ie->type == RTG_ICE_EV_CONNECTED
                                       ? RTG_PEER_EV_ICE_CONNECTED
                                       : RTG_PEER_EV_ICE_SELECTED_PAIR)))
        ev->local = ie->local, ev->remote = ie->remote;
      return;
    case RTG_ICE_EV_FAILED:
    case RTG_ICE_EV_CONSENT_LOST:
      (void)peer_event_push(
          p, ie->type == RTG_ICE_EV_FAILED ? RTG_PEER_EV_ICE_FAILED : RTG_PEER_EV_ICE_CONSENT_LOST);
      peer_fail(p, ie->type == RTG_ICE_EV_FAILED ? "ICE failed" : "ICE consent lost");
      return;
    case RTG_ICE_EV_MDNS_UNRESOLVED:
      if ((ev = peer_event_push(p, RTG_PEER_EV_MDNS_RESOLVE)) &&
          (ev->hostname = peer_event_str(p, ie->hostname)) == NULL)
        peer_event_unpush(p);
      return;
    case RTG_ICE_EV_VALID_PAIR:
      /* RFC 8445 §12.1 lets data go on a valid pair before selection. A
       * DTLS server uses that: it answers a ClientHello, so the client is
       * listening. A client waits for the selected pair unless configured
       * otherwise, because Firefox drops DTLS that arrives before its own
       * ICE is connected (the ClientHello would wait a whole
       * retransmission timeout). */
      if (!p->ice_connected && p->dtls != NULL &&
          (p->dtls_role == RTG_DTLS_ROLE_SERVER || p->cfg.dtls_client_early)) {
        p->sel_local = ie->local;
        p->sel_remote = ie->remote;
        p->have_pair = true;
      }
      return;
    case RTG_ICE_EV_ROLE_CHANGED:
    default: return;
  }
}

static bool pump_ice(struct rtg_peer *p) {
  struct rtg_ice_event ie;
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  struct rtg_stun_addr src, dst;
  size_t len;
  bool moved = false;
  if (p->ice == NULL) return false;
  while (rtg_ice_agent_poll_event(p->ice, &ie) == 0) {
    on_ice_event(p, &ie);
    moved = true;
  }
  while (peer_tx_room(p) > 1 &&
         rtg_ice_agent_poll_transmit(p->ice, buf, sizeof buf, &len, &src, &dst) == 0) {
    (void)peer_send(p, &src, &dst, buf, len);
    moved = true;
  }
  return moved;
}

static void check_gathering(struct rtg_peer *p) {
  if (p->gathering_done || !p->local_done || (p->turn && !p->turn_done)) return;
  p->gathering_done = true;
  (void)peer_event_push(p, RTG_PEER_EV_GATHERING_DONE);
}

void peer_pump(struct rtg_peer *p) {
  for (int round = 0; round < 1000; round++) {
    bool moved = pump_ice(p);
    if (p->turn) moved |= peer_turn_pump(p);
    if (p->dtls) moved |= peer_dtls_pump(p);
    if (p->dc) moved |= peer_dc_pump(p);
    check_gathering(p);
    if (!moved) break;
  }
}

/* ---- the sans-IO loop ------------------------------------------------------ */

static bool lose(struct rtg_peer *p, uint16_t permille) {
  uint16_t v;
  if (permille == 0) return false;
  if (rtg_random(p->ctx, &v, sizeof v)) return false;
  return v % 1000 < permille;
}

bool peer_lose_out(struct rtg_peer *p) {
  if (!lose(p, p->cfg.loss_permille_out)) return false;
  p->st.loss_dropped_out++;
  return true;
}

int rtg_peer_handle_datagram(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *local,
                             const struct rtg_stun_addr *src, const uint8_t *data, size_t len) {
  int rc;
  arena_recycle(p);
  if (now > p->now) p->now = now;
  p->st.datagrams_in++;
  p->st.bytes_in += len;
  if (lose(p, p->cfg.loss_permille_in)) {
    p->st.loss_dropped_in++;
    return 0;
  }
  if (p->state == PEER_CLOSED) return RTG_ERR_STATE;
  if (peer_turn_from_server(p, local, src))
    rc = peer_turn_input(p, now, src, data, len);
  else
    rc = peer_demux(p, now, local, src, data, len);
  peer_pump(p);
  return rc;
}

int rtg_peer_handle_timeout(struct rtg_peer *p, rtg_time now) {
  arena_recycle(p);
  if (now > p->now) p->now = now;
  if (p->ice && rtg_ice_agent_poll_timeout(p->ice) <= now)
    IGNORE(rtg_ice_agent_handle_timeout(p->ice, now));
  if (p->turn && rtg_turn_client_poll_timeout(p->turn) <= now)
    IGNORE(rtg_turn_client_handle_timeout(p->turn, now));
  peer_dc_timers(p, now);
  if (p->srtp_tx && p->next_rtcp <= now) peer_media_timers(p, now);
  peer_pump(p);
  return 0;
}

int rtg_peer_poll_transmit(struct rtg_peer *p, uint8_t *buf, size_t cap, size_t *len,
                           struct rtg_stun_addr *src, struct rtg_stun_addr *dst) {
  const struct peer_tx *t;
  if (p->tx_count == 0) peer_pump(p);
  if (p->tx_count == 0) return RTG_ERR_AGAIN;
  t = &p->txq[p->tx_head];
  if (cap < t->len) return RTG_ERR_NOBUF;
  memcpy(buf, t->data, t->len);
  *len = t->len;
  *src = t->src;
  *dst = t->dst;
  p->tx_head = (p->tx_head + 1) % PEER_TXQ;
  p->tx_count--;
  p->st.datagrams_out++;
  p->st.bytes_out += *len;
  return 0;
}

static rtg_time tmin(rtg_time a, rtg_time b) { return a < b ? a : b; }

rtg_time rtg_peer_poll_timeout(const struct rtg_peer *p) {
  rtg_time t = RTG_TIME_NEVER;
  if (p->state == PEER_CLOSED) return t;
  if (p->ice) t = tmin(t, rtg_ice_agent_poll_timeout(p->ice));
  if (p->turn) t = tmin(t, rtg_turn_client_poll_timeout(p->turn));
  t = tmin(t, peer_dc_timeout(p));
  if (p->srtp_tx) t = tmin(t, p->next_rtcp);
  return t;
}

int rtg_peer_poll_event(struct rtg_peer *p, struct rtg_peer_event *ev) {
  if (p->ev_count == 0) return RTG_ERR_AGAIN;
  *ev = p->evq[p->ev_head];
  p->ev_head = (p->ev_head + 1) % PEER_EVQ;
  p->ev_count--;
  return 0;
}

/* ---- end and statistics ---------------------------------------------------- */

int rtg_peer_close(struct rtg_peer *p, rtg_time now) {
  if (p->state == PEER_CLOSED) return RTG_ERR_STATE;
  arena_recycle(p);
  if (now > p->now) p->now = now;
  if (p->dtls && p->dtls_connected) IGNORE(rtg_dtls_endpoint_close(p->dtls));
  if (p->turn && p->have_relay) IGNORE(rtg_turn_client_refresh(p->turn, now, 0));
  peer_pump(p);
  peer_fail(p, "closed locally");
  return 0;
}

void rtg_peer_stats(const struct rtg_peer *p, struct rtg_peer_stats *st) {
  *st = p->st;
  st->ice_connected = p->ice_connected;
  st->ice_role = p->ice ? rtg_ice_agent_role(p->ice) : (p->offerer ? 0 : 1);
  st->local = p->sel_local;
  st->remote = p->sel_remote;
  st->dtls_connected = p->dtls_connected;
  st->dtls_role = p->dtls_role;
  st->dtls_version = p->dtls_connected ? RTG_DTLS_V12 : 0;
  st->srtp_profile = p->srtp_profile;
  st->sctp_connected = p->sctp_connected;
  st->ice_restarts = p->ice_restarts;
  st->nstreams = p->nstreams;
  for (size_t i = 0; i < p->nstreams; i++) {
    st->streams[i] = p->streams[i].st;
    if (p->streams[i].src_init) {
      st->streams[i].lost = rtg_rtp_source_lost(&p->streams[i].src);
      st->streams[i].jitter = rtg_rtp_source_jitter(&p->streams[i].src);
    }
  }
}

const char *rtg_peer_event_name(enum rtg_peer_event_type t) {
  switch (t) {
    case RTG_PEER_EV_LOCAL_CANDIDATE: return "local-candidate";
    case RTG_PEER_EV_GATHERING_DONE: return "gathering-done";
    case RTG_PEER_EV_TURN_ALLOCATED: return "turn-allocated";
    case RTG_PEER_EV_TURN_FAILED: return "turn-failed";
    case RTG_PEER_EV_MDNS_RESOLVE: return "mdns-resolve";
    case RTG_PEER_EV_ICE_SELECTED_PAIR: return "ice-selected-pair";
    case RTG_PEER_EV_ICE_CONNECTED: return "ice-connected";
    case RTG_PEER_EV_ICE_FAILED: return "ice-failed";
    case RTG_PEER_EV_ICE_CONSENT_LOST: return "ice-consent-lost";
    case RTG_PEER_EV_DTLS_CONNECTED: return "dtls-connected";
    case RTG_PEER_EV_DTLS_FAILED: return "dtls-failed";
    case RTG_PEER_EV_FINGERPRINT_MISMATCH: return "fingerprint-mismatch";
    case RTG_PEER_EV_SCTP_CONNECTED: return "sctp-connected";
    case RTG_PEER_EV_CHANNEL_OPEN: return "channel-open";
    case RTG_PEER_EV_CHANNEL_ACKED: return "channel-acked";
    case RTG_PEER_EV_CHANNEL_MESSAGE: return "channel-message";
    case RTG_PEER_EV_CHANNEL_CLOSED: return "channel-closed";
    case RTG_PEER_EV_RTP: return "rtp";
    case RTG_PEER_EV_RTCP: return "rtcp";
    case RTG_PEER_EV_CLOSED: return "closed";
    default: return "unknown";
  }
}
