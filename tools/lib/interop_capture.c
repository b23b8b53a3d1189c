/*
 * interop_capture.c - records a run's namespace traffic to a pcap file
 * with libpcap, in a process of its own (what `tcpdump -i any -y
 * LINUX_SLL2 -s 0 -w FILE FILTER` does).
 *
 * In-process rather than tcpdump because tcpdump switches to its own user
 * before writing, which a user namespace (the unprivileged mode) does not
 * allow, and because on SIGTERM it drops what the kernel still holds for
 * it; here SIGTERM makes the writer drain the socket before it closes the
 * file, so the capture ends with the session.
 */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lib/interop.h"

static volatile sig_atomic_t capture_stop;
/* the capture process's handle, for its SIGTERM handler only */
static pcap_t *volatile capture_handle;
static void on_term(int sig) {
  (void)sig;
  capture_stop = 1;
  /* wakes pcap_dispatch() now rather than at its next timeout */
  if (capture_handle) pcap_breakloop(capture_handle);
}

static void dump_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  pcap_dump(user, h, bytes);
}

/* The capture process: returns its exit code. */
static int capture_main(const char *path, const char *filter, FILE *log) {
  char err[PCAP_ERRBUF_SIZE];
  struct bpf_program prog;
  pcap_dumper_t *d;
  pcap_t *p = pcap_create("any", err);
  long long quiet_until;
  if (p == NULL) {
    fprintf(log, "pcap_create(any): %s\n", err);
    return 1;
  }
  /* Not immediate mode: libpcap then uses fixed-size ring slots of the
   * snapshot length (a few dozen in 16 MiB) and the kernel drops packets of
   * a busy session; blocks packed by size and retired every 50 ms keep up,
   * and the drain below collects the last block. */
  if (pcap_set_snaplen(p, 262144) || pcap_set_buffer_size(p, 32 << 20) || pcap_set_timeout(p, 50) ||
      pcap_activate(p) < 0) {
    fprintf(log, "pcap_activate(any): %s\n", pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  if (pcap_set_datalink(p, DLT_LINUX_SLL2) != 0)
    fprintf(log, "no LINUX_SLL2 link type (%s): using %s\n", pcap_geterr(p),
            pcap_datalink_val_to_name(pcap_datalink(p)));
  if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap_setfilter(p, &prog) != 0) {
    fprintf(log, "filter '%s': %s\n", filter, pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_freecode(&prog);
  d = pcap_dump_open(p, path);
  if (d == NULL) {
    fprintf(log, "%s: %s\n", path, pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_dump_flush(d);
  capture_handle = p;
  fprintf(log, "capturing on any (%s), filter '%s'\n", pcap_datalink_val_to_name(pcap_datalink(p)),
          filter);
  fflush(log);
  while (!capture_stop) {
    int n = pcap_dispatch(p, -1, dump_cb, (u_char *)d);
    if (n == PCAP_ERROR_BREAK) break;
    if (n < 0) break;
    if (n > 0) pcap_dump_flush(d);
  }
  capture_handle = NULL;
  /* drain: read until the socket stays empty for 120 ms (at most 3 s):
   * longer than the 50 ms block timeout, so the kernel has retired the last
   * block by then; the participants have finished before SIGTERM */
  pcap_setnonblock(p, 1, err);
  quiet_until = rtg_interop_now_ms() + 120;
  for (long long end = rtg_interop_now_ms() + 3000;
       rtg_interop_now_ms() < end && rtg_interop_now_ms() < quiet_until;) {
    int n = pcap_dispatch(p, -1, dump_cb, (u_char *)d);
    if (n < 0) break;
    if (n > 0) quiet_until = rtg_interop_now_ms() + 120;
    usleep(5000);
  }
  {
    struct pcap_stat st;
    if (pcap_stats(p, &st) == 0)
      fprintf(log, "%u packets received by filter, %u dropped by kernel\n", st.ps_recv, st.ps_drop);
  }
  pcap_dump_close(d);
  pcap_close(p);
  return 0;
}

pid_t rtg_interop_capture_start(const char *path, const char *filter, const char *logpath) {
  pid_t pid;
  fflush(NULL);
  pid = fork();
  if (pid != 0) {
    if (pid > 0) setpgid(pid, pid);
    return pid;
  }
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  {
    struct sigaction sa;
    FILE *log = fopen(logpath, "a");
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int rc = capture_main(path, filter, log ? log : stderr);
    if (log) fclose(log);
    _exit(rc);
  }
}
