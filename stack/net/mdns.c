/*
 * mdns.c - DNS messages as multicast DNS uses them (RFC 1035 §4, RFC 6762):
 * parsing with name decompression, one-shot queries and address answers.
 *
 *                                   1  1  1  1  1  1
 *     0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
 *   |                    QDCOUNT                    |
 *   |                    ANCOUNT                    |
 *   |                    NSCOUNT                    |
 *   |                    ARCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+   RFC 1035 §4.1.1
 */
#include "rtg/mdns.h"

#include <stdio.h>

#define DNS_HDR_LEN 12
#define DNS_LABEL_MAX 63
#define DNS_NAME_WIRE_MAX 255

/* Appends label byte |c| to the dotted name being built in |out|, escaped
 * as \DDD when it is not a plain printable character (RFC 4343 §2.1). */
static void name_put(char *out, size_t *o, uint8_t c) {
  if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
    out[(*o)++] = (char)c;
    return;
  }
  out[(*o)++] = '\\';
  out[(*o)++] = (char)('0' + c / 100);
  out[(*o)++] = (char)('0' + (c / 10) % 10);
  out[(*o)++] = (char)('0' + c % 10);
}

/* Reads a possibly compressed name at |rd| (RFC 1035 §4.1.4) into |out|
 * (RTG_MDNS_NAME_MAX bytes). A pointer must point before the start of the
 * run of labels that contains it, so every jump goes strictly backwards and
 * decompression ends. |rd| moves past the name as it is in place (up to and
 * including the first pointer). */
static int read_name(struct rtg_rd *rd, char *out, struct rtg_perr *perr) {
  const uint8_t *msg = rd->base;
  size_t msglen = (size_t)(rd->end - rd->base);
  size_t at = rtg_rd_offset(rd), floor = at, wire = 0, o = 0, in_place_end = 0;
  bool jumped = false;
  for (;;) {
    uint8_t b;
    if (at >= msglen)
      return rtg_perr_set(perr, at, "dns.name", "name runs past the end", "RFC 1035 §4.1.4");
    b = msg[at];
    if ((b & 0xC0) == 0xC0) {
      size_t target;
      if (at + 1 >= msglen)
        return rtg_perr_set(perr, at, "dns.name.pointer", "pointer truncated", "RFC 1035 §4.1.4");
      target = ((size_t)(b & 0x3F) << 8) | msg[at + 1];
      if (target >= floor)
        return rtg_perr_set(perr, at, "dns.name.pointer", "pointer does not point backwards",
                            "RFC 1035 §4.1.4");
      if (!jumped) in_place_end = at + 2;
      jumped = true;
      floor = target;
      at = target;
      continue;
    }
    if (b & 0xC0)
      return rtg_perr_set(perr, at, "dns.name.label", "reserved label type", "RFC 6891 §5");
    wire += 1u + b;
    if (wire > DNS_NAME_WIRE_MAX)
      return rtg_perr_set(perr, at, "dns.name", "name longer than 255 octets", "RFC 1035 §2.3.4");
    if (b == 0) {
      if (!jumped) in_place_end = at + 1;
      break;
    }
    if (at + 1 + b > msglen)
      return rtg_perr_set(perr, at, "dns.name.label", "label runs past the end", "RFC 1035 §4.1.4");
    if (o) out[o++] = '.';
    for (size_t i = 0; i < b; i++) name_put(out, &o, msg[at + 1 + i]);
    at += 1u + b;
  }
  out[o] = '\0';
  rd->p = rd->base + in_place_end;
  return RTG_OK;
}

static int read_question(struct rtg_rd *rd, struct rtg_mdns_question *q, struct rtg_perr *perr) {
  size_t off;
  uint16_t cls;
  int rc = read_name(rd, q->name, perr);
  if (rc) return rc;
  off = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, &q->type) || rtg_rd_u16(rd, &cls))
    return rtg_perr_set(perr, off, "dns.question", "question truncated", "RFC 1035 §4.1.2");
  q->unicast_response = (cls & RTG_MDNS_CLASS_TOP_BIT) != 0;
  q->cls = (uint16_t)(cls & ~RTG_MDNS_CLASS_TOP_BIT);
  return RTG_OK;
}

static int read_record(struct rtg_rd *rd, struct rtg_mdns_record *r, struct rtg_perr *perr) {
  size_t off;
  uint16_t cls, rdlen;
  int rc = read_name(rd, r->name, perr);
  if (rc) return rc;
  off = rtg_rd_offset(rd);
  if (rtg_rd_u16(rd, &r->type) || rtg_rd_u16(rd, &cls) || rtg_rd_u32(rd, &r->ttl) ||
      rtg_rd_u16(rd, &rdlen))
    return rtg_perr_set(perr, off, "dns.rr", "record header truncated", "RFC 1035 §4.1.3");
  off = rtg_rd_offset(rd);
  if (rtg_rd_bytes(rd, rdlen, &r->rdata))
    return rtg_perr_set(perr, off, "dns.rr.rdlength", "record data runs past the end",
                        "RFC 1035 §4.1.3");
  r->cache_flush = (cls & RTG_MDNS_CLASS_TOP_BIT) != 0;
  r->cls = (uint16_t)(cls & ~RTG_MDNS_CLASS_TOP_BIT);
  if (r->cls == RTG_DNS_CLASS_IN && r->type == RTG_DNS_TYPE_A && rdlen != 4)
    return rtg_perr_set(perr, off - 2, "dns.rr.rdlength", "A record data is not 4 octets",
                        "RFC 1035 §3.4.1");
  if (r->cls == RTG_DNS_CLASS_IN && r->type == RTG_DNS_TYPE_AAAA && rdlen != 16)
    return rtg_perr_set(perr, off - 2, "dns.rr.rdlength", "AAAA record data is not 16 octets",
                        "RFC 3596 §2.2");
  return RTG_OK;
}

int rtg_mdns_msg_parse(struct rtg_mdns_msg *msg, const uint8_t *data, size_t len,
                       struct rtg_perr *perr) {
  struct rtg_rd rd;
  size_t nrr;
  memset(msg, 0, sizeof *msg);
  rtg_rd_init(&rd, data, len);
  if (rtg_rd_u16(&rd, &msg->id) || rtg_rd_u16(&rd, &msg->flags) || rtg_rd_u16(&rd, &msg->qdcount) ||
      rtg_rd_u16(&rd, &msg->ancount) || rtg_rd_u16(&rd, &msg->nscount) ||
      rtg_rd_u16(&rd, &msg->arcount))
    return rtg_perr_set(perr, 0, "dns.header", "shorter than the 12-byte header",
                        "RFC 1035 §4.1.1");
  for (size_t i = 0; i < msg->qdcount; i++) {
    struct rtg_mdns_question scratch;
    struct rtg_mdns_question *q = i < RTG_MDNS_MAX_QUESTIONS ? &msg->q[i] : &scratch;
    int rc = read_question(&rd, q, perr);
    if (rc) return rc;
    if (q == &scratch) msg->skipped++;
  }
  msg->nquestions = msg->qdcount < RTG_MDNS_MAX_QUESTIONS ? msg->qdcount : RTG_MDNS_MAX_QUESTIONS;
  nrr = (size_t)msg->ancount + msg->nscount + msg->arcount;
  for (size_t i = 0; i < nrr; i++) {
    struct rtg_mdns_record scratch;
    struct rtg_mdns_record *r = i < RTG_MDNS_MAX_RECORDS ? &msg->rr[i] : &scratch;
    int rc = read_record(&rd, r, perr);
    if (rc) return rc;
    r->section = i < msg->ancount                          ? RTG_DNS_ANSWER
                 : i < (size_t)msg->ancount + msg->nscount ? RTG_DNS_AUTHORITY
                                                           : RTG_DNS_ADDITIONAL;
    if (r == &scratch) msg->skipped++;
  }
  msg->nrecords = nrr < RTG_MDNS_MAX_RECORDS ? nrr : RTG_MDNS_MAX_RECORDS;
  if (!rtg_rd_empty(&rd))
    return rtg_perr_set(perr, rtg_rd_offset(&rd), "dns", "bytes after the last record",
                        "RFC 1035 §4.1");
  return RTG_OK;
}

/* Writes |name| as uncompressed labels. RTG_ERR_INVAL for a name that
 * cannot be one (empty label, label > 63, name > 255 octets). */
static int write_name(struct rtg_wr *wr, const char *name) {
  size_t n = strlen(name), wire = 1, start = 0;
  if (n && name[n - 1] == '.') n--;
  /* parsed names show odd label bytes as \DDD: such text is not a name
   * to write back label by label */
  if (n == 0 || memchr(name, '\\', n) != NULL) return RTG_ERR_INVAL;
  while (start <= n) {
    size_t end = start;
    while (end < n && name[end] != '.') end++;
    if (end == start || end - start > DNS_LABEL_MAX) return RTG_ERR_INVAL;
    wire += 1 + end - start;
    if (wire > DNS_NAME_WIRE_MAX) return RTG_ERR_INVAL;
    if (rtg_wr_u8(wr, (uint8_t)(end - start)) || rtg_wr_bytes(wr, name + start, end - start))
      return RTG_ERR_NOBUF;
    start = end + 1;
  }
  return rtg_wr_u8(wr, 0);
}

static int write_header(struct rtg_wr *wr, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an) {
  if (rtg_wr_u16(wr, id) || rtg_wr_u16(wr, flags) || rtg_wr_u16(wr, qd) || rtg_wr_u16(wr, an) ||
      rtg_wr_u32(wr, 0))
    return RTG_ERR_NOBUF;
  return RTG_OK;
}

ptrdiff_t rtg_mdns_build_query(void *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                               bool unicast_response) {
  struct rtg_wr wr;
  uint16_t cls = (uint16_t)(RTG_DNS_CLASS_IN | (unicast_response ? RTG_MDNS_CLASS_TOP_BIT : 0));
  int rc;
  rtg_wr_init(&wr, buf, cap);
  if ((rc = write_header(&wr, id, 0, 1, 0)) != 0) return rc;
  if ((rc = write_name(&wr, name)) != 0) return rc;
  if (rtg_wr_u16(&wr, qtype) || rtg_wr_u16(&wr, cls)) return RTG_ERR_NOBUF;
  return (ptrdiff_t)rtg_wr_len(&wr);
}

ptrdiff_t rtg_mdns_build_answer(void *buf, size_t cap, uint16_t id, const char *name,
                                const struct rtg_net_addr *addr, uint32_t ttl, bool echo_question) {
  struct rtg_wr wr;
  uint16_t type;
  size_t alen;
  int rc;
  if (addr->family != 4 && addr->family != 6) return RTG_ERR_INVAL;
  type = addr->family == 4 ? RTG_DNS_TYPE_A : RTG_DNS_TYPE_AAAA;
  alen = addr->family == 4 ? 4 : 16;
  rtg_wr_init(&wr, buf, cap);
  rc = write_header(&wr, id, RTG_DNS_FLAG_QR | RTG_DNS_FLAG_AA, echo_question ? 1 : 0, 1);
  if (rc) return rc;
  if (echo_question) {
    if ((rc = write_name(&wr, name)) != 0) return rc;
    if (rtg_wr_u16(&wr, type) || rtg_wr_u16(&wr, RTG_DNS_CLASS_IN)) return RTG_ERR_NOBUF;
  }
  if ((rc = write_name(&wr, name)) != 0) return rc;
  if (rtg_wr_u16(&wr, type) || rtg_wr_u16(&wr, RTG_DNS_CLASS_IN | RTG_MDNS_CLASS_TOP_BIT) ||
      rtg_wr_u32(&wr, ttl) || rtg_wr_u16(&wr, (uint16_t)alen) || rtg_wr_bytes(&wr, addr->ip, alen))
    return RTG_ERR_NOBUF;
  return (ptrdiff_t)rtg_wr_len(&wr);
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

bool rtg_mdns_name_equal(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na && a[na - 1] == '.') na--;
  if (nb && b[nb - 1] == '.') nb--;
  if (na != nb) return false;
  for (size_t i = 0; i < na; i++)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

int rtg_mdns_msg_lookup(const struct rtg_mdns_msg *msg, const char *name, uint8_t family,
                        struct rtg_net_addr *out) {
  if (!(msg->flags & RTG_DNS_FLAG_QR)) return RTG_ERR_INVAL;
  for (size_t i = 0; i < msg->nrecords; i++) {
    const struct rtg_mdns_record *r = &msg->rr[i];
    uint8_t fam;
    if (r->section == RTG_DNS_AUTHORITY || r->cls != RTG_DNS_CLASS_IN) continue;
    if (r->type == RTG_DNS_TYPE_A)
      fam = 4;
    else if (r->type == RTG_DNS_TYPE_AAAA)
      fam = 6;
    else
      continue;
    if ((family && fam != family) || !rtg_mdns_name_equal(r->name, name)) continue;
    memset(out, 0, sizeof *out);
    out->family = fam;
    memcpy(out->ip, r->rdata.p, r->rdata.len);
    return RTG_OK;
  }
  return RTG_ERR_NOTFOUND;
}
