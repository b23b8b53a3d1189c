/*
 * ice.c - the sans-IO ICE agent (RFC 8445) with trickle (RFC 8838) and
 * consent freshness (RFC 7675). See rtg/ice.h for the shape.
 *
 * Model: one component; local host/relay candidates are paired with every
 * remote candidate of the same family. Each pair carries at most one
 * outstanding Binding transaction (a connectivity check, or a consent check
 * on the selected pair). Checks are paced every Ta: triggered checks first,
 * then the best Waiting pair, then the best Frozen one (RFC 8445 §6.1.4.2).
 */
#include <string.h>

#include "rtg/ice.h"

#define MAX_TX 64
#define MAX_EV 32
#define TX_CAP 600

enum pair_state { P_FROZEN, P_WAITING, P_INPROGRESS, P_SUCCEEDED, P_FAILED };

struct pair {
  uint8_t local, remote;
  uint8_t state;
  bool nominated;
  bool nominate_on_success; /* controlled: USE-CANDIDATE seen before success */
  bool use_cand;            /* controlling: this check nominates */
  bool queued;              /* in the triggered-check queue */
  bool consent;             /* the outstanding transaction is a consent check */
  bool tx_active;
  uint8_t sent_role; /* our role when the outstanding check was sent */
  uint8_t sends;
  uint8_t tid[RTG_STUN_TID_LEN];
  rtg_time next, rto;
  uint64_t prio;
};

struct txq {
  uint8_t data[TX_CAP];
  size_t len;
  struct rtg_stun_addr src, dst;
};

struct rtg_ice_agent {
  struct rtg_ctx ctx;
  struct rtg_ice_config cfg;
  char lufrag[RTG_ICE_MAX_CRED + 1], lpwd[RTG_ICE_MAX_CRED + 1];
  char rufrag[RTG_ICE_MAX_CRED + 1], rpwd[RTG_ICE_MAX_CRED + 1];
  bool have_rcred;
  struct rtg_stun_cred lcred, rcred;
  uint8_t role;
  uint64_t tie;
  struct rtg_ice_cand local[RTG_ICE_MAX_LOCAL];
  size_t nlocal;
  struct rtg_ice_cand remote[RTG_ICE_MAX_REMOTE];
  bool remote_resolved[RTG_ICE_MAX_REMOTE];
  size_t nremote;
  struct pair pairs[RTG_ICE_MAX_PAIRS];
  size_t npairs;
  uint8_t trig[RTG_ICE_MAX_PAIRS];
  size_t ntrig;
  rtg_time next_pace;
  rtg_time first_valid; /* regular nomination clock */
  int valid_best;       /* best valid pair reported before selection, or -1 */
  int selected;         /* pair index or -1 */
  struct rtg_ice_cand sel_local, sel_remote;
  bool have_sel, connected, failed, eoc, nominating;
  rtg_time consent_next, consent_expire;
  rtg_time keepalive_next; /* lite agents: Binding indications (RFC 8445 §11) */
  struct txq tx[MAX_TX];
  size_t tx_head, tx_n;
  struct rtg_ice_event ev[MAX_EV];
  size_t ev_head, ev_n;
};

/* ---- helpers ----------------------------------------------------------- */

uint32_t rtg_ice_cand_priority(uint8_t type, uint16_t local_pref) {
  /* RFC 8445 §5.1.2.1-2: type preferences 126 host, 110 prflx, 100 srflx,
   * 0 relay; component 1 */
  uint32_t tp;
  switch (type) {
    case RTG_ICE_CAND_HOST: tp = 126; break;
    case RTG_ICE_CAND_PRFLX: tp = 110; break;
    case RTG_ICE_CAND_SRFLX: tp = 100; break;
    case RTG_ICE_CAND_RELAY: tp = 0; break;
    default: tp = 0; break;
  }
  return (tp << 24) | ((uint32_t)local_pref << 8) | (256u - 1u);
}

static bool addr_eq(const struct rtg_stun_addr *x, const struct rtg_stun_addr *y) {
  size_t n = x->family == 1 ? 4 : 16;
  return x->family == y->family && x->port == y->port && memcmp(x->addr, y->addr, n) == 0;
}

static bool valid_addr(const struct rtg_stun_addr *x) { return x->family == 1 || x->family == 2; }

static void emit(struct rtg_ice_agent *a, const struct rtg_ice_event *e) {
  /* when full, the oldest event is dropped: the caller stopped draining */
  if (a->ev_n == MAX_EV) {
    a->ev_head = (a->ev_head + 1) % MAX_EV;
    a->ev_n--;
  }
  a->ev[(a->ev_head + a->ev_n) % MAX_EV] = *e;
  a->ev_n++;
}

static void emit_simple(struct rtg_ice_agent *a, uint8_t type) {
  struct rtg_ice_event e;
  memset(&e, 0, sizeof e);
  e.type = type;
  e.role = a->role;
  emit(a, &e);
}

static struct txq *tx_slot(struct rtg_ice_agent *a) {
  if (a->tx_n == MAX_TX) return NULL; /* a lost datagram: retransmission covers it */
  return &a->tx[(a->tx_head + a->tx_n) % MAX_TX];
}

static uint64_t pair_prio(uint32_t g, uint32_t d) {
  /* RFC 8445 §6.1.2.3: G controlling, D controlled */
  uint64_t mn = g < d ? g : d, mx = g < d ? d : g;
  return (mn << 32) + 2 * mx + (g > d ? 1 : 0);
}

static void reprioritise(struct rtg_ice_agent *a) {
  for (size_t i = 0; i < a->npairs; i++) {
    struct pair *p = &a->pairs[i];
    uint32_t lp = a->local[p->local].priority, rp = a->remote[p->remote].priority;
    p->prio = a->role == RTG_ICE_CONTROLLING ? pair_prio(lp, rp) : pair_prio(rp, lp);
  }
}

static bool same_foundation(const struct rtg_ice_agent *a, const struct pair *p,
                            const struct pair *q) {
  return strcmp(a->local[p->local].foundation, a->local[q->local].foundation) == 0 &&
         strcmp(a->remote[p->remote].foundation, a->remote[q->remote].foundation) == 0;
}

static int add_pair(struct rtg_ice_agent *a, size_t li, size_t ri) {
  struct pair *p;
  if (a->npairs == RTG_ICE_MAX_PAIRS) return -1;
  for (size_t i = 0; i < a->npairs; i++)
    if (a->pairs[i].local == li && a->pairs[i].remote == ri) return (int)i;
  p = &a->pairs[a->npairs];
  memset(p, 0, sizeof *p);
  p->local = (uint8_t)li;
  p->remote = (uint8_t)ri;
  /* RFC 8445 §6.1.2.6: the first pair of a foundation waits, the others
   * stay frozen until a pair of that foundation succeeds */
  p->state = P_WAITING;
  for (size_t i = 0; i < a->npairs; i++)
    if (same_foundation(a, &a->pairs[i], p) && a->pairs[i].state != P_FAILED) p->state = P_FROZEN;
  a->npairs++;
  reprioritise(a);
  return (int)(a->npairs - 1);
}

static bool pairable(const struct rtg_ice_agent *a, size_t li, size_t ri) {
  const struct rtg_ice_cand *l = &a->local[li];
  return (l->type == RTG_ICE_CAND_HOST || l->type == RTG_ICE_CAND_RELAY) &&
         a->remote_resolved[ri] && l->base.family == a->remote[ri].addr.family;
}

static void trigger(struct rtg_ice_agent *a, size_t pi) {
  struct pair *p = &a->pairs[pi];
  if (p->queued || a->cfg.mode == RTG_ICE_LITE) return;
  p->queued = true;
  a->trig[a->ntrig++] = (uint8_t)pi;
}

/* trigger, but ahead of every other queued check (the nominating check:
 * data waits for it, RFC 8445 §8.1.1). */
static void trigger_first(struct rtg_ice_agent *a, size_t pi) {
  struct pair *p = &a->pairs[pi];
  size_t at = a->ntrig;
  if (a->cfg.mode == RTG_ICE_LITE) return;
  if (p->queued) {
    for (size_t i = 0; i < a->ntrig; i++)
      if (a->trig[i] == (uint8_t)pi) at = i;
    if (at == a->ntrig) return;
    memmove(a->trig + 1, a->trig, at);
  } else {
    memmove(a->trig + 1, a->trig, a->ntrig++);
  }
  p->queued = true;
  a->trig[0] = (uint8_t)pi;
}

static int random_tid(struct rtg_ice_agent *a, uint8_t tid[RTG_STUN_TID_LEN]) {
  return rtg_random(&a->ctx, tid, RTG_STUN_TID_LEN);
}

/* ---- sending -------------------------------------------------------------- */

static void queue_bytes(struct rtg_ice_agent *a, const struct rtg_stun_builder *b,
                        const struct rtg_stun_addr *src, const struct rtg_stun_addr *dst,
                        struct txq *slot) {
  ptrdiff_t n = rtg_stun_builder_finish(b);
  if (n <= 0) return;
  slot->len = (size_t)n;
  slot->src = *src;
  slot->dst = *dst;
  a->tx_n++;
}

/* Writes the Binding request of pair |pi| (RFC 8445 §7.1.1). */
static void send_check(struct rtg_ice_agent *a, size_t pi) {
  struct pair *p = &a->pairs[pi];
  struct rtg_ice_cand *l = &a->local[p->local], *r = &a->remote[p->remote];
  struct txq *slot = tx_slot(a);
  struct rtg_stun_builder b;
  char user[2 * RTG_ICE_MAX_CRED + 2];
  size_t ul = strlen(a->rufrag), ll = strlen(a->lufrag);
  int rc;
  if (slot == NULL || !a->have_rcred) return;
  /* USERNAME: remote ufrag ":" local ufrag (RFC 8445 §7.2.2) */
  memcpy(user, a->rufrag, ul);
  user[ul] = ':';
  memcpy(user + ul + 1, a->lufrag, ll);
  rc = rtg_stun_builder_init(&b, slot->data, sizeof slot->data, RTG_STUN_REQUEST, RTG_STUN_BINDING,
                             p->tid);
  if (rc == 0) rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_USERNAME, user, ul + 1 + ll);
  /* PRIORITY: what a peer-reflexive candidate learnt from this check
   * would get (RFC 8445 §7.1.1) */
  if (rc == 0)
    rc = rtg_stun_builder_add_u32(&b, RTG_STUN_ATTR_PRIORITY,
                                  (l->priority & 0x00FFFFFFu) | (110u << 24));
  if (rc == 0)
    rc = rtg_stun_builder_add_u64(&b,
                                  a->role == RTG_ICE_CONTROLLING ? RTG_STUN_ATTR_ICE_CONTROLLING
                                                                 : RTG_STUN_ATTR_ICE_CONTROLLED,
                                  a->tie);
  if (rc == 0 && a->role == RTG_ICE_CONTROLLING && p->use_cand && !p->consent)
    rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_USE_CANDIDATE, NULL, 0);
  if (rc == 0) rc = rtg_stun_builder_add_integrity(&b, &a->rcred);
  if (rc == 0) rc = rtg_stun_builder_add_fingerprint(&b);
  if (rc == 0) queue_bytes(a, &b, &l->base, &r->addr, slot);
}

static void start_check(struct rtg_ice_agent *a, size_t pi, rtg_time now, bool consent) {
  struct pair *p = &a->pairs[pi];
  if (random_tid(a, p->tid)) return;
  p->tx_active = true;
  p->sent_role = a->role;
  p->consent = consent;
  p->sends = 1;
  p->rto = a->cfg.rto;
  p->next = now + p->rto;
  if (!consent) {
    p->state = P_INPROGRESS;
    if (a->role == RTG_ICE_CONTROLLING && a->cfg.nomination == RTG_ICE_NOMINATE_AGGRESSIVE)
      p->use_cand = true;
  }
  send_check(a, pi);
}

/* Success or error response to |req| from |from| back to |to|. */
static void respond(struct rtg_ice_agent *a, const struct rtg_stun_msg *req,
                    const struct rtg_stun_addr *to, const struct rtg_stun_addr *from,
                    uint16_t error, const char *reason) {
  struct txq *slot = tx_slot(a);
  struct rtg_stun_builder b;
  int rc;
  if (slot == NULL) return;
  rc = rtg_stun_builder_init(&b, slot->data, sizeof slot->data,
                             error ? RTG_STUN_ERROR : RTG_STUN_SUCCESS, RTG_STUN_BINDING, req->tid);
  if (rc == 0 && error) rc = rtg_stun_builder_add_error(&b, error, reason, strlen(reason));
  if (rc == 0 && error == 420) {
    uint8_t list[2 * RTG_STUN_MAX_UNKNOWN];
    size_t n = req->nunknown < RTG_STUN_MAX_UNKNOWN ? req->nunknown : RTG_STUN_MAX_UNKNOWN;
    for (size_t i = 0; i < n; i++) rtg_store_u16(list + 2 * i, req->unknown[i]);
    rc = rtg_stun_builder_add(&b, RTG_STUN_ATTR_UNKNOWN_ATTRIBUTES, list, 2 * n);
  }
  if (rc == 0 && !error) rc = rtg_stun_builder_add_addr(&b, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, to);
  /* 400/401 go out without integrity: we could not authenticate the
   * request (RFC 8489 §9.1.3) */
  if (rc == 0 && (error == 0 || error == 487 || error == 420))
    rc = rtg_stun_builder_add_integrity(&b, &a->lcred);
  if (rc == 0) rc = rtg_stun_builder_add_fingerprint(&b);
  if (rc == 0) queue_bytes(a, &b, from, to, slot);
}

/* A keepalive: Binding indication with FINGERPRINT on the selected pair. */
static void send_indication(struct rtg_ice_agent *a) {
  struct txq *slot = tx_slot(a);
  struct rtg_stun_builder b;
  uint8_t tid[RTG_STUN_TID_LEN];
  int rc;
  if (slot == NULL || random_tid(a, tid)) return;
  rc = rtg_stun_builder_init(&b, slot->data, sizeof slot->data, RTG_STUN_INDICATION,
                             RTG_STUN_BINDING, tid);
  if (rc == 0) rc = rtg_stun_builder_add_fingerprint(&b);
  if (rc == 0) queue_bytes(a, &b, &a->sel_local.base, &a->sel_remote.addr, slot);
}

/* ---- selection, failure, consent ------------------------------------------ */

static void select_pair(struct rtg_ice_agent *a, size_t pi, rtg_time now) {
  struct pair *p = &a->pairs[pi];
  struct rtg_ice_event e;
  if (a->selected == (int)pi) return;
  /* keep the best nominated pair (RFC 8445 §8.1.1) */
  if (a->selected >= 0 && (size_t)a->selected < a->npairs && a->pairs[a->selected].nominated &&
      a->pairs[a->selected].prio > p->prio)
    return;
  a->selected = (int)pi;
  a->sel_local = a->local[p->local];
  a->sel_remote = a->remote[p->remote];
  a->have_sel = true;
  a->consent_expire = now + a->cfg.consent_timeout;
  a->consent_next = now + a->cfg.consent_interval;
  a->keepalive_next = now + RTG_SEC(15);
  memset(&e, 0, sizeof e);
  e.type = RTG_ICE_EV_SELECTED_PAIR;
  e.role = a->role;
  e.local = a->sel_local;
  e.remote = a->sel_remote;
  emit(a, &e);
  if (!a->connected) {
    a->connected = true;
    e.type = RTG_ICE_EV_CONNECTED;
    emit(a, &e);
  }
}

static void nominate(struct rtg_ice_agent *a, size_t pi, rtg_time now) {
  a->pairs[pi].nominated = true;
  select_pair(a, pi, now);
}

static void check_failed(struct rtg_ice_agent *a) {
  if (a->failed || a->connected || !a->eoc || a->ntrig || a->cfg.mode == RTG_ICE_LITE) return;
  for (size_t i = 0; i < a->npairs; i++)
    if (a->pairs[i].state != P_FAILED) return;
  if (a->npairs == 0 && a->nremote > 0) {
    for (size_t i = 0; i < a->nremote; i++)
      if (!a->remote_resolved[i]) return; /* an mDNS name may still resolve */
  }
  a->failed = true;
  emit_simple(a, RTG_ICE_EV_FAILED);
}

static void unfreeze_foundation(struct rtg_ice_agent *a, size_t pi) {
  for (size_t i = 0; i < a->npairs; i++)
    if (a->pairs[i].state == P_FROZEN && same_foundation(a, &a->pairs[i], &a->pairs[pi]))
      a->pairs[i].state = P_WAITING;
}

static void switch_role(struct rtg_ice_agent *a) {
  struct rtg_ice_event e;
  a->role = a->role == RTG_ICE_CONTROLLING ? RTG_ICE_CONTROLLED : RTG_ICE_CONTROLLING;
  reprioritise(a);
  memset(&e, 0, sizeof e);
  e.type = RTG_ICE_EV_ROLE_CHANGED;
  e.role = a->role;
  emit(a, &e);
}

/* ---- receiving ------------------------------------------------------------- */

static int find_local(const struct rtg_ice_agent *a, const struct rtg_stun_addr *base) {
  for (size_t i = 0; i < a->nlocal; i++)
    if ((a->local[i].type == RTG_ICE_CAND_HOST || a->local[i].type == RTG_ICE_CAND_RELAY) &&
        addr_eq(&a->local[i].base, base))
      return (int)i;
  return -1;
}

static int find_remote(const struct rtg_ice_agent *a, const struct rtg_stun_addr *addr) {
  for (size_t i = 0; i < a->nremote; i++)
    if (a->remote_resolved[i] && addr_eq(&a->remote[i].addr, addr)) return (int)i;
  return -1;
}

static void pair_new_remote(struct rtg_ice_agent *a, size_t ri) {
  for (size_t li = 0; li < a->nlocal; li++)
    if (pairable(a, li, ri)) (void)add_pair(a, li, ri);
}

/* RFC 8445 §7.3: an incoming Binding request. */
static int on_request(struct rtg_ice_agent *a, rtg_time now, int li,
                      const struct rtg_stun_addr *local, const struct rtg_stun_addr *src,
                      const struct rtg_stun_msg *m) {
  struct rtg_stun_attr at;
  size_t ll = strlen(a->lufrag);
  uint64_t their_tie = 0;
  bool they_control = false, they_controlled = false, use_cand;
  uint32_t prio = 0;
  int ri, pi;
  if (m->nunknown) {
    respond(a, m, src, local, 420, "Unknown Attribute");
    return 0;
  }
  if (rtg_stun_msg_find(m, RTG_STUN_ATTR_USERNAME, &at) || m->mi_off == 0 || m->fp_off == 0) {
    respond(a, m, src, local, 400, "Bad Request");
    return RTG_ERR_AUTH;
  }
  /* USERNAME is "<our ufrag>:<their ufrag>": we only know ours for sure
   * (their credentials may not have arrived yet) */
  if (at.len <= ll || memcmp(at.value, a->lufrag, ll) != 0 || at.value[ll] != ':' ||
      rtg_stun_msg_validate(m, &a->lcred, RTG_STUN_REQUIRE_INTEGRITY, NULL) != 0) {
    respond(a, m, src, local, 401, "Unauthorized");
    return RTG_ERR_AUTH;
  }
  if (rtg_stun_msg_find(m, RTG_STUN_ATTR_PRIORITY, &at) == 0 &&
      rtg_stun_attr_u32(&at, &prio, NULL) != 0)
    prio = 0;
  if (rtg_stun_msg_find(m, RTG_STUN_ATTR_ICE_CONTROLLING, &at) == 0 &&
      rtg_stun_attr_u64(&at, &their_tie, NULL) == 0)
    they_control = true;
  else if (rtg_stun_msg_find(m, RTG_STUN_ATTR_ICE_CONTROLLED, &at) == 0 &&
           rtg_stun_attr_u64(&at, &their_tie, NULL) == 0)
    they_controlled = true;
  use_cand = rtg_stun_msg_find(m, RTG_STUN_ATTR_USE_CANDIDATE, &at) == 0;

  /* RFC 8445 §7.3.1.1 role conflict (a lite agent never argues) */
  if (a->cfg.mode == RTG_ICE_FULL) {
    if (a->role == RTG_ICE_CONTROLLING && they_control) {
      if (a->tie >= their_tie) {
        respond(a, m, src, local, 487, "Role Conflict");
        return 0;
      }
      switch_role(a);
    } else if (a->role == RTG_ICE_CONTROLLED && they_controlled) {
      if (a->tie >= their_tie) {
        switch_role(a);
      } else {
        respond(a, m, src, local, 487, "Role Conflict");
        return 0;
      }
    }
  }
  respond(a, m, src, local, 0, "");

  /* RFC 8445 §7.3.1.3: an unknown source is a peer-reflexive candidate */
  ri = find_remote(a, src);
  if (ri < 0) {
    struct rtg_ice_cand c;
    if (a->nremote == RTG_ICE_MAX_REMOTE) return 0;
    memset(&c, 0, sizeof c);
    c.type = RTG_ICE_CAND_PRFLX;
    c.addr = *src;
    c.base = *src;
    c.priority = prio ? prio : rtg_ice_cand_priority(RTG_ICE_CAND_PRFLX, 0);
    /* a foundation of its own (RFC 8445 §7.3.1.3) */
    c.foundation[0] = 'p';
    c.foundation[1] = (char)('a' + a->nremote % 26);
    c.foundation[2] = (char)('a' + a->nremote / 26);
    ri = (int)a->nremote;
    a->remote[a->nremote] = c;
    a->remote_resolved[a->nremote] = true;
    a->nremote++;
  }
  if (!pairable(a, (size_t)li, (size_t)ri)) return 0;
  pi = add_pair(a, (size_t)li, (size_t)ri);
  if (pi < 0) return 0;
  /* RFC 8445 §7.3.1.4 triggered check, §7.3.1.5 nomination */
  {
    struct pair *p = &a->pairs[pi];
    bool controlled = a->role == RTG_ICE_CONTROLLED;
    if (a->cfg.mode == RTG_ICE_LITE) {
      /* a lite agent has no checks: the full agent's check is the proof */
      p->state = P_SUCCEEDED;
      if (use_cand) nominate(a, (size_t)pi, now);
      return 0;
    }
    if (p->state == P_SUCCEEDED) {
      if (controlled && use_cand) nominate(a, (size_t)pi, now);
    } else {
      if (controlled && use_cand) p->nominate_on_success = true;
      /* RFC 8445 §7.3.1.4: an In-Progress check that already had to be
       * retransmitted is cancelled and replaced by the triggered one */
      if (p->state == P_INPROGRESS && p->tx_active && !p->consent && p->sends > 1)
        p->tx_active = false;
      if (p->state != P_INPROGRESS || !p->tx_active) {
        p->state = P_WAITING;
        trigger(a, (size_t)pi);
      }
    }
  }
  return 0;
}

/* RFC 8445 §12.1: before a pair is selected, data MAY go on any valid
 * pair; the best one so far is reported for that. */
static void report_valid(struct rtg_ice_agent *a, size_t pi) {
  struct rtg_ice_event e;
  if (a->have_sel) return;
  if (a->valid_best >= 0 && (size_t)a->valid_best < a->npairs &&
      a->pairs[a->valid_best].state == P_SUCCEEDED &&
      a->pairs[a->valid_best].prio >= a->pairs[pi].prio)
    return;
  a->valid_best = (int)pi;
  memset(&e, 0, sizeof e);
  e.type = RTG_ICE_EV_VALID_PAIR;
  e.role = a->role;
  e.local = a->local[a->pairs[pi].local];
  e.remote = a->remote[a->pairs[pi].remote];
  emit(a, &e);
}

/* RFC 8445 §7.2.5: a response to one of our checks. */
static int on_response(struct rtg_ice_agent *a, rtg_time now, const struct rtg_stun_addr *local,
                       const struct rtg_stun_addr *src, const struct rtg_stun_msg *m) {
  size_t pi;
  struct pair *p = NULL;
  for (pi = 0; pi < a->npairs; pi++)
    if (a->pairs[pi].tx_active && memcmp(a->pairs[pi].tid, m->tid, RTG_STUN_TID_LEN) == 0) {
      p = &a->pairs[pi];
      break;
    }
  if (p == NULL) return RTG_ERR_NOTFOUND;
  /* responses are signed with the password of the agent we asked */
  if (rtg_stun_msg_validate(m, &a->rcred, RTG_STUN_REQUIRE_INTEGRITY, NULL) != 0)
    return RTG_ERR_AUTH;
  p->tx_active = false;
  /* RFC 7675 §5.1: any authenticated success on the selected pair renews
   * consent, whatever started the transaction */
  if (m->cls == RTG_STUN_SUCCESS && (int)pi == a->selected &&
      addr_eq(src, &a->remote[p->remote].addr))
    a->consent_expire = now + a->cfg.consent_timeout;
  if (p->consent) return 0;
  if (m->cls == RTG_STUN_ERROR) {
    struct rtg_stun_attr at;
    uint16_t code = 0;
    struct rtg_slice reason;
    if (rtg_stun_msg_find(m, RTG_STUN_ATTR_ERROR_CODE, &at) == 0 &&
        rtg_stun_attr_error_code(&at, &code, &reason, NULL) == 0 && code == 487) {
      /* RFC 8445 §7.2.5.1: switch role (unless a conflict already made
       * us switch since the check went out) and retry the check */
      if (a->role == p->sent_role) switch_role(a);
      p->state = P_WAITING;
      p->use_cand = false;
      trigger(a, pi);
      return 0;
    }
    p->state = P_FAILED;
    check_failed(a);
    return 0;
  }
  /* RFC 8445 §7.2.5.2.1: the addresses must be symmetric */
  if (!addr_eq(src, &a->remote[p->remote].addr) || !addr_eq(local, &a->local[p->local].base)) {
    p->state = P_FAILED;
    check_failed(a);
    return 0;
  }
  {
    /* RFC 8445 §7.2.5.3.1: a mapped address we do not know is a local
     * peer-reflexive candidate (advertised nowhere; the pair with its base
     * is what we use) */
    struct rtg_stun_attr at;
    struct rtg_stun_addr mapped;
    if (rtg_stun_msg_find(m, RTG_STUN_ATTR_XOR_MAPPED_ADDRESS, &at) == 0 &&
        rtg_stun_attr_addr(m, &at, &mapped, NULL) == 0 && a->nlocal < RTG_ICE_MAX_LOCAL) {
      bool known = false;
      for (size_t i = 0; i < a->nlocal; i++)
        if (addr_eq(&a->local[i].addr, &mapped)) known = true;
      if (!known) {
        struct rtg_ice_cand *c = &a->local[a->nlocal++];
        memset(c, 0, sizeof *c);
        c->type = RTG_ICE_CAND_PRFLX;
        c->addr = mapped;
        c->base = a->local[p->local].base;
        c->priority = rtg_ice_cand_priority(RTG_ICE_CAND_PRFLX, 0);
        memcpy(c->foundation, "prflx", 6);
      }
    }
  }
  p->state = P_SUCCEEDED;
  if (a->first_valid == 0) a->first_valid = now ? now : 1;
  unfreeze_foundation(a, pi);
  if (a->role == RTG_ICE_CONTROLLING && p->use_cand) {
    a->nominating = false;
    nominate(a, pi, now);
  } else if (a->role == RTG_ICE_CONTROLLED && p->nominate_on_success) {
    nominate(a, pi, now);
  }
  report_valid(a, pi); /* nothing when the pair was just selected */
  return 0;
}

int rtg_ice_agent_handle_datagram(struct rtg_ice_agent *a, rtg_time now,
                                  const struct rtg_stun_addr *local,
                                  const struct rtg_stun_addr *src, const uint8_t *data,
                                  size_t len) {
  struct rtg_stun_msg m;
  int li, rc;
  if (a->failed && !a->have_sel) return 0;
  rc = rtg_stun_msg_parse(&m, data, len, NULL);
  if (rc) return rc;
  if (m.legacy || m.method != RTG_STUN_BINDING) return RTG_ERR_PARSE;
  li = find_local(a, local);
  if (li < 0) return RTG_ERR_NOTFOUND;
  switch (m.cls) {
    case RTG_STUN_REQUEST: rc = on_request(a, now, li, local, src, &m); break;
    case RTG_STUN_SUCCESS:
    case RTG_STUN_ERROR: rc = on_response(a, now, local, src, &m); break;
    default: rc = 0; break; /* indications are keepalives (RFC 8445 §11) */
  }
  return rc;
}

/* ---- timers ------------------------------------------------------------------ */

static int next_ordinary(const struct rtg_ice_agent *a) {
  int best = -1;
  for (int want = P_WAITING; want >= P_FROZEN && best < 0; want--)
    for (size_t i = 0; i < a->npairs; i++)
      if (a->pairs[i].state == want && !a->pairs[i].tx_active &&
          (best < 0 || a->pairs[i].prio > a->pairs[best].prio))
        best = (int)i;
  return best;
}

/* Regular nomination (RFC 8445 §8.1.1): when the controlling agent
 * nominates its best valid pair, and which one (-1: not now). When no
 * check that is still to run or running could give a better pair (all
 * done, or the rest have lower priorities): now; otherwise nominate_after
 * after the first valid pair. */
static rtg_time nomination_due(const struct rtg_ice_agent *a, int *which) {
  int best = -1;
  bool pending = false;
  *which = -1;
  if (a->role != RTG_ICE_CONTROLLING || a->cfg.nomination != RTG_ICE_NOMINATE_REGULAR ||
      a->nominating || a->first_valid == 0 || a->cfg.mode == RTG_ICE_LITE || !a->have_rcred ||
      a->failed)
    return RTG_TIME_NEVER;
  if (a->selected >= 0 && (size_t)a->selected < a->npairs && a->pairs[a->selected].nominated)
    return RTG_TIME_NEVER;
  for (size_t i = 0; i < a->npairs; i++) {
    const struct pair *p = &a->pairs[i];
    if (p->state == P_SUCCEEDED && (best < 0 || p->prio > a->pairs[best].prio)) best = (int)i;
  }
  if (best < 0) return RTG_TIME_NEVER;
  for (size_t i = 0; i < a->npairs; i++) {
    const struct pair *p = &a->pairs[i];
    if ((p->state == P_WAITING || p->state == P_INPROGRESS || p->state == P_FROZEN) &&
        p->prio > a->pairs[best].prio)
      pending = true;
  }
  *which = best;
  return pending ? a->first_valid + a->cfg.nominate_after : 0;
}

static void regular_nomination(struct rtg_ice_agent *a, rtg_time now) {
  int best;
  if (nomination_due(a, &best) > now || best < 0) return;
  a->nominating = true;
  a->pairs[best].use_cand = true;
  a->pairs[best].state = P_WAITING;
  trigger_first(a, (size_t)best);
}

int rtg_ice_agent_handle_timeout(struct rtg_ice_agent *a, rtg_time now) {
  /* retransmissions (RFC 8489 §6.2.1, paced apart from new checks) */
  for (size_t i = 0; i < a->npairs; i++) {
    struct pair *p = &a->pairs[i];
    if (!p->tx_active || now < p->next) continue;
    if (p->sends >= a->cfg.max_sends) {
      p->tx_active = false;
      if (!p->consent) {
        p->state = P_FAILED;
        if (p->use_cand && a->role == RTG_ICE_CONTROLLING) a->nominating = false;
      }
      continue;
    }
    p->sends++;
    p->rto *= 2;
    p->next = now + p->rto;
    send_check(a, i);
  }
  check_failed(a);
  if (a->cfg.mode == RTG_ICE_FULL && a->have_rcred) {
    regular_nomination(a, now);
    if (now >= a->next_pace) {
      int pi = -1;
      while (a->ntrig && pi < 0) {
        pi = a->trig[0];
        memmove(a->trig, a->trig + 1, --a->ntrig);
        a->pairs[pi].queued = false;
        if (a->pairs[pi].tx_active && !a->pairs[pi].consent) pi = -1;
      }
      if (pi < 0) pi = next_ordinary(a);
      if (pi >= 0) {
        start_check(a, (size_t)pi, now, false);
        a->next_pace = now + a->cfg.ta;
      }
    }
  }
  /* RFC 8445 §11: keepalives on the selected pair. A full agent's consent
   * checks are its keepalives; a lite agent sends no checks, so it sends
   * a Binding indication every Tr = 15 s */
  if (a->have_sel && a->cfg.mode == RTG_ICE_LITE && now >= a->keepalive_next) {
    a->keepalive_next = now + RTG_SEC(15);
    send_indication(a);
  }
  /* consent freshness on the selected pair (RFC 7675 §5.1) */
  if (a->have_sel && a->selected >= 0 && a->cfg.mode == RTG_ICE_FULL && !a->failed) {
    if (now >= a->consent_expire) {
      struct rtg_ice_event e;
      a->failed = true;
      memset(&e, 0, sizeof e);
      e.type = RTG_ICE_EV_CONSENT_LOST;
      e.role = a->role;
      e.local = a->sel_local;
      e.remote = a->sel_remote;
      emit(a, &e);
    } else if (now >= a->consent_next && a->selected >= 0 && (size_t)a->selected < a->npairs) {
      uint8_t r = 0;
      struct pair *p = &a->pairs[a->selected];
      if (rtg_random(&a->ctx, &r, 1)) r = 128;
      /* 0.8..1.2 times the interval, against synchronised bursts */
      a->consent_next = now + a->cfg.consent_interval * (80 + (r % 41)) / 100;
      if (!p->tx_active) {
        start_check(a, (size_t)a->selected, now, true);
      } else if (p->consent) {
        /* a consent transaction still unanswered: send it again now with a
         * fresh backoff, so its attempts spread over the 30 s window instead
         * of bunching up at the start of a long exponential backoff */
        p->sends = 1;
        p->rto = a->cfg.rto;
        p->next = now + p->rto;
        send_check(a, (size_t)a->selected);
      }
    }
  }
  return 0;
}

rtg_time rtg_ice_agent_poll_timeout(const struct rtg_ice_agent *a) {
  rtg_time t = RTG_TIME_NEVER;
  if (a->have_sel && a->cfg.mode == RTG_ICE_LITE) t = a->keepalive_next;
  for (size_t i = 0; i < a->npairs; i++)
    if (a->pairs[i].tx_active && a->pairs[i].next < t) t = a->pairs[i].next;
  if (a->cfg.mode == RTG_ICE_FULL && a->have_rcred && !a->failed) {
    bool work = a->ntrig > 0;
    for (size_t i = 0; i < a->npairs && !work; i++)
      if ((a->pairs[i].state == P_WAITING || a->pairs[i].state == P_FROZEN) &&
          !a->pairs[i].tx_active)
        work = true;
    if (work && a->next_pace < t) t = a->next_pace;
    {
      int best;
      rtg_time due = nomination_due(a, &best);
      if (due < t) t = due;
    }
  }
  /* consent runs on a selected pair of the current checklist: during an
   * ICE restart it pauses until the new pair is selected (ice_agent fuzz
   * finding: the timer stayed in the past) */
  if (a->have_sel && a->selected >= 0 && a->cfg.mode == RTG_ICE_FULL && !a->failed) {
    if (a->consent_next < t) t = a->consent_next;
    if (a->consent_expire < t) t = a->consent_expire;
  }
  return t;
}

int rtg_ice_agent_poll_transmit(struct rtg_ice_agent *a, uint8_t *buf, size_t cap, size_t *len,
                                struct rtg_stun_addr *src, struct rtg_stun_addr *dst) {
  struct txq *q;
  if (a->tx_n == 0) return RTG_ERR_AGAIN;
  q = &a->tx[a->tx_head];
  if (q->len > cap) return RTG_ERR_NOBUF;
  memcpy(buf, q->data, q->len);
  *len = q->len;
  *src = q->src;
  *dst = q->dst;
  a->tx_head = (a->tx_head + 1) % MAX_TX;
  a->tx_n--;
  return 0;
}

int rtg_ice_agent_poll_event(struct rtg_ice_agent *a, struct rtg_ice_event *ev) {
  if (a->ev_n == 0) return RTG_ERR_AGAIN;
  *ev = a->ev[a->ev_head];
  a->ev_head = (a->ev_head + 1) % MAX_EV;
  a->ev_n--;
  return 0;
}

/* ---- setup --------------------------------------------------------------- */

static int copy_cred(char *dst, const char *s) {
  size_t n;
  if (s == NULL) return RTG_ERR_INVAL;
  n = strlen(s);
  if (n == 0 || n > RTG_ICE_MAX_CRED) return RTG_ERR_INVAL;
  memcpy(dst, s, n + 1);
  return 0;
}

int rtg_ice_agent_new(struct rtg_ice_agent **out, const struct rtg_ctx *ctx,
                      const struct rtg_ice_config *cfg) {
  struct rtg_ice_agent *a;
  int rc;
  *out = NULL;
  if (ctx == NULL || cfg == NULL || cfg->mode > RTG_ICE_LITE || cfg->role > RTG_ICE_CONTROLLED)
    return RTG_ERR_INVAL;
  a = rtg_alloc(ctx, sizeof *a);
  if (a == NULL) return RTG_ERR_NOMEM;
  a->ctx = *ctx;
  a->cfg = *cfg;
  a->cfg.ufrag = NULL;
  a->cfg.pwd = NULL;
  if (!a->cfg.ta) a->cfg.ta = RTG_MS(50);
  if (!a->cfg.rto) a->cfg.rto = RTG_MS(250);
  if (!a->cfg.max_sends) a->cfg.max_sends = 7;
  if (!a->cfg.nominate_after) a->cfg.nominate_after = RTG_MS(200);
  if (!a->cfg.consent_interval) a->cfg.consent_interval = RTG_SEC(5);
  if (!a->cfg.consent_timeout) a->cfg.consent_timeout = RTG_SEC(30);
  a->role = cfg->role;
  /* RFC 8445 §6.1.1: lite is controlled; facing lite, full controls */
  if (cfg->mode == RTG_ICE_LITE) a->role = RTG_ICE_CONTROLLED;
  if (cfg->remote_lite && cfg->mode == RTG_ICE_FULL) {
    a->role = RTG_ICE_CONTROLLING;
    /* a lite peer nominates whatever carries USE-CANDIDATE, so only a
     * pair whose check succeeded may carry it (RFC 8445 §8.1.1) */
    a->cfg.nomination = RTG_ICE_NOMINATE_REGULAR;
  }
  a->selected = -1;
  a->valid_best = -1;
  a->tie = cfg->tie_breaker;
  rc = copy_cred(a->lufrag, cfg->ufrag);
  if (rc == 0) rc = copy_cred(a->lpwd, cfg->pwd);
  if (rc == 0 && a->tie == 0) rc = rtg_random(ctx, &a->tie, sizeof a->tie);
  if (rc == 0) rc = rtg_stun_cred_init_short(&a->lcred, a->lpwd, strlen(a->lpwd));
  if (rc) {
    rtg_free(ctx, a);
    return rc == RTG_ERR_INVAL ? RTG_ERR_INVAL : RTG_ERR_CRYPTO;
  }
  *out = a;
  return 0;
}

void rtg_ice_agent_free(struct rtg_ice_agent *a) {
  struct rtg_ctx ctx;
  if (a == NULL) return;
  ctx = a->ctx;
  rtg_stun_cred_free(&a->lcred);
  rtg_stun_cred_free(&a->rcred);
  memset(a, 0, sizeof *a);
  rtg_free(&ctx, a);
}

static int check_cand(const struct rtg_ice_cand *c) {
  if (c->type > RTG_ICE_CAND_RELAY || memchr(c->foundation, 0, sizeof c->foundation) == NULL ||
      memchr(c->hostname, 0, sizeof c->hostname) == NULL)
    return RTG_ERR_INVAL;
  return 0;
}

int rtg_ice_agent_add_local_candidate(struct rtg_ice_agent *a, const struct rtg_ice_cand *c) {
  struct rtg_ice_cand *l;
  if (check_cand(c) || !valid_addr(&c->addr) || c->hostname[0]) return RTG_ERR_INVAL;
  if (a->nlocal == RTG_ICE_MAX_LOCAL) return RTG_ERR_NOBUF;
  l = &a->local[a->nlocal];
  *l = *c;
  if (!valid_addr(&l->base) || c->type == RTG_ICE_CAND_HOST) l->base = l->addr;
  if (l->priority == 0) l->priority = rtg_ice_cand_priority(c->type, (uint16_t)(65535 - a->nlocal));
  if (l->foundation[0] == '\0') {
    /* RFC 8445 §5.1.1.3: same type and base IP = same foundation */
    uint32_t h = rtg_crc32(0, l->base.addr, l->base.family == 1 ? 4 : 16) ^ c->type;
    for (int i = 0; i < 8; i++) l->foundation[i] = (char)('a' + ((h >> (4 * i)) & 15));
    l->foundation[8] = '\0';
  }
  a->nlocal++;
  for (size_t ri = 0; ri < a->nremote; ri++)
    if (pairable(a, a->nlocal - 1, ri)) (void)add_pair(a, a->nlocal - 1, ri);
  return 0;
}

static bool is_mdns(const char *h) {
  size_t n = strlen(h);
  return n > 6 && strcmp(h + n - 6, ".local") == 0;
}

int rtg_ice_agent_add_remote_candidate(struct rtg_ice_agent *a, const struct rtg_ice_cand *c) {
  size_t ri;
  if (check_cand(c)) return RTG_ERR_INVAL;
  if (c->hostname[0] == '\0' && !valid_addr(&c->addr)) return RTG_ERR_INVAL;
  if (c->hostname[0] && !is_mdns(c->hostname)) return RTG_ERR_INVAL;     /* DNS is the caller's */
  if (c->hostname[0] == '\0' && find_remote(a, &c->addr) >= 0) return 0; /* duplicate */
  if (a->nremote == RTG_ICE_MAX_REMOTE) return RTG_ERR_NOBUF;
  ri = a->nremote++;
  a->remote[ri] = *c;
  if (a->remote[ri].priority == 0) a->remote[ri].priority = rtg_ice_cand_priority(c->type, 65535);
  a->remote_resolved[ri] = c->hostname[0] == '\0';
  if (!a->remote_resolved[ri]) {
    struct rtg_ice_event e;
    memset(&e, 0, sizeof e);
    e.type = RTG_ICE_EV_MDNS_UNRESOLVED;
    e.role = a->role;
    e.remote = *c;
    memcpy(e.hostname, c->hostname, sizeof e.hostname);
    emit(a, &e);
    return 0;
  }
  pair_new_remote(a, ri);
  return 0;
}

int rtg_ice_agent_resolve_mdns(struct rtg_ice_agent *a, const char *hostname,
                               const struct rtg_stun_addr *addr) {
  bool found = false;
  if (!valid_addr(addr)) return RTG_ERR_INVAL;
  for (size_t ri = 0; ri < a->nremote; ri++) {
    if (a->remote_resolved[ri] || strcmp(a->remote[ri].hostname, hostname) != 0) continue;
    a->remote[ri].addr = *addr;
    a->remote[ri].addr.port = a->remote[ri].addr.port ? a->remote[ri].addr.port : addr->port;
    a->remote_resolved[ri] = true;
    pair_new_remote(a, ri);
    found = true;
  }
  return found ? 0 : RTG_ERR_NOTFOUND;
}

void rtg_ice_agent_end_of_candidates(struct rtg_ice_agent *a) {
  a->eoc = true;
  check_failed(a);
}

int rtg_ice_agent_set_remote_credentials(struct rtg_ice_agent *a, const char *ufrag,
                                         const char *pwd) {
  char u[RTG_ICE_MAX_CRED + 1], p[RTG_ICE_MAX_CRED + 1];
  int rc = copy_cred(u, ufrag);
  if (rc == 0) rc = copy_cred(p, pwd);
  if (rc) return rc;
  if (a->have_rcred && strcmp(u, a->rufrag) == 0 && strcmp(p, a->rpwd) == 0) return 0;
  rtg_stun_cred_free(&a->rcred);
  if (rtg_stun_cred_init_short(&a->rcred, p, strlen(p))) return RTG_ERR_CRYPTO;
  memcpy(a->rufrag, u, sizeof u);
  memcpy(a->rpwd, p, sizeof p);
  a->have_rcred = true;
  return 0;
}

int rtg_ice_agent_restart(struct rtg_ice_agent *a, const char *ufrag, const char *pwd) {
  char u[RTG_ICE_MAX_CRED + 1], p[RTG_ICE_MAX_CRED + 1];
  int rc = copy_cred(u, ufrag);
  if (rc == 0) rc = copy_cred(p, pwd);
  if (rc) return rc;
  rtg_stun_cred_free(&a->lcred);
  if (rtg_stun_cred_init_short(&a->lcred, p, strlen(p))) return RTG_ERR_CRYPTO;
  memcpy(a->lufrag, u, sizeof u);
  memcpy(a->lpwd, p, sizeof p);
  /* RFC 8445 §9: a new checklist; media stays on the selected pair (kept
   * in sel_local/sel_remote) until a new one is nominated */
  a->npairs = 0;
  a->ntrig = 0;
  a->nremote = 0;
  a->selected = -1;
  a->valid_best = -1;
  a->have_rcred = false;
  a->eoc = false;
  a->failed = false;
  a->connected = a->have_sel;
  a->nominating = false;
  a->first_valid = 0;
  /* only gathered candidates survive; learnt peer-reflexive ones go */
  {
    size_t n = 0;
    for (size_t i = 0; i < a->nlocal; i++)
      if (a->local[i].type != RTG_ICE_CAND_PRFLX) a->local[n++] = a->local[i];
    a->nlocal = n;
  }
  return 0;
}

int rtg_ice_agent_selected_pair(const struct rtg_ice_agent *a, struct rtg_ice_cand *local,
                                struct rtg_ice_cand *remote) {
  if (!a->have_sel) return RTG_ERR_NOTFOUND;
  if (local) *local = a->sel_local;
  if (remote) *remote = a->sel_remote;
  return 0;
}

uint8_t rtg_ice_agent_role(const struct rtg_ice_agent *a) { return a->role; }
