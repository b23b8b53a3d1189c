/*
 * html.c - `rtcgate replay --html DIR`: a self-contained report (inline SVG,
 * no scripts, no network): a ladder diagram of each session's notable
 * events between the endpoints in time order (ICE checks, DTLS flights,
 * first media, findings in red), per-stream plots of packets, bitrate, loss
 * and jitter over time, and the findings table linked from the ladder.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/replay.h"

void rtg_replay_event(struct rtg_replay *r, int flow, int dir, bool finding, const char *fmt, ...) {
  struct rtg_event *e;
  va_list ap;
  if (r->nevents >= RTG_EVENTS_MAX) return;
  if (r->events == NULL) {
    r->events = calloc(RTG_EVENTS_MAX, sizeof *r->events);
    if (r->events == NULL) return;
  }
  e = &r->events[r->nevents++];
  e->ts = r->cur_ts - r->t0;
  e->packet = r->cur_pkt;
  e->flow = flow;
  e->dir = dir;
  e->finding = finding;
  va_start(ap, fmt);
  vsnprintf(e->label, sizeof e->label, fmt, ap);
  va_end(ap);
}

/* Endpoints of a session: the distinct addresses of its flows. */
#define MAX_EP 8
struct eps {
  struct rtg_net_addr a[MAX_EP];
  int n;
};

static int ep_index(struct eps *e, const struct rtg_net_addr *x) {
  for (int i = 0; i < e->n; i++)
    if (e->a[i].family == x->family && e->a[i].port == x->port &&
        memcmp(e->a[i].ip, x->ip, 16) == 0)
      return i;
  if (e->n >= MAX_EP) return -1;
  e->a[e->n] = *x;
  return e->n++;
}

static int finding_index(const struct rtg_replay *r, const struct rtg_event *ev) {
  for (size_t i = 0; i < r->nfindings; i++)
    if (r->findings[i].packet == ev->packet &&
        strcmp(rtg_rules[r->findings[i].rule].id, ev->label) == 0)
      return (int)i;
  return -1;
}

static void ladder(FILE *f, const struct rtg_replay *r, int session) {
  struct eps e = {.n = 0};
  int rows = 0, col_w = 230, row_h = 22, top = 50;
  for (size_t i = 0; i < r->nevents; i++) {
    const struct rtg_flow *fl = &r->flows[r->events[i].flow];
    if (fl->session != session) continue;
    if (ep_index(&e, &fl->a) < 0 || ep_index(&e, &fl->b) < 0) continue;
    rows++;
  }
  if (rows == 0) {
    fprintf(f, "<p>No events recorded for this session.</p>\n");
    return;
  }
  fprintf(
      f, "<svg class=\"ladder\" width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
      80 + e.n * col_w, top + rows * row_h + 20);
  fprintf(f,
          "<defs><marker id=\"ah\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"3\" "
          "orient=\"auto\"><path d=\"M0,0 L7,3 L0,6 z\" fill=\"#333\"/></marker></defs>\n");
  for (int i = 0; i < e.n; i++) {
    char name[64];
    int x = 80 + i * col_w + col_w / 2;
    rtg_net_addr_format(&e.a[i], name, sizeof name);
    fprintf(f, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" class=\"ep\">%s</text>\n", x, name);
    fprintf(f, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", x, x,
            top + rows * row_h);
  }
  rows = 0;
  for (size_t i = 0; i < r->nevents; i++) {
    const struct rtg_event *ev = &r->events[i];
    const struct rtg_flow *fl = &r->flows[ev->flow];
    int ia, ib, x1, x2, y, fi;
    if (fl->session != session) continue;
    ia = ep_index(&e, ev->dir == 0 ? &fl->a : &fl->b);
    ib = ep_index(&e, ev->dir == 0 ? &fl->b : &fl->a);
    if (ia < 0 || ib < 0) continue;
    x1 = 80 + ia * col_w + col_w / 2;
    x2 = 80 + ib * col_w + col_w / 2;
    y = top + rows * row_h;
    rows++;
    fprintf(f, "<text x=\"4\" y=\"%d\" class=\"t\">%.3fs #%llu</text>\n", y + 4, ev->ts,
            (unsigned long long)ev->packet);
    if (ev->finding) {
      fi = finding_index(r, ev);
      fprintf(f,
              "<a href=\"#f%d\"><circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"#c00\"/>"
              "<text x=\"%d\" y=\"%d\" class=\"fd\">",
              fi, x1, y, x1 + 8, y + 4);
      rtg_replay_xml_escape(f, ev->label);
      fprintf(f, "</text></a>\n");
      continue;
    }
    if (x1 == x2) x2 = x1 + 40;
    fprintf(f,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" "
            "marker-end=\"url(#ah)\"/>\n",
            x1, y, x2 + (x2 > x1 ? -4 : 4), y);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"ev\">", (x1 + x2) / 2,
            y - 3);
    rtg_replay_xml_escape(f, ev->label);
    fprintf(f, "</text>\n");
  }
  fprintf(f, "</svg>\n");
}

enum metric { M_PACKETS, M_KBITS, M_LOST, M_JITTER };

static double metric(const struct rtg_series_bin *b, enum metric m) {
  switch (m) {
    case M_PACKETS: return b->packets;
    case M_KBITS: return b->bytes * 8.0 / 1000.0;
    case M_LOST: return b->lost;
    case M_JITTER: return b->jitter;
    default: return 0;
  }
}

static void plot(FILE *f, const struct rtg_ssrc_stats *s, enum metric m, const char *title) {
  int w = 300, h = 90;
  double max = 0;
  for (uint32_t i = 0; i < s->nbins; i++)
    if (metric(&s->bins[i], m) > max) max = metric(&s->bins[i], m);
  fprintf(f, "<figure><svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w,
          h + 14);
  fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f7f7f7\"/>", w, h);
  fprintf(f, "<polyline fill=\"none\" stroke=\"#2060c0\" stroke-width=\"1.5\" points=\"");
  for (uint32_t i = 0; i < s->nbins; i++) {
    double x = s->nbins > 1 ? (double)i * (w - 4) / (s->nbins - 1) + 2 : 2;
    double y = max > 0 ? h - 2 - metric(&s->bins[i], m) * (h - 8) / max : h - 2;
    fprintf(f, "%.1f,%.1f ", x, y);
  }
  fprintf(f,
          "\"/><text x=\"4\" y=\"%d\" class=\"t\">max %.1f, %u s</text></svg>"
          "<figcaption>%s</figcaption></figure>\n",
          h + 12, max, s->nbins, title);
}

static const char *sev(enum rtg_sev s) {
  return s == RTG_SEV_ERROR ? "error" : s == RTG_SEV_WARNING ? "warning" : "info";
}

int rtg_replay_write_html(const struct rtg_replay *r, const char *dir, char *err, size_t errcap) {
  char path[1024];
  FILE *f;
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errcap, "cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  snprintf(path, sizeof path, "%s/index.html", dir);
  f = fopen(path, "w");
  if (f == NULL) {
    snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  fprintf(f,
          "<!doctype html><html><head><meta charset=\"utf-8\"><title>rtcgate replay</title>"
          "<style>body{font:14px sans-serif;margin:20px}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:3px 6px}.error{color:#b00}.warning{color:#a60}"
          ".info{color:#555}.ep{font:bold 12px monospace}.ev{font:11px monospace}"
          ".fd{font:11px monospace;fill:#c00}.t{font:10px monospace;fill:#666}"
          "figure{display:inline-block;margin:4px}figcaption{font-size:12px}</style>"
          "</head><body>\n<h1>rtcgate replay report</h1>\n<ul>\n");
  for (int c = 0; c < r->ncaps; c++) {
    fprintf(f, "<li>");
    rtg_replay_xml_escape(f, r->caps[c].path);
    fprintf(f, ": %llu frames%s</li>\n", (unsigned long long)r->caps[c].frames,
            r->caps[c].truncated ? " <b class=\"error\">(truncated)</b>" : "");
  }
  fprintf(f,
          "</ul>\n<p>%llu packets: STUN %llu, DTLS %llu, SRTP %llu, SRTCP %llu, TURN "
          "ChannelData %llu; %zu findings.</p>\n",
          (unsigned long long)r->packets, (unsigned long long)r->stun, (unsigned long long)r->dtls,
          (unsigned long long)r->srtp, (unsigned long long)r->srtcp, (unsigned long long)r->turn,
          r->nfindings);
  for (int s = -1; s < r->nsessions; s++) {
    bool any = false;
    for (int i = 0; i < r->nflows; i++)
      if (r->flows[i].session == s && r->flows[i].packets) any = true;
    if (!any) continue;
    if (s >= 0) {
      fprintf(f, "<h2>Session %d: ICE ufrags ", s);
      rtg_replay_xml_escape(f, r->sessions[s].ufrag[0]);
      fprintf(f, " / ");
      rtg_replay_xml_escape(f, r->sessions[s].ufrag[1]);
      fprintf(f, "</h2>\n");
    } else {
      fprintf(f, "<h2>Flows outside any ICE session</h2>\n");
    }
    ladder(f, r, s);
    for (int k = 0; k < r->nssrcs; k++) {
      const struct rtg_ssrc_stats *st = &r->ssrcs[k];
      if (r->flows[st->flow].session != s || st->nbins == 0) continue;
      fprintf(f, "<h3>SSRC %08x (payload type %u, direction %d): %llu packets, %d lost</h3>\n",
              st->ssrc, st->pt, st->dir, (unsigned long long)st->packets,
              rtg_rtp_source_lost(&st->src));
      plot(f, st, M_PACKETS, "packets per second");
      plot(f, st, M_KBITS, "kbit/s (SRTP bytes)");
      plot(f, st, M_LOST, "lost per second");
      plot(f, st, M_JITTER, "jitter (timestamp units)");
    }
  }
  fprintf(f,
          "<h2>Findings</h2>\n<table><tr><th>#</th><th>severity</th><th>rule</th><th>RFC</th>"
          "<th>packet</th><th>message</th></tr>\n");
  for (size_t i = 0; i < r->nfindings; i++) {
    const struct rtg_finding *fd = &r->findings[i];
    fprintf(f, "<tr id=\"f%zu\" class=\"%s\"><td>%zu</td><td>%s</td><td>%s</td><td>", i,
            sev(r->opts.sev[fd->rule]), i, sev(r->opts.sev[fd->rule]), rtg_rules[fd->rule].id);
    rtg_replay_xml_escape(f, rtg_rules[fd->rule].rfc);
    fprintf(f, "</td><td>%llu</td><td>", (unsigned long long)fd->packet);
    rtg_replay_xml_escape(f, fd->message);
    fprintf(f, "</td></tr>\n");
  }
  fprintf(f, "</table>\n</body></html>\n");
  if (fclose(f) != 0) {
    snprintf(err, errcap, "cannot write %s", path);
    return -1;
  }
  return 0;
}
