/*
 * replay.h - the pcap-replay conformance engine behind `rtcgate replay`.
 *
 * Captures are read with libpcap (capture.c), decoded down to UDP/TCP
 * payloads by the net module, grouped into flows (flows.c), demultiplexed
 * per RFC 7983 and checked per protocol (check_*.c). Every violation is a
 * finding of a rule (rules.c) that names its RFC section; report.c prints a
 * readable summary, JSON and JUnit XML.
 */
#ifndef RTG_REPLAY_H
#define RTG_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rtg/core.h"
#include "rtg/dtls.h"
#include "rtg/net.h"
#include "rtg/rtp.h"
#include "rtg/sctp.h"
#include "rtg/srtp.h"
#include "rtg/stun.h"

enum rtg_sev { RTG_SEV_INFO = 0, RTG_SEV_WARNING = 1, RTG_SEV_ERROR = 2 };

struct rtg_rule {
  const char *id; /* stable, e.g. "stun.fingerprint" */
  enum rtg_sev sev;
  const char *rfc; /* "RFC 8489 §14.7" */
  const char *title;
};

/* Index of every rule; rules.c holds the table in this order. */
enum rtg_rule_idx {
  R_CAPTURE_TRUNCATED,
  R_CAPTURE_UNDECODABLE,
  R_IP_FRAGMENT,
  R_STUN_MALFORMED,
  R_STUN_FINGERPRINT,
  R_STUN_INTEGRITY,
  R_STUN_NO_INTEGRITY,
  R_STUN_UNKNOWN_REQUIRED,
  R_ICE_NO_ROLE,
  R_ICE_NO_PRIORITY,
  R_ICE_USE_CANDIDATE_CONTROLLED,
  R_ICE_ROLE_CONFLICT,
  R_ICE_UNKNOWN_UFRAG,
  R_ICE_NO_FINGERPRINT,
  R_TURN_CHANNEL_MALFORMED,
  R_DTLS_MALFORMED,
  R_DTLS_ALERT,
  R_DTLS_FINGERPRINT_MISMATCH,
  R_DTLS_NO_USE_SRTP,
  R_RTP_MALFORMED,
  R_RTP_BAD_SEQUENCE,
  R_RTP_UNKNOWN_PT,
  R_RTP_SSRC_COLLISION,
  R_RTCP_MALFORMED,
  R_DEMUX_UNKNOWN,
  R_MEDIA_BEFORE_DTLS,
  R_PRIVATE_ADDRESS,
  R_ICE_CONSENT_EXPIRED,
  R_DTLS_AUTH_FAILED,
  R_SRTP_AUTH_FAILED,
  R_SRTP_REPLAY,
  R_RTCP_INVALID,
  R_SCTP_MALFORMED,
  R_SCTP_CHECKSUM,
  R_DCEP_MALFORMED,
  R_DCEP_STREAM_PARITY,
  R_DCEP_NO_ACK,
  R_SCTP_VTAG,
  R_RTP_TS_BACKWARDS,
  R_SCTP_SACK_BEYOND,
  R_DC_HALF_CLOSED,
  R_RTP_UNDECLARED_EXTENSION,
  R_RTP_UNKNOWN_MID,
  R_SDP_EXTMAP_CONFLICT,
  R_PRIVATE_EXPOSED,
  R_COUNT
};

extern const struct rtg_rule rtg_rules[R_COUNT];

struct rtg_finding {
  enum rtg_rule_idx rule;
  uint64_t packet; /* 1-based frame number in its capture, 0 = whole capture */
  int capture;     /* index into the capture list */
  int session;     /* session index or -1 */
  char message[240];
};

/* Per-SSRC statistics (from the clear RTP header of SRTP packets). */
#define RTG_SERIES_MAX 3600 /* one-second bins: an hour of media at most */
struct rtg_series_bin {
  uint32_t packets, bytes, lost;
  uint32_t jitter; /* last jitter estimate in the bin, timestamp units */
};

struct rtg_ssrc_stats {
  uint32_t ssrc;
  uint64_t authenticated, auth_failed, replayed;
  uint16_t last_seq;
  uint32_t last_rtp_ts;
  uint64_t ts_backwards;
  char mid[33];                /* from the sdes:mid header extension, "" unknown */
  struct rtg_series_bin *bins; /* per second since the capture start, lazily */
  uint32_t nbins;
  uint32_t last_ext_seq;
  uint8_t pt;
  int flow;
  int dir;
  uint64_t packets, bytes, bad_seq, duplicates;
  struct rtg_rtp_source src;
  uint64_t first_pkt;
  double first_ts, last_ts;
};

/* A bidirectional UDP/TCP flow; direction 0 is from |a| to |b| where |a|
 * sent the first packet seen. */
struct rtg_flow {
  struct rtg_net_addr a, b;
  uint8_t proto;
  int parent;       /* for flows carried inside TURN: outer flow, else -1 */
  uint16_t channel; /* TURN channel number for inner flows, 0 = indication */
  int session;
  uint64_t packets, bytes;
  uint64_t n_stun, n_dtls, n_rtp, n_rtcp, n_turn, n_other;
  uint64_t first_pkt;
  double first_ts, last_ts;
  bool dtls_seen, media_before_dtls_reported, private_reported;
  uint16_t dtls_version; /* negotiated (ServerHello / supported_versions) */
  uint16_t srtp_profile;
  bool ice_controlling_seen[2], ice_controlled_seen[2];
  /* RFC 7675 consent: time of the last Binding success response received
   * by the sender of direction d (i.e. sent in direction !d), <0 = none */
  double consent_ok[2];
  bool consent_expired_reported[2];
  struct rtg_net_tcpframer *tcp[2];
  int sdp_of[2];       /* 1 + index of the SDP of the sender in each direction, 0 unknown */
  void *dtls_reasm[2]; /* struct rtg_dtls_reasm *, per direction, lazily */
  /* decryption (decrypt.c): the session decryptor, the direction the DTLS
   * client sends in, SRTP sessions by sender direction, SCTP state */
  struct rtg_dtls_decryptor *dec;
  int client_dir;
  struct rtg_srtp *srtp[2];
  bool srtp_ready, srtp_failed;
  uint64_t dtls_decrypted, dtls_undecryptable, sctp_packets;
  uint32_t *sctp_seen[2]; /* TSN + 1 by TSN % RTG_TSN_WINDOW: duplicates */
  uint32_t sctp_tag[2];   /* initiate tag announced by the sender of d */
  bool sctp_tag_known[2];
  uint32_t sctp_max_tsn[2]; /* highest DATA TSN sent in d */
  bool sctp_sent_data[2];
  uint16_t srtp_offered[8];
  size_t n_srtp_offered;
  /* connection_id (RFC 9146 §3) of the clear hellos, which say how long
   * the CID in each direction's records is: [0] the ClientHello's (the CID
   * the server's records carry), [1] the ServerHello's */
  bool hello_cid_seen[2];
  uint8_t hello_cid_len[2];
  uint8_t hello_cid[2][RTG_DTLS_CID_MAX];
  /* A flow that continues the DTLS association of an earlier flow (the
   * path moved: ICE restart, a new selected pair) shares that flow's
   * decryptor, SCTP and SRTP state: |dtls_owner| is its index (-1: none,
   * the flow is its own) and |dtls_swap| whether direction d here is
   * direction !d there. */
  int dtls_owner;
  bool dtls_swap;
  uint8_t dtls_link_tries; /* records or packets tried against other flows */
};

struct rtg_session {
  char ufrag[2][64]; /* the two ICE ufrags (from USERNAME "r:l") */
  int flows;
};

/* A host candidate of an SDP with an IP address (mDNS names are not kept). */
#define RTG_REPLAY_MAX_SDP_CANDS 32
struct rtg_replay_cand {
  char addr[64]; /* as written */
  struct rtg_net_addr net;
  uint32_t lineno;
  bool tcp;
};

/* What one SDP file gave us. */
struct rtg_replay_sdp {
  char path[256];
  char ufrag[64];
  char pwd[257];
  int fp_alg;               /* enum rtg_hash_alg, 0 if none */
  uint8_t fp[RTG_HASH_MAX]; /* a=fingerprint value */
  size_t fp_len;
  uint8_t pts[128]; /* payload types declared in m= lines */
  size_t npts;
  char extmap[256][96]; /* a=extmap URI by id (RFC 8285 §6), "" = undeclared */
  int mid_ext_id;       /* id of urn:ietf:params:rtp-hdrext:sdes:mid, 0 = none */
  char mids[32][33];    /* a=mid values */
  size_t nmids;
  char extmap_conflict[160]; /* first id mapped to two URIs, for a finding */
  bool bundle;               /* a=group:BUNDLE present */
  bool rtcp_rsize;           /* a=rtcp-rsize (RFC 5506) */
  bool rtx_pt[128];          /* payload types mapped to rtx (RFC 4588) */
  bool mapped_pt[128];       /* payload types with an a=rtpmap */
  struct rtg_stun_cred cred;
  bool cred_ok;
  struct rtg_replay_cand cands[RTG_REPLAY_MAX_SDP_CANDS]; /* host candidates with an address */
  size_t ncands;
  size_t n_candidates, n_relay; /* every a=candidate, and the relay ones */
};

/* Notable events for the ladder diagram of the HTML report (bounded). */
#define RTG_EVENTS_MAX 2000
struct rtg_event {
  double ts;
  uint64_t packet;
  int flow, dir;
  char label[64];
  bool finding;
};

#define RTG_TSN_WINDOW 4096
#define RTG_MAX_CHANNELS 1024
struct rtg_channel {
  int flow;
  uint16_t sid;
  char label[64], protocol[64];
  uint8_t type;
  int opener_dir; /* direction that sent DATA_CHANNEL_OPEN, -1 negotiated */
  bool acked;
  uint64_t messages[2], bytes[2]; /* by direction */
  bool reset[2];                  /* outgoing stream reset by direction (close) */
  double reset_ts[2];
  uint64_t open_pkt;
};

struct rtg_replay_opts {
  bool quiet;
  bool relay_only; /* --relay-only: the endpoints were to use TURN relays only */
  bool rule_enabled[R_COUNT];
  enum rtg_sev sev[R_COUNT]; /* severity in force (--rules ID=error overrides) */
};

struct rtg_capture_info {
  char path[512];
  int linktype;
  uint64_t frames;
  bool truncated;
  char error[512];
};

#define RTG_REPLAY_MAX_FLOWS 4096
#define RTG_REPLAY_MAX_SSRC 1024
#define RTG_REPLAY_MAX_SDP 16
#define RTG_REPLAY_MAX_CAPTURES 64
#define RTG_REPLAY_MAX_SESSIONS 256

struct rtg_replay {
  struct rtg_ctx ctx;
  struct rtg_replay_opts opts;
  struct rtg_capture_info caps[RTG_REPLAY_MAX_CAPTURES];
  int ncaps, cur_cap;
  uint64_t cur_pkt;
  double cur_ts;
  struct rtg_net_defrag defrag;
  struct rtg_flow *flows;
  int nflows;
  bool flows_overflow;
  struct rtg_ssrc_stats *ssrcs;
  int nssrcs;
#define RTG_SSRC_CACHE 8
  int ssrc_cache[RTG_SSRC_CACHE]; /* 1 + index of recently used streams */
  unsigned ssrc_cache_next;
  struct rtg_session sessions[RTG_REPLAY_MAX_SESSIONS];
  int nsessions;
  struct rtg_replay_sdp sdp[RTG_REPLAY_MAX_SDP];
  int nsdp;
  bool rtcp_rsize; /* some SDP has a=rtcp-rsize */
  struct rtg_finding *findings;
  size_t nfindings, cap_findings;
  uint64_t suppressed[R_COUNT]; /* findings beyond the per-rule cap */
  uint64_t per_rule[R_COUNT];
  struct rtg_event *events;
  size_t nevents;
  double t0; /* time of the first frame */
  bool have_t0;
  int cur_flow, cur_dir; /* flow being dispatched, for events of findings */
  size_t n_stun_events, n_dtls_events;
  /* summary counters */
  uint64_t packets, udp, tcp, other_ip, non_ip, stun, dtls, srtp, srtcp, turn;
  uint64_t dtls_records;
  /* decryption */
  struct rtg_dtls_keylog *kl;
  uint8_t *scratch; /* RTG_SCRATCH bytes: decrypted records and packets */
  uint64_t srtp_auth, srtcp_auth, dtls_decrypted, sctp_packets, dc_messages;
  bool keys_used; /* some flow had SRTP keys: authenticated counts are real */
  struct rtg_channel *channels;
  int nchannels;
  /* Optional sink for what decryption reveals (corpus extraction). */
  void (*plain_sink)(void *ud, int kind, const uint8_t *p, size_t n);
  void *plain_ud;
  /* recent STUN transactions: a response is checked with its request's key */
  uint8_t tx_tid[256][RTG_STUN_TID_LEN];
  int tx_sdp[256];
  unsigned tx_next;
  /* ClientHello randoms seen (to match key log entries) */
  uint8_t ch_random[64][32];
  int n_ch_random;
  size_t keylog_from_capture; /* Decryption Secrets Blocks read */
  /* privacy.c: relay-only expected (--relay-only, or an SDP whose every
   * candidate is a relay one), and the addresses already reported */
  bool relay_only;
  struct rtg_net_addr exposed[64];
  int nexposed;
};

/* keylog.c: 0 ok, -1 unusable file (|err| says why) */
int rtg_replay_add_keylog(struct rtg_replay *r, const char *path, char *err, size_t errcap);
/* the same from an open stream, which is always closed */
int rtg_replay_add_keylog_fp(struct rtg_replay *r, FILE *f, const char *name, char *err,
                             size_t errcap);
/* reads the NSS key logs of pcapng Decryption Secrets Blocks in |path| */
int rtg_replay_scan_dsb(struct rtg_replay *r, const char *path, char *err, size_t errcap);
/* number of key log entries whose client random matches a ClientHello seen */
size_t rtg_replay_keylog_matches(const struct rtg_replay *r);

/* lifecycle */
int rtg_replay_init(struct rtg_replay *r, const struct rtg_replay_opts *opts);
void rtg_replay_free(struct rtg_replay *r);

/* rules.c */
/* defaults: every rule enabled at its own severity */
void rtg_rules_defaults(struct rtg_replay_opts *opts);
int rtg_rules_apply_spec(struct rtg_replay_opts *opts, const char *spec, char *err, size_t errcap);
void rtg_rules_list(FILE *out);
void rtg_finding(struct rtg_replay *r, enum rtg_rule_idx rule, int session, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* sdp.c: an SDP file parsed by the stack's SDP codec; what the checks need
 * is kept in r->sdp[] */
int rtg_replay_add_sdp(struct rtg_replay *r, const char *path, char *err, size_t errcap);

/* privacy.c: IP address exposure (RFC 8828). */
/* What exposing |a| reveals ("private address (RFC 1918)", "real IPv6
 * address", ...), or NULL for an address that reveals nothing (public
 * IPv4, loopback, unspecified). */
const char *rtg_replay_exposure(const struct rtg_net_addr *a);
/* Findings about the SDPs given: BUNDLE extmap conflicts and host
 * candidates exposing private or IPv6 addresses; decides whether relay-only
 * is expected. Call once after the SDPs are added, before the captures. */
void rtg_replay_sdp_findings(struct rtg_replay *r);
/* With relay-only expected: private or IPv6 addresses in the
 * XOR-MAPPED-ADDRESS and XOR-PEER-ADDRESS of STUN/TURN message |m|. */
void rtg_check_exposed(struct rtg_replay *r, int f, const struct rtg_stun_msg *m);

/* capture.c: 0 ok, -1 unusable input (error in caps[i].error) */
int rtg_replay_capture(struct rtg_replay *r, const char *path);
/* same from an open stream, which is always closed (success or not) */
int rtg_replay_capture_fp(struct rtg_replay *r, FILE *fp, const char *name);

/* flows.c */
int rtg_flow_lookup(struct rtg_replay *r, const struct rtg_net_addr *src,
                    const struct rtg_net_addr *dst, uint8_t proto, int parent, uint16_t channel,
                    int *dir);
struct rtg_ssrc_stats *rtg_ssrc_lookup(struct rtg_replay *r, uint32_t ssrc, int flow, int dir);

/* dispatch.c: one transport payload of flow |f| in direction |dir| */
void rtg_replay_payload(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);

/* check_*.c */
void rtg_check_stun(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);
void rtg_check_dtls(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);
void rtg_check_rtp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);
void rtg_check_rtcp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);

/* html.c */
void rtg_replay_event(struct rtg_replay *r, int flow, int dir, bool finding, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int rtg_replay_write_html(const struct rtg_replay *r, const char *dir, char *err, size_t errcap);

/* decrypt.c */
enum { RTG_PLAIN_SCTP = 1, RTG_PLAIN_DCEP, RTG_PLAIN_RTP, RTG_PLAIN_RTCP };
#define RTG_SCRATCH 65536
void rtg_decrypt_dtls_record(struct rtg_replay *r, int f, int dir,
                             const struct rtg_dtls_record *rec);
/* returns true when the packet was checked cryptographically */
void rtg_decrypt_srtp(struct rtg_replay *r, int f, int dir, struct rtg_ssrc_stats *s,
                      const uint8_t *p, size_t n);
void rtg_decrypt_srtcp(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);
void rtg_decrypt_free_flow(struct rtg_flow *fl);
/* end-of-capture checks (channels half closed, opens never acked) */
void rtg_replay_finish(struct rtg_replay *r);
/* check_dtls.c: handshake fragments of |dir| (plaintext or decrypted) */
void rtg_dtls_handshake_bytes(struct rtg_replay *r, int f, int dir, const uint8_t *p, size_t n);

/* report.c */
/* writes |s| escaped for XML/HTML text and attribute values */
void rtg_replay_xml_escape(FILE *f, const char *s);
void rtg_replay_print_summary(const struct rtg_replay *r, FILE *out);
json_t *rtg_replay_json(const struct rtg_replay *r);
int rtg_replay_write_junit(const struct rtg_replay *r, const char *path);
bool rtg_replay_has_errors(const struct rtg_replay *r);

#endif
