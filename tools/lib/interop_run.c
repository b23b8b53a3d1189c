/*
 * interop_run.c - the verdict of one run of the interop matrix (offerer,
 * answerer, case) once its slot (interop_slot.c) has finished it: the
 * participants' reported checks, and the replay engine on the run's capture
 * with the SDPs and key logs of the run.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/replay.h"
#include "lib/interop.h"

const char *const rtg_interop_timing_names[RTG_INTEROP_NTIMINGS] = {
    "ice_connected", "dtls_connected", "first_message", "first_media", "dc_rtt_p50", "dc_open"};

const char *rtg_interop_verdict_name(enum rtg_interop_verdict v) {
  switch (v) {
    case RTG_V_PASS: return "pass";
    case RTG_V_FAIL: return "fail";
    case RTG_V_UNSUPPORTED: return "unsupported";
    case RTG_V_FLAKY: return "flaky";
    default: return "?";
  }
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static bool read_text(const char *dir, const char *name, char *out, size_t cap) {
  char path[1024];
  FILE *f;
  size_t n;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "r");
  if (f == NULL) return false;
  n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = '\0';
  fclose(f);
  return true;
}

static void add_reason(struct rtg_interop_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_reason(struct rtg_interop_result *res, const char *fmt, ...) {
  size_t n = strlen(res->reason);
  va_list ap;
  if (n + 3 >= sizeof res->reason) return;
  if (n) {
    memcpy(res->reason + n, "; ", 3);
    n += 2;
  }
  va_start(ap, fmt);
  vsnprintf(res->reason + n, sizeof res->reason - n, fmt, ap);
  va_end(ap);
}

/* Is |id| in the comma list |list|? */
static bool in_list(const char *list, const char *id) {
  size_t n = strlen(id);
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, id, n) == 0) return true;
    p = e ? e + 1 : NULL;
  }
  return false;
}

static void check_role(struct rtg_interop_result *res, const char *dir, int role,
                       const struct rtg_interop_case *c, const struct rtg_interop_participant *p,
                       const struct rtg_interop_participant *peer) {
  const char *pname = p->name;
  /* an echoes participant reports its expectations through its exit code;
   * a browser facing one runs the echo variant of the case */
  const char *required = p->echoes
                             ? ((c->flags & RTG_CASE_EXPECT_FAIL) ? "refused" : "expectations")
                         : peer->echoes && c->echo_checks[role] ? c->echo_checks[role]
                                                                : c->checks[role];
  const char *rname = role ? "answer" : "offer";
  char path[1024], name[64];
  json_error_t je;
  json_t *j, *checks;
  const char *e;
  snprintf(path, sizeof path, "%s/%s.json", dir, rname);
  j = json_load_file(path, 0, &je);
  if (j == NULL) {
    add_reason(res, "no result from the %s (%s)", rname, pname);
    return;
  }
  if ((e = json_string_value(json_object_get(j, "error"))) != NULL)
    add_reason(res, "%s: %s", rname, e);
  checks = json_object_get(j, "checks");
  for (const char *q = required; q && *q;) {
    const char *comma = strchr(q, ',');
    size_t len = comma ? (size_t)(comma - q) : strlen(q);
    json_t *v;
    snprintf(name, sizeof name, "%.*s", (int)len, q);
    v = json_object_get(checks, name);
    if (!json_is_true(v)) add_reason(res, "%s: check %s %s", rname, name, v ? "failed" : "missing");
    q = comma ? comma + 1 : NULL;
  }
  /* timings: the offerer's, else the answerer's */
  for (int i = 0; i < RTG_INTEROP_NTIMINGS; i++) {
    json_t *t = json_object_get(json_object_get(j, "timings"), rtg_interop_timing_names[i]);
    if (json_is_number(t) && res->timings[i] < 0) res->timings[i] = json_number_value(t);
  }
  json_decref(j);
}

/* expected.json in the pcaps/ format (what tools/tests/replay_pcaps.sh
 * compares exactly: summary counts, streams, findings, DTLS versions, data
 * channels), from the replay report of this run, so a kept run can join
 * pcaps/ as it is. */
static void write_expected(json_t *rep, const char *dir) {
  json_t *exp = json_object(), *vers = json_array(), *finds = json_object(),
         *streams = json_object(), *chans = json_array(), *sum = json_object_get(rep, "summary"),
         *dc = json_object_get(sum, "datachannel"), *sess, *f, *ch;
  size_t i, j, k;
  char path[1100];
  json_object_set_new(exp, "_comment",
                      json_string("expected results of 'rtcgate replay capture.pcap --sdp "
                                  "offer.sdp --sdp answer.sdp --keylog keylog.txt', written by "
                                  "rtcgate interop from its run"));
  json_array_foreach(json_object_get(rep, "sessions"), i, sess) {
    json_t *fl;
    json_array_foreach(json_object_get(sess, "flows"), j, fl) {
      json_t *v = json_object_get(fl, "dtls_version"), *st;
      if (json_is_string(v)) json_array_append(vers, v);
      json_array_foreach(json_object_get(fl, "streams"), k, st) {
        char ssrc[16];
        snprintf(ssrc, sizeof ssrc, "%08llx",
                 (unsigned long long)json_integer_value(json_object_get(st, "ssrc")));
        json_object_set_new(
            streams, ssrc,
            json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "authenticated",
                      json_object_get(st, "authenticated"), "lost", json_object_get(st, "lost"),
                      "mid", json_object_get(st, "mid"), "packets", json_object_get(st, "packets"),
                      "payload_type", json_object_get(st, "payload_type")));
      }
    }
  }
  json_array_foreach(json_object_get(dc, "channels"), i, ch) {
    json_array_append_new(
        chans, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "label", json_object_get(ch, "label"),
                         "protocol", json_object_get(ch, "protocol"), "stream",
                         json_object_get(ch, "stream"), "messages", json_object_get(ch, "messages"),
                         "bytes", json_object_get(ch, "bytes")));
  }
  json_array_foreach(json_object_get(rep, "findings"), i, f) {
    const char *id = json_string_value(json_object_get(f, "id"));
    if (id)
      json_object_set_new(finds, id,
                          json_integer(json_integer_value(json_object_get(finds, id)) + 1));
  }
  json_object_set_new(exp, "channels", chans);
  json_object_set_new(exp, "dtls_version", vers);
  json_object_set_new(exp, "findings", finds);
  json_object_set_new(exp, "sessions",
                      json_integer((json_int_t)json_array_size(json_object_get(rep, "sessions"))));
  json_object_set_new(exp, "streams", streams);
  json_object_set_new(
      exp, "summary",
      json_pack(
          "{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "datachannel_messages",
          json_object_get(dc, "messages"), "dtls", json_object_get(sum, "dtls"), "dtls_decrypted",
          json_object_get(sum, "dtls_decrypted"), "packets", json_object_get(sum, "packets"),
          "srtcp_authenticated", json_object_get(json_object_get(sum, "srtcp"), "authenticated"),
          "srtcp_packets", json_object_get(json_object_get(sum, "srtcp"), "packets"),
          "srtp_authenticated", json_object_get(json_object_get(sum, "srtp"), "authenticated"),
          "srtp_packets", json_object_get(json_object_get(sum, "srtp"), "packets"), "ssrcs",
          json_object_get(sum, "ssrcs"), "stun", json_object_get(sum, "stun")));
  snprintf(path, sizeof path, "%.1000s/expected.json", dir);
  json_dump_file(exp, path, JSON_INDENT(1) | JSON_SORT_KEYS);
  json_decref(exp);
}

static void run_replay(struct rtg_interop_result *res, const char *dir,
                       const struct rtg_interop_case *c) {
  struct rtg_replay_opts opts;
  struct rtg_replay *r = malloc(sizeof *r);
  char path[1024], err[512];
  FILE *f;
  rtg_rules_defaults(&opts);
  opts.quiet = true;
  if (r == NULL || rtg_replay_init(r, &opts)) {
    free(r);
    add_reason(res, "replay: out of memory");
    return;
  }
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s.sdp", dir, i ? "answer" : "offer");
    if (file_size(path) > 0 && rtg_replay_add_sdp(r, path, err, sizeof err))
      add_reason(res, "replay: %s", err);
  }
  /* the SDP-level rules (host candidate exposure), as `rtcgate replay` does */
  rtg_replay_sdp_findings(r);
  snprintf(path, sizeof path, "%s/keylog.txt", dir);
  if (file_size(path) > 0 && rtg_replay_add_keylog(r, path, err, sizeof err))
    add_reason(res, "replay: %s", err);
  snprintf(path, sizeof path, "%s/capture.pcap", dir);
  if (rtg_replay_capture(r, path)) {
    add_reason(res, "replay: %s", r->caps[r->ncaps - 1].error);
  } else {
    for (size_t i = 0; i < r->nfindings; i++) {
      const struct rtg_rule *rule = &rtg_rules[r->findings[i].rule];
      res->findings_total++;
      if (opts.sev[r->findings[i].rule] == RTG_SEV_ERROR &&
          !in_list(c->allowed_findings, rule->id)) {
        if (res->findings == 0) add_reason(res, "replay: %s: %s", rule->id, r->findings[i].message);
        res->findings++;
      }
    }
    if (r->kl->n && rtg_replay_keylog_matches(r) == 0 && !(c->flags & RTG_CASE_EXPECT_FAIL))
      add_reason(res, "replay: the key log matches no ClientHello of the capture");
  }
  {
    json_t *doc = rtg_replay_json(r);
    snprintf(path, sizeof path, "%s/replay.json", dir);
    json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    write_expected(doc, dir);
    json_decref(doc);
  }
  snprintf(path, sizeof path, "%s/replay.txt", dir);
  f = fopen(path, "w");
  if (f) {
    rtg_replay_print_summary(r, f);
    fclose(f);
  }
  rtg_replay_free(r);
  free(r);
}

void rtg_interop_evaluate(const struct rtg_interop_opts *o, int off, int ans,
                          const struct rtg_interop_case *c, const char *dir,
                          struct rtg_interop_result *res) {
  char text[512];
  if (read_text(dir, "error.txt", text, sizeof text)) add_reason(res, "%s", text);
  if (read_text(dir, "unsupported", text, sizeof text)) {
    res->verdict = RTG_V_UNSUPPORTED;
    snprintf(res->reason, sizeof res->reason, "%.100s does not support %s (exit 127)", text,
             c->name);
    return;
  }
  check_role(res, dir, RTG_ROLE_OFFER, c, &o->parts[off], &o->parts[ans]);
  check_role(res, dir, RTG_ROLE_ANSWER, c, &o->parts[ans], &o->parts[off]);
  run_replay(res, dir, c);
  if (res->reason[0] == '\0') res->verdict = RTG_V_PASS;
}
