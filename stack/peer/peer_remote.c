/*
 * peer_remote.c - rtg_peer_set_remote_description: what the remote
 * description says about the one BUNDLE transport (RFC 8843) is read and
 * checked first (ICE credentials RFC 8839 §5.4, fingerprint RFC 8842 §5.1,
 * setup RFC 8842 §5.3, SCTP port and message size RFC 8841), then applied
 * to the ICE agent, the DTLS role and the media sections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer/internal.h"

#define CK(x)            \
  do {                   \
    int rc_ = (x);       \
    if (rc_) return rc_; \
  } while (0)

struct remote_info {
  int tag; /* the BUNDLE-tag section: its transport is the one used */
  const char *ufrag, *pwd;
  bool lite;
  struct rtg_sdp_fingerprint fp;
  enum rtg_sdp_setup setup;
  bool data;
  uint16_t sctp_port;
  uint64_t mms;
};

static size_t line_off(const struct rtg_sdp *s, int m) {
  return m >= 0 && (size_t)m < s->nmedia ? s->lines[s->media[m]].offset : 0;
}

static int unacceptable(struct rtg_perr *perr, size_t off, const char *field, const char *reason,
                        const char *ref) {
  IGNORE(rtg_perr_set(perr, off, field, reason, ref));
  return RTG_ERR_UNSUPPORTED;
}

/* RFC 8843 §7.2.1: the first mid of the BUNDLE group names the section
 * whose transport everything shares; without BUNDLE, the first accepted. */
static int find_tag(const struct rtg_sdp *s) {
  size_t gi = 0;
  struct rtg_sdp_group g;
  while (rtg_sdp_attr_find(s, -1, "group", &gi) == 0) {
    if (rtg_sdp_get_group(s, gi, &g) == 0 && g.semantics.len == 6 &&
        memcmp(g.semantics.p, "BUNDLE", 6) == 0 && g.nids > 0) {
      for (size_t m = 0; m < s->nmedia; m++) {
        const char *mid = rtg_sdp_attr_get(s, (int)m, "mid", false);
        if (mid && strlen(mid) == g.ids[0].len && memcmp(mid, g.ids[0].p, g.ids[0].len) == 0)
          return (int)m;
      }
    }
    gi++;
  }
  for (size_t m = 0; m < s->nmedia; m++) {
    struct rtg_sdp_mline ml;
    if (rtg_sdp_get_mline(s, (int)m, &ml) == 0 && ml.port != 0) return (int)m;
  }
  return -1;
}

/* The first |name| attribute line of the tag section, else of the session. */
static bool find_attr(const struct rtg_sdp *s, int tag, const char *name, size_t *idx) {
  *idx = 0;
  if (rtg_sdp_attr_find(s, tag, name, idx) == 0) return true;
  *idx = 0;
  return rtg_sdp_attr_find(s, -1, name, idx) == 0;
}

static int read_dtls(const struct rtg_sdp *s, int type, struct remote_info *ri,
                     struct rtg_perr *perr) {
  size_t i;
  if (!find_attr(s, ri->tag, "fingerprint", &i) || rtg_sdp_get_fingerprint(s, i, &ri->fp) != 0)
    return unacceptable(perr, line_off(s, ri->tag), "sdp.a.fingerprint",
                        "no certificate fingerprint: DTLS could not be authenticated",
                        "RFC 8842 §5.1");
  if (rtg_hash_size(ri->fp.alg) == 0 || ri->fp.len != rtg_hash_size(ri->fp.alg))
    return unacceptable(perr, s->lines[i].offset, "sdp.a.fingerprint",
                        "unsupported fingerprint hash function", "RFC 8122 §5");
  ri->setup = RTG_SDP_SETUP_NONE;
  if (find_attr(s, ri->tag, "setup", &i)) ri->setup = rtg_sdp_get_setup(s, i);
  if (type == RTG_PEER_SDP_ANSWER && ri->setup == RTG_SDP_SETUP_ACTPASS)
    return unacceptable(perr, s->lines[i].offset, "sdp.a.setup",
                        "an answer must choose active or passive, not actpass", "RFC 8842 §5.3");
  if (ri->setup == RTG_SDP_SETUP_HOLDCONN)
    return unacceptable(perr, s->lines[i].offset, "sdp.a.setup",
                        "holdconn: no DTLS connection is allowed", "RFC 4145 §4");
  return 0;
}

static void read_sctp(const struct rtg_sdp *s, struct remote_info *ri) {
  ri->sctp_port = 5000;
  ri->mms = PEER_REMOTE_MMS;
  for (size_t m = 0; m < s->nmedia; m++) {
    struct rtg_sdp_mline ml;
    size_t i = 0;
    uint64_t v;
    if (rtg_sdp_get_mline(s, (int)m, &ml) || ml.kind != RTG_SDP_MEDIA_APPLICATION) continue;
    if (ml.port == 0 && !rtg_sdp_attr_get(s, (int)m, "bundle-only", false)) continue;
    ri->data = true;
    if (rtg_sdp_attr_find(s, (int)m, "sctp-port", &i) == 0 && rtg_sdp_get_number(s, i, &v) == 0 &&
        v > 0 && v < 65536)
      ri->sctp_port = (uint16_t)v;
    i = 0;
    if (rtg_sdp_attr_find(s, (int)m, "max-message-size", &i) == 0 &&
        rtg_sdp_get_number(s, i, &v) == 0)
      ri->mms = v == 0 ? UINT64_MAX : v; /* RFC 8841 §6: 0 = no limit */
    return;
  }
}

static int analyse(struct rtg_peer *p, const struct rtg_sdp *s, int type, struct remote_info *ri,
                   struct rtg_perr *perr) {
  memset(ri, 0, sizeof *ri);
  if ((ri->tag = find_tag(s)) < 0)
    return unacceptable(perr, 0, "sdp.m", "no media section to accept", "RFC 8829 §5.3.1");
  if (type == RTG_PEER_SDP_ANSWER && s->nmedia != p->local_sdp->nmedia)
    return unacceptable(perr, line_off(s, ri->tag), "sdp.m",
                        "the answer's sections do not match the offer's", "RFC 8829 §5.3.1");
  ri->ufrag = rtg_sdp_attr_get(s, ri->tag, "ice-ufrag", true);
  ri->pwd = rtg_sdp_attr_get(s, ri->tag, "ice-pwd", true);
  if (ri->ufrag == NULL || ri->pwd == NULL)
    return unacceptable(perr, line_off(s, ri->tag), ri->ufrag ? "sdp.a.ice-pwd" : "sdp.a.ice-ufrag",
                        "no ICE credentials for the BUNDLE transport", "RFC 8839 §5.4");
  ri->lite = rtg_sdp_attr_get(s, -1, "ice-lite", false) != NULL;
  if (ri->lite && p->cfg.ice_mode == RTG_ICE_LITE)
    return unacceptable(perr, 0, "sdp.a.ice-lite", "both sides are ICE lite", "RFC 8445 §6.1.1");
  CK(read_dtls(s, type, ri, perr));
  if (p->negotiated &&
      (ri->fp.alg != p->remote_fp_alg || memcmp(ri->fp.digest, p->remote_fp, ri->fp.len) != 0))
    return unacceptable(perr, line_off(s, ri->tag), "sdp.a.fingerprint",
                        "the certificate changed: DTLS renegotiation is not supported",
                        "RFC 8842 §5.5");
  read_sctp(s, ri);
  return 0;
}

/* ---- applying it ------------------------------------------------------------ */

/* Reads media section |m| of the remote description. A section known from
 * an earlier offer/answer (|known|) keeps its streams and echo state: JSEP
 * never removes an m= line, it only rejects or reuses it. */
static void read_section(struct rtg_peer *p, const struct rtg_sdp *s, int m, bool known) {
  struct peer_section *sc = &p->sect[m];
  struct rtg_sdp_mline ml;
  const char *mid = rtg_sdp_attr_get(s, m, "mid", false);
  size_t i = 0;
  struct peer_section keep = *sc;
  memset(sc, 0, sizeof *sc);
  sc->out_stream = sc->in_stream = -1;
  if (known) {
    sc->echo_src = keep.echo_src;
    sc->echo_seq = keep.echo_seq;
    sc->out_stream = keep.out_stream;
    sc->in_stream = keep.in_stream;
  }
  if (rtg_sdp_get_mline(s, m, &ml)) return;
  sc->kind = (int)ml.kind;
  sc->rejected = ml.port == 0 && !rtg_sdp_attr_get(s, m, "bundle-only", false);
  snprintf(sc->mid, sizeof sc->mid, "%s", mid ? mid : "");
  for (size_t k = 0; k < ml.nfmt && k < RTG_SDP_MAX_FMT; k++) {
    long v = strtol(ml.fmt[k].p, NULL, 10);
    if (v >= 0 && v < 128) sc->pts[sc->npts++] = (uint8_t)v;
  }
  while (rtg_sdp_attr_find(s, m, "ssrc", &i) == 0) {
    struct rtg_sdp_ssrc x;
    bool dup = false;
    if (rtg_sdp_get_ssrc(s, i, &x) == 0) {
      for (size_t k = 0; k < sc->nremote_ssrcs; k++) dup = dup || sc->remote_ssrcs[k] == x.ssrc;
      if (!dup && sc->nremote_ssrcs < 8) sc->remote_ssrcs[sc->nremote_ssrcs++] = x.ssrc;
    }
    i++;
  }
  if (ml.kind == RTG_SDP_MEDIA_AUDIO || ml.kind == RTG_SDP_MEDIA_VIDEO)
    sc->local_ssrc = rtg_peer_local_ssrc(p, (int)ml.kind);
}

static void add_candidates(struct rtg_peer *p, const struct rtg_sdp *s, int tag) {
  size_t i = 0;
  while (rtg_sdp_attr_find(s, tag, "candidate", &i) == 0) {
    struct rtg_sdp_candidate sc;
    struct rtg_ice_cand c;
    if (rtg_sdp_get_candidate(s, i, &sc) == 0 && sc.component == 1 &&
        rtg_sdp_candidate_to_ice(&sc, &c) == 0) {
      if (rtg_ice_agent_add_remote_candidate(p->ice, &c) == RTG_ERR_NOBUF) break;
      if (c.hostname[0] == '\0') peer_turn_permit(p, &c.addr);
    }
    i++;
  }
  i = 0;
  if (rtg_sdp_attr_find(s, tag, "end-of-candidates", &i) == 0 ||
      rtg_sdp_attr_get(s, -1, "end-of-candidates", false))
    rtg_ice_agent_end_of_candidates(p->ice);
}

static int apply_ice(struct rtg_peer *p, const struct rtg_sdp *s, int type,
                     const struct remote_info *ri) {
  bool changed = p->remote_ufrag[0] &&
                 (strcmp(p->remote_ufrag, ri->ufrag) != 0 || strcmp(p->remote_pwd, ri->pwd) != 0);
  if (strlen(ri->ufrag) > RTG_ICE_MAX_CRED || strlen(ri->pwd) > RTG_ICE_MAX_CRED)
    return RTG_ERR_UNSUPPORTED;
  p->remote_lite = ri->lite;
  if (p->ice == NULL)
    CK(peer_ice_create(p, ri->lite));
  else if (changed && type == RTG_PEER_SDP_OFFER)
    CK(peer_remote_restart(p));
  if (p->remote_ufrag[0] == '\0' || changed) {
    CK(rtg_ice_agent_set_remote_credentials(p->ice, ri->ufrag, ri->pwd));
    memcpy(p->remote_ufrag, ri->ufrag, strlen(ri->ufrag) + 1);
    memcpy(p->remote_pwd, ri->pwd, strlen(ri->pwd) + 1);
    add_candidates(p, s, ri->tag);
  }
  return 0;
}

static enum rtg_dtls_role role_from_answer(enum rtg_sdp_setup remote) {
  /* RFC 8842 §5.3: the answerer's active makes it the DTLS client */
  return remote == RTG_SDP_SETUP_PASSIVE ? RTG_DTLS_ROLE_CLIENT : RTG_DTLS_ROLE_SERVER;
}

int rtg_peer_set_remote_description(struct rtg_peer *p, rtg_time now, int type, const char *sdp,
                                    size_t len, struct rtg_perr *perr) {
  struct remote_info ri;
  if (type != RTG_PEER_SDP_OFFER && type != RTG_PEER_SDP_ANSWER) return RTG_ERR_INVAL;
  if (type == RTG_PEER_SDP_OFFER && p->state != PEER_NEW && p->state != PEER_STABLE)
    return RTG_ERR_STATE;
  if (type == RTG_PEER_SDP_ANSWER && p->state != PEER_HAVE_LOCAL_OFFER) return RTG_ERR_STATE;
  if (now > p->now) p->now = now;
  CK(rtg_sdp_parse(p->scratch, sdp, len, perr));
  CK(analyse(p, p->scratch, type, &ri, perr));
  memcpy(p->remote_sdp, p->scratch, sizeof *p->remote_sdp);
  ri.ufrag = rtg_sdp_attr_get(p->remote_sdp, ri.tag, "ice-ufrag", true);
  ri.pwd = rtg_sdp_attr_get(p->remote_sdp, ri.tag, "ice-pwd", true);
  p->remote_setup = ri.setup;
  p->remote_fp_alg = ri.fp.alg;
  memcpy(p->remote_fp, ri.fp.digest, ri.fp.len);
  p->remote_data = ri.data;
  p->remote_sctp_port = ri.sctp_port;
  p->remote_mms = ri.mms;
  {
    size_t n =
        p->remote_sdp->nmedia < RTG_PEER_MAX_MEDIA ? p->remote_sdp->nmedia : RTG_PEER_MAX_MEDIA;
    for (size_t m = 0; m < n; m++) read_section(p, p->remote_sdp, (int)m, m < p->nsect);
    if (n > p->nsect) p->nsect = n;
  }
  CK(apply_ice(p, p->remote_sdp, type, &ri));
  if (type == RTG_PEER_SDP_OFFER) {
    p->state = PEER_HAVE_REMOTE_OFFER;
  } else {
    p->state = PEER_STABLE;
    if (p->dtls == NULL) {
      p->dtls_role = role_from_answer(ri.setup);
      CK(peer_dtls_start(p, now));
      peer_dtls_early_replay(p, now);
    }
    p->negotiated = true;
  }
  peer_pump(p);
  return 0;
}
