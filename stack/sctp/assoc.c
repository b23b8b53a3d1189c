/*
 * assoc.c - the SCTP association, sans-IO (DESIGN.md rule 1), as WebRTC
 * data channels use it over DTLS (RFC 8261, RFC 8831 §6):
 *
 *  - 4-way handshake with an HMAC-SHA256-signed state cookie and lifetime
 *    (RFC 9260 §5.1, §5.1.3), simultaneous open and INIT collision
 *    (§5.2.1, §5.2.4), verification tags (§8.5);
 *  - T1-init / T1-cookie, T2-shutdown, T3-rtx, delayed-ack, heartbeat and
 *    RE-CONFIG timers driven by handle_timeout; RTO per §6.3;
 *  - congestion control (§7.2: slow start, congestion avoidance, fast
 *    retransmit / fast recovery), the peer's receiver window, SACK with gap
 *    blocks and duplicate TSNs, delayed acknowledgement (§6.2);
 *  - messages: fragmentation / reassembly, ordered and unordered delivery,
 *    partial reliability (RFC 3758: max retransmissions, lifetime,
 *    FORWARD-TSN), stream reset (RFC 6525 outgoing SSN reset);
 *  - heartbeats, graceful shutdown and abort.
 *
 * Interleaving (I-DATA, RFC 8260) is decoded by the codec but not offered
 * by the association: it announces neither I-DATA nor I-FORWARD-TSN, so
 * peers use DATA and FORWARD-TSN.
 */
#include "sctp/assoc_internal.h"

void rtg_sctp_config_default(struct rtg_sctp_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->local_port = 5000;
  cfg->remote_port = 5000;
  cfg->streams = 65535;
  cfg->rwnd = 1024 * 1024;
  cfg->mtu = 1200;
  cfg->max_message_size = 256 * 1024;
  cfg->rto_initial = RTG_SEC(1);
  cfg->rto_min = RTG_SEC(1);
  cfg->rto_max = RTG_SEC(60);
  cfg->max_init_retransmits = 8;
  cfg->max_assoc_retransmits = 10;
  cfg->delayed_ack = RTG_MS(200);
  cfg->heartbeat_interval = RTG_SEC(30);
  cfg->cookie_lifetime = RTG_SEC(60);
  cfg->zero_checksum = false;
  cfg->idata = false;
  cfg->buffered_low = 0;
}

/* ---- small helpers -------------------------------------------------------- */

void *sctpi_zalloc(struct rtg_sctp_assoc *a, size_t n) { return rtg_alloc(&a->ctx, n); }

int sctpi_push_event(struct rtg_sctp_assoc *a, const struct rtg_sctp_event *ev, uint8_t *owned) {
  struct ev_node *n = sctpi_zalloc(a, sizeof *n);
  if (n == NULL) {
    rtg_free(&a->ctx, owned);
    return RTG_ERR_NOMEM;
  }
  n->ev = *ev;
  n->owned = owned;
  if (a->eq_tail)
    a->eq_tail->next = n;
  else
    a->eq_head = n;
  a->eq_tail = n;
  return 0;
}

int sctpi_simple_event(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type t, uint16_t sid,
                       int error) {
  struct rtg_sctp_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = t;
  ev.sid = sid;
  ev.error = error;
  return sctpi_push_event(a, &ev, NULL);
}

struct stream *sctpi_stream_get(struct rtg_sctp_assoc *a, uint16_t sid) {
  if ((size_t)sid >= a->nstreams) {
    size_t n = a->nstreams ? a->nstreams : 16;
    struct stream *s;
    while (n <= sid) n *= 2;
    if (n > 65536) n = 65536;
    s = sctpi_zalloc(a, n * sizeof *s);
    if (s == NULL) return NULL;
    if (a->nstreams) memcpy(s, a->streams, a->nstreams * sizeof *s);
    for (size_t i = a->nstreams; i < n; i++) s[i].low = a->cfg.buffered_low;
    rtg_free(&a->ctx, a->streams);
    a->streams = s;
    a->nstreams = n;
  }
  return &a->streams[sid];
}

/* Fragment blocks (cfg.mtu bytes) are recycled so that steady-state
 * receiving does not allocate per chunk (DESIGN.md rule 5). */
uint8_t *sctpi_block_get(struct rtg_sctp_assoc *a) {
  if (a->pool_n) return a->pool[--a->pool_n];
  return sctpi_zalloc(a, a->cfg.mtu);
}

void sctpi_block_put(struct rtg_sctp_assoc *a, uint8_t *b) {
  if (a->pool_n == a->pool_cap) {
    size_t nc = a->pool_cap ? a->pool_cap * 2 : 64;
    uint8_t **np;
    if (nc > 8192) {
      rtg_free(&a->ctx, b);
      return;
    }
    np = sctpi_zalloc(a, nc * sizeof *np);
    if (np == NULL) {
      rtg_free(&a->ctx, b);
      return;
    }
    if (a->pool_n) memcpy(np, a->pool, a->pool_n * sizeof *np);
    rtg_free(&a->ctx, a->pool);
    a->pool = np;
    a->pool_cap = nc;
  }
  a->pool[a->pool_n++] = b;
}

void sctpi_msg_unref(struct rtg_sctp_assoc *a, struct out_msg *m) {
  if (--m->refs == 0) rtg_free(&a->ctx, m);
}

void sctpi_buffered_sub(struct rtg_sctp_assoc *a, uint16_t sid, size_t n) {
  struct stream *s = sid < a->nstreams ? &a->streams[sid] : NULL;
  uint32_t before;
  if (s == NULL) return;
  before = s->buffered;
  s->buffered = n > s->buffered ? 0 : s->buffered - (uint32_t)n;
  if (before > s->low && s->buffered <= s->low)
    (void)sctpi_simple_event(a, RTG_SCTP_EV_BUFFERED_LOW, sid, 0);
}

struct txc *sctpi_tx_at(struct rtg_sctp_assoc *a, size_t i) {
  return &a->tx[(a->tx_head + i) & (a->tx_cap - 1)];
}

int sctpi_tx_push(struct rtg_sctp_assoc *a, const struct txc *c) {
  if (a->tx_n == a->tx_cap) {
    size_t nc = a->tx_cap ? a->tx_cap * 2 : 256;
    struct txc *n = sctpi_zalloc(a, nc * sizeof *n);
    if (n == NULL) return RTG_ERR_NOMEM;
    for (size_t i = 0; i < a->tx_n; i++) n[i] = *sctpi_tx_at(a, i);
    rtg_free(&a->ctx, a->tx);
    a->tx = n;
    a->tx_cap = nc;
    a->tx_head = 0;
  }
  *sctpi_tx_at(a, a->tx_n) = *c;
  a->tx_n++;
  return 0;
}

/* ---- RTO (RFC 9260 §6.3.1) ------------------------------------------------ */

rtg_time sctpi_clamp_rto(const struct rtg_sctp_assoc *a, rtg_time r) {
  if (r < a->cfg.rto_min) r = a->cfg.rto_min;
  if (r > a->cfg.rto_max) r = a->cfg.rto_max;
  return r;
}

void sctpi_rtt_sample(struct rtg_sctp_assoc *a, rtg_time r) {
  if (r < 0) return;
  if (!a->have_rtt) {
    /* C2: first measurement */
    a->srtt = r;
    a->rttvar = r / 2;
    a->have_rtt = true;
  } else {
    /* C3: RTO.Alpha = 1/8, RTO.Beta = 1/4 */
    rtg_time d = a->srtt > r ? a->srtt - r : r - a->srtt;
    a->rttvar = a->rttvar - a->rttvar / 4 + d / 4;
    a->srtt = a->srtt - a->srtt / 8 + r / 8;
  }
  /* a clock granularity G of 1 ms keeps RTTVAR from collapsing */
  a->rto = sctpi_clamp_rto(a, a->srtt + (4 * a->rttvar > RTG_MS(1) ? 4 * a->rttvar : RTG_MS(1)));
}

void sctpi_rto_backoff(struct rtg_sctp_assoc *a) { a->rto = sctpi_clamp_rto(a, a->rto * 2); }

/* ---- packet building ------------------------------------------------------ */

/* Callers own buffers of at least a header: nothing here can fail. */
void sctpi_hdr_init(struct rtg_sctp_assoc *a, struct rtg_wr *wr, uint8_t *buf, size_t cap,
                    uint32_t vtag) {
  rtg_store_u16(buf, a->cfg.local_port);
  rtg_store_u16(buf + 2, a->cfg.remote_port);
  rtg_store_u32(buf + 4, vtag);
  rtg_store_u32(buf + 8, 0);
  rtg_wr_init(wr, buf, cap);
  wr->p += RTG_SCTP_HDR_LEN;
}

void sctpi_seal(uint8_t *buf, size_t len, bool zero_checksum) {
  uint32_t crc = zero_checksum ? 0 : rtg_sctp_checksum(buf, len);
  buf[8] = (uint8_t)crc;
  buf[9] = (uint8_t)(crc >> 8);
  buf[10] = (uint8_t)(crc >> 16);
  buf[11] = (uint8_t)(crc >> 24);
}

int sctpi_ctl_queue(struct rtg_sctp_assoc *a, const uint8_t *buf, size_t len) {
  struct ctl_pkt *p = sctpi_zalloc(a, sizeof *p + len);
  if (p == NULL) return RTG_ERR_NOMEM;
  memcpy(p->buf, buf, len);
  p->len = len;
  if (a->cq_tail)
    a->cq_tail->next = p;
  else
    a->cq_head = p;
  a->cq_tail = p;
  return 0;
}

/* Queues a packet of one chunk with opaque value. */
int sctpi_ctl_chunk(struct rtg_sctp_assoc *a, uint32_t vtag, uint8_t type, uint8_t flags,
                    const void *value, size_t len) {
  uint8_t buf[256];
  struct rtg_wr wr;
  if (len > sizeof buf - 16) return RTG_ERR_INVAL;
  sctpi_hdr_init(a, &wr, buf, sizeof buf, vtag);
  if (rtg_sctp_chunk_write(&wr, type, flags, value, len)) return RTG_ERR_NOBUF;
  sctpi_seal(buf, rtg_wr_len(&wr), false);
  return sctpi_ctl_queue(a, buf, rtg_wr_len(&wr));
}

int sctpi_init_params(struct rtg_sctp_assoc *a, struct rtg_wr *wr) {
  static const uint8_t ext[] = {RTG_SCTP_FORWARD_TSN, RTG_SCTP_RECONFIG, RTG_SCTP_I_DATA,
                                RTG_SCTP_I_FORWARD_TSN};
  uint8_t edmid[4];
  rtg_store_u32(edmid, 1);
  /* RFC 8260 §2.2: I-DATA is offered by listing I-DATA (and I-FORWARD-TSN) */
  if (rtg_sctp_tlv_write(wr, RTG_SCTP_P_FORWARD_TSN_SUPPORTED, NULL, 0) ||
      rtg_sctp_tlv_write(wr, RTG_SCTP_P_SUPPORTED_EXT, ext, a->cfg.idata ? 4 : 2))
    return RTG_ERR_NOBUF;
  if (a->cfg.zero_checksum && rtg_sctp_tlv_write(wr, RTG_SCTP_P_ZERO_CHECKSUM, edmid, 4))
    return RTG_ERR_NOBUF;
  return 0;
}

int sctpi_send_init(struct rtg_sctp_assoc *a) {
  uint8_t buf[256], params[64];
  struct rtg_wr wr, pw;
  struct rtg_sctp_init in;
  memset(&in, 0, sizeof in);
  in.init_tag = a->my_vtag;
  in.a_rwnd = a->cfg.rwnd;
  in.os = a->cfg.streams;
  in.mis = a->cfg.streams;
  in.initial_tsn = a->my_init_tsn;
  rtg_wr_init(&pw, params, sizeof params);
  if (sctpi_init_params(a, &pw)) return RTG_ERR_NOBUF;
  sctpi_hdr_init(a, &wr, buf, sizeof buf, 0);
  if (rtg_sctp_init_write(&wr, RTG_SCTP_INIT, &in, params, rtg_wr_len(&pw))) return RTG_ERR_NOBUF;
  sctpi_seal(buf, rtg_wr_len(&wr), false);
  return sctpi_ctl_queue(a, buf, rtg_wr_len(&wr));
}

/* ---- state cookie (RFC 9260 §5.1.3) --------------------------------------
 * Our own layout, authenticated with HMAC-SHA256 under a per-association
 * random secret:
 *   0 created (u64, caller's monotonic ns)   8 peer tag     12 peer TSN
 *  16 peer a_rwnd  20 peer OS  22 peer MIS   24 our tag     28 our TSN
 *  32 flags (1 forward-tsn, 2 reconfig, 4 zero checksum)   36 reserved
 *  48 HMAC (32 bytes) over bytes 0..47 */

int sctpi_cookie_make(struct rtg_sctp_assoc *a, const struct cookie *c, uint8_t *out) {
  memset(out, 0, COOKIE_LEN);
  rtg_store_u64(out, (uint64_t)c->created);
  rtg_store_u32(out + 8, c->peer_tag);
  rtg_store_u32(out + 12, c->peer_tsn);
  rtg_store_u32(out + 16, c->peer_rwnd);
  rtg_store_u16(out + 20, c->peer_os);
  rtg_store_u16(out + 22, c->peer_mis);
  rtg_store_u32(out + 24, c->my_tag);
  rtg_store_u32(out + 28, c->my_tsn);
  rtg_store_u32(out + 32, c->flags);
  return rtg_hmac_once(&a->cookie_mac, out, COOKIE_LEN, out + COOKIE_LEN) ? RTG_ERR_CRYPTO : 0;
}

/* returns 0, RTG_ERR_AUTH (bad MAC / size) or RTG_ERR_TIMEOUT (stale). */
int sctpi_cookie_check(struct rtg_sctp_assoc *a, struct rtg_slice s, struct cookie *c) {
  uint8_t mac[RTG_HASH_MAX];
  if (s.len != COOKIE_LEN + COOKIE_MAC) return RTG_ERR_AUTH;
  if (rtg_hmac_once(&a->cookie_mac, s.p, COOKIE_LEN, mac)) return RTG_ERR_CRYPTO;
  if (rtg_memeq_ct(mac, s.p + COOKIE_LEN, COOKIE_MAC)) return RTG_ERR_AUTH;
  c->created = (rtg_time)rtg_load_u64(s.p);
  c->peer_tag = rtg_load_u32(s.p + 8);
  c->peer_tsn = rtg_load_u32(s.p + 12);
  c->peer_rwnd = rtg_load_u32(s.p + 16);
  c->peer_os = rtg_load_u16(s.p + 20);
  c->peer_mis = rtg_load_u16(s.p + 22);
  c->my_tag = rtg_load_u32(s.p + 24);
  c->my_tsn = rtg_load_u32(s.p + 28);
  c->flags = rtg_load_u32(s.p + 32);
  if (a->now - c->created > a->cfg.cookie_lifetime || a->now < c->created) return RTG_ERR_TIMEOUT;
  return 0;
}

/* ---- events --------------------------------------------------------------- */

int rtg_sctp_assoc_poll_event(struct rtg_sctp_assoc *a, struct rtg_sctp_event *ev) {
  struct ev_node *n = a->eq_head;
  rtg_free(&a->ctx, a->last_ev);
  a->last_ev = NULL;
  if (n == NULL) return RTG_ERR_AGAIN;
  a->eq_head = n->next;
  if (a->eq_head == NULL) a->eq_tail = NULL;
  *ev = n->ev;
  a->last_ev = n->owned;
  rtg_free(&a->ctx, n);
  return 0;
}

/* ---- API ------------------------------------------------------------------ */

int rtg_sctp_assoc_new(const struct rtg_ctx *ctx, const struct rtg_sctp_config *cfg,
                       struct rtg_sctp_assoc **out) {
  struct rtg_sctp_assoc *a;
  uint8_t secret[32];
  if (cfg->mtu < 64 || cfg->mtu > 65535 || cfg->streams == 0 || cfg->max_message_size == 0)
    return RTG_ERR_INVAL;
  a = rtg_alloc(ctx, sizeof *a);
  if (a == NULL) return RTG_ERR_NOMEM;
  a->ctx = *ctx;
  a->cfg = *cfg;
  a->state = RTG_SCTP_CLOSED;
  a->rto = sctpi_clamp_rto(a, cfg->rto_initial);
  a->mid_mask = 0xffff;
  a->dhdr = 16;
  a->t1 = a->t2 = a->t3 = a->t_ack = a->t_hb = a->t_reconf = RTG_TIME_NEVER;
  if (rtg_random(ctx, secret, sizeof secret) ||
      rtg_hmac_init(&a->cookie_mac, RTG_HASH_SHA256, secret, sizeof secret)) {
    rtg_free(ctx, a);
    return RTG_ERR_CRYPTO;
  }
  if (sctpi_stream_get(a, 0) == NULL) {
    rtg_sctp_assoc_free(a);
    return RTG_ERR_NOMEM;
  }
  *out = a;
  return 0;
}

void rtg_sctp_assoc_free(struct rtg_sctp_assoc *a) {
  if (a == NULL) return;
  while (a->sq_head) {
    struct out_msg *m = a->sq_head;
    a->sq_head = m->next;
    sctpi_msg_unref(a, m);
  }
  for (size_t i = 0; i < a->tx_n; i++) sctpi_msg_unref(a, sctpi_tx_at(a, i)->m);
  rtg_free(&a->ctx, a->tx);
  for (size_t i = 0; i < a->rx_n; i++) rtg_free(&a->ctx, a->rx[i].data);
  rtg_free(&a->ctx, a->rx);
  while (a->pending) {
    struct in_msg *m = a->pending;
    a->pending = m->next;
    rtg_free(&a->ctx, m->data);
    rtg_free(&a->ctx, m);
  }
  for (size_t i = 0; i < a->pool_n; i++) rtg_free(&a->ctx, a->pool[i]);
  rtg_free(&a->ctx, a->pool);
  while (a->cq_head) {
    struct ctl_pkt *p = a->cq_head;
    a->cq_head = p->next;
    rtg_free(&a->ctx, p);
  }
  while (a->eq_head) {
    struct ev_node *n = a->eq_head;
    a->eq_head = n->next;
    rtg_free(&a->ctx, n->owned);
    rtg_free(&a->ctx, n);
  }
  rtg_free(&a->ctx, a->last_ev);
  rtg_free(&a->ctx, a->streams);
  rtg_free(&a->ctx, a->reset_sids);
  rtg_hmac_free(&a->cookie_mac);
  rtg_free(&a->ctx, a);
}

int rtg_sctp_assoc_connect(struct rtg_sctp_assoc *a, rtg_time now) {
  if (a->state != RTG_SCTP_CLOSED) return RTG_ERR_STATE;
  a->now = now;
  sctpi_drop_data_state(a); /* connecting again after a close or abort */
  if (rtg_random(&a->ctx, &a->my_vtag, 4) || rtg_random(&a->ctx, &a->my_init_tsn, 4))
    return RTG_ERR_CRYPTO;
  if (a->my_vtag == 0) a->my_vtag = 1;
  a->state = RTG_SCTP_COOKIE_WAIT;
  a->init_tries = 0;
  a->t1 = now + a->rto;
  return sctpi_send_init(a);
}

int rtg_sctp_assoc_send(struct rtg_sctp_assoc *a, rtg_time now, uint16_t sid, uint32_t ppid,
                        const void *data, size_t len, const struct rtg_sctp_send_opts *opts) {
  struct out_msg *m;
  struct stream *s;
  a->now = now;
  if (a->state != RTG_SCTP_ESTABLISHED) return RTG_ERR_STATE;
  if (len == 0 || len > a->cfg.max_message_size || sid >= a->peer_mis) return RTG_ERR_INVAL;
  if ((s = sctpi_stream_get(a, sid)) == NULL) return RTG_ERR_NOMEM;
  if (s->reset_pending || s->resetting) return RTG_ERR_STATE;
  m = rtg_alloc(&a->ctx, sizeof *m + len);
  if (m == NULL) return RTG_ERR_NOMEM;
  memcpy(m->data, data, len);
  m->refs = 1;
  m->sid = sid;
  m->ppid = ppid;
  m->len = len;
  m->unordered = opts && opts->unordered;
  m->max_rtx = opts ? opts->max_retransmits : UINT32_MAX;
  m->expires = opts && opts->lifetime != RTG_TIME_NEVER ? now + opts->lifetime : RTG_TIME_NEVER;
  if (a->sq_tail)
    a->sq_tail->next = m;
  else
    a->sq_head = m;
  a->sq_tail = m;
  s->buffered += (uint32_t)len;
  return 0;
}

int rtg_sctp_assoc_reset_streams(struct rtg_sctp_assoc *a, const uint16_t *sids, size_t n) {
  uint16_t *ns;
  if (a->state != RTG_SCTP_ESTABLISHED || !a->peer_reconfig) return RTG_ERR_STATE;
  if (n == 0 || n > 256) return RTG_ERR_INVAL;
  if (a->reset_n) return RTG_ERR_AGAIN; /* one request at a time (RFC 6525 §5.1.1) */
  ns = sctpi_zalloc(a, n * sizeof *ns);
  if (ns == NULL) return RTG_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    struct stream *s = sctpi_stream_get(a, sids[i]);
    if (s == NULL) {
      rtg_free(&a->ctx, ns);
      return RTG_ERR_NOMEM;
    }
    s->reset_pending = true;
    ns[i] = sids[i];
  }
  rtg_free(&a->ctx, a->reset_sids);
  a->reset_sids = ns;
  a->reset_n = n;
  return sctpi_maybe_send_reset(a);
}

int rtg_sctp_assoc_shutdown(struct rtg_sctp_assoc *a, rtg_time now) {
  a->now = now;
  if (a->state != RTG_SCTP_ESTABLISHED) return RTG_ERR_STATE;
  a->state = RTG_SCTP_SHUTDOWN_PENDING;
  a->t2_tries = 0;
  return sctpi_shutdown_progress(a);
}

int rtg_sctp_assoc_abort(struct rtg_sctp_assoc *a, const char *reason) {
  int rc;
  if (a->state == RTG_SCTP_CLOSED) return RTG_ERR_STATE;
  rc = sctpi_send_abort(a, RTG_SCTP_C_USER_ABORT, reason);
  sctpi_enter_closed(a, RTG_SCTP_EV_ABORTED, 0);
  return rc;
}

enum rtg_sctp_state rtg_sctp_assoc_state(const struct rtg_sctp_assoc *a) { return a->state; }

rtg_time rtg_sctp_assoc_now(const struct rtg_sctp_assoc *a) { return a->now; }

size_t rtg_sctp_assoc_buffered(const struct rtg_sctp_assoc *a, uint16_t sid) {
  return sid < a->nstreams ? a->streams[sid].buffered : 0;
}

int rtg_sctp_assoc_set_buffered_low(struct rtg_sctp_assoc *a, uint16_t sid, uint32_t threshold) {
  struct stream *s = sctpi_stream_get(a, sid);
  if (s == NULL) return RTG_ERR_NOMEM;
  s->low = threshold;
  return 0;
}

void rtg_sctp_assoc_stats(const struct rtg_sctp_assoc *a, struct rtg_sctp_stats *st) {
  *st = a->st;
  st->cwnd = a->cwnd;
  st->ssthresh = a->ssthresh;
  st->flight = a->flight;
  st->peer_rwnd = a->peer_rwnd;
  st->srtt = a->srtt;
  st->rto = a->rto;
}

uint32_t rtg_sctp_assoc_local_vtag(const struct rtg_sctp_assoc *a) { return a->my_vtag; }
uint32_t rtg_sctp_assoc_peer_vtag(const struct rtg_sctp_assoc *a) { return a->peer_vtag; }
bool rtg_sctp_assoc_idata(const struct rtg_sctp_assoc *a) { return a->idata; }
bool rtg_sctp_assoc_zero_checksum(const struct rtg_sctp_assoc *a) {
  return a->zero_cs_peer && a->cfg.zero_checksum;
}
