/*
 * sctp_assoc - the SCTP association as a state machine under attack. Two
 * associations (A, the target, and B, a well-behaved peer) are established
 * by a real handshake with deterministic randomness; the input is then a
 * command stream:
 *
 *   0 LEN BYTES   crafted chunks to A: the target wraps them in a packet
 *                 with A's ports and verification tag and a valid CRC-32c,
 *                 so A parses and processes them instead of dropping them
 *   1 MS          advance time by MS milliseconds, run both timers
 *   2 SID LEN F   A sends LEN bytes on SID (F: unordered, PR policies)
 *   3 SID LEN F   B sends
 *   4 SID         A resets its outgoing stream SID
 *   5 MASK        exchange packets A <-> B, dropping those MASK selects
 *   6 LEN BYTES   crafted chunks to B (peer-tag variant: T bit semantics)
 *   7 K           shutdown (K even) or abort (K odd) on A
 *
 * Inputs of odd length run with RFC 8260 I-DATA negotiated on both sides.
 *
 * Invariants: every packet either endpoint emits parses with a valid
 * checksum and stays within the MTU; messages delivered are non-empty;
 * timers never fail; nothing crashes or leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/sctp.h"
#include "rtg_fuzz.h"

struct fz {
  struct rtg_sctp_assoc *ep[2];
  struct rtg_ctx ctx[2];
  struct rtg_prng prng[2];
  rtg_time now;
};

static void check_packet(const uint8_t *buf, size_t len) {
  struct rtg_sctp_packet pkt;
  CHECK(rtg_sctp_packet_parse(buf, len, RTG_SCTP_PARSE_ZERO_CHECKSUM_OK, &pkt, NULL) == 0);
  CHECK(len <= 1200);
}

/* Moves packets both ways; |mask| bit i drops the i-th packet. */
static void exchange(struct fz *f, uint32_t mask, int rounds) {
  for (int r = 0; r < rounds; r++) {
    unsigned k = 0;
    for (int i = 0; i < 2; i++) {
      uint8_t buf[1500];
      size_t len;
      struct rtg_sctp_event ev;
      int n = 0;
      while (n++ < 64 && rtg_sctp_assoc_poll_transmit(f->ep[i], buf, sizeof buf, &len) == 0) {
        check_packet(buf, len);
        if (!(mask >> (k++ % 32) & 1))
          (void)!rtg_sctp_assoc_handle_datagram(f->ep[1 - i], f->now, buf, len);
      }
      while (rtg_sctp_assoc_poll_event(f->ep[i], &ev) == 0)
        if (ev.type == RTG_SCTP_EV_MESSAGE) CHECK(ev.len > 0 && ev.data != NULL);
    }
  }
}

static void timers(struct fz *f) {
  for (int i = 0; i < 2; i++)
    if (rtg_sctp_assoc_poll_timeout(f->ep[i]) <= f->now)
      CHECK(rtg_sctp_assoc_handle_timeout(f->ep[i], f->now) == 0);
}

/* Wraps |chunks| in a packet for endpoint |to| that passes its checks. */
static void inject(struct fz *f, int to, const uint8_t *chunks, size_t n) {
  uint8_t buf[1300];
  struct rtg_sctp_hdr h = {5000, 5000, rtg_sctp_assoc_local_vtag(f->ep[to]), 0};
  struct rtg_wr wr;
  if (n > sizeof buf - RTG_SCTP_HDR_LEN) n = sizeof buf - RTG_SCTP_HDR_LEN;
  /* an INIT must carry tag 0; a T-bit ABORT the sender's own tag */
  if (n >= 2 && chunks[0] == RTG_SCTP_INIT) h.vtag = 0;
  if (n >= 2 && (chunks[0] == RTG_SCTP_ABORT || chunks[0] == RTG_SCTP_SHUTDOWN_COMPLETE) &&
      (chunks[1] & RTG_SCTP_FLAG_T))
    h.vtag = rtg_sctp_assoc_peer_vtag(f->ep[to]);
  rtg_wr_init(&wr, buf, sizeof buf);
  CHECK(rtg_sctp_hdr_write(&wr, &h) == 0);
  CHECK(rtg_wr_bytes(&wr, chunks, n) == 0);
  CHECK(rtg_sctp_packet_seal(buf, rtg_wr_len(&wr), false) == 0);
  (void)!rtg_sctp_assoc_handle_datagram(f->ep[to], f->now, buf, rtg_wr_len(&wr));
}

static void send_msg(struct fz *f, int who, struct rtg_rd *rd) {
  static uint8_t payload[70000];
  uint8_t sid, fl;
  uint16_t len;
  struct rtg_sctp_send_opts o = {false, UINT32_MAX, RTG_TIME_NEVER};
  if (rtg_rd_u8(rd, &sid) || rtg_rd_u16(rd, &len) || rtg_rd_u8(rd, &fl)) return;
  o.unordered = fl & 1;
  if (fl & 2) o.max_retransmits = (fl >> 4) & 3;
  if (fl & 4) o.lifetime = RTG_MS((fl >> 4) * 10);
  memset(payload, fl, (size_t)len + 1);
  (void)!rtg_sctp_assoc_send(f->ep[who], f->now, sid % 16, RTG_SCTP_PPID_BINARY, payload,
                             (size_t)len + 1, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fz f;
  struct rtg_sctp_config c;
  struct rtg_rd rd;
  int cmds = 0;
  memset(&f, 0, sizeof f);
  f.now = RTG_SEC(10);
  rtg_sctp_config_default(&c);
  c.rto_initial = RTG_MS(100);
  c.rto_min = RTG_MS(50);
  c.heartbeat_interval = RTG_SEC(2);
  c.max_message_size = 65536;
  c.idata = (size & 1) != 0;
  for (int i = 0; i < 2; i++) {
    rtg_ctx_deterministic(&f.ctx[i], &f.prng[i], (uint64_t)i + 1, &f.now);
    CHECK(rtg_sctp_assoc_new(&f.ctx[i], &c, &f.ep[i]) == 0);
  }
  CHECK(rtg_sctp_assoc_connect(f.ep[0], f.now) == 0);
  CHECK(rtg_sctp_assoc_connect(f.ep[1], f.now) == 0);
  exchange(&f, 0, 4);
  CHECK(rtg_sctp_assoc_state(f.ep[0]) == RTG_SCTP_ESTABLISHED);

  rtg_rd_init(&rd, data, size);
  while (!rtg_rd_empty(&rd) && cmds++ < 256) {
    uint8_t op, b;
    uint16_t v;
    struct rtg_slice s;
    if (rtg_rd_u8(&rd, &op)) break;
    switch (op % 8) {
      case 0:
      case 6:
        if (rtg_rd_u16(&rd, &v)) break;
        v = (uint16_t)(v % 1200);
        if (v > rtg_rd_left(&rd)) v = (uint16_t)rtg_rd_left(&rd);
        if (rtg_rd_bytes(&rd, v, &s)) break;
        inject(&f, op % 8 == 0 ? 0 : 1, s.p, s.len);
        break;
      case 1:
        if (rtg_rd_u16(&rd, &v)) break;
        f.now += RTG_MS(v);
        timers(&f);
        break;
      case 2:
      case 3: send_msg(&f, op % 8 == 2 ? 0 : 1, &rd); break;
      case 4: {
        uint16_t sid;
        if (rtg_rd_u8(&rd, &b)) break;
        sid = b % 16;
        (void)!rtg_sctp_assoc_reset_streams(f.ep[0], &sid, 1);
        break;
      }
      case 5: {
        uint32_t mask;
        if (rtg_rd_u32(&rd, &mask)) break;
        exchange(&f, mask, 2);
        break;
      }
      default:
        if (rtg_rd_u8(&rd, &b)) break;
        if (b & 1)
          (void)!rtg_sctp_assoc_abort(f.ep[0], "fuzz");
        else
          (void)!rtg_sctp_assoc_shutdown(f.ep[0], f.now);
        break;
    }
  }
  /* let everything settle: timers and retransmissions terminate */
  for (int i = 0; i < 8; i++) {
    exchange(&f, 0, 2);
    f.now += RTG_MS(500);
    timers(&f);
  }
  rtg_sctp_assoc_free(f.ep[0]);
  rtg_sctp_assoc_free(f.ep[1]);
  return 0;
}
