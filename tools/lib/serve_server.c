/*
 * serve_server.c - the hardened signaling server (see serve_server.h).
 *
 * One libwebsockets protocol handles HTTP and WebSocket. Every accepted
 * connection gets an entry in a table (client IP, deadline, phase) from
 * LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED to LWS_CALLBACK_WSI_DESTROY;
 * a 100 ms sweep closes the ones whose head/body (slowloris) or idle
 * deadline passed. Per-IP state (connections, token bucket) lives in a
 * fixed table whose unused entries are recycled.
 */
#include <arpa/inet.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/serve_server.h"

#define MAX_IPS 1024
#define ROOM_QUEUE 16     /* messages waiting for one member */
#define ROOM_QUEUE_MSGS 4 /* ... and at most this many maximum-size messages' bytes */
#define ROOM_IDLE_MS (10LL * 60 * 1000)

enum phase { PH_HEAD, PH_BODY, PH_IDLE, PH_WS };

struct conn {
  struct lws *wsi;
  int ip;
  enum phase ph;
  long long deadline;
};

struct ipent {
  char ip[64];
  int conns;
  double tokens;
  long long refill_ms;
  long long used_ms;
};

struct member {
  struct lws *wsi; /* NULL when absent */
  char *queue[ROOM_QUEUE];
  size_t qlen[ROOM_QUEUE];
  int qhead, qn;
  size_t qbytes;
};

struct room {
  bool used;
  char name[65];
  char *offer, *answer; /* JSON text */
  struct member m[2];
  long long touched_ms;
};

struct rtg_serve {
  struct rtg_serve_opts o;
  struct lws_context *ctx;
  lws_sorted_usec_list_t sul;
  struct conn *conns;
  int nconns, capconns;
  struct ipent ips[MAX_IPS];
  struct room *rooms;
  struct rtg_serve_stats st;
};

struct pss {
  char path[256];
  bool post, close_after;
  char *body;
  size_t blen, bcap;
  unsigned char *resp;
  size_t rlen;
  /* WebSocket member */
  int room, slot;
  char *msg;
  size_t mlen;
};

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- per-IP table ------------------------------------------------------ */

static int ip_get(struct rtg_serve *s, const char *ip) {
  int free_i = -1, old_i = -1;
  long long oldest = 0;
  for (int i = 0; i < MAX_IPS; i++) {
    struct ipent *e = &s->ips[i];
    if (e->ip[0] && strcmp(e->ip, ip) == 0) return i;
    if (!e->ip[0] && free_i < 0) free_i = i;
    if (e->ip[0] && e->conns == 0 && (old_i < 0 || e->used_ms < oldest)) {
      old_i = i;
      oldest = e->used_ms;
    }
  }
  if (free_i < 0) free_i = old_i;
  if (free_i < 0) return -1;
  memset(&s->ips[free_i], 0, sizeof s->ips[free_i]);
  snprintf(s->ips[free_i].ip, sizeof s->ips[free_i].ip, "%s", ip);
  s->ips[free_i].tokens = s->o.burst;
  s->ips[free_i].refill_ms = now_ms();
  return free_i;
}

/* Takes one token from the IP's bucket; false when it is empty. */
static bool ip_take(struct rtg_serve *s, int ip) {
  struct ipent *e;
  long long t = now_ms();
  if (ip < 0) return false;
  e = &s->ips[ip];
  e->tokens += (double)(t - e->refill_ms) * s->o.rate / 1000.0;
  if (e->tokens > s->o.burst) e->tokens = s->o.burst;
  e->refill_ms = t;
  e->used_ms = t;
  if (e->tokens < 1.0) return false;
  e->tokens -= 1.0;
  return true;
}

/* ---- connection table -------------------------------------------------- */

static struct conn *conn_find(struct rtg_serve *s, const struct lws *wsi) {
  for (int i = 0; i < s->nconns; i++)
    if (s->conns[i].wsi == wsi) return &s->conns[i];
  return NULL;
}

static void conn_phase(struct rtg_serve *s, struct lws *wsi, enum phase ph) {
  struct conn *c = conn_find(s, wsi);
  if (c == NULL) return;
  c->ph = ph;
  c->deadline = now_ms() + (ph == PH_HEAD || ph == PH_BODY ? s->o.header_ms : s->o.idle_ms);
}

static int conn_ip(struct rtg_serve *s, const struct lws *wsi) {
  struct conn *c = conn_find(s, wsi);
  return c ? c->ip : -1;
}

/* The caps, checked on the accepted socket before libwebsockets adopts it
 * (LWS_CALLBACK_FILTER_NETWORK_CONNECTION): non-zero closes it at once. */
static int conn_filter(struct rtg_serve *s, int fd) {
  char ip[64];
  int i;
  lws_get_peer_simple_fd(fd, ip, sizeof ip);
  if (s->nconns >= s->o.max_conns) {
    s->st.conns_refused_total_cap++;
    return -1;
  }
  i = ip_get(s, ip);
  if (i < 0 || s->ips[i].conns >= s->o.max_conns_ip) {
    s->st.conns_refused_ip_cap++;
    return -1;
  }
  return 0;
}

/* The adopted connection enters the table (deadline: its head). */
static int conn_add(struct rtg_serve *s, struct lws *wsi) {
  char ip[64];
  int i;
  lws_get_peer_simple(wsi, ip, sizeof ip);
  i = ip_get(s, ip);
  if (i < 0) return -1;
  if (s->nconns == s->capconns) {
    int cap = s->capconns ? s->capconns * 2 : 64;
    struct conn *nc = realloc(s->conns, (size_t)cap * sizeof *nc);
    if (nc == NULL) return -1;
    s->conns = nc;
    s->capconns = cap;
  }
  s->conns[s->nconns].wsi = wsi;
  s->conns[s->nconns].ip = i;
  s->nconns++;
  conn_phase(s, wsi, PH_HEAD);
  s->ips[i].conns++;
  s->ips[i].used_ms = now_ms();
  s->st.conns_accepted++;
  s->st.conns_now = s->nconns;
  if (s->nconns > s->st.conns_peak) s->st.conns_peak = s->nconns;
  return 0;
}

static void conn_del(struct rtg_serve *s, const struct lws *wsi) {
  for (int i = 0; i < s->nconns; i++) {
    if (s->conns[i].wsi != wsi) continue;
    if (s->conns[i].ip >= 0) s->ips[s->conns[i].ip].conns--;
    s->conns[i] = s->conns[--s->nconns];
    s->st.conns_now = s->nconns;
    return;
  }
}

/* ---- rooms ------------------------------------------------------------- */

static bool room_name_ok(const char *n, size_t len) {
  if (len == 0 || len > 64) return false;
  for (size_t i = 0; i < len; i++) {
    char ch = n[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '_'))
      return false;
  }
  return true;
}

static void member_clear(struct member *m) {
  while (m->qn > 0) {
    free(m->queue[m->qhead]);
    m->qhead = (m->qhead + 1) % ROOM_QUEUE;
    m->qn--;
  }
  m->qhead = 0;
  m->qbytes = 0;
}

static void room_clear(struct rtg_serve *s, struct room *r) {
  free(r->offer);
  free(r->answer);
  member_clear(&r->m[0]);
  member_clear(&r->m[1]);
  memset(r, 0, sizeof *r);
  s->st.rooms_now--;
}

/* The room named |name|, created when |create|; -1 when absent or full. */
static int room_get(struct rtg_serve *s, const char *name, bool create) {
  int free_i = -1;
  for (int i = 0; i < s->o.max_rooms; i++) {
    if (s->rooms[i].used && strcmp(s->rooms[i].name, name) == 0) {
      s->rooms[i].touched_ms = now_ms();
      return i;
    }
    if (!s->rooms[i].used && free_i < 0) free_i = i;
  }
  if (!create || free_i < 0) return -1;
  s->rooms[free_i].used = true;
  snprintf(s->rooms[free_i].name, sizeof s->rooms[free_i].name, "%s", name);
  s->rooms[free_i].touched_ms = now_ms();
  s->st.rooms_now++;
  return free_i;
}

/* ---- checks shared by HTTP and WebSocket -------------------------------- */

struct refusal {
  unsigned status;
  const char *kind, *detail;
};

static bool origin_ok(struct rtg_serve *s, struct lws *wsi) {
  char origin[256], host[256], self[300];
  int n = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
  if (n <= 0) return true; /* not a browser: the token decides */
  for (int i = 0; i < s->o.norigins; i++)
    if (strcmp(origin, s->o.origins[i]) == 0) return true;
  /* same origin: the page was served under the Host it talks to */
  if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) > 0) {
    snprintf(self, sizeof self, "%s://%s", s->o.tls ? "https" : "http", host);
    if (strcmp(origin, self) == 0) return true;
  }
  return false;
}

/* The request's bearer token: Authorization header, else ?token=. */
static bool token_of(struct lws *wsi, char *tok, size_t cap) {
  char auth[300];
  int n = lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
  if (n > 7 && strncasecmp(auth, "Bearer ", 7) == 0) {
    snprintf(tok, cap, "%s", auth + 7);
    return true;
  }
  {
    /* libwebsockets copies "token=VALUE" and points past the name */
    char arg[300];
    const char *v = lws_get_urlarg_by_name(wsi, "token=", arg, (int)sizeof arg);
    if (v == NULL) return false;
    snprintf(tok, cap, "%s", v);
    return true;
  }
}

/* Origin, room token and rate: fills |rf| and returns false on refusal. */
static bool admit(struct rtg_serve *s, struct lws *wsi, const char *room, struct refusal *rf) {
  const char *want = NULL;
  char tok[300];
  if (!ip_take(s, conn_ip(s, wsi))) {
    *rf = (struct refusal){429, "rate_limited", "too many requests from this address"};
    return false;
  }
  if (!origin_ok(s, wsi)) {
    *rf = (struct refusal){403, "origin_not_allowed", "Origin is not in the allow-list"};
    return false;
  }
  if (room == NULL) return true;
  for (int i = 0; i < s->o.ntokens; i++)
    if (strcmp(s->o.tokens[i].room, room) == 0) want = s->o.tokens[i].token;
  if (want == NULL) {
    if (s->o.open_rooms) return true;
    *rf = (struct refusal){403, "unknown_room", "no token is configured for this room"};
    return false;
  }
  if (!token_of(wsi, tok, sizeof tok)) {
    *rf = (struct refusal){401, "unauthorized", "a bearer token is required"};
    return false;
  }
  if (strlen(tok) != strlen(want) || CRYPTO_memcmp(tok, want, strlen(want)) != 0) {
    *rf = (struct refusal){401, "unauthorized", "wrong token"};
    return false;
  }
  return true;
}

static void count_status(struct rtg_serve *s, unsigned code) {
  switch (code) {
    case 400: s->st.http_400++; break;
    case 401: s->st.http_401++; break;
    case 403: s->st.http_403++; break;
    case 404: s->st.http_404++; break;
    case 405: s->st.http_405++; break;
    case 409: s->st.http_409++; break;
    case 413: s->st.http_413++; break;
    case 429: s->st.http_429++; break;
    default:
      if (code < 300) s->st.http_ok++;
      break;
  }
}

/* ---- HTTP --------------------------------------------------------------- */

static void pss_free(struct pss *ps) {
  free(ps->body);
  free(ps->resp);
  ps->body = NULL;
  ps->resp = NULL;
  ps->blen = ps->bcap = ps->rlen = 0;
}

static int respond(struct rtg_serve *s, struct lws *wsi, struct pss *ps, unsigned code, json_t *j) {
  unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  char *body = json_dumps(j, JSON_COMPACT);
  size_t len;
  json_decref(j);
  if (body == NULL) return -1;
  len = strlen(body);
  count_status(s, code);
  free(ps->resp);
  ps->resp = malloc(LWS_PRE + len + 1);
  if (ps->resp == NULL) {
    free(body);
    return -1;
  }
  memcpy(ps->resp + LWS_PRE, body, len);
  free(body);
  ps->rlen = len;
  if (lws_add_http_common_headers(wsi, code, "application/json", len, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   (const unsigned char *)"no-store", 8, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"x-content-type-options:",
                                  (const unsigned char *)"nosniff", 7, &p, end))
    return -1;
  if (code == 429 && lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
                                                 (const unsigned char *)"1", 1, &p, end))
    return -1;
  if (s->o.tls &&
      lws_add_http_header_by_name(wsi, (const unsigned char *)"strict-transport-security:",
                                  (const unsigned char *)"max-age=31536000", 16, &p, end))
    return -1;
  {
    char origin[256];
    int n = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
    if (n > 0 && code != 403 &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-origin:",
                                    (const unsigned char *)origin, n, &p, end))
      return -1;
  }
  if (ps->close_after && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
                                                      (const unsigned char *)"close", 5, &p, end))
    return -1;
  if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
  lws_callback_on_writable(wsi);
  return 0;
}

static int refuse(struct rtg_serve *s, struct lws *wsi, struct pss *ps, unsigned code,
                  const char *kind, const char *detail) {
  return respond(s, wsi, ps, code,
                 json_pack("{s:s,s:i,s:s}", "error", kind, "status", (int)code, "detail", detail));
}

/* "/rooms/NAME/WHAT": 0 with |name| and |what| set, -1 otherwise. */
static int split_room(const char *path, char *name, size_t ncap, char *what, size_t wcap) {
  const char *p, *slash;
  if (strncmp(path, "/rooms/", 7) != 0) return -1;
  p = path + 7;
  slash = strchr(p, '/');
  if (slash == NULL || !room_name_ok(p, (size_t)(slash - p)) || (size_t)(slash - p) >= ncap)
    return -1;
  memcpy(name, p, (size_t)(slash - p));
  name[slash - p] = '\0';
  if (strlen(slash + 1) >= wcap) return -1;
  snprintf(what, wcap, "%s", slash + 1);
  return 0;
}

/* A JSON session description of |type|: the compact text, or NULL. */
static char *sdp_message(const char *body, size_t len, const char *type, const char **why) {
  json_error_t je;
  json_t *j = json_loadb(body ? body : "", len, 0, &je);
  const char *t, *sdp;
  char *out;
  if (j == NULL) {
    *why = "body is not JSON";
    return NULL;
  }
  t = json_string_value(json_object_get(j, "type"));
  sdp = json_string_value(json_object_get(j, "sdp"));
  if (!json_is_object(j) || t == NULL || strcmp(t, type) != 0 || sdp == NULL ||
      strncmp(sdp, "v=0", 3) != 0) {
    json_decref(j);
    *why = "expected {\"type\":\"offer|answer\",\"sdp\":\"v=0...\"}";
    return NULL;
  }
  out = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return out;
}

static int handle_request(struct rtg_serve *s, struct lws *wsi, struct pss *ps) {
  char name[65], what[32];
  struct refusal rf;
  int ri;
  if (strcmp(ps->path, "/healthz") == 0 && !ps->post) {
    if (!ip_take(s, conn_ip(s, wsi)))
      return refuse(s, wsi, ps, 429, "rate_limited", "too many requests from this address");
    return respond(s, wsi, ps, 200, json_pack("{s:b}", "ok", 1));
  }
  if (split_room(ps->path, name, sizeof name, what, sizeof what) != 0 ||
      (strcmp(what, "offer") != 0 && strcmp(what, "answer") != 0)) {
    if (!ip_take(s, conn_ip(s, wsi)))
      return refuse(s, wsi, ps, 429, "rate_limited", "too many requests from this address");
    return refuse(s, wsi, ps, 404, "not_found",
                  "use /rooms/ROOM/offer, /rooms/ROOM/answer or /rooms/ROOM/ws");
  }
  if (!admit(s, wsi, name, &rf)) return refuse(s, wsi, ps, rf.status, rf.kind, rf.detail);
  if (!ps->post) {
    const char *text;
    ri = room_get(s, name, false);
    text = ri < 0 ? NULL : strcmp(what, "offer") == 0 ? s->rooms[ri].offer : s->rooms[ri].answer;
    if (text == NULL) return refuse(s, wsi, ps, 404, "not_yet", "nothing posted here yet");
    return respond(s, wsi, ps, 200, json_loads(text, 0, NULL));
  }
  {
    const char *why = "";
    char *msg = sdp_message(ps->body, ps->blen, what, &why);
    if (msg == NULL) return refuse(s, wsi, ps, 400, "bad_request", why);
    ri = room_get(s, name, strcmp(what, "offer") == 0);
    if (ri < 0 && strcmp(what, "offer") == 0) {
      free(msg);
      return refuse(s, wsi, ps, 429, "too_many_rooms", "the server holds its maximum of rooms");
    }
    if (strcmp(what, "answer") == 0 && (ri < 0 || s->rooms[ri].offer == NULL)) {
      free(msg);
      return refuse(s, wsi, ps, 409, "no_offer", "an answer needs an offer in the room first");
    }
    if (strcmp(what, "offer") == 0) {
      /* a new offer starts a new exchange */
      free(s->rooms[ri].offer);
      free(s->rooms[ri].answer);
      s->rooms[ri].answer = NULL;
      s->rooms[ri].offer = msg;
    } else {
      free(s->rooms[ri].answer);
      s->rooms[ri].answer = msg;
    }
    return respond(s, wsi, ps, 201, json_pack("{s:s,s:s}", "room", name, "stored", what));
  }
}

/* CORS preflight (Fetch standard): an allowed Origin may send the
 * Authorization and Content-Type headers with GET and POST; 204, or 403. */
static int preflight(struct rtg_serve *s, struct lws *wsi, struct pss *ps) {
  unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  char origin[256];
  int n = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
  static const char methods[] = "GET, POST", headers[] = "authorization, content-type";
  if (!ip_take(s, conn_ip(s, wsi)))
    return refuse(s, wsi, ps, 429, "rate_limited", "too many requests from this address");
  if (n <= 0 || !origin_ok(s, wsi))
    return refuse(s, wsi, ps, 403, "origin_not_allowed", "Origin is not in the allow-list");
  count_status(s, 204);
  free(ps->resp);
  ps->resp = malloc(LWS_PRE + 1);
  if (ps->resp == NULL) return -1;
  ps->rlen = 0;
  if (lws_add_http_common_headers(wsi, 204, "text/plain", 0, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-origin:",
                                  (const unsigned char *)origin, n, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-methods:",
                                  (const unsigned char *)methods, (int)strlen(methods), &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-headers:",
                                  (const unsigned char *)headers, (int)strlen(headers), &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-max-age:",
                                  (const unsigned char *)"600", 3, &p, end) ||
      lws_add_http_header_by_name(
          wsi, (const unsigned char *)"vary:", (const unsigned char *)"Origin", 6, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  lws_callback_on_writable(wsi);
  return 0;
}

static int on_http(struct rtg_serve *s, struct lws *wsi, struct pss *ps, const char *uri) {
  char cl[32];
  pss_free(ps);
  ps->close_after = false;
  ps->room = -1;
  s->st.http_requests++;
  snprintf(ps->path, sizeof ps->path, "%s", uri ? uri : "/");
  ps->post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI) > 0) return preflight(s, wsi, ps);
  if (!ps->post && lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0) {
    ps->close_after = true;
    return refuse(s, wsi, ps, 405, "method_not_allowed", "only GET and POST");
  }
  if (!ps->post) return handle_request(s, wsi, ps);
  if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
    char *e;
    unsigned long long n = strtoull(cl, &e, 10);
    if (*e != '\0') {
      ps->close_after = true;
      return refuse(s, wsi, ps, 400, "bad_request", "malformed Content-Length");
    }
    if (n > s->o.max_message) {
      ps->close_after = true;
      return refuse(s, wsi, ps, 413, "too_large", "the body exceeds the maximum message size");
    }
  }
  conn_phase(s, wsi, PH_BODY);
  return 0; /* the body follows */
}

/* ---- WebSocket ---------------------------------------------------------- */

/* The handshake: path, origin, token, room slot. Non-zero refuses. */
static int on_ws_filter(struct rtg_serve *s, struct lws *wsi, struct pss *ps) {
  char uri[256], name[65], what[32];
  struct refusal rf;
  int ri, slot;
  memset(ps, 0, sizeof *ps);
  ps->room = -1;
  if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 ||
      split_room(uri, name, sizeof name, what, sizeof what) != 0 || strcmp(what, "ws") != 0) {
    s->st.ws_refused++;
    count_status(s, 404);
    return -1;
  }
  if (!admit(s, wsi, name, &rf)) {
    s->st.ws_refused++;
    count_status(s, rf.status);
    return -1;
  }
  ri = room_get(s, name, true);
  if (ri < 0) {
    s->st.ws_refused++;
    count_status(s, 429);
    return -1;
  }
  slot = s->rooms[ri].m[0].wsi == NULL ? 0 : s->rooms[ri].m[1].wsi == NULL ? 1 : -1;
  if (slot < 0) {
    s->st.ws_refused++;
    count_status(s, 409);
    return -1;
  }
  s->rooms[ri].m[slot].wsi = wsi;
  ps->room = ri;
  ps->slot = slot;
  return 0;
}

/* Queues |text| for member |slot| of room |ri| (copied). */
/* Queues |text| for member |slot| of room |ri| (copied); false when the
 * queue is full: a connected reader that does not keep up is dropped
 * rather than buffered without end, an absent one refuses more. */
static bool ws_queue(struct rtg_serve *s, int ri, int slot, const char *text, size_t len) {
  struct member *m = &s->rooms[ri].m[slot];
  char *copy;
  if (m->qn == ROOM_QUEUE || m->qbytes + len > ROOM_QUEUE_MSGS * s->o.max_message) {
    if (m->wsi) {
      s->st.ws_slow_reader_dropped++;
      lws_set_timeout(m->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    return false;
  }
  copy = malloc(len + 1);
  if (copy == NULL) return false;
  memcpy(copy, text, len);
  copy[len] = '\0';
  m->queue[(m->qhead + m->qn) % ROOM_QUEUE] = copy;
  m->qlen[(m->qhead + m->qn) % ROOM_QUEUE] = len;
  m->qn++;
  m->qbytes += len;
  if (m->wsi) lws_callback_on_writable(m->wsi);
  return true;
}

static void ws_error(struct rtg_serve *s, struct pss *ps, const char *kind, const char *detail) {
  json_t *j = json_pack("{s:s,s:s}", "error", kind, "detail", detail);
  char *t = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  if (t) ws_queue(s, ps->room, ps->slot, t, strlen(t)); /* full: the sender is dropped */
  free(t);
}

/* A complete message from a member: validate, store SDPs, relay. */
static int ws_message(struct rtg_serve *s, struct lws *wsi, struct pss *ps) {
  json_error_t je;
  json_t *j;
  const char *type;
  struct room *r = &s->rooms[ps->room];
  s->st.ws_messages++;
  if (!ip_take(s, conn_ip(s, wsi))) {
    s->st.ws_rate_limited++;
    lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"rate limited", 12);
    return -1;
  }
  j = json_loadb(ps->msg ? ps->msg : "", ps->mlen, 0, &je);
  if (j == NULL || !json_is_object(j)) {
    s->st.ws_bad_message++;
    json_decref(j);
    ws_error(s, ps, "bad_message", "messages are JSON objects");
    return 0;
  }
  type = json_string_value(json_object_get(j, "type"));
  if (type && (strcmp(type, "offer") == 0 || strcmp(type, "answer") == 0) &&
      json_is_string(json_object_get(j, "sdp"))) {
    char **slot = strcmp(type, "offer") == 0 ? &r->offer : &r->answer;
    free(*slot);
    *slot = json_dumps(j, JSON_COMPACT);
  }
  json_decref(j);
  if (ws_queue(s, ps->room, 1 - ps->slot, ps->msg, ps->mlen))
    s->st.ws_relayed++;
  else if (r->m[1 - ps->slot].wsi == NULL)
    ws_error(s, ps, "peer_queue_full", "the other member is absent and its queue is full");
  r->touched_ms = now_ms();
  return 0;
}

static int on_ws_receive(struct rtg_serve *s, struct lws *wsi, struct pss *ps, const void *in,
                         size_t len) {
  conn_phase(s, wsi, PH_WS);
  if (ps->room < 0) return -1;
  if (ps->mlen + len > s->o.max_message) {
    s->st.ws_oversize++;
    lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too large", 9);
    return -1;
  }
  {
    char *nb = realloc(ps->msg, ps->mlen + len + 1);
    if (nb == NULL) return -1;
    ps->msg = nb;
    if (len) memcpy(ps->msg + ps->mlen, in, len);
    ps->mlen += len;
  }
  if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
    int rc = ws_message(s, wsi, ps);
    free(ps->msg);
    ps->msg = NULL;
    ps->mlen = 0;
    return rc;
  }
  return 0;
}

static int on_ws_writeable(struct rtg_serve *s, struct lws *wsi, struct pss *ps) {
  struct member *m;
  unsigned char *buf;
  size_t len;
  int n;
  if (ps->room < 0) return 0;
  m = &s->rooms[ps->room].m[ps->slot];
  if (m->qn == 0) return 0;
  len = m->qlen[m->qhead];
  buf = malloc(LWS_PRE + len);
  if (buf == NULL) return -1;
  memcpy(buf + LWS_PRE, m->queue[m->qhead], len);
  free(m->queue[m->qhead]);
  m->qbytes -= len;
  m->qhead = (m->qhead + 1) % ROOM_QUEUE;
  m->qn--;
  n = lws_write(wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT);
  free(buf);
  if (n < (int)len) return -1;
  if (m->qn > 0) lws_callback_on_writable(wsi);
  return 0;
}

static void on_ws_closed(struct rtg_serve *s, struct pss *ps) {
  free(ps->msg);
  ps->msg = NULL;
  ps->mlen = 0;
  if (ps->room < 0) return;
  s->rooms[ps->room].m[ps->slot].wsi = NULL;
  member_clear(&s->rooms[ps->room].m[ps->slot]);
  s->rooms[ps->room].touched_ms = now_ms();
  ps->room = -1;
}

/* ---- the callback ------------------------------------------------------- */

static int body_add(struct rtg_serve *s, struct lws *wsi, struct pss *ps, const void *in,
                    size_t len) {
  if (len == 0) return 0;
  if (ps->blen + len > s->o.max_message) {
    /* chunked past the limit: no response can be sent mid-body */
    s->st.body_oversize_closed++;
    return -1;
  }
  if (ps->blen + len > ps->bcap) {
    size_t cap = ps->bcap ? ps->bcap : 4096;
    char *nb;
    while (cap < ps->blen + len) cap *= 2;
    nb = realloc(ps->body, cap);
    if (nb == NULL) return -1;
    ps->body = nb;
    ps->bcap = cap;
  }
  if (len) memcpy(ps->body + ps->blen, in, len);
  ps->blen += len;
  (void)wsi;
  return 0;
}

static int cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct pss *ps = user;
  struct rtg_serve *s = lws_context_user(lws_get_context(wsi));
  switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: return conn_filter(s, (int)(intptr_t)in);
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED: return conn_add(s, wsi);
    case LWS_CALLBACK_WSI_DESTROY: conn_del(s, wsi); return 0;
    case LWS_CALLBACK_HTTP:
      if (ps == NULL) return -1;
      return on_http(s, wsi, ps, in) ? -1 : 0;
    case LWS_CALLBACK_HTTP_BODY:
      if (ps == NULL) return -1;
      return body_add(s, wsi, ps, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      if (ps == NULL) return -1;
      return handle_request(s, wsi, ps) ? -1 : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
      if (ps == NULL || ps->resp == NULL) return 0;
      if (lws_write(wsi, ps->resp + LWS_PRE, ps->rlen, LWS_WRITE_HTTP_FINAL) != (int)ps->rlen) {
        pss_free(ps);
        return -1;
      }
      pss_free(ps);
      if (ps->close_after) return -1;
      conn_phase(s, wsi, PH_IDLE);
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (ps) pss_free(ps);
      return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      if (ps == NULL) return -1;
      return on_ws_filter(s, wsi, ps);
    case LWS_CALLBACK_ESTABLISHED:
      s->st.ws_accepted++;
      conn_phase(s, wsi, PH_WS);
      if (ps && ps->room >= 0 && s->rooms[ps->room].m[ps->slot].qn > 0)
        lws_callback_on_writable(wsi);
      return 0;
    case LWS_CALLBACK_RECEIVE:
      if (ps == NULL) return -1;
      return on_ws_receive(s, wsi, ps, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (ps == NULL) return -1;
      return on_ws_writeable(s, wsi, ps);
    case LWS_CALLBACK_CLOSED:
      if (ps) on_ws_closed(s, ps);
      return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
    {"rtcgate-signal", cb, sizeof(struct pss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Every 100 ms: head/body and idle deadlines, expired rooms. */
static void sweep(lws_sorted_usec_list_t *sul) {
  struct rtg_serve *s = lws_container_of(sul, struct rtg_serve, sul);
  long long t = now_ms();
  for (int i = 0; i < s->nconns; i++) {
    struct conn *c = &s->conns[i];
    if (c->deadline > t || c->deadline == 0) continue;
    if (c->ph == PH_HEAD || c->ph == PH_BODY)
      s->st.header_timeouts++;
    else
      s->st.idle_timeouts++;
    c->deadline = 0; /* counted once; the wsi goes away asynchronously */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  }
  for (int i = 0; i < s->o.max_rooms; i++) {
    struct room *r = &s->rooms[i];
    if (r->used && r->m[0].wsi == NULL && r->m[1].wsi == NULL && t - r->touched_ms > ROOM_IDLE_MS)
      room_clear(s, r);
  }
  lws_sul_schedule(s->ctx, 0, &s->sul, sweep, 100 * LWS_US_PER_MS);
}

void rtg_serve_opts_init(struct rtg_serve_opts *o) {
  memset(o, 0, sizeof *o);
  snprintf(o->addr, sizeof o->addr, "127.0.0.1");
  o->port = 8443;
  o->tls = true;
  o->rate = 20;
  o->burst = 40;
  o->max_conns_ip = 16;
  o->max_conns = 512;
  o->max_message = 65536;
  o->header_ms = 5000;
  o->idle_ms = 30000;
  o->max_rooms = 256;
}

struct rtg_serve *rtg_serve_new(const struct rtg_serve_opts *o, char *err, size_t errcap) {
  struct lws_context_creation_info info;
  struct rtg_serve *s = calloc(1, sizeof *s);
  if (s == NULL) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  s->o = *o;
  s->rooms = calloc((size_t)o->max_rooms, sizeof *s->rooms);
  if (s->rooms == NULL) {
    free(s);
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  lws_set_log_level(o->verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, NULL);
  memset(&info, 0, sizeof info);
  info.port = o->port;
  info.iface = o->addr;
  info.protocols = protocols;
  info.user = s;
  info.alpn = "http/1.1";
  /* our sweep enforces the header deadline; libwebsockets' own is a backstop */
  info.timeout_secs = (unsigned)((o->header_ms + 999) / 1000 + 2);
  info.keepalive_timeout = (int)((o->idle_ms + 999) / 1000);
  /* a head larger than this is refused by libwebsockets itself */
  info.max_http_header_data = 4096;
  if (strchr(o->addr, ':') == NULL) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  if (o->tls) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.server_ssl_cert_mem = o->cert_pem;
    info.server_ssl_cert_mem_len = (unsigned)o->cert_len;
    info.server_ssl_private_key_mem = o->key_pem;
    info.server_ssl_private_key_mem_len = (unsigned)o->key_len;
    info.ssl_options_set = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_RENEGOTIATION;
  }
  s->ctx = lws_create_context(&info);
  if (s->ctx == NULL) {
    snprintf(err, errcap, "cannot serve on %s:%d (port busy, or bad certificate/key)", o->addr,
             o->port);
    rtg_serve_free(s);
    return NULL;
  }
  lws_sul_schedule(s->ctx, 0, &s->sul, sweep, 100 * LWS_US_PER_MS);
  return s;
}

void rtg_serve_service(struct rtg_serve *s, int ms) {
  long long end = now_ms() + ms;
  while (now_ms() < end)
    if (lws_service(s->ctx, 0) < 0) break;
}

const struct rtg_serve_stats *rtg_serve_get_stats(const struct rtg_serve *s) { return &s->st; }

json_t *rtg_serve_stats_json(const struct rtg_serve *s) {
  const struct rtg_serve_stats *t = &s->st;
  json_t *j = json_object();
  json_t *http = json_object(), *refused = json_object(), *ws = json_object(),
         *conns = json_object();
  json_object_set_new(conns, "accepted", json_integer((json_int_t)t->conns_accepted));
  json_object_set_new(conns, "refused_ip_cap", json_integer((json_int_t)t->conns_refused_ip_cap));
  json_object_set_new(conns, "refused_total_cap",
                      json_integer((json_int_t)t->conns_refused_total_cap));
  json_object_set_new(conns, "header_timeouts", json_integer((json_int_t)t->header_timeouts));
  json_object_set_new(conns, "idle_timeouts", json_integer((json_int_t)t->idle_timeouts));
  json_object_set_new(conns, "body_oversize_closed",
                      json_integer((json_int_t)t->body_oversize_closed));
  json_object_set_new(conns, "now", json_integer(t->conns_now));
  json_object_set_new(conns, "peak", json_integer(t->conns_peak));
  json_object_set_new(refused, "400", json_integer((json_int_t)t->http_400));
  json_object_set_new(refused, "401", json_integer((json_int_t)t->http_401));
  json_object_set_new(refused, "403", json_integer((json_int_t)t->http_403));
  json_object_set_new(refused, "404", json_integer((json_int_t)t->http_404));
  json_object_set_new(refused, "405", json_integer((json_int_t)t->http_405));
  json_object_set_new(refused, "409", json_integer((json_int_t)t->http_409));
  json_object_set_new(refused, "413", json_integer((json_int_t)t->http_413));
  json_object_set_new(refused, "429", json_integer((json_int_t)t->http_429));
  json_object_set_new(http, "requests", json_integer((json_int_t)t->http_requests));
  json_object_set_new(http, "ok", json_integer((json_int_t)t->http_ok));
  json_object_set_new(http, "refused", refused);
  json_object_set_new(ws, "accepted", json_integer((json_int_t)t->ws_accepted));
  json_object_set_new(ws, "refused", json_integer((json_int_t)t->ws_refused));
  json_object_set_new(ws, "messages", json_integer((json_int_t)t->ws_messages));
  json_object_set_new(ws, "relayed", json_integer((json_int_t)t->ws_relayed));
  json_object_set_new(ws, "oversize", json_integer((json_int_t)t->ws_oversize));
  json_object_set_new(ws, "rate_limited", json_integer((json_int_t)t->ws_rate_limited));
  json_object_set_new(ws, "bad_message", json_integer((json_int_t)t->ws_bad_message));
  json_object_set_new(ws, "slow_reader_dropped",
                      json_integer((json_int_t)t->ws_slow_reader_dropped));
  json_object_set_new(j, "connections", conns);
  json_object_set_new(j, "http", http);
  json_object_set_new(j, "ws", ws);
  json_object_set_new(j, "rooms", json_integer(t->rooms_now));
  return j;
}

void rtg_serve_free(struct rtg_serve *s) {
  if (s == NULL) return;
  if (s->ctx) lws_context_destroy(s->ctx);
  for (int i = 0; s->rooms && i < s->o.max_rooms; i++)
    if (s->rooms[i].used) room_clear(s, &s->rooms[i]);
  free(s->rooms);
  free(s->conns);
  free(s);
}
