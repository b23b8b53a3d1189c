/*
 * srtp_internal.h - pieces of the SRTP implementation exposed to the unit
 * tests (RFC test vectors need the KDF, the raw AES-CM keystream and
 * sessions keyed with given session keys). Not a public API.
 */
#ifndef RTG_SRTP_INTERNAL_H
#define RTG_SRTP_INTERNAL_H

#include <openssl/evp.h>

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

/* ---- shared by srtp.c and srtp_kdf.c ------------------------------------ */

/* Tag length of |p| for SRTP or (|rtcp|) SRTCP; 0 for an unknown profile. */
size_t rtg_srtp_profile_tag_len(enum rtg_srtp_profile p, bool rtcp);

/* The EVP AES-ECB cipher for a 16/24/32-byte key, or NULL. */
const EVP_CIPHER *rtg_srtp_ecb_cipher(size_t key_len);

/* An AES-ECB context (no padding) keyed with |key|, or NULL. */
EVP_CIPHER_CTX *rtg_srtp_ecb_new(const EVP_CIPHER *c, const uint8_t *key);

/* AES-CM through the ECB context |ecb|: out = in XOR the keystream from the
 * IV |iv| (low 16 bits zero), |n| bytes, |out| may equal |in|.
 * returns 0 or one of: RTG_ERR_INVAL (beyond 2^16 blocks), RTG_ERR_CRYPTO. */
int rtg_srtp_ecb_ctr(EVP_CIPHER_CTX *ecb, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                     size_t n);

/* The KDF's IV for |label| (RFC 3711 §4.3.1, key derivation rate 0). */
void rtg_srtp_kdf_iv(uint8_t iv[16], const uint8_t *salt, size_t salt_len, uint8_t label);

/* ---- CPU-specific fast path of the AES-CM + HMAC-SHA1 profiles ---------- */

/* Per-keyset state of a fast path: AES-128 round keys and the HMAC-SHA1
 * states after the ipad and opad blocks (FIPS 180-4 word order). */
struct rtg_srtp_fast {
  uint8_t rk[11][16];
  uint32_t inner[5], outer[5];
};

/* A fast path, chosen once per session; the session falls back to the EVP
 * code when none is available or the policy sets generic_only. The IVs
 * are AES-CM IVs with their low 16 bits zero; lengths are below 2^20. */
struct rtg_srtp_fast_ops {
  const char *name;
  /* keys |f| from the 16-byte session encryption key and 20-byte auth key */
  void (*init)(struct rtg_srtp_fast *f, const uint8_t key[16], const uint8_t auth[20]);
  /* encrypts p[off..len) in place; tag = HMAC-SHA1(p[0..len) || sfx) */
  void (*seal)(const struct rtg_srtp_fast *f, const uint8_t iv[16], uint8_t *p, size_t off,
               size_t len, const uint8_t *sfx, size_t sfx_len, uint8_t tag[20]);
  /* tag = HMAC-SHA1(in[0..len) || sfx) and decrypts in[off..len) to
   * out[off..len) (|out| == |in| or disjoint; out[0..off) untouched) */
  void (*open)(const struct rtg_srtp_fast *f, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
               size_t off, size_t len, const uint8_t *sfx, size_t sfx_len, uint8_t tag[20]);
  /* out = in XOR keystream, |n| bytes */
  void (*ctr)(const struct rtg_srtp_fast *f, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
              size_t n);
};

/* The x86-64 AES-NI + SHA-NI path (srtp_x86.c), or NULL when the CPU (or
 * the architecture) does not have it. */
const struct rtg_srtp_fast_ops *rtg_srtp_x86_ops(void);

#endif
