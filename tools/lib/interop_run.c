/*
 * interop_run.c - one run of the interop matrix: (offerer, answerer, case).
 *
 * The parent forks a child that enters a fresh network namespace, records
 * the namespace traffic (interop_capture.c), serves the page and the mailbox and
 * starts both participants, each in its own process group (their ids go to
 * RUN/pgids so the parent can kill them even if the child dies). The parent
 * bounds the child in time and reacts to Ctrl-C; afterwards it evaluates
 * the participants' reported checks and runs the replay engine on the
 * capture with the SDPs and key logs of the run.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/replay.h"
#include "lib/interop.h"

const char *const rtg_interop_timing_names[5] = {"ice_connected", "dtls_connected", "first_message",
                                                 "first_media", "dc_rtt_p50"};

const char *rtg_interop_verdict_name(enum rtg_interop_verdict v) {
  switch (v) {
    case RTG_V_PASS: return "pass";
    case RTG_V_FAIL: return "fail";
    case RTG_V_UNSUPPORTED: return "unsupported";
    case RTG_V_FLAKY: return "flaky";
    default: return "?";
  }
}

static volatile sig_atomic_t child_stop;
static void on_child_signal(int sig) {
  (void)sig;
  child_stop = 1;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void note(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(const char *dir, const char *name, const char *fmt, ...) {
  char path[1024];
  FILE *f;
  va_list ap;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "a");
  if (f == NULL) return;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fclose(f);
}

static void append_file(const char *dst, const char *src) {
  FILE *in = fopen(src, "rb"), *out;
  char buf[8192];
  size_t n;
  if (in == NULL) return;
  out = fopen(dst, "ab");
  if (out) {
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(out);
  }
  fclose(in);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The namespace side of a run; returns the child's exit code. */
static int child_main(const struct rtg_interop_opts *o, int off, int ans,
                      const struct rtg_interop_case *c, const char *dir) {
  char tmpd[128], err[512], cap[1024], log[1024], keylog[2][1024], url[2][256], base[64];
  struct rtg_interop_server *srv;
  pid_t capture, turn = -1, part[2] = {-1, -1};
  const int who[2] = {off, ans};
  long long deadline;
  int exited[2] = {0, 0};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_child_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (rtg_interop_ns_enter(err, sizeof err) != 0) {
    note(dir, "error.txt", "%s\n", err);
    return 2;
  }
  if (rtg_interop_ns_setup((c->flags & RTG_CASE_IPV6) != 0, err, sizeof err) != 0) {
    note(dir, "error.txt", "network setup: %s\n", err);
    return 2;
  }
  srv = rtg_interop_server_new(o->web_dir, c, o->timeout_s, dir, err, sizeof err);
  if (srv == NULL) {
    note(dir, "error.txt", "%s\n", err);
    return 2;
  }
  snprintf(cap, sizeof cap, "%s/capture.pcap", dir);
  snprintf(log, sizeof log, "%s/capture.log", dir);
  /* signaling is not part of the session; mDNS (5353) is left out because
   * the replay engine would demultiplex its packets as STUN (RFC 7983 looks
   * at the first byte only) */
  {
    char filt[64];
    snprintf(filt, sizeof filt, "not tcp port %d and not udp port 5353", RTG_INTEROP_PORT);
    capture = rtg_interop_capture_start(cap, filt, log);
  }
  note(dir, "pgids", "%d\n", (int)capture);
  /* the capture process writes the file header once it listens */
  for (long long end = rtg_interop_now_ms() + 5000;
       rtg_interop_now_ms() < end && file_size(cap) < 24 && !child_stop;)
    rtg_interop_server_service(srv, 50);
  if (file_size(cap) < 24) note(dir, "error.txt", "the capture did not start (see capture.log)\n");
  if (c->flags & RTG_CASE_RELAY) {
    char pid[1024], db[1024];
    char *argv[] = {"turnserver",
                    "-n",
                    "--listening-port",
                    "3478",
                    "--listening-ip",
                    "10.99.0.2",
                    "--relay-ip",
                    "10.99.0.2",
                    "--lt-cred-mech",
                    "--user",
                    RTG_INTEROP_TURN_USER ":" RTG_INTEROP_TURN_PASS,
                    "--realm",
                    "rtcgate",
                    "--no-tls",
                    "--no-dtls",
                    "--no-tcp-relay",
                    "--no-cli",
                    "--fingerprint",
                    "--allowed-peer-ip",
                    "10.99.0.0-10.99.0.255",
                    "--pidfile",
                    pid,
                    "--userdb",
                    db,
                    "--log-file",
                    "stdout",
                    "--simple-log",
                    NULL};
    snprintf(pid, sizeof pid, "%.1000s/turnserver.pid", dir);
    snprintf(db, sizeof db, "%.1000s/turnserver.db", dir);
    snprintf(log, sizeof log, "%.1000s/turnserver.log", dir);
    turn = rtg_interop_spawn(argv, NULL, log);
    note(dir, "pgids", "%d\n", (int)turn);
    /* coturn takes a moment to bind; its log says when */
    for (long long end = rtg_interop_now_ms() + 3000; rtg_interop_now_ms() < end && !child_stop;) {
      char text[8192];
      FILE *f = fopen(log, "r");
      size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
      if (f) fclose(f);
      text[n] = '\0';
      if (strstr(text, "Total General servers") || strstr(text, "relay 10.99.0.2")) break;
      rtg_interop_server_service(srv, 50);
    }
  }
  snprintf(base, sizeof base, "http://127.0.0.1:%d", RTG_INTEROP_PORT);
  {
    /* The browsers' TMPDIR, removed after the run. Short, because Chromium
     * binds a UNIX socket below it (108-byte sun_path). */
    const char *t = getenv("TMPDIR");
    snprintf(tmpd, sizeof tmpd, "%s/rtg-XXXXXX", t && *t && strlen(t) < 48 ? t : "/tmp");
    if (mkdtemp(tmpd) == NULL) snprintf(tmpd, sizeof tmpd, "%s", "/tmp");
  }
  for (int r = 0; r < 2 && !child_stop; r++) {
    const char *role = r == RTG_ROLE_OFFER ? "offer" : "answer";
    struct rtg_interop_launch l;
    snprintf(keylog[r], sizeof keylog[r], "%s/keylog-%s.txt", dir, role);
    snprintf(url[r], sizeof url[r], "%s/index.html?role=%s", base, role);
    l.p = &o->parts[who[r]];
    l.c = c;
    l.role = (enum rtg_interop_role)r;
    l.run_dir = dir;
    l.url = url[r];
    l.base_url = base;
    l.keylog = keylog[r];
    l.tmp_dir = tmpd;
    part[r] = rtg_interop_participant_start(&l);
    if (part[r] > 0) note(dir, "pgids", "%d\n", (int)part[r]);
  }
  deadline =
      rtg_interop_now_ms() + (long long)(o->timeout_s ? o->timeout_s : c->timeout_s) * 1000 + 15000;
  while (!child_stop && rtg_interop_now_ms() < deadline) {
    rtg_interop_server_service(srv, 100);
    if (rtg_interop_server_has_result(srv, RTG_ROLE_OFFER) &&
        rtg_interop_server_has_result(srv, RTG_ROLE_ANSWER))
      break;
    for (int r = 0; r < 2; r++) {
      int st;
      if (part[r] > 0 && !exited[r] && waitpid(part[r], &st, WNOHANG) == part[r]) {
        exited[r] = 1;
        note(dir, "participants.txt", "%s %s exited %d\n", r ? "answer" : "offer",
             o->parts[who[r]].name, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && o->parts[who[r]].kind == RTG_PART_EXTERNAL)
          note(dir, "unsupported", "%s\n", o->parts[who[r]].name);
      }
    }
    if (file_size(cap) >= 0 && exited[0] + exited[1] > 0 &&
        ((exited[0] && !rtg_interop_server_has_result(srv, RTG_ROLE_OFFER)) ||
         (exited[1] && !rtg_interop_server_has_result(srv, RTG_ROLE_ANSWER))))
      break; /* a participant ended without a result: nothing more to wait for */
  }
  if (rtg_interop_now_ms() >= deadline) note(dir, "error.txt", "run timed out\n");
  for (int i = 0; i < 3; i++) rtg_interop_server_service(srv, 20);
  for (int r = 0; r < 2; r++) rtg_interop_kill_group(part[r], 1500);
  rtg_interop_kill_group(turn, 1000);
  /* the capture process drains the socket on SIGTERM before closing */
  rtg_interop_kill_group(capture, 4500);
  rtg_interop_server_free(srv);
  {
    /* the browser profiles (and their temporary files) are not results */
    char p0[1100], p1[1100];
    char *argv[] = {"rm", "-rf", p0, p1, strcmp(tmpd, "/tmp") ? tmpd : NULL, NULL};
    pid_t rm;
    snprintf(p0, sizeof p0, "%.1000s/profile-offer", dir);
    snprintf(p1, sizeof p1, "%.1000s/profile-answer", dir);
    rm = rtg_interop_spawn(argv, NULL, NULL);
    if (rm > 0) waitpid(rm, NULL, 0);
  }
  {
    char kl[1024];
    snprintf(kl, sizeof kl, "%s/keylog.txt", dir);
    fclose(fopen(kl, "w"));
    append_file(kl, keylog[0]);
    append_file(kl, keylog[1]);
  }
  rtg_interop_reap();
  return 0;
}

static void kill_listed(const char *dir) {
  char path[1024];
  FILE *f;
  int pg;
  snprintf(path, sizeof path, "%s/pgids", dir);
  f = fopen(path, "r");
  if (f == NULL) return;
  while (fscanf(f, "%d", &pg) == 1) rtg_interop_kill_group(pg, 500);
  fclose(f);
}

static bool read_text(const char *dir, const char *name, char *out, size_t cap) {
  char path[1024];
  FILE *f;
  size_t n;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "r");
  if (f == NULL) return false;
  n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = '\0';
  fclose(f);
  return true;
}

static void add_reason(struct rtg_interop_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_reason(struct rtg_interop_result *res, const char *fmt, ...) {
  size_t n = strlen(res->reason);
  va_list ap;
  if (n + 3 >= sizeof res->reason) return;
  if (n) {
    memcpy(res->reason + n, "; ", 3);
    n += 2;
  }
  va_start(ap, fmt);
  vsnprintf(res->reason + n, sizeof res->reason - n, fmt, ap);
  va_end(ap);
}

/* Is |id| in the comma list |list|? */
static bool in_list(const char *list, const char *id) {
  size_t n = strlen(id);
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, id, n) == 0) return true;
    p = e ? e + 1 : NULL;
  }
  return false;
}

static void check_role(struct rtg_interop_result *res, const char *dir, int role,
                       const struct rtg_interop_case *c, const char *pname) {
  const char *rname = role ? "answer" : "offer";
  char path[1024], name[64];
  json_error_t je;
  json_t *j, *checks;
  const char *e;
  snprintf(path, sizeof path, "%s/%s.json", dir, rname);
  j = json_load_file(path, 0, &je);
  if (j == NULL) {
    add_reason(res, "no result from the %s (%s)", rname, pname);
    return;
  }
  if ((e = json_string_value(json_object_get(j, "error"))) != NULL)
    add_reason(res, "%s: %s", rname, e);
  checks = json_object_get(j, "checks");
  for (const char *p = c->checks[role]; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    json_t *v;
    snprintf(name, sizeof name, "%.*s", (int)len, p);
    v = json_object_get(checks, name);
    if (!json_is_true(v)) add_reason(res, "%s: check %s %s", rname, name, v ? "failed" : "missing");
    p = comma ? comma + 1 : NULL;
  }
  /* timings: the offerer's, else the answerer's */
  for (int i = 0; i < 5; i++) {
    json_t *t = json_object_get(json_object_get(j, "timings"), rtg_interop_timing_names[i]);
    if (json_is_number(t) && res->timings[i] < 0) res->timings[i] = json_number_value(t);
  }
  json_decref(j);
}

/* expected.json in the pcaps/ format (tools/tests/replay_pcaps.sh), from the
 * replay report of this run, so a kept run can join pcaps/ as it is. */
static void write_expected(json_t *rep, const char *dir) {
  json_t *exp = json_object(), *vers = json_array(), *finds = json_object(),
         *streams = json_object(), *sum = json_object_get(rep, "summary"), *sess, *f;
  size_t i, j, k;
  char path[1100];
  json_object_set_new(exp, "_comment",
                      json_string("expected results of 'rtcgate replay capture.pcap --sdp "
                                  "offer.sdp --sdp answer.sdp --keylog keylog.txt', written by "
                                  "rtcgate interop from its run"));
  json_array_foreach(json_object_get(rep, "sessions"), i, sess) {
    json_t *fl;
    json_array_foreach(json_object_get(sess, "flows"), j, fl) {
      json_t *v = json_object_get(fl, "dtls_version"), *st;
      if (json_is_string(v)) json_array_append(vers, v);
      json_array_foreach(json_object_get(fl, "streams"), k, st) {
        char ssrc[16];
        snprintf(ssrc, sizeof ssrc, "%08llx",
                 (unsigned long long)json_integer_value(json_object_get(st, "ssrc")));
        json_object_set_new(streams, ssrc,
                            json_pack("{s:O, s:O, s:O}", "lost", json_object_get(st, "lost"),
                                      "packets", json_object_get(st, "packets"), "payload_type",
                                      json_object_get(st, "payload_type")));
      }
    }
  }
  json_array_foreach(json_object_get(rep, "findings"), i, f) {
    const char *id = json_string_value(json_object_get(f, "id"));
    if (id)
      json_object_set_new(finds, id,
                          json_integer(json_integer_value(json_object_get(finds, id)) + 1));
  }
  json_object_set_new(exp, "dtls_version", vers);
  json_object_set_new(exp, "findings", finds);
  json_object_set_new(exp, "sessions",
                      json_integer((json_int_t)json_array_size(json_object_get(rep, "sessions"))));
  json_object_set_new(exp, "streams", streams);
  json_object_set_new(
      exp, "summary",
      json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "dtls", json_object_get(sum, "dtls"),
                "packets", json_object_get(sum, "packets"), "srtcp_packets",
                json_object_get(json_object_get(sum, "srtcp"), "packets"), "srtp_packets",
                json_object_get(json_object_get(sum, "srtp"), "packets"), "ssrcs",
                json_object_get(sum, "ssrcs"), "stun", json_object_get(sum, "stun")));
  snprintf(path, sizeof path, "%.1000s/expected.json", dir);
  json_dump_file(exp, path, JSON_INDENT(1) | JSON_SORT_KEYS);
  json_decref(exp);
}

static void run_replay(struct rtg_interop_result *res, const char *dir,
                       const struct rtg_interop_case *c) {
  struct rtg_replay_opts opts;
  struct rtg_replay *r = malloc(sizeof *r);
  char path[1024], err[512];
  FILE *f;
  rtg_rules_defaults(&opts);
  opts.quiet = true;
  if (r == NULL || rtg_replay_init(r, &opts)) {
    free(r);
    add_reason(res, "replay: out of memory");
    return;
  }
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s.sdp", dir, i ? "answer" : "offer");
    if (file_size(path) > 0 && rtg_replay_add_sdp(r, path, err, sizeof err))
      add_reason(res, "replay: %s", err);
  }
  snprintf(path, sizeof path, "%s/keylog.txt", dir);
  if (file_size(path) > 0 && rtg_replay_add_keylog(r, path, err, sizeof err))
    add_reason(res, "replay: %s", err);
  snprintf(path, sizeof path, "%s/capture.pcap", dir);
  if (rtg_replay_capture(r, path)) {
    add_reason(res, "replay: %s", r->caps[r->ncaps - 1].error);
  } else {
    for (size_t i = 0; i < r->nfindings; i++) {
      const struct rtg_rule *rule = &rtg_rules[r->findings[i].rule];
      res->findings_total++;
      if (opts.sev[r->findings[i].rule] == RTG_SEV_ERROR &&
          !in_list(c->allowed_findings, rule->id)) {
        if (res->findings == 0) add_reason(res, "replay: %s: %s", rule->id, r->findings[i].message);
        res->findings++;
      }
    }
    if (r->kl->n && rtg_replay_keylog_matches(r) == 0 && !(c->flags & RTG_CASE_EXPECT_FAIL))
      add_reason(res, "replay: the key log matches no ClientHello of the capture");
  }
  {
    json_t *doc = rtg_replay_json(r);
    snprintf(path, sizeof path, "%s/replay.json", dir);
    json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    write_expected(doc, dir);
    json_decref(doc);
  }
  snprintf(path, sizeof path, "%s/replay.txt", dir);
  f = fopen(path, "w");
  if (f) {
    rtg_replay_print_summary(r, f);
    fclose(f);
  }
  rtg_replay_free(r);
  free(r);
}

int rtg_interop_run_one(const struct rtg_interop_opts *o, int off, int ans,
                        const struct rtg_interop_case *c, const char *dir,
                        struct rtg_interop_result *res, volatile int *stop) {
  long long t0 = rtg_interop_now_ms(), deadline;
  char text[512];
  pid_t child;
  int st = 0, child_rc = -1;
  bool done = false;
  res->offerer = off;
  res->answerer = ans;
  res->c = c;
  res->verdict = RTG_V_FAIL;
  res->reason[0] = '\0';
  res->findings = res->findings_total = 0;
  for (int i = 0; i < 5; i++) res->timings[i] = -1;
  snprintf(res->dir, sizeof res->dir, "%s", dir);
  if (!o->parts[off].roles[RTG_ROLE_OFFER] || !o->parts[ans].roles[RTG_ROLE_ANSWER]) {
    res->verdict = RTG_V_UNSUPPORTED;
    snprintf(res->reason, sizeof res->reason, "%s cannot take that role",
             o->parts[off].roles[RTG_ROLE_OFFER] ? o->parts[ans].name : o->parts[off].name);
    return 0;
  }
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    snprintf(res->reason, sizeof res->reason, "cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  fflush(NULL);
  child = fork();
  if (child < 0) {
    snprintf(res->reason, sizeof res->reason, "fork: %s", strerror(errno));
    return -1;
  }
  if (child == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    _exit(child_main(o, off, ans, c, dir));
  }
  setpgid(child, child);
  deadline = t0 + (long long)(o->timeout_s ? o->timeout_s : c->timeout_s) * 1000 + 30000;
  while (!done) {
    pid_t w = waitpid(child, &st, WNOHANG);
    if (w == child) {
      child_rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      done = true;
    } else if (*stop || rtg_interop_now_ms() > deadline) {
      /* the child cleans up on SIGTERM; then force */
      kill(child, SIGTERM);
      for (long long end = rtg_interop_now_ms() + 6000; rtg_interop_now_ms() < end;) {
        if (waitpid(child, &st, WNOHANG) == child) {
          child_rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
          break;
        }
        sleep_ms(50);
      }
      kill(-child, SIGKILL);
      add_reason(res, *stop ? "interrupted" : "the run exceeded its time limit");
      done = true;
    } else {
      sleep_ms(50);
    }
  }
  kill_listed(dir); /* anything the child could not end */
  rtg_interop_reap();
  res->duration_s = (double)(rtg_interop_now_ms() - t0) / 1000.0;
  if (read_text(dir, "error.txt", text, sizeof text)) add_reason(res, "%s", text);
  if (child_rc == 2) return -2; /* environment: no namespace, no HTTP port */
  if (child_rc != 0 && child_rc != -1)
    add_reason(res, "the run's namespace process failed (%d)", child_rc);
  if (read_text(dir, "unsupported", text, sizeof text)) {
    res->verdict = RTG_V_UNSUPPORTED;
    snprintf(res->reason, sizeof res->reason, "%.100s does not support %s (exit 127)", text,
             c->name);
    return 0;
  }
  check_role(res, dir, RTG_ROLE_OFFER, c, o->parts[off].name);
  check_role(res, dir, RTG_ROLE_ANSWER, c, o->parts[ans].name);
  run_replay(res, dir, c);
  if (res->reason[0] == '\0') res->verdict = RTG_V_PASS;
  return 0;
}
