/*
 * dcep.c - the Data Channel Establishment Protocol (RFC 8832 §5).
 *
 *   RFC 8832 §5.1 DATA_CHANNEL_OPEN:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Message Type |  Channel Type |            Priority           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Reliability Parameter                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Label Length          |       Protocol Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   \                 Label, then Protocol                          \
 */
#include <string.h>

#include "rtg/sctp.h"

/* RFC 3629 §4 well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * Returns the offset of the first bad byte, or |len| when all is good. */
static size_t utf8_check(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    size_t n;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (len - i <= n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k <= n; k++)
      if ((s[i + k] & 0xc0) != 0x80) return i;
    i += n + 1;
  }
  return len;
}

static bool known_channel_type(uint8_t t) {
  switch (t) {
    case RTG_DCEP_RELIABLE:
    case RTG_DCEP_RELIABLE_UNORDERED:
    case RTG_DCEP_PARTIAL_REXMIT:
    case RTG_DCEP_PARTIAL_REXMIT_UNORDERED:
    case RTG_DCEP_PARTIAL_TIMED:
    case RTG_DCEP_PARTIAL_TIMED_UNORDERED: return true;
    default: return false;
  }
}

int rtg_dcep_parse(const uint8_t *data, size_t len, struct rtg_dcep_msg *msg,
                   struct rtg_perr *perr) {
  struct rtg_rd rd;
  uint16_t llen, plen;
  size_t bad;
  memset(msg, 0, sizeof *msg);
  rtg_rd_init(&rd, data, len);
  if (rtg_rd_u8(&rd, &msg->type))
    return rtg_perr_set(perr, 0, "dcep.type", "empty message", "RFC 8832 §5");
  switch (msg->type) {
    case RTG_DCEP_ACK:
      /* §5.2: the ACK is the message type alone. */
      if (!rtg_rd_empty(&rd))
        return rtg_perr_set(perr, 1, "dcep.ack.length", "trailing bytes after DATA_CHANNEL_ACK",
                            "RFC 8832 §5.2");
      return 0;
    case RTG_DCEP_OPEN: break;
    default: return rtg_perr_set(perr, 0, "dcep.type", "unknown message type", "RFC 8832 §8.2.1");
  }
  if (rtg_rd_u8(&rd, &msg->open.channel_type) || rtg_rd_u16(&rd, &msg->open.priority) ||
      rtg_rd_u32(&rd, &msg->open.reliability) || rtg_rd_u16(&rd, &llen) || rtg_rd_u16(&rd, &plen))
    return rtg_perr_set(perr, 1, "dcep.open.length", "shorter than the 12-byte fixed part",
                        "RFC 8832 §5.1");
  if (!known_channel_type(msg->open.channel_type))
    return rtg_perr_set(perr, 1, "dcep.open.channel_type", "unknown channel type",
                        "RFC 8832 §8.2.2");
  if (rtg_rd_bytes(&rd, llen, &msg->open.label))
    return rtg_perr_set(perr, 8, "dcep.open.label_length", "label overruns message",
                        "RFC 8832 §5.1");
  if (rtg_rd_bytes(&rd, plen, &msg->open.protocol))
    return rtg_perr_set(perr, 10, "dcep.open.protocol_length", "protocol overruns message",
                        "RFC 8832 §5.1");
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dcep.open.length",
                        "trailing bytes after label and protocol", "RFC 8832 §5.1");
  if ((bad = utf8_check(msg->open.label.p, llen)) != llen)
    return rtg_perr_set(perr, 12 + bad, "dcep.open.label", "label is not UTF-8", "RFC 8832 §5.1");
  if ((bad = utf8_check(msg->open.protocol.p, plen)) != plen)
    return rtg_perr_set(perr, 12 + (size_t)llen + bad, "dcep.open.protocol",
                        "protocol is not UTF-8", "RFC 8832 §5.1");
  return 0;
}

ptrdiff_t rtg_dcep_open_write(uint8_t *buf, size_t cap, const struct rtg_dcep_open *o) {
  struct rtg_wr wr;
  if (o->label.len > 0xffff || o->protocol.len > 0xffff || !known_channel_type(o->channel_type))
    return RTG_ERR_INVAL;
  rtg_wr_init(&wr, buf, cap);
  if (rtg_wr_u8(&wr, RTG_DCEP_OPEN) || rtg_wr_u8(&wr, o->channel_type) ||
      rtg_wr_u16(&wr, o->priority) || rtg_wr_u32(&wr, o->reliability) ||
      rtg_wr_u16(&wr, (uint16_t)o->label.len) || rtg_wr_u16(&wr, (uint16_t)o->protocol.len) ||
      rtg_wr_bytes(&wr, o->label.p, o->label.len) ||
      rtg_wr_bytes(&wr, o->protocol.p, o->protocol.len))
    return RTG_ERR_NOBUF;
  return (ptrdiff_t)rtg_wr_len(&wr);
}

ptrdiff_t rtg_dcep_ack_write(uint8_t *buf, size_t cap) {
  if (cap < 1) return RTG_ERR_NOBUF;
  buf[0] = RTG_DCEP_ACK;
  return 1;
}
