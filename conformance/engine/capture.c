/*
 * capture.c - reads pcap/pcapng through libpcap and feeds every frame down
 * the decode path: link/IP (net module), IP reassembly, UDP or RFC 4571 TCP
 * framing, then the per-flow dispatcher. A damaged capture is read up to the
 * damage and reported as a finding, never a crash.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"

static void on_transport(struct rtg_replay *r, struct rtg_net_pkt *p) {
  int dir, f;
  if (p->proto == RTG_NET_PROTO_UDP) {
    r->udp++;
    /* DNS and mDNS (RFC 6762, port 5353: browsers announce their .local
     * candidate names) are not WebRTC: their first byte would demultiplex as
     * STUN under RFC 7983. */
    if (p->src.port == 53 || p->dst.port == 53 || p->src.port == 5353 || p->dst.port == 5353) {
      r->other_ip++;
      return;
    }
    f = rtg_flow_lookup(r, &p->src, &p->dst, RTG_NET_PROTO_UDP, -1, 0, &dir);
    if (f >= 0) rtg_replay_payload(r, f, dir, p->payload.p, p->payload.len);
    return;
  }
  if (p->proto == RTG_NET_PROTO_TCP) {
    struct rtg_slice s;
    struct rtg_flow *fl;
    r->tcp++;
    f = rtg_flow_lookup(r, &p->src, &p->dst, RTG_NET_PROTO_TCP, -1, 0, &dir);
    if (f < 0) return;
    fl = &r->flows[f];
    if (fl->tcp[dir] == NULL) {
      fl->tcp[dir] = malloc(sizeof *fl->tcp[dir]);
      if (fl->tcp[dir] == NULL) return;
      rtg_net_tcpframer_init(fl->tcp[dir]);
    }
    /* ICE-TCP carries RFC 4571 frames (RFC 6544 §3); drain every frame. */
    rtg_net_tcpframer_push(fl->tcp[dir], p->tcp_seq, p->tcp_flags, p->payload.p, p->payload.len);
    while (rtg_net_tcpframer_pop(fl->tcp[dir], &s) == 0) rtg_replay_payload(r, f, dir, s.p, s.len);
    return;
  }
  r->other_ip++;
}

static void on_frame(struct rtg_replay *r, int linktype, const uint8_t *data, size_t len) {
  struct rtg_net_pkt p;
  struct rtg_perr e;
  int rc;
  char msg[160];
  rtg_perr_clear(&e);
  rc = rtg_net_frame_parse(linktype, data, len, &p, &e);
  if (rc == RTG_ERR_UNSUPPORTED) {
    r->non_ip++;
    return;
  }
  if (rc) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_CAPTURE_UNDECODABLE, -1, "frame not decodable: %s", msg);
    return;
  }
  if (p.is_fragment) {
    bool done = false;
    rtg_perr_clear(&e);
    /* capture times are input: clamp before converting to nanoseconds */
    rc = rtg_net_defrag_add(&r->defrag,
                            r->cur_ts > 0 && r->cur_ts < 9e9 ? (rtg_time)(r->cur_ts * 1e9) : 0, &p,
                            &done, &e);
    if (rc) {
      rtg_perr_format(&e, msg, sizeof msg);
      rtg_finding(r, R_CAPTURE_UNDECODABLE, -1, "IP fragment rejected: %s", msg);
      return;
    }
    if (!done) return;
    if (p.proto == RTG_NET_PROTO_UDP)
      rtg_finding(r, R_IP_FRAGMENT, -1, "a %zu-byte UDP datagram arrived in IP fragments",
                  p.payload.len);
  }
  on_transport(r, &p);
}

/* Opens |path|, or reads from |fp| when it is non-NULL (then |path| is only
 * the name shown). |fp| is always consumed: closed here or by libpcap. */
static int capture_open(struct rtg_replay *r, const char *path, FILE *fp) {
  char errbuf[PCAP_ERRBUF_SIZE];
  struct rtg_capture_info *ci;
  pcap_t *pc;
  struct pcap_pkthdr *h;
  const u_char *data;
  int rc;
  if (r->ncaps >= RTG_REPLAY_MAX_CAPTURES) return -1;
  ci = &r->caps[r->ncaps];
  memset(ci, 0, sizeof *ci);
  snprintf(ci->path, sizeof ci->path, "%s", path);
  r->cur_cap = r->ncaps++;
  r->cur_pkt = 0;
  pc = fp ? pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf)
          : pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pc == NULL) {
    if (fp) fclose(fp); /* not taken over by libpcap on failure */
    snprintf(ci->error, sizeof ci->error, "cannot read capture: %s", errbuf);
    return -1;
  }
  /* libpcap hands out DLT_ values; they equal the LINKTYPE_ values the
   * decoder uses except for raw IP, whose DLT differs by platform. */
  ci->linktype = pcap_datalink(pc);
  if (ci->linktype == DLT_RAW) ci->linktype = RTG_LINK_RAW;
  if (!rtg_net_linktype_supported(ci->linktype)) {
    const char *name = pcap_datalink_val_to_name(ci->linktype);
    snprintf(ci->error, sizeof ci->error,
             "unsupported link type %d (%s); supported: Ethernet, Linux cooked v1/v2, raw IP, "
             "BSD loopback",
             ci->linktype, name ? name : "unknown");
    pcap_close(pc);
    return -1;
  }
  while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
    r->cur_pkt++;
    r->packets++;
    r->cur_ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec * 1e-9;
    if (!r->have_t0) {
      r->t0 = r->cur_ts;
      r->have_t0 = true;
    }
    r->cur_flow = -1;
    on_frame(r, ci->linktype, data, h->caplen);
  }
  ci->frames = r->cur_pkt;
  if (rc == PCAP_ERROR) {
    /* libpcap reports a short record as an error after the good ones. */
    ci->truncated = true;
    r->cur_pkt++;
    rtg_finding(r, R_CAPTURE_TRUNCATED, -1, "capture ends after frame %llu: %s",
                (unsigned long long)ci->frames, pcap_geterr(pc));
  }
  pcap_close(pc);
  return 0;
}

int rtg_replay_capture(struct rtg_replay *r, const char *path) {
  return capture_open(r, path, NULL);
}

int rtg_replay_capture_fp(struct rtg_replay *r, FILE *fp, const char *name) {
  return capture_open(r, name, fp);
}
