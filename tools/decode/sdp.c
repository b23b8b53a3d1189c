/*
 * sdp.c - `--proto sdp`: a session description (RFC 8866) as JSON: the
 * session part, then each media section with its codecs (rtpmap + fmtp +
 * rtcp-fb by payload type), candidates (RFC 8839) and every attribute in
 * order. On malformed input the JSON says the line number and the line.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "rtg/sdp.h"

static json_t *tok(struct rtg_sdp_tok t) { return json_stringn(t.p, t.len); }

static json_t *candidate_json(const struct rtg_sdp_candidate *c) {
  static const char *const tcptypes[] = {NULL, "active", "passive", "so"};
  json_t *o = json_object();
  json_object_set_new(o, "foundation", tok(c->foundation));
  json_object_set_new(o, "component", json_integer(c->component));
  json_object_set_new(o, "transport", tok(c->transport));
  json_object_set_new(o, "priority", json_integer(c->priority));
  json_object_set_new(o, "address", tok(c->addr));
  json_object_set_new(o, "family",
                      c->family ? json_integer(c->family) : json_string(c->mdns ? "mdns" : "fqdn"));
  json_object_set_new(o, "port", json_integer(c->port));
  json_object_set_new(o, "type", tok(c->type_name));
  if (c->has_raddr) json_object_set_new(o, "raddr", tok(c->raddr));
  if (c->has_rport) json_object_set_new(o, "rport", json_integer(c->rport));
  if (c->tcptype != RTG_SDP_TCP_NONE)
    json_object_set_new(o, "tcptype", json_string(tcptypes[c->tcptype]));
  if (c->next) {
    json_t *x = json_object();
    for (size_t i = 0; i < c->next; i++) {
      char name[64];
      size_t n = c->ext_name[i].len < sizeof name - 1 ? c->ext_name[i].len : sizeof name - 1;
      memcpy(name, c->ext_name[i].p, n);
      name[n] = 0;
      json_object_set_new(x, name, tok(c->ext_value[i]));
    }
    json_object_set_new(o, "extensions", x);
  }
  return o;
}

/* Typed details of a known attribute, or NULL. */
static json_t *attr_details(const struct rtg_sdp *s, size_t i) {
  struct rtg_sdp_fingerprint f;
  struct rtg_sdp_extmap x;
  struct rtg_sdp_ssrc ss;
  struct rtg_sdp_group g;
  struct rtg_sdp_rid r;
  struct rtg_sdp_msid m;
  uint64_t n;
  json_t *o;
  if (rtg_sdp_get_fingerprint(s, i, &f) == 0) {
    o = json_object();
    json_object_set_new(o, "hash", f.alg ? json_string(rtg_hash_name(f.alg)) : json_null());
    json_object_set_new(o, "digest", rtg_json_hex(f.digest, f.len));
    return o;
  }
  if (rtg_sdp_get_extmap(s, i, &x) == 0) {
    o = json_object();
    json_object_set_new(o, "id", json_integer(x.id));
    if (x.has_dir) json_object_set_new(o, "direction", json_string(rtg_sdp_dir_name(x.dir)));
    json_object_set_new(o, "uri", tok(x.uri));
    if (x.attrs.len) json_object_set_new(o, "attributes", tok(x.attrs));
    return o;
  }
  if (rtg_sdp_get_ssrc(s, i, &ss) == 0) {
    o = json_object();
    json_object_set_new(o, "ssrc", json_integer(ss.ssrc));
    json_object_set_new(o, "attribute", tok(ss.attr));
    if (ss.value.p) json_object_set_new(o, "value", tok(ss.value));
    return o;
  }
  if (rtg_sdp_get_group(s, i, &g) == 0) {
    json_t *ids = json_array();
    o = json_object();
    json_object_set_new(o, "semantics", tok(g.semantics));
    for (size_t k = 0; k < g.nids; k++) json_array_append_new(ids, tok(g.ids[k]));
    json_object_set_new(o, "ids", ids);
    return o;
  }
  if (rtg_sdp_get_rid(s, i, &r) == 0) {
    o = json_object();
    json_object_set_new(o, "id", tok(r.id));
    json_object_set_new(o, "direction", json_string(r.send ? "send" : "recv"));
    if (r.params.len) json_object_set_new(o, "restrictions", tok(r.params));
    return o;
  }
  if (rtg_sdp_get_msid(s, i, &m) == 0) {
    o = json_object();
    json_object_set_new(o, "id", tok(m.id));
    if (m.appdata.len) json_object_set_new(o, "appdata", tok(m.appdata));
    return o;
  }
  if (rtg_sdp_get_number(s, i, &n) == 0) return json_integer((json_int_t)n);
  return NULL;
}

static json_t *attr_json(const struct rtg_sdp *s, size_t i) {
  const struct rtg_sdp_line *l = &s->lines[i];
  json_t *o = json_object();
  json_t *d;
  json_object_set_new(o, "line", json_integer(l->lineno));
  json_object_set_new(o, "name", json_stringn(rtg_sdp_value(s, i), l->name_len));
  if (l->has_value) json_object_set_new(o, "value", json_string(rtg_sdp_attr_value(s, i)));
  d = attr_details(s, i);
  if (d) json_object_set_new(o, "parsed", d);
  return o;
}

/* codecs of an RTP section: rtpmap/fmtp/rtcp-fb gathered by payload type,
 * in m= line order */
static json_t *codecs_json(const struct rtg_sdp *s, int media, const struct rtg_sdp_mline *ml) {
  json_t *arr = json_array();
  size_t first, end;
  if (rtg_sdp_section(s, media, &first, &end)) return arr;
  for (size_t k = 0; k < ml->nfmt && k < RTG_SDP_MAX_FMT; k++) {
    json_t *c = json_object(), *fb = json_array();
    char ptbuf[8];
    int pt;
    size_t n = ml->fmt[k].len < sizeof ptbuf - 1 ? ml->fmt[k].len : sizeof ptbuf - 1;
    memcpy(ptbuf, ml->fmt[k].p, n);
    ptbuf[n] = 0;
    pt = atoi(ptbuf);
    json_object_set_new(c, "pt", json_integer(pt));
    for (size_t i = first; i < end; i++) {
      struct rtg_sdp_rtpmap r;
      struct rtg_sdp_pt_value v;
      if (rtg_sdp_get_rtpmap(s, i, &r) == 0 && r.pt == pt) {
        json_object_set_new(c, "encoding", tok(r.encoding));
        json_object_set_new(c, "clock", json_integer(r.clock));
        if (r.channels) json_object_set_new(c, "channels", json_integer(r.channels));
      } else if (rtg_sdp_get_fmtp(s, i, &v) == 0 && v.pt == pt) {
        json_object_set_new(c, "fmtp", tok(v.value));
      } else if (rtg_sdp_get_rtcp_fb(s, i, &v) == 0 && (v.pt == pt || v.pt == -1)) {
        json_array_append_new(fb, tok(v.value));
      }
    }
    json_object_set_new(c, "rtcp_fb", fb);
    json_array_append_new(arr, c);
  }
  return arr;
}

static json_t *section_json(const struct rtg_sdp *s, int media) {
  json_t *o = json_object(), *attrs = json_array(), *cands = json_array(), *other = json_array();
  size_t first, end;
  const char *v;
  if (rtg_sdp_section(s, media, &first, &end)) return o;
  if (media >= 0) {
    struct rtg_sdp_mline ml;
    if (rtg_sdp_get_mline(s, media, &ml) == 0) {
      json_t *fmts = json_array();
      json_object_set_new(o, "line", json_integer(s->lines[first].lineno));
      json_object_set_new(o, "media", tok(ml.media));
      json_object_set_new(o, "port", json_integer(ml.port));
      if (ml.nports != 1) json_object_set_new(o, "ports", json_integer(ml.nports));
      json_object_set_new(o, "proto", tok(ml.proto));
      for (size_t k = 0; k < ml.nfmt && k < RTG_SDP_MAX_FMT; k++)
        json_array_append_new(fmts, tok(ml.fmt[k]));
      json_object_set_new(o, "formats", fmts);
      if ((v = rtg_sdp_attr_get(s, media, "mid", false)))
        json_object_set_new(o, "mid", json_string(v));
      json_object_set_new(o, "direction",
                          json_string(rtg_sdp_dir_name(rtg_sdp_direction(s, media))));
      if ((v = rtg_sdp_attr_get(s, media, "ice-ufrag", true)))
        json_object_set_new(o, "ice_ufrag", json_string(v));
      if ((v = rtg_sdp_attr_get(s, media, "setup", true)))
        json_object_set_new(o, "setup", json_string(v));
      json_object_set_new(o, "rtcp_mux",
                          json_boolean(rtg_sdp_attr_get(s, media, "rtcp-mux", false)));
      if (strstr(rtg_sdp_value(s, first), "RTP/"))
        json_object_set_new(o, "codecs", codecs_json(s, media, &ml));
    }
    first++;
  } else {
    struct rtg_sdp_origin og;
    if (rtg_sdp_get_origin(s, &og) == 0) {
      json_t *j = json_object();
      json_object_set_new(j, "username", tok(og.username));
      json_object_set_new(j, "sess_id", tok(og.sess_id));
      json_object_set_new(j, "sess_version", tok(og.sess_version));
      json_object_set_new(j, "nettype", tok(og.nettype));
      json_object_set_new(j, "addrtype", tok(og.addrtype));
      json_object_set_new(j, "address", tok(og.addr));
      json_object_set_new(o, "origin", j);
    }
  }
  for (size_t i = first; i < end; i++) {
    const struct rtg_sdp_line *l = &s->lines[i];
    struct rtg_sdp_candidate c;
    if (l->type != 'a') {
      if (l->type == 'o' || l->type == 'v') continue;
      json_t *x = json_object();
      char t[2] = {l->type, 0};
      json_object_set_new(x, "line", json_integer(l->lineno));
      json_object_set_new(x, "type", json_string(t));
      json_object_set_new(x, "value", json_string(rtg_sdp_value(s, i)));
      json_array_append_new(other, x);
    } else if (rtg_sdp_get_candidate(s, i, &c) == 0) {
      json_array_append_new(cands, candidate_json(&c));
    } else {
      json_array_append_new(attrs, attr_json(s, i));
    }
  }
  json_object_set_new(o, media >= 0 ? "lines" : "session_lines", other);
  if (media >= 0)
    json_object_set_new(o, "candidates", cands);
  else
    json_decref(cands);
  json_object_set_new(o, "attributes", attrs);
  return o;
}

static int decode_sdp(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                      json_t **out, struct rtg_perr *perr) {
  struct rtg_sdp *s = malloc(sizeof *s);
  json_t *o = json_object(), *media;
  int rc;
  (void)opts;
  if (s == NULL) {
    json_decref(o);
    return RTG_ERR_NOMEM;
  }
  json_object_set_new(o, "proto", json_string("sdp"));
  rc = rtg_sdp_parse(s, (const char *)data, len, perr);
  if (rc) {
    size_t a = perr->offset < len ? perr->offset : len, b;
    while (a > 0 && data[a - 1] != '\n') a--;
    for (b = a; b < len && data[b] != '\n' && data[b] != '\r'; b++) {
    }
    json_object_set_new(o, "error_line",
                        json_integer(rtg_sdp_line_at((const char *)data, len, perr->offset)));
    json_t *line = json_stringn((const char *)data + a, b - a);
    json_object_set_new(o, "error_text", line ? line : rtg_json_hex(data + a, b - a));
    if (perr->reason) json_object_set_new(o, "error_reason", json_string(perr->reason));
    if (perr->ref) json_object_set_new(o, "error_ref", json_string(perr->ref));
    free(s);
    *out = o;
    return rc;
  }
  json_object_set_new(o, "lines", json_integer((json_int_t)s->nlines));
  json_object_set_new(o, "line_ends", json_string(s->lf_only ? "lf" : "crlf"));
  json_object_set_new(o, "session", section_json(s, -1));
  media = json_array();
  for (size_t m = 0; m < s->nmedia; m++) json_array_append_new(media, section_json(s, (int)m));
  json_object_set_new(o, "media", media);
  free(s);
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_sdp = {
    "sdp", "SDP session description (RFC 8866): session, media, codecs, candidates", decode_sdp};
