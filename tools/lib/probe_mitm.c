/*
 * probe_mitm.c - `rtcgate probe mitm` (see probe_mitm.h).
 *
 * Leg A faces the offerer (the relay's peer answers its offer), leg B faces
 * the answerer (the relay's peer offers it, over the forwarded POST). Each
 * leg is one rtg_peer on its own UDP socket on 127.0.0.1 with one host
 * candidate; the loop feeds datagrams and timers and drains transmits and
 * events (DESIGN.md rule 1). A channel the offerer opens on A is opened on B
 * with the same label and reliability once B's SCTP association is up;
 * messages wait (bounded) until then and are relayed both ways after.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/interop.h"
#include "lib/http_client.h"
#include "lib/probe_http.h"
#include "lib/probe_mitm.h"
#include "rtg/peer.h"

#define MAX_CHANS 16
#define MAX_PENDING 64
#define NSAMPLES 8

static rtg_time mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (rtg_time)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct leg {
  struct rtg_peer *peer;
  int fd;
  struct rtg_stun_addr local;
  bool gathered, dtls, sctp, closed;
  char why[96];
};

struct pending {
  uint8_t *data;
  size_t len;
  bool binary;
};

struct chan {
  uint16_t a_sid, b_sid;
  bool b_requested, b_open;
  struct rtg_dc_channel_opts opts;
  char label[64], protocol[64];
  struct pending q[MAX_PENDING];
  int nq;
};

struct mitm {
  const struct rtg_probe_mitm_opts *o;
  struct rtg_ctx ctx;
  struct rtg_probe_http *http;
  bool active;
  rtg_time deadline;
  struct leg a, b;
  struct chan ch[MAX_CHANS];
  int nch;
  uint64_t msgs[2], bytes[2]; /* [0] offerer->answerer, [1] back */
  uint64_t relay_errors;      /* messages the other leg did not take */
  uint64_t dropped;           /* datagrams a peer refused (auth, parse) */
  json_t *samples, *sess, *sessions;
  int findings, ended;
  pid_t capture; /* the recording of leg A, or 0 */
  char err[256];
};

/* ---- helpers ---------------------------------------------------------------- */

static int leg_socket(struct leg *l) {
  struct sockaddr_in sa = {.sin_family = AF_INET};
  socklen_t sl = sizeof sa;
  l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (l->fd < 0) return -1;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l->fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      getsockname(l->fd, (struct sockaddr *)&sa, &sl) != 0)
    return -1;
  memset(&l->local, 0, sizeof l->local);
  l->local.family = 1;
  l->local.port = ntohs(sa.sin_port);
  memcpy(l->local.addr, &sa.sin_addr, 4);
  return 0;
}

/* |ufrag|/|pwd|: ICE credentials to reuse (the other end's), or NULL. */
static int leg_new(struct mitm *m, struct leg *l, bool data_only, const char *ufrag,
                   const char *pwd) {
  struct rtg_peer_config cfg;
  struct rtg_ice_cand c;
  rtg_peer_config_default(&cfg);
  cfg.ice_ufrag = ufrag;
  cfg.ice_pwd = pwd;
  if (data_only) cfg.audio = cfg.video = false;
  cfg.data = true;
  cfg.echo = RTG_PEER_ECHO_NONE;
  memset(l, 0, sizeof *l);
  l->fd = -1;
  if (leg_socket(l) != 0 || rtg_peer_new(&l->peer, &m->ctx, &cfg, mono_now()) != 0) return -1;
  memset(&c, 0, sizeof c);
  c.type = RTG_ICE_CAND_HOST;
  c.addr = c.base = l->local;
  snprintf(c.foundation, sizeof c.foundation, "m1");
  if (rtg_peer_add_local_candidate(l->peer, &c) != 0) return -1;
  rtg_peer_local_candidates_done(l->peer);
  return 0;
}

static void leg_free(struct leg *l) {
  if (l->peer) rtg_peer_free(l->peer);
  if (l->fd >= 0) close(l->fd);
  memset(l, 0, sizeof *l);
  l->fd = -1;
}

/* The value of attribute |name| in |sdp| (session level, else the first
 * section), "" if none. */
static void sdp_attr(const char *sdp, const char *name, char *out, size_t cap) {
  struct rtg_sdp *s = malloc(sizeof *s);
  const char *v = NULL;
  out[0] = '\0';
  if (s == NULL) return;
  if (rtg_sdp_parse(s, sdp, strlen(sdp), NULL) == 0) {
    v = rtg_sdp_attr_get(s, -1, name, false);
    if (v == NULL && s->nmedia) v = rtg_sdp_attr_get(s, 0, name, true);
  }
  if (v) snprintf(out, cap, "%s", v);
  free(s);
}

/* ICE credentials the reference peer can take over (4..32 and 22..32). */
static bool creds_usable(const char *ufrag, const char *pwd) {
  size_t u = strlen(ufrag), p = strlen(pwd);
  return u >= 4 && u <= 32 && p >= 22 && p <= 32;
}

static void save_text(const char *dir, const char *name, const char *text) {
  char path[700];
  FILE *f;
  if (dir == NULL) return;
  snprintf(path, sizeof path, "%.600s/%s", dir, name);
  f = fopen(path, "w");
  if (f == NULL) return;
  fputs(text, f);
  fclose(f);
}

static void sdp_attr_fp(const char *sdp, char *out, size_t cap) {
  sdp_attr(sdp, "fingerprint", out, cap);
}

static void sample(struct mitm *m, int dir, uint16_t sid, bool binary, const uint8_t *d,
                   size_t len) {
  char prev[80];
  size_t o = 0;
  if (json_array_size(m->samples) >= NSAMPLES) return;
  for (size_t i = 0; i < len && o + 5 < sizeof prev && i < 24; i++) {
    if (!binary && d[i] >= 0x20 && d[i] < 0x7f)
      prev[o++] = (char)d[i];
    else
      o += (size_t)snprintf(prev + o, sizeof prev - o, "\\x%02x", d[i]);
  }
  prev[o] = '\0';
  json_array_append_new(
      m->samples, json_pack("{s:s,s:i,s:I,s:b,s:s}", "direction",
                            dir ? "answerer->offerer" : "offerer->answerer", "channel", (int)sid,
                            "length", (json_int_t)len, "binary", (int)binary, "plaintext", prev));
}

static struct chan *chan_by(struct mitm *m, bool a_side, uint16_t sid) {
  for (int i = 0; i < m->nch; i++)
    if ((a_side ? m->ch[i].a_sid : m->ch[i].b_sid) == sid && (a_side || m->ch[i].b_requested))
      return &m->ch[i];
  return NULL;
}

static void chan_open_b(struct mitm *m, struct chan *c, rtg_time now) {
  if (c->b_requested || !m->b.sctp) return;
  c->opts.label = c->label;
  c->opts.protocol = c->protocol;
  if (rtg_peer_dc_open(m->b.peer, now, &c->opts, &c->b_sid) == 0) c->b_requested = true;
}

static void chan_flush(struct mitm *m, struct chan *c, rtg_time now) {
  for (int i = 0; i < c->nq; i++) {
    if (rtg_peer_dc_send(m->b.peer, now, c->b_sid, c->q[i].binary, c->q[i].data, c->q[i].len))
      m->relay_errors++;
    free(c->q[i].data);
  }
  c->nq = 0;
}

static void chans_free(struct mitm *m) {
  for (int i = 0; i < m->nch; i++)
    for (int k = 0; k < m->ch[i].nq; k++) free(m->ch[i].q[k].data);
  m->nch = 0;
}

/* ---- events ------------------------------------------------------------------ */

static void on_event(struct mitm *m, bool a_side, const struct rtg_peer_event *ev, rtg_time now) {
  struct leg *l = a_side ? &m->a : &m->b;
  struct chan *c;
  if (m->o->verbose)
    fprintf(stderr, "rtcgate probe mitm: leg %c %s\n", a_side ? 'A' : 'B',
            rtg_peer_event_name(ev->type));
  switch (ev->type) {
    case RTG_PEER_EV_GATHERING_DONE: l->gathered = true; break;
    case RTG_PEER_EV_DTLS_CONNECTED: l->dtls = true; break;
    case RTG_PEER_EV_SCTP_CONNECTED:
      l->sctp = true;
      if (!a_side)
        for (int i = 0; i < m->nch; i++) chan_open_b(m, &m->ch[i], now);
      break;
    case RTG_PEER_EV_CHANNEL_OPEN:
      if (!a_side || m->nch == MAX_CHANS) break; /* the answerer's own channels: not relayed */
      c = &m->ch[m->nch++];
      memset(c, 0, sizeof *c);
      c->a_sid = ev->sid;
      c->opts.channel_type = ev->channel_type;
      c->opts.priority = 256;
      snprintf(c->label, sizeof c->label, "%.*s", (int)ev->label.len, (const char *)ev->label.p);
      snprintf(c->protocol, sizeof c->protocol, "%.*s", (int)ev->protocol.len,
               (const char *)ev->protocol.p);
      chan_open_b(m, c, now);
      break;
    case RTG_PEER_EV_CHANNEL_ACKED:
      if (a_side || (c = chan_by(m, false, ev->sid)) == NULL) break;
      c->b_open = true;
      chan_flush(m, c, now);
      break;
    case RTG_PEER_EV_CHANNEL_MESSAGE: {
      int dir = a_side ? 0 : 1;
      m->msgs[dir]++;
      m->bytes[dir] += ev->len;
      sample(m, dir, ev->sid, ev->binary, ev->data, ev->len);
      c = chan_by(m, a_side, ev->sid);
      if (c == NULL) break;
      if (!a_side) {
        if (rtg_peer_dc_send(m->a.peer, now, c->a_sid, ev->binary, ev->data, ev->len))
          m->relay_errors++;
      } else if (c->b_open) {
        if (rtg_peer_dc_send(m->b.peer, now, c->b_sid, ev->binary, ev->data, ev->len))
          m->relay_errors++;
      } else if (c->nq < MAX_PENDING) {
        c->q[c->nq].data = malloc(ev->len ? ev->len : 1);
        if (c->q[c->nq].data == NULL) break;
        if (ev->len) memcpy(c->q[c->nq].data, ev->data, ev->len);
        c->q[c->nq].len = ev->len;
        c->q[c->nq].binary = ev->binary;
        c->nq++;
      }
      break;
    }
    case RTG_PEER_EV_CHANNEL_CLOSED:
      if (a_side && (c = chan_by(m, true, ev->sid)) != NULL && c->b_requested)
        if (rtg_peer_dc_close(m->b.peer, c->b_sid)) m->relay_errors++;
      break;
    case RTG_PEER_EV_FINGERPRINT_MISMATCH:
    case RTG_PEER_EV_DTLS_FAILED:
    case RTG_PEER_EV_ICE_FAILED:
    case RTG_PEER_EV_ICE_CONSENT_LOST:
    case RTG_PEER_EV_CLOSED:
      l->closed = true;
      snprintf(l->why, sizeof l->why, "%s%s%s", rtg_peer_event_name(ev->type),
               ev->reason ? ": " : "", ev->reason ? ev->reason : "");
      break;
    default: break;
  }
}

static void leg_drain(struct mitm *m, bool a_side) {
  struct leg *l = a_side ? &m->a : &m->b;
  uint8_t buf[RTG_PEER_MAX_DATAGRAM];
  size_t len;
  struct rtg_stun_addr src, dst;
  struct rtg_peer_event ev;
  rtg_time now = mono_now();
  if (l->peer == NULL) return;
  for (bool any = true; any;) {
    any = false;
    while (rtg_peer_poll_transmit(l->peer, buf, sizeof buf, &len, &src, &dst) == 0) {
      struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(dst.port)};
      any = true;
      if (dst.family != 1) continue;
      memcpy(&to.sin_addr, dst.addr, 4);
      (void)sendto(l->fd, buf, len, 0, (struct sockaddr *)&to, sizeof to);
    }
    while (rtg_peer_poll_event(l->peer, &ev) == 0) {
      any = true;
      on_event(m, a_side, &ev, now);
    }
  }
}

static void leg_input(struct mitm *m, bool a_side) {
  struct leg *l = a_side ? &m->a : &m->b;
  uint8_t buf[2048];
  for (;;) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    struct rtg_stun_addr src = {.family = 1};
    ssize_t n = recvfrom(l->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (n < 0) break;
    src.port = ntohs(from.sin_port);
    memcpy(src.addr, &from.sin_addr, 4);
    if (rtg_peer_handle_datagram(l->peer, mono_now(), &l->local, &src, buf, (size_t)n))
      m->dropped++;
    leg_drain(m, a_side);
  }
}

/* ---- signaling ----------------------------------------------------------------- */

static char *describe(struct mitm *m, const char *type, const char *sdp) {
  json_t *j = json_pack("{s:s,s:s}", "type", type, "sdp", sdp);
  char *s = json_dumps(j, JSON_COMPACT);
  (void)m;
  json_decref(j);
  return s;
}

/* Starts recording leg A (the offerer <-> the relay) when asked. */
static void capture_start(struct mitm *m) {
  char filt[64], log[700];
  if (m->o->capture == NULL) return;
  snprintf(filt, sizeof filt, "udp port %u", m->a.local.port);
  snprintf(log, sizeof log, "%.600s.log", m->o->capture);
  m->capture = rtg_interop_capture_start(m->o->capture, filt, log);
  /* the capture process writes the file header once it listens */
  for (int i = 0; i < 100; i++) {
    FILE *f = fopen(m->o->capture, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (f) fclose(f);
    if (n >= 24) break;
    usleep(20000);
  }
}

/* The offer arrived: leg B offers the answerer first, reusing the
 * offerer's ICE credentials, then leg A answers the offerer with the
 * answerer's: the descriptions each end gets differ from the genuine ones
 * only in a=fingerprint, candidates and what the reference peer writes. */
static void session_begin(struct mitm *m, const char *offer, unsigned *status, char **resp) {
  char *buf = malloc(RTG_PEER_MAX_SDP), *body = NULL, *fwd = NULL;
  char fp[4][160], ouf[64], opw[64], auf[64], apw[64];
  size_t len;
  unsigned st = 0;
  size_t flen = 0;
  bool keep_o, keep_a;
  struct rtg_perr pe;
  json_t *aj = NULL;
  const char *answer_b;
  *status = 502;
  if (buf == NULL) return;
  memset(&pe, 0, sizeof pe);
  chans_free(m);
  m->msgs[0] = m->msgs[1] = m->bytes[0] = m->bytes[1] = m->relay_errors = 0;
  m->samples = json_array();
  m->sess = json_object();
  sdp_attr(offer, "ice-ufrag", ouf, sizeof ouf);
  sdp_attr(offer, "ice-pwd", opw, sizeof opw);
  keep_o = creds_usable(ouf, opw);
  save_text(m->o->sdp_dir, "offer.sdp", offer);
  /* leg B offers the answerer */
  if (leg_new(m, &m->b, true, keep_o ? ouf : NULL, keep_o ? opw : NULL) != 0) {
    snprintf(m->err, sizeof m->err, "cannot create the relay's peers");
    goto fail;
  }
  leg_drain(m, false);
  if (rtg_peer_create_offer(m->b.peer, buf, RTG_PEER_MAX_SDP, &len) != 0) goto fail;
  sdp_attr_fp(buf, fp[2], sizeof fp[2]); /* told to the answerer */
  save_text(m->o->sdp_dir, "offer.rewritten.sdp", buf);
  body = describe(m, "offer", buf);
  if (body && rtg_http_post(m->o->forward_to, body, strlen(body), 5000, &st, &fwd, &flen, m->err,
                            sizeof m->err) != 0)
    fwd = NULL;
  aj = fwd ? json_loads(fwd, 0, NULL) : NULL;
  answer_b = json_string_value(json_object_get(aj, "sdp"));
  if (st != 200 || answer_b == NULL) {
    if (fwd) snprintf(m->err, sizeof m->err, "%s answered %u", m->o->forward_to, st);
    goto fail;
  }
  if (rtg_peer_set_remote_description(m->b.peer, mono_now(), RTG_PEER_SDP_ANSWER, answer_b,
                                      strlen(answer_b), &pe) != 0) {
    snprintf(m->err, sizeof m->err, "the answerer's answer is not acceptable: %s",
             pe.reason ? pe.reason : "?");
    goto fail;
  }
  save_text(m->o->sdp_dir, "answer.sdp", answer_b);
  sdp_attr_fp(answer_b, fp[3], sizeof fp[3]); /* the answerer's certificate */
  sdp_attr(answer_b, "ice-ufrag", auf, sizeof auf);
  sdp_attr(answer_b, "ice-pwd", apw, sizeof apw);
  keep_a = creds_usable(auf, apw);
  /* leg A answers the offerer */
  if (leg_new(m, &m->a, false, keep_a ? auf : NULL, keep_a ? apw : NULL) != 0) {
    snprintf(m->err, sizeof m->err, "cannot create the relay's peers");
    goto fail;
  }
  leg_drain(m, true);
  if (rtg_peer_set_remote_description(m->a.peer, mono_now(), RTG_PEER_SDP_OFFER, offer,
                                      strlen(offer), &pe) != 0 ||
      rtg_peer_create_answer(m->a.peer, mono_now(), buf, RTG_PEER_MAX_SDP, &len, &pe) != 0) {
    snprintf(m->err, sizeof m->err, "the offer is not acceptable: %s", pe.reason ? pe.reason : "?");
    *status = 400;
    goto fail;
  }
  save_text(m->o->sdp_dir, "answer.rewritten.sdp", buf);
  sdp_attr_fp(offer, fp[0], sizeof fp[0]); /* the offerer's certificate */
  sdp_attr_fp(buf, fp[1], sizeof fp[1]);   /* told to the offerer */
  capture_start(m);
  *resp = describe(m, "answer", buf);
  json_object_set_new(m->sess, "offerer_fingerprint", json_string(fp[0]));
  json_object_set_new(m->sess, "answerer_was_told", json_string(fp[2]));
  json_object_set_new(m->sess, "answerer_fingerprint", json_string(fp[3]));
  json_object_set_new(m->sess, "offerer_was_told", json_string(fp[1]));
  json_object_set_new(m->sess, "fingerprints_rewritten",
                      json_boolean(strcmp(fp[0], fp[2]) != 0 && strcmp(fp[3], fp[1]) != 0));
  json_object_set_new(m->sess, "ice_credentials_passed_through", json_boolean(keep_o && keep_a));
  m->active = true;
  m->deadline = mono_now() + RTG_MS((long long)m->o->timeout_s * 1000);
  *status = 200;
  leg_drain(m, true);
  leg_drain(m, false);
  json_decref(aj);
  free(fwd);
  free(body);
  free(buf);
  return;
fail:
  fprintf(stderr, "rtcgate probe mitm: %s\n", m->err[0] ? m->err : "relay setup failed");
  free(*resp);
  *resp = NULL;
  json_decref(aj);
  free(fwd);
  free(body);
  free(buf);
  leg_free(&m->a);
  leg_free(&m->b);
  json_decref(m->samples);
  json_decref(m->sess);
  m->samples = m->sess = NULL;
}

static void handle(void *ud, bool post, const char *path, const char *body, size_t len,
                   unsigned *status, const char **ctype, char **resp) {
  struct mitm *m = ud;
  json_t *j;
  const char *type, *sdp;
  *ctype = "application/json";
  if (!post || strcmp(path, "/offer") != 0) {
    *status = 404;
    *resp = strdup("{\"error\":\"POST /offer only\"}");
    return;
  }
  if (m->active) {
    *status = 409;
    *resp = strdup("{\"error\":\"a session is in progress\"}");
    return;
  }
  j = json_loadb(body, len, 0, NULL);
  type = json_string_value(json_object_get(j, "type"));
  sdp = json_string_value(json_object_get(j, "sdp"));
  if (type == NULL || sdp == NULL || strcmp(type, "offer") != 0) {
    *status = 400;
    *resp = strdup("{\"error\":\"want {\\\"type\\\":\\\"offer\\\",\\\"sdp\\\":...}\"}");
  } else {
    session_begin(m, sdp, status, resp);
    if (*resp == NULL) *resp = strdup("{\"error\":\"the relay could not set up the session\"}");
  }
  json_decref(j);
}

static void session_end(struct mitm *m) {
  bool plain = m->a.dtls && m->b.dtls && m->msgs[0] + m->msgs[1] > 0;
  json_t *s = m->sess;
  rtg_time now = mono_now();
  /* RTG_ERR_STATE when a leg already ended: nothing to do */
  if (m->a.peer && !m->a.closed && rtg_peer_close(m->a.peer, now) != 0) m->a.closed = true;
  if (m->b.peer && !m->b.closed && rtg_peer_close(m->b.peer, now) != 0) m->b.closed = true;
  leg_drain(m, true);
  leg_drain(m, false);
  json_object_set_new(s, "dtls_offerer_leg", json_boolean(m->a.dtls));
  json_object_set_new(s, "dtls_answerer_leg", json_boolean(m->b.dtls));
  json_object_set_new(s, "offerer_leg_end", json_string(m->a.why[0] ? m->a.why : "relay ended it"));
  json_object_set_new(s, "answerer_leg_end",
                      json_string(m->b.why[0] ? m->b.why : "relay ended it"));
  json_object_set_new(s, "messages_offerer_to_answerer", json_integer((json_int_t)m->msgs[0]));
  json_object_set_new(s, "messages_answerer_to_offerer", json_integer((json_int_t)m->msgs[1]));
  json_object_set_new(s, "bytes_read_in_clear",
                      json_integer((json_int_t)(m->bytes[0] + m->bytes[1])));
  json_object_set_new(s, "relay_errors", json_integer((json_int_t)m->relay_errors));
  json_object_set_new(s, "samples", m->samples);
  json_object_set_new(s, "plaintext_read", json_boolean(plain));
  json_object_set_new(
      s, "detection",
      json_string(json_is_true(json_object_get(s, "fingerprints_rewritten"))
                      ? "the a=fingerprint the offerer sent differs from the one the answerer "
                        "received (and back): comparing them across the legs exposes the relay"
                      : "fingerprints were passed through"));
  fprintf(stderr,
          "rtcgate probe mitm: session %d: DTLS offerer leg %s, answerer leg %s; read %llu + %llu "
          "messages (%llu bytes) in clear%s\n",
          m->ended + 1, m->a.dtls ? "up" : "down", m->b.dtls ? "up" : "down",
          (unsigned long long)m->msgs[0], (unsigned long long)m->msgs[1],
          (unsigned long long)(m->bytes[0] + m->bytes[1]),
          plain ? ": neither end noticed (each saw the fingerprint it was told)" : "");
  fprintf(stderr, "  offerer sent fingerprint %s\n  answerer was told      %s\n",
          json_string_value(json_object_get(s, "offerer_fingerprint")),
          json_string_value(json_object_get(s, "answerer_was_told")));
  if (plain) m->findings++;
  if (m->capture > 0) {
    /* SIGTERM makes it drain and close the file */
    rtg_interop_kill_group(m->capture, 4500);
    m->capture = 0;
  }
  json_array_append_new(m->sessions, s);
  m->samples = m->sess = NULL;
  chans_free(m);
  leg_free(&m->a);
  leg_free(&m->b);
  m->active = false;
  m->ended++;
}

int rtg_probe_mitm_run(const struct rtg_probe_mitm_opts *o, json_t **report,
                       volatile sig_atomic_t *stop, char *err, size_t errcap) {
  struct mitm m;
  rtg_time give_up;
  memset(&m, 0, sizeof m);
  m.o = o;
  m.a.fd = m.b.fd = -1;
  rtg_ctx_default(&m.ctx);
  m.sessions = json_array();
  m.http = rtg_probe_http_new(o->listen_addr, o->listen_port, 1u << 20, handle, &m, err, errcap);
  if (m.http == NULL) {
    json_decref(m.sessions);
    return -1;
  }
  fprintf(stderr, "rtcgate probe mitm: relaying http://%s:%d/offer -> %s\n", o->listen_addr,
          o->listen_port, o->forward_to);
  give_up = mono_now() + RTG_MS((long long)o->timeout_s * 1000);
  while (!*stop && m.ended < o->sessions) {
    struct pollfd pfd[2];
    int np = 0, wait_ms = 10;
    rtg_time now = mono_now();
    rtg_probe_http_service(m.http, m.active ? 1 : 20);
    if (!m.active) {
      if (now > give_up) break;
      continue;
    }
    give_up = now + RTG_MS((long long)o->timeout_s * 1000);
    pfd[np++] = (struct pollfd){.fd = m.a.fd, .events = POLLIN};
    pfd[np++] = (struct pollfd){.fd = m.b.fd, .events = POLLIN};
    {
      rtg_time t = rtg_peer_poll_timeout(m.a.peer), tb = rtg_peer_poll_timeout(m.b.peer);
      if (tb < t) t = tb;
      if (t != RTG_TIME_NEVER && t > now && (t - now) / 1000000 < wait_ms)
        wait_ms = (int)((t - now) / 1000000);
      if (t <= now) wait_ms = 0;
    }
    if (poll(pfd, (nfds_t)np, wait_ms) > 0) {
      if (pfd[0].revents & POLLIN) leg_input(&m, true);
      if (pfd[1].revents & POLLIN) leg_input(&m, false);
    }
    now = mono_now();
    /* handle_timeout always returns 0 */
    if (rtg_peer_poll_timeout(m.a.peer) <= now && rtg_peer_handle_timeout(m.a.peer, now) != 0)
      m.dropped++;
    if (rtg_peer_poll_timeout(m.b.peer) <= now && rtg_peer_handle_timeout(m.b.peer, now) != 0)
      m.dropped++;
    leg_drain(&m, true);
    leg_drain(&m, false);
    /* the offerer's leg ending ends the session (the answerer's too) */
    if (m.a.closed || m.b.closed || now > m.deadline) session_end(&m);
  }
  if (m.active) session_end(&m);
  rtg_probe_http_free(m.http);
  if (m.ended == 0) {
    snprintf(err, errcap, "no session was relayed (no offer within %d s)", o->timeout_s);
    json_decref(m.sessions);
    return -1;
  }
  *report = json_pack("{s:o,s:i}", "sessions", m.sessions, "findings", m.findings);
  return m.findings;
}
