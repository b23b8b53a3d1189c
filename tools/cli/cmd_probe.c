/*
 * cmd_probe.c - `rtcgate probe`. Until its issue lands it answers as a planned
 * command (exit 2, never a pass); the engineer who implements it replaces
 * this file.
 */
#include "cli/cli.h"

int rtg_cmd_probe(int argc, char **argv) { return rtg_cmd_planned(argc, argv); }
