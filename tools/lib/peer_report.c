/*
 * peer_report.c - what `rtcgate peer` reports: the --expect names, the
 * --json document (sessions with their events and statistics) and the NSS
 * key log file (--keylog, or $SSLKEYLOGFILE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/peer_io.h"

static const char *const expect_names[RTG_PIO_EXPECT_COUNT] = {
    "ice",   "dtls",  "datachannel", "datachannel-unreliable",
    "audio", "video", "ice-restart", "trickle",
};

const char *rtg_pio_expect_name(unsigned i) {
  return i < RTG_PIO_EXPECT_COUNT ? expect_names[i] : "?";
}

int rtg_pio_expect_parse(const char *list, unsigned *out, char *err, size_t cap) {
  const char *p = list;
  *out = 0;
  while (*p) {
    size_t n = strcspn(p, ",");
    unsigned i;
    for (i = 0; i < RTG_PIO_EXPECT_COUNT; i++)
      if (strlen(expect_names[i]) == n && strncmp(expect_names[i], p, n) == 0) break;
    if (i == RTG_PIO_EXPECT_COUNT) {
      snprintf(err, cap,
               "--expect: unknown '%.*s' (known: ice, dtls, datachannel, "
               "datachannel-unreliable, audio, video, ice-restart, trickle)",
               (int)n, p);
      return -1;
    }
    *out |= 1u << i;
    p += n;
    if (*p == ',') p++;
  }
  return 0;
}

json_t *rtg_pio_expect_json(unsigned mask) {
  json_t *a = json_array();
  for (unsigned i = 0; i < RTG_PIO_EXPECT_COUNT; i++)
    if (mask & (1u << i)) json_array_append_new(a, json_string(expect_names[i]));
  return a;
}

int rtg_pio_report_init(struct rtg_pio_report *r, const char *json_path, const char *keylog,
                        bool quiet, char *err, size_t cap) {
  memset(r, 0, sizeof *r);
  r->t0 = rtg_pio_now();
  r->quiet = quiet;
  r->json_path = json_path;
  r->root = json_object();
  r->sessions = json_array();
  json_object_set_new(r->root, "version", json_string(RTG_VERSION));
  json_object_set(r->root, "sessions", r->sessions);
  json_decref(r->sessions); /* root holds it */
  if (keylog == NULL) {
    keylog = getenv("SSLKEYLOGFILE");
    if (keylog && !*keylog) keylog = NULL;
  }
  if (keylog) {
    r->keylog = fopen(keylog, "a");
    if (r->keylog == NULL) {
      snprintf(err, cap, "cannot open the key log %s: %s", keylog, strerror(errno));
      json_decref(r->root);
      r->root = NULL;
      return -1;
    }
  }
  return 0;
}

void rtg_pio_report_keylog(struct rtg_pio_report *r, const char *line) {
  if (r->keylog == NULL) return;
  fputs(line, r->keylog);
  fputc('\n', r->keylog);
  fflush(r->keylog);
}

double rtg_pio_report_ms(const struct rtg_pio_report *r, rtg_time now) {
  return (double)(now - r->t0) / 1e6;
}

int rtg_pio_report_write(struct rtg_pio_report *r) {
  FILE *f;
  int rc;
  if (r->json_path == NULL || r->root == NULL) return 0;
  f = strcmp(r->json_path, "-") == 0 ? stdout : fopen(r->json_path, "w");
  if (f == NULL) {
    fprintf(stderr, "rtcgate peer: cannot write %s: %s\n", r->json_path, strerror(errno));
    return -1;
  }
  rc = json_dumpf(r->root, f, JSON_INDENT(2));
  fputc('\n', f);
  if (f == stdout)
    fflush(f);
  else if (fclose(f) != 0)
    rc = -1;
  if (rc != 0) fprintf(stderr, "rtcgate peer: cannot write %s\n", r->json_path);
  return rc ? -1 : 0;
}

void rtg_pio_report_free(struct rtg_pio_report *r) {
  if (r->keylog) fclose(r->keylog);
  r->keylog = NULL;
  json_decref(r->root);
  r->root = NULL;
}
