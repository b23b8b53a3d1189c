/*
 * cmd_replay.c - `rtcgate replay CAPTURE... [--keylog F]... [--sdp F]...
 * [--json OUT] [--junit OUT] [--rules SPEC] [--list-rules] [--quiet]`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/replay.h"

static void replay_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate replay CAPTURE... [--sdp FILE]... [--keylog FILE]... [--json OUT]\n"
          "                      [--junit OUT] [--html DIR] [--rules SPEC] [--relay-only]\n"
          "                      [--quiet]\n"
          "       rtcgate replay --list-rules\n\n"
          "Reads pcap/pcapng captures of WebRTC sessions (Ethernet, Linux cooked v1/v2,\n"
          "raw IP, BSD loopback; IPv4/IPv6 with reassembly; UDP and RFC 4571 TCP; TURN\n"
          "ChannelData and Send/Data indications unwrapped), demultiplexes them per\n"
          "RFC 7983 and checks STUN/ICE, DTLS and SRTP/SRTCP headers. Every violation\n"
          "is a finding of a rule that names its RFC section.\n\n"
          "options:\n"
          "  --sdp FILE      an SDP of the session (repeatable): ICE ufrag/pwd make\n"
          "                  MESSAGE-INTEGRITY checkable, a=fingerprint is checked\n"
          "                  against the DTLS certificate, m= payload types against RTP\n"
          "  --keylog FILE   NSS key log (SSLKEYLOGFILE; repeatable); it must match a\n"
          "                  ClientHello of the capture. Key logs embedded in pcapng\n"
          "                  Decryption Secrets Blocks (editcap --inject-secrets) are\n"
          "                  read too\n"
          "  --json OUT      write the JSON report to OUT ('-' for stdout)\n"
          "  --junit OUT     write JUnit XML (a testcase per rule per session)\n"
          "  --html DIR      write DIR/index.html: ladder diagram of each session,\n"
          "                  per-stream plots, findings linked to packets (no network)\n"
          "  --rules SPEC    enable/disable rules: comma list of ID, -ID, +ID, prefix*\n"
          "                  or a severity (error, warning, info), e.g. '-info,-ice.*';\n"
          "                  ID=error|warning|info sets a rule's severity ('warning=error'\n"
          "                  makes every warning fail the run)\n"
          "  --relay-only    the endpoints were to use TURN relays only (iceTransportPolicy\n"
          "                  'relay'; also assumed when an SDP has only relay candidates):\n"
          "                  private or IPv6 addresses in XOR-MAPPED-ADDRESS and\n"
          "                  XOR-PEER-ADDRESS are then findings (ice.private-address-exposed)\n"
          "  --list-rules    print every rule with its severity and RFC section\n"
          "  --quiet         no summary on stdout\n\n"
          "exit: 0 no error-level finding, 1 error-level findings, 2 unusable input\n"
          "(unreadable capture, unknown link type, bad SDP, key log matching nothing)\n");
}

enum { O_SDP = 256, O_KEYLOG, O_JSON, O_JUNIT, O_RULES, O_LIST, O_QUIET, O_HTML, O_RELAY };

static int finish(struct rtg_replay *r, const char *json_out, const char *junit_out,
                  const char *html_dir) {
  char err[512];
  int rc = rtg_replay_has_errors(r) ? RTG_EXIT_FINDINGS : RTG_EXIT_OK;
  if (!r->opts.quiet) rtg_replay_print_summary(r, stdout);
  if (json_out) {
    json_t *doc = rtg_replay_json(r);
    int bad = strcmp(json_out, "-") == 0
                  ? json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
                  : json_dump_file(doc, json_out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (strcmp(json_out, "-") == 0) fputc('\n', stdout);
    json_decref(doc);
    if (bad) {
      rtg_cli_err("replay", "cannot write JSON report to %s", json_out);
      rc = RTG_EXIT_USAGE;
    }
  }
  if (html_dir && rtg_replay_write_html(r, html_dir, err, sizeof err)) {
    rtg_cli_err("replay", "--html: %s", err);
    rc = RTG_EXIT_USAGE;
  }
  if (junit_out && rtg_replay_write_junit(r, junit_out)) {
    rtg_cli_err("replay", "cannot write JUnit report to %s", junit_out);
    rc = RTG_EXIT_USAGE;
  }
  return rc;
}

int rtg_cmd_replay(int argc, char **argv) {
  static const struct option longopts[] = {{"sdp", required_argument, NULL, O_SDP},
                                           {"keylog", required_argument, NULL, O_KEYLOG},
                                           {"json", required_argument, NULL, O_JSON},
                                           {"junit", required_argument, NULL, O_JUNIT},
                                           {"rules", required_argument, NULL, O_RULES},
                                           {"list-rules", no_argument, NULL, O_LIST},
                                           {"quiet", no_argument, NULL, O_QUIET},
                                           {"html", required_argument, NULL, O_HTML},
                                           {"relay-only", no_argument, NULL, O_RELAY},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  struct rtg_replay_opts opts;
  struct rtg_replay *r;
  const char *sdps[RTG_REPLAY_MAX_SDP], *keylogs[16], *json_out = NULL, *junit_out = NULL;
  const char *html_dir = NULL;
  int nsdp = 0, nkeylog = 0, c, rc;
  char err[512];
  memset(&opts, 0, sizeof opts);
  rtg_rules_defaults(&opts);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
    switch (c) {
      case O_SDP:
        if (nsdp >= RTG_REPLAY_MAX_SDP) {
          rtg_cli_err("replay", "at most %d --sdp files", RTG_REPLAY_MAX_SDP);
          return RTG_EXIT_USAGE;
        }
        sdps[nsdp++] = optarg;
        break;
      case O_KEYLOG:
        if (nkeylog >= 16) {
          rtg_cli_err("replay", "at most 16 --keylog files");
          return RTG_EXIT_USAGE;
        }
        keylogs[nkeylog++] = optarg;
        break;
      case O_JSON: json_out = optarg; break;
      case O_JUNIT: junit_out = optarg; break;
      case O_HTML: html_dir = optarg; break;
      case O_RELAY: opts.relay_only = true; break;
      case O_RULES:
        if (rtg_rules_apply_spec(&opts, optarg, err, sizeof err)) {
          rtg_cli_err("replay", "--rules: %s", err);
          return RTG_EXIT_USAGE;
        }
        break;
      case O_LIST: rtg_rules_list(stdout); return RTG_EXIT_OK;
      case 'q':
      case O_QUIET: opts.quiet = true; break;
      case 'h': replay_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("replay", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    rtg_cli_err("replay", "no capture given (see --help)");
    return RTG_EXIT_USAGE;
  }
  if (json_out && strcmp(json_out, "-") == 0) opts.quiet = true;
  r = malloc(sizeof *r);
  if (r == NULL || rtg_replay_init(r, &opts)) {
    rtg_cli_err("replay", "out of memory");
    free(r);
    return RTG_EXIT_USAGE;
  }
  rc = RTG_EXIT_OK;
  for (int i = 0; i < nsdp && rc == RTG_EXIT_OK; i++)
    if (rtg_replay_add_sdp(r, sdps[i], err, sizeof err)) {
      rtg_cli_err("replay", "%s", err);
      rc = RTG_EXIT_USAGE;
    }
  if (rc == RTG_EXIT_OK) rtg_replay_sdp_findings(r);
  for (int i = 0; i < nkeylog && rc == RTG_EXIT_OK; i++)
    if (rtg_replay_add_keylog(r, keylogs[i], err, sizeof err)) {
      rtg_cli_err("replay", "%s", err);
      rc = RTG_EXIT_USAGE;
    }
  for (int i = optind; i < argc && rc == RTG_EXIT_OK; i++) {
    if (rtg_replay_scan_dsb(r, argv[i], err, sizeof err)) {
      rtg_cli_err("replay", "%s: Decryption Secrets Block: %s", argv[i], err);
      rc = RTG_EXIT_USAGE;
      break;
    }
    if (rtg_replay_capture(r, argv[i])) {
      rtg_cli_err("replay", "%s: %s", argv[i], r->caps[r->ncaps - 1].error);
      rc = RTG_EXIT_USAGE;
    }
  }
  if (rc == RTG_EXIT_OK && r->kl->n && rtg_replay_keylog_matches(r) == 0) {
    rtg_cli_err("replay",
                "the key log matches nothing: none of its %zu entries names the random of a "
                "ClientHello in the capture(s) (%d seen)",
                r->kl->n, r->n_ch_random);
    rc = RTG_EXIT_USAGE;
  }
  if (rc == RTG_EXIT_OK) {
    rtg_replay_finish(r);
    rc = finish(r, json_out, junit_out, html_dir);
  }
  rtg_replay_free(r);
  free(r);
  return rc;
}
