/*
 * peer/internal.h - the reference peer's object, shared by peer.c (object,
 * events, the pump), peer_sdp.c (offer/answer), peer_demux.c (RFC 7983
 * demultiplexing, the transmit queue, STUN screening), peer_dc.c (DTLS,
 * SCTP, data channels), peer_media.c (SRTP, echo, RTCP) and peer_turn.c.
 */
#ifndef RTG_PEER_INTERNAL_H
#define RTG_PEER_INTERNAL_H

#include "rtg/peer.h"
#include "rtg/rtp.h"
#include "rtg/turn.h"

#define PEER_TXQ 256          /* datagrams waiting for poll_transmit */
#define PEER_EVQ 256          /* events waiting for poll_event */
#define PEER_MAX_LOCAL 8      /* local candidates kept */
#define PEER_HISTORY 256      /* sent SRTP packets kept per outbound stream (NACK) */
#define PEER_HISTORY_MAX 1400 /* largest packet kept in the history */
#define PEER_AUTH_SRCS 16     /* sources that passed a check (not rate limited) */
#define PEER_EARLY_DTLS 4     /* DTLS datagrams kept until the answer gives the role */
#define PEER_PWD_LEN 24       /* ice-pwd characters we draw */
#define PEER_UFRAG_LEN 8      /* ice-ufrag characters we draw */
#define PEER_DEFAULT_MTU 1200
#define PEER_DEFAULT_MMS 262144
#define PEER_REMOTE_MMS 65536 /* RFC 8841 §6.1: no a=max-message-size means 64 KiB */

/* A result deliberately not acted on (gcc ignores casts to void for
 * warn_unused_result). */
static inline void peer_ignore(int rc) { (void)rc; }
#define IGNORE(x) peer_ignore((int)(x))

enum peer_state {
  PEER_NEW = 0,
  PEER_HAVE_LOCAL_OFFER,
  PEER_HAVE_REMOTE_OFFER,
  PEER_STABLE,
  PEER_CLOSED,
};

struct peer_tx {
  struct rtg_stun_addr src, dst;
  uint16_t len;
  uint8_t data[RTG_PEER_MAX_DATAGRAM];
};

/* One media section of the negotiated session. */
struct peer_section {
  int kind; /* enum rtg_sdp_media_kind */
  bool rejected;
  char mid[32];
  uint8_t pts[RTG_SDP_MAX_FMT]; /* remote payload types of the section */
  size_t npts;
  uint32_t remote_ssrcs[8]; /* from a=ssrc lines */
  size_t nremote_ssrcs;
  uint32_t local_ssrc;       /* what we send (echo) on, 0 for data */
  uint32_t echo_src;         /* the inbound SSRC we echo (first one seen) */
  uint16_t echo_seq;         /* our sequence numbers */
  int out_stream, in_stream; /* indexes into peer.streams or -1 */
};

/* Per-SSRC state: counters, RFC 3550 A.1 state (inbound), history
 * (outbound, for NACKs) and the last SR (for LSR/DLSR). */
struct peer_stream {
  struct rtg_peer_stream_stats st;
  int section;
  struct rtg_rtp_source src; /* inbound */
  bool src_init;
  uint16_t next_expected; /* inbound: for NACK generation */
  bool have_expected;
  uint32_t last_ts; /* last RTP timestamp sent (outbound) */
  uint32_t lsr;     /* middle 32 bits of the last SR's NTP (inbound) */
  rtg_time lsr_at;
  uint32_t sent_packets, sent_octets;
  /* outbound history: protected packets by sequence number modulo */
  uint16_t *hist_seq;
  uint16_t *hist_len;
  uint8_t *hist;
};

struct rtg_peer {
  const struct rtg_ctx *ctx;
  struct rtg_peer_config cfg;
  const char *codec_ptrs[RTG_PEER_MAX_CODECS + 1];
  char codec_names[RTG_PEER_MAX_CODECS][16];
  enum peer_state state;
  rtg_time now;
  bool offerer;    /* we made the offer of the current session */
  bool negotiated; /* one offer/answer completed */
  bool closed_sent;

  /* ICE */
  struct rtg_ice_agent *ice;
  char ufrag[33]; /* drawn: PEER_UFRAG_LEN, configured: up to 32 */
  char pwd[33];
  char remote_ufrag[RTG_ICE_MAX_CRED + 1];
  char remote_pwd[RTG_ICE_MAX_CRED + 1];
  bool remote_lite;
  struct rtg_stun_cred cred; /* our short-term credential: screening checks */
  struct rtg_ice_cand local[PEER_MAX_LOCAL];
  size_t nlocal;
  bool local_done;     /* the caller gathered everything */
  bool gathering_done; /* reported */
  bool ice_connected;
  struct rtg_ice_cand sel_local, sel_remote;
  bool have_pair;
  bool restart_pending; /* restart_ice called, offer not answered yet */
  uint64_t ice_restarts;
  /* STUN screening (RFC 8445 §7.3 requests before ICE processes them) */
  struct rtg_stun_addr auth_src[PEER_AUTH_SRCS];
  size_t nauth_src, auth_next;
  double tokens;
  rtg_time tokens_at;

  /* TURN */
  struct rtg_turn_client *turn;
  struct rtg_peer_turn turn_cfg;
  char turn_user[256], turn_pass[256];
  struct rtg_stun_addr permit[RTG_TURN_MAX_PEERS]; /* remote addresses to permit */
  bool permitted[RTG_TURN_MAX_PEERS];
  size_t npermit;
  bool turn_done; /* allocated or failed */
  bool have_relay;
  struct rtg_stun_addr relayed;

  /* SDP */
  struct rtg_sdp *local_sdp, *remote_sdp, *scratch;
  uint64_t sess_id, sess_version;
  enum rtg_sdp_setup remote_setup;
  struct peer_section sect[RTG_PEER_MAX_MEDIA];
  size_t nsect;
  uint16_t remote_sctp_port;
  uint64_t remote_mms;
  bool remote_data;

  /* DTLS / SCTP */
  struct rtg_dtls_cert *own_cert;
  const struct rtg_dtls_cert *cert;
  enum rtg_hash_alg fp_alg;
  uint8_t fp[RTG_HASH_MAX];
  enum rtg_hash_alg remote_fp_alg;
  uint8_t remote_fp[RTG_HASH_MAX];
  struct rtg_dtls_endpoint *dtls;
  enum rtg_dtls_role dtls_role;
  bool dtls_connected, dtls_failed;
  uint16_t srtp_profile;
  struct rtg_dc *dc;
  bool sctp_connected;

  /* SRTP / media */
  struct rtg_srtp *srtp_tx, *srtp_rx;
  struct peer_stream streams[RTG_PEER_MAX_STREAMS];
  size_t nstreams;
  rtg_time next_rtcp;
  uint32_t kind_ssrc[4]; /* by enum rtg_sdp_media_kind: audio and video */
  char cname[24];

  /* queues */
  struct peer_tx *txq;
  size_t tx_head, tx_count;
  /* DTLS from an authenticated ICE source before the answer (RFC 5763 §5:
   * the offerer must be ready for a ClientHello before the answer) */
  struct peer_tx *early;
  size_t nearly;
  struct rtg_peer_event evq[PEER_EVQ];
  size_t ev_head, ev_count;
  uint8_t *arena; /* event payloads (messages, RTP, candidate lines) */
  size_t arena_len, arena_cap;
  uint8_t *work; /* scratch packet buffer (RTP/RTCP in place) */

  struct rtg_peer_stats st;
};

/* peer_demux.c: feeds the DTLS datagrams kept before the endpoint existed */
void peer_dtls_early_replay(struct rtg_peer *p, rtg_time now);

/* peer.c */
struct rtg_peer_event *peer_event_push(struct rtg_peer *p, enum rtg_peer_event_type t);
/* peer_event_data copies |len| bytes into the event arena; NULL when full
 * (the event is then not reported). */
const uint8_t *peer_event_data(struct rtg_peer *p, const void *data, size_t len);
const char *peer_event_str(struct rtg_peer *p, const char *s);
/* peer_event_unpush takes back the event just pushed (its payload did not
 * fit) and counts it as dropped. */
void peer_event_unpush(struct rtg_peer *p);
void peer_pump(struct rtg_peer *p);
void peer_fail(struct rtg_peer *p, const char *reason);
bool peer_lose_out(struct rtg_peer *p);
bool peer_addr_eq(const struct rtg_stun_addr *a, const struct rtg_stun_addr *b);

/* peer_demux.c */
/* peer_send sends a datagram from local |src| to |dst| (through the TURN
 * relay when |src| is the relayed address), after the simulated loss.
 * returns 0 or one of: RTG_ERR_AGAIN (queue full). */
int peer_tx_push(struct rtg_peer *p, const struct rtg_stun_addr *src,
                 const struct rtg_stun_addr *dst, const uint8_t *data, size_t len);
int peer_send(struct rtg_peer *p, const struct rtg_stun_addr *src, const struct rtg_stun_addr *dst,
              const uint8_t *data, size_t len);
/* peer_send_pair sends on the selected ICE pair. */
int peer_send_pair(struct rtg_peer *p, const uint8_t *data, size_t len);
size_t peer_tx_room(const struct rtg_peer *p);
int peer_demux(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *local,
               const struct rtg_stun_addr *src, const uint8_t *data, size_t len);

/* peer_sdp.c */
int peer_ice_create(struct rtg_peer *p, bool controlling);
int peer_random_string(struct rtg_peer *p, char *out, size_t n);
int peer_local_candidate(struct rtg_peer *p, const struct rtg_ice_cand *c);
int peer_remote_restart(struct rtg_peer *p);

/* peer_dc.c */
int peer_dtls_start(struct rtg_peer *p, rtg_time now);
bool peer_dtls_pump(struct rtg_peer *p);
bool peer_dc_pump(struct rtg_peer *p);
rtg_time peer_dc_timeout(const struct rtg_peer *p);
void peer_dc_timers(struct rtg_peer *p, rtg_time now);

/* peer_media.c */
void peer_media_init(struct rtg_peer *p, const uint32_t ssrc[2]);
int peer_media_start(struct rtg_peer *p, const struct rtg_dtls_srtp_keys *k);
void peer_media_free(struct rtg_peer *p);
int peer_media_rtp_in(struct rtg_peer *p, rtg_time now, uint8_t *pkt, size_t len);
int peer_media_rtcp_in(struct rtg_peer *p, rtg_time now, uint8_t *pkt, size_t len);
int peer_media_send(struct rtg_peer *p, const uint8_t *pkt, size_t len, bool rtcp);
void peer_media_timers(struct rtg_peer *p, rtg_time now);

/* peer_turn.c */
int peer_turn_start(struct rtg_peer *p, rtg_time now, const struct rtg_peer_turn *t);
bool peer_turn_from_server(const struct rtg_peer *p, const struct rtg_stun_addr *local,
                           const struct rtg_stun_addr *src);
int peer_turn_input(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *src,
                    const uint8_t *data, size_t len);
bool peer_turn_pump(struct rtg_peer *p);
void peer_turn_flush(struct rtg_peer *p);
void peer_turn_permit(struct rtg_peer *p, const struct rtg_stun_addr *peer);
bool peer_is_relayed(const struct rtg_peer *p, const struct rtg_stun_addr *src);

#endif
