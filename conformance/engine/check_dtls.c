/*
 * check_dtls.c - DTLS records and the plaintext part of the handshake:
 * records parsed (several per datagram), handshake fragments reassembled per
 * direction, ClientHello use_srtp (RFC 5764 §4.1.1), the version and SRTP
 * profile chosen by the ServerHello, plaintext alerts, and - for DTLS 1.2,
 * whose Certificate is sent in the clear - the peer certificate against the
 * sender's SDP a=fingerprint (RFC 8122 §5: a mismatch is a MitM finding).
 * Datagrams are parsed with the connection ID length (RFC 9146) the
 * session decryptor learnt from the hellos for their direction.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"
#include "rtg/dtls.h"

#define MAX_RECORDS 32

static void check_cert(struct rtg_replay *r, struct rtg_flow *fl, int dir,
                       const struct rtg_dtls_certificate *c) {
  const struct rtg_replay_sdp *sdp;
  uint8_t md[RTG_HASH_MAX];
  char got[3 * RTG_HASH_MAX + 1];
  if (c->n == 0 || fl->sdp_of[dir] == 0) return;
  sdp = &r->sdp[fl->sdp_of[dir] - 1];
  if (sdp->fp_alg == 0) return;
  if (rtg_hash((enum rtg_hash_alg)sdp->fp_alg, c->cert[0].p, c->cert[0].len, md)) return;
  if (rtg_hash_size((enum rtg_hash_alg)sdp->fp_alg) == sdp->fp_len &&
      memcmp(md, sdp->fp, sdp->fp_len) == 0)
    return;
  if (rtg_hex_encode(got, sizeof got, md, rtg_hash_size((enum rtg_hash_alg)sdp->fp_alg), ':',
                     true) < 0)
    got[0] = '\0';
  rtg_finding(r, R_DTLS_FINGERPRINT_MISMATCH, fl->session,
              "certificate %s is %s, but %s declares a different a=fingerprint",
              rtg_hash_name((enum rtg_hash_alg)sdp->fp_alg), got, sdp->path);
}

/* connection_id (RFC 9146 §3: opaque cid<0..2^8-1>) of a hello. */
static void hello_cid(struct rtg_flow *fl, int which, const struct rtg_dtls_exts *exts) {
  const struct rtg_dtls_ext *x = rtg_dtls_exts_find(exts, RTG_DTLS_EXT_CONNECTION_ID);
  if (x == NULL || x->data.len < 1 || (size_t)x->data.p[0] + 1 != x->data.len) return;
  fl->hello_cid_seen[which] = true;
  fl->hello_cid_len[which] = x->data.p[0];
  memcpy(fl->hello_cid[which], x->data.p + 1, x->data.p[0]);
}

static void on_hello(struct rtg_replay *r, struct rtg_flow *fl, const struct rtg_dtls_hs_msg *m) {
  const struct rtg_dtls_ext *x;
  struct rtg_dtls_use_srtp us;
  struct rtg_dtls_u16_list vers;
  hello_cid(fl, m->type == RTG_DTLS_HS_CLIENT_HELLO ? 0 : 1,
            m->type == RTG_DTLS_HS_CLIENT_HELLO ? &m->u.ch.exts : &m->u.sh.exts);
  if (m->type == RTG_DTLS_HS_CLIENT_HELLO) {
    if (m->u.ch.random.len == 32 && r->n_ch_random < 64)
      memcpy(r->ch_random[r->n_ch_random++], m->u.ch.random.p, 32);
    x = rtg_dtls_exts_find(&m->u.ch.exts, RTG_DTLS_EXT_USE_SRTP);
    if (x == NULL) {
      rtg_finding(r, R_DTLS_NO_USE_SRTP, fl->session,
                  "ClientHello offers no use_srtp extension: no DTLS-SRTP keys can result");
      return;
    }
    if (rtg_dtls_ext_use_srtp_parse(x, &us, NULL) == 0) {
      /* (the random is recorded below, whatever use_srtp says) */
      fl->n_srtp_offered = us.profiles.n < 8 ? us.profiles.n : 8;
      memcpy(fl->srtp_offered, us.profiles.v, fl->n_srtp_offered * sizeof(uint16_t));
    }
    return;
  }
  /* ServerHello */
  fl->dtls_version = m->u.sh.version;
  x = rtg_dtls_exts_find(&m->u.sh.exts, RTG_DTLS_EXT_SUPPORTED_VERSIONS);
  if (x && rtg_dtls_ext_versions_parse(x, false, &vers, NULL) == 0 && vers.n == 1)
    fl->dtls_version = vers.v[0];
  x = rtg_dtls_exts_find(&m->u.sh.exts, RTG_DTLS_EXT_USE_SRTP);
  if (x && rtg_dtls_ext_use_srtp_parse(x, &us, NULL) == 0 && us.profiles.n == 1)
    fl->srtp_profile = us.profiles.v[0];
}

void rtg_dtls_handshake_bytes(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_dtls_reasm *ra = fl->dtls_reasm[dir];
  struct rtg_rd rd;
  struct rtg_dtls_hs_frag fr;
  struct rtg_dtls_hs_raw raw;
  if (ra == NULL) {
    ra = calloc(1, sizeof *ra);
    if (ra == NULL) return;
    rtg_dtls_reasm_init(ra, &r->ctx, 0);
    fl->dtls_reasm[dir] = ra;
  }
  rtg_rd_init(&rd, p, n);
  while (!rtg_rd_empty(&rd) && rtg_dtls_hs_frag_parse(&rd, &fr, NULL) == 0) {
    if (rtg_dtls_reasm_add(ra, &fr, NULL)) break;
  }
  while (rtg_dtls_reasm_next(ra, &raw) == 0) {
    struct rtg_dtls_hs_msg m;
    struct rtg_rd body;
    const char *hn = rtg_dtls_hs_name(raw.msg_type);
    rtg_replay_event(r, f, dir, false, "DTLS %s", hn ? hn : "handshake");
    rtg_rd_init(&body, raw.body.p, raw.body.len);
    if (rtg_dtls_hs_body_parse(raw.msg_type, &body, fl->dtls_version == 0xfefc, &m, NULL)) continue;
    if (raw.msg_type == RTG_DTLS_HS_CLIENT_HELLO) fl->client_dir = dir;
    if (raw.msg_type == RTG_DTLS_HS_CLIENT_HELLO || raw.msg_type == RTG_DTLS_HS_SERVER_HELLO)
      on_hello(r, fl, &m);
    else if (raw.msg_type == RTG_DTLS_HS_CERTIFICATE)
      check_cert(r, fl, dir, &m.u.cert);
  }
}

/* The CID length on the records a flow's endpoint sends: the hellos'
 * connection_id (RFC 9146 §3: in use when both sent one; the client's
 * records carry the ServerHello's CID, the server's the ClientHello's).
 * The hellos are always in the clear, so this holds with or without a key
 * log. */
static size_t hello_cid_len(const struct rtg_flow *fl, bool from_client) {
  if (!fl->hello_cid_seen[0] || !fl->hello_cid_seen[1]) return 0;
  return fl->hello_cid_len[from_client ? 1 : 0];
}

/* The connection ID length of the records direction |dir| of flow |f|
 * sends, from the flow's hellos or those of the flow it continues. A flow
 * not linked yet whose datagram starts with a tls12_cid record (an
 * association moved to a new path: what CIDs are for) takes the length of
 * the negotiated CID its bytes carry, so that the decryptor can link it. */
static size_t cid_len_of(const struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  const struct rtg_flow *fl = &r->flows[f];
  if (fl->dtls_owner >= 0) {
    if (fl->dtls_swap) dir = !dir;
    fl = &r->flows[fl->dtls_owner];
  }
  if (fl->client_dir >= 0) return hello_cid_len(fl, dir == fl->client_dir);
  if (n < 11 || p[0] != RTG_DTLS_CT_TLS12_CID) return 0;
  for (int g = 0; g < r->nflows; g++) {
    const struct rtg_flow *o = &r->flows[g];
    for (int from_client = 0; from_client < 2; from_client++) {
      size_t len = hello_cid_len(o, from_client);
      if (len && n >= 11 + len && memcmp(p + 11, o->hello_cid[from_client ? 1 : 0], len) == 0)
        return len;
    }
  }
  return 0;
}

void rtg_check_dtls(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_dtls_record recs[MAX_RECORDS];
  struct rtg_perr e;
  size_t nrec = 0;
  char msg[160];
  int rc;
  fl->n_dtls++;
  fl->dtls_seen = true;
  r->dtls++;
  rtg_perr_clear(&e);
  rc = rtg_dtls_datagram_parse(p, n, cid_len_of(r, f, dir, p, n), recs, MAX_RECORDS, &nrec, &e);
  if (rc == RTG_ERR_PARSE) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_DTLS_MALFORMED, fl->session, "%s", msg);
  }
  r->dtls_records += nrec;
  for (size_t i = 0; i < nrec; i++) {
    const struct rtg_dtls_record *rec = &recs[i];
    if (rec->unified || rec->epoch != 0) { /* encrypted */
      if (r->n_dtls_events++ < 40)
        rtg_replay_event(r, f, dir, false, "DTLS encrypted record (epoch %u)", rec->epoch);
    } else if (rec->type == RTG_DTLS_CT_HANDSHAKE) {
      rtg_dtls_handshake_bytes(r, f, dir, rec->payload.p, rec->payload.len);
    } else if (rec->type == RTG_DTLS_CT_ALERT) {
      struct rtg_rd rd;
      struct rtg_dtls_alert a;
      rtg_rd_init(&rd, rec->payload.p, rec->payload.len);
      if (rtg_dtls_alert_parse(&rd, &a, NULL) == 0)
        rtg_finding(r, R_DTLS_ALERT, fl->session, "plaintext alert %s (level %u)",
                    rtg_dtls_alert_name(a.desc), a.level);
    }
    /* With a key log every record, plaintext ones included (the decryptor
     * learns the hellos from them), goes through the session decryptor,
     * after the plaintext pass has told which direction is the client. */
    if (r->kl->n) rtg_decrypt_dtls_record(r, f, dir, rec);
  }
}
