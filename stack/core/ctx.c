/*
 * ctx.c - the caller-supplied context: allocator, randomness and clock.
 * The default uses the system; the deterministic one makes tests and fuzz
 * targets reproducible (xoshiro256** seeded through splitmix64).
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtg/core.h"

static void *sys_alloc(void *ud, size_t n) {
  (void)ud;
  return calloc(1, n ? n : 1);
}

static void sys_free(void *ud, void *p) {
  (void)ud;
  free(p);
}

static int sys_random(void *ud, uint8_t *buf, size_t n) {
  (void)ud;
  while (n) {
    int chunk = n > 1u << 20 ? 1 << 20 : (int)n;
    if (RAND_bytes(buf, chunk) != 1) return RTG_ERR_CRYPTO;
    buf += chunk;
    n -= (size_t)chunk;
  }
  return RTG_OK;
}

static rtg_time sys_clock(void *ud) {
  struct timespec ts;
  (void)ud;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return RTG_SEC(ts.tv_sec) + ts.tv_nsec;
}

void rtg_ctx_default(struct rtg_ctx *ctx) {
  memset(ctx, 0, sizeof *ctx);
  ctx->alloc = sys_alloc;
  ctx->free = sys_free;
  ctx->random = sys_random;
  ctx->clock = sys_clock;
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void rtg_prng_seed(struct rtg_prng *g, uint64_t seed) {
  for (int i = 0; i < 4; i++) g->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rtg_prng_next(struct rtg_prng *g) {
  uint64_t *s = g->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static int prng_random(void *ud, uint8_t *buf, size_t n) {
  struct rtg_prng *g = (struct rtg_prng *)ud;
  while (n) {
    uint64_t v = rtg_prng_next(g);
    size_t k = n < 8 ? n : 8;
    memcpy(buf, &v, k);
    buf += k;
    n -= k;
  }
  return RTG_OK;
}

static rtg_time fake_clock(void *ud) { return ud ? *(const rtg_time *)ud : 0; }

void rtg_ctx_deterministic(struct rtg_ctx *ctx, struct rtg_prng *prng, uint64_t seed,
                           const rtg_time *fake_now) {
  memset(ctx, 0, sizeof *ctx);
  rtg_prng_seed(prng, seed);
  ctx->alloc = sys_alloc;
  ctx->free = sys_free;
  ctx->random = prng_random;
  ctx->random_ud = prng;
  ctx->clock = fake_clock;
  ctx->clock_ud = (void *)(uintptr_t)fake_now;
}
