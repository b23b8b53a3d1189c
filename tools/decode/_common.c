/* _common.c - helpers shared by the decoders. */
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"

const char *rtg_decode_opt(const struct rtg_decode_opts *opts, const char *key) {
  size_t k = strlen(key);
  if (opts == NULL || opts->extra == NULL) return NULL;
  for (const char *const *e = opts->extra; *e; e++)
    if (strncmp(*e, key, k) == 0 && (*e)[k] == '=') return *e + k + 1;
  return NULL;
}

json_t *rtg_json_hex(const void *data, size_t len) {
  char *s = malloc(2 * len + 1);
  json_t *j;
  if (s == NULL) return json_null();
  if (rtg_hex_encode(s, 2 * len + 1, data, len, 0, false) < 0) {
    free(s);
    return json_null();
  }
  j = json_string(s);
  free(s);
  return j;
}
