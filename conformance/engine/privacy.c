/*
 * privacy.c - IP address exposure (RFC 8828, issue 11): the rule
 * ice.private-address-exposed.
 *
 * RFC 8828 §5.2 lets a browser expose only what its mode allows; host
 * candidates reveal the interface addresses behind any VPN or NAT, which is
 * why browsers put mDNS names (RFC 8839 §5.1, "<uuid>.local") in host
 * candidates. The rule flags, in the SDPs given with --sdp, every host
 * candidate whose address is private (RFC 1918), an IPv6 unique local
 * (RFC 4193) or link-local address, or any global IPv6 address (a real
 * address of the machine: IPv6 has no NAT to hide it). mDNS names are not
 * flagged. When relay-only was expected (--relay-only, or an SDP whose
 * every candidate is a relay one: iceTransportPolicy "relay"), the same
 * addresses in STUN XOR-MAPPED-ADDRESS (Binding / Allocate responses) and
 * TURN XOR-PEER-ADDRESS (CreatePermission, ChannelBind, Send and Data)
 * are leaks too: a relay-only endpoint must reveal nothing but relays.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "engine/replay.h"

const char *rtg_replay_exposure(const struct rtg_net_addr *a) {
  const uint8_t *ip = a->ip;
  if (a->family == 4) {
    if (ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xf0) == 16) || (ip[0] == 192 && ip[1] == 168))
      return "private address (RFC 1918)";
    return NULL;
  }
  if (a->family != 6) return NULL;
  if ((ip[0] & 0xfe) == 0xfc) return "unique local IPv6 address (RFC 4193)";
  if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) return "link-local IPv6 address (RFC 4291 §2.5.6)";
  if ((ip[0] & 0xe0) == 0x20) return "real (global) IPv6 address";
  return NULL;
}

/* Reports |a| once per replay (same address and port). */
static bool first_time(struct rtg_replay *r, const struct rtg_net_addr *a) {
  for (int i = 0; i < r->nexposed; i++)
    if (r->exposed[i].family == a->family && r->exposed[i].port == a->port &&
        memcmp(r->exposed[i].ip, a->ip, 16) == 0)
      return false;
  if (r->nexposed < (int)(sizeof r->exposed / sizeof r->exposed[0])) r->exposed[r->nexposed++] = *a;
  return true;
}

void rtg_replay_sdp_findings(struct rtg_replay *r) {
  r->relay_only = r->opts.relay_only;
  for (int i = 0; i < r->nsdp; i++) {
    const struct rtg_replay_sdp *si = &r->sdp[i];
    if (si->bundle && si->extmap_conflict[0])
      rtg_finding(r, R_SDP_EXTMAP_CONFLICT, -1, "%s: %s", si->path, si->extmap_conflict);
    if (si->n_candidates > 0 && si->n_candidates == si->n_relay) r->relay_only = true;
    for (size_t k = 0; k < si->ncands; k++) {
      const struct rtg_replay_cand *c = &si->cands[k];
      const char *what = rtg_replay_exposure(&c->net);
      bool dup = false;
      if (what == NULL) continue;
      /* one finding per address and SDP (its UDP and TCP candidates share it) */
      for (size_t j = 0; j < k && !dup; j++)
        dup = si->cands[j].net.family == c->net.family &&
              memcmp(si->cands[j].net.ip, c->net.ip, 16) == 0;
      if (dup) continue;
      rtg_finding(r, R_PRIVATE_EXPOSED, -1,
                  "%s line %u: host candidate exposes %s, a %s (an mDNS .local name would hide it)",
                  si->path, c->lineno, c->addr, what);
    }
  }
}

static void check_addr(struct rtg_replay *r, int f, const struct rtg_stun_msg *m, uint16_t type,
                       const char *name) {
  struct rtg_stun_attr at;
  struct rtg_stun_addr sa;
  struct rtg_net_addr na;
  const char *what;
  char text[64];
  if (rtg_stun_msg_find(m, type, &at) || rtg_stun_attr_addr(m, &at, &sa, NULL)) return;
  memset(&na, 0, sizeof na);
  na.family = sa.family == 1 ? 4 : 6;
  memcpy(na.ip, sa.addr, 16);
  na.port = sa.port;
  what = rtg_replay_exposure(&na);
  if (what == NULL || !first_time(r, &na)) return;
  {
    char ip[INET6_ADDRSTRLEN];
    if (inet_ntop(na.family == 4 ? AF_INET : AF_INET6, na.ip, ip, sizeof ip) == NULL) return;
    snprintf(text, sizeof text, na.family == 4 ? "%s:%u" : "[%s]:%u", ip, na.port);
  }
  rtg_finding(r, R_PRIVATE_EXPOSED, r->flows[f].session,
              "relay-only was expected, but the %s of a %s %s carries %s, a %s", name,
              rtg_stun_method_name(m->method), rtg_stun_class_name(m->cls), text, what);
}

void rtg_check_exposed(struct rtg_replay *r, int f, const struct rtg_stun_msg *m) {
  if (!r->relay_only) return;
  check_addr(r, f, m, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS");
  check_addr(r, f, m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, "XOR-PEER-ADDRESS");
}
