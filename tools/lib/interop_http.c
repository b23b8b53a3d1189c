/*
 * interop_http.c - the HTTP server (libwebsockets) inside a slot's network
 * namespace, on 127.0.0.1:8642. One server lives as long as the slot and
 * carries one run at a time (rtg_interop_server_begin/end); requests name
 * their run (/run/N/...) so a page left over from an earlier run cannot
 * disturb the current one (410). It serves the page, the browsers' agent
 * page and a mailbox:
 *
 *   GET  /FILE                  files of tools/interop/web/ (index.html, agent.html)
 *   GET  /agent/ID              the pages agent ID must show: {"jobs": [{"run", "role"}]}
 *   GET  /run/N/config/ROLE     the case parameters (JSON)
 *   POST /run/N/send/ROLE       a signaling message from ROLE to its peer
 *   GET  /run/N/recv/ROLE/M     messages for ROLE from index M on (JSON array)
 *   POST /run/N/log/ROLE        a line for ROLE's log
 *   POST /run/N/result/ROLE     ROLE's result (JSON), written to ROLE.json
 *   POST /run/N/offer           the webrtc-echoes contract: an offerer that
 *                               speaks it POSTs its offer, the response is
 *                               the answerer's answer
 *
 * Without the /run/N prefix a request addresses the current run. ROLE is
 * "offer" or "answer". When a role speaks the webrtc-echoes contract
 * (rtcgate peer, external implementations), the server relays for it: an
 * offer for an echoes answerer is POSTed to its URL (libwebsockets client)
 * and the answer queued for the offerer; an answer for an echoes offerer
 * completes its pending POST /offer. The relay's POST runs on a thread
 * (lib/http_client.h) that wakes the server when the answer is in. Offers and answers pass through
 * rtg_interop_sdp_rewrite() (fingerprint-mismatch, ipv6); the original
 * descriptions are kept as ROLE.sdp for the replay engine.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http_client.h"
#include "lib/interop.h"

#define MAX_BODY (16u << 20)
#define MAX_AGENTS 16

struct agent {
  char id[32];
  int run[2]; /* run id per role it shows, -1 none */
  long long polls;
};

struct pss;

struct rtg_interop_server {
  struct lws_context *ctx;
  lws_sorted_usec_list_t sul;
  struct rtg_interop_session ss;
  bool active;
  char web_dir[512];
  char run_dir[512];
  char answer_url[256];
  json_t *queue[2]; /* messages addressed to each role */
  json_t *result[2];
  bool sdp_saved[2];
  FILE *siglog;
  struct agent agents[MAX_AGENTS];
  int nagents;
  /* an echoes offerer's POST /offer waiting for the answer */
  struct lws *pending;
  struct pss *pending_ps;
  /* the relay of an offer to an echoes answerer (lib/http_client.h) */
  struct rtg_http_async *relay;
  int relay_run;
  char error[256];
};

struct pss {
  char path[256];
  bool post;
  char *body;
  size_t blen, bcap;
  unsigned char *resp; /* LWS_PRE bytes, then the body */
  size_t rlen;
  bool too_big;
  /* a deferred response: headers written from the writable callback */
  bool deferred;
  unsigned code;
  const char *ctype;
};

static void siglog(struct rtg_interop_server *s, const char *who, const char *what,
                   const char *text) {
  if (s->siglog == NULL) return;
  fprintf(s->siglog, "%lld %s %s%s%s\n", rtg_interop_now_ms(), who, what, text ? " " : "",
          text ? text : "");
  fflush(s->siglog);
}

static int role_of(const char *s, size_t n) {
  if (n == 5 && memcmp(s, "offer", 5) == 0) return RTG_ROLE_OFFER;
  if (n == 6 && memcmp(s, "answer", 6) == 0) return RTG_ROLE_ANSWER;
  return -1;
}

/* "[/run/N]/verb[/ROLE[/M]]": fills |verb|, |run| (-1 = current), the role
 * (-1 none) and |n|; returns -1 when malformed. */
static int split_path(const char *path, int *run, char *verb, size_t vcap, int *role, long *n) {
  const char *p = path[0] == '/' ? path + 1 : path;
  const char *s1, *s2;
  char *end;
  *run = -1;
  *role = -1;
  *n = 0;
  if (strncmp(p, "run/", 4) == 0) {
    long r = strtol(p + 4, &end, 10);
    if (end == p + 4 || *end != '/' || r < 0 || r > 100000000) return -1;
    *run = (int)r;
    p = end + 1;
  }
  s1 = strchr(p, '/');
  if ((size_t)(s1 ? s1 - p : (ptrdiff_t)strlen(p)) >= vcap) return -1;
  snprintf(verb, vcap, "%.*s", (int)(s1 ? s1 - p : (ptrdiff_t)strlen(p)), p);
  if (s1 == NULL) return 0;
  s2 = strchr(s1 + 1, '/');
  *role = role_of(s1 + 1, s2 ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1));
  if (*role >= 0 && s2) {
    *n = strtol(s2 + 1, &end, 10);
    if (*end != '\0' || *n < 0) return -1;
  }
  return 0;
}

static const char *ctype_of(const char *name) {
  const char *dot = strrchr(name, '.');
  if (dot && strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
  if (dot && strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
  if (dot && strcmp(dot, ".css") == 0) return "text/css";
  return "application/octet-stream";
}

static int write_headers(struct lws *wsi, unsigned code, const char *ctype, size_t len) {
  unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  if (lws_add_http_common_headers(wsi, code, ctype, len, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   (const unsigned char *)"no-store", 8, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  return 0;
}

static int stash(struct pss *ps, const void *body, size_t len) {
  free(ps->resp);
  ps->resp = malloc(LWS_PRE + len + 1);
  if (ps->resp == NULL) return -1;
  if (len) memcpy(ps->resp + LWS_PRE, body, len);
  ps->rlen = len;
  return 0;
}

static int respond(struct lws *wsi, struct pss *ps, unsigned code, const char *ctype,
                   const void *body, size_t len) {
  if (stash(ps, body, len) || write_headers(wsi, code, ctype, len)) return -1;
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

/* Completes a request held open (an echoes offerer's POST /offer) from
 * outside its own callback: the headers go out when it is writable. */
static void respond_later(struct rtg_interop_server *s, unsigned code, const char *body) {
  struct pss *ps = s->pending_ps;
  if (s->pending == NULL) return;
  if (stash(ps, body, strlen(body)) == 0) {
    ps->deferred = true;
    ps->code = code;
    ps->ctype = "application/json";
    lws_callback_on_writable(s->pending);
  }
  s->pending = NULL;
  s->pending_ps = NULL;
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

static void set_error(struct rtg_interop_server *s, const char *msg) {
  if (s->error[0] == '\0') snprintf(s->error, sizeof s->error, "%.250s", msg);
  siglog(s, "runner", "error", msg);
}

static void relay_offer(struct rtg_interop_server *s, json_t *msg);

/* A signaling message from |from|: keep the original SDP, rewrite, deliver
 * (queue for a page or mailbox participant, relay for an echoes one). */
static int handle_send(struct rtg_interop_server *s, int from, json_t *msg) {
  const char *type = json_string_value(json_object_get(msg, "type"));
  const char *sdp = json_string_value(json_object_get(msg, "sdp"));
  int to = 1 - from;
  {
    char *line = json_dumps(msg, JSON_COMPACT);
    siglog(s, from ? "answer" : "offer", "", line ? line : "?");
    free(line);
  }
  if (type && sdp && (strcmp(type, "offer") == 0 || strcmp(type, "answer") == 0)) {
    bool changed = false;
    char *out;
    if (!s->sdp_saved[from]) {
      save_text(s->run_dir, from == RTG_ROLE_OFFER ? "offer.sdp" : "answer.sdp", sdp);
      s->sdp_saved[from] = true;
    }
    out = rtg_interop_sdp_rewrite(sdp, s->ss.c, strcmp(type, "offer") == 0, &changed);
    if (out == NULL) return -1;
    if (changed) {
      json_object_set_new(msg, "sdp", json_string(out));
      json_object_set_new(msg, "rewritten_by_runner", json_true());
      save_text(s->run_dir, from == RTG_ROLE_OFFER ? "offer.rewritten.sdp" : "answer.rewritten.sdp",
                out);
    }
    free(out);
  }
  if (!s->ss.echoes[to]) {
    json_array_append(s->queue[to], msg);
    return 0;
  }
  /* the webrtc-echoes contract carries only the offer and its answer;
   * candidates wait in the mailbox for an echoes participant that trickles
   * (rtcgate peer --trickle polls GET /recv/ROLE/N) */
  if (type && strcmp(type, "candidate") == 0) json_array_append(s->queue[to], msg);
  if (type && strcmp(type, "offer") == 0 && to == RTG_ROLE_ANSWER) {
    relay_offer(s, msg);
  } else if (type && strcmp(type, "answer") == 0 && to == RTG_ROLE_OFFER) {
    json_t *a = json_pack("{s:s, s:O}", "type", "answer", "sdp", json_object_get(msg, "sdp"));
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    if (s->pending == NULL) set_error(s, "an answer but no POST /offer waiting for it");
    respond_later(s, 200, text ? text : "{}");
    free(text);
    json_decref(a);
  }
  return 0;
}

/* The agent's poll: the pages it must show. */
static json_t *agent_poll(struct rtg_interop_server *s, const char *id) {
  json_t *jobs = json_array();
  struct agent *a = NULL;
  for (int i = 0; i < s->nagents; i++)
    if (strcmp(s->agents[i].id, id) == 0) a = &s->agents[i];
  if (a == NULL && s->nagents < MAX_AGENTS && strlen(id) < sizeof a->id) {
    a = &s->agents[s->nagents++];
    snprintf(a->id, sizeof a->id, "%s", id);
    a->run[0] = a->run[1] = -1;
  }
  if (a) {
    a->polls++;
    for (int r = 0; r < 2; r++)
      if (a->run[r] >= 0)
        json_array_append_new(
            jobs, json_pack("{s:i, s:s}", "run", a->run[r], "role", r ? "answer" : "offer"));
  }
  return json_pack("{s:o}", "jobs", jobs);
}

static int handle_request(struct lws *wsi, struct pss *ps, struct rtg_interop_server *s) {
  char verb[32];
  long n;
  int run, role;
  if (split_path(ps->path, &run, verb, sizeof verb, &role, &n) != 0)
    return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  if (!ps->post && run < 0 && strcmp(verb, "agent") == 0) {
    const char *id = strchr(ps->path + 1, '/');
    return respond_json(wsi, ps, 200, agent_poll(s, id ? id + 1 : ""));
  }
  if (!ps->post && run < 0 && role < 0) return serve_file(wsi, ps, s, ps->path);
  if (run >= 0 && (!s->active || run != s->ss.id))
    return respond(wsi, ps, 410, "text/plain", "run over\n", 9);
  if (!s->active) return respond(wsi, ps, 503, "text/plain", "no run\n", 7);
  if (ps->post && ps->too_big) return respond(wsi, ps, 413, "text/plain", "too large\n", 10);
  if (ps->post && role < 0 && strcmp(verb, "offer") == 0) {
    /* webrtc-echoes: POST /offer from an offerer that speaks it */
    json_error_t je;
    json_t *j = json_loadb(ps->body ? ps->body : "", ps->blen, 0, &je);
    const char *type = json_string_value(json_object_get(j, "type"));
    if (j == NULL || type == NULL || strcmp(type, "offer") != 0 ||
        !json_is_string(json_object_get(j, "sdp"))) {
      json_decref(j);
      return respond(wsi, ps, 400, "text/plain", "expected {\"type\":\"offer\",\"sdp\":...}\n", 37);
    }
    if (s->pending != NULL) {
      json_decref(j);
      return respond(wsi, ps, 409, "text/plain", "an offer is already pending\n", 28);
    }
    s->pending = wsi;
    s->pending_ps = ps;
    /* the answer may take a while (gathering, the page's start-up) */
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    if (handle_send(s, RTG_ROLE_OFFER, j) != 0) {
      json_decref(j);
      respond_later(s, 500, "{\"error\":\"runner\"}");
      return 0;
    }
    json_decref(j);
    return 0;
  }
  if (role < 0) return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  if (!ps->post) {
    if (strcmp(verb, "config") == 0) {
      json_t *cfg = rtg_interop_case_config(s->ss.c, (enum rtg_interop_role)role, s->ss.timeout_s);
      json_object_set_new(cfg, "run", json_integer(s->ss.id));
      json_object_set_new(cfg, "peer", json_string(s->ss.echoes[1 - role] ? "echoes" : "page"));
      /* an echoes peer echoes what arrives on channels it was told about
       * (DCEP); pre-negotiated ids are outside the contract */
      if (s->ss.echoes[1 - role]) json_object_set_new(cfg, "negotiated_channels", json_integer(0));
      return respond_json(wsi, ps, 200, cfg);
    }
    if (strcmp(verb, "recv") == 0) {
      json_t *out = json_array();
      for (size_t i = (size_t)n; i < json_array_size(s->queue[role]); i++)
        json_array_append(out, json_array_get(s->queue[role], i));
      return respond_json(wsi, ps, 200, out);
    }
    return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  }
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
    return respond(wsi, ps, 404, "text/plain", "not found\n", 10);
  }
}

static void pss_free(struct pss *ps) {
  free(ps->body);
  free(ps->resp);
  ps->body = NULL;
  ps->resp = NULL;
  ps->blen = ps->bcap = ps->rlen = 0;
  ps->deferred = false;
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
      {
        /* the query string is not part of the path */
        char *q = strchr(ps->path, '?');
        if (q) *q = '\0';
      }
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
      if (ps->deferred) {
        ps->deferred = false;
        if (write_headers(wsi, ps->code, ps->ctype, ps->rlen)) return -1;
        lws_callback_on_writable(wsi);
        return 0;
      }
      if (lws_write(wsi, ps->resp + LWS_PRE, ps->rlen, LWS_WRITE_HTTP_FINAL) != (int)ps->rlen) {
        pss_free(ps);
        return -1;
      }
      pss_free(ps);
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (s && s->pending == wsi) {
        s->pending = NULL;
        s->pending_ps = NULL;
      }
      if (ps) pss_free(ps);
      return 0;
    default: return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

/* The answer of an echoes answerer (the relay's HTTP response), once its
 * POST has ended. */
static void relay_done(struct rtg_interop_server *s) {
  json_error_t je;
  json_t *j = NULL;
  const char *type;
  char *resp = NULL, err[300];
  size_t rlen = 0;
  unsigned status = 0;
  int rc;
  if (s->relay == NULL || !rtg_http_async_done(s->relay)) return;
  rc = rtg_http_async_finish(s->relay, &status, &resp, &rlen, err, sizeof err);
  s->relay = NULL;
  if (!s->active || s->relay_run != s->ss.id) {
    free(resp);
    return;
  }
  siglog(s, "runner", "POST done", rc ? err : NULL);
  j = rc == 0 ? json_loadb(resp, rlen, 0, &je) : NULL;
  type = json_string_value(json_object_get(j, "type"));
  if (rc != 0 || status != 200 || type == NULL || strcmp(type, "answer") != 0 ||
      !json_is_string(json_object_get(j, "sdp"))) {
    char msg[400];
    if (rc != 0)
      snprintf(msg, sizeof msg, "%.300s", err);
    else
      snprintf(msg, sizeof msg, "POST %.100s: HTTP %u, %s", s->answer_url, status,
               j ? "not an answer" : "no JSON answer");
    set_error(s, msg);
    if (s->ss.echoes[RTG_ROLE_OFFER]) respond_later(s, 502, "{\"error\":\"no answer\"}");
  } else if (handle_send(s, RTG_ROLE_ANSWER, j) != 0) {
    set_error(s, "cannot deliver the answer");
  }
  json_decref(j);
  free(resp);
}

/* Wakes the server's lws_service from the relay's thread. */
static void relay_wake(void *ud) { lws_cancel_service(((struct rtg_interop_server *)ud)->ctx); }

/* POSTs an offer to the echoes answerer's URL on a thread of its own (the
 * server goes on serving the pages); its answer is taken in relay_done(). */
static void relay_offer(struct rtg_interop_server *s, json_t *msg) {
  json_t *o = json_pack("{s:s, s:O}", "type", "offer", "sdp", json_object_get(msg, "sdp"));
  char *body = o ? json_dumps(o, JSON_COMPACT) : NULL, err[300];
  json_decref(o);
  if (s->relay != NULL) {
    set_error(s, "echoes answerer: a second offer while the first is pending");
  } else if (body == NULL) {
    set_error(s, "echoes answerer: cannot encode the offer");
  } else {
    siglog(s, "runner", "POST", s->answer_url);
    s->relay_run = s->ss.id;
    /* the answerer gathers its candidates before it answers (the contract
     * allows ~2 s; a browser behind the contract may take longer) */
    s->relay = rtg_http_async_post(s->answer_url, body, strlen(body), 20000, relay_wake, s, err,
                                   sizeof err);
    if (s->relay == NULL) set_error(s, err);
  }
  free(body);
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
  if (s == NULL) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  snprintf(s->web_dir, sizeof s->web_dir, "%s", web_dir);
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
  if (c != NULL) {
    struct rtg_interop_session ss;
    memset(&ss, 0, sizeof ss);
    ss.c = c;
    ss.run_dir = run_dir;
    ss.timeout_s = timeout_s;
    if (rtg_interop_server_begin(s, &ss) != 0) {
      snprintf(err, errcap, "out of memory");
      rtg_interop_server_free(s);
      return NULL;
    }
  }
  return s;
}

int rtg_interop_server_begin(struct rtg_interop_server *s, const struct rtg_interop_session *ss) {
  char path[1024];
  rtg_interop_server_end(s);
  s->ss = *ss;
  snprintf(s->run_dir, sizeof s->run_dir, "%s", ss->run_dir);
  s->ss.run_dir = s->run_dir;
  snprintf(s->answer_url, sizeof s->answer_url, "%s", ss->answer_url ? ss->answer_url : "");
  s->ss.answer_url = s->answer_url;
  s->queue[0] = json_array();
  s->queue[1] = json_array();
  s->sdp_saved[0] = s->sdp_saved[1] = false;
  s->error[0] = '\0';
  snprintf(path, sizeof path, "%s/signal.log", s->run_dir);
  s->siglog = fopen(path, "w");
  s->active = s->queue[0] && s->queue[1];
  return s->active ? 0 : -1;
}

void rtg_interop_server_end(struct rtg_interop_server *s) {
  respond_later(s, 410, "{\"error\":\"run over\"}");
  /* a relay still waiting for its answer belongs to the run: drop it */
  rtg_http_async_abandon(s->relay);
  s->relay = NULL;
  for (int i = 0; i < s->nagents; i++) s->agents[i].run[0] = s->agents[i].run[1] = -1;
  for (int r = 0; r < 2; r++) {
    json_decref(s->queue[r]);
    s->queue[r] = NULL;
    if (s->result[r]) json_decref(s->result[r]);
    s->result[r] = NULL;
  }
  if (s->siglog) fclose(s->siglog);
  s->siglog = NULL;
  s->active = false;
}

void rtg_interop_server_post(struct rtg_interop_server *s, enum rtg_interop_role to,
                             const char *type) {
  if (!s->active) return;
  siglog(s, "runner", type, to ? "-> answer" : "-> offer");
  json_array_append_new(s->queue[to], json_pack("{s:s}", "type", type));
}

static struct agent *agent_get(struct rtg_interop_server *s, const char *id) {
  for (int i = 0; i < s->nagents; i++)
    if (strcmp(s->agents[i].id, id) == 0) return &s->agents[i];
  if (s->nagents >= MAX_AGENTS || strlen(id) >= sizeof s->agents[0].id) return NULL;
  snprintf(s->agents[s->nagents].id, sizeof s->agents[0].id, "%s", id);
  s->agents[s->nagents].run[0] = s->agents[s->nagents].run[1] = -1;
  s->agents[s->nagents].polls = 0;
  return &s->agents[s->nagents++];
}

int rtg_interop_server_agent_assign(struct rtg_interop_server *s, const char *agent, int run,
                                    enum rtg_interop_role role) {
  struct agent *a = agent_get(s, agent);
  if (a == NULL) return -1;
  a->run[role] = run;
  return 0;
}

long long rtg_interop_server_agent_polls(struct rtg_interop_server *s, const char *agent) {
  struct agent *a = agent_get(s, agent);
  return a ? a->polls : 0;
}

void rtg_interop_server_agent_forget(struct rtg_interop_server *s, const char *agent) {
  struct agent *a = agent_get(s, agent);
  if (a) {
    a->polls = 0;
    a->run[0] = a->run[1] = -1;
  }
}

const char *rtg_interop_server_error(const struct rtg_interop_server *s) {
  return s->error[0] ? s->error : NULL;
}

static void wake(lws_sorted_usec_list_t *sul) { (void)sul; }

void rtg_interop_server_service(struct rtg_interop_server *s, int ms) {
  relay_done(s);
  lws_sul_schedule(s->ctx, 0, &s->sul, wake, (lws_usec_t)ms * 1000);
  lws_service(s->ctx, 0);
  relay_done(s);
}

bool rtg_interop_server_has_result(const struct rtg_interop_server *s, enum rtg_interop_role r) {
  return s->result[r] != NULL;
}

void rtg_interop_server_free(struct rtg_interop_server *s) {
  if (s == NULL) return;
  rtg_interop_server_end(s);
  if (s->ctx) lws_context_destroy(s->ctx);
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
