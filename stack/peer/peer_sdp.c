/*
 * peer_sdp.c - offers and answers (JSEP, RFC 8829, through rtg_jsep_*),
 * the remote description turned into ICE credentials and candidates (RFC
 * 8839), the DTLS fingerprint and role (RFC 8842), SCTP parameters (RFC
 * 8841) and the media sections' payload types and SSRCs; local and remote
 * candidates; ICE restarts (RFC 8445 §9).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer/internal.h"

#define CK(x)            \
  do {                   \
    int rc_ = (x);       \
    if (rc_) return rc_; \
  } while (0)

int peer_random_string(struct rtg_peer *p, char *out, size_t n) {
  static const char ice_chars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint8_t r[RTG_ICE_MAX_CRED];
  if (n > sizeof r) return RTG_ERR_INVAL;
  if (rtg_random(p->ctx, r, n)) return RTG_ERR_CRYPTO;
  for (size_t i = 0; i < n; i++) out[i] = ice_chars[r[i] & 63];
  out[n] = '\0';
  return 0;
}

static int new_credentials(struct rtg_peer *p) {
  CK(peer_random_string(p, p->ufrag, PEER_UFRAG_LEN));
  CK(peer_random_string(p, p->pwd, PEER_PWD_LEN));
  rtg_stun_cred_free(&p->cred);
  return rtg_stun_cred_init_short(&p->cred, p->pwd, strlen(p->pwd));
}

static bool local_usable(const struct rtg_peer *p, const struct rtg_ice_cand *c) {
  return !p->cfg.relay_only || c->type == RTG_ICE_CAND_RELAY;
}

int peer_ice_create(struct rtg_peer *p, bool controlling) {
  struct rtg_ice_config ic;
  memset(&ic, 0, sizeof ic);
  ic.mode = p->cfg.ice_mode;
  ic.role =
      controlling && p->cfg.ice_mode == RTG_ICE_FULL ? RTG_ICE_CONTROLLING : RTG_ICE_CONTROLLED;
  ic.remote_lite = p->remote_lite;
  ic.ufrag = p->ufrag;
  ic.pwd = p->pwd;
  /* Nominate 20 ms after the first valid pair unless no running check can
   * beat it (the agent's default waits 200 ms for better pairs), and pace
   * checks 10 ms apart (RFC 8445 §14.2 leaves Ta to the agent, default
   * 50 ms; a WebRTC peer has a handful of pairs): Firefox as controlled
   * agent starts DTLS only once nominated, and the nominating check waits
   * for the next pacing slot (measured, rtcgate offering to Firefox: ICE
   * connected 50 ms after the first valid pair with Ta = 50 ms, 10 ms now). */
  ic.nominate_after = RTG_MS(20);
  ic.ta = RTG_MS(10);
  CK(rtg_ice_agent_new(&p->ice, p->ctx, &ic));
  for (size_t i = 0; i < p->nlocal; i++)
    if (local_usable(p, &p->local[i])) CK(rtg_ice_agent_add_local_candidate(p->ice, &p->local[i]));
  return 0;
}

/* ---- local candidates ------------------------------------------------------ */

int peer_local_candidate(struct rtg_peer *p, const struct rtg_ice_cand *cand) {
  char line[RTG_PEER_MAX_CANDIDATE];
  struct rtg_peer_event *ev;
  struct rtg_ice_cand *c;
  if (p->nlocal == PEER_MAX_LOCAL) return RTG_ERR_NOBUF;
  c = &p->local[p->nlocal++];
  *c = *cand;
  /* RFC 8445 §5.1.1.3: one foundation per type and base */
  if (c->foundation[0] == '\0')
    snprintf(c->foundation, sizeof c->foundation, "%u%zu", c->type, p->nlocal);
  if (c->priority == 0) c->priority = rtg_ice_cand_priority(c->type, (uint16_t)(65535 - p->nlocal));
  if (p->ice && local_usable(p, c)) CK(rtg_ice_agent_add_local_candidate(p->ice, c));
  if (!p->cfg.trickle || !local_usable(p, c)) return 0;
  memcpy(line, "candidate:", 10);
  if (rtg_sdp_candidate_write_ice(c, line + 10, sizeof line - 10) < 0) return RTG_ERR_INVAL;
  if ((ev = peer_event_push(p, RTG_PEER_EV_LOCAL_CANDIDATE)) != NULL) {
    ev->local = *c;
    if ((ev->candidate = peer_event_str(p, line)) == NULL) peer_event_unpush(p);
  }
  return 0;
}

int rtg_peer_add_local_candidate(struct rtg_peer *p, const struct rtg_ice_cand *c) {
  if (c->type != RTG_ICE_CAND_HOST && c->type != RTG_ICE_CAND_SRFLX) return RTG_ERR_INVAL;
  if (c->base.family != 1 && c->base.family != 2) return RTG_ERR_INVAL;
  return peer_local_candidate(p, c);
}

void rtg_peer_local_candidates_done(struct rtg_peer *p) {
  p->local_done = true;
  peer_pump(p);
}

bool rtg_peer_gathering_done(const struct rtg_peer *p) { return p->gathering_done; }

/* The "candidate:..." values of the description (NULL-terminated). */
static int candidate_lines(struct rtg_peer *p, char lines[][RTG_PEER_MAX_CANDIDATE],
                           const char **ptrs) {
  size_t n = 0;
  for (size_t i = 0; i < p->nlocal; i++) {
    if (!local_usable(p, &p->local[i])) continue;
    if (rtg_sdp_candidate_write_ice(&p->local[i], lines[n], RTG_PEER_MAX_CANDIDATE) < 0)
      return RTG_ERR_INVAL;
    ptrs[n] = lines[n];
    n++;
  }
  ptrs[n] = NULL;
  return 0;
}

/* ---- remote candidates ----------------------------------------------------- */

static int remote_candidate(struct rtg_peer *p, const struct rtg_sdp_candidate *sc) {
  struct rtg_ice_cand c;
  int rc = rtg_sdp_candidate_to_ice(sc, &c);
  if (rc) return rc;
  if (sc->component != 1) return RTG_ERR_UNSUPPORTED; /* rtcp-mux: component 1 only */
  CK(rtg_ice_agent_add_remote_candidate(p->ice, &c));
  if (c.hostname[0] == '\0') peer_turn_permit(p, &c.addr);
  return 0;
}

int rtg_peer_add_remote_candidate(struct rtg_peer *p, const char *line, struct rtg_perr *perr) {
  struct rtg_sdp_candidate sc;
  size_t len;
  if (p->ice == NULL || p->remote_ufrag[0] == '\0') return RTG_ERR_STATE;
  if (strncmp(line, "a=", 2) == 0) line += 2;
  len = strlen(line);
  while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
  if (len == 0 || strncmp(line, "end-of-candidates", 17) == 0) {
    rtg_peer_end_of_candidates(p);
    return 0;
  }
  CK(rtg_sdp_candidate_parse(line, len, &sc, perr));
  CK(remote_candidate(p, &sc));
  peer_pump(p);
  return 0;
}

void rtg_peer_end_of_candidates(struct rtg_peer *p) {
  if (p->ice) rtg_ice_agent_end_of_candidates(p->ice);
  peer_pump(p);
}

int rtg_peer_resolve_mdns(struct rtg_peer *p, const char *hostname,
                          const struct rtg_stun_addr *addr) {
  if (p->ice == NULL) return RTG_ERR_NOTFOUND;
  CK(rtg_ice_agent_resolve_mdns(p->ice, hostname, addr));
  peer_turn_permit(p, addr);
  peer_pump(p);
  return 0;
}

/* ---- local descriptions ---------------------------------------------------- */

static void jsep_local(struct rtg_peer *p, struct rtg_jsep_local *l, const char **cands) {
  memset(l, 0, sizeof *l);
  l->ice_ufrag = p->ufrag;
  l->ice_pwd = p->pwd;
  l->fp_alg = p->fp_alg;
  l->fp = p->fp;
  l->sess_id = p->sess_id;
  l->sess_version = p->sess_version++;
  l->trickle = p->cfg.trickle;
  l->candidates = cands;
  l->codecs = p->cfg.codecs;
  l->sctp_port = p->cfg.sctp_port;
  l->max_message_size = p->cfg.max_message_size;
  l->audio = p->cfg.audio;
  l->video = p->cfg.video;
  l->data = p->cfg.data;
  l->msid_stream = "rtcgate";
}

static int add_ssrc(struct rtg_peer *p, struct rtg_sdp *out, const struct rtg_sdp *in, int m) {
  struct rtg_sdp_mline ml;
  uint32_t ssrc;
  enum rtg_sdp_dir d;
  if (m < 0 || rtg_sdp_get_mline(in, m, &ml) || ml.port == 0) return 0;
  if (ml.kind != RTG_SDP_MEDIA_AUDIO && ml.kind != RTG_SDP_MEDIA_VIDEO) return 0;
  d = rtg_sdp_direction(in, m);
  if (d != RTG_SDP_DIR_SENDRECV && d != RTG_SDP_DIR_SENDONLY) return 0;
  ssrc = rtg_peer_local_ssrc(p, (int)ml.kind);
  CK(rtg_sdp_add(out, 'a', "ssrc:%u cname:%s", ssrc, p->cname));
  return rtg_sdp_add(
      out, 'a', "ssrc:%u msid:rtcgate rtcgate-%s", ssrc,
      rtg_sdp_attr_get(in, m, "mid", false) ? rtg_sdp_attr_get(in, m, "mid", false) : "");
}

/* Copies |in| into |out| adding what rtg_jsep_* does not write: a=ice-lite
 * for a lite agent (session level, RFC 8839 §5.3) and our SSRCs with their
 * CNAME in every section we send on (RFC 5576 §4.1). */
static int finish_local(struct rtg_peer *p, const struct rtg_sdp *in, struct rtg_sdp *out) {
  int m = -1;
  rtg_sdp_init(out);
  out->lf_only = in->lf_only;
  for (size_t i = 0; i < in->nlines; i++) {
    if (in->lines[i].type == 'm') {
      if (m < 0 && p->cfg.ice_mode == RTG_ICE_LITE) CK(rtg_sdp_add(out, 'a', "ice-lite"));
      CK(add_ssrc(p, out, in, m));
      m++;
    }
    CK(rtg_sdp_add_line(out, in, i));
  }
  return add_ssrc(p, out, in, m);
}

static int emit_local(struct rtg_peer *p, char *buf, size_t cap, size_t *len) {
  ptrdiff_t n;
  CK(finish_local(p, p->scratch, p->local_sdp));
  n = rtg_sdp_write(p->local_sdp, buf, cap);
  if (n < 0) return (int)n;
  if ((size_t)n >= cap) return RTG_ERR_NOBUF;
  *len = (size_t)n;
  return 0;
}

int rtg_peer_create_offer(struct rtg_peer *p, char *buf, size_t cap, size_t *len) {
  char lines[PEER_MAX_LOCAL][RTG_PEER_MAX_CANDIDATE];
  const char *ptrs[PEER_MAX_LOCAL + 1];
  struct rtg_jsep_local l;
  if (p->state != PEER_NEW && p->state != PEER_STABLE) return RTG_ERR_STATE;
  CK(candidate_lines(p, lines, ptrs));
  jsep_local(p, &l, ptrs);
  CK(rtg_jsep_offer(&l, p->scratch));
  CK(emit_local(p, buf, cap, len));
  if (p->ice == NULL) CK(peer_ice_create(p, true));
  p->offerer = true;
  p->state = PEER_HAVE_LOCAL_OFFER;
  peer_pump(p);
  return 0;
}

/* Our a=setup in an answer (RFC 8842 §5.3): the opposite of a definite
 * offer, our preference for actpass; the current role once DTLS exists. */
static enum rtg_sdp_setup answer_setup(const struct rtg_peer *p) {
  /* RFC 8842 §5.5: a later offer/answer keeps the DTLS association, so the
   * answer states the role we already have */
  if (p->dtls)
    return p->dtls_role == RTG_DTLS_ROLE_CLIENT ? RTG_SDP_SETUP_ACTIVE : RTG_SDP_SETUP_PASSIVE;
  switch (p->remote_setup) {
    case RTG_SDP_SETUP_ACTIVE: return RTG_SDP_SETUP_PASSIVE;
    case RTG_SDP_SETUP_PASSIVE: return RTG_SDP_SETUP_ACTIVE;
    case RTG_SDP_SETUP_ACTPASS:
    case RTG_SDP_SETUP_NONE:
    case RTG_SDP_SETUP_HOLDCONN:
    default: return p->cfg.answer_setup;
  }
}

int rtg_peer_create_answer(struct rtg_peer *p, rtg_time now, char *buf, size_t cap, size_t *len,
                           struct rtg_perr *perr) {
  char lines[PEER_MAX_LOCAL][RTG_PEER_MAX_CANDIDATE];
  const char *ptrs[PEER_MAX_LOCAL + 1];
  struct rtg_jsep_local l;
  if (p->state != PEER_HAVE_REMOTE_OFFER) return RTG_ERR_STATE;
  if (now > p->now) p->now = now;
  CK(candidate_lines(p, lines, ptrs));
  jsep_local(p, &l, ptrs);
  l.setup = answer_setup(p);
  CK(rtg_jsep_answer(p->remote_sdp, &l, p->scratch, perr));
  CK(emit_local(p, buf, cap, len));
  p->state = PEER_STABLE;
  p->offerer = false;
  if (p->dtls == NULL) {
    p->dtls_role = l.setup == RTG_SDP_SETUP_ACTIVE ? RTG_DTLS_ROLE_CLIENT : RTG_DTLS_ROLE_SERVER;
    CK(peer_dtls_start(p, now));
  }
  p->negotiated = true;
  peer_pump(p);
  return 0;
}

int rtg_peer_restart_ice(struct rtg_peer *p) {
  if (p->ice == NULL || !p->negotiated || p->state != PEER_STABLE) return RTG_ERR_STATE;
  CK(new_credentials(p));
  CK(rtg_ice_agent_restart(p->ice, p->ufrag, p->pwd));
  p->remote_ufrag[0] = '\0';
  p->ice_restarts++;
  return 0;
}

/* A remote offer with new credentials restarts ICE on our side too (RFC
 * 8839 §4.4.1.1.1: the answerer changes its credentials as well). */
int peer_remote_restart(struct rtg_peer *p) {
  CK(new_credentials(p));
  CK(rtg_ice_agent_restart(p->ice, p->ufrag, p->pwd));
  p->ice_restarts++;
  return 0;
}
