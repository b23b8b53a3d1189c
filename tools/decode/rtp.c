/*
 * rtp.c - `--proto rtp`: RTP header, CSRCs, RFC 8285 header extensions and
 * payload/padding sizes. Extensions are listed by id; `--opt ext.N=NAME`
 * (NAME one of mid, rid, repaired-rid, abs-send-time, transport-cc,
 * audio-level, video-orientation, playout-delay, dependency-descriptor)
 * decodes element N as that extension, as an SDP a=extmap would say.
 */
#include <stdio.h>
#include <string.h>

#include "decode/decoder.h"
#include "rtg/rtp.h"

static json_t *typed_ext(const struct rtg_rtp_hdr *h, uint8_t id, const char *name) {
  json_t *o = json_object();
  int r = RTG_ERR_UNSUPPORTED;
  char s[256];
  json_object_set_new(o, "name", json_string(name));
  if (strcmp(name, "mid") == 0 || strcmp(name, "rid") == 0 || strcmp(name, "repaired-rid") == 0) {
    r = strcmp(name, "mid") == 0 ? rtg_rtp_ext_mid(h, id, s, sizeof s)
                                 : rtg_rtp_ext_rid(h, id, s, sizeof s);
    if (r == 0) json_object_set_new(o, "value", json_string(s));
  } else if (strcmp(name, "abs-send-time") == 0) {
    uint32_t v;
    r = rtg_rtp_ext_abs_send_time(h, id, &v);
    if (r == 0) {
      json_object_set_new(o, "value", json_integer(v));
      json_object_set_new(o, "seconds", json_real((double)v / 262144.0));
    }
  } else if (strcmp(name, "transport-cc") == 0) {
    uint16_t v;
    r = rtg_rtp_ext_transport_cc(h, id, &v);
    if (r == 0) json_object_set_new(o, "seq", json_integer(v));
  } else if (strcmp(name, "audio-level") == 0) {
    bool voice;
    uint8_t lvl;
    r = rtg_rtp_ext_audio_level(h, id, &voice, &lvl);
    if (r == 0) {
      json_object_set_new(o, "voice", json_boolean(voice));
      json_object_set_new(o, "level_dbov", json_integer(-(json_int_t)lvl));
    }
  } else if (strcmp(name, "video-orientation") == 0) {
    bool cam, flip;
    uint16_t rot;
    r = rtg_rtp_ext_video_orientation(h, id, &cam, &flip, &rot);
    if (r == 0) {
      json_object_set_new(o, "camera_back", json_boolean(cam));
      json_object_set_new(o, "flip", json_boolean(flip));
      json_object_set_new(o, "rotation", json_integer(rot));
    }
  } else if (strcmp(name, "playout-delay") == 0) {
    uint16_t mn, mx;
    r = rtg_rtp_ext_playout_delay(h, id, &mn, &mx);
    if (r == 0) {
      json_object_set_new(o, "min_ms", json_integer(mn * 10));
      json_object_set_new(o, "max_ms", json_integer(mx * 10));
    }
  } else if (strcmp(name, "dependency-descriptor") == 0) {
    struct rtg_slice raw;
    r = rtg_rtp_ext_dependency_descriptor(h, id, &raw);
    if (r == 0) json_object_set_new(o, "raw", rtg_json_hex(raw.p, raw.len));
  }
  if (r) json_object_set_new(o, "error", json_string(rtg_strerror(r)));
  return o;
}

static int decode_rtp(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                      json_t **out, struct rtg_perr *perr) {
  struct rtg_rtp_hdr h;
  json_t *o;
  int r = rtg_rtp_parse(&h, data, len, perr);
  *out = NULL;
  if (r) return r;
  o = json_object();
  json_object_set_new(o, "proto", json_string("rtp"));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "version", json_integer(h.version));
  json_object_set_new(o, "padding", json_boolean(h.padding));
  json_object_set_new(o, "extension", json_boolean(h.extension));
  json_object_set_new(o, "marker", json_boolean(h.marker));
  json_object_set_new(o, "payload_type", json_integer(h.pt));
  json_object_set_new(o, "seq", json_integer(h.seq));
  json_object_set_new(o, "timestamp", json_integer(h.ts));
  json_object_set_new(o, "ssrc", json_integer(h.ssrc));
  if (h.cc) {
    json_t *a = json_array();
    for (uint8_t i = 0; i < h.cc; i++) json_array_append_new(a, json_integer(h.csrc[i]));
    json_object_set_new(o, "csrc", a);
  }
  if (h.extension) {
    json_t *x = json_object(), *a = json_array();
    json_object_set_new(x, "profile", json_integer(h.ext_profile));
    json_object_set_new(x, "form",
                        json_string(h.ext_profile == RTG_RTP_EXT_ONE_BYTE               ? "one-byte"
                                    : (h.ext_profile & 0xfff0u) == RTG_RTP_EXT_TWO_BYTE ? "two-byte"
                                                                                        : "other"));
    json_object_set_new(x, "length", json_integer((json_int_t)h.ext_body.len));
    for (size_t i = 0; i < h.n_ext; i++) {
      json_t *e = json_object();
      char key[16];
      const char *name;
      json_object_set_new(e, "id", json_integer(h.ext[i].id));
      json_object_set_new(e, "len", json_integer(h.ext[i].len));
      json_object_set_new(e, "data", rtg_json_hex(h.ext[i].data, h.ext[i].len));
      snprintf(key, sizeof key, "ext.%u", h.ext[i].id);
      name = rtg_decode_opt(opts, key);
      if (name) json_object_set_new(e, "decoded", typed_ext(&h, h.ext[i].id, name));
      json_array_append_new(a, e);
    }
    json_object_set_new(x, "elements", a);
    if (h.n_ext == 0) json_object_set_new(x, "raw", rtg_json_hex(h.ext_body.p, h.ext_body.len));
    json_object_set_new(o, "header_extension", x);
  }
  json_object_set_new(o, "header_length", json_integer((json_int_t)h.header_len));
  json_object_set_new(o, "payload_length", json_integer((json_int_t)h.payload.len));
  json_object_set_new(o, "padding_length", json_integer(h.pad_len));
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_rtp = {
    "rtp", "RTP header, CSRCs, RFC 8285 extensions (RFC 3550 §5.1)", decode_rtp};
