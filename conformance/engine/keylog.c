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

/* Appends the entries of one key log text (|f| positioned at its start) to
 * the DTLS module's key log table, which the session decryptor reads and
 * the ClientHello matching below uses. A line must name a known label; the
 * DTLS parser checks the hex fields. */
static int add_keylog_stream(struct rtg_replay *r, FILE *f, const char *path, char *err,
                             size_t errcap) {
  char line[512];
  int lineno = 0;
  size_t added = 0;
  while (fgets(line, sizeof line, f)) {
    char label[64];
    struct rtg_perr e;
    int rc;
    lineno++;
    if (line[0] == '#' || line[0] == '\n' || line[0] == '\r') continue;
    if (sscanf(line, "%63s", label) != 1 || !label_known(label)) {
      fclose(f);
      snprintf(err, errcap,
               "%s:%d: not an NSS key log line (expected LABEL CLIENT_RANDOM SECRET, e.g. "
               "CLIENT_RANDOM or CLIENT_TRAFFIC_SECRET_0)",
               path, lineno);
      return -1;
    }
    rtg_perr_clear(&e);
    rc = rtg_dtls_keylog_parse(r->kl, line, strlen(line), &e);
    if (rc) {
      fclose(f);
      if (rc == RTG_ERR_NOBUF)
        snprintf(err, errcap, "%s:%d: more than %d key log entries", path, lineno,
                 RTG_DTLS_KEYLOG_MAX);
      else
        snprintf(err, errcap, "%s:%d: %s: %s", path, lineno, e.field ? e.field : "keylog",
                 e.reason ? e.reason : "malformed line");
      return -1;
    }
    added++;
  }
  fclose(f);
  if (added == 0) {
    snprintf(err, errcap, "%s: key log holds no entries", path);
    return -1;
  }
  return 0;
}

int rtg_replay_add_keylog_fp(struct rtg_replay *r, FILE *f, const char *name, char *err,
                             size_t errcap) {
  return add_keylog_stream(r, f, name, err, errcap);
}

int rtg_replay_add_keylog(struct rtg_replay *r, const char *path, char *err, size_t errcap) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    snprintf(err, errcap, "cannot open key log %s", path);
    return -1;
  }
  return add_keylog_stream(r, f, path, err, errcap);
}

/* pcapng (draft-ietf-opsawg-pcapng §4.7): a Decryption Secrets Block
 * (type 0x0000000A) carries key material, type 0x544c534b ("TLSK") being an
 * NSS key log, as `editcap --inject-secrets tls,FILE` writes it. libpcap
 * skips these blocks, so the block list is walked here: only block headers
 * and DSBs are read, packets are left to libpcap. */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_DSB 0x0000000Au
#define DSB_TLS_KEYLOG 0x544c534bu

static uint32_t rd32(const uint8_t *p, bool be) {
  return be ? rtg_load_u32(p)
            : (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                  ((uint32_t)p[3] << 24);
}

int rtg_replay_scan_dsb(struct rtg_replay *r, const char *path, char *err, size_t errcap) {
  FILE *f = fopen(path, "rb");
  uint8_t hdr[12];
  bool be = false;
  int found = 0;
  if (f == NULL) return 0; /* the capture reader reports unreadable files */
  if (fread(hdr, 1, 12, f) != 12 || rtg_load_u32(hdr) != PCAPNG_SHB) {
    fclose(f);
    return 0; /* not pcapng: no DSBs */
  }
  be = rtg_load_u32(hdr + 8) == 0x1A2B3C4Du;
  if (fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return 0;
  }
  for (int guard = 0; guard < 10000000 && fread(hdr, 1, 12, f) == 12; guard++) {
    uint32_t type = rtg_load_u32(hdr) == PCAPNG_SHB ? PCAPNG_SHB : rd32(hdr, be);
    uint32_t len, stype, slen;
    if (type == PCAPNG_SHB) be = rtg_load_u32(hdr + 8) == 0x1A2B3C4Du;
    len = rd32(hdr + 4, be);
    if (len < 12 || len % 4) break; /* damaged: libpcap will report it */
    if (type == PCAPNG_DSB && len >= 20) {
      stype = rd32(hdr + 8, be);
      if (fread(hdr, 1, 4, f) != 4) break;
      slen = rd32(hdr, be);
      if (stype == DSB_TLS_KEYLOG && slen <= len - 20) {
        char *buf = malloc(slen + 1);
        FILE *mf;
        if (buf == NULL || fread(buf, 1, slen, f) != slen) {
          free(buf);
          break;
        }
        mf = fmemopen(buf, slen, "r");
        if (mf && add_keylog_stream(r, mf, path, err, errcap)) {
          free(buf);
          fclose(f);
          return -1;
        }
        free(buf);
        found++;
        if (fseek(f, (long)(len - 16 - slen), SEEK_CUR) != 0) break;
        continue;
      }
      if (fseek(f, (long)(len - 16), SEEK_CUR) != 0) break;
      continue;
    }
    if (fseek(f, (long)(len - 12), SEEK_CUR) != 0) break;
  }
  fclose(f);
  r->keylog_from_capture += (size_t)found;
  return 0;
}

size_t rtg_replay_keylog_matches(const struct rtg_replay *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->kl->n; i++)
    for (int k = 0; k < r->n_ch_random; k++)
      if (memcmp(r->kl->e[i].client_random, r->ch_random[k], 32) == 0) {
        n++;
        break;
      }
  return n;
}
