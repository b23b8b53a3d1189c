/*
 * turn_client - drives the sans-IO TURN client with an operation script:
 * API calls (allocate, permit, bind, send, refresh), time steps and
 * datagrams "from the server". So that responses reach the authenticated
 * states, a datagram op may be fixed up the way a real server would send
 * it: its transaction ID and method set to the last request's, its
 * MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 re-signed with the MD5 /
 * SHA-256 long-term key of u:r:p and its FINGERPRINT recomputed. Invariants: no crash, events and
 * transmits stay within their documented bounds, the timer never goes backwards past "now" unless
 * something is due.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/turn.h"
#include "rtg_fuzz.h"

struct state {
  struct rtg_turn_client *c;
  rtg_time now;
  uint8_t last_tid[RTG_STUN_TID_LEN];
  uint16_t last_method;
  bool have_req;
  uint8_t key[16];    /* MD5("u:r:p"), RFC 8489 §9.2.2 */
  uint8_t key256[32]; /* SHA-256("u:r:p") */
};

static const struct rtg_stun_addr server = {1, 3478, {127, 0, 0, 1}};

static void drain(struct state *s) {
  uint8_t buf[2048];
  size_t len;
  struct rtg_stun_addr dst;
  struct rtg_turn_event ev;
  while (rtg_turn_client_poll_transmit(s->c, buf, sizeof buf, &len, &dst) == 0) {
    struct rtg_stun_msg m;
    CHECK(len <= RTG_TURN_MAX_DATAGRAM);
    CHECK(dst.port == server.port);
    if (rtg_stun_msg_parse(&m, buf, len, NULL) == 0 && m.cls == RTG_STUN_REQUEST) {
      memcpy(s->last_tid, m.tid, RTG_STUN_TID_LEN);
      s->last_method = m.method;
      s->have_req = true;
    }
  }
  while (rtg_turn_client_poll_event(s->c, &ev) == 0) {
    CHECK(ev.type > RTG_TURN_EV_NONE && ev.type <= RTG_TURN_EV_FAILED);
    CHECK(ev.len <= RTG_TURN_MAX_DATAGRAM);
    if (ev.len) CHECK(ev.data[0] == ev.data[0] && ev.data[ev.len - 1] == ev.data[ev.len - 1]);
  }
  CHECK(rtg_turn_client_poll_timeout(s->c) >= 0);
}

/* Re-signs |msg| as the answer to the last request (see the top). */
static void fixup(struct state *s, uint8_t *msg, size_t len) {
  struct rtg_stun_msg m;
  if (!s->have_req || len < RTG_STUN_HDR_LEN) return;
  /* keep the class bits, set the method of the last request */
  uint16_t type = rtg_load_u16(msg) & 0x0110;
  uint16_t meth = s->last_method;
  type |= (uint16_t)((meth & 0x000F) | ((meth & 0x0070) << 1) | ((meth & 0x0F80) << 2));
  rtg_store_u16(msg, type);
  memcpy(msg + 8, s->last_tid, RTG_STUN_TID_LEN);
  if (rtg_stun_msg_parse(&m, msg, len, NULL)) return;
  if (m.mi_off) {
    uint8_t mac[RTG_HASH_MAX];
    uint16_t save = rtg_load_u16(msg + 2);
    rtg_store_u16(msg + 2, (uint16_t)(m.mi_off + 24 - RTG_STUN_HDR_LEN));
    if (rtg_hmac_oneshot(RTG_HASH_SHA1, s->key, sizeof s->key, msg, m.mi_off, mac) == 0)
      memcpy(msg + m.mi_off + 4, mac, 20);
    rtg_store_u16(msg + 2, save);
  }
  if (m.mi256_off) {
    uint8_t mac[RTG_HASH_MAX];
    uint16_t save = rtg_load_u16(msg + 2);
    rtg_store_u16(msg + 2, (uint16_t)(m.mi256_off + 4 + m.mi256_len - RTG_STUN_HDR_LEN));
    if (rtg_hmac_oneshot(RTG_HASH_SHA256, s->key256, sizeof s->key256, msg, m.mi256_off, mac) == 0)
      memcpy(msg + m.mi256_off + 4, mac, m.mi256_len);
    rtg_store_u16(msg + 2, save);
  }
  if (m.fp_off) {
    uint16_t save = rtg_load_u16(msg + 2);
    rtg_store_u16(msg + 2, (uint16_t)(m.fp_off + 8 - RTG_STUN_HDR_LEN));
    rtg_store_u32(msg + m.fp_off + 4, rtg_crc32(0, msg, m.fp_off) ^ RTG_STUN_FP_XOR);
    rtg_store_u16(msg + 2, save);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct state s;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_turn_config cfg;
  size_t i = 0;
  memset(&s, 0, sizeof s);
  rtg_ctx_deterministic(&ctx, &prng, 7, &s.now);
  memset(&cfg, 0, sizeof cfg);
  cfg.server = server;
  cfg.username = "u";
  cfg.password = "p";
  if (rtg_hash(RTG_HASH_MD5, "u:r:p", 5, s.key) || rtg_hash(RTG_HASH_SHA256, "u:r:p", 5, s.key256))
    return 0;
  if (rtg_turn_client_new(&s.c, &ctx, &cfg)) return 0;
  while (i < size) {
    uint8_t op = data[i++];
    uint8_t arg = i < size ? data[i] : 0;
    struct rtg_stun_addr peer = {1, (uint16_t)(7000 + (arg & 3)), {127, 0, 0, 1}};
    uint16_t ch;
    if (op % 8 <= 5 && i < size) i++; /* ops 0..5 take one argument byte */
    switch (op % 8) {
      case 0: (void)!rtg_turn_client_allocate(s.c, s.now); break;
      case 1: (void)!rtg_turn_client_permit(s.c, s.now, &peer); break;
      case 2: (void)!rtg_turn_client_bind(s.c, s.now, &peer, &ch); break;
      case 3: {
        size_t n = arg % 64u < size - i ? arg % 64u : size - i;
        (void)!rtg_turn_client_send(s.c, s.now, &peer, data + i, n);
        i += n;
        break;
      }
      case 4: (void)!rtg_turn_client_refresh(s.c, s.now, arg < 16 ? 0 : (uint32_t)arg * 10); break;
      case 5:
        s.now += RTG_MS(100) * (arg + 1);
        CHECK(rtg_turn_client_handle_timeout(s.c, s.now) == 0);
        break;
      case 6:
      case 7: {
        /* a datagram: 2-byte length, then the bytes */
        uint8_t msg[2048];
        size_t n;
        if (size - i < 2) {
          i = size;
          break;
        }
        n = rtg_load_u16(data + i) % 1024;
        i += 2;
        if (n > size - i) n = size - i;
        memcpy(msg, data + i, n);
        i += n;
        if (op % 8 == 7) fixup(&s, msg, n);
        (void)!rtg_turn_client_handle_datagram(s.c, s.now, &server, msg, n);
        break;
      }
      default: break;
    }
    drain(&s);
  }
  rtg_turn_client_free(s.c);
  return 0;
}
