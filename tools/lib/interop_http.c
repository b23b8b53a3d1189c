/*
 * interop_http.c - the per-run HTTP server (libwebsockets) inside the
 * namespace, on 127.0.0.1:8642. It serves the page and a mailbox:
 *
 *   GET  /                      the page (tools/interop/web/index.html)
 *   GET  /FILE                  other files of tools/interop/web/
 *   GET  /config/ROLE           the case parameters (JSON)
 *   POST /send/ROLE             a signaling message from ROLE to its peer
 *   GET  /recv/ROLE/N           messages for ROLE from index N on (JSON array)
 *   POST /log/ROLE              a line for ROLE's log
 *   POST /result/ROLE           ROLE's result (JSON), written to ROLE.json
 *
 * ROLE is "offer" or "answer". Offers and answers pass through
 * rtg_interop_sdp_rewrite() (the fingerprint-mismatch and ipv6 cases); the
 * original local descriptions are kept as ROLE.sdp for the replay engine.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/interop.h"

#define MAX_BODY (16u << 20)

struct rtg_interop_server {
  struct lws_context *ctx;
  lws_sorted_usec_list_t sul;
  const struct rtg_interop_case *c;
  int timeout_s;
  char web_dir[512];
  char run_dir[512];
  json_t *queue[2]; /* messages addressed to each role */
  json_t *result[2];
  bool sdp_saved[2];
  FILE *siglog;
};

struct pss {
  char path[256];
  bool post;
  char *body;
  size_t blen, bcap;
  unsigned char *resp; /* LWS_PRE bytes, then the body */
  size_t rlen;
  bool too_big;
};

static int role_of(const char *s, size_t n) {
  if (n == 5 && memcmp(s, "offer", 5) == 0) return RTG_ROLE_OFFER;
  if (n == 6 && memcmp(s, "answer", 6) == 0) return RTG_ROLE_ANSWER;
  return -1;
}

/* "/verb/ROLE[/N]": fills |verb|, returns the role or -1, |n| the index. */
static int split_path(const char *path, char *verb, size_t vcap, long *n) {
  const char *p = path[0] == '/' ? path + 1 : path;
  const char *s1 = strchr(p, '/'), *s2;
  int r;
  *n = 0;
  if (s1 == NULL || (size_t)(s1 - p) >= vcap) return -1;
  memcpy(verb, p, (size_t)(s1 - p));
  verb[s1 - p] = '\0';
  s2 = strchr(s1 + 1, '/');
  r = role_of(s1 + 1, s2 ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1));
  if (r >= 0 && s2) {
    char *end;
    *n = strtol(s2 + 1, &end, 10);
    if (*end != '\0' || *n < 0) return -1;
  }
  return r;
}

static const char *ctype_of(const char *name) {
  const char *dot = strrchr(name, '.');
  if (dot && strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
  if (dot && strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
  if (dot && strcmp(dot, ".css") == 0) return "text/css";
  return "application/octet-stream";
}

static int respond(struct lws *wsi, struct pss *ps, unsigned code, const char *ctype,
                   const void *body, size_t len) {
  unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  ps->resp = malloc(LWS_PRE + len + 1);
  if (ps->resp == NULL) return -1;
  if (len) memcpy(ps->resp + LWS_PRE, body, len);
  ps->rlen = len;
  if (lws_add_http_common_headers(wsi, code, ctype, len, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   (const unsigned char *)"no-store", 8, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  lws_callback_on_writable(wsi);
  return 0;
}

static int respond_json(struct lws *wsi, struct pss *ps, unsigned code, json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT);
  int rc;
  json_decref(j);
  if (s == NULL) return -1;
  rc = respond(wsi, ps, code, "application/json", s, strlen(s));
  free(s);
  return rc;
}

static int serve_file(struct lws *wsi, struct pss *ps, struct rtg_interop_server *s,
                      const char *path) {
  const char *name = path[0] == '/' ? path + 1 : path;
  char full[1024];
  FILE *f;
  char *buf;
  long len;
  int rc;
  if (*name == '\0') name = "index.html";
  if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(name) || name[0] == '.')
    return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  snprintf(full, sizeof full, "%s/%s", s->web_dir, name);
  f = fopen(full, "rb");
  if (f == NULL) return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > (1 << 22) ||
      fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return respond(wsi, ps, 500, "text/plain", "unreadable\n", 11);
  }
  buf = malloc((size_t)len + 1);
  if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    fclose(f);
    return respond(wsi, ps, 500, "text/plain", "unreadable\n", 11);
  }
  fclose(f);
  rc = respond(wsi, ps, 200, ctype_of(name), buf, (size_t)len);
  free(buf);
  return rc;
}

static void save_text(const char *dir, const char *name, const char *text) {
  char path[1024];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "w");
  if (f == NULL) return;
  fputs(text, f);
  fclose(f);
}

/* A signaling message from |from|: keep the original SDP, rewrite, queue. */
static int handle_send(struct rtg_interop_server *s, int from, json_t *msg) {
  const char *type = json_string_value(json_object_get(msg, "type"));
  const char *sdp = json_string_value(json_object_get(msg, "sdp"));
  if (s->siglog) {
    char *line = json_dumps(msg, JSON_COMPACT);
    fprintf(s->siglog, "%lld %s %s\n", rtg_interop_now_ms(), from ? "answer" : "offer",
            line ? line : "?");
    fflush(s->siglog);
    free(line);
  }
  if (type && sdp && (strcmp(type, "offer") == 0 || strcmp(type, "answer") == 0)) {
    bool changed = false;
    char *out;
    if (!s->sdp_saved[from]) {
      save_text(s->run_dir, from == RTG_ROLE_OFFER ? "offer.sdp" : "answer.sdp", sdp);
      s->sdp_saved[from] = true;
    }
    out = rtg_interop_sdp_rewrite(sdp, s->c, strcmp(type, "offer") == 0, &changed);
    if (out == NULL) return -1;
    if (changed) {
      json_object_set_new(msg, "sdp", json_string(out));
      json_object_set_new(msg, "rewritten_by_runner", json_true());
      save_text(s->run_dir, from == RTG_ROLE_OFFER ? "offer.rewritten.sdp" : "answer.rewritten.sdp",
                out);
    }
    free(out);
  }
  json_array_append(s->queue[1 - from], msg);
  return 0;
}

static int handle_request(struct lws *wsi, struct pss *ps, struct rtg_interop_server *s) {
  char verb[32];
  long n;
  int role = split_path(ps->path, verb, sizeof verb, &n);
  if (!ps->post) {
    if (role < 0) return serve_file(wsi, ps, s, ps->path);
    if (strcmp(verb, "config") == 0)
      return respond_json(wsi, ps, 200,
                          rtg_interop_case_config(s->c, (enum rtg_interop_role)role, s->timeout_s));
    if (strcmp(verb, "recv") == 0) {
      json_t *out = json_array();
      for (size_t i = (size_t)n; i < json_array_size(s->queue[role]); i++)
        json_array_append(out, json_array_get(s->queue[role], i));
      return respond_json(wsi, ps, 200, out);
    }
    return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  }
  if (ps->too_big) return respond(wsi, ps, 413, "text/plain", "too large\n", 10);
  if (role < 0) return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  if (strcmp(verb, "log") == 0) {
    if (s->siglog) {
      fprintf(s->siglog, "%lld %s log %.*s\n", rtg_interop_now_ms(), role ? "answer" : "offer",
              (int)ps->blen, ps->body ? ps->body : "");
      fflush(s->siglog);
    }
    return respond(wsi, ps, 200, "application/json", "{}", 2);
  }
  {
    json_error_t je;
    json_t *j = json_loadb(ps->body ? ps->body : "", ps->blen, 0, &je);
    int rc;
    if (j == NULL) return respond(wsi, ps, 400, "text/plain", "bad json\n", 9);
    if (strcmp(verb, "send") == 0) {
      if (!json_is_object(j) || handle_send(s, role, j)) {
        json_decref(j);
        return respond(wsi, ps, 400, "text/plain", "bad message\n", 12);
      }
      json_decref(j);
      return respond(wsi, ps, 200, "application/json", "{}", 2);
    }
    if (strcmp(verb, "result") == 0) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s.json", s->run_dir, role ? "answer" : "offer");
      json_dump_file(j, path, JSON_INDENT(1));
      if (s->result[role]) json_decref(s->result[role]);
      s->result[role] = j;
      return respond(wsi, ps, 200, "application/json", "{}", 2);
    }
    json_decref(j);
    rc = respond(wsi, ps, 404, "text/plain", "not found\n", 10);
    return rc;
  }
}

static void pss_free(struct pss *ps) {
  free(ps->body);
  free(ps->resp);
  ps->body = NULL;
  ps->resp = NULL;
  ps->blen = ps->bcap = ps->rlen = 0;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len) {
  struct pss *ps = user;
  struct rtg_interop_server *s = lws_context_user(lws_get_context(wsi));
  if (ps == NULL) return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
    case LWS_CALLBACK_HTTP:
      pss_free(ps);
      ps->too_big = false;
      snprintf(ps->path, sizeof ps->path, "%s", in ? (const char *)in : "/");
      ps->post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
      if (ps->post) return 0; /* wait for the body */
      return handle_request(wsi, ps, s) ? -1 : 0;
    case LWS_CALLBACK_HTTP_BODY:
      if (ps->too_big || ps->blen + len > MAX_BODY) {
        ps->too_big = true;
        return 0;
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
      memcpy(ps->body + ps->blen, in, len);
      ps->blen += len;
      return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: return handle_request(wsi, ps, s) ? -1 : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
      if (ps->resp == NULL) return 0;
      if (lws_write(wsi, ps->resp + LWS_PRE, ps->rlen, LWS_WRITE_HTTP_FINAL) != (int)ps->rlen) {
        pss_free(ps);
        return -1;
      }
      pss_free(ps);
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (ps) pss_free(ps);
      return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
    {"http", http_cb, sizeof(struct pss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

struct rtg_interop_server *rtg_interop_server_new(const char *web_dir,
                                                  const struct rtg_interop_case *c, int timeout_s,
                                                  const char *run_dir, char *err, size_t errcap) {
  struct lws_context_creation_info info;
  struct rtg_interop_server *s = calloc(1, sizeof *s);
  char path[1024];
  if (s == NULL) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  s->c = c;
  s->timeout_s = timeout_s;
  snprintf(s->web_dir, sizeof s->web_dir, "%s", web_dir);
  snprintf(s->run_dir, sizeof s->run_dir, "%s", run_dir);
  s->queue[0] = json_array();
  s->queue[1] = json_array();
  snprintf(path, sizeof path, "%s/signal.log", run_dir);
  s->siglog = fopen(path, "w");
  lws_set_log_level(LLL_ERR, NULL);
  memset(&info, 0, sizeof info);
  info.port = RTG_INTEROP_PORT;
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  info.user = s;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
  s->ctx = lws_create_context(&info);
  if (s->ctx == NULL) {
    snprintf(err, errcap, "cannot serve HTTP on 127.0.0.1:%d (libwebsockets)", RTG_INTEROP_PORT);
    rtg_interop_server_free(s);
    return NULL;
  }
  return s;
}

static void wake(lws_sorted_usec_list_t *sul) { (void)sul; }

void rtg_interop_server_service(struct rtg_interop_server *s, int ms) {
  lws_sul_schedule(s->ctx, 0, &s->sul, wake, (lws_usec_t)ms * 1000);
  lws_service(s->ctx, 0);
}

bool rtg_interop_server_has_result(const struct rtg_interop_server *s, enum rtg_interop_role r) {
  return s->result[r] != NULL;
}

void rtg_interop_server_free(struct rtg_interop_server *s) {
  if (s == NULL) return;
  if (s->ctx) lws_context_destroy(s->ctx);
  json_decref(s->queue[0]);
  json_decref(s->queue[1]);
  if (s->result[0]) json_decref(s->result[0]);
  if (s->result[1]) json_decref(s->result[1]);
  if (s->siglog) fclose(s->siglog);
  free(s);
}

/* Is this a hex digit? */
static bool is_hex(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

char *rtg_interop_sdp_rewrite(const char *sdp, const struct rtg_interop_case *c, bool is_offer,
                              bool *changed) {
  size_t n = strlen(sdp);
  char *out = malloc(n + 1);
  const char *p = sdp;
  size_t o = 0;
  bool fp_done = false;
  *changed = false;
  if (out == NULL) return NULL;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
    bool drop = false;
    size_t start = o;
    if ((c->flags & RTG_CASE_IPV6) && len > 12 && memcmp(p, "a=candidate:", 12) == 0) {
      /* a=candidate:foundation component transport priority ADDRESS port ... */
      const char *f = p + 12;
      for (int i = 0; i < 4 && f < p + len; i++) {
        while (f < p + len && *f != ' ') f++;
        while (f < p + len && *f == ' ') f++;
      }
      {
        const char *e = f;
        bool v6 = false;
        while (e < p + len && *e != ' ') v6 |= *e++ == ':';
        drop = !v6;
      }
    }
    if (!drop) {
      memcpy(out + o, p, len);
      o += len;
    } else {
      *changed = true;
    }
    if (!drop && is_offer && !fp_done && (c->flags & RTG_CASE_BAD_FP) && len > 14 &&
        memcmp(p, "a=fingerprint:", 14) == 0) {
      /* change the last hex digit of the value: a different certificate */
      size_t k = start + len;
      while (k > start && !is_hex(out[k - 1])) k--;
      if (k > start) {
        out[k - 1] = out[k - 1] == '0' ? '1' : '0';
        fp_done = true;
        *changed = true;
      }
    }
    p += len;
  }
  out[o] = '\0';
  return out;
}
