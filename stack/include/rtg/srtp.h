/*
 * rtg/srtp.h - SRTP/SRTCP (RFC 3711, RFC 7714; KDF of RFC 6188 for
 * AES-256), in place, over OpenSSL EVP contexts that are keyed once per
 * session: per packet only the IV is re-initialised, nothing is allocated.
 * On x86-64 CPUs with AES-NI and the SHA extensions the AES-CM profiles use
 * a stitched AES-CTR + HMAC-SHA1 loop instead (see generic_only).
 *
 * A session holds one master key (optionally with an MKI) and a table of
 * per-SSRC streams created on the first packet of each SSRC (for
 * unprotect: only once that packet authenticated). Each stream keeps its
 * send state (ROC, SRTCP index) and its receive state (ROC estimate,
 * replay windows) apart, so one session may protect and unprotect.
 * A session is not thread-safe.
 */
#ifndef RTG_SRTP_H
#define RTG_SRTP_H

#include "rtg/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protection profiles, numbered as the DTLS-SRTP registry (RFC 5764 §4.1.2,
 * RFC 7714 §14.2). */
enum rtg_srtp_profile {
  RTG_SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001,
  RTG_SRTP_AES128_CM_HMAC_SHA1_32 = 0x0002,
  RTG_SRTP_AEAD_AES_128_GCM = 0x0007,
  RTG_SRTP_AEAD_AES_256_GCM = 0x0008,
};

#define RTG_SRTP_MAX_MKI 16
#define RTG_SRTP_MAX_TRAILER (16 + RTG_SRTP_MAX_MKI + 4) /* tag + MKI + SRTCP index */

struct rtg_srtp_policy {
  enum rtg_srtp_profile profile;
  const uint8_t *key; /* master key: 16 bytes, 32 for AEAD_AES_256_GCM */
  size_t key_len;
  const uint8_t *salt; /* master salt: 14 bytes (AES-CM) or 12 (GCM) */
  size_t salt_len;
  const uint8_t *mki;          /* optional master key identifier (RFC 3711 §3.1) */
  size_t mki_len;              /* 0..RTG_SRTP_MAX_MKI */
  uint32_t replay_window;      /* SRTP, packets; 0 = 1024; multiple of 64, <= 32768 */
  uint32_t rtcp_replay_window; /* SRTCP; 0 = 128; multiple of 64, <= 32768 */
  size_t max_streams;          /* 0 = 64 */
  bool fixed_ssrcs;            /* only SSRCs added with rtg_srtp_stream_add are accepted */
  /* AES-CM profiles run on a CPU-specific path when the CPU has one (x86-64
   * with AES-NI and the SHA extensions: AES-CTR and HMAC-SHA1 computed in
   * one loop), decided once in rtg_srtp_create; otherwise on OpenSSL EVP.
   * Both produce the same bytes. generic_only forces the EVP path (tests
   * compare the two; a benchmark may measure either). */
  bool generic_only;
};

struct rtg_srtp;

/* rtg_srtp_profile_name returns "AES_CM_128_HMAC_SHA1_80" etc., or NULL. */
RTG_NODISCARD const char *rtg_srtp_profile_name(enum rtg_srtp_profile p);
/* rtg_srtp_profile_from_name parses the names above and the DTLS-SRTP ones
 * ("SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_128_GCM", ...); 0 if unknown. */
RTG_NODISCARD enum rtg_srtp_profile rtg_srtp_profile_from_name(const char *name);
/* Master key and salt lengths of |p| (0 for an unknown profile). */
RTG_NODISCARD size_t rtg_srtp_profile_key_len(enum rtg_srtp_profile p);
RTG_NODISCARD size_t rtg_srtp_profile_salt_len(enum rtg_srtp_profile p);
/* Bytes an SRTP / SRTCP packet grows by under |p| with an MKI of |mki_len|. */
RTG_NODISCARD size_t rtg_srtp_profile_rtp_overhead(enum rtg_srtp_profile p, size_t mki_len);
RTG_NODISCARD size_t rtg_srtp_profile_rtcp_overhead(enum rtg_srtp_profile p, size_t mki_len);

/* rtg_srtp_create derives the session keys (RFC 3711 §4.3, key derivation
 * rate 0) and keys the cipher and MAC contexts once.
 * returns 0 or one of: RTG_ERR_INVAL (bad profile, key/salt/MKI length,
 * window), RTG_ERR_NOMEM, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_srtp_create(struct rtg_srtp **out, const struct rtg_ctx *ctx,
                                  const struct rtg_srtp_policy *policy);
void rtg_srtp_destroy(struct rtg_srtp *s);

/* rtg_srtp_stream_add registers |ssrc| ahead of its first packet (needed
 * when the policy has fixed_ssrcs). returns 0 or one of: RTG_ERR_NOMEM
 * (table full). */
RTG_NODISCARD int rtg_srtp_stream_add(struct rtg_srtp *s, uint32_t ssrc);

/* rtg_srtp_stream_remove forgets |ssrc| (e.g. after an RTCP BYE): its ROC,
 * SRTCP index and replay windows. A later packet of |ssrc| starts afresh.
 * returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_srtp_stream_remove(struct rtg_srtp *s, uint32_t ssrc);

/* rtg_srtp_stream_set_roc sets the rollover counter of |ssrc| for both
 * directions (e.g. from signalling, RFC 4568 or when joining a stream).
 * returns 0 or one of: RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_srtp_stream_set_roc(struct rtg_srtp *s, uint32_t ssrc, uint32_t roc);

/* rtg_srtp_protect turns the RTP packet |pkt| (|len| bytes, buffer of
 * |cap| bytes) into SRTP in place.
 * returns the SRTP length or one of: RTG_ERR_PARSE (not an RTP packet),
 * RTG_ERR_NOBUF (|cap| too small for the trailer), RTG_ERR_NOTFOUND
 * (SSRC not admitted), RTG_ERR_NOMEM (stream table full), RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_srtp_protect(struct rtg_srtp *s, uint8_t *pkt, size_t len, size_t cap);

/* rtg_srtp_unprotect authenticates and decrypts the SRTP packet |pkt| in
 * place and records it in the replay window.
 * returns the RTP length or one of: RTG_ERR_PARSE (too short or not RTP),
 * RTG_ERR_AUTH (tag mismatch), RTG_ERR_REPLAY (replayed or older than the
 * window), RTG_ERR_NOTFOUND (SSRC not admitted, or MKI unknown),
 * RTG_ERR_NOMEM (stream table full), RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_srtp_unprotect(struct rtg_srtp *s, uint8_t *pkt, size_t len);

/* rtg_srtp_unprotect_to does what rtg_srtp_unprotect does, reading the
 * SRTP packet |in| (left unchanged) and writing the RTP packet to |out|
 * (|cap| bytes; |out| may equal |in|, otherwise the two must not overlap):
 * no copy of the packet first when the input must be kept (pcap replay).
 * Unless the packet authenticates, what |out| holds means nothing.
 * returns the RTP length or one of the errors of rtg_srtp_unprotect, or
 * RTG_ERR_NOBUF (|cap| smaller than the RTP packet). */
RTG_NODISCARD ptrdiff_t rtg_srtp_unprotect_to(struct rtg_srtp *s, const uint8_t *in, size_t len,
                                              uint8_t *out, size_t cap);

/* rtg_srtcp_protect / rtg_srtcp_unprotect: the same for (compound) RTCP;
 * the SRTCP index is kept per sender SSRC, the E bit is always set
 * (encryption on). Unprotect accepts E=0 packets (authenticated only).
 * Return values as above. */
RTG_NODISCARD ptrdiff_t rtg_srtcp_protect(struct rtg_srtp *s, uint8_t *pkt, size_t len, size_t cap);
RTG_NODISCARD ptrdiff_t rtg_srtcp_unprotect(struct rtg_srtp *s, uint8_t *pkt, size_t len);

/* rtg_srtp_fast_path returns the name of the CPU-specific path |s| uses
 * ("x86-64 AES-NI + SHA-NI"), or NULL when it uses OpenSSL EVP (GCM
 * profiles, policy generic_only, or a CPU without the instructions). */
RTG_NODISCARD const char *rtg_srtp_fast_path(const struct rtg_srtp *s);

/* rtg_srtp_last_index returns the 48-bit packet index (ROC << 16 | SEQ) the
 * last successful rtg_srtp_protect/unprotect used (for tests and decode). */
RTG_NODISCARD uint64_t rtg_srtp_last_index(const struct rtg_srtp *s);

#ifdef __cplusplus
}
#endif
#endif /* RTG_SRTP_H */
