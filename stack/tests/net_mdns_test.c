/*
 * net_mdns_test.c - the DNS/mDNS codec (stack/net/mdns.c): RFC 1035 §4.1.4
 * name compression, one-shot queries and answers (RFC 6762), truncation
 * sweeps and malformed names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/mdns.h"

/* The RFC 1035 §4.1.4 compression example laid out in a response: the
 * question holds F.ISI.ARPA at offset 12; answer 1 is FOO.F.ISI.ARPA
 * written as FOO + a pointer to 12; answer 2 is ARPA written as a pointer
 * to the ARPA label inside the question (offset 12 + 2 + 4 = 18). */
static const uint8_t rfc1035_msg[] = {
    0x12, 0x34, 0x84, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* header */
    /* 12: question F.ISI.ARPA A IN */
    0x01, 'F', 0x03, 'I', 'S', 'I', 0x04, 'A', 'R', 'P', 'A', 0x00, 0x00, 0x01, 0x00, 0x01,
    /* 28: FOO + pointer to 12, A IN (cache-flush), TTL 120, 10.0.0.1 */
    0x03, 'F', 'O', 'O', 0xC0, 0x0C, 0x00, 0x01, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x04, 10,
    0, 0, 1,
    /* 48: pointer to 18 (ARPA), AAAA IN, TTL 120, 2001:db8::1 */
    0xC0, 0x12, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static void test_mdns_msg_parse_rfc1035_compression(void **state) {
  struct rtg_mdns_msg *m = malloc(sizeof *m);
  struct rtg_net_addr a;
  (void)state;
  assert_non_null(m);
  assert_int_equal(rtg_mdns_msg_parse(m, rfc1035_msg, sizeof rfc1035_msg, NULL), 0);
  assert_int_equal(m->id, 0x1234);
  assert_int_equal(m->nquestions, 1);
  assert_string_equal(m->q[0].name, "F.ISI.ARPA");
  assert_int_equal(m->q[0].type, RTG_DNS_TYPE_A);
  assert_false(m->q[0].unicast_response);
  assert_int_equal(m->nrecords, 2);
  assert_string_equal(m->rr[0].name, "FOO.F.ISI.ARPA");
  assert_true(m->rr[0].cache_flush);
  assert_int_equal(m->rr[0].cls, RTG_DNS_CLASS_IN);
  assert_int_equal(m->rr[0].ttl, 120);
  assert_int_equal(m->rr[0].section, RTG_DNS_ANSWER);
  assert_string_equal(m->rr[1].name, "ARPA");
  assert_int_equal(m->rr[1].type, RTG_DNS_TYPE_AAAA);
  assert_int_equal(rtg_mdns_msg_lookup(m, "foo.f.isi.arpa.", 0, &a), 0);
  assert_int_equal(a.family, 4);
  assert_memory_equal(a.ip, ((uint8_t[]){10, 0, 0, 1}), 4);
  assert_int_equal(rtg_mdns_msg_lookup(m, "arpa", 6, &a), 0);
  assert_int_equal(a.family, 6);
  assert_int_equal(a.ip[15], 1);
  assert_int_equal(rtg_mdns_msg_lookup(m, "arpa", 4, &a), RTG_ERR_NOTFOUND);
  assert_int_equal(rtg_mdns_msg_lookup(m, "F.ISI.ARPA", 0, &a), RTG_ERR_NOTFOUND);
  free(m);
}

/* The query a WebRTC stack sends for a host candidate's name, byte for
 * byte (RFC 6762 §5.1 one-shot, QU bit §5.4). */
static void test_mdns_build_query_round_trip(void **state) {
  static const uint8_t want[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x04, 'h',  'o',  's',  't',  0x05, 'l',  'o',
                                 'c',  'a',  'l',  0x00, 0x00, 0x01, 0x80, 0x01};
  uint8_t buf[512];
  struct rtg_mdns_msg *m = malloc(sizeof *m);
  ptrdiff_t n;
  (void)state;
  assert_non_null(m);
  n = rtg_mdns_build_query(buf, sizeof buf, 0, "host.local.", RTG_DNS_TYPE_A, true);
  assert_int_equal(n, (ptrdiff_t)sizeof want);
  assert_memory_equal(buf, want, sizeof want);
  assert_int_equal(rtg_mdns_msg_parse(m, buf, (size_t)n, NULL), 0);
  assert_int_equal(m->qdcount, 1);
  assert_string_equal(m->q[0].name, "host.local");
  assert_true(m->q[0].unicast_response);
  assert_int_equal(m->q[0].cls, RTG_DNS_CLASS_IN);
  /* a query holds no address */
  {
    struct rtg_net_addr a;
    assert_int_equal(rtg_mdns_msg_lookup(m, "host.local", 0, &a), RTG_ERR_INVAL);
  }
  /* every too-small buffer is refused */
  for (size_t cap = 0; cap < sizeof want; cap++)
    assert_int_equal(rtg_mdns_build_query(buf, cap, 0, "host.local", 1, true), RTG_ERR_NOBUF);
  free(m);
}

static void test_mdns_build_answer_round_trip(void **state) {
  const char *name = "1f2e3d4c-0000-4000-8000-123456789abc.local";
  struct rtg_net_addr v4 = {.family = 4, .ip = {127, 0, 0, 7}}, v6 = {.family = 6}, got;
  uint8_t buf[512];
  struct rtg_mdns_msg *m = malloc(sizeof *m);
  ptrdiff_t n;
  (void)state;
  assert_non_null(m);
  v6.ip[0] = 0xfd;
  v6.ip[15] = 9;
  n = rtg_mdns_build_answer(buf, sizeof buf, 7, name, &v4, 120, true);
  assert_true(n > 0);
  assert_int_equal(rtg_mdns_msg_parse(m, buf, (size_t)n, NULL), 0);
  assert_int_equal(m->flags, RTG_DNS_FLAG_QR | RTG_DNS_FLAG_AA);
  assert_int_equal(m->id, 7);
  assert_int_equal(m->nquestions, 1);
  assert_int_equal(rtg_mdns_msg_lookup(m, "1F2E3D4C-0000-4000-8000-123456789ABC.local", 4, &got),
                   0);
  assert_memory_equal(got.ip, v4.ip, 4);
  n = rtg_mdns_build_answer(buf, sizeof buf, 0, name, &v6, 120, false);
  assert_int_equal(n, 12 + 1 + 36 + 1 + 5 + 1 + 10 + 16);
  assert_int_equal(rtg_mdns_msg_parse(m, buf, (size_t)n, NULL), 0);
  assert_int_equal(m->nquestions, 0);
  assert_int_equal(rtg_mdns_msg_lookup(m, name, 0, &got), 0);
  assert_int_equal(got.family, 6);
  assert_memory_equal(got.ip, v6.ip, 16);
  v4.family = 5;
  assert_int_equal(rtg_mdns_build_answer(buf, sizeof buf, 0, name, &v4, 120, false), RTG_ERR_INVAL);
  free(m);
}

static void test_mdns_build_query_invalid_names(void **state) {
  uint8_t buf[600];
  char longlabel[70], longname[300];
  (void)state;
  memset(longlabel, 'a', 64);
  longlabel[64] = '\0';
  for (size_t i = 0; i < sizeof longname - 1; i++) longname[i] = (i % 2) ? '.' : 'a';
  longname[sizeof longname - 1] = '\0';
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, "", 1, false), RTG_ERR_INVAL);
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, ".", 1, false), RTG_ERR_INVAL);
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, "a..local", 1, false), RTG_ERR_INVAL);
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, ".local", 1, false), RTG_ERR_INVAL);
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, longlabel, 1, false), RTG_ERR_INVAL);
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, longname, 1, false), RTG_ERR_INVAL);
  assert_int_equal(rtg_mdns_build_query(buf, sizeof buf, 0, "a\\255b.local", 1, false),
                   RTG_ERR_INVAL);
  longlabel[63] = '\0';
  assert_true(rtg_mdns_build_query(buf, sizeof buf, 0, longlabel, 1, false) > 0);
}

/* Every proper prefix of a valid message is rejected with RTG_ERR_PARSE. */
static void sweep(const uint8_t *msg, size_t len) {
  struct rtg_mdns_msg *m = malloc(sizeof *m);
  assert_non_null(m);
  assert_int_equal(rtg_mdns_msg_parse(m, msg, len, NULL), 0);
  for (size_t n = 0; n < len; n++) {
    struct rtg_perr e;
    rtg_perr_clear(&e);
    assert_int_equal(rtg_mdns_msg_parse(m, msg, n, &e), RTG_ERR_PARSE);
    assert_non_null(e.field);
    assert_true(e.offset <= n);
  }
  free(m);
}

static void test_mdns_msg_parse_truncation_sweep(void **state) {
  uint8_t buf[512];
  struct rtg_net_addr v4 = {.family = 4, .ip = {127, 0, 0, 1}};
  ptrdiff_t n;
  (void)state;
  sweep(rfc1035_msg, sizeof rfc1035_msg);
  n = rtg_mdns_build_answer(buf, sizeof buf, 1, "x.local", &v4, 120, true);
  assert_true(n > 0);
  sweep(buf, (size_t)n);
  n = rtg_mdns_build_query(buf, sizeof buf, 1, "x.local", RTG_DNS_TYPE_AAAA, false);
  assert_true(n > 0);
  sweep(buf, (size_t)n);
}

static void expect_malformed(const uint8_t *msg, size_t len, size_t offset, const char *field,
                             const char *reason) {
  struct rtg_mdns_msg *m = malloc(sizeof *m);
  struct rtg_perr e;
  assert_non_null(m);
  rtg_perr_clear(&e);
  assert_int_equal(rtg_mdns_msg_parse(m, msg, len, &e), RTG_ERR_PARSE);
  assert_int_equal(e.offset, offset);
  assert_string_equal(e.field, field);
  assert_string_equal(e.reason, reason);
  free(m);
}

static void test_mdns_msg_parse_malformed(void **state) {
  uint8_t m[sizeof rfc1035_msg];
  (void)state;
  /* a pointer to itself: decompression would never end */
  memcpy(m, rfc1035_msg, sizeof m);
  m[48] = 0xC0;
  m[49] = 48;
  expect_malformed(m, sizeof m, 48, "dns.name.pointer", "pointer does not point backwards");
  /* a forward pointer */
  m[49] = 60;
  expect_malformed(m, sizeof m, 48, "dns.name.pointer", "pointer does not point backwards");
  /* a pointer into the middle of the run that contains it (FOO -> FOO) */
  memcpy(m, rfc1035_msg, sizeof m);
  m[33] = 28;
  expect_malformed(m, sizeof m, 32, "dns.name.pointer", "pointer does not point backwards");
  /* label type 01 (extended, RFC 6891) */
  memcpy(m, rfc1035_msg, sizeof m);
  m[12] = 0x41;
  expect_malformed(m, sizeof m, 12, "dns.name.label", "reserved label type");
  /* an A record of 5 octets */
  {
    uint8_t a5[sizeof rfc1035_msg + 1];
    memcpy(a5, rfc1035_msg, 48);
    a5[43] = 5; /* RDLENGTH of the A record at 28 */
    a5[48] = 0; /* its fifth data octet */
    memcpy(a5 + 49, rfc1035_msg + 48, sizeof rfc1035_msg - 48);
    expect_malformed(a5, sizeof a5, 42, "dns.rr.rdlength", "A record data is not 4 octets");
  }
  /* trailing garbage */
  {
    uint8_t t[sizeof rfc1035_msg + 2];
    memcpy(t, rfc1035_msg, sizeof rfc1035_msg);
    t[sizeof rfc1035_msg] = t[sizeof rfc1035_msg + 1] = 0;
    expect_malformed(t, sizeof t, sizeof rfc1035_msg, "dns", "bytes after the last record");
  }
}

/* A name of 256 wire octets built from compression: rejected. */
static void test_mdns_msg_parse_name_too_long(void **state) {
  uint8_t m[12 + 4 * 64 + 8];
  size_t o = 12;
  (void)state;
  memset(m, 0, sizeof m);
  m[5] = 1; /* one question */
  for (int i = 0; i < 4; i++) {
    m[o++] = 63;
    memset(m + o, 'a', 63);
    o += 63;
  }
  m[o++] = 0;
  m[o++] = 0;
  m[o++] = 1;
  m[o++] = 0;
  m[o++] = 1;
  expect_malformed(m, o, 12 + 3 * 64, "dns.name", "name longer than 255 octets");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mdns_msg_parse_rfc1035_compression),
      cmocka_unit_test(test_mdns_build_query_round_trip),
      cmocka_unit_test(test_mdns_build_answer_round_trip),
      cmocka_unit_test(test_mdns_build_query_invalid_names),
      cmocka_unit_test(test_mdns_msg_parse_truncation_sweep),
      cmocka_unit_test(test_mdns_msg_parse_malformed),
      cmocka_unit_test(test_mdns_msg_parse_name_too_long),
  };
  return cmocka_run_group_tests_name("net_mdns", tests, NULL, NULL);
}
