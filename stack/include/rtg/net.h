/*
 * rtg/net.h - link, network and transport layer decoding for captures:
 * Ethernet (with 802.1Q tags), Linux cooked v1/v2, raw IP, BSD loopback;
 * IPv4 and IPv6 (extension headers, fragments), UDP and TCP; IP fragment
 * reassembly and RFC 4571 framing of TCP streams (ICE-TCP).
 *
 * Sans-IO like the rest of the stack: the caller reads the capture (libpcap
 * in tools/) and hands frames in. Decoded structs point into the caller's
 * buffer.
 */
#ifndef RTG_NET_H
#define RTG_NET_H

#include "rtg/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* pcap LINKTYPE_ values this decoder understands. */
enum rtg_net_linktype {
  RTG_LINK_NULL = 0, /* BSD loopback, host-endian AF_ value */
  RTG_LINK_ETHERNET = 1,
  RTG_LINK_RAW = 101,       /* raw IPv4/IPv6 */
  RTG_LINK_LOOP = 108,      /* OpenBSD loopback, big-endian AF_ value */
  RTG_LINK_LINUX_SLL = 113, /* Linux cooked v1 */
  RTG_LINK_IPV4 = 228,
  RTG_LINK_IPV6 = 229,
  RTG_LINK_LINUX_SLL2 = 276, /* Linux cooked v2 */
};

/* true if |linktype| is one of the above. */
bool rtg_net_linktype_supported(int linktype);

struct rtg_net_addr {
  uint8_t family; /* 4 or 6 (0: unset) */
  uint8_t ip[16]; /* IPv4 in the first 4 bytes */
  uint16_t port;
};

enum { RTG_NET_PROTO_TCP = 6, RTG_NET_PROTO_UDP = 17 };

/* TCP flag bits as on the wire. */
enum { RTG_TCP_FIN = 0x01, RTG_TCP_SYN = 0x02, RTG_TCP_RST = 0x04, RTG_TCP_ACK = 0x10 };

struct rtg_net_pkt {
  uint8_t ip_version; /* 4 or 6 */
  uint8_t proto;      /* IP protocol of the transport payload */
  struct rtg_net_addr src, dst;
  /* IP fragment information: when |is_fragment| the transport fields are
   * not decoded and |l3_payload| is this fragment's data. */
  bool is_fragment;
  bool more_fragments;
  uint32_t frag_id;            /* IPv4 identification or IPv6 fragment id */
  uint32_t frag_offset;        /* bytes */
  struct rtg_slice l3_payload; /* payload after the IP header(s) */
  /* Transport (when !is_fragment and proto is UDP or TCP). */
  struct rtg_slice payload; /* UDP payload or TCP segment data */
  uint32_t tcp_seq;
  uint8_t tcp_flags;
};

/* rtg_net_frame_parse decodes one captured frame of |linktype| down to the
 * transport payload. Frames that are not IP (ARP, ...) give RTG_ERR_UNSUPPORTED
 * with |perr| naming what they are; IP protocols other than UDP/TCP give
 * RTG_OK with |out->proto| set and an empty |payload|.
 * returns 0 or one of: RTG_ERR_PARSE (|perr| says where), RTG_ERR_UNSUPPORTED. */
RTG_NODISCARD int rtg_net_frame_parse(int linktype, const uint8_t *data, size_t len,
                                      struct rtg_net_pkt *out, struct rtg_perr *perr);

/* rtg_net_ip_parse decodes an IPv4 or IPv6 packet (version from the first
 * nibble). Same results as rtg_net_frame_parse. */
RTG_NODISCARD int rtg_net_ip_parse(const uint8_t *data, size_t len, size_t base_off,
                                   struct rtg_net_pkt *out, struct rtg_perr *perr);

/* rtg_net_transport_parse decodes the UDP or TCP header of |pkt->l3_payload|
 * into |pkt| (used after reassembly). returns 0 or RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_net_transport_parse(struct rtg_net_pkt *pkt, struct rtg_perr *perr);

/* ---- IP fragment reassembly ------------------------------------------------ */

#define RTG_DEFRAG_SLOTS 16
#define RTG_DEFRAG_MAX 65535

/* Bounded reassembler: at most RTG_DEFRAG_SLOTS datagrams in progress (the
 * oldest is evicted), each at most 64 KiB, dropped after |timeout|. */
struct rtg_net_defrag_slot {
  bool used;
  uint8_t ip_version, proto;
  struct rtg_net_addr src, dst;
  uint32_t id;
  rtg_time first_seen;
  uint32_t total;   /* total length once the last fragment arrived, else 0 */
  uint32_t covered; /* bytes received (without overlap) */
  uint8_t *buf;     /* RTG_DEFRAG_MAX bytes */
  uint8_t *have;    /* bitmap of received 8-byte blocks */
};

struct rtg_net_defrag {
  const struct rtg_ctx *ctx;
  rtg_time timeout;
  struct rtg_net_defrag_slot slot[RTG_DEFRAG_SLOTS];
  uint8_t *out; /* last completed datagram (valid until the next add) */
  uint64_t evicted, timed_out, overlaps;
};

RTG_NODISCARD int rtg_net_defrag_init(struct rtg_net_defrag *d, const struct rtg_ctx *ctx,
                                      rtg_time timeout);
void rtg_net_defrag_free(struct rtg_net_defrag *d);

/* rtg_net_defrag_add feeds one fragment (|pkt->is_fragment|). When it
 * completes a datagram, |*done| is set, |pkt| is rewritten to describe the
 * whole datagram (transport decoded, slices into |d|'s buffer, valid until
 * the next call) and 0 is returned.
 * returns 0 or one of: RTG_ERR_PARSE (fragment beyond 64 KiB, inconsistent
 * last fragment), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_net_defrag_add(struct rtg_net_defrag *d, rtg_time now,
                                     struct rtg_net_pkt *pkt, bool *done, struct rtg_perr *perr);

/* ---- RFC 4571 framing over a TCP stream ------------------------------------------- */

/* One direction of a TCP connection carrying RFC 4571 frames:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   -----------------------------------------------------------------
 *   |             LENGTH            |  RTP or RTCP packet ...       |
 *   -----------------------------------------------------------------
 * Segments are accepted in sequence order; a retransmitted (already seen)
 * segment is ignored, a gap stops framing (|lost| is set). */
struct rtg_net_tcpframer {
  bool synced;
  bool lost;
  uint32_t next_seq;
  size_t start, end; /* unread bytes are buf[start..end) */
  uint8_t buf[2 * (65535 + 2)];
};

void rtg_net_tcpframer_init(struct rtg_net_tcpframer *f);
/* Feeds one segment. The caller drains rtg_net_tcpframer_pop after every
 * push (DESIGN.md drain rule), which keeps the buffer bounded. */
void rtg_net_tcpframer_push(struct rtg_net_tcpframer *f, uint32_t seq, uint8_t flags,
                            const uint8_t *data, size_t len);
/* Pops the next complete frame into |out| (a slice into |f|, valid until
 * the next push/pop). returns 0 or RTG_ERR_AGAIN when no full frame. */
RTG_NODISCARD int rtg_net_tcpframer_pop(struct rtg_net_tcpframer *f, struct rtg_slice *out);

/* Formats "1.2.3.4:5" or "[::1]:5" into |buf|. */
void rtg_net_addr_format(const struct rtg_net_addr *a, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
