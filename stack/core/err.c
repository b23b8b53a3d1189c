/* err.c - error names and parse-error detail records. */
#include <stdio.h>

#include "rtg/core.h"

const char *rtg_strerror(int err) {
  switch (err) {
    case RTG_OK: return "ok";
    case RTG_ERR_PARSE: return "malformed input";
    case RTG_ERR_NOBUF: return "buffer too small";
    case RTG_ERR_STATE: return "invalid in current state";
    case RTG_ERR_AUTH: return "authentication failed";
    case RTG_ERR_CRYPTO: return "cryptographic failure";
    case RTG_ERR_NOMEM: return "out of memory";
    case RTG_ERR_INVAL: return "invalid argument";
    case RTG_ERR_UNSUPPORTED: return "unsupported";
    case RTG_ERR_REPLAY: return "replayed packet";
    case RTG_ERR_NOTFOUND: return "not found";
    case RTG_ERR_IO: return "I/O error";
    case RTG_ERR_TIMEOUT: return "timed out";
    case RTG_ERR_AGAIN: return "try again";
    case RTG_ERR_TRUNCATED: return "truncated input";
    default: return "unknown error";
  }
}

int rtg_perr_set(struct rtg_perr *e, size_t offset, const char *field, const char *reason,
                 const char *ref) {
  if (e == NULL || e->reason != NULL) return RTG_ERR_PARSE;
  e->offset = offset;
  e->field = field;
  e->reason = reason;
  e->ref = ref;
  return RTG_ERR_PARSE;
}

void rtg_perr_clear(struct rtg_perr *e) {
  if (e == NULL) return;
  e->offset = 0;
  e->field = NULL;
  e->reason = NULL;
  e->ref = NULL;
}

void rtg_perr_format(const struct rtg_perr *e, char *buf, size_t cap) {
  if (cap == 0) return;
  if (e == NULL || e->reason == NULL) {
    snprintf(buf, cap, "malformed input");
    return;
  }
  if (e->ref)
    snprintf(buf, cap, "offset %zu: %s: %s (%s)", e->offset, e->field ? e->field : "?", e->reason,
             e->ref);
  else
    snprintf(buf, cap, "offset %zu: %s: %s", e->offset, e->field ? e->field : "?", e->reason);
}
