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
#include <strings.h>

#include "engine/replay.h"

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ')) s[--n] = '\0';
}

static int parse_fingerprint(struct rtg_replay_sdp *si, const char *v) {
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

static void parse_mline(struct rtg_replay_sdp *si, const char *v) {
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

/* a=extmap:<id>[/<direction>] <URI> [<attributes>] (RFC 8285 §6). In a
 * BUNDLE group one id means one extension in every m= line (RFC 8843 §9.2). */
static void parse_extmap(struct rtg_replay_sdp *si, const char *v) {
  static const char mid_uri[] = "urn:ietf:params:rtp-hdrext:sdes:mid";
  char *end;
  long id = strtol(v, &end, 10);
  const char *uri;
  size_t n;
  if (end == v || id < 1 || id > 255) return;
  uri = strchr(end, ' ');
  if (uri == NULL) return;
  uri++;
  n = strcspn(uri, " ");
  if (n >= sizeof si->extmap[0]) n = sizeof si->extmap[0] - 1;
  if (si->extmap[id][0] && (strlen(si->extmap[id]) != n || strncmp(si->extmap[id], uri, n)) &&
      si->extmap_conflict[0] == '\0') {
    char before[64];
    snprintf(before, sizeof before, "%.60s", si->extmap[id]);
    snprintf(si->extmap_conflict, sizeof si->extmap_conflict, "id %ld is %s and %.*s", id, before,
             (int)(n < 60 ? n : 60), uri);
  }
  memcpy(si->extmap[id], uri, n);
  si->extmap[id][n] = '\0';
  if (n == sizeof mid_uri - 1 && strncmp(uri, mid_uri, n) == 0) si->mid_ext_id = (int)id;
}

int rtg_replay_add_sdp(struct rtg_replay *r, const char *path, char *err, size_t errcap) {
  FILE *f;
  char line[4096];
  struct rtg_replay_sdp *si;
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
    } else if (strncmp(line, "a=extmap:", 9) == 0) {
      parse_extmap(si, line + 9);
    } else if (strncmp(line, "a=rtpmap:", 9) == 0) {
      char *end;
      long pt = strtol(line + 9, &end, 10);
      if (end != line + 9 && pt >= 0 && pt < 128) {
        si->mapped_pt[pt] = true;
        if (strncasecmp(end, " rtx/", 5) == 0) si->rtx_pt[pt] = true;
      }
    } else if (strcmp(line, "a=rtcp-rsize") == 0) {
      si->rtcp_rsize = true;
    } else if (strncmp(line, "a=group:BUNDLE", 14) == 0) {
      si->bundle = true;
    } else if (strncmp(line, "a=mid:", 6) == 0 && si->nmids < 32) {
      snprintf(si->mids[si->nmids++], sizeof si->mids[0], "%.32s", line + 6);
    }
  }
  fclose(f);
  if (lineno == 0) {
    snprintf(err, errcap, "%s: empty SDP file", path);
    return -1;
  }
  if (si->pwd[0] && rtg_stun_cred_init_short(&si->cred, si->pwd, strlen(si->pwd)) == 0)
    si->cred_ok = true;
  r->rtcp_rsize = r->rtcp_rsize || si->rtcp_rsize;
  r->nsdp++;
  return 0;
}
