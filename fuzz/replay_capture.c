/*
 * replay_capture - a whole pcap/pcapng file through the replay engine,
 * twice: from a memory file descriptor (a regular file, so the records of a
 * classic pcap are read in place from the mapped file as `rtcgate replay`
 * reads them) and from fmemopen (libpcap reads every record). Each run is
 * decoded, demultiplexed and checked and its JSON report built; whatever
 * the bytes, the engine must not crash and both reports must be the same.
 *
 * The key logs of this project's own captures (pcaps/) are loaded, so seeds
 * cut from those captures reach DTLS decryption, SCTP/DCEP and SRTP/SRTCP
 * authentication, and mutations of them exercise the failure paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/replay.h"
#include "rtg_fuzz.h"
#include "rtg_fuzz_keylogs.h"

static const char keylog[] =
    RTG_FUZZ_KEYLOG_CHROMIUM_FIREFOX_DTLS13 RTG_FUZZ_KEYLOG_FIREFOX_CHROMIUM_DTLS12
        RTG_FUZZ_KEYLOG_FIREFOX_FIREFOX_DTLS13;

/* The JSON report of |fp| (always closed), or NULL. */
static json_t *replay(FILE *fp) {
  struct rtg_replay_opts opts = {0};
  struct rtg_replay *r;
  json_t *doc;
  rtg_rules_defaults(&opts);
  opts.quiet = true;
  r = malloc(sizeof *r);
  if (r == NULL || rtg_replay_init(r, &opts)) {
    fclose(fp);
    free(r);
    return NULL;
  }
  {
    char err[256];
    FILE *kf = fmemopen((void *)(uintptr_t)keylog, sizeof keylog - 1, "r");
    if (kf) (void)rtg_replay_add_keylog_fp(r, kf, "keylog", err, sizeof err);
  }
  (void)rtg_replay_capture_fp(r, fp, "fuzz"); /* closes fp in every case */
  rtg_replay_finish(r);
  doc = rtg_replay_json(r);
  rtg_replay_free(r);
  free(r);
  return doc;
}

/* |data| in a memory file (a regular file descriptor), or NULL. */
static FILE *memory_file(const uint8_t *data, size_t size) {
  int fd = memfd_create("replay_capture", MFD_CLOEXEC);
  FILE *f;
  if (fd < 0) return NULL;
  if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0 ||
      (f = fdopen(fd, "rb")) == NULL) {
    close(fd);
    return NULL;
  }
  return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *mf, *fp;
  json_t *a = NULL, *b;
  if (size == 0) return 0;
  mf = memory_file(data, size);
  if (mf) a = replay(mf);
  fp = fmemopen((void *)(uintptr_t)data, size, "rb");
  if (fp == NULL) {
    json_decref(a);
    return 0;
  }
  b = replay(fp);
  /* reading records in place must change nothing */
  if (a != NULL && b != NULL && !json_equal(a, b)) abort();
  json_decref(a);
  json_decref(b);
  return 0;
}
