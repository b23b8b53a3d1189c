/*
 * dtls.c - `rtcgate bench dtls`: record decryption from logged secrets as
 * the replay decryptor does it (cipher contexts keyed once per key), DTLS
 * 1.2 AES-128-GCM and DTLS 1.3 AES-128-GCM with record number decryption,
 * each against the primitive limit: OpenSSL's AES-128-GCM through an EVP
 * context keyed once, opening the same 1200-byte record (nonce, additional
 * data, tag check).
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "dtls/internal.h"
#include "rtg/dtls.h"

#define PT 1200

struct dtls_st {
  struct rtg_dtls12_keys k12;
  struct rtg_dtls13_keys k13;
  uint8_t rec12[PT + 64], rec13[PT + 64], pt[PT], out[PT + 64];
  size_t len12, len13;
  struct rtg_dtls_record r12, r13;
  EVP_CIPHER_CTX *evp12, *evp13; /* keyed once */
  struct rtg_dtls_cipher_cache c12, c13[2];
  uint8_t nonce12[12], nonce13[12], aad12[13], aad13[5];
  volatile uint8_t sink;
};

/* The baseline: open one GCM record with a context keyed in setup. */
static int evp_open(EVP_CIPHER_CTX *c, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *ct, size_t len, uint8_t *out) {
  int n;
  if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
      EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1 ||
      EVP_DecryptUpdate(c, out, &n, ct, (int)len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(ct + len)) != 1 ||
      EVP_DecryptFinal_ex(c, out + len, &n) != 1)
    return -1;
  return 0;
}

static EVP_CIPHER_CTX *keyed(const uint8_t *key) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  if (c != NULL && EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, NULL) != 1) {
    EVP_CIPHER_CTX_free(c);
    return NULL;
  }
  return c;
}

static void dtls_teardown(void *p) {
  struct dtls_st *s = p;
  if (s == NULL) return;
  EVP_CIPHER_CTX_free(s->evp12);
  EVP_CIPHER_CTX_free(s->evp13);
  rtg_dtls_cipher_cache_free(&s->c12);
  rtg_dtls_cipher_cache_free(&s->c13[0]);
  rtg_dtls_cipher_cache_free(&s->c13[1]);
  free(s);
}

static void *dtls_setup(void) {
  struct dtls_st *s = calloc(1, sizeof *s);
  uint8_t master[48], cr[32], sr[32], secret[32];
  struct rtg_dtls12_keys server;
  struct rtg_dtls13_keys rx;
  struct rtg_rd rd;
  uint8_t type;
  uint64_t seq;
  ptrdiff_t n;
  if (s == NULL) return NULL;
  for (size_t i = 0; i < PT; i++) s->pt[i] = (uint8_t)(i * 29u + 3u);
  memset(master, 0x11, sizeof master);
  memset(cr, 0x22, sizeof cr);
  memset(sr, 0x33, sizeof sr);
  memset(secret, 0x44, sizeof secret);
  if (rtg_dtls12_keys_derive(0xc02b, false, master, cr, sr, &s->k12, &server) ||
      rtg_dtls13_keys_derive(0x1301, 3, secret, 32, &s->k13))
    goto fail;
  n = rtg_dtls12_protect(&s->k12, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 9, s->pt, PT, s->rec12,
                         sizeof s->rec12);
  if (n < 0) goto fail;
  s->len12 = (size_t)n;
  rtg_rd_init(&rd, s->rec12, s->len12);
  if (rtg_dtls_record_parse(&rd, 0, &s->r12, NULL)) goto fail;
  n = rtg_dtls13_protect(&s->k13, RTG_DTLS_CT_APPDATA, 9, s->pt, PT, s->rec13, sizeof s->rec13);
  if (n < 0) goto fail;
  s->len13 = (size_t)n;
  rtg_rd_init(&rd, s->rec13, s->len13);
  if (rtg_dtls_record_parse(&rd, 0, &s->r13, NULL)) goto fail;
  /* the baseline's inputs: RFC 5288 nonce and RFC 5246 additional data;
   * RFC 9147 nonce and the unified header with the unmasked number */
  memcpy(s->nonce12, s->k12.iv, 4);
  memcpy(s->nonce12 + 4, s->rec12 + 13, 8);
  memcpy(s->aad12, s->rec12 + 3, 8);
  s->aad12[8] = RTG_DTLS_CT_APPDATA;
  rtg_store_u16(s->aad12 + 9, RTG_DTLS_V12);
  rtg_store_u16(s->aad12 + 11, PT);
  memcpy(s->nonce13, s->k13.iv, 12);
  s->nonce13[11] ^= 9;
  s->aad13[0] = s->rec13[0];
  rtg_store_u16(s->aad13 + 1, 9);
  rtg_store_u16(s->aad13 + 3, (uint16_t)(s->len13 - 5));
  s->evp12 = keyed(s->k12.key);
  s->evp13 = keyed(s->k13.key);
  if (s->evp12 == NULL || s->evp13 == NULL) goto fail;
  /* Both implementations must agree before their speed means anything. */
  if (rtg_dtls12_unprotect(&s->k12, &s->r12, s->out, sizeof s->out, NULL) != PT ||
      memcmp(s->out, s->pt, PT))
    goto fail;
  memset(s->out, 0, sizeof s->out);
  if (evp_open(s->evp12, s->nonce12, s->aad12, 13, s->rec12 + 13 + 8, PT, s->out) ||
      memcmp(s->out, s->pt, PT))
    goto fail;
  rx = s->k13;
  if (rtg_dtls13_unprotect(&rx, &s->r13, s->out, sizeof s->out, &type, &seq, NULL) != PT ||
      memcmp(s->out, s->pt, PT) || seq != 9)
    goto fail;
  memset(s->out, 0, sizeof s->out);
  if (evp_open(s->evp13, s->nonce13, s->aad13, 5, s->rec13 + 5, PT + 1, s->out) ||
      memcmp(s->out, s->pt, PT) || s->out[PT] != RTG_DTLS_CT_APPDATA)
    goto fail;
  return s;
fail:
  dtls_teardown(s);
  return NULL;
}

static double d12_rtg(void *p, uint64_t n) {
  struct dtls_st *s = p;
  for (uint64_t i = 0; i < n; i++)
    if (rtg_dtls12_unprotect_cached(&s->k12, &s->r12, s->out, sizeof s->out, NULL, &s->c12) != PT)
      return -1;
  s->sink = s->out[0];
  return (double)n * PT;
}

static double d12_base(void *p, uint64_t n) {
  struct dtls_st *s = p;
  for (uint64_t i = 0; i < n; i++)
    if (evp_open(s->evp12, s->nonce12, s->aad12, 13, s->rec12 + 13 + 8, PT, s->out)) return -1;
  s->sink = s->out[0];
  return (double)n * PT;
}

static double d13_rtg(void *p, uint64_t n) {
  struct dtls_st *s = p;
  uint8_t type;
  uint64_t seq;
  for (uint64_t i = 0; i < n; i++) {
    s->k13.next_seq = 9;
    if (rtg_dtls13_unprotect_cached(&s->k13, &s->r13, s->out, sizeof s->out, &type, &seq, NULL,
                                    s->c13) != PT)
      return -1;
  }
  s->sink = s->out[0];
  return (double)n * PT;
}

static double d13_base(void *p, uint64_t n) {
  struct dtls_st *s = p;
  for (uint64_t i = 0; i < n; i++)
    if (evp_open(s->evp13, s->nonce13, s->aad13, 5, s->rec13 + 5, PT + 1, s->out)) return -1;
  s->sink = s->out[0];
  return (double)n * PT;
}

static const struct rtg_bench_case cases[] = {
    {"dtls12-aes128gcm-decrypt-1200B", "MB/s", "openssl_evp_gcm_keyed_once", 0, dtls_setup,
     dtls_teardown, d12_rtg, d12_base},
    {"dtls13-aes128gcm-decrypt-1200B", "MB/s", "openssl_evp_gcm_keyed_once", 0, dtls_setup,
     dtls_teardown, d13_rtg, d13_base},
};

const struct rtg_bench rtg_bench_dtls = {
    "dtls", "DTLS record decryption from logged secrets vs the OpenSSL AES-GCM primitive limit",
    cases, sizeof cases / sizeof cases[0], false};
