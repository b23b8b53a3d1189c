/*
 * standalone.c - runs a libFuzzer target without libFuzzer: every file named
 * on the command line (directories are walked recursively) is fed once to
 * LLVMFuzzerTestOneInput. This is the corpus/crash regression test of
 * `make test` (built with gcc under ASan+UBSan): a crash aborts the process,
 * which fails the test.
 *
 * usage: TARGET [-v] PATH...   exit 0 when all inputs ran, 2 on a usage or
 * file error (an empty or missing corpus is an error: it would test nothing).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* Targets with a custom mutator (RTG_FUZZ_FIXUP_MUTATOR in fuzz/common/
 * rtg_fuzz.h) call libFuzzer's LLVMFuzzerMutate. This driver never mutates,
 * but those targets must still link here: a weak stand-in that leaves the
 * input as it is (libFuzzer's strong definition wins where it is linked). */
__attribute__((weak)) size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) {
  (void)data;
  return size < max_size ? size : max_size;
}

struct run {
  size_t files;
  size_t bytes;
  int verbose;
};

static int run_file(struct run *r, const char *path) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t cap = 0, len = 0;
  if (f == NULL) {
    fprintf(stderr, "standalone: cannot open %s: %s\n", path, strerror(errno));
    return 2;
  }
  for (;;) {
    size_t n;
    if (len == cap) {
      uint8_t *nb;
      cap = cap ? cap * 2 : 4096;
      nb = realloc(buf, cap);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        fprintf(stderr, "standalone: out of memory reading %s\n", path);
        return 2;
      }
      buf = nb;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  fclose(f);
  if (r->verbose) fprintf(stderr, "running %s (%zu bytes)\n", path, len);
  /* Copy into an exactly-sized buffer so ASan catches reads past the end. */
  {
    uint8_t *exact = malloc(len ? len : 1);
    if (exact == NULL) {
      free(buf);
      return 2;
    }
    if (len) memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
  }
  r->files++;
  r->bytes += len;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(struct run *r, const char *path) {
  struct stat st;
  DIR *d;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "standalone: %s: %s\n", path, strerror(errno));
    return 2;
  }
  if (!S_ISDIR(st.st_mode)) return run_file(r, path);
  d = opendir(path);
  if (d == NULL) {
    fprintf(stderr, "standalone: cannot read directory %s: %s\n", path, strerror(errno));
    return 2;
  }
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    if (strcmp(de->d_name, "README.md") == 0) continue;
    if (n == cap) {
      char **nn;
      cap = cap ? cap * 2 : 64;
      nn = realloc(names, cap * sizeof *names);
      if (nn == NULL) break;
      names = nn;
    }
    names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
    if (names[n] == NULL) break;
    sprintf(names[n], "%s/%s", path, de->d_name);
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str); /* stable, reproducible order */
  for (size_t i = 0; i < n; i++) {
    if (rc == 0) rc = run_path(r, names[i]);
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  struct run r = {0, 0, 0};
  int first = 1;
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    r.verbose = 1;
    first = 2;
  }
  if (argc <= first) {
    fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = first; i < argc; i++) {
    int rc = run_path(&r, argv[i]);
    if (rc) return rc;
  }
  if (r.files == 0) {
    fprintf(stderr, "standalone: no inputs found (an empty corpus tests nothing)\n");
    return 2;
  }
  printf("%s: %zu inputs, %zu bytes, no crash\n", argv[0], r.files, r.bytes);
  return 0;
}
