/*
 * fuzz_triage.c - crash triage for `rtcgate fuzz`: every artifact libFuzzer
 * left (crash-*, leak-*, timeout-*, oom-*) is reproduced, its sanitizer
 * report reduced to a signature (kind + top N frames of the first stack,
 * runtime frames skipped), artifacts with one signature grouped, the
 * smallest of each group minimised with -minimize_crash=1 (bounded by time;
 * kept only if it still gives the same signature), and written to
 * OUT/crashes/<target>/<hash>/{input,report.txt}.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fuzz_internal.h"

/* At most this many artifacts are reproduced per target: fork mode with
 * -ignore_crashes can leave hundreds that are all the same bug. */
#define TRIAGE_MAX_ARTIFACTS 64

/* Frames that say nothing about the bug: sanitizer and libFuzzer runtime,
 * libc, allocation and signal plumbing. */
static bool skip_frame(const char *fn) {
  static const char *const prefixes[] = {
      "__asan",   "__sanitizer", "__interceptor", "__ubsan",  "__lsan",        "fuzzer::",
      "__libc_",  "__GI_",       "__pthread",     "_start",   "abort",         "raise",
      "malloc",   "calloc",      "realloc",       "free",     "operator new",  "operator delete",
      "__memcpy", "__memmove",   "__memset",      "__strlen", "___interceptor"};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
    if (strncmp(fn, prefixes[i], strlen(prefixes[i])) == 0) return true;
  return strcmp(fn, "memcpy") == 0 || strcmp(fn, "memmove") == 0 || strcmp(fn, "memset") == 0 ||
         strcmp(fn, "memcmp") == 0 || strcmp(fn, "bcmp") == 0 || strcmp(fn, "strlen") == 0 ||
         strcmp(fn, "pthread_kill") == 0 || strcmp(fn, "gsignal") == 0;
}

/* Stores the kind with addresses ("0x6020000035") removed: they change
 * from run to run and would split one bug into many signatures. */
static void set_kind(struct fz_report *r, const char *k) {
  size_t o = 0;
  if (r->kind[0] == '\0') {
    for (size_t i = 0; k[i] && o + 1 < sizeof r->kind; i++) {
      if (k[i] == '0' && k[i + 1] == 'x') {
        while (isxdigit((unsigned char)k[i + 2])) i++;
        i++;
        continue;
      }
      r->kind[o++] = k[i];
    }
    r->kind[o] = '\0';
  }
  r->crashed = true;
}

/* "ERROR: AddressSanitizer: heap-buffer-overflow on address ..." -> the
 * word after the colon; READ/WRITE from the following line is appended. */
static void kind_after(struct fz_report *r, const char *p) {
  char k[64];
  size_t n = 0;
  while (*p == ' ') p++;
  while (p[n] && !isspace((unsigned char)p[n]) && n < sizeof k - 1) {
    k[n] = p[n];
    n++;
  }
  k[n] = '\0';
  set_kind(r, n ? k : "sanitizer error");
}

void fz_parse_report(const char *log, int frames, struct fz_report *r) {
  FILE *f = fopen(log, "r");
  char line[2048], sig[2048], ubloc[160] = "";
  bool in_stack = false, stack_done = false, kind_rw = false;
  memset(r, 0, sizeof *r);
  if (frames > FZ_MAX_FRAMES) frames = FZ_MAX_FRAMES;
  if (f == NULL) return;
  while (fgets(line, sizeof line, f)) {
    char *p;
    int num;
    char fn[256];
    if ((p = strstr(line, "ERROR: AddressSanitizer: "))) {
      kind_after(r, p + 25);
      kind_rw = true;
    } else if ((p = strstr(line, "ERROR: LeakSanitizer: "))) {
      set_kind(r, "memory leak");
    } else if ((p = strstr(line, "ERROR: libFuzzer: "))) {
      p += 18;
      if (strncmp(p, "timeout", 7) == 0)
        set_kind(r, "timeout");
      else if (strncmp(p, "out-of-memory", 13) == 0)
        set_kind(r, "out-of-memory");
      else if (strncmp(p, "deadly signal", 13) == 0)
        set_kind(r, "deadly signal");
      else
        kind_after(r, p);
    } else if ((p = strstr(line, ": runtime error: "))) {
      /* UBSan: "file:line:col: runtime error: signed integer overflow: ..." */
      char k[96];
      size_t n = strcspn(p + 17, ":\n");
      const char *slash;
      if (n >= sizeof k - 8) n = sizeof k - 8;
      fz_fmt(k, sizeof k, "ubsan: %.*s", (int)n, p + 17);
      set_kind(r, k);
      *p = '\0';
      slash = strrchr(line, '/');
      fz_fmt(ubloc, sizeof ubloc, "%s", slash ? slash + 1 : line);
    } else if (kind_rw && (strncmp(line, "READ of size", 12) == 0 ||
                           strncmp(line, "WRITE of size", 13) == 0)) {
      size_t l = strlen(r->kind);
      fz_fmt(r->kind + l, sizeof r->kind - l, " %s", line[0] == 'R' ? "READ" : "WRITE");
      kind_rw = false;
    }
    if (stack_done || !r->crashed) continue;
    /* "    #3 0x55d0 in func_name /path/file.c:12:5" */
    if (sscanf(line, " #%d 0x%*x in %255s", &num, fn) == 2) {
      if (num == 0 && in_stack) {
        stack_done = true; /* the second stack (allocation, free) */
        continue;
      }
      in_stack = true;
      if (skip_frame(fn)) continue;
      if (strcmp(fn, "main") == 0) {
        stack_done = true;
        continue;
      }
      if (r->nframes < frames) fz_fmt(r->frames[r->nframes++], sizeof r->frames[0], "%s", fn);
      /* Frames below the entry point belong to the driver (libFuzzer or
       * the standalone one): leaving them out makes signatures the same
       * for both. */
      if (strcmp(fn, "LLVMFuzzerTestOneInput") == 0) stack_done = true;
    } else if (in_stack && strspn(line, " \t\n") == strlen(line)) {
      stack_done = true;
    }
  }
  fclose(f);
  if (!r->crashed) return;
  if (r->nframes == 0 && ubloc[0])
    fz_fmt(r->frames[r->nframes++], sizeof r->frames[0], "%s", ubloc);
  fz_fmt(sig, sizeof sig, "%s", r->kind);
  for (int i = 0; i < r->nframes; i++) {
    size_t l = strlen(sig);
    fz_fmt(sig + l, sizeof sig - l, "|%s", r->frames[i]);
  }
  fz_sig_hash(sig, r->hash);
}

static int reproduce(const struct fz_opts *o, const char *target, const char *bin,
                     const char *input, const char *log, struct fz_report *r) {
  char opt[8][PATH_MAX + 16], *argv[16];
  int n = 0, nopt = fz_load_options(o->src, target, opt, 8), rc;
  argv[n++] = (char *)bin;
  for (int i = 0; i < nopt; i++)
    if (strncmp(opt[i], "-dict=", 6) != 0) argv[n++] = opt[i];
  argv[n++] = (char *)input;
  argv[n] = NULL;
  rc = fz_run(argv, log, NULL, 120000);
  fz_parse_report(log, o->frames, r);
  if (!r->crashed && rc != 0 && rc != 72) {
    /* Died without a report we understand (e.g. killed): still a finding. */
    char k[64];
    fz_fmt(k, sizeof k, "exit status %d", rc);
    set_kind(r, k);
    fz_sig_hash(k, r->hash);
  }
  return rc;
}

static void write_report(const struct fz_finding *x, const char *bin, const char *log,
                         char **members, size_t nmembers) {
  char path[PATH_MAX + 16], line[2048];
  FILE *out, *in;
  fz_fmt(path, sizeof path, "%s/report.txt", x->dir);
  out = fopen(path, "w");
  if (out == NULL) return;
  fprintf(out, "target:     %s\nkind:       %s\nsignature:  %s\nframes:    ", x->target, x->kind,
          x->hash);
  for (int i = 0; i < x->nframes; i++)
    fprintf(out, " %s%s", x->frames[i], i + 1 < x->nframes ? " <-" : "");
  fprintf(out, "\ninput:      %s/input (%zu bytes%s, from %zu bytes)\n", x->dir, x->size,
          x->minimised ? ", minimised" : "", x->orig_size);
  fprintf(out, "reproduced: %s\n", x->reproduced ? "yes" : "NO (flaky or environment-dependent)");
  fprintf(out, "reproduce:  %s %s/input\n", bin, x->dir);
  fprintf(out, "regression: cp %s/input corpora/%s/regressions/%s\n", x->dir, x->target, x->hash);
  fprintf(out, "artifacts:  %zu with this signature\n", nmembers);
  for (size_t i = 0; i < nmembers; i++) fprintf(out, "  %s\n", members[i]);
  fprintf(out, "\n---- sanitizer report ----\n");
  in = fopen(log, "r");
  while (in != NULL && fgets(line, sizeof line, in)) fputs(line, out);
  if (in != NULL) fclose(in);
  fclose(out);
}

static bool is_artifact(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  return strncmp(b, "crash-", 6) == 0 || strncmp(b, "leak-", 5) == 0 ||
         strncmp(b, "timeout-", 8) == 0 || strncmp(b, "oom-", 4) == 0;
}

struct member {
  char *path;
  long long size;
  struct fz_report rep;
  int rc;
};

static int cmp_member(const void *a, const void *b) {
  const struct member *x = a, *y = b;
  if (x->size != y->size) return x->size < y->size ? -1 : 1;
  return strcmp(x->path, y->path);
}

int fz_triage(const struct fz_opts *o, const char *target, const char *bin,
              const char *artifact_dir, struct fz_findings *f) {
  char **files, tmp[PATH_MAX + 64], log[PATH_MAX + 64];
  size_t nfiles = fz_list_files(artifact_dir, false, &files), nm = 0;
  struct member *m;
  int added = 0;
  if (nfiles == 0) return 0;
  m = calloc(nfiles, sizeof *m);
  if (m == NULL) {
    fz_free_list(files, nfiles);
    return 0;
  }
  for (size_t i = 0; i < nfiles; i++) {
    if (!is_artifact(files[i])) continue;
    m[nm].path = files[i];
    m[nm].size = fz_file_size(files[i]);
    nm++;
  }
  qsort(m, nm, sizeof *m, cmp_member); /* smallest first: best representative */
  fz_fmt(tmp, sizeof tmp, "%s/tmp/%s", o->out, target);
  fz_mkdir_p(tmp);
  fz_fmt(log, sizeof log, "%s/repro.log", tmp);
  for (size_t i = 0; i < nm && i < TRIAGE_MAX_ARTIFACTS && fz_interrupted < 2; i++) {
    m[i].rc = reproduce(o, target, bin, m[i].path, log, &m[i].rep);
    if (!m[i].rep.crashed) {
      const char *b = strrchr(m[i].path, '/');
      b = b ? b + 1 : m[i].path;
      /* Keep the libFuzzer kind from the file name when it no longer fails. */
      fz_fmt(m[i].rep.kind, sizeof m[i].rep.kind, "unreproducible %.*s", (int)strcspn(b, "-"), b);
      fz_sig_hash(m[i].rep.kind, m[i].rep.hash);
    }
  }
  if (nm > TRIAGE_MAX_ARTIFACTS) {
    if (!o->quiet)
      fprintf(stderr, "rtcgate fuzz: %s: %zu artifacts, only the %d smallest triaged\n", target, nm,
              TRIAGE_MAX_ARTIFACTS);
    nm = TRIAGE_MAX_ARTIFACTS;
  }
  for (size_t i = 0; i < nm; i++) {
    struct fz_finding x;
    char *members[TRIAGE_MAX_ARTIFACTS], input[PATH_MAX + 16], minp[PATH_MAX + 64];
    size_t nmem = 0;
    bool seen = false;
    for (size_t k = 0; k < i; k++)
      if (strcmp(m[k].rep.hash, m[i].rep.hash) == 0) seen = true;
    if (seen) continue;
    for (size_t k = i; k < nm; k++)
      if (strcmp(m[k].rep.hash, m[i].rep.hash) == 0) members[nmem++] = m[k].path;
    memset(&x, 0, sizeof x);
    fz_fmt(x.target, sizeof x.target, "%s", target);
    fz_fmt(x.hash, sizeof x.hash, "%s", m[i].rep.hash);
    fz_fmt(x.kind, sizeof x.kind, "%s", m[i].rep.kind);
    x.nframes = m[i].rep.nframes;
    memcpy(x.frames, m[i].rep.frames, sizeof x.frames);
    fz_fmt(x.source, sizeof x.source, "%s", m[i].path);
    x.orig_size = (size_t)m[i].size;
    x.size = x.orig_size;
    x.duplicates = (int)nmem;
    x.reproduced = m[i].rep.crashed;
    fz_fmt(x.dir, sizeof x.dir, "%s/crashes/%s/%s", o->out, target, x.hash);
    if (fz_mkdir_p(x.dir)) {
      rtg_cli_err("fuzz", "cannot create %s: %s", x.dir, strerror(errno));
      continue;
    }
    fz_fmt(input, sizeof input, "%s/input", x.dir);
    fz_copy_file(m[i].path, input);
    /* Minimise: libFuzzer shrinks the input while it still crashes; the
     * result is kept only if it still shows the same bug. Timeouts and
     * OOMs are too slow to minimise within a short budget. */
    fz_fmt(minp, sizeof minp, "%s/min", tmp);
    unlink(minp);
    if (x.reproduced && x.size > 1 && o->minimize_ms > 0 && strcmp(x.kind, "timeout") != 0 &&
        strcmp(x.kind, "out-of-memory") != 0 && fz_interrupted == 0) {
      char tt[64], ex[PATH_MAX + 96], mlog[PATH_MAX + 64], *argv[8];
      struct fz_report mr;
      int n = 0;
      fz_fmt(tt, sizeof tt, "-max_total_time=%lld", (o->minimize_ms + 999) / 1000);
      fz_fmt(ex, sizeof ex, "-exact_artifact_path=%s", minp);
      fz_fmt(mlog, sizeof mlog, "%s/minimize.log", tmp);
      argv[n++] = (char *)bin;
      argv[n++] = "-minimize_crash=1";
      argv[n++] = tt;
      argv[n++] = ex;
      argv[n++] = m[i].path;
      argv[n] = NULL;
      fz_run(argv, mlog, NULL, o->minimize_ms + 30000);
      if (fz_file_size(minp) > 0 && (size_t)fz_file_size(minp) < x.size) {
        reproduce(o, target, bin, minp, log, &mr);
        if (mr.crashed && strcmp(mr.hash, x.hash) == 0) {
          fz_copy_file(minp, input);
          x.size = (size_t)fz_file_size(minp);
          x.minimised = true;
        }
      }
    }
    /* The report shows the run of the input that is kept. */
    {
      struct fz_report fr;
      reproduce(o, target, bin, input, log, &fr);
    }
    write_report(&x, bin, log, members, nmem);
    fz_findings_add(f, &x);
    added++;
  }
  free(m);
  fz_free_list(files, nfiles);
  return added;
}

int fz_record_finding(const struct fz_opts *o, const char *target, const char *bin,
                      const char *input, const char *log, const struct fz_report *r,
                      struct fz_findings *f) {
  struct fz_finding x;
  char dst[PATH_MAX + 16], *members[1];
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->v[i].target, target) == 0 && strcmp(f->v[i].hash, r->hash) == 0) {
      f->v[i].duplicates++;
      return 0;
    }
  memset(&x, 0, sizeof x);
  fz_fmt(x.target, sizeof x.target, "%s", target);
  fz_fmt(x.hash, sizeof x.hash, "%s", r->hash);
  fz_fmt(x.kind, sizeof x.kind, "%s", r->kind);
  x.nframes = r->nframes;
  memcpy(x.frames, r->frames, sizeof x.frames);
  fz_fmt(x.source, sizeof x.source, "%s", input);
  x.size = x.orig_size = (size_t)fz_file_size(input);
  x.duplicates = 1;
  x.reproduced = r->crashed;
  fz_fmt(x.dir, sizeof x.dir, "%s/crashes/%s/%s", o->out, target, x.hash);
  if (fz_mkdir_p(x.dir)) return -1;
  fz_fmt(dst, sizeof dst, "%s/input", x.dir);
  fz_copy_file(input, dst);
  members[0] = (char *)input;
  write_report(&x, bin, log, members, 1);
  fz_findings_add(f, &x);
  return 1;
}
