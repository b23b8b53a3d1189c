/*
 * srtp_unprotect - SRTP/SRTCP unprotect with fixed keys, then the RTP or
 * RTCP parser on what decrypts.
 *
 * Input: one mode byte (bit 0: RTCP, bits 1-2: profile, bit 3: MKI, bit 4:
 * the generic EVP path seals and unprotects first), then the protected
 * datagram. Every datagram is unprotected by a session on each path (the
 * CPU's AES-CM fast path, when it has one, and the generic EVP path): the
 * two must agree on the result and the bytes. The custom mutator (srtp_fix) re-protects every
 * mutated datagram with the same fixed keys so that it authenticates: the
 * bytes before the trailer are taken as the plaintext packet and sealed
 * anew, which lets mutations reach the replay logic and the inner parsers
 * instead of dying at the tag check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/rtp.h"
#include "rtg/srtp.h"
#include "rtg_fuzz.h"

#define CHECK(c)       \
  do {                 \
    if (!(c)) abort(); \
  } while (0)

static const enum rtg_srtp_profile profiles[4] = {
    RTG_SRTP_AES128_CM_HMAC_SHA1_80, RTG_SRTP_AES128_CM_HMAC_SHA1_32, RTG_SRTP_AEAD_AES_128_GCM,
    RTG_SRTP_AEAD_AES_256_GCM};

/* Fixed master key (32 bytes, the first 16 for 128-bit profiles), salt and
 * MKI: the seeds in corpora/srtp_unprotect/ are protected with these. */
static const uint8_t fixed_key[32] = {
    0x52, 0x54, 0x43, 0x47, 0x61, 0x74, 0x65, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x6b, 0x65, 0x79,
    0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
static const uint8_t fixed_salt[14] = {0x73, 0x61, 0x6c, 0x74, 0x2d, 0x72, 0x74,
                                       0x63, 0x67, 0x61, 0x74, 0x65, 0x21, 0x21};
static const uint8_t fixed_mki[2] = {0x4d, 0x4b};

static struct rtg_srtp *session(uint8_t mode, bool generic) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_srtp *s = NULL;
  struct rtg_srtp_policy pol = {0};
  enum rtg_srtp_profile p = profiles[(mode >> 1) & 3];
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.profile = p;
  pol.key = fixed_key;
  pol.key_len = rtg_srtp_profile_key_len(p);
  pol.salt = fixed_salt;
  pol.salt_len = rtg_srtp_profile_salt_len(p);
  pol.generic_only = generic;
  if (mode & 8) {
    pol.mki = fixed_mki;
    pol.mki_len = sizeof fixed_mki;
  }
  if (rtg_srtp_create(&s, &ctx, &pol)) return NULL;
  return s;
}

static size_t overhead(uint8_t mode) {
  enum rtg_srtp_profile p = profiles[(mode >> 1) & 3];
  size_t mki = (mode & 8) ? sizeof fixed_mki : 0;
  return (mode & 1) ? rtg_srtp_profile_rtcp_overhead(p, mki)
                    : rtg_srtp_profile_rtp_overhead(p, mki);
}

/* The re-tagging fix-up: seal data[1 .. size-trailer) again. */
static size_t srtp_fix(uint8_t *data, size_t size, size_t max_size) {
  struct rtg_srtp *s;
  uint8_t mode;
  size_t ov, plain;
  ptrdiff_t r;
  if (size < 2) return size;
  mode = data[0];
  ov = overhead(mode);
  if (size < 1 + ov + 8) return size;
  plain = size - 1 - ov;
  s = session(mode, (mode & 0x10) != 0);
  if (s == NULL) return size;
  r = (mode & 1) ? rtg_srtcp_protect(s, data + 1, plain, max_size - 1)
                 : rtg_srtp_protect(s, data + 1, plain, max_size - 1);
  rtg_srtp_destroy(s);
  return r > 0 ? (size_t)r + 1 : size;
}

RTG_FUZZ_FIXUP_MUTATOR(srtp_fix)

static ptrdiff_t unprotect(struct rtg_srtp *s, uint8_t mode, uint8_t *buf, size_t n) {
  return (mode & 1) ? rtg_srtcp_unprotect(s, buf, n) : rtg_srtp_unprotect(s, buf, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_srtp *s, *other;
  uint8_t *buf, *buf2;
  uint8_t mode;
  ptrdiff_t r, r2;
  if (size < 1) return 0;
  mode = data[0];
  s = session(mode, (mode & 0x10) != 0);
  other = session(mode, (mode & 0x10) == 0);
  CHECK(s != NULL && other != NULL);
  buf = malloc(size);
  buf2 = malloc(size);
  CHECK(buf != NULL && buf2 != NULL);
  memcpy(buf, data + 1, size - 1);
  memcpy(buf2, data + 1, size - 1);
  r = unprotect(s, mode, buf, size - 1);
  CHECK(r < 0 || (size_t)r + overhead(mode) == size - 1);
  /* the other path: the same verdict, the same bytes (a rejected AES-CM
   * packet is left as it was on both) */
  r2 = unprotect(other, mode, buf2, size - 1);
  CHECK(r2 == r);
  if (r >= 0 || (mode & 6) < 4) CHECK(memcmp(buf, buf2, size - 1) == 0);
  if (r >= 0) {
    /* What authenticated reaches the parsers. */
    if (mode & 1) {
      struct rtg_rtcp_compound *c = malloc(sizeof *c);
      CHECK(c != NULL);
      (void)!rtg_rtcp_parse(c, buf, (size_t)r, RTG_RTCP_REDUCED_SIZE, NULL);
      free(c);
    } else {
      struct rtg_rtp_hdr h;
      (void)!rtg_rtp_parse(&h, buf, (size_t)r, NULL);
    }
    /* the same datagram again is a replay */
    memcpy(buf, data + 1, size - 1);
    CHECK(unprotect(s, mode, buf, size - 1) == RTG_ERR_REPLAY);
  } else {
    CHECK(r == RTG_ERR_PARSE || r == RTG_ERR_AUTH || r == RTG_ERR_NOTFOUND);
  }
  free(buf);
  free(buf2);
  rtg_srtp_destroy(s);
  rtg_srtp_destroy(other);
  return 0;
}
