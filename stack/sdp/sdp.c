/*
 * sdp.c - SDP (RFC 8866) lines: split, validate structure and values,
 * write back, navigate and build.
 *
 * RFC 8866 §5: a session description is
 *
 *   v=  (protocol version)          m=  (media name and transport address)
 *   o=  (originator and session id) i=* (media title)
 *   s=  (session name)              c=* (connection information)
 *   i=* u=* e=* p=*                 b=* (zero or more bandwidth lines)
 *   c=* b=*                         k=* (obsolete)
 *   t= r=* (one or more times)      a=* (zero or more attribute lines)
 *   z=* k=* a=*
 *   m=... (zero or more media descriptions)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sdp/internal.h"

static const char *const REF_SDP = "RFC 8866 §5";

size_t sdp_value_off(const struct rtg_sdp *sdp, size_t i) {
  const struct rtg_sdp_line *l = &sdp->lines[i];
  size_t off = (size_t)l->offset + 2;
  if (l->type == 'a' && l->has_value) off += (size_t)l->name_len + 1;
  return off;
}

const char *rtg_sdp_value(const struct rtg_sdp *sdp, size_t i) {
  if (i >= sdp->nlines) return "";
  return sdp->arena + sdp->lines[i].text;
}

const char *rtg_sdp_attr_value(const struct rtg_sdp *sdp, size_t i) {
  const struct rtg_sdp_line *l;
  if (i >= sdp->nlines) return "";
  l = &sdp->lines[i];
  if (l->type != 'a' || !l->has_value) return "";
  return sdp->arena + l->text + l->name_len + 1;
}

bool rtg_sdp_attr_is(const struct rtg_sdp *sdp, size_t i, const char *name) {
  const struct rtg_sdp_line *l;
  if (i >= sdp->nlines) return false;
  l = &sdp->lines[i];
  return l->type == 'a' && strlen(name) == l->name_len &&
         memcmp(sdp->arena + l->text, name, l->name_len) == 0;
}

int rtg_sdp_section(const struct rtg_sdp *sdp, int media, size_t *first, size_t *end) {
  if (media == -1) {
    *first = 0;
    *end = sdp->nmedia ? sdp->media[0] : sdp->nlines;
    return 0;
  }
  if (media < 0 || (size_t)media >= sdp->nmedia) return RTG_ERR_INVAL;
  *first = sdp->media[media];
  *end = (size_t)media + 1 < sdp->nmedia ? sdp->media[media + 1] : sdp->nlines;
  return 0;
}

int rtg_sdp_attr_find(const struct rtg_sdp *sdp, int media, const char *name, size_t *idx) {
  size_t first, end;
  if (rtg_sdp_section(sdp, media, &first, &end)) return RTG_ERR_INVAL;
  for (size_t i = *idx > first ? *idx : first; i < end; i++) {
    if (rtg_sdp_attr_is(sdp, i, name)) {
      *idx = i;
      return 0;
    }
  }
  return RTG_ERR_NOTFOUND;
}

const char *rtg_sdp_attr_get(const struct rtg_sdp *sdp, int media, const char *name,
                             bool session_too) {
  size_t i = 0;
  if (rtg_sdp_attr_find(sdp, media, name, &i) == 0) return rtg_sdp_attr_value(sdp, i);
  i = 0;
  if (media >= 0 && session_too && rtg_sdp_attr_find(sdp, -1, name, &i) == 0)
    return rtg_sdp_attr_value(sdp, i);
  return NULL;
}

/* ---- typed views of o= and m= --------------------------------------------- */

static const char *const F_M = "sdp.m";
static const char *const F_O = "sdp.o";

static int parse_mline(const char *v, size_t len, size_t off, struct rtg_sdp_mline *m,
                       struct rtg_perr *perr) {
  static const char *const ref = "RFC 8866 §5.14";
  struct sdp_scan s;
  struct rtg_sdp_tok t;
  uint64_t n;
  memset(m, 0, sizeof *m);
  sdp_scan_init(&s, v, len, off);
  if (!sdp_scan_field(&s, &m->media) || !sdp_tok_is_token(m->media))
    return rtg_perr_set(perr, off, F_M, "media type is not a token", ref);
  m->kind = sdp_tok_eq(m->media, "audio")         ? RTG_SDP_MEDIA_AUDIO
            : sdp_tok_eq(m->media, "video")       ? RTG_SDP_MEDIA_VIDEO
            : sdp_tok_eq(m->media, "application") ? RTG_SDP_MEDIA_APPLICATION
                                                  : RTG_SDP_MEDIA_OTHER;
  if (!sdp_scan_sp(&s)) return rtg_perr_set(perr, sdp_scan_off(&s), F_M, "port missing", ref);
  sdp_scan_until(&s, '/', &t);
  if (!sdp_tok_uint(t, 5, 65535, &n))
    return rtg_perr_set(perr, sdp_scan_off(&s) - t.len, F_M, "port must be 0..65535", ref);
  m->port = (uint16_t)n;
  m->nports = 1;
  if (sdp_scan_char(&s, '/')) {
    sdp_scan_until(&s, ' ', &t);
    if (!sdp_tok_uint(t, 5, 65535, &n) || n == 0)
      return rtg_perr_set(perr, sdp_scan_off(&s) - t.len, F_M, "bad number of ports", ref);
    m->nports = (uint16_t)n;
  }
  if (!sdp_scan_sp(&s) || !sdp_scan_field(&s, &m->proto))
    return rtg_perr_set(perr, sdp_scan_off(&s), F_M, "protocol missing", ref);
  /* proto = token *("/" token) */
  for (size_t i = 0; i < m->proto.len; i++) {
    uint8_t c = (uint8_t)m->proto.p[i];
    bool slash_ok = c == '/' && i > 0 && i + 1 < m->proto.len && m->proto.p[i - 1] != '/';
    if (!sdp_is_token_char(c) && !slash_ok)
      return rtg_perr_set(perr, sdp_scan_off(&s) - m->proto.len + i, F_M,
                          "protocol is not token/token", ref);
  }
  while (sdp_scan_sp(&s)) {
    if (!sdp_scan_field(&s, &t) || !sdp_tok_is_token(t))
      return rtg_perr_set(perr, sdp_scan_off(&s), F_M, "format is not a token", ref);
    if (m->nfmt < RTG_SDP_MAX_FMT) m->fmt[m->nfmt] = t;
    m->nfmt++;
  }
  if (!sdp_scan_end(&s))
    return rtg_perr_set(perr, sdp_scan_off(&s), F_M, "expected one space between fields", ref);
  if (m->nfmt == 0) return rtg_perr_set(perr, sdp_scan_off(&s), F_M, "no media format", ref);
  return 0;
}

int rtg_sdp_get_mline(const struct rtg_sdp *sdp, int media, struct rtg_sdp_mline *out) {
  size_t i;
  if (media < 0 || (size_t)media >= sdp->nmedia) return RTG_ERR_INVAL;
  i = sdp->media[media];
  if (parse_mline(rtg_sdp_value(sdp, i), sdp->lines[i].len, sdp_value_off(sdp, i), out, NULL))
    return RTG_ERR_INVAL;
  return 0;
}

static bool tok_digits(struct rtg_sdp_tok t, size_t maxlen) {
  if (t.len == 0 || t.len > maxlen) return false;
  for (size_t i = 0; i < t.len; i++)
    if (t.p[i] < '0' || t.p[i] > '9') return false;
  return true;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
static int parse_origin(const char *v, size_t len, size_t off, struct rtg_sdp_origin *o,
                        struct rtg_perr *perr) {
  static const char *const ref = "RFC 8866 §5.2";
  struct rtg_sdp_tok *f[6] = {&o->username, &o->sess_id,  &o->sess_version,
                              &o->nettype,  &o->addrtype, &o->addr};
  struct sdp_scan s;
  memset(o, 0, sizeof *o);
  sdp_scan_init(&s, v, len, off);
  for (int k = 0; k < 6; k++) {
    if ((k > 0 && !sdp_scan_sp(&s)) || !sdp_scan_field(&s, f[k]))
      return rtg_perr_set(perr, sdp_scan_off(&s), F_O, "expected 6 fields", ref);
  }
  if (!sdp_scan_end(&s)) return rtg_perr_set(perr, sdp_scan_off(&s), F_O, "expected 6 fields", ref);
  if (!tok_digits(o->sess_id, 20))
    return rtg_perr_set(perr, off + (size_t)(o->sess_id.p - v), F_O, "sess-id is not a number",
                        ref);
  if (!tok_digits(o->sess_version, 20))
    return rtg_perr_set(perr, off + (size_t)(o->sess_version.p - v), F_O,
                        "sess-version is not a number", ref);
  if (!sdp_tok_is_token(o->nettype) || !sdp_tok_is_token(o->addrtype))
    return rtg_perr_set(perr, off + (size_t)(o->nettype.p - v), F_O,
                        "nettype/addrtype are not tokens", ref);
  return 0;
}

int rtg_sdp_get_origin(const struct rtg_sdp *sdp, struct rtg_sdp_origin *out) {
  if (sdp->nlines < 2 || sdp->lines[1].type != 'o') return RTG_ERR_INVAL;
  if (parse_origin(rtg_sdp_value(sdp, 1), sdp->lines[1].len, sdp_value_off(sdp, 1), out, NULL))
    return RTG_ERR_INVAL;
  return 0;
}

/* ---- validation ----------------------------------------------------------- */

/* The position of each line type in the order of RFC 8866 §5. */
static int rank_of(char type) {
  static const char order[] = "vosiuepcbtrzka";
  const char *p = type ? strchr(order, type) : NULL;
  return p ? (int)(p - order) : -1;
}

/* Line types that may repeat (RFC 8866 §5: '*' lines and t=/r=). */
static bool may_repeat(char type, bool media) {
  return type == 'a' || type == 'b' || (media ? type == 'c' : strchr("eptr", type) != NULL);
}

/* c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7) */
static int check_c(const char *v, size_t len, size_t off, struct rtg_perr *perr) {
  static const char *const ref = "RFC 8866 §5.7";
  struct sdp_scan s;
  struct rtg_sdp_tok net, at, addr;
  uint8_t fam;
  sdp_scan_init(&s, v, len, off);
  if (!sdp_scan_field(&s, &net) || !sdp_scan_sp(&s) || !sdp_scan_field(&s, &at) ||
      !sdp_scan_sp(&s) || !sdp_scan_field(&s, &addr) || !sdp_scan_end(&s))
    return rtg_perr_set(perr, sdp_scan_off(&s), "sdp.c", "expected <nettype> <addrtype> <address>",
                        ref);
  if (sdp_tok_eq(net, "IN") && (sdp_tok_eq(at, "IP4") || sdp_tok_eq(at, "IP6"))) {
    struct rtg_sdp_tok host = addr;
    for (size_t i = 0; i < addr.len; i++)
      if (addr.p[i] == '/') host.len = i; /* multicast TTL / count */
    if (!sdp_tok_address(host, &fam) || (fam == 4 && !sdp_tok_eq(at, "IP4")) ||
        (fam == 6 && !sdp_tok_eq(at, "IP6")))
      return rtg_perr_set(perr, off + (size_t)(addr.p - v), "sdp.c",
                          "address does not match its address type", ref);
  }
  return 0;
}

/* t=<start-time> <stop-time> (RFC 8866 §5.9) */
static int check_t(const char *v, size_t len, size_t off, struct rtg_perr *perr) {
  struct sdp_scan s;
  struct rtg_sdp_tok a, b;
  uint64_t n;
  sdp_scan_init(&s, v, len, off);
  if (!sdp_scan_field(&s, &a) || !sdp_scan_sp(&s) || !sdp_scan_field(&s, &b) || !sdp_scan_end(&s) ||
      !sdp_tok_uint(a, 19, UINT64_MAX, &n) || !sdp_tok_uint(b, 19, UINT64_MAX, &n))
    return rtg_perr_set(perr, off, "sdp.t", "expected <start-time> <stop-time> (decimal)",
                        "RFC 8866 §5.9");
  return 0;
}

/* b=<bwtype>:<bandwidth> (RFC 8866 §5.8) */
static int check_b(const char *v, size_t len, size_t off, struct rtg_perr *perr) {
  struct sdp_scan s;
  struct rtg_sdp_tok t, n;
  uint64_t x;
  sdp_scan_init(&s, v, len, off);
  sdp_scan_until(&s, ':', &t);
  if (!sdp_tok_is_token(t) || !sdp_scan_char(&s, ':') || !sdp_scan_field(&s, &n) ||
      !sdp_scan_end(&s) || !sdp_tok_uint(n, 19, UINT64_MAX, &x))
    return rtg_perr_set(perr, off, "sdp.b", "expected <bwtype>:<bandwidth>", "RFC 8866 §5.8");
  return 0;
}

struct vstate {
  struct rtg_sdp_mline ml; /* the current m= line */
  bool rtp;                /* its proto is RTP-based */
  uint64_t seen;           /* once-attributes seen in the current section */
};

static int check_attr(const struct rtg_sdp *sdp, size_t i, int media, struct vstate *st,
                      struct rtg_perr *perr) {
  const struct rtg_sdp_line *l = &sdp->lines[i];
  const char *v = rtg_sdp_value(sdp, i);
  const struct sdp_attr_def *d;
  struct sdp_scan s;
  size_t off = (size_t)l->offset + 2;
  struct rtg_sdp_tok name = {v, l->name_len};
  if (!sdp_tok_is_token(name))
    return rtg_perr_set(perr, off, "sdp.a", "attribute name is not a token", "RFC 8866 §5.13");
  d = sdp_attr_lookup(v, l->name_len);
  if (d == NULL) return 0; /* unknown: kept as it is (RFC 8866 §5.13) */
  if (!(d->where & (media < 0 ? SDP_AT_SESSION : SDP_AT_MEDIA)))
    return rtg_perr_set(perr, off, d->field,
                        media < 0 ? "media-level attribute at session level"
                                  : "session-level attribute in a media section",
                        d->ref);
  if (d->value == SDP_VAL_FLAG && l->has_value)
    return rtg_perr_set(perr, off + l->name_len, d->field, "flag attribute takes no value", d->ref);
  if (d->value == SDP_VAL_REQUIRED && !l->has_value)
    return rtg_perr_set(perr, off + l->name_len, d->field, "attribute value missing", d->ref);
  if (d->once) {
    uint64_t bit = (uint64_t)1 << (sdp_attr_index(d) & 63);
    if (st->seen & bit) return rtg_perr_set(perr, off, d->field, "attribute repeated", d->ref);
    st->seen |= bit;
  }
  const char *val = rtg_sdp_attr_value(sdp, i);
  sdp_scan_init(&s, val, strlen(val), sdp_value_off(sdp, i));
  if (d->parse(&s, d, NULL, perr)) return RTG_ERR_PARSE;
  if (d->pt_in_mline && st->rtp) {
    struct rtg_sdp_tok pt;
    sdp_scan_init(&s, val, strlen(val), sdp_value_off(sdp, i));
    if (sdp_scan_field(&s, &pt) && !sdp_tok_eq(pt, "*")) {
      bool found = false;
      for (size_t k = 0; k < st->ml.nfmt && k < RTG_SDP_MAX_FMT; k++)
        found =
            found || (st->ml.fmt[k].len == pt.len && memcmp(st->ml.fmt[k].p, pt.p, pt.len) == 0);
      if (!found)
        return rtg_perr_set(perr, sdp_value_off(sdp, i), d->field,
                            "payload type not listed on the m= line", "RFC 8866 §6.6");
    }
  }
  return 0;
}

/* mids unique (RFC 5888 §4), BUNDLE groups name existing mids (RFC 8843
 * §7.2 / RFC 5888 §5). */
static int check_mids(const struct rtg_sdp *sdp, struct rtg_perr *perr) {
  const char *mids[RTG_SDP_MAX_MEDIA];
  size_t nm = 0, i = 0;
  for (size_t m = 0; m < sdp->nmedia; m++) {
    size_t k = 0;
    mids[m] = NULL;
    if (rtg_sdp_attr_find(sdp, (int)m, "mid", &k) == 0) {
      mids[m] = rtg_sdp_attr_value(sdp, k);
      for (size_t j = 0; j < m; j++)
        if (mids[j] && strcmp(mids[j], mids[m]) == 0)
          return rtg_perr_set(perr, sdp_value_off(sdp, k), "sdp.a.mid", "duplicate mid",
                              "RFC 5888 §4");
    }
    nm = m + 1;
  }
  while (rtg_sdp_attr_find(sdp, -1, "group", &i) == 0) {
    struct rtg_sdp_group g;
    if (rtg_sdp_get_group(sdp, i, &g) == 0) {
      for (size_t j = 0; j < g.nids; j++) {
        bool found = false;
        for (size_t m = 0; m < nm; m++) found = found || (mids[m] && sdp_tok_eq(g.ids[j], mids[m]));
        if (!found)
          return rtg_perr_set(
              perr, sdp_value_off(sdp, i) + (size_t)(g.ids[j].p - rtg_sdp_attr_value(sdp, i)),
              "sdp.a.group", "group names a mid no media section has", "RFC 5888 §5");
      }
    }
    i++;
  }
  return 0;
}

/* RFC 8866 §5.7: every media section has a c= line, or the session has
 * one. |m| is the m= line of the section being closed. */
static int check_c_present(const struct rtg_sdp *sdp, size_t m, bool session_c, bool media_c,
                           struct rtg_perr *perr) {
  if (session_c || media_c) return 0;
  return rtg_perr_set(perr, sdp->lines[m].offset, "sdp.c",
                      "media section without c= and none at session level", "RFC 8866 §5.7");
}

int rtg_sdp_validate(const struct rtg_sdp *sdp, struct rtg_perr *perr) {
  struct vstate st;
  int media = -1, last = -1;
  bool have_t = false, session_c = false, media_c = false;
  char prev = 0;
  memset(&st, 0, sizeof st);
  if (sdp->nlines == 0) return rtg_perr_set(perr, 0, "sdp", "empty description", REF_SDP);
  for (size_t i = 0; i < sdp->nlines; i++) {
    const struct rtg_sdp_line *l = &sdp->lines[i];
    const char *v = rtg_sdp_value(sdp, i);
    size_t off = l->offset, voff = (size_t)l->offset + 2;
    int rank = rank_of(l->type);
    static const char *const need3[] = {
        "first line must be v=", "second line must be o=", "third line must be s="};
    if (i < 3 && l->type != "vos"[i]) return rtg_perr_set(perr, off, "sdp.line", need3[i], REF_SDP);
    if (l->type == 'm') {
      if (!have_t) return rtg_perr_set(perr, off, "sdp.t", "no t= line before m=", "RFC 8866 §5.9");
      if (media >= 0 && check_c_present(sdp, sdp->media[media], session_c, media_c, perr))
        return RTG_ERR_PARSE;
      media_c = false;
      media++;
      last = -1;
      st.seen = 0;
      if (parse_mline(v, l->len, voff, &st.ml, perr)) return RTG_ERR_PARSE;
      st.rtp = strstr(v, "RTP/") != NULL;
      prev = 'm';
      continue;
    }
    if (rank < 0) return rtg_perr_set(perr, off, "sdp.line", "unknown line type", REF_SDP);
    if (media >= 0 && !strchr("icbka", l->type))
      return rtg_perr_set(perr, off, "sdp.line", "line type not allowed in a media section",
                          "RFC 8866 §5");
    /* order: ranks never go back, except t= after r= (another time) */
    bool again = rank == last;
    if (rank < last && !(l->type == 't' && prev == 'r'))
      return rtg_perr_set(perr, off, "sdp.line", "line out of order", REF_SDP);
    if (again && !may_repeat(l->type, media >= 0))
      return rtg_perr_set(perr, off, "sdp.line", "line type may appear only once here", REF_SDP);
    if (l->type == 'r' && prev != 't' && prev != 'r')
      return rtg_perr_set(perr, off, "sdp.r", "r= must follow t=", "RFC 8866 §5.10");
    last = rank;
    prev = l->type;
    switch (l->type) {
      case 'v':
        if (strcmp(v, "0") != 0)
          return rtg_perr_set(perr, voff, "sdp.v", "version must be 0", "RFC 8866 §5.1");
        break;
      case 'o': {
        struct rtg_sdp_origin o;
        if (parse_origin(v, l->len, voff, &o, perr)) return RTG_ERR_PARSE;
        break;
      }
      case 's':
        if (l->len == 0)
          return rtg_perr_set(perr, voff, "sdp.s", "session name must not be empty",
                              "RFC 8866 §5.3");
        break;
      case 'c':
        if (check_c(v, l->len, voff, perr)) return RTG_ERR_PARSE;
        if (media < 0)
          session_c = true;
        else
          media_c = true;
        break;
      case 't':
        have_t = true;
        if (check_t(v, l->len, voff, perr)) return RTG_ERR_PARSE;
        break;
      case 'b':
        if (check_b(v, l->len, voff, perr)) return RTG_ERR_PARSE;
        break;
      case 'a':
        if (check_attr(sdp, i, media, &st, perr)) return RTG_ERR_PARSE;
        break;
      default: break; /* i= u= e= p= r= z= k=: free text */
    }
  }
  if (!have_t)
    return rtg_perr_set(perr, sdp->lines[sdp->nlines - 1].offset, "sdp.t", "no t= line",
                        "RFC 8866 §5.9");
  if (media >= 0 && check_c_present(sdp, sdp->media[media], session_c, media_c, perr))
    return RTG_ERR_PARSE;
  return check_mids(sdp, perr);
}

/* ---- parse ---------------------------------------------------------------- */

static void split_attr(struct rtg_sdp *sdp, struct rtg_sdp_line *l) {
  const char *v = sdp->arena + l->text;
  const char *colon = memchr(v, ':', l->len);
  l->has_value = colon != NULL;
  l->name_len = colon ? (uint32_t)(colon - v) : l->len;
}

int rtg_sdp_parse(struct rtg_sdp *sdp, const char *text, size_t len, struct rtg_perr *perr) {
  size_t pos = 0;
  uint32_t lineno = 1;
  rtg_perr_clear(perr);
  sdp->nlines = 0;
  sdp->nmedia = 0;
  sdp->arena_len = 0;
  sdp->lf_only = false;
  if (len > RTG_SDP_MAX_LEN) {
    (void)rtg_perr_set(perr, RTG_SDP_MAX_LEN, "sdp", "description too large", NULL);
    return RTG_ERR_NOBUF;
  }
  memcpy(sdp->arena, text, len);
  sdp->arena[len] = 0;
  sdp->arena_len = len + 1;
  while (pos < len) {
    char *a = sdp->arena;
    const char *nl = memchr(a + pos, '\n', len - pos);
    size_t eol = nl ? (size_t)(nl - a) : len, cend = eol;
    struct rtg_sdp_line *l;
    if (cend > pos && a[cend - 1] == '\r') cend--;
    if (sdp->nlines == 0) sdp->lf_only = nl != NULL && cend == eol;
    if (cend == pos) return rtg_perr_set(perr, pos, "sdp.line", "empty line", REF_SDP);
    if (cend - pos < 2 || a[pos + 1] != '=')
      return rtg_perr_set(perr, pos, "sdp.line", "expected <type>=<value>", REF_SDP);
    if (a[pos] < 'a' || a[pos] > 'z')
      return rtg_perr_set(perr, pos, "sdp.line", "type must be one lower-case letter", REF_SDP);
    for (size_t k = pos + 2; k < cend; k++)
      if (a[k] == 0 || a[k] == '\r' || a[k] == '\n')
        return rtg_perr_set(perr, k, "sdp.line", "NUL or CR inside a line", REF_SDP);
    if (sdp->nlines >= RTG_SDP_MAX_LINES) {
      (void)rtg_perr_set(perr, pos, "sdp", "too many lines", NULL);
      return RTG_ERR_NOBUF;
    }
    a[cend] = 0;
    l = &sdp->lines[sdp->nlines];
    memset(l, 0, sizeof *l);
    l->type = a[pos];
    l->text = (uint32_t)(pos + 2);
    l->len = (uint32_t)(cend - pos - 2);
    l->offset = (uint32_t)pos;
    l->lineno = lineno++;
    if (l->type == 'a') split_attr(sdp, l);
    if (l->type == 'm') {
      if (sdp->nmedia >= RTG_SDP_MAX_MEDIA) {
        (void)rtg_perr_set(perr, pos, "sdp.m", "too many media sections", NULL);
        return RTG_ERR_NOBUF;
      }
      sdp->media[sdp->nmedia++] = (uint32_t)sdp->nlines;
    }
    sdp->nlines++;
    pos = nl ? eol + 1 : len;
  }
  return rtg_sdp_validate(sdp, perr);
}

uint32_t rtg_sdp_line_at(const char *text, size_t len, size_t offset) {
  uint32_t n = 1;
  for (size_t i = 0; i < len && i < offset; i++)
    if (text[i] == '\n') n++;
  return n;
}

/* ---- write ---------------------------------------------------------------- */

ptrdiff_t rtg_sdp_write(const struct rtg_sdp *sdp, char *buf, size_t cap) {
  struct rtg_wr wr;
  rtg_wr_init(&wr, buf, cap);
  for (size_t i = 0; i < sdp->nlines; i++) {
    const struct rtg_sdp_line *l = &sdp->lines[i];
    uint8_t hdr[2] = {(uint8_t)l->type, '='};
    if (rtg_wr_bytes(&wr, hdr, 2) || rtg_wr_bytes(&wr, sdp->arena + l->text, l->len) ||
        rtg_wr_bytes(&wr, sdp->lf_only ? "\n" : "\r\n", sdp->lf_only ? 1 : 2))
      return RTG_ERR_NOBUF;
  }
  if (rtg_wr_left(&wr) > 0) *wr.p = 0;
  return (ptrdiff_t)rtg_wr_len(&wr);
}

/* ---- build ---------------------------------------------------------------- */

void rtg_sdp_init(struct rtg_sdp *sdp) {
  sdp->lf_only = false;
  sdp->nlines = 0;
  sdp->nmedia = 0;
  sdp->arena_len = 0;
}

static int append(struct rtg_sdp *sdp, char type, const char *v, size_t n) {
  struct rtg_sdp_line *l;
  size_t at = sdp->arena_len;
  if (sdp->nlines >= RTG_SDP_MAX_LINES || n + 1 > RTG_SDP_ARENA - at) return RTG_ERR_NOBUF;
  if (type == 'm' && sdp->nmedia >= RTG_SDP_MAX_MEDIA) return RTG_ERR_NOBUF;
  if (memchr(v, '\r', n) || memchr(v, '\n', n) || memchr(v, 0, n)) return RTG_ERR_INVAL;
  memmove(sdp->arena + at, v, n);
  sdp->arena[at + n] = 0;
  sdp->arena_len = at + n + 1;
  l = &sdp->lines[sdp->nlines];
  memset(l, 0, sizeof *l);
  l->type = type;
  l->text = (uint32_t)at;
  l->len = (uint32_t)n;
  if (sdp->nlines > 0) {
    const struct rtg_sdp_line *p = l - 1;
    l->offset = p->offset + 2 + p->len + (sdp->lf_only ? 1 : 2);
  }
  if (type == 'a') split_attr(sdp, l);
  if (type == 'm') sdp->media[sdp->nmedia++] = (uint32_t)sdp->nlines;
  sdp->nlines++;
  return 0;
}

int rtg_sdp_add(struct rtg_sdp *sdp, char type, const char *fmt, ...) {
  char tmp[4096];
  va_list ap;
  int n;
  if (type < 'a' || type > 'z') return RTG_ERR_INVAL;
  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return RTG_ERR_INVAL;
  if ((size_t)n >= sizeof tmp) return RTG_ERR_NOBUF;
  return append(sdp, type, tmp, (size_t)n);
}

int rtg_sdp_add_line(struct rtg_sdp *sdp, const struct rtg_sdp *src, size_t i) {
  if (i >= src->nlines) return RTG_ERR_INVAL;
  return append(sdp, src->lines[i].type, rtg_sdp_value(src, i), src->lines[i].len);
}
