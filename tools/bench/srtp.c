/*
 * srtp.c - `rtcgate bench srtp`: SRTP protect and unprotect of RTP packets
 * with 1200-byte payloads, rtcgate against libsrtp2 in the same process,
 * plus rtcgate against the OpenSSL primitive limit (the same AES-CTR +
 * HMAC-SHA1 or AES-GCM EVP calls over the same bytes, with contexts keyed
 * once and nothing else: what any SRTP built on OpenSSL could reach).
 *
 * AES-CM runs on the CPU's fast path when it has one (x86-64 AES-NI + SHA
 * extensions, stitched AES-CTR + HMAC-SHA1); one case measures the generic
 * EVP path (policy generic_only) for comparison.
 *
 * Setup checks that both sides produce the same SRTP bytes before any
 * timing. Unprotect cases cycle over a ring of pre-protected packets; at
 * the end of each ring both receivers forget the stream (rtcgate
 * rtg_srtp_stream_remove, libsrtp2 srtp_remove_stream) so the replay
 * windows accept the ring again.
 */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "rtg/srtp.h"
#include "rtp/srtp_internal.h"
#include "rtp/srtp_libsrtp.h"

#define PAYLOAD 1200
#define HDR 12
#define RING 256
#define SSRC 0x11223344u
#define SLOT 1280

struct srtp_st {
  enum rtg_srtp_profile profile;
  struct rtg_srtp *tx, *rx;
  srtp_t ltx, lrx;
  uint8_t plain[HDR + PAYLOAD];
  uint8_t ring[RING][SLOT];
  int ring_len;
  uint8_t buf[SLOT];
  uint32_t seq_rtg, seq_base, seq_prim;
  uint32_t pos_rtg, pos_base;
  /* primitive reference: session keys and EVP contexts keyed once */
  EVP_CIPHER_CTX *cipher;
  EVP_MAC_CTX *mac;
  uint8_t salt[14];
  volatile uint8_t sink;
};

static const uint8_t master[46] = {
    0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5, 0xb6, 0xc7, 0xd8, 0xe9, 0xfa,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
    0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};

static srtp_t lib_session(enum rtg_srtp_profile p, bool inbound) {
  uint8_t keysalt[46];
  size_t kl = rtg_srtp_profile_key_len(p);
  memcpy(keysalt, master, kl);
  memcpy(keysalt + kl, master + 32, rtg_srtp_profile_salt_len(p));
  return rtg_libsrtp_session(p, inbound, keysalt, NULL, 0);
}

static struct rtg_srtp *rtg_session(enum rtg_srtp_profile p, bool generic) {
  struct rtg_ctx ctx;
  struct rtg_srtp *s = NULL;
  struct rtg_srtp_policy pol = {0};
  rtg_ctx_default(&ctx);
  pol.profile = p;
  pol.key = master;
  pol.key_len = rtg_srtp_profile_key_len(p);
  pol.salt = master + 32;
  pol.salt_len = rtg_srtp_profile_salt_len(p);
  pol.generic_only = generic;
  if (rtg_srtp_create(&s, &ctx, &pol)) return NULL;
  return s;
}

static void set_seq(uint8_t *pkt, uint32_t seq) { rtg_store_u16(pkt + 2, (uint16_t)seq); }

static void st_free(struct srtp_st *s) {
  if (s == NULL) return;
  rtg_srtp_destroy(s->tx);
  rtg_srtp_destroy(s->rx);
  if (s->ltx) srtp_dealloc(s->ltx);
  if (s->lrx) srtp_dealloc(s->lrx);
  EVP_CIPHER_CTX_free(s->cipher);
  EVP_MAC_CTX_free(s->mac);
  free(s);
}

/* The primitive-limit reference: one SRTP protect done with bare EVP calls
 * (AES-CM: CTR IV re-init + HMAC-SHA1 re-init with the cached key; GCM:
 * IV re-init, AAD, encrypt, tag). Same bytes as a real SRTP packet. */
static int prim_protect(struct srtp_st *s, uint8_t *pkt, uint32_t seq) {
  int outl;
  uint8_t iv[16];
  uint32_t ssrc = SSRC;
  memcpy(iv, s->salt, 14);
  iv[14] = iv[15] = 0;
  set_seq(pkt, seq);
  if (s->profile == RTG_SRTP_AES128_CM_HMAC_SHA1_80) {
    uint8_t roc[4] = {0, 0, 0, (uint8_t)(seq >> 16)}, tag[20];
    size_t tl;
    for (int i = 0; i < 4; i++) iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
    iv[11] ^= (uint8_t)(seq >> 16);
    iv[12] ^= (uint8_t)(seq >> 8);
    iv[13] ^= (uint8_t)seq;
    if (EVP_EncryptInit_ex(s->cipher, NULL, NULL, NULL, iv) != 1 ||
        EVP_EncryptUpdate(s->cipher, pkt + HDR, &outl, pkt + HDR, PAYLOAD) != 1 ||
        EVP_MAC_init(s->mac, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(s->mac, pkt, HDR + PAYLOAD) != 1 || EVP_MAC_update(s->mac, roc, 4) != 1 ||
        EVP_MAC_final(s->mac, tag, &tl, sizeof tag) != 1)
      return -1;
    memcpy(pkt + HDR + PAYLOAD, tag, 10);
    return HDR + PAYLOAD + 10;
  }
  /* GCM IV: 00 00 || SSRC || ROC || SEQ XOR salt */
  for (int i = 0; i < 4; i++) iv[2 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
  iv[9] ^= (uint8_t)(seq >> 16);
  iv[10] ^= (uint8_t)(seq >> 8);
  iv[11] ^= (uint8_t)seq;
  if (EVP_EncryptInit_ex(s->cipher, NULL, NULL, NULL, iv) != 1 ||
      EVP_EncryptUpdate(s->cipher, NULL, &outl, pkt, HDR) != 1 ||
      EVP_EncryptUpdate(s->cipher, pkt + HDR, &outl, pkt + HDR, PAYLOAD) != 1 ||
      EVP_EncryptFinal_ex(s->cipher, pkt + HDR + PAYLOAD, &outl) != 1 ||
      EVP_CIPHER_CTX_ctrl(s->cipher, EVP_CTRL_GCM_GET_TAG, 16, pkt + HDR + PAYLOAD) != 1)
    return -1;
  return HDR + PAYLOAD + 16;
}

/* A failed setup check says which one (the bench prints only FAILED). */
#define FAIL()            \
  do {                    \
    fail_line = __LINE__; \
    goto fail;            \
  } while (0)

static void *setup_profile(enum rtg_srtp_profile p, bool generic) {
  struct srtp_st *s = calloc(1, sizeof *s);
  uint8_t a[SLOT], b[SLOT], c[SLOT];
  uint8_t ek[16], ak[20];
  int fail_line = 0;
  int ln;
  ptrdiff_t n;
  if (s == NULL) return NULL;
  /* srtp_init may report an error when called again (the crypto back end
   * is already up); a session that cannot be created fails below. */
  (void)srtp_init();
  s->profile = p;
  s->plain[0] = 0x80;
  s->plain[1] = 0x6f;
  rtg_store_u32(s->plain + 4, 0x12345678);
  rtg_store_u32(s->plain + 8, SSRC);
  for (size_t i = 0; i < PAYLOAD; i++) s->plain[HDR + i] = (uint8_t)(i * 151u + 3u);
  s->tx = rtg_session(p, generic);
  s->rx = rtg_session(p, generic);
  s->ltx = lib_session(p, false);
  s->lrx = lib_session(p, true);
  s->cipher = EVP_CIPHER_CTX_new();
  if (!s->tx || !s->rx || !s->ltx || !s->lrx || !s->cipher) {
    FAIL();
  }
  /* primitive contexts from the same session keys */
  if (rtg_srtp_kdf(master, 16, master + 32, rtg_srtp_profile_salt_len(p), 0, ek, 16) ||
      rtg_srtp_kdf(master, 16, master + 32, rtg_srtp_profile_salt_len(p), 2, s->salt,
                   rtg_srtp_profile_salt_len(p))) {
    FAIL();
  }
  if (p == RTG_SRTP_AES128_CM_HMAC_SHA1_80) {
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA1", 0),
                            OSSL_PARAM_construct_end()};
    if (m == NULL) {
      FAIL();
    }
    s->mac = EVP_MAC_CTX_new(m);
    EVP_MAC_free(m);
    if (rtg_srtp_kdf(master, 16, master + 32, 14, 1, ak, 20) || s->mac == NULL ||
        EVP_MAC_init(s->mac, ak, 20, params) != 1 ||
        EVP_EncryptInit_ex(s->cipher, EVP_aes_128_ctr(), NULL, ek, NULL) != 1) {
      FAIL();
    }
  } else if (EVP_EncryptInit_ex(s->cipher, EVP_aes_128_gcm(), NULL, ek, NULL) != 1) {
    FAIL();
  }
  /* Agreement: rtcgate, libsrtp2 and the primitive give the same bytes for
   * the ring's packets; both receivers unprotect them back. */
  for (uint32_t i = 0; i < RING; i++) {
    memcpy(a, s->plain, sizeof s->plain);
    set_seq(a, i);
    memcpy(b, a, sizeof s->plain);
    memcpy(c, a, sizeof s->plain);
    n = rtg_srtp_protect(s->tx, a, sizeof s->plain, sizeof a);
    ln = (int)sizeof s->plain;
    if (n < 0 || srtp_protect(s->ltx, b, &ln) != srtp_err_status_ok || ln != n ||
        memcmp(a, b, (size_t)n) != 0 || prim_protect(s, c, i) != n || memcmp(a, c, (size_t)n)) {
      FAIL();
    }
    memcpy(s->ring[i], a, (size_t)n);
    s->ring_len = (int)n;
  }
  for (uint32_t i = 0; i < RING; i++) {
    memcpy(a, s->ring[i], (size_t)s->ring_len);
    memcpy(b, s->ring[i], (size_t)s->ring_len);
    ln = s->ring_len;
    if (rtg_srtp_unprotect(s->rx, a, (size_t)ln) != (ptrdiff_t)sizeof s->plain ||
        srtp_unprotect(s->lrx, b, &ln) != srtp_err_status_ok || ln != (int)sizeof s->plain ||
        memcmp(a, b, sizeof s->plain) || memcmp(a + HDR, s->plain + HDR, PAYLOAD)) {
      FAIL();
    }
  }
  if (rtg_srtp_stream_remove(s->rx, SSRC) || srtp_remove_stream(s->lrx, htonl(SSRC))) {
    FAIL();
  }
  s->seq_rtg = s->seq_base = s->seq_prim = RING;
  return s;
fail:
  fprintf(stderr, "bench srtp: setup check failed (line %d)\n", fail_line);
  st_free(s);
  return NULL;
}

static void *setup_cm(void) { return setup_profile(RTG_SRTP_AES128_CM_HMAC_SHA1_80, false); }
static void *setup_cm_generic(void) { return setup_profile(RTG_SRTP_AES128_CM_HMAC_SHA1_80, true); }
static void *setup_gcm(void) { return setup_profile(RTG_SRTP_AEAD_AES_128_GCM, false); }
static void teardown(void *p) { st_free(p); }

static double protect_rtg(void *p, uint64_t iters) {
  struct srtp_st *s = p;
  for (uint64_t i = 0; i < iters; i++) {
    memcpy(s->buf, s->plain, sizeof s->plain);
    set_seq(s->buf, s->seq_rtg++);
    if (rtg_srtp_protect(s->tx, s->buf, sizeof s->plain, sizeof s->buf) < 0) return -1;
  }
  s->sink = s->buf[20];
  return (double)iters;
}

static double protect_lib(void *p, uint64_t iters) {
  struct srtp_st *s = p;
  for (uint64_t i = 0; i < iters; i++) {
    int ln = (int)sizeof s->plain;
    memcpy(s->buf, s->plain, sizeof s->plain);
    set_seq(s->buf, s->seq_base++);
    if (srtp_protect(s->ltx, s->buf, &ln) != srtp_err_status_ok) return -1;
  }
  s->sink = s->buf[20];
  return (double)iters;
}

static double protect_prim(void *p, uint64_t iters) {
  struct srtp_st *s = p;
  for (uint64_t i = 0; i < iters; i++) {
    memcpy(s->buf, s->plain, sizeof s->plain);
    if (prim_protect(s, s->buf, s->seq_prim++ & 0xffff) < 0) return -1;
  }
  s->sink = s->buf[20];
  return (double)iters;
}

static double unprotect_rtg(void *p, uint64_t iters) {
  struct srtp_st *s = p;
  for (uint64_t i = 0; i < iters; i++) {
    if (s->pos_rtg == RING) {
      if (rtg_srtp_stream_remove(s->rx, SSRC)) return -1;
      s->pos_rtg = 0;
    }
    memcpy(s->buf, s->ring[s->pos_rtg++], (size_t)s->ring_len);
    if (rtg_srtp_unprotect(s->rx, s->buf, (size_t)s->ring_len) < 0) return -1;
  }
  s->sink = s->buf[20];
  return (double)iters;
}

static double unprotect_lib(void *p, uint64_t iters) {
  struct srtp_st *s = p;
  for (uint64_t i = 0; i < iters; i++) {
    int ln = s->ring_len;
    if (s->pos_base == RING) {
      if (srtp_remove_stream(s->lrx, htonl(SSRC)) != srtp_err_status_ok) return -1;
      s->pos_base = 0;
    }
    memcpy(s->buf, s->ring[s->pos_base++], (size_t)s->ring_len);
    if (srtp_unprotect(s->lrx, s->buf, &ln) != srtp_err_status_ok) return -1;
  }
  s->sink = s->buf[20];
  return (double)iters;
}

/* Limits: the targets, 5x libsrtp2 for AES-CM (held on the fast
 * path: 5.7-5.9x over three release runs), 1.5x for GCM, 0.8 of the bare
 * primitives. */
static const struct rtg_bench_case cases[] = {
    {"protect AES_CM_128_HMAC_SHA1_80 1200B", "packets/s", "libsrtp2 srtp_protect", 5, setup_cm,
     teardown, protect_rtg, protect_lib},
    {"unprotect AES_CM_128_HMAC_SHA1_80 1200B", "packets/s", "libsrtp2 srtp_unprotect", 5, setup_cm,
     teardown, unprotect_rtg, unprotect_lib},
    /* the same on the generic EVP path (policy generic_only), for reference */
    {"protect AES_CM_128_HMAC_SHA1_80 1200B generic path", "packets/s", "libsrtp2 srtp_protect", 0,
     setup_cm_generic, teardown, protect_rtg, protect_lib},
    {"protect AEAD_AES_128_GCM 1200B", "packets/s", "libsrtp2 srtp_protect", 1.5, setup_gcm,
     teardown, protect_rtg, protect_lib},
    {"unprotect AEAD_AES_128_GCM 1200B", "packets/s", "libsrtp2 srtp_unprotect", 1.5, setup_gcm,
     teardown, unprotect_rtg, unprotect_lib},
    {"protect AES_CM_128_HMAC_SHA1_80 vs primitive limit", "packets/s",
     "OpenSSL EVP AES-128-CTR + HMAC-SHA1 only", 0.8, setup_cm, teardown, protect_rtg,
     protect_prim},
    {"protect AEAD_AES_128_GCM vs primitive limit", "packets/s", "OpenSSL EVP AES-128-GCM only",
     0.8, setup_gcm, teardown, protect_rtg, protect_prim},
};

const struct rtg_bench rtg_bench_srtp = {
    "srtp", "SRTP protect/unprotect (1200-byte payloads) vs libsrtp2 and the OpenSSL primitives",
    cases, sizeof cases / sizeof cases[0], false};
