/*
 * assoc_tx.c - the SCTP association: SACK processing, congestion control and transmission (RFC 9260
 * §6.2.1, §7.2). Shared structures and helpers: assoc_internal.h.
 */
#include "sctp/assoc_internal.h"

/* ---- SACK processing (RFC 9260 §6.2.1, §7.2) ------------------------------ */

void sctpi_chunk_done(struct rtg_sctp_assoc *a, struct txc *c) {
  if (c->in_flight) {
    uint32_t n = (uint32_t)c->len + a->dhdr;
    a->flight = n < a->flight ? a->flight - n : 0;
    c->in_flight = false;
  }
}

static void abandon_msg(struct rtg_sctp_assoc *a, struct out_msg *m) {
  if (m->abandoned) return;
  m->abandoned = true;
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = sctpi_tx_at(a, i);
    if (c->m == m && !c->acked && !c->abandoned) {
      sctpi_chunk_done(a, c);
      sctpi_buffered_sub(a, m->sid, c->len);
      c->abandoned = true;
      if (c->rtx) a->rtx_count--;
      c->rtx = false;
    }
  }
  /* the part never cut into chunks is dropped with the message */
  if (m->cut < m->len) {
    sctpi_buffered_sub(a, m->sid, m->len - m->cut);
    if (m->cut > 0) {
      /* The receiver holds the first fragments and waits for the rest: an
       * abandoned, never-sent placeholder TSN lets FORWARD-TSN cover the
       * message (and name its SSN) so the receiver can drop it. */
      struct txc c;
      memset(&c, 0, sizeof c);
      c.tsn = a->next_tsn;
      c.fsn = m->nfrag++;
      c.m = m;
      c.off = (uint32_t)m->cut;
      c.flags = RTG_SCTP_DATA_END;
      c.abandoned = true;
      if (sctpi_tx_push(a, &c) == 0) {
        a->next_tsn++;
        m->refs++;
      }
    }
    m->cut = m->len;
  }
}

/* RFC 3758 §3.5 C1-C3: move the advanced peer ack point over abandoned
 * chunks and decide whether a FORWARD-TSN is due. */
static void advance_peer_ack(struct rtg_sctp_assoc *a) {
  if (tsn_lt(a->adv_peer_ack, a->cum_ack)) a->adv_peer_ack = a->cum_ack;
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = sctpi_tx_at(a, i);
    if (c->tsn != a->adv_peer_ack + 1) {
      if (tsn_le(c->tsn, a->adv_peer_ack)) continue;
      break;
    }
    if (!c->abandoned) break;
    a->adv_peer_ack = c->tsn;
  }
  if (tsn_lt(a->cum_ack, a->adv_peer_ack) && a->peer_fwd_tsn) a->send_fwd_tsn = true;
}

void sctpi_on_sack(struct rtg_sctp_assoc *a, const struct rtg_sctp_sack *s) {
  uint32_t acked = 0, highest_newly = a->cum_ack;
  bool cum_moved = false, full = a->flight >= a->cwnd;
  rtg_time rtt = -1;
  /* §6.2.1 D(i): an older cumulative ack is out of order: ignore */
  if (tsn_lt(s->cum_tsn, a->cum_ack)) return;
  if (tsn_le(a->next_tsn, s->cum_tsn)) return; /* acks what we never sent */
  a->error_count = 0;
  while (a->tx_n && tsn_le(sctpi_tx_at(a, 0)->tsn, s->cum_tsn)) {
    struct txc *c = sctpi_tx_at(a, 0);
    if (!c->acked && !c->abandoned) {
      acked += c->len;
      if (c->nsent == 1) rtt = a->now - c->sent; /* Karn: only once-sent */
      highest_newly = c->tsn;
      sctpi_buffered_sub(a, c->m->sid, c->len);
    }
    if (c->acked) a->gap_acked--;
    if (c->rtx) a->rtx_count--;
    sctpi_chunk_done(a, c);
    sctpi_msg_unref(a, c->m);
    a->tx_head = (a->tx_head + 1) & (a->tx_cap - 1);
    a->tx_n--;
    cum_moved = true;
  }
  if (tsn_lt(a->cum_ack, s->cum_tsn)) a->cum_ack = s->cum_tsn;
  /* gap-acknowledged chunks are taken out of flight; a chunk no longer
   * covered (renege) goes back in */
  for (size_t i = 0; i < a->tx_n && (s->ngaps || a->gap_acked); i++) {
    struct txc *c = sctpi_tx_at(a, i);
    uint32_t off = c->tsn - s->cum_tsn;
    bool in = false;
    for (size_t g = 0; g < s->ngaps && !in; g++) {
      uint16_t st, en;
      rtg_sctp_sack_gap(&s->gaps, g, &st, &en);
      in = off >= st && off <= en;
    }
    if (in && !c->acked) {
      if (!c->abandoned) {
        acked += c->len;
        sctpi_buffered_sub(a, c->m->sid, c->len);
        if (c->nsent == 1 && rtt < 0) rtt = a->now - c->sent;
      }
      sctpi_chunk_done(a, c);
      c->acked = true;
      a->gap_acked++;
      if (c->rtx) a->rtx_count--;
      c->rtx = false;
      if (tsn_lt(highest_newly, c->tsn)) highest_newly = c->tsn;
    } else if (!in && c->acked) {
      c->acked = false; /* reneged: resend on T3 */
      a->gap_acked--;
    }
  }
  if (rtt >= 0) sctpi_rtt_sample(a, rtt);
  /* §7.2.4: miss indications for chunks below the highest newly acked */
  if (s->ngaps) {
    for (size_t i = 0; i < a->tx_n; i++) {
      struct txc *c = sctpi_tx_at(a, i);
      if (!tsn_lt(c->tsn, highest_newly)) break;
      if (c->acked || c->abandoned || c->rtx || c->was_fast) continue;
      if (++c->misses >= 3) {
        c->rtx = true;
        a->rtx_count++;
        c->fast = c->was_fast = true;
        c->misses = 0;
        sctpi_chunk_done(a, c);
        if (!a->fast_recovery) {
          uint32_t mtu4 = 4 * (uint32_t)a->cfg.mtu;
          a->ssthresh = a->cwnd / 2 > mtu4 ? a->cwnd / 2 : mtu4;
          a->cwnd = a->ssthresh;
          a->pba = 0;
          a->fast_recovery = true;
          a->fr_exit = a->next_tsn - 1;
        }
      }
    }
  }
  if (a->fast_recovery && tsn_le(a->fr_exit, a->cum_ack)) a->fast_recovery = false;
  /* §7.2.1 / §7.2.2 window growth, only on a cumulative advance */
  if (cum_moved && !a->fast_recovery && acked) {
    uint32_t mtu = (uint32_t)a->cfg.mtu;
    if (a->cwnd <= a->ssthresh) {
      if (full) a->cwnd += acked < mtu ? acked : mtu;
    } else {
      a->pba += acked;
      if (a->pba >= a->cwnd && full) {
        a->pba -= a->cwnd;
        a->cwnd += mtu;
      }
    }
  }
  /* §6.2.1: peer's window minus what is still in flight */
  a->peer_rwnd = s->a_rwnd > a->flight ? s->a_rwnd - a->flight : 0;
  /* §6.3.2 R2/R3: T3 follows the earliest outstanding chunk */
  if (a->flight == 0 && !a->tx_n)
    a->t3 = RTG_TIME_NEVER;
  else if (cum_moved)
    a->t3 = a->now + a->rto;
  advance_peer_ack(a);
}

/* ---- transmitting --------------------------------------------------------- */

static int write_sack(struct rtg_sctp_assoc *a, struct rtg_wr *wr) {
  uint16_t gaps[2 * MAX_GAPS];
  size_t n = 0;
  for (size_t i = 0; i < a->ngaps; i++) {
    uint32_t s = a->gaps[i].start - a->peer_cum, e = a->gaps[i].end - a->peer_cum;
    if (e > 0xffff) break;
    gaps[2 * n] = (uint16_t)s;
    gaps[2 * n + 1] = (uint16_t)e;
    n++;
  }
  if (rtg_sctp_sack_write(wr, a->peer_cum, sctpi_my_rwnd(a), gaps, n, a->dups, a->ndups))
    return RTG_ERR_NOBUF;
  a->ndups = 0;
  a->sack_now = false;
  a->unacked_packets = 0;
  a->t_ack = RTG_TIME_NEVER;
  a->st.sacks_sent++;
  return 0;
}

static int write_fwd_tsn(struct rtg_sctp_assoc *a, struct rtg_wr *wr) {
  uint16_t sids[64];
  uint32_t mids[64];
  bool uns[64];
  size_t n = 0;
  /* RFC 3758 §3.2: the highest skipped SSN of each ordered stream;
   * RFC 8260 §2.3: I-FORWARD-TSN also names skipped unordered messages */
  for (size_t i = 0; i < a->tx_n; i++) {
    struct txc *c = sctpi_tx_at(a, i);
    size_t k;
    bool u = c->m->unordered;
    if (tsn_lt(a->adv_peer_ack, c->tsn)) break;
    if (!c->abandoned || (u && !a->idata)) continue;
    for (k = 0; k < n && !(sids[k] == c->m->sid && uns[k] == u && (!u || mids[k] == c->m->mid));
         k++)
      continue;
    if (k == n) {
      if (n == 64) continue;
      sids[n] = c->m->sid;
      uns[n] = u;
      mids[n++] = c->m->mid;
    } else if (sctpi_mid_le(a, mids[k], c->m->mid)) {
      mids[k] = c->m->mid;
    }
  }
  if (rtg_sctp_fwd_write(wr, a->idata, a->adv_peer_ack, sids, uns, mids, n)) return RTG_ERR_NOBUF;
  a->send_fwd_tsn = false;
  a->st.forward_tsns_sent++;
  if (a->t3 == RTG_TIME_NEVER) a->t3 = a->now + a->rto;
  return 0;
}

static int write_chunk(struct rtg_sctp_assoc *a, struct rtg_wr *wr, struct txc *c) {
  struct rtg_sctp_data d;
  memset(&d, 0, sizeof d);
  d.tsn = c->tsn;
  d.sid = c->m->sid;
  d.idata = a->idata;
  d.ssn = (uint16_t)c->m->mid;
  d.mid = c->m->mid;
  d.fsn = c->fsn;
  d.ppid = c->m->ppid;
  d.begin = (c->flags & RTG_SCTP_DATA_BEGIN) != 0;
  d.end = (c->flags & RTG_SCTP_DATA_END) != 0;
  d.unordered = c->m->unordered;
  /* RFC 7053: the last chunk before we go idle asks for an immediate SACK,
   * so the end of a burst does not wait for the peer's delayed ack */
  d.immediate = d.end && a->sq_head == NULL && c->nsent == 0;
  d.payload.p = c->m->data + c->off;
  d.payload.len = c->len;
  if (rtg_sctp_data_write(wr, &d)) return RTG_ERR_NOBUF;
  c->sent = a->now;
  c->nsent++;
  c->in_flight = true;
  a->flight += c->len + a->dhdr;
  a->st.data_chunks_sent++;
  if (a->t3 == RTG_TIME_NEVER) a->t3 = a->now + a->rto;
  return 0;
}

static bool expired(const struct rtg_sctp_assoc *a, const struct out_msg *m) {
  return m->expires != RTG_TIME_NEVER && a->now >= m->expires && a->peer_fwd_tsn;
}

/* Unlinks *|pp| from the send queue and drops the queue's reference. */
static void sq_unlink(struct rtg_sctp_assoc *a, struct out_msg **pp) {
  struct out_msg *m = *pp;
  *pp = m->next;
  if (a->sq_tail == m)
    a->sq_tail = pp == &a->sq_head
                     ? NULL
                     : (struct out_msg *)(void *)((char *)pp - offsetof(struct out_msg, next));
  sctpi_msg_unref(a, m);
}

/* The message to cut from next. With DATA, a message's fragments take
 * consecutive TSNs: the head of the queue until it is done. With I-DATA
 * (RFC 8260) the streams take turns, round robin, so a large message does
 * not hold back the others; each stream still sends its messages in order
 * (only the first queued message of a stream is a candidate). Abandoned
 * and expired messages met on the way are dropped. */
static struct out_msg **pick(struct rtg_sctp_assoc *a) {
  struct out_msg **pp = &a->sq_head, **best = NULL;
  uint32_t best_d = UINT32_MAX;
  if (++a->scan_gen == 0) a->scan_gen = 1;
  while (*pp) {
    struct out_msg *m = *pp;
    struct stream *s;
    uint32_t d;
    if (m->abandoned || (m->cut == 0 && expired(a, m))) {
      if (!m->abandoned) abandon_msg(a, m);
      sq_unlink(a, pp);
      continue;
    }
    if (!a->idata) return pp;
    s = &a->streams[m->sid];
    if (s->scan != a->scan_gen) {
      s->scan = a->scan_gen;
      d = (uint16_t)(m->sid - a->rr_sid - 1);
      if (d < best_d) {
        best_d = d;
        best = pp;
        if (d == 0) break;
      }
    }
    pp = &m->next;
  }
  return best;
}

/* Cuts the next fragment of the scheduled message into a new chunk. */
static int cut_chunk(struct rtg_sctp_assoc *a, size_t room, struct txc **out) {
  struct out_msg *m;
  struct txc c;
  size_t n;
  struct stream *s;
  int rc;
  struct out_msg **pp = pick(a);
  if (pp == NULL || room <= a->dhdr) return RTG_ERR_AGAIN;
  m = *pp;
  s = &a->streams[m->sid];
  /* the padded chunk must fit |room| */
  n = m->len - m->cut;
  if (n > ((room - a->dhdr) & ~(size_t)3)) n = (room - a->dhdr) & ~(size_t)3;
  if (n == 0) return RTG_ERR_AGAIN;
  memset(&c, 0, sizeof c);
  if (m->cut == 0) {
    c.flags |= RTG_SCTP_DATA_BEGIN;
    if (!m->ssn_set) {
      /* SSN / MID are assigned when the first fragment goes out */
      if (!m->unordered) {
        m->mid = s->mid_out;
        s->mid_out = sctpi_mid_next(a, s->mid_out);
      } else if (a->idata) {
        m->mid = s->umid_out++;
      }
    }
    m->ssn_set = true;
  }
  if (m->cut + n == m->len) c.flags |= RTG_SCTP_DATA_END;
  c.tsn = a->next_tsn;
  c.fsn = m->nfrag++;
  c.m = m;
  c.off = (uint32_t)m->cut;
  c.len = (uint16_t)n;
  if ((rc = sctpi_tx_push(a, &c))) return rc;
  a->next_tsn++;
  m->refs++;
  m->cut += n;
  a->rr_sid = m->sid;
  if (m->cut == m->len) sq_unlink(a, pp); /* drops the queue's reference */
  *out = sctpi_tx_at(a, a->tx_n - 1);
  return 0;
}

int rtg_sctp_assoc_poll_transmit(struct rtg_sctp_assoc *a, uint8_t *buf, size_t cap, size_t *len) {
  struct rtg_wr wr;
  size_t mtu = a->cfg.mtu < cap ? a->cfg.mtu : cap;
  bool any = false, rtx_sent = false;
  if (cap < RTG_SCTP_HDR_LEN + 4) return RTG_ERR_NOBUF;
  if (a->cq_head) {
    struct ctl_pkt *p = a->cq_head;
    if (p->len > cap) return RTG_ERR_NOBUF;
    memcpy(buf, p->buf, p->len);
    *len = p->len;
    a->cq_head = p->next;
    if (a->cq_head == NULL) a->cq_tail = NULL;
    rtg_free(&a->ctx, p);
    /* RFC 9653 §5.2: zero checksum only once both ends agreed */
    if (a->zero_cs_peer && a->cfg.zero_checksum && a->state >= RTG_SCTP_ESTABLISHED &&
        buf[12] != RTG_SCTP_COOKIE_ECHO && buf[12] != RTG_SCTP_INIT)
      sctpi_seal(buf, *len, true);
    a->st.packets_sent++;
    return 0;
  }
  if (a->state < RTG_SCTP_ESTABLISHED) return RTG_ERR_AGAIN;
  sctpi_hdr_init(a, &wr, buf, mtu, a->peer_vtag);
  if (a->sack_now) {
    if (write_sack(a, &wr)) return RTG_ERR_NOBUF;
    any = true;
  }
  if (a->send_fwd_tsn && tsn_lt(a->cum_ack, a->adv_peer_ack)) {
    if (write_fwd_tsn(a, &wr) == 0) any = true;
  }
  /* retransmissions first (§6.1); fast retransmits ignore cwnd (§7.2.4) */
  for (size_t i = 0; i < a->tx_n && a->rtx_count; i++) {
    struct txc *c = sctpi_tx_at(a, i);
    if (!c->rtx) continue;
    if (c->m->max_rtx != UINT32_MAX && c->nsent > c->m->max_rtx && a->peer_fwd_tsn) {
      abandon_msg(a, c->m);
      advance_peer_ack(a);
      continue;
    }
    if (expired(a, c->m)) {
      abandon_msg(a, c->m);
      advance_peer_ack(a);
      continue;
    }
    if (!c->fast && a->flight >= a->cwnd && any) break;
    if (rtg_wr_left(&wr) < (((size_t)c->len + 3) & ~(size_t)3) + a->dhdr) break;
    if (write_chunk(a, &wr, c)) break;
    if (c->fast) a->st.fast_retransmits++;
    a->st.retransmits++;
    a->rtx_count--;
    c->rtx = false;
    c->fast = false;
    any = rtx_sent = true;
  }
  if (a->send_fwd_tsn && tsn_lt(a->cum_ack, a->adv_peer_ack) && rtg_wr_left(&wr) > 64) {
    if (write_fwd_tsn(a, &wr) == 0) any = true;
  }
  /* new data within cwnd and the peer's window (§6.1 A, B) */
  if (!rtx_sent && a->state != RTG_SCTP_SHUTDOWN_SENT && a->state != RTG_SCTP_SHUTDOWN_ACK_SENT) {
    for (;;) {
      struct txc *c;
      size_t room = rtg_wr_left(&wr);
      if (a->flight >= a->cwnd) break;
      /* zero-window probe: one chunk when nothing is in flight (§6.1 A) */
      if (a->peer_rwnd < a->dhdr + 1 && a->flight > 0) break;
      if (a->peer_rwnd > a->dhdr && room > a->peer_rwnd) room = a->peer_rwnd;
      if (cut_chunk(a, room, &c)) break;
      if (write_chunk(a, &wr, c)) {
        c->rtx = true; /* cannot happen (cut to fit); never lose a TSN */
        a->rtx_count++;
        break;
      }
      uint32_t used = (uint32_t)c->len + a->dhdr;
      a->peer_rwnd = a->peer_rwnd > used ? a->peer_rwnd - used : 0;
      any = true;
    }
  }
  if (!any) return RTG_ERR_AGAIN;
  *len = rtg_wr_len(&wr);
  sctpi_seal(buf, *len, a->zero_cs_peer && a->cfg.zero_checksum);
  a->st.packets_sent++;
  if (a->cfg.heartbeat_interval != RTG_TIME_NEVER)
    a->t_hb = a->now + a->cfg.heartbeat_interval + a->rto;
  return 0;
}
