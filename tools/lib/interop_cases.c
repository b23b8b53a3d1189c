/*
 * interop_cases.c - the test cases of `rtcgate interop`: name, matrix
 * abbreviation, description, timeout, runner behaviour, and the checks the
 * participants must report true (tools/interop/web/interop.js computes
 * them; the runner only accepts a run when every listed check is present
 * and true on both sides and the replay engine finds no error).
 */
#include <string.h>

#include "lib/interop.h"

const struct rtg_interop_case rtg_interop_cases[] = {
    {"handshake",
     "H",
     "ICE + DTLS connect (the answerer is the DTLS client)",
     15,
     0,
     {"connected", "connected"},
     "",
     "ice,dtls",
     {"connected", "connected"}},
    {"datachannel",
     "DC",
     "ordered reliable echo of messages from 1 B to 64 KiB",
     20,
     0,
     {"connected,dc_open,echo_all", "connected,dc_open,echoed_all"},
     "",
     "ice,dtls,datachannel",
     {"connected,dc_open,echo_all", "connected,dc_open,echoed_some"}},
    {"datachannel-large",
     "DL",
     "one message as large as the peer's max-message-size allows",
     30,
     0,
     {"connected,dc_open,large_echo", "connected,dc_open,large_received"},
     "",
     "ice,dtls,datachannel",
     {"connected,dc_open,large_echo", "connected,dc_open,echoed_some"}},
    {"datachannel-unreliable",
     "DU",
     "unordered, maxRetransmits 0 channel: properties and delivery",
     20,
     0,
     {"connected,dc_open,sent_all", "connected,dc_props,received_some"},
     "",
     "ice,dtls,datachannel,datachannel-unreliable",
     {"connected,dc_open,sent_all", "connected,dc_open,echoed_some"}},
    {"datachannel-many",
     "DM",
     "100 channels: 50 in-band (DCEP) and 50 negotiated, echo on each",
     25,
     0,
     {"connected,all_open,echo_all", "connected,all_open,echoed_all"},
     "",
     "ice,dtls,datachannel",
     {"connected,all_open,echo_all", "connected,dc_open,echoed_some"}},
    {"datachannel-close",
     "DX",
     "channel close is seen by the other side (stream reset)",
     20,
     0,
     {"connected,dc_open,closed,alive_after_close", "connected,dc_open,closed_by_peer"},
     "",
     "ice,dtls,datachannel",
     {"connected,dc_open,closed,alive_after_close", "connected,dc_open,echoed_some"}},
    {"audio",
     "A",
     "Opus from the fake device, received and decoded (getStats)",
     20,
     RTG_CASE_MEDIA,
     {"connected,audio_received,codec_opus", "connected,audio_received,codec_opus"},
     "",
     "ice,dtls,audio",
     {NULL, NULL}},
    {"video",
     "V",
     "VP8 from the fake device, received and decoded (getStats)",
     25,
     RTG_CASE_MEDIA,
     {"connected,video_received,codec_vp8,frames_decoded",
      "connected,video_received,codec_vp8,frames_decoded"},
     "",
     "ice,dtls,video",
     {NULL, NULL}},
    {"ice-restart",
     "IR",
     "ICE restart by the offerer: new credentials, data flows after",
     25,
     0,
     {"connected,dc_open,ufrag_changed,reconnected,echo_after", "connected,ufrag_changed,echoed"},
     "",
     "ice,dtls,datachannel,ice-restart",
     {NULL, "connected,dc_open,echoed_some"}},
    {"trickle",
     "T",
     "trickled candidates (the SDPs carry none)",
     20,
     0,
     {"connected,trickled,sent_candidates,got_candidates,dc_open",
      "connected,trickled,sent_candidates,got_candidates,dc_open"},
     "",
     "ice,dtls,datachannel,trickle",
     {NULL, "connected,dc_open,echoed_some,trickled,sent_candidates,got_candidates"}},
    {"mdns",
     "M",
     "browser defaults: .local host candidates, connect",
     20,
     RTG_CASE_MDNS,
     {"connected,dc_open,mdns_candidates", "connected,dc_open,mdns_candidates"},
     "",
     "ice,dtls,datachannel",
     {NULL, "connected,dc_open,echoed_some,mdns_candidates"}},
    {"ipv6",
     "6",
     "IPv6 only (IPv4 candidates removed by the runner)",
     20,
     RTG_CASE_IPV6,
     {"connected,dc_open,selected_ipv6", "connected,dc_open,selected_ipv6"},
     "",
     "ice,dtls,datachannel",
     {NULL, "connected,dc_open,echoed_some,selected_ipv6"}},
    {"relay",
     "R",
     "iceTransportPolicy relay through coturn in the namespace (TURN/UDP)",
     20,
     RTG_CASE_RELAY,
     {"connected,dc_open,selected_relay", "connected,dc_open,selected_relay"},
     "",
     "ice,dtls,datachannel",
     {NULL, "connected,dc_open,echoed_some,selected_relay"}},
    {"fingerprint-mismatch",
     "FP",
     "the runner changes the offer's a=fingerprint: both sides must refuse (MitM defence)",
     12,
     RTG_CASE_BAD_FP | RTG_CASE_EXPECT_FAIL,
     {"refused", "refused"},
     "dtls.fingerprint-mismatch",
     "ice,dtls",
     {NULL, NULL}},
};
const size_t rtg_interop_ncases = sizeof rtg_interop_cases / sizeof rtg_interop_cases[0];

const struct rtg_interop_case *rtg_interop_case_find(const char *name) {
  for (size_t i = 0; i < rtg_interop_ncases; i++)
    if (strcmp(rtg_interop_cases[i].name, name) == 0 ||
        strcmp(rtg_interop_cases[i].abbr, name) == 0)
      return &rtg_interop_cases[i];
  return NULL;
}

json_t *rtg_interop_case_config(const struct rtg_interop_case *c, enum rtg_interop_role role,
                                int timeout_s) {
  json_t *sizes = json_array();
  json_t *cfg;
  /* datachannel: 1 B, 2 B, 4 B ... 64 KiB, plus two odd sizes */
  for (int sz = 1; sz <= 65536; sz *= 2) json_array_append_new(sizes, json_integer(sz));
  json_array_append_new(sizes, json_integer(1200));
  json_array_append_new(sizes, json_integer(65535));
  cfg = json_pack("{s:s, s:s, s:i, s:b, s:b, s:b, s:o, s:i, s:i, s:i, s:i}", "case", c->name,
                  "role", role == RTG_ROLE_OFFER ? "offer" : "answer", "timeout_ms",
                  (timeout_s ? timeout_s : c->timeout_s) * 1000 - 1500, "media",
                  (c->flags & RTG_CASE_MEDIA) != 0, "trickle", strcmp(c->name, "trickle") == 0,
                  "expect_fail", (c->flags & RTG_CASE_EXPECT_FAIL) != 0, "sizes", sizes,
                  "large_cap", 8 * 1024 * 1024, "unreliable_count", 200, "dcep_channels", 50,
                  "negotiated_channels", 50);
  if (c->flags & RTG_CASE_RELAY) {
    json_object_set_new(cfg, "relay", json_true());
    json_object_set_new(cfg, "ice_servers",
                        json_pack("[{s:s, s:s, s:s}]", "urls", RTG_INTEROP_TURN_URL, "username",
                                  RTG_INTEROP_TURN_USER, "credential", RTG_INTEROP_TURN_PASS));
  }
  return cfg;
}
