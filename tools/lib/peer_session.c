/*
 * peer_session.c - drives one rtg_peer (rtg/peer.h) over real sockets:
 * feeds datagrams and timers, drains transmits and events (DESIGN.md rule
 * 1), gathers host and srflx candidates, resolves mDNS names, records
 * events and statistics, and runs the two modes of `rtcgate peer`: the
 * answerer behind POST /offer and the offerer that POSTs its offer.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/http_client.h"
#include "lib/peer_session.h"

#define GATHER_MAX RTG_MS(2500)
#define LISTEN_POLL RTG_MS(5) /* libwebsockets is serviced at least this often */

/* ---- reporting -------------------------------------------------------------------- */

void rtg_pio_session_event(struct rtg_pio_session *s, rtg_time now, const char *name,
                           json_t *fields) {
  json_t *e = json_object();
  json_object_set_new(e, "event", json_string(name));
  json_object_set_new(e, "t_ms", json_real(rtg_pio_report_ms(&s->net->report, now)));
  if (fields) {
    json_object_update(e, fields);
    json_decref(fields);
  }
  json_array_append_new(s->events, e);
}

void rtg_pio_session_met(struct rtg_pio_session *s, rtg_time now, unsigned bit) {
  unsigned i = 0;
  if (s->met & bit) return;
  s->met |= bit;
  while (i < RTG_PIO_EXPECT_COUNT && (1u << i) != bit) i++;
  rtg_pio_session_event(s, now, "expectation-met",
                        json_pack("{s:s}", "expectation", rtg_pio_expect_name(i)));
  if (!s->net->o->quiet && (s->net->o->expect & bit))
    fprintf(stderr, "rtcgate peer: %s ok (%.0f ms)\n", rtg_pio_expect_name(i),
            (double)(now - s->started) / 1e6);
}

/* ---- the session ------------------------------------------------------------------- */

static void keylog_cb(void *ud, const char *line) { rtg_pio_report_keylog(ud, line); }

/* The answerer after the remote restarted ICE: the restart is done when a
 * pair is selected (below) or, when the agent keeps the same pair, once
 * the new credentials were taken (stats: restarts) and data still arrives. */
static void restart_flowing(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_peer_stats *st;
  if (!s->restart_pending || s->offerer) return;
  st = malloc(sizeof *st);
  if (st == NULL) return;
  rtg_peer_stats(s->peer, st);
  if (st->ice_restarts > 0 && st->ice_connected) {
    s->restart_pending = false;
    rtg_pio_session_met(s, now, RTG_PIO_EXPECT_ICE_RESTART);
  }
  free(st);
}

static void on_event(struct rtg_pio_session *s, const struct rtg_peer_event *ev, rtg_time now) {
  switch (ev->type) {
    case RTG_PEER_EV_CHANNEL_MESSAGE:
      s->dc_messages++;
      restart_flowing(s, now);
      break;
    case RTG_PEER_EV_RTP:
      s->rtp_packets++;
      restart_flowing(s, now);
      break;
    case RTG_PEER_EV_RTCP: break;
    default:
      rtg_pio_session_event(s, now, rtg_peer_event_name(ev->type), rtg_pio_event_fields(ev));
      break;
  }
  switch (ev->type) {
    case RTG_PEER_EV_GATHERING_DONE: s->gathered = true; break;
    case RTG_PEER_EV_LOCAL_CANDIDATE:
      if (s->tr) rtg_pio_trickle_candidate(s->tr, ev->candidate);
      break;
    case RTG_PEER_EV_MDNS_RESOLVE:
      if (!s->net->mdns_open || rtg_pio_mdns_resolve(&s->net->mdns, now, ev->hostname) != 0)
        rtg_pio_session_event(s, now, "mdns-failed", json_pack("{s:s}", "hostname", ev->hostname));
      break;
    case RTG_PEER_EV_ICE_CONNECTED:
    case RTG_PEER_EV_ICE_SELECTED_PAIR:
      rtg_pio_session_met(s, now, RTG_PIO_EXPECT_ICE);
      /* the answerer: a pair selected after the remote restarted ICE */
      if (s->restart_pending) {
        s->restart_pending = false;
        rtg_pio_session_met(s, now, RTG_PIO_EXPECT_ICE_RESTART);
      }
      break;
    case RTG_PEER_EV_DTLS_CONNECTED: rtg_pio_session_met(s, now, RTG_PIO_EXPECT_DTLS); break;
    case RTG_PEER_EV_ICE_FAILED:
    case RTG_PEER_EV_ICE_CONSENT_LOST:
    case RTG_PEER_EV_DTLS_FAILED:
    case RTG_PEER_EV_FINGERPRINT_MISMATCH:
    case RTG_PEER_EV_CLOSED:
      if (!s->ended) {
        s->ended = true;
        s->end_reason = rtg_peer_event_name(ev->type);
        if (ev->reason)
          snprintf(s->failure, sizeof s->failure, "%s: %s", rtg_peer_event_name(ev->type),
                   ev->reason);
      }
      break;
    default: break;
  }
  if (s->offerer) rtg_pio_test_on_event(s, ev, now);
}

static const struct rtg_pio_sock *sock_for(const struct rtg_pio_net *n,
                                           const struct rtg_stun_addr *a) {
  for (size_t i = 0; i < n->nsocks; i++)
    if (rtg_pio_addr_equal(&n->socks[i].local, a)) return &n->socks[i];
  return NULL;
}

void rtg_pio_session_drain(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_net *n = s->net;
  for (int round = 0; round < 64; round++) {
    bool any = false;
    struct rtg_peer_event ev;
    for (;;) {
      uint8_t buf[RTG_PEER_MAX_DATAGRAM];
      size_t len;
      struct rtg_stun_addr src, dst;
      const struct rtg_pio_sock *sk;
      if (rtg_peer_poll_transmit(s->peer, buf, sizeof buf, &len, &src, &dst) != 0) break;
      any = true;
      sk = sock_for(n, &src);
      if (sk) (void)rtg_pio_sock_send(sk, &dst, buf, len);
    }
    while (rtg_peer_poll_event(s->peer, &ev) == 0) {
      any = true;
      on_event(s, &ev, now);
    }
    if (!any) break;
  }
}

static void add_host_candidates(struct rtg_pio_session *s) {
  struct rtg_pio_net *n = s->net;
  if (n->o->relay_only) return;
  for (size_t i = 0; i < n->nsocks; i++) {
    struct rtg_ice_cand c;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_HOST;
    c.addr = c.base = n->socks[i].local;
    c.priority = rtg_ice_cand_priority(RTG_ICE_CAND_HOST, (uint16_t)(65535 - i));
    snprintf(c.foundation, sizeof c.foundation, "h%zu", i);
    if (rtg_peer_add_local_candidate(s->peer, &c) != 0)
      rtg_pio_session_event(s, rtg_pio_now(), "candidate-refused", rtg_pio_cand_json(&c));
  }
}

/* The srflx candidates are known (or their requests timed out). */
static void stun_finish(struct rtg_pio_session *s) {
  for (size_t i = 0; i < s->stun.n; i++) {
    struct rtg_ice_cand c;
    if (!s->stun.t[i].ok) continue;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_SRFLX;
    c.addr = s->stun.t[i].mapped;
    c.base = s->net->socks[s->stun.t[i].sock].local;
    c.priority = rtg_ice_cand_priority(RTG_ICE_CAND_SRFLX, (uint16_t)(65535 - i));
    snprintf(c.foundation, sizeof c.foundation, "s%zu", i);
    rtg_pio_session_event(s, rtg_pio_now(), "srflx-gathered", rtg_pio_cand_json(&c));
    if (!s->net->o->relay_only && rtg_peer_add_local_candidate(s->peer, &c) != 0)
      rtg_pio_session_event(s, rtg_pio_now(), "candidate-refused", rtg_pio_cand_json(&c));
  }
  s->stun_on = false;
  rtg_peer_local_candidates_done(s->peer);
}

/* Host candidates now, srflx ones when the STUN server has answered. */
static void start_gathering(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_net *n = s->net;
  if (s->gathering_started) return;
  s->gathering_started = true;
  add_host_candidates(s);
  if (n->have_stun &&
      rtg_pio_stun_start(&s->stun, &n->ctx, &n->stun_server, n->socks, n->nsocks) == 0) {
    s->stun_on = true;
    rtg_pio_stun_service(&s->stun, now, n->socks);
  } else {
    rtg_peer_local_candidates_done(s->peer);
  }
}

static void session_free(struct rtg_pio_session *s);

static void peer_config(struct rtg_pio_net *n, bool offerer, struct rtg_peer_config *cfg) {
  const struct rtg_pio_options *o = n->o;
  rtg_peer_config_default(cfg);
  cfg->audio = (o->expect & RTG_PIO_EXPECT_AUDIO) != 0;
  cfg->video = (o->expect & RTG_PIO_EXPECT_VIDEO) != 0;
  cfg->data = (o->expect & (RTG_PIO_EXPECT_DATACHANNEL | RTG_PIO_EXPECT_DC_UNRELIABLE)) != 0 ||
              (!cfg->audio && !cfg->video);
  cfg->echo = offerer ? RTG_PEER_ECHO_NONE : RTG_PEER_ECHO_ALL;
  cfg->keylog = keylog_cb;
  cfg->keylog_ud = &n->report;
  cfg->turn = n->have_turn ? &n->turn : NULL;
  cfg->relay_only = o->relay_only;
  cfg->trickle = o->trickle != NULL;
  cfg->loss_permille_in = cfg->loss_permille_out = (uint16_t)(o->loss_percent * 10.0 + 0.5);
}

static struct rtg_pio_session *session_new(struct rtg_pio_net *n, bool offerer, rtg_time now,
                                           char *err, size_t cap) {
  struct rtg_pio_session *s = calloc(1, sizeof *s);
  struct rtg_peer_config cfg;
  int rc;
  if (s == NULL) {
    snprintf(err, cap, "out of memory");
    return NULL;
  }
  s->net = n;
  s->offerer = offerer;
  s->started = now;
  s->deadline = now + RTG_MS(n->o->timeout_ms);
  s->js = json_object();
  s->events = json_array();
  json_object_set_new(s->js, "role", json_string(offerer ? "offerer" : "answerer"));
  json_object_set_new(s->js, "started_ms", json_real(rtg_pio_report_ms(&n->report, now)));
  json_object_set_new(s->js, "events", s->events); /* js holds the only reference */
  peer_config(n, offerer, &cfg);
  rc = rtg_peer_new(&s->peer, &n->ctx, &cfg, now);
  if (rc != 0) {
    snprintf(err, cap, "cannot create the peer: %s", rtg_strerror(rc));
    json_decref(s->js);
    free(s);
    return NULL;
  }
  if (offerer) rtg_pio_test_init(s);
  if (n->o->trickle) {
    /* the description goes out first, without candidates; they follow
     * through the mailbox as they are gathered */
    s->tr = rtg_pio_trickle_new(n->o->trickle, offerer);
    if (s->tr == NULL) {
      snprintf(err, cap, "out of memory");
      session_free(s);
      return NULL;
    }
  } else {
    start_gathering(s, now);
  }
  rtg_pio_session_drain(s, now);
  return s;
}

/* Ends the session: statistics into the report, expectations judged.
 * returns true when every expectation was met. */
static bool session_finish(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_net *n = s->net;
  struct rtg_peer_stats *st = calloc(1, sizeof *st);
  unsigned missing;
  json_t *miss = json_array();
  if (st) {
    rtg_peer_stats(s->peer, st);
    if (!s->offerer) rtg_pio_answerer_evaluate(s, st, now);
    if (s->offerer) rtg_pio_test_finish(s);
    json_object_set_new(s->js, "stats", rtg_pio_stats_json(s, st));
    free(st);
  }
  missing = n->o->expect & ~s->met;
  json_object_set_new(s->js, "expect", rtg_pio_expect_json(n->o->expect));
  json_object_set_new(s->js, "met", rtg_pio_expect_json(s->met & n->o->expect));
  json_object_set_new(s->js, "missing", rtg_pio_expect_json(missing));
  json_object_set_new(s->js, "ok", json_boolean(missing == 0));
  json_object_set_new(s->js, "duration_ms", json_real((double)(now - s->started) / 1e6));
  json_object_set_new(s->js, "end", json_string(s->end_reason ? s->end_reason : "timeout"));
  json_object_set_new(s->js, "dc_messages_received", json_integer((json_int_t)s->dc_messages));
  json_object_set_new(s->js, "rtp_packets_received", json_integer((json_int_t)s->rtp_packets));
  if (s->failure[0]) json_object_set_new(s->js, "failure", json_string(s->failure));
  if (s->offerer) json_object_set_new(s->js, "test", rtg_pio_test_json(s));
  if (s->tr) json_object_set_new(s->js, "trickle", rtg_pio_trickle_json(s->tr));
  json_array_append(n->report.sessions, s->js);
  for (unsigned i = 0; i < RTG_PIO_EXPECT_COUNT && !s->signaling_failed; i++)
    if (missing & (1u << i))
      fprintf(stderr, "rtcgate peer: expectation '%s' not met%s%s\n", rtg_pio_expect_name(i),
              s->failure[0] ? ": " : "", s->failure);
  json_decref(miss);
  return missing == 0;
}

static void session_free(struct rtg_pio_session *s) {
  if (s == NULL) return;
  if (s->offerer) rtg_pio_test_free(s);
  rtg_pio_trickle_free(s->tr);
  rtg_peer_free(s->peer);
  json_decref(s->js);
  free(s->remote_sdp);
  free(s->pending_offer);
  free(s);
}

/* ---- sockets ----------------------------------------------------------------------- */

static void on_udp(void *ud, int fd) {
  struct rtg_pio_net *n = ud;
  size_t k = 0;
  while (k < n->nsocks && n->socks[k].fd != fd) k++;
  if (k == n->nsocks) return;
  for (int budget = 0; budget < 256; budget++) {
    struct rtg_stun_addr src;
    ptrdiff_t len = rtg_pio_sock_recv(&n->socks[k], n->buf, sizeof n->buf, &src);
    struct rtg_pio_session *s = n->sess;
    rtg_time now = rtg_pio_now(); /* per datagram: RTTs are measured with it */
    if (len < 0) break;
    if (s == NULL) continue;
    if (s->stun_on && rtg_pio_stun_handle(&s->stun, k, &src, n->buf, (size_t)len)) {
      if (rtg_pio_stun_done(&s->stun)) stun_finish(s);
      continue;
    }
    if (rtg_peer_handle_datagram(s->peer, now, &n->socks[k].local, &src, n->buf, (size_t)len) !=
        0) {
      /* malformed or unauthenticated: dropped, counted in the statistics */
    }
    rtg_pio_session_drain(s, now);
  }
}

static void on_mdns_fd(void *ud, int fd) {
  struct rtg_pio_net *n = ud;
  rtg_pio_mdns_readable(&n->mdns, rtg_pio_now(), fd);
}

static void on_mdns_done(void *ud, const char *name, const struct rtg_stun_addr *addr) {
  struct rtg_pio_net *n = ud;
  struct rtg_pio_session *s = n->sess;
  rtg_time now = rtg_pio_now();
  if (s == NULL) return;
  if (addr == NULL) {
    rtg_pio_session_event(s, now, "mdns-timeout", json_pack("{s:s}", "hostname", name));
    return;
  }
  {
    char a[64];
    rtg_pio_addr_format(addr, false, a, sizeof a);
    rtg_pio_session_event(s, now, "mdns-resolved",
                          json_pack("{s:s,s:s}", "hostname", name, "address", a));
  }
  if (rtg_peer_resolve_mdns(s->peer, name, addr) != 0) { /* reported through events */
  }
  rtg_pio_session_drain(s, now);
}

/* Runs the timers of everything due at |now|; returns the next deadline. */
static rtg_time service(struct rtg_pio_net *n, rtg_time now) {
  struct rtg_pio_session *s = n->sess;
  rtg_time t = RTG_TIME_NEVER, x;
  if (n->mdns_open) {
    if (rtg_pio_mdns_poll_timeout(&n->mdns) <= now) rtg_pio_mdns_handle_timeout(&n->mdns, now);
    t = rtg_pio_mdns_poll_timeout(&n->mdns);
  }
  if (s == NULL) return t;
  if (s->stun_on) {
    rtg_pio_stun_service(&s->stun, now, n->socks);
    if (rtg_pio_stun_done(&s->stun)) stun_finish(s);
  }
  if (rtg_peer_poll_timeout(s->peer) <= now && rtg_peer_handle_timeout(s->peer, now) != 0) {
    /* it always returns 0; failures come as events */
  }
  if (s->offerer && !n->posting) rtg_pio_test_service(s, now);
  if (s->tr && (x = rtg_pio_trickle_service(s->tr, s, now)) < t) t = x;
  rtg_pio_session_drain(s, now);
  if (s->stun_on && (x = rtg_pio_stun_poll_timeout(&s->stun)) < t) t = x;
  if ((x = rtg_peer_poll_timeout(s->peer)) < t) t = x;
  if (s->offerer && (x = rtg_pio_test_poll_timeout(s)) < t) t = x;
  if (s->deadline < t) t = s->deadline;
  return t;
}

/* ---- setup shared by both modes ------------------------------------------------------ */

static int net_init(struct rtg_pio_net *n, const struct rtg_pio_options *o) {
  char err[300];
  memset(n, 0, sizeof *n);
  n->o = o;
  n->mdns.qfd = n->mdns.rfd = n->mdns.qfd6 = n->mdns.rfd6 = -1;
  if (o->have_seed)
    rtg_ctx_deterministic(&n->ctx, &n->prng, o->seed, NULL);
  else
    rtg_ctx_default(&n->ctx);
  if (rtg_pio_report_init(&n->report, o->json, o->keylog, o->quiet, err, sizeof err) != 0 ||
      rtg_pio_loop_init(&n->loop, err, sizeof err) != 0 ||
      rtg_pio_socks_open(n->socks, RTG_PIO_MAX_SOCKS, &n->nsocks, o->bind, err, sizeof err) != 0)
    goto fail;
  if ((o->stun && rtg_pio_addr_parse(o->stun, 3478, &n->stun_server, err, sizeof err) != 0) ||
      (o->turn && rtg_pio_addr_parse(o->turn, 3478, &n->turn_server, err, sizeof err) != 0))
    goto fail;
  n->have_stun = o->stun != NULL;
  n->have_turn = o->turn != NULL;
  if (n->have_turn) {
    const struct rtg_pio_sock *pick = NULL;
    for (size_t i = 0; i < n->nsocks; i++) {
      if (n->socks[i].local.family != n->turn_server.family) continue;
      if (pick == NULL || (n->socks[i].loopback && n->turn_server.addr[0] == 127))
        pick = &n->socks[i];
    }
    if (pick == NULL) {
      snprintf(err, sizeof err, "no local address of the TURN server's family");
      goto fail;
    }
    n->turn.server = n->turn_server;
    n->turn.local = pick->local;
    n->turn.username = o->turn_user;
    n->turn.password = o->turn_password;
  }
  for (size_t i = 0; i < n->nsocks; i++)
    if (rtg_pio_loop_add(&n->loop, n->socks[i].fd, on_udp, n) != 0) {
      snprintf(err, sizeof err, "too many sockets");
      goto fail;
    }
  if (rtg_pio_mdns_open(&n->mdns, 0, on_mdns_done, n, err, sizeof err) == 0) {
    n->mdns_open = true;
    (void)rtg_pio_loop_add(&n->loop, n->mdns.qfd, on_mdns_fd, n);
    if (n->mdns.qfd6 >= 0) (void)rtg_pio_loop_add(&n->loop, n->mdns.qfd6, on_mdns_fd, n);
  }
  if (o->mdns && rtg_pio_publish_names(n, err, sizeof err) != 0) goto fail;
  if (n->mdns.rfd >= 0) (void)rtg_pio_loop_add(&n->loop, n->mdns.rfd, on_mdns_fd, n);
  if (n->mdns.rfd6 >= 0) (void)rtg_pio_loop_add(&n->loop, n->mdns.rfd6, on_mdns_fd, n);
  return 0;
fail:
  rtg_cli_err("peer", "%s", err);
  return -1;
}

static void net_free(struct rtg_pio_net *n) {
  if (n->mdns_open) rtg_pio_mdns_close(&n->mdns);
  rtg_pio_socks_close(n->socks, n->nsocks);
  rtg_pio_http_free(n->http);
  rtg_pio_loop_free(&n->loop);
  rtg_pio_report_free(&n->report);
}

/* Waits until gathering is done (the TURN allocation and the srflx
 * requests end on their own within GATHER_MAX). */
static void wait_gathered(struct rtg_pio_net *n, struct rtg_pio_session *s) {
  rtg_time end = rtg_pio_now() + GATHER_MAX;
  while (!s->gathered && !n->loop.stop && rtg_pio_now() < end) {
    rtg_time t = service(n, rtg_pio_now());
    rtg_pio_loop_run_once(&n->loop, t < end ? t : end, RTG_MS(50));
  }
}

/* ---- offerer ------------------------------------------------------------------------ */

/* The RTCSessionDescriptionInit JSON of our |sdp| (rewritten with --mdns). */
static char *description_json(const struct rtg_pio_net *n, const char *type, const char *sdp) {
  char *sent = n->o->mdns ? rtg_pio_mdns_rewrite(n, sdp) : NULL;
  json_t *j = json_pack("{s:s,s:s}", "type", type, "sdp", sent ? sent : sdp);
  char *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  free(sent);
  return out;
}

/* What is left of the session's --timeout, at least 1 s. */
static int http_budget_ms(const struct rtg_pio_session *s, rtg_time now) {
  rtg_time left = s->deadline - now;
  return left < RTG_SEC(1) ? 1000 : (int)(left / RTG_MS(1));
}

static void post_readable(void *ud, int fd) {
  uint64_t v;
  (void)ud;
  if (read(fd, &v, sizeof v) != (ssize_t)sizeof v) {
    /* nothing to read yet: rtg_http_async_done decides */
  }
}

/* POSTs |body| to the offer URL and keeps the peer running (answering the
 * answerer's early checks, RFC 8445 §7.3) until the response is there.
 * returns what rtg_http_post returns; -1 with |err| = "interrupted"
 * when a signal stopped the loop. */
static int post_offer(struct rtg_pio_session *s, const char *body, int timeout_ms, unsigned *status,
                      char **resp, size_t *rlen, char *err, size_t cap) {
  struct rtg_pio_net *n = s->net;
  struct rtg_http_async *post =
      rtg_http_async_post(n->o->offer_to, body, strlen(body), timeout_ms, NULL, NULL, err, cap);
  int rc;
  if (post == NULL) return -1;
  if (rtg_pio_loop_add(&n->loop, rtg_http_async_fd(post), post_readable, NULL) != 0) {
    rtg_http_async_abandon(post);
    snprintf(err, cap, "too many descriptors");
    return -1;
  }
  n->posting = true;
  while (!rtg_http_async_done(post) && !n->loop.stop) {
    rtg_time now = rtg_pio_now(), t = service(n, now);
    rtg_pio_loop_run_once(&n->loop, t, RTG_MS(100));
  }
  n->posting = false;
  rtg_pio_loop_del(&n->loop, rtg_http_async_fd(post));
  if (!rtg_http_async_done(post)) {
    rtg_http_async_abandon(post);
    snprintf(err, cap, "interrupted while waiting for the answer");
    return -1;
  }
  rc = rtg_http_async_finish(post, status, resp, rlen, err, cap);
  return rc;
}

/* POSTs the offer and applies the answer. returns 0, -1 on an environment
 * error (unreachable server), -2 when the answer is unacceptable. */
static int exchange(struct rtg_pio_session *s, rtg_time *now, char *err, size_t cap) {
  char *sdp = malloc(RTG_PEER_MAX_SDP), *body = NULL, *resp = NULL;
  size_t len = 0, rlen = 0;
  unsigned status = 0;
  int rc = -2, orc = RTG_ERR_NOMEM;
  json_t *j = NULL;
  json_error_t je;
  struct rtg_perr perr;
  if (sdp == NULL || (orc = rtg_peer_create_offer(s->peer, sdp, RTG_PEER_MAX_SDP, &len)) != 0 ||
      (body = description_json(s->net, "offer", sdp)) == NULL) {
    snprintf(err, cap, "cannot create the offer: %s", rtg_strerror(orc));
    goto out;
  }
  start_gathering(s, *now); /* --trickle: the offer is out, candidates follow */
  rtg_pio_session_drain(s, *now);
  json_object_set_new(s->js, "offer_sdp", json_string(sdp));
  rtg_pio_session_event(s, *now, "offer-sent", json_pack("{s:s}", "url", s->net->o->offer_to));
  if (!s->offer_sent_at) s->offer_sent_at = *now;
  /* the whole --timeout: a browser answerer may take seconds to start */
  if (post_offer(s, body, http_budget_ms(s, *now), &status, &resp, &rlen, err, cap) != 0) {
    rc = -1;
    goto out;
  }
  *now = rtg_pio_now();
  if (status != 200) {
    snprintf(err, cap, "%s answered HTTP %u: %.200s", s->net->o->offer_to, status, resp);
    if (status == 409 || status == 503) rc = -1; /* busy: an environment error */
    goto out;
  }
  j = json_loadb(resp, rlen, 0, &je);
  if (j == NULL || !json_is_string(json_object_get(j, "sdp")) ||
      strcmp(json_string_value(json_object_get(j, "type"))
                 ? json_string_value(json_object_get(j, "type"))
                 : "",
             "answer") != 0) {
    snprintf(err, cap, "the response is not an answer RTCSessionDescriptionInit%s%s", j ? "" : ": ",
             j ? "" : je.text);
    goto out;
  }
  rtg_pio_session_event(s, *now, "answer-received", NULL);
  free(s->remote_sdp);
  s->remote_sdp = strdup(json_string_value(json_object_get(j, "sdp")));
  json_object_set(s->js, "answer_sdp", json_object_get(j, "sdp"));
  rtg_perr_clear(&perr);
  if (s->remote_sdp == NULL ||
      rtg_peer_set_remote_description(s->peer, *now, RTG_PEER_SDP_ANSWER, s->remote_sdp,
                                      strlen(s->remote_sdp), &perr) != 0) {
    char pe[200];
    rtg_perr_format(&perr, pe, sizeof pe);
    snprintf(err, cap, "the answer is not acceptable: line %u: %s",
             s->remote_sdp ? rtg_sdp_line_at(s->remote_sdp, strlen(s->remote_sdp), perr.offset) : 0,
             pe);
    goto out;
  }
  rtg_pio_session_drain(s, *now);
  rc = 0;
out:
  json_decref(j);
  free(resp);
  free(body);
  free(sdp);
  return rc;
}

int rtg_pio_session_renegotiate(struct rtg_pio_session *s, rtg_time now) {
  char err[300];
  if (exchange(s, &now, err, sizeof err) != 0) {
    snprintf(s->failure, sizeof s->failure, "ICE restart: %.200s", err);
    return -1;
  }
  return 0;
}

static bool offerer_done(const struct rtg_pio_session *s) {
  return s->ended || (s->net->o->expect & ~s->met) == 0;
}

int rtg_pio_run_offerer(const struct rtg_pio_options *o) {
  struct rtg_pio_net n;
  struct rtg_pio_session *s;
  char err[400];
  rtg_time now;
  int rc, exitc = RTG_EXIT_FINDINGS;
  if (net_init(&n, o) != 0) {
    net_free(&n);
    return RTG_EXIT_USAGE;
  }
  now = rtg_pio_now();
  s = n.sess = session_new(&n, true, now, err, sizeof err);
  if (s == NULL) {
    rtg_cli_err("peer", "%s", err);
    net_free(&n);
    return RTG_EXIT_USAGE;
  }
  if (!s->tr) wait_gathered(&n, s);
  now = rtg_pio_now();
  rc = exchange(s, &now, err, sizeof err);
  if (rc != 0) {
    rtg_cli_err("peer", "%s", err);
    snprintf(s->failure, sizeof s->failure, "%.250s", err);
    s->end_reason = "signaling-failed";
    s->signaling_failed = true;
    (void)session_finish(s, now);
    exitc = rc == -1 ? RTG_EXIT_USAGE : RTG_EXIT_FINDINGS;
  } else {
    while (!n.loop.stop && !offerer_done(s) && now < s->deadline) {
      rtg_time t = service(&n, now);
      rtg_pio_loop_run_once(&n.loop, t, RTG_MS(100));
      now = rtg_pio_now();
    }
    if (!s->ended) {
      s->end_reason = offerer_done(s) ? "done" : n.loop.stop ? "signal" : "timeout";
      s->ended = true;                         /* our own close is not a failure */
      if (rtg_peer_close(s->peer, now) != 0) { /* reported through events */
      }
      rtg_pio_session_drain(s, now);
    }
    exitc = session_finish(s, now) ? RTG_EXIT_OK : RTG_EXIT_FINDINGS;
  }
  if (rtg_pio_report_write(&n.report) != 0 && exitc == RTG_EXIT_OK) exitc = RTG_EXIT_USAGE;
  n.sess = NULL;
  session_free(s);
  net_free(&n);
  return exitc;
}

/* ---- answerer ----------------------------------------------------------------------- */

/* The value of the first "a=ice-ufrag:" line of |sdp| into |out|. */
static void ice_ufrag(const char *sdp, char *out, size_t cap) {
  const char *u = strstr(sdp, "a=ice-ufrag:");
  out[0] = '\0';
  if (u) snprintf(out, cap, "%.*s", (int)strcspn(u + 12, "\r\n"), u + 12);
}

/* The o= session id of |sdp| into |out| ("" when absent). */
static void origin_session(const char *sdp, char *out, size_t cap) {
  const char *o = strstr(sdp, "o=");
  out[0] = '\0';
  if (o == NULL || (o != sdp && o[-1] != '\n')) return;
  o += 2;
  o += strcspn(o, " \r\n");
  if (*o != ' ') return;
  o++;
  snprintf(out, cap, "%.*s", (int)strcspn(o, " \r\n"), o);
}

static void reply_answer(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_net *n = s->net;
  char *sdp = malloc(RTG_PEER_MAX_SDP), *body = NULL;
  size_t len;
  struct rtg_perr perr;
  int rc;
  rtg_perr_clear(&perr);
  s->req_pending = false;
  rc = sdp ? rtg_peer_create_answer(s->peer, now, sdp, RTG_PEER_MAX_SDP, &len, &perr) : -1;
  if (rc != 0) {
    char pe[200] = "", msg[300];
    if (perr.field) rtg_perr_format(&perr, pe, sizeof pe);
    snprintf(msg, sizeof msg, "cannot answer this offer: %s%s%s", rtg_strerror(rc),
             pe[0] ? ": " : "", pe);
    rtg_pio_http_reply_error(n->http, s->req, 400, msg);
    snprintf(s->failure, sizeof s->failure, "%.250s", msg);
    s->ended = true;
    s->end_reason = "answer-failed";
  } else if ((body = description_json(n, "answer", sdp)) != NULL) {
    rtg_pio_http_reply(n->http, s->req, 200, "application/json", body, strlen(body));
    json_object_set_new(s->js, "answer_sdp", json_string(sdp));
    rtg_pio_session_event(s, now, "answer-sent", NULL);
  }
  rtg_pio_session_drain(s, now);
  free(body);
  free(sdp);
}

/* Answers 400: "bad offer SDP: line N: <what and where> (<error>)". */
static void reply_bad_sdp(struct rtg_pio_net *n, unsigned req, const char *sdp,
                          const struct rtg_perr *perr, int rc) {
  char pe[200] = "", msg[320];
  if (perr->field) rtg_perr_format(perr, pe, sizeof pe);
  snprintf(msg, sizeof msg, "bad offer SDP: line %u: %s (%s)",
           rtg_sdp_line_at(sdp, strlen(sdp), perr->offset), pe, rtg_strerror(rc));
  rtg_pio_http_reply_error(n->http, req, 400, msg);
}

/* Applies |sdp| (an offer) to |s|; on failure answers 400 with the reason.
 * returns 0 or -1. */
static int apply_offer(struct rtg_pio_session *s, unsigned req, const char *sdp, rtg_time now) {
  struct rtg_perr perr;
  int rc;
  rtg_perr_clear(&perr);
  rc = rtg_peer_set_remote_description(s->peer, now, RTG_PEER_SDP_OFFER, sdp, strlen(sdp), &perr);
  if (rc != 0) {
    reply_bad_sdp(s->net, req, sdp, &perr, rc);
    return -1;
  }
  rtg_pio_session_event(s, now, "offer-received", NULL);
  json_object_set_new(s->js, "offer_sdp", json_string(sdp));
  return 0;
}

/* Answers 400 with the line and the reason when |sdp| does not parse.
 * returns 0 or -1. */
static int sdp_syntax(struct rtg_pio_net *n, unsigned req, const char *sdp) {
  struct rtg_sdp *tmp = malloc(sizeof *tmp);
  struct rtg_perr perr;
  int rc;
  if (tmp == NULL) return 0; /* the peer will parse it again anyway */
  rtg_perr_clear(&perr);
  rc = rtg_sdp_parse(tmp, sdp, strlen(sdp), &perr);
  free(tmp);
  if (rc != 0) {
    reply_bad_sdp(n, req, sdp, &perr, rc);
    return -1;
  }
  return 0;
}

static void on_offer(void *ud, unsigned req, const char *body, size_t len) {
  struct rtg_pio_net *n = ud;
  json_error_t je;
  json_t *j = json_loadb(body, len, 0, &je);
  const char *type = j ? json_string_value(json_object_get(j, "type")) : NULL;
  const char *sdp = j ? json_string_value(json_object_get(j, "sdp")) : NULL;
  rtg_time now = rtg_pio_now();
  char sid[64], err[300];
  if (j == NULL) {
    snprintf(err, sizeof err, "bad JSON: %s (line %d, column %d)", je.text, je.line, je.column);
    rtg_pio_http_reply_error(n->http, req, 400, err);
  } else if (type == NULL || strcmp(type, "offer") != 0 || sdp == NULL) {
    rtg_pio_http_reply_error(
        n->http, req, 400,
        "expected an RTCSessionDescriptionInit {\"type\":\"offer\",\"sdp\":...}");
  } else if (n->sess) {
    /* the same session (o= session id) renegotiating, e.g. an ICE restart */
    origin_session(sdp, sid, sizeof sid);
    if (n->sess->req_pending || strcmp(sid, n->sess->remote_sess_id) != 0)
      rtg_pio_http_reply_error(n->http, req, 409, "busy: a session is in progress");
    else if (apply_offer(n->sess, req, sdp, now) == 0) {
      char ufrag[300];
      ice_ufrag(sdp, ufrag, sizeof ufrag);
      if (strcmp(ufrag, n->sess->remote_ufrag) != 0) n->sess->restart_pending = true;
      snprintf(n->sess->remote_ufrag, sizeof n->sess->remote_ufrag, "%s", ufrag);
      n->sess->req = req;
      reply_answer(n->sess, now);
    }
  } else if (sdp_syntax(n, req, sdp) == 0) {
    /* the offer is applied once our own candidates are gathered
     * (answerer_step): an ICE agent with no local candidate yet (a TURN
     * allocation in flight) must not judge the remote's candidates */
    struct rtg_pio_session *s = session_new(n, false, now, err, sizeof err);
    if (s == NULL) {
      rtg_pio_http_reply_error(n->http, req, 503, err);
    } else if ((s->pending_offer = strdup(sdp)) == NULL) {
      rtg_pio_http_reply_error(n->http, req, 503, "out of memory");
      session_free(s);
    } else {
      origin_session(sdp, s->remote_sess_id, sizeof s->remote_sess_id);
      ice_ufrag(sdp, s->remote_ufrag, sizeof s->remote_ufrag);
      s->req = req;
      s->req_pending = true;
      n->sess = s;
      if (!n->o->quiet)
        fprintf(stderr, "rtcgate peer: session %u: offer received\n", n->sessions_done + 1);
    }
  }
  json_decref(j);
}

static void answerer_step(struct rtg_pio_net *n, rtg_time now) {
  struct rtg_pio_session *s = n->sess;
  if (s == NULL) return;
  if (s->req_pending && !rtg_pio_http_waiting(n->http, s->req)) {
    /* the client went away before our answer: no session */
    if (!n->o->quiet) fprintf(stderr, "rtcgate peer: the offerer left before the answer\n");
    n->sess = NULL;
    session_free(s);
    return;
  }
  if (s->req_pending && (s->gathered || s->tr || now - s->started > GATHER_MAX)) {
    int rc = s->pending_offer ? apply_offer(s, s->req, s->pending_offer, now) : 0;
    free(s->pending_offer);
    s->pending_offer = NULL;
    if (rc != 0) { /* answered 400: not a session */
      n->sess = NULL;
      session_free(s);
      return;
    }
    reply_answer(s, now);
    start_gathering(s, now); /* --trickle: the answer is out, candidates follow */
  }
  if (!s->ended && now >= s->deadline) {
    s->ended = true; /* set first: the CLOSED event of our own close is no failure */
    s->end_reason = "timeout";
    if (rtg_peer_close(s->peer, now) != 0) { /* reported through events */
    }
    rtg_pio_session_drain(s, now);
  }
  if (s->ended) {
    if (s->req_pending) rtg_pio_http_reply_error(n->http, s->req, 503, "session ended");
    n->sessions_done++;
    if (session_finish(s, now)) n->sessions_ok++;
    if (!n->o->quiet)
      fprintf(stderr, "rtcgate peer: session %u ended (%s)\n", n->sessions_done,
              s->end_reason ? s->end_reason : "?");
    n->sess = NULL;
    session_free(s);
  }
}

int rtg_pio_run_answerer(const struct rtg_pio_options *o) {
  struct rtg_pio_net n;
  struct rtg_stun_addr addr;
  char err[300], txt[80];
  int exitc;
  if (rtg_pio_addr_parse(o->listen, -1, &addr, err, sizeof err) != 0) {
    rtg_cli_err("peer", "--listen: %s", err);
    return RTG_EXIT_USAGE;
  }
  if (net_init(&n, o) != 0) {
    net_free(&n);
    return RTG_EXIT_USAGE;
  }
  n.http = rtg_pio_http_listen(&addr, on_offer, &n, err, sizeof err);
  if (n.http == NULL) {
    rtg_cli_err("peer", "%s", err);
    net_free(&n);
    return RTG_EXIT_USAGE;
  }
  addr.port = (uint16_t)rtg_pio_http_port(n.http);
  rtg_pio_addr_format(&addr, true, txt, sizeof txt);
  fprintf(stderr, "rtcgate peer: listening on http://%s/offer\n", txt);
  while (!n.loop.stop && (o->sessions == 0 || n.sessions_done < (unsigned)o->sessions)) {
    rtg_time now = rtg_pio_now(), t;
    rtg_pio_http_service(n.http);
    now = rtg_pio_now();
    t = service(&n, now);
    answerer_step(&n, now);
    rtg_pio_loop_run_once(&n.loop, t, LISTEN_POLL);
  }
  if (n.sess) { /* a signal ended a session in progress */
    rtg_time now = rtg_pio_now();
    n.sess->end_reason = "signal";
    n.sess->ended = true;
    answerer_step(&n, now);
  }
  rtg_pio_http_flush(n.http, 500);
  exitc = n.sessions_ok == n.sessions_done ? RTG_EXIT_OK : RTG_EXIT_FINDINGS;
  if (rtg_pio_report_write(&n.report) != 0 && exitc == RTG_EXIT_OK) exitc = RTG_EXIT_USAGE;
  net_free(&n);
  return exitc;
}
