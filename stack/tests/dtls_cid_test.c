/*
 * dtls_cid_test.c - DTLS 1.2 connection-ID records (RFC 9146): record
 * protection of tls12_cid records and the key-log decryptor following the
 * connection_id extension of the hellos.
 *
 * No DTLS library available here implements RFC 9146 (browsers do not
 * negotiate CIDs; in Debian 12, mbedTLS 2.28 has only the pre-RFC draft
 * format, OpenSSL 3.0 and GnuTLS none), so the reference vectors are built
 * in this file with OpenSSL's EVP AES-GCM / AES-CBC / HMAC directly
 * (AES-128-GCM §5.3, AES-128-CBC + HMAC-SHA1 with encrypt-then-MAC §5.2
 * and MAC-then-encrypt §5.1),
 * following the RFC 9146 §4 and §5 text: an independent construction of the
 * additional data / MAC input and of the DTLSInnerPlaintext, which the
 * stack's own rtg_dtls12_protect_cid must reproduce byte for byte.
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

#include "rtg/dtls.h"

static const uint8_t cid4[4] = {0xc1, 0xd2, 0xe3, 0xf4};
static const uint8_t content[] = "connection ID record content";
#define CONTENT_LEN (sizeof content - 1)

/* Fixed key material (RFC 5246 §6.3 would derive it; fixed here). */
static void fixed_keys(uint16_t suite, bool etm, struct rtg_dtls12_keys *k) {
  memset(k, 0, sizeof *k);
  k->suite = rtg_dtls12_suite_find(suite);
  assert_non_null(k->suite);
  k->etm = etm;
  for (int i = 0; i < 32; i++) k->key[i] = (uint8_t)(0x40 + i);
  for (int i = 0; i < 12; i++) k->iv[i] = (uint8_t)(0xa0 + i);
  for (int i = 0; i < 48; i++) k->mac_key[i] = (uint8_t)(0x10 + 3 * i);
}

/* The RFC 9146 §5 header part, written field by field from the RFC text:
 * seq_num_placeholder + tls12_cid + cid_length + tls12_cid +
 * DTLSCiphertext.version + epoch + sequence_number + cid + <length>. */
static size_t rfc_ad(uint8_t *ad, uint16_t epoch, uint64_t seq, const uint8_t *cid, size_t cid_len,
                     size_t len) {
  size_t n = 0;
  for (int i = 0; i < 8; i++) ad[n++] = 0xff;
  ad[n++] = 25;
  ad[n++] = (uint8_t)cid_len;
  ad[n++] = 25;
  ad[n++] = 0xfe;
  ad[n++] = 0xfd;
  ad[n++] = (uint8_t)(epoch >> 8);
  ad[n++] = (uint8_t)epoch;
  for (int i = 5; i >= 0; i--) ad[n++] = (uint8_t)(seq >> (8 * i));
  memcpy(ad + n, cid, cid_len);
  n += cid_len;
  ad[n++] = (uint8_t)(len >> 8);
  ad[n++] = (uint8_t)len;
  return n;
}

static size_t rfc_header(uint8_t *out, uint16_t epoch, uint64_t seq, const uint8_t *cid,
                         size_t cid_len, size_t len) {
  size_t n = 0;
  out[n++] = 25;
  out[n++] = 0xfe;
  out[n++] = 0xfd;
  out[n++] = (uint8_t)(epoch >> 8);
  out[n++] = (uint8_t)epoch;
  for (int i = 5; i >= 0; i--) out[n++] = (uint8_t)(seq >> (8 * i));
  memcpy(out + n, cid, cid_len);
  n += cid_len;
  out[n++] = (uint8_t)(len >> 8);
  out[n++] = (uint8_t)len;
  return n;
}

/* An AES-128-GCM tls12_cid record over |inner| (an arbitrary
 * DTLSInnerPlaintext), explicit nonce = epoch || seq (RFC 5288 §3: salt(4)
 * || explicit(8)), RFC 9146 §5.3 additional data. */
static size_t gcm_vector(const struct rtg_dtls12_keys *k, uint16_t epoch, uint64_t seq,
                         const uint8_t *inner, size_t inner_len, uint8_t *out) {
  uint8_t ad[300], nonce[12], *p;
  size_t adl, hl;
  int outl;
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  hl = rfc_header(out, epoch, seq, cid4, sizeof cid4, 8 + inner_len + 16);
  p = out + hl;
  p[0] = (uint8_t)(epoch >> 8);
  p[1] = (uint8_t)epoch;
  for (int i = 0; i < 6; i++) p[2 + i] = (uint8_t)(seq >> (40 - 8 * i));
  memcpy(nonce, k->iv, 4);
  memcpy(nonce + 4, p, 8);
  adl = rfc_ad(ad, epoch, seq, cid4, sizeof cid4, inner_len);
  assert_non_null(c);
  assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k->key, nonce), 1);
  assert_int_equal(EVP_EncryptUpdate(c, NULL, &outl, ad, (int)adl), 1);
  assert_int_equal(EVP_EncryptUpdate(c, p + 8, &outl, inner, (int)inner_len), 1);
  assert_int_equal(EVP_EncryptFinal_ex(c, p + 8 + inner_len, &outl), 1);
  assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, p + 8 + inner_len), 1);
  EVP_CIPHER_CTX_free(c);
  return hl + 8 + inner_len + 16;
}

/* HMAC-SHA1(key, a || b) through OpenSSL's EVP_Q_mac. */
static void hmac_sha1(const uint8_t *key, const uint8_t *a, size_t alen, const uint8_t *b,
                      size_t blen, uint8_t out[20]) {
  uint8_t msg[1024];
  size_t outl = 0;
  assert_true(alen + blen <= sizeof msg);
  memcpy(msg, a, alen);
  memcpy(msg + alen, b, blen);
  assert_non_null(
      EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL, key, 20, msg, alen + blen, out, 20, &outl));
  assert_int_equal(outl, 20);
}

/* AES-128-CBC + HMAC-SHA1 encrypt-then-MAC (RFC 9146 §5.2, with the length
 * of IV + ciphertext as in RFC 7366 §3), IV fixed. */
static size_t cbc_etm_vector(const struct rtg_dtls12_keys *k, uint16_t epoch, uint64_t seq,
                             const uint8_t *inner, size_t inner_len, uint8_t *out) {
  uint8_t ad[300], buf[512], *p;
  size_t adl, hl, pad = 15 - inner_len % 16, enc_len = inner_len + pad + 1, body;
  int outl;
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  body = 16 + enc_len + 20;
  hl = rfc_header(out, epoch, seq, cid4, sizeof cid4, body);
  p = out + hl;
  for (int i = 0; i < 16; i++) p[i] = (uint8_t)(0x77 ^ i);
  memcpy(buf, inner, inner_len);
  memset(buf + inner_len, (int)pad, pad + 1);
  assert_non_null(c);
  assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, k->key, p), 1);
  assert_int_equal(EVP_CIPHER_CTX_set_padding(c, 0), 1);
  assert_int_equal(EVP_EncryptUpdate(c, p + 16, &outl, buf, (int)enc_len), 1);
  EVP_CIPHER_CTX_free(c);
  adl = rfc_ad(ad, epoch, seq, cid4, sizeof cid4, 16 + enc_len);
  hmac_sha1(k->mac_key, ad, adl, p, 16 + enc_len, p + 16 + enc_len);
  return hl + body;
}

/* AES-128-CBC + HMAC-SHA1 MAC-then-encrypt (RFC 9146 §5.1: the MAC covers
 * the header fields with length_of_DTLSInnerPlaintext, then the
 * DTLSInnerPlaintext; content || MAC || padding is encrypted), IV fixed. */
static size_t cbc_mte_vector(const struct rtg_dtls12_keys *k, uint16_t epoch, uint64_t seq,
                             const uint8_t *inner, size_t inner_len, uint8_t *out) {
  uint8_t ad[300], buf[512], *p;
  size_t adl, hl, mac_end = inner_len + 20, pad = 15 - mac_end % 16, enc_len = mac_end + pad + 1;
  int outl;
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  hl = rfc_header(out, epoch, seq, cid4, sizeof cid4, 16 + enc_len);
  p = out + hl;
  for (int i = 0; i < 16; i++) p[i] = (uint8_t)(0x33 ^ i);
  memcpy(buf, inner, inner_len);
  adl = rfc_ad(ad, epoch, seq, cid4, sizeof cid4, inner_len);
  hmac_sha1(k->mac_key, ad, adl, inner, inner_len, buf + inner_len);
  memset(buf + mac_end, (int)pad, pad + 1);
  assert_non_null(c);
  assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, k->key, p), 1);
  assert_int_equal(EVP_CIPHER_CTX_set_padding(c, 0), 1);
  assert_int_equal(EVP_EncryptUpdate(c, p + 16, &outl, buf, (int)enc_len), 1);
  EVP_CIPHER_CTX_free(c);
  return hl + 16 + enc_len;
}

static void parse_cid(const uint8_t *rec_buf, size_t n, size_t cid_len,
                      struct rtg_dtls_record *rec) {
  struct rtg_rd rd;
  rtg_rd_init(&rd, rec_buf, n);
  assert_int_equal(rtg_dtls_record_parse(&rd, cid_len, rec, NULL), 0);
  assert_true(rtg_rd_empty(&rd));
}

/* content || real_type || zeros */
static size_t inner_of(uint8_t type, size_t zeros, uint8_t *inner) {
  memcpy(inner, content, CONTENT_LEN);
  inner[CONTENT_LEN] = type;
  memset(inner + CONTENT_LEN + 1, 0, zeros);
  return CONTENT_LEN + 1 + zeros;
}

static void test_dtls12_unprotect_cid_gcm_vector(void **state) {
  struct rtg_dtls12_keys k;
  struct rtg_dtls_record rec;
  uint8_t inner[128], vec[256], ours[256], out[256], type = 0;
  size_t il, vl;
  ptrdiff_t n;
  (void)state;
  fixed_keys(0xc02b, false, &k);
  il = inner_of(RTG_DTLS_CT_APPDATA, 5, inner);
  vl = gcm_vector(&k, 1, 0x0102030405, inner, il, vec);
  parse_cid(vec, vl, sizeof cid4, &rec);
  assert_int_equal(rec.type, RTG_DTLS_CT_TLS12_CID);
  assert_memory_equal(rec.cid.p, cid4, sizeof cid4);
  n = rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL);
  assert_int_equal(n, CONTENT_LEN);
  assert_memory_equal(out, content, CONTENT_LEN);
  assert_int_equal(type, RTG_DTLS_CT_APPDATA);
  /* the untyped form gives the same content */
  assert_int_equal(rtg_dtls12_unprotect(&k, &rec, out, sizeof out, NULL), CONTENT_LEN);
  /* the stack's writer builds the same bytes */
  n = rtg_dtls12_protect_cid(&k, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 0x0102030405, cid4,
                             sizeof cid4, content, CONTENT_LEN, 5, ours, sizeof ours);
  assert_int_equal(n, (ptrdiff_t)vl);
  assert_memory_equal(ours, vec, vl);
}

static void test_dtls12_unprotect_cid_cbc_etm_vector(void **state) {
  struct rtg_dtls12_keys k;
  struct rtg_dtls_record rec;
  uint8_t inner[128], vec[256], out[256], type = 0;
  size_t il, vl;
  (void)state;
  fixed_keys(0xc009, true, &k);
  il = inner_of(RTG_DTLS_CT_ALERT, 3, inner);
  vl = cbc_etm_vector(&k, 2, 9, inner, il, vec);
  parse_cid(vec, vl, sizeof cid4, &rec);
  assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL), CONTENT_LEN);
  assert_memory_equal(out, content, CONTENT_LEN);
  assert_int_equal(type, RTG_DTLS_CT_ALERT);
  /* without encrypt_then_mac the same bytes do not verify */
  k.etm = false;
  assert_true(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL) < 0);
}

static void test_dtls12_unprotect_cid_cbc_mte_vector(void **state) {
  struct rtg_dtls12_keys k;
  struct rtg_dtls_record rec;
  uint8_t inner[128], vec[256], out[256], type = 0;
  size_t il, vl;
  (void)state;
  fixed_keys(0xc009, false, &k);
  il = inner_of(RTG_DTLS_CT_HANDSHAKE, 11, inner);
  vl = cbc_mte_vector(&k, 4, 0x123456, inner, il, vec);
  parse_cid(vec, vl, sizeof cid4, &rec);
  assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL), CONTENT_LEN);
  assert_memory_equal(out, content, CONTENT_LEN);
  assert_int_equal(type, RTG_DTLS_CT_HANDSHAKE);
  /* with encrypt_then_mac the same bytes do not verify (here: misaligned
   * once the MAC is taken off the end) */
  k.etm = true;
  assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL),
                   RTG_ERR_PARSE);
}

/* Every suite kind, with and without EtM for CBC, several CID lengths and
 * paddings: protect_cid then unprotect_typed. */
static void test_dtls12_protect_cid_round_trip(void **state) {
  static const uint16_t ids[] = {0xc02b, 0xc02c, 0xcca9, 0xc009, 0xc023, 0xc024};
  static const size_t cid_lens[] = {1, 4, 255};
  uint8_t cid[255], buf[1024], out[1024], type;
  (void)state;
  for (size_t i = 0; i < 255; i++) cid[i] = (uint8_t)(i * 7 + 1);
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
    for (int etm = 0; etm < 2; etm++)
      for (size_t c = 0; c < 3; c++)
        for (size_t zeros = 0; zeros < 40; zeros += 13) {
          struct rtg_dtls12_keys k;
          struct rtg_dtls_record rec;
          ptrdiff_t n;
          fixed_keys(ids[i], etm, &k);
          if (k.suite->kind != RTG_DTLS_CIPHER_AES_CBC) k.etm = false;
          n = rtg_dtls12_protect_cid(&k, RTG_DTLS_CT_HANDSHAKE, RTG_DTLS_V12, 3, 77 + zeros, cid,
                                     cid_lens[c], content, CONTENT_LEN, zeros, buf, sizeof buf);
          assert_true(n > (ptrdiff_t)(13 + cid_lens[c] + CONTENT_LEN));
          parse_cid(buf, (size_t)n, cid_lens[c], &rec);
          type = 0;
          assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL),
                           CONTENT_LEN);
          assert_memory_equal(out, content, CONTENT_LEN);
          assert_int_equal(type, RTG_DTLS_CT_HANDSHAKE);
          /* an empty content is fine too (only the real type) */
          n = rtg_dtls12_protect_cid(&k, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 3, 1, cid, cid_lens[c],
                                     NULL, 0, zeros, buf, sizeof buf);
          assert_true(n > 0);
          parse_cid(buf, (size_t)n, cid_lens[c], &rec);
          assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL), 0);
          assert_int_equal(type, RTG_DTLS_CT_APPDATA);
        }
  /* invalid arguments */
  {
    struct rtg_dtls12_keys k;
    fixed_keys(0xc02b, false, &k);
    assert_int_equal(
        rtg_dtls12_protect_cid(&k, 0, RTG_DTLS_V12, 1, 1, cid, 4, content, 4, 0, buf, sizeof buf),
        RTG_ERR_INVAL);
    assert_int_equal(
        rtg_dtls12_protect_cid(&k, 23, RTG_DTLS_V12, 1, 1, cid, 0, content, 4, 0, buf, sizeof buf),
        RTG_ERR_INVAL);
    assert_int_equal(rtg_dtls12_protect_cid(&k, 23, RTG_DTLS_V12, 1, 1, cid, 4, content, 4, 256,
                                            buf, sizeof buf),
                     RTG_ERR_INVAL);
    assert_int_equal(
        rtg_dtls12_protect_cid(&k, 23, RTG_DTLS_V12, 1, 1, cid, 4, content, 4, 0, buf, 20),
        RTG_ERR_NOBUF);
    assert_int_equal(rtg_dtls12_protect(&k, 25, RTG_DTLS_V12, 1, 1, content, 4, buf, sizeof buf),
                     RTG_ERR_INVAL);
  }
}

/* Flipping any bit of any byte of the record (header, CID, explicit nonce,
 * ciphertext, tag): either the record no longer parses (type or length
 * byte) or it fails authentication. */
static void test_dtls12_unprotect_cid_tampered(void **state) {
  static const uint16_t ids[] = {0xc02b, 0xcca9, 0xc009, 0xc009};
  uint8_t buf[256], out[256], type;
  (void)state;
  for (size_t s = 0; s < sizeof ids / sizeof ids[0]; s++) {
    struct rtg_dtls12_keys k;
    ptrdiff_t n;
    fixed_keys(ids[s], s == 3, &k);
    n = rtg_dtls12_protect_cid(&k, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 5, cid4, sizeof cid4,
                               content, CONTENT_LEN, 2, buf, sizeof buf);
    assert_true(n > 0);
    for (size_t i = 0; i < (size_t)n; i++)
      for (int bit = 0; bit < 8; bit++) {
        struct rtg_dtls_record rec;
        struct rtg_rd rd;
        struct rtg_perr perr;
        int rc;
        buf[i] ^= (uint8_t)(1u << bit);
        rtg_rd_init(&rd, buf, (size_t)n);
        rc = rtg_dtls_record_parse(&rd, sizeof cid4, &rec, NULL);
        if (rc == 0 && rec.type == RTG_DTLS_CT_TLS12_CID) {
          ptrdiff_t got;
          rtg_perr_clear(&perr);
          got = rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, &perr);
          /* a shorter length field may leave a misaligned CBC payload */
          if (got == RTG_ERR_PARSE)
            assert_true(i == 11 + sizeof cid4 || i == 12 + sizeof cid4);
          else
            assert_int_equal(got, RTG_ERR_AUTH);
          assert_non_null(perr.reason);
        } else if (rc == 0) {
          /* type byte changed: another record type, which does not verify */
          assert_int_equal(i, 0);
          assert_true(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL) < 0);
        } else {
          /* only the type, the version's first byte (0xfe) and the
           * length can make it unparsable */
          assert_true(i == 0 || i == 1 || i == 11 + sizeof cid4 || i == 12 + sizeof cid4);
        }
        buf[i] ^= (uint8_t)(1u << bit);
      }
  }
}

/* Every prefix of the record is rejected by the parser; every shortened
 * payload under the full header is rejected by unprotect. */
static void test_dtls12_unprotect_cid_truncated(void **state) {
  static const uint16_t ids[] = {0xc02b, 0xcca9, 0xc023};
  uint8_t buf[256], out[256], type;
  (void)state;
  for (size_t s = 0; s < sizeof ids / sizeof ids[0]; s++) {
    struct rtg_dtls12_keys k;
    struct rtg_dtls_record rec;
    ptrdiff_t n;
    fixed_keys(ids[s], s == 2, &k);
    n = rtg_dtls12_protect_cid(&k, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 5, cid4, sizeof cid4,
                               content, CONTENT_LEN, 0, buf, sizeof buf);
    assert_true(n > 0);
    for (size_t len = 0; len < (size_t)n; len++) {
      struct rtg_rd rd;
      struct rtg_perr perr;
      rtg_rd_init(&rd, buf, len);
      rtg_perr_clear(&perr);
      assert_int_equal(rtg_dtls_record_parse(&rd, sizeof cid4, &rec, &perr), RTG_ERR_PARSE);
      assert_non_null(perr.reason);
    }
    parse_cid(buf, (size_t)n, sizeof cid4, &rec);
    for (size_t len = 0; len < rec.payload.len; len++) {
      struct rtg_dtls_record r2 = rec;
      ptrdiff_t got;
      r2.payload.len = len;
      got = rtg_dtls12_unprotect_typed(&k, &r2, out, sizeof out, &type, NULL);
      assert_true(got == RTG_ERR_AUTH || got == RTG_ERR_PARSE);
    }
  }
}

/* An inner plaintext of zeros only has no real content type (RFC 9146 §4,
 * RFC 8446 §5.4): authenticated but rejected. */
static void test_dtls12_unprotect_cid_no_real_type(void **state) {
  struct rtg_dtls12_keys k;
  struct rtg_dtls_record rec;
  uint8_t inner[32], vec[256], out[256], type = 0xee;
  struct rtg_perr perr;
  size_t vl;
  (void)state;
  fixed_keys(0xc02b, false, &k);
  memset(inner, 0, sizeof inner);
  for (size_t il = 0; il <= sizeof inner; il += 16) {
    vl = gcm_vector(&k, 1, 3, inner, il, vec);
    parse_cid(vec, vl, sizeof cid4, &rec);
    rtg_perr_clear(&perr);
    assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, &perr),
                     RTG_ERR_PARSE);
    assert_string_equal(perr.field, "dtls.record.real_type");
    assert_int_equal(type, 0xee);
  }
  /* a lone real type is content of length 0 */
  inner[0] = RTG_DTLS_CT_HEARTBEAT;
  vl = gcm_vector(&k, 1, 3, inner, 9, vec);
  parse_cid(vec, vl, sizeof cid4, &rec);
  assert_int_equal(rtg_dtls12_unprotect_typed(&k, &rec, out, sizeof out, &type, NULL), 0);
  assert_int_equal(type, RTG_DTLS_CT_HEARTBEAT);
}

/* ---- decryptor ------------------------------------------------------------- */

static const uint8_t master[48] = {
    0x3a, 0x51, 0x0c, 0x9e, 0x27, 0x84, 0x6f, 0x13, 0xd5, 0x42, 0xb8, 0x0e, 0x71, 0xc6, 0x2d, 0x99,
    0x5f, 0xa0, 0x13, 0x68, 0xe2, 0x4b, 0x07, 0xbc, 0x8d, 0x31, 0xf6, 0x5a, 0x22, 0x9c, 0x40, 0x17,
    0xe8, 0x63, 0xab, 0x05, 0x7d, 0x96, 0x1e, 0xc2, 0x58, 0x34, 0x0f, 0xd1, 0x8a, 0x6e, 0xb3, 0x27};

static void fill(uint8_t *p, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(v + i);
}

/* An epoch-0 handshake record carrying one hello, connection_id |cid| when
 * |with_cid| (|cid_len| may be 0: "send me no CID"). */
static size_t hello_record(bool server, bool with_cid, const uint8_t *cid, size_t cid_len,
                           uint8_t *out, size_t cap) {
  static uint8_t random_c[32], random_s[32], ext_data[256];
  uint8_t body[512];
  struct rtg_dtls_exts x;
  struct rtg_wr w;
  struct rtg_dtls_hs_frag f;
  struct rtg_dtls_record rec;
  size_t bl;
  memset(&x, 0, sizeof x);
  x.present = true;
  if (with_cid) {
    ext_data[0] = (uint8_t)cid_len;
    if (cid_len) memcpy(ext_data + 1, cid, cid_len);
    x.e[0].type = RTG_DTLS_EXT_CONNECTION_ID;
    x.e[0].data.p = ext_data;
    x.e[0].data.len = 1 + cid_len;
    x.n = 1;
  }
  fill(random_c, 32, 0x20);
  fill(random_s, 32, 0x60);
  rtg_wr_init(&w, body, sizeof body);
  if (server) {
    struct rtg_dtls_server_hello sh;
    memset(&sh, 0, sizeof sh);
    sh.version = RTG_DTLS_V12;
    sh.random.p = random_s;
    sh.random.len = 32;
    sh.suite = 0xc02b;
    sh.exts = x;
    assert_int_equal(rtg_dtls_server_hello_write(&w, &sh), 0);
  } else {
    static const uint8_t suites[2] = {0xc0, 0x2b}, comp[1] = {0};
    struct rtg_dtls_client_hello ch;
    memset(&ch, 0, sizeof ch);
    ch.version = RTG_DTLS_V12;
    ch.random.p = random_c;
    ch.random.len = 32;
    ch.suites.p = suites;
    ch.suites.len = 2;
    ch.compression.p = comp;
    ch.compression.len = 1;
    ch.exts = x;
    assert_int_equal(rtg_dtls_client_hello_write(&w, &ch), 0);
  }
  bl = rtg_wr_len(&w);
  memset(&f, 0, sizeof f);
  f.msg_type = server ? RTG_DTLS_HS_SERVER_HELLO : RTG_DTLS_HS_CLIENT_HELLO;
  f.length = f.frag_len = (uint32_t)bl;
  f.msg_seq = 0;
  f.body.p = body;
  f.body.len = bl;
  {
    uint8_t frag[600];
    struct rtg_wr fw;
    rtg_wr_init(&fw, frag, sizeof frag);
    assert_int_equal(rtg_dtls_hs_frag_write(&fw, &f), 0);
    memset(&rec, 0, sizeof rec);
    rec.type = RTG_DTLS_CT_HANDSHAKE;
    rec.version = RTG_DTLS_V12;
    rec.seq_len = 6;
    rec.has_length = true;
    rec.payload.p = frag;
    rec.payload.len = rtg_wr_len(&fw);
    rtg_wr_init(&w, out, cap);
    assert_int_equal(rtg_dtls_record_write(&w, &rec), 0);
  }
  return rtg_wr_len(&w);
}

struct session {
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_dtls_keylog kl;
  struct rtg_dtls_decryptor d;
  struct rtg_dtls12_keys c, s;
};

static struct session *session_new(bool ch_cid, const uint8_t *ch_id, size_t ch_len, bool sh_cid,
                                   const uint8_t *sh_id, size_t sh_len) {
  struct session *s = calloc(1, sizeof *s);
  uint8_t buf[700], cr[32], sr[32], out[700], type;
  char line[300];
  struct rtg_dtls_record rec;
  size_t n;
  assert_non_null(s);
  fill(cr, 32, 0x20);
  fill(sr, 32, 0x60);
  assert_true(rtg_dtls_keylog_format(line, sizeof line, RTG_DTLS_KL_CLIENT_RANDOM, cr, master, 48) >
              0);
  assert_int_equal(rtg_dtls_keylog_parse(&s->kl, line, strlen(line), NULL), 0);
  rtg_ctx_deterministic(&s->ctx, &s->prng, 7, NULL);
  rtg_dtls_decryptor_init(&s->d, &s->kl, &s->ctx);
  n = hello_record(false, ch_cid, ch_id, ch_len, buf, sizeof buf);
  parse_cid(buf, n, 0, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, true, &rec, out, sizeof out, &type, NULL),
                   (ptrdiff_t)rec.payload.len);
  n = hello_record(true, sh_cid, sh_id, sh_len, buf, sizeof buf);
  parse_cid(buf, n, 0, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, false, &rec, out, sizeof out, &type, NULL),
                   (ptrdiff_t)rec.payload.len);
  assert_int_equal(rtg_dtls12_keys_derive(0xc02b, false, master, cr, sr, &s->c, &s->s), 0);
  return s;
}

static void session_free(struct session *s) {
  rtg_dtls_decryptor_free(&s->d);
  free(s);
}

static void test_dtls_decryptor_cid_both_directions(void **state) {
  static const uint8_t client_asks[2] = {0xca, 0xfe}, server_asks[5] = {1, 2, 3, 4, 5};
  struct session *s = session_new(true, client_asks, 2, true, server_asks, 5);
  uint8_t buf[256], out[256], type = 0;
  struct rtg_dtls_record rec;
  struct rtg_perr perr;
  ptrdiff_t n;
  (void)state;
  /* records from the client carry the ServerHello's CID, and back */
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, true), 5);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, false), 2);
  n = rtg_dtls12_protect_cid(&s->c, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 0, server_asks, 5,
                             content, CONTENT_LEN, 7, buf, sizeof buf);
  assert_true(n > 0);
  parse_cid(buf, (size_t)n, 5, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, true, &rec, out, sizeof out, &type, NULL),
                   CONTENT_LEN);
  assert_memory_equal(out, content, CONTENT_LEN);
  assert_int_equal(type, RTG_DTLS_CT_APPDATA);
  n = rtg_dtls12_protect_cid(&s->s, RTG_DTLS_CT_ALERT, RTG_DTLS_V12, 1, 0, client_asks, 2,
                             (const uint8_t *)"\x01\x00", 2, 0, buf, sizeof buf);
  parse_cid(buf, (size_t)n, 2, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, false, &rec, out, sizeof out, &type, NULL), 2);
  assert_int_equal(type, RTG_DTLS_CT_ALERT);
  /* a CID other than the negotiated one (here: the other direction's) */
  n = rtg_dtls12_protect_cid(&s->s, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 1, server_asks, 5,
                             content, CONTENT_LEN, 0, buf, sizeof buf);
  parse_cid(buf, (size_t)n, 5, &rec);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, false, &rec, out, sizeof out, &type, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.record.cid");
  /* tampered: authentication fails */
  n = rtg_dtls12_protect_cid(&s->c, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 2, server_asks, 5,
                             content, CONTENT_LEN, 0, buf, sizeof buf);
  buf[n - 1] ^= 0x80;
  parse_cid(buf, (size_t)n, 5, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, true, &rec, out, sizeof out, &type, NULL),
                   RTG_ERR_AUTH);
  /* ordinary records still decrypt alongside */
  n = rtg_dtls12_protect(&s->c, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 3, content, CONTENT_LEN, buf,
                         sizeof buf);
  parse_cid(buf, (size_t)n, 0, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, true, &rec, out, sizeof out, &type, NULL),
                   CONTENT_LEN);
  session_free(s);
}

/* connection_id in one hello only, or an empty CID: no CID in use in that
 * direction (RFC 9146 §3), and a tls12_cid record is not accepted. */
static void test_dtls_decryptor_cid_one_side(void **state) {
  static const uint8_t id[3] = {7, 8, 9};
  uint8_t buf[256], out[256], type;
  struct rtg_dtls_record rec;
  ptrdiff_t n;
  struct session *s;
  (void)state;
  s = session_new(true, id, 3, false, NULL, 0);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, true), 0);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, false), 0);
  n = rtg_dtls12_protect_cid(&s->s, RTG_DTLS_CT_APPDATA, RTG_DTLS_V12, 1, 0, id, 3, content,
                             CONTENT_LEN, 0, buf, sizeof buf);
  parse_cid(buf, (size_t)n, 3, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, false, &rec, out, sizeof out, &type, NULL),
                   RTG_ERR_PARSE);
  session_free(s);
  s = session_new(false, NULL, 0, true, id, 3);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, true), 0);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, false), 0);
  session_free(s);
  /* both sent it, the client with an empty CID: only the client's records
   * carry one */
  s = session_new(true, NULL, 0, true, id, 3);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, true), 3);
  assert_int_equal(rtg_dtls_decryptor_cid_len(&s->d, false), 0);
  n = rtg_dtls12_protect_cid(&s->c, RTG_DTLS_CT_HANDSHAKE, RTG_DTLS_V12, 1, 0, id, 3, content,
                             CONTENT_LEN, 1, buf, sizeof buf);
  parse_cid(buf, (size_t)n, 3, &rec);
  assert_int_equal(rtg_dtls_decryptor_record(&s->d, true, &rec, out, sizeof out, &type, NULL),
                   CONTENT_LEN);
  assert_int_equal(type, RTG_DTLS_CT_HANDSHAKE);
  session_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dtls12_unprotect_cid_gcm_vector),
      cmocka_unit_test(test_dtls12_unprotect_cid_cbc_etm_vector),
      cmocka_unit_test(test_dtls12_unprotect_cid_cbc_mte_vector),
      cmocka_unit_test(test_dtls12_protect_cid_round_trip),
      cmocka_unit_test(test_dtls12_unprotect_cid_tampered),
      cmocka_unit_test(test_dtls12_unprotect_cid_truncated),
      cmocka_unit_test(test_dtls12_unprotect_cid_no_real_type),
      cmocka_unit_test(test_dtls_decryptor_cid_both_directions),
      cmocka_unit_test(test_dtls_decryptor_cid_one_side),
  };
  return cmocka_run_group_tests_name("dtls_cid", tests, NULL, NULL);
}
