/*
 * crypto.c - SHA-x/MD5 digests (EVP) and HMAC. The HMAC object is keyed once
 * (the hash states after ipad and opad are kept); each message starts from a
 * copy of them, so no per-message key schedule or allocation happens.
 */
/* the low-level hash API below is deprecated in OpenSSL 3 (see rtg_hmac) */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

#include "rtg/core.h"

static const struct {
  enum rtg_hash_alg alg;
  const char *sdp_name; /* RFC 8122 / IANA hash function textual names */
  const char *ossl_name;
  size_t size;
} hash_tab[] = {
    {RTG_HASH_MD5, "md5", "MD5", 16},
    {RTG_HASH_SHA1, "sha-1", "SHA1", 20},
    {RTG_HASH_SHA224, "sha-224", "SHA2-224", 28},
    {RTG_HASH_SHA256, "sha-256", "SHA2-256", 32},
    {RTG_HASH_SHA384, "sha-384", "SHA2-384", 48},
    {RTG_HASH_SHA512, "sha-512", "SHA2-512", 64},
};

static int hash_idx(enum rtg_hash_alg alg) {
  for (size_t i = 0; i < sizeof hash_tab / sizeof hash_tab[0]; i++)
    if (hash_tab[i].alg == alg) return (int)i;
  return -1;
}

size_t rtg_hash_size(enum rtg_hash_alg alg) {
  int i = hash_idx(alg);
  return i < 0 ? 0 : hash_tab[i].size;
}

const char *rtg_hash_name(enum rtg_hash_alg alg) {
  int i = hash_idx(alg);
  return i < 0 ? NULL : hash_tab[i].sdp_name;
}

enum rtg_hash_alg rtg_hash_from_name(const char *name) {
  if (name == NULL) return (enum rtg_hash_alg)0;
  for (size_t i = 0; i < sizeof hash_tab / sizeof hash_tab[0]; i++)
    if (strcasecmp(name, hash_tab[i].sdp_name) == 0) return hash_tab[i].alg;
  return (enum rtg_hash_alg)0;
}

static const EVP_MD *evp_md(enum rtg_hash_alg alg) {
  switch (alg) {
    case RTG_HASH_MD5: return EVP_md5();
    case RTG_HASH_SHA1: return EVP_sha1();
    case RTG_HASH_SHA224: return EVP_sha224();
    case RTG_HASH_SHA256: return EVP_sha256();
    case RTG_HASH_SHA384: return EVP_sha384();
    case RTG_HASH_SHA512: return EVP_sha512();
    default: return NULL;
  }
}

int rtg_hash(enum rtg_hash_alg alg, const void *data, size_t len, uint8_t *out) {
  const EVP_MD *md = evp_md(alg);
  unsigned int olen = 0;
  if (md == NULL) return RTG_ERR_INVAL;
  if (EVP_Digest(data, len, out, &olen, md, NULL) != 1) return RTG_ERR_CRYPTO;
  return RTG_OK;
}

/* HMAC on OpenSSL's low-level hash functions: they are deprecated in
 * OpenSSL 3 but present in every 3.x, and unlike EVP (whose context copy and
 * MAC re-init allocate inside the library in 3.0) a state copy is a memcpy.
 * Results are checked against RFC 2202/4231 vectors and OpenSSL's HMAC(). */
union hstate {
  MD5_CTX md5;
  SHA_CTX sha1;
  SHA256_CTX sha256;
  SHA512_CTX sha512;
};
_Static_assert(sizeof(union hstate) <= sizeof(((struct rtg_hmac *)0)->state[0]),
               "rtg_hmac state too small");

static size_t block_size(enum rtg_hash_alg alg) {
  return alg == RTG_HASH_SHA384 || alg == RTG_HASH_SHA512 ? 128 : 64;
}

static void h_init(enum rtg_hash_alg alg, union hstate *h) {
  switch (alg) {
    case RTG_HASH_MD5: MD5_Init(&h->md5); break;
    case RTG_HASH_SHA1: SHA1_Init(&h->sha1); break;
    case RTG_HASH_SHA224: SHA224_Init(&h->sha256); break;
    case RTG_HASH_SHA256: SHA256_Init(&h->sha256); break;
    case RTG_HASH_SHA384: SHA384_Init(&h->sha512); break;
    case RTG_HASH_SHA512: SHA512_Init(&h->sha512); break;
    default: break;
  }
}

static void h_update(enum rtg_hash_alg alg, union hstate *h, const void *d, size_t n) {
  switch (alg) {
    case RTG_HASH_MD5: MD5_Update(&h->md5, d, n); break;
    case RTG_HASH_SHA1: SHA1_Update(&h->sha1, d, n); break;
    case RTG_HASH_SHA224: SHA224_Update(&h->sha256, d, n); break;
    case RTG_HASH_SHA256: SHA256_Update(&h->sha256, d, n); break;
    case RTG_HASH_SHA384: SHA384_Update(&h->sha512, d, n); break;
    case RTG_HASH_SHA512: SHA512_Update(&h->sha512, d, n); break;
    default: break;
  }
}

static void h_final(enum rtg_hash_alg alg, union hstate *h, uint8_t *out) {
  switch (alg) {
    case RTG_HASH_MD5: MD5_Final(out, &h->md5); break;
    case RTG_HASH_SHA1: SHA1_Final(out, &h->sha1); break;
    case RTG_HASH_SHA224: SHA224_Final(out, &h->sha256); break;
    case RTG_HASH_SHA256: SHA256_Final(out, &h->sha256); break;
    case RTG_HASH_SHA384: SHA384_Final(out, &h->sha512); break;
    case RTG_HASH_SHA512: SHA512_Final(out, &h->sha512); break;
    default: break;
  }
}

#define ST(h, i) ((union hstate *)(void *)(h)->state[i])

int rtg_hmac_init(struct rtg_hmac *h, enum rtg_hash_alg alg, const void *key, size_t key_len) {
  uint8_t k[128], pad[128];
  size_t bs;
  memset(h, 0, sizeof *h);
  if (hash_idx(alg) < 0) return RTG_ERR_INVAL;
  bs = block_size(alg);
  memset(k, 0, sizeof k);
  /* RFC 2104 §2: a key longer than the block is hashed first */
  if (key_len > bs) {
    if (rtg_hash(alg, key, key_len, k)) return RTG_ERR_CRYPTO;
  } else if (key_len) {
    memcpy(k, key, key_len);
  }
  for (size_t i = 0; i < bs; i++) pad[i] = (uint8_t)(k[i] ^ 0x36);
  h_init(alg, ST(h, 0));
  h_update(alg, ST(h, 0), pad, bs);
  for (size_t i = 0; i < bs; i++) pad[i] = (uint8_t)(k[i] ^ 0x5c);
  h_init(alg, ST(h, 1));
  h_update(alg, ST(h, 1), pad, bs);
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(pad, sizeof pad);
  h->alg = (int)alg;
  h->out_len = hash_tab[hash_idx(alg)].size;
  return RTG_OK;
}

void rtg_hmac_free(struct rtg_hmac *h) {
  if (h == NULL) return;
  OPENSSL_cleanse(h, sizeof *h);
}

int rtg_hmac_begin(struct rtg_hmac *h) {
  if (h->alg == 0) return RTG_ERR_STATE;
  memcpy(ST(h, 2), ST(h, 0), sizeof(union hstate));
  return RTG_OK;
}

int rtg_hmac_update(struct rtg_hmac *h, const void *data, size_t len) {
  if (h->alg == 0) return RTG_ERR_STATE;
  if (len) h_update((enum rtg_hash_alg)h->alg, ST(h, 2), data, len);
  return RTG_OK;
}

int rtg_hmac_final(struct rtg_hmac *h, uint8_t *out) {
  uint8_t inner[RTG_HASH_MAX];
  enum rtg_hash_alg alg = (enum rtg_hash_alg)h->alg;
  if (h->alg == 0) return RTG_ERR_STATE;
  h_final(alg, ST(h, 2), inner);
  memcpy(ST(h, 2), ST(h, 1), sizeof(union hstate));
  h_update(alg, ST(h, 2), inner, h->out_len);
  h_final(alg, ST(h, 2), out);
  return RTG_OK;
}

int rtg_hmac_once(struct rtg_hmac *h, const void *data, size_t len, uint8_t *out) {
  int r = rtg_hmac_begin(h);
  if (r) return r;
  r = rtg_hmac_update(h, data, len);
  if (r) return r;
  return rtg_hmac_final(h, out);
}

int rtg_hmac_oneshot(enum rtg_hash_alg alg, const void *key, size_t key_len, const void *data,
                     size_t len, uint8_t *out) {
  struct rtg_hmac h;
  int r = rtg_hmac_init(&h, alg, key, key_len);
  if (r) return r;
  r = rtg_hmac_once(&h, data, len, out);
  rtg_hmac_free(&h);
  return r;
}

int rtg_memeq_ct(const void *a, const void *b, size_t n) {
  return CRYPTO_memcmp(a, b, n) == 0 ? 0 : 1;
}
