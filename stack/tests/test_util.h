/*
 * test_util.h - helpers shared by the unit tests in stack/tests/ (static
 * inline; include after <cmocka.h>: failures are cmocka assertions).
 *
 *   tu_read_file(&len, fmt, ...)       the file RTG_SOURCE_DIR/<fmt...>,
 *                                      malloc'ed and NUL-terminated
 *   tu_load(buf, cap, fmt, ...)        the same into |buf| (it must fit,
 *                                      with the NUL); returns its length
 *   tu_mono()                          CLOCK_MONOTONIC as rtg_time (for
 *                                      tests that drive real sockets)
 *   tu_udp_socket(&port)               a UDP socket bound to 127.0.0.1:0
 *   tu_v4(a, b, c, d, port)            an IPv4 struct rtg_stun_addr
 *   tu_addr_from_sin(&sin), tu_sin_from_addr(&addr)
 *                                      struct sockaddr_in <-> rtg_stun_addr
 *
 * A missing or empty file, or a socket that cannot be bound, fails the
 * test.
 */
#ifndef RTG_TESTS_TEST_UTIL_H
#define RTG_TESTS_TEST_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rtg/core.h"
#include "rtg/stun.h"

__attribute__((format(printf, 2, 0))) static inline char *tu_read_file_v(size_t *len,
                                                                         const char *fmt,
                                                                         va_list ap) {
  char rel[512], path[1024];
  FILE *f;
  char *buf;
  long n;
  vsnprintf(rel, sizeof rel, fmt, ap);
  snprintf(path, sizeof path, "%s/%s", RTG_SOURCE_DIR, rel);
  f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  assert_true(n > 0);
  rewind(f);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

__attribute__((format(printf, 2, 3))) static inline char *tu_read_file(size_t *len, const char *fmt,
                                                                       ...) {
  va_list ap;
  char *buf;
  va_start(ap, fmt);
  buf = tu_read_file_v(len, fmt, ap);
  va_end(ap);
  return buf;
}

__attribute__((format(printf, 3, 4))) static inline size_t tu_load(void *buf, size_t cap,
                                                                   const char *fmt, ...) {
  va_list ap;
  size_t n;
  char *all;
  va_start(ap, fmt);
  all = tu_read_file_v(&n, fmt, ap);
  va_end(ap);
  assert_true(n < cap);
  memcpy(buf, all, n + 1);
  free(all);
  return n;
}

static inline rtg_time tu_mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return RTG_SEC(ts.tv_sec) + ts.tv_nsec;
}

static inline int tu_udp_socket(uint16_t *port) {
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  assert_true(fd >= 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
  *port = ntohs(sa.sin_port);
  return fd;
}

static inline struct rtg_stun_addr tu_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                                         uint16_t port) {
  struct rtg_stun_addr x;
  memset(&x, 0, sizeof x);
  x.family = 1;
  x.port = port;
  x.addr[0] = a;
  x.addr[1] = b;
  x.addr[2] = c;
  x.addr[3] = d;
  return x;
}

static inline struct rtg_stun_addr tu_addr_from_sin(const struct sockaddr_in *sin) {
  struct rtg_stun_addr a;
  memset(&a, 0, sizeof a);
  a.family = 1;
  a.port = ntohs(sin->sin_port);
  memcpy(a.addr, &sin->sin_addr, 4);
  return a;
}

static inline struct sockaddr_in tu_sin_from_addr(const struct rtg_stun_addr *a) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons(a->port);
  memcpy(&sin.sin_addr, a->addr, 4);
  return sin;
}

#endif /* RTG_TESTS_TEST_UTIL_H */
