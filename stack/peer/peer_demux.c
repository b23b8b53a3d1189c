/*
 * peer_demux.c - what comes in and what goes out: RFC 7983 §7
 * demultiplexing of received datagrams, screening of STUN binding requests
 * before the ICE agent sees them (integrity first, a token bucket for
 * sources that never authenticated), and the transmit queue that
 * poll_transmit drains (relayed datagrams go through the TURN client).
 *
 *                  +----------------+
 *                  |        [0..3] -+--> STUN (ICE agent)
 *                  |                |
 *      packet -->  |      [20..63] -+--> DTLS (then SCTP)
 *                  |                |
 *                  |    [128..191] -+--> RTP/RTCP (SRTP, by PT 192..223)
 *                  +----------------+
 *                     RFC 7983 §7
 */
#include <string.h>

#include "peer/internal.h"

size_t peer_tx_room(const struct rtg_peer *p) { return PEER_TXQ - p->tx_count; }

int peer_tx_push(struct rtg_peer *p, const struct rtg_stun_addr *src,
                 const struct rtg_stun_addr *dst, const uint8_t *data, size_t len) {
  struct peer_tx *t;
  if (len > RTG_PEER_MAX_DATAGRAM) return RTG_ERR_NOBUF;
  if (p->tx_count == PEER_TXQ) return RTG_ERR_AGAIN;
  t = &p->txq[(p->tx_head + p->tx_count) % PEER_TXQ];
  t->src = *src;
  t->dst = *dst;
  t->len = (uint16_t)len;
  memcpy(t->data, data, len);
  p->tx_count++;
  return 0;
}

int peer_send(struct rtg_peer *p, const struct rtg_stun_addr *src, const struct rtg_stun_addr *dst,
              const uint8_t *data, size_t len) {
  int rc;
  if (peer_lose_out(p)) return 0;
  if (peer_is_relayed(p, src)) {
    rc = rtg_turn_client_send(p->turn, p->now, dst, data, len);
    peer_turn_flush(p);
    return rc;
  }
  return peer_tx_push(p, src, dst, data, len);
}

int peer_send_pair(struct rtg_peer *p, const uint8_t *data, size_t len) {
  if (!p->have_pair) return RTG_ERR_STATE;
  return peer_send(p, &p->sel_local.base, &p->sel_remote.addr, data, len);
}

/* ---- STUN screening -------------------------------------------------------- */

static bool src_authenticated(const struct rtg_peer *p, const struct rtg_stun_addr *src) {
  for (size_t i = 0; i < p->nauth_src; i++)
    if (peer_addr_eq(&p->auth_src[i], src)) return true;
  return false;
}

static void src_remember(struct rtg_peer *p, const struct rtg_stun_addr *src) {
  if (src_authenticated(p, src)) return;
  p->auth_src[p->auth_next] = *src;
  p->auth_next = (p->auth_next + 1) % PEER_AUTH_SRCS;
  if (p->nauth_src < PEER_AUTH_SRCS) p->nauth_src++;
}

/* Token bucket: stun_checks_per_sec tokens a second, as many at most. */
static bool take_token(struct rtg_peer *p, rtg_time now) {
  double rate = (double)p->cfg.stun_checks_per_sec;
  if (now > p->tokens_at) {
    p->tokens += rate * (double)(now - p->tokens_at) / 1e9;
    if (p->tokens > rate) p->tokens = rate;
    p->tokens_at = now;
  }
  if (p->tokens < 1.0) return false;
  p->tokens -= 1.0;
  return true;
}

/* A binding request reaches the ICE agent only when it authenticates with
 * our short-term credential (RFC 8445 §7.3, RFC 8489 §9.1.3): a request
 * failing it is dropped without an answer, so a forger learns nothing and
 * costs us one HMAC. Sources that never authenticated pay a token first. */
static int screen_stun(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *src,
                       const uint8_t *data, size_t len) {
  struct rtg_stun_msg m;
  struct rtg_stun_attr at;
  size_t ul = strlen(p->ufrag);
  bool known;
  if (rtg_stun_msg_parse(&m, data, len, NULL)) return RTG_ERR_PARSE;
  if (m.cls != RTG_STUN_REQUEST) return 0; /* the agent checks responses itself */
  if (m.method != RTG_STUN_BINDING) {
    p->st.unknown_dropped++; /* ICE only answers Binding (RFC 8445 §7.3) */
    return RTG_ERR_PARSE;
  }
  known = src_authenticated(p, src);
  if (!known && !take_token(p, now)) {
    p->st.stun_rate_limited++;
    return RTG_ERR_AGAIN;
  }
  if (rtg_stun_msg_find(&m, RTG_STUN_ATTR_USERNAME, &at) != 0 || at.len <= ul ||
      memcmp(at.value, p->ufrag, ul) != 0 || at.value[ul] != ':' ||
      rtg_stun_msg_validate(&m, &p->cred, RTG_STUN_REQUIRE_INTEGRITY, NULL) != 0) {
    p->st.stun_bad_integrity++;
    return RTG_ERR_AUTH;
  }
  if (!known) src_remember(p, src);
  return 0;
}

/* ---- DTLS before the answer ------------------------------------------------- */

/* An offerer learns its DTLS role from the answer, but an answerer that is
 * the DTLS client may send its ClientHello as soon as its ICE checks
 * succeed, before the answer has arrived (RFC 5763 §5, RFC 8842 §5): such
 * datagrams from a source that passed ICE integrity are kept (a few, in
 * buffers allocated with the peer) and fed to the endpoint once it exists,
 * instead of waiting for the sender's retransmission. */
static int dtls_early(struct rtg_peer *p, const struct rtg_stun_addr *src,
                      const struct rtg_stun_addr *local, const uint8_t *data, size_t len) {
  struct peer_tx *t;
  if (!src_authenticated(p, src) || p->nearly == PEER_EARLY_DTLS || len > RTG_PEER_MAX_DATAGRAM)
    return RTG_ERR_STATE;
  t = &p->early[p->nearly++];
  t->src = *src;
  t->dst = *local;
  t->len = (uint16_t)len;
  memcpy(t->data, data, len);
  return 0;
}

void peer_dtls_early_replay(struct rtg_peer *p, rtg_time now) {
  for (size_t i = 0; i < p->nearly && p->dtls; i++)
    IGNORE(rtg_dtls_endpoint_handle_datagram(p->dtls, now, p->early[i].data, p->early[i].len));
  p->nearly = 0;
}

/* ---- demultiplexing -------------------------------------------------------- */

static int media_in(struct rtg_peer *p, rtg_time now, const uint8_t *data, size_t len) {
  if (p->srtp_rx == NULL) return RTG_ERR_STATE;
  if (len < 12 || len > RTG_PEER_MAX_DATAGRAM) return RTG_ERR_PARSE;
  memcpy(p->work, data, len);
  /* RFC 5761 §4: RTCP packet types 200..206 show as PT 72..78 with the
   * marker bit, i.e. the second byte is 192..223 */
  if (data[1] >= 192 && data[1] <= 223) return peer_media_rtcp_in(p, now, p->work, len);
  return peer_media_rtp_in(p, now, p->work, len);
}

int peer_demux(struct rtg_peer *p, rtg_time now, const struct rtg_stun_addr *local,
               const struct rtg_stun_addr *src, const uint8_t *data, size_t len) {
  int rc;
  uint8_t b;
  if (len == 0) {
    p->st.unknown_dropped++;
    return RTG_ERR_PARSE;
  }
  b = data[0];
  if (b <= 3) {
    if (p->ice == NULL) return RTG_ERR_STATE;
    if ((rc = screen_stun(p, now, src, data, len)) != 0) return rc;
    return rtg_ice_agent_handle_datagram(p->ice, now, local, src, data, len);
  }
  if (b >= 20 && b <= 63) {
    if (p->dtls == NULL) return dtls_early(p, src, local, data, len);
    return rtg_dtls_endpoint_handle_datagram(p->dtls, now, data, len);
  }
  if (b >= 128 && b <= 191) return media_in(p, now, data, len);
  p->st.unknown_dropped++;
  return RTG_ERR_PARSE;
}
