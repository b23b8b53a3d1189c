/*
 * cli.h - shared pieces of the rtcgate command-line program.
 *
 * Exit codes (README "Exit codes"): 0 ok, 1 findings/failures (malformed
 * input, failed checks, crashes found, benchmark under its limit), 2 usage
 * or environment error (bad flag, missing file or tool, busy port).
 */
#ifndef RTG_CLI_H
#define RTG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RTG_EXIT_OK = 0, RTG_EXIT_FINDINGS = 1, RTG_EXIT_USAGE = 2 };

struct rtg_cmd {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

/* Prints "rtcgate CMD: MESSAGE" to stderr. */
void rtg_cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole file ("-" is stdin) into a malloc'd buffer. Returns 0, or
 * -1 after printing a clear error naming the file. */
int rtg_cli_read_file(const char *cmd, const char *path, uint8_t **data, size_t *len);

/* true if |s| equals "-h" or "--help". */
bool rtg_cli_is_help(const char *s);

/* Parses durations like "10", "10s", "5m", "1h", "250ms" into milliseconds;
 * returns -1 if malformed. */
long long rtg_cli_parse_duration_ms(const char *s);

/* Directory of the running executable's source tree guess: RTG_SOURCE_DIR
 * at build time, overridable with the RTCGATE_ROOT environment variable. */
const char *rtg_cli_source_dir(void);

/* The per-command entry points. */
int rtg_cmd_decode(int argc, char **argv);
int rtg_cmd_bench(int argc, char **argv);
int rtg_cmd_fuzz(int argc, char **argv);
int rtg_cmd_corpus(int argc, char **argv);
int rtg_cmd_replay(int argc, char **argv);
int rtg_cmd_interop(int argc, char **argv);
int rtg_cmd_peer(int argc, char **argv);
int rtg_cmd_serve(int argc, char **argv);
int rtg_cmd_probe(int argc, char **argv);

#endif
