/*
 * cmd_peer.c - `rtcgate peer`: the reference WebRTC peer over real UDP,
 * signaling with the webrtc-echoes contract (POST /offer). Option parsing
 * only; the sessions are in tools/lib/peer_session.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/peer_session.h"

static const char usage[] =
    "usage: rtcgate peer (--listen ADDR:PORT | --offer-to URL) [options]\n"
    "\n"
    "Runs the reference WebRTC peer over real UDP. Signaling is the webrtc-echoes\n"
    "contract: HTTP POST /offer with {\"type\":\"offer\",\"sdp\":...}, the answer in\n"
    "the response; the SDPs carry every candidate (no trickle), unless --trickle.\n"
    "\n"
    "  --listen ADDR:PORT     answer offers POSTed to http://ADDR:PORT/offer (port 0:\n"
    "                         any free port, printed on stderr), one session at a\n"
    "                         time; data-channel messages and media are echoed\n"
    "  --offer-to URL         POST an offer to URL, then run the active test: echo of\n"
    "                         1 B .. 256 KiB messages, media, ICE restart as expected\n"
    "  --trickle BASE         trickle ICE through a mailbox (the interop runner's):\n"
    "                         the SDPs carry no candidates; ours are POSTed to\n"
    "                         BASE/send/ROLE, the remote's polled from\n"
    "                         BASE/recv/ROLE/N (ROLE: offer or answer, ours)\n"
    "  --expect LIST          comma list of: ice, dtls, datachannel,\n"
    "                         datachannel-unreliable, audio, video, ice-restart,\n"
    "                         trickle (candidates went both ways by --trickle)\n"
    "                         (the offer's sections follow it; default: ice,dtls)\n"
    "  --timeout S            give up after S seconds (default 20; with --listen: per\n"
    "                         session)\n"
    "  --sessions N           with --listen: exit after N sessions (default: serve\n"
    "                         until SIGINT/SIGTERM)\n"
    "  --json FILE|-          write events (ms since start) and statistics as JSON\n"
    "  --keylog FILE          append the DTLS secrets in NSS key log format (default:\n"
    "                         $SSLKEYLOGFILE when set)\n"
    "  --bind ADDR[,ADDR..]   gather host candidates only on these local addresses\n"
    "                         (default: every interface that is up, loopback only\n"
    "                         when there is nothing else)\n"
    "  --stun HOST:PORT       server-reflexive candidates from this STUN server\n"
    "  --turn HOST:PORT       a relay candidate from this TURN server (UDP), with\n"
    "  --turn-user U --turn-password P   its long-term credentials\n"
    "  --relay-only           use and advertise the relay candidate only\n"
    "  --loss PERCENT         drop this share of datagrams in both directions\n"
    "                         (simulated inside the stack)\n"
    "  --echo-max BYTES       largest message of the echo test (default 262144)\n"
    "  --seed N               seed the randomness (loss, ICE credentials) for a\n"
    "                         reproducible run\n"
    "  --mdns                 hide host addresses behind random .local names (as\n"
    "                         browsers do) and answer mDNS queries for them; the\n"
    "                         remote's .local candidates are always resolved\n"
    "  --quiet                no progress lines on stderr\n"
    "  --mdns-resolve NAME    resolve a .local NAME with mDNS queries, print its\n"
    "                         address (gives up after --timeout, default 3 s)\n"
    "  --mdns-publish NAME=ADDR  answer mDNS queries for NAME until --timeout (or\n"
    "                         SIGINT/SIGTERM)\n"
    "\n"
    "Exit status: 0 every expectation met, 1 an expectation failed (named on\n"
    "stderr), 2 usage or environment error (busy port, bad URL, unreachable server).\n";

struct args {
  struct rtg_pio_options o;
  const char *mdns_resolve, *mdns_publish;
  bool expect_given, timeout_given;
};

/* Options taking a value; returns 1 when |name| was one of them, 0 when
 * not, -1 on a bad value. */
static int value_option(struct args *a, const char *name, const char *v) {
  static const struct {
    const char *name;
    size_t off;
  } strs[] = {
      {"--listen", offsetof(struct rtg_pio_options, listen)},
      {"--offer-to", offsetof(struct rtg_pio_options, offer_to)},
      {"--trickle", offsetof(struct rtg_pio_options, trickle)},
      {"--json", offsetof(struct rtg_pio_options, json)},
      {"--keylog", offsetof(struct rtg_pio_options, keylog)},
      {"--bind", offsetof(struct rtg_pio_options, bind)},
      {"--stun", offsetof(struct rtg_pio_options, stun)},
      {"--turn", offsetof(struct rtg_pio_options, turn)},
      {"--turn-user", offsetof(struct rtg_pio_options, turn_user)},
      {"--turn-password", offsetof(struct rtg_pio_options, turn_password)},
  };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    if (strcmp(name, strs[i].name) == 0) {
      memcpy((char *)&a->o + strs[i].off, &v, sizeof v);
      return 1;
    }
  if (strcmp(name, "--mdns-resolve") == 0) {
    a->mdns_resolve = v;
    return 1;
  }
  if (strcmp(name, "--mdns-publish") == 0) {
    a->mdns_publish = v;
    return 1;
  }
  return 0;
}

static int number_option(struct args *a, const char *name, const char *v) {
  char *end;
  if (strcmp(name, "--timeout") == 0) {
    a->o.timeout_ms = rtg_cli_parse_duration_ms(v);
    a->timeout_given = true;
    if (a->o.timeout_ms <= 0) return -1;
  } else if (strcmp(name, "--sessions") == 0) {
    a->o.sessions = strtol(v, &end, 10);
    if (*end || a->o.sessions < 1) return -1;
  } else if (strcmp(name, "--loss") == 0) {
    a->o.loss_percent = strtod(v, &end);
    if (*end || !(a->o.loss_percent >= 0 && a->o.loss_percent <= 100)) return -1;
  } else if (strcmp(name, "--echo-max") == 0) {
    a->o.echo_max = strtoull(v, &end, 10);
    if (*end || a->o.echo_max < 1 || a->o.echo_max > 262144) return -1;
  } else if (strcmp(name, "--seed") == 0) {
    a->o.seed = strtoull(v, &end, 0);
    a->o.have_seed = true;
    if (*end || !*v) return -1;
  } else if (strcmp(name, "--expect") == 0) {
    char err[200];
    if (rtg_pio_expect_parse(v, &a->o.expect, err, sizeof err) != 0) {
      rtg_cli_err("peer", "%s", err);
      return -2;
    }
    a->expect_given = true;
  } else {
    return 0;
  }
  return 1;
}

static int flag_option(struct args *a, const char *name) {
  if (strcmp(name, "--relay-only") == 0)
    a->o.relay_only = true;
  else if (strcmp(name, "--quiet") == 0)
    a->o.quiet = true;
  else if (strcmp(name, "--mdns") == 0)
    a->o.mdns = true;
  else
    return 0;
  return 1;
}

static int parse(struct args *a, int argc, char **argv) {
  a->o.timeout_ms = 20000;
  for (int i = 1; i < argc; i++) {
    const char *name = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int rc;
    if (rtg_cli_is_help(name)) {
      fputs(usage, stdout);
      return 1;
    }
    if (flag_option(a, name)) continue;
    if (v == NULL) {
      rtg_cli_err("peer", "%s: unknown option or missing value (see --help)", name);
      return -1;
    }
    rc = value_option(a, name, v);
    if (rc == 0) rc = number_option(a, name, v);
    if (rc == 0) {
      rtg_cli_err("peer", "unknown option %s (see --help)", name);
      return -1;
    }
    if (rc < 0) {
      if (rc == -1) rtg_cli_err("peer", "%s: bad value '%s'", name, v);
      return -1;
    }
    i++;
  }
  return 0;
}

static int check(struct args *a) {
  const struct rtg_pio_options *o = &a->o;
  if (a->mdns_resolve || a->mdns_publish) return 0;
  if ((o->listen == NULL) == (o->offer_to == NULL)) {
    rtg_cli_err("peer", "give exactly one of --listen ADDR:PORT or --offer-to URL (see --help)");
    return -1;
  }
  if (o->turn && (o->turn_user == NULL || o->turn_password == NULL)) {
    rtg_cli_err("peer", "--turn needs --turn-user and --turn-password");
    return -1;
  }
  if (o->relay_only && o->turn == NULL) {
    rtg_cli_err("peer", "--relay-only needs --turn");
    return -1;
  }
  if (o->trickle && strncmp(o->trickle, "http://", 7) != 0) {
    rtg_cli_err("peer", "--trickle: '%s' is not an http:// URL", o->trickle);
    return -1;
  }
  if ((o->expect & RTG_PIO_EXPECT_TRICKLE) && o->trickle == NULL) {
    rtg_cli_err("peer", "--expect trickle needs --trickle BASE");
    return -1;
  }
  if (o->sessions && o->listen == NULL) {
    rtg_cli_err("peer", "--sessions only applies to --listen");
    return -1;
  }
  return 0;
}

int rtg_cmd_peer(int argc, char **argv) {
  struct args a;
  int rc;
  memset(&a, 0, sizeof a);
  rc = parse(&a, argc, argv);
  if (rc != 0) return rc > 0 ? RTG_EXIT_OK : RTG_EXIT_USAGE;
  if (check(&a) != 0) return RTG_EXIT_USAGE;
  if (!a.expect_given) a.o.expect = RTG_PIO_EXPECT_ICE | RTG_PIO_EXPECT_DTLS;
  if (a.mdns_resolve || a.mdns_publish)
    return rtg_pio_run_mdns(a.mdns_resolve, a.mdns_publish,
                            a.timeout_given ? a.o.timeout_ms : 3000);
  return a.o.listen ? rtg_pio_run_answerer(&a.o) : rtg_pio_run_offerer(&a.o);
}
