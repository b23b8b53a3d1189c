/*
 * fuzz_regress.c - `rtcgate fuzz --regress`: every corpus file and saved
 * crash reproducer (corpora/<target>/, regressions/ included) runs once
 * through the target: the standalone ASan+UBSan binary of the asan build
 * (build-asan/fuzz-regress/<target>, as `make test` does) or else the
 * libFuzzer binary with -runs=0. When a run fails, each file is run alone to
 * name every crashing input, recorded like a campaign finding. --jobs N
 * runs N targets at once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fuzz_internal.h"

/* Finds the binary: DIR/fuzz-regress/T or DIR/fuzz/T for an explicit
 * --build-dir, else build-asan's standalone one, else build-fuzz's. */
static bool find_bin(const struct fz_opts *o, const char *t, char *bin, size_t cap,
                     bool *libfuzzer) {
  const char *dirs[2];
  char a[PATH_MAX], b[PATH_MAX];
  if (o->build_dir[0]) {
    dirs[0] = o->build_dir;
    dirs[1] = NULL;
  } else {
    fz_fmt(a, sizeof a, "%s/build-asan", o->src);
    fz_fmt(b, sizeof b, "%s/build-fuzz", o->src);
    dirs[0] = a;
    dirs[1] = b;
  }
  for (int i = 0; i < 2 && dirs[i]; i++) {
    fz_fmt(bin, cap, "%s/fuzz-regress/%s", dirs[i], t);
    if (fz_is_exec(bin)) {
      *libfuzzer = false;
      return true;
    }
    fz_fmt(bin, cap, "%s/fuzz/%s", dirs[i], t);
    if (fz_is_exec(bin)) {
      *libfuzzer = true;
      return true;
    }
  }
  return false;
}

struct rres {
  const char *name;
  size_t inputs;
  int crashing;
  bool libfuzzer;
  const char *status;
  char bin[PATH_MAX + 128], corpus[PATH_MAX + 128], log[PATH_MAX + 128], tmp[PATH_MAX + 128],
      apfx[PATH_MAX + 160];
  pid_t pid; /* whole-corpus run in flight, 0 when none */
  int rc;
  bool ready; /* binary and corpus found: to be run */
};

static pid_t start_run(struct rres *r) {
  char *argv[8];
  int k = 0;
  argv[k++] = r->bin;
  if (r->libfuzzer) {
    /* -runs=0: run the given corpus once, no fuzzing. */
    argv[k++] = "-runs=0";
    argv[k++] = r->apfx;
  }
  argv[k++] = r->corpus;
  argv[k] = NULL;
  return fz_spawn(argv, r->log, NULL);
}

/* A failed whole-corpus run: each file alone, to name every crashing one. */
static void isolate(const struct fz_opts *o, struct rres *r, struct fz_findings *fnd) {
  char flog[PATH_MAX + 128], **files;
  size_t nf = fz_list_files(r->corpus, true, &files);
  fz_fmt(flog, sizeof flog, "%s/logs/%s.regress-one.log", o->out, r->name);
  for (size_t f = 0; f < nf && fz_interrupted < 2; f++) {
    struct fz_report rep;
    char *a1[3] = {r->bin, files[f], NULL};
    int frc = fz_run(a1, flog, NULL, 120000);
    if (frc == 0) continue;
    fz_parse_report(flog, o->frames, &rep);
    if (!rep.crashed) {
      fz_fmt(rep.kind, sizeof rep.kind, "exit status %d", frc);
      fz_sig_hash(rep.kind, rep.hash);
      rep.crashed = true;
    }
    r->crashing++;
    fz_record_finding(o, r->name, r->bin, files[f], flog, &rep, fnd);
  }
  fz_free_list(files, nf);
}

int fz_regress(const struct fz_opts *o, char **targets, size_t n) {
  struct fz_findings fnd = {NULL, 0, 0};
  struct rres *res = calloc(n, sizeof *res);
  int errors = 0, failed = 0, running = 0;
  size_t next = 0;
  if (res == NULL) return RTG_EXIT_USAGE;
  for (size_t i = 0; i < n; i++) {
    struct rres *r = &res[i];
    char **files;
    r->name = targets[i];
    if (!find_bin(o, targets[i], r->bin, sizeof r->bin, &r->libfuzzer)) {
      rtg_cli_err("fuzz",
                  "%s: no regression binary (looked for fuzz-regress/%s and fuzz/%s in %s); "
                  "build it with: cmake --preset asan && cmake --build build-asan --target "
                  "regress_%s",
                  targets[i], targets[i], targets[i],
                  o->build_dir[0] ? o->build_dir : "build-asan and build-fuzz", targets[i]);
      r->status = "no binary";
      errors++;
      continue;
    }
    fz_fmt(r->corpus, sizeof r->corpus, "%s/%s", o->corpus_dir, targets[i]);
    r->inputs = fz_list_files(r->corpus, true, &files);
    fz_free_list(files, r->inputs);
    if (r->inputs == 0) {
      rtg_cli_err("fuzz", "%s: no corpus files in %s (an empty corpus tests nothing)", targets[i],
                  r->corpus);
      r->status = "empty corpus";
      errors++;
      continue;
    }
    fz_fmt(r->log, sizeof r->log, "%s/logs/%s.regress.log", o->out, targets[i]);
    fz_fmt(r->tmp, sizeof r->tmp, "%s/tmp/%s", o->out, targets[i]);
    fz_fmt(r->apfx, sizeof r->apfx, "-artifact_prefix=%s/", r->tmp);
    fz_mkdir_p(r->tmp);
    r->ready = true;
  }
  /* Whole-corpus runs, --jobs at a time. */
  fz_install_signals();
  for (;;) {
    while (running < o->jobs && next < n && fz_interrupted == 0) {
      struct rres *r = &res[next++];
      if (!r->ready) continue;
      r->pid = start_run(r);
      if (r->pid < 0) {
        r->pid = 0;
        r->status = "cannot run";
        errors++;
        continue;
      }
      running++;
    }
    if (running == 0) break;
    for (size_t i = 0; i < n; i++) {
      int st;
      struct rres *r = &res[i];
      if (r->pid <= 0) continue;
      if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
        r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        kill(-r->pid, SIGKILL);
        r->pid = 0;
        running--;
        r->status = r->rc == 0 ? "ok" : NULL;
      } else if (fz_interrupted) {
        kill(-r->pid, fz_interrupted >= 2 ? SIGKILL : SIGINT);
      }
    }
    usleep(20000);
  }
  for (size_t i = 0; i < n && fz_interrupted == 0; i++) {
    struct rres *r = &res[i];
    if (!r->ready || r->status != NULL) continue;
    isolate(o, r, &fnd);
    if (r->crashing) {
      r->status = "CRASH";
      failed++;
    } else {
      /* The whole run failed but no single file does: keep the log. */
      rtg_cli_err("fuzz", "%s: run failed (exit %d) but no single input crashes; see %s", r->name,
                  r->rc, r->log);
      r->status = "failed";
      failed++;
    }
  }
  if (o->json) {
    json_t *root = json_object(), *ts = json_array(), *fs = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *t = json_object();
      json_object_set_new(t, "target", json_string(res[i].name ? res[i].name : targets[i]));
      json_object_set_new(t, "status", json_string(res[i].status ? res[i].status : "not run"));
      json_object_set_new(t, "inputs", json_integer((json_int_t)res[i].inputs));
      json_object_set_new(t, "crashing", json_integer(res[i].crashing));
      json_object_set_new(t, "driver",
                          json_string(!res[i].ready      ? "-"
                                      : res[i].libfuzzer ? "libfuzzer"
                                                         : "standalone"));
      json_array_append_new(ts, t);
    }
    for (size_t i = 0; i < fnd.n; i++) json_array_append_new(fs, fz_finding_json(&fnd.v[i]));
    json_object_set_new(root, "mode", json_string("regress"));
    json_object_set_new(root, "targets", ts);
    json_object_set_new(root, "findings", fs);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
  } else {
    printf("%-26s %-10s %7s  %s\n", "target", "driver", "inputs", "result");
    for (size_t i = 0; i < n; i++)
      printf("%-26s %-10s %7zu  %s%s\n", targets[i],
             !res[i].ready      ? "-"
             : res[i].libfuzzer ? "libfuzzer"
                                : "standalone",
             res[i].inputs, res[i].status ? res[i].status : "not run",
             res[i].crashing ? " (see below)" : "");
    fz_print_findings(&fnd);
    printf("regress: %zu target%s, %d failed, %d environment error%s\n", n, n == 1 ? "" : "s",
           failed, errors, errors == 1 ? "" : "s");
  }
  free(fnd.v);
  free(res);
  if (failed) return RTG_EXIT_FINDINGS;
  return errors ? RTG_EXIT_USAGE : RTG_EXIT_OK;
}
