/*
 * dtls12_unprotect - DTLS 1.2 record decryption (RFC 5246 §6.2.3, RFC 5288,
 * RFC 7905, RFC 7366) with fixed secrets: the master secret and randoms of
 * the recorded session stack/dtls/testdata/dtls12-gcm, so its encrypted
 * records (seeds) decrypt under suite 0xc02b.
 *
 * Input: byte 0 = suite index (low 3 bits, into suites[]), bit 3 =
 * encrypt-then-MAC, bit 4 = decrypt with the server's keys, bits 5-6 = the
 * connection ID length for tls12_cid records (RFC 9146: 0, 1, 4 or 16),
 * bit 7 = let the fix-up re-protect the first record; then one datagram.
 * Invariants: a record that decrypts re-protects and decrypts to the same
 * plaintext (and, for tls12_cid, the same real content type); a failure is
 * a clean error with a reason.
 *
 * The fix-up (bit 7) takes the first record's payload as plaintext and
 * protects it under the same header fields (a tls12_cid record: as the
 * content of a DTLSInnerPlaintext, real type and padding taken from the
 * header), so mutations reach the code behind the authentication check
 * (padding, lengths, inner plaintext, content handling).
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"
#include "rtg_fuzz.h"

static const uint16_t suites[8] = {0xc02b, 0xc02c, 0xcca9, 0xc009, 0xc023, 0xc024, 0xc02f, 0xc00a};

static const uint8_t master[48] = {
    0x17, 0xbb, 0xd4, 0xee, 0x41, 0x8e, 0x12, 0xcd, 0x72, 0xa1, 0x6d, 0xc0, 0x2b, 0xc0, 0x85, 0x76,
    0x3d, 0xe6, 0x79, 0x41, 0xa5, 0x09, 0xa6, 0xa6, 0x6b, 0xc8, 0xa2, 0x4e, 0xca, 0x5c, 0x2c, 0x28,
    0x09, 0xb9, 0x96, 0xe8, 0x81, 0x44, 0xe9, 0xc4, 0x91, 0x64, 0x77, 0x96, 0xa7, 0x56, 0x05, 0xd7};
static const uint8_t client_random[32] = {
    0x05, 0x69, 0x8c, 0x4f, 0x42, 0x85, 0x35, 0x41, 0x83, 0x01, 0xcc, 0x86, 0xd1, 0x4c, 0x05, 0x1b,
    0x40, 0xb9, 0x08, 0xd3, 0x60, 0xa2, 0x45, 0xab, 0x39, 0x1a, 0x70, 0xa6, 0x0a, 0xa2, 0xa0, 0xdf};
static const uint8_t server_random[32] = {
    0xae, 0x26, 0x70, 0x74, 0x56, 0x0a, 0x71, 0xfb, 0xdb, 0x9e, 0xec, 0x52, 0x63, 0x3e, 0x1b, 0xd0,
    0x2c, 0xa8, 0xea, 0x95, 0x5a, 0x4e, 0xb7, 0x0e, 0xf0, 0x8b, 0xb3, 0x94, 0x3a, 0x47, 0x6d, 0xe9};

static const size_t cid_lens[4] = {0, 1, 4, 16};

static size_t cid_len_of(uint8_t sel) { return cid_lens[(sel >> 5) & 3u]; }

/* Re-protects |rec| (see the fix-up): a tls12_cid record carries its
 * payload as content, with a real type from the payload's first byte (23
 * if none) and seq % 16 zeros. */
static ptrdiff_t reprotect(const struct rtg_dtls12_keys *k, const struct rtg_dtls_record *rec,
                           uint8_t type, const uint8_t *pt, size_t len, size_t zeros, uint8_t *out,
                           size_t cap) {
  if (rec->type == RTG_DTLS_CT_TLS12_CID)
    return rtg_dtls12_protect_cid(k, type, rec->version, rec->epoch, rec->seq, rec->cid.p,
                                  rec->cid.len, pt, len, zeros, out, cap);
  return rtg_dtls12_protect(k, rec->type, rec->version, rec->epoch, rec->seq, pt, len, out, cap);
}

static int keys_for(uint8_t sel, struct rtg_dtls12_keys *k) {
  struct rtg_dtls12_keys c, s;
  int rc = rtg_dtls12_keys_derive(suites[sel & 7u], (sel & 8u) != 0, master, client_random,
                                  server_random, &c, &s);
  if (rc) return rc;
  *k = (sel & 16u) ? s : c;
  return 0;
}

static size_t fix(uint8_t *data, size_t size, size_t max_size) {
  static uint8_t out[20000];
  struct rtg_dtls12_keys k;
  struct rtg_dtls_record rec;
  struct rtg_rd rd;
  ptrdiff_t n;
  if (size < 2 || !(data[0] & 0x80u) || keys_for(data[0], &k)) return size;
  rtg_rd_init(&rd, data + 1, size - 1);
  if (rtg_dtls_record_parse(&rd, cid_len_of(data[0]), &rec, NULL) || rec.unified || rec.epoch == 0)
    return size;
  n = reprotect(&k, &rec,
                rec.payload.len && rec.payload.p[0] ? rec.payload.p[0] : RTG_DTLS_CT_APPDATA,
                rec.payload.p, rec.payload.len, (size_t)(rec.seq & 15u), out, sizeof out);
  if (n < 0 || (size_t)n + 1 > max_size) return size;
  memcpy(data + 1, out, (size_t)n);
  return (size_t)n + 1;
}

RTG_FUZZ_FIXUP_MUTATOR(fix)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_dtls_record recs[32];
  static uint8_t pt[20000], again[20100], pt2[20000];
  struct rtg_dtls12_keys k;
  size_t n = 0;
  if (size < 1 || keys_for(data[0], &k)) return 0;
  if (rtg_dtls_datagram_parse(data + 1, size - 1, cid_len_of(data[0]), recs, 32, &n, NULL) < 0 &&
      n == 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    struct rtg_perr perr;
    ptrdiff_t got, re, back;
    uint8_t type = 0, type2 = 0;
    struct rtg_dtls_record r2;
    struct rtg_rd rd;
    if (recs[i].unified || recs[i].epoch == 0) continue;
    rtg_perr_clear(&perr);
    got = rtg_dtls12_unprotect_typed(&k, &recs[i], pt, sizeof pt, &type, &perr);
    if (got < 0) {
      CHECK(got == RTG_ERR_AUTH || got == RTG_ERR_PARSE || got == RTG_ERR_NOBUF);
      if (got != RTG_ERR_NOBUF) CHECK(perr.reason != NULL);
      continue;
    }
    CHECK((size_t)got <= recs[i].payload.len);
    if (recs[i].type == RTG_DTLS_CT_TLS12_CID) {
      CHECK(type != 0);
      CHECK(recs[i].cid.len == cid_len_of(data[0]));
    } else {
      CHECK(type == recs[i].type);
    }
    re = reprotect(&k, &recs[i], type, pt, (size_t)got, 3, again, sizeof again);
    CHECK(re > 0);
    rtg_rd_init(&rd, again, (size_t)re);
    CHECK(rtg_dtls_record_parse(&rd, recs[i].cid.len, &r2, NULL) == 0);
    back = rtg_dtls12_unprotect_typed(&k, &r2, pt2, sizeof pt2, &type2, NULL);
    CHECK(back == got && !memcmp(pt, pt2, (size_t)got) && type2 == type);
  }
  return 0;
}
