/*
 * sctp.c - `rtcgate bench sctp`: reliable, ordered data-channel throughput
 * between two in-process SCTP endpoints over an in-memory link (no DTLS, no
 * sockets): rtcgate <-> rtcgate against usrsctp <-> usrsctp (AF_CONN, no
 * threads), 1 KiB and 64 KiB messages. Both stacks compute the CRC-32c
 * (no zero checksum) and use a 1 MiB receive buffer; the receiver checks
 * every message (sequence number and all bytes), so a faster result is
 * also a correct one. Setup moves a message through each pair first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <usrsctp.h>

#include "bench/bench.h"
#include "rtg/sctp.h"

#define PPID RTG_SCTP_PPID_BINARY
#define SID 1
#define INFLIGHT_BYTES (512 * 1024) /* queued by the sender at any time */
#define UQ 8192

struct upkt {
  size_t len;
  uint8_t buf[1500];
};

struct sctp_st {
  size_t size;
  uint8_t *msg;  /* the pattern sent (first 4 bytes: sequence number) */
  uint8_t *rbuf; /* usrsctp reassembly */
  size_t rlen;
  uint32_t expect; /* next sequence number at the receiver */
  uint64_t got;
  bool bad;
  /* rtcgate pair */
  struct rtg_sctp_assoc *ep[2];
  struct rtg_ctx ctx[2];
  struct rtg_prng prng[2];
  rtg_time now;
  /* usrsctp pair */
  struct upkt *q;
  size_t qh, qt;
  struct socket *ucli, *usrv, *ulisten;
  int uaddr;
};

static void check(struct sctp_st *s, const uint8_t *d, size_t len) {
  if (len != s->size || rtg_load_u32(d) != s->expect || memcmp(d + 4, s->msg + 4, s->size - 4) != 0)
    s->bad = true;
  s->expect++;
  s->got++;
}

/* ---- rtcgate <-> rtcgate -------------------------------------------------- */

static bool rtg_pump(struct sctp_st *s) {
  bool progress = false;
  for (int i = 0; i < 2; i++) {
    uint8_t buf[1500];
    size_t len;
    struct rtg_sctp_event ev;
    while (rtg_sctp_assoc_poll_transmit(s->ep[i], buf, sizeof buf, &len) == 0) {
      if (rtg_sctp_assoc_handle_datagram(s->ep[1 - i], s->now, buf, len)) s->bad = true;
      progress = true;
    }
    while (rtg_sctp_assoc_poll_event(s->ep[i], &ev) == 0) {
      if (ev.type == RTG_SCTP_EV_MESSAGE) check(s, ev.data, ev.len);
      progress = true;
    }
  }
  return progress;
}

/* Nothing moves: let the next timer (delayed ack) fire. */
static void rtg_idle(struct sctp_st *s) {
  rtg_time t = rtg_sctp_assoc_poll_timeout(s->ep[0]), t1 = rtg_sctp_assoc_poll_timeout(s->ep[1]);
  if (t1 < t) t = t1;
  if (t == RTG_TIME_NEVER) {
    s->bad = true;
    return;
  }
  if (t > s->now) s->now = t;
  for (int i = 0; i < 2; i++)
    if (rtg_sctp_assoc_poll_timeout(s->ep[i]) <= s->now &&
        rtg_sctp_assoc_handle_timeout(s->ep[i], s->now))
      s->bad = true;
}

static int rtg_transfer(struct sctp_st *s, uint64_t n) {
  uint64_t sent = 0, target = s->got + n;
  while (s->got < target && !s->bad) {
    while (sent < n && rtg_sctp_assoc_buffered(s->ep[0], SID) + s->size <= INFLIGHT_BYTES) {
      rtg_store_u32(s->msg, (uint32_t)(target - n + sent));
      if (rtg_sctp_assoc_send(s->ep[0], s->now, SID, PPID, s->msg, s->size, NULL)) return -1;
      sent++;
    }
    if (!rtg_pump(s)) rtg_idle(s);
  }
  return s->bad ? -1 : 0;
}

static bool rtg_pair_new(struct sctp_st *s) {
  struct rtg_sctp_config c;
  rtg_sctp_config_default(&c);
  c.heartbeat_interval = RTG_TIME_NEVER;
  s->now = RTG_SEC(1);
  for (int i = 0; i < 2; i++) {
    rtg_ctx_deterministic(&s->ctx[i], &s->prng[i], 100u + (unsigned)i, &s->now);
    if (rtg_sctp_assoc_new(&s->ctx[i], &c, &s->ep[i])) return false;
  }
  if (rtg_sctp_assoc_connect(s->ep[0], s->now)) return false;
  for (int k = 0; k < 100 && rtg_sctp_assoc_state(s->ep[1]) != RTG_SCTP_ESTABLISHED; k++)
    if (!rtg_pump(s)) rtg_idle(s);
  return rtg_sctp_assoc_state(s->ep[0]) == RTG_SCTP_ESTABLISHED &&
         rtg_sctp_assoc_state(s->ep[1]) == RTG_SCTP_ESTABLISHED;
}

/* ---- usrsctp <-> usrsctp -------------------------------------------------- */

static struct sctp_st *g_usr; /* conn_output has no user pointer of ours */

static int usr_out(void *addr, void *data, size_t len, uint8_t tos, uint8_t set_df) {
  struct sctp_st *s = g_usr;
  (void)addr;
  (void)tos;
  (void)set_df;
  if (s == NULL || s->qt == UQ || len > 1500) return ENOBUFS;
  memcpy(s->q[s->qt].buf, data, len);
  s->q[s->qt].len = len;
  s->qt++;
  return 0;
}

static bool usr_pump(struct sctp_st *s) {
  bool progress = false;
  /* one address, two ports: usrsctp finds the association by port */
  while (s->qh < s->qt) {
    struct upkt *p = &s->q[s->qh++];
    usrsctp_conninput(&s->uaddr, p->buf, p->len, 0);
    progress = true;
  }
  s->qh = s->qt = 0;
  if (s->usrv == NULL && s->ulisten) {
    s->usrv = usrsctp_accept(s->ulisten, NULL, NULL);
    if (s->usrv) usrsctp_set_non_blocking(s->usrv, 1);
  }
  while (s->usrv) {
    int flags = 0;
    struct sctp_rcvinfo ri;
    socklen_t ilen = sizeof ri;
    unsigned int itype = 0;
    ssize_t n = usrsctp_recvv(s->usrv, s->rbuf + s->rlen, s->size + 4096 - s->rlen, NULL, NULL, &ri,
                              &ilen, &itype, &flags);
    if (n <= 0) break;
    progress = true;
    if (flags & MSG_NOTIFICATION) continue;
    s->rlen += (size_t)n;
    if (flags & MSG_EOR) {
      check(s, s->rbuf, s->rlen);
      s->rlen = 0;
    } else if (s->rlen > s->size) {
      s->bad = true;
      s->rlen = 0;
    }
  }
  return progress;
}

static int usr_transfer(struct sctp_st *s, uint64_t n) {
  uint64_t sent = 0, target = s->got + n;
  struct sctp_sndinfo si;
  memset(&si, 0, sizeof si);
  si.snd_sid = SID;
  si.snd_ppid = htonl(PPID);
  si.snd_flags = SCTP_EOR;
  while (s->got < target && !s->bad) {
    while (sent < n) {
      rtg_store_u32(s->msg, (uint32_t)(target - n + sent));
      if (usrsctp_sendv(s->ucli, s->msg, s->size, NULL, 0, &si, sizeof si, SCTP_SENDV_SNDINFO, 0) <
          0)
        break; /* send buffer full: let the link drain */
      sent++;
    }
    if (!usr_pump(s)) usrsctp_handle_timers(10);
  }
  return s->bad ? -1 : 0;
}

static bool usr_pair_new(struct sctp_st *s) {
  struct sockaddr_conn a;
  const int on = 1, buf = 1024 * 1024;
  s->q = calloc(UQ, sizeof *s->q);
  if (s->q == NULL) return false;
  g_usr = s;
  usrsctp_init_nothreads(0, usr_out, NULL);
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_register_address(&s->uaddr);
  memset(&a, 0, sizeof a);
  a.sconn_family = AF_CONN;
  a.sconn_addr = &s->uaddr;
  s->ulisten = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  s->ucli = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  if (s->ulisten == NULL || s->ucli == NULL) return false;
  for (int i = 0; i < 2; i++) {
    struct socket *so = i ? s->ucli : s->ulisten;
    usrsctp_set_non_blocking(so, 1);
    (void)usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    (void)usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    (void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
  }
  a.sconn_port = htons(5001);
  if (usrsctp_bind(s->ulisten, (struct sockaddr *)&a, sizeof a) || usrsctp_listen(s->ulisten, 1))
    return false;
  a.sconn_port = htons(5000);
  if (usrsctp_bind(s->ucli, (struct sockaddr *)&a, sizeof a)) return false;
  a.sconn_port = htons(5001);
  (void)usrsctp_connect(s->ucli, (struct sockaddr *)&a, sizeof a);
  for (int k = 0; k < 1000 && s->usrv == NULL; k++)
    if (!usr_pump(s)) usrsctp_handle_timers(10);
  return s->usrv != NULL;
}

static void usr_pair_free(struct sctp_st *s) {
  struct linger lg = {1, 0};
  int tries = 0;
  struct socket *socks[3] = {s->ucli, s->usrv, s->ulisten};
  for (int i = 0; i < 3; i++) {
    if (socks[i] == NULL) continue;
    (void)usrsctp_setsockopt(socks[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    usrsctp_close(socks[i]);
  }
  usr_pump(s);
  usrsctp_deregister_address(&s->uaddr);
  while (usrsctp_finish() != 0 && tries++ < 100) usrsctp_handle_timers(10);
  g_usr = NULL;
  free(s->q);
}

/* ---- cases ------------------------------------------------------------------ */

static void sctp_teardown(void *p) {
  struct sctp_st *s = p;
  if (s == NULL) return;
  rtg_sctp_assoc_free(s->ep[0]);
  rtg_sctp_assoc_free(s->ep[1]);
  usr_pair_free(s);
  free(s->msg);
  free(s->rbuf);
  free(s);
}

static void *setup_size(size_t size) {
  struct sctp_st *s = calloc(1, sizeof *s);
  bool ok;
  if (s == NULL) return NULL;
  s->size = size;
  s->msg = malloc(size);
  s->rbuf = malloc(size + 4096);
  if (s->msg == NULL || s->rbuf == NULL) {
    sctp_teardown(s);
    return NULL;
  }
  for (size_t i = 0; i < size; i++) s->msg[i] = (uint8_t)(i * 131u + 7u);
  /* both pairs must move messages intact before their speed means anything */
  ok = rtg_pair_new(s) && rtg_transfer(s, 3) == 0 && s->got == 3;
  s->got = 0;
  s->expect = 0;
  ok = ok && usr_pair_new(s) && usr_transfer(s, 3) == 0 && s->got == 3;
  s->got = 0;
  s->expect = 0;
  if (!ok) {
    sctp_teardown(s);
    return NULL;
  }
  return s;
}

static void *setup_1k(void) { return setup_size(1024); }
static void *setup_64k(void) { return setup_size(65536); }

/* Each run starts the receiver's sequence check at the sender's count. */
static double run_rtg_msgs(void *p, uint64_t n) {
  struct sctp_st *s = p;
  s->expect = (uint32_t)s->got;
  return rtg_transfer(s, n) ? -1 : (double)n;
}
static double run_usr_msgs(void *p, uint64_t n) {
  struct sctp_st *s = p;
  s->expect = (uint32_t)s->got;
  return usr_transfer(s, n) ? -1 : (double)n;
}
static double run_rtg_bytes(void *p, uint64_t n) {
  struct sctp_st *s = p;
  return run_rtg_msgs(p, n) < 0 ? -1 : (double)n * (double)s->size;
}
static double run_usr_bytes(void *p, uint64_t n) {
  struct sctp_st *s = p;
  return run_usr_msgs(p, n) < 0 ? -1 : (double)n * (double)s->size;
}

static const struct rtg_bench_case cases[] = {
    {"reliable-ordered-1KiB", "msgs/s", "usrsctp AF_CONN", 2.0, setup_1k, sctp_teardown,
     run_rtg_msgs, run_usr_msgs},
    {"reliable-ordered-1KiB", "MB/s", "usrsctp AF_CONN", 2.0, setup_1k, sctp_teardown,
     run_rtg_bytes, run_usr_bytes},
    {"reliable-ordered-64KiB", "msgs/s", "usrsctp AF_CONN", 2.0, setup_64k, sctp_teardown,
     run_rtg_msgs, run_usr_msgs},
    {"reliable-ordered-64KiB", "MB/s", "usrsctp AF_CONN", 2.0, setup_64k, sctp_teardown,
     run_rtg_bytes, run_usr_bytes},
};

const struct rtg_bench rtg_bench_sctp = {
    "sctp", "SCTP association throughput, rtcgate vs usrsctp, in-memory link", cases,
    sizeof cases / sizeof cases[0], false};
