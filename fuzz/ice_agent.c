/*
 * ice_agent - drives the sans-IO ICE agent with a command stream: deliver a
 * raw datagram, deliver a well-formed authenticated request or response
 * built from the input (so checks can succeed and nominate), advance time,
 * add a (trickled or mDNS) remote candidate, resolve it, end-of-candidates,
 * ICE restart.
 *
 * Invariants checked after every command: every datagram the agent sends
 * parses, is a Binding message with a FINGERPRINT, and authenticates with
 * the right password (requests with the peer's, responses with ours,
 * except 400/401 which cannot); events are well-formed; poll_timeout never
 * lies in the past twice in a row.
 *
 * Input: byte 0 = configuration (mode, role, nomination, remote lite), byte
 * 1 = PRNG seed, then commands (first byte % 8 selects one).
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/ice.h"
#include "rtg_fuzz.h"

struct fz {
  struct rtg_ice_agent *ag;
  struct rtg_stun_cred lcred, rcred; /* our password, the peer's */
  char lufrag[16], rufrag[16];
  rtg_time now;
  struct rtg_stun_addr local[2], remote[4];
  uint8_t last_tid[RTG_STUN_TID_LEN];
  struct rtg_stun_addr last_dst, last_src;
  bool have_req;
  unsigned gen;
};

static struct rtg_stun_addr addr4(uint8_t last, uint16_t port) {
  struct rtg_stun_addr a;
  memset(&a, 0, sizeof a);
  a.family = 1;
  a.addr[0] = 10;
  a.addr[3] = last;
  a.port = port;
  return a;
}

static void creds(struct fz *f, bool first) {
  char lp[32], rp[32];
  /* generation-numbered credentials so restarts change them */
  memcpy(f->lufrag, "lufr", 5);
  memcpy(f->rufrag, "rufr", 5);
  f->lufrag[4] = (char)('a' + f->gen % 26);
  f->rufrag[4] = (char)('a' + f->gen % 26);
  f->lufrag[5] = f->rufrag[5] = '\0';
  memcpy(lp, "local-password-0123456789", 26);
  memcpy(rp, "remote-password-012345678", 26);
  lp[0] = rp[0] = (char)('a' + f->gen % 26);
  if (!first) {
    rtg_stun_cred_free(&f->lcred);
    rtg_stun_cred_free(&f->rcred);
    CHECK(rtg_ice_agent_restart(f->ag, f->lufrag, lp) == 0);
  }
  CHECK(rtg_stun_cred_init_short(&f->lcred, lp, strlen(lp)) == 0);
  CHECK(rtg_stun_cred_init_short(&f->rcred, rp, strlen(rp)) == 0);
  if (!first) CHECK(rtg_ice_agent_set_remote_credentials(f->ag, f->rufrag, rp) == 0);
}

static void drain(struct fz *f) {
  uint8_t buf[1500];
  size_t len;
  struct rtg_stun_addr src, dst;
  struct rtg_ice_event ev;
  while (rtg_ice_agent_poll_transmit(f->ag, buf, sizeof buf, &len, &src, &dst) == 0) {
    struct rtg_stun_msg m;
    CHECK(rtg_stun_msg_parse(&m, buf, len, NULL) == 0);
    CHECK(m.method == RTG_STUN_BINDING && m.fp_off != 0);
    CHECK(rtg_stun_msg_check_fingerprint(&m, NULL) == 0);
    if (m.cls == RTG_STUN_REQUEST) {
      CHECK(rtg_stun_msg_check_integrity(&m, &f->rcred, NULL) == 0);
      memcpy(f->last_tid, m.tid, RTG_STUN_TID_LEN);
      f->last_dst = dst;
      f->last_src = src;
      f->have_req = true;
    } else if (m.mi_off) {
      CHECK(rtg_stun_msg_check_integrity(&m, &f->lcred, NULL) == 0);
    }
  }
  while (rtg_ice_agent_poll_event(f->ag, &ev) == 0) {
    CHECK(ev.type >= RTG_ICE_EV_SELECTED_PAIR && ev.type <= RTG_ICE_EV_VALID_PAIR);
    CHECK(ev.role <= RTG_ICE_CONTROLLED);
    if (ev.type == RTG_ICE_EV_SELECTED_PAIR)
      CHECK(rtg_ice_agent_selected_pair(f->ag, NULL, NULL) == 0);
    /* a valid pair is reported only while none is selected (RFC 8445 §12.1) */
    if (ev.type == RTG_ICE_EV_VALID_PAIR)
      CHECK(rtg_ice_agent_selected_pair(f->ag, NULL, NULL) == RTG_ERR_NOTFOUND);
  }
}

static void deliver(struct fz *f, const struct rtg_stun_addr *local,
                    const struct rtg_stun_addr *src, const uint8_t *d, size_t n) {
  int rc = rtg_ice_agent_handle_datagram(f->ag, f->now, local, src, d, n);
  CHECK(rc == 0 || rc == RTG_ERR_PARSE || rc == RTG_ERR_AUTH || rc == RTG_ERR_NOTFOUND);
}

/* A peer's Binding request, authenticated with our password. */
static void peer_request(struct fz *f, struct rtg_fuzz_in *in) {
  uint8_t buf[600], tid[RTG_STUN_TID_LEN] = {0}, flags = rtg_fuzz_take(in);
  char user[40];
  size_t ul = strlen(f->lufrag), rl = strlen(f->rufrag);
  struct rtg_stun_builder b;
  uint64_t tie = (uint64_t)rtg_fuzz_take(in) << 56 | rtg_fuzz_take(in);
  ptrdiff_t n;
  tid[0] = rtg_fuzz_take(in);
  tid[1] = rtg_fuzz_take(in);
  memcpy(user, f->lufrag, ul);
  user[ul] = ':';
  memcpy(user + ul + 1, f->rufrag, rl);
  CHECK(rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_REQUEST, RTG_STUN_BINDING, tid) == 0);
  CHECK(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, user, ul + 1 + rl) == 0);
  CHECK(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_PRIORITY,
                                 0x6e0000ffu | (uint32_t)rtg_fuzz_take(in) << 8) == 0);
  if (flags & 1) CHECK(rtg_stun_builder_add_u64(&b, RTG_STUN_ATTR_ICE_CONTROLLING, tie) == 0);
  if (flags & 2) CHECK(rtg_stun_builder_add_u64(&b, RTG_STUN_ATTR_ICE_CONTROLLED, tie) == 0);
  if (flags & 4) CHECK(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USE_CANDIDATE, NULL, 0) == 0);
  if (flags & 8) CHECK(rtg_stun_builder_add(&b, 0x7fee, "x", 1) == 0);
  CHECK(rtg_stun_builder_add_integrity(&b, (flags & 16) ? &f->rcred : &f->lcred) == 0);
  CHECK(rtg_stun_builder_add_fingerprint(&b) == 0);
  n = rtg_stun_builder_finish(&b);
  CHECK(n > 0);
  deliver(f, &f->local[(flags >> 5) & 1], &f->remote[(flags >> 6) & 3], buf, (size_t)n);
}

/* A response to the agent's last request, authenticated with the peer's
 * password; from where it went (or elsewhere, to test symmetry). */
static void peer_response(struct fz *f, struct rtg_fuzz_in *in) {
  uint8_t buf[600], flags = rtg_fuzz_take(in);
  struct rtg_stun_builder b;
  struct rtg_stun_addr mapped = f->last_src;
  ptrdiff_t n;
  if (!f->have_req) return;
  if (flags & 1) mapped.port ^= rtg_fuzz_take(in); /* a NAT: peer-reflexive local */
  CHECK(rtg_stun_builder_init(&b, buf, sizeof buf, (flags & 2) ? RTG_STUN_ERROR : RTG_STUN_SUCCESS,
                              RTG_STUN_BINDING, f->last_tid) == 0);
  if (flags & 2)
    CHECK(rtg_stun_builder_add_error(&b, (flags & 4) ? 487 : 500, "x", 1) == 0);
  else
    CHECK(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped) == 0);
  CHECK(rtg_stun_builder_add_integrity(&b, &f->rcred) == 0);
  CHECK(rtg_stun_builder_add_fingerprint(&b) == 0);
  n = rtg_stun_builder_finish(&b);
  CHECK(n > 0);
  deliver(f, (flags & 8) ? &f->local[1] : &f->last_src,
          (flags & 16) ? &f->remote[flags >> 6] : &f->last_dst, buf, (size_t)n);
}

static void remote_cand(struct fz *f, struct rtg_fuzz_in *in) {
  struct rtg_ice_cand c;
  uint8_t k = rtg_fuzz_take(in);
  memset(&c, 0, sizeof c);
  c.type = k & 3;
  c.addr = f->remote[(k >> 2) & 3];
  c.priority = (uint32_t)rtg_fuzz_take(in) << 24 | rtg_fuzz_take(in);
  c.foundation[0] = (char)('a' + (k >> 4));
  if (k & 0x80) {
    memcpy(c.hostname, "peer.local", 11);
    memset(&c.addr, 0, sizeof c.addr);
  }
  {
    int rc = rtg_ice_agent_add_remote_candidate(f->ag, &c);
    CHECK(rc == 0 || rc == RTG_ERR_NOBUF);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct fz f;
  struct rtg_fuzz_in in = {data, size};
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_ice_config cfg;
  uint8_t c0 = rtg_fuzz_take(&in);
  memset(&f, 0, sizeof f);
  memset(&cfg, 0, sizeof cfg);
  rtg_ctx_deterministic(&ctx, &prng, rtg_fuzz_take(&in), NULL);
  cfg.mode = c0 & 1;
  cfg.role = (c0 >> 1) & 1;
  cfg.nomination = (c0 >> 2) & 1;
  cfg.remote_lite = (c0 >> 3) & 1;
  creds(&f, true);
  cfg.ufrag = f.lufrag;
  {
    char lp[32];
    memcpy(lp, "local-password-0123456789", 26);
    lp[0] = 'a';
    cfg.pwd = lp;
    CHECK(rtg_ice_agent_new(&f.ag, &ctx, &cfg) == 0);
  }
  {
    char rp[32];
    memcpy(rp, "remote-password-012345678", 26);
    rp[0] = 'a';
    CHECK(rtg_ice_agent_set_remote_credentials(f.ag, f.rufrag, rp) == 0);
  }
  for (int i = 0; i < 2; i++) {
    struct rtg_ice_cand c;
    memset(&c, 0, sizeof c);
    f.local[i] = addr4((uint8_t)(1 + i), (uint16_t)(5000 + i));
    c.type = RTG_ICE_CAND_HOST;
    c.addr = f.local[i];
    CHECK(rtg_ice_agent_add_local_candidate(f.ag, &c) == 0);
  }
  for (int i = 0; i < 4; i++) f.remote[i] = addr4((uint8_t)(100 + i), (uint16_t)(6000 + i));
  while (in.n > 0) {
    uint8_t op = rtg_fuzz_take(&in);
    switch (op % 8) {
      case 0: { /* raw datagram */
        size_t n = rtg_fuzz_take(&in);
        if (n > in.n) n = in.n;
        deliver(&f, &f.local[op >> 7], &f.remote[(op >> 4) & 3], in.p, n);
        in.p += n;
        in.n -= n;
        break;
      }
      case 1: peer_request(&f, &in); break;
      case 2: peer_response(&f, &in); break;
      case 3: { /* time passes */
        rtg_time t = rtg_ice_agent_poll_timeout(f.ag);
        rtg_time step = RTG_MS((uint32_t)rtg_fuzz_take(&in) * 20);
        if ((op & 0x80) && t != RTG_TIME_NEVER && t > f.now) step = t - f.now;
        f.now += step;
        CHECK(rtg_ice_agent_handle_timeout(f.ag, f.now) == 0);
        break;
      }
      case 4: remote_cand(&f, &in); break;
      case 5: {
        struct rtg_stun_addr a = f.remote[op >> 6];
        int rc = rtg_ice_agent_resolve_mdns(f.ag, "peer.local", &a);
        CHECK(rc == 0 || rc == RTG_ERR_NOTFOUND);
        break;
      }
      case 6: rtg_ice_agent_end_of_candidates(f.ag); break;
      default:
        f.gen++;
        creds(&f, false);
        f.have_req = false;
        break;
    }
    drain(&f);
    /* after handle_timeout(now) nothing may be due any more: a timer left
     * in the past would make the I/O loop spin */
    CHECK(rtg_ice_agent_handle_timeout(f.ag, f.now) == 0);
    drain(&f);
    CHECK(rtg_ice_agent_poll_timeout(f.ag) > f.now);
  }
  rtg_ice_agent_free(f.ag);
  rtg_stun_cred_free(&f.lcred);
  rtg_stun_cred_free(&f.rcred);
  return 0;
}
