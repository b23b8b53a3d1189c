/*
 * cmd_corpus.c - `rtcgate corpus`: build seed corpora.
 *
 *   rtcgate corpus from-pcap CAPTURE [--out DIR] [--map CLASS=TARGET]...
 *
 * Reads a pcap/pcapng capture with libpcap, decodes each frame down to UDP
 * with the stack's net module (IPv4/IPv6, fragments reassembled), sorts the
 * UDP payloads by their first byte as RFC 7983 §7 (and RFC 9443) demultiplex
 * them - STUN, DTLS, TURN ChannelData, RTP or RTCP (RFC 5761 §4) - and
 * writes each as a seed for the matching fuzz target, named by its SHA-1 as
 * libFuzzer names corpus files, so duplicates fall away. SCTP carried
 * directly over IP (protocol 132) becomes sctp_packet seeds. Inside DTLS
 * nothing is decrypted yet: DTLS records are seeds as they are.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fuzz_internal.h"
#include "rtg/core.h"
#include "engine/replay.h"
#include "rtg/net.h"

enum cls { C_STUN, C_DTLS, C_TURN, C_RTP, C_RTCP, C_SCTP, C_DCEP, C_N };

static const char *const cls_name[C_N] = {"stun", "dtls", "turn-channel", "rtp",
                                          "rtcp", "sctp", "dcep"};
static const char *const cls_default[C_N] = {"stun_parse", "dtls_record", "turn_channel",
                                             "rtp_parse",  "rtcp_parse",  "sctp_packet",
                                             "dcep_parse"};

struct cls_stat {
  char target[FZ_NAME_MAX];
  long long max_len; /* from fuzz/<target>.options, 0: none */
  unsigned long added, dup, too_big;
};

static void corpus_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate corpus from-pcap CAPTURE [--out DIR] [--map CLASS=TARGET]...\n"
          "                                [--max-size N] [--json]\n\n"
          "Splits the UDP payloads of a pcap/pcapng capture into fuzz seeds by their RFC 7983\n"
          "class, one file per distinct payload named by its SHA-1 (duplicates are skipped),\n"
          "in DIR/TARGET/ (default DIR: corpora/ of the source tree). Each target's README.md\n"
          "gets a line saying where the seeds came from. Payloads longer than the target's\n"
          "max_len (fuzz/TARGET.options) are left out.\n\n"
          "classes and default targets:\n"
          "  stun          first byte 0-3       -> stun_parse\n"
          "  dtls          first byte 20-63     -> dtls_record (records as captured)\n"
          "  turn-channel  first byte 64-79     -> turn_channel\n"
          "  rtp           first byte 128-191   -> rtp_parse\n"
          "  rtcp          ... second byte 192-223 (RFC 5761) -> rtcp_parse\n"
          "  sctp          SCTP over IP (protocol 132), or decrypted from DTLS with\n"
          "                --keylog -> sctp_packet\n"
          "  dcep          DCEP messages inside decrypted SCTP (--keylog) -> dcep_parse\n"
          "  (with --keylog, decrypted SRTP/SRTCP add RTP/RTCP seeds as well)\n\n"
          "options:\n"
          "  --out DIR           corpora root (default SRC/corpora)\n"
          "  --map CLASS=TARGET  send a class to another target ('CLASS=' drops it)\n"
          "  --max-size N        leave out payloads over N bytes (0: keep all; default:\n"
          "                      each target's max_len)\n"
          "  --keylog FILE       also decrypt with this NSS key log (repeatable): SCTP\n"
          "                      packets and DCEP messages from inside DTLS, and\n"
          "                      decrypted RTP/RTCP, become seeds too\n"
          "  --json              summary as JSON\n\n"
          "exit: 0 done, 2 usage error or unreadable capture\n");
}

/* RFC 7983 §7 / RFC 9443 §3: the first byte of a UDP payload says what it
 * is; RTP and RTCP are told apart by the packet type (RFC 5761 §4). */
static int classify(const uint8_t *p, size_t n) {
  if (n == 0) return -1;
  if (p[0] <= 3) return C_STUN;
  if (p[0] >= 20 && p[0] <= 63) return C_DTLS;
  if (p[0] >= 64 && p[0] <= 79) return C_TURN;
  if (p[0] >= 128 && p[0] <= 191) {
    if (n >= 2 && p[1] >= 192 && p[1] <= 223) return C_RTCP;
    return C_RTP;
  }
  return -1; /* ZRTP (16-19) and anything unknown */
}

static int save_seed(const char *out, struct cls_stat *st, const uint8_t *p, size_t n) {
  char dir[PATH_MAX], path[PATH_MAX + 64], sha[41];
  FILE *f;
  if (st->target[0] == '\0') return 0;
  if (st->max_len > 0 && (long long)n > st->max_len) {
    st->too_big++;
    return 0;
  }
  fz_sha1_hex(p, n, sha);
  fz_fmt(dir, sizeof dir, "%s/%s", out, st->target);
  if (fz_fmt(path, sizeof path, "%s/%s", dir, sha) != 0) return -1;
  if (access(path, F_OK) == 0) {
    st->dup++;
    return 0;
  }
  if (fz_mkdir_p(dir)) return -1;
  f = fopen(path, "wb");
  if (f == NULL) return -1;
  if (fwrite(p, 1, n, f) != n) {
    fclose(f);
    return -1;
  }
  if (fclose(f) != 0) return -1;
  st->added++;
  return 0;
}

static void note_readme(const char *out, const struct cls_stat *st, const char *capture,
                        bool decrypted) {
  char path[PATH_MAX + 64], day[32];
  time_t now = time(NULL);
  struct tm tm;
  FILE *f;
  bool fresh;
  if (st->added == 0) return;
  fz_fmt(path, sizeof path, "%s/%s/README.md", out, st->target);
  fresh = access(path, F_OK) != 0;
  f = fopen(path, "a");
  if (f == NULL) return;
  gmtime_r(&now, &tm);
  strftime(day, sizeof day, "%Y-%m-%d", &tm);
  if (fresh) fprintf(f, "# corpora/%s\n\nWhere the seeds come from:\n\n", st->target);
  fprintf(f,
          "- %lu seed%s named by SHA-1, extracted by `rtcgate corpus from-pcap`%s from `%s` "
          "(%s)\n",
          st->added, st->added == 1 ? "" : "s", decrypted ? " (decrypted with its key log)" : "",
          capture, day);
  fclose(f);
}

/* What decryption reveals, through the replay engine: SCTP packets and DCEP
 * messages from inside DTLS, RTP/RTCP from inside SRTP/SRTCP. */
struct plain_ctx {
  const char *out;
  struct cls_stat *st;
  int failed;
};

static void on_plain(void *ud, int kind, const uint8_t *p, size_t n) {
  struct plain_ctx *pc = ud;
  int k = kind == RTG_PLAIN_SCTP   ? C_SCTP
          : kind == RTG_PLAIN_DCEP ? C_DCEP
          : kind == RTG_PLAIN_RTP  ? C_RTP
                                   : C_RTCP;
  if (save_seed(pc->out, &pc->st[k], p, n)) pc->failed = 1;
}

static int decrypted_seeds(const char *capture, const char *const *keylogs, int nkeylogs,
                           const char *out, struct cls_stat *st) {
  struct rtg_replay_opts opts;
  struct rtg_replay *r = malloc(sizeof *r);
  struct plain_ctx pc = {out, st, 0};
  char err[512];
  int rc = RTG_EXIT_OK;
  memset(&opts, 0, sizeof opts);
  rtg_rules_defaults(&opts);
  opts.quiet = true;
  if (r == NULL || rtg_replay_init(r, &opts)) {
    free(r);
    rtg_cli_err("corpus", "out of memory");
    return RTG_EXIT_USAGE;
  }
  r->plain_sink = on_plain;
  r->plain_ud = &pc;
  for (int i = 0; i < nkeylogs && rc == RTG_EXIT_OK; i++)
    if (rtg_replay_add_keylog(r, keylogs[i], err, sizeof err)) {
      rtg_cli_err("corpus", "%s", err);
      rc = RTG_EXIT_USAGE;
    }
  if (rc == RTG_EXIT_OK && rtg_replay_capture(r, capture)) {
    rtg_cli_err("corpus", "%s: %s", capture, r->caps[r->ncaps - 1].error);
    rc = RTG_EXIT_USAGE;
  }
  if (rc == RTG_EXIT_OK && rtg_replay_keylog_matches(r) == 0) {
    rtg_cli_err("corpus", "the key log matches nothing in %s (no ClientHello random of it)",
                capture);
    rc = RTG_EXIT_USAGE;
  }
  if (pc.failed) rc = RTG_EXIT_USAGE;
  rtg_replay_free(r);
  free(r);
  return rc;
}

static int from_pcap(int argc, char **argv) {
  enum { O_OUT = 256, O_MAP, O_KEYLOG, O_JSON, O_MAXSIZE };
  static const struct option longopts[] = {{"out", required_argument, NULL, O_OUT},
                                           {"map", required_argument, NULL, O_MAP},
                                           {"keylog", required_argument, NULL, O_KEYLOG},
                                           {"json", no_argument, NULL, O_JSON},
                                           {"max-size", required_argument, NULL, O_MAXSIZE},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  struct cls_stat st[C_N];
  char out[PATH_MAX], errbuf[PCAP_ERRBUF_SIZE];
  const char *capture;
  bool json = false;
  long long max_size = -1; /* -1: each target's max_len */
  unsigned long frames = 0, udp = 0, skipped = 0, undecodable = 0, other = 0;
  int c, linktype, rc = RTG_EXIT_OK;
  pcap_t *pc;
  struct pcap_pkthdr *hdr;
  const u_char *data;
  struct rtg_ctx ctx;
  struct rtg_net_defrag defrag;
  const char *keylogs[8];
  int nkeylogs = 0;
  memset(st, 0, sizeof st);
  for (int k = 0; k < C_N; k++) fz_fmt(st[k].target, sizeof st[k].target, "%s", cls_default[k]);
  fz_fmt(out, sizeof out, "%s/corpora", rtg_cli_source_dir());
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case O_OUT: fz_fmt(out, sizeof out, "%s", optarg); break;
      case O_MAP: {
        const char *eq = strchr(optarg, '=');
        int k;
        for (k = 0; eq && k < C_N; k++)
          if (strlen(cls_name[k]) == (size_t)(eq - optarg) &&
              strncmp(optarg, cls_name[k], (size_t)(eq - optarg)) == 0)
            break;
        if (eq == NULL || k == C_N || strlen(eq + 1) >= FZ_NAME_MAX || strchr(eq + 1, '/')) {
          rtg_cli_err("corpus",
                      "--map wants CLASS=TARGET with CLASS one of stun, dtls, "
                      "turn-channel, rtp, rtcp, sctp; not '%s'",
                      optarg);
          return RTG_EXIT_USAGE;
        }
        fz_fmt(st[k].target, sizeof st[k].target, "%s", eq + 1);
        break;
      }
      case O_KEYLOG:
        if (nkeylogs >= 8) {
          rtg_cli_err("corpus", "at most 8 --keylog files");
          return RTG_EXIT_USAGE;
        }
        keylogs[nkeylogs++] = optarg;
        break;
      case O_JSON: json = true; break;
      case O_MAXSIZE:
        if (strspn(optarg, "0123456789") != strlen(optarg) || !*optarg || strlen(optarg) > 9) {
          rtg_cli_err("corpus", "--max-size wants a byte count, not '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        max_size = atoll(optarg);
        break;
      case 'h': corpus_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("corpus", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc) {
    rtg_cli_err("corpus", "from-pcap wants exactly one CAPTURE (see --help)");
    return RTG_EXIT_USAGE;
  }
  capture = argv[optind];
  for (int k = 0; k < C_N && max_size >= 0; k++) st[k].max_len = max_size;
  for (int k = 0; k < C_N && max_size < 0; k++) {
    char opt[8][PATH_MAX + 16];
    int n = st[k].target[0] ? fz_load_options(rtg_cli_source_dir(), st[k].target, opt, 8) : 0;
    for (int i = 0; i < n; i++)
      if (strncmp(opt[i], "-max_len=", 9) == 0) st[k].max_len = atoll(opt[i] + 9);
  }
  pc = pcap_open_offline(capture, errbuf);
  if (pc == NULL) {
    rtg_cli_err("corpus", "cannot read capture %s: %s", capture, errbuf);
    return RTG_EXIT_USAGE;
  }
  linktype = pcap_datalink(pc);
  if (linktype == DLT_RAW) linktype = RTG_LINK_RAW; /* libpcap gives the DLT value */
  if (!rtg_net_linktype_supported(linktype)) {
    rtg_cli_err("corpus", "%s: link type %d (%s) is not supported", capture, linktype,
                pcap_datalink_val_to_name(linktype) ? pcap_datalink_val_to_name(linktype) : "?");
    pcap_close(pc);
    return RTG_EXIT_USAGE;
  }
  rtg_ctx_default(&ctx);
  if (rtg_net_defrag_init(&defrag, &ctx, RTG_SEC(30)) != 0) {
    rtg_cli_err("corpus", "out of memory");
    pcap_close(pc);
    return RTG_EXIT_USAGE;
  }
  while ((c = pcap_next_ex(pc, &hdr, &data)) == 1) {
    struct rtg_net_pkt pkt;
    struct rtg_perr perr;
    rtg_time now = RTG_SEC(hdr->ts.tv_sec) + RTG_US(hdr->ts.tv_usec);
    int k;
    frames++;
    rtg_perr_clear(&perr);
    if (rtg_net_frame_parse(linktype, data, hdr->caplen, &pkt, &perr) != 0) {
      undecodable++;
      continue;
    }
    if (pkt.is_fragment) {
      bool done = false;
      if (rtg_net_defrag_add(&defrag, now, &pkt, &done, &perr) != 0 || !done) continue;
    }
    if (pkt.proto == 132) { /* SCTP directly over IP */
      if (save_seed(out, &st[C_SCTP], pkt.l3_payload.p, pkt.l3_payload.len)) rc = RTG_EXIT_USAGE;
      continue;
    }
    if (pkt.proto != RTG_NET_PROTO_UDP) {
      other++;
      continue;
    }
    udp++;
    k = classify(pkt.payload.p, pkt.payload.len);
    if (k < 0) {
      skipped++;
      continue;
    }
    if (save_seed(out, &st[k], pkt.payload.p, pkt.payload.len)) rc = RTG_EXIT_USAGE;
  }
  if (c == -1) {
    rtg_cli_err("corpus", "%s: %s (after %lu frames)", capture, pcap_geterr(pc), frames);
    rc = RTG_EXIT_USAGE;
  }
  rtg_net_defrag_free(&defrag);
  pcap_close(pc);
  if (rc != RTG_EXIT_OK) rtg_cli_err("corpus", "could not write some seeds under %s", out);
  if (nkeylogs && rc == RTG_EXIT_OK) rc = decrypted_seeds(capture, keylogs, nkeylogs, out, st);
  for (int k = 0; k < C_N; k++) note_readme(out, &st[k], capture, nkeylogs > 0);
  if (json) {
    json_t *root = json_object(), *cl = json_array();
    for (int k = 0; k < C_N; k++) {
      json_t *o = json_object();
      json_object_set_new(o, "class", json_string(cls_name[k]));
      json_object_set_new(o, "target", st[k].target[0] ? json_string(st[k].target) : json_null());
      json_object_set_new(o, "added", json_integer((json_int_t)st[k].added));
      json_object_set_new(o, "duplicates", json_integer((json_int_t)st[k].dup));
      json_object_set_new(o, "too_big", json_integer((json_int_t)st[k].too_big));
      json_array_append_new(cl, o);
    }
    json_object_set_new(root, "capture", json_string(capture));
    json_object_set_new(root, "frames", json_integer((json_int_t)frames));
    json_object_set_new(root, "udp", json_integer((json_int_t)udp));
    json_object_set_new(root, "unclassified", json_integer((json_int_t)skipped));
    json_object_set_new(root, "undecodable", json_integer((json_int_t)undecodable));
    json_object_set_new(root, "classes", cl);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
  } else {
    printf("%s: %lu frames, %lu UDP datagrams (%lu unclassified), %lu other, %lu undecodable\n",
           capture, frames, udp, skipped, other, undecodable);
    printf("%-13s %-16s %7s %7s %8s\n", "class", "target", "added", "dup", "too big");
    for (int k = 0; k < C_N; k++)
      printf("%-13s %-16s %7lu %7lu %8lu\n", cls_name[k], st[k].target[0] ? st[k].target : "-",
             st[k].added, st[k].dup, st[k].too_big);
    printf("seeds written under %s\n", out);
  }
  return rc;
}

int rtg_cmd_corpus(int argc, char **argv) {
  if (argc < 2 || rtg_cli_is_help(argv[1])) {
    corpus_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? RTG_EXIT_USAGE : RTG_EXIT_OK;
  }
  if (strcmp(argv[1], "from-pcap") == 0) return from_pcap(argc - 1, argv + 1);
  rtg_cli_err("corpus", "unknown subcommand '%s' (try 'rtcgate corpus --help')", argv[1]);
  return RTG_EXIT_USAGE;
}
