/*
 * sctp_dc - the data channel layer (DCEP, RFC 8832) under a hostile peer.
 * A is an rtg_dc (DTLS client), B a bare association acting as the peer;
 * after a real handshake the input is a command stream:
 *
 *   0 SID PPID LEN BYTES  B sends BYTES with PPID (0: DCEP, 1: string,
 *                         2: binary, 3: string-empty, 4: binary-empty,
 *                         5: legacy partial, else the byte itself) on SID
 *   1 TYPE                A opens a channel of channel TYPE (DCEP)
 *   2 ID                  A opens a negotiated channel ID
 *   3 SID LEN             A sends LEN bytes on SID (binary if LEN is odd)
 *   4 SID                 A closes SID
 *   5 SID                 B resets its outgoing stream SID
 *   6 MS                  time passes
 *
 * Invariants: no crash or leak; events carry the channel they name; every
 * packet either side emits parses.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/sctp.h"
#include "rtg_fuzz.h"

struct fz {
  struct rtg_dc *dc;
  struct rtg_sctp_assoc *b;
  struct rtg_ctx ctx[2];
  struct rtg_prng prng[2];
  rtg_time now;
};

static void pump(struct fz *f) {
  for (int r = 0; r < 4; r++) {
    struct rtg_sctp_assoc *ep[2] = {rtg_dc_assoc(f->dc), f->b};
    struct rtg_dc_event ev;
    struct rtg_sctp_event bev;
    for (int i = 0; i < 2; i++) {
      uint8_t buf[1500];
      size_t len;
      int n = 0;
      while (n++ < 64 && rtg_sctp_assoc_poll_transmit(ep[i], buf, sizeof buf, &len) == 0) {
        struct rtg_sctp_packet pkt;
        CHECK(rtg_sctp_packet_parse(buf, len, 0, &pkt, NULL) == 0);
        (void)!rtg_sctp_assoc_handle_datagram(ep[1 - i], f->now, buf, len);
      }
    }
    while (rtg_dc_poll_event(f->dc, &ev) == 0) {
      if (ev.type == RTG_DC_EV_CHANNEL_OPEN) {
        /* the peer's ids have the server's parity (odd) */
        CHECK(ev.sid & 1);
        CHECK(ev.label.len == 0 || ev.label.p != NULL);
      }
      if (ev.type == RTG_DC_EV_MESSAGE) CHECK(ev.len == 0 || ev.data != NULL);
    }
    while (rtg_sctp_assoc_poll_event(f->b, &bev) == 0) continue;
  }
}

static void timers(struct fz *f) {
  struct rtg_sctp_assoc *ep[2] = {rtg_dc_assoc(f->dc), f->b};
  for (int i = 0; i < 2; i++)
    if (rtg_sctp_assoc_poll_timeout(ep[i]) <= f->now)
      CHECK(rtg_sctp_assoc_handle_timeout(ep[i], f->now) == 0);
}

static uint32_t ppid_of(uint8_t p) {
  static const uint32_t map[] = {RTG_SCTP_PPID_DCEP,         RTG_SCTP_PPID_STRING,
                                 RTG_SCTP_PPID_BINARY,       RTG_SCTP_PPID_STRING_EMPTY,
                                 RTG_SCTP_PPID_BINARY_EMPTY, RTG_SCTP_PPID_STRING_PARTIAL};
  return p < 6 ? map[p] : p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t payload[4096];
  struct fz f;
  struct rtg_sctp_config c;
  struct rtg_rd rd;
  int cmds = 0;
  memset(&f, 0, sizeof f);
  f.now = RTG_SEC(10);
  rtg_sctp_config_default(&c);
  c.streams = 64;
  c.heartbeat_interval = RTG_TIME_NEVER;
  c.rto_min = RTG_MS(50);
  c.rto_initial = RTG_MS(100);
  rtg_ctx_deterministic(&f.ctx[0], &f.prng[0], 1, &f.now);
  rtg_ctx_deterministic(&f.ctx[1], &f.prng[1], 2, &f.now);
  CHECK(rtg_dc_new(&f.ctx[0], &c, true, &f.dc) == 0);
  CHECK(rtg_sctp_assoc_new(&f.ctx[1], &c, &f.b) == 0);
  CHECK(rtg_sctp_assoc_connect(rtg_dc_assoc(f.dc), f.now) == 0);
  pump(&f);
  CHECK(rtg_sctp_assoc_state(f.b) == RTG_SCTP_ESTABLISHED);

  rtg_rd_init(&rd, data, size);
  while (!rtg_rd_empty(&rd) && cmds++ < 128) {
    uint8_t op, a1, a2;
    uint16_t v, sid;
    struct rtg_slice s;
    struct rtg_dc_channel_opts o;
    if (rtg_rd_u8(&rd, &op)) break;
    memset(&o, 0, sizeof o);
    switch (op % 7) {
      case 0:
        if (rtg_rd_u8(&rd, &a1) || rtg_rd_u8(&rd, &a2) || rtg_rd_u16(&rd, &v)) break;
        v = (uint16_t)(v % 2048);
        if (v > rtg_rd_left(&rd)) v = (uint16_t)rtg_rd_left(&rd);
        if (rtg_rd_bytes(&rd, v, &s) || s.len == 0) break;
        (void)!rtg_sctp_assoc_send(f.b, f.now, a1 % 64, ppid_of(a2), s.p, s.len, NULL);
        break;
      case 1:
        if (rtg_rd_u8(&rd, &a1)) break;
        o.channel_type = a1;
        o.reliability = a1 >> 4;
        o.label = "fuzz";
        (void)!rtg_dc_open(f.dc, f.now, &o, &sid);
        break;
      case 2:
        if (rtg_rd_u8(&rd, &a1)) break;
        o.negotiated = true;
        o.id = a1 % 64;
        (void)!rtg_dc_open(f.dc, f.now, &o, &sid);
        break;
      case 3:
        if (rtg_rd_u8(&rd, &a1) || rtg_rd_u16(&rd, &v)) break;
        memset(payload, a1, sizeof payload);
        (void)!rtg_dc_send(f.dc, f.now, a1 % 64, v & 1, payload, v % sizeof payload);
        break;
      case 4:
        if (rtg_rd_u8(&rd, &a1)) break;
        (void)!rtg_dc_close(f.dc, a1 % 64);
        break;
      case 5:
        if (rtg_rd_u8(&rd, &a1)) break;
        sid = a1 % 64;
        (void)!rtg_sctp_assoc_reset_streams(f.b, &sid, 1);
        break;
      default:
        if (rtg_rd_u16(&rd, &v)) break;
        f.now += RTG_MS(v % 5000);
        timers(&f);
        break;
    }
    pump(&f);
  }
  for (int i = 0; i < 4; i++) {
    f.now += RTG_MS(300);
    timers(&f);
    pump(&f);
  }
  rtg_dc_free(f.dc);
  rtg_sctp_assoc_free(f.b);
  return 0;
}
