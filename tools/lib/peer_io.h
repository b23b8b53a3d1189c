/*
 * peer_io.h - the I/O side of `rtcgate peer`: an epoll loop with a
 * monotonic clock and SIGINT/SIGTERM through a signalfd, UDP sockets on the
 * usable local addresses, mDNS (one-shot queries and a small responder),
 * srflx gathering from a STUN server, the HTTP signaling server and client
 * (libwebsockets), and the event/statistics report (jansson) with the key
 * log file. The sans-IO stack (rtg/peer.h) is driven by peer_session.c.
 */
#ifndef RTG_PEER_IO_H
#define RTG_PEER_IO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "rtg/core.h"
#include "rtg/net.h"
#include "rtg/stun.h"

/* ---- addresses ------------------------------------------------------------- */

/* sockaddr <-> rtg_stun_addr (family 1 = IPv4, 2 = IPv6). */
void rtg_pio_addr_from_sa(const struct sockaddr *sa, struct rtg_stun_addr *out);
socklen_t rtg_pio_addr_to_sa(const struct rtg_stun_addr *a, struct sockaddr_storage *ss);
/* "1.2.3.4:5" or "[::1]:5" (port omitted when |with_port| is false). */
void rtg_pio_addr_format(const struct rtg_stun_addr *a, bool with_port, char *buf, size_t cap);
bool rtg_pio_addr_equal(const struct rtg_stun_addr *a, const struct rtg_stun_addr *b);
/* Parses "HOST:PORT", "[V6]:PORT" or, when |port| >= 0, a bare HOST (then
 * |port| is used); HOST may be a name (getaddrinfo, numeric first).
 * returns 0, or -1 with |err| saying why. */
int rtg_pio_addr_parse(const char *s, int port, struct rtg_stun_addr *out, char *err, size_t cap);

/* rtg_pio_now: CLOCK_MONOTONIC as rtg_time. */
rtg_time rtg_pio_now(void);

/* ---- the event loop ---------------------------------------------------------- */

#define RTG_PIO_MAX_FDS 32

typedef void (*rtg_pio_fd_cb)(void *ud, int fd);

struct rtg_pio_loop {
  int epfd, sigfd;
  bool stop;  /* set by SIGINT/SIGTERM */
  int signal; /* the signal that stopped the loop */
  size_t n;
  struct {
    int fd;
    rtg_pio_fd_cb cb;
    void *ud;
  } h[RTG_PIO_MAX_FDS];
};

/* Creates the epoll instance and blocks SIGINT/SIGTERM into a signalfd
 * (they stay blocked after rtg_pio_loop_free: the process is ending).
 * returns 0, or -1 with |err| set. */
int rtg_pio_loop_init(struct rtg_pio_loop *l, char *err, size_t cap);
void rtg_pio_loop_free(struct rtg_pio_loop *l);
/* Calls |cb| whenever |fd| is readable. returns 0 or -1 (table full). */
int rtg_pio_loop_add(struct rtg_pio_loop *l, int fd, rtg_pio_fd_cb cb, void *ud);
void rtg_pio_loop_del(struct rtg_pio_loop *l, int fd);
/* Waits until |deadline| (rtg_pio_now time; RTG_TIME_NEVER allowed) but at
 * most |max_wait|, dispatching readable fds. A signal sets l->stop. */
void rtg_pio_loop_run_once(struct rtg_pio_loop *l, rtg_time deadline, rtg_time max_wait);

/* ---- UDP sockets --------------------------------------------------------------- */

#define RTG_PIO_MAX_SOCKS 8

struct rtg_pio_sock {
  int fd;
  struct rtg_stun_addr local; /* bound address and port */
  char ifname[32];
  bool loopback;
};

/* Opens one non-blocking UDP socket on an ephemeral port per usable local
 * address: with |bind_list| (comma-separated addresses) exactly those;
 * otherwise every address of every interface that is up, IPv4 and IPv6,
 * without IPv6 link-local ones and without loopback unless nothing else
 * exists. returns 0, or -1 with |err| set (no usable address, bind failed). */
int rtg_pio_socks_open(struct rtg_pio_sock *s, size_t cap, size_t *n, const char *bind_list,
                       char *err, size_t errcap);
void rtg_pio_socks_close(struct rtg_pio_sock *s, size_t n);
/* sendmsg to |dst|: 0 or -1 (errno). */
int rtg_pio_sock_send(const struct rtg_pio_sock *s, const struct rtg_stun_addr *dst,
                      const void *data, size_t len);
/* recvmsg: the datagram length, or -1 when nothing is waiting. */
ptrdiff_t rtg_pio_sock_recv(const struct rtg_pio_sock *s, void *buf, size_t cap,
                            struct rtg_stun_addr *src);

/* ---- mDNS ------------------------------------------------------------------------- */

#define RTG_PIO_MDNS_QUERIES 16
#define RTG_PIO_MDNS_NAMES 8

/* Called when a query ends: |addr| NULL when it timed out. */
typedef void (*rtg_pio_mdns_cb)(void *ud, const char *name, const struct rtg_stun_addr *addr);

struct rtg_pio_mdns {
  int qfd;  /* querier: ephemeral port, one-shot queries (RFC 6762 §5.1) */
  int rfd;  /* responder on port 5353, -1 unless names are published */
  int qfd6; /* the same over IPv6 (ff02::fb), -1 where IPv6 is off */
  int rfd6;
  rtg_time timeout;
  struct {
    bool used;
    char name[256];
    rtg_time deadline, next_send;
    unsigned sends;
  } q[RTG_PIO_MDNS_QUERIES];
  size_t npub;
  struct {
    char name[64];
    struct rtg_net_addr addr;
  } pub[RTG_PIO_MDNS_NAMES];
  uint64_t queries_sent, answers_received, answers_sent;
  rtg_pio_mdns_cb cb;
  void *ud;
};

/* Opens the querier socket; |timeout| bounds each query (0: 3 s).
 * returns 0 or -1 with |err|. */
int rtg_pio_mdns_open(struct rtg_pio_mdns *m, rtg_time timeout, rtg_pio_mdns_cb cb, void *ud,
                      char *err, size_t cap);
void rtg_pio_mdns_close(struct rtg_pio_mdns *m);
/* Starts resolving |name| (A and AAAA questions to 224.0.0.251:5353 and,
 * where IPv6 is on, to [ff02::fb]:5353 on every multicast interface; resent
 * after 1 s). returns 0 or -1 (table full, bad name, socket error). */
int rtg_pio_mdns_resolve(struct rtg_pio_mdns *m, rtg_time now, const char *name);
/* Answers queries for |name| with |addr| from now on (opens the port-5353
 * responders on first use and joins 224.0.0.251 on every IPv4 interface
 * and ff02::fb on every IPv6 one; an answer goes back over the family the
 * query came in).
 * returns 0 or -1 with |err|. */
int rtg_pio_mdns_publish(struct rtg_pio_mdns *m, const char *name, const struct rtg_stun_addr *addr,
                         char *err, size_t cap);
/* Reads what is waiting on |fd| (qfd, rfd, qfd6 or rfd6). */
void rtg_pio_mdns_readable(struct rtg_pio_mdns *m, rtg_time now, int fd);
void rtg_pio_mdns_handle_timeout(struct rtg_pio_mdns *m, rtg_time now);
rtg_time rtg_pio_mdns_poll_timeout(const struct rtg_pio_mdns *m);

/* ---- srflx gathering ------------------------------------------------------------------ */

/* One Binding request (RFC 8489 §6.2.1: RTO 250 ms doubling, 5 sends, so
 * at most ~2 s) per local socket of the server's family. */
struct rtg_pio_stun {
  struct rtg_stun_addr server;
  size_t n;
  struct {
    size_t sock; /* index into the caller's socket array */
    uint8_t tid[RTG_STUN_TID_LEN];
    rtg_time next;
    rtg_time rto;
    unsigned sends;
    bool done, ok;
    struct rtg_stun_addr mapped;
  } t[RTG_PIO_MAX_SOCKS];
};

/* Starts the transactions; |ctx| draws the transaction ids. returns 0 or
 * -1 (no socket of the server's family). */
int rtg_pio_stun_start(struct rtg_pio_stun *g, const struct rtg_ctx *ctx,
                       const struct rtg_stun_addr *server, const struct rtg_pio_sock *socks,
                       size_t nsocks);
/* Takes a datagram received on socket |sock|: true when it was the answer
 * to one of our requests (consumed). */
bool rtg_pio_stun_handle(struct rtg_pio_stun *g, size_t sock, const struct rtg_stun_addr *src,
                         const uint8_t *data, size_t len);
/* Sends what is due (first sends and retransmissions) at |now|. */
void rtg_pio_stun_service(struct rtg_pio_stun *g, rtg_time now, const struct rtg_pio_sock *socks);
rtg_time rtg_pio_stun_poll_timeout(const struct rtg_pio_stun *g);
bool rtg_pio_stun_done(const struct rtg_pio_stun *g);

/* ---- HTTP signaling (libwebsockets) ----------------------------------------------------- */

#define RTG_PIO_HTTP_MAX_BODY (256u * 1024u)

struct rtg_pio_http;

/* A POST /offer arrived: |body| (NUL-terminated). The callee answers now or
 * later with rtg_pio_http_reply(|req|, ...). */
typedef void (*rtg_pio_offer_cb)(void *ud, unsigned req, const char *body, size_t len);

/* Serves HTTP on |addr| (port 0: an ephemeral one, see
 * rtg_pio_http_port). Other paths give 404, other methods 405, bodies over
 * RTG_PIO_HTTP_MAX_BODY 413. returns NULL with |err| set (busy port...). */
struct rtg_pio_http *rtg_pio_http_listen(const struct rtg_stun_addr *addr, rtg_pio_offer_cb cb,
                                         void *ud, char *err, size_t cap);
int rtg_pio_http_port(const struct rtg_pio_http *h);
/* Answers request |req| (ignored when its client has gone). */
void rtg_pio_http_reply(struct rtg_pio_http *h, unsigned req, unsigned code, const char *ctype,
                        const char *body, size_t len);
/* true while request |req| waits for its answer (its client is there). */
bool rtg_pio_http_waiting(const struct rtg_pio_http *h, unsigned req);
/* Answers with {"error": MESSAGE} as application/json. */
void rtg_pio_http_reply_error(struct rtg_pio_http *h, unsigned req, unsigned code,
                              const char *message);
/* Services the server's sockets without blocking. */
void rtg_pio_http_service(struct rtg_pio_http *h);
/* Services the server until every queued response is written (at most
 * |ms| milliseconds): before exiting. */
void rtg_pio_http_flush(struct rtg_pio_http *h, int ms);
void rtg_pio_http_free(struct rtg_pio_http *h);

/* ---- report ---------------------------------------------------------------------------- */

enum rtg_pio_expect {
  RTG_PIO_EXPECT_ICE = 1u << 0,
  RTG_PIO_EXPECT_DTLS = 1u << 1,
  RTG_PIO_EXPECT_DATACHANNEL = 1u << 2,
  RTG_PIO_EXPECT_DC_UNRELIABLE = 1u << 3,
  RTG_PIO_EXPECT_AUDIO = 1u << 4,
  RTG_PIO_EXPECT_VIDEO = 1u << 5,
  RTG_PIO_EXPECT_ICE_RESTART = 1u << 6,
  RTG_PIO_EXPECT_TRICKLE = 1u << 7,
};
#define RTG_PIO_EXPECT_COUNT 8

/* "ice", "dtls", ... for bit |i| of enum rtg_pio_expect. */
const char *rtg_pio_expect_name(unsigned i);
/* Parses a comma list of expectation names. returns 0 or -1 with |err|. */
int rtg_pio_expect_parse(const char *list, unsigned *out, char *err, size_t cap);
/* A JSON array of the names of the bits in |mask|. */
json_t *rtg_pio_expect_json(unsigned mask);

struct rtg_pio_report {
  rtg_time t0;
  json_t *root;          /* {"sessions":[...]} */
  json_t *sessions;      /* borrowed from root */
  const char *json_path; /* NULL: no --json; "-": stdout */
  FILE *keylog;
  bool quiet;
};

/* Opens |keylog| (NULL: $SSLKEYLOGFILE or none) for appending. returns 0
 * or -1 with |err|. */
int rtg_pio_report_init(struct rtg_pio_report *r, const char *json_path, const char *keylog,
                        bool quiet, char *err, size_t cap);
/* Appends a line to the key log (adds the newline, flushes). */
void rtg_pio_report_keylog(struct rtg_pio_report *r, const char *line);
/* Milliseconds since the report started. */
double rtg_pio_report_ms(const struct rtg_pio_report *r, rtg_time now);
/* Writes the JSON (when asked). returns 0 or -1 after printing why. */
int rtg_pio_report_write(struct rtg_pio_report *r);
void rtg_pio_report_free(struct rtg_pio_report *r);

#endif /* RTG_PEER_IO_H */
