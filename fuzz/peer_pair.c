/*
 * peer_pair - two reference peers (rtg/peer.h) negotiate for real (A
 * offers, B answers and echoes), then the input plays the network and the
 * applications: deliver, drop, duplicate, reorder or corrupt any datagram
 * in flight, inject raw datagrams, advance time, open/send/close data
 * channels, send RTP/RTCP on either side, restart ICE, close. This reaches
 * what peer_remote cannot: the paths behind a completed DTLS handshake
 * (SCTP, data channels, SRTP/SRTCP, RTCP feedback, echo) under hostile
 * delivery.
 *
 * Invariants: every datagram either peer sends is in an RFC 7983 range and
 * at most RTG_PEER_MAX_DATAGRAM bytes; events are well-formed (payload
 * pointers set, messages within max-message-size); handle_timeout never
 * fails.
 *
 * Input: byte 0 = configuration (B passive, AES-256-GCM only, no video, B
 * lite, A echoes too, a short settling),
 * then commands (first byte % 8 selects one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/peer.h"
#include "rtg_fuzz.h"

#define CHECK(c)       \
  do {                 \
    if (!(c)) abort(); \
  } while (0)

#define NQ 128

struct dgram {
  int to;
  struct rtg_stun_addr src, dst;
  uint16_t len;
  uint8_t data[RTG_PEER_MAX_DATAGRAM];
};

struct fz {
  struct rtg_peer *p[2];
  struct rtg_stun_addr addr[2];
  rtg_time now;
  struct dgram *q;
  size_t nq;
  uint16_t sid[2];
  bool have_sid[2];
};

struct in {
  const uint8_t *p;
  size_t n;
};

static struct rtg_dtls_cert *g_cert[2];
static struct rtg_ctx g_ctx[2];
static struct rtg_prng g_prng[2];
static struct dgram g_q[NQ];
static uint8_t g_msg[65536];

static uint8_t take(struct in *in) {
  uint8_t v;
  if (in->n == 0) return 0;
  v = *in->p++;
  in->n--;
  return v;
}

static struct rtg_stun_addr addr4(uint8_t last, uint16_t port) {
  struct rtg_stun_addr a;
  memset(&a, 0, sizeof a);
  a.family = 1;
  a.addr[0] = 10;
  a.addr[3] = last;
  a.port = port;
  return a;
}

static bool rfc7983(uint8_t b) { return b <= 3 || (b >= 20 && b <= 63) || (b >= 128 && b <= 191); }

static void drain(struct fz *f) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  struct rtg_stun_addr src, dst;
  struct rtg_peer_event ev;
  size_t len;
  for (int i = 0; i < 2; i++) {
    while (rtg_peer_poll_transmit(f->p[i], buf, sizeof buf, &len, &src, &dst) == 0) {
      struct dgram *d;
      CHECK(len > 0 && len <= RTG_PEER_MAX_DATAGRAM && rfc7983(buf[0]));
      if (f->nq == NQ) continue; /* the network is full: lost */
      d = &f->q[f->nq++];
      d->to = 1 - i;
      d->src = src;
      d->dst = dst;
      d->len = (uint16_t)len;
      memcpy(d->data, buf, len);
    }
    while (rtg_peer_poll_event(f->p[i], &ev) == 0) {
      CHECK(ev.type >= RTG_PEER_EV_LOCAL_CANDIDATE && ev.type <= RTG_PEER_EV_CLOSED);
      CHECK(ev.len == 0 || ev.data != NULL);
      if (ev.type == RTG_PEER_EV_CHANNEL_OPEN || ev.type == RTG_PEER_EV_CHANNEL_ACKED) {
        f->sid[i] = ev.sid;
        f->have_sid[i] = true;
      }
      if (ev.type == RTG_PEER_EV_CHANNEL_MESSAGE) CHECK(ev.len <= 262144);
    }
  }
}

static void deliver(struct fz *f, size_t k, bool keep) {
  struct dgram d = f->q[k];
  if (!keep) f->q[k] = f->q[--f->nq];
  (void)!rtg_peer_handle_datagram(f->p[d.to], f->now, &d.dst, &d.src, d.data, d.len);
}

static void timers(struct fz *f) {
  for (int i = 0; i < 2; i++)
    if (rtg_peer_poll_timeout(f->p[i]) <= f->now)
      CHECK(rtg_peer_handle_timeout(f->p[i], f->now) == 0);
}

/* Plays the network honestly for a while: datagrams delivered one by one
 * (1 ms apart), timers in between, time jumping to the next timer when
 * nothing is in flight. */
static void settle(struct fz *f, unsigned rounds) {
  for (unsigned r = 0; r < rounds; r++) {
    drain(f);
    if (f->nq) {
      deliver(f, 0, false);
    } else {
      rtg_time t = rtg_peer_poll_timeout(f->p[0]), u = rtg_peer_poll_timeout(f->p[1]);
      if (u < t) t = u;
      if (t == RTG_TIME_NEVER || t > f->now + RTG_SEC(5)) return;
      if (t > f->now) f->now = t;
    }
    f->now += RTG_MS(1);
    timers(f);
  }
  drain(f);
}

static void negotiate(struct fz *f) {
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  struct rtg_perr e;
  for (int i = 0; i < 2; i++) {
    struct rtg_ice_cand c;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_HOST;
    c.addr = c.base = f->addr[i];
    CHECK(rtg_peer_add_local_candidate(f->p[i], &c) == 0);
    rtg_peer_local_candidates_done(f->p[i]);
  }
  CHECK(rtg_peer_create_offer(f->p[0], offer, sizeof offer, &ol) == 0);
  CHECK(rtg_peer_set_remote_description(f->p[1], f->now, RTG_PEER_SDP_OFFER, offer, ol, &e) == 0);
  CHECK(rtg_peer_create_answer(f->p[1], f->now, answer, sizeof answer, &al, &e) == 0);
  CHECK(rtg_peer_set_remote_description(f->p[0], f->now, RTG_PEER_SDP_ANSWER, answer, al, &e) == 0);
}

static void restart(struct fz *f) {
  static char offer[RTG_PEER_MAX_SDP], answer[RTG_PEER_MAX_SDP];
  size_t ol, al;
  struct rtg_perr e;
  if (rtg_peer_restart_ice(f->p[0]) != 0) return;
  CHECK(rtg_peer_create_offer(f->p[0], offer, sizeof offer, &ol) == 0);
  if (rtg_peer_set_remote_description(f->p[1], f->now, RTG_PEER_SDP_OFFER, offer, ol, &e) != 0 ||
      rtg_peer_create_answer(f->p[1], f->now, answer, sizeof answer, &al, &e) != 0)
    return;
  (void)!rtg_peer_set_remote_description(f->p[0], f->now, RTG_PEER_SDP_ANSWER, answer, al, &e);
}

static void net_cmd(struct fz *f, struct in *in, uint8_t op) {
  size_t k;
  uint8_t a = take(in), b = take(in);
  if (f->nq == 0) return;
  k = a % f->nq;
  switch (op % 4) {
    case 0: deliver(f, k, false); break;
    case 1: f->q[k] = f->q[--f->nq]; break; /* drop */
    case 2: deliver(f, k, true); break;     /* duplicate */
    case 3:                                 /* corrupt, then deliver */
    default:
      f->q[k].data[b % f->q[k].len] ^= (uint8_t)(a | 1);
      deliver(f, k, false);
      break;
  }
}

static void app_cmd(struct fz *f, struct in *in) {
  uint8_t op = take(in), n = take(in), buf[1200];
  int side = op & 1;
  size_t len = (size_t)n * 4;
  struct rtg_dc_channel_opts o;
  uint32_t ssrc;
  memset(buf, n, sizeof buf);
  switch ((op >> 1) % 6) {
    case 0:
      memset(&o, 0, sizeof o);
      o.channel_type = (uint8_t)(n & 0x83);
      o.reliability = n >> 4;
      o.label = "pair";
      if (rtg_peer_dc_open(f->p[side], f->now, &o, &f->sid[side]) == 0) f->have_sid[side] = true;
      break;
    case 1:
      if (f->have_sid[side])
        (void)!rtg_peer_dc_send(f->p[side], f->now, f->sid[side], n & 1, g_msg,
                                (n & 4) ? (size_t)n * 256 : len);
      break;
    case 2:
      if (f->have_sid[side]) (void)!rtg_peer_dc_close(f->p[side], f->sid[side]);
      break;
    case 3:
      ssrc = rtg_peer_local_ssrc(f->p[side], (n & 1) ? RTG_SDP_MEDIA_VIDEO : RTG_SDP_MEDIA_AUDIO);
      buf[0] = 0x80;
      buf[1] = (n & 1) ? 96 : 111;
      rtg_store_u16(buf + 2, (uint16_t)(n * 3));
      rtg_store_u32(buf + 4, (uint32_t)n * 960u);
      rtg_store_u32(buf + 8, ssrc);
      (void)!rtg_peer_send_rtp(f->p[side], f->now, buf, 12 + len % 1000);
      break;
    case 4: restart(f); break;
    case 5:
    default:
      if (n == 0xff) (void)!rtg_peer_close(f->p[side], f->now);
      break;
  }
}

static void raw_cmd(struct fz *f, struct in *in) {
  uint8_t side = take(in) & 1;
  size_t len = take(in) * 4u;
  if (len > in->n) len = in->n;
  (void)!rtg_peer_handle_datagram(f->p[side], f->now, &f->addr[side], &f->addr[1 - side], in->p,
                                  len);
  in->p += len;
  in->n -= len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct in in = {data, size};
  struct fz f;
  struct rtg_peer_config cfg[2];
  uint8_t cfgbits = take(&in);
  for (int i = 0; i < 2; i++) {
    if (g_cert[i] == NULL) {
      rtg_ctx_deterministic(&g_ctx[i], &g_prng[i], (uint64_t)i + 1, NULL);
      CHECK(rtg_dtls_cert_generate_seeded(&g_ctx[i], &g_cert[i]) == 0);
    }
    rtg_ctx_deterministic(&g_ctx[i], &g_prng[i], (uint64_t)i + 11, NULL);
    CHECK(rtg_dtls_cert_reseed(g_cert[i], &g_ctx[i]) == 0);
    rtg_peer_config_default(&cfg[i]);
    cfg[i].cert = g_cert[i];
    cfg[i].seeded_rng = true;
  }
  cfg[1].echo = RTG_PEER_ECHO_ALL;
  cfg[1].answer_setup = (cfgbits & 1) ? RTG_SDP_SETUP_PASSIVE : RTG_SDP_SETUP_ACTIVE;
  if (cfgbits & 2) {
    cfg[0].n_srtp_profiles = 1;
    cfg[0].srtp_profiles[0] = RTG_SRTP_AEAD_AES_256_GCM;
  }
  cfg[0].video = !(cfgbits & 4);
  cfg[1].ice_mode = (cfgbits & 8) ? RTG_ICE_LITE : RTG_ICE_FULL;
  cfg[0].echo = (cfgbits & 16) ? RTG_PEER_ECHO_DATA : RTG_PEER_ECHO_NONE;
  memset(&f, 0, sizeof f);
  f.q = g_q;
  f.addr[0] = addr4(1, 4000);
  f.addr[1] = addr4(2, 5000);
  CHECK(rtg_peer_new(&f.p[0], &g_ctx[0], &cfg[0], 0) == 0);
  CHECK(rtg_peer_new(&f.p[1], &g_ctx[1], &cfg[1], 0) == 0);
  negotiate(&f);
  settle(&f, (cfgbits & 32) ? 40 : 400);
  for (int steps = 0; in.n > 0 && steps < 512; steps++) {
    uint8_t op = take(&in);
    switch (op % 8) {
      case 0:
      case 1: net_cmd(&f, &in, (uint8_t)(op >> 3)); break;
      case 2:
        f.now += RTG_MS(take(&in)) * 4;
        timers(&f);
        break;
      case 3:
      case 4: app_cmd(&f, &in); break;
      case 5: raw_cmd(&f, &in); break;
      case 6: settle(&f, take(&in)); break;
      case 7:
      default: timers(&f); break;
    }
    drain(&f);
  }
  settle(&f, 200);
  rtg_peer_free(f.p[0]);
  rtg_peer_free(f.p[1]);
  return 0;
}
