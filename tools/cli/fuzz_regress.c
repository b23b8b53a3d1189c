/*
 * fuzz_regress.c - `rtcgate fuzz --regress`: every corpus file and saved
 * crash reproducer (corpora/<target>/, regressions/ included) runs once
 * through the target: the standalone ASan+UBSan binary of the asan build
 * (build-asan/fuzz-regress/<target>, as `make test` does) or else the
 * libFuzzer binary with -runs=0. When a run fails, each file is run alone to
 * name every crashing input, recorded like a campaign finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

int fz_regress(const struct fz_opts *o, char **targets, size_t n) {
  struct fz_findings fnd = {NULL, 0, 0};
  struct rres *res = calloc(n, sizeof *res);
  int errors = 0, failed = 0;
  if (res == NULL) return RTG_EXIT_USAGE;
  for (size_t i = 0; i < n && fz_interrupted < 2; i++) {
    char bin[PATH_MAX + 128], corpus[PATH_MAX + 128], log[PATH_MAX + 128], tmp[PATH_MAX + 128],
        apfx[PATH_MAX + 160], **files, *argv[8];
    size_t nf;
    int rc, k = 0;
    res[i].name = targets[i];
    if (!find_bin(o, targets[i], bin, sizeof bin, &res[i].libfuzzer)) {
      rtg_cli_err("fuzz",
                  "%s: no regression binary (looked for fuzz-regress/%s and fuzz/%s in %s); "
                  "build it with: cmake --preset asan && cmake --build build-asan --target "
                  "regress_%s",
                  targets[i], targets[i], targets[i],
                  o->build_dir[0] ? o->build_dir : "build-asan and build-fuzz", targets[i]);
      res[i].status = "no binary";
      errors++;
      continue;
    }
    fz_fmt(corpus, sizeof corpus, "%s/%s", o->corpus_dir, targets[i]);
    nf = fz_list_files(corpus, true, &files);
    res[i].inputs = nf;
    if (nf == 0) {
      rtg_cli_err("fuzz", "%s: no corpus files in %s (an empty corpus tests nothing)", targets[i],
                  corpus);
      res[i].status = "empty corpus";
      errors++;
      fz_free_list(files, nf);
      continue;
    }
    fz_fmt(log, sizeof log, "%s/logs/%s.regress.log", o->out, targets[i]);
    fz_fmt(tmp, sizeof tmp, "%s/tmp/%s", o->out, targets[i]);
    fz_mkdir_p(tmp);
    argv[k++] = bin;
    if (res[i].libfuzzer) {
      /* -runs=0: run the given corpus once, no fuzzing. */
      fz_fmt(apfx, sizeof apfx, "-artifact_prefix=%s/", tmp);
      argv[k++] = "-runs=0";
      argv[k++] = apfx;
    }
    argv[k++] = corpus;
    argv[k] = NULL;
    rc = fz_run(argv, log, NULL, 600000);
    if (rc == 0) {
      res[i].status = "ok";
    } else {
      /* Name every crashing input: each file alone. */
      char flog[PATH_MAX + 128];
      fz_fmt(flog, sizeof flog, "%s/logs/%s.regress-one.log", o->out, targets[i]);
      for (size_t f = 0; f < nf && fz_interrupted < 2; f++) {
        struct fz_report r;
        char *a1[3] = {bin, files[f], NULL};
        int frc = fz_run(a1, flog, NULL, 120000);
        if (frc == 0) continue;
        fz_parse_report(flog, o->frames, &r);
        if (!r.crashed) {
          fz_fmt(r.kind, sizeof r.kind, "exit status %d", frc);
          fz_sig_hash(r.kind, r.hash);
          r.crashed = true;
        }
        res[i].crashing++;
        fz_record_finding(o, targets[i], bin, files[f], flog, &r, &fnd);
      }
      if (res[i].crashing) {
        res[i].status = "CRASH";
        failed++;
      } else {
        /* The whole run failed but no single file does: keep the log. */
        rtg_cli_err("fuzz", "%s: run failed (exit %d) but no single input crashes; see %s",
                    targets[i], rc, log);
        res[i].status = "failed";
        failed++;
      }
    }
    fz_free_list(files, nf);
  }
  if (o->json) {
    json_t *root = json_object(), *ts = json_array(), *fs = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *t = json_object();
      json_object_set_new(t, "target", json_string(res[i].name ? res[i].name : targets[i]));
      json_object_set_new(t, "status", json_string(res[i].status ? res[i].status : "not run"));
      json_object_set_new(t, "inputs", json_integer((json_int_t)res[i].inputs));
      json_object_set_new(t, "crashing", json_integer(res[i].crashing));
      json_object_set_new(t, "driver", json_string(res[i].libfuzzer ? "libfuzzer" : "standalone"));
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
      printf("%-26s %-10s %7zu  %s%s\n", targets[i], res[i].libfuzzer ? "libfuzzer" : "standalone",
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
