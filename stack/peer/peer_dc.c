/*
 * peer_dc.c - DTLS over the selected ICE pair (RFC 8842), SCTP over DTLS
 * application data (RFC 8261) and the data channels on it (RFC 8831, RFC
 * 8832), with the echo of every message received.
 */
#include <stdio.h>
#include <string.h>

#include "peer/internal.h"

#define CK(x)            \
  do {                   \
    int rc_ = (x);       \
    if (rc_) return rc_; \
  } while (0)

/* Room a DTLS 1.2 record takes around an SCTP packet: header 13, explicit
 * IV or nonce up to 16, MAC or tag up to 20, CBC padding up to 16. */
#define DTLS_RECORD_OVERHEAD 80

int peer_dtls_start(struct rtg_peer *p, rtg_time now) {
  struct rtg_dtls_config dc;
  memset(&dc, 0, sizeof dc);
  dc.role = p->dtls_role;
  dc.cert = p->cert;
  dc.peer_fp_alg = p->remote_fp_alg;
  memcpy(dc.peer_fp, p->remote_fp, sizeof dc.peer_fp);
  dc.srtp_profiles = p->cfg.srtp_profiles;
  dc.n_srtp_profiles = p->cfg.n_srtp_profiles;
  dc.mtu = p->cfg.mtu;
  dc.seeded_rng = p->cfg.seeded_rng;
  dc.keylog = p->cfg.keylog;
  dc.keylog_ud = p->cfg.keylog_ud;
  return rtg_dtls_endpoint_new(p->ctx, &dc, now, &p->dtls);
}

static int sctp_start(struct rtg_peer *p) {
  struct rtg_sctp_config sc;
  rtg_sctp_config_default(&sc);
  sc.local_port = p->cfg.sctp_port;
  sc.remote_port = p->remote_sctp_port;
  sc.mtu = p->cfg.mtu - DTLS_RECORD_OVERHEAD;
  sc.max_message_size = (size_t)p->cfg.max_message_size;
  /* WebRTC stacks keep the minimum RTO well under RFC 9260's 1 s */
  sc.rto_initial = RTG_MS(500);
  sc.rto_min = RTG_MS(200);
  CK(rtg_dc_new(p->ctx, &sc, p->dtls_role == RTG_DTLS_ROLE_CLIENT, &p->dc));
  return rtg_sctp_assoc_connect(rtg_dc_assoc(p->dc), p->now);
}

static void on_connected(struct rtg_peer *p, uint16_t profile) {
  struct rtg_peer_event *ev;
  struct rtg_dtls_srtp_keys k;
  p->dtls_connected = true;
  p->srtp_profile = profile;
  p->st.dtls_connected_at = p->now;
  if ((ev = peer_event_push(p, RTG_PEER_EV_DTLS_CONNECTED)) != NULL) {
    ev->dtls_role = p->dtls_role;
    ev->srtp_profile = profile;
  }
  if (profile && rtg_dtls_endpoint_srtp_keys(p->dtls, &k) == 0) {
    if (peer_media_start(p, &k) != 0) peer_fail(p, "SRTP setup failed");
    memset(&k, 0, sizeof k);
  }
  if (p->remote_data && sctp_start(p) != 0) peer_fail(p, "SCTP setup failed");
}

static void on_dtls_event(struct rtg_peer *p, const struct rtg_dtls_event *de) {
  struct rtg_peer_event *ev;
  switch (de->type) {
    case RTG_DTLS_EV_CONNECTED: on_connected(p, de->srtp_profile); return;
    case RTG_DTLS_EV_DATA:
      if (p->dc)
        IGNORE(rtg_sctp_assoc_handle_datagram(rtg_dc_assoc(p->dc), p->now, de->data, de->len));
      return;
    case RTG_DTLS_EV_FINGERPRINT_MISMATCH:
    case RTG_DTLS_EV_FAILED:
      p->dtls_failed = true;
      if ((ev = peer_event_push(p, de->type == RTG_DTLS_EV_FAILED
                                       ? RTG_PEER_EV_DTLS_FAILED
                                       : RTG_PEER_EV_FINGERPRINT_MISMATCH)) != NULL)
        ev->reason = de->reason ? de->reason : "DTLS handshake failed";
      peer_fail(p, de->type == RTG_DTLS_EV_FAILED ? "DTLS failed" : "DTLS fingerprint mismatch");
      return;
    case RTG_DTLS_EV_CLOSED: peer_fail(p, "the remote closed DTLS"); return;
    default: return;
  }
}

static bool dtls_flush(struct rtg_peer *p) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  size_t len;
  bool moved = false;
  if (!p->have_pair) return false;
  while (peer_tx_room(p) > 1 &&
         rtg_dtls_endpoint_poll_transmit(p->dtls, buf, sizeof buf, &len) == 0) {
    (void)peer_send_pair(p, buf, len);
    moved = true;
  }
  return moved;
}

bool peer_dtls_pump(struct rtg_peer *p) {
  struct rtg_dtls_event de;
  bool moved = false;
  while (rtg_dtls_endpoint_poll_event(p->dtls, &de) == 0) {
    on_dtls_event(p, &de);
    moved = true;
  }
  return dtls_flush(p) || moved;
}

/* ---- data channels --------------------------------------------------------- */

static struct rtg_peer_channel_stats *chan(struct rtg_peer *p, uint16_t sid, bool add) {
  for (size_t i = 0; i < p->st.nchannels; i++)
    if (p->st.channels[i].sid == sid) return &p->st.channels[i];
  if (!add || p->st.nchannels == RTG_PEER_MAX_CHANNELS) return NULL;
  memset(&p->st.channels[p->st.nchannels], 0, sizeof p->st.channels[0]);
  p->st.channels[p->st.nchannels].sid = sid;
  return &p->st.channels[p->st.nchannels++];
}

static void on_open(struct rtg_peer *p, const struct rtg_dc_event *de) {
  struct rtg_peer_channel_stats *cs = chan(p, de->sid, true);
  struct rtg_peer_event *ev = peer_event_push(p, RTG_PEER_EV_CHANNEL_OPEN);
  if (cs) {
    cs->open = true;
    cs->channel_type = de->channel_type;
    snprintf(cs->label, sizeof cs->label, "%.*s", (int)de->label.len, (const char *)de->label.p);
  }
  if (ev == NULL) return;
  ev->sid = de->sid;
  ev->channel_type = de->channel_type;
  ev->label.p = peer_event_data(p, de->label.p, de->label.len);
  ev->label.len = de->label.len;
  ev->protocol.p = peer_event_data(p, de->protocol.p, de->protocol.len);
  ev->protocol.len = de->protocol.len;
}

static void on_message(struct rtg_peer *p, const struct rtg_dc_event *de) {
  struct rtg_peer_channel_stats *cs = chan(p, de->sid, true);
  struct rtg_peer_event *ev;
  if (cs) {
    cs->messages_in++;
    cs->bytes_in += de->len;
  }
  if ((p->cfg.echo & RTG_PEER_ECHO_DATA) &&
      rtg_dc_send(p->dc, p->now, de->sid, de->binary, de->data, de->len) == 0 && cs) {
    cs->messages_out++;
    cs->bytes_out += de->len;
  }
  if ((ev = peer_event_push(p, RTG_PEER_EV_CHANNEL_MESSAGE)) == NULL) return;
  ev->sid = de->sid;
  ev->binary = de->binary;
  ev->len = de->len;
  if ((ev->data = peer_event_data(p, de->data, de->len)) == NULL && de->len) peer_event_unpush(p);
}

static void on_dc_event(struct rtg_peer *p, const struct rtg_dc_event *de) {
  struct rtg_peer_event *ev;
  struct rtg_peer_channel_stats *cs;
  switch (de->type) {
    case RTG_DC_EV_CONNECTED:
      p->sctp_connected = true;
      p->st.sctp_connected_at = p->now;
      (void)peer_event_push(p, RTG_PEER_EV_SCTP_CONNECTED);
      return;
    case RTG_DC_EV_CHANNEL_OPEN: on_open(p, de); return;
    case RTG_DC_EV_CHANNEL_ACKED:
      if ((ev = peer_event_push(p, RTG_PEER_EV_CHANNEL_ACKED)) != NULL) ev->sid = de->sid;
      return;
    case RTG_DC_EV_MESSAGE: on_message(p, de); return;
    case RTG_DC_EV_CHANNEL_CLOSED:
      if ((cs = chan(p, de->sid, false)) != NULL) cs->open = false;
      if ((ev = peer_event_push(p, RTG_PEER_EV_CHANNEL_CLOSED)) != NULL) ev->sid = de->sid;
      return;
    case RTG_DC_EV_CLOSED: p->sctp_connected = false; return;
    case RTG_DC_EV_BUFFERED_LOW:
    default: return;
  }
}

bool peer_dc_pump(struct rtg_peer *p) {
  struct rtg_dc_event de;
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  size_t len;
  bool moved = false;
  while (rtg_dc_poll_event(p->dc, &de) == 0) {
    on_dc_event(p, &de);
    moved = true;
  }
  /* SCTP packets become DTLS records only while the transmit queue has
   * room: the association keeps the rest (its cwnd paces it anyway) */
  while (p->dtls_connected && p->have_pair && peer_tx_room(p) > 4 &&
         rtg_sctp_assoc_poll_transmit(rtg_dc_assoc(p->dc), buf, sizeof buf, &len) == 0) {
    IGNORE(rtg_dtls_endpoint_send(p->dtls, buf, len));
    (void)dtls_flush(p);
    moved = true;
  }
  return moved;
}

rtg_time peer_dc_timeout(const struct rtg_peer *p) {
  rtg_time t = RTG_TIME_NEVER, u;
  if (p->dtls && !p->dtls_failed) t = rtg_dtls_endpoint_poll_timeout(p->dtls);
  if (p->dc && (u = rtg_sctp_assoc_poll_timeout(rtg_dc_assoc(p->dc))) < t) t = u;
  return t;
}

void peer_dc_timers(struct rtg_peer *p, rtg_time now) {
  if (p->dtls && !p->dtls_failed && rtg_dtls_endpoint_poll_timeout(p->dtls) <= now)
    IGNORE(rtg_dtls_endpoint_handle_timeout(p->dtls, now));
  if (p->dc && rtg_sctp_assoc_poll_timeout(rtg_dc_assoc(p->dc)) <= now)
    IGNORE(rtg_sctp_assoc_handle_timeout(rtg_dc_assoc(p->dc), now));
}

/* ---- the data channel API -------------------------------------------------- */

int rtg_peer_dc_open(struct rtg_peer *p, rtg_time now, const struct rtg_dc_channel_opts *o,
                     uint16_t *sid) {
  struct rtg_peer_channel_stats *cs;
  if (p->dc == NULL || !p->sctp_connected || p->state == PEER_CLOSED) return RTG_ERR_STATE;
  if (now > p->now) p->now = now;
  CK(rtg_dc_open(p->dc, now, o, sid));
  if ((cs = chan(p, *sid, true)) != NULL) {
    cs->open = true;
    cs->channel_type = o->channel_type;
    snprintf(cs->label, sizeof cs->label, "%s", o->label ? o->label : "");
  }
  peer_pump(p);
  return 0;
}

int rtg_peer_dc_send(struct rtg_peer *p, rtg_time now, uint16_t sid, bool binary, const void *data,
                     size_t len) {
  struct rtg_peer_channel_stats *cs;
  uint64_t limit =
      p->remote_mms < p->cfg.max_message_size ? p->remote_mms : p->cfg.max_message_size;
  if (p->dc == NULL || p->state == PEER_CLOSED) return RTG_ERR_STATE;
  if (len > limit) return RTG_ERR_INVAL;
  if (now > p->now) p->now = now;
  CK(rtg_dc_send(p->dc, now, sid, binary, data, len));
  if ((cs = chan(p, sid, true)) != NULL) {
    cs->messages_out++;
    cs->bytes_out += len;
  }
  peer_pump(p);
  return 0;
}

int rtg_peer_dc_close(struct rtg_peer *p, uint16_t sid) {
  if (p->dc == NULL || p->state == PEER_CLOSED) return RTG_ERR_STATE;
  CK(rtg_dc_close(p->dc, sid));
  peer_pump(p);
  return 0;
}

size_t rtg_peer_dc_buffered(const struct rtg_peer *p, uint16_t sid) {
  return p->dc ? rtg_dc_buffered(p->dc, sid) : 0;
}
