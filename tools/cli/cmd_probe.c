/*
 * cmd_probe.c - `rtcgate probe KIND`: security probes (README "Security
 * testing"). `probe turn` checks a TURN server (tools/lib/probe_turn.c),
 * `probe leak` what browsers expose (tools/lib/probe_leak.c), `probe flood`
 * STUN floods at an ICE session (tools/lib/probe_flood.c), `probe mitm` a
 * fingerprint-rewriting relay (tools/lib/probe_mitm.c).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/probe_flood.h"
#include "lib/probe_leak.h"
#include "lib/probe_mitm.h"
#include "lib/probe_turn.h"

static void usage(FILE *f) {
  fputs(
      "usage: rtcgate probe turn --server HOST:PORT [options]\n"
      "  checks a TURN server (UDP) for open relay, forbidden peers, permission and\n"
      "  channel rules, nonce handling, allocation quota and password guessing\n"
      "  --server HOST:PORT     the server (IPv4; 127.0.0.0/8 unless --allow-remote)\n"
      "  --user U --password P  a long-term credential (more checks with it)\n"
      "  --peer IP              an address the server should relay to (permission\n"
      "                         and channel checks; a UDP socket is bound on it)\n"
      "  --max-allocations N    quota check bound (8)\n"
      "  --guesses N            wrong passwords tried, 20 per second (20)\n"
      "  --allow-remote         probe a server outside 127.0.0.0/8 (yours only)\n"
      "  --json FILE|-          the report\n"
      "exit: 0 no finding, 1 findings, 2 usage or unreachable server\n"
      "\n"
      "usage: rtcgate probe leak [--browsers chromium,firefox] [--configs LIST]\n"
      "  which addresses each browser exposes to a page (ICE candidates, SDP) per\n"
      "  configuration, in a private network namespace\n"
      "  --configs LIST         defaults,mdns-off,media,relay-only,turn (all)\n"
      "  --timeout S            per browser run (15)\n"
      "  --keep DIR             keep each run's page result and browser log\n"
      "  --analyse FILE         classify a saved page result (no browser)\n"
      "  --json FILE|-          the report\n"
      "exit: 0 no finding, 1 a configuration that should mask leaked, 2 environment\n"
      "\n"
      "usage: rtcgate probe flood (--offer-to URL | --target HOST:PORT --ufrag U --pwd P)\n"
      "  bounded STUN Binding floods (unauthenticated, bad integrity, valid\n"
      "  integrity) at an ICE session: survival, consent, amplification\n"
      "  --offer-to URL         set up the session (POST /offer, webrtc-echoes)\n"
      "  --target HOST:PORT     an existing session's ICE address (127.0.0.0/8),\n"
      "  --ufrag U --pwd P      with its ICE credentials [--local-ufrag L]\n"
      "  --count N --rate R     datagrams per flood (2000) and per second (2000)\n"
      "  --json FILE|-          the report\n"
      "exit: 0 no finding, 1 findings, 2 usage or no session\n"
      "\n"
      "usage: rtcgate probe mitm --listen ADDR:PORT --forward-to URL\n"
      "  a signaling relay (POST /offer) that rewrites a=fingerprint and terminates\n"
      "  DTLS on both legs, relaying data channels: shows the plaintext it reads\n"
      "  and the fingerprint comparison that exposes it\n"
      "  --sessions N           stop after N sessions (1)\n"
      "  --timeout S            wait for an offer / per session (30)\n"
      "  --capture FILE         record the offerer's leg (pcapng, for rtcgate replay)\n"
      "  --sdp-dir DIR          save the genuine and the rewritten SDPs\n"
      "  --json FILE|-          the report\n"
      "exit: 0 no plaintext read, 1 the relay read plaintext, 2 usage or no session\n",
      f);
}

/* One option of a probe: a string, a bounded integer or a flag. */
enum opt_kind { OPT_STR, OPT_INT, OPT_FLAG };
struct opt {
  const char *name;
  enum opt_kind kind;
  void *dst; /* const char **, int * or bool * */
  int lo, hi;
};

/* Parses argv[1..] against |opts|: 0 parsed, 1 --help shown, 2 usage error
 * (said on stderr). */
static int parse_opts(int argc, char **argv, const struct opt *opts, size_t nopts) {
  for (int a = 1; a < argc; a++) {
    const struct opt *op = NULL;
    const char *v;
    if (rtg_cli_is_help(argv[a])) {
      usage(stdout);
      return 1;
    }
    for (size_t k = 0; k < nopts && op == NULL; k++)
      if (strcmp(argv[a], opts[k].name) == 0) op = &opts[k];
    if (op == NULL) {
      rtg_cli_err("probe", "unknown option %s (see --help)", argv[a]);
      return 2;
    }
    if (op->kind == OPT_FLAG) {
      *(bool *)op->dst = true;
      continue;
    }
    if (a + 1 >= argc) {
      rtg_cli_err("probe", "%s needs a value (see --help)", op->name);
      return 2;
    }
    v = argv[++a];
    if (op->kind == OPT_STR) {
      *(const char **)op->dst = v;
    } else {
      char *e;
      long x = strtol(v, &e, 10);
      if (*e || x < op->lo || x > op->hi) {
        rtg_cli_err("probe", "%s wants %d..%d, not '%s'", op->name, op->lo, op->hi, v);
        return 2;
      }
      *(int *)op->dst = (int)x;
    }
  }
  return 0;
}

/* "IPV4:PORT" of option |flag| into |host| and |*port|; 0, or -1 said. */
static int host_port(const char *flag, const char *spec, char *host, size_t cap, int *port) {
  const char *colon = strrchr(spec, ':');
  char *e;
  long p = colon ? strtol(colon + 1, &e, 10) : 0;
  if (colon == NULL || *e || p < 1 || p > 65535 || (size_t)(colon - spec) >= cap) {
    rtg_cli_err("probe", "bad %s '%s' (want IPV4:PORT)", flag, spec);
    return -1;
  }
  memcpy(host, spec, (size_t)(colon - spec));
  host[colon - spec] = '\0';
  *port = (int)p;
  return 0;
}

static int probe_turn(int argc, char **argv) {
  struct rtg_probe_turn_opts o = {.max_allocations = 8, .guesses = 20};
  const char *server = NULL, *json_out = NULL;
  bool allow_remote = false;
  char host[64], err[256];
  json_t *report;
  int n;
  const struct opt opts[] = {
      {"--server", OPT_STR, &server, 0, 0},
      {"--user", OPT_STR, &o.user, 0, 0},
      {"--password", OPT_STR, &o.password, 0, 0},
      {"--peer", OPT_STR, &o.peer, 0, 0},
      {"--json", OPT_STR, &json_out, 0, 0},
      {"--max-allocations", OPT_INT, &o.max_allocations, 1, 100},
      {"--guesses", OPT_INT, &o.guesses, 1, 100},
      {"--allow-remote", OPT_FLAG, &allow_remote, 0, 0},
      {"--verbose", OPT_FLAG, &o.verbose, 0, 0},
  };
  switch (parse_opts(argc, argv, opts, sizeof opts / sizeof opts[0])) {
    case 0: break;
    case 1: return RTG_EXIT_OK;
    default: return RTG_EXIT_USAGE;
  }
  if (server == NULL) {
    rtg_cli_err("probe", "turn needs --server HOST:PORT");
    return RTG_EXIT_USAGE;
  }
  if ((o.user == NULL) != (o.password == NULL)) {
    rtg_cli_err("probe", "--user and --password go together");
    return RTG_EXIT_USAGE;
  }
  if (host_port("--server", server, host, sizeof host, &o.port) != 0) return RTG_EXIT_USAGE;
  o.host = host;
  if (!allow_remote && strncmp(o.host, "127.", 4) != 0) {
    rtg_cli_err("probe",
                "%s is not on 127.0.0.0/8: probe only servers you operate, with "
                "--allow-remote",
                o.host);
    return RTG_EXIT_USAGE;
  }
  if (o.peer && strncmp(o.peer, "127.", 4) != 0) {
    rtg_cli_err("probe", "--peer must be a local address on 127.0.0.0/8");
    return RTG_EXIT_USAGE;
  }
  fprintf(stderr, "rtcgate probe turn: %s:%d%s\n", o.host, o.port,
          o.user ? " (with credentials)" : " (no credentials)");
  n = rtg_probe_turn_run(&o, &report, err, sizeof err);
  if (n < 0) {
    rtg_cli_err("probe", "%s", err);
    return RTG_EXIT_USAGE;
  }
  fprintf(stderr, "rtcgate probe turn: %d finding(s), %d warning(s)\n", n,
          (int)json_integer_value(json_object_get(report, "warnings")));
  if (json_out && strcmp(json_out, "-") == 0) {
    json_dumpf(report, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
  } else if (json_out && json_dump_file(report, json_out, JSON_INDENT(2)) != 0) {
    rtg_cli_err("probe", "cannot write %s", json_out);
  }
  json_decref(report);
  return n > 0 ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
}

static void print_leak_run(const json_t *r) {
  const json_t *an = json_object_get(r, "analysis"), *ex = json_object_get(an, "exposed");
  const char *err = json_string_value(json_object_get(r, "error"));
  char list[512] = "";
  size_t used = 0;
  const char *k;
  json_t *v;
  if (err) {
    fprintf(stderr, "  %-9s %-11s error: %s\n", json_string_value(json_object_get(r, "browser")),
            json_string_value(json_object_get(r, "config")), err);
    return;
  }
  json_object_foreach((json_t *)ex, k, v) {
    size_t i;
    json_t *a;
    json_array_foreach(v, i, a) {
      int n = snprintf(list + used, sizeof list - used, "%s%s (%s)", used ? ", " : "",
                       json_string_value(a), k);
      if (n > 0 && (size_t)n < sizeof list - used) used += (size_t)n;
    }
  }
  fprintf(stderr, "  %-8s %-9s %-11s %2d candidates, %d mDNS names, %d interfaces: %s\n",
          json_is_true(json_object_get(r, "finding")) ? "finding"
          : json_is_true(json_object_get(an, "leak")) ? "exposes"
                                                      : "masked",
          json_string_value(json_object_get(r, "browser")),
          json_string_value(json_object_get(r, "config")),
          (int)json_integer_value(json_object_get(an, "candidates")),
          (int)json_integer_value(json_object_get(an, "mdns_names")),
          (int)json_integer_value(json_object_get(an, "interfaces")), used ? list : "no address");
}

static int write_json(const json_t *j, const char *out) {
  if (out == NULL) return 0;
  if (strcmp(out, "-") == 0) {
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    return 0;
  }
  if (json_dump_file(j, out, JSON_INDENT(2)) != 0) {
    rtg_cli_err("probe", "cannot write %s", out);
    return -1;
  }
  return 0;
}

static int probe_leak(int argc, char **argv) {
  struct rtg_probe_leak_opts o = {.timeout_s = 15};
  const char *browsers = "chromium,firefox", *configs = NULL, *json_out = NULL, *analyse = NULL;
  char blist[64], clist[256], err[512], web[1024];
  json_t *report;
  size_t i;
  json_t *r;
  int n;
  const struct opt opts[] = {
      {"--browsers", OPT_STR, &browsers, 0, 0}, {"--configs", OPT_STR, &configs, 0, 0},
      {"--json", OPT_STR, &json_out, 0, 0},     {"--keep", OPT_STR, &o.keep_dir, 0, 0},
      {"--analyse", OPT_STR, &analyse, 0, 0},   {"--timeout", OPT_INT, &o.timeout_s, 5, 120},
  };
  switch (parse_opts(argc, argv, opts, sizeof opts / sizeof opts[0])) {
    case 0: break;
    case 1: return RTG_EXIT_OK;
    default: return RTG_EXIT_USAGE;
  }
  if (analyse) {
    json_t *res = json_load_file(analyse, 0, NULL), *an;
    if (res == NULL) {
      rtg_cli_err("probe", "%s: not a JSON page result", analyse);
      return RTG_EXIT_USAGE;
    }
    an = rtg_probe_leak_analyse(res);
    json_decref(res);
    if (json_out == NULL) json_out = "-";
    write_json(an, json_out);
    n = json_is_true(json_object_get(an, "leak"));
    json_decref(an);
    return n ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
  }
  snprintf(blist, sizeof blist, "%s", browsers);
  for (char *save = NULL, *t = strtok_r(blist, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if ((strcmp(t, "chromium") != 0 && strcmp(t, "firefox") != 0) || o.nbrowsers == 2) {
      rtg_cli_err("probe", "--browsers: chromium and/or firefox, not '%s'", t);
      return RTG_EXIT_USAGE;
    }
    o.browsers[o.nbrowsers++] = t;
  }
  if (configs == NULL) {
    for (i = 0; i < rtg_probe_leak_nconfigs; i++)
      o.configs[o.nconfigs++] = &rtg_probe_leak_configs[i];
  } else {
    snprintf(clist, sizeof clist, "%s", configs);
    for (char *save = NULL, *t = strtok_r(clist, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      const struct rtg_probe_leak_config *c = NULL;
      for (i = 0; i < rtg_probe_leak_nconfigs; i++)
        if (strcmp(rtg_probe_leak_configs[i].name, t) == 0) c = &rtg_probe_leak_configs[i];
      if (c == NULL || o.nconfigs == 8) {
        rtg_cli_err("probe",
                    "--configs: unknown configuration '%s' (defaults, mdns-off, media, "
                    "relay-only, turn)",
                    t);
        return RTG_EXIT_USAGE;
      }
      o.configs[o.nconfigs++] = c;
    }
  }
  snprintf(web, sizeof web, "%s/tools/probe/web", rtg_cli_source_dir());
  o.web_dir = web;
  fprintf(stderr,
          "rtcgate probe leak: %d browser(s) x %d configuration(s) in a private namespace\n",
          o.nbrowsers, o.nconfigs);
  n = rtg_probe_leak_run(&o, &report, err, sizeof err);
  if (n < 0) {
    rtg_cli_err("probe", "%s", err);
    return RTG_EXIT_USAGE;
  }
  json_array_foreach(json_object_get(report, "runs"), i, r) print_leak_run(r);
  fprintf(stderr, "rtcgate probe leak: %d finding(s)\n", n);
  write_json(report, json_out);
  {
    bool errors = false;
    json_array_foreach(json_object_get(report, "runs"), i, r) errors |=
        json_object_get(r, "error") != NULL;
    json_decref(report);
    if (n > 0) return RTG_EXIT_FINDINGS;
    return errors ? RTG_EXIT_USAGE : RTG_EXIT_OK;
  }
}

static int probe_flood(int argc, char **argv) {
  struct rtg_probe_flood_opts o = {.count = 2000, .rate = 2000};
  const char *json_out = NULL;
  char err[512];
  json_t *report;
  int n;
  const struct opt opts[] = {
      {"--offer-to", OPT_STR, &o.offer_to, 0, 0},
      {"--target", OPT_STR, &o.target, 0, 0},
      {"--ufrag", OPT_STR, &o.ufrag, 0, 0},
      {"--pwd", OPT_STR, &o.pwd, 0, 0},
      {"--local-ufrag", OPT_STR, &o.local_ufrag, 0, 0},
      {"--json", OPT_STR, &json_out, 0, 0},
      {"--count", OPT_INT, &o.count, 1, 20000},
      {"--rate", OPT_INT, &o.rate, 1, 20000},
      {"--verbose", OPT_FLAG, &o.verbose, 0, 0},
  };
  switch (parse_opts(argc, argv, opts, sizeof opts / sizeof opts[0])) {
    case 0: break;
    case 1: return RTG_EXIT_OK;
    default: return RTG_EXIT_USAGE;
  }
  if ((o.offer_to == NULL) == (o.target == NULL) ||
      (o.target && (o.ufrag == NULL || o.pwd == NULL))) {
    rtg_cli_err("probe", "flood needs --offer-to URL, or --target HOST:PORT --ufrag U --pwd P");
    return RTG_EXIT_USAGE;
  }
  if ((o.target && strncmp(o.target, "127.", 4) != 0) ||
      (o.offer_to && strncmp(o.offer_to, "http://127.", 11) != 0)) {
    rtg_cli_err("probe", "flood targets only 127.0.0.0/8");
    return RTG_EXIT_USAGE;
  }
  fprintf(stderr, "rtcgate probe flood: %s, %d datagrams per flood at %d/s\n",
          o.offer_to ? o.offer_to : o.target, o.count, o.rate);
  n = rtg_probe_flood_run(&o, &report, err, sizeof err);
  if (n < 0) {
    rtg_cli_err("probe", "%s", err);
    return RTG_EXIT_USAGE;
  }
  {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(report, "findings"), i, f)
        fprintf(stderr, "  finding: %s\n", json_string_value(f));
  }
  fprintf(stderr, "rtcgate probe flood: %d finding(s)\n", n);
  write_json(report, json_out);
  json_decref(report);
  return n > 0 ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
}

static volatile sig_atomic_t mitm_stop;
static void on_mitm_signal(int sig) {
  (void)sig;
  mitm_stop = 1;
}

static int probe_mitm(int argc, char **argv) {
  struct rtg_probe_mitm_opts o = {.sessions = 1, .timeout_s = 30};
  const char *listen = NULL, *json_out = NULL;
  char host[64], err[512];
  json_t *report;
  int n;
  const struct opt opts[] = {
      {"--listen", OPT_STR, &listen, 0, 0},         {"--forward-to", OPT_STR, &o.forward_to, 0, 0},
      {"--sessions", OPT_INT, &o.sessions, 1, 100}, {"--timeout", OPT_INT, &o.timeout_s, 1, 600},
      {"--capture", OPT_STR, &o.capture, 0, 0},     {"--sdp-dir", OPT_STR, &o.sdp_dir, 0, 0},
      {"--json", OPT_STR, &json_out, 0, 0},         {"--verbose", OPT_FLAG, &o.verbose, 0, 0},
  };
  switch (parse_opts(argc, argv, opts, sizeof opts / sizeof opts[0])) {
    case 0: break;
    case 1: return RTG_EXIT_OK;
    default: return RTG_EXIT_USAGE;
  }
  if (listen == NULL || o.forward_to == NULL) {
    rtg_cli_err("probe", "mitm needs --listen ADDR:PORT and --forward-to URL");
    return RTG_EXIT_USAGE;
  }
  if (host_port("--listen", listen, host, sizeof host, &o.listen_port) != 0) return RTG_EXIT_USAGE;
  o.listen_addr = host;
  if (strncmp(o.listen_addr, "127.", 4) != 0 || strncmp(o.forward_to, "http://127.", 11) != 0) {
    rtg_cli_err("probe", "mitm listens and forwards on 127.0.0.0/8 only");
    return RTG_EXIT_USAGE;
  }
  signal(SIGINT, on_mitm_signal);
  signal(SIGTERM, on_mitm_signal);
  signal(SIGPIPE, SIG_IGN);
  n = rtg_probe_mitm_run(&o, &report, &mitm_stop, err, sizeof err);
  if (n < 0) {
    rtg_cli_err("probe", "%s", err);
    return RTG_EXIT_USAGE;
  }
  fprintf(stderr, "rtcgate probe mitm: %d session(s) read in clear\n", n);
  write_json(report, json_out);
  json_decref(report);
  return n > 0 ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
}

int rtg_cmd_probe(int argc, char **argv) {
  if (argc < 2 || rtg_cli_is_help(argv[1])) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? RTG_EXIT_USAGE : RTG_EXIT_OK;
  }
  if (strcmp(argv[1], "turn") == 0) return probe_turn(argc - 1, argv + 1);
  if (strcmp(argv[1], "leak") == 0) return probe_leak(argc - 1, argv + 1);
  if (strcmp(argv[1], "flood") == 0) return probe_flood(argc - 1, argv + 1);
  if (strcmp(argv[1], "mitm") == 0) return probe_mitm(argc - 1, argv + 1);
  rtg_cli_err("probe", "unknown probe '%s' (turn, leak, flood, mitm)", argv[1]);
  return RTG_EXIT_USAGE;
}
