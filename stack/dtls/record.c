/*
 * record.c - DTLS record layer framing: the DTLS 1.0/1.2 13-byte header
 * (RFC 6347 §4.1), its connection-ID form (RFC 9146 §4) and the DTLS 1.3
 * unified header (RFC 9147 §4), several records per datagram.
 */
#include <string.h>

#include "rtg/dtls.h"

#define REF_6347 "RFC 6347 §4.1"
#define REF_9146 "RFC 9146 §4"
#define REF_9147 "RFC 9147 §4"

/* RFC 9147 §4.1 demultiplexing of the first byte. */
static bool is_unified(uint8_t b) { return (b & 0xe0u) == 0x20u; }

/* length(2) then the payload; |hdr0| is where the header began. Shared by
 * both header forms (the unified one only when L is set). */
static int take_length_payload(struct rtg_rd *r, const uint8_t *hdr0, struct rtg_dtls_record *rec,
                               const char *ref, struct rtg_perr *perr) {
  uint16_t len;
  if (rtg_rd_u16(r, &len))
    return rtg_perr_set(perr, rtg_rd_offset(r), "dtls.record.length", "truncated record header",
                        ref);
  if (len > RTG_DTLS_RECORD_MAX)
    return rtg_perr_set(perr, rtg_rd_offset(r) - 2, "dtls.record.length",
                        "record longer than 2^14+2048", ref);
  rec->header.p = hdr0;
  rec->header.len = (size_t)(r->p - hdr0);
  if (rtg_rd_bytes(r, len, &rec->payload))
    return rtg_perr_set(perr, rtg_rd_offset(r) - 2, "dtls.record.length",
                        "record overruns datagram", ref);
  return RTG_OK;
}

static int parse_plaintext(struct rtg_rd *rd, size_t cid_len, struct rtg_dtls_record *rec,
                           struct rtg_perr *perr) {
  struct rtg_rd r = *rd;
  size_t start = rtg_rd_offset(&r);
  if (rtg_rd_u8(&r, &rec->type) || rtg_rd_u16(&r, &rec->version) || rtg_rd_u16(&r, &rec->epoch) ||
      rtg_rd_u48(&r, &rec->seq))
    return rtg_perr_set(perr, start, "dtls.record.header", "truncated record header", REF_6347);
  /* DTLS versions are 0xfeXX; OpenSSL's pre-standard DTLS 1.0 used 0x0100. */
  if ((rec->version >> 8) != 0xfeu && rec->version != 0x0100u)
    return rtg_perr_set(perr, start + 1, "dtls.record.version", "not a DTLS version", REF_6347);
  rec->seq_len = 6;
  rec->has_length = true;
  if (rec->type == RTG_DTLS_CT_TLS12_CID) {
    if (cid_len == 0)
      return rtg_perr_set(perr, start, "dtls.record.type",
                          "tls12_cid record but no connection ID length configured", REF_9146);
    rec->has_cid = true;
    if (rtg_rd_bytes(&r, cid_len, &rec->cid))
      return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.record.cid", "truncated connection ID",
                          REF_9146);
  }
  if (take_length_payload(&r, rd->p, rec, REF_6347, perr)) return RTG_ERR_PARSE;
  *rd = r;
  return RTG_OK;
}

static int parse_unified(struct rtg_rd *rd, size_t cid_len, struct rtg_dtls_record *rec,
                         struct rtg_perr *perr) {
  struct rtg_rd r = *rd;
  size_t start = rtg_rd_offset(&r);
  uint8_t b;
  if (rtg_rd_u8(&r, &b))
    return rtg_perr_set(perr, start, "dtls.record.header", "truncated record header", REF_9147);
  rec->unified = true;
  rec->epoch = b & 0x03u;
  rec->seq_len = (b & 0x08u) ? 2 : 1;
  rec->has_length = (b & 0x04u) != 0;
  if (b & 0x10u) {
    if (cid_len == 0)
      return rtg_perr_set(perr, start, "dtls.record.cid_bit",
                          "C bit set but no connection ID length configured", "RFC 9147 §4");
    rec->has_cid = true;
    if (rtg_rd_bytes(&r, cid_len, &rec->cid))
      return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.record.cid", "truncated connection ID",
                          REF_9147);
  }
  if (rec->seq_len == 2) {
    uint16_t s;
    if (rtg_rd_u16(&r, &s))
      return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.record.seq", "truncated sequence number",
                          REF_9147);
    rec->seq = s;
  } else {
    uint8_t s;
    if (rtg_rd_u8(&r, &s))
      return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.record.seq", "truncated sequence number",
                          REF_9147);
    rec->seq = s;
  }
  if (rec->has_length) {
    if (take_length_payload(&r, rd->p, rec, REF_9147, perr)) return RTG_ERR_PARSE;
  } else {
    /* Without L the record extends to the end of the datagram. */
    rec->header.p = rd->p;
    rec->header.len = (size_t)(r.p - rd->p);
    if (rtg_rd_left(&r) > RTG_DTLS_RECORD_MAX)
      return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.record.length",
                          "record longer than 2^14+2048", REF_9147);
    if (rtg_rd_bytes(&r, rtg_rd_left(&r), &rec->payload)) return RTG_ERR_PARSE;
  }
  if (rec->payload.len == 0)
    return rtg_perr_set(perr, rtg_rd_offset(&r), "dtls.record.payload", "empty encrypted record",
                        "RFC 9147 §4.2.3");
  *rd = r;
  return RTG_OK;
}

int rtg_dtls_record_parse(struct rtg_rd *rd, size_t cid_len, struct rtg_dtls_record *rec,
                          struct rtg_perr *perr) {
  uint8_t b;
  memset(rec, 0, sizeof *rec);
  rec->offset = rtg_rd_offset(rd);
  if (cid_len > RTG_DTLS_CID_MAX) return RTG_ERR_INVAL;
  if (rtg_rd_peek_u8(rd, &b))
    return rtg_perr_set(perr, rtg_rd_offset(rd), "dtls.record.header", "truncated record header",
                        REF_6347);
  if (is_unified(b)) return parse_unified(rd, cid_len, rec, perr);
  switch (b) {
    case RTG_DTLS_CT_CCS:
    case RTG_DTLS_CT_ALERT:
    case RTG_DTLS_CT_HANDSHAKE:
    case RTG_DTLS_CT_APPDATA:
    case RTG_DTLS_CT_HEARTBEAT:
    case RTG_DTLS_CT_TLS12_CID:
    case RTG_DTLS_CT_ACK: return parse_plaintext(rd, cid_len, rec, perr);
    default:
      return rtg_perr_set(perr, rtg_rd_offset(rd), "dtls.record.type", "unknown content type",
                          "RFC 9147 §4.1");
  }
}

int rtg_dtls_datagram_parse(const uint8_t *data, size_t len, size_t cid_len,
                            struct rtg_dtls_record *recs, size_t max, size_t *n,
                            struct rtg_perr *perr) {
  struct rtg_rd rd;
  *n = 0;
  rtg_rd_init(&rd, data, len);
  if (len == 0) return rtg_perr_set(perr, 0, "dtls.datagram", "empty datagram", REF_6347);
  while (!rtg_rd_empty(&rd)) {
    struct rtg_dtls_record tmp;
    int rc;
    if (*n == max) return RTG_ERR_NOBUF;
    rc = rtg_dtls_record_parse(&rd, cid_len, &tmp, perr);
    if (rc) return rc;
    recs[(*n)++] = tmp;
  }
  return RTG_OK;
}

int rtg_dtls_record_write(struct rtg_wr *wr, const struct rtg_dtls_record *rec) {
  struct rtg_wr w = *wr;
  int rc = 0;
  if (rec->payload.len > RTG_DTLS_RECORD_MAX || rec->cid.len > RTG_DTLS_CID_MAX)
    return RTG_ERR_INVAL;
  if (rec->unified) {
    uint8_t b = 0x20;
    if (rec->seq_len != 1 && rec->seq_len != 2) return RTG_ERR_INVAL;
    if (rec->has_cid) b |= 0x10u;
    if (rec->seq_len == 2) b |= 0x08u;
    if (rec->has_length) b |= 0x04u;
    b |= (uint8_t)(rec->epoch & 0x03u);
    rc |= rtg_wr_u8(&w, b);
    if (rec->has_cid) rc |= rtg_wr_bytes(&w, rec->cid.p, rec->cid.len);
    if (rec->seq_len == 2)
      rc |= rtg_wr_u16(&w, (uint16_t)rec->seq);
    else
      rc |= rtg_wr_u8(&w, (uint8_t)rec->seq);
    if (rec->has_length) rc |= rtg_wr_u16(&w, (uint16_t)rec->payload.len);
  } else {
    if (rec->seq_len != 6 || rec->seq >> 48) return RTG_ERR_INVAL;
    rc |= rtg_wr_u8(&w, rec->type);
    rc |= rtg_wr_u16(&w, rec->version);
    rc |= rtg_wr_u16(&w, rec->epoch);
    rc |= rtg_wr_u48(&w, rec->seq);
    if (rec->type == RTG_DTLS_CT_TLS12_CID) rc |= rtg_wr_bytes(&w, rec->cid.p, rec->cid.len);
    rc |= rtg_wr_u16(&w, (uint16_t)rec->payload.len);
  }
  if (rec->payload.len) rc |= rtg_wr_bytes(&w, rec->payload.p, rec->payload.len);
  if (rc) return RTG_ERR_NOBUF;
  *wr = w;
  return RTG_OK;
}
