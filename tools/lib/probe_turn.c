/*
 * probe_turn.c - the TURN server checks of `rtcgate probe turn` (see
 * probe_turn.h). Requests are built and responses parsed with the STUN
 * codec (rtg/stun.h): the abuses need requests the well-behaved sans-IO
 * client (rtg/turn.h) never sends (no credentials, forged nonces, wrong
 * passwords, channel numbers out of range). Long-term credentials follow
 * RFC 8489 §9.2: the first request is answered 401 with REALM and NONCE, the
 * retry carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/probe_turn.h"
#include "rtg/stun.h"

#define TXN_TRIES 3
#define TXN_RTO_MS 500

struct sess {
  int fd;
  const struct rtg_probe_turn_opts *o;
  struct sockaddr_in srv;
  char realm[256], nonce[512];
  bool challenged; /* realm and nonce known */
  struct rtg_stun_addr relayed;
  bool allocated;
};

struct resp {
  bool timeout;
  uint8_t cls;
  uint16_t code; /* ERROR-CODE, 0 on success */
  struct rtg_stun_addr relayed;
  long long rtt_ms;
};

struct req {
  uint16_t method;
  bool no_auth;
  const char *password; /* overrides the session's (guessing) */
  const char *nonce;    /* overrides the session's (forged nonce) */
  bool transport;       /* REQUESTED-TRANSPORT UDP */
  bool has_lifetime;
  uint32_t lifetime;
  const struct rtg_stun_addr *peer;
  uint16_t channel; /* CHANNEL-NUMBER when non-zero */
};

struct probe {
  const struct rtg_probe_turn_opts *o;
  json_t *checks;
  int findings, warnings;
  bool local; /* the server is on 127.0.0.0/8 */
};

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void result(struct probe *p, const char *check, const char *res, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void result(struct probe *p, const char *check, const char *res, const char *fmt, ...) {
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  if (strcmp(res, "finding") == 0) p->findings++;
  if (strcmp(res, "warning") == 0) p->warnings++;
  json_array_append_new(
      p->checks, json_pack("{s:s,s:s,s:s}", "check", check, "result", res, "detail", detail));
  fprintf(stderr, "  %-8s %-17s %s\n", res, check, detail);
}

static void addr_v4(struct rtg_stun_addr *a, const char *ip, uint16_t port) {
  memset(a, 0, sizeof *a);
  a->family = 1;
  a->port = port;
  inet_pton(AF_INET, ip, a->addr);
}

static const char *addr_str(const struct rtg_stun_addr *a, char *buf, size_t cap) {
  char ip[INET6_ADDRSTRLEN] = "?";
  inet_ntop(a->family == 2 ? AF_INET6 : AF_INET, a->addr, ip, sizeof ip);
  snprintf(buf, cap, a->family == 2 ? "[%s]:%u" : "%s:%u", ip, a->port);
  return buf;
}

/* A UDP socket bound to |ip| (any port); -1 on failure. */
static int udp_bound(const char *ip, uint16_t *port) {
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &sa.sin_addr);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
    close(fd);
    return -1;
  }
  if (port) *port = ntohs(sa.sin_port);
  return fd;
}

/* Waits up to |ms| for a datagram on |fd|; its length, or -1. */
static ssize_t recv_wait(int fd, uint8_t *buf, size_t cap, int ms) {
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  if (ms < 0) ms = 0;
  if (poll(&pfd, 1, ms) <= 0) return -1;
  return recv(fd, buf, cap, 0);
}

static int sess_open(struct sess *s, const struct rtg_probe_turn_opts *o) {
  memset(s, 0, sizeof *s);
  s->o = o;
  s->srv.sin_family = AF_INET;
  s->srv.sin_port = htons((uint16_t)o->port);
  if (inet_pton(AF_INET, o->host, &s->srv.sin_addr) != 1) return -1;
  s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s->fd < 0) return -1;
  if (connect(s->fd, (struct sockaddr *)&s->srv, sizeof s->srv) != 0) {
    close(s->fd);
    s->fd = -1;
    return -1;
  }
  return 0;
}

static void sess_close(struct sess *s) {
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
}

static int build(struct sess *s, const struct req *rq, const uint8_t tid[RTG_STUN_TID_LEN],
                 uint8_t *buf, size_t cap, ptrdiff_t *len) {
  struct rtg_stun_builder b;
  int rc = rtg_stun_builder_init(&b, buf, cap, RTG_STUN_REQUEST, rq->method, tid);
  if (rc != 0) return rc;
  if (rq->transport)
    rc = rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_REQUESTED_TRANSPORT, 17u << 24);
  if (rc == 0 && rq->has_lifetime)
    rc = rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_LIFETIME, rq->lifetime);
  if (rc == 0 && rq->channel)
    rc = rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_CHANNEL_NUMBER, (uint32_t)rq->channel << 16);
  if (rc == 0 && rq->peer)
    rc = rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, rq->peer);
  if (rc == 0 && !rq->no_auth && s->challenged && s->o->user) {
    const char *pw = rq->password ? rq->password : s->o->password;
    const char *nonce = rq->nonce ? rq->nonce : s->nonce;
    struct rtg_stun_cred cred;
    rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, s->o->user, strlen(s->o->user));
    if (rc == 0) rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_REALM, s->realm, strlen(s->realm));
    if (rc == 0) rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_NONCE, nonce, strlen(nonce));
    if (rc == 0)
      rc = rtg_stun_cred_init_long(&cred, RTG_STUN_PWALG_MD5, s->o->user, strlen(s->o->user),
                                   s->realm, strlen(s->realm), pw, strlen(pw));
    if (rc == 0) {
      rc = rtg_stun_builder_add_integrity(&b, &cred);
      rtg_stun_cred_free(&cred);
    }
  }
  if (rc == 0) rc = rtg_stun_builder_add_fingerprint(&b);
  *len = rtg_stun_builder_finish(&b);
  return rc != 0 ? rc : *len < 0 ? (int)*len : 0;
}

/* Copies a string attribute (REALM, NONCE) into |out|. */
static void attr_text(const struct rtg_stun_msg *m, uint16_t type, char *out, size_t cap) {
  struct rtg_stun_attr a;
  if (rtg_stun_msg_find(m, type, &a) != 0) return;
  snprintf(out, cap, "%.*s", (int)a.len, (const char *)a.value);
}

/* One transaction: send (retransmitting), match the response by TID. */
static int txn(struct sess *s, const struct req *rq, struct resp *rs) {
  uint8_t tid[RTG_STUN_TID_LEN], buf[1500], in[2048];
  ptrdiff_t len;
  long long t0 = now_ms();
  memset(rs, 0, sizeof *rs);
  rs->timeout = true;
  if (RAND_bytes(tid, sizeof tid) != 1 || build(s, rq, tid, buf, sizeof buf, &len) != 0) return -1;
  for (int attempt = 0; attempt < TXN_TRIES; attempt++) {
    long long deadline = now_ms() + (long long)TXN_RTO_MS * (1LL << attempt);
    if (send(s->fd, buf, (size_t)len, 0) < 0 && errno != ECONNREFUSED) return -1;
    for (;;) {
      struct rtg_stun_msg m;
      struct rtg_stun_attr a;
      ssize_t n = recv_wait(s->fd, in, sizeof in, (int)(deadline - now_ms()));
      if (n < 0) break;
      if (rtg_stun_msg_parse(&m, in, (size_t)n, NULL) != 0 || m.method != rq->method ||
          memcmp(m.tid, tid, sizeof tid) != 0 ||
          (m.cls != RTG_STUN_SUCCESS && m.cls != RTG_STUN_ERROR))
        continue; /* Data indications and strays */
      rs->timeout = false;
      rs->cls = m.cls;
      rs->rtt_ms = now_ms() - t0;
      if (m.cls == RTG_STUN_ERROR && rtg_stun_msg_find(&m, RTG_STUN_ATTR_ERROR_CODE, &a) == 0) {
        struct rtg_slice reason;
        if (rtg_stun_attr_error_code(&a, &rs->code, &reason, NULL) != 0) rs->code = 600;
      } else if (m.cls == RTG_STUN_ERROR) {
        rs->code = 600;
      }
      if (rs->code == 401 || rs->code == 438) {
        attr_text(&m, RTG_STUN_ATTR_REALM, s->realm, sizeof s->realm);
        attr_text(&m, RTG_STUN_ATTR_NONCE, s->nonce, sizeof s->nonce);
        if (s->nonce[0]) s->challenged = true;
      }
      if (m.cls == RTG_STUN_SUCCESS &&
          rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_RELAYED_ADDRESS, &a) == 0 &&
          rtg_stun_attr_addr(&m, &a, &rs->relayed, NULL) != 0)
        memset(&rs->relayed, 0, sizeof rs->relayed);
      return 0;
    }
  }
  rs->rtt_ms = now_ms() - t0;
  return 0;
}

/* A transaction that answers the challenge once (401 or 438 then retry). */
static int request(struct sess *s, const struct req *rq, struct resp *rs) {
  int rc = txn(s, rq, rs);
  if (rc == 0 && !rs->timeout && (rs->code == 401 || rs->code == 438) && !rq->no_auth &&
      !rq->nonce && !rq->password && s->o->user && s->challenged)
    rc = txn(s, rq, rs);
  return rc;
}

static int allocate(struct sess *s, bool no_auth, struct resp *rs) {
  struct req rq = {.method = RTG_STUN_ALLOCATE, .no_auth = no_auth, .transport = true};
  int rc = request(s, &rq, rs);
  if (rc == 0 && !rs->timeout && rs->cls == RTG_STUN_SUCCESS) {
    s->allocated = true;
    s->relayed = rs->relayed;
  }
  return rc;
}

/* Deletes the allocation (Refresh lifetime 0, RFC 8656 §8). */
static void release(struct sess *s, bool no_auth) {
  struct req rq = {
      .method = RTG_STUN_REFRESH, .no_auth = no_auth, .has_lifetime = true, .lifetime = 0};
  struct resp rs;
  if (s->fd >= 0 && s->allocated) (void)request(s, &rq, &rs);
  s->allocated = false;
}

static const char *outcome(const struct resp *rs, char *buf, size_t cap) {
  if (rs->timeout)
    snprintf(buf, cap, "no answer");
  else if (rs->cls == RTG_STUN_SUCCESS)
    snprintf(buf, cap, "success");
  else
    snprintf(buf, cap, "error %u", rs->code);
  return buf;
}

/* Sends |len| bytes to |peer| through the allocation (Send indication). */
static int send_via_relay(struct sess *s, const struct rtg_stun_addr *peer, const void *data,
                          size_t len) {
  uint8_t tid[RTG_STUN_TID_LEN], buf[1500];
  struct rtg_stun_builder b;
  ptrdiff_t n;
  if (RAND_bytes(tid, sizeof tid) != 1) return -1;
  if (rtg_stun_builder_init(&b, buf, sizeof buf, RTG_STUN_INDICATION, RTG_STUN_SEND, tid) != 0 ||
      rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_PEER_ADDRESS, peer) != 0 ||
      rtg_stun_builder_add(&b, RTG_STUN_ATTR_DATA, data, len) != 0)
    return -1;
  n = rtg_stun_builder_finish(&b);
  if (n < 0) return -1;
  return send(s->fd, buf, (size_t)n, 0) == n ? 0 : -1;
}

/* Waits up to |ms| for |marker| relayed to the client (Data indication or
 * ChannelData). */
static bool relayed_to_client(struct sess *s, const char *marker, int ms) {
  long long deadline = now_ms() + ms;
  uint8_t in[2048];
  size_t ml = strlen(marker);
  for (;;) {
    struct rtg_stun_msg m;
    struct rtg_stun_attr a;
    struct rtg_turn_channel ch;
    ssize_t n = recv_wait(s->fd, in, sizeof in, (int)(deadline - now_ms()));
    if (n < 0) return false;
    if (rtg_stun_msg_parse(&m, in, (size_t)n, NULL) == 0 && m.method == RTG_STUN_DATA &&
        rtg_stun_msg_find(&m, RTG_STUN_ATTR_DATA, &a) == 0 && a.len == ml &&
        memcmp(a.value, marker, ml) == 0)
      return true;
    if (rtg_turn_channel_parse(&ch, in, (size_t)n, NULL) == 0 && ch.data.len == ml &&
        memcmp(ch.data.p, marker, ml) == 0)
      return true;
  }
}

/* Waits up to |ms| for |marker| on a peer socket. */
static bool arrived_at_peer(int fd, const char *marker, int ms) {
  long long deadline = now_ms() + ms;
  uint8_t in[2048];
  for (;;) {
    ssize_t n = recv_wait(fd, in, sizeof in, (int)(deadline - now_ms()));
    if (n < 0) return false;
    if ((size_t)n == strlen(marker) && memcmp(in, marker, (size_t)n) == 0) return true;
  }
}

static int peer_send(int fd, const struct rtg_stun_addr *to, const char *data) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(to->port);
  memcpy(&sa.sin_addr, to->addr, 4);
  return sendto(fd, data, strlen(data), 0, (struct sockaddr *)&sa, sizeof sa) < 0 ? -1 : 0;
}

static bool granted(const struct resp *rs) { return !rs->timeout && rs->cls == RTG_STUN_SUCCESS; }

/* ---- the checks ---------------------------------------------------------- */

static void check_forbidden(struct probe *p, struct sess *w, bool no_auth, bool *loop_ok) {
  static const struct {
    const char *ip, *what;
  } bad[] = {
      {"127.0.0.1", "loopback"},
      {"10.0.0.1", "RFC 1918"},
      {"172.16.0.1", "RFC 1918"},
      {"192.168.1.1", "RFC 1918"},
      {"169.254.169.254", "link-local (cloud metadata)"},
      {"100.64.0.1", "CGNAT (RFC 6598)"},
      {"0.0.0.0", "unspecified"},
      {"255.255.255.255", "broadcast"},
      {"224.0.0.1", "multicast"},
  };
  char list[400] = "";
  size_t used = 0;
  int n = 0;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct rtg_stun_addr peer;
    struct req rq = {.method = RTG_STUN_CREATE_PERMISSION, .no_auth = no_auth, .peer = &peer};
    struct resp rs;
    addr_v4(&peer, bad[i].ip, 9);
    if (request(w, &rq, &rs) != 0) continue;
    if (i == 0) *loop_ok = granted(&rs);
    if (granted(&rs)) {
      n++;
      used += (size_t)snprintf(list + used, sizeof list - used, "%s%s (%s)", n > 1 ? ", " : "",
                               bad[i].ip, bad[i].what);
      if (used >= sizeof list) used = sizeof list - 1;
    }
  }
  if (n)
    result(p, "forbidden_peers", "finding", "CreatePermission granted for %d of %zu: %s", n,
           sizeof bad / sizeof bad[0], list);
  else
    result(p, "forbidden_peers", "pass",
           "CreatePermission refused for loopback, private, link-local, CGNAT, unspecified, "
           "broadcast and multicast peers");
}

/* IPv6 spellings of forbidden peers on the (IPv4) allocation: IPv4-mapped
 * loopback and metadata addresses (a classic filter bypass), ::1, and the
 * unspecified address. A server answers 443 (Peer Address Family
 * Mismatch, RFC 8656 §10.2) or 403; success is a finding. */
static void check_ipv6_peers(struct probe *p, struct sess *w, bool no_auth) {
  static const char *const bad[] = {"::ffff:127.0.0.1", "::ffff:169.254.169.254", "::1",
                                    "::", "::ffff:10.0.0.1"};
  char list[300] = "", o[32] = "";
  size_t used = 0;
  int n = 0;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct rtg_stun_addr peer = {.family = 2, .port = 9};
    struct req rq = {.method = RTG_STUN_CREATE_PERMISSION, .no_auth = no_auth, .peer = &peer};
    struct resp rs;
    inet_pton(AF_INET6, bad[i], peer.addr);
    if (request(w, &rq, &rs) != 0) continue;
    if (i == 0) outcome(&rs, o, sizeof o);
    if (granted(&rs)) {
      n++;
      used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", n > 1 ? ", " : "", bad[i]);
      if (used >= sizeof list) used = sizeof list - 1;
    }
  }
  if (n)
    result(p, "ipv6_peers", "finding", "CreatePermission granted for IPv6 spellings: %s", list);
  else
    result(p, "ipv6_peers", "pass",
           "IPv4-mapped (::ffff:127.0.0.1, ::ffff:169.254.169.254, ::ffff:10.0.0.1), ::1 and :: "
           "refused (first: %s)",
           o);
}

static void check_loopback_data(struct probe *p, struct sess *w, bool loop_ok) {
  struct rtg_stun_addr peer;
  uint16_t port;
  int fd;
  if (!loop_ok) {
    result(p, "loopback_relay", "pass", "no permission for 127.0.0.1, nothing sent");
    return;
  }
  if (!p->local) {
    result(p, "loopback_relay", "skipped", "remote server: its loopback is not observable");
    return;
  }
  fd = udp_bound("127.0.0.1", &port);
  if (fd < 0) {
    result(p, "loopback_relay", "skipped", "cannot bind a UDP socket on 127.0.0.1");
    return;
  }
  addr_v4(&peer, "127.0.0.1", port);
  (void)send_via_relay(w, &peer, "rtcgate-probe-loopback", 22);
  if (arrived_at_peer(fd, "rtcgate-probe-loopback", 800))
    result(p, "loopback_relay", "finding",
           "data sent through the relay reached 127.0.0.1:%u (the server's own loopback)", port);
  else
    result(p, "loopback_relay", "pass", "permission granted but data to 127.0.0.1 not delivered");
  close(fd);
}

/* Permission and channel rules against a peer the server relays to. */
static void check_rules(struct probe *p, struct sess *w, bool no_auth, const char *peer_ip) {
  struct rtg_stun_addr peer, peer2;
  struct req rq = {.method = RTG_STUN_CREATE_PERMISSION, .no_auth = no_auth, .peer = &peer};
  struct resp rs;
  uint16_t port, port2;
  int fd = udp_bound(peer_ip, &port), fd2 = udp_bound(peer_ip, &port2);
  char o1[32], o2[32], o3[32], o4[32];
  if (fd < 0 || fd2 < 0) {
    result(p, "permission_rules", "skipped", "cannot bind UDP sockets on %s", peer_ip);
    result(p, "channel_rules", "skipped", "cannot bind UDP sockets on %s", peer_ip);
    if (fd >= 0) close(fd);
    if (fd2 >= 0) close(fd2);
    return;
  }
  addr_v4(&peer, peer_ip, port);
  addr_v4(&peer2, peer_ip, port2);
  /* 1. before any permission for the peer's IP: must be dropped (§9) */
  (void)peer_send(fd, &w->relayed, "rtcgate-probe-unpermitted");
  if (relayed_to_client(w, "rtcgate-probe-unpermitted", 600)) {
    result(p, "permission_rules", "finding",
           "data from %s without a permission was relayed to the client", peer_ip);
  } else if (request(w, &rq, &rs) == 0 && granted(&rs)) {
    (void)peer_send(fd, &w->relayed, "rtcgate-probe-permitted");
    if (relayed_to_client(w, "rtcgate-probe-permitted", 800))
      result(p, "permission_rules", "pass",
             "unpermitted data dropped; relayed once the permission for %s existed", peer_ip);
    else
      result(p, "permission_rules", "skipped",
             "unpermitted data dropped, but permitted data from %s did not arrive either", peer_ip);
  } else {
    result(p, "permission_rules", "skipped", "the server refuses %s as a peer (%s)", peer_ip,
           outcome(&rs, o1, sizeof o1));
    close(fd);
    close(fd2);
    result(p, "channel_rules", "skipped", "no relayable peer (give --peer)");
    return;
  }
  /* 2. channel numbers: 0x4000 through 0x4FFF (RFC 8656 §12; RFC 5766 had
   * up to 0x7FFF, so 0x8000 is out of range under both), one number per
   * peer transport address and one peer per number (§12.2) */
  {
    struct req cb = {.method = RTG_STUN_CHANNEL_BIND, .no_auth = no_auth, .peer = &peer};
    struct resp low, high, ok, rebind, second;
    cb.channel = 0x3FFF;
    (void)request(w, &cb, &low);
    cb.channel = 0x8000;
    (void)request(w, &cb, &high);
    cb.channel = 0x4001;
    (void)request(w, &cb, &ok);
    cb.peer = &peer2; /* the same number to another transport address */
    (void)request(w, &cb, &rebind);
    cb.peer = &peer; /* another number to the same transport address */
    cb.channel = 0x4002;
    (void)request(w, &cb, &second);
    if (granted(&low) || granted(&high) || granted(&rebind) || granted(&second))
      result(p, "channel_rules", "finding",
             "ChannelBind 0x3FFF: %s, 0x8000: %s, 0x4001 to a second peer: %s, a second number "
             "for the first peer: %s",
             outcome(&low, o1, sizeof o1), outcome(&high, o2, sizeof o2),
             outcome(&rebind, o3, sizeof o3), outcome(&second, o4, sizeof o4));
    else if (!granted(&ok))
      result(p, "channel_rules", "skipped", "even a valid ChannelBind (0x4001) failed: %s",
             outcome(&ok, o1, sizeof o1));
    else
      result(p, "channel_rules", "pass",
             "0x3FFF: %s, 0x8000: %s, 0x4001 to a second peer: %s, a second number for the "
             "first peer: %s",
             outcome(&low, o1, sizeof o1), outcome(&high, o2, sizeof o2),
             outcome(&rebind, o3, sizeof o3), outcome(&second, o4, sizeof o4));
  }
  close(fd);
  close(fd2);
}

static void check_nonce(struct probe *p, struct sess *w) {
  struct req rq = {.method = RTG_STUN_REFRESH,
                   .has_lifetime = true,
                   .lifetime = 600,
                   .nonce = "rtcgate-forged-nonce-0000000000"};
  struct resp rs;
  char o[32];
  if (!p->o->user) {
    result(p, "nonce", "skipped", "needs --user/--password");
    return;
  }
  (void)txn(w, &rq, &rs);
  if (granted(&rs))
    result(p, "nonce", "finding", "a Refresh with a nonce the server never issued succeeded");
  else if (!rs.timeout && (rs.code == 438 || rs.code == 401))
    result(p, "nonce", "pass", "forged nonce answered %u%s", rs.code,
           rs.code == 438 ? " (Stale Nonce)" : "");
  else
    result(p, "nonce", "warning", "forged nonce answered %s (expected 438)",
           outcome(&rs, o, sizeof o));
}

static void check_quota(struct probe *p, bool no_auth) {
  int max = p->o->max_allocations, got = 0, code = 0;
  struct sess *ss = calloc((size_t)max, sizeof *ss);
  if (ss == NULL) return;
  for (int i = 0; i < max; i++) {
    struct resp rs;
    if (sess_open(&ss[i], p->o) != 0) break;
    if (allocate(&ss[i], no_auth, &rs) != 0 || !granted(&rs)) {
      code = rs.timeout ? -1 : rs.code;
      break;
    }
    got++;
  }
  for (int i = 0; i < max; i++) {
    release(&ss[i], no_auth);
    sess_close(&ss[i]);
  }
  free(ss);
  if (got == max)
    result(p, "quota", "finding",
           "%d more allocations for one user all granted (no per-user quota up to %d)", got, max);
  else if (code == 486)
    result(p, "quota", "pass", "486 Allocation Quota Reached after %d more allocations", got);
  else
    result(p, "quota", "pass", "refused after %d more allocations (%s %d)", got,
           code < 0 ? "no answer" : "error", code);
}

static void check_guessing(struct probe *p) {
  struct sess g;
  struct resp rs;
  struct req rq = {.method = RTG_STUN_ALLOCATE, .transport = true};
  int n401 = 0, other = 0, silent = 0, k = p->o->guesses;
  long long first = 0, last = 0, t0 = now_ms();
  char o[32];
  if (!p->o->user) {
    result(p, "guessing", "skipped", "needs --user/--password (a real user name)");
    return;
  }
  if (sess_open(&g, p->o) != 0) return;
  (void)txn(&g, &rq, &rs); /* the challenge */
  rq.password = "rtcgate-wrong-password";
  for (int i = 0; i < k; i++) {
    long long t = now_ms();
    (void)txn(&g, &rq, &rs);
    if (rs.timeout)
      silent++;
    else if (rs.code == 401)
      n401++;
    else
      other++;
    if (i < 3) first += rs.rtt_ms;
    if (i >= k - 3) last += rs.rtt_ms;
    /* bounded pace: at most 20 guesses per second */
    while (now_ms() - t < 50) (void)recv_wait(g.fd, (uint8_t[64]){0}, 64, 10);
  }
  rq.password = NULL;
  (void)request(&g, &rq, &rs);
  if (granted(&rs)) g.allocated = true;
  release(&g, false);
  sess_close(&g);
  if (silent == 0 && other == 0 && granted(&rs) && last <= first * 3 + 30)
    result(p, "guessing", "warning",
           "%d wrong passwords in %.1f s all answered 401 without slowing down (first %lld ms, "
           "last %lld ms for 3) and the right one still works: no throttling of guesses",
           k, (double)(now_ms() - t0) / 1000.0, first, last);
  else
    result(p, "guessing", "pass",
           "after %d wrong passwords: %d answered 401, %d other, %d unanswered; right password "
           "then: %s",
           k, n401, other, silent, outcome(&rs, o, sizeof o));
}

int rtg_probe_turn_run(const struct rtg_probe_turn_opts *o, json_t **report, char *err,
                       size_t errcap) {
  struct probe p = {.o = o, .checks = json_array()};
  struct sess anon, auth, *w = NULL;
  struct resp rs;
  struct in_addr ia;
  bool no_auth = false, loop_ok = false;
  char ob[32];
  *report = NULL;
  if (inet_pton(AF_INET, o->host, &ia) != 1) {
    snprintf(err, errcap, "--server needs an IPv4 address, not '%s'", o->host);
    json_decref(p.checks);
    return -1;
  }
  p.local = (ntohl(ia.s_addr) >> 24) == 127;
  if (sess_open(&anon, o) != 0 || sess_open(&auth, o) != 0) {
    snprintf(err, errcap, "cannot open a UDP socket to %s:%d", o->host, o->port);
    json_decref(p.checks);
    return -1;
  }
  /* open relay: an Allocate without any credential */
  if (allocate(&anon, true, &rs) != 0 || rs.timeout) {
    snprintf(err, errcap, "no answer from a TURN server at %s:%d (UDP)", o->host, o->port);
    sess_close(&anon);
    sess_close(&auth);
    json_decref(p.checks);
    return -1;
  }
  if (granted(&rs)) {
    char a[64];
    result(&p, "open_relay", "finding", "Allocate without credentials granted relayed address %s",
           addr_str(&rs.relayed, a, sizeof a));
    w = &anon;
    no_auth = true;
  } else {
    result(&p, "open_relay", "pass", "Allocate without credentials refused (%s)",
           outcome(&rs, ob, sizeof ob));
  }
  if (o->user) {
    if (allocate(&auth, false, &rs) != 0 || !granted(&rs)) {
      snprintf(err, errcap, "the server refuses the given credentials for %s (%s)", o->user,
               outcome(&rs, ob, sizeof ob));
      release(&anon, true);
      sess_close(&anon);
      sess_close(&auth);
      json_decref(p.checks);
      return -1;
    }
    w = &auth;
    no_auth = false;
  }
  if (w == NULL) {
    const char *why = "needs --user/--password (the server requires credentials)";
    result(&p, "forbidden_peers", "skipped", "%s", why);
    result(&p, "ipv6_peers", "skipped", "%s", why);
    result(&p, "loopback_relay", "skipped", "%s", why);
    result(&p, "permission_rules", "skipped", "%s", why);
    result(&p, "channel_rules", "skipped", "%s", why);
  } else {
    check_forbidden(&p, w, no_auth, &loop_ok);
    check_ipv6_peers(&p, w, no_auth);
    check_loopback_data(&p, w, loop_ok);
    if (o->peer)
      check_rules(&p, w, no_auth, o->peer);
    else if (loop_ok && p.local)
      /* permissions are per IP (RFC 8656 §9) and 127.0.0.1 now has one */
      check_rules(&p, w, no_auth, "127.0.0.3");
    else {
      result(&p, "permission_rules", "skipped", "no relayable peer address (give --peer)");
      result(&p, "channel_rules", "skipped", "no relayable peer address (give --peer)");
    }
  }
  if (w != NULL)
    check_nonce(&p, w);
  else
    result(&p, "nonce", "skipped", "needs --user/--password");
  if (w != NULL)
    check_quota(&p, no_auth);
  else
    result(&p, "quota", "skipped", "needs --user/--password");
  check_guessing(&p);
  release(&anon, true);
  release(&auth, false);
  sess_close(&anon);
  sess_close(&auth);
  *report = json_pack("{s:s,s:i,s:o,s:i,s:i}", "server", o->host, "port", o->port, "checks",
                      p.checks, "findings", p.findings, "warnings", p.warnings);
  return p.findings;
}
