/*
 * turn_channel.c - `--proto turn-channel`: one TURN ChannelData message
 * (RFC 8656 §12.4) as JSON: channel number, data length, padding, data.
 */
#include "decode/decoder.h"
#include "rtg/stun.h"

static int decode_turn_channel(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                               json_t **out, struct rtg_perr *perr) {
  struct rtg_turn_channel ch;
  json_t *o = json_object();
  int rc;
  (void)opts;
  *out = o;
  json_object_set_new(o, "proto", json_string("turn-channel"));
  rc = rtg_turn_channel_parse(&ch, data, len, perr);
  if (rc) return rc;
  json_object_set_new(o, "channel", json_integer(ch.number));
  json_object_set_new(o, "length", json_integer((json_int_t)ch.data.len));
  json_object_set_new(o, "padding", json_integer((json_int_t)ch.padding));
  /* what the relayed payload is, by its first byte (RFC 7983 §7) */
  json_object_set_new(o, "data_kind",
                      json_string(ch.data.len == 0                             ? "empty"
                                  : ch.data.p[0] <= 3                          ? "stun"
                                  : ch.data.p[0] >= 20 && ch.data.p[0] <= 63   ? "dtls"
                                  : ch.data.p[0] >= 128 && ch.data.p[0] <= 191 ? "rtp/rtcp"
                                                                               : "other"));
  json_object_set_new(o, "data", rtg_json_hex(ch.data.p, ch.data.len));
  return 0;
}

const struct rtg_decoder rtg_decoder_turn_channel = {
    "turn-channel", "TURN ChannelData message (RFC 8656 §12.4)", decode_turn_channel};
