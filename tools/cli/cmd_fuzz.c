/*
 * cmd_fuzz.c - `rtcgate fuzz`: runs the libFuzzer targets built by the
 * `fuzz` preset (build-fuzz/fuzz/<target>) with their seed corpus,
 * dictionary and options, for a time budget, and summarises the results.
 */
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

static const char *const targets[] = {
#define RTG_FUZZ_TARGET(n) #n,
#include "fuzz_targets.inc"
#undef RTG_FUZZ_TARGET
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

struct fuzz_result {
  long long execs;
  long long cov;
  long long corpus;
  int crashed;
  int exit_code;
  char artifact[PATH_MAX];
};

static void fuzz_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate fuzz [TARGET...] [--time DURATION] [--out DIR] [--build-dir DIR]\n"
          "       rtcgate fuzz --list\n\n"
          "Runs each libFuzzer target (all when none is named) for DURATION with its\n"
          "seed corpus corpora/TARGET, its dictionary and options (fuzz/TARGET.options,\n"
          "fuzz/TARGET.dict), then prints executions, coverage and crashes.\n"
          "Targets are built by 'cmake --preset fuzz && cmake --build build-fuzz'.\n\n"
          "options:\n"
          "  --time DURATION  per-target budget: 30s, 5m, 1h (default 10s)\n"
          "  --out DIR        working directory for grown corpora and crash\n"
          "                   artifacts (default fuzz-out)\n"
          "  --build-dir DIR  fuzz build tree (default build-fuzz under the source tree)\n"
          "  --list           list the targets\n\n"
          "exit: 0 no crash, 1 a crash/leak/timeout was found, 2 usage or environment error\n");
}

static int mkdir_p(const char *path) {
  char tmp[PATH_MAX];
  size_t n = strlen(path);
  if (n >= sizeof tmp) return -1;
  memcpy(tmp, path, n + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
  return 0;
}

/* Reads "key = value" pairs from fuzz/<target>.options ([libfuzzer] section
 * header allowed, as OSS-Fuzz writes them) into -key=value arguments. */
static int load_options(const char *src, const char *target, char args[][128], int max) {
  char path[PATH_MAX], line[256];
  FILE *f;
  int n = 0;
  snprintf(path, sizeof path, "%s/fuzz/%s.options", src, target);
  f = fopen(path, "r");
  if (f == NULL) return 0;
  while (n < max && fgets(line, sizeof line, f)) {
    char key[64], val[96];
    if (line[0] == '[' || line[0] == '#') continue;
    if (sscanf(line, " %63[A-Za-z_] = %95s", key, val) != 2) continue;
    if (strcmp(key, "dict") == 0)
      snprintf(args[n++], 128, "-dict=%s/fuzz/%.80s", src, val);
    else
      snprintf(args[n++], 128, "-%.30s=%.95s", key, val);
  }
  fclose(f);
  return n;
}

static void parse_log(const char *log, struct fuzz_result *r) {
  FILE *f = fopen(log, "r");
  char line[1024];
  if (f == NULL) return;
  while (fgets(line, sizeof line, f)) {
    long long a, b, c;
    char *p;
    if (line[0] == '#' && sscanf(line, "#%lld", &a) == 1) {
      r->execs = a;
      if ((p = strstr(line, "cov: ")) && sscanf(p, "cov: %lld", &b) == 1) r->cov = b;
      if ((p = strstr(line, "corp: ")) && sscanf(p, "corp: %lld", &c) == 1) r->corpus = c;
    }
    if (strstr(line, "ERROR: AddressSanitizer") || strstr(line, "ERROR: libFuzzer") ||
        strstr(line, "runtime error:") || strstr(line, "ERROR: LeakSanitizer"))
      r->crashed = 1;
    if ((p = strstr(line, "Test unit written to "))) {
      snprintf(r->artifact, sizeof r->artifact, "%s", p + 21);
      r->artifact[strcspn(r->artifact, "\n")] = '\0';
    }
  }
  fclose(f);
}

static int run_target(const char *src, const char *bdir, const char *out, const char *t,
                      long long ms, struct fuzz_result *r) {
  char bin[PATH_MAX + 256], work[PATH_MAX + 256], seeds[PATH_MAX + 256], art[PATH_MAX + 256],
      log[PATH_MAX + 256];
  char opt[8][128], timearg[64], *argv[24];
  int n = 0, nopt, status;
  pid_t pid;
  memset(r, 0, sizeof *r);
  snprintf(bin, sizeof bin, "%s/fuzz/%s", bdir, t);
  if (access(bin, X_OK) != 0) {
    rtg_cli_err("fuzz", "%s: no libFuzzer binary at %s (build the 'fuzz' preset first)", t, bin);
    return -1;
  }
  snprintf(work, sizeof work, "%s/corpus/%s", out, t);
  snprintf(art, sizeof art, "%s/crashes/%s/", out, t);
  snprintf(log, sizeof log, "%s/logs/%s.log", out, t);
  snprintf(seeds, sizeof seeds, "%s/corpora/%s", src, t);
  if (mkdir_p(work) || mkdir_p(art)) {
    rtg_cli_err("fuzz", "cannot create %s: %s", work, strerror(errno));
    return -1;
  }
  snprintf(timearg, sizeof timearg, "-max_total_time=%lld", (ms + 999) / 1000);
  nopt = load_options(src, t, opt, 8);
  argv[n++] = bin;
  argv[n++] = timearg;
  argv[n++] = "-print_final_stats=1";
  {
    static char apfx[PATH_MAX + 300];
    snprintf(apfx, sizeof apfx, "-artifact_prefix=%s", art);
    argv[n++] = apfx;
  }
  for (int i = 0; i < nopt; i++) argv[n++] = opt[i];
  argv[n++] = work;
  if (access(seeds, R_OK) == 0) argv[n++] = seeds;
  argv[n] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    rtg_cli_err("fuzz", "fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    FILE *lf = freopen(log, "w", stderr);
    if (lf == NULL) _exit(127);
    if (freopen("/dev/null", "w", stdout) == NULL) _exit(127);
    execv(bin, argv);
    _exit(127);
  }
  if (waitpid(pid, &status, 0) < 0) return -1;
  r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  parse_log(log, r);
  if (r->exit_code != 0) r->crashed = 1;
  return 0;
}

int rtg_cmd_fuzz(int argc, char **argv) {
  static const struct option longopts[] = {{"time", required_argument, NULL, 't'},
                                           {"out", required_argument, NULL, 'o'},
                                           {"build-dir", required_argument, NULL, 'b'},
                                           {"list", no_argument, NULL, 'l'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *src = rtg_cli_source_dir(), *out = "fuzz-out";
  char bdir[PATH_MAX];
  long long ms = 10000;
  int c, crashes = 0, errors = 0;
  snprintf(bdir, sizeof bdir, "%s/build-fuzz", src);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 't':
        ms = rtg_cli_parse_duration_ms(optarg);
        if (ms <= 0) {
          rtg_cli_err("fuzz", "--time wants a duration like 30s, 5m or 1h, not '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        break;
      case 'o': out = optarg; break;
      case 'b': snprintf(bdir, sizeof bdir, "%s", optarg); break;
      case 'l':
        for (size_t i = 0; i < N_TARGETS; i++) printf("%s\n", targets[i]);
        return RTG_EXIT_OK;
      case 'h': fuzz_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("fuzz", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  for (int i = optind; i < argc; i++) {
    int found = 0;
    for (size_t k = 0; k < N_TARGETS; k++)
      if (strcmp(argv[i], targets[k]) == 0) found = 1;
    if (!found) {
      rtg_cli_err("fuzz", "unknown target '%s' (see 'rtcgate fuzz --list')", argv[i]);
      return RTG_EXIT_USAGE;
    }
  }
  if (mkdir_p(out)) {
    rtg_cli_err("fuzz", "cannot create output directory %s: %s", out, strerror(errno));
    return RTG_EXIT_USAGE;
  }
  {
    char logs[PATH_MAX];
    snprintf(logs, sizeof logs, "%s/logs", out);
    if (mkdir_p(logs)) {
      rtg_cli_err("fuzz", "cannot create %s: %s", logs, strerror(errno));
      return RTG_EXIT_USAGE;
    }
  }
  printf("%-28s %12s %8s %8s  %s\n", "target", "execs", "cov", "corpus", "result");
  for (size_t k = 0; k < N_TARGETS; k++) {
    struct fuzz_result r;
    int chosen = optind == argc;
    for (int i = optind; i < argc; i++)
      if (strcmp(argv[i], targets[k]) == 0) chosen = 1;
    if (!chosen) continue;
    if (run_target(src, bdir, out, targets[k], ms, &r)) {
      errors++;
      continue;
    }
    printf("%-28s %12lld %8lld %8lld  %s%s\n", targets[k], r.execs, r.cov, r.corpus,
           r.crashed ? "CRASH " : "ok", r.crashed ? r.artifact : "");
    fflush(stdout);
    crashes += r.crashed;
  }
  printf("fuzz: %d crashed, %d errors (logs in %s/logs)\n", crashes, errors, out);
  if (errors) return RTG_EXIT_USAGE;
  return crashes ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
}
