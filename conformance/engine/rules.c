/*
 * rules.c - the conformance rules (stable ids, severities, RFC sections)
 * and findings. A rule fires at most RTG_RULE_CAP times in full detail; the
 * rest are counted, so a capture with a systematic problem stays readable
 * and memory stays bounded by the number of rules, not packets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"

#define RTG_RULE_CAP 50

const struct rtg_rule rtg_rules[R_COUNT] = {
    [R_CAPTURE_TRUNCATED] = {"capture.truncated", RTG_SEV_ERROR, "pcap/pcapng format",
                             "capture file ends in the middle of a record"},
    [R_CAPTURE_UNDECODABLE] = {"capture.undecodable", RTG_SEV_WARNING, "RFC 791 / RFC 8200",
                               "frame could not be decoded down to UDP/TCP"},
    [R_IP_FRAGMENT] = {"ip.fragment", RTG_SEV_INFO, "RFC 8085 §3.2",
                       "UDP datagram was IP-fragmented (WebRTC keeps packets under the path MTU)"},
    [R_STUN_MALFORMED] = {"stun.malformed", RTG_SEV_ERROR, "RFC 8489 §5-6",
                          "STUN message does not parse"},
    [R_STUN_FINGERPRINT] = {"stun.fingerprint", RTG_SEV_ERROR, "RFC 8489 §14.7",
                            "FINGERPRINT does not match the message"},
    [R_STUN_INTEGRITY] = {"stun.integrity", RTG_SEV_ERROR, "RFC 8489 §14.5",
                          "MESSAGE-INTEGRITY does not verify with the SDP ICE password"},
    [R_STUN_NO_INTEGRITY] = {"stun.no-integrity", RTG_SEV_ERROR, "RFC 8445 §7.1.2",
                             "ICE connectivity check without MESSAGE-INTEGRITY"},
    [R_STUN_UNKNOWN_REQUIRED] = {"stun.unknown-required", RTG_SEV_WARNING, "RFC 8489 §6.3.1",
                                 "unknown comprehension-required attribute"},
    [R_ICE_NO_ROLE] = {"ice.no-role", RTG_SEV_ERROR, "RFC 8445 §7.1.3",
                       "Binding request without ICE-CONTROLLING or ICE-CONTROLLED"},
    [R_ICE_NO_PRIORITY] = {"ice.no-priority", RTG_SEV_ERROR, "RFC 8445 §7.1.1",
                           "Binding request without PRIORITY"},
    [R_ICE_USE_CANDIDATE_CONTROLLED] = {"ice.use-candidate-controlled", RTG_SEV_ERROR,
                                        "RFC 8445 §7.1.2",
                                        "USE-CANDIDATE sent by the controlled agent"},
    [R_ICE_ROLE_CONFLICT] = {"ice.role-conflict", RTG_SEV_WARNING, "RFC 8445 §7.3.1.1",
                             "both agents claim the same role"},
    [R_ICE_UNKNOWN_UFRAG] = {"ice.unknown-ufrag", RTG_SEV_WARNING, "RFC 8445 §7.2.2",
                             "USERNAME names an ICE ufrag that no given SDP declares"},
    [R_ICE_NO_FINGERPRINT] = {"ice.no-fingerprint", RTG_SEV_WARNING, "RFC 7983 §7 / RFC 8445 §7.1",
                              "connectivity check without FINGERPRINT (needed to demultiplex)"},
    [R_TURN_CHANNEL_MALFORMED] = {"turn.channel-malformed", RTG_SEV_ERROR, "RFC 8656 §12.4",
                                  "TURN ChannelData message is malformed"},
    [R_DTLS_MALFORMED] = {"dtls.malformed", RTG_SEV_ERROR, "RFC 9147 §4 / RFC 6347 §4.1",
                          "DTLS record does not parse"},
    [R_DTLS_ALERT] = {"dtls.alert", RTG_SEV_WARNING, "RFC 8446 §6",
                      "a plaintext DTLS alert was sent"},
    [R_DTLS_FINGERPRINT_MISMATCH] = {"dtls.fingerprint-mismatch", RTG_SEV_ERROR,
                                     "RFC 8122 §5 / RFC 8842 §5",
                                     "peer certificate does not match the SDP a=fingerprint "
                                     "(man-in-the-middle)"},
    [R_DTLS_NO_USE_SRTP] = {"dtls.no-use-srtp", RTG_SEV_WARNING, "RFC 5764 §4.1.1",
                            "ClientHello offers no use_srtp extension"},
    [R_RTP_MALFORMED] = {"rtp.malformed", RTG_SEV_ERROR, "RFC 3550 §5.1",
                         "RTP header does not parse"},
    [R_RTP_BAD_SEQUENCE] = {"rtp.bad-sequence", RTG_SEV_WARNING, "RFC 3550 A.1",
                            "sequence number jump beyond MAX_DROPOUT/MAX_MISORDER"},
    [R_RTP_UNKNOWN_PT] = {"rtp.unknown-payload-type", RTG_SEV_ERROR, "RFC 8866 §5.14",
                          "payload type not declared in any given SDP"},
    [R_RTP_SSRC_COLLISION] = {"rtp.ssrc-collision", RTG_SEV_WARNING, "RFC 3550 §8.2",
                              "the same SSRC is sent in both directions"},
    [R_RTCP_MALFORMED] = {"rtcp.malformed", RTG_SEV_ERROR, "RFC 3550 §6.4 / RFC 3711 §3.4",
                          "SRTCP packet header does not parse"},
    [R_DEMUX_UNKNOWN] = {"demux.unknown", RTG_SEV_WARNING, "RFC 7983 §7",
                         "packet on a WebRTC flow matches no RFC 7983 range"},
    [R_MEDIA_BEFORE_DTLS] = {"srtp.before-dtls", RTG_SEV_ERROR, "RFC 5764 §4.1",
                             "SRTP sent on a flow before any DTLS handshake"},
    [R_ICE_CONSENT_EXPIRED] = {"ice.consent-expired", RTG_SEV_ERROR, "RFC 7675 §5.1",
                               "media sent more than 30 s after the last consent response"},
    [R_RTP_UNDECLARED_EXTENSION] = {"rtp.undeclared-extension", RTG_SEV_ERROR, "RFC 8285 §5",
                                    "header extension id not negotiated by any a=extmap"},
    [R_RTP_UNKNOWN_MID] = {"rtp.unknown-mid", RTG_SEV_ERROR, "RFC 8843 §9.2",
                           "MID header extension names no a=mid of the SDPs"},
    [R_SDP_EXTMAP_CONFLICT] = {"sdp.extmap-conflict", RTG_SEV_ERROR, "RFC 8843 §9.2 / RFC 8285 §6",
                               "one extension id mapped to two URIs in a BUNDLE group"},
    [R_DTLS_AUTH_FAILED] =
        {"dtls.auth-failed", RTG_SEV_ERROR, "RFC 9147 §4.5.2 / RFC 6347 §4.1.2.7",
         "a protected DTLS record fails authentication with the key log's secrets"},
    [R_SRTP_AUTH_FAILED] = {"srtp.auth-failed", RTG_SEV_ERROR, "RFC 3711 §3.3 / RFC 7714 §8",
                            "SRTP/SRTCP packet fails authentication with the DTLS-SRTP keys"},
    [R_SRTP_REPLAY] = {"srtp.replay", RTG_SEV_WARNING, "RFC 3711 §3.3.2",
                       "SRTP/SRTCP packet replayed (already seen or older than the window)"},
    [R_RTCP_INVALID] = {"rtcp.invalid", RTG_SEV_ERROR, "RFC 3550 §6.1 / A.2",
                        "decrypted RTCP compound packet is not valid"},
    [R_SCTP_MALFORMED] = {"sctp.malformed", RTG_SEV_ERROR, "RFC 9260 §3",
                          "SCTP packet inside DTLS does not parse"},
    [R_SCTP_CHECKSUM] = {"sctp.checksum", RTG_SEV_ERROR, "RFC 9260 §6.8 / RFC 8261 §4",
                         "SCTP CRC-32c checksum is wrong"},
    [R_DCEP_MALFORMED] = {"dcep.malformed", RTG_SEV_ERROR, "RFC 8832 §5",
                          "DATA_CHANNEL_OPEN/ACK does not parse"},
    [R_DCEP_STREAM_PARITY] =
        {"dcep.stream-parity", RTG_SEV_ERROR, "RFC 8832 §6",
         "stream id parity does not match the DTLS role (client even, server odd)"},
    [R_DCEP_NO_ACK] = {"dcep.no-ack", RTG_SEV_WARNING, "RFC 8832 §6",
                       "DATA_CHANNEL_OPEN never acknowledged"},
    [R_SCTP_VTAG] = {"sctp.vtag", RTG_SEV_ERROR, "RFC 9260 §8.5",
                     "verification tag is not the peer's initiate tag"},
    [R_SCTP_SACK_BEYOND] = {"sctp.sack-beyond", RTG_SEV_ERROR, "RFC 9260 §6.2.1",
                            "SACK acknowledges a TSN the peer never sent"},
    [R_DC_HALF_CLOSED] = {"datachannel.half-closed", RTG_SEV_WARNING, "RFC 8831 §6.7",
                          "a data channel reset was not answered by the peer within 5 s"},
    [R_RTP_TS_BACKWARDS] = {"rtp.timestamp-backwards", RTG_SEV_WARNING, "RFC 3550 §5.1",
                            "RTP timestamp decreases from one packet to the next in sequence"},
    [R_PRIVATE_ADDRESS] = {"ice.private-address", RTG_SEV_INFO, "RFC 8828 §5",
                           "a private (RFC 1918 / ULA) address is exposed in ICE traffic"},
    [R_PRIVATE_EXPOSED] = {"ice.private-address-exposed", RTG_SEV_WARNING, "RFC 8828 §5.2",
                           "a host candidate of an SDP, or a STUN/TURN address where relay-only "
                           "was expected, exposes a private (RFC 1918, ULA, link-local) or real "
                           "IPv6 address (mDNS .local names are not flagged)"},
};

static const char *sev_name(enum rtg_sev s) {
  switch (s) {
    case RTG_SEV_ERROR: return "error";
    case RTG_SEV_WARNING: return "warning";
    case RTG_SEV_INFO: return "info";
    default: return "?";
  }
}

void rtg_rules_list(FILE *out) {
  fprintf(out, "%-30s %-8s %-28s %s\n", "id", "severity", "reference", "what it checks");
  for (int i = 0; i < R_COUNT; i++)
    fprintf(out, "%-30s %-8s %-28s %s\n", rtg_rules[i].id, sev_name(rtg_rules[i].sev),
            rtg_rules[i].rfc, rtg_rules[i].title);
}

/* Spec: comma-separated items applied left to right; "ID" or "+ID" enables,
 * "-ID" disables, "ID=error|warning|info" enables at that severity (e.g.
 * warnings that a CI job wants to fail on); an ID may be a prefix ending in
 * '*' ("stun.*") or a severity ("error", "warning", "info"); "all". */
static bool item_matches(const struct rtg_rule *rule, const char *item, size_t n) {
  if (n == 3 && strncmp(item, "all", 3) == 0) return true;
  if ((n == 5 && strncmp(item, "error", 5) == 0)) return rule->sev == RTG_SEV_ERROR;
  if ((n == 7 && strncmp(item, "warning", 7) == 0)) return rule->sev == RTG_SEV_WARNING;
  if ((n == 4 && strncmp(item, "info", 4) == 0)) return rule->sev == RTG_SEV_INFO;
  if (n > 0 && item[n - 1] == '*') return strncmp(rule->id, item, n - 1) == 0;
  return strlen(rule->id) == n && strncmp(rule->id, item, n) == 0;
}

void rtg_rules_defaults(struct rtg_replay_opts *opts) {
  for (int i = 0; i < R_COUNT; i++) {
    opts->rule_enabled[i] = true;
    opts->sev[i] = rtg_rules[i].sev;
  }
}

static int parse_sev(const char *s, size_t n, enum rtg_sev *out) {
  if (n == 5 && strncmp(s, "error", 5) == 0)
    *out = RTG_SEV_ERROR;
  else if (n == 7 && strncmp(s, "warning", 7) == 0)
    *out = RTG_SEV_WARNING;
  else if (n == 4 && strncmp(s, "info", 4) == 0)
    *out = RTG_SEV_INFO;
  else
    return -1;
  return 0;
}

int rtg_rules_apply_spec(struct rtg_replay_opts *opts, const char *spec, char *err, size_t errcap) {
  const char *p = spec;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    const char *eq = memchr(p, '=', n);
    size_t idn = eq ? (size_t)(eq - p) : n;
    bool on = true, set_sev = false;
    enum rtg_sev sev = RTG_SEV_ERROR;
    int hits = 0;
    if (eq) {
      if (parse_sev(eq + 1, n - idn - 1, &sev)) {
        snprintf(err, errcap, "'%.*s': severity must be error, warning or info", (int)n, p);
        return -1;
      }
      set_sev = true;
    }
    if (idn && (*p == '-' || *p == '+')) {
      on = *p == '+';
      if (set_sev && !on) {
        snprintf(err, errcap, "'%.*s': a disabled rule has no severity", (int)n, p);
        return -1;
      }
      p++;
      n--;
      idn--;
    }
    for (int i = 0; i < R_COUNT; i++)
      if (idn && item_matches(&rtg_rules[i], p, idn)) {
        opts->rule_enabled[i] = on;
        if (set_sev) opts->sev[i] = sev;
        hits++;
      }
    if (hits == 0) {
      snprintf(err, errcap, "no rule matches '%.*s' (see --list-rules)", (int)idn, p);
      return -1;
    }
    p += n;
    if (*p == ',') p++;
  }
  return 0;
}

void rtg_finding(struct rtg_replay *r, enum rtg_rule_idx rule, int session, const char *fmt, ...) {
  struct rtg_finding *f;
  va_list ap;
  if (!r->opts.rule_enabled[rule]) return;
  r->per_rule[rule]++;
  if (r->per_rule[rule] > RTG_RULE_CAP) {
    r->suppressed[rule]++;
    return;
  }
  if (r->nfindings == r->cap_findings) {
    size_t nc = r->cap_findings ? r->cap_findings * 2 : 64;
    struct rtg_finding *nf = realloc(r->findings, nc * sizeof *nf);
    if (nf == NULL) return;
    r->findings = nf;
    r->cap_findings = nc;
  }
  f = &r->findings[r->nfindings++];
  f->rule = rule;
  f->packet = r->cur_pkt;
  f->capture = r->cur_cap;
  f->session = session;
  va_start(ap, fmt);
  vsnprintf(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
  if (r->cur_flow >= 0)
    rtg_replay_event(r, r->cur_flow, r->cur_dir, true, "%s", rtg_rules[rule].id);
}
