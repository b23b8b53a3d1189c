/*
 * peer_sim.h - two reference peers wired back to back through a simulated
 * network (loss, delay, jitter that reorders, a drop filter), all in
 * injected time, for the peer_*_test.c files. Header-only: each test file
 * is its own program.
 */
#ifndef RTG_PEER_SIM_H
#define RTG_PEER_SIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/peer.h"
#include "rtg/rtp.h"
#include "test_util.h"

static inline void sim_ignore(int rc) { (void)rc; }
#define IGNORE_RC(x) sim_ignore((int)(x))

#define SIM_MAXPKT 8192
#define SIM_MAXMSG (256 * 1024 + 16)

struct sim_pkt {
  rtg_time at;
  uint64_t seq;
  struct rtg_stun_addr src, dst;
  uint16_t len;
  uint8_t data[RTG_PEER_MAX_DATAGRAM];
};

/* What one peer reported. */
struct sim_obs {
  bool gathered, ice, dtls, sctp, fp_mismatch, dtls_failed, closed, ice_failed;
  enum rtg_dtls_role role;
  uint16_t profile;
  unsigned pairs, opened, acked, msgs, rtp, rtcp, closed_channels;
  uint16_t open_sid;
  size_t last_len;
  bool last_binary;
  uint8_t *last; /* SIM_MAXMSG bytes: the last message */
  uint32_t last_rtp_ssrc;
  uint8_t last_rtp[RTG_PEER_MAX_DATAGRAM];
  size_t last_rtp_len;
  unsigned plis_seen; /* RTCP PLIs received */
  unsigned nacks_seen;
  unsigned rrs_seen, srs_seen;
  int32_t max_lost_reported; /* largest cumulative loss in a report block */
};

/* Fake in-memory network hook: an extra endpoint (e.g. a TURN server). */
typedef void (*sim_endpoint_fn)(void *ud, rtg_time now, const struct rtg_stun_addr *src,
                                const struct rtg_stun_addr *dst, const uint8_t *data, size_t len);

struct sim {
  struct rtg_ctx ctx[2];
  struct rtg_prng prng[2];
  struct rtg_peer *p[2];
  struct rtg_stun_addr addr[2];
  struct sim_obs obs[2];
  struct sim_pkt *q;
  size_t n;
  uint64_t seq;
  struct rtg_prng rng;
  unsigned loss_pct;
  rtg_time delay, jitter;
  rtg_time now;
  uint64_t delivered, dropped;
  /* drop the |drop_rtp_nth|-th RTP datagram sent by peer |drop_rtp_from| */
  int drop_rtp_from;
  unsigned drop_rtp_nth, rtp_count[2];
  /* an extra endpoint at |ext_addr| (datagrams to it go to |ext_fn|) */
  struct rtg_stun_addr ext_addr;
  sim_endpoint_fn ext_fn;
  void *ext_ud;
  uint64_t sent_to_stranger[2]; /* datagrams to addresses nobody has */
};

static inline struct rtg_stun_addr sim_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                                          uint16_t port) {
  return tu_v4(a, b, c, d, port);
}

static inline bool sim_addr_eq(const struct rtg_stun_addr *a, const struct rtg_stun_addr *b) {
  return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static inline void sim_config(struct rtg_peer_config *c) {
  rtg_peer_config_default(c);
  c->seeded_rng = true;
}

static inline void sim_init(struct sim *s, uint64_t seed, const struct rtg_peer_config *ca,
                            const struct rtg_peer_config *cb) {
  memset(s, 0, sizeof *s);
  s->q = calloc(SIM_MAXPKT, sizeof *s->q);
  assert_non_null(s->q);
  rtg_prng_seed(&s->rng, seed * 7 + 3);
  s->delay = RTG_MS(10);
  s->drop_rtp_from = -1;
  s->addr[0] = sim_v4(10, 0, 0, 1, 40000);
  s->addr[1] = sim_v4(10, 0, 0, 2, 50000);
  for (int i = 0; i < 2; i++) {
    rtg_ctx_deterministic(&s->ctx[i], &s->prng[i], seed * 2 + (uint64_t)i, NULL);
    s->obs[i].last = calloc(1, SIM_MAXMSG);
    assert_non_null(s->obs[i].last);
  }
  assert_int_equal(rtg_peer_new(&s->p[0], &s->ctx[0], ca, 0), 0);
  assert_int_equal(rtg_peer_new(&s->p[1], &s->ctx[1], cb, 0), 0);
}

static inline void sim_free(struct sim *s) {
  for (int i = 0; i < 2; i++) {
    rtg_peer_free(s->p[i]);
    free(s->obs[i].last);
  }
  free(s->q);
}

static inline void sim_on_rtcp(struct sim_obs *o, const uint8_t *d, size_t len) {
  static struct rtg_rtcp_compound c;
  size_t off = 0;
  assert_int_equal(rtg_rtcp_parse(&c, d, len, RTG_RTCP_REDUCED_SIZE, NULL), 0);
  for (size_t i = 0; i < c.n; i++) {
    struct rtg_rtcp_rb rb;
    for (size_t k = 0;
         (c.pkt[i].pt == 200 || c.pkt[i].pt == 201) && rtg_rtcp_rb_get(&c.pkt[i], k, &rb) == 0; k++)
      if (rb.cumulative_lost > o->max_lost_reported) o->max_lost_reported = rb.cumulative_lost;
  }
  while (off + 4 <= len) {
    uint8_t pt = d[off + 1], fmt = d[off] & 31;
    size_t plen = ((size_t)rtg_load_u16(d + off + 2) + 1) * 4;
    if (pt == 200) o->srs_seen++;
    if (pt == 201) o->rrs_seen++;
    if (pt == 206 && fmt == 1) o->plis_seen++;
    if (pt == 205 && fmt == 1) o->nacks_seen++;
    off += plen;
  }
}

static inline void sim_on_event(struct sim *s, int i, const struct rtg_peer_event *ev) {
  struct sim_obs *o = &s->obs[i];
  switch (ev->type) {
    case RTG_PEER_EV_GATHERING_DONE: o->gathered = true; break;
    case RTG_PEER_EV_ICE_CONNECTED: o->ice = true; break;
    case RTG_PEER_EV_ICE_SELECTED_PAIR: o->pairs++; break;
    case RTG_PEER_EV_ICE_FAILED: o->ice_failed = true; break;
    case RTG_PEER_EV_DTLS_CONNECTED:
      o->dtls = true;
      o->role = ev->dtls_role;
      o->profile = ev->srtp_profile;
      break;
    case RTG_PEER_EV_FINGERPRINT_MISMATCH: o->fp_mismatch = true; break;
    case RTG_PEER_EV_DTLS_FAILED: o->dtls_failed = true; break;
    case RTG_PEER_EV_SCTP_CONNECTED: o->sctp = true; break;
    case RTG_PEER_EV_CHANNEL_OPEN:
      o->opened++;
      o->open_sid = ev->sid;
      break;
    case RTG_PEER_EV_CHANNEL_ACKED: o->acked++; break;
    case RTG_PEER_EV_CHANNEL_MESSAGE:
      o->msgs++;
      assert_true(ev->len <= SIM_MAXMSG);
      if (ev->len) memcpy(o->last, ev->data, ev->len);
      o->last_len = ev->len;
      o->last_binary = ev->binary;
      break;
    case RTG_PEER_EV_CHANNEL_CLOSED: o->closed_channels++; break;
    case RTG_PEER_EV_RTP:
      o->rtp++;
      o->last_rtp_ssrc = ev->ssrc;
      assert_true(ev->len <= sizeof o->last_rtp);
      memcpy(o->last_rtp, ev->data, ev->len);
      o->last_rtp_len = ev->len;
      break;
    case RTG_PEER_EV_RTCP:
      o->rtcp++;
      sim_on_rtcp(o, ev->data, ev->len);
      break;
    case RTG_PEER_EV_CLOSED: o->closed = true; break;
    default: break;
  }
}

static inline bool sim_is_rtp(const uint8_t *d, size_t len) {
  return len >= 12 && d[0] >= 128 && d[0] <= 191 && !(d[1] >= 192 && d[1] <= 223);
}

static inline void sim_enqueue(struct sim *s, int from, const struct rtg_stun_addr *src,
                               const struct rtg_stun_addr *dst, const uint8_t *d, size_t len) {
  struct sim_pkt *k;
  if (from >= 0 && sim_is_rtp(d, len) && (int)from == s->drop_rtp_from &&
      ++s->rtp_count[from] == s->drop_rtp_nth) {
    s->dropped++;
    return;
  }
  if (s->loss_pct && rtg_prng_next(&s->rng) % 100 < s->loss_pct) {
    s->dropped++;
    return;
  }
  assert_true(s->n < SIM_MAXPKT);
  k = &s->q[s->n++];
  k->at = s->now + s->delay +
          (s->jitter ? (rtg_time)(rtg_prng_next(&s->rng) % (uint64_t)s->jitter) : 0);
  k->seq = s->seq++;
  k->src = *src;
  k->dst = *dst;
  k->len = (uint16_t)len;
  memcpy(k->data, d, len);
}

/* Drains both peers (transmits into the network, events into |obs|). */
static inline void sim_drain(struct sim *s) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  struct rtg_stun_addr src, dst;
  struct rtg_peer_event ev;
  size_t len;
  for (int i = 0; i < 2; i++) {
    while (rtg_peer_poll_event(s->p[i], &ev) == 0) sim_on_event(s, i, &ev);
    while (rtg_peer_poll_transmit(s->p[i], buf, sizeof buf, &len, &src, &dst) == 0) {
      assert_true(len <= 1200);
      sim_enqueue(s, i, &src, &dst, buf, len);
    }
    while (rtg_peer_poll_event(s->p[i], &ev) == 0) sim_on_event(s, i, &ev);
  }
}

static inline int sim_peer_at(const struct sim *s, const struct rtg_stun_addr *a) {
  for (int i = 0; i < 2; i++)
    if (sim_addr_eq(a, &s->addr[i])) return i;
  return -1;
}

static inline void sim_deliver(struct sim *s, const struct sim_pkt *k) {
  int to = sim_peer_at(s, &k->dst);
  if (to >= 0) {
    IGNORE_RC(rtg_peer_handle_datagram(s->p[to], s->now, &k->dst, &k->src, k->data, k->len));
  } else if (s->ext_fn && k->dst.family == s->ext_addr.family &&
             memcmp(k->dst.addr, s->ext_addr.addr, 16) == 0) {
    s->ext_fn(s->ext_ud, s->now, &k->src, &k->dst, k->data, k->len);
  } else {
    int from = sim_peer_at(s, &k->src);
    s->sent_to_stranger[from >= 0 ? from : 0]++;
  }
  s->delivered++;
}

/* One step: deliver what is due at the next event time. false when
 * nothing is scheduled before |limit|. */
static inline bool sim_step(struct sim *s, rtg_time limit) {
  rtg_time next = RTG_TIME_NEVER;
  size_t best = SIZE_MAX;
  sim_drain(s);
  for (size_t i = 0; i < s->n; i++)
    if (best == SIZE_MAX || s->q[i].at < s->q[best].at ||
        (s->q[i].at == s->q[best].at && s->q[i].seq < s->q[best].seq))
      best = i;
  if (best != SIZE_MAX) next = s->q[best].at;
  for (int i = 0; i < 2; i++) {
    rtg_time t = rtg_peer_poll_timeout(s->p[i]);
    if (t < next) next = t;
  }
  if (next == RTG_TIME_NEVER || next > limit) return false;
  if (next > s->now) s->now = next;
  if (best != SIZE_MAX && s->q[best].at <= s->now) {
    struct sim_pkt k = s->q[best];
    s->q[best] = s->q[--s->n];
    sim_deliver(s, &k);
  }
  for (int i = 0; i < 2; i++)
    if (rtg_peer_poll_timeout(s->p[i]) <= s->now)
      IGNORE_RC(rtg_peer_handle_timeout(s->p[i], s->now));
  sim_drain(s);
  return true;
}

typedef bool (*sim_cond)(struct sim *s, void *ud);

/* Runs until |cond| holds or |span| of simulated time passed. */
static inline bool sim_run_until(struct sim *s, sim_cond cond, void *ud, rtg_time span) {
  rtg_time limit = s->now + span;
  for (;;) {
    if (cond && cond(s, ud)) return true;
    if (!sim_step(s, limit)) break;
  }
  if (s->now < limit) s->now = limit;
  return cond ? cond(s, ud) : true;
}

static inline void sim_run_for(struct sim *s, rtg_time span) {
  IGNORE_RC(sim_run_until(s, NULL, NULL, span));
}

/* The last descriptions sim_negotiate exchanged. */
static char sim_offer[RTG_PEER_MAX_SDP], sim_answer[RTG_PEER_MAX_SDP];

/* Host candidates for both peers. */
static inline void sim_add_hosts(struct sim *s) {
  for (int i = 0; i < 2; i++) {
    struct rtg_ice_cand c;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_HOST;
    c.addr = c.base = s->addr[i];
    assert_int_equal(rtg_peer_add_local_candidate(s->p[i], &c), 0);
    rtg_peer_local_candidates_done(s->p[i]);
  }
  sim_drain(s);
}

/* Offer from A, answer from B (kept in sim_offer / sim_answer). */
static inline void sim_offer_answer(struct sim *s) {
  char *offer = sim_offer, *answer = sim_answer;
  size_t ol, al;
  struct rtg_perr e;
  assert_int_equal(rtg_peer_create_offer(s->p[0], offer, RTG_PEER_MAX_SDP, &ol), 0);
  memset(&e, 0, sizeof e);
  assert_int_equal(
      rtg_peer_set_remote_description(s->p[1], s->now, RTG_PEER_SDP_OFFER, offer, ol, &e), 0);
  assert_int_equal(rtg_peer_create_answer(s->p[1], s->now, answer, RTG_PEER_MAX_SDP, &al, &e), 0);
  assert_int_equal(
      rtg_peer_set_remote_description(s->p[0], s->now, RTG_PEER_SDP_ANSWER, answer, al, &e), 0);
}

static inline void sim_negotiate(struct sim *s) {
  sim_add_hosts(s);
  sim_offer_answer(s);
}

static inline bool sim_cond_connected(struct sim *s, void *ud) {
  bool sctp = ud != NULL;
  for (int i = 0; i < 2; i++)
    if (!s->obs[i].ice || !s->obs[i].dtls || (sctp && !s->obs[i].sctp)) return false;
  return true;
}

#endif
