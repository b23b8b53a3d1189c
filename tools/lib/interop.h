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
  /* `rtcgate peer --expect` for the case (echoes participants: rtcgate and
   * externals speaking the webrtc-echoes contract); NULL = the contract
   * cannot express the case (unsupported) */
  const char *expect;
  /* checks a browser must report per role when its peer is an echoes
   * participant (an echo server / an active tester); NULL = |checks| */
  const char *echo_checks[2];
};

extern const struct rtg_interop_case rtg_interop_cases[];
extern const size_t rtg_interop_ncases;
const struct rtg_interop_case *rtg_interop_case_find(const char *name);
/* The case parameters sent to the page as GET /config/ROLE. */
/* |timeout_s| overrides the case's deadline when non-zero. */
json_t *rtg_interop_case_config(const struct rtg_interop_case *c, enum rtg_interop_role role,
                                int timeout_s);

enum rtg_participant_kind {
  RTG_PART_CHROMIUM,
  RTG_PART_FIREFOX,
  RTG_PART_EXTERNAL,
  RTG_PART_RTCGATE /* `rtcgate peer`, the reference peer (webrtc-echoes contract) */
};

struct rtg_interop_participant {
  char name[64];
  enum rtg_participant_kind kind;
  char binary[512];   /* browsers: the executable; external: the command (sh -c) */
  bool roles[2];      /* which roles it can take */
  char contract[256]; /* external: the webrtc-echoes contract URL it implements */
  /* speaks the webrtc-echoes contract (POST /offer -> answer) instead of the
   * page's mailbox: rtcgate, and externals with "signaling": "echoes" */
  bool echoes;
  /* an echoes participant that trickles through the mailbox (send/recv,
   * the `trickle` case): rtcgate (`peer --trickle`), externals with
   * "trickle": true */
  bool trickle;
  /* echoes answerer: where it serves POST /offer; "" = the runner's choice,
   * http://127.0.0.1:RTG_INTEROP_ECHOES_PORT/offer (RTG_INTEROP_LISTEN) */
  char answer_url[256];
};
#define RTG_INTEROP_ECHOES_PORT 8643

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
  /* echoes participants: the run's id (URLs /run/N/...) and their answer
   * URL; 0 and NULL for the rest */
  int run_id;
  const char *answer_url;
};
/* Starts the participant in its own process group; returns its pid or -1. */
pid_t rtg_interop_participant_start(const struct rtg_interop_launch *l);
/* Starts browser |p| (chromium or firefox) headless on profile directory
 * |profile| (created) showing |url|: host addresses in the clear unless
 * |mdns|, fake media devices (for Chromium, with auto-granted permission,
 * which also reveals host addresses) when |media|; output to |log|,
 * Firefox's key log to |keylog|. Returns its pid (= process group) or -1. */
pid_t rtg_interop_browser_start(const struct rtg_interop_participant *p, bool mdns, bool media,
                                const char *url, const char *profile, const char *log,
                                const char *keylog, const char *tmp_dir);

/* interop_net.c */
/* Enters a new network namespace (user+net when not root); 0, or -1 with a
 * message in |err| (the caller exits 2). */
int rtg_interop_ns_enter(char *err, size_t errcap);
/* Brings up lo and the veth pair (10.99.0.1/24, 10.99.0.2/24, default
 * route; with |ipv6| also fd00:99::1/64, fd00:99::2/64). */
int rtg_interop_ns_setup(bool ipv6, char *err, size_t errcap);
/* Adds (|on|) or removes the IPv6 addresses and default route of
 * rtg_interop_ns_setup(true) on a namespace set up without them (a slot
 * runs only its ipv6 runs dual-stack; removing the addresses removes the
 * route). */
int rtg_interop_ns_ipv6(bool on, char *err, size_t errcap);
/* coturn for the relay case (RTG_INTEROP_TURN_*, 10.99.0.2:3478, TURN/UDP,
 * long-term credentials) with its pid file, user db and log
 * (turnserver.log) in |dir|; returns its pid (= process group) or -1. */
pid_t rtg_interop_turn_start(const char *dir);
/* Has the coturn writing |log| bound its sockets? */
bool rtg_interop_turn_ready(const char *log);
/* mkdir -p; 0 or -1 (errno). */
int rtg_interop_mkdirs(const char *path);
/* rm -rf |path| (a tree the runner created). */
void rtg_interop_remove_tree(const char *path);
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
/* One run on a long-lived server (a slot serves runs one after the other):
 * its id (requests name it: /run/N/...), case, directory, and which roles
 * speak the webrtc-echoes contract (the server relays for them). */
struct rtg_interop_session {
  int id;
  const struct rtg_interop_case *c;
  const char *run_dir;
  int timeout_s;
  bool echoes[2];
  const char *answer_url; /* the echoes answerer's POST /offer URL */
};
/* Ends the current run (if any) and starts |ss|; 0 or -1 (no memory). */
int rtg_interop_server_begin(struct rtg_interop_server *s, const struct rtg_interop_session *ss);
/* Ends the current run: its requests get 410 from now on, agents drop its
 * pages. */
void rtg_interop_server_end(struct rtg_interop_server *s);
/* Queues {"type": |type|} for |to| ("ready" for an echoes answerer that
 * listens, "bye" when an echoes peer has finished). */
void rtg_interop_server_post(struct rtg_interop_server *s, enum rtg_interop_role to,
                             const char *type);
/* Browser agents (agent.html?agent=ID, one per browser process): the agent
 * shows index.html?role=R&run=N for every (run, role) assigned to it. */
int rtg_interop_server_agent_assign(struct rtg_interop_server *s, const char *agent, int run,
                                    enum rtg_interop_role role);
/* How many times the agent polled (a started browser is up once > 0). */
long long rtg_interop_server_agent_polls(struct rtg_interop_server *s, const char *agent);
/* Forgets the agent (its browser was ended). */
void rtg_interop_server_agent_forget(struct rtg_interop_server *s, const char *agent);
/* The first relay error of the run (echoes answerer unreachable...) or NULL. */
const char *rtg_interop_server_error(const struct rtg_interop_server *s);
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

#define RTG_INTEROP_NTIMINGS 6
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
  /* ice_connected, dtls_connected, first_message, first_media, dc_rtt_p50,
   * dc_open (ms from the offer); <0 unknown */
  double timings[RTG_INTEROP_NTIMINGS];
  int findings; /* error-level replay findings (not allowed by the case) */
  int findings_total;
  double duration_s;
  char dir[512]; /* run directory (relative to the output root when kept) */
};
extern const char *const rtg_interop_timing_names[RTG_INTEROP_NTIMINGS];

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
  int jobs; /* concurrent slots (namespaces, each with its own browsers); 0 = 1 */
};

/* One entry of the matrix. */
struct rtg_interop_job {
  int off, ans;
  const struct rtg_interop_case *c;
};
/* interop_slot.c: runs |jobs| (retries included) on o->jobs slots, each a
 * network namespace with long-lived browsers that show one page per run;
 * run directories go below |root| (OFFERER-ANSWERER/CASE). Fills
 * |results[i]| for |jobs[i]|; returns 0, or -2 for an environment error
 * (message in results[0].reason). */
int rtg_interop_run_matrix(const struct rtg_interop_opts *o, const struct rtg_interop_job *jobs,
                           int njobs, const char *root, struct rtg_interop_result *results,
                           volatile int *stop);
/* A single slot kept for a series of runs (benchmarks): runs go to
 * temporary directories removed by rtg_interop_pool_free(). run returns
 * 0 with |res| evaluated, -1 when the run could not happen, -2 for an
 * environment error (no namespace...; reason in |res|). */
struct rtg_interop_pool;
struct rtg_interop_pool *rtg_interop_pool_new(const struct rtg_interop_opts *o, char *err,
                                              size_t errcap);
int rtg_interop_pool_run(struct rtg_interop_pool *p, int off, int ans,
                         const struct rtg_interop_case *c, struct rtg_interop_result *res,
                         volatile int *stop);
void rtg_interop_pool_free(struct rtg_interop_pool *p);
/* Is `|program| peer` the reference peer rather than its placeholder
 * (its --help exits 0 and documents --offer-to)? NULL = this program. */
bool rtg_interop_peer_available(const char *program);
/* interop_run.c: the verdict of a finished run from the files in |dir|
 * (ROLE.json, error.txt, unsupported) and the replay of its capture. */
void rtg_interop_evaluate(const struct rtg_interop_opts *o, int off, int ans,
                          const struct rtg_interop_case *c, const char *dir,
                          struct rtg_interop_result *res);

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
