/*
 * peer_stats.c - the --json view of a session: events with their fields,
 * the rtg_peer statistics, and the answerer's expectations judged from
 * those statistics.
 */
#include <string.h>

#include "lib/peer_session.h"

static const char *cand_type_name(uint8_t t) {
  switch (t) {
    case RTG_ICE_CAND_HOST: return "host";
    case RTG_ICE_CAND_SRFLX: return "srflx";
    case RTG_ICE_CAND_PRFLX: return "prflx";
    case RTG_ICE_CAND_RELAY: return "relay";
    default: return "?";
  }
}

json_t *rtg_pio_cand_json(const struct rtg_ice_cand *c) {
  char a[80];
  rtg_pio_addr_format(&c->addr, true, a, sizeof a);
  return json_pack("{s:s,s:s}", "type", cand_type_name(c->type), "address", a);
}

json_t *rtg_pio_event_fields(const struct rtg_peer_event *ev) {
  switch (ev->type) {
    case RTG_PEER_EV_TURN_ALLOCATED:
      return json_pack("{s:o}", "relay", rtg_pio_cand_json(&ev->local));
    case RTG_PEER_EV_ICE_SELECTED_PAIR:
    case RTG_PEER_EV_ICE_CONNECTED:
      return json_pack("{s:o,s:o}", "local", rtg_pio_cand_json(&ev->local), "remote",
                       rtg_pio_cand_json(&ev->remote));
    case RTG_PEER_EV_DTLS_CONNECTED:
      return json_pack("{s:s,s:s}", "role",
                       ev->dtls_role == RTG_DTLS_ROLE_CLIENT ? "client" : "server", "srtp_profile",
                       ev->srtp_profile ? rtg_srtp_profile_name(ev->srtp_profile) : "none");
    case RTG_PEER_EV_CHANNEL_OPEN:
      return json_pack("{s:i,s:s%,s:i}", "sid", ev->sid, "label", (const char *)ev->label.p,
                       ev->label.len, "channel_type", ev->channel_type);
    case RTG_PEER_EV_CHANNEL_ACKED:
    case RTG_PEER_EV_CHANNEL_CLOSED: return json_pack("{s:i}", "sid", ev->sid);
    case RTG_PEER_EV_MDNS_RESOLVE: return json_pack("{s:s}", "hostname", ev->hostname);
    case RTG_PEER_EV_TURN_FAILED:
      return json_pack("{s:s,s:i}", "reason", ev->reason ? ev->reason : "", "error", ev->error);
    case RTG_PEER_EV_ICE_FAILED:
    case RTG_PEER_EV_DTLS_FAILED:
    case RTG_PEER_EV_FINGERPRINT_MISMATCH:
    case RTG_PEER_EV_CLOSED: return json_pack("{s:s}", "reason", ev->reason ? ev->reason : "");
    default: return NULL;
  }
}

static json_t *stream_json(const struct rtg_peer_stream_stats *st) {
  return json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:I}", "ssrc", (json_int_t)st->ssrc,
                   "direction", st->outbound ? "outbound" : "inbound", "kind",
                   st->kind == RTG_SDP_MEDIA_AUDIO   ? "audio"
                   : st->kind == RTG_SDP_MEDIA_VIDEO ? "video"
                                                     : "other",
                   "packets", (json_int_t)st->packets, "bytes", (json_int_t)st->bytes, "nacks",
                   (json_int_t)st->nacks, "plis", (json_int_t)st->plis, "retransmitted",
                   (json_int_t)st->retransmitted, "srtp_failures", (json_int_t)st->srtp_failures,
                   "lost", (int)st->lost, "reports", (json_int_t)st->reports);
}

static json_t *channel_json(const struct rtg_peer_channel_stats *c) {
  return json_pack("{s:i,s:s,s:i,s:b,s:I,s:I,s:I,s:I}", "sid", c->sid, "label", c->label,
                   "channel_type", c->channel_type, "open", c->open, "messages_in",
                   (json_int_t)c->messages_in, "messages_out", (json_int_t)c->messages_out,
                   "bytes_in", (json_int_t)c->bytes_in, "bytes_out", (json_int_t)c->bytes_out);
}

static json_t *ms_since(const struct rtg_pio_session *s, rtg_time t) {
  return t ? json_real((double)(t - s->started) / 1e6) : json_null();
}

json_t *rtg_pio_stats_json(const struct rtg_pio_session *s, const struct rtg_peer_stats *st) {
  json_t *j, *streams = json_array(), *chans = json_array();
  const char *ver = st->dtls_version == RTG_DTLS_V13   ? "1.3"
                    : st->dtls_version == RTG_DTLS_V12 ? "1.2"
                                                       : NULL;
  for (size_t i = 0; i < st->nstreams; i++)
    json_array_append_new(streams, stream_json(&st->streams[i]));
  for (size_t i = 0; i < st->nchannels; i++)
    json_array_append_new(chans, channel_json(&st->channels[i]));
  j = json_pack("{s:{s:b,s:s,s:o,s:o,s:o,s:I},s:{s:b,s:s,s:s?,s:s,s:o},s:{s:b,s:o}}", "ice",
                "connected", st->ice_connected, "role",
                st->ice_role == RTG_ICE_CONTROLLING ? "controlling" : "controlled", "local",
                st->ice_connected ? rtg_pio_cand_json(&st->local) : json_null(), "remote",
                st->ice_connected ? rtg_pio_cand_json(&st->remote) : json_null(), "connected_ms",
                ms_since(s, st->ice_connected_at), "restarts", (json_int_t)st->ice_restarts, "dtls",
                "connected", st->dtls_connected, "role",
                st->dtls_role == RTG_DTLS_ROLE_CLIENT ? "client" : "server", "version", ver,
                "srtp_profile", st->srtp_profile ? rtg_srtp_profile_name(st->srtp_profile) : "none",
                "connected_ms", ms_since(s, st->dtls_connected_at), "sctp", "connected",
                st->sctp_connected, "connected_ms", ms_since(s, st->sctp_connected_at));
  json_object_set_new(j, "channels", chans);
  json_object_set_new(j, "streams", streams);
  json_object_set_new(
      j, "datagrams",
      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "in", (json_int_t)st->datagrams_in, "out",
                (json_int_t)st->datagrams_out, "bytes_in", (json_int_t)st->bytes_in, "bytes_out",
                (json_int_t)st->bytes_out, "loss_dropped_in", (json_int_t)st->loss_dropped_in,
                "loss_dropped_out", (json_int_t)st->loss_dropped_out, "unknown_dropped",
                (json_int_t)st->unknown_dropped, "stun_rate_limited",
                (json_int_t)st->stun_rate_limited, "stun_bad_integrity",
                (json_int_t)st->stun_bad_integrity));
  return j;
}

/* ---- the answerer's view of its expectations, from the statistics ------------------ */

void rtg_pio_answerer_evaluate(struct rtg_pio_session *s, const struct rtg_peer_stats *st,
                               rtg_time now) {
  if (st->ice_connected) rtg_pio_session_met(s, now, RTG_PIO_EXPECT_ICE);
  if (st->dtls_connected) rtg_pio_session_met(s, now, RTG_PIO_EXPECT_DTLS);
  for (size_t i = 0; i < st->nchannels; i++) {
    const struct rtg_peer_channel_stats *c = &st->channels[i];
    bool echoed = c->messages_in > 0 && c->messages_out > 0;
    /* any channel: whether the remote also asks for an unreliable one
     * is datachannel-unreliable's business */
    if (echoed) rtg_pio_session_met(s, now, RTG_PIO_EXPECT_DATACHANNEL);
    if (echoed && (c->channel_type & 0x7f) == RTG_DCEP_PARTIAL_REXMIT)
      rtg_pio_session_met(s, now, RTG_PIO_EXPECT_DC_UNRELIABLE);
  }
  for (size_t i = 0; i < st->nstreams; i++) {
    const struct rtg_peer_stream_stats *in = &st->streams[i];
    if (in->outbound || in->packets == 0) continue;
    for (size_t k = 0; k < st->nstreams; k++) {
      const struct rtg_peer_stream_stats *out = &st->streams[k];
      if (!out->outbound || out->kind != in->kind || out->packets == 0) continue;
      if (in->kind == RTG_SDP_MEDIA_AUDIO) rtg_pio_session_met(s, now, RTG_PIO_EXPECT_AUDIO);
      if (in->kind == RTG_SDP_MEDIA_VIDEO) rtg_pio_session_met(s, now, RTG_PIO_EXPECT_VIDEO);
    }
  }
}
