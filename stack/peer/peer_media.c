/*
 * peer_media.c - SRTP/SRTCP keyed from the DTLS exporter (RFC 5764 §4.2),
 * per-SSRC state, the media echo and RTCP: periodic SR/RR (RFC 3550 §6.4)
 * with loss and jitter from rtg_rtp_source, NACKs (RFC 4585 §6.2.1) sent
 * for gaps and answered from a history of sent packets, PLIs (§6.3.1)
 * forwarded to the sender of the stream we echo. Nothing here allocates
 * per packet: the history of a stream is allocated when the stream starts.
 */
#include <string.h>

#include "peer/internal.h"

#define CK(x)            \
  do {                   \
    int rc_ = (x);       \
    if (rc_) return rc_; \
  } while (0)

void peer_media_init(struct rtg_peer *p, const uint32_t ssrc[2]) {
  p->kind_ssrc[RTG_SDP_MEDIA_AUDIO] = ssrc[0] | 1;
  p->kind_ssrc[RTG_SDP_MEDIA_VIDEO] = ssrc[1] | 1;
}

uint32_t rtg_peer_local_ssrc(const struct rtg_peer *p, int kind) {
  return kind == RTG_SDP_MEDIA_AUDIO || kind == RTG_SDP_MEDIA_VIDEO ? p->kind_ssrc[kind] : 0;
}

static int make_session(struct rtg_peer *p, struct rtg_srtp **s, uint16_t profile,
                        const uint8_t *key, const uint8_t *salt, size_t klen, size_t slen) {
  struct rtg_srtp_policy pol;
  memset(&pol, 0, sizeof pol);
  pol.profile = (enum rtg_srtp_profile)profile;
  pol.key = key;
  pol.key_len = klen;
  pol.salt = salt;
  pol.salt_len = slen;
  return rtg_srtp_create(s, p->ctx, &pol);
}

int peer_media_start(struct rtg_peer *p, const struct rtg_dtls_srtp_keys *k) {
  bool client = p->dtls_role == RTG_DTLS_ROLE_CLIENT;
  /* RFC 5764 §4.2: each side protects with its own write key */
  CK(make_session(p, &p->srtp_tx, k->profile, client ? k->client_key : k->server_key,
                  client ? k->client_salt : k->server_salt, k->key_len, k->salt_len));
  CK(make_session(p, &p->srtp_rx, k->profile, client ? k->server_key : k->client_key,
                  client ? k->server_salt : k->client_salt, k->key_len, k->salt_len));
  p->next_rtcp = p->now + p->cfg.rtcp_interval;
  return 0;
}

void peer_media_free(struct rtg_peer *p) {
  rtg_srtp_destroy(p->srtp_tx);
  rtg_srtp_destroy(p->srtp_rx);
  for (size_t i = 0; i < p->nstreams; i++) {
    rtg_free(p->ctx, p->streams[i].hist);
    rtg_free(p->ctx, p->streams[i].hist_len);
    rtg_free(p->ctx, p->streams[i].hist_seq);
  }
}

/* ---- streams ---------------------------------------------------------------- */

static struct peer_stream *stream_get(struct rtg_peer *p, uint32_t ssrc, bool outbound, int sect) {
  struct peer_stream *s;
  for (size_t i = 0; i < p->nstreams; i++)
    if (p->streams[i].st.ssrc == ssrc && p->streams[i].st.outbound == outbound)
      return &p->streams[i];
  if (sect < 0 || p->nstreams == RTG_PEER_MAX_STREAMS) return NULL;
  s = &p->streams[p->nstreams];
  memset(s, 0, sizeof *s);
  if (outbound) {
    s->hist = rtg_alloc(p->ctx, (size_t)PEER_HISTORY * PEER_HISTORY_MAX);
    s->hist_len = rtg_alloc(p->ctx, PEER_HISTORY * sizeof *s->hist_len);
    s->hist_seq = rtg_alloc(p->ctx, PEER_HISTORY * sizeof *s->hist_seq);
    if (!s->hist || !s->hist_len || !s->hist_seq) {
      rtg_free(p->ctx, s->hist);
      rtg_free(p->ctx, s->hist_len);
      rtg_free(p->ctx, s->hist_seq);
      return NULL;
    }
  }
  s->st.ssrc = ssrc;
  s->st.outbound = outbound;
  s->st.kind = (uint8_t)p->sect[sect].kind;
  s->section = sect;
  if (outbound)
    p->sect[sect].out_stream = (int)p->nstreams;
  else if (p->sect[sect].in_stream < 0)
    p->sect[sect].in_stream = (int)p->nstreams;
  p->nstreams++;
  return s;
}

static int section_of_local(const struct rtg_peer *p, uint32_t ssrc) {
  for (size_t m = 0; m < p->nsect; m++)
    if (!p->sect[m].rejected && p->sect[m].local_ssrc == ssrc) return (int)m;
  return -1;
}

/* Which section a received SSRC belongs to: its a=ssrc line, else the first
 * section listing its payload type (RFC 8843 §9.2 without the MID
 * extension). */
static int section_of_remote(const struct rtg_peer *p, uint32_t ssrc, uint8_t pt) {
  for (size_t m = 0; m < p->nsect; m++)
    for (size_t k = 0; k < p->sect[m].nremote_ssrcs; k++)
      if (!p->sect[m].rejected && p->sect[m].remote_ssrcs[k] == ssrc) return (int)m;
  for (size_t m = 0; m < p->nsect; m++) {
    if (p->sect[m].rejected || p->sect[m].kind == RTG_SDP_MEDIA_APPLICATION) continue;
    for (size_t k = 0; k < p->sect[m].npts; k++)
      if (p->sect[m].pts[k] == pt) return (int)m;
  }
  return -1;
}

static uint32_t clock_rate(int kind) { return kind == RTG_SDP_MEDIA_AUDIO ? 48000 : 90000; }

static uint64_t ntp_of(rtg_time t) {
  uint64_t s = (uint64_t)(t / RTG_SEC(1)), ns = (uint64_t)(t % RTG_SEC(1));
  return (s << 32) | ((ns << 32) / 1000000000u);
}

/* ---- sending ---------------------------------------------------------------- */

static void history_put(struct peer_stream *s, uint16_t seq, const uint8_t *pkt, size_t len) {
  size_t slot = seq % PEER_HISTORY;
  if (len > PEER_HISTORY_MAX) return;
  memcpy(s->hist + slot * PEER_HISTORY_MAX, pkt, len);
  s->hist_len[slot] = (uint16_t)len;
  s->hist_seq[slot] = seq;
}

static int send_protected(struct rtg_peer *p, const uint8_t *pkt, size_t len, bool rtcp) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM + RTG_SRTP_MAX_TRAILER];
  ptrdiff_t n;
  struct peer_stream *s = NULL;
  if (len > RTG_PEER_MAX_DATAGRAM) return RTG_ERR_NOBUF;
  memcpy(buf, pkt, len);
  if (rtcp) {
    n = rtg_srtcp_protect(p->srtp_tx, buf, len, sizeof buf);
  } else {
    uint32_t ssrc = rtg_load_u32(pkt + 8);
    s = stream_get(p, ssrc, true, section_of_local(p, ssrc));
    n = rtg_srtp_protect(p->srtp_tx, buf, len, sizeof buf);
  }
  if (n < 0) return (int)n;
  if ((size_t)n > p->cfg.mtu) return RTG_ERR_NOBUF;
  if (s) {
    s->st.packets++;
    s->st.bytes += len;
    s->sent_packets++;
    s->sent_octets += (uint32_t)(len - 12);
    s->last_ts = rtg_load_u32(pkt + 4);
    history_put(s, rtg_load_u16(pkt + 2), buf, (size_t)n);
  }
  return peer_send_pair(p, buf, (size_t)n);
}

int peer_media_send(struct rtg_peer *p, const uint8_t *pkt, size_t len, bool rtcp) {
  if (p->srtp_tx == NULL || !p->have_pair) return RTG_ERR_STATE;
  if (len < (rtcp ? 8u : 12u) || (pkt[0] >> 6) != 2) return RTG_ERR_PARSE;
  return send_protected(p, pkt, len, rtcp);
}

static int send_api(struct rtg_peer *p, rtg_time now, const uint8_t *pkt, size_t len, bool rtcp) {
  int rc;
  if (p->state == PEER_CLOSED) return RTG_ERR_STATE;
  if (now > p->now) p->now = now;
  if (peer_tx_room(p) < 2) return RTG_ERR_AGAIN;
  rc = peer_media_send(p, pkt, len, rtcp);
  peer_pump(p);
  return rc;
}

int rtg_peer_send_rtp(struct rtg_peer *p, rtg_time now, const uint8_t *pkt, size_t len) {
  return send_api(p, now, pkt, len, false);
}

int rtg_peer_send_rtcp(struct rtg_peer *p, rtg_time now, const uint8_t *pkt, size_t len) {
  return send_api(p, now, pkt, len, true);
}

/* ---- RTCP we write --------------------------------------------------------- */

static uint32_t any_local_ssrc(const struct rtg_peer *p) {
  return p->kind_ssrc[RTG_SDP_MEDIA_VIDEO];
}

static void report_block(struct rtg_peer *p, struct peer_stream *in, struct rtg_rtcp_rb *rb) {
  memset(rb, 0, sizeof *rb);
  rb->ssrc = in->st.ssrc;
  rb->fraction_lost = rtg_rtp_source_fraction(&in->src);
  rb->cumulative_lost = rtg_rtp_source_lost(&in->src);
  rb->ext_highest_seq = rtg_rtp_source_ext_max(&in->src);
  rb->jitter = rtg_rtp_source_jitter(&in->src);
  if (in->lsr_at) {
    rb->lsr = in->lsr;
    rb->dlsr = (uint32_t)(((uint64_t)(p->now - in->lsr_at) << 16) / 1000000000u);
  }
}

/* One compound per section (RFC 3550 §6.1): SR when we sent on it, else
 * RR, a report block about the stream we receive there, SDES CNAME. */
static int section_report(struct rtg_peer *p, struct peer_section *sc) {
  uint8_t buf[512];
  struct rtg_wr wr;
  struct rtg_rtcp_rb rb;
  struct peer_stream *out = sc->out_stream >= 0 ? &p->streams[sc->out_stream] : NULL;
  struct peer_stream *in = sc->in_stream >= 0 ? &p->streams[sc->in_stream] : NULL;
  const char *cname = p->cname;
  size_t nrb = 0;
  if (in && in->src_init) {
    report_block(p, in, &rb);
    nrb = 1;
    in->st.reports++;
  }
  rtg_wr_init(&wr, buf, sizeof buf);
  if (out && out->sent_packets)
    CK(rtg_rtcp_write_sr(&wr, sc->local_ssrc, ntp_of(p->now), out->last_ts, out->sent_packets,
                         out->sent_octets, &rb, nrb));
  else
    CK(rtg_rtcp_write_rr(&wr, sc->local_ssrc, &rb, nrb));
  if (out) out->st.reports++;
  CK(rtg_rtcp_write_sdes_cname(&wr, &sc->local_ssrc, &cname, 1));
  return send_protected(p, buf, rtg_wr_len(&wr), true);
}

void peer_media_timers(struct rtg_peer *p, rtg_time now) {
  p->next_rtcp = now + p->cfg.rtcp_interval;
  if (!p->have_pair || p->state == PEER_CLOSED) return;
  for (size_t m = 0; m < p->nsect; m++)
    if (!p->sect[m].rejected && p->sect[m].local_ssrc &&
        (p->sect[m].in_stream >= 0 || p->sect[m].out_stream >= 0))
      (void)section_report(p, &p->sect[m]);
}

/* An RR then one feedback message (RFC 4585 §3.1 compound rule). */
static int send_feedback(struct rtg_peer *p, uint32_t sender, uint8_t pt, uint32_t media,
                         const uint16_t *pid, const uint16_t *blp, size_t n) {
  uint8_t buf[256];
  struct rtg_wr wr;
  rtg_wr_init(&wr, buf, sizeof buf);
  CK(rtg_rtcp_write_rr(&wr, sender, NULL, 0));
  if (pt == RTG_RTCP_RTPFB)
    CK(rtg_rtcp_write_nack(&wr, sender, media, pid, blp, n));
  else
    CK(rtg_rtcp_write_pli(&wr, sender, media));
  return send_protected(p, buf, rtg_wr_len(&wr), true);
}

/* ---- receiving -------------------------------------------------------------- */

/* A gap of 1..64 packets before |seq| is asked for again at once. */
static void nack_gap(struct rtg_peer *p, struct peer_stream *s, uint16_t seq) {
  uint16_t gap = (uint16_t)(seq - s->next_expected), pid[4], blp[4];
  size_t n = 0;
  if (!s->have_expected || gap == 0 || gap > 64) {
    if (!s->have_expected || (uint16_t)(seq - s->next_expected) < 0x8000)
      s->next_expected = seq + 1;
    s->have_expected = true;
    return;
  }
  for (uint16_t k = 0; k < gap; k++) {
    uint16_t q = (uint16_t)(s->next_expected + k);
    if (n && (uint16_t)(q - pid[n - 1]) <= 16) {
      blp[n - 1] |= (uint16_t)(1u << ((uint16_t)(q - pid[n - 1]) - 1));
    } else if (n < 4) {
      pid[n] = q;
      blp[n++] = 0;
    }
  }
  s->next_expected = (uint16_t)(seq + 1);
  s->st.nacks++;
  (void)send_feedback(
      p, p->sect[s->section].local_ssrc ? p->sect[s->section].local_ssrc : any_local_ssrc(p),
      RTG_RTCP_RTPFB, s->st.ssrc, pid, blp, n);
}

static void echo_rtp(struct rtg_peer *p, struct peer_section *sc, uint8_t *pkt, size_t len) {
  rtg_store_u16(pkt + 2, sc->echo_seq++);
  rtg_store_u32(pkt + 8, sc->local_ssrc);
  (void)send_protected(p, pkt, len, false);
}

int peer_media_rtp_in(struct rtg_peer *p, rtg_time now, uint8_t *pkt, size_t len) {
  ptrdiff_t n = rtg_srtp_unprotect(p->srtp_rx, pkt, len);
  uint32_t ssrc = rtg_load_u32(pkt + 8);
  uint16_t seq = rtg_load_u16(pkt + 2);
  int m = section_of_remote(p, ssrc, pkt[1] & 0x7f);
  struct peer_stream *s = stream_get(p, ssrc, false, m);
  struct rtg_peer_event *ev;
  if (n < 0) {
    if (s) s->st.srtp_failures++;
    return (int)n;
  }
  if (s == NULL) return RTG_ERR_NOTFOUND;
  m = s->section;
  s->st.packets++;
  s->st.bytes += (uint64_t)n;
  if (!s->src_init) rtg_rtp_source_init(&s->src, ssrc, seq);
  s->src_init = true;
  IGNORE(rtg_rtp_source_update(&s->src, seq, rtg_load_u32(pkt + 4),
                               (uint32_t)((uint64_t)now * clock_rate(s->st.kind) / 1000000000u)));
  nack_gap(p, s, seq);
  if ((ev = peer_event_push(p, RTG_PEER_EV_RTP)) != NULL) {
    ev->ssrc = ssrc;
    ev->pt = pkt[1] & 0x7f;
    ev->mid = p->sect[m].mid;
    ev->len = (size_t)n;
    if ((ev->data = peer_event_data(p, pkt, (size_t)n)) == NULL) peer_event_unpush(p);
  }
  if ((p->cfg.echo & RTG_PEER_ECHO_MEDIA) && p->sect[m].local_ssrc) {
    if (p->sect[m].echo_src == 0) p->sect[m].echo_src = ssrc;
    if (p->sect[m].echo_src == ssrc) echo_rtp(p, &p->sect[m], pkt, (size_t)n);
  }
  return 0;
}

static void answer_nack(struct rtg_peer *p, const struct rtg_rtcp_pkt *fb) {
  struct peer_stream *s = stream_get(p, fb->media_ssrc, true, -1);
  uint16_t pid, blp;
  if (s == NULL) return;
  s->st.nacks++;
  for (size_t i = 0; rtg_rtcp_nack_get(fb, i, &pid, &blp) == 0; i++) {
    for (unsigned b = 0; b <= 16; b++) {
      uint16_t seq = (uint16_t)(pid + b);
      size_t slot = seq % PEER_HISTORY;
      if (b && !(blp & (1u << (b - 1)))) continue;
      if (s->hist_len[slot] == 0 || s->hist_seq[slot] != seq) continue;
      if (peer_send_pair(p, s->hist + slot * PEER_HISTORY_MAX, s->hist_len[slot]) == 0)
        s->st.retransmitted++;
    }
  }
}

static void answer_pli(struct rtg_peer *p, const struct rtg_rtcp_pkt *fb) {
  struct peer_stream *s = stream_get(p, fb->media_ssrc, true, -1);
  int m = section_of_local(p, fb->media_ssrc);
  if (s == NULL || m < 0) return;
  s->st.plis++;
  /* we only echo: the sender of the original stream makes the key frame */
  if (p->sect[m].echo_src && p->sect[m].in_stream >= 0 &&
      send_feedback(p, p->sect[m].local_ssrc, RTG_RTCP_PSFB, p->sect[m].echo_src, NULL, NULL, 0) ==
          0)
    p->streams[p->sect[m].in_stream].st.plis++;
}

static void on_rtcp(struct rtg_peer *p, rtg_time now, const struct rtg_rtcp_pkt *r) {
  struct peer_stream *s;
  switch (r->pt) {
    case RTG_RTCP_SR:
      if ((s = stream_get(p, r->ssrc, false, -1)) != NULL) {
        s->lsr = (uint32_t)(r->ntp >> 16);
        s->lsr_at = now;
      }
      return;
    case RTG_RTCP_RTPFB:
      if (r->count == RTG_RTPFB_NACK) answer_nack(p, r);
      return;
    case RTG_RTCP_PSFB:
      if (r->count == RTG_PSFB_PLI) answer_pli(p, r);
      return;
    default: return;
  }
}

int peer_media_rtcp_in(struct rtg_peer *p, rtg_time now, uint8_t *pkt, size_t len) {
  struct rtg_rtcp_compound c;
  struct rtg_peer_event *ev;
  ptrdiff_t n = rtg_srtcp_unprotect(p->srtp_rx, pkt, len);
  if (n < 0) return (int)n;
  if ((ev = peer_event_push(p, RTG_PEER_EV_RTCP)) != NULL) {
    ev->len = (size_t)n;
    if ((ev->data = peer_event_data(p, pkt, (size_t)n)) == NULL) peer_event_unpush(p);
  }
  if (rtg_rtcp_parse(&c, pkt, (size_t)n, RTG_RTCP_REDUCED_SIZE, NULL)) return RTG_ERR_PARSE;
  for (size_t i = 0; i < c.n; i++) on_rtcp(p, now, &c.pkt[i]);
  return 0;
}
