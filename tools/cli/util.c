/* util.c - small helpers shared by the rtcgate subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void rtg_cli_err(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "rtcgate %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int rtg_cli_read_file(const char *cmd, const char *path, uint8_t **data, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;
  if (f == NULL) {
    rtg_cli_err(cmd, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  for (;;) {
    size_t got;
    if (n == cap) {
      uint8_t *nb;
      if (cap >= ((size_t)1 << 30)) {
        rtg_cli_err(cmd, "%s: larger than 1 GiB, refusing to load it", path);
        free(buf);
        if (f != stdin) fclose(f);
        return -1;
      }
      cap = cap ? cap * 2 : 65536;
      nb = realloc(buf, cap);
      if (nb == NULL) {
        rtg_cli_err(cmd, "out of memory reading %s", path);
        free(buf);
        if (f != stdin) fclose(f);
        return -1;
      }
      buf = nb;
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    rtg_cli_err(cmd, "error reading %s: %s", path, strerror(errno));
    free(buf);
    if (f != stdin) fclose(f);
    return -1;
  }
  if (f != stdin) fclose(f);
  *data = buf;
  *len = n;
  return 0;
}

bool rtg_cli_is_help(const char *s) { return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0; }

long long rtg_cli_parse_duration_ms(const char *s) {
  char *end;
  double v;
  if (s == NULL || *s == '\0') return -1;
  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || v < 0) return -1;
  if (*end == '\0' || strcmp(end, "s") == 0) return (long long)(v * 1000.0);
  if (strcmp(end, "ms") == 0) return (long long)v;
  if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) return (long long)(v * 60000.0);
  if (strcmp(end, "h") == 0) return (long long)(v * 3600000.0);
  return -1;
}

const char *rtg_cli_source_dir(void) {
  const char *env = getenv("RTCGATE_ROOT");
  return env && *env ? env : RTG_SOURCE_DIR;
}
