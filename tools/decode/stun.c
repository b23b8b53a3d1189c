/*
 * stun.c - `--proto stun`: one STUN/TURN message as JSON (RFC 8489, RFC 8656,
 * RFC 8445 §16.1). With --password (short-term), --username/--realm/
 * --password (long-term; SHA-256 key when the message says
 * PASSWORD-ALGORITHM SHA-256, MD5 otherwise) or --key HEX (a raw key),
 * MESSAGE-INTEGRITY(-SHA256) is verified; FINGERPRINT always is when present.
 * A failed check is a finding (exit 1) naming its RFC section.
 */
#include <arpa/inet.h>
#include <string.h>

#include "decode/decoder.h"
#include "rtg/stun.h"

static json_t *addr_json(const struct rtg_stun_addr *a) {
  char ip[INET6_ADDRSTRLEN];
  json_t *o = json_object();
  if (inet_ntop(a->family == 1 ? AF_INET : AF_INET6, a->addr, ip, sizeof ip) == NULL) ip[0] = '\0';
  json_object_set_new(o, "family", json_string(a->family == 1 ? "IPv4" : "IPv6"));
  json_object_set_new(o, "address", json_string(ip));
  json_object_set_new(o, "port", json_integer(a->port));
  return o;
}

/* Printable strings become JSON strings, anything else hex. */
static json_t *text_json(const uint8_t *p, size_t n) {
  json_t *s = json_stringn((const char *)p, n); /* NULL when not UTF-8 */
  return s ? s : rtg_json_hex(p, n);
}

static void attr_json(const struct rtg_stun_msg *m, const struct rtg_stun_attr *a, json_t *o) {
  struct rtg_stun_addr ad;
  struct rtg_slice reason;
  struct rtg_stun_pwalg_entry pe;
  uint16_t code, t;
  uint32_t v32;
  uint64_t v64;
  bool r;
  switch (a->type) {
    case RTG_STUN_ATTR_MAPPED_ADDRESS:
    case RTG_STUN_ATTR_XOR_MAPPED_ADDRESS:
    case RTG_STUN_ATTR_XOR_PEER_ADDRESS:
    case RTG_STUN_ATTR_XOR_RELAYED_ADDRESS:
    case RTG_STUN_ATTR_ALTERNATE_SERVER:
    case RTG_STUN_ATTR_RESPONSE_ADDRESS:
    case RTG_STUN_ATTR_SOURCE_ADDRESS:
    case RTG_STUN_ATTR_CHANGED_ADDRESS:
    case RTG_STUN_ATTR_REFLECTED_FROM:
      if (rtg_stun_attr_addr(m, a, &ad, NULL) == 0) json_object_set_new(o, "addr", addr_json(&ad));
      break;
    case RTG_STUN_ATTR_USERNAME:
    case RTG_STUN_ATTR_REALM:
    case RTG_STUN_ATTR_NONCE:
    case RTG_STUN_ATTR_SOFTWARE:
    case RTG_STUN_ATTR_ALTERNATE_DOMAIN:
      json_object_set_new(o, "text", text_json(a->value, a->len));
      break;
    case RTG_STUN_ATTR_ERROR_CODE:
      if (rtg_stun_attr_error_code(a, &code, &reason, NULL) == 0) {
        json_object_set_new(o, "code", json_integer(code));
        json_object_set_new(o, "reason", text_json(reason.p, reason.len));
      }
      break;
    case RTG_STUN_ATTR_PRIORITY:
    case RTG_STUN_ATTR_LIFETIME:
      if (rtg_stun_attr_u32(a, &v32, NULL) == 0) json_object_set_new(o, "value", json_integer(v32));
      break;
    case RTG_STUN_ATTR_CHANNEL_NUMBER:
      if (rtg_stun_attr_u32(a, &v32, NULL) == 0)
        json_object_set_new(o, "channel", json_integer(v32 >> 16));
      break;
    case RTG_STUN_ATTR_REQUESTED_TRANSPORT:
      if (rtg_stun_attr_u32(a, &v32, NULL) == 0)
        json_object_set_new(o, "protocol", json_integer(v32 >> 24));
      break;
    case RTG_STUN_ATTR_REQUESTED_ADDRESS_FAMILY:
      if (rtg_stun_attr_u32(a, &v32, NULL) == 0)
        json_object_set_new(o, "family", json_string((v32 >> 24) == 1 ? "IPv4" : "IPv6"));
      break;
    case RTG_STUN_ATTR_ICE_CONTROLLED:
    case RTG_STUN_ATTR_ICE_CONTROLLING:
    case RTG_STUN_ATTR_RESERVATION_TOKEN:
      /* 64-bit values as hex: JSON integers are signed */
      if (rtg_stun_attr_u64(a, &v64, NULL) == 0)
        json_object_set_new(o, "value_hex", rtg_json_hex(a->value, 8));
      break;
    case RTG_STUN_ATTR_EVEN_PORT:
      if (rtg_stun_attr_even_port(a, &r, NULL) == 0)
        json_object_set_new(o, "reserve_next", json_boolean(r));
      break;
    case RTG_STUN_ATTR_UNKNOWN_ATTRIBUTES: {
      json_t *arr = json_array();
      for (size_t i = 0; rtg_stun_attr_unknown_list(a, i, &t, NULL) == 0; i++)
        json_array_append_new(arr, json_integer(t));
      json_object_set_new(o, "types", arr);
      break;
    }
    case RTG_STUN_ATTR_PASSWORD_ALGORITHMS:
    case RTG_STUN_ATTR_PASSWORD_ALGORITHM: {
      json_t *arr = json_array();
      for (size_t i = 0; rtg_stun_attr_pwalg(a, i, &pe, NULL) == 0; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "algorithm",
                            json_string(pe.alg == RTG_STUN_PWALG_MD5      ? "MD5"
                                        : pe.alg == RTG_STUN_PWALG_SHA256 ? "SHA-256"
                                                                          : "unknown"));
        json_object_set_new(e, "id", json_integer(pe.alg));
        json_object_set_new(e, "params", rtg_json_hex(pe.params.p, pe.params.len));
        json_array_append_new(arr, e);
      }
      json_object_set_new(o, "algorithms", arr);
      break;
    }
    default: break;
  }
}

/* Picks the credential from the options; 1 when there is one, 0 when none,
 * negative on a bad option. */
static int make_cred(const struct rtg_stun_msg *m, const struct rtg_decode_opts *opts,
                     struct rtg_stun_cred *cred, json_t *o) {
  if (opts->key_hex) {
    uint8_t key[256];
    struct rtg_perr e = {0};
    ptrdiff_t n = rtg_hex_decode(key, sizeof key, opts->key_hex, strlen(opts->key_hex), &e);
    if (n < 0) return RTG_ERR_INVAL;
    json_object_set_new(o, "credential", json_string("key"));
    return rtg_stun_cred_init_key(cred, key, (size_t)n) ? RTG_ERR_CRYPTO : 1;
  }
  if (opts->password == NULL) return 0;
  if (opts->username && opts->realm) {
    struct rtg_stun_attr a;
    struct rtg_stun_pwalg_entry pe;
    enum rtg_stun_pwalg alg = RTG_STUN_PWALG_MD5;
    if (rtg_stun_msg_find(m, RTG_STUN_ATTR_PASSWORD_ALGORITHM, &a) == 0 &&
        rtg_stun_attr_pwalg(&a, 0, &pe, NULL) == 0 && pe.alg == RTG_STUN_PWALG_SHA256)
      alg = RTG_STUN_PWALG_SHA256;
    json_object_set_new(
        o, "credential",
        json_string(alg == RTG_STUN_PWALG_MD5 ? "long-term MD5" : "long-term SHA-256"));
    return rtg_stun_cred_init_long(cred, alg, opts->username, strlen(opts->username), opts->realm,
                                   strlen(opts->realm), opts->password, strlen(opts->password))
               ? RTG_ERR_INVAL
               : 1;
  }
  json_object_set_new(o, "credential", json_string("short-term"));
  return rtg_stun_cred_init_short(cred, opts->password, strlen(opts->password)) ? RTG_ERR_INVAL : 1;
}

static int decode_stun(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  struct rtg_stun_msg m;
  struct rtg_stun_attr a;
  struct rtg_stun_cred cred;
  json_t *o = json_object(), *attrs, *unk;
  const char *name;
  char tid[2 * RTG_STUN_TID_LEN + 1];
  size_t pos = 0;
  int rc, have;
  *out = o;
  json_object_set_new(o, "proto", json_string("stun"));
  rc = rtg_stun_msg_parse(&m, data, len, perr);
  if (rc) return rc;
  json_object_set_new(o, "length", json_integer((json_int_t)m.len));
  json_object_set_new(o, "type", json_integer(m.type));
  name = rtg_stun_method_name(m.method);
  json_object_set_new(o, "method", name ? json_string(name) : json_integer(m.method));
  json_object_set_new(o, "class", json_string(rtg_stun_class_name(m.cls)));
  json_object_set_new(o, "legacy_rfc3489", json_boolean(m.legacy));
  if (m.legacy) json_object_set_new(o, "cookie", json_integer(m.cookie));
  if (rtg_hex_encode(tid, sizeof tid, m.tid, sizeof m.tid, 0, false) > 0)
    json_object_set_new(o, "transaction_id", json_string(tid));
  attrs = json_array();
  while (rtg_stun_msg_attr_next(&m, &pos, &a)) {
    json_t *ao = json_object();
    name = rtg_stun_attr_name(a.type);
    json_object_set_new(ao, "type", json_integer(a.type));
    json_object_set_new(ao, "name", name ? json_string(name) : json_null());
    json_object_set_new(ao, "offset", json_integer((json_int_t)a.offset));
    json_object_set_new(ao, "length", json_integer(a.len));
    json_object_set_new(ao, "hex", rtg_json_hex(a.value, a.len));
    attr_json(&m, &a, ao);
    json_array_append_new(attrs, ao);
  }
  json_object_set_new(o, "attributes", attrs);
  unk = json_array();
  for (size_t i = 0; i < m.nunknown && i < RTG_STUN_MAX_UNKNOWN; i++)
    json_array_append_new(unk, json_integer(m.unknown[i]));
  json_object_set_new(o, "unknown_comprehension_required", unk);

  rc = rtg_stun_msg_check_fingerprint(&m, perr);
  json_object_set_new(o, "fingerprint",
                      json_string(rc == RTG_ERR_NOTFOUND ? "absent"
                                  : rc                   ? "mismatch"
                                                         : "ok"));
  if (rc && rc != RTG_ERR_NOTFOUND) return rc;

  have = make_cred(&m, opts, &cred, o);
  if (have < 0) {
    rtg_perr_set(perr, 0, "options", "--key must be hex, credentials at most 2 KB", NULL);
    return RTG_ERR_INVAL;
  }
  if (have == 0) {
    json_object_set_new(
        o, "integrity",
        json_string(m.mi_off || m.mi256_off ? "unchecked (no credential given)" : "absent"));
    return 0;
  }
  rc = rtg_stun_msg_check_integrity(&m, &cred, perr);
  rtg_stun_cred_free(&cred);
  json_object_set_new(o, "integrity",
                      json_string(rc == RTG_ERR_NOTFOUND      ? "absent"
                                  : rc == RTG_ERR_UNSUPPORTED ? "unsupported"
                                  : rc                        ? "mismatch"
                                                              : "ok"));
  if (rc == RTG_ERR_NOTFOUND || rc == RTG_ERR_UNSUPPORTED) return 0;
  return rc;
}

const struct rtg_decoder rtg_decoder_stun = {
    "stun", "STUN/TURN message; --password/--username/--realm/--key verify integrity", decode_stun};
