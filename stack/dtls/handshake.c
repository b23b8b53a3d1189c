/*
 * handshake.c - DTLS handshake fragment header (RFC 6347 §4.2.2, RFC 9147
 * §5.2), handshake message bodies (RFC 5246 §7.4, RFC 8446 §4, RFC 6347
 * §4.2.1, RFC 8422 §5.4) and the extensions WebRTC uses.
 *
 * Every length-prefixed vector is carved into a sub-cursor (picotls style)
 * and must be consumed exactly.
 */
#include <string.h>

#include "rtg/dtls.h"

#define REF_HS "RFC 6347 §4.2.2"
#define REF_CH "RFC 6347 §4.2.1"
#define REF_SH "RFC 8446 §4.1.3"
#define REF_EXT "RFC 8446 §4.2"

/* SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* ---- fragments ----------------------------------------------------------- */

int rtg_dtls_hs_frag_parse(struct rtg_rd *rd, struct rtg_dtls_hs_frag *f, struct rtg_perr *perr) {
  struct rtg_rd r = *rd;
  size_t start = rtg_rd_offset(&r);
  memset(f, 0, sizeof *f);
  f->offset = start;
  if (rtg_rd_u8(&r, &f->msg_type) || rtg_rd_u24(&r, &f->length) || rtg_rd_u16(&r, &f->msg_seq) ||
      rtg_rd_u24(&r, &f->frag_off) || rtg_rd_u24(&r, &f->frag_len))
    return rtg_perr_set(perr, start, "dtls.hs.header", "truncated handshake header", REF_HS);
  if ((uint64_t)f->frag_off + f->frag_len > f->length)
    return rtg_perr_set(perr, start + 9, "dtls.hs.fragment_length",
                        "fragment extends past message length", REF_HS);
  if (rtg_rd_bytes(&r, f->frag_len, &f->body))
    return rtg_perr_set(perr, start + 9, "dtls.hs.fragment_length", "fragment overruns record",
                        REF_HS);
  *rd = r;
  return RTG_OK;
}

int rtg_dtls_hs_frag_write(struct rtg_wr *wr, const struct rtg_dtls_hs_frag *f) {
  struct rtg_wr w = *wr;
  if (f->body.len != f->frag_len || f->length > 0xffffffu || f->frag_off > 0xffffffu ||
      (uint64_t)f->frag_off + f->frag_len > f->length)
    return RTG_ERR_INVAL;
  if (rtg_wr_u8(&w, f->msg_type) || rtg_wr_u24(&w, f->length) || rtg_wr_u16(&w, f->msg_seq) ||
      rtg_wr_u24(&w, f->frag_off) || rtg_wr_u24(&w, f->frag_len) ||
      (f->body.len && rtg_wr_bytes(&w, f->body.p, f->body.len)))
    return RTG_ERR_NOBUF;
  *wr = w;
  return RTG_OK;
}

/* ---- extensions ------------------------------------------------------------ */

/* Extensions extensions<0..2^16-1> (RFC 8446 §4.2); no type twice. */
static int parse_exts(struct rtg_rd *rd, struct rtg_dtls_exts *x, struct rtg_perr *perr) {
  struct rtg_rd blk;
  size_t at = rtg_rd_offset(rd);
  x->present = false;
  x->n = 0;
  if (rtg_rd_empty(rd)) return RTG_OK; /* absent (RFC 5246 §7.4.1.2) */
  if (rtg_rd_sub16(rd, &blk))
    return rtg_perr_set(perr, at, "dtls.ext.block_length", "extensions overrun message", REF_EXT);
  x->present = true;
  while (!rtg_rd_empty(&blk)) {
    struct rtg_dtls_ext e;
    struct rtg_rd body;
    e.offset = rtg_rd_offset(&blk);
    e.base = blk.base;
    if (rtg_rd_u16(&blk, &e.type))
      return rtg_perr_set(perr, e.offset, "dtls.ext.type", "truncated extension", REF_EXT);
    if (rtg_rd_sub16(&blk, &body))
      return rtg_perr_set(perr, e.offset + 2, "dtls.ext.length", "extension overruns block",
                          REF_EXT);
    e.data.p = body.p;
    e.data.len = rtg_rd_left(&body);
    for (size_t i = 0; i < x->n; i++)
      if (x->e[i].type == e.type)
        return rtg_perr_set(perr, e.offset, "dtls.ext.type", "duplicate extension", REF_EXT);
    if (x->n == RTG_DTLS_EXT_MAX)
      return rtg_perr_set(perr, e.offset, "dtls.ext", "too many extensions", NULL);
    x->e[x->n++] = e;
  }
  return RTG_OK;
}

const struct rtg_dtls_ext *rtg_dtls_exts_find(const struct rtg_dtls_exts *x, uint16_t type) {
  for (size_t i = 0; i < x->n; i++)
    if (x->e[i].type == type) return &x->e[i];
  return NULL;
}

int rtg_dtls_exts_write(struct rtg_wr *wr, const struct rtg_dtls_exts *x) {
  struct rtg_wr w = *wr;
  size_t mark;
  if (!x->present) return RTG_OK;
  if (x->n > RTG_DTLS_EXT_MAX) return RTG_ERR_INVAL;
  if (rtg_wr_reserve(&w, 2, &mark)) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < x->n; i++) {
    const struct rtg_dtls_ext *e = &x->e[i];
    if (e->data.len > 0xffffu) return RTG_ERR_INVAL;
    if (rtg_wr_u16(&w, e->type) || rtg_wr_u16(&w, (uint16_t)e->data.len) ||
        (e->data.len && rtg_wr_bytes(&w, e->data.p, e->data.len)))
      return RTG_ERR_NOBUF;
  }
  if (rtg_wr_len(&w) - mark - 2 > 0xffffu) return RTG_ERR_INVAL;
  if (rtg_wr_patch_u16(&w, mark, (uint16_t)(rtg_wr_len(&w) - mark - 2))) return RTG_ERR_INVAL;
  *wr = w;
  return RTG_OK;
}

/* A cursor over an extension's body; offsets stay absolute when the
 * extension came from a parsed block (its |base| is known). */
static void ext_rd(const struct rtg_dtls_ext *ext, struct rtg_rd *rd) {
  rd->p = ext->data.p;
  rd->end = ext->data.p + ext->data.len;
  rd->base = ext->base != NULL ? ext->base : ext->data.p;
}

static int read_u16_vector(struct rtg_rd *list, struct rtg_dtls_u16_list *out, const char *field,
                           const char *ref, struct rtg_perr *perr) {
  out->n = 0;
  if (rtg_rd_left(list) % 2 || rtg_rd_empty(list))
    return rtg_perr_set(perr, rtg_rd_offset(list), field, "list length not a non-zero even number",
                        ref);
  while (!rtg_rd_empty(list)) {
    uint16_t v;
    if (rtg_rd_u16(list, &v)) return RTG_ERR_PARSE;
    if (out->n == RTG_DTLS_LIST_MAX)
      return rtg_perr_set(perr, rtg_rd_offset(list), field, "too many entries", ref);
    out->v[out->n++] = v;
  }
  return RTG_OK;
}

int rtg_dtls_ext_use_srtp_parse(const struct rtg_dtls_ext *ext, struct rtg_dtls_use_srtp *out,
                                struct rtg_perr *perr) {
  struct rtg_rd rd, list, mki;
  int rc;
  ext_rd(ext, &rd);
  memset(out, 0, sizeof *out);
  if (rtg_rd_sub16(&rd, &list))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.use_srtp.profiles",
                        "profile list overruns extension", "RFC 5764 §4.1.1");
  rc =
      read_u16_vector(&list, &out->profiles, "dtls.ext.use_srtp.profiles", "RFC 5764 §4.1.1", perr);
  if (rc) return rc;
  if (rtg_rd_sub8(&rd, &mki))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.use_srtp.mki",
                        "srtp_mki missing or overruns extension", "RFC 5764 §4.1.1");
  out->mki.p = mki.p;
  out->mki.len = rtg_rd_left(&mki);
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.use_srtp", "trailing bytes",
                        "RFC 5764 §4.1.1");
  return RTG_OK;
}

int rtg_dtls_ext_use_srtp_write(struct rtg_wr *wr, const struct rtg_dtls_use_srtp *u) {
  struct rtg_wr w = *wr;
  size_t n = u->profiles.n;
  if (n == 0 || n > RTG_DTLS_LIST_MAX || u->mki.len > 255) return RTG_ERR_INVAL;
  if (rtg_wr_u16(&w, RTG_DTLS_EXT_USE_SRTP) ||
      rtg_wr_u16(&w, (uint16_t)(2 + 2 * n + 1 + u->mki.len)) || rtg_wr_u16(&w, (uint16_t)(2 * n)))
    return RTG_ERR_NOBUF;
  for (size_t i = 0; i < n; i++)
    if (rtg_wr_u16(&w, u->profiles.v[i])) return RTG_ERR_NOBUF;
  if (rtg_wr_u8(&w, (uint8_t)u->mki.len) || (u->mki.len && rtg_wr_bytes(&w, u->mki.p, u->mki.len)))
    return RTG_ERR_NOBUF;
  *wr = w;
  return RTG_OK;
}

int rtg_dtls_ext_u16_list_parse(const struct rtg_dtls_ext *ext, struct rtg_dtls_u16_list *out,
                                struct rtg_perr *perr) {
  struct rtg_rd rd, list;
  int rc;
  ext_rd(ext, &rd);
  out->n = 0;
  if (rtg_rd_sub16(&rd, &list))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.list", "list overruns extension",
                        REF_EXT);
  rc = read_u16_vector(&list, out, "dtls.ext.list", REF_EXT, perr);
  if (rc) return rc;
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.list", "trailing bytes", REF_EXT);
  return RTG_OK;
}

int rtg_dtls_ext_versions_parse(const struct rtg_dtls_ext *ext, bool client_hello,
                                struct rtg_dtls_u16_list *out, struct rtg_perr *perr) {
  struct rtg_rd rd, list;
  int rc;
  ext_rd(ext, &rd);
  out->n = 0;
  if (!client_hello) {
    if (rtg_rd_u16(&rd, &out->v[0]) || !rtg_rd_empty(&rd))
      return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.supported_versions",
                          "selected_version must be exactly 2 bytes", "RFC 8446 §4.2.1");
    out->n = 1;
    return RTG_OK;
  }
  if (rtg_rd_sub8(&rd, &list))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.supported_versions",
                        "version list overruns extension", "RFC 8446 §4.2.1");
  rc = read_u16_vector(&list, out, "dtls.ext.supported_versions", "RFC 8446 §4.2.1", perr);
  if (rc) return rc;
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.supported_versions", "trailing bytes",
                        "RFC 8446 §4.2.1");
  return RTG_OK;
}

static int read_key_share_entry(struct rtg_rd *rd, struct rtg_dtls_key_share *out,
                                struct rtg_perr *perr) {
  struct rtg_rd key;
  uint16_t group;
  size_t at = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, &group))
    return rtg_perr_set(perr, at, "dtls.ext.key_share.group", "truncated key share entry",
                        "RFC 8446 §4.2.8");
  if (rtg_rd_sub16(rd, &key) || rtg_rd_empty(&key))
    return rtg_perr_set(perr, at + 2, "dtls.ext.key_share.key_exchange",
                        "key_exchange empty or overruns", "RFC 8446 §4.2.8");
  if (out->n == RTG_DTLS_KEY_SHARE_MAX)
    return rtg_perr_set(perr, at, "dtls.ext.key_share", "too many key shares", NULL);
  for (size_t i = 0; i < out->n; i++)
    if (out->group[i] == group)
      return rtg_perr_set(perr, at, "dtls.ext.key_share.group", "duplicate group",
                          "RFC 8446 §4.2.8");
  out->group[out->n] = group;
  out->key[out->n].p = key.p;
  out->key[out->n].len = rtg_rd_left(&key);
  out->n++;
  return RTG_OK;
}

int rtg_dtls_ext_key_share_parse(const struct rtg_dtls_ext *ext, uint8_t msg, bool hrr,
                                 struct rtg_dtls_key_share *out, struct rtg_perr *perr) {
  struct rtg_rd rd, list;
  int rc;
  ext_rd(ext, &rd);
  memset(out, 0, sizeof *out);
  if (msg == RTG_DTLS_HS_CLIENT_HELLO) {
    if (rtg_rd_sub16(&rd, &list))
      return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.key_share",
                          "client_shares overruns extension", "RFC 8446 §4.2.8");
    while (!rtg_rd_empty(&list)) {
      rc = read_key_share_entry(&list, out, perr);
      if (rc) return rc;
    }
  } else if (hrr) {
    if (rtg_rd_u16(&rd, &out->group[0]))
      return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.key_share.selected_group",
                          "truncated selected_group", "RFC 8446 §4.2.8");
    out->n = 1;
  } else {
    rc = read_key_share_entry(&rd, out, perr);
    if (rc) return rc;
  }
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.ext.key_share", "trailing bytes",
                        "RFC 8446 §4.2.8");
  return RTG_OK;
}

int rtg_dtls_ext_opaque_parse(const struct rtg_dtls_ext *ext, struct rtg_slice *out,
                              struct rtg_perr *perr) {
  struct rtg_rd rd, v;
  int rc;
  ext_rd(ext, &rd);
  switch (ext->type) {
    case RTG_DTLS_EXT_COOKIE:
      rc = rtg_rd_sub16(&rd, &v);
      if (rc == 0 && rtg_rd_empty(&v)) rc = RTG_ERR_PARSE; /* cookie<1..2^16-1> */
      break;
    case RTG_DTLS_EXT_RENEGOTIATION_INFO:
    case RTG_DTLS_EXT_CONNECTION_ID: rc = rtg_rd_sub8(&rd, &v); break;
    default: return RTG_ERR_INVAL;
  }
  if (rc || !rtg_rd_empty(&rd))
    return rtg_perr_set(perr, ext->base != NULL ? ext->offset + 4 : 0, "dtls.ext.opaque",
                        "length prefix does not match the extension",
                        ext->type == RTG_DTLS_EXT_COOKIE          ? "RFC 8446 §4.2.2"
                        : ext->type == RTG_DTLS_EXT_CONNECTION_ID ? "RFC 9146 §3"
                                                                  : "RFC 5746 §3.2");
  out->p = v.p;
  out->len = rtg_rd_left(&v);
  return RTG_OK;
}

int rtg_dtls_ext_empty_parse(const struct rtg_dtls_ext *ext, struct rtg_perr *perr) {
  if (ext->data.len != 0)
    return rtg_perr_set(perr, ext->base != NULL ? ext->offset + 2 : 0, "dtls.ext.length",
                        "extension must be empty", "RFC 7627 §5.1");
  return RTG_OK;
}

int rtg_dtls_exts_validate(const struct rtg_dtls_exts *x, uint8_t msg, bool hrr,
                           struct rtg_perr *perr) {
  for (size_t i = 0; i < x->n; i++) {
    const struct rtg_dtls_ext *e = &x->e[i];
    struct rtg_dtls_use_srtp u;
    struct rtg_dtls_u16_list l;
    struct rtg_dtls_key_share ks;
    struct rtg_slice s;
    int rc;
    switch (e->type) {
      case RTG_DTLS_EXT_USE_SRTP: rc = rtg_dtls_ext_use_srtp_parse(e, &u, perr); break;
      case RTG_DTLS_EXT_SUPPORTED_GROUPS:
      case RTG_DTLS_EXT_SIGNATURE_ALGORITHMS: rc = rtg_dtls_ext_u16_list_parse(e, &l, perr); break;
      case RTG_DTLS_EXT_SUPPORTED_VERSIONS:
        rc = rtg_dtls_ext_versions_parse(e, msg == RTG_DTLS_HS_CLIENT_HELLO, &l, perr);
        break;
      case RTG_DTLS_EXT_KEY_SHARE: rc = rtg_dtls_ext_key_share_parse(e, msg, hrr, &ks, perr); break;
      case RTG_DTLS_EXT_COOKIE:
      case RTG_DTLS_EXT_RENEGOTIATION_INFO:
      case RTG_DTLS_EXT_CONNECTION_ID: rc = rtg_dtls_ext_opaque_parse(e, &s, perr); break;
      case RTG_DTLS_EXT_EXTENDED_MASTER_SECRET:
      case RTG_DTLS_EXT_ENCRYPT_THEN_MAC: rc = rtg_dtls_ext_empty_parse(e, perr); break;
      default: rc = RTG_OK; break;
    }
    if (rc) return rc;
  }
  return RTG_OK;
}

/* ---- messages -------------------------------------------------------------- */

static int parse_client_hello(struct rtg_rd *rd, struct rtg_dtls_client_hello *ch,
                              struct rtg_perr *perr) {
  struct rtg_rd v;
  size_t at = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, &ch->version) || rtg_rd_bytes(rd, 32, &ch->random))
    return rtg_perr_set(perr, at, "dtls.client_hello.random", "truncated ClientHello", REF_CH);
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub8(rd, &v) || rtg_rd_left(&v) > 32)
    return rtg_perr_set(perr, at, "dtls.client_hello.session_id", "bad session_id length", REF_CH);
  ch->session_id.p = v.p;
  ch->session_id.len = rtg_rd_left(&v);
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub8(rd, &v))
    return rtg_perr_set(perr, at, "dtls.client_hello.cookie", "cookie overruns message", REF_CH);
  ch->cookie.p = v.p;
  ch->cookie.len = rtg_rd_left(&v);
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub16(rd, &v) || rtg_rd_empty(&v) || rtg_rd_left(&v) % 2)
    return rtg_perr_set(perr, at, "dtls.client_hello.cipher_suites",
                        "cipher_suites empty, odd or overrunning", REF_CH);
  ch->suites.p = v.p;
  ch->suites.len = rtg_rd_left(&v);
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub8(rd, &v) || rtg_rd_empty(&v))
    return rtg_perr_set(perr, at, "dtls.client_hello.compression_methods",
                        "compression_methods empty or overrunning", REF_CH);
  ch->compression.p = v.p;
  ch->compression.len = rtg_rd_left(&v);
  return parse_exts(rd, &ch->exts, perr);
}

static int parse_server_hello(struct rtg_rd *rd, struct rtg_dtls_server_hello *sh,
                              struct rtg_perr *perr) {
  struct rtg_rd v;
  size_t at = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, &sh->version) || rtg_rd_bytes(rd, 32, &sh->random))
    return rtg_perr_set(perr, at, "dtls.server_hello.random", "truncated ServerHello", REF_SH);
  sh->hrr = memcmp(sh->random.p, hrr_random, 32) == 0;
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub8(rd, &v) || rtg_rd_left(&v) > 32)
    return rtg_perr_set(perr, at, "dtls.server_hello.session_id", "bad session_id length", REF_SH);
  sh->session_id.p = v.p;
  sh->session_id.len = rtg_rd_left(&v);
  at = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, &sh->suite) || rtg_rd_u8(rd, &sh->compression))
    return rtg_perr_set(perr, at, "dtls.server_hello.cipher_suite", "truncated ServerHello",
                        REF_SH);
  return parse_exts(rd, &sh->exts, perr);
}

static int parse_certificate(struct rtg_rd *rd, bool tls13, struct rtg_dtls_certificate *c,
                             struct rtg_perr *perr) {
  struct rtg_rd list;
  size_t at = rtg_rd_offset(rd);
  c->n = 0;
  if (tls13) {
    struct rtg_rd ctx;
    if (rtg_rd_sub8(rd, &ctx))
      return rtg_perr_set(perr, at, "dtls.certificate.context", "context overruns message",
                          "RFC 8446 §4.4.2");
    c->context.p = ctx.p;
    c->context.len = rtg_rd_left(&ctx);
    at = rtg_rd_offset(rd);
  }
  if (rtg_rd_sub24(rd, &list))
    return rtg_perr_set(perr, at, "dtls.certificate.list", "certificate_list overruns message",
                        "RFC 5246 §7.4.2");
  while (!rtg_rd_empty(&list)) {
    struct rtg_rd der, ext;
    size_t eat = rtg_rd_offset(&list);
    if (rtg_rd_sub24(&list, &der) || rtg_rd_empty(&der))
      return rtg_perr_set(perr, eat, "dtls.certificate.cert", "certificate empty or overruns list",
                          "RFC 5246 §7.4.2");
    if (c->n == RTG_DTLS_CERT_MAX)
      return rtg_perr_set(perr, eat, "dtls.certificate.list", "too many certificates", NULL);
    c->cert[c->n].p = der.p;
    c->cert[c->n].len = rtg_rd_left(&der);
    c->cert_ext[c->n].p = NULL;
    c->cert_ext[c->n].len = 0;
    if (tls13) {
      eat = rtg_rd_offset(&list);
      if (rtg_rd_sub16(&list, &ext))
        return rtg_perr_set(perr, eat, "dtls.certificate.extensions",
                            "entry extensions overrun list", "RFC 8446 §4.4.2");
      c->cert_ext[c->n].p = ext.p;
      c->cert_ext[c->n].len = rtg_rd_left(&ext);
    }
    c->n++;
  }
  return RTG_OK;
}

static int parse_sig(struct rtg_rd *rd, uint16_t *alg, struct rtg_slice *sig, const char *field,
                     struct rtg_perr *perr) {
  struct rtg_rd v;
  size_t at = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, alg) || rtg_rd_sub16(rd, &v))
    return rtg_perr_set(perr, at, field, "signature truncated or overrunning", "RFC 5246 §4.7");
  sig->p = v.p;
  sig->len = rtg_rd_left(&v);
  return RTG_OK;
}

static int parse_server_kx(struct rtg_rd *rd, struct rtg_dtls_server_kx *k, struct rtg_perr *perr) {
  struct rtg_rd pub;
  const uint8_t *p0 = rd->p;
  size_t at = rtg_rd_offset(rd);
  if (rtg_rd_u8(rd, &k->curve_type) || rtg_rd_u16(rd, &k->group))
    return rtg_perr_set(perr, at, "dtls.server_kx.curve", "truncated ServerKeyExchange",
                        "RFC 8422 §5.4");
  if (k->curve_type != 3)
    return rtg_perr_set(perr, at, "dtls.server_kx.curve_type", "only named_curve (3) is allowed",
                        "RFC 8422 §5.4");
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub8(rd, &pub) || rtg_rd_empty(&pub))
    return rtg_perr_set(perr, at, "dtls.server_kx.public", "public key empty or overrunning",
                        "RFC 8422 §5.4");
  k->pubkey.p = pub.p;
  k->pubkey.len = rtg_rd_left(&pub);
  k->params.p = p0;
  k->params.len = (size_t)(rd->p - p0);
  return parse_sig(rd, &k->sig_alg, &k->sig, "dtls.server_kx.signature", perr);
}

static int parse_new_ticket(struct rtg_rd *rd, bool tls13, struct rtg_dtls_new_ticket *t,
                            struct rtg_perr *perr) {
  struct rtg_rd v;
  size_t at = rtg_rd_offset(rd);
  if (rtg_rd_u32(rd, &t->lifetime))
    return rtg_perr_set(perr, at, "dtls.new_session_ticket.lifetime", "truncated ticket",
                        "RFC 8446 §4.6.1");
  if (tls13) {
    at = rtg_rd_offset(rd);
    if (rtg_rd_u32(rd, &t->age_add) || rtg_rd_sub8(rd, &v))
      return rtg_perr_set(perr, at, "dtls.new_session_ticket.nonce", "truncated ticket",
                          "RFC 8446 §4.6.1");
    t->nonce.p = v.p;
    t->nonce.len = rtg_rd_left(&v);
  }
  at = rtg_rd_offset(rd);
  if (rtg_rd_sub16(rd, &v) || (tls13 && rtg_rd_empty(&v)))
    return rtg_perr_set(perr, at, "dtls.new_session_ticket.ticket", "ticket empty or overrunning",
                        "RFC 8446 §4.6.1");
  t->ticket.p = v.p;
  t->ticket.len = rtg_rd_left(&v);
  if (!tls13) return RTG_OK;
  at = rtg_rd_offset(rd);
  if (rtg_rd_empty(rd))
    return rtg_perr_set(perr, at, "dtls.new_session_ticket.extensions", "extensions missing",
                        "RFC 8446 §4.6.1");
  return parse_exts(rd, &t->exts, perr);
}

int rtg_dtls_hs_body_parse(uint8_t type, struct rtg_rd *body, bool tls13, struct rtg_dtls_hs_msg *m,
                           struct rtg_perr *perr) {
  struct rtg_rd rd = *body;
  int rc = RTG_OK;
  memset(m, 0, sizeof *m);
  m->type = type;
  switch (type) {
    case RTG_DTLS_HS_CLIENT_HELLO: rc = parse_client_hello(&rd, &m->u.ch, perr); break;
    case RTG_DTLS_HS_SERVER_HELLO: rc = parse_server_hello(&rd, &m->u.sh, perr); break;
    case RTG_DTLS_HS_HELLO_VERIFY_REQUEST: {
      struct rtg_rd v;
      size_t at = rtg_rd_offset(&rd);
      if (rtg_rd_u16(&rd, &m->u.hvr.version) || rtg_rd_sub8(&rd, &v))
        return rtg_perr_set(perr, at, "dtls.hello_verify.cookie", "truncated HelloVerifyRequest",
                            "RFC 6347 §4.2.1");
      m->u.hvr.cookie.p = v.p;
      m->u.hvr.cookie.len = rtg_rd_left(&v);
      break;
    }
    case RTG_DTLS_HS_CERTIFICATE: rc = parse_certificate(&rd, tls13, &m->u.cert, perr); break;
    case RTG_DTLS_HS_CERTIFICATE_VERIFY:
      rc = parse_sig(&rd, &m->u.cv.sig_alg, &m->u.cv.sig, "dtls.certificate_verify", perr);
      break;
    case RTG_DTLS_HS_SERVER_KEY_EXCHANGE: rc = parse_server_kx(&rd, &m->u.skx, perr); break;
    case RTG_DTLS_HS_CLIENT_KEY_EXCHANGE: {
      struct rtg_rd v;
      if (rtg_rd_sub8(&rd, &v) || rtg_rd_empty(&v))
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.client_kx.public",
                            "public key empty or overrunning", "RFC 8422 §5.7");
      m->u.ckx.pubkey.p = v.p;
      m->u.ckx.pubkey.len = rtg_rd_left(&v);
      break;
    }
    case RTG_DTLS_HS_NEW_SESSION_TICKET: rc = parse_new_ticket(&rd, tls13, &m->u.nst, perr); break;
    case RTG_DTLS_HS_ENCRYPTED_EXTENSIONS:
      if (rtg_rd_empty(&rd))
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.encrypted_extensions",
                            "extensions missing", "RFC 8446 §4.3.1");
      rc = parse_exts(&rd, &m->u.ee, perr);
      break;
    case RTG_DTLS_HS_FINISHED:
      /* verify_data: 12 bytes in 1.2, the hash length in 1.3. */
      if (rtg_rd_left(&rd) < 12)
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.finished.verify_data",
                            "verify_data shorter than 12 bytes", "RFC 5246 §7.4.9");
      if (rtg_rd_bytes(&rd, rtg_rd_left(&rd), &m->u.finished)) return RTG_ERR_PARSE;
      break;
    case RTG_DTLS_HS_KEY_UPDATE:
      if (rtg_rd_u8(&rd, &m->u.key_update) || m->u.key_update > 1)
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.key_update.request",
                            "request_update must be 0 or 1", "RFC 8446 §4.6.3");
      break;
    case RTG_DTLS_HS_SERVER_HELLO_DONE:
    case RTG_DTLS_HS_HELLO_REQUEST:
    case RTG_DTLS_HS_END_OF_EARLY_DATA: break; /* empty bodies */
    default:
      if (rtg_rd_bytes(&rd, rtg_rd_left(&rd), &m->u.other)) return RTG_ERR_PARSE;
      break;
  }
  if (rc) return rc;
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dtls.hs.body",
                        "trailing bytes after message body", "RFC 8446 §4");
  *body = rd;
  return RTG_OK;
}

static int wr_vec8(struct rtg_wr *w, struct rtg_slice s, size_t max) {
  if (s.len > max) return RTG_ERR_INVAL;
  if (rtg_wr_u8(w, (uint8_t)s.len) || (s.len && rtg_wr_bytes(w, s.p, s.len))) return RTG_ERR_NOBUF;
  return RTG_OK;
}

int rtg_dtls_client_hello_write(struct rtg_wr *wr, const struct rtg_dtls_client_hello *ch) {
  struct rtg_wr w = *wr;
  int rc;
  if (ch->random.len != 32 || ch->suites.len == 0 || ch->suites.len % 2 ||
      ch->suites.len > 0xfffeu || ch->compression.len == 0)
    return RTG_ERR_INVAL;
  if (rtg_wr_u16(&w, ch->version) || rtg_wr_bytes(&w, ch->random.p, 32)) return RTG_ERR_NOBUF;
  if ((rc = wr_vec8(&w, ch->session_id, 32)) || (rc = wr_vec8(&w, ch->cookie, 255))) return rc;
  if (rtg_wr_u16(&w, (uint16_t)ch->suites.len) || rtg_wr_bytes(&w, ch->suites.p, ch->suites.len))
    return RTG_ERR_NOBUF;
  if ((rc = wr_vec8(&w, ch->compression, 255)) || (rc = rtg_dtls_exts_write(&w, &ch->exts)))
    return rc;
  *wr = w;
  return RTG_OK;
}

int rtg_dtls_server_hello_write(struct rtg_wr *wr, const struct rtg_dtls_server_hello *sh) {
  struct rtg_wr w = *wr;
  int rc;
  if (sh->random.len != 32) return RTG_ERR_INVAL;
  if (rtg_wr_u16(&w, sh->version) || rtg_wr_bytes(&w, sh->random.p, 32)) return RTG_ERR_NOBUF;
  if ((rc = wr_vec8(&w, sh->session_id, 32))) return rc;
  if (rtg_wr_u16(&w, sh->suite) || rtg_wr_u8(&w, sh->compression)) return RTG_ERR_NOBUF;
  if ((rc = rtg_dtls_exts_write(&w, &sh->exts))) return rc;
  *wr = w;
  return RTG_OK;
}

int rtg_dtls_hello_verify_write(struct rtg_wr *wr, const struct rtg_dtls_hello_verify *hv) {
  struct rtg_wr w = *wr;
  int rc;
  if (rtg_wr_u16(&w, hv->version)) return RTG_ERR_NOBUF;
  if ((rc = wr_vec8(&w, hv->cookie, 255))) return rc;
  *wr = w;
  return RTG_OK;
}

/* ---- alerts, CCS, ACK ------------------------------------------------------ */

int rtg_dtls_alert_parse(struct rtg_rd *rd, struct rtg_dtls_alert *a, struct rtg_perr *perr) {
  struct rtg_rd r = *rd;
  if (rtg_rd_u8(&r, &a->level) || rtg_rd_u8(&r, &a->desc))
    return rtg_perr_set(perr, rtg_rd_offset(rd), "dtls.alert", "alert shorter than 2 bytes",
                        "RFC 5246 §7.2");
  if (!rtg_rd_empty(&r))
    return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.alert", "trailing bytes after alert",
                        "RFC 5246 §7.2");
  if (a->level != 1 && a->level != 2)
    return rtg_perr_set(perr, rtg_rd_offset(rd), "dtls.alert.level",
                        "level must be warning(1) or fatal(2)", "RFC 5246 §7.2");
  *rd = r;
  return RTG_OK;
}

int rtg_dtls_alert_write(struct rtg_wr *wr, const struct rtg_dtls_alert *a) {
  struct rtg_wr w = *wr;
  if (rtg_wr_u8(&w, a->level) || rtg_wr_u8(&w, a->desc)) return RTG_ERR_NOBUF;
  *wr = w;
  return RTG_OK;
}

int rtg_dtls_ccs_parse(struct rtg_rd *rd, struct rtg_perr *perr) {
  struct rtg_rd r = *rd;
  uint8_t v;
  if (rtg_rd_u8(&r, &v) || v != 1 || !rtg_rd_empty(&r))
    return rtg_perr_set(perr, rtg_rd_offset(rd), "dtls.ccs",
                        "ChangeCipherSpec must be the single byte 1", "RFC 5246 §7.1");
  *rd = r;
  return RTG_OK;
}

int rtg_dtls_ack_parse(struct rtg_rd *rd, struct rtg_dtls_ack *a, struct rtg_perr *perr) {
  struct rtg_rd r = *rd, list;
  a->n = 0;
  if (rtg_rd_sub16(&r, &list) || rtg_rd_left(&list) % 16)
    return rtg_perr_set(perr, rtg_rd_offset(rd), "dtls.ack.length",
                        "record_numbers length not a multiple of 16 or overrunning", "RFC 9147 §7");
  while (!rtg_rd_empty(&list)) {
    if (a->n == RTG_DTLS_ACK_MAX)
      return rtg_perr_set(perr, rtg_rd_offset(&list), "dtls.ack", "too many record numbers", NULL);
    if (rtg_rd_u64(&list, &a->epoch[a->n]) || rtg_rd_u64(&list, &a->seq[a->n]))
      return RTG_ERR_PARSE;
    a->n++;
  }
  if (!rtg_rd_empty(&r))
    return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.ack", "trailing bytes after ACK",
                        "RFC 9147 §7");
  *rd = r;
  return RTG_OK;
}

int rtg_dtls_ack_write(struct rtg_wr *wr, const struct rtg_dtls_ack *a) {
  struct rtg_wr w = *wr;
  if (a->n > RTG_DTLS_ACK_MAX) return RTG_ERR_INVAL;
  if (rtg_wr_u16(&w, (uint16_t)(a->n * 16))) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < a->n; i++)
    if (rtg_wr_u64(&w, a->epoch[i]) || rtg_wr_u64(&w, a->seq[i])) return RTG_ERR_NOBUF;
  *wr = w;
  return RTG_OK;
}

/* ---- names ------------------------------------------------------------------ */

const char *rtg_dtls_ct_name(unsigned ct) {
  switch (ct) {
    case RTG_DTLS_CT_CCS: return "change_cipher_spec";
    case RTG_DTLS_CT_ALERT: return "alert";
    case RTG_DTLS_CT_HANDSHAKE: return "handshake";
    case RTG_DTLS_CT_APPDATA: return "application_data";
    case RTG_DTLS_CT_HEARTBEAT: return "heartbeat";
    case RTG_DTLS_CT_TLS12_CID: return "tls12_cid";
    case RTG_DTLS_CT_ACK: return "ack";
    default: return "unknown";
  }
}

const char *rtg_dtls_hs_name(unsigned type) {
  switch (type) {
    case RTG_DTLS_HS_HELLO_REQUEST: return "hello_request";
    case RTG_DTLS_HS_CLIENT_HELLO: return "client_hello";
    case RTG_DTLS_HS_SERVER_HELLO: return "server_hello";
    case RTG_DTLS_HS_HELLO_VERIFY_REQUEST: return "hello_verify_request";
    case RTG_DTLS_HS_NEW_SESSION_TICKET: return "new_session_ticket";
    case RTG_DTLS_HS_END_OF_EARLY_DATA: return "end_of_early_data";
    case RTG_DTLS_HS_ENCRYPTED_EXTENSIONS: return "encrypted_extensions";
    case RTG_DTLS_HS_REQUEST_CONNECTION_ID: return "request_connection_id";
    case RTG_DTLS_HS_NEW_CONNECTION_ID: return "new_connection_id";
    case RTG_DTLS_HS_CERTIFICATE: return "certificate";
    case RTG_DTLS_HS_SERVER_KEY_EXCHANGE: return "server_key_exchange";
    case RTG_DTLS_HS_CERTIFICATE_REQUEST: return "certificate_request";
    case RTG_DTLS_HS_SERVER_HELLO_DONE: return "server_hello_done";
    case RTG_DTLS_HS_CERTIFICATE_VERIFY: return "certificate_verify";
    case RTG_DTLS_HS_CLIENT_KEY_EXCHANGE: return "client_key_exchange";
    case RTG_DTLS_HS_FINISHED: return "finished";
    case RTG_DTLS_HS_KEY_UPDATE: return "key_update";
    case RTG_DTLS_HS_MESSAGE_HASH: return "message_hash";
    default: return "unknown";
  }
}

const char *rtg_dtls_ext_name(unsigned type) {
  switch (type) {
    case RTG_DTLS_EXT_SERVER_NAME: return "server_name";
    case RTG_DTLS_EXT_SUPPORTED_GROUPS: return "supported_groups";
    case RTG_DTLS_EXT_EC_POINT_FORMATS: return "ec_point_formats";
    case RTG_DTLS_EXT_SIGNATURE_ALGORITHMS: return "signature_algorithms";
    case RTG_DTLS_EXT_USE_SRTP: return "use_srtp";
    case RTG_DTLS_EXT_ALPN: return "application_layer_protocol_negotiation";
    case RTG_DTLS_EXT_ENCRYPT_THEN_MAC: return "encrypt_then_mac";
    case RTG_DTLS_EXT_EXTENDED_MASTER_SECRET: return "extended_master_secret";
    case RTG_DTLS_EXT_SESSION_TICKET: return "session_ticket";
    case RTG_DTLS_EXT_PRE_SHARED_KEY: return "pre_shared_key";
    case RTG_DTLS_EXT_EARLY_DATA: return "early_data";
    case RTG_DTLS_EXT_SUPPORTED_VERSIONS: return "supported_versions";
    case RTG_DTLS_EXT_COOKIE: return "cookie";
    case RTG_DTLS_EXT_PSK_KEY_EXCHANGE_MODES: return "psk_key_exchange_modes";
    case RTG_DTLS_EXT_KEY_SHARE: return "key_share";
    case RTG_DTLS_EXT_CONNECTION_ID: return "connection_id";
    case RTG_DTLS_EXT_RENEGOTIATION_INFO: return "renegotiation_info";
    default: return "unknown";
  }
}

const char *rtg_dtls_srtp_profile_name(unsigned profile) {
  switch (profile) {
    case RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80: return "SRTP_AES128_CM_HMAC_SHA1_80";
    case RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_32: return "SRTP_AES128_CM_HMAC_SHA1_32";
    case RTG_DTLS_SRTP_AEAD_AES_128_GCM: return "SRTP_AEAD_AES_128_GCM";
    case RTG_DTLS_SRTP_AEAD_AES_256_GCM: return "SRTP_AEAD_AES_256_GCM";
    default: return "unknown";
  }
}

const char *rtg_dtls_alert_name(unsigned desc) {
  switch (desc) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown";
  }
}
