/*
 * peer_stun.c - server-reflexive candidates (RFC 8445 §5.1.1.2): a Binding
 * request (RFC 8489 §6.2.1, with FINGERPRINT) from each local socket of the
 * STUN server's address family; the XOR-MAPPED-ADDRESS of the success
 * response is the srflx address, the socket's address its base.
 */
#include <string.h>

#include "lib/peer_io.h"

#define STUN_RTO RTG_MS(250)
#define STUN_SENDS 5 /* 250 + 500 + 1000 ms: gathering stays near 2 s */

int rtg_pio_stun_start(struct rtg_pio_stun *g, const struct rtg_ctx *ctx,
                       const struct rtg_stun_addr *server, const struct rtg_pio_sock *socks,
                       size_t nsocks) {
  memset(g, 0, sizeof *g);
  g->server = *server;
  for (size_t i = 0; i < nsocks && g->n < RTG_PIO_MAX_SOCKS; i++) {
    if (socks[i].local.family != server->family) continue;
    g->t[g->n].sock = i;
    if (rtg_random(ctx, g->t[g->n].tid, RTG_STUN_TID_LEN) != 0) return -1;
    g->t[g->n].next = 0;
    g->t[g->n].rto = STUN_RTO;
    g->n++;
  }
  return g->n ? 0 : -1;
}

bool rtg_pio_stun_handle(struct rtg_pio_stun *g, size_t sock, const struct rtg_stun_addr *src,
                         const uint8_t *data, size_t len) {
  struct rtg_stun_msg msg;
  struct rtg_stun_attr at;
  if (!rtg_pio_addr_equal(src, &g->server) || rtg_stun_msg_parse(&msg, data, len, NULL) != 0 ||
      msg.method != RTG_STUN_BINDING)
    return false;
  for (size_t i = 0; i < g->n; i++) {
    if (g->t[i].sock != sock || memcmp(g->t[i].tid, msg.tid, RTG_STUN_TID_LEN) != 0) continue;
    if (g->t[i].done) return true;
    g->t[i].done = true;
    if (msg.cls == RTG_STUN_SUCCESS &&
        (rtg_stun_msg_find(&msg, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &at) == 0 ||
         rtg_stun_msg_find(&msg, RTG_STUN_ATTR_MAPPED_ADDRESS, &at) == 0))
      g->t[i].ok = rtg_stun_attr_addr(&msg, &at, &g->t[i].mapped, NULL) == 0;
    return true;
  }
  return false;
}

void rtg_pio_stun_service(struct rtg_pio_stun *g, rtg_time now, const struct rtg_pio_sock *socks) {
  for (size_t i = 0; i < g->n; i++) {
    uint8_t buf[64];
    struct rtg_stun_builder b;
    ptrdiff_t n;
    if (g->t[i].done || now < g->t[i].next) continue;
    if (g->t[i].sends == STUN_SENDS) {
      g->t[i].done = true; /* timed out */
      continue;
    }
    if (rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_REQUEST, RTG_STUN_BINDING,
                              g->t[i].tid) != 0 ||
        rtg_stun_builder_add_fingerprint(&b) != 0 || (n = rtg_stun_builder_finish(&b)) < 0)
      continue;
    (void)rtg_pio_sock_send(&socks[g->t[i].sock], &g->server, buf, (size_t)n);
    g->t[i].sends++;
    g->t[i].next = now + g->t[i].rto;
    g->t[i].rto *= 2;
  }
}

rtg_time rtg_pio_stun_poll_timeout(const struct rtg_pio_stun *g) {
  rtg_time t = RTG_TIME_NEVER;
  for (size_t i = 0; i < g->n; i++)
    if (!g->t[i].done && g->t[i].next < t) t = g->t[i].next;
  return t;
}

bool rtg_pio_stun_done(const struct rtg_pio_stun *g) {
  for (size_t i = 0; i < g->n; i++)
    if (!g->t[i].done) return false;
  return true;
}
