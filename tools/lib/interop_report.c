/*
 * interop_report.c - the results of `rtcgate interop`: console matrix,
 * JSON (jansson), JUnit XML and a static HTML report.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/interop.h"

static const char *cell(enum rtg_interop_verdict v) {
  switch (v) {
    case RTG_V_PASS: return "ok";
    case RTG_V_FAIL: return "FAIL";
    case RTG_V_UNSUPPORTED: return "-";
    case RTG_V_FLAKY: return "flaky";
    default: return "?";
  }
}

static const struct rtg_interop_result *find(const struct rtg_interop_result *rs, int n, int off,
                                             int ans, const struct rtg_interop_case *c) {
  for (int i = 0; i < n; i++)
    if (rs[i].offerer == off && rs[i].answerer == ans && rs[i].c == c) return &rs[i];
  return NULL;
}

void rtg_interop_print_matrix(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                              int n, FILE *out) {
  int w = 20;
  fprintf(out, "\n%-*s", w, "offerer -> answerer");
  for (int k = 0; k < o->ncases; k++) fprintf(out, " %5s", o->cases[k]->abbr);
  fputc('\n', out);
  for (int pi = 0; pi < o->npairs; pi++) {
    char pair[160];
    int off = o->pairs[pi][0], ans = o->pairs[pi][1];
    snprintf(pair, sizeof pair, "%s -> %s", o->parts[off].name, o->parts[ans].name);
    fprintf(out, "%-*s", w, pair);
    for (int k = 0; k < o->ncases; k++) {
      const struct rtg_interop_result *r = find(rs, n, off, ans, o->cases[k]);
      fprintf(out, " %5s", r ? cell(r->verdict) : "");
    }
    fputc('\n', out);
  }
  fprintf(out, "\ncases:");
  for (int k = 0; k < o->ncases; k++)
    fprintf(out, "%s %s=%s", k ? "," : "", o->cases[k]->abbr, o->cases[k]->name);
  fprintf(out, "\n");
  for (int i = 0; i < n; i++)
    if (rs[i].verdict != RTG_V_PASS)
      fprintf(out, "%s %s -> %s %s: %s\n", rtg_interop_verdict_name(rs[i].verdict),
              o->parts[rs[i].offerer].name, o->parts[rs[i].answerer].name, rs[i].c->name,
              rs[i].reason);
}

json_t *rtg_interop_json(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                         int n, double total_s) {
  json_t *doc = json_object(), *parts = json_array(), *cases = json_array(),
         *results = json_array();
  for (int i = 0; i < o->nparts; i++) {
    const struct rtg_interop_participant *p = &o->parts[i];
    json_t *jp = json_pack("{s:s, s:s}", "name", p->name, "kind",
                           p->kind == RTG_PART_CHROMIUM  ? "browser"
                           : p->kind == RTG_PART_FIREFOX ? "browser"
                                                         : "external");
    if (p->kind == RTG_PART_EXTERNAL && p->contract[0])
      json_object_set_new(jp, "contract", json_string(p->contract));
    json_array_append_new(parts, jp);
  }
  for (int k = 0; k < o->ncases; k++)
    json_array_append_new(
        cases,
        json_pack("{s:s, s:s, s:s, s:i}", "name", o->cases[k]->name, "abbr", o->cases[k]->abbr,
                  "description", o->cases[k]->descr, "timeout_s", o->cases[k]->timeout_s));
  for (int i = 0; i < n; i++) {
    const struct rtg_interop_result *r = &rs[i];
    json_t *t = json_object();
    for (int k = 0; k < RTG_INTEROP_NTIMINGS; k++)
      json_object_set_new(t, rtg_interop_timing_names[k],
                          r->timings[k] >= 0 ? json_real(r->timings[k]) : json_null());
    json_array_append_new(
        results,
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:i, s:i, s:f, s:s, s:s}", "offerer",
                  o->parts[r->offerer].name, "answerer", o->parts[r->answerer].name, "case",
                  r->c->name, "result", rtg_interop_verdict_name(r->verdict), "timings_ms", t,
                  "findings", r->findings, "findings_all", r->findings_total, "attempts",
                  r->attempts, "duration_s", r->duration_s, "reason", r->reason, "dir", r->dir));
  }
  json_object_set_new(doc, "participants", parts);
  json_object_set_new(doc, "cases", cases);
  json_object_set_new(doc, "results", results);
  json_object_set_new(doc, "duration_s", json_real(total_s));
  return doc;
}

/* Escapes text for XML attributes and HTML; drops control characters. */
static void xml_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      default:
        if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t') fputc(*s, f);
        break;
    }
  }
}

int rtg_interop_write_junit(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                            int n, const char *path) {
  FILE *f = fopen(path, "w");
  int fails = 0, skipped = 0;
  if (f == NULL) return -1;
  for (int i = 0; i < n; i++) {
    fails += rs[i].verdict == RTG_V_FAIL || rs[i].verdict == RTG_V_FLAKY;
    skipped += rs[i].verdict == RTG_V_UNSUPPORTED;
  }
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites name=\"rtcgate interop\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n",
          n, fails, skipped);
  for (int pi = 0; pi < o->npairs; pi++) {
    int off = o->pairs[pi][0], ans = o->pairs[pi][1];
    fprintf(f, "  <testsuite name=\"");
    xml_escape(f, o->parts[off].name);
    fputs("-&gt;", f);
    xml_escape(f, o->parts[ans].name);
    fprintf(f, "\">\n");
    for (int i = 0; i < n; i++) {
      const struct rtg_interop_result *r = &rs[i];
      if (r->offerer != off || r->answerer != ans) continue;
      fprintf(f, "    <testcase classname=\"interop.");
      xml_escape(f, o->parts[off].name);
      fputc('.', f);
      xml_escape(f, o->parts[ans].name);
      fprintf(f, "\" name=\"%s\" time=\"%.3f\">", r->c->name, r->duration_s);
      if (r->verdict == RTG_V_FAIL || r->verdict == RTG_V_FLAKY) {
        fprintf(f, "<failure message=\"%s: ", r->verdict == RTG_V_FLAKY ? "flaky" : "failed");
        xml_escape(f, r->reason);
        fprintf(f, "\"/>");
      } else if (r->verdict == RTG_V_UNSUPPORTED) {
        fprintf(f, "<skipped message=\"");
        xml_escape(f, r->reason);
        fprintf(f, "\"/>");
      }
      fprintf(f, "</testcase>\n");
    }
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  return fclose(f) == 0 ? 0 : -1;
}

/* Path of |dir| relative to |base| when it lies below it, else |dir|. */
static const char *rel_to(const char *dir, const char *base) {
  size_t n = strlen(base);
  while (n > 0 && base[n - 1] == '/') n--;
  if (strncmp(dir, base, n) == 0 && dir[n] == '/') return dir + n + 1;
  return dir;
}

static void link_if(FILE *f, const char *href_dir, const char *dir, const char *name,
                    const char *label) {
  char path[1400];
  struct stat st;
  snprintf(path, sizeof path, "%.1200s/%.128s", dir, name);
  if (stat(path, &st) != 0 || st.st_size == 0) return;
  fputs(" <a href=\"", f);
  xml_escape(f, href_dir);
  fputc('/', f);
  xml_escape(f, name);
  fputs("\">", f);
  xml_escape(f, label);
  fputs("</a>", f);
}

int rtg_interop_write_html(const struct rtg_interop_opts *o, const struct rtg_interop_result *rs,
                           int n, const char *dir, const char *runs_root) {
  char path[1200], html_abs[1200], href[1200], lname[128];
  FILE *f;
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
  if (realpath(dir, html_abs) == NULL) snprintf(html_abs, sizeof html_abs, "%s", dir);
  (void)runs_root;
  snprintf(path, sizeof path, "%s/index.html", dir);
  f = fopen(path, "w");
  if (f == NULL) return -1;
  fputs(
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>rtcgate interop</title>\n"
      "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
      "td,th{border:1px solid #999;padding:4px 6px;vertical-align:top;font-size:13px}"
      ".pass{background:#c8f0c8}.fail{background:#f4c0c0}.flaky{background:#f8e8a0}"
      ".unsupported{background:#ddd}small{color:#333}</style></head><body>\n"
      "<h1>rtcgate interop</h1>\n<table><tr><th>offerer &rarr; answerer</th>",
      f);
  for (int k = 0; k < o->ncases; k++) {
    fputs("<th title=\"", f);
    xml_escape(f, o->cases[k]->descr);
    fputs("\">", f);
    xml_escape(f, o->cases[k]->name);
    fputs("</th>", f);
  }
  fputs("</tr>\n", f);
  for (int pi = 0; pi < o->npairs; pi++) {
    int off = o->pairs[pi][0], ans = o->pairs[pi][1];
    fputs("<tr><th>", f);
    xml_escape(f, o->parts[off].name);
    fputs(" &rarr; ", f);
    xml_escape(f, o->parts[ans].name);
    fputs("</th>", f);
    for (int k = 0; k < o->ncases; k++) {
      const struct rtg_interop_result *r = find(rs, n, off, ans, o->cases[k]);
      if (r == NULL) {
        fputs("<td></td>", f);
        continue;
      }
      /* links are relative to the report when the runs are below it */
      snprintf(href, sizeof href, "%s", rel_to(r->dir, html_abs));
      fprintf(f, "<td class=\"%s\" title=\"", rtg_interop_verdict_name(r->verdict));
      xml_escape(f, r->reason);
      fprintf(f, "\"><b>%s</b>", rtg_interop_verdict_name(r->verdict));
      if (r->timings[1] >= 0) fprintf(f, " <small>dtls %.0f ms</small>", r->timings[1]);
      if (r->findings) fprintf(f, " <small>%d findings</small>", r->findings);
      fputs("<br>", f);
      link_if(f, href, r->dir, "capture.pcap", "pcap");
      link_if(f, href, r->dir, "keylog.txt", "keylog");
      link_if(f, href, r->dir, "replay.txt", "replay");
      link_if(f, href, r->dir, "replay.json", "replay.json");
      link_if(f, href, r->dir, "offer.sdp", "offer.sdp");
      link_if(f, href, r->dir, "answer.sdp", "answer.sdp");
      link_if(f, href, r->dir, "offer.json", "offer.json");
      link_if(f, href, r->dir, "answer.json", "answer.json");
      link_if(f, href, r->dir, "signal.log", "signaling");
      snprintf(lname, sizeof lname, "offer-%s.log", o->parts[off].name);
      link_if(f, href, r->dir, lname, "offerer log");
      snprintf(lname, sizeof lname, "answer-%s.log", o->parts[ans].name);
      link_if(f, href, r->dir, lname, "answerer log");
      if (r->reason[0] && r->verdict != RTG_V_PASS) {
        fputs("<br><small>", f);
        xml_escape(f, r->reason);
        fputs("</small>", f);
      }
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n</body></html>\n", f);
  return fclose(f) == 0 ? 0 : -1;
}
