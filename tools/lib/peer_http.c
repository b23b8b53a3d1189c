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
