/*
 * fuzz_cov.c - `rtcgate fuzz --coverage`: builds the `coverage` preset
 * (clang source-based coverage; standalone drivers in fuzz-regress/), runs
 * each target over its seed corpus (plus OUT/corpus/<target> grown by
 * earlier campaigns), merges the raw profiles with llvm-profdata-14 and
 * writes per target, restricted to stack/:
 *   OUT/coverage/<target>/summary.txt   llvm-cov-14 report (line/branch/function %)
 *   OUT/coverage/<target>/html/         llvm-cov-14 show -format=html
 * and, over all targets together, OUT/coverage/all/ with per-module totals.
 * The tool names can be overridden with LLVM_PROFDATA and LLVM_COV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fuzz_internal.h"

#define MAX_MODULES 32

struct cov_tot {
  long long lines, lines_cov, br, br_cov, fn, fn_cov;
};

struct cov_mod {
  char name[32];
  struct cov_tot t;
};

static double pct(long long a, long long b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static const char *tool(const char *env, const char *def) {
  const char *v = getenv(env);
  return v && *v ? v : def;
}

/* Module of a source file: stack/<module>/... or stack/include/rtg/<module>.h */
static void module_of(const char *src, const char *file, char *out, size_t cap) {
  char pre[PATH_MAX + 16];
  const char *p;
  size_t n;
  fz_fmt(pre, sizeof pre, "%s/stack/", src);
  p = strncmp(file, pre, strlen(pre)) == 0 ? file + strlen(pre) : file;
  if (strncmp(p, "include/rtg/", 12) == 0) {
    p += 12;
    n = strcspn(p, ".");
  } else {
    n = strcspn(p, "/");
  }
  fz_fmt(out, cap, "%.*s", (int)n, p);
}

static void add_tot(struct cov_tot *t, json_t *summary) {
  json_t *l = json_object_get(summary, "lines"), *b = json_object_get(summary, "branches"),
         *f = json_object_get(summary, "functions");
  t->lines += json_integer_value(json_object_get(l, "count"));
  t->lines_cov += json_integer_value(json_object_get(l, "covered"));
  t->br += json_integer_value(json_object_get(b, "count"));
  t->br_cov += json_integer_value(json_object_get(b, "covered"));
  t->fn += json_integer_value(json_object_get(f, "count"));
  t->fn_cov += json_integer_value(json_object_get(f, "covered"));
}

/* Runs llvm-cov export -summary-only and sums totals and per-module. */
static int read_export(const struct fz_opts *o, char **argv, const char *jpath, struct cov_tot *tot,
                       struct cov_mod *mods, int *nmods) {
  json_t *root, *files;
  json_error_t err;
  size_t i;
  json_t *fv;
  char errp[PATH_MAX + 16];
  /* stderr apart: llvm-cov warns ("functions have mismatched data") when
   * binaries share code, and the JSON must stay parseable. */
  fz_fmt(errp, sizeof errp, "%s.log", jpath);
  if (fz_run_split(argv, jpath, errp, NULL, 300000) != 0) return -1;
  root = json_load_file(jpath, 0, &err);
  if (root == NULL) return -1;
  files = json_object_get(json_array_get(json_object_get(root, "data"), 0), "files");
  json_array_foreach(files, i, fv) {
    const char *fn = json_string_value(json_object_get(fv, "filename"));
    json_t *s = json_object_get(fv, "summary");
    char m[32];
    int k;
    if (fn == NULL) continue;
    add_tot(tot, s);
    if (mods == NULL) continue;
    module_of(o->src, fn, m, sizeof m);
    for (k = 0; k < *nmods; k++)
      if (strcmp(mods[k].name, m) == 0) break;
    if (k == *nmods) {
      if (*nmods == MAX_MODULES) continue;
      memset(&mods[k], 0, sizeof mods[k]);
      fz_fmt(mods[k].name, sizeof mods[k].name, "%s", m);
      (*nmods)++;
    }
    add_tot(&mods[k].t, s);
  }
  json_decref(root);
  return 0;
}

static int build(const struct fz_opts *o, const char *bdir, char **targets, size_t n) {
  char log[PATH_MAX + 64], **argv = calloc(n + 16, sizeof *argv), (*names)[FZ_NAME_MAX + 8];
  int k = 0, rc;
  names = calloc(n, sizeof *names);
  if (argv == NULL || names == NULL) {
    free(argv);
    free(names);
    return -1;
  }
  fz_fmt(log, sizeof log, "%s/logs/coverage-build.log", o->out);
  argv[k++] = (char *)tool("CMAKE", "cmake");
  argv[k++] = "-S";
  argv[k++] = (char *)o->src;
  argv[k++] = "--preset";
  argv[k++] = "coverage";
  argv[k++] = "-B";
  argv[k++] = (char *)bdir;
  argv[k] = NULL;
  if (!o->quiet) fprintf(stderr, "rtcgate fuzz: configuring the coverage build in %s\n", bdir);
  rc = fz_run(argv, log, NULL, 600000);
  if (rc == 0) {
    k = 0;
    argv[k++] = (char *)tool("CMAKE", "cmake");
    argv[k++] = "--build";
    argv[k++] = (char *)bdir;
    argv[k++] = "-j2";
    argv[k++] = "--target";
    for (size_t i = 0; i < n; i++) {
      fz_fmt(names[i], sizeof names[i], "regress_%s", targets[i]);
      argv[k++] = names[i];
    }
    argv[k] = NULL;
    if (!o->quiet)
      fprintf(stderr, "rtcgate fuzz: building %zu coverage target%s\n", n, n == 1 ? "" : "s");
    fz_fmt(log, sizeof log, "%s/logs/coverage-build-2.log", o->out);
    rc = fz_run(argv, log, NULL, 3600000);
  }
  if (rc != 0) rtg_cli_err("fuzz", "coverage build failed (exit %d), see %s", rc, log);
  free(argv);
  free(names);
  return rc == 0 ? 0 : -1;
}

struct tres {
  struct cov_tot t;
  bool ok;
  bool crashed;
  size_t inputs;
};

int fz_coverage(const struct fz_opts *o, char **targets, size_t n) {
  char bdir[PATH_MAX], stack[PATH_MAX + 16], allprof[PATH_MAX + 160];
  struct tres *res = calloc(n, sizeof *res);
  struct cov_mod mods[MAX_MODULES];
  struct cov_tot all = {0, 0, 0, 0, 0, 0};
  int nmods = 0, errors = 0;
  char **profs = calloc(n + 8, sizeof *profs), **objs = calloc(2 * n + 16, sizeof *objs);
  size_t nprofs = 0;
  if (res == NULL || profs == NULL || objs == NULL) return RTG_EXIT_USAGE;
  if (o->build_dir[0])
    fz_fmt(bdir, sizeof bdir, "%s", o->build_dir);
  else
    fz_fmt(bdir, sizeof bdir, "%s/build-coverage", o->src);
  fz_fmt(stack, sizeof stack, "%s/stack", o->src);
  if (!o->no_build && build(o, bdir, targets, n)) {
    free(res);
    free(profs);
    free(objs);
    return RTG_EXIT_USAGE;
  }
  fz_install_signals();
  for (size_t i = 0; i < n && !fz_interrupted; i++) {
    char bin[PATH_MAX + 128], dir[PATH_MAX + 128], prof[PATH_MAX + 160], envp[PATH_MAX + 200],
        corpus[PATH_MAX + 128], grown[PATH_MAX + 128], log[PATH_MAX + 160], html[PATH_MAX + 160],
        sum[PATH_MAX + 160], jpath[PATH_MAX + 160], ip[PATH_MAX + 200], od[PATH_MAX + 200], **raw,
        **argv;
    const char *env[2];
    size_t nraw, k = 0;
    int rc;
    fz_fmt(bin, sizeof bin, "%s/fuzz-regress/%s", bdir, targets[i]);
    if (!fz_is_exec(bin)) {
      rtg_cli_err("fuzz",
                  "%s: no coverage binary at %s; build it with: cmake --preset coverage "
                  "-B %s && cmake --build %s --target regress_%s",
                  targets[i], bin, bdir, bdir, targets[i]);
      errors++;
      continue;
    }
    fz_fmt(dir, sizeof dir, "%s/coverage/%s", o->out, targets[i]);
    fz_mkdir_p(dir);
    nraw = fz_list_files(dir, false, &raw); /* old raw profiles would skew it */
    for (size_t r = 0; r < nraw; r++)
      if (strstr(raw[r], ".profraw")) unlink(raw[r]);
    fz_free_list(raw, nraw);
    fz_fmt(envp, sizeof envp, "LLVM_PROFILE_FILE=%s/%%p.profraw", dir);
    env[0] = envp;
    env[1] = NULL;
    fz_fmt(corpus, sizeof corpus, "%s/%s", o->corpus_dir, targets[i]);
    fz_fmt(grown, sizeof grown, "%s/corpus/%s", o->out, targets[i]);
    {
      /* Seeds plus what campaigns added under OUT/corpus/<target>. */
      char **cf;
      size_t nc = fz_list_files(corpus, true, &cf);
      fz_free_list(cf, nc);
      res[i].inputs = nc;
      nc = fz_list_files(grown, true, &cf);
      fz_free_list(cf, nc);
      res[i].inputs += nc;
    }
    {
      char *a[4];
      int m = 0;
      a[m++] = bin;
      a[m++] = corpus;
      if (fz_is_dir(grown)) a[m++] = grown;
      a[m] = NULL;
      fz_fmt(log, sizeof log, "%s/run.log", dir);
      rc = fz_run(a, log, env, 600000);
      /* A crash still leaves a profile of what ran before it. */
      res[i].crashed = rc != 0;
    }
    nraw = fz_list_files(dir, false, &raw);
    argv = calloc(nraw + 16, sizeof *argv);
    if (argv == NULL) {
      fz_free_list(raw, nraw);
      errors++;
      continue;
    }
    fz_fmt(prof, sizeof prof, "%s/%s.profdata", dir, targets[i]);
    argv[k++] = (char *)tool("LLVM_PROFDATA", "llvm-profdata-14");
    argv[k++] = "merge";
    argv[k++] = "-sparse";
    for (size_t r = 0; r < nraw; r++)
      if (strstr(raw[r], ".profraw")) argv[k++] = raw[r];
    argv[k++] = "-o";
    argv[k++] = prof;
    argv[k] = NULL;
    fz_fmt(log, sizeof log, "%s/profdata.log", dir);
    rc = k > 5 ? fz_run(argv, log, NULL, 300000) : -1;
    fz_free_list(raw, nraw);
    free(argv);
    if (rc != 0) {
      rtg_cli_err("fuzz", "%s: no coverage profile (%s); see %s/run.log", targets[i],
                  k > 5 ? "llvm-profdata failed" : "the run wrote none", dir);
      errors++;
      continue;
    }
    profs[nprofs++] = strdup(prof);
    objs[2 * i] = strdup(bin);
    fz_fmt(ip, sizeof ip, "-instr-profile=%s", prof);
    {
      char *a[8] = {(char *)tool("LLVM_COV", "llvm-cov-14"), "report", bin, ip, stack, NULL};
      fz_fmt(sum, sizeof sum, "%s/summary.txt", dir);
      if (fz_run(a, sum, NULL, 300000) != 0) errors++;
    }
    {
      char *a[10] = {(char *)tool("LLVM_COV", "llvm-cov-14"),
                     "show",
                     bin,
                     ip,
                     "-format=html",
                     od,
                     "-show-branches=count",
                     stack,
                     NULL};
      fz_fmt(od, sizeof od, "-output-dir=%s/html", dir);
      fz_fmt(html, sizeof html, "%s/html.log", dir);
      if (fz_run(a, html, NULL, 300000) != 0) errors++;
    }
    {
      char *a[8] = {
          (char *)tool("LLVM_COV", "llvm-cov-14"), "export", "-summary-only", bin, ip, stack, NULL};
      fz_fmt(jpath, sizeof jpath, "%s/summary.json", dir);
      res[i].ok = read_export(o, a, jpath, &res[i].t, NULL, NULL) == 0;
      if (!res[i].ok) errors++;
    }
  }
  /* All targets together: which parts of each module the fuzzers reach. */
  if (nprofs > 0) {
    char dir[PATH_MAX + 64], ip[PATH_MAX + 128], jpath[PATH_MAX + 128], log[PATH_MAX + 128],
        **argv = calloc(nprofs + 8, sizeof *argv);
    size_t k = 0;
    fz_fmt(dir, sizeof dir, "%s/coverage/all", o->out);
    fz_mkdir_p(dir);
    fz_fmt(allprof, sizeof allprof, "%s/all.profdata", dir);
    if (argv != NULL) {
      argv[k++] = (char *)tool("LLVM_PROFDATA", "llvm-profdata-14");
      argv[k++] = "merge";
      argv[k++] = "-sparse";
      for (size_t p = 0; p < nprofs; p++) argv[k++] = profs[p];
      argv[k++] = "-o";
      argv[k++] = allprof;
      argv[k] = NULL;
      fz_fmt(log, sizeof log, "%s/profdata.log", dir);
      if (fz_run(argv, log, NULL, 300000) == 0) {
        char **a = calloc(2 * n + 16, sizeof *a);
        size_t m = 0;
        bool first = true;
        fz_fmt(ip, sizeof ip, "-instr-profile=%s", allprof);
        fz_fmt(jpath, sizeof jpath, "%s/summary.json", dir);
        if (a != NULL) {
          a[m++] = (char *)tool("LLVM_COV", "llvm-cov-14");
          a[m++] = "export";
          a[m++] = "-summary-only";
          for (size_t t = 0; t < n; t++) {
            if (objs[2 * t] == NULL) continue;
            if (!first) a[m++] = "-object";
            a[m++] = objs[2 * t];
            first = false;
          }
          a[m++] = ip;
          a[m++] = stack;
          a[m] = NULL;
          if (read_export(o, a, jpath, &all, mods, &nmods) != 0) errors++;
          free(a);
        }
      }
      free(argv);
    }
  }
  if (o->json) {
    json_t *root = json_object(), *ts = json_array(), *ms = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *t = json_object();
      json_object_set_new(t, "target", json_string(targets[i]));
      json_object_set_new(t, "ok", json_boolean(res[i].ok));
      json_object_set_new(t, "inputs", json_integer((json_int_t)res[i].inputs));
      json_object_set_new(t, "crashed", json_boolean(res[i].crashed));
      json_object_set_new(t, "line_percent", json_real(pct(res[i].t.lines_cov, res[i].t.lines)));
      json_object_set_new(t, "branch_percent", json_real(pct(res[i].t.br_cov, res[i].t.br)));
      json_object_set_new(t, "function_percent", json_real(pct(res[i].t.fn_cov, res[i].t.fn)));
      json_array_append_new(ts, t);
    }
    for (int k = 0; k < nmods; k++) {
      json_t *m;
      if (mods[k].t.lines == 0) continue; /* a header without code (rtg/ice.h) */
      m = json_object();
      json_object_set_new(m, "module", json_string(mods[k].name));
      json_object_set_new(m, "line_percent", json_real(pct(mods[k].t.lines_cov, mods[k].t.lines)));
      json_object_set_new(m, "branch_percent", json_real(pct(mods[k].t.br_cov, mods[k].t.br)));
      json_array_append_new(ms, m);
    }
    json_object_set_new(root, "mode", json_string("coverage"));
    json_object_set_new(root, "targets", ts);
    json_object_set_new(root, "modules", ms);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
  } else {
    printf("%-26s %7s %8s %8s %9s  %s\n", "target (stack/ only)", "inputs", "lines", "branches",
           "functions", "report");
    for (size_t i = 0; i < n; i++) {
      if (!res[i].ok) {
        printf("%-26s %7zu %8s %8s %9s  (failed)\n", targets[i], res[i].inputs, "-", "-", "-");
        continue;
      }
      printf("%-26s %7zu %7.1f%% %7.1f%% %8.1f%%  %s/coverage/%s/html/index.html%s\n", targets[i],
             res[i].inputs, pct(res[i].t.lines_cov, res[i].t.lines),
             pct(res[i].t.br_cov, res[i].t.br), pct(res[i].t.fn_cov, res[i].t.fn), o->out,
             targets[i], res[i].crashed ? " (run crashed: partial)" : "");
    }
    if (nmods) {
      printf("\nall targets together, per module:\n");
      for (int k = 0; k < nmods; k++)
        if (mods[k].t.lines > 0) /* headers without code (rtg/ice.h) are no module */
          printf("  %-12s lines %6.1f%% (%lld/%lld)  branches %6.1f%%\n", mods[k].name,
                 pct(mods[k].t.lines_cov, mods[k].t.lines), mods[k].t.lines_cov, mods[k].t.lines,
                 pct(mods[k].t.br_cov, mods[k].t.br));
      printf("  %-12s lines %6.1f%% (%lld/%lld)  branches %6.1f%%\n", "total",
             pct(all.lines_cov, all.lines), all.lines_cov, all.lines, pct(all.br_cov, all.br));
    }
  }
  for (size_t p = 0; p < nprofs; p++) free(profs[p]);
  for (size_t t = 0; t < 2 * n + 16; t++) free(objs[t]);
  free(profs);
  free(objs);
  free(res);
  return errors ? RTG_EXIT_USAGE : RTG_EXIT_OK;
}
