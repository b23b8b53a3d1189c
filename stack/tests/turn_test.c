/*
 * turn_test.c - the sans-IO TURN client (RFC 8656) against a scripted fake
 * server built with the STUN codec: 401 then authenticated Allocate with
 * MD5 and SHA-256 keys, 438 stale nonce, wrong password, RFC 8489 §6.2.1
 * retransmission timeline, permissions, channels, Send/Data indications,
 * ChannelData, refresh timers, deallocation, forged responses.
 * Deterministic: time is injected, randomness is a seeded PRNG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/turn.h"

/* ---- the fake server ------------------------------------------------------ */

struct fake {
  bool offer_algs;   /* 401 carries PASSWORD-ALGORITHMS (SHA-256, MD5) */
  int stale_once;    /* answer the next authenticated request with 438 */
  bool wrong_pass;   /* the server's password differs */
  bool bad_mi;       /* corrupt the MI of success responses */
  bool mismatch;     /* answer Refresh with 437 Allocation Mismatch */
  uint32_t family;   /* REQUESTED-ADDRESS-FAMILY of the last Allocate (0: none) */
  const char *nonce; /* current nonce */
  uint32_t lifetime; /* LIFETIME answered */
  int requests;      /* requests seen */
  int authenticated; /* of which with a valid MESSAGE-INTEGRITY(-SHA256) */
  uint16_t last_method;
  uint32_t last_lifetime;
  bool last_sha256; /* the last request used MI-SHA256 + PASSWORD-ALGORITHM 2 */
  uint8_t last_tid[RTG_STUN_TID_LEN];
};

static const struct rtg_stun_addr server_addr = {1, 3478, {127, 0, 0, 1}};
static const struct rtg_stun_addr relayed_addr = {1, 50000, {127, 0, 0, 1}};
static const struct rtg_stun_addr mapped_addr = {1, 40000, {127, 0, 0, 1}};
static const struct rtg_stun_addr peer_addr = {1, 7000, {127, 0, 0, 1}};

static void make_cred(struct rtg_stun_cred *cred, bool sha256, bool wrong) {
  const char *pw = wrong ? "not-p" : "p";
  assert_int_equal(
      rtg_stun_cred_init_long(cred, sha256 ? RTG_STUN_PWALG_SHA256 : RTG_STUN_PWALG_MD5, "u", 1,
                              "r", 1, pw, strlen(pw)),
      0);
}

/* Answers request |req| into |out|; returns its length (0: no answer). */
static size_t serve(struct fake *f, const uint8_t *req, size_t len, uint8_t *out, size_t cap) {
  struct rtg_stun_msg m;
  struct rtg_stun_attr a;
  struct rtg_stun_builder b;
  struct rtg_stun_cred cred;
  bool sha = false;
  ptrdiff_t n;
  memset(&cred, 0, sizeof cred);
  assert_int_equal(rtg_stun_msg_parse(&m, req, len, NULL), 0);
  assert_int_equal(m.cls, RTG_STUN_REQUEST);
  assert_int_not_equal(m.fp_off, 0);
  assert_int_equal(rtg_stun_msg_check_fingerprint(&m, NULL), 0);
  f->requests++;
  f->last_method = m.method;
  memcpy(f->last_tid, m.tid, RTG_STUN_TID_LEN);
  if (rtg_stun_msg_find(&m, RTG_STUN_ATTR_PASSWORD_ALGORITHM, &a) == 0) {
    struct rtg_stun_pwalg_entry e;
    assert_int_equal(rtg_stun_attr_pwalg(&a, 0, &e, NULL), 0);
    sha = e.alg == RTG_STUN_PWALG_SHA256;
    /* the client echoes the list it was given (RFC 8489 §9.2.4) */
    assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_PASSWORD_ALGORITHMS, &a), 0);
    assert_int_equal(a.len, 8);
  }
  f->last_sha256 = sha && m.mi256_off != 0 && m.mi_off == 0;
  assert_int_equal(rtg_stun_builder_init(&b, out, cap, RTG_STUN_ERROR, m.method, m.tid), 0);
  if (m.mi_off == 0 && m.mi256_off == 0) {
    /* 401 with realm and nonce (RFC 8489 §9.2.4) */
    uint8_t algs[8] = {0, 2, 0, 0, 0, 1, 0, 0};
    assert_int_equal(rtg_stun_builder_add_error(&b, 401, "Unauthorized", 12), 0);
    assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_REALM, "r", 1), 0);
    assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_NONCE, f->nonce, strlen(f->nonce)), 0);
    if (f->offer_algs)
      assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_PASSWORD_ALGORITHMS, algs, 8), 0);
    n = rtg_stun_builder_finish(&b);
    assert_true(n > 0);
    return (size_t)n;
  }
  /* authenticated: check user, realm, nonce, integrity */
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_USERNAME, &a), 0);
  assert_memory_equal(a.value, "u", 1);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_REALM, &a), 0);
  assert_memory_equal(a.value, "r", 1);
  make_cred(&cred, sha, f->wrong_pass);
  if (rtg_stun_msg_check_integrity(&m, &cred, NULL) != 0) {
    assert_int_equal(rtg_stun_builder_add_error(&b, 401, "Unauthorized", 12), 0);
    assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_REALM, "r", 1), 0);
    assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_NONCE, f->nonce, strlen(f->nonce)), 0);
    n = rtg_stun_builder_finish(&b);
    rtg_stun_cred_free(&cred);
    return (size_t)n;
  }
  f->authenticated++;
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_NONCE, &a), 0);
  if (f->stale_once || a.len != strlen(f->nonce) || memcmp(a.value, f->nonce, a.len) != 0) {
    if (f->stale_once) {
      f->stale_once = 0;
      f->nonce = "fresh-nonce";
    }
    assert_int_equal(rtg_stun_builder_add_error(&b, 438, "Stale Nonce", 11), 0);
    assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_REALM, "r", 1), 0);
    assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_NONCE, f->nonce, strlen(f->nonce)), 0);
    n = rtg_stun_builder_finish(&b);
    rtg_stun_cred_free(&cred);
    return (size_t)n;
  }
  if (f->mismatch && m.method == RTG_STUN_REFRESH) {
    /* an authenticated error response: signed like a success */
    assert_int_equal(rtg_stun_builder_add_error(&b, 437, "Allocation Mismatch", 19), 0);
    assert_int_equal(rtg_stun_builder_add_integrity(&b, &cred), 0);
    n = rtg_stun_builder_finish(&b);
    rtg_stun_cred_free(&cred);
    return (size_t)n;
  }
  assert_int_equal(rtg_stun_builder_init(&b, out, cap, RTG_STUN_SUCCESS, m.method, m.tid), 0);
  switch (m.method) {
    case RTG_STUN_ALLOCATE:
      assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_REQUESTED_TRANSPORT, &a), 0);
      assert_int_equal(rtg_load_u32(a.value), 17u << 24);
      f->family = 0;
      if (rtg_stun_msg_find(&m, RTG_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, &a) == 0)
        assert_int_equal(rtg_stun_attr_u32(&a, &f->family, NULL), 0);
      assert_int_equal(
          rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_RELAYED_ADDRESS, &relayed_addr), 0);
      assert_int_equal(
          rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped_addr), 0);
      assert_int_equal(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_LIFETIME, f->lifetime), 0);
      break;
    case RTG_STUN_REFRESH: {
      uint32_t v;
      assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_LIFETIME, &a), 0);
      assert_int_equal(rtg_stun_attr_u32(&a, &v, NULL), 0);
      f->last_lifetime = v;
      assert_int_equal(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_LIFETIME, v), 0);
      break;
    }
    case RTG_STUN_CREATE_PERMISSION:
    case RTG_STUN_CHANNEL_BIND: {
      struct rtg_stun_addr pa;
      assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
      assert_int_equal(rtg_stun_attr_addr(&m, &a, &pa, NULL), 0);
      assert_int_equal(pa.port, peer_addr.port);
      if (m.method == RTG_STUN_CHANNEL_BIND) {
        uint32_t v;
        assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_CHANNEL_NUMBER, &a), 0);
        assert_int_equal(rtg_stun_attr_u32(&a, &v, NULL), 0);
        assert_int_equal(v >> 16, 0x4000);
      }
      break;
    }
    default: fail();
  }
  if (sha)
    assert_int_equal(rtg_stun_builder_add_integrity_sha256(&b, &cred, 32), 0);
  else
    assert_int_equal(rtg_stun_builder_add_integrity(&b, &cred), 0);
  n = rtg_stun_builder_finish(&b);
  assert_true(n > 0);
  if (f->bad_mi) out[n - 1] ^= 1;
  rtg_stun_cred_free(&cred);
  return (size_t)n;
}

/* ---- harness -------------------------------------------------------------- */

struct h {
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_turn_client *c;
  struct fake f;
  rtg_time now;
};

static void h_init(struct h *h, bool md5_only) {
  struct rtg_turn_config cfg;
  memset(h, 0, sizeof *h);
  rtg_ctx_deterministic(&h->ctx, &h->prng, 9, &h->now);
  memset(&cfg, 0, sizeof cfg);
  cfg.server = server_addr;
  cfg.username = "u";
  cfg.password = "p";
  cfg.software = "rtcgate test";
  cfg.prefer_md5 = md5_only;
  assert_int_equal(rtg_turn_client_new(&h->c, &h->ctx, &cfg), 0);
  h->f.nonce = "nonce-1";
  h->f.lifetime = 600;
}

/* Delivers every queued client datagram to the fake server and the
 * answers back; returns how many datagrams went out. */
static int pump(struct h *h) {
  uint8_t buf[2048], resp[2048];
  size_t len, rlen;
  struct rtg_stun_addr dst;
  int sent = 0;
  while (rtg_turn_client_poll_transmit(h->c, buf, sizeof buf, &len, &dst) == 0) {
    assert_memory_equal(&dst, &server_addr, sizeof dst);
    sent++;
    if (rtg_stun_classify(buf, len) != RTG_STUN_KIND_STUN) continue;
    struct rtg_stun_msg m;
    assert_int_equal(rtg_stun_msg_parse(&m, buf, len, NULL), 0);
    if (m.cls == RTG_STUN_INDICATION) continue;
    rlen = serve(&h->f, buf, len, resp, sizeof resp);
    if (rlen) {
      int rc = rtg_turn_client_handle_datagram(h->c, h->now, &server_addr, resp, rlen);
      if (!h->f.bad_mi) assert_int_equal(rc, 0);
    }
  }
  return sent;
}

static struct rtg_turn_event next_event(struct h *h) {
  struct rtg_turn_event ev;
  assert_int_equal(rtg_turn_client_poll_event(h->c, &ev), 0);
  return ev;
}

static void allocate(struct h *h) {
  struct rtg_turn_event ev;
  assert_int_equal(rtg_turn_client_allocate(h->c, h->now), 0);
  assert_int_equal(pump(h), 2); /* unauthenticated, then with credentials */
  ev = next_event(h);
  assert_int_equal(ev.type, RTG_TURN_EV_ALLOCATED);
  assert_memory_equal(&ev.relayed, &relayed_addr, sizeof relayed_addr);
  assert_memory_equal(&ev.mapped, &mapped_addr, sizeof mapped_addr);
  assert_int_equal(ev.lifetime, 600);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_turn_client_allocate_md5(void **state) {
  struct h h;
  struct rtg_stun_addr r;
  (void)state;
  h_init(&h, false);
  assert_false(rtg_turn_client_relayed(h.c, &r));
  allocate(&h);
  assert_int_equal(h.f.requests, 2);
  assert_int_equal(h.f.authenticated, 1);
  assert_false(h.f.last_sha256);
  assert_true(rtg_turn_client_relayed(h.c, &r));
  assert_int_equal(r.port, 50000);
  assert_int_equal(rtg_turn_client_allocate(h.c, h.now), RTG_ERR_STATE);
  assert_int_equal(rtg_turn_client_poll_event(h.c, &(struct rtg_turn_event){0}), RTG_ERR_AGAIN);
  rtg_turn_client_free(h.c);
}

/* The server lists SHA-256 and MD5: the client picks SHA-256, names it in
 * PASSWORD-ALGORITHM, echoes PASSWORD-ALGORITHMS and signs with
 * MESSAGE-INTEGRITY-SHA256 under the SHA-256 key (RFC 8489 §9.2). */
static void test_turn_client_allocate_sha256(void **state) {
  struct h h;
  (void)state;
  h_init(&h, false);
  h.f.offer_algs = true;
  allocate(&h);
  assert_true(h.f.last_sha256);
  /* later requests keep using it */
  assert_int_equal(rtg_turn_client_permit(h.c, h.now, &peer_addr), 0);
  assert_int_equal(pump(&h), 1);
  assert_true(h.f.last_sha256);
  assert_int_equal(next_event(&h).type, RTG_TURN_EV_PERMISSION_CREATED);
  rtg_turn_client_free(h.c);
  /* prefer_md5: MD5 even when SHA-256 is offered */
  h_init(&h, true);
  h.f.offer_algs = true;
  allocate(&h);
  assert_false(h.f.last_sha256);
  rtg_turn_client_free(h.c);
}

static void test_turn_client_stale_nonce(void **state) {
  struct h h;
  uint8_t tid[RTG_STUN_TID_LEN];
  (void)state;
  h_init(&h, false);
  allocate(&h);
  memcpy(tid, h.f.last_tid, sizeof tid);
  h.f.stale_once = 1;
  assert_int_equal(rtg_turn_client_permit(h.c, h.now, &peer_addr), 0);
  assert_int_equal(pump(&h), 2); /* 438, then again with the new nonce */
  assert_memory_not_equal(h.f.last_tid, tid, sizeof tid);
  assert_int_equal(next_event(&h).type, RTG_TURN_EV_PERMISSION_CREATED);
  rtg_turn_client_free(h.c);
}

static void test_turn_client_wrong_password(void **state) {
  struct h h;
  struct rtg_turn_event ev;
  (void)state;
  h_init(&h, false);
  h.f.wrong_pass = true;
  assert_int_equal(rtg_turn_client_allocate(h.c, h.now), 0);
  assert_int_equal(pump(&h), 2);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_FAILED);
  assert_int_equal(ev.method, RTG_STUN_ALLOCATE);
  assert_int_equal(ev.error_code, 401);
  /* may try again */
  assert_int_equal(rtg_turn_client_allocate(h.c, h.now), 0);
  rtg_turn_client_free(h.c);
}

/* RFC 8489 §6.2.1: with RTO 500 ms, sends at 0, 500, 1500, 3500, 7500,
 * 15500 and 31500 ms, and failure at 39500 ms. */
static void test_turn_client_retransmit_timeline(void **state) {
  static const rtg_time sends[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
  struct h h;
  uint8_t buf[2048], first[2048];
  size_t len, flen = 0;
  struct rtg_stun_addr dst;
  struct rtg_turn_event ev;
  (void)state;
  h_init(&h, false);
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_TIME_NEVER);
  assert_int_equal(rtg_turn_client_allocate(h.c, h.now), 0);
  for (size_t k = 0; k < 7; k++) {
    if (k > 0) {
      assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_MS(sends[k]));
      /* nothing before the timer */
      h.now = RTG_MS(sends[k]) - 1;
      assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
      assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst),
                       RTG_ERR_AGAIN);
      h.now = RTG_MS(sends[k]);
      assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
    }
    assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), 0);
    /* a retransmission is the same message */
    if (k == 0) {
      memcpy(first, buf, len);
      flen = len;
    } else {
      assert_int_equal(len, flen);
      assert_memory_equal(buf, first, len);
    }
    assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst),
                     RTG_ERR_AGAIN);
  }
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_MS(39500));
  h.now = RTG_MS(39500);
  assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), RTG_ERR_AGAIN);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_FAILED);
  assert_int_equal(ev.error_code, 0);
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_TIME_NEVER);
  rtg_turn_client_free(h.c);
}

static void test_turn_client_permission_channel_data(void **state) {
  struct h h;
  uint8_t buf[2048], msg[256];
  size_t len;
  struct rtg_stun_addr dst;
  struct rtg_turn_event ev;
  struct rtg_stun_msg m;
  struct rtg_stun_attr a;
  struct rtg_stun_addr pa;
  struct rtg_stun_builder b;
  uint16_t ch = 0;
  static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  ptrdiff_t n;
  (void)state;
  h_init(&h, false);
  assert_int_equal(rtg_turn_client_send(h.c, h.now, &peer_addr, "x", 1), RTG_ERR_STATE);
  assert_int_equal(rtg_turn_client_permit(h.c, h.now, &peer_addr), RTG_ERR_STATE);
  allocate(&h);
  assert_int_equal(rtg_turn_client_permit(h.c, h.now, &peer_addr), 0);
  assert_int_equal(pump(&h), 1);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_PERMISSION_CREATED);
  assert_memory_equal(&ev.peer, &peer_addr, sizeof peer_addr);
  /* before a channel: a Send indication (RFC 8656 §11.1) */
  assert_int_equal(rtg_turn_client_send(h.c, h.now, &peer_addr, "hello", 5), 0);
  assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), 0);
  assert_int_equal(rtg_stun_msg_parse(&m, buf, len, NULL), 0);
  assert_int_equal(m.cls, RTG_STUN_INDICATION);
  assert_int_equal(m.method, RTG_STUN_SEND);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
  assert_int_equal(rtg_stun_attr_addr(&m, &a, &pa, NULL), 0);
  assert_memory_equal(&pa, &peer_addr, sizeof pa);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_DATA, &a), 0);
  assert_int_equal(a.len, 5);
  assert_memory_equal(a.value, "hello", 5);
  /* a channel */
  assert_int_equal(rtg_turn_client_bind(h.c, h.now, &peer_addr, &ch), 0);
  assert_int_equal(ch, 0x4000);
  assert_int_equal(pump(&h), 1);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_CHANNEL_BOUND);
  assert_int_equal(ev.channel, 0x4000);
  assert_int_equal(rtg_turn_client_send(h.c, h.now, &peer_addr, "hello", 5), 0);
  assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), 0);
  assert_int_equal(len, 9);
  assert_memory_equal(buf, "\x40\x00\x00\x05hello", 9);
  /* inbound Data indication */
  assert_int_equal(
      rtg_stun_builder_init(&b, msg, sizeof msg, RTG_STUN_INDICATION, RTG_STUN_DATA, tid), 0);
  assert_int_equal(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &peer_addr), 0);
  assert_int_equal(rtg_stun_builder_add(&b, RTG_STUN_ATTR_DATA, "world", 5), 0);
  n = rtg_stun_builder_finish(&b);
  assert_true(n > 0);
  assert_int_equal(rtg_turn_client_handle_datagram(h.c, h.now, &server_addr, msg, (size_t)n), 0);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_DATA);
  assert_int_equal(ev.len, 5);
  assert_memory_equal(ev.data, "world", 5);
  assert_memory_equal(&ev.peer, &peer_addr, sizeof peer_addr);
  /* inbound ChannelData */
  assert_int_equal(rtg_turn_client_handle_datagram(h.c, h.now, &server_addr,
                                                   (const uint8_t *)"\x40\x00\x00\x03"
                                                                    "abc",
                                                   7),
                   0);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_DATA);
  assert_int_equal(ev.channel, 0x4000);
  assert_memory_equal(ev.data, "abc", 3);
  assert_memory_equal(&ev.peer, &peer_addr, sizeof peer_addr);
  /* unknown channel, other source, garbage */
  assert_int_equal(rtg_turn_client_handle_datagram(h.c, h.now, &server_addr,
                                                   (const uint8_t *)"\x40\x01\x00\x01z", 5),
                   RTG_ERR_NOTFOUND);
  assert_int_equal(rtg_turn_client_handle_datagram(h.c, h.now, &peer_addr, msg, (size_t)n),
                   RTG_ERR_NOTFOUND);
  assert_int_equal(
      rtg_turn_client_handle_datagram(h.c, h.now, &server_addr, (const uint8_t *)"\x17\xfe\xfd", 3),
      RTG_ERR_PARSE);
  assert_int_equal(rtg_turn_client_poll_event(h.c, &ev), RTG_ERR_AGAIN);
  rtg_turn_client_free(h.c);
}

/* IPv6: REQUESTED-ADDRESS-FAMILY on request, IPv6 peers in Send
 * indications. */
static void test_turn_client_ipv6(void **state) {
  static const struct rtg_stun_addr peer6 = {
      2, 9000, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  struct rtg_turn_config cfg;
  struct h h;
  uint8_t buf[2048];
  size_t len;
  struct rtg_stun_addr dst, pa;
  struct rtg_stun_msg m;
  struct rtg_stun_attr a;
  (void)state;
  h_init(&h, false);
  allocate(&h);
  assert_int_equal(h.f.family, 0);
  assert_int_equal(rtg_turn_client_send(h.c, h.now, &peer6, "six", 3), 0);
  assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), 0);
  assert_int_equal(rtg_stun_msg_parse(&m, buf, len, NULL), 0);
  assert_int_equal(rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
  assert_int_equal(rtg_stun_attr_addr(&m, &a, &pa, NULL), 0);
  assert_memory_equal(&pa, &peer6, sizeof pa);
  rtg_turn_client_free(h.c);
  /* an IPv6 relay asked for */
  h_init(&h, false);
  rtg_turn_client_free(h.c);
  memset(&cfg, 0, sizeof cfg);
  cfg.server = server_addr;
  cfg.username = "u";
  cfg.password = "p";
  cfg.ipv6_relay = true;
  assert_int_equal(rtg_turn_client_new(&h.c, &h.ctx, &cfg), 0);
  allocate(&h);
  assert_int_equal(h.f.family, 2u << 24);
  rtg_turn_client_free(h.c);
}

/* Allocation refreshed 60 s before its 600 s lifetime, permission every
 * 240 s, channel every 540 s; Refresh 0 deallocates. */
static void test_turn_client_refresh_timers(void **state) {
  struct h h;
  uint16_t ch;
  struct rtg_turn_event ev;
  (void)state;
  h_init(&h, false);
  allocate(&h);
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_SEC(540));
  assert_int_equal(rtg_turn_client_permit(h.c, h.now, &peer_addr), 0);
  assert_int_equal(pump(&h), 1);
  assert_int_equal(next_event(&h).type, RTG_TURN_EV_PERMISSION_CREATED);
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_SEC(240));
  h.now = RTG_SEC(240);
  assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  assert_int_equal(pump(&h), 1);
  assert_int_equal(h.f.last_method, RTG_STUN_CREATE_PERMISSION);
  assert_int_equal(rtg_turn_client_poll_event(h.c, &ev), RTG_ERR_AGAIN); /* silent */
  assert_int_equal(rtg_turn_client_bind(h.c, h.now, &peer_addr, &ch), 0);
  assert_int_equal(pump(&h), 1);
  assert_int_equal(next_event(&h).type, RTG_TURN_EV_CHANNEL_BOUND);
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_SEC(480));
  h.now = RTG_SEC(540);
  assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  assert_int_equal(pump(&h), 2); /* Refresh and CreatePermission (480 s) */
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_REFRESHED);
  assert_int_equal(ev.lifetime, 600);
  assert_int_equal(h.f.last_lifetime, 600);
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), RTG_SEC(780)); /* 540 + 240 */
  h.now = RTG_SEC(780); /* channel (240 + 540) and permission */
  assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  assert_int_equal(pump(&h), 2);
  /* deallocate */
  assert_int_equal(rtg_turn_client_refresh(h.c, h.now, 0), 0);
  assert_int_equal(pump(&h), 1);
  assert_int_equal(h.f.last_lifetime, 0);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_DEALLOCATED);
  assert_int_equal(rtg_turn_client_send(h.c, h.now, &peer_addr, "x", 1), RTG_ERR_STATE);
  rtg_turn_client_free(h.c);
}

/* 437 to a Refresh: the allocation is gone (RFC 8656 §8.3); the client
 * reports it and may allocate again. */
static void test_turn_client_refresh_mismatch(void **state) {
  struct h h;
  struct rtg_turn_event ev;
  struct rtg_stun_addr r;
  (void)state;
  h_init(&h, false);
  allocate(&h);
  h.f.mismatch = true;
  assert_int_equal(rtg_turn_client_refresh(h.c, h.now, 600), 0);
  assert_int_equal(pump(&h), 1);
  ev = next_event(&h);
  assert_int_equal(ev.type, RTG_TURN_EV_FAILED);
  assert_int_equal(ev.method, RTG_STUN_REFRESH);
  assert_int_equal(ev.error_code, 437);
  assert_false(rtg_turn_client_relayed(h.c, &r));
  assert_int_equal(rtg_turn_client_send(h.c, h.now, &peer_addr, "x", 1), RTG_ERR_STATE);
  h.f.mismatch = false;
  /* the credentials are known now: one authenticated request */
  assert_int_equal(rtg_turn_client_allocate(h.c, h.now), 0);
  assert_int_equal(pump(&h), 1);
  assert_int_equal(next_event(&h).type, RTG_TURN_EV_ALLOCATED);
  rtg_turn_client_free(h.c);
}

/* An automatic Refresh that times out is reported and tried again 10 s
 * later, while the allocation may still be alive. */
static void test_turn_client_refresh_retry(void **state) {
  struct h h;
  struct rtg_turn_event ev;
  uint8_t buf[2048];
  size_t len;
  struct rtg_stun_addr dst;
  int sent = 0;
  (void)state;
  h_init(&h, false);
  allocate(&h);
  h.now = RTG_SEC(540);
  assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  /* the server stays silent: the 7 sends go out, then the failure */
  for (;;) {
    while (rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst) == 0) sent++;
    if (rtg_turn_client_poll_event(h.c, &ev) == 0) break;
    h.now = rtg_turn_client_poll_timeout(h.c);
    assert_true(h.now < RTG_SEC(600));
    assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  }
  assert_int_equal(sent, 7);
  assert_int_equal(ev.type, RTG_TURN_EV_FAILED);
  assert_int_equal(ev.method, RTG_STUN_REFRESH);
  assert_int_equal(ev.error_code, 0);
  assert_int_equal(h.now, RTG_SEC(540) + RTG_MS(39500));
  assert_int_equal(rtg_turn_client_poll_timeout(h.c), h.now + RTG_SEC(10));
  h.now += RTG_SEC(10);
  assert_int_equal(rtg_turn_client_handle_timeout(h.c, h.now), 0);
  assert_int_equal(pump(&h), 1);
  assert_int_equal(next_event(&h).type, RTG_TURN_EV_REFRESHED);
  rtg_turn_client_free(h.c);
}

/* A success response whose MESSAGE-INTEGRITY does not verify is dropped
 * (RFC 8489 §9.2.5): the transaction goes on and times out. */
static void test_turn_client_forged_response(void **state) {
  struct h h;
  uint8_t buf[2048], resp[2048];
  size_t len, rlen;
  struct rtg_stun_addr dst;
  struct rtg_stun_addr r;
  (void)state;
  h_init(&h, false);
  h.f.bad_mi = true;
  assert_int_equal(rtg_turn_client_allocate(h.c, h.now), 0);
  assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), 0);
  rlen = serve(&h.f, buf, len, resp, sizeof resp); /* 401 */
  assert_int_equal(rtg_turn_client_handle_datagram(h.c, h.now, &server_addr, resp, rlen), 0);
  assert_int_equal(rtg_turn_client_poll_transmit(h.c, buf, sizeof buf, &len, &dst), 0);
  rlen = serve(&h.f, buf, len, resp, sizeof resp); /* success, broken MI */
  assert_int_equal(rtg_turn_client_handle_datagram(h.c, h.now, &server_addr, resp, rlen),
                   RTG_ERR_AUTH);
  assert_false(rtg_turn_client_relayed(h.c, &r));
  assert_int_equal(rtg_turn_client_poll_event(h.c, &(struct rtg_turn_event){0}), RTG_ERR_AGAIN);
  assert_true(rtg_turn_client_poll_timeout(h.c) != RTG_TIME_NEVER);
  rtg_turn_client_free(h.c);
}

static void test_turn_client_new_invalid(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_turn_config cfg;
  struct rtg_turn_client *c;
  (void)state;
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  memset(&cfg, 0, sizeof cfg);
  assert_int_equal(rtg_turn_client_new(&c, &ctx, &cfg), RTG_ERR_INVAL);
  cfg.username = "u";
  cfg.password = "p";
  assert_int_equal(rtg_turn_client_new(&c, &ctx, &cfg), RTG_ERR_INVAL); /* no server */
  cfg.server = server_addr;
  assert_int_equal(rtg_turn_client_new(&c, &ctx, &cfg), 0);
  rtg_turn_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_turn_client_allocate_md5),
      cmocka_unit_test(test_turn_client_allocate_sha256),
      cmocka_unit_test(test_turn_client_stale_nonce),
      cmocka_unit_test(test_turn_client_wrong_password),
      cmocka_unit_test(test_turn_client_retransmit_timeline),
      cmocka_unit_test(test_turn_client_permission_channel_data),
      cmocka_unit_test(test_turn_client_ipv6),
      cmocka_unit_test(test_turn_client_refresh_timers),
      cmocka_unit_test(test_turn_client_refresh_mismatch),
      cmocka_unit_test(test_turn_client_refresh_retry),
      cmocka_unit_test(test_turn_client_forged_response),
      cmocka_unit_test(test_turn_client_new_invalid),
  };
  return cmocka_run_group_tests_name("turn", tests, NULL, NULL);
}
