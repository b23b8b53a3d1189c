/*
 * dtls.c - `--proto dtls`: every record of one datagram (RFC 6347 §4.1,
 * RFC 9147 §4), with the handshake fragments, messages and extensions of
 * plaintext (epoch 0) records, alerts and ChangeCipherSpec. Encrypted
 * records are described by their header only.
 *
 * Options: --opt cid_len=N (connection ID length for type-25 records and
 * unified headers with the C bit), --opt tls13=1 (parse DTLS 1.3 layouts).
 */
#include <stdlib.h>

#include "decode/decoder.h"
#include "rtg/dtls.h"

static json_t *u16_list(const struct rtg_dtls_u16_list *l) {
  json_t *a = json_array();
  for (size_t i = 0; i < l->n; i++) json_array_append_new(a, json_integer(l->v[i]));
  return a;
}

static int describe_ext(const struct rtg_dtls_ext *e, uint8_t msg, bool hrr, json_t *o,
                        struct rtg_perr *perr) {
  struct rtg_dtls_u16_list l;
  struct rtg_slice s;
  int rc = 0;
  json_object_set_new(o, "type", json_integer(e->type));
  json_object_set_new(o, "name", json_string(rtg_dtls_ext_name(e->type)));
  json_object_set_new(o, "length", json_integer((json_int_t)e->data.len));
  switch (e->type) {
    case RTG_DTLS_EXT_USE_SRTP: {
      struct rtg_dtls_use_srtp u;
      json_t *a = json_array();
      rc = rtg_dtls_ext_use_srtp_parse(e, &u, perr);
      if (rc) break;
      for (size_t i = 0; i < u.profiles.n; i++)
        json_array_append_new(a, json_string(rtg_dtls_srtp_profile_name(u.profiles.v[i])));
      json_object_set_new(o, "profiles", a);
      json_object_set_new(o, "mki", rtg_json_hex(u.mki.p, u.mki.len));
      break;
    }
    case RTG_DTLS_EXT_SUPPORTED_GROUPS:
    case RTG_DTLS_EXT_SIGNATURE_ALGORITHMS:
      rc = rtg_dtls_ext_u16_list_parse(e, &l, perr);
      if (!rc) json_object_set_new(o, "values", u16_list(&l));
      break;
    case RTG_DTLS_EXT_SUPPORTED_VERSIONS:
      rc = rtg_dtls_ext_versions_parse(e, msg == RTG_DTLS_HS_CLIENT_HELLO, &l, perr);
      if (!rc) json_object_set_new(o, "versions", u16_list(&l));
      break;
    case RTG_DTLS_EXT_KEY_SHARE: {
      struct rtg_dtls_key_share ks;
      json_t *a = json_array();
      rc = rtg_dtls_ext_key_share_parse(e, msg, hrr, &ks, perr);
      if (rc) {
        json_decref(a);
        break;
      }
      for (size_t i = 0; i < ks.n; i++) {
        json_t *k = json_object();
        json_object_set_new(k, "group", json_integer(ks.group[i]));
        json_object_set_new(k, "key_exchange", rtg_json_hex(ks.key[i].p, ks.key[i].len));
        json_array_append_new(a, k);
      }
      json_object_set_new(o, "shares", a);
      break;
    }
    case RTG_DTLS_EXT_COOKIE:
    case RTG_DTLS_EXT_RENEGOTIATION_INFO:
    case RTG_DTLS_EXT_CONNECTION_ID:
      rc = rtg_dtls_ext_opaque_parse(e, &s, perr);
      if (!rc) json_object_set_new(o, "value", rtg_json_hex(s.p, s.len));
      break;
    case RTG_DTLS_EXT_EXTENDED_MASTER_SECRET:
    case RTG_DTLS_EXT_ENCRYPT_THEN_MAC: rc = rtg_dtls_ext_empty_parse(e, perr); break;
    default: json_object_set_new(o, "data", rtg_json_hex(e->data.p, e->data.len)); break;
  }
  return rc;
}

static int describe_exts(const struct rtg_dtls_exts *x, uint8_t msg, bool hrr, json_t *o,
                         struct rtg_perr *perr) {
  json_t *a;
  if (!x->present) return 0;
  a = json_array();
  json_object_set_new(o, "extensions", a);
  for (size_t i = 0; i < x->n; i++) {
    json_t *e = json_object();
    int rc;
    json_array_append_new(a, e);
    rc = describe_ext(&x->e[i], msg, hrr, e, perr);
    if (rc) return rc;
  }
  return 0;
}

static json_t *suites(struct rtg_slice s) {
  json_t *a = json_array();
  for (size_t i = 0; i + 1 < s.len; i += 2)
    json_array_append_new(a, json_integer(rtg_load_u16(s.p + i)));
  return a;
}

static int describe_msg(uint8_t type, struct rtg_rd *body, bool tls13, json_t *o,
                        struct rtg_perr *perr) {
  struct rtg_dtls_hs_msg *m = calloc(1, sizeof *m);
  int rc;
  if (m == NULL) return RTG_ERR_NOMEM;
  rc = rtg_dtls_hs_body_parse(type, body, tls13, m, perr);
  if (rc) goto out;
  switch (type) {
    case RTG_DTLS_HS_CLIENT_HELLO:
      json_object_set_new(o, "version", json_integer(m->u.ch.version));
      json_object_set_new(o, "random", rtg_json_hex(m->u.ch.random.p, 32));
      json_object_set_new(o, "session_id",
                          rtg_json_hex(m->u.ch.session_id.p, m->u.ch.session_id.len));
      json_object_set_new(o, "cookie", rtg_json_hex(m->u.ch.cookie.p, m->u.ch.cookie.len));
      json_object_set_new(o, "cipher_suites", suites(m->u.ch.suites));
      rc = describe_exts(&m->u.ch.exts, type, false, o, perr);
      break;
    case RTG_DTLS_HS_SERVER_HELLO:
      json_object_set_new(o, "version", json_integer(m->u.sh.version));
      json_object_set_new(o, "random", rtg_json_hex(m->u.sh.random.p, 32));
      json_object_set_new(o, "hello_retry_request", json_boolean(m->u.sh.hrr));
      json_object_set_new(o, "session_id",
                          rtg_json_hex(m->u.sh.session_id.p, m->u.sh.session_id.len));
      json_object_set_new(o, "cipher_suite", json_integer(m->u.sh.suite));
      rc = describe_exts(&m->u.sh.exts, type, m->u.sh.hrr, o, perr);
      break;
    case RTG_DTLS_HS_HELLO_VERIFY_REQUEST:
      json_object_set_new(o, "version", json_integer(m->u.hvr.version));
      json_object_set_new(o, "cookie", rtg_json_hex(m->u.hvr.cookie.p, m->u.hvr.cookie.len));
      break;
    case RTG_DTLS_HS_CERTIFICATE: {
      json_t *a = json_array();
      for (size_t i = 0; i < m->u.cert.n; i++)
        json_array_append_new(a, json_integer((json_int_t)m->u.cert.cert[i].len));
      json_object_set_new(o, "certificate_lengths", a);
      break;
    }
    case RTG_DTLS_HS_SERVER_KEY_EXCHANGE:
      json_object_set_new(o, "group", json_integer(m->u.skx.group));
      json_object_set_new(o, "public", rtg_json_hex(m->u.skx.pubkey.p, m->u.skx.pubkey.len));
      json_object_set_new(o, "signature_algorithm", json_integer(m->u.skx.sig_alg));
      break;
    case RTG_DTLS_HS_CLIENT_KEY_EXCHANGE:
      json_object_set_new(o, "public", rtg_json_hex(m->u.ckx.pubkey.p, m->u.ckx.pubkey.len));
      break;
    case RTG_DTLS_HS_CERTIFICATE_VERIFY:
      json_object_set_new(o, "signature_algorithm", json_integer(m->u.cv.sig_alg));
      break;
    case RTG_DTLS_HS_FINISHED:
      json_object_set_new(o, "verify_data", rtg_json_hex(m->u.finished.p, m->u.finished.len));
      break;
    default: break;
  }
out:
  free(m);
  return rc;
}

/* Handshake fragments of a plaintext record. Only complete (unfragmented)
 * messages are parsed: reassembly across datagrams needs the session. */
static int describe_handshake(const struct rtg_dtls_record *rec, const uint8_t *base, bool tls13,
                              json_t *o, struct rtg_perr *perr) {
  struct rtg_rd rd = {rec->payload.p, rec->payload.p + rec->payload.len, base};
  json_t *a = json_array();
  json_object_set_new(o, "handshake", a);
  while (!rtg_rd_empty(&rd)) {
    struct rtg_dtls_hs_frag f;
    json_t *h = json_object();
    int rc = rtg_dtls_hs_frag_parse(&rd, &f, perr);
    json_array_append_new(a, h);
    if (rc) return rc;
    json_object_set_new(h, "msg_type", json_integer(f.msg_type));
    json_object_set_new(h, "name", json_string(rtg_dtls_hs_name(f.msg_type)));
    json_object_set_new(h, "length", json_integer(f.length));
    json_object_set_new(h, "message_seq", json_integer(f.msg_seq));
    json_object_set_new(h, "fragment_offset", json_integer(f.frag_off));
    json_object_set_new(h, "fragment_length", json_integer(f.frag_len));
    if (f.frag_off == 0 && f.frag_len == f.length) {
      struct rtg_rd body = {f.body.p, f.body.p + f.body.len, base};
      rc = describe_msg(f.msg_type, &body, tls13, h, perr);
      if (rc) return rc;
    } else {
      json_object_set_new(h, "fragment", json_true());
    }
  }
  return 0;
}

/* Fragments of one message spread over several records of this datagram
 * (browsers split their ClientHello this way) are reassembled and the
 * message parsed; offsets in errors are then within the message body. */
static int describe_reassembled(const uint8_t *data, size_t len, size_t cid_len, bool tls13,
                                json_t *o, struct rtg_perr *perr) {
  struct rtg_ctx ctx;
  struct rtg_dtls_reasm r;
  struct rtg_rd rd;
  uint16_t first = 0;
  bool any = false;
  json_t *a = NULL;
  int rc = 0;
  for (int pass = 0; pass < 2; pass++) {
    rtg_rd_init(&rd, data, len);
    while (!rtg_rd_empty(&rd)) {
      struct rtg_dtls_record rec;
      struct rtg_rd p;
      if (rtg_dtls_record_parse(&rd, cid_len, &rec, NULL)) break;
      if (rec.unified || rec.epoch != 0 || rec.type != RTG_DTLS_CT_HANDSHAKE) continue;
      p.p = rec.payload.p;
      p.end = rec.payload.p + rec.payload.len;
      p.base = data;
      while (!rtg_rd_empty(&p)) {
        struct rtg_dtls_hs_frag f;
        if (rtg_dtls_hs_frag_parse(&p, &f, NULL)) break;
        if (f.frag_off == 0 && f.frag_len == f.length) continue;
        if (pass == 0) {
          if (!any || (uint16_t)(f.msg_seq - first) >= 0x8000u) first = f.msg_seq;
          any = true;
        } else if (rtg_dtls_reasm_add(&r, &f, NULL) != 0) {
          continue;
        }
      }
    }
    if (pass == 0) {
      if (!any) return 0;
      rtg_ctx_default(&ctx);
      rtg_dtls_reasm_init(&r, &ctx, first);
    }
  }
  for (;;) {
    struct rtg_dtls_hs_raw m;
    struct rtg_rd body;
    json_t *h;
    if (rtg_dtls_reasm_next(&r, &m) != 0) break;
    if (a == NULL) {
      a = json_array();
      json_object_set_new(o, "reassembled", a);
    }
    h = json_object();
    json_array_append_new(a, h);
    json_object_set_new(h, "msg_type", json_integer(m.msg_type));
    json_object_set_new(h, "name", json_string(rtg_dtls_hs_name(m.msg_type)));
    json_object_set_new(h, "length", json_integer((json_int_t)m.body.len));
    json_object_set_new(h, "message_seq", json_integer(m.msg_seq));
    body.p = m.body.p;
    body.end = m.body.p + m.body.len;
    body.base = m.body.p;
    rc = describe_msg(m.msg_type, &body, tls13, h, perr);
    if (rc) break;
  }
  rtg_dtls_reasm_free(&r);
  return rc;
}

static int decode_dtls(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  const char *v = rtg_decode_opt(opts, "cid_len");
  const char *t13 = rtg_decode_opt(opts, "tls13");
  size_t cid_len = v ? (size_t)strtoul(v, NULL, 10) : 0;
  bool tls13 = t13 && t13[0] == '1';
  json_t *o = json_object(), *recs = json_array();
  struct rtg_rd rd;
  int rc = 0;
  *out = o;
  json_object_set_new(o, "proto", json_string("dtls"));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "records", recs);
  if (cid_len > RTG_DTLS_CID_MAX) cid_len = RTG_DTLS_CID_MAX;
  if (len == 0) return rtg_perr_set(perr, 0, "dtls.datagram", "empty datagram", "RFC 6347 §4.1");
  rtg_rd_init(&rd, data, len);
  while (!rtg_rd_empty(&rd)) {
    struct rtg_dtls_record rec;
    json_t *r;
    rc = rtg_dtls_record_parse(&rd, cid_len, &rec, perr);
    if (rc) return rc;
    r = json_object();
    json_array_append_new(recs, r);
    json_object_set_new(r, "offset", json_integer((json_int_t)rec.offset));
    json_object_set_new(r, "header", json_string(rec.unified ? "unified" : "plaintext"));
    if (!rec.unified) {
      json_object_set_new(r, "content_type", json_integer(rec.type));
      json_object_set_new(r, "content_name", json_string(rtg_dtls_ct_name(rec.type)));
      json_object_set_new(r, "version", json_integer(rec.version));
    }
    json_object_set_new(r, "epoch", json_integer(rec.epoch));
    json_object_set_new(r, "sequence_number", json_integer((json_int_t)rec.seq));
    if (rec.unified) {
      json_object_set_new(r, "sequence_bits", json_integer(rec.seq_len * 8));
      json_object_set_new(r, "length_present", json_boolean(rec.has_length));
    }
    if (rec.has_cid) json_object_set_new(r, "connection_id", rtg_json_hex(rec.cid.p, rec.cid.len));
    json_object_set_new(r, "payload_length", json_integer((json_int_t)rec.payload.len));
    if (rec.unified || rec.epoch != 0) {
      json_object_set_new(r, "encrypted", json_true());
      continue;
    }
    switch (rec.type) {
      case RTG_DTLS_CT_HANDSHAKE: rc = describe_handshake(&rec, data, tls13, r, perr); break;
      case RTG_DTLS_CT_ALERT: {
        struct rtg_rd p = {rec.payload.p, rec.payload.p + rec.payload.len, data};
        struct rtg_dtls_alert a;
        rc = rtg_dtls_alert_parse(&p, &a, perr);
        if (rc) break;
        json_object_set_new(r, "alert_level", json_integer(a.level));
        json_object_set_new(r, "alert", json_string(rtg_dtls_alert_name(a.desc)));
        break;
      }
      case RTG_DTLS_CT_CCS: {
        struct rtg_rd p = {rec.payload.p, rec.payload.p + rec.payload.len, data};
        rc = rtg_dtls_ccs_parse(&p, perr);
        break;
      }
      case RTG_DTLS_CT_ACK: {
        struct rtg_rd p = {rec.payload.p, rec.payload.p + rec.payload.len, data};
        struct rtg_dtls_ack a;
        rc = rtg_dtls_ack_parse(&p, &a, perr);
        if (!rc) json_object_set_new(r, "acked_records", json_integer((json_int_t)a.n));
        break;
      }
      default:
        json_object_set_new(r, "payload", rtg_json_hex(rec.payload.p, rec.payload.len));
        break;
    }
    if (rc) return rc;
  }
  return describe_reassembled(data, len, cid_len, tls13, o, perr);
}

const struct rtg_decoder rtg_decoder_dtls = {
    "dtls", "every DTLS record of a datagram; handshake messages and extensions of epoch 0",
    decode_dtls};
