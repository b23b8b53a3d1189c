/*
 * net_test.c - link/IP/UDP/TCP decoding, fragment reassembly, RFC 4571.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/net.h"

/* Ethernet II + IPv4 (20 bytes) + UDP 10.0.0.1:5000 -> 10.0.0.2:6000, 4 bytes "STUN". */
static const uint8_t eth_udp[] = {
    /* dst, src MAC */ 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1,
    /* ethertype */ 0x08, 0x00,
    /* IPv4: v4 ihl5, tos, total 32, id 0x1234, DF, ttl 64, UDP, csum */
    0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
    /* src, dst */ 10, 0, 0, 1, 10, 0, 0, 2,
    /* UDP: 5000 -> 6000, len 12, csum */ 0x13, 0x88, 0x17, 0x70, 0x00, 0x0c, 0x00, 0x00, 'S', 'T',
    'U', 'N'};

static void test_net_frame_parse_ethernet_udp(void **state) {
  struct rtg_net_pkt p;
  struct rtg_perr e;
  (void)state;
  rtg_perr_clear(&e);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_ETHERNET, eth_udp, sizeof eth_udp, &p, &e), 0);
  assert_int_equal(p.ip_version, 4);
  assert_int_equal(p.proto, RTG_NET_PROTO_UDP);
  assert_int_equal(p.src.port, 5000);
  assert_int_equal(p.dst.port, 6000);
  assert_int_equal(p.src.ip[3], 1);
  assert_int_equal(p.payload.len, 4);
  assert_memory_equal(p.payload.p, "STUN", 4);
  assert_false(p.is_fragment);
}

/* Linux cooked v2 header (20 bytes) in front of the same IP packet. */
static void test_net_frame_parse_sll2_and_sll(void **state) {
  uint8_t f2[20 + sizeof eth_udp - 14], f1[16 + sizeof eth_udp - 14];
  struct rtg_net_pkt p;
  (void)state;
  memset(f2, 0, 20);
  f2[0] = 0x08; /* protocol 0x0800 */
  memcpy(f2 + 20, eth_udp + 14, sizeof eth_udp - 14);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_LINUX_SLL2, f2, sizeof f2, &p, NULL), 0);
  assert_int_equal(p.dst.port, 6000);
  memset(f1, 0, 16);
  f1[14] = 0x08;
  memcpy(f1 + 16, eth_udp + 14, sizeof eth_udp - 14);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_LINUX_SLL, f1, sizeof f1, &p, NULL), 0);
  assert_int_equal(p.payload.len, 4);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_RAW, eth_udp + 14, sizeof eth_udp - 14, &p, NULL),
                   0);
  assert_int_equal(p.src.port, 5000);
}

/* Every prefix of the frame is rejected without reading past it. */
static void test_net_frame_parse_truncation_sweep(void **state) {
  (void)state;
  for (size_t n = 0; n < sizeof eth_udp; n++) {
    struct rtg_net_pkt p;
    struct rtg_perr e;
    rtg_perr_clear(&e);
    assert_int_equal(rtg_net_frame_parse(RTG_LINK_ETHERNET, eth_udp, n, &p, &e), RTG_ERR_PARSE);
    assert_non_null(e.reason);
  }
}

static void test_net_frame_parse_malformed(void **state) {
  uint8_t f[sizeof eth_udp];
  struct rtg_net_pkt p;
  struct rtg_perr e;
  (void)state;
  memcpy(f, eth_udp, sizeof f);
  f[14] = 0x44; /* IHL 4 */
  rtg_perr_clear(&e);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_ETHERNET, f, sizeof f, &p, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "ipv4.ihl");
  memcpy(f, eth_udp, sizeof f);
  f[14 + 20 + 5] = 7; /* UDP length 7 < 8 */
  rtg_perr_clear(&e);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_ETHERNET, f, sizeof f, &p, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "udp.length");
  assert_string_equal(e.ref, "RFC 768");
  memcpy(f, eth_udp, sizeof f);
  f[12] = 0x08;
  f[13] = 0x06; /* ARP */
  rtg_perr_clear(&e);
  assert_int_equal(rtg_net_frame_parse(RTG_LINK_ETHERNET, f, sizeof f, &p, &e),
                   RTG_ERR_UNSUPPORTED);
  assert_string_equal(e.reason, "ARP frame, not IP");
  assert_int_equal(rtg_net_frame_parse(147, f, sizeof f, &p, &e), RTG_ERR_UNSUPPORTED);
  assert_false(rtg_net_linktype_supported(147));
  assert_true(rtg_net_linktype_supported(RTG_LINK_LINUX_SLL2));
}

/* IPv6 + hop-by-hop options + UDP. */
static void test_net_ip_parse_ipv6_ext(void **state) {
  uint8_t pkt[40 + 8 + 8 + 3] = {0x60, 0, 0, 0, 0, 8 + 8 + 3, 0 /* hop-by-hop */, 64};
  struct rtg_net_pkt p;
  char buf[64];
  (void)state;
  pkt[8 + 15] = 1;  /* src ::1 */
  pkt[24 + 15] = 2; /* dst ::2 */
  pkt[40] = 17;     /* next: UDP */
  pkt[41] = 0;      /* 8 bytes */
  pkt[48] = 0x0f;
  pkt[49] = 0xa0; /* 4000 */
  pkt[50] = 0x0f;
  pkt[51] = 0xa1;
  pkt[53] = 11;
  memcpy(pkt + 56, "abc", 3);
  assert_int_equal(rtg_net_ip_parse(pkt, sizeof pkt, 0, &p, NULL), 0);
  assert_int_equal(p.ip_version, 6);
  assert_int_equal(p.proto, 17);
  assert_int_equal(p.dst.port, 4001);
  assert_int_equal(p.payload.len, 3);
  rtg_net_addr_format(&p.src, buf, sizeof buf);
  assert_string_equal(buf, "[0:0:0:0:0:0:0:1]:4000");
}

/* Builds an IPv4 fragment of a UDP datagram. */
static size_t mk_frag(uint8_t *out, const uint8_t *dgram, size_t off, size_t n, bool more) {
  uint16_t fo = (uint16_t)((off / 8) | (more ? 0x2000 : 0));
  static const uint8_t hdr[20] = {0x45, 0, 0,   0,   0xab, 0xcd, 0,   0,   64, 17,
                                  0,    0, 192, 168, 0,    1,    192, 168, 0,  2};
  memcpy(out, hdr, 20);
  rtg_store_u16(out + 2, (uint16_t)(20 + n));
  rtg_store_u16(out + 6, fo);
  memcpy(out + 20, dgram + off, n);
  return 20 + n;
}

static void test_net_defrag_add_out_of_order_with_overlap(void **state) {
  uint8_t dgram[8 + 3000], frag[1600];
  struct rtg_net_defrag d;
  struct rtg_ctx ctx;
  struct rtg_net_pkt p;
  bool done = false;
  size_t n;
  (void)state;
  rtg_ctx_default(&ctx);
  for (size_t i = 0; i < sizeof dgram; i++) dgram[i] = (uint8_t)(i * 7);
  rtg_store_u16(dgram, 1111);
  rtg_store_u16(dgram + 2, 2222);
  rtg_store_u16(dgram + 4, (uint16_t)sizeof dgram);
  assert_int_equal(rtg_net_defrag_init(&d, &ctx, RTG_SEC(30)), 0);
  /* last fragment first, then the first, then an overlapping middle, then the middle */
  n = mk_frag(frag, dgram, 2960, sizeof dgram - 2960, false);
  assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
  assert_true(p.is_fragment);
  assert_int_equal(rtg_net_defrag_add(&d, 0, &p, &done, NULL), 0);
  assert_false(done);
  n = mk_frag(frag, dgram, 0, 1480, true);
  assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
  assert_int_equal(rtg_net_defrag_add(&d, 1, &p, &done, NULL), 0);
  assert_false(done);
  n = mk_frag(frag, dgram, 1000, 1000, true);
  assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
  assert_int_equal(rtg_net_defrag_add(&d, 2, &p, &done, NULL), 0);
  assert_false(done);
  n = mk_frag(frag, dgram, 1480, 1480, true);
  assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
  assert_int_equal(rtg_net_defrag_add(&d, 3, &p, &done, NULL), 0);
  assert_true(done);
  assert_int_equal(p.src.port, 1111);
  assert_int_equal(p.dst.port, 2222);
  assert_int_equal(p.payload.len, 3000);
  assert_memory_equal(p.payload.p, dgram + 8, 3000);
  assert_true(d.overlaps > 0);
  rtg_net_defrag_free(&d);
}

static void test_net_defrag_add_timeout_and_eviction(void **state) {
  uint8_t dgram[64] = {0}, frag[128];
  struct rtg_net_defrag d;
  struct rtg_ctx ctx;
  struct rtg_net_pkt p;
  struct rtg_perr e;
  bool done;
  size_t n;
  (void)state;
  rtg_ctx_default(&ctx);
  assert_int_equal(rtg_net_defrag_init(&d, &ctx, RTG_SEC(1)), 0);
  for (int i = 0; i < RTG_DEFRAG_SLOTS + 3; i++) {
    n = mk_frag(frag, dgram, 0, 16, true);
    rtg_store_u16(frag + 4, (uint16_t)i); /* distinct ids */
    assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
    assert_int_equal(rtg_net_defrag_add(&d, i, &p, &done, NULL), 0);
  }
  assert_int_equal(d.evicted, 3);
  n = mk_frag(frag, dgram, 32, 16, true);
  assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
  assert_int_equal(rtg_net_defrag_add(&d, RTG_SEC(5), &p, &done, NULL), 0);
  assert_int_equal(d.timed_out, RTG_DEFRAG_SLOTS);
  /* non-final fragment of odd size */
  n = mk_frag(frag, dgram, 0, 13, true);
  assert_int_equal(rtg_net_ip_parse(frag, n, 0, &p, NULL), 0);
  rtg_perr_clear(&e);
  assert_int_equal(rtg_net_defrag_add(&d, RTG_SEC(5), &p, &done, &e), RTG_ERR_PARSE);
  assert_string_equal(e.reason, "non-final fragment not a multiple of 8 bytes");
  rtg_net_defrag_free(&d);
}

static void test_net_tcpframer_split_and_retransmit(void **state) {
  static struct rtg_net_tcpframer f;
  static const uint8_t stream[] = {0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'x', 'y'};
  struct rtg_slice s;
  (void)state;
  rtg_net_tcpframer_init(&f);
  rtg_net_tcpframer_push(&f, 999, RTG_TCP_SYN, NULL, 0);
  rtg_net_tcpframer_push(&f, 1000, RTG_TCP_ACK, stream, 4);
  assert_int_equal(rtg_net_tcpframer_pop(&f, &s), RTG_ERR_AGAIN);
  rtg_net_tcpframer_push(&f, 1000, RTG_TCP_ACK, stream, 4);     /* retransmission */
  rtg_net_tcpframer_push(&f, 1002, RTG_TCP_ACK, stream + 2, 6); /* partial overlap */
  assert_int_equal(rtg_net_tcpframer_pop(&f, &s), 0);
  assert_int_equal(s.len, 3);
  assert_memory_equal(s.p, "abc", 3);
  assert_int_equal(rtg_net_tcpframer_pop(&f, &s), 0);
  assert_int_equal(s.len, 0); /* empty frame is legal */
  assert_int_equal(rtg_net_tcpframer_pop(&f, &s), RTG_ERR_AGAIN);
  rtg_net_tcpframer_push(&f, 1008, RTG_TCP_ACK, stream + 8, 3);
  assert_int_equal(rtg_net_tcpframer_pop(&f, &s), 0);
  assert_memory_equal(s.p, "xy", 2);
  /* a gap stops framing */
  rtg_net_tcpframer_push(&f, 2000, RTG_TCP_ACK, stream, 5);
  assert_true(f.lost);
  assert_int_equal(rtg_net_tcpframer_pop(&f, &s), RTG_ERR_AGAIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_net_frame_parse_ethernet_udp),
      cmocka_unit_test(test_net_frame_parse_sll2_and_sll),
      cmocka_unit_test(test_net_frame_parse_truncation_sweep),
      cmocka_unit_test(test_net_frame_parse_malformed),
      cmocka_unit_test(test_net_ip_parse_ipv6_ext),
      cmocka_unit_test(test_net_defrag_add_out_of_order_with_overlap),
      cmocka_unit_test(test_net_defrag_add_timeout_and_eviction),
      cmocka_unit_test(test_net_tcpframer_split_and_retransmit),
  };
  return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
