/*
 * flows.c - the bidirectional flow table and per-SSRC statistics. Memory is
 * bounded by RTG_REPLAY_MAX_FLOWS and RTG_REPLAY_MAX_SSRC, never by the
 * number of packets.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"
#include "rtg/dtls.h"

static bool addr_eq(const struct rtg_net_addr *a, const struct rtg_net_addr *b) {
  return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, 16) == 0;
}

int rtg_flow_lookup(struct rtg_replay *r, const struct rtg_net_addr *src,
                    const struct rtg_net_addr *dst, uint8_t proto, int parent, uint16_t channel,
                    int *dir) {
  struct rtg_flow *f;
  /* Linear search from the most recent flow: WebRTC captures hold a handful
   * of flows, and the last one used is almost always the one wanted. */
  for (int i = r->nflows - 1; i >= 0; i--) {
    f = &r->flows[i];
    if (f->proto != proto || f->parent != parent || f->channel != channel) continue;
    if (addr_eq(&f->a, src) && addr_eq(&f->b, dst)) {
      *dir = 0;
      return i;
    }
    if (addr_eq(&f->a, dst) && addr_eq(&f->b, src)) {
      *dir = 1;
      return i;
    }
  }
  if (r->nflows >= RTG_REPLAY_MAX_FLOWS) {
    r->flows_overflow = true;
    return -1;
  }
  f = &r->flows[r->nflows];
  memset(f, 0, sizeof *f);
  f->a = *src;
  f->b = *dst;
  f->proto = proto;
  f->parent = parent;
  f->channel = channel;
  f->session = -1;
  f->consent_ok[0] = f->consent_ok[1] = -1;
  f->client_dir = -1;
  f->dtls_owner = -1;
  f->first_pkt = r->cur_pkt;
  f->first_ts = r->cur_ts;
  *dir = 0;
  return r->nflows++;
}

struct rtg_ssrc_stats *rtg_ssrc_lookup(struct rtg_replay *r, uint32_t ssrc, int flow, int dir) {
  struct rtg_ssrc_stats *s;
  /* Streams interleave, so remember a few recent hits before scanning. */
  for (int k = 0; k < RTG_SSRC_CACHE; k++) {
    int i = r->ssrc_cache[k] - 1;
    if (i < 0) continue;
    s = &r->ssrcs[i];
    if (s->ssrc == ssrc && s->flow == flow && s->dir == dir) return s;
  }
  for (int i = r->nssrcs - 1; i >= 0; i--) {
    s = &r->ssrcs[i];
    if (s->ssrc == ssrc && s->flow == flow && s->dir == dir) {
      r->ssrc_cache[r->ssrc_cache_next++ % RTG_SSRC_CACHE] = i + 1;
      return s;
    }
  }
  if (r->nssrcs >= RTG_REPLAY_MAX_SSRC) return NULL;
  s = &r->ssrcs[r->nssrcs++];
  memset(s, 0, sizeof *s);
  s->ssrc = ssrc;
  s->flow = flow;
  s->dir = dir;
  s->first_pkt = r->cur_pkt;
  s->first_ts = r->cur_ts;
  r->ssrc_cache[r->ssrc_cache_next++ % RTG_SSRC_CACHE] = r->nssrcs;
  return s;
}

int rtg_replay_init(struct rtg_replay *r, const struct rtg_replay_opts *opts) {
  memset(r, 0, sizeof *r);
  rtg_ctx_default(&r->ctx);
  r->opts = *opts;
  r->flows = calloc(RTG_REPLAY_MAX_FLOWS, sizeof *r->flows);
  r->ssrcs = calloc(RTG_REPLAY_MAX_SSRC, sizeof *r->ssrcs);
  r->kl = calloc(1, sizeof *r->kl);
  r->scratch = malloc(RTG_SCRATCH);
  r->channels = calloc(RTG_MAX_CHANNELS, sizeof *r->channels);
  if (r->flows == NULL || r->ssrcs == NULL || r->kl == NULL || r->scratch == NULL ||
      r->channels == NULL)
    return RTG_ERR_NOMEM;
  return rtg_net_defrag_init(&r->defrag, &r->ctx, RTG_SEC(30));
}

void rtg_replay_free(struct rtg_replay *r) {
  for (int i = 0; i < r->nflows; i++) {
    free(r->flows[i].tcp[0]);
    free(r->flows[i].tcp[1]);
    rtg_decrypt_free_flow(&r->flows[i]);
    for (int d = 0; d < 2; d++) {
      if (r->flows[i].dtls_reasm[d] == NULL) continue;
      rtg_dtls_reasm_free(r->flows[i].dtls_reasm[d]);
      free(r->flows[i].dtls_reasm[d]);
    }
  }
  for (int i = 0; i < r->nsdp; i++)
    if (r->sdp[i].cred_ok) rtg_stun_cred_free(&r->sdp[i].cred);
  rtg_net_defrag_free(&r->defrag);
  free(r->flows);
  for (int i = 0; i < r->nssrcs; i++) free(r->ssrcs[i].bins);
  free(r->ssrcs);
  free(r->events);
  free(r->findings);
  free(r->kl);
  free(r->scratch);
  free(r->channels);
}
