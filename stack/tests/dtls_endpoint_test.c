/*
 * dtls_endpoint_test.c - the sans-IO DTLS 1.2 endpoint back to back through
 * a simulated network (loss, reordering; time advanced only through
 * poll_timeout/handle_timeout), both roles: handshake, use_srtp and the
 * exporter split, application data, close_notify, retransmission timing,
 * the SDP fingerprint check (MitM defence) with every hash, and the key log
 * writer feeding the session decryptor over the recorded traffic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rtg/dtls.h"

#define MAXPKT 64

struct pkt {
  int to; /* 0 = client, 1 = server */
  size_t len;
  uint8_t d[1500];
};

struct sim {
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_dtls_cert *cert[2];
  struct rtg_dtls_endpoint *ep[2];
  rtg_time now;
  unsigned drop_percent;
  bool reorder;
  bool connected[2], failed[2], mismatch[2], closed[2];
  uint16_t profile[2];
  char data[2][256];
  size_t data_len[2];
  /* everything that crossed the wire (both directions), for the decryptor */
  struct pkt *log;
  size_t log_n, log_cap;
  char keylog[4096];
  size_t keylog_len;
  size_t dropped;
  rtg_time rto;  /* initial_rto for new endpoints; 0 = default 1 s */
  size_t mtu;    /* for new endpoints; 0 = 1200 */
  bool unseeded; /* OpenSSL's own randomness instead of the context's */
};

static void keylog_line(void *ud, const char *line) {
  struct sim *s = ud;
  size_t n = strlen(line);
  assert_true(s->keylog_len + n + 1 < sizeof s->keylog);
  memcpy(s->keylog + s->keylog_len, line, n);
  s->keylog[s->keylog_len + n] = '\n';
  s->keylog_len += n + 1;
}

static void sim_init_ex(struct sim *s, uint64_t seed, bool unseeded) {
  memset(s, 0, sizeof *s);
  s->unseeded = unseeded;
  rtg_ctx_deterministic(&s->ctx, &s->prng, seed, &s->now);
  s->now = RTG_SEC(100);
  if (unseeded) {
    assert_int_equal(rtg_dtls_cert_generate(&s->ctx, &s->cert[0]), 0);
    assert_int_equal(rtg_dtls_cert_generate(&s->ctx, &s->cert[1]), 0);
  } else {
    assert_int_equal(rtg_dtls_cert_generate_seeded(&s->ctx, &s->cert[0]), 0);
    assert_int_equal(rtg_dtls_cert_generate_seeded(&s->ctx, &s->cert[1]), 0);
  }
  s->log_cap = 512;
  s->log = calloc(s->log_cap, sizeof *s->log);
  assert_non_null(s->log);
}

/* Everything random comes from the deterministic context. */
static void sim_init(struct sim *s, uint64_t seed) { sim_init_ex(s, seed, false); }

/* Role |i| (0 client, 1 server) trusting |peer_cert| under |alg|. */
static void sim_endpoint(struct sim *s, int i, const struct rtg_dtls_cert *peer_cert,
                         enum rtg_hash_alg alg) {
  static const uint16_t profiles[] = {RTG_DTLS_SRTP_AEAD_AES_128_GCM,
                                      RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80};
  struct rtg_dtls_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.role = i == 0 ? RTG_DTLS_ROLE_CLIENT : RTG_DTLS_ROLE_SERVER;
  cfg.cert = s->cert[i];
  cfg.peer_fp_alg = alg;
  assert_int_equal(rtg_dtls_cert_fingerprint(peer_cert, alg, cfg.peer_fp), 0);
  cfg.srtp_profiles = profiles;
  cfg.n_srtp_profiles = 2;
  cfg.mtu = s->mtu ? s->mtu : 1200;
  cfg.initial_rto = s->rto;
  cfg.seeded_rng = !s->unseeded;
  if (i == 0) {
    cfg.keylog = keylog_line;
    cfg.keylog_ud = s;
  }
  assert_int_equal(rtg_dtls_endpoint_new(&s->ctx, &cfg, s->now, &s->ep[i]), 0);
}

static void sim_free(struct sim *s) {
  for (int i = 0; i < 2; i++) {
    rtg_dtls_endpoint_free(s->ep[i]);
    rtg_dtls_cert_free(s->cert[i]);
  }
  free(s->log);
}

static void drain_events(struct sim *s, int i) {
  struct rtg_dtls_event ev;
  while (rtg_dtls_endpoint_poll_event(s->ep[i], &ev) == 0) {
    switch (ev.type) {
      case RTG_DTLS_EV_CONNECTED:
        s->connected[i] = true;
        s->profile[i] = ev.srtp_profile;
        break;
      case RTG_DTLS_EV_DATA:
        assert_true(ev.len < sizeof s->data[i]);
        memcpy(s->data[i], ev.data, ev.len);
        s->data_len[i] = ev.len;
        break;
      case RTG_DTLS_EV_FINGERPRINT_MISMATCH:
        assert_non_null(ev.reason);
        s->mismatch[i] = true;
        break;
      case RTG_DTLS_EV_FAILED: s->failed[i] = true; break;
      case RTG_DTLS_EV_CLOSED: s->closed[i] = true; break;
      default: fail_msg("unknown event"); break;
    }
  }
}

/* One round: collect what both sides send, lose / reorder some of it,
 * deliver the rest. Returns the number of datagrams delivered. */
static size_t sim_round(struct sim *s) {
  static struct pkt wire[MAXPKT];
  size_t n = 0, delivered = 0;
  for (int i = 0; i < 2; i++) {
    size_t len;
    while (n < MAXPKT &&
           rtg_dtls_endpoint_poll_transmit(s->ep[i], wire[n].d, sizeof wire[n].d, &len) == 0) {
      wire[n].to = 1 - i;
      wire[n].len = len;
      if (s->log_n < s->log_cap) s->log[s->log_n++] = wire[n];
      if (s->drop_percent && rtg_prng_next(&s->prng) % 100 < s->drop_percent) {
        s->dropped++;
        continue;
      }
      n++;
    }
  }
  if (s->reorder && n >= 2) {
    struct pkt tmp = wire[0];
    wire[0] = wire[n - 1];
    wire[n - 1] = tmp;
  }
  for (size_t k = 0; k < n; k++) {
    int to = wire[k].to;
    if (rtg_dtls_endpoint_handle_datagram(s->ep[to], s->now, wire[k].d, wire[k].len) == 0)
      delivered++;
    drain_events(s, to);
  }
  drain_events(s, 0);
  drain_events(s, 1);
  return delivered;
}

/* Runs until both sides are done (connected or failed) or |limit| rounds;
 * when nothing is on the wire, time jumps to the earliest timer. */
static void sim_run(struct sim *s, int limit) {
  for (int r = 0; r < limit; r++) {
    if ((s->connected[0] || s->failed[0]) && (s->connected[1] || s->failed[1])) return;
    if (sim_round(s) == 0) {
      rtg_time t0 = rtg_dtls_endpoint_poll_timeout(s->ep[0]);
      rtg_time t1 = rtg_dtls_endpoint_poll_timeout(s->ep[1]);
      rtg_time t = t0 < t1 ? t0 : t1;
      if (t == RTG_TIME_NEVER) return;
      assert_true(t >= s->now);
      s->now = t;
      for (int i = 0; i < 2; i++)
        if (!s->failed[i]) assert_int_equal(rtg_dtls_endpoint_handle_timeout(s->ep[i], s->now), 0);
    }
  }
}

static void expect_connected_with_keys(struct sim *s) {
  struct rtg_dtls_srtp_keys k0, k1;
  assert_true(s->connected[0] && s->connected[1]);
  assert_false(s->failed[0] || s->failed[1]);
  assert_int_equal(s->profile[0], RTG_DTLS_SRTP_AEAD_AES_128_GCM);
  assert_int_equal(s->profile[1], RTG_DTLS_SRTP_AEAD_AES_128_GCM);
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(s->ep[0], &k0), 0);
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(s->ep[1], &k1), 0);
  assert_int_equal(k0.key_len, 16);
  assert_int_equal(k0.salt_len, 12);
  assert_memory_equal(&k0, &k1, sizeof k0);
  assert_memory_not_equal(k0.client_key, k0.server_key, 16);
}

/* Client (0) and server (1), each expecting the other's certificate. */
static void sim_pair(struct sim *s) {
  sim_endpoint(s, 0, s->cert[1], RTG_HASH_SHA256);
  sim_endpoint(s, 1, s->cert[0], RTG_HASH_SHA256);
}

/* sim_pair, and the handshake to its end: both connected, same SRTP keys. */
static void sim_handshake(struct sim *s) {
  sim_pair(s);
  sim_run(s, 400);
  expect_connected_with_keys(s);
}

static void exchange_data_and_close(struct sim *s) {
  assert_int_equal(rtg_dtls_endpoint_send(s->ep[0], (const uint8_t *)"ping from client", 16), 0);
  assert_int_equal(rtg_dtls_endpoint_send(s->ep[1], (const uint8_t *)"pong from server", 16), 0);
  s->drop_percent = 0;
  s->reorder = false;
  sim_round(s);
  assert_int_equal(s->data_len[1], 16);
  assert_memory_equal(s->data[1], "ping from client", 16);
  assert_int_equal(s->data_len[0], 16);
  assert_memory_equal(s->data[0], "pong from server", 16);
  assert_int_equal(rtg_dtls_endpoint_close(s->ep[0]), 0);
  sim_round(s);
  assert_true(s->closed[1]);
  assert_int_equal(rtg_dtls_endpoint_send(s->ep[0], (const uint8_t *)"x", 1), RTG_ERR_STATE);
}

static void test_dtls_endpoint_handshake_back_to_back(void **state) {
  struct sim s;
  struct rtg_dtls_endpoint_stats st;
  (void)state;
  sim_init(&s, 1);
  sim_pair(&s);
  /* the client's first flight is ready and its timer runs from now */
  assert_true(rtg_dtls_endpoint_poll_timeout(s.ep[0]) <= s.now + RTG_SEC(1));
  assert_true(rtg_dtls_endpoint_poll_timeout(s.ep[0]) > s.now + RTG_MS(900));
  assert_true(rtg_dtls_endpoint_poll_timeout(s.ep[1]) == RTG_TIME_NEVER);
  sim_run(&s, 50);
  expect_connected_with_keys(&s);
  rtg_dtls_endpoint_stats(s.ep[0], &st);
  assert_true(st.timeouts == 0 && st.retransmit_datagrams == 0);
  assert_true(s.now == RTG_SEC(100)); /* no time needed without loss */
  exchange_data_and_close(&s);
  sim_free(&s);
}

/* With 30% loss and reordering the handshake still completes; time moves
 * only through the endpoints' timers, which back off 1 s, 2 s, 4 s... */
static void test_dtls_endpoint_handshake_loss_reorder(void **state) {
  uint64_t timeouts = 0, dropped = 0;
  (void)state;
  for (uint64_t seed = 1; seed <= 6; seed++) {
    struct sim s;
    struct rtg_dtls_endpoint_stats st0, st1;
    sim_init(&s, seed);
    s.rto = 0; /* the default 1 s: simulated, so the test never waits */
    s.drop_percent = 30;
    s.reorder = true;
    sim_handshake(&s);
    rtg_dtls_endpoint_stats(s.ep[0], &st0);
    rtg_dtls_endpoint_stats(s.ep[1], &st1);
    timeouts += st0.timeouts + st1.timeouts;
    dropped += s.dropped;
    exchange_data_and_close(&s);
    sim_free(&s);
  }
  /* losses happened and were repaired by timer-driven retransmissions */
  assert_true(dropped > 0 && timeouts > 0);
}

/* The ClientHello is lost twice: the client retransmits it when
 * handle_timeout is called at poll_timeout's deadline, 20 ms then 40 ms
 * later (doubling), never before. */
static void test_dtls_endpoint_retransmit_timer_doubles(void **state) {
  struct sim s;
  uint8_t buf[1500];
  size_t len;
  struct rtg_dtls_endpoint_stats st;
  rtg_time t0, d1, d2;
  (void)state;
  sim_init(&s, 7);
  s.rto = RTG_MS(20);
  sim_endpoint(&s, 0, s.cert[1], RTG_HASH_SHA256);
  t0 = s.now;
  assert_int_equal(rtg_dtls_endpoint_poll_transmit(s.ep[0], buf, sizeof buf, &len), 0);
  assert_int_equal(rtg_dtls_endpoint_poll_transmit(s.ep[0], buf, sizeof buf, &len), RTG_ERR_AGAIN);
  d1 = rtg_dtls_endpoint_poll_timeout(s.ep[0]);
  assert_true(d1 == t0 + RTG_MS(20)); /* the caller's clock only: no drift */
  /* early: nothing happens, even when more than the RTO of real time has
   * passed (OpenSSL's timer runs on the caller's clock, clock.c) */
  {
    struct timespec ts = {0, 30 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  assert_int_equal(rtg_dtls_endpoint_handle_timeout(s.ep[0], d1 - RTG_MS(1)), 0);
  assert_int_equal(rtg_dtls_endpoint_poll_transmit(s.ep[0], buf, sizeof buf, &len), RTG_ERR_AGAIN);
  assert_int_equal(rtg_dtls_endpoint_handle_timeout(s.ep[0], d1), 0);
  assert_int_equal(rtg_dtls_endpoint_poll_transmit(s.ep[0], buf, sizeof buf, &len), 0);
  assert_true(buf[0] == RTG_DTLS_CT_HANDSHAKE && buf[13] == RTG_DTLS_HS_CLIENT_HELLO);
  d2 = rtg_dtls_endpoint_poll_timeout(s.ep[0]);
  assert_true(d2 == d1 + RTG_MS(40));
  assert_int_equal(rtg_dtls_endpoint_handle_timeout(s.ep[0], d2), 0);
  assert_int_equal(rtg_dtls_endpoint_poll_transmit(s.ep[0], buf, sizeof buf, &len), 0);
  rtg_dtls_endpoint_stats(s.ep[0], &st);
  assert_true(st.timeouts == 2 && st.retransmit_datagrams == 2);
  /* the server answers the second retransmission; the handshake completes */
  s.now = d2;
  sim_endpoint(&s, 1, s.cert[0], RTG_HASH_SHA256);
  assert_int_equal(rtg_dtls_endpoint_handle_datagram(s.ep[1], s.now, buf, len), 0);
  sim_run(&s, 50);
  expect_connected_with_keys(&s);
  sim_free(&s);
}

/* The MitM defence: a certificate that does not hash to the SDP
 * a=fingerprint fails the handshake with a clear event, on either side. */
static void test_dtls_endpoint_fingerprint_mismatch(void **state) {
  (void)state;
  for (int victim = 0; victim < 2; victim++) {
    struct sim s;
    struct rtg_dtls_cert *mallory;
    sim_init(&s, 11);
    assert_int_equal(rtg_dtls_cert_generate(&s.ctx, &mallory), 0);
    /* the victim expects mallory's certificate, not its real peer's */
    sim_endpoint(&s, 0, victim == 0 ? mallory : s.cert[1], RTG_HASH_SHA256);
    sim_endpoint(&s, 1, victim == 1 ? mallory : s.cert[0], RTG_HASH_SHA256);
    sim_run(&s, 50);
    assert_true(s.mismatch[victim]);
    assert_true(s.failed[victim]);
    assert_false(s.connected[victim]);
    assert_false(s.mismatch[1 - victim]);
    assert_false(s.connected[0] && s.connected[1]);
    assert_int_equal(rtg_dtls_endpoint_srtp_keys(s.ep[victim], &(struct rtg_dtls_srtp_keys){0}),
                     RTG_ERR_STATE);
    rtg_dtls_cert_free(mallory);
    sim_free(&s);
  }
}

/* Every SDP fingerprint hash (RFC 8122 §5: sha-1 ... sha-512) works. */
static void test_dtls_endpoint_fingerprint_algorithms(void **state) {
  static const enum rtg_hash_alg algs[] = {RTG_HASH_SHA1, RTG_HASH_SHA224, RTG_HASH_SHA256,
                                           RTG_HASH_SHA384, RTG_HASH_SHA512};
  (void)state;
  for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
    struct sim s;
    sim_init_ex(&s, 20 + a, true); /* the production path: OpenSSL's DRBG */
    sim_endpoint(&s, 0, s.cert[1], algs[a]);
    sim_endpoint(&s, 1, s.cert[0], algs[a]);
    sim_run(&s, 50);
    expect_connected_with_keys(&s);
    sim_free(&s);
  }
}

/* The client's key log + the datagrams on the wire are enough for the
 * session decryptor: it reads the application data and derives the same
 * SRTP keys as the endpoints (ties the endpoint to the replay path). */
static void test_dtls_endpoint_keylog_decrypts_own_traffic(void **state) {
  struct sim s;
  struct rtg_dtls_keylog *kl = calloc(1, sizeof *kl);
  struct rtg_dtls_decryptor *d = calloc(1, sizeof *d);
  struct rtg_dtls_srtp_keys mine, theirs;
  bool saw_ping = false, saw_pong = false;
  (void)state;
  sim_init(&s, 31);
  s.rto = RTG_MS(10);
  s.drop_percent = 20;
  s.reorder = true;
  sim_handshake(&s);
  exchange_data_and_close(&s);
  assert_true(s.keylog_len > 0);
  assert_memory_equal(s.keylog, "CLIENT_RANDOM ", 14);
  assert_int_equal(rtg_dtls_keylog_parse(kl, s.keylog, s.keylog_len, NULL), 0);
  rtg_dtls_decryptor_init(d, kl, &s.ctx);
  for (size_t i = 0; i < s.log_n; i++) {
    struct rtg_dtls_record recs[16];
    size_t n;
    assert_int_equal(rtg_dtls_datagram_parse(s.log[i].d, s.log[i].len, 0, recs, 16, &n, NULL), 0);
    for (size_t r = 0; r < n; r++) {
      uint8_t out[2048], type;
      ptrdiff_t got =
          rtg_dtls_decryptor_record(d, s.log[i].to == 1, &recs[r], out, sizeof out, &type, NULL);
      assert_true(got >= 0);
      if (type == RTG_DTLS_CT_APPDATA && got == 16 && !memcmp(out, "ping from client", 16))
        saw_ping = true;
      if (type == RTG_DTLS_CT_APPDATA && got == 16 && !memcmp(out, "pong from server", 16))
        saw_pong = true;
    }
  }
  assert_true(saw_ping && saw_pong);
  assert_int_equal(rtg_dtls_decryptor_srtp_keys(d, &theirs), 0);
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(s.ep[0], &mine), 0);
  assert_memory_equal(&mine, &theirs, sizeof mine);
  rtg_dtls_decryptor_free(d);
  free(d);
  free(kl);
  sim_free(&s);
}

static void test_dtls_endpoint_new_invalid_config(void **state) {
  struct sim s;
  struct rtg_dtls_config cfg;
  struct rtg_dtls_endpoint *ep;
  static const uint16_t bad_profile = 0x0003;
  (void)state;
  sim_init(&s, 41);
  memset(&cfg, 0, sizeof cfg);
  cfg.role = RTG_DTLS_ROLE_CLIENT;
  cfg.cert = s.cert[0];
  cfg.peer_fp_alg = RTG_HASH_MD5;
  assert_int_equal(rtg_dtls_endpoint_new(&s.ctx, &cfg, 0, &ep), RTG_ERR_INVAL);
  cfg.peer_fp_alg = RTG_HASH_SHA256;
  cfg.srtp_profiles = &bad_profile;
  cfg.n_srtp_profiles = 1;
  assert_int_equal(rtg_dtls_endpoint_new(&s.ctx, &cfg, 0, &ep), RTG_ERR_INVAL);
  cfg.n_srtp_profiles = 0;
  cfg.cert = NULL;
  assert_int_equal(rtg_dtls_endpoint_new(&s.ctx, &cfg, 0, &ep), RTG_ERR_INVAL);
  sim_free(&s);
}

/* Every epoch-0 handshake message the endpoints sent, reassembled per
 * direction, parses with the codec (handshakes recorded from our own
 * endpoint). Returns the number of messages. */
static size_t parse_own_handshake(const struct sim *s, size_t max_datagram) {
  struct rtg_dtls_reasm r[2];
  size_t msgs = 0;
  rtg_dtls_reasm_init(&r[0], &s->ctx, 0);
  rtg_dtls_reasm_init(&r[1], &s->ctx, 0);
  for (size_t i = 0; i < s->log_n; i++) {
    struct rtg_dtls_record recs[16];
    size_t n;
    int dir = s->log[i].to; /* 1: sent by the client */
    assert_true(s->log[i].len <= max_datagram);
    assert_int_equal(rtg_dtls_datagram_parse(s->log[i].d, s->log[i].len, 0, recs, 16, &n, NULL), 0);
    for (size_t k = 0; k < n; k++) {
      struct rtg_rd rd = {recs[k].payload.p, recs[k].payload.p + recs[k].payload.len, s->log[i].d};
      if (recs[k].epoch != 0 || recs[k].type != RTG_DTLS_CT_HANDSHAKE) continue;
      while (!rtg_rd_empty(&rd)) {
        struct rtg_dtls_hs_frag f;
        struct rtg_dtls_hs_raw m;
        int rc;
        assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), 0);
        rc = rtg_dtls_reasm_add(&r[dir], &f, NULL);
        assert_true(rc == 0 || rc == RTG_ERR_REPLAY);
        while (rtg_dtls_reasm_next(&r[dir], &m) == 0) {
          struct rtg_rd body = {m.body.p, m.body.p + m.body.len, m.body.p};
          static struct rtg_dtls_hs_msg msg;
          assert_int_equal(rtg_dtls_hs_body_parse(m.msg_type, &body, false, &msg, NULL), 0);
          if (m.msg_type == RTG_DTLS_HS_CLIENT_HELLO)
            assert_int_equal(rtg_dtls_exts_validate(&msg.u.ch.exts, m.msg_type, false, NULL), 0);
          msgs++;
        }
      }
    }
  }
  rtg_dtls_reasm_free(&r[0]);
  rtg_dtls_reasm_free(&r[1]);
  return msgs;
}

/* A small MTU: every datagram fits it, handshake messages are fragmented
 * (RFC 6347 §4.2.3) and still reassemble and parse; the handshake completes
 * with loss. */
static void test_dtls_endpoint_small_mtu_fragments(void **state) {
  struct sim s;
  size_t msgs;
  (void)state;
  sim_init(&s, 51);
  s.mtu = 256;
  s.rto = RTG_MS(10);
  s.drop_percent = 10;
  sim_handshake(&s);
  msgs = parse_own_handshake(&s, 256);
  /* CH, SH, Certificate, SKE, CertificateRequest, SHD, Certificate, CKE,
   * CertificateVerify from the two sides */
  assert_true(msgs >= 9);
  sim_free(&s);
}

static void test_dtls_endpoint_own_handshake_parses(void **state) {
  struct sim s;
  (void)state;
  sim_init(&s, 52);
  sim_endpoint(&s, 0, s.cert[1], RTG_HASH_SHA384);
  sim_endpoint(&s, 1, s.cert[0], RTG_HASH_SHA384);
  sim_run(&s, 50);
  expect_connected_with_keys(&s);
  assert_true(parse_own_handshake(&s, 1200) >= 9);
  sim_free(&s);
}

/* With the context's randomness, a run repeats byte for byte: the same
 * datagrams in both directions, the same key log, the same SRTP keys. */
static void test_dtls_endpoint_deterministic_with_seed(void **state) {
  struct sim a, b;
  struct rtg_dtls_srtp_keys ka, kb;
  (void)state;
  sim_init(&a, 77);
  sim_init(&b, 77);
  for (int i = 0; i < 2; i++) {
    sim_endpoint(&a, i, a.cert[1 - i], RTG_HASH_SHA256);
    sim_endpoint(&b, i, b.cert[1 - i], RTG_HASH_SHA256);
  }
  sim_run(&a, 50);
  sim_run(&b, 50);
  expect_connected_with_keys(&a);
  expect_connected_with_keys(&b);
  assert_int_equal(a.log_n, b.log_n);
  for (size_t i = 0; i < a.log_n; i++) {
    assert_int_equal(a.log[i].len, b.log[i].len);
    assert_memory_equal(a.log[i].d, b.log[i].d, a.log[i].len);
  }
  assert_int_equal(a.keylog_len, b.keylog_len);
  assert_memory_equal(a.keylog, b.keylog, a.keylog_len);
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(a.ep[0], &ka), 0);
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(b.ep[0], &kb), 0);
  assert_memory_equal(&ka, &kb, sizeof ka);
  sim_free(&a);
  sim_free(&b);
  /* another seed, other bytes */
  sim_init(&a, 78);
  for (int i = 0; i < 2; i++) sim_endpoint(&a, i, a.cert[1 - i], RTG_HASH_SHA256);
  sim_run(&a, 50);
  expect_connected_with_keys(&a);
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(a.ep[0], &kb), 0);
  assert_memory_not_equal(&ka, &kb, sizeof ka);
  sim_free(&a);
  /* reseeding a certificate restarts its stream: the same run again */
  {
    struct rtg_dtls_cert *c;
    struct rtg_ctx c1;
    struct rtg_prng p1;
    rtg_ctx_deterministic(&c1, &p1, 5, NULL);
    assert_int_equal(rtg_dtls_cert_generate(&c1, &c), 0);
    assert_int_equal(rtg_dtls_cert_reseed(c, &c1), RTG_ERR_STATE);
    rtg_dtls_cert_free(c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dtls_endpoint_handshake_back_to_back),
      cmocka_unit_test(test_dtls_endpoint_handshake_loss_reorder),
      cmocka_unit_test(test_dtls_endpoint_retransmit_timer_doubles),
      cmocka_unit_test(test_dtls_endpoint_fingerprint_mismatch),
      cmocka_unit_test(test_dtls_endpoint_fingerprint_algorithms),
      cmocka_unit_test(test_dtls_endpoint_keylog_decrypts_own_traffic),
      cmocka_unit_test(test_dtls_endpoint_new_invalid_config),
      cmocka_unit_test(test_dtls_endpoint_small_mtu_fragments),
      cmocka_unit_test(test_dtls_endpoint_own_handshake_parses),
      cmocka_unit_test(test_dtls_endpoint_deterministic_with_seed),
  };
  return cmocka_run_group_tests_name("dtls_endpoint", tests, NULL, NULL);
}
