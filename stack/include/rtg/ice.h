/*
 * rtg/ice.h - a sans-IO ICE agent (RFC 8445), with trickle (RFC 8838) and
 * consent freshness (RFC 7675). Code in stack/stun/ice.c.
 *
 * Shape (DESIGN.md rule 1): the caller owns the sockets and the clock.
 * handle_datagram() for every STUN datagram received on a local base,
 * handle_timeout() when poll_timeout() says so, then drain poll_transmit()
 * (send |len| bytes from |src| to |dst|) and poll_event() until they return
 * RTG_ERR_AGAIN. Candidates are gathered by the caller (host addresses,
 * STUN/TURN) and handed in; mDNS `.local` names are reported back unresolved
 * for the I/O layer to resolve (rtg_ice_agent_resolve_mdns).
 *
 * One component (WebRTC bundles RTP and RTCP on component 1).
 */
#ifndef RTG_ICE_H
#define RTG_ICE_H

#include "rtg/core.h"
#include "rtg/stun.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTG_ICE_MAX_LOCAL 8
#define RTG_ICE_MAX_REMOTE 32
#define RTG_ICE_MAX_PAIRS 128
#define RTG_ICE_MAX_CRED 256 /* ice-ufrag / ice-pwd: up to 256 characters */

enum rtg_ice_cand_type {
  RTG_ICE_CAND_HOST = 0,
  RTG_ICE_CAND_SRFLX = 1,
  RTG_ICE_CAND_PRFLX = 2,
  RTG_ICE_CAND_RELAY = 3,
};

enum rtg_ice_role {
  RTG_ICE_CONTROLLING = 0,
  RTG_ICE_CONTROLLED = 1,
};

enum rtg_ice_mode {
  RTG_ICE_FULL = 0,
  RTG_ICE_LITE = 1,
};

enum rtg_ice_nomination {
  RTG_ICE_NOMINATE_REGULAR = 0,    /* RFC 8445 §8.1.1: checks, then USE-CANDIDATE */
  RTG_ICE_NOMINATE_AGGRESSIVE = 1, /* USE-CANDIDATE on every check (RFC 5245) */
};

/* A candidate (RFC 8445 §5.1). |addr| is the transport address, |base| the
 * local address packets are sent from (host: itself; srflx: its host base;
 * relay: the relayed address). |hostname| non-empty = an mDNS name
 * (RFC 8838-era `.local` candidates) whose |addr| is not known yet. */
struct rtg_ice_cand {
  uint8_t type; /* enum rtg_ice_cand_type */
  struct rtg_stun_addr addr;
  struct rtg_stun_addr base;
  uint32_t priority; /* 0 = compute from type (RFC 8445 §5.1.2) */
  char foundation[33];
  char hostname[64];
};

struct rtg_ice_config {
  uint8_t mode;       /* enum rtg_ice_mode */
  uint8_t role;       /* enum rtg_ice_role (lite agents are always controlled) */
  uint8_t nomination; /* enum rtg_ice_nomination (controlling side) */
  bool remote_lite;   /* the peer said a=ice-lite: we must be controlling */
  const char *ufrag;  /* local credentials (required) */
  const char *pwd;
  uint64_t tie_breaker;    /* 0 = draw one from the context */
  rtg_time ta;             /* check pacing, default 50 ms (RFC 8445 §14.2) */
  rtg_time rto;            /* first retransmission timeout, default 250 ms */
  uint8_t max_sends;       /* transmissions of one check, default 7 (Rc) */
  rtg_time nominate_after; /* regular nomination delay after the first valid pair, default 200 ms */
  rtg_time consent_interval; /* default 5 s, randomised 0.8..1.2 (RFC 7675 §5.1) */
  rtg_time consent_timeout;  /* default 30 s (RFC 7675 §5.1) */
};

enum rtg_ice_event_type {
  RTG_ICE_EV_SELECTED_PAIR = 1, /* the selected pair changed: |local|, |remote| */
  RTG_ICE_EV_CONNECTED,         /* first selected pair */
  RTG_ICE_EV_FAILED,            /* every pair failed after end-of-candidates */
  RTG_ICE_EV_CONSENT_LOST,      /* no consent response for consent_timeout (RFC 7675) */
  RTG_ICE_EV_MDNS_UNRESOLVED,   /* a remote `.local` candidate: |hostname| needs resolving */
  RTG_ICE_EV_ROLE_CHANGED,      /* role conflict resolved (RFC 8445 §7.3.1.1): |role| */
  RTG_ICE_EV_VALID_PAIR,        /* a better valid pair while none is selected yet: |local|,
                                   |remote|; RFC 8445 §12.1 lets data go on it until selection */
};

struct rtg_ice_event {
  uint8_t type; /* enum rtg_ice_event_type */
  uint8_t role;
  struct rtg_ice_cand local;
  struct rtg_ice_cand remote;
  char hostname[64];
};

struct rtg_ice_agent;

/* rtg_ice_cand_priority: RFC 8445 §5.1.2.1 priority for a candidate of
 * |type| with |local_pref| (0..65535) on component 1. */
uint32_t rtg_ice_cand_priority(uint8_t type, uint16_t local_pref);

/* rtg_ice_agent_new allocates an agent through |ctx| (which must outlive
 * it; its randomness draws transaction IDs, the tie-breaker and consent
 * jitter) configured by |cfg| (strings are copied).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_NOMEM, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_ice_agent_new(struct rtg_ice_agent **out, const struct rtg_ctx *ctx,
                                    const struct rtg_ice_config *cfg);
void rtg_ice_agent_free(struct rtg_ice_agent *a);

/* rtg_ice_agent_add_local_candidate adds a gathered candidate (host,
 * srflx or relay). Host and relay candidates are paired with the remote
 * ones; a srflx one is advertised only (its base does the checks, RFC 8445
 * §6.1.2.4).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_ice_agent_add_local_candidate(struct rtg_ice_agent *a,
                                                    const struct rtg_ice_cand *c);
/* rtg_ice_agent_set_remote_credentials sets the peer's ice-ufrag/ice-pwd;
 * checks start once they are known. A different ufrag than before is a
 * remote ICE restart.
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_ice_agent_set_remote_credentials(struct rtg_ice_agent *a, const char *ufrag,
                                                       const char *pwd);
/* rtg_ice_agent_add_remote_candidate adds a (trickled) remote candidate.
 * A candidate with a `.local` hostname is kept unresolved and reported
 * with RTG_ICE_EV_MDNS_UNRESOLVED.
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_ice_agent_add_remote_candidate(struct rtg_ice_agent *a,
                                                     const struct rtg_ice_cand *c);
/* rtg_ice_agent_resolve_mdns gives the address of an mDNS |hostname|.
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_ice_agent_resolve_mdns(struct rtg_ice_agent *a, const char *hostname,
                                             const struct rtg_stun_addr *addr);
/* rtg_ice_agent_end_of_candidates: the peer sent end-of-candidates (RFC
 * 8838 §8.2); once every pair failed the agent reports RTG_ICE_EV_FAILED. */
void rtg_ice_agent_end_of_candidates(struct rtg_ice_agent *a);
/* rtg_ice_agent_restart starts a local ICE restart (RFC 8445 §9) with new
 * local credentials: remote candidates and the checklist are dropped, the
 * selected pair stays in use until a new one is selected; the caller then
 * sets the new remote credentials and candidates.
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_ice_agent_restart(struct rtg_ice_agent *a, const char *ufrag,
                                        const char *pwd);

/* rtg_ice_agent_handle_datagram feeds a STUN datagram |data| received at
 * |now| on local base |local| from |src|.
 * returns 0 or one of: RTG_ERR_PARSE (not a valid STUN message),
 * RTG_ERR_AUTH (integrity or fingerprint failed; answered or dropped),
 * RTG_ERR_NOTFOUND (no local candidate has base |local|, or a response to
 * no outstanding check). */
RTG_NODISCARD int rtg_ice_agent_handle_datagram(struct rtg_ice_agent *a, rtg_time now,
                                                const struct rtg_stun_addr *local,
                                                const struct rtg_stun_addr *src,
                                                const uint8_t *data, size_t len);
/* rtg_ice_agent_handle_timeout runs the timers due at |now| (pacing,
 * retransmissions, nomination, consent).
 * returns 0. */
RTG_NODISCARD int rtg_ice_agent_handle_timeout(struct rtg_ice_agent *a, rtg_time now);
/* rtg_ice_agent_poll_transmit takes the next datagram to send into |buf|
 * (|cap| >= 600 is always enough): |*len| bytes from |*src| to |*dst|.
 * returns 0 or one of: RTG_ERR_AGAIN (nothing to send), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_ice_agent_poll_transmit(struct rtg_ice_agent *a, uint8_t *buf, size_t cap,
                                              size_t *len, struct rtg_stun_addr *src,
                                              struct rtg_stun_addr *dst);
/* rtg_ice_agent_poll_timeout: when to call handle_timeout next, or
 * RTG_TIME_NEVER. */
rtg_time rtg_ice_agent_poll_timeout(const struct rtg_ice_agent *a);
/* rtg_ice_agent_poll_event takes the next event into |ev|.
 * returns 0 or one of: RTG_ERR_AGAIN. */
RTG_NODISCARD int rtg_ice_agent_poll_event(struct rtg_ice_agent *a, struct rtg_ice_event *ev);

/* rtg_ice_agent_selected_pair: the pair media goes on now.
 * returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_ice_agent_selected_pair(const struct rtg_ice_agent *a,
                                              struct rtg_ice_cand *local,
                                              struct rtg_ice_cand *remote);
/* rtg_ice_agent_role: the current role (it may change on a conflict). */
uint8_t rtg_ice_agent_role(const struct rtg_ice_agent *a);

#ifdef __cplusplus
}
#endif
#endif /* RTG_ICE_H */
