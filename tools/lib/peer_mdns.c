/*
 * peer_mdns.c - mDNS over real sockets (RFC 6762): one-shot queries for the
 * `.local` names of remote candidates, and a small responder answering for
 * names this process publishes (its own host candidates with --mdns), over
 * IPv4 (224.0.0.251) and IPv6 (ff02::fb on every multicast interface) when
 * the system has it. The messages are built and parsed by the sans-IO
 * codec (rtg/mdns.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/peer_io.h"
#include "lib/peer_session.h"
#include "rtg/mdns.h"

#define MDNS_GROUP4 "224.0.0.251"
#define MDNS_GROUP6 "ff02::fb"
#define RESEND_AFTER RTG_SEC(1)

static int udp4(uint16_t port, bool reuse) {
  struct sockaddr_in sin;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1, ttl = 255;
  unsigned char loop = 1, mttl = 255;
  if (fd < 0) return -1;
  if (reuse) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  }
  /* RFC 6762 §11: link-local scope, TTL 255 */
  setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &mttl, sizeof mttl);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The IPv6 twin of udp4 (v6-only, so that both can hold port 5353); -1
 * where the system has no IPv6. */
static int udp6(uint16_t port, bool reuse) {
  struct sockaddr_in6 sin;
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1, hops = 255;
  if (fd < 0) return -1;
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (reuse) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  }
  /* RFC 6762 §11: hop limit 255 */
  setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops);
  setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
  setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on, sizeof on);
  memset(&sin, 0, sizeof sin);
  sin.sin6_family = AF_INET6;
  sin.sin6_port = htons(port);
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The interfaces that are up and can do multicast with an address of
 * |family|, as indexes (at most |cap|). */
static size_t mcast_ifaces(int family, unsigned *idx, size_t cap) {
  struct ifaddrs *ifa, *i;
  size_t n = 0;
  if (getifaddrs(&ifa) != 0) return 0;
  for (i = ifa; i && n < cap; i = i->ifa_next) {
    unsigned x;
    bool seen = false;
    if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family || !(i->ifa_flags & IFF_UP) ||
        !(i->ifa_flags & IFF_MULTICAST))
      continue;
    x = if_nametoindex(i->ifa_name);
    for (size_t k = 0; k < n; k++) seen |= idx[k] == x;
    if (x && !seen) idx[n++] = x;
  }
  freeifaddrs(ifa);
  return n;
}

int rtg_pio_mdns_open(struct rtg_pio_mdns *m, rtg_time timeout, rtg_pio_mdns_cb cb, void *ud,
                      char *err, size_t cap) {
  memset(m, 0, sizeof *m);
  m->rfd = m->rfd6 = -1;
  m->qfd6 = udp6(0, false);
  m->timeout = timeout ? timeout : RTG_SEC(3);
  m->cb = cb;
  m->ud = ud;
  m->qfd = udp4(0, false);
  if (m->qfd < 0) {
    snprintf(err, cap, "mDNS socket: %s", strerror(errno));
    rtg_pio_mdns_close(m);
    return -1;
  }
  return 0;
}

void rtg_pio_mdns_close(struct rtg_pio_mdns *m) {
  int *fds[4] = {&m->qfd, &m->rfd, &m->qfd6, &m->rfd6};
  for (int i = 0; i < 4; i++) {
    if (*fds[i] >= 0) close(*fds[i]);
    *fds[i] = -1;
  }
}

static void send_to_group(int fd, const void *msg, size_t len) {
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(RTG_MDNS_PORT);
  inet_pton(AF_INET, MDNS_GROUP4, &to.sin_addr);
  (void)sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof to);
}

/* ff02::fb is link-local: one copy per multicast interface. */
static void send_to_group6(int fd, const void *msg, size_t len) {
  unsigned idx[16];
  size_t n = mcast_ifaces(AF_INET6, idx, 16);
  for (size_t i = 0; i < n; i++) {
    struct sockaddr_in6 to;
    memset(&to, 0, sizeof to);
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(RTG_MDNS_PORT);
    to.sin6_scope_id = idx[i];
    inet_pton(AF_INET6, MDNS_GROUP6, &to.sin6_addr);
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx[i], sizeof idx[i]);
    (void)sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof to);
  }
}

static int send_query(struct rtg_pio_mdns *m, const char *name) {
  static const uint16_t types[2] = {RTG_DNS_TYPE_A, RTG_DNS_TYPE_AAAA};
  uint8_t buf[600];
  for (int i = 0; i < 2; i++) {
    ptrdiff_t n = rtg_mdns_build_query(buf, sizeof buf, 0, name, types[i], true);
    if (n < 0) return -1;
    send_to_group(m->qfd, buf, (size_t)n);
    if (m->qfd6 >= 0) send_to_group6(m->qfd6, buf, (size_t)n);
    m->queries_sent++;
  }
  return 0;
}

int rtg_pio_mdns_resolve(struct rtg_pio_mdns *m, rtg_time now, const char *name) {
  for (size_t i = 0; i < RTG_PIO_MDNS_QUERIES; i++) {
    if (m->q[i].used) continue;
    if (strlen(name) >= sizeof m->q[i].name || send_query(m, name) != 0) return -1;
    m->q[i].used = true;
    snprintf(m->q[i].name, sizeof m->q[i].name, "%s", name);
    m->q[i].deadline = now + m->timeout;
    m->q[i].next_send = now + RESEND_AFTER;
    m->q[i].sends = 1;
    return 0;
  }
  return -1;
}

/* Joins the mDNS group on every interface of the socket's family that
 * can do multicast. */
static void join_group(int fd, int family) {
  unsigned idx[16];
  size_t n = mcast_ifaces(family, idx, 16);
  for (size_t i = 0; i < n; i++) {
    if (family == AF_INET) {
      struct ip_mreqn mr;
      memset(&mr, 0, sizeof mr);
      inet_pton(AF_INET, MDNS_GROUP4, &mr.imr_multiaddr);
      mr.imr_ifindex = (int)idx[i];
      (void)setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr);
    } else {
      struct ipv6_mreq mr;
      memset(&mr, 0, sizeof mr);
      inet_pton(AF_INET6, MDNS_GROUP6, &mr.ipv6mr_multiaddr);
      mr.ipv6mr_interface = idx[i];
      (void)setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr);
    }
  }
}

int rtg_pio_mdns_publish(struct rtg_pio_mdns *m, const char *name, const struct rtg_stun_addr *addr,
                         char *err, size_t cap) {
  if (m->npub == RTG_PIO_MDNS_NAMES || strlen(name) >= sizeof m->pub[0].name) {
    snprintf(err, cap, "mDNS: too many names, or name too long");
    return -1;
  }
  if (m->rfd < 0) {
    m->rfd = udp4(RTG_MDNS_PORT, true);
    if (m->rfd < 0) {
      snprintf(err, cap, "mDNS responder on port %d: %s", RTG_MDNS_PORT, strerror(errno));
      return -1;
    }
    join_group(m->rfd, AF_INET);
    m->rfd6 = udp6(RTG_MDNS_PORT, true); /* no IPv6: IPv4 only */
    if (m->rfd6 >= 0) join_group(m->rfd6, AF_INET6);
  }
  snprintf(m->pub[m->npub].name, sizeof m->pub[0].name, "%s", name);
  memset(&m->pub[m->npub].addr, 0, sizeof m->pub[0].addr);
  m->pub[m->npub].addr.family = addr->family == 1 ? 4 : 6;
  memcpy(m->pub[m->npub].addr.ip, addr->addr, addr->family == 1 ? 4 : 16);
  m->npub++;
  return 0;
}

/* A query to the responder: answer each question about a published name.
 * RFC 6762 §6.7: a query from a port other than 5353 is a legacy/one-shot
 * query and gets a unicast reply with the question and id echoed; QU
 * questions (§5.4) get a unicast reply; others go to the group. */
static void answer(struct rtg_pio_mdns *m, int fd, const struct rtg_mdns_msg *q,
                   const struct sockaddr_storage *from, socklen_t fl) {
  uint16_t port = from->ss_family == AF_INET6
                      ? ((const struct sockaddr_in6 *)(const void *)from)->sin6_port
                      : ((const struct sockaddr_in *)(const void *)from)->sin_port;
  bool legacy = ntohs(port) != RTG_MDNS_PORT;
  for (size_t i = 0; i < q->nquestions; i++) {
    for (size_t k = 0; k < m->npub; k++) {
      uint8_t buf[600];
      ptrdiff_t n;
      uint16_t want = m->pub[k].addr.family == 4 ? RTG_DNS_TYPE_A : RTG_DNS_TYPE_AAAA;
      if (!rtg_mdns_name_equal(q->q[i].name, m->pub[k].name)) continue;
      if (q->q[i].type != want && q->q[i].type != RTG_DNS_TYPE_ANY) continue;
      n = rtg_mdns_build_answer(buf, sizeof buf, legacy ? q->id : 0, m->pub[k].name,
                                &m->pub[k].addr, 120, legacy);
      if (n < 0) continue;
      if (legacy || q->q[i].unicast_response)
        (void)sendto(fd, buf, (size_t)n, 0, (const struct sockaddr *)from, fl);
      else if (fd == m->rfd6)
        send_to_group6(fd, buf, (size_t)n);
      else
        send_to_group(fd, buf, (size_t)n);
      m->answers_sent++;
    }
  }
}

/* A response to the querier: complete every query it answers. */
static void resolved(struct rtg_pio_mdns *m, const struct rtg_mdns_msg *r) {
  for (size_t i = 0; i < RTG_PIO_MDNS_QUERIES; i++) {
    struct rtg_net_addr na;
    struct rtg_stun_addr sa;
    if (!m->q[i].used || rtg_mdns_msg_lookup(r, m->q[i].name, 0, &na) != 0) continue;
    memset(&sa, 0, sizeof sa);
    sa.family = na.family == 4 ? 1 : 2;
    memcpy(sa.addr, na.ip, na.family == 4 ? 4 : 16);
    m->q[i].used = false;
    m->answers_received++;
    if (m->cb) m->cb(m->ud, m->q[i].name, &sa);
  }
}

void rtg_pio_mdns_readable(struct rtg_pio_mdns *m, rtg_time now, int fd) {
  struct rtg_mdns_msg *msg = malloc(sizeof *msg);
  (void)now;
  if (msg == NULL) return;
  for (int budget = 0; budget < 64; budget++) {
    uint8_t buf[1500];
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (n < 0) break;
    /* RFC 6762 §18.3: a non-zero opcode is ignored; malformed ones too */
    if (rtg_mdns_msg_parse(msg, buf, (size_t)n, NULL) != 0 || (msg->flags & 0x7800u)) continue;
    if (msg->flags & RTG_DNS_FLAG_QR)
      resolved(m, msg);
    else if (fd == m->rfd || fd == m->rfd6)
      answer(m, fd, msg, &from, fl);
  }
  free(msg);
}

void rtg_pio_mdns_handle_timeout(struct rtg_pio_mdns *m, rtg_time now) {
  for (size_t i = 0; i < RTG_PIO_MDNS_QUERIES; i++) {
    if (!m->q[i].used) continue;
    if (now >= m->q[i].deadline) {
      m->q[i].used = false;
      if (m->cb) m->cb(m->ud, m->q[i].name, NULL);
    } else if (now >= m->q[i].next_send) {
      (void)send_query(m, m->q[i].name);
      m->q[i].sends++;
      m->q[i].next_send = now + RESEND_AFTER;
    }
  }
}

rtg_time rtg_pio_mdns_poll_timeout(const struct rtg_pio_mdns *m) {
  rtg_time t = RTG_TIME_NEVER;
  for (size_t i = 0; i < RTG_PIO_MDNS_QUERIES; i++) {
    if (!m->q[i].used) continue;
    if (m->q[i].deadline < t) t = m->q[i].deadline;
    if (m->q[i].next_send < t) t = m->q[i].next_send;
  }
  return t;
}

/* ---- `rtcgate peer --mdns-resolve / --mdns-publish` ------------------------------------ */

struct mdns_run {
  struct rtg_pio_mdns m;
  bool done, found;
};

static void run_cb(void *ud, const char *name, const struct rtg_stun_addr *addr) {
  struct mdns_run *r = ud;
  char a[64];
  r->done = true;
  if (addr == NULL) return;
  r->found = true;
  rtg_pio_addr_format(addr, false, a, sizeof a);
  printf("%s %s\n", name, a);
  fflush(stdout);
}

static void run_fd(void *ud, int fd) {
  struct mdns_run *r = ud;
  rtg_pio_mdns_readable(&r->m, rtg_pio_now(), fd);
}

/* "NAME=ADDR" published on |r|. returns 0 or -1 after saying why. */
static int publish_arg(struct mdns_run *r, const char *arg) {
  char name[256], err[200];
  const char *eq = strchr(arg, '=');
  struct rtg_stun_addr a;
  if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof name) {
    fprintf(stderr, "rtcgate peer: --mdns-publish wants NAME=ADDR\n");
    return -1;
  }
  snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
  if (rtg_pio_addr_parse(eq + 1, 0, &a, err, sizeof err) != 0 ||
      rtg_pio_mdns_publish(&r->m, name, &a, err, sizeof err) != 0) {
    fprintf(stderr, "rtcgate peer: --mdns-publish: %s\n", err);
    return -1;
  }
  return 0;
}

int rtg_pio_run_mdns(const char *resolve, const char *publish, long long timeout_ms) {
  struct mdns_run r;
  struct rtg_pio_loop loop;
  char err[200];
  rtg_time now = rtg_pio_now(), end = now + RTG_MS(timeout_ms);
  int rc = 2;
  memset(&r, 0, sizeof r);
  if (rtg_pio_loop_init(&loop, err, sizeof err) != 0 ||
      rtg_pio_mdns_open(&r.m, RTG_MS(timeout_ms), run_cb, &r, err, sizeof err) != 0) {
    fprintf(stderr, "rtcgate peer: %s\n", err);
    rtg_pio_loop_free(&loop);
    return 2;
  }
  if ((publish && publish_arg(&r, publish) != 0) ||
      (resolve && rtg_pio_mdns_resolve(&r.m, now, resolve) != 0)) {
    if (resolve) fprintf(stderr, "rtcgate peer: cannot query '%s'\n", resolve);
    goto out;
  }
  (void)rtg_pio_loop_add(&loop, r.m.qfd, run_fd, &r);
  if (r.m.qfd6 >= 0) (void)rtg_pio_loop_add(&loop, r.m.qfd6, run_fd, &r);
  if (r.m.rfd >= 0) (void)rtg_pio_loop_add(&loop, r.m.rfd, run_fd, &r);
  if (r.m.rfd6 >= 0) (void)rtg_pio_loop_add(&loop, r.m.rfd6, run_fd, &r);
  if (publish) fprintf(stderr, "rtcgate peer: answering mDNS queries for %s\n", publish);
  while (!loop.stop && now < end && !(resolve && r.done)) {
    rtg_time t = rtg_pio_mdns_poll_timeout(&r.m);
    rtg_pio_loop_run_once(&loop, t < end ? t : end, RTG_MS(100));
    now = rtg_pio_now();
    rtg_pio_mdns_handle_timeout(&r.m, now);
  }
  rc = 0;
  if (resolve && !r.found) {
    fprintf(stderr, "rtcgate peer: no mDNS answer for %s\n", resolve);
    rc = 1;
  }
out:
  rtg_pio_mdns_close(&r.m);
  rtg_pio_loop_free(&loop);
  return rc;
}
