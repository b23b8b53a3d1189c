/*
 * core.c - `rtcgate bench core`: checksums and keyed HMAC against the
 * libraries a WebRTC stack would otherwise use (usrsctp's CRC-32c, zlib's
 * CRC-32, OpenSSL's one-shot HMAC()).
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <usrsctp.h>
#include <zlib.h>

#include "bench/bench.h"
#include "rtg/core.h"

#define PKT 1200 /* the WebRTC path-MTU-sized packet */

struct core_st {
  uint8_t buf[PKT];
  struct rtg_hmac h;
  uint8_t key[20];
  volatile uint32_t sink;
};

static void *core_setup(void) {
  struct core_st *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  for (size_t i = 0; i < PKT; i++) s->buf[i] = (uint8_t)(i * 131u + 7u);
  memset(s->key, 0x5a, sizeof s->key);
  if (rtg_hmac_init(&s->h, RTG_HASH_SHA1, s->key, sizeof s->key)) {
    free(s);
    return NULL;
  }
  /* Both implementations must agree before their speed means anything. */
  if (rtg_crc32c(0, s->buf, PKT) != ~usrsctp_crc32c(s->buf, PKT) &&
      rtg_crc32c(0, s->buf, PKT) != usrsctp_crc32c(s->buf, PKT)) {
    rtg_hmac_free(&s->h);
    free(s);
    return NULL;
  }
  if (rtg_crc32(0, s->buf, PKT) != (uint32_t)crc32(0, s->buf, PKT)) {
    rtg_hmac_free(&s->h);
    free(s);
    return NULL;
  }
  return s;
}

static void core_teardown(void *p) {
  struct core_st *s = p;
  if (s == NULL) return;
  rtg_hmac_free(&s->h);
  free(s);
}

static double crc32c_rtg(void *p, uint64_t n) {
  struct core_st *s = p;
  uint32_t acc = 0;
  for (uint64_t i = 0; i < n; i++) acc ^= rtg_crc32c(0, s->buf, PKT);
  s->sink = acc;
  return (double)n * PKT;
}

static double crc32c_base(void *p, uint64_t n) {
  struct core_st *s = p;
  uint32_t acc = 0;
  for (uint64_t i = 0; i < n; i++) acc ^= usrsctp_crc32c(s->buf, PKT);
  s->sink = acc;
  return (double)n * PKT;
}

static double crc32_rtg(void *p, uint64_t n) {
  struct core_st *s = p;
  uint32_t acc = 0;
  for (uint64_t i = 0; i < n; i++) acc ^= rtg_crc32(0, s->buf, PKT);
  s->sink = acc;
  return (double)n * PKT;
}

static double crc32_base(void *p, uint64_t n) {
  struct core_st *s = p;
  uint32_t acc = 0;
  for (uint64_t i = 0; i < n; i++) acc ^= (uint32_t)crc32(0, s->buf, PKT);
  s->sink = acc;
  return (double)n * PKT;
}

static double hmac_rtg(void *p, uint64_t n) {
  struct core_st *s = p;
  uint8_t out[RTG_HASH_MAX];
  for (uint64_t i = 0; i < n; i++)
    if (rtg_hmac_once(&s->h, s->buf, 160, out)) return -1;
  s->sink = out[0];
  return (double)n;
}

static double hmac_base(void *p, uint64_t n) {
  struct core_st *s = p;
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int olen;
  for (uint64_t i = 0; i < n; i++)
    if (HMAC(EVP_sha1(), s->key, sizeof s->key, s->buf, 160, out, &olen) == NULL) return -1;
  s->sink = out[0];
  return (double)n;
}

static const struct rtg_bench_case cases[] = {
    {"crc32c-1200B", "MB/s", "usrsctp_crc32c", 1.0, core_setup, core_teardown, crc32c_rtg,
     crc32c_base},
    {"crc32-1200B", "MB/s", "zlib crc32", 0, core_setup, core_teardown, crc32_rtg, crc32_base},
    {"hmac-sha1-160B (STUN-sized)", "ops/s", "OpenSSL HMAC() one-shot", 1.0, core_setup,
     core_teardown, hmac_rtg, hmac_base},
};

const struct rtg_bench rtg_bench_core = {"core", "CRC-32c, CRC-32 and keyed HMAC-SHA1", cases,
                                         sizeof cases / sizeof cases[0], false};
