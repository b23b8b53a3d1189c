/*
 * srtp_x86.c - the x86-64 fast path of AES_CM_128_HMAC_SHA1_80/_32: AES-128
 * in counter mode (AES-NI, FIPS 197) and HMAC-SHA1 (SHA extensions,
 * FIPS 180-4, RFC 2104) computed in one loop.
 *
 * SHA-1 with the SHA extensions is latency-bound: each sha1rnds4 (four
 * rounds) waits for the previous one. The AES-CTR keystream is independent
 * work, so every iteration compresses one 64-byte block of the MAC input
 * and en/decrypts one 64-byte chunk (four counter blocks) of the payload,
 * and the out-of-order core runs the two chains side by side.
 *
 * Protect: the MAC covers the ciphertext, so chunk k+1 is encrypted while
 * block k (whose ciphertext is complete) is hashed. Unprotect: the MAC
 * covers the input, so a chunk is decrypted as soon as the blocks it
 * overlaps have been loaded (in place, a chunk written early would change
 * what a later block hashes).
 *
 * Register layout of the SHA extensions (Intel SDM, SHA1RNDS4/SHA1NEXTE):
 * one register holds A (bits 127:96), B, C, D; another holds E in bits
 * 127:96; message words W[t..t+3] sit with W[t] in bits 127:96, i.e. a
 * 16-byte big-endian chunk byte-reversed.
 *
 * Selected at run time (rtg_srtp_x86_ops) and compiled with per-function
 * target attributes, so the rest of the build needs no -m flags.
 */
#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>
#include <openssl/crypto.h>
#include <string.h>

#include "rtp/srtp_internal.h"

#define TGT __attribute__((target("aes,sha,sse4.1,ssse3")))

struct sha {
  __m128i abcd, e;
};

/* ---- AES-128 (FIPS 197 §5.2 key expansion through AESKEYGENASSIST) ---- */

TGT static __m128i key_step(__m128i k, __m128i assist) {
  /* w[i] = w[i-4] ^ w[i-1] chained over the four words, then the
   * SubWord(RotWord(w[3])) ^ Rcon word from the assist in every lane */
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  return _mm_xor_si128(k, _mm_shuffle_epi32(assist, 0xff));
}

#define KEY_ROUND(i, rcon) rk[i] = key_step(rk[(i)-1], _mm_aeskeygenassist_si128(rk[(i)-1], rcon))

TGT static void aes128_expand(uint8_t out[11][16], const uint8_t key[16]) {
  __m128i rk[11];
  rk[0] = _mm_loadu_si128((const __m128i *)key);
  KEY_ROUND(1, 0x01);
  KEY_ROUND(2, 0x02);
  KEY_ROUND(3, 0x04);
  KEY_ROUND(4, 0x08);
  KEY_ROUND(5, 0x10);
  KEY_ROUND(6, 0x20);
  KEY_ROUND(7, 0x40);
  KEY_ROUND(8, 0x80);
  KEY_ROUND(9, 0x1b);
  KEY_ROUND(10, 0x36);
  for (int i = 0; i < 11; i++) _mm_storeu_si128((__m128i *)out[i], rk[i]);
  OPENSSL_cleanse(rk, sizeof rk);
}

struct aes {
  __m128i rk[11];
  __m128i iv; /* the counter block of block 0: its last 16 bits are zero */
};

TGT static void aes_load(struct aes *a, const struct rtg_srtp_fast *f, const uint8_t iv[16]) {
  for (int i = 0; i < 11; i++) a->rk[i] = _mm_loadu_si128((const __m128i *)f->rk[i]);
  a->iv = _mm_loadu_si128((const __m128i *)iv);
}

/* Counter block |i| (RFC 3711 §4.1.1: IV + i, carried only inside the low
 * 16 bits, which the IV leaves zero), whitened with round key 0. */
TGT static __m128i ctr_block(const struct aes *a, uint32_t i) {
  int be = (int)(((i & 0xff) << 8) | ((i >> 8) & 0xff));
  return _mm_xor_si128(_mm_insert_epi16(a->iv, be, 7), a->rk[0]);
}

/* Keystream blocks blk .. blk+3. */
TGT static void ks4(const struct aes *a, uint32_t blk, __m128i x[4]) {
  for (int j = 0; j < 4; j++) x[j] = ctr_block(a, blk + (uint32_t)j);
  for (int r = 1; r < 10; r++)
    for (int j = 0; j < 4; j++) x[j] = _mm_aesenc_si128(x[j], a->rk[r]);
  for (int j = 0; j < 4; j++) x[j] = _mm_aesenclast_si128(x[j], a->rk[10]);
}

/* out = in ^ keystream for |n| bytes starting at block |blk|. */
TGT static void ctr_xor(const struct aes *a, uint32_t blk, const uint8_t *in, uint8_t *out,
                        size_t n) {
  __m128i x[4];
  uint8_t ks[64];
  while (n >= 64) {
    ks4(a, blk, x);
    for (int j = 0; j < 4; j++) {
      __m128i v = _mm_loadu_si128((const __m128i *)(in + 16 * j));
      _mm_storeu_si128((__m128i *)(out + 16 * j), _mm_xor_si128(v, x[j]));
    }
    blk += 4;
    in += 64;
    out += 64;
    n -= 64;
  }
  if (n == 0) return;
  ks4(a, blk, x);
  for (int j = 0; j < 4; j++) _mm_storeu_si128((__m128i *)(ks + 16 * j), x[j]);
  for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(in[i] ^ ks[i]);
}

/* ---- SHA-1 compression (FIPS 180-4 §6.1.2) with the SHA extensions ---- */

/* Group g (rounds 4g .. 4g+3) of one block. w[g % 4] holds W[4g-16..] and
 * becomes W[4g..4g+3] by SHA1MSG1 / XOR / SHA1MSG2 (W[t] = ROTL1(W[t-3] ^
 * W[t-8] ^ W[t-14] ^ W[t-16])); e_in is E + W[4g] (group 0: a plain add,
 * later groups: SHA1NEXTE from the state before the previous group). */
#define SHA_SCHED(g)                                                                     \
  w[(g) % 4] = _mm_sha1msg2_epu32(                                                       \
      _mm_xor_si128(_mm_sha1msg1_epu32(w[(g) % 4], w[((g) + 1) % 4]), w[((g) + 2) % 4]), \
      w[((g) + 3) % 4])
#define SHA_GROUP(g, f)                                   \
  do {                                                    \
    __m128i e_in = _mm_sha1nexte_epu32(prev, w[(g) % 4]); \
    prev = abcd;                                          \
    abcd = _mm_sha1rnds4_epu32(abcd, e_in, f);            \
  } while (0)
#define SHA_GROUP_S(g, f) \
  do {                    \
    SHA_SCHED(g);         \
    SHA_GROUP(g, f);      \
  } while (0)

/* The 80 rounds over message words m[0..3]; interleaved with round r of
 * the four AES blocks x (when x is not NULL) after every second group. */
#define AES_ROUND(r)                                                            \
  do {                                                                          \
    if (x != NULL)                                                              \
      for (int j_ = 0; j_ < 4; j_++) x[j_] = _mm_aesenc_si128(x[j_], a->rk[r]); \
  } while (0)

TGT static inline void sha_rounds(struct sha *h, const __m128i m[4], const struct aes *a,
                                  __m128i *x) {
  __m128i abcd = h->abcd, prev = abcd, w[4] = {m[0], m[1], m[2], m[3]};
  abcd = _mm_sha1rnds4_epu32(abcd, _mm_add_epi32(h->e, w[0]), 0);
  SHA_GROUP(1, 0);
  AES_ROUND(1);
  SHA_GROUP(2, 0);
  SHA_GROUP(3, 0);
  AES_ROUND(2);
  SHA_GROUP_S(4, 0);
  SHA_GROUP_S(5, 1);
  AES_ROUND(3);
  SHA_GROUP_S(6, 1);
  SHA_GROUP_S(7, 1);
  AES_ROUND(4);
  SHA_GROUP_S(8, 1);
  SHA_GROUP_S(9, 1);
  AES_ROUND(5);
  SHA_GROUP_S(10, 2);
  SHA_GROUP_S(11, 2);
  AES_ROUND(6);
  SHA_GROUP_S(12, 2);
  SHA_GROUP_S(13, 2);
  AES_ROUND(7);
  SHA_GROUP_S(14, 2);
  SHA_GROUP_S(15, 3);
  AES_ROUND(8);
  SHA_GROUP_S(16, 3);
  SHA_GROUP_S(17, 3);
  AES_ROUND(9);
  SHA_GROUP_S(18, 3);
  SHA_GROUP_S(19, 3);
  /* H += working variables; E after round 79 is ROTL30(A before group 19) */
  h->e = _mm_sha1nexte_epu32(prev, h->e);
  h->abcd = _mm_add_epi32(abcd, h->abcd);
}

TGT static void sha_load(__m128i m[4], const uint8_t *p) {
  const __m128i rev = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int i = 0; i < 4; i++)
    m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), rev);
}

TGT static void sha_block(struct sha *h, const uint8_t *p) {
  __m128i m[4];
  sha_load(m, p);
  sha_rounds(h, m, NULL, NULL);
}

/* One SHA-1 block of |blk| and the 64-byte chunk in -> out (keystream
 * blocks |ks_blk|..+3) in one pass. The block is loaded before the chunk is
 * written, so they may overlap. */
TGT static void stitch(struct sha *h, const uint8_t *blk, const struct aes *a, uint32_t ks_blk,
                       const uint8_t *in, uint8_t *out) {
  __m128i m[4], x[4];
  sha_load(m, blk);
  for (int j = 0; j < 4; j++) x[j] = ctr_block(a, ks_blk + (uint32_t)j);
  sha_rounds(h, m, a, x);
  for (int j = 0; j < 4; j++) {
    __m128i v = _mm_loadu_si128((const __m128i *)(in + 16 * j));
    x[j] = _mm_aesenclast_si128(x[j], a->rk[10]);
    _mm_storeu_si128((__m128i *)(out + 16 * j), _mm_xor_si128(v, x[j]));
  }
}

TGT static struct sha sha_state(const uint32_t v[5]) {
  struct sha h;
  h.abcd = _mm_set_epi32((int)v[0], (int)v[1], (int)v[2], (int)v[3]);
  h.e = _mm_set_epi32((int)v[4], 0, 0, 0);
  return h;
}

TGT static void sha_words(const struct sha *h, uint32_t v[5]) {
  v[0] = (uint32_t)_mm_extract_epi32(h->abcd, 3);
  v[1] = (uint32_t)_mm_extract_epi32(h->abcd, 2);
  v[2] = (uint32_t)_mm_extract_epi32(h->abcd, 1);
  v[3] = (uint32_t)_mm_extract_epi32(h->abcd, 0);
  v[4] = (uint32_t)_mm_extract_epi32(h->e, 3);
}

/* ---- HMAC-SHA1 (RFC 2104) ---------------------------------------------- */

/* The last block or two of the inner hash: |rest| bytes of the message,
 * the suffix (the ROC or the SRTCP E|index), the 0x80 byte, zeros and the
 * bit length of ipad block + message + suffix. Returns the block count. */
static int tail_blocks(uint8_t t[128], const uint8_t *rest, size_t rn, const uint8_t *sfx,
                       size_t sn, uint64_t total) {
  size_t tl = rn + sn, end;
  uint64_t bits = (64 + total) * 8;
  memcpy(t, rest, rn);
  if (sn) memcpy(t + rn, sfx, sn);
  t[tl++] = 0x80;
  end = tl + 8 <= 64 ? 64 : 128;
  memset(t + tl, 0, end - tl);
  for (int i = 0; i < 8; i++) t[end - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
  return (int)(end / 64);
}

/* The outer hash over the inner digest (the digest words are the first
 * five message words; then 0x80 and the length 84 bytes = 672 bits). */
TGT static void hmac_outer(const struct rtg_srtp_fast *f, const struct sha *inner,
                           uint8_t tag[20]) {
  struct sha h = sha_state(f->outer);
  __m128i m[4];
  uint32_t v[5];
  m[0] = inner->abcd;
  m[1] = _mm_set_epi32(_mm_extract_epi32(inner->e, 3), (int)0x80000000u, 0, 0);
  m[2] = _mm_setzero_si128();
  m[3] = _mm_set_epi32(0, 0, 0, (64 + 20) * 8);
  sha_rounds(&h, m, NULL, NULL);
  sha_words(&h, v);
  for (int i = 0; i < 5; i++) rtg_store_u32(tag + 4 * i, v[i]);
}

TGT static void hmac_pad_state(uint32_t out[5], const uint8_t key[20], uint8_t pad) {
  static const uint32_t h0[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};
  uint8_t blk[64];
  struct sha h = sha_state(h0);
  memset(blk, pad, sizeof blk);
  for (int i = 0; i < 20; i++) blk[i] ^= key[i];
  sha_block(&h, blk);
  sha_words(&h, out);
  OPENSSL_cleanse(blk, sizeof blk);
}

TGT static void x86_init(struct rtg_srtp_fast *f, const uint8_t key[16], const uint8_t auth[20]) {
  aes128_expand(f->rk, key);
  hmac_pad_state(f->inner, auth, 0x36);
  hmac_pad_state(f->outer, auth, 0x5c);
}

/* ---- the stitched loops ------------------------------------------------- */

/* Protect: encrypt pkt[hl..len) in place; tag = HMAC(pkt[0..len) || sfx). */
TGT static void x86_seal(const struct rtg_srtp_fast *f, const uint8_t iv[16], uint8_t *pkt,
                         size_t hl, size_t len, const uint8_t *sfx, size_t sn, uint8_t tag[20]) {
  struct aes a;
  struct sha h = sha_state(f->inner);
  uint8_t t[128];
  size_t plen = len - hl, nblk = len / 64, enc;
  uint8_t *pl = pkt + hl;
  aes_load(&a, f, iv);
  /* Chunks 0 and 1 ahead; then block k (complete: chunks 0..k+1 end past
   * it) with chunk k+2. Two chunks ahead rather than one: block k is then
   * read well after its bytes were stored (a load straddling two recent
   * 16-byte stores at another alignment cannot be forwarded and stalls). */
  enc = plen < 128 ? plen : 128;
  ctr_xor(&a, 0, pl, pl, enc);
  for (size_t k = 0; k < nblk; k++) {
    size_t left = plen - enc;
    if (left >= 64) {
      stitch(&h, pkt + 64 * k, &a, (uint32_t)(enc / 16), pl + enc, pl + enc);
      enc += 64;
      continue;
    }
    if (left) ctr_xor(&a, (uint32_t)(enc / 16), pl + enc, pl + enc, left);
    enc += left;
    sha_block(&h, pkt + 64 * k);
  }
  for (int i = 0, n = tail_blocks(t, pkt + 64 * nblk, len - 64 * nblk, sfx, sn, len + sn); i < n;
       i++)
    sha_block(&h, t + 64 * i);
  hmac_outer(f, &h, tag);
}

/* Unprotect: tag = HMAC(in[0..len) || sfx); decrypt in[hl..len) to
 * out[hl..len) (out may equal in; the header is not copied). */
TGT static void x86_open(const struct rtg_srtp_fast *f, const uint8_t iv[16], const uint8_t *in,
                         uint8_t *out, size_t hl, size_t len, const uint8_t *sfx, size_t sn,
                         uint8_t tag[20]) {
  struct aes a;
  struct sha h = sha_state(f->inner);
  uint8_t t[128];
  size_t plen = len - hl, nblk = len / 64, dec = 0;
  int nt;
  aes_load(&a, f, iv);
  /* chunk at payload offset dec once it ends inside the loaded blocks */
  for (size_t k = 0; k < nblk; k++) {
    if (plen - dec >= 64 && hl + dec + 64 <= 64 * (k + 1)) {
      stitch(&h, in + 64 * k, &a, (uint32_t)(dec / 16), in + hl + dec, out + hl + dec);
      dec += 64;
    } else {
      sha_block(&h, in + 64 * k);
    }
  }
  /* the tail is copied out first, so the rest may be decrypted in place */
  nt = tail_blocks(t, in + 64 * nblk, len - 64 * nblk, sfx, sn, len + sn);
  for (int i = 0; i < nt; i++) {
    if (plen - dec >= 64) {
      stitch(&h, t + 64 * i, &a, (uint32_t)(dec / 16), in + hl + dec, out + hl + dec);
      dec += 64;
    } else {
      sha_block(&h, t + 64 * i);
    }
  }
  ctr_xor(&a, (uint32_t)(dec / 16), in + hl + dec, out + hl + dec, plen - dec);
  hmac_outer(f, &h, tag);
}

TGT static void x86_ctr(const struct rtg_srtp_fast *f, const uint8_t iv[16], const uint8_t *in,
                        uint8_t *out, size_t n) {
  struct aes a;
  aes_load(&a, f, iv);
  ctr_xor(&a, 0, in, out, n);
}

static const struct rtg_srtp_fast_ops x86_ops = {"x86-64 AES-NI + SHA-NI", x86_init, x86_seal,
                                                 x86_open, x86_ctr};

const struct rtg_srtp_fast_ops *rtg_srtp_x86_ops(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return NULL;
  if (!(c & bit_AES) || !(c & bit_SSE4_1) || !(c & bit_SSSE3)) return NULL;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_SHA)) return NULL;
  return &x86_ops;
}

#else /* !__x86_64__: the EVP path only */

#include "rtp/srtp_internal.h"

const struct rtg_srtp_fast_ops *rtg_srtp_x86_ops(void) { return NULL; }

#endif
