/*
 * rtg/rtp.h - RTP (RFC 3550, RFC 8285 header extensions) and RTCP (RFC 3550,
 * RFC 4585, RFC 5104, RFC 3611, RFC 8888, RFC 5506) codecs.
 *
 * Decoded structures point into the caller's input buffer: they are valid as
 * long as that buffer is and is not modified.
 */
#ifndef RTG_RTP_H
#define RTG_RTP_H

#include "rtg/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* RTP                                                                      */
/* ------------------------------------------------------------------------ */

#define RTG_RTP_MAX_CSRC 15
/* At most this many header extension elements are decoded; more is a parse
 * error (one-byte form allows 14 distinct ids, two-byte 255). */
#define RTG_RTP_MAX_EXT 32

/* RFC 8285 header extension profiles. */
#define RTG_RTP_EXT_ONE_BYTE 0xBEDEu
#define RTG_RTP_EXT_TWO_BYTE 0x1000u /* low 4 bits are "appbits" */

struct rtg_rtp_ext {
  uint8_t id;          /* 1..14 (one-byte) or 1..255 (two-byte) */
  uint8_t len;         /* data length in bytes */
  const uint8_t *data; /* points into the packet */
};

struct rtg_rtp_hdr {
  uint8_t version; /* always 2 after a successful parse */
  bool padding;
  bool extension;
  bool marker;
  uint8_t cc;
  uint8_t pt;
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  uint32_t csrc[RTG_RTP_MAX_CSRC];
  /* Header extension (when |extension|): the 16-bit profile and its raw body.
   * For RFC 8285 profiles the elements are also decoded into |ext|. */
  uint16_t ext_profile;
  struct rtg_slice ext_body;
  size_t n_ext;
  struct rtg_rtp_ext ext[RTG_RTP_MAX_EXT];
  size_t header_len;        /* bytes before the payload */
  struct rtg_slice payload; /* without padding */
  uint8_t pad_len;          /* padding bytes (including the count byte) */
};

/* rtg_rtp_parse decodes the RTP packet |data| of |len| bytes into |h|
 * (RFC 3550 §5.1, RFC 8285 §4). Elements of an RFC 8285 extension are
 * decoded; other profiles are kept raw in |h->ext_body|.
 * returns 0 or one of: RTG_ERR_PARSE (|perr| says where and why). */
RTG_NODISCARD int rtg_rtp_parse(struct rtg_rtp_hdr *h, const uint8_t *data, size_t len,
                                struct rtg_perr *perr);

/* rtg_rtp_write serialises |h| (version 2; csrc[0..cc); extension elements
 * |ext| in the one-byte form when every id is 1..14 and every length 1..16,
 * otherwise the two-byte form; when |h->n_ext| is 0 but |h->extension| is set,
 * |ext_profile| and |ext_body| are written raw) followed by |payload| and,
 * when |h->padding|, |h->pad_len| bytes of padding (1..255).
 * returns the number of bytes written or one of: RTG_ERR_NOBUF,
 * RTG_ERR_INVAL. */
RTG_NODISCARD ptrdiff_t rtg_rtp_write(const struct rtg_rtp_hdr *h, const void *payload,
                                      size_t payload_len, uint8_t *buf, size_t cap);

/* rtg_rtp_ext_find returns the extension element with |id|, or NULL. */
RTG_NODISCARD const struct rtg_rtp_ext *rtg_rtp_ext_find(const struct rtg_rtp_hdr *h, uint8_t id);

/* Typed accessors for the extensions browsers send. The id is the one
 * negotiated in SDP (a=extmap); each reads the element found with |id|.
 * Each returns 0 or one of: RTG_ERR_NOTFOUND (no element with |id|),
 * RTG_ERR_PARSE (element has the wrong size or content). */

/* urn:ietf:params:rtp-hdrext:sdes:mid / rtp-stream-id / repaired-rtp-stream-id
 * (RFC 8843, RFC 8852): copies the identifier NUL-terminated into |out|
 * (|cap| >= 256 always suffices); RFC 8852 ids must be alphanumeric. */
RTG_NODISCARD int rtg_rtp_ext_mid(const struct rtg_rtp_hdr *h, uint8_t id, char *out, size_t cap);
RTG_NODISCARD int rtg_rtp_ext_rid(const struct rtg_rtp_hdr *h, uint8_t id, char *out, size_t cap);
/* abs-send-time: 24-bit 6.18 fixed-point seconds. */
RTG_NODISCARD int rtg_rtp_ext_abs_send_time(const struct rtg_rtp_hdr *h, uint8_t id, uint32_t *v);
/* transport-wide-cc-extensions-01: 16-bit transport sequence number. */
RTG_NODISCARD int rtg_rtp_ext_transport_cc(const struct rtg_rtp_hdr *h, uint8_t id, uint16_t *seq);
/* RFC 6464 client-to-mixer audio level: voice activity flag and -dBov 0..127. */
RTG_NODISCARD int rtg_rtp_ext_audio_level(const struct rtg_rtp_hdr *h, uint8_t id, bool *voice,
                                          uint8_t *level);
/* 3GPP TS 26.114 video orientation (CVO): camera, flip, rotation in degrees. */
RTG_NODISCARD int rtg_rtp_ext_video_orientation(const struct rtg_rtp_hdr *h, uint8_t id,
                                                bool *camera, bool *flip, uint16_t *rotation);
/* playout-delay: min and max delay in 10 ms units (12 bits each). */
RTG_NODISCARD int rtg_rtp_ext_playout_delay(const struct rtg_rtp_hdr *h, uint8_t id,
                                            uint16_t *min_10ms, uint16_t *max_10ms);
/* AV1 dependency descriptor: raw bytes (at least 3). */
RTG_NODISCARD int rtg_rtp_ext_dependency_descriptor(const struct rtg_rtp_hdr *h, uint8_t id,
                                                    struct rtg_slice *raw);

/* ------------------------------------------------------------------------ */
/* RTCP                                                                     */
/* ------------------------------------------------------------------------ */

enum rtg_rtcp_pt {
  RTG_RTCP_SR = 200,
  RTG_RTCP_RR = 201,
  RTG_RTCP_SDES = 202,
  RTG_RTCP_BYE = 203,
  RTG_RTCP_APP = 204,
  RTG_RTCP_RTPFB = 205,
  RTG_RTCP_PSFB = 206,
  RTG_RTCP_XR = 207,
};

/* Feedback message types (FMT). */
enum rtg_rtcp_fmt {
  RTG_RTPFB_NACK = 1,  /* RFC 4585 §6.2.1 */
  RTG_RTPFB_TMMBR = 3, /* RFC 5104 §4.2.1 */
  RTG_RTPFB_TMMBN = 4, /* RFC 5104 §4.2.2 */
  RTG_RTPFB_CCFB = 11, /* RFC 8888 §3.1 */
  RTG_RTPFB_TWCC = 15, /* draft-holmer-rmcat-transport-wide-cc-extensions-01 */
  RTG_PSFB_PLI = 1,    /* RFC 4585 §6.3.1 */
  RTG_PSFB_SLI = 2,    /* RFC 4585 §6.3.2 */
  RTG_PSFB_RPSI = 3,   /* RFC 4585 §6.3.3 */
  RTG_PSFB_FIR = 4,    /* RFC 5104 §4.3.1 */
  RTG_PSFB_AFB = 15,   /* RFC 4585 §6.4 (REMB lives here) */
};

/* Parse flags. */
#define RTG_RTCP_REDUCED_SIZE 0x1u /* RFC 5506: accept non-compound packets */

#define RTG_RTCP_MAX_PKTS 32

/* One RTCP packet of a compound. Variable parts are kept as validated slices
 * and read with the rtg_rtcp_*_get accessors below. */
struct rtg_rtcp_pkt {
  size_t offset; /* of this packet inside the compound */
  uint8_t pt;
  uint8_t count; /* RC / SC / FMT / subtype (5 bits) */
  bool padding;
  uint8_t pad_len;
  size_t len;            /* total bytes including header and padding */
  uint32_t ssrc;         /* sender SSRC (SR, RR, APP, RTPFB, PSFB, XR) */
  struct rtg_slice body; /* bytes after the common header, without padding */
  /* SR sender info */
  uint64_t ntp;
  uint32_t rtp_ts;
  uint32_t packet_count;
  uint32_t octet_count;
  /* SR/RR: report blocks (count * 24 bytes) and the profile extension.
   * SDES: the chunks. BYE: the SSRC list (count * 4). XR: report blocks. */
  struct rtg_slice items;
  struct rtg_slice ext;
  /* BYE reason (may be empty). APP: name and data. */
  struct rtg_slice reason;
  char app_name[5];
  struct rtg_slice app_data;
  /* RTPFB / PSFB: media SSRC and FCI (CCFB: no media SSRC, fci = blocks). */
  uint32_t media_ssrc;
  struct rtg_slice fci;
};

struct rtg_rtcp_compound {
  size_t n;
  struct rtg_rtcp_pkt pkt[RTG_RTCP_MAX_PKTS];
};

/* rtg_rtcp_parse decodes the (compound) RTCP packet |data|. Every packet is
 * validated in depth (report blocks, SDES items, feedback FCI, XR blocks,
 * transport-cc chunks, CCFB blocks). Unless |flags| has
 * RTG_RTCP_REDUCED_SIZE, the RFC 3550 §A.2 compound rules apply: the first
 * packet is SR or RR, only the last one may be padded, and the lengths add up.
 * returns 0 or one of: RTG_ERR_PARSE (|perr| says where and why). */
RTG_NODISCARD int rtg_rtcp_parse(struct rtg_rtcp_compound *c, const uint8_t *data, size_t len,
                                 unsigned flags, struct rtg_perr *perr);

struct rtg_rtcp_rb {
  uint32_t ssrc;
  uint8_t fraction_lost;
  int32_t cumulative_lost; /* 24-bit signed */
  uint32_t ext_highest_seq;
  uint32_t jitter;
  uint32_t lsr;
  uint32_t dlsr;
};

/* rtg_rtcp_rb_get reads report block |i| of an SR or RR.
 * returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_rtcp_rb_get(const struct rtg_rtcp_pkt *p, size_t i, struct rtg_rtcp_rb *rb);

/* SDES iteration: call rtg_rtcp_sdes_next until it returns RTG_ERR_NOTFOUND.
 * Each call yields one item (type != 0) of chunk |ssrc|. */
struct rtg_rtcp_sdes_iter {
  struct rtg_rd rd;
  size_t chunks_left;
  uint32_t ssrc;
  bool in_chunk;
};
struct rtg_rtcp_sdes_item {
  uint32_t ssrc;
  uint8_t type; /* 1 CNAME ... 8 PRIV */
  struct rtg_slice value;
};
void rtg_rtcp_sdes_begin(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_sdes_iter *it);
/* returns 0 or one of: RTG_ERR_NOTFOUND (no more items). */
RTG_NODISCARD int rtg_rtcp_sdes_next(struct rtg_rtcp_sdes_iter *it,
                                     struct rtg_rtcp_sdes_item *item);

/* BYE: SSRC |i|. returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_rtcp_bye_ssrc(const struct rtg_rtcp_pkt *p, size_t i, uint32_t *ssrc);

/* Generic NACK item |i|: packet id and bitmask of following lost packets.
 * returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_rtcp_nack_get(const struct rtg_rtcp_pkt *p, size_t i, uint16_t *pid,
                                    uint16_t *blp);
/* FIR entry |i|. returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_rtcp_fir_get(const struct rtg_rtcp_pkt *p, size_t i, uint32_t *ssrc,
                                   uint8_t *seq);
/* TMMBR/TMMBN entry |i|: bitrate = mantissa << exp (bps), overhead bytes.
 * returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_rtcp_tmmb_get(const struct rtg_rtcp_pkt *p, size_t i, uint32_t *ssrc,
                                    uint64_t *bitrate, uint16_t *overhead);

/* REMB (draft-alvestrand-rmcat-remb-03, a PSFB AFB with "REMB").
 * returns 0 or one of: RTG_ERR_NOTFOUND (not a REMB), RTG_ERR_PARSE. */
struct rtg_rtcp_remb {
  uint64_t bitrate;
  uint8_t n_ssrc;
  uint32_t ssrc[255];
};
RTG_NODISCARD int rtg_rtcp_remb_get(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_remb *r);

/* Transport-wide CC feedback: header fields; per-packet results through a
 * callback (status 0 not received, 1 small delta, 2 large/negative delta;
 * delta in 250 us units, meaningful when status != 0).
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL (not TWCC). */
struct rtg_rtcp_twcc {
  uint16_t base_seq;
  uint16_t status_count;
  int32_t ref_time; /* 24-bit signed, 64 ms units */
  uint8_t fb_count;
  uint16_t received;
};
typedef void (*rtg_rtcp_twcc_cb)(void *ud, uint16_t seq, uint8_t status, int32_t delta);
RTG_NODISCARD int rtg_rtcp_twcc_get(const struct rtg_rtcp_pkt *p, struct rtg_rtcp_twcc *tw,
                                    rtg_rtcp_twcc_cb cb, void *ud, struct rtg_perr *perr);

/* RFC 8888 CCFB: per-SSRC blocks via a callback; the report timestamp.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL (not CCFB). */
typedef void (*rtg_rtcp_ccfb_cb)(void *ud, uint32_t ssrc, uint16_t seq, bool received, uint8_t ecn,
                                 uint16_t ato);
RTG_NODISCARD int rtg_rtcp_ccfb_get(const struct rtg_rtcp_pkt *p, uint32_t *report_ts,
                                    rtg_rtcp_ccfb_cb cb, void *ud, struct rtg_perr *perr);

/* XR iteration (RFC 3611 §3): block type, type-specific byte and contents.
 * returns 0 or one of: RTG_ERR_NOTFOUND (no more blocks). */
struct rtg_rtcp_xr_block {
  uint8_t bt;
  uint8_t type_specific;
  struct rtg_slice body;
};
RTG_NODISCARD int rtg_rtcp_xr_next(struct rtg_rd *it, struct rtg_rtcp_xr_block *b);

/* Writers. Each appends one RTCP packet to |wr| and returns 0 or one of:
 * RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_rtcp_write_sr(struct rtg_wr *wr, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
                                    uint32_t packets, uint32_t octets, const struct rtg_rtcp_rb *rb,
                                    size_t n_rb);
RTG_NODISCARD int rtg_rtcp_write_rr(struct rtg_wr *wr, uint32_t ssrc, const struct rtg_rtcp_rb *rb,
                                    size_t n_rb);
/* One chunk with one CNAME item per SSRC. */
RTG_NODISCARD int rtg_rtcp_write_sdes_cname(struct rtg_wr *wr, const uint32_t *ssrc,
                                            const char *const *cname, size_t n);
RTG_NODISCARD int rtg_rtcp_write_bye(struct rtg_wr *wr, const uint32_t *ssrc, size_t n,
                                     const char *reason);
RTG_NODISCARD int rtg_rtcp_write_app(struct rtg_wr *wr, uint8_t subtype, uint32_t ssrc,
                                     const char name[4], const void *data, size_t len);
/* Generic RTPFB/PSFB with raw FCI (|fci_len| a multiple of 4). */
RTG_NODISCARD int rtg_rtcp_write_fb(struct rtg_wr *wr, uint8_t pt, uint8_t fmt, uint32_t ssrc,
                                    uint32_t media_ssrc, const void *fci, size_t fci_len);
RTG_NODISCARD int rtg_rtcp_write_nack(struct rtg_wr *wr, uint32_t ssrc, uint32_t media_ssrc,
                                      const uint16_t *pid, const uint16_t *blp, size_t n);
RTG_NODISCARD int rtg_rtcp_write_pli(struct rtg_wr *wr, uint32_t ssrc, uint32_t media_ssrc);
RTG_NODISCARD int rtg_rtcp_write_fir(struct rtg_wr *wr, uint32_t ssrc, const uint32_t *target,
                                     const uint8_t *seq, size_t n);
RTG_NODISCARD int rtg_rtcp_write_remb(struct rtg_wr *wr, uint32_t ssrc, uint64_t bitrate,
                                      const uint32_t *ssrcs, size_t n);

/* ------------------------------------------------------------------------ */
/* RFC 3550 A.1 stream state                                                */
/* ------------------------------------------------------------------------ */

#define RTG_RTP_MIN_SEQUENTIAL 2
#define RTG_RTP_MAX_DROPOUT 3000
#define RTG_RTP_MAX_MISORDER 100

struct rtg_rtp_source {
  uint32_t ssrc;
  uint16_t max_seq;
  uint32_t cycles; /* shifted count of sequence number cycles */
  uint32_t base_seq;
  uint32_t bad_seq;
  uint32_t probation;
  uint32_t received;
  uint32_t expected_prior;
  uint32_t received_prior;
  int64_t transit;
  bool have_transit;
  double jitter; /* in timestamp units, A.8 */
  bool valid;    /* left probation */
};

/* rtg_rtp_source_init starts a source at its first packet's |seq| (A.1
 * init_seq, placed on probation); that first packet is then passed to
 * rtg_rtp_source_update like every other one. */
void rtg_rtp_source_init(struct rtg_rtp_source *s, uint32_t ssrc, uint16_t seq);
/* rtg_rtp_source_update feeds one packet (A.1 update_seq) and, when
 * |arrival_ts| is in RTP timestamp units, the jitter estimate (A.8).
 * returns 0 (packet accepted), or one of: RTG_ERR_AGAIN (still on probation),
 * RTG_ERR_STATE (bad sequence: dropped; two in a row restart the source). */
RTG_NODISCARD int rtg_rtp_source_update(struct rtg_rtp_source *s, uint16_t seq, uint32_t rtp_ts,
                                        uint32_t arrival_ts);
/* A.3: extended highest sequence, expected, cumulative lost (clamped to the
 * 24-bit signed range), and fraction lost since the previous call. */
RTG_NODISCARD uint32_t rtg_rtp_source_ext_max(const struct rtg_rtp_source *s);
RTG_NODISCARD int32_t rtg_rtp_source_lost(const struct rtg_rtp_source *s);
RTG_NODISCARD uint8_t rtg_rtp_source_fraction(struct rtg_rtp_source *s);
RTG_NODISCARD uint32_t rtg_rtp_source_jitter(const struct rtg_rtp_source *s);

#ifdef __cplusplus
}
#endif
#endif /* RTG_RTP_H */
