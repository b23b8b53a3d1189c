/*
 * cmd_interop.c - `rtcgate interop`: the interop matrix (every ordered
 * offerer/answerer pair of the participants x the test cases), each run in
 * its own network namespace; see tools/lib/interop.h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/interop.h"

static void interop_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate interop [--participants LIST] [--cases LIST] [--pairs LIST]\n"
          "                       [--json OUT] [--junit OUT] [--keep-captures DIR]\n"
          "                       [--retries N] [--timeout S] [--chromium PATH]\n"
          "                       [--firefox PATH] [--rtcgate PATH] [--implementations FILE]\n"
          "                       [--jobs N] [--html DIR] [--verbose]\n"
          "       rtcgate interop --list-cases\n\n"
          "Runs every ordered (offerer, answerer) pair of the participants through the\n"
          "test cases. Runs happen in private network namespaces (veth pair\n"
          "10.99.0.1/10.99.0.2, nothing routed out), one per slot (--jobs), each with\n"
          "its own headless browsers on fresh profiles that show one page per run; the\n"
          "page (tools/interop/web/) signals through the runner's HTTP server on\n"
          "127.0.0.1:%d and posts its checks, timings and getStats() back; rtcgate\n"
          "('rtcgate peer') and external implementations speaking the webrtc-echoes\n"
          "contract are bridged by the server. Every run is captured (libpcap) and\n"
          "checked by the replay engine: its error findings fail the case.\n\n"
          "options:\n"
          "  --participants LIST  comma list (default chromium,firefox,rtcgate; rtcgate is\n"
          "                       left out with a note while 'rtcgate peer' is not\n"
          "                       available); names declared in --implementations too\n"
          "  --cases LIST         comma list of case names or abbreviations (default all)\n"
          "  --pairs LIST         only these pairs, e.g. chromium:firefox,firefox:chromium\n"
          "                       (default every ordered pair, self pairs included)\n"
          "  --json OUT           results as JSON ('-' for stdout)\n"
          "  --junit OUT          results as JUnit XML\n"
          "  --keep-captures DIR  keep every run in DIR/OFFERER-ANSWERER/CASE (pcaps/ format:\n"
          "                       capture.pcap, keylog.txt, offer/answer .sdp and .json,\n"
          "                       logs, replay.json)\n"
          "  --retries N          retry a failed case up to N times; a later pass is\n"
          "                       reported as flaky (default 0)\n"
          "  --timeout S          per-case page deadline in seconds (default per case)\n"
          "  --chromium PATH, --firefox PATH   browser executables (default chromium and\n"
          "                       firefox-esr from PATH)\n"
          "  --rtcgate PATH       the program run as 'PATH peer ...' for the rtcgate\n"
          "                       participant (default this rtcgate)\n"
          "  --jobs N             runs in parallel, each slot in its own namespace with\n"
          "                       its own browsers (default 2, at most 4)\n"
          "  --implementations FILE  external participants (JSON: name, command, role,\n"
          "                       contract, signaling mailbox|echoes, answer_url); a command\n"
          "                       exiting 127 marks the case unsupported\n"
          "  --list-cases         print the cases and exit\n"
          "  --verbose            print each run as it ends\n\n"
          "exit: 0 every run passed (or is unsupported), 1 a run failed or was flaky,\n"
          "2 usage or environment error (unknown case or participant, missing browser,\n"
          "no network namespace)\n",
          RTG_INTEROP_PORT);
}

static volatile int stop_flag;
static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

enum {
  O_PARTS = 256,
  O_CASES,
  O_PAIRS,
  O_JSON,
  O_JUNIT,
  O_KEEP,
  O_RETRIES,
  O_TIMEOUT,
  O_CHROMIUM,
  O_FIREFOX,
  O_IMPLS,
  O_LIST,
  O_HTML,
  O_VERBOSE,
  O_JOBS,
  O_RTCGATE
};

static int part_index(const struct rtg_interop_opts *o, const char *name, size_t len) {
  for (int i = 0; i < o->nparts; i++)
    if (strlen(o->parts[i].name) == len && memcmp(o->parts[i].name, name, len) == 0) return i;
  return -1;
}

static int parse_participants(struct rtg_interop_opts *o, const char *list,
                              const struct rtg_interop_participant *ext, int next,
                              const char *chromium, const char *firefox, const char *rtcgate) {
  char err[512];
  for (const char *p = list; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char name[64];
    int found = -1;
    if (len == 0 || len >= sizeof name) {
      rtg_cli_err("interop", "--participants: bad name in '%s'", list);
      return -1;
    }
    memcpy(name, p, len);
    name[len] = '\0';
    if (part_index(o, name, len) >= 0) {
      rtg_cli_err("interop", "--participants: '%s' given twice", name);
      return -1;
    }
    if (o->nparts >= RTG_INTEROP_MAX_PARTICIPANTS) {
      rtg_cli_err("interop", "at most %d participants", RTG_INTEROP_MAX_PARTICIPANTS);
      return -1;
    }
    for (int i = 0; i < next; i++)
      if (strcmp(ext[i].name, name) == 0) found = i;
    if (found >= 0) {
      o->parts[o->nparts] = ext[found];
    } else if (rtg_interop_participant_builtin(name,
                                               strcmp(name, "chromium") == 0  ? chromium
                                               : strcmp(name, "firefox") == 0 ? firefox
                                                                              : rtcgate,
                                               &o->parts[o->nparts], err, sizeof err)) {
      rtg_cli_err("interop", "%s", err);
      return -1;
    }
    if (rtg_interop_participant_check(&o->parts[o->nparts], err, sizeof err)) {
      rtg_cli_err("interop", "%s", err);
      return -1;
    }
    o->nparts++;
    p = comma ? comma + 1 : NULL;
  }
  if (o->nparts == 0) {
    rtg_cli_err("interop", "no participants");
    return -1;
  }
  return 0;
}

static int parse_cases(struct rtg_interop_opts *o, const char *list) {
  if (list == NULL) {
    for (size_t i = 0; i < rtg_interop_ncases && o->ncases < RTG_INTEROP_MAX_CASES; i++)
      o->cases[o->ncases++] = &rtg_interop_cases[i];
    return 0;
  }
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char name[64];
    const struct rtg_interop_case *c;
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, p, len);
    name[len] = '\0';
    c = rtg_interop_case_find(name);
    if (c == NULL) {
      rtg_cli_err("interop", "unknown case '%s' (see --list-cases)", name);
      return -1;
    }
    if (o->ncases >= RTG_INTEROP_MAX_CASES) {
      rtg_cli_err("interop", "too many cases");
      return -1;
    }
    o->cases[o->ncases++] = c;
    p = comma ? comma + 1 : "";
  }
  if (o->ncases == 0) {
    rtg_cli_err("interop", "--cases: empty list");
    return -1;
  }
  return 0;
}

static int parse_pairs(struct rtg_interop_opts *o, const char *list) {
  o->npairs = 0;
  if (list == NULL) {
    for (int a = 0; a < o->nparts; a++)
      for (int b = 0; b < o->nparts && o->npairs < 64; b++) {
        o->pairs[o->npairs][0] = a;
        o->pairs[o->npairs][1] = b;
        o->npairs++;
      }
    return 0;
  }
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    const char *colon = memchr(p, ':', len);
    int a, b;
    if (colon == NULL || (a = part_index(o, p, (size_t)(colon - p))) < 0 ||
        (b = part_index(o, colon + 1, len - (size_t)(colon - p) - 1)) < 0) {
      rtg_cli_err("interop", "--pairs: '%.*s' is not OFFERER:ANSWERER of the participants",
                  (int)len, p);
      return -1;
    }
    if (o->npairs >= 64) {
      rtg_cli_err("interop", "--pairs: at most 64 pairs");
      return -1;
    }
    o->pairs[o->npairs][0] = a;
    o->pairs[o->npairs][1] = b;
    o->npairs++;
    p = comma ? comma + 1 : "";
  }
  return 0;
}

int rtg_cmd_interop(int argc, char **argv) {
  static const struct option longopts[] = {{"participants", required_argument, NULL, O_PARTS},
                                           {"cases", required_argument, NULL, O_CASES},
                                           {"pairs", required_argument, NULL, O_PAIRS},
                                           {"json", required_argument, NULL, O_JSON},
                                           {"junit", required_argument, NULL, O_JUNIT},
                                           {"html", required_argument, NULL, O_HTML},
                                           {"keep-captures", required_argument, NULL, O_KEEP},
                                           {"retries", required_argument, NULL, O_RETRIES},
                                           {"timeout", required_argument, NULL, O_TIMEOUT},
                                           {"chromium", required_argument, NULL, O_CHROMIUM},
                                           {"firefox", required_argument, NULL, O_FIREFOX},
                                           {"implementations", required_argument, NULL, O_IMPLS},
                                           {"list-cases", no_argument, NULL, O_LIST},
                                           {"verbose", no_argument, NULL, O_VERBOSE},
                                           {"jobs", required_argument, NULL, O_JOBS},
                                           {"rtcgate", required_argument, NULL, O_RTCGATE},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  static struct rtg_interop_opts o;
  static struct rtg_interop_participant ext[RTG_INTEROP_MAX_PARTICIPANTS];
  static struct rtg_interop_result results[64 * RTG_INTEROP_MAX_CASES];
  const char *parts = NULL, *cases = NULL, *pairs = NULL, *chromium = NULL, *firefox = NULL,
             *rtcgate = NULL, *impls = NULL;
  char web[PATH_MAX], root[PATH_MAX], err[512];
  bool tmp_root = false;
  int next = 0, nres = 0, c, rc = RTG_EXIT_OK;
  long long t0;
  struct sigaction sa;
  memset(&o, 0, sizeof o);
  o.jobs = 2; /* two namespaces keep both cores busy (see the README's timings) */
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
    switch (c) {
      case O_PARTS: parts = optarg; break;
      case O_CASES: cases = optarg; break;
      case O_PAIRS: pairs = optarg; break;
      case O_JSON: o.json_out = optarg; break;
      case O_JUNIT: o.junit_out = optarg; break;
      case O_HTML: o.html_dir = optarg; break;
      case O_KEEP: o.keep_dir = optarg; break;
      case O_RETRIES: {
        char *end;
        long v = strtol(optarg, &end, 10);
        if (*end || v < 0 || v > 10) {
          rtg_cli_err("interop", "--retries: expected 0..10, got '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        o.retries = (int)v;
        break;
      }
      case O_TIMEOUT: {
        long long ms = rtg_cli_parse_duration_ms(optarg);
        if (ms < 1000 || ms > 600000) {
          rtg_cli_err("interop", "--timeout: expected 1s..10m, got '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        o.timeout_s = (int)(ms / 1000);
        break;
      }
      case O_CHROMIUM: chromium = optarg; break;
      case O_RTCGATE: rtcgate = optarg; break;
      case O_JOBS: {
        char *end;
        long v = strtol(optarg, &end, 10);
        if (*end || v < 1 || v > 4) {
          rtg_cli_err("interop", "--jobs: expected 1..4, got '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        o.jobs = (int)v;
        break;
      }
      case O_FIREFOX: firefox = optarg; break;
      case O_IMPLS: impls = optarg; break;
      case O_VERBOSE:
      case 'v': o.verbose = true; break;
      case O_LIST:
        for (size_t i = 0; i < rtg_interop_ncases; i++)
          printf("%-24s %-3s %3ds  %s\n", rtg_interop_cases[i].name, rtg_interop_cases[i].abbr,
                 rtg_interop_cases[i].timeout_s, rtg_interop_cases[i].descr);
        return RTG_EXIT_OK;
      case 'h': interop_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("interop", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    rtg_cli_err("interop", "unexpected argument '%s' (see --help)", argv[optind]);
    return RTG_EXIT_USAGE;
  }
  if (parse_cases(&o, cases)) return RTG_EXIT_USAGE;
  if (impls && rtg_interop_participants_load(impls, ext, &next, RTG_INTEROP_MAX_PARTICIPANTS, err,
                                             sizeof err)) {
    rtg_cli_err("interop", "--implementations %s", err);
    return RTG_EXIT_USAGE;
  }
  if (parts == NULL) {
    parts = "chromium,firefox,rtcgate";
    if (!rtg_interop_peer_available(rtcgate)) {
      parts = "chromium,firefox";
      fprintf(stderr,
              "rtcgate interop: note: 'rtcgate peer' is not available yet; the default matrix "
              "is chromium,firefox\n");
    }
  }
  if (parse_participants(&o, parts, ext, next, chromium, firefox, rtcgate)) return RTG_EXIT_USAGE;
  if (parse_pairs(&o, pairs)) return RTG_EXIT_USAGE;
  snprintf(web, sizeof web, "%s/tools/interop/web", rtg_cli_source_dir());
  if (access(web, R_OK) != 0) {
    rtg_cli_err("interop", "the page is missing: %s (set RTCGATE_ROOT to the source tree)", web);
    return RTG_EXIT_USAGE;
  }
  o.web_dir = web;
  for (int k = 0; k < o.ncases; k++)
    if ((o.cases[k]->flags & RTG_CASE_RELAY) && access("/usr/bin/turnserver", X_OK) != 0 &&
        access("/usr/sbin/turnserver", X_OK) != 0) {
      rtg_cli_err("interop",
                  "case %s needs coturn's turnserver, not installed (tools/install-deps)",
                  o.cases[k]->name);
      return RTG_EXIT_USAGE;
    }
  if (o.keep_dir || o.html_dir) {
    snprintf(root, sizeof root, "%s%s", o.keep_dir ? o.keep_dir : o.html_dir,
             o.keep_dir ? "" : "/runs");
    if (rtg_interop_mkdirs(root)) {
      rtg_cli_err("interop", "cannot create %s: %s", root, strerror(errno));
      return RTG_EXIT_USAGE;
    }
    if (realpath(root, web) != NULL) snprintf(root, sizeof root, "%s", web);
    snprintf(web, sizeof web, "%s/tools/interop/web", rtg_cli_source_dir());
  } else {
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/rtcgate-interop-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(root) == NULL) {
      rtg_cli_err("interop", "cannot create a temporary directory: %s", strerror(errno));
      return RTG_EXIT_USAGE;
    }
    tmp_root = true;
  }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  t0 = rtg_interop_now_ms();
  {
    static struct rtg_interop_job jobs[64 * RTG_INTEROP_MAX_CASES];
    int env_rc;
    for (int pi = 0; pi < o.npairs; pi++)
      for (int k = 0; k < o.ncases; k++) {
        jobs[nres].off = o.pairs[pi][0];
        jobs[nres].ans = o.pairs[pi][1];
        jobs[nres].c = o.cases[k];
        nres++;
      }
    env_rc = rtg_interop_run_matrix(&o, jobs, nres, root, results, &stop_flag);
    if (env_rc == -2) {
      rtg_cli_err("interop", "%s", results[0].reason[0] ? results[0].reason : "environment error");
      rc = RTG_EXIT_USAGE;
    }
  }
  if (tmp_root)
    for (int i = 0; i < nres; i++) results[i].dir[0] = '\0'; /* removed below */
  if (rc == RTG_EXIT_OK) {
    double total = (double)(rtg_interop_now_ms() - t0) / 1000.0;
    bool to_stdout = o.json_out && strcmp(o.json_out, "-") == 0;
    rtg_interop_print_matrix(&o, results, nres, to_stdout ? stderr : stdout);
    fprintf(to_stdout ? stderr : stdout, "%d runs in %.1f s\n", nres, total);
    for (int i = 0; i < nres; i++)
      if (results[i].verdict == RTG_V_FAIL || results[i].verdict == RTG_V_FLAKY)
        rc = RTG_EXIT_FINDINGS;
    if (stop_flag) {
      rtg_cli_err("interop", "interrupted");
      rc = RTG_EXIT_FINDINGS;
    }
    if (o.json_out) {
      json_t *doc = rtg_interop_json(&o, results, nres, total);
      int bad = to_stdout ? json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
                          : json_dump_file(doc, o.json_out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      if (to_stdout) fputc('\n', stdout);
      json_decref(doc);
      if (bad) {
        rtg_cli_err("interop", "cannot write %s", o.json_out);
        rc = RTG_EXIT_USAGE;
      }
    }
    if (o.junit_out && rtg_interop_write_junit(&o, results, nres, o.junit_out)) {
      rtg_cli_err("interop", "cannot write %s", o.junit_out);
      rc = RTG_EXIT_USAGE;
    }
    if (o.html_dir && rtg_interop_write_html(&o, results, nres, o.html_dir, root)) {
      rtg_cli_err("interop", "cannot write the HTML report to %s", o.html_dir);
      rc = RTG_EXIT_USAGE;
    }
  }
  if (tmp_root) rtg_interop_remove_tree(root);
  rtg_interop_reap();
  return rc;
}
