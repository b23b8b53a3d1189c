/*
 * stun_ice_nice_test.c - interop: rtcgate's sans-IO ICE agent against an
 * in-process libnice agent over real UDP sockets on 127.0.0.1, both roles.
 * This file is the I/O layer for the test: it owns the socket and the clock
 * and drives our agent by the DESIGN.md rule 1 drain loop; libnice runs on
 * the default GLib main context, iterated in the same loop. Traffic stays on
 * 127.0.0.1, bounded to 15 s per case.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <agent.h>
#include <cmocka.h>

#include "rtg/ice.h"
#include "test_util.h"

struct nice_side {
  NiceAgent *agent;
  guint stream;
  bool gathered, ready, failed;
};

static void on_gathered(NiceAgent *agent, guint stream, gpointer ud) {
  struct nice_side *n = ud;
  (void)agent;
  (void)stream;
  n->gathered = true;
}

static void on_state(NiceAgent *agent, guint stream, guint comp, guint state, gpointer ud) {
  struct nice_side *n = ud;
  (void)agent;
  (void)stream;
  (void)comp;
  if (state == NICE_COMPONENT_STATE_READY) n->ready = true;
  if (state == NICE_COMPONENT_STATE_FAILED) n->failed = true;
}

static void on_recv(NiceAgent *agent, guint stream, guint comp, guint len, gchar *buf,
                    gpointer ud) {
  (void)agent;
  (void)stream;
  (void)comp;
  (void)len;
  (void)buf;
  (void)ud;
}

static void run_case(bool nice_controlling) {
  struct nice_side n = {0};
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_ice_agent *ag;
  struct rtg_ice_config cfg;
  struct rtg_ice_cand mine;
  struct rtg_stun_addr local;
  struct sockaddr_in sin;
  uint16_t port;
  NiceAddress loop;
  gchar *ufrag = NULL, *pwd = NULL;
  GSList *cands, *l;
  rtg_time start = tu_mono(), deadline = start + RTG_SEC(15);
  bool connected = false;
  int fd = tu_udp_socket(&port);
  local = tu_v4(127, 0, 0, 1, port);
  sin = tu_sin_from_addr(&local);

  /* libnice, gathering on 127.0.0.1 only */
  n.agent = nice_agent_new(g_main_context_default(), NICE_COMPATIBILITY_RFC5245);
  assert_non_null(n.agent);
  g_object_set(n.agent, "controlling-mode", nice_controlling, "upnp", FALSE, "ice-tcp", FALSE,
               NULL);
  nice_address_init(&loop);
  assert_true(nice_address_set_from_string(&loop, "127.0.0.1"));
  assert_true(nice_agent_add_local_address(n.agent, &loop));
  g_signal_connect(n.agent, "candidate-gathering-done", G_CALLBACK(on_gathered), &n);
  g_signal_connect(n.agent, "component-state-changed", G_CALLBACK(on_state), &n);
  n.stream = nice_agent_add_stream(n.agent, 1);
  assert_true(n.stream > 0);
  assert_true(nice_agent_attach_recv(n.agent, n.stream, 1, g_main_context_default(), on_recv, &n));
  assert_true(nice_agent_gather_candidates(n.agent, n.stream));
  while (!n.gathered && tu_mono() < deadline) g_main_context_iteration(NULL, TRUE);
  assert_true(n.gathered);
  assert_true(nice_agent_get_local_credentials(n.agent, n.stream, &ufrag, &pwd));

  /* ours: deterministic randomness, real clock (this is the I/O layer) */
  memset(&cfg, 0, sizeof cfg);
  cfg.mode = RTG_ICE_FULL;
  cfg.role = nice_controlling ? RTG_ICE_CONTROLLED : RTG_ICE_CONTROLLING;
  cfg.ufrag = "rtgU";
  cfg.pwd = "rtcgate-interop-password";
  rtg_ctx_deterministic(&ctx, &prng, 42, NULL);
  assert_int_equal(rtg_ice_agent_new(&ag, &ctx, &cfg), 0);
  memset(&mine, 0, sizeof mine);
  mine.type = RTG_ICE_CAND_HOST;
  mine.addr = local;
  mine.priority = rtg_ice_cand_priority(RTG_ICE_CAND_HOST, 65535);
  memcpy(mine.foundation, "1", 2);
  assert_int_equal(rtg_ice_agent_add_local_candidate(ag, &mine), 0);
  assert_int_equal(rtg_ice_agent_set_remote_credentials(ag, ufrag, pwd), 0);

  /* candidates both ways */
  cands = nice_agent_get_local_candidates(n.agent, n.stream, 1);
  assert_non_null(cands);
  for (l = cands; l; l = l->next) {
    NiceCandidate *c = l->data;
    struct sockaddr_in cs;
    struct rtg_ice_cand rc;
    if (nice_address_ip_version(&c->addr) != 4 || c->transport != NICE_CANDIDATE_TRANSPORT_UDP)
      continue;
    nice_address_copy_to_sockaddr(&c->addr, (struct sockaddr *)&cs);
    memset(&rc, 0, sizeof rc);
    rc.type = RTG_ICE_CAND_HOST;
    rc.addr = tu_addr_from_sin(&cs);
    rc.priority = c->priority;
    g_strlcpy(rc.foundation, c->foundation, sizeof rc.foundation);
    assert_int_equal(rtg_ice_agent_add_remote_candidate(ag, &rc), 0);
  }
  g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
  rtg_ice_agent_end_of_candidates(ag);
  {
    NiceCandidate *c = nice_candidate_new(NICE_CANDIDATE_TYPE_HOST);
    GSList *one;
    c->component_id = 1;
    c->stream_id = n.stream;
    c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
    c->priority = mine.priority;
    g_strlcpy(c->foundation, "1", sizeof c->foundation);
    nice_address_set_from_sockaddr(&c->addr, (struct sockaddr *)&sin);
    assert_true(nice_agent_set_remote_credentials(n.agent, n.stream, cfg.ufrag, cfg.pwd));
    one = g_slist_append(NULL, c);
    assert_int_equal(nice_agent_set_remote_candidates(n.agent, n.stream, 1, one), 1);
    g_slist_free_full(one, (GDestroyNotify)nice_candidate_free);
  }

  /* the loop: libnice's main context and our drain loop, turn by turn */
  while (tu_mono() < deadline && !(connected && n.ready)) {
    uint8_t buf[1500];
    struct pollfd pfd = {fd, POLLIN, 0};
    rtg_time now = tu_mono(), t = rtg_ice_agent_poll_timeout(ag);
    int wait_ms = 5;
    size_t len;
    struct rtg_stun_addr src, dst;
    struct rtg_ice_event ev;
    if (t != RTG_TIME_NEVER && t > now && (t - now) / 1000000 < wait_ms)
      wait_ms = (int)((t - now) / 1000000);
    if (poll(&pfd, 1, wait_ms) > 0) {
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
      if (r > 0) {
        struct rtg_stun_addr fa = tu_addr_from_sin(&from);
        int rc = rtg_ice_agent_handle_datagram(ag, tu_mono(), &mine.addr, &fa, buf, (size_t)r);
        assert_true(rc == 0 || rc == RTG_ERR_NOTFOUND);
      }
    }
    now = tu_mono();
    if (rtg_ice_agent_poll_timeout(ag) <= now)
      assert_int_equal(rtg_ice_agent_handle_timeout(ag, now), 0);
    while (rtg_ice_agent_poll_transmit(ag, buf, sizeof buf, &len, &src, &dst) == 0) {
      struct sockaddr_in to = tu_sin_from_addr(&dst);
      /* only ever to 127.0.0.0/8 */
      assert_int_equal(dst.addr[0], 127);
      assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
    }
    while (rtg_ice_agent_poll_event(ag, &ev) == 0) {
      if (ev.type == RTG_ICE_EV_CONNECTED) connected = true;
      assert_int_not_equal(ev.type, RTG_ICE_EV_FAILED);
    }
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    assert_false(n.failed);
  }
  assert_true(connected);
  assert_true(n.ready);
  {
    NiceCandidate *lc = NULL, *rc = NULL;
    struct rtg_ice_cand sl_, sr;
    struct sockaddr_in a;
    assert_true(nice_agent_get_selected_pair(n.agent, n.stream, 1, &lc, &rc));
    assert_int_equal(rtg_ice_agent_selected_pair(ag, &sl_, &sr), 0);
    /* libnice's remote is us, our remote is libnice's local */
    nice_address_copy_to_sockaddr(&rc->addr, (struct sockaddr *)&a);
    assert_int_equal(ntohs(a.sin_port), sl_.base.port);
    nice_address_copy_to_sockaddr(&lc->addr, (struct sockaddr *)&a);
    assert_int_equal(ntohs(a.sin_port), sr.addr.port);
  }
  g_free(ufrag);
  g_free(pwd);
  rtg_ice_agent_free(ag);
  g_object_unref(n.agent);
  while (g_main_context_iteration(NULL, FALSE)) {
  }
  close(fd);
}

static void test_stun_ice_nice_interop_nice_controlling(void **state) {
  (void)state;
  run_case(true);
}

static void test_stun_ice_nice_interop_rtcgate_controlling(void **state) {
  (void)state;
  run_case(false);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stun_ice_nice_interop_nice_controlling),
      cmocka_unit_test(test_stun_ice_nice_interop_rtcgate_controlling),
  };
  return cmocka_run_group_tests_name("stun_ice_nice", tests, NULL, NULL);
}
