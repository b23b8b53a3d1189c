/*
 * hex.c - `--proto hex`: a classic offset/hex/ASCII dump as JSON lines, for
 * eyeballing a packet next to a Wireshark hex pane.
 */
#include <stdio.h>

#include "decode/decoder.h"

static int decode_hex(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                      json_t **out, struct rtg_perr *perr) {
  json_t *o = json_object();
  json_t *lines = json_array();
  (void)opts;
  (void)perr;
  for (size_t off = 0; off < len; off += 16) {
    char line[96];
    int n = snprintf(line, sizeof line, "%04zx ", off);
    for (size_t i = 0; i < 16; i++) {
      if (off + i < len)
        n += snprintf(line + n, sizeof line - (size_t)n, " %02x", data[off + i]);
      else
        n += snprintf(line + n, sizeof line - (size_t)n, "   ");
    }
    n += snprintf(line + n, sizeof line - (size_t)n, "  ");
    for (size_t i = 0; i < 16 && off + i < len; i++) {
      uint8_t c = data[off + i];
      line[n++] = (char)(c >= 0x20 && c < 0x7f ? c : '.');
    }
    line[n] = '\0';
    json_array_append_new(lines, json_string(line));
  }
  json_object_set_new(o, "proto", json_string("hex"));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "dump", lines);
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_hex = {"hex", "offset / hex / ASCII dump", decode_hex};
