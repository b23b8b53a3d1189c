/*
 * dcep.c - `--proto dcep`: one DCEP message (RFC 8832 §5), the user data
 * of an SCTP DATA chunk with PPID 50.
 */
#include "decode/decoder.h"
#include "rtg/sctp.h"

json_t *rtg_decode_dcep_json(const struct rtg_dcep_msg *m);

json_t *rtg_decode_dcep_json(const struct rtg_dcep_msg *m) {
  json_t *o = json_object();
  json_object_set_new(o, "message_type", json_integer(m->type));
  if (m->type == RTG_DCEP_ACK) {
    json_object_set_new(o, "name", json_string("DATA_CHANNEL_ACK"));
    return o;
  }
  json_object_set_new(o, "name", json_string("DATA_CHANNEL_OPEN"));
  json_object_set_new(o, "channel_type", json_integer(m->open.channel_type));
  json_object_set_new(o, "channel_type_name",
                      json_string(rtg_dcep_channel_type_name(m->open.channel_type)));
  json_object_set_new(o, "ordered", json_boolean((m->open.channel_type & 0x80) == 0));
  json_object_set_new(o, "priority", json_integer(m->open.priority));
  switch (m->open.channel_type & 0x7f) {
    case RTG_DCEP_PARTIAL_REXMIT:
      json_object_set_new(o, "max_retransmits", json_integer(m->open.reliability));
      break;
    case RTG_DCEP_PARTIAL_TIMED:
      json_object_set_new(o, "max_lifetime_ms", json_integer(m->open.reliability));
      break;
    default: json_object_set_new(o, "reliability", json_integer(m->open.reliability)); break;
  }
  /* parse checked both are UTF-8 */
  json_object_set_new(o, "label", json_stringn((const char *)m->open.label.p, m->open.label.len));
  json_object_set_new(o, "protocol",
                      json_stringn((const char *)m->open.protocol.p, m->open.protocol.len));
  return o;
}

static int decode_dcep(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  struct rtg_dcep_msg m;
  json_t *o;
  int rc;
  (void)opts;
  if ((rc = rtg_dcep_parse(data, len, &m, perr))) return rc;
  o = rtg_decode_dcep_json(&m);
  json_object_set_new(o, "proto", json_string("dcep"));
  json_object_set_new(o, "ppid", json_integer(RTG_SCTP_PPID_DCEP));
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_dcep = {
    "dcep", "DCEP DATA_CHANNEL_OPEN / ACK (RFC 8832), PPID 50", decode_dcep};
