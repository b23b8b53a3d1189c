/*
 * crypto.c - SHA-x/MD5 digests and HMAC over OpenSSL 3 EVP. The HMAC object
 * is keyed once (the ipad/opad states are computed at init); each message
 * re-initialises it with a NULL key, which OpenSSL documents as "reuse the
 * key", so no per-message key schedule happens.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
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

int rtg_hmac_init(struct rtg_hmac *h, enum rtg_hash_alg alg, const void *key, size_t key_len) {
  int i = hash_idx(alg);
  EVP_MAC *mac;
  EVP_MAC_CTX *ctx;
  OSSL_PARAM params[2];
  static const uint8_t empty_key[1] = {0};
  memset(h, 0, sizeof *h);
  if (i < 0) return RTG_ERR_INVAL;
  mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (mac == NULL) return RTG_ERR_CRYPTO;
  ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac); /* the context holds its own reference */
  if (ctx == NULL) return RTG_ERR_NOMEM;
  params[0] =
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)hash_tab[i].ossl_name, 0);
  params[1] = OSSL_PARAM_construct_end();
  /* An empty key is legal HMAC (RFC 2104 pads it with zeros); OpenSSL wants
   * a non-NULL pointer to accept it. */
  if (EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return RTG_ERR_CRYPTO;
  }
  h->mac_ctx = ctx;
  h->out_len = hash_tab[i].size;
  return RTG_OK;
}

void rtg_hmac_free(struct rtg_hmac *h) {
  if (h == NULL) return;
  EVP_MAC_CTX_free((EVP_MAC_CTX *)h->mac_ctx);
  h->mac_ctx = NULL;
}

int rtg_hmac_begin(struct rtg_hmac *h) {
  if (h->mac_ctx == NULL) return RTG_ERR_STATE;
  /* NULL key: reuse the key schedule computed by rtg_hmac_init. */
  if (EVP_MAC_init((EVP_MAC_CTX *)h->mac_ctx, NULL, 0, NULL) != 1) return RTG_ERR_CRYPTO;
  return RTG_OK;
}

int rtg_hmac_update(struct rtg_hmac *h, const void *data, size_t len) {
  if (h->mac_ctx == NULL) return RTG_ERR_STATE;
  if (len && EVP_MAC_update((EVP_MAC_CTX *)h->mac_ctx, data, len) != 1) return RTG_ERR_CRYPTO;
  return RTG_OK;
}

int rtg_hmac_final(struct rtg_hmac *h, uint8_t *out) {
  size_t olen = 0;
  if (h->mac_ctx == NULL) return RTG_ERR_STATE;
  if (EVP_MAC_final((EVP_MAC_CTX *)h->mac_ctx, out, &olen, h->out_len) != 1) return RTG_ERR_CRYPTO;
  return olen == h->out_len ? RTG_OK : RTG_ERR_CRYPTO;
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
