/*
 * probe_leak.h - `rtcgate probe leak`: which addresses a browser exposes
 * to a web page through WebRTC (ICE candidates and the local SDP), per
 * configuration, inside a private network namespace (10.99.0.1/24,
 * fd00:99::1/64 on a veth pair, a default route; coturn on 10.99.0.2 for
 * the TURN configurations).
 *
 * Configurations:
 *   defaults    browser defaults (mDNS .local host names)    should mask
 *   mdns-off    host addresses in the clear                  exposes
 *   media       getUserMedia granted first (fake devices)    exposes
 *   relay-only  iceTransportPolicy "relay" + TURN server     should mask
 *   turn        defaults + a TURN server                     should mask
 * A configuration that should mask and exposes a private IPv4, an IPv6 or
 * a loopback address of the browser is a finding.
 */
#ifndef RTG_PROBE_LEAK_H
#define RTG_PROBE_LEAK_H

#include <jansson.h>
#include <stdbool.h>

struct rtg_probe_leak_config {
  const char *name;
  const char *descr;
  bool mdns;        /* browser default host-name obfuscation left on */
  bool media;       /* page calls getUserMedia first */
  bool turn;        /* page gets the namespace's TURN server */
  bool relay_only;  /* iceTransportPolicy relay */
  bool should_mask; /* exposing addresses here is a finding */
};

extern const struct rtg_probe_leak_config rtg_probe_leak_configs[];
extern const size_t rtg_probe_leak_nconfigs;

/* Classifies what a page saw: |result| is the page's JSON ({"candidates":
 * [...], "sdp": "..."}). Returns {"candidates", "types": {host, srflx,
 * relay, prflx}, "mdns_names", "exposed": {"private_ipv4", "ipv6",
 * "loopback", "link_local", "public"}: [addresses], "interfaces": N,
 * "leak": bool}. Addresses of relay candidates (the TURN server's) and the
 * o= line are not the browser's and do not count; raddr of any candidate
 * does. */
json_t *rtg_probe_leak_analyse(const json_t *result);

struct rtg_probe_leak_opts {
  const char *browsers[2]; /* "chromium", "firefox"; NULL ends */
  int nbrowsers;
  const struct rtg_probe_leak_config *configs[8];
  int nconfigs;
  const char *web_dir;
  const char *keep_dir; /* run directories kept here, or NULL */
  int timeout_s;        /* per browser run */
  bool verbose;
};

/* Runs every browser x configuration in a namespace of its own (a forked
 * child). |*report| gets {"runs": [...], "findings"}. Returns the number of
 * findings or -1 with |err| set (no namespace, no browser, no port). */
int rtg_probe_leak_run(const struct rtg_probe_leak_opts *o, json_t **report, char *err,
                       size_t errcap);

#endif
