/*
 * srtp_fast_test.c - the CPU-specific AES-CM + HMAC-SHA1 path (srtp_x86.c)
 * against known answers (RFC 2202 HMAC-SHA1; the RFC 3711 B.2 keystream is
 * in srtp_test) and
 * against the generic OpenSSL EVP path: byte-identical SRTP and SRTCP for
 * random packets (payloads 0..1500 bytes, CSRCs, header extensions, MKI),
 * each path unprotecting the other's packets, tampered packets rejected and
 * left as they were. Skipped on a CPU without the instructions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/hmac.h>

#include "rtg/srtp.h"
#include "rtp/srtp_internal.h"

static size_t unhex(uint8_t *out, size_t cap, const char *s) {
  ptrdiff_t n = rtg_hex_decode(out, cap, s, strlen(s), NULL);
  assert_true(n >= 0);
  return (size_t)n;
}

static const struct rtg_srtp_fast_ops *ops_or_skip(void) {
  const struct rtg_srtp_fast_ops *o = rtg_srtp_x86_ops();
  if (o == NULL) skip();
  return o;
}

/* The fast path's counter mode gives the generic keystream (srtp_test
 * checks that one against RFC 3711 B.2 and the fast one against it over
 * the whole B.2 range) for every length 0..300, and undoes itself. */
static void test_srtp_fast_ctr_matches_generic(void **state) {
  const struct rtg_srtp_fast_ops *o = ops_or_skip();
  struct rtg_srtp_fast f;
  uint8_t key[16], iv[16], auth[20] = {0}, g[300], ks[300];
  (void)state;
  unhex(key, sizeof key, "000102030405060708090a0b0c0d0e0f");
  unhex(iv, sizeof iv, "a0a1a2a3a4a5a6a7a8a9aaabacad0000");
  o->init(&f, key, auth);
  for (size_t len = 0; len <= sizeof ks; len++) {
    memset(ks, 0, sizeof ks);
    assert_int_equal(rtg_srtp_aes_cm_keystream(key, 16, iv, g, len), 0);
    o->ctr(&f, iv, ks, ks, len);
    assert_memory_equal(g, ks, len);
    o->ctr(&f, iv, ks, ks, len);
    for (size_t i = 0; i < sizeof ks; i++) assert_int_equal(ks[i], 0);
  }
}

/* RFC 2202 §3 test cases 1, 3 (20-byte keys) through seal with nothing to
 * encrypt; then HMAC over every message length 0..300 (and a suffix of
 * 0..8 bytes) against OpenSSL's HMAC. */
static void test_srtp_fast_hmac_rfc2202(void **state) {
  const struct rtg_srtp_fast_ops *o = ops_or_skip();
  struct rtg_srtp_fast f;
  uint8_t key[16] = {0}, auth[20], msg[320], tag[20], want[20];
  unsigned wl = 0;
  (void)state;
  memset(auth, 0x0b, sizeof auth);
  o->init(&f, key, auth);
  memcpy(msg, "Hi There", 8);
  o->seal(&f, key, msg, 8, 8, NULL, 0, tag);
  unhex(want, 20, "b617318655057264e28bc0b6fb378c8ef146be00");
  assert_memory_equal(tag, want, 20);
  memset(auth, 0xaa, sizeof auth);
  memset(msg, 0xdd, 50);
  o->init(&f, key, auth);
  o->open(&f, key, msg, msg, 50, 50, NULL, 0, tag);
  unhex(want, 20, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  assert_memory_equal(tag, want, 20);
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 37 + 11);
  for (size_t len = 0; len <= 300; len++) {
    size_t sn = len % 9;
    o->seal(&f, key, msg, len, len, msg + len, sn, tag);
    assert_non_null(HMAC(EVP_sha1(), auth, 20, msg, len + sn, want, &wl));
    assert_memory_equal(tag, want, 20);
  }
}

/* ---- fast path == generic path ------------------------------------------ */

static uint64_t next(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

static struct rtg_srtp *session(enum rtg_srtp_profile p, bool generic, const uint8_t *mki,
                                size_t mki_len) {
  static const uint8_t key[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                  0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
  static const uint8_t salt[14] = {0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
                                   0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd};
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_srtp *s = NULL;
  struct rtg_srtp_policy pol = {0};
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.profile = p;
  pol.key = key;
  pol.key_len = 16;
  pol.salt = salt;
  pol.salt_len = 14;
  pol.mki = mki;
  pol.mki_len = mki_len;
  pol.replay_window = 32768;
  pol.generic_only = generic;
  assert_int_equal(rtg_srtp_create(&s, &ctx, &pol), 0);
  assert_true((rtg_srtp_fast_path(s) == NULL) == generic);
  return s;
}

/* A random RTP packet: CSRCs (0..15), a header extension (0..40 words)
 * half the time, a payload of 0..1500 bytes. */
static size_t random_rtp(uint8_t *b, uint64_t *x, uint16_t seq) {
  size_t cc = next(x) % 16, h = 12 + 4 * cc, pl = next(x) % 1501;
  b[0] = (uint8_t)(0x80 | cc);
  b[1] = (uint8_t)(next(x) & 0xff);
  rtg_store_u16(b + 2, seq);
  rtg_store_u32(b + 4, (uint32_t)next(x));
  rtg_store_u32(b + 8, 0x5eed0000u | (uint32_t)(next(x) % 3));
  for (size_t i = 12; i < h; i++) b[i] = (uint8_t)next(x);
  if (next(x) & 1) {
    size_t words = next(x) % 41;
    b[0] |= 0x10;
    rtg_store_u16(b + h, 0xbede);
    rtg_store_u16(b + h + 2, (uint16_t)words);
    for (size_t i = 0; i < 4 * words; i++) b[h + 4 + i] = (uint8_t)next(x);
    h += 4 + 4 * words;
  }
  for (size_t i = 0; i < pl; i++) b[h + i] = (uint8_t)next(x);
  return h + pl;
}

/* Protect on both paths (same bytes); unprotect each on the other path;
 * in place and to another buffer; a tampered copy rejected and unchanged. */
static void check_rtp(struct rtg_srtp *tx[2], struct rtg_srtp *rx[2], const uint8_t *plain,
                      size_t n, uint64_t *x) {
  uint8_t a[1800], b[1800], c[1800];
  ptrdiff_t na, nb;
  memcpy(a, plain, n);
  memcpy(b, plain, n);
  na = rtg_srtp_protect(tx[0], a, n, sizeof a);
  nb = rtg_srtp_protect(tx[1], b, n, sizeof b);
  assert_true(na > 0);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, (size_t)na);
  memcpy(c, a, (size_t)na);
  c[next(x) % (size_t)na] ^= (uint8_t)(1u << (next(x) % 8));
  memcpy(b, c, (size_t)na);
  assert_true(rtg_srtp_unprotect(rx[next(x) & 1], c, (size_t)na) < 0);
  assert_memory_equal(c, b, (size_t)na);
  memcpy(b, a, (size_t)na);
  assert_int_equal(rtg_srtp_unprotect(rx[1], a, (size_t)na), (ptrdiff_t)n);
  assert_memory_equal(a, plain, n);
  assert_int_equal(rtg_srtp_unprotect_to(rx[0], b, (size_t)na, c, sizeof c), (ptrdiff_t)n);
  assert_memory_equal(c, plain, n);
}

static void check_rtcp(struct rtg_srtp *tx[2], struct rtg_srtp *rx[2], uint64_t *x) {
  uint8_t plain[1600], a[1800], b[1800];
  size_t n = 8 + next(x) % 1500;
  ptrdiff_t na, nb;
  plain[0] = 0x81;
  plain[1] = 0xc8;
  rtg_store_u16(plain + 2, (uint16_t)(n / 4 - 1));
  rtg_store_u32(plain + 4, 0x5eed0007u);
  for (size_t i = 8; i < n; i++) plain[i] = (uint8_t)next(x);
  memcpy(a, plain, n);
  memcpy(b, plain, n);
  na = rtg_srtcp_protect(tx[0], a, n, sizeof a);
  nb = rtg_srtcp_protect(tx[1], b, n, sizeof b);
  assert_true(na > 0);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, (size_t)na);
  b[next(x) % (size_t)na] ^= 0x40;
  assert_true(rtg_srtcp_unprotect(rx[0], b, (size_t)na) < 0);
  assert_true(rtg_srtcp_unprotect(rx[1], b, (size_t)na) < 0);
  memcpy(b, a, (size_t)na);
  assert_int_equal(rtg_srtcp_unprotect(rx[0], a, (size_t)na), (ptrdiff_t)n);
  assert_memory_equal(a, plain, n);
  /* each receiver sees each index once */
  assert_int_equal(rtg_srtcp_unprotect(rx[1], b, (size_t)na), (ptrdiff_t)n);
  assert_memory_equal(b, plain, n);
}

static void test_srtp_fast_matches_generic(void **state) {
  static const enum rtg_srtp_profile profiles[2] = {RTG_SRTP_AES128_CM_HMAC_SHA1_80,
                                                    RTG_SRTP_AES128_CM_HMAC_SHA1_32};
  static const uint8_t mki[4] = {0xfa, 0x57, 0x0a, 0x11};
  (void)state;
  (void)ops_or_skip();
  for (int variant = 0; variant < 4; variant++) {
    size_t ml = (variant & 2) ? sizeof mki : 0;
    enum rtg_srtp_profile p = profiles[variant & 1];
    /* [0] fast, [1] generic */
    struct rtg_srtp *tx[2] = {session(p, false, mki, ml), session(p, true, mki, ml)};
    struct rtg_srtp *rx[2] = {session(p, false, mki, ml), session(p, true, mki, ml)};
    uint64_t x = 0x9e3779b97f4a7c15ull + (uint64_t)(unsigned)variant;
    uint8_t plain[1800];
    for (uint32_t i = 0; i < 400; i++) {
      size_t n = random_rtp(plain, &x, (uint16_t)(65000u + i * 3u));
      check_rtp(tx, rx, plain, n, &x);
      if (i % 4 == 0) check_rtcp(tx, rx, &x);
    }
    /* every payload length 0..200 with a plain 12-byte header (the
     * alignments of the stitched loop's chunks and blocks) */
    for (size_t pl = 0; pl <= 200; pl++) {
      size_t n = 12 + pl;
      plain[0] = 0x80;
      rtg_store_u16(plain + 2, (uint16_t)(2000 + pl));
      rtg_store_u32(plain + 8, 0x5eed0001u);
      for (size_t i = 12; i < n; i++) plain[i] = (uint8_t)next(&x);
      check_rtp(tx, rx, plain, n, &x);
    }
    {
      /* session keys set afterwards re-key the fast path too */
      static const uint8_t sk[16] = {0x5e, 0x55}, ss[14] = {0x51}, sa[20] = {0xa7};
      uint8_t a[128], b[128];
      size_t n = 12 + 77;
      ptrdiff_t na, nb;
      assert_int_equal(rtg_srtp_set_session_keys(tx[0], sk, ss, sa), 0);
      assert_int_equal(rtg_srtp_set_session_keys(tx[1], sk, ss, sa), 0);
      plain[0] = 0x80;
      rtg_store_u16(plain + 2, 9000);
      memcpy(a, plain, n);
      memcpy(b, plain, n);
      na = rtg_srtp_protect(tx[0], a, n, sizeof a);
      nb = rtg_srtp_protect(tx[1], b, n, sizeof b);
      assert_true(na > 0 && na == nb);
      assert_memory_equal(a, b, (size_t)na);
    }
    for (int k = 0; k < 2; k++) {
      rtg_srtp_destroy(tx[k]);
      rtg_srtp_destroy(rx[k]);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_srtp_fast_ctr_matches_generic),
      cmocka_unit_test(test_srtp_fast_hmac_rfc2202),
      cmocka_unit_test(test_srtp_fast_matches_generic),
  };
  return cmocka_run_group_tests_name("srtp_fast", tests, NULL, NULL);
}
