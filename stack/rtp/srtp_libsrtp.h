/*
 * srtp_libsrtp.h - a libsrtp2 session configured like an rtcgate one, for
 * the programs that compare against the oracle (srtp_test, fuzz/srtp_diff,
 * bench srtp). Header-only so that rtg_rtp itself does not link libsrtp2.
 */
#ifndef RTG_SRTP_LIBSRTP_H
#define RTG_SRTP_LIBSRTP_H

#include <srtp2/srtp.h>
#include <string.h>

#include "rtg/srtp.h"

/* rtg_libsrtp_session creates a libsrtp2 session for |p| keyed with
 * |keysalt| (master key then salt, contiguous, as libsrtp2 reads it; must
 * outlive the call only), inbound (any SSRC, window 1024) or outbound
 * (repeats allowed), with an MKI when |mki_len| > 0. NULL on failure. */
static inline srtp_t rtg_libsrtp_session(enum rtg_srtp_profile p, bool inbound, uint8_t *keysalt,
                                         uint8_t *mki, size_t mki_len) {
  srtp_policy_t pol;
  srtp_master_key_t mk, *mks[1];
  srtp_t s = NULL;
  memset(&pol, 0, sizeof pol);
  switch (p) {
    case RTG_SRTP_AES128_CM_HMAC_SHA1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
      break;
    case RTG_SRTP_AES128_CM_HMAC_SHA1_32:
      /* RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag */
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
      break;
    case RTG_SRTP_AEAD_AES_128_GCM:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
      break;
    case RTG_SRTP_AEAD_AES_256_GCM:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtcp);
      break;
    default: return NULL;
  }
  pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  pol.window_size = 1024;
  pol.allow_repeat_tx = 1;
  if (mki_len) {
    mk.key = keysalt;
    mk.mki_id = mki;
    mk.mki_size = (unsigned)mki_len;
    mks[0] = &mk;
    pol.keys = mks;
    pol.num_master_keys = 1;
  } else {
    pol.key = keysalt;
  }
  if (srtp_create(&s, &pol) != srtp_err_status_ok) return NULL;
  return s;
}

#endif
