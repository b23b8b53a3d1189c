/*
 * msg.c - STUN message parsing: header (RFC 8489 §5), attribute TLVs (§14),
 * order rules (§14.5-§14.7), value layouts of every known attribute
 * (RFC 8489 §14, RFC 8656 §18, RFC 8445 §16.1), legacy RFC 3489 detection.
 */
#include <string.h>

#include "rtg/stun.h"

#define REF5 "RFC 8489 §5"
#define REF14 "RFC 8489 §14"

/* What the codec knows about one attribute type: its RFC name, the perr
 * field, the section defining it and the value layout rule. */
enum vrule {
  V_ANY,    /* any length */
  V_FIXED,  /* exactly |a| bytes */
  V_MAX,    /* at most |a| bytes */
  V_ADDR,   /* family + port + 4/16 address bytes */
  V_ERROR,  /* ERROR-CODE */
  V_EVEN,   /* a multiple of 2 */
  V_MI256,  /* 16..32, multiple of 4 */
  V_PWALGS, /* list of algorithm entries */
  V_PWALG,  /* exactly one algorithm entry */
  V_FAMILY, /* 4 bytes, family 1 or 2 in the first */
};

struct ainfo {
  uint16_t type;
  const char *name;
  const char *field;
  const char *ref;
  enum vrule rule;
  uint16_t a;
  bool legacy_only; /* RFC 3489 attribute: unknown in an RFC 8489 message */
};

static const struct ainfo ainfo[] = {
    {0x0001, "MAPPED-ADDRESS", "stun.MAPPED-ADDRESS", "RFC 8489 §14.1", V_ADDR, 0, false},
    {0x0002, "RESPONSE-ADDRESS", "stun.RESPONSE-ADDRESS", "RFC 3489 §11.2.2", V_ADDR, 0, true},
    {0x0003, "CHANGE-REQUEST", "stun.CHANGE-REQUEST", "RFC 5780 §7.2", V_FIXED, 4, false},
    {0x0004, "SOURCE-ADDRESS", "stun.SOURCE-ADDRESS", "RFC 3489 §11.2.5", V_ADDR, 0, true},
    {0x0005, "CHANGED-ADDRESS", "stun.CHANGED-ADDRESS", "RFC 3489 §11.2.3", V_ADDR, 0, true},
    {0x0006, "USERNAME", "stun.USERNAME", "RFC 8489 §14.3", V_MAX, 508, false},
    {0x0007, "PASSWORD", "stun.PASSWORD", "RFC 3489 §11.2.7", V_ANY, 0, true},
    {0x0008, "MESSAGE-INTEGRITY", "stun.MESSAGE-INTEGRITY", "RFC 8489 §14.5", V_FIXED, 20, false},
    {0x0009, "ERROR-CODE", "stun.ERROR-CODE", "RFC 8489 §14.8", V_ERROR, 0, false},
    {0x000A, "UNKNOWN-ATTRIBUTES", "stun.UNKNOWN-ATTRIBUTES", "RFC 8489 §14.13", V_EVEN, 0, false},
    {0x000B, "REFLECTED-FROM", "stun.REFLECTED-FROM", "RFC 3489 §11.2.11", V_ADDR, 0, true},
    {0x000C, "CHANNEL-NUMBER", "stun.CHANNEL-NUMBER", "RFC 8656 §18.1", V_FIXED, 4, false},
    {0x000D, "LIFETIME", "stun.LIFETIME", "RFC 8656 §18.2", V_FIXED, 4, false},
    {0x0012, "XOR-PEER-ADDRESS", "stun.XOR-PEER-ADDRESS", "RFC 8656 §18.3", V_ADDR, 0, false},
    {0x0013, "DATA", "stun.DATA", "RFC 8656 §18.4", V_ANY, 0, false},
    {0x0014, "REALM", "stun.REALM", "RFC 8489 §14.9", V_MAX, 762, false},
    {0x0015, "NONCE", "stun.NONCE", "RFC 8489 §14.10", V_MAX, 762, false},
    {0x0016, "XOR-RELAYED-ADDRESS", "stun.XOR-RELAYED-ADDRESS", "RFC 8656 §18.5", V_ADDR, 0, false},
    {0x0017, "REQUESTED-ADDRESS-FAMILY", "stun.REQUESTED-ADDRESS-FAMILY", "RFC 8656 §18.6",
     V_FAMILY, 0, false},
    {0x0018, "EVEN-PORT", "stun.EVEN-PORT", "RFC 8656 §18.7", V_FIXED, 1, false},
    {0x0019, "REQUESTED-TRANSPORT", "stun.REQUESTED-TRANSPORT", "RFC 8656 §18.8", V_FIXED, 4,
     false},
    {0x001A, "DONT-FRAGMENT", "stun.DONT-FRAGMENT", "RFC 8656 §18.9", V_FIXED, 0, false},
    {0x001C, "MESSAGE-INTEGRITY-SHA256", "stun.MESSAGE-INTEGRITY-SHA256", "RFC 8489 §14.6", V_MI256,
     0, false},
    {0x001D, "PASSWORD-ALGORITHM", "stun.PASSWORD-ALGORITHM", "RFC 8489 §14.12", V_PWALG, 0, false},
    {0x001E, "USERHASH", "stun.USERHASH", "RFC 8489 §14.4", V_FIXED, 32, false},
    {0x0020, "XOR-MAPPED-ADDRESS", "stun.XOR-MAPPED-ADDRESS", "RFC 8489 §14.2", V_ADDR, 0, false},
    {0x0022, "RESERVATION-TOKEN", "stun.RESERVATION-TOKEN", "RFC 8656 §18.10", V_FIXED, 8, false},
    {0x0024, "PRIORITY", "stun.PRIORITY", "RFC 8445 §16.1", V_FIXED, 4, false},
    {0x0025, "USE-CANDIDATE", "stun.USE-CANDIDATE", "RFC 8445 §16.1", V_FIXED, 0, false},
    {0x8002, "PASSWORD-ALGORITHMS", "stun.PASSWORD-ALGORITHMS", "RFC 8489 §14.11", V_PWALGS, 0,
     false},
    {0x8003, "ALTERNATE-DOMAIN", "stun.ALTERNATE-DOMAIN", "RFC 8489 §14.16", V_MAX, 255, false},
    {0x8022, "SOFTWARE", "stun.SOFTWARE", "RFC 8489 §14.14", V_MAX, 762, false},
    {0x8023, "ALTERNATE-SERVER", "stun.ALTERNATE-SERVER", "RFC 8489 §14.15", V_ADDR, 0, false},
    {0x8028, "FINGERPRINT", "stun.FINGERPRINT", "RFC 8489 §14.7", V_FIXED, 4, false},
    {0x8029, "ICE-CONTROLLED", "stun.ICE-CONTROLLED", "RFC 8445 §16.1", V_FIXED, 8, false},
    {0x802A, "ICE-CONTROLLING", "stun.ICE-CONTROLLING", "RFC 8445 §16.1", V_FIXED, 8, false},
};

/* O(1) lookup: position + 1 in ainfo[] of types 0x0000..0x002F and
 * 0x8000..0x802F (every known type is in one of the two ranges). */
static const uint8_t idx_lo[0x30] = {
    [0x01] = 1,  [0x02] = 2,  [0x03] = 3,  [0x04] = 4,  [0x05] = 5,  [0x06] = 6,
    [0x07] = 7,  [0x08] = 8,  [0x09] = 9,  [0x0a] = 10, [0x0b] = 11, [0x0c] = 12,
    [0x0d] = 13, [0x12] = 14, [0x13] = 15, [0x14] = 16, [0x15] = 17, [0x16] = 18,
    [0x17] = 19, [0x18] = 20, [0x19] = 21, [0x1a] = 22, [0x1c] = 23, [0x1d] = 24,
    [0x1e] = 25, [0x20] = 26, [0x22] = 27, [0x24] = 28, [0x25] = 29};
/* the same without the RFC 3489-only types (unknown in an RFC 8489 message) */
static const uint8_t idx_lo_modern[0x30] = {
    [0x01] = 1,  [0x03] = 3,  [0x06] = 6,  [0x08] = 8,  [0x09] = 9,  [0x0a] = 10,
    [0x0c] = 12, [0x0d] = 13, [0x12] = 14, [0x13] = 15, [0x14] = 16, [0x15] = 17,
    [0x16] = 18, [0x17] = 19, [0x18] = 20, [0x19] = 21, [0x1a] = 22, [0x1c] = 23,
    [0x1d] = 24, [0x1e] = 25, [0x20] = 26, [0x22] = 27, [0x24] = 28, [0x25] = 29};
static const uint8_t idx_hi[0x30] = {
    [0x02] = 30, [0x03] = 31, [0x22] = 32, [0x23] = 33, [0x28] = 34, [0x29] = 35, [0x2a] = 36};

static const struct ainfo *ainfo_find(uint16_t type) {
  unsigned i;
  if (type < 0x30)
    i = idx_lo[type];
  else if (type >= 0x8000 && type < 0x8030)
    i = idx_hi[type - 0x8000];
  else
    return NULL;
  return i ? &ainfo[i - 1] : NULL;
}

/* In an RFC 8489 message (magic cookie) the RFC 3489-only types are
 * unknown ones. */
static const struct ainfo *ainfo_find_modern(uint16_t type) {
  unsigned i;
  if (type < 0x30)
    i = idx_lo_modern[type];
  else if (type >= 0x8000 && type < 0x8030)
    i = idx_hi[type - 0x8000];
  else
    return NULL;
  return i ? &ainfo[i - 1] : NULL;
}

const char *rtg_stun_attr_name(uint16_t type) {
  const struct ainfo *ai = ainfo_find(type);
  return ai ? ai->name : NULL;
}

const char *rtg_stun_method_name(uint16_t method) {
  switch (method) {
    case RTG_STUN_BINDING: return "Binding";
    case RTG_STUN_ALLOCATE: return "Allocate";
    case RTG_STUN_REFRESH: return "Refresh";
    case RTG_STUN_SEND: return "Send";
    case RTG_STUN_DATA: return "Data";
    case RTG_STUN_CREATE_PERMISSION: return "CreatePermission";
    case RTG_STUN_CHANNEL_BIND: return "ChannelBind";
    default: return NULL;
  }
}

const char *rtg_stun_class_name(uint8_t cls) {
  switch (cls) {
    case RTG_STUN_REQUEST: return "request";
    case RTG_STUN_INDICATION: return "indication";
    case RTG_STUN_SUCCESS: return "success";
    case RTG_STUN_ERROR: return "error";
    default: return "invalid";
  }
}

enum rtg_stun_kind rtg_stun_classify(const uint8_t *data, size_t len) {
  if (len < 4) return RTG_STUN_KIND_OTHER;
  /* RFC 7983 §7: 0..3 STUN, 64..79 TURN ChannelData. */
  if (data[0] >= 64 && data[0] <= 79) return RTG_STUN_KIND_CHANNEL;
  if (data[0] > 3 || len < RTG_STUN_HDR_LEN) return RTG_STUN_KIND_OTHER;
  if ((rtg_load_u16(data + 2) & 3) != 0) return RTG_STUN_KIND_OTHER;
  if (rtg_load_u32(data + 4) == RTG_STUN_MAGIC) return RTG_STUN_KIND_STUN;
  return RTG_STUN_KIND_STUN_LEGACY;
}

/* ---- attribute value decoders ------------------------------------------ */

static bool is_xor_addr(uint16_t type) {
  return type == RTG_STUN_ATTR_XOR_MAPPED_ADDRESS || type == RTG_STUN_ATTR_XOR_PEER_ADDRESS ||
         type == RTG_STUN_ATTR_XOR_RELAYED_ADDRESS;
}

/*    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 (X-)Address (32 bits or 128 bits)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                      RFC 8489 §14.1 / §14.2 */
static int addr_decode(const struct ainfo *ai, const struct rtg_stun_msg *msg,
                       const struct rtg_stun_attr *a, struct rtg_stun_addr *out,
                       struct rtg_perr *perr) {
  uint8_t family;
  size_t alen;
  memset(out, 0, sizeof *out);
  if (a->len < 4)
    return rtg_perr_set(perr, a->offset + 2, ai->field, "address attribute shorter than 4 bytes",
                        ai->ref);
  /* The first byte is reserved: set to 0 by senders, ignored by receivers. */
  family = a->value[1];
  if (family == 1)
    alen = 4;
  else if (family == 2)
    alen = 16;
  else
    return rtg_perr_set(perr, a->offset + 5, ai->field, "address family is neither 1 nor 2",
                        ai->ref);
  if (a->len != 4 + alen)
    return rtg_perr_set(perr, a->offset + 2, ai->field,
                        "length does not match the address family (8 for IPv4, 20 for IPv6)",
                        ai->ref);
  out->family = family;
  out->port = rtg_load_u16(a->value + 2);
  memcpy(out->addr, a->value + 4, alen);
  if (is_xor_addr(a->type) && msg != NULL) {
    /* X-Port: XOR with the cookie's top 16 bits; X-Address: with the cookie
     * then (IPv6) the transaction ID. */
    uint8_t mask[16];
    rtg_store_u32(mask, RTG_STUN_MAGIC);
    memcpy(mask + 4, msg->tid, RTG_STUN_TID_LEN);
    out->port ^= (uint16_t)(RTG_STUN_MAGIC >> 16);
    for (size_t i = 0; i < alen; i++) out->addr[i] ^= mask[i];
  }
  return 0;
}

static int error_decode(const struct ainfo *ai, const struct rtg_stun_attr *a, uint16_t *code,
                        struct rtg_slice *reason, struct rtg_perr *perr) {
  /*  |           Reserved, should be 0         |Class|     Number    |
   *  |      Reason Phrase (variable)                                ..
   *  RFC 8489 §14.8: class 3..6, number 0..99, reason < 128 characters
   *  (at most 763 bytes). */
  uint8_t cls, num;
  if (a->len < 4)
    return rtg_perr_set(perr, a->offset + 2, ai->field, "ERROR-CODE shorter than 4 bytes", ai->ref);
  cls = a->value[2] & 7;
  num = a->value[3];
  if (cls < 3 || cls > 6)
    return rtg_perr_set(perr, a->offset + 6, ai->field, "error class is not 3..6", ai->ref);
  if (num > 99)
    return rtg_perr_set(perr, a->offset + 7, ai->field, "error number is not 0..99", ai->ref);
  if (a->len - 4 > 763)
    return rtg_perr_set(perr, a->offset + 2, ai->field, "reason phrase longer than 763 bytes",
                        ai->ref);
  *code = (uint16_t)(cls * 100 + num);
  reason->p = a->value + 4;
  reason->len = (size_t)a->len - 4;
  return 0;
}

/* Walks PASSWORD-ALGORITHM(S) entries:
 *  |          Algorithm           |  Algorithm Parameters Length   |
 *  |                    Algorithm Parameters (variable, padded)   ...
 * Returns the number of entries in |*n|, entry |want| in |out|. */
static int pwalg_walk(const struct ainfo *ai, const struct rtg_stun_attr *a, size_t want,
                      struct rtg_stun_pwalg_entry *out, size_t *n, struct rtg_perr *perr) {
  struct rtg_rd rd;
  size_t count = 0;
  rtg_rd_init(&rd, a->value, a->len);
  while (!rtg_rd_empty(&rd)) {
    uint16_t alg, plen;
    struct rtg_slice params;
    size_t at = a->offset + 4 + rtg_rd_offset(&rd);
    if (rtg_rd_u16(&rd, &alg) || rtg_rd_u16(&rd, &plen))
      return rtg_perr_set(perr, at, ai->field, "algorithm entry shorter than 4 bytes", ai->ref);
    if (rtg_rd_bytes(&rd, plen, &params))
      return rtg_perr_set(perr, at + 2, ai->field, "algorithm parameters overrun the attribute",
                          ai->ref);
    /* parameters are padded to 4 bytes; the last entry's padding is the
     * attribute's own padding, so it may be missing here */
    if ((plen & 3) && rtg_rd_skip(&rd, 4u - (plen & 3u)) && !rtg_rd_empty(&rd))
      return rtg_perr_set(perr, at + 2, ai->field, "algorithm parameters padding overruns",
                          ai->ref);
    if (count == want && out != NULL) {
      out->alg = alg;
      out->params = params;
    }
    count++;
  }
  *n = count;
  return 0;
}

static int value_check(const struct ainfo *ai, const struct rtg_stun_msg *msg,
                       const struct rtg_stun_attr *a, struct rtg_perr *perr) {
  switch (ai->rule) {
    case V_ANY: return 0;
    case V_FIXED:
      if (a->len != ai->a)
        return rtg_perr_set(perr, a->offset + 2, ai->field, "wrong attribute length", ai->ref);
      return 0;
    case V_MAX:
      if (a->len > ai->a)
        return rtg_perr_set(perr, a->offset + 2, ai->field, "value longer than allowed", ai->ref);
      return 0;
    case V_ADDR: {
      struct rtg_stun_addr ad;
      return addr_decode(ai, msg, a, &ad, perr);
    }
    case V_ERROR: {
      uint16_t code;
      struct rtg_slice r;
      return error_decode(ai, a, &code, &r, perr);
    }
    case V_EVEN:
      if (a->len & 1)
        return rtg_perr_set(perr, a->offset + 2, ai->field, "length is not a multiple of 2",
                            ai->ref);
      return 0;
    case V_MI256:
      if (a->len < 16 || a->len > 32 || (a->len & 3))
        return rtg_perr_set(perr, a->offset + 2, ai->field,
                            "length is not 16..32 and a multiple of 4", ai->ref);
      return 0;
    case V_PWALGS: {
      size_t n;
      if (a->len == 0)
        return rtg_perr_set(perr, a->offset + 2, ai->field, "empty algorithm list", ai->ref);
      return pwalg_walk(ai, a, 0, NULL, &n, perr);
    }
    case V_PWALG: {
      size_t n;
      int rc = pwalg_walk(ai, a, 0, NULL, &n, perr);
      if (rc) return rc;
      if (n != 1)
        return rtg_perr_set(perr, a->offset + 2, ai->field, "not exactly one algorithm", ai->ref);
      return 0;
    }
    case V_FAMILY:
      if (a->len != 4)
        return rtg_perr_set(perr, a->offset + 2, ai->field, "wrong attribute length", ai->ref);
      if (a->value[0] != 1 && a->value[0] != 2)
        return rtg_perr_set(perr, a->offset + 4, ai->field, "family is neither 1 nor 2", ai->ref);
      return 0;
    default: return 0;
  }
}

/* ---- the message -------------------------------------------------------- */

int rtg_stun_msg_parse(struct rtg_stun_msg *msg, const uint8_t *data, size_t len,
                       struct rtg_perr *perr) {
  struct rtg_rd rd, body;
  uint16_t type, mlen;
  bool seen_mi = false, seen_mi256 = false, seen_fp = false;
  /* field by field rather than memset: on a 100-byte message the
   * string-instruction start-up cost of clearing the whole struct showed
   * in `rtcgate bench stun`; unknown[] is only read below nunknown */
  msg->raw = NULL;
  msg->len = 0;
  msg->type = msg->method = 0;
  msg->cls = 0;
  msg->legacy = false;
  msg->cookie = 0;
  msg->nattrs = msg->mi_off = msg->mi256_off = msg->fp_off = msg->nunknown = 0;
  msg->mi256_len = 0;
  rtg_rd_init(&rd, data, len);
  if (rtg_rd_u16(&rd, &type) || rtg_rd_u16(&rd, &mlen) || rtg_rd_u32(&rd, &msg->cookie) ||
      rtg_rd_copy(&rd, msg->tid, RTG_STUN_TID_LEN))
    return rtg_perr_set(perr, 0, "stun.header", "shorter than the 20-byte STUN header", REF5);
  if (type & 0xC000)
    return rtg_perr_set(perr, 0, "stun.type", "the two most significant bits are not zero", REF5);
  if (mlen & 3)
    return rtg_perr_set(perr, 2, "stun.length", "message length is not a multiple of 4", REF5);
  if (rtg_rd_sub(&rd, mlen, &body))
    return rtg_perr_set(perr, 2, "stun.length", "message length runs past the datagram", REF5);
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, 2, "stun.length", "datagram has bytes after the message", REF5);
  msg->raw = data;
  msg->len = RTG_STUN_HDR_LEN + (size_t)mlen;
  msg->type = type;
  /* M11..M7 C1 M6..M4 C0 M3..M0 (RFC 8489 §5) */
  msg->method = (uint16_t)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
  msg->cls = (uint8_t)(((type >> 4) & 1) | ((type >> 7) & 2));
  msg->legacy = msg->cookie != RTG_STUN_MAGIC;

  while (!rtg_rd_empty(&body)) {
    struct rtg_stun_attr a;
    const struct ainfo *ai;
    size_t padded;
    int rc;
    uint32_t tl;
    a.offset = rtg_rd_offset(&body);
    /* the body is a multiple of 4, so a 4-byte header always fits */
    if (rtg_rd_u32(&body, &tl))
      return rtg_perr_set(perr, a.offset, "stun.attr", "attribute header truncated", REF14);
    a.type = (uint16_t)(tl >> 16);
    a.len = (uint16_t)tl;
    padded = ((size_t)a.len + 3u) & ~(size_t)3u;
    if (padded > rtg_rd_left(&body))
      return rtg_perr_set(perr, a.offset + 2, "stun.attr.length", "attribute overruns message",
                          REF14);
    a.value = body.p;
    if (rtg_rd_skip(&body, padded))
      return rtg_perr_set(perr, a.offset + 2, "stun.attr.length", "attribute overruns message",
                          REF14);
    /* Order rules: RFC 8489 §14.7 (FINGERPRINT is last), §14.6 (only
     * FINGERPRINT after MESSAGE-INTEGRITY-SHA256), §14.5 (only
     * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT after MESSAGE-INTEGRITY). */
    if (seen_fp)
      return rtg_perr_set(perr, a.offset, "stun.attr.order", "attribute after FINGERPRINT",
                          "RFC 8489 §14.7");
    if (seen_mi256 && a.type != RTG_STUN_ATTR_FINGERPRINT)
      return rtg_perr_set(perr, a.offset, "stun.attr.order",
                          "attribute other than FINGERPRINT after MESSAGE-INTEGRITY-SHA256",
                          "RFC 8489 §14.6");
    if (seen_mi && a.type != RTG_STUN_ATTR_FINGERPRINT &&
        a.type != RTG_STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
      return rtg_perr_set(perr, a.offset, "stun.attr.order",
                          "attribute other than MESSAGE-INTEGRITY-SHA256 or FINGERPRINT after "
                          "MESSAGE-INTEGRITY",
                          "RFC 8489 §14.5");
    ai = msg->legacy ? ainfo_find(a.type) : ainfo_find_modern(a.type);
    if (ai == NULL) {
      if (a.type < 0x8000) {
        if (msg->nunknown < RTG_STUN_MAX_UNKNOWN) msg->unknown[msg->nunknown] = a.type;
        msg->nunknown++;
      }
    } else if (ai->rule == V_FIXED) {
      /* the common case (PRIORITY, ICE-CONTROLL*, MESSAGE-INTEGRITY,
       * FINGERPRINT...): a direct test instead of the dispatch */
      if (a.len != ai->a)
        return rtg_perr_set(perr, a.offset + 2, ai->field, "wrong attribute length", ai->ref);
    } else {
      rc = value_check(ai, msg, &a, perr);
      if (rc) return rc;
    }
    switch (a.type) {
      case RTG_STUN_ATTR_MESSAGE_INTEGRITY:
        seen_mi = true;
        msg->mi_off = a.offset;
        break;
      case RTG_STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
        seen_mi256 = true;
        msg->mi256_off = a.offset;
        msg->mi256_len = a.len;
        break;
      case RTG_STUN_ATTR_FINGERPRINT:
        seen_fp = true;
        msg->fp_off = a.offset;
        break;
      default: break;
    }
    msg->nattrs++;
  }
  return 0;
}

bool rtg_stun_msg_attr_next(const struct rtg_stun_msg *msg, size_t *pos,
                            struct rtg_stun_attr *attr) {
  size_t off = *pos < RTG_STUN_HDR_LEN ? RTG_STUN_HDR_LEN : *pos;
  size_t padded;
  /* |msg| was accepted by rtg_stun_msg_parse, but stay bounded anyway */
  if (msg->raw == NULL || off + 4 > msg->len) return false;
  attr->type = rtg_load_u16(msg->raw + off);
  attr->len = rtg_load_u16(msg->raw + off + 2);
  padded = ((size_t)attr->len + 3u) & ~(size_t)3u;
  if (padded > msg->len - off - 4) return false;
  attr->value = msg->raw + off + 4;
  attr->offset = off;
  *pos = off + 4 + padded;
  return true;
}

int rtg_stun_msg_find(const struct rtg_stun_msg *msg, uint16_t type, struct rtg_stun_attr *attr) {
  size_t pos = 0;
  while (rtg_stun_msg_attr_next(msg, &pos, attr))
    if (attr->type == type) return 0;
  return RTG_ERR_NOTFOUND;
}

/* The public decoders check the type, then share the value checks. */
static const struct ainfo *typed(const struct rtg_stun_attr *a, enum vrule r1, enum vrule r2) {
  const struct ainfo *ai = ainfo_find(a->type);
  if (ai == NULL || (ai->rule != r1 && ai->rule != r2)) return NULL;
  return ai;
}

int rtg_stun_attr_addr(const struct rtg_stun_msg *msg, const struct rtg_stun_attr *attr,
                       struct rtg_stun_addr *out, struct rtg_perr *perr) {
  const struct ainfo *ai = typed(attr, V_ADDR, V_ADDR);
  if (ai == NULL) return RTG_ERR_INVAL;
  /* RFC 3489 address attributes are unknown ones in an RFC 8489 message:
   * parse did not check them, so do not decode them either (fuzz finding) */
  if (ai->legacy_only && (msg == NULL || !msg->legacy)) return RTG_ERR_INVAL;
  return addr_decode(ai, msg, attr, out, perr);
}

int rtg_stun_attr_error_code(const struct rtg_stun_attr *attr, uint16_t *code,
                             struct rtg_slice *reason, struct rtg_perr *perr) {
  const struct ainfo *ai = typed(attr, V_ERROR, V_ERROR);
  if (ai == NULL) return RTG_ERR_INVAL;
  return error_decode(ai, attr, code, reason, perr);
}

int rtg_stun_attr_u32(const struct rtg_stun_attr *attr, uint32_t *v, struct rtg_perr *perr) {
  const struct ainfo *ai = typed(attr, V_FIXED, V_FAMILY);
  int rc;
  if (ai == NULL || (ai->rule == V_FIXED && ai->a != 4)) return RTG_ERR_INVAL;
  rc = value_check(ai, NULL, attr, perr);
  if (rc) return rc;
  *v = rtg_load_u32(attr->value);
  return 0;
}

int rtg_stun_attr_u64(const struct rtg_stun_attr *attr, uint64_t *v, struct rtg_perr *perr) {
  const struct ainfo *ai = typed(attr, V_FIXED, V_FIXED);
  int rc;
  if (ai == NULL || ai->a != 8) return RTG_ERR_INVAL;
  rc = value_check(ai, NULL, attr, perr);
  if (rc) return rc;
  *v = rtg_load_u64(attr->value);
  return 0;
}

int rtg_stun_attr_even_port(const struct rtg_stun_attr *attr, bool *reserve,
                            struct rtg_perr *perr) {
  const struct ainfo *ai;
  int rc;
  if (attr->type != RTG_STUN_ATTR_EVEN_PORT) return RTG_ERR_INVAL;
  ai = ainfo_find(attr->type);
  rc = value_check(ai, NULL, attr, perr);
  if (rc) return rc;
  *reserve = (attr->value[0] & 0x80) != 0;
  return 0;
}

int rtg_stun_attr_unknown_list(const struct rtg_stun_attr *attr, size_t i, uint16_t *type,
                               struct rtg_perr *perr) {
  const struct ainfo *ai = typed(attr, V_EVEN, V_EVEN);
  int rc;
  if (ai == NULL) return RTG_ERR_INVAL;
  rc = value_check(ai, NULL, attr, perr);
  if (rc) return rc;
  if (i >= (size_t)attr->len / 2) return RTG_ERR_NOTFOUND;
  *type = rtg_load_u16(attr->value + 2 * i);
  return 0;
}

int rtg_stun_attr_pwalg(const struct rtg_stun_attr *attr, size_t i,
                        struct rtg_stun_pwalg_entry *out, struct rtg_perr *perr) {
  const struct ainfo *ai = typed(attr, V_PWALGS, V_PWALG);
  size_t n;
  int rc;
  if (ai == NULL) return RTG_ERR_INVAL;
  rc = value_check(ai, NULL, attr, perr);
  if (rc) return rc;
  rc = pwalg_walk(ai, attr, i, out, &n, perr);
  if (rc) return rc;
  return i < n ? 0 : RTG_ERR_NOTFOUND;
}
