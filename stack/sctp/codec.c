/*
 * codec.c - SCTP packet codec (RFC 9260 §3) with the chunk types WebRTC
 * peers use: RFC 3758 (FORWARD-TSN), RFC 8260 (I-DATA, I-FORWARD-TSN),
 * RFC 6525 (RE-CONFIG), RFC 4895 (AUTH), RFC 5061 (ASCONF), RFC 4820 (PAD),
 * RFC 7053 (I bit) and RFC 9653 (zero checksum).
 *
 *   RFC 9260 §3:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Source Port Number        |     Destination Port Number   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Verification Tag                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           Checksum                            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Chunk Type    | Chunk Flags   |        Chunk Length           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   \                          Chunk Value                          \
 */
#include <string.h>

#include "rtg/sctp.h"

#define REF_HDR "RFC 9260 §3.1"
#define REF_CHUNK "RFC 9260 §3.2"
#define REF_PARAM "RFC 9260 §3.2.1"

static size_t pad4(size_t n) { return (4 - (n & 3)) & 3; }

/* ------------------------------------------------------------------------ */
/* Checksum                                                                  */
/* ------------------------------------------------------------------------ */

uint32_t rtg_sctp_checksum(const uint8_t *pkt, size_t len) {
  static const uint8_t zero[4] = {0, 0, 0, 0};
  uint32_t crc;
  if (len < RTG_SCTP_HDR_LEN) return 0;
  /* RFC 9260 Appendix A: computed with the checksum field set to 0. */
  crc = rtg_crc32c(0, pkt, 8);
  crc = rtg_crc32c(crc, zero, 4);
  return rtg_crc32c(crc, pkt + RTG_SCTP_HDR_LEN, len - RTG_SCTP_HDR_LEN);
}

static uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int rtg_sctp_packet_seal(uint8_t *pkt, size_t len, bool zero_checksum) {
  uint32_t crc;
  if (len < RTG_SCTP_HDR_LEN) return RTG_ERR_INVAL;
  memset(pkt + 8, 0, 4);
  if (zero_checksum) return 0;
  /* The CRC-32c is a reflected CRC: its bytes go on the wire least
   * significant first (RFC 9260 Appendix A). */
  crc = rtg_sctp_checksum(pkt, len);
  pkt[8] = (uint8_t)crc;
  pkt[9] = (uint8_t)(crc >> 8);
  pkt[10] = (uint8_t)(crc >> 16);
  pkt[11] = (uint8_t)(crc >> 24);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* TLVs (parameters and error causes)                                        */
/* ------------------------------------------------------------------------ */

int rtg_sctp_tlv_next(struct rtg_rd *rd, struct rtg_sctp_tlv *t, const char *field,
                      struct rtg_perr *perr) {
  struct rtg_rd r = *rd;
  size_t off = rtg_rd_offset(rd);
  uint16_t type, length;
  size_t pad;
  if (rtg_rd_empty(rd)) return 0;
  if (rtg_rd_u16(&r, &type) || rtg_rd_u16(&r, &length))
    return rtg_perr_set(perr, off, field, "truncated TLV header", REF_PARAM);
  if (length < 4) return rtg_perr_set(perr, off + 2, field, "length below 4", REF_PARAM);
  if (rtg_rd_bytes(&r, (size_t)length - 4, &t->value))
    return rtg_perr_set(perr, off + 2, field, "length overruns its chunk", REF_PARAM);
  /* Every TLV but the last is padded to 4 bytes; the last one may end the
   * chunk without its padding (RFC 9260 §3.2.1). */
  pad = pad4(length);
  if (rtg_rd_left(&r) != 0 && rtg_rd_skip(&r, pad))
    return rtg_perr_set(perr, rtg_rd_offset(&r), field, "padding truncated", REF_PARAM);
  t->type = type;
  t->length = length;
  t->offset = off;
  *rd = r;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* Chunks                                                                    */
/* ------------------------------------------------------------------------ */

void rtg_sctp_chunk_iter_init(struct rtg_sctp_chunk_iter *it, const uint8_t *base,
                              const struct rtg_sctp_packet *pkt) {
  it->rd.p = pkt->chunks.p;
  it->rd.end = pkt->chunks.p + pkt->chunks.len;
  it->rd.base = base;
}

int rtg_sctp_chunk_next(struct rtg_sctp_chunk_iter *it, struct rtg_sctp_chunk *c,
                        struct rtg_perr *perr) {
  struct rtg_rd r = it->rd;
  size_t off = rtg_rd_offset(&r);
  uint16_t length;
  if (rtg_rd_empty(&r)) return 0;
  if (rtg_rd_u8(&r, &c->type) || rtg_rd_u8(&r, &c->flags) || rtg_rd_u16(&r, &length))
    return rtg_perr_set(perr, off, "sctp.chunk", "truncated chunk header", REF_CHUNK);
  if (length < RTG_SCTP_CHUNK_HDR_LEN)
    return rtg_perr_set(perr, off + 2, "sctp.chunk.length", "length below 4", REF_CHUNK);
  if (rtg_rd_bytes(&r, (size_t)length - 4, &c->value))
    return rtg_perr_set(perr, off + 2, "sctp.chunk.length", "chunk overruns packet", REF_CHUNK);
  /* The sender MUST pad every chunk to a multiple of 4 bytes (§3.2). */
  if (rtg_rd_skip(&r, pad4(length)))
    return rtg_perr_set(perr, rtg_rd_offset(&r), "sctp.chunk.padding", "chunk padding missing",
                        REF_CHUNK);
  c->length = length;
  c->offset = off;
  it->rd = r;
  return 1;
}

/* Walks a TLV list, checking each with |check| (may be NULL). */
typedef int (*tlv_check_fn)(const struct rtg_sctp_tlv *t, void *arg, struct rtg_perr *perr);

static int tlv_walk(struct rtg_rd rd, const char *field, tlv_check_fn check, void *arg,
                    size_t *count, struct rtg_perr *perr) {
  struct rtg_sctp_tlv t = {0}; /* gcc -O3 cannot see that _next sets it before use */
  size_t n = 0;
  int rc;
  while ((rc = rtg_sctp_tlv_next(&rd, &t, field, perr)) == 1) {
    n++;
    if (check && (rc = check(&t, arg, perr)) < 0) return rc;
  }
  if (count) *count = n;
  return rc;
}

/* ---- INIT / INIT-ACK parameters ------------------------------------------ */

struct init_walk {
  struct rtg_sctp_init *init;
  bool init_ack;
  bool have_cookie;
};

static int fixed_len(const struct rtg_sctp_tlv *t, size_t want, const char *field,
                     struct rtg_perr *perr) {
  if (t->value.len != want)
    return rtg_perr_set(perr, t->offset + 2, field, "wrong parameter length", REF_PARAM);
  return 0;
}

static int init_param(const struct rtg_sctp_tlv *t, void *arg, struct rtg_perr *perr) {
  struct init_walk *w = arg;
  struct rtg_sctp_init *in = w->init;
  switch (t->type) {
    case RTG_SCTP_P_IPV4: return fixed_len(t, 4, "sctp.param.ipv4", perr);
    case RTG_SCTP_P_IPV6: return fixed_len(t, 16, "sctp.param.ipv6", perr);
    case RTG_SCTP_P_COOKIE_PRESERVATIVE:
      return fixed_len(t, 4, "sctp.param.cookie_preservative", perr);
    case RTG_SCTP_P_ECN_CAPABLE: return fixed_len(t, 0, "sctp.param.ecn", perr);
    case RTG_SCTP_P_ADAPTATION: return fixed_len(t, 4, "sctp.param.adaptation", perr);
    case RTG_SCTP_P_FORWARD_TSN_SUPPORTED:
      in->forward_tsn = true;
      return fixed_len(t, 0, "sctp.param.forward_tsn_supported", perr);
    case RTG_SCTP_P_ZERO_CHECKSUM:
      if (fixed_len(t, 4, "sctp.param.zero_checksum", perr)) return RTG_ERR_PARSE;
      in->zero_checksum = true;
      in->edmid = rtg_load_u32(t->value.p);
      return 0;
    case RTG_SCTP_P_ADDRESS_TYPES:
    case RTG_SCTP_P_HMAC_ALGO:
      if (t->value.len == 0 || (t->value.len & 1))
        return rtg_perr_set(perr, t->offset + 2, "sctp.param.list",
                            "list of 16-bit values has odd or zero length", "RFC 4895 §3");
      return 0;
    case RTG_SCTP_P_RANDOM:
      if (t->value.len == 0)
        return rtg_perr_set(perr, t->offset + 2, "sctp.param.random", "empty random",
                            "RFC 4895 §3.1");
      return 0;
    case RTG_SCTP_P_SUPPORTED_EXT:
      for (size_t i = 0; i < t->value.len; i++) {
        switch (t->value.p[i]) {
          case RTG_SCTP_FORWARD_TSN: in->forward_tsn = true; break;
          case RTG_SCTP_RECONFIG: in->reconfig = true; break;
          case RTG_SCTP_I_DATA: in->idata = true; break;
          default: break;
        }
      }
      return 0;
    case RTG_SCTP_P_STATE_COOKIE:
      if (w->init_ack) {
        in->cookie = t->value;
        w->have_cookie = true;
      }
      return 0;
    default: return 0; /* unrecognised: handled by the upper two bits, §3.2.1 */
  }
}

static int decode_init(struct rtg_rd *rd, const struct rtg_sctp_chunk *c, struct rtg_sctp_init *in,
                       struct rtg_perr *perr) {
  struct init_walk w = {in, c->type == RTG_SCTP_INIT_ACK, false};
  size_t off = rtg_rd_offset(rd);
  const char *ref = w.init_ack ? "RFC 9260 §3.3.3" : "RFC 9260 §3.3.2";
  memset(in, 0, sizeof *in);
  if (rtg_rd_u32(rd, &in->init_tag) || rtg_rd_u32(rd, &in->a_rwnd) || rtg_rd_u16(rd, &in->os) ||
      rtg_rd_u16(rd, &in->mis) || rtg_rd_u32(rd, &in->initial_tsn))
    return rtg_perr_set(perr, c->offset + 2, "sctp.init.length", "shorter than 20 bytes", ref);
  if (in->init_tag == 0)
    return rtg_perr_set(perr, off, "sctp.init.initiate_tag", "initiate tag is 0", ref);
  if (in->os == 0) return rtg_perr_set(perr, off + 8, "sctp.init.os", "no outbound streams", ref);
  if (in->mis == 0) return rtg_perr_set(perr, off + 10, "sctp.init.mis", "no inbound streams", ref);
  in->params.p = rd->p;
  in->params.len = rtg_rd_left(rd);
  if (tlv_walk(*rd, "sctp.param", init_param, &w, NULL, perr)) return RTG_ERR_PARSE;
  if (w.init_ack && !w.have_cookie)
    return rtg_perr_set(perr, c->offset, "sctp.init_ack.state_cookie",
                        "INIT-ACK without a state cookie", ref);
  return 0;
}

/* ---- error causes ------------------------------------------------------------ */

static int cause_check(const struct rtg_sctp_tlv *t, void *arg, struct rtg_perr *perr) {
  (void)arg;
  switch (t->type) {
    case RTG_SCTP_C_INVALID_STREAM:
    case RTG_SCTP_C_STALE_COOKIE:
    case RTG_SCTP_C_NO_USER_DATA:
      if (t->value.len != 4)
        return rtg_perr_set(perr, t->offset + 2, "sctp.cause.length", "cause must be 8 bytes",
                            "RFC 9260 §3.3.10");
      return 0;
    case RTG_SCTP_C_MISSING_PARAM:
      if (t->value.len < 4 || t->value.len != 4 + 2 * (size_t)rtg_load_u32(t->value.p))
        return rtg_perr_set(perr, t->offset + 2, "sctp.cause.missing_param",
                            "count does not match length", "RFC 9260 §3.3.10.2");
      return 0;
    case RTG_SCTP_C_UNRESOLVABLE_ADDR:
    case RTG_SCTP_C_UNRECOGNIZED_CHUNK:
      if (t->value.len < 4)
        return rtg_perr_set(perr, t->offset + 2, "sctp.cause.length",
                            "cause must carry a TLV or chunk header", "RFC 9260 §3.3.10");
      return 0;
    default: return 0;
  }
}

/* ---- RE-CONFIG parameters (RFC 6525 §4) ------------------------------------ */

uint16_t rtg_sctp_reconf_sid(const struct rtg_sctp_reconf *r, size_t i) {
  return rtg_load_u16(r->sids.p + 2 * i);
}

int rtg_sctp_reconf_decode(const struct rtg_sctp_tlv *t, struct rtg_sctp_reconf *out,
                           struct rtg_perr *perr) {
  struct rtg_rd rd;
  struct rtg_slice s = t->value;
  size_t off = t->offset + 4;
  memset(out, 0, sizeof *out);
  out->type = t->type;
  rd.p = s.p;
  rd.end = s.p + s.len;
  rd.base = s.p - off;
  switch (t->type) {
    case RTG_SCTP_P_OUT_RESET_REQ:
      if (rtg_rd_u32(&rd, &out->req_seq) || rtg_rd_u32(&rd, &out->resp_seq) ||
          rtg_rd_u32(&rd, &out->last_tsn))
        return rtg_perr_set(perr, t->offset + 2, "sctp.reconf.length",
                            "outgoing reset request shorter than 16 bytes", "RFC 6525 §4.1");
      break;
    case RTG_SCTP_P_IN_RESET_REQ:
      if (rtg_rd_u32(&rd, &out->req_seq))
        return rtg_perr_set(perr, t->offset + 2, "sctp.reconf.length",
                            "incoming reset request shorter than 8 bytes", "RFC 6525 §4.2");
      break;
    case RTG_SCTP_P_TSN_RESET_REQ:
      if (s.len != 4)
        return rtg_perr_set(perr, t->offset + 2, "sctp.reconf.length",
                            "SSN/TSN reset request must be 8 bytes", "RFC 6525 §4.3");
      out->req_seq = rtg_load_u32(s.p);
      return 0;
    case RTG_SCTP_P_RECONFIG_RESP:
      if (s.len != 8 && s.len != 16)
        return rtg_perr_set(perr, t->offset + 2, "sctp.reconf.length",
                            "response must be 12 or 20 bytes", "RFC 6525 §4.4");
      out->req_seq = rtg_load_u32(s.p);
      out->result = rtg_load_u32(s.p + 4);
      if (s.len == 16) {
        out->sender_next_tsn = rtg_load_u32(s.p + 8);
        out->receiver_next_tsn = rtg_load_u32(s.p + 12);
      }
      return 0;
    case RTG_SCTP_P_ADD_OUT_STREAMS:
    case RTG_SCTP_P_ADD_IN_STREAMS:
      if (s.len != 8)
        return rtg_perr_set(perr, t->offset + 2, "sctp.reconf.length",
                            "add streams request must be 12 bytes", "RFC 6525 §4.5");
      out->req_seq = rtg_load_u32(s.p);
      out->new_streams = rtg_load_u16(s.p + 4);
      return 0;
    default:
      return rtg_perr_set(perr, t->offset, "sctp.reconf.type", "not a RE-CONFIG parameter",
                          "RFC 6525 §3.1");
  }
  /* Reset requests end with a list of 16-bit stream identifiers. */
  if (rtg_rd_left(&rd) & 1)
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "sctp.reconf.streams", "odd-length stream list",
                        "RFC 6525 §4.1");
  out->sids.p = rd.p;
  out->sids.len = rtg_rd_left(&rd);
  out->nsids = out->sids.len / 2;
  return 0;
}

static int reconf_check(const struct rtg_sctp_tlv *t, void *arg, struct rtg_perr *perr) {
  struct rtg_sctp_reconf r;
  (void)arg;
  return rtg_sctp_reconf_decode(t, &r, perr);
}

/* ---- SACK / FORWARD-TSN helpers -------------------------------------------- */

void rtg_sctp_sack_gap(const struct rtg_slice *blocks, size_t i, uint16_t *start, uint16_t *end) {
  *start = rtg_load_u16(blocks->p + 4 * i);
  *end = rtg_load_u16(blocks->p + 4 * i + 2);
}

uint32_t rtg_sctp_sack_dup(const struct rtg_sctp_sack *s, size_t i) {
  return rtg_load_u32(s->dups.p + 4 * i);
}

void rtg_sctp_fwd_entry(const struct rtg_sctp_fwd_tsn *f, size_t i, uint16_t *sid, bool *unordered,
                        uint32_t *mid) {
  if (f->i_forward) {
    const uint8_t *p = f->entries.p + 8 * i;
    *sid = rtg_load_u16(p);
    *unordered = (p[3] & 1) != 0;
    *mid = rtg_load_u32(p + 4);
  } else {
    const uint8_t *p = f->entries.p + 4 * i;
    *sid = rtg_load_u16(p);
    *unordered = false;
    *mid = rtg_load_u16(p + 2);
  }
}

static int check_gaps(const struct rtg_slice *g, size_t n, size_t off, const char *field,
                      struct rtg_perr *perr) {
  for (size_t i = 0; i < n; i++) {
    uint16_t s, e;
    rtg_sctp_sack_gap(g, i, &s, &e);
    /* §3.3.4: TSNs cum+start .. cum+end were received; start >= 1. */
    if (s == 0 || s > e)
      return rtg_perr_set(perr, off + 4 * i, field, "gap block start is 0 or after its end",
                          "RFC 9260 §3.3.4");
  }
  return 0;
}

static int decode_sack(struct rtg_rd *rd, const struct rtg_sctp_chunk *c, struct rtg_sctp_sack *s,
                       struct rtg_perr *perr) {
  uint16_t reserved;
  size_t need, goff;
  bool nr = c->type == RTG_SCTP_NR_SACK;
  const char *ref = nr ? "draft-tuexen-tsvwg-sctp-multipath §4.1" : "RFC 9260 §3.3.4";
  memset(s, 0, sizeof *s);
  if (rtg_rd_u32(rd, &s->cum_tsn) || rtg_rd_u32(rd, &s->a_rwnd) || rtg_rd_u16(rd, &s->ngaps) ||
      (nr && rtg_rd_u16(rd, &s->nnr_gaps)) || rtg_rd_u16(rd, &s->ndups) ||
      (nr && rtg_rd_u16(rd, &reserved)))
    return rtg_perr_set(perr, c->offset + 2, "sctp.sack.length", "shorter than its fixed part",
                        ref);
  need = 4 * ((size_t)s->ngaps + s->nnr_gaps + s->ndups);
  if (rtg_rd_left(rd) != need)
    return rtg_perr_set(perr, c->offset + 2, "sctp.sack.length",
                        "length does not match the gap and duplicate counts", ref);
  goff = rtg_rd_offset(rd);
  if (rtg_rd_bytes(rd, 4 * (size_t)s->ngaps, &s->gaps) ||
      rtg_rd_bytes(rd, 4 * (size_t)s->nnr_gaps, &s->nr_gaps) ||
      rtg_rd_bytes(rd, 4 * (size_t)s->ndups, &s->dups))
    return rtg_perr_set(perr, c->offset + 2, "sctp.sack.length", "blocks overrun chunk", ref);
  if (check_gaps(&s->gaps, s->ngaps, goff, "sctp.sack.gap", perr) ||
      check_gaps(&s->nr_gaps, s->nnr_gaps, goff + 4 * (size_t)s->ngaps, "sctp.sack.nr_gap", perr))
    return RTG_ERR_PARSE;
  return 0;
}

static int decode_data(struct rtg_rd *rd, const struct rtg_sctp_chunk *c, struct rtg_sctp_data *d,
                       struct rtg_perr *perr) {
  bool idata = c->type == RTG_SCTP_I_DATA;
  const char *ref = idata ? "RFC 8260 §2.1" : "RFC 9260 §3.3.1";
  uint16_t reserved;
  uint32_t ppid_fsn;
  memset(d, 0, sizeof *d);
  d->idata = idata;
  d->end = (c->flags & RTG_SCTP_DATA_END) != 0;
  d->begin = (c->flags & RTG_SCTP_DATA_BEGIN) != 0;
  d->unordered = (c->flags & RTG_SCTP_DATA_UNORDERED) != 0;
  d->immediate = (c->flags & RTG_SCTP_DATA_IMMEDIATE) != 0;
  if (idata) {
    if (rtg_rd_u32(rd, &d->tsn) || rtg_rd_u16(rd, &d->sid) || rtg_rd_u16(rd, &reserved) ||
        rtg_rd_u32(rd, &d->mid) || rtg_rd_u32(rd, &ppid_fsn))
      return rtg_perr_set(perr, c->offset + 2, "sctp.idata.length", "shorter than 20 bytes", ref);
    if (d->begin)
      d->ppid = ppid_fsn;
    else
      d->fsn = ppid_fsn;
  } else {
    if (rtg_rd_u32(rd, &d->tsn) || rtg_rd_u16(rd, &d->sid) || rtg_rd_u16(rd, &d->ssn) ||
        rtg_rd_u32(rd, &d->ppid))
      return rtg_perr_set(perr, c->offset + 2, "sctp.data.length", "shorter than 16 bytes", ref);
    d->mid = d->ssn;
  }
  /* §6.2: a DATA chunk without user data is a protocol error (No User Data
   * cause, §3.3.10.9). */
  if (rtg_rd_empty(rd))
    return rtg_perr_set(perr, c->offset + 2, idata ? "sctp.idata.length" : "sctp.data.length",
                        "no user data", "RFC 9260 §6.2");
  d->payload.p = rd->p;
  d->payload.len = rtg_rd_left(rd);
  rd->p = rd->end;
  return 0;
}

static int decode_fwd(struct rtg_rd *rd, const struct rtg_sctp_chunk *c, struct rtg_sctp_fwd_tsn *f,
                      struct rtg_perr *perr) {
  size_t esz;
  f->i_forward = c->type == RTG_SCTP_I_FORWARD_TSN;
  esz = f->i_forward ? 8 : 4;
  if (rtg_rd_u32(rd, &f->new_cum_tsn))
    return rtg_perr_set(perr, c->offset + 2, "sctp.forward_tsn.length", "shorter than 8 bytes",
                        f->i_forward ? "RFC 8260 §2.3.1" : "RFC 3758 §3.2");
  if (rtg_rd_left(rd) % esz)
    return rtg_perr_set(perr, c->offset + 2, "sctp.forward_tsn.length",
                        "stream entries not a whole number",
                        f->i_forward ? "RFC 8260 §2.3.1" : "RFC 3758 §3.2");
  f->entries.p = rd->p;
  f->entries.len = rtg_rd_left(rd);
  f->nentries = f->entries.len / esz;
  rd->p = rd->end;
  return 0;
}

static int want_empty(const struct rtg_sctp_chunk *c, size_t len, const char *field,
                      const char *ref, struct rtg_perr *perr) {
  if (c->value.len != len)
    return rtg_perr_set(perr, c->offset + 2, field, "wrong chunk length", ref);
  return 0;
}

int rtg_sctp_chunk_decode(const struct rtg_sctp_chunk *c, struct rtg_sctp_chunk_info *out,
                          struct rtg_perr *perr) {
  struct rtg_rd rd;
  size_t n = 0;
  memset(out, 0, sizeof *out);
  out->type = c->type;
  out->flags = c->flags;
  rd.p = c->value.p;
  rd.end = c->value.p + c->value.len;
  rd.base = c->value.p - (c->offset + 4);
  switch (c->type) {
    case RTG_SCTP_DATA:
    case RTG_SCTP_I_DATA: return decode_data(&rd, c, &out->u.data, perr);
    case RTG_SCTP_INIT:
    case RTG_SCTP_INIT_ACK:
      if (decode_init(&rd, c, &out->u.init, perr)) return RTG_ERR_PARSE;
      out->tlvs = out->u.init.params;
      return 0;
    case RTG_SCTP_SACK:
    case RTG_SCTP_NR_SACK: return decode_sack(&rd, c, &out->u.sack, perr);
    case RTG_SCTP_HEARTBEAT:
    case RTG_SCTP_HEARTBEAT_ACK: {
      struct rtg_sctp_tlv t;
      struct rtg_rd r2 = rd;
      out->tlvs = c->value;
      /* §3.3.5: the value is one Heartbeat Info parameter. */
      if (rtg_sctp_tlv_next(&r2, &t, "sctp.heartbeat.info", perr) != 1 ||
          t.type != RTG_SCTP_P_HEARTBEAT_INFO)
        return rtg_perr_set(perr, c->offset + 4, "sctp.heartbeat.info",
                            "missing Heartbeat Info parameter", "RFC 9260 §3.3.5");
      return tlv_walk(rd, "sctp.param", NULL, NULL, NULL, perr);
    }
    case RTG_SCTP_ABORT:
    case RTG_SCTP_ERROR:
      out->tlvs = c->value;
      return tlv_walk(rd, "sctp.cause", cause_check, NULL, NULL, perr);
    case RTG_SCTP_SHUTDOWN:
      if (want_empty(c, 4, "sctp.shutdown.length", "RFC 9260 §3.3.8", perr)) return RTG_ERR_PARSE;
      out->u.cum_tsn = rtg_load_u32(c->value.p);
      return 0;
    case RTG_SCTP_ECNE:
    case RTG_SCTP_CWR:
      if (want_empty(c, 4, "sctp.ecn.length", "RFC 9260 Appendix A", perr)) return RTG_ERR_PARSE;
      out->u.lowest_tsn = rtg_load_u32(c->value.p);
      return 0;
    case RTG_SCTP_SHUTDOWN_ACK:
      return want_empty(c, 0, "sctp.shutdown_ack.length", "RFC 9260 §3.3.9", perr);
    case RTG_SCTP_COOKIE_ACK:
      return want_empty(c, 0, "sctp.cookie_ack.length", "RFC 9260 §3.3.12", perr);
    case RTG_SCTP_SHUTDOWN_COMPLETE:
      return want_empty(c, 0, "sctp.shutdown_complete.length", "RFC 9260 §3.3.13", perr);
    case RTG_SCTP_COOKIE_ECHO:
      out->cookie = c->value;
      if (c->value.len == 0)
        return rtg_perr_set(perr, c->offset + 2, "sctp.cookie_echo.length", "empty cookie",
                            "RFC 9260 §3.3.11");
      return 0;
    case RTG_SCTP_AUTH:
      if (rtg_rd_u16(&rd, &out->u.auth.key_id) || rtg_rd_u16(&rd, &out->u.auth.hmac_id) ||
          rtg_rd_empty(&rd))
        return rtg_perr_set(perr, c->offset + 2, "sctp.auth.length", "no HMAC", "RFC 4895 §4.2");
      out->u.auth.hmac.p = rd.p;
      out->u.auth.hmac.len = rtg_rd_left(&rd);
      return 0;
    case RTG_SCTP_FORWARD_TSN:
    case RTG_SCTP_I_FORWARD_TSN: return decode_fwd(&rd, c, &out->u.fwd, perr);
    case RTG_SCTP_RECONFIG:
      out->tlvs = c->value;
      if (tlv_walk(rd, "sctp.reconf", reconf_check, NULL, &n, perr)) return RTG_ERR_PARSE;
      /* RFC 6525 §3.1: one or two parameters. */
      if (n < 1 || n > 2)
        return rtg_perr_set(perr, c->offset + 2, "sctp.reconf.count",
                            "RE-CONFIG must carry one or two parameters", "RFC 6525 §3.1");
      return 0;
    case RTG_SCTP_ASCONF:
    case RTG_SCTP_ASCONF_ACK:
      if (rtg_rd_u32(&rd, &out->u.serial))
        return rtg_perr_set(perr, c->offset + 2, "sctp.asconf.length", "no serial number",
                            "RFC 5061 §4.1");
      out->tlvs.p = rd.p;
      out->tlvs.len = rtg_rd_left(&rd);
      if (tlv_walk(rd, "sctp.param", NULL, NULL, &n, perr)) return RTG_ERR_PARSE;
      /* ASCONF starts with the address parameter (RFC 5061 §4.1.1). */
      if (c->type == RTG_SCTP_ASCONF && n == 0)
        return rtg_perr_set(perr, c->offset + 8, "sctp.asconf.address", "missing address parameter",
                            "RFC 5061 §4.1.1");
      return 0;
    case RTG_SCTP_PAD: out->tlvs = c->value; return 0;
    default: out->tlvs = c->value; return 0;
  }
}

/* ------------------------------------------------------------------------ */
/* Packets                                                                   */
/* ------------------------------------------------------------------------ */

int rtg_sctp_packet_parse(const uint8_t *data, size_t len, unsigned flags,
                          struct rtg_sctp_packet *pkt, struct rtg_perr *perr) {
  struct rtg_rd rd;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  bool lone = false;
  int rc;
  memset(pkt, 0, sizeof *pkt);
  rtg_rd_init(&rd, data, len);
  if (rtg_rd_u16(&rd, &pkt->hdr.src_port) || rtg_rd_u16(&rd, &pkt->hdr.dst_port) ||
      rtg_rd_u32(&rd, &pkt->hdr.vtag) || rtg_rd_skip(&rd, 4))
    return rtg_perr_set(perr, 0, "sctp.header", "shorter than the 12-byte common header", REF_HDR);
  pkt->hdr.checksum = load_le32(data + 8);
  pkt->chunks.p = rd.p;
  pkt->chunks.len = rtg_rd_left(&rd);
  if (pkt->chunks.len == 0)
    return rtg_perr_set(perr, RTG_SCTP_HDR_LEN, "sctp.chunk", "packet without chunks", REF_HDR);
  rtg_sctp_chunk_iter_init(&it, data, pkt);
  while ((rc = rtg_sctp_chunk_next(&it, &c, perr)) == 1) {
    if (rtg_sctp_chunk_decode(&c, &info, perr)) return RTG_ERR_PARSE;
    /* §6.10: INIT, INIT ACK and SHUTDOWN COMPLETE are never bundled. */
    if (c.type == RTG_SCTP_INIT || c.type == RTG_SCTP_INIT_ACK ||
        c.type == RTG_SCTP_SHUTDOWN_COMPLETE) {
      if (pkt->nchunks > 0)
        return rtg_perr_set(perr, c.offset, "sctp.bundling", "chunk must not be bundled",
                            "RFC 9260 §6.10");
      lone = true;
    } else if (lone) {
      return rtg_perr_set(perr, c.offset, "sctp.bundling",
                          "chunk bundled after INIT, INIT ACK or SHUTDOWN COMPLETE",
                          "RFC 9260 §6.10");
    }
    /* §8.5.1: a packet carrying INIT has verification tag 0. */
    if (c.type == RTG_SCTP_INIT && pkt->hdr.vtag != 0)
      return rtg_perr_set(perr, 4, "sctp.header.vtag", "INIT with a non-zero verification tag",
                          "RFC 9260 §8.5.1");
    pkt->nchunks++;
  }
  if (rc < 0) return rc;
  pkt->checksum_zero = pkt->hdr.checksum == 0;
  pkt->checksum_ok = pkt->hdr.checksum == rtg_sctp_checksum(data, len);
  if (!(flags & RTG_SCTP_PARSE_IGNORE_CHECKSUM) && !pkt->checksum_ok &&
      !(pkt->checksum_zero && (flags & RTG_SCTP_PARSE_ZERO_CHECKSUM_OK))) {
    rtg_perr_set(perr, 8, "sctp.header.checksum", "CRC-32c mismatch", "RFC 9260 §6.8");
    return RTG_ERR_AUTH;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */
/* ------------------------------------------------------------------------ */

int rtg_sctp_hdr_write(struct rtg_wr *wr, const struct rtg_sctp_hdr *h) {
  struct rtg_wr w = *wr;
  if (rtg_wr_u16(&w, h->src_port) || rtg_wr_u16(&w, h->dst_port) || rtg_wr_u32(&w, h->vtag) ||
      rtg_wr_u32(&w, 0))
    return RTG_ERR_NOBUF;
  *wr = w;
  return 0;
}

int rtg_sctp_chunk_begin(struct rtg_wr *wr, uint8_t type, uint8_t flags, size_t *mark) {
  struct rtg_wr w = *wr;
  size_t m = rtg_wr_len(wr);
  if (rtg_wr_u8(&w, type) || rtg_wr_u8(&w, flags) || rtg_wr_u16(&w, 0)) return RTG_ERR_NOBUF;
  *mark = m;
  *wr = w;
  return 0;
}

static int close_len(struct rtg_wr *wr, size_t mark, bool pad) {
  size_t len = rtg_wr_len(wr) - mark;
  if (len > 0xffff) return RTG_ERR_INVAL;
  if (pad && rtg_wr_zero(wr, pad4(len))) return RTG_ERR_NOBUF;
  return rtg_wr_patch_u16(wr, mark + 2, (uint16_t)len);
}

int rtg_sctp_chunk_end(struct rtg_wr *wr, size_t mark) { return close_len(wr, mark, true); }

/* A TLV is not padded when it ends: the padding is only written when
 * another TLV follows (or by rtg_sctp_chunk_end), so that the chunk length
 * leaves out the last parameter's padding as RFC 9260 §3.2 asks. */
int rtg_sctp_tlv_begin(struct rtg_wr *wr, uint16_t type, size_t *mark) {
  struct rtg_wr w = *wr;
  size_t m;
  if (rtg_wr_zero(&w, pad4(rtg_wr_len(&w)))) return RTG_ERR_NOBUF;
  m = rtg_wr_len(&w);
  if (rtg_wr_u16(&w, type) || rtg_wr_u16(&w, 0)) return RTG_ERR_NOBUF;
  *mark = m;
  *wr = w;
  return 0;
}

int rtg_sctp_tlv_end(struct rtg_wr *wr, size_t mark) { return close_len(wr, mark, false); }

int rtg_sctp_chunk_write(struct rtg_wr *wr, uint8_t type, uint8_t flags, const void *value,
                         size_t len) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  if (len > 0xffff - 4) return RTG_ERR_INVAL;
  if ((rc = rtg_sctp_chunk_begin(&w, type, flags, &m)) || (rc = rtg_wr_bytes(&w, value, len)) ||
      (rc = rtg_sctp_chunk_end(&w, m)))
    return rc;
  *wr = w;
  return 0;
}

int rtg_sctp_tlv_write(struct rtg_wr *wr, uint16_t type, const void *value, size_t len) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  if (len > 0xffff - 4) return RTG_ERR_INVAL;
  if ((rc = rtg_sctp_tlv_begin(&w, type, &m)) || (rc = rtg_wr_bytes(&w, value, len)) ||
      (rc = rtg_sctp_tlv_end(&w, m)))
    return rc;
  *wr = w;
  return 0;
}

int rtg_sctp_data_write(struct rtg_wr *wr, const struct rtg_sctp_data *d) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  uint8_t flags =
      (uint8_t)((d->end ? RTG_SCTP_DATA_END : 0) | (d->begin ? RTG_SCTP_DATA_BEGIN : 0) |
                (d->unordered ? RTG_SCTP_DATA_UNORDERED : 0) |
                (d->immediate ? RTG_SCTP_DATA_IMMEDIATE : 0));
  if (d->payload.len == 0 || d->payload.len > 0xffff - 20) return RTG_ERR_INVAL;
  if ((rc = rtg_sctp_chunk_begin(&w, d->idata ? RTG_SCTP_I_DATA : RTG_SCTP_DATA, flags, &m)))
    return rc;
  if (d->idata) {
    if (rtg_wr_u32(&w, d->tsn) || rtg_wr_u16(&w, d->sid) || rtg_wr_u16(&w, 0) ||
        rtg_wr_u32(&w, d->mid) || rtg_wr_u32(&w, d->begin ? d->ppid : d->fsn))
      return RTG_ERR_NOBUF;
  } else {
    if (rtg_wr_u32(&w, d->tsn) || rtg_wr_u16(&w, d->sid) || rtg_wr_u16(&w, d->ssn) ||
        rtg_wr_u32(&w, d->ppid))
      return RTG_ERR_NOBUF;
  }
  if ((rc = rtg_wr_bytes(&w, d->payload.p, d->payload.len)) || (rc = rtg_sctp_chunk_end(&w, m)))
    return rc;
  *wr = w;
  return 0;
}

int rtg_sctp_init_write(struct rtg_wr *wr, uint8_t type, const struct rtg_sctp_init *in,
                        const void *params, size_t params_len) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  if (type != RTG_SCTP_INIT && type != RTG_SCTP_INIT_ACK) return RTG_ERR_INVAL;
  if ((rc = rtg_sctp_chunk_begin(&w, type, 0, &m))) return rc;
  if (rtg_wr_u32(&w, in->init_tag) || rtg_wr_u32(&w, in->a_rwnd) || rtg_wr_u16(&w, in->os) ||
      rtg_wr_u16(&w, in->mis) || rtg_wr_u32(&w, in->initial_tsn) ||
      rtg_wr_bytes(&w, params, params_len))
    return RTG_ERR_NOBUF;
  if ((rc = rtg_sctp_chunk_end(&w, m))) return rc;
  *wr = w;
  return 0;
}

int rtg_sctp_sack_write(struct rtg_wr *wr, uint32_t cum_tsn, uint32_t a_rwnd, const uint16_t *gaps,
                        size_t ngaps, const uint32_t *dups, size_t ndups) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  if (ngaps > 0xffff || ndups > 0xffff || 16 + 4 * (ngaps + ndups) > 0xffff) return RTG_ERR_INVAL;
  if ((rc = rtg_sctp_chunk_begin(&w, RTG_SCTP_SACK, 0, &m))) return rc;
  if (rtg_wr_u32(&w, cum_tsn) || rtg_wr_u32(&w, a_rwnd) || rtg_wr_u16(&w, (uint16_t)ngaps) ||
      rtg_wr_u16(&w, (uint16_t)ndups))
    return RTG_ERR_NOBUF;
  for (size_t i = 0; i < 2 * ngaps; i++)
    if (rtg_wr_u16(&w, gaps[i])) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < ndups; i++)
    if (rtg_wr_u32(&w, dups[i])) return RTG_ERR_NOBUF;
  if ((rc = rtg_sctp_chunk_end(&w, m))) return rc;
  *wr = w;
  return 0;
}

int rtg_sctp_fwd_write(struct rtg_wr *wr, bool i_forward, uint32_t new_cum_tsn,
                       const uint16_t *sids, const bool *unordered, const uint32_t *mids,
                       size_t n) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  if (8 + n * (i_forward ? 8 : 4) > 0xffff) return RTG_ERR_INVAL;
  if ((rc = rtg_sctp_chunk_begin(&w, i_forward ? RTG_SCTP_I_FORWARD_TSN : RTG_SCTP_FORWARD_TSN, 0,
                                 &m)))
    return rc;
  if (rtg_wr_u32(&w, new_cum_tsn)) return RTG_ERR_NOBUF;
  for (size_t i = 0; i < n; i++) {
    if (i_forward) {
      if (rtg_wr_u16(&w, sids[i]) || rtg_wr_u16(&w, unordered && unordered[i] ? 1 : 0) ||
          rtg_wr_u32(&w, mids[i]))
        return RTG_ERR_NOBUF;
    } else if (rtg_wr_u16(&w, sids[i]) || rtg_wr_u16(&w, (uint16_t)mids[i])) {
      return RTG_ERR_NOBUF;
    }
  }
  if ((rc = rtg_sctp_chunk_end(&w, m))) return rc;
  *wr = w;
  return 0;
}

int rtg_sctp_u32_chunk_write(struct rtg_wr *wr, uint8_t type, uint32_t v) {
  uint8_t b[4];
  rtg_store_u32(b, v);
  return rtg_sctp_chunk_write(wr, type, 0, b, 4);
}

int rtg_sctp_reconf_write(struct rtg_wr *wr, const struct rtg_sctp_reconf *r,
                          const uint16_t *sids) {
  struct rtg_wr w = *wr;
  size_t m;
  int rc;
  bool list = false;
  if ((rc = rtg_sctp_tlv_begin(&w, r->type, &m))) return rc;
  switch (r->type) {
    case RTG_SCTP_P_OUT_RESET_REQ:
      if (rtg_wr_u32(&w, r->req_seq) || rtg_wr_u32(&w, r->resp_seq) || rtg_wr_u32(&w, r->last_tsn))
        return RTG_ERR_NOBUF;
      list = true;
      break;
    case RTG_SCTP_P_IN_RESET_REQ:
      if (rtg_wr_u32(&w, r->req_seq)) return RTG_ERR_NOBUF;
      list = true;
      break;
    case RTG_SCTP_P_TSN_RESET_REQ:
      if (rtg_wr_u32(&w, r->req_seq)) return RTG_ERR_NOBUF;
      break;
    case RTG_SCTP_P_RECONFIG_RESP:
      if (rtg_wr_u32(&w, r->req_seq) || rtg_wr_u32(&w, r->result)) return RTG_ERR_NOBUF;
      if ((r->sender_next_tsn || r->receiver_next_tsn) &&
          (rtg_wr_u32(&w, r->sender_next_tsn) || rtg_wr_u32(&w, r->receiver_next_tsn)))
        return RTG_ERR_NOBUF;
      break;
    case RTG_SCTP_P_ADD_OUT_STREAMS:
    case RTG_SCTP_P_ADD_IN_STREAMS:
      if (rtg_wr_u32(&w, r->req_seq) || rtg_wr_u16(&w, r->new_streams) || rtg_wr_u16(&w, 0))
        return RTG_ERR_NOBUF;
      break;
    default: return RTG_ERR_INVAL;
  }
  if (list) {
    if (r->nsids > 0x7ff0) return RTG_ERR_INVAL;
    for (size_t i = 0; i < r->nsids; i++)
      if (rtg_wr_u16(&w, sids[i])) return RTG_ERR_NOBUF;
  }
  if ((rc = rtg_sctp_tlv_end(&w, m))) return rc;
  *wr = w;
  return 0;
}
