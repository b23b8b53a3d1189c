/*
 * assoc_handshake.c - the SCTP association: the 4-way handshake, INIT collisions and the state
 * cookie exchange (RFC 9260 §5). Shared structures and helpers: assoc_internal.h.
 */
#include "sctp/assoc_internal.h"

/* ---- establishing --------------------------------------------------------- */

static void cc_init(struct rtg_sctp_assoc *a) {
  uint32_t mtu = (uint32_t)a->cfg.mtu;
  /* §7.2.1: min(4*MTU, max(2*MTU, 4404)) */
  uint32_t w = 2 * mtu > 4404 ? 2 * mtu : 4404;
  a->cwnd = 4 * mtu < w ? 4 * mtu : w;
  a->ssthresh = a->peer_rwnd;
  a->pba = 0;
  a->flight = 0;
}

void sctpi_enter_established(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type ev) {
  a->state = RTG_SCTP_ESTABLISHED;
  a->mid_mask = a->idata ? 0xffffffffu : 0xffffu;
  a->dhdr = a->idata ? 20 : 16;
  a->t1 = RTG_TIME_NEVER;
  a->init_tries = 0;
  a->error_count = 0;
  a->next_tsn = a->my_init_tsn;
  a->cum_ack = a->my_init_tsn - 1;
  a->adv_peer_ack = a->cum_ack;
  a->peer_cum = a->peer_init_tsn - 1;
  /* RFC 6525 §5.1.1: request sequence numbers start at the initial TSN */
  a->reconf_seq_out = a->my_init_tsn;
  a->reconf_seq_in = a->peer_init_tsn;
  cc_init(a);
  if (a->cfg.heartbeat_interval != RTG_TIME_NEVER) a->t_hb = a->now + a->cfg.heartbeat_interval;
  (void)sctpi_simple_event(a, ev, 0, 0);
}

static void peer_from_init(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in) {
  a->peer_vtag = in->init_tag;
  a->peer_init_tsn = in->initial_tsn;
  a->peer_rwnd = in->a_rwnd;
  a->peer_os = in->os;
  a->peer_mis = in->mis;
  a->peer_fwd_tsn = in->forward_tsn;
  a->peer_reconfig = in->reconfig;
  a->zero_cs_peer = in->zero_checksum && in->edmid == 1;
  a->idata = a->cfg.idata && in->idata;
}

/* Closes everything down and reports |ev|. */
void sctpi_enter_closed(struct rtg_sctp_assoc *a, enum rtg_sctp_event_type ev, int error) {
  a->state = RTG_SCTP_CLOSED;
  a->t1 = a->t2 = a->t3 = a->t_ack = a->t_hb = a->t_reconf = RTG_TIME_NEVER;
  (void)sctpi_simple_event(a, ev, 0, error);
}

int sctpi_send_abort(struct rtg_sctp_assoc *a, uint16_t cause, const char *reason) {
  uint8_t v[128];
  struct rtg_wr wr;
  size_t n = reason ? strlen(reason) : 0;
  if (n > 64) n = 64;
  rtg_wr_init(&wr, v, sizeof v);
  if (rtg_sctp_tlv_write(&wr, cause, reason, n)) return RTG_ERR_NOBUF;
  return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_ABORT, 0, v, rtg_wr_len(&wr));
}

static bool init_param_known(uint16_t t) {
  switch (t) {
    case RTG_SCTP_P_IPV4:
    case RTG_SCTP_P_IPV6:
    case RTG_SCTP_P_STATE_COOKIE:
    case RTG_SCTP_P_COOKIE_PRESERVATIVE:
    case RTG_SCTP_P_HOSTNAME:
    case RTG_SCTP_P_ADDRESS_TYPES:
    case RTG_SCTP_P_ECN_CAPABLE:
    case RTG_SCTP_P_ZERO_CHECKSUM:
    case RTG_SCTP_P_RANDOM:
    case RTG_SCTP_P_CHUNK_LIST:
    case RTG_SCTP_P_HMAC_ALGO:
    case RTG_SCTP_P_PADDING:
    case RTG_SCTP_P_SUPPORTED_EXT:
    case RTG_SCTP_P_FORWARD_TSN_SUPPORTED:
    case RTG_SCTP_P_ADAPTATION: return true;
    default: return false;
  }
}

/* RFC 9260 §3.2.1: unrecognized INIT parameters whose type has the 0x4000
 * bit set are returned in an Unrecognized Parameter of the INIT ACK; a
 * clear 0x8000 bit ends the walk. Writes them into |wr|. */
static void report_unrecognized(const struct rtg_sctp_init *in, struct rtg_wr *wr) {
  struct rtg_rd rd;
  struct rtg_sctp_tlv t;
  rtg_rd_init(&rd, in->params.p, in->params.len);
  while (rtg_sctp_tlv_next(&rd, &t, "sctp.param", NULL) == 1) {
    struct rtg_wr w = *wr;
    size_t m;
    if (init_param_known(t.type)) continue;
    if ((t.type & 0x4000) && rtg_wr_left(wr) >= 8 + (size_t)t.length + 3 &&
        rtg_sctp_tlv_begin(&w, RTG_SCTP_P_UNRECOGNIZED, &m) == 0 &&
        rtg_wr_bytes(&w, t.value.p - 4, t.length) == 0 && rtg_sctp_tlv_end(&w, m) == 0)
      *wr = w;
    if (!(t.type & 0x8000)) break;
  }
}

int sctpi_on_init(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in) {
  uint8_t buf[768], params[400], ck[COOKIE_LEN + COOKIE_MAC];
  struct rtg_wr wr, pw;
  struct rtg_sctp_init ack;
  struct cookie c;
  uint32_t tag, tsn;
  int rc;
  switch (a->state) {
    case RTG_SCTP_CLOSED:
      /* A fresh tag and TSN, kept only in the cookie (stateless, §5.1.3). */
      if (rtg_random(&a->ctx, &tag, 4) || rtg_random(&a->ctx, &tsn, 4)) return RTG_ERR_CRYPTO;
      if (tag == 0) tag = 1;
      break;
    case RTG_SCTP_COOKIE_WAIT:
    case RTG_SCTP_COOKIE_ECHOED:
      /* §5.2.1 INIT collision: answer with the parameters of our own INIT. */
      tag = a->my_vtag;
      tsn = a->my_init_tsn;
      break;
    case RTG_SCTP_SHUTDOWN_ACK_SENT: return 0;
    default:
      /* §5.2.2: unexpected INIT in an established state: a restart would
       * come with new tags; we keep ours (restarts are not supported). */
      tag = a->my_vtag;
      tsn = a->my_init_tsn;
      break;
  }
  memset(&c, 0, sizeof c);
  c.created = a->now;
  c.peer_tag = in->init_tag;
  c.peer_tsn = in->initial_tsn;
  c.peer_rwnd = in->a_rwnd;
  c.peer_os = in->os;
  c.peer_mis = in->mis;
  c.my_tag = tag;
  c.my_tsn = tsn;
  c.flags = (in->forward_tsn ? 1u : 0u) | (in->reconfig ? 2u : 0u) |
            (in->zero_checksum && in->edmid == 1 ? 4u : 0u) | (in->idata ? 8u : 0u);
  if ((rc = sctpi_cookie_make(a, &c, ck))) return rc;
  rtg_wr_init(&pw, params, sizeof params);
  if (sctpi_init_params(a, &pw) || rtg_sctp_tlv_write(&pw, RTG_SCTP_P_STATE_COOKIE, ck, sizeof ck))
    return RTG_ERR_NOBUF;
  report_unrecognized(in, &pw);
  memset(&ack, 0, sizeof ack);
  ack.init_tag = tag;
  ack.a_rwnd = a->cfg.rwnd;
  ack.os = a->cfg.streams;
  ack.mis = a->cfg.streams;
  ack.initial_tsn = tsn;
  sctpi_hdr_init(a, &wr, buf, sizeof buf, in->init_tag);
  if (rtg_sctp_init_write(&wr, RTG_SCTP_INIT_ACK, &ack, params, rtg_wr_len(&pw)))
    return RTG_ERR_NOBUF;
  sctpi_seal(buf, rtg_wr_len(&wr), false);
  return sctpi_ctl_queue(a, buf, rtg_wr_len(&wr));
}

int sctpi_send_cookie_echo(struct rtg_sctp_assoc *a, struct rtg_slice cookie) {
  uint8_t buf[512];
  struct rtg_wr wr;
  if (cookie.len > 400) return RTG_ERR_INVAL;
  sctpi_hdr_init(a, &wr, buf, sizeof buf, a->peer_vtag);
  if (rtg_sctp_chunk_write(&wr, RTG_SCTP_COOKIE_ECHO, 0, cookie.p, cookie.len))
    return RTG_ERR_NOBUF;
  sctpi_seal(buf, rtg_wr_len(&wr), false);
  return sctpi_ctl_queue(a, buf, rtg_wr_len(&wr));
}

int sctpi_on_init_ack(struct rtg_sctp_assoc *a, const struct rtg_sctp_init *in) {
  if (a->state != RTG_SCTP_COOKIE_WAIT) return 0; /* §5.2.3: discard */
  if (in->cookie.len > sizeof a->cookie) return RTG_ERR_PARSE;
  peer_from_init(a, in);
  memcpy(a->cookie, in->cookie.p, in->cookie.len);
  a->cookie_len = in->cookie.len;
  a->state = RTG_SCTP_COOKIE_ECHOED;
  a->init_tries = 0;
  a->t1 = a->now + a->rto;
  return sctpi_send_cookie_echo(a, in->cookie);
}

/* Forgets everything queued, in flight or being reassembled (restart). */
void sctpi_drop_data_state(struct rtg_sctp_assoc *a) {
  while (a->sq_head) {
    struct out_msg *m = a->sq_head;
    a->sq_head = m->next;
    sctpi_msg_unref(a, m);
  }
  a->sq_tail = NULL;
  for (size_t i = 0; i < a->tx_n; i++) sctpi_msg_unref(a, sctpi_tx_at(a, i)->m);
  a->tx_n = a->tx_head = 0;
  for (size_t i = 0; i < a->rx_n; i++) rtg_free(&a->ctx, a->rx[i].data);
  a->rx_n = 0;
  while (a->pending) {
    struct in_msg *m = a->pending;
    a->pending = m->next;
    rtg_free(&a->ctx, m->data);
    rtg_free(&a->ctx, m);
  }
  a->rx_bytes = 0;
  a->ngaps = a->ndups = 0;
  a->rtx_count = a->gap_acked = 0;
  a->reset_n = 0;
  a->send_fwd_tsn = a->fast_recovery = a->sack_now = false;
  a->unacked_packets = 0;
  a->t3 = a->t_ack = a->t_reconf = RTG_TIME_NEVER;
  for (size_t i = 0; i < a->nstreams; i++) {
    struct stream *st = &a->streams[i];
    st->mid_out = st->umid_out = st->mid_in = 0;
    st->buffered = 0;
    st->reset_pending = st->resetting = false;
  }
  a->have_rtt = false;
  a->rto = sctpi_clamp_rto(a, a->cfg.rto_initial);
}

int sctpi_on_cookie_echo(struct rtg_sctp_assoc *a, uint32_t vtag, struct rtg_slice s) {
  struct cookie c;
  bool restart = false;
  int rc = sctpi_cookie_check(a, s, &c);
  if (rc == RTG_ERR_TIMEOUT) {
    /* §5.2.6: Stale Cookie Error with the staleness in microseconds */
    uint8_t v[8];
    rtg_time st = (a->now - c.created - a->cfg.cookie_lifetime) / 1000;
    rtg_store_u16(v, RTG_SCTP_C_STALE_COOKIE);
    rtg_store_u16(v + 2, 8);
    rtg_store_u32(v + 4, (uint32_t)(st > 0 ? st : 0));
    return sctpi_ctl_chunk(a, c.peer_tag, RTG_SCTP_ERROR, 0, v, sizeof v);
  }
  if (rc) return rc;
  if (vtag != c.my_tag) return RTG_ERR_AUTH; /* §8.5: must be our tag */
  switch (a->state) {
    case RTG_SCTP_CLOSED:
      sctpi_drop_data_state(a); /* whatever an earlier association left behind */
      a->my_vtag = c.my_tag;
      a->my_init_tsn = c.my_tsn;
      break;
    case RTG_SCTP_COOKIE_WAIT:
    case RTG_SCTP_COOKIE_ECHOED:
      /* §5.2.4 case B (INIT collision): our tag matches */
      if (c.my_tag != a->my_vtag) return 0;
      break;
    default:
      /* §5.2.4 case D: both tags match - only the COOKIE ACK went missing */
      if (c.my_tag == a->my_vtag && c.peer_tag == a->peer_vtag)
        return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_COOKIE_ACK, 0, NULL, 0);
      /* §5.2.4 case A: the peer restarted (a new tag of its own, answered
       * by our INIT ACK while established). Everything in flight belongs
       * to the old association and is dropped. */
      if (a->state != RTG_SCTP_ESTABLISHED || c.my_tag != a->my_vtag) return 0;
      sctpi_drop_data_state(a);
      restart = true;
      break;
  }
  a->peer_vtag = c.peer_tag;
  a->peer_init_tsn = c.peer_tsn;
  a->peer_rwnd = c.peer_rwnd;
  a->peer_os = c.peer_os;
  a->peer_mis = c.peer_mis;
  a->peer_fwd_tsn = (c.flags & 1) != 0;
  a->peer_reconfig = (c.flags & 2) != 0;
  a->zero_cs_peer = (c.flags & 4) != 0;
  a->idata = a->cfg.idata && (c.flags & 8) != 0;
  sctpi_enter_established(a, restart ? RTG_SCTP_EV_RESTARTED : RTG_SCTP_EV_CONNECTED);
  return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_COOKIE_ACK, 0, NULL, 0);
}
