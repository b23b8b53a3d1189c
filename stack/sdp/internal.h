/*
 * internal.h - shared helpers of the SDP module: a text scanner over one
 * line value (built on rtg_rd, so offsets stay absolute) and the table of
 * known attributes.
 */
#ifndef RTG_SDP_INTERNAL_H
#define RTG_SDP_INTERNAL_H

#include "rtg/sdp.h"

/* A scanner over one value. |off0| is the absolute offset of the value's
 * first byte in the (would-be) text, so errors point into the input. */
struct sdp_scan {
  struct rtg_rd rd;
  size_t off0;
};

static inline void sdp_scan_init(struct sdp_scan *s, const char *v, size_t len, size_t off0) {
  rtg_rd_init(&s->rd, v, len);
  s->off0 = off0;
}
static inline size_t sdp_scan_off(const struct sdp_scan *s) {
  return s->off0 + rtg_rd_offset(&s->rd);
}
static inline bool sdp_scan_end(const struct sdp_scan *s) { return rtg_rd_empty(&s->rd); }

/* Reads a run of non-SP bytes (at least one). false (cursor unchanged) when
 * the next byte is SP or the value ended. */
bool sdp_scan_field(struct sdp_scan *s, struct rtg_sdp_tok *t);
/* Reads up to (not including) |stop| or SP; may be empty. */
void sdp_scan_until(struct sdp_scan *s, char stop, struct rtg_sdp_tok *t);
/* Consumes exactly one SP. */
bool sdp_scan_sp(struct sdp_scan *s);
/* Consumes |c|. */
bool sdp_scan_char(struct sdp_scan *s, char c);
/* The rest of the value (may be empty). */
void sdp_scan_rest(struct sdp_scan *s, struct rtg_sdp_tok *t);

/* Token helpers. */
bool sdp_tok_eq(struct rtg_sdp_tok t, const char *s);
bool sdp_tok_ieq(struct rtg_sdp_tok t, const char *s);
/* 1..|maxdig| decimal digits whose value is <= |max|. */
bool sdp_tok_uint(struct rtg_sdp_tok t, size_t maxdig, uint64_t max, uint64_t *v);
/* RFC 8866 §9 token-char / ice-char (RFC 8839 §5.1). */
bool sdp_is_token_char(uint8_t c);
bool sdp_tok_is_token(struct rtg_sdp_tok t);
bool sdp_tok_is_ice(struct rtg_sdp_tok t, size_t minlen, size_t maxlen);
/* An IPv4/IPv6 literal (family 4/6) or an FQDN (family 0); false when none. */
bool sdp_tok_address(struct rtg_sdp_tok t, uint8_t *family);

/* Where an attribute may appear. */
#define SDP_AT_SESSION 1u
#define SDP_AT_MEDIA 2u
#define SDP_AT_BOTH 3u
/* Its value. */
#define SDP_VAL_FLAG 0u     /* no value */
#define SDP_VAL_REQUIRED 1u /* ":value" required */

struct sdp_attr_def {
  const char *name;
  const char *field; /* "sdp.a.<name>" */
  const char *ref;   /* RFC section */
  uint8_t where;
  uint8_t value;
  bool once;        /* at most once per section (and level) */
  bool pt_in_mline; /* leading payload type must be one of the m= fmts */
  /* Parses the value; |out| is the attribute's typed struct or NULL. */
  int (*parse)(struct sdp_scan *s, const struct sdp_attr_def *d, void *out, struct rtg_perr *perr);
};

/* The definition of attribute |name| (|len| bytes), or NULL when unknown. */
const struct sdp_attr_def *sdp_attr_lookup(const char *name, size_t len);

/* The index of |d| in the table (for per-section "seen" bits). */
size_t sdp_attr_index(const struct sdp_attr_def *d);

/* Absolute offset of the value of line |i| (after "x=" and, for an
 * attribute, "name:"). */
size_t sdp_value_off(const struct rtg_sdp *sdp, size_t i);

#endif
