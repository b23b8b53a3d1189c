/*
 * sdp.c - reads the few SDP attributes the replay checks need (RFC 8866
 * line syntax): a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4), a=fingerprint
 * (RFC 8122 §5) and the payload types of every m= line. The full SDP codec
 * belongs to stack/sdp; this reader only looks up these lines.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ')) s[--n] = '\0';
}

static int parse_fingerprint(struct rtg_sdp_info *si, const char *v) {
  char alg[16];
  const char *sp = strchr(v, ' ');
  ptrdiff_t n;
  if (sp == NULL || (size_t)(sp - v) >= sizeof alg) return -1;
  memcpy(alg, v, (size_t)(sp - v));
  alg[sp - v] = '\0';
  si->fp_alg = (int)rtg_hash_from_name(alg);
  if (si->fp_alg == 0) return -1;
  n = rtg_hex_decode(si->fp, sizeof si->fp, sp + 1, strlen(sp + 1), NULL);
  if (n <= 0) return -1;
  si->fp_len = (size_t)n;
  return 0;
}

static void parse_mline(struct rtg_sdp_info *si, const char *v) {
  /* m=<media> <port> <proto> <fmt> ... */
  const char *p = v;
  for (int field = 0; field < 3 && p; field++) {
    p = strchr(p, ' ');
    if (p) p++;
  }
  while (p && *p) {
    char *end;
    long pt = strtol(p, &end, 10);
    if (end == p) break;
    if (pt >= 0 && pt <= 127 && si->npts < sizeof si->pts) si->pts[si->npts++] = (uint8_t)pt;
    p = *end ? end + 1 : end;
  }
}

int rtg_replay_add_sdp(struct rtg_replay *r, const char *path, char *err, size_t errcap) {
  FILE *f;
  char line[4096];
  struct rtg_sdp_info *si;
  int lineno = 0;
  if (r->nsdp >= RTG_REPLAY_MAX_SDP) {
    snprintf(err, errcap, "%s: at most %d SDP files", path, RTG_REPLAY_MAX_SDP);
    return -1;
  }
  f = fopen(path, "r");
  if (f == NULL) {
    snprintf(err, errcap, "cannot open SDP file %s", path);
    return -1;
  }
  si = &r->sdp[r->nsdp];
  memset(si, 0, sizeof *si);
  snprintf(si->path, sizeof si->path, "%s", path);
  while (fgets(line, sizeof line, f)) {
    lineno++;
    trim(line);
    if (lineno == 1 && strncmp(line, "v=", 2) != 0) {
      fclose(f);
      snprintf(err, errcap, "%s: not an SDP file (line 1 must be \"v=0\", RFC 8866 §5.1)", path);
      return -1;
    }
    if (strncmp(line, "a=ice-ufrag:", 12) == 0 && si->ufrag[0] == '\0')
      snprintf(si->ufrag, sizeof si->ufrag, "%.63s", line + 12);
    else if (strncmp(line, "a=ice-pwd:", 10) == 0 && si->pwd[0] == '\0')
      snprintf(si->pwd, sizeof si->pwd, "%.256s", line + 10);
    else if (strncmp(line, "a=fingerprint:", 14) == 0 && si->fp_alg == 0) {
      if (parse_fingerprint(si, line + 14)) {
        fclose(f);
        snprintf(err, errcap, "%s:%d: malformed a=fingerprint (RFC 8122 §5)", path, lineno);
        return -1;
      }
    } else if (strncmp(line, "m=", 2) == 0) {
      parse_mline(si, line + 2);
    }
  }
  fclose(f);
  if (lineno == 0) {
    snprintf(err, errcap, "%s: empty SDP file", path);
    return -1;
  }
  if (si->pwd[0] && rtg_stun_cred_init_short(&si->cred, si->pwd, strlen(si->pwd)) == 0)
    si->cred_ok = true;
  r->nsdp++;
  return 0;
}
