/*
 * peer_media_test.c - the reference peer's media and its defences, two
 * peers back to back (peer_sim.h): RTP echoed on the echoing peer's own
 * SSRC and decrypted by the sender, SR/RR with loss counts, a lost packet
 * recovered by NACK from the sender's history, PLI forwarded to the
 * original sender; a flood of unauthenticated binding requests is rate
 * limited and never answered while the session goes on; the relay path
 * through an in-memory TURN server.
 */
#include "peer_sim.h"

#include "rtg/rtp.h"
#include "rtg/stun.h"

static void connect_pair(struct sim *s, uint64_t seed) {
  struct rtg_peer_config ca, cb;
  sim_config(&ca);
  sim_config(&cb);
  cb.echo = RTG_PEER_ECHO_ALL;
  sim_init(s, seed, &ca, &cb);
  sim_negotiate(s);
  assert_true(sim_run_until(s, sim_cond_connected, s, RTG_SEC(10)));
}

/* A plain RTP packet: |pt|, |seq|, |ssrc|, payload bytes from |seq|. */
static size_t make_rtp(uint8_t *b, uint8_t pt, uint16_t seq, uint32_t ssrc, size_t payload) {
  b[0] = 0x80;
  b[1] = pt;
  rtg_store_u16(b + 2, seq);
  rtg_store_u32(b + 4, (uint32_t)seq * 960u);
  rtg_store_u32(b + 8, ssrc);
  for (size_t i = 0; i < payload; i++) b[12 + i] = (uint8_t)(seq + i);
  return 12 + payload;
}

static void send_stream(struct sim *s, uint8_t pt, int kind, uint16_t first, unsigned n) {
  uint8_t pkt[300];
  uint32_t ssrc = rtg_peer_local_ssrc(s->p[0], kind);
  for (unsigned i = 0; i < n; i++) {
    size_t len = make_rtp(pkt, pt, (uint16_t)(first + i), ssrc, 160);
    assert_int_equal(rtg_peer_send_rtp(s->p[0], s->now, pkt, len), 0);
    sim_run_for(s, RTG_MS(20));
  }
}

static const struct rtg_peer_stream_stats *find_stream(const struct rtg_peer_stats *st,
                                                       uint32_t ssrc, bool outbound) {
  for (size_t i = 0; i < st->nstreams; i++)
    if (st->streams[i].ssrc == ssrc && st->streams[i].outbound == outbound) return &st->streams[i];
  return NULL;
}

static void test_peer_media_echo_audio(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  const struct rtg_peer_stream_stats *x;
  uint8_t want[300];
  uint32_t a_ssrc, b_ssrc;
  (void)state;
  connect_pair(&s, 21);
  a_ssrc = rtg_peer_local_ssrc(s.p[0], RTG_SDP_MEDIA_AUDIO);
  b_ssrc = rtg_peer_local_ssrc(s.p[1], RTG_SDP_MEDIA_AUDIO);
  assert_int_not_equal(a_ssrc, 0);
  assert_int_not_equal(b_ssrc, 0);
  assert_int_not_equal(a_ssrc, b_ssrc);
  send_stream(&s, 111, RTG_SDP_MEDIA_AUDIO, 1000, 50);
  sim_run_for(&s, RTG_MS(100));
  /* every packet came back decrypted, on B's SSRC, with the same payload */
  assert_int_equal(s.obs[0].rtp, 50);
  assert_int_equal(s.obs[0].last_rtp_ssrc, b_ssrc);
  assert_int_equal(s.obs[0].last_rtp_len, 12 + 160);
  make_rtp(want, 111, 1049, a_ssrc, 160);
  assert_memory_equal(s.obs[0].last_rtp + 12, want + 12, 160);
  assert_int_equal(s.obs[0].last_rtp[1] & 0x7f, 111);
  /* RTCP: B reports on what it receives and what it sends */
  sim_run_for(&s, RTG_SEC(3));
  assert_true(s.obs[0].srs_seen >= 2);
  assert_true(s.obs[1].rrs_seen + s.obs[1].srs_seen >= 2);
  rtg_peer_stats(s.p[1], &st);
  assert_non_null(x = find_stream(&st, a_ssrc, false));
  assert_int_equal(x->packets, 50);
  assert_int_equal(x->lost, 0);
  assert_true(x->reports >= 2);
  assert_non_null(x = find_stream(&st, b_ssrc, true));
  assert_int_equal(x->packets, 50);
  rtg_peer_stats(s.p[0], &st);
  assert_non_null(x = find_stream(&st, b_ssrc, false));
  assert_int_equal(x->packets, 50);
  assert_int_equal(x->srtp_failures, 0);
  sim_free(&s);
}

static void test_peer_media_nack_recovers(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  const struct rtg_peer_stream_stats *x;
  uint32_t v_ssrc;
  (void)state;
  connect_pair(&s, 22);
  v_ssrc = rtg_peer_local_ssrc(s.p[0], RTG_SDP_MEDIA_VIDEO);
  s.drop_rtp_from = 0; /* A's 5th RTP packet is lost on the way */
  s.drop_rtp_nth = 5;
  send_stream(&s, 96, RTG_SDP_MEDIA_VIDEO, 7, 10);
  sim_run_for(&s, RTG_MS(200));
  /* B asked for it (NACK), A resent it from its history, B echoed it */
  assert_int_equal(s.obs[0].nacks_seen, 1);
  rtg_peer_stats(s.p[0], &st);
  assert_non_null(x = find_stream(&st, v_ssrc, true));
  assert_int_equal(x->nacks, 1);
  assert_int_equal(x->retransmitted, 1);
  rtg_peer_stats(s.p[1], &st);
  assert_non_null(x = find_stream(&st, v_ssrc, false));
  assert_int_equal(x->nacks, 1);
  assert_int_equal(x->packets, 10);
  assert_int_equal(s.obs[0].rtp, 10);
  sim_free(&s);
}

static void test_peer_media_pli_forwarded(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  const struct rtg_peer_stream_stats *x;
  uint8_t buf[64];
  struct rtg_wr wr;
  uint32_t a_v, b_v;
  (void)state;
  connect_pair(&s, 23);
  a_v = rtg_peer_local_ssrc(s.p[0], RTG_SDP_MEDIA_VIDEO);
  b_v = rtg_peer_local_ssrc(s.p[1], RTG_SDP_MEDIA_VIDEO);
  send_stream(&s, 96, RTG_SDP_MEDIA_VIDEO, 1, 3);
  /* A asks B for a key frame of B's (echo) stream */
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_rtcp_write_rr(&wr, a_v, NULL, 0), 0);
  assert_int_equal(rtg_rtcp_write_pli(&wr, a_v, b_v), 0);
  assert_int_equal(rtg_peer_send_rtcp(s.p[0], s.now, buf, rtg_wr_len(&wr)), 0);
  sim_run_for(&s, RTG_MS(100));
  /* B only echoes: it asks the original sender (A) in turn */
  assert_int_equal(s.obs[0].plis_seen, 1);
  rtg_peer_stats(s.p[1], &st);
  assert_non_null(x = find_stream(&st, b_v, true));
  assert_int_equal(x->plis, 1);
  assert_non_null(x = find_stream(&st, a_v, false));
  assert_int_equal(x->plis, 1);
  sim_free(&s);
}

/* Packets never sent (a gap in the sequence): NACKed, not in the sender's
 * history, reported lost in B's receiver reports. */
static void test_peer_media_loss_reported(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  const struct rtg_peer_stream_stats *x;
  uint32_t a_ssrc;
  (void)state;
  connect_pair(&s, 28);
  a_ssrc = rtg_peer_local_ssrc(s.p[0], RTG_SDP_MEDIA_AUDIO);
  send_stream(&s, 111, RTG_SDP_MEDIA_AUDIO, 1, 3);
  send_stream(&s, 111, RTG_SDP_MEDIA_AUDIO, 6, 3); /* 4 and 5 never exist */
  sim_run_for(&s, RTG_SEC(2));
  rtg_peer_stats(s.p[1], &st);
  assert_non_null(x = find_stream(&st, a_ssrc, false));
  assert_int_equal(x->packets, 6);
  assert_int_equal(x->lost, 2);
  assert_int_equal(x->nacks, 1);
  rtg_peer_stats(s.p[0], &st);
  assert_non_null(x = find_stream(&st, a_ssrc, true));
  assert_int_equal(x->nacks, 1);
  assert_int_equal(x->retransmitted, 0);
  assert_true(s.obs[0].srs_seen > 0); /* B's SR carries the report block */
  assert_int_equal(s.obs[0].max_lost_reported, 2);
  sim_free(&s);
}

/* A second SSRC in the same section (RTX, simulcast) is counted, not
 * echoed: the echo follows the first stream of the section. */
static void test_peer_media_echo_first_ssrc_only(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  const struct rtg_peer_stream_stats *x;
  uint8_t pkt[300];
  (void)state;
  connect_pair(&s, 27);
  send_stream(&s, 96, RTG_SDP_MEDIA_VIDEO, 100, 5);
  for (uint16_t i = 0; i < 3; i++) {
    size_t len = make_rtp(pkt, 97, (uint16_t)(500 + i), 0x0badf00d, 50);
    assert_int_equal(rtg_peer_send_rtp(s.p[0], s.now, pkt, len), 0);
  }
  sim_run_for(&s, RTG_MS(200));
  assert_int_equal(s.obs[0].rtp, 5);
  rtg_peer_stats(s.p[1], &st);
  assert_non_null(x = find_stream(&st, 0x0badf00d, false));
  assert_int_equal(x->packets, 3);
  assert_int_equal(x->kind, RTG_SDP_MEDIA_VIDEO);
  assert_non_null(x = find_stream(&st, rtg_peer_local_ssrc(s.p[0], RTG_SDP_MEDIA_VIDEO), false));
  assert_int_equal(x->packets, 5);
  sim_free(&s);
}

static void test_peer_media_bad_input(void **state) {
  struct sim s;
  uint8_t pkt[200];
  size_t len;
  struct rtg_peer_stats st;
  (void)state;
  connect_pair(&s, 24);
  /* not RTP */
  assert_int_equal(rtg_peer_send_rtp(s.p[0], s.now, (const uint8_t *)"\x00\x01", 2), RTG_ERR_PARSE);
  /* forged SRTP (no valid tag) is dropped and counted, nothing echoed */
  len = make_rtp(pkt, 111, 5, 0x11223344, 100);
  assert_int_equal(rtg_peer_handle_datagram(s.p[1], s.now, &s.addr[1], &s.addr[0], pkt, len + 10),
                   RTG_ERR_AUTH);
  sim_run_for(&s, RTG_MS(100));
  assert_int_equal(s.obs[0].rtp, 0);
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.streams[0].srtp_failures, 1);
  /* a datagram matching no RFC 7983 range */
  assert_int_equal(rtg_peer_handle_datagram(s.p[1], s.now, &s.addr[1], &s.addr[0],
                                            (const uint8_t *)"\x50\x00", 2),
                   RTG_ERR_PARSE);
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.unknown_dropped, 1);
  sim_free(&s);
}

/* ---- STUN flood ----------------------------------------------------------------- */

static void ufrag_of(const char *sdp, char *out, size_t cap) {
  const char *u = strstr(sdp, "a=ice-ufrag:");
  size_t n = 0;
  assert_non_null(u);
  u += strlen("a=ice-ufrag:");
  while (u[n] && u[n] != '\r' && u[n] != '\n' && n + 1 < cap) n++;
  memcpy(out, u, n);
  out[n] = '\0';
}

static size_t forged_check(uint8_t *buf, size_t cap, const char *ufrag, unsigned i,
                           struct rtg_stun_cred *cred) {
  struct rtg_stun_builder b;
  char user[300];
  uint8_t tid[RTG_STUN_TID_LEN];
  ptrdiff_t n;
  memset(tid, (int)i, sizeof tid);
  snprintf(user, sizeof user, "%s:evil", ufrag);
  assert_int_equal(rtg_stun_builder_init(&b, buf, cap, RTG_STUN_REQUEST, RTG_STUN_BINDING, tid), 0);
  IGNORE_RC(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, user, strlen(user)));
  IGNORE_RC(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_PRIORITY, 1234));
  IGNORE_RC(rtg_stun_builder_add_u64(&b, RTG_STUN_ATTR_ICE_CONTROLLING, i));
  if (i % 3) IGNORE_RC(rtg_stun_builder_add_integrity(&b, cred)); /* every third: none */
  IGNORE_RC(rtg_stun_builder_add_fingerprint(&b));
  n = rtg_stun_builder_finish(&b);
  assert_true(n > 0);
  return (size_t)n;
}

static void test_peer_stun_flood_rate_limited(void **state) {
  struct sim s;
  struct rtg_peer_stats st;
  struct rtg_stun_cred wrong;
  char ufrag[64];
  uint8_t buf[512];
  uint16_t sid;
  struct rtg_dc_channel_opts o;
  (void)state;
  connect_pair(&s, 25);
  ufrag_of(sim_answer, ufrag, sizeof ufrag);
  assert_int_equal(rtg_stun_cred_init_short(&wrong, "not-the-password-at-all", 23), 0);
  for (unsigned i = 0; i < 600; i++) {
    struct rtg_stun_addr src = sim_v4(10, 9, (uint8_t)(i >> 8), (uint8_t)i, (uint16_t)(1000 + i));
    size_t len = forged_check(buf, sizeof buf, ufrag, i, &wrong);
    int rc = rtg_peer_handle_datagram(s.p[1], s.now, &s.addr[1], &src, buf, len);
    assert_true(rc == RTG_ERR_AUTH || rc == RTG_ERR_AGAIN);
    sim_run_for(&s, RTG_MS(2));
  }
  rtg_stun_cred_free(&wrong);
  /* a request of another method (an Allocate) is not ICE's: dropped */
  {
    struct rtg_stun_builder b;
    uint8_t tid[RTG_STUN_TID_LEN] = {9};
    struct rtg_stun_addr src = sim_v4(10, 9, 9, 9, 9);
    ptrdiff_t n;
    assert_int_equal(
        rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_REQUEST, RTG_STUN_ALLOCATE, tid), 0);
    IGNORE_RC(rtg_stun_builder_add_fingerprint(&b));
    n = rtg_stun_builder_finish(&b);
    assert_true(n > 0);
    assert_int_equal(rtg_peer_handle_datagram(s.p[1], s.now, &s.addr[1], &src, buf, (size_t)n),
                     RTG_ERR_PARSE);
    sim_run_for(&s, RTG_MS(10));
  }
  rtg_peer_stats(s.p[1], &st);
  assert_int_equal(st.unknown_dropped, 1);
  /* every forged check was either refused by the bucket or failed its
   * integrity; none of them was answered */
  assert_int_equal(st.stun_rate_limited + st.stun_bad_integrity, 600);
  assert_true(st.stun_rate_limited > 400);
  assert_true(st.stun_bad_integrity >= 50);
  assert_int_equal(s.sent_to_stranger[1], 0);
  /* the session is intact: consent goes on, channels work */
  sim_run_for(&s, RTG_SEC(40));
  assert_false(s.obs[0].closed || s.obs[1].closed);
  memset(&o, 0, sizeof o);
  o.label = "after";
  assert_int_equal(rtg_peer_dc_open(s.p[0], s.now, &o, &sid), 0);
  assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, false, "ping", 4), 0);
  sim_run_for(&s, RTG_MS(500));
  assert_int_equal(s.obs[0].msgs, 1);
  assert_memory_equal(s.obs[0].last, "ping", 4);
  sim_free(&s);
}

/* ---- TURN relay through an in-memory server ---------------------------------------- */

struct fake_turn {
  struct sim *s;
  struct rtg_stun_addr addr, relayed, client;
  struct rtg_stun_cred cred;
  struct rtg_stun_addr perm[16];
  size_t nperm;
  unsigned allocs, sends, datas, refused;
};

static const char REALM[] = "rtcgate.test", NONCE[] = "0123456789abcdef";

static void turn_reply(struct fake_turn *t, const struct rtg_stun_msg *m,
                       const struct rtg_stun_addr *to, int code,
                       const struct rtg_stun_addr *mapped) {
  struct rtg_stun_builder b;
  uint8_t buf[512];
  ptrdiff_t n;
  assert_int_equal(
      rtg_stun_builder_init(&b, buf, sizeof buf, code ? RTG_STUN_ERROR : RTG_STUN_SUCCESS,
                            m->method, m->tid),
      0);
  if (code) {
    IGNORE_RC(rtg_stun_builder_add_error(&b, (uint16_t)code, "Unauthorized", 12));
    IGNORE_RC(rtg_stun_builder_add(&b, RTG_STUN_ATTR_REALM, REALM, strlen(REALM)));
    IGNORE_RC(rtg_stun_builder_add(&b, RTG_STUN_ATTR_NONCE, NONCE, strlen(NONCE)));
  } else {
    if (m->method == RTG_STUN_ALLOCATE) {
      IGNORE_RC(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_RELAYED_ADDRESS, &t->relayed));
      IGNORE_RC(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, mapped));
    }
    if (m->method == RTG_STUN_ALLOCATE || m->method == RTG_STUN_REFRESH)
      IGNORE_RC(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_LIFETIME, 600));
    IGNORE_RC(rtg_stun_builder_add_integrity(&b, &t->cred));
  }
  IGNORE_RC(rtg_stun_builder_add_fingerprint(&b));
  n = rtg_stun_builder_finish(&b);
  assert_true(n > 0);
  sim_enqueue(t->s, -1, &t->addr, to, buf, (size_t)n);
}

static bool permitted(const struct fake_turn *t, const struct rtg_stun_addr *a) {
  for (size_t i = 0; i < t->nperm; i++)
    if (memcmp(t->perm[i].addr, a->addr, 16) == 0) return true;
  return false;
}

static void turn_request(struct fake_turn *t, const struct rtg_stun_msg *m,
                         const struct rtg_stun_addr *src) {
  struct rtg_stun_attr at;
  struct rtg_stun_addr peer;
  if (m->mi_off == 0 || rtg_stun_msg_validate(m, &t->cred, RTG_STUN_REQUIRE_INTEGRITY, NULL)) {
    t->refused++;
    turn_reply(t, m, src, 401, NULL);
    return;
  }
  if (m->method == RTG_STUN_ALLOCATE) {
    t->allocs++;
    t->client = *src;
  }
  if (m->method == RTG_STUN_CREATE_PERMISSION &&
      rtg_stun_msg_find(m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &at) == 0 &&
      rtg_stun_attr_addr(m, &at, &peer, NULL) == 0 && t->nperm < 16 && !permitted(t, &peer))
    t->perm[t->nperm++] = peer;
  turn_reply(t, m, src, 0, src);
}

static void turn_from_client(struct fake_turn *t, const struct rtg_stun_addr *src, const uint8_t *d,
                             size_t len) {
  struct rtg_stun_msg m;
  struct rtg_stun_attr pa, da;
  struct rtg_stun_addr peer;
  assert_int_equal(rtg_stun_msg_parse(&m, d, len, NULL), 0);
  if (m.cls == RTG_STUN_REQUEST) {
    turn_request(t, &m, src);
    return;
  }
  assert_int_equal(m.method, RTG_STUN_SEND);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &pa), 0);
  assert_int_equal(rtg_stun_attr_addr(&m, &pa, &peer, NULL), 0);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_DATA, &da), 0);
  if (!permitted(t, &peer)) return;
  t->sends++;
  sim_enqueue(t->s, -1, &t->relayed, &peer, da.value, da.len);
}

static void fake_turn_fn(void *ud, rtg_time now, const struct rtg_stun_addr *src,
                         const struct rtg_stun_addr *dst, const uint8_t *d, size_t len) {
  struct fake_turn *t = ud;
  struct rtg_stun_builder b;
  uint8_t buf[RTG_PEER_MAX_DATAGRAM + 64];
  ptrdiff_t n;
  uint8_t tid[RTG_STUN_TID_LEN] = {7};
  (void)now;
  if (dst->port == t->addr.port) {
    turn_from_client(t, src, d, len);
    return;
  }
  /* to the relayed address: a Data indication to the client (RFC 8656 §11.4) */
  if (!permitted(t, src)) return;
  t->datas++;
  assert_int_equal(
      rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_INDICATION, RTG_STUN_DATA, tid), 0);
  IGNORE_RC(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, src));
  IGNORE_RC(rtg_stun_builder_add(&b, RTG_STUN_ATTR_DATA, d, len));
  n = rtg_stun_builder_finish(&b);
  assert_true(n > 0);
  sim_enqueue(t->s, -1, &t->addr, &t->client, buf, (size_t)n);
}

static bool cond_gathered(struct sim *s, void *ud) {
  (void)ud;
  return s->obs[0].gathered;
}

static void test_peer_turn_relay_only(void **state) {
  struct sim s;
  struct fake_turn t;
  struct rtg_peer_config ca, cb;
  struct rtg_peer_turn turn;
  struct rtg_peer_stats st;
  struct rtg_dc_channel_opts o;
  uint16_t sid;
  (void)state;
  memset(&t, 0, sizeof t);
  t.addr = sim_v4(10, 0, 0, 9, 3478);
  t.relayed = sim_v4(10, 0, 0, 9, 49152);
  assert_int_equal(rtg_stun_cred_init_long(&t.cred, RTG_STUN_PWALG_MD5, "user", 4, REALM,
                                           strlen(REALM), "secret", 6),
                   0);
  sim_config(&ca);
  sim_config(&cb);
  cb.echo = RTG_PEER_ECHO_ALL;
  memset(&turn, 0, sizeof turn);
  turn.server = t.addr;
  turn.local = sim_v4(10, 0, 0, 1, 40000);
  turn.username = "user";
  turn.password = "secret";
  ca.turn = &turn;
  ca.relay_only = true;
  sim_init(&s, 26, &ca, &cb);
  t.s = &s;
  s.ext_addr = t.addr;
  s.ext_fn = fake_turn_fn;
  s.ext_ud = &t;
  sim_add_hosts(&s);
  assert_true(sim_run_until(&s, cond_gathered, NULL, RTG_SEC(5)));
  sim_offer_answer(&s);
  /* only the relay candidate is offered */
  assert_non_null(strstr(sim_offer, "typ relay"));
  assert_null(strstr(sim_offer, "typ host"));
  assert_true(sim_run_until(&s, sim_cond_connected, &s, RTG_SEC(10)));
  rtg_peer_stats(s.p[0], &st);
  assert_int_equal(st.local.type, RTG_ICE_CAND_RELAY);
  assert_true(sim_addr_eq(&st.local.addr, &t.relayed));
  memset(&o, 0, sizeof o);
  o.label = "relayed";
  assert_int_equal(rtg_peer_dc_open(s.p[0], s.now, &o, &sid), 0);
  assert_int_equal(rtg_peer_dc_send(s.p[0], s.now, sid, true, "through the relay", 17), 0);
  sim_run_for(&s, RTG_MS(500));
  assert_int_equal(s.obs[0].msgs, 1);
  assert_memory_equal(s.obs[0].last, "through the relay", 17);
  assert_int_equal(t.allocs, 1);
  assert_true(t.refused >= 1); /* the first, unauthenticated Allocate */
  assert_true(t.sends > 0 && t.datas > 0);
  rtg_stun_cred_free(&t.cred);
  sim_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_peer_media_echo_audio),
      cmocka_unit_test(test_peer_media_nack_recovers),
      cmocka_unit_test(test_peer_media_pli_forwarded),
      cmocka_unit_test(test_peer_media_loss_reported),
      cmocka_unit_test(test_peer_media_echo_first_ssrc_only),
      cmocka_unit_test(test_peer_media_bad_input),
      cmocka_unit_test(test_peer_stun_flood_rate_limited),
      cmocka_unit_test(test_peer_turn_relay_only),
  };
  return cmocka_run_group_tests_name("peer_media", tests, NULL, NULL);
}
