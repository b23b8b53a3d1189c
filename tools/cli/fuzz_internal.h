/*
 * fuzz_internal.h - pieces shared by `rtcgate fuzz` (cmd_fuzz.c: options,
 * campaigns, summary), its crash triage (fuzz_triage.c), regression mode
 * (fuzz_regress.c), coverage mode (fuzz_cov.c) and `rtcgate corpus`
 * (cmd_corpus.c). Helpers in fuzz_util.c.
 */
#ifndef RTG_CLI_FUZZ_INTERNAL_H
#define RTG_CLI_FUZZ_INTERNAL_H

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FZ_MAX_TARGETS 256
#define FZ_NAME_MAX 96
#define FZ_MAX_FRAMES 8
#define FZ_DEFAULT_TIMEOUT 25 /* seconds per input, as OSS-Fuzz */

struct fz_opts {
  const char *src;           /* source tree (corpora, fuzz/<target>.options) */
  char build_dir[PATH_MAX];  /* explicit --build-dir, or "" for the default */
  char corpus_dir[PATH_MAX]; /* seed corpora root: DIR/<target> */
  char out[PATH_MAX];        /* working / output directory */
  long long ms;              /* per-target budget */
  long long minimize_ms;     /* per-finding minimisation budget */
  long long progress_ms;     /* period of progress lines when not a TTY */
  int jobs;                  /* concurrent fuzzing processes */
  int frames;                /* top frames used for deduplication */
  bool merge, json, no_build, quiet;
};

/* One finding after triage: a unique (target, signature) pair. */
struct fz_finding {
  char target[FZ_NAME_MAX];
  char hash[17];
  char kind[96];
  char frames[FZ_MAX_FRAMES][128];
  int nframes;
  char dir[PATH_MAX];    /* OUT/crashes/<target>/<hash> */
  char source[PATH_MAX]; /* artifact or corpus file it came from */
  size_t size, orig_size;
  int duplicates; /* artifacts with the same signature (including this one) */
  bool reproduced, minimised;
};

struct fz_findings {
  struct fz_finding *v;
  size_t n, cap;
};

/* What a sanitizer / libFuzzer report says. */
struct fz_report {
  bool crashed; /* any error report */
  char kind[96];
  char frames[FZ_MAX_FRAMES][128];
  int nframes;
  char hash[17];
};

/* ---- fuzz_util.c ---- */
/* snprintf that returns -1 when the result was cut (paths get long). */
int fz_fmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Set by the SIGINT/SIGTERM handler: the number of interrupts received. */
extern volatile sig_atomic_t fz_interrupted;
void fz_install_signals(void);
long long fz_now_ms(void);
int fz_mkdir_p(const char *path);
bool fz_is_dir(const char *path);
bool fz_is_exec(const char *path);
long long fz_file_size(const char *path);
/* Sorted regular files under |dir| (recursive when |recursive|), skipping
 * dot files and README.md. Returns the count (0 if missing); *out is a
 * malloc'd array of malloc'd paths (free with fz_free_list). */
size_t fz_list_files(const char *dir, bool recursive, char ***out);
void fz_free_list(char **v, size_t n);
int fz_copy_file(const char *from, const char *to);
/* Spawns argv[0] in its own process group with stdout and stderr to |log|
 * (NULL: /dev/null), UBSan stack traces on, plus optional "K=V" |env|
 * entries. Returns the pid or -1. */
pid_t fz_spawn(char *const argv[], const char *log, const char *const env[]);
/* fz_spawn and wait, killing the group after |timeout_ms| (0: none) or on a
 * second interrupt. Returns the exit code, 128+signal, or -1. */
int fz_run(char *const argv[], const char *log, const char *const env[], long long timeout_ms);
/* The same with stderr to |err_log| (NULL: into |log| too). */
pid_t fz_spawn_split(char *const argv[], const char *log, const char *err_log,
                     const char *const env[]);
int fz_run_split(char *const argv[], const char *log, const char *err_log, const char *const env[],
                 long long timeout_ms);
/* Reads "key = value" from SRC/fuzz/<target>.options (libFuzzer section
 * headers and comments skipped) into "-key=value" strings (dict made
 * absolute; fuzz/<target>.dict used when no dict is named; -timeout=25
 * unless a timeout is given). */
int fz_load_options(const char *src, const char *target, char args[][PATH_MAX + 16], int max);
/* Hex SHA-1 / 16-hex SHA-256 prefix of a buffer (NUL-terminated output). */
void fz_sha1_hex(const void *data, size_t len, char out[41]);
void fz_sig_hash(const char *s, char out[17]);
void fz_findings_add(struct fz_findings *f, const struct fz_finding *x);
json_t *fz_finding_json(const struct fz_finding *x);
void fz_print_findings(const struct fz_findings *f);

/* ---- fuzz_triage.c ---- */
/* Parses a sanitizer / libFuzzer log into |r| (top |frames| frames). */
void fz_parse_report(const char *log, int frames, struct fz_report *r);
/* Reproduces, deduplicates and minimises every artifact in |artifact_dir|
 * of |target| (libFuzzer binary |bin|), writing OUT/crashes/<target>/<hash>/
 * and appending unique findings to |f|. Returns the number added. */
int fz_triage(const struct fz_opts *o, const char *target, const char *bin,
              const char *artifact_dir, struct fz_findings *f);

/* Records one crashing |input| (report already parsed from |log|) as
 * OUT/crashes/<target>/<hash>/ unless |f| has that signature already.
 * Returns 1 when added, 0 for a duplicate, -1 on error. */
int fz_record_finding(const struct fz_opts *o, const char *target, const char *bin,
                      const char *input, const char *log, const struct fz_report *r,
                      struct fz_findings *f);

/* ---- fuzz_regress.c / fuzz_cov.c ---- */
int fz_regress(const struct fz_opts *o, char **targets, size_t n);
int fz_coverage(const struct fz_opts *o, char **targets, size_t n);

#endif
