/*
 * cmd_bench.c - `rtcgate bench [NAME...] [--json] [--rounds N]`.
 *
 * For each case: calibrate an iteration count that takes ~40 ms, then run
 * rounds alternating rtcgate / baseline (so both see the same machine state,
 * frequency and cache conditions), report the median throughput of each and
 * their ratio. A case whose ratio falls under its limit makes the exit code 1.
 *
 * Time is CPU time (this process's threads plus the children it waited
 * for, e.g. tshark), so other programs on a shared machine do not move the
 * ratios; a benchmark of latencies (interop) sets wall_clock.
 */
#include <getopt.h>
#include <stdbool.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/bench.h"
#include "cli/cli.h"

#define RTG_BENCH(n) extern const struct rtg_bench rtg_bench_##n;
#include "benches.inc"
#undef RTG_BENCH

static const struct rtg_bench *const benches[] = {
#define RTG_BENCH(n) &rtg_bench_##n,
#include "benches.inc"
#undef RTG_BENCH
};
#define N_BENCHES (sizeof benches / sizeof benches[0])

static double ts_s(const struct timespec *ts) {
  return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

static double tv_s(const struct timeval *tv) {
  return (double)tv->tv_sec + (double)tv->tv_usec * 1e-6;
}

/* Seconds on the benchmark's clock: CPU time of the process and its
 * waited-for children, or the monotonic wall clock. */
static double now_s(bool wall) {
  struct timespec ts;
  struct rusage ru;
  if (wall) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_s(&ts);
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  if (getrusage(RUSAGE_CHILDREN, &ru) != 0) return ts_s(&ts);
  return ts_s(&ts) + tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static double unit_scale(const char *unit) { return strcmp(unit, "MB/s") == 0 ? 1e-6 : 1.0; }

/* One timed run; returns throughput in the case's unit or < 0 on failure. */
static double timed(double (*fn)(void *, uint64_t), void *st, uint64_t iters, const char *unit,
                    bool wall) {
  double t0 = now_s(wall), work = fn(st, iters), dt = now_s(wall) - t0;
  if (work < 0) return -1;
  if (dt <= 0) dt = 1e-9;
  return work * unit_scale(unit) / dt;
}

static uint64_t calibrate(double (*fn)(void *, uint64_t), void *st, double target_s, bool wall) {
  uint64_t iters = 1;
  for (;;) {
    double t0 = now_s(wall);
    if (fn(st, iters) < 0) return 0;
    double dt = now_s(wall) - t0;
    if (dt >= target_s || iters >= (1ull << 40)) {
      return iters;
    }
    if (dt < target_s / 64) {
      iters *= 16;
    } else {
      double scaled = (double)iters * target_s / dt;
      iters = (uint64_t)scaled + 1;
    }
  }
}

struct result {
  double rtg, base, ratio;
  int failed;
};

static struct result run_case(const struct rtg_bench_case *c, int rounds, bool wall) {
  struct result r = {0, 0, 0, 1};
  void *st = c->setup ? c->setup() : NULL;
  double *a = calloc((size_t)rounds, sizeof *a), *b = calloc((size_t)rounds, sizeof *b);
  uint64_t ia, ib;
  if ((c->setup && st == NULL) || a == NULL || b == NULL) goto out;
  ia = calibrate(c->run_rtg, st, 0.04, wall);
  ib = calibrate(c->run_base, st, 0.04, wall);
  if (ia == 0 || ib == 0) goto out;
  for (int i = 0; i < rounds; i++) {
    /* alternate which side goes first so neither always gets a warm cache */
    if (i % 2 == 0) {
      a[i] = timed(c->run_rtg, st, ia, c->unit, wall);
      b[i] = timed(c->run_base, st, ib, c->unit, wall);
    } else {
      b[i] = timed(c->run_base, st, ib, c->unit, wall);
      a[i] = timed(c->run_rtg, st, ia, c->unit, wall);
    }
    if (a[i] < 0 || b[i] < 0) goto out;
  }
  r.rtg = median(a, rounds);
  r.base = median(b, rounds);
  r.ratio = r.base > 0 ? r.rtg / r.base : 0;
  r.failed = 0;
out:
  free(a);
  free(b);
  if (c->teardown) c->teardown(st);
  return r;
}

static void bench_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate bench [NAME...] [--json] [--rounds N] [--no-limit] [--list]\n\n"
          "Measures rtcgate against its baseline library in the same process,\n"
          "alternating rounds, and prints medians and ratio = rtcgate/baseline\n"
          "(ratio > 1: rtcgate is faster). Build with 'make build' (release,\n"
          "-O3) for meaningful numbers. With no NAME every benchmark runs.\n\n"
          "options:\n"
          "  --json       one JSON document per benchmark:\n"
          "               {\"bench\": NAME, \"results\": [{\"case\", \"unit\", \"rtcgate\",\n"
          "                \"baseline\", \"baseline_name\", \"ratio\", \"limit\"}]}\n"
          "  --rounds N   rounds per case (default 7, odd numbers give a true median)\n"
          "  --list       list benchmarks\n"
          "  --no-limit   report ratios under a case's limit but do not fail on them\n"
          "               (for sanitizer or debug builds, whose figures mean little)\n\n"
          "exit: 0 ok, 1 a case failed or fell under its ratio limit, 2 usage error\n\n"
          "benchmarks:\n");
  for (size_t i = 0; i < N_BENCHES; i++)
    fprintf(out, "  %-10s %s\n", benches[i]->name, benches[i]->summary);
}

static int run_bench(const struct rtg_bench *b, int rounds, int json, int no_limit) {
  int bad = 0;
  json_t *res = json_array();
  if (!json) {
    printf("bench %s (%d rounds, median, %s time)\n", b->name, rounds,
           b->wall_clock ? "wall-clock" : "CPU");
    printf("  %-28s %14s %14s  %-22s %7s\n", "case", "rtcgate", "baseline", "baseline name",
           "ratio");
  }
  for (size_t i = 0; i < b->ncases; i++) {
    const struct rtg_bench_case *c = &b->cases[i];
    struct result r = run_case(c, rounds, b->wall_clock);
    int under = !r.failed && c->limit > 0 && r.ratio < c->limit;
    json_t *o = json_object();
    if (r.failed || (under && !no_limit)) bad = 1;
    json_object_set_new(o, "case", json_string(c->name));
    json_object_set_new(o, "unit", json_string(c->unit));
    json_object_set_new(o, "rtcgate", r.failed ? json_null() : json_real(r.rtg));
    json_object_set_new(o, "baseline", r.failed ? json_null() : json_real(r.base));
    json_object_set_new(o, "baseline_name", json_string(c->baseline_name));
    json_object_set_new(o, "ratio", r.failed ? json_null() : json_real(r.ratio));
    json_object_set_new(o, "limit", c->limit > 0 ? json_real(c->limit) : json_null());
    if (r.failed) json_object_set_new(o, "error", json_string("case failed (setup or run)"));
    json_array_append_new(res, o);
    if (!json) {
      if (r.failed)
        printf("  %-28s FAILED (setup or correctness check)\n", c->name);
      else
        printf("  %-28s %9.1f %-4s %9.1f %-4s  %-22s %6.2fx%s\n", c->name, r.rtg, c->unit, r.base,
               c->unit, c->baseline_name, r.ratio, under ? "  UNDER LIMIT" : "");
      fflush(stdout);
    }
  }
  if (json) {
    json_t *doc = json_object();
    json_object_set_new(doc, "bench", json_string(b->name));
    json_object_set_new(doc, "clock", json_string(b->wall_clock ? "wall" : "cpu"));
    json_object_set_new(doc, "results", res);
    json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(doc);
  } else {
    json_decref(res);
  }
  return bad;
}

int rtg_cmd_bench(int argc, char **argv) {
  static const struct option longopts[] = {
      {"json", no_argument, NULL, 'j'}, {"rounds", required_argument, NULL, 'r'},
      {"list", no_argument, NULL, 'l'}, {"no-limit", no_argument, NULL, 'n'},
      {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int json = 0, rounds = 7, c, bad = 0, no_limit = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'j': json = 1; break;
      case 'n': no_limit = 1; break;
      case 'r':
        rounds = atoi(optarg);
        if (rounds < 1 || rounds > 1000) {
          rtg_cli_err("bench", "--rounds must be 1..1000, not '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        break;
      case 'l':
        for (size_t i = 0; i < N_BENCHES; i++)
          printf("%-10s %s\n", benches[i]->name, benches[i]->summary);
        return RTG_EXIT_OK;
      case 'h': bench_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("bench", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  for (int i = optind; i < argc; i++) {
    int found = 0;
    for (size_t k = 0; k < N_BENCHES; k++)
      if (strcmp(argv[i], benches[k]->name) == 0) found = 1;
    if (!found) {
      rtg_cli_err("bench", "unknown benchmark '%s' (see 'rtcgate bench --list')", argv[i]);
      return RTG_EXIT_USAGE;
    }
  }
  for (size_t k = 0; k < N_BENCHES; k++) {
    int chosen = optind == argc;
    for (int i = optind; i < argc; i++)
      if (strcmp(argv[i], benches[k]->name) == 0) chosen = 1;
    if (chosen) bad |= run_bench(benches[k], rounds, json, no_limit);
  }
  return bad ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
}
