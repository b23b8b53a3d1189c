/*
 * peer_turn.c - the relay candidate (RFC 8656 through rtg_turn_client): the
 * peer allocates on the configured server, offers the relayed address as a
 * candidate (RFC 8445 §5.1.1.2), installs permissions for the remote
 * candidates, wraps what it sends from the relayed address in Send
 * indications and unwraps Data indications into the demultiplexer.
 */
#include <string.h>

#include "peer/internal.h"

static void copy_str(char *dst, size_t cap, const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n >= cap) n = cap - 1;
  if (n) memcpy(dst, s, n);
  dst[n] = '\0';
}

int peer_turn_start(struct rtg_peer *p, rtg_time now, const struct rtg_peer_turn *t) {
  struct rtg_turn_config tc;
  int rc;
  p->turn_cfg = *t;
  copy_str(p->turn_user, sizeof p->turn_user, t->username);
  copy_str(p->turn_pass, sizeof p->turn_pass, t->password);
  p->turn_cfg.username = p->turn_user;
  p->turn_cfg.password = p->turn_pass;
  memset(&tc, 0, sizeof tc);
  tc.server = t->server;
  tc.username = p->turn_user;
  tc.password = p->turn_pass;
  tc.software = "rtcgate peer";
  if ((rc = rtg_turn_client_new(&p->turn, p->ctx, &tc)) != 0) return rc;
  return rtg_turn_client_allocate(p->turn, now);
}

bool peer_turn_from_server(const struct rtg_peer *p, const struct rtg_stun_addr *local,
                           const struct rtg_stun_addr *src) {
  return p->turn && peer_addr_eq(src, &p->turn_cfg.server) &&
         peer_addr_eq(local, &p->turn_cfg.local);
}

bool peer_is_relayed(const struct rtg_peer *p, const struct rtg_stun_addr *src) {
  return p->have_relay && peer_addr_eq(src, &p->relayed);
}

int peer_turn_input(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *src,
                    const uint8_t *data, size_t len) {
  return rtg_turn_client_handle_datagram(p->turn, now, src, data, len);
}

void peer_turn_permit(struct rtg_peer *p, const struct rtg_stun_addr *peer) {
  if (p->turn == NULL) return;
  for (size_t i = 0; i < p->npermit; i++)
    if (peer_addr_eq(&p->permit[i], peer)) return;
  if (p->npermit == RTG_TURN_MAX_PEERS) return;
  p->permitted[p->npermit] = false;
  p->permit[p->npermit++] = *peer;
}

void peer_turn_flush(struct rtg_peer *p) {
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  struct rtg_stun_addr dst;
  size_t len;
  /* the datagrams inside went through the simulated loss already */
  while (peer_tx_room(p) > 1 &&
         rtg_turn_client_poll_transmit(p->turn, buf, sizeof buf, &len, &dst) == 0)
    (void)peer_tx_push(p, &p->turn_cfg.local, &dst, buf, len);
}

static void on_allocated(struct rtg_peer *p, const struct rtg_turn_event *te) {
  struct rtg_ice_cand c;
  struct rtg_peer_event *ev;
  p->have_relay = true;
  p->relayed = te->relayed;
  p->turn_done = true;
  if (rtg_turn_client_ice_candidate(p->turn, "7", 65535, &c) != 0) return;
  if ((ev = peer_event_push(p, RTG_PEER_EV_TURN_ALLOCATED)) != NULL) ev->local = c;
  (void)peer_local_candidate(p, &c);
}

static void on_turn_event(struct rtg_peer *p, const struct rtg_turn_event *te) {
  struct rtg_peer_event *ev;
  switch (te->type) {
    case RTG_TURN_EV_ALLOCATED:
      if (!p->have_relay) on_allocated(p, te);
      return;
    case RTG_TURN_EV_FAILED:
      if (p->have_relay && te->method != RTG_STUN_ALLOCATE && te->method != RTG_STUN_REFRESH)
        return;
      p->turn_done = true;
      if ((ev = peer_event_push(p, RTG_PEER_EV_TURN_FAILED)) != NULL) {
        ev->error = te->error_code;
        ev->reason = te->error_code ? "the TURN server refused the request"
                                    : "the TURN server did not answer";
      }
      return;
    case RTG_TURN_EV_DATA:
      if (p->have_relay && p->state != PEER_CLOSED)
        (void)peer_demux(p, p->now, &p->relayed, &te->peer, te->data, te->len);
      return;
    default: return;
  }
}

bool peer_turn_pump(struct rtg_peer *p) {
  struct rtg_turn_event te;
  bool moved = false;
  while (rtg_turn_client_poll_event(p->turn, &te) == 0) {
    on_turn_event(p, &te);
    moved = true;
  }
  for (size_t i = 0; p->have_relay && i < p->npermit; i++)
    if (!p->permitted[i] && rtg_turn_client_permit(p->turn, p->now, &p->permit[i]) == 0)
      p->permitted[i] = moved = true;
  if (peer_tx_room(p) > 1) {
    size_t before = p->tx_count;
    peer_turn_flush(p);
    moved = moved || p->tx_count != before;
  }
  return moved;
}
