/*
 * rtg/sdp.h - SDP (RFC 8866) parse, validate and write, typed views of the
 * attributes WebRTC endpoints emit (RFC 8839 ICE, RFC 8122/4145 DTLS-SRTP,
 * RFC 5888/8843 BUNDLE, RFC 8285 extmap, RFC 4585 rtcp-fb, RFC 5576 ssrc,
 * RFC 8851/8853 rid/simulcast, RFC 8841 SCTP) and JSEP offers/answers
 * (RFC 8829).
 *
 * Model: a session description is its list of lines, in order, kept
 * verbatim. Parsing validates the structure (line order, RFC 8866 §5) and
 * the value grammar of every attribute it knows; unknown attributes are kept
 * as they are. Writing emits the lines back (CRLF, or LF when the input used
 * LF), so parse -> write reproduces a canonical input byte for byte. Typed
 * accessors parse one line's value on demand into tokens that point into the
 * struct rtg_sdp (valid while it lives and is not modified).
 *
 * struct rtg_sdp is self-contained (no pointers inside: lines refer to its
 * own text arena by offset), so it may be copied with memcpy. It is large
 * (~200 KiB): allocate it, do not put it on a small stack.
 *
 * Errors: parse failures fill struct rtg_perr with the byte offset in the
 * input, the field ("sdp.a.rtpmap"), the reason and the RFC section;
 * rtg_sdp_line_at() turns the offset into a line number.
 */
#ifndef RTG_SDP_H
#define RTG_SDP_H

#include "rtg/core.h"
#include "rtg/ice.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTG_SDP_MAX_LEN 65536 /* largest accepted input, bytes */
#define RTG_SDP_MAX_LINES 2048
#define RTG_SDP_MAX_MEDIA 64
#define RTG_SDP_ARENA (2 * RTG_SDP_MAX_LEN + 8)
#define RTG_SDP_MAX_FMT 64      /* payload types / formats on one m= line */
#define RTG_SDP_MAX_LIST 32     /* ids in a group, ssrcs in a ssrc-group... */
#define RTG_SDP_MAX_CAND_EXT 16 /* candidate extension pairs */

/* One line "<type>=<value>". */
struct rtg_sdp_line {
  char type;         /* 'v', 'o', 's', ..., 'a', 'm' */
  bool has_value;    /* 'a' lines: the attribute has ":value" */
  uint32_t text;     /* arena offset of the NUL-terminated value after "x=" */
  uint32_t len;      /* value length */
  uint32_t name_len; /* 'a' lines: length of the attribute name */
  uint32_t lineno;   /* 1-based input line number; 0 for a built line */
  uint32_t offset;   /* byte offset of the line in the input */
};

struct rtg_sdp {
  bool lf_only; /* the input used bare LF line ends: write them back */
  size_t nlines;
  struct rtg_sdp_line lines[RTG_SDP_MAX_LINES];
  size_t nmedia;
  uint32_t media[RTG_SDP_MAX_MEDIA]; /* line index of each m= line */
  size_t arena_len;
  char arena[RTG_SDP_ARENA];
};

/* A token: |len| bytes at |p| (not NUL-terminated). */
struct rtg_sdp_tok {
  const char *p;
  size_t len;
};

/* ---- parse / write ----------------------------------------------------- */

/* rtg_sdp_parse parses the session description |text| (|len| bytes, lines
 * ending in CRLF or LF; the last line end may be missing) into |sdp| and
 * validates it: line syntax and order (RFC 8866 §5, §9), v=0, o=, s=, c=,
 * t=, m= grammar, and the grammar and placement of every known attribute
 * (see the typed accessors below), mid uniqueness and BUNDLE references
 * (RFC 5888 §5, RFC 8843 §7). |perr| (may be NULL) says what and where.
 *
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_NOBUF (more than
 * RTG_SDP_MAX_LEN bytes, RTG_SDP_MAX_LINES lines or RTG_SDP_MAX_MEDIA m=
 * sections). */
RTG_NODISCARD int rtg_sdp_parse(struct rtg_sdp *sdp, const char *text, size_t len,
                                struct rtg_perr *perr);

/* rtg_sdp_validate runs the checks of rtg_sdp_parse on an already built
 * description (e.g. one made by the JSEP functions). Offsets in |perr| are
 * then those of the would-be written text.
 *
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_sdp_validate(const struct rtg_sdp *sdp, struct rtg_perr *perr);

/* rtg_sdp_write writes |sdp| as text into |buf| (NUL-terminated when room
 * is left). returns the length or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD ptrdiff_t rtg_sdp_write(const struct rtg_sdp *sdp, char *buf, size_t cap);

/* rtg_sdp_line_at returns the 1-based line number of byte |offset| of
 * |text|. */
uint32_t rtg_sdp_line_at(const char *text, size_t len, size_t offset);

/* ---- navigation -------------------------------------------------------- */

/* rtg_sdp_section gives the line range [*first, *end) of media section
 * |media| (its m= line first) or of the session part when |media| is -1.
 * returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_section(const struct rtg_sdp *sdp, int media, size_t *first, size_t *end);

/* rtg_sdp_value returns line |i|'s value (after "x="), NUL-terminated. */
const char *rtg_sdp_value(const struct rtg_sdp *sdp, size_t i);
/* rtg_sdp_attr_value returns the value of attribute line |i| after the ':'
 * ("" for a flag attribute). */
const char *rtg_sdp_attr_value(const struct rtg_sdp *sdp, size_t i);
/* rtg_sdp_attr_is tells whether line |i| is attribute |name|. */
bool rtg_sdp_attr_is(const struct rtg_sdp *sdp, size_t i, const char *name);

/* rtg_sdp_attr_find finds the first attribute |name| at or after line
 * |*idx| in media section |media| (-1: session level), storing its index in
 * |*idx|. Start with |*idx| = 0 (taken as the section start); pass *idx + 1
 * to continue.
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_attr_find(const struct rtg_sdp *sdp, int media, const char *name,
                                    size_t *idx);

/* rtg_sdp_attr_get returns the value of the first |name| in |media|,
 * falling back to the session level when |media| >= 0 and |session_too|;
 * NULL when absent. */
const char *rtg_sdp_attr_get(const struct rtg_sdp *sdp, int media, const char *name,
                             bool session_too);

/* ---- building ---------------------------------------------------------- */

/* rtg_sdp_init empties |sdp| (line ends CRLF). */
void rtg_sdp_init(struct rtg_sdp *sdp);

/* rtg_sdp_add appends the line "<type>=<printf(fmt, ...)>" at the end of
 * |sdp| (an 'm' line opens a new media section). The value must not hold
 * CR, LF or NUL.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_add(struct rtg_sdp *sdp, char type, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* rtg_sdp_add_line appends a copy of line |i| of |src| to |sdp|.
 * returns 0 or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_sdp_add_line(struct rtg_sdp *sdp, const struct rtg_sdp *src, size_t i);

/* ---- typed attribute views --------------------------------------------
 * Each rtg_sdp_get_<attr> parses attribute line |i| of |sdp|. On a
 * description rtg_sdp_parse accepted they only fail with RTG_ERR_INVAL
 * (line |i| is another attribute). Tokens point into |sdp|. */

enum rtg_sdp_media_kind {
  RTG_SDP_MEDIA_OTHER = 0,
  RTG_SDP_MEDIA_AUDIO,
  RTG_SDP_MEDIA_VIDEO,
  RTG_SDP_MEDIA_APPLICATION,
};

/* m=<media> <port>[/<count>] <proto> <fmt> ... (RFC 8866 §5.14) */
struct rtg_sdp_mline {
  enum rtg_sdp_media_kind kind;
  struct rtg_sdp_tok media, proto;
  uint16_t port;
  uint16_t nports; /* 1 unless "/n" */
  size_t nfmt;     /* formats beyond RTG_SDP_MAX_FMT are counted, not kept */
  struct rtg_sdp_tok fmt[RTG_SDP_MAX_FMT];
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_mline(const struct rtg_sdp *sdp, int media,
                                    struct rtg_sdp_mline *out);

/* o=<username> <sess-id> <sess-version> IN <addrtype> <address> (§5.2) */
struct rtg_sdp_origin {
  struct rtg_sdp_tok username, sess_id, sess_version, nettype, addrtype, addr;
};
/* returns 0 or one of: RTG_ERR_INVAL (no o= line). */
RTG_NODISCARD int rtg_sdp_get_origin(const struct rtg_sdp *sdp, struct rtg_sdp_origin *out);

/* a=rtpmap:<pt> <encoding>/<clock>[/<params>] (RFC 8866 §6.6) */
struct rtg_sdp_rtpmap {
  uint8_t pt;
  struct rtg_sdp_tok encoding;
  uint32_t clock;
  uint32_t channels; /* 0 when absent */
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_rtpmap(const struct rtg_sdp *sdp, size_t i,
                                     struct rtg_sdp_rtpmap *out);

/* a=fmtp:<pt> <params> (§6.15); a=rtcp-fb:<pt|*> <type> [<param>]
 * (RFC 4585 §4.2). |pt| is -1 for '*'. */
struct rtg_sdp_pt_value {
  int pt;
  struct rtg_sdp_tok value;
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_fmtp(const struct rtg_sdp *sdp, size_t i,
                                   struct rtg_sdp_pt_value *out);
RTG_NODISCARD int rtg_sdp_get_rtcp_fb(const struct rtg_sdp *sdp, size_t i,
                                      struct rtg_sdp_pt_value *out);

enum rtg_sdp_cand_type {
  RTG_SDP_CAND_OTHER = 0,
  RTG_SDP_CAND_HOST,
  RTG_SDP_CAND_SRFLX,
  RTG_SDP_CAND_PRFLX,
  RTG_SDP_CAND_RELAY,
};
enum rtg_sdp_tcptype {
  RTG_SDP_TCP_NONE = 0,
  RTG_SDP_TCP_ACTIVE,
  RTG_SDP_TCP_PASSIVE,
  RTG_SDP_TCP_SO,
};
/* a=candidate (RFC 8839 §5.1, tcptype RFC 6544 §4.5) */
struct rtg_sdp_candidate {
  struct rtg_sdp_tok foundation, transport, addr, type_name;
  uint16_t component;
  uint32_t priority;
  uint16_t port;
  bool udp, tcp;
  uint8_t family; /* 4, 6, or 0 for an FQDN */
  bool mdns;      /* FQDN ending in ".local" (RFC 8839 §5.1, mDNS draft) */
  enum rtg_sdp_cand_type type;
  bool has_raddr, has_rport;
  struct rtg_sdp_tok raddr;
  uint16_t rport;
  enum rtg_sdp_tcptype tcptype;
  size_t next; /* number of extension pairs below (max RTG_SDP_MAX_CAND_EXT) */
  struct rtg_sdp_tok ext_name[RTG_SDP_MAX_CAND_EXT], ext_value[RTG_SDP_MAX_CAND_EXT];
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_candidate(const struct rtg_sdp *sdp, size_t i,
                                        struct rtg_sdp_candidate *out);
/* rtg_sdp_candidate_parse parses a candidate value (after "candidate:", or
 * with it: trickled candidates come as "candidate:..." strings). |perr|
 * offsets are relative to |s|.
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_sdp_candidate_parse(const char *s, size_t len, struct rtg_sdp_candidate *out,
                                          struct rtg_perr *perr);

/* rtg_sdp_candidate_write writes |c| as a candidate value (without the
 * "candidate:" prefix): the RFC 8839 §5.1 fields, raddr/rport, tcptype,
 * then the extension pairs in order; the tokens of |c| are used as they
 * are (so a relay candidate can be made from a TURN allocation). A
 * candidate parsed from a browser writes back identical. NUL-terminated.
 * returns the length or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD ptrdiff_t rtg_sdp_candidate_write(const struct rtg_sdp_candidate *c, char *buf,
                                                size_t cap);

/* rtg_sdp_candidate_to_ice converts a parsed UDP candidate for the ICE
 * agent (rtg/ice.h): type, address (IPv4/IPv6; a `.local` name goes to
 * |hostname| with the address left empty), priority, foundation; the base
 * is the address (remote candidates have no base of ours).
 * returns 0 or one of: RTG_ERR_UNSUPPORTED (TCP or an unknown type or
 * transport), RTG_ERR_INVAL (a non-mDNS FQDN or a too long name). */
RTG_NODISCARD int rtg_sdp_candidate_to_ice(const struct rtg_sdp_candidate *c,
                                           struct rtg_ice_cand *out);

/* rtg_sdp_candidate_write_ice writes an ICE agent candidate as a candidate
 * value (without "candidate:"), component 1, UDP; srflx/prflx/relay ones
 * carry raddr/rport from |base| (RFC 8839 §5.1). NUL-terminated.
 * returns the length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD ptrdiff_t rtg_sdp_candidate_write_ice(const struct rtg_ice_cand *c, char *buf,
                                                    size_t cap);

/* a=fingerprint:<hash> <XX:XX:...> (RFC 8122 §5) */
struct rtg_sdp_fingerprint {
  enum rtg_hash_alg alg;
  size_t len;
  uint8_t digest[RTG_HASH_MAX];
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_fingerprint(const struct rtg_sdp *sdp, size_t i,
                                          struct rtg_sdp_fingerprint *out);

enum rtg_sdp_setup {
  RTG_SDP_SETUP_NONE = 0,
  RTG_SDP_SETUP_ACTIVE,
  RTG_SDP_SETUP_PASSIVE,
  RTG_SDP_SETUP_ACTPASS,
  RTG_SDP_SETUP_HOLDCONN,
};
/* a=setup (RFC 4145 §4): RTG_SDP_SETUP_NONE if line |i| is not setup. */
enum rtg_sdp_setup rtg_sdp_get_setup(const struct rtg_sdp *sdp, size_t i);
/* "active", ... or NULL. */
const char *rtg_sdp_setup_name(enum rtg_sdp_setup s);

enum rtg_sdp_dir {
  RTG_SDP_DIR_SENDRECV = 0,
  RTG_SDP_DIR_SENDONLY,
  RTG_SDP_DIR_RECVONLY,
  RTG_SDP_DIR_INACTIVE,
};
/* The direction of media section |media| (RFC 8866 §6.7: the media level
 * wins over the session level; sendrecv by default). */
enum rtg_sdp_dir rtg_sdp_direction(const struct rtg_sdp *sdp, int media);
const char *rtg_sdp_dir_name(enum rtg_sdp_dir d);

/* a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §8) */
struct rtg_sdp_extmap {
  uint16_t id;
  bool has_dir;
  enum rtg_sdp_dir dir;
  struct rtg_sdp_tok uri, attrs;
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_extmap(const struct rtg_sdp *sdp, size_t i,
                                     struct rtg_sdp_extmap *out);

/* a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1) */
struct rtg_sdp_ssrc {
  uint32_t ssrc;
  struct rtg_sdp_tok attr, value;
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_ssrc(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_ssrc *out);

/* A semantics token and a list of ids: a=group (RFC 5888 §5), a=ssrc-group
 * (RFC 5576 §4.2, ids are SSRCs in decimal). */
struct rtg_sdp_group {
  struct rtg_sdp_tok semantics;
  size_t nids;
  struct rtg_sdp_tok ids[RTG_SDP_MAX_LIST];
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_group(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_group *out);

/* a=rid:<id> send|recv [<restrictions>] (RFC 8851 §10) */
struct rtg_sdp_rid {
  struct rtg_sdp_tok id, params;
  bool send;
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_rid(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_rid *out);

/* a=msid:<id> [<appdata>] (RFC 8830 §2) */
struct rtg_sdp_msid {
  struct rtg_sdp_tok id, appdata;
};
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_msid(const struct rtg_sdp *sdp, size_t i, struct rtg_sdp_msid *out);

/* a=sctp-port, a=max-message-size (RFC 8841 §5, §6), a=rtcp port
 * (RFC 3605): the leading decimal number. */
/* returns 0 or one of: RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sdp_get_number(const struct rtg_sdp *sdp, size_t i, uint64_t *out);

/* ---- JSEP (RFC 8829) --------------------------------------------------- */

/* What the local side brings to an offer or answer. */
struct rtg_jsep_local {
  const char *ice_ufrag; /* 4..256 ice-chars (RFC 8839 §5.4) */
  const char *ice_pwd;   /* 22..256 ice-chars */
  enum rtg_hash_alg fp_alg;
  const uint8_t *fp; /* certificate fingerprint, rtg_hash_size(fp_alg) bytes */
  /* Answer: RTG_SDP_SETUP_ACTIVE or _PASSIVE (RFC 8842 §5.3; an offer is
   * always actpass). */
  enum rtg_sdp_setup setup;
  uint64_t sess_id;      /* o= session id (1..2^63-1) */
  uint64_t sess_version; /* bump for every new offer/answer (RFC 8829 §5.2.2) */
  /* Trickle (RFC 8838): candidates go out separately and the description
   * carries a=ice-options:trickle; otherwise the candidates below are
   * written with a=end-of-candidates. */
  bool trickle;
  const char *const *candidates; /* "candidate:..." values, NULL-terminated */
  /* Codecs accepted, by encoding name (case-insensitive: "opus", "VP8",
   * "VP9", "H264"); rtx/red/ulpfec are kept when they refer to one. NULL
   * accepts everything offered. */
  const char *const *codecs;
  uint16_t sctp_port;        /* 5000 when 0 */
  uint64_t max_message_size; /* 262144 when 0 */
  bool audio, video, data;   /* offer: which sections to create */
  const char *msid_stream;   /* offer: stream id for sending tracks; NULL: none */
};

/* rtg_jsep_answer writes into |answer| an answer to |offer| (RFC 8829
 * §5.3): one m= section per offered one, same order, kind and mid; BUNDLE
 * group of the accepted mids; rtcp-mux and rtcp-rsize when offered;
 * payload types only from the offer and the local codec list (Opus, VP8,
 * VP9, H264 passed through with their fmtp and rtcp-fb); unsupported
 * sections rejected with port 0; the application section answered with
 * sctp-port and max-message-size; the local ICE credentials, fingerprint
 * and setup role. |perr| explains a rejected offer.
 *
 * returns 0 or one of: RTG_ERR_INVAL (bad |local|), RTG_ERR_UNSUPPORTED
 * (no acceptable section, or an offer without BUNDLE/rtcp-mux support for
 * a section we need), RTG_ERR_PARSE (offer fails validation), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_jsep_answer(const struct rtg_sdp *offer, const struct rtg_jsep_local *local,
                                  struct rtg_sdp *answer, struct rtg_perr *perr);

/* rtg_jsep_offer writes into |offer| a new offer (RFC 8829 §5.2.1):
 * audio (Opus 111), video (VP8 96 + rtx 97, VP9 98, H264 102) and an
 * application section as |local| asks, mids "0", "1", ..., BUNDLE of all,
 * rtcp-mux, setup:actpass. An ICE restart is an offer with new
 * |ice_ufrag|/|ice_pwd| and a higher |sess_version| (RFC 8829 §5.2.1).
 *
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_jsep_offer(const struct rtg_jsep_local *local, struct rtg_sdp *offer);

/* rtg_jsep_ice_restart tells whether |now| restarts ICE relative to |prev|
 * (any media section's ice-ufrag or ice-pwd changed; RFC 8839 §4.4.1.1). */
bool rtg_jsep_ice_restart(const struct rtg_sdp *prev, const struct rtg_sdp *now);

#ifdef __cplusplus
}
#endif
#endif /* RTG_SDP_H */
