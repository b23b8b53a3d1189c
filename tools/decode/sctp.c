/*
 * sctp.c - `--proto sctp`: one SCTP packet (the payload of a DTLS
 * application-data record, RFC 8261) as JSON: common header, checksum,
 * every chunk with its fields, parameters and error causes; DATA carrying
 * DCEP (PPID 50) is decoded too.
 *
 * Options: --opt checksum=ignore decodes packets whose CRC-32c is wrong
 * (edited or fuzzed packets). A zero checksum is accepted and reported as
 * such (RFC 9653: only valid when both ends negotiated it).
 */
#include <string.h>

#include "decode/decoder.h"
#include "rtg/sctp.h"

json_t *rtg_decode_dcep_json(const struct rtg_dcep_msg *m);

static json_t *tlv_list(struct rtg_slice s, const uint8_t *base, bool causes) {
  json_t *a = json_array();
  struct rtg_rd rd;
  struct rtg_sctp_tlv t;
  rd.p = s.p;
  rd.end = s.p + s.len;
  rd.base = base;
  while (rtg_sctp_tlv_next(&rd, &t, "tlv", NULL) == 1) {
    json_t *o = json_object();
    json_object_set_new(o, causes ? "code" : "type", json_integer(t.type));
    json_object_set_new(
        o, "name", json_string(causes ? rtg_sctp_cause_name(t.type) : rtg_sctp_param_name(t.type)));
    json_object_set_new(o, "length", json_integer(t.length));
    if (!causes && t.type == RTG_SCTP_P_ZERO_CHECKSUM && t.value.len == 4)
      json_object_set_new(o, "edmid", json_integer(rtg_load_u32(t.value.p)));
    else if (!causes && t.type == RTG_SCTP_P_SUPPORTED_EXT) {
      json_t *ext = json_array();
      for (size_t i = 0; i < t.value.len; i++)
        json_array_append_new(ext, json_string(rtg_sctp_chunk_name(t.value.p[i])));
      json_object_set_new(o, "chunks", ext);
    } else if (!causes && t.type >= RTG_SCTP_P_OUT_RESET_REQ &&
               t.type <= RTG_SCTP_P_ADD_IN_STREAMS) {
      struct rtg_sctp_reconf r;
      if (rtg_sctp_reconf_decode(&t, &r, NULL) == 0) {
        json_t *sids = json_array();
        json_object_set_new(o, "request_seq", json_integer(r.req_seq));
        if (t.type == RTG_SCTP_P_OUT_RESET_REQ) {
          json_object_set_new(o, "response_seq", json_integer(r.resp_seq));
          json_object_set_new(o, "last_tsn", json_integer(r.last_tsn));
        }
        if (t.type == RTG_SCTP_P_RECONFIG_RESP)
          json_object_set_new(o, "result", json_integer(r.result));
        if (t.type == RTG_SCTP_P_ADD_OUT_STREAMS || t.type == RTG_SCTP_P_ADD_IN_STREAMS)
          json_object_set_new(o, "new_streams", json_integer(r.new_streams));
        for (size_t i = 0; i < r.nsids; i++)
          json_array_append_new(sids, json_integer(rtg_sctp_reconf_sid(&r, i)));
        json_object_set_new(o, "streams", sids);
      }
    } else if (causes && t.type == RTG_SCTP_C_USER_ABORT) {
      json_t *r = json_stringn((const char *)t.value.p, t.value.len); /* NULL if not UTF-8 */
      json_object_set_new(o, "reason", r ? r : rtg_json_hex(t.value.p, t.value.len));
    } else if (causes && (t.type == RTG_SCTP_C_STALE_COOKIE || t.type == RTG_SCTP_C_NO_USER_DATA) &&
               t.value.len == 4) {
      json_object_set_new(o, t.type == RTG_SCTP_C_STALE_COOKIE ? "staleness_us" : "tsn",
                          json_integer(rtg_load_u32(t.value.p)));
    } else if (causes && t.type == RTG_SCTP_C_INVALID_STREAM && t.value.len == 4) {
      json_object_set_new(o, "stream", json_integer(rtg_load_u16(t.value.p)));
    }
    if (t.value.len) json_object_set_new(o, "value", rtg_json_hex(t.value.p, t.value.len));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *data_json(const struct rtg_sctp_data *d) {
  json_t *o = json_object();
  json_object_set_new(o, "tsn", json_integer(d->tsn));
  json_object_set_new(o, "stream", json_integer(d->sid));
  if (d->idata) {
    json_object_set_new(o, "mid", json_integer(d->mid));
    if (!d->begin) json_object_set_new(o, "fsn", json_integer(d->fsn));
  } else {
    json_object_set_new(o, "ssn", json_integer(d->ssn));
  }
  json_object_set_new(o, "unordered", json_boolean(d->unordered));
  json_object_set_new(o, "begin", json_boolean(d->begin));
  json_object_set_new(o, "end", json_boolean(d->end));
  json_object_set_new(o, "immediate", json_boolean(d->immediate));
  if (!d->idata || d->begin) {
    json_object_set_new(o, "ppid", json_integer(d->ppid));
    json_object_set_new(o, "ppid_name", json_string(rtg_sctp_ppid_name(d->ppid)));
    if (rtg_sctp_ppid_deprecated(d->ppid)) json_object_set_new(o, "ppid_deprecated", json_true());
  }
  json_object_set_new(o, "payload_length", json_integer((json_int_t)d->payload.len));
  json_object_set_new(o, "payload", rtg_json_hex(d->payload.p, d->payload.len));
  if (d->ppid == RTG_SCTP_PPID_DCEP && d->begin && d->end) {
    struct rtg_dcep_msg m;
    if (rtg_dcep_parse(d->payload.p, d->payload.len, &m, NULL) == 0)
      json_object_set_new(o, "dcep", rtg_decode_dcep_json(&m));
  }
  return o;
}

static json_t *chunk_json(const struct rtg_sctp_chunk *c, const struct rtg_sctp_chunk_info *in,
                          const uint8_t *base) {
  json_t *o = json_object();
  json_object_set_new(o, "type", json_integer(c->type));
  json_object_set_new(o, "name", json_string(rtg_sctp_chunk_name(c->type)));
  json_object_set_new(o, "flags", json_integer(c->flags));
  json_object_set_new(o, "length", json_integer(c->length));
  json_object_set_new(o, "offset", json_integer((json_int_t)c->offset));
  switch (c->type) {
    case RTG_SCTP_DATA:
    case RTG_SCTP_I_DATA: json_object_update_new(o, data_json(&in->u.data)); break;
    case RTG_SCTP_INIT:
    case RTG_SCTP_INIT_ACK:
      json_object_set_new(o, "initiate_tag", json_integer(in->u.init.init_tag));
      json_object_set_new(o, "a_rwnd", json_integer(in->u.init.a_rwnd));
      json_object_set_new(o, "outbound_streams", json_integer(in->u.init.os));
      json_object_set_new(o, "inbound_streams", json_integer(in->u.init.mis));
      json_object_set_new(o, "initial_tsn", json_integer(in->u.init.initial_tsn));
      json_object_set_new(o, "params", tlv_list(in->tlvs, base, false));
      break;
    case RTG_SCTP_SACK:
    case RTG_SCTP_NR_SACK: {
      json_t *g = json_array(), *nr = json_array(), *d = json_array();
      const struct rtg_sctp_sack *s = &in->u.sack;
      json_object_set_new(o, "cum_tsn", json_integer(s->cum_tsn));
      json_object_set_new(o, "a_rwnd", json_integer(s->a_rwnd));
      for (size_t i = 0; i < s->ngaps; i++) {
        uint16_t a, b;
        rtg_sctp_sack_gap(&s->gaps, i, &a, &b);
        json_array_append_new(g, json_pack("[ii]", a, b));
      }
      for (size_t i = 0; i < s->nnr_gaps; i++) {
        uint16_t a, b;
        rtg_sctp_sack_gap(&s->nr_gaps, i, &a, &b);
        json_array_append_new(nr, json_pack("[ii]", a, b));
      }
      for (size_t i = 0; i < s->ndups; i++)
        json_array_append_new(d, json_integer(rtg_sctp_sack_dup(s, i)));
      json_object_set_new(o, "gap_blocks", g);
      if (c->type == RTG_SCTP_NR_SACK)
        json_object_set_new(o, "nr_gap_blocks", nr);
      else
        json_decref(nr);
      json_object_set_new(o, "dup_tsns", d);
      break;
    }
    case RTG_SCTP_FORWARD_TSN:
    case RTG_SCTP_I_FORWARD_TSN: {
      json_t *a = json_array();
      json_object_set_new(o, "new_cum_tsn", json_integer(in->u.fwd.new_cum_tsn));
      for (size_t i = 0; i < in->u.fwd.nentries; i++) {
        uint16_t sid;
        bool u;
        uint32_t mid;
        rtg_sctp_fwd_entry(&in->u.fwd, i, &sid, &u, &mid);
        if (in->u.fwd.i_forward)
          json_array_append_new(
              a, json_pack("{s:i,s:b,s:I}", "stream", sid, "unordered", u, "mid", (json_int_t)mid));
        else
          json_array_append_new(a, json_pack("{s:i,s:I}", "stream", sid, "ssn", (json_int_t)mid));
      }
      json_object_set_new(o, "streams", a);
      break;
    }
    case RTG_SCTP_SHUTDOWN: json_object_set_new(o, "cum_tsn", json_integer(in->u.cum_tsn)); break;
    case RTG_SCTP_ECNE:
    case RTG_SCTP_CWR: json_object_set_new(o, "lowest_tsn", json_integer(in->u.lowest_tsn)); break;
    case RTG_SCTP_ABORT:
    case RTG_SCTP_ERROR:
      if (c->type == RTG_SCTP_ABORT)
        json_object_set_new(o, "t_bit", json_boolean(c->flags & RTG_SCTP_FLAG_T));
      json_object_set_new(o, "causes", tlv_list(in->tlvs, base, true));
      break;
    case RTG_SCTP_SHUTDOWN_COMPLETE:
      json_object_set_new(o, "t_bit", json_boolean(c->flags & RTG_SCTP_FLAG_T));
      break;
    case RTG_SCTP_COOKIE_ECHO:
      json_object_set_new(o, "cookie", rtg_json_hex(in->cookie.p, in->cookie.len));
      break;
    case RTG_SCTP_AUTH:
      json_object_set_new(o, "shared_key_id", json_integer(in->u.auth.key_id));
      json_object_set_new(o, "hmac_id", json_integer(in->u.auth.hmac_id));
      json_object_set_new(o, "hmac", rtg_json_hex(in->u.auth.hmac.p, in->u.auth.hmac.len));
      break;
    case RTG_SCTP_ASCONF:
    case RTG_SCTP_ASCONF_ACK:
      json_object_set_new(o, "serial", json_integer(in->u.serial));
      json_object_set_new(o, "params", tlv_list(in->tlvs, base, false));
      break;
    case RTG_SCTP_HEARTBEAT:
    case RTG_SCTP_HEARTBEAT_ACK:
    case RTG_SCTP_RECONFIG:
      json_object_set_new(o, "params", tlv_list(in->tlvs, base, false));
      break;
    case RTG_SCTP_COOKIE_ACK:
    case RTG_SCTP_SHUTDOWN_ACK:
    case RTG_SCTP_PAD: break;
    default:
      /* RFC 9260 §3.2: the two upper bits say what to do with it. */
      json_object_set_new(o, "unrecognized_action", json_integer(c->type >> 6));
      json_object_set_new(o, "value", rtg_json_hex(c->value.p, c->value.len));
      break;
  }
  return o;
}

static int decode_sctp(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  const char *cs = rtg_decode_opt(opts, "checksum");
  bool ignore = cs && strcmp(cs, "ignore") == 0;
  json_t *o, *chunks;
  int rc = rtg_sctp_packet_parse(
      data, len, RTG_SCTP_PARSE_ZERO_CHECKSUM_OK | (ignore ? RTG_SCTP_PARSE_IGNORE_CHECKSUM : 0u),
      &pkt, perr);
  if (rc) return rc;
  o = json_object();
  json_object_set_new(o, "proto", json_string("sctp"));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "src_port", json_integer(pkt.hdr.src_port));
  json_object_set_new(o, "dst_port", json_integer(pkt.hdr.dst_port));
  json_object_set_new(o, "verification_tag", json_integer(pkt.hdr.vtag));
  json_object_set_new(o, "checksum", json_integer(pkt.hdr.checksum));
  json_object_set_new(o, "checksum_ok", json_boolean(pkt.checksum_ok));
  json_object_set_new(o, "checksum_zero", json_boolean(pkt.checksum_zero));
  chunks = json_array();
  rtg_sctp_chunk_iter_init(&it, data, &pkt);
  while (rtg_sctp_chunk_next(&it, &c, NULL) == 1) {
    if (rtg_sctp_chunk_decode(&c, &info, NULL)) break; /* checked by the parse */
    json_array_append_new(chunks, chunk_json(&c, &info, data));
  }
  json_object_set_new(o, "chunks", chunks);
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_sctp = {
    "sctp", "SCTP packet (RFC 9260 + WebRTC extensions): header, checksum, chunks, parameters",
    decode_sctp};
