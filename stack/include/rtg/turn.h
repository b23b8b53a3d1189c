/*
 * rtg/turn.h - sans-IO TURN client (RFC 8656) over UDP: Allocate with
 * long-term credentials (RFC 8489 §9.2: MD5 or SHA-256 keys, realm/nonce,
 * 401 and 438 retries), Refresh, CreatePermission, ChannelBind, Send/Data
 * indications and ChannelData, transaction retransmissions (RFC 8489
 * §6.2.1) driven by handle_timeout.
 *
 * Shape (DESIGN.md rule 1): feed datagrams from the server with
 * rtg_turn_client_handle_datagram, expired timers with
 * rtg_turn_client_handle_timeout, then drain rtg_turn_client_poll_transmit
 * (datagrams to send to the server) and rtg_turn_client_poll_event until
 * they return RTG_ERR_AGAIN; sleep until rtg_turn_client_poll_timeout.
 * Nothing here reads a clock or opens a socket.
 *
 * Timers: allocation refreshed 60 s before it expires, permissions every
 * 240 s (they last 300 s, RFC 8656 §9), channel bindings every 540 s (600
 * s, §12).
 */
#ifndef RTG_TURN_H
#define RTG_TURN_H

#include "rtg/core.h"
#include "rtg/ice.h"
#include "rtg/stun.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTG_TURN_MAX_PEERS 16       /* permissions / channels tracked */
#define RTG_TURN_MAX_TRANSACTIONS 8 /* requests in flight */
#define RTG_TURN_MAX_DATAGRAM 1600  /* largest datagram queued or relayed */
#define RTG_TURN_QUEUE 16           /* queued transmits and events */

struct rtg_turn_config {
  struct rtg_stun_addr server; /* where every datagram goes */
  const char *username;        /* long-term credential, already prepared */
  const char *password;
  uint32_t lifetime;    /* requested allocation lifetime, s (0: 600) */
  rtg_time rto;         /* initial retransmission timeout (0: 500 ms) */
  bool prefer_md5;      /* use MD5 even when the server offers SHA-256 */
  bool ipv6_relay;      /* REQUESTED-ADDRESS-FAMILY IPv6 (RFC 8656 §18.10) */
  const char *software; /* SOFTWARE attribute, or NULL */
};

enum rtg_turn_event_type {
  RTG_TURN_EV_NONE = 0,
  RTG_TURN_EV_ALLOCATED,          /* relayed + mapped + lifetime */
  RTG_TURN_EV_REFRESHED,          /* lifetime */
  RTG_TURN_EV_DEALLOCATED,        /* Refresh with lifetime 0 succeeded */
  RTG_TURN_EV_PERMISSION_CREATED, /* peer */
  RTG_TURN_EV_CHANNEL_BOUND,      /* peer + channel */
  RTG_TURN_EV_DATA,               /* peer (+ channel) + data */
  RTG_TURN_EV_FAILED,             /* method + error_code (0: timeout) */
};

struct rtg_turn_event {
  enum rtg_turn_event_type type;
  uint16_t method;     /* FAILED: the request's method */
  uint16_t error_code; /* FAILED: 0 for a transaction timeout */
  struct rtg_stun_addr relayed, mapped, peer;
  uint32_t lifetime;
  uint16_t channel;
  const uint8_t *data; /* DATA: valid until the next call on the client */
  size_t len;
};

struct rtg_turn_client;

/* rtg_turn_client_new creates a client with |cfg| (strings are copied);
 * memory and transaction IDs come from |ctx|, which must outlive it.
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_turn_client_new(struct rtg_turn_client **out, const struct rtg_ctx *ctx,
                                      const struct rtg_turn_config *cfg);
void rtg_turn_client_free(struct rtg_turn_client *c);

/* rtg_turn_client_allocate starts the Allocate transaction (RFC 8656 §7.1,
 * REQUESTED-TRANSPORT UDP). returns 0 or one of: RTG_ERR_STATE (already
 * allocating or allocated), RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_turn_client_allocate(struct rtg_turn_client *c, rtg_time now);

/* rtg_turn_client_refresh sends a Refresh asking for |lifetime| seconds;
 * 0 deletes the allocation (RFC 8656 §8).
 * returns 0 or one of: RTG_ERR_STATE, RTG_ERR_AGAIN (too many requests in
 * flight), RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_turn_client_refresh(struct rtg_turn_client *c, rtg_time now,
                                          uint32_t lifetime);

/* rtg_turn_client_permit installs a permission for |peer|'s IP (RFC 8656
 * §10) and keeps it refreshed.
 * returns 0 or one of: RTG_ERR_STATE, RTG_ERR_AGAIN, RTG_ERR_NOMEM (peer
 * table full), RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_turn_client_permit(struct rtg_turn_client *c, rtg_time now,
                                         const struct rtg_stun_addr *peer);

/* rtg_turn_client_bind binds a channel to |peer| (RFC 8656 §12.1); the
 * number chosen (0x4000..) is stored in |*channel| and data to |peer| uses
 * ChannelData once the server confirmed it.
 * returns 0 or one of: RTG_ERR_STATE, RTG_ERR_AGAIN, RTG_ERR_NOMEM,
 * RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_turn_client_bind(struct rtg_turn_client *c, rtg_time now,
                                       const struct rtg_stun_addr *peer, uint16_t *channel);

/* rtg_turn_client_send queues |len| bytes for |peer|: ChannelData when a
 * channel to |peer| is bound, a Send indication otherwise (RFC 8656 §11).
 * returns 0 or one of: RTG_ERR_STATE (no allocation), RTG_ERR_AGAIN (queue
 * full), RTG_ERR_NOBUF (too large). */
RTG_NODISCARD int rtg_turn_client_send(struct rtg_turn_client *c, rtg_time now,
                                       const struct rtg_stun_addr *peer, const void *data,
                                       size_t len);

/* rtg_turn_client_handle_datagram takes one datagram received from |src|.
 * Datagrams not from the server, unknown transactions, responses failing
 * their integrity check and data from unknown channels are dropped
 * (returns RTG_ERR_AUTH / RTG_ERR_NOTFOUND / RTG_ERR_PARSE, the client is
 * unaffected). returns 0 or one of the above. */
RTG_NODISCARD int rtg_turn_client_handle_datagram(struct rtg_turn_client *c, rtg_time now,
                                                  const struct rtg_stun_addr *src,
                                                  const uint8_t *data, size_t len);

/* rtg_turn_client_handle_timeout runs retransmissions, transaction
 * timeouts and refresh timers due at |now|. returns 0. */
RTG_NODISCARD int rtg_turn_client_handle_timeout(struct rtg_turn_client *c, rtg_time now);

/* rtg_turn_client_poll_transmit copies the next datagram to send into
 * |buf| and its destination (the server) into |*dst|.
 * returns 0 or one of: RTG_ERR_AGAIN (nothing to send), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_turn_client_poll_transmit(struct rtg_turn_client *c, uint8_t *buf, size_t cap,
                                                size_t *len, struct rtg_stun_addr *dst);

/* rtg_turn_client_poll_timeout: when handle_timeout is next due, or
 * RTG_TIME_NEVER. */
rtg_time rtg_turn_client_poll_timeout(const struct rtg_turn_client *c);

/* rtg_turn_client_poll_event returns the next event. At most
 * RTG_TURN_QUEUE events wait; later ones (e.g. a burst of DATA the caller
 * does not drain) are dropped, like datagrams on a full socket buffer.
 * returns 0 or one of: RTG_ERR_AGAIN. */
RTG_NODISCARD int rtg_turn_client_poll_event(struct rtg_turn_client *c, struct rtg_turn_event *ev);

/* The relayed transport address once allocated (false before). */
bool rtg_turn_client_relayed(const struct rtg_turn_client *c, struct rtg_stun_addr *out);

/* rtg_turn_client_ice_candidate fills |out| with the relay candidate of
 * the allocation for the ICE agent (RFC 8445 §5.1.1.2: address and base
 * are the relayed address; priority for |local_pref|, RFC 8445 §5.1.2.1;
 * |foundation| 1..32 ice-chars). Checks the agent sends from that base go
 * through rtg_turn_client_send; DATA events are fed to the agent with the
 * relayed address as the local base.
 * returns 0 or one of: RTG_ERR_STATE (no allocation), RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_turn_client_ice_candidate(const struct rtg_turn_client *c,
                                                const char *foundation, uint16_t local_pref,
                                                struct rtg_ice_cand *out);

#ifdef __cplusplus
}
#endif
#endif /* RTG_TURN_H */
