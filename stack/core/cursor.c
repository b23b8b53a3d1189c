/*
 * cursor.c - the one bounded reader and the one bounded writer
 * (DESIGN.md rule 2). Every read checks the remaining length before it moves;
 * a failed read or write leaves the cursor exactly where it was.
 */
#include <string.h>

#include "rtg/core.h"

int rtg_rd_u48(struct rtg_rd *rd, uint64_t *v) {
  if (rtg_rd_left(rd) < 6) return RTG_ERR_TRUNCATED;
  *v = ((uint64_t)rtg_load_u16(rd->p) << 32) | rtg_load_u32(rd->p + 2);
  rd->p += 6;
  return RTG_OK;
}

int rtg_rd_sub(struct rtg_rd *rd, size_t n, struct rtg_rd *sub) {
  if (rtg_rd_left(rd) < n) return RTG_ERR_TRUNCATED;
  sub->p = rd->p;
  sub->end = rd->p + n;
  sub->base = rd->base;
  rd->p += n;
  return RTG_OK;
}

/* Length-prefixed blocks: the prefix and the block are consumed together or
 * not at all, so a truncated block does not leave the cursor after its
 * length field. */
int rtg_rd_sub8(struct rtg_rd *rd, struct rtg_rd *sub) {
  struct rtg_rd t = *rd;
  uint8_t n;
  if (rtg_rd_u8(&t, &n) || rtg_rd_sub(&t, n, sub)) return RTG_ERR_TRUNCATED;
  *rd = t;
  return RTG_OK;
}

int rtg_rd_sub16(struct rtg_rd *rd, struct rtg_rd *sub) {
  struct rtg_rd t = *rd;
  uint16_t n;
  if (rtg_rd_u16(&t, &n) || rtg_rd_sub(&t, n, sub)) return RTG_ERR_TRUNCATED;
  *rd = t;
  return RTG_OK;
}

int rtg_rd_sub24(struct rtg_rd *rd, struct rtg_rd *sub) {
  struct rtg_rd t = *rd;
  uint32_t n;
  if (rtg_rd_u24(&t, &n) || rtg_rd_sub(&t, n, sub)) return RTG_ERR_TRUNCATED;
  *rd = t;
  return RTG_OK;
}

/* ---- writer ------------------------------------------------------------ */

int rtg_wr_u24(struct rtg_wr *wr, uint32_t v) {
  if (v > 0xffffffu || rtg_wr_left(wr) < 3) return v > 0xffffffu ? RTG_ERR_INVAL : RTG_ERR_NOBUF;
  rtg_store_u24(wr->p, v);
  wr->p += 3;
  return RTG_OK;
}

int rtg_wr_u48(struct rtg_wr *wr, uint64_t v) {
  if (v >> 48) return RTG_ERR_INVAL;
  if (rtg_wr_left(wr) < 6) return RTG_ERR_NOBUF;
  rtg_store_u16(wr->p, (uint16_t)(v >> 32));
  rtg_store_u32(wr->p + 2, (uint32_t)v);
  wr->p += 6;
  return RTG_OK;
}

int rtg_wr_u64(struct rtg_wr *wr, uint64_t v) {
  if (rtg_wr_left(wr) < 8) return RTG_ERR_NOBUF;
  rtg_store_u64(wr->p, v);
  wr->p += 8;
  return RTG_OK;
}

int rtg_wr_zero(struct rtg_wr *wr, size_t n) {
  if (rtg_wr_left(wr) < n) return RTG_ERR_NOBUF;
  if (n) memset(wr->p, 0, n);
  wr->p += n;
  return RTG_OK;
}

int rtg_wr_reserve(struct rtg_wr *wr, size_t n, size_t *mark) {
  if (rtg_wr_left(wr) < n) return RTG_ERR_NOBUF;
  *mark = rtg_wr_len(wr);
  if (n) memset(wr->p, 0, n);
  wr->p += n;
  return RTG_OK;
}

/* A patch may only touch bytes already written (reserved), never beyond. */
static uint8_t *patch_at(struct rtg_wr *wr, size_t mark, size_t n) {
  size_t len = rtg_wr_len(wr);
  if (mark > len || len - mark < n) return NULL;
  return wr->base + mark;
}

int rtg_wr_patch_u8(struct rtg_wr *wr, size_t mark, uint8_t v) {
  uint8_t *q = patch_at(wr, mark, 1);
  if (!q) return RTG_ERR_INVAL;
  q[0] = v;
  return RTG_OK;
}

int rtg_wr_patch_u16(struct rtg_wr *wr, size_t mark, uint16_t v) {
  uint8_t *q = patch_at(wr, mark, 2);
  if (!q) return RTG_ERR_INVAL;
  rtg_store_u16(q, v);
  return RTG_OK;
}

int rtg_wr_patch_u24(struct rtg_wr *wr, size_t mark, uint32_t v) {
  uint8_t *q = patch_at(wr, mark, 3);
  if (!q || v > 0xffffffu) return RTG_ERR_INVAL;
  rtg_store_u24(q, v);
  return RTG_OK;
}

int rtg_wr_patch_u32(struct rtg_wr *wr, size_t mark, uint32_t v) {
  uint8_t *q = patch_at(wr, mark, 4);
  if (!q) return RTG_ERR_INVAL;
  rtg_store_u32(q, v);
  return RTG_OK;
}
