/*
 * cmd_probe.c - `rtcgate probe KIND`: security probes (README "Security
 * testing"). `probe turn` checks a TURN server (tools/lib/probe_turn.c),
 * `probe leak` what browsers expose (tools/lib/probe_leak.c); flood and
 * mitm answer as planned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/probe_leak.h"
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
      "(probe leak, flood and mitm are planned)\n",
      f);
}

static int probe_turn(int argc, char **argv) {
  struct rtg_probe_turn_opts o = {.max_allocations = 8, .guesses = 20};
  const char *server = NULL, *json_out = NULL;
  bool allow_remote = false;
  char host[64], err[256];
  json_t *report;
  int n;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (rtg_cli_is_help(a)) {
      usage(stdout);
      return RTG_EXIT_OK;
    }
    if (strcmp(a, "--allow-remote") == 0) {
      allow_remote = true;
      continue;
    }
    if (strcmp(a, "--verbose") == 0) {
      o.verbose = true;
      continue;
    }
    if (v == NULL) {
      rtg_cli_err("probe", "%s needs a value (see --help)", a);
      return RTG_EXIT_USAGE;
    }
    i++;
    if (strcmp(a, "--server") == 0)
      server = v;
    else if (strcmp(a, "--user") == 0)
      o.user = v;
    else if (strcmp(a, "--password") == 0)
      o.password = v;
    else if (strcmp(a, "--peer") == 0)
      o.peer = v;
    else if (strcmp(a, "--json") == 0)
      json_out = v;
    else if (strcmp(a, "--max-allocations") == 0 || strcmp(a, "--guesses") == 0) {
      char *e;
      long x = strtol(v, &e, 10);
      if (*e || x < 1 || x > 100) {
        rtg_cli_err("probe", "%s wants 1..100, not '%s'", a, v);
        return RTG_EXIT_USAGE;
      }
      if (a[2] == 'm')
        o.max_allocations = (int)x;
      else
        o.guesses = (int)x;
    } else {
      rtg_cli_err("probe", "unknown option %s (see --help)", a);
      return RTG_EXIT_USAGE;
    }
  }
  if (server == NULL) {
    rtg_cli_err("probe", "turn needs --server HOST:PORT");
    return RTG_EXIT_USAGE;
  }
  if ((o.user == NULL) != (o.password == NULL)) {
    rtg_cli_err("probe", "--user and --password go together");
    return RTG_EXIT_USAGE;
  }
  {
    const char *colon = strrchr(server, ':');
    char *e;
    long port = colon ? strtol(colon + 1, &e, 10) : 0;
    if (colon == NULL || *e || port < 1 || port > 65535 ||
        (size_t)(colon - server) >= sizeof host) {
      rtg_cli_err("probe", "bad --server '%s' (want IPV4:PORT)", server);
      return RTG_EXIT_USAGE;
    }
    memcpy(host, server, (size_t)(colon - server));
    host[colon - server] = '\0';
    o.host = host;
    o.port = (int)port;
  }
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
  for (int a = 1; a < argc; a++) {
    const char *f = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
    if (rtg_cli_is_help(f)) {
      usage(stdout);
      return RTG_EXIT_OK;
    }
    if (v == NULL) {
      rtg_cli_err("probe", "%s needs a value (see --help)", f);
      return RTG_EXIT_USAGE;
    }
    a++;
    if (strcmp(f, "--browsers") == 0)
      browsers = v;
    else if (strcmp(f, "--configs") == 0)
      configs = v;
    else if (strcmp(f, "--json") == 0)
      json_out = v;
    else if (strcmp(f, "--keep") == 0)
      o.keep_dir = v;
    else if (strcmp(f, "--analyse") == 0)
      analyse = v;
    else if (strcmp(f, "--timeout") == 0) {
      char *e;
      long t = strtol(v, &e, 10);
      if (*e || t < 5 || t > 120) {
        rtg_cli_err("probe", "--timeout wants 5..120 seconds");
        return RTG_EXIT_USAGE;
      }
      o.timeout_s = (int)t;
    } else {
      rtg_cli_err("probe", "unknown option %s (see --help)", f);
      return RTG_EXIT_USAGE;
    }
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

int rtg_cmd_probe(int argc, char **argv) {
  if (argc < 2 || rtg_cli_is_help(argv[1])) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? RTG_EXIT_USAGE : RTG_EXIT_OK;
  }
  if (strcmp(argv[1], "turn") == 0) return probe_turn(argc - 1, argv + 1);
  if (strcmp(argv[1], "leak") == 0) return probe_leak(argc - 1, argv + 1);
  if (strcmp(argv[1], "flood") == 0 || strcmp(argv[1], "mitm") == 0) {
    rtg_cli_err("probe", "'%s' is planned (issue 11), not implemented yet", argv[1]);
    return RTG_EXIT_USAGE;
  }
  rtg_cli_err("probe", "unknown probe '%s' (turn, leak, flood, mitm)", argv[1]);
  return RTG_EXIT_USAGE;
}
