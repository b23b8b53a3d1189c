/*
 * rtcp.c - RTCP compound codec: SR, RR, SDES, BYE, APP (RFC 3550 §6), XR
 * (RFC 3611), RTPFB/PSFB (RFC 4585, RFC 5104), transport-wide CC feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01), REMB
 * (draft-alvestrand-rmcat-remb-03), CCFB (RFC 8888), the RFC 3550 §A.2
 * validity rules and reduced-size RTCP (RFC 5506).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|  count  |      PT       |     length (words - 1)        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include <string.h>

#include "rtg/rtp.h"

#define REF_HDR "RFC 3550 §6.4.1"
#define REF_A2 "RFC 3550 §A.2"
#define REF_SDES "RFC 3550 §6.5"
#define REF_BYE "RFC 3550 §6.6"
#define REF_APP "RFC 3550 §6.7"
#define REF_FB "RFC 4585 §6.1"
#define REF_XR "RFC 3611 §3"
#define REF_TWCC "draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1"
#define REF_CCFB "RFC 8888 §3.1"

#define RB_SIZE 24

static int set(struct rtg_perr *e, const struct rtg_rd *rd, const char *field, const char *reason,
               const char *ref) {
  return rtg_perr_set(e, rtg_rd_offset(rd), field, reason, ref);
}

static int parse_sdes(struct rtg_rtcp_pkt *p, struct rtg_rd *rd, struct rtg_perr *perr) {
  /* §6.5: each chunk is an SSRC, items (type, length, text), a null item
   * and padding to the next 32-bit boundary. */
  const uint8_t *chunk_start;
  p->items.p = rd->p;
  p->items.len = rtg_rd_left(rd);
  for (uint8_t c = 0; c < p->count; c++) {
    uint32_t ssrc;
    chunk_start = rd->p;
    if (rtg_rd_u32(rd, &ssrc)) return set(perr, rd, "rtcp.sdes.ssrc", "chunk truncated", REF_SDES);
    for (;;) {
      uint8_t type, len;
      struct rtg_slice v;
      if (rtg_rd_u8(rd, &type))
        return set(perr, rd, "rtcp.sdes.item", "chunk has no terminating null item", REF_SDES);
      if (type == 0) break;
      if (rtg_rd_u8(rd, &len) || rtg_rd_bytes(rd, len, &v))
        return set(perr, rd, "rtcp.sdes.item.length", "item overruns packet", REF_SDES);
    }
    while ((size_t)(rd->p - chunk_start) % 4) {
      uint8_t z;
      if (rtg_rd_u8(rd, &z))
        return set(perr, rd, "rtcp.sdes.padding", "chunk not padded to 32 bits", REF_SDES);
      if (z != 0) return set(perr, rd, "rtcp.sdes.padding", "non-zero chunk padding", REF_SDES);
    }
  }
  if (!rtg_rd_empty(rd))
    return set(perr, rd, "rtcp.sdes", "data after the last chunk (SC too small)", REF_SDES);
  return 0;
}

/* transport-cc FCI §3.1:
 *   base sequence number (16) | packet status count (16)
 *   reference time (24, signed) | fb pkt count (8)
 *   packet chunks (16 each) ... recv deltas ... padding
 * The chunks are walked twice (validate and find where the deltas start,
 * then pair each symbol with its delta) so that any status count up to
 * 65535 works without a per-packet status array. */
struct twcc_pass {
  struct rtg_rd deltas;
  struct rtg_rtcp_twcc *tw;
  rtg_rtcp_twcc_cb cb;
  void *ud;
  size_t n;
  struct rtg_perr *perr;
};

static int twcc_symbol(struct twcc_pass *w, uint8_t status) {
  int32_t delta = 0;
  if (status == 1) {
    uint8_t d;
    if (rtg_rd_u8(&w->deltas, &d))
      return set(w->perr, &w->deltas, "rtcp.twcc.delta", "receive deltas truncated", REF_TWCC);
    delta = d;
    w->tw->received++;
  } else if (status == 2) {
    uint16_t d;
    if (rtg_rd_u16(&w->deltas, &d))
      return set(w->perr, &w->deltas, "rtcp.twcc.delta", "receive deltas truncated", REF_TWCC);
    delta = (int16_t)d;
    w->tw->received++;
  }
  if (w->cb) w->cb(w->ud, (uint16_t)(w->tw->base_seq + w->n), status, delta);
  w->n++;
  return 0;
}

/* Walks the chunks of |total| symbols from |rd|; with |w|, each symbol goes
 * to twcc_symbol. */
static int twcc_chunks(struct rtg_rd *rd, size_t total, struct twcc_pass *w,
                       struct rtg_perr *perr) {
  size_t n = 0;
  while (n < total) {
    uint16_t chunk;
    if (rtg_rd_u16(rd, &chunk))
      return set(perr, rd, "rtcp.twcc.chunk", "chunks end before status count", REF_TWCC);
    if ((chunk & 0x8000u) == 0) {
      /* run length chunk: T=0 | S (2) | run length (13) */
      uint8_t s = (uint8_t)((chunk >> 13) & 3);
      size_t run = chunk & 0x1fffu;
      if (run == 0) return set(perr, rd, "rtcp.twcc.chunk", "run length of zero", REF_TWCC);
      if (s == 3) return set(perr, rd, "rtcp.twcc.chunk", "reserved status symbol", REF_TWCC);
      for (size_t i = 0; i < run && n < total; i++, n++)
        if (w && twcc_symbol(w, s)) return RTG_ERR_PARSE;
    } else if ((chunk & 0x4000u) == 0) {
      /* status vector, 14 one-bit symbols */
      for (int i = 13; i >= 0 && n < total; i--, n++)
        if (w && twcc_symbol(w, (uint8_t)((chunk >> i) & 1))) return RTG_ERR_PARSE;
    } else {
      /* status vector, 7 two-bit symbols */
      for (int i = 6; i >= 0 && n < total; i--, n++) {
        uint8_t s = (uint8_t)((chunk >> (2 * i)) & 3);
        if (s == 3) return set(perr, rd, "rtcp.twcc.chunk", "reserved status symbol", REF_TWCC);
        if (w && twcc_symbol(w, s)) return RTG_ERR_PARSE;
      }
    }
  }
  return 0;
}

static int walk_twcc(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_twcc *tw, rtg_rtcp_twcc_cb cb,
                     void *ud, struct rtg_perr *perr) {
  struct rtg_rd rd, chunks;
  struct twcc_pass w;
  uint32_t ref;
  rtg_rd_init(&rd, p->fci.p, p->fci.len);
  rd.base = p->fci.p - (p->offset + 12);
  memset(tw, 0, sizeof *tw);
  if (rtg_rd_u16(&rd, &tw->base_seq) || rtg_rd_u16(&rd, &tw->status_count) ||
      rtg_rd_u24(&rd, &ref) || rtg_rd_u8(&rd, &tw->fb_count))
    return set(perr, &rd, "rtcp.twcc.header", "FCI shorter than 8 bytes", REF_TWCC);
  tw->ref_time = (int32_t)(ref & 0x800000u ? ref | 0xff000000u : ref);
  if (tw->status_count == 0)
    return set(perr, &rd, "rtcp.twcc.status_count", "zero packets", REF_TWCC);
  chunks = rd;
  if (twcc_chunks(&rd, tw->status_count, NULL, perr)) return RTG_ERR_PARSE;
  memset(&w, 0, sizeof w);
  w.deltas = rd; /* the deltas start right after the last chunk */
  w.tw = tw;
  w.cb = cb;
  w.ud = ud;
  w.perr = perr;
  if (twcc_chunks(&chunks, tw->status_count, &w, perr)) return RTG_ERR_PARSE;
  /* Up to 3 bytes of zero padding may remain (the FCI is word aligned). */
  if (rtg_rd_left(&w.deltas) > 3)
    return set(perr, &w.deltas, "rtcp.twcc", "data after the receive deltas", REF_TWCC);
  return 0;
}

/* RFC 8888 §3.1: report blocks (SSRC, begin_seq, num_reports, metric blocks
 * padded to 32 bits) followed by the 32-bit report timestamp. */
static int walk_ccfb(const struct rtg_rtcp_pkt *p, uint32_t *report_ts, rtg_rtcp_ccfb_cb cb,
                     void *ud, struct rtg_perr *perr) {
  struct rtg_rd rd;
  rtg_rd_init(&rd, p->fci.p, p->fci.len);
  rd.base = p->fci.p - (p->offset + 8);
  if (rtg_rd_left(&rd) < 4)
    return set(perr, &rd, "rtcp.ccfb.report_timestamp", "missing report timestamp", REF_CCFB);
  rd.end -= 4;
  while (!rtg_rd_empty(&rd)) {
    uint32_t ssrc;
    uint16_t begin, num;
    if (rtg_rd_u32(&rd, &ssrc) || rtg_rd_u16(&rd, &begin) || rtg_rd_u16(&rd, &num))
      return set(perr, &rd, "rtcp.ccfb.block", "report block header truncated", REF_CCFB);
    /* §3.1: num_reports is at most 16384 per block. */
    if (num > 16384)
      return set(perr, &rd, "rtcp.ccfb.num_reports", "more than 16384 reports", REF_CCFB);
    for (uint32_t i = 0; i < num; i++) {
      uint16_t m;
      if (rtg_rd_u16(&rd, &m))
        return set(perr, &rd, "rtcp.ccfb.metric", "metric blocks overrun packet", REF_CCFB);
      if (cb)
        cb(ud, ssrc, (uint16_t)(begin + i), (m & 0x8000u) != 0, (uint8_t)((m >> 13) & 3),
           (uint16_t)(m & 0x1fffu));
    }
    if (num % 2) {
      uint16_t pad;
      if (rtg_rd_u16(&rd, &pad))
        return set(perr, &rd, "rtcp.ccfb.padding", "block not padded to 32 bits", REF_CCFB);
    }
  }
  *report_ts = rtg_load_u32(rd.end);
  return 0;
}

static int parse_fb(struct rtg_rtcp_pkt *p, struct rtg_rd *rd, struct rtg_perr *perr) {
  size_t n = rtg_rd_left(rd);
  if (p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_CCFB) {
    uint32_t ts;
    p->fci.p = rd->p;
    p->fci.len = n;
    return walk_ccfb(p, &ts, NULL, NULL, perr);
  }
  if (rtg_rd_u32(rd, &p->media_ssrc))
    return set(perr, rd, "rtcp.fb.media_ssrc", "missing media source SSRC", REF_FB);
  n = rtg_rd_left(rd);
  p->fci.p = rd->p;
  p->fci.len = n;
  if (p->pt == RTG_RTCP_RTPFB) {
    switch (p->count) {
      case RTG_RTPFB_NACK:
        if (n == 0) return set(perr, rd, "rtcp.nack", "no NACK items", "RFC 4585 §6.2.1");
        break;
      case RTG_RTPFB_TMMBR:
      case RTG_RTPFB_TMMBN:
        if (n % 8) return set(perr, rd, "rtcp.tmmb", "FCI not a multiple of 8", "RFC 5104 §4.2");
        if (p->count == RTG_RTPFB_TMMBR && n == 0)
          return set(perr, rd, "rtcp.tmmbr", "no TMMBR entries", "RFC 5104 §4.2.1");
        break;
      case RTG_RTPFB_TWCC: {
        struct rtg_rtcp_twcc tw;
        return walk_twcc(p, &tw, NULL, NULL, perr);
      }
      default: break;
    }
  } else {
    switch (p->count) {
      case RTG_PSFB_PLI:
        if (n) return set(perr, rd, "rtcp.pli", "PLI carries FCI", "RFC 4585 §6.3.1");
        break;
      case RTG_PSFB_SLI:
        if (n == 0) return set(perr, rd, "rtcp.sli", "no SLI entries", "RFC 4585 §6.3.2");
        break;
      case RTG_PSFB_FIR:
        if (n == 0 || n % 8)
          return set(perr, rd, "rtcp.fir", "FCI not a non-zero multiple of 8", "RFC 5104 §4.3.1");
        break;
      case RTG_PSFB_AFB:
        if (n >= 4 && memcmp(rd->p, "REMB", 4) == 0) {
          struct rtg_rtcp_remb remb;
          if (rtg_rtcp_remb_get(p, &remb))
            return set(perr, rd, "rtcp.remb", "malformed REMB", "draft-alvestrand-rmcat-remb-03");
        }
        break;
      default: break;
    }
  }
  return 0;
}

static int parse_xr(struct rtg_rtcp_pkt *p, struct rtg_rd *rd, struct rtg_perr *perr) {
  p->items.p = rd->p;
  p->items.len = rtg_rd_left(rd);
  while (!rtg_rd_empty(rd)) {
    uint8_t bt, ts;
    uint16_t words;
    if (rtg_rd_u8(rd, &bt) || rtg_rd_u8(rd, &ts) || rtg_rd_u16(rd, &words))
      return set(perr, rd, "rtcp.xr.block", "block header truncated", REF_XR);
    if (rtg_rd_skip(rd, (size_t)words * 4))
      return set(perr, rd, "rtcp.xr.block.length", "block overruns packet", REF_XR);
  }
  return 0;
}

static int parse_one(struct rtg_rtcp_pkt *p, struct rtg_rd *rd, struct rtg_perr *perr) {
  switch (p->pt) {
    case RTG_RTCP_SR:
    case RTG_RTCP_RR: {
      if (rtg_rd_u32(rd, &p->ssrc)) return set(perr, rd, "rtcp.ssrc", "missing SSRC", REF_HDR);
      if (p->pt == RTG_RTCP_SR) {
        if (rtg_rd_u64(rd, &p->ntp) || rtg_rd_u32(rd, &p->rtp_ts) ||
            rtg_rd_u32(rd, &p->packet_count) || rtg_rd_u32(rd, &p->octet_count))
          return set(perr, rd, "rtcp.sr.sender_info", "sender info truncated", "RFC 3550 §6.4.1");
      }
      p->items.p = rd->p;
      p->items.len = (size_t)p->count * RB_SIZE;
      if (rtg_rd_skip(rd, p->items.len))
        return set(perr, rd, "rtcp.report_block", "report blocks overrun packet",
                   "RFC 3550 §6.4.1");
      p->ext.p = rd->p;
      p->ext.len = rtg_rd_left(rd);
      return 0;
    }
    case RTG_RTCP_SDES: return parse_sdes(p, rd, perr);
    case RTG_RTCP_BYE: {
      uint8_t rlen;
      p->items.p = rd->p;
      p->items.len = (size_t)p->count * 4;
      if (rtg_rd_skip(rd, p->items.len))
        return set(perr, rd, "rtcp.bye.ssrc", "SSRC list overruns packet", REF_BYE);
      if (p->count) p->ssrc = rtg_load_u32(p->items.p);
      if (rtg_rd_empty(rd)) return 0;
      if (rtg_rd_u8(rd, &rlen) || rtg_rd_bytes(rd, rlen, &p->reason))
        return set(perr, rd, "rtcp.bye.reason", "reason overruns packet", REF_BYE);
      while (!rtg_rd_empty(rd)) {
        uint8_t z;
        if (rtg_rd_u8(rd, &z) || z != 0)
          return set(perr, rd, "rtcp.bye.padding", "non-zero data after reason", REF_BYE);
      }
      return 0;
    }
    case RTG_RTCP_APP: {
      struct rtg_slice name;
      if (rtg_rd_u32(rd, &p->ssrc) || rtg_rd_bytes(rd, 4, &name))
        return set(perr, rd, "rtcp.app.name", "missing SSRC or name", REF_APP);
      memcpy(p->app_name, name.p, 4);
      p->app_name[4] = '\0';
      p->app_data.p = rd->p;
      p->app_data.len = rtg_rd_left(rd);
      return 0;
    }
    case RTG_RTCP_RTPFB:
    case RTG_RTCP_PSFB:
      if (rtg_rd_u32(rd, &p->ssrc))
        return set(perr, rd, "rtcp.fb.ssrc", "missing sender SSRC", REF_FB);
      return parse_fb(p, rd, perr);
    case RTG_RTCP_XR:
      if (rtg_rd_u32(rd, &p->ssrc)) return set(perr, rd, "rtcp.xr.ssrc", "missing SSRC", REF_XR);
      return parse_xr(p, rd, perr);
    default:
      /* Unknown types are skipped (§A.2 only constrains the first one). */
      return 0;
  }
}

int rtg_rtcp_parse(struct rtg_rtcp_compound *c, const uint8_t *data, size_t len, unsigned flags,
                   struct rtg_perr *perr) {
  struct rtg_rd rd;
  bool reduced = (flags & RTG_RTCP_REDUCED_SIZE) != 0;
  c->n = 0;
  rtg_rd_init(&rd, data, len);
  if (len == 0) return rtg_perr_set(perr, 0, "rtcp", "empty packet", REF_A2);
  while (!rtg_rd_empty(&rd)) {
    struct rtg_rtcp_pkt *p;
    struct rtg_rd body;
    uint8_t b0, pt;
    uint16_t words;
    size_t off = rtg_rd_offset(&rd);
    if (c->n == RTG_RTCP_MAX_PKTS)
      return rtg_perr_set(perr, off, "rtcp", "too many packets in compound", REF_A2);
    p = &c->pkt[c->n];
    memset(p, 0, sizeof *p);
    p->offset = off;
    if (rtg_rd_u8(&rd, &b0) || rtg_rd_u8(&rd, &pt) || rtg_rd_u16(&rd, &words)) {
      rd.p = data + off;
      return rtg_perr_set(perr, off, "rtcp.header", "header truncated", REF_HDR);
    }
    if ((b0 >> 6) != 2) return rtg_perr_set(perr, off, "rtcp.version", "version is not 2", REF_A2);
    p->padding = (b0 & 0x20) != 0;
    p->count = b0 & 0x1f;
    p->pt = pt;
    p->len = ((size_t)words + 1) * 4;
    if (rtg_rd_sub(&rd, p->len - 4, &body)) {
      rd.p = data + off;
      return rtg_perr_set(perr, off + 2, "rtcp.length", "length overruns compound", REF_A2);
    }
    if (c->n == 0 && !reduced) {
      /* §A.2: the first packet is SR or RR and is not padded. */
      if (pt != RTG_RTCP_SR && pt != RTG_RTCP_RR)
        return rtg_perr_set(perr, off + 1, "rtcp.pt", "first packet is not SR or RR", REF_A2);
    }
    if (pt < 192 || pt > 223) {
      /* outside the RTCP range (RFC 5761 §4) */
      return rtg_perr_set(perr, off + 1, "rtcp.pt", "not an RTCP packet type", "RFC 5761 §4");
    }
    if (p->padding) {
      uint8_t pad;
      /* §A.2: RTCP_VALID_MASK includes P for the first packet. */
      if (!reduced && c->n == 0)
        return rtg_perr_set(perr, off, "rtcp.padding", "padding on the first packet", REF_A2);
      if (!reduced && !rtg_rd_empty(&rd))
        return rtg_perr_set(perr, off, "rtcp.padding", "padding on a packet that is not last",
                            REF_A2);
      if (body.end == body.p)
        return rtg_perr_set(perr, off, "rtcp.padding", "padding bit on empty packet", REF_A2);
      pad = body.end[-1];
      if (pad == 0 || pad > rtg_rd_left(&body))
        return rtg_perr_set(perr, rtg_rd_offset(&body) + rtg_rd_left(&body) - 1, "rtcp.padding",
                            "bad padding count", REF_A2);
      p->pad_len = pad;
      body.end -= pad;
    }
    p->body.p = body.p;
    p->body.len = rtg_rd_left(&body);
    c->n++;
    if (parse_one(p, &body, perr)) return RTG_ERR_PARSE;
  }
  return 0;
}

int rtg_rtcp_rb_get(const struct rtg_rtcp_pkt *p, size_t i, struct rtg_rtcp_rb *rb) {
  const uint8_t *b;
  uint32_t lost;
  if ((p->pt != RTG_RTCP_SR && p->pt != RTG_RTCP_RR) || i >= p->count) return RTG_ERR_NOTFOUND;
  b = p->items.p + i * RB_SIZE;
  rb->ssrc = rtg_load_u32(b);
  rb->fraction_lost = b[4];
  lost = rtg_load_u24(b + 5);
  rb->cumulative_lost = (int32_t)(lost & 0x800000u ? lost | 0xff000000u : lost);
  rb->ext_highest_seq = rtg_load_u32(b + 8);
  rb->jitter = rtg_load_u32(b + 12);
  rb->lsr = rtg_load_u32(b + 16);
  rb->dlsr = rtg_load_u32(b + 20);
  return 0;
}

void rtg_rtcp_sdes_begin(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_sdes_iter *it) {
  memset(it, 0, sizeof *it);
  /* Only an SDES packet has chunks; others leave the iterator empty (and
   * no arithmetic on their NULL slice). */
  if (p->pt != RTG_RTCP_SDES || p->items.p == NULL) return;
  rtg_rd_init(&it->rd, p->items.p, p->items.len);
  it->chunks_left = p->count;
}

int rtg_rtcp_sdes_next(struct rtg_rtcp_sdes_iter *it, struct rtg_rtcp_sdes_item *item) {
  for (;;) {
    uint8_t type, len;
    if (!it->in_chunk) {
      if (it->chunks_left == 0 || rtg_rd_u32(&it->rd, &it->ssrc)) return RTG_ERR_NOTFOUND;
      it->chunks_left--;
      it->in_chunk = true;
    }
    if (rtg_rd_u8(&it->rd, &type)) return RTG_ERR_NOTFOUND;
    if (type == 0) {
      /* skip to the 32-bit boundary (relative to the chunks' start) */
      while (rtg_rd_offset(&it->rd) % 4)
        if (rtg_rd_skip(&it->rd, 1)) return RTG_ERR_NOTFOUND;
      it->in_chunk = false;
      continue;
    }
    if (rtg_rd_u8(&it->rd, &len) || rtg_rd_bytes(&it->rd, len, &item->value))
      return RTG_ERR_NOTFOUND;
    item->ssrc = it->ssrc;
    item->type = type;
    return 0;
  }
}

int rtg_rtcp_bye_ssrc(const struct rtg_rtcp_pkt *p, size_t i, uint32_t *ssrc) {
  if (p->pt != RTG_RTCP_BYE || i >= p->count) return RTG_ERR_NOTFOUND;
  *ssrc = rtg_load_u32(p->items.p + 4 * i);
  return 0;
}

int rtg_rtcp_nack_get(const struct rtg_rtcp_pkt *p, size_t i, uint16_t *pid, uint16_t *blp) {
  if (p->pt != RTG_RTCP_RTPFB || p->count != RTG_RTPFB_NACK || (i + 1) * 4 > p->fci.len)
    return RTG_ERR_NOTFOUND;
  *pid = rtg_load_u16(p->fci.p + 4 * i);
  *blp = rtg_load_u16(p->fci.p + 4 * i + 2);
  return 0;
}

int rtg_rtcp_fir_get(const struct rtg_rtcp_pkt *p, size_t i, uint32_t *ssrc, uint8_t *seq) {
  if (p->pt != RTG_RTCP_PSFB || p->count != RTG_PSFB_FIR || (i + 1) * 8 > p->fci.len)
    return RTG_ERR_NOTFOUND;
  *ssrc = rtg_load_u32(p->fci.p + 8 * i);
  *seq = p->fci.p[8 * i + 4];
  return 0;
}

int rtg_rtcp_tmmb_get(const struct rtg_rtcp_pkt *p, size_t i, uint32_t *ssrc, uint64_t *bitrate,
                      uint16_t *overhead) {
  uint32_t w;
  if (p->pt != RTG_RTCP_RTPFB || (p->count != RTG_RTPFB_TMMBR && p->count != RTG_RTPFB_TMMBN) ||
      (i + 1) * 8 > p->fci.len)
    return RTG_ERR_NOTFOUND;
  /* RFC 5104 §4.2.1.1: MxTBR Exp (6) | Mantissa (17) | Measured Overhead (9) */
  *ssrc = rtg_load_u32(p->fci.p + 8 * i);
  w = rtg_load_u32(p->fci.p + 8 * i + 4);
  *bitrate = (uint64_t)((w >> 9) & 0x1ffffu) << (w >> 26);
  *overhead = (uint16_t)(w & 0x1ffu);
  return 0;
}

int rtg_rtcp_remb_get(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_remb *r) {
  struct rtg_rd rd;
  uint8_t n, b[3];
  uint32_t exp, mant;
  if (p->pt != RTG_RTCP_PSFB || p->count != RTG_PSFB_AFB || p->fci.len < 4 ||
      memcmp(p->fci.p, "REMB", 4) != 0)
    return RTG_ERR_NOTFOUND;
  rtg_rd_init(&rd, p->fci.p + 4, p->fci.len - 4);
  /* Num SSRC (8) | BR Exp (6) | BR Mantissa (18) | SSRC feedback ... */
  if (rtg_rd_u8(&rd, &n) || rtg_rd_copy(&rd, b, 3)) return RTG_ERR_PARSE;
  exp = (uint32_t)b[0] >> 2;
  mant = ((uint32_t)(b[0] & 3) << 16) | ((uint32_t)b[1] << 8) | b[2];
  if (exp > 46) return RTG_ERR_PARSE; /* would overflow 64 bits */
  r->bitrate = (uint64_t)mant << exp;
  r->n_ssrc = n;
  for (uint8_t i = 0; i < n; i++)
    if (rtg_rd_u32(&rd, &r->ssrc[i])) return RTG_ERR_PARSE;
  if (!rtg_rd_empty(&rd)) return RTG_ERR_PARSE;
  return 0;
}

int rtg_rtcp_twcc_get(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_twcc *tw, rtg_rtcp_twcc_cb cb,
                      void *ud, struct rtg_perr *perr) {
  if (p->pt != RTG_RTCP_RTPFB || p->count != RTG_RTPFB_TWCC) return RTG_ERR_INVAL;
  return walk_twcc(p, tw, cb, ud, perr);
}

int rtg_rtcp_ccfb_get(const struct rtg_rtcp_pkt *p, uint32_t *report_ts, rtg_rtcp_ccfb_cb cb,
                      void *ud, struct rtg_perr *perr) {
  if (p->pt != RTG_RTCP_RTPFB || p->count != RTG_RTPFB_CCFB) return RTG_ERR_INVAL;
  return walk_ccfb(p, report_ts, cb, ud, perr);
}

int rtg_rtcp_xr_next(struct rtg_rd *it, struct rtg_rtcp_xr_block *b) {
  uint16_t words;
  struct rtg_rd save = *it;
  if (rtg_rd_u8(it, &b->bt) || rtg_rd_u8(it, &b->type_specific) || rtg_rd_u16(it, &words) ||
      rtg_rd_bytes(it, (size_t)words * 4, &b->body)) {
    *it = save;
    return RTG_ERR_NOTFOUND;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Writers                                                                  */
/* ------------------------------------------------------------------------ */

/* Writes the common header with a placeholder length; |*mark| is where the
 * packet starts, patched by hdr_end. */
static int hdr_begin(struct rtg_wr *wr, uint8_t count, uint8_t pt, size_t *mark) {
  if (count > 31) return RTG_ERR_INVAL;
  if (rtg_wr_left(wr) < 4) return RTG_ERR_NOBUF;
  *mark = rtg_wr_len(wr);
  if (rtg_wr_u8(wr, (uint8_t)(0x80 | count)) || rtg_wr_u8(wr, pt) || rtg_wr_u16(wr, 0))
    return RTG_ERR_NOBUF;
  return 0;
}

static int hdr_end(struct rtg_wr *wr, size_t mark, uint8_t *save) {
  size_t n = rtg_wr_len(wr) - mark;
  if (n % 4 || n / 4 - 1 > 0xffff) {
    wr->p = save;
    return RTG_ERR_INVAL;
  }
  return rtg_wr_patch_u16(wr, mark + 2, (uint16_t)(n / 4 - 1));
}

static int write_rbs(struct rtg_wr *wr, const struct rtg_rtcp_rb *rb, size_t n) {
  int r = 0;
  for (size_t i = 0; i < n; i++) {
    r |= rtg_wr_u32(wr, rb[i].ssrc);
    r |= rtg_wr_u8(wr, rb[i].fraction_lost);
    r |= rtg_wr_u24(wr, (uint32_t)rb[i].cumulative_lost & 0xffffffu);
    r |= rtg_wr_u32(wr, rb[i].ext_highest_seq);
    r |= rtg_wr_u32(wr, rb[i].jitter);
    r |= rtg_wr_u32(wr, rb[i].lsr);
    r |= rtg_wr_u32(wr, rb[i].dlsr);
  }
  return r ? RTG_ERR_NOBUF : 0;
}

#define BEGIN(count, pt)                         \
  uint8_t *save_ = wr->p;                        \
  size_t mark_;                                  \
  int r_ = hdr_begin(wr, (count), (pt), &mark_); \
  if (r_) return r_
#define FINISH(cond)                  \
  do {                                \
    if (cond) {                       \
      wr->p = save_;                  \
      return RTG_ERR_NOBUF;           \
    }                                 \
    return hdr_end(wr, mark_, save_); \
  } while (0)

int rtg_rtcp_write_sr(struct rtg_wr *wr, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
                      uint32_t packets, uint32_t octets, const struct rtg_rtcp_rb *rb,
                      size_t n_rb) {
  int r = 0;
  if (n_rb > 31) return RTG_ERR_INVAL;
  BEGIN((uint8_t)n_rb, RTG_RTCP_SR);
  r |= rtg_wr_u32(wr, ssrc);
  r |= rtg_wr_u64(wr, ntp);
  r |= rtg_wr_u32(wr, rtp_ts);
  r |= rtg_wr_u32(wr, packets);
  r |= rtg_wr_u32(wr, octets);
  r |= write_rbs(wr, rb, n_rb);
  FINISH(r);
}

int rtg_rtcp_write_rr(struct rtg_wr *wr, uint32_t ssrc, const struct rtg_rtcp_rb *rb, size_t n_rb) {
  int r = 0;
  if (n_rb > 31) return RTG_ERR_INVAL;
  BEGIN((uint8_t)n_rb, RTG_RTCP_RR);
  r |= rtg_wr_u32(wr, ssrc);
  r |= write_rbs(wr, rb, n_rb);
  FINISH(r);
}

int rtg_rtcp_write_sdes_cname(struct rtg_wr *wr, const uint32_t *ssrc, const char *const *cname,
                              size_t n) {
  int r = 0;
  if (n > 31) return RTG_ERR_INVAL;
  for (size_t i = 0; i < n; i++)
    if (strlen(cname[i]) > 255) return RTG_ERR_INVAL;
  BEGIN((uint8_t)n, RTG_RTCP_SDES);
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(cname[i]);
    size_t chunk = 4 + 2 + l + 1;
    r |= rtg_wr_u32(wr, ssrc[i]);
    r |= rtg_wr_u8(wr, 1); /* CNAME */
    r |= rtg_wr_u8(wr, (uint8_t)l);
    if (l) r |= rtg_wr_bytes(wr, cname[i], l);
    r |= rtg_wr_zero(wr, 1 + (4 - chunk % 4) % 4);
  }
  FINISH(r);
}

int rtg_rtcp_write_bye(struct rtg_wr *wr, const uint32_t *ssrc, size_t n, const char *reason) {
  int r = 0;
  size_t rl = reason ? strlen(reason) : 0;
  if (n > 31 || rl > 255) return RTG_ERR_INVAL;
  BEGIN((uint8_t)n, RTG_RTCP_BYE);
  for (size_t i = 0; i < n; i++) r |= rtg_wr_u32(wr, ssrc[i]);
  if (reason) {
    r |= rtg_wr_u8(wr, (uint8_t)rl);
    if (rl) r |= rtg_wr_bytes(wr, reason, rl);
    r |= rtg_wr_zero(wr, (4 - (1 + rl) % 4) % 4);
  }
  FINISH(r);
}

int rtg_rtcp_write_app(struct rtg_wr *wr, uint8_t subtype, uint32_t ssrc, const char name[4],
                       const void *data, size_t len) {
  int r = 0;
  if (len % 4) return RTG_ERR_INVAL;
  BEGIN(subtype, RTG_RTCP_APP);
  r |= rtg_wr_u32(wr, ssrc);
  r |= rtg_wr_bytes(wr, name, 4);
  if (len) r |= rtg_wr_bytes(wr, data, len);
  FINISH(r);
}

int rtg_rtcp_write_fb(struct rtg_wr *wr, uint8_t pt, uint8_t fmt, uint32_t ssrc,
                      uint32_t media_ssrc, const void *fci, size_t fci_len) {
  int r = 0;
  if (fci_len % 4 || (pt != RTG_RTCP_RTPFB && pt != RTG_RTCP_PSFB)) return RTG_ERR_INVAL;
  BEGIN(fmt, pt);
  r |= rtg_wr_u32(wr, ssrc);
  r |= rtg_wr_u32(wr, media_ssrc);
  if (fci_len) r |= rtg_wr_bytes(wr, fci, fci_len);
  FINISH(r);
}

int rtg_rtcp_write_nack(struct rtg_wr *wr, uint32_t ssrc, uint32_t media_ssrc, const uint16_t *pid,
                        const uint16_t *blp, size_t n) {
  int r = 0;
  if (n == 0) return RTG_ERR_INVAL;
  BEGIN(RTG_RTPFB_NACK, RTG_RTCP_RTPFB);
  r |= rtg_wr_u32(wr, ssrc);
  r |= rtg_wr_u32(wr, media_ssrc);
  for (size_t i = 0; i < n; i++) {
    r |= rtg_wr_u16(wr, pid[i]);
    r |= rtg_wr_u16(wr, blp[i]);
  }
  FINISH(r);
}

int rtg_rtcp_write_pli(struct rtg_wr *wr, uint32_t ssrc, uint32_t media_ssrc) {
  return rtg_rtcp_write_fb(wr, RTG_RTCP_PSFB, RTG_PSFB_PLI, ssrc, media_ssrc, NULL, 0);
}

int rtg_rtcp_write_fir(struct rtg_wr *wr, uint32_t ssrc, const uint32_t *target, const uint8_t *seq,
                       size_t n) {
  int r = 0;
  if (n == 0) return RTG_ERR_INVAL;
  BEGIN(RTG_PSFB_FIR, RTG_RTCP_PSFB);
  r |= rtg_wr_u32(wr, ssrc);
  r |= rtg_wr_u32(wr, 0); /* RFC 5104 §4.3.1.2: media source SSRC is 0 */
  for (size_t i = 0; i < n; i++) {
    r |= rtg_wr_u32(wr, target[i]);
    r |= rtg_wr_u8(wr, seq[i]);
    r |= rtg_wr_zero(wr, 3);
  }
  FINISH(r);
}

int rtg_rtcp_write_remb(struct rtg_wr *wr, uint32_t ssrc, uint64_t bitrate, const uint32_t *ssrcs,
                        size_t n) {
  int r = 0;
  uint32_t exp = 0;
  if (n > 255) return RTG_ERR_INVAL;
  while ((bitrate >> exp) > 0x3ffffu) exp++;
  if (exp > 63) return RTG_ERR_INVAL;
  BEGIN(RTG_PSFB_AFB, RTG_RTCP_PSFB);
  r |= rtg_wr_u32(wr, ssrc);
  r |= rtg_wr_u32(wr, 0);
  r |= rtg_wr_bytes(wr, "REMB", 4);
  r |= rtg_wr_u8(wr, (uint8_t)n);
  r |= rtg_wr_u24(wr, (exp << 18) | (uint32_t)(bitrate >> exp));
  for (size_t i = 0; i < n; i++) r |= rtg_wr_u32(wr, ssrcs[i]);
  FINISH(r);
}
