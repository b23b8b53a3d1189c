/*
 * core_fixup - checks the shared fix-up helpers of fuzz/common (rtg_fuzz.h)
 * that other targets rely on to get mutated inputs past integrity checks.
 *
 * LLVMFuzzerInitialize runs known-answer tests: the RFC 5769 §2.1 sample
 * request with its MESSAGE-INTEGRITY and FINGERPRINT blanked is repaired
 * back to the exact RFC bytes; 32 zero bytes get the RFC 3720 §B.4 CRC-32c.
 * Then, for every input, each fix-up's output is verified independently with
 * rtg_core's keyed-once HMAC and CRCs: lengths consistent, every
 * MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT valid, nothing else changed,
 * and fixing twice changes nothing. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/core.h"
#include "rtg_fuzz.h"
#include "tests/stun_vectors.h"

/* Also proves the macro compiles and links with both drivers. */
RTG_FUZZ_FIXUP_MUTATOR(rtg_fuzz_fix_stun)

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* rfc5769_req (tests/stun_vectors.h): short-term password "VOkJxbRl1RmTxUk/WvJxBt". */
#define RFC5769_MI_VALUE 80 /* offset of the MESSAGE-INTEGRITY value */
#define RFC5769_FP_VALUE (108 - 4)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  static const char pw[] = "VOkJxbRl1RmTxUk/WvJxBt";
  uint8_t m[sizeof rfc5769_req], z[32];
  (void)argc;
  (void)argv;
  memcpy(m, rfc5769_req, sizeof m);
  memset(m + RFC5769_MI_VALUE, 0, 20);
  memset(m + RFC5769_FP_VALUE, 0, 4);
  m[3] = 0x10; /* a wrong header length is repaired too */
  CHECK(rtg_fuzz_fix_stun_key(m, sizeof m, sizeof m, pw, sizeof pw - 1) == sizeof m);
  CHECK(memcmp(m, rfc5769_req, sizeof m) == 0);
  memset(z, 0, sizeof z);
  CHECK(rtg_fuzz_fix_sctp(z, sizeof z, sizeof z) == sizeof z);
  CHECK(z[8] == 0xaa && z[9] == 0x36 && z[10] == 0x91 && z[11] == 0x8a);
  return 0;
}

/* Independent verification of a fixed STUN message |m| (|n| bytes): walks
 * the attributes with rtg_rd and checks each integrity attribute. Returns
 * the number of attributes verified. */
static int verify_stun(const uint8_t *m, size_t n, struct rtg_hmac *h1, struct rtg_hmac *h256) {
  struct rtg_rd rd;
  uint8_t work[20 + 0xfffc], mac[RTG_HASH_MAX];
  int verified = 0;
  CHECK(n >= 20 && (n - 20) % 4 == 0 && n - 20 <= 0xfffc);
  CHECK(rtg_load_u16(m + 2) == n - 20);
  memcpy(work, m, n);
  rtg_rd_init(&rd, m, n);
  CHECK(rtg_rd_skip(&rd, 20) == 0);
  for (;;) {
    uint16_t type, len;
    struct rtg_slice val;
    size_t at = rtg_rd_offset(&rd);
    if (rtg_rd_u16(&rd, &type) || rtg_rd_u16(&rd, &len)) break;
    if (rtg_rd_bytes(&rd, len, &val)) break;
    if (len % 4 && rtg_rd_skip(&rd, 4u - len % 4u)) break;
    if (type == 0x0008 && len == 20) {
      rtg_store_u16(work + 2, (uint16_t)(at + 24 - 20));
      CHECK(rtg_hmac_once(h1, work, at, mac) == 0);
      CHECK(memcmp(mac, val.p, 20) == 0);
      verified++;
    } else if (type == 0x001c && len >= 16 && len <= 32 && len % 4 == 0) {
      rtg_store_u16(work + 2, (uint16_t)(at + 4 + len - 20));
      CHECK(rtg_hmac_once(h256, work, at, mac) == 0);
      CHECK(memcmp(mac, val.p, len) == 0);
      verified++;
    } else if (type == 0x8028 && len == 4) {
      rtg_store_u16(work + 2, (uint16_t)(at + 8 - 20));
      CHECK((rtg_crc32(0, work, at) ^ 0x5354554eu) == rtg_load_u32(val.p));
      verified++;
    }
  }
  return verified;
}

static void check_stun(const uint8_t *data, size_t size) {
  static const char pw[] = RTG_FUZZ_STUN_PASSWORD;
  struct rtg_hmac h1, h256;
  uint8_t *a = malloc(size ? size : 1), *b = malloc(size ? size : 1);
  size_t n, n2;
  CHECK(a != NULL && b != NULL);
  if (size) memcpy(a, data, size);
  n = rtg_fuzz_fix_stun(a, size, size);
  CHECK(n <= size);
  if (size < 20) {
    CHECK(n == size && (size == 0 || memcmp(a, data, size) == 0));
  } else {
    /* Only the length field and attribute values may change. */
    CHECK(memcmp(a, data, 2) == 0 && memcmp(a + 4, data + 4, 16) == 0);
    CHECK(rtg_hmac_init(&h1, RTG_HASH_SHA1, pw, sizeof pw - 1) == 0);
    CHECK(rtg_hmac_init(&h256, RTG_HASH_SHA256, pw, sizeof pw - 1) == 0);
    (void)verify_stun(a, n, &h1, &h256);
    rtg_hmac_free(&h1);
    rtg_hmac_free(&h256);
    /* Idempotent: a repaired message needs no repair. */
    memcpy(b, a, n);
    n2 = rtg_fuzz_fix_stun(b, n, n);
    CHECK(n2 == n && memcmp(a, b, n) == 0);
  }
  free(a);
  free(b);
}

static void check_sctp(const uint8_t *data, size_t size) {
  uint8_t *a = malloc(size ? size : 1);
  static const uint8_t zero4[4] = {0, 0, 0, 0};
  CHECK(a != NULL);
  if (size) memcpy(a, data, size);
  CHECK(rtg_fuzz_fix_sctp(a, size, size) == size);
  if (size < 12) {
    CHECK(size == 0 || memcmp(a, data, size) == 0);
  } else {
    uint32_t crc = rtg_crc32c_sw(0, data, 8);
    crc = rtg_crc32c_sw(crc, zero4, 4);
    crc = rtg_crc32c_sw(crc, data + 12, size - 12);
    CHECK(a[8] == (uint8_t)crc && a[9] == (uint8_t)(crc >> 8));
    CHECK(a[10] == (uint8_t)(crc >> 16) && a[11] == (uint8_t)(crc >> 24));
    CHECK(memcmp(a, data, 8) == 0 && memcmp(a + 12, data + 12, size - 12) == 0);
  }
  free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 20 + 0xfffc + 64) return 0;
  check_stun(data, size);
  check_sctp(data, size);
  return 0;
}
