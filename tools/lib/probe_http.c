/*
 * probe_http.c - the probes' HTTP server and POST client (probe_http.h).
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/probe_http.h"

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(lws_sorted_usec_list_t *sul) { (void)sul; }

/* ---- server ----------------------------------------------------------------- */

struct rtg_probe_http {
  struct lws_context *ctx;
  lws_sorted_usec_list_t sul;
  size_t max_body;
  rtg_probe_http_fn fn;
  void *ud;
};

struct hpss {
  char path[256];
  char *body;
  size_t blen;
  unsigned char *resp;
  size_t rlen;
};

static void hpss_free(struct hpss *ps) {
  free(ps->body);
  free(ps->resp);
  ps->body = NULL;
  ps->resp = NULL;
  ps->blen = ps->rlen = 0;
}

/* Runs the handler and starts the response. */
static int answer(struct lws *wsi, struct hpss *ps, struct rtg_probe_http *h, bool post) {
  unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  unsigned status = 500;
  const char *ctype = "text/plain";
  char *resp = NULL;
  size_t len;
  h->fn(h->ud, post, ps->path, ps->body ? ps->body : "", ps->blen, &status, &ctype, &resp);
  len = resp ? strlen(resp) : 0;
  free(ps->resp);
  ps->resp = malloc(LWS_PRE + len + 1);
  if (ps->resp == NULL) {
    free(resp);
    return -1;
  }
  if (len) memcpy(ps->resp + LWS_PRE, resp, len);
  free(resp);
  ps->rlen = len;
  if (lws_add_http_common_headers(wsi, status, ctype, len, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  lws_callback_on_writable(wsi);
  return 0;
}

static int server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len) {
  struct hpss *ps = user;
  struct rtg_probe_http *h = lws_context_user(lws_get_context(wsi));
  switch (reason) {
    case LWS_CALLBACK_HTTP:
      if (ps == NULL) return -1;
      hpss_free(ps);
      snprintf(ps->path, sizeof ps->path, "%s", in ? (const char *)in : "/");
      if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0) return 0; /* the body follows */
      return answer(wsi, ps, h, false) ? -1 : 0;
    case LWS_CALLBACK_HTTP_BODY: {
      char *nb;
      if (ps == NULL || ps->blen + len > h->max_body) return -1;
      nb = realloc(ps->body, ps->blen + len + 1);
      if (nb == NULL) return -1;
      ps->body = nb;
      if (len) memcpy(ps->body + ps->blen, in, len);
      ps->blen += len;
      ps->body[ps->blen] = '\0';
      return 0;
    }
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      if (ps == NULL) return -1;
      return answer(wsi, ps, h, true) ? -1 : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
      if (ps == NULL || ps->resp == NULL) return 0;
      if (lws_write(wsi, ps->resp + LWS_PRE, ps->rlen, LWS_WRITE_HTTP_FINAL) != (int)ps->rlen) {
        hpss_free(ps);
        return -1;
      }
      hpss_free(ps);
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (ps) hpss_free(ps);
      return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols server_protocols[] = {
    {"http", server_cb, sizeof(struct hpss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

struct rtg_probe_http *rtg_probe_http_new(const char *addr, int port, size_t max_body,
                                          rtg_probe_http_fn fn, void *ud, char *err,
                                          size_t errcap) {
  struct lws_context_creation_info info;
  struct rtg_probe_http *h = calloc(1, sizeof *h);
  if (h == NULL) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  h->max_body = max_body;
  h->fn = fn;
  h->ud = ud;
  lws_set_log_level(LLL_ERR, NULL);
  memset(&info, 0, sizeof info);
  info.port = port;
  info.iface = addr;
  info.protocols = server_protocols;
  info.user = h;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
  h->ctx = lws_create_context(&info);
  if (h->ctx == NULL) {
    snprintf(err, errcap, "cannot serve HTTP on %s:%d (port busy?)", addr, port);
    free(h);
    return NULL;
  }
  return h;
}

void rtg_probe_http_service(struct rtg_probe_http *h, int ms) {
  lws_sul_schedule(h->ctx, 0, &h->sul, wake, (lws_usec_t)ms * 1000);
  lws_service(h->ctx, 0);
}

void rtg_probe_http_free(struct rtg_probe_http *h) {
  if (h == NULL) return;
  lws_context_destroy(h->ctx);
  free(h);
}

/* ---- POST client -------------------------------------------------------------- */

struct hpost {
  const char *body;
  size_t blen;
  char *resp;
  size_t rlen;
  int status;
  bool done, failed;
  char err[128];
};

static int hpost_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  struct hpost *h = lws_get_opaque_user_data(wsi);
  (void)user;
  if (h == NULL) return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
      unsigned char **p = (unsigned char **)in, *end = (*p) + len;
      if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                       (const unsigned char *)"application/json", 16, p, end) ||
          lws_add_http_header_content_length(wsi, h->blen, p, end))
        return -1;
      lws_client_http_body_pending(wsi, 1);
      lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: {
      unsigned char *buf = malloc(LWS_PRE + h->blen);
      int n;
      if (buf == NULL) return -1;
      memcpy(buf + LWS_PRE, h->body, h->blen);
      n = lws_write(wsi, buf + LWS_PRE, h->blen, LWS_WRITE_HTTP_FINAL);
      free(buf);
      lws_client_http_body_pending(wsi, 0);
      return n < (int)h->blen ? -1 : 0;
    }
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
      h->status = (int)lws_http_client_http_response(wsi);
      return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ: {
      char *nb;
      if (h->rlen + len > (1u << 20)) return -1;
      nb = realloc(h->resp, h->rlen + len + 1);
      if (nb == NULL) return -1;
      h->resp = nb;
      if (len) memcpy(h->resp + h->rlen, in, len);
      h->rlen += len;
      h->resp[h->rlen] = '\0';
      return 0;
    }
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
      char buf[LWS_PRE + 4096], *px = buf + LWS_PRE;
      int lenx = (int)sizeof buf - LWS_PRE;
      return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
    }
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP: h->done = true; return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      snprintf(h->err, sizeof h->err, "%s", in ? (const char *)in : "connection failed");
      h->failed = true;
      h->done = true;
      return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP: h->done = true; return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols hpost_protocols[] = {
    {"http", hpost_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

char *rtg_probe_http_post(const char *url, const char *body, int timeout_ms, int *status, char *err,
                          size_t errcap) {
  struct lws_context_creation_info info;
  struct lws_client_connect_info ci;
  struct lws_context *ctx;
  struct hpost h = {.body = body, .blen = strlen(body)};
  lws_sorted_usec_list_t sul;
  char host[128], path[256] = "/";
  int port = 80;
  long long deadline = now_ms() + timeout_ms;
  if (sscanf(url, "http://%127[^:/]:%d%255s", host, &port, path) < 2 &&
      sscanf(url, "http://%127[^:/]%255s", host, path) < 1) {
    snprintf(err, errcap, "bad URL '%s' (want http://HOST:PORT/PATH)", url);
    return NULL;
  }
  lws_set_log_level(LLL_ERR, NULL);
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = hpost_protocols;
  ctx = lws_create_context(&info);
  if (ctx == NULL) {
    snprintf(err, errcap, "libwebsockets client context failed");
    return NULL;
  }
  memset(&ci, 0, sizeof ci);
  ci.context = ctx;
  ci.address = host;
  ci.port = port;
  ci.path = path;
  ci.host = host;
  ci.origin = host;
  ci.method = "POST";
  ci.protocol = hpost_protocols[0].name;
  ci.alpn = "http/1.1";
  ci.opaque_user_data = &h;
  memset(&sul, 0, sizeof sul);
  if (lws_client_connect_via_info(&ci) == NULL) h.failed = h.done = true;
  while (!h.done && now_ms() < deadline) {
    lws_sul_schedule(ctx, 0, &sul, wake, 50 * LWS_US_PER_MS);
    lws_service(ctx, 0);
  }
  lws_context_destroy(ctx);
  *status = h.status;
  if (!h.done || h.failed || h.resp == NULL) {
    snprintf(err, errcap, "POST %s: %s", url,
             !h.done    ? "no answer in 5 s"
             : h.err[0] ? h.err
                        : "no response body");
    free(h.resp);
    return NULL;
  }
  return h.resp;
}
