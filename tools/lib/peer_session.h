/*
 * peer_session.h - `rtcgate peer` sessions: one rtg_peer driven over the
 * I/O of peer_io.h, as the answerer behind the HTTP server (--listen) or
 * as the offerer running the active test (--offer-to, peer_test.c).
 */
#ifndef RTG_PEER_SESSION_H
#define RTG_PEER_SESSION_H

#include "lib/peer_io.h"
#include "rtg/peer.h"

struct rtg_pio_options {
  const char *listen;   /* ADDR:PORT or NULL */
  const char *offer_to; /* URL or NULL */
  const char *trickle;  /* --trickle BASE: candidates through a mailbox, or NULL */
  unsigned expect;      /* enum rtg_pio_expect bits */
  const char *json, *keylog, *bind, *stun, *turn, *turn_user, *turn_password;
  bool relay_only, quiet;
  bool mdns; /* host candidates as <uuid>.local names, answered by our responder */
  double loss_percent;
  bool have_seed;
  uint64_t seed;
  long long timeout_ms;
  unsigned long long echo_max; /* largest echo message (0: 256 KiB) */
  long sessions;               /* --listen: stop after this many (0: until a signal) */
};

/* The offerer's active test (peer_test.c). */
#define RTG_PIO_ECHO_SIZES 19 /* 1 B, 2 B, 4 B, ..., 256 KiB */

enum { RTG_PIO_AUDIO = 0, RTG_PIO_VIDEO = 1, RTG_PIO_KINDS = 2 };

struct rtg_pio_test {
  bool dc_requested;
  /* ordered reliable echo */
  uint16_t sid;
  bool open, waiting, done, mismatch, mms_limited;
  size_t idx;  /* index of the size in flight */
  size_t size; /* its size */
  rtg_time sent_at;
  uint8_t *msg; /* the message in flight */
  double rtt_ms[RTG_PIO_ECHO_SIZES + 1];
  size_t nrtt;
  size_t largest; /* largest size echoed back intact */
  double ms_256k; /* round trip of the 256 KiB message */
  /* unordered, maxRetransmits=0 */
  uint16_t usid;
  bool uopen;
  unsigned usent, uechoed, ubad;
  rtg_time unext;
  /* media */
  bool media_on;
  uint8_t pt[RTG_PIO_KINDS];
  bool have_pt[RTG_PIO_KINDS];
  uint32_t seq[RTG_PIO_KINDS];
  rtg_time mnext[RTG_PIO_KINDS];
  unsigned msent[RTG_PIO_KINDS], mvalid[RTG_PIO_KINDS], minvalid[RTG_PIO_KINDS];
  unsigned mforeign[RTG_PIO_KINDS];  /* the remote's own packets of that kind */
  unsigned mreported[RTG_PIO_KINDS]; /* of ours, received per its RTCP reports */
  /* RTCP: reports received, and the answers to a PLI and a NACK we send
   * about the remote's video echo stream */
  unsigned rtcp_in, rtcp_sr, rtcp_rr, rtcp_bad;
  uint32_t echo_ssrc; /* the remote's video echo SSRC */
  uint16_t echo_seq;  /* the last sequence number seen on it */
  bool fb_sent, pli_answered, nack_answered;
  uint16_t nacked; /* the sequence number we NACKed */
  /* ICE restart: 1 renegotiated, 2 a pair selected since, 3 echo after it */
  int restart;
  rtg_time restart_at;
  uint16_t restart_sid_msg;
};

struct rtg_pio_net;

struct rtg_pio_session {
  struct rtg_pio_net *net;
  struct rtg_peer *peer;
  bool offerer;
  json_t *js;     /* this session in the report */
  json_t *events; /* borrowed from js */
  unsigned met;
  rtg_time started, deadline;
  rtg_time offer_sent_at, dc_open_at;
  struct rtg_pio_stun stun;
  bool stun_on, gathered, ended, signaling_failed;
  const char *end_reason;
  char failure[256];
  /* answerer: the HTTP request waiting for our answer */
  bool req_pending;
  unsigned req;
  char *pending_offer; /* applied once our candidates are gathered */
  char remote_sess_id[64];
  char remote_ufrag[300];
  bool restart_pending; /* the remote restarted ICE; no pair selected since */
  /* --trickle: candidates through the mailbox (peer_trickle.c) */
  struct rtg_pio_trickle *tr;
  bool gathering_started;
  /* offerer */
  char *remote_sdp;
  struct rtg_pio_test t;
  uint64_t dc_messages, rtp_packets;
};

struct rtg_pio_net {
  const struct rtg_pio_options *o;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_pio_loop loop;
  struct rtg_pio_sock socks[RTG_PIO_MAX_SOCKS];
  size_t nsocks;
  char mdns_name[RTG_PIO_MAX_SOCKS][48]; /* with --mdns */
  struct rtg_pio_mdns mdns;
  bool mdns_open;
  struct rtg_pio_report report;
  struct rtg_stun_addr stun_server, turn_server;
  bool have_stun, have_turn;
  struct rtg_peer_turn turn;
  struct rtg_pio_session *sess; /* the current session or NULL */
  struct rtg_pio_http *http;
  unsigned sessions_done, sessions_ok;
  bool posting; /* an offer's POST is on its way: no test steps meanwhile */
  uint8_t buf[65536];
};

/* The two modes; each returns the process exit code. */
int rtg_pio_run_offerer(const struct rtg_pio_options *o);
int rtg_pio_run_answerer(const struct rtg_pio_options *o);
/* --mdns-resolve NAME / --mdns-publish NAME=ADDR (peer_mdns.c). */
int rtg_pio_run_mdns(const char *resolve, const char *publish, long long timeout_ms);

/* Shared by peer_session.c and peer_test.c. */
void rtg_pio_session_event(struct rtg_pio_session *s, rtg_time now, const char *name,
                           json_t *fields);
void rtg_pio_session_met(struct rtg_pio_session *s, rtg_time now, unsigned bit);
void rtg_pio_session_drain(struct rtg_pio_session *s, rtg_time now);
/* Offerer: a new offer/answer exchange on the session (ICE restart).
 * returns 0 or -1 with s->failure set. */
int rtg_pio_session_renegotiate(struct rtg_pio_session *s, rtg_time now);

/* peer_trickle.c: --trickle BASE, candidates through the interop
 * runner's mailbox (BASE/send/ROLE, BASE/recv/ROLE/N). service sends our
 * queued candidates, polls for the remote's, hands them to the peer once
 * it has the remote description, and says when to be called again. */
struct rtg_pio_trickle;
struct rtg_pio_trickle *rtg_pio_trickle_new(const char *base, bool offerer);
void rtg_pio_trickle_free(struct rtg_pio_trickle *t);
void rtg_pio_trickle_candidate(struct rtg_pio_trickle *t, const char *line);
rtg_time rtg_pio_trickle_service(struct rtg_pio_trickle *t, struct rtg_pio_session *s,
                                 rtg_time now);
json_t *rtg_pio_trickle_json(const struct rtg_pio_trickle *t);

/* peer_stats.c: JSON of candidates, events and statistics; the
 * answerer's expectations judged from the statistics at the end. */
json_t *rtg_pio_cand_json(const struct rtg_ice_cand *c);
json_t *rtg_pio_event_fields(const struct rtg_peer_event *ev);
json_t *rtg_pio_stats_json(const struct rtg_pio_session *s, const struct rtg_peer_stats *st);
void rtg_pio_answerer_evaluate(struct rtg_pio_session *s, const struct rtg_peer_stats *st,
                               rtg_time now);

/* peer_names.c (--mdns): publish one .local name per host address
 * (returns 0 or -1 with |err|), and the description as sent: host
 * candidate addresses replaced by their names (malloc'd). */
int rtg_pio_publish_names(struct rtg_pio_net *n, char *err, size_t cap);
char *rtg_pio_mdns_rewrite(const struct rtg_pio_net *n, const char *sdp);

/* peer_test.c: the offerer's active test. */
void rtg_pio_test_init(struct rtg_pio_session *s);
void rtg_pio_test_on_event(struct rtg_pio_session *s, const struct rtg_peer_event *ev,
                           rtg_time now);
void rtg_pio_test_service(struct rtg_pio_session *s, rtg_time now);
rtg_time rtg_pio_test_poll_timeout(const struct rtg_pio_session *s);
json_t *rtg_pio_test_json(const struct rtg_pio_session *s);
/* Before the verdict: media expectations are revoked when an echo came
 * back altered. */
void rtg_pio_test_finish(struct rtg_pio_session *s);
void rtg_pio_test_free(struct rtg_pio_session *s);

#endif
