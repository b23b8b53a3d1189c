/*
 * sctp_assoc_test.c - two rtcgate associations back to back through a
 * simulated network (loss, loss bursts, reordering, delay) with injected
 * time and deterministic randomness: handshake (one side, simultaneous),
 * large ordered messages, unordered + unreliable messages, lifetimes,
 * stream reset, shutdown, abort, timers and cookie checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/sctp.h"

#define MAXPKT 1500

struct net_pkt {
  rtg_time at;
  int to;
  size_t len;
  uint8_t buf[MAXPKT];
};

struct sim {
  struct rtg_sctp_assoc *ep[2];
  struct rtg_ctx ctx[2];
  struct rtg_prng prng[2], net;
  rtg_time now;
  struct net_pkt *q;
  size_t nq, capq;
  unsigned loss_pct, burst_permille, burst_len, burst_left;
  rtg_time delay, jitter;
  bool block[2]; /* drop everything sent by endpoint i */
  /* what each endpoint saw */
  int connected[2], closed[2], aborted[2], reset_in[2], reset_done[2], low[2], restarted[2];
  int abort_error[2];
  uint16_t reset_sid[2];
  uint32_t next_index[2][8]; /* next expected ordered message per stream */
  size_t delivered[2], delivered_bytes[2];
  bool seen[2][4096];
  uint32_t order[2][16]; /* the first message indexes, in delivery order */
  int bad[2];
  uint64_t pkts[2];
  rtg_time sent_at[2][64]; /* when each endpoint sent its first packets */
};

static void sim_init(struct sim *s, const struct rtg_sctp_config *c0,
                     const struct rtg_sctp_config *c1, uint64_t seed) {
  memset(s, 0, sizeof *s);
  s->now = RTG_SEC(1000);
  rtg_prng_seed(&s->net, seed);
  rtg_ctx_deterministic(&s->ctx[0], &s->prng[0], seed * 3 + 1, &s->now);
  rtg_ctx_deterministic(&s->ctx[1], &s->prng[1], seed * 3 + 2, &s->now);
  assert_int_equal(rtg_sctp_assoc_new(&s->ctx[0], c0, &s->ep[0]), 0);
  assert_int_equal(rtg_sctp_assoc_new(&s->ctx[1], c1, &s->ep[1]), 0);
  s->delay = RTG_MS(20);
}

static void sim_free(struct sim *s) {
  rtg_sctp_assoc_free(s->ep[0]);
  rtg_sctp_assoc_free(s->ep[1]);
  free(s->q);
}

static uint32_t rnd(struct sim *s, uint32_t n) { return (uint32_t)(rtg_prng_next(&s->net) % n); }

static void net_send(struct sim *s, int from, const uint8_t *buf, size_t len) {
  struct net_pkt *p;
  if (s->pkts[from] < 64) s->sent_at[from][s->pkts[from]] = s->now;
  s->pkts[from]++;
  if (s->block[from]) return;
  if (s->burst_left) {
    s->burst_left--;
    return;
  }
  if (s->burst_permille && rnd(s, 1000) < s->burst_permille) {
    s->burst_left = s->burst_len;
    return;
  }
  if (s->loss_pct && rnd(s, 100) < s->loss_pct) return;
  if (s->nq == s->capq) {
    s->capq = s->capq ? 2 * s->capq : 256;
    s->q = realloc(s->q, s->capq * sizeof *s->q);
    assert_non_null(s->q);
  }
  p = &s->q[s->nq++];
  p->at = s->now + s->delay + (s->jitter ? (rtg_time)rnd(s, (uint32_t)s->jitter) : 0);
  p->to = 1 - from;
  assert_true(len <= MAXPKT);
  p->len = len;
  memcpy(p->buf, buf, len);
}

/* Message payloads are self-describing: index (4), stream (2), then a
 * pattern derived from both, so the receiver checks every byte. */
static void fill_msg(uint8_t *b, size_t len, uint32_t index, uint16_t sid) {
  for (size_t i = 0; i < len; i++) b[i] = (uint8_t)(index * 7u + sid * 13u + i * 31u);
  if (len >= 6) {
    rtg_store_u32(b, index);
    rtg_store_u16(b + 4, sid);
  }
}

static bool check_msg(const uint8_t *b, size_t len, uint32_t *index) {
  uint8_t tmp[8];
  uint16_t sid;
  if (len < 6) return false;
  *index = rtg_load_u32(b);
  sid = rtg_load_u16(b + 4);
  for (size_t i = 6; i < len; i++)
    if (b[i] != (uint8_t)(*index * 7u + sid * 13u + i * 31u)) return false;
  (void)tmp;
  return true;
}

static void drain_events(struct sim *s, int i) {
  struct rtg_sctp_event ev;
  while (rtg_sctp_assoc_poll_event(s->ep[i], &ev) == 0) {
    switch (ev.type) {
      case RTG_SCTP_EV_CONNECTED: s->connected[i]++; break;
      case RTG_SCTP_EV_CLOSED: s->closed[i]++; break;
      case RTG_SCTP_EV_ABORTED:
        s->aborted[i]++;
        s->abort_error[i] = ev.error;
        break;
      case RTG_SCTP_EV_STREAM_RESET:
        s->reset_in[i]++;
        s->reset_sid[i] = ev.sid;
        break;
      case RTG_SCTP_EV_RESET_DONE: s->reset_done[i]++; break;
      case RTG_SCTP_EV_BUFFERED_LOW: s->low[i]++; break;
      case RTG_SCTP_EV_RESTARTED: s->restarted[i]++; break;
      case RTG_SCTP_EV_MESSAGE: {
        uint32_t idx;
        if (!check_msg(ev.data, ev.len, &idx) || idx >= 4096 || s->seen[i][idx]) {
          s->bad[i]++;
          break;
        }
        s->seen[i][idx] = true;
        if (s->delivered[i] < 16) s->order[i][s->delivered[i]] = idx;
        if (!ev.unordered && ev.sid < 8) {
          /* ordered streams: indexes per stream must arrive increasing */
          if (idx < s->next_index[i][ev.sid]) s->bad[i]++;
          s->next_index[i][ev.sid] = idx + 1;
        }
        s->delivered[i]++;
        s->delivered_bytes[i] += ev.len;
        break;
      }
      default: s->bad[i]++; break;
    }
  }
}

static void pump(struct sim *s) {
  for (int i = 0; i < 2; i++) {
    uint8_t buf[MAXPKT];
    size_t len;
    while (rtg_sctp_assoc_poll_transmit(s->ep[i], buf, sizeof buf, &len) == 0) {
      assert_true(len <= 1200);
      net_send(s, i, buf, len);
    }
    drain_events(s, i);
  }
}

typedef bool (*done_fn)(struct sim *s);

/* Runs the two endpoints and the network until |done| or |end|. */
static void run(struct sim *s, rtg_time end, done_fn done) {
  for (;;) {
    rtg_time next = RTG_TIME_NEVER;
    pump(s);
    if (done && done(s)) return;
    for (int i = 0; i < 2; i++) {
      rtg_time t = rtg_sctp_assoc_poll_timeout(s->ep[i]);
      if (t < next) next = t;
    }
    for (size_t k = 0; k < s->nq; k++)
      if (s->q[k].at < next) next = s->q[k].at;
    if (next >= end) {
      s->now = end;
      pump(s);
      return;
    }
    if (next > s->now) s->now = next;
    for (size_t k = 0; k < s->nq;) {
      if (s->q[k].at <= s->now) {
        struct net_pkt p = s->q[k];
        s->q[k] = s->q[--s->nq];
        assert_int_equal(rtg_sctp_assoc_handle_datagram(s->ep[p.to], s->now, p.buf, p.len), 0);
      } else {
        k++;
      }
    }
    for (int i = 0; i < 2; i++)
      if (rtg_sctp_assoc_poll_timeout(s->ep[i]) <= s->now)
        assert_int_equal(rtg_sctp_assoc_handle_timeout(s->ep[i], s->now), 0);
  }
}

static bool both_up(struct sim *s) { return s->connected[0] && s->connected[1]; }

static struct rtg_sctp_config test_cfg(void) {
  struct rtg_sctp_config c;
  rtg_sctp_config_default(&c);
  c.rto_initial = RTG_MS(200);
  c.rto_min = RTG_MS(100);
  c.rto_max = RTG_SEC(4);
  c.heartbeat_interval = RTG_TIME_NEVER;
  return c;
}

static void connect_pair(struct sim *s, bool both) {
  assert_int_equal(rtg_sctp_assoc_connect(s->ep[0], s->now), 0);
  if (both) assert_int_equal(rtg_sctp_assoc_connect(s->ep[1], s->now), 0);
  run(s, s->now + RTG_SEC(30), both_up);
  assert_int_equal(s->connected[0], 1);
  assert_int_equal(s->connected[1], 1);
  assert_int_equal(rtg_sctp_assoc_state(s->ep[0]), RTG_SCTP_ESTABLISHED);
  assert_int_equal(rtg_sctp_assoc_state(s->ep[1]), RTG_SCTP_ESTABLISHED);
  /* §8.5: each side sends with the other's tag */
  assert_int_equal(rtg_sctp_assoc_peer_vtag(s->ep[0]), rtg_sctp_assoc_local_vtag(s->ep[1]));
  assert_int_equal(rtg_sctp_assoc_peer_vtag(s->ep[1]), rtg_sctp_assoc_local_vtag(s->ep[0]));
}

static size_t total_expected;
static bool all_delivered(struct sim *s) { return s->delivered[1] >= total_expected; }

static void send_msg(struct sim *s, int from, uint16_t sid, uint32_t idx, size_t len,
                     const struct rtg_sctp_send_opts *o) {
  uint8_t *b = malloc(len);
  assert_non_null(b);
  fill_msg(b, len, idx, sid);
  assert_int_equal(rtg_sctp_assoc_send(s->ep[from], s->now, sid, RTG_SCTP_PPID_BINARY, b, len, o),
                   0);
  free(b);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_sctp_assoc_connect_one_side(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  (void)state;
  sim_init(&s, &c, &c, 1);
  connect_pair(&s, false);
  sim_free(&s);
}

/* WebRTC: both sides send INIT at once (RFC 8831 §6.2, RFC 9260 §5.2.1). */
static void test_sctp_assoc_connect_simultaneous(void **state) {
  struct rtg_sctp_config c = test_cfg();
  for (uint64_t seed = 1; seed <= 20; seed++) {
    struct sim s;
    (void)state;
    sim_init(&s, &c, &c, seed);
    s.jitter = RTG_MS(30); /* either INIT may win */
    connect_pair(&s, true);
    sim_free(&s);
  }
}

/* T1-init: a lost INIT is retransmitted with a doubled RTO; the handshake
 * survives heavy loss; with the peer gone it gives up (§5.1 A, C). */
static void test_sctp_assoc_connect_t1_retransmit(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  rtg_time t0;
  (void)state;
  sim_init(&s, &c, &c, 2);
  s.loss_pct = 50;
  connect_pair(&s, true);
  sim_free(&s);

  c.max_init_retransmits = 3;
  sim_init(&s, &c, &c, 3);
  s.block[0] = true;
  t0 = s.now;
  assert_int_equal(rtg_sctp_assoc_connect(s.ep[0], s.now), 0);
  run(&s, s.now + RTG_SEC(60), NULL);
  assert_int_equal(s.aborted[0], 1);
  assert_int_equal(s.abort_error[0], RTG_ERR_TIMEOUT);
  assert_int_equal(s.pkts[0], 4); /* INIT + 3 retransmissions */
  /* 200 + 400 + 800 + 1600 ms of backed-off RTO */
  assert_true(s.now - t0 >= RTG_MS(3000));
  sim_free(&s);
}

static void test_sctp_assoc_send_ordered_large(void **state) {
  struct rtg_sctp_config c = test_cfg();
  static const size_t sizes[] = {1, 100, 1188, 1189, 5000, 65536, 200000, 262144};
  struct sim s;
  struct rtg_sctp_stats st;
  (void)state;
  sim_init(&s, &c, &c, 4);
  connect_pair(&s, false);
  for (uint32_t i = 0; i < 8; i++) send_msg(&s, 0, 1, i, sizes[i] < 6 ? 6 : sizes[i], NULL);
  total_expected = 8;
  run(&s, s.now + RTG_SEC(60), all_delivered);
  assert_int_equal(s.delivered[1], 8);
  assert_int_equal(s.bad[1], 0);
  run(&s, s.now + RTG_SEC(1), NULL); /* the last SACK */
  assert_int_equal(rtg_sctp_assoc_buffered(s.ep[0], 1), 0);
  /* too large for max-message-size, empty, or on a stream the peer lacks */
  {
    uint8_t b[8] = {0};
    assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 1, 53, b, 262145, NULL), RTG_ERR_INVAL);
    assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 1, 53, b, 0, NULL), RTG_ERR_INVAL);
  }
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_int_equal(st.retransmits, 0);
  assert_true(st.srtt >= RTG_MS(35) && st.srtt <= RTG_MS(60)); /* 2 x 20 ms */
  sim_free(&s);
}

/* Loss, loss bursts and reordering: every message arrives once, intact and
 * in order per stream; the sender had to retransmit. */
static void test_sctp_assoc_send_lossy_reordering(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  struct rtg_sctp_stats st;
  uint32_t n = 300;
  (void)state;
  sim_init(&s, &c, &c, 5);
  connect_pair(&s, true);
  s.loss_pct = 8;
  s.burst_permille = 10;
  s.burst_len = 6;
  s.jitter = RTG_MS(15);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = 6 + (uint32_t)(rtg_prng_next(&s.net) % (i % 10 == 0 ? 70000 : 3000));
    send_msg(&s, 0, (uint16_t)(i % 4), i, len, NULL);
  }
  total_expected = n;
  run(&s, s.now + RTG_SEC(600), all_delivered);
  assert_int_equal(s.delivered[1], n);
  assert_int_equal(s.bad[1], 0);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_true(st.retransmits > 0);
  assert_true(st.fast_retransmits > 0);
  assert_true(st.t3_expiries > 0);
  rtg_sctp_assoc_stats(s.ep[1], &st);
  assert_true(st.dup_tsns_received > 0 || st.sacks_sent > 0);
  sim_free(&s);
}

/* Unordered, no retransmission (max_retransmits 0): lost messages are
 * abandoned with FORWARD-TSN; those delivered are intact and unique, and
 * reliable traffic afterwards still gets through. */
static void test_sctp_assoc_send_unordered_unreliable(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct rtg_sctp_send_opts o = {true, 0, RTG_TIME_NEVER};
  struct sim s;
  struct rtg_sctp_stats st;
  (void)state;
  sim_init(&s, &c, &c, 6);
  connect_pair(&s, false);
  s.loss_pct = 20;
  s.jitter = RTG_MS(10);
  for (uint32_t i = 0; i < 200; i++) send_msg(&s, 0, 2, i, 6 + (i * 37) % 2500, &o);
  o.unordered = false; /* ordered but unreliable on another stream */
  for (uint32_t i = 200; i < 300; i++) send_msg(&s, 0, 3, i, 6 + (i * 53) % 4000, &o);
  run(&s, s.now + RTG_SEC(30), NULL);
  assert_int_equal(s.bad[1], 0);
  assert_true(s.delivered[1] > 100 && s.delivered[1] < 300);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_true(st.forward_tsns_sent > 0);
  /* the cumulative point moved past the holes: reliable data flows */
  s.loss_pct = 0;
  total_expected = s.delivered[1] + 20;
  for (uint32_t i = 300; i < 320; i++) send_msg(&s, 0, 3, i, 3000, NULL);
  run(&s, s.now + RTG_SEC(30), all_delivered);
  for (uint32_t i = 300; i < 320; i++) assert_true(s.seen[1][i]);
  run(&s, s.now + RTG_SEC(2), NULL); /* the last SACK */
  assert_int_equal(rtg_sctp_assoc_buffered(s.ep[0], 2), 0);
  assert_int_equal(rtg_sctp_assoc_buffered(s.ep[0], 3), 0);
  sim_free(&s);
}

/* Max lifetime: messages that cannot be delivered in time are dropped. */
static void test_sctp_assoc_send_lifetime(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct rtg_sctp_send_opts o = {false, UINT32_MAX, RTG_MS(100)};
  struct sim s;
  (void)state;
  sim_init(&s, &c, &c, 7);
  connect_pair(&s, false);
  s.block[0] = true;
  for (uint32_t i = 0; i < 10; i++) send_msg(&s, 0, 1, i, 3000, &o);
  run(&s, s.now + RTG_SEC(1), NULL);
  s.block[0] = false;
  run(&s, s.now + RTG_SEC(10), NULL);
  assert_int_equal(s.delivered[1], 0);
  total_expected = 1;
  send_msg(&s, 0, 1, 10, 100, NULL);
  run(&s, s.now + RTG_SEC(10), all_delivered);
  assert_true(s.seen[1][10]);
  assert_int_equal(s.bad[1], 0);
  sim_free(&s);
}

static bool reset_seen(struct sim *s) { return s->reset_in[1] && s->reset_done[0]; }

/* RFC 8831 §6.7: closing a channel resets the outgoing stream; messages
 * queued before still arrive; the stream then restarts at SSN 0. */
static void test_sctp_assoc_reset_streams(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  uint16_t sid = 5;
  (void)state;
  sim_init(&s, &c, &c, 8);
  connect_pair(&s, true);
  for (uint32_t i = 0; i < 5; i++) send_msg(&s, 0, 5, i, 2000, NULL);
  assert_int_equal(rtg_sctp_assoc_reset_streams(s.ep[0], &sid, 1), 0);
  assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 5, 53, "x", 1, NULL), RTG_ERR_STATE);
  run(&s, s.now + RTG_SEC(10), reset_seen);
  assert_int_equal(s.delivered[1], 5);
  assert_int_equal(s.reset_in[1], 1);
  assert_int_equal(s.reset_sid[1], 5);
  assert_int_equal(s.reset_done[0], 1);
  /* reopened: new messages on stream 5 are delivered from SSN 0 */
  s.next_index[1][5] = 0;
  total_expected = 7;
  send_msg(&s, 0, 5, 5, 100, NULL);
  send_msg(&s, 0, 5, 6, 100, NULL);
  run(&s, s.now + RTG_SEC(10), all_delivered);
  assert_int_equal(s.delivered[1], 7);
  assert_int_equal(s.bad[1], 0);
  sim_free(&s);
}

static bool both_closed(struct sim *s) { return s->closed[0] && s->closed[1]; }

static void test_sctp_assoc_shutdown(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  (void)state;
  sim_init(&s, &c, &c, 9);
  connect_pair(&s, false);
  for (uint32_t i = 0; i < 20; i++) send_msg(&s, 0, 0, i, 4000, NULL);
  s.loss_pct = 10;
  assert_int_equal(rtg_sctp_assoc_shutdown(s.ep[0], s.now), 0);
  /* no new data after shutdown (§9.2) */
  assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 0, 53, "x", 1, NULL), RTG_ERR_STATE);
  run(&s, s.now + RTG_SEC(120), both_closed);
  assert_int_equal(s.delivered[1], 20); /* pending data first */
  assert_int_equal(s.closed[0], 1);
  assert_int_equal(s.closed[1], 1);
  assert_int_equal(rtg_sctp_assoc_state(s.ep[0]), RTG_SCTP_CLOSED);
  assert_int_equal(rtg_sctp_assoc_state(s.ep[1]), RTG_SCTP_CLOSED);
  sim_free(&s);
}

static void test_sctp_assoc_abort(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  (void)state;
  sim_init(&s, &c, &c, 10);
  connect_pair(&s, false);
  assert_int_equal(rtg_sctp_assoc_abort(s.ep[1], "bye"), 0);
  run(&s, s.now + RTG_SEC(1), NULL);
  assert_int_equal(s.aborted[0], 1);
  assert_int_equal(s.aborted[1], 1);
  assert_int_equal(s.abort_error[0], RTG_ERR_STATE);
  assert_int_equal(rtg_sctp_assoc_abort(s.ep[1], "again"), RTG_ERR_STATE);
  /* the same objects connect again: a fresh association, data flows */
  s.connected[0] = s.connected[1] = 0;
  connect_pair(&s, true);
  total_expected = 1;
  send_msg(&s, 0, 3, 0, 4000, NULL);
  run(&s, s.now + RTG_SEC(5), all_delivered);
  assert_int_equal(s.delivered[1], 1);
  assert_int_equal(s.bad[1], 0);
  sim_free(&s);
}

/* §8.5: a packet with the wrong verification tag is dropped silently; a
 * forged or stale cookie does not establish anything. */
static void test_sctp_assoc_handle_datagram_vtag_and_cookie(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  uint8_t buf[1500];
  size_t len;
  struct rtg_sctp_stats before, after;
  struct rtg_sctp_packet pkt;
  (void)state;
  sim_init(&s, &c, &c, 11);
  /* capture INIT -> INIT-ACK by hand */
  assert_int_equal(rtg_sctp_assoc_connect(s.ep[0], s.now), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[0], buf, sizeof buf, &len), 0);
  assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, buf, len), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[1], buf, sizeof buf, &len), 0);
  assert_int_equal(rtg_sctp_packet_parse(buf, len, 0, &pkt, NULL), 0);
  assert_int_equal(buf[12], RTG_SCTP_INIT_ACK);
  /* stateless: B kept nothing */
  assert_int_equal(rtg_sctp_assoc_state(s.ep[1]), RTG_SCTP_CLOSED);
  assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[0], s.now, buf, len), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[0], buf, sizeof buf, &len), 0);
  assert_int_equal(buf[12], RTG_SCTP_COOKIE_ECHO);
  {
    /* a flipped cookie byte (checksum fixed) fails the HMAC */
    uint8_t bad[1500];
    memcpy(bad, buf, len);
    bad[30] ^= 1;
    assert_int_equal(rtg_sctp_packet_seal(bad, len, false), 0);
    assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, bad, len), 0);
    assert_int_equal(rtg_sctp_assoc_state(s.ep[1]), RTG_SCTP_CLOSED);
    /* after its lifetime the cookie is stale: an ERROR, no association */
    assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now + RTG_SEC(61), buf, len), 0);
    assert_int_equal(rtg_sctp_assoc_state(s.ep[1]), RTG_SCTP_CLOSED);
    assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[1], bad, sizeof bad, &len), 0);
    assert_int_equal(bad[12], RTG_SCTP_ERROR);
    assert_int_equal(rtg_load_u16(bad + 16), RTG_SCTP_C_STALE_COOKIE);
  }
  run(&s, s.now + RTG_SEC(30), both_up);
  assert_true(both_up(&s));
  /* DATA with a wrong tag is ignored */
  {
    struct rtg_wr wr;
    struct rtg_sctp_hdr h = {5000, 5000, rtg_sctp_assoc_local_vtag(s.ep[1]) ^ 1, 0};
    struct rtg_sctp_data d;
    memset(&d, 0, sizeof d);
    d.tsn = 1;
    d.begin = d.end = true;
    d.payload.p = (const uint8_t *)"abcdefgh";
    d.payload.len = 8;
    rtg_wr_init(&wr, buf, sizeof buf);
    assert_int_equal(rtg_sctp_hdr_write(&wr, &h), 0);
    assert_int_equal(rtg_sctp_data_write(&wr, &d), 0);
    assert_int_equal(rtg_sctp_packet_seal(buf, rtg_wr_len(&wr), false), 0);
    rtg_sctp_assoc_stats(s.ep[1], &before);
    assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, buf, rtg_wr_len(&wr)), 0);
    rtg_sctp_assoc_stats(s.ep[1], &after);
    assert_int_equal(after.packets_dropped, before.packets_dropped + 1);
    /* and a bad checksum is reported */
    buf[20] ^= 0xff;
    assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, buf, rtg_wr_len(&wr)),
                     RTG_ERR_AUTH);
  }
  sim_free(&s);
}

/* RFC 9653: zero checksums once both ends offered them. */
static void test_sctp_assoc_zero_checksum(void **state) {
  struct rtg_sctp_config c = test_cfg(), plain = test_cfg();
  struct sim s;
  (void)state;
  c.zero_checksum = true;
  sim_init(&s, &c, &c, 12);
  connect_pair(&s, false);
  assert_true(rtg_sctp_assoc_zero_checksum(s.ep[0]));
  total_expected = 3;
  for (uint32_t i = 0; i < 3; i++) send_msg(&s, 0, 0, i, 5000, NULL);
  run(&s, s.now + RTG_SEC(10), all_delivered);
  assert_int_equal(s.delivered[1], 3);
  sim_free(&s);
  sim_init(&s, &c, &plain, 13);
  connect_pair(&s, false);
  assert_false(rtg_sctp_assoc_zero_checksum(s.ep[0]));
  sim_free(&s);
}

/* Heartbeats on an idle association measure the RTT; with the peer gone
 * the association gives up. */
static void test_sctp_assoc_heartbeat(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  struct rtg_sctp_stats st;
  (void)state;
  c.heartbeat_interval = RTG_SEC(5);
  c.max_assoc_retransmits = 3;
  sim_init(&s, &c, &c, 14);
  connect_pair(&s, false);
  rtg_sctp_assoc_stats(s.ep[1], &st);
  assert_int_equal(st.srtt, 0); /* passive side has no RTT sample yet */
  run(&s, s.now + RTG_SEC(12), NULL);
  rtg_sctp_assoc_stats(s.ep[1], &st);
  assert_true(st.srtt >= RTG_MS(35) && st.srtt <= RTG_MS(45));
  assert_int_equal(s.aborted[0] + s.aborted[1], 0);
  s.block[1] = true;
  run(&s, s.now + RTG_SEC(60), NULL);
  assert_int_equal(s.aborted[0], 1);
  assert_int_equal(s.abort_error[0], RTG_ERR_TIMEOUT);
  sim_free(&s);
}

/* Delayed ack (§6.2): one packet of DATA is acknowledged after the delay,
 * two packets at once. */
static void test_sctp_assoc_delayed_ack(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  uint8_t p1[1500], p2[1500], buf[1500];
  size_t l1, l2, len;
  rtg_time t;
  (void)state;
  sim_init(&s, &c, &c, 15);
  connect_pair(&s, false);
  run(&s, s.now + RTG_SEC(1), NULL);
  /* two packets; only the last chunk before idling has the I bit */
  send_msg(&s, 0, 0, 0, 1000, NULL);
  send_msg(&s, 0, 0, 1, 1000, NULL);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[0], p1, sizeof p1, &l1), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[0], p2, sizeof p2, &l2), 0);
  assert_int_equal(p1[13] & RTG_SCTP_DATA_IMMEDIATE, 0);
  assert_int_equal(p2[13] & RTG_SCTP_DATA_IMMEDIATE, RTG_SCTP_DATA_IMMEDIATE);
  /* one packet without it: the SACK waits for the delayed-ack timer */
  assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, p1, l1), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[1], buf, sizeof buf, &len), RTG_ERR_AGAIN);
  t = rtg_sctp_assoc_poll_timeout(s.ep[1]);
  assert_true(t == s.now + RTG_MS(200));
  assert_int_equal(rtg_sctp_assoc_handle_timeout(s.ep[1], t), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[1], buf, sizeof buf, &len), 0);
  assert_int_equal(buf[12], RTG_SCTP_SACK);
  /* RFC 7053: the I bit gets its SACK at once */
  assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], t, p2, l2), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[1], buf, sizeof buf, &len), 0);
  assert_int_equal(buf[12], RTG_SCTP_SACK);
  sim_free(&s);
}

static void test_sctp_assoc_buffered_low(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  (void)state;
  sim_init(&s, &c, &c, 16);
  connect_pair(&s, false);
  assert_int_equal(rtg_sctp_assoc_set_buffered_low(s.ep[0], 4, 10000), 0);
  for (uint32_t i = 0; i < 10; i++) send_msg(&s, 0, 4, i, 5000, NULL);
  assert_int_equal(rtg_sctp_assoc_buffered(s.ep[0], 4), 50000);
  total_expected = 10;
  run(&s, s.now + RTG_SEC(10), all_delivered);
  run(&s, s.now + RTG_SEC(1), NULL);
  assert_int_equal(s.low[0], 1);
  assert_int_equal(rtg_sctp_assoc_buffered(s.ep[0], 4), 0);
  sim_free(&s);
}

/* A message larger than the receiver's max-message-size is dropped, and
 * the ordered stream goes on with the next one. */
static void test_sctp_assoc_max_message_size_receive(void **state) {
  struct rtg_sctp_config c = test_cfg(), small = test_cfg();
  struct sim s;
  struct rtg_sctp_stats st;
  (void)state;
  small.max_message_size = 10000;
  sim_init(&s, &c, &small, 17);
  connect_pair(&s, false);
  send_msg(&s, 0, 1, 0, 5000, NULL);
  send_msg(&s, 0, 1, 1, 20000, NULL); /* too large for the peer */
  send_msg(&s, 0, 1, 2, 9000, NULL);
  total_expected = 2;
  run(&s, s.now + RTG_SEC(10), all_delivered);
  assert_int_equal(s.delivered[1], 2);
  assert_true(s.seen[1][0] && !s.seen[1][1] && s.seen[1][2]);
  assert_int_equal(s.bad[1], 0);
  rtg_sctp_assoc_stats(s.ep[1], &st);
  assert_int_equal(st.oversize_dropped, 1);
  sim_free(&s);
}

/* RFC 8260 I-DATA: negotiated only when both offer it; large messages on
 * several streams interleave through a lossy, reordering network, and
 * unreliable unordered messages are skipped with I-FORWARD-TSN. */
static void test_sctp_assoc_idata_interleaving(void **state) {
  struct rtg_sctp_config c = test_cfg(), plain = test_cfg();
  struct rtg_sctp_send_opts un = {true, 0, RTG_TIME_NEVER};
  struct sim s;
  struct rtg_sctp_stats st;
  uint32_t n = 120;
  (void)state;
  c.idata = true;
  sim_init(&s, &c, &plain, 18);
  connect_pair(&s, true);
  assert_false(rtg_sctp_assoc_idata(s.ep[0]));
  assert_false(rtg_sctp_assoc_idata(s.ep[1]));
  sim_free(&s);

  sim_init(&s, &c, &c, 19);
  connect_pair(&s, true);
  assert_true(rtg_sctp_assoc_idata(s.ep[0]));
  assert_true(rtg_sctp_assoc_idata(s.ep[1]));
  s.loss_pct = 5;
  s.jitter = RTG_MS(15);
  for (uint32_t i = 0; i < n; i++)
    send_msg(&s, (int)(i % 5 == 4), (uint16_t)(i % 4), i, 6 + (i % 3 == 0 ? 60000 : 700 + i * 13),
             NULL);
  total_expected = 96; /* 4 of every 5 go from 0 to 1 */
  run(&s, s.now + RTG_SEC(300), all_delivered);
  assert_int_equal(s.delivered[1], 96);
  assert_int_equal(s.bad[1], 0);
  run(&s, s.now + RTG_SEC(30), NULL);
  assert_int_equal(s.delivered[0], 24);
  assert_int_equal(s.bad[0], 0);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_true(st.retransmits > 0);
  /* unordered, never retransmitted: I-FORWARD-TSN; then reliable again */
  s.loss_pct = 25;
  for (uint32_t i = 200; i < 300; i++) send_msg(&s, 0, 2, i, 3000, &un);
  run(&s, s.now + RTG_SEC(30), NULL);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_true(st.forward_tsns_sent > 0);
  s.loss_pct = 0;
  total_expected = s.delivered[1] + 10;
  for (uint32_t i = 300; i < 310; i++) send_msg(&s, 0, 2, i, 5000, NULL);
  run(&s, s.now + RTG_SEC(30), all_delivered);
  for (uint32_t i = 300; i < 310; i++) assert_true(s.seen[1][i]);
  assert_int_equal(s.bad[1], 0);
  sim_free(&s);
}

/* RFC 9260 §3.2: the upper two bits of an unrecognized chunk type say
 * whether to go on with the packet and whether to report it. */
static void test_sctp_assoc_unrecognized_chunk(void **state) {
  static const uint8_t types[4] = {0x3f, 0x7f, 0xbf, 0xff};
  (void)state;
  for (int k = 0; k < 4; k++) {
    struct rtg_sctp_config c = test_cfg();
    struct sim s;
    uint8_t pkt[1500], out[1500];
    size_t len, olen;
    struct rtg_sctp_event ev;
    int msgs = 0, errors = 0;
    sim_init(&s, &c, &c, 30 + (uint64_t)k);
    connect_pair(&s, false);
    send_msg(&s, 0, 0, 0, 100, NULL);
    assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[0], pkt, sizeof pkt, &len), 0);
    /* header | unknown chunk (4 bytes of value) | the DATA chunk */
    memmove(pkt + 20, pkt + 12, len - 12);
    pkt[12] = types[k];
    pkt[13] = 0;
    rtg_store_u16(pkt + 14, 8);
    rtg_store_u32(pkt + 16, 0xdeadbeef);
    len += 8;
    assert_int_equal(rtg_sctp_packet_seal(pkt, len, false), 0);
    assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, pkt, len), 0);
    while (rtg_sctp_assoc_poll_event(s.ep[1], &ev) == 0) msgs += ev.type == RTG_SCTP_EV_MESSAGE;
    while (rtg_sctp_assoc_poll_transmit(s.ep[1], out, sizeof out, &olen) == 0)
      if (out[12] == RTG_SCTP_ERROR) {
        assert_int_equal(rtg_load_u16(out + 16), RTG_SCTP_C_UNRECOGNIZED_CHUNK);
        assert_int_equal(out[20], types[k]);
        errors++;
      }
    assert_int_equal(msgs, types[k] & 0x80 ? 1 : 0);   /* 1x: go on */
    assert_int_equal(errors, types[k] & 0x40 ? 1 : 0); /* x1: report */
    sim_free(&s);
  }
}

/* RFC 9260 §8.4: B forgot the association (its ABORT was lost); A's next
 * DATA is out of the blue for B, which answers ABORT with the T bit. */
static void test_sctp_assoc_out_of_the_blue(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  (void)state;
  sim_init(&s, &c, &c, 40);
  connect_pair(&s, false);
  s.block[1] = true;
  assert_int_equal(rtg_sctp_assoc_abort(s.ep[1], "gone"), 0);
  run(&s, s.now + RTG_MS(100), NULL);
  s.block[1] = false;
  assert_int_equal(s.aborted[0], 0);
  send_msg(&s, 0, 0, 0, 100, NULL);
  run(&s, s.now + RTG_SEC(1), NULL);
  assert_int_equal(s.aborted[0], 1);
  assert_int_equal(s.abort_error[0], RTG_ERR_STATE);
  assert_int_equal(s.delivered[1], 0);
  sim_free(&s);
}

/* Up to 65535 streams (RFC 8831 §6.2): the highest id works, one more is
 * refused; a peer announcing fewer streams limits us. */
static void test_sctp_assoc_stream_limits(void **state) {
  struct rtg_sctp_config c = test_cfg(), few = test_cfg();
  struct sim s;
  uint8_t b[8] = {0};
  (void)state;
  sim_init(&s, &c, &c, 41);
  connect_pair(&s, false);
  total_expected = 2;
  send_msg(&s, 0, 65534, 0, 100, NULL);
  send_msg(&s, 0, 0, 1, 100, NULL);
  run(&s, s.now + RTG_SEC(5), all_delivered);
  assert_int_equal(s.delivered[1], 2);
  assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 65535, 53, b, 8, NULL), RTG_ERR_INVAL);
  sim_free(&s);
  few.streams = 16;
  sim_init(&s, &c, &few, 42);
  connect_pair(&s, false);
  assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 15, 53, b, 8, NULL), 0);
  assert_int_equal(rtg_sctp_assoc_send(s.ep[0], s.now, 16, 53, b, 8, NULL), RTG_ERR_INVAL);
  sim_free(&s);
}

/* RFC 9260 §3.2.1: unknown INIT parameters are reported (0x4000 bit) in
 * the INIT ACK, and one without the 0x8000 bit ends the walk. */
static void test_sctp_assoc_unrecognized_init_params(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  uint8_t buf[1500], params[64];
  struct rtg_wr wr, pw;
  struct rtg_sctp_init in;
  struct rtg_sctp_hdr h = {5000, 5000, 0, 0};
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk ch;
  struct rtg_sctp_chunk_info info;
  struct rtg_rd rd;
  struct rtg_sctp_tlv t;
  uint16_t reported[4];
  size_t nrep = 0, len;
  (void)state;
  sim_init(&s, &c, &c, 43);
  memset(&in, 0, sizeof in);
  in.init_tag = 0x01020304;
  in.a_rwnd = 65536;
  in.os = in.mis = 10;
  in.initial_tsn = 1;
  rtg_wr_init(&pw, params, sizeof params);
  assert_int_equal(rtg_sctp_tlv_write(&pw, 0xc123, "abc", 3), 0); /* skip + report */
  assert_int_equal(rtg_sctp_tlv_write(&pw, 0x8123, "d", 1), 0);   /* skip silently */
  assert_int_equal(rtg_sctp_tlv_write(&pw, 0x4001, "", 0), 0);    /* report + stop */
  assert_int_equal(rtg_sctp_tlv_write(&pw, 0xc124, "e", 1), 0);   /* never reached */
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_sctp_hdr_write(&wr, &h), 0);
  assert_int_equal(rtg_sctp_init_write(&wr, RTG_SCTP_INIT, &in, params, rtg_wr_len(&pw)), 0);
  assert_int_equal(rtg_sctp_packet_seal(buf, rtg_wr_len(&wr), false), 0);
  assert_int_equal(rtg_sctp_assoc_handle_datagram(s.ep[1], s.now, buf, rtg_wr_len(&wr)), 0);
  assert_int_equal(rtg_sctp_assoc_poll_transmit(s.ep[1], buf, sizeof buf, &len), 0);
  assert_int_equal(rtg_sctp_packet_parse(buf, len, 0, &pkt, NULL), 0);
  rtg_sctp_chunk_iter_init(&it, buf, &pkt);
  assert_int_equal(rtg_sctp_chunk_next(&it, &ch, NULL), 1);
  assert_int_equal(rtg_sctp_chunk_decode(&ch, &info, NULL), 0);
  assert_int_equal(ch.type, RTG_SCTP_INIT_ACK);
  rtg_rd_init(&rd, info.tlvs.p, info.tlvs.len);
  while (rtg_sctp_tlv_next(&rd, &t, "p", NULL) == 1)
    if (t.type == RTG_SCTP_P_UNRECOGNIZED && nrep < 4 && t.value.len >= 4)
      reported[nrep++] = rtg_load_u16(t.value.p);
  assert_int_equal(nrep, 2);
  assert_int_equal(reported[0], 0xc123);
  assert_int_equal(reported[1], 0x4001);
  sim_free(&s);
}

/* With I-DATA the sender takes the streams in turn: a small message queued
 * behind a large one on another stream arrives first, while the large
 * one's stream keeps its order. With DATA the small one's TSN comes after
 * every fragment of the large one (head-of-line blocking, RFC 8260 §1). */
static void test_sctp_assoc_idata_no_head_of_line_blocking(void **state) {
  (void)state;
  for (int idata = 0; idata < 2; idata++) {
    struct rtg_sctp_config c = test_cfg();
    struct sim s;
    c.idata = idata != 0;
    sim_init(&s, &c, &c, 50 + (uint64_t)idata);
    connect_pair(&s, false);
    send_msg(&s, 0, 1, 0, 250000, NULL);
    send_msg(&s, 0, 2, 1, 100, NULL);
    send_msg(&s, 0, 1, 2, 100, NULL); /* same stream: stays behind 0 */
    total_expected = 3;
    run(&s, s.now + RTG_SEC(30), all_delivered);
    assert_int_equal(s.delivered[1], 3);
    assert_int_equal(s.bad[1], 0);
    if (idata) {
      assert_int_equal(s.order[1][0], 1);
      assert_int_equal(s.order[1][1], 0);
      assert_int_equal(s.order[1][2], 2);
    } else {
      /* the small one gets a TSN after all of the large one's fragments;
       * stream 1 keeps its order either way */
      assert_true(s.order[1][2] == 2);
    }
    sim_free(&s);
  }
}

/* RFC 9260 §6.3: RTO from the measured RTT, T3 doubling it on every
 * expiry up to RTO.Max; §7.2: cwnd grows in slow start, collapses to one
 * MTU on a timeout and ssthresh halves. */
static void test_sctp_assoc_rto_and_cwnd(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  struct rtg_sctp_stats st;
  uint32_t cwnd0;
  uint64_t first;
  (void)state;
  c.max_assoc_retransmits = 20;
  sim_init(&s, &c, &c, 60);
  s.delay = RTG_MS(30);
  connect_pair(&s, false);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  cwnd0 = st.cwnd;
  assert_int_equal(cwnd0, 4404); /* min(4 MTU, max(2 MTU, 4404)), §7.2.1 */
  /* two packets are acked at once: one RTT sample of 60 ms, RTTVAR = 30 ms,
   * so RTO = 60 + 4 x 30 = 180 ms (§6.3.1 C2) */
  send_msg(&s, 0, 0, 100, 1000, NULL);
  send_msg(&s, 0, 0, 101, 1000, NULL);
  total_expected = 2;
  run(&s, s.now + RTG_SEC(1), all_delivered);
  run(&s, s.now + RTG_MS(40), NULL);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_true(st.srtt == RTG_MS(60));
  assert_true(st.rto == RTG_MS(180));
  total_expected = 42;
  for (uint32_t i = 0; i < 40; i++) send_msg(&s, 0, 0, i, 20000, NULL);
  run(&s, s.now + RTG_SEC(30), all_delivered);
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_true(st.cwnd > 8 * cwnd0); /* slow start, no loss */
  /* now everything A sends is lost: T3 fires with 1x, 2x, 4x ... RTO */
  run(&s, s.now + RTG_SEC(1), NULL);
  s.block[0] = true;
  first = s.pkts[0];
  send_msg(&s, 0, 0, 40, 100, NULL);
  run(&s, s.now + RTG_SEC(30), NULL);
  assert_true(s.pkts[0] - first >= 6);
  for (uint64_t k = first + 2; k < first + 6 && k < 64; k++) {
    rtg_time d1 = s.sent_at[0][k - 1] - s.sent_at[0][k - 2],
             d2 = s.sent_at[0][k] - s.sent_at[0][k - 1];
    assert_true(d2 == 2 * d1 || d2 == c.rto_max);
  }
  rtg_sctp_assoc_stats(s.ep[0], &st);
  assert_int_equal(st.cwnd, 1200);
  assert_true(st.t3_expiries >= 5);
  assert_int_equal(st.ssthresh, 4 * 1200); /* halved each time, floor 4 MTU */
  sim_free(&s);
}

/* RFC 9260 §5.2.4 case A: the peer comes back with a fresh association on
 * the same ports (a new INIT while we are established); we accept the
 * restart, report it, and data flows again from both sides. */
static bool b_up(struct sim *s) { return s->connected[1] > 0; }

static void test_sctp_assoc_restart(void **state) {
  struct rtg_sctp_config c = test_cfg();
  struct sim s;
  uint32_t old_tag;
  (void)state;
  sim_init(&s, &c, &c, 70);
  connect_pair(&s, false);
  total_expected = 3;
  for (uint32_t i = 0; i < 3; i++) send_msg(&s, 0, 1, i, 3000, NULL);
  run(&s, s.now + RTG_SEC(5), all_delivered);
  old_tag = rtg_sctp_assoc_peer_vtag(s.ep[0]);
  /* B forgets everything: a new association object with new tags */
  rtg_sctp_assoc_free(s.ep[1]);
  rtg_ctx_deterministic(&s.ctx[1], &s.prng[1], 999, &s.now);
  assert_int_equal(rtg_sctp_assoc_new(&s.ctx[1], &c, &s.ep[1]), 0);
  s.connected[1] = 0;
  assert_int_equal(rtg_sctp_assoc_connect(s.ep[1], s.now), 0);
  run(&s, s.now + RTG_SEC(5), b_up);
  run(&s, s.now + RTG_MS(100), NULL);
  assert_int_equal(s.connected[1], 1);
  assert_int_equal(s.restarted[0], 1);
  assert_int_equal(rtg_sctp_assoc_state(s.ep[0]), RTG_SCTP_ESTABLISHED);
  assert_true(rtg_sctp_assoc_peer_vtag(s.ep[0]) != old_tag);
  assert_int_equal(rtg_sctp_assoc_peer_vtag(s.ep[0]), rtg_sctp_assoc_local_vtag(s.ep[1]));
  assert_int_equal(rtg_sctp_assoc_peer_vtag(s.ep[1]), rtg_sctp_assoc_local_vtag(s.ep[0]));
  /* streams start over on both sides */
  s.next_index[1][1] = 0;
  total_expected = 5;
  send_msg(&s, 0, 1, 10, 5000, NULL);
  send_msg(&s, 0, 1, 11, 100, NULL);
  run(&s, s.now + RTG_SEC(5), all_delivered);
  assert_true(s.seen[1][10] && s.seen[1][11]);
  send_msg(&s, 1, 1, 12, 100, NULL);
  run(&s, s.now + RTG_SEC(2), NULL);
  assert_true(s.seen[0][12]);
  assert_int_equal(s.bad[0] + s.bad[1], 0);
  sim_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sctp_assoc_connect_one_side),
      cmocka_unit_test(test_sctp_assoc_connect_simultaneous),
      cmocka_unit_test(test_sctp_assoc_connect_t1_retransmit),
      cmocka_unit_test(test_sctp_assoc_send_ordered_large),
      cmocka_unit_test(test_sctp_assoc_send_lossy_reordering),
      cmocka_unit_test(test_sctp_assoc_send_unordered_unreliable),
      cmocka_unit_test(test_sctp_assoc_send_lifetime),
      cmocka_unit_test(test_sctp_assoc_reset_streams),
      cmocka_unit_test(test_sctp_assoc_shutdown),
      cmocka_unit_test(test_sctp_assoc_abort),
      cmocka_unit_test(test_sctp_assoc_handle_datagram_vtag_and_cookie),
      cmocka_unit_test(test_sctp_assoc_zero_checksum),
      cmocka_unit_test(test_sctp_assoc_heartbeat),
      cmocka_unit_test(test_sctp_assoc_delayed_ack),
      cmocka_unit_test(test_sctp_assoc_buffered_low),
      cmocka_unit_test(test_sctp_assoc_max_message_size_receive),
      cmocka_unit_test(test_sctp_assoc_idata_interleaving),
      cmocka_unit_test(test_sctp_assoc_unrecognized_chunk),
      cmocka_unit_test(test_sctp_assoc_out_of_the_blue),
      cmocka_unit_test(test_sctp_assoc_stream_limits),
      cmocka_unit_test(test_sctp_assoc_unrecognized_init_params),
      cmocka_unit_test(test_sctp_assoc_idata_no_head_of_line_blocking),
      cmocka_unit_test(test_sctp_assoc_rto_and_cwnd),
      cmocka_unit_test(test_sctp_assoc_restart),
  };
  return cmocka_run_group_tests_name("sctp_assoc", tests, NULL, NULL);
}
