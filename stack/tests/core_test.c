/*
 * core_test.c - cursors, errors, CRC-32/CRC-32c, hashes/HMAC, hex, context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/core.h"

/* ---- cursors ------------------------------------------------------------ */

static void test_core_rd_reads_big_endian(void **state) {
  static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                               0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
                               0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
  struct rtg_rd rd;
  uint8_t a;
  uint16_t b;
  uint32_t c, d;
  uint64_t e, f;
  (void)state;
  rtg_rd_init(&rd, in, sizeof in);
  assert_int_equal(rtg_rd_u8(&rd, &a), 0);
  assert_int_equal(rtg_rd_u16(&rd, &b), 0);
  assert_int_equal(rtg_rd_u24(&rd, &c), 0);
  assert_int_equal(rtg_rd_u32(&rd, &d), 0);
  assert_int_equal(rtg_rd_u48(&rd, &e), 0);
  assert_int_equal(rtg_rd_u64(&rd, &f), 0);
  assert_int_equal(a, 0x01);
  assert_int_equal(b, 0x0203);
  assert_int_equal(c, 0x040506);
  assert_int_equal(d, 0x0708090a);
  assert_true(e == 0x0b0c0d0e0f10ull);
  assert_true(f == 0x1112131415161718ull);
  assert_true(rtg_rd_empty(&rd));
}

/* Every reader on every too-short input fails with RTG_ERR_TRUNCATED and
 * leaves the cursor exactly where it was. */
static void test_core_rd_failed_read_does_not_move(void **state) {
  static const uint8_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  (void)state;
  for (size_t len = 0; len < 8; len++) {
    struct rtg_rd rd, sub;
    struct rtg_slice s;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    uint8_t tmp[9];
    rtg_rd_init(&rd, in, len);
#define EXPECT_FAIL_IF(short_, call)            \
  do {                                          \
    struct rtg_rd before = rd;                  \
    int rc_ = (call);                           \
    if (short_) {                               \
      assert_int_equal(rc_, RTG_ERR_TRUNCATED); \
      assert_ptr_equal(rd.p, before.p);         \
    } else {                                    \
      assert_int_equal(rc_, 0);                 \
      rd = before;                              \
    }                                           \
  } while (0)
    EXPECT_FAIL_IF(len < 1, rtg_rd_u8(&rd, &v8));
    EXPECT_FAIL_IF(len < 2, rtg_rd_u16(&rd, &v16));
    EXPECT_FAIL_IF(len < 3, rtg_rd_u24(&rd, &v32));
    EXPECT_FAIL_IF(len < 4, rtg_rd_u32(&rd, &v32));
    EXPECT_FAIL_IF(len < 6, rtg_rd_u48(&rd, &v64));
    EXPECT_FAIL_IF(len < 8, rtg_rd_u64(&rd, &v64));
    EXPECT_FAIL_IF(len < 5, rtg_rd_bytes(&rd, 5, &s));
    EXPECT_FAIL_IF(len < 6, rtg_rd_copy(&rd, tmp, 6));
    EXPECT_FAIL_IF(len < 7, rtg_rd_skip(&rd, 7));
    EXPECT_FAIL_IF(len < 3, rtg_rd_sub(&rd, 3, &sub));
    EXPECT_FAIL_IF(len < 1, rtg_rd_peek_u8(&rd, &v8));
    EXPECT_FAIL_IF(len < 2, rtg_rd_peek_u16(&rd, &v16));
    EXPECT_FAIL_IF(len < 4, rtg_rd_peek_u32(&rd, &v32));
#undef EXPECT_FAIL_IF
  }
}

/* Truncation sweep of a length-prefixed block: every prefix of the encoding
 * is rejected and leaves the cursor at the length field. */
static void test_core_rd_sub16_truncation_sweep(void **state) {
  static const uint8_t in[] = {0x00, 0x04, 0xaa, 0xbb, 0xcc, 0xdd};
  (void)state;
  for (size_t len = 0; len < sizeof in; len++) {
    struct rtg_rd rd, sub;
    rtg_rd_init(&rd, in, len);
    assert_int_equal(rtg_rd_sub16(&rd, &sub), RTG_ERR_TRUNCATED);
    assert_ptr_equal(rd.p, in);
  }
  {
    struct rtg_rd rd, sub;
    uint32_t v;
    rtg_rd_init(&rd, in, sizeof in);
    assert_int_equal(rtg_rd_sub16(&rd, &sub), 0);
    assert_true(rtg_rd_empty(&rd));
    assert_int_equal(rtg_rd_left(&sub), 4);
    assert_int_equal(rtg_rd_offset(&sub), 2); /* offsets stay absolute */
    assert_int_equal(rtg_rd_u32(&sub, &v), 0);
    assert_int_equal(v, 0xaabbccdd);
    /* the sub-cursor cannot read past its own end */
    assert_int_equal(rtg_rd_u8(&sub, (uint8_t *)&v), RTG_ERR_TRUNCATED);
  }
}

static void test_core_rd_sub8_sub24(void **state) {
  static const uint8_t in[] = {0x02, 0x11, 0x22, 0x00, 0x00, 0x01, 0x33};
  struct rtg_rd rd, a, b;
  (void)state;
  rtg_rd_init(&rd, in, sizeof in);
  assert_int_equal(rtg_rd_sub8(&rd, &a), 0);
  assert_int_equal(rtg_rd_left(&a), 2);
  assert_int_equal(rtg_rd_sub24(&rd, &b), 0);
  assert_int_equal(rtg_rd_left(&b), 1);
  assert_int_equal(b.p[0], 0x33);
  assert_true(rtg_rd_empty(&rd));
}

static void test_core_wr_round_trip(void **state) {
  uint8_t buf[32];
  struct rtg_wr wr;
  struct rtg_rd rd;
  size_t mark;
  uint16_t len16;
  uint8_t v8;
  uint32_t v24, v32;
  uint64_t v48, v64;
  (void)state;
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_wr_reserve(&wr, 2, &mark), 0);
  assert_int_equal(rtg_wr_u8(&wr, 0x7f), 0);
  assert_int_equal(rtg_wr_u24(&wr, 0xabcdef), 0);
  assert_int_equal(rtg_wr_u32(&wr, 0xdeadbeef), 0);
  assert_int_equal(rtg_wr_u48(&wr, 0x123456789abcull), 0);
  assert_int_equal(rtg_wr_u64(&wr, 0x0102030405060708ull), 0);
  assert_int_equal(rtg_wr_patch_u16(&wr, mark, (uint16_t)(rtg_wr_len(&wr) - 2)), 0);
  rtg_rd_init(&rd, buf, rtg_wr_len(&wr));
  assert_int_equal(rtg_rd_u16(&rd, &len16), 0);
  assert_int_equal(len16, 1 + 3 + 4 + 6 + 8);
  assert_int_equal(rtg_rd_u8(&rd, &v8), 0);
  assert_int_equal(rtg_rd_u24(&rd, &v24), 0);
  assert_int_equal(rtg_rd_u32(&rd, &v32), 0);
  assert_int_equal(rtg_rd_u48(&rd, &v48), 0);
  assert_int_equal(rtg_rd_u64(&rd, &v64), 0);
  assert_int_equal(v8, 0x7f);
  assert_int_equal(v24, 0xabcdef);
  assert_int_equal(v32, 0xdeadbeef);
  assert_true(v48 == 0x123456789abcull);
  assert_true(v64 == 0x0102030405060708ull);
}

static void test_core_wr_failed_write_does_not_move(void **state) {
  uint8_t buf[3];
  struct rtg_wr wr;
  size_t mark;
  (void)state;
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_wr_u32(&wr, 1), RTG_ERR_NOBUF);
  assert_int_equal(rtg_wr_len(&wr), 0);
  assert_int_equal(rtg_wr_u16(&wr, 1), 0);
  assert_int_equal(rtg_wr_u16(&wr, 1), RTG_ERR_NOBUF);
  assert_int_equal(rtg_wr_bytes(&wr, "ab", 2), RTG_ERR_NOBUF);
  assert_int_equal(rtg_wr_reserve(&wr, 2, &mark), RTG_ERR_NOBUF);
  assert_int_equal(rtg_wr_len(&wr), 2);
  assert_int_equal(rtg_wr_u24(&wr, 0x1000000), RTG_ERR_INVAL);
  /* a patch may not reach past what was written */
  assert_int_equal(rtg_wr_patch_u16(&wr, 1, 5), RTG_ERR_INVAL);
  assert_int_equal(rtg_wr_patch_u32(&wr, 0, 5), RTG_ERR_INVAL);
  assert_int_equal(rtg_wr_patch_u16(&wr, 0, 0x4142), 0);
  assert_int_equal(buf[0], 0x41);
}

/* ---- errors --------------------------------------------------------------- */

static void test_core_strerror_and_perr(void **state) {
  struct rtg_perr e;
  char buf[128];
  (void)state;
  assert_string_equal(rtg_strerror(RTG_ERR_PARSE), "malformed input");
  assert_string_equal(rtg_strerror(12345), "unknown error");
  assert_string_equal(rtg_strerror(RTG_OK), "ok");
  rtg_perr_clear(&e);
  assert_int_equal(rtg_perr_set(&e, 20, "stun.attr.length", "overruns message", "RFC 8489 §14"),
                   RTG_ERR_PARSE);
  /* the first (innermost) failure wins */
  assert_int_equal(rtg_perr_set(&e, 0, "outer", "outer", NULL), RTG_ERR_PARSE);
  rtg_perr_format(&e, buf, sizeof buf);
  assert_string_equal(buf, "offset 20: stun.attr.length: overruns message (RFC 8489 §14)");
  assert_int_equal(rtg_perr_set(NULL, 0, "x", "y", NULL), RTG_ERR_PARSE);
}

/* ---- CRC ---------------------------------------------------------------- */

static void test_core_crc32_check_value(void **state) {
  (void)state;
  /* CRC-32/ISO-HDLC check value over "123456789". */
  assert_int_equal(rtg_crc32(0, "123456789", 9), 0xcbf43926u);
  assert_int_equal(rtg_crc32(0, "", 0), 0);
  /* incremental == one shot */
  assert_int_equal(rtg_crc32(rtg_crc32(0, "12345", 5), "6789", 4), 0xcbf43926u);
}

/* RFC 3720 Appendix B.4 CRC-32c examples; the RFC prints the CRC bytes in
 * wire order (little-endian), e.g. "aa 36 91 8a" for 32 zero bytes. */
static void test_core_crc32c_rfc3720_vectors(void **state) {
  uint8_t buf[48];
  static const uint8_t iscsi_read[48] = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
                                         0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  (void)state;
  memset(buf, 0, 32);
  assert_int_equal(rtg_crc32c(0, buf, 32), 0x8a9136aau);
  memset(buf, 0xff, 32);
  assert_int_equal(rtg_crc32c(0, buf, 32), 0x62a8ab43u);
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
  assert_int_equal(rtg_crc32c(0, buf, 32), 0x46dd794eu);
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
  assert_int_equal(rtg_crc32c(0, buf, 32), 0x113fdb5cu);
  assert_int_equal(rtg_crc32c(0, iscsi_read, 48), 0xd9963a56u);
  assert_int_equal(rtg_crc32c_sw(0, iscsi_read, 48), 0xd9963a56u);
  /* CRC-32c check value over "123456789" */
  assert_int_equal(rtg_crc32c(0, "123456789", 9), 0xe3069283u);
}

/* The hardware and table paths agree at every length and alignment. */
static void test_core_crc32c_hw_matches_sw(void **state) {
  uint8_t buf[300];
  struct rtg_prng g;
  (void)state;
  rtg_prng_seed(&g, 42);
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)rtg_prng_next(&g);
  for (size_t off = 0; off < 9; off++)
    for (size_t len = 0; len + off <= sizeof buf; len += 7)
      assert_int_equal(rtg_crc32c(0, buf + off, len), rtg_crc32c_sw(0, buf + off, len));
  assert_int_equal(rtg_crc32c(rtg_crc32c(0, buf, 100), buf + 100, 200), rtg_crc32c(0, buf, 300));
}

/* ---- hashes and HMAC ---------------------------------------------------------- */

static void hexeq(const uint8_t *got, const char *want_hex) {
  char hex[2 * RTG_HASH_MAX + 1];
  size_t n = strlen(want_hex) / 2;
  assert_true(rtg_hex_encode(hex, sizeof hex, got, n, 0, false) >= 0);
  assert_string_equal(hex, want_hex);
}

static void test_core_hash_vectors(void **state) {
  uint8_t out[RTG_HASH_MAX];
  (void)state;
  assert_int_equal(rtg_hash(RTG_HASH_SHA1, "abc", 3, out), 0);
  hexeq(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert_int_equal(rtg_hash(RTG_HASH_SHA256, "abc", 3, out), 0);
  hexeq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_int_equal(rtg_hash(RTG_HASH_MD5, "abc", 3, out), 0);
  hexeq(out, "900150983cd24fb0d6963f7d28e17f72");
  assert_int_equal(rtg_hash((enum rtg_hash_alg)99, "abc", 3, out), RTG_ERR_INVAL);
  assert_int_equal(rtg_hash_size(RTG_HASH_SHA384), 48);
  assert_int_equal(rtg_hash_from_name("SHA-256"), RTG_HASH_SHA256);
  assert_int_equal(rtg_hash_from_name("sha-3"), 0);
  assert_string_equal(rtg_hash_name(RTG_HASH_SHA512), "sha-512");
}

/* RFC 2202 (HMAC-SHA1) test cases 1, 2, 6 and RFC 4231 (HMAC-SHA256) test
 * cases 1, 2, 6. */
static void test_core_hmac_rfc2202_rfc4231(void **state) {
  uint8_t key20[20], key131[131], out[RTG_HASH_MAX];
  struct rtg_hmac h;
  static const char big_key_msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
  (void)state;
  memset(key20, 0x0b, sizeof key20);
  memset(key131, 0xaa, sizeof key131);
  /* RFC 2202 §3 test case 1 */
  assert_int_equal(rtg_hmac_oneshot(RTG_HASH_SHA1, key20, 20, "Hi There", 8, out), 0);
  hexeq(out, "b617318655057264e28bc0b6fb378c8ef146be00");
  /* test case 2 */
  assert_int_equal(
      rtg_hmac_oneshot(RTG_HASH_SHA1, "Jefe", 4, "what do ya want for nothing?", 28, out), 0);
  hexeq(out, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  /* test case 6: 80-byte key of 0xaa */
  assert_int_equal(
      rtg_hmac_oneshot(RTG_HASH_SHA1, key131, 80, big_key_msg, strlen(big_key_msg), out), 0);
  hexeq(out, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  /* RFC 4231 §4.2 test case 1 */
  assert_int_equal(rtg_hmac_oneshot(RTG_HASH_SHA256, key20, 20, "Hi There", 8, out), 0);
  hexeq(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  /* §4.3 test case 2 */
  assert_int_equal(
      rtg_hmac_oneshot(RTG_HASH_SHA256, "Jefe", 4, "what do ya want for nothing?", 28, out), 0);
  hexeq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  /* §4.7 test case 6: 131-byte key */
  assert_int_equal(
      rtg_hmac_oneshot(RTG_HASH_SHA256, key131, 131, big_key_msg, strlen(big_key_msg), out), 0);
  hexeq(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

  /* Cached key: many messages with one key schedule, split updates. */
  assert_int_equal(rtg_hmac_init(&h, RTG_HASH_SHA256, "Jefe", 4), 0);
  assert_int_equal(h.out_len, 32);
  for (int round = 0; round < 3; round++) {
    assert_int_equal(rtg_hmac_begin(&h), 0);
    assert_int_equal(rtg_hmac_update(&h, "what do ya want ", 16), 0);
    assert_int_equal(rtg_hmac_update(&h, "for nothing?", 12), 0);
    assert_int_equal(rtg_hmac_final(&h, out), 0);
    hexeq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  rtg_hmac_free(&h);
  assert_int_equal(rtg_hmac_init(&h, (enum rtg_hash_alg)77, "k", 1), RTG_ERR_INVAL);
}

static void test_core_memeq_ct(void **state) {
  (void)state;
  assert_int_equal(rtg_memeq_ct("abcd", "abcd", 4), 0);
  assert_int_not_equal(rtg_memeq_ct("abcd", "abce", 4), 0);
}

/* ---- hex ---------------------------------------------------------------- */

static void test_core_hex_round_trip(void **state) {
  static const uint8_t in[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x7f};
  char s[32];
  uint8_t back[8];
  struct rtg_perr e;
  (void)state;
  assert_int_equal(rtg_hex_encode(s, sizeof s, in, sizeof in, 0, false), 12);
  assert_string_equal(s, "deadbeef007f");
  assert_int_equal(rtg_hex_encode(s, sizeof s, in, sizeof in, ':', true), 17);
  assert_string_equal(s, "DE:AD:BE:EF:00:7F");
  rtg_perr_clear(&e);
  assert_int_equal(rtg_hex_decode(back, sizeof back, s, strlen(s), &e), 6);
  assert_memory_equal(back, in, 6);
  assert_int_equal(rtg_hex_encode(s, 5, in, sizeof in, 0, false), RTG_ERR_NOBUF);
}

static void test_core_hex_malformed(void **state) {
  uint8_t back[8];
  struct rtg_perr e;
  (void)state;
  rtg_perr_clear(&e);
  assert_int_equal(rtg_hex_decode(back, sizeof back, "abc", 3, &e), RTG_ERR_PARSE);
  assert_string_equal(e.reason, "odd number of hex digits");
  assert_int_equal(e.offset, 2);
  rtg_perr_clear(&e);
  assert_int_equal(rtg_hex_decode(back, sizeof back, "ab zq", 5, &e), RTG_ERR_PARSE);
  assert_int_equal(e.offset, 3);
  assert_string_equal(e.reason, "not a hex digit");
  assert_int_equal(rtg_hex_decode(back, 1, "abcd", 4, NULL), RTG_ERR_NOBUF);
}

/* ---- context ------------------------------------------------------------------ */

static void test_core_ctx_deterministic(void **state) {
  struct rtg_ctx a, b;
  struct rtg_prng ga, gb;
  uint8_t x[37], y[37];
  rtg_time now = RTG_MS(1500);
  void *p;
  (void)state;
  rtg_ctx_deterministic(&a, &ga, 7, &now);
  rtg_ctx_deterministic(&b, &gb, 7, NULL);
  assert_int_equal(rtg_random(&a, x, sizeof x), 0);
  assert_int_equal(rtg_random(&b, y, sizeof y), 0);
  assert_memory_equal(x, y, sizeof x);
  assert_true(a.clock(a.clock_ud) == RTG_MS(1500));
  assert_true(b.clock(b.clock_ud) == 0);
  p = rtg_alloc(&a, 16);
  assert_non_null(p);
  rtg_free(&a, p);
  rtg_ctx_default(&a);
  assert_int_equal(rtg_random(&a, x, sizeof x), 0);
  assert_true(a.clock(a.clock_ud) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_core_rd_reads_big_endian),
      cmocka_unit_test(test_core_rd_failed_read_does_not_move),
      cmocka_unit_test(test_core_rd_sub16_truncation_sweep),
      cmocka_unit_test(test_core_rd_sub8_sub24),
      cmocka_unit_test(test_core_wr_round_trip),
      cmocka_unit_test(test_core_wr_failed_write_does_not_move),
      cmocka_unit_test(test_core_strerror_and_perr),
      cmocka_unit_test(test_core_crc32_check_value),
      cmocka_unit_test(test_core_crc32c_rfc3720_vectors),
      cmocka_unit_test(test_core_crc32c_hw_matches_sw),
      cmocka_unit_test(test_core_hash_vectors),
      cmocka_unit_test(test_core_hmac_rfc2202_rfc4231),
      cmocka_unit_test(test_core_memeq_ct),
      cmocka_unit_test(test_core_hex_round_trip),
      cmocka_unit_test(test_core_hex_malformed),
      cmocka_unit_test(test_core_ctx_deterministic),
  };
  return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
