/*
 * probe_leak.c - `rtcgate probe leak` (see probe_leak.h).
 *
 * The parent forks a child that enters a fresh network namespace
 * (interop_net.c), serves tools/probe/web/ and a result sink
 * (probe_http.c) on 127.0.0.1:8650, starts coturn on 10.99.0.2 when a
 * configuration needs TURN, then runs each browser x configuration: start
 * the browser on the page (interop_participants.c), wait for POST /result,
 * end the browser's process group. It classifies what each page saw and
 * writes the report; the parent bounds it in time and ends every process
 * group it lists.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/interop.h"
#include "lib/probe_http.h"
#include "lib/probe_leak.h"

#define LEAK_PORT 8650
#define MAX_RESULT (1u << 20)

const struct rtg_probe_leak_config rtg_probe_leak_configs[] = {
    {"defaults", "browser defaults (mDNS host names)", true, false, false, false, true},
    {"mdns-off", "host-address obfuscation off", false, false, false, false, false},
    {"media", "getUserMedia granted (fake devices)", true, true, false, false, false},
    {"relay-only", "iceTransportPolicy relay with a TURN server", true, false, true, true, true},
    {"turn", "defaults with a TURN server", true, false, true, false, true},
};
const size_t rtg_probe_leak_nconfigs =
    sizeof rtg_probe_leak_configs / sizeof rtg_probe_leak_configs[0];

/* ---- classification -------------------------------------------------------- */

static const char *classify(const char *addr) {
  unsigned char a[16];
  if (inet_pton(AF_INET, addr, a) == 1) {
    if (a[0] == 0) return NULL; /* 0.0.0.0: a placeholder */
    if (a[0] == 127) return "loopback";
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
        (a[0] == 100 && (a[1] & 0xc0) == 64))
      return "private_ipv4";
    if (a[0] == 169 && a[1] == 254) return "link_local";
    return "public";
  }
  if (inet_pton(AF_INET6, addr, a) == 1) {
    static const unsigned char zero[16], one[16] = {[15] = 1};
    if (memcmp(a, zero, 16) == 0) return NULL;
    if (memcmp(a, one, 16) == 0) return "loopback";
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return "link_local";
    return "ipv6";
  }
  return NULL; /* a host name: .local (mDNS) or other */
}

static void add_unique(json_t *arr, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return;
  json_array_append_new(arr, json_string(s));
}

struct seen {
  json_t *exposed, *reflexive, *types, *mdns, *relay_addrs, *host_addrs;
  int ncand;
};

/* "candidate:F C TRANSPORT PRIO ADDR PORT typ TYPE [raddr A rport P] ...".
 * Host addresses and the related address of srflx/prflx candidates (their
 * local base) are the browser's own; srflx/prflx addresses and the related
 * address of a relay candidate (its mapped address, RFC 8445 §5.1.1.2) are
 * what a STUN/TURN server saw ("reflexive"); a relay candidate's address is
 * the server's. */
static void one_candidate(struct seen *sn, const char *line) {
  char tok[16][128];
  int n = 0;
  const char *p = line, *raddr = NULL, *rport = "";
  if (strncmp(p, "a=", 2) == 0) p += 2;
  while (*p && n < 16) {
    size_t l;
    while (*p == ' ') p++;
    l = strcspn(p, " \r\n");
    if (l == 0) break;
    snprintf(tok[n++], sizeof tok[0], "%.*s", (int)(l < 127 ? l : 127), p);
    p += l;
  }
  if (n < 8 || strncmp(tok[0], "candidate:", 10) != 0 || strcmp(tok[6], "typ") != 0) return;
  sn->ncand++;
  json_object_set_new(sn->types, tok[7],
                      json_integer(json_integer_value(json_object_get(sn->types, tok[7])) + 1));
  for (int i = 8; i + 1 < n; i++) {
    if (strcmp(tok[i], "raddr") == 0) raddr = tok[i + 1];
    if (strcmp(tok[i], "rport") == 0) rport = tok[i + 1];
  }
  if (strstr(tok[4], ".local")) {
    add_unique(sn->mdns, tok[4]);
  } else if (classify(tok[4]) == NULL) {
    /* 0.0.0.0 or a name: nothing exposed */
  } else if (strcmp(tok[7], "relay") == 0) {
    add_unique(sn->relay_addrs, tok[4]);
  } else if (strcmp(tok[7], "host") == 0) {
    add_unique(sn->exposed, tok[4]);
    add_unique(sn->host_addrs, tok[4]);
  } else {
    add_unique(sn->reflexive, tok[4]);
  }
  if (raddr == NULL || classify(raddr) == NULL) return;
  if (strcmp(tok[7], "relay") == 0) {
    /* Firefox repeats the relayed address itself */
    if (!(strcmp(raddr, tok[4]) == 0 && strcmp(rport, tok[5]) == 0))
      add_unique(sn->reflexive, raddr);
  } else {
    add_unique(sn->exposed, raddr);
  }
}

json_t *rtg_probe_leak_analyse(const json_t *result) {
  struct seen sn = {
      json_array(), json_array(), json_object(), json_array(), json_array(), json_array(), 0};
  const char *sdp = json_string_value(json_object_get(result, "sdp"));
  json_t *cands = json_object_get(result, "candidates"), *v, *by = json_object(), *out;
  json_t *seen_lines = json_array();
  size_t i;
  bool leak = false;
  json_array_foreach(cands, i, v) {
    const char *c = json_string_value(v);
    if (c) {
      add_unique(seen_lines, strncmp(c, "a=", 2) == 0 ? c + 2 : c);
    }
  }
  for (const char *p = sdp ? sdp : ""; *p;) {
    size_t l = strcspn(p, "\r\n");
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(l < 511 ? l : 511), p);
    if (strncmp(line, "a=candidate:", 12) == 0) add_unique(seen_lines, line + 2);
    p += l;
    while (*p == '\r' || *p == '\n') p++;
  }
  json_array_foreach(seen_lines, i, v) one_candidate(&sn, json_string_value(v));
  /* c= lines: an address that is not a relay candidate's is the browser's */
  for (const char *p = sdp ? sdp : ""; *p;) {
    size_t l = strcspn(p, "\r\n");
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)(l < 255 ? l : 255), p);
    if (strncmp(line, "c=IN IP", 7) == 0 && strlen(line) > 9 && classify(line + 9)) {
      bool relay = false;
      json_t *r;
      size_t k;
      json_array_foreach(sn.relay_addrs, k, r) relay |= strcmp(json_string_value(r), line + 9) == 0;
      json_array_foreach(sn.reflexive, k, r) relay |= strcmp(json_string_value(r), line + 9) == 0;
      /* the default candidate: the browser's unless a server's view */
      if (!relay) add_unique(sn.exposed, line + 9);
    }
    p += l;
    while (*p == '\r' || *p == '\n') p++;
  }
  json_object_set_new(by, "private_ipv4", json_array());
  json_object_set_new(by, "ipv6", json_array());
  json_object_set_new(by, "loopback", json_array());
  json_object_set_new(by, "link_local", json_array());
  json_object_set_new(by, "public", json_array());
  json_array_foreach(sn.exposed, i, v) {
    const char *cls = classify(json_string_value(v));
    if (cls == NULL) continue;
    json_array_append(json_object_get(by, cls), v);
    if (strcmp(cls, "public") != 0) leak = true;
  }
  out = json_pack("{s:i,s:o,s:I,s:o,s:I,s:o,s:o,s:b}", "candidates", sn.ncand, "types", sn.types,
                  "mdns_names", (json_int_t)json_array_size(sn.mdns), "exposed", by, "interfaces",
                  (json_int_t)json_array_size(sn.host_addrs), "reflexive", sn.reflexive,
                  "relay_addresses", sn.relay_addrs, "leak", leak);
  json_decref(sn.exposed);
  json_decref(sn.mdns);
  json_decref(sn.host_addrs);
  json_decref(seen_lines);
  return out;
}

/* ---- the page server --------------------------------------------------------- */

struct sink {
  struct rtg_probe_http *http;
  char web_dir[512];
  json_t *result; /* the last POST /result */
};

static void sink_handle(void *ud, bool post, const char *path, const char *body, size_t len,
                        unsigned *status, const char **ctype, char **resp) {
  struct sink *s = ud;
  *ctype = "text/plain";
  if (post && strcmp(path, "/result") == 0) {
    json_t *j = json_loadb(body, len, 0, NULL);
    if (j == NULL) {
      *status = 400;
      *resp = strdup("bad json\n");
      return;
    }
    if (s->result) json_decref(s->result);
    s->result = j;
    *status = 200;
    *ctype = "application/json";
    *resp = strdup("{}");
    return;
  }
  if (!post && (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)) {
    char full[700];
    FILE *f;
    snprintf(full, sizeof full, "%s/index.html", s->web_dir);
    f = fopen(full, "rb");
    *resp = f ? calloc(1, 65537) : NULL;
    if (*resp) {
      size_t n = fread(*resp, 1, 65536, f);
      (*resp)[n] = '\0';
      *status = 200;
      *ctype = "text/html; charset=utf-8";
    }
    if (f) fclose(f);
    if (*resp) return;
  }
  *status = 404;
  *resp = strdup("not found\n");
}

static void sink_service(struct sink *s, int ms) { rtg_probe_http_service(s->http, ms); }

/* ---- the namespace child ------------------------------------------------------- */

static volatile sig_atomic_t leak_stop;
static void on_term(int sig) {
  (void)sig;
  leak_stop = 1;
}

static void note_pgid(const char *dir, pid_t pg) {
  char path[700];
  FILE *f;
  if (pg <= 0) return;
  snprintf(path, sizeof path, "%s/pgids", dir);
  f = fopen(path, "a");
  if (f == NULL) return;
  fprintf(f, "%d\n", (int)pg);
  fclose(f);
}

static pid_t start_turn(const char *dir, struct sink *s) {
  char log[700];
  pid_t turn = rtg_interop_turn_start(dir);
  snprintf(log, sizeof log, "%.600s/turnserver.log", dir);
  note_pgid(dir, turn);
  for (long long end = rtg_interop_now_ms() + 3000;
       turn > 0 && rtg_interop_now_ms() < end && !leak_stop && !rtg_interop_turn_ready(log);)
    sink_service(s, 50);
  return turn;
}

/* One browser x configuration; returns the run's JSON entry. */
static json_t *run_one(const struct rtg_probe_leak_opts *o, struct sink *s, const char *dir,
                       const struct rtg_interop_participant *part,
                       const struct rtg_probe_leak_config *cfg, const char *tmpd) {
  struct rtg_interop_case c;
  struct rtg_interop_launch l;
  char rdir[700], url[700], base[64], keylog[800];
  json_t *entry, *an;
  pid_t pg;
  long long t0 = rtg_interop_now_ms(), deadline = t0 + (long long)o->timeout_s * 1000;
  snprintf(rdir, sizeof rdir, "%.400s/%s-%s", dir, part->name, cfg->name);
  mkdir(rdir, 0755);
  memset(&c, 0, sizeof c);
  c.name = cfg->name;
  c.abbr = "LK";
  c.descr = cfg->descr;
  c.timeout_s = o->timeout_s;
  /* fake devices only where the page asks for them: Chromium exposes host
   * addresses to an origin it auto-grants media (--use-fake-ui-for-media-stream) */
  c.flags = (cfg->media ? RTG_CASE_MEDIA : 0u) | (cfg->mdns ? RTG_CASE_MDNS : 0u);
  snprintf(base, sizeof base, "http://127.0.0.1:%d", LEAK_PORT);
  snprintf(url, sizeof url, "%s/index.html?cfg=%s&policy=%s&media=%d&timeout=%d%s", base, cfg->name,
           cfg->relay_only ? "relay" : "all", cfg->media ? 1 : 0,
           (o->timeout_s > 4 ? o->timeout_s - 3 : 2) * 1000,
           cfg->turn ? "&turn=" RTG_INTEROP_TURN_URL "&user=" RTG_INTEROP_TURN_USER
                       "&pass=" RTG_INTEROP_TURN_PASS
                     : "");
  snprintf(keylog, sizeof keylog, "%.600s/keylog.txt", rdir);
  memset(&l, 0, sizeof l);
  l.p = part;
  l.c = &c;
  l.role = RTG_ROLE_OFFER;
  l.run_dir = rdir;
  l.url = url;
  l.base_url = base;
  l.keylog = keylog;
  l.tmp_dir = tmpd;
  if (s->result) json_decref(s->result);
  s->result = NULL;
  pg = rtg_interop_participant_start(&l);
  note_pgid(dir, pg);
  while (pg > 0 && s->result == NULL && !leak_stop && rtg_interop_now_ms() < deadline)
    sink_service(s, 100);
  rtg_interop_kill_group(pg, 1500);
  rtg_interop_reap();
  {
    /* the browser profile is not a result */
    char prof[800];
    char *argv[] = {"rm", "-rf", prof, NULL};
    pid_t rm;
    snprintf(prof, sizeof prof, "%.600s/profile-offer", rdir);
    rm = rtg_interop_spawn(argv, NULL, NULL);
    if (rm > 0) waitpid(rm, NULL, 0);
  }
  entry = json_pack("{s:s,s:s,s:s,s:b,s:f}", "browser", part->name, "config", cfg->name, "descr",
                    cfg->descr, "should_mask", cfg->should_mask, "seconds",
                    (double)(rtg_interop_now_ms() - t0) / 1000.0);
  if (s->result == NULL) {
    json_object_set_new(entry, "error",
                        json_string(pg <= 0 ? "the browser did not start"
                                            : "no result from the page before the deadline"));
    return entry;
  }
  {
    char path[800];
    snprintf(path, sizeof path, "%.600s/result.json", rdir);
    json_dump_file(s->result, path, JSON_INDENT(1));
  }
  an = rtg_probe_leak_analyse(s->result);
  json_object_set(entry, "analysis", an);
  json_object_set(entry, "page_errors", json_object_get(s->result, "errors"));
  /* relay-only hides the client's address from the peer: a reflexive
   * address there defeats it; elsewhere srflx is what STUN is for */
  json_object_set_new(
      entry, "finding",
      json_boolean(cfg->should_mask &&
                   (json_is_true(json_object_get(an, "leak")) ||
                    (cfg->relay_only && json_array_size(json_object_get(an, "reflexive")) > 0))));
  json_decref(an);
  return entry;
}

static int child_main(const struct rtg_probe_leak_opts *o, const char *dir) {
  struct sink s;
  char err[512], tmpd[64], path[700];
  bool need_turn = false;
  pid_t turn = -1;
  json_t *runs = json_array();
  int findings = 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  snprintf(path, sizeof path, "%.600s/error.txt", dir);
  if (rtg_interop_ns_enter(err, sizeof err) != 0 || rtg_interop_ns_setup(true, err, sizeof err)) {
    FILE *f = fopen(path, "w");
    if (f) {
      fprintf(f, "network namespace: %s\n", err);
      fclose(f);
    }
    return 2;
  }
  memset(&s, 0, sizeof s);
  snprintf(s.web_dir, sizeof s.web_dir, "%s", o->web_dir);
  s.http = rtg_probe_http_new("127.0.0.1", LEAK_PORT, MAX_RESULT, sink_handle, &s, err, sizeof err);
  if (s.http == NULL) {
    FILE *f = fopen(path, "w");
    if (f) {
      fprintf(f, "in the namespace: %s\n", err);
      fclose(f);
    }
    return 2;
  }
  for (int i = 0; i < o->nconfigs; i++) need_turn |= o->configs[i]->turn;
  if (need_turn) turn = start_turn(dir, &s);
  snprintf(tmpd, sizeof tmpd, "/tmp/rtg-lk-XXXXXX");
  if (mkdtemp(tmpd) == NULL) snprintf(tmpd, sizeof tmpd, "/tmp");
  for (int b = 0; b < o->nbrowsers && !leak_stop; b++) {
    struct rtg_interop_participant part;
    if (rtg_interop_participant_builtin(o->browsers[b], NULL, &part, err, sizeof err) != 0 ||
        rtg_interop_participant_check(&part, err, sizeof err) != 0) {
      json_array_append_new(runs, json_pack("{s:s,s:s}", "browser", o->browsers[b], "error", err));
      continue;
    }
    for (int i = 0; i < o->nconfigs && !leak_stop; i++) {
      json_t *e = run_one(o, &s, dir, &part, o->configs[i], tmpd);
      if (json_is_true(json_object_get(e, "finding"))) findings++;
      json_array_append_new(runs, e);
    }
  }
  rtg_interop_kill_group(turn, 1000);
  rtg_probe_http_free(s.http);
  if (s.result) json_decref(s.result);
  if (strcmp(tmpd, "/tmp") != 0) {
    char *argv[] = {"rm", "-rf", tmpd, NULL};
    pid_t rm = rtg_interop_spawn(argv, NULL, NULL);
    if (rm > 0) waitpid(rm, NULL, 0);
  }
  rtg_interop_reap();
  snprintf(path, sizeof path, "%.600s/report.json", dir);
  {
    json_t *rep = json_pack("{s:o,s:i}", "runs", runs, "findings", findings);
    json_dump_file(rep, path, JSON_INDENT(2));
    json_decref(rep);
  }
  return 0;
}

static void kill_listed(const char *dir) {
  char path[700];
  FILE *f;
  int pg;
  snprintf(path, sizeof path, "%.600s/pgids", dir);
  f = fopen(path, "r");
  if (f == NULL) return;
  while (fscanf(f, "%d", &pg) == 1) rtg_interop_kill_group(pg, 500);
  fclose(f);
}

static volatile sig_atomic_t leak_interrupted;
static void on_interrupt(int sig) {
  (void)sig;
  leak_interrupted = 1;
}

int rtg_probe_leak_run(const struct rtg_probe_leak_opts *o, json_t **report, char *err,
                       size_t errcap) {
  struct sigaction sa, old_int, old_term;
  char dir[600], path[700];
  pid_t child;
  int st = 0, rc = -1;
  long long deadline = rtg_interop_now_ms() +
                       (long long)o->nbrowsers * o->nconfigs * (o->timeout_s + 5) * 1000 + 15000;
  *report = NULL;
  if (o->keep_dir) {
    snprintf(dir, sizeof dir, "%s", o->keep_dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
      snprintf(err, errcap, "cannot create %s: %s", dir, strerror(errno));
      return -1;
    }
  } else {
    snprintf(dir, sizeof dir, "/tmp/rtg-leak-XXXXXX");
    if (mkdtemp(dir) == NULL) {
      snprintf(err, errcap, "cannot create a temporary directory");
      return -1;
    }
  }
  fflush(NULL);
  child = fork();
  if (child < 0) {
    snprintf(err, errcap, "fork: %s", strerror(errno));
    return -1;
  }
  if (child == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    _exit(child_main(o, dir));
  }
  setpgid(child, child);
  /* Ctrl-C: the browsers are in process groups of their own, so the
   * terminal's SIGINT does not reach them; end them through the child */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  for (;;) {
    if (waitpid(child, &st, WNOHANG) == child) {
      rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (rtg_interop_now_ms() > deadline || leak_interrupted) {
      /* the child ends its browser and coturn on SIGTERM; then force */
      kill(child, SIGTERM);
      for (long long end = rtg_interop_now_ms() + 5000; rtg_interop_now_ms() < end;) {
        if (waitpid(child, &st, WNOHANG) == child) break;
        usleep(50000);
      }
      kill(-child, SIGKILL);
      waitpid(child, &st, 0);
      snprintf(err, errcap, "%s",
               leak_interrupted ? "interrupted" : "the probe exceeded its time limit");
      rc = -1;
      break;
    }
    usleep(50000);
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  kill_listed(dir);
  snprintf(path, sizeof path, "%.600s/report.json", dir);
  if (rc == 0) *report = json_load_file(path, 0, NULL);
  if (*report == NULL && rc != -1) {
    char text[512] = "";
    FILE *f;
    snprintf(path, sizeof path, "%.600s/error.txt", dir);
    f = fopen(path, "r");
    if (f) {
      size_t n = fread(text, 1, sizeof text - 1, f);
      text[n] = '\0';
      fclose(f);
      text[strcspn(text, "\n")] = '\0';
    }
    snprintf(err, errcap, "%s", text[0] ? text : "the namespace process failed");
  }
  if (o->keep_dir == NULL) {
    char *argv[] = {"rm", "-rf", dir, NULL};
    pid_t rm = rtg_interop_spawn(argv, NULL, NULL);
    if (rm > 0) waitpid(rm, NULL, 0);
  }
  if (*report == NULL) return -1;
  return (int)json_integer_value(json_object_get(*report, "findings"));
}
