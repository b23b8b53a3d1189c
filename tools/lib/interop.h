/*
 * interop.h - the interop runner behind `rtcgate interop`.
 *
 * A run is one (offerer, answerer, case) triple. It happens in a fresh
 * network namespace (interop_net.c) created by a forked child: the child
 * brings up a veth pair, starts a capture, serves the web page and the
 * signaling mailbox with libwebsockets on 127.0.0.1 (interop_http.c),
 * starts both participants and waits for their results. The parent bounds
 * the child in time, kills every process group it started, evaluates the
 * results against the case's checks and runs the replay engine on the
 * capture (interop_run.c). interop_report.c prints the matrix and writes
 * JSON, JUnit and HTML.
 *
 * A participant is anything that is started with a role and a case, talks
 * the signaling contract of tools/interop/web/README.md (HTTP on
 * http://127.0.0.1:8642: GET /config/ROLE, POST /send/ROLE, GET
 * /recv/ROLE/N, POST /result/ROLE) and reports its result: the browsers
 * load the page, external implementations get the URLs in their
 * environment. Adding one (the reference peer) is one entry in
 * interop_participants.c.
 */
#ifndef RTG_INTEROP_H
#define RTG_INTEROP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define RTG_INTEROP_PORT 8642
/* coturn for the relay case, on the answerer-side veth address */
#define RTG_INTEROP_TURN_URL "turn:10.99.0.2:3478?transport=udp"
#define RTG_INTEROP_TURN_USER "rtcgate"
#define RTG_INTEROP_TURN_PASS "rtcgate-relay"
#define RTG_INTEROP_MAX_PARTICIPANTS 16
#define RTG_INTEROP_MAX_CASES 32
#define RTG_INTEROP_MAX_PGIDS 16

enum rtg_interop_role { RTG_ROLE_OFFER = 0, RTG_ROLE_ANSWER = 1 };

/* Per-case behaviour of the runner itself (network, SDP rewriting). */
enum {
  RTG_CASE_MEDIA = 1u << 0,       /* participants need fake audio/video devices */
  RTG_CASE_MDNS = 1u << 1,        /* browser defaults: .local host candidates */
  RTG_CASE_IPV6 = 1u << 2,        /* IPv6 addresses; IPv4 candidates stripped */
  RTG_CASE_BAD_FP = 1u << 3,      /* rewrite the offer's a=fingerprint */
  RTG_CASE_RELAY = 1u << 4,       /* coturn in the namespace, relay-only policy */
  RTG_CASE_EXPECT_FAIL = 1u << 5, /* the session must NOT come up */
};

struct rtg_interop_case {
  const char *name;  /* stable, e.g. "datachannel-large" */
  const char *abbr;  /* matrix column, e.g. "DL" */
  const char *descr; /* one line */
  int timeout_s;     /* the page's deadline; the run gets startup time on top */
  unsigned flags;
  /* checks (names the page reports in "checks") that must be true, per role,
   * comma separated */
  const char *checks[2];
  /* replay rules whose error findings are expected in this case, comma list */
  const char *allowed_findings;
};

extern const struct rtg_interop_case rtg_interop_cases[];
extern const size_t rtg_interop_ncases;
const struct rtg_interop_case *rtg_interop_case_find(const char *name);
/* The case parameters sent to the page as GET /config/ROLE. */
/* |timeout_s| overrides the case's deadline when non-zero. */
json_t *rtg_interop_case_config(const struct rtg_interop_case *c, enum rtg_interop_role role,
                                int timeout_s);

enum rtg_participant_kind { RTG_PART_CHROMIUM, RTG_PART_FIREFOX, RTG_PART_EXTERNAL };

struct rtg_interop_participant {
  char name[64];
  enum rtg_participant_kind kind;
  char binary[512];   /* browsers: the executable; external: the command (sh -c) */
  bool roles[2];      /* which roles it can take */
  char contract[256]; /* external: the webrtc-echoes contract URL it implements */
};

/* interop_participants.c: built-ins by name ("chromium", "firefox"); 0 or -1
 * with |err| set. */
int rtg_interop_participant_builtin(const char *name, const char *binary_override,
                                    struct rtg_interop_participant *p, char *err, size_t errcap);
/* Loads external participants from a JSON file; appends to |ps|. */
int rtg_interop_participants_load(const char *path, struct rtg_interop_participant *ps, int *n,
                                  int max, char *err, size_t errcap);
/* Checks that the participant's program exists and is executable. */
int rtg_interop_participant_check(const struct rtg_interop_participant *p, char *err,
                                  size_t errcap);

/* Everything a started participant needs. */
struct rtg_interop_launch {
  const struct rtg_interop_participant *p;
  const struct rtg_interop_case *c;
  enum rtg_interop_role role;
  const char *run_dir;  /* logs, profile and key log go here */
  const char *url;      /* the page for browsers */
  const char *base_url; /* http://127.0.0.1:PORT */
  const char *keylog;   /* SSLKEYLOGFILE path */
  const char *tmp_dir;  /* TMPDIR: short (Chromium puts a UNIX socket there) */
};
/* Starts the participant in its own process group; returns its pid or -1. */
pid_t rtg_interop_participant_start(const struct rtg_interop_launch *l);

/* interop_net.c */
/* Enters a new network namespace (user+net when not root); 0, or -1 with a
 * message in |err| (the caller exits 2). */
int rtg_interop_ns_enter(char *err, size_t errcap);
/* Brings up lo and the veth pair (10.99.0.1/24, 10.99.0.2/24, default
 * route; with |ipv6| also fd00:99::1/64, fd00:99::2/64). */
int rtg_interop_ns_setup(bool ipv6, char *err, size_t errcap);
/* fork+exec |argv| in a new process group, stdout/stderr to |log| (append),
 * with extra "K=V" |env| entries (NULL-terminated, may be NULL). */
pid_t rtg_interop_spawn(char *const argv[], char *const env[], const char *log);
/* SIGTERM the group, wait up to |grace_ms| for |pid|, then SIGKILL it. */
void rtg_interop_kill_group(pid_t pgid, int grace_ms);
/* interop_capture.c: records the namespace's traffic (libpcap, "any",
 * LINUX_SLL2, |filter|) to |path| in a process of its own; SIGTERM makes it
 * drain and close. Returns its pid (= process group) or -1. */
pid_t rtg_interop_capture_start(const char *path, const char *filter, const char *logpath);
/* Reaps any exited children without blocking (we are a subreaper). */
void rtg_interop_reap(void);
long long rtg_interop_now_ms(void);

/* interop_http.c: the per-run server. */
struct rtg_interop_server;
struct rtg_interop_server *rtg_interop_server_new(const char *web_dir,
                                                  const struct rtg_interop_case *c, int timeout_s,
                                                  const char *run_dir, char *err, size_t errcap);
/* Services the server for up to |ms| milliseconds. */
void rtg_interop_server_service(struct rtg_interop_server *s, int ms);
/* true when ROLE posted its result */
bool rtg_interop_server_has_result(const struct rtg_interop_server *s, enum rtg_interop_role r);
void rtg_interop_server_free(struct rtg_interop_server *s);

/* Rewrites SDP text for a case: |c| flags BAD_FP (first a=fingerprint of an
 * offer changed) and IPV6 (IPv4 host candidates removed). Returns a malloc'd
 * string and sets |*changed|. */
char *rtg_interop_sdp_rewrite(const char *sdp, const struct rtg_interop_case *c, bool is_offer,
                              bool *changed);

/* One run's outcome. */
enum rtg_interop_verdict {
  RTG_V_PASS,
  RTG_V_FAIL,
  RTG_V_UNSUPPORTED,
  RTG_V_FLAKY,
};
const char *rtg_interop_verdict_name(enum rtg_interop_verdict v);

struct rtg_interop_result {
  int offerer, answerer; /* participant indices */
  const struct rtg_interop_case *c;
  enum rtg_interop_verdict verdict;
  int attempts;
  char reason[512];
  double timings[5]; /* ice_connected, dtls_connected, first_message, first_media, dc_rtt_p50; <0
                        unknown */
  int findings;      /* error-level replay findings (not allowed by the case) */
  int findings_total;
  double duration_s;
  char dir[512]; /* run directory (relative to the output root when kept) */
};
extern const char *const rtg_interop_timing_names[5];

struct rtg_interop_opts {
  struct rtg_interop_participant parts[RTG_INTEROP_MAX_PARTICIPANTS];
  int nparts;
  const struct rtg_interop_case *cases[RTG_INTEROP_MAX_CASES];
  int ncases;
  int pairs[64][2];
  int npairs; /* 0 = every ordered pair */
  int retries;
  int timeout_s; /* 0 = per-case default */
  const char *json_out, *junit_out, *html_dir, *keep_dir;
  const char *web_dir;
  bool verbose;
};

/* interop_run.c: runs one attempt; fills |res| (verdict PASS/FAIL/UNSUPPORTED). */
int rtg_interop_run_one(const struct rtg_interop_opts *o, int off, int ans,
                        const struct rtg_interop_case *c, const char *run_dir,
                        struct rtg_interop_result *res, volatile int *stop);

/* interop_report.c */
void rtg_interop_print_matrix(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                              int n, FILE *out);
json_t *rtg_interop_json(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                         int n, double total_s);
int rtg_interop_write_junit(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                            int n, const char *path);
int rtg_interop_write_html(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                           int n, const char *dir, const char *runs_root);

#endif
