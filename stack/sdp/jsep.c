/*
 * jsep.c - JSEP (RFC 8829) offers and answers for one BUNDLE transport
 * (RFC 8843) with rtcp-mux (RFC 5761), DTLS-SRTP (RFC 8842) and SCTP data
 * channels (RFC 8841).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp/internal.h"

#define CK(x)            \
  do {                   \
    int rc_ = (x);       \
    if (rc_) return rc_; \
  } while (0)

static const char *const REF_JSEP = "RFC 8829 §5.3.1";

static int check_local(const struct rtg_jsep_local *l, bool answer) {
  struct rtg_sdp_tok u, p;
  if (l == NULL || l->ice_ufrag == NULL || l->ice_pwd == NULL || l->fp == NULL)
    return RTG_ERR_INVAL;
  u = (struct rtg_sdp_tok){l->ice_ufrag, strlen(l->ice_ufrag)};
  p = (struct rtg_sdp_tok){l->ice_pwd, strlen(l->ice_pwd)};
  if (!sdp_tok_is_ice(u, 4, 256) || !sdp_tok_is_ice(p, 22, 256)) return RTG_ERR_INVAL;
  if (rtg_hash_size(l->fp_alg) == 0 || rtg_hash_name(l->fp_alg) == NULL) return RTG_ERR_INVAL;
  if (answer && l->setup != RTG_SDP_SETUP_ACTIVE && l->setup != RTG_SDP_SETUP_PASSIVE)
    return RTG_ERR_INVAL;
  if (l->sess_id == 0 || l->sess_id > (uint64_t)INT64_MAX) return RTG_ERR_INVAL;
  if (l->candidates) {
    for (size_t i = 0; l->candidates[i]; i++) {
      struct rtg_sdp_candidate c;
      if (rtg_sdp_candidate_parse(l->candidates[i], strlen(l->candidates[i]), &c, NULL))
        return RTG_ERR_INVAL;
    }
  }
  return 0;
}

/* The session part shared by offers and answers (RFC 8829 §5.2.1). */
static int add_session(struct rtg_sdp *s, const struct rtg_jsep_local *l, const char *bundle,
                       bool allow_mixed) {
  rtg_sdp_init(s);
  CK(rtg_sdp_add(s, 'v', "0"));
  CK(rtg_sdp_add(s, 'o', "- %llu %llu IN IP4 127.0.0.1", (unsigned long long)l->sess_id,
                 (unsigned long long)l->sess_version));
  CK(rtg_sdp_add(s, 's', "-"));
  CK(rtg_sdp_add(s, 't', "0 0"));
  if (bundle && bundle[0]) CK(rtg_sdp_add(s, 'a', "group:BUNDLE %s", bundle));
  if (allow_mixed) CK(rtg_sdp_add(s, 'a', "extmap-allow-mixed"));
  CK(rtg_sdp_add(s, 'a', "msid-semantic: WMS %s", l->msid_stream ? l->msid_stream : "*"));
  return 0;
}

/* The default candidate (RFC 8839 §4.2.1.1): the first local one, for the
 * m= port and c= address of the BUNDLE-tag section when not trickling. */
static void default_addr(const struct rtg_jsep_local *l, bool with_cands, char *addr, size_t cap,
                         uint16_t *port) {
  struct rtg_sdp_candidate c;
  snprintf(addr, cap, "IP4 0.0.0.0");
  *port = 9;
  if (!with_cands || l->trickle || l->candidates == NULL || l->candidates[0] == NULL) return;
  if (rtg_sdp_candidate_parse(l->candidates[0], strlen(l->candidates[0]), &c, NULL)) return;
  if (c.family == 0 || c.addr.len > 64) return;
  snprintf(addr, cap, "IP%d %.*s", c.family, (int)c.addr.len, c.addr.p);
  *port = c.port;
}

/* Transport attributes of an accepted section (RFC 8829 §5.2.1, §5.3.1):
 * ICE credentials, fingerprint, setup, candidates in the BUNDLE-tag section
 * when not trickling. */
static int add_transport(struct rtg_sdp *s, const struct rtg_jsep_local *l,
                         enum rtg_sdp_setup setup, bool with_cands) {
  char fp[3 * RTG_HASH_MAX + 1];
  size_t n = rtg_hash_size(l->fp_alg);
  if (with_cands && !l->trickle && l->candidates) {
    for (size_t i = 0; l->candidates[i]; i++) {
      const char *c = l->candidates[i];
      if (strncmp(c, "a=", 2) == 0) c += 2;
      if (strncmp(c, "candidate:", 10) == 0) c += 10;
      CK(rtg_sdp_add(s, 'a', "candidate:%s", c));
    }
  }
  CK(rtg_sdp_add(s, 'a', "ice-ufrag:%s", l->ice_ufrag));
  CK(rtg_sdp_add(s, 'a', "ice-pwd:%s", l->ice_pwd));
  if (l->trickle) CK(rtg_sdp_add(s, 'a', "ice-options:trickle"));
  if (with_cands && !l->trickle) CK(rtg_sdp_add(s, 'a', "end-of-candidates"));
  if (rtg_hex_encode(fp, sizeof fp, l->fp, n, ':', true) < 0) return RTG_ERR_INVAL;
  CK(rtg_sdp_add(s, 'a', "fingerprint:%s %s", rtg_hash_name(l->fp_alg), fp));
  CK(rtg_sdp_add(s, 'a', "setup:%s", rtg_sdp_setup_name(setup)));
  return 0;
}

/* ---- answer --------------------------------------------------------------- */

/* Static payload types a browser may offer without rtpmap (RFC 3551 §6). */
static const char *static_encoding(int pt) {
  switch (pt) {
    case 0: return "PCMU";
    case 8: return "PCMA";
    case 9: return "G722";
    case 13: return "CN";
    default: return NULL;
  }
}

static bool codec_wanted(const struct rtg_jsep_local *l, struct rtg_sdp_tok enc) {
  if (l->codecs == NULL) return true;
  for (size_t i = 0; l->codecs[i]; i++)
    if (sdp_tok_ieq(enc, l->codecs[i])) return true;
  return false;
}

/* What the offer says about one payload type of a section. */
struct pt_info {
  int pt;
  struct rtg_sdp_tok enc;
  int apt;  /* rtx: apt=, else -1 */
  bool fec; /* red / ulpfec / flexfec: protects the primary codecs */
  bool accept;
};

static int tok_pt(struct rtg_sdp_tok t) {
  uint64_t v;
  return sdp_tok_uint(t, 3, 127, &v) ? (int)v : -1;
}

static void scan_pts(const struct rtg_sdp *o, int m, const struct rtg_sdp_mline *ml,
                     const struct rtg_jsep_local *l, struct pt_info *pi, size_t *npi) {
  size_t first, end, n = 0;
  bool primary = false;
  *npi = 0;
  if (rtg_sdp_section(o, m, &first, &end)) return;
  for (size_t k = 0; k < ml->nfmt && k < RTG_SDP_MAX_FMT; k++) {
    struct pt_info *p = &pi[n];
    const char *st;
    memset(p, 0, sizeof *p);
    p->pt = tok_pt(ml->fmt[k]);
    p->apt = -1;
    if (p->pt < 0) continue;
    st = static_encoding(p->pt);
    if (st) p->enc = (struct rtg_sdp_tok){st, strlen(st)};
    for (size_t i = first; i < end; i++) {
      struct rtg_sdp_rtpmap r;
      struct rtg_sdp_pt_value f;
      if (rtg_sdp_get_rtpmap(o, i, &r) == 0 && r.pt == p->pt) p->enc = r.encoding;
      if (rtg_sdp_get_fmtp(o, i, &f) == 0 && f.pt == p->pt && f.value.len > 4 &&
          memcmp(f.value.p, "apt=", 4) == 0) {
        struct rtg_sdp_tok a = {f.value.p + 4, 0};
        while (4 + a.len < f.value.len && a.p[a.len] >= '0' && a.p[a.len] <= '9') a.len++;
        p->apt = tok_pt(a);
      }
    }
    if (p->enc.p == NULL) continue; /* dynamic pt without rtpmap: not usable */
    p->fec = sdp_tok_ieq(p->enc, "red") || sdp_tok_ieq(p->enc, "ulpfec") ||
             sdp_tok_ieq(p->enc, "flexfec-03");
    bool rtx = sdp_tok_ieq(p->enc, "rtx");
    p->accept = !rtx && !p->fec && !sdp_tok_ieq(p->enc, "CN") &&
                !sdp_tok_ieq(p->enc, "telephone-event") && codec_wanted(l, p->enc);
    primary = primary || p->accept;
    n++;
  }
  /* red/ulpfec are kept when the caller lists them or accepts everything,
   * rtx when its apt codec is kept (RFC 4588 §8.6) */
  for (size_t k = 0; k < n; k++)
    if (pi[k].fec && primary && codec_wanted(l, pi[k].enc)) pi[k].accept = true;
  for (size_t k = 0; k < n; k++) {
    if (!sdp_tok_ieq(pi[k].enc, "rtx")) continue;
    for (size_t j = 0; j < n; j++)
      if (pi[j].pt == pi[k].apt && pi[j].accept && !sdp_tok_ieq(pi[j].enc, "rtx"))
        pi[k].accept = true;
  }
  *npi = n;
}

/* Header extensions the reference stack understands (RFC 8843 §15, RFC
 * 8852 §3): the answer keeps these when offered, with the offered ids. */
static bool extmap_known(struct rtg_sdp_tok uri) {
  return sdp_tok_eq(uri, "urn:ietf:params:rtp-hdrext:sdes:mid") ||
         sdp_tok_eq(uri, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id") ||
         sdp_tok_eq(uri, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id") ||
         sdp_tok_eq(uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
}

enum sect_kind { SECT_REJECT = 0, SECT_RTP, SECT_DATA };

static enum rtg_sdp_dir answer_dir(enum rtg_sdp_dir offered) {
  switch (offered) {
    case RTG_SDP_DIR_SENDONLY: return RTG_SDP_DIR_RECVONLY;
    case RTG_SDP_DIR_RECVONLY: return RTG_SDP_DIR_SENDONLY;
    case RTG_SDP_DIR_INACTIVE: return RTG_SDP_DIR_INACTIVE;
    case RTG_SDP_DIR_SENDRECV:
    default: return RTG_SDP_DIR_SENDRECV;
  }
}

static int answer_rtp(struct rtg_sdp *a, const struct rtg_sdp *o, int m,
                      const struct rtg_sdp_mline *ml, const struct rtg_jsep_local *l,
                      const struct pt_info *pi, size_t npi, bool tag, const char *mid) {
  char fmts[4 * RTG_SDP_MAX_FMT + 1] = "", addr[96];
  size_t first, end, nf = 0;
  uint16_t port;
  enum rtg_sdp_dir dir = answer_dir(rtg_sdp_direction(o, m));
  for (size_t k = 0; k < npi; k++)
    if (pi[k].accept) nf += (size_t)snprintf(fmts + nf, sizeof fmts - nf, " %d", pi[k].pt);
  default_addr(l, tag, addr, sizeof addr, &port);
  CK(rtg_sdp_add(a, 'm', "%.*s %u %.*s%s", (int)ml->media.len, ml->media.p, port,
                 (int)ml->proto.len, ml->proto.p, fmts));
  CK(rtg_sdp_add(a, 'c', "IN %s", addr));
  CK(add_transport(a, l, l->setup, tag));
  CK(rtg_sdp_add(a, 'a', "mid:%s", mid));
  if (rtg_sdp_section(o, m, &first, &end)) return RTG_ERR_INVAL;
  for (size_t i = first; i < end; i++) {
    struct rtg_sdp_extmap x;
    if (rtg_sdp_get_extmap(o, i, &x) == 0 && extmap_known(x.uri))
      CK(rtg_sdp_add(a, 'a', "extmap:%u %.*s", x.id, (int)x.uri.len, x.uri.p));
  }
  CK(rtg_sdp_add(a, 'a', "%s", rtg_sdp_dir_name(dir)));
  if (l->msid_stream && (dir == RTG_SDP_DIR_SENDRECV || dir == RTG_SDP_DIR_SENDONLY))
    CK(rtg_sdp_add(a, 'a', "msid:%s %s-%s", l->msid_stream, l->msid_stream, mid));
  CK(rtg_sdp_add(a, 'a', "rtcp-mux"));
  if (rtg_sdp_attr_get(o, m, "rtcp-rsize", false)) CK(rtg_sdp_add(a, 'a', "rtcp-rsize"));
  /* codecs: rtpmap, fmtp and rtcp-fb passed through for kept payload types */
  for (size_t k = 0; k < npi; k++) {
    if (!pi[k].accept) continue;
    for (size_t i = first; i < end; i++) {
      struct rtg_sdp_rtpmap r;
      struct rtg_sdp_pt_value v;
      if ((rtg_sdp_get_rtpmap(o, i, &r) == 0 && r.pt == pi[k].pt) ||
          (rtg_sdp_get_rtcp_fb(o, i, &v) == 0 && v.pt == pi[k].pt) ||
          (rtg_sdp_get_fmtp(o, i, &v) == 0 && v.pt == pi[k].pt))
        CK(rtg_sdp_add_line(a, o, i));
    }
  }
  for (size_t i = first; i < end; i++) {
    struct rtg_sdp_pt_value v;
    if (rtg_sdp_get_rtcp_fb(o, i, &v) == 0 && v.pt == -1) CK(rtg_sdp_add_line(a, o, i));
  }
  return 0;
}

static int answer_data(struct rtg_sdp *a, const struct rtg_sdp_mline *ml,
                       const struct rtg_jsep_local *l, bool tag, const char *mid) {
  char addr[96];
  uint16_t port;
  default_addr(l, tag, addr, sizeof addr, &port);
  CK(rtg_sdp_add(a, 'm', "application %u %.*s webrtc-datachannel", port, (int)ml->proto.len,
                 ml->proto.p));
  CK(rtg_sdp_add(a, 'c', "IN %s", addr));
  CK(add_transport(a, l, l->setup, tag));
  CK(rtg_sdp_add(a, 'a', "mid:%s", mid));
  CK(rtg_sdp_add(a, 'a', "sctp-port:%u", l->sctp_port ? l->sctp_port : 5000));
  CK(rtg_sdp_add(a, 'a', "max-message-size:%llu",
                 (unsigned long long)(l->max_message_size ? l->max_message_size : 262144)));
  return 0;
}

/* RFC 8829 §5.3.1: a rejected section keeps its kind, proto and formats,
 * with port 0, and its mid. */
static int answer_reject(struct rtg_sdp *a, const struct rtg_sdp *o, int m, const char *mid) {
  const char *v = rtg_sdp_value(o, o->media[m]);
  const char *sp = strchr(v, ' ');
  const char *rest = sp ? strchr(sp + 1, ' ') : NULL;
  if (sp == NULL || rest == NULL) return RTG_ERR_PARSE;
  CK(rtg_sdp_add(a, 'm', "%.*s 0%s", (int)(sp - v), v, rest));
  CK(rtg_sdp_add(a, 'c', "IN IP4 0.0.0.0"));
  if (mid) CK(rtg_sdp_add(a, 'a', "mid:%s", mid));
  return 0;
}

static bool in_group(const struct rtg_sdp_group *g, const char *mid) {
  for (size_t j = 0; j < g->nids; j++)
    if (mid && sdp_tok_eq(g->ids[j], mid)) return true;
  return false;
}

int rtg_jsep_answer(const struct rtg_sdp *offer, const struct rtg_jsep_local *l,
                    struct rtg_sdp *answer, struct rtg_perr *perr) {
  enum sect_kind kind[RTG_SDP_MAX_MEDIA];
  const char *mids[RTG_SDP_MAX_MEDIA];
  struct rtg_sdp_group bundle;
  char group[1024] = "";
  size_t gl = 0, gi = 0, naccept = 0;
  bool have_bundle = false;
  int tag = -1;
  CK(check_local(l, true));
  CK(rtg_sdp_validate(offer, perr));
  memset(&bundle, 0, sizeof bundle);
  while (rtg_sdp_attr_find(offer, -1, "group", &gi) == 0) {
    if (rtg_sdp_get_group(offer, gi, &bundle) == 0 && sdp_tok_eq(bundle.semantics, "BUNDLE")) {
      have_bundle = true;
      break;
    }
    gi++;
  }
  /* decide what to accept */
  for (size_t m = 0; m < offer->nmedia; m++) {
    struct rtg_sdp_mline ml;
    struct pt_info pi[RTG_SDP_MAX_FMT];
    size_t npi = 0;
    bool any = false;
    kind[m] = SECT_REJECT;
    mids[m] = rtg_sdp_attr_get(offer, (int)m, "mid", false);
    if (rtg_sdp_get_mline(offer, (int)m, &ml) || mids[m] == NULL) continue;
    /* port 0 rejects a section, unless it is bundle-only (RFC 8843 §6) */
    if (ml.port == 0 && rtg_sdp_attr_get(offer, (int)m, "bundle-only", false) == NULL) continue;
    /* a single transport: without BUNDLE only the first section is usable */
    if (have_bundle ? !in_group(&bundle, mids[m]) : naccept > 0) continue;
    if (ml.kind == RTG_SDP_MEDIA_APPLICATION) {
      if (sdp_tok_eq(ml.proto, "UDP/DTLS/SCTP") && ml.nfmt == 1 &&
          sdp_tok_eq(ml.fmt[0], "webrtc-datachannel"))
        kind[m] = SECT_DATA;
    } else if ((ml.kind == RTG_SDP_MEDIA_AUDIO || ml.kind == RTG_SDP_MEDIA_VIDEO) &&
               (sdp_tok_eq(ml.proto, "UDP/TLS/RTP/SAVPF") ||
                sdp_tok_eq(ml.proto, "UDP/TLS/RTP/SAVP")) &&
               rtg_sdp_attr_get(offer, (int)m, "rtcp-mux", false)) {
      scan_pts(offer, (int)m, &ml, l, pi, &npi);
      for (size_t k = 0; k < npi; k++) any = any || pi[k].accept;
      if (any) kind[m] = SECT_RTP;
    }
    if (kind[m] == SECT_REJECT) continue;
    if (rtg_sdp_attr_get(offer, (int)m, "setup", true) == NULL ||
        rtg_sdp_attr_get(offer, (int)m, "fingerprint", true) == NULL ||
        rtg_sdp_attr_get(offer, (int)m, "ice-ufrag", true) == NULL ||
        rtg_sdp_attr_get(offer, (int)m, "ice-pwd", true) == NULL) {
      (void)rtg_perr_set(perr, offer->lines[offer->media[m]].offset, "sdp.m",
                         "section lacks ice-ufrag, ice-pwd, fingerprint or setup", REF_JSEP);
      return RTG_ERR_UNSUPPORTED;
    }
    if (tag < 0) tag = (int)m;
    naccept++;
    gl += (size_t)snprintf(group + gl, sizeof group - gl, "%s%s", gl ? " " : "", mids[m]);
    if (gl >= sizeof group) return RTG_ERR_NOBUF;
  }
  if (naccept == 0) {
    (void)rtg_perr_set(perr, 0, "sdp.m", "no section of the offer can be accepted", REF_JSEP);
    return RTG_ERR_UNSUPPORTED;
  }
  CK(add_session(answer, l, have_bundle ? group : NULL,
                 rtg_sdp_attr_get(offer, -1, "extmap-allow-mixed", false) != NULL));
  for (size_t m = 0; m < offer->nmedia; m++) {
    struct rtg_sdp_mline ml;
    if (rtg_sdp_get_mline(offer, (int)m, &ml)) return RTG_ERR_PARSE;
    switch (kind[m]) {
      case SECT_RTP: {
        struct pt_info pi[RTG_SDP_MAX_FMT];
        size_t npi = 0;
        scan_pts(offer, (int)m, &ml, l, pi, &npi);
        CK(answer_rtp(answer, offer, (int)m, &ml, l, pi, npi, (int)m == tag, mids[m]));
        break;
      }
      case SECT_DATA: CK(answer_data(answer, &ml, l, (int)m == tag, mids[m])); break;
      case SECT_REJECT:
      default: CK(answer_reject(answer, offer, (int)m, mids[m])); break;
    }
  }
  return rtg_sdp_validate(answer, perr);
}

/* ---- offer ---------------------------------------------------------------- */

/* The codecs rtcgate offers (payload type numbers as Chromium uses them). */
struct offer_codec {
  int pt, rtx;
  const char *rtpmap, *fmtp, *name;
};
static const struct offer_codec video_codecs[] = {
    {96, 97, "VP8/90000", NULL, "VP8"},
    {98, 99, "VP9/90000", "profile-id=0", "VP9"},
    {102, 103, "H264/90000",
     "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", "H264"},
};

static int offer_media(struct rtg_sdp *s, const struct rtg_jsep_local *l, const char *kind, int mid,
                       bool tag) {
  char addr[96], fmts[128] = "";
  size_t nf = 0;
  uint16_t port;
  bool audio = strcmp(kind, "audio") == 0;
  default_addr(l, tag, addr, sizeof addr, &port);
  if (audio) {
    if (codec_wanted(l, (struct rtg_sdp_tok){"opus", 4}))
      nf += (size_t)snprintf(fmts, sizeof fmts, " 111");
  } else {
    for (size_t k = 0; k < sizeof video_codecs / sizeof video_codecs[0]; k++)
      if (codec_wanted(l, (struct rtg_sdp_tok){video_codecs[k].name, strlen(video_codecs[k].name)}))
        nf += (size_t)snprintf(fmts + nf, sizeof fmts - nf, " %d %d", video_codecs[k].pt,
                               video_codecs[k].rtx);
  }
  if (nf == 0) return 0; /* nothing to offer for this kind */
  CK(rtg_sdp_add(s, 'm', "%s %u UDP/TLS/RTP/SAVPF%s", kind, port, fmts));
  CK(rtg_sdp_add(s, 'c', "IN %s", addr));
  CK(rtg_sdp_add(s, 'a', "rtcp:9 IN IP4 0.0.0.0"));
  CK(add_transport(s, l, RTG_SDP_SETUP_ACTPASS, tag));
  CK(rtg_sdp_add(s, 'a', "mid:%d", mid));
  CK(rtg_sdp_add(s, 'a', "extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid"));
  if (!audio) {
    CK(rtg_sdp_add(s, 'a', "extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
    CK(rtg_sdp_add(s, 'a', "extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"));
  }
  CK(rtg_sdp_add(s, 'a', "sendrecv"));
  if (l->msid_stream) CK(rtg_sdp_add(s, 'a', "msid:%s %s-%d", l->msid_stream, l->msid_stream, mid));
  CK(rtg_sdp_add(s, 'a', "rtcp-mux"));
  CK(rtg_sdp_add(s, 'a', "rtcp-rsize"));
  if (audio) {
    CK(rtg_sdp_add(s, 'a', "rtpmap:111 opus/48000/2"));
    CK(rtg_sdp_add(s, 'a', "fmtp:111 minptime=10;useinbandfec=1"));
    return 0;
  }
  for (size_t k = 0; k < sizeof video_codecs / sizeof video_codecs[0]; k++) {
    const struct offer_codec *c = &video_codecs[k];
    if (!codec_wanted(l, (struct rtg_sdp_tok){c->name, strlen(c->name)})) continue;
    CK(rtg_sdp_add(s, 'a', "rtpmap:%d %s", c->pt, c->rtpmap));
    CK(rtg_sdp_add(s, 'a', "rtcp-fb:%d ccm fir", c->pt));
    CK(rtg_sdp_add(s, 'a', "rtcp-fb:%d nack", c->pt));
    CK(rtg_sdp_add(s, 'a', "rtcp-fb:%d nack pli", c->pt));
    if (c->fmtp) CK(rtg_sdp_add(s, 'a', "fmtp:%d %s", c->pt, c->fmtp));
    CK(rtg_sdp_add(s, 'a', "rtpmap:%d rtx/90000", c->rtx));
    CK(rtg_sdp_add(s, 'a', "fmtp:%d apt=%d", c->rtx, c->pt));
  }
  return 0;
}

int rtg_jsep_offer(const struct rtg_jsep_local *l, struct rtg_sdp *s) {
  char group[64] = "";
  size_t gl = 0;
  int n = 0;
  bool has_audio, has_video;
  CK(check_local(l, false));
  has_audio = l->audio && codec_wanted(l, (struct rtg_sdp_tok){"opus", 4});
  has_video = false;
  for (size_t k = 0; k < sizeof video_codecs / sizeof video_codecs[0]; k++)
    has_video = has_video ||
                (l->video && codec_wanted(l, (struct rtg_sdp_tok){video_codecs[k].name,
                                                                  strlen(video_codecs[k].name)}));
  int total = (int)has_audio + (int)has_video + (int)l->data;
  if (total == 0) return RTG_ERR_INVAL;
  for (int k = 0; k < total; k++)
    gl += (size_t)snprintf(group + gl, sizeof group - gl, "%s%d", k ? " " : "", k);
  CK(add_session(s, l, group, true));
  if (has_audio) {
    CK(offer_media(s, l, "audio", n, n == 0));
    n++;
  }
  if (has_video) {
    CK(offer_media(s, l, "video", n, n == 0));
    n++;
  }
  if (l->data) {
    char addr[96];
    uint16_t port;
    bool tag = n == 0;
    default_addr(l, tag, addr, sizeof addr, &port);
    CK(rtg_sdp_add(s, 'm', "application %u UDP/DTLS/SCTP webrtc-datachannel", port));
    CK(rtg_sdp_add(s, 'c', "IN %s", addr));
    CK(add_transport(s, l, RTG_SDP_SETUP_ACTPASS, tag));
    CK(rtg_sdp_add(s, 'a', "mid:%d", n));
    CK(rtg_sdp_add(s, 'a', "sctp-port:%u", l->sctp_port ? l->sctp_port : 5000));
    CK(rtg_sdp_add(s, 'a', "max-message-size:%llu",
                   (unsigned long long)(l->max_message_size ? l->max_message_size : 262144)));
  }
  return rtg_sdp_validate(s, NULL) ? RTG_ERR_INVAL : 0;
}

bool rtg_jsep_ice_restart(const struct rtg_sdp *prev, const struct rtg_sdp *now) {
  static const char *const keys[] = {"ice-ufrag", "ice-pwd"};
  size_t n = prev->nmedia < now->nmedia ? prev->nmedia : now->nmedia;
  for (size_t m = 0; m < n; m++) {
    for (int k = 0; k < 2; k++) {
      const char *a = rtg_sdp_attr_get(prev, (int)m, keys[k], true);
      const char *b = rtg_sdp_attr_get(now, (int)m, keys[k], true);
      if (a && b && strcmp(a, b) != 0) return true;
    }
  }
  return false;
}
