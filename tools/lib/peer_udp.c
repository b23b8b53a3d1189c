/*
 * peer_udp.c - UDP sockets on the usable local addresses (getifaddrs),
 * sendmsg/recvmsg.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/peer_io.h"

static bool is_link_local6(const struct rtg_stun_addr *a) {
  return a->family == 2 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
}

static int open_one(struct rtg_pio_sock *s, const struct rtg_stun_addr *addr, const char *ifname,
                    bool loopback, char *err, size_t errcap) {
  struct sockaddr_storage ss;
  socklen_t sl = rtg_pio_addr_to_sa(addr, &ss), bl = sizeof ss;
  char txt[64];
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  rtg_pio_addr_format(addr, false, txt, sizeof txt);
  if (fd < 0) {
    snprintf(err, errcap, "socket for %s: %s", txt, strerror(errno));
    return -1;
  }
  if (ss.ss_family == AF_INET6) {
    int on = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  {
    int sz = 1 << 20; /* room for a 256 KiB message's worth of datagrams */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
      getsockname(fd, (struct sockaddr *)&ss, &bl) != 0) {
    snprintf(err, errcap, "cannot bind a UDP socket to %s: %s", txt, strerror(errno));
    close(fd);
    return -1;
  }
  s->fd = fd;
  rtg_pio_addr_from_sa((struct sockaddr *)&ss, &s->local);
  snprintf(s->ifname, sizeof s->ifname, "%s", ifname ? ifname : "");
  s->loopback = loopback;
  return 0;
}

static int open_bound(struct rtg_pio_sock *s, size_t cap, size_t *n, const char *list, char *err,
                      size_t errcap) {
  char *copy = strdup(list), *save = NULL, *tok;
  int rc = 0;
  if (copy == NULL) return -1;
  for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
    struct rtg_stun_addr a;
    char e[200];
    if (*n == cap) {
      snprintf(err, errcap, "--bind: at most %zu addresses", cap);
      rc = -1;
    } else if (rtg_pio_addr_parse(tok, 0, &a, e, sizeof e) != 0) {
      snprintf(err, errcap, "--bind: %s", e);
      rc = -1;
    } else {
      bool lo = (a.family == 1 && a.addr[0] == 127) ||
                (a.family == 2 && memcmp(a.addr, in6addr_loopback.s6_addr, 16) == 0);
      a.port = 0;
      rc = open_one(&s[*n], &a, NULL, lo, err, errcap);
      if (rc == 0) (*n)++;
    }
  }
  free(copy);
  return rc;
}

/* Pass 0 takes non-loopback addresses, pass 1 (only when pass 0 found
 * none) the loopback ones. */
static int open_interfaces(struct rtg_pio_sock *s, size_t cap, size_t *n, char *err,
                           size_t errcap) {
  struct ifaddrs *ifa, *i;
  if (getifaddrs(&ifa) != 0) {
    snprintf(err, errcap, "getifaddrs: %s", strerror(errno));
    return -1;
  }
  for (int pass = 0; pass < 2 && *n == 0; pass++) {
    for (i = ifa; i && *n < cap; i = i->ifa_next) {
      struct rtg_stun_addr a;
      bool lo;
      if (i->ifa_addr == NULL || !(i->ifa_flags & IFF_UP)) continue;
      if (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6) continue;
      lo = (i->ifa_flags & IFF_LOOPBACK) != 0;
      if (lo != (pass == 1)) continue;
      rtg_pio_addr_from_sa(i->ifa_addr, &a);
      a.port = 0;
      if (is_link_local6(&a)) continue;
      if (open_one(&s[*n], &a, i->ifa_name, lo, err, errcap) == 0) (*n)++;
    }
  }
  freeifaddrs(ifa);
  if (*n == 0) {
    snprintf(err, errcap, "no usable local address (no interface is up)");
    return -1;
  }
  return 0;
}

int rtg_pio_socks_open(struct rtg_pio_sock *s, size_t cap, size_t *n, const char *bind_list,
                       char *err, size_t errcap) {
  int rc;
  *n = 0;
  rc = bind_list ? open_bound(s, cap, n, bind_list, err, errcap)
                 : open_interfaces(s, cap, n, err, errcap);
  if (rc != 0) {
    rtg_pio_socks_close(s, *n);
    *n = 0;
  }
  return rc;
}

void rtg_pio_socks_close(struct rtg_pio_sock *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i].fd >= 0) {
      close(s[i].fd);
      s[i].fd = -1;
    }
}

int rtg_pio_sock_send(const struct rtg_pio_sock *s, const struct rtg_stun_addr *dst,
                      const void *data, size_t len) {
  struct sockaddr_storage ss;
  struct iovec iov = {(void *)(uintptr_t)data, len};
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  if (dst->family != s->local.family) return -1;
  mh.msg_namelen = rtg_pio_addr_to_sa(dst, &ss);
  mh.msg_name = &ss;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  return sendmsg(s->fd, &mh, 0) == (ssize_t)len ? 0 : -1;
}

ptrdiff_t rtg_pio_sock_recv(const struct rtg_pio_sock *s, void *buf, size_t cap,
                            struct rtg_stun_addr *src) {
  struct sockaddr_storage ss;
  struct iovec iov = {buf, cap};
  struct msghdr mh;
  ssize_t n;
  memset(&mh, 0, sizeof mh);
  mh.msg_name = &ss;
  mh.msg_namelen = sizeof ss;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
  if (n < 0) return -1;
  if (mh.msg_flags & MSG_TRUNC) return -1; /* larger than any WebRTC datagram: drop */
  rtg_pio_addr_from_sa((struct sockaddr *)&ss, src);
  return (ptrdiff_t)n;
}
