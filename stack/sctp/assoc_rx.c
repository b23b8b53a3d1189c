/*
 * assoc_rx.c - the SCTP association: receiving DATA / I-DATA: duplicate detection, reassembly,
 * ordered and unordered delivery, FORWARD-TSN (RFC 9260 §6, RFC 3758, RFC 8260). Shared structures
 * and helpers: assoc_internal.h.
 */
#include "sctp/assoc_internal.h"

/* ---- receiving DATA ------------------------------------------------------- */

static bool tsn_seen(const struct rtg_sctp_assoc *a, uint32_t tsn) {
  if (tsn_le(tsn, a->peer_cum)) return true;
  for (size_t i = 0; i < a->ngaps; i++)
    if (tsn_le(a->gaps[i].start, tsn) && tsn_le(tsn, a->gaps[i].end)) return true;
  return false;
}

/* Records |tsn| as received; false if the gap list is full. */
static bool tsn_mark(struct rtg_sctp_assoc *a, uint32_t tsn) {
  size_t i;
  if (tsn == a->peer_cum + 1) {
    a->peer_cum = tsn;
  } else {
    for (i = 0; i < a->ngaps && tsn_lt(a->gaps[i].end + 1, tsn); i++) continue;
    if (i < a->ngaps && a->gaps[i].end + 1 == tsn) {
      a->gaps[i].end = tsn;
      if (i + 1 < a->ngaps && a->gaps[i + 1].start == tsn + 1) {
        a->gaps[i].end = a->gaps[i + 1].end;
        memmove(&a->gaps[i + 1], &a->gaps[i + 2], (a->ngaps - i - 2) * sizeof a->gaps[0]);
        a->ngaps--;
      }
    } else if (i < a->ngaps && a->gaps[i].start == tsn + 1) {
      a->gaps[i].start = tsn;
    } else {
      if (a->ngaps == MAX_GAPS) return false;
      memmove(&a->gaps[i + 1], &a->gaps[i], (a->ngaps - i) * sizeof a->gaps[0]);
      a->gaps[i].start = a->gaps[i].end = tsn;
      a->ngaps++;
    }
  }
  /* the cumulative point swallows a gap block that now touches it */
  while (a->ngaps && tsn_le(a->gaps[0].start, a->peer_cum + 1)) {
    if (tsn_lt(a->peer_cum, a->gaps[0].end)) a->peer_cum = a->gaps[0].end;
    memmove(&a->gaps[0], &a->gaps[1], (a->ngaps - 1) * sizeof a->gaps[0]);
    a->ngaps--;
  }
  return true;
}

static int deliver(struct rtg_sctp_assoc *a, uint16_t sid, uint32_t ppid, bool unordered,
                   uint8_t *data, size_t len) {
  struct rtg_sctp_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = RTG_SCTP_EV_MESSAGE;
  ev.sid = sid;
  ev.ppid = ppid;
  ev.unordered = unordered;
  ev.data = data;
  ev.len = len;
  return sctpi_push_event(a, &ev, data);
}

bool sctpi_mid_le(const struct rtg_sctp_assoc *a, uint32_t x, uint32_t y) {
  return a->idata ? mid32_le(x, y) : ssn_le((uint16_t)x, (uint16_t)y);
}

uint32_t sctpi_mid_next(const struct rtg_sctp_assoc *a, uint32_t m) {
  return (m + 1) & a->mid_mask;
}

/* Delivers queued ordered messages of |sid| that are now in sequence. */
static int deliver_pending(struct rtg_sctp_assoc *a, uint16_t sid) {
  struct stream *s = &a->streams[sid];
  bool again = true;
  while (again) {
    struct in_msg **pp = &a->pending;
    again = false;
    while (*pp) {
      struct in_msg *m = *pp;
      if (m->sid == sid && m->mid == s->mid_in) {
        int rc;
        *pp = m->next;
        s->mid_in = sctpi_mid_next(a, s->mid_in);
        a->rx_bytes -= m->len;
        /* a NULL message stands for one dropped as too large */
        rc = m->data ? deliver(a, sid, m->ppid, false, m->data, m->len) : 0;
        rtg_free(&a->ctx, m);
        if (rc) return rc;
        again = true;
        break;
      }
      pp = &m->next;
    }
  }
  return 0;
}

/* Releases one received fragment's bytes (the entry stays). */
static void rx_release(struct rtg_sctp_assoc *a, struct rxf *f) {
  a->rx_bytes -= f->len;
  if (f->pooled)
    sctpi_block_put(a, f->data);
  else
    rtg_free(&a->ctx, f->data);
  f->data = NULL;
}

/* Frees the fragments rx[lo..hi) and closes the hole. */
static void rx_remove(struct rtg_sctp_assoc *a, size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; i++) rx_release(a, &a->rx[i]);
  memmove(&a->rx[lo], &a->rx[hi], (a->rx_n - hi) * sizeof a->rx[0]);
  a->rx_n -= hi - lo;
}

/* Hands a reassembled message on: delivered now, queued behind an earlier
 * ordered message, or (|buf| NULL: dropped as too large) just counted in
 * the ordered sequence. */
static int complete(struct rtg_sctp_assoc *a, uint16_t sid, bool unordered, uint32_t mid,
                    uint32_t ppid, uint8_t *buf, size_t total) {
  struct stream *s = sctpi_stream_get(a, sid);
  struct in_msg *m;
  int rc;
  if (s == NULL) {
    rtg_free(&a->ctx, buf);
    return RTG_ERR_NOMEM;
  }
  if (unordered) return buf ? deliver(a, sid, ppid, true, buf, total) : 0;
  if (mid == s->mid_in) {
    s->mid_in = sctpi_mid_next(a, s->mid_in);
    if (buf && (rc = deliver(a, sid, ppid, false, buf, total))) return rc;
    return a->pending ? deliver_pending(a, sid) : 0;
  }
  if (sctpi_mid_le(a, mid, s->mid_in - 1)) {
    rtg_free(&a->ctx, buf); /* skipped by FORWARD-TSN */
    return 0;
  }
  m = sctpi_zalloc(a, sizeof *m);
  if (m == NULL) {
    rtg_free(&a->ctx, buf);
    return RTG_ERR_NOMEM;
  }
  m->sid = sid;
  m->mid = mid;
  m->ppid = ppid;
  m->len = total;
  m->data = buf; /* NULL: a dropped message keeps its place */
  m->next = a->pending;
  a->pending = m;
  a->rx_bytes += total;
  return 0;
}

/* Copies the fragments |idx[0..n)| (in order) into one buffer and removes
 * them; |*buf| is NULL when the message exceeds max_message_size
 * (RFC 8841 §6: larger than announced - dropped, its place skipped). */
static int gather(struct rtg_sctp_assoc *a, const size_t *idx, size_t n, uint8_t **buf,
                  size_t *total) {
  size_t t = 0, w = 0;
  for (size_t k = 0; k < n; k++) t += a->rx[idx[k]].len;
  *buf = NULL;
  if (t > a->cfg.max_message_size) {
    a->st.oversize_dropped++;
    t = 0;
  } else if ((*buf = sctpi_zalloc(a, t ? t : 1)) == NULL) {
    return RTG_ERR_NOMEM;
  }
  *total = t;
  t = 0;
  for (size_t k = 0; k < n; k++) {
    struct rxf *f = &a->rx[idx[k]];
    if (*buf) memcpy(*buf + t, f->data, f->len);
    t += f->len;
    rx_release(a, f);
  }
  /* close the holes (the indexes are increasing) */
  for (size_t r = 0; r < a->rx_n; r++)
    if (a->rx[r].data != NULL) a->rx[w++] = a->rx[r];
  a->rx_n = w;
  return 0;
}

/* DATA: the fragments of one message carry consecutive TSNs (§6.9). */
static int reassemble_data(struct rtg_sctp_assoc *a, size_t i) {
  size_t lo = i, hi = i, total, *idx;
  uint16_t sid = a->rx[i].sid;
  uint32_t mid = a->rx[i].mid, ppid;
  bool unordered = (a->rx[i].flags & RTG_SCTP_DATA_UNORDERED) != 0;
  uint8_t *buf;
  int rc;
  while (!(a->rx[lo].flags & RTG_SCTP_DATA_BEGIN)) {
    if (lo == 0 || a->rx[lo - 1].tsn != a->rx[lo].tsn - 1 || a->rx[lo - 1].sid != sid) return 0;
    lo--;
  }
  while (!(a->rx[hi].flags & RTG_SCTP_DATA_END)) {
    if (hi + 1 >= a->rx_n || a->rx[hi + 1].tsn != a->rx[hi].tsn + 1 || a->rx[hi + 1].sid != sid ||
        (a->rx[hi + 1].flags & RTG_SCTP_DATA_BEGIN))
      return 0;
    hi++;
  }
  ppid = a->rx[lo].ppid;
  mid = a->rx[lo].mid;
  if ((idx = sctpi_zalloc(a, (hi - lo + 1) * sizeof *idx)) == NULL) return RTG_ERR_NOMEM;
  for (size_t k = lo; k <= hi; k++) idx[k - lo] = k;
  rc = gather(a, idx, hi - lo + 1, &buf, &total);
  rtg_free(&a->ctx, idx);
  if (rc) return rc;
  return complete(a, sid, unordered, mid, ppid, buf, total);
}

/* I-DATA (RFC 8260 §2.1): fragments of a message share (stream, U, MID)
 * and are numbered by FSN; other messages may interleave between them. */
static int reassemble_idata(struct rtg_sctp_assoc *a, size_t i) {
  const struct rxf *f = &a->rx[i];
  uint16_t sid = f->sid;
  uint32_t mid = f->mid, ppid = 0, last = UINT32_MAX;
  uint8_t u = f->flags & RTG_SCTP_DATA_UNORDERED;
  size_t n = 0, total, *idx;
  uint8_t *buf;
  int rc;
  for (size_t k = 0; k < a->rx_n; k++) {
    const struct rxf *g = &a->rx[k];
    if (g->sid != sid || g->mid != mid || (g->flags & RTG_SCTP_DATA_UNORDERED) != u) continue;
    if (g->flags & RTG_SCTP_DATA_END) last = g->fsn;
    if (g->flags & RTG_SCTP_DATA_BEGIN) ppid = g->ppid;
    n++;
  }
  if (last == UINT32_MAX || n != (size_t)last + 1) return 0;
  if ((idx = sctpi_zalloc(a, n * sizeof *idx)) == NULL) return RTG_ERR_NOMEM;
  n = 0;
  for (size_t k = 0; k < a->rx_n; k++) {
    const struct rxf *g = &a->rx[k];
    if (g->sid != sid || g->mid != mid || (g->flags & RTG_SCTP_DATA_UNORDERED) != u) continue;
    /* TSN order is FSN order for one message; a gap in FSNs is broken */
    if (g->fsn != n || (n == 0) != ((g->flags & RTG_SCTP_DATA_BEGIN) != 0)) {
      rtg_free(&a->ctx, idx);
      return 0;
    }
    idx[n++] = k;
  }
  rc = gather(a, idx, n, &buf, &total);
  rtg_free(&a->ctx, idx);
  if (rc) return rc;
  return complete(a, sid, u != 0, mid, ppid, buf, total);
}

static int reassemble(struct rtg_sctp_assoc *a, size_t i) {
  return a->idata ? reassemble_idata(a, i) : reassemble_data(a, i);
}

uint32_t sctpi_my_rwnd(const struct rtg_sctp_assoc *a) {
  return a->rx_bytes >= a->cfg.rwnd ? 0 : a->cfg.rwnd - (uint32_t)a->rx_bytes;
}

int sctpi_on_data(struct rtg_sctp_assoc *a, const struct rtg_sctp_data *d) {
  size_t i;
  struct rxf *f;
  if (d->immediate) a->sack_now = true;
  if (tsn_seen(a, d->tsn)) {
    if (a->ndups < MAX_DUPS) a->dups[a->ndups++] = d->tsn;
    a->st.dup_tsns_received++;
    a->sack_now = true;
    return 0;
  }
  /* §6.2: drop what does not fit the window (the peer retransmits it) */
  if (a->rx_bytes + d->payload.len > a->cfg.rwnd || d->tsn - a->peer_cum > 65535 * 4) {
    a->sack_now = true;
    return 0;
  }
  if (d->sid >= a->cfg.streams) {
    /* §6.5: invalid stream - acknowledge, drop and report */
    uint8_t v[8];
    if (!tsn_mark(a, d->tsn)) return 0;
    rtg_store_u16(v, RTG_SCTP_C_INVALID_STREAM);
    rtg_store_u16(v + 2, 8);
    rtg_store_u16(v + 4, d->sid);
    rtg_store_u16(v + 6, 0);
    a->sack_now = true;
    return sctpi_ctl_chunk(a, a->peer_vtag, RTG_SCTP_ERROR, 0, v, sizeof v);
  }
  if (a->rx_n == a->rx_cap) {
    size_t nc = a->rx_cap ? a->rx_cap * 2 : 256;
    struct rxf *n = sctpi_zalloc(a, nc * sizeof *n);
    if (n == NULL) return RTG_ERR_NOMEM;
    if (a->rx_n) memcpy(n, a->rx, a->rx_n * sizeof *n);
    rtg_free(&a->ctx, a->rx);
    a->rx = n;
    a->rx_cap = nc;
  }
  if (!tsn_mark(a, d->tsn)) return 0; /* too fragmented: drop, peer resends */
  if (a->ngaps) a->sack_now = true;   /* §6.7: report gaps at once */
  /* sorted by TSN; arrivals are nearly always in order */
  i = a->rx_n;
  while (i > 0 && tsn_lt(d->tsn, a->rx[i - 1].tsn)) i--;
  memmove(&a->rx[i + 1], &a->rx[i], (a->rx_n - i) * sizeof a->rx[0]);
  f = &a->rx[i];
  f->tsn = d->tsn;
  f->sid = d->sid;
  f->mid = d->idata ? d->mid : d->ssn;
  f->fsn = d->fsn;
  f->ppid = d->ppid;
  f->flags = (uint8_t)((d->begin ? RTG_SCTP_DATA_BEGIN : 0) | (d->end ? RTG_SCTP_DATA_END : 0) |
                       (d->unordered ? RTG_SCTP_DATA_UNORDERED : 0));
  f->len = (uint16_t)d->payload.len;
  /* the peer's packets may be larger than ours (its own MTU) */
  f->pooled = d->payload.len <= a->cfg.mtu;
  f->data = f->pooled ? sctpi_block_get(a) : sctpi_zalloc(a, d->payload.len);
  if (f->data == NULL) {
    memmove(&a->rx[i], &a->rx[i + 1], (a->rx_n - i) * sizeof a->rx[0]);
    return RTG_ERR_NOMEM;
  }
  memcpy(f->data, d->payload.p, d->payload.len);
  a->rx_n++;
  a->rx_bytes += d->payload.len;
  return reassemble(a, i);
}

int sctpi_on_forward_tsn(struct rtg_sctp_assoc *a, const struct rtg_sctp_fwd_tsn *f) {
  size_t k = 0;
  a->sack_now = true;
  /* the variant must match what was negotiated (RFC 8260 §2.3) */
  if (f->i_forward != a->idata || !tsn_lt(a->peer_cum, f->new_cum_tsn)) return 0;
  /* RFC 3758 §3.6: everything up to the new cumulative TSN counts as
   * received; its fragments will never complete. */
  a->peer_cum = f->new_cum_tsn;
  while (a->ngaps && tsn_le(a->gaps[0].start, a->peer_cum + 1)) {
    if (tsn_lt(a->peer_cum, a->gaps[0].end)) a->peer_cum = a->gaps[0].end;
    memmove(&a->gaps[0], &a->gaps[1], (a->ngaps - 1) * sizeof a->gaps[0]);
    a->ngaps--;
  }
  while (k < a->rx_n && tsn_le(a->rx[k].tsn, f->new_cum_tsn)) k++;
  if (k) rx_remove(a, 0, k);
  for (size_t i = 0; i < f->nentries; i++) {
    uint16_t sid;
    bool u;
    uint32_t mid;
    struct stream *s;
    struct in_msg **pp;
    rtg_sctp_fwd_entry(f, i, &sid, &u, &mid);
    if ((s = sctpi_stream_get(a, sid)) == NULL) return RTG_ERR_NOMEM;
    if (u) {
      /* I-FORWARD-TSN on an unordered message: drop its fragments */
      size_t w = 0;
      for (size_t r = 0; r < a->rx_n; r++) {
        struct rxf *g = &a->rx[r];
        if (g->sid == sid && g->mid == mid && (g->flags & RTG_SCTP_DATA_UNORDERED)) {
          rx_release(a, g);
        } else {
          a->rx[w++] = *g;
        }
      }
      a->rx_n = w;
      continue;
    }
    if (sctpi_mid_le(a, s->mid_in, mid)) s->mid_in = sctpi_mid_next(a, mid);
    /* drop queued messages that the skip made obsolete */
    pp = &a->pending;
    while (*pp) {
      struct in_msg *m = *pp;
      if (m->sid == sid && sctpi_mid_le(a, m->mid, mid)) {
        *pp = m->next;
        a->rx_bytes -= m->len;
        rtg_free(&a->ctx, m->data);
        rtg_free(&a->ctx, m);
      } else {
        pp = &m->next;
      }
    }
    if (deliver_pending(a, sid)) return RTG_ERR_NOMEM;
  }
  return 0;
}
