/*
 * replay.c - `rtcgate bench replay`: packets per second of a full replay
 * (every check the engine runs, DTLS and SCTP decrypted, every SRTP/SRTCP
 * packet authenticated with the key log) against `tshark -r` dissecting the
 * same capture (without SRTP decryption, which it cannot do), in one run.
 *
 * The capture is synthesised at setup from a bundled browser session
 * (pcaps/chromium-firefox-dtls13) repeated with shifted UDP ports and times
 * until it holds at least 100k packets, so every repetition is a new set of
 * flows and sessions (memory grows with flows, never with packets).
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "engine/replay.h"

#define MIN_PACKETS 100000

struct replay_st {
  char path[256];
  char keylog[512];
  uint64_t packets;
};

/* Rewrites the UDP ports of an IPv4 frame behind a Linux cooked v2 header. */
static void shift_ports(uint8_t *f, size_t len, uint16_t by) {
  size_t ip = 20, l4;
  if (len < ip + 28 || f[0] != 0x08 || f[1] != 0x00 || (f[ip] >> 4) != 4 || f[ip + 9] != 17) return;
  l4 = ip + (size_t)(f[ip] & 15) * 4;
  if (len < l4 + 8) return;
  rtg_store_u16(f + l4, (uint16_t)(rtg_load_u16(f + l4) + by));
  rtg_store_u16(f + l4 + 2, (uint16_t)(rtg_load_u16(f + l4 + 2) + by));
}

static int synthesise(struct replay_st *s) {
  char src[512], err[PCAP_ERRBUF_SIZE];
  pcap_t *in, *dead;
  pcap_dumper_t *out;
  struct pcap_pkthdr *h;
  const u_char *d;
  uint8_t *buf = malloc(65536);
  long span;
  snprintf(src, sizeof src, "%s/pcaps/chromium-firefox-dtls13/capture.pcap", rtg_cli_source_dir());
  snprintf(s->keylog, sizeof s->keylog, "%s/pcaps/chromium-firefox-dtls13/keylog.txt",
           rtg_cli_source_dir());
  snprintf(s->path, sizeof s->path, "/tmp/rtcgate-bench-replay-%d.pcap", (int)getpid());
  dead = pcap_open_dead(RTG_LINK_LINUX_SLL2, 65535);
  out = dead ? pcap_dump_open(dead, s->path) : NULL;
  if (buf == NULL || out == NULL) {
    fprintf(stderr, "bench replay: cannot write %s\n", s->path);
    free(buf);
    if (dead) pcap_close(dead);
    return -1;
  }
  for (uint16_t rep = 0; s->packets < MIN_PACKETS && rep < 1000; rep++) {
    in = pcap_open_offline(src, err);
    if (in == NULL || pcap_datalink(in) != RTG_LINK_LINUX_SLL2) {
      fprintf(stderr, "bench replay: cannot use %s: %s\n", src, in ? "link type" : err);
      if (in) pcap_close(in);
      break;
    }
    span = 0;
    while (pcap_next_ex(in, &h, &d) == 1) {
      struct pcap_pkthdr nh = *h;
      memcpy(buf, d, h->caplen);
      shift_ports(buf, h->caplen, (uint16_t)(rep * 7));
      nh.ts.tv_sec += rep * 10;
      span = nh.ts.tv_sec;
      pcap_dump((u_char *)out, &nh, buf);
      s->packets++;
    }
    (void)span;
    pcap_close(in);
  }
  pcap_dump_close(out);
  pcap_close(dead);
  free(buf);
  return s->packets >= MIN_PACKETS ? 0 : -1;
}

static void *replay_setup(void) {
  struct replay_st *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  if (access("/usr/bin/tshark", X_OK) != 0) {
    fprintf(stderr, "bench replay: tshark not installed (tools/install-deps installs it)\n");
    free(s);
    return NULL;
  }
  if (synthesise(s)) {
    unlink(s->path);
    free(s);
    return NULL;
  }
  return s;
}

static void replay_teardown(void *p) {
  struct replay_st *s = p;
  if (s == NULL) return;
  unlink(s->path);
  free(s);
}

static double run_rtg(void *p, uint64_t iters) {
  struct replay_st *s = p;
  struct rtg_replay_opts opts;
  memset(&opts, 0, sizeof opts);
  rtg_rules_defaults(&opts);
  for (uint64_t i = 0; i < iters; i++) {
    struct rtg_replay *r = malloc(sizeof *r);
    char err[256];
    int bad;
    if (r == NULL || rtg_replay_init(r, &opts)) {
      free(r);
      return -1;
    }
    /* decrypt + validate everything: every SRTP packet must authenticate */
    bad = rtg_replay_add_keylog(r, s->keylog, err, sizeof err) != 0 ||
          rtg_replay_capture(r, s->path) != 0 || r->packets != s->packets || r->srtp == 0 ||
          r->srtp_auth != r->srtp || r->dc_messages == 0;
    rtg_replay_free(r);
    free(r);
    if (bad) return -1;
  }
  return (double)(iters * s->packets);
}

/* tshark runs through posix_spawn (vfork semantics): a fork() of the
 * benchmark would mark every page of this process copy-on-write, and the
 * replay rounds in between would pay for those faults. */
static double run_tshark(void *p, uint64_t iters) {
  struct replay_st *s = p;
  extern char **environ;
  char *argv[] = {"tshark", "-n", "-r", s->path, NULL};
  for (uint64_t i = 0; i < iters; i++) {
    posix_spawn_file_actions_t fa;
    int status, rc;
    pid_t pid;
    fflush(stdout);
    if (posix_spawn_file_actions_init(&fa) != 0) return -1;
    rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) ||
         posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) ||
         posix_spawn(&pid, "/usr/bin/tshark", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  }
  return (double)(iters * s->packets);
}

static const struct rtg_bench_case cases[] = {
    {"replay+decrypt, >=100k packets", "packets/s", "tshark -n -r (dissect only)", 20.0,
     replay_setup, replay_teardown, run_rtg, run_tshark},
};

const struct rtg_bench rtg_bench_replay = {"replay", "pcap replay throughput vs tshark", cases,
                                           sizeof cases / sizeof cases[0], false};
