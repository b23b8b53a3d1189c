/*
 * peer_sdp_test.c - the reference peer's offer/answer: descriptions it
 * cannot accept are refused with the line and attribute; the browser
 * offers of pcaps/ (Chromium and Firefox) are answered with every section
 * accepted, BUNDLE, setup:active and our SSRCs; trickle ICE, mDNS
 * candidates and ICE lite connect.
 */
#include "peer_sim.h"

#include "rtg/sdp.h"

static struct rtg_peer *new_peer(struct rtg_ctx *ctx, struct rtg_prng *g, uint64_t seed,
                                 const struct rtg_peer_config *cfg) {
  struct rtg_peer *p;
  struct rtg_ice_cand c;
  rtg_ctx_deterministic(ctx, g, seed, NULL);
  assert_int_equal(rtg_peer_new(&p, ctx, cfg, 0), 0);
  memset(&c, 0, sizeof c);
  c.type = RTG_ICE_CAND_HOST;
  c.addr = c.base = sim_v4(10, 99, 0, 3, 7000);
  assert_int_equal(rtg_peer_add_local_candidate(p, &c), 0);
  rtg_peer_local_candidates_done(p);
  return p;
}

/* Removes every line starting with |prefix| from |sdp|. */
static size_t drop_lines(char *sdp, const char *prefix) {
  char *r = sdp, *w = sdp;
  while (*r) {
    char *eol = strchr(r, '\n');
    size_t n = eol ? (size_t)(eol - r) + 1 : strlen(r);
    if (strncmp(r, prefix, strlen(prefix)) != 0) {
      memmove(w, r, n);
      w += n;
    }
    r += n;
  }
  *w = '\0';
  return (size_t)(w - sdp);
}

static void replace_once(char *sdp, const char *from, const char *to) {
  char *at = strstr(sdp, from);
  size_t fl = strlen(from), tl = strlen(to);
  assert_non_null(at);
  memmove(at + tl, at + fl, strlen(at + fl) + 1);
  memcpy(at, to, tl);
}

static void test_peer_sdp_refused_with_line(void **state) {
  struct rtg_ctx ca, cb;
  struct rtg_prng ga, gb;
  struct rtg_peer_config cfg;
  struct rtg_peer *a, *b;
  static char offer[RTG_PEER_MAX_SDP], copy[RTG_PEER_MAX_SDP];
  size_t ol, l;
  struct rtg_perr e;
  const char *m;
  (void)state;
  sim_config(&cfg);
  a = new_peer(&ca, &ga, 31, &cfg);
  b = new_peer(&cb, &gb, 32, &cfg);
  assert_int_equal(rtg_peer_create_offer(a, offer, sizeof offer, &ol), 0);
  /* no fingerprint: refused, pointing at the BUNDLE-tag section */
  memcpy(copy, offer, ol + 1);
  l = drop_lines(copy, "a=fingerprint");
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_OFFER, copy, l, &e),
                   RTG_ERR_UNSUPPORTED);
  assert_string_equal(e.field, "sdp.a.fingerprint");
  assert_string_equal(e.ref, "RFC 8842 §5.1");
  m = strstr(copy, "m=audio");
  assert_int_equal(rtg_sdp_line_at(copy, l, e.offset),
                   rtg_sdp_line_at(copy, l, (size_t)(m - copy)));
  /* no ICE credentials */
  memcpy(copy, offer, ol + 1);
  l = drop_lines(copy, "a=ice-pwd");
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_OFFER, copy, l, &e),
                   RTG_ERR_UNSUPPORTED);
  assert_string_equal(e.field, "sdp.a.ice-pwd");
  /* malformed: the SDP parser's own error, with its offset */
  memcpy(copy, offer, ol + 1);
  replace_once(copy, "v=0", "v=1");
  memset(&e, 0, sizeof e);
  assert_int_equal(
      rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_OFFER, copy, strlen(copy), &e),
      RTG_ERR_PARSE);
  assert_non_null(e.field);
  assert_int_equal(rtg_sdp_line_at(copy, strlen(copy), e.offset), 1);
  /* an answer where none is expected, an unknown type */
  assert_int_equal(rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_ANSWER, offer, ol, &e),
                   RTG_ERR_STATE);
  assert_int_equal(rtg_peer_set_remote_description(b, 0, 7, offer, ol, &e), RTG_ERR_INVAL);
  assert_int_equal(rtg_peer_create_answer(b, 0, copy, sizeof copy, &l, &e), RTG_ERR_STATE);
  /* B still takes the genuine offer after all that */
  assert_int_equal(rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(b, 0, copy, sizeof copy, &l, &e), 0);
  /* an answer saying actpass is refused by the offerer */
  replace_once(copy, "a=setup:active", "a=setup:actpass");
  memset(&e, 0, sizeof e);
  assert_int_equal(
      rtg_peer_set_remote_description(a, 0, RTG_PEER_SDP_ANSWER, copy, strlen(copy), &e),
      RTG_ERR_UNSUPPORTED);
  assert_string_equal(e.field, "sdp.a.setup");
  rtg_peer_free(a);
  rtg_peer_free(b);
}

static size_t count(const char *s, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

static void answer_browser(const char *dir) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_peer_config cfg;
  struct rtg_peer *b;
  static char answer[RTG_PEER_MAX_SDP], rel[128];
  static struct rtg_sdp parsed;
  size_t ol, al;
  char *offer;
  struct rtg_perr e;
  snprintf(rel, sizeof rel, "pcaps/%s/offer.sdp", dir);
  offer = tu_read_file(&ol, "%s", rel);
  sim_config(&cfg);
  b = new_peer(&ctx, &g, 33, &cfg);
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(b, 0, answer, sizeof answer, &al, &e), 0);
  assert_int_equal(rtg_sdp_parse(&parsed, answer, al, &e), 0);
  assert_int_equal(parsed.nmedia, 3);
  for (int m = 0; m < 3; m++) {
    struct rtg_sdp_mline ml;
    assert_int_equal(rtg_sdp_get_mline(&parsed, m, &ml), 0);
    assert_int_not_equal(ml.port, 0); /* accepted */
    assert_int_equal(ml.kind, m == 0   ? RTG_SDP_MEDIA_AUDIO
                              : m == 1 ? RTG_SDP_MEDIA_VIDEO
                                       : RTG_SDP_MEDIA_APPLICATION);
  }
  assert_non_null(strstr(answer, "a=group:BUNDLE"));
  assert_int_equal(count(answer, "a=setup:active"), 3);
  assert_non_null(strstr(answer, "a=sctp-port:5000"));
  assert_non_null(strstr(answer, "a=end-of-candidates"));
  assert_non_null(strstr(answer, "a=candidate:"));
  /* our SSRCs, one per media section, with CNAME */
  assert_int_equal(count(answer, " cname:"), 2);
  assert_non_null(strstr(answer, "rtpmap:") ? strstr(answer, "opus/48000") : NULL);
  assert_non_null(strstr(answer, "VP8/90000"));
  rtg_peer_free(b);
  free(offer);
}

static void test_peer_sdp_answer_chromium(void **state) {
  (void)state;
  answer_browser("chromium-firefox-dtls13");
}

static void test_peer_sdp_answer_firefox(void **state) {
  (void)state;
  answer_browser("firefox-chromium-dtls12");
  answer_browser("firefox-firefox-dtls13");
}

static void test_peer_sdp_codec_filter(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_peer_config cfg;
  struct rtg_peer *b;
  static const char *const codecs[] = {"opus", "H264", NULL};
  static char answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  char *offer = tu_read_file(&ol, "pcaps/chromium-firefox-dtls13/offer.sdp");
  struct rtg_perr e;
  (void)state;
  sim_config(&cfg);
  cfg.codecs = codecs;
  b = new_peer(&ctx, &g, 34, &cfg);
  assert_int_equal(rtg_peer_set_remote_description(b, 0, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(b, 0, answer, sizeof answer, &al, &e), 0);
  assert_non_null(strstr(answer, "H264/90000"));
  assert_null(strstr(answer, "VP8/90000"));
  assert_null(strstr(answer, "VP9/90000"));
  assert_null(strstr(answer, "PCMU/8000"));
  rtg_peer_free(b);
  free(offer);
}

/* ---- trickle, mDNS, lite ---------------------------------------------------------- */

static void test_peer_trickle(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  char line[2][RTG_PEER_MAX_CANDIDATE];
  size_t ol, al;
  struct rtg_perr e;
  struct rtg_peer_event ev;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  ca.trickle = cb.trickle = true;
  sim_init(&s, 35, &ca, &cb);
  assert_int_equal(rtg_peer_create_offer(s.p[0], offer, sizeof offer, &ol), 0);
  assert_non_null(strstr(offer, "a=ice-options:trickle"));
  assert_null(strstr(offer, "a=candidate"));
  assert_int_equal(rtg_peer_set_remote_description(s.p[1], 0, RTG_PEER_SDP_OFFER, offer, ol, &e),
                   0);
  assert_int_equal(rtg_peer_create_answer(s.p[1], 0, answer, sizeof answer, &al, &e), 0);
  assert_int_equal(rtg_peer_set_remote_description(s.p[0], 0, RTG_PEER_SDP_ANSWER, answer, al, &e),
                   0);
  /* candidates gathered afterwards are reported, then trickled */
  for (int i = 0; i < 2; i++) {
    struct rtg_ice_cand c;
    bool got = false;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_HOST;
    c.addr = c.base = s.addr[i];
    assert_int_equal(rtg_peer_add_local_candidate(s.p[i], &c), 0);
    while (rtg_peer_poll_event(s.p[i], &ev) == 0)
      if (ev.type == RTG_PEER_EV_LOCAL_CANDIDATE) {
        snprintf(line[i], sizeof line[i], "%s", ev.candidate);
        got = true;
      }
    assert_true(got);
    assert_int_equal(strncmp(line[i], "candidate:", 10), 0);
  }
  assert_int_equal(rtg_peer_add_remote_candidate(s.p[1], line[0], &e), 0);
  assert_int_equal(rtg_peer_add_remote_candidate(s.p[0], line[1], &e), 0);
  assert_int_equal(rtg_peer_add_remote_candidate(s.p[0], "", &e), 0);
  assert_int_equal(rtg_peer_add_remote_candidate(s.p[0], "candidate:bogus", &e), RTG_ERR_PARSE);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sim_free(&s);
}

static void test_peer_mdns_candidate(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  struct rtg_perr e;
  struct rtg_peer_event ev;
  char host[64] = "";
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  sim_init(&s, 36, &ca, &cb);
  sim_add_hosts(&s);
  assert_int_equal(rtg_peer_create_offer(s.p[0], offer, sizeof offer, &ol), 0);
  /* hide A's address behind an mDNS name in its candidate line */
  replace_once(offer, " 10.0.0.1 40000 typ host",
               " 6d1b1c2e-4a3b-4f5e-9a8b-123456789abc.local 40000 typ host");
  ol = strlen(offer);
  assert_int_equal(rtg_peer_set_remote_description(s.p[1], 0, RTG_PEER_SDP_OFFER, offer, ol, &e),
                   0);
  while (rtg_peer_poll_event(s.p[1], &ev) == 0)
    if (ev.type == RTG_PEER_EV_MDNS_RESOLVE) snprintf(host, sizeof host, "%s", ev.hostname);
  assert_string_equal(host, "6d1b1c2e-4a3b-4f5e-9a8b-123456789abc.local");
  assert_int_equal(rtg_peer_resolve_mdns(s.p[1], host, &s.addr[0]), 0);
  assert_int_equal(rtg_peer_create_answer(s.p[1], 0, answer, sizeof answer, &al, &e), 0);
  assert_int_equal(rtg_peer_set_remote_description(s.p[0], 0, RTG_PEER_SDP_ANSWER, answer, al, &e),
                   0);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sim_free(&s);
}

static void test_peer_ice_lite_answerer(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  struct rtg_peer_stats st;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  cb.ice_mode = RTG_ICE_LITE;
  sim_init(&s, 37, &ca, &cb);
  sim_negotiate(&s);
  assert_non_null(strstr(sim_answer, "a=ice-lite"));
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.ice_role, RTG_ICE_CONTROLLED);
  sim_free(&s);
}

static void test_peer_config_invalid(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_peer_config cfg;
  struct rtg_peer *p;
  (void)state;
  rtg_ctx_deterministic(&ctx, &g, 38, NULL);
  sim_config(&cfg);
  cfg.relay_only = true; /* without a TURN server */
  assert_int_equal(rtg_peer_new(&p, &ctx, &cfg, 0), RTG_ERR_INVAL);
  assert_null(p);
  sim_config(&cfg);
  cfg.mtu = 100;
  assert_int_equal(rtg_peer_new(&p, &ctx, &cfg, 0), RTG_ERR_INVAL);
  sim_config(&cfg);
  cfg.answer_setup = RTG_SDP_SETUP_ACTPASS;
  assert_int_equal(rtg_peer_new(&p, &ctx, &cfg, 0), RTG_ERR_INVAL);
  sim_config(&cfg);
  assert_int_equal(rtg_peer_new(&p, &ctx, &cfg, 0), 0);
  /* relay candidates come from the peer's own TURN client only */
  {
    struct rtg_ice_cand c;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_RELAY;
    c.addr = c.base = sim_v4(1, 2, 3, 4, 5);
    assert_int_equal(rtg_peer_add_local_candidate(p, &c), RTG_ERR_INVAL);
  }
  assert_int_equal(rtg_peer_restart_ice(p), RTG_ERR_STATE);
  /* nothing to attach a trickled candidate to yet */
  assert_int_equal(
      rtg_peer_add_remote_candidate(p, "candidate:1 1 udp 1 10.0.0.9 9 typ host", NULL),
      RTG_ERR_STATE);
  {
    uint8_t buf[4] = {0};
    assert_int_equal(rtg_peer_send_rtp(p, 0, buf, sizeof buf), RTG_ERR_STATE);
    assert_int_equal(rtg_peer_dc_send(p, 0, 1, false, buf, 1), RTG_ERR_STATE);
  }
  assert_int_equal(rtg_peer_close(p, 0), 0);
  assert_int_equal(rtg_peer_close(p, 0), RTG_ERR_STATE);
  assert_string_equal(rtg_peer_event_name(RTG_PEER_EV_CHANNEL_MESSAGE), "channel-message");
  rtg_peer_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_peer_sdp_refused_with_line),
      cmocka_unit_test(test_peer_sdp_answer_chromium),
      cmocka_unit_test(test_peer_sdp_answer_firefox),
      cmocka_unit_test(test_peer_sdp_codec_filter),
      cmocka_unit_test(test_peer_trickle),
      cmocka_unit_test(test_peer_mdns_candidate),
      cmocka_unit_test(test_peer_ice_lite_answerer),
      cmocka_unit_test(test_peer_config_invalid),
  };
  return cmocka_run_group_tests_name("peer_sdp", tests, NULL, NULL);
}
