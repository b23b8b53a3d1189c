/*
 * peer_post.c - the offer's POST without stopping the peer.
 *
 * An offerer must answer the connectivity checks that arrive before the
 * answer (RFC 8445 §7.3: "it is possible ... that an initiating agent will
 * receive a Binding request prior to receiving the candidates from its
 * peer. If this happens, the agent MUST immediately generate a response"),
 * and a browser answerer starts checking as soon as it has applied the
 * offer, long before its answer comes back through the signaling server.
 * So the POST runs on a thread of its own (rtg_pio_http_post, its own
 * libwebsockets context) while the caller keeps servicing its sockets and
 * timers; an eventfd tells the caller's loop when the response is there.
 *
 * The thread touches nothing but its own struct: the caller either
 * collects the result (rtg_pio_post_finish, which joins) or walks away
 * (rtg_pio_post_abandon, e.g. on SIGTERM), in which case the thread frees
 * everything itself when its POST ends (it is bounded by its timeout).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/peer_io.h"

struct rtg_pio_post {
  pthread_t th;
  int efd;
  char *url, *body;
  size_t len;
  int timeout_ms;
  /* the result, written by the thread before it signals the eventfd */
  int rc;
  unsigned status;
  char *resp;
  size_t rlen;
  char err[300];
  /* 1 done, 2 abandoned: whoever comes second frees (atomic) */
  int state;
};

static void post_free(struct rtg_pio_post *p) {
  if (p->efd >= 0) close(p->efd);
  free(p->url);
  free(p->body);
  free(p->resp);
  free(p);
}

static void *post_thread(void *arg) {
  struct rtg_pio_post *p = arg;
  uint64_t one = 1;
  p->rc = rtg_pio_http_post(p->url, p->body, p->len, p->timeout_ms, &p->status, &p->resp, &p->rlen,
                            p->err, sizeof p->err);
  if (__atomic_exchange_n(&p->state, 1, __ATOMIC_ACQ_REL) == 2) {
    post_free(p); /* abandoned: nobody waits for it */
    return NULL;
  }
  if (write(p->efd, &one, sizeof one) != (ssize_t)sizeof one) {
    /* the counter cannot overflow with one write; the loop also polls */
  }
  return NULL;
}

struct rtg_pio_post *rtg_pio_post_start(const char *url, const char *body, size_t len,
                                        int timeout_ms, char *err, size_t cap) {
  struct rtg_pio_post *p = calloc(1, sizeof *p);
  if (p == NULL) {
    snprintf(err, cap, "out of memory");
    return NULL;
  }
  p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  p->url = strdup(url);
  p->body = malloc(len + 1);
  if (p->efd < 0 || p->url == NULL || p->body == NULL) {
    snprintf(err, cap, "cannot prepare the POST to %.200s", url);
    post_free(p);
    return NULL;
  }
  memcpy(p->body, body, len);
  p->body[len] = '\0';
  p->len = len;
  p->timeout_ms = timeout_ms;
  if (pthread_create(&p->th, NULL, post_thread, p) != 0) {
    snprintf(err, cap, "cannot start a thread for the POST to %.200s", url);
    post_free(p);
    return NULL;
  }
  return p;
}

int rtg_pio_post_fd(const struct rtg_pio_post *p) { return p->efd; }

bool rtg_pio_post_done(struct rtg_pio_post *p) {
  return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == 1;
}

int rtg_pio_post_finish(struct rtg_pio_post *p, unsigned *status, char **resp, size_t *rlen,
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

void rtg_pio_post_abandon(struct rtg_pio_post *p) {
  if (p == NULL) return;
  pthread_detach(p->th);
  if (__atomic_exchange_n(&p->state, 2, __ATOMIC_ACQ_REL) == 1) post_free(p);
}
