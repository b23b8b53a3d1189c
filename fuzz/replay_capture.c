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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char keylog[] =
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET "
    "4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "d10c64632513481778ac8cf9c870fb5ea8fd47f9cea68105319e35e3842ab2f5\n"
    "SERVER_HANDSHAKE_TRAFFIC_SECRET "
    "4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "887c6f325101152f5813d37cb468418acc15e9bdaa1f6a475af8d570c75247eb\n"
    "CLIENT_TRAFFIC_SECRET_0 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "6fef42694418e0be3001936fcc508237b06d76fe7b3396a7bd93edb2b41959f9\n"
    "SERVER_TRAFFIC_SECRET_0 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "a30a7bb240ca8c52809ced3373dfa636a3b04d5bb59a8a7b15996f2e953e5bc7\n"
    "EXPORTER_SECRET 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "3a49cd840c19d6587f8685f4c5ef5e7ef6d895623895a452cb015802a5ba56b0\n"
    "CLIENT_RANDOM 01eeb9825de92b9381b57cca9ffc931c7c1bd937c832ae543180f658ad55a341 "
    "619cbec93c3578b9e7f688785506b4b968796e04a88c31dc6871d3f193df6318434b3bd60da497abd81e7661af970e"
    "cc\n"
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET "
    "7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "
    "c055fcbf5dadee961053c3bf4538042ce563551cad0569883ab259c0b3e6b931\n"
    "SERVER_HANDSHAKE_TRAFFIC_SECRET "
    "7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "
    "782e1fab68d4682a81424278b860fbdb7a3d8c1130376bc983721886038bf63e\n"
    "CLIENT_TRAFFIC_SECRET_0 7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "
    "fa9959324cd92f6ee622434d4e0f557f401273214b6d9fcc87d593053e7bf467\n"
    "SERVER_TRAFFIC_SECRET_0 7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "
    "f202c7e496d4ead48dd8f52ce044111dfea9e8c8df7f6318aa8d53ece551e502\n"
    "EXPORTER_SECRET 7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "
    "b5225e030ba76f86f9e08e19de6a560df3e9189e3b53cb5929c80468fb417617\n";

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
