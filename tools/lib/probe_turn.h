/*
 * probe_turn.h - `rtcgate probe turn`: checks a TURN server (RFC 8656) over
 * UDP for the abuses a public relay must refuse. Each check is a bounded
 * number of transactions (retransmitted at most twice, 1.5 s each):
 *
 *   open_relay        Allocate without credentials is refused (401)
 *   forbidden_peers   CreatePermission to loopback, RFC 1918, link-local
 *                     (cloud metadata), CGNAT, 0.0.0.0, broadcast and
 *                     multicast peers is refused (403) - only the request is
 *                     sent, never data, except to 127.0.0.1
 *   ipv6_peers        the same through IPv6 spellings (::ffff:127.0.0.1,
 *                     ::ffff:169.254.169.254, ::1, ::) is refused
 *   loopback_relay    data sent through the relay to a socket of ours on
 *                     127.0.0.1 does not arrive
 *   permission_rules  data from a peer without a permission is not relayed
 *                     to the client (needs a relayable --peer address)
 *   channel_rules     ChannelBind outside 0x4000-0x4FFF, or rebinding a
 *                     number to another peer, is refused (400)
 *   nonce             a request with a nonce the server never issued gets
 *                     438 (Stale Nonce) or 401, never success
 *   quota             one user gets a bounded number of allocations (486)
 *   guessing          wrong passwords are throttled or blocked (warning
 *                     only: RFC 8656 leaves it to the operator)
 *
 * Each result is "pass", "finding", "warning" or "skipped" with a detail.
 */
#ifndef RTG_PROBE_TURN_H
#define RTG_PROBE_TURN_H

#include <jansson.h>
#include <stdbool.h>

struct rtg_probe_turn_opts {
  const char *host; /* IPv4 literal: probes only talk to 127.0.0.0/8 */
  int port;
  const char *user, *password; /* NULL: unauthenticated checks only */
  const char *peer;            /* an IPv4 address the server may relay to */
  int max_allocations;         /* quota check bound (default 8) */
  int guesses;                 /* wrong passwords tried (default 20) */
  bool verbose;
};

/* Runs every check; |*report| gets {"server", "checks": [...], "findings",
 * "warnings"}. Returns the number of findings, or -1 with |err| set when the
 * server cannot be probed (unreachable, bad address, wrong credentials). */
int rtg_probe_turn_run(const struct rtg_probe_turn_opts *o, json_t **report, char *err,
                       size_t errcap);

#endif
