/*
 * rtp.c - RTP header codec (RFC 3550 §5.1), RFC 8285 header extensions and
 * typed accessors for the extensions browsers send, and the RFC 3550 A.1
 * stream-state object.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers             |
 */
#include <string.h>

#include "rtg/rtp.h"

#define REF_RTP "RFC 3550 §5.1"
#define REF_EXT "RFC 8285 §4"

/* RFC 8285 §4.2 one-byte form: ID (4 bits), L (4 bits, length - 1); ID 0 is
 * a padding byte, ID 15 stops processing. §4.3 two-byte form: ID (8 bits),
 * length (8 bits); ID 0 is a padding byte. */
static int parse_ext_elements(struct rtg_rtp_hdr *h, struct rtg_rd *rd, bool two_byte,
                              struct rtg_perr *perr) {
  while (!rtg_rd_empty(rd)) {
    size_t off = rtg_rd_offset(rd);
    uint8_t b0, id, len;
    struct rtg_slice data;
    if (rtg_rd_u8(rd, &b0)) return rtg_perr_set(perr, off, "rtp.ext.id", "truncated", REF_EXT);
    if (b0 == 0) continue; /* padding */
    if (two_byte) {
      id = b0;
      if (rtg_rd_u8(rd, &len))
        return rtg_perr_set(perr, off + 1, "rtp.ext.length", "missing length byte", REF_EXT);
    } else {
      id = (uint8_t)(b0 >> 4);
      len = (uint8_t)((b0 & 0x0f) + 1);
      if (id == 0)
        return rtg_perr_set(perr, off, "rtp.ext.id", "id 0 with non-zero length", REF_EXT);
      if (id == 15) break; /* §4.2: reserved, stop processing */
    }
    if (rtg_rd_bytes(rd, len, &data))
      return rtg_perr_set(perr, off, "rtp.ext.length", "element overruns extension", REF_EXT);
    if (h->n_ext == RTG_RTP_MAX_EXT)
      return rtg_perr_set(perr, off, "rtp.ext", "too many extension elements", REF_EXT);
    h->ext[h->n_ext].id = id;
    h->ext[h->n_ext].len = len;
    h->ext[h->n_ext].data = data.p;
    h->n_ext++;
  }
  return 0;
}

int rtg_rtp_parse(struct rtg_rtp_hdr *h, const uint8_t *data, size_t len, struct rtg_perr *perr) {
  struct rtg_rd rd;
  uint8_t b0, b1;
  size_t end;
  memset(h, 0, sizeof *h);
  rtg_rd_init(&rd, data, len);
  if (len < 12) return rtg_perr_set(perr, 0, "rtp.header", "shorter than 12 bytes", REF_RTP);
  if (rtg_rd_u8(&rd, &b0) || rtg_rd_u8(&rd, &b1) || rtg_rd_u16(&rd, &h->seq) ||
      rtg_rd_u32(&rd, &h->ts) || rtg_rd_u32(&rd, &h->ssrc))
    return rtg_perr_set(perr, 0, "rtp.header", "truncated", REF_RTP);
  h->version = (uint8_t)(b0 >> 6);
  if (h->version != 2) return rtg_perr_set(perr, 0, "rtp.version", "version is not 2", REF_RTP);
  h->padding = (b0 & 0x20) != 0;
  h->extension = (b0 & 0x10) != 0;
  h->cc = b0 & 0x0f;
  h->marker = (b1 & 0x80) != 0;
  h->pt = b1 & 0x7f;
  for (uint8_t i = 0; i < h->cc; i++)
    if (rtg_rd_u32(&rd, &h->csrc[i]))
      return rtg_perr_set(perr, rtg_rd_offset(&rd), "rtp.csrc", "CSRC list overruns packet",
                          REF_RTP);
  if (h->extension) {
    uint16_t words;
    struct rtg_rd sub;
    size_t off = rtg_rd_offset(&rd);
    if (rtg_rd_u16(&rd, &h->ext_profile) || rtg_rd_u16(&rd, &words)) {
      rd.p = data + off;
      return rtg_perr_set(perr, off, "rtp.ext.header", "extension header truncated",
                          "RFC 3550 §5.3.1");
    }
    if (rtg_rd_sub(&rd, (size_t)words * 4, &sub))
      return rtg_perr_set(perr, off + 2, "rtp.ext.length", "extension overruns packet",
                          "RFC 3550 §5.3.1");
    h->ext_body.p = sub.p;
    h->ext_body.len = rtg_rd_left(&sub);
    if (h->ext_profile == RTG_RTP_EXT_ONE_BYTE) {
      if (parse_ext_elements(h, &sub, false, perr)) return RTG_ERR_PARSE;
    } else if ((h->ext_profile & 0xfff0u) == RTG_RTP_EXT_TWO_BYTE) {
      if (parse_ext_elements(h, &sub, true, perr)) return RTG_ERR_PARSE;
    }
  }
  h->header_len = rtg_rd_offset(&rd);
  end = len;
  if (h->padding) {
    /* §5.1: the last octet counts the padding, itself included. */
    h->pad_len = data[len - 1];
    if (h->pad_len == 0)
      return rtg_perr_set(perr, len - 1, "rtp.padding", "padding count is zero", REF_RTP);
    if (h->pad_len > len - h->header_len)
      return rtg_perr_set(perr, len - 1, "rtp.padding", "padding exceeds payload", REF_RTP);
    end = len - h->pad_len;
  }
  h->payload.p = data + h->header_len;
  h->payload.len = end - h->header_len;
  return 0;
}

static bool ext_one_byte_ok(const struct rtg_rtp_hdr *h) {
  for (size_t i = 0; i < h->n_ext; i++)
    if (h->ext[i].id < 1 || h->ext[i].id > 14 || h->ext[i].len < 1 || h->ext[i].len > 16)
      return false;
  return true;
}

ptrdiff_t rtg_rtp_write(const struct rtg_rtp_hdr *h, const void *payload, size_t payload_len,
                        uint8_t *buf, size_t cap) {
  struct rtg_wr wr;
  int r = 0;
  if (h->cc > RTG_RTP_MAX_CSRC || h->n_ext > RTG_RTP_MAX_EXT) return RTG_ERR_INVAL;
  if (h->padding && h->pad_len == 0) return RTG_ERR_INVAL;
  rtg_wr_init(&wr, buf, cap);
  r |=
      rtg_wr_u8(&wr, (uint8_t)(0x80 | (h->padding ? 0x20 : 0) | (h->extension ? 0x10 : 0) | h->cc));
  r |= rtg_wr_u8(&wr, (uint8_t)((h->marker ? 0x80 : 0) | (h->pt & 0x7f)));
  r |= rtg_wr_u16(&wr, h->seq);
  r |= rtg_wr_u32(&wr, h->ts);
  r |= rtg_wr_u32(&wr, h->ssrc);
  for (uint8_t i = 0; i < h->cc; i++) r |= rtg_wr_u32(&wr, h->csrc[i]);
  if (r) return RTG_ERR_NOBUF;
  if (h->extension) {
    size_t mark, start;
    if (h->n_ext == 0) {
      if (h->ext_body.len % 4 || h->ext_body.len / 4 > 0xffff) return RTG_ERR_INVAL;
      r |= rtg_wr_u16(&wr, h->ext_profile);
      r |= rtg_wr_u16(&wr, (uint16_t)(h->ext_body.len / 4));
      if (h->ext_body.len) r |= rtg_wr_bytes(&wr, h->ext_body.p, h->ext_body.len);
    } else {
      bool one = ext_one_byte_ok(h);
      r |= rtg_wr_u16(&wr, one ? (uint16_t)RTG_RTP_EXT_ONE_BYTE : (uint16_t)RTG_RTP_EXT_TWO_BYTE);
      r |= rtg_wr_reserve(&wr, 2, &mark);
      start = rtg_wr_len(&wr);
      for (size_t i = 0; i < h->n_ext && !r; i++) {
        if (h->ext[i].id == 0) return RTG_ERR_INVAL;
        if (one) {
          r |= rtg_wr_u8(&wr, (uint8_t)((h->ext[i].id << 4) | (h->ext[i].len - 1)));
        } else {
          r |= rtg_wr_u8(&wr, h->ext[i].id);
          r |= rtg_wr_u8(&wr, h->ext[i].len);
        }
        if (h->ext[i].len) r |= rtg_wr_bytes(&wr, h->ext[i].data, h->ext[i].len);
      }
      while (!r && (rtg_wr_len(&wr) - start) % 4) r |= rtg_wr_u8(&wr, 0);
      if (r) return RTG_ERR_NOBUF;
      if ((rtg_wr_len(&wr) - start) / 4 > 0xffff) return RTG_ERR_INVAL;
      r |= rtg_wr_patch_u16(&wr, mark, (uint16_t)((rtg_wr_len(&wr) - start) / 4));
    }
    if (r) return RTG_ERR_NOBUF;
  }
  if (payload_len && rtg_wr_bytes(&wr, payload, payload_len)) return RTG_ERR_NOBUF;
  if (h->padding) {
    if (rtg_wr_zero(&wr, (size_t)h->pad_len - 1) || rtg_wr_u8(&wr, h->pad_len))
      return RTG_ERR_NOBUF;
  }
  return (ptrdiff_t)rtg_wr_len(&wr);
}

const struct rtg_rtp_ext *rtg_rtp_ext_find(const struct rtg_rtp_hdr *h, uint8_t id) {
  for (size_t i = 0; i < h->n_ext; i++)
    if (h->ext[i].id == id) return &h->ext[i];
  return NULL;
}

static int ext_sized(const struct rtg_rtp_hdr *h, uint8_t id, size_t want,
                     const struct rtg_rtp_ext **e) {
  *e = rtg_rtp_ext_find(h, id);
  if (*e == NULL) return RTG_ERR_NOTFOUND;
  if ((*e)->len != want) return RTG_ERR_PARSE;
  return 0;
}

static int ext_string(const struct rtg_rtp_hdr *h, uint8_t id, char *out, size_t cap, bool alnum) {
  const struct rtg_rtp_ext *e = rtg_rtp_ext_find(h, id);
  if (e == NULL) return RTG_ERR_NOTFOUND;
  if (e->len == 0 || (size_t)e->len + 1 > cap) return RTG_ERR_PARSE;
  for (uint8_t i = 0; i < e->len; i++) {
    uint8_t c = e->data[i];
    /* RFC 8852 §3.1 rid-syntax: alpha-numeric only; a MID (RFC 8843) is a
     * token, so printable ASCII without spaces. */
    bool ok = alnum ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                    : (c > 0x20 && c < 0x7f);
    if (!ok) return RTG_ERR_PARSE;
    out[i] = (char)c;
  }
  out[e->len] = '\0';
  return 0;
}

int rtg_rtp_ext_mid(const struct rtg_rtp_hdr *h, uint8_t id, char *out, size_t cap) {
  return ext_string(h, id, out, cap, false);
}

int rtg_rtp_ext_rid(const struct rtg_rtp_hdr *h, uint8_t id, char *out, size_t cap) {
  return ext_string(h, id, out, cap, true);
}

int rtg_rtp_ext_abs_send_time(const struct rtg_rtp_hdr *h, uint8_t id, uint32_t *v) {
  const struct rtg_rtp_ext *e;
  int r = ext_sized(h, id, 3, &e);
  if (r) return r;
  *v = rtg_load_u24(e->data);
  return 0;
}

int rtg_rtp_ext_transport_cc(const struct rtg_rtp_hdr *h, uint8_t id, uint16_t *seq) {
  const struct rtg_rtp_ext *e;
  int r = ext_sized(h, id, 2, &e);
  if (r) return r;
  *seq = rtg_load_u16(e->data);
  return 0;
}

int rtg_rtp_ext_audio_level(const struct rtg_rtp_hdr *h, uint8_t id, bool *voice, uint8_t *level) {
  const struct rtg_rtp_ext *e;
  int r = ext_sized(h, id, 1, &e);
  if (r) return r;
  /* RFC 6464 §3: V (1 bit), level (7 bits). */
  *voice = (e->data[0] & 0x80) != 0;
  *level = e->data[0] & 0x7f;
  return 0;
}

int rtg_rtp_ext_video_orientation(const struct rtg_rtp_hdr *h, uint8_t id, bool *camera, bool *flip,
                                  uint16_t *rotation) {
  const struct rtg_rtp_ext *e;
  int r = ext_sized(h, id, 1, &e);
  if (r) return r;
  /* TS 26.114 §7.4.5: 0 0 0 0 C F R1 R0 */
  *camera = (e->data[0] & 0x08) != 0;
  *flip = (e->data[0] & 0x04) != 0;
  *rotation = (uint16_t)((e->data[0] & 0x03) * 90);
  return 0;
}

int rtg_rtp_ext_playout_delay(const struct rtg_rtp_hdr *h, uint8_t id, uint16_t *min_10ms,
                              uint16_t *max_10ms) {
  const struct rtg_rtp_ext *e;
  int r = ext_sized(h, id, 3, &e);
  if (r) return r;
  *min_10ms = (uint16_t)(rtg_load_u24(e->data) >> 12);
  *max_10ms = (uint16_t)(rtg_load_u24(e->data) & 0xfff);
  return 0;
}

int rtg_rtp_ext_dependency_descriptor(const struct rtg_rtp_hdr *h, uint8_t id,
                                      struct rtg_slice *raw) {
  const struct rtg_rtp_ext *e = rtg_rtp_ext_find(h, id);
  if (e == NULL) return RTG_ERR_NOTFOUND;
  /* AV1 RTP spec §A.2: the mandatory descriptor fields take 3 bytes. */
  if (e->len < 3) return RTG_ERR_PARSE;
  raw->p = e->data;
  raw->len = e->len;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* RFC 3550 A.1 / A.3 / A.8                                                 */
/* ------------------------------------------------------------------------ */

#define RTP_SEQ_MOD (1u << 16)

static void source_reset(struct rtg_rtp_source *s, uint16_t seq) {
  s->base_seq = seq;
  s->max_seq = seq;
  s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
  s->cycles = 0;
  s->received = 0;
  s->received_prior = 0;
  s->expected_prior = 0;
}

void rtg_rtp_source_init(struct rtg_rtp_source *s, uint32_t ssrc, uint16_t seq) {
  memset(s, 0, sizeof *s);
  s->ssrc = ssrc;
  source_reset(s, seq);
  s->max_seq = (uint16_t)(seq - 1);
  s->probation = RTG_RTP_MIN_SEQUENTIAL;
}

static void source_jitter(struct rtg_rtp_source *s, uint32_t rtp_ts, uint32_t arrival_ts) {
  /* A.8: D(i-1,i) from relative transit times, J += (|D| - J) / 16. */
  int64_t transit = (int64_t)(int32_t)(arrival_ts - rtp_ts);
  if (s->have_transit) {
    int64_t d = transit - s->transit;
    if (d < 0) d = -d;
    s->jitter += ((double)d - s->jitter) / 16.0;
  }
  s->transit = transit;
  s->have_transit = true;
}

int rtg_rtp_source_update(struct rtg_rtp_source *s, uint16_t seq, uint32_t rtp_ts,
                          uint32_t arrival_ts) {
  uint16_t udelta = (uint16_t)(seq - s->max_seq);
  if (s->probation) {
    /* A.1: packets must be in sequence to leave probation. */
    if (seq == (uint16_t)(s->max_seq + 1)) {
      s->probation--;
      s->max_seq = seq;
      if (s->probation == 0) {
        source_reset(s, seq);
        s->received++;
        s->valid = true;
        source_jitter(s, rtp_ts, arrival_ts);
        return 0;
      }
    } else {
      s->probation = RTG_RTP_MIN_SEQUENTIAL - 1;
      s->max_seq = seq;
    }
    return RTG_ERR_AGAIN;
  } else if (udelta < RTG_RTP_MAX_DROPOUT) {
    /* in order, with permissible gap */
    if (seq < s->max_seq) s->cycles += RTP_SEQ_MOD;
    s->max_seq = seq;
  } else if (udelta <= RTP_SEQ_MOD - RTG_RTP_MAX_MISORDER) {
    /* the sequence number made a very large jump */
    if (seq == s->bad_seq) {
      /* Two sequential packets: assume the other side restarted without
       * telling us, so re-sync (as if this were the first packet). */
      source_reset(s, seq);
      s->have_transit = false;
    } else {
      s->bad_seq = (uint32_t)((seq + 1) & (RTP_SEQ_MOD - 1));
      return RTG_ERR_STATE;
    }
  } else {
    /* duplicate or reordered packet */
  }
  s->received++;
  source_jitter(s, rtp_ts, arrival_ts);
  return 0;
}

uint32_t rtg_rtp_source_ext_max(const struct rtg_rtp_source *s) { return s->cycles + s->max_seq; }

int32_t rtg_rtp_source_lost(const struct rtg_rtp_source *s) {
  /* A.3: expected - received, clamped to the signed 24-bit field. */
  int64_t expected = (int64_t)rtg_rtp_source_ext_max(s) - s->base_seq + 1;
  int64_t lost = expected - (int64_t)s->received;
  if (lost > 0x7fffff) lost = 0x7fffff;
  if (lost < -0x800000) lost = -0x800000;
  return (int32_t)lost;
}

uint8_t rtg_rtp_source_fraction(struct rtg_rtp_source *s) {
  uint32_t expected = rtg_rtp_source_ext_max(s) - s->base_seq + 1;
  uint32_t expected_interval = expected - s->expected_prior;
  uint32_t received_interval = s->received - s->received_prior;
  int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
  s->expected_prior = expected;
  s->received_prior = s->received;
  if (expected_interval == 0 || lost_interval <= 0) return 0;
  return (uint8_t)(((uint64_t)lost_interval << 8) / expected_interval);
}

uint32_t rtg_rtp_source_jitter(const struct rtg_rtp_source *s) { return (uint32_t)s->jitter; }
