/*
 * rtg/peer.h - the reference peer: one sans-IO WebRTC peer connection that
 * owns an ICE agent (rtg/ice.h), a DTLS endpoint (rtg/dtls.h), SRTP/SRTCP
 * sessions (rtg/srtp.h), an SCTP association with its data channels
 * (rtg/sctp.h), optionally a TURN client (rtg/turn.h), and negotiates them
 * with SDP offers and answers (rtg/sdp.h, JSEP RFC 8829) over one BUNDLE
 * transport. Code in stack/peer/.
 *
 * Shape (DESIGN.md rule 1): the caller owns the sockets, the clock, mDNS and
 * signaling. It gathers host (and server-reflexive) addresses and hands them
 * in with rtg_peer_add_local_candidate, then rtg_peer_local_candidates_done;
 * a relay candidate is made by the peer's own TURN client when configured.
 * After every input (handle_datagram, handle_timeout or any API call) the
 * caller drains rtg_peer_poll_transmit (send |len| bytes from local address
 * |src| to |dst|) and rtg_peer_poll_event until they return RTG_ERR_AGAIN,
 * then sleeps until rtg_peer_poll_timeout.
 *
 * Incoming datagrams are demultiplexed by their first byte (RFC 7983 §7):
 *   0..3     STUN  -> the ICE agent (or the TURN client when from the server)
 *   20..63   DTLS  -> the DTLS endpoint; application data -> SCTP
 *   128..191 RTP/RTCP -> SRTP/SRTCP unprotect (RTCP when the second byte,
 *            the payload type, is 192..223, RFC 5761 §4)
 * Datagrams from the TURN server are unwrapped first (Data indications and
 * ChannelData carry the peer's datagrams on the relayed address).
 *
 * Roles: the offerer is ICE-controlling (RFC 8445 §6.1.1; JSEP) unless the
 * answerer is lite. DTLS: an offer says a=setup:actpass; the answerer picks
 * active (DTLS client, the default, as browsers do) or passive
 * (config.answer_setup). The remote a=fingerprint is checked against the
 * peer's certificate (the MitM defence, RFC 8827 §6.5); a mismatch ends the
 * session with RTG_PEER_EV_FINGERPRINT_MISMATCH. SRTP keys come from the
 * DTLS exporter (RFC 5764 §4.2): the DTLS client protects with the client
 * write key and salt, the server with the server's.
 *
 * Echo (config.echo): every data-channel message received is sent back on
 * the same channel; every RTP packet received is sent back on the peer's own
 * SSRC for that media section (same payload, same payload type, its own
 * sequence numbers and timestamps offset), re-protected with the local
 * keys. RTCP: sender/receiver reports are generated periodically for the
 * streams sent and received (loss and jitter from rtg_rtp_source), a NACK
 * for an echoed stream is answered by retransmitting from a short history,
 * a PLI for it is forwarded to the original sender as a PLI of our own.
 *
 * Security: binding requests that fail MESSAGE-INTEGRITY with the local
 * ice-pwd (or carry none) are never answered; unauthenticated requests
 * (from addresses that have not yet passed a check) are rate limited by a
 * token bucket (config.stun_checks_per_sec); both are counted in
 * rtg_peer_stats and neither affects an established session.
 *
 * Lifetimes: pointers in a struct rtg_peer_event stay valid until the next
 * call on the peer. Strings in the config are copied by rtg_peer_new; the
 * certificate, if given, must outlive the peer.
 */
#ifndef RTG_PEER_H
#define RTG_PEER_H

#include "rtg/core.h"
#include "rtg/dtls.h"
#include "rtg/ice.h"
#include "rtg/sctp.h"
#include "rtg/sdp.h"
#include "rtg/srtp.h"
#include "rtg/stun.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTG_PEER_MAX_DATAGRAM 1600   /* a |cap| this large always suffices */
#define RTG_PEER_MAX_SDP 16384       /* a |cap| this large always suffices */
#define RTG_PEER_MAX_CANDIDATE 256   /* "candidate:..." lines, with the NUL */
#define RTG_PEER_MAX_CODECS 8        /* entries of rtg_peer_config.codecs */
#define RTG_PEER_MAX_SRTP_PROFILES 4 /* entries of rtg_peer_config.srtp_profiles */
#define RTG_PEER_MAX_CHANNELS 32     /* data channels tracked for statistics */
#define RTG_PEER_MAX_STREAMS 16      /* RTP streams (SSRCs) tracked, sent + received */
#define RTG_PEER_MAX_MEDIA 8         /* media sections of one session */

/* Echo behaviour flags (rtg_peer_config.echo). */
enum rtg_peer_echo {
  RTG_PEER_ECHO_NONE = 0,
  RTG_PEER_ECHO_DATA = 1u << 0,  /* data-channel messages sent back on their channel */
  RTG_PEER_ECHO_MEDIA = 1u << 1, /* RTP echoed on our SSRC, with RTCP answered */
  RTG_PEER_ECHO_ALL = RTG_PEER_ECHO_DATA | RTG_PEER_ECHO_MEDIA,
};

/* The TURN server the peer allocates a relay candidate on (RFC 8656). The
 * peer's own TURN client talks to |server| from the local host address
 * |local| (one the caller has a socket on): its datagrams come out of
 * rtg_peer_poll_transmit with src = |local|, and the caller feeds the
 * server's answers to rtg_peer_handle_datagram with local = |local|. */
struct rtg_peer_turn {
  struct rtg_stun_addr server;
  struct rtg_stun_addr local;
  const char *username; /* long-term credential (copied) */
  const char *password;
};

struct rtg_peer_config {
  uint8_t ice_mode; /* enum rtg_ice_mode: RTG_ICE_FULL (default) or RTG_ICE_LITE */
  /* Trickle ICE (RFC 8838): local candidates are reported as
   * RTG_PEER_EV_LOCAL_CANDIDATE and descriptions carry
   * a=ice-options:trickle; otherwise descriptions carry every candidate
   * gathered so far and a=end-of-candidates (wait for
   * RTG_PEER_EV_GATHERING_DONE before creating them). */
  bool trickle;
  bool audio, video, data; /* sections of the offers we create */
  /* Codecs accepted, by encoding name ("opus", "VP8", "VP9", "H264"),
   * NULL-terminated; NULL accepts every codec rtg_jsep_answer knows. At
   * most RTG_PEER_MAX_CODECS. */
  const char *const *codecs;
  /* use_srtp profiles in preference order (enum rtg_srtp_profile values);
   * n == 0: AES128_CM_HMAC_SHA1_80, AEAD_AES_128_GCM, AEAD_AES_256_GCM. */
  uint16_t srtp_profiles[RTG_PEER_MAX_SRTP_PROFILES];
  size_t n_srtp_profiles;
  size_t mtu;                /* largest datagram sent; 0 = 1200 */
  uint64_t max_message_size; /* a=max-message-size we announce; 0 = 262144 */
  uint16_t sctp_port;        /* a=sctp-port; 0 = 5000 */
  unsigned echo;             /* enum rtg_peer_echo flags */
  /* The a=setup of our answers: RTG_SDP_SETUP_ACTIVE (default, DTLS client)
   * or RTG_SDP_SETUP_PASSIVE (DTLS server). */
  enum rtg_sdp_setup answer_setup;
  /* As DTLS client, send the ClientHello on the first valid ICE pair (as
   * Chromium does) rather than once a pair is selected (the default, as
   * Firefox does, which drops DTLS that arrives before its own ICE is
   * connected). As DTLS server the peer always answers on a valid pair
   * (RFC 8445 §12.1), and keeps a ClientHello that comes before the
   * answer (RFC 5763 §5). */
  bool dtls_client_early;
  /* NSS key log lines of the DTLS session (no newline), or NULL. */
  void (*keylog)(void *ud, const char *line);
  void *keylog_ud;
  /* Our certificate (must outlive the peer); NULL: one is generated. */
  const struct rtg_dtls_cert *cert;
  /* Deterministic DTLS (tests, fuzzing): the generated certificate and the
   * handshake randomness are drawn from the context (rtg_dtls_cert_generate_seeded,
   * rtg_dtls_config.seeded_rng). */
  bool seeded_rng;
  /* A TURN server to allocate a relay candidate on (NULL: none). */
  const struct rtg_peer_turn *turn;
  /* Only the relay candidate is used and advertised (needs |turn|). */
  bool relay_only;
  /* Simulated loss inside the peer: this many per mille of the datagrams
   * received / sent are dropped, drawn from the context's randomness. */
  uint16_t loss_permille_in;
  uint16_t loss_permille_out;
  /* Unauthenticated binding requests answered per second (token bucket,
   * burst of the same size); 0 = 50. */
  uint32_t stun_checks_per_sec;
  /* RTCP report interval (RFC 3550 §6.2, fixed here); 0 = 1 s. */
  rtg_time rtcp_interval;
  /* Fixed initial local ICE credentials (fuzzing, reproducible tests;
   * copied), 4..32 and 22..32 ice-chars; NULL: drawn from the context.
   * An ICE restart always draws new ones. */
  const char *ice_ufrag;
  const char *ice_pwd;
};

/* rtg_peer_config_default fills |cfg| with the defaults above (full ICE,
 * non-trickle, audio + video + data offered, echo off). */
void rtg_peer_config_default(struct rtg_peer_config *cfg);

enum rtg_peer_sdp_type {
  RTG_PEER_SDP_OFFER = 1,
  RTG_PEER_SDP_ANSWER = 2,
};

enum rtg_peer_event_type {
  RTG_PEER_EV_LOCAL_CANDIDATE = 1,  /* |candidate|: a "candidate:..." line to trickle */
  RTG_PEER_EV_GATHERING_DONE,       /* every local candidate is known (incl. relay) */
  RTG_PEER_EV_TURN_ALLOCATED,       /* |local| is the relay candidate */
  RTG_PEER_EV_TURN_FAILED,          /* |reason|, |error| (the STUN error code or 0) */
  RTG_PEER_EV_MDNS_RESOLVE,         /* |hostname| needs resolving: rtg_peer_resolve_mdns */
  RTG_PEER_EV_ICE_SELECTED_PAIR,    /* |local|, |remote| */
  RTG_PEER_EV_ICE_CONNECTED,        /* first selected pair: |local|, |remote| */
  RTG_PEER_EV_ICE_FAILED,           /* every pair failed */
  RTG_PEER_EV_ICE_CONSENT_LOST,     /* RFC 7675: the session is over */
  RTG_PEER_EV_DTLS_CONNECTED,       /* |dtls_role|, |srtp_profile| (0: none) */
  RTG_PEER_EV_DTLS_FAILED,          /* |reason| */
  RTG_PEER_EV_FINGERPRINT_MISMATCH, /* |reason|: the remote certificate is not
                                       the one of a=fingerprint */
  RTG_PEER_EV_SCTP_CONNECTED,       /* data channels may be opened */
  RTG_PEER_EV_CHANNEL_OPEN,         /* the remote opened |sid|: |label|, |protocol| */
  RTG_PEER_EV_CHANNEL_ACKED,        /* our channel |sid| was acknowledged */
  RTG_PEER_EV_CHANNEL_MESSAGE,      /* |sid|, |binary|, |data|, |len| */
  RTG_PEER_EV_CHANNEL_CLOSED,       /* |sid| */
  RTG_PEER_EV_RTP,                  /* decrypted RTP: |data|, |len|, |ssrc|, |pt|, |mid| */
  RTG_PEER_EV_RTCP,                 /* decrypted (compound) RTCP: |data|, |len| */
  RTG_PEER_EV_CLOSED,               /* the session ended: |reason| */
};

struct rtg_peer_event {
  enum rtg_peer_event_type type;
  struct rtg_ice_cand local, remote;
  const char *candidate; /* LOCAL_CANDIDATE: "candidate:...", no a= */
  const char *hostname;  /* MDNS_RESOLVE */
  const char *reason;    /* failures and CLOSED: static text */
  int error;             /* TURN_FAILED: STUN error code; otherwise an rtg_err */
  enum rtg_dtls_role dtls_role;
  uint16_t srtp_profile;
  uint16_t sid;
  bool binary;
  uint8_t channel_type;
  struct rtg_slice label, protocol;
  uint32_t ssrc;
  uint8_t pt;
  const char *mid; /* RTP: the media section's mid ("" if unknown) */
  const uint8_t *data;
  size_t len;
};

/* Per-SSRC counters (one entry per stream sent or received). */
struct rtg_peer_stream_stats {
  uint32_t ssrc;
  bool outbound; /* sent by us */
  uint8_t kind;  /* enum rtg_sdp_media_kind */
  uint64_t packets, bytes;
  uint64_t nacks, plis;   /* received for an outbound stream, sent for inbound */
  uint64_t retransmitted; /* packets resent for NACKs (outbound) */
  uint64_t srtp_failures; /* inbound: packets failing authentication/replay */
  int32_t lost;           /* inbound: cumulative lost (RFC 3550 A.3) */
  uint32_t jitter;        /* inbound: interarrival jitter, timestamp units */
  uint64_t reports;       /* SR/RR sent about this stream */
};

struct rtg_peer_channel_stats {
  uint16_t sid;
  uint8_t channel_type;
  bool open;
  char label[64];
  uint64_t messages_in, messages_out, bytes_in, bytes_out;
};

struct rtg_peer_stats {
  bool ice_connected;
  uint8_t ice_role;                  /* enum rtg_ice_role */
  struct rtg_ice_cand local, remote; /* the selected pair when connected */
  bool dtls_connected;
  enum rtg_dtls_role dtls_role;
  uint16_t dtls_version; /* RTG_DTLS_V12 etc., 0 before the handshake */
  uint16_t srtp_profile;
  bool sctp_connected;
  rtg_time ice_connected_at, dtls_connected_at, sctp_connected_at; /* 0: not yet */
  uint64_t datagrams_in, datagrams_out, bytes_in, bytes_out;
  uint64_t loss_dropped_in, loss_dropped_out; /* simulated loss */
  uint64_t unknown_dropped;                   /* matched no RFC 7983 range */
  uint64_t stun_rate_limited;                 /* unauthenticated checks not answered */
  uint64_t stun_bad_integrity;                /* failing/missing integrity, not answered */
  uint64_t ice_restarts;
  uint64_t events_dropped; /* the event queue or its payload space was full */
  size_t nstreams;
  struct rtg_peer_stream_stats streams[RTG_PEER_MAX_STREAMS];
  size_t nchannels;
  struct rtg_peer_channel_stats channels[RTG_PEER_MAX_CHANNELS];
};

struct rtg_peer;

/* rtg_peer_new creates a peer through |ctx| (which must outlive it; its
 * randomness draws ICE credentials, the certificate unless given, SSRCs,
 * tie-breakers and the simulated loss) configured by |cfg|. With a TURN
 * server it starts the allocation at |now| (datagrams are ready in
 * poll_transmit).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_NOMEM, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_peer_new(struct rtg_peer **out, const struct rtg_ctx *ctx,
                               const struct rtg_peer_config *cfg, rtg_time now);
void rtg_peer_free(struct rtg_peer *p);

/* ---- candidates ------------------------------------------------------- */

/* rtg_peer_add_local_candidate adds a host or srflx candidate the caller
 * gathered (|c->base| = the local address of its socket). With trickle it
 * is reported back as RTG_PEER_EV_LOCAL_CANDIDATE.
 * returns 0 or one of: RTG_ERR_INVAL (relay type, or relay_only), RTG_ERR_NOBUF
 * (too many candidates). */
RTG_NODISCARD int rtg_peer_add_local_candidate(struct rtg_peer *p, const struct rtg_ice_cand *c);

/* rtg_peer_local_candidates_done: the caller gathered everything it will;
 * RTG_PEER_EV_GATHERING_DONE follows once the TURN allocation (if any)
 * succeeded or failed. */
void rtg_peer_local_candidates_done(struct rtg_peer *p);

/* rtg_peer_gathering_done tells whether gathering is complete. */
bool rtg_peer_gathering_done(const struct rtg_peer *p);

/* rtg_peer_add_remote_candidate adds a trickled remote candidate: |line| is
 * "candidate:..." (an "a=" prefix is accepted); an empty |line| is the
 * end of candidates. mDNS names are reported with RTG_PEER_EV_MDNS_RESOLVE.
 * returns 0 or one of: RTG_ERR_PARSE (bad candidate; |perr| says why),
 * RTG_ERR_UNSUPPORTED (TCP candidates, ignored), RTG_ERR_STATE (no remote
 * description yet), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_peer_add_remote_candidate(struct rtg_peer *p, const char *line,
                                                struct rtg_perr *perr);

/* rtg_peer_end_of_candidates: the remote sent end-of-candidates. */
void rtg_peer_end_of_candidates(struct rtg_peer *p);

/* rtg_peer_resolve_mdns gives the address of a remote mDNS |hostname|.
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_peer_resolve_mdns(struct rtg_peer *p, const char *hostname,
                                        const struct rtg_stun_addr *addr);

/* ---- offer / answer --------------------------------------------------- */

/* rtg_peer_create_offer writes an offer (config.audio/video/data sections,
 * BUNDLE, rtcp-mux, setup:actpass, our ICE credentials and fingerprint;
 * the candidates gathered so far and a=end-of-candidates unless trickle)
 * into |buf| (NUL-terminated) and makes it the local description. After
 * rtg_peer_restart_ice it carries the new credentials.
 * returns 0 or one of: RTG_ERR_STATE (an offer is already pending or the
 * session is closed), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_peer_create_offer(struct rtg_peer *p, char *buf, size_t cap, size_t *len);

/* rtg_peer_set_remote_description applies the remote |sdp| of |type|
 * (enum rtg_peer_sdp_type): ICE credentials, candidates (mDNS ones are
 * reported for resolution), end-of-candidates, ice-lite, fingerprint,
 * setup role, sctp-port, max-message-size, payload types and SSRCs per
 * mid. An answer must answer our pending offer. A description changing the
 * ICE credentials restarts ICE; DTLS, SCTP and SRTP are kept. |perr| says
 * what is unacceptable, with the byte offset of the line (rtg_sdp_line_at
 * turns it into a line number) and the attribute.
 * returns 0 or one of: RTG_ERR_PARSE (malformed SDP), RTG_ERR_UNSUPPORTED
 * (valid but unacceptable: no fingerprint, no ICE credentials, no BUNDLE
 * transport, a setup role we cannot take...), RTG_ERR_STATE (wrong type
 * now), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_peer_set_remote_description(struct rtg_peer *p, rtg_time now, int type,
                                                  const char *sdp, size_t len,
                                                  struct rtg_perr *perr);

/* rtg_peer_create_answer writes the answer to the remote offer (RFC 8829
 * §5.3: sections accepted per the codec list, BUNDLE, our setup role from
 * config.answer_setup, sctp-port, max-message-size) into |buf|
 * (NUL-terminated) and makes it the local description; ICE checks start.
 * returns 0 or one of: RTG_ERR_STATE (no remote offer pending),
 * RTG_ERR_UNSUPPORTED (nothing acceptable; |perr| says why), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_peer_create_answer(struct rtg_peer *p, rtg_time now, char *buf, size_t cap,
                                         size_t *len, struct rtg_perr *perr);

/* rtg_peer_restart_ice draws new local ICE credentials (RFC 8445 §9); the
 * next rtg_peer_create_offer carries them. The selected pair, DTLS, SCTP
 * and SRTP stay up; consent continues on the old pair until a new one is
 * selected.
 * returns 0 or one of: RTG_ERR_STATE (no session yet), RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_peer_restart_ice(struct rtg_peer *p);

/* ---- the sans-IO loop ------------------------------------------------- */

/* rtg_peer_handle_datagram feeds one datagram |data| received at |now| on
 * the local address |local| from |src|. Datagrams are never kept beyond
 * the call.
 * returns 0 or one of: RTG_ERR_PARSE (matches no RFC 7983 range or is
 * malformed), RTG_ERR_AUTH (failed integrity/authentication: dropped),
 * RTG_ERR_REPLAY (SRTP replay), RTG_ERR_AGAIN (an unauthenticated check
 * refused by the rate limit), RTG_ERR_NOTFOUND (unknown local address or
 * stream), RTG_ERR_STATE (the session is closed, or nothing is negotiated
 * yet for this kind of datagram). None of them affects the session. */
RTG_NODISCARD int rtg_peer_handle_datagram(struct rtg_peer *p, rtg_time now,
                                           const struct rtg_stun_addr *local,
                                           const struct rtg_stun_addr *src, const uint8_t *data,
                                           size_t len);

/* rtg_peer_handle_timeout runs every timer due at |now| (ICE pacing and
 * consent, DTLS retransmission, SCTP, TURN refreshes, RTCP reports).
 * returns 0. */
RTG_NODISCARD int rtg_peer_handle_timeout(struct rtg_peer *p, rtg_time now);

/* rtg_peer_poll_transmit takes the next datagram to send into |buf| (|cap|
 * >= RTG_PEER_MAX_DATAGRAM is always enough): |*len| bytes to send from the
 * local address |*src| to |*dst|.
 * returns 0 or one of: RTG_ERR_AGAIN (nothing to send), RTG_ERR_NOBUF (the
 * datagram stays queued). */
RTG_NODISCARD int rtg_peer_poll_transmit(struct rtg_peer *p, uint8_t *buf, size_t cap, size_t *len,
                                         struct rtg_stun_addr *src, struct rtg_stun_addr *dst);

/* rtg_peer_poll_timeout: when rtg_peer_handle_timeout is next due, or
 * RTG_TIME_NEVER. */
rtg_time rtg_peer_poll_timeout(const struct rtg_peer *p);

/* rtg_peer_poll_event takes the next event into |ev| (its pointers are
 * valid until the next call on |p|). Drain after every input: at most 256
 * events (and one max_message_size of payloads plus 128 KiB) wait; later
 * ones are dropped, like datagrams on a full socket buffer.
 * returns 0 or one of: RTG_ERR_AGAIN. */
RTG_NODISCARD int rtg_peer_poll_event(struct rtg_peer *p, struct rtg_peer_event *ev);

/* ---- data channels ---------------------------------------------------- */

/* rtg_peer_dc_open opens a data channel (RFC 8832 DCEP unless
 * |o->negotiated|) once RTG_PEER_EV_SCTP_CONNECTED was reported; its
 * stream id is stored in |*sid|.
 * returns 0 or one of: RTG_ERR_STATE (SCTP not up), RTG_ERR_INVAL,
 * RTG_ERR_NOTFOUND (no free id), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_peer_dc_open(struct rtg_peer *p, rtg_time now,
                                   const struct rtg_dc_channel_opts *o, uint16_t *sid);

/* rtg_peer_dc_send sends one message (copied) on channel |sid|, up to the
 * remote a=max-message-size.
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_STATE, RTG_ERR_INVAL (too
 * large), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_peer_dc_send(struct rtg_peer *p, rtg_time now, uint16_t sid, bool binary,
                                   const void *data, size_t len);

/* rtg_peer_dc_close closes channel |sid| (RFC 8831 §6.7).
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_STATE, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_peer_dc_close(struct rtg_peer *p, uint16_t sid);

/* rtg_peer_dc_buffered: bytes queued or in flight on |sid|. */
size_t rtg_peer_dc_buffered(const struct rtg_peer *p, uint16_t sid);

/* ---- media ------------------------------------------------------------ */

/* rtg_peer_local_ssrc returns the SSRC we send on (and echo on, and write
 * our reports from) in media sections of |kind| (enum rtg_sdp_media_kind:
 * audio or video; drawn once per peer), or 0 for any other kind. */
uint32_t rtg_peer_local_ssrc(const struct rtg_peer *p, int kind);

/* rtg_peer_send_rtp protects the plain RTP packet |pkt| (copied) with the
 * local SRTP keys and queues it on the selected pair.
 * returns 0 or one of: RTG_ERR_STATE (DTLS-SRTP not up), RTG_ERR_PARSE (not
 * RTP), RTG_ERR_NOBUF (too large for the MTU), RTG_ERR_AGAIN (send queue
 * full), RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_peer_send_rtp(struct rtg_peer *p, rtg_time now, const uint8_t *pkt,
                                    size_t len);

/* rtg_peer_send_rtcp: the same for a (compound) RTCP packet.
 * returns 0 or one of: as rtg_peer_send_rtp. */
RTG_NODISCARD int rtg_peer_send_rtcp(struct rtg_peer *p, rtg_time now, const uint8_t *pkt,
                                     size_t len);

/* ---- end and statistics ----------------------------------------------- */

/* rtg_peer_close ends the session: SCTP shutdown is skipped, DTLS sends
 * close_notify, the TURN allocation is released; RTG_PEER_EV_CLOSED
 * follows. returns 0 or one of: RTG_ERR_STATE (already closed). */
RTG_NODISCARD int rtg_peer_close(struct rtg_peer *p, rtg_time now);

/* rtg_peer_stats fills |st|. */
void rtg_peer_stats(const struct rtg_peer *p, struct rtg_peer_stats *st);

/* rtg_peer_event_name: "ice-connected", "channel-message", ... (never NULL). */
const char *rtg_peer_event_name(enum rtg_peer_event_type t);

#ifdef __cplusplus
}
#endif
#endif /* RTG_PEER_H */
