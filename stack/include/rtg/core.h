/*
 * rtg/core.h - rtcgate core primitives: errors, parse-error details, bounded
 * reader/writer cursors, time, the caller-supplied context (allocation,
 * randomness, clock), CRC-32/CRC-32c, hashing/HMAC wrappers and hex helpers.
 *
 * Everything in stack/ is sans-IO (DESIGN.md rule 1): nothing here opens a
 * socket, sleeps or reads a clock on its own.
 */
#ifndef RTG_CORE_H
#define RTG_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RTG_NODISCARD __attribute__((warn_unused_result))
#else
#define RTG_NODISCARD
#endif

#define RTG_VERSION "0.1.0"

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* One error space for the whole stack. 0 is success, every error negative so
 * that functions returning byte counts (ptrdiff_t) can share it. */
enum rtg_err {
  RTG_OK = 0,
  RTG_ERR_PARSE = -1,       /* malformed wire data */
  RTG_ERR_NOBUF = -2,       /* output buffer too small */
  RTG_ERR_STATE = -3,       /* call not valid in the current state */
  RTG_ERR_AUTH = -4,        /* integrity / authentication check failed */
  RTG_ERR_CRYPTO = -5,      /* cryptographic library failure */
  RTG_ERR_NOMEM = -6,       /* allocation failed */
  RTG_ERR_INVAL = -7,       /* invalid argument */
  RTG_ERR_UNSUPPORTED = -8, /* valid but not supported by this stack */
  RTG_ERR_REPLAY = -9,      /* replayed or too old packet */
  RTG_ERR_NOTFOUND = -10,   /* unknown stream / key / item */
  RTG_ERR_IO = -11,         /* I/O failure (tools/ only) */
  RTG_ERR_TIMEOUT = -12,    /* timer expired / gave up */
  RTG_ERR_AGAIN = -13,      /* nothing available now, try later */
  RTG_ERR_TRUNCATED = -14,  /* input ends before the structure does */
};

/* rtg_strerror returns a static, human-readable name for |err| (any int;
 * unknown values give "unknown error"). Never returns NULL. */
const char *rtg_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Parse-error details                                                      */
/* ------------------------------------------------------------------------ */

/* What is wrong and where. Codecs fill it when given a non-NULL pointer so
 * the conformance engine and `rtcgate decode` can tell a person. All strings
 * are static (string literals); |offset| is from the start of the input the
 * caller handed to the top-level parser. */
struct rtg_perr {
  size_t offset;      /* byte offset of the offending field */
  const char *field;  /* e.g. "stun.attr.length" */
  const char *reason; /* e.g. "attribute overruns message" */
  const char *ref;    /* RFC section, e.g. "RFC 8489 §14", or NULL */
};

/* rtg_perr_set records a parse failure into |e| (ignored if |e| is NULL) and
 * returns RTG_ERR_PARSE so callers can write `return rtg_perr_set(...)`.
 * The first failure recorded wins: a later call does not overwrite a set
 * record (the innermost cause is usually the most precise one). */
int rtg_perr_set(struct rtg_perr *e, size_t offset, const char *field, const char *reason,
                 const char *ref);

/* rtg_perr_clear resets |e| (NULL allowed). */
void rtg_perr_clear(struct rtg_perr *e);

/* rtg_perr_format writes "offset N: FIELD: REASON (REF)" into |buf|. */
void rtg_perr_format(const struct rtg_perr *e, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* Bounded reader (DESIGN.md rule 2)                                        */
/* ------------------------------------------------------------------------ */

/* A read cursor over borrowed bytes. |base| is the start of the top-level
 * input, kept so that sub-cursors report absolute offsets. A failed read
 * never moves the cursor. */
struct rtg_rd {
  const uint8_t *p;
  const uint8_t *end;
  const uint8_t *base;
};

/* A slice of the input (points into the caller's buffer: valid as long as
 * that buffer is). */
struct rtg_slice {
  const uint8_t *p;
  size_t len;
};

static inline void rtg_rd_init(struct rtg_rd *rd, const void *data, size_t len) {
  rd->p = (const uint8_t *)data;
  /* NULL + 0 is undefined in C: an empty input may come as (NULL, 0) */
  rd->end = len ? rd->p + len : rd->p;
  rd->base = rd->p;
}
static inline size_t rtg_rd_left(const struct rtg_rd *rd) { return (size_t)(rd->end - rd->p); }
static inline size_t rtg_rd_offset(const struct rtg_rd *rd) { return (size_t)(rd->p - rd->base); }
static inline bool rtg_rd_empty(const struct rtg_rd *rd) { return rd->p == rd->end; }

/* Each reader returns 0, or RTG_ERR_TRUNCATED leaving |rd| unchanged. */
RTG_NODISCARD int rtg_rd_u48(struct rtg_rd *rd, uint64_t *v);
/* rtg_rd_bytes returns in |out| a slice of the next |n| bytes (no copy). */
/* rtg_rd_copy copies the next |n| bytes into |dst|. */
/* rtg_rd_sub carves the next |n| bytes into |sub| (same base, so offsets stay
 * absolute) and advances |rd| past them (picotls-style narrowing). */
RTG_NODISCARD int rtg_rd_sub(struct rtg_rd *rd, size_t n, struct rtg_rd *sub);
/* Length-prefixed blocks: read an 8/16/24-bit length then carve a sub-cursor.
 * On failure |rd| is unchanged. */
RTG_NODISCARD int rtg_rd_sub8(struct rtg_rd *rd, struct rtg_rd *sub);
RTG_NODISCARD int rtg_rd_sub16(struct rtg_rd *rd, struct rtg_rd *sub);
RTG_NODISCARD int rtg_rd_sub24(struct rtg_rd *rd, struct rtg_rd *sub);
/* Peek without moving. */

/* ------------------------------------------------------------------------ */
/* Bounded writer                                                           */
/* ------------------------------------------------------------------------ */

struct rtg_wr {
  uint8_t *p;
  uint8_t *end;
  uint8_t *base;
};

static inline void rtg_wr_init(struct rtg_wr *wr, void *buf, size_t cap) {
  wr->p = (uint8_t *)buf;
  wr->end = cap ? wr->p + cap : wr->p;
  wr->base = wr->p;
}
static inline size_t rtg_wr_len(const struct rtg_wr *wr) { return (size_t)(wr->p - wr->base); }
static inline size_t rtg_wr_left(const struct rtg_wr *wr) { return (size_t)(wr->end - wr->p); }

/* Each writer returns 0, or RTG_ERR_NOBUF leaving |wr| unchanged. */
RTG_NODISCARD int rtg_wr_u24(struct rtg_wr *wr, uint32_t v);
RTG_NODISCARD int rtg_wr_u48(struct rtg_wr *wr, uint64_t v);
RTG_NODISCARD int rtg_wr_u64(struct rtg_wr *wr, uint64_t v);
RTG_NODISCARD int rtg_wr_zero(struct rtg_wr *wr, size_t n);
/* rtg_wr_reserve skips |n| bytes (zeroed) to be patched later; |*mark| is
 * their offset from wr->base. */
RTG_NODISCARD int rtg_wr_reserve(struct rtg_wr *wr, size_t n, size_t *mark);
/* Patch a previously reserved field at |mark|. RTG_ERR_INVAL if the patch
 * would reach past what has been written. */
RTG_NODISCARD int rtg_wr_patch_u8(struct rtg_wr *wr, size_t mark, uint8_t v);
RTG_NODISCARD int rtg_wr_patch_u16(struct rtg_wr *wr, size_t mark, uint16_t v);
RTG_NODISCARD int rtg_wr_patch_u24(struct rtg_wr *wr, size_t mark, uint32_t v);
RTG_NODISCARD int rtg_wr_patch_u32(struct rtg_wr *wr, size_t mark, uint32_t v);

/* Big-endian load/store helpers for code that already checked bounds. */
static inline uint16_t rtg_load_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t rtg_load_u24(const uint8_t *p) {
  return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}
static inline uint32_t rtg_load_u32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t rtg_load_u64(const uint8_t *p) {
  return ((uint64_t)rtg_load_u32(p) << 32) | rtg_load_u32(p + 4);
}
static inline void rtg_store_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void rtg_store_u24(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 16);
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)v;
}
static inline void rtg_store_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static inline void rtg_store_u64(uint8_t *p, uint64_t v) {
  rtg_store_u32(p, (uint32_t)(v >> 32));
  rtg_store_u32(p + 4, (uint32_t)v);
}

/* The hot readers and writers are inline: every field of every packet goes
 * through them. Same contract as the others: 0, or an error with the cursor
 * unchanged. */
RTG_NODISCARD static inline int rtg_rd_u8(struct rtg_rd *rd, uint8_t *v) {
  if (rtg_rd_left(rd) < 1) return RTG_ERR_TRUNCATED;
  *v = rd->p[0];
  rd->p += 1;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_u16(struct rtg_rd *rd, uint16_t *v) {
  if (rtg_rd_left(rd) < 2) return RTG_ERR_TRUNCATED;
  *v = rtg_load_u16(rd->p);
  rd->p += 2;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_u24(struct rtg_rd *rd, uint32_t *v) {
  if (rtg_rd_left(rd) < 3) return RTG_ERR_TRUNCATED;
  *v = rtg_load_u24(rd->p);
  rd->p += 3;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_u32(struct rtg_rd *rd, uint32_t *v) {
  if (rtg_rd_left(rd) < 4) return RTG_ERR_TRUNCATED;
  *v = rtg_load_u32(rd->p);
  rd->p += 4;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_u64(struct rtg_rd *rd, uint64_t *v) {
  if (rtg_rd_left(rd) < 8) return RTG_ERR_TRUNCATED;
  *v = rtg_load_u64(rd->p);
  rd->p += 8;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_bytes(struct rtg_rd *rd, size_t n, struct rtg_slice *out) {
  if (rtg_rd_left(rd) < n) return RTG_ERR_TRUNCATED;
  out->p = rd->p;
  out->len = n;
  rd->p += n;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_copy(struct rtg_rd *rd, void *dst, size_t n) {
  if (rtg_rd_left(rd) < n) return RTG_ERR_TRUNCATED;
  if (n) memcpy(dst, rd->p, n);
  rd->p += n;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_skip(struct rtg_rd *rd, size_t n) {
  if (rtg_rd_left(rd) < n) return RTG_ERR_TRUNCATED;
  rd->p += n;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_peek_u8(const struct rtg_rd *rd, uint8_t *v) {
  if (rtg_rd_left(rd) < 1) return RTG_ERR_TRUNCATED;
  *v = rd->p[0];
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_peek_u16(const struct rtg_rd *rd, uint16_t *v) {
  if (rtg_rd_left(rd) < 2) return RTG_ERR_TRUNCATED;
  *v = rtg_load_u16(rd->p);
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_rd_peek_u32(const struct rtg_rd *rd, uint32_t *v) {
  if (rtg_rd_left(rd) < 4) return RTG_ERR_TRUNCATED;
  *v = rtg_load_u32(rd->p);
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_wr_u8(struct rtg_wr *wr, uint8_t v) {
  if (rtg_wr_left(wr) < 1) return RTG_ERR_NOBUF;
  *wr->p++ = v;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_wr_u16(struct rtg_wr *wr, uint16_t v) {
  if (rtg_wr_left(wr) < 2) return RTG_ERR_NOBUF;
  rtg_store_u16(wr->p, v);
  wr->p += 2;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_wr_u32(struct rtg_wr *wr, uint32_t v) {
  if (rtg_wr_left(wr) < 4) return RTG_ERR_NOBUF;
  rtg_store_u32(wr->p, v);
  wr->p += 4;
  return RTG_OK;
}
RTG_NODISCARD static inline int rtg_wr_bytes(struct rtg_wr *wr, const void *data, size_t n) {
  if (rtg_wr_left(wr) < n) return RTG_ERR_NOBUF;
  if (n) memmove(wr->p, data, n);
  wr->p += n;
  return RTG_OK;
}

/* ------------------------------------------------------------------------ */
/* Time                                                                     */
/* ------------------------------------------------------------------------ */

/* Monotonic nanoseconds, always supplied by the caller. */
typedef int64_t rtg_time;
#define RTG_TIME_NEVER INT64_MAX
#define RTG_NS(x) ((rtg_time)(x))
#define RTG_US(x) ((rtg_time)(x)*1000)
#define RTG_MS(x) ((rtg_time)(x)*1000000)
#define RTG_SEC(x) ((rtg_time)(x)*1000000000)

/* ------------------------------------------------------------------------ */
/* Context: allocation, randomness, clock                                   */
/* ------------------------------------------------------------------------ */

/* Everything nondeterministic comes from here, so tests and fuzz targets can
 * be deterministic. Stack code never reads |clock|: it receives `now` as an
 * argument; the clock is for the I/O loops in tools/ that drive the stack. */
struct rtg_ctx {
  void *(*alloc)(void *ud, size_t n); /* zeroed memory or NULL */
  void (*free)(void *ud, void *p);
  void *alloc_ud;
  int (*random)(void *ud, uint8_t *buf, size_t n); /* 0 or RTG_ERR_CRYPTO */
  void *random_ud;
  rtg_time (*clock)(void *ud);
  void *clock_ud;
};

/* Deterministic PRNG state for tests and fuzzing (xoshiro256**). */
struct rtg_prng {
  uint64_t s[4];
};

/* rtg_ctx_default: calloc/free, OpenSSL RAND_bytes, CLOCK_MONOTONIC. */
void rtg_ctx_default(struct rtg_ctx *ctx);
/* rtg_ctx_deterministic: calloc/free, randomness from |prng| seeded with
 * |seed|, and a clock that reads |*fake_now| (may be NULL: clock returns 0). */
void rtg_ctx_deterministic(struct rtg_ctx *ctx, struct rtg_prng *prng, uint64_t seed,
                           const rtg_time *fake_now);

void rtg_prng_seed(struct rtg_prng *g, uint64_t seed);
uint64_t rtg_prng_next(struct rtg_prng *g);

static inline void *rtg_alloc(const struct rtg_ctx *ctx, size_t n) {
  return ctx->alloc(ctx->alloc_ud, n);
}
static inline void rtg_free(const struct rtg_ctx *ctx, void *p) {
  if (p) ctx->free(ctx->alloc_ud, p);
}
RTG_NODISCARD static inline int rtg_random(const struct rtg_ctx *ctx, void *buf, size_t n) {
  return ctx->random(ctx->random_ud, (uint8_t *)buf, n);
}

/* ------------------------------------------------------------------------ */
/* Checksums                                                                */
/* ------------------------------------------------------------------------ */

/* CRC-32 (ISO-HDLC / zlib / STUN FINGERPRINT before the XOR). Pass 0 as
 * |crc| to start; feed the result back in to continue over more data. */
uint32_t rtg_crc32(uint32_t crc, const void *data, size_t len);
/* CRC-32c (Castagnoli, SCTP / iSCSI). Uses SSE4.2 when the CPU has it. */
uint32_t rtg_crc32c(uint32_t crc, const void *data, size_t len);
/* The portable table path, always available (tests compare both). */
uint32_t rtg_crc32c_sw(uint32_t crc, const void *data, size_t len);
/* true when rtg_crc32c uses the hardware instruction on this CPU. */
bool rtg_crc32c_hw_available(void);

/* ------------------------------------------------------------------------ */
/* Hashes and HMAC over OpenSSL                                             */
/* ------------------------------------------------------------------------ */

enum rtg_hash_alg {
  RTG_HASH_MD5 = 1,
  RTG_HASH_SHA1,
  RTG_HASH_SHA224,
  RTG_HASH_SHA256,
  RTG_HASH_SHA384,
  RTG_HASH_SHA512,
};
#define RTG_HASH_MAX 64

/* Digest size in bytes, 0 for an unknown |alg|. */
size_t rtg_hash_size(enum rtg_hash_alg alg);
/* "sha-256" etc. (SDP fingerprint names); NULL for an unknown |alg|. */
const char *rtg_hash_name(enum rtg_hash_alg alg);
/* Parses an SDP fingerprint hash name (case-insensitive); 0 if unknown. */
enum rtg_hash_alg rtg_hash_from_name(const char *name);

/* rtg_hash computes |alg| over |data| into |out| (rtg_hash_size bytes).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_hash(enum rtg_hash_alg alg, const void *data, size_t len, uint8_t *out);

/* A keyed HMAC (RFC 2104) whose key schedule is set up once:
 * rtg_hmac_begin/_update/_final reuse it for every message, with neither a
 * per-message key setup nor an allocation. */
struct rtg_hmac {
  int alg;        /* enum rtg_hash_alg, 0 when not keyed */
  size_t out_len; /* digest size */
  /* Hash states (opaque here): after the key's inner pad, after its outer
   * pad, and the message in progress. Copying a state is a memcpy, so a
   * message costs no key schedule and no allocation. */
  uint64_t state[3][32];
};

/* rtg_hmac_init keys |h| with |key| for |alg| (SHA1/SHA256/... or MD5).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_hmac_init(struct rtg_hmac *h, enum rtg_hash_alg alg, const void *key,
                                size_t key_len);
void rtg_hmac_free(struct rtg_hmac *h);
RTG_NODISCARD int rtg_hmac_begin(struct rtg_hmac *h);
RTG_NODISCARD int rtg_hmac_update(struct rtg_hmac *h, const void *data, size_t len);
/* Writes h->out_len bytes to |out|. */
RTG_NODISCARD int rtg_hmac_final(struct rtg_hmac *h, uint8_t *out);
/* begin + update + final over one buffer. */
RTG_NODISCARD int rtg_hmac_once(struct rtg_hmac *h, const void *data, size_t len, uint8_t *out);
/* One-shot without a cached key (convenience; slower in loops). */
RTG_NODISCARD int rtg_hmac_oneshot(enum rtg_hash_alg alg, const void *key, size_t key_len,
                                   const void *data, size_t len, uint8_t *out);

/* Constant-time comparison: 0 when equal. */
int rtg_memeq_ct(const void *a, const void *b, size_t n);

/* ------------------------------------------------------------------------ */
/* Hex                                                                      */
/* ------------------------------------------------------------------------ */

/* rtg_hex_encode writes 2*len lowercase hex digits and a NUL into |out|
 * (|cap| >= 2*len+1). If |sep| is non-zero it is put between bytes
 * (fingerprint style "AB:CD", then |cap| >= 3*len). Uppercase when |upper|.
 * returns the string length or RTG_ERR_NOBUF. */
RTG_NODISCARD ptrdiff_t rtg_hex_encode(char *out, size_t cap, const void *data, size_t len,
                                       char sep, bool upper);
/* rtg_hex_decode reads hex digits from |s| (length |n|), ignoring ASCII
 * whitespace and ':' separators, into |out|. returns the number of bytes, or
 * RTG_ERR_PARSE (odd digit count, bad character; |perr| says where) or
 * RTG_ERR_NOBUF. */
RTG_NODISCARD ptrdiff_t rtg_hex_decode(uint8_t *out, size_t cap, const char *s, size_t n,
                                       struct rtg_perr *perr);

#ifdef __cplusplus
}
#endif
#endif /* RTG_CORE_H */
