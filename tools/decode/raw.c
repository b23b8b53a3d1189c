/*
 * raw.c - `--proto raw`: size, checksums and the RFC 7983 demultiplexing
 * class of a datagram (what a WebRTC endpoint would hand it to).
 *
 *   RFC 7983 §7:          +----------------+
 *                         |        [0..3] -+--> forward to STUN
 *                         |       [16..19] -+--> forward to ZRTP
 *             packet -->  |       [20..63] -+--> forward to DTLS
 *                         |       [64..79] -+--> forward to TURN Channel
 *                         |     [128..191] -+--> forward to RTP/RTCP
 *                         +----------------+
 */
#include "decode/decoder.h"

static const char *rfc7983_class(const uint8_t *d, size_t len) {
  if (len == 0) return "empty";
  if (d[0] <= 3) return "stun";
  if (d[0] >= 16 && d[0] <= 19) return "zrtp";
  if (d[0] >= 20 && d[0] <= 63) return "dtls";
  if (d[0] >= 64 && d[0] <= 79) return "turn-channel";
  if (d[0] >= 128 && d[0] <= 191) {
    /* RFC 5761 §4: RTCP packet types 192..223 share the RTP range. */
    if (len >= 2 && d[1] >= 192 && d[1] <= 223) return "rtcp";
    return "rtp";
  }
  return "unknown";
}

static int decode_raw(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                      json_t **out, struct rtg_perr *perr) {
  json_t *o = json_object();
  (void)opts;
  (void)perr;
  json_object_set_new(o, "proto", json_string("raw"));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "rfc7983_class", json_string(rfc7983_class(data, len)));
  if (len) json_object_set_new(o, "first_byte", json_integer(data[0]));
  json_object_set_new(o, "crc32", json_integer(rtg_crc32(0, data, len)));
  json_object_set_new(o, "crc32c", json_integer(rtg_crc32c(0, data, len)));
  json_object_set_new(o, "hex", rtg_json_hex(data, len));
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_raw = {
    "raw", "length, CRCs, hex and the RFC 7983 demultiplexing class", decode_raw};
