/*
 * reasm.c - handshake message reassembly (RFC 6347 §4.2.3, RFC 9147 §5.5).
 *
 * Fragments of one message may arrive in any order, duplicated, overlapping
 * or retransmitted with different fragmentation (a smaller PMTU). Each
 * message being assembled owns a buffer of its full length and a bitmap of
 * the bytes received; overlapping bytes must agree, otherwise the peer (or
 * an attacker) is sending two different messages under one message_seq.
 */
#include <string.h>

#include "rtg/dtls.h"

#define REF "RFC 6347 §4.2.3"

void rtg_dtls_reasm_init(struct rtg_dtls_reasm *r, const struct rtg_ctx *ctx, uint16_t first_seq) {
  memset(r, 0, sizeof *r);
  r->ctx = ctx;
  r->next_seq = first_seq;
  r->delivered = -1;
}

static void slot_release(struct rtg_dtls_reasm *r, struct rtg_dtls_reasm_slot *s) {
  rtg_free(r->ctx, s->buf);
  rtg_free(r->ctx, s->map);
  memset(s, 0, sizeof *s);
}

void rtg_dtls_reasm_free(struct rtg_dtls_reasm *r) {
  for (int i = 0; i < RTG_DTLS_REASM_SLOTS; i++)
    if (r->slot[i].used) slot_release(r, &r->slot[i]);
  r->delivered = -1;
}

static bool bit_get(const uint8_t *map, uint32_t i) {
  return ((unsigned)map[i >> 3] >> (i & 7u)) & 1u;
}
static void bit_set(uint8_t *map, uint32_t i) {
  map[i >> 3] = (uint8_t)(map[i >> 3] | (uint8_t)(1u << (i & 7u)));
}

/* message_seq distance ahead of next_seq, modulo 2^16. */
static uint16_t seq_ahead(const struct rtg_dtls_reasm *r, uint16_t seq) {
  return (uint16_t)(seq - r->next_seq);
}

int rtg_dtls_reasm_add(struct rtg_dtls_reasm *r, const struct rtg_dtls_hs_frag *f,
                       struct rtg_perr *perr) {
  struct rtg_dtls_reasm_slot *s = NULL, *free_slot = NULL;
  uint16_t ahead = seq_ahead(r, f->msg_seq);
  if (ahead >= 0x8000u) return RTG_ERR_REPLAY; /* behind: already delivered */
  if (ahead >= RTG_DTLS_REASM_SLOTS) return RTG_ERR_UNSUPPORTED;
  if (f->length > RTG_DTLS_REASM_MAX_MSG) return RTG_ERR_UNSUPPORTED;
  if ((uint64_t)f->frag_off + f->frag_len > f->length || f->body.len != f->frag_len)
    return rtg_perr_set(perr, f->offset + 9, "dtls.hs.fragment_length",
                        "fragment extends past message length", REF);
  for (int i = 0; i < RTG_DTLS_REASM_SLOTS; i++) {
    struct rtg_dtls_reasm_slot *c = &r->slot[i];
    if (c->used && c->msg_seq == f->msg_seq) {
      s = c;
      break;
    }
    if (!c->used && free_slot == NULL) free_slot = c;
  }
  if (s == NULL) {
    if (free_slot == NULL) return RTG_ERR_UNSUPPORTED;
    s = free_slot;
    s->buf = rtg_alloc(r->ctx, f->length ? f->length : 1);
    s->map = rtg_alloc(r->ctx, f->length / 8 + 1);
    if (s->buf == NULL || s->map == NULL) {
      rtg_free(r->ctx, s->buf);
      rtg_free(r->ctx, s->map);
      s->buf = s->map = NULL;
      return RTG_ERR_NOMEM;
    }
    s->used = true;
    s->msg_type = f->msg_type;
    s->msg_seq = f->msg_seq;
    s->length = f->length;
    s->have = 0;
  } else if (s->msg_type != f->msg_type) {
    return rtg_perr_set(perr, f->offset, "dtls.hs.msg_type",
                        "fragment type differs from earlier fragment of this message", REF);
  } else if (s->length != f->length) {
    return rtg_perr_set(perr, f->offset + 1, "dtls.hs.length",
                        "fragment length field differs from earlier fragment", REF);
  }
  /* Check overlapping bytes first so that a rejected fragment changes
   * nothing. */
  for (uint32_t i = 0; i < f->frag_len; i++) {
    uint32_t at = f->frag_off + i;
    if (bit_get(s->map, at) && s->buf[at] != f->body.p[i])
      return rtg_perr_set(perr, f->offset + RTG_DTLS_HS_HEADER_LEN + i, "dtls.hs.body",
                          "overlapping fragment bytes differ", REF);
  }
  for (uint32_t i = 0; i < f->frag_len; i++) {
    uint32_t at = f->frag_off + i;
    if (!bit_get(s->map, at)) {
      s->buf[at] = f->body.p[i];
      bit_set(s->map, at);
      s->have++;
    }
  }
  return RTG_OK;
}

int rtg_dtls_reasm_next(struct rtg_dtls_reasm *r, struct rtg_dtls_hs_raw *out) {
  if (r->delivered >= 0) {
    slot_release(r, &r->slot[r->delivered]);
    r->delivered = -1;
  }
  for (int i = 0; i < RTG_DTLS_REASM_SLOTS; i++) {
    struct rtg_dtls_reasm_slot *s = &r->slot[i];
    if (s->used && s->msg_seq == r->next_seq && s->have == s->length) {
      out->msg_type = s->msg_type;
      out->msg_seq = s->msg_seq;
      out->body.p = s->buf;
      out->body.len = s->length;
      r->delivered = i;
      r->next_seq++;
      return RTG_OK;
    }
  }
  return RTG_ERR_AGAIN;
}
