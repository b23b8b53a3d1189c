/*
 * reasm.c - bounded IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5)
 * and RFC 4571 framing of TCP byte streams.
 *
 * Memory is bounded by RTG_DEFRAG_SLOTS x 64 KiB whatever the capture holds:
 * the oldest datagram in progress is evicted when a new one needs a slot.
 */
#include <string.h>

#include "rtg/net.h"

#define BLOCKS (RTG_DEFRAG_MAX / 8 + 1)

int rtg_net_defrag_init(struct rtg_net_defrag *d, const struct rtg_ctx *ctx, rtg_time timeout) {
  memset(d, 0, sizeof *d);
  d->ctx = ctx;
  d->timeout = timeout;
  d->out = rtg_alloc(ctx, RTG_DEFRAG_MAX);
  if (d->out == NULL) return RTG_ERR_NOMEM;
  return RTG_OK;
}

static void slot_release(struct rtg_net_defrag *d, struct rtg_net_defrag_slot *s) {
  rtg_free(d->ctx, s->buf);
  rtg_free(d->ctx, s->have);
  memset(s, 0, sizeof *s);
}

void rtg_net_defrag_free(struct rtg_net_defrag *d) {
  for (int i = 0; i < RTG_DEFRAG_SLOTS; i++)
    if (d->slot[i].used) slot_release(d, &d->slot[i]);
  rtg_free(d->ctx, d->out);
  d->out = NULL;
}

static bool same_datagram(const struct rtg_net_defrag_slot *s, const struct rtg_net_pkt *p) {
  return s->used && s->ip_version == p->ip_version && s->id == p->frag_id &&
         memcmp(s->src.ip, p->src.ip, 16) == 0 && memcmp(s->dst.ip, p->dst.ip, 16) == 0 &&
         (p->ip_version == 6 || s->proto == p->proto);
}

static struct rtg_net_defrag_slot *slot_for(struct rtg_net_defrag *d, rtg_time now,
                                            const struct rtg_net_pkt *p) {
  struct rtg_net_defrag_slot *free_slot = NULL, *oldest = NULL;
  for (int i = 0; i < RTG_DEFRAG_SLOTS; i++) {
    struct rtg_net_defrag_slot *s = &d->slot[i];
    if (s->used && now - s->first_seen > d->timeout) {
      slot_release(d, s);
      d->timed_out++;
    }
    if (same_datagram(s, p)) return s;
    if (!s->used && free_slot == NULL) free_slot = s;
    if (s->used && (oldest == NULL || s->first_seen < oldest->first_seen)) oldest = s;
  }
  if (free_slot == NULL) {
    slot_release(d, oldest);
    d->evicted++;
    free_slot = oldest;
  }
  free_slot->buf = rtg_alloc(d->ctx, RTG_DEFRAG_MAX);
  free_slot->have = rtg_alloc(d->ctx, BLOCKS / 8 + 1);
  if (free_slot->buf == NULL || free_slot->have == NULL) {
    slot_release(d, free_slot);
    return NULL;
  }
  free_slot->used = true;
  free_slot->ip_version = p->ip_version;
  free_slot->proto = p->proto;
  free_slot->src = p->src;
  free_slot->dst = p->dst;
  free_slot->id = p->frag_id;
  free_slot->first_seen = now;
  return free_slot;
}

int rtg_net_defrag_add(struct rtg_net_defrag *d, rtg_time now, struct rtg_net_pkt *pkt, bool *done,
                       struct rtg_perr *perr) {
  struct rtg_net_defrag_slot *s;
  size_t off = pkt->frag_offset, n = pkt->l3_payload.len;
  *done = false;
  if (off + n > RTG_DEFRAG_MAX)
    return rtg_perr_set(perr, 0, "ip.fragment_offset", "reassembled datagram over 64 KiB",
                        "RFC 791 §3.2");
  if (pkt->more_fragments && n % 8 != 0)
    return rtg_perr_set(perr, 0, "ip.fragment", "non-final fragment not a multiple of 8 bytes",
                        "RFC 791 §3.2");
  s = slot_for(d, now, pkt);
  if (s == NULL) return RTG_ERR_NOMEM;
  if (pkt->ip_version == 6 && off == 0) s->proto = pkt->proto;
  if (!pkt->more_fragments) {
    if (s->total && s->total != off + n) {
      slot_release(d, s);
      return rtg_perr_set(perr, 0, "ip.fragment", "two different last fragments", "RFC 791 §3.2");
    }
    s->total = (uint32_t)(off + n);
  }
  /* Copy block by block so overlapping retransmissions count once. */
  for (size_t b = off / 8; b * 8 < off + n; b++) {
    size_t lo = b * 8, hi = lo + 8 < off + n ? lo + 8 : off + n;
    if (s->have[b / 8] & (1u << (b % 8))) {
      d->overlaps++;
      continue;
    }
    memcpy(s->buf + lo, pkt->l3_payload.p + (lo - off), hi - lo);
    s->have[b / 8] |= (uint8_t)(1u << (b % 8));
    s->covered += (uint32_t)(hi - lo);
  }
  if (s->total == 0 || s->covered < s->total) return RTG_OK;
  /* Complete: hand out the datagram and free the slot. */
  memcpy(d->out, s->buf, s->total);
  pkt->proto = s->proto;
  pkt->l3_payload.p = d->out;
  pkt->l3_payload.len = s->total;
  pkt->is_fragment = false;
  pkt->more_fragments = false;
  pkt->frag_offset = 0;
  slot_release(d, s);
  *done = true;
  return rtg_net_transport_parse(pkt, perr);
}

/* ---- RFC 4571 ------------------------------------------------------------ */

void rtg_net_tcpframer_init(struct rtg_net_tcpframer *f) {
  f->synced = false;
  f->lost = false;
  f->next_seq = 0;
  f->start = f->end = 0;
}

void rtg_net_tcpframer_push(struct rtg_net_tcpframer *f, uint32_t seq, uint8_t flags,
                            const uint8_t *data, size_t len) {
  uint32_t skip;
  if (flags & RTG_TCP_SYN) {
    f->synced = true;
    f->next_seq = seq + 1; /* SYN takes one sequence number */
    f->start = f->end = 0;
    f->lost = false;
  }
  if (len == 0 || f->lost) return;
  if (!f->synced) {
    /* Capture started mid-connection: assume this segment starts a frame. */
    f->synced = true;
    f->next_seq = seq;
  }
  skip = f->next_seq - seq; /* serial arithmetic: bytes already seen */
  if (skip >= 0x80000000u) {
    f->lost = true; /* a gap: data missing from the capture */
    return;
  }
  if (skip >= len) return; /* pure retransmission */
  data += skip;
  len -= skip;
  if (f->start) {
    memmove(f->buf, f->buf + f->start, f->end - f->start);
    f->end -= f->start;
    f->start = 0;
  }
  if (len > sizeof f->buf - f->end) {
    f->lost = true; /* caller did not drain: refuse rather than overflow */
    return;
  }
  memcpy(f->buf + f->end, data, len);
  f->end += len;
  f->next_seq += (uint32_t)len;
}

int rtg_net_tcpframer_pop(struct rtg_net_tcpframer *f, struct rtg_slice *out) {
  size_t avail = f->end - f->start, flen;
  if (avail < 2) return RTG_ERR_AGAIN;
  flen = rtg_load_u16(f->buf + f->start);
  if (avail < 2 + flen) return RTG_ERR_AGAIN;
  out->p = f->buf + f->start + 2;
  out->len = flen;
  f->start += 2 + flen;
  return RTG_OK;
}
