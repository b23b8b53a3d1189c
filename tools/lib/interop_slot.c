/*
 * interop_slot.c - how the matrix runs: a few slots (o->jobs, default 1),
 * each a forked process in a network namespace of its own (veth pair,
 * IPv4 and IPv6, coturn when a case needs it) with ONE long-lived HTTP
 * server and, per browser participant, ONE long-lived browser process
 * started on a fresh profile when first needed. A browser shows the agent
 * page (tools/interop/web/agent.html), which polls the server and opens
 * one frame per (run, role) it is given, so a run costs a page load, not a
 * browser start. Runs in a slot are strictly sequential: each has its own
 * run id (every request of its pages carries it; a late request of an
 * earlier run gets 410), its own capture process started before the run
 * and stopped after both pages are gone, and its own slices of the
 * browsers' key logs and logs. Slots run in parallel with separate
 * namespaces, so they never see each other's packets.
 *
 * The parent hands out jobs through a pipe, evaluates each finished run
 * (checks, replay of the capture: interop_run.c) while the slot goes on
 * with the next one, requeues failed runs for --retries, and bounds every
 * run in time: a slot that hangs or dies is killed with everything it
 * started (the process groups listed in its pgids file) and replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "lib/interop.h"

#define MAX_SLOTS 4
#define MAX_AGENTS (2 * RTG_INTEROP_MAX_PARTICIPANTS)

struct slot_msg { /* parent -> slot: run |job| (the pair, the case's index in
                   * rtg_interop_cases[]) in |dir| */
  int job, off, ans, c;
  char dir[512]; /* = struct rtg_interop_result's dir */
};
struct slot_reply { /* slot -> parent: the run is over, its files are in place */
  int job;
  int rc;
};

struct agent {
  int part;
  bool mdns;
  pid_t pid;
  char id[32];
  char log[PATH_MAX], keylog[PATH_MAX], profile[PATH_MAX];
};

struct slot {
  const struct rtg_interop_opts *o;
  int index;
  const char *dir; /* the slot's own directory: profiles, browser logs, pgids */
  char tmpd[128];  /* the browsers' TMPDIR */
  struct rtg_interop_server *srv;
  struct agent agents[MAX_AGENTS];
  int nagents, generation, runs;
  pid_t turn;
};

static volatile sig_atomic_t slot_stop;
static void on_slot_signal(int sig) {
  (void)sig;
  slot_stop = 1;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void note(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(const char *dir, const char *name, const char *fmt, ...) {
  char path[PATH_MAX];
  FILE *f;
  va_list ap;
  snprintf(path, sizeof path, "%.3000s/%s", dir, name);
  f = fopen(path, "a");
  if (f == NULL) return;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fclose(f);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Appends |src| from byte |from| on to |dst|. */
static void append_from(const char *dst, const char *src, long from) {
  FILE *in = fopen(src, "rb"), *out;
  char buf[8192];
  size_t n;
  if (in == NULL) return;
  if (from > 0 && fseek(in, from, SEEK_SET) != 0) {
    fclose(in);
    return;
  }
  out = fopen(dst, "ab");
  if (out) {
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(out);
  }
  fclose(in);
}

static bool is_browser(const struct rtg_interop_participant *p) {
  return p->kind == RTG_PART_CHROMIUM || p->kind == RTG_PART_FIREFOX;
}

static void slot_track(struct slot *sl, pid_t pg) {
  if (pg > 0) note(sl->dir, "pgids", "%d\n", (int)pg);
}

static void agent_kill(struct slot *sl, struct agent *a) {
  if (a->pid > 0) rtg_interop_kill_group(a->pid, 1500);
  rtg_interop_server_agent_forget(sl->srv, a->id);
  a->pid = -1;
}

/* The browser of participant |part| (mdns variant or not), started on first
 * use; NULL when it does not come up. */
static struct agent *agent_get(struct slot *sl, int part, bool mdns, char *err, size_t errcap) {
  const struct rtg_interop_participant *p = &sl->o->parts[part];
  struct agent *a = NULL;
  char url[256];
  for (int i = 0; i < sl->nagents; i++)
    if (sl->agents[i].part == part && sl->agents[i].mdns == mdns) a = &sl->agents[i];
  if (a && a->pid > 0) {
    int st;
    if (waitpid(a->pid, &st, WNOHANG) == 0) return a;
    agent_kill(sl, a); /* it died since: a fresh one */
  }
  if (a == NULL) {
    if (sl->nagents >= MAX_AGENTS) {
      snprintf(err, errcap, "too many browsers");
      return NULL;
    }
    a = &sl->agents[sl->nagents++];
    a->part = part;
    a->mdns = mdns;
  }
  snprintf(a->id, sizeof a->id, "%.12s%s-%d", p->name, mdns ? "-mdns" : "", ++sl->generation);
  snprintf(a->profile, sizeof a->profile, "%.3000s/profile-%s", sl->dir, a->id);
  snprintf(a->log, sizeof a->log, "%.3000s/%s.log", sl->dir, a->id);
  snprintf(a->keylog, sizeof a->keylog, "%.3000s/%s.keylog", sl->dir, a->id);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/agent.html?agent=%s", RTG_INTEROP_PORT, a->id);
  /* one browser serves every case: fake devices, except for the mdns
   * variant (the permission they come with reveals host addresses) */
  a->pid = rtg_interop_browser_start(p, mdns, !mdns, url, a->profile, a->log, a->keylog, sl->tmpd);
  slot_track(sl, a->pid);
  if (a->pid <= 0) {
    snprintf(err, errcap, "cannot start %s", p->binary);
    return NULL;
  }
  /* ready once its agent page polls */
  for (long long end = rtg_interop_now_ms() + 30000;
       rtg_interop_now_ms() < end && !slot_stop &&
       rtg_interop_server_agent_polls(sl->srv, a->id) == 0;) {
    int st;
    rtg_interop_server_service(sl->srv, 20);
    if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
      snprintf(err, errcap, "%s exited during start-up (see its log)", p->name);
      a->pid = -1;
      return NULL;
    }
  }
  if (rtg_interop_server_agent_polls(sl->srv, a->id) == 0) {
    snprintf(err, errcap, "%s did not load the agent page within 30 s", p->name);
    agent_kill(sl, a);
    return NULL;
  }
  return a;
}

/* Does something accept TCP connections at http://HOST:PORT/...? */
static bool url_listening(const char *url) {
  char host[128];
  int port = 0, fd;
  struct sockaddr_in sin;
  bool ok;
  if (sscanf(url, "http://%127[^:/]:%d", host, &port) != 2 || port <= 0 || port > 65535)
    return false;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) return false;
  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ok = connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
  close(fd);
  return ok;
}

/* An echoes participant's result file from its exit code (and its --json
 * when it wrote one). */
static void echoes_result(const char *dir, int role, const char *name, int rc, bool expect_fail) {
  const char *rname = role ? "answer" : "offer";
  char path[PATH_MAX];
  json_error_t je;
  json_t *own, *res;
  snprintf(path, sizeof path, "%.3000s/%s-peer.json", dir, rname);
  own = json_load_file(path, 0, &je);
  res = json_pack("{s:s, s:s, s:i, s:{s:b, s:b}, s:{}}", "role", rname, "participant", name, "exit",
                  rc, "checks", "expectations", rc == 0, "refused", rc == 1, "timings");
  if (rc != 0 && !(expect_fail && rc == 1)) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s exited %d%s", name, rc,
             rc == 1 ? " (an expectation failed, see its log)" : "");
    json_object_set_new(res, "error", json_string(msg));
  }
  if (own) json_object_set(res, "peer", own);
  json_decref(own);
  snprintf(path, sizeof path, "%.3000s/%s.json", dir, rname);
  json_dump_file(res, path, JSON_INDENT(1));
  json_decref(res);
}

/* Ends |pid| (SIGTERM to its group, SIGKILL after |grace_ms|); its exit
 * status as 0..255 or 128+signal. */
static int end_child(pid_t pid, int grace_ms) {
  int st = 0;
  kill(-pid, SIGTERM);
  for (long long end = rtg_interop_now_ms() + grace_ms; rtg_interop_now_ms() < end;) {
    if (waitpid(pid, &st, WNOHANG) == pid)
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    sleep_ms(10);
  }
  kill(-pid, SIGKILL);
  if (waitpid(pid, &st, 0) != pid) return 128 + SIGKILL;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Waits (up to 10 s) until the echoes answerer |pid| accepts connections
 * at |url|, then tells the offerer "ready"; notes an early exit. */
static void wait_listening(struct slot *sl, const char *dir, pid_t pid, const char *url,
                           const char *name, bool *exited, int *rc) {
  long long end = rtg_interop_now_ms() + 10000;
  if (pid <= 0 || *exited) return;
  while (!slot_stop && rtg_interop_now_ms() < end && !url_listening(url)) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      *exited = true;
      *rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      note(dir, "participants.txt", "answer %s exited %d\n", name, *rc);
      if (*rc == 127) note(dir, "unsupported", "%s\n", name);
      return;
    }
    rtg_interop_server_service(sl->srv, 10);
  }
  if (!url_listening(url)) {
    note(dir, "error.txt", "%s does not serve %s within 10 s\n", name, url);
    return;
  }
  rtg_interop_server_post(sl->srv, RTG_ROLE_OFFER, "ready");
}

/* One run in the slot; its files end up in |dir|. */
static void slot_run(struct slot *sl, const struct rtg_interop_job *j, const char *dir) {
  const struct rtg_interop_opts *o = sl->o;
  const struct rtg_interop_case *c = j->c;
  const int who[2] = {j->off, j->ans};
  const bool mdns = (c->flags & RTG_CASE_MDNS) != 0;
  struct rtg_interop_session ss;
  struct agent *ag[2] = {NULL, NULL};
  long kl_off[2] = {0, 0}, log_off[2] = {0, 0};
  pid_t part[2] = {-1, -1}, capture;
  int rc[2] = {-1, -1};
  bool exited[2] = {false, false}, bye = false, termed = false, timed_out = false;
  char cap[PATH_MAX], log[PATH_MAX], err[512], base[96], answer_url[256];
  long long deadline, t0 = rtg_interop_now_ms(), t_cap, t_start, t_res, t_gone, t_stop;
  long long off_exit_ms = 0;
  int run = sl->index * 1000000 + ++sl->runs;

  for (int r = 0; r < 2; r++)
    if (o->parts[who[r]].echoes &&
        (c->expect == NULL || (strcmp(c->name, "trickle") == 0 && !o->parts[who[r]].trickle))) {
      /* the webrtc-echoes contract is non-trickle: without the mailbox
       * extension (rtcgate peer --trickle) it cannot express this */
      note(dir, "unsupported", "%s\n", o->parts[who[r]].name);
      return;
    }
  snprintf(cap, sizeof cap, "%.3000s/capture.pcap", dir);
  snprintf(log, sizeof log, "%.3000s/capture.log", dir);
  {
    /* signaling (8642, 8643) is not part of the session; mDNS (5353) is
     * left out because the replay engine would demultiplex its packets as
     * STUN (RFC 7983 looks at the first byte only) */
    char filt[96];
    snprintf(filt, sizeof filt, "not tcp port %d and not tcp port %d and not udp port 5353",
             RTG_INTEROP_PORT, RTG_INTEROP_ECHOES_PORT);
    capture = rtg_interop_capture_start(cap, filt, log);
    slot_track(sl, capture);
  }
  /* the capture process writes the file header once it listens */
  for (long long end = rtg_interop_now_ms() + 5000;
       rtg_interop_now_ms() < end && file_size(cap) < 24 && !slot_stop;)
    rtg_interop_server_service(sl->srv, 5);
  if (file_size(cap) < 24) note(dir, "error.txt", "the capture did not start (see capture.log)\n");
  t_cap = rtg_interop_now_ms();

  snprintf(answer_url, sizeof answer_url, "%s",
           o->parts[j->ans].answer_url[0] ? o->parts[j->ans].answer_url : "");
  if (answer_url[0] == '\0')
    snprintf(answer_url, sizeof answer_url, "http://127.0.0.1:%d/offer", RTG_INTEROP_ECHOES_PORT);
  memset(&ss, 0, sizeof ss);
  ss.id = run;
  ss.c = c;
  ss.run_dir = dir;
  ss.timeout_s = o->timeout_s;
  ss.echoes[0] = o->parts[j->off].echoes;
  ss.echoes[1] = o->parts[j->ans].echoes;
  ss.answer_url = answer_url;
  if (rtg_interop_server_begin(sl->srv, &ss) != 0) {
    note(dir, "error.txt", "out of memory\n");
    rtg_interop_kill_group(capture, 4500);
    return;
  }
  snprintf(base, sizeof base, "http://127.0.0.1:%d/run/%d", RTG_INTEROP_PORT, run);
  /* an echoes answerer starts first: the offerer (a page waiting for
   * "ready", or an echoes offerer that POSTs at once) follows once it
   * serves POST /offer */
  for (int k = 0; k < 2 && !slot_stop; k++) {
    const int r = ss.echoes[RTG_ROLE_ANSWER] ? 1 - k : k;
    const struct rtg_interop_participant *p = &o->parts[who[r]];
    if (k == 1 && ss.echoes[RTG_ROLE_ANSWER])
      wait_listening(sl, dir, part[1], answer_url, o->parts[j->ans].name, &exited[1], &rc[1]);
    if (is_browser(p)) {
      ag[r] = agent_get(sl, who[r], mdns, err, sizeof err);
      if (ag[r] == NULL) {
        note(dir, "error.txt", "%s\n", err);
        break;
      }
      kl_off[r] = file_size(ag[r]->keylog);
      log_off[r] = file_size(ag[r]->log);
      if (rtg_interop_server_agent_assign(sl->srv, ag[r]->id, run, (enum rtg_interop_role)r)) {
        note(dir, "error.txt", "too many browser agents\n");
        break;
      }
    } else {
      struct rtg_interop_launch l;
      char keylog[PATH_MAX];
      memset(&l, 0, sizeof l);
      snprintf(keylog, sizeof keylog, "%.3000s/keylog-%s.txt", dir, r ? "answer" : "offer");
      l.p = p;
      l.c = c;
      l.role = (enum rtg_interop_role)r;
      l.run_dir = dir;
      l.url = base;
      l.base_url = base;
      l.keylog = keylog;
      l.tmp_dir = sl->tmpd;
      l.run_id = run;
      l.answer_url = answer_url;
      part[r] = rtg_interop_participant_start(&l);
      slot_track(sl, part[r]);
      if (part[r] <= 0) {
        note(dir, "error.txt", "cannot start %s\n", p->name);
        exited[r] = true;
      }
    }
  }
  t_start = rtg_interop_now_ms();
  deadline = t_start + (long long)(o->timeout_s ? o->timeout_s : c->timeout_s) * 1000 + 10000;
  while (!slot_stop) {
    bool done[2];
    if (rtg_interop_now_ms() >= deadline) {
      timed_out = true;
      note(dir, "error.txt", "run timed out\n");
      break;
    }
    rtg_interop_server_service(sl->srv, 20);
    for (int r = 0; r < 2; r++) {
      int st;
      if (part[r] > 0 && !exited[r] && waitpid(part[r], &st, WNOHANG) == part[r]) {
        exited[r] = true;
        rc[r] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        note(dir, "participants.txt", "%s %s exited %d\n", r ? "answer" : "offer",
             o->parts[who[r]].name, rc[r]);
        if (rc[r] == 127) note(dir, "unsupported", "%s\n", o->parts[who[r]].name);
      }
      if (ag[r] && waitpid(ag[r]->pid, &st, WNOHANG) == ag[r]->pid) {
        note(dir, "error.txt", "%s exited during the run\n", o->parts[who[r]].name);
        ag[r]->pid = -1;
        timed_out = true; /* ends the loop; the agent is replaced next time */
      }
    }
    if (timed_out) break;
    if ((exited[0] && rc[0] == 127) || (exited[1] && rc[1] == 127)) break;
    /* the relay failed (echoes answerer unreachable, no answer): the
     * session cannot come up; the error says why */
    if (rtg_interop_server_error(sl->srv) != NULL) break;
    for (int r = 0; r < 2; r++)
      done[r] = ss.echoes[r] ? exited[r]
                             : rtg_interop_server_has_result(sl->srv, (enum rtg_interop_role)r);
    if (done[0] && done[1]) break;
    /* a mailbox participant that ended without its result: nothing to wait for */
    if ((!ss.echoes[0] && exited[0] && !done[0]) || (!ss.echoes[1] && exited[1] && !done[1])) break;
    /* an echoes answerer that ended (or never started) leaves the page
     * facing it nothing to wait for */
    if (ss.echoes[1] && exited[1] && !ss.echoes[0] && !done[0] && !bye) {
      rtg_interop_server_post(sl->srv, RTG_ROLE_OFFER, "bye");
      bye = true;
    }
    /* an echoes offerer has finished its test: the page facing it ends */
    if (ss.echoes[0] && exited[0] && !ss.echoes[1] && !bye) {
      rtg_interop_server_post(sl->srv, RTG_ROLE_ANSWER, "bye");
      bye = true;
    }
    /* the offerer has its result: an echoes answerer serves until told */
    if (ss.echoes[1] && !exited[1] && done[0] && !termed) {
      kill(-part[1], SIGTERM);
      termed = true;
    }
    /* between two echoes peers the answerer sees the session end and,
     * with --sessions 1, exits by itself: a moment before it is told */
    if (ss.echoes[0] && ss.echoes[1] && exited[0] && !exited[1] && !termed) {
      if (off_exit_ms == 0) off_exit_ms = rtg_interop_now_ms();
      if (rtg_interop_now_ms() - off_exit_ms > 2000) {
        kill(-part[1], SIGTERM);
        termed = true;
      }
    }
  }
  {
    const char *e = rtg_interop_server_error(sl->srv);
    if (e) note(dir, "error.txt", "signaling: %s\n", e);
  }
  /* the pages go; wait until their agents have seen it (two polls) */
  t_res = rtg_interop_now_ms();
  rtg_interop_server_end(sl->srv);
  {
    long long seen[2];
    for (int r = 0; r < 2; r++)
      seen[r] = ag[r] && ag[r]->pid > 0 ? rtg_interop_server_agent_polls(sl->srv, ag[r]->id) : 0;
    for (long long end = rtg_interop_now_ms() + 1500; rtg_interop_now_ms() < end && !slot_stop;) {
      bool all = true;
      for (int r = 0; r < 2; r++)
        if (ag[r] && ag[r]->pid > 0 &&
            rtg_interop_server_agent_polls(sl->srv, ag[r]->id) < seen[r] + 2)
          all = false;
      if (all) break;
      rtg_interop_server_service(sl->srv, 10);
    }
  }
  t_gone = rtg_interop_now_ms();
  for (int r = 0; r < 2; r++) {
    if (part[r] > 0 && !exited[r]) {
      rc[r] = end_child(part[r], 2000);
      exited[r] = true;
    }
    if (part[r] > 0) rtg_interop_kill_group(part[r], 200); /* its helpers, if any */
  }
  /* the capture process drains the socket on SIGTERM before closing */
  rtg_interop_kill_group(capture, 4500);
  t_stop = rtg_interop_now_ms();
  /* where the run's time went (README: the profile of a run) */
  note(dir, "timing.txt",
       "capture_start_ms %lld\nparticipants_start_ms %lld\nsession_ms %lld\npages_closed_ms "
       "%lld\ncapture_stop_ms %lld\n",
       t_cap - t0, t_start - t_cap, t_res - t_start, t_gone - t_res, t_stop - t_gone);
  {
    char kl[PATH_MAX], rl[PATH_MAX];
    snprintf(kl, sizeof kl, "%.3000s/keylog.txt", dir);
    fclose(fopen(kl, "w"));
    for (int r = 0; r < 2; r++) {
      const char *rname = r ? "answer" : "offer";
      if (ag[r] && !(r == 1 && ag[0] == ag[1])) append_from(kl, ag[r]->keylog, kl_off[r]);
      if (ag[r]) {
        snprintf(rl, sizeof rl, "%.3000s/%s-%.60s.log", dir, rname, o->parts[who[r]].name);
        append_from(rl, ag[r]->log, log_off[r]);
      } else {
        snprintf(rl, sizeof rl, "%.3000s/keylog-%s.txt", dir, rname);
        append_from(kl, rl, 0);
      }
      if (ss.echoes[r] && rc[r] != 127)
        echoes_result(dir, r, o->parts[who[r]].name, rc[r], (c->flags & RTG_CASE_EXPECT_FAIL) != 0);
    }
  }
  if (timed_out)
    for (int r = 0; r < 2; r++)
      if (ag[r]) agent_kill(sl, ag[r]); /* a stuck browser is not reused */
  rtg_interop_reap();
}

static pid_t start_turn(struct slot *sl) {
  char log[PATH_MAX];
  pid_t turn = rtg_interop_turn_start(sl->dir);
  slot_track(sl, turn);
  snprintf(log, sizeof log, "%.3000s/turnserver.log", sl->dir);
  /* coturn takes a moment to bind; its log says when */
  for (long long end = rtg_interop_now_ms() + 3000;
       turn > 0 && rtg_interop_now_ms() < end && !slot_stop && !rtg_interop_turn_ready(log);)
    rtg_interop_server_service(sl->srv, 20);
  return turn;
}

/* The slot process: returns its exit code (2: no namespace or no port). */
static int slot_main(struct slot *sl, int in, int out) {
  char err[512];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_slot_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (rtg_interop_ns_enter(err, sizeof err) != 0) {
    note(sl->dir, "error.txt", "%s\n", err);
    return 2;
  }
  /* IPv4 only: the ipv6 runs add their addresses for their duration (a
   * dual-stack namespace changes every other case: ICE pairs switch
   * between families during the session) */
  if (rtg_interop_ns_setup(false, err, sizeof err) != 0) {
    note(sl->dir, "error.txt", "network setup: %s\n", err);
    return 2;
  }
  sl->srv = rtg_interop_server_new(sl->o->web_dir, NULL, 0, NULL, err, sizeof err);
  if (sl->srv == NULL) {
    note(sl->dir, "error.txt", "%s\n", err);
    return 2;
  }
  sl->turn = -1;
  {
    const char *t = getenv("TMPDIR");
    /* short, because Chromium binds a UNIX socket below it (108-byte sun_path) */
    snprintf(sl->tmpd, sizeof sl->tmpd, "%s/rtg-XXXXXX", t && *t && strlen(t) < 48 ? t : "/tmp");
    if (mkdtemp(sl->tmpd) == NULL) snprintf(sl->tmpd, sizeof sl->tmpd, "%s", "/tmp");
  }
  while (!slot_stop) {
    struct pollfd pfd = {in, POLLIN, 0};
    struct slot_msg m;
    struct slot_reply rep;
    struct rtg_interop_job j;
    ssize_t n;
    rtg_interop_server_service(sl->srv, 20);
    if (poll(&pfd, 1, 0) <= 0) continue;
    n = read(in, &m, sizeof m);
    if (n != (ssize_t)sizeof m) break; /* the parent closed the pipe: done */
    if (m.c < 0 || (size_t)m.c >= rtg_interop_ncases || m.off < 0 || m.ans < 0 ||
        m.off >= sl->o->nparts || m.ans >= sl->o->nparts)
      break;
    j.off = m.off;
    j.ans = m.ans;
    j.c = &rtg_interop_cases[m.c];
    if ((j.c->flags & RTG_CASE_RELAY) && sl->turn <= 0) sl->turn = start_turn(sl);
    if (j.c->flags & RTG_CASE_IPV6) {
      if (rtg_interop_ns_ipv6(true, err, sizeof err) != 0)
        note(m.dir, "error.txt", "IPv6 setup: %s\n", err);
      /* Chromium learns of new addresses from netlink, asynchronously */
      for (long long end = rtg_interop_now_ms() + 300; rtg_interop_now_ms() < end;)
        rtg_interop_server_service(sl->srv, 20);
    }
    slot_run(sl, &j, m.dir);
    if ((j.c->flags & RTG_CASE_IPV6) && rtg_interop_ns_ipv6(false, err, sizeof err))
      note(m.dir, "error.txt", "IPv6 teardown: %s\n", err);
    rep.job = m.job;
    rep.rc = slot_stop ? 1 : 0;
    if (write(out, &rep, sizeof rep) != (ssize_t)sizeof rep) break;
  }
  for (int i = 0; i < sl->nagents; i++) agent_kill(sl, &sl->agents[i]);
  rtg_interop_kill_group(sl->turn, 1000);
  rtg_interop_server_free(sl->srv);
  {
    char *argv[] = {"rm", "-rf", strcmp(sl->tmpd, "/tmp") ? sl->tmpd : NULL, NULL};
    pid_t rm = argv[2] ? rtg_interop_spawn(argv, NULL, NULL) : -1;
    if (rm > 0) waitpid(rm, NULL, 0);
  }
  rtg_interop_reap();
  return 0;
}

/* ---- the parent ------------------------------------------------------- */

struct pslot {
  pid_t pid;
  int to, from;
  int job; /* -1 idle */
  long long started, limit;
  char dir[PATH_MAX]; /* the slot's directory */
};

static void kill_listed(const char *dir) {
  char path[PATH_MAX];
  FILE *f;
  int pg;
  snprintf(path, sizeof path, "%.3000s/pgids", dir);
  f = fopen(path, "r");
  if (f == NULL) return;
  while (fscanf(f, "%d", &pg) == 1) rtg_interop_kill_group(pg, 300);
  fclose(f);
}

static int slot_spawn(struct pslot *ps, const struct rtg_interop_opts *o, int index) {
  int down[2], up[2];
  pid_t pid;
  if (pipe2(down, O_CLOEXEC) != 0) return -1;
  if (pipe2(up, O_CLOEXEC) != 0) {
    close(down[0]);
    close(down[1]);
    return -1;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(down[0]);
    close(down[1]);
    close(up[0]);
    close(up[1]);
    return -1;
  }
  if (pid == 0) {
    struct slot sl;
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    close(down[1]);
    close(up[0]);
    memset(&sl, 0, sizeof sl);
    sl.o = o;
    sl.index = index;
    sl.dir = ps->dir;
    _exit(slot_main(&sl, down[0], up[1]));
  }
  setpgid(pid, pid);
  close(down[0]);
  close(up[1]);
  ps->pid = pid;
  ps->to = down[1];
  ps->from = up[0];
  ps->job = -1;
  return 0;
}

/* Ends a slot and everything it started; returns its exit code. */
static int slot_end(struct pslot *ps, bool force) {
  int st = 0, rc = -1;
  if (ps->pid <= 0) return -1;
  close(ps->to);
  ps->to = -1;
  if (force) kill(ps->pid, SIGTERM);
  for (long long end = rtg_interop_now_ms() + (force ? 6000 : 15000); rtg_interop_now_ms() < end;) {
    if (waitpid(ps->pid, &st, WNOHANG) == ps->pid) {
      rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (!force && rtg_interop_now_ms() > end - 9000) {
      kill(ps->pid, SIGTERM);
      force = true;
    }
    sleep_ms(20);
  }
  kill(-ps->pid, SIGKILL);
  if (rc < 0 && waitpid(ps->pid, &st, 0) == ps->pid)
    rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  kill_listed(ps->dir); /* anything the slot could not end */
  close(ps->from);
  ps->from = -1;
  ps->pid = -1;
  rtg_interop_reap();
  return rc;
}

static void result_init(struct rtg_interop_result *r, const struct rtg_interop_job *j,
                        const char *dir) {
  r->offerer = j->off;
  r->answerer = j->ans;
  r->c = j->c;
  r->verdict = RTG_V_FAIL;
  r->reason[0] = '\0';
  r->findings = r->findings_total = 0;
  r->duration_s = 0;
  for (int i = 0; i < RTG_INTEROP_NTIMINGS; i++) r->timings[i] = -1;
  snprintf(r->dir, sizeof r->dir, "%.511s", dir);
}

static bool read_first_line(const char *path, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return false;
  if (fgets(out, (int)cap, f) == NULL) out[0] = '\0';
  fclose(f);
  out[strcspn(out, "\n")] = '\0';
  return out[0] != '\0';
}

static int matrix(const struct rtg_interop_opts *o, const struct rtg_interop_job *jobs, int njobs,
                  const char *root, const char *fixed_dir, struct rtg_interop_result *results,
                  volatile int *stop) {
  struct pslot slots[MAX_SLOTS];
  int nslots = o->jobs > 0 ? (o->jobs < MAX_SLOTS ? o->jobs : MAX_SLOTS) : 1;
  int *queue = calloc((size_t)njobs * (size_t)(o->retries + 2) + 1, sizeof *queue);
  int *attempts = calloc((size_t)njobs + 1, sizeof *attempts);
  bool *failed_once = calloc((size_t)njobs + 1, sizeof *failed_once);
  int qh = 0, qt = 0, pending = 0, rc = 0, finished[MAX_SLOTS], nfinished = 0;
  char slots_root[PATH_MAX];
  if (queue == NULL || attempts == NULL || failed_once == NULL) {
    free(queue);
    free(attempts);
    free(failed_once);
    snprintf(results[0].reason, sizeof results[0].reason, "out of memory");
    return -2;
  }
  if (nslots > njobs) nslots = njobs > 0 ? njobs : 1;
  {
    const char *t = getenv("TMPDIR");
    snprintf(slots_root, sizeof slots_root, "%s/rtcgate-slots-XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(slots_root) == NULL) {
      snprintf(results[0].reason, sizeof results[0].reason, "cannot create %.300s: %s", slots_root,
               strerror(errno));
      free(queue);
      free(attempts);
      free(failed_once);
      return -2;
    }
  }
  for (int i = 0; i < njobs; i++) {
    const struct rtg_interop_job *j = &jobs[i];
    if (!o->parts[j->off].roles[RTG_ROLE_OFFER] || !o->parts[j->ans].roles[RTG_ROLE_ANSWER]) {
      result_init(&results[i], j, "");
      results[i].verdict = RTG_V_UNSUPPORTED;
      results[i].attempts = 1;
      snprintf(
          results[i].reason, sizeof results[i].reason, "%s cannot take that role",
          o->parts[j->off].roles[RTG_ROLE_OFFER] ? o->parts[j->ans].name : o->parts[j->off].name);
      continue;
    }
    queue[qt++] = i;
    pending++;
  }
  for (int s = 0; s < nslots; s++) {
    snprintf(slots[s].dir, sizeof slots[s].dir, "%.3000s/slot%d", slots_root, s);
    mkdir(slots[s].dir, 0755);
    slots[s].pid = -1;
    slots[s].to = slots[s].from = -1;
    if (pending && slot_spawn(&slots[s], o, s) != 0) slots[s].pid = -1;
  }
  while (pending > 0 && !*stop && rc == 0) {
    struct pollfd pfd[MAX_SLOTS];
    int np = 0, map[MAX_SLOTS];
    /* hand out work */
    for (int s = 0; s < nslots && qh < qt; s++) {
      struct slot_msg m;
      int ji;
      if (slots[s].pid <= 0 && slot_spawn(&slots[s], o, s) != 0) continue;
      if (slots[s].job >= 0) continue;
      ji = queue[qh++];
      memset(&m, 0, sizeof m);
      m.job = ji;
      m.off = jobs[ji].off;
      m.ans = jobs[ji].ans;
      m.c = (int)(jobs[ji].c - rtg_interop_cases);
      if (fixed_dir) {
        snprintf(m.dir, sizeof m.dir, "%.511s", fixed_dir);
      } else {
        char pairdir[PATH_MAX];
        snprintf(pairdir, sizeof pairdir, "%.300s/%.60s-%.60s", root, o->parts[jobs[ji].off].name,
                 o->parts[jobs[ji].ans].name);
        if (attempts[ji])
          snprintf(m.dir, sizeof m.dir, "%.430s/%.40s.retry%d", pairdir, jobs[ji].c->name,
                   attempts[ji]);
        else
          snprintf(m.dir, sizeof m.dir, "%.430s/%.40s", pairdir, jobs[ji].c->name);
      }
      if (rtg_interop_mkdirs(m.dir) != 0) {
        result_init(&results[ji], &jobs[ji], m.dir);
        snprintf(results[ji].reason, sizeof results[ji].reason, "cannot create %.300s: %s", m.dir,
                 strerror(errno));
        results[ji].attempts = ++attempts[ji];
        pending--;
        continue;
      }
      result_init(&results[ji], &jobs[ji], m.dir);
      if (write(slots[s].to, &m, sizeof m) != (ssize_t)sizeof m) {
        queue[--qh] = ji; /* the slot is gone; the loop below notices */
        continue;
      }
      slots[s].job = ji;
      slots[s].started = rtg_interop_now_ms();
      /* the page deadline, browser start-up (up to 30 s) and the capture */
      slots[s].limit = slots[s].started +
                       (long long)(o->timeout_s ? o->timeout_s : jobs[ji].c->timeout_s) * 1000 +
                       60000;
    }
    while (nfinished > 0) {
      int ji = finished[--nfinished];
      struct rtg_interop_result *r = &results[ji];
      rtg_interop_evaluate(o, jobs[ji].off, jobs[ji].ans, jobs[ji].c, r->dir, r);
      if (r->verdict == RTG_V_FAIL && attempts[ji] <= o->retries) {
        failed_once[ji] = true;
        if (o->verbose)
          fprintf(stderr, "retry %s -> %s %s: %s\n", o->parts[jobs[ji].off].name,
                  o->parts[jobs[ji].ans].name, jobs[ji].c->name, r->reason);
        queue[qt++] = ji;
        continue;
      }
      if (failed_once[ji] && r->verdict == RTG_V_PASS) {
        r->verdict = RTG_V_FLAKY;
        snprintf(r->reason, sizeof r->reason, "passed on attempt %d of %d", r->attempts,
                 o->retries + 1);
      }
      pending--;
      if (o->verbose)
        fprintf(stderr, "%-5s %s -> %s %s (%.1fs)%s%s\n", rtg_interop_verdict_name(r->verdict),
                o->parts[jobs[ji].off].name, o->parts[jobs[ji].ans].name, jobs[ji].c->name,
                r->duration_s, r->reason[0] ? ": " : "", r->reason);
    }
    if (pending == 0) break;
    for (int s = 0; s < nslots; s++)
      if (slots[s].pid > 0) {
        pfd[np].fd = slots[s].from;
        pfd[np].events = POLLIN;
        pfd[np].revents = 0;
        map[np++] = s;
      }
    if (np == 0) {
      snprintf(results[0].reason, sizeof results[0].reason, "cannot start a slot process");
      rc = -2;
      break;
    }
    poll(pfd, (nfds_t)np, 100);
    for (int k = 0; k < np; k++) {
      struct pslot *ps = &slots[map[k]];
      struct slot_reply rep;
      int ji = ps->job;
      bool dead = false;
      if (pfd[k].revents & POLLIN) {
        if (read(ps->from, &rep, sizeof rep) == (ssize_t)sizeof rep && rep.job == ji && ji >= 0) {
          struct rtg_interop_result *r = &results[ji];
          r->duration_s = (double)(rtg_interop_now_ms() - ps->started) / 1000.0;
          ps->job = -1;
          attempts[ji]++;
          r->attempts = attempts[ji];
          if (rep.rc != 0 || *stop) {
            snprintf(r->reason, sizeof r->reason, "interrupted");
            pending--;
            continue;
          }
          /* evaluated once the slot has its next run (the replay takes a
           * while; the slot need not wait for it) */
          finished[nfinished++] = ji;
          continue;
        }
        dead = true; /* EOF or garbage: the slot is gone */
      } else if (pfd[k].revents & (POLLHUP | POLLERR)) {
        dead = true;
      }
      if (!dead && ji >= 0 && rtg_interop_now_ms() > ps->limit) {
        int x = slot_end(ps, true);
        (void)x;
        results[ji].attempts = ++attempts[ji];
        snprintf(results[ji].reason, sizeof results[ji].reason,
                 "the run exceeded its time limit (slot restarted)");
        pending--;
        continue;
      }
      if (dead) {
        char path[PATH_MAX], text[400];
        int x = slot_end(ps, true);
        snprintf(path, sizeof path, "%.3000s/error.txt", ps->dir);
        if (x == 2 && read_first_line(path, text, sizeof text)) {
          snprintf(results[0].reason, sizeof results[0].reason, "%s", text);
          rc = -2;
          break;
        }
        if (ji >= 0) {
          results[ji].attempts = ++attempts[ji];
          snprintf(results[ji].reason, sizeof results[ji].reason,
                   "the slot process ended during the run (exit %d)", x);
          pending--;
        }
      }
    }
  }
  if (*stop)
    for (int i = 0; i < njobs; i++)
      if (results[i].reason[0] == '\0' && results[i].verdict == RTG_V_FAIL && attempts[i] == 0)
        snprintf(results[i].reason, sizeof results[i].reason, "not run (interrupted)");
  for (int s = 0; s < nslots; s++) slot_end(&slots[s], *stop != 0 || rc != 0);
  rtg_interop_remove_tree(slots_root);
  free(queue);
  free(attempts);
  free(failed_once);
  return rc;
}

int rtg_interop_run_matrix(const struct rtg_interop_opts *o, const struct rtg_interop_job *jobs,
                           int njobs, const char *root, struct rtg_interop_result *results,
                           volatile int *stop) {
  return matrix(o, jobs, njobs, root, NULL, results, stop);
}

int rtg_interop_run_one(const struct rtg_interop_opts *o, int off, int ans,
                        const struct rtg_interop_case *c, const char *run_dir,
                        struct rtg_interop_result *res, volatile int *stop) {
  struct rtg_interop_job j = {off, ans, c};
  struct rtg_interop_opts one = *o;
  one.jobs = 1;
  one.retries = 0;
  return matrix(&one, &j, 1, NULL, run_dir, res, stop);
}

/* ---- one slot kept for a series of runs (rtcgate bench interop) ------- */

struct rtg_interop_pool {
  const struct rtg_interop_opts *o;
  struct pslot slot;
  char root[PATH_MAX];
  int runs;
};

struct rtg_interop_pool *rtg_interop_pool_new(const struct rtg_interop_opts *o, char *err,
                                              size_t errcap) {
  struct rtg_interop_pool *p = calloc(1, sizeof *p);
  const char *t = getenv("TMPDIR");
  if (p == NULL) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  p->o = o;
  p->slot.pid = -1;
  snprintf(p->root, sizeof p->root, "%.200s/rtcgate-pool-XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp(p->root) == NULL) {
    snprintf(err, errcap, "cannot create %.300s: %s", p->root, strerror(errno));
    free(p);
    return NULL;
  }
  snprintf(p->slot.dir, sizeof p->slot.dir, "%.3000s/slot", p->root);
  mkdir(p->slot.dir, 0755);
  return p;
}

int rtg_interop_pool_run(struct rtg_interop_pool *p, int off, int ans,
                         const struct rtg_interop_case *c, struct rtg_interop_result *res,
                         volatile int *stop) {
  struct pslot *ps = &p->slot;
  struct rtg_interop_job j = {off, ans, c};
  struct slot_msg m;
  struct slot_reply rep;
  memset(&m, 0, sizeof m);
  m.off = off;
  m.ans = ans;
  m.c = (int)(c - rtg_interop_cases);
  snprintf(m.dir, sizeof m.dir, "%.300s/run%d", p->root, ++p->runs);
  result_init(res, &j, m.dir);
  res->attempts = 1;
  if (rtg_interop_mkdirs(m.dir) != 0) {
    snprintf(res->reason, sizeof res->reason, "cannot create %.300s", m.dir);
    return -1;
  }
  if (ps->pid <= 0 && slot_spawn(ps, p->o, 0) != 0) {
    snprintf(res->reason, sizeof res->reason, "cannot start a slot process");
    return -2;
  }
  ps->started = rtg_interop_now_ms();
  ps->limit = ps->started + (long long)c->timeout_s * 1000 + 60000;
  if (write(ps->to, &m, sizeof m) != (ssize_t)sizeof m) {
    snprintf(res->reason, sizeof res->reason, "the slot process is gone");
    slot_end(ps, true);
    return -1;
  }
  for (;;) {
    struct pollfd pfd = {ps->from, POLLIN, 0};
    if (*stop || rtg_interop_now_ms() > ps->limit) {
      snprintf(res->reason, sizeof res->reason, *stop ? "interrupted" : "the run timed out");
      slot_end(ps, true);
      return -1;
    }
    if (poll(&pfd, 1, 100) <= 0) continue;
    if (read(ps->from, &rep, sizeof rep) == (ssize_t)sizeof rep) break;
    {
      char path[PATH_MAX], text[400];
      int x = slot_end(ps, true);
      snprintf(path, sizeof path, "%.3000s/error.txt", ps->dir);
      if (x == 2 && read_first_line(path, text, sizeof text)) {
        snprintf(res->reason, sizeof res->reason, "%s", text);
        return -2;
      }
      snprintf(res->reason, sizeof res->reason, "the slot process ended (exit %d)", x);
      return -1;
    }
  }
  res->duration_s = (double)(rtg_interop_now_ms() - ps->started) / 1000.0;
  rtg_interop_evaluate(p->o, off, ans, c, m.dir, res);
  return 0;
}

void rtg_interop_pool_free(struct rtg_interop_pool *p) {
  if (p == NULL) return;
  slot_end(&p->slot, false);
  rtg_interop_remove_tree(p->root);
  free(p);
}
