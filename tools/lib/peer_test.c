/*
 * peer_test.c - the offerer's active test: data-channel echo of messages of
 * 1 B .. 256 KiB (powers of two, up to the remote a=max-message-size) on an
 * ordered reliable channel, an unordered maxRetransmits=0 channel, media
 * (Opus-sized audio every 20 ms, VP8-sized video at 30 packets/s) whose
 * echo is validated byte for byte, and an ICE restart.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/peer_session.h"
#include "rtg/rtp.h"

#define UNRELIABLE_COUNT 50
#define UNRELIABLE_EVERY RTG_MS(20)
#define UNRELIABLE_SIZE 200
#define MEDIA_VALID_NEEDED 10
#define RESTART_MSG 1000

static const rtg_time media_every[RTG_PIO_KINDS] = {RTG_MS(20), RTG_MS(33)};
static const size_t media_payload[RTG_PIO_KINDS] = {160, 1000};

/* Deterministic content: byte |i| of message |tag| of |size| bytes. */
static uint8_t pattern(size_t tag, size_t size, size_t i) {
  return (uint8_t)((i * 131u + size * 7u + tag * 13u) ^ (i >> 8));
}

static void fill(uint8_t *p, size_t tag, size_t size) {
  for (size_t i = 0; i < size; i++) p[i] = pattern(tag, size, i);
}

static bool matches(const uint8_t *p, size_t tag, size_t size) {
  for (size_t i = 0; i < size; i++)
    if (p[i] != pattern(tag, size, i)) return false;
  return true;
}

static unsigned want(const struct rtg_pio_session *s) { return s->net->o->expect; }

void rtg_pio_test_init(struct rtg_pio_session *s) { memset(&s->t, 0, sizeof s->t); }

void rtg_pio_test_free(struct rtg_pio_session *s) {
  free(s->t.msg);
  s->t.msg = NULL;
}

/* ---- data channels -------------------------------------------------------------------- */

static void open_channels(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  struct rtg_dc_channel_opts o;
  t->dc_requested = true;
  memset(&o, 0, sizeof o);
  o.channel_type = RTG_DCEP_RELIABLE;
  o.priority = 256;
  o.label = "rtcgate-echo";
  if (rtg_peer_dc_open(s->peer, now, &o, &t->sid) != 0) {
    snprintf(s->failure, sizeof s->failure, "cannot open the echo channel");
    return;
  }
  if (want(s) & RTG_PIO_EXPECT_DC_UNRELIABLE) {
    o.channel_type = RTG_DCEP_PARTIAL_REXMIT_UNORDERED;
    o.reliability = 0;
    o.label = "rtcgate-unreliable";
    if (rtg_peer_dc_open(s->peer, now, &o, &t->usid) != 0)
      snprintf(s->failure, sizeof s->failure, "cannot open the unreliable channel");
  }
}

/* Sends the next echo size, or ends the echo test. */
static void echo_next(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  int rc;
  unsigned long long max = s->net->o->echo_max ? s->net->o->echo_max : 262144;
  if (t->idx >= RTG_PIO_ECHO_SIZES || ((size_t)1 << t->idx) > max) {
    t->done = true;
    rtg_pio_session_met(s, now, RTG_PIO_EXPECT_DATACHANNEL);
    return;
  }
  t->size = (size_t)1 << t->idx;
  free(t->msg);
  t->msg = malloc(t->size);
  if (t->msg == NULL) return;
  fill(t->msg, t->idx, t->size);
  rc = rtg_peer_dc_send(s->peer, now, t->sid, true, t->msg, t->size);
  if (rc == RTG_ERR_INVAL && t->idx > 0) {
    /* larger than the remote a=max-message-size: the test ends there */
    t->mms_limited = true;
    t->idx = RTG_PIO_ECHO_SIZES;
    echo_next(s, now);
    return;
  }
  if (rc != 0) {
    snprintf(s->failure, sizeof s->failure, "data channel send of %zu bytes: %s", t->size,
             rtg_strerror(rc));
    t->done = true;
    return;
  }
  t->waiting = true;
  t->sent_at = now;
}

static void echo_received(struct rtg_pio_session *s, const struct rtg_peer_event *ev,
                          rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  if (t->restart == 2 && ev->len == RESTART_MSG && matches(ev->data, 99, RESTART_MSG)) {
    t->restart = 3;
    rtg_pio_session_met(s, now, RTG_PIO_EXPECT_ICE_RESTART);
    return;
  }
  if (!t->waiting) return;
  if (ev->len != t->size || memcmp(ev->data, t->msg, t->size) != 0) {
    t->mismatch = true;
    t->done = true;
    t->waiting = false;
    snprintf(s->failure, sizeof s->failure, "echo of the %zu-byte message differs (%zu bytes back)",
             t->size, ev->len);
    return;
  }
  t->waiting = false;
  t->rtt_ms[t->nrtt++] = (double)(now - t->sent_at) / 1e6;
  t->largest = t->size;
  if (t->size == 262144) t->ms_256k = (double)(now - t->sent_at) / 1e6;
  t->idx++;
  echo_next(s, now);
}

static void unreliable_received(struct rtg_pio_session *s, const struct rtg_peer_event *ev,
                                rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  size_t tag;
  if (ev->len != UNRELIABLE_SIZE) {
    t->ubad++;
    return;
  }
  tag = rtg_load_u32(ev->data);
  if (tag >= UNRELIABLE_COUNT || !matches(ev->data + 4, tag, UNRELIABLE_SIZE - 4)) {
    t->ubad++;
    return;
  }
  t->uechoed++;
  rtg_pio_session_met(s, now, RTG_PIO_EXPECT_DC_UNRELIABLE);
}

static void unreliable_service(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  uint8_t m[UNRELIABLE_SIZE];
  if (!t->uopen || t->usent >= UNRELIABLE_COUNT || now < t->unext) return;
  rtg_store_u32(m, t->usent);
  fill(m + 4, t->usent, UNRELIABLE_SIZE - 4);
  if (rtg_peer_dc_send(s->peer, now, t->usid, true, m, sizeof m) == 0) t->usent++;
  t->unext = now + UNRELIABLE_EVERY;
}

/* ---- media ------------------------------------------------------------------------------ */

/* The payload types the answer accepted: the first rtpmap of each section. */
static void media_setup(struct rtg_pio_session *s) {
  struct rtg_pio_test *t = &s->t;
  struct rtg_sdp *sdp = malloc(sizeof *sdp);
  if (sdp == NULL || s->remote_sdp == NULL ||
      rtg_sdp_parse(sdp, s->remote_sdp, strlen(s->remote_sdp), NULL) != 0) {
    free(sdp);
    return;
  }
  for (size_t m = 0; m < sdp->nmedia; m++) {
    struct rtg_sdp_mline ml;
    struct rtg_sdp_rtpmap rm;
    size_t idx = 0;
    int k;
    if (rtg_sdp_get_mline(sdp, (int)m, &ml) != 0 || ml.port == 0) continue;
    k = ml.kind == RTG_SDP_MEDIA_AUDIO   ? RTG_PIO_AUDIO
        : ml.kind == RTG_SDP_MEDIA_VIDEO ? RTG_PIO_VIDEO
                                         : -1;
    if (k < 0 || t->have_pt[k]) continue;
    if (rtg_sdp_attr_find(sdp, (int)m, "rtpmap", &idx) == 0 &&
        rtg_sdp_get_rtpmap(sdp, idx, &rm) == 0) {
      t->pt[k] = rm.pt;
      t->have_pt[k] = true;
    }
  }
  free(sdp);
  t->media_on = true;
}

static uint32_t local_ssrc(const struct rtg_pio_session *s, int k) {
  return rtg_peer_local_ssrc(s->peer,
                             k == RTG_PIO_AUDIO ? RTG_SDP_MEDIA_AUDIO : RTG_SDP_MEDIA_VIDEO);
}

/* Payloads a browser can depacketize and decode, carrying our numbered
 * pattern for the echo check: a fixed prefix, then at |tag_at| our packet
 * number (4 bytes), the kind (1) and the pattern to the end.
 * - audio: an Opus TOC byte (config 31: CELT fullband 20 ms, mono, one
 *   frame, RFC 6716 §3.1); the CELT decoder accepts any frame bytes.
 * - video: a VP8 payload descriptor (S=1, RFC 7741 §4.2) and a 16x16 key
 *   frame (RFC 6386 §9.1, §19.1) whose two partitions start with zero
 *   bytes: a boolean decoder fed zeros reads every bit as 0 whatever its
 *   probability (RFC 6386 §7.3), so the frame header takes its defaults,
 *   no probability is updated, the macroblock is B_PRED with B_DC_PRED
 *   sub-blocks and every coefficient block ends at once (EOB): a valid,
 *   flat picture. The pattern sits in the token partition beyond what the
 *   decoder reads. */
#define VP8_FIRST_PART 300
static const size_t tag_at[RTG_PIO_KINDS] = {1, 400};

static void media_prefix(uint8_t *p, int k) {
  memset(p, 0, tag_at[k]);
  if (k == RTG_PIO_AUDIO) {
    p[0] = 0xF8;
    return;
  }
  {
    /* frame tag: key frame (bit 0 = 0), version 0, show_frame, size */
    uint32_t tag = (1u << 4) | ((uint32_t)VP8_FIRST_PART << 5);
    p[0] = 0x10;
    p[1] = (uint8_t)tag;
    p[2] = (uint8_t)(tag >> 8);
    p[3] = (uint8_t)(tag >> 16);
    p[4] = 0x9d; /* start code */
    p[5] = 0x01;
    p[6] = 0x2a;
    p[7] = 16; /* width 16, no scaling (little-endian) */
    p[9] = 16; /* height 16 */
  }
}

static void media_send(struct rtg_pio_session *s, int k, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  struct rtg_rtp_hdr h;
  uint8_t payload[1000], pkt[1100];
  size_t plen = media_payload[k];
  ptrdiff_t n;
  memset(&h, 0, sizeof h);
  h.version = 2;
  h.pt = t->pt[k];
  h.seq = (uint16_t)t->seq[k];
  h.ts = t->seq[k] * (k == RTG_PIO_AUDIO ? 960u : 3000u);
  h.marker = k == RTG_PIO_VIDEO;
  h.ssrc = local_ssrc(s, k);
  media_prefix(payload, k);
  rtg_store_u32(payload + tag_at[k], t->seq[k]);
  payload[tag_at[k] + 4] = (uint8_t)k;
  fill(payload + tag_at[k] + 5, t->seq[k], plen - tag_at[k] - 5);
  n = rtg_rtp_write(&h, payload, plen, pkt, sizeof pkt);
  if (n > 0 && rtg_peer_send_rtp(s->peer, now, pkt, (size_t)n) == 0) t->msent[k]++;
  t->seq[k]++;
}

static void media_service(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  if (!t->media_on) return;
  for (int k = 0; k < RTG_PIO_KINDS; k++) {
    unsigned bit = k == RTG_PIO_AUDIO ? RTG_PIO_EXPECT_AUDIO : RTG_PIO_EXPECT_VIDEO;
    if (!(want(s) & bit) || !t->have_pt[k] || now < t->mnext[k]) continue;
    media_send(s, k, now);
    t->mnext[k] = now + media_every[k];
  }
}

/* RR + PLI + NACK about the remote's video echo stream (RFC 4585 §6.2.1,
 * §6.3.1): the echo peer retransmits the NACKed packet from its history and
 * forwards the PLI to us, the original sender. */
static void feedback_send(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  uint8_t buf[128];
  struct rtg_wr wr;
  uint32_t me = rtg_peer_local_ssrc(s->peer, RTG_SDP_MEDIA_VIDEO);
  uint16_t blp = 0;
  rtg_wr_init(&wr, buf, sizeof buf);
  t->nacked = t->echo_seq;
  if (rtg_rtcp_write_rr(&wr, me, NULL, 0) != 0 || rtg_rtcp_write_pli(&wr, me, t->echo_ssrc) != 0 ||
      rtg_rtcp_write_nack(&wr, me, t->echo_ssrc, &t->nacked, &blp, 1) != 0)
    return;
  if (rtg_peer_send_rtcp(s->peer, now, buf, rtg_wr_len(&wr)) == 0) t->fb_sent = true;
}

static void reports_received(struct rtg_pio_session *s, const struct rtg_rtcp_pkt *p, rtg_time now);

static void rtcp_received(struct rtg_pio_session *s, const struct rtg_peer_event *ev,
                          rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  struct rtg_rtcp_compound *c = malloc(sizeof *c);
  t->rtcp_in++;
  if (c == NULL) return;
  if (rtg_rtcp_parse(c, ev->data, ev->len, RTG_RTCP_REDUCED_SIZE, NULL) != 0) {
    t->rtcp_bad++;
    free(c);
    return;
  }
  for (size_t i = 0; i < c->n; i++) {
    const struct rtg_rtcp_pkt *p = &c->pkt[i];
    t->rtcp_sr += p->pt == RTG_RTCP_SR;
    t->rtcp_rr += p->pt == RTG_RTCP_RR;
    if (p->pt == RTG_RTCP_SR || p->pt == RTG_RTCP_RR) reports_received(s, p, now);
    if (t->fb_sent && p->pt == RTG_RTCP_PSFB && p->count == RTG_PSFB_PLI &&
        p->media_ssrc == rtg_peer_local_ssrc(s->peer, RTG_SDP_MEDIA_VIDEO))
      t->pli_answered = true;
  }
  free(c);
}

static void media_met(struct rtg_pio_session *s, int k, rtg_time now) {
  rtg_pio_session_met(s, now, k == RTG_PIO_AUDIO ? RTG_PIO_EXPECT_AUDIO : RTG_PIO_EXPECT_VIDEO);
}

/* What the remote reports about our streams (RFC 3550 §6.4): packets it
 * received = extended highest sequence number + 1 - cumulative lost (ours
 * start at 0). A receive-only remote (a browser answering recvonly) shows
 * that it got our media this way. */
static void reports_received(struct rtg_pio_session *s, const struct rtg_rtcp_pkt *p,
                             rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  struct rtg_rtcp_rb rb;
  for (size_t i = 0; rtg_rtcp_rb_get(p, i, &rb) == 0; i++)
    for (int k = 0; k < RTG_PIO_KINDS; k++) {
      int64_t got = (int64_t)rb.ext_highest_seq + 1 - rb.cumulative_lost;
      if (rb.ssrc != local_ssrc(s, k) || got <= (int64_t)t->mreported[k]) continue;
      t->mreported[k] = (unsigned)got;
      if (got >= MEDIA_VALID_NEEDED) media_met(s, k, now);
    }
}

/* Echoes of our packets (our payload layout, see media_prefix) must come
 * back intact on the remote's own SSRC with the negotiated payload type;
 * other packets of the negotiated type are the remote's own media. */
static void media_received(struct rtg_pio_session *s, const struct rtg_peer_event *ev,
                           rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  struct rtg_rtp_hdr h;
  const uint8_t *pl;
  uint8_t prefix[RTG_PIO_KINDS][400];
  int k;
  media_prefix(prefix[RTG_PIO_AUDIO], RTG_PIO_AUDIO);
  media_prefix(prefix[RTG_PIO_VIDEO], RTG_PIO_VIDEO);
  if (rtg_rtp_parse(&h, ev->data, ev->len, NULL) != 0) return;
  k = t->have_pt[RTG_PIO_AUDIO] && h.pt == t->pt[RTG_PIO_AUDIO]   ? RTG_PIO_AUDIO
      : t->have_pt[RTG_PIO_VIDEO] && h.pt == t->pt[RTG_PIO_VIDEO] ? RTG_PIO_VIDEO
                                                                  : -1;
  if (k < 0) return;
  pl = h.payload.p;
  if (h.payload.len != media_payload[k] || pl[tag_at[k] + 4] != k || pl[0] != prefix[k][0]) {
    if (++t->mforeign[k] >= MEDIA_VALID_NEEDED) media_met(s, k, now);
    return;
  }
  if (h.ssrc == local_ssrc(s, k) || memcmp(pl, prefix[k], tag_at[k]) != 0 ||
      !matches(pl + tag_at[k] + 5, rtg_load_u32(pl + tag_at[k]), h.payload.len - tag_at[k] - 5)) {
    t->minvalid[k]++; /* our packet, altered */
    return;
  }
  if (k == RTG_PIO_VIDEO) {
    if (t->fb_sent && h.ssrc == t->echo_ssrc && h.seq == t->nacked) t->nack_answered = true;
    t->echo_ssrc = h.ssrc;
    t->echo_seq = h.seq;
  }
  t->mvalid[k]++;
  if (k == RTG_PIO_VIDEO && t->mvalid[k] == 3) feedback_send(s, now);
  if (t->mvalid[k] >= MEDIA_VALID_NEEDED) media_met(s, k, now);
}

void rtg_pio_test_finish(struct rtg_pio_session *s) {
  static const unsigned bits[RTG_PIO_KINDS] = {RTG_PIO_EXPECT_AUDIO, RTG_PIO_EXPECT_VIDEO};
  for (int k = 0; k < RTG_PIO_KINDS; k++) {
    if (s->t.minvalid[k] == 0) continue;
    s->met &= ~bits[k];
    snprintf(s->failure, sizeof s->failure, "%u echoed %s packets came back altered",
             s->t.minvalid[k], k == RTG_PIO_AUDIO ? "audio" : "video");
  }
}

/* ---- ICE restart ---------------------------------------------------------------------------- */

static void restart_service(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  unsigned others = want(s) & ~(unsigned)RTG_PIO_EXPECT_ICE_RESTART;
  if (!(want(s) & RTG_PIO_EXPECT_ICE_RESTART) || t->restart != 0 || (s->met & others) != others)
    return;
  if (rtg_peer_restart_ice(s->peer) != 0) {
    snprintf(s->failure, sizeof s->failure, "ICE restart refused by the peer");
    t->restart = -1;
    return;
  }
  t->restart = 1;
  t->restart_at = now;
  rtg_pio_session_event(s, now, "ice-restart", NULL);
  if (rtg_pio_session_renegotiate(s, now) != 0) t->restart = -1;
}

static void restart_pair(struct rtg_pio_session *s, rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  uint8_t m[RESTART_MSG];
  if (t->restart != 1) return;
  t->restart = 2;
  if (!t->open) {
    rtg_pio_session_met(s, now, RTG_PIO_EXPECT_ICE_RESTART);
    return;
  }
  fill(m, 99, sizeof m);
  if (rtg_peer_dc_send(s->peer, now, t->sid, true, m, sizeof m) != 0)
    snprintf(s->failure, sizeof s->failure,
             "cannot send on the echo channel after the ICE restart");
}

/* ---- the test's entry points -------------------------------------------------------------- */

void rtg_pio_test_on_event(struct rtg_pio_session *s, const struct rtg_peer_event *ev,
                           rtg_time now) {
  struct rtg_pio_test *t = &s->t;
  switch (ev->type) {
    case RTG_PEER_EV_SCTP_CONNECTED:
      if (!t->dc_requested) open_channels(s, now);
      break;
    case RTG_PEER_EV_DTLS_CONNECTED:
      if (want(s) & (RTG_PIO_EXPECT_AUDIO | RTG_PIO_EXPECT_VIDEO)) media_setup(s);
      break;
    case RTG_PEER_EV_CHANNEL_ACKED:
      if (ev->sid == t->sid && !t->open) {
        t->open = true;
        if (!s->dc_open_at) s->dc_open_at = now;
        echo_next(s, now);
      } else if (ev->sid == t->usid && (want(s) & RTG_PIO_EXPECT_DC_UNRELIABLE)) {
        t->uopen = true;
        t->unext = now;
      }
      break;
    case RTG_PEER_EV_CHANNEL_MESSAGE:
      if (ev->sid == t->sid)
        echo_received(s, ev, now);
      else if (ev->sid == t->usid && t->uopen)
        unreliable_received(s, ev, now);
      break;
    case RTG_PEER_EV_RTP: media_received(s, ev, now); break;
    case RTG_PEER_EV_RTCP: rtcp_received(s, ev, now); break;
    case RTG_PEER_EV_ICE_SELECTED_PAIR:
    case RTG_PEER_EV_ICE_CONNECTED: restart_pair(s, now); break;
    default: break;
  }
}

void rtg_pio_test_service(struct rtg_pio_session *s, rtg_time now) {
  unreliable_service(s, now);
  media_service(s, now);
  restart_service(s, now);
}

rtg_time rtg_pio_test_poll_timeout(const struct rtg_pio_session *s) {
  const struct rtg_pio_test *t = &s->t;
  rtg_time next = RTG_TIME_NEVER;
  if (t->uopen && t->usent < UNRELIABLE_COUNT && t->unext < next) next = t->unext;
  if (t->media_on)
    for (int k = 0; k < RTG_PIO_KINDS; k++)
      if (t->have_pt[k] && t->mnext[k] < next) next = t->mnext[k];
  return next;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

json_t *rtg_pio_test_json(const struct rtg_pio_session *s) {
  const struct rtg_pio_test *t = &s->t;
  double sorted[RTG_PIO_ECHO_SIZES + 1], p50 = 0;
  json_t *j;
  memcpy(sorted, t->rtt_ms, t->nrtt * sizeof sorted[0]);
  qsort(sorted, t->nrtt, sizeof sorted[0], cmp_double);
  if (t->nrtt) p50 = sorted[t->nrtt / 2];
  j = json_pack("{s:{s:I,s:I,s:b,s:b,s:f,s:f}}", "echo", "messages", (json_int_t)t->nrtt, "largest",
                (json_int_t)t->largest, "limited_by_max_message_size", t->mms_limited, "mismatch",
                t->mismatch, "rtt_ms_p50", p50, "rtt_ms_256k", t->ms_256k);
  if (t->ms_256k > 0)
    json_object_set_new(json_object_get(j, "echo"), "throughput_256k_mbit_s",
                        json_real(2.0 * 262144 * 8 / (t->ms_256k * 1000.0)));
  if (s->dc_open_at && s->offer_sent_at)
    json_object_set_new(j, "offer_to_channel_open_ms",
                        json_real((double)(s->dc_open_at - s->offer_sent_at) / 1e6));
  json_object_set_new(
      j, "unreliable",
      json_pack("{s:i,s:i,s:i}", "sent", t->usent, "echoed", t->uechoed, "invalid", t->ubad));
  json_object_set_new(
      j, "media",
      json_pack("{s:{s:i,s:i,s:i,s:i,s:i},s:{s:i,s:i,s:i,s:i,s:i}}", "audio", "sent", t->msent[0],
                "echo_valid", t->mvalid[0], "echo_invalid", t->minvalid[0], "remote_media",
                t->mforeign[0], "reported_received", t->mreported[0], "video", "sent", t->msent[1],
                "echo_valid", t->mvalid[1], "echo_invalid", t->minvalid[1], "remote_media",
                t->mforeign[1], "reported_received", t->mreported[1]));
  json_object_set_new(
      j, "rtcp",
      json_pack("{s:i,s:i,s:i,s:i,s:b,s:b,s:b}", "received", t->rtcp_in, "sr", t->rtcp_sr, "rr",
                t->rtcp_rr, "invalid", t->rtcp_bad, "feedback_sent", t->fb_sent, "pli_answered",
                t->pli_answered, "nack_answered", t->nack_answered));
  json_object_set_new(j, "ice_restart", json_integer(t->restart));
  return j;
}
