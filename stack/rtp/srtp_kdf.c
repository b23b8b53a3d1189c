/*
 * srtp_kdf.c - SRTP profiles (RFC 5764 §4.1.2, RFC 7714 §14.2), the AES-CM
 * keystream over an AES-ECB context keyed once, and the key derivation of
 * RFC 3711 §4.3 (AES_192/256_CM_PRF of RFC 6188). The packet code in
 * srtp.c uses the keystream for the generic AES-CM path.
 */
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "rtp/srtp_internal.h"

/* ------------------------------------------------------------------------ */
/* Profiles                                                                 */
/* ------------------------------------------------------------------------ */

const char *rtg_srtp_profile_name(enum rtg_srtp_profile p) {
  switch (p) {
    case RTG_SRTP_AES128_CM_HMAC_SHA1_80: return "AES_CM_128_HMAC_SHA1_80";
    case RTG_SRTP_AES128_CM_HMAC_SHA1_32: return "AES_CM_128_HMAC_SHA1_32";
    case RTG_SRTP_AEAD_AES_128_GCM: return "AEAD_AES_128_GCM";
    case RTG_SRTP_AEAD_AES_256_GCM: return "AEAD_AES_256_GCM";
    default: return NULL;
  }
}

enum rtg_srtp_profile rtg_srtp_profile_from_name(const char *name) {
  static const struct {
    const char *n;
    enum rtg_srtp_profile p;
  } names[] = {
      {"AES_CM_128_HMAC_SHA1_80", RTG_SRTP_AES128_CM_HMAC_SHA1_80},
      {"SRTP_AES128_CM_SHA1_80", RTG_SRTP_AES128_CM_HMAC_SHA1_80},
      {"SRTP_AES128_CM_HMAC_SHA1_80", RTG_SRTP_AES128_CM_HMAC_SHA1_80},
      {"AES_CM_128_HMAC_SHA1_32", RTG_SRTP_AES128_CM_HMAC_SHA1_32},
      {"SRTP_AES128_CM_SHA1_32", RTG_SRTP_AES128_CM_HMAC_SHA1_32},
      {"SRTP_AES128_CM_HMAC_SHA1_32", RTG_SRTP_AES128_CM_HMAC_SHA1_32},
      {"AEAD_AES_128_GCM", RTG_SRTP_AEAD_AES_128_GCM},
      {"SRTP_AEAD_AES_128_GCM", RTG_SRTP_AEAD_AES_128_GCM},
      {"AEAD_AES_256_GCM", RTG_SRTP_AEAD_AES_256_GCM},
      {"SRTP_AEAD_AES_256_GCM", RTG_SRTP_AEAD_AES_256_GCM},
  };
  if (name == NULL) return (enum rtg_srtp_profile)0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(name, names[i].n) == 0) return names[i].p;
  return (enum rtg_srtp_profile)0;
}

size_t rtg_srtp_profile_key_len(enum rtg_srtp_profile p) {
  switch (p) {
    case RTG_SRTP_AES128_CM_HMAC_SHA1_80:
    case RTG_SRTP_AES128_CM_HMAC_SHA1_32:
    case RTG_SRTP_AEAD_AES_128_GCM: return 16;
    case RTG_SRTP_AEAD_AES_256_GCM: return 32;
    default: return 0;
  }
}

size_t rtg_srtp_profile_salt_len(enum rtg_srtp_profile p) {
  switch (p) {
    case RTG_SRTP_AES128_CM_HMAC_SHA1_80:
    case RTG_SRTP_AES128_CM_HMAC_SHA1_32: return 14;
    case RTG_SRTP_AEAD_AES_128_GCM:
    case RTG_SRTP_AEAD_AES_256_GCM: return 12;
    default: return 0;
  }
}

size_t rtg_srtp_profile_tag_len(enum rtg_srtp_profile p, bool rtcp) {
  switch (p) {
    case RTG_SRTP_AES128_CM_HMAC_SHA1_80: return 10;
    /* RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag in the _32 profile. */
    case RTG_SRTP_AES128_CM_HMAC_SHA1_32: return rtcp ? 10 : 4;
    case RTG_SRTP_AEAD_AES_128_GCM:
    case RTG_SRTP_AEAD_AES_256_GCM: return 16 /* GCM tag */;
    default: return 0;
  }
}

size_t rtg_srtp_profile_rtp_overhead(enum rtg_srtp_profile p, size_t mki_len) {
  return rtg_srtp_profile_tag_len(p, false) + mki_len;
}

size_t rtg_srtp_profile_rtcp_overhead(enum rtg_srtp_profile p, size_t mki_len) {
  return rtg_srtp_profile_tag_len(p, true) + mki_len + 4;
}

/* ------------------------------------------------------------------------ */
/* Key derivation (RFC 3711 §4.3)                                           */
/* ------------------------------------------------------------------------ */

const EVP_CIPHER *rtg_srtp_ecb_cipher(size_t key_len) {
  switch (key_len) {
    case 16: return EVP_aes_128_ecb();
    case 24: return EVP_aes_192_ecb();
    case 32: return EVP_aes_256_ecb();
    default: return NULL;
  }
}

/* AES-CM (RFC 3711 §4.1.1): keystream block i = AES(IV + i). The IV's low
 * 16 bits are zero and a packet is far below 2^16 blocks, so IV + i is the
 * IV with i in its last two bytes. The counter blocks are encrypted in
 * batches through |ecb| (an AES-ECB context keyed once); |p| = |in| XOR
 * keystream (|p| may equal |in|). */
int rtg_srtp_ecb_ctr(EVP_CIPHER_CTX *ecb, const uint8_t iv[16], const uint8_t *in, uint8_t *p,
                     size_t n) {
  uint8_t ctr[16 * 64], ks[16 * 64];
  uint32_t blk = 0;
  while (n) {
    size_t chunk = n < sizeof ks ? n : sizeof ks, nb = (chunk + 15) / 16;
    int outl;
    if (blk + nb > 0x10000u) return RTG_ERR_INVAL; /* cannot happen for SRTP sizes */
    for (size_t i = 0; i < nb; i++) {
      memcpy(ctr + 16 * i, iv, 14);
      rtg_store_u16(ctr + 16 * i + 14, (uint16_t)(blk + i));
    }
    if (EVP_EncryptUpdate(ecb, ks, &outl, ctr, (int)(nb * 16)) != 1 || (size_t)outl != nb * 16)
      return RTG_ERR_CRYPTO;
    for (size_t i = 0; i < chunk; i++) p[i] = in[i] ^ ks[i];
    in += chunk;
    p += chunk;
    n -= chunk;
    blk += (uint32_t)nb;
  }
  return 0;
}

/* An AES-ECB context keyed with |key| (no padding), or NULL. */
EVP_CIPHER_CTX *rtg_srtp_ecb_new(const EVP_CIPHER *c, const uint8_t *key) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx != NULL && (c == NULL || EVP_EncryptInit_ex(ctx, c, NULL, key, NULL) != 1 ||
                      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)) {
    EVP_CIPHER_CTX_free(ctx);
    ctx = NULL;
  }
  return ctx;
}

int rtg_srtp_aes_cm_keystream(const uint8_t *key, size_t key_len, const uint8_t iv[16],
                              uint8_t *out, size_t n) {
  const EVP_CIPHER *c = rtg_srtp_ecb_cipher(key_len);
  EVP_CIPHER_CTX *ctx;
  int r;
  if (c == NULL || n > INT32_MAX || n > 16u * 0x10000u) return RTG_ERR_INVAL;
  ctx = rtg_srtp_ecb_new(c, key);
  if (ctx == NULL) return RTG_ERR_CRYPTO;
  memset(out, 0, n);
  if (iv[14] == 0 && iv[15] == 0) {
    r = rtg_srtp_ecb_ctr(ctx, iv, out, out, n);
  } else {
    /* a counter that does not start at a 2^16 boundary: one block at a
     * time, with the carry */
    uint8_t ctr[16], ks[16];
    int outl;
    memcpy(ctr, iv, 16);
    r = 0;
    for (size_t off = 0; off < n && !r; off += 16) {
      if (EVP_EncryptUpdate(ctx, ks, &outl, ctr, 16) != 1) r = RTG_ERR_CRYPTO;
      for (size_t i = 0; i < 16 && off + i < n; i++) out[off + i] ^= ks[i];
      for (int i = 15; i >= 0 && ++ctr[i] == 0; i--) continue;
    }
  }
  EVP_CIPHER_CTX_free(ctx);
  return r;
}

/* The PRF input of RFC 3711 §4.3.1 with key derivation rate 0:
 * x = key_id XOR master_salt, key_id = label || r (r = 0), aligned so that
 * the label lands on octet 7 of the 14-byte salt; the input is x * 2^16. */
void rtg_srtp_kdf_iv(uint8_t iv[16], const uint8_t *salt, size_t salt_len, uint8_t label) {
  memset(iv, 0, 16);
  memcpy(iv, salt, salt_len);
  iv[7] ^= label;
}

int rtg_srtp_kdf(const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len,
                 uint8_t label, uint8_t *out, size_t out_len) {
  uint8_t iv[16];
  if (salt_len > 14) return RTG_ERR_INVAL;
  rtg_srtp_kdf_iv(iv, salt, salt_len, label);
  return rtg_srtp_aes_cm_keystream(key, key_len, iv, out, out_len);
}
