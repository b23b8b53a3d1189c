/*
 * sctp_usrsctp_test.c - in-process interop between the rtcgate association
 * and usrsctp (the oracle) over AF_CONN: usrsctp_conninput feeds it our
 * packets, its conn_output callback hands us its packets. Both directions
 * of the handshake, messages up to 256 KiB each way, unordered and
 * partially reliable messages through a lossy link (FORWARD-TSN), stream
 * reset both ways, DCEP open/ack and graceful shutdown.
 *
 * usrsctp runs without threads (usrsctp_init_nothreads) and its timers are
 * driven from here, so the test is single-threaded and bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <usrsctp.h>

#include "rtg/sctp.h"

#define QCAP 4096

struct pkt {
  size_t len;
  uint8_t buf[1500];
};

struct link {
  /* usrsctp -> rtcgate packets */
  struct pkt *q;
  size_t nq;
  uint64_t from_usr, to_usr;
  unsigned drop_every; /* drop every Nth rtcgate packet (0 = none) */
};

struct pair {
  struct link link;
  struct socket *usr;    /* usrsctp's connected socket */
  struct socket *listen; /* when usrsctp is the server */
  struct rtg_sctp_assoc *rtg;
  struct rtg_dc *dc; /* when set, rtg is its association and events come from it */
  int dc_opened, dc_acked, dc_closed;
  uint16_t dc_open_sid;
  bool dc_binary;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  rtg_time now;
  /* what rtcgate received */
  int connected, closed, aborted, reset_in, reset_done;
  uint16_t reset_sid;
  size_t msgs;
  uint8_t *last;
  size_t last_len;
  uint32_t last_ppid;
  uint16_t last_sid;
  /* every message rtcgate received: stream, length and CRC-32 */
  uint16_t rx_sid[64];
  size_t rx_len[64];
  uint32_t rx_crc[64];
  /* what usrsctp received */
  uint8_t *ubuf;
  size_t ulen;
  uint8_t *ulast; /* the last whole message usrsctp delivered */
  size_t ulast_len;
  uint8_t *ubig; /* the last one over 1000 bytes */
  size_t ubig_len;
  size_t umsgs;
  uint32_t uppid;
  uint16_t usid;
  int u_reset_flags;
  uint16_t u_reset_sid;
  bool u_eof;
};

static struct link *g_link;

static int conn_output(void *addr, void *data, size_t len, uint8_t tos, uint8_t set_df) {
  struct link *l = addr;
  (void)tos;
  (void)set_df;
  if (l->nq < QCAP && len <= 1500) {
    memcpy(l->q[l->nq].buf, data, len);
    l->q[l->nq].len = len;
    l->nq++;
    l->from_usr++;
  }
  return 0;
}

static int setup(void **state) {
  struct pair *p = calloc(1, sizeof *p);
  struct rtg_sctp_config c;
  assert_non_null(p);
  p->link.q = calloc(QCAP, sizeof(struct pkt));
  p->ubuf = malloc(300 * 1024);
  g_link = &p->link;
  usrsctp_init_nothreads(0, conn_output, NULL);
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_register_address(&p->link);
  p->now = RTG_SEC(5);
  rtg_ctx_deterministic(&p->ctx, &p->prng, 42, &p->now);
  rtg_sctp_config_default(&c);
  c.heartbeat_interval = RTG_TIME_NEVER;
  c.rto_min = RTG_MS(100);
  c.rto_initial = RTG_MS(300);
  assert_int_equal(rtg_sctp_assoc_new(&p->ctx, &c, &p->rtg), 0);
  *state = p;
  return 0;
}

static void step(struct pair *p);

static int teardown(void **state) {
  struct pair *p = *state;
  int tries = 0;
  struct linger lg = {1, 0}; /* close = ABORT: nothing lingers into usrsctp_finish */
  if (p->usr) {
    (void)usrsctp_setsockopt(p->usr, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    usrsctp_close(p->usr);
  }
  if (p->listen) usrsctp_close(p->listen);
  p->usr = p->listen = NULL;
  for (int i = 0; i < 100; i++) step(p);
  usrsctp_deregister_address(&p->link);
  while (usrsctp_finish() != 0 && tries++ < 1000) usrsctp_handle_timers(10);
  if (p->dc)
    rtg_dc_free(p->dc);
  else
    rtg_sctp_assoc_free(p->rtg);
  free(p->link.q);
  free(p->ubuf);
  free(p->last);
  free(p->ulast);
  free(p->ubig);
  free(p);
  return 0;
}

static void sock_opts(struct socket *s) {
  struct sctp_assoc_value av;
  struct sctp_initmsg init;
  struct sctp_event ev;
  const int on = 1;
  uint16_t types[] = {SCTP_STREAM_RESET_EVENT, SCTP_ASSOC_CHANGE};
  usrsctp_set_non_blocking(s, 1);
  av.assoc_id = SCTP_ALL_ASSOC;
  av.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  assert_int_equal(usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof av),
                   0);
  assert_int_equal(usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on), 0);
  assert_int_equal(usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on), 0);
  memset(&init, 0, sizeof init);
  init.sinit_num_ostreams = 1024;
  init.sinit_max_instreams = 1024;
  assert_int_equal(usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init), 0);
  for (size_t i = 0; i < 2; i++) {
    memset(&ev, 0, sizeof ev);
    ev.se_assoc_id = SCTP_ALL_ASSOC;
    ev.se_on = 1;
    ev.se_type = types[i];
    assert_int_equal(usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev), 0);
  }
}

static struct sockaddr_conn conn_addr(struct link *l) {
  struct sockaddr_conn a;
  memset(&a, 0, sizeof a);
  a.sconn_family = AF_CONN;
  a.sconn_port = htons(5000);
  a.sconn_addr = l;
  return a;
}

/* Reads whatever usrsctp has for the application. */
static void usr_read(struct pair *p) {
  if (p->usr == NULL && p->listen) {
    p->usr = usrsctp_accept(p->listen, NULL, NULL);
    if (p->usr) sock_opts(p->usr);
  }
  while (p->usr) {
    struct sctp_rcvinfo ri;
    socklen_t ilen = sizeof ri;
    unsigned int itype = 0;
    int flags = 0;
    struct sockaddr_conn from;
    socklen_t flen = sizeof from;
    ssize_t n;
    if (p->ulen >= 300 * 1024) p->ulen = 0; /* never overflow on bad input */
    n = usrsctp_recvv(p->usr, p->ubuf + p->ulen, 300 * 1024 - p->ulen, (struct sockaddr *)&from,
                      &flen, &ri, &ilen, &itype, &flags);
    if (n < 0) return;
    if (n == 0) {
      p->u_eof = true;
      return;
    }
    if (flags & MSG_NOTIFICATION) {
      const union sctp_notification *sn = (const void *)(p->ubuf + p->ulen);
      if (sn->sn_header.sn_type == SCTP_STREAM_RESET_EVENT) {
        p->u_reset_flags = sn->sn_strreset_event.strreset_flags;
        p->u_reset_sid = sn->sn_strreset_event.strreset_stream_list[0];
      }
      continue;
    }
    p->ulen += (size_t)n;
    if (flags & MSG_EOR) {
      p->umsgs++;
      p->uppid = ntohl(ri.rcv_ppid);
      p->usid = ri.rcv_sid;
      free(p->ulast);
      p->ulast = malloc(p->ulen);
      memcpy(p->ulast, p->ubuf, p->ulen);
      p->ulast_len = p->ulen;
      if (p->ulen > 1000) {
        free(p->ubig);
        p->ubig = malloc(p->ulen);
        memcpy(p->ubig, p->ubuf, p->ulen);
        p->ubig_len = p->ulen;
      }
      p->ulen = 0;
    }
  }
}

static void keep_last(struct pair *p, uint16_t sid, const uint8_t *d, size_t len) {
  free(p->last);
  p->last = malloc(len ? len : 1);
  if (len) memcpy(p->last, d, len);
  p->last_len = len;
  p->last_sid = sid;
  p->msgs++;
}

static void dc_events(struct pair *p) {
  struct rtg_dc_event ev;
  while (rtg_dc_poll_event(p->dc, &ev) == 0) {
    switch (ev.type) {
      case RTG_DC_EV_CONNECTED: p->connected++; break;
      case RTG_DC_EV_CHANNEL_OPEN:
        p->dc_opened++;
        p->dc_open_sid = ev.sid;
        break;
      case RTG_DC_EV_CHANNEL_ACKED: p->dc_acked++; break;
      case RTG_DC_EV_CHANNEL_CLOSED: p->dc_closed++; break;
      case RTG_DC_EV_MESSAGE:
        p->dc_binary = ev.binary;
        keep_last(p, ev.sid, ev.data, ev.len);
        break;
      default: break;
    }
  }
}

static void rtg_events(struct pair *p) {
  struct rtg_sctp_event ev;
  if (p->dc) {
    dc_events(p);
    return;
  }
  while (rtg_sctp_assoc_poll_event(p->rtg, &ev) == 0) {
    switch (ev.type) {
      case RTG_SCTP_EV_CONNECTED: p->connected++; break;
      case RTG_SCTP_EV_CLOSED: p->closed++; break;
      case RTG_SCTP_EV_ABORTED: p->aborted++; break;
      case RTG_SCTP_EV_STREAM_RESET:
        p->reset_in++;
        p->reset_sid = ev.sid;
        break;
      case RTG_SCTP_EV_RESET_DONE: p->reset_done++; break;
      case RTG_SCTP_EV_MESSAGE:
        if (p->msgs < 64) {
          p->rx_sid[p->msgs] = ev.sid;
          p->rx_len[p->msgs] = ev.len;
          p->rx_crc[p->msgs] = rtg_crc32(0, ev.data, ev.len);
        }
        p->msgs++;
        free(p->last);
        p->last = malloc(ev.len);
        memcpy(p->last, ev.data, ev.len);
        p->last_len = ev.len;
        p->last_ppid = ev.ppid;
        p->last_sid = ev.sid;
        break;
      default: break;
    }
  }
}

/* One millisecond of both stacks: packets both ways, timers, reads. */
static void step(struct pair *p) {
  uint8_t buf[1500];
  size_t len;
  while (rtg_sctp_assoc_poll_transmit(p->rtg, buf, sizeof buf, &len) == 0) {
    p->link.to_usr++;
    if (p->link.drop_every && p->link.to_usr % p->link.drop_every == 0) continue;
    usrsctp_conninput(&p->link, buf, len, 0);
  }
  for (size_t i = 0; i < p->link.nq; i++)
    (void)!rtg_sctp_assoc_handle_datagram(p->rtg, p->now, p->link.q[i].buf, p->link.q[i].len);
  p->link.nq = 0;
  p->now += RTG_MS(1);
  if (rtg_sctp_assoc_poll_timeout(p->rtg) <= p->now)
    assert_int_equal(rtg_sctp_assoc_handle_timeout(p->rtg, p->now), 0);
  usrsctp_handle_timers(1);
  usr_read(p);
  rtg_events(p);
}

typedef bool (*cond_fn)(struct pair *p);
static bool run_until(struct pair *p, cond_fn c, int max_ms) {
  for (int i = 0; i < max_ms; i++) {
    step(p);
    if (c(p)) return true;
  }
  return false;
}

static bool up(struct pair *p) { return p->connected == 1 && p->usr != NULL; }

/* RFC 8260 I-DATA: usrsctp.h lacks the option name (usrsctp value). */
#define RTG_USRSCTP_INTERLEAVING_SUPPORTED 0x00001206

/* usrsctp connects; with |idata| it offers I-DATA (interleaving level 2).
 * returns false when this usrsctp cannot. */
static bool usr_client_idata(struct pair *p, bool idata) {
  struct sockaddr_conn a = conn_addr(&p->link);
  p->usr = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  assert_non_null(p->usr);
  sock_opts(p->usr);
  if (idata) {
    const int level = 2;
    struct sctp_assoc_value av;
    av.assoc_id = SCTP_FUTURE_ASSOC;
    av.assoc_value = 1;
    if (usrsctp_setsockopt(p->usr, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &level, sizeof level) ||
        usrsctp_setsockopt(p->usr, IPPROTO_SCTP, RTG_USRSCTP_INTERLEAVING_SUPPORTED, &av,
                           sizeof av))
      return false;
  }
  assert_int_equal(usrsctp_bind(p->usr, (struct sockaddr *)&a, sizeof a), 0);
  (void)usrsctp_connect(p->usr, (struct sockaddr *)&a, sizeof a);
  return true;
}

static void usr_client(struct pair *p) { (void)usr_client_idata(p, false); }

static void usr_server(struct pair *p) {
  struct sockaddr_conn a = conn_addr(&p->link);
  p->listen = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  assert_non_null(p->listen);
  usrsctp_set_non_blocking(p->listen, 1);
  assert_int_equal(usrsctp_bind(p->listen, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(usrsctp_listen(p->listen, 1), 0);
}

static int usr_send(struct pair *p, uint16_t sid, uint32_t ppid, const void *d, size_t n,
                    bool unordered, int rtx) {
  struct sctp_sendv_spa spa;
  memset(&spa, 0, sizeof spa);
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = sid;
  spa.sendv_sndinfo.snd_ppid = htonl(ppid);
  spa.sendv_sndinfo.snd_flags = SCTP_EOR | (unordered ? SCTP_UNORDERED : 0);
  if (rtx >= 0) {
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
    spa.sendv_prinfo.pr_value = (uint32_t)rtx;
  }
  return usrsctp_sendv(p->usr, d, n, NULL, 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0) < 0 ? -1 : 0;
}

static void pattern(uint8_t *b, size_t n, uint8_t seed) {
  for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static size_t want_msgs;
static bool rtg_got(struct pair *p) { return p->msgs >= want_msgs; }
static bool usr_got(struct pair *p) { return p->umsgs >= want_msgs; }

/* ---- tests ----------------------------------------------------------------- */

/* usrsctp connects, rtcgate answers (passive side, stateless cookie). */
static void test_sctp_usrsctp_usrsctp_to_rtg(void **state) {
  struct pair *p = *state;
  static uint8_t big[256 * 1024];
  usr_client(p);
  assert_true(run_until(p, up, 5000));
  /* a 256 KiB message (max-message-size) and small ones, from usrsctp */
  pattern(big, sizeof big, 3);
  assert_int_equal(usr_send(p, 1, RTG_SCTP_PPID_BINARY, big, sizeof big, false, -1), 0);
  want_msgs = 1;
  assert_true(run_until(p, rtg_got, 20000));
  assert_int_equal(p->last_len, sizeof big);
  assert_memory_equal(p->last, big, sizeof big);
  assert_int_equal(p->last_ppid, RTG_SCTP_PPID_BINARY);
  assert_int_equal(p->last_sid, 1);
  for (int i = 0; i < 50; i++)
    assert_int_equal(usr_send(p, 2, RTG_SCTP_PPID_STRING, "hello", 5, i & 1, -1), 0);
  want_msgs = 51;
  assert_true(run_until(p, rtg_got, 5000));
  assert_memory_equal(p->last, "hello", 5);
  /* and back: rtcgate to usrsctp */
  pattern(big, sizeof big, 9);
  assert_int_equal(
      rtg_sctp_assoc_send(p->rtg, p->now, 3, RTG_SCTP_PPID_BINARY, big, sizeof big, NULL), 0);
  want_msgs = 1;
  assert_true(run_until(p, usr_got, 20000));
  assert_int_equal(p->uppid, RTG_SCTP_PPID_BINARY);
  assert_int_equal(p->usid, 3);
  assert_int_equal(p->ubig_len, sizeof big);
  assert_memory_equal(p->ubig, big, sizeof big);
}

static void test_sctp_usrsctp_rtg_to_usrsctp(void **state) {
  struct pair *p = *state;
  static uint8_t big[200000];
  struct rtg_sctp_send_opts un = {true, UINT32_MAX, RTG_TIME_NEVER};
  usr_server(p);
  assert_int_equal(rtg_sctp_assoc_connect(p->rtg, p->now), 0);
  assert_true(run_until(p, up, 5000));
  pattern(big, sizeof big, 5);
  assert_int_equal(
      rtg_sctp_assoc_send(p->rtg, p->now, 0, RTG_SCTP_PPID_BINARY, big, sizeof big, NULL), 0);
  for (int i = 0; i < 100; i++)
    assert_int_equal(rtg_sctp_assoc_send(p->rtg, p->now, (uint16_t)(i % 7), RTG_SCTP_PPID_STRING,
                                         "0123456789", 10, i & 1 ? &un : NULL),
                     0);
  want_msgs = 101;
  assert_true(run_until(p, usr_got, 20000));
  assert_int_equal(p->umsgs, 101);
  assert_int_equal(p->ubig_len, sizeof big);
  assert_memory_equal(p->ubig, big, sizeof big);
  assert_int_equal(usr_send(p, 4, RTG_SCTP_PPID_STRING, "pong", 4, false, -1), 0);
  want_msgs = 1;
  assert_true(run_until(p, rtg_got, 5000));
  assert_memory_equal(p->last, "pong", 4);
}

/* Partially reliable + unordered through a link that drops every 7th of
 * our packets: usrsctp must accept our FORWARD-TSNs and reliable data after
 * them still arrives. */
static void test_sctp_usrsctp_forward_tsn(void **state) {
  struct pair *p = *state;
  struct rtg_sctp_send_opts o = {true, 0, RTG_TIME_NEVER};
  struct rtg_sctp_stats st;
  uint8_t b[3000];
  usr_server(p);
  assert_int_equal(rtg_sctp_assoc_connect(p->rtg, p->now), 0);
  assert_true(run_until(p, up, 5000));
  p->link.drop_every = 7;
  pattern(b, sizeof b, 1);
  for (int i = 0; i < 60; i++)
    assert_int_equal(
        rtg_sctp_assoc_send(p->rtg, p->now, 1, RTG_SCTP_PPID_BINARY, b, 100 + (size_t)i * 40, &o),
        0);
  for (int i = 0; i < 3000; i++) step(p);
  p->link.drop_every = 0;
  rtg_sctp_assoc_stats(p->rtg, &st);
  assert_true(st.forward_tsns_sent > 0);
  want_msgs = p->umsgs + 5;
  for (int i = 0; i < 5; i++)
    assert_int_equal(
        rtg_sctp_assoc_send(p->rtg, p->now, 2, RTG_SCTP_PPID_STRING, "reliable", 8, NULL), 0);
  assert_true(run_until(p, usr_got, 10000));
  assert_int_equal(p->usid, 2);
  assert_int_equal(p->aborted, 0);
}

static bool rtg_reset_seen(struct pair *p) { return p->reset_in > 0; }
static bool usr_reset_seen(struct pair *p) { return p->u_reset_flags != 0 && p->reset_done; }

/* RFC 8831 §6.7 channel close: each side resets its outgoing stream. */
static void test_sctp_usrsctp_stream_reset(void **state) {
  struct pair *p = *state;
  uint16_t sid = 6;
  uint8_t buf[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)];
  struct sctp_reset_streams *srs = (void *)buf;
  usr_client(p);
  assert_true(run_until(p, up, 5000));
  assert_int_equal(rtg_sctp_assoc_send(p->rtg, p->now, 6, RTG_SCTP_PPID_STRING, "x", 1, NULL), 0);
  want_msgs = 1;
  assert_true(run_until(p, usr_got, 5000));
  /* ours first: usrsctp reports the incoming reset of stream 6 */
  assert_int_equal(rtg_sctp_assoc_reset_streams(p->rtg, &sid, 1), 0);
  assert_true(run_until(p, usr_reset_seen, 5000));
  assert_true(p->u_reset_flags & SCTP_STREAM_RESET_INCOMING_SSN);
  assert_int_equal(p->u_reset_sid, 6);
  /* then usrsctp resets its outgoing stream 6: we see it */
  memset(buf, 0, sizeof buf);
  srs->srs_assoc_id = SCTP_ALL_ASSOC;
  srs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  srs->srs_number_streams = 1;
  srs->srs_stream_list[0] = 6;
  assert_int_equal(usrsctp_setsockopt(p->usr, IPPROTO_SCTP, SCTP_RESET_STREAMS, srs, sizeof buf),
                   0);
  assert_true(run_until(p, rtg_reset_seen, 5000));
  assert_int_equal(p->reset_sid, 6);
  /* the stream is usable again from SSN 0 both ways */
  assert_int_equal(rtg_sctp_assoc_send(p->rtg, p->now, 6, RTG_SCTP_PPID_STRING, "again", 5, NULL),
                   0);
  want_msgs = 2;
  assert_true(run_until(p, usr_got, 5000));
  assert_int_equal(usr_send(p, 6, RTG_SCTP_PPID_STRING, "back", 4, false, -1), 0);
  want_msgs = 1;
  assert_true(run_until(p, rtg_got, 5000));
  assert_memory_equal(p->last, "back", 4);
}

/* DCEP over the association: we open, usrsctp's side (this test, with our
 * codec) acks; and the other way round. */
static void test_sctp_usrsctp_dcep(void **state) {
  struct pair *p = *state;
  uint8_t m[64];
  struct rtg_dcep_open o = {RTG_DCEP_PARTIAL_REXMIT_UNORDERED, 256, 3, {0}, {0}};
  struct rtg_dcep_msg msg;
  ptrdiff_t n;
  usr_client(p);
  assert_true(run_until(p, up, 5000));
  o.label.p = (const uint8_t *)"chat";
  o.label.len = 4;
  o.protocol.p = (const uint8_t *)"";
  n = rtg_dcep_open_write(m, sizeof m, &o);
  assert_true(n > 0);
  assert_int_equal(rtg_sctp_assoc_send(p->rtg, p->now, 1, RTG_SCTP_PPID_DCEP, m, (size_t)n, NULL),
                   0);
  want_msgs = 1;
  assert_true(run_until(p, usr_got, 5000));
  assert_int_equal(p->uppid, RTG_SCTP_PPID_DCEP);
  assert_int_equal(p->usid, 1);
  n = rtg_dcep_ack_write(m, sizeof m);
  assert_int_equal(usr_send(p, 1, RTG_SCTP_PPID_DCEP, m, (size_t)n, false, -1), 0);
  want_msgs = 1;
  assert_true(run_until(p, rtg_got, 5000));
  assert_int_equal(p->last_ppid, RTG_SCTP_PPID_DCEP);
  assert_int_equal(rtg_dcep_parse(p->last, p->last_len, &msg, NULL), 0);
  assert_int_equal(msg.type, RTG_DCEP_ACK);
  /* usrsctp opens channel 2 */
  o.channel_type = RTG_DCEP_RELIABLE;
  o.label.p = (const uint8_t *)"files";
  o.label.len = 5;
  n = rtg_dcep_open_write(m, sizeof m, &o);
  assert_int_equal(usr_send(p, 2, RTG_SCTP_PPID_DCEP, m, (size_t)n, false, -1), 0);
  want_msgs = 2;
  assert_true(run_until(p, rtg_got, 5000));
  assert_int_equal(rtg_dcep_parse(p->last, p->last_len, &msg, NULL), 0);
  assert_int_equal(msg.type, RTG_DCEP_OPEN);
  assert_int_equal(msg.open.label.len, 5);
  assert_int_equal(p->last_sid, 2);
}

static bool closed(struct pair *p) { return p->closed == 1 && p->u_eof; }

static void test_sctp_usrsctp_shutdown(void **state) {
  struct pair *p = *state;
  usr_client(p);
  assert_true(run_until(p, up, 5000));
  assert_int_equal(rtg_sctp_assoc_send(p->rtg, p->now, 0, RTG_SCTP_PPID_STRING, "bye", 3, NULL), 0);
  assert_int_equal(rtg_sctp_assoc_shutdown(p->rtg, p->now), 0);
  assert_true(run_until(p, closed, 5000));
  assert_int_equal(p->umsgs, 1);
  assert_int_equal(rtg_sctp_assoc_state(p->rtg), RTG_SCTP_CLOSED);
}

/* RFC 8260 I-DATA with usrsctp (interleaving level 2): two 100 KB messages
 * on two streams from usrsctp, whose fragments it may interleave, and our
 * I-DATA back to it. */
static bool two_big(struct pair *p) { return p->msgs >= 2; }

static void test_sctp_usrsctp_idata(void **state) {
  struct pair *p = *state;
  struct rtg_sctp_config c;
  static uint8_t m1[100000], m2[100000];
  size_t got1 = 0, got2 = 0;
  rtg_sctp_assoc_free(p->rtg);
  rtg_sctp_config_default(&c);
  c.heartbeat_interval = RTG_TIME_NEVER;
  c.idata = true;
  assert_int_equal(rtg_sctp_assoc_new(&p->ctx, &c, &p->rtg), 0);
  if (!usr_client_idata(p, true)) skip();
  assert_true(run_until(p, up, 5000));
  assert_true(rtg_sctp_assoc_idata(p->rtg));
  pattern(m1, sizeof m1, 1);
  pattern(m2, sizeof m2, 2);
  assert_int_equal(usr_send(p, 1, RTG_SCTP_PPID_BINARY, m1, sizeof m1, false, -1), 0);
  assert_int_equal(usr_send(p, 2, RTG_SCTP_PPID_BINARY, m2, sizeof m2, false, -1), 0);
  assert_true(run_until(p, two_big, 20000));
  for (size_t i = 0; i < p->msgs; i++) {
    if (p->rx_sid[i] == 1 && p->rx_len[i] == sizeof m1 &&
        p->rx_crc[i] == rtg_crc32(0, m1, sizeof m1))
      got1++;
    if (p->rx_sid[i] == 2 && p->rx_len[i] == sizeof m2 &&
        p->rx_crc[i] == rtg_crc32(0, m2, sizeof m2))
      got2++;
  }
  assert_int_equal(got1, 1);
  assert_int_equal(got2, 1);
  /* and ours to usrsctp as I-DATA */
  assert_int_equal(
      rtg_sctp_assoc_send(p->rtg, p->now, 3, RTG_SCTP_PPID_BINARY, m1, sizeof m1, NULL), 0);
  want_msgs = 1;
  assert_true(run_until(p, usr_got, 20000));
  assert_int_equal(p->ubig_len, sizeof m1);
  assert_memory_equal(p->ubig, m1, sizeof m1);
}

/* The data channel layer against usrsctp, the usrsctp side speaking DCEP
 * through this test (with our codec): we are the DTLS client (even ids). */
static bool usr_got_dcep(struct pair *p) { return p->umsgs >= want_msgs; }
static bool dc_acked(struct pair *p) { return p->dc_acked > 0; }
static bool dc_opened(struct pair *p) { return p->dc_opened > 0; }
static bool dc_closed(struct pair *p) { return p->dc_closed > 0; }
static bool usr_saw_reset(struct pair *p) { return p->u_reset_flags != 0; }

static void test_sctp_usrsctp_datachannel(void **state) {
  struct pair *p = *state;
  struct rtg_sctp_config c;
  struct rtg_dc_channel_opts o;
  struct rtg_dcep_msg m;
  struct rtg_dcep_open op = {RTG_DCEP_RELIABLE, 256, 0, {0}, {0}};
  uint8_t buf[64], rs[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)];
  struct sctp_reset_streams *srs = (void *)rs;
  uint16_t sid;
  ptrdiff_t n;
  rtg_sctp_assoc_free(p->rtg);
  rtg_sctp_config_default(&c);
  c.heartbeat_interval = RTG_TIME_NEVER;
  assert_int_equal(rtg_dc_new(&p->ctx, &c, true, &p->dc), 0);
  p->rtg = rtg_dc_assoc(p->dc);
  usr_server(p);
  assert_int_equal(rtg_sctp_assoc_connect(p->rtg, p->now), 0);
  assert_true(run_until(p, up, 5000));
  /* we open "chat": usrsctp receives DATA_CHANNEL_OPEN on an even id */
  memset(&o, 0, sizeof o);
  o.label = "chat";
  o.protocol = "json";
  o.channel_type = RTG_DCEP_PARTIAL_REXMIT;
  o.reliability = 2;
  assert_int_equal(rtg_dc_open(p->dc, p->now, &o, &sid), 0);
  assert_int_equal(sid, 0);
  want_msgs = 1;
  assert_true(run_until(p, usr_got_dcep, 5000));
  assert_int_equal(p->uppid, RTG_SCTP_PPID_DCEP);
  assert_int_equal(rtg_dcep_parse(p->ulast, p->ulast_len, &m, NULL), 0);
  assert_int_equal(m.type, RTG_DCEP_OPEN);
  assert_int_equal(m.open.channel_type, RTG_DCEP_PARTIAL_REXMIT);
  assert_int_equal(m.open.reliability, 2);
  assert_int_equal(m.open.label.len, 4);
  assert_memory_equal(m.open.protocol.p, "json", 4);
  n = rtg_dcep_ack_write(buf, sizeof buf);
  assert_int_equal(usr_send(p, 0, RTG_SCTP_PPID_DCEP, buf, (size_t)n, false, -1), 0);
  assert_true(run_until(p, dc_acked, 5000));
  /* messages: string, binary and empty (PPID 56: one byte on the wire) */
  assert_int_equal(rtg_dc_send(p->dc, p->now, 0, false, "hi", 2), 0);
  assert_int_equal(rtg_dc_send(p->dc, p->now, 0, true, "\x01\x02", 2), 0);
  assert_int_equal(rtg_dc_send(p->dc, p->now, 0, false, NULL, 0), 0);
  want_msgs = 4;
  assert_true(run_until(p, usr_got, 5000));
  assert_int_equal(p->uppid, RTG_SCTP_PPID_STRING_EMPTY);
  assert_int_equal(p->ulast_len, 1);
  assert_int_equal(usr_send(p, 0, RTG_SCTP_PPID_BINARY_EMPTY, "", 1, false, -1), 0);
  want_msgs = 1;
  assert_true(run_until(p, rtg_got, 5000));
  assert_true(p->dc_binary);
  assert_int_equal(p->last_len, 0);
  /* usrsctp (the DTLS server) opens an odd id; we answer with an ACK */
  op.label.p = (const uint8_t *)"files";
  op.label.len = 5;
  op.protocol.p = (const uint8_t *)"";
  n = rtg_dcep_open_write(buf, sizeof buf, &op);
  assert_int_equal(usr_send(p, 1, RTG_SCTP_PPID_DCEP, buf, (size_t)n, false, -1), 0);
  assert_true(run_until(p, dc_opened, 5000));
  assert_int_equal(p->dc_open_sid, 1);
  want_msgs = 5;
  assert_true(run_until(p, usr_got_dcep, 5000));
  assert_int_equal(p->usid, 1);
  assert_int_equal(rtg_dcep_parse(p->ulast, p->ulast_len, &m, NULL), 0);
  assert_int_equal(m.type, RTG_DCEP_ACK);
  /* we close channel 0: usrsctp sees the incoming reset and resets its
   * side (RFC 8831 §6.7), then the channel is closed for us */
  assert_int_equal(rtg_dc_close(p->dc, 0), 0);
  assert_true(run_until(p, usr_saw_reset, 5000));
  assert_true(p->u_reset_flags & SCTP_STREAM_RESET_INCOMING_SSN);
  assert_int_equal(p->u_reset_sid, 0);
  memset(rs, 0, sizeof rs);
  srs->srs_assoc_id = SCTP_ALL_ASSOC;
  srs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  srs->srs_number_streams = 1;
  srs->srs_stream_list[0] = 0;
  assert_int_equal(usrsctp_setsockopt(p->usr, IPPROTO_SCTP, SCTP_RESET_STREAMS, srs, sizeof rs), 0);
  assert_true(run_until(p, dc_closed, 5000));
  assert_int_equal(rtg_dc_send(p->dc, p->now, 0, false, "x", 1), RTG_ERR_NOTFOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_usrsctp_to_rtg, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_rtg_to_usrsctp, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_forward_tsn, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_stream_reset, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_dcep, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_shutdown, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_idata, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sctp_usrsctp_datachannel, setup, teardown),
  };
  return cmocka_run_group_tests_name("sctp_usrsctp", tests, NULL, NULL);
}
