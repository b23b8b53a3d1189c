/*
 * check_media.c - SRTP and SRTCP seen from their clear headers: the RTP
 * header (RFC 3711 §3.1 leaves it unencrypted) gives per-SSRC counts,
 * RFC 3550 A.1 sequence validation, duplicates and payload types checked
 * against the SDP; SRTCP's first 8 bytes (header + sender SSRC) are clear.
 * Authentication and payload checks need the SRTP keys (from DTLS).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"

/* A payload type an SDP maps to a codec other than rtx: RTX (RFC 4588 §4)
 * repeats the original timestamps, so only these obey §5.1 ordering. */
static bool pt_is_media(const struct rtg_replay *r, uint8_t pt) {
  bool mapped = false;
  for (int i = 0; i < r->nsdp; i++) {
    if (r->sdp[i].rtx_pt[pt & 127]) return false;
    mapped = mapped || r->sdp[i].mapped_pt[pt & 127];
  }
  return mapped;
}

static bool pt_declared(const struct rtg_replay *r, uint8_t pt) {
  if (r->nsdp == 0) return true; /* nothing to check against */
  for (int i = 0; i < r->nsdp; i++)
    for (size_t k = 0; k < r->sdp[i].npts; k++)
      if (r->sdp[i].pts[k] == pt) return true;
  return false;
}

/* RFC 7675 §5.1: without a consent response for 30 s a sender must stop.
 * Only flows that ever got consent are judged (a capture may start late). */
static void check_consent(struct rtg_replay *r, struct rtg_flow *fl, int dir) {
  if (fl->consent_ok[dir] < 0 || fl->consent_expired_reported[dir]) return;
  if (r->cur_ts - fl->consent_ok[dir] <= 30.0) return;
  fl->consent_expired_reported[dir] = true;
  rtg_finding(r, R_ICE_CONSENT_EXPIRED, fl->session,
              "direction %d still sends media %.1f s after its last consent response", dir,
              r->cur_ts - fl->consent_ok[dir]);
}

/* Header extensions travel in the clear (RFC 3711 §3.1): every id must be
 * negotiated by an a=extmap (RFC 8285 §5), and the MID must name an m= line
 * of the BUNDLE group (RFC 8843 §9.2). Checked on a stream's first packets
 * (until its MID is known), so a systematic problem is reported once. */
static void check_extensions(struct rtg_replay *r, struct rtg_flow *fl, struct rtg_ssrc_stats *s,
                             const struct rtg_rtp_hdr *h) {
  if (r->nsdp == 0) return;
  for (size_t i = 0; i < h->n_ext; i++) {
    bool declared = false;
    for (int k = 0; k < r->nsdp && !declared; k++) declared = r->sdp[k].extmap[h->ext[i].id][0];
    if (!declared)
      rtg_finding(r, R_RTP_UNDECLARED_EXTENSION, fl->session,
                  "SSRC %08x uses header extension id %u, which no a=extmap declares", s->ssrc,
                  h->ext[i].id);
  }
  for (int k = 0; k < r->nsdp; k++) {
    char mid[256];
    bool known = false;
    if (r->sdp[k].mid_ext_id == 0 ||
        rtg_rtp_ext_mid(h, (uint8_t)r->sdp[k].mid_ext_id, mid, sizeof mid) != 0)
      continue;
    for (int j = 0; j < r->nsdp && !known; j++)
      for (size_t m = 0; m < r->sdp[j].nmids && !known; m++)
        known = strcmp(r->sdp[j].mids[m], mid) == 0;
    snprintf(s->mid, sizeof s->mid, "%.32s", mid);
    if (!known)
      rtg_finding(r, R_RTP_UNKNOWN_MID, fl->session,
                  "SSRC %08x carries MID '%.32s', which no a=mid of the SDPs declares", s->ssrc,
                  mid);
    break;
  }
}

/* Has the DTLS association this flow's media is keyed from been seen? On
 * this flow, or on another flow of the same ICE session: one BUNDLE
 * transport, one association, whatever pair ICE uses (RFC 8445 §12.1 lets
 * media go on any valid pair, and the selected pair may change). */
static bool dtls_seen_for(const struct rtg_replay *r, const struct rtg_flow *fl) {
  if (fl->dtls_seen) return true;
  if (fl->dtls_owner >= 0 && r->flows[fl->dtls_owner].dtls_seen) return true;
  if (fl->session < 0) return false;
  for (int g = 0; g < r->nflows; g++)
    if (r->flows[g].session == fl->session && r->flows[g].dtls_seen) return true;
  return false;
}

/* Decided on a flow's first SRTP/SRTCP packet (the flag says "decided"). */
static void media_before_dtls(struct rtg_replay *r, struct rtg_flow *fl) {
  if (fl->media_before_dtls_reported) return;
  fl->media_before_dtls_reported = true;
  if (dtls_seen_for(r, fl)) return;
  rtg_finding(r, R_MEDIA_BEFORE_DTLS, fl->session,
              "SRTP/SRTCP on a flow that has not carried a DTLS handshake yet");
}

/* Arrival time in 90 kHz units since the capture start, wrapped like an
 * RTP timestamp (A.8 only uses differences). Capture times are arbitrary
 * input: clamp before converting so no value overflows. */
static uint32_t arrival_rtp_units(const struct rtg_replay *r) {
  double rel = r->cur_ts - r->t0;
  if (!(rel > 0)) return 0;
  if (rel > 1e9) rel = fmod(rel, 1e9);
  return (uint32_t)(uint64_t)(rel * 90000.0);
}

/* One-second bins for the HTML report's plots. */
static void series_add(struct rtg_replay *r, struct rtg_ssrc_stats *s, size_t n) {
  double rel = r->cur_ts - r->t0;
  uint32_t bin, ext;
  struct rtg_series_bin *b;
  if (!(rel < RTG_SERIES_MAX)) return;
  bin = rel > 0 ? (uint32_t)rel : 0;
  if (bin >= s->nbins) {
    uint32_t nn = bin + 16 < RTG_SERIES_MAX ? bin + 16 : RTG_SERIES_MAX;
    struct rtg_series_bin *nb = realloc(s->bins, nn * sizeof *nb);
    if (nb == NULL) return;
    memset(nb + s->nbins, 0, (nn - s->nbins) * sizeof *nb);
    s->bins = nb;
    s->nbins = nn;
  }
  b = &s->bins[bin];
  b->packets++;
  b->bytes += (uint32_t)n;
  ext = rtg_rtp_source_ext_max(&s->src);
  if (s->last_ext_seq && ext > s->last_ext_seq + 1 && ext - s->last_ext_seq < 3000)
    b->lost += ext - s->last_ext_seq - 1;
  if (ext > s->last_ext_seq) s->last_ext_seq = ext;
  b->jitter = rtg_rtp_source_jitter(&s->src);
}

void rtg_check_rtp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_rtp_hdr h;
  struct rtg_perr e;
  struct rtg_ssrc_stats *s;
  char msg[160];
  int rc;
  rtg_perr_clear(&e);
  /* The SRTP auth tag and MKI trail the payload; padding is encrypted, so
   * the P bit cannot be honoured before decryption: parse the header only. */
  rc = rtg_rtp_parse(&h, p, n, &e);
  if (rc && e.field && strstr(e.field, "padding") == NULL) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_RTP_MALFORMED, fl->session, "%s", msg);
    return;
  }
  if (rc) {
    /* only the (encrypted) padding count was wrong: take the clear fields */
    h.ssrc = n >= 12 ? rtg_load_u32(p + 8) : 0;
    h.seq = n >= 4 ? rtg_load_u16(p + 2) : 0;
    h.ts = n >= 8 ? rtg_load_u32(p + 4) : 0;
    h.pt = (uint8_t)(p[1] & 0x7f);
  }
  fl->n_rtp++;
  r->srtp++;
  media_before_dtls(r, fl);
  check_consent(r, fl, dir);
  s = rtg_ssrc_lookup(r, h.ssrc, f, dir);
  if (s == NULL) return;
  if (s->packets == 0) {
    rtg_replay_event(r, f, dir, false, "first SRTP ssrc %08x pt %u", h.ssrc, h.pt);
    s->pt = h.pt;
    rtg_rtp_source_init(&s->src, h.ssrc, h.seq);
    s->src.max_seq = (uint16_t)(h.seq - 1);
    for (int i = 0; i < r->nssrcs; i++)
      if (r->ssrcs[i].ssrc == h.ssrc && r->ssrcs[i].flow == f && r->ssrcs[i].dir != dir)
        rtg_finding(r, R_RTP_SSRC_COLLISION, fl->session,
                    "SSRC %08x is used in both directions of the flow", h.ssrc);
    if (!pt_declared(r, h.pt))
      rtg_finding(r, R_RTP_UNKNOWN_PT, fl->session,
                  "SSRC %08x sends payload type %u, which no SDP declares", h.ssrc, h.pt);
  }
  if (s->packets == 0 || (s->mid[0] == '\0' && h.n_ext)) check_extensions(r, fl, s, &h);
  /* RFC 3550 §5.1: the timestamp follows the sampling instant, so the next
   * packet in sequence never goes back in time (WebRTC has no B-frames). */
  if (s->packets && pt_is_media(r, h.pt) && h.seq == (uint16_t)(s->last_seq + 1) &&
      (int32_t)(h.ts - s->last_rtp_ts) < 0 && s->ts_backwards++ == 0)
    rtg_finding(r, R_RTP_TS_BACKWARDS, fl->session,
                "SSRC %08x: timestamp %u after %u (sequence %u after %u)", h.ssrc, h.ts,
                s->last_rtp_ts, h.seq, s->last_seq);
  s->last_seq = h.seq;
  s->last_rtp_ts = h.ts;
  s->packets++;
  s->bytes += n;
  rtg_decrypt_srtp(r, f, dir, s, p, n);
  s->last_ts = r->cur_ts;
  if (s->src.received > 0 && h.seq == s->src.max_seq && s->src.valid) {
    s->duplicates++;
    return;
  }
  rc = rtg_rtp_source_update(&s->src, h.seq, h.ts, arrival_rtp_units(r));
  series_add(r, s, n);
  if (rc == RTG_ERR_STATE) {
    s->bad_seq++;
    rtg_finding(r, R_RTP_BAD_SEQUENCE, fl->session,
                "SSRC %08x: sequence %u after %u is a bad jump (A.1 update_seq)", h.ssrc, h.seq,
                s->src.max_seq);
  }
}

void rtg_check_rtcp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  /* SRTCP (RFC 3711 §3.4): the first 8 bytes are clear, then the encrypted
   * part, the 4-byte E|index word and the tag. */
  if (n < 8 + 4 || (p[0] >> 6) != 2) {
    rtg_finding(r, R_RTCP_MALFORMED, fl->session,
                "SRTCP packet of %zu bytes is shorter than header + SRTCP index or not version 2",
                n);
    return;
  }
  if (fl->n_rtcp == 0) rtg_replay_event(r, f, dir, false, "first SRTCP");
  fl->n_rtcp++;
  r->srtcp++;
  media_before_dtls(r, fl);
  check_consent(r, fl, dir);
  rtg_decrypt_srtcp(r, f, dir, p, n);
}
