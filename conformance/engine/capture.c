/*
 * capture.c - reads pcap/pcapng through libpcap and feeds every frame down
 * the decode path: link/IP (net module), IP reassembly, UDP or RFC 4571 TCP
 * framing, then the per-flow dispatcher. A damaged capture is read up to the
 * damage and reported as a finding, never a crash.
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Classic pcap records read in place.
 *
 * libpcap opens every capture, checks its header and link type, and reads
 * pcapng and anything unusual. For a classic pcap file in host byte order
 * (what tcpdump and editcap write here) the records that follow are then
 * taken straight from a mapped window of the file (16-byte record header,
 * then the frame), without the two copies and the 4 KB read() calls of
 * stdio: on a 100k-packet capture that was a fifth of the whole replay
 * (pread into a window costs about twice what mapping does: the page cache
 * lookups and the copy). Memory stays bounded by the window, not the file.
 * The file's size is taken again before each window is mapped, so a capture
 * cut short while it is replayed ends there (only a file truncated within
 * the 8 MB window being read could still fault). The first record that
 * is not plainly well formed (longer than the snapshot length, or cut by
 * the end of the file) is handed back to libpcap, which reads it and says
 * what is wrong exactly as before. */
#define MAP_WINDOW ((size_t)8 << 20)
#define PCAP_MAGIC_US 0xa1b2c3d4u /* record times in microseconds */
#define PCAP_MAGIC_NS 0xa1b23c4du /* in nanoseconds */
#define PCAP_V24 (2u | 4u << 16)  /* version_major 2, version_minor 4, as one host u32 */

struct window {
  int fd;
  uint64_t size;      /* file size */
  const uint8_t *map; /* [base, base + len) of the file, or NULL */
  uint64_t base;
  size_t len;
};

static void window_drop(struct window *w) {
  if (w->map != NULL) munmap((void *)(uintptr_t)w->map, w->len);
  w->map = NULL;
}

/* The bytes [off, off + n) of the file, mapping a new window when needed;
 * NULL past the end of the file or when mapping fails. */
static const uint8_t *window_get(struct window *w, uint64_t off, size_t n) {
  uint64_t base;
  size_t len;
  void *m;
  if (off > w->size || n > w->size - off) return NULL;
  if (w->map != NULL && off >= w->base && off + n <= w->base + w->len)
    return w->map + (off - w->base);
  window_drop(w);
  {
    struct stat st;
    if (fstat(w->fd, &st) != 0) return NULL;
    if ((uint64_t)st.st_size < w->size) w->size = (uint64_t)st.st_size;
    if (off > w->size || n > w->size - off) return NULL;
  }
  base = off & ~(uint64_t)0xffff; /* a multiple of any page size */
  len = w->size - base < MAP_WINDOW ? (size_t)(w->size - base) : MAP_WINDOW;
  if (off + n > base + len) len = (size_t)(off + n - base);
  m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, w->fd, (off_t)base);
  if (m == MAP_FAILED) return NULL;
  (void)madvise(m, len, MADV_SEQUENTIAL);
  w->map = m;
  w->base = base;
  w->len = len;
  return w->map + (off - base);
}

static uint32_t load_u32_host(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static void on_record(struct rtg_replay *r, int linktype, double ts, const uint8_t *data,
                      size_t len) {
  r->cur_pkt++;
  r->packets++;
  r->cur_ts = ts;
  if (!r->have_t0) {
    r->t0 = r->cur_ts;
    r->have_t0 = true;
  }
  r->cur_flow = -1;
  on_frame(r, linktype, data, len);
}

/* Reads the records of the classic pcap file behind |fp| (libpcap has just
 * read its header) in place, and leaves |fp| at the first record it did not
 * take, for libpcap. */
static void read_in_place(struct rtg_replay *r, pcap_t *pc, FILE *fp, int linktype) {
  struct window w = {.fd = fileno(fp)};
  struct stat st;
  const uint8_t *p;
  uint32_t magic;
  uint64_t off;
  long pos = ftell(fp);
  bool usec;
  /* a header of 24 bytes at the start of the file: the one libpcap read */
  if (pos != 24 || w.fd < 0 || pcap_is_swapped(pc) || fstat(w.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return;
  w.size = (uint64_t)st.st_size;
  p = window_get(&w, 0, 8);
  magic = p ? load_u32_host(p) : 0;
  /* only version 2.4: libpcap reads older files with caplen and len
   * swapped (and guesses for some 2.3 ones), so those stay with libpcap */
  if ((magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) || load_u32_host(p + 4) != PCAP_V24) {
    window_drop(&w);
    return;
  }
  usec = magic == PCAP_MAGIC_US;
  off = (uint64_t)pos;
  while ((p = window_get(&w, off, 16)) != NULL) {
    /* the header first: mapping the frame may move the window */
    uint32_t sec = load_u32_host(p), frac = load_u32_host(p + 4), caplen = load_u32_host(p + 8);
    /* the time exactly as libpcap gives it at nanosecond precision; odd
     * times (libpcap reads the fields as signed) are left to libpcap */
    uint64_t ns = usec ? (uint64_t)frac * 1000u : frac;
    const uint8_t *data;
    if (caplen > (uint32_t)pcap_snapshot(pc) || sec > 0x7fffffffu || frac >= 1000000000u ||
        (data = window_get(&w, off + 16, caplen)) == NULL)
      break;
    on_record(r, linktype, (double)sec + (double)ns * 1e-9, data, caplen);
    off += 16u + caplen;
  }
  window_drop(&w);
  (void)fseeko(fp, (off_t)off, SEEK_SET);
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
  if (pcap_file(pc) != NULL) read_in_place(r, pc, pcap_file(pc), ci->linktype);
  /* the rest (all of a pcapng file) through libpcap; with the nanosecond
   * precision asked for, tv_usec holds nanoseconds */
  while ((rc = pcap_next_ex(pc, &h, &data)) == 1)
    on_record(r, ci->linktype, (double)h->ts.tv_sec + (double)h->ts.tv_usec * 1e-9, data,
              h->caplen);
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
