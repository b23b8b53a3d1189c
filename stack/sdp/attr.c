/*
 * attr.c - the value grammar of the SDP attributes WebRTC endpoints emit,
 * one parser per attribute, used both to validate (rtg_sdp_parse) and to
 * give typed views (rtg_sdp_get_*).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sdp/internal.h"

/* ---- scanner -------------------------------------------------------------- */

bool sdp_scan_field(struct sdp_scan *s, struct rtg_sdp_tok *t) {
  const uint8_t *start = s->rd.p;
  size_t n = 0;
  while (n < rtg_rd_left(&s->rd) && start[n] != ' ') n++;
  if (n == 0) return false;
  t->p = (const char *)start;
  t->len = n;
  s->rd.p += n; /* n <= left: checked above */
  return true;
}

void sdp_scan_until(struct sdp_scan *s, char stop, struct rtg_sdp_tok *t) {
  const uint8_t *start = s->rd.p;
  size_t n = 0;
  while (n < rtg_rd_left(&s->rd) && start[n] != ' ' && start[n] != (uint8_t)stop) n++;
  t->p = (const char *)start;
  t->len = n;
  s->rd.p += n;
}

bool sdp_scan_char(struct sdp_scan *s, char c) {
  uint8_t v;
  if (rtg_rd_peek_u8(&s->rd, &v) || v != (uint8_t)c) return false;
  s->rd.p++;
  return true;
}

bool sdp_scan_sp(struct sdp_scan *s) { return sdp_scan_char(s, ' '); }

void sdp_scan_rest(struct sdp_scan *s, struct rtg_sdp_tok *t) {
  t->p = (const char *)s->rd.p;
  t->len = rtg_rd_left(&s->rd);
  s->rd.p = s->rd.end;
}

bool sdp_tok_eq(struct rtg_sdp_tok t, const char *s) {
  return strlen(s) == t.len && memcmp(t.p, s, t.len) == 0;
}

bool sdp_tok_ieq(struct rtg_sdp_tok t, const char *s) {
  return strlen(s) == t.len && strncasecmp(t.p, s, t.len) == 0;
}

bool sdp_tok_uint(struct rtg_sdp_tok t, size_t maxdig, uint64_t max, uint64_t *v) {
  uint64_t x = 0;
  if (t.len == 0 || t.len > maxdig || t.len > 19) return false;
  for (size_t i = 0; i < t.len; i++) {
    if (t.p[i] < '0' || t.p[i] > '9') return false;
    x = x * 10 + (uint64_t)(t.p[i] - '0');
  }
  if (x > max) return false;
  *v = x;
  return true;
}

/* RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39
 * / %x41-5A / %x5E-7E */
bool sdp_is_token_char(uint8_t c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
         c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) ||
         (c >= 0x5E && c <= 0x7E);
}

bool sdp_tok_is_token(struct rtg_sdp_tok t) {
  if (t.len == 0) return false;
  for (size_t i = 0; i < t.len; i++)
    if (!sdp_is_token_char((uint8_t)t.p[i])) return false;
  return true;
}

/* RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/" */
bool sdp_tok_is_ice(struct rtg_sdp_tok t, size_t minlen, size_t maxlen) {
  if (t.len < minlen || t.len > maxlen) return false;
  for (size_t i = 0; i < t.len; i++) {
    char c = t.p[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

bool sdp_tok_address(struct rtg_sdp_tok t, uint8_t *family) {
  char buf[256];
  uint8_t bin[16];
  bool alpha = false;
  if (t.len == 0 || t.len >= sizeof buf) return false;
  memcpy(buf, t.p, t.len);
  buf[t.len] = 0;
  if (inet_pton(AF_INET, buf, bin) == 1) {
    *family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bin) == 1) {
    *family = 6;
    return true;
  }
  /* RFC 8866 §9 FQDN: 4*(alpha-numeric / "-" / ".") with a letter
   * somewhere (a dotted number that inet_pton refused is not one). */
  if (t.len < 4) return false;
  for (size_t i = 0; i < t.len; i++) {
    char c = t.p[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
    alpha = alpha || letter;
  }
  if (!alpha) return false;
  *family = 0;
  return true;
}

/* ---- attribute parsers ---------------------------------------------------- */

#define FAIL(s, d, why) rtg_perr_set(perr, sdp_scan_off(s), (d)->field, (why), (d)->ref)
/* Fails at the start of token |t| (scanned from |s|; its p is NULL when
 * nothing was scanned: then at the cursor). */
#define FAIL_AT(s, d, t, why) rtg_perr_set(perr, tok_off(s, t), (d)->field, (why), (d)->ref)

static size_t tok_off(const struct sdp_scan *s, struct rtg_sdp_tok t) {
  if (t.p == NULL) return sdp_scan_off(s);
  return s->off0 + (size_t)((const uint8_t *)t.p - s->rd.base);
}

static int need_end(struct sdp_scan *s, const struct sdp_attr_def *d, struct rtg_perr *perr) {
  if (!sdp_scan_end(s)) return FAIL(s, d, "unexpected text after the value");
  return 0;
}

/* A payload type: 0..127 (RFC 3550 §5.1 PT is 7 bits). */
static int scan_pt(struct sdp_scan *s, const struct sdp_attr_def *d, bool star, int *pt,
                   struct rtg_perr *perr) {
  struct rtg_sdp_tok t;
  uint64_t v;
  size_t at = sdp_scan_off(s);
  if (!sdp_scan_field(s, &t)) return FAIL(s, d, "payload type missing");
  if (star && sdp_tok_eq(t, "*")) {
    *pt = -1;
    return 0;
  }
  if (!sdp_tok_uint(t, 3, 127, &v))
    return rtg_perr_set(perr, at, d->field, "payload type is not a number 0..127", d->ref);
  *pt = (int)v;
  return 0;
}

static int p_flag(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  (void)out;
  return need_end(s, d, perr);
}

static int p_any(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                 struct rtg_perr *perr) {
  (void)out;
  if (sdp_scan_end(s)) return FAIL(s, d, "empty value");
  return 0;
}

static int p_token(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                   struct rtg_perr *perr) {
  struct rtg_sdp_tok t = {NULL, 0};
  (void)out;
  if (!sdp_scan_field(s, &t) || !sdp_tok_is_token(t))
    return FAIL_AT(s, d, t, "value is not a token");
  return need_end(s, d, perr);
}

/* a=ice-ufrag: 4..256 ice-chars; a=ice-pwd: 22..256 (RFC 8839 §5.4). */
static int p_ice_cred(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                      struct rtg_perr *perr) {
  struct rtg_sdp_tok t;
  bool pwd = d->name[4] == 'p';
  (void)out;
  if (!sdp_scan_field(s, &t) || !sdp_tok_is_ice(t, pwd ? 22 : 4, 256))
    return FAIL(
        s, d, pwd ? "ice-pwd must be 22 to 256 ice-chars" : "ice-ufrag must be 4 to 256 ice-chars");
  return need_end(s, d, perr);
}

/* a=ice-options:<tag> *(SP <tag>) (RFC 8839 §5.6) */
static int p_token_list(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                        struct rtg_perr *perr) {
  struct rtg_sdp_tok t = {NULL, 0};
  (void)out;
  do {
    t.p = NULL;
    if (!sdp_scan_field(s, &t) || !sdp_tok_is_token(t)) return FAIL_AT(s, d, t, "expected a token");
  } while (sdp_scan_sp(s));
  return need_end(s, d, perr);
}

/* a=group:<semantics> *(SP <identification-tag>) (RFC 5888 §5);
 * a=ssrc-group:<semantics> *(SP <ssrc-id>) (RFC 5576 §4.2). */
static int p_group_common(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                          struct rtg_perr *perr, bool ssrcs) {
  struct rtg_sdp_group tmp, *g = out ? out : &tmp;
  struct rtg_sdp_tok t;
  uint64_t v;
  memset(g, 0, sizeof *g);
  if (!sdp_scan_field(s, &g->semantics) || !sdp_tok_is_token(g->semantics))
    return FAIL_AT(s, d, g->semantics, "semantics is not a token");
  while (sdp_scan_sp(s)) {
    size_t at = sdp_scan_off(s);
    if (!sdp_scan_field(s, &t) || !sdp_tok_is_token(t))
      return rtg_perr_set(perr, at, d->field, "bad identifier", d->ref);
    if (ssrcs && !sdp_tok_uint(t, 10, UINT32_MAX, &v))
      return rtg_perr_set(perr, at, d->field, "SSRC is not a 32-bit number", d->ref);
    if (g->nids >= RTG_SDP_MAX_LIST)
      return rtg_perr_set(perr, at, d->field, "too many identifiers", d->ref);
    g->ids[g->nids++] = t;
  }
  if (ssrcs && g->nids == 0) return FAIL(s, d, "ssrc-group without SSRCs");
  return need_end(s, d, perr);
}

static int p_group(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                   struct rtg_perr *perr) {
  return p_group_common(s, d, out, perr, false);
}

static int p_ssrc_group(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                        struct rtg_perr *perr) {
  return p_group_common(s, d, out, perr, true);
}

/* a=msid:<id> [SP <appdata>], each 1*64 token-char (RFC 8830 §2). */
static int p_msid(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  struct rtg_sdp_msid tmp, *m = out ? out : &tmp;
  memset(m, 0, sizeof *m);
  if (!sdp_scan_field(s, &m->id) || !sdp_tok_is_token(m->id) || m->id.len > 64)
    return FAIL_AT(s, d, m->id, "msid-id must be 1 to 64 token-chars");
  if (sdp_scan_sp(s)) {
    if (!sdp_scan_field(s, &m->appdata) || !sdp_tok_is_token(m->appdata) || m->appdata.len > 64)
      return FAIL_AT(s, d, m->appdata, "msid-appdata must be 1 to 64 token-chars");
  }
  return need_end(s, d, perr);
}

/* a=fingerprint:<hash-func> SP <fingerprint> (RFC 8122 §5):
 *   fingerprint = 2UHEX *(":" 2UHEX)   (lower case accepted, §5 note) */
static int p_fingerprint(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                         struct rtg_perr *perr) {
  struct rtg_sdp_fingerprint tmp, *f = out ? out : &tmp;
  struct rtg_sdp_tok h, x;
  char name[16];
  memset(f, 0, sizeof *f);
  if (!sdp_scan_field(s, &h) || !sdp_tok_is_token(h)) return FAIL(s, d, "hash function missing");
  if (!sdp_scan_sp(s)) return FAIL(s, d, "fingerprint missing");
  if (h.len < sizeof name) {
    memcpy(name, h.p, h.len);
    name[h.len] = 0;
    f->alg = rtg_hash_from_name(name);
  }
  size_t at = sdp_scan_off(s);
  if (!sdp_scan_field(s, &x)) return FAIL(s, d, "fingerprint missing");
  if (x.len % 3 != 2)
    return rtg_perr_set(perr, at, d->field, "fingerprint is not XX:XX:..", d->ref);
  for (size_t i = 0; i < x.len; i++) {
    char c = x.p[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    if (i % 3 == 2 ? c != ':' : !hex)
      return rtg_perr_set(perr, at + i, d->field, "fingerprint is not XX:XX:..", d->ref);
  }
  f->len = (x.len + 1) / 3;
  if (f->len > RTG_HASH_MAX)
    return rtg_perr_set(perr, at, d->field, "fingerprint too long", d->ref);
  if (rtg_hex_decode(f->digest, sizeof f->digest, x.p, x.len, NULL) != (ptrdiff_t)f->len)
    return rtg_perr_set(perr, at, d->field, "fingerprint is not XX:XX:..", d->ref);
  if (f->alg && rtg_hash_size(f->alg) != f->len)
    return rtg_perr_set(perr, at, d->field, "fingerprint length does not match the hash", d->ref);
  return need_end(s, d, perr);
}

static const char *const setup_names[] = {NULL, "active", "passive", "actpass", "holdconn"};

const char *rtg_sdp_setup_name(enum rtg_sdp_setup v) {
  switch (v) {
    case RTG_SDP_SETUP_ACTIVE:
    case RTG_SDP_SETUP_PASSIVE:
    case RTG_SDP_SETUP_ACTPASS:
    case RTG_SDP_SETUP_HOLDCONN: return setup_names[v];
    case RTG_SDP_SETUP_NONE:
    default: return NULL;
  }
}

/* a=setup:active|passive|actpass|holdconn (RFC 4145 §4) */
static int p_setup(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                   struct rtg_perr *perr) {
  struct rtg_sdp_tok t;
  enum rtg_sdp_setup v = RTG_SDP_SETUP_NONE;
  if (!sdp_scan_field(s, &t)) return FAIL(s, d, "setup role missing");
  for (int i = 1; i <= 4; i++)
    if (sdp_tok_eq(t, setup_names[i])) v = (enum rtg_sdp_setup)i;
  if (v == RTG_SDP_SETUP_NONE)
    return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field,
                        "setup must be active, passive, actpass or holdconn", d->ref);
  if (out) *(enum rtg_sdp_setup *)out = v;
  return need_end(s, d, perr);
}

/* a=rtpmap:<pt> <encoding name>/<clock rate>[/<encoding parameters>]
 * (RFC 8866 §6.6) */
static int p_rtpmap(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                    struct rtg_perr *perr) {
  struct rtg_sdp_rtpmap tmp, *r = out ? out : &tmp;
  struct rtg_sdp_tok t;
  uint64_t v;
  int pt;
  memset(r, 0, sizeof *r);
  if (scan_pt(s, d, false, &pt, perr)) return RTG_ERR_PARSE;
  r->pt = (uint8_t)pt;
  if (!sdp_scan_sp(s)) return FAIL(s, d, "encoding missing");
  sdp_scan_until(s, '/', &r->encoding);
  if (!sdp_tok_is_token(r->encoding))
    return FAIL_AT(s, d, r->encoding, "encoding name is not a token");
  if (!sdp_scan_char(s, '/')) return FAIL(s, d, "clock rate missing");
  sdp_scan_until(s, '/', &t);
  if (!sdp_tok_uint(t, 10, UINT32_MAX, &v) || v == 0)
    return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field, "bad clock rate", d->ref);
  r->clock = (uint32_t)v;
  if (sdp_scan_char(s, '/')) {
    sdp_scan_until(s, '/', &t);
    if (!sdp_tok_uint(t, 10, UINT32_MAX, &v))
      return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field, "bad encoding parameters",
                          d->ref);
    r->channels = (uint32_t)v;
  }
  return need_end(s, d, perr);
}

/* a=fmtp:<pt> <format specific parameters> (RFC 8866 §6.15) */
static int p_fmtp(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  struct rtg_sdp_pt_value tmp, *f = out ? out : &tmp;
  memset(f, 0, sizeof *f);
  if (scan_pt(s, d, false, &f->pt, perr)) return RTG_ERR_PARSE;
  if (!sdp_scan_sp(s)) return FAIL(s, d, "parameters missing");
  sdp_scan_rest(s, &f->value);
  if (f->value.len == 0) return FAIL(s, d, "parameters missing");
  return 0;
}

/* a=rtcp-fb:<pt|*> SP <type> [SP <param>] (RFC 4585 §4.2) */
static int p_rtcp_fb(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                     struct rtg_perr *perr) {
  struct rtg_sdp_pt_value tmp, *f = out ? out : &tmp;
  struct rtg_sdp_tok t;
  memset(f, 0, sizeof *f);
  if (scan_pt(s, d, true, &f->pt, perr)) return RTG_ERR_PARSE;
  if (!sdp_scan_sp(s)) return FAIL(s, d, "feedback type missing");
  sdp_scan_rest(s, &f->value);
  struct sdp_scan in;
  sdp_scan_init(&in, f->value.p, f->value.len, sdp_scan_off(s) - f->value.len);
  if (!sdp_scan_field(&in, &t) || !sdp_tok_is_token(t))
    return FAIL(&in, d, "feedback type is not a token");
  return 0;
}

static bool dir_from(struct rtg_sdp_tok t, enum rtg_sdp_dir *dir) {
  static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
  for (int i = 0; i < 4; i++) {
    if (sdp_tok_eq(t, names[i])) {
      *dir = (enum rtg_sdp_dir)i;
      return true;
    }
  }
  return false;
}

const char *rtg_sdp_dir_name(enum rtg_sdp_dir dir) {
  switch (dir) {
    case RTG_SDP_DIR_SENDRECV: return "sendrecv";
    case RTG_SDP_DIR_SENDONLY: return "sendonly";
    case RTG_SDP_DIR_RECVONLY: return "recvonly";
    case RTG_SDP_DIR_INACTIVE: return "inactive";
    default: return NULL;
  }
}

/* a=extmap:<value>["/"<direction>] <URI> <extensionattributes>
 * (RFC 8285 §8); ids 1-14 (one-byte), 1-255 (two-byte), 4096-4351 (for
 * negotiation, §7). */
static int p_extmap(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                    struct rtg_perr *perr) {
  struct rtg_sdp_extmap tmp, *e = out ? out : &tmp;
  struct rtg_sdp_tok t;
  uint64_t v;
  memset(e, 0, sizeof *e);
  sdp_scan_until(s, '/', &t);
  if (!sdp_tok_uint(t, 4, 4351, &v) || v == 0 || (v > 255 && v < 4096))
    return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field,
                        "extension id must be 1-255 or 4096-4351", d->ref);
  e->id = (uint16_t)v;
  if (sdp_scan_char(s, '/')) {
    sdp_scan_until(s, ' ', &t);
    if (!dir_from(t, &e->dir))
      return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field, "bad direction", d->ref);
    e->has_dir = true;
  }
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &e->uri)) return FAIL(s, d, "URI missing");
  if (sdp_scan_sp(s)) {
    sdp_scan_rest(s, &e->attrs);
    if (e->attrs.len == 0) return FAIL(s, d, "empty extension attributes");
  }
  return need_end(s, d, perr);
}

/* a=ssrc:<ssrc-id> <attribute>[:<value>] (RFC 5576 §4.1) */
static int p_ssrc(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  struct rtg_sdp_ssrc tmp, *r = out ? out : &tmp;
  struct rtg_sdp_tok t = {NULL, 0};
  uint64_t v;
  memset(r, 0, sizeof *r);
  if (!sdp_scan_field(s, &t) || !sdp_tok_uint(t, 10, UINT32_MAX, &v))
    return FAIL_AT(s, d, t, "SSRC is not a 32-bit number");
  r->ssrc = (uint32_t)v;
  if (!sdp_scan_sp(s)) return FAIL(s, d, "source attribute missing");
  sdp_scan_until(s, ':', &r->attr);
  if (!sdp_tok_is_token(r->attr)) return FAIL_AT(s, d, r->attr, "source attribute is not a token");
  /* the value is a byte-string and may hold spaces (msid:<a> <b>) */
  if (sdp_scan_char(s, ':')) sdp_scan_rest(s, &r->value);
  return need_end(s, d, perr);
}

/* a=rid:<rid-id> SP ("send" / "recv") [SP <rid-pt-param-list>]
 * (RFC 8851 §10): rid-id = 1*(alpha-numeric / "-" / "_") */
static int p_rid(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                 struct rtg_perr *perr) {
  struct rtg_sdp_rid tmp, *r = out ? out : &tmp;
  struct rtg_sdp_tok t;
  memset(r, 0, sizeof *r);
  if (!sdp_scan_field(s, &r->id)) return FAIL(s, d, "rid-id missing");
  for (size_t i = 0; i < r->id.len; i++) {
    char c = r->id.p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return rtg_perr_set(perr, sdp_scan_off(s) - r->id.len + i, d->field,
                          "rid-id must be alphanumeric, '-' or '_'", d->ref);
  }
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &t)) return FAIL(s, d, "direction missing");
  if (sdp_tok_eq(t, "send")) {
    r->send = true;
  } else if (!sdp_tok_eq(t, "recv")) {
    return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field, "direction must be send or recv",
                        d->ref);
  }
  if (sdp_scan_sp(s)) {
    sdp_scan_rest(s, &r->params);
    if (r->params.len == 0) return FAIL(s, d, "empty restriction list");
  }
  return need_end(s, d, perr);
}

/* a=simulcast:<dir> SP <alt-list> [SP <dir> SP <alt-list>] (RFC 8853 §5.1)
 *   alt-list = alt *(";" alt); alt = id *("," id); id = ["~"] rid-id */
static int p_simulcast(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                       struct rtg_perr *perr) {
  struct rtg_sdp_tok t;
  int seen = 0;
  (void)out;
  for (int n = 0; n < 2; n++) {
    if (n == 1 && !sdp_scan_sp(s)) break;
    if (!sdp_scan_field(s, &t)) return FAIL(s, d, "direction missing");
    int dir = sdp_tok_eq(t, "send") ? 1 : sdp_tok_eq(t, "recv") ? 2 : 0;
    if (dir == 0 || (seen & dir))
      return rtg_perr_set(perr, sdp_scan_off(s) - t.len, d->field,
                          "direction must be send or recv, each once", d->ref);
    seen |= dir;
    if (!sdp_scan_sp(s) || !sdp_scan_field(s, &t)) return FAIL(s, d, "stream list missing");
    size_t base = sdp_scan_off(s) - t.len;
    bool start = true;
    for (size_t i = 0; i < t.len; i++) {
      char c = t.p[i];
      if (c == ',' || c == ';') {
        if (start) return rtg_perr_set(perr, base + i, d->field, "empty rid in list", d->ref);
        start = true;
        continue;
      }
      if (c == '~' && start) continue;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_'))
        return rtg_perr_set(perr, base + i, d->field, "bad rid in list", d->ref);
      start = false;
    }
    if (start) return rtg_perr_set(perr, base + t.len, d->field, "empty rid in list", d->ref);
  }
  return need_end(s, d, perr);
}

static int p_number(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                    struct rtg_perr *perr, uint64_t max) {
  struct rtg_sdp_tok t = {NULL, 0};
  uint64_t v;
  if (!sdp_scan_field(s, &t) || !sdp_tok_uint(t, 19, max, &v))
    return FAIL_AT(s, d, t, "value is not a number in range");
  if (out) *(uint64_t *)out = v;
  return 0;
}

static int p_port(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  if (p_number(s, d, out, perr, 65535)) return RTG_ERR_PARSE;
  return need_end(s, d, perr);
}

static int p_size(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  if (p_number(s, d, out, perr, INT64_MAX)) return RTG_ERR_PARSE;
  return need_end(s, d, perr);
}

/* a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605 §2.1) */
static int p_rtcp(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                  struct rtg_perr *perr) {
  struct rtg_sdp_tok net, at, addr;
  uint8_t fam;
  if (p_number(s, d, out, perr, 65535)) return RTG_ERR_PARSE;
  if (!sdp_scan_sp(s)) return need_end(s, d, perr);
  if (!sdp_scan_field(s, &net) || !sdp_scan_sp(s) || !sdp_scan_field(s, &at) || !sdp_scan_sp(s) ||
      !sdp_scan_field(s, &addr))
    return FAIL(s, d, "expected <nettype> <addrtype> <address>");
  if (!sdp_tok_address(addr, &fam))
    return rtg_perr_set(perr, sdp_scan_off(s) - addr.len, d->field, "bad address", d->ref);
  return need_end(s, d, perr);
}

/* candidate-attribute (RFC 8839 §5.1):
 *   "candidate" ":" foundation SP component-id SP transport SP priority SP
 *   connection-address SP port SP cand-type [SP rel-addr] [SP rel-port]
 *   *(SP cand-extension)
 * plus "tcptype" (RFC 6544 §4.5). */
static const struct sdp_attr_def cand_def;

static int p_candidate(struct sdp_scan *s, const struct sdp_attr_def *d, void *out,
                       struct rtg_perr *perr) {
  struct rtg_sdp_candidate tmp, *c = out ? out : &tmp;
  struct rtg_sdp_tok t;
  uint64_t v;
  size_t at;
  memset(c, 0, sizeof *c);
  at = sdp_scan_off(s);
  if (!sdp_scan_field(s, &c->foundation) || !sdp_tok_is_ice(c->foundation, 1, 32))
    return rtg_perr_set(perr, at, d->field, "foundation must be 1 to 32 ice-chars", d->ref);
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &t) || !sdp_tok_uint(t, 3, 256, &v) || v == 0)
    return rtg_perr_set(perr, at, d->field, "component-id must be 1..256", d->ref);
  c->component = (uint16_t)v;
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &c->transport) || !sdp_tok_is_token(c->transport))
    return rtg_perr_set(perr, at, d->field, "transport missing", d->ref);
  c->udp = sdp_tok_ieq(c->transport, "udp");
  c->tcp = sdp_tok_ieq(c->transport, "tcp");
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &t) || !sdp_tok_uint(t, 10, UINT32_MAX, &v) || v == 0)
    return rtg_perr_set(perr, at, d->field, "priority must be 1..2^32-1", d->ref);
  c->priority = (uint32_t)v;
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &c->addr) || !sdp_tok_address(c->addr, &c->family))
    return rtg_perr_set(perr, at, d->field, "connection-address is not an IP address or FQDN",
                        d->ref);
  c->mdns = c->family == 0 && c->addr.len > 6 &&
            strncasecmp(c->addr.p + c->addr.len - 6, ".local", 6) == 0;
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &t) || !sdp_tok_uint(t, 5, 65535, &v))
    return rtg_perr_set(perr, at, d->field, "port must be 0..65535", d->ref);
  c->port = (uint16_t)v;
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &t) || !sdp_tok_eq(t, "typ"))
    return rtg_perr_set(perr, at, d->field, "\"typ\" expected", d->ref);
  at = sdp_scan_off(s);
  if (!sdp_scan_sp(s) || !sdp_scan_field(s, &c->type_name) || !sdp_tok_is_token(c->type_name))
    return rtg_perr_set(perr, at, d->field, "candidate type missing", d->ref);
  c->type = sdp_tok_eq(c->type_name, "host")    ? RTG_SDP_CAND_HOST
            : sdp_tok_eq(c->type_name, "srflx") ? RTG_SDP_CAND_SRFLX
            : sdp_tok_eq(c->type_name, "prflx") ? RTG_SDP_CAND_PRFLX
            : sdp_tok_eq(c->type_name, "relay") ? RTG_SDP_CAND_RELAY
                                                : RTG_SDP_CAND_OTHER;
  /* then name/value pairs: raddr, rport, tcptype and extensions */
  while (!sdp_scan_end(s)) {
    struct rtg_sdp_tok name, val;
    at = sdp_scan_off(s);
    if (!sdp_scan_sp(s) || !sdp_scan_field(s, &name) || !sdp_tok_is_token(name))
      return rtg_perr_set(perr, at, d->field, "extension name expected", d->ref);
    at = sdp_scan_off(s);
    if (!sdp_scan_sp(s) || !sdp_scan_field(s, &val))
      return rtg_perr_set(perr, at, d->field, "extension without a value", d->ref);
    if (sdp_tok_eq(name, "raddr")) {
      uint8_t fam;
      if (c->has_raddr || c->has_rport || c->next || !sdp_tok_address(val, &fam))
        return rtg_perr_set(perr, at + 1, d->field, "bad or misplaced raddr", d->ref);
      c->has_raddr = true;
      c->raddr = val;
    } else if (sdp_tok_eq(name, "rport")) {
      if (c->has_rport || c->next || !sdp_tok_uint(val, 5, 65535, &v))
        return rtg_perr_set(perr, at + 1, d->field, "bad or misplaced rport", d->ref);
      c->has_rport = true;
      c->rport = (uint16_t)v;
    } else if (sdp_tok_eq(name, "tcptype")) {
      c->tcptype = sdp_tok_eq(val, "active")    ? RTG_SDP_TCP_ACTIVE
                   : sdp_tok_eq(val, "passive") ? RTG_SDP_TCP_PASSIVE
                   : sdp_tok_eq(val, "so")      ? RTG_SDP_TCP_SO
                                                : RTG_SDP_TCP_NONE;
      if (c->tcptype == RTG_SDP_TCP_NONE || !c->tcp)
        return rtg_perr_set(perr, at + 1, d->field, "tcptype must be active, passive or so (TCP)",
                            "RFC 6544 §4.5");
    } else {
      if (c->next >= RTG_SDP_MAX_CAND_EXT)
        return rtg_perr_set(perr, at, d->field, "too many extensions", d->ref);
      c->ext_name[c->next] = name;
      c->ext_value[c->next] = val;
      c->next++;
    }
  }
  return 0;
}

/* ---- the table ------------------------------------------------------------ */

#define A(n, ref, where, val, once, pt, fn) \
  { n, "sdp.a." n, ref, where, val, once, pt, fn }
static const struct sdp_attr_def attrs[] = {
    A("group", "RFC 5888 §5", SDP_AT_SESSION, SDP_VAL_REQUIRED, false, false, p_group),
    A("mid", "RFC 5888 §4", SDP_AT_MEDIA, SDP_VAL_REQUIRED, true, false, p_token),
    A("msid", "RFC 8830 §2", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, false, p_msid),
    A("msid-semantic", "RFC 8830 §2", SDP_AT_SESSION, SDP_VAL_REQUIRED, false, false, p_any),
    A("ice-ufrag", "RFC 8839 §5.4", SDP_AT_BOTH, SDP_VAL_REQUIRED, true, false, p_ice_cred),
    A("ice-pwd", "RFC 8839 §5.4", SDP_AT_BOTH, SDP_VAL_REQUIRED, true, false, p_ice_cred),
    A("ice-options", "RFC 8839 §5.6", SDP_AT_BOTH, SDP_VAL_REQUIRED, false, false, p_token_list),
    A("ice-lite", "RFC 8839 §5.3", SDP_AT_SESSION, SDP_VAL_FLAG, true, false, p_flag),
    A("fingerprint", "RFC 8122 §5", SDP_AT_BOTH, SDP_VAL_REQUIRED, false, false, p_fingerprint),
    A("setup", "RFC 4145 §4", SDP_AT_BOTH, SDP_VAL_REQUIRED, true, false, p_setup),
    A("rtcp-mux", "RFC 5761 §5.1.1", SDP_AT_MEDIA, SDP_VAL_FLAG, true, false, p_flag),
    A("rtcp-mux-only", "RFC 8858 §3", SDP_AT_MEDIA, SDP_VAL_FLAG, true, false, p_flag),
    A("rtcp-rsize", "RFC 5506 §5", SDP_AT_MEDIA, SDP_VAL_FLAG, true, false, p_flag),
    A("rtcp", "RFC 3605 §2.1", SDP_AT_MEDIA, SDP_VAL_REQUIRED, true, false, p_rtcp),
    A("rtpmap", "RFC 8866 §6.6", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, true, p_rtpmap),
    A("fmtp", "RFC 8866 §6.15", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, true, p_fmtp),
    A("rtcp-fb", "RFC 4585 §4.2", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, true, p_rtcp_fb),
    A("extmap", "RFC 8285 §8", SDP_AT_BOTH, SDP_VAL_REQUIRED, false, false, p_extmap),
    A("extmap-allow-mixed", "RFC 8285 §6", SDP_AT_BOTH, SDP_VAL_FLAG, true, false, p_flag),
    A("ssrc", "RFC 5576 §4.1", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, false, p_ssrc),
    A("ssrc-group", "RFC 5576 §4.2", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, false, p_ssrc_group),
    A("rid", "RFC 8851 §10", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, false, p_rid),
    A("simulcast", "RFC 8853 §5.1", SDP_AT_MEDIA, SDP_VAL_REQUIRED, true, false, p_simulcast),
    A("sctp-port", "RFC 8841 §5", SDP_AT_MEDIA, SDP_VAL_REQUIRED, true, false, p_port),
    A("max-message-size", "RFC 8841 §6", SDP_AT_MEDIA, SDP_VAL_REQUIRED, true, false, p_size),
    A("candidate", "RFC 8839 §5.1", SDP_AT_MEDIA, SDP_VAL_REQUIRED, false, false, p_candidate),
    A("end-of-candidates", "RFC 8840 §8.1", SDP_AT_BOTH, SDP_VAL_FLAG, true, false, p_flag),
    A("sendrecv", "RFC 8866 §6.7.1", SDP_AT_BOTH, SDP_VAL_FLAG, false, false, p_flag),
    A("sendonly", "RFC 8866 §6.7.2", SDP_AT_BOTH, SDP_VAL_FLAG, false, false, p_flag),
    A("recvonly", "RFC 8866 §6.7.3", SDP_AT_BOTH, SDP_VAL_FLAG, false, false, p_flag),
    A("inactive", "RFC 8866 §6.7.4", SDP_AT_BOTH, SDP_VAL_FLAG, false, false, p_flag),
};
#undef A

static const struct sdp_attr_def cand_def = {"candidate",  "sdp.a.candidate", "RFC 8839 §5.1",
                                             SDP_AT_MEDIA, SDP_VAL_REQUIRED,  false,
                                             false,        p_candidate};

size_t sdp_attr_index(const struct sdp_attr_def *d) { return (size_t)(d - attrs); }

const struct sdp_attr_def *sdp_attr_lookup(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
    if (strlen(attrs[i].name) == len && memcmp(attrs[i].name, name, len) == 0) return &attrs[i];
  return NULL;
}

/* ---- typed getters -------------------------------------------------------- */

static int get_typed(const struct rtg_sdp *sdp, size_t i, const char *name, void *out) {
  const struct sdp_attr_def *d;
  struct sdp_scan s;
  const char *v;
  if (i >= sdp->nlines || !rtg_sdp_attr_is(sdp, i, name)) return RTG_ERR_INVAL;
  d = sdp_attr_lookup(name, strlen(name));
  v = rtg_sdp_attr_value(sdp, i);
  sdp_scan_init(&s, v, strlen(v), sdp_value_off(sdp, i));
  /* a described that rtg_sdp_parse accepted cannot fail here; a built one
   * that was never validated may */
  if (d == NULL || d->parse(&s, d, out, NULL)) return RTG_ERR_INVAL;
  return 0;
}

int rtg_sdp_get_rtpmap(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_rtpmap *out) {
  return get_typed(sdp, i, "rtpmap", out);
}
int rtg_sdp_get_fmtp(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_pt_value *out) {
  return get_typed(sdp, i, "fmtp", out);
}
int rtg_sdp_get_rtcp_fb(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_pt_value *out) {
  return get_typed(sdp, i, "rtcp-fb", out);
}
int rtg_sdp_get_candidate(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_candidate *out) {
  return get_typed(sdp, i, "candidate", out);
}
int rtg_sdp_get_fingerprint(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_fingerprint *out) {
  return get_typed(sdp, i, "fingerprint", out);
}
int rtg_sdp_get_extmap(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_extmap *out) {
  return get_typed(sdp, i, "extmap", out);
}
int rtg_sdp_get_ssrc(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_ssrc *out) {
  return get_typed(sdp, i, "ssrc", out);
}
int rtg_sdp_get_group(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_group *out) {
  if (rtg_sdp_attr_is(sdp, i, "ssrc-group")) return get_typed(sdp, i, "ssrc-group", out);
  return get_typed(sdp, i, "group", out);
}
int rtg_sdp_get_rid(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_rid *out) {
  return get_typed(sdp, i, "rid", out);
}
int rtg_sdp_get_msid(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_msid *out) {
  return get_typed(sdp, i, "msid", out);
}
int rtg_sdp_get_number(const struct rtg_sdp *sdp, size_t i, uint64_t *out) {
  if (rtg_sdp_attr_is(sdp, i, "sctp-port")) return get_typed(sdp, i, "sctp-port", out);
  if (rtg_sdp_attr_is(sdp, i, "max-message-size"))
    return get_typed(sdp, i, "max-message-size", out);
  return get_typed(sdp, i, "rtcp", out);
}

enum rtg_sdp_setup rtg_sdp_get_setup(const struct rtg_sdp *sdp, size_t i) {
  enum rtg_sdp_setup v = RTG_SDP_SETUP_NONE;
  if (get_typed(sdp, i, "setup", &v)) return RTG_SDP_SETUP_NONE;
  return v;
}

enum rtg_sdp_dir rtg_sdp_direction(const struct rtg_sdp *sdp, int media) {
  static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
  for (int level = media; level >= -1; level = level == -1 ? -2 : -1) {
    size_t first, end;
    if (rtg_sdp_section(sdp, level, &first, &end)) break;
    for (size_t i = first; i < end; i++)
      for (int k = 0; k < 4; k++)
        if (rtg_sdp_attr_is(sdp, i, names[k])) return (enum rtg_sdp_dir)k;
  }
  return RTG_SDP_DIR_SENDRECV;
}

int rtg_sdp_candidate_parse(const char *str, size_t len, struct rtg_sdp_candidate *out,
                            struct rtg_perr *perr) {
  struct sdp_scan s;
  size_t skip = 0;
  if (len >= 2 && str[0] == 'a' && str[1] == '=') skip = 2;
  if (len - skip >= 10 && memcmp(str + skip, "candidate:", 10) == 0) skip += 10;
  for (size_t i = skip; i < len; i++)
    if (str[i] == '\r' || str[i] == '\n' || str[i] == 0)
      return rtg_perr_set(perr, i, cand_def.field, "control character in candidate", cand_def.ref);
  sdp_scan_init(&s, str + skip, len - skip, skip);
  return p_candidate(&s, &cand_def, out, perr);
}

ptrdiff_t rtg_sdp_candidate_write(const struct rtg_sdp_candidate *c, char *buf, size_t cap) {
  static const char *const tcp[] = {NULL, "active", "passive", "so"};
  size_t n = 0;
  int k;
#define PUT(...)                                               \
  do {                                                         \
    k = snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__); \
    if (k < 0) return RTG_ERR_NOBUF;                           \
    n += (size_t)k;                                            \
  } while (0)
  if (cap == 0) return RTG_ERR_NOBUF;
  PUT("%.*s %u %.*s %u %.*s %u typ %.*s", (int)c->foundation.len, c->foundation.p, c->component,
      (int)c->transport.len, c->transport.p, c->priority, (int)c->addr.len, c->addr.p, c->port,
      (int)c->type_name.len, c->type_name.p);
  if (c->has_raddr) PUT(" raddr %.*s", (int)c->raddr.len, c->raddr.p);
  if (c->has_rport) PUT(" rport %u", c->rport);
  if (c->tcptype > RTG_SDP_TCP_NONE && c->tcptype <= RTG_SDP_TCP_SO)
    PUT(" tcptype %s", tcp[c->tcptype]);
  for (size_t i = 0; i < c->next && i < RTG_SDP_MAX_CAND_EXT; i++)
    PUT(" %.*s %.*s", (int)c->ext_name[i].len, c->ext_name[i].p, (int)c->ext_value[i].len,
        c->ext_value[i].p);
#undef PUT
  if (n >= cap) return RTG_ERR_NOBUF;
  return (ptrdiff_t)n;
}

int rtg_sdp_candidate_to_ice(const struct rtg_sdp_candidate *c, struct rtg_ice_cand *out) {
  static const uint8_t types[] = {0, RTG_ICE_CAND_HOST, RTG_ICE_CAND_SRFLX, RTG_ICE_CAND_PRFLX,
                                  RTG_ICE_CAND_RELAY};
  char host[64];
  memset(out, 0, sizeof *out);
  if (!c->udp || c->type == RTG_SDP_CAND_OTHER || c->type > RTG_SDP_CAND_RELAY)
    return RTG_ERR_UNSUPPORTED;
  if (c->foundation.len >= sizeof out->foundation || c->addr.len >= sizeof host)
    return RTG_ERR_INVAL;
  out->type = types[c->type];
  out->priority = c->priority;
  memcpy(out->foundation, c->foundation.p, c->foundation.len);
  memcpy(host, c->addr.p, c->addr.len);
  host[c->addr.len] = 0;
  out->addr.port = c->port;
  if (c->family == 4 && inet_pton(AF_INET, host, out->addr.addr) == 1) {
    out->addr.family = 1;
  } else if (c->family == 6 && inet_pton(AF_INET6, host, out->addr.addr) == 1) {
    out->addr.family = 2;
  } else if (c->mdns && c->addr.len < sizeof out->hostname) {
    memcpy(out->hostname, host, c->addr.len + 1);
  } else {
    return RTG_ERR_INVAL;
  }
  out->base = out->addr;
  return 0;
}

static bool addr_text(const struct rtg_stun_addr *a, char *buf, size_t cap) {
  if (a->family == 1) return inet_ntop(AF_INET, a->addr, buf, (socklen_t)cap) != NULL;
  if (a->family == 2) return inet_ntop(AF_INET6, a->addr, buf, (socklen_t)cap) != NULL;
  return false;
}

ptrdiff_t rtg_sdp_candidate_write_ice(const struct rtg_ice_cand *c, char *buf, size_t cap) {
  static const char *const names[] = {"host", "srflx", "prflx", "relay"};
  char addr[64], base[64];
  int n;
  size_t flen = strnlen(c->foundation, sizeof c->foundation);
  if (c->type > RTG_ICE_CAND_RELAY || flen == 0 || flen >= sizeof c->foundation)
    return RTG_ERR_INVAL;
  if (c->hostname[0]) {
    if (strnlen(c->hostname, sizeof c->hostname) >= sizeof c->hostname) return RTG_ERR_INVAL;
    snprintf(addr, sizeof addr, "%s", c->hostname);
  } else if (!addr_text(&c->addr, addr, sizeof addr)) {
    return RTG_ERR_INVAL;
  }
  if (c->type == RTG_ICE_CAND_HOST || !addr_text(&c->base, base, sizeof base))
    n = snprintf(buf, cap, "%s 1 udp %u %s %u typ %s", c->foundation,
                 c->priority ? c->priority : rtg_ice_cand_priority(c->type, 65535), addr,
                 c->addr.port, names[c->type]);
  else
    n = snprintf(buf, cap, "%s 1 udp %u %s %u typ %s raddr %s rport %u", c->foundation,
                 c->priority ? c->priority : rtg_ice_cand_priority(c->type, 65535), addr,
                 c->addr.port, names[c->type], base, c->base.port);
  if (n < 0 || (size_t)n >= cap) return RTG_ERR_NOBUF;
  return n;
}
