/*
 * assoc_internal.h - what the files of the SCTP association share: its
 * structures and the helpers one part calls in another (assoc.c: helpers,
 * RTO, packet building, state cookie and the API; assoc_handshake.c;
 * assoc_rx.c: DATA, reassembly, FORWARD-TSN; assoc_tx.c: SACK processing and
 * transmission; assoc_ctl.c: RE-CONFIG, shutdown, incoming packets, timers).
 * Not a public header: the API is rtg/sctp.h.
 */
#ifndef RTG_SCTP_ASSOC_INTERNAL_H
#define RTG_SCTP_ASSOC_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "rtg/sctp.h"

/* ---- serial-number arithmetic (RFC 9260 §1.6, RFC 1982) ------------------ */

static inline bool tsn_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool tsn_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool ssn_le(uint16_t a, uint16_t b) { return (int16_t)(uint16_t)(a - b) <= 0; }
static inline bool mid32_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

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

/* The state cookie's contents (signed; see sctpi_cookie_make). */
struct cookie {
  rtg_time created;
  uint32_t peer_tag, peer_tsn, peer_rwnd;
  uint16_t peer_os, peer_mis;
  uint32_t my_tag, my_tsn, flags;
};

/* ---- helpers shared between the files ----------------------------------- */

uint8_t *sctpi_block_get(struct rtg_sctp_assoc *a);
void sctpi_block_put(struct rtg_sctp_assoc *a, uint8_t *b);
void sctpi_buffered_sub(struct rtg_sctp_assoc *a, uint16_t sid, size_t n);
void sctpi_chunk_done(struct rtg_sctp_assoc *a, struct txc *c);
rtg_time sctpi_clamp_rto(const struct rtg_sctp_assoc *a, rtg_time r);
int sctpi_cookie_check(struct rtg_sctp_assoc *a, struct rtg_slice s, struct cookie *c);
int sctpi_cookie_make(struct rtg_sctp_assoc *a, const struct cookie *c, uint8_t *out);
int sctpi_ctl_chunk(struct rtg_sctp_assoc *a, uint32_t vtag, uint8_t type, uint8_t flags,
                    const void *value, size_t len);
int sctpi_ctl_queue(struct rtg_sctp_assoc *a, const uint8_t *buf, size_t len);
void sctpi_drop_data_state(struct rtg_sctp_assoc *a);
void sctpi_enter_closed(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type ev, int error);
void sctpi_enter_established(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type ev);
void sctpi_hdr_init(struct rtg_sctp_assoc *a, struct rtg_wr *wr, uint8_t *buf, size_t cap,
                    uint32_t vtag);
int sctpi_init_params(struct rtg_sctp_assoc *a, struct rtg_wr *wr);
int sctpi_maybe_send_reset(struct rtg_sctp_assoc *a);
bool sctpi_mid_le(const struct rtg_sctp_assoc *a, uint32_t x, uint32_t y);
uint32_t sctpi_mid_next(const struct rtg_sctp_assoc *a, uint32_t m);
void sctpi_msg_unref(struct rtg_sctp_assoc *a, struct out_msg *m);
uint32_t sctpi_my_rwnd(const struct rtg_sctp_assoc *a);
int sctpi_on_cookie_echo(struct rtg_sctp_assoc *a, uint32_t vtag, struct rtg_slice s);
int sctpi_on_data(struct rtg_sctp_assoc *a, const struct rtg_sctp_data *d);
int sctpi_on_forward_tsn(struct rtg_sctp_assoc *a, const struct rtg_sctp_fwd_tsn *f);
int sctpi_on_init(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in);
int sctpi_on_init_ack(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in);
void sctpi_on_sack(struct rtg_sctp_assoc *a, const struct rtg_sctp_sack *s);
int sctpi_push_event(struct rtg_sctp_assoc *a, const struct rtg_sctp_event *ev, uint8_t *owned);
void sctpi_rto_backoff(struct rtg_sctp_assoc *a);
void sctpi_rtt_sample(struct rtg_sctp_assoc *a, rtg_time r);
void sctpi_seal(uint8_t *buf, size_t len, bool zero_checksum);
int sctpi_send_abort(struct rtg_sctp_assoc *a, uint16_t cause, const char *reason);
int sctpi_send_cookie_echo(struct rtg_sctp_assoc *a, struct rtg_slice cookie);
int sctpi_send_init(struct rtg_sctp_assoc *a);
int sctpi_shutdown_progress(struct rtg_sctp_assoc *a);
int sctpi_simple_event(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type t, uint16_t sid,
                       int error);
struct stream *sctpi_stream_get(struct rtg_sctp_assoc *a, uint16_t sid);
struct txc *sctpi_tx_at(struct rtg_sctp_assoc *a, size_t i);
int sctpi_tx_push(struct rtg_sctp_assoc *a, const struct txc *c);
void *sctpi_zalloc(struct rtg_sctp_assoc *a, size_t n);

#endif
