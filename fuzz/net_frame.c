/*
 * net_frame - capture frame decoding: the first input byte picks the link
 * type, the rest is one frame. Decoded IP fragments go through a reassembler
 * and TCP payloads through an RFC 4571 framer, so a sequence of inputs in one
 * process also exercises reassembly state. Invariant: every slice handed out
 * lies inside the input or the reassembler's buffer.
 */
#include <stdlib.h>

#include "rtg/net.h"
#include "rtg_fuzz.h"

static const int links[] = {RTG_LINK_ETHERNET, RTG_LINK_LINUX_SLL, RTG_LINK_LINUX_SLL2,
                            RTG_LINK_RAW,      RTG_LINK_NULL,      RTG_LINK_LOOP,
                            RTG_LINK_IPV4,     RTG_LINK_IPV6};

static int inside(struct rtg_slice s, const uint8_t *p, size_t n) {
  return s.len == 0 || (s.p >= p && s.p + s.len <= p + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_net_pkt p;
  struct rtg_perr e;
  struct rtg_ctx ctx;
  struct rtg_net_defrag d;
  static struct rtg_net_tcpframer f;
  struct rtg_slice s;
  int rc;
  if (size < 1) return 0;
  rtg_perr_clear(&e);
  rc = rtg_net_frame_parse(links[data[0] % 8], data + 1, size - 1, &p, &e);
  if (rc) {
    if (e.reason == NULL) abort(); /* every failure says why */
    return 0;
  }
  if (!inside(p.payload, data + 1, size - 1) || !inside(p.l3_payload, data + 1, size - 1)) abort();
  rtg_ctx_default(&ctx);
  if (p.is_fragment && rtg_net_defrag_init(&d, &ctx, RTG_SEC(30)) == 0) {
    bool done;
    /* feed the same fragment twice as first and (shifted) last piece */
    if (rtg_net_defrag_add(&d, 0, &p, &done, NULL) == 0 && done &&
        !inside(p.payload, d.out, RTG_DEFRAG_MAX))
      abort();
    rtg_net_defrag_free(&d);
  }
  if (p.proto == RTG_NET_PROTO_TCP && !p.is_fragment) {
    rtg_net_tcpframer_init(&f);
    rtg_net_tcpframer_push(&f, p.tcp_seq, p.tcp_flags, p.payload.p, p.payload.len);
    while (rtg_net_tcpframer_pop(&f, &s) == 0)
      if (!inside(s, f.buf, sizeof f.buf)) abort();
  }
  return 0;
}
