/*
 * dispatch.c - RFC 7983 §7 demultiplexing of one transport payload:
 *
 *                  +----------------+
 *                  |        [0..3] -+--> forward to STUN
 *                  |       [16..19] -+--> forward to ZRTP
 *      packet -->  |       [20..63] -+--> forward to DTLS
 *                  |       [64..79] -+--> forward to TURN Channel
 *                  |     [128..191] -+--> forward to RTP/RTCP
 *                  +----------------+
 *
 * RTP and RTCP share [128..191]; RFC 5761 §4 separates them by the second
 * byte (RTCP packet types 192..223).
 */
#include "engine/replay.h"

static void on_channel(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n, int depth);

static void payload(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n, int depth) {
  struct rtg_flow *fl = &r->flows[f];
  uint8_t b;
  r->cur_flow = f;
  r->cur_dir = dir;
  fl->packets++;
  fl->bytes += n;
  fl->last_ts = r->cur_ts;
  if (n == 0) return;
  b = p[0];
  if (b <= 3) {
    rtg_check_stun(r, f, dir, p, n);
  } else if (b >= 20 && b <= 63) {
    rtg_check_dtls(r, f, dir, p, n);
  } else if (b >= 64 && b <= 79) {
    if (depth < 2) on_channel(r, f, dir, p, n, depth);
  } else if (b >= 128 && b <= 191) {
    if (n >= 2 && p[1] >= 192 && p[1] <= 223)
      rtg_check_rtcp(r, f, dir, p, n);
    else
      rtg_check_rtp(r, f, dir, p, n);
  } else {
    fl->n_other++;
    /* Only a flow already known to carry WebRTC is held to RFC 7983. */
    if (fl->n_stun || fl->n_dtls)
      rtg_finding(r, R_DEMUX_UNKNOWN, fl->session,
                  "first byte %u is in no RFC 7983 range on a STUN/DTLS flow", b);
  }
}

static void on_channel(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n,
                       int depth) {
  struct rtg_turn_channel ch;
  struct rtg_perr e;
  struct rtg_flow *fl = &r->flows[f];
  int inner, idir;
  char msg[160];
  rtg_perr_clear(&e);
  if (rtg_turn_channel_parse(&ch, p, n, &e)) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_TURN_CHANNEL_MALFORMED, fl->session, "%s", msg);
    return;
  }
  fl->n_turn++;
  r->turn++;
  /* The inner flow is keyed by the outer flow and the channel number; its
   * direction follows the outer one. */
  inner = rtg_flow_lookup(r, dir == 0 ? &fl->a : &fl->b, dir == 0 ? &fl->b : &fl->a, fl->proto, f,
                          ch.number, &idir);
  if (inner >= 0) payload(r, inner, idir, ch.data.p, ch.data.len, depth + 1);
}

void rtg_replay_payload(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  payload(r, f, dir, p, n, 0);
}
