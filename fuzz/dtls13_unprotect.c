/*
 * dtls13_unprotect - DTLS 1.3 record protection (RFC 9147 §4, §4.2.2,
 * §4.2.3): record number decryption, sequence number reconstruction,
 * AEAD opening and inner content type recovery, with a fixed traffic secret
 * (epoch 3).
 *
 * Input: byte 0 = suite index (low 2 bits: 0x1301, 0x1302, 0x1303), bit 2 =
 * start the expected sequence number at 0xff00 (reconstruction across a
 * wrap), bit 7 = let the fix-up re-protect the first record; then one
 * datagram of unified-header records (also parsed with a 4-byte CID when
 * bit 3 is set). Invariants: an opened record re-protects and opens to the
 * same content and type; failures are clean errors.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"
#include "rtg_fuzz.h"

static const uint16_t suites[4] = {0x1301, 0x1302, 0x1303, 0x1301};

static int keys_for(uint8_t sel, struct rtg_dtls13_keys *k) {
  uint8_t secret[48];
  const struct rtg_dtls13_suite *s = rtg_dtls13_suite_find(suites[sel & 3u]);
  int rc;
  memset(secret, 0xd7, sizeof secret);
  rc = rtg_dtls13_keys_derive(s->id, 3, secret, rtg_hash_size((enum rtg_hash_alg)s->hash_alg), k);
  if (!rc && (sel & 4u)) k->next_seq = 0xff00;
  return rc;
}

static size_t fix(uint8_t *data, size_t size, size_t max_size) {
  static uint8_t out[20000];
  struct rtg_dtls13_keys k;
  ptrdiff_t n;
  size_t len;
  if (size < 2 || !(data[0] & 0x80u) || keys_for(data[0], &k)) return size;
  /* the bytes after the selector are the content; its first byte the type */
  len = size - 2 > 2000 ? 2000 : size - 2;
  n = rtg_dtls13_protect(&k, data[1], k.next_seq + (data[1] & 7u), data + 2, len, out, sizeof out);
  if (n < 0 || (size_t)n + 1 > max_size) return size;
  memcpy(data + 1, out, (size_t)n);
  return (size_t)n + 1;
}

RTG_FUZZ_FIXUP_MUTATOR(fix)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_dtls_record recs[32];
  static uint8_t pt[20000], again[20100], pt2[20000];
  struct rtg_dtls13_keys k;
  size_t n = 0;
  if (size < 1 || keys_for(data[0], &k)) return 0;
  if (rtg_dtls_datagram_parse(data + 1, size - 1, (data[0] & 8u) ? 4 : 0, recs, 32, &n, NULL) < 0 &&
      n == 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    struct rtg_perr perr;
    struct rtg_dtls13_keys k2 = k;
    struct rtg_dtls_record r2;
    struct rtg_rd rd;
    uint8_t type, type2;
    uint64_t seq, seq2;
    ptrdiff_t got, re, back;
    if (!recs[i].unified) continue;
    rtg_perr_clear(&perr);
    got = rtg_dtls13_unprotect(&k, &recs[i], pt, sizeof pt, &type, &seq, &perr);
    if (got < 0) {
      CHECK(got == RTG_ERR_AUTH || got == RTG_ERR_PARSE || got == RTG_ERR_INVAL ||
            got == RTG_ERR_NOBUF);
      if (got == RTG_ERR_AUTH || got == RTG_ERR_PARSE) CHECK(perr.reason != NULL);
      continue;
    }
    CHECK((size_t)got < recs[i].payload.len && type != 0 && k.next_seq > seq);
    if (seq >> 48) continue;
    re = rtg_dtls13_protect(&k2, type, seq, pt, (size_t)got, again, sizeof again);
    CHECK(re > 0);
    rtg_rd_init(&rd, again, (size_t)re);
    CHECK(rtg_dtls_record_parse(&rd, 0, &r2, NULL) == 0);
    back = rtg_dtls13_unprotect(&k2, &r2, pt2, sizeof pt2, &type2, &seq2, NULL);
    CHECK(back == got && type2 == type && seq2 == seq && !memcmp(pt, pt2, (size_t)got));
  }
  return 0;
}
