/*
 * srtp_internal.h - pieces of the SRTP implementation exposed to the unit
 * tests (RFC test vectors need the KDF, the raw AES-CM keystream and
 * sessions keyed with given session keys). Not a public API.
 */
#ifndef RTG_SRTP_INTERNAL_H
#define RTG_SRTP_INTERNAL_H

#include "rtg/srtp.h"

/* RFC 3711 §4.3.1 with key derivation rate 0: derives |out_len| bytes for
 * |label| from the master key (16, 24 or 32 bytes: AES_CM PRF of RFC 3711 /
 * AES_192/256_CM_PRF of RFC 6188) and the master salt (up to 14 bytes, a
 * shorter salt is padded with zeros on the right, RFC 7714 errata 4938).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
int rtg_srtp_kdf(const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len,
                 uint8_t label, uint8_t *out, size_t out_len);

/* AES in counter mode from the 16-byte initial counter block |iv|:
 * |n| bytes of keystream. returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
int rtg_srtp_aes_cm_keystream(const uint8_t *key, size_t key_len, const uint8_t iv[16],
                              uint8_t *out, size_t n);

/* Replaces the derived RTP and RTCP session keys of |s| with the given ones
 * (RFC 7714 §16/§17 vectors are stated with session keys). |auth| may be
 * NULL for GCM. returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
int rtg_srtp_set_session_keys(struct rtg_srtp *s, const uint8_t *key, const uint8_t *salt,
                              const uint8_t *auth);

/* Sets the next SRTCP index |ssrc| sends with (RFC 7714 §17 vectors use
 * 0x5d4). returns 0 or one of: RTG_ERR_NOMEM, RTG_ERR_INVAL. */
int rtg_srtp_set_srtcp_index(struct rtg_srtp *s, uint32_t ssrc, uint32_t index);

#endif
