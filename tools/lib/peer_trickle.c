/*
 * peer_trickle.c - `rtcgate peer --trickle BASE`: trickle ICE (RFC 8838)
 * through the interop runner's mailbox (tools/interop/web/README.md).
 *
 * The offer and the answer still go through the webrtc-echoes POST /offer;
 * with --trickle they carry no candidates (a=ice-options:trickle), and the
 * candidates travel as mailbox messages:
 *
 *   POST BASE/send/ROLE     {"type":"candidate","candidate":{"candidate":
 *                           "candidate:...","sdpMLineIndex":0}}
 *   GET  BASE/recv/ROLE/N   the messages for ROLE from index N on (a JSON
 *                           array; only "candidate" ones matter here)
 *
 * ROLE is ours ("offer" with --offer-to, "answer" with --listen). Both go
 * on threads of their own (lib/http_client.h), one send and one poll at a
 * time, so the peer's sockets are served meanwhile; the mailbox is polled
 * every POLL_EVERY. Remote candidates that come before the remote
 * description are kept until it has been applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http_client.h"
#include "lib/peer_session.h"

#define POLL_EVERY RTG_MS(20)
#define BUSY_EVERY RTG_MS(2) /* while a request is on its way */
#define REQ_TIMEOUT_MS 3000
#define MAX_PENDING 64

struct rtg_pio_trickle {
  char base[512];
  const char *role;
  json_t *outq; /* message texts (JSON strings) waiting to be POSTed */
  struct rtg_http_async *send, *recv;
  size_t index; /* next mailbox message to ask for */
  rtg_time next_poll;
  json_t *pending; /* remote candidate lines the peer could not take yet */
  unsigned sent, received, applied, refused, errors;
};

struct rtg_pio_trickle *rtg_pio_trickle_new(const char *base, bool offerer) {
  struct rtg_pio_trickle *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  snprintf(t->base, sizeof t->base, "%s", base);
  /* BASE/ and BASE name the same mailbox */
  if (strlen(t->base) > 1 && t->base[strlen(t->base) - 1] == '/') t->base[strlen(t->base) - 1] = 0;
  t->role = offerer ? "offer" : "answer";
  t->outq = json_array();
  t->pending = json_array();
  if (t->outq == NULL || t->pending == NULL) {
    rtg_pio_trickle_free(t);
    return NULL;
  }
  return t;
}

void rtg_pio_trickle_free(struct rtg_pio_trickle *t) {
  if (t == NULL) return;
  rtg_http_async_abandon(t->send);
  rtg_http_async_abandon(t->recv);
  json_decref(t->outq);
  json_decref(t->pending);
  free(t);
}

void rtg_pio_trickle_candidate(struct rtg_pio_trickle *t, const char *line) {
  json_t *m = json_pack("{s:s, s:{s:s, s:i}}", "type", "candidate", "candidate", "candidate", line,
                        "sdpMLineIndex", 0);
  char *text = m ? json_dumps(m, JSON_COMPACT) : NULL;
  json_decref(m);
  if (text) json_array_append_new(t->outq, json_string(text));
  free(text);
}

/* The POST of the queue's head has ended: next one. */
static void send_step(struct rtg_pio_trickle *t, struct rtg_pio_session *s, rtg_time now) {
  char url[600], err[300], *resp = NULL;
  size_t rlen = 0;
  unsigned status = 0;
  if (t->send && rtg_http_async_done(t->send)) {
    int rc = rtg_http_async_finish(t->send, &status, &resp, &rlen, err, sizeof err);
    t->send = NULL;
    free(resp);
    if (rc == 0 && status == 200) {
      t->sent++;
      json_array_remove(t->outq, 0);
    } else {
      t->errors++;
      rtg_pio_session_event(
          s, now, "trickle-send-failed",
          json_pack("{s:s, s:i}", "error", rc ? err : "HTTP status", "status", (int)status));
      json_array_remove(t->outq, 0); /* a lost candidate; ICE has the others */
    }
  }
  if (t->send == NULL && json_array_size(t->outq) > 0) {
    const char *body = json_string_value(json_array_get(t->outq, 0));
    snprintf(url, sizeof url, "%s/send/%s", t->base, t->role);
    t->send =
        rtg_http_async_post(url, body, strlen(body), REQ_TIMEOUT_MS, NULL, NULL, err, sizeof err);
    if (t->send == NULL) {
      t->errors++;
      json_array_remove(t->outq, 0);
    }
  }
}

/* Candidates of a mailbox response into |pending|. */
static void take_messages(struct rtg_pio_trickle *t, const char *resp, size_t rlen) {
  json_error_t je;
  json_t *a = json_loadb(resp, rlen, 0, &je), *m;
  size_t i;
  if (!json_is_array(a)) {
    json_decref(a);
    t->errors++;
    return;
  }
  json_array_foreach(a, i, m) {
    const char *type = json_string_value(json_object_get(m, "type"));
    const char *line =
        json_string_value(json_object_get(json_object_get(m, "candidate"), "candidate"));
    t->index++;
    if (type == NULL || strcmp(type, "candidate") != 0 || line == NULL || line[0] == '\0') continue;
    t->received++;
    if (json_array_size(t->pending) < MAX_PENDING)
      json_array_append_new(t->pending, json_string(line));
  }
  json_decref(a);
}

static void recv_step(struct rtg_pio_trickle *t, rtg_time now) {
  char url[600], err[300], *resp = NULL;
  size_t rlen = 0;
  unsigned status = 0;
  if (t->recv && rtg_http_async_done(t->recv)) {
    int rc = rtg_http_async_finish(t->recv, &status, &resp, &rlen, err, sizeof err);
    t->recv = NULL;
    if (rc == 0 && status == 200)
      take_messages(t, resp, rlen);
    else
      t->errors++;
    free(resp);
    t->next_poll = now + POLL_EVERY;
  }
  if (t->recv == NULL && now >= t->next_poll) {
    snprintf(url, sizeof url, "%s/recv/%s/%zu", t->base, t->role, t->index);
    t->recv = rtg_http_async_get(url, REQ_TIMEOUT_MS, NULL, NULL, err, sizeof err);
    if (t->recv == NULL) {
      t->errors++;
      t->next_poll = now + POLL_EVERY;
    }
  }
}

/* Hands the kept remote candidates to the peer once it can take them. */
static void apply_pending(struct rtg_pio_trickle *t, struct rtg_pio_session *s, rtg_time now) {
  while (json_array_size(t->pending) > 0) {
    const char *line = json_string_value(json_array_get(t->pending, 0));
    struct rtg_perr perr;
    int rc;
    rtg_perr_clear(&perr);
    rc = rtg_peer_add_remote_candidate(s->peer, line, &perr);
    if (rc == RTG_ERR_STATE) return; /* no remote description yet */
    if (rc == 0) {
      t->applied++;
      rtg_pio_session_event(s, now, "remote-candidate", json_pack("{s:s}", "candidate", line));
    } else {
      t->refused++;
      rtg_pio_session_event(s, now, "remote-candidate-refused",
                            json_pack("{s:s, s:s}", "candidate", line, "error", rtg_strerror(rc)));
    }
    json_array_remove(t->pending, 0);
  }
}

rtg_time rtg_pio_trickle_service(struct rtg_pio_trickle *t, struct rtg_pio_session *s,
                                 rtg_time now) {
  send_step(t, s, now);
  recv_step(t, now);
  apply_pending(t, s, now); /* the caller drains the peer afterwards */
  /* trickled both ways: at least one candidate of ours went out and one of
   * theirs was taken (the descriptions carried none) */
  if (t->sent > 0 && t->applied > 0) rtg_pio_session_met(s, now, RTG_PIO_EXPECT_TRICKLE);
  if (t->send || t->recv) return now + BUSY_EVERY;
  return json_array_size(t->outq) > 0 ? now : t->next_poll;
}

json_t *rtg_pio_trickle_json(const struct rtg_pio_trickle *t) {
  return json_pack("{s:i, s:i, s:i, s:i, s:i}", "candidates_sent", (int)t->sent,
                   "candidates_received", (int)t->received, "candidates_applied", (int)t->applied,
                   "candidates_refused", (int)t->refused, "errors", (int)t->errors);
}
