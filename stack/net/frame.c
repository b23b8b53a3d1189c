/*
 * frame.c - link layer (Ethernet, Linux cooked v1/v2, raw IP, loopback),
 * IPv4 (RFC 791) / IPv6 (RFC 8200) and UDP (RFC 768) / TCP (RFC 9293)
 * header decoding for capture replay.
 */
#include <stdio.h>
#include <string.h>

#include "rtg/net.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8

bool rtg_net_linktype_supported(int linktype) {
  switch (linktype) {
    case RTG_LINK_NULL:
    case RTG_LINK_ETHERNET:
    case RTG_LINK_RAW:
    case RTG_LINK_LOOP:
    case RTG_LINK_LINUX_SLL:
    case RTG_LINK_IPV4:
    case RTG_LINK_IPV6:
    case RTG_LINK_LINUX_SLL2: return true;
    default: return false;
  }
}

static int by_ethertype(uint16_t et, const uint8_t *data, size_t len, size_t off,
                        struct rtg_net_pkt *out, struct rtg_perr *perr) {
  if (et == ETH_IPV4 || et == ETH_IPV6)
    return rtg_net_ip_parse(data + off, len - off, off, out, perr);
  rtg_perr_set(perr, off, "link.ethertype", et == 0x0806 ? "ARP frame, not IP" : "not an IP frame",
               NULL);
  return RTG_ERR_UNSUPPORTED;
}

int rtg_net_frame_parse(int linktype, const uint8_t *data, size_t len, struct rtg_net_pkt *out,
                        struct rtg_perr *perr) {
  struct rtg_rd rd;
  uint16_t et;
  uint32_t af;
  memset(out, 0, sizeof *out);
  rtg_rd_init(&rd, data, len);
  switch (linktype) {
    case RTG_LINK_ETHERNET:
      /* dst(6) src(6) [802.1Q/802.1ad tags(4)...] ethertype(2) */
      if (rtg_rd_skip(&rd, 12) || rtg_rd_u16(&rd, &et))
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "eth", "truncated Ethernet header", NULL);
      while (et == ETH_VLAN || et == ETH_QINQ) {
        if (rtg_rd_skip(&rd, 2) || rtg_rd_u16(&rd, &et))
          return rtg_perr_set(perr, rtg_rd_offset(&rd), "eth.vlan", "truncated VLAN tag", NULL);
      }
      return by_ethertype(et, data, len, rtg_rd_offset(&rd), out, perr);
    case RTG_LINK_LINUX_SLL:
      /* packet type(2) arphrd(2) addr len(2) addr(8) protocol(2) */
      if (rtg_rd_skip(&rd, 14) || rtg_rd_u16(&rd, &et))
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "sll", "truncated Linux cooked header", NULL);
      return by_ethertype(et, data, len, 16, out, perr);
    case RTG_LINK_LINUX_SLL2:
      /* protocol(2) reserved(2) ifindex(4) arphrd(2) pkttype(1) addrlen(1) addr(8) */
      if (rtg_rd_u16(&rd, &et) || rtg_rd_skip(&rd, 18))
        return rtg_perr_set(perr, rtg_rd_offset(&rd), "sll2", "truncated Linux cooked v2 header",
                            NULL);
      return by_ethertype(et, data, len, 20, out, perr);
    case RTG_LINK_NULL:
    case RTG_LINK_LOOP:
      if (rtg_rd_u32(&rd, &af))
        return rtg_perr_set(perr, 0, "loopback", "truncated loopback header", NULL);
      /* NULL is host byte order of the capturing machine: accept both. The
       * IP version nibble decides, the AF value is only sanity-checked. */
      (void)af;
      return rtg_net_ip_parse(data + 4, len - 4, 4, out, perr);
    case RTG_LINK_RAW:
    case RTG_LINK_IPV4:
    case RTG_LINK_IPV6: return rtg_net_ip_parse(data, len, 0, out, perr);
    default:
      rtg_perr_set(perr, 0, "link", "unsupported link type", NULL);
      return RTG_ERR_UNSUPPORTED;
  }
}

static int ipv4_parse(struct rtg_rd *rd, size_t base, struct rtg_net_pkt *out,
                      struct rtg_perr *perr) {
  /* RFC 791 §3.1 */
  uint8_t vihl, tos, ttl, proto;
  uint16_t total, id, frag, csum;
  size_t ihl;
  const uint8_t *start = rd->p;
  struct rtg_slice payload;
  if (rtg_rd_u8(rd, &vihl) || rtg_rd_u8(rd, &tos) || rtg_rd_u16(rd, &total) ||
      rtg_rd_u16(rd, &id) || rtg_rd_u16(rd, &frag) || rtg_rd_u8(rd, &ttl) ||
      rtg_rd_u8(rd, &proto) || rtg_rd_u16(rd, &csum) || rtg_rd_copy(rd, out->src.ip, 4) ||
      rtg_rd_copy(rd, out->dst.ip, 4))
    return rtg_perr_set(perr, base, "ipv4", "truncated IPv4 header", "RFC 791 §3.1");
  ihl = (size_t)(vihl & 15) * 4;
  if (ihl < 20)
    return rtg_perr_set(perr, base, "ipv4.ihl", "header length under 20", "RFC 791 §3.1");
  if (total < ihl)
    return rtg_perr_set(perr, base + 2, "ipv4.total_length", "shorter than the header",
                        "RFC 791 §3.1");
  if ((size_t)(rd->end - start) < total)
    return rtg_perr_set(perr, base + 2, "ipv4.total_length", "packet truncated (snaplen?)",
                        "RFC 791 §3.1");
  if (rtg_rd_skip(rd, ihl - 20))
    return rtg_perr_set(perr, base + 20, "ipv4.options", "truncated options", "RFC 791 §3.1");
  payload.p = start + ihl;
  payload.len = total - ihl;
  out->ip_version = 4;
  out->src.family = out->dst.family = 4;
  out->proto = proto;
  out->l3_payload = payload;
  out->frag_id = id;
  out->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
  out->more_fragments = (frag & 0x2000) != 0;
  out->is_fragment = out->more_fragments || out->frag_offset != 0;
  (void)tos;
  (void)ttl;
  (void)csum;
  return RTG_OK;
}

static bool ipv6_ext(uint8_t nh) {
  return nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 135 || nh == 139 || nh == 140;
}

static int ipv6_parse(struct rtg_rd *rd, size_t base, struct rtg_net_pkt *out,
                      struct rtg_perr *perr) {
  /* RFC 8200 §3 */
  uint32_t vtf;
  uint16_t plen;
  uint8_t nh, hlim;
  struct rtg_rd body;
  if (rtg_rd_u32(rd, &vtf) || rtg_rd_u16(rd, &plen) || rtg_rd_u8(rd, &nh) || rtg_rd_u8(rd, &hlim) ||
      rtg_rd_copy(rd, out->src.ip, 16) || rtg_rd_copy(rd, out->dst.ip, 16))
    return rtg_perr_set(perr, base, "ipv6", "truncated IPv6 header", "RFC 8200 §3");
  if (rtg_rd_sub(rd, plen, &body))
    return rtg_perr_set(perr, base + 4, "ipv6.payload_length", "packet truncated (snaplen?)",
                        "RFC 8200 §3");
  out->ip_version = 6;
  out->src.family = out->dst.family = 6;
  (void)hlim;
  /* Walk extension headers (RFC 8200 §4); a Fragment header (44) marks a
   * fragment whose data is the rest. */
  for (int guard = 0; guard < 16; guard++) {
    uint8_t next, hlen;
    if (nh == 44) {
      uint8_t res;
      uint16_t offm;
      uint32_t id;
      size_t at = rtg_rd_offset(&body);
      if (rtg_rd_u8(&body, &next) || rtg_rd_u8(&body, &res) || rtg_rd_u16(&body, &offm) ||
          rtg_rd_u32(&body, &id))
        return rtg_perr_set(perr, at, "ipv6.fragment", "truncated Fragment header",
                            "RFC 8200 §4.5");
      (void)res;
      out->frag_id = id;
      out->frag_offset = (uint32_t)(offm & 0xfff8);
      out->more_fragments = (offm & 1) != 0;
      out->is_fragment = out->more_fragments || out->frag_offset != 0;
      nh = next;
      if (out->is_fragment) break;
      continue;
    }
    if (!ipv6_ext(nh)) break;
    {
      size_t at = rtg_rd_offset(&body);
      size_t n;
      if (rtg_rd_u8(&body, &next) || rtg_rd_u8(&body, &hlen))
        return rtg_perr_set(perr, at, "ipv6.ext", "truncated extension header", "RFC 8200 §4");
      n = nh == 51 ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8; /* AH counts 4-byte units */
      if (rtg_rd_skip(&body, n - 2))
        return rtg_perr_set(perr, at, "ipv6.ext", "extension header overruns packet",
                            "RFC 8200 §4");
      nh = next;
    }
  }
  out->proto = nh;
  out->l3_payload.p = body.p;
  out->l3_payload.len = rtg_rd_left(&body);
  return RTG_OK;
}

int rtg_net_transport_parse(struct rtg_net_pkt *pkt, struct rtg_perr *perr) {
  struct rtg_rd rd;
  rtg_rd_init(&rd, pkt->l3_payload.p, pkt->l3_payload.len);
  pkt->payload.p = NULL;
  pkt->payload.len = 0;
  if (pkt->proto == RTG_NET_PROTO_UDP) {
    /* RFC 768 */
    uint16_t ulen, csum;
    if (rtg_rd_u16(&rd, &pkt->src.port) || rtg_rd_u16(&rd, &pkt->dst.port) ||
        rtg_rd_u16(&rd, &ulen) || rtg_rd_u16(&rd, &csum))
      return rtg_perr_set(perr, 0, "udp", "truncated UDP header", "RFC 768");
    (void)csum;
    if (ulen < 8 || ulen > pkt->l3_payload.len)
      return rtg_perr_set(perr, 4, "udp.length", "length does not match the IP payload", "RFC 768");
    pkt->payload.p = rd.p;
    pkt->payload.len = (size_t)ulen - 8;
    return RTG_OK;
  }
  if (pkt->proto == RTG_NET_PROTO_TCP) {
    /* RFC 9293 §3.1 */
    uint32_t seq, ack;
    uint8_t off, flags;
    size_t hlen;
    if (rtg_rd_u16(&rd, &pkt->src.port) || rtg_rd_u16(&rd, &pkt->dst.port) ||
        rtg_rd_u32(&rd, &seq) || rtg_rd_u32(&rd, &ack) || rtg_rd_u8(&rd, &off) ||
        rtg_rd_u8(&rd, &flags))
      return rtg_perr_set(perr, 0, "tcp", "truncated TCP header", "RFC 9293 §3.1");
    (void)ack;
    hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20 || hlen > pkt->l3_payload.len)
      return rtg_perr_set(perr, 12, "tcp.data_offset", "header length out of range",
                          "RFC 9293 §3.1");
    pkt->tcp_seq = seq;
    pkt->tcp_flags = flags;
    pkt->payload.p = pkt->l3_payload.p + hlen;
    pkt->payload.len = pkt->l3_payload.len - hlen;
    return RTG_OK;
  }
  return RTG_OK; /* other protocols: no transport payload */
}

int rtg_net_ip_parse(const uint8_t *data, size_t len, size_t base_off, struct rtg_net_pkt *out,
                     struct rtg_perr *perr) {
  struct rtg_rd rd;
  uint8_t v;
  int rc;
  rtg_rd_init(&rd, data, len);
  if (rtg_rd_peek_u8(&rd, &v)) return rtg_perr_set(perr, base_off, "ip", "empty IP packet", NULL);
  switch (v >> 4) {
    case 4: rc = ipv4_parse(&rd, base_off, out, perr); break;
    case 6: rc = ipv6_parse(&rd, base_off, out, perr); break;
    default: return rtg_perr_set(perr, base_off, "ip.version", "neither IPv4 nor IPv6", NULL);
  }
  if (rc || out->is_fragment) return rc;
  return rtg_net_transport_parse(out, perr);
}

void rtg_net_addr_format(const struct rtg_net_addr *a, char *buf, size_t cap) {
  if (a->family == 4) {
    snprintf(buf, cap, "%u.%u.%u.%u:%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3], a->port);
  } else if (a->family == 6) {
    char h[48];
    int n = 0;
    for (int i = 0; i < 16; i += 2)
      n += snprintf(h + n, sizeof h - (size_t)n, i ? ":%x" : "%x", rtg_load_u16(a->ip + i));
    snprintf(buf, cap, "[%s]:%u", h, a->port);
  } else {
    snprintf(buf, cap, "?");
  }
}
