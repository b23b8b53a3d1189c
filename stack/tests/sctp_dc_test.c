/*
 * sctp_dc_test.c - data channels (RFC 8831 / RFC 8832) between two rtcgate
 * endpoints, the DTLS client and the DTLS server: DCEP open/ack with the
 * even/odd id rule, string / binary / empty messages, pre-negotiated
 * channels, partially reliable channel types through loss, and closing by
 * stream reset from either side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/sctp.h"

struct got {
  int connected, opened, acked, closed_ch, closed;
  uint16_t open_sid, acked_sid, closed_sid;
  char label[64], protocol[64];
  uint8_t channel_type;
  size_t msgs;
  bool binary;
  uint8_t last[4096];
  size_t last_len;
  uint16_t last_sid;
};

struct duo {
  struct rtg_dc *dc[2]; /* 0: DTLS client, 1: DTLS server */
  struct rtg_ctx ctx[2];
  struct rtg_prng prng[2];
  struct rtg_prng loss;
  unsigned loss_pct;
  rtg_time now;
  struct got got[2];
};

static void duo_init(struct duo *d) {
  struct rtg_sctp_config c;
  memset(d, 0, sizeof *d);
  d->now = RTG_SEC(1);
  rtg_sctp_config_default(&c);
  c.rto_min = RTG_MS(50);
  c.rto_initial = RTG_MS(100);
  c.heartbeat_interval = RTG_TIME_NEVER;
  rtg_prng_seed(&d->loss, 99);
  for (int i = 0; i < 2; i++) {
    rtg_ctx_deterministic(&d->ctx[i], &d->prng[i], (uint64_t)i + 7, &d->now);
    assert_int_equal(rtg_dc_new(&d->ctx[i], &c, i == 0, &d->dc[i]), 0);
  }
}

static void duo_free(struct duo *d) {
  rtg_dc_free(d->dc[0]);
  rtg_dc_free(d->dc[1]);
}

static void events(struct duo *d, int i) {
  struct rtg_dc_event ev;
  struct got *g = &d->got[i];
  while (rtg_dc_poll_event(d->dc[i], &ev) == 0) {
    switch (ev.type) {
      case RTG_DC_EV_CONNECTED: g->connected++; break;
      case RTG_DC_EV_CHANNEL_OPEN:
        g->opened++;
        g->open_sid = ev.sid;
        g->channel_type = ev.channel_type;
        assert_true(ev.label.len < sizeof g->label && ev.protocol.len < sizeof g->protocol);
        memcpy(g->label, ev.label.p, ev.label.len);
        g->label[ev.label.len] = 0;
        memcpy(g->protocol, ev.protocol.p, ev.protocol.len);
        g->protocol[ev.protocol.len] = 0;
        break;
      case RTG_DC_EV_CHANNEL_ACKED:
        g->acked++;
        g->acked_sid = ev.sid;
        break;
      case RTG_DC_EV_CHANNEL_CLOSED:
        g->closed_ch++;
        g->closed_sid = ev.sid;
        break;
      case RTG_DC_EV_CLOSED: g->closed++; break;
      case RTG_DC_EV_MESSAGE:
        g->msgs++;
        g->binary = ev.binary;
        g->last_sid = ev.sid;
        g->last_len = ev.len;
        if (ev.len <= sizeof g->last && ev.len) memcpy(g->last, ev.data, ev.len);
        break;
      default: break;
    }
  }
}

/* |ms| milliseconds of both endpoints exchanging packets directly. */
static void spin(struct duo *d, int ms) {
  for (int t = 0; t < ms; t++) {
    for (int i = 0; i < 2; i++) {
      uint8_t buf[1500];
      size_t len;
      struct rtg_sctp_assoc *a = rtg_dc_assoc(d->dc[i]);
      while (rtg_sctp_assoc_poll_transmit(a, buf, sizeof buf, &len) == 0) {
        if (d->loss_pct && rtg_prng_next(&d->loss) % 100 < d->loss_pct) continue;
        assert_int_equal(
            rtg_sctp_assoc_handle_datagram(rtg_dc_assoc(d->dc[1 - i]), d->now, buf, len), 0);
      }
      events(d, i);
    }
    d->now += RTG_MS(1);
    for (int i = 0; i < 2; i++) {
      struct rtg_sctp_assoc *a = rtg_dc_assoc(d->dc[i]);
      if (rtg_sctp_assoc_poll_timeout(a) <= d->now)
        assert_int_equal(rtg_sctp_assoc_handle_timeout(a, d->now), 0);
    }
  }
}

static void duo_connect(struct duo *d) {
  assert_int_equal(rtg_sctp_assoc_connect(rtg_dc_assoc(d->dc[0]), d->now), 0);
  assert_int_equal(rtg_sctp_assoc_connect(rtg_dc_assoc(d->dc[1]), d->now), 0);
  spin(d, 50);
  assert_int_equal(d->got[0].connected, 1);
  assert_int_equal(d->got[1].connected, 1);
}

static void test_sctp_dc_open_ack_and_messages(void **state) {
  struct duo d;
  struct rtg_dc_channel_opts o;
  uint16_t a, b, c;
  (void)state;
  duo_init(&d);
  /* no channel before the association is up */
  memset(&o, 0, sizeof o);
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &a), RTG_ERR_STATE);
  duo_connect(&d);
  o.label = "chat";
  o.protocol = "v1";
  o.priority = 256;
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &a), 0);
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &c), 0);
  assert_int_equal(rtg_dc_open(d.dc[1], d.now, &o, &b), 0);
  /* RFC 8832 §6: the DTLS client takes even ids, the server odd ones */
  assert_int_equal(a, 0);
  assert_int_equal(c, 2);
  assert_int_equal(b, 1);
  /* sent before the ACK: still delivered, after the OPEN */
  assert_int_equal(rtg_dc_send(d.dc[0], d.now, a, false, "early", 5), 0);
  spin(&d, 50);
  assert_int_equal(d.got[1].opened, 2);
  assert_string_equal(d.got[1].label, "chat");
  assert_string_equal(d.got[1].protocol, "v1");
  assert_int_equal(d.got[0].opened, 1);
  assert_int_equal(d.got[0].open_sid, 1);
  assert_int_equal(d.got[0].acked, 2);
  assert_int_equal(d.got[1].acked, 1);
  assert_int_equal(d.got[1].msgs, 1);
  assert_memory_equal(d.got[1].last, "early", 5);
  assert_false(d.got[1].binary);
  /* binary, then the empty messages of RFC 8831 §6.6 */
  assert_int_equal(rtg_dc_send(d.dc[1], d.now, b, true, "\x00\x01\x02", 3), 0);
  spin(&d, 20);
  assert_true(d.got[0].binary);
  assert_int_equal(d.got[0].last_len, 3);
  assert_int_equal(d.got[0].last_sid, 1);
  assert_int_equal(rtg_dc_send(d.dc[1], d.now, b, false, NULL, 0), 0);
  spin(&d, 20);
  assert_int_equal(d.got[0].msgs, 2);
  assert_int_equal(d.got[0].last_len, 0);
  assert_false(d.got[0].binary);
  /* unknown channel */
  assert_int_equal(rtg_dc_send(d.dc[1], d.now, 99, false, "x", 1), RTG_ERR_NOTFOUND);
  duo_free(&d);
}

/* RFC 8832 §4: pre-negotiated channels skip DCEP; both sides use the id. */
static void test_sctp_dc_open_negotiated(void **state) {
  struct duo d;
  struct rtg_dc_channel_opts o;
  uint16_t a, b;
  (void)state;
  duo_init(&d);
  duo_connect(&d);
  memset(&o, 0, sizeof o);
  o.negotiated = true;
  o.id = 7;
  o.label = "neg";
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &a), 0);
  assert_int_equal(rtg_dc_open(d.dc[1], d.now, &o, &b), 0);
  assert_int_equal(a, 7);
  assert_int_equal(rtg_dc_open(d.dc[1], d.now, &o, &b), RTG_ERR_INVAL); /* in use */
  assert_int_equal(rtg_dc_send(d.dc[0], d.now, 7, false, "pre", 3), 0);
  spin(&d, 20);
  assert_int_equal(d.got[1].opened, 0); /* no DCEP */
  assert_int_equal(d.got[1].msgs, 1);
  assert_int_equal(d.got[1].last_sid, 7);
  o.channel_type = 0x33; /* not a DCEP channel type */
  o.id = 9;
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &a), RTG_ERR_INVAL);
  duo_free(&d);
}

/* Unreliable, unordered channel through 15 % loss: what arrives is intact,
 * some is lost, and a reliable channel next to it loses nothing. */
static void test_sctp_dc_partial_reliability(void **state) {
  struct duo d;
  struct rtg_dc_channel_opts o;
  uint16_t u, r;
  uint8_t m[1000];
  (void)state;
  duo_init(&d);
  duo_connect(&d);
  memset(&o, 0, sizeof o);
  o.channel_type = RTG_DCEP_PARTIAL_REXMIT_UNORDERED;
  o.reliability = 0;
  o.label = "unreliable";
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &u), 0);
  o.channel_type = RTG_DCEP_RELIABLE;
  o.label = "reliable";
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &r), 0);
  spin(&d, 50);
  assert_int_equal(d.got[0].acked, 2);
  assert_int_equal(d.got[1].channel_type, RTG_DCEP_RELIABLE);
  d.loss_pct = 15;
  memset(m, 0xab, sizeof m);
  for (int i = 0; i < 200; i++) assert_int_equal(rtg_dc_send(d.dc[0], d.now, u, true, m, 900), 0);
  for (int i = 0; i < 50; i++) assert_int_equal(rtg_dc_send(d.dc[0], d.now, r, true, m, 500), 0);
  spin(&d, 5000);
  d.loss_pct = 0;
  spin(&d, 2000);
  assert_true(d.got[1].msgs >= 50 + 100 && d.got[1].msgs < 250);
  assert_int_equal(rtg_dc_buffered(d.dc[0], u), 0);
  assert_int_equal(rtg_dc_buffered(d.dc[0], r), 0);
  duo_free(&d);
}

/* RFC 8831 §6.7: either side closes; both see CHANNEL_CLOSED; ids are
 * reusable afterwards. */
static void test_sctp_dc_close(void **state) {
  struct duo d;
  struct rtg_dc_channel_opts o;
  uint16_t a, b;
  (void)state;
  duo_init(&d);
  duo_connect(&d);
  memset(&o, 0, sizeof o);
  o.label = "x";
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &a), 0);
  assert_int_equal(rtg_dc_open(d.dc[1], d.now, &o, &b), 0);
  spin(&d, 50);
  assert_int_equal(rtg_dc_send(d.dc[0], d.now, a, false, "last", 4), 0);
  assert_int_equal(rtg_dc_close(d.dc[0], a), 0);
  assert_int_equal(rtg_dc_close(d.dc[1], b), 0); /* both at once */
  spin(&d, 500);
  assert_int_equal(d.got[0].closed_ch, 2);
  assert_int_equal(d.got[1].closed_ch, 2);
  assert_memory_equal(d.got[1].last, "last", 4);
  assert_int_equal(rtg_dc_send(d.dc[0], d.now, a, false, "x", 1), RTG_ERR_NOTFOUND);
  assert_int_equal(rtg_dc_open(d.dc[0], d.now, &o, &a), 0);
  assert_int_equal(a, 0); /* reused */
  spin(&d, 50);
  assert_int_equal(d.got[1].opened, 2);
  assert_int_equal(rtg_dc_close(d.dc[1], a), 0); /* closed by the other side */
  spin(&d, 500);
  assert_int_equal(d.got[0].closed_ch, 3);
  assert_int_equal(d.got[1].closed_ch, 3);
  duo_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sctp_dc_open_ack_and_messages),
      cmocka_unit_test(test_sctp_dc_open_negotiated),
      cmocka_unit_test(test_sctp_dc_partial_reliability),
      cmocka_unit_test(test_sctp_dc_close),
  };
  return cmocka_run_group_tests_name("sctp_dc", tests, NULL, NULL);
}
