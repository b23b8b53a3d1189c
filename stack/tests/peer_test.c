/*
 * peer_test.c - the reference peer, two of them back to back through the
 * simulated network of peer_sim.h, in injected time: offer/answer with
 * audio + video + data, ICE + DTLS in both DTLS roles, data-channel echo
 * (1 B .. 256 KiB, ordered and unordered/unreliable), ICE restart keeping
 * the session, fingerprint mismatch refused by both sides, 10% loss.
 * Media, security and SDP cases are in peer_media_test.c and
 * peer_sdp_test.c.
 */
#include "peer_sim.h"

static void sim_default(struct sim *s, uint64_t seed, unsigned echo_b) {
  struct rtg_peer_config ca, cb;
  sim_config(&ca);
  sim_config(&cb);
  cb.echo = echo_b;
  sim_init(s, seed, &ca, &cb);
}

/* A browser answerer checks (and, as DTLS client, sends its ClientHello)
 * as soon as it has the offer; its answer reaches the offerer much later
 * through signaling. The offerer answers those checks at once (RFC 8445
 * §7.3), keeps the early ClientHello (RFC 5763 §5) and finishes DTLS one
 * flight after the answer, not after the client's retransmission timer. */
static void test_peer_connect_answer_late(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  struct rtg_peer_config ca, cb;
  char *offer = sim_offer, *answer = sim_answer;
  size_t ol, al;
  struct rtg_perr e;
  rtg_time answer_at;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  cb.echo = RTG_PEER_ECHO_ALL;
  cb.dtls_client_early = true; /* the answerer behaves as Chromium does */
  sim_init(&s, 7, &ca, &cb);
  sim_add_hosts(&s);
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_peer_create_offer(s.p[0], offer, RTG_PEER_MAX_SDP, &ol), 0);
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[1], s.now, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(s.p[1], s.now, answer, RTG_PEER_MAX_SDP, &al, &e), 0);
  sim_drain(&s);
  sim_run_for(&s, RTG_MS(300)); /* the answer is still on its way */
  rtg_peer_stats(s.p[0], &st);
  assert_true(st.datagrams_out > 0); /* the checks were answered */
  assert_false(s.obs[0].ice || s.obs[0].dtls);
  answer_at = s.now;
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[0], s.now, RTG_PEER_SDP_ANSWER, answer, al, &e), 0);
  sim_drain(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  rtg_peer_stats(s.p[0], &st);
  assert_int_equal(st.dtls_role, RTG_DTLS_ROLE_SERVER);
  /* one RTT is 20 ms: the kept ClientHello is answered on the first valid
   * pair (one round trip after the answer) and the client's last flight
   * takes one more; without the kept ClientHello DTLS would wait for the
   * client's 1 s retransmission, without the valid pair for the
   * nomination (one more round trip) */
  assert_true(st.dtls_connected_at - answer_at <= RTG_MS(40));
  assert_true(st.sctp_connected_at - answer_at <= RTG_MS(150));
  sim_free(&s);
}

static void test_peer_connect_default_roles(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  (void)state;
  sim_default(&s, 1, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  /* the answerer is active (DTLS client) by default, as browsers are */
  assert_int_equal(s.obs[1].role, RTG_DTLS_ROLE_CLIENT);
  assert_int_equal(s.obs[0].role, RTG_DTLS_ROLE_SERVER);
  assert_int_equal(s.obs[0].profile, RTG_SRTP_AES128_CM_HMAC_SHA1_80);
  assert_int_equal(s.obs[1].profile, RTG_SRTP_AES128_CM_HMAC_SHA1_80);
  rtg_peer_stats(s.p[0], &st);
  assert_true(st.ice_connected && st.dtls_connected && st.sctp_connected);
  assert_int_equal(st.ice_role, RTG_ICE_CONTROLLING);
  assert_int_equal(st.dtls_version, RTG_DTLS_V12);
  assert_true(sim_addr_eq(&st.remote.addr, &s.addr[1]));
  assert_true(st.sctp_connected_at >= st.dtls_connected_at);
  assert_true(st.dtls_connected_at > 0);
  /* one round trip is 20 ms: ICE, DTLS and SCTP take a handful */
  assert_true(st.sctp_connected_at < RTG_MS(500));
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.ice_role, RTG_ICE_CONTROLLED);
  assert_int_equal(st.dtls_role, RTG_DTLS_ROLE_CLIENT);
  sim_free(&s);
}

static void test_peer_connect_answer_passive(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  cb.answer_setup = RTG_SDP_SETUP_PASSIVE;
  ca.n_srtp_profiles = 1;
  ca.srtp_profiles[0] = RTG_SRTP_AEAD_AES_128_GCM;
  sim_init(&s, 2, &ca, &cb);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  assert_int_equal(s.obs[0].role, RTG_DTLS_ROLE_CLIENT);
  assert_int_equal(s.obs[1].role, RTG_DTLS_ROLE_SERVER);
  assert_int_equal(s.obs[0].profile, RTG_SRTP_AEAD_AES_128_GCM);
  sim_free(&s);
}

static void test_peer_connect_data_only(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  ca.audio = ca.video = false;
  cb.echo = RTG_PEER_ECHO_ALL;
  sim_init(&s, 16, &ca, &cb);
  sim_negotiate(&s);
  assert_null(strstr(sim_offer, "m=audio"));
  assert_null(strstr(sim_answer, "a=ssrc:"));
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sim_free(&s);
}

/* Media only: no application section, so no SCTP; SRTP works. */
static void test_peer_connect_media_only(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  struct rtg_peer_stats st;
  uint8_t pkt[64] = {0x80, 111};
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  ca.data = false;
  cb.echo = RTG_PEER_ECHO_ALL;
  sim_init(&s, 17, &ca, &cb);
  sim_negotiate(&s);
  assert_null(strstr(sim_answer, "m=application"));
  assert_true(sim_run_until(&s, sim_cond_connected, NULL, RTG_SEC(10)));
  rtg_store_u32(pkt + 8, rtg_peer_local_ssrc(s.p[0], RTG_SDP_MEDIA_AUDIO));
  assert_int_equal(rtg_peer_send_rtp(s.p[0], s.now, pkt, sizeof pkt), 0);
  sim_run_for(&s, RTG_MS(100));
  assert_int_equal(s.obs[0].rtp, 1);
  rtg_peer_stats(s.p[0], &st);
  assert_false(st.sctp_connected);
  assert_false(s.obs[0].sctp);
  sim_free(&s);
}

/* ---- data channels ---------------------------------------------------------- */

struct want_msgs {
  int peer;
  unsigned n;
};

static bool cond_msgs(struct sim *s, void *ud) {
  const struct want_msgs *w = ud;
  return s->obs[w->peer].msgs >= w->n;
}

static bool cond_acked(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[0].acked > 0 && s->obs[1].opened > 0;
}

static uint16_t open_channel(struct sim *s, uint8_t type, uint32_t rel, const char *label) {
  struct rtg_dc_channel_opts o;
  uint16_t sid = 0;
  memset(&o, 0, sizeof o);
  o.channel_type = type;
  o.reliability = rel;
  o.priority = 256;
  o.label = label;
  s->obs[0].acked = 0;
  s->obs[1].opened = 0;
  assert_int_equal(rtg_peer_dc_open(s->p[0], s->now, &o, &sid), 0);
  assert_true(sim_run_until(s, cond_acked, NULL, RTG_SEC(5)));
  assert_int_equal(s->obs[1].open_sid, sid);
  return sid;
}

/* Sends |len| bytes on |sid| and waits for B's echo. */
static void echo_one(struct sim *s, uint16_t sid, size_t len, bool binary, rtg_time span) {
  uint8_t *buf = malloc(len + 1);
  struct want_msgs w = {0, s->obs[0].msgs + 1};
  assert_non_null(buf);
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(i * 7 + len);
  assert_int_equal(rtg_peer_dc_send(s->p[0], s->now, sid, binary, buf, len), 0);
  assert_true(sim_run_until(s, cond_msgs, &w, span));
  assert_int_equal(s->obs[0].last_len, len);
  assert_int_equal(s->obs[0].last_binary, binary);
  assert_memory_equal(s->obs[0].last, buf, len);
  free(buf);
}

static void test_peer_dc_echo_sizes(void **state) {
  static const size_t sizes[] = {1, 1024, 65536, 262144};
  struct sim s;
  struct rtg_peer_stats st;
  uint16_t sid;
  (void)state;
  sim_default(&s, 3, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "echo");
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    echo_one(&s, sid, sizes[i], i % 2 == 0, RTG_SEC(30));
  echo_one(&s, sid, 5, false, RTG_SEC(5));
  /* larger than our a=max-message-size: refused locally */
  {
    static uint8_t big[262145];
    assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, true, big, sizeof big), RTG_ERR_INVAL);
  }
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.events_dropped, 0);
  assert_int_equal(st.nchannels, 1);
  assert_string_equal(st.channels[0].label, "echo");
  assert_int_equal(st.channels[0].messages_in, 5);
  assert_int_equal(st.channels[0].messages_out, 5);
  assert_int_equal(st.channels[0].bytes_in, 1 + 1024 + 65536 + 262144 + 5);
  sim_free(&s);
}

static void test_peer_dc_unordered_unreliable(void **state) {
  struct sim s;
  uint16_t sid;
  uint8_t msg[100];
  struct want_msgs w = {0, 20};
  (void)state;
  sim_default(&s, 4, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sid = open_channel(&s, RTG_DCEP_PARTIAL_REXMIT_UNORDERED, 0, "unreliable");
  memset(msg, 'u', sizeof msg);
  for (int i = 0; i < 20; i++)
    assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, false, msg, sizeof msg), 0);
  /* no loss: every message comes back even without retransmissions */
  assert_true(sim_run_until(&s, cond_msgs, &w, RTG_SEC(5)));
  assert_int_equal(s.obs[0].last_len, sizeof msg);
  sim_free(&s);
}

/* With loss, maxRetransmits=0 gives up on lost messages: fewer come back
 * than were sent, none twice, and the channel keeps working. */
static void test_peer_dc_unreliable_lossy(void **state) {
  struct sim s;
  uint16_t sid;
  uint8_t msg[500];
  (void)state;
  sim_default(&s, 12, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sid = open_channel(&s, RTG_DCEP_PARTIAL_REXMIT_UNORDERED, 0, "lossy-unreliable");
  s.loss_pct = 20;
  for (int i = 0; i < 50; i++) {
    memset(msg, i, sizeof msg);
    assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, true, msg, sizeof msg), 0);
    sim_run_for(&s, RTG_MS(20));
  }
  sim_run_for(&s, RTG_SEC(5));
  assert_true(s.obs[0].msgs > 10);
  assert_true(s.obs[0].msgs < 50);
  s.loss_pct = 0;
  {
    struct want_msgs w = {0, s.obs[0].msgs + 1};
    assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, false, "after", 5), 0);
    assert_true(sim_run_until(&s, cond_msgs, &w, RTG_SEC(5)));
  }
  sim_free(&s);
}

static bool cond_closed_channel(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[0].closed_channels > 0 && s->obs[1].closed_channels > 0;
}

static void test_peer_dc_close(void **state) {
  struct sim s;
  uint16_t sid;
  (void)state;
  sim_default(&s, 5, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "c");
  assert_int_equal(rtg_peer_dc_close(s.p[0], sid), 0);
  /* the echo side resets its stream when the peer's reset arrives */
  assert_true(sim_run_until(&s, cond_closed_channel, NULL, RTG_SEC(5)));
  assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, false, "x", 1), RTG_ERR_NOTFOUND);
  sim_free(&s);
}

/* ---- ICE restart -------------------------------------------------------------- */

static void test_peer_ice_restart_keeps_session(void **state) {
  struct sim s;
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  uint16_t sid;
  unsigned pairs_before;
  struct rtg_peer_stats st;
  struct rtg_perr e;
  (void)state;
  sim_default(&s, 6, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "r");
  echo_one(&s, sid, 100, true, RTG_SEC(5));
  pairs_before = s.obs[0].pairs + s.obs[1].pairs;
  assert_int_equal(rtg_peer_restart_ice(s.p[0]), 0);
  assert_int_equal(rtg_peer_create_offer(s.p[0], offer, sizeof offer, &ol), 0);
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[1], s.now, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(s.p[1], s.now, answer, sizeof answer, &al, &e), 0);
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[0], s.now, RTG_PEER_SDP_ANSWER, answer, al, &e), 0);
  sim_run_for(&s, RTG_SEC(3));
  for (int i = 0; i < 2; i++) {
    rtg_peer_stats(s.p[i], &st);
    assert_int_equal(st.ice_restarts, 1);
    assert_true(st.dtls_connected);
    assert_true(st.sctp_connected);
    assert_false(s.obs[i].closed);
  }
  /* new checks ran and selected a pair again */
  assert_true(s.obs[0].pairs + s.obs[1].pairs > pairs_before);
  echo_one(&s, sid, 2000, false, RTG_SEC(5));
  /* consent keeps going on the new credentials well past 30 s */
  sim_run_for(&s, RTG_SEC(40));
  assert_false(s.obs[0].closed || s.obs[1].closed);
  echo_one(&s, sid, 10, false, RTG_SEC(5));
  sim_free(&s);
}

/* B (the answerer, DTLS client) offers again: roles are kept (RFC 8842
 * §5.5), the session goes on. */
static void test_peer_reoffer_by_answerer(void **state) {
  struct sim s;
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  uint16_t sid;
  struct rtg_perr e;
  struct rtg_peer_stats st;
  (void)state;
  sim_default(&s, 19, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "re");
  assert_int_equal(rtg_peer_create_offer(s.p[1], offer, sizeof offer, &ol), 0);
  assert_non_null(strstr(offer, "a=setup:actpass"));
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[0], s.now, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(s.p[0], s.now, answer, sizeof answer, &al, &e), 0);
  /* A is the DTLS server and says so */
  assert_non_null(strstr(answer, "a=setup:passive"));
  assert_null(strstr(answer, "a=setup:active"));
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[1], s.now, RTG_PEER_SDP_ANSWER, answer, al, &e), 0);
  sim_run_for(&s, RTG_SEC(2));
  echo_one(&s, sid, 700, false, RTG_SEC(5));
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.dtls_role, RTG_DTLS_ROLE_CLIENT);
  assert_int_equal(st.ice_restarts, 0);
  assert_false(s.obs[0].closed || s.obs[1].closed);
  sim_free(&s);
}

static const char *line_value(const char *sdp, const char *attr, char *out, size_t cap) {
  const char *v = strstr(sdp, attr);
  size_t n = 0;
  assert_non_null(v);
  v += strlen(attr);
  while (v[n] != '\r' && v[n] != '\n' && n + 1 < cap) n++;
  memcpy(out, v, n);
  out[n] = '\0';
  return out;
}

/* A data-only session to which the remote (as a browser adding a track
 * would) adds an audio section: B accepts it and echoes on it. */
static void test_peer_reoffer_adds_section(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  char uf[64], pw[64], fp[160];
  size_t ol, al;
  struct rtg_perr e;
  struct rtg_peer_stats st;
  uint8_t pkt[100] = {0x80, 111, 0, 1, 0, 0, 0, 9, 0x0a, 0x0b, 0x0c, 0x0d};
  int audio_in = -1, audio_out = -1;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  ca.audio = ca.video = false;
  cb.echo = RTG_PEER_ECHO_ALL;
  sim_init(&s, 20, &ca, &cb);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  assert_int_equal(rtg_peer_create_offer(s.p[0], offer, sizeof offer, &ol), 0);
  line_value(offer, "a=ice-ufrag:", uf, sizeof uf);
  line_value(offer, "a=ice-pwd:", pw, sizeof pw);
  line_value(offer, "a=fingerprint:", fp, sizeof fp);
  {
    char *g = strstr(offer, "a=group:BUNDLE 0");
    assert_non_null(g);
    memmove(g + 18, g + 16, strlen(g + 16) + 1);
    memcpy(g + 16, " 1", 2);
  }
  ol = strlen(offer);
  ol += (size_t)snprintf(offer + ol, sizeof offer - ol,
                         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
                         "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:%s\r\n"
                         "a=setup:actpass\r\na=mid:1\r\na=sendrecv\r\na=rtcp-mux\r\n"
                         "a=rtpmap:111 opus/48000/2\r\n",
                         uf, pw, fp);
  assert_int_equal(
      rtg_peer_set_remote_description(s.p[1], s.now, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(s.p[1], s.now, answer, sizeof answer, &al, &e), 0);
  assert_non_null(strstr(answer, "m=audio 9 UDP/TLS/RTP/SAVPF 111"));
  assert_non_null(strstr(answer, " cname:"));
  /* A (whose own description does not know the section) sends on it */
  assert_int_equal(rtg_peer_send_rtp(s.p[0], s.now, pkt, sizeof pkt), 0);
  sim_run_for(&s, RTG_MS(100));
  rtg_peer_stats(s.p[1], &st);
  for (size_t i = 0; i < st.nstreams; i++) {
    if (st.streams[i].kind != RTG_SDP_MEDIA_AUDIO || st.streams[i].packets != 1) continue;
    if (st.streams[i].outbound)
      audio_out = (int)i;
    else
      audio_in = (int)i;
  }
  assert_true(audio_in >= 0 && audio_out >= 0);
  assert_int_equal(st.streams[audio_out].ssrc, rtg_peer_local_ssrc(s.p[1], RTG_SDP_MEDIA_AUDIO));
  sim_free(&s);
}

/* ---- fingerprint mismatch ------------------------------------------------------ */

/* Changes one hex digit of the first a=fingerprint of |sdp|. */
static void corrupt_fingerprint(char *sdp) {
  char *f = strstr(sdp, "a=fingerprint:sha-256 ");
  assert_non_null(f);
  f += strlen("a=fingerprint:sha-256 ");
  f[0] = f[0] == 'A' ? 'B' : 'A';
}

static bool cond_both_ended(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[0].closed && s->obs[1].closed;
}

static void run_mismatch(bool in_offer) {
  struct sim s;
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  struct rtg_perr e;
  int victim = in_offer ? 1 : 0;
  sim_default(&s, in_offer ? 7 : 8, RTG_PEER_ECHO_ALL);
  for (int i = 0; i < 2; i++) {
    struct rtg_ice_cand c;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_HOST;
    c.addr = c.base = s.addr[i];
    assert_int_equal(rtg_peer_add_local_candidate(s.p[i], &c), 0);
    rtg_peer_local_candidates_done(s.p[i]);
  }
  assert_int_equal(rtg_peer_create_offer(s.p[0], offer, sizeof offer, &ol), 0);
  if (in_offer) corrupt_fingerprint(offer);
  assert_int_equal(rtg_peer_set_remote_description(s.p[1], 0, RTG_PEER_SDP_OFFER, offer, ol, &e),
                   0);
  assert_int_equal(rtg_peer_create_answer(s.p[1], 0, answer, sizeof answer, &al, &e), 0);
  if (!in_offer) corrupt_fingerprint(answer);
  assert_int_equal(rtg_peer_set_remote_description(s.p[0], 0, RTG_PEER_SDP_ANSWER, answer, al, &e),
                   0);
  IGNORE_RC(sim_run_until(&s, cond_both_ended, NULL, RTG_SEC(60)));
  /* the side given the wrong fingerprint sees the mismatch; neither side
   * ever reports DTLS connected nor gets keys */
  assert_true(s.obs[victim].fp_mismatch);
  assert_false(s.obs[0].dtls);
  assert_false(s.obs[1].dtls);
  assert_true(s.obs[victim].closed);
  assert_int_equal(
      rtg_peer_send_rtp(s.p[victim], s.now, (const uint8_t *)"\x80\x6f\0\1\0\0\0\0\0\0\0\1", 12),
      RTG_ERR_STATE);
  sim_free(&s);
}

static void test_peer_fingerprint_mismatch_offer(void **state) {
  (void)state;
  run_mismatch(true);
}

static void test_peer_fingerprint_mismatch_answer(void **state) {
  (void)state;
  run_mismatch(false);
}

/* ---- loss ------------------------------------------------------------------------ */

static void test_peer_loss_10pct(void **state) {
  struct sim s;
  uint16_t sid;
  struct rtg_peer_stats st;
  (void)state;
  sim_default(&s, 9, RTG_PEER_ECHO_ALL);
  s.loss_pct = 10;
  s.jitter = RTG_MS(5);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(60)));
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "lossy");
  echo_one(&s, sid, 1, true, RTG_SEC(30));
  echo_one(&s, sid, 1024, true, RTG_SEC(30));
  echo_one(&s, sid, 65536, true, RTG_SEC(60));
  assert_true(s.dropped > 0);
  rtg_peer_stats(s.p[0], &st);
  assert_true(st.dtls_connected);
  sim_free(&s);
}

/* Loss inside the peer (config.loss_permille_*), as `rtcgate peer --loss`. */
static void test_peer_loss_inside(void **state) {
  struct sim s;
  struct rtg_peer_config ca, cb;
  struct rtg_peer_stats st;
  uint16_t sid;
  (void)state;
  sim_config(&ca);
  sim_config(&cb);
  ca.loss_permille_in = ca.loss_permille_out = 100;
  cb.echo = RTG_PEER_ECHO_ALL;
  sim_init(&s, 10, &ca, &cb);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(60)));
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "lossy");
  echo_one(&s, sid, 30000, true, RTG_SEC(60));
  rtg_peer_stats(s.p[0], &st);
  assert_true(st.loss_dropped_in > 0 && st.loss_dropped_out > 0);
  sim_free(&s);
}

/* ---- IPv6, consent, close ----------------------------------------------------------- */

static void test_peer_connect_ipv6(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  uint16_t sid;
  (void)state;
  sim_default(&s, 13, RTG_PEER_ECHO_ALL);
  for (int i = 0; i < 2; i++) {
    memset(&s.addr[i], 0, sizeof s.addr[i]);
    s.addr[i].family = 2;
    s.addr[i].addr[0] = 0xfd;
    s.addr[i].addr[15] = (uint8_t)(i + 1);
    s.addr[i].port = (uint16_t)(6000 + i);
  }
  sim_negotiate(&s);
  assert_non_null(strstr(sim_offer, "fd00::1 6000 typ host"));
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  rtg_peer_stats(s.p[0], &st);
  assert_int_equal(st.remote.addr.family, 2);
  sid = open_channel(&s, RTG_DCEP_RELIABLE, 0, "v6");
  echo_one(&s, sid, 3000, true, RTG_SEC(5));
  sim_free(&s);
}

static bool cond_a_closed(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[0].closed;
}

/* The remote vanishes: consent freshness (RFC 7675) ends the session. */
static void test_peer_consent_lost(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  (void)state;
  sim_default(&s, 14, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  s.loss_pct = 100;
  assert_true(sim_run_until(&s, cond_a_closed, NULL, RTG_SEC(45)));
  assert_true(s.now > RTG_SEC(25));
  assert_int_equal(rtg_peer_poll_timeout(s.p[0]), RTG_TIME_NEVER);
  assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, 0, false, "x", 1), RTG_ERR_STATE);
  rtg_peer_stats(s.p[0], &st);
  assert_true(st.dtls_connected); /* what it was; the session is over */
  sim_free(&s);
}

static bool cond_both_failed(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[0].ice_failed && s->obs[1].ice_failed;
}

/* Nothing gets through: once every check failed after end-of-candidates,
 * ICE fails on both sides and the sessions end. */
static void test_peer_ice_failed(void **state) {
  struct sim s;
  (void)state;
  sim_default(&s, 18, RTG_PEER_ECHO_ALL);
  s.loss_pct = 100;
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, cond_both_failed, NULL, RTG_SEC(120)));
  assert_true(s.obs[0].closed && s.obs[1].closed);
  assert_false(s.obs[0].dtls || s.obs[1].dtls);
  sim_free(&s);
}

static bool cond_b_closed(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[1].closed;
}

static void test_peer_close_reaches_remote(void **state) {
  struct sim s;
  (void)state;
  sim_default(&s, 15, RTG_PEER_ECHO_ALL);
  sim_negotiate(&s);
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  assert_int_equal(rtg_peer_close(s.p[0], s.now), 0);
  /* close_notify tells B at once, long before consent would */
  assert_true(sim_run_until(&s, cond_b_closed, NULL, RTG_SEC(1)));
  assert_true(s.obs[0].closed);
  sim_free(&s);
}

/* ---- determinism ---------------------------------------------------------------- */

static void test_peer_deterministic(void **state) {
  rtg_time t[2];
  uint64_t d[2];
  (void)state;
  for (int r = 0; r < 2; r++) {
    struct sim s;
    struct rtg_peer_stats st;
    sim_default(&s, 11, RTG_PEER_ECHO_ALL);
    sim_negotiate(&s);
    assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
    rtg_peer_stats(s.p[0], &st);
    t[r] = st.sctp_connected_at;
    d[r] = s.delivered;
    sim_free(&s);
  }
  assert_int_equal(t[0], t[1]);
  assert_int_equal(d[0], d[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_peer_connect_default_roles),
      cmocka_unit_test(test_peer_connect_answer_late),
      cmocka_unit_test(test_peer_connect_answer_passive),
      cmocka_unit_test(test_peer_connect_data_only),
      cmocka_unit_test(test_peer_connect_media_only),
      cmocka_unit_test(test_peer_dc_echo_sizes),
      cmocka_unit_test(test_peer_dc_unordered_unreliable),
      cmocka_unit_test(test_peer_dc_unreliable_lossy),
      cmocka_unit_test(test_peer_dc_close),
      cmocka_unit_test(test_peer_ice_restart_keeps_session),
      cmocka_unit_test(test_peer_reoffer_by_answerer),
      cmocka_unit_test(test_peer_reoffer_adds_section),
      cmocka_unit_test(test_peer_fingerprint_mismatch_offer),
      cmocka_unit_test(test_peer_fingerprint_mismatch_answer),
      cmocka_unit_test(test_peer_loss_10pct),
      cmocka_unit_test(test_peer_loss_inside),
      cmocka_unit_test(test_peer_connect_ipv6),
      cmocka_unit_test(test_peer_consent_lost),
      cmocka_unit_test(test_peer_ice_failed),
      cmocka_unit_test(test_peer_close_reaches_remote),
      cmocka_unit_test(test_peer_deterministic),
  };
  return cmocka_run_group_tests_name("peer", tests, NULL, NULL);
}
