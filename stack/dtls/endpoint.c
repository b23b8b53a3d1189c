/*
 * endpoint.c - a sans-IO DTLS 1.2 endpoint over OpenSSL (DESIGN.md rule 1).
 *
 * OpenSSL runs the handshake; it talks to a BIO of our own that keeps
 * datagram boundaries: each BIO write is one outgoing datagram queued for
 * poll_transmit, each read hands over the one datagram given to
 * handle_datagram.
 *
 * Time. The caller's clock drives everything here: poll_timeout says when
 * handle_timeout is due, in the caller's time. The retransmission schedule
 * (initial_rto, doubling to 60 s, RFC 6347 §4.2.4.1) is set through
 * DTLS_set_timer_cb. OpenSSL 3.0 reads its DTLS timer with gettimeofday();
 * every call into OpenSSL here runs between rtg_dtls_clock_enter(now) and
 * _leave() (clock.c), during which that time of day is the caller's |now|.
 * So a retransmission happens exactly when handle_timeout (or a datagram)
 * arrives at or after the deadline in the caller's clock, whatever the
 * wall clock says: simulated-time tests need no real waiting.
 *
 * Authentication (RFC 8827 §6.5, RFC 8122 §5): certificates are
 * self-signed; the peer's is accepted only if its hash equals the SDP
 * a=fingerprint given in the config, checked in OpenSSL's verify callback.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "clock.h"
#include "rtg/dtls.h"

#define OUTQ 64
#define EVQ 32
#define MAX_RTO RTG_SEC(60)

struct rtg_dtls_cert {
  const struct rtg_ctx *ctx;
  OSSL_LIB_CTX *libctx; /* seeded certificates: their own generators */
  EVP_PKEY *key;
  X509 *x509;
};

struct outgoing {
  uint8_t *buf;
  size_t len;
};

struct rtg_dtls_endpoint {
  const struct rtg_ctx *ctx;
  OSSL_LIB_CTX *libctx; /* cfg.seeded_rng: generators fed from |ctx| */
  bool own_libctx;      /* else it is the seeded certificate's */
  struct rtg_dtls_config cfg;
  SSL_CTX *sctx;
  SSL *ssl;
  BIO_METHOD *meth;
  rtg_time now, deadline, rto;
  /* the datagram being handed to OpenSSL */
  const uint8_t *in;
  size_t in_len;
  bool in_pending;
  struct outgoing out[OUTQ];
  size_t out_head, out_n;
  struct rtg_dtls_event ev[EVQ];
  uint8_t *ev_buf[EVQ];
  size_t ev_head, ev_n;
  uint8_t *delivered; /* event data handed out last, freed on the next poll */
  bool connected, failed, closed, fp_checked, fp_ok;
  struct rtg_dtls_endpoint_stats st;
};

/* ---- randomness from the context ------------------------------------------- */

/* Fills the generators (primary, public, private) of |lc|, OpenSSL's
 * TEST-RAND, with RTG_DTLS_SEEDED_RNG bytes of |ctx| randomness each: from
 * then on every random value OpenSSL draws in |lc| comes from the caller's
 * context, starting over at the first byte. */
static int seed_generators(OSSL_LIB_CTX *lc, const struct rtg_ctx *ctx) {
  uint8_t *ent = rtg_alloc(ctx, RTG_DTLS_SEEDED_RNG);
  unsigned int strength = 256;
  int rc = ent == NULL ? RTG_ERR_NOMEM : RTG_OK;
  for (int i = 0; rc == RTG_OK && i < 3; i++) {
    EVP_RAND_CTX *r = i == 0   ? RAND_get0_primary(lc)
                      : i == 1 ? RAND_get0_public(lc)
                               : RAND_get0_private(lc);
    OSSL_PARAM p[3];
    if (r == NULL || rtg_random(ctx, ent, RTG_DTLS_SEEDED_RNG)) {
      rc = RTG_ERR_CRYPTO;
      break;
    }
    p[0] =
        OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_ENTROPY, ent, RTG_DTLS_SEEDED_RNG);
    p[1] = OSSL_PARAM_construct_uint(OSSL_RAND_PARAM_STRENGTH, &strength);
    p[2] = OSSL_PARAM_construct_end();
    if (EVP_RAND_CTX_set_params(r, p) != 1) rc = RTG_ERR_CRYPTO;
  }
  rtg_free(ctx, ent);
  return rc;
}

/* A library context with TEST-RAND generators seeded from |ctx|. */
static OSSL_LIB_CTX *seeded_libctx(const struct rtg_ctx *ctx) {
  OSSL_LIB_CTX *lc = OSSL_LIB_CTX_new();
  if (lc == NULL || RAND_set_DRBG_type(lc, "TEST-RAND", NULL, NULL, NULL) != 1 ||
      seed_generators(lc, ctx) != RTG_OK) {
    OSSL_LIB_CTX_free(lc);
    return NULL;
  }
  return lc;
}

/* ---- certificates --------------------------------------------------------- */

static int cert_generate(const struct rtg_ctx *ctx, bool seeded, struct rtg_dtls_cert **out) {
  struct rtg_dtls_cert *c = rtg_alloc(ctx, sizeof *c);
  X509_NAME *name;
  uint8_t serial[8];
  BIGNUM *bn = NULL;
  *out = NULL;
  if (c == NULL) return RTG_ERR_NOMEM;
  c->ctx = ctx;
  if (seeded && (c->libctx = seeded_libctx(ctx)) == NULL) goto fail;
  c->key = EVP_PKEY_Q_keygen(c->libctx, NULL, "EC", "P-256");
  c->x509 = X509_new_ex(c->libctx, NULL);
  if (c->key == NULL || c->x509 == NULL) goto fail;
  if (rtg_random(ctx, serial, sizeof serial)) goto fail;
  serial[0] &= 0x7f;
  bn = BN_bin2bn(serial, sizeof serial, NULL);
  if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c->x509)) == NULL) goto fail;
  name = X509_get_subject_name(c->x509);
  if (X509_set_version(c->x509, 2) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"rtcgate", -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(c->x509, name) != 1 ||
      ASN1_TIME_set_string(X509_getm_notBefore(c->x509), "20200101000000Z") != 1 ||
      ASN1_TIME_set_string(X509_getm_notAfter(c->x509), "20991231235959Z") != 1 ||
      X509_set_pubkey(c->x509, c->key) != 1 || X509_sign(c->x509, c->key, EVP_sha256()) <= 0)
    goto fail;
  BN_free(bn);
  *out = c;
  return RTG_OK;
fail:
  BN_free(bn);
  EVP_PKEY_free(c->key);
  X509_free(c->x509);
  OSSL_LIB_CTX_free(c->libctx);
  rtg_free(ctx, c);
  return RTG_ERR_CRYPTO;
}

int rtg_dtls_cert_generate(const struct rtg_ctx *ctx, struct rtg_dtls_cert **out) {
  return cert_generate(ctx, false, out);
}

int rtg_dtls_cert_generate_seeded(const struct rtg_ctx *ctx, struct rtg_dtls_cert **out) {
  return cert_generate(ctx, true, out);
}

int rtg_dtls_cert_reseed(struct rtg_dtls_cert *c, const struct rtg_ctx *ctx) {
  if (c->libctx == NULL) return RTG_ERR_STATE;
  return seed_generators(c->libctx, ctx);
}

void rtg_dtls_cert_free(struct rtg_dtls_cert *c) {
  if (c == NULL) return;
  EVP_PKEY_free(c->key);
  X509_free(c->x509);
  OSSL_LIB_CTX_free(c->libctx);
  rtg_free(c->ctx, c);
}

static int x509_fingerprint(X509 *x, enum rtg_hash_alg alg, uint8_t *out) {
  unsigned char *der = NULL;
  int n = i2d_X509(x, &der);
  int rc;
  if (n <= 0) return RTG_ERR_CRYPTO;
  rc = rtg_hash(alg, der, (size_t)n, out);
  OPENSSL_free(der);
  return rc;
}

int rtg_dtls_cert_fingerprint(const struct rtg_dtls_cert *c, enum rtg_hash_alg alg, uint8_t *out) {
  if (rtg_hash_size(alg) == 0 || alg == RTG_HASH_MD5) return RTG_ERR_INVAL;
  return x509_fingerprint(c->x509, alg, out);
}

/* ---- events and the outgoing queue -------------------------------------- */

static struct rtg_dtls_event *push_event(struct rtg_dtls_endpoint *ep,
                                         enum rtg_dtls_event_type type, const uint8_t *data,
                                         size_t len, const char *reason) {
  size_t i;
  uint8_t *copy = NULL;
  if (ep->ev_n == EVQ) return NULL; /* the caller is not draining: drop */
  if (len) {
    copy = rtg_alloc(ep->ctx, len);
    if (copy == NULL) return NULL;
    memcpy(copy, data, len);
  }
  i = (ep->ev_head + ep->ev_n) % EVQ;
  memset(&ep->ev[i], 0, sizeof ep->ev[i]);
  ep->ev[i].type = type;
  ep->ev[i].data = copy;
  ep->ev[i].len = len;
  ep->ev[i].reason = reason;
  ep->ev_buf[i] = copy;
  ep->ev_n++;
  return &ep->ev[i];
}

static void fail(struct rtg_dtls_endpoint *ep, const char *reason) {
  if (ep->failed) return;
  ep->failed = true;
  push_event(ep, RTG_DTLS_EV_FAILED, NULL, 0, reason);
}

/* ---- the datagram BIO --------------------------------------------------- */

static int bio_write(BIO *b, const char *data, int len) {
  struct rtg_dtls_endpoint *ep = BIO_get_data(b);
  struct outgoing *o;
  if (len <= 0) return 0;
  if (ep->out_n == OUTQ) return len; /* queue full: behaves like loss */
  o = &ep->out[(ep->out_head + ep->out_n) % OUTQ];
  o->buf = rtg_alloc(ep->ctx, (size_t)len);
  if (o->buf == NULL) return len;
  memcpy(o->buf, data, (size_t)len);
  o->len = (size_t)len;
  ep->out_n++;
  ep->st.datagrams_out++;
  return len;
}

static int bio_read(BIO *b, char *buf, int cap) {
  struct rtg_dtls_endpoint *ep = BIO_get_data(b);
  size_t n;
  BIO_clear_retry_flags(b);
  if (!ep->in_pending) {
    BIO_set_retry_read(b);
    return -1;
  }
  n = ep->in_len < (size_t)cap ? ep->in_len : (size_t)cap; /* a datagram: excess is lost */
  memcpy(buf, ep->in, n);
  ep->in_pending = false;
  return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
  struct rtg_dtls_endpoint *ep = BIO_get_data(b);
  (void)num;
  (void)ptr;
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return ep->in_pending ? (long)ep->in_len : 0;
    case BIO_CTRL_WPENDING: return 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return (long)ep->cfg.mtu;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 0;
    default: return 0;
  }
}

static int bio_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

/* ---- OpenSSL callbacks ------------------------------------------------------ */

static unsigned int timer_cb(SSL *ssl, unsigned int prev_us) {
  struct rtg_dtls_endpoint *ep = SSL_get_app_data(ssl);
  if (prev_us == 0) {
    ep->rto = ep->cfg.initial_rto;
  } else {
    ep->rto *= 2;
    if (ep->rto > MAX_RTO) ep->rto = MAX_RTO;
  }
  return (unsigned int)(ep->rto / 1000);
}

/* OpenSSL's remaining timer in the caller's clock. */
static void refresh_deadline(struct rtg_dtls_endpoint *ep) {
  struct timeval tv;
  if (ep->failed || DTLSv1_get_timeout(ep->ssl, &tv) != 1) {
    ep->deadline = RTG_TIME_NEVER;
    return;
  }
  ep->deadline = ep->now + RTG_SEC(tv.tv_sec) + RTG_US(tv.tv_usec);
}

static int verify_cb(int preverify_ok, X509_STORE_CTX *xs) {
  SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
  struct rtg_dtls_endpoint *ep = SSL_get_app_data(ssl);
  uint8_t fp[RTG_HASH_MAX];
  (void)preverify_ok;
  /* Self-signed chains make OpenSSL's own checks fail; only the peer
   * certificate's fingerprint decides. */
  if (X509_STORE_CTX_get_error_depth(xs) != 0) return 1;
  if (!ep->fp_checked) {
    X509 *peer = X509_STORE_CTX_get_current_cert(xs);
    size_t n = rtg_hash_size(ep->cfg.peer_fp_alg);
    ep->fp_checked = true;
    ep->fp_ok = peer != NULL && x509_fingerprint(peer, ep->cfg.peer_fp_alg, fp) == 0 &&
                rtg_memeq_ct(fp, ep->cfg.peer_fp, n) == 0;
    if (!ep->fp_ok) {
      push_event(ep, RTG_DTLS_EV_FINGERPRINT_MISMATCH, NULL, 0,
                 "peer certificate does not match the SDP a=fingerprint (RFC 8122 §5)");
      fail(ep, "peer certificate does not match the SDP a=fingerprint");
    }
  }
  if (!ep->fp_ok) X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
  return ep->fp_ok ? 1 : 0;
}

static void keylog_cb(const SSL *ssl, const char *line) {
  struct rtg_dtls_endpoint *ep = SSL_get_app_data(ssl);
  if (ep->cfg.keylog) ep->cfg.keylog(ep->cfg.keylog_ud, line);
}

/* ---- driving OpenSSL ---------------------------------------------------------- */

static const char *srtp_name(uint16_t p) {
  switch (p) {
    case RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80: return "SRTP_AES128_CM_SHA1_80";
    case RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_32: return "SRTP_AES128_CM_SHA1_32";
    case RTG_DTLS_SRTP_AEAD_AES_128_GCM: return "SRTP_AEAD_AES_128_GCM";
    case RTG_DTLS_SRTP_AEAD_AES_256_GCM: return "SRTP_AEAD_AES_256_GCM";
    default: return NULL;
  }
}

static const char *ssl_reason(void) {
  unsigned long e = ERR_peek_last_error();
  const char *r = e ? ERR_reason_error_string(e) : NULL;
  ERR_clear_error();
  return r ? r : "DTLS handshake failed";
}

static void drive(struct rtg_dtls_endpoint *ep) {
  uint8_t buf[16384];
  int rc;
  if (ep->failed || ep->closed) return;
  if (!ep->connected) {
    rc = SSL_do_handshake(ep->ssl);
    if (rc == 1) {
      const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(ep->ssl);
      struct rtg_dtls_event *ev = push_event(ep, RTG_DTLS_EV_CONNECTED, NULL, 0, NULL);
      ep->connected = true;
      if (ev != NULL) ev->srtp_profile = p ? (uint16_t)p->id : 0;
    } else {
      int err = SSL_get_error(ep->ssl, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) fail(ep, ssl_reason());
      return;
    }
  }
  for (;;) {
    rc = SSL_read(ep->ssl, buf, sizeof buf);
    if (rc > 0) {
      push_event(ep, RTG_DTLS_EV_DATA, buf, (size_t)rc, NULL);
      continue;
    }
    switch (SSL_get_error(ep->ssl, rc)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE: return;
      case SSL_ERROR_ZERO_RETURN:
        ep->closed = true;
        push_event(ep, RTG_DTLS_EV_CLOSED, NULL, 0, "close_notify");
        return;
      default: fail(ep, ssl_reason()); return;
    }
  }
}

int rtg_dtls_endpoint_new(const struct rtg_ctx *ctx, const struct rtg_dtls_config *cfg,
                          rtg_time now, struct rtg_dtls_endpoint **out) {
  struct rtg_dtls_endpoint *ep;
  BIO *bio;
  char profiles[128] = "";
  *out = NULL;
  if (cfg->cert == NULL || rtg_hash_size(cfg->peer_fp_alg) == 0 ||
      cfg->peer_fp_alg == RTG_HASH_MD5 ||
      (cfg->role != RTG_DTLS_ROLE_CLIENT && cfg->role != RTG_DTLS_ROLE_SERVER))
    return RTG_ERR_INVAL;
  for (size_t i = 0; i < cfg->n_srtp_profiles; i++) {
    const char *n = srtp_name(cfg->srtp_profiles[i]);
    if (n == NULL || strlen(profiles) + strlen(n) + 2 > sizeof profiles) return RTG_ERR_INVAL;
    if (i) strcat(profiles, ":");
    strcat(profiles, n);
  }
  ep = rtg_alloc(ctx, sizeof *ep);
  if (ep == NULL) return RTG_ERR_NOMEM;
  ep->ctx = ctx;
  ep->cfg = *cfg;
  if (ep->cfg.mtu == 0) ep->cfg.mtu = 1200;
  if (ep->cfg.initial_rto <= 0) ep->cfg.initial_rto = RTG_SEC(1);
  ep->now = now;
  ep->deadline = RTG_TIME_NEVER;
  if (cfg->seeded_rng && cfg->cert->libctx != NULL) {
    ep->libctx = cfg->cert->libctx; /* one stream for the certificate and us */
  } else if (cfg->seeded_rng) {
    ep->own_libctx = true;
    if ((ep->libctx = seeded_libctx(ctx)) == NULL) goto fail;
  }
  ep->sctx = SSL_CTX_new_ex(
      ep->libctx, NULL,
      cfg->role == RTG_DTLS_ROLE_CLIENT ? DTLS_client_method() : DTLS_server_method());
  ep->meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rtg_dtls_datagram");
  if (ep->sctx == NULL || ep->meth == NULL) goto fail;
  BIO_meth_set_write(ep->meth, bio_write);
  BIO_meth_set_read(ep->meth, bio_read);
  BIO_meth_set_ctrl(ep->meth, bio_ctrl);
  BIO_meth_set_create(ep->meth, bio_create);
  if (SSL_CTX_set_min_proto_version(ep->sctx, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ep->sctx, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ep->sctx, cfg->cert->x509) != 1 ||
      SSL_CTX_use_PrivateKey(ep->sctx, cfg->cert->key) != 1 ||
      (profiles[0] && SSL_CTX_set_tlsext_use_srtp(ep->sctx, profiles) != 0))
    goto fail;
  SSL_CTX_set_verify(ep->sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
  SSL_CTX_set_keylog_callback(ep->sctx, keylog_cb);
  /* WebRTC: no session resumption, no renegotiation. */
  SSL_CTX_set_session_cache_mode(ep->sctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ep->sctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU);
  ep->ssl = SSL_new(ep->sctx);
  bio = BIO_new(ep->meth);
  if (ep->ssl == NULL || bio == NULL) {
    BIO_free(bio);
    goto fail;
  }
  BIO_set_data(bio, ep);
  SSL_set_bio(ep->ssl, bio, bio);
  SSL_set_app_data(ep->ssl, ep);
  DTLS_set_timer_cb(ep->ssl, timer_cb);
  SSL_set_mtu(ep->ssl, (long)ep->cfg.mtu);
  DTLS_set_link_mtu(ep->ssl, (long)ep->cfg.mtu);
  if (cfg->role == RTG_DTLS_ROLE_CLIENT) {
    SSL_set_connect_state(ep->ssl);
    rtg_dtls_clock_enter(now);
    drive(ep);
    refresh_deadline(ep);
    rtg_dtls_clock_leave();
  } else {
    SSL_set_accept_state(ep->ssl);
  }
  *out = ep;
  return RTG_OK;
fail:
  ERR_clear_error();
  rtg_dtls_endpoint_free(ep);
  return RTG_ERR_CRYPTO;
}

void rtg_dtls_endpoint_free(struct rtg_dtls_endpoint *ep) {
  if (ep == NULL) return;
  SSL_free(ep->ssl);
  SSL_CTX_free(ep->sctx);
  if (ep->own_libctx) OSSL_LIB_CTX_free(ep->libctx);
  BIO_meth_free(ep->meth);
  while (ep->out_n) {
    rtg_free(ep->ctx, ep->out[ep->out_head].buf);
    ep->out_head = (ep->out_head + 1) % OUTQ;
    ep->out_n--;
  }
  while (ep->ev_n) {
    rtg_free(ep->ctx, ep->ev_buf[ep->ev_head]);
    ep->ev_head = (ep->ev_head + 1) % EVQ;
    ep->ev_n--;
  }
  rtg_free(ep->ctx, ep->delivered);
  rtg_free(ep->ctx, ep);
}

int rtg_dtls_endpoint_handle_datagram(struct rtg_dtls_endpoint *ep, rtg_time now,
                                      const uint8_t *data, size_t len) {
  if (ep->failed || ep->closed) return RTG_ERR_STATE;
  ep->now = now;
  ep->st.datagrams_in++;
  if (len == 0) return RTG_OK;
  ep->in = data;
  ep->in_len = len;
  ep->in_pending = true;
  rtg_dtls_clock_enter(now);
  drive(ep);
  /* OpenSSL may stop reading early (e.g. a failed handshake): forget it. */
  ep->in_pending = false;
  ep->in = NULL;
  refresh_deadline(ep);
  rtg_dtls_clock_leave();
  return RTG_OK;
}

int rtg_dtls_endpoint_handle_timeout(struct rtg_dtls_endpoint *ep, rtg_time now) {
  uint64_t before;
  long rc;
  if (ep->failed || ep->closed) return RTG_ERR_STATE;
  ep->now = now;
  if (now < ep->deadline) return RTG_OK;
  before = ep->st.datagrams_out;
  rtg_dtls_clock_enter(now);
  rc = DTLSv1_handle_timeout(ep->ssl);
  if (rc < 0) {
    fail(ep, "too many retransmissions without an answer (RFC 6347 §4.2.4)");
  } else if (rc > 0) {
    ep->st.timeouts++;
    ep->st.retransmit_datagrams += ep->st.datagrams_out - before;
    drive(ep);
  }
  refresh_deadline(ep);
  rtg_dtls_clock_leave();
  return RTG_OK;
}

int rtg_dtls_endpoint_poll_transmit(struct rtg_dtls_endpoint *ep, uint8_t *buf, size_t cap,
                                    size_t *len) {
  struct outgoing *o;
  if (ep->out_n == 0) return RTG_ERR_AGAIN;
  o = &ep->out[ep->out_head];
  if (o->len > cap) return RTG_ERR_NOBUF;
  memcpy(buf, o->buf, o->len);
  *len = o->len;
  rtg_free(ep->ctx, o->buf);
  o->buf = NULL;
  ep->out_head = (ep->out_head + 1) % OUTQ;
  ep->out_n--;
  return RTG_OK;
}

rtg_time rtg_dtls_endpoint_poll_timeout(const struct rtg_dtls_endpoint *ep) {
  if (ep->failed || ep->closed) return RTG_TIME_NEVER;
  return ep->deadline;
}

int rtg_dtls_endpoint_poll_event(struct rtg_dtls_endpoint *ep, struct rtg_dtls_event *ev) {
  rtg_free(ep->ctx, ep->delivered);
  ep->delivered = NULL;
  if (ep->ev_n == 0) return RTG_ERR_AGAIN;
  *ev = ep->ev[ep->ev_head];
  ep->delivered = ep->ev_buf[ep->ev_head];
  ep->ev_buf[ep->ev_head] = NULL;
  ep->ev_head = (ep->ev_head + 1) % EVQ;
  ep->ev_n--;
  return RTG_OK;
}

int rtg_dtls_endpoint_send(struct rtg_dtls_endpoint *ep, const uint8_t *data, size_t len) {
  int rc;
  if (!ep->connected || ep->failed || ep->closed) return RTG_ERR_STATE;
  if (len == 0) return RTG_OK;
  if (len > ep->cfg.mtu || len > 16384) return RTG_ERR_INVAL;
  rtg_dtls_clock_enter(ep->now);
  rc = SSL_write(ep->ssl, data, (int)len);
  rtg_dtls_clock_leave();
  if (rc != (int)len) {
    ERR_clear_error();
    return RTG_ERR_CRYPTO;
  }
  return RTG_OK;
}

int rtg_dtls_endpoint_close(struct rtg_dtls_endpoint *ep) {
  if (ep->failed || ep->closed) return RTG_ERR_STATE;
  rtg_dtls_clock_enter(ep->now);
  if (SSL_shutdown(ep->ssl) < 0) ERR_clear_error();
  rtg_dtls_clock_leave();
  ep->closed = true;
  ep->deadline = RTG_TIME_NEVER;
  return RTG_OK;
}

int rtg_dtls_endpoint_srtp_keys(const struct rtg_dtls_endpoint *ep, struct rtg_dtls_srtp_keys *k) {
  const SRTP_PROTECTION_PROFILE *p;
  uint8_t material[2 * (32 + 14)];
  size_t len;
  if (!ep->connected) return RTG_ERR_STATE;
  p = SSL_get_selected_srtp_profile(ep->ssl);
  if (p == NULL) return RTG_ERR_STATE;
  len = rtg_dtls_srtp_material_len((uint16_t)p->id);
  if (len == 0) return RTG_ERR_STATE;
  if (SSL_export_keying_material(ep->ssl, material, len, RTG_DTLS_SRTP_LABEL,
                                 strlen(RTG_DTLS_SRTP_LABEL), NULL, 0, 0) != 1) {
    ERR_clear_error();
    return RTG_ERR_CRYPTO;
  }
  return rtg_dtls_srtp_keys_split((uint16_t)p->id, material, len, k);
}

void rtg_dtls_endpoint_stats(const struct rtg_dtls_endpoint *ep,
                             struct rtg_dtls_endpoint_stats *st) {
  *st = ep->st;
}
