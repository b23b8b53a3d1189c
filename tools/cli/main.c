/*
 * main.c - the rtcgate command-line program: subcommand dispatch, --help and
 * --version. Each subcommand lives in its own cmd_*.c file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rtg/core.h"

static const struct rtg_cmd commands[] = {
    {"decode", "describe one packet (STUN, DTLS, RTP, SCTP, ...) as JSON", rtg_cmd_decode},
    {"bench", "benchmark rtcgate against the oracle libraries, with ratios", rtg_cmd_bench},
    {"fuzz", "run libFuzzer campaigns over the fuzz targets", rtg_cmd_fuzz},
    {"corpus", "build seed corpora (from-pcap: split a capture into fuzz seeds)", rtg_cmd_corpus},
    {"replay", "check captured WebRTC sessions (pcap) for conformance", rtg_cmd_replay},
    {"peer", "run the reference WebRTC peer over UDP (webrtc-echoes signaling)", rtg_cmd_peer},
    {"interop", "run the interop matrix with Chromium, Firefox and others", rtg_cmd_interop},
    {"serve", "run the hardened HTTPS/WSS signaling server", rtg_cmd_serve},
    {"probe", "probe implementations for WebRTC attack vectors", rtg_cmd_probe},
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate COMMAND [OPTIONS]\n"
          "       rtcgate COMMAND --help\n"
          "       rtcgate --version\n\n"
          "rtcgate is a WebRTC test and fuzzing harness around a clean-room\n"
          "reference stack (STUN/ICE, DTLS, SRTP/RTP/RTCP, SCTP/DCEP, SDP).\n\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nexit codes: 0 ok, 1 findings or failures, 2 usage or environment error\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return RTG_EXIT_USAGE;
  }
  if (rtg_cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return RTG_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("rtcgate %s\n", RTG_VERSION);
    return RTG_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "rtcgate: unknown command '%s' (try 'rtcgate --help')\n", argv[1]);
  return RTG_EXIT_USAGE;
}
