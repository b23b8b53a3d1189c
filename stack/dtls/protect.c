/*
 * protect.c - DTLS record protection from logged secrets, for decrypting
 * captured sessions (and for building protected records in tests and fuzz
 * fix-ups). OpenSSL supplies the primitives (AES, ChaCha20, AEAD modes,
 * HMAC, the TLS 1.2 PRF); the record logic is here:
 *
 *   DTLS 1.2 (RFC 6347 §4.1.2, RFC 5246 §6.2.3, RFC 5288, RFC 7905,
 *   RFC 7366): AES-GCM with an 8-byte explicit nonce, ChaCha20-Poly1305
 *   with the XOR nonce, AES-CBC + HMAC (MAC-then-encrypt or
 *   encrypt-then-MAC).
 *   DTLS 1.3 (RFC 9147 §4, §4.2.3, §5.9): HKDF-Expand-Label with "dtls13",
 *   record number encryption, the unified header as additional data, the
 *   inner content type after the content.
 *
 * This is a replay and test tool: the CBC padding and MAC checks are not
 * constant-time.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "dtls/internal.h"
#include "rtg/dtls.h"

#define TAG_LEN 16

/* ---- suites -------------------------------------------------------------- */

static const struct rtg_dtls12_suite suites12[] = {
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", RTG_DTLS_CIPHER_AES_GCM, 16, 4, 0, 0,
     RTG_HASH_SHA256},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", RTG_DTLS_CIPHER_AES_GCM, 16, 4, 0, 0,
     RTG_HASH_SHA256},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", RTG_DTLS_CIPHER_AES_GCM, 32, 4, 0, 0,
     RTG_HASH_SHA384},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", RTG_DTLS_CIPHER_AES_GCM, 32, 4, 0, 0,
     RTG_HASH_SHA384},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", RTG_DTLS_CIPHER_CHACHA20_POLY1305, 32,
     12, 0, 0, RTG_HASH_SHA256},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", RTG_DTLS_CIPHER_CHACHA20_POLY1305, 32,
     12, 0, 0, RTG_HASH_SHA256},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", RTG_DTLS_CIPHER_AES_CBC, 16, 0, 20,
     RTG_HASH_SHA1, RTG_HASH_SHA256},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", RTG_DTLS_CIPHER_AES_CBC, 32, 0, 20,
     RTG_HASH_SHA1, RTG_HASH_SHA256},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", RTG_DTLS_CIPHER_AES_CBC, 16, 0, 20,
     RTG_HASH_SHA1, RTG_HASH_SHA256},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", RTG_DTLS_CIPHER_AES_CBC, 32, 0, 20,
     RTG_HASH_SHA1, RTG_HASH_SHA256},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", RTG_DTLS_CIPHER_AES_CBC, 16, 0, 32,
     RTG_HASH_SHA256, RTG_HASH_SHA256},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", RTG_DTLS_CIPHER_AES_CBC, 32, 0, 48,
     RTG_HASH_SHA384, RTG_HASH_SHA384},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", RTG_DTLS_CIPHER_AES_CBC, 16, 0, 32,
     RTG_HASH_SHA256, RTG_HASH_SHA256},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", RTG_DTLS_CIPHER_AES_CBC, 32, 0, 48,
     RTG_HASH_SHA384, RTG_HASH_SHA384},
};

static const struct rtg_dtls13_suite suites13[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", RTG_DTLS_CIPHER_AES_GCM, 16, RTG_HASH_SHA256},
    {0x1302, "TLS_AES_256_GCM_SHA384", RTG_DTLS_CIPHER_AES_GCM, 32, RTG_HASH_SHA384},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", RTG_DTLS_CIPHER_CHACHA20_POLY1305, 32,
     RTG_HASH_SHA256},
};

const struct rtg_dtls12_suite *rtg_dtls12_suite_find(uint16_t id) {
  for (size_t i = 0; i < sizeof suites12 / sizeof suites12[0]; i++)
    if (suites12[i].id == id) return &suites12[i];
  return NULL;
}

const struct rtg_dtls13_suite *rtg_dtls13_suite_find(uint16_t id) {
  for (size_t i = 0; i < sizeof suites13 / sizeof suites13[0]; i++)
    if (suites13[i].id == id) return &suites13[i];
  return NULL;
}

static const char *md_name(uint8_t alg) {
  switch (alg) {
    case RTG_HASH_SHA1: return "SHA1";
    case RTG_HASH_SHA256: return "SHA256";
    case RTG_HASH_SHA384: return "SHA384";
    case RTG_HASH_SHA512: return "SHA512";
    default: return NULL;
  }
}

/* ---- primitives over OpenSSL ----------------------------------------------- */

static const EVP_CIPHER *aead_cipher(uint8_t kind, size_t key_len) {
  switch (kind) {
    case RTG_DTLS_CIPHER_AES_GCM: return key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    case RTG_DTLS_CIPHER_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
    default: return NULL;
  }
}

/* A context keyed for |c| and |key|: the cached one (re-keyed only when the
 * key changes), or a new one the caller frees when |cache| is NULL. The IV
 * is set by the caller for each record. |nopad| turns block padding off
 * once, when the context is keyed (it survives IV-only re-inits). */
static EVP_CIPHER_CTX *keyed_ctx(struct rtg_dtls_cipher_cache *cache, const EVP_CIPHER *c,
                                 const uint8_t *key, size_t key_len, bool enc, bool nopad) {
  EVP_CIPHER_CTX *ctx;
  if (cache == NULL) {
    ctx = EVP_CIPHER_CTX_new();
    if (ctx != NULL && (EVP_CipherInit_ex(ctx, c, NULL, key, NULL, enc ? 1 : 0) != 1 ||
                        (nopad && EVP_CIPHER_CTX_set_padding(ctx, 0) != 1))) {
      EVP_CIPHER_CTX_free(ctx);
      return NULL;
    }
    return ctx;
  }
  if (cache->evp != NULL && cache->cipher == (const void *)c && cache->enc == enc &&
      cache->key_len == key_len && memcmp(cache->key, key, key_len) == 0)
    return cache->evp;
  if (cache->evp == NULL && (cache->evp = EVP_CIPHER_CTX_new()) == NULL) return NULL;
  cache->cipher = NULL;
  if (key_len > sizeof cache->key ||
      EVP_CipherInit_ex(cache->evp, c, NULL, key, NULL, enc ? 1 : 0) != 1 ||
      (nopad && EVP_CIPHER_CTX_set_padding(cache->evp, 0) != 1))
    return NULL;
  cache->cipher = c;
  cache->enc = enc;
  cache->key_len = (uint8_t)key_len;
  memcpy(cache->key, key, key_len);
  return cache->evp;
}

void rtg_dtls_cipher_cache_free(struct rtg_dtls_cipher_cache *cache) {
  EVP_CIPHER_CTX_free(cache->evp);
  memset(cache, 0, sizeof *cache);
}

/* AEAD with a 12-byte nonce and a 16-byte tag. |enc| seals (writing the tag
 * to |tag|), otherwise opens (checking |tag|). */
static int aead(bool enc, uint8_t kind, const uint8_t *key, size_t key_len, const uint8_t nonce[12],
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                uint8_t tag[TAG_LEN], struct rtg_dtls_cipher_cache *cache) {
  const EVP_CIPHER *c = aead_cipher(kind, key_len);
  EVP_CIPHER_CTX *ctx;
  int outl, rc = RTG_ERR_CRYPTO;
  if (c == NULL || len > INT32_MAX || aad_len > INT32_MAX) return RTG_ERR_INVAL;
  ctx = keyed_ctx(cache, c, key, key_len, enc, false);
  if (ctx == NULL) return RTG_ERR_CRYPTO;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc ? 1 : 0) != 1) goto out;
  if (aad_len && EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1) goto out;
  if (len && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1) goto out;
  if (enc) {
    if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, tag) != 1)
      goto out;
  } else {
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag) != 1) goto out;
    if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1) {
      rc = RTG_ERR_AUTH;
      goto out;
    }
  }
  rc = RTG_OK;
out:
  if (cache == NULL) EVP_CIPHER_CTX_free(ctx);
  return rc;
}

/* Raw AES-CBC (no padding: TLS pads itself) or AES-ECB / ChaCha20 for the
 * record number mask. */
static int raw_cipher(const EVP_CIPHER *c, bool enc, const uint8_t *key, size_t key_len,
                      const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
                      struct rtg_dtls_cipher_cache *cache) {
  EVP_CIPHER_CTX *ctx;
  int outl, rc = RTG_ERR_CRYPTO;
  if (len > INT32_MAX) return RTG_ERR_INVAL;
  ctx = keyed_ctx(cache, c, key, key_len, enc, true);
  if (ctx == NULL) return RTG_ERR_CRYPTO;
  /* ECB (the record number mask) has no IV: the keyed context is ready */
  if (iv != NULL && EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc ? 1 : 0) != 1) goto out;
  if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1) goto out;
  rc = RTG_OK;
out:
  if (cache == NULL) EVP_CIPHER_CTX_free(ctx);
  return rc;
}

static int hmac3(uint8_t alg, const uint8_t *key, size_t key_len, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen, const uint8_t *c, size_t clen, uint8_t *out) {
  struct rtg_hmac h;
  int rc = rtg_hmac_init(&h, (enum rtg_hash_alg)alg, key, key_len);
  if (rc) return rc;
  rc = rtg_hmac_begin(&h);
  if (!rc && alen) rc = rtg_hmac_update(&h, a, alen);
  if (!rc && blen) rc = rtg_hmac_update(&h, b, blen);
  if (!rc && clen) rc = rtg_hmac_update(&h, c, clen);
  if (!rc) rc = rtg_hmac_final(&h, out);
  rtg_hmac_free(&h);
  return rc;
}

/* TLS 1.2 PRF (RFC 5246 §5) through OpenSSL's TLS1-PRF KDF: the seed is
 * label || s1 || s2. */
static int tls12_prf(uint8_t alg, const uint8_t *secret, size_t secret_len, const char *label,
                     const uint8_t *s1, size_t s1_len, const uint8_t *s2, size_t s2_len,
                     uint8_t *out, size_t len) {
  uint8_t seed[256];
  size_t ll = strlen(label), n = 0;
  const char *md = md_name(alg);
  EVP_KDF *kdf;
  EVP_KDF_CTX *kctx;
  OSSL_PARAM params[4];
  int rc = RTG_ERR_CRYPTO;
  if (md == NULL || ll + s1_len + s2_len > sizeof seed) return RTG_ERR_INVAL;
  memcpy(seed, label, ll);
  n += ll;
  if (s1_len) memcpy(seed + n, s1, s1_len);
  n += s1_len;
  if (s2_len) memcpy(seed + n, s2, s2_len);
  n += s2_len;
  kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
  if (kdf == NULL) return RTG_ERR_CRYPTO;
  kctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (kctx == NULL) return RTG_ERR_NOMEM;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, n);
  params[3] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(kctx, out, len, params) == 1) rc = RTG_OK;
  EVP_KDF_CTX_free(kctx);
  return rc;
}

/* ---- DTLS 1.2 ------------------------------------------------------------------ */

int rtg_dtls12_keys_derive(uint16_t suite, bool etm, const uint8_t master[48],
                           const uint8_t client_random[32], const uint8_t server_random[32],
                           struct rtg_dtls12_keys *client_write,
                           struct rtg_dtls12_keys *server_write) {
  const struct rtg_dtls12_suite *s = rtg_dtls12_suite_find(suite);
  uint8_t block[2 * (48 + 32 + 12)];
  size_t n, at = 0;
  int rc;
  if (s == NULL) return RTG_ERR_UNSUPPORTED;
  n = 2u * ((size_t)s->mac_len + s->key_len + s->fixed_iv_len);
  /* RFC 5246 §6.3: key_block = PRF(master, "key expansion",
   * server_random + client_random). */
  rc = tls12_prf(s->prf_alg, master, 48, "key expansion", server_random, 32, client_random, 32,
                 block, n);
  if (rc) return rc;
  memset(client_write, 0, sizeof *client_write);
  memset(server_write, 0, sizeof *server_write);
  client_write->suite = server_write->suite = s;
  client_write->etm = server_write->etm = etm && s->kind == RTG_DTLS_CIPHER_AES_CBC;
  memcpy(client_write->mac_key, block + at, s->mac_len);
  at += s->mac_len;
  memcpy(server_write->mac_key, block + at, s->mac_len);
  at += s->mac_len;
  memcpy(client_write->key, block + at, s->key_len);
  at += s->key_len;
  memcpy(server_write->key, block + at, s->key_len);
  at += s->key_len;
  memcpy(client_write->iv, block + at, s->fixed_iv_len);
  at += s->fixed_iv_len;
  memcpy(server_write->iv, block + at, s->fixed_iv_len);
  return RTG_OK;
}

/* The header fields the MAC / additional data covers (RFC 6347 §4.1.2.1
 * epoch || sequence_number as seq_num); |cid| only for tls12_cid records. */
struct hdr12 {
  uint8_t type;
  uint16_t version, epoch;
  uint64_t seq;
  const uint8_t *cid;
  size_t cid_len;
};

#define AD12_MAX (8 + 3 + 2 + 8 + RTG_DTLS_CID_MAX + 2)

static struct hdr12 hdr_of(const struct rtg_dtls_record *rec) {
  struct hdr12 h = {rec->type, rec->version, rec->epoch, rec->seq, rec->cid.p, rec->cid.len};
  return h;
}

/* Writes the additional data (AEAD) or MAC header (CBC) for a record whose
 * protected length is |len| and returns its size:
 *   RFC 5246 §6.2.3.3 / §6.2.3.1: seq_num(8) type(1) version(2) length(2);
 *   RFC 9146 §5 (tls12_cid): seq_num_placeholder (8 x 0xff) tls12_cid(1)
 *   cid_length(1) tls12_cid(1) version(2) epoch(2) sequence_number(6)
 *   cid(cid_length) length(2). */
static size_t ad12(uint8_t *ad, const struct hdr12 *h, size_t len) {
  size_t n = 0;
  if (h->type == RTG_DTLS_CT_TLS12_CID) {
    memset(ad, 0xff, 8);
    ad[8] = RTG_DTLS_CT_TLS12_CID;
    ad[9] = (uint8_t)h->cid_len;
    ad[10] = RTG_DTLS_CT_TLS12_CID;
    rtg_store_u16(ad + 11, h->version);
    n = 13;
  }
  rtg_store_u16(ad + n, h->epoch);
  rtg_store_u16(ad + n + 2, (uint16_t)(h->seq >> 32));
  rtg_store_u32(ad + n + 4, (uint32_t)h->seq);
  n += 8;
  if (h->type == RTG_DTLS_CT_TLS12_CID) {
    if (h->cid_len) memcpy(ad + n, h->cid, h->cid_len);
    n += h->cid_len;
  } else {
    ad[n] = h->type;
    rtg_store_u16(ad + n + 1, h->version);
    n += 3;
  }
  rtg_store_u16(ad + n, (uint16_t)len);
  return n + 2;
}

static void nonce12(const struct rtg_dtls12_keys *k, uint16_t epoch, uint64_t seq,
                    const uint8_t *explicit_nonce, uint8_t nonce[12]) {
  if (k->suite->kind == RTG_DTLS_CIPHER_AES_GCM) {
    /* RFC 5288 §3: salt(4) || explicit nonce(8) */
    memcpy(nonce, k->iv, 4);
    memcpy(nonce + 4, explicit_nonce, 8);
  } else {
    /* RFC 7905 §2: iv XOR the 64-bit epoch || seq, left-padded */
    uint8_t s[8];
    rtg_store_u16(s, epoch);
    rtg_store_u16(s + 2, (uint16_t)(seq >> 32));
    rtg_store_u32(s + 4, (uint32_t)seq);
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
  }
}

static const EVP_CIPHER *cbc(const struct rtg_dtls12_keys *k) {
  return k->suite->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

static ptrdiff_t unprotect_cbc(const struct rtg_dtls12_keys *k, const struct rtg_dtls_record *rec,
                               uint8_t *out, size_t cap, struct rtg_perr *perr,
                               struct rtg_dtls_cipher_cache *cache) {
  const struct rtg_dtls12_suite *s = k->suite;
  const struct hdr12 h = hdr_of(rec);
  const uint8_t *p = rec->payload.p;
  size_t len = rec->payload.len, ml = s->mac_len, ct_len, pt_len, pad, adl;
  uint8_t ad[AD12_MAX], mac[RTG_HASH_MAX];
  int rc;
  if (k->etm) {
    /* RFC 7366 §3 (RFC 9146 §5.2 for tls12_cid): IV || ciphertext ||
     * MAC(header fields, length(IV+ct) || IV || ct) */
    if (len < 16 + 16 + ml || (len - ml) % 16)
      return rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.payload",
                          "too short or misaligned for CBC", "RFC 7366 §3");
    ct_len = len - ml - 16;
    adl = ad12(ad, &h, len - ml);
    rc = hmac3(s->mac_alg, k->mac_key, ml, ad, adl, p, len - ml, NULL, 0, mac);
    if (rc) return rc;
    if (rtg_memeq_ct(mac, p + len - ml, ml)) {
      rtg_perr_set(perr, rec->offset + rec->header.len + len - ml, "dtls.record.mac",
                   "record MAC does not verify (altered record or wrong keys)", "RFC 7366 §3");
      return RTG_ERR_AUTH;
    }
    if (cap < ct_len) return RTG_ERR_NOBUF;
    rc = raw_cipher(cbc(k), false, k->key, k->suite->key_len, p, p + 16, ct_len, out, cache);
    if (rc) return rc;
    pad = out[ct_len - 1];
    if (pad + 1 > ct_len) goto bad_pad;
    for (size_t i = 0; i <= pad; i++)
      if (out[ct_len - 1 - i] != pad) goto bad_pad;
    return (ptrdiff_t)(ct_len - pad - 1);
  }
  /* RFC 5246 §6.2.3.2: IV || CBC(content || MAC || padding); RFC 9146 §5.1:
   * the content is the DTLSInnerPlaintext */
  if (len < 16 + 16 || len % 16)
    return rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.payload",
                        "too short or misaligned for CBC", "RFC 5246 §6.2.3.2");
  ct_len = len - 16;
  if (cap < ct_len) return RTG_ERR_NOBUF;
  rc = raw_cipher(cbc(k), false, k->key, k->suite->key_len, p, p + 16, ct_len, out, cache);
  if (rc) return rc;
  pad = out[ct_len - 1];
  if (pad + 1 + ml > ct_len) goto bad_pad;
  for (size_t i = 0; i <= pad; i++)
    if (out[ct_len - 1 - i] != pad) goto bad_pad;
  pt_len = ct_len - pad - 1 - ml;
  adl = ad12(ad, &h, pt_len);
  rc = hmac3(s->mac_alg, k->mac_key, ml, ad, adl, out, pt_len, NULL, 0, mac);
  if (rc) return rc;
  if (rtg_memeq_ct(mac, out + pt_len, ml)) {
    rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.mac",
                 "record MAC does not verify (altered record or wrong keys)", "RFC 5246 §6.2.3.1");
    return RTG_ERR_AUTH;
  }
  return (ptrdiff_t)pt_len;
bad_pad:
  rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.padding",
               "CBC padding does not verify (altered record or wrong keys)", "RFC 5246 §6.2.3.2");
  return RTG_ERR_AUTH;
}

ptrdiff_t rtg_dtls12_unprotect(const struct rtg_dtls12_keys *k, const struct rtg_dtls_record *rec,
                               uint8_t *out, size_t cap, struct rtg_perr *perr) {
  uint8_t type;
  return rtg_dtls12_unprotect_cached_typed(k, rec, out, cap, &type, perr, NULL);
}

ptrdiff_t rtg_dtls12_unprotect_cached(const struct rtg_dtls12_keys *k,
                                      const struct rtg_dtls_record *rec, uint8_t *out, size_t cap,
                                      struct rtg_perr *perr, struct rtg_dtls_cipher_cache *cache) {
  uint8_t type;
  return rtg_dtls12_unprotect_cached_typed(k, rec, out, cap, &type, perr, cache);
}

ptrdiff_t rtg_dtls12_unprotect_typed(const struct rtg_dtls12_keys *k,
                                     const struct rtg_dtls_record *rec, uint8_t *out, size_t cap,
                                     uint8_t *type, struct rtg_perr *perr) {
  return rtg_dtls12_unprotect_cached_typed(k, rec, out, cap, type, perr, NULL);
}

/* RFC 9146 §4: DTLSInnerPlaintext = content || real_type || zeros. The
 * real type is the last non-zero byte; none at all is an error (RFC 8446
 * §5.4, which RFC 9146 §4 follows: unexpected_message). */
static ptrdiff_t inner_plaintext(const struct rtg_dtls_record *rec, const uint8_t *out, size_t n,
                                 uint8_t *type, struct rtg_perr *perr) {
  while (n > 0 && out[n - 1] == 0) n--;
  if (n == 0)
    return rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.real_type",
                        "DTLSInnerPlaintext has no non-zero byte (no real content type)",
                        "RFC 9146 §4, RFC 8446 §5.4");
  *type = out[n - 1];
  return (ptrdiff_t)(n - 1);
}

ptrdiff_t rtg_dtls12_unprotect_cached_typed(const struct rtg_dtls12_keys *k,
                                            const struct rtg_dtls_record *rec, uint8_t *out,
                                            size_t cap, uint8_t *type, struct rtg_perr *perr,
                                            struct rtg_dtls_cipher_cache *cache) {
  const struct hdr12 h = hdr_of(rec);
  const uint8_t *p = rec->payload.p;
  size_t len = rec->payload.len, explicit_len, ct_len, adl;
  uint8_t ad[AD12_MAX], nonce[12], tag[TAG_LEN];
  bool cid = rec->type == RTG_DTLS_CT_TLS12_CID;
  ptrdiff_t n;
  int rc;
  if (k->suite == NULL || rec->unified || rec->cid.len > RTG_DTLS_CID_MAX) return RTG_ERR_INVAL;
  if (k->suite->kind == RTG_DTLS_CIPHER_AES_CBC) {
    n = unprotect_cbc(k, rec, out, cap, perr, cache);
  } else {
    explicit_len = k->suite->kind == RTG_DTLS_CIPHER_AES_GCM ? 8 : 0;
    if (len < explicit_len + TAG_LEN)
      return rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.payload",
                          "shorter than nonce and tag", "RFC 5288 §3");
    ct_len = len - explicit_len - TAG_LEN;
    if (cap < ct_len) return RTG_ERR_NOBUF;
    nonce12(k, rec->epoch, rec->seq, p, nonce);
    adl = ad12(ad, &h, ct_len);
    memcpy(tag, p + len - TAG_LEN, TAG_LEN);
    rc = aead(false, k->suite->kind, k->key, k->suite->key_len, nonce, ad, adl, p + explicit_len,
              ct_len, out, tag, cache);
    if (rc == RTG_ERR_AUTH)
      rtg_perr_set(perr, rec->offset + rec->header.len + len - TAG_LEN, "dtls.record.tag",
                   "AEAD tag does not verify (altered record or wrong keys)",
                   cid ? "RFC 9146 §5.3" : "RFC 5246 §6.2.3.3");
    n = rc ? rc : (ptrdiff_t)ct_len;
  }
  if (n < 0) return n;
  if (cid) return inner_plaintext(rec, out, (size_t)n, type, perr);
  *type = rec->type;
  return n;
}

/* Protects |len| bytes at |pt| (which may already sit where the plaintext
 * goes: |out| + header + explicit nonce or IV) under the header fields of
 * |h|; the header written is 13 bytes, plus the CID for tls12_cid. */
static ptrdiff_t protect12(const struct rtg_dtls12_keys *k, const struct hdr12 *h,
                           const uint8_t *pt, size_t len, uint8_t *out, size_t cap) {
  const struct rtg_dtls12_suite *s = k->suite;
  uint8_t ad[AD12_MAX], nonce[12], expl[16];
  size_t body, hl = 13 + h->cid_len, adl;
  uint8_t *p = out + hl;
  int rc;
  rtg_store_u16(expl, h->epoch);
  rtg_store_u16(expl + 2, (uint16_t)(h->seq >> 32));
  rtg_store_u32(expl + 4, (uint32_t)h->seq);
  memset(expl + 8, 0x5a, 8);
  if (s->kind == RTG_DTLS_CIPHER_AES_CBC) {
    size_t ml = s->mac_len, pad, inner = k->etm ? len : len + ml;
    pad = 16 - (inner + 1) % 16;
    if (pad == 16) pad = 0;
    body = 16 + inner + pad + 1 + (k->etm ? ml : 0);
    if (cap < hl + body) return RTG_ERR_NOBUF;
    if (len && pt != p + 16) memmove(p + 16, pt, len);
    memcpy(p, expl, 16);
    if (!k->etm) {
      adl = ad12(ad, h, len);
      if ((rc = hmac3(s->mac_alg, k->mac_key, ml, ad, adl, p + 16, len, NULL, 0, p + 16 + len)))
        return rc;
    }
    memset(p + 16 + inner, (int)pad, pad + 1);
    if ((rc = raw_cipher(cbc(k), true, k->key, s->key_len, p, p + 16, inner + pad + 1, p + 16,
                         NULL)))
      return rc;
    if (k->etm) {
      adl = ad12(ad, h, 16 + inner + pad + 1);
      if ((rc = hmac3(s->mac_alg, k->mac_key, ml, ad, adl, p, 16 + inner + pad + 1, NULL, 0,
                      p + 16 + inner + pad + 1)))
        return rc;
    }
  } else {
    size_t explicit_len = s->kind == RTG_DTLS_CIPHER_AES_GCM ? 8 : 0;
    body = explicit_len + len + TAG_LEN;
    if (cap < hl + body) return RTG_ERR_NOBUF;
    if (len && pt != p + explicit_len) memmove(p + explicit_len, pt, len);
    memcpy(p, expl, explicit_len);
    nonce12(k, h->epoch, h->seq, expl, nonce);
    adl = ad12(ad, h, len);
    rc = aead(true, s->kind, k->key, s->key_len, nonce, ad, adl, p + explicit_len, len,
              p + explicit_len, p + explicit_len + len, NULL);
    if (rc) return rc;
  }
  out[0] = h->type;
  rtg_store_u16(out + 1, h->version);
  rtg_store_u16(out + 3, h->epoch);
  rtg_store_u16(out + 5, (uint16_t)(h->seq >> 32));
  rtg_store_u32(out + 7, (uint32_t)h->seq);
  if (h->cid_len) memcpy(out + 11, h->cid, h->cid_len);
  rtg_store_u16(out + 11 + h->cid_len, (uint16_t)body);
  return (ptrdiff_t)(hl + body);
}

ptrdiff_t rtg_dtls12_protect(const struct rtg_dtls12_keys *k, uint8_t type, uint16_t version,
                             uint16_t epoch, uint64_t seq, const uint8_t *pt, size_t len,
                             uint8_t *out, size_t cap) {
  struct hdr12 h = {type, version, epoch, seq, NULL, 0};
  if (k->suite == NULL || len > 16384 || seq >> 48 || type == RTG_DTLS_CT_TLS12_CID)
    return RTG_ERR_INVAL;
  return protect12(k, &h, pt, len, out, cap);
}

ptrdiff_t rtg_dtls12_protect_cid(const struct rtg_dtls12_keys *k, uint8_t type, uint16_t version,
                                 uint16_t epoch, uint64_t seq, const uint8_t *cid, size_t cid_len,
                                 const uint8_t *pt, size_t len, size_t zeros, uint8_t *out,
                                 size_t cap) {
  struct hdr12 h = {RTG_DTLS_CT_TLS12_CID, version, epoch, seq, cid, cid_len};
  size_t at, inner = len + 1 + zeros;
  if (k->suite == NULL || len > 16384 || zeros > 255 || seq >> 48 || type == 0 || cid_len == 0 ||
      cid_len > RTG_DTLS_CID_MAX || (cid == NULL && cid_len))
    return RTG_ERR_INVAL;
  /* Build the DTLSInnerPlaintext where protect12 encrypts it. */
  at = 13 + cid_len +
       (k->suite->kind == RTG_DTLS_CIPHER_AES_GCM   ? 8
        : k->suite->kind == RTG_DTLS_CIPHER_AES_CBC ? 16
                                                    : 0);
  if (cap < at + inner) return RTG_ERR_NOBUF;
  if (len) memmove(out + at, pt, len);
  out[at + len] = type;
  memset(out + at + len + 1, 0, zeros);
  return protect12(k, &h, out + at, inner, out, cap);
}

int rtg_dtls12_export(uint8_t prf_alg, const uint8_t master[48], const uint8_t client_random[32],
                      const uint8_t server_random[32], const char *label, uint8_t *out,
                      size_t len) {
  /* RFC 5705 §4 without context: PRF(master, label, client + server random) */
  if (label == NULL || len == 0) return RTG_ERR_INVAL;
  return tls12_prf(prf_alg, master, 48, label, client_random, 32, server_random, 32, out, len);
}

/* ---- TLS 1.3 / DTLS 1.3 key schedule pieces ------------------------------------ */

int rtg_tls13_hkdf_expand_label(uint8_t hash_alg, bool dtls, const uint8_t *secret,
                                size_t secret_len, const char *label, const uint8_t *context,
                                size_t context_len, uint8_t *out, size_t out_len) {
  /* struct { uint16 length; opaque label<7..255> = prefix + Label;
   *          opaque context<0..255>; } HkdfLabel;               (RFC 8446 §7.1) */
  const char *prefix = dtls ? "dtls13" : "tls13 ";
  size_t ll = strlen(label), hl = rtg_hash_size((enum rtg_hash_alg)hash_alg), info_len, done = 0;
  uint8_t info[2 + 1 + 255 + 1 + 255], t[RTG_HASH_MAX], ctr = 1;
  struct rtg_hmac h;
  int rc;
  if (hl == 0 || 6 + ll > 255 || context_len > 255 || out_len > 255 * hl || out_len > 0xffff)
    return RTG_ERR_INVAL;
  rtg_store_u16(info, (uint16_t)out_len);
  info[2] = (uint8_t)(6 + ll);
  memcpy(info + 3, prefix, 6);
  memcpy(info + 9, label, ll);
  info[9 + ll] = (uint8_t)context_len;
  if (context_len) memcpy(info + 10 + ll, context, context_len);
  info_len = 10 + ll + context_len;
  /* HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) | info | i) */
  rc = rtg_hmac_init(&h, (enum rtg_hash_alg)hash_alg, secret, secret_len);
  if (rc) return rc;
  while (done < out_len) {
    size_t n = out_len - done < hl ? out_len - done : hl;
    rc = rtg_hmac_begin(&h);
    if (!rc && ctr > 1) rc = rtg_hmac_update(&h, t, hl);
    if (!rc) rc = rtg_hmac_update(&h, info, info_len);
    if (!rc) rc = rtg_hmac_update(&h, &ctr, 1);
    if (!rc) rc = rtg_hmac_final(&h, t);
    if (rc) break;
    memcpy(out + done, t, n);
    done += n;
    ctr++;
  }
  rtg_hmac_free(&h);
  return rc;
}

int rtg_tls13_export(uint8_t hash_alg, bool dtls, const uint8_t *exporter_secret, size_t secret_len,
                     const char *label, const uint8_t *context, size_t context_len, uint8_t *out,
                     size_t out_len) {
  /* RFC 8446 §7.5: HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
   *                                  "exporter", Hash(context), length) */
  uint8_t empty_hash[RTG_HASH_MAX], ctx_hash[RTG_HASH_MAX], derived[RTG_HASH_MAX];
  size_t hl = rtg_hash_size((enum rtg_hash_alg)hash_alg);
  int rc;
  if (hl == 0 || label == NULL) return RTG_ERR_INVAL;
  if ((rc = rtg_hash((enum rtg_hash_alg)hash_alg, "", 0, empty_hash))) return rc;
  if ((rc = rtg_hash((enum rtg_hash_alg)hash_alg, context ? (const void *)context : "",
                     context ? context_len : 0, ctx_hash)))
    return rc;
  rc = rtg_tls13_hkdf_expand_label(hash_alg, dtls, exporter_secret, secret_len, label, empty_hash,
                                   hl, derived, hl);
  if (rc) return rc;
  return rtg_tls13_hkdf_expand_label(hash_alg, dtls, derived, hl, "exporter", ctx_hash, hl, out,
                                     out_len);
}

int rtg_dtls13_keys_derive(uint16_t suite, uint64_t epoch, const uint8_t *secret, size_t secret_len,
                           struct rtg_dtls13_keys *k) {
  const struct rtg_dtls13_suite *s = rtg_dtls13_suite_find(suite);
  int rc;
  if (s == NULL) return RTG_ERR_UNSUPPORTED;
  if (secret_len != rtg_hash_size((enum rtg_hash_alg)s->hash_alg)) return RTG_ERR_INVAL;
  memset(k, 0, sizeof *k);
  k->suite = s;
  k->epoch = epoch;
  memcpy(k->secret, secret, secret_len);
  /* RFC 8446 §7.3 with the RFC 9147 §5.9 "dtls13" prefix; sn_key per
   * RFC 9147 §4.2.3. */
  if ((rc = rtg_tls13_hkdf_expand_label(s->hash_alg, true, secret, secret_len, "key", NULL, 0,
                                        k->key, s->key_len)) ||
      (rc = rtg_tls13_hkdf_expand_label(s->hash_alg, true, secret, secret_len, "iv", NULL, 0, k->iv,
                                        12)) ||
      (rc = rtg_tls13_hkdf_expand_label(s->hash_alg, true, secret, secret_len, "sn", NULL, 0,
                                        k->sn_key, s->key_len)))
    return rc;
  return RTG_OK;
}

int rtg_dtls13_keys_update(struct rtg_dtls13_keys *k) {
  uint8_t next[48];
  size_t hl = rtg_hash_size((enum rtg_hash_alg)k->suite->hash_alg);
  int rc = rtg_tls13_hkdf_expand_label(k->suite->hash_alg, true, k->secret, hl, "traffic upd", NULL,
                                       0, next, hl);
  if (rc) return rc;
  return rtg_dtls13_keys_derive(k->suite->id, k->epoch + 1, next, hl, k);
}

/* RFC 9147 §4.2.3: the mask comes from the first 16 bytes of ciphertext. */
static int sn_mask(const struct rtg_dtls13_keys *k, const uint8_t sample[16], uint8_t mask[16],
                   struct rtg_dtls_cipher_cache *cache) {
  static const uint8_t zero[16];
  if (k->suite->kind == RTG_DTLS_CIPHER_AES_GCM)
    return raw_cipher(k->suite->key_len == 16 ? EVP_aes_128_ecb() : EVP_aes_256_ecb(), true,
                      k->sn_key, k->suite->key_len, NULL, sample, 16, mask, cache);
  /* ChaCha20: counter = sample[0..3] (little-endian), nonce = sample[4..15];
   * OpenSSL's 16-byte ChaCha20 IV has exactly that layout. */
  return raw_cipher(EVP_chacha20(), true, k->sn_key, k->suite->key_len, sample, zero, 16, mask,
                    cache);
}

/* RFC 9147 §4.2.2: the full sequence number closest to the one expected. */
static uint64_t seq_reconstruct(uint64_t expected, uint64_t low, unsigned bits) {
  uint64_t win = 1ull << bits, cand = (expected & ~(win - 1)) | low;
  if (cand > expected && cand - expected > win / 2 && cand >= win) return cand - win;
  if (cand < expected && expected - cand > win / 2) return cand + win;
  return cand;
}

static void nonce13(const struct rtg_dtls13_keys *k, uint64_t seq, uint8_t nonce[12]) {
  memcpy(nonce, k->iv, 12);
  for (int i = 0; i < 8; i++) nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
}

ptrdiff_t rtg_dtls13_unprotect(struct rtg_dtls13_keys *k, const struct rtg_dtls_record *rec,
                               uint8_t *out, size_t cap, uint8_t *type, uint64_t *seq,
                               struct rtg_perr *perr) {
  return rtg_dtls13_unprotect_cached(k, rec, out, cap, type, seq, perr, NULL);
}

ptrdiff_t rtg_dtls13_unprotect_cached(struct rtg_dtls13_keys *k, const struct rtg_dtls_record *rec,
                                      uint8_t *out, size_t cap, uint8_t *type, uint64_t *seq,
                                      struct rtg_perr *perr,
                                      struct rtg_dtls_cipher_cache cache[2]) {
  uint8_t aad[1 + RTG_DTLS_CID_MAX + 2 + 2], mask[16], nonce[12], tag[TAG_LEN];
  size_t len = rec->payload.len, ct_len, sp = 1 + rec->cid.len;
  uint64_t low, full;
  ptrdiff_t n;
  int rc;
  if (k->suite == NULL || !rec->unified || rec->header.len > sizeof aad) return RTG_ERR_INVAL;
  if ((rec->epoch & 3u) != (k->epoch & 3u)) return RTG_ERR_INVAL;
  if (len < 16 || len < TAG_LEN + 1)
    return rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.payload",
                        "ciphertext shorter than the 16-byte record number sample",
                        "RFC 9147 §4.2.3");
  if ((rc = sn_mask(k, rec->payload.p, mask, cache ? &cache[1] : NULL))) return rc;
  memcpy(aad, rec->header.p, rec->header.len);
  aad[sp] ^= mask[0];
  if (rec->seq_len == 2) {
    aad[sp + 1] ^= mask[1];
    low = rtg_load_u16(aad + sp);
  } else {
    low = aad[sp];
  }
  full = seq_reconstruct(k->next_seq, low, 8u * rec->seq_len);
  ct_len = len - TAG_LEN;
  if (cap < ct_len) return RTG_ERR_NOBUF;
  nonce13(k, full, nonce);
  memcpy(tag, rec->payload.p + ct_len, TAG_LEN);
  rc = aead(false, k->suite->kind, k->key, k->suite->key_len, nonce, aad, rec->header.len,
            rec->payload.p, ct_len, out, tag, cache ? &cache[0] : NULL);
  if (rc == RTG_ERR_AUTH)
    rtg_perr_set(perr, rec->offset + rec->header.len + ct_len, "dtls.record.tag",
                 "AEAD tag does not verify (altered record or wrong keys)", "RFC 9147 §4");
  if (rc) return rc;
  /* DTLSInnerPlaintext: content || type || zeros (RFC 8446 §5.2). */
  n = (ptrdiff_t)ct_len;
  while (n > 0 && out[n - 1] == 0) n--;
  if (n == 0)
    return rtg_perr_set(perr, rec->offset + rec->header.len, "dtls.record.inner_type",
                        "decrypted record has no content type", "RFC 8446 §5.2");
  *type = out[n - 1];
  *seq = full;
  if (full + 1 > k->next_seq) k->next_seq = full + 1;
  return n - 1;
}

ptrdiff_t rtg_dtls13_protect(const struct rtg_dtls13_keys *k, uint8_t type, uint64_t seq,
                             const uint8_t *pt, size_t len, uint8_t *out, size_t cap) {
  uint8_t nonce[12], mask[16];
  size_t body = len + 1 + TAG_LEN;
  int rc;
  if (k->suite == NULL || len > 16384 || seq >> 48) return RTG_ERR_INVAL;
  if (cap < 5 + body) return RTG_ERR_NOBUF;
  /* 0 0 1 C=0 S=1 L=1 E E */
  out[0] = (uint8_t)(0x2cu | (k->epoch & 3u));
  rtg_store_u16(out + 1, (uint16_t)seq);
  rtg_store_u16(out + 3, (uint16_t)body);
  if (len) memmove(out + 5, pt, len);
  out[5 + len] = type;
  nonce13(k, seq, nonce);
  rc = aead(true, k->suite->kind, k->key, k->suite->key_len, nonce, out, 5, out + 5, len + 1,
            out + 5, out + 5 + len + 1, NULL);
  if (rc) return rc;
  if ((rc = sn_mask(k, out + 5, mask, NULL))) return rc;
  out[1] ^= mask[0];
  out[2] ^= mask[1];
  return (ptrdiff_t)(5 + body);
}

/* ---- DTLS-SRTP ------------------------------------------------------------------- */

static bool srtp_sizes(uint16_t profile, uint8_t *key, uint8_t *salt) {
  switch (profile) {
    case RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80:
    case RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_32: *key = 16, *salt = 14; return true;
    case RTG_DTLS_SRTP_AEAD_AES_128_GCM: *key = 16, *salt = 12; return true;
    case RTG_DTLS_SRTP_AEAD_AES_256_GCM: *key = 32, *salt = 12; return true;
    default: return false;
  }
}

size_t rtg_dtls_srtp_material_len(uint16_t profile) {
  uint8_t key, salt;
  return srtp_sizes(profile, &key, &salt) ? 2u * ((size_t)key + salt) : 0;
}

int rtg_dtls_srtp_keys_split(uint16_t profile, const uint8_t *material, size_t len,
                             struct rtg_dtls_srtp_keys *k) {
  uint8_t kl, sl;
  if (!srtp_sizes(profile, &kl, &sl)) return RTG_ERR_UNSUPPORTED;
  if (len != 2u * ((size_t)kl + sl)) return RTG_ERR_INVAL;
  memset(k, 0, sizeof *k);
  k->profile = profile;
  k->key_len = kl;
  k->salt_len = sl;
  memcpy(k->client_key, material, kl);
  memcpy(k->server_key, material + kl, kl);
  memcpy(k->client_salt, material + 2 * kl, sl);
  memcpy(k->server_salt, material + 2 * kl + sl, sl);
  return RTG_OK;
}
