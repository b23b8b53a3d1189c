/*
 * peer_loop.c - the epoll loop of `rtcgate peer`, its monotonic clock,
 * SIGINT/SIGTERM through a signalfd, and socket address helpers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/peer_io.h"

rtg_time rtg_pio_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return RTG_SEC(ts.tv_sec) + ts.tv_nsec;
}

void rtg_pio_addr_from_sa(const struct sockaddr *sa, struct rtg_stun_addr *out) {
  memset(out, 0, sizeof *out);
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    out->family = 1;
    out->port = ntohs(in->sin_port);
    memcpy(out->addr, &in->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
    out->family = 2;
    out->port = ntohs(in6->sin6_port);
    memcpy(out->addr, &in6->sin6_addr, 16);
  }
}

socklen_t rtg_pio_addr_to_sa(const struct rtg_stun_addr *a, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (a->family == 1) {
    struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(a->port);
    memcpy(&in->sin_addr, a->addr, 4);
    return sizeof *in;
  }
  {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a->port);
    memcpy(&in6->sin6_addr, a->addr, 16);
    return sizeof *in6;
  }
}

void rtg_pio_addr_format(const struct rtg_stun_addr *a, bool with_port, char *buf, size_t cap) {
  char ip[INET6_ADDRSTRLEN] = "?";
  inet_ntop(a->family == 1 ? AF_INET : AF_INET6, a->addr, ip, sizeof ip);
  if (!with_port)
    snprintf(buf, cap, "%s", ip);
  else if (a->family == 1)
    snprintf(buf, cap, "%s:%u", ip, a->port);
  else
    snprintf(buf, cap, "[%s]:%u", ip, a->port);
}

bool rtg_pio_addr_equal(const struct rtg_stun_addr *a, const struct rtg_stun_addr *b) {
  return a->family == b->family && a->port == b->port &&
         memcmp(a->addr, b->addr, a->family == 1 ? 4 : 16) == 0;
}

/* Splits |s| into host and port text. */
static int split_hostport(const char *s, int port, char *host, size_t hcap, long *p) {
  const char *colon;
  size_t hl;
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL) return -1;
    hl = (size_t)(close - s - 1);
    colon = close[1] == ':' ? close + 1 : NULL;
    if (close[1] != '\0' && colon == NULL) return -1;
    s++;
  } else {
    colon = strrchr(s, ':');
    if (colon && strchr(s, ':') != colon) colon = NULL; /* bare IPv6 */
    hl = colon ? (size_t)(colon - s) : strlen(s);
  }
  if (hl == 0 || hl >= hcap) return -1;
  memcpy(host, s, hl);
  host[hl] = '\0';
  if (colon == NULL) {
    if (port < 0) return -1;
    *p = port;
    return 0;
  }
  {
    char *end;
    *p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || colon[1] == '\0' || *p < 0 || *p > 65535) return -1;
  }
  return 0;
}

int rtg_pio_addr_parse(const char *s, int port, struct rtg_stun_addr *out, char *err, size_t cap) {
  char host[256];
  long p;
  struct addrinfo hints, *res = NULL;
  int rc;
  if (split_hostport(s, port, host, sizeof host, &p)) {
    snprintf(err, cap, "'%s' is not HOST:PORT", s);
    return -1;
  }
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST;
  rc = getaddrinfo(host, NULL, &hints, &res);
  if (rc == EAI_NONAME) {
    hints.ai_flags = 0;
    rc = getaddrinfo(host, NULL, &hints, &res);
  }
  if (rc != 0 || res == NULL) {
    snprintf(err, cap, "cannot resolve '%s': %s", host, gai_strerror(rc));
    return -1;
  }
  rtg_pio_addr_from_sa(res->ai_addr, out);
  out->port = (uint16_t)p;
  freeaddrinfo(res);
  return 0;
}

int rtg_pio_loop_init(struct rtg_pio_loop *l, char *err, size_t cap) {
  sigset_t set;
  struct epoll_event ev;
  memset(l, 0, sizeof *l);
  l->sigfd = -1;
  l->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (l->epfd < 0) {
    snprintf(err, cap, "epoll_create1: %s", strerror(errno));
    return -1;
  }
  /* a signaling client that goes away must not kill us with SIGPIPE */
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
      (l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
    snprintf(err, cap, "signalfd: %s", strerror(errno));
    rtg_pio_loop_free(l);
    return -1;
  }
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.fd = l->sigfd;
  if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) != 0) {
    snprintf(err, cap, "epoll_ctl: %s", strerror(errno));
    rtg_pio_loop_free(l);
    return -1;
  }
  return 0;
}

void rtg_pio_loop_free(struct rtg_pio_loop *l) {
  /* SIGINT/SIGTERM stay blocked: a signal arriving while we write the
   * report and exit must not turn a finished run into "killed" (143) */
  if (l->sigfd >= 0) close(l->sigfd);
  if (l->epfd >= 0) close(l->epfd);
  l->sigfd = l->epfd = -1;
}

int rtg_pio_loop_add(struct rtg_pio_loop *l, int fd, rtg_pio_fd_cb cb, void *ud) {
  struct epoll_event ev;
  if (l->n == RTG_PIO_MAX_FDS) return -1;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
  l->h[l->n].fd = fd;
  l->h[l->n].cb = cb;
  l->h[l->n].ud = ud;
  l->n++;
  return 0;
}

void rtg_pio_loop_del(struct rtg_pio_loop *l, int fd) {
  for (size_t i = 0; i < l->n; i++) {
    if (l->h[i].fd != fd) continue;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    l->h[i] = l->h[--l->n];
    return;
  }
}

static void dispatch(struct rtg_pio_loop *l, int fd) {
  if (fd == l->sigfd) {
    struct signalfd_siginfo si;
    if (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
      l->stop = true;
      l->signal = (int)si.ssi_signo;
    }
    return;
  }
  for (size_t i = 0; i < l->n; i++)
    if (l->h[i].fd == fd) {
      l->h[i].cb(l->h[i].ud, fd);
      return;
    }
}

void rtg_pio_loop_run_once(struct rtg_pio_loop *l, rtg_time deadline, rtg_time max_wait) {
  struct epoll_event ev[16];
  rtg_time now = rtg_pio_now(), wait = max_wait;
  int n, ms;
  if (deadline != RTG_TIME_NEVER && deadline - now < wait) wait = deadline - now;
  if (wait < 0) wait = 0;
  /* round up so a deadline 0.3 ms away does not spin at 0 ms */
  ms = (int)((wait + RTG_MS(1) - 1) / RTG_MS(1));
  n = epoll_wait(l->epfd, ev, 16, ms);
  for (int i = 0; i < n; i++) dispatch(l, ev[i].data.fd);
}
