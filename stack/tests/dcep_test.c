/*
 * dcep_test.c - DCEP (RFC 8832): an RFC-layout vector, round trips of every
 * channel type, truncation sweep and malformed messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/sctp.h"

/* DATA_CHANNEL_OPEN laid out after RFC 8832 §5.1: partially reliable with
 * at most 3 retransmissions, priority 256 (RFC 8831 §6.4 "normal"), label
 * "chat", protocol "v1". */
static const uint8_t open_vector[] = {
    0x03,                   /* Message Type: DATA_CHANNEL_OPEN */
    0x01,                   /* Channel Type: PARTIAL_RELIABLE_REXMIT */
    0x01, 0x00,             /* Priority 256 */
    0x00, 0x00, 0x00, 0x03, /* Reliability Parameter: 3 retransmissions */
    0x00, 0x04,             /* Label Length */
    0x00, 0x02,             /* Protocol Length */
    'c',  'h',  'a',  't',  /* Label */
    'v',  '1',              /* Protocol */
};

static void test_dcep_parse_rfc_vector(void **state) {
  struct rtg_dcep_msg m;
  struct rtg_perr e;
  (void)state;
  rtg_perr_clear(&e);
  assert_int_equal(rtg_dcep_parse(open_vector, sizeof open_vector, &m, &e), 0);
  assert_int_equal(m.type, RTG_DCEP_OPEN);
  assert_int_equal(m.open.channel_type, RTG_DCEP_PARTIAL_REXMIT);
  assert_int_equal(m.open.priority, 256);
  assert_int_equal(m.open.reliability, 3);
  assert_int_equal(m.open.label.len, 4);
  assert_memory_equal(m.open.label.p, "chat", 4);
  assert_int_equal(m.open.protocol.len, 2);
  assert_memory_equal(m.open.protocol.p, "v1", 2);
  assert_string_equal(rtg_dcep_channel_type_name(m.open.channel_type), "partial_reliable_rexmit");
}

static void test_dcep_open_write_round_trip(void **state) {
  static const uint8_t types[] = {RTG_DCEP_RELIABLE,       RTG_DCEP_RELIABLE_UNORDERED,
                                  RTG_DCEP_PARTIAL_REXMIT, RTG_DCEP_PARTIAL_REXMIT_UNORDERED,
                                  RTG_DCEP_PARTIAL_TIMED,  RTG_DCEP_PARTIAL_TIMED_UNORDERED};
  static const char label[] = "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"; /* UTF-8 */
  (void)state;
  for (size_t i = 0; i < sizeof types; i++) {
    uint8_t buf[64];
    struct rtg_dcep_open o = {types[i], (uint16_t)(i * 100), (uint32_t)(i * 1000), {0}, {0}};
    struct rtg_dcep_msg m;
    ptrdiff_t n;
    o.label.p = (const uint8_t *)label;
    o.label.len = strlen(label);
    o.protocol.p = (const uint8_t *)"";
    o.protocol.len = 0;
    n = rtg_dcep_open_write(buf, sizeof buf, &o);
    assert_int_equal(n, 12 + (ptrdiff_t)strlen(label));
    assert_int_equal(rtg_dcep_parse(buf, (size_t)n, &m, NULL), 0);
    assert_int_equal(m.open.channel_type, types[i]);
    assert_int_equal(m.open.priority, o.priority);
    assert_int_equal(m.open.reliability, o.reliability);
    assert_int_equal(m.open.label.len, strlen(label));
    assert_memory_equal(m.open.label.p, label, strlen(label));
    assert_int_equal(m.open.protocol.len, 0);
    /* the writer refuses a buffer one byte too small without overrunning */
    assert_int_equal(rtg_dcep_open_write(buf, (size_t)n - 1, &o), RTG_ERR_NOBUF);
  }
  {
    uint8_t b[1];
    struct rtg_dcep_msg m;
    assert_int_equal(rtg_dcep_ack_write(b, 1), 1);
    assert_int_equal(rtg_dcep_parse(b, 1, &m, NULL), 0);
    assert_int_equal(m.type, RTG_DCEP_ACK);
    assert_int_equal(rtg_dcep_ack_write(b, 0), RTG_ERR_NOBUF);
  }
}

static void test_dcep_parse_truncation_sweep(void **state) {
  (void)state;
  for (size_t len = 0; len < sizeof open_vector; len++) {
    struct rtg_dcep_msg m;
    struct rtg_perr e;
    rtg_perr_clear(&e);
    assert_int_equal(rtg_dcep_parse(open_vector, len, &m, &e), RTG_ERR_PARSE);
    assert_non_null(e.field);
    assert_non_null(e.ref);
  }
}

static void test_dcep_parse_malformed(void **state) {
  static const struct {
    const char *name;
    uint8_t b[24];
    size_t len;
    const char *field;
    size_t offset;
  } cases[] = {
      {"unknown type", {0x04}, 1, "dcep.type", 0},
      {"ack trailing", {0x02, 0x00}, 2, "dcep.ack.length", 1},
      {"short open", {0x03, 0x00, 0x00}, 3, "dcep.open.length", 1},
      {"unknown channel type",
       {0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
       12,
       "dcep.open.channel_type",
       1},
      {"label overruns",
       {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 'a'},
       13,
       "dcep.open.label_length",
       8},
      {"protocol overruns",
       {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 'a', 'b'},
       14,
       "dcep.open.protocol_length",
       10},
      {"trailing bytes",
       {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 'a', 'b'},
       14,
       "dcep.open.length",
       13},
      {"label not UTF-8",
       {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 'a', 0xc0},
       14,
       "dcep.open.label",
       13},
      {"protocol surrogate",
       {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xa0, 0x80},
       15,
       "dcep.open.protocol",
       12},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct rtg_dcep_msg m;
    struct rtg_perr e;
    int rc;
    rtg_perr_clear(&e);
    rc = rtg_dcep_parse(cases[i].b, cases[i].len, &m, &e);
    if (rc != RTG_ERR_PARSE || e.field == NULL || strcmp(e.field, cases[i].field) != 0 ||
        e.offset != cases[i].offset)
      fail_msg("%s: rc %d field %s offset %zu", cases[i].name, rc, e.field ? e.field : "-",
               e.offset);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dcep_parse_rfc_vector),
      cmocka_unit_test(test_dcep_open_write_round_trip),
      cmocka_unit_test(test_dcep_parse_truncation_sweep),
      cmocka_unit_test(test_dcep_parse_malformed),
  };
  return cmocka_run_group_tests_name("dcep", tests, NULL, NULL);
}
