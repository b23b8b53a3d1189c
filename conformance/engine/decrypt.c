/*
 * decrypt.c - what the key log opens: DTLS records decrypted by the DTLS
 * module's session decryptor (1.2 CLIENT_RANDOM, 1.3 traffic secrets),
 * DTLS 1.3 handshake messages (certificate check), SCTP/DCEP inside DTLS
 * (checksums, duplicates, data channels and their messages), and SRTP/SRTCP
 * authenticated and decrypted with the DTLS-SRTP keys of RFC 5764 §4.2,
 * then RTCP compound validity (RFC 3550 A.2) on the plaintext.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"

void rtg_decrypt_free_flow(struct rtg_flow *fl) {
  if (fl->dec) {
    rtg_dtls_decryptor_free(fl->dec);
    free(fl->dec);
    fl->dec = NULL;
  }
  for (int d = 0; d < 2; d++) {
    rtg_srtp_destroy(fl->srtp[d]);
    fl->srtp[d] = NULL;
    free(fl->sctp_seen[d]);
    fl->sctp_seen[d] = NULL;
  }
}

/* ---- SCTP and DCEP inside DTLS ---------------------------------------- */

static struct rtg_channel *channel_find(struct rtg_replay *r, int f, uint16_t sid, bool create) {
  for (int i = 0; i < r->nchannels; i++)
    if (r->channels[i].flow == f && r->channels[i].sid == sid) return &r->channels[i];
  if (!create || r->nchannels >= RTG_MAX_CHANNELS) return NULL;
  memset(&r->channels[r->nchannels], 0, sizeof r->channels[0]);
  r->channels[r->nchannels].flow = f;
  r->channels[r->nchannels].sid = sid;
  r->channels[r->nchannels].opener_dir = -1;
  return &r->channels[r->nchannels++];
}

static void on_dcep(struct rtg_replay *r, int f, int dir, const struct rtg_sctp_data *d) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_dcep_msg m;
  struct rtg_perr e;
  struct rtg_channel *ch;
  char msg[160];
  rtg_perr_clear(&e);
  if (rtg_dcep_parse(d->payload.p, d->payload.len, &m, &e)) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_DCEP_MALFORMED, fl->session, "stream %u: %s", d->sid, msg);
    return;
  }
  if (r->plain_sink) r->plain_sink(r->plain_ud, RTG_PLAIN_DCEP, d->payload.p, d->payload.len);
  ch = channel_find(r, f, d->sid, true);
  if (ch == NULL) return;
  if (m.type == RTG_DCEP_ACK) {
    ch->acked = true;
    return;
  }
  ch->opener_dir = dir;
  ch->type = m.open.channel_type;
  ch->open_pkt = r->cur_pkt;
  snprintf(ch->label, sizeof ch->label, "%.*s",
           (int)(m.open.label.len < 63 ? m.open.label.len : 63), (const char *)m.open.label.p);
  snprintf(ch->protocol, sizeof ch->protocol, "%.*s",
           (int)(m.open.protocol.len < 63 ? m.open.protocol.len : 63),
           (const char *)m.open.protocol.p);
  rtg_replay_event(r, f, dir, false, "DCEP OPEN '%s' stream %u", ch->label, d->sid);
  /* RFC 8832 §6: the DTLS client opens even stream ids, the server odd. */
  if (fl->client_dir >= 0 && (d->sid % 2 == 0) != (dir == fl->client_dir))
    rtg_finding(r, R_DCEP_STREAM_PARITY, fl->session,
                "the DTLS %s opened channel '%s' on stream %u",
                dir == fl->client_dir ? "client" : "server", ch->label, d->sid);
}

static bool tsn_duplicate(struct rtg_flow *fl, int dir, uint32_t tsn) {
  uint32_t *seen = fl->sctp_seen[dir];
  if (seen == NULL) {
    seen = fl->sctp_seen[dir] = calloc(RTG_TSN_WINDOW, sizeof *seen);
    if (seen == NULL) return false;
  }
  if (seen[tsn % RTG_TSN_WINDOW] == tsn + 1) return true;
  seen[tsn % RTG_TSN_WINDOW] = tsn + 1;
  return false;
}

static void on_data(struct rtg_replay *r, int f, int dir, const struct rtg_sctp_data *d) {
  struct rtg_channel *ch;
  if (tsn_duplicate(&r->flows[f], dir, d->tsn)) return; /* a retransmission */
  if (d->ppid == RTG_SCTP_PPID_DCEP && (d->begin || !d->idata)) {
    on_dcep(r, f, dir, d);
    return;
  }
  /* pre-negotiated channels have no OPEN: they appear with their data */
  ch = channel_find(r, f, d->sid, true);
  if (ch == NULL) return;
  ch->bytes[dir] += d->payload.len;
  if (d->end) {
    ch->messages[dir]++;
    r->dc_messages++;
  }
}

/* Serial number arithmetic (RFC 1982) on TSNs. */
static bool tsn_gt(uint32_t a, uint32_t b) { return a != b && (uint32_t)(a - b) < 0x80000000u; }

static void on_reconfig(struct rtg_replay *r, int f, int dir,
                        const struct rtg_sctp_chunk_info *ci) {
  struct rtg_rd rd;
  struct rtg_sctp_tlv t;
  rtg_rd_init(&rd, ci->tlvs.p, ci->tlvs.len);
  while (rtg_sctp_tlv_next(&rd, &t, "sctp.param", NULL) == 1) {
    struct rtg_sctp_reconf rc;
    if (rtg_sctp_reconf_decode(&t, &rc, NULL) != 0 || t.type != 13) continue;
    /* Outgoing SSN Reset Request (RFC 6525 §4.1): the sender closes its
     * outgoing side of these streams (RFC 8831 §6.7 data channel close). */
    for (size_t i = 0; i < rc.nsids; i++) {
      struct rtg_channel *ch = channel_find(r, f, rtg_sctp_reconf_sid(&rc, i), false);
      if (ch == NULL) continue;
      ch->reset[dir] = true;
      ch->reset_ts[dir] = r->cur_ts;
      rtg_replay_event(r, f, dir, false, "RE-CONFIG reset '%s' stream %u", ch->label, ch->sid);
    }
  }
}

static void on_chunk(struct rtg_replay *r, int f, int dir, const struct rtg_sctp_chunk *c) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_sctp_chunk_info ci;
  if (rtg_sctp_chunk_decode(c, &ci, NULL) != 0) return;
  switch (c->type) {
    case RTG_SCTP_DATA:
    case RTG_SCTP_I_DATA:
      if (!fl->sctp_sent_data[dir] || tsn_gt(ci.u.data.tsn, fl->sctp_max_tsn[dir]))
        fl->sctp_max_tsn[dir] = ci.u.data.tsn;
      fl->sctp_sent_data[dir] = true;
      on_data(r, f, dir, &ci.u.data);
      break;
    case RTG_SCTP_INIT:
    case RTG_SCTP_INIT_ACK:
      /* packets sent to this side must carry its initiate tag */
      fl->sctp_tag[dir] = ci.u.init.init_tag;
      fl->sctp_tag_known[dir] = true;
      rtg_replay_event(r, f, dir, false, "SCTP %s", c->type == RTG_SCTP_INIT ? "INIT" : "INIT-ACK");
      break;
    case RTG_SCTP_SACK:
      if (fl->sctp_sent_data[!dir] && tsn_gt(ci.u.sack.cum_tsn, fl->sctp_max_tsn[!dir]))
        rtg_finding(r, R_SCTP_SACK_BEYOND, fl->session,
                    "cumulative TSN ack %u, but the peer's highest TSN sent is %u",
                    ci.u.sack.cum_tsn, fl->sctp_max_tsn[!dir]);
      break;
    case RTG_SCTP_RECONFIG: on_reconfig(r, f, dir, &ci); break;
    case RTG_SCTP_COOKIE_ECHO: rtg_replay_event(r, f, dir, false, "SCTP COOKIE-ECHO"); break;
    case RTG_SCTP_COOKIE_ACK: rtg_replay_event(r, f, dir, false, "SCTP COOKIE-ACK"); break;
    default: break;
  }
}

static void on_sctp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk c;
  struct rtg_perr e;
  bool has_init = false, reflected = false;
  char msg[160];
  int rc;
  rtg_perr_clear(&e);
  rc = rtg_sctp_packet_parse(p, n, RTG_SCTP_PARSE_ZERO_CHECKSUM_OK, &pkt, &e);
  if (rc == RTG_ERR_AUTH) {
    rtg_finding(r, R_SCTP_CHECKSUM, fl->session, "SCTP packet of %zu bytes: CRC-32c mismatch", n);
    return;
  }
  if (rc) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_SCTP_MALFORMED, fl->session, "%s", msg);
    return;
  }
  fl->sctp_packets++;
  r->sctp_packets++;
  if (r->plain_sink) r->plain_sink(r->plain_ud, RTG_PLAIN_SCTP, p, n);
  rtg_sctp_chunk_iter_init(&it, p, &pkt);
  while (rtg_sctp_chunk_next(&it, &c, NULL) == 1) {
    if (c.type == RTG_SCTP_INIT) has_init = true;
    /* ABORT and SHUTDOWN COMPLETE with the T bit reflect the sender's own
     * tag (RFC 9260 §8.5.1) */
    if ((c.type == RTG_SCTP_ABORT || c.type == RTG_SCTP_SHUTDOWN_COMPLETE) && (c.flags & 1))
      reflected = true;
    on_chunk(r, f, dir, &c);
  }
  /* RFC 9260 §8.5: an INIT carries tag 0; everything else the peer's tag */
  if (has_init ? pkt.hdr.vtag != 0
               : fl->sctp_tag_known[!dir] && !reflected && pkt.hdr.vtag != fl->sctp_tag[!dir])
    rtg_finding(r, R_SCTP_VTAG, fl->session, "verification tag %08x, expected %08x", pkt.hdr.vtag,
                has_init ? 0 : fl->sctp_tag[!dir]);
}

/* ---- DTLS ---------------------------------------------------------------- */

/* Tries per flow to find the flow whose keys open its traffic. */
#define LINK_TRIES 8

/* Redirects (|*f|, |*dir|) of a flow that continues another flow's DTLS
 * association to that flow. */
static void follow_link(struct rtg_replay *r, int *f, int *dir) {
  const struct rtg_flow *fl = &r->flows[*f];
  if (fl->dtls_owner < 0) return;
  if (fl->dtls_swap) *dir = !*dir;
  *f = fl->dtls_owner;
}

static void link_to(struct rtg_replay *r, int f, int dir, int owner, int owner_dir) {
  struct rtg_flow *fl = &r->flows[f];
  fl->dtls_owner = owner;
  fl->dtls_swap = owner_dir != dir;
  rtg_replay_event(r, f, dir, false, "the DTLS association of an earlier path continues here");
}

/* A flow whose first DTLS record is already protected continues an
 * association whose handshake went over another flow (the ICE pair moved:
 * restart, new selected pair). The flow whose keys authenticate the record
 * is the one: it is linked, and the record's content is in r->scratch.
 * returns the content length or RTG_ERR_NOTFOUND. */
static ptrdiff_t link_dtls(struct rtg_replay *r, int f, int dir, const struct rtg_dtls_record *rec,
                           uint8_t *type) {
  r->flows[f].dtls_link_tries++;
  for (int g = 0; g < r->nflows; g++) {
    struct rtg_flow *o = &r->flows[g];
    if (g == f || o->dec == NULL || o->client_dir < 0 || o->dtls_owner >= 0 ||
        o->dtls_decrypted == 0)
      continue;
    for (int from_client = 0; from_client < 2; from_client++) {
      struct rtg_perr e;
      ptrdiff_t n;
      rtg_perr_clear(&e);
      n = rtg_dtls_decryptor_record(o->dec, from_client, rec, r->scratch, RTG_SCRATCH, type, &e);
      if (n >= 0) {
        link_to(r, f, dir, g, from_client ? o->client_dir : !o->client_dir);
        return n;
      }
    }
  }
  return RTG_ERR_NOTFOUND;
}

/* Who sends a plaintext handshake record whose first message is not a
 * ClientHello: 1 the client, 0 the server, -1 cannot tell (Certificate is
 * sent by both). */
static int hs_from_client(const struct rtg_dtls_record *rec) {
  switch (rec->payload.p[0]) {
    case RTG_DTLS_HS_CLIENT_KEY_EXCHANGE:
    case RTG_DTLS_HS_CERTIFICATE_VERIFY: return 1;
    case RTG_DTLS_HS_SERVER_HELLO:
    case RTG_DTLS_HS_HELLO_VERIFY_REQUEST:
    case RTG_DTLS_HS_SERVER_KEY_EXCHANGE:
    case RTG_DTLS_HS_CERTIFICATE_REQUEST:
    case RTG_DTLS_HS_SERVER_HELLO_DONE: return 0;
    default: return -1;
  }
}

/* A handshake split over two flows of one ICE session (an agent answers
 * on another candidate pair than the one the ClientHello came on, before
 * nomination settles): the flow of the session that carried the
 * ClientHello owns the association. */
static void link_by_session(struct rtg_replay *r, int f, int dir,
                            const struct rtg_dtls_record *rec) {
  const struct rtg_flow *fl = &r->flows[f];
  int c = hs_from_client(rec);
  if (fl->session < 0 || c < 0) return;
  for (int g = 0; g < r->nflows; g++) {
    const struct rtg_flow *o = &r->flows[g];
    if (g != f && o->session == fl->session && o->dtls_owner < 0 && o->client_dir >= 0 &&
        o->dec != NULL) {
      link_to(r, f, dir, g, c ? o->client_dir : !o->client_dir);
      return;
    }
  }
}

/* What a decrypted record carries, on flow |f| (the association's own). */
static void dtls_content(struct rtg_replay *r, int f, int dir, uint8_t type, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  fl->dtls_decrypted++;
  r->dtls_decrypted++;
  switch (type) {
    case RTG_DTLS_CT_APPDATA: on_sctp(r, f, dir, r->scratch, n); break;
    case RTG_DTLS_CT_HANDSHAKE: {
      /* copy: the handshake path may decrypt nothing but reuses no scratch */
      uint8_t *copy = malloc(n ? n : 1);
      if (copy == NULL) break;
      memcpy(copy, r->scratch, n);
      rtg_dtls_handshake_bytes(r, f, dir, copy, n);
      free(copy);
      break;
    }
    case RTG_DTLS_CT_ALERT:
      if (n >= 2 && r->scratch[1] != 0) /* close_notify is the normal end */
        rtg_finding(r, R_DTLS_ALERT, fl->session, "encrypted alert %s (level %u)",
                    rtg_dtls_alert_name(r->scratch[1]), r->scratch[0]);
      else
        rtg_replay_event(r, f, dir, false, "DTLS close_notify");
      break;
    default: break;
  }
}

void rtg_decrypt_dtls_record(struct rtg_replay *r, int f, int dir,
                             const struct rtg_dtls_record *rec) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_perr e;
  uint8_t type = 0;
  ptrdiff_t n;
  bool from_client;
  char msg[160];
  if (fl->dtls_owner < 0 && fl->client_dir < 0 && !rec->unified && rec->epoch == 0 &&
      rec->type == RTG_DTLS_CT_HANDSHAKE && rec->payload.len &&
      rec->payload.p[0] != RTG_DTLS_HS_CLIENT_HELLO)
    link_by_session(r, f, dir, rec);
  if (fl->dtls_owner < 0 && fl->client_dir < 0 && fl->dtls_link_tries < LINK_TRIES &&
      (rec->unified || rec->epoch > 0)) {
    n = link_dtls(r, f, dir, rec, &type);
    if (n < 0) {
      fl->dtls_undecryptable++;
      return;
    }
    follow_link(r, &f, &dir);
    dtls_content(r, f, dir, type, (size_t)n);
    return;
  }
  follow_link(r, &f, &dir);
  fl = &r->flows[f];
  if (fl->dec == NULL) {
    fl->dec = calloc(1, sizeof *fl->dec);
    if (fl->dec == NULL) return;
    rtg_dtls_decryptor_init(fl->dec, r->kl, &r->ctx);
  }
  /* The sender of the ClientHello is the client; before its (possibly
   * fragmented) ClientHello completes, its first fragment says so. */
  if (fl->client_dir < 0 && !rec->unified && rec->epoch == 0 &&
      rec->type == RTG_DTLS_CT_HANDSHAKE && rec->payload.len && rec->payload.p[0] == 1)
    fl->client_dir = dir;
  from_client = fl->client_dir < 0 ? dir == 0 : dir == fl->client_dir;
  rtg_perr_clear(&e);
  n = rtg_dtls_decryptor_record(fl->dec, from_client, rec, r->scratch, RTG_SCRATCH, &type, &e);
  if (rec->unified == false && rec->epoch == 0) return; /* plaintext: already checked */
  if (n == RTG_ERR_AUTH) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_DTLS_AUTH_FAILED, fl->session, "%s record: %s",
                from_client ? "client" : "server", msg);
    return;
  }
  if (n < 0) {
    fl->dtls_undecryptable++;
    return;
  }
  dtls_content(r, f, dir, type, (size_t)n);
}

/* ---- SRTP / SRTCP ---------------------------------------------------------- */

static bool srtp_ready(struct rtg_replay *r, struct rtg_flow *fl) {
  struct rtg_dtls_srtp_keys k;
  struct rtg_srtp_policy pol;
  int rc;
  if (fl->srtp_ready) return true;
  if (fl->srtp_failed || fl->dec == NULL || fl->client_dir < 0) return false;
  rc = rtg_dtls_decryptor_srtp_keys(fl->dec, &k);
  if (rc == RTG_ERR_STATE) return false; /* handshake not far enough yet */
  if (rc) {
    fl->srtp_failed = true;
    return false;
  }
  for (int side = 0; side < 2; side++) { /* 0: keys of the client's packets */
    int d = side == 0 ? fl->client_dir : !fl->client_dir;
    memset(&pol, 0, sizeof pol);
    pol.profile = (enum rtg_srtp_profile)k.profile;
    pol.key = side == 0 ? k.client_key : k.server_key;
    pol.key_len = k.key_len;
    pol.salt = side == 0 ? k.client_salt : k.server_salt;
    pol.salt_len = k.salt_len;
    pol.max_streams = 256;
    if (rtg_srtp_create(&fl->srtp[d], &r->ctx, &pol)) {
      fl->srtp_failed = true;
      return false;
    }
  }
  fl->srtp_ready = true;
  fl->srtp_profile = k.profile;
  r->keys_used = true;
  return true;
}

/* Media on a flow without DTLS of its own continues another flow's
 * association (the path moved before any data-channel record did): the
 * flow whose SRTP keys authenticate the packet is the one. Unauthenticated
 * tries change no SRTP state. returns the unprotect result, or
 * RTG_ERR_NOTFOUND. */
static ptrdiff_t link_srtp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n,
                           bool rtcp) {
  r->flows[f].dtls_link_tries++;
  for (int g = 0; g < r->nflows; g++) {
    struct rtg_flow *o = &r->flows[g];
    if (g == f || !o->srtp_ready || o->dtls_owner >= 0) continue;
    for (int d = 0; d < 2; d++) {
      ptrdiff_t rc;
      if (rtcp) {
        memcpy(r->scratch, p, n);
        rc = rtg_srtcp_unprotect(o->srtp[d], r->scratch, n);
      } else {
        rc = rtg_srtp_unprotect_to(o->srtp[d], p, n, r->scratch, RTG_SCRATCH);
      }
      if (rc >= 0) {
        link_to(r, f, dir, g, d);
        return rc;
      }
    }
  }
  return RTG_ERR_NOTFOUND;
}

/* Unprotects into r->scratch with the keys of flow |f| (or the flow it
 * continues). returns the unprotect result; RTG_ERR_STATE without keys. */
static ptrdiff_t unprotect(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n,
                           bool rtcp) {
  struct rtg_flow *fl = &r->flows[f];
  if (n > RTG_SCRATCH) return RTG_ERR_STATE;
  if (fl->dtls_owner < 0 && fl->dec == NULL && fl->dtls_link_tries < LINK_TRIES) {
    ptrdiff_t rc = link_srtp(r, f, dir, p, n, rtcp);
    if (rc != RTG_ERR_NOTFOUND) return rc;
  }
  follow_link(r, &f, &dir);
  fl = &r->flows[f];
  if (!srtp_ready(r, fl)) return RTG_ERR_STATE;
  if (!rtcp) return rtg_srtp_unprotect_to(fl->srtp[dir], p, n, r->scratch, RTG_SCRATCH);
  memcpy(r->scratch, p, n);
  return rtg_srtcp_unprotect(fl->srtp[dir], r->scratch, n);
}

void rtg_decrypt_srtp(struct rtg_replay *r, int f, int dir, struct rtg_ssrc_stats *s,
                      const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  /* decrypted straight into the scratch buffer: the capture is read-only */
  ptrdiff_t rc = unprotect(r, f, dir, p, n, false);
  if (rc == RTG_ERR_STATE) return;
  if (rc >= 0) {
    struct rtg_rtp_hdr h;
    struct rtg_perr e;
    char msg[160];
    if (s) s->authenticated++;
    r->srtp_auth++;
    if (r->plain_sink) r->plain_sink(r->plain_ud, RTG_PLAIN_RTP, r->scratch, (size_t)rc);
    /* now the padding is readable: with the P bit set the whole packet must
     * parse again (the clear header was parsed before; nothing else changed) */
    rtg_perr_clear(&e);
    if ((r->scratch[0] & 0x20) && rtg_rtp_parse(&h, r->scratch, (size_t)rc, &e)) {
      rtg_perr_format(&e, msg, sizeof msg);
      rtg_finding(r, R_RTP_MALFORMED, fl->session, "after SRTP decryption: %s", msg);
    }
  } else if (rc == RTG_ERR_AUTH) {
    if (s) s->auth_failed++;
    rtg_finding(r, R_SRTP_AUTH_FAILED, fl->session, "SRTP packet of SSRC %08x, seq %u: bad tag",
                n >= 12 ? rtg_load_u32(p + 8) : 0, n >= 4 ? rtg_load_u16(p + 2) : 0);
  } else if (rc == RTG_ERR_REPLAY) {
    if (s) s->replayed++;
    rtg_finding(r, R_SRTP_REPLAY, fl->session, "SRTP packet of SSRC %08x, seq %u replayed",
                n >= 12 ? rtg_load_u32(p + 8) : 0, n >= 4 ? rtg_load_u16(p + 2) : 0);
  }
}

void rtg_decrypt_srtcp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  ptrdiff_t rc = unprotect(r, f, dir, p, n, true);
  if (rc == RTG_ERR_STATE) return;
  if (rc >= 0) {
    struct rtg_rtcp_compound c;
    struct rtg_perr e;
    char msg[160];
    /* Reduced-size RTCP (RFC 5506) is allowed when an SDP negotiated it,
     * and assumed when no SDP was given (browsers always offer it). */
    unsigned flags = r->nsdp == 0 || r->rtcp_rsize ? RTG_RTCP_REDUCED_SIZE : 0;
    r->srtcp_auth++;
    if (r->plain_sink) r->plain_sink(r->plain_ud, RTG_PLAIN_RTCP, r->scratch, (size_t)rc);
    rtg_perr_clear(&e);
    if (rtg_rtcp_parse(&c, r->scratch, (size_t)rc, flags, &e)) {
      rtg_perr_format(&e, msg, sizeof msg);
      rtg_finding(r, R_RTCP_INVALID, fl->session, "after SRTCP decryption: %s", msg);
    }
  } else if (rc == RTG_ERR_AUTH) {
    rtg_finding(r, R_SRTP_AUTH_FAILED, fl->session, "SRTCP packet of SSRC %08x: bad tag",
                n >= 8 ? rtg_load_u32(p + 4) : 0);
  } else if (rc == RTG_ERR_REPLAY) {
    rtg_finding(r, R_SRTP_REPLAY, fl->session, "SRTCP packet of SSRC %08x replayed",
                n >= 8 ? rtg_load_u32(p + 4) : 0);
  }
}

void rtg_replay_finish(struct rtg_replay *r) {
  r->cur_flow = -1;
  for (int i = 0; i < r->nchannels; i++) {
    struct rtg_channel *ch = &r->channels[i];
    int session = r->flows[ch->flow].session;
    r->cur_pkt = 0;
    /* The peer answers a reset with its own (RFC 8831 §6.7). A capture that
     * ends right after the first reset proves nothing: only one that goes
     * on for 5 s on this flow without the answer does. */
    if (ch->reset[0] != ch->reset[1] &&
        r->flows[ch->flow].last_ts - ch->reset_ts[ch->reset[0] ? 0 : 1] > 5.0)
      rtg_finding(r, R_DC_HALF_CLOSED, session,
                  "channel '%s' (stream %u) was reset by direction %d only", ch->label, ch->sid,
                  ch->reset[0] ? 0 : 1);
    if (ch->opener_dir >= 0 && !ch->acked)
      rtg_finding(r, R_DCEP_NO_ACK, session,
                  "DATA_CHANNEL_OPEN of '%s' (stream %u, packet %llu) never acknowledged",
                  ch->label, ch->sid, (unsigned long long)ch->open_pkt);
  }
}
