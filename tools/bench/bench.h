/*
 * bench.h - the benchmark convention of `rtcgate bench NAME [--json]`.
 *
 * A benchmark is a set of cases; each case measures rtcgate and its baseline
 * (an oracle library: libsrtp2, usrsctp, libnice, OpenSSL, zlib) in the SAME
 * process, alternately, over several rounds, and reports medians. Throughput
 * units ("MB/s", "ops/s", "packets/s") are higher-is-better, so
 * ratio = rtcgate / baseline and a ratio > 1 means rtcgate is faster.
 *
 * Adding a benchmark = adding tools/bench/<name>.c defining
 *   const struct rtg_bench rtg_bench_<name> = {...};
 * (files starting with '_' are helpers, not benchmarks).
 */
#ifndef RTG_BENCH_H
#define RTG_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rtg_bench_case {
  const char *name;          /* "crc32c-1200B" */
  const char *unit;          /* "MB/s", "ops/s", ... */
  const char *baseline_name; /* "usrsctp_crc32c" */
  double limit;              /* minimum acceptable ratio, 0 = none */
  /* Set up shared state (keys, buffers); NULL return = setup failed. */
  void *(*setup)(void);
  void (*teardown)(void *st);
  /* Run |iters| operations; return the amount of work done in |unit|
   * before scaling by time (bytes for MB/s, operations for ops/s), or a
   * negative value on failure (a correctness failure aborts the bench). */
  double (*run_rtg)(void *st, uint64_t iters);
  double (*run_base)(void *st, uint64_t iters);
};

struct rtg_bench {
  const char *name;
  const char *summary;
  const struct rtg_bench_case *cases;
  size_t ncases;
  /* Time with the wall clock (latency benchmarks that wait on other
   * processes, e.g. interop) instead of CPU time (process + waited-for
   * children), the default that keeps ratios steady on a busy machine. */
  bool wall_clock;
};

#endif
