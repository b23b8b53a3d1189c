/*
 * fuzz_util.c - process, file and report helpers for `rtcgate fuzz` and
 * `rtcgate corpus` (see fuzz_internal.h).
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/fuzz_internal.h"
#include "rtg/core.h"

volatile sig_atomic_t fz_interrupted = 0;

int fz_fmt(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void on_interrupt(int sig) {
  (void)sig;
  if (fz_interrupted < 100) fz_interrupted++;
}

void fz_install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

long long fz_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fz_mkdir_p(const char *path) {
  char tmp[PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof tmp) return -1;
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

bool fz_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool fz_is_exec(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

long long fz_file_size(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  return (long long)st.st_size;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_into(const char *dir, bool recursive, char ***v, size_t *n, size_t *cap) {
  DIR *d = opendir(dir);
  struct dirent *de;
  if (d == NULL) return;
  while ((de = readdir(d)) != NULL) {
    char path[PATH_MAX];
    struct stat st;
    if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0) continue;
    if (fz_fmt(path, sizeof path, "%s/%s", dir, de->d_name) != 0) continue;
    if (stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (recursive) list_into(path, true, v, n, cap);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    if (*n == *cap) {
      size_t nc = *cap ? *cap * 2 : 64;
      char **nv = realloc(*v, nc * sizeof *nv);
      if (nv == NULL) break;
      *v = nv;
      *cap = nc;
    }
    (*v)[*n] = strdup(path);
    if ((*v)[*n] != NULL) (*n)++;
  }
  closedir(d);
}

size_t fz_list_files(const char *dir, bool recursive, char ***out) {
  char **v = NULL;
  size_t n = 0, cap = 0;
  list_into(dir, recursive, &v, &n, &cap);
  if (n) qsort(v, n, sizeof *v, cmp_str);
  *out = v;
  return n;
}

void fz_free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

int fz_copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out;
  char buf[65536];
  size_t n;
  int rc = 0;
  if (in == NULL) return -1;
  out = fopen(to, "wb");
  if (out == NULL) {
    fclose(in);
    return -1;
  }
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) rc = -1;
  if (ferror(in)) rc = -1;
  fclose(in);
  if (fclose(out) != 0) rc = -1;
  return rc;
}

pid_t fz_spawn(char *const argv[], const char *log, const char *const env[]) {
  return fz_spawn_split(argv, log, NULL, env);
}

pid_t fz_spawn_split(char *const argv[], const char *log, const char *err_log,
                     const char *const env[]) {
  pid_t pid;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct sigaction sa;
    /* Own process group: the campaign forwards SIGINT to the whole group
     * (libFuzzer's fork-mode workers included) and a terminal Ctrl-C
     * reaches rtcgate only, which then stops its children in order. */
    setpgid(0, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (fd < 0) _exit(126);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    if (err_log != NULL) {
      fd = open(err_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) _exit(126);
      dup2(fd, 2);
      close(fd);
    }
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      dup2(fd, 0);
      close(fd);
    }
    /* Stack traces for UBSan reports so triage can deduplicate them. */
    if (getenv("UBSAN_OPTIONS") == NULL)
      setenv("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1", 1);
    for (size_t i = 0; env && env[i]; i++) putenv((char *)env[i]);
    execvp(argv[0], argv);
    fprintf(stderr, "rtcgate: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid); /* both sides, so no race with an early kill */
  return pid;
}

int fz_run(char *const argv[], const char *log, const char *const env[], long long timeout_ms) {
  return fz_run_split(argv, log, NULL, env, timeout_ms);
}

int fz_run_split(char *const argv[], const char *log, const char *err_log, const char *const env[],
                 long long timeout_ms) {
  pid_t pid = fz_spawn_split(argv, log, err_log, env);
  long long start = fz_now_ms();
  int status, killed = 0;
  if (pid < 0) return -1;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return -1;
    if (!killed && ((timeout_ms > 0 && fz_now_ms() - start > timeout_ms) || fz_interrupted >= 2)) {
      kill(-pid, SIGKILL);
      killed = 1;
    }
    usleep(20000);
  }
  if (killed) kill(-pid, SIGKILL); /* stragglers of the group */
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int fz_load_options(const char *src, const char *target, char args[][PATH_MAX + 16], int max) {
  char path[PATH_MAX], line[512];
  FILE *f;
  int n = 0, have_dict = 0, have_timeout = 0;
  fz_fmt(path, sizeof path, "%s/fuzz/%s.options", src, target);
  f = fopen(path, "r");
  while (f != NULL && n < max && fgets(line, sizeof line, f)) {
    char key[64], val[256];
    if (line[0] == '[' || line[0] == '#') continue;
    if (sscanf(line, " %63[A-Za-z_] = %255s", key, val) != 2) continue;
    if (strcmp(key, "dict") == 0) {
      have_dict = 1;
      if (val[0] == '/')
        fz_fmt(args[n++], PATH_MAX + 16, "-dict=%s", val);
      else
        fz_fmt(args[n++], PATH_MAX + 16, "-dict=%s/fuzz/%s", src, val);
    } else {
      fz_fmt(args[n++], PATH_MAX + 16, "-%s=%s", key, val);
    }
  }
  if (f != NULL) fclose(f);
  /* libFuzzer's own default (1200s per input) would let one hang eat the
   * whole budget: use OSS-Fuzz's 25s unless the target says otherwise. */
  for (int i = 0; i < n && !have_timeout; i++)
    if (strncmp(args[i], "-timeout=", 9) == 0) have_timeout = 1;
  if (!have_timeout && n < max) fz_fmt(args[n++], PATH_MAX + 16, "-timeout=%d", FZ_DEFAULT_TIMEOUT);
  fz_fmt(path, sizeof path, "%s/fuzz/%s.dict", src, target);
  if (!have_dict && n < max && access(path, R_OK) == 0)
    fz_fmt(args[n++], PATH_MAX + 16, "-dict=%s", path);
  return n;
}

void fz_sha1_hex(const void *data, size_t len, char out[41]) {
  uint8_t d[RTG_HASH_MAX];
  out[0] = '\0';
  if (rtg_hash(RTG_HASH_SHA1, data, len, d) != 0) return;
  if (rtg_hex_encode(out, 41, d, 20, 0, false) < 0) out[0] = '\0';
}

void fz_sig_hash(const char *s, char out[17]) {
  uint8_t d[RTG_HASH_MAX];
  out[0] = '\0';
  if (rtg_hash(RTG_HASH_SHA256, s, strlen(s), d) != 0) return;
  if (rtg_hex_encode(out, 17, d, 8, 0, false) < 0) out[0] = '\0';
}

void fz_findings_add(struct fz_findings *f, const struct fz_finding *x) {
  if (f->n == f->cap) {
    size_t nc = f->cap ? f->cap * 2 : 16;
    struct fz_finding *nv = realloc(f->v, nc * sizeof *nv);
    if (nv == NULL) return;
    f->v = nv;
    f->cap = nc;
  }
  f->v[f->n++] = *x;
}

json_t *fz_finding_json(const struct fz_finding *x) {
  json_t *o = json_object(), *fr = json_array();
  char p[PATH_MAX + 16];
  for (int i = 0; i < x->nframes; i++) json_array_append_new(fr, json_string(x->frames[i]));
  json_object_set_new(o, "target", json_string(x->target));
  json_object_set_new(o, "hash", json_string(x->hash));
  json_object_set_new(o, "kind", json_string(x->kind));
  json_object_set_new(o, "frames", fr);
  fz_fmt(p, sizeof p, "%s/input", x->dir);
  json_object_set_new(o, "input", json_string(p));
  fz_fmt(p, sizeof p, "%s/report.txt", x->dir);
  json_object_set_new(o, "report", json_string(p));
  json_object_set_new(o, "source", json_string(x->source));
  json_object_set_new(o, "size", json_integer((json_int_t)x->size));
  json_object_set_new(o, "original_size", json_integer((json_int_t)x->orig_size));
  json_object_set_new(o, "duplicates", json_integer(x->duplicates));
  json_object_set_new(o, "reproduced", json_boolean(x->reproduced));
  json_object_set_new(o, "minimised", json_boolean(x->minimised));
  return o;
}

void fz_print_findings(const struct fz_findings *f) {
  if (f->n == 0) return;
  printf("\nunique findings: %zu\n", f->n);
  for (size_t i = 0; i < f->n; i++) {
    const struct fz_finding *x = &f->v[i];
    printf("  %-24s %s  %-32s %s%s (%zu bytes%s, %d artifact%s)\n", x->target, x->hash, x->kind,
           x->nframes ? "in " : "", x->nframes ? x->frames[0] : "no stack", x->size,
           x->minimised ? " minimised" : "", x->duplicates, x->duplicates == 1 ? "" : "s");
    printf("  %-24s   %s/report.txt%s\n", "", x->dir, x->reproduced ? "" : "  (did not reproduce)");
  }
}
