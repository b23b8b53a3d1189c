/*
 * peer_http.c - the webrtc-echoes signaling over HTTP with libwebsockets
 * (the same patterns as interop_http.c): a server taking POST /offer and
 * answering asynchronously (the peer first gathers its candidates), and a
 * blocking client POSTing an offer and reading the answer.
 */
#include <errno.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/peer_io.h"

#define MAX_PENDING 8

struct pss {
  unsigned id;
  bool post, too_big, headers_sent, counted;
  char path[128];
  char *body;
  size_t blen, bcap;
  unsigned code;
  char ctype[48];
  unsigned char *resp; /* LWS_PRE bytes, then the body */
  size_t rlen;
};

struct rtg_pio_http {
  struct lws_context *ctx;
  rtg_pio_offer_cb cb;
  void *ud;
  unsigned next_id;
  unsigned unsent; /* responses queued and not yet written */
  struct {
    unsigned id;
    struct lws *wsi;
    struct pss *ps;
  } pending[MAX_PENDING];
};

static void pss_free(struct pss *ps) {
  free(ps->body);
  free(ps->resp);
  ps->body = NULL;
  ps->resp = NULL;
  ps->blen = ps->bcap = ps->rlen = 0;
}

static void forget(struct rtg_pio_http *h, struct pss *ps) {
  for (size_t i = 0; i < MAX_PENDING; i++)
    if (h->pending[i].ps == ps) memset(&h->pending[i], 0, sizeof h->pending[i]);
}

/* Queues the response of |ps|; written when the connection is writable. */
static int queue_response(struct lws *wsi, struct pss *ps, unsigned code, const char *ctype,
                          const void *body, size_t len) {
  free(ps->resp);
  ps->resp = malloc(LWS_PRE + len + 1);
  if (ps->resp == NULL) return -1;
  if (len) memcpy(ps->resp + LWS_PRE, body, len);
  ps->rlen = len;
  ps->code = code;
  snprintf(ps->ctype, sizeof ps->ctype, "%s", ctype);
  ps->headers_sent = false;
  if (!ps->counted) {
    struct rtg_pio_http *h = lws_context_user(lws_get_context(wsi));
    h->unsent++;
    ps->counted = true;
  }
  lws_callback_on_writable(wsi);
  return 0;
}

/* The response of |ps| is written or can no longer be. */
static void uncount(struct lws *wsi, struct pss *ps) {
  if (ps->counted) {
    struct rtg_pio_http *h = lws_context_user(lws_get_context(wsi));
    h->unsent--;
    ps->counted = false;
  }
}

static int queue_error(struct lws *wsi, struct pss *ps, unsigned code, const char *msg) {
  json_t *j = json_pack("{s:s}", "error", msg);
  char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
  int rc = s ? queue_response(wsi, ps, code, "application/json", s, strlen(s)) : -1;
  free(s);
  json_decref(j);
  return rc;
}

static int write_headers(struct lws *wsi, struct pss *ps) {
  unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  if (lws_add_http_common_headers(wsi, ps->code, ps->ctype, ps->rlen, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   (const unsigned char *)"no-store", 8, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"Access-Control-Allow-Origin:",
                                  (const unsigned char *)"*", 1, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"Access-Control-Allow-Methods:",
                                  (const unsigned char *)"POST, OPTIONS", 13, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"Access-Control-Allow-Headers:",
                                  (const unsigned char *)"Content-Type", 12, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  ps->headers_sent = true;
  return 0;
}

/* The body of POST /offer is complete: hand it to the session. */
static int take_offer(struct lws *wsi, struct pss *ps, struct rtg_pio_http *h) {
  size_t slot = MAX_PENDING;
  if (ps->too_big) return queue_error(wsi, ps, 413, "request body too large");
  if (strcmp(ps->path, "/offer") != 0) return queue_error(wsi, ps, 404, "not found (POST /offer)");
  for (size_t i = 0; i < MAX_PENDING; i++)
    if (h->pending[i].wsi == NULL) slot = i;
  if (slot == MAX_PENDING) return queue_error(wsi, ps, 503, "too many requests in progress");
  if (ps->body == NULL && (ps->body = malloc(1)) == NULL) return -1;
  ps->body[ps->blen] = '\0';
  ps->id = ++h->next_id;
  h->pending[slot].id = ps->id;
  h->pending[slot].wsi = wsi;
  h->pending[slot].ps = ps;
  h->cb(h->ud, ps->id, ps->body, ps->blen);
  return 0;
}

static int append_body(struct pss *ps, const void *in, size_t len) {
  if (ps->too_big || ps->blen + len > RTG_PIO_HTTP_MAX_BODY) {
    ps->too_big = true;
    return 0;
  }
  if (ps->blen + len + 1 > ps->bcap) {
    size_t cap = ps->bcap ? ps->bcap : 4096;
    char *nb;
    while (cap < ps->blen + len + 1) cap *= 2;
    nb = realloc(ps->body, cap);
    if (nb == NULL) return -1;
    ps->body = nb;
    ps->bcap = cap;
  }
  memcpy(ps->body + ps->blen, in, len);
  ps->blen += len;
  return 0;
}

static int on_writable(struct lws *wsi, struct pss *ps) {
  if (ps->resp == NULL) return 0;
  if (!ps->headers_sent) {
    if (write_headers(wsi, ps)) return -1;
    lws_callback_on_writable(wsi);
    return 0;
  }
  uncount(wsi, ps);
  if (lws_write(wsi, ps->resp + LWS_PRE, ps->rlen, LWS_WRITE_HTTP_FINAL) != (int)ps->rlen) {
    pss_free(ps);
    return -1;
  }
  pss_free(ps);
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len) {
  struct pss *ps = user;
  struct rtg_pio_http *h = lws_context_user(lws_get_context(wsi));
  if (ps == NULL) return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
    case LWS_CALLBACK_HTTP:
      pss_free(ps);
      ps->too_big = false;
      snprintf(ps->path, sizeof ps->path, "%s", in ? (const char *)in : "/");
      ps->post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
      if (ps->post) return 0; /* wait for the body */
      /* a browser's CORS preflight before its fetch() POST */
      if (lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI) > 0)
        return queue_response(wsi, ps, 204, "text/plain", "", 0) ? -1 : 0;
      return queue_error(wsi, ps, strcmp(ps->path, "/offer") == 0 ? 405 : 404,
                         "POST an RTCSessionDescriptionInit offer to /offer")
                 ? -1
                 : 0;
    case LWS_CALLBACK_HTTP_BODY: return append_body(ps, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: return take_offer(wsi, ps, h) ? -1 : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: return on_writable(wsi, ps);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      uncount(wsi, ps);
      forget(h, ps);
      pss_free(ps);
      return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols server_protocols[] = {
    {"http", server_cb, sizeof(struct pss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* libwebsockets says little when it cannot listen: try the bind first so
 * a busy port gets a clear message. */
static int probe_bind(const struct rtg_stun_addr *addr, char *err, size_t cap) {
  struct sockaddr_storage ss;
  socklen_t sl = rtg_pio_addr_to_sa(addr, &ss);
  char txt[64];
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
  if (fd < 0) return 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
    int e = errno;
    rtg_pio_addr_format(addr, true, txt, sizeof txt);
    snprintf(err, cap, "cannot listen on %s: %s", txt, strerror(e));
    close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

struct rtg_pio_http *rtg_pio_http_listen(const struct rtg_stun_addr *addr, rtg_pio_offer_cb cb,
                                         void *ud, char *err, size_t cap) {
  struct lws_context_creation_info info;
  struct rtg_pio_http *h;
  char iface[64];
  if (probe_bind(addr, err, cap)) return NULL;
  h = calloc(1, sizeof *h);
  if (h == NULL) {
    snprintf(err, cap, "out of memory");
    return NULL;
  }
  h->cb = cb;
  h->ud = ud;
  rtg_pio_addr_format(addr, false, iface, sizeof iface);
  lws_set_log_level(LLL_ERR, NULL);
  memset(&info, 0, sizeof info);
  info.port = addr->port;
  info.iface = iface;
  info.protocols = server_protocols;
  info.user = h;
  if (addr->family == 1) info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
  h->ctx = lws_create_context(&info);
  if (h->ctx == NULL) {
    snprintf(err, cap, "cannot serve HTTP on %s port %u (libwebsockets)", iface, addr->port);
    free(h);
    return NULL;
  }
  return h;
}

int rtg_pio_http_port(const struct rtg_pio_http *h) {
  struct lws_vhost *vh = lws_get_vhost_by_name(h->ctx, "default");
  return vh ? lws_get_vhost_listen_port(vh) : -1;
}

void rtg_pio_http_reply(struct rtg_pio_http *h, unsigned req, unsigned code, const char *ctype,
                        const char *body, size_t len) {
  for (size_t i = 0; i < MAX_PENDING; i++) {
    if (h->pending[i].wsi == NULL || h->pending[i].id != req) continue;
    (void)queue_response(h->pending[i].wsi, h->pending[i].ps, code, ctype, body, len);
    memset(&h->pending[i], 0, sizeof h->pending[i]);
    return;
  }
}

bool rtg_pio_http_waiting(const struct rtg_pio_http *h, unsigned req) {
  for (size_t i = 0; i < MAX_PENDING; i++)
    if (h->pending[i].wsi != NULL && h->pending[i].id == req) return true;
  return false;
}

void rtg_pio_http_reply_error(struct rtg_pio_http *h, unsigned req, unsigned code,
                              const char *message) {
  json_t *j = json_pack("{s:s}", "error", message);
  char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
  if (s) rtg_pio_http_reply(h, req, code, "application/json", s, strlen(s));
  free(s);
  json_decref(j);
}

void rtg_pio_http_service(struct rtg_pio_http *h) {
  /* a negative timeout makes lws_service poll without waiting (lws 4.x
   * unix service: timeout_ms < 0 means a zero wait) */
  lws_service(h->ctx, -1);
}

void rtg_pio_http_flush(struct rtg_pio_http *h, int ms) {
  rtg_time end = rtg_pio_now() + RTG_MS(ms);
  while (h->unsent && rtg_pio_now() < end) {
    struct timespec ts = {0, 1000000};
    lws_service(h->ctx, -1);
    nanosleep(&ts, NULL);
  }
}

void rtg_pio_http_free(struct rtg_pio_http *h) {
  if (h == NULL) return;
  if (h->ctx) lws_context_destroy(h->ctx);
  free(h);
}

/* ---- client ------------------------------------------------------------------------- */

struct client {
  const char *body;
  size_t len;
  bool sent, done, failed;
  unsigned status;
  char *resp;
  size_t rlen, rcap;
  char err[256];
};

static int client_append(struct client *c, const void *in, size_t len) {
  if (c->rlen + len + 1 > c->rcap) {
    size_t cap = c->rcap ? c->rcap : 4096;
    char *nb;
    while (cap < c->rlen + len + 1) cap *= 2;
    if (cap > (4u << 20)) return -1;
    nb = realloc(c->resp, cap);
    if (nb == NULL) return -1;
    c->resp = nb;
    c->rcap = cap;
  }
  memcpy(c->resp + c->rlen, in, len);
  c->rlen += len;
  c->resp[c->rlen] = '\0';
  return 0;
}

static int client_headers(struct lws *wsi, struct client *c, void *in, size_t len) {
  unsigned char **p = (unsigned char **)in, *end = (*p) + len;
  char cl[24];
  snprintf(cl, sizeof cl, "%zu", c->len);
  if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                   (const unsigned char *)"application/json", 16, p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, (const unsigned char *)cl,
                                   (int)strlen(cl), p, end))
    return -1;
  lws_client_http_body_pending(wsi, 1);
  lws_callback_on_writable(wsi);
  return 0;
}

static int client_write(struct lws *wsi, struct client *c) {
  unsigned char *buf;
  int n;
  if (c->sent) return 0;
  buf = malloc(LWS_PRE + c->len + 1);
  if (buf == NULL) return -1;
  memcpy(buf + LWS_PRE, c->body, c->len);
  n = lws_write(wsi, buf + LWS_PRE, c->len, LWS_WRITE_HTTP_FINAL);
  free(buf);
  if (n != (int)c->len) return -1;
  c->sent = true;
  lws_client_http_body_pending(wsi, 0);
  return 0;
}

static int client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len) {
  struct client *c = lws_context_user(lws_get_context(wsi));
  (void)user;
  switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      snprintf(c->err, sizeof c->err, "%s", in ? (const char *)in : "connection failed");
      c->failed = c->done = true;
      return 0;
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: return client_headers(wsi, c, in, len);
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: return client_write(wsi, c);
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
      c->status = lws_http_client_http_response(wsi);
      return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ: return client_append(c, in, len);
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
      char buf[LWS_PRE + 4096], *px = buf + LWS_PRE;
      int lenx = (int)sizeof buf - LWS_PRE;
      return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
    }
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP: c->done = true; return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
      if (!c->done) {
        snprintf(c->err, sizeof c->err, "connection closed before the response ended");
        c->failed = c->done = true;
      }
      return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols client_protocols[] = {
    {"http", client_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int connect_url(struct lws_context *ctx, const char *url, char *err, size_t cap) {
  char copy[512];
  const char *prot, *ads, *path;
  char fullpath[520];
  int port;
  struct lws_client_connect_info ci;
  if (strlen(url) >= sizeof copy) {
    snprintf(err, cap, "URL too long");
    return -1;
  }
  snprintf(copy, sizeof copy, "%s", url);
  if (lws_parse_uri(copy, &prot, &ads, &port, &path) || strcmp(prot, "http") != 0 || !*ads) {
    snprintf(err, cap, "'%s' is not an http://HOST:PORT/PATH URL", url);
    return -1;
  }
  snprintf(fullpath, sizeof fullpath, "/%s", path);
  memset(&ci, 0, sizeof ci);
  ci.context = ctx;
  ci.address = ads;
  ci.port = port;
  ci.path = fullpath;
  ci.host = ads;
  ci.origin = ads;
  ci.method = "POST";
  ci.protocol = client_protocols[0].name;
  if (lws_client_connect_via_info(&ci) == NULL) {
    snprintf(err, cap, "cannot connect to %s", url);
    return -1;
  }
  return 0;
}

int rtg_pio_http_post(const char *url, const char *body, size_t len, int timeout_ms,
                      unsigned *status, char **resp, size_t *rlen, char *err, size_t cap) {
  struct lws_context_creation_info info;
  struct lws_context *ctx;
  struct client c;
  rtg_time deadline = rtg_pio_now() + RTG_MS(timeout_ms);
  memset(&c, 0, sizeof c);
  c.body = body;
  c.len = len;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = client_protocols;
  /* lws's own idle timeout (20 s by default) must not end the wait first */
  info.timeout_secs = (unsigned)(timeout_ms / 1000 + 2);
  info.user = &c;
  lws_set_log_level(LLL_ERR, NULL);
  ctx = lws_create_context(&info);
  if (ctx == NULL) {
    snprintf(err, cap, "libwebsockets: cannot create a client context");
    return -1;
  }
  if (connect_url(ctx, url, err, cap) == 0) {
    while (!c.done && rtg_pio_now() < deadline) {
      /* never blocking (lws_service with a negative timeout), so the
       * deadline holds whatever lws's own timers say */
      struct timespec ts = {0, 1000000};
      lws_service(ctx, -1);
      nanosleep(&ts, NULL);
    }
    if (!c.done)
      snprintf(err, cap, "no answer from %s within %d ms", url, timeout_ms);
    else if (c.failed)
      snprintf(err, cap, "cannot POST to %s: %s", url, c.err);
  } else {
    c.failed = c.done = true;
  }
  lws_context_destroy(ctx);
  if (!c.done || c.failed) {
    free(c.resp);
    return -1;
  }
  *status = c.status;
  *resp = c.resp ? c.resp : strdup("");
  *rlen = c.rlen;
  return *resp ? 0 : -1;
}
