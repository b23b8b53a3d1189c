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
#include <stddef.h>
#include <string.h>

#include "rtg/sctp.h"

/* ---- serial-number arithmetic (RFC 9260 §1.6, RFC 1982) ------------------ */

static bool tsn_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static bool tsn_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static bool ssn_le(uint16_t a, uint16_t b) { return (int16_t)(uint16_t)(a - b) <= 0; }
static bool mid32_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

#define COOKIE_LEN 48 /* see cookie_make */
#define COOKIE_MAC 32
#define MAX_GAPS 64
#define MAX_DUPS 32

/* ---- internal structures -------------------------------------------------- */

/* An outbound message. Referenced by the send queue while fragments remain
 * to be cut, and by each chunk in flight. */
struct out_msg {
  struct out_msg *next;
  uint32_t refs;
  uint16_t sid;
  uint32_t mid; /* SSN (DATA) or MID (I-DATA) */
  uint32_t nfrag;
  uint32_t ppid;
  bool unordered, abandoned, ssn_set;
  uint32_t max_rtx;
  rtg_time expires;
  size_t len, cut; /* bytes cut into chunks so far */
  uint8_t data[];
};

/* A DATA chunk sent and not yet cumulatively acknowledged. */
struct txc {
  uint32_t tsn;
  uint32_t fsn; /* I-DATA fragment sequence number */
  struct out_msg *m;
  uint32_t off;
  uint16_t len;
  uint8_t flags;
  uint8_t misses;
  uint32_t nsent;
  bool acked, rtx, abandoned, in_flight, fast, was_fast;
  rtg_time sent;
};

/* A received DATA chunk waiting for its message to complete. */
struct rxf {
  uint32_t tsn;
  uint16_t sid;
  uint32_t mid, fsn; /* SSN for DATA */
  uint32_t ppid;
  uint8_t flags;
  uint16_t len;
  bool pooled; /* |data| is a block of the fragment pool */
  uint8_t *data;
};

/* A complete ordered message waiting for an earlier SSN. */
struct in_msg {
  struct in_msg *next;
  uint16_t sid;
  uint32_t mid;
  uint32_t ppid;
  size_t len;
  uint8_t *data;
};

struct ev_node {
  struct ev_node *next;
  struct rtg_sctp_event ev;
  uint8_t *owned;
};

struct ctl_pkt {
  struct ctl_pkt *next;
  size_t len;
  uint8_t buf[];
};

struct stream {
  uint32_t mid_out, umid_out, mid_in; /* 16-bit SSNs unless I-DATA */
  uint32_t buffered, low;
  uint32_t scan;      /* last scheduler pass that saw this stream */
  bool reset_pending; /* outgoing reset requested, not yet sent */
  bool resetting;     /* request in flight */
};

struct range {
  uint32_t start, end;
};

struct rtg_sctp_assoc {
  struct rtg_ctx ctx;
  struct rtg_sctp_config cfg;
  enum rtg_sctp_state state;
  rtg_time now;
  struct rtg_hmac cookie_mac;

  uint32_t my_vtag, peer_vtag;
  uint32_t my_init_tsn, peer_init_tsn;
  uint32_t next_tsn;     /* next TSN we assign */
  uint32_t cum_ack;      /* highest TSN the peer acknowledged cumulatively */
  uint32_t adv_peer_ack; /* RFC 3758 advanced peer ack point */
  uint32_t peer_rwnd;
  uint16_t peer_os, peer_mis;
  bool peer_fwd_tsn, peer_reconfig, zero_cs_peer;
  bool idata;        /* RFC 8260 negotiated: I-DATA and I-FORWARD-TSN */
  uint32_t mid_mask; /* 0xffff (SSN) or 0xffffffff (MID) */
  uint32_t dhdr;     /* DATA (16) or I-DATA (20) chunk header */
  uint32_t scan_gen; /* scheduler pass counter */
  uint16_t rr_sid;   /* stream served last (round robin with I-DATA) */

  /* congestion control (§7.2) */
  uint32_t cwnd, ssthresh, pba, flight;
  bool fast_recovery;
  uint32_t fr_exit;

  /* RTO (§6.3.1) */
  rtg_time srtt, rttvar, rto;
  bool have_rtt;

  /* timers */
  rtg_time t1, t2, t3, t_ack, t_hb, t_reconf;
  unsigned init_tries, error_count, t2_tries;

  /* send side */
  struct out_msg *sq_head, *sq_tail;
  struct txc *tx;
  size_t tx_cap, tx_head, tx_n;
  bool send_fwd_tsn;

  /* receive side */
  uint32_t peer_cum; /* highest in-order TSN received */
  struct range gaps[MAX_GAPS];
  size_t ngaps;
  uint32_t dups[MAX_DUPS];
  size_t ndups;
  bool sack_now;
  unsigned unacked_packets;
  struct rxf *rx;
  size_t rx_cap, rx_n;
  size_t rx_bytes;
  struct in_msg *pending;
  uint8_t **pool;
  size_t pool_n, pool_cap;

  /* streams */
  struct stream *streams;
  size_t nstreams;

  /* RE-CONFIG (RFC 6525) */
  uint32_t reconf_seq_out, reconf_seq_in;
  uint16_t *reset_sids;
  size_t reset_n;
  uint32_t last_resp_result;

  /* the cookie we echo, kept for T1-cookie retransmissions */
  uint8_t cookie[400];
  size_t cookie_len;
  size_t rtx_count; /* chunks marked for retransmission */
  size_t gap_acked; /* chunks acknowledged by a gap block */

  /* output */
  struct ctl_pkt *cq_head, *cq_tail;
  struct ev_node *eq_head, *eq_tail;
  uint8_t *last_ev;

  struct rtg_sctp_stats st;
};

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

static void *zalloc(struct rtg_sctp_assoc *a, size_t n) { return rtg_alloc(&a->ctx, n); }

static int push_event(struct rtg_sctp_assoc *a, const struct rtg_sctp_event *ev, uint8_t *owned) {
  struct ev_node *n = zalloc(a, sizeof *n);
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

static int simple_event(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type t, uint16_t sid,
                        int error) {
  struct rtg_sctp_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = t;
  ev.sid = sid;
  ev.error = error;
  return push_event(a, &ev, NULL);
}

static struct stream *stream_get(struct rtg_sctp_assoc *a, uint16_t sid) {
  if ((size_t)sid >= a->nstreams) {
    size_t n = a->nstreams ? a->nstreams : 16;
    struct stream *s;
    while (n <= sid) n *= 2;
    if (n > 65536) n = 65536;
    s = zalloc(a, n * sizeof *s);
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
static uint8_t *block_get(struct rtg_sctp_assoc *a) {
  if (a->pool_n) return a->pool[--a->pool_n];
  return zalloc(a, a->cfg.mtu);
}

static void block_put(struct rtg_sctp_assoc *a, uint8_t *b) {
  if (a->pool_n == a->pool_cap) {
    size_t nc = a->pool_cap ? a->pool_cap * 2 : 64;
    uint8_t **np;
    if (nc > 8192) {
      rtg_free(&a->ctx, b);
      return;
    }
    np = zalloc(a, nc * sizeof *np);
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

static void msg_unref(struct rtg_sctp_assoc *a, struct out_msg *m) {
  if (--m->refs == 0) rtg_free(&a->ctx, m);
}

static void buffered_sub(struct rtg_sctp_assoc *a, uint16_t sid, size_t n) {
  struct stream *s = sid < a->nstreams ? &a->streams[sid] : NULL;
  uint32_t before;
  if (s == NULL) return;
  before = s->buffered;
  s->buffered = n > s->buffered ? 0 : s->buffered - (uint32_t)n;
  if (before > s->low && s->buffered <= s->low)
    (void)simple_event(a, RTG_SCTP_EV_BUFFERED_LOW, sid, 0);
}

static struct txc *tx_at(struct rtg_sctp_assoc *a, size_t i) {
  return &a->tx[(a->tx_head + i) & (a->tx_cap - 1)];
}

static int tx_push(struct rtg_sctp_assoc *a, const struct txc *c) {
  if (a->tx_n == a->tx_cap) {
    size_t nc = a->tx_cap ? a->tx_cap * 2 : 256;
    struct txc *n = zalloc(a, nc * sizeof *n);
    if (n == NULL) return RTG_ERR_NOMEM;
    for (size_t i = 0; i < a->tx_n; i++) n[i] = *tx_at(a, i);
    rtg_free(&a->ctx, a->tx);
    a->tx = n;
    a->tx_cap = nc;
    a->tx_head = 0;
  }
  *tx_at(a, a->tx_n) = *c;
  a->tx_n++;
  return 0;
}

/* ---- RTO (RFC 9260 §6.3.1) ------------------------------------------------ */

static rtg_time clamp_rto(const struct rtg_sctp_assoc *a, rtg_time r) {
  if (r < a->cfg.rto_min) r = a->cfg.rto_min;
  if (r > a->cfg.rto_max) r = a->cfg.rto_max;
  return r;
}

static void rtt_sample(struct rtg_sctp_assoc *a, rtg_time r) {
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
  a->rto = clamp_rto(a, a->srtt + (4 * a->rttvar > RTG_MS(1) ? 4 * a->rttvar : RTG_MS(1)));
}

static void rto_backoff(struct rtg_sctp_assoc *a) { a->rto = clamp_rto(a, a->rto * 2); }

/* ---- packet building ------------------------------------------------------ */

/* Callers own buffers of at least a header: nothing here can fail. */
static void hdr_init(struct rtg_sctp_assoc *a, struct rtg_wr *wr, uint8_t *buf, size_t cap,
                     uint32_t vtag) {
  rtg_store_u16(buf, a->cfg.local_port);
  rtg_store_u16(buf + 2, a->cfg.remote_port);
  rtg_store_u32(buf + 4, vtag);
  rtg_store_u32(buf + 8, 0);
  rtg_wr_init(wr, buf, cap);
  wr->p += RTG_SCTP_HDR_LEN;
}

static void seal(uint8_t *buf, size_t len, bool zero_checksum) {
  uint32_t crc = zero_checksum ? 0 : rtg_sctp_checksum(buf, len);
  buf[8] = (uint8_t)crc;
  buf[9] = (uint8_t)(crc >> 8);
  buf[10] = (uint8_t)(crc >> 16);
  buf[11] = (uint8_t)(crc >> 24);
}

static int ctl_queue(struct rtg_sctp_assoc *a, const uint8_t *buf, size_t len) {
  struct ctl_pkt *p = zalloc(a, sizeof *p + len);
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
static int ctl_chunk(struct rtg_sctp_assoc *a, uint32_t vtag, uint8_t type, uint8_t flags,
                     const void *value, size_t len) {
  uint8_t buf[256];
  struct rtg_wr wr;
  if (len > sizeof buf - 16) return RTG_ERR_INVAL;
  hdr_init(a, &wr, buf, sizeof buf, vtag);
  if (rtg_sctp_chunk_write(&wr, type, flags, value, len)) return RTG_ERR_NOBUF;
  seal(buf, rtg_wr_len(&wr), false);
  return ctl_queue(a, buf, rtg_wr_len(&wr));
}

static int init_params(struct rtg_sctp_assoc *a, struct rtg_wr *wr) {
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

static int send_init(struct rtg_sctp_assoc *a) {
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
  if (init_params(a, &pw)) return RTG_ERR_NOBUF;
  hdr_init(a, &wr, buf, sizeof buf, 0);
  if (rtg_sctp_init_write(&wr, RTG_SCTP_INIT, &in, params, rtg_wr_len(&pw))) return RTG_ERR_NOBUF;
  seal(buf, rtg_wr_len(&wr), false);
  return ctl_queue(a, buf, rtg_wr_len(&wr));
}

/* ---- state cookie (RFC 9260 §5.1.3) --------------------------------------
 * Our own layout, authenticated with HMAC-SHA256 under a per-association
 * random secret:
 *   0 created (u64, caller's monotonic ns)   8 peer tag     12 peer TSN
 *  16 peer a_rwnd  20 peer OS  22 peer MIS   24 our tag     28 our TSN
 *  32 flags (1 forward-tsn, 2 reconfig, 4 zero checksum)   36 reserved
 *  48 HMAC (32 bytes) over bytes 0..47 */
struct cookie {
  rtg_time created;
  uint32_t peer_tag, peer_tsn, peer_rwnd;
  uint16_t peer_os, peer_mis;
  uint32_t my_tag, my_tsn, flags;
};

static int cookie_make(struct rtg_sctp_assoc *a, const struct cookie *c, uint8_t *out) {
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
static int cookie_check(struct rtg_sctp_assoc *a, struct rtg_slice s, struct cookie *c) {
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

/* ---- establishing --------------------------------------------------------- */

static void cc_init(struct rtg_sctp_assoc *a) {
  uint32_t mtu = (uint32_t)a->cfg.mtu;
  /* §7.2.1: min(4*MTU, max(2*MTU, 4404)) */
  uint32_t w = 2 * mtu > 4404 ? 2 * mtu : 4404;
  a->cwnd = 4 * mtu < w ? 4 * mtu : w;
  a->ssthresh = a->peer_rwnd;
  a->pba = 0;
  a->flight = 0;
}

static void enter_established(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type ev) {
  a->state = RTG_SCTP_ESTABLISHED;
  a->mid_mask = a->idata ? 0xffffffffu : 0xffffu;
  a->dhdr = a->idata ? 20 : 16;
  a->t1 = RTG_TIME_NEVER;
  a->init_tries = 0;
  a->error_count = 0;
  a->next_tsn = a->my_init_tsn;
  a->cum_ack = a->my_init_tsn - 1;
  a->adv_peer_ack = a->cum_ack;
  a->peer_cum = a->peer_init_tsn - 1;
  /* RFC 6525 §5.1.1: request sequence numbers start at the initial TSN */
  a->reconf_seq_out = a->my_init_tsn;
  a->reconf_seq_in = a->peer_init_tsn;
  cc_init(a);
  if (a->cfg.heartbeat_interval != RTG_TIME_NEVER) a->t_hb = a->now + a->cfg.heartbeat_interval;
  (void)simple_event(a, ev, 0, 0);
}

static void peer_from_init(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in) {
  a->peer_vtag = in->init_tag;
  a->peer_init_tsn = in->initial_tsn;
  a->peer_rwnd = in->a_rwnd;
  a->peer_os = in->os;
  a->peer_mis = in->mis;
  a->peer_fwd_tsn = in->forward_tsn;
  a->peer_reconfig = in->reconfig;
  a->zero_cs_peer = in->zero_checksum && in->edmid == 1;
  a->idata = a->cfg.idata && in->idata;
}

/* Closes everything down and reports |ev|. */
static void enter_closed(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type ev, int error) {
  a->state = RTG_SCTP_CLOSED;
  a->t1 = a->t2 = a->t3 = a->t_ack = a->t_hb = a->t_reconf = RTG_TIME_NEVER;
  (void)simple_event(a, ev, 0, error);
}

static int send_abort(struct rtg_sctp_assoc *a, uint16_t cause, const char *reason) {
  uint8_t v[128];
  struct rtg_wr wr;
  size_t n = reason ? strlen(reason) : 0;
  if (n > 64) n = 64;
  rtg_wr_init(&wr, v, sizeof v);
  if (rtg_sctp_tlv_write(&wr, cause, reason, n)) return RTG_ERR_NOBUF;
  return ctl_chunk(a, a->peer_vtag, RTG_SCTP_ABORT, 0, v, rtg_wr_len(&wr));
}

static bool init_param_known(uint16_t t) {
  switch (t) {
    case RTG_SCTP_P_IPV4:
    case RTG_SCTP_P_IPV6:
    case RTG_SCTP_P_STATE_COOKIE:
    case RTG_SCTP_P_COOKIE_PRESERVATIVE:
    case RTG_SCTP_P_HOSTNAME:
    case RTG_SCTP_P_ADDRESS_TYPES:
    case RTG_SCTP_P_ECN_CAPABLE:
    case RTG_SCTP_P_ZERO_CHECKSUM:
    case RTG_SCTP_P_RANDOM:
    case RTG_SCTP_P_CHUNK_LIST:
    case RTG_SCTP_P_HMAC_ALGO:
    case RTG_SCTP_P_PADDING:
    case RTG_SCTP_P_SUPPORTED_EXT:
    case RTG_SCTP_P_FORWARD_TSN_SUPPORTED:
    case RTG_SCTP_P_ADAPTATION: return true;
    default: return false;
  }
}

/* RFC 9260 §3.2.1: unrecognized INIT parameters whose type has the 0x4000
 * bit set are returned in an Unrecognized Parameter of the INIT ACK; a
 * clear 0x8000 bit ends the walk. Writes them into |wr|. */
static void report_unrecognized(const struct rtg_sctp_init *in, struct rtg_wr *wr) {
  struct rtg_rd rd;
  struct rtg_sctp_tlv t;
  rtg_rd_init(&rd, in->params.p, in->params.len);
  while (rtg_sctp_tlv_next(&rd, &t, "sctp.param", NULL) == 1) {
    struct rtg_wr w = *wr;
    size_t m;
    if (init_param_known(t.type)) continue;
    if ((t.type & 0x4000) && rtg_wr_left(wr) >= 8 + (size_t)t.length + 3 &&
        rtg_sctp_tlv_begin(&w, RTG_SCTP_P_UNRECOGNIZED, &m) == 0 &&
        rtg_wr_bytes(&w, t.value.p - 4, t.length) == 0 && rtg_sctp_tlv_end(&w, m) == 0)
      *wr = w;
    if (!(t.type & 0x8000)) break;
  }
}

static int on_init(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in) {
  uint8_t buf[768], params[400], ck[COOKIE_LEN + COOKIE_MAC];
  struct rtg_wr wr, pw;
  struct rtg_sctp_init ack;
  struct cookie c;
  uint32_t tag, tsn;
  int rc;
  switch (a->state) {
    case RTG_SCTP_CLOSED:
      /* A fresh tag and TSN, kept only in the cookie (stateless, §5.1.3). */
      if (rtg_random(&a->ctx, &tag, 4) || rtg_random(&a->ctx, &tsn, 4)) return RTG_ERR_CRYPTO;
      if (tag == 0) tag = 1;
      break;
    case RTG_SCTP_COOKIE_WAIT:
    case RTG_SCTP_COOKIE_ECHOED:
      /* §5.2.1 INIT collision: answer with the parameters of our own INIT. */
      tag = a->my_vtag;
      tsn = a->my_init_tsn;
      break;
    case RTG_SCTP_SHUTDOWN_ACK_SENT: return 0;
    default:
      /* §5.2.2: unexpected INIT in an established state: a restart would
       * come with new tags; we keep ours (restarts are not supported). */
      tag = a->my_vtag;
      tsn = a->my_init_tsn;
      break;
  }
  memset(&c, 0, sizeof c);
  c.created = a->now;
  c.peer_tag = in->init_tag;
  c.peer_tsn = in->initial_tsn;
  c.peer_rwnd = in->a_rwnd;
  c.peer_os = in->os;
  c.peer_mis = in->mis;
  c.my_tag = tag;
  c.my_tsn = tsn;
  c.flags = (in->forward_tsn ? 1u : 0u) | (in->reconfig ? 2u : 0u) |
            (in->zero_checksum && in->edmid == 1 ? 4u : 0u) | (in->idata ? 8u : 0u);
  if ((rc = cookie_make(a, &c, ck))) return rc;
  rtg_wr_init(&pw, params, sizeof params);
  if (init_params(a, &pw) || rtg_sctp_tlv_write(&pw, RTG_SCTP_P_STATE_COOKIE, ck, sizeof ck))
    return RTG_ERR_NOBUF;
  report_unrecognized(in, &pw);
  memset(&ack, 0, sizeof ack);
  ack.init_tag = tag;
  ack.a_rwnd = a->cfg.rwnd;
  ack.os = a->cfg.streams;
  ack.mis = a->cfg.streams;
  ack.initial_tsn = tsn;
  hdr_init(a, &wr, buf, sizeof buf, in->init_tag);
  if (rtg_sctp_init_write(&wr, RTG_SCTP_INIT_ACK, &ack, params, rtg_wr_len(&pw)))
    return RTG_ERR_NOBUF;
  seal(buf, rtg_wr_len(&wr), false);
  return ctl_queue(a, buf, rtg_wr_len(&wr));
}

static int send_cookie_echo(struct rtg_sctp_assoc *a, struct rtg_slice cookie) {
  uint8_t buf[512];
  struct rtg_wr wr;
  if (cookie.len > 400) return RTG_ERR_INVAL;
  hdr_init(a, &wr, buf, sizeof buf, a->peer_vtag);
  if (rtg_sctp_chunk_write(&wr, RTG_SCTP_COOKIE_ECHO, 0, cookie.p, cookie.len))
    return RTG_ERR_NOBUF;
  seal(buf, rtg_wr_len(&wr), false);
  return ctl_queue(a, buf, rtg_wr_len(&wr));
}

static int on_init_ack(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in) {
  if (a->state != RTG_SCTP_COOKIE_WAIT) return 0; /* §5.2.3: discard */
  if (in->cookie.len > sizeof a->cookie) return RTG_ERR_PARSE;
  peer_from_init(a, in);
  memcpy(a->cookie, in->cookie.p, in->cookie.len);
  a->cookie_len = in->cookie.len;
  a->state = RTG_SCTP_COOKIE_ECHOED;
  a->init_tries = 0;
  a->t1 = a->now + a->rto;
  return send_cookie_echo(a, in->cookie);
}

/* Forgets everything queued, in flight or being reassembled (restart). */
static void drop_data_state(struct rtg_sctp_assoc *a) {
  while (a->sq_head) {
    struct out_msg *m = a->sq_head;
    a->sq_head = m->next;
    msg_unref(a, m);
  }
  a->sq_tail = NULL;
  for (size_t i = 0; i < a->tx_n; i++) msg_unref(a, tx_at(a, i)->m);
  a->tx_n = a->tx_head = 0;
  for (size_t i = 0; i < a->rx_n; i++) rtg_free(&a->ctx, a->rx[i].data);
  a->rx_n = 0;
  while (a->pending) {
    struct in_msg *m = a->pending;
    a->pending = m->next;
    rtg_free(&a->ctx, m->data);
    rtg_free(&a->ctx, m);
  }
  a->rx_bytes = 0;
  a->ngaps = a->ndups = 0;
  a->rtx_count = a->gap_acked = 0;
  a->reset_n = 0;
  a->send_fwd_tsn = a->fast_recovery = a->sack_now = false;
  a->unacked_packets = 0;
  a->t3 = a->t_ack = a->t_reconf = RTG_TIME_NEVER;
  for (size_t i = 0; i < a->nstreams; i++) {
    struct stream *st = &a->streams[i];
    st->mid_out = st->umid_out = st->mid_in = 0;
    st->buffered = 0;
    st->reset_pending = st->resetting = false;
  }
  a->have_rtt = false;
  a->rto = clamp_rto(a, a->cfg.rto_initial);
}

static int on_cookie_echo(struct rtg_sctp_assoc *a, uint32_t vtag, struct rtg_slice s) {
  struct cookie c;
  bool restart = false;
  int rc = cookie_check(a, s, &c);
  if (rc == RTG_ERR_TIMEOUT) {
    /* §5.2.6: Stale Cookie Error with the staleness in microseconds */
    uint8_t v[8];
    rtg_time st = (a->now - c.created - a->cfg.cookie_lifetime) / 1000;
    rtg_store_u16(v, RTG_SCTP_C_STALE_COOKIE);
    rtg_store_u16(v + 2, 8);
    rtg_store_u32(v + 4, (uint32_t)(st > 0 ? st : 0));
    return ctl_chunk(a, c.peer_tag, RTG_SCTP_ERROR, 0, v, sizeof v);
  }
  if (rc) return rc;
  if (vtag != c.my_tag) return RTG_ERR_AUTH; /* §8.5: must be our tag */
  switch (a->state) {
    case RTG_SCTP_CLOSED:
      drop_data_state(a); /* whatever an earlier association left behind */
      a->my_vtag = c.my_tag;
      a->my_init_tsn = c.my_tsn;
      break;
    case RTG_SCTP_COOKIE_WAIT:
    case RTG_SCTP_COOKIE_ECHOED:
      /* §5.2.4 case B (INIT collision): our tag matches */
      if (c.my_tag != a->my_vtag) return 0;
      break;
    default:
      /* §5.2.4 case D: both tags match - only the COOKIE ACK went missing */
      if (c.my_tag == a->my_vtag && c.peer_tag == a->peer_vtag)
        return ctl_chunk(a, a->peer_vtag, RTG_SCTP_COOKIE_ACK, 0, NULL, 0);
      /* §5.2.4 case A: the peer restarted (a new tag of its own, answered
       * by our INIT ACK while established). Everything in flight belongs
       * to the old association and is dropped. */
      if (a->state != RTG_SCTP_ESTABLISHED || c.my_tag != a->my_vtag) return 0;
      drop_data_state(a);
      restart = true;
      break;
  }
  a->peer_vtag = c.peer_tag;
  a->peer_init_tsn = c.peer_tsn;
  a->peer_rwnd = c.peer_rwnd;
  a->peer_os = c.peer_os;
  a->peer_mis = c.peer_mis;
  a->peer_fwd_tsn = (c.flags & 1) != 0;
  a->peer_reconfig = (c.flags & 2) != 0;
  a->zero_cs_peer = (c.flags & 4) != 0;
  a->idata = a->cfg.idata && (c.flags & 8) != 0;
  enter_established(a, restart ? RTG_SCTP_EV_RESTARTED : RTG_SCTP_EV_CONNECTED);
  return ctl_chunk(a, a->peer_vtag, RTG_SCTP_COOKIE_ACK, 0, NULL, 0);
}

/* ---- receiving DATA ------------------------------------------------------- */

static bool tsn_seen(const struct rtg_sctp_assoc *a, uint32_t tsn) {
  if (tsn_le(tsn, a->peer_cum)) return true;
  for (size_t i = 0; i < a->ngaps; i++)
    if (tsn_le(a->gaps[i].start, tsn) && tsn_le(tsn, a->gaps[i].end)) return true;
  return false;
}

/* Records |tsn| as received; false if the gap list is full. */
static bool tsn_mark(struct rtg_sctp_assoc *a, uint32_t tsn) {
  size_t i;
  if (tsn == a->peer_cum + 1) {
    a->peer_cum = tsn;
  } else {
    for (i = 0; i < a->ngaps && tsn_lt(a->gaps[i].end + 1, tsn); i++) continue;
    if (i < a->ngaps && a->gaps[i].end + 1 == tsn) {
      a->gaps[i].end = tsn;
      if (i + 1 < a->ngaps && a->gaps[i + 1].start == tsn + 1) {
        a->gaps[i].end = a->gaps[i + 1].end;
        memmove(&a->gaps[i + 1], &a->gaps[i + 2], (a->ngaps - i - 2) * sizeof a->gaps[0]);
        a->ngaps--;
      }
    } else if (i < a->ngaps && a->gaps[i].start == tsn + 1) {
      a->gaps[i].start = tsn;
    } else {
      if (a->ngaps == MAX_GAPS) return false;
      memmove(&a->gaps[i + 1], &a->gaps[i], (a->ngaps - i) * sizeof a->gaps[0]);
      a->gaps[i].start = a->gaps[i].end = tsn;
      a->ngaps++;
    }
  }
  /* the cumulative point swallows a gap block that now touches it */
  while (a->ngaps && tsn_le(a->gaps[0].start, a->peer_cum + 1)) {
    if (tsn_lt(a->peer_cum, a->gaps[0].end)) a->peer_cum = a->gaps[0].end;
    memmove(&a->gaps[0], &a->gaps[1], (a->ngaps - 1) * sizeof a->gaps[0]);
    a->ngaps--;
  }
  return true;
}

static int deliver(struct rtg_sctp_assoc *a, uint16_t sid, uint32_t ppid, bool unordered,
                   uint8_t *data, size_t len) {
  struct rtg_sctp_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = RTG_SCTP_EV_MESSAGE;
  ev.sid = sid;
  ev.ppid = ppid;
  ev.unordered = unordered;
  ev.data = data;
  ev.len = len;
  return push_event(a, &ev, data);
}

static bool mid_le(const struct rtg_sctp_assoc *a, uint32_t x, uint32_t y) {
  return a->idata ? mid32_le(x, y) : ssn_le((uint16_t)x, (uint16_t)y);
}

static uint32_t mid_next(const struct rtg_sctp_assoc *a, uint32_t m) {
  return (m + 1) & a->mid_mask;
}

/* Delivers queued ordered messages of |sid| that are now in sequence. */
static int deliver_pending(struct rtg_sctp_assoc *a, uint16_t sid) {
  struct stream *s = &a->streams[sid];
  bool again = true;
  while (again) {
    struct in_msg **pp = &a->pending;
    again = false;
    while (*pp) {
      struct in_msg *m = *pp;
      if (m->sid == sid && m->mid == s->mid_in) {
        int rc;
        *pp = m->next;
        s->mid_in = mid_next(a, s->mid_in);
        a->rx_bytes -= m->len;
        /* a NULL message stands for one dropped as too large */
        rc = m->data ? deliver(a, sid, m->ppid, false, m->data, m->len) : 0;
        rtg_free(&a->ctx, m);
        if (rc) return rc;
        again = true;
        break;
      }
      pp = &m->next;
    }
  }
  return 0;
}

/* Releases one received fragment's bytes (the entry stays). */
static void rx_release(struct rtg_sctp_assoc *a, struct rxf *f) {
  a->rx_bytes -= f->len;
  if (f->pooled)
    block_put(a, f->data);
  else
    rtg_free(&a->ctx, f->data);
  f->data = NULL;
}

/* Frees the fragments rx[lo..hi) and closes the hole. */
static void rx_remove(struct rtg_sctp_assoc *a, size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; i++) rx_release(a, &a->rx[i]);
  memmove(&a->rx[lo], &a->rx[hi], (a->rx_n - hi) * sizeof a->rx[0]);
  a->rx_n -= hi - lo;
}

/* Hands a reassembled message on: delivered now, queued behind an earlier
 * ordered message, or (|buf| NULL: dropped as too large) just counted in
 * the ordered sequence. */
static int complete(struct rtg_sctp_assoc *a, uint16_t sid, bool unordered, uint32_t mid,
                    uint32_t ppid, uint8_t *buf, size_t total) {
  struct stream *s = stream_get(a, sid);
  struct in_msg *m;
  int rc;
  if (s == NULL) {
    rtg_free(&a->ctx, buf);
    return RTG_ERR_NOMEM;
  }
  if (unordered) return buf ? deliver(a, sid, ppid, true, buf, total) : 0;
  if (mid == s->mid_in) {
    s->mid_in = mid_next(a, s->mid_in);
    if (buf && (rc = deliver(a, sid, ppid, false, buf, total))) return rc;
    return a->pending ? deliver_pending(a, sid) : 0;
  }
  if (mid_le(a, mid, s->mid_in - 1)) {
    rtg_free(&a->ctx, buf); /* skipped by FORWARD-TSN */
    return 0;
  }
  m = zalloc(a, sizeof *m);
  if (m == NULL) {
    rtg_free(&a->ctx, buf);
    return RTG_ERR_NOMEM;
  }
  m->sid = sid;
  m->mid = mid;
  m->ppid = ppid;
  m->len = total;
  m->data = buf; /* NULL: a dropped message keeps its place */
  m->next = a->pending;
  a->pending = m;
  a->rx_bytes += total;
  return 0;
}

/* Copies the fragments |idx[0..n)| (in order) into one buffer and removes
 * them; |*buf| is NULL when the message exceeds max_message_size
 * (RFC 8841 §6: larger than announced - dropped, its place skipped). */
static int gather(struct rtg_sctp_assoc *a, const size_t *idx, size_t n, uint8_t **buf,
                  size_t *total) {
  size_t t = 0, w = 0;
  for (size_t k = 0; k < n; k++) t += a->rx[idx[k]].len;
  *buf = NULL;
  if (t > a->cfg.max_message_size) {
    a->st.oversize_dropped++;
    t = 0;
  } else if ((*buf = zalloc(a, t ? t : 1)) == NULL) {
    return RTG_ERR_NOMEM;
  }
  *total = t;
  t = 0;
  for (size_t k = 0; k < n; k++) {
    struct rxf *f = &a->rx[idx[k]];
    if (*buf) memcpy(*buf + t, f->data, f->len);
    t += f->len;
    rx_release(a, f);
  }
  /* close the holes (the indexes are increasing) */
  for (size_t r = 0; r < a->rx_n; r++)
    if (a->rx[r].data != NULL) a->rx[w++] = a->rx[r];
  a->rx_n = w;
  return 0;
}

/* DATA: the fragments of one message carry consecutive TSNs (§6.9). */
static int reassemble_data(struct rtg_sctp_assoc *a, size_t i) {
  size_t lo = i, hi = i, total, *idx;
  uint16_t sid = a->rx[i].sid;
  uint32_t mid = a->rx[i].mid, ppid;
  bool unordered = (a->rx[i].flags & RTG_SCTP_DATA_UNORDERED) != 0;
  uint8_t *buf;
  int rc;
  while (!(a->rx[lo].flags & RTG_SCTP_DATA_BEGIN)) {
    if (lo == 0 || a->rx[lo - 1].tsn != a->rx[lo].tsn - 1 || a->rx[lo - 1].sid != sid) return 0;
    lo--;
  }
  while (!(a->rx[hi].flags & RTG_SCTP_DATA_END)) {
    if (hi + 1 >= a->rx_n || a->rx[hi + 1].tsn != a->rx[hi].tsn + 1 || a->rx[hi + 1].sid != sid ||
        (a->rx[hi + 1].flags & RTG_SCTP_DATA_BEGIN))
      return 0;
    hi++;
  }
  ppid = a->rx[lo].ppid;
  mid = a->rx[lo].mid;
  if ((idx = zalloc(a, (hi - lo + 1) * sizeof *idx)) == NULL) return RTG_ERR_NOMEM;
  for (size_t k = lo; k <= hi; k++) idx[k - lo] = k;
  rc = gather(a, idx, hi - lo + 1, &buf, &total);
  rtg_free(&a->ctx, idx);
  if (rc) return rc;
  return complete(a, sid, unordered, mid, ppid, buf, total);
}

/* I-DATA (RFC 8260 §2.1): fragments of a message share (stream, U, MID)
 * and are numbered by FSN; other messages may interleave between them. */
static int reassemble_idata(struct rtg_sctp_assoc *a, size_t i) {
  const struct rxf *f = &a->rx[i];
  uint16_t sid = f->sid;
  uint32_t mid = f->mid, ppid = 0, last = UINT32_MAX;
  uint8_t u = f->flags & RTG_SCTP_DATA_UNORDERED;
  size_t n = 0, total, *idx;
  uint8_t *buf;
  int rc;
  for (size_t k = 0; k < a->rx_n; k++) {
    const struct rxf *g = &a->rx[k];
    if (g->sid != sid || g->mid != mid || (g->flags & RTG_SCTP_DATA_UNORDERED) != u) continue;
    if (g->flags & RTG_SCTP_DATA_END) last = g->fsn;
    if (g->flags & RTG_SCTP_DATA_BEGIN) ppid = g->ppid;
    n++;
  }
  if (last == UINT32_MAX || n != (size_t)last + 1) return 0;
  if ((idx = zalloc(a, n * sizeof *idx)) == NULL) return RTG_ERR_NOMEM;
  n = 0;
  for (size_t k = 0; k < a->rx_n; k++) {
    const struct rxf *g = &a->rx[k];
    if (g->sid != sid || g->mid != mid || (g->flags & RTG_SCTP_DATA_UNORDERED) != u) continue;
    /* TSN order is FSN order for one message; a gap in FSNs is broken */
    if (g->fsn != n || (n == 0) != ((g->flags & RTG_SCTP_DATA_BEGIN) != 0)) {
      rtg_free(&a->ctx, idx);
      return 0;
    }
    idx[n++] = k;
  }
  rc = gather(a, idx, n, &buf, &total);
  rtg_free(&a->ctx, idx);
  if (rc) return rc;
  return complete(a, sid, u != 0, mid, ppid, buf, total);
}

static int reassemble(struct rtg_sctp_assoc *a, size_t i) {
  return a->idata ? reassemble_idata(a, i) : reassemble_data(a, i);
}

static uint32_t my_rwnd(const struct rtg_sctp_assoc *a) {
  return a->rx_bytes >= a->cfg.rwnd ? 0 : a->cfg.rwnd - (uint32_t)a->rx_bytes;
}

static int on_data(struct rtg_sctp_assoc *a, const struct rtg_sctp_data *d) {
  size_t i;
  struct rxf *f;
  if (d->immediate) a->sack_now = true;
  if (tsn_seen(a, d->tsn)) {
    if (a->ndups < MAX_DUPS) a->dups[a->ndups++] = d->tsn;
    a->st.dup_tsns_received++;
    a->sack_now = true;
    return 0;
  }
  /* §6.2: drop what does not fit the window (the peer retransmits it) */
  if (a->rx_bytes + d->payload.len > a->cfg.rwnd || d->tsn - a->peer_cum > 65535 * 4) {
    a->sack_now = true;
    return 0;
  }
  if (d->sid >= a->cfg.streams) {
    /* §6.5: invalid stream - acknowledge, drop and report */
    uint8_t v[8];
    if (!tsn_mark(a, d->tsn)) return 0;
    rtg_store_u16(v, RTG_SCTP_C_INVALID_STREAM);
    rtg_store_u16(v + 2, 8);
    rtg_store_u16(v + 4, d->sid);
    rtg_store_u16(v + 6, 0);
    a->sack_now = true;
    return ctl_chunk(a, a->peer_vtag, RTG_SCTP_ERROR, 0, v, sizeof v);
  }
  if (a->rx_n == a->rx_cap) {
    size_t nc = a->rx_cap ? a->rx_cap * 2 : 256;
    struct rxf *n = zalloc(a, nc * sizeof *n);
    if (n == NULL) return RTG_ERR_NOMEM;
    if (a->rx_n) memcpy(n, a->rx, a->rx_n * sizeof *n);
    rtg_free(&a->ctx, a->rx);
    a->rx = n;
    a->rx_cap = nc;
  }
  if (!tsn_mark(a, d->tsn)) return 0; /* too fragmented: drop, peer resends */
  if (a->ngaps) a->sack_now = true;   /* §6.7: report gaps at once */
  /* sorted by TSN; arrivals are nearly always in order */
  i = a->rx_n;
  while (i > 0 && tsn_lt(d->tsn, a->rx[i - 1].tsn)) i--;
  memmove(&a->rx[i + 1], &a->rx[i], (a->rx_n - i) * sizeof a->rx[0]);
  f = &a->rx[i];
  f->tsn = d->tsn;
  f->sid = d->sid;
  f->mid = d->idata ? d->mid : d->ssn;
  f->fsn = d->fsn;
  f->ppid = d->ppid;
  f->flags = (uint8_t)((d->begin ? RTG_SCTP_DATA_BEGIN : 0) | (d->end ? RTG_SCTP_DATA_END : 0) |
                       (d->unordered ? RTG_SCTP_DATA_UNORDERED : 0));
  f->len = (uint16_t)d->payload.len;
  /* the peer's packets may be larger than ours (its own MTU) */
  f->pooled = d->payload.len <= a->cfg.mtu;
  f->data = f->pooled ? block_get(a) : zalloc(a, d->payload.len);
  if (f->data == NULL) {
    memmove(&a->rx[i], &a->rx[i + 1], (a->rx_n - i) * sizeof a->rx[0]);
    return RTG_ERR_NOMEM;
  }
  memcpy(f->data, d->payload.p, d->payload.len);
  a->rx_n++;
  a->rx_bytes += d->payload.len;
  return reassemble(a, i);
}

static int on_forward_tsn(struct rtg_sctp_assoc *a, const struct rtg_sctp_fwd_tsn *f) {
  size_t k = 0;
  a->sack_now = true;
  /* the variant must match what was negotiated (RFC 8260 §2.3) */
  if (f->i_forward != a->idata || !tsn_lt(a->peer_cum, f->new_cum_tsn)) return 0;
  /* RFC 3758 §3.6: everything up to the new cumulative TSN counts as
   * received; its fragments will never complete. */
  a->peer_cum = f->new_cum_tsn;
  while (a->ngaps && tsn_le(a->gaps[0].start, a->peer_cum + 1)) {
    if (tsn_lt(a->peer_cum, a->gaps[0].end)) a->peer_cum = a->gaps[0].end;
    memmove(&a->gaps[0], &a->gaps[1], (a->ngaps - 1) * sizeof a->gaps[0]);
    a->ngaps--;
  }
  while (k < a->rx_n && tsn_le(a->rx[k].tsn, f->new_cum_tsn)) k++;
  if (k) rx_remove(a, 0, k);
  for (size_t i = 0; i < f->nentries; i++) {
    uint16_t sid;
    bool u;
    uint32_t mid;
    struct stream *s;
    struct in_msg **pp;
    rtg_sctp_fwd_entry(f, i, &sid, &u, &mid);
    if ((s = stream_get(a, sid)) == NULL) return RTG_ERR_NOMEM;
    if (u) {
      /* I-FORWARD-TSN on an unordered message: drop its fragments */
      size_t w = 0;
      for (size_t r = 0; r < a->rx_n; r++) {
        struct rxf *g = &a->rx[r];
        if (g->sid == sid && g->mid == mid && (g->flags & RTG_SCTP_DATA_UNORDERED)) {
          rx_release(a, g);
        } else {
          a->rx[w++] = *g;
        }
      }
      a->rx_n = w;
      continue;
    }
    if (mid_le(a, s->mid_in, mid)) s->mid_in = mid_next(a, mid);
    /* drop queued messages that the skip made obsolete */
    pp = &a->pending;
    while (*pp) {
      struct in_msg *m = *pp;
      if (m->sid == sid && mid_le(a, m->mid, mid)) {
        *pp = m->next;
        a->rx_bytes -= m->len;
        rtg_free(&a->ctx, m->data);
        rtg_free(&a->ctx, m);
      } else {
        pp = &m->next;
      }
    }
    if (deliver_pending(a, sid)) return RTG_ERR_NOMEM;
  }
  return 0;
}

/* ---- SACK processing (RFC 9260 §6.2.1, §7.2) ------------------------------ */

static void chunk_done(struct rtg_sctp_assoc *a, struct txc *c) {
  if (c->in_flight) {
    uint32_t n = (uint32_t)c->len + a->dhdr;
    a->flight = n < a->flight ? a->flight - n : 0;
    c->in_flight = false;
  }
}

static void abandon_msg(struct rtg_sctp_assoc *a, struct out_msg *m) {
  if (m->abandoned) return;
  m->abandoned = true;
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = tx_at(a, i);
    if (c->m == m && !c->acked && !c->abandoned) {
      chunk_done(a, c);
      buffered_sub(a, m->sid, c->len);
      c->abandoned = true;
      if (c->rtx) a->rtx_count--;
      c->rtx = false;
    }
  }
  /* the part never cut into chunks is dropped with the message */
  if (m->cut < m->len) {
    buffered_sub(a, m->sid, m->len - m->cut);
    if (m->cut > 0) {
      /* The receiver holds the first fragments and waits for the rest: an
       * abandoned, never-sent placeholder TSN lets FORWARD-TSN cover the
       * message (and name its SSN) so the receiver can drop it. */
      struct txc c;
      memset(&c, 0, sizeof c);
      c.tsn = a->next_tsn;
      c.fsn = m->nfrag++;
      c.m = m;
      c.off = (uint32_t)m->cut;
      c.flags = RTG_SCTP_DATA_END;
      c.abandoned = true;
      if (tx_push(a, &c) == 0) {
        a->next_tsn++;
        m->refs++;
      }
    }
    m->cut = m->len;
  }
}

/* RFC 3758 §3.5 C1-C3: move the advanced peer ack point over abandoned
 * chunks and decide whether a FORWARD-TSN is due. */
static void advance_peer_ack(struct rtg_sctp_assoc *a) {
  if (tsn_lt(a->adv_peer_ack, a->cum_ack)) a->adv_peer_ack = a->cum_ack;
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = tx_at(a, i);
    if (c->tsn != a->adv_peer_ack + 1) {
      if (tsn_le(c->tsn, a->adv_peer_ack)) continue;
      break;
    }
    if (!c->abandoned) break;
    a->adv_peer_ack = c->tsn;
  }
  if (tsn_lt(a->cum_ack, a->adv_peer_ack) && a->peer_fwd_tsn) a->send_fwd_tsn = true;
}

static void on_sack(struct rtg_sctp_assoc *a, const struct rtg_sctp_sack *s) {
  uint32_t acked = 0, highest_newly = a->cum_ack;
  bool cum_moved = false, full = a->flight >= a->cwnd;
  rtg_time rtt = -1;
  /* §6.2.1 D(i): an older cumulative ack is out of order: ignore */
  if (tsn_lt(s->cum_tsn, a->cum_ack)) return;
  if (tsn_le(a->next_tsn, s->cum_tsn)) return; /* acks what we never sent */
  a->error_count = 0;
  while (a->tx_n && tsn_le(tx_at(a, 0)->tsn, s->cum_tsn)) {
    struct txc *c = tx_at(a, 0);
    if (!c->acked && !c->abandoned) {
      acked += c->len;
      if (c->nsent == 1) rtt = a->now - c->sent; /* Karn: only once-sent */
      highest_newly = c->tsn;
      buffered_sub(a, c->m->sid, c->len);
    }
    if (c->acked) a->gap_acked--;
    if (c->rtx) a->rtx_count--;
    chunk_done(a, c);
    msg_unref(a, c->m);
    a->tx_head = (a->tx_head + 1) & (a->tx_cap - 1);
    a->tx_n--;
    cum_moved = true;
  }
  if (tsn_lt(a->cum_ack, s->cum_tsn)) a->cum_ack = s->cum_tsn;
  /* gap-acknowledged chunks are taken out of flight; a chunk no longer
   * covered (renege) goes back in */
  for (size_t i = 0; i < a->tx_n && (s->ngaps || a->gap_acked); i++) {
    struct txc *c = tx_at(a, i);
    uint32_t off = c->tsn - s->cum_tsn;
    bool in = false;
    for (size_t g = 0; g < s->ngaps && !in; g++) {
      uint16_t st, en;
      rtg_sctp_sack_gap(&s->gaps, g, &st, &en);
      in = off >= st && off <= en;
    }
    if (in && !c->acked) {
      if (!c->abandoned) {
        acked += c->len;
        buffered_sub(a, c->m->sid, c->len);
        if (c->nsent == 1 && rtt < 0) rtt = a->now - c->sent;
      }
      chunk_done(a, c);
      c->acked = true;
      a->gap_acked++;
      if (c->rtx) a->rtx_count--;
      c->rtx = false;
      if (tsn_lt(highest_newly, c->tsn)) highest_newly = c->tsn;
    } else if (!in && c->acked) {
      c->acked = false; /* reneged: resend on T3 */
      a->gap_acked--;
    }
  }
  if (rtt >= 0) rtt_sample(a, rtt);
  /* §7.2.4: miss indications for chunks below the highest newly acked */
  if (s->ngaps) {
    for (size_t i = 0; i < a->tx_n; i++) {
      struct txc *c = tx_at(a, i);
      if (!tsn_lt(c->tsn, highest_newly)) break;
      if (c->acked || c->abandoned || c->rtx || c->was_fast) continue;
      if (++c->misses >= 3) {
        c->rtx = true;
        a->rtx_count++;
        c->fast = c->was_fast = true;
        c->misses = 0;
        chunk_done(a, c);
        if (!a->fast_recovery) {
          uint32_t mtu4 = 4 * (uint32_t)a->cfg.mtu;
          a->ssthresh = a->cwnd / 2 > mtu4 ? a->cwnd / 2 : mtu4;
          a->cwnd = a->ssthresh;
          a->pba = 0;
          a->fast_recovery = true;
          a->fr_exit = a->next_tsn - 1;
        }
      }
    }
  }
  if (a->fast_recovery && tsn_le(a->fr_exit, a->cum_ack)) a->fast_recovery = false;
  /* §7.2.1 / §7.2.2 window growth, only on a cumulative advance */
  if (cum_moved && !a->fast_recovery && acked) {
    uint32_t mtu = (uint32_t)a->cfg.mtu;
    if (a->cwnd <= a->ssthresh) {
      if (full) a->cwnd += acked < mtu ? acked : mtu;
    } else {
      a->pba += acked;
      if (a->pba >= a->cwnd && full) {
        a->pba -= a->cwnd;
        a->cwnd += mtu;
      }
    }
  }
  /* §6.2.1: peer's window minus what is still in flight */
  a->peer_rwnd = s->a_rwnd > a->flight ? s->a_rwnd - a->flight : 0;
  /* §6.3.2 R2/R3: T3 follows the earliest outstanding chunk */
  if (a->flight == 0 && !a->tx_n)
    a->t3 = RTG_TIME_NEVER;
  else if (cum_moved)
    a->t3 = a->now + a->rto;
  advance_peer_ack(a);
}

/* ---- RE-CONFIG (RFC 6525) ------------------------------------------------- */

static int send_reconf_response(struct rtg_sctp_assoc *a, uint32_t seq, uint32_t result) {
  uint8_t v[32];
  struct rtg_wr wr;
  struct rtg_sctp_reconf r;
  memset(&r, 0, sizeof r);
  r.type = RTG_SCTP_P_RECONFIG_RESP;
  r.req_seq = seq;
  r.result = result;
  rtg_wr_init(&wr, v, sizeof v);
  if (rtg_sctp_reconf_write(&wr, &r, NULL)) return RTG_ERR_NOBUF;
  return ctl_chunk(a, a->peer_vtag, RTG_SCTP_RECONFIG, 0, v, rtg_wr_len(&wr));
}

static int on_reconf_param(struct rtg_sctp_assoc *a, const struct rtg_sctp_reconf *r) {
  switch (r->type) {
    case RTG_SCTP_P_OUT_RESET_REQ:
      if (r->req_seq == a->reconf_seq_in - 1)
        return send_reconf_response(a, r->req_seq, a->last_resp_result); /* retransmission */
      if (r->req_seq != a->reconf_seq_in)
        return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_ERR_BAD_SEQ);
      /* §5.2.2: wait until every TSN up to last_tsn arrived */
      if (tsn_lt(a->peer_cum, r->last_tsn))
        return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_IN_PROGRESS);
      a->reconf_seq_in++;
      for (size_t i = 0; i < r->nsids; i++) {
        uint16_t sid = rtg_sctp_reconf_sid(r, i);
        struct stream *s = stream_get(a, sid);
        if (s == NULL) return RTG_ERR_NOMEM;
        s->mid_in = 0;
        if (simple_event(a, RTG_SCTP_EV_STREAM_RESET, sid, 0)) return RTG_ERR_NOMEM;
      }
      a->last_resp_result = RTG_SCTP_RR_PERFORMED;
      return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_PERFORMED);
    case RTG_SCTP_P_RECONFIG_RESP:
      if (a->reset_n == 0 || r->req_seq != a->reconf_seq_out) return 0;
      if (r->result == RTG_SCTP_RR_IN_PROGRESS) return 0; /* timer retries */
      for (size_t i = 0; i < a->reset_n; i++) {
        struct stream *s = &a->streams[a->reset_sids[i]];
        s->resetting = false;
        if (r->result == RTG_SCTP_RR_PERFORMED) s->mid_out = s->umid_out = 0;
        if (simple_event(a, RTG_SCTP_EV_RESET_DONE, a->reset_sids[i],
                         r->result == RTG_SCTP_RR_PERFORMED ? 0 : RTG_ERR_STATE))
          return RTG_ERR_NOMEM;
      }
      a->reset_n = 0;
      a->reconf_seq_out++;
      a->t_reconf = RTG_TIME_NEVER;
      return 0;
    case RTG_SCTP_P_IN_RESET_REQ:
    case RTG_SCTP_P_TSN_RESET_REQ:
    case RTG_SCTP_P_ADD_OUT_STREAMS:
    case RTG_SCTP_P_ADD_IN_STREAMS:
      /* not offered: refuse (RFC 6525 §5.2) */
      if (r->req_seq != a->reconf_seq_in) return 0;
      a->reconf_seq_in++;
      a->last_resp_result = RTG_SCTP_RR_DENIED;
      return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_DENIED);
    default: return 0;
  }
}

/* Sends the outgoing reset request once nothing is queued on its streams. */
static int maybe_send_reset(struct rtg_sctp_assoc *a) {
  uint8_t v[1024];
  struct rtg_wr wr;
  struct rtg_sctp_reconf r;
  if (a->reset_n == 0 || a->t_reconf != RTG_TIME_NEVER) return 0;
  for (struct out_msg *m = a->sq_head; m; m = m->next)
    for (size_t i = 0; i < a->reset_n; i++)
      if (m->sid == a->reset_sids[i]) return 0;
  memset(&r, 0, sizeof r);
  r.type = RTG_SCTP_P_OUT_RESET_REQ;
  r.req_seq = a->reconf_seq_out;
  r.resp_seq = a->reconf_seq_in - 1;
  r.last_tsn = a->next_tsn - 1;
  r.nsids = a->reset_n;
  rtg_wr_init(&wr, v, sizeof v);
  if (rtg_sctp_reconf_write(&wr, &r, a->reset_sids)) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < a->reset_n; i++) {
    a->streams[a->reset_sids[i]].reset_pending = false;
    a->streams[a->reset_sids[i]].resetting = true;
  }
  a->t_reconf = a->now + a->rto;
  return ctl_chunk(a, a->peer_vtag, RTG_SCTP_RECONFIG, 0, v, rtg_wr_len(&wr));
}

/* ---- shutdown ------------------------------------------------------------- */

static bool all_sent_and_acked(const struct rtg_sctp_assoc *a) {
  return a->sq_head == NULL && a->tx_n == 0;
}

static int queue_shutdown(struct rtg_sctp_assoc *a) {
  uint8_t v[4];
  rtg_store_u32(v, a->peer_cum);
  return ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN, 0, v, 4);
}

static int shutdown_progress(struct rtg_sctp_assoc *a) {
  if (!all_sent_and_acked(a)) return 0;
  if (a->state == RTG_SCTP_SHUTDOWN_PENDING) {
    a->state = RTG_SCTP_SHUTDOWN_SENT;
    a->t2 = a->now + a->rto;
    a->t3 = RTG_TIME_NEVER;
    return queue_shutdown(a);
  }
  if (a->state == RTG_SCTP_SHUTDOWN_RECEIVED) {
    a->state = RTG_SCTP_SHUTDOWN_ACK_SENT;
    a->t2 = a->now + a->rto;
    return ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0);
  }
  return 0;
}

/* ---- incoming packets ----------------------------------------------------- */

/* RFC 9260 §3.2: unrecognized chunk types (AUTH, NR-SACK and ASCONF too:
 * we never offer them). Upper bits 01 and 11 ask for an ERROR with an
 * Unrecognized Chunk Type cause carrying the chunk (§3.3.10.6). */
static int unrecognized_chunk(struct rtg_sctp_assoc *a, const struct rtg_sctp_chunk *c) {
  uint8_t v[4 + 4 + 128];
  size_t n = 4 + (size_t)c->value.len;
  if (!(c->type & 0x40) || a->state < RTG_SCTP_ESTABLISHED) return 0;
  if (n > sizeof v - 4) n = sizeof v - 4; /* a prefix is enough to identify it */
  rtg_store_u16(v, RTG_SCTP_C_UNRECOGNIZED_CHUNK);
  rtg_store_u16(v + 2, (uint16_t)(4 + n));
  v[4] = c->type;
  v[5] = c->flags;
  rtg_store_u16(v + 6, c->length);
  memcpy(v + 8, c->value.p, n - 4);
  return ctl_chunk(a, a->peer_vtag, RTG_SCTP_ERROR, 0, v, 4 + n);
}

static int handle_chunk(struct rtg_sctp_assoc *a, const struct rtg_sctp_packet *pkt,
                        const struct rtg_sctp_chunk *c, const struct rtg_sctp_chunk_info *in,
                        bool *had_data) {
  bool up = a->state >= RTG_SCTP_ESTABLISHED;
  switch (c->type) {
    case RTG_SCTP_INIT: return on_init(a, &in->u.init);
    case RTG_SCTP_INIT_ACK: return on_init_ack(a, &in->u.init);
    case RTG_SCTP_COOKIE_ECHO: return on_cookie_echo(a, pkt->hdr.vtag, in->cookie);
    case RTG_SCTP_COOKIE_ACK:
      if (a->state == RTG_SCTP_COOKIE_ECHOED) enter_established(a, RTG_SCTP_EV_CONNECTED);
      return 0;
    case RTG_SCTP_DATA:
    case RTG_SCTP_I_DATA:
      if (!up || a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) return 0;
      /* RFC 8260 §2.2: only the negotiated kind of data chunk */
      if ((c->type == RTG_SCTP_I_DATA) != a->idata) return 0;
      *had_data = true;
      return on_data(a, &in->u.data);
    case RTG_SCTP_SACK:
      if (up) on_sack(a, &in->u.sack);
      return 0;
    case RTG_SCTP_FORWARD_TSN:
    case RTG_SCTP_I_FORWARD_TSN:
      if (!up) return 0;
      *had_data = true;
      return on_forward_tsn(a, &in->u.fwd);
    case RTG_SCTP_HEARTBEAT:
      if (!up) return 0;
      /* §8.3: echo the Heartbeat Info unchanged */
      return ctl_chunk(a, a->peer_vtag, RTG_SCTP_HEARTBEAT_ACK, 0, in->tlvs.p,
                       in->tlvs.len > 200 ? 0 : in->tlvs.len);
    case RTG_SCTP_HEARTBEAT_ACK:
      /* only our own, authenticated send time feeds the RTT (the info
       * comes back from the network: never trust it unchecked) */
      if (in->tlvs.len >= 20 && rtg_load_u16(in->tlvs.p) == RTG_SCTP_P_HEARTBEAT_INFO &&
          rtg_load_u16(in->tlvs.p + 2) == 20) {
        uint8_t mac[RTG_HASH_MAX];
        rtg_time sent = (rtg_time)rtg_load_u64(in->tlvs.p + 4);
        if (rtg_hmac_once(&a->cookie_mac, in->tlvs.p + 4, 8, mac) == 0 &&
            rtg_memeq_ct(mac, in->tlvs.p + 12, 8) == 0 && sent <= a->now &&
            a->now - sent <= a->cfg.rto_max + a->cfg.heartbeat_interval) {
          rtt_sample(a, a->now - sent);
          a->error_count = 0;
        }
      }
      return 0;
    case RTG_SCTP_ABORT:
      if (a->state != RTG_SCTP_CLOSED) enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_STATE);
      return 0;
    case RTG_SCTP_SHUTDOWN:
      if (!up) return 0;
      {
        struct rtg_sctp_sack s;
        memset(&s, 0, sizeof s);
        s.cum_tsn = in->u.cum_tsn;
        s.a_rwnd = a->peer_rwnd + a->flight;
        on_sack(a, &s);
      }
      if (a->state == RTG_SCTP_ESTABLISHED || a->state == RTG_SCTP_SHUTDOWN_PENDING)
        a->state = RTG_SCTP_SHUTDOWN_RECEIVED;
      if (a->state == RTG_SCTP_SHUTDOWN_SENT) {
        /* §9.2: both sides shut down at once */
        a->state = RTG_SCTP_SHUTDOWN_ACK_SENT;
        a->t2 = a->now + a->rto;
        return ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0);
      }
      return shutdown_progress(a);
    case RTG_SCTP_SHUTDOWN_ACK:
      if (a->state == RTG_SCTP_SHUTDOWN_SENT || a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) {
        int rc = ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_COMPLETE, 0, NULL, 0);
        enter_closed(a, RTG_SCTP_EV_CLOSED, 0);
        return rc;
      }
      return 0;
    case RTG_SCTP_SHUTDOWN_COMPLETE:
      if (a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) enter_closed(a, RTG_SCTP_EV_CLOSED, 0);
      return 0;
    case RTG_SCTP_RECONFIG: {
      struct rtg_rd rd;
      struct rtg_sctp_tlv t;
      if (!up) return 0;
      rtg_rd_init(&rd, in->tlvs.p, in->tlvs.len);
      while (rtg_sctp_tlv_next(&rd, &t, "sctp.reconf", NULL) == 1) {
        struct rtg_sctp_reconf r;
        int rc;
        if (rtg_sctp_reconf_decode(&t, &r, NULL)) return 0;
        if ((rc = on_reconf_param(a, &r))) return rc;
      }
      return 0;
    }
    case RTG_SCTP_ERROR: {
      /* §5.2.6: a stale cookie restarts the handshake */
      if (a->state == RTG_SCTP_COOKIE_ECHOED && in->tlvs.len >= 4 &&
          rtg_load_u16(in->tlvs.p) == RTG_SCTP_C_STALE_COOKIE) {
        a->state = RTG_SCTP_COOKIE_WAIT;
        a->t1 = a->now + a->rto;
        return send_init(a);
      }
      return 0;
    }
    case RTG_SCTP_PAD:
    case RTG_SCTP_ECNE: /* ECN is not offered: nothing to do */
    case RTG_SCTP_CWR: return 0;
    default: return unrecognized_chunk(a, c);
  }
}

/* §8.5 / §8.5.1: which verification tag a packet must carry. */
static bool stop_after(const struct rtg_sctp_chunk *c) {
  switch (c->type) {
    case RTG_SCTP_DATA:
    case RTG_SCTP_INIT:
    case RTG_SCTP_INIT_ACK:
    case RTG_SCTP_SACK:
    case RTG_SCTP_HEARTBEAT:
    case RTG_SCTP_HEARTBEAT_ACK:
    case RTG_SCTP_ABORT:
    case RTG_SCTP_SHUTDOWN:
    case RTG_SCTP_SHUTDOWN_ACK:
    case RTG_SCTP_ERROR:
    case RTG_SCTP_COOKIE_ECHO:
    case RTG_SCTP_COOKIE_ACK:
    case RTG_SCTP_ECNE:
    case RTG_SCTP_CWR:
    case RTG_SCTP_SHUTDOWN_COMPLETE:
    case RTG_SCTP_I_DATA:
    case RTG_SCTP_RECONFIG:
    case RTG_SCTP_PAD:
    case RTG_SCTP_FORWARD_TSN:
    case RTG_SCTP_I_FORWARD_TSN: return false;
    default:
      /* §3.2: upper bits 00 and 01 - stop processing this packet */
      return (c->type & 0x80) == 0;
  }
}

static bool vtag_ok(const struct rtg_sctp_assoc *a, const struct rtg_sctp_packet *pkt,
                    const struct rtg_sctp_chunk *first) {
  uint32_t v = pkt->hdr.vtag;
  switch (first->type) {
    case RTG_SCTP_INIT: return v == 0;
    case RTG_SCTP_COOKIE_ECHO: return true; /* checked against the cookie */
    case RTG_SCTP_ABORT:
    case RTG_SCTP_SHUTDOWN_COMPLETE:
      if (first->flags & RTG_SCTP_FLAG_T) return v == a->peer_vtag && a->peer_vtag != 0;
      return v == a->my_vtag;
    case RTG_SCTP_SHUTDOWN_ACK:
      /* §8.5.1 E: may arrive with the peer's tag in COOKIE states */
      return v == a->my_vtag;
    default: return v == a->my_vtag && a->state != RTG_SCTP_CLOSED;
  }
}

/* RFC 9260 §8.4: a packet for no association. The answers reflect the
 * packet's own tag with the T bit, so the sender can match them. */
static int out_of_the_blue(struct rtg_sctp_assoc *a, const struct rtg_sctp_packet *pkt,
                           const struct rtg_sctp_chunk *first) {
  a->st.packets_dropped++;
  switch (first->type) {
    case RTG_SCTP_ABORT:             /* rule 2 */
    case RTG_SCTP_SHUTDOWN_COMPLETE: /* rule 6 */
    case RTG_SCTP_ERROR: /* rule 7: stale cookie errors and such */ return 0;
    case RTG_SCTP_SHUTDOWN_ACK: /* rule 5 */
      return ctl_chunk(a, pkt->hdr.vtag, RTG_SCTP_SHUTDOWN_COMPLETE, RTG_SCTP_FLAG_T, NULL, 0);
    default: /* rule 8 */
      return ctl_chunk(a, pkt->hdr.vtag, RTG_SCTP_ABORT, RTG_SCTP_FLAG_T, NULL, 0);
  }
}

int rtg_sctp_assoc_handle_datagram(struct rtg_sctp_assoc *a, rtg_time now, const uint8_t *data,
                                   size_t len) {
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  bool first = true, had_data = false;
  int rc;
  a->now = now;
  rc = rtg_sctp_packet_parse(data, len, a->cfg.zero_checksum ? RTG_SCTP_PARSE_ZERO_CHECKSUM_OK : 0,
                             &pkt, NULL);
  if (rc) {
    a->st.packets_dropped++;
    return rc;
  }
  if (pkt.hdr.dst_port != a->cfg.local_port || pkt.hdr.src_port != a->cfg.remote_port) {
    a->st.packets_dropped++;
    return 0;
  }
  a->st.packets_received++;
  rtg_sctp_chunk_iter_init(&it, data, &pkt);
  while (rtg_sctp_chunk_next(&it, &c, NULL) == 1) {
    if (rtg_sctp_chunk_decode(&c, &info, NULL)) break; /* checked by the parse */
    if (first && a->state == RTG_SCTP_CLOSED && c.type != RTG_SCTP_INIT &&
        c.type != RTG_SCTP_COOKIE_ECHO)
      return out_of_the_blue(a, &pkt, &c);
    if (first && !vtag_ok(a, &pkt, &c)) {
      a->st.packets_dropped++;
      return 0; /* §8.5: silently discard */
    }
    first = false;
    if ((rc = handle_chunk(a, &pkt, &c, &info, &had_data)) && rc != RTG_ERR_AUTH &&
        rc != RTG_ERR_TIMEOUT)
      return rc;
    if (a->state == RTG_SCTP_CLOSED && c.type != RTG_SCTP_INIT && c.type != RTG_SCTP_COOKIE_ECHO)
      break;
    if (stop_after(&c)) break;
  }
  if (had_data) {
    /* §6.2: ack at least every second packet, or after the delayed-ack time */
    if (++a->unacked_packets >= 2) a->sack_now = true;
    if (a->t_ack == RTG_TIME_NEVER) a->t_ack = now + a->cfg.delayed_ack;
  }
  if (a->state == RTG_SCTP_SHUTDOWN_PENDING || a->state == RTG_SCTP_SHUTDOWN_RECEIVED)
    return shutdown_progress(a);
  return maybe_send_reset(a);
}

/* ---- timers --------------------------------------------------------------- */

static void t3_expired(struct rtg_sctp_assoc *a) {
  uint32_t mtu = (uint32_t)a->cfg.mtu;
  a->st.t3_expiries++;
  /* §7.2.3 */
  a->ssthresh = a->cwnd / 2 > 4 * mtu ? a->cwnd / 2 : 4 * mtu;
  a->cwnd = mtu;
  a->pba = 0;
  a->fast_recovery = false;
  rto_backoff(a);
  if (++a->error_count > a->cfg.max_assoc_retransmits) {
    enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
    (void)send_abort(a, RTG_SCTP_C_USER_ABORT, "retransmission limit");
    return;
  }
  /* §6.3.3 E3: everything outstanding is retransmitted as the window allows */
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = tx_at(a, i);
    if (c->acked || c->abandoned) continue;
    chunk_done(a, c);
    if (!c->rtx) a->rtx_count++;
    c->rtx = true;
    c->fast = false;
  }
  a->flight = 0;
  if (a->send_fwd_tsn || tsn_lt(a->cum_ack, a->adv_peer_ack)) a->send_fwd_tsn = a->peer_fwd_tsn;
  a->t3 = a->tx_n ? a->now + a->rto : RTG_TIME_NEVER;
}

int rtg_sctp_assoc_handle_timeout(struct rtg_sctp_assoc *a, rtg_time now) {
  a->now = now;
  if (a->t1 <= now) {
    a->t1 = RTG_TIME_NEVER;
    rto_backoff(a);
    if (++a->init_tries > a->cfg.max_init_retransmits) {
      enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
    } else if (a->state == RTG_SCTP_COOKIE_WAIT) {
      a->t1 = now + a->rto;
      if (send_init(a)) return RTG_ERR_NOMEM;
    } else if (a->state == RTG_SCTP_COOKIE_ECHOED) {
      struct rtg_slice s = {a->cookie, a->cookie_len};
      a->t1 = now + a->rto;
      if (send_cookie_echo(a, s)) return RTG_ERR_NOMEM;
    }
  }
  if (a->t2 <= now) {
    a->t2 = RTG_TIME_NEVER;
    rto_backoff(a);
    if (++a->t2_tries > a->cfg.max_assoc_retransmits) {
      (void)send_abort(a, RTG_SCTP_C_USER_ABORT, "shutdown timed out");
      enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
    } else if (a->state == RTG_SCTP_SHUTDOWN_SENT) {
      a->t2 = now + a->rto;
      if (queue_shutdown(a)) return RTG_ERR_NOMEM;
    } else if (a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) {
      a->t2 = now + a->rto;
      if (ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0)) return RTG_ERR_NOMEM;
    }
  }
  if (a->t3 <= now) t3_expired(a);
  if (a->t_ack <= now) {
    a->t_ack = RTG_TIME_NEVER;
    a->sack_now = true;
  }
  if (a->t_reconf <= now) {
    /* retransmit the request (same sequence number) */
    a->t_reconf = RTG_TIME_NEVER;
    rto_backoff(a);
    if (maybe_send_reset(a)) return RTG_ERR_NOMEM;
  }
  if (a->t_hb <= now) {
    a->t_hb = a->state >= RTG_SCTP_ESTABLISHED && a->cfg.heartbeat_interval != RTG_TIME_NEVER
                  ? now + a->cfg.heartbeat_interval + a->rto
                  : RTG_TIME_NEVER;
    if (a->state == RTG_SCTP_ESTABLISHED) {
      /* §8.3: Heartbeat Info carries our send time (8) and a MAC of it
       * (8, keyed like the cookie) so the ACK can be checked */
      uint8_t v[20], mac[RTG_HASH_MAX];
      rtg_store_u16(v, RTG_SCTP_P_HEARTBEAT_INFO);
      rtg_store_u16(v + 2, 20);
      rtg_store_u64(v + 4, (uint64_t)now);
      if (rtg_hmac_once(&a->cookie_mac, v + 4, 8, mac)) return RTG_ERR_CRYPTO;
      memcpy(v + 12, mac, 8);
      if (++a->error_count > a->cfg.max_assoc_retransmits) {
        (void)send_abort(a, RTG_SCTP_C_USER_ABORT, "peer unreachable");
        enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
        return 0;
      }
      if (ctl_chunk(a, a->peer_vtag, RTG_SCTP_HEARTBEAT, 0, v, sizeof v)) return RTG_ERR_NOMEM;
    }
  }
  return 0;
}

rtg_time rtg_sctp_assoc_poll_timeout(const struct rtg_sctp_assoc *a) {
  rtg_time t = a->t1;
  if (a->t2 < t) t = a->t2;
  if (a->t3 < t) t = a->t3;
  if (a->t_ack < t) t = a->t_ack;
  if (a->t_hb < t) t = a->t_hb;
  if (a->t_reconf < t) t = a->t_reconf;
  return t;
}

/* ---- transmitting --------------------------------------------------------- */

static int write_sack(struct rtg_sctp_assoc *a, struct rtg_wr *wr) {
  uint16_t gaps[2 * MAX_GAPS];
  size_t n = 0;
  for (size_t i = 0; i < a->ngaps; i++) {
    uint32_t s = a->gaps[i].start - a->peer_cum, e = a->gaps[i].end - a->peer_cum;
    if (e > 0xffff) break;
    gaps[2 * n] = (uint16_t)s;
    gaps[2 * n + 1] = (uint16_t)e;
    n++;
  }
  if (rtg_sctp_sack_write(wr, a->peer_cum, my_rwnd(a), gaps, n, a->dups, a->ndups))
    return RTG_ERR_NOBUF;
  a->ndups = 0;
  a->sack_now = false;
  a->unacked_packets = 0;
  a->t_ack = RTG_TIME_NEVER;
  a->st.sacks_sent++;
  return 0;
}

static int write_fwd_tsn(struct rtg_sctp_assoc *a, struct rtg_wr *wr) {
  uint16_t sids[64];
  uint32_t mids[64];
  bool uns[64];
  size_t n = 0;
  /* RFC 3758 §3.2: the highest skipped SSN of each ordered stream;
   * RFC 8260 §2.3: I-FORWARD-TSN also names skipped unordered messages */
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = tx_at(a, i);
    size_t k;
    bool u = c->m->unordered;
    if (tsn_lt(a->adv_peer_ack, c->tsn)) break;
    if (!c->abandoned || (u && !a->idata)) continue;
    for (k = 0; k < n && !(sids[k] == c->m->sid && uns[k] == u && (!u || mids[k] == c->m->mid));
         k++)
      continue;
    if (k == n) {
      if (n == 64) continue;
      sids[n] = c->m->sid;
      uns[n] = u;
      mids[n++] = c->m->mid;
    } else if (mid_le(a, mids[k], c->m->mid)) {
      mids[k] = c->m->mid;
    }
  }
  if (rtg_sctp_fwd_write(wr, a->idata, a->adv_peer_ack, sids, uns, mids, n)) return RTG_ERR_NOBUF;
  a->send_fwd_tsn = false;
  a->st.forward_tsns_sent++;
  if (a->t3 == RTG_TIME_NEVER) a->t3 = a->now + a->rto;
  return 0;
}

static int write_chunk(struct rtg_sctp_assoc *a, struct rtg_wr *wr, struct txc *c) {
  struct rtg_sctp_data d;
  memset(&d, 0, sizeof d);
  d.tsn = c->tsn;
  d.sid = c->m->sid;
  d.idata = a->idata;
  d.ssn = (uint16_t)c->m->mid;
  d.mid = c->m->mid;
  d.fsn = c->fsn;
  d.ppid = c->m->ppid;
  d.begin = (c->flags & RTG_SCTP_DATA_BEGIN) != 0;
  d.end = (c->flags & RTG_SCTP_DATA_END) != 0;
  d.unordered = c->m->unordered;
  /* RFC 7053: the last chunk before we go idle asks for an immediate SACK,
   * so the end of a burst does not wait for the peer's delayed ack */
  d.immediate = d.end && a->sq_head == NULL && c->nsent == 0;
  d.payload.p = c->m->data + c->off;
  d.payload.len = c->len;
  if (rtg_sctp_data_write(wr, &d)) return RTG_ERR_NOBUF;
  c->sent = a->now;
  c->nsent++;
  c->in_flight = true;
  a->flight += c->len + a->dhdr;
  a->st.data_chunks_sent++;
  if (a->t3 == RTG_TIME_NEVER) a->t3 = a->now + a->rto;
  return 0;
}

static bool expired(const struct rtg_sctp_assoc *a, const struct out_msg *m) {
  return m->expires != RTG_TIME_NEVER && a->now >= m->expires && a->peer_fwd_tsn;
}

/* Unlinks *|pp| from the send queue and drops the queue's reference. */
static void sq_unlink(struct rtg_sctp_assoc *a, struct out_msg **pp) {
  struct out_msg *m = *pp;
  *pp = m->next;
  if (a->sq_tail == m)
    a->sq_tail = pp == &a->sq_head
                     ? NULL
                     : (struct out_msg *)(void *)((char *)pp - offsetof(struct out_msg, next));
  msg_unref(a, m);
}

/* The message to cut from next. With DATA, a message's fragments take
 * consecutive TSNs: the head of the queue until it is done. With I-DATA
 * (RFC 8260) the streams take turns, round robin, so a large message does
 * not hold back the others; each stream still sends its messages in order
 * (only the first queued message of a stream is a candidate). Abandoned
 * and expired messages met on the way are dropped. */
static struct out_msg **pick(struct rtg_sctp_assoc *a) {
  struct out_msg **pp = &a->sq_head, **best = NULL;
  uint32_t best_d = UINT32_MAX;
  if (++a->scan_gen == 0) a->scan_gen = 1;
  while (*pp) {
    struct out_msg *m = *pp;
    struct stream *s;
    uint32_t d;
    if (m->abandoned || (m->cut == 0 && expired(a, m))) {
      if (!m->abandoned) abandon_msg(a, m);
      sq_unlink(a, pp);
      continue;
    }
    if (!a->idata) return pp;
    s = &a->streams[m->sid];
    if (s->scan != a->scan_gen) {
      s->scan = a->scan_gen;
      d = (uint16_t)(m->sid - a->rr_sid - 1);
      if (d < best_d) {
        best_d = d;
        best = pp;
        if (d == 0) break;
      }
    }
    pp = &m->next;
  }
  return best;
}

/* Cuts the next fragment of the scheduled message into a new chunk. */
static int cut_chunk(struct rtg_sctp_assoc *a, size_t room, struct txc **out) {
  struct out_msg *m;
  struct txc c;
  size_t n;
  struct stream *s;
  int rc;
  struct out_msg **pp = pick(a);
  if (pp == NULL || room <= a->dhdr) return RTG_ERR_AGAIN;
  m = *pp;
  s = &a->streams[m->sid];
  /* the padded chunk must fit |room| */
  n = m->len - m->cut;
  if (n > ((room - a->dhdr) & ~(size_t)3)) n = (room - a->dhdr) & ~(size_t)3;
  if (n == 0) return RTG_ERR_AGAIN;
  memset(&c, 0, sizeof c);
  if (m->cut == 0) {
    c.flags |= RTG_SCTP_DATA_BEGIN;
    if (!m->ssn_set) {
      /* SSN / MID are assigned when the first fragment goes out */
      if (!m->unordered) {
        m->mid = s->mid_out;
        s->mid_out = mid_next(a, s->mid_out);
      } else if (a->idata) {
        m->mid = s->umid_out++;
      }
    }
    m->ssn_set = true;
  }
  if (m->cut + n == m->len) c.flags |= RTG_SCTP_DATA_END;
  c.tsn = a->next_tsn;
  c.fsn = m->nfrag++;
  c.m = m;
  c.off = (uint32_t)m->cut;
  c.len = (uint16_t)n;
  if ((rc = tx_push(a, &c))) return rc;
  a->next_tsn++;
  m->refs++;
  m->cut += n;
  a->rr_sid = m->sid;
  if (m->cut == m->len) sq_unlink(a, pp); /* drops the queue's reference */
  *out = tx_at(a, a->tx_n - 1);
  return 0;
}

int rtg_sctp_assoc_poll_transmit(struct rtg_sctp_assoc *a, uint8_t *buf, size_t cap, size_t *len) {
  struct rtg_wr wr;
  size_t mtu = a->cfg.mtu < cap ? a->cfg.mtu : cap;
  bool any = false, rtx_sent = false;
  if (cap < RTG_SCTP_HDR_LEN + 4) return RTG_ERR_NOBUF;
  if (a->cq_head) {
    struct ctl_pkt *p = a->cq_head;
    if (p->len > cap) return RTG_ERR_NOBUF;
    memcpy(buf, p->buf, p->len);
    *len = p->len;
    a->cq_head = p->next;
    if (a->cq_head == NULL) a->cq_tail = NULL;
    rtg_free(&a->ctx, p);
    /* RFC 9653 §5.2: zero checksum only once both ends agreed */
    if (a->zero_cs_peer && a->cfg.zero_checksum && a->state >= RTG_SCTP_ESTABLISHED &&
        buf[12] != RTG_SCTP_COOKIE_ECHO && buf[12] != RTG_SCTP_INIT)
      seal(buf, *len, true);
    a->st.packets_sent++;
    return 0;
  }
  if (a->state < RTG_SCTP_ESTABLISHED) return RTG_ERR_AGAIN;
  hdr_init(a, &wr, buf, mtu, a->peer_vtag);
  if (a->sack_now) {
    if (write_sack(a, &wr)) return RTG_ERR_NOBUF;
    any = true;
  }
  if (a->send_fwd_tsn && tsn_lt(a->cum_ack, a->adv_peer_ack)) {
    if (write_fwd_tsn(a, &wr) == 0) any = true;
  }
  /* retransmissions first (§6.1); fast retransmits ignore cwnd (§7.2.4) */
  for (size_t i = 0; i < a->tx_n && a->rtx_count; i++) {
    struct txc *c = tx_at(a, i);
    if (!c->rtx) continue;
    if (c->m->max_rtx != UINT32_MAX && c->nsent > c->m->max_rtx && a->peer_fwd_tsn) {
      abandon_msg(a, c->m);
      advance_peer_ack(a);
      continue;
    }
    if (expired(a, c->m)) {
      abandon_msg(a, c->m);
      advance_peer_ack(a);
      continue;
    }
    if (!c->fast && a->flight >= a->cwnd && any) break;
    if (rtg_wr_left(&wr) < (((size_t)c->len + 3) & ~(size_t)3) + a->dhdr) break;
    if (write_chunk(a, &wr, c)) break;
    if (c->fast) a->st.fast_retransmits++;
    a->st.retransmits++;
    a->rtx_count--;
    c->rtx = false;
    c->fast = false;
    any = rtx_sent = true;
  }
  if (a->send_fwd_tsn && tsn_lt(a->cum_ack, a->adv_peer_ack) && rtg_wr_left(&wr) > 64) {
    if (write_fwd_tsn(a, &wr) == 0) any = true;
  }
  /* new data within cwnd and the peer's window (§6.1 A, B) */
  if (!rtx_sent && a->state != RTG_SCTP_SHUTDOWN_SENT && a->state != RTG_SCTP_SHUTDOWN_ACK_SENT) {
    for (;;) {
      struct txc *c;
      size_t room = rtg_wr_left(&wr);
      if (a->flight >= a->cwnd) break;
      /* zero-window probe: one chunk when nothing is in flight (§6.1 A) */
      if (a->peer_rwnd < a->dhdr + 1 && a->flight > 0) break;
      if (a->peer_rwnd > a->dhdr && room > a->peer_rwnd) room = a->peer_rwnd;
      if (cut_chunk(a, room, &c)) break;
      if (write_chunk(a, &wr, c)) {
        c->rtx = true; /* cannot happen (cut to fit); never lose a TSN */
        a->rtx_count++;
        break;
      }
      uint32_t used = (uint32_t)c->len + a->dhdr;
      a->peer_rwnd = a->peer_rwnd > used ? a->peer_rwnd - used : 0;
      any = true;
    }
  }
  if (!any) return RTG_ERR_AGAIN;
  *len = rtg_wr_len(&wr);
  seal(buf, *len, a->zero_cs_peer && a->cfg.zero_checksum);
  a->st.packets_sent++;
  if (a->cfg.heartbeat_interval != RTG_TIME_NEVER)
    a->t_hb = a->now + a->cfg.heartbeat_interval + a->rto;
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
  a->rto = clamp_rto(a, cfg->rto_initial);
  a->mid_mask = 0xffff;
  a->dhdr = 16;
  a->t1 = a->t2 = a->t3 = a->t_ack = a->t_hb = a->t_reconf = RTG_TIME_NEVER;
  if (rtg_random(ctx, secret, sizeof secret) ||
      rtg_hmac_init(&a->cookie_mac, RTG_HASH_SHA256, secret, sizeof secret)) {
    rtg_free(ctx, a);
    return RTG_ERR_CRYPTO;
  }
  if (stream_get(a, 0) == NULL) {
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
    msg_unref(a, m);
  }
  for (size_t i = 0; i < a->tx_n; i++) msg_unref(a, tx_at(a, i)->m);
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
  drop_data_state(a); /* connecting again after a close or abort */
  if (rtg_random(&a->ctx, &a->my_vtag, 4) || rtg_random(&a->ctx, &a->my_init_tsn, 4))
    return RTG_ERR_CRYPTO;
  if (a->my_vtag == 0) a->my_vtag = 1;
  a->state = RTG_SCTP_COOKIE_WAIT;
  a->init_tries = 0;
  a->t1 = now + a->rto;
  return send_init(a);
}

int rtg_sctp_assoc_send(struct rtg_sctp_assoc *a, rtg_time now, uint16_t sid, uint32_t ppid,
                        const void *data, size_t len, const struct rtg_sctp_send_opts *opts) {
  struct out_msg *m;
  struct stream *s;
  a->now = now;
  if (a->state != RTG_SCTP_ESTABLISHED) return RTG_ERR_STATE;
  if (len == 0 || len > a->cfg.max_message_size || sid >= a->peer_mis) return RTG_ERR_INVAL;
  if ((s = stream_get(a, sid)) == NULL) return RTG_ERR_NOMEM;
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
  ns = zalloc(a, n * sizeof *ns);
  if (ns == NULL) return RTG_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    struct stream *s = stream_get(a, sids[i]);
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
  return maybe_send_reset(a);
}

int rtg_sctp_assoc_shutdown(struct rtg_sctp_assoc *a, rtg_time now) {
  a->now = now;
  if (a->state != RTG_SCTP_ESTABLISHED) return RTG_ERR_STATE;
  a->state = RTG_SCTP_SHUTDOWN_PENDING;
  a->t2_tries = 0;
  return shutdown_progress(a);
}

int rtg_sctp_assoc_abort(struct rtg_sctp_assoc *a, const char *reason) {
  int rc;
  if (a->state == RTG_SCTP_CLOSED) return RTG_ERR_STATE;
  rc = send_abort(a, RTG_SCTP_C_USER_ABORT, reason);
  enter_closed(a, RTG_SCTP_EV_ABORTED, 0);
  return rc;
}

enum rtg_sctp_state rtg_sctp_assoc_state(const struct rtg_sctp_assoc *a) { return a->state; }

rtg_time rtg_sctp_assoc_now(const struct rtg_sctp_assoc *a) { return a->now; }

size_t rtg_sctp_assoc_buffered(const struct rtg_sctp_assoc *a, uint16_t sid) {
  return sid < a->nstreams ? a->streams[sid].buffered : 0;
}

int rtg_sctp_assoc_set_buffered_low(struct rtg_sctp_assoc *a, uint16_t sid, uint32_t threshold) {
  struct stream *s = stream_get(a, sid);
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
