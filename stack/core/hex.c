/* hex.c - hex encode/decode (key logs, fingerprints, decode output). */
#include "rtg/core.h"

ptrdiff_t rtg_hex_encode(char *out, size_t cap, const void *data, size_t len, char sep,
                         bool upper) {
  static const char lo[] = "0123456789abcdef";
  static const char up[] = "0123456789ABCDEF";
  const char *digits = upper ? up : lo;
  const uint8_t *d = (const uint8_t *)data;
  size_t need = sep && len ? 3 * len : 2 * len + 1;
  size_t o = 0;
  if (cap < need || cap == 0) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < len; i++) {
    if (sep && i) out[o++] = sep;
    out[o++] = digits[d[i] >> 4];
    out[o++] = digits[d[i] & 15];
  }
  out[o] = '\0';
  return (ptrdiff_t)o;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool is_skip(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == '\f' || c == '\v';
}

ptrdiff_t rtg_hex_decode(uint8_t *out, size_t cap, const char *s, size_t n, struct rtg_perr *perr) {
  size_t o = 0;
  int hi = -1;
  size_t hi_off = 0;
  for (size_t i = 0; i < n; i++) {
    int v;
    if (is_skip(s[i])) continue;
    v = hexval(s[i]);
    if (v < 0) return rtg_perr_set(perr, i, "hex", "not a hex digit", NULL);
    if (hi < 0) {
      hi = v;
      hi_off = i;
      continue;
    }
    if (o >= cap) return RTG_ERR_NOBUF;
    out[o++] = (uint8_t)((hi << 4) | v);
    hi = -1;
  }
  if (hi >= 0) return rtg_perr_set(perr, hi_off, "hex", "odd number of hex digits", NULL);
  return (ptrdiff_t)o;
}
