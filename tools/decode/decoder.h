/*
 * decoder.h - the interface of `rtcgate decode --proto NAME` decoders.
 *
 * Adding a protocol = adding tools/decode/<name>.c that defines
 *   const struct rtg_decoder rtg_decoder_<name> = {...};
 * The build lists every file of tools/decode/ (names starting with '_' are
 * helpers, not decoders) in a generated registry; nothing else to edit.
 */
#ifndef RTG_DECODER_H
#define RTG_DECODER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "rtg/core.h"

/* Options a decoder may use; unset ones are NULL / 0. */
struct rtg_decode_opts {
  const char *password;     /* --password: STUN short/long-term password */
  const char *username;     /* --username: long-term credential user */
  const char *realm;        /* --realm */
  const char *key_hex;      /* --key: hex key (SRTP master key+salt, ...) */
  const char *profile;      /* --profile: e.g. SRTP profile name */
  const char *const *extra; /* --opt KEY=VALUE pairs, NULL-terminated */
};

struct rtg_decoder {
  const char *name;
  const char *summary;
  /* Decodes one packet. On success sets |*out| to a new JSON object and
   * returns 0. On malformed input returns RTG_ERR_PARSE (or another
   * rtg_err) with |perr| filled (offset + field + reason); |*out| may still
   * hold a partial description. */
  int (*decode)(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts, json_t **out,
                struct rtg_perr *perr);
};

/* Looks up an --opt KEY=VALUE; NULL if absent. */
const char *rtg_decode_opt(const struct rtg_decode_opts *opts, const char *key);

/* JSON helper: a hex string of |len| bytes. */
json_t *rtg_json_hex(const void *data, size_t len);

#endif
