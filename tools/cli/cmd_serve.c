/*
 * cmd_serve.c - `rtcgate serve`: the hardened signaling server
 * (tools/lib/serve_server.c) with its options, a generated certificate when
 * none is given, and the statistics written at exit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/interop.h"
#include "lib/serve_server.h"

static volatile sig_atomic_t serve_stop;

static void on_signal(int sig) {
  (void)sig;
  serve_stop = 1;
}

static void usage(FILE *f) {
  fputs(
      "usage: rtcgate serve [options]\n"
      "  hardened signaling: HTTPS + WSS rooms (POST/GET /rooms/ROOM/offer,\n"
      "  /rooms/ROOM/answer; WebSocket /rooms/ROOM/ws relays between two members)\n"
      "  --listen ADDR:PORT       bind address (default 127.0.0.1:8443)\n"
      "  --cert FILE --key FILE   PEM certificate and key (default: a generated\n"
      "                           self-signed ECDSA P-256 certificate)\n"
      "  --write-cert FILE        save the generated certificate (for clients' CA)\n"
      "  --no-tls                 plain HTTP/WS (behind a TLS-terminating proxy only)\n"
      "  --allow-origin ORIGIN    allowed Origin (repeatable; same origin is allowed)\n"
      "  --token ROOM:TOKEN       bearer token of a room (repeatable)\n"
      "  --token-file FILE        ROOM:TOKEN lines\n"
      "  --open-rooms             rooms without a token are allowed\n"
      "  --rate N --burst N       requests per second per IP (20) and bucket (40)\n"
      "  --max-conns-per-ip N     simultaneous connections per IP (16)\n"
      "  --max-conns N            simultaneous connections in total (512)\n"
      "  --max-message BYTES      HTTP body / WebSocket message limit (65536)\n"
      "  --header-timeout DUR     request head and body deadline (5s)\n"
      "  --idle-timeout DUR       keep-alive / WebSocket idle limit (30s)\n"
      "  --max-rooms N            (256)\n"
      "  --duration DUR           stop after DUR (default: until SIGINT/SIGTERM)\n"
      "  --json FILE|-            statistics at exit\n"
      "  --verbose\n",
      f);
}

static int add_token(struct rtg_serve_opts *o, const char *spec) {
  const char *colon = strchr(spec, ':');
  size_t rl;
  if (colon == NULL || colon == spec || colon[1] == '\0') return -1;
  rl = (size_t)(colon - spec);
  if (rl >= sizeof o->tokens[0].room || strlen(colon + 1) >= sizeof o->tokens[0].token ||
      o->ntokens == RTG_SERVE_MAX_TOKENS)
    return -1;
  memcpy(o->tokens[o->ntokens].room, spec, rl);
  o->tokens[o->ntokens].room[rl] = '\0';
  snprintf(o->tokens[o->ntokens].token, sizeof o->tokens[0].token, "%s", colon + 1);
  o->ntokens++;
  return 0;
}

static int load_tokens(struct rtg_serve_opts *o, const char *path) {
  uint8_t *data;
  size_t len;
  char *text, *line, *save = NULL;
  int rc = 0;
  if (rtg_cli_read_file("serve", path, &data, &len) != 0) return -1;
  text = malloc(len + 1);
  if (text == NULL) {
    free(data);
    return -1;
  }
  memcpy(text, data, len);
  text[len] = '\0';
  free(data);
  for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
    if (line[0] == '#' || line[0] == '\0') continue;
    if (add_token(o, line) != 0) {
      rtg_cli_err("serve", "%s: bad line (want ROOM:TOKEN)", path);
      rc = -1;
      break;
    }
  }
  free(text);
  return rc;
}

static int write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  fputs(text, f);
  return fclose(f) == 0 ? 0 : -1;
}

static long long duration_arg(const char *s) {
  long long v = rtg_cli_parse_duration_ms(s);
  if (v < 0) rtg_cli_err("serve", "bad duration '%s'", s);
  return v;
}

int rtg_cmd_serve(int argc, char **argv) {
  struct rtg_serve_opts o;
  const char *cert = NULL, *key = NULL, *write_cert = NULL, *json_out = NULL;
  char *cert_pem = NULL, *key_pem = NULL, err[256];
  long long duration = 0, start;
  struct rtg_serve *s;
  int rc = RTG_EXIT_USAGE;
  rtg_serve_opts_init(&o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    bool takes = true;
    if (rtg_cli_is_help(a)) {
      usage(stdout);
      return RTG_EXIT_OK;
    }
    if (strcmp(a, "--no-tls") == 0) {
      o.tls = false;
      takes = false;
    } else if (strcmp(a, "--open-rooms") == 0) {
      o.open_rooms = true;
      takes = false;
    } else if (strcmp(a, "--verbose") == 0) {
      o.verbose = true;
      takes = false;
    }
    if (!takes) continue;
    if (v == NULL) {
      rtg_cli_err("serve", "%s needs a value (see --help)", a);
      return RTG_EXIT_USAGE;
    }
    i++;
    if (strcmp(a, "--listen") == 0) {
      const char *colon = strrchr(v, ':');
      char *e;
      long port;
      if (colon == NULL || (size_t)(colon - v) >= sizeof o.addr) goto bad;
      port = strtol(colon + 1, &e, 10);
      if (*e || port < 1 || port > 65535) goto bad;
      memcpy(o.addr, v, (size_t)(colon - v));
      o.addr[colon - v] = '\0';
      if (o.addr[0] == '[') { /* [v6]:port */
        size_t n = strlen(o.addr);
        if (n < 2 || o.addr[n - 1] != ']') goto bad;
        memmove(o.addr, o.addr + 1, n - 2);
        o.addr[n - 2] = '\0';
      }
      o.port = (int)port;
    } else if (strcmp(a, "--cert") == 0) {
      cert = v;
    } else if (strcmp(a, "--key") == 0) {
      key = v;
    } else if (strcmp(a, "--write-cert") == 0) {
      write_cert = v;
    } else if (strcmp(a, "--allow-origin") == 0) {
      if (o.norigins == RTG_SERVE_MAX_ORIGINS) goto bad;
      o.origins[o.norigins++] = v;
    } else if (strcmp(a, "--token") == 0) {
      if (add_token(&o, v) != 0) goto bad;
    } else if (strcmp(a, "--token-file") == 0) {
      if (load_tokens(&o, v) != 0) return RTG_EXIT_USAGE;
    } else if (strcmp(a, "--rate") == 0 || strcmp(a, "--burst") == 0) {
      char *e;
      double d = strtod(v, &e);
      if (*e || d <= 0 || d > 1e6) goto bad;
      if (a[2] == 'r')
        o.rate = d;
      else
        o.burst = d;
    } else if (strcmp(a, "--max-conns-per-ip") == 0 || strcmp(a, "--max-conns") == 0 ||
               strcmp(a, "--max-message") == 0 || strcmp(a, "--max-rooms") == 0) {
      char *e;
      long n = strtol(v, &e, 10);
      if (*e || n < 1 || n > (1L << 30)) goto bad;
      if (strcmp(a, "--max-conns-per-ip") == 0)
        o.max_conns_ip = (int)n;
      else if (strcmp(a, "--max-conns") == 0)
        o.max_conns = (int)n;
      else if (strcmp(a, "--max-message") == 0)
        o.max_message = (size_t)n;
      else
        o.max_rooms = (int)n;
    } else if (strcmp(a, "--header-timeout") == 0) {
      if ((o.header_ms = duration_arg(v)) <= 0) return RTG_EXIT_USAGE;
    } else if (strcmp(a, "--idle-timeout") == 0) {
      if ((o.idle_ms = duration_arg(v)) <= 0) return RTG_EXIT_USAGE;
    } else if (strcmp(a, "--duration") == 0) {
      if ((duration = duration_arg(v)) <= 0) return RTG_EXIT_USAGE;
    } else if (strcmp(a, "--json") == 0) {
      json_out = v;
    } else {
      rtg_cli_err("serve", "unknown option %s (see --help)", a);
      return RTG_EXIT_USAGE;
    }
    continue;
  bad:
    rtg_cli_err("serve", "bad value for %s: '%s' (see --help)", a, v);
    return RTG_EXIT_USAGE;
  }
  if ((cert == NULL) != (key == NULL)) {
    rtg_cli_err("serve", "--cert and --key go together");
    return RTG_EXIT_USAGE;
  }
  if (o.ntokens == 0 && !o.open_rooms)
    rtg_cli_err("serve", "warning: no --token and no --open-rooms: every room is refused");
  if (o.tls && cert) {
    uint8_t *c, *k;
    size_t cl, kl;
    if (rtg_cli_read_file("serve", cert, &c, &cl) != 0) return RTG_EXIT_USAGE;
    if (rtg_cli_read_file("serve", key, &k, &kl) != 0) {
      free(c);
      return RTG_EXIT_USAGE;
    }
    cert_pem = (char *)c;
    key_pem = (char *)k;
    o.cert_len = cl;
    o.key_len = kl;
  } else if (o.tls) {
    if (rtg_serve_cert_generate(o.addr, 30, &cert_pem, &key_pem, err, sizeof err) != 0) {
      rtg_cli_err("serve", "%s", err);
      return RTG_EXIT_USAGE;
    }
    o.cert_len = strlen(cert_pem);
    o.key_len = strlen(key_pem);
  }
  o.cert_pem = cert_pem;
  o.key_pem = key_pem;
  if (write_cert && cert_pem && write_text(write_cert, cert_pem) != 0) {
    rtg_cli_err("serve", "cannot write %s", write_cert);
    goto out;
  }
  s = rtg_serve_new(&o, err, sizeof err);
  if (s == NULL) {
    rtg_cli_err("serve", "%s", err);
    goto out;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  fprintf(stderr, "rtcgate serve: listening on %s://%s%s%s:%d/ (rooms: %d with token%s)\n",
          o.tls ? "https" : "http", strchr(o.addr, ':') ? "[" : "", o.addr,
          strchr(o.addr, ':') ? "]" : "", o.port, o.ntokens, o.open_rooms ? ", others open" : "");
  start = rtg_interop_now_ms();
  while (!serve_stop && (duration == 0 || rtg_interop_now_ms() - start < duration))
    rtg_serve_service(s, 200);
  {
    json_t *j = rtg_serve_stats_json(s);
    char *line = json_dumps(j, JSON_COMPACT);
    fprintf(stderr, "rtcgate serve: stats %s\n", line ? line : "{}");
    free(line);
    if (json_out && strcmp(json_out, "-") == 0)
      json_dumpf(j, stdout, JSON_INDENT(2));
    else if (json_out && json_dump_file(j, json_out, JSON_INDENT(2)) != 0)
      rtg_cli_err("serve", "cannot write %s", json_out);
    json_decref(j);
  }
  rtg_serve_free(s);
  rc = RTG_EXIT_OK;
out:
  free(cert_pem);
  free(key_pem);
  return rc;
}
