/*
 * core_cursor - drives the rtg_rd / rtg_wr cursors with an operation script
 * taken from the input, checking their invariants: a failed read or write
 * never moves the cursor, slices and sub-cursors stay inside their parent,
 * a write-then-read round trip gives the value back, and patches stay inside
 * what was written.
 *
 * Input: the first half drives the operations; all bytes are also the data
 * being read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/core.h"
/* relative to this file: tools/tests/fuzz_coverage.sh compiles it without -I fuzz/common */
#include "common/rtg_fuzz.h"

static void check_rd(const struct rtg_rd *before, const struct rtg_rd *after, int rc, size_t n) {
  if (rc) {
    CHECK(before->p == after->p && before->end == after->end);
  } else {
    CHECK(after->p == before->p + n);
  }
  CHECK(after->p <= after->end);
}

static void rd_ops(const uint8_t *ops, size_t nops, const uint8_t *data, size_t size) {
  struct rtg_rd rd, stack[8];
  int depth = 0;
  rtg_rd_init(&rd, data, size);
  for (size_t i = 0; i < nops; i++) {
    struct rtg_rd before = rd;
    uint8_t op = ops[i];
    int rc = 0;
    size_t n = 0;
    switch (op % 12) {
      case 0: {
        uint8_t v;
        rc = rtg_rd_u8(&rd, &v);
        n = 1;
        if (!rc) CHECK(v == before.p[0]);
        break;
      }
      case 1: {
        uint16_t v;
        rc = rtg_rd_u16(&rd, &v);
        n = 2;
        if (!rc) CHECK(v == rtg_load_u16(before.p));
        break;
      }
      case 2: {
        uint32_t v;
        rc = rtg_rd_u24(&rd, &v);
        n = 3;
        if (!rc) CHECK(v <= 0xffffffu);
        break;
      }
      case 3: {
        uint32_t v;
        rc = rtg_rd_u32(&rd, &v);
        n = 4;
        break;
      }
      case 4: {
        uint64_t v;
        rc = rtg_rd_u48(&rd, &v);
        n = 6;
        if (!rc) CHECK(v >> 48 == 0);
        break;
      }
      case 5: {
        uint64_t v;
        rc = rtg_rd_u64(&rd, &v);
        n = 8;
        break;
      }
      case 6: {
        struct rtg_slice s;
        n = op >> 4;
        rc = rtg_rd_bytes(&rd, n, &s);
        if (!rc) CHECK(s.p == before.p && s.len == n && s.p + s.len <= rd.end);
        break;
      }
      case 7:
        n = op >> 4;
        rc = rtg_rd_skip(&rd, n);
        break;
      case 8:
      case 9:
      case 10: {
        struct rtg_rd sub;
        if (op % 12 == 8)
          rc = rtg_rd_sub8(&rd, &sub);
        else if (op % 12 == 9)
          rc = rtg_rd_sub16(&rd, &sub);
        else
          rc = rtg_rd_sub24(&rd, &sub);
        if (rc) {
          CHECK(rd.p == before.p);
        } else {
          CHECK(sub.p >= before.p && sub.end <= rd.end && sub.end == rd.p && sub.base == rd.base);
          if (depth < 8) {
            stack[depth++] = rd;
            rd = sub;
          }
        }
        continue;
      }
      default:
        if (depth > 0) rd = stack[--depth];
        continue;
    }
    check_rd(&before, &rd, rc, n);
    CHECK(rtg_rd_offset(&rd) <= size);
  }
}

static void wr_ops(const uint8_t *ops, size_t nops) {
  uint8_t buf[64];
  size_t cap = nops ? ops[0] % sizeof buf : 0;
  struct rtg_wr wr;
  size_t marks[16];
  int nmarks = 0;
  rtg_wr_init(&wr, buf, cap);
  for (size_t i = 1; i < nops; i++) {
    uint8_t op = ops[i];
    uint8_t *before = wr.p;
    int rc = 0;
    size_t n = 0;
    switch (op % 8) {
      case 0:
        rc = rtg_wr_u8(&wr, op);
        n = 1;
        break;
      case 1:
        rc = rtg_wr_u16(&wr, (uint16_t)(op * 257u));
        n = 2;
        if (!rc) CHECK(rtg_load_u16(before) == (uint16_t)(op * 257u));
        break;
      case 2:
        rc = rtg_wr_u24(&wr, (uint32_t)op << 12);
        n = 3;
        if (!rc) CHECK(rtg_load_u24(before) == (uint32_t)op << 12);
        break;
      case 3:
        rc = rtg_wr_u32(&wr, 0x01020304u * op);
        n = 4;
        if (!rc) CHECK(rtg_load_u32(before) == 0x01020304u * op);
        break;
      case 4:
        rc = rtg_wr_u64(&wr, 0x0102030405060708ull * op);
        n = 8;
        break;
      case 5: {
        size_t m;
        n = op >> 5;
        rc = rtg_wr_reserve(&wr, n, &m);
        if (!rc && nmarks < 16) marks[nmarks++] = m;
        break;
      }
      case 6:
        if (nmarks) {
          size_t m = marks[op % nmarks];
          int prc = rtg_wr_patch_u16(&wr, m, 0xabcd);
          if (!prc)
            CHECK(m + 2 <= rtg_wr_len(&wr) && rtg_load_u16(buf + m) == 0xabcd);
          else
            CHECK(m + 2 > rtg_wr_len(&wr));
        }
        continue;
      default:
        n = op >> 5;
        rc = rtg_wr_bytes(&wr, ops, n <= nops ? n : 0);
        if (n > nops) n = 0;
        break;
    }
    if (rc)
      CHECK(wr.p == before);
    else
      CHECK(wr.p == before + n);
    CHECK(wr.p <= wr.end && rtg_wr_len(&wr) <= cap);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t half = size / 2;
  char hex[256];
  uint8_t back[128];
  struct rtg_perr perr;
  ptrdiff_t n;
  rd_ops(data, half, data, size);
  wr_ops(data + half, size - half);
  /* hex round trip over a prefix */
  n = rtg_hex_encode(hex, sizeof hex, data, size < 100 ? size : 100, 0, false);
  CHECK(n >= 0);
  rtg_perr_clear(&perr);
  n = rtg_hex_decode(back, sizeof back, hex, (size_t)n, &perr);
  CHECK(n == (ptrdiff_t)(size < 100 ? size : 100));
  CHECK(n == 0 || memcmp(back, data, (size_t)n) == 0);
  /* arbitrary text through the hex decoder must fail cleanly or succeed */
  rtg_perr_clear(&perr);
  n = rtg_hex_decode(back, sizeof back, (const char *)data, size, &perr);
  CHECK(n >= RTG_ERR_NOBUF);
  /* both CRC-32c paths agree */
  CHECK(rtg_crc32c(0, data, size) == rtg_crc32c_sw(0, data, size));
  return 0;
}
