/*
 * http_client.c - the tools' HTTP client (http_client.h): one POST with
 * libwebsockets in a context of its own, blocking until the response has
 * ended or the deadline has passed, and the same POST on a thread.
 */
#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/http_client.h"

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the blocking POST -------------------------------------------------------------------------
 */

struct client {
  bool get; /* GET (no body) instead of POST */
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
    if (cap > RTG_HTTP_MAX_RESPONSE + 1) return -1;
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
  if (c->get) return 0;
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

static void wake(lws_sorted_usec_list_t *sul) { (void)sul; }

static const struct lws_protocols client_protocols[] = {
    {"http", client_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int connect_url(struct lws_context *ctx, const char *url, bool get, char *err, size_t cap) {
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
  ci.method = get ? "GET" : "POST";
  ci.protocol = client_protocols[0].name;
  if (lws_client_connect_via_info(&ci) == NULL) {
    snprintf(err, cap, "cannot connect to %s", url);
    return -1;
  }
  return 0;
}

/* One request: GET when |body| is NULL, else POST. */
static int request(const char *url, const char *body, size_t len, int timeout_ms, unsigned *status,
                   char **resp, size_t *rlen, char *err, size_t cap) {
  struct lws_context_creation_info info;
  struct lws_context *ctx;
  struct client c;
  long long deadline = now_ms() + timeout_ms;
  lws_sorted_usec_list_t sul;
  memset(&c, 0, sizeof c);
  c.get = body == NULL;
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
  if (connect_url(ctx, url, c.get, err, cap) == 0) {
    memset(&sul, 0, sizeof sul);
    while (!c.done && now_ms() < deadline) {
      /* lws_service blocks until an event; a timer wakes it for the
       * deadline */
      long long left = deadline - now_ms();
      lws_sul_schedule(ctx, 0, &sul, wake,
                       (left < 50 ? (left > 0 ? left : 1) : 50) * LWS_US_PER_MS);
      lws_service(ctx, 0);
    }
    if (!c.done)
      snprintf(err, cap, "no answer from %s within %d ms", url, timeout_ms);
    else if (c.failed)
      snprintf(err, cap, "cannot %s %s: %s", c.get ? "GET" : "POST to", url, c.err);
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

int rtg_http_post(const char *url, const char *body, size_t len, int timeout_ms, unsigned *status,
                  char **resp, size_t *rlen, char *err, size_t cap) {
  return request(url, body ? body : "", body ? len : 0, timeout_ms, status, resp, rlen, err, cap);
}

int rtg_http_get(const char *url, int timeout_ms, unsigned *status, char **resp, size_t *rlen,
                 char *err, size_t cap) {
  return request(url, NULL, 0, timeout_ms, status, resp, rlen, err, cap);
}

/* ---- on a thread -------------------------------------------------------------------- */

enum { POST_RUNNING = 0, POST_DONE = 1, POST_ABANDONED = 2 };

struct rtg_http_async {
  pthread_t th;
  int efd;
  char *url, *body; /* body NULL: GET */
  size_t len;
  int timeout_ms;
  void (*notify)(void *ud);
  void *ud;
  /* the result, written by the thread before it leaves POST_RUNNING */
  int rc;
  unsigned status;
  char *resp;
  size_t rlen;
  char err[300];
  int state; /* atomic: POST_RUNNING, then DONE (thread) or ABANDONED (caller) */
};

static void post_free(struct rtg_http_async *p) {
  if (p->efd >= 0) close(p->efd);
  free(p->url);
  free(p->body);
  free(p->resp);
  free(p);
}

static void *post_thread(void *arg) {
  struct rtg_http_async *p = arg;
  uint64_t one = 1;
  int running = POST_RUNNING;
  p->rc = request(p->url, p->body, p->len, p->timeout_ms, &p->status, &p->resp, &p->rlen, p->err,
                  sizeof p->err);
  if (!__atomic_compare_exchange_n(&p->state, &running, POST_DONE, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    post_free(p); /* abandoned (and detached): nobody waits for it */
    return NULL;
  }
  /* from here the caller joins before it frees anything */
  if (write(p->efd, &one, sizeof one) != (ssize_t)sizeof one) {
    /* one write cannot overflow the counter; rtg_http_async_done still says it */
  }
  if (p->notify) p->notify(p->ud);
  return NULL;
}

static struct rtg_http_async *start(const char *url, const char *body, size_t len, int timeout_ms,
                                    void (*notify)(void *ud), void *ud, char *err, size_t cap) {
  struct rtg_http_async *p = calloc(1, sizeof *p);
  if (p == NULL) {
    snprintf(err, cap, "out of memory");
    return NULL;
  }
  p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  p->url = strdup(url);
  p->body = body ? malloc(len + 1) : NULL;
  if (p->efd < 0 || p->url == NULL || (body && p->body == NULL)) {
    snprintf(err, cap, "cannot prepare the request to %.200s", url);
    post_free(p);
    return NULL;
  }
  if (body) {
    memcpy(p->body, body, len);
    p->body[len] = '\0';
  }
  p->len = len;
  p->timeout_ms = timeout_ms;
  p->notify = notify;
  p->ud = ud;
  if (pthread_create(&p->th, NULL, post_thread, p) != 0) {
    snprintf(err, cap, "cannot start a thread for the request to %.200s", url);
    post_free(p);
    return NULL;
  }
  return p;
}

struct rtg_http_async *rtg_http_async_post(const char *url, const char *body, size_t len,
                                           int timeout_ms, void (*notify)(void *ud), void *ud,
                                           char *err, size_t cap) {
  return start(url, body ? body : "", body ? len : 0, timeout_ms, notify, ud, err, cap);
}

struct rtg_http_async *rtg_http_async_get(const char *url, int timeout_ms, void (*notify)(void *ud),
                                          void *ud, char *err, size_t cap) {
  return start(url, NULL, 0, timeout_ms, notify, ud, err, cap);
}

int rtg_http_async_fd(const struct rtg_http_async *p) { return p->efd; }

bool rtg_http_async_done(struct rtg_http_async *p) {
  return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == POST_DONE;
}

int rtg_http_async_finish(struct rtg_http_async *p, unsigned *status, char **resp, size_t *rlen,
                          char *err, size_t cap) {
  int rc;
  pthread_join(p->th, NULL);
  rc = p->rc;
  *status = p->status;
  *resp = p->resp;
  *rlen = p->rlen;
  p->resp = NULL;
  if (rc != 0) snprintf(err, cap, "%s", p->err);
  post_free(p);
  return rc;
}

void rtg_http_async_abandon(struct rtg_http_async *p) {
  int running = POST_RUNNING;
  if (p == NULL) return;
  if (__atomic_compare_exchange_n(&p->state, &running, POST_ABANDONED, false, __ATOMIC_ACQ_REL,
                                  __ATOMIC_ACQUIRE)) {
    pthread_detach(p->th); /* the thread frees it when its POST ends */
    return;
  }
  pthread_join(p->th, NULL); /* done: the thread is ending */
  post_free(p);
}
