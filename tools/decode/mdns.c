/*
 * mdns.c - `--proto mdns`: one DNS message as multicast DNS uses it (RFC
 * 1035 §4, RFC 6762): header flags, questions (with the QU bit) and records
 * (with the cache-flush bit; A/AAAA data as addresses).
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "decode/decoder.h"
#include "rtg/mdns.h"

static const char *type_name(uint16_t t) {
  switch (t) {
    case RTG_DNS_TYPE_A: return "A";
    case RTG_DNS_TYPE_PTR: return "PTR";
    case RTG_DNS_TYPE_TXT: return "TXT";
    case RTG_DNS_TYPE_AAAA: return "AAAA";
    case RTG_DNS_TYPE_SRV: return "SRV";
    case RTG_DNS_TYPE_NSEC: return "NSEC";
    case RTG_DNS_TYPE_ANY: return "ANY";
    default: return NULL;
  }
}

static json_t *record_json(const struct rtg_mdns_record *r) {
  static const char *const sections[] = {"?", "answer", "authority", "additional"};
  const char *tn = type_name(r->type);
  json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:b,s:I}", "section", sections[r->section & 3], "name",
                        r->name, "type", r->type, "class", r->cls, "cache_flush", r->cache_flush,
                        "ttl", (json_int_t)r->ttl);
  char a[INET6_ADDRSTRLEN];
  if (tn) json_object_set_new(o, "type_name", json_string(tn));
  if (r->cls == RTG_DNS_CLASS_IN && (r->type == RTG_DNS_TYPE_A || r->type == RTG_DNS_TYPE_AAAA) &&
      inet_ntop(r->type == RTG_DNS_TYPE_A ? AF_INET : AF_INET6, r->rdata.p, a, sizeof a))
    json_object_set_new(o, "address", json_string(a));
  else
    json_object_set_new(o, "rdata", rtg_json_hex(r->rdata.p, r->rdata.len));
  return o;
}

static json_t *msg_json(const struct rtg_mdns_msg *m) {
  json_t *o = json_object(), *qs = json_array(), *rs = json_array();
  json_object_set_new(o, "proto", json_string("mdns"));
  json_object_set_new(o, "id", json_integer(m->id));
  json_object_set_new(o, "response", json_boolean((m->flags & RTG_DNS_FLAG_QR) != 0));
  json_object_set_new(o, "authoritative", json_boolean((m->flags & RTG_DNS_FLAG_AA) != 0));
  json_object_set_new(o, "opcode", json_integer((m->flags >> 11) & 15));
  json_object_set_new(o, "rcode", json_integer(m->flags & 15));
  for (size_t i = 0; i < m->nquestions; i++) {
    const char *tn = type_name(m->q[i].type);
    json_t *q = json_pack("{s:s,s:i,s:i,s:b}", "name", m->q[i].name, "type", m->q[i].type, "class",
                          m->q[i].cls, "unicast_response", m->q[i].unicast_response);
    if (tn) json_object_set_new(q, "type_name", json_string(tn));
    json_array_append_new(qs, q);
  }
  for (size_t i = 0; i < m->nrecords; i++) json_array_append_new(rs, record_json(&m->rr[i]));
  json_object_set_new(o, "questions", qs);
  json_object_set_new(o, "records", rs);
  if (m->skipped) json_object_set_new(o, "not_listed", json_integer((json_int_t)m->skipped));
  return o;
}

static int decode_mdns(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  struct rtg_mdns_msg *m = malloc(sizeof *m);
  int rc;
  (void)opts;
  if (m == NULL) return RTG_ERR_NOMEM;
  rc = rtg_mdns_msg_parse(m, data, len, perr);
  if (rc == 0) *out = msg_json(m);
  free(m);
  return rc;
}

const struct rtg_decoder rtg_decoder_mdns = {
    "mdns", "DNS / multicast DNS message (RFC 1035, RFC 6762): questions, A/AAAA records",
    decode_mdns};
