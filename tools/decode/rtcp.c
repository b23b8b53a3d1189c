/*
 * rtcp.c - `--proto rtcp`: a compound RTCP packet, every packet decoded
 * (SR/RR report blocks, SDES items, BYE, APP, XR blocks, NACK, PLI, FIR,
 * TMMBR/TMMBN, REMB, transport-cc, RFC 8888 CCFB). `--opt reduced-size=1`
 * accepts non-compound packets (RFC 5506).
 */
#include <string.h>

#include "decode/decoder.h"
#include "rtg/rtp.h"

static const char *pt_name(uint8_t pt) {
  switch (pt) {
    case RTG_RTCP_SR: return "SR";
    case RTG_RTCP_RR: return "RR";
    case RTG_RTCP_SDES: return "SDES";
    case RTG_RTCP_BYE: return "BYE";
    case RTG_RTCP_APP: return "APP";
    case RTG_RTCP_RTPFB: return "RTPFB";
    case RTG_RTCP_PSFB: return "PSFB";
    case RTG_RTCP_XR: return "XR";
    default: return "unknown";
  }
}

static const char *fb_name(uint8_t pt, uint8_t fmt) {
  if (pt == RTG_RTCP_RTPFB) {
    switch (fmt) {
      case RTG_RTPFB_NACK: return "NACK";
      case RTG_RTPFB_TMMBR: return "TMMBR";
      case RTG_RTPFB_TMMBN: return "TMMBN";
      case RTG_RTPFB_CCFB: return "CCFB";
      case RTG_RTPFB_TWCC: return "transport-cc";
      default: return "unknown";
    }
  }
  switch (fmt) {
    case RTG_PSFB_PLI: return "PLI";
    case RTG_PSFB_SLI: return "SLI";
    case RTG_PSFB_RPSI: return "RPSI";
    case RTG_PSFB_FIR: return "FIR";
    case RTG_PSFB_AFB: return "AFB";
    default: return "unknown";
  }
}

static const char *sdes_name(uint8_t t) {
  /* RFC 3550 §6.5 item types */
  static const char *const names[] = {"END", "CNAME", "NAME", "EMAIL", "PHONE",
                                      "LOC", "TOOL",  "NOTE", "PRIV"};
  return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static void twcc_cb(void *ud, uint16_t seq, uint8_t status, int32_t delta) {
  json_t *a = ud, *e = json_object();
  json_object_set_new(e, "seq", json_integer(seq));
  json_object_set_new(e, "status", json_integer(status));
  if (status) json_object_set_new(e, "delta_us", json_integer((json_int_t)delta * 250));
  json_array_append_new(a, e);
}

static void ccfb_cb(void *ud, uint32_t ssrc, uint16_t seq, bool received, uint8_t ecn,
                    uint16_t ato) {
  json_t *a = ud, *e = json_object();
  json_object_set_new(e, "ssrc", json_integer(ssrc));
  json_object_set_new(e, "seq", json_integer(seq));
  json_object_set_new(e, "received", json_boolean(received));
  if (received) {
    json_object_set_new(e, "ecn", json_integer(ecn));
    json_object_set_new(e, "ato", json_integer(ato));
  }
  json_array_append_new(a, e);
}

static void describe_fb(json_t *o, const struct rtg_rtcp_pkt *p) {
  json_t *a = json_array();
  json_object_set_new(o, "fmt_name", json_string(fb_name(p->pt, p->count)));
  if (!(p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_CCFB))
    json_object_set_new(o, "media_ssrc", json_integer(p->media_ssrc));
  if (p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_NACK) {
    uint16_t pid, blp;
    for (size_t i = 0; rtg_rtcp_nack_get(p, i, &pid, &blp) == 0; i++) {
      json_t *e = json_object();
      json_object_set_new(e, "pid", json_integer(pid));
      json_object_set_new(e, "blp", json_integer(blp));
      json_array_append_new(a, e);
    }
    json_object_set_new(o, "nacks", a);
  } else if (p->pt == RTG_RTCP_RTPFB &&
             (p->count == RTG_RTPFB_TMMBR || p->count == RTG_RTPFB_TMMBN)) {
    uint32_t ssrc;
    uint64_t br;
    uint16_t oh;
    for (size_t i = 0; rtg_rtcp_tmmb_get(p, i, &ssrc, &br, &oh) == 0; i++) {
      json_t *e = json_object();
      json_object_set_new(e, "ssrc", json_integer(ssrc));
      json_object_set_new(e, "bitrate", json_integer((json_int_t)br));
      json_object_set_new(e, "overhead", json_integer(oh));
      json_array_append_new(a, e);
    }
    json_object_set_new(o, "entries", a);
  } else if (p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_TWCC) {
    struct rtg_rtcp_twcc tw;
    if (rtg_rtcp_twcc_get(p, &tw, twcc_cb, a, NULL) == 0) {
      json_object_set_new(o, "base_seq", json_integer(tw.base_seq));
      json_object_set_new(o, "status_count", json_integer(tw.status_count));
      json_object_set_new(o, "reference_time_ms", json_integer((json_int_t)tw.ref_time * 64));
      json_object_set_new(o, "fb_count", json_integer(tw.fb_count));
      json_object_set_new(o, "received", json_integer(tw.received));
    }
    json_object_set_new(o, "packets", a);
  } else if (p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_CCFB) {
    uint32_t ts;
    if (rtg_rtcp_ccfb_get(p, &ts, ccfb_cb, a, NULL) == 0)
      json_object_set_new(o, "report_timestamp", json_integer(ts));
    json_object_set_new(o, "reports", a);
  } else if (p->pt == RTG_RTCP_PSFB && p->count == RTG_PSFB_FIR) {
    uint32_t ssrc;
    uint8_t seq;
    for (size_t i = 0; rtg_rtcp_fir_get(p, i, &ssrc, &seq) == 0; i++) {
      json_t *e = json_object();
      json_object_set_new(e, "ssrc", json_integer(ssrc));
      json_object_set_new(e, "seq", json_integer(seq));
      json_array_append_new(a, e);
    }
    json_object_set_new(o, "entries", a);
  } else {
    struct rtg_rtcp_remb remb;
    json_decref(a);
    if (rtg_rtcp_remb_get(p, &remb) == 0) {
      json_t *s = json_array();
      json_object_set_new(o, "remb_bitrate", json_integer((json_int_t)remb.bitrate));
      for (uint8_t i = 0; i < remb.n_ssrc; i++)
        json_array_append_new(s, json_integer(remb.ssrc[i]));
      json_object_set_new(o, "remb_ssrcs", s);
    } else if (p->fci.len) {
      json_object_set_new(o, "fci", rtg_json_hex(p->fci.p, p->fci.len));
    }
  }
}

static json_t *describe(const struct rtg_rtcp_pkt *p) {
  json_t *o = json_object();
  json_object_set_new(o, "offset", json_integer((json_int_t)p->offset));
  json_object_set_new(o, "type", json_string(pt_name(p->pt)));
  json_object_set_new(o, "pt", json_integer(p->pt));
  json_object_set_new(o, "count", json_integer(p->count));
  json_object_set_new(o, "length", json_integer((json_int_t)p->len));
  if (p->padding) json_object_set_new(o, "padding", json_integer(p->pad_len));
  switch (p->pt) {
    case RTG_RTCP_SR:
    case RTG_RTCP_RR: {
      json_t *a = json_array();
      struct rtg_rtcp_rb rb;
      json_object_set_new(o, "ssrc", json_integer(p->ssrc));
      if (p->pt == RTG_RTCP_SR) {
        json_object_set_new(o, "ntp_seconds", json_integer((json_int_t)(p->ntp >> 32)));
        json_object_set_new(o, "ntp_fraction", json_integer((json_int_t)(p->ntp & 0xffffffffu)));
        json_object_set_new(o, "rtp_timestamp", json_integer(p->rtp_ts));
        json_object_set_new(o, "packet_count", json_integer(p->packet_count));
        json_object_set_new(o, "octet_count", json_integer(p->octet_count));
      }
      for (size_t i = 0; rtg_rtcp_rb_get(p, i, &rb) == 0; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "ssrc", json_integer(rb.ssrc));
        json_object_set_new(e, "fraction_lost", json_integer(rb.fraction_lost));
        json_object_set_new(e, "cumulative_lost", json_integer(rb.cumulative_lost));
        json_object_set_new(e, "ext_highest_seq", json_integer(rb.ext_highest_seq));
        json_object_set_new(e, "jitter", json_integer(rb.jitter));
        json_object_set_new(e, "lsr", json_integer(rb.lsr));
        json_object_set_new(e, "dlsr", json_integer(rb.dlsr));
        json_array_append_new(a, e);
      }
      json_object_set_new(o, "reports", a);
      if (p->ext.len) json_object_set_new(o, "extension", rtg_json_hex(p->ext.p, p->ext.len));
      break;
    }
    case RTG_RTCP_SDES: {
      json_t *a = json_array();
      struct rtg_rtcp_sdes_iter it;
      struct rtg_rtcp_sdes_item item;
      rtg_rtcp_sdes_begin(p, &it);
      while (rtg_rtcp_sdes_next(&it, &item) == 0) {
        json_t *e = json_object();
        json_object_set_new(e, "ssrc", json_integer(item.ssrc));
        json_object_set_new(e, "type", json_integer(item.type));
        json_object_set_new(e, "name", json_string(sdes_name(item.type)));
        json_object_set_new(e, "value", json_stringn((const char *)item.value.p, item.value.len));
        json_array_append_new(a, e);
      }
      json_object_set_new(o, "items", a);
      break;
    }
    case RTG_RTCP_BYE: {
      json_t *a = json_array();
      uint32_t s;
      for (size_t i = 0; rtg_rtcp_bye_ssrc(p, i, &s) == 0; i++)
        json_array_append_new(a, json_integer(s));
      json_object_set_new(o, "ssrcs", a);
      if (p->reason.len)
        json_object_set_new(o, "reason", json_stringn((const char *)p->reason.p, p->reason.len));
      break;
    }
    case RTG_RTCP_APP:
      json_object_set_new(o, "ssrc", json_integer(p->ssrc));
      json_object_set_new(o, "name", json_stringn(p->app_name, 4));
      json_object_set_new(o, "data", rtg_json_hex(p->app_data.p, p->app_data.len));
      break;
    case RTG_RTCP_RTPFB:
    case RTG_RTCP_PSFB:
      json_object_set_new(o, "ssrc", json_integer(p->ssrc));
      describe_fb(o, p);
      break;
    case RTG_RTCP_XR: {
      json_t *a = json_array();
      struct rtg_rd it;
      struct rtg_rtcp_xr_block b;
      json_object_set_new(o, "ssrc", json_integer(p->ssrc));
      rtg_rd_init(&it, p->items.p, p->items.len);
      while (rtg_rtcp_xr_next(&it, &b) == 0) {
        json_t *e = json_object();
        json_object_set_new(e, "bt", json_integer(b.bt));
        json_object_set_new(e, "type_specific", json_integer(b.type_specific));
        json_object_set_new(e, "data", rtg_json_hex(b.body.p, b.body.len));
        json_array_append_new(a, e);
      }
      json_object_set_new(o, "blocks", a);
      break;
    }
    default: json_object_set_new(o, "body", rtg_json_hex(p->body.p, p->body.len)); break;
  }
  return o;
}

static int decode_rtcp(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  struct rtg_rtcp_compound c;
  const char *rs = rtg_decode_opt(opts, "reduced-size");
  unsigned flags = (rs && strcmp(rs, "0") != 0) ? RTG_RTCP_REDUCED_SIZE : 0;
  json_t *o, *a;
  int r = rtg_rtcp_parse(&c, data, len, flags, perr);
  *out = NULL;
  if (r) return r;
  o = json_object();
  a = json_array();
  json_object_set_new(o, "proto", json_string("rtcp"));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "compound", json_boolean(c.n > 1));
  for (size_t i = 0; i < c.n; i++) json_array_append_new(a, describe(&c.pkt[i]));
  json_object_set_new(o, "packets", a);
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_rtcp = {
    "rtcp", "compound RTCP: SR/RR/SDES/BYE/APP/XR/RTPFB/PSFB (RFC 3550 §6)", decode_rtcp};
