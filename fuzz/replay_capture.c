/*
 * replay_capture - a whole pcap/pcapng file through the replay engine: the
 * input is opened with fmemopen and read by libpcap exactly as `rtcgate
 * replay` reads a file, then decoded, demultiplexed and checked, and the
 * JSON report built. Whatever the bytes, the engine must not crash.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_replay_opts opts = {0};
  struct rtg_replay *r;
  FILE *fp;
  json_t *doc;
  if (size == 0) return 0;
  fp = fmemopen((void *)(uintptr_t)data, size, "rb");
  if (fp == NULL) return 0;
  for (int i = 0; i < R_COUNT; i++) opts.rule_enabled[i] = true;
  opts.quiet = true;
  r = malloc(sizeof *r);
  if (r == NULL || rtg_replay_init(r, &opts)) {
    fclose(fp);
    free(r);
    return 0;
  }
  (void)rtg_replay_capture_fp(r, fp, "fuzz"); /* closes fp in every case */
  doc = rtg_replay_json(r);
  json_decref(doc);
  rtg_replay_free(r);
  free(r);
  return 0;
}
