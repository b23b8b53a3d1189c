/*
 * probe_http.c - the probes' HTTP server (probe_http.h).
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/probe_http.h"

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
