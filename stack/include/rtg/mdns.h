/*
 * rtg/mdns.h - the DNS message codec (RFC 1035 §4) as multicast DNS uses it
 * (RFC 6762): one-shot queries for the `.local` names WebRTC puts in its
 * host candidates (draft-ietf-mmusic-mdns-ice-candidates), answers with A
 * and AAAA records, name compression (RFC 1035 §4.1.4). Code in
 * stack/net/mdns.c.
 *
 * Sans-IO: the caller owns the multicast socket (224.0.0.251 / ff02::fb,
 * port 5353). Parsed messages copy names (decompressed) into the result
 * and point into the input for record data.
 */
#ifndef RTG_MDNS_H
#define RTG_MDNS_H

#include "rtg/core.h"
#include "rtg/net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTG_MDNS_PORT 5353
/* A name is at most 255 octets on the wire (RFC 1035 §2.3.4); written
 * dotted with every label byte possibly escaped as \\DDD, 4*255 + NUL. */
#define RTG_MDNS_NAME_MAX 1024
#define RTG_MDNS_MAX_QUESTIONS 8
#define RTG_MDNS_MAX_RECORDS 24 /* answer + authority + additional kept */

enum rtg_dns_type {
  RTG_DNS_TYPE_A = 1,
  RTG_DNS_TYPE_PTR = 12,
  RTG_DNS_TYPE_TXT = 16,
  RTG_DNS_TYPE_AAAA = 28,
  RTG_DNS_TYPE_SRV = 33,
  RTG_DNS_TYPE_NSEC = 47,
  RTG_DNS_TYPE_ANY = 255,
};

#define RTG_DNS_CLASS_IN 1
#define RTG_DNS_FLAG_QR 0x8000u        /* response */
#define RTG_DNS_FLAG_AA 0x0400u        /* authoritative (RFC 6762 §18.4: set in responses) */
#define RTG_MDNS_CLASS_TOP_BIT 0x8000u /* QU in questions, cache-flush in records (§5.4, §10.2) */

/* Which section a record came from. */
enum rtg_dns_section {
  RTG_DNS_ANSWER = 1,
  RTG_DNS_AUTHORITY = 2,
  RTG_DNS_ADDITIONAL = 3,
};

struct rtg_mdns_question {
  char name[RTG_MDNS_NAME_MAX]; /* dotted, without the final dot */
  uint16_t type;
  uint16_t cls; /* without the QU bit */
  bool unicast_response;
};

struct rtg_mdns_record {
  char name[RTG_MDNS_NAME_MAX];
  uint8_t section; /* enum rtg_dns_section */
  uint16_t type;
  uint16_t cls; /* without the cache-flush bit */
  bool cache_flush;
  uint32_t ttl;
  struct rtg_slice rdata; /* points into the parsed message */
};

struct rtg_mdns_msg {
  uint16_t id;
  uint16_t flags;
  uint16_t qdcount, ancount, nscount, arcount;
  size_t nquestions; /* stored (at most RTG_MDNS_MAX_QUESTIONS) */
  struct rtg_mdns_question q[RTG_MDNS_MAX_QUESTIONS];
  size_t nrecords; /* stored (at most RTG_MDNS_MAX_RECORDS) */
  struct rtg_mdns_record rr[RTG_MDNS_MAX_RECORDS];
  size_t skipped; /* questions/records validated but not stored */
};

/* rtg_mdns_msg_parse decodes the DNS message that is all of |data| (one UDP
 * datagram): the header (RFC 1035 §4.1.1), every question (§4.1.2) and
 * resource record (§4.1.3), names with compression pointers (§4.1.4; a
 * pointer must point before the label that holds it, so no loop is
 * possible), label lengths (at most 63) and name lengths (at most 255), A
 * and AAAA data lengths (4 and 16), and that nothing follows the last
 * record. Label bytes that are not printable ASCII, '.' or '\\' appear as
 * "\\DDD" in the names (RFC 4343 §2.1). |perr| (may be NULL) says what and
 * where.
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_mdns_msg_parse(struct rtg_mdns_msg *msg, const uint8_t *data, size_t len,
                                     struct rtg_perr *perr);

/* rtg_mdns_build_query writes a one-shot query (RFC 6762 §5.1) for |name|
 * (dotted, an optional final dot ignored) and |qtype| into |buf|, with
 * message id |id| and the QU bit when |unicast_response| (§5.4).
 * returns the message length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL
 * (empty label, label over 63 octets, name over 255, a '\\': the escaped
 * form rtg_mdns_msg_parse gives odd label bytes is not written back). */
RTG_NODISCARD ptrdiff_t rtg_mdns_build_query(void *buf, size_t cap, uint16_t id, const char *name,
                                             uint16_t qtype, bool unicast_response);

/* rtg_mdns_build_answer writes a response (QR|AA, RFC 6762 §18) with message
 * id |id| carrying one A (|addr| IPv4) or AAAA (IPv6) record for |name|,
 * cache-flush set (§10.2), TTL |ttl| seconds (RFC 6762 §10: 120 for host
 * records). When |echo_question| the question is repeated (what a responder
 * does for a legacy unicast query, §6.7).
 * returns the message length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD ptrdiff_t rtg_mdns_build_answer(void *buf, size_t cap, uint16_t id, const char *name,
                                              const struct rtg_net_addr *addr, uint32_t ttl,
                                              bool echo_question);

/* rtg_mdns_msg_lookup finds, in the answer and additional records of a
 * response |msg|, an address record (A or AAAA, class IN) for |name|
 * (compared case-insensitively, RFC 6762 §16; a final dot ignored) and
 * stores it in |out| (port 0). |family| 4 or 6 asks for that family, 0
 * takes the first of either.
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_INVAL (|msg| is a query). */
RTG_NODISCARD int rtg_mdns_msg_lookup(const struct rtg_mdns_msg *msg, const char *name,
                                      uint8_t family, struct rtg_net_addr *out);

/* rtg_mdns_name_equal compares two dotted names case-insensitively (ASCII
 * only, RFC 6762 §16), ignoring one final dot on either. */
bool rtg_mdns_name_equal(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif /* RTG_MDNS_H */
