/*
 * client.c - sans-IO TURN client (RFC 8656) over UDP.
 *
 *   client                       server
 *     | Allocate (no credentials) |
 *     |-------------------------->|
 *     |  401 REALM NONCE [PW-ALGS]|      RFC 8489 §9.2: long-term
 *     |<--------------------------|      credentials, key =
 *     | Allocate USERNAME REALM   |      MD5/SHA-256(user:realm:pass)
 *     |   NONCE ... MI[-SHA256]   |
 *     |-------------------------->|
 *     | success XOR-RELAYED-ADDR  |
 *     |<--------------------------|
 *
 * Every request is a transaction with its own retransmission timer
 * (RFC 8489 §6.2.1: RTO doubling, Rc = 7 sends, then Rm * RTO); a 438
 * (Stale Nonce) or a first 401 rebuilds it with a new transaction ID.
 */
#include <string.h>

#include "rtg/turn.h"

#define RC_SENDS 7 /* RFC 8489 §6.2.1 Rc */
#define RM 16      /* RFC 8489 §6.2.1 Rm */
#define PERM_REFRESH RTG_SEC(240)
#define CHAN_REFRESH RTG_SEC(540)
#define MAX_AUTH_RETRIES 3
/* builder errors stick: rtg_stun_builder_finish reports the first one */
#define STICKY(x) \
  do {            \
    if (x) {      \
    }             \
  } while (0)

struct tx {
  bool used;
  bool due; /* waiting in poll_transmit */
  uint16_t method;
  uint8_t tid[RTG_STUN_TID_LEN];
  uint8_t msg[RTG_TURN_MAX_DATAGRAM];
  size_t len;
  int sends;
  rtg_time next, rto;
  int auth_retries;
  int peer; /* index into peers, -1 for none */
  uint32_t lifetime;
};

struct peer {
  bool used;
  struct rtg_stun_addr addr;
  bool permitted, perm_pending, want_perm;
  rtg_time perm_refresh;
  uint16_t channel;
  bool bound, chan_pending;
  rtg_time chan_refresh;
};

struct qmsg {
  uint8_t data[RTG_TURN_MAX_DATAGRAM];
  size_t len;
};

enum state { ST_IDLE = 0, ST_ALLOCATING, ST_ALLOCATED, ST_CLOSED };

struct rtg_turn_client {
  struct rtg_ctx ctx;
  struct rtg_stun_addr server;
  char user[514], pass[514], realm[764], nonce[764], software[128];
  size_t ulen, plen, rlen, nlen;
  uint32_t lifetime_req;
  rtg_time rto0;
  bool prefer_md5, ipv6_relay;
  enum state state;
  bool have_key, sha256, send_pwalgs;
  struct rtg_stun_cred cred;
  uint8_t pwalgs[64];
  size_t pwalgs_len;
  struct rtg_stun_addr relayed, mapped;
  uint32_t lifetime;
  rtg_time alloc_refresh;
  uint16_t next_channel;
  struct tx tx[RTG_TURN_MAX_TRANSACTIONS];
  struct peer peers[RTG_TURN_MAX_PEERS];
  struct qmsg out[RTG_TURN_QUEUE];
  size_t out_head, out_n;
  struct rtg_turn_event ev[RTG_TURN_QUEUE];
  struct qmsg evdata[RTG_TURN_QUEUE];
  size_t ev_head, ev_n;
  uint8_t cur[RTG_TURN_MAX_DATAGRAM]; /* data of the event last polled */
};

static bool addr_eq(const struct rtg_stun_addr *a, const struct rtg_stun_addr *b) {
  size_t n = a->family == 1 ? 4 : 16;
  return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, n) == 0;
}

static bool copy_str(char *dst, size_t cap, size_t *len, const char *src) {
  size_t n = src ? strlen(src) : 0;
  if (n >= cap) return false;
  memcpy(dst, src ? src : "", n);
  dst[n] = 0;
  if (len) *len = n;
  return true;
}

int rtg_turn_client_new(struct rtg_turn_client **out, const struct rtg_ctx *ctx,
                        const struct rtg_turn_config *cfg) {
  struct rtg_turn_client *c;
  if (out == NULL || ctx == NULL || cfg == NULL || cfg->username == NULL || cfg->password == NULL ||
      (cfg->server.family != 1 && cfg->server.family != 2))
    return RTG_ERR_INVAL;
  c = rtg_alloc(ctx, sizeof *c);
  if (c == NULL) return RTG_ERR_NOMEM;
  c->ctx = *ctx;
  c->server = cfg->server;
  if (!copy_str(c->user, sizeof c->user, &c->ulen, cfg->username) ||
      !copy_str(c->pass, sizeof c->pass, &c->plen, cfg->password) ||
      !copy_str(c->software, sizeof c->software, NULL, cfg->software)) {
    rtg_free(ctx, c);
    return RTG_ERR_INVAL;
  }
  c->lifetime_req = cfg->lifetime ? cfg->lifetime : 600;
  c->rto0 = cfg->rto > 0 ? cfg->rto : RTG_MS(500);
  c->prefer_md5 = cfg->prefer_md5;
  c->ipv6_relay = cfg->ipv6_relay;
  c->next_channel = 0x4000;
  *out = c;
  return 0;
}

void rtg_turn_client_free(struct rtg_turn_client *c) {
  struct rtg_ctx ctx;
  if (c == NULL) return;
  ctx = c->ctx;
  rtg_stun_cred_free(&c->cred);
  memset(c->pass, 0, sizeof c->pass);
  rtg_free(&ctx, c);
}

/* ---- queues --------------------------------------------------------------- */

static struct rtg_turn_event *push_event(struct rtg_turn_client *c, enum rtg_turn_event_type t,
                                         const void *data, size_t len) {
  size_t i;
  struct rtg_turn_event *e;
  if (c->ev_n == RTG_TURN_QUEUE || len > RTG_TURN_MAX_DATAGRAM) return NULL; /* dropped */
  i = (c->ev_head + c->ev_n++) % RTG_TURN_QUEUE;
  e = &c->ev[i];
  memset(e, 0, sizeof *e);
  e->type = t;
  if (len) memcpy(c->evdata[i].data, data, len);
  c->evdata[i].len = len;
  e->len = len;
  return e;
}

static void fail_event(struct rtg_turn_client *c, uint16_t method, uint16_t code, int peer) {
  struct rtg_turn_event *e = push_event(c, RTG_TURN_EV_FAILED, NULL, 0);
  if (e == NULL) return;
  e->method = method;
  e->error_code = code;
  if (peer >= 0) e->peer = c->peers[peer].addr;
}

int rtg_turn_client_poll_event(struct rtg_turn_client *c, struct rtg_turn_event *ev) {
  size_t i;
  if (c->ev_n == 0) return RTG_ERR_AGAIN;
  i = c->ev_head;
  *ev = c->ev[i];
  memcpy(c->cur, c->evdata[i].data, c->evdata[i].len);
  ev->data = ev->len ? c->cur : NULL;
  c->ev_head = (c->ev_head + 1) % RTG_TURN_QUEUE;
  c->ev_n--;
  return 0;
}

int rtg_turn_client_poll_transmit(struct rtg_turn_client *c, uint8_t *buf, size_t cap, size_t *len,
                                  struct rtg_stun_addr *dst) {
  for (size_t i = 0; i < RTG_TURN_MAX_TRANSACTIONS; i++) {
    struct tx *t = &c->tx[i];
    if (!t->used || !t->due) continue;
    if (cap < t->len) return RTG_ERR_NOBUF;
    memcpy(buf, t->msg, t->len);
    *len = t->len;
    *dst = c->server;
    t->due = false;
    t->sends++;
    return 0;
  }
  if (c->out_n == 0) return RTG_ERR_AGAIN;
  struct qmsg *q = &c->out[c->out_head];
  if (cap < q->len) return RTG_ERR_NOBUF;
  memcpy(buf, q->data, q->len);
  *len = q->len;
  *dst = c->server;
  c->out_head = (c->out_head + 1) % RTG_TURN_QUEUE;
  c->out_n--;
  return 0;
}

/* ---- requests ------------------------------------------------------------- */

/* Writes the request of |t| with a fresh transaction ID: method
 * attributes, then the long-term credential attributes and integrity
 * (RFC 8489 §9.2.4) once the server told us realm and nonce. */
static int build(struct rtg_turn_client *c, struct tx *t) {
  struct rtg_stun_builder b;
  ptrdiff_t n;
  int rc = rtg_random(&c->ctx, t->tid, sizeof t->tid);
  if (rc) return rc;
  if (rtg_stun_builder_init(&b, t->msg, sizeof t->msg, RTG_STUN_REQUEST, t->method, t->tid))
    return RTG_ERR_NOBUF;
  switch (t->method) {
    case RTG_STUN_ALLOCATE:
      /* RFC 8656 §18.13: protocol 17 (UDP) in the top byte */
      STICKY(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_REQUESTED_TRANSPORT, 17u << 24));
      STICKY(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_LIFETIME, c->lifetime_req));
      /* family 0x02 in the top byte; IPv4 is the default, left out */
      if (c->ipv6_relay)
        STICKY(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, 2u << 24));
      break;
    case RTG_STUN_REFRESH:
      STICKY(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_LIFETIME, t->lifetime));
      break;
    case RTG_STUN_CHANNEL_BIND:
      STICKY(rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_CHANNEL_NUMBER,
                                      (uint32_t)c->peers[t->peer].channel << 16));
      STICKY(
          rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &c->peers[t->peer].addr));
      break;
    case RTG_STUN_CREATE_PERMISSION:
      STICKY(
          rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &c->peers[t->peer].addr));
      break;
    default: return RTG_ERR_INVAL;
  }
  if (c->software[0])
    STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_SOFTWARE, c->software, strlen(c->software)));
  if (c->have_key) {
    STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, c->user, c->ulen));
    STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_REALM, c->realm, c->rlen));
    STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_NONCE, c->nonce, c->nlen));
    if (c->send_pwalgs) {
      /* RFC 8489 §14.11/§14.12: echo the server's list, name our choice */
      uint8_t alg[4] = {0, c->sha256 ? RTG_STUN_PWALG_SHA256 : RTG_STUN_PWALG_MD5, 0, 0};
      STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_PASSWORD_ALGORITHMS, c->pwalgs, c->pwalgs_len));
      STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_PASSWORD_ALGORITHM, alg, sizeof alg));
    }
    if (c->sha256)
      STICKY(rtg_stun_builder_add_integrity_sha256(&b, &c->cred, 32));
    else
      STICKY(rtg_stun_builder_add_integrity(&b, &c->cred));
  }
  STICKY(rtg_stun_builder_add_fingerprint(&b));
  n = rtg_stun_builder_finish(&b);
  if (n < 0) return (int)n;
  t->len = (size_t)n;
  return 0;
}

/* (Re)starts transaction |t| at |now|: new transaction ID, sent at once. */
static int launch(struct rtg_turn_client *c, struct tx *t, rtg_time now) {
  int rc = build(c, t);
  if (rc) return rc;
  t->due = true;
  t->sends = 0;
  t->rto = c->rto0;
  t->next = now + c->rto0;
  return 0;
}

static struct tx *new_tx(struct rtg_turn_client *c, uint16_t method, int peer) {
  for (size_t i = 0; i < RTG_TURN_MAX_TRANSACTIONS; i++) {
    struct tx *t = &c->tx[i];
    if (t->used) continue;
    memset(t, 0, sizeof *t);
    t->used = true;
    t->method = method;
    t->peer = peer;
    return t;
  }
  return NULL;
}

static int start(struct rtg_turn_client *c, rtg_time now, uint16_t method, int peer,
                 uint32_t lifetime) {
  struct tx *t = new_tx(c, method, peer);
  int rc;
  if (t == NULL) return RTG_ERR_AGAIN;
  t->lifetime = lifetime;
  rc = launch(c, t, now);
  if (rc) t->used = false;
  return rc;
}

int rtg_turn_client_allocate(struct rtg_turn_client *c, rtg_time now) {
  int rc;
  if (c->state == ST_ALLOCATING || c->state == ST_ALLOCATED) return RTG_ERR_STATE;
  rc = start(c, now, RTG_STUN_ALLOCATE, -1, 0);
  if (rc == 0) c->state = ST_ALLOCATING;
  return rc;
}

int rtg_turn_client_refresh(struct rtg_turn_client *c, rtg_time now, uint32_t lifetime) {
  if (c->state != ST_ALLOCATED) return RTG_ERR_STATE;
  return start(c, now, RTG_STUN_REFRESH, -1, lifetime);
}

static int find_peer(struct rtg_turn_client *c, const struct rtg_stun_addr *a, bool create) {
  int free_slot = -1;
  for (int i = 0; i < RTG_TURN_MAX_PEERS; i++) {
    if (c->peers[i].used && addr_eq(&c->peers[i].addr, a)) return i;
    if (!c->peers[i].used && free_slot < 0) free_slot = i;
  }
  if (!create || free_slot < 0) return -1;
  memset(&c->peers[free_slot], 0, sizeof c->peers[free_slot]);
  c->peers[free_slot].used = true;
  c->peers[free_slot].addr = *a;
  return free_slot;
}

int rtg_turn_client_permit(struct rtg_turn_client *c, rtg_time now,
                           const struct rtg_stun_addr *peer) {
  int p, rc;
  if (c->state != ST_ALLOCATED) return RTG_ERR_STATE;
  if (peer == NULL || (peer->family != 1 && peer->family != 2)) return RTG_ERR_INVAL;
  p = find_peer(c, peer, true);
  if (p < 0) return RTG_ERR_NOMEM;
  c->peers[p].want_perm = true;
  if (c->peers[p].perm_pending) return 0;
  rc = start(c, now, RTG_STUN_CREATE_PERMISSION, p, 0);
  if (rc == 0) c->peers[p].perm_pending = true;
  return rc;
}

int rtg_turn_client_bind(struct rtg_turn_client *c, rtg_time now, const struct rtg_stun_addr *peer,
                         uint16_t *channel) {
  int p, rc;
  if (c->state != ST_ALLOCATED) return RTG_ERR_STATE;
  if (peer == NULL || (peer->family != 1 && peer->family != 2)) return RTG_ERR_INVAL;
  p = find_peer(c, peer, true);
  if (p < 0) return RTG_ERR_NOMEM;
  if (c->peers[p].channel == 0) {
    /* RFC 8656 §12: 0x4000 through 0x4FFF */
    if (c->next_channel > 0x4FFF) return RTG_ERR_NOMEM;
    c->peers[p].channel = c->next_channel++;
  }
  *channel = c->peers[p].channel;
  if (c->peers[p].chan_pending) return 0;
  rc = start(c, now, RTG_STUN_CHANNEL_BIND, p, 0);
  if (rc == 0) c->peers[p].chan_pending = true;
  return rc;
}

int rtg_turn_client_send(struct rtg_turn_client *c, rtg_time now, const struct rtg_stun_addr *peer,
                         const void *data, size_t len) {
  struct qmsg *q;
  int p;
  (void)now;
  if (c->state != ST_ALLOCATED) return RTG_ERR_STATE;
  if (c->out_n == RTG_TURN_QUEUE) return RTG_ERR_AGAIN;
  q = &c->out[(c->out_head + c->out_n) % RTG_TURN_QUEUE];
  p = find_peer(c, peer, false);
  if (p >= 0 && c->peers[p].bound) {
    /* RFC 8656 §12.5: no padding needed over UDP */
    ptrdiff_t n =
        rtg_turn_channel_build(q->data, sizeof q->data, c->peers[p].channel, data, len, false);
    if (n < 0) return (int)n;
    q->len = (size_t)n;
  } else {
    /* RFC 8656 §11.1: Send indication, no authentication */
    struct rtg_stun_builder b;
    uint8_t tid[RTG_STUN_TID_LEN];
    ptrdiff_t n;
    int rc = rtg_random(&c->ctx, tid, sizeof tid);
    if (rc) return rc;
    if (rtg_stun_builder_init(&b, q->data, sizeof q->data, RTG_STUN_INDICATION, RTG_STUN_SEND, tid))
      return RTG_ERR_NOBUF;
    STICKY(rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, peer));
    STICKY(rtg_stun_builder_add(&b, RTG_STUN_ATTR_DATA, data, len));
    n = rtg_stun_builder_finish(&b);
    if (n < 0) return (int)n;
    q->len = (size_t)n;
  }
  c->out_n++;
  return 0;
}

bool rtg_turn_client_relayed(const struct rtg_turn_client *c, struct rtg_stun_addr *out) {
  if (c->state != ST_ALLOCATED) return false;
  *out = c->relayed;
  return true;
}

int rtg_turn_client_ice_candidate(const struct rtg_turn_client *c, const char *foundation,
                                  uint16_t local_pref, struct rtg_ice_cand *out) {
  size_t n = foundation ? strlen(foundation) : 0;
  if (c->state != ST_ALLOCATED) return RTG_ERR_STATE;
  if (n == 0 || n >= sizeof out->foundation) return RTG_ERR_INVAL;
  memset(out, 0, sizeof *out);
  out->type = RTG_ICE_CAND_RELAY;
  out->addr = c->relayed;
  out->base = c->relayed;
  out->priority = rtg_ice_cand_priority(RTG_ICE_CAND_RELAY, local_pref);
  memcpy(out->foundation, foundation, n + 1);
  return 0;
}

/* ---- responses ------------------------------------------------------------ */

static int attr_string(const struct rtg_stun_msg *m, uint16_t type, char *dst, size_t cap,
                       size_t *len) {
  struct rtg_stun_attr a;
  if (rtg_stun_msg_find(m, type, &a) || a.len >= cap) return RTG_ERR_NOTFOUND;
  memcpy(dst, a.value, a.len);
  dst[a.len] = 0;
  *len = a.len;
  return 0;
}

/* A 401 or 438 told us realm/nonce (and maybe password algorithms): set
 * the key up (RFC 8489 §9.2.2, §9.2.4). */
static int learn_auth(struct rtg_turn_client *c, const struct rtg_stun_msg *m) {
  struct rtg_stun_attr a;
  char realm[sizeof c->realm];
  size_t rlen;
  bool sha = false, md5 = false;
  int rc;
  if (attr_string(m, RTG_STUN_ATTR_NONCE, c->nonce, sizeof c->nonce, &c->nlen))
    return RTG_ERR_PARSE;
  if (attr_string(m, RTG_STUN_ATTR_REALM, realm, sizeof realm, &rlen)) {
    if (!c->have_key) return RTG_ERR_PARSE; /* a 438 may leave the realm out */
    return 0;
  }
  c->send_pwalgs = false;
  if (rtg_stun_msg_find(m, RTG_STUN_ATTR_PASSWORD_ALGORITHMS, &a) == 0) {
    struct rtg_stun_pwalg_entry e;
    for (size_t i = 0; rtg_stun_attr_pwalg(&a, i, &e, NULL) == 0; i++) {
      sha = sha || e.alg == RTG_STUN_PWALG_SHA256;
      md5 = md5 || e.alg == RTG_STUN_PWALG_MD5;
    }
    if ((!sha && !md5) || a.len > sizeof c->pwalgs) return RTG_ERR_UNSUPPORTED;
    memcpy(c->pwalgs, a.value, a.len);
    c->pwalgs_len = a.len;
    c->send_pwalgs = true;
  }
  c->sha256 = sha && (!c->prefer_md5 || !md5);
  memcpy(c->realm, realm, rlen + 1);
  c->rlen = rlen;
  rtg_stun_cred_free(&c->cred);
  rc = rtg_stun_cred_init_long(&c->cred, c->sha256 ? RTG_STUN_PWALG_SHA256 : RTG_STUN_PWALG_MD5,
                               c->user, c->ulen, c->realm, c->rlen, c->pass, c->plen);
  if (rc) return rc;
  c->have_key = true;
  return 0;
}

static void tx_done(struct rtg_turn_client *c, struct tx *t, bool ok, uint16_t code, rtg_time now) {
  struct peer *p = t->peer >= 0 ? &c->peers[t->peer] : NULL;
  if (t->method == RTG_STUN_CREATE_PERMISSION && p) p->perm_pending = false;
  if (t->method == RTG_STUN_CHANNEL_BIND && p) p->chan_pending = false;
  if (!ok) {
    /* 437 Allocation Mismatch on a Refresh: the server has no allocation
     * for us any more (RFC 8656 §8.3) */
    if (t->method == RTG_STUN_ALLOCATE || (t->method == RTG_STUN_REFRESH && code == 437))
      c->state = ST_IDLE;
    /* any other failed automatic refresh is tried again in 10 s while the
     * allocation may still live */
    if (t->method == RTG_STUN_REFRESH && t->lifetime != 0 && c->state == ST_ALLOCATED &&
        c->alloc_refresh == RTG_TIME_NEVER)
      c->alloc_refresh = now + RTG_SEC(10);
    fail_event(c, t->method, code, t->peer);
  }
  t->used = false;
}

static void on_success(struct rtg_turn_client *c, struct tx *t, const struct rtg_stun_msg *m,
                       rtg_time now) {
  struct rtg_stun_attr a;
  struct rtg_turn_event *e;
  struct peer *p = t->peer >= 0 ? &c->peers[t->peer] : NULL;
  uint32_t v;
  switch (t->method) {
    case RTG_STUN_ALLOCATE:
      if (rtg_stun_msg_find(m, RTG_STUN_ATTR_XOR_RELAYED_ADDRESS, &a) ||
          rtg_stun_attr_addr(m, &a, &c->relayed, NULL)) {
        tx_done(c, t, false, 0, now);
        return;
      }
      memset(&c->mapped, 0, sizeof c->mapped);
      if (rtg_stun_msg_find(m, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &a) == 0 &&
          rtg_stun_attr_addr(m, &a, &c->mapped, NULL))
        memset(&c->mapped, 0, sizeof c->mapped);
      c->lifetime = c->lifetime_req;
      if (rtg_stun_msg_find(m, RTG_STUN_ATTR_LIFETIME, &a) == 0 &&
          rtg_stun_attr_u32(&a, &v, NULL) == 0)
        c->lifetime = v;
      c->state = ST_ALLOCATED;
      /* refresh a minute early (half-way for short lifetimes) */
      c->alloc_refresh =
          now + (c->lifetime > 120 ? RTG_SEC(c->lifetime - 60) : RTG_SEC(c->lifetime) / 2);
      e = push_event(c, RTG_TURN_EV_ALLOCATED, NULL, 0);
      if (e) {
        e->relayed = c->relayed;
        e->mapped = c->mapped;
        e->lifetime = c->lifetime;
      }
      break;
    case RTG_STUN_REFRESH:
      if (t->lifetime == 0) {
        c->state = ST_CLOSED;
        (void)push_event(c, RTG_TURN_EV_DEALLOCATED, NULL, 0);
        break;
      }
      c->lifetime = t->lifetime;
      if (rtg_stun_msg_find(m, RTG_STUN_ATTR_LIFETIME, &a) == 0 &&
          rtg_stun_attr_u32(&a, &v, NULL) == 0)
        c->lifetime = v;
      c->alloc_refresh =
          now + (c->lifetime > 120 ? RTG_SEC(c->lifetime - 60) : RTG_SEC(c->lifetime) / 2);
      e = push_event(c, RTG_TURN_EV_REFRESHED, NULL, 0);
      if (e) e->lifetime = c->lifetime;
      break;
    case RTG_STUN_CREATE_PERMISSION:
      if (p == NULL) break;
      p->perm_refresh = now + PERM_REFRESH;
      if (!p->permitted) {
        p->permitted = true;
        e = push_event(c, RTG_TURN_EV_PERMISSION_CREATED, NULL, 0);
        if (e) e->peer = p->addr;
      }
      break;
    case RTG_STUN_CHANNEL_BIND:
      if (p == NULL) break;
      p->chan_refresh = now + CHAN_REFRESH;
      if (!p->bound) {
        p->bound = true;
        e = push_event(c, RTG_TURN_EV_CHANNEL_BOUND, NULL, 0);
        if (e) {
          e->peer = p->addr;
          e->channel = p->channel;
        }
      }
      break;
    default: break;
  }
  tx_done(c, t, true, 0, now);
}

static int on_response(struct rtg_turn_client *c, const struct rtg_stun_msg *m, rtg_time now) {
  struct tx *t = NULL;
  struct rtg_stun_attr a;
  uint16_t code = 0;
  struct rtg_slice reason;
  for (size_t i = 0; i < RTG_TURN_MAX_TRANSACTIONS; i++)
    if (c->tx[i].used && memcmp(c->tx[i].tid, m->tid, RTG_STUN_TID_LEN) == 0) t = &c->tx[i];
  if (t == NULL || t->method != m->method) return RTG_ERR_NOTFOUND;
  /* RFC 8489 §9.2.5: a response to an authenticated request must carry a
   * valid integrity attribute, except the 401/438 that change the nonce */
  if (m->cls == RTG_STUN_ERROR) {
    if (rtg_stun_msg_find(m, RTG_STUN_ATTR_ERROR_CODE, &a) ||
        rtg_stun_attr_error_code(&a, &code, &reason, NULL))
      return RTG_ERR_PARSE;
  }
  if (c->have_key && code != 401 && code != 438) {
    int rc = rtg_stun_msg_check_integrity(m, &c->cred, NULL);
    if (rc) return RTG_ERR_AUTH;
  }
  if (m->cls == RTG_STUN_SUCCESS) {
    on_success(c, t, m, now);
    return 0;
  }
  if ((code == 401 || code == 438) && t->auth_retries < MAX_AUTH_RETRIES &&
      !(code == 401 && t->auth_retries > 0 && c->have_key &&
        rtg_stun_msg_find(m, RTG_STUN_ATTR_NONCE, &a) == 0 && a.len == c->nlen &&
        memcmp(a.value, c->nonce, a.len) == 0)) {
    /* a first 401, a new nonce, or a stale one (438): retry with the
     * credentials (RFC 8489 §9.2.5, RFC 8656 §7.3) */
    if (learn_auth(c, m) == 0 && launch(c, t, now) == 0) {
      t->auth_retries++;
      return 0;
    }
  }
  tx_done(c, t, false, code, now);
  return 0;
}

static void on_data(struct rtg_turn_client *c, const struct rtg_stun_addr *peer, uint16_t ch,
                    const uint8_t *data, size_t len) {
  struct rtg_turn_event *e = push_event(c, RTG_TURN_EV_DATA, data, len);
  if (e == NULL) return;
  e->peer = *peer;
  e->channel = ch;
}

int rtg_turn_client_handle_datagram(struct rtg_turn_client *c, rtg_time now,
                                    const struct rtg_stun_addr *src, const uint8_t *data,
                                    size_t len) {
  struct rtg_stun_msg m;
  struct rtg_stun_attr pa, da;
  struct rtg_stun_addr peer;
  if (src == NULL || !addr_eq(src, &c->server)) return RTG_ERR_NOTFOUND;
  switch (rtg_stun_classify(data, len)) {
    case RTG_STUN_KIND_CHANNEL: {
      struct rtg_turn_channel ch;
      if (rtg_turn_channel_parse(&ch, data, len, NULL)) return RTG_ERR_PARSE;
      for (int i = 0; i < RTG_TURN_MAX_PEERS; i++) {
        if (c->peers[i].used && c->peers[i].bound && c->peers[i].channel == ch.number) {
          on_data(c, &c->peers[i].addr, ch.number, ch.data.p, ch.data.len);
          return 0;
        }
      }
      return RTG_ERR_NOTFOUND;
    }
    case RTG_STUN_KIND_STUN: break;
    case RTG_STUN_KIND_STUN_LEGACY:
    case RTG_STUN_KIND_OTHER:
    default: return RTG_ERR_PARSE;
  }
  if (rtg_stun_msg_parse(&m, data, len, NULL)) return RTG_ERR_PARSE;
  if (m.fp_off && rtg_stun_msg_check_fingerprint(&m, NULL)) return RTG_ERR_AUTH;
  if (m.cls == RTG_STUN_INDICATION) {
    /* RFC 8656 §11.4: Data indication */
    if (m.method != RTG_STUN_DATA || c->state != ST_ALLOCATED) return RTG_ERR_NOTFOUND;
    if (rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &pa) ||
        rtg_stun_attr_addr(&m, &pa, &peer, NULL) || rtg_stun_msg_find(&m, RTG_STUN_ATTR_DATA, &da))
      return RTG_ERR_PARSE;
    on_data(c, &peer, 0, da.value, da.len);
    return 0;
  }
  if (m.cls == RTG_STUN_REQUEST) return RTG_ERR_NOTFOUND;
  return on_response(c, &m, now);
}

/* ---- timers --------------------------------------------------------------- */

int rtg_turn_client_handle_timeout(struct rtg_turn_client *c, rtg_time now) {
  for (size_t i = 0; i < RTG_TURN_MAX_TRANSACTIONS; i++) {
    struct tx *t = &c->tx[i];
    if (!t->used || now < t->next) continue;
    if (t->sends >= RC_SENDS) {
      tx_done(c, t, false, 0, now); /* RFC 8489 §6.2.1: timed out */
      continue;
    }
    t->due = true;
    t->rto *= 2;
    /* the last send waits Rm * RTO for its answer */
    t->next = now + (t->sends + 1 >= RC_SENDS ? RM * c->rto0 : t->rto);
  }
  if (c->state != ST_ALLOCATED) return 0;
  if (now >= c->alloc_refresh) {
    bool pending = false;
    for (size_t i = 0; i < RTG_TURN_MAX_TRANSACTIONS; i++)
      pending = pending || (c->tx[i].used && c->tx[i].method == RTG_STUN_REFRESH);
    if (!pending && start(c, now, RTG_STUN_REFRESH, -1, c->lifetime_req) == 0)
      c->alloc_refresh = RTG_TIME_NEVER; /* set again by the answer */
  }
  for (int i = 0; i < RTG_TURN_MAX_PEERS; i++) {
    struct peer *p = &c->peers[i];
    if (!p->used) continue;
    if (p->bound && !p->chan_pending && now >= p->chan_refresh &&
        start(c, now, RTG_STUN_CHANNEL_BIND, i, 0) == 0)
      p->chan_pending = true;
    if (p->permitted && !p->perm_pending && now >= p->perm_refresh &&
        start(c, now, RTG_STUN_CREATE_PERMISSION, i, 0) == 0)
      p->perm_pending = true;
  }
  return 0;
}

rtg_time rtg_turn_client_poll_timeout(const struct rtg_turn_client *c) {
  rtg_time t = RTG_TIME_NEVER;
  for (size_t i = 0; i < RTG_TURN_MAX_TRANSACTIONS; i++)
    if (c->tx[i].used && c->tx[i].next < t) t = c->tx[i].next;
  if (c->state != ST_ALLOCATED) return t;
  if (c->alloc_refresh < t) t = c->alloc_refresh;
  for (int i = 0; i < RTG_TURN_MAX_PEERS; i++) {
    const struct peer *p = &c->peers[i];
    if (!p->used) continue;
    if (p->bound && !p->chan_pending && p->chan_refresh < t) t = p->chan_refresh;
    if (p->permitted && !p->perm_pending && p->perm_refresh < t) t = p->perm_refresh;
  }
  return t;
}
