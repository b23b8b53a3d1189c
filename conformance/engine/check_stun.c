/*
 * check_stun.c - STUN/ICE/TURN checks on every STUN message of a flow:
 * parse, FINGERPRINT, MESSAGE-INTEGRITY with the ICE password from the SDP
 * whose ufrag the USERNAME names, ICE check attributes (RFC 8445 §7.1),
 * nomination by the right role, session grouping by ufrag pair, private
 * addresses exposed in XOR-MAPPED-ADDRESS, and TURN Send/Data indications
 * unwrapped into inner flows.
 */
#include <stdio.h>
#include <string.h>

#include "engine/replay.h"

/* The SDP that declares |ufrag|, or NULL. */
static struct rtg_replay_sdp *sdp_for_ufrag(struct rtg_replay *r, const char *ufrag, size_t n) {
  for (int i = 0; i < r->nsdp; i++)
    if (strlen(r->sdp[i].ufrag) == n && memcmp(r->sdp[i].ufrag, ufrag, n) == 0) return &r->sdp[i];
  return NULL;
}

static bool is_private(const struct rtg_stun_addr *a) {
  if (a->family == 1) {
    const uint8_t *ip = a->addr;
    return ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xf0) == 16) ||
           (ip[0] == 192 && ip[1] == 168) || (ip[0] == 100 && (ip[1] & 0xc0) == 64);
  }
  return (a->addr[0] & 0xfe) == 0xfc; /* IPv6 ULA fc00::/7 */
}

static int session_for(struct rtg_replay *r, const char *u, size_t n) {
  const char *colon = memchr(u, ':', n);
  char a[64], b[64];
  size_t la, lb;
  if (colon == NULL) return -1;
  la = (size_t)(colon - u);
  lb = n - la - 1;
  if (la >= sizeof a || lb >= sizeof b) return -1;
  memcpy(a, u, la);
  a[la] = '\0';
  memcpy(b, colon + 1, lb);
  b[lb] = '\0';
  for (int i = 0; i < r->nsessions; i++) {
    struct rtg_session *s = &r->sessions[i];
    if ((strcmp(s->ufrag[0], a) == 0 && strcmp(s->ufrag[1], b) == 0) ||
        (strcmp(s->ufrag[0], b) == 0 && strcmp(s->ufrag[1], a) == 0))
      return i;
  }
  if (r->nsessions >= RTG_REPLAY_MAX_SESSIONS) return -1;
  snprintf(r->sessions[r->nsessions].ufrag[0], 64, "%s", a);
  snprintf(r->sessions[r->nsessions].ufrag[1], 64, "%s", b);
  return r->nsessions++;
}

static void check_ice_request(struct rtg_replay *r, int f, int dir, const struct rtg_stun_msg *m,
                              int *sdp_idx) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_stun_attr u, a;
  bool controlling = rtg_stun_msg_find(m, RTG_STUN_ATTR_ICE_CONTROLLING, &a) == 0;
  bool controlled = rtg_stun_msg_find(m, RTG_STUN_ATTR_ICE_CONTROLLED, &a) == 0;
  bool use_cand = rtg_stun_msg_find(m, RTG_STUN_ATTR_USE_CANDIDATE, &a) == 0;
  bool has_prio = rtg_stun_msg_find(m, RTG_STUN_ATTR_PRIORITY, &a) == 0;
  bool has_user = rtg_stun_msg_find(m, RTG_STUN_ATTR_USERNAME, &u) == 0;
  /* A Binding request is an ICE check when it carries any ICE attribute or
   * a USERNAME (a plain STUN server query carries none). */
  if (!(controlling || controlled || use_cand || has_prio || has_user)) return;
  if (has_user) {
    const char *colon = memchr(u.value, ':', u.len);
    int s = session_for(r, (const char *)u.value, u.len);
    if (s >= 0 && fl->session < 0) {
      fl->session = s;
      r->sessions[s].flows++;
    }
    if (colon && r->nsdp > 0) {
      struct rtg_replay_sdp *si =
          sdp_for_ufrag(r, (const char *)u.value, (size_t)(colon - (const char *)u.value));
      if (si == NULL)
        rtg_finding(r, R_ICE_UNKNOWN_UFRAG, fl->session,
                    "USERNAME '%.*s' names ufrag '%.*s', declared by none of the SDP files",
                    (int)u.len, (const char *)u.value, (int)(colon - (const char *)u.value),
                    (const char *)u.value);
      else
        *sdp_idx = (int)(si - r->sdp);
      /* USERNAME is "receiver:sender" (RFC 8445 §7.2.2): learn whose SDP
       * describes the sender of this direction (for the DTLS fingerprint). */
      if (colon) {
        size_t ls = u.len - (size_t)(colon - (const char *)u.value) - 1;
        struct rtg_replay_sdp *snd = sdp_for_ufrag(r, colon + 1, ls);
        if (snd) fl->sdp_of[dir] = (int)(snd - r->sdp) + 1;
      }
    }
  }
  if (!controlling && !controlled)
    rtg_finding(r, R_ICE_NO_ROLE, fl->session, "Binding request carries no ICE role attribute");
  if (!has_prio)
    rtg_finding(r, R_ICE_NO_PRIORITY, fl->session, "Binding request carries no PRIORITY");
  if (m->mi_off == 0 && m->mi256_off == 0)
    rtg_finding(r, R_STUN_NO_INTEGRITY, fl->session,
                "ICE connectivity check without MESSAGE-INTEGRITY");
  if (m->fp_off == 0)
    rtg_finding(r, R_ICE_NO_FINGERPRINT, fl->session, "ICE connectivity check without FINGERPRINT");
  if (use_cand && controlled)
    rtg_finding(r, R_ICE_USE_CANDIDATE_CONTROLLED, fl->session,
                "USE-CANDIDATE in a request that also says ICE-CONTROLLED");
  if (controlling) fl->ice_controlling_seen[dir] = true;
  if (controlled) fl->ice_controlled_seen[dir] = true;
  if ((controlling && fl->ice_controlling_seen[!dir]) ||
      (controlled && fl->ice_controlled_seen[!dir])) {
    static const char *names[2] = {"ICE-CONTROLLED", "ICE-CONTROLLING"};
    rtg_finding(r, R_ICE_ROLE_CONFLICT, fl->session, "both directions of the flow send %s",
                names[controlling]);
    fl->ice_controlling_seen[!dir] = fl->ice_controlled_seen[!dir] = false;
  }
}

static void check_integrity(struct rtg_replay *r, int f, const struct rtg_stun_msg *m, int sdp) {
  struct rtg_perr e;
  char msg[160];
  int rc;
  if (sdp < 0 || !r->sdp[sdp].cred_ok || (m->mi_off == 0 && m->mi256_off == 0)) return;
  rtg_perr_clear(&e);
  rc = rtg_stun_msg_check_integrity(m, &r->sdp[sdp].cred, &e);
  if (rc == RTG_ERR_AUTH) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_STUN_INTEGRITY, r->flows[f].session,
                "%s %s: integrity check with the ice-pwd of %s failed: %s",
                rtg_stun_method_name(m->method), rtg_stun_class_name(m->cls), r->sdp[sdp].path,
                msg);
  }
}

static void unwrap_indication(struct rtg_replay *r, int f, int dir, const struct rtg_stun_msg *m) {
  struct rtg_stun_attr data, peer;
  struct rtg_stun_addr pa;
  struct rtg_net_addr relay, remote;
  int inner, idir;
  if (rtg_stun_msg_find(m, RTG_STUN_ATTR_DATA, &data) ||
      rtg_stun_msg_find(m, RTG_STUN_ATTR_XOR_PEER_ADDRESS, &peer) ||
      rtg_stun_attr_addr(m, &peer, &pa, NULL))
    return;
  /* Inner flow: (client side of the outer flow) <-> (peer address). */
  relay = dir == 0 ? r->flows[f].a : r->flows[f].b;
  memset(&remote, 0, sizeof remote);
  remote.family = pa.family == 1 ? 4 : 6;
  memcpy(remote.ip, pa.addr, 16);
  remote.port = pa.port;
  if (m->method == RTG_STUN_DATA) relay = dir == 0 ? r->flows[f].b : r->flows[f].a;
  inner = m->method == RTG_STUN_SEND
              ? rtg_flow_lookup(r, &relay, &remote, r->flows[f].proto, f, 0, &idir)
              : rtg_flow_lookup(r, &remote, &relay, r->flows[f].proto, f, 0, &idir);
  if (inner >= 0) rtg_replay_payload(r, inner, idir, data.value, data.len);
}

void rtg_check_stun(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n) {
  struct rtg_flow *fl = &r->flows[f];
  struct rtg_stun_msg m;
  struct rtg_perr e;
  char msg[160];
  int sdp = -1, rc;
  rtg_perr_clear(&e);
  if (rtg_stun_msg_parse(&m, p, n, &e)) {
    rtg_perr_format(&e, msg, sizeof msg);
    rtg_finding(r, R_STUN_MALFORMED, fl->session, "%s", msg);
    return;
  }
  fl->n_stun++;
  r->stun++;
  if (r->n_stun_events++ < 300)
    rtg_replay_event(r, f, dir, false, "STUN %s %s", rtg_stun_method_name(m.method),
                     rtg_stun_class_name(m.cls));
  if (m.fp_off) {
    rtg_perr_clear(&e);
    rc = rtg_stun_msg_check_fingerprint(&m, &e);
    if (rc == RTG_ERR_AUTH) {
      rtg_perr_format(&e, msg, sizeof msg);
      rtg_finding(r, R_STUN_FINGERPRINT, fl->session, "%s %s: %s", rtg_stun_method_name(m.method),
                  rtg_stun_class_name(m.cls), msg);
    }
  }
  if (m.nunknown)
    rtg_finding(r, R_STUN_UNKNOWN_REQUIRED, fl->session,
                "%s %s carries %zu unknown comprehension-required attribute(s), first 0x%04x",
                rtg_stun_method_name(m.method), rtg_stun_class_name(m.cls), m.nunknown,
                m.unknown[0]);
  if (m.method == RTG_STUN_BINDING && m.cls == RTG_STUN_REQUEST) {
    check_ice_request(r, f, dir, &m, &sdp);
    memcpy(r->tx_tid[r->tx_next % 256], m.tid, RTG_STUN_TID_LEN);
    r->tx_sdp[r->tx_next % 256] = sdp;
    r->tx_next++;
  } else if (m.method == RTG_STUN_BINDING &&
             (m.cls == RTG_STUN_SUCCESS || m.cls == RTG_STUN_ERROR)) {
    /* A success response sent in |dir| grants consent to the peer that
     * sends in the other direction (RFC 7675 §5.1). */
    if (m.cls == RTG_STUN_SUCCESS) fl->consent_ok[!dir] = r->cur_ts;
    struct rtg_stun_attr xa;
    struct rtg_stun_addr a;
    for (unsigned i = 0; i < 256 && i < r->tx_next; i++)
      if (memcmp(r->tx_tid[i], m.tid, RTG_STUN_TID_LEN) == 0) sdp = r->tx_sdp[i];
    if (rtg_stun_msg_find(&m, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &xa) == 0 &&
        rtg_stun_attr_addr(&m, &xa, &a, NULL) == 0 && is_private(&a) && !fl->private_reported) {
      fl->private_reported = true;
      char ip[64];
      struct rtg_net_addr na = {0};
      na.family = a.family == 1 ? 4 : 6;
      memcpy(na.ip, a.addr, 16);
      na.port = a.port;
      rtg_net_addr_format(&na, ip, sizeof ip);
      rtg_finding(r, R_PRIVATE_ADDRESS, fl->session,
                  "XOR-MAPPED-ADDRESS reveals private address %s", ip);
    }
  }
  check_integrity(r, f, &m, sdp);
  rtg_check_exposed(r, f, &m);
  if (m.cls == RTG_STUN_INDICATION && (m.method == RTG_STUN_SEND || m.method == RTG_STUN_DATA))
    unwrap_indication(r, f, dir, &m);
}
