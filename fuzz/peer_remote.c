/*
 * peer_remote - drives one reference peer (rtg/peer.h) with what a remote
 * controls: its session description, then a stream of commands: raw
 * datagrams (any RFC 7983 range) from the remote's address or elsewhere,
 * binding requests and responses the target authenticates itself (so ICE
 * can connect and DTLS start), trickled candidate lines, time advancing,
 * data channel and media calls, ICE restarts, and reflections of the
 * peer's own datagrams with a byte changed. Context, time and the
 * certificate are deterministic.
 *
 * Invariants checked after every command: every datagram the peer sends is
 * in an RFC 7983 range and fits RTG_PEER_MAX_DATAGRAM, events are
 * well-formed, poll_timeout is not in the past after handle_timeout.
 *
 * Input: byte 0 = configuration bits (answer passive, trickle, echo, ICE
 * lite, we offer, loss, a TURN server), bytes 1-2 = SDP length (big
 * endian), the SDP (the remote offer, or the answer to our offer when bit
 * 4 is set), then commands (first byte % 8 selects one).
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

#define LOCAL_UFRAG "fuzzufrag"
#define LOCAL_PWD "rtcgatefuzzpeerpassword0"

struct in {
  const uint8_t *p;
  size_t n;
};

struct fz {
  struct rtg_peer *p;
  rtg_time now;
  struct rtg_stun_addr local, remote, stranger;
  struct rtg_stun_cred lcred, rcred;
  bool have_rcred;
  char rufrag[64];
  uint8_t last[RTG_PEER_MAX_DATAGRAM];
  size_t last_len;
  uint8_t req_tid[RTG_STUN_TID_LEN];
  bool have_req;
  uint16_t sid;
  bool have_sid;
};

static struct rtg_dtls_cert *g_cert;
static struct rtg_ctx g_ctx;
static struct rtg_prng g_prng;

static uint8_t take(struct in *in) {
  uint8_t v;
  if (in->n == 0) return 0;
  v = *in->p++;
  in->n--;
  return v;
}

static uint16_t take16(struct in *in) {
  uint16_t hi = take(in);
  return (uint16_t)((hi << 8) | take(in));
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

static bool rfc7983(uint8_t b) {
  return b <= 3 || (b >= 20 && b <= 63) || (b >= 64 && b <= 79) || (b >= 128 && b <= 191);
}

static void drain(struct fz *f) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  struct rtg_stun_addr src, dst;
  struct rtg_peer_event ev;
  size_t len;
  while (rtg_peer_poll_transmit(f->p, buf, sizeof buf, &len, &src, &dst) == 0) {
    struct rtg_stun_msg m;
    CHECK(len > 0 && len <= RTG_PEER_MAX_DATAGRAM && rfc7983(buf[0]));
    memcpy(f->last, buf, len);
    f->last_len = len;
    if (buf[0] <= 3 && rtg_stun_msg_parse(&m, buf, len, NULL) == 0 && m.cls == RTG_STUN_REQUEST) {
      memcpy(f->req_tid, m.tid, RTG_STUN_TID_LEN);
      f->have_req = true;
    }
  }
  while (rtg_peer_poll_event(f->p, &ev) == 0) {
    CHECK(ev.type >= RTG_PEER_EV_LOCAL_CANDIDATE && ev.type <= RTG_PEER_EV_CLOSED);
    CHECK(ev.len == 0 || ev.data != NULL);
    CHECK(rtg_peer_event_name(ev.type) != NULL);
    if (ev.type == RTG_PEER_EV_CHANNEL_OPEN || ev.type == RTG_PEER_EV_CHANNEL_ACKED) {
      f->sid = ev.sid;
      f->have_sid = true;
    }
    if (ev.type == RTG_PEER_EV_MDNS_RESOLVE) {
      struct rtg_stun_addr a = addr4(2, 5000);
      CHECK(ev.hostname != NULL);
      (void)!rtg_peer_resolve_mdns(f->p, ev.hostname, &a);
    }
  }
}

/* A binding request with our credential, or a response to the peer's last
 * request with the remote one: both authenticate. */
static void stun_cmd(struct fz *f, struct in *in) {
  struct rtg_stun_builder b;
  uint8_t buf[600], tid[RTG_STUN_TID_LEN] = {1}, flags = take(in);
  char user[128];
  size_t ul;
  ptrdiff_t n;
  bool resp = (flags & 1) && f->have_req && f->have_rcred;
  tid[1] = take(in);
  CHECK(rtg_stun_builder_init(&b, buf, sizeof buf, resp ? RTG_STUN_SUCCESS : RTG_STUN_REQUEST,
                              RTG_STUN_BINDING, resp ? f->req_tid : tid) == 0);
  if (resp) {
    CHECK(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &f->local) == 0);
  } else {
    ul = (size_t)snprintf(user, sizeof user, "%s:%s", LOCAL_UFRAG, f->rufrag);
    CHECK(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, user, ul) == 0);
    CHECK(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_PRIORITY, 0x6e0001ffu) == 0);
    CHECK(rtg_stun_builder_add_u64(
              &b, (flags & 2) ? RTG_STUN_ATTR_ICE_CONTROLLING : RTG_STUN_ATTR_ICE_CONTROLLED,
              take(in)) == 0);
    if (flags & 4) CHECK(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USE_CANDIDATE, NULL, 0) == 0);
  }
  CHECK(rtg_stun_builder_add_integrity(&b, resp ? &f->rcred : &f->lcred) == 0);
  CHECK(rtg_stun_builder_add_fingerprint(&b) == 0);
  n = rtg_stun_builder_finish(&b);
  CHECK(n > 0);
  if (resp) f->have_req = false;
  (void)!rtg_peer_handle_datagram(f->p, f->now, &f->local, (flags & 8) ? &f->stranger : &f->remote,
                                  buf, (size_t)n);
}

static void raw_cmd(struct fz *f, struct in *in) {
  uint8_t flags = take(in);
  size_t len = take16(in) % 1400;
  if (len > in->n) len = in->n;
  (void)!rtg_peer_handle_datagram(f->p, f->now, &f->local, (flags & 1) ? &f->stranger : &f->remote,
                                  in->p, len);
  in->p += len;
  in->n -= len;
}

static void reflect_cmd(struct fz *f, struct in *in) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  size_t at = take16(in), len = f->last_len;
  uint8_t x = take(in);
  if (len == 0) return;
  memcpy(buf, f->last, len);
  buf[at % len] ^= x;
  (void)!rtg_peer_handle_datagram(f->p, f->now, &f->local, &f->remote, buf, len);
}

static void app_cmd(struct fz *f, struct in *in) {
  uint8_t op = take(in), buf[1300];
  size_t len = take16(in) % sizeof buf;
  struct rtg_dc_channel_opts o;
  if (len > in->n) len = in->n;
  memcpy(buf, in->p, len);
  in->p += len;
  in->n -= len;
  switch (op % 5) {
    case 0:
      memset(&o, 0, sizeof o);
      o.channel_type = (uint8_t)(len ? buf[0] : 0);
      o.label = "fuzz";
      if (rtg_peer_dc_open(f->p, f->now, &o, &f->sid) == 0) f->have_sid = true;
      break;
    case 1:
      if (f->have_sid) (void)!rtg_peer_dc_send(f->p, f->now, f->sid, op & 8, buf, len);
      break;
    case 2:
      if (f->have_sid) (void)!rtg_peer_dc_close(f->p, f->sid);
      break;
    case 3: (void)!rtg_peer_send_rtp(f->p, f->now, buf, len); break;
    case 4:
    default: (void)!rtg_peer_send_rtcp(f->p, f->now, buf, len); break;
  }
}

static void sdp_cmd(struct fz *f, struct in *in) {
  static char sdp[RTG_PEER_MAX_SDP];
  size_t len = take16(in) % 512;
  char line[600];
  struct rtg_perr e;
  switch (take(in) % 4) {
    case 0:
      if (len > in->n) len = in->n;
      memcpy(line, in->p, len);
      line[len] = '\0';
      in->p += len;
      in->n -= len;
      (void)!rtg_peer_add_remote_candidate(f->p, line, &e);
      break;
    case 1: rtg_peer_end_of_candidates(f->p); break;
    case 2:
      if (rtg_peer_restart_ice(f->p) == 0)
        (void)!rtg_peer_create_offer(f->p, sdp, sizeof sdp, &len);
      break;
    case 3:
    default: (void)!rtg_peer_close(f->p, f->now); break;
  }
}

static void time_cmd(struct fz *f, struct in *in) {
  rtg_time t;
  f->now += RTG_MS(take(in)) * 5;
  t = rtg_peer_poll_timeout(f->p);
  if (t <= f->now) {
    CHECK(rtg_peer_handle_timeout(f->p, f->now) == 0);
    drain(f);
    CHECK(rtg_peer_poll_timeout(f->p) >= f->now);
  }
}

/* The remote's ICE password from its description (to answer our checks). */
static void remote_creds(struct fz *f, const char *sdp, size_t len) {
  const char *pw = memmem(sdp, len, "a=ice-pwd:", 10), *uf = memmem(sdp, len, "a=ice-ufrag:", 12);
  size_t n = 0;
  if (uf) {
    uf += 12;
    while (uf + n < sdp + len && uf[n] != '\r' && uf[n] != '\n' && n < sizeof f->rufrag - 1) n++;
    memcpy(f->rufrag, uf, n);
  }
  f->rufrag[n] = '\0';
  if (pw == NULL) return;
  pw += 10;
  for (n = 0; pw + n < sdp + len && pw[n] != '\r' && pw[n] != '\n' && n < 256;) n++;
  f->have_rcred = rtg_stun_cred_init_short(&f->rcred, pw, n) == 0;
}

static void negotiate(struct fz *f, uint8_t cfgbits, const char *sdp, size_t len) {
  static char out[RTG_PEER_MAX_SDP];
  size_t ol;
  struct rtg_perr e;
  struct rtg_ice_cand c;
  memset(&c, 0, sizeof c);
  c.type = RTG_ICE_CAND_HOST;
  c.addr = c.base = f->local;
  (void)!rtg_peer_add_local_candidate(f->p, &c);
  rtg_peer_local_candidates_done(f->p);
  remote_creds(f, sdp, len);
  if (cfgbits & 16) {
    if (rtg_peer_create_offer(f->p, out, sizeof out, &ol) == 0)
      (void)!rtg_peer_set_remote_description(f->p, f->now, RTG_PEER_SDP_ANSWER, sdp, len, &e);
  } else if (rtg_peer_set_remote_description(f->p, f->now, RTG_PEER_SDP_OFFER, sdp, len, &e) == 0) {
    (void)!rtg_peer_create_answer(f->p, f->now, out, sizeof out, &ol, &e);
  }
  drain(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct in in = {data, size};
  struct fz f;
  struct rtg_peer_config cfg;
  struct rtg_peer_turn turn;
  uint8_t cfgbits = take(&in);
  size_t sl = take16(&in);
  if (sl > in.n) sl = in.n;
  if (g_cert == NULL) {
    rtg_ctx_deterministic(&g_ctx, &g_prng, 1, NULL);
    CHECK(rtg_dtls_cert_generate_seeded(&g_ctx, &g_cert) == 0);
  }
  rtg_ctx_deterministic(&g_ctx, &g_prng, 7, NULL);
  CHECK(rtg_dtls_cert_reseed(g_cert, &g_ctx) == 0);
  memset(&f, 0, sizeof f);
  f.local = addr4(1, 4000);
  f.remote = addr4(2, 5000);
  f.stranger = addr4(66, 6666);
  rtg_peer_config_default(&cfg);
  cfg.cert = g_cert;
  cfg.seeded_rng = true;
  cfg.answer_setup = (cfgbits & 1) ? RTG_SDP_SETUP_PASSIVE : RTG_SDP_SETUP_ACTIVE;
  cfg.trickle = cfgbits & 2;
  cfg.echo = (cfgbits & 4) ? RTG_PEER_ECHO_ALL : RTG_PEER_ECHO_NONE;
  cfg.ice_mode = (cfgbits & 8) ? RTG_ICE_LITE : RTG_ICE_FULL;
  cfg.loss_permille_in = (cfgbits & 32) ? 100 : 0;
  cfg.stun_checks_per_sec = 5;
  /* bit 6: a TURN server at the stranger's address (its datagrams then go
   * to the peer's TURN client) */
  memset(&turn, 0, sizeof turn);
  turn.server = f.stranger;
  turn.local = f.local;
  turn.username = "fuzz";
  turn.password = "fuzz";
  if (cfgbits & 64) cfg.turn = &turn;
  cfg.ice_ufrag = LOCAL_UFRAG;
  cfg.ice_pwd = LOCAL_PWD;
  CHECK(rtg_stun_cred_init_short(&f.lcred, LOCAL_PWD, strlen(LOCAL_PWD)) == 0);
  CHECK(rtg_peer_new(&f.p, &g_ctx, &cfg, 0) == 0);
  negotiate(&f, cfgbits, (const char *)in.p, sl);
  in.p += sl;
  in.n -= sl;
  for (int steps = 0; in.n > 0 && steps < 256; steps++) {
    switch (take(&in) % 8) {
      case 0: raw_cmd(&f, &in); break;
      case 1: stun_cmd(&f, &in); break;
      case 2: time_cmd(&f, &in); break;
      case 3: reflect_cmd(&f, &in); break;
      case 4: app_cmd(&f, &in); break;
      case 5: sdp_cmd(&f, &in); break;
      case 6: stun_cmd(&f, &in); break;
      case 7:
      default: time_cmd(&f, &in); break;
    }
    drain(&f);
  }
  {
    struct rtg_peer_stats st;
    rtg_peer_stats(f.p, &st);
    CHECK(st.nstreams <= RTG_PEER_MAX_STREAMS && st.nchannels <= RTG_PEER_MAX_CHANNELS);
  }
  rtg_peer_free(f.p);
  rtg_stun_cred_free(&f.lcred);
  if (f.have_rcred) rtg_stun_cred_free(&f.rcred);
  return 0;
}
