/*
 * crc.c - CRC-32 (STUN FINGERPRINT, RFC 8489 §14.7) and CRC-32c (SCTP,
 * RFC 9260 Appendix B) with slicing-by-8 tables, plus an SSE4.2 path for
 * CRC-32c chosen per call by CPU feature test (no cached global state).
 */
#include <string.h>

#include "crc_tables.h"
#include "rtg/core.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RTG_HAVE_X86_CRC 1
#include <nmmintrin.h>
#else
#define RTG_HAVE_X86_CRC 0
#endif

static inline uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Slicing-by-8 over a reflected table set; |c| is the running (inverted)
 * register value. */
static uint32_t crc_slice8(const uint32_t tab[8][256], uint32_t c, const uint8_t *p, size_t n) {
  while (n && ((uintptr_t)p & 7u)) {
    c = tab[0][(c ^ *p++) & 0xffu] ^ (c >> 8);
    n--;
  }
  while (n >= 8) {
    uint32_t lo = load_le32(p) ^ c;
    uint32_t hi = load_le32(p + 4);
    c = tab[7][lo & 0xffu] ^ tab[6][(lo >> 8) & 0xffu] ^ tab[5][(lo >> 16) & 0xffu] ^
        tab[4][lo >> 24] ^ tab[3][hi & 0xffu] ^ tab[2][(hi >> 8) & 0xffu] ^
        tab[1][(hi >> 16) & 0xffu] ^ tab[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = tab[0][(c ^ *p++) & 0xffu] ^ (c >> 8);
  return c;
}

uint32_t rtg_crc32(uint32_t crc, const void *data, size_t len) {
  return ~crc_slice8(rtg_crc32_tab, ~crc, (const uint8_t *)data, len);
}

uint32_t rtg_crc32c_sw(uint32_t crc, const void *data, size_t len) {
  return ~crc_slice8(rtg_crc32c_tab, ~crc, (const uint8_t *)data, len);
}

#if RTG_HAVE_X86_CRC
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p,
                                                            size_t n) {
  uint64_t c64;
  while (n && ((uintptr_t)p & 7u)) {
    c = _mm_crc32_u8(c, *p++);
    n--;
  }
  c64 = c;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c64 = _mm_crc32_u64(c64, w);
    p += 8;
    n -= 8;
  }
  c = (uint32_t)c64;
  while (n--) c = _mm_crc32_u8(c, *p++);
  return c;
}

bool rtg_crc32c_hw_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}

uint32_t rtg_crc32c(uint32_t crc, const void *data, size_t len) {
  if (__builtin_cpu_supports("sse4.2")) return ~crc32c_hw(~crc, (const uint8_t *)data, len);
  return rtg_crc32c_sw(crc, data, len);
}
#else
bool rtg_crc32c_hw_available(void) { return false; }

uint32_t rtg_crc32c(uint32_t crc, const void *data, size_t len) {
  return rtg_crc32c_sw(crc, data, len);
}
#endif
