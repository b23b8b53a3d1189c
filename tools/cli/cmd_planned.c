/*
 * cmd_planned.c - commands announced by the CLI whose implementation lands
 * with a later issue. They answer --help and otherwise say clearly that the
 * feature is not in this build, with exit code 2 (environment error), so a
 * CI job never mistakes them for a pass.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
  const char *name;
  const char *what;
} planned[] = {
    {"corpus", "seed corpus generation and management"},
    {"replay", "pcap/pcapng replay with DTLS/SRTP decryption and conformance rules"},
    {"peer", "the reference WebRTC peer over real UDP sockets"},
    {"interop", "the interop matrix against headless Chromium and Firefox"},
    {"serve", "the hardened HTTPS/WSS signaling server"},
    {"probe", "security probes (IP leakage, floods, MitM, TURN abuse)"},
};

int rtg_cmd_planned(int argc, char **argv) {
  const char *what = "this command";
  for (size_t i = 0; i < sizeof planned / sizeof planned[0]; i++)
    if (strcmp(argv[0], planned[i].name) == 0) what = planned[i].what;
  if (argc > 1 && rtg_cli_is_help(argv[1])) {
    printf("usage: rtcgate %s ...\n\n%s.\nNot available in this build yet.\n", argv[0], what);
    return RTG_EXIT_OK;
  }
  rtg_cli_err(argv[0], "%s is not available in this build yet", what);
  return RTG_EXIT_USAGE;
}
