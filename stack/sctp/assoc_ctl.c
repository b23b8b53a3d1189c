/*
 * assoc_ctl.c - the SCTP association: RE-CONFIG stream resets (RFC 6525), shutdown, incoming packet
 * dispatch and timers (RFC 9260 §6.3, §8.5, §9). Shared structures and helpers: assoc_internal.h.
 */
#include "sctp/assoc_internal.h"

/* ---- RE-CONFIG (RFC 6525) ------------------------------------------------- */

static int send_reconf_response(struct rtg_sctp_assoc *a, uint32_t seq, uint32_t result) {
  uint8_t v[32];
  struct rtg_wr wr;
  struct rtg_sctp_reconf r;
  memset(&r, 0, sizeof r);
  r.type = RTG_SCTP_P_RECONFIG_RESP;
  r.req_seq = seq;
  r.result = result;
  rtg_wr_init(&wr, v, sizeof v);
  if (rtg_sctp_reconf_write(&wr, &r, NULL)) return RTG_ERR_NOBUF;
  return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_RECONFIG, 0, v, rtg_wr_len(&wr));
}

static int on_reconf_param(struct rtg_sctp_assoc *a, const struct rtg_sctp_reconf *r) {
  switch (r->type) {
    case RTG_SCTP_P_OUT_RESET_REQ:
      if (r->req_seq == a->reconf_seq_in - 1)
        return send_reconf_response(a, r->req_seq, a->last_resp_result); /* retransmission */
      if (r->req_seq != a->reconf_seq_in)
        return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_ERR_BAD_SEQ);
      /* §5.2.2: wait until every TSN up to last_tsn arrived */
      if (tsn_lt(a->peer_cum, r->last_tsn))
        return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_IN_PROGRESS);
      a->reconf_seq_in++;
      for (size_t i = 0; i < r->nsids; i++) {
        uint16_t sid = rtg_sctp_reconf_sid(r, i);
        struct stream *s = sctpi_stream_get(a, sid);
        if (s == NULL) return RTG_ERR_NOMEM;
        s->mid_in = 0;
        if (sctpi_simple_event(a, RTG_SCTP_EV_STREAM_RESET, sid, 0)) return RTG_ERR_NOMEM;
      }
      a->last_resp_result = RTG_SCTP_RR_PERFORMED;
      return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_PERFORMED);
    case RTG_SCTP_P_RECONFIG_RESP:
      if (a->reset_n == 0 || r->req_seq != a->reconf_seq_out) return 0;
      if (r->result == RTG_SCTP_RR_IN_PROGRESS) return 0; /* timer retries */
      for (size_t i = 0; i < a->reset_n; i++) {
        struct stream *s = &a->streams[a->reset_sids[i]];
        s->resetting = false;
        if (r->result == RTG_SCTP_RR_PERFORMED) s->mid_out = s->umid_out = 0;
        if (sctpi_simple_event(a, RTG_SCTP_EV_RESET_DONE, a->reset_sids[i],
                               r->result == RTG_SCTP_RR_PERFORMED ? 0 : RTG_ERR_STATE))
          return RTG_ERR_NOMEM;
      }
      a->reset_n = 0;
      a->reconf_seq_out++;
      a->t_reconf = RTG_TIME_NEVER;
      return 0;
    case RTG_SCTP_P_IN_RESET_REQ:
    case RTG_SCTP_P_TSN_RESET_REQ:
    case RTG_SCTP_P_ADD_OUT_STREAMS:
    case RTG_SCTP_P_ADD_IN_STREAMS:
      /* not offered: refuse (RFC 6525 §5.2) */
      if (r->req_seq != a->reconf_seq_in) return 0;
      a->reconf_seq_in++;
      a->last_resp_result = RTG_SCTP_RR_DENIED;
      return send_reconf_response(a, r->req_seq, RTG_SCTP_RR_DENIED);
    default: return 0;
  }
}

/* Sends the outgoing reset request once nothing is queued on its streams. */
int sctpi_maybe_send_reset(struct rtg_sctp_assoc *a) {
  uint8_t v[1024];
  struct rtg_wr wr;
  struct rtg_sctp_reconf r;
  if (a->reset_n == 0 || a->t_reconf != RTG_TIME_NEVER) return 0;
  for (struct out_msg *m = a->sq_head; m; m = m->next)
    for (size_t i = 0; i < a->reset_n; i++)
      if (m->sid == a->reset_sids[i]) return 0;
  memset(&r, 0, sizeof r);
  r.type = RTG_SCTP_P_OUT_RESET_REQ;
  r.req_seq = a->reconf_seq_out;
  r.resp_seq = a->reconf_seq_in - 1;
  r.last_tsn = a->next_tsn - 1;
  r.nsids = a->reset_n;
  rtg_wr_init(&wr, v, sizeof v);
  if (rtg_sctp_reconf_write(&wr, &r, a->reset_sids)) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < a->reset_n; i++) {
    a->streams[a->reset_sids[i]].reset_pending = false;
    a->streams[a->reset_sids[i]].resetting = true;
  }
  a->t_reconf = a->now + a->rto;
  return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_RECONFIG, 0, v, rtg_wr_len(&wr));
}

/* ---- shutdown ------------------------------------------------------------- */

static bool all_sent_and_acked(const struct rtg_sctp_assoc *a) {
  return a->sq_head == NULL && a->tx_n == 0;
}

static int queue_shutdown(struct rtg_sctp_assoc *a) {
  uint8_t v[4];
  rtg_store_u32(v, a->peer_cum);
  return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN, 0, v, 4);
}

int sctpi_shutdown_progress(struct rtg_sctp_assoc *a) {
  if (!all_sent_and_acked(a)) return 0;
  if (a->state == RTG_SCTP_SHUTDOWN_PENDING) {
    a->state = RTG_SCTP_SHUTDOWN_SENT;
    a->t2 = a->now + a->rto;
    a->t3 = RTG_TIME_NEVER;
    return queue_shutdown(a);
  }
  if (a->state == RTG_SCTP_SHUTDOWN_RECEIVED) {
    a->state = RTG_SCTP_SHUTDOWN_ACK_SENT;
    a->t2 = a->now + a->rto;
    return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0);
  }
  return 0;
}

/* ---- incoming packets ----------------------------------------------------- */

/* RFC 9260 §3.2: unrecognized chunk types (AUTH, NR-SACK and ASCONF too:
 * we never offer them). Upper bits 01 and 11 ask for an ERROR with an
 * Unrecognized Chunk Type cause carrying the chunk (§3.3.10.6). */
static int unrecognized_chunk(struct rtg_sctp_assoc *a, const struct rtg_sctp_chunk *c) {
  uint8_t v[4 + 4 + 128];
  size_t n = 4 + (size_t)c->value.len;
  if (!(c->type & 0x40) || a->state < RTG_SCTP_ESTABLISHED) return 0;
  if (n > sizeof v - 4) n = sizeof v - 4; /* a prefix is enough to identify it */
  rtg_store_u16(v, RTG_SCTP_C_UNRECOGNIZED_CHUNK);
  rtg_store_u16(v + 2, (uint16_t)(4 + n));
  v[4] = c->type;
  v[5] = c->flags;
  rtg_store_u16(v + 6, c->length);
  memcpy(v + 8, c->value.p, n - 4);
  return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_ERROR, 0, v, 4 + n);
}

static int handle_chunk(struct rtg_sctp_assoc *a, const struct rtg_sctp_packet *pkt,
                        const struct rtg_sctp_chunk *c, const struct rtg_sctp_chunk_info *in,
                        bool *had_data) {
  bool up = a->state >= RTG_SCTP_ESTABLISHED;
  switch (c->type) {
    case RTG_SCTP_INIT: return sctpi_on_init(a, &in->u.init);
    case RTG_SCTP_INIT_ACK: return sctpi_on_init_ack(a, &in->u.init);
    case RTG_SCTP_COOKIE_ECHO: return sctpi_on_cookie_echo(a, pkt->hdr.vtag, in->cookie);
    case RTG_SCTP_COOKIE_ACK:
      if (a->state == RTG_SCTP_COOKIE_ECHOED) sctpi_enter_established(a, RTG_SCTP_EV_CONNECTED);
      return 0;
    case RTG_SCTP_DATA:
    case RTG_SCTP_I_DATA:
      if (!up || a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) return 0;
      /* RFC 8260 §2.2: only the negotiated kind of data chunk */
      if ((c->type == RTG_SCTP_I_DATA) != a->idata) return 0;
      *had_data = true;
      return sctpi_on_data(a, &in->u.data);
    case RTG_SCTP_SACK:
      if (up) sctpi_on_sack(a, &in->u.sack);
      return 0;
    case RTG_SCTP_FORWARD_TSN:
    case RTG_SCTP_I_FORWARD_TSN:
      if (!up) return 0;
      *had_data = true;
      return sctpi_on_forward_tsn(a, &in->u.fwd);
    case RTG_SCTP_HEARTBEAT:
      if (!up) return 0;
      /* §8.3: echo the Heartbeat Info unchanged */
      return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_HEARTBEAT_ACK, 0, in->tlvs.p,
                             in->tlvs.len > 200 ? 0 : in->tlvs.len);
    case RTG_SCTP_HEARTBEAT_ACK:
      /* only our own, authenticated send time feeds the RTT (the info
       * comes back from the network: never trust it unchecked) */
      if (in->tlvs.len >= 20 && rtg_load_u16(in->tlvs.p) == RTG_SCTP_P_HEARTBEAT_INFO &&
          rtg_load_u16(in->tlvs.p + 2) == 20) {
        uint8_t mac[RTG_HASH_MAX];
        rtg_time sent = (rtg_time)rtg_load_u64(in->tlvs.p + 4);
        if (rtg_hmac_once(&a->cookie_mac, in->tlvs.p + 4, 8, mac) == 0 &&
            rtg_memeq_ct(mac, in->tlvs.p + 12, 8) == 0 && sent <= a->now &&
            a->now - sent <= a->cfg.rto_max + a->cfg.heartbeat_interval) {
          sctpi_rtt_sample(a, a->now - sent);
          a->error_count = 0;
        }
      }
      return 0;
    case RTG_SCTP_ABORT:
      if (a->state != RTG_SCTP_CLOSED) sctpi_enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_STATE);
      return 0;
    case RTG_SCTP_SHUTDOWN:
      if (!up) return 0;
      {
        struct rtg_sctp_sack s;
        memset(&s, 0, sizeof s);
        s.cum_tsn = in->u.cum_tsn;
        s.a_rwnd = a->peer_rwnd + a->flight;
        sctpi_on_sack(a, &s);
      }
      if (a->state == RTG_SCTP_ESTABLISHED || a->state == RTG_SCTP_SHUTDOWN_PENDING)
        a->state = RTG_SCTP_SHUTDOWN_RECEIVED;
      if (a->state == RTG_SCTP_SHUTDOWN_SENT) {
        /* §9.2: both sides shut down at once */
        a->state = RTG_SCTP_SHUTDOWN_ACK_SENT;
        a->t2 = a->now + a->rto;
        return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0);
      }
      return sctpi_shutdown_progress(a);
    case RTG_SCTP_SHUTDOWN_ACK:
      if (a->state == RTG_SCTP_SHUTDOWN_SENT || a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) {
        int rc = sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_COMPLETE, 0, NULL, 0);
        sctpi_enter_closed(a, RTG_SCTP_EV_CLOSED, 0);
        return rc;
      }
      return 0;
    case RTG_SCTP_SHUTDOWN_COMPLETE:
      if (a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) sctpi_enter_closed(a, RTG_SCTP_EV_CLOSED, 0);
      return 0;
    case RTG_SCTP_RECONFIG: {
      struct rtg_rd rd;
      struct rtg_sctp_tlv t;
      if (!up) return 0;
      rtg_rd_init(&rd, in->tlvs.p, in->tlvs.len);
      while (rtg_sctp_tlv_next(&rd, &t, "sctp.reconf", NULL) == 1) {
        struct rtg_sctp_reconf r;
        int rc;
        if (rtg_sctp_reconf_decode(&t, &r, NULL)) return 0;
        if ((rc = on_reconf_param(a, &r))) return rc;
      }
      return 0;
    }
    case RTG_SCTP_ERROR: {
      /* §5.2.6: a stale cookie restarts the handshake */
      if (a->state == RTG_SCTP_COOKIE_ECHOED && in->tlvs.len >= 4 &&
          rtg_load_u16(in->tlvs.p) == RTG_SCTP_C_STALE_COOKIE) {
        a->state = RTG_SCTP_COOKIE_WAIT;
        a->t1 = a->now + a->rto;
        return sctpi_send_init(a);
      }
      return 0;
    }
    case RTG_SCTP_PAD:
    case RTG_SCTP_ECNE: /* ECN is not offered: nothing to do */
    case RTG_SCTP_CWR: return 0;
    default: return unrecognized_chunk(a, c);
  }
}

/* §8.5 / §8.5.1: which verification tag a packet must carry. */
static bool stop_after(const struct rtg_sctp_chunk *c) {
  switch (c->type) {
    case RTG_SCTP_DATA:
    case RTG_SCTP_INIT:
    case RTG_SCTP_INIT_ACK:
    case RTG_SCTP_SACK:
    case RTG_SCTP_HEARTBEAT:
    case RTG_SCTP_HEARTBEAT_ACK:
    case RTG_SCTP_ABORT:
    case RTG_SCTP_SHUTDOWN:
    case RTG_SCTP_SHUTDOWN_ACK:
    case RTG_SCTP_ERROR:
    case RTG_SCTP_COOKIE_ECHO:
    case RTG_SCTP_COOKIE_ACK:
    case RTG_SCTP_ECNE:
    case RTG_SCTP_CWR:
    case RTG_SCTP_SHUTDOWN_COMPLETE:
    case RTG_SCTP_I_DATA:
    case RTG_SCTP_RECONFIG:
    case RTG_SCTP_PAD:
    case RTG_SCTP_FORWARD_TSN:
    case RTG_SCTP_I_FORWARD_TSN: return false;
    default:
      /* §3.2: upper bits 00 and 01 - stop processing this packet */
      return (c->type & 0x80) == 0;
  }
}

static bool vtag_ok(const struct rtg_sctp_assoc *a, const struct rtg_sctp_packet *pkt,
                    const struct rtg_sctp_chunk *first) {
  uint32_t v = pkt->hdr.vtag;
  switch (first->type) {
    case RTG_SCTP_INIT: return v == 0;
    case RTG_SCTP_COOKIE_ECHO: return true; /* checked against the cookie */
    case RTG_SCTP_ABORT:
    case RTG_SCTP_SHUTDOWN_COMPLETE:
      if (first->flags & RTG_SCTP_FLAG_T) return v == a->peer_vtag && a->peer_vtag != 0;
      return v == a->my_vtag;
    case RTG_SCTP_SHUTDOWN_ACK:
      /* §8.5.1 E: may arrive with the peer's tag in COOKIE states */
      return v == a->my_vtag;
    default: return v == a->my_vtag && a->state != RTG_SCTP_CLOSED;
  }
}

/* RFC 9260 §8.4: a packet for no association. The answers reflect the
 * packet's own tag with the T bit, so the sender can match them. */
static int out_of_the_blue(struct rtg_sctp_assoc *a, const struct rtg_sctp_packet *pkt,
                           const struct rtg_sctp_chunk *first) {
  a->st.packets_dropped++;
  switch (first->type) {
    case RTG_SCTP_ABORT:             /* rule 2 */
    case RTG_SCTP_SHUTDOWN_COMPLETE: /* rule 6 */
    case RTG_SCTP_ERROR: /* rule 7: stale cookie errors and such */ return 0;
    case RTG_SCTP_SHUTDOWN_ACK: /* rule 5 */
      return sctpi_ctl_chunk(a, pkt->hdr.vtag, RTG_SCTP_SHUTDOWN_COMPLETE, RTG_SCTP_FLAG_T, NULL,
                             0);
    default: /* rule 8 */
      return sctpi_ctl_chunk(a, pkt->hdr.vtag, RTG_SCTP_ABORT, RTG_SCTP_FLAG_T, NULL, 0);
  }
}

int rtg_sctp_assoc_handle_datagram(struct rtg_sctp_assoc *a, rtg_time now, const uint8_t *data,
                                   size_t len) {
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  bool first = true, had_data = false;
  int rc;
  a->now = now;
  rc = rtg_sctp_packet_parse(data, len, a->cfg.zero_checksum ? RTG_SCTP_PARSE_ZERO_CHECKSUM_OK : 0,
                             &pkt, NULL);
  if (rc) {
    a->st.packets_dropped++;
    return rc;
  }
  if (pkt.hdr.dst_port != a->cfg.local_port || pkt.hdr.src_port != a->cfg.remote_port) {
    a->st.packets_dropped++;
    return 0;
  }
  a->st.packets_received++;
  rtg_sctp_chunk_iter_init(&it, data, &pkt);
  while (rtg_sctp_chunk_next(&it, &c, NULL) == 1) {
    if (rtg_sctp_chunk_decode(&c, &info, NULL)) break; /* checked by the parse */
    if (first && a->state == RTG_SCTP_CLOSED && c.type != RTG_SCTP_INIT &&
        c.type != RTG_SCTP_COOKIE_ECHO)
      return out_of_the_blue(a, &pkt, &c);
    if (first && !vtag_ok(a, &pkt, &c)) {
      a->st.packets_dropped++;
      return 0; /* §8.5: silently discard */
    }
    first = false;
    if ((rc = handle_chunk(a, &pkt, &c, &info, &had_data)) && rc != RTG_ERR_AUTH &&
        rc != RTG_ERR_TIMEOUT)
      return rc;
    if (a->state == RTG_SCTP_CLOSED && c.type != RTG_SCTP_INIT && c.type != RTG_SCTP_COOKIE_ECHO)
      break;
    if (stop_after(&c)) break;
  }
  if (had_data) {
    /* §6.2: ack at least every second packet, or after the delayed-ack time */
    if (++a->unacked_packets >= 2) a->sack_now = true;
    if (a->t_ack == RTG_TIME_NEVER) a->t_ack = now + a->cfg.delayed_ack;
  }
  if (a->state == RTG_SCTP_SHUTDOWN_PENDING || a->state == RTG_SCTP_SHUTDOWN_RECEIVED)
    return sctpi_shutdown_progress(a);
  return sctpi_maybe_send_reset(a);
}

/* ---- timers --------------------------------------------------------------- */

static void t3_expired(struct rtg_sctp_assoc *a) {
  uint32_t mtu = (uint32_t)a->cfg.mtu;
  a->st.t3_expiries++;
  /* §7.2.3 */
  a->ssthresh = a->cwnd / 2 > 4 * mtu ? a->cwnd / 2 : 4 * mtu;
  a->cwnd = mtu;
  a->pba = 0;
  a->fast_recovery = false;
  sctpi_rto_backoff(a);
  if (++a->error_count > a->cfg.max_assoc_retransmits) {
    sctpi_enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
    (void)sctpi_send_abort(a, RTG_SCTP_C_USER_ABORT, "retransmission limit");
    return;
  }
  /* §6.3.3 E3: everything outstanding is retransmitted as the window allows */
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = sctpi_tx_at(a, i);
    if (c->acked || c->abandoned) continue;
    sctpi_chunk_done(a, c);
    if (!c->rtx) a->rtx_count++;
    c->rtx = true;
    c->fast = false;
  }
  a->flight = 0;
  if (a->send_fwd_tsn || tsn_lt(a->cum_ack, a->adv_peer_ack)) a->send_fwd_tsn = a->peer_fwd_tsn;
  a->t3 = a->tx_n ? a->now + a->rto : RTG_TIME_NEVER;
}

int rtg_sctp_assoc_handle_timeout(struct rtg_sctp_assoc *a, rtg_time now) {
  a->now = now;
  if (a->t1 <= now) {
    a->t1 = RTG_TIME_NEVER;
    sctpi_rto_backoff(a);
    if (++a->init_tries > a->cfg.max_init_retransmits) {
      sctpi_enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
    } else if (a->state == RTG_SCTP_COOKIE_WAIT) {
      a->t1 = now + a->rto;
      if (sctpi_send_init(a)) return RTG_ERR_NOMEM;
    } else if (a->state == RTG_SCTP_COOKIE_ECHOED) {
      struct rtg_slice s = {a->cookie, a->cookie_len};
      a->t1 = now + a->rto;
      if (sctpi_send_cookie_echo(a, s)) return RTG_ERR_NOMEM;
    }
  }
  if (a->t2 <= now) {
    a->t2 = RTG_TIME_NEVER;
    sctpi_rto_backoff(a);
    if (++a->t2_tries > a->cfg.max_assoc_retransmits) {
      (void)sctpi_send_abort(a, RTG_SCTP_C_USER_ABORT, "shutdown timed out");
      sctpi_enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
    } else if (a->state == RTG_SCTP_SHUTDOWN_SENT) {
      a->t2 = now + a->rto;
      if (queue_shutdown(a)) return RTG_ERR_NOMEM;
    } else if (a->state == RTG_SCTP_SHUTDOWN_ACK_SENT) {
      a->t2 = now + a->rto;
      if (sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0)) return RTG_ERR_NOMEM;
    }
  }
  if (a->t3 <= now) t3_expired(a);
  if (a->t_ack <= now) {
    a->t_ack = RTG_TIME_NEVER;
    a->sack_now = true;
  }
  if (a->t_reconf <= now) {
    /* retransmit the request (same sequence number) */
    a->t_reconf = RTG_TIME_NEVER;
    sctpi_rto_backoff(a);
    if (sctpi_maybe_send_reset(a)) return RTG_ERR_NOMEM;
  }
  if (a->t_hb <= now) {
    a->t_hb = a->state >= RTG_SCTP_ESTABLISHED && a->cfg.heartbeat_interval != RTG_TIME_NEVER
                  ? now + a->cfg.heartbeat_interval + a->rto
                  : RTG_TIME_NEVER;
    if (a->state == RTG_SCTP_ESTABLISHED) {
      /* §8.3: Heartbeat Info carries our send time (8) and a MAC of it
       * (8, keyed like the cookie) so the ACK can be checked */
      uint8_t v[20], mac[RTG_HASH_MAX];
      rtg_store_u16(v, RTG_SCTP_P_HEARTBEAT_INFO);
      rtg_store_u16(v + 2, 20);
      rtg_store_u64(v + 4, (uint64_t)now);
      if (rtg_hmac_once(&a->cookie_mac, v + 4, 8, mac)) return RTG_ERR_CRYPTO;
      memcpy(v + 12, mac, 8);
      if (++a->error_count > a->cfg.max_assoc_retransmits) {
        (void)sctpi_send_abort(a, RTG_SCTP_C_USER_ABORT, "peer unreachable");
        sctpi_enter_closed(a, RTG_SCTP_EV_ABORTED, RTG_ERR_TIMEOUT);
        return 0;
      }
      if (sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_HEARTBEAT, 0, v, sizeof v))
        return RTG_ERR_NOMEM;
    }
  }
  return 0;
}

rtg_time rtg_sctp_assoc_poll_timeout(const struct rtg_sctp_assoc *a) {
  rtg_time t = a->t1;
  if (a->t2 < t) t = a->t2;
  if (a->t3 < t) t = a->t3;
  if (a->t_ack < t) t = a->t_ack;
  if (a->t_hb < t) t = a->t_hb;
  if (a->t_reconf < t) t = a->t_reconf;
  return t;
}
