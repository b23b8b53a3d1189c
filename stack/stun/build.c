/*
 * build.c - writing STUN messages (RFC 8489 §5, §14) and TURN ChannelData
 * (RFC 8656 §12.4). Attributes are zero-padded; the header length is
 * patched after every attribute so that MESSAGE-INTEGRITY(-SHA256) and
 * FINGERPRINT are computed over exactly what precedes them.
 */
#include <string.h>

#include "rtg/stun.h"
#include "stun/internal.h"

static int fail(struct rtg_stun_builder *b, int err) {
  if (b->err == 0) b->err = err;
  return b->err;
}

static int patch_len(struct rtg_stun_builder *b) {
  size_t body = rtg_wr_len(&b->wr) - RTG_STUN_HDR_LEN;
  if (body > 0xFFFF) return fail(b, RTG_ERR_NOBUF);
  if (rtg_wr_patch_u16(&b->wr, 2, (uint16_t)body)) return fail(b, RTG_ERR_INVAL);
  return 0;
}

int rtg_stun_builder_init(struct rtg_stun_builder *b, void *buf, size_t cap, uint8_t cls,
                          uint16_t method, const uint8_t tid[RTG_STUN_TID_LEN]) {
  uint16_t type;
  memset(b, 0, sizeof *b);
  rtg_wr_init(&b->wr, buf, cap);
  if (cls > 3 || method > 0xFFF) return fail(b, RTG_ERR_INVAL);
  /* M11..M7 C1 M6..M4 C0 M3..M0 (RFC 8489 §5) */
  type = (uint16_t)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                    ((cls & 1) << 4) | ((cls & 2) << 7));
  memcpy(b->tid, tid, RTG_STUN_TID_LEN);
  if (rtg_wr_u16(&b->wr, type) || rtg_wr_u16(&b->wr, 0) || rtg_wr_u32(&b->wr, RTG_STUN_MAGIC) ||
      rtg_wr_bytes(&b->wr, tid, RTG_STUN_TID_LEN))
    return fail(b, RTG_ERR_NOBUF);
  return 0;
}

/* Writes the TLV header and reserves |len| value bytes plus padding; the
 * value goes to |*val|. Nothing is written when it does not fit. */
static int put_attr(struct rtg_stun_builder *b, uint16_t type, size_t len, uint8_t **val) {
  size_t padded = (len + 3u) & ~(size_t)3u, mark;
  if (b->err) return b->err;
  if (len > 0xFFFF) return fail(b, RTG_ERR_INVAL);
  if (rtg_wr_left(&b->wr) < 4 + padded) return fail(b, RTG_ERR_NOBUF);
  if (rtg_wr_u16(&b->wr, type) || rtg_wr_u16(&b->wr, (uint16_t)len) ||
      rtg_wr_reserve(&b->wr, padded, &mark))
    return fail(b, RTG_ERR_NOBUF);
  *val = b->wr.base + mark;
  return patch_len(b);
}

int rtg_stun_builder_add(struct rtg_stun_builder *b, uint16_t type, const void *value, size_t len) {
  uint8_t *v;
  int rc;
  if (value == NULL && len) return fail(b, RTG_ERR_INVAL);
  rc = put_attr(b, type, len, &v);
  if (rc) return rc;
  if (len) memcpy(v, value, len);
  return 0;
}

int rtg_stun_builder_add_u32(struct rtg_stun_builder *b, uint16_t type, uint32_t x) {
  uint8_t v[4];
  rtg_store_u32(v, x);
  return rtg_stun_builder_add(b, type, v, sizeof v);
}

int rtg_stun_builder_add_u64(struct rtg_stun_builder *b, uint16_t type, uint64_t x) {
  uint8_t v[8];
  rtg_store_u64(v, x);
  return rtg_stun_builder_add(b, type, v, sizeof v);
}

int rtg_stun_builder_add_addr(struct rtg_stun_builder *b, uint16_t type,
                              const struct rtg_stun_addr *addr) {
  uint8_t v[20];
  size_t alen = addr->family == 1 ? 4 : addr->family == 2 ? 16 : 0;
  uint16_t port = addr->port;
  if (alen == 0) return fail(b, RTG_ERR_INVAL);
  v[0] = 0;
  v[1] = addr->family;
  memcpy(v + 4, addr->addr, alen);
  if (type == RTG_STUN_ATTR_XOR_MAPPED_ADDRESS || type == RTG_STUN_ATTR_XOR_PEER_ADDRESS ||
      type == RTG_STUN_ATTR_XOR_RELAYED_ADDRESS) {
    /* RFC 8489 §14.2 */
    uint8_t mask[16];
    rtg_store_u32(mask, RTG_STUN_MAGIC);
    memcpy(mask + 4, b->tid, RTG_STUN_TID_LEN);
    port ^= (uint16_t)(RTG_STUN_MAGIC >> 16);
    for (size_t i = 0; i < alen; i++) v[4 + i] ^= mask[i];
  }
  rtg_store_u16(v + 2, port);
  return rtg_stun_builder_add(b, type, v, 4 + alen);
}

int rtg_stun_builder_add_error(struct rtg_stun_builder *b, uint16_t code, const char *reason,
                               size_t reason_len) {
  uint8_t *v;
  int rc;
  /* RFC 8489 §14.8: class 3..6, reason phrase at most 763 bytes */
  if (code < 300 || code > 699 || reason_len > 763 || (reason == NULL && reason_len))
    return fail(b, RTG_ERR_INVAL);
  rc = put_attr(b, RTG_STUN_ATTR_ERROR_CODE, 4 + reason_len, &v);
  if (rc) return rc;
  v[0] = 0;
  v[1] = 0;
  v[2] = (uint8_t)(code / 100);
  v[3] = (uint8_t)(code % 100);
  if (reason_len) memcpy(v + 4, reason, reason_len);
  return 0;
}

int rtg_stun_builder_add_integrity(struct rtg_stun_builder *b, struct rtg_stun_cred *cred) {
  size_t off = rtg_wr_len(&b->wr);
  uint8_t *v, mac[20];
  int rc = put_attr(b, RTG_STUN_ATTR_MESSAGE_INTEGRITY, 20, &v);
  if (rc) return rc;
  /* the length already counts this attribute: that is the fix-up */
  rc = rtg_stun__mac_prefix(cred, false, b->wr.base, off,
                            (uint16_t)(rtg_wr_len(&b->wr) - RTG_STUN_HDR_LEN), mac);
  if (rc) return fail(b, rc);
  memcpy(v, mac, 20);
  return 0;
}

int rtg_stun_builder_add_integrity_sha256(struct rtg_stun_builder *b, struct rtg_stun_cred *cred,
                                          size_t len) {
  size_t off = rtg_wr_len(&b->wr);
  uint8_t *v, mac[32];
  int rc;
  if (len < 16 || len > 32 || (len & 3)) return fail(b, RTG_ERR_INVAL);
  rc = put_attr(b, RTG_STUN_ATTR_MESSAGE_INTEGRITY_SHA256, len, &v);
  if (rc) return rc;
  rc = rtg_stun__mac_prefix(cred, true, b->wr.base, off,
                            (uint16_t)(rtg_wr_len(&b->wr) - RTG_STUN_HDR_LEN), mac);
  if (rc) return fail(b, rc);
  memcpy(v, mac, len);
  return 0;
}

int rtg_stun_builder_add_fingerprint(struct rtg_stun_builder *b) {
  size_t off = rtg_wr_len(&b->wr);
  uint8_t *v;
  int rc = put_attr(b, RTG_STUN_ATTR_FINGERPRINT, 4, &v);
  if (rc) return rc;
  rtg_store_u32(
      v, rtg_stun__fp_prefix(b->wr.base, off, (uint16_t)(rtg_wr_len(&b->wr) - RTG_STUN_HDR_LEN)));
  return 0;
}

ptrdiff_t rtg_stun_builder_finish(const struct rtg_stun_builder *b) {
  if (b->err) return b->err;
  return (ptrdiff_t)rtg_wr_len(&b->wr);
}

/* ---- TURN ChannelData ---------------------------------------------------- */

int rtg_turn_channel_parse(struct rtg_turn_channel *ch, const uint8_t *data, size_t len,
                           struct rtg_perr *perr) {
  struct rtg_rd rd;
  uint16_t number, dlen;
  memset(ch, 0, sizeof *ch);
  rtg_rd_init(&rd, data, len);
  if (rtg_rd_u16(&rd, &number) || rtg_rd_u16(&rd, &dlen))
    return rtg_perr_set(perr, 0, "turn.channel.header", "shorter than the 4-byte header",
                        "RFC 8656 §12.4");
  /* RFC 8656 §12: 0x4000..0x4FFF; 0x5000..0x7FFF are reserved (RFC 7983
   * gives them to TURN but no channel may use them). */
  if (number < 0x4000 || number > 0x4FFF)
    return rtg_perr_set(perr, 0, "turn.channel.number", "channel number is not 0x4000..0x4FFF",
                        "RFC 8656 §12");
  if (rtg_rd_bytes(&rd, dlen, &ch->data))
    return rtg_perr_set(perr, 2, "turn.channel.length", "data length runs past the datagram",
                        "RFC 8656 §12.4");
  /* Over UDP the padding is optional (RFC 8656 §12.5): either none, or
   * exactly up to the next multiple of 4 (a partial pad is no padding;
   * turn_channel fuzz finding: it could not be rebuilt). */
  if (rtg_rd_left(&rd) != 0 && rtg_rd_left(&rd) != ((4u - (dlen & 3u)) & 3u))
    return rtg_perr_set(perr, 4 + (size_t)dlen, "turn.channel.padding",
                        "bytes after the data are not the padding to a multiple of 4",
                        "RFC 8656 §12.5");
  ch->number = number;
  ch->padding = rtg_rd_left(&rd);
  return 0;
}

ptrdiff_t rtg_turn_channel_build(void *buf, size_t cap, uint16_t number, const void *data,
                                 size_t len, bool pad) {
  struct rtg_wr wr;
  size_t padlen = pad ? ((4u - (len & 3u)) & 3u) : 0;
  if (number < 0x4000 || number > 0x4FFF || len > 0xFFFF || (data == NULL && len))
    return RTG_ERR_INVAL;
  rtg_wr_init(&wr, buf, cap);
  if (rtg_wr_left(&wr) < 4 + len + padlen) return RTG_ERR_NOBUF;
  if (rtg_wr_u16(&wr, number) || rtg_wr_u16(&wr, (uint16_t)len) || rtg_wr_bytes(&wr, data, len) ||
      rtg_wr_zero(&wr, padlen))
    return RTG_ERR_NOBUF;
  return (ptrdiff_t)rtg_wr_len(&wr);
}
