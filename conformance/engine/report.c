/*
 * report.c - what `rtcgate replay` tells people and CI: a readable summary
 * (sessions -> flows -> streams, then findings), the JSON document and
 * JUnit XML (one testcase per rule per session).
 */
#include <stdio.h>
#include <string.h>

#include "engine/replay.h"
#include "rtg/dtls.h"

static const char *sev_str(enum rtg_sev s) {
  return s == RTG_SEV_ERROR ? "error" : s == RTG_SEV_WARNING ? "warning" : "info";
}

static const char *version_str(uint16_t v) {
  switch (v) {
    case 0xfeff: return "DTLS 1.0";
    case 0xfefd: return "DTLS 1.2";
    case 0xfefc: return "DTLS 1.3";
    case 0: return "-";
    default: return "unknown";
  }
}

bool rtg_replay_has_errors(const struct rtg_replay *r) {
  for (int i = 0; i < R_COUNT; i++)
    if (r->per_rule[i] && r->opts.sev[i] == RTG_SEV_ERROR) return true;
  return false;
}

static void flow_name(const struct rtg_flow *f, char *buf, size_t cap) {
  char a[64], b[64];
  rtg_net_addr_format(&f->a, a, sizeof a);
  rtg_net_addr_format(&f->b, b, sizeof b);
  snprintf(buf, cap, "%s %s <-> %s%s", f->proto == RTG_NET_PROTO_TCP ? "tcp" : "udp", a, b,
           f->parent >= 0 ? " (inside TURN)" : "");
}

static bool flow_is_webrtc(const struct rtg_flow *f) {
  return f->n_stun || f->n_dtls || f->n_rtp || f->n_rtcp || f->n_turn;
}

void rtg_replay_print_summary(const struct rtg_replay *r, FILE *out) {
  uint64_t counts[3] = {0, 0, 0};
  for (int c = 0; c < r->ncaps; c++)
    fprintf(out, "capture %s: %llu frames%s\n", r->caps[c].path,
            (unsigned long long)r->caps[c].frames, r->caps[c].truncated ? " (TRUNCATED)" : "");
  fprintf(out,
          "packets %llu: udp %llu, tcp %llu, other %llu | stun %llu, dtls %llu (%llu records),"
          " srtp %llu, srtcp %llu, turn-channel %llu\n",
          (unsigned long long)r->packets, (unsigned long long)r->udp, (unsigned long long)r->tcp,
          (unsigned long long)(r->other_ip + r->non_ip), (unsigned long long)r->stun,
          (unsigned long long)r->dtls, (unsigned long long)r->dtls_records,
          (unsigned long long)r->srtp, (unsigned long long)r->srtcp, (unsigned long long)r->turn);
  if (r->keys_used || r->dtls_decrypted)
    fprintf(out,
            "decrypted with the key log: %llu DTLS records, SRTP %llu/%llu and SRTCP %llu/%llu "
            "authenticated, %llu SCTP packets, %llu data-channel messages on %d channel(s)\n",
            (unsigned long long)r->dtls_decrypted, (unsigned long long)r->srtp_auth,
            (unsigned long long)r->srtp, (unsigned long long)r->srtcp_auth,
            (unsigned long long)r->srtcp, (unsigned long long)r->sctp_packets,
            (unsigned long long)r->dc_messages, r->nchannels);
  for (int i = 0; i < r->nchannels; i++) {
    const struct rtg_channel *ch = &r->channels[i];
    fprintf(out, "  channel '%s' (%s) stream %u: %llu + %llu messages, %llu bytes%s\n", ch->label,
            ch->protocol[0] ? ch->protocol : "no protocol", ch->sid,
            (unsigned long long)ch->messages[0], (unsigned long long)ch->messages[1],
            (unsigned long long)(ch->bytes[0] + ch->bytes[1]),
            ch->reset[0] && ch->reset[1] ? ", closed" : "");
  }
  for (int s = -1; s < r->nsessions; s++) {
    bool any = false;
    for (int i = 0; i < r->nflows; i++) {
      const struct rtg_flow *f = &r->flows[i];
      char name[200];
      if (f->session != s || !flow_is_webrtc(f)) continue;
      if (!any) {
        if (s >= 0)
          fprintf(out, "session %d: ICE ufrags %s / %s\n", s, r->sessions[s].ufrag[0],
                  r->sessions[s].ufrag[1]);
        else
          fprintf(out, "flows outside any ICE session:\n");
        any = true;
      }
      flow_name(f, name, sizeof name);
      fprintf(out, "  flow %s: %llu packets, stun %llu, dtls %llu, srtp %llu, srtcp %llu; %s, %s\n",
              name, (unsigned long long)f->packets, (unsigned long long)f->n_stun,
              (unsigned long long)f->n_dtls, (unsigned long long)f->n_rtp,
              (unsigned long long)f->n_rtcp, version_str(f->dtls_version),
              f->srtp_profile ? rtg_dtls_srtp_profile_name(f->srtp_profile) : "SRTP profile n/a");
      for (int k = 0; k < r->nssrcs; k++) {
        const struct rtg_ssrc_stats *st = &r->ssrcs[k];
        if (st->flow != i) continue;
        fprintf(out,
                "    ssrc %08x dir %d pt %u: %llu packets, lost %d, duplicates %llu, "
                "bad-seq %llu\n",
                st->ssrc, st->dir, st->pt, (unsigned long long)st->packets,
                rtg_rtp_source_lost(&st->src), (unsigned long long)st->duplicates,
                (unsigned long long)st->bad_seq);
      }
    }
  }
  for (size_t i = 0; i < r->nfindings; i++) {
    const struct rtg_finding *f = &r->findings[i];
    counts[r->opts.sev[f->rule]]++;
    fprintf(out, "%s %s [%s] %s#%llu: %s\n", sev_str(r->opts.sev[f->rule]), rtg_rules[f->rule].id,
            rtg_rules[f->rule].rfc, r->ncaps > 1 ? r->caps[f->capture].path : "packet ",
            (unsigned long long)f->packet, f->message);
  }
  for (int i = 0; i < R_COUNT; i++)
    if (r->suppressed[i])
      fprintf(out, "%s %s: %llu more not shown\n", sev_str(r->opts.sev[i]), rtg_rules[i].id,
              (unsigned long long)r->suppressed[i]);
  fprintf(out, "findings: %llu errors, %llu warnings, %llu info\n",
          (unsigned long long)counts[RTG_SEV_ERROR], (unsigned long long)counts[RTG_SEV_WARNING],
          (unsigned long long)counts[RTG_SEV_INFO]);
}

static json_t *flow_json(const struct rtg_replay *r, int i) {
  const struct rtg_flow *f = &r->flows[i];
  char a[64], b[64];
  json_t *o = json_object(), *streams = json_array();
  rtg_net_addr_format(&f->a, a, sizeof a);
  rtg_net_addr_format(&f->b, b, sizeof b);
  json_object_set_new(o, "transport", json_string(f->proto == RTG_NET_PROTO_TCP ? "tcp" : "udp"));
  json_object_set_new(o, "a", json_string(a));
  json_object_set_new(o, "b", json_string(b));
  json_object_set_new(o, "via_turn", json_boolean(f->parent >= 0));
  json_object_set_new(o, "packets", json_integer((json_int_t)f->packets));
  json_object_set_new(o, "stun", json_integer((json_int_t)f->n_stun));
  json_object_set_new(o, "dtls", json_integer((json_int_t)f->n_dtls));
  json_object_set_new(o, "srtp", json_integer((json_int_t)f->n_rtp));
  json_object_set_new(o, "srtcp", json_integer((json_int_t)f->n_rtcp));
  json_object_set_new(o, "dtls_version",
                      f->dtls_version ? json_string(version_str(f->dtls_version)) : json_null());
  json_object_set_new(
      o, "srtp_profile",
      f->srtp_profile ? json_string(rtg_dtls_srtp_profile_name(f->srtp_profile)) : json_null());
  for (int k = 0; k < r->nssrcs; k++) {
    const struct rtg_ssrc_stats *st = &r->ssrcs[k];
    json_t *s;
    if (st->flow != i) continue;
    s = json_object();
    json_object_set_new(s, "ssrc", json_integer(st->ssrc));
    json_object_set_new(s, "direction", json_integer(st->dir));
    json_object_set_new(s, "payload_type", json_integer(st->pt));
    json_object_set_new(s, "mid", st->mid[0] ? json_string(st->mid) : json_null());
    json_object_set_new(s, "packets", json_integer((json_int_t)st->packets));
    json_object_set_new(s, "bytes", json_integer((json_int_t)st->bytes));
    json_object_set_new(s, "lost", json_integer(rtg_rtp_source_lost(&st->src)));
    json_object_set_new(s, "duplicates", json_integer((json_int_t)st->duplicates));
    json_object_set_new(s, "bad_sequence", json_integer((json_int_t)st->bad_seq));
    json_object_set_new(s, "timestamp_backwards", json_integer((json_int_t)st->ts_backwards));
    json_object_set_new(s, "jitter", json_integer(rtg_rtp_source_jitter(&st->src)));
    json_object_set_new(s, "authenticated",
                        r->keys_used ? json_integer((json_int_t)st->authenticated) : json_null());
    json_array_append_new(streams, s);
  }
  json_object_set_new(o, "streams", streams);
  return o;
}

json_t *rtg_replay_json(const struct rtg_replay *r) {
  json_t *doc = json_object(), *caps = json_array(), *sum = json_object(), *sessions = json_array();
  json_t *findings = json_array(), *srtp = json_object(), *srtcp = json_object();
  json_t *dc = json_object();
  for (int c = 0; c < r->ncaps; c++) {
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(r->caps[c].path));
    json_object_set_new(o, "linktype", json_integer(r->caps[c].linktype));
    json_object_set_new(o, "frames", json_integer((json_int_t)r->caps[c].frames));
    json_object_set_new(o, "truncated", json_boolean(r->caps[c].truncated));
    json_array_append_new(caps, o);
  }
  json_object_set_new(sum, "packets", json_integer((json_int_t)r->packets));
  json_object_set_new(sum, "stun", json_integer((json_int_t)r->stun));
  json_object_set_new(sum, "dtls", json_integer((json_int_t)r->dtls));
  /* SRTP authentication needs keys from the DTLS key log (not decrypted
   * yet): null says "not checked", never a false zero. */
  json_object_set_new(srtp, "packets", json_integer((json_int_t)r->srtp));
  json_object_set_new(srtp, "authenticated",
                      r->keys_used ? json_integer((json_int_t)r->srtp_auth) : json_null());
  json_object_set_new(srtcp, "packets", json_integer((json_int_t)r->srtcp));
  json_object_set_new(srtcp, "authenticated",
                      r->keys_used ? json_integer((json_int_t)r->srtcp_auth) : json_null());
  json_object_set_new(sum, "srtp", srtp);
  json_object_set_new(sum, "srtcp", srtcp);
  json_object_set_new(sum, "ssrcs", json_integer(r->nssrcs));
  {
    json_t *chans = json_array();
    for (int i = 0; i < r->nchannels; i++) {
      const struct rtg_channel *ch = &r->channels[i];
      json_t *o = json_object();
      json_object_set_new(o, "label", json_string(ch->label));
      json_object_set_new(o, "protocol", json_string(ch->protocol));
      json_object_set_new(o, "stream", json_integer(ch->sid));
      json_object_set_new(o, "negotiated", json_boolean(ch->opener_dir < 0));
      json_object_set_new(o, "acked", json_boolean(ch->acked));
      json_object_set_new(o, "closed", json_boolean(ch->reset[0] && ch->reset[1]));
      json_object_set_new(o, "messages",
                          json_integer((json_int_t)(ch->messages[0] + ch->messages[1])));
      json_object_set_new(o, "bytes", json_integer((json_int_t)(ch->bytes[0] + ch->bytes[1])));
      json_object_set_new(
          o, "messages_by_direction",
          json_pack("[II]", (json_int_t)ch->messages[0], (json_int_t)ch->messages[1]));
      json_array_append_new(chans, o);
    }
    json_object_set_new(dc, "channels", chans);
  }
  json_object_set_new(dc, "messages",
                      r->dtls_decrypted ? json_integer((json_int_t)r->dc_messages) : json_null());
  json_object_set_new(dc, "sctp_packets", json_integer((json_int_t)r->sctp_packets));
  json_object_set_new(sum, "dtls_decrypted", json_integer((json_int_t)r->dtls_decrypted));
  json_object_set_new(sum, "datachannel", dc);
  json_object_set_new(sum, "turn_channel", json_integer((json_int_t)r->turn));
  json_object_set_new(sum, "keylog",
                      json_pack("{sI sI sI}", "entries", (json_int_t)r->kl->n, "matched",
                                (json_int_t)rtg_replay_keylog_matches(r), "from_capture_blocks",
                                (json_int_t)r->keylog_from_capture));
  for (int s = -1; s < r->nsessions; s++) {
    json_t *o = json_object(), *flows = json_array();
    for (int i = 0; i < r->nflows; i++)
      if (r->flows[i].session == s && flow_is_webrtc(&r->flows[i]))
        json_array_append_new(flows, flow_json(r, i));
    if (s < 0 && json_array_size(flows) == 0) {
      json_decref(flows);
      json_decref(o);
      continue;
    }
    json_object_set_new(
        o, "ice_ufrags",
        s >= 0 ? json_pack("[ss]", r->sessions[s].ufrag[0], r->sessions[s].ufrag[1]) : json_null());
    json_object_set_new(o, "flows", flows);
    json_array_append_new(sessions, o);
  }
  for (size_t i = 0; i < r->nfindings; i++) {
    const struct rtg_finding *f = &r->findings[i];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(rtg_rules[f->rule].id));
    json_object_set_new(o, "severity", json_string(sev_str(r->opts.sev[f->rule])));
    json_object_set_new(o, "rfc", json_string(rtg_rules[f->rule].rfc));
    json_object_set_new(o, "capture", json_string(r->caps[f->capture].path));
    json_object_set_new(o, "packet", json_integer((json_int_t)f->packet));
    json_object_set_new(o, "session", f->session >= 0 ? json_integer(f->session) : json_null());
    json_object_set_new(o, "message", json_string(f->message));
    json_array_append_new(findings, o);
  }
  json_object_set_new(doc, "captures", caps);
  json_object_set_new(doc, "summary", sum);
  json_object_set_new(doc, "sessions", sessions);
  json_object_set_new(doc, "findings", findings);
  return doc;
}

void rtg_replay_xml_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      case '\'': fputs("&apos;", f); break;
      default:
        if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t') fputc(*s, f);
        break;
    }
  }
}

/* JUnit XML: a testsuite per session ("capture" for findings outside one),
 * a testcase per enabled rule; a rule with error findings fails, warnings
 * and info go to system-out. */
int rtg_replay_write_junit(const struct rtg_replay *r, const char *path) {
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rtcgate replay\">\n");
  for (int s = -1; s < r->nsessions; s++) {
    int tests = 0, failures = 0;
    for (int i = 0; i < R_COUNT; i++) {
      if (!r->opts.rule_enabled[i]) continue;
      tests++;
      for (size_t k = 0; k < r->nfindings; k++)
        if (r->findings[k].rule == (enum rtg_rule_idx)i && r->findings[k].session == s &&
            r->opts.sev[i] == RTG_SEV_ERROR) {
          failures++;
          break;
        }
    }
    if (s >= 0)
      fprintf(f, "  <testsuite name=\"session %d (%s/%s)\" tests=\"%d\" failures=\"%d\">\n", s,
              r->sessions[s].ufrag[0], r->sessions[s].ufrag[1], tests, failures);
    else
      fprintf(f, "  <testsuite name=\"capture\" tests=\"%d\" failures=\"%d\">\n", tests, failures);
    for (int i = 0; i < R_COUNT; i++) {
      bool failed = false, opened = false;
      if (!r->opts.rule_enabled[i]) continue;
      fprintf(f, "    <testcase classname=\"%s\" name=\"%s\">\n", rtg_rules[i].rfc,
              rtg_rules[i].id);
      for (size_t k = 0; k < r->nfindings; k++) {
        const struct rtg_finding *fd = &r->findings[k];
        if (fd->rule != (enum rtg_rule_idx)i || fd->session != s) continue;
        if (r->opts.sev[i] == RTG_SEV_ERROR && !failed) {
          fprintf(f, "      <failure message=\"");
          rtg_replay_xml_escape(f, fd->message);
          fprintf(f, "\" type=\"%s\">packet %llu</failure>\n", rtg_rules[i].id,
                  (unsigned long long)fd->packet);
          failed = true;
        }
        if (!opened) {
          fprintf(f, "      <system-out>");
          opened = true;
        }
        fprintf(f, "packet %llu: ", (unsigned long long)fd->packet);
        rtg_replay_xml_escape(f, fd->message);
        fputc('\n', f);
      }
      if (opened) fprintf(f, "</system-out>\n");
      fprintf(f, "    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  return fclose(f) == 0 ? 0 : -1;
}
