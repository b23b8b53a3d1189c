/*
 * datachannel.c - WebRTC data channels over one SCTP association:
 * DCEP open / ack (RFC 8832 §5, §6), the even / odd stream id rule by DTLS
 * role (RFC 8832 §6), pre-negotiated channels (RFC 8832 §4), the PPIDs of
 * RFC 8831 §8 (with the empty-message encoding of §6.6) and closing by
 * stream reset in both directions (RFC 8831 §6.7).
 */
#include <string.h>

#include "rtg/sctp.h"

enum chan_state { CH_FREE = 0, CH_OPENING, CH_OPEN, CH_CLOSING };

struct chan {
  uint8_t state;
  uint8_t type;
  bool negotiated, in_reset, out_reset, reset_queued;
  uint32_t reliability;
  uint8_t *label, *protocol;
  size_t label_len, protocol_len;
};

struct rtg_dc {
  struct rtg_ctx ctx;
  struct rtg_sctp_assoc *assoc;
  bool client;
  uint16_t max_id;
  struct chan *ch;
  size_t nch;
  uint16_t *pend; /* ids waiting for an outgoing stream reset */
  size_t npend;
};

static struct chan *chan_get(struct rtg_dc *dc, uint16_t sid, bool grow) {
  if ((size_t)sid >= dc->nch) {
    size_t n = dc->nch ? dc->nch : 64;
    struct chan *c;
    if (!grow) return NULL;
    while (n <= sid) n *= 2;
    if (n > 65536) n = 65536;
    c = rtg_alloc(&dc->ctx, n * sizeof *c);
    if (c == NULL) return NULL;
    if (dc->nch) memcpy(c, dc->ch, dc->nch * sizeof *c);
    rtg_free(&dc->ctx, dc->ch);
    dc->ch = c;
    dc->nch = n;
  }
  return &dc->ch[sid];
}

static void chan_release(struct rtg_dc *dc, struct chan *c) {
  rtg_free(&dc->ctx, c->label);
  rtg_free(&dc->ctx, c->protocol);
  memset(c, 0, sizeof *c);
}

static int dup_text(struct rtg_dc *dc, const uint8_t *p, size_t n, uint8_t **out) {
  *out = rtg_alloc(&dc->ctx, n + 1); /* NUL-terminated for convenience */
  if (*out == NULL) return RTG_ERR_NOMEM;
  if (n) memcpy(*out, p, n);
  return 0;
}

int rtg_dc_new(const struct rtg_ctx *ctx, const struct rtg_sctp_config *cfg, bool dtls_client,
               struct rtg_dc **out) {
  struct rtg_dc *dc = rtg_alloc(ctx, sizeof *dc);
  int rc;
  if (dc == NULL) return RTG_ERR_NOMEM;
  dc->ctx = *ctx;
  dc->client = dtls_client;
  dc->max_id = cfg->streams ? (uint16_t)(cfg->streams - 1) : 0;
  if ((rc = rtg_sctp_assoc_new(ctx, cfg, &dc->assoc))) {
    rtg_free(ctx, dc);
    return rc;
  }
  *out = dc;
  return 0;
}

void rtg_dc_free(struct rtg_dc *dc) {
  if (dc == NULL) return;
  for (size_t i = 0; i < dc->nch; i++) chan_release(dc, &dc->ch[i]);
  rtg_free(&dc->ctx, dc->ch);
  rtg_free(&dc->ctx, dc->pend);
  rtg_sctp_assoc_free(dc->assoc);
  rtg_free(&dc->ctx, dc);
}

struct rtg_sctp_assoc *rtg_dc_assoc(struct rtg_dc *dc) {
  return dc->assoc;
}

static bool ours(const struct rtg_dc *dc, uint16_t sid) {
  return (sid & 1) == (dc->client ? 0 : 1);
}

/* Per-message options from the channel type (RFC 8832 §5.1). */
static void send_opts(const struct chan *c, struct rtg_sctp_send_opts *o) {
  o->unordered = (c->type & 0x80) != 0 && c->state != CH_OPENING;
  o->max_retransmits = UINT32_MAX;
  o->lifetime = RTG_TIME_NEVER;
  switch (c->type & 0x7f) {
    case RTG_DCEP_PARTIAL_REXMIT: o->max_retransmits = c->reliability; break;
    case RTG_DCEP_PARTIAL_TIMED: o->lifetime = RTG_MS(c->reliability); break;
    default: break;
  }
}

int rtg_dc_open(struct rtg_dc *dc, rtg_time now, const struct rtg_dc_channel_opts *o,
                uint16_t *sid) {
  struct rtg_dcep_open op;
  struct chan *c;
  uint16_t id;
  uint8_t msg[1024];
  ptrdiff_t n;
  int rc;
  if (rtg_sctp_assoc_state(dc->assoc) != RTG_SCTP_ESTABLISHED) return RTG_ERR_STATE;
  memset(&op, 0, sizeof op);
  op.channel_type = o->channel_type;
  op.priority = o->priority;
  op.reliability = o->reliability;
  op.label.p = (const uint8_t *)(o->label ? o->label : "");
  op.label.len = strlen((const char *)op.label.p);
  op.protocol.p = (const uint8_t *)(o->protocol ? o->protocol : "");
  op.protocol.len = strlen((const char *)op.protocol.p);
  /* encode first: it validates the channel type and lengths */
  n = rtg_dcep_open_write(msg, sizeof msg, &op);
  if (n < 0) return n == RTG_ERR_NOBUF ? RTG_ERR_INVAL : (int)n;
  if (o->negotiated) {
    id = o->id;
    if (id > dc->max_id) return RTG_ERR_INVAL;
    if ((c = chan_get(dc, id, true)) == NULL) return RTG_ERR_NOMEM;
    if (c->state != CH_FREE) return RTG_ERR_INVAL;
  } else {
    /* RFC 8832 §6: even ids for the DTLS client, odd for the server */
    for (id = dc->client ? 0 : 1;; id = (uint16_t)(id + 2)) {
      if (id > dc->max_id) return RTG_ERR_NOTFOUND;
      if ((c = chan_get(dc, id, true)) == NULL) return RTG_ERR_NOMEM;
      if (c->state == CH_FREE) break;
      if (id >= 65533) return RTG_ERR_NOTFOUND;
    }
  }
  if (dup_text(dc, op.label.p, op.label.len, &c->label) ||
      dup_text(dc, op.protocol.p, op.protocol.len, &c->protocol)) {
    chan_release(dc, c);
    return RTG_ERR_NOMEM;
  }
  c->label_len = op.label.len;
  c->protocol_len = op.protocol.len;
  c->type = o->channel_type;
  c->reliability = o->reliability;
  c->negotiated = o->negotiated;
  c->state = o->negotiated ? CH_OPEN : CH_OPENING;
  if (!o->negotiated &&
      (rc = rtg_sctp_assoc_send(dc->assoc, now, id, RTG_SCTP_PPID_DCEP, msg, (size_t)n, NULL))) {
    chan_release(dc, c);
    return rc;
  }
  *sid = id;
  return 0;
}

int rtg_dc_send(struct rtg_dc *dc, rtg_time now, uint16_t sid, bool binary, const void *data,
                size_t len) {
  struct chan *c = chan_get(dc, sid, false);
  struct rtg_sctp_send_opts o;
  static const uint8_t zero = 0;
  uint32_t ppid;
  if (c == NULL || (c->state != CH_OPEN && c->state != CH_OPENING)) return RTG_ERR_NOTFOUND;
  send_opts(c, &o);
  if (len == 0) {
    /* RFC 8831 §6.6: one byte, ignored by the receiver */
    ppid = binary ? RTG_SCTP_PPID_BINARY_EMPTY : RTG_SCTP_PPID_STRING_EMPTY;
    return rtg_sctp_assoc_send(dc->assoc, now, sid, ppid, &zero, 1, &o);
  }
  ppid = binary ? RTG_SCTP_PPID_BINARY : RTG_SCTP_PPID_STRING;
  return rtg_sctp_assoc_send(dc->assoc, now, sid, ppid, data, len, &o);
}

/* Asks the association for the queued outgoing resets (one request at a
 * time: RTG_ERR_AGAIN keeps them queued). */
static int flush_resets(struct rtg_dc *dc) {
  int rc;
  if (dc->npend == 0) return 0;
  rc = rtg_sctp_assoc_reset_streams(dc->assoc, dc->pend, dc->npend);
  if (rc == RTG_ERR_AGAIN) return 0;
  dc->npend = 0;
  return rc == RTG_ERR_STATE ? 0 : rc;
}

static int queue_reset(struct rtg_dc *dc, uint16_t sid) {
  struct chan *c = &dc->ch[sid];
  if (c->reset_queued) return 0;
  if (dc->npend % 64 == 0) {
    uint16_t *n = rtg_alloc(&dc->ctx, (dc->npend + 64) * sizeof *n);
    if (n == NULL) return RTG_ERR_NOMEM;
    if (dc->npend) memcpy(n, dc->pend, dc->npend * sizeof *n);
    rtg_free(&dc->ctx, dc->pend);
    dc->pend = n;
  }
  if (dc->npend >= 256) return RTG_ERR_NOMEM;
  dc->pend[dc->npend++] = sid;
  c->reset_queued = true;
  return flush_resets(dc);
}

int rtg_dc_close(struct rtg_dc *dc, uint16_t sid) {
  struct chan *c = chan_get(dc, sid, false);
  if (c == NULL || c->state == CH_FREE) return RTG_ERR_NOTFOUND;
  if (c->state == CH_CLOSING) return 0;
  c->state = CH_CLOSING;
  return queue_reset(dc, sid);
}

size_t rtg_dc_buffered(const struct rtg_dc *dc, uint16_t sid) {
  return rtg_sctp_assoc_buffered(dc->assoc, sid);
}

/* DCEP message on |sid|; returns 1 when |ev| was filled. */
static int on_dcep(struct rtg_dc *dc, const struct rtg_sctp_event *in, struct rtg_dc_event *ev) {
  struct rtg_dcep_msg m;
  struct chan *c;
  uint8_t ack[1];
  if (rtg_dcep_parse(in->data, in->len, &m, NULL)) return 0; /* malformed: dropped */
  if (m.type == RTG_DCEP_ACK) {
    c = chan_get(dc, in->sid, false);
    if (c == NULL || c->state != CH_OPENING) return 0;
    c->state = CH_OPEN;
    ev->type = RTG_DC_EV_CHANNEL_ACKED;
    ev->sid = in->sid;
    return 1;
  }
  /* an OPEN must use the peer's parity and a free id (RFC 8832 §6) */
  if (ours(dc, in->sid) || in->sid > dc->max_id) return 0;
  if ((c = chan_get(dc, in->sid, true)) == NULL) return RTG_ERR_NOMEM;
  if (c->state != CH_FREE) return 0;
  if (dup_text(dc, m.open.label.p, m.open.label.len, &c->label) ||
      dup_text(dc, m.open.protocol.p, m.open.protocol.len, &c->protocol)) {
    chan_release(dc, c);
    return RTG_ERR_NOMEM;
  }
  c->label_len = m.open.label.len;
  c->protocol_len = m.open.protocol.len;
  c->type = m.open.channel_type;
  c->reliability = m.open.reliability;
  c->state = CH_OPEN;
  if (rtg_dcep_ack_write(ack, sizeof ack) != 1 ||
      rtg_sctp_assoc_send(dc->assoc, rtg_sctp_assoc_now(dc->assoc), in->sid, RTG_SCTP_PPID_DCEP,
                          ack, 1, NULL))
    return RTG_ERR_NOMEM;
  ev->type = RTG_DC_EV_CHANNEL_OPEN;
  ev->sid = in->sid;
  ev->channel_type = c->type;
  ev->label.p = c->label;
  ev->label.len = c->label_len;
  ev->protocol.p = c->protocol;
  ev->protocol.len = c->protocol_len;
  return 1;
}

static int closed_if_done(struct rtg_dc *dc, struct chan *c, uint16_t sid,
                          struct rtg_dc_event *ev) {
  if (!(c->in_reset && c->out_reset)) return 0;
  chan_release(dc, c);
  ev->type = RTG_DC_EV_CHANNEL_CLOSED;
  ev->sid = sid;
  return 1;
}

/* Translates one association event; returns 1 when |ev| was filled. */
static int translate(struct rtg_dc *dc, const struct rtg_sctp_event *in, struct rtg_dc_event *ev) {
  struct chan *c;
  switch (in->type) {
    case RTG_SCTP_EV_CONNECTED: ev->type = RTG_DC_EV_CONNECTED; return 1;
    case RTG_SCTP_EV_RESTARTED:
      /* the peer restarted: its channels are gone, ours with them */
      for (size_t i = 0; i < dc->nch; i++) chan_release(dc, &dc->ch[i]);
      dc->npend = 0;
      ev->type = RTG_DC_EV_CONNECTED;
      return 1;
    case RTG_SCTP_EV_CLOSED:
    case RTG_SCTP_EV_ABORTED:
      ev->type = RTG_DC_EV_CLOSED;
      ev->error = in->error;
      return 1;
    case RTG_SCTP_EV_BUFFERED_LOW:
      ev->type = RTG_DC_EV_BUFFERED_LOW;
      ev->sid = in->sid;
      return 1;
    case RTG_SCTP_EV_STREAM_RESET:
      /* the peer closed its direction: close ours too (RFC 8831 §6.7) */
      if ((c = chan_get(dc, in->sid, false)) == NULL || c->state == CH_FREE) return 0;
      c->in_reset = true;
      if (c->state != CH_CLOSING) {
        int rc;
        c->state = CH_CLOSING;
        if ((rc = queue_reset(dc, in->sid))) return rc;
      }
      return closed_if_done(dc, c, in->sid, ev);
    case RTG_SCTP_EV_RESET_DONE: {
      int rc;
      if ((c = chan_get(dc, in->sid, false)) == NULL) return 0;
      c->out_reset = true;
      c->reset_queued = false;
      if ((rc = flush_resets(dc))) return rc;
      return closed_if_done(dc, c, in->sid, ev);
    }
    case RTG_SCTP_EV_MESSAGE:
      if (in->ppid == RTG_SCTP_PPID_DCEP) return on_dcep(dc, in, ev);
      c = chan_get(dc, in->sid, false);
      if (c == NULL || (c->state != CH_OPEN && c->state != CH_OPENING)) return 0;
      /* RFC 8832 §6: data from the peer implies it saw our OPEN */
      if (c->state == CH_OPENING) c->state = CH_OPEN;
      ev->type = RTG_DC_EV_MESSAGE;
      ev->sid = in->sid;
      ev->data = in->data;
      ev->len = in->len;
      switch (in->ppid) {
        case RTG_SCTP_PPID_STRING: ev->binary = false; break;
        case RTG_SCTP_PPID_BINARY: ev->binary = true; break;
        case RTG_SCTP_PPID_STRING_EMPTY: ev->len = 0; break;
        case RTG_SCTP_PPID_BINARY_EMPTY:
          ev->binary = true;
          ev->len = 0;
          break;
        case RTG_SCTP_PPID_STRING_PARTIAL: ev->deprecated_ppid = true; break;
        case RTG_SCTP_PPID_BINARY_PARTIAL:
          ev->binary = true;
          ev->deprecated_ppid = true;
          break;
        default: return 0; /* not a data channel PPID */
      }
      return 1;
    default: return 0;
  }
}

int rtg_dc_poll_event(struct rtg_dc *dc, struct rtg_dc_event *ev) {
  struct rtg_sctp_event in;
  for (;;) {
    int rc;
    memset(ev, 0, sizeof *ev);
    if (rtg_sctp_assoc_poll_event(dc->assoc, &in)) return RTG_ERR_AGAIN;
    if ((rc = translate(dc, &in, ev)) < 0) return rc;
    if (rc == 1) return 0;
  }
}
