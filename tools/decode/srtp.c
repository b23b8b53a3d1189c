/*
 * srtp.c - `--proto srtp`: unprotects one SRTP (or, with --opt rtcp=1,
 * SRTCP) packet with --key HEX (master key then master salt) and --profile
 * NAME (default AES_CM_128_HMAC_SHA1_80; DTLS-SRTP names accepted), then
 * describes the plaintext like `--proto rtp` / `--proto rtcp` would.
 * --opt roc=N sets the rollover counter (joining a stream late),
 * --opt mki=HEX the master key identifier.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "rtg/rtp.h"
#include "rtg/srtp.h"

extern const struct rtg_decoder rtg_decoder_rtp;
extern const struct rtg_decoder rtg_decoder_rtcp;

static int decode_srtp(const uint8_t *data, size_t len, const struct rtg_decode_opts *opts,
                       json_t **out, struct rtg_perr *perr) {
  enum rtg_srtp_profile prof = RTG_SRTP_AES128_CM_HMAC_SHA1_80;
  const char *rtcp = rtg_decode_opt(opts, "rtcp"), *roc = rtg_decode_opt(opts, "roc");
  const char *mki_hex = rtg_decode_opt(opts, "mki");
  bool is_rtcp = rtcp && strcmp(rtcp, "0") != 0;
  uint8_t key[46], mki[RTG_SRTP_MAX_MKI], *buf;
  ptrdiff_t kn, mn = 0, r;
  size_t kl, sl;
  struct rtg_ctx ctx;
  struct rtg_srtp *s = NULL;
  struct rtg_srtp_policy pol = {0};
  json_t *inner = NULL, *o;
  *out = NULL;
  if (opts->profile) {
    prof = rtg_srtp_profile_from_name(opts->profile);
    if (prof == 0)
      return rtg_perr_set(perr, 0, "srtp.profile", "unknown SRTP profile (--profile)", NULL);
  }
  kl = rtg_srtp_profile_key_len(prof);
  sl = rtg_srtp_profile_salt_len(prof);
  if (opts->key_hex == NULL)
    return rtg_perr_set(perr, 0, "srtp.key", "--key HEX (master key + salt) is required", NULL);
  kn = rtg_hex_decode(key, sizeof key, opts->key_hex, strlen(opts->key_hex), NULL);
  if (kn < 0 || (size_t)kn != kl + sl)
    return rtg_perr_set(perr, 0, "srtp.key", "--key must be master key + salt for the profile",
                        "RFC 5764 §4.2");
  if (mki_hex) {
    mn = rtg_hex_decode(mki, sizeof mki, mki_hex, strlen(mki_hex), NULL);
    if (mn < 0) return rtg_perr_set(perr, 0, "srtp.mki", "bad --opt mki=HEX", NULL);
  }
  rtg_ctx_default(&ctx);
  pol.profile = prof;
  pol.key = key;
  pol.key_len = kl;
  pol.salt = key + kl;
  pol.salt_len = sl;
  pol.mki = mn ? mki : NULL;
  pol.mki_len = (size_t)mn;
  if (rtg_srtp_create(&s, &ctx, &pol))
    return rtg_perr_set(perr, 0, "srtp.key", "cannot set up the SRTP session", NULL);
  if (roc && len >= 12 && !is_rtcp &&
      rtg_srtp_stream_set_roc(s, rtg_load_u32(data + 8), (uint32_t)strtoul(roc, NULL, 0))) {
    rtg_srtp_destroy(s);
    return RTG_ERR_NOMEM;
  }
  buf = malloc(len ? len : 1);
  if (buf == NULL) {
    rtg_srtp_destroy(s);
    return RTG_ERR_NOMEM;
  }
  memcpy(buf, data, len);
  r = is_rtcp ? rtg_srtcp_unprotect(s, buf, len) : rtg_srtp_unprotect(s, buf, len);
  if (r < 0) {
    const char *why = r == RTG_ERR_AUTH ? "authentication tag mismatch (wrong key or profile?)"
                      : r == RTG_ERR_NOTFOUND ? "unknown MKI"
                                              : "too short or not an RTP/RTCP packet";
    int rc = rtg_perr_set(perr, 0, is_rtcp ? "srtcp" : "srtp", why, "RFC 3711 §3.3");
    free(buf);
    rtg_srtp_destroy(s);
    return (int)r == RTG_ERR_PARSE ? rc : (int)r;
  }
  o = json_object();
  json_object_set_new(o, "proto", json_string(is_rtcp ? "srtcp" : "srtp"));
  json_object_set_new(o, "profile", json_string(rtg_srtp_profile_name(prof)));
  json_object_set_new(o, "length", json_integer((json_int_t)len));
  json_object_set_new(o, "plaintext_length", json_integer((json_int_t)r));
  if (is_rtcp) {
    json_object_set_new(o, "srtcp_index", json_integer((json_int_t)rtg_srtp_last_index(s)));
  } else {
    json_object_set_new(o, "roc", json_integer((json_int_t)(rtg_srtp_last_index(s) >> 16)));
    json_object_set_new(o, "index", json_integer((json_int_t)rtg_srtp_last_index(s)));
  }
  /* the plaintext, as the rtp / rtcp decoders see it (reduced-size RTCP
   * accepted only when asked, as there) */
  {
    struct rtg_perr ip = {0};
    int ir = is_rtcp ? rtg_decoder_rtcp.decode(buf, (size_t)r, opts, &inner, &ip)
                     : rtg_decoder_rtp.decode(buf, (size_t)r, opts, &inner, &ip);
    if (ir == 0) {
      json_object_set_new(o, "plaintext", inner);
    } else {
      char msg[256];
      rtg_perr_format(&ip, msg, sizeof msg);
      json_object_set_new(o, "plaintext_error", json_string(msg));
      json_object_set_new(o, "plaintext_hex", rtg_json_hex(buf, (size_t)r));
      if (inner) json_decref(inner);
    }
  }
  free(buf);
  rtg_srtp_destroy(s);
  *out = o;
  return 0;
}

const struct rtg_decoder rtg_decoder_srtp = {
    "srtp", "SRTP/SRTCP unprotect (--key, --profile, --opt rtcp=1) then RTP/RTCP", decode_srtp};
