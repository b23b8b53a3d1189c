/*
 * decryptor.c - one DTLS session followed record by record for replay:
 * hellos in the clear tell which keys to take from the key log, then every
 * protected record is decrypted (DTLS 1.2 epochs > 0; DTLS 1.3 unified
 * headers, epoch 2 = handshake traffic, 3 = application traffic, +1 per
 * KeyUpdate).
 */
#include <string.h>

#include "dtls/internal.h"
#include "rtg/dtls.h"

void rtg_dtls_decryptor_init(struct rtg_dtls_decryptor *d, const struct rtg_dtls_keylog *kl,
                             const struct rtg_ctx *ctx) {
  memset(d, 0, sizeof *d);
  d->kl = kl;
  rtg_dtls_reasm_init(&d->reasm[0], ctx, 0);
  rtg_dtls_reasm_init(&d->reasm[1], ctx, 0);
}

void rtg_dtls_decryptor_free(struct rtg_dtls_decryptor *d) {
  rtg_dtls_reasm_free(&d->reasm[0]);
  rtg_dtls_reasm_free(&d->reasm[1]);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) rtg_dtls_cipher_cache_free(&d->cache[i][j]);
}

/* connection_id (RFC 9146 §3: opaque cid<0..2^8-1>) of a hello: |i| 0
 * for the ClientHello, 1 for the ServerHello. */
static void learn_cid(struct rtg_dtls_decryptor *d, int i, const struct rtg_dtls_exts *x) {
  const struct rtg_dtls_ext *e = rtg_dtls_exts_find(x, RTG_DTLS_EXT_CONNECTION_ID);
  struct rtg_slice cid;
  d->cid_sent[i] = false;
  d->cid_len[i] = 0;
  if (e == NULL || rtg_dtls_ext_opaque_parse(e, &cid, NULL) || cid.len > RTG_DTLS_CID_MAX) return;
  d->cid_sent[i] = true;
  d->cid_len[i] = (uint8_t)cid.len;
  if (cid.len) memcpy(d->cid[i], cid.p, cid.len);
}

static void learn_client_hello(struct rtg_dtls_decryptor *d, struct rtg_rd *body) {
  struct rtg_dtls_hs_msg m;
  if (rtg_dtls_hs_body_parse(RTG_DTLS_HS_CLIENT_HELLO, body, false, &m, NULL)) return;
  memcpy(d->client_random, m.u.ch.random.p, 32);
  d->have_client_random = true;
  learn_cid(d, 0, &m.u.ch.exts);
}

static void learn_server_hello(struct rtg_dtls_decryptor *d, struct rtg_rd *body) {
  struct rtg_dtls_hs_msg m;
  const struct rtg_dtls_ext *e;
  if (rtg_dtls_hs_body_parse(RTG_DTLS_HS_SERVER_HELLO, body, false, &m, NULL) || m.u.sh.hrr) return;
  memcpy(d->server_random, m.u.sh.random.p, 32);
  d->suite = m.u.sh.suite;
  d->etm = rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_ENCRYPT_THEN_MAC) != NULL;
  e = rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_SUPPORTED_VERSIONS);
  if (e != NULL) {
    struct rtg_dtls_u16_list v;
    if (rtg_dtls_ext_versions_parse(e, false, &v, NULL) == 0 && v.v[0] == RTG_DTLS_V13)
      d->tls13 = true;
  }
  e = rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_USE_SRTP);
  if (e != NULL) {
    struct rtg_dtls_use_srtp u;
    if (rtg_dtls_ext_use_srtp_parse(e, &u, NULL) == 0 && u.profiles.n == 1)
      d->srtp_profile = u.profiles.v[0];
  }
  learn_cid(d, 1, &m.u.sh.exts);
  d->have_server_hello = true;
  d->have12 = false;
  memset(d->have13, 0, sizeof d->have13);
}

/* Epoch-0 handshake fragments go through the reassembler; complete hellos
 * are read. Fragments it cannot take (retransmissions, too far ahead) are
 * skipped: the decryptor only observes. */
static void learn(struct rtg_dtls_decryptor *d, int dir, const struct rtg_dtls_record *rec) {
  struct rtg_rd rd = {rec->payload.p, rec->payload.p + rec->payload.len, rec->payload.p};
  struct rtg_dtls_reasm *r = &d->reasm[dir];
  while (!rtg_rd_empty(&rd)) {
    struct rtg_dtls_hs_frag f;
    struct rtg_dtls_hs_raw m;
    if (rtg_dtls_hs_frag_parse(&rd, &f, NULL)) return;
    /* Only the hellos (and a HelloVerifyRequest, which moves the message
     * sequence) matter here; the certificates and key exchanges after them
     * need no reassembly of ours (the engine checks them). */
    if (f.msg_type != RTG_DTLS_HS_CLIENT_HELLO && f.msg_type != RTG_DTLS_HS_SERVER_HELLO &&
        f.msg_type != RTG_DTLS_HS_HELLO_VERIFY_REQUEST)
      continue;
    if (rtg_dtls_reasm_add(r, &f, NULL)) continue;
    while (rtg_dtls_reasm_next(r, &m) == 0) {
      struct rtg_rd body = {m.body.p, m.body.p + m.body.len, m.body.p};
      if (m.msg_type == RTG_DTLS_HS_CLIENT_HELLO) learn_client_hello(d, &body);
      if (m.msg_type == RTG_DTLS_HS_SERVER_HELLO) learn_server_hello(d, &body);
    }
  }
}

static int keys12(struct rtg_dtls_decryptor *d) {
  const struct rtg_dtls_keylog_entry *e;
  if (d->have12) return RTG_OK;
  if (!d->have_client_random || !d->have_server_hello) return RTG_ERR_NOTFOUND;
  e = rtg_dtls_keylog_find(d->kl, RTG_DTLS_KL_CLIENT_RANDOM, d->client_random);
  if (e == NULL) return RTG_ERR_NOTFOUND;
  if (rtg_dtls12_keys_derive(d->suite, d->etm, e->secret, d->client_random, d->server_random,
                             &d->c12, &d->s12))
    return rtg_dtls12_suite_find(d->suite) ? RTG_ERR_CRYPTO : RTG_ERR_UNSUPPORTED;
  d->have12 = true;
  return RTG_OK;
}

static int keys13(struct rtg_dtls_decryptor *d, int dir, int app) {
  static const unsigned labels[2][2] = {
      {RTG_DTLS_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET, RTG_DTLS_KL_CLIENT_TRAFFIC_SECRET_0},
      {RTG_DTLS_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET, RTG_DTLS_KL_SERVER_TRAFFIC_SECRET_0}};
  const struct rtg_dtls_keylog_entry *e;
  int rc;
  if (d->have13[dir][app]) return RTG_OK;
  if (!d->have_client_random || !d->have_server_hello) return RTG_ERR_NOTFOUND;
  e = rtg_dtls_keylog_find(d->kl, labels[dir][app], d->client_random);
  if (e == NULL) return RTG_ERR_NOTFOUND;
  rc = rtg_dtls13_keys_derive(d->suite, app ? 3 : 2, e->secret, e->secret_len, &d->k13[dir][app]);
  if (rc) return rc;
  d->have13[dir][app] = true;
  return RTG_OK;
}

/* Decrypted DTLS 1.3 handshake records: EncryptedExtensions carries
 * use_srtp (RFC 8446 §4.3.1), KeyUpdate moves the sender to the next epoch
 * (RFC 8446 §4.6.3, RFC 9147 §8). Only unfragmented messages are read. */
static int observe13(struct rtg_dtls_decryptor *d, struct rtg_dtls13_keys *k, bool app,
                     const uint8_t *pt, size_t len) {
  struct rtg_rd rd;
  rtg_rd_init(&rd, pt, len);
  while (!rtg_rd_empty(&rd)) {
    struct rtg_dtls_hs_frag f;
    if (rtg_dtls_hs_frag_parse(&rd, &f, NULL)) return RTG_OK;
    if (f.msg_type == RTG_DTLS_HS_KEY_UPDATE && app) return rtg_dtls13_keys_update(k);
    if (f.msg_type == RTG_DTLS_HS_ENCRYPTED_EXTENSIONS && f.frag_off == 0 &&
        f.frag_len == f.length) {
      struct rtg_rd body = {f.body.p, f.body.p + f.body.len, f.body.p};
      struct rtg_dtls_hs_msg m;
      const struct rtg_dtls_ext *e;
      struct rtg_dtls_use_srtp u;
      if (rtg_dtls_hs_body_parse(f.msg_type, &body, true, &m, NULL)) continue;
      e = rtg_dtls_exts_find(&m.u.ee, RTG_DTLS_EXT_USE_SRTP);
      if (e != NULL && rtg_dtls_ext_use_srtp_parse(e, &u, NULL) == 0 && u.profiles.n == 1)
        d->srtp_profile = u.profiles.v[0];
    }
  }
  return RTG_OK;
}

ptrdiff_t rtg_dtls_decryptor_record(struct rtg_dtls_decryptor *d, bool from_client,
                                    const struct rtg_dtls_record *rec, uint8_t *out, size_t cap,
                                    uint8_t *type, struct rtg_perr *perr) {
  int dir = from_client ? 0 : 1, rc;
  if (!rec->unified && rec->epoch == 0) {
    if (rec->type == RTG_DTLS_CT_HANDSHAKE) learn(d, dir, rec);
    if (cap < rec->payload.len) return RTG_ERR_NOBUF;
    if (rec->payload.len) memcpy(out, rec->payload.p, rec->payload.len);
    *type = rec->type;
    return (ptrdiff_t)rec->payload.len;
  }
  if (!rec->unified) {
    if (rec->type == RTG_DTLS_CT_TLS12_CID) {
      /* records from the client carry the CID of the ServerHello */
      size_t want = rtg_dtls_decryptor_cid_len(d, from_client);
      if (want == 0 || rec->cid.len != want || memcmp(rec->cid.p, d->cid[!dir], want) != 0)
        return rtg_perr_set(perr, rec->offset + 11, "dtls.record.cid",
                            "connection ID is not the one negotiated for this sender",
                            "RFC 9146 §3");
    }
    if ((rc = keys12(d))) return rc;
    return rtg_dtls12_unprotect_cached_typed(from_client ? &d->c12 : &d->s12, rec, out, cap, type,
                                             perr, &d->cache[dir][0]);
  }
  {
    /* Unified header: epoch bits 2 = handshake keys, otherwise the current
     * application epoch. */
    int app = 1;
    if ((rec->epoch & 3u) == 2 && !(d->have13[dir][1] && (d->k13[dir][1].epoch & 3u) == 2)) app = 0;
    struct rtg_dtls13_keys *k;
    uint64_t seq;
    ptrdiff_t n;
    if (!d->tls13) return RTG_ERR_NOTFOUND;
    if ((rc = keys13(d, dir, app))) return rc;
    k = &d->k13[dir][app];
    n = rtg_dtls13_unprotect_cached(k, rec, out, cap, type, &seq, perr, d->cache[dir]);
    if (n >= 0 && *type == RTG_DTLS_CT_HANDSHAKE && (rc = observe13(d, k, app, out, (size_t)n)))
      return rc;
    return n;
  }
}

size_t rtg_dtls_decryptor_cid_len(const struct rtg_dtls_decryptor *d, bool from_client) {
  int i = from_client ? 1 : 0;
  if (d->tls13 || !d->have_server_hello || !d->cid_sent[0] || !d->cid_sent[1]) return 0;
  return d->cid_len[i];
}

int rtg_dtls_decryptor_srtp_keys(const struct rtg_dtls_decryptor *d, struct rtg_dtls_srtp_keys *k) {
  uint8_t material[2 * (32 + 14)];
  size_t len = rtg_dtls_srtp_material_len(d->srtp_profile);
  const struct rtg_dtls_keylog_entry *e;
  int rc;
  if (!d->have_client_random || !d->have_server_hello || d->srtp_profile == 0) return RTG_ERR_STATE;
  if (len == 0) return RTG_ERR_UNSUPPORTED;
  if (d->tls13) {
    const struct rtg_dtls13_suite *s = rtg_dtls13_suite_find(d->suite);
    e = rtg_dtls_keylog_find(d->kl, RTG_DTLS_KL_EXPORTER_SECRET, d->client_random);
    if (e == NULL) return RTG_ERR_NOTFOUND;
    if (s == NULL) return RTG_ERR_UNSUPPORTED;
    rc = rtg_tls13_export(s->hash_alg, true, e->secret, e->secret_len, RTG_DTLS_SRTP_LABEL, NULL, 0,
                          material, len);
  } else {
    const struct rtg_dtls12_suite *s = rtg_dtls12_suite_find(d->suite);
    e = rtg_dtls_keylog_find(d->kl, RTG_DTLS_KL_CLIENT_RANDOM, d->client_random);
    if (e == NULL) return RTG_ERR_NOTFOUND;
    if (s == NULL) return RTG_ERR_UNSUPPORTED;
    rc = rtg_dtls12_export(s->prf_alg, e->secret, d->client_random, d->server_random,
                           RTG_DTLS_SRTP_LABEL, material, len);
  }
  if (rc) return rc;
  return rtg_dtls_srtp_keys_split(d->srtp_profile, material, len, k);
}
