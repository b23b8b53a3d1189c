/*
 * turn_coturn_test.c - the sans-IO TURN client against a real coturn
 * (`turnserver` from Debian) started by this test on 127.0.0.1 with a
 * random high port and long-term credentials u:p in realm r. The client
 * allocates, creates a permission for a local UDP echo socket and relays
 * datagrams to it through Send indications and through a channel, then
 * deallocates. The test does its own sockets (the stack does not); every
 * wait is bounded and the server is killed on every exit path. A second
 * case gives the allocation's relay candidate to an ICE agent, which
 * connects through coturn to an agent on a plain socket. Skipped
 * (passing) when turnserver is not installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rtg/ice.h"
#include "rtg/turn.h"
#include "test_util.h"

static pid_t server_pid = -1;
static char tmpdir[256];

static void kill_server(void) {
  if (server_pid > 0) {
    int st;
    kill(server_pid, SIGKILL);
    waitpid(server_pid, &st, 0);
    server_pid = -1;
  }
}

static const char *find_turnserver(void) {
  static char path[512];
  const char *env = getenv("PATH");
  char buf[4096];
  char *save = NULL;
  snprintf(buf, sizeof buf, "%s", env ? env : "/usr/bin:/bin");
  for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    snprintf(path, sizeof path, "%s/turnserver", d);
    if (access(path, X_OK) == 0) return path;
  }
  return NULL;
}

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/rtg-coturn-XXXXXX");
  if (mkdtemp(tmpdir) == NULL) return -1;
  return 0;
}

static int teardown(void **state) {
  char cmd[400];
  (void)state;
  kill_server();
  if (getenv("RTG_COTURN_LOG")) {
    char cat[400];
    snprintf(cat, sizeof cat, "cat '%s/turnserver.log'", tmpdir);
    if (system(cat) != 0) return -1;
  }
  if (tmpdir[0]) {
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) return -1;
  }
  return 0;
}

/* Starts turnserver on 127.0.0.1:|port|; its output goes to a log file. */
static void start_server(const char *bin, uint16_t port) {
  char portbuf[16], logf[300], pidf[300], dbf[300];
  snprintf(portbuf, sizeof portbuf, "%u", port);
  snprintf(logf, sizeof logf, "%s/turnserver.log", tmpdir);
  snprintf(pidf, sizeof pidf, "%s/turnserver.pid", tmpdir);
  snprintf(dbf, sizeof dbf, "%s/turndb", tmpdir);
  server_pid = fork();
  assert_true(server_pid >= 0);
  if (server_pid == 0) {
    int fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl(bin, "turnserver", "-n", "--listening-port", portbuf, "--listening-ip", "127.0.0.1",
          "--relay-ip", "127.0.0.1", "--lt-cred-mech", "--user", "u:p", "--realm", "r", "--no-tls",
          "--no-dtls", "--no-tcp-relay", "--no-cli", "--allowed-peer-ip", "127.0.0.1",
          "--allow-loopback-peers", "--pidfile", pidf, "--userdb", dbf, "--log-file", "stdout",
          "--simple-log", (char *)NULL);
    _exit(127);
  }
}

struct io {
  struct rtg_turn_client *c;
  int cfd, efd;              /* client socket, echo socket */
  struct rtg_stun_addr echo; /* the echo socket's address */
  int echoed;                /* datagrams the echo socket sent back */
};

/* Sends whatever the client has queued. */
static void flush(struct io *io) {
  uint8_t buf[2048];
  size_t len;
  struct rtg_stun_addr dst;
  struct sockaddr_in sa;
  while (rtg_turn_client_poll_transmit(io->c, buf, sizeof buf, &len, &dst) == 0) {
    sa = tu_sin_from_addr(&dst);
    assert_true(sendto(io->cfd, buf, len, 0, (struct sockaddr *)&sa, sizeof sa) == (ssize_t)len);
  }
}

/* Runs the I/O loop until an event arrives or |deadline| passes; returns
 * the event type (RTG_TURN_EV_NONE on timeout). */
static enum rtg_turn_event_type wait_event(struct io *io, rtg_time deadline,
                                           struct rtg_turn_event *ev, uint8_t *data, size_t *dlen) {
  for (;;) {
    struct pollfd p[2] = {{io->cfd, POLLIN, 0}, {io->efd, POLLIN, 0}};
    rtg_time now = tu_mono(), t;
    int ms;
    flush(io);
    if (rtg_turn_client_poll_event(io->c, ev) == 0) {
      if (ev->type == RTG_TURN_EV_DATA && data) {
        memcpy(data, ev->data, ev->len);
        *dlen = ev->len;
      }
      return ev->type;
    }
    if (now >= deadline) return RTG_TURN_EV_NONE;
    t = rtg_turn_client_poll_timeout(io->c);
    if (t > deadline) t = deadline;
    ms = t <= now ? 0 : (int)((t - now) / 1000000) + 1;
    if (poll(p, 2, ms) < 0 && errno != EINTR) fail();
    now = tu_mono();
    if (p[0].revents & POLLIN) {
      uint8_t buf[2048];
      struct sockaddr_in sa;
      socklen_t sl = sizeof sa;
      struct rtg_stun_addr src;
      ssize_t n = recvfrom(io->cfd, buf, sizeof buf, 0, (struct sockaddr *)&sa, &sl);
      if (n > 0) {
        src = tu_addr_from_sin(&sa);
        (void)!rtg_turn_client_handle_datagram(io->c, now, &src, buf, (size_t)n);
      }
    }
    if (p[1].revents & POLLIN) {
      uint8_t buf[2048];
      struct sockaddr_in sa;
      socklen_t sl = sizeof sa;
      ssize_t n = recvfrom(io->efd, buf, sizeof buf, 0, (struct sockaddr *)&sa, &sl);
      if (n > 0 && sendto(io->efd, buf, (size_t)n, 0, (struct sockaddr *)&sa, sl) == n)
        io->echoed++;
    }
    assert_int_equal(rtg_turn_client_handle_timeout(io->c, tu_mono()), 0);
  }
}

/* Sends |msg| to the echo peer through the relay and waits for it back. */
static void relay_round_trip(struct io *io, const char *msg, bool via_channel) {
  struct rtg_turn_event ev;
  uint8_t data[2048];
  size_t dlen = 0;
  rtg_time deadline = tu_mono() + RTG_SEC(3);
  /* UDP may lose one: send up to 3 times */
  for (int attempt = 0; attempt < 3; attempt++) {
    assert_int_equal(rtg_turn_client_send(io->c, tu_mono(), &io->echo, msg, strlen(msg)), 0);
    enum rtg_turn_event_type t = wait_event(io, deadline, &ev, data, &dlen);
    if (t == RTG_TURN_EV_DATA) {
      assert_int_equal(dlen, strlen(msg));
      assert_memory_equal(data, msg, dlen);
      assert_memory_equal(&ev.peer, &io->echo, sizeof io->echo);
      if (via_channel)
        assert_int_not_equal(ev.channel, 0);
      else
        assert_int_equal(ev.channel, 0);
      return;
    }
    assert_int_equal(t, RTG_TURN_EV_NONE);
    deadline = tu_mono() + RTG_SEC(3);
  }
  fail_msg("no echo for '%s'", msg);
}

/* Starts turnserver and allocates through it; |ev| gets the ALLOCATED
 * event and |*cport| the client socket's port. Skips without turnserver. */
static void bring_up(struct io *io, struct rtg_ctx *ctx, struct rtg_turn_event *ev,
                     uint16_t *cport) {
  const char *bin = find_turnserver();
  struct rtg_turn_config cfg;
  uint16_t port, eport;
  enum rtg_turn_event_type t;
  if (bin == NULL) {
    print_message("turnserver (Debian package coturn) not installed: skipping\n");
    skip();
  }
  memset(io, 0, sizeof *io);
  /* a free port for the server: bind, read it, close */
  {
    int fd = tu_udp_socket(&port);
    close(fd);
  }
  io->cfd = tu_udp_socket(cport);
  io->efd = tu_udp_socket(&eport);
  io->echo = (struct rtg_stun_addr){1, eport, {127, 0, 0, 1}};
  start_server(bin, port);

  rtg_ctx_default(ctx);
  memset(&cfg, 0, sizeof cfg);
  cfg.server = (struct rtg_stun_addr){1, port, {127, 0, 0, 1}};
  cfg.username = "u";
  cfg.password = "p";
  cfg.software = "rtcgate turn_coturn_test";
  cfg.rto = RTG_MS(100); /* the server may still be starting: retry quickly */
  assert_int_equal(rtg_turn_client_new(&io->c, ctx, &cfg), 0);

  /* Allocate (retrying while turnserver starts up, at most ~10 s) */
  rtg_time deadline = tu_mono() + RTG_SEC(10);
  for (;;) {
    assert_int_equal(rtg_turn_client_allocate(io->c, tu_mono()), 0);
    t = wait_event(io, deadline, ev, NULL, NULL);
    if (t == RTG_TURN_EV_ALLOCATED) break;
    assert_int_equal(t, RTG_TURN_EV_FAILED);
    assert_int_equal(ev->error_code, 0); /* only timeouts are acceptable here */
    assert_true(tu_mono() < deadline);
  }
}

static void test_turn_coturn_allocate_relay(void **state) {
  struct rtg_ctx ctx;
  struct io io;
  struct rtg_turn_event ev;
  uint16_t cport, ch = 0;
  enum rtg_turn_event_type t;
  (void)state;
  bring_up(&io, &ctx, &ev, &cport);
  assert_int_equal(ev.relayed.family, 1);
  assert_memory_equal(ev.relayed.addr, "\x7f\x00\x00\x01", 4);
  assert_int_not_equal(ev.relayed.port, 0);
  assert_int_equal(ev.mapped.port, cport); /* XOR-MAPPED-ADDRESS: our socket */
  assert_true(ev.lifetime > 0);

  /* permission, then data through Send/Data indications */
  assert_int_equal(rtg_turn_client_permit(io.c, tu_mono(), &io.echo), 0);
  t = wait_event(&io, tu_mono() + RTG_SEC(5), &ev, NULL, NULL);
  assert_int_equal(t, RTG_TURN_EV_PERMISSION_CREATED);
  relay_round_trip(&io, "rtcgate via Send indication 1", false);
  relay_round_trip(&io, "rtcgate via Send indication 2", false);

  /* channel, then data through ChannelData */
  assert_int_equal(rtg_turn_client_bind(io.c, tu_mono(), &io.echo, &ch), 0);
  t = wait_event(&io, tu_mono() + RTG_SEC(5), &ev, NULL, NULL);
  assert_int_equal(t, RTG_TURN_EV_CHANNEL_BOUND);
  assert_int_equal(ev.channel, ch);
  relay_round_trip(&io, "rtcgate via channel 1", true);
  relay_round_trip(&io, "rtcgate via channel 2", true);
  assert_true(io.echoed >= 4);

  /* refresh, then deallocate */
  assert_int_equal(rtg_turn_client_refresh(io.c, tu_mono(), 300), 0);
  t = wait_event(&io, tu_mono() + RTG_SEC(5), &ev, NULL, NULL);
  assert_int_equal(t, RTG_TURN_EV_REFRESHED);
  assert_true(ev.lifetime > 0); /* the server picks (coturn keeps at least 600) */
  assert_int_equal(rtg_turn_client_refresh(io.c, tu_mono(), 0), 0);
  t = wait_event(&io, tu_mono() + RTG_SEC(5), &ev, NULL, NULL);
  assert_int_equal(t, RTG_TURN_EV_DEALLOCATED);

  rtg_turn_client_free(io.c);
  close(io.cfd);
  close(io.efd);
}

/* The relay candidate feeds an ICE agent: agent A has only the relay
 * candidate of the allocation (checks go out through the TURN client,
 * answers come back as DATA events), agent B a host candidate on a plain
 * socket; both must connect, A on a relay pair. */
static void test_turn_coturn_ice_relay_candidate(void **state) {
  struct rtg_ctx ctx;
  struct io io;
  struct rtg_turn_event ev;
  struct rtg_ice_config ca, cb;
  struct rtg_ice_agent *A = NULL, *B = NULL;
  struct rtg_ice_cand relay, hostb, l, r;
  uint16_t cport, bport;
  int bfd;
  bool a_conn = false, b_conn = false;
  (void)state;
  bring_up(&io, &ctx, &ev, &cport);
  bfd = tu_udp_socket(&bport);
  memset(&ca, 0, sizeof ca);
  ca.role = RTG_ICE_CONTROLLING;
  ca.ufrag = "rtgA";
  ca.pwd = "agentApassword01234567";
  memset(&cb, 0, sizeof cb);
  cb.role = RTG_ICE_CONTROLLED;
  cb.ufrag = "rtgB";
  cb.pwd = "agentBpassword01234567";
  assert_int_equal(rtg_ice_agent_new(&A, &ctx, &ca), 0);
  assert_int_equal(rtg_ice_agent_new(&B, &ctx, &cb), 0);
  assert_int_equal(rtg_turn_client_ice_candidate(io.c, "relay1", 65535, &relay), 0);
  assert_int_equal(relay.type, RTG_ICE_CAND_RELAY);
  assert_memory_equal(&relay.addr, &ev.relayed, sizeof relay.addr);
  memset(&hostb, 0, sizeof hostb);
  hostb.type = RTG_ICE_CAND_HOST;
  hostb.addr = (struct rtg_stun_addr){1, bport, {127, 0, 0, 1}};
  hostb.base = hostb.addr;
  snprintf(hostb.foundation, sizeof hostb.foundation, "host1");
  assert_int_equal(rtg_ice_agent_add_local_candidate(A, &relay), 0);
  assert_int_equal(rtg_ice_agent_add_local_candidate(B, &hostb), 0);
  assert_int_equal(rtg_ice_agent_set_remote_credentials(A, cb.ufrag, cb.pwd), 0);
  assert_int_equal(rtg_ice_agent_set_remote_credentials(B, ca.ufrag, ca.pwd), 0);
  assert_int_equal(rtg_ice_agent_add_remote_candidate(A, &hostb), 0);
  assert_int_equal(rtg_ice_agent_add_remote_candidate(B, &relay), 0);
  rtg_ice_agent_end_of_candidates(A);
  rtg_ice_agent_end_of_candidates(B);
  /* a permission for the remote candidate, as an agent gathering relay
   * candidates does (RFC 8445 §5.1.1.2 / RFC 8656 §9) */
  assert_int_equal(rtg_turn_client_permit(io.c, tu_mono(), &hostb.addr), 0);
  assert_int_equal(wait_event(&io, tu_mono() + RTG_SEC(5), &ev, NULL, NULL),
                   RTG_TURN_EV_PERMISSION_CREATED);

  rtg_time deadline = tu_mono() + RTG_SEC(10);
  while (!(a_conn && b_conn) && tu_mono() < deadline) {
    uint8_t buf[2048];
    size_t len;
    struct rtg_stun_addr src, dst;
    struct sockaddr_in sa;
    struct rtg_ice_event ie;
    rtg_time now = tu_mono(), t;
    struct pollfd p[2] = {{io.cfd, POLLIN, 0}, {bfd, POLLIN, 0}};
    int ms;
    while (rtg_ice_agent_poll_transmit(A, buf, sizeof buf, &len, &src, &dst) == 0) {
      assert_memory_equal(&src, &relay.addr, sizeof src); /* only the relay base */
      assert_int_equal(rtg_turn_client_send(io.c, now, &dst, buf, len), 0);
    }
    while (rtg_ice_agent_poll_transmit(B, buf, sizeof buf, &len, &src, &dst) == 0) {
      sa = tu_sin_from_addr(&dst);
      assert_true(sendto(bfd, buf, len, 0, (struct sockaddr *)&sa, sizeof sa) == (ssize_t)len);
    }
    flush(&io);
    while (rtg_turn_client_poll_event(io.c, &ev) == 0)
      if (ev.type == RTG_TURN_EV_DATA)
        (void)!rtg_ice_agent_handle_datagram(A, now, &relay.addr, &ev.peer, ev.data, ev.len);
    while (rtg_ice_agent_poll_event(A, &ie) == 0)
      a_conn = a_conn || ie.type == RTG_ICE_EV_CONNECTED;
    while (rtg_ice_agent_poll_event(B, &ie) == 0)
      b_conn = b_conn || ie.type == RTG_ICE_EV_CONNECTED;
    t = rtg_ice_agent_poll_timeout(A);
    if (rtg_ice_agent_poll_timeout(B) < t) t = rtg_ice_agent_poll_timeout(B);
    if (rtg_turn_client_poll_timeout(io.c) < t) t = rtg_turn_client_poll_timeout(io.c);
    if (t > deadline) t = deadline;
    ms = t <= now ? 0 : (int)((t - now) / 1000000) + 1;
    if (ms > 50) ms = 50;
    if (poll(p, 2, ms) < 0 && errno != EINTR) fail();
    now = tu_mono();
    if (p[0].revents & POLLIN) {
      socklen_t sl = sizeof sa;
      ssize_t n = recvfrom(io.cfd, buf, sizeof buf, 0, (struct sockaddr *)&sa, &sl);
      if (n > 0) {
        src = tu_addr_from_sin(&sa);
        (void)!rtg_turn_client_handle_datagram(io.c, now, &src, buf, (size_t)n);
      }
    }
    if (p[1].revents & POLLIN) {
      socklen_t sl = sizeof sa;
      ssize_t n = recvfrom(bfd, buf, sizeof buf, 0, (struct sockaddr *)&sa, &sl);
      if (n > 0) {
        src = tu_addr_from_sin(&sa);
        (void)!rtg_ice_agent_handle_datagram(B, now, &hostb.addr, &src, buf, (size_t)n);
      }
    }
    assert_int_equal(rtg_ice_agent_handle_timeout(A, now), 0);
    assert_int_equal(rtg_ice_agent_handle_timeout(B, now), 0);
    assert_int_equal(rtg_turn_client_handle_timeout(io.c, now), 0);
  }
  assert_true(a_conn);
  assert_true(b_conn);
  assert_int_equal(rtg_ice_agent_selected_pair(A, &l, &r), 0);
  assert_int_equal(l.type, RTG_ICE_CAND_RELAY);
  assert_memory_equal(&r.addr, &hostb.addr, sizeof r.addr);
  rtg_ice_agent_free(A);
  rtg_ice_agent_free(B);
  rtg_turn_client_free(io.c);
  close(bfd);
  close(io.cfd);
  close(io.efd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_turn_coturn_allocate_relay, setup, teardown),
      cmocka_unit_test_setup_teardown(test_turn_coturn_ice_relay_candidate, setup, teardown),
  };
  atexit(kill_server);
  return cmocka_run_group_tests_name("turn_coturn", tests, NULL, NULL);
}
