/*
 * cmd_decode.c - `rtcgate decode --proto NAME FILE|-`: one packet in, a JSON
 * description out; malformed input gives one line naming offset, field and
 * reason on stderr and exit code 1.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "decode/decoder.h"

#define RTG_DECODER(n) extern const struct rtg_decoder rtg_decoder_##n;
#include "decoders.inc"
#undef RTG_DECODER

static const struct rtg_decoder *const decoders[] = {
#define RTG_DECODER(n) &rtg_decoder_##n,
#include "decoders.inc"
#undef RTG_DECODER
};
#define N_DECODERS (sizeof decoders / sizeof decoders[0])

/* Decoders are registered by file name ("turn_channel"); users type the
 * protocol name with dashes ("turn-channel"). Both spellings are accepted. */
static const struct rtg_decoder *find_decoder(const char *name) {
  for (size_t i = 0; i < N_DECODERS; i++) {
    const char *a = decoders[i]->name, *b = name;
    while (*a && *b && (*a == *b || ((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))) {
      a++;
      b++;
    }
    if (*a == '\0' && *b == '\0') return decoders[i];
  }
  return NULL;
}

static void decode_usage(FILE *out) {
  fprintf(out,
          "usage: rtcgate decode --proto NAME [OPTIONS] FILE|-\n"
          "       rtcgate decode --list\n\n"
          "Decodes ONE packet (a UDP payload, not a pcap) and prints it as JSON.\n"
          "FILE holds the packet as raw bytes or as hex text ('-' reads stdin).\n\n"
          "options:\n"
          "  --proto NAME      protocol to decode (see --list)\n"
          "  --in bin|hex|auto input encoding (default auto: hex if the file is\n"
          "                    only hex digits, spaces, newlines and ':')\n"
          "  --password PW     STUN password to verify MESSAGE-INTEGRITY\n"
          "  --username USER   long-term credential user name\n"
          "  --realm REALM     long-term credential realm\n"
          "  --key HEX         key material (e.g. SRTP master key || salt)\n"
          "  --profile NAME    profile (e.g. SRTP_AES128_CM_HMAC_SHA1_80)\n"
          "  --opt KEY=VALUE   decoder-specific option (repeatable)\n"
          "  --compact         one-line JSON\n\n"
          "exit: 0 decoded, 1 malformed packet (one line on stderr: offset, field,\n"
          "reason), 2 usage error or unreadable file\n\n"
          "protocols:\n");
  for (size_t i = 0; i < N_DECODERS; i++)
    fprintf(out, "  %-14s %s\n", decoders[i]->name, decoders[i]->summary);
}

static bool looks_hex(const uint8_t *d, size_t n) {
  size_t digits = 0;
  for (size_t i = 0; i < n; i++) {
    if (isxdigit(d[i]))
      digits++;
    else if (!(d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t' || d[i] == ':'))
      return false;
  }
  return digits > 0 && digits % 2 == 0;
}

enum {
  OPT_PROTO = 256,
  OPT_IN,
  OPT_PASSWORD,
  OPT_USERNAME,
  OPT_REALM,
  OPT_KEY,
  OPT_PROFILE,
  OPT_OPT,
  OPT_COMPACT,
  OPT_LIST
};

int rtg_cmd_decode(int argc, char **argv) {
  static const struct option longopts[] = {{"proto", required_argument, NULL, OPT_PROTO},
                                           {"in", required_argument, NULL, OPT_IN},
                                           {"password", required_argument, NULL, OPT_PASSWORD},
                                           {"username", required_argument, NULL, OPT_USERNAME},
                                           {"realm", required_argument, NULL, OPT_REALM},
                                           {"key", required_argument, NULL, OPT_KEY},
                                           {"profile", required_argument, NULL, OPT_PROFILE},
                                           {"opt", required_argument, NULL, OPT_OPT},
                                           {"compact", no_argument, NULL, OPT_COMPACT},
                                           {"list", no_argument, NULL, OPT_LIST},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *proto = NULL, *in = "auto";
  const char *extra[33] = {0};
  size_t nextra = 0;
  struct rtg_decode_opts opts = {0};
  size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
  const struct rtg_decoder *dec;
  uint8_t *data = NULL;
  size_t len = 0;
  json_t *out = NULL;
  struct rtg_perr perr;
  int c, rc;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_PROTO: proto = optarg; break;
      case OPT_IN: in = optarg; break;
      case OPT_PASSWORD: opts.password = optarg; break;
      case OPT_USERNAME: opts.username = optarg; break;
      case OPT_REALM: opts.realm = optarg; break;
      case OPT_KEY: opts.key_hex = optarg; break;
      case OPT_PROFILE: opts.profile = optarg; break;
      case OPT_OPT:
        if (nextra >= 32 || strchr(optarg, '=') == NULL) {
          rtg_cli_err("decode", "--opt wants KEY=VALUE (at most 32), got '%s'", optarg);
          return RTG_EXIT_USAGE;
        }
        extra[nextra++] = optarg;
        break;
      case OPT_COMPACT: flags = JSON_COMPACT | JSON_PRESERVE_ORDER; break;
      case OPT_LIST:
        for (size_t i = 0; i < N_DECODERS; i++)
          printf("%-14s %s\n", decoders[i]->name, decoders[i]->summary);
        return RTG_EXIT_OK;
      case 'h': decode_usage(stdout); return RTG_EXIT_OK;
      default:
        rtg_cli_err("decode", "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        return RTG_EXIT_USAGE;
    }
  }
  opts.extra = extra;
  if (proto == NULL) {
    rtg_cli_err("decode", "--proto is required (see 'rtcgate decode --list')");
    return RTG_EXIT_USAGE;
  }
  dec = find_decoder(proto);
  if (dec == NULL) {
    rtg_cli_err("decode", "unknown protocol '%s' (see 'rtcgate decode --list')", proto);
    return RTG_EXIT_USAGE;
  }
  if (optind != argc - 1) {
    rtg_cli_err("decode", "expected exactly one FILE (or '-' for stdin)");
    return RTG_EXIT_USAGE;
  }
  if (strcmp(in, "bin") && strcmp(in, "hex") && strcmp(in, "auto")) {
    rtg_cli_err("decode", "--in must be bin, hex or auto, not '%s'", in);
    return RTG_EXIT_USAGE;
  }
  if (rtg_cli_read_file("decode", argv[optind], &data, &len)) return RTG_EXIT_USAGE;
  if (strcmp(in, "hex") == 0 || (strcmp(in, "auto") == 0 && looks_hex(data, len))) {
    ptrdiff_t n;
    rtg_perr_clear(&perr);
    n = rtg_hex_decode(data, len, (const char *)data, len, &perr);
    if (n < 0) {
      char msg[256];
      rtg_perr_format(&perr, msg, sizeof msg);
      rtg_cli_err("decode", "%s: input is not valid hex: %s", argv[optind], msg);
      free(data);
      return RTG_EXIT_USAGE;
    }
    len = (size_t)n;
  }
  rtg_perr_clear(&perr);
  rc = dec->decode(data, len, &opts, &out, &perr);
  if (out) {
    if (rc) json_object_set_new(out, "error", json_string(rtg_strerror(rc)));
    json_dumpf(out, stdout, flags);
    fputc('\n', stdout);
    json_decref(out);
  }
  free(data);
  if (rc) {
    char msg[256];
    if (perr.reason) {
      rtg_perr_format(&perr, msg, sizeof msg);
      rtg_cli_err("decode", "%s: %s", dec->name, msg);
    } else {
      rtg_cli_err("decode", "%s: %s", dec->name, rtg_strerror(rc));
    }
    return RTG_EXIT_FINDINGS;
  }
  return RTG_EXIT_OK;
}
