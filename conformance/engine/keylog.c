/*
 * keylog.c - NSS key log files (the SSLKEYLOGFILE convention browsers use):
 *   LABEL <client_random hex, 32 bytes> <secret hex>
 * e.g. CLIENT_RANDOM (DTLS 1.2 master secret), CLIENT_TRAFFIC_SECRET_0,
 * SERVER_HANDSHAKE_TRAFFIC_SECRET, EXPORTER_SECRET (DTLS 1.3). '#' starts
 * a comment. Entries are matched to ClientHellos of the capture by random.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"

static const char *const known[] = {"CLIENT_RANDOM",
                                    "CLIENT_EARLY_TRAFFIC_SECRET",
                                    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                    "CLIENT_TRAFFIC_SECRET_0",
                                    "SERVER_TRAFFIC_SECRET_0",
                                    "EXPORTER_SECRET",
                                    "EARLY_EXPORTER_SECRET"};

static bool label_known(const char *l) {
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(l, known[i]) == 0) return true;
  return false;
}

int rtg_replay_add_keylog(struct rtg_replay *r, const char *path, char *err, size_t errcap) {
  FILE *f = fopen(path, "r");
  char line[512];
  int lineno = 0;
  size_t added = 0;
  if (f == NULL) {
    snprintf(err, errcap, "cannot open key log %s", path);
    return -1;
  }
  while (fgets(line, sizeof line, f)) {
    char label[64], cr[80], sec[160];
    struct rtg_keylog_entry *e;
    ptrdiff_t n;
    lineno++;
    if (line[0] == '#' || line[0] == '\n' || line[0] == '\r') continue;
    if (sscanf(line, "%63s %79s %159s", label, cr, sec) != 3 || !label_known(label)) {
      fclose(f);
      snprintf(err, errcap,
               "%s:%d: not an NSS key log line (expected LABEL CLIENT_RANDOM SECRET, e.g. "
               "CLIENT_RANDOM or CLIENT_TRAFFIC_SECRET_0)",
               path, lineno);
      return -1;
    }
    if (r->nkeylog == r->cap_keylog) {
      size_t nc = r->cap_keylog ? r->cap_keylog * 2 : 16;
      struct rtg_keylog_entry *nk = realloc(r->keylog, nc * sizeof *nk);
      if (nk == NULL) {
        fclose(f);
        snprintf(err, errcap, "out of memory reading %s", path);
        return -1;
      }
      r->keylog = nk;
      r->cap_keylog = nc;
    }
    e = &r->keylog[r->nkeylog];
    memset(e, 0, sizeof *e);
    snprintf(e->label, sizeof e->label, "%s", label);
    if (rtg_hex_decode(e->client_random, 32, cr, strlen(cr), NULL) != 32 ||
        (n = rtg_hex_decode(e->secret, sizeof e->secret, sec, strlen(sec), NULL)) <= 0) {
      fclose(f);
      snprintf(err, errcap, "%s:%d: client random must be 32 bytes of hex and the secret hex", path,
               lineno);
      return -1;
    }
    e->secret_len = (size_t)n;
    r->nkeylog++;
    added++;
  }
  fclose(f);
  if (added == 0) {
    snprintf(err, errcap, "%s: key log holds no entries", path);
    return -1;
  }
  return 0;
}

size_t rtg_replay_keylog_matches(const struct rtg_replay *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->nkeylog; i++)
    for (int k = 0; k < r->n_ch_random; k++)
      if (memcmp(r->keylog[i].client_random, r->ch_random[k], 32) == 0) {
        n++;
        break;
      }
  return n;
}
