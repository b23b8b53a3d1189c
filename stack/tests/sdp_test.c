/*
 * sdp_test.c - SDP parse/validate/write (RFC 8866) and the typed attribute
 * views, on the Chromium 156 and Firefox 153 descriptions captured in
 * pcaps/ and on RFC examples; JSEP (RFC 8829) answers to the captured
 * offers checked against RFC 8829 §5.3.1 / RFC 8843 rules, our offers
 * answered by our answerer, trickle and non-trickle, ICE restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "rtg/sdp.h"
#include "test_util.h"

static const char *const browser_sdps[] = {
    "pcaps/chromium-firefox-dtls13/offer.sdp", "pcaps/chromium-firefox-dtls13/answer.sdp",
    "pcaps/firefox-chromium-dtls12/offer.sdp", "pcaps/firefox-chromium-dtls12/answer.sdp",
    "pcaps/firefox-firefox-dtls13/offer.sdp",  "pcaps/firefox-firefox-dtls13/answer.sdp",
};
#define NSDPS (sizeof browser_sdps / sizeof browser_sdps[0])

static struct rtg_sdp *new_sdp(void) {
  struct rtg_sdp *s = calloc(1, sizeof *s);
  assert_non_null(s);
  return s;
}

/* The RFC 8866 §5 example session description. */
static const char rfc8866_example[] =
    "v=0\r\n"
    "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
    "s=Call to John Smith\r\n"
    "i=SDP Offer #1\r\n"
    "u=http://www.jdoe.example.com/home.html\r\n"
    "e=Jane Doe <jane@jdoe.example.com>\r\n"
    "p=+1 617 555-6011\r\n"
    "c=IN IP4 198.51.100.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "m=audio 49180 RTP/AVP 0\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "c=IN IP6 2001:db8::2\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

/* ---- parse + write -------------------------------------------------------- */

static void test_sdp_parse_rfc8866_example(void **state) {
  struct rtg_sdp *s = new_sdp();
  struct rtg_perr e;
  struct rtg_sdp_mline m;
  struct rtg_sdp_origin o;
  struct rtg_sdp_rtpmap r;
  size_t i = 0;
  char out[2048];
  (void)state;
  assert_int_equal(rtg_sdp_parse(s, rfc8866_example, strlen(rfc8866_example), &e), 0);
  assert_int_equal(s->nmedia, 3);
  assert_int_equal(rtg_sdp_get_origin(s, &o), 0);
  assert_memory_equal(o.username.p, "jdoe", 4);
  assert_int_equal(o.sess_version.len, 10);
  assert_int_equal(rtg_sdp_get_mline(s, 2, &m), 0);
  assert_int_equal(m.kind, RTG_SDP_MEDIA_VIDEO);
  assert_int_equal(m.port, 51372);
  assert_int_equal(m.nfmt, 1);
  assert_int_equal(rtg_sdp_attr_find(s, 2, "rtpmap", &i), 0);
  assert_int_equal(rtg_sdp_get_rtpmap(s, i, &r), 0);
  assert_int_equal(r.pt, 99);
  assert_int_equal(r.clock, 90000);
  assert_int_equal(r.channels, 0);
  assert_memory_equal(r.encoding.p, "h263-1998", 9);
  assert_int_equal(rtg_sdp_write(s, out, sizeof out), (ptrdiff_t)strlen(rfc8866_example));
  assert_string_equal(out, rfc8866_example);
  free(s);
}

/* Every captured browser description parses and writes back byte for byte
 * (they are canonical CRLF text); parse(write(parse(x))) == parse(x). */
static void test_sdp_parse_browsers_round_trip(void **state) {
  struct rtg_sdp *a = new_sdp(), *b = new_sdp();
  static char out[RTG_SDP_MAX_LEN], out2[RTG_SDP_MAX_LEN];
  (void)state;
  for (size_t k = 0; k < NSDPS; k++) {
    size_t len;
    char *text = tu_read_file(&len, "%s", browser_sdps[k]);
    struct rtg_perr e;
    ptrdiff_t n, n2;
    int rc = rtg_sdp_parse(a, text, len, &e);
    if (rc)
      fprintf(stderr, "%s: offset %zu: %s: %s\n", browser_sdps[k], e.offset, e.field, e.reason);
    assert_int_equal(rc, 0);
    assert_int_equal(a->nmedia, 3);
    n = rtg_sdp_write(a, out, sizeof out);
    assert_int_equal(n, (ptrdiff_t)len);
    assert_memory_equal(out, text, len);
    assert_int_equal(rtg_sdp_parse(b, out, (size_t)n, &e), 0);
    assert_int_equal(b->nlines, a->nlines);
    n2 = rtg_sdp_write(b, out2, sizeof out2);
    assert_int_equal(n2, n);
    assert_memory_equal(out2, out, (size_t)n);
    /* a too small buffer is refused */
    assert_int_equal(rtg_sdp_write(a, out, (size_t)n - 1), RTG_ERR_NOBUF);
    free(text);
  }
  free(a);
  free(b);
}

/* LF-only input is written back with LF; a missing final line end is
 * accepted (and added). */
static void test_sdp_write_lf_kept(void **state) {
  static const char in[] = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=foo:bar baz";
  struct rtg_sdp *s = new_sdp();
  char out[256];
  (void)state;
  assert_int_equal(rtg_sdp_parse(s, in, strlen(in), NULL), 0);
  assert_true(s->lf_only);
  assert_int_equal(rtg_sdp_write(s, out, sizeof out), (ptrdiff_t)strlen(in) + 1);
  assert_memory_equal(out, in, strlen(in));
  assert_int_equal(out[strlen(in)], '\n');
  /* the unknown attribute is kept as it was */
  assert_string_equal(rtg_sdp_attr_get(s, -1, "foo", false), "bar baz");
  free(s);
}

/* ---- typed views on the browsers' descriptions ---------------------------- */

static void test_sdp_get_chromium_offer(void **state) {
  struct rtg_sdp *s = new_sdp();
  size_t len, i = 0, first, end;
  char *text = tu_read_file(&len, "pcaps/chromium-firefox-dtls13/offer.sdp");
  struct rtg_sdp_group g;
  struct rtg_sdp_fingerprint fp;
  struct rtg_sdp_candidate c;
  struct rtg_sdp_extmap x;
  struct rtg_sdp_ssrc ss;
  struct rtg_sdp_msid ms;
  struct rtg_sdp_pt_value pv;
  struct rtg_sdp_mline m;
  uint64_t num;
  (void)state;
  assert_int_equal(rtg_sdp_parse(s, text, len, NULL), 0);
  assert_int_equal(rtg_sdp_attr_find(s, -1, "group", &i), 0);
  assert_int_equal(rtg_sdp_get_group(s, i, &g), 0);
  assert_true(g.semantics.len == 6 && memcmp(g.semantics.p, "BUNDLE", 6) == 0);
  assert_int_equal(g.nids, 3);
  assert_int_equal(rtg_sdp_get_mline(s, 1, &m), 0);
  assert_int_equal(m.nfmt, 23);
  assert_memory_equal(m.proto.p, "UDP/TLS/RTP/SAVPF", 17);
  /* audio section */
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "fingerprint", &i), 0);
  assert_int_equal(rtg_sdp_get_fingerprint(s, i, &fp), 0);
  assert_int_equal(fp.alg, RTG_HASH_SHA256);
  assert_int_equal(fp.len, 32);
  assert_int_equal(fp.digest[0], 0x42);
  assert_int_equal(fp.digest[31], 0x0C);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "setup", &i), 0);
  assert_int_equal(rtg_sdp_get_setup(s, i), RTG_SDP_SETUP_ACTPASS);
  assert_string_equal(rtg_sdp_attr_get(s, 0, "ice-ufrag", true), "csYs");
  assert_string_equal(rtg_sdp_attr_get(s, 0, "mid", false), "0");
  assert_int_equal(rtg_sdp_direction(s, 0), RTG_SDP_DIR_SENDRECV);
  /* third candidate: TCP active on port 9 */
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "candidate", &i), 0);
  assert_int_equal(rtg_sdp_attr_find(s, 0, "candidate", &(size_t){i + 1}), 0);
  i += 2;
  assert_int_equal(rtg_sdp_get_candidate(s, i, &c), 0);
  assert_true(c.tcp);
  assert_int_equal(c.tcptype, RTG_SDP_TCP_ACTIVE);
  assert_int_equal(c.port, 9);
  assert_int_equal(c.priority, 1518280447u);
  assert_int_equal(c.type, RTG_SDP_CAND_HOST);
  assert_int_equal(c.next, 2); /* generation 0, network-id 1 */
  assert_memory_equal(c.ext_name[1].p, "network-id", 10);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "extmap", &i), 0);
  assert_int_equal(rtg_sdp_get_extmap(s, i, &x), 0);
  assert_int_equal(x.id, 1);
  assert_false(x.has_dir);
  assert_memory_equal(x.uri.p, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", 43);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "msid", &i), 0);
  assert_int_equal(rtg_sdp_get_msid(s, i, &ms), 0);
  assert_int_equal(ms.id.len, 36);
  assert_int_equal(ms.appdata.len, 36);
  /* ssrc with a two-word msid value */
  assert_int_equal(rtg_sdp_section(s, 0, &first, &end), 0);
  assert_true(rtg_sdp_attr_is(s, end - 1, "ssrc"));
  assert_int_equal(rtg_sdp_get_ssrc(s, end - 1, &ss), 0);
  assert_int_equal(ss.ssrc, 3347809550u);
  assert_memory_equal(ss.attr.p, "msid", 4);
  assert_int_equal(ss.value.len, 73);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "fmtp", &i), 0);
  assert_int_equal(rtg_sdp_get_fmtp(s, i, &pv), 0);
  assert_int_equal(pv.pt, 111);
  assert_memory_equal(pv.value.p, "minptime=10;useinbandfec=1", pv.value.len);
  /* video ssrc-group FID */
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 1, "ssrc-group", &i), 0);
  assert_int_equal(rtg_sdp_get_group(s, i, &g), 0);
  assert_int_equal(g.nids, 2);
  /* application */
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 2, "sctp-port", &i), 0);
  assert_int_equal(rtg_sdp_get_number(s, i, &num), 0);
  assert_int_equal(num, 5000);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 2, "max-message-size", &i), 0);
  assert_int_equal(rtg_sdp_get_number(s, i, &num), 0);
  assert_int_equal(num, 262144);
  /* wrong attribute for a getter */
  assert_int_equal(rtg_sdp_get_rtpmap(s, i, &(struct rtg_sdp_rtpmap){0}), RTG_ERR_INVAL);
  free(text);
  free(s);
}

static void test_sdp_get_firefox_offer(void **state) {
  struct rtg_sdp *s = new_sdp();
  size_t len, i = 0;
  char *text = tu_read_file(&len, "pcaps/firefox-chromium-dtls12/offer.sdp");
  struct rtg_sdp_extmap x;
  struct rtg_sdp_rtpmap r;
  struct rtg_sdp_candidate c;
  int n = 0;
  (void)state;
  assert_int_equal(rtg_sdp_parse(s, text, len, NULL), 0);
  /* session-level sendrecv and fingerprint */
  assert_int_equal(rtg_sdp_direction(s, -1), RTG_SDP_DIR_SENDRECV);
  assert_non_null(rtg_sdp_attr_get(s, 2, "fingerprint", true));
  assert_null(rtg_sdp_attr_get(s, 2, "fingerprint", false));
  /* extmap with a direction */
  while (rtg_sdp_attr_find(s, 1, "extmap", &i) == 0) {
    assert_int_equal(rtg_sdp_get_extmap(s, i, &x), 0);
    if (x.has_dir) {
      assert_int_equal(x.id, 6);
      assert_int_equal(x.dir, RTG_SDP_DIR_RECVONLY);
      n++;
    }
    i++;
  }
  assert_int_equal(n, 1);
  /* G722/8000/1: channels 1 */
  i = 0;
  n = 0;
  while (rtg_sdp_attr_find(s, 0, "rtpmap", &i) == 0) {
    assert_int_equal(rtg_sdp_get_rtpmap(s, i, &r), 0);
    if (r.pt == 9) {
      assert_int_equal(r.channels, 1);
      n++;
    }
    i++;
  }
  assert_int_equal(n, 1);
  /* component 2 candidate in upper-case UDP */
  i = 0;
  n = 0;
  while (rtg_sdp_attr_find(s, 0, "candidate", &i) == 0) {
    assert_int_equal(rtg_sdp_get_candidate(s, i, &c), 0);
    if (c.component == 2 && c.udp) n++;
    i++;
  }
  assert_int_equal(n, 1);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(s, 0, "end-of-candidates", &i), 0);
  free(text);
  free(s);
}

/* ---- candidates (RFC 8839 §5.1) ------------------------------------------- */

static void test_sdp_candidate_parse_grammar(void **state) {
  struct rtg_sdp_candidate c;
  struct rtg_perr e;
  static const char mdns[] =
      "candidate:1467250027 1 udp 2122260223 3fa7d3a4-7c8f-4b24-9c1e-2a1d8b6c1f0e.local 54321 "
      "typ host generation 0";
  static const char srflx[] =
      "candidate:842163049 1 udp 1677729535 198.51.100.7 61665 typ srflx raddr 10.0.0.2 rport "
      "54400 generation 0 ufrag abcd network-cost 999";
  static const char relay6[] =
      "a=candidate:3 1 UDP 41885439 2001:db8::5 3478 typ relay raddr 2001:db8::1 rport 50000";
  static const char tcp_passive[] =
      "candidate:4 1 TCP 1015022079 10.0.0.1 9000 typ host "
      "tcptype passive";
  static const char so[] = "4 1 tcp 1015022079 10.0.0.1 9000 typ prflx tcptype so";
  (void)state;
  assert_int_equal(rtg_sdp_candidate_parse(mdns, strlen(mdns), &c, NULL), 0);
  assert_true(c.mdns);
  assert_int_equal(c.family, 0);
  assert_int_equal(c.port, 54321);
  assert_int_equal(rtg_sdp_candidate_parse(srflx, strlen(srflx), &c, NULL), 0);
  assert_int_equal(c.type, RTG_SDP_CAND_SRFLX);
  assert_true(c.has_raddr && c.has_rport);
  assert_int_equal(c.rport, 54400);
  assert_int_equal(c.family, 4);
  assert_int_equal(c.next, 3);
  assert_int_equal(rtg_sdp_candidate_parse(relay6, strlen(relay6), &c, NULL), 0);
  assert_int_equal(c.type, RTG_SDP_CAND_RELAY);
  assert_int_equal(c.family, 6);
  assert_true(c.udp);
  assert_int_equal(rtg_sdp_candidate_parse(tcp_passive, strlen(tcp_passive), &c, NULL), 0);
  assert_int_equal(c.tcptype, RTG_SDP_TCP_PASSIVE);
  assert_int_equal(rtg_sdp_candidate_parse(so, strlen(so), &c, NULL), 0);
  assert_int_equal(c.tcptype, RTG_SDP_TCP_SO);
  assert_int_equal(c.type, RTG_SDP_CAND_PRFLX);

  /* malformed: exact errors */
  struct {
    const char *in;
    size_t offset;
    const char *reason;
  } bad[] = {
      {"candidate:1 0 udp 1 10.0.0.1 1 typ host", 11, "component-id must be 1..256"},
      {"candidate:1 1 udp 4294967296 10.0.0.1 1 typ host", 17, "priority must be 1..2^32-1"},
      {"candidate:1 1 udp 1 10.0.0.300 1 typ host", 19,
       "connection-address is not an IP address or FQDN"},
      {"candidate:1 1 udp 1 10.0.0.1 65536 typ host", 28, "port must be 0..65535"},
      {"candidate:1 1 udp 1 10.0.0.1 1 type host", 30, "\"typ\" expected"},
      {"candidate:1 1 udp 1 10.0.0.1 1 typ host tcptype active", 48,
       "tcptype must be active, passive or so (TCP)"},
      {"candidate:1 1 udp 1 10.0.0.1 1 typ host generation", 50, "extension without a value"},
      {"candidate:1 1 udp 1 10.0.0.1 1 typ host rport 1 raddr 1.2.3.4", 54,
       "bad or misplaced raddr"},
      {"candidate:f_o 1 udp 1 10.0.0.1 1 typ host", 10, "foundation must be 1 to 32 ice-chars"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    rtg_perr_clear(&e);
    assert_int_equal(rtg_sdp_candidate_parse(bad[k].in, strlen(bad[k].in), &c, &e), RTG_ERR_PARSE);
    assert_string_equal(e.reason, bad[k].reason);
    assert_int_equal(e.offset, bad[k].offset);
    assert_string_equal(e.field, "sdp.a.candidate");
  }
}

/* Typed round trip: every candidate of every browser description, parsed
 * and written back, gives its value byte for byte. */
static void test_sdp_candidate_write_round_trip(void **state) {
  struct rtg_sdp *s = new_sdp();
  int total = 0;
  (void)state;
  for (size_t k = 0; k < NSDPS; k++) {
    size_t len;
    char *text = tu_read_file(&len, "%s", browser_sdps[k]);
    assert_int_equal(rtg_sdp_parse(s, text, len, NULL), 0);
    for (size_t i = 0; i < s->nlines; i++) {
      struct rtg_sdp_candidate c;
      char out[512];
      if (!rtg_sdp_attr_is(s, i, "candidate")) continue;
      assert_int_equal(rtg_sdp_get_candidate(s, i, &c), 0);
      ptrdiff_t n = rtg_sdp_candidate_write(&c, out, sizeof out);
      assert_int_equal(n, (ptrdiff_t)strlen(rtg_sdp_attr_value(s, i)));
      assert_string_equal(out, rtg_sdp_attr_value(s, i));
      assert_int_equal(rtg_sdp_candidate_write(&c, out, (size_t)n), RTG_ERR_NOBUF);
      total++;
    }
    free(text);
  }
  assert_true(total >= 20);
  /* a relay candidate built from a TURN allocation */
  struct rtg_sdp_candidate r;
  char out[256];
  memset(&r, 0, sizeof r);
  r.foundation = (struct rtg_sdp_tok){"7", 1};
  r.component = 1;
  r.transport = (struct rtg_sdp_tok){"udp", 3};
  r.priority = 16777215;
  r.addr = (struct rtg_sdp_tok){"127.0.0.1", 9};
  r.port = 50000;
  r.type_name = (struct rtg_sdp_tok){"relay", 5};
  r.has_raddr = r.has_rport = true;
  r.raddr = (struct rtg_sdp_tok){"127.0.0.1", 9};
  r.rport = 40000;
  assert_true(rtg_sdp_candidate_write(&r, out, sizeof out) > 0);
  assert_string_equal(out,
                      "7 1 udp 16777215 127.0.0.1 50000 typ relay raddr 127.0.0.1 rport 40000");
  assert_int_equal(rtg_sdp_candidate_parse(out, strlen(out), &r, NULL), 0);
  assert_int_equal(r.type, RTG_SDP_CAND_RELAY);
  free(s);
}

/* Candidates to and from the ICE agent's form (rtg/ice.h). */
static void test_sdp_candidate_to_ice(void **state) {
  struct rtg_sdp *s = new_sdp();
  size_t len, i = 0;
  char *text = tu_read_file(&len, "pcaps/chromium-firefox-dtls13/offer.sdp");
  struct rtg_sdp_candidate c, c2;
  struct rtg_ice_cand ic, ic2;
  char out[256];
  int udp = 0, tcp = 0;
  (void)state;
  assert_int_equal(rtg_sdp_parse(s, text, len, NULL), 0);
  while (rtg_sdp_attr_find(s, 0, "candidate", &i) == 0) {
    assert_int_equal(rtg_sdp_get_candidate(s, i, &c), 0);
    int rc = rtg_sdp_candidate_to_ice(&c, &ic);
    if (c.tcp) {
      assert_int_equal(rc, RTG_ERR_UNSUPPORTED);
      tcp++;
    } else {
      assert_int_equal(rc, 0);
      assert_int_equal(ic.type, RTG_ICE_CAND_HOST);
      assert_int_equal(ic.addr.family, 1);
      assert_int_equal(ic.addr.port, c.port);
      assert_int_equal(ic.priority, c.priority);
      assert_memory_equal(ic.foundation, c.foundation.p, c.foundation.len);
      udp++;
    }
    i++;
  }
  assert_int_equal(udp, 2);
  assert_int_equal(tcp, 2);
  /* srflx IPv6 with raddr/rport: write_ice then parse back */
  static const char srflx[] =
      "9 1 udp 1686052607 2001:db8::7 40000 typ srflx raddr "
      "2001:db8::1 rport 5000";
  assert_int_equal(rtg_sdp_candidate_parse(srflx, strlen(srflx), &c, NULL), 0);
  assert_int_equal(rtg_sdp_candidate_to_ice(&c, &ic), 0);
  assert_int_equal(ic.type, RTG_ICE_CAND_SRFLX);
  assert_int_equal(ic.addr.family, 2);
  ic.base =
      (struct rtg_stun_addr){2, 5000, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  assert_true(rtg_sdp_candidate_write_ice(&ic, out, sizeof out) > 0);
  assert_string_equal(out, srflx);
  assert_int_equal(rtg_sdp_candidate_parse(out, strlen(out), &c2, NULL), 0);
  assert_int_equal(rtg_sdp_candidate_to_ice(&c2, &ic2), 0);
  assert_memory_equal(&ic2.addr, &ic.addr, sizeof ic.addr);
  assert_int_equal(rtg_sdp_candidate_write_ice(&ic, out, 10), RTG_ERR_NOBUF);
  /* mDNS: the name, no address yet */
  static const char mdns[] = "1 1 udp 2122260223 0b1f8a7c-3d2e.local 5000 typ host";
  assert_int_equal(rtg_sdp_candidate_parse(mdns, strlen(mdns), &c, NULL), 0);
  assert_int_equal(rtg_sdp_candidate_to_ice(&c, &ic), 0);
  assert_string_equal(ic.hostname, "0b1f8a7c-3d2e.local");
  assert_int_equal(ic.addr.family, 0);
  assert_true(rtg_sdp_candidate_write_ice(&ic, out, sizeof out) > 0);
  assert_string_equal(out, mdns);
  /* a plain FQDN is not usable */
  static const char fqdn[] = "1 1 udp 1 turn.example.com 5000 typ host";
  assert_int_equal(rtg_sdp_candidate_parse(fqdn, strlen(fqdn), &c, NULL), 0);
  assert_int_equal(rtg_sdp_candidate_to_ice(&c, &ic), RTG_ERR_INVAL);
  free(text);
  free(s);
}

/* ---- malformed descriptions: exact errors --------------------------------- */

#define HDR "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

static void test_sdp_parse_malformed_exact(void **state) {
  struct {
    const char *in;
    uint32_t line;
    const char *field;
    const char *reason;
    const char *ref;
  } cases[] = {
      {"", 1, "sdp", "empty description", "RFC 8866 §5"},
      {"v=1\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1, "sdp.v", "version must be 0",
       "RFC 8866 §5.1"},
      {"o=- 1 2 IN IP4 127.0.0.1\r\n", 1, "sdp.line", "first line must be v=", "RFC 8866 §5"},
      {"v=0\r\no=- 1 2 IN IP4\r\ns=-\r\nt=0 0\r\n", 2, "sdp.o", "expected 6 fields",
       "RFC 8866 §5.2"},
      {"v=0\r\no=- x 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", 2, "sdp.o", "sess-id is not a number",
       "RFC 8866 §5.2"},
      {"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n", 3, "sdp.t", "no t= line", "RFC 8866 §5.9"},
      {HDR "\r\na=x\r\n", 5, "sdp.line", "empty line", "RFC 8866 §5"},
      {HDR "a = b\r\n", 5, "sdp.line", "expected <type>=<value>", "RFC 8866 §5"},
      {HDR "X=1\r\n", 5, "sdp.line", "type must be one lower-case letter", "RFC 8866 §5"},
      {HDR "y=1\r\n", 5, "sdp.line", "unknown line type", "RFC 8866 §5"},
      {HDR "c=IN IP4 1.2.3.4\r\n", 5, "sdp.line", "line out of order", "RFC 8866 §5"},
      {HDR "m=audio 9 RTP/AVP 0\r\nt=0 0\r\n", 6, "sdp.line",
       "line type not allowed in a media section", "RFC 8866 §5"},
      {HDR "m=audio 70000 RTP/AVP 0\r\n", 5, "sdp.m", "port must be 0..65535", "RFC 8866 §5.14"},
      {HDR "m=audio 9 RTP/AVP\r\n", 5, "sdp.m", "no media format", "RFC 8866 §5.14"},
      {HDR "m=audio 9 RTP/AVP 0\r\nc=IN IP4 ::1\r\n", 6, "sdp.c",
       "address does not match its address type", "RFC 8866 §5.7"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=rtpmap:8 PCMA/8000\r\n", 6, "sdp.a.rtpmap",
       "payload type not listed on the m= line", "RFC 8866 §6.6"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/x\r\n", 6, "sdp.a.rtpmap", "bad clock rate",
       "RFC 8866 §6.6"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=rtpmap:200 X/1\r\n", 6, "sdp.a.rtpmap",
       "payload type is not a number 0..127", "RFC 8866 §6.6"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=rtcp-mux:yes\r\n", 6, "sdp.a.rtcp-mux",
       "flag attribute takes no value", "RFC 5761 §5.1.1"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=mid:a\r\na=mid:b\r\n", 7, "sdp.a.mid", "attribute repeated",
       "RFC 5888 §4"},
      {HDR "m=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\nm=audio 9 RTP/AVP 0\r\nc=IN "
           "IP4 0.0.0.0\r\na=mid:a\r\n",
       10, "sdp.a.mid", "duplicate mid", "RFC 5888 §4"},
      {HDR "a=group:BUNDLE a b\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\n", 5,
       "sdp.a.group", "group names a mid no media section has", "RFC 5888 §5"},
      {HDR "a=mid:0\r\n", 5, "sdp.a.mid", "media-level attribute at session level", "RFC 5888 §4"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=ice-lite\r\n", 6, "sdp.a.ice-lite",
       "session-level attribute in a media section", "RFC 8839 §5.3"},
      {HDR "a=ice-ufrag:abc\r\n", 5, "sdp.a.ice-ufrag", "ice-ufrag must be 4 to 256 ice-chars",
       "RFC 8839 §5.4"},
      {HDR "a=ice-pwd:short\r\n", 5, "sdp.a.ice-pwd", "ice-pwd must be 22 to 256 ice-chars",
       "RFC 8839 §5.4"},
      {HDR "a=fingerprint:sha-256 AB:CD\r\n", 5, "sdp.a.fingerprint",
       "fingerprint length does not match the hash", "RFC 8122 §5"},
      {HDR "a=fingerprint:sha-256 AB:C\r\n", 5, "sdp.a.fingerprint", "fingerprint is not XX:XX:..",
       "RFC 8122 §5"},
      {HDR "a=setup:both\r\n", 5, "sdp.a.setup",
       "setup must be active, passive, actpass or holdconn", "RFC 4145 §4"},
      {HDR "a=extmap:0 urn:x\r\n", 5, "sdp.a.extmap", "extension id must be 1-255 or 4096-4351",
       "RFC 8285 §8"},
      {HDR "m=video 9 RTP/AVP 96\r\na=ssrc:4294967296 cname:x\r\n", 6, "sdp.a.ssrc",
       "SSRC is not a 32-bit number", "RFC 5576 §4.1"},
      {HDR "m=video 9 RTP/AVP 96\r\na=rid:a.b send\r\n", 6, "sdp.a.rid",
       "rid-id must be alphanumeric, '-' or '_'", "RFC 8851 §10"},
      {HDR "m=video 9 RTP/AVP 96\r\na=simulcast:send a;;b\r\n", 6, "sdp.a.simulcast",
       "empty rid in list", "RFC 8853 §5.1"},
      {HDR "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:65536\r\n", 6,
       "sdp.a.sctp-port", "value is not a number in range", "RFC 8841 §5"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp 1 1.2.3.4 1 typ\r\n", 6, "sdp.a.candidate",
       "candidate type missing", "RFC 8839 §5.1"},
      {HDR "m=audio 9 RTP/AVP 0\r\na=mid:0\r\nm=video 9 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\n", 5,
       "sdp.c", "media section without c= and none at session level", "RFC 8866 §5.7"},
      {HDR "a=x\0y\r\n", 5, "sdp.line", "NUL or CR inside a line", "RFC 8866 §5"},
  };
  struct rtg_sdp *s = new_sdp();
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    struct rtg_perr e;
    size_t len = strlen(cases[k].in);
    if (strstr(cases[k].field, "line") && strcmp(cases[k].reason, "NUL or CR inside a line") == 0)
      len = sizeof HDR "a=x\0y\r\n" - 1;
    memset(&e, 0xA5, sizeof e);
    int rc = rtg_sdp_parse(s, cases[k].in, len, &e);
    if (rc != RTG_ERR_PARSE || strcmp(e.reason, cases[k].reason) != 0)
      fprintf(stderr, "case %zu: rc %d reason %s\n", k, rc, rc ? e.reason : "-");
    assert_int_equal(rc, RTG_ERR_PARSE);
    assert_string_equal(e.reason, cases[k].reason);
    assert_string_equal(e.field, cases[k].field);
    assert_string_equal(e.ref, cases[k].ref);
    assert_int_equal(rtg_sdp_line_at(cases[k].in, len, e.offset), cases[k].line);
  }
  free(s);
}

/* A precise offset: the bad clock rate of line 6 starts at column 16. */
static void test_sdp_parse_error_offset(void **state) {
  static const char in[] = HDR "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/x\r\n";
  struct rtg_sdp *s = new_sdp();
  struct rtg_perr e;
  (void)state;
  assert_int_equal(rtg_sdp_parse(s, in, strlen(in), &e), RTG_ERR_PARSE);
  assert_int_equal(e.offset, (size_t)(strstr(in, "/x") - in) + 1);
  free(s);
}

/* ---- sweeps --------------------------------------------------------------- */

/* Every prefix of every browser description either parses or is rejected
 * with a parse error pointing inside the prefix; prefixes that stop before
 * the t= line always fail. */
static void test_sdp_parse_truncation_sweep(void **state) {
  struct rtg_sdp *s = new_sdp();
  (void)state;
  for (size_t k = 0; k < NSDPS; k++) {
    size_t len, tpos;
    char *text = tu_read_file(&len, "%s", browser_sdps[k]);
    tpos = (size_t)(strstr(text, "\nt=") - text);
    for (size_t n = 0; n < len; n++) {
      struct rtg_perr e;
      int rc = rtg_sdp_parse(s, text, n, &e);
      if (n <= tpos + 3) assert_int_equal(rc, RTG_ERR_PARSE);
      if (rc) {
        assert_int_equal(rc, RTG_ERR_PARSE);
        assert_non_null(e.reason);
        assert_non_null(e.field);
        assert_true(e.offset <= n);
      }
    }
    free(text);
  }
  free(s);
}

/* Dropping one line: the mandatory lines and the mids named by BUNDLE are
 * refused with their exact error, anything else is a valid description or a
 * clean parse error. */
static void test_sdp_parse_line_drop_sweep(void **state) {
  struct rtg_sdp *s = new_sdp(), *orig = new_sdp();
  static char buf[RTG_SDP_MAX_LEN];
  (void)state;
  for (size_t k = 0; k < NSDPS; k++) {
    size_t len;
    char *text = tu_read_file(&len, "%s", browser_sdps[k]);
    assert_int_equal(rtg_sdp_parse(orig, text, len, NULL), 0);
    for (size_t drop = 0; drop < orig->nlines; drop++) {
      size_t a = orig->lines[drop].offset;
      size_t b = drop + 1 < orig->nlines ? orig->lines[drop + 1].offset : len;
      struct rtg_perr e;
      memcpy(buf, text, a);
      memcpy(buf + a, text + b, len - b);
      int rc = rtg_sdp_parse(s, buf, len - (b - a), &e);
      char t = orig->lines[drop].type;
      if (drop < 3 || t == 't') {
        assert_int_equal(rc, RTG_ERR_PARSE);
      } else if (rtg_sdp_attr_is(orig, drop, "mid")) {
        assert_int_equal(rc, RTG_ERR_PARSE);
        assert_string_equal(e.reason, "group names a mid no media section has");
      } else if (t == 'c') {
        /* browsers put c= in every section and none at session level */
        assert_int_equal(rc, RTG_ERR_PARSE);
        assert_string_equal(e.reason, "media section without c= and none at session level");
      } else if (t == 'm') {
        /* the section's lines fall into the previous one: may be valid */
        if (rc) assert_non_null(e.reason);
      } else {
        assert_int_equal(rc, 0);
        assert_int_equal(s->nlines, orig->nlines - 1);
      }
    }
    free(text);
  }
  free(s);
  free(orig);
}

/* ---- building ------------------------------------------------------------- */

static void test_sdp_add_builds_valid(void **state) {
  struct rtg_sdp *s = new_sdp(), *p = new_sdp();
  char out[1024];
  ptrdiff_t n;
  (void)state;
  rtg_sdp_init(s);
  assert_int_equal(rtg_sdp_add(s, 'v', "0"), 0);
  assert_int_equal(rtg_sdp_add(s, 'o', "- %llu 1 IN IP4 127.0.0.1", 42ull), 0);
  assert_int_equal(rtg_sdp_add(s, 's', "-"), 0);
  assert_int_equal(rtg_sdp_add(s, 't', "0 0"), 0);
  assert_int_equal(rtg_sdp_add(s, 'm', "audio 9 UDP/TLS/RTP/SAVPF 111"), 0);
  assert_int_equal(rtg_sdp_add(s, 'c', "IN IP4 0.0.0.0"), 0);
  assert_int_equal(rtg_sdp_add(s, 'a', "rtpmap:111 opus/48000/2"), 0);
  assert_int_equal(rtg_sdp_add(s, 'a', "bad\r\nline"), RTG_ERR_INVAL);
  assert_int_equal(rtg_sdp_add(s, 'A', "x"), RTG_ERR_INVAL);
  assert_int_equal(rtg_sdp_validate(s, NULL), 0);
  n = rtg_sdp_write(s, out, sizeof out);
  assert_true(n > 0);
  assert_int_equal(rtg_sdp_parse(p, out, (size_t)n, NULL), 0);
  assert_int_equal(p->nlines, 7);
  /* offsets of a built description are those of its written text */
  for (size_t i = 0; i < s->nlines; i++) assert_int_equal(s->lines[i].offset, p->lines[i].offset);
  assert_int_equal(rtg_sdp_add(s, 'a', "rtpmap:112 opus/48000/2"), 0);
  struct rtg_perr e;
  rtg_perr_clear(&e);
  assert_int_equal(rtg_sdp_validate(s, &e), RTG_ERR_PARSE);
  assert_string_equal(e.reason, "payload type not listed on the m= line");
  n = rtg_sdp_write(s, out, sizeof out);
  assert_true(n > 0);
  assert_int_equal(rtg_sdp_line_at(out, (size_t)n, e.offset), 8);
  free(s);
  free(p);
}

static void test_sdp_parse_limits(void **state) {
  struct rtg_sdp *s = new_sdp();
  size_t big = RTG_SDP_MAX_LEN + 1;
  char *text = malloc(big);
  (void)state;
  memset(text, 'x', big);
  assert_int_equal(rtg_sdp_parse(s, text, big, NULL), RTG_ERR_NOBUF);
  /* 2049 lines of "a=x" */
  size_t n = 0;
  n += (size_t)sprintf(text, HDR);
  while (n + 4 < RTG_SDP_MAX_LEN && n < 4 * 2100) n += (size_t)sprintf(text + n, "a=x\n");
  assert_int_equal(rtg_sdp_parse(s, text, n, NULL), RTG_ERR_NOBUF);
  free(text);
  free(s);
}

/* ---- JSEP (RFC 8829) ---------------------------------------------------- */

static const char *const browser_offers[] = {
    "pcaps/chromium-firefox-dtls13/offer.sdp", /* Chromium 156 */
    "pcaps/firefox-chromium-dtls12/offer.sdp", /* Firefox 153 */
    "pcaps/firefox-firefox-dtls13/offer.sdp",  /* Firefox 153 */
};
#define NOFFERS (sizeof browser_offers / sizeof browser_offers[0])

static const uint8_t fp256[32] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54,
                                  0x76, 0x98, 0xba, 0xdc, 0xfe, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
                                  0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
static const char *const host_cands[] = {
    "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host",
    "candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active", NULL};

static void local_defaults(struct rtg_jsep_local *l) {
  memset(l, 0, sizeof *l);
  l->ice_ufrag = "rtgU";
  l->ice_pwd = "rtcgatepassword0123456789";
  l->fp_alg = RTG_HASH_SHA256;
  l->fp = fp256;
  l->setup = RTG_SDP_SETUP_PASSIVE;
  l->sess_id = 4611686018427387904ull;
  l->sess_version = 1;
  l->trickle = false;
  l->candidates = host_cands;
}

static struct rtg_sdp *parse_file(const char *rel) {
  struct rtg_sdp *s = calloc(1, sizeof *s);
  size_t len;
  char *t = tu_read_file(&len, "%s", rel);
  assert_non_null(s);
  assert_int_equal(rtg_sdp_parse(s, t, len, NULL), 0);
  free(t);
  return s;
}

static bool tok_is(struct rtg_sdp_tok t, const char *s) {
  return strlen(s) == t.len && memcmp(t.p, s, t.len) == 0;
}

/* The rtpmap encoding of |pt| in section |m| ("" when none). */
static void encoding_of(const struct rtg_sdp *s, int m, struct rtg_sdp_tok pt, char *out,
                        size_t cap) {
  size_t i = 0;
  struct rtg_sdp_rtpmap r;
  out[0] = 0;
  while (rtg_sdp_attr_find(s, m, "rtpmap", &i) == 0) {
    assert_int_equal(rtg_sdp_get_rtpmap(s, i, &r), 0);
    char num[8];
    snprintf(num, sizeof num, "%u", r.pt);
    if (tok_is(pt, num)) {
      snprintf(out, cap, "%.*s/%u/%u", (int)r.encoding.len, r.encoding.p, r.clock, r.channels);
      return;
    }
    i++;
  }
}

/* The RFC 8829 §5.3.1 / RFC 8843 checks an answer must pass against its
 * offer. */
static void check_answer(const struct rtg_sdp *offer, const struct rtg_sdp *ans,
                         const struct rtg_jsep_local *l) {
  size_t gi = 0, nacc = 0;
  struct rtg_sdp_group g, og;
  static char text[RTG_SDP_MAX_LEN];
  struct rtg_sdp *re = calloc(1, sizeof *re);
  ptrdiff_t n;
  assert_int_equal(rtg_sdp_validate(ans, NULL), 0);
  /* same m= lines, same order, kinds and mids (RFC 8829 §5.3.1) */
  assert_int_equal(ans->nmedia, offer->nmedia);
  assert_int_equal(rtg_sdp_attr_find(ans, -1, "group", &gi), 0);
  assert_int_equal(rtg_sdp_get_group(ans, gi, &g), 0);
  assert_true(tok_is(g.semantics, "BUNDLE"));
  gi = 0;
  assert_int_equal(rtg_sdp_attr_find(offer, -1, "group", &gi), 0);
  assert_int_equal(rtg_sdp_get_group(offer, gi, &og), 0);
  for (size_t m = 0; m < offer->nmedia; m++) {
    struct rtg_sdp_mline om, am;
    const char *omid = rtg_sdp_attr_get(offer, (int)m, "mid", false);
    const char *amid = rtg_sdp_attr_get(ans, (int)m, "mid", false);
    assert_int_equal(rtg_sdp_get_mline(offer, (int)m, &om), 0);
    assert_int_equal(rtg_sdp_get_mline(ans, (int)m, &am), 0);
    assert_int_equal(am.kind, om.kind);
    assert_true(am.proto.len == om.proto.len && memcmp(am.proto.p, om.proto.p, am.proto.len) == 0);
    assert_non_null(amid);
    assert_string_equal(amid, omid);
    if (am.port == 0) continue; /* rejected */
    nacc++;
    /* accepted sections are in the answer's BUNDLE group, which is a
     * subset of the offer's (RFC 8843 §7.3.1) */
    bool in = false, in_offer = false;
    for (size_t k = 0; k < g.nids; k++) in = in || tok_is(g.ids[k], amid);
    for (size_t k = 0; k < og.nids; k++) in_offer = in_offer || tok_is(og.ids[k], amid);
    assert_true(in && in_offer);
    /* setup complements actpass; our credentials and fingerprint */
    size_t i = 0;
    assert_int_equal(rtg_sdp_attr_find(ans, (int)m, "setup", &i), 0);
    assert_int_equal(rtg_sdp_get_setup(ans, i), l->setup);
    const char *os = rtg_sdp_attr_get(offer, (int)m, "setup", true);
    assert_string_equal(os, "actpass");
    assert_string_equal(rtg_sdp_attr_get(ans, (int)m, "ice-ufrag", true), l->ice_ufrag);
    assert_string_equal(rtg_sdp_attr_get(ans, (int)m, "ice-pwd", true), l->ice_pwd);
    struct rtg_sdp_fingerprint fp;
    i = 0;
    assert_int_equal(rtg_sdp_attr_find(ans, (int)m, "fingerprint", &i), 0);
    assert_int_equal(rtg_sdp_get_fingerprint(ans, i, &fp), 0);
    assert_int_equal(fp.alg, l->fp_alg);
    assert_memory_equal(fp.digest, l->fp, fp.len);
    if (am.kind == RTG_SDP_MEDIA_APPLICATION) {
      assert_non_null(rtg_sdp_attr_get(ans, (int)m, "sctp-port", false));
      assert_non_null(rtg_sdp_attr_get(ans, (int)m, "max-message-size", false));
      continue;
    }
    assert_non_null(rtg_sdp_attr_get(ans, (int)m, "rtcp-mux", false));
    /* only offered codecs, with the offered payload type and encoding */
    for (size_t k = 0; k < am.nfmt; k++) {
      bool offered = false;
      char ae[64], oe[64];
      for (size_t j = 0; j < om.nfmt; j++)
        offered = offered || (om.fmt[j].len == am.fmt[k].len &&
                              memcmp(om.fmt[j].p, am.fmt[k].p, am.fmt[k].len) == 0);
      assert_true(offered);
      encoding_of(ans, (int)m, am.fmt[k], ae, sizeof ae);
      encoding_of(offer, (int)m, am.fmt[k], oe, sizeof oe);
      assert_string_equal(ae, oe);
    }
  }
  assert_int_equal(g.nids, nacc);
  /* the text form parses back to the same lines */
  n = rtg_sdp_write(ans, text, sizeof text);
  assert_true(n > 0);
  assert_int_equal(rtg_sdp_parse(re, text, (size_t)n, NULL), 0);
  assert_int_equal(re->nlines, ans->nlines);
  free(re);
}

static void test_sdp_jsep_answer_browser_offers(void **state) {
  struct rtg_jsep_local l;
  struct rtg_sdp *a = calloc(1, sizeof *a);
  (void)state;
  local_defaults(&l);
  for (size_t k = 0; k < NOFFERS; k++) {
    struct rtg_sdp *o = parse_file(browser_offers[k]);
    struct rtg_perr e;
    rtg_perr_clear(&e);
    l.setup = k % 2 ? RTG_SDP_SETUP_ACTIVE : RTG_SDP_SETUP_PASSIVE;
    int rc = rtg_jsep_answer(o, &l, a, &e);
    if (rc) fprintf(stderr, "%s: %d %s %s\n", browser_offers[k], rc, e.field, e.reason);
    assert_int_equal(rc, 0);
    check_answer(o, a, &l);
    /* everything offered in audio/video/data is accepted */
    for (size_t m = 0; m < a->nmedia; m++) {
      struct rtg_sdp_mline ml;
      assert_int_equal(rtg_sdp_get_mline(a, (int)m, &ml), 0);
      assert_int_not_equal(ml.port, 0);
    }
    /* non-trickle: candidates and end-of-candidates in the BUNDLE-tag
     * section only, its m=/c= carry the default candidate */
    size_t i = 0;
    assert_int_equal(rtg_sdp_attr_find(a, 0, "candidate", &i), 0);
    i = 0;
    assert_int_equal(rtg_sdp_attr_find(a, 0, "end-of-candidates", &i), 0);
    i = 0;
    assert_int_equal(rtg_sdp_attr_find(a, 1, "candidate", &i), RTG_ERR_NOTFOUND);
    assert_null(rtg_sdp_attr_get(a, 0, "ice-options", true));
    struct rtg_sdp_mline ml0;
    assert_int_equal(rtg_sdp_get_mline(a, 0, &ml0), 0);
    assert_int_equal(ml0.port, 40000);
    free(o);
  }
  free(a);
}

/* Codec negotiation: only Opus and VP8 wanted -> audio keeps opus (and
 * drops G722/PCMU/telephone-event), video keeps VP8 and its rtx only. */
static void test_sdp_jsep_answer_codec_filter(void **state) {
  static const char *const codecs[] = {"opus", "VP8", NULL};
  struct rtg_jsep_local l;
  struct rtg_sdp *o = parse_file("pcaps/chromium-firefox-dtls13/offer.sdp");
  struct rtg_sdp *a = calloc(1, sizeof *a);
  struct rtg_sdp_mline ml;
  char enc[64];
  (void)state;
  local_defaults(&l);
  l.codecs = codecs;
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), 0);
  check_answer(o, a, &l);
  assert_int_equal(rtg_sdp_get_mline(a, 0, &ml), 0);
  assert_int_equal(ml.nfmt, 1);
  assert_true(tok_is(ml.fmt[0], "111"));
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_equal(ml.nfmt, 2);
  encoding_of(a, 1, ml.fmt[0], enc, sizeof enc);
  assert_string_equal(enc, "VP8/90000/0");
  encoding_of(a, 1, ml.fmt[1], enc, sizeof enc);
  assert_string_equal(enc, "rtx/90000/0");
  /* the fmtp apt and rtcp-fb lines came along */
  size_t i = 0;
  int nfb = 0;
  while (rtg_sdp_attr_find(a, 1, "rtcp-fb", &i) == 0) {
    nfb++;
    i++;
  }
  assert_int_equal(nfb, 5);
  assert_string_equal(rtg_sdp_attr_get(a, 1, "fmtp", false), "97 apt=96");
  /* H264 only: VP8 gone, the H264 payload types kept as offered */
  static const char *const h264[] = {"opus", "H264", NULL};
  l.codecs = h264;
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), 0);
  check_answer(o, a, &l);
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_equal(ml.nfmt, 12); /* 6 H264 + their 6 rtx */
  /* nothing usable for video: the video section is rejected with port 0 */
  static const char *const none[] = {"opus", "AV2", NULL};
  l.codecs = none;
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), 0);
  check_answer(o, a, &l);
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_equal(ml.port, 0);
  free(o);
  free(a);
}

static void test_sdp_jsep_answer_trickle(void **state) {
  struct rtg_jsep_local l;
  struct rtg_sdp *o = parse_file("pcaps/firefox-firefox-dtls13/offer.sdp");
  struct rtg_sdp *a = calloc(1, sizeof *a);
  size_t i = 0;
  struct rtg_sdp_mline ml;
  (void)state;
  local_defaults(&l);
  l.trickle = true;
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), 0);
  check_answer(o, a, &l);
  assert_int_equal(rtg_sdp_attr_find(a, 0, "candidate", &i), RTG_ERR_NOTFOUND);
  i = 0;
  assert_int_equal(rtg_sdp_attr_find(a, 0, "end-of-candidates", &i), RTG_ERR_NOTFOUND);
  assert_string_equal(rtg_sdp_attr_get(a, 0, "ice-options", true), "trickle");
  assert_int_equal(rtg_sdp_get_mline(a, 0, &ml), 0);
  assert_int_equal(ml.port, 9);
  free(o);
  free(a);
}

/* An offer without BUNDLE: one transport, so only its first section is
 * accepted; an offer without rtcp-mux is not answered. */
static void test_sdp_jsep_answer_rejections(void **state) {
  static const char nobundle[] =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\n"
      "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
      "a=fingerprint:sha-256 "
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
      "DD:EE:FF\r\na=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:d\r\n"
      "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
      "a=fingerprint:sha-256 "
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
      "DD:EE:FF\r\na=setup:actpass\r\na=sctp-port:5000\r\n";
  struct rtg_jsep_local l;
  struct rtg_sdp *o = calloc(1, sizeof *o), *a = calloc(1, sizeof *a);
  struct rtg_sdp_mline ml;
  struct rtg_perr e;
  (void)state;
  local_defaults(&l);
  assert_int_equal(rtg_sdp_parse(o, nobundle, strlen(nobundle), NULL), 0);
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), 0);
  assert_null(rtg_sdp_attr_get(a, -1, "group", false));
  assert_int_equal(rtg_sdp_get_mline(a, 0, &ml), 0);
  assert_int_not_equal(ml.port, 0);
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_equal(ml.port, 0);
  assert_string_equal(rtg_sdp_attr_get(a, 1, "mid", false), "d");
  /* without rtcp-mux the audio section cannot be used; without the data
   * section nothing is left */
  char *t = strdup(nobundle);
  char *mux = strstr(t, "a=rtcp-mux\r\n");
  memmove(mux, mux + 12, strlen(mux + 12) + 1);
  char *app = strstr(t, "m=application");
  *app = 0;
  assert_int_equal(rtg_sdp_parse(o, t, strlen(t), NULL), 0);
  rtg_perr_clear(&e);
  assert_int_equal(rtg_jsep_answer(o, &l, a, &e), RTG_ERR_UNSUPPORTED);
  assert_string_equal(e.reason, "no section of the offer can be accepted");
  free(t);
  /* bad local parameters */
  l.ice_pwd = "short";
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), RTG_ERR_INVAL);
  local_defaults(&l);
  l.setup = RTG_SDP_SETUP_ACTPASS;
  assert_int_equal(rtg_jsep_answer(o, &l, a, NULL), RTG_ERR_INVAL);
  free(o);
  free(a);
}

/* |in| with the first |from| replaced by |to| (malloc'ed). */
static char *replace1(const char *in, const char *from, const char *to) {
  const char *at = strstr(in, from);
  size_t n = strlen(in), f = strlen(from), t = strlen(to);
  char *out = malloc(n - f + t + 1);
  assert_non_null(at);
  assert_non_null(out);
  memcpy(out, in, (size_t)(at - in));
  memcpy(out + (at - in), to, t);
  memcpy(out + (at - in) + t, at + f, n - (size_t)(at - in) - f + 1);
  return out;
}

/* RFC 8843 §6: a bundle-only section (port 0 in the offer) is accepted
 * into the BUNDLE group; a plain port-0 section stays rejected. */
static void test_sdp_jsep_answer_bundle_only(void **state) {
  struct rtg_jsep_local l;
  struct rtg_sdp *b = calloc(1, sizeof *b), *a = calloc(1, sizeof *a);
  struct rtg_sdp_mline ml;
  size_t len;
  char *text = tu_read_file(&len, "pcaps/chromium-firefox-dtls13/offer.sdp");
  char *zero = replace1(text, "m=video 46422 ", "m=video 0 ");
  char *only = replace1(zero, "a=mid:1\r\n", "a=mid:1\r\na=bundle-only\r\n");
  (void)state;
  local_defaults(&l);
  assert_int_equal(rtg_sdp_parse(b, only, strlen(only), NULL), 0);
  assert_int_equal(rtg_sdp_get_mline(b, 1, &ml), 0);
  assert_int_equal(ml.port, 0);
  assert_int_equal(rtg_jsep_answer(b, &l, a, NULL), 0);
  check_answer(b, a, &l);
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_not_equal(ml.port, 0);
  assert_string_equal(rtg_sdp_attr_get(a, -1, "group", false), "BUNDLE 0 1 2");
  /* without bundle-only the port-0 section is rejected */
  assert_int_equal(rtg_sdp_parse(b, zero, strlen(zero), NULL), 0);
  assert_int_equal(rtg_jsep_answer(b, &l, a, NULL), 0);
  check_answer(b, a, &l);
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_equal(ml.port, 0);
  assert_string_equal(rtg_sdp_attr_get(a, -1, "group", false), "BUNDLE 0 2");
  free(text);
  free(zero);
  free(only);
  free(a);
  free(b);
}

/* Our offer: valid, browser-shaped (BUNDLE of all, actpass, rtcp-mux,
 * Opus/VP8/VP9/H264 + rtx, data channel), answered by our answerer. */
static void test_sdp_jsep_offer_answered(void **state) {
  struct rtg_jsep_local l, r;
  struct rtg_sdp *o = calloc(1, sizeof *o), *a = calloc(1, sizeof *a), *p = calloc(1, sizeof *p);
  static char text[RTG_SDP_MAX_LEN];
  struct rtg_sdp_mline ml;
  ptrdiff_t n;
  (void)state;
  local_defaults(&l);
  l.audio = l.video = l.data = true;
  l.trickle = true;
  l.msid_stream = "rtcgate";
  assert_int_equal(rtg_jsep_offer(&l, o), 0);
  assert_int_equal(o->nmedia, 3);
  assert_string_equal(rtg_sdp_attr_get(o, -1, "group", false), "BUNDLE 0 1 2");
  assert_string_equal(rtg_sdp_attr_get(o, 1, "setup", false), "actpass");
  assert_int_equal(rtg_sdp_get_mline(o, 1, &ml), 0);
  assert_int_equal(ml.nfmt, 6);
  n = rtg_sdp_write(o, text, sizeof text);
  assert_true(n > 0);
  assert_int_equal(rtg_sdp_parse(p, text, (size_t)n, NULL), 0);
  /* answered by the other side's rtcgate */
  local_defaults(&r);
  r.ice_ufrag = "peer";
  r.setup = RTG_SDP_SETUP_ACTIVE;
  assert_int_equal(rtg_jsep_answer(p, &r, a, NULL), 0);
  check_answer(p, a, &r);
  assert_int_equal(rtg_sdp_get_mline(a, 1, &ml), 0);
  assert_int_equal(ml.nfmt, 6);
  /* audio only, non-trickle */
  l.video = l.data = false;
  l.trickle = false;
  assert_int_equal(rtg_jsep_offer(&l, o), 0);
  assert_int_equal(o->nmedia, 1);
  size_t i = 0;
  assert_int_equal(rtg_sdp_attr_find(o, 0, "candidate", &i), 0);
  assert_non_null(rtg_sdp_attr_get(o, 0, "end-of-candidates", false));
  /* nothing to offer */
  l.audio = false;
  assert_int_equal(rtg_jsep_offer(&l, o), RTG_ERR_INVAL);
  free(o);
  free(a);
  free(p);
}

/* ICE restart (RFC 8839 §4.4.1.1): new credentials in a new offer with a
 * higher version are detected; the same credentials are not a restart. */
static void test_sdp_jsep_ice_restart(void **state) {
  struct rtg_jsep_local l;
  struct rtg_sdp *o1 = calloc(1, sizeof *o1), *o2 = calloc(1, sizeof *o2);
  struct rtg_sdp_origin or1, or2;
  (void)state;
  local_defaults(&l);
  l.audio = l.data = true;
  assert_int_equal(rtg_jsep_offer(&l, o1), 0);
  l.sess_version++;
  assert_int_equal(rtg_jsep_offer(&l, o2), 0);
  assert_false(rtg_jsep_ice_restart(o1, o2));
  l.ice_ufrag = "new1";
  l.ice_pwd = "anotherpassword0123456789";
  l.sess_version++;
  assert_int_equal(rtg_jsep_offer(&l, o2), 0);
  assert_true(rtg_jsep_ice_restart(o1, o2));
  assert_int_equal(rtg_sdp_get_origin(o1, &or1), 0);
  assert_int_equal(rtg_sdp_get_origin(o2, &or2), 0);
  assert_true(or1.sess_id.len == or2.sess_id.len &&
              memcmp(or1.sess_id.p, or2.sess_id.p, or1.sess_id.len) == 0);
  assert_true(tok_is(or2.sess_version, "3"));
  free(o1);
  free(o2);
}

/* An offer that restarts ICE is answered with the new local credentials
 * the caller supplies (RFC 8839 §4.4.1.1.1); the restart is detected on the
 * remote offers. */
static void test_sdp_jsep_answer_ice_restart(void **state) {
  struct rtg_jsep_local l;
  struct rtg_sdp *o1 = parse_file("pcaps/firefox-firefox-dtls13/offer.sdp");
  struct rtg_sdp *o2 = calloc(1, sizeof *o2), *a = calloc(1, sizeof *a);
  size_t len;
  char *text = tu_read_file(&len, "pcaps/firefox-firefox-dtls13/offer.sdp");
  (void)state;
  /* the offerer's second offer: new ufrag/pwd in every section */
  char *t1 = text, *t2;
  for (int k = 0; k < 3; k++) {
    t2 = replace1(t1, "a=ice-ufrag:650613c9", "a=ice-ufrag:0ddba11s");
    if (t1 != text) free(t1);
    t1 = t2;
    t2 = replace1(t1, "a=ice-pwd:a69d68511ac47cbdbf6201d5638b950f",
                  "a=ice-pwd:00000000000000000000000000000000");
    free(t1);
    t1 = t2;
  }
  assert_int_equal(rtg_sdp_parse(o2, t1, strlen(t1), NULL), 0);
  assert_false(rtg_jsep_ice_restart(o1, o1));
  assert_true(rtg_jsep_ice_restart(o1, o2));
  local_defaults(&l);
  l.ice_ufrag = "next";
  l.ice_pwd = "nextpassword0123456789";
  l.sess_version = 2;
  assert_int_equal(rtg_jsep_answer(o2, &l, a, NULL), 0);
  check_answer(o2, a, &l);
  for (size_t m = 0; m < a->nmedia; m++)
    assert_string_equal(rtg_sdp_attr_get(a, (int)m, "ice-ufrag", true), "next");
  free(t1);
  free(text);
  free(o1);
  free(o2);
  free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sdp_parse_rfc8866_example),
      cmocka_unit_test(test_sdp_parse_browsers_round_trip),
      cmocka_unit_test(test_sdp_write_lf_kept),
      cmocka_unit_test(test_sdp_get_chromium_offer),
      cmocka_unit_test(test_sdp_get_firefox_offer),
      cmocka_unit_test(test_sdp_candidate_parse_grammar),
      cmocka_unit_test(test_sdp_candidate_write_round_trip),
      cmocka_unit_test(test_sdp_candidate_to_ice),
      cmocka_unit_test(test_sdp_parse_malformed_exact),
      cmocka_unit_test(test_sdp_parse_error_offset),
      cmocka_unit_test(test_sdp_parse_truncation_sweep),
      cmocka_unit_test(test_sdp_parse_line_drop_sweep),
      cmocka_unit_test(test_sdp_add_builds_valid),
      cmocka_unit_test(test_sdp_parse_limits),
      cmocka_unit_test(test_sdp_jsep_answer_browser_offers),
      cmocka_unit_test(test_sdp_jsep_answer_codec_filter),
      cmocka_unit_test(test_sdp_jsep_answer_trickle),
      cmocka_unit_test(test_sdp_jsep_answer_rejections),
      cmocka_unit_test(test_sdp_jsep_answer_bundle_only),
      cmocka_unit_test(test_sdp_jsep_offer_answered),
      cmocka_unit_test(test_sdp_jsep_ice_restart),
      cmocka_unit_test(test_sdp_jsep_answer_ice_restart),
  };
  return cmocka_run_group_tests_name("sdp", tests, NULL, NULL);
}
