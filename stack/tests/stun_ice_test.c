/*
 * stun_ice_test.c - two ICE agents back to back through a simulated network
 * (loss, delay, jitter that reorders, unreachable addresses), all in
 * injected time: every role/mode/nomination combination reaches connected
 * with matching selected pairs; role conflicts, trickle, mDNS, ICE restart,
 * consent loss and failure are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/ice.h"
#include "test_util.h"

#define MAXPKT 1024

struct pkt {
  rtg_time at;
  uint64_t seq;
  struct rtg_stun_addr src, dst;
  uint8_t data[600];
  size_t len;
};

struct peer {
  struct rtg_ice_agent *ag;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_stun_addr addrs[4]; /* bound local addresses */
  size_t naddrs;
  bool connected, failed, consent_lost, role_changed, mdns;
  int selected_changes;
  unsigned indications; /* Binding indications sent (keepalives) */
  char mdns_name[64];
};

struct sim {
  struct pkt q[MAXPKT];
  size_t n;
  uint64_t seq;
  struct rtg_prng rng;
  unsigned loss_pct;
  rtg_time delay, jitter;
  bool blackhole;
  bool restarted; /* old-generation datagrams may still be in flight */
  rtg_time now;
  struct peer p[2];
  size_t delivered, dropped;
};

static bool same(const struct rtg_stun_addr *x, const struct rtg_stun_addr *y) {
  return x->family == y->family && x->port == y->port && memcmp(x->addr, y->addr, 16) == 0;
}

static struct rtg_ice_cand host(struct rtg_stun_addr a) {
  struct rtg_ice_cand c;
  memset(&c, 0, sizeof c);
  c.type = RTG_ICE_CAND_HOST;
  c.addr = a;
  c.base = a;
  return c;
}

static int owner(struct sim *s, const struct rtg_stun_addr *dst) {
  for (int i = 0; i < 2; i++)
    for (size_t k = 0; k < s->p[i].naddrs; k++)
      if (same(&s->p[i].addrs[k], dst)) return i;
  return -1;
}

static void drain(struct sim *s, int i) {
  struct peer *p = &s->p[i];
  struct pkt out;
  struct rtg_ice_event ev;
  while (rtg_ice_agent_poll_transmit(p->ag, out.data, sizeof out.data, &out.len, &out.src,
                                     &out.dst) == 0) {
    uint64_t r = rtg_prng_next(&s->rng);
    if (out.len >= 2 && rtg_load_u16(out.data) == 0x0011) p->indications++;
    if (s->blackhole || owner(s, &out.dst) < 0 || (r % 100) < s->loss_pct || s->n == MAXPKT) {
      s->dropped++;
      continue;
    }
    out.at = s->now + s->delay + (s->jitter ? (rtg_time)((r >> 8) % (uint64_t)s->jitter) : 0);
    out.seq = s->seq++;
    s->q[s->n++] = out;
  }
  while (rtg_ice_agent_poll_event(p->ag, &ev) == 0) {
    switch (ev.type) {
      case RTG_ICE_EV_CONNECTED: p->connected = true; break;
      case RTG_ICE_EV_SELECTED_PAIR: p->selected_changes++; break;
      case RTG_ICE_EV_FAILED: p->failed = true; break;
      case RTG_ICE_EV_CONSENT_LOST: p->consent_lost = true; break;
      case RTG_ICE_EV_ROLE_CHANGED: p->role_changed = true; break;
      case RTG_ICE_EV_MDNS_UNRESOLVED:
        p->mdns = true;
        memcpy(p->mdns_name, ev.hostname, sizeof p->mdns_name);
        break;
      default: break;
    }
  }
}

/* Runs until |until| (or both connected when |stop_connected|). */
static void run(struct sim *s, rtg_time until, bool stop_connected) {
  for (int guard = 0; guard < 200000; guard++) {
    rtg_time next = RTG_TIME_NEVER;
    size_t best = SIZE_MAX;
    drain(s, 0);
    drain(s, 1);
    if (stop_connected && s->p[0].connected && s->p[1].connected) return;
    for (int i = 0; i < 2; i++) {
      rtg_time t = rtg_ice_agent_poll_timeout(s->p[i].ag);
      if (t < next) next = t;
    }
    for (size_t k = 0; k < s->n; k++)
      if (best == SIZE_MAX || s->q[k].at < s->q[best].at ||
          (s->q[k].at == s->q[best].at && s->q[k].seq < s->q[best].seq))
        best = k;
    if (best != SIZE_MAX && s->q[best].at <= next) {
      struct pkt pk = s->q[best];
      int o = owner(s, &pk.dst);
      s->q[best] = s->q[--s->n];
      if (pk.at > s->now) s->now = pk.at;
      if (s->now > until) return;
      assert_true(o >= 0);
      {
        int rc =
            rtg_ice_agent_handle_datagram(s->p[o].ag, s->now, &pk.dst, &pk.src, pk.data, pk.len);
        /* lost retransmissions make late duplicates: NOTFOUND is fine;
         * after an ICE restart a check or response of the old generation
         * still in flight fails integrity with the new credentials */
        assert_true(rc == 0 || rc == RTG_ERR_NOTFOUND || (s->restarted && rc == RTG_ERR_AUTH));
      }
      s->delivered++;
      continue;
    }
    if (next == RTG_TIME_NEVER || next > until) {
      s->now = until;
      return;
    }
    if (next > s->now) s->now = next;
    for (int i = 0; i < 2; i++)
      if (rtg_ice_agent_poll_timeout(s->p[i].ag) <= s->now)
        assert_int_equal(rtg_ice_agent_handle_timeout(s->p[i].ag, s->now), 0);
  }
  fail_msg("simulation did not settle");
}

static void peer_init(struct sim *s, int i, struct rtg_ice_config cfg, uint64_t seed) {
  struct peer *p = &s->p[i];
  static const char *uf[2] = {"ufragA", "ufragB"};
  static const char *pw[2] = {"passwordA-0123456789ab", "passwordB-0123456789ab"};
  cfg.ufrag = uf[i];
  cfg.pwd = pw[i];
  rtg_ctx_deterministic(&p->ctx, &p->prng, seed, NULL);
  assert_int_equal(rtg_ice_agent_new(&p->ag, &p->ctx, &cfg), 0);
  assert_int_equal(rtg_ice_agent_set_remote_credentials(p->ag, uf[1 - i], pw[1 - i]), 0);
}

static void add_host(struct sim *s, int i, struct rtg_stun_addr a, bool advertise) {
  struct rtg_ice_cand c = host(a);
  /* the priority travels with the candidate (a=candidate), as in SDP */
  c.priority = rtg_ice_cand_priority(RTG_ICE_CAND_HOST, (uint16_t)(65535 - s->p[i].naddrs));
  s->p[i].addrs[s->p[i].naddrs++] = a;
  assert_int_equal(rtg_ice_agent_add_local_candidate(s->p[i].ag, &c), 0);
  if (advertise) assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[1 - i].ag, &c), 0);
}

static void sim_init(struct sim *s, struct rtg_ice_config ca, struct rtg_ice_config cb,
                     unsigned loss, rtg_time jitter, uint64_t seed) {
  memset(s, 0, sizeof *s);
  rtg_prng_seed(&s->rng, seed);
  s->loss_pct = loss;
  s->delay = RTG_MS(20);
  s->jitter = jitter;
  peer_init(s, 0, ca, seed * 2 + 1);
  peer_init(s, 1, cb, seed * 2 + 2);
}

static void sim_free(struct sim *s) {
  rtg_ice_agent_free(s->p[0].ag);
  rtg_ice_agent_free(s->p[1].ag);
}

/* Both connected, and each one's selected pair is the other's mirrored. */
static void assert_connected(struct sim *s) {
  struct rtg_ice_cand la, ra, lb, rb;
  assert_true(s->p[0].connected);
  assert_true(s->p[1].connected);
  assert_int_equal(rtg_ice_agent_selected_pair(s->p[0].ag, &la, &ra), 0);
  assert_int_equal(rtg_ice_agent_selected_pair(s->p[1].ag, &lb, &rb), 0);
  assert_true(same(&la.base, &rb.addr));
  assert_true(same(&lb.base, &ra.addr));
  assert_true(rtg_ice_agent_role(s->p[0].ag) != rtg_ice_agent_role(s->p[1].ag));
}

static struct rtg_ice_config cfg_of(uint8_t mode, uint8_t role, uint8_t nom) {
  struct rtg_ice_config c;
  memset(&c, 0, sizeof c);
  c.mode = mode;
  c.role = role;
  c.nomination = nom;
  return c;
}

/* Two hosts: A has two addresses (one reachable only one way: its peer
 * never learns it is bound... both bound), B one; plus an advertised
 * address of A that nobody owns (its pairs fail). */
static void topology(struct sim *s) {
  add_host(s, 0, tu_v4(10, 0, 0, 1, 5000), true);
  add_host(s, 0, tu_v4(10, 0, 1, 1, 5002), true);
  add_host(s, 1, tu_v4(10, 0, 0, 2, 6000), true);
  {
    struct rtg_ice_cand dead = host(tu_v4(203, 0, 113, 9, 7000));
    dead.priority = rtg_ice_cand_priority(RTG_ICE_CAND_SRFLX, 1);
    dead.type = RTG_ICE_CAND_SRFLX;
    assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[1].ag, &dead), 0);
  }
}

static void combo(uint8_t ma, uint8_t ra, uint8_t na, uint8_t mb, uint8_t rb, unsigned loss,
                  rtg_time jitter, uint64_t seed) {
  struct sim *s = test_malloc(sizeof *s);
  struct rtg_ice_config ca = cfg_of(ma, ra, na), cb = cfg_of(mb, rb, na);
  ca.remote_lite = mb == RTG_ICE_LITE;
  cb.remote_lite = ma == RTG_ICE_LITE;
  sim_init(s, ca, cb, loss, jitter, seed);
  topology(s);
  run(s, RTG_SEC(60), true);
  if (!(s->p[0].connected && s->p[1].connected))
    fail_msg("seed %llu loss %u: not connected (A %d B %d)", (unsigned long long)seed, loss,
             s->p[0].connected, s->p[1].connected);
  /* a better pair may still be nominated after the first one (aggressive
   * nomination under loss: until its own check gets through) */
  run(s, s->now + RTG_SEC(20), false);
  {
    struct rtg_ice_cand ya, xa, yb, xb;
    if (rtg_ice_agent_selected_pair(s->p[0].ag, &ya, &xa) == 0 &&
        rtg_ice_agent_selected_pair(s->p[1].ag, &yb, &xb) == 0 &&
        !(same(&ya.base, &xb.addr) && same(&yb.base, &xa.addr)))
      print_message("seed %llu: A %u.%u:%u->%u.%u:%u role %d, B %u.%u:%u->%u.%u:%u role %d\n",
                    (unsigned long long)seed, ya.base.addr[2], ya.base.addr[3], ya.base.port,
                    xa.addr.addr[2], xa.addr.addr[3], xa.addr.port, rtg_ice_agent_role(s->p[0].ag),
                    yb.base.addr[2], yb.base.addr[3], yb.base.port, xb.addr.addr[2],
                    xb.addr.addr[3], xb.addr.port, rtg_ice_agent_role(s->p[1].ag));
  }
  assert_connected(s);
  /* and it stays connected: consent keeps flowing for a minute */
  s->p[0].indications = s->p[1].indications = 0;
  run(s, s->now + RTG_SEC(60), false);
  assert_false(s->p[0].consent_lost || s->p[1].consent_lost);
  /* a lite agent keeps the pair alive with indications every 15 s, a full
   * one with its consent checks (RFC 8445 §11) */
  assert_true(ma != RTG_ICE_LITE || s->p[0].indications >= 3);
  assert_true(mb != RTG_ICE_LITE || s->p[1].indications >= 3);
  assert_true(ma == RTG_ICE_LITE || s->p[0].indications == 0);
  assert_connected(s);
  sim_free(s);
  test_free(s);
}

static void test_stun_ice_agent_full_regular(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR, RTG_ICE_FULL,
          RTG_ICE_CONTROLLED, 0, 0, seed);
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLED, RTG_ICE_NOMINATE_REGULAR, RTG_ICE_FULL,
          RTG_ICE_CONTROLLING, 0, 0, seed);
  }
}

static void test_stun_ice_agent_full_regular_lossy(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 20; seed++)
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR, RTG_ICE_FULL,
          RTG_ICE_CONTROLLED, 25, RTG_MS(80), seed);
}

static void test_stun_ice_agent_full_aggressive_lossy(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_AGGRESSIVE, RTG_ICE_FULL,
          RTG_ICE_CONTROLLED, 25, RTG_MS(80), seed);
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLED, RTG_ICE_NOMINATE_AGGRESSIVE, RTG_ICE_FULL,
          RTG_ICE_CONTROLLING, 10, RTG_MS(40), seed);
  }
}

static void test_stun_ice_agent_role_conflict(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 12; seed++) {
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR, RTG_ICE_FULL,
          RTG_ICE_CONTROLLING, 15, RTG_MS(50), seed);
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLED, RTG_ICE_NOMINATE_REGULAR, RTG_ICE_FULL,
          RTG_ICE_CONTROLLED, 15, RTG_MS(50), seed);
  }
}

static void test_stun_ice_agent_lite(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 12; seed++) {
    /* the full agent controls whatever it was configured with */
    combo(RTG_ICE_FULL, RTG_ICE_CONTROLLED, RTG_ICE_NOMINATE_REGULAR, RTG_ICE_LITE,
          RTG_ICE_CONTROLLING, 20, RTG_MS(60), seed);
    combo(RTG_ICE_LITE, RTG_ICE_CONTROLLED, RTG_ICE_NOMINATE_AGGRESSIVE, RTG_ICE_FULL,
          RTG_ICE_CONTROLLING, 20, RTG_MS(60), seed);
  }
}

/* B's candidates trickle in late; A learns B as peer-reflexive first. */
static void test_stun_ice_agent_trickle_prflx(void **state) {
  struct sim *s = test_malloc(sizeof *s);
  struct rtg_ice_cand cb = host(tu_v4(10, 0, 0, 2, 6000));
  (void)state;
  sim_init(s, cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0),
           cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR), 0, 0, 7);
  add_host(s, 0, tu_v4(10, 0, 0, 1, 5000), true);
  add_host(s, 1, tu_v4(10, 0, 0, 2, 6000), false); /* not told to A */
  run(s, RTG_SEC(10), true);
  assert_connected(s);
  /* the late candidate is a duplicate of the learnt prflx address */
  assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[0].ag, &cb), 0);
  rtg_ice_agent_end_of_candidates(s->p[0].ag);
  run(s, s->now + RTG_SEC(10), false);
  assert_connected(s);
  assert_false(s->p[0].failed);
  sim_free(s);
  test_free(s);
}

static void test_stun_ice_agent_mdns(void **state) {
  struct sim *s = test_malloc(sizeof *s);
  struct rtg_ice_cand m = host(tu_v4(0, 0, 0, 0, 6000));
  (void)state;
  sim_init(s, cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR),
           cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0), 0, 0, 9);
  add_host(s, 0, tu_v4(10, 0, 0, 1, 5000), false);
  /* B is only known to A by an mDNS name, and B does not know A at all */
  s->p[1].addrs[s->p[1].naddrs++] = tu_v4(10, 0, 0, 2, 6000);
  {
    struct rtg_ice_cand hb = host(tu_v4(10, 0, 0, 2, 6000));
    assert_int_equal(rtg_ice_agent_add_local_candidate(s->p[1].ag, &hb), 0);
  }
  memcpy(m.hostname, "0f1e2d3c-4b5a.local", 20);
  memset(&m.addr, 0, sizeof m.addr);
  assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[0].ag, &m), 0);
  run(s, RTG_SEC(2), false);
  assert_true(s->p[0].mdns);
  assert_string_equal(s->p[0].mdns_name, "0f1e2d3c-4b5a.local");
  assert_false(s->p[0].connected);
  {
    struct rtg_stun_addr ip = tu_v4(10, 0, 0, 2, 6000);
    assert_int_equal(rtg_ice_agent_resolve_mdns(s->p[0].ag, "0f1e2d3c-4b5a.local", &ip), 0);
    assert_int_equal(rtg_ice_agent_resolve_mdns(s->p[0].ag, "other.local", &ip), RTG_ERR_NOTFOUND);
  }
  run(s, s->now + RTG_SEC(10), true);
  assert_connected(s);
  sim_free(s);
  test_free(s);
}

static void test_stun_ice_agent_consent_lost(void **state) {
  struct sim *s = test_malloc(sizeof *s);
  rtg_time cut;
  (void)state;
  sim_init(s, cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_AGGRESSIVE),
           cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0), 0, 0, 11);
  topology(s);
  run(s, RTG_SEC(10), true);
  assert_connected(s);
  s->blackhole = true;
  cut = s->now;
  run(s, cut + RTG_SEC(25), false);
  assert_false(s->p[0].consent_lost);
  run(s, cut + RTG_SEC(40), false);
  assert_true(s->p[0].consent_lost);
  assert_true(s->p[1].consent_lost);
  sim_free(s);
  test_free(s);
}

static void test_stun_ice_agent_fails_after_eoc(void **state) {
  struct sim *s = test_malloc(sizeof *s);
  struct rtg_ice_cand dead = host(tu_v4(203, 0, 113, 1, 9));
  (void)state;
  sim_init(s, cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR),
           cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0), 0, 0, 13);
  add_host(s, 0, tu_v4(10, 0, 0, 1, 5000), false);
  assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[0].ag, &dead), 0);
  run(s, RTG_SEC(5), false);
  assert_false(s->p[0].failed); /* more candidates may trickle in */
  rtg_ice_agent_end_of_candidates(s->p[0].ag);
  run(s, RTG_SEC(60), false);
  assert_true(s->p[0].failed);
  assert_false(s->p[0].connected);
  sim_free(s);
  test_free(s);
}

static void test_stun_ice_agent_restart(void **state) {
  struct sim *s = test_malloc(sizeof *s);
  int before;
  (void)state;
  sim_init(s, cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR),
           cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0), 10, RTG_MS(30), 15);
  topology(s);
  run(s, RTG_SEC(10), true);
  assert_connected(s);
  before = s->p[0].selected_changes;
  s->restarted = true;
  /* both sides restart (new offer/answer), candidates are exchanged again */
  assert_int_equal(rtg_ice_agent_restart(s->p[0].ag, "ufragA2", "passwordA2-0123456789a"), 0);
  assert_int_equal(rtg_ice_agent_restart(s->p[1].ag, "ufragB2", "passwordB2-0123456789a"), 0);
  assert_int_equal(
      rtg_ice_agent_set_remote_credentials(s->p[0].ag, "ufragB2", "passwordB2-0123456789a"), 0);
  assert_int_equal(
      rtg_ice_agent_set_remote_credentials(s->p[1].ag, "ufragA2", "passwordA2-0123456789a"), 0);
  /* still selected while the new checks run */
  assert_int_equal(rtg_ice_agent_selected_pair(s->p[0].ag, NULL, NULL), 0);
  for (size_t k = 0; k < s->p[0].naddrs; k++) {
    struct rtg_ice_cand c = host(s->p[0].addrs[k]);
    assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[1].ag, &c), 0);
  }
  {
    struct rtg_ice_cand c = host(s->p[1].addrs[0]);
    assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[0].ag, &c), 0);
  }
  run(s, s->now + RTG_SEC(20), false);
  assert_true(s->p[0].selected_changes > before);
  assert_connected(s);
  assert_false(s->p[0].consent_lost || s->p[1].consent_lost);
  sim_free(s);
  test_free(s);
}

/* A request without integrity gets 400, a wrong password 401, and neither
 * changes the agent. */
static void test_stun_ice_agent_rejects_bad_requests(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_ice_agent *ag;
  struct rtg_ice_config cfg = cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0);
  struct rtg_ice_cand c = host(tu_v4(127, 0, 0, 1, 5000));
  struct rtg_stun_addr peer = tu_v4(127, 0, 0, 1, 6000), src, dst;
  struct rtg_stun_builder b;
  struct rtg_stun_cred wrong;
  struct rtg_stun_msg m;
  struct rtg_stun_attr at;
  struct rtg_slice reason;
  uint16_t code;
  uint8_t tid[12] = {1}, buf[600], out[600];
  size_t len;
  ptrdiff_t n;
  (void)state;
  cfg.ufrag = "me";
  cfg.pwd = "my-password-0123456789";
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  assert_int_equal(rtg_ice_agent_new(&ag, &ctx, &cfg), 0);
  assert_int_equal(rtg_ice_agent_add_local_candidate(ag, &c), 0);
  /* no MESSAGE-INTEGRITY: 400 */
  assert_int_equal(rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_REQUEST, 1, tid), 0);
  assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, "me:you", 6), 0);
  assert_int_equal(rtg_stun_builder_add_fingerprint(&b), 0);
  n = rtg_stun_builder_finish(&b);
  assert_int_equal(rtg_ice_agent_handle_datagram(ag, 0, &c.addr, &peer, buf, (size_t)n),
                   RTG_ERR_AUTH);
  assert_int_equal(rtg_ice_agent_poll_transmit(ag, out, sizeof out, &len, &src, &dst), 0);
  assert_int_equal(rtg_stun_msg_parse(&m, out, len, NULL), 0);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_ERROR_CODE, &at), 0);
  assert_int_equal(rtg_stun_attr_error_code(&at, &code, &reason, NULL), 0);
  assert_int_equal(code, 400);
  assert_true(same(&dst, &peer));
  /* wrong password: 401 */
  assert_int_equal(rtg_stun_cred_init_short(&wrong, "not-my-password-012345", 22), 0);
  assert_int_equal(rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_REQUEST, 1, tid), 0);
  assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, "me:you", 6), 0);
  assert_int_equal(rtg_stun_builder_add_integrity(&b, &wrong), 0);
  assert_int_equal(rtg_stun_builder_add_fingerprint(&b), 0);
  n = rtg_stun_builder_finish(&b);
  assert_int_equal(rtg_ice_agent_handle_datagram(ag, 0, &c.addr, &peer, buf, (size_t)n),
                   RTG_ERR_AUTH);
  assert_int_equal(rtg_ice_agent_poll_transmit(ag, out, sizeof out, &len, &src, &dst), 0);
  assert_int_equal(rtg_stun_msg_parse(&m, out, len, NULL), 0);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_ERROR_CODE, &at), 0);
  assert_int_equal(rtg_stun_attr_error_code(&at, &code, &reason, NULL), 0);
  assert_int_equal(code, 401);
  assert_int_equal(rtg_ice_agent_poll_transmit(ag, out, sizeof out, &len, &src, &dst),
                   RTG_ERR_AGAIN);
  /* arriving on an address that is no candidate's base */
  assert_int_equal(rtg_ice_agent_handle_datagram(ag, 0, &peer, &peer, buf, (size_t)n),
                   RTG_ERR_NOTFOUND);
  assert_int_equal(rtg_ice_agent_selected_pair(ag, NULL, NULL), RTG_ERR_NOTFOUND);
  rtg_stun_cred_free(&wrong);
  rtg_ice_agent_free(ag);
}

/* IPv6 hosts, and a relay candidate on one side: pairs stay within a
 * family, and the relayed address is a base checks go out from. */
static void test_stun_ice_agent_ipv6_and_relay(void **state) {
  struct sim *s = test_malloc(sizeof *s);
  struct rtg_stun_addr a6, b6, relay = tu_v4(198, 51, 100, 7, 40000), b4 = tu_v4(10, 0, 0, 2, 6001);
  struct rtg_ice_cand c;
  (void)state;
  memset(&a6, 0, sizeof a6);
  a6.family = 2;
  a6.port = 5000;
  a6.addr[0] = 0xfd;
  a6.addr[15] = 1;
  b6 = a6;
  b6.port = 6000;
  b6.addr[15] = 2;
  sim_init(s, cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLING, RTG_ICE_NOMINATE_REGULAR),
           cfg_of(RTG_ICE_FULL, RTG_ICE_CONTROLLED, 0), 10, RTG_MS(20), 17);
  add_host(s, 0, a6, true);
  add_host(s, 1, b6, true);
  /* A's relayed address (an IPv4 TURN allocation) and B's IPv4 host */
  memset(&c, 0, sizeof c);
  c.type = RTG_ICE_CAND_RELAY;
  c.addr = relay;
  c.base = relay;
  s->p[0].addrs[s->p[0].naddrs++] = relay;
  assert_int_equal(rtg_ice_agent_add_local_candidate(s->p[0].ag, &c), 0);
  c.priority = rtg_ice_cand_priority(RTG_ICE_CAND_RELAY, 65535);
  assert_int_equal(rtg_ice_agent_add_remote_candidate(s->p[1].ag, &c), 0);
  add_host(s, 1, b4, true);
  run(s, RTG_SEC(30), true);
  run(s, s->now + RTG_SEC(10), false);
  assert_connected(s);
  {
    struct rtg_ice_cand l, r;
    assert_int_equal(rtg_ice_agent_selected_pair(s->p[0].ag, &l, &r), 0);
    /* host/host IPv6 beats anything through the relay */
    assert_int_equal(l.base.family, 2);
    assert_int_equal(r.addr.family, 2);
  }
  sim_free(s);
  test_free(s);
}

static void test_stun_ice_cand_priority_rfc8445(void **state) {
  (void)state;
  /* RFC 8445 §5.1.2.1 with type preference 126, local 65535, component 1 */
  assert_int_equal(rtg_ice_cand_priority(RTG_ICE_CAND_HOST, 65535), 2130706431u);
  assert_int_equal(rtg_ice_cand_priority(RTG_ICE_CAND_SRFLX, 65535), 1694498815u);
  assert_int_equal(rtg_ice_cand_priority(RTG_ICE_CAND_RELAY, 0), 255u);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stun_ice_cand_priority_rfc8445),
      cmocka_unit_test(test_stun_ice_agent_rejects_bad_requests),
      cmocka_unit_test(test_stun_ice_agent_full_regular),
      cmocka_unit_test(test_stun_ice_agent_full_regular_lossy),
      cmocka_unit_test(test_stun_ice_agent_full_aggressive_lossy),
      cmocka_unit_test(test_stun_ice_agent_role_conflict),
      cmocka_unit_test(test_stun_ice_agent_lite),
      cmocka_unit_test(test_stun_ice_agent_trickle_prflx),
      cmocka_unit_test(test_stun_ice_agent_mdns),
      cmocka_unit_test(test_stun_ice_agent_consent_lost),
      cmocka_unit_test(test_stun_ice_agent_fails_after_eoc),
      cmocka_unit_test(test_stun_ice_agent_restart),
      cmocka_unit_test(test_stun_ice_agent_ipv6_and_relay),
  };
  return cmocka_run_group_tests_name("stun_ice", tests, NULL, NULL);
}
