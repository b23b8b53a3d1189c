/*
 * probe_flood.c - `rtcgate probe flood` (see probe_flood.h).
 *
 * Signaling (--offer-to) is an HTTP POST through libwebsockets' client;
 * the offer is written by the JSEP code (rtg_jsep_offer) and the answer
 * read by the SDP parser. ICE is done by hand with the STUN codec: the
 * probe only needs one nominated pair and checks on it, and the floods need
 * messages no well-behaved agent sends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/http_client.h"
#include "lib/probe_flood.h"
#include "rtg/sdp.h"
#include "rtg/stun.h"

#define CONSENT_MS 250 /* a consent check every 250 ms during the probe */
#define NPEND 64

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- STUN helpers ------------------------------------------------------- */

struct ice {
  int fd; /* the session's socket (the nominated pair's local end) */
  struct sockaddr_in target;
  char rufrag[257], rpwd[257], lufrag[64], lpwd[64];
  struct rtg_stun_cred rcred, lcred, badcred;
  uint64_t tiebreak;
  uint8_t pend[NPEND][RTG_STUN_TID_LEN];
  long long pend_ms[NPEND];
  int npend_next;
  /* consent accounting for the current window */
  int csent, cans;
  long long last_ans, max_gap, win_start;
  long long rtt_sum;
  uint64_t other_in; /* DTLS and checks from the target on the session */
};

enum flood_kind { FL_UNAUTH, FL_BAD, FL_VALID };

static ptrdiff_t build_check(struct ice *ic, uint8_t *buf, size_t cap, uint8_t *tid,
                             enum flood_kind kind, bool nominate) {
  struct rtg_stun_builder b;
  char user[600];
  int rc;
  if (RAND_bytes(tid, RTG_STUN_TID_LEN) != 1) return -1;
  rc = rtg_stun_builder_init(&b, buf, cap, RTG_STUN_REQUEST, RTG_STUN_BINDING, tid);
  if (kind != FL_UNAUTH) {
    snprintf(user, sizeof user, "%s:%s", ic->rufrag, ic->lufrag);
    if (rc == 0) rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, user, strlen(user));
    /* peer-reflexive priority, type preference 110 (RFC 8445 §5.1.2.1) */
    if (rc == 0)
      rc = rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_PRIORITY,
                                    (110u << 24) | (65535u << 8) | (256u - 1u));
    if (rc == 0) rc = rtg_stun_builder_add_u64(&b, RTG_STUN_ATTR_ICE_CONTROLLING, ic->tiebreak);
    if (rc == 0 && nominate) rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_USE_CANDIDATE, NULL, 0);
    if (rc == 0)
      rc = rtg_stun_builder_add_integrity(&b, kind == FL_BAD ? &ic->badcred : &ic->rcred);
  }
  if (rc == 0) rc = rtg_stun_builder_add_fingerprint(&b);
  return rc != 0 ? -1 : rtg_stun_builder_finish(&b);
}

/* Sends a valid check on the session socket and remembers its TID. */
static void send_consent(struct ice *ic, bool nominate) {
  uint8_t buf[512];
  int slot = ic->npend_next++ % NPEND;
  ptrdiff_t n = build_check(ic, buf, sizeof buf, ic->pend[slot], FL_VALID, nominate);
  if (n <= 0) return;
  ic->pend_ms[slot] = now_ms();
  if (sendto(ic->fd, buf, (size_t)n, 0, (struct sockaddr *)&ic->target, sizeof ic->target) == n)
    ic->csent++;
}

/* A datagram on the session socket: our checks' answers, the target's
 * checks (answered, so its side of the pair succeeds), anything else. */
static void session_input(struct ice *ic, const uint8_t *d, size_t n,
                          const struct sockaddr_in *from) {
  struct rtg_stun_msg m;
  if (rtg_stun_msg_parse(&m, d, n, NULL) != 0 || m.method != RTG_STUN_BINDING) {
    ic->other_in++;
    return;
  }
  if (m.cls == RTG_STUN_SUCCESS) {
    for (int i = 0; i < NPEND; i++) {
      if (memcmp(m.tid, ic->pend[i], RTG_STUN_TID_LEN) != 0 || ic->pend_ms[i] == 0) continue;
      if (rtg_stun_msg_validate(&m, &ic->rcred, RTG_STUN_REQUIRE_INTEGRITY, NULL) != 0) return;
      long long t = now_ms();
      ic->cans++;
      ic->rtt_sum += t - ic->pend_ms[i];
      if (t - ic->last_ans > ic->max_gap) ic->max_gap = t - ic->last_ans;
      ic->last_ans = t;
      ic->pend_ms[i] = 0;
      return;
    }
    return;
  }
  if (m.cls == RTG_STUN_REQUEST &&
      rtg_stun_msg_validate(&m, &ic->lcred, RTG_STUN_REQUIRE_INTEGRITY, NULL) == 0) {
    uint8_t out[256];
    struct rtg_stun_builder b;
    struct rtg_stun_addr xa = {.family = 1, .port = ntohs(from->sin_port)};
    ptrdiff_t len;
    memcpy(xa.addr, &from->sin_addr, 4);
    if (rtg_stun_builder_init(&b, out, sizeof out, RTG_STUN_SUCCESS, RTG_STUN_BINDING, m.tid) ||
        rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &xa) ||
        rtg_stun_builder_add_integrity(&b, &ic->lcred) || rtg_stun_builder_add_fingerprint(&b))
      return;
    len = rtg_stun_builder_finish(&b);
    if (len > 0)
      (void)sendto(ic->fd, out, (size_t)len, 0, (const struct sockaddr *)from, sizeof *from);
    return;
  }
  ic->other_in++;
}

static void drain_session(struct ice *ic) {
  uint8_t buf[2048];
  for (;;) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(ic->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (n < 0) return;
    session_input(ic, buf, (size_t)n, &from);
  }
}

static void window_start(struct ice *ic) {
  ic->csent = ic->cans = 0;
  ic->rtt_sum = 0;
  ic->max_gap = 0;
  ic->win_start = ic->last_ans = now_ms();
}

/* Consent checks for |ms| (answers drained); returns answered / sent. */
static void consent_for(struct ice *ic, long long ms) {
  long long end = now_ms() + ms, next = now_ms();
  while (now_ms() < end) {
    struct pollfd pfd = {.fd = ic->fd, .events = POLLIN};
    if (now_ms() >= next) {
      send_consent(ic, false);
      next += CONSENT_MS;
    }
    if (poll(&pfd, 1, 10) > 0) drain_session(ic);
  }
}

static json_t *window_json(struct ice *ic) {
  long long t = now_ms();
  if (t - ic->last_ans > ic->max_gap) ic->max_gap = t - ic->last_ans;
  return json_pack("{s:i,s:i,s:I,s:f}", "checks", ic->csent, "answered", ic->cans, "max_gap_ms",
                   (json_int_t)ic->max_gap, "rtt_ms",
                   ic->cans ? (double)ic->rtt_sum / ic->cans : -1.0);
}

static int udp_local(void) {
  struct sockaddr_in sa = {.sin_family = AF_INET};
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* ---- signaling: our offer, their answer --------------------------------- */

static void random_ice_chars(char *out, size_t n) {
  static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint8_t r[64];
  if (n > sizeof r) n = sizeof r;
  if (RAND_bytes(r, (int)n) != 1) memset(r, 7, n);
  for (size_t i = 0; i < n; i++) out[i] = set[r[i] & 63];
  out[n] = '\0';
}

static int signal_offer(struct ice *ic, const char *url, json_t *rep, char *err, size_t errcap) {
  struct sockaddr_in me;
  socklen_t ml = sizeof me;
  char cand[160], *text = NULL, *resp;
  const char *cands[2] = {cand, NULL};
  uint8_t fp[32];
  struct rtg_jsep_local loc;
  struct rtg_sdp *sdp = malloc(sizeof *sdp);
  unsigned status = 0;
  size_t rlen = 0;
  int rc = -1;
  json_t *j = NULL;
  if (sdp == NULL || getsockname(ic->fd, (struct sockaddr *)&me, &ml) != 0) goto out;
  if (RAND_bytes(fp, sizeof fp) != 1) goto out;
  snprintf(cand, sizeof cand, "candidate:1 1 udp 2130706431 127.0.0.1 %u typ host",
           ntohs(me.sin_port));
  memset(&loc, 0, sizeof loc);
  loc.ice_ufrag = ic->lufrag;
  loc.ice_pwd = ic->lpwd;
  loc.fp_alg = RTG_HASH_SHA256;
  loc.fp = fp; /* no DTLS will happen: any certificate hash */
  loc.sess_id = 4242;
  loc.sess_version = 1;
  loc.candidates = cands;
  loc.data = true;
  if (rtg_jsep_offer(&loc, sdp) != 0) {
    snprintf(err, errcap, "cannot build the offer");
    goto out;
  }
  text = malloc(RTG_SDP_MAX_LEN + 1);
  if (text == NULL || rtg_sdp_write(sdp, text, RTG_SDP_MAX_LEN + 1) < 0) goto out;
  j = json_pack("{s:s,s:s}", "type", "offer", "sdp", text);
  free(text);
  text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  j = NULL;
  if (text == NULL) goto out;
  if (rtg_http_post(url, text, strlen(text), 5000, &status, &resp, &rlen, err, errcap) != 0)
    goto out;
  j = json_loads(resp, 0, NULL);
  free(resp);
  if (status != 200 || j == NULL || !json_is_string(json_object_get(j, "sdp"))) {
    snprintf(err, errcap, "POST %s answered %u without an SDP answer", url, status);
    goto out;
  }
  {
    const char *a = json_string_value(json_object_get(j, "sdp"));
    const char *uf, *pw;
    size_t idx = 0;
    bool found = false;
    struct rtg_perr pe;
    if (rtg_sdp_parse(sdp, a, strlen(a), &pe) != 0 || sdp->nmedia == 0) {
      snprintf(err, errcap, "the answer does not parse (%s)", pe.reason ? pe.reason : "?");
      goto out;
    }
    uf = rtg_sdp_attr_get(sdp, 0, "ice-ufrag", true);
    pw = rtg_sdp_attr_get(sdp, 0, "ice-pwd", true);
    if (uf == NULL || pw == NULL) {
      snprintf(err, errcap, "the answer has no ICE credentials");
      goto out;
    }
    snprintf(ic->rufrag, sizeof ic->rufrag, "%s", uf);
    snprintf(ic->rpwd, sizeof ic->rpwd, "%s", pw);
    while (!found && rtg_sdp_attr_find(sdp, 0, "candidate", &idx) == 0) {
      struct rtg_sdp_candidate c;
      if (rtg_sdp_get_candidate(sdp, idx, &c) == 0 && c.udp && c.family == 4 && c.component == 1) {
        char ip[64];
        snprintf(ip, sizeof ip, "%.*s", (int)c.addr.len, c.addr.p);
        if (strncmp(ip, "127.", 4) == 0 && inet_pton(AF_INET, ip, &ic->target.sin_addr) == 1) {
          ic->target.sin_family = AF_INET;
          ic->target.sin_port = htons(c.port);
          found = true;
        }
      }
      idx++;
    }
    if (!found) {
      snprintf(err, errcap, "the answer has no UDP IPv4 candidate on 127.0.0.0/8");
      goto out;
    }
    json_object_set_new(rep, "answer_ufrag", json_string(ic->rufrag));
    json_object_set_new(rep, "answer_pwd", json_string(ic->rpwd));
    json_object_set_new(rep, "offer_ufrag", json_string(ic->lufrag));
  }
  rc = 0;
out:
  if (rc != 0 && err[0] == '\0') snprintf(err, errcap, "signaling failed");
  json_decref(j);
  free(text);
  free(sdp);
  return rc;
}

/* ---- the floods ---------------------------------------------------------- */

struct flood_res {
  long sent, sent_bytes, recv, recv_bytes, success, errors, requests;
};

static void flood_input(const uint8_t *d, size_t n, struct flood_res *fr) {
  struct rtg_stun_msg m;
  fr->recv++;
  fr->recv_bytes += (long)n;
  if (rtg_stun_msg_parse(&m, d, n, NULL) != 0) return;
  if (m.cls == RTG_STUN_SUCCESS) fr->success++;
  if (m.cls == RTG_STUN_ERROR) fr->errors++;
  if (m.cls == RTG_STUN_REQUEST) fr->requests++; /* triggered checks */
}

static void flood(struct ice *ic, enum flood_kind kind, const struct rtg_probe_flood_opts *o,
                  struct flood_res *fr, bool consent) {
  int fd = udp_local();
  uint8_t buf[512], in[2048], tid[RTG_STUN_TID_LEN];
  long long t0 = now_ms(), next_consent = t0,
            hard_end = t0 + (long long)o->count * 1000 / o->rate + 2000;
  memset(fr, 0, sizeof *fr);
  if (fd < 0) return;
  while (fr->sent < o->count && now_ms() < hard_end) {
    long long due = (now_ms() - t0) * o->rate / 1000 + 1;
    struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = ic->fd, .events = POLLIN}};
    for (int k = 0; k < 64 && fr->sent < due && fr->sent < o->count; k++) {
      ptrdiff_t n = build_check(ic, buf, sizeof buf, tid, kind, false);
      if (n <= 0) break;
      if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ic->target, sizeof ic->target) != n)
        break;
      fr->sent++;
      fr->sent_bytes += (long)n;
    }
    if (consent && now_ms() >= next_consent) {
      send_consent(ic, false);
      next_consent += CONSENT_MS;
    }
    if (poll(pfd, 2, 1) > 0) {
      ssize_t n;
      while ((n = recv(fd, in, sizeof in, MSG_DONTWAIT)) > 0) flood_input(in, (size_t)n, fr);
      if (pfd[1].revents & POLLIN) drain_session(ic);
    }
  }
  /* late answers and triggered checks for 500 ms */
  for (long long end = now_ms() + 500; now_ms() < end;) {
    struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = ic->fd, .events = POLLIN}};
    ssize_t n;
    if (consent && now_ms() >= next_consent) {
      send_consent(ic, false);
      next_consent += CONSENT_MS;
    }
    if (poll(pfd, 2, 10) <= 0) continue;
    while ((n = recv(fd, in, sizeof in, MSG_DONTWAIT)) > 0) flood_input(in, (size_t)n, fr);
    if (pfd[1].revents & POLLIN) drain_session(ic);
  }
  close(fd);
}

static const char *const kind_names[] = {"unauthenticated", "bad-integrity", "valid-integrity"};

int rtg_probe_flood_run(const struct rtg_probe_flood_opts *o, json_t **report, char *err,
                        size_t errcap) {
  struct ice ic;
  json_t *rep = json_object(), *floods = json_array(), *findings = json_array();
  bool offer_mode = o->offer_to != NULL;
  int rc = -1;
  *report = NULL;
  err[0] = '\0';
  memset(&ic, 0, sizeof ic);
  ic.fd = udp_local();
  if (ic.fd < 0) {
    snprintf(err, errcap, "cannot open a UDP socket on 127.0.0.1");
    goto out;
  }
  if (RAND_bytes((uint8_t *)&ic.tiebreak, sizeof ic.tiebreak) != 1) goto out;
  random_ice_chars(ic.lpwd, 24);
  if (offer_mode) {
    random_ice_chars(ic.lufrag, 8);
    if (signal_offer(&ic, o->offer_to, rep, err, errcap) != 0) goto out;
  } else {
    char host[64];
    int port;
    snprintf(ic.lufrag, sizeof ic.lufrag, "%s", o->local_ufrag ? o->local_ufrag : "rtgprobe");
    snprintf(ic.rufrag, sizeof ic.rufrag, "%s", o->ufrag);
    snprintf(ic.rpwd, sizeof ic.rpwd, "%s", o->pwd);
    if (sscanf(o->target, "%63[^:]:%d", host, &port) != 2 || port < 1 || port > 65535 ||
        inet_pton(AF_INET, host, &ic.target.sin_addr) != 1) {
      snprintf(err, errcap, "bad --target '%s' (want IPV4:PORT)", o->target);
      goto out;
    }
    ic.target.sin_family = AF_INET;
    ic.target.sin_port = htons((uint16_t)port);
  }
  if (rtg_stun_cred_init_short(&ic.rcred, ic.rpwd, strlen(ic.rpwd)) != 0 ||
      rtg_stun_cred_init_short(&ic.lcred, ic.lpwd, strlen(ic.lpwd)) != 0 ||
      rtg_stun_cred_init_short(&ic.badcred, "rtcgate-wrong-ice-password", 26) != 0) {
    snprintf(err, errcap, "bad ICE password");
    goto out;
  }
  /* the session: nominate (offer mode) or prove the target answers */
  window_start(&ic);
  for (long long end = now_ms() + 5000, next = 0; now_ms() < end && ic.cans == 0;) {
    struct pollfd pfd = {.fd = ic.fd, .events = POLLIN};
    if (now_ms() >= next) {
      send_consent(&ic, offer_mode);
      next = now_ms() + 100;
    }
    if (poll(&pfd, 1, 10) > 0) drain_session(&ic);
  }
  if (ic.cans == 0) {
    snprintf(err, errcap, "%s did not answer a valid Binding request in 5 s",
             offer_mode ? "the answerer" : "the target");
    goto out;
  }
  {
    char addr[64];
    inet_ntop(AF_INET, &ic.target.sin_addr, addr, sizeof addr);
    snprintf(addr + strlen(addr), sizeof addr - strlen(addr), ":%u", ntohs(ic.target.sin_port));
    json_object_set_new(rep, "target", json_string(addr));
    if (o->verbose) fprintf(stderr, "rtcgate probe flood: session with %s up\n", addr);
  }
  /* baseline */
  window_start(&ic);
  consent_for(&ic, 1000);
  json_object_set_new(rep, "baseline", window_json(&ic));
  for (int k = FL_UNAUTH; k <= FL_VALID; k++) {
    struct flood_res fr;
    double amp;
    json_t *e, *cw;
    window_start(&ic);
    flood(&ic, (enum flood_kind)k, o, &fr, true);
    cw = window_json(&ic);
    amp = fr.sent_bytes ? (double)fr.recv_bytes / (double)fr.sent_bytes : 0.0;
    e = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:o}", "flood", kind_names[k], "sent",
                  (int)fr.sent, "sent_bytes", (int)fr.sent_bytes, "received", (int)fr.recv,
                  "received_bytes", (int)fr.recv_bytes, "success", (int)fr.success, "errors",
                  (int)fr.errors, "triggered_checks", (int)fr.requests, "amplification", amp,
                  "consent", cw);
    json_array_append_new(floods, e);
    fprintf(stderr,
            "  %-16s sent %5ld (%6ld B), back %5ld (%6ld B): %ld success, %ld error, %ld "
            "triggered checks; amplification %.2f; consent %d/%d answered, max gap %lld ms\n",
            kind_names[k], fr.sent, fr.sent_bytes, fr.recv, fr.recv_bytes, fr.success, fr.errors,
            fr.requests, amp, ic.cans, ic.csent, ic.max_gap);
    if (k == FL_BAD && fr.success > 0)
      json_array_append_new(findings, json_sprintf("bad-integrity checks answered with success "
                                                   "(%ld)",
                                                   fr.success));
    if (k == FL_UNAUTH && fr.success > 0)
      json_array_append_new(
          findings, json_sprintf("unauthenticated checks answered with success (%ld)", fr.success));
    if (k != FL_VALID && amp > 1.0)
      json_array_append_new(findings, json_sprintf("%s flood amplified %.2fx", kind_names[k], amp));
    if (k == FL_VALID && amp > 2.0)
      json_array_append_new(findings, json_sprintf("%s flood amplified %.2fx", kind_names[k], amp));
    if (ic.csent > 0 && (ic.cans * 2 < ic.csent || ic.max_gap > 2000))
      json_array_append_new(findings,
                            json_sprintf("consent did not hold during the %s flood (%d/%d "
                                         "answered, gap %lld ms)",
                                         kind_names[k], ic.cans, ic.csent, ic.max_gap));
  }
  window_start(&ic);
  consent_for(&ic, 1000);
  {
    json_t *after = window_json(&ic);
    bool alive = ic.cans > 0;
    json_object_set_new(after, "survived", json_boolean(alive));
    json_object_set_new(rep, "after", after);
    fprintf(stderr, "  after            consent %d/%d answered: session %s\n", ic.cans, ic.csent,
            alive ? "survived" : "LOST");
    if (!alive) json_array_append_new(findings, json_string("the session did not survive"));
  }
  json_object_set_new(rep, "floods", floods);
  floods = NULL;
  rc = (int)json_array_size(findings);
  json_object_set_new(rep, "findings", findings);
  findings = NULL;
  *report = rep;
  rep = NULL;
out:
  rtg_stun_cred_free(&ic.rcred);
  rtg_stun_cred_free(&ic.lcred);
  rtg_stun_cred_free(&ic.badcred);
  if (ic.fd >= 0) close(ic.fd);
  json_decref(rep);
  json_decref(floods);
  json_decref(findings);
  if (rc < 0 && err[0] == '\0') snprintf(err, errcap, "probe failed");
  return rc;
}
