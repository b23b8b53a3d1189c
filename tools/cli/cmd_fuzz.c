/*
 * cmd_fuzz.c - `rtcgate fuzz`: libFuzzer campaigns over the fuzz targets
 * (build-fuzz/fuzz/<target>, built by the `fuzz` preset) with their seed
 * corpus, dictionary and options; live progress; a clean stop at the time
 * budget or on Ctrl-C; crash triage (fuzz_triage.c); merging the grown
 * corpus back; and the --regress (fuzz_regress.c) and --coverage
 * (fuzz_cov.c) modes.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fuzz_internal.h"

static const char *const builtin_targets[] = {
#define RTG_FUZZ_TARGET(n) #n,
#include "fuzz_targets.inc"
#undef RTG_FUZZ_TARGET
};
#define N_BUILTIN (sizeof builtin_targets / sizeof builtin_targets[0])

/* Grace after the budget before SIGINT, and after SIGINT before SIGKILL. */
#define GRACE_INT_MS 5000
#define GRACE_KILL_MS 10000

static void fuzz_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate fuzz [TARGET...] [--time D] [--jobs N] [--corpus-dir DIR] [--out DIR]\n"
          "                    [--merge] [--json] [--build-dir DIR]\n"
          "       rtcgate fuzz --regress [TARGET...] [--build-dir DIR] [--corpus-dir DIR]\n"
          "       rtcgate fuzz --coverage [TARGET...] [--build-dir DIR] [--no-build]\n"
          "       rtcgate fuzz --list\n\n"
          "Runs each libFuzzer target (all when none is named) for D with its seed\n"
          "corpus (corpora/TARGET), dictionary and options (fuzz/TARGET.options,\n"
          "fuzz/TARGET.dict); new inputs go to OUT/corpus/TARGET. Crashes, leaks and\n"
          "timeouts are reproduced, deduplicated by their top stack frames, minimised\n"
          "and written to OUT/crashes/TARGET/HASH/{input,report.txt}.\n"
          "Targets are built by 'cmake --preset fuzz && cmake --build build-fuzz'.\n\n"
          "options:\n"
          "  --time D          per-target budget: 30s, 5m, 1h (default 10s)\n"
          "  --jobs N          fuzzing processes at once (default 1): targets run side\n"
          "                    by side; N above the number of targets gives each one\n"
          "                    libFuzzer fork mode (-fork=K, crashes do not stop it)\n"
          "  --corpus-dir DIR  seed corpora root, DIR/TARGET (default corpora/)\n"
          "  --out DIR         output directory (default fuzz-out)\n"
          "  --merge           afterwards, merge new coverage-increasing inputs into the\n"
          "                    seed corpus (libFuzzer -merge=1: a minimal addition)\n"
          "  --minimize-time D budget to minimise each unique crash (default 20s, 0: off)\n"
          "  --frames N        stack frames used to deduplicate crashes (default 3)\n"
          "  --progress D      progress line period when stderr is not a TTY (default 10s)\n"
          "  --json            summary as JSON on stdout\n"
          "  --build-dir DIR   build tree: DIR/fuzz/TARGET (libFuzzer), DIR/fuzz-regress/\n"
          "                    TARGET (standalone, --regress and --coverage)\n"
          "  --regress         run every corpus file and saved reproducer\n"
          "                    (corpora/TARGET/regressions/) once through the standalone\n"
          "                    ASan+UBSan binaries (build-asan/fuzz-regress/TARGET), or the\n"
          "                    libFuzzer ones with -runs=0; a crash fails\n"
          "  --coverage        build the 'coverage' preset (build-coverage), run each\n"
          "                    corpus, write OUT/coverage/TARGET/{html/,summary.txt} with\n"
          "                    line/branch coverage of stack/ (llvm-cov-14)\n"
          "  --no-build        with --coverage: use the existing coverage build\n"
          "  --list            list the targets\n\n"
          "exit: 0 no finding, 1 a crash/leak/timeout was found (or a regression crashed),\n"
          "      2 usage or environment error (e.g. a missing fuzz build)\n");
}

/* Targets: fuzz/<name>.c in the source tree at run time (so a target added
 * after rtcgate was built is still found), plus those rtcgate was built
 * with. */
static size_t known_targets(const char *src, char ***out) {
  char dir[PATH_MAX], **v = calloc(FZ_MAX_TARGETS, sizeof *v);
  size_t n = 0;
  DIR *d;
  struct dirent *de;
  fz_fmt(dir, sizeof dir, "%s/fuzz", src);
  d = opendir(dir);
  while (d != NULL && v != NULL && (de = readdir(d)) != NULL && n < FZ_MAX_TARGETS) {
    size_t l = strlen(de->d_name);
    if (l > 2 && l < FZ_NAME_MAX && strcmp(de->d_name + l - 2, ".c") == 0 && de->d_name[0] != '.')
      v[n++] = strndup(de->d_name, l - 2);
  }
  if (d != NULL) closedir(d);
  for (size_t i = 0; v != NULL && i < N_BUILTIN && n < FZ_MAX_TARGETS; i++) {
    bool dup = false;
    for (size_t k = 0; k < n; k++)
      if (strcmp(v[k], builtin_targets[i]) == 0) dup = true;
    if (!dup) v[n++] = strdup(builtin_targets[i]);
  }
  for (size_t i = 1; i < n; i++) /* insertion sort: tiny list */
    for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
      char *t = v[k];
      v[k] = v[k - 1];
      v[k - 1] = t;
    }
  *out = v;
  return v ? n : 0;
}

struct job {
  const char *name;
  char bin[PATH_MAX], log[PATH_MAX + 64], work[PATH_MAX + 64], art[PATH_MAX + 64];
  pid_t pid;
  int state; /* 0 pending, 1 running, 2 done, 3 not started */
  long long start, end, int_at;
  bool int_sent, kill_sent;
  int exit_code;
  long log_off;
  long long execs, cov, ft, corpus, exec_s;
  long long rate_execs, rate_at; /* for exec/s measured here (fork mode logs 0) */
  long long lf_exec_s;           /* exec/s libFuzzer last printed, 0 if none */
  int artifacts, findings, merged;
};

/* Reads the new part of a libFuzzer log: status lines look like
 *   #12345  NEW    cov: 81 ft: 120 corp: 30/1024b lim: 43 exec/s: 4115 rss: 39Mb
 *   #56789: cov: 81 ft: 120 corp: 30 exec/s 4115 oom/timeout/crash: 0/0/1 ...  (fork)
 */
static void scan_log(struct job *j) {
  FILE *f = fopen(j->log, "r");
  char line[1024];
  if (f == NULL) return;
  if (fseek(f, j->log_off, SEEK_SET) != 0) {
    fclose(f);
    return;
  }
  while (fgets(line, sizeof line, f)) {
    long long a;
    char *p;
    if (line[strlen(line) - 1] != '\n') break; /* partial line: next time */
    j->log_off = ftell(f);
    if (line[0] != '#' || sscanf(line, "#%lld", &a) != 1) continue;
    j->execs = a;
    if ((p = strstr(line, "cov: "))) j->cov = atoll(p + 5);
    if ((p = strstr(line, "ft: "))) j->ft = atoll(p + 4);
    if ((p = strstr(line, "corp: "))) j->corpus = atoll(p + 6);
    if ((p = strstr(line, "exec/s: "))) j->lf_exec_s = atoll(p + 8);
  }
  fclose(f);
}

static int count_artifacts(const char *dir) {
  char **v;
  size_t n = fz_list_files(dir, false, &v);
  fz_free_list(v, n);
  return (int)n;
}

static void human(char *buf, size_t cap, long long v) {
  if (v >= 10000000)
    fz_fmt(buf, cap, "%.1fM", (double)v / 1e6);
  else if (v >= 10000)
    fz_fmt(buf, cap, "%.1fk", (double)v / 1e3);
  else
    fz_fmt(buf, cap, "%lld", v);
}

static void progress(struct job *jobs, size_t n, long long t0, bool tty) {
  long long exec_s = 0, cov = 0, corpus = 0, execs = 0;
  int running = 0, done = 0, crashes = 0;
  char es[32], ex[32];
  long long el = (fz_now_ms() - t0) / 1000;
  for (size_t i = 0; i < n; i++) {
    if (jobs[i].state == 1) {
      running++;
      exec_s += jobs[i].exec_s;
    }
    if (jobs[i].state >= 2) done++;
    cov += jobs[i].cov;
    corpus += jobs[i].corpus;
    execs += jobs[i].execs;
    crashes += jobs[i].artifacts;
  }
  human(es, sizeof es, exec_s);
  human(ex, sizeof ex, execs);
  fprintf(stderr,
          "%s[fuzz %02lld:%02lld] running %d, done %d/%zu | %s exec/s | %s execs | cov %lld | "
          "corpus %lld | crashes %d%s",
          tty ? "\r\033[K" : "", el / 60, el % 60, running, done, n, es, ex, cov, corpus, crashes,
          tty ? "" : "\n");
  fflush(stderr);
}

static int start_job(const struct fz_opts *o, struct job *j, int fork_k, const char *seeds) {
  char opt[8][PATH_MAX + 16], timearg[64], forkarg[32], apfx[PATH_MAX + 96], *argv[32];
  int n = 0, nopt = fz_load_options(o->src, j->name, opt, 8);
  if (fz_mkdir_p(j->work) || fz_mkdir_p(j->art)) {
    rtg_cli_err("fuzz", "cannot create %s: %s", j->work, strerror(errno));
    return -1;
  }
  fz_fmt(timearg, sizeof timearg, "-max_total_time=%lld", (o->ms + 999) / 1000);
  fz_fmt(apfx, sizeof apfx, "-artifact_prefix=%s/", j->art);
  argv[n++] = j->bin;
  argv[n++] = timearg;
  argv[n++] = "-print_final_stats=1";
  argv[n++] = apfx;
  if (fork_k > 1) {
    /* Fork mode: K worker processes; crashes, timeouts and OOMs are saved
     * and fuzzing goes on until the budget (triage sorts them out). */
    fz_fmt(forkarg, sizeof forkarg, "-fork=%d", fork_k);
    argv[n++] = forkarg;
    argv[n++] = "-ignore_crashes=1";
    argv[n++] = "-ignore_timeouts=1";
    argv[n++] = "-ignore_ooms=1";
  }
  for (int i = 0; i < nopt; i++) argv[n++] = opt[i];
  argv[n++] = j->work;
  if (seeds) argv[n++] = (char *)seeds;
  argv[n] = NULL;
  j->pid = fz_spawn(argv, j->log, NULL);
  if (j->pid < 0) {
    rtg_cli_err("fuzz", "cannot start %s: %s", j->bin, strerror(errno));
    return -1;
  }
  j->state = 1;
  j->start = fz_now_ms();
  return 0;
}

/* libFuzzer -merge=1 SEEDS WORK: adds to SEEDS only the inputs of WORK that
 * bring new coverage (a minimal set), named by their SHA-1. */
static int merge_back(const struct fz_opts *o, struct job *j, const char *seeds) {
  char **v, log[PATH_MAX + 64], *argv[8];
  size_t before = fz_list_files(seeds, true, &v);
  int rc;
  fz_free_list(v, before);
  if (fz_mkdir_p(seeds)) return -1;
  fz_fmt(log, sizeof log, "%s/logs/%s.merge.log", o->out, j->name);
  argv[0] = j->bin;
  argv[1] = "-merge=1";
  argv[2] = (char *)seeds;
  argv[3] = j->work;
  argv[4] = NULL;
  rc = fz_run(argv, log, NULL, 600000);
  if (rc != 0) {
    rtg_cli_err("fuzz", "%s: merge failed (exit %d), see %s", j->name, rc, log);
    return -1;
  }
  {
    size_t after = fz_list_files(seeds, true, &v);
    fz_free_list(v, after);
    j->merged = (int)after - (int)before;
  }
  return 0;
}

static int campaign(const struct fz_opts *o, char **names, size_t n) {
  struct job *jobs = calloc(n, sizeof *jobs);
  struct fz_findings fnd = {NULL, 0, 0};
  char seeds[PATH_MAX + 128];
  int slots, fork_k, errors = 0, nfind = 0;
  bool tty = isatty(2) && !o->quiet;
  long long t0 = fz_now_ms(), last = 0;
  const char *bdir = o->build_dir;
  char defb[PATH_MAX];
  if (jobs == NULL) return RTG_EXIT_USAGE;
  if (bdir[0] == '\0') {
    fz_fmt(defb, sizeof defb, "%s/build-fuzz", o->src);
    bdir = defb;
  }
  /* Check every binary first: a missing build is an environment error. */
  for (size_t i = 0; i < n; i++) {
    jobs[i].name = names[i];
    fz_fmt(jobs[i].bin, sizeof jobs[i].bin, "%s/fuzz/%s", bdir, names[i]);
    if (!fz_is_exec(jobs[i].bin)) {
      rtg_cli_err("fuzz",
                  "%s: no libFuzzer binary at %s; build it with: cmake --preset fuzz -B %s && "
                  "cmake --build %s --target fuzz_%s",
                  names[i], jobs[i].bin, bdir, bdir, names[i]);
      errors++;
    }
    fz_fmt(jobs[i].log, sizeof jobs[i].log, "%s/logs/%s.log", o->out, names[i]);
    fz_fmt(jobs[i].work, sizeof jobs[i].work, "%s/corpus/%s", o->out, names[i]);
    fz_fmt(jobs[i].art, sizeof jobs[i].art, "%s/artifacts/%s", o->out, names[i]);
  }
  if (errors) {
    free(jobs);
    return RTG_EXIT_USAGE;
  }
  slots = o->jobs < (int)n ? o->jobs : (int)n;
  fork_k = o->jobs / slots;
  fz_install_signals();
  if (!o->quiet)
    fprintf(stderr, "rtcgate fuzz: %zu target%s, %.1fs each, %d at a time%s; output in %s\n", n,
            n == 1 ? "" : "s", (double)o->ms / 1000.0, slots, fork_k > 1 ? " (fork mode)" : "",
            o->out);
  for (;;) {
    int running = 0, pending = 0;
    long long now = fz_now_ms();
    for (size_t i = 0; i < n; i++) {
      if (jobs[i].state == 1) running++;
      if (jobs[i].state == 0) pending++;
    }
    if (fz_interrupted) {
      for (size_t i = 0; i < n; i++)
        if (jobs[i].state == 0) jobs[i].state = 3;
      pending = 0;
    }
    for (size_t i = 0; i < n && running < slots && pending > 0; i++) {
      if (jobs[i].state != 0) continue;
      fz_fmt(seeds, sizeof seeds, "%s/%s", o->corpus_dir, names[i]);
      /* A failed start ends this target only; the others go on. */
      if (start_job(o, &jobs[i], fork_k, fz_is_dir(seeds) ? seeds : NULL)) {
        jobs[i].state = 3;
        errors++;
      } else {
        running++;
      }
      pending--;
    }
    if (running == 0 && pending == 0) break;
    for (size_t i = 0; i < n; i++) {
      struct job *j = &jobs[i];
      int st;
      if (j->state != 1) continue;
      if (waitpid(j->pid, &st, WNOHANG) == j->pid) {
        j->state = 2;
        j->end = fz_now_ms();
        j->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        kill(-j->pid, SIGKILL); /* leftover fork-mode workers, if any */
      } else if (!j->int_sent && (fz_interrupted || now - j->start > o->ms + GRACE_INT_MS)) {
        kill(-j->pid, SIGINT); /* libFuzzer prints its final stats and exits */
        j->int_sent = true;
        j->int_at = now;
      } else if (j->int_sent && !j->kill_sent &&
                 (now - j->int_at > GRACE_KILL_MS || fz_interrupted >= 2)) {
        kill(-j->pid, SIGKILL);
        j->kill_sent = true;
      }
      scan_log(j);
      /* libFuzzer logs only now and then: the rate is measured between two
       * different counts, and libFuzzer's own figure wins when it has one. */
      if (j->rate_at == 0 || (j->execs != j->rate_execs && now - j->rate_at >= 1000)) {
        if (j->rate_at) j->exec_s = (j->execs - j->rate_execs) * 1000 / (now - j->rate_at);
        j->rate_execs = j->execs;
        j->rate_at = now;
      }
      if (j->lf_exec_s > 0) j->exec_s = j->lf_exec_s;
      j->artifacts = count_artifacts(j->art);
    }
    if (tty && now - last >= 1000) {
      progress(jobs, n, t0, true);
      last = now;
    } else if (!tty && !o->quiet && now - last >= o->progress_ms) {
      if (last) progress(jobs, n, t0, false);
      last = now;
    }
    usleep(100000);
  }
  if (tty) fputc('\n', stderr);
  if (fz_interrupted && !o->quiet)
    fprintf(stderr, "rtcgate fuzz: interrupted, children stopped; triaging what was found\n");
  for (size_t i = 0; i < n; i++) {
    struct job *j = &jobs[i];
    if (j->state != 2) continue;
    scan_log(j);
    j->artifacts = count_artifacts(j->art);
    if (j->artifacts) {
      if (!o->quiet)
        fprintf(stderr, "rtcgate fuzz: %s: triaging %d artifact%s\n", j->name, j->artifacts,
                j->artifacts == 1 ? "" : "s");
      j->findings = fz_triage(o, j->name, j->bin, j->art, &fnd);
      nfind += j->findings;
    }
    if (o->merge && fz_interrupted < 2) {
      fz_fmt(seeds, sizeof seeds, "%s/%s", o->corpus_dir, j->name);
      if (merge_back(o, j, seeds)) errors++;
    }
  }
  /* Summary. */
  if (o->json) {
    json_t *root = json_object(), *ts = json_array(), *fs = json_array();
    for (size_t i = 0; i < n; i++) {
      struct job *j = &jobs[i];
      json_t *t = json_object();
      double secs = j->end > j->start ? (double)(j->end - j->start) / 1000.0 : 0;
      json_object_set_new(t, "target", json_string(j->name));
      json_object_set_new(t, "status",
                          json_string(j->state == 3  ? "not run"
                                      : j->findings  ? "findings"
                                      : j->artifacts ? "artifacts"
                                                     : "ok"));
      json_object_set_new(t, "execs", json_integer(j->execs));
      json_object_set_new(t, "exec_per_sec",
                          json_integer(secs > 0 ? (json_int_t)((double)j->execs / secs) : 0));
      json_object_set_new(t, "seconds", json_real(secs));
      json_object_set_new(t, "cov", json_integer(j->cov));
      json_object_set_new(t, "features", json_integer(j->ft));
      json_object_set_new(t, "corpus", json_integer(j->corpus));
      json_object_set_new(t, "artifacts", json_integer(j->artifacts));
      json_object_set_new(t, "findings", json_integer(j->findings));
      if (o->merge) json_object_set_new(t, "merged", json_integer(j->merged));
      json_object_set_new(t, "exit_code", json_integer(j->exit_code));
      json_object_set_new(t, "log", json_string(j->log));
      json_array_append_new(ts, t);
    }
    for (size_t i = 0; i < fnd.n; i++) json_array_append_new(fs, fz_finding_json(&fnd.v[i]));
    json_object_set_new(root, "mode", json_string("campaign"));
    json_object_set_new(root, "budget_seconds", json_real((double)o->ms / 1000.0));
    json_object_set_new(root, "jobs", json_integer(o->jobs));
    json_object_set_new(root, "interrupted", json_boolean(fz_interrupted != 0));
    json_object_set_new(root, "targets", ts);
    json_object_set_new(root, "findings", fs);
    json_object_set_new(root, "out", json_string(o->out));
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
  } else {
    printf("%-26s %12s %9s %7s %7s %6s  %s\n", "target", "execs", "exec/s", "cov", "corpus",
           "crash", o->merge ? "result (merged)" : "result");
    for (size_t i = 0; i < n; i++) {
      struct job *j = &jobs[i];
      double secs = j->end > j->start ? (double)(j->end - j->start) / 1000.0 : 0;
      char res[64];
      if (j->state == 3)
        fz_fmt(res, sizeof res, "not run");
      else if (j->findings)
        fz_fmt(res, sizeof res, "%d unique finding%s", j->findings, j->findings == 1 ? "" : "s");
      else
        fz_fmt(res, sizeof res, "ok");
      if (o->merge && j->state == 2) {
        size_t l = strlen(res);
        fz_fmt(res + l, sizeof res - l, " (+%d)", j->merged);
      }
      printf("%-26s %12lld %9lld %7lld %7lld %6d  %s\n", j->name, j->execs,
             secs > 0 ? (long long)((double)j->execs / secs) : 0, j->cov, j->corpus, j->artifacts,
             res);
    }
    fz_print_findings(&fnd);
    printf("fuzz: %zu target%s, %d unique finding%s%s (logs in %s/logs)\n", n, n == 1 ? "" : "s",
           nfind, nfind == 1 ? "" : "s", fz_interrupted ? ", interrupted" : "", o->out);
  }
  fflush(stdout);
  free(fnd.v);
  free(jobs);
  if (nfind) return RTG_EXIT_FINDINGS;
  return errors ? RTG_EXIT_USAGE : RTG_EXIT_OK;
}

int rtg_cmd_fuzz(int argc, char **argv) {
  enum {
    O_TIME = 256,
    O_JOBS,
    O_CORPUS,
    O_OUT,
    O_MERGE,
    O_REGRESS,
    O_COV,
    O_LIST,
    O_JSON,
    O_BUILD,
    O_NOBUILD,
    O_MINT,
    O_FRAMES,
    O_PROG,
    O_QUIET
  };
  static const struct option longopts[] = {{"time", required_argument, NULL, O_TIME},
                                           {"jobs", required_argument, NULL, O_JOBS},
                                           {"corpus-dir", required_argument, NULL, O_CORPUS},
                                           {"out", required_argument, NULL, O_OUT},
                                           {"merge", no_argument, NULL, O_MERGE},
                                           {"regress", no_argument, NULL, O_REGRESS},
                                           {"coverage", no_argument, NULL, O_COV},
                                           {"list", no_argument, NULL, O_LIST},
                                           {"json", no_argument, NULL, O_JSON},
                                           {"build-dir", required_argument, NULL, O_BUILD},
                                           {"no-build", no_argument, NULL, O_NOBUILD},
                                           {"minimize-time", required_argument, NULL, O_MINT},
                                           {"frames", required_argument, NULL, O_FRAMES},
                                           {"progress", required_argument, NULL, O_PROG},
                                           {"quiet", no_argument, NULL, O_QUIET},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  struct fz_opts o;
  char **known, **sel;
  size_t nknown, nsel = 0;
  int c, mode = 0, rc;
  bool list = false;
  memset(&o, 0, sizeof o);
  o.src = rtg_cli_source_dir();
  o.ms = 10000;
  o.minimize_ms = 20000;
  o.progress_ms = 10000;
  o.jobs = 1;
  o.frames = 3;
  fz_fmt(o.out, sizeof o.out, "fuzz-out");
  fz_fmt(o.corpus_dir, sizeof o.corpus_dir, "%s/corpora", o.src);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    long long v;
    switch (c) {
      case O_TIME:
      case O_MINT:
      case O_PROG:
        v = rtg_cli_parse_duration_ms(optarg);
        if (v < 0 || (v == 0 && c != O_MINT)) {
          rtg_cli_err("fuzz", "%s wants a duration like 30s, 5m or 1h, not '%s'", argv[optind - 1],
                      optarg);
          return RTG_EXIT_USAGE;
        }
        if (c == O_TIME) o.ms = v;
        if (c == O_MINT) o.minimize_ms = v;
        if (c == O_PROG) o.progress_ms = v;
        break;
      case O_JOBS:
      case O_FRAMES:
        v = atoll(optarg);
        if (v < 1 || v > (c == O_JOBS ? 256 : FZ_MAX_FRAMES) ||
            strspn(optarg, "0123456789") != strlen(optarg)) {
          rtg_cli_err("fuzz", "%s wants a number from 1 to %d, not '%s'", argv[optind - 1],
                      c == O_JOBS ? 256 : FZ_MAX_FRAMES, optarg);
          return RTG_EXIT_USAGE;
        }
        if (c == O_JOBS)
          o.jobs = (int)v;
        else
          o.frames = (int)v;
        break;
      case O_CORPUS: fz_fmt(o.corpus_dir, sizeof o.corpus_dir, "%s", optarg); break;
      case O_OUT: fz_fmt(o.out, sizeof o.out, "%s", optarg); break;
      case O_BUILD: fz_fmt(o.build_dir, sizeof o.build_dir, "%s", optarg); break;
      case O_MERGE: o.merge = true; break;
      case O_JSON: o.json = true; break;
      case O_NOBUILD: o.no_build = true; break;
      case O_QUIET: o.quiet = true; break;
      case O_REGRESS:
      case O_COV:
        if (mode && mode != c) {
          rtg_cli_err("fuzz", "--regress and --coverage are separate runs: pick one");
          return RTG_EXIT_USAGE;
        }
        mode = c;
        break;
      case O_LIST: list = true; break;
      case 'h': fuzz_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("fuzz", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  nknown = known_targets(o.src, &known);
  if (list) {
    for (size_t i = 0; i < nknown; i++) printf("%s\n", known[i]);
    fz_free_list(known, nknown);
    return RTG_EXIT_OK;
  }
  sel = calloc((size_t)(argc - optind) + nknown + 1, sizeof *sel);
  if (sel == NULL) return RTG_EXIT_USAGE;
  for (int i = optind; i < argc; i++) {
    bool found = false;
    char probe[PATH_MAX + FZ_NAME_MAX + 32];
    for (size_t k = 0; k < nknown; k++)
      if (strcmp(argv[i], known[k]) == 0) found = true;
    /* A target outside fuzz/ (e.g. a test target) is fine when built. */
    if (!found && o.build_dir[0] && strlen(argv[i]) < FZ_NAME_MAX && strchr(argv[i], '/') == NULL) {
      fz_fmt(probe, sizeof probe, "%s/fuzz/%s", o.build_dir, argv[i]);
      found = fz_is_exec(probe);
      fz_fmt(probe, sizeof probe, "%s/fuzz-regress/%s", o.build_dir, argv[i]);
      found = found || fz_is_exec(probe);
    }
    if (!found) {
      rtg_cli_err("fuzz", "unknown target '%s' (see 'rtcgate fuzz --list')", argv[i]);
      free(sel);
      fz_free_list(known, nknown);
      return RTG_EXIT_USAGE;
    }
    sel[nsel++] = argv[i];
  }
  if (nsel == 0)
    for (size_t k = 0; k < nknown; k++) sel[nsel++] = known[k];
  if (nsel == 0) {
    rtg_cli_err("fuzz", "no fuzz targets found under %s/fuzz", o.src);
    free(sel);
    fz_free_list(known, nknown);
    return RTG_EXIT_USAGE;
  }
  if (fz_mkdir_p(o.out)) {
    rtg_cli_err("fuzz", "cannot create output directory %s: %s", o.out, strerror(errno));
    rc = RTG_EXIT_USAGE;
  } else {
    char logs[PATH_MAX + 16];
    fz_fmt(logs, sizeof logs, "%s/logs", o.out);
    fz_mkdir_p(logs);
    if (mode == O_REGRESS)
      rc = fz_regress(&o, sel, nsel);
    else if (mode == O_COV)
      rc = fz_coverage(&o, sel, nsel);
    else
      rc = campaign(&o, sel, nsel);
  }
  free(sel);
  fz_free_list(known, nknown);
  return rc;
}
