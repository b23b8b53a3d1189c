/*
 * sdp.c - the SDP files given with --sdp, parsed and validated by the
 * stack's SDP codec (rtg/sdp.h, RFC 8866), and the few things the replay
 * checks take from them: a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4),
 * a=fingerprint (RFC 8122 §5), the payload types of every m= line and their
 * a=rtpmap, a=extmap (RFC 8285), a=mid and BUNDLE (RFC 8843), a=rtcp-rsize
 * (RFC 5506) and the host candidates (for ice.private-address-exposed).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/replay.h"
#include "rtg/sdp.h"

static bool tok_is(struct rtg_sdp_tok t, const char *s) {
  return t.len == strlen(s) && memcmp(t.p, s, t.len) == 0;
}

/* The leading decimal number of |t| (at most 3 digits), or -1. */
static long tok_small_number(struct rtg_sdp_tok t) {
  long v = 0;
  if (t.len == 0 || t.len > 3) return -1;
  for (size_t i = 0; i < t.len; i++) {
    if (t.p[i] < '0' || t.p[i] > '9') return -1;
    v = v * 10 + (t.p[i] - '0');
  }
  return v;
}

static void take_mline(struct rtg_replay_sdp *si, const struct rtg_sdp *sdp, int media) {
  struct rtg_sdp_mline m;
  if (rtg_sdp_get_mline(sdp, media, &m)) return;
  /* the formats of an RTP m= line are payload types; a non-numeric one
   * (webrtc-datachannel) ends the list */
  for (size_t k = 0; k < m.nfmt && k < RTG_SDP_MAX_FMT; k++) {
    long pt = tok_small_number(m.fmt[k]);
    if (pt < 0) break;
    if (pt <= 127 && si->npts < sizeof si->pts) si->pts[si->npts++] = (uint8_t)pt;
  }
}

/* In a BUNDLE group one extmap id means one extension in every m= line
 * (RFC 8843 §9.2): the first id mapped to two URIs is kept for a finding. */
static void take_extmap(struct rtg_replay_sdp *si, const struct rtg_sdp *sdp, size_t i) {
  static const char mid_uri[] = "urn:ietf:params:rtp-hdrext:sdes:mid";
  struct rtg_sdp_extmap x;
  size_t n;
  if (rtg_sdp_get_extmap(sdp, i, &x) || x.id < 1 || x.id > 255) return;
  n = x.uri.len < sizeof si->extmap[0] - 1 ? x.uri.len : sizeof si->extmap[0] - 1;
  if (si->extmap[x.id][0] &&
      (strlen(si->extmap[x.id]) != n || strncmp(si->extmap[x.id], x.uri.p, n)) &&
      si->extmap_conflict[0] == '\0') {
    char before[64];
    snprintf(before, sizeof before, "%.60s", si->extmap[x.id]);
    snprintf(si->extmap_conflict, sizeof si->extmap_conflict, "id %u is %s and %.*s", x.id, before,
             (int)(n < 60 ? n : 60), x.uri.p);
  }
  memcpy(si->extmap[x.id], x.uri.p, n);
  si->extmap[x.id][n] = '\0';
  if (n == sizeof mid_uri - 1 && strncmp(x.uri.p, mid_uri, n) == 0) si->mid_ext_id = (int)x.id;
}

static void take_rtpmap(struct rtg_replay_sdp *si, const struct rtg_sdp *sdp, size_t i) {
  struct rtg_sdp_rtpmap m;
  if (rtg_sdp_get_rtpmap(sdp, i, &m) || m.pt > 127) return;
  si->mapped_pt[m.pt] = true;
  if (m.encoding.len == 3 && strncasecmp(m.encoding.p, "rtx", 3) == 0) si->rtx_pt[m.pt] = true;
}

/* Every candidate is counted (all relay = relay-only expected); host
 * candidates with an IP address (not an mDNS name) are kept for the
 * private-address rule (RFC 8828 §5.2). */
static void take_candidate(struct rtg_replay_sdp *si, const struct rtg_sdp *sdp, size_t i) {
  struct rtg_sdp_candidate c;
  struct rtg_replay_cand *rc;
  if (rtg_sdp_get_candidate(sdp, i, &c)) return;
  si->n_candidates++;
  if (c.type == RTG_SDP_CAND_RELAY) si->n_relay++;
  if (si->ncands >= RTG_REPLAY_MAX_SDP_CANDS || c.type != RTG_SDP_CAND_HOST || c.mdns ||
      c.family == 0 || c.addr.len >= sizeof si->cands[0].addr)
    return;
  rc = &si->cands[si->ncands];
  memset(rc, 0, sizeof *rc);
  memcpy(rc->addr, c.addr.p, c.addr.len);
  rc->addr[c.addr.len] = '\0';
  rc->net.family = c.family;
  rc->net.port = c.port;
  if (inet_pton(c.family == 4 ? AF_INET : AF_INET6, rc->addr, rc->net.ip) != 1) return;
  rc->lineno = sdp->lines[i].lineno;
  rc->tcp = c.tcp;
  si->ncands++;
}

static void take(struct rtg_replay_sdp *si, const struct rtg_sdp *sdp) {
  for (size_t i = 0; i < sdp->nlines; i++) {
    const struct rtg_sdp_line *l = &sdp->lines[i];
    if (l->type == 'm') {
      for (size_t m = 0; m < sdp->nmedia; m++)
        if (sdp->media[m] == i) take_mline(si, sdp, (int)m);
      continue;
    }
    if (l->type != 'a') continue;
    if (rtg_sdp_attr_is(sdp, i, "ice-ufrag") && si->ufrag[0] == '\0') {
      snprintf(si->ufrag, sizeof si->ufrag, "%.63s", rtg_sdp_attr_value(sdp, i));
    } else if (rtg_sdp_attr_is(sdp, i, "ice-pwd") && si->pwd[0] == '\0') {
      snprintf(si->pwd, sizeof si->pwd, "%.256s", rtg_sdp_attr_value(sdp, i));
    } else if (rtg_sdp_attr_is(sdp, i, "fingerprint") && si->fp_alg == 0) {
      struct rtg_sdp_fingerprint fp;
      if (rtg_sdp_get_fingerprint(sdp, i, &fp) == 0 && fp.len <= sizeof si->fp) {
        si->fp_alg = (int)fp.alg;
        memcpy(si->fp, fp.digest, fp.len);
        si->fp_len = fp.len;
      }
    } else if (rtg_sdp_attr_is(sdp, i, "extmap")) {
      take_extmap(si, sdp, i);
    } else if (rtg_sdp_attr_is(sdp, i, "rtpmap")) {
      take_rtpmap(si, sdp, i);
    } else if (rtg_sdp_attr_is(sdp, i, "rtcp-rsize")) {
      si->rtcp_rsize = true;
    } else if (rtg_sdp_attr_is(sdp, i, "group")) {
      struct rtg_sdp_group g;
      if (rtg_sdp_get_group(sdp, i, &g) == 0 && tok_is(g.semantics, "BUNDLE")) si->bundle = true;
    } else if (rtg_sdp_attr_is(sdp, i, "mid") && si->nmids < 32) {
      snprintf(si->mids[si->nmids++], sizeof si->mids[0], "%.32s", rtg_sdp_attr_value(sdp, i));
    } else if (rtg_sdp_attr_is(sdp, i, "candidate")) {
      take_candidate(si, sdp, i);
    }
  }
}

/* Reads at most RTG_SDP_MAX_LEN + 1 bytes of |path| into a new buffer. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  if (f == NULL) return NULL;
  buf = malloc(RTG_SDP_MAX_LEN + 1);
  if (buf != NULL) *len = fread(buf, 1, RTG_SDP_MAX_LEN + 1, f);
  fclose(f);
  return buf;
}

int rtg_replay_add_sdp(struct rtg_replay *r, const char *path, char *err, size_t errcap) {
  struct rtg_replay_sdp *si;
  struct rtg_sdp *sdp;
  struct rtg_perr e;
  size_t len = 0;
  char *text, msg[200];
  int rc;
  if (r->nsdp >= RTG_REPLAY_MAX_SDP) {
    snprintf(err, errcap, "%s: at most %d SDP files", path, RTG_REPLAY_MAX_SDP);
    return -1;
  }
  text = slurp(path, &len);
  if (text == NULL) {
    snprintf(err, errcap, "cannot open SDP file %s", path);
    return -1;
  }
  if (len == 0 || len > RTG_SDP_MAX_LEN || strncmp(text, "v=", len < 2 ? len : 2) != 0 || len < 2) {
    snprintf(err, errcap,
             len == 0 ? "%s: empty SDP file"
             : len > RTG_SDP_MAX_LEN
                 ? "%s: SDP file larger than 64 KiB"
                 : "%s: not an SDP file (line 1 must be \"v=0\", RFC 8866 §5.1)",
             path);
    free(text);
    return -1;
  }
  sdp = malloc(sizeof *sdp);
  if (sdp == NULL) {
    free(text);
    snprintf(err, errcap, "%s: out of memory", path);
    return -1;
  }
  rtg_perr_clear(&e);
  rc = rtg_sdp_parse(sdp, text, len, &e);
  if (rc) {
    rtg_perr_format(&e, msg, sizeof msg);
    snprintf(err, errcap, "%s:%u: malformed SDP: %s", path, rtg_sdp_line_at(text, len, e.offset),
             msg);
    free(sdp);
    free(text);
    return -1;
  }
  si = &r->sdp[r->nsdp];
  memset(si, 0, sizeof *si);
  snprintf(si->path, sizeof si->path, "%s", path);
  take(si, sdp);
  free(sdp);
  free(text);
  if (si->pwd[0] && rtg_stun_cred_init_short(&si->cred, si->pwd, strlen(si->pwd)) == 0)
    si->cred_ok = true;
  r->rtcp_rsize = r->rtcp_rsize || si->rtcp_rsize;
  r->nsdp++;
  return 0;
}
