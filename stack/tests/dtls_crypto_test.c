/*
 * dtls_crypto_test.c - key log parsing, DTLS 1.2 decryption of recorded
 * OpenSSL sessions (AES-GCM, AES-256-GCM, AES-CBC with encrypt-then-MAC and
 * MAC-then-encrypt, ChaCha20-Poly1305), the RFC 5705 / RFC 5764 exporter,
 * RFC 8448 TLS 1.3 key schedule values, DTLS 1.3 record protection with
 * record number encryption, key update, and the TLS 1.3 exporter checked
 * against OpenSSL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <srtp2/srtp.h>

#include "rtg/dtls.h"
#include "test_util.h"

struct blob {
  uint8_t d[8192];
  size_t n;
};

static void load(const char *sess, const char *file, struct blob *b) {
  b->n = tu_load(b->d, sizeof b->d, "stack/dtls/testdata/%s/%s", sess, file);
}

static void unhex(const char *s, uint8_t *out, size_t n) {
  assert_int_equal(rtg_hex_decode(out, n, s, strlen(s), NULL), (ptrdiff_t)n);
}

/* ---- key log ---------------------------------------------------------------- */

static void test_dtls_keylog_parse_and_format(void **state) {
  static const char text[] =
      "# comment\r\n"
      "\n"
      "SERVER_HANDSHAKE_TRAFFIC_SECRET "
      "0101010101010101010101010101010101010101010101010101010101010101 "
      "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38\n"
      "UNKNOWN_LABEL 00 11\n"
      "CLIENT_RANDOM 0202020202020202020202020202020202020202020202020202020202020202 "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
      "202122232425262728292a2b2c2d2e2f";
  struct rtg_dtls_keylog *kl = calloc(1, sizeof *kl);
  uint8_t cr[32];
  const struct rtg_dtls_keylog_entry *e;
  char line[300];
  struct rtg_perr perr;
  (void)state;
  assert_int_equal(rtg_dtls_keylog_parse(kl, text, strlen(text), NULL), 0);
  assert_int_equal(kl->n, 2);
  memset(cr, 1, 32);
  e = rtg_dtls_keylog_find(kl, RTG_DTLS_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET, cr);
  assert_non_null(e);
  assert_int_equal(e->secret_len, 32);
  assert_int_equal(e->secret[0], 0xb6);
  assert_null(rtg_dtls_keylog_find(kl, RTG_DTLS_KL_CLIENT_RANDOM, cr));
  memset(cr, 2, 32);
  e = rtg_dtls_keylog_find(kl, RTG_DTLS_KL_CLIENT_RANDOM, cr);
  assert_non_null(e);
  assert_int_equal(e->secret_len, 48);
  /* writer output parses back to the same entry */
  assert_true(rtg_dtls_keylog_format(line, sizeof line, e->label, e->client_random, e->secret,
                                     e->secret_len) > 0);
  assert_memory_equal(line, "CLIENT_RANDOM 0202", 18);
  kl->n = 0;
  assert_int_equal(rtg_dtls_keylog_parse(kl, line, strlen(line), NULL), 0);
  assert_int_equal(kl->n, 1);
  assert_memory_equal(kl->e[0].secret, e->secret, 48);
  /* malformed: client_random one digit short; offset points at it */
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_keylog_parse(kl, "CLIENT_RANDOM 0a0b 00\n", 22, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "keylog.client_random");
  assert_int_equal(perr.offset, 14);
  /* CLIENT_RANDOM with a 32-byte secret */
  snprintf(line, sizeof line, "CLIENT_RANDOM %064d %064d\n", 0, 0);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_keylog_parse(kl, line, strlen(line), &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.reason, "CLIENT_RANDOM master secret must be 48 bytes");
  free(kl);
}

/* ---- DTLS 1.2 from recorded sessions ------------------------------------------------ */

struct session {
  struct rtg_dtls_keylog kl;
  struct rtg_dtls_decryptor d;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
};

static struct session *session_new(void) {
  struct session *s = calloc(1, sizeof *s);
  assert_non_null(s);
  rtg_ctx_deterministic(&s->ctx, &s->prng, 1, NULL);
  rtg_dtls_decryptor_init(&s->d, &s->kl, &s->ctx);
  return s;
}

static void session_free(struct session *s) {
  rtg_dtls_decryptor_free(&s->d);
  free(s);
}

/* Feeds a datagram; returns the content of the last record in |out|. */
static ptrdiff_t feed(struct session *s, const char *sess, const char *file, bool from_client,
                      uint8_t *out, size_t cap, uint8_t *type, int *err) {
  struct blob b;
  struct rtg_dtls_record recs[16];
  size_t n;
  ptrdiff_t got = 0;
  load(sess, file, &b);
  assert_int_equal(rtg_dtls_datagram_parse(b.d, b.n, 0, recs, 16, &n, NULL), 0);
  for (size_t i = 0; i < n; i++) {
    struct rtg_perr perr;
    rtg_perr_clear(&perr);
    got = rtg_dtls_decryptor_record(&s->d, from_client, &recs[i], out, cap, type, &perr);
    if (got < 0) {
      if (err) *err = (int)got;
      return got;
    }
  }
  return got;
}

static struct session *open_session(const char *sess) {
  struct session *s = session_new();
  struct blob kl;
  uint8_t out[4096], type;
  load(sess, "keylog.txt", &kl);
  assert_int_equal(rtg_dtls_keylog_parse(&s->kl, (const char *)kl.d, kl.n, NULL), 0);
  assert_true(feed(s, sess, "00-c.bin", true, out, sizeof out, &type, NULL) > 0);
  assert_true(feed(s, sess, "01-s.bin", false, out, sizeof out, &type, NULL) > 0);
  assert_true(feed(s, sess, "02-c.bin", true, out, sizeof out, &type, NULL) > 0);
  assert_true(feed(s, sess, "03-s.bin", false, out, sizeof out, &type, NULL) > 0);
  return s;
}

/* The client flight ends with its encrypted Finished, the server answers
 * with its own; then application data both ways and close_notify. */
static void decrypt_session(const char *sess, uint16_t suite, bool etm) {
  struct session *s = open_session(sess);
  uint8_t out[4096], type;
  ptrdiff_t n;
  assert_int_equal(s->d.suite, suite);
  assert_int_equal(s->d.etm, etm);
  assert_false(s->d.tls13);
  n = feed(s, sess, "04-c.bin", true, out, sizeof out, &type, NULL);
  assert_int_equal(n, 24); /* Finished: 12-byte header + 12 verify_data */
  assert_int_equal(type, RTG_DTLS_CT_HANDSHAKE);
  assert_int_equal(out[0], RTG_DTLS_HS_FINISHED);
  n = feed(s, sess, "05-s.bin", false, out, sizeof out, &type, NULL);
  assert_int_equal(n, 24);
  assert_int_equal(out[0], RTG_DTLS_HS_FINISHED);
  n = feed(s, sess, "06-c-app.bin", true, out, sizeof out, &type, NULL);
  assert_int_equal(n, 17);
  assert_int_equal(type, RTG_DTLS_CT_APPDATA);
  assert_memory_equal(out, "hello from client", 17);
  n = feed(s, sess, "07-s-app.bin", false, out, sizeof out, &type, NULL);
  assert_int_equal(n, 18);
  assert_memory_equal(out, "hello from server!", 18);
  n = feed(s, sess, "08-c-close.bin", true, out, sizeof out, &type, NULL);
  assert_int_equal(n, 2);
  assert_int_equal(type, RTG_DTLS_CT_ALERT);
  assert_int_equal(out[0], 1); /* warning */
  assert_int_equal(out[1], 0); /* close_notify */
  session_free(s);
}

static void test_dtls12_unprotect_aes128_gcm(void **state) {
  (void)state;
  decrypt_session("dtls12-gcm", 0xc02b, false);
}
static void test_dtls12_unprotect_aes256_gcm(void **state) {
  (void)state;
  decrypt_session("dtls12-gcm256", 0xc02c, false);
}
static void test_dtls12_unprotect_chacha20(void **state) {
  (void)state;
  decrypt_session("dtls12-chacha", 0xcca9, false);
}
static void test_dtls12_unprotect_cbc_etm(void **state) {
  (void)state;
  decrypt_session("dtls12-cbc", 0xc009, true);
}
static void test_dtls12_unprotect_cbc_sha384_etm(void **state) {
  (void)state;
  decrypt_session("dtls12-cbc384", 0xc024, true);
}
static void test_dtls12_unprotect_cbc_mac_then_encrypt(void **state) {
  (void)state;
  decrypt_session("dtls12-cbc-mte", 0xc009, false);
}

/* A flipped ciphertext bit fails authentication with a clear error. */
static void tamper(const char *sess, const char *field) {
  struct session *s = open_session(sess);
  struct blob b;
  struct rtg_dtls_record rec;
  struct rtg_rd rd;
  struct rtg_perr perr;
  uint8_t out[4096], type;
  load(sess, "06-c-app.bin", &b);
  b.d[b.n - 20] ^= 0x01;
  rtg_rd_init(&rd, b.d, b.n);
  assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, true, &rec, out, sizeof out, &type, &perr),
                   RTG_ERR_AUTH);
  assert_string_equal(perr.field, field);
  /* wrong direction's keys: also an authentication failure */
  load(sess, "06-c-app.bin", &b);
  rtg_rd_init(&rd, b.d, b.n);
  assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, false, &rec, out, sizeof out, &type, NULL),
                   RTG_ERR_AUTH);
  session_free(s);
}

static void test_dtls12_unprotect_tampered(void **state) {
  (void)state;
  tamper("dtls12-gcm", "dtls.record.tag");
  tamper("dtls12-chacha", "dtls.record.tag");
  tamper("dtls12-cbc", "dtls.record.mac");
}

/* Without the session's line in the key log nothing is decrypted. */
static void test_dtls12_unprotect_missing_secret(void **state) {
  struct session *s = open_session("dtls12-gcm");
  uint8_t out[4096], type;
  int err = 0;
  (void)state;
  s->kl.n = 0;
  assert_int_equal(feed(s, "dtls12-gcm", "06-c-app.bin", true, out, sizeof out, &type, &err),
                   RTG_ERR_NOTFOUND);
  session_free(s);
}

/* RFC 5764 §4.2 keying material from the key log equals what OpenSSL's
 * SSL_export_keying_material gave the client (the "# EXPORT" line, 60
 * bytes; the session negotiated SRTP_AEAD_AES_128_GCM, which uses 56). */
static void test_dtls12_export_srtp_matches_openssl(void **state) {
  struct session *s = open_session("dtls12-gcm");
  struct blob kl;
  const char *exp;
  uint8_t want[60], got[60];
  const struct rtg_dtls_keylog_entry *e;
  struct rtg_dtls_srtp_keys k;
  (void)state;
  load("dtls12-gcm", "keylog.txt", &kl);
  exp = strstr((const char *)kl.d, "# EXPORT ");
  assert_non_null(exp);
  assert_int_equal(rtg_hex_decode(want, 60, exp + 9, 120, NULL), 60);
  e = rtg_dtls_keylog_find(&s->kl, RTG_DTLS_KL_CLIENT_RANDOM, s->d.client_random);
  assert_non_null(e);
  assert_int_equal(rtg_dtls12_export(RTG_HASH_SHA256, e->secret, s->d.client_random,
                                     s->d.server_random, RTG_DTLS_SRTP_LABEL, got, 60),
                   0);
  assert_memory_equal(got, want, 60);
  assert_int_equal(s->d.srtp_profile, RTG_DTLS_SRTP_AEAD_AES_128_GCM);
  assert_int_equal(rtg_dtls_decryptor_srtp_keys(&s->d, &k), 0);
  assert_int_equal(k.key_len, 16);
  assert_int_equal(k.salt_len, 12);
  assert_memory_equal(k.client_key, want, 16);
  assert_memory_equal(k.server_key, want + 16, 16);
  assert_memory_equal(k.client_salt, want + 32, 12);
  assert_memory_equal(k.server_salt, want + 44, 12);
  session_free(s);
}

/* Protect then unprotect with every supported 1.2 suite. */
static void test_dtls12_protect_round_trip(void **state) {
  static const uint16_t ids[] = {0xc02b, 0xc02c, 0xcca9, 0xc009, 0xc023, 0xc024};
  uint8_t master[48], cr[32], sr[32], rec_buf[256], out[256];
  (void)state;
  memset(master, 0x11, 48);
  memset(cr, 0x22, 32);
  memset(sr, 0x33, 32);
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    for (int etm = 0; etm < 2; etm++) {
      struct rtg_dtls12_keys c, s;
      struct rtg_dtls_record rec;
      struct rtg_rd rd;
      ptrdiff_t n;
      assert_int_equal(rtg_dtls12_keys_derive(ids[i], etm, master, cr, sr, &c, &s), 0);
      n = rtg_dtls12_protect(&c, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 7,
                             (const uint8_t *)"round trip payload", 18, rec_buf, sizeof rec_buf);
      assert_true(n > 13 + 18);
      rtg_rd_init(&rd, rec_buf, (size_t)n);
      assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
      assert_int_equal(rtg_dtls12_unprotect(&c, &rec, out, sizeof out, NULL), 18);
      assert_memory_equal(out, "round trip payload", 18);
      /* server keys differ */
      assert_int_equal(rtg_dtls12_unprotect(&s, &rec, out, sizeof out, NULL), RTG_ERR_AUTH);
    }
  }
  assert_null(rtg_dtls12_suite_find(0x002f));
  /* a connection-ID record (RFC 9146) of random bytes fails authentication
   * (dtls_cid_test.c has the real ones) */
  {
    struct rtg_dtls12_keys c, s;
    struct rtg_dtls_record rec;
    static const uint8_t cid_rec[] = {0x19, 0xfe, 0xfd, 0,  1,  0,  0,  0,  0,  0,  1,  0xc0, 0xc1,
                                      0,    24,   1,    2,  3,  4,  5,  6,  7,  8,  9,  10,   11,
                                      12,   13,   14,   15, 16, 17, 18, 19, 20, 21, 22, 23,   24};
    struct rtg_rd rd;
    assert_int_equal(rtg_dtls12_keys_derive(0xc02b, false, master, cr, sr, &c, &s), 0);
    rtg_rd_init(&rd, cid_rec, sizeof cid_rec);
    assert_int_equal(rtg_dtls_record_parse(&rd, 2, &rec, NULL), 0);
    assert_int_equal(rtg_dtls12_unprotect(&c, &rec, out, sizeof out, NULL), RTG_ERR_AUTH);
  }
}

/* ---- TLS 1.3 key schedule (RFC 8448 §3, simple 1-RTT handshake) --------------------- */

/* HKDF-Expand-Label(|secret|, |label|, |ctx|, n) with the "tls13 " prefix
 * equals |hex|; the result is left in |out|. */
static void expect_label(const uint8_t *secret, const char *label, const uint8_t *ctx,
                         size_t ctx_len, const char *hex, uint8_t *out) {
  uint8_t want[64];
  size_t n = strlen(hex) / 2;
  unhex(hex, want, n);
  assert_int_equal(
      rtg_tls13_hkdf_expand_label(RTG_HASH_SHA256, false, secret, 32, label, ctx, ctx_len, out, n),
      0);
  assert_memory_equal(out, want, n);
}

static void test_tls13_hkdf_expand_label_rfc8448(void **state) {
  uint8_t hs_secret[32], transcript[32], s_hs[32], c_hs[32], out[32], want[16];
  (void)state;
  unhex("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac", hs_secret, 32);
  unhex("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8", transcript, 32);
  /* Derive-Secret(handshake_secret, "c/s hs traffic", CH..SH) */
  expect_label(hs_secret, "c hs traffic", transcript, 32,
               "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", c_hs);
  expect_label(hs_secret, "s hs traffic", transcript, 32,
               "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", s_hs);
  /* handshake write keys and ivs */
  expect_label(s_hs, "key", NULL, 0, "3fce516009c21727d0f2e4e86ee403bc", out);
  expect_label(s_hs, "iv", NULL, 0, "5d313eb2671276ee13000b30", out);
  expect_label(c_hs, "key", NULL, 0, "dbfaa693d1762c5b666af5d950258d01", out);
  expect_label(c_hs, "iv", NULL, 0, "5bd3c71b836e0b76bb73265f", out);
  /* The DTLS prefix gives different keys (RFC 9147 §5.9). */
  assert_int_equal(
      rtg_tls13_hkdf_expand_label(RTG_HASH_SHA256, true, s_hs, 32, "key", NULL, 0, out, 16), 0);
  unhex("3fce516009c21727d0f2e4e86ee403bc", want, 16);
  assert_memory_not_equal(out, want, 16);
}

/* ---- DTLS 1.3 record protection ---------------------------------------------------- */

static void test_dtls13_protect_unprotect_round_trip(void **state) {
  static const uint16_t ids[] = {0x1301, 0x1302, 0x1303};
  uint8_t secret[48];
  (void)state;
  memset(secret, 0x5c, sizeof secret);
  for (size_t i = 0; i < 3; i++) {
    const struct rtg_dtls13_suite *su = rtg_dtls13_suite_find(ids[i]);
    size_t hl = rtg_hash_size((enum rtg_hash_alg)su->hash_alg);
    struct rtg_dtls13_keys tx, rx;
    uint8_t buf[256], out[256], type;
    uint64_t seq;
    struct rtg_dtls_record rec;
    struct rtg_rd rd;
    struct rtg_perr perr;
    ptrdiff_t n;
    assert_int_equal(rtg_dtls13_keys_derive(ids[i], 3, secret, hl, &tx), 0);
    rx = tx;
    /* sequence numbers across the 16-bit boundary */
    for (uint64_t s = 0xfffd; s < 0x10003; s++) {
      n = rtg_dtls13_protect(&tx, RTG_DTLS_CT_APPDATA, s, (const uint8_t *)"sctp", 4, buf,
                             sizeof buf);
      assert_int_equal(n, 5 + 4 + 1 + 16);
      /* record number encryption: the wire carries the masked number */
      assert_true(rtg_load_u16(buf + 1) != (uint16_t)s || s == 0xfffd);
      rtg_rd_init(&rd, buf, (size_t)n);
      assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
      assert_true(rec.unified);
      assert_int_equal(rec.epoch, 3);
      n = rtg_dtls13_unprotect(&rx, &rec, out, sizeof out, &type, &seq, NULL);
      assert_int_equal(n, 4);
      assert_memory_equal(out, "sctp", 4);
      assert_int_equal(type, RTG_DTLS_CT_APPDATA);
      assert_true(seq == s);
    }
    /* tampering: a flipped ciphertext bit */
    n = rtg_dtls13_protect(&tx, RTG_DTLS_CT_APPDATA, 0x10003, (const uint8_t *)"data", 4, buf,
                           sizeof buf);
    buf[n - 1] ^= 0x80;
    rtg_rd_init(&rd, buf, (size_t)n);
    assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
    rtg_perr_clear(&perr);
    assert_int_equal(rtg_dtls13_unprotect(&rx, &rec, out, sizeof out, &type, &seq, &perr),
                     RTG_ERR_AUTH);
    assert_string_equal(perr.field, "dtls.record.tag");
    /* a flipped header bit (part of the additional data) also fails */
    buf[n - 1] ^= 0x80;
    buf[0] ^= 0x08; /* S bit: 8-bit sequence number instead of 16 */
    rtg_rd_init(&rd, buf, (size_t)n);
    if (rtg_dtls_record_parse(&rd, 0, &rec, NULL) == 0)
      assert_true(rtg_dtls13_unprotect(&rx, &rec, out, sizeof out, &type, &seq, NULL) < 0);
    /* KeyUpdate: the next epoch's keys do not open this epoch's records */
    assert_int_equal(rtg_dtls13_keys_update(&tx), 0);
    assert_true(tx.epoch == 4);
    n = rtg_dtls13_protect(&tx, RTG_DTLS_CT_APPDATA, 0, (const uint8_t *)"new", 3, buf, sizeof buf);
    rtg_rd_init(&rd, buf, (size_t)n);
    assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
    assert_int_equal(rtg_dtls13_unprotect(&rx, &rec, out, sizeof out, &type, &seq, NULL),
                     RTG_ERR_INVAL); /* epoch bits 0 != 3 */
    assert_int_equal(rtg_dtls13_keys_update(&rx), 0);
    rx.next_seq = 0;
    assert_int_equal(rtg_dtls13_unprotect(&rx, &rec, out, sizeof out, &type, &seq, NULL), 3);
    assert_memory_equal(out, "new", 3);
  }
}

/* A DTLS 1.3 session through the decryptor: plaintext hellos (version and
 * suite from supported_versions), handshake epoch 2, application epoch 3,
 * a KeyUpdate moving the client to epoch 4, and the SRTP keys from
 * EXPORTER_SECRET. The records are made with rtg_dtls13_protect. */
static void test_dtls13_decryptor_session(void **state) {
  static const uint8_t ch_hdr[] = {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0};
  uint8_t cr[32], sr[32], secrets[5][32], dg[512], out[512], type, material[56];
  struct rtg_dtls_keylog *kl = calloc(1, sizeof *kl);
  struct rtg_dtls_decryptor *d = calloc(1, sizeof *d);
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_dtls13_keys k;
  struct rtg_dtls_srtp_keys srtp;
  char text[1024];
  size_t tl = 0;
  struct rtg_wr wr;
  struct rtg_dtls_record rec;
  struct rtg_rd rd;
  ptrdiff_t n;
  static const unsigned labels[5] = {
      RTG_DTLS_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET, RTG_DTLS_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
      RTG_DTLS_KL_CLIENT_TRAFFIC_SECRET_0, RTG_DTLS_KL_SERVER_TRAFFIC_SECRET_0,
      RTG_DTLS_KL_EXPORTER_SECRET};
  (void)state;
  memset(cr, 0xc1, 32);
  memset(sr, 0x5e, 32);
  for (int i = 0; i < 5; i++) {
    memset(secrets[i], 0x40 + i, 32);
    n = rtg_dtls_keylog_format(text + tl, sizeof text - tl, labels[i], cr, secrets[i], 32);
    assert_true(n > 0);
    tl += (size_t)n;
  }
  assert_int_equal(rtg_dtls_keylog_parse(kl, text, tl, NULL), 0);
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  rtg_dtls_decryptor_init(d, kl, &ctx);
  /* ClientHello */
  {
    struct rtg_dtls_client_hello ch;
    struct rtg_dtls_hs_frag f;
    uint8_t body[128];
    struct rtg_wr bw;
    static const uint8_t suites[] = {0x13, 0x01};
    static const uint8_t comp[] = {0};
    memset(&ch, 0, sizeof ch);
    ch.version = RTG_DTLS_V12;
    ch.random.p = cr;
    ch.random.len = 32;
    ch.suites.p = suites;
    ch.suites.len = 2;
    ch.compression.p = comp;
    ch.compression.len = 1;
    rtg_wr_init(&bw, body, sizeof body);
    assert_int_equal(rtg_dtls_client_hello_write(&bw, &ch), 0);
    memset(&f, 0, sizeof f);
    f.msg_type = RTG_DTLS_HS_CLIENT_HELLO;
    f.length = f.frag_len = (uint32_t)rtg_wr_len(&bw);
    f.body.p = body;
    f.body.len = rtg_wr_len(&bw);
    rtg_wr_init(&wr, dg, sizeof dg);
    assert_int_equal(rtg_wr_bytes(&wr, ch_hdr, sizeof ch_hdr), 0);
    assert_int_equal(rtg_wr_u16(&wr, (uint16_t)(12 + f.frag_len)), 0);
    assert_int_equal(rtg_dtls_hs_frag_write(&wr, &f), 0);
    rtg_rd_init(&rd, dg, rtg_wr_len(&wr));
    assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
    assert_true(rtg_dtls_decryptor_record(d, true, &rec, out, sizeof out, &type, NULL) > 0);
  }
  /* ServerHello: supported_versions DTLS 1.3, use_srtp AEAD_AES_128_GCM */
  {
    static const uint8_t sv[] = {0xfe, 0xfc};
    static const uint8_t us[] = {0x00, 0x02, 0x00, 0x07, 0x00};
    struct rtg_dtls_server_hello sh;
    struct rtg_dtls_hs_frag f;
    uint8_t body[128];
    struct rtg_wr bw;
    memset(&sh, 0, sizeof sh);
    sh.version = RTG_DTLS_V12;
    sh.random.p = sr;
    sh.random.len = 32;
    sh.suite = 0x1301;
    sh.exts.present = true;
    sh.exts.n = 2;
    sh.exts.e[0].type = RTG_DTLS_EXT_SUPPORTED_VERSIONS;
    sh.exts.e[0].data.p = sv;
    sh.exts.e[0].data.len = 2;
    sh.exts.e[1].type = RTG_DTLS_EXT_USE_SRTP;
    sh.exts.e[1].data.p = us;
    sh.exts.e[1].data.len = sizeof us;
    rtg_wr_init(&bw, body, sizeof body);
    assert_int_equal(rtg_dtls_server_hello_write(&bw, &sh), 0);
    memset(&f, 0, sizeof f);
    f.msg_type = RTG_DTLS_HS_SERVER_HELLO;
    f.length = f.frag_len = (uint32_t)rtg_wr_len(&bw);
    f.body.p = body;
    f.body.len = rtg_wr_len(&bw);
    rtg_wr_init(&wr, dg, sizeof dg);
    assert_int_equal(rtg_wr_bytes(&wr, ch_hdr, sizeof ch_hdr), 0);
    assert_int_equal(rtg_wr_u16(&wr, (uint16_t)(12 + f.frag_len)), 0);
    assert_int_equal(rtg_dtls_hs_frag_write(&wr, &f), 0);
    rtg_rd_init(&rd, dg, rtg_wr_len(&wr));
    assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
    assert_true(rtg_dtls_decryptor_record(d, false, &rec, out, sizeof out, &type, NULL) > 0);
    assert_true(d->tls13);
    assert_int_equal(d->suite, 0x1301);
  }
  /* server handshake epoch 2 */
  assert_int_equal(rtg_dtls13_keys_derive(0x1301, 2, secrets[1], 32, &k), 0);
  n = rtg_dtls13_protect(&k, RTG_DTLS_CT_HANDSHAKE, 0, (const uint8_t *)"EE..", 4, dg, sizeof dg);
  rtg_rd_init(&rd, dg, (size_t)n);
  assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
  assert_int_equal(rtg_dtls_decryptor_record(d, false, &rec, out, sizeof out, &type, NULL), 4);
  assert_int_equal(type, RTG_DTLS_CT_HANDSHAKE);
  /* client application epoch 3, then a KeyUpdate, then epoch 4 */
  assert_int_equal(rtg_dtls13_keys_derive(0x1301, 3, secrets[2], 32, &k), 0);
  n = rtg_dtls13_protect(&k, RTG_DTLS_CT_APPDATA, 0, (const uint8_t *)"app3", 4, dg, sizeof dg);
  rtg_rd_init(&rd, dg, (size_t)n);
  assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
  assert_int_equal(rtg_dtls_decryptor_record(d, true, &rec, out, sizeof out, &type, NULL), 4);
  assert_memory_equal(out, "app3", 4);
  {
    static const uint8_t ku[] = {RTG_DTLS_HS_KEY_UPDATE, 0, 0, 1, 0, 5, 0, 0, 0, 0, 0, 1, 0};
    n = rtg_dtls13_protect(&k, RTG_DTLS_CT_HANDSHAKE, 1, ku, sizeof ku, dg, sizeof dg);
    rtg_rd_init(&rd, dg, (size_t)n);
    assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
    assert_int_equal(rtg_dtls_decryptor_record(d, true, &rec, out, sizeof out, &type, NULL),
                     (ptrdiff_t)sizeof ku);
  }
  assert_int_equal(rtg_dtls13_keys_update(&k), 0);
  n = rtg_dtls13_protect(&k, RTG_DTLS_CT_APPDATA, 0, (const uint8_t *)"app4", 4, dg, sizeof dg);
  rtg_rd_init(&rd, dg, (size_t)n);
  assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
  d->k13[0][1].next_seq = 0; /* a new epoch restarts the sequence numbers */
  assert_int_equal(rtg_dtls_decryptor_record(d, true, &rec, out, sizeof out, &type, NULL), 4);
  assert_memory_equal(out, "app4", 4);
  /* SRTP keys from EXPORTER_SECRET with the dtls13 prefix */
  assert_int_equal(rtg_dtls_decryptor_srtp_keys(d, &srtp), 0);
  assert_int_equal(rtg_tls13_export(RTG_HASH_SHA256, true, secrets[4], 32, RTG_DTLS_SRTP_LABEL,
                                    NULL, 0, material, 56),
                   0);
  assert_memory_equal(srtp.client_key, material, 16);
  assert_memory_equal(srtp.server_salt, material + 44, 12);
  rtg_dtls_decryptor_free(d);
  free(kl);
  free(d);
}

/* ---- TLS 1.3 exporter checked against OpenSSL ---------------------------------------- */

struct captured {
  char exporter_hex[200];
  char cr_hex[80];
};
static struct captured cap_kl;

static void capture_keylog(const SSL *ssl, const char *line) {
  (void)ssl;
  if (strncmp(line, "EXPORTER_SECRET ", 16) == 0) {
    snprintf(cap_kl.cr_hex, sizeof cap_kl.cr_hex, "%.64s", line + 16);
    snprintf(cap_kl.exporter_hex, sizeof cap_kl.exporter_hex, "%s", line + 16 + 65);
  }
}

static void pump(BIO *from, BIO *to) {
  char buf[8192];
  int n;
  while ((n = BIO_read(from, buf, sizeof buf)) > 0) assert_int_equal(BIO_write(to, buf, n), n);
}

static void test_tls13_export_matches_openssl(void **state) {
  SSL_CTX *cc = SSL_CTX_new(TLS_client_method()), *sc = SSL_CTX_new(TLS_server_method());
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  SSL *c, *s;
  BIO *c_in = BIO_new(BIO_s_mem()), *c_out = BIO_new(BIO_s_mem());
  BIO *s_in = BIO_new(BIO_s_mem()), *s_out = BIO_new(BIO_s_mem());
  uint8_t want[56], got[56], secret[48];
  (void)state;
  assert_non_null(key);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  assert_true(X509_sign(x, key, EVP_sha256()) > 0);
  assert_int_equal(SSL_CTX_use_certificate(sc, x), 1);
  assert_int_equal(SSL_CTX_use_PrivateKey(sc, key), 1);
  SSL_CTX_set_min_proto_version(cc, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(cc, "TLS_AES_128_GCM_SHA256");
  SSL_CTX_set_keylog_callback(cc, capture_keylog);
  c = SSL_new(cc);
  s = SSL_new(sc);
  SSL_set_bio(c, c_in, c_out);
  SSL_set_bio(s, s_in, s_out);
  SSL_set_connect_state(c);
  SSL_set_accept_state(s);
  for (int i = 0; i < 10 && !(SSL_is_init_finished(c) && SSL_is_init_finished(s)); i++) {
    SSL_do_handshake(c);
    pump(c_out, s_in);
    SSL_do_handshake(s);
    pump(s_out, c_in);
  }
  assert_true(SSL_is_init_finished(c));
  assert_int_equal(SSL_export_keying_material(c, want, sizeof want, RTG_DTLS_SRTP_LABEL,
                                              strlen(RTG_DTLS_SRTP_LABEL), NULL, 0, 0),
                   1);
  assert_int_equal(
      rtg_hex_decode(secret, sizeof secret, cap_kl.exporter_hex, strlen(cap_kl.exporter_hex), NULL),
      32);
  assert_int_equal(rtg_tls13_export(RTG_HASH_SHA256, false, secret, 32, RTG_DTLS_SRTP_LABEL, NULL,
                                    0, got, sizeof got),
                   0);
  assert_memory_equal(got, want, sizeof want);
  SSL_free(c);
  SSL_free(s);
  SSL_CTX_free(cc);
  SSL_CTX_free(sc);
  X509_free(x);
  EVP_PKEY_free(key);
}

static void test_dtls_srtp_keys_split(void **state) {
  uint8_t m[60];
  struct rtg_dtls_srtp_keys k;
  (void)state;
  for (int i = 0; i < 60; i++) m[i] = (uint8_t)i;
  assert_int_equal(rtg_dtls_srtp_material_len(RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80), 60);
  assert_int_equal(rtg_dtls_srtp_material_len(RTG_DTLS_SRTP_AEAD_AES_256_GCM), 88);
  assert_int_equal(rtg_dtls_srtp_keys_split(RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80, m, 60, &k), 0);
  assert_int_equal(k.client_key[0], 0);
  assert_int_equal(k.server_key[0], 16);
  assert_int_equal(k.client_salt[0], 32);
  assert_int_equal(k.server_salt[0], 46);
  assert_int_equal(k.server_salt[13], 59);
  assert_int_equal(rtg_dtls_srtp_keys_split(RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80, m, 59, &k),
                   RTG_ERR_INVAL);
  assert_int_equal(rtg_dtls_srtp_keys_split(0x0003, m, 60, &k), RTG_ERR_UNSUPPORTED);
}

/* ---- real browser sessions (pcaps/, extracted to stack/dtls/testdata/browser-*) ----- */

/* The SRTP keys derived from the key log open the session's first SRTP
 * packets in each direction with libsrtp2 (the oracle): the exporter and
 * the client/server split are right. */
static void check_srtp_with_libsrtp(const char *sess, const struct rtg_dtls_srtp_keys *k) {
  uint8_t data[8192];
  size_t n, at = 0, opened = 0;
  srtp_t ses[2];
  assert_int_equal(srtp_init(), srtp_err_status_ok);
  for (int dir = 0; dir < 2; dir++) {
    srtp_policy_t pol;
    uint8_t master[46];
    memset(&pol, 0, sizeof pol);
    if (k->profile == RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80) {
      srtp_crypto_policy_set_rtp_default(&pol.rtp);
      srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
    } else {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
    }
    memcpy(master, dir ? k->client_key : k->server_key, k->key_len);
    memcpy(master + k->key_len, dir ? k->client_salt : k->server_salt, k->salt_len);
    pol.key = master;
    pol.ssrc.type = ssrc_any_inbound;
    pol.window_size = 1024;
    assert_int_equal(srtp_create(&ses[dir], &pol), srtp_err_status_ok);
  }
  n = tu_load(data, sizeof data, "stack/dtls/testdata/%s/srtp.bin", sess);
  while (at + 3 <= n) {
    int dir = data[at], len = rtg_load_u16(data + at + 1);
    uint8_t pkt[2048];
    memcpy(pkt, data + at + 3, (size_t)len);
    assert_int_equal(srtp_unprotect(ses[dir], pkt, &len), srtp_err_status_ok);
    opened++;
    at += 3 + (size_t)rtg_load_u16(data + at + 1);
  }
  assert_int_equal(opened, 6);
  srtp_dealloc(ses[0]);
  srtp_dealloc(ses[1]);
  assert_int_equal(srtp_shutdown(), srtp_err_status_ok);
}

struct browser_counts {
  size_t records, plaintext, decrypted, appdata, sctp, handshake13;
};

/* Every DTLS record of a captured browser session decrypts with Firefox's
 * key log; application data carries SCTP (RFC 8261: ports 5000 -> 5000). */
static void replay_browser(const char *sess, bool tls13, uint16_t profile,
                           struct browser_counts *c) {
  struct blob *b = calloc(1, sizeof *b + 65536);
  uint8_t *all;
  size_t n_all, at = 0;
  struct session *s = session_new();
  struct blob kl;
  struct rtg_dtls_srtp_keys k;
  assert_non_null(b);
  all = (uint8_t *)tu_read_file(&n_all, "stack/dtls/testdata/%s/datagrams.bin", sess);
  load(sess, "keylog.txt", &kl);
  assert_int_equal(rtg_dtls_keylog_parse(&s->kl, (const char *)kl.d, kl.n, NULL), 0);
  memset(c, 0, sizeof *c);
  while (at + 3 <= n_all) {
    bool from_client = all[at] == 1;
    size_t len = rtg_load_u16(all + at + 1);
    struct rtg_dtls_record recs[16];
    size_t n;
    assert_true(at + 3 + len <= n_all);
    assert_int_equal(rtg_dtls_datagram_parse(all + at + 3, len, 0, recs, 16, &n, NULL), 0);
    for (size_t i = 0; i < n; i++) {
      uint8_t out[2048], type;
      struct rtg_perr perr;
      ptrdiff_t got;
      rtg_perr_clear(&perr);
      got = rtg_dtls_decryptor_record(&s->d, from_client, &recs[i], out, sizeof out, &type, &perr);
      if (got < 0) {
        free(all);
        fail_msg("%s: record %zu at %zu: %s (%s)", sess, c->records, at, rtg_strerror((int)got),
                 perr.reason ? perr.reason : "");
      }
      c->records++;
      if (!recs[i].unified && recs[i].epoch == 0) {
        c->plaintext++;
        continue;
      }
      c->decrypted++;
      if (recs[i].unified && type == RTG_DTLS_CT_HANDSHAKE) c->handshake13++;
      if (type == RTG_DTLS_CT_APPDATA) {
        c->appdata++;
        if (got >= 12 && rtg_load_u16(out) == 5000 && rtg_load_u16(out + 2) == 5000) c->sctp++;
      }
    }
    at += 3 + len;
  }
  assert_int_equal(at, n_all);
  assert_int_equal(s->d.tls13, tls13);
  assert_int_equal(s->d.srtp_profile, profile);
  assert_int_equal(rtg_dtls_decryptor_srtp_keys(&s->d, &k), 0);
  assert_int_equal(k.profile, profile);
  check_srtp_with_libsrtp(sess, &k);
  free(all);
  free(b);
  session_free(s);
}

static void test_dtls13_decryptor_chromium_firefox(void **state) {
  struct browser_counts c;
  (void)state;
  replay_browser("browser-chromium-firefox-dtls13", true, RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80, &c);
  assert_true(c.handshake13 >= 4);
  assert_true(c.sctp > 20);
  assert_int_equal(c.sctp, c.appdata);
}

static void test_dtls13_decryptor_firefox_firefox(void **state) {
  struct browser_counts c;
  (void)state;
  replay_browser("browser-firefox-firefox-dtls13", true, RTG_DTLS_SRTP_AEAD_AES_128_GCM, &c);
  assert_true(c.handshake13 >= 4);
  assert_true(c.sctp > 20);
  assert_int_equal(c.sctp, c.appdata);
}

static void test_dtls12_decryptor_firefox_chromium(void **state) {
  struct browser_counts c;
  (void)state;
  replay_browser("browser-firefox-chromium-dtls12", false, RTG_DTLS_SRTP_AEAD_AES_128_GCM, &c);
  assert_true(c.sctp > 20);
  assert_int_equal(c.sctp, c.appdata);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dtls_keylog_parse_and_format),
      cmocka_unit_test(test_dtls12_unprotect_aes128_gcm),
      cmocka_unit_test(test_dtls12_unprotect_aes256_gcm),
      cmocka_unit_test(test_dtls12_unprotect_chacha20),
      cmocka_unit_test(test_dtls12_unprotect_cbc_etm),
      cmocka_unit_test(test_dtls12_unprotect_cbc_sha384_etm),
      cmocka_unit_test(test_dtls12_unprotect_cbc_mac_then_encrypt),
      cmocka_unit_test(test_dtls12_unprotect_tampered),
      cmocka_unit_test(test_dtls12_unprotect_missing_secret),
      cmocka_unit_test(test_dtls12_export_srtp_matches_openssl),
      cmocka_unit_test(test_dtls12_protect_round_trip),
      cmocka_unit_test(test_tls13_hkdf_expand_label_rfc8448),
      cmocka_unit_test(test_dtls13_protect_unprotect_round_trip),
      cmocka_unit_test(test_dtls13_decryptor_session),
      cmocka_unit_test(test_tls13_export_matches_openssl),
      cmocka_unit_test(test_dtls_srtp_keys_split),
      cmocka_unit_test(test_dtls13_decryptor_chromium_firefox),
      cmocka_unit_test(test_dtls13_decryptor_firefox_firefox),
      cmocka_unit_test(test_dtls12_decryptor_firefox_chromium),
  };
  return cmocka_run_group_tests_name("dtls_crypto", tests, NULL, NULL);
}
