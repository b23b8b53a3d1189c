/*
 * rtg/sctp.h - SCTP over DTLS (RFC 8261) and DCEP (RFC 8832): the packet
 * codec (RFC 9260 common header and chunks, RFC 3758/8260/6525/4895/5061/
 * 7053/9653 extensions), the DCEP codec and the RFC 8831 PPIDs.
 *
 * Parsed structures point into the caller's input buffer (rtg_slice): they
 * are valid as long as that buffer is. Parsers fill |perr| (when non-NULL;
 * the caller clears it first) and return RTG_ERR_PARSE on malformed input.
 */
#ifndef RTG_SCTP_H
#define RTG_SCTP_H

#include "rtg/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Registry values                                                          */
/* ------------------------------------------------------------------------ */

/* Chunk types (RFC 9260 §3.2 and the extensions). */
enum rtg_sctp_chunk_type {
  RTG_SCTP_DATA = 0,
  RTG_SCTP_INIT = 1,
  RTG_SCTP_INIT_ACK = 2,
  RTG_SCTP_SACK = 3,
  RTG_SCTP_HEARTBEAT = 4,
  RTG_SCTP_HEARTBEAT_ACK = 5,
  RTG_SCTP_ABORT = 6,
  RTG_SCTP_SHUTDOWN = 7,
  RTG_SCTP_SHUTDOWN_ACK = 8,
  RTG_SCTP_ERROR = 9,
  RTG_SCTP_COOKIE_ECHO = 10,
  RTG_SCTP_COOKIE_ACK = 11,
  RTG_SCTP_ECNE = 12,
  RTG_SCTP_CWR = 13,
  RTG_SCTP_SHUTDOWN_COMPLETE = 14,
  RTG_SCTP_AUTH = 15,           /* RFC 4895 */
  RTG_SCTP_NR_SACK = 16,        /* draft-tuexen-tsvwg-sctp-multipath */
  RTG_SCTP_I_DATA = 64,         /* RFC 8260 */
  RTG_SCTP_ASCONF_ACK = 128,    /* RFC 5061 */
  RTG_SCTP_RECONFIG = 130,      /* RFC 6525 */
  RTG_SCTP_PAD = 132,           /* RFC 4820 */
  RTG_SCTP_FORWARD_TSN = 192,   /* RFC 3758 */
  RTG_SCTP_ASCONF = 193,        /* RFC 5061 */
  RTG_SCTP_I_FORWARD_TSN = 194, /* RFC 8260 */
};

/* Chunk flags. */
#define RTG_SCTP_DATA_END 0x01u       /* E: last fragment */
#define RTG_SCTP_DATA_BEGIN 0x02u     /* B: first fragment */
#define RTG_SCTP_DATA_UNORDERED 0x04u /* U */
#define RTG_SCTP_DATA_IMMEDIATE 0x08u /* I: RFC 7053 SACK-IMMEDIATELY */
#define RTG_SCTP_FLAG_T 0x01u         /* T: ABORT / SHUTDOWN-COMPLETE */

/* Parameter types (INIT/INIT-ACK, HEARTBEAT, RE-CONFIG, ASCONF). */
enum rtg_sctp_param_type {
  RTG_SCTP_P_HEARTBEAT_INFO = 1,
  RTG_SCTP_P_IPV4 = 5,
  RTG_SCTP_P_IPV6 = 6,
  RTG_SCTP_P_STATE_COOKIE = 7,
  RTG_SCTP_P_UNRECOGNIZED = 8,
  RTG_SCTP_P_COOKIE_PRESERVATIVE = 9,
  RTG_SCTP_P_HOSTNAME = 11,
  RTG_SCTP_P_ADDRESS_TYPES = 12,
  RTG_SCTP_P_OUT_RESET_REQ = 13, /* RFC 6525 §4.1 */
  RTG_SCTP_P_IN_RESET_REQ = 14,
  RTG_SCTP_P_TSN_RESET_REQ = 15,
  RTG_SCTP_P_RECONFIG_RESP = 16,
  RTG_SCTP_P_ADD_OUT_STREAMS = 17,
  RTG_SCTP_P_ADD_IN_STREAMS = 18,
  RTG_SCTP_P_ECN_CAPABLE = 0x8000,
  RTG_SCTP_P_ZERO_CHECKSUM = 0x8001, /* RFC 9653 §4 */
  RTG_SCTP_P_RANDOM = 0x8002,        /* RFC 4895 */
  RTG_SCTP_P_CHUNK_LIST = 0x8003,
  RTG_SCTP_P_HMAC_ALGO = 0x8004,
  RTG_SCTP_P_PADDING = 0x8005,
  RTG_SCTP_P_SUPPORTED_EXT = 0x8008, /* RFC 5061 §4.2.7 */
  RTG_SCTP_P_FORWARD_TSN_SUPPORTED = 0xc000,
  RTG_SCTP_P_ADD_IP = 0xc001,
  RTG_SCTP_P_DEL_IP = 0xc002,
  RTG_SCTP_P_ERROR_CAUSE_IND = 0xc003,
  RTG_SCTP_P_SET_PRIMARY = 0xc004,
  RTG_SCTP_P_SUCCESS_IND = 0xc005,
  RTG_SCTP_P_ADAPTATION = 0xc006,
};

/* Error cause codes (RFC 9260 §3.3.10, RFC 5061, RFC 4895). */
enum rtg_sctp_cause_code {
  RTG_SCTP_C_INVALID_STREAM = 1,
  RTG_SCTP_C_MISSING_PARAM = 2,
  RTG_SCTP_C_STALE_COOKIE = 3,
  RTG_SCTP_C_OUT_OF_RESOURCE = 4,
  RTG_SCTP_C_UNRESOLVABLE_ADDR = 5,
  RTG_SCTP_C_UNRECOGNIZED_CHUNK = 6,
  RTG_SCTP_C_INVALID_PARAM = 7,
  RTG_SCTP_C_UNRECOGNIZED_PARAMS = 8,
  RTG_SCTP_C_NO_USER_DATA = 9,
  RTG_SCTP_C_COOKIE_IN_SHUTDOWN = 10,
  RTG_SCTP_C_RESTART_NEW_ADDRS = 11,
  RTG_SCTP_C_USER_ABORT = 12,
  RTG_SCTP_C_PROTOCOL_VIOLATION = 13,
  RTG_SCTP_C_DEL_LAST_IP = 0xa0,
  RTG_SCTP_C_RESOURCE_SHORTAGE = 0xa1,
  RTG_SCTP_C_DEL_SOURCE_IP = 0xa2,
  RTG_SCTP_C_ILLEGAL_ASCONF_ACK = 0xa3,
  RTG_SCTP_C_REQUEST_REFUSED = 0xa4,
  RTG_SCTP_C_UNSUPPORTED_HMAC = 0x105,
};

/* RFC 6525 §4.4 re-configuration results. */
enum rtg_sctp_reconf_result {
  RTG_SCTP_RR_NOTHING = 0,
  RTG_SCTP_RR_PERFORMED = 1,
  RTG_SCTP_RR_DENIED = 2,
  RTG_SCTP_RR_ERR_WRONG_SSN = 3,
  RTG_SCTP_RR_ERR_IN_PROGRESS = 4,
  RTG_SCTP_RR_ERR_BAD_SEQ = 5,
  RTG_SCTP_RR_IN_PROGRESS = 6,
};

/* Payload protocol identifiers of WebRTC (RFC 8831 §8). */
enum rtg_sctp_ppid {
  RTG_SCTP_PPID_DCEP = 50,
  RTG_SCTP_PPID_STRING = 51,
  RTG_SCTP_PPID_BINARY_PARTIAL = 52, /* deprecated */
  RTG_SCTP_PPID_BINARY = 53,
  RTG_SCTP_PPID_STRING_PARTIAL = 54, /* deprecated */
  RTG_SCTP_PPID_STRING_EMPTY = 56,
  RTG_SCTP_PPID_BINARY_EMPTY = 57,
};

/* Names for people (static strings; "unknown" for unknown values). */
const char *rtg_sctp_chunk_name(uint8_t type);
const char *rtg_sctp_param_name(uint16_t type);
const char *rtg_sctp_cause_name(uint16_t code);
const char *rtg_sctp_ppid_name(uint32_t ppid);
/* rtg_sctp_ppid_deprecated is true for the legacy partial PPIDs (52, 54)
 * that RFC 8831 §8 deprecates. */
bool rtg_sctp_ppid_deprecated(uint32_t ppid);

/* ------------------------------------------------------------------------ */
/* Packets and chunks                                                       */
/* ------------------------------------------------------------------------ */

#define RTG_SCTP_HDR_LEN 12
#define RTG_SCTP_CHUNK_HDR_LEN 4

/* RFC 9260 §3.1 common header. */
struct rtg_sctp_hdr {
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t vtag;
  uint32_t checksum; /* as on the wire (CRC-32c stored little-endian) */
};

/* One chunk as found in a packet: |value| excludes the 4-byte chunk header
 * and the padding; |offset| is the chunk's offset in the packet. */
struct rtg_sctp_chunk {
  uint8_t type;
  uint8_t flags;
  uint16_t length; /* the Chunk Length field (header + value) */
  struct rtg_slice value;
  size_t offset;
};

/* Options of rtg_sctp_packet_parse. */
#define RTG_SCTP_PARSE_IGNORE_CHECKSUM 0x01u  /* fuzzing, decoders of edited packets */
#define RTG_SCTP_PARSE_ZERO_CHECKSUM_OK 0x02u /* RFC 9653 negotiated: 0 accepted */

struct rtg_sctp_packet {
  struct rtg_sctp_hdr hdr;
  struct rtg_slice chunks; /* every byte after the common header */
  size_t nchunks;
  bool checksum_ok;   /* the CRC-32c matched */
  bool checksum_zero; /* the checksum field was 0 (RFC 9653) */
};

/* rtg_sctp_packet_parse checks the common header, the checksum (unless
 * |flags| says otherwise) and every chunk of |data| (lengths, padding,
 * bundling rules of RFC 9260 §6.10, and each chunk's own layout via
 * rtg_sctp_chunk_decode), then fills |pkt|.
 * returns 0 or one of: RTG_ERR_PARSE (|perr| says where), RTG_ERR_AUTH
 * (checksum mismatch). */
RTG_NODISCARD int rtg_sctp_packet_parse(const uint8_t *data, size_t len, unsigned flags,
                                        struct rtg_sctp_packet *pkt, struct rtg_perr *perr);

/* Chunk iterator over a parsed packet (or any chunk area). */
struct rtg_sctp_chunk_iter {
  struct rtg_rd rd;
};
/* rtg_sctp_chunk_iter_init iterates the chunks of |pkt|; |base| is the
 * buffer the packet was parsed from (for absolute offsets). */
void rtg_sctp_chunk_iter_init(struct rtg_sctp_chunk_iter *it, const uint8_t *base,
                              const struct rtg_sctp_packet *pkt);
/* rtg_sctp_chunk_next reads the next chunk into |c|.
 * returns 1 (a chunk), 0 (end) or RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_sctp_chunk_next(struct rtg_sctp_chunk_iter *it, struct rtg_sctp_chunk *c,
                                      struct rtg_perr *perr);

/* A type-length-value item: a parameter or an error cause. |value| excludes
 * the 4-byte header and the padding. */
struct rtg_sctp_tlv {
  uint16_t type;
  uint16_t length;
  struct rtg_slice value;
  size_t offset;
};
/* rtg_sctp_tlv_next reads the next TLV of |rd|; |field| names it in errors
 * ("sctp.param", "sctp.cause"). The last TLV of a chunk may omit its
 * padding (RFC 9260 §3.2.1).
 * returns 1 (an item), 0 (end) or RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_sctp_tlv_next(struct rtg_rd *rd, struct rtg_sctp_tlv *t, const char *field,
                                    struct rtg_perr *perr);

/* DATA (RFC 9260 §3.3.1) and I-DATA (RFC 8260 §2.1). */
struct rtg_sctp_data {
  uint32_t tsn;
  uint16_t sid;
  uint16_t ssn;  /* DATA only */
  uint32_t mid;  /* I-DATA: message identifier; DATA: = ssn */
  uint32_t ppid; /* I-DATA: only in the first fragment (B bit), else 0 */
  uint32_t fsn;  /* I-DATA: fragment sequence number (0 when B) */
  bool idata, unordered, begin, end, immediate;
  struct rtg_slice payload;
};

/* INIT / INIT-ACK (RFC 9260 §3.3.2, §3.3.3) with the parameters WebRTC
 * cares about already extracted. */
struct rtg_sctp_init {
  uint32_t init_tag;
  uint32_t a_rwnd;
  uint16_t os; /* number of outbound streams */
  uint16_t mis;
  uint32_t initial_tsn;
  struct rtg_slice params;
  struct rtg_slice cookie; /* INIT-ACK state cookie (len 0 if absent) */
  bool forward_tsn;        /* Forward-TSN-Supported or FORWARD-TSN listed */
  bool reconfig;           /* RE-CONFIG in Supported Extensions */
  bool idata;              /* I-DATA in Supported Extensions */
  bool zero_checksum;      /* Zero Checksum Acceptable present */
  uint32_t edmid;          /* its Error Detection Method Identifier */
};

/* SACK (RFC 9260 §3.3.4) and NR-SACK. Gap blocks are (start, end) offsets
 * from |cum_tsn|; read them with rtg_sctp_sack_gap / _dup. */
struct rtg_sctp_sack {
  uint32_t cum_tsn;
  uint32_t a_rwnd;
  uint16_t ngaps, nnr_gaps, ndups;
  struct rtg_slice gaps, nr_gaps, dups;
};
void rtg_sctp_sack_gap(const struct rtg_slice *blocks, size_t i, uint16_t *start, uint16_t *end);
uint32_t rtg_sctp_sack_dup(const struct rtg_sctp_sack *s, size_t i);

/* FORWARD-TSN (RFC 3758 §3.2) / I-FORWARD-TSN (RFC 8260 §2.3). */
struct rtg_sctp_fwd_tsn {
  uint32_t new_cum_tsn;
  size_t nentries;
  struct rtg_slice entries; /* 4-byte (sid, ssn) or 8-byte (sid, flags, mid) */
  bool i_forward;
};
/* rtg_sctp_fwd_entry reads entry |i|: |mid| is the SSN for FORWARD-TSN. */
void rtg_sctp_fwd_entry(const struct rtg_sctp_fwd_tsn *f, size_t i, uint16_t *sid, bool *unordered,
                        uint32_t *mid);

/* A decoded chunk. Which member is valid depends on |type|; chunks holding
 * parameters or causes (HEARTBEAT, ABORT, ERROR, RE-CONFIG, ASCONF, ...)
 * have them in |tlvs| (checked already). */
struct rtg_sctp_chunk_info {
  uint8_t type;
  uint8_t flags;
  union {
    struct rtg_sctp_data data;
    struct rtg_sctp_init init;
    struct rtg_sctp_sack sack;
    struct rtg_sctp_fwd_tsn fwd;
    uint32_t cum_tsn;    /* SHUTDOWN */
    uint32_t lowest_tsn; /* ECNE, CWR */
    struct {
      uint16_t key_id, hmac_id;
      struct rtg_slice hmac;
    } auth;
    uint32_t serial; /* ASCONF, ASCONF-ACK */
  } u;
  struct rtg_slice tlvs;   /* parameters / causes (HEARTBEAT, ABORT, ...) */
  struct rtg_slice cookie; /* COOKIE-ECHO */
};

/* rtg_sctp_chunk_decode checks the layout of |c| (fixed lengths, parameter
 * and cause lists, reserved values that make it meaningless) and fills
 * |out|. Unknown chunk types decode with only type/flags/tlvs (= value).
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_sctp_chunk_decode(const struct rtg_sctp_chunk *c,
                                        struct rtg_sctp_chunk_info *out, struct rtg_perr *perr);

/* RE-CONFIG parameters (RFC 6525 §4). */
struct rtg_sctp_reconf {
  uint16_t type;
  uint32_t req_seq;           /* all requests; the response's seq */
  uint32_t resp_seq;          /* outgoing request: response sequence number */
  uint32_t last_tsn;          /* outgoing request: sender's last assigned TSN */
  uint32_t result;            /* response */
  uint32_t sender_next_tsn;   /* response (optional, 0 when absent) */
  uint32_t receiver_next_tsn; /* response (optional) */
  uint16_t new_streams;       /* add streams */
  size_t nsids;               /* stream list of reset requests */
  struct rtg_slice sids;      /* nsids x u16 */
};
/* rtg_sctp_reconf_decode decodes one RE-CONFIG parameter |t|.
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_sctp_reconf_decode(const struct rtg_sctp_tlv *t, struct rtg_sctp_reconf *out,
                                         struct rtg_perr *perr);
uint16_t rtg_sctp_reconf_sid(const struct rtg_sctp_reconf *r, size_t i);

/* ---- writing ------------------------------------------------------------ */

/* rtg_sctp_hdr_write writes the common header with a zero checksum (to be
 * filled by rtg_sctp_packet_seal).
 * returns 0 or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_sctp_hdr_write(struct rtg_wr *wr, const struct rtg_sctp_hdr *h);
/* rtg_sctp_packet_seal stores the CRC-32c of |pkt| at offset 8 (or leaves 0
 * when |zero_checksum|, RFC 9653 §5.2).
 * returns 0 or one of: RTG_ERR_INVAL (shorter than a header). */
RTG_NODISCARD int rtg_sctp_packet_seal(uint8_t *pkt, size_t len, bool zero_checksum);
/* rtg_sctp_checksum computes the value the checksum field must hold (read
 * as a little-endian u32 from offset 8), treating the field as zero. */
uint32_t rtg_sctp_checksum(const uint8_t *pkt, size_t len);

/* Chunks and TLVs are written begin / content / end: end patches the
 * length and adds the zero padding.
 * returns 0 or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_sctp_chunk_begin(struct rtg_wr *wr, uint8_t type, uint8_t flags,
                                       size_t *mark);
RTG_NODISCARD int rtg_sctp_chunk_end(struct rtg_wr *wr, size_t mark);
RTG_NODISCARD int rtg_sctp_tlv_begin(struct rtg_wr *wr, uint16_t type, size_t *mark);
RTG_NODISCARD int rtg_sctp_tlv_end(struct rtg_wr *wr, size_t mark);
/* One-call chunk / TLV with an opaque value.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL (too long). */
RTG_NODISCARD int rtg_sctp_chunk_write(struct rtg_wr *wr, uint8_t type, uint8_t flags,
                                       const void *value, size_t len);
RTG_NODISCARD int rtg_sctp_tlv_write(struct rtg_wr *wr, uint16_t type, const void *value,
                                     size_t len);

/* rtg_sctp_data_write writes a DATA (|d->idata| false) or I-DATA chunk from
 * |d| (flags from its booleans).
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sctp_data_write(struct rtg_wr *wr, const struct rtg_sctp_data *d);
/* rtg_sctp_init_write writes INIT or INIT-ACK (|type|) with the fixed part
 * of |in| and the pre-encoded parameter bytes |params| (may be empty).
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sctp_init_write(struct rtg_wr *wr, uint8_t type,
                                      const struct rtg_sctp_init *in, const void *params,
                                      size_t params_len);
/* rtg_sctp_sack_write writes a SACK with |ngaps| (start,end) pairs from
 * |gaps| (2*ngaps values) and |ndups| duplicate TSNs.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sctp_sack_write(struct rtg_wr *wr, uint32_t cum_tsn, uint32_t a_rwnd,
                                      const uint16_t *gaps, size_t ngaps, const uint32_t *dups,
                                      size_t ndups);
/* rtg_sctp_fwd_write writes FORWARD-TSN (|i_forward| false: entries are
 * (sid, ssn)) or I-FORWARD-TSN ((sid, unordered, mid)).
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sctp_fwd_write(struct rtg_wr *wr, bool i_forward, uint32_t new_cum_tsn,
                                     const uint16_t *sids, const bool *unordered,
                                     const uint32_t *mids, size_t n);
/* rtg_sctp_u32_chunk_write writes a chunk whose value is one u32
 * (SHUTDOWN, ECNE, CWR).
 * returns 0 or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_sctp_u32_chunk_write(struct rtg_wr *wr, uint8_t type, uint32_t v);
/* rtg_sctp_reconf_write writes one RE-CONFIG parameter from |r|.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_sctp_reconf_write(struct rtg_wr *wr, const struct rtg_sctp_reconf *r,
                                        const uint16_t *sids);

/* ------------------------------------------------------------------------ */
/* Association (sans-IO, DESIGN.md rule 1)                                   */
/* ------------------------------------------------------------------------ */

/* One SCTP association over one DTLS connection (RFC 8261: a single path,
 * no addresses, so handle_datagram / poll_transmit carry no src / dst). */
struct rtg_sctp_config {
  uint16_t local_port;            /* 5000 (RFC 8841 default) */
  uint16_t remote_port;           /* 5000 */
  uint16_t streams;               /* OS and MIS announced: 65535 */
  uint32_t rwnd;                  /* receive window in bytes: 1 MiB */
  size_t mtu;                     /* largest SCTP packet: 1200 (the DTLS MTU) */
  size_t max_message_size;        /* largest message sent or received: 256 KiB */
  rtg_time rto_initial;           /* RFC 9260 §16: 1 s */
  rtg_time rto_min;               /* 1 s (WebRTC stacks often lower it) */
  rtg_time rto_max;               /* 60 s */
  unsigned max_init_retransmits;  /* 8 */
  unsigned max_assoc_retransmits; /* 10 */
  rtg_time delayed_ack;           /* 200 ms */
  rtg_time heartbeat_interval;    /* 30 s; RTG_TIME_NEVER disables */
  rtg_time cookie_lifetime;       /* 60 s */
  bool zero_checksum;             /* offer RFC 9653 with EDMID 1 (DTLS) */
  bool idata;                     /* offer RFC 8260 I-DATA (interleaving) */
  uint32_t buffered_low;          /* default buffered-amount-low threshold */
};

/* rtg_sctp_config_default fills |cfg| with the values listed above. */
void rtg_sctp_config_default(struct rtg_sctp_config *cfg);

enum rtg_sctp_state {
  RTG_SCTP_CLOSED = 0,
  RTG_SCTP_COOKIE_WAIT,
  RTG_SCTP_COOKIE_ECHOED,
  RTG_SCTP_ESTABLISHED,
  RTG_SCTP_SHUTDOWN_PENDING,
  RTG_SCTP_SHUTDOWN_SENT,
  RTG_SCTP_SHUTDOWN_RECEIVED,
  RTG_SCTP_SHUTDOWN_ACK_SENT,
};

enum rtg_sctp_event_type {
  RTG_SCTP_EV_CONNECTED = 1, /* association up */
  RTG_SCTP_EV_MESSAGE,       /* a whole message: sid, ppid, data, len */
  RTG_SCTP_EV_STREAM_RESET,  /* the peer reset its outgoing stream |sid| */
  RTG_SCTP_EV_RESET_DONE,    /* our outgoing stream |sid| was reset */
  RTG_SCTP_EV_BUFFERED_LOW,  /* buffered amount of |sid| fell to its threshold */
  RTG_SCTP_EV_CLOSED,        /* graceful shutdown finished */
  RTG_SCTP_EV_ABORTED,       /* ABORT received or sent, or gave up: |error| */
  RTG_SCTP_EV_RESTARTED,     /* the peer restarted (RFC 9260 §5.2.4 A): all
                                streams start over, queued data was dropped */
};

struct rtg_sctp_event {
  enum rtg_sctp_event_type type;
  uint16_t sid;
  uint32_t ppid;
  bool unordered;
  const uint8_t *data; /* MESSAGE: valid until the next poll_event / free */
  size_t len;
  int error; /* ABORTED: RTG_ERR_TIMEOUT (gave up), RTG_ERR_STATE (peer) */
};

/* Per-message options of rtg_sctp_assoc_send (RFC 3758 PR-SCTP policies). */
struct rtg_sctp_send_opts {
  bool unordered;
  uint32_t max_retransmits; /* UINT32_MAX: fully reliable */
  rtg_time lifetime;        /* RTG_TIME_NEVER: no limit */
};

/* Counters for tests and benchmarks. */
struct rtg_sctp_stats {
  uint64_t packets_sent, packets_received, packets_dropped;
  uint64_t data_chunks_sent, retransmits, fast_retransmits, t3_expiries;
  uint64_t dup_tsns_received, sacks_sent, forward_tsns_sent;
  uint64_t oversize_dropped; /* messages over max_message_size received */
  uint32_t cwnd, ssthresh, flight, peer_rwnd;
  rtg_time srtt, rto;
};

struct rtg_sctp_assoc;

/* rtg_sctp_assoc_new creates a closed association using |ctx| for memory and
 * randomness (tags, initial TSN, cookie secret).
 * returns 0 or one of: RTG_ERR_NOMEM, RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_sctp_assoc_new(const struct rtg_ctx *ctx, const struct rtg_sctp_config *cfg,
                                     struct rtg_sctp_assoc **out);
void rtg_sctp_assoc_free(struct rtg_sctp_assoc *a);

/* rtg_sctp_assoc_connect sends INIT. WebRTC peers both call it: the
 * simultaneous open of RFC 9260 §5.2.1 then yields one association.
 * returns 0 or one of: RTG_ERR_STATE. */
RTG_NODISCARD int rtg_sctp_assoc_connect(struct rtg_sctp_assoc *a, rtg_time now);

/* rtg_sctp_assoc_handle_datagram feeds one SCTP packet (a decrypted DTLS
 * record). Packets failing the checksum or verification tag are dropped.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_AUTH, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_sctp_assoc_handle_datagram(struct rtg_sctp_assoc *a, rtg_time now,
                                                 const uint8_t *data, size_t len);
/* rtg_sctp_assoc_handle_timeout runs every timer due at |now|.
 * returns 0 or one of: RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_sctp_assoc_handle_timeout(struct rtg_sctp_assoc *a, rtg_time now);
/* rtg_sctp_assoc_poll_transmit writes the next packet (at most cfg.mtu
 * bytes) into |buf|.
 * returns 0 or one of: RTG_ERR_AGAIN (nothing to send), RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_sctp_assoc_poll_transmit(struct rtg_sctp_assoc *a, uint8_t *buf, size_t cap,
                                               size_t *len);
/* rtg_sctp_assoc_poll_timeout: when handle_timeout is next due, or
 * RTG_TIME_NEVER. */
rtg_time rtg_sctp_assoc_poll_timeout(const struct rtg_sctp_assoc *a);
/* rtg_sctp_assoc_poll_event pops the next event into |ev|.
 * returns 0 or one of: RTG_ERR_AGAIN (none). */
RTG_NODISCARD int rtg_sctp_assoc_poll_event(struct rtg_sctp_assoc *a, struct rtg_sctp_event *ev);

/* rtg_sctp_assoc_send queues one message (copied) on stream |sid|; |opts|
 * may be NULL (reliable, ordered). An empty message is not allowed: RFC 8831
 * §6.6 sends one zero byte with an *_EMPTY PPID instead.
 * returns 0 or one of: RTG_ERR_STATE, RTG_ERR_INVAL (too large, empty, bad
 * stream), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_sctp_assoc_send(struct rtg_sctp_assoc *a, rtg_time now, uint16_t sid,
                                      uint32_t ppid, const void *data, size_t len,
                                      const struct rtg_sctp_send_opts *opts);
/* rtg_sctp_assoc_reset_streams asks to reset our outgoing streams |sids|
 * (RFC 6525 §5.1.2; RFC 8831 §6.7 closes a data channel this way). Queued
 * messages on them are sent first.
 * returns 0 or one of: RTG_ERR_STATE, RTG_ERR_INVAL, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_sctp_assoc_reset_streams(struct rtg_sctp_assoc *a, const uint16_t *sids,
                                               size_t n);
/* rtg_sctp_assoc_shutdown starts the graceful shutdown (RFC 9260 §9.2).
 * returns 0 or one of: RTG_ERR_STATE. */
RTG_NODISCARD int rtg_sctp_assoc_shutdown(struct rtg_sctp_assoc *a, rtg_time now);
/* rtg_sctp_assoc_abort sends ABORT with a user-initiated abort cause.
 * returns 0 or one of: RTG_ERR_STATE. */
RTG_NODISCARD int rtg_sctp_assoc_abort(struct rtg_sctp_assoc *a, const char *reason);

enum rtg_sctp_state rtg_sctp_assoc_state(const struct rtg_sctp_assoc *a);
/* The time of the last input (handle_* / send): for layers above that
 * react inside poll_event. */
rtg_time rtg_sctp_assoc_now(const struct rtg_sctp_assoc *a);
/* Bytes queued or in flight on |sid| (the data channel bufferedAmount). */
size_t rtg_sctp_assoc_buffered(const struct rtg_sctp_assoc *a, uint16_t sid);
/* Sets the buffered-amount-low threshold of |sid|.
 * returns 0 or one of: RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_sctp_assoc_set_buffered_low(struct rtg_sctp_assoc *a, uint16_t sid,
                                                  uint32_t threshold);
void rtg_sctp_assoc_stats(const struct rtg_sctp_assoc *a, struct rtg_sctp_stats *st);
/* Verification tags in use (tests and the sctp_assoc fuzz target). */
uint32_t rtg_sctp_assoc_local_vtag(const struct rtg_sctp_assoc *a);
uint32_t rtg_sctp_assoc_peer_vtag(const struct rtg_sctp_assoc *a);
/* true when both ends negotiated RFC 8260 I-DATA. */
bool rtg_sctp_assoc_idata(const struct rtg_sctp_assoc *a);
/* true when both ends negotiated RFC 9653 zero checksum. */
bool rtg_sctp_assoc_zero_checksum(const struct rtg_sctp_assoc *a);

/* ------------------------------------------------------------------------ */
/* Data channels (RFC 8831, RFC 8832) over one association                  */
/* ------------------------------------------------------------------------ */

struct rtg_dc;

enum rtg_dc_event_type {
  RTG_DC_EV_CONNECTED = 1,  /* the association is up: channels may open (again
                               after a peer restart: every channel is gone) */
  RTG_DC_EV_CHANNEL_OPEN,   /* the peer opened |sid| (DCEP): label, protocol */
  RTG_DC_EV_CHANNEL_ACKED,  /* our DATA_CHANNEL_OPEN on |sid| was acknowledged */
  RTG_DC_EV_MESSAGE,        /* data on |sid|: binary or string */
  RTG_DC_EV_BUFFERED_LOW,   /* |sid|'s buffered amount fell to its threshold */
  RTG_DC_EV_CHANNEL_CLOSED, /* both directions of |sid| were reset */
  RTG_DC_EV_CLOSED,         /* the association ended (|error| 0: gracefully) */
};

struct rtg_dc_event {
  enum rtg_dc_event_type type;
  uint16_t sid;
  bool binary;
  bool deprecated_ppid; /* RFC 8831 §8: PPID 52 / 54 (partial) received */
  const uint8_t *data;  /* MESSAGE: valid until the next poll_event */
  size_t len;
  struct rtg_slice label, protocol; /* CHANNEL_OPEN: valid until closed */
  uint8_t channel_type;
  int error;
};

/* Channel parameters (RTCDataChannelInit). */
struct rtg_dc_channel_opts {
  uint8_t channel_type; /* enum rtg_dcep_channel_type */
  uint32_t reliability; /* max retransmits or lifetime in ms */
  uint16_t priority;    /* RFC 8831 §6.4: 256 "normal" */
  const char *label;    /* NUL-terminated UTF-8 (NULL = "") */
  const char *protocol; /* NUL-terminated UTF-8 (NULL = "") */
  bool negotiated;      /* pre-agreed |id|, no DCEP (RFC 8832 §4) */
  uint16_t id;          /* negotiated only */
};

/* rtg_dc_new creates the data channel layer and its association; the
 * DTLS role picks the stream id parity (RFC 8832 §6: the DTLS client uses
 * even ids, the server odd ones).
 * returns 0 or one of: RTG_ERR_NOMEM, RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dc_new(const struct rtg_ctx *ctx, const struct rtg_sctp_config *cfg,
                             bool dtls_client, struct rtg_dc **out);
void rtg_dc_free(struct rtg_dc *dc);
/* The association underneath: connect, handle_datagram, handle_timeout,
 * poll_transmit and poll_timeout are called on it directly; its events
 * must be read through rtg_dc_poll_event. */
struct rtg_sctp_assoc *rtg_dc_assoc(struct rtg_dc *dc);

/* rtg_dc_open opens a channel: a DCEP DATA_CHANNEL_OPEN on the next free
 * id of our parity, or the pre-agreed |o->id| when |o->negotiated|; the id
 * is returned in |*sid|. Messages may be sent at once (RFC 8832 §6).
 * returns 0 or one of: RTG_ERR_STATE, RTG_ERR_INVAL (bad type or label,
 * id in use), RTG_ERR_NOTFOUND (no free id), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_dc_open(struct rtg_dc *dc, rtg_time now, const struct rtg_dc_channel_opts *o,
                              uint16_t *sid);
/* rtg_dc_send sends one message with the channel's reliability; an empty
 * message goes out as one zero byte with the *_EMPTY PPID (RFC 8831 §6.6).
 * returns 0 or one of: RTG_ERR_NOTFOUND (no such open channel),
 * RTG_ERR_STATE, RTG_ERR_INVAL, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_dc_send(struct rtg_dc *dc, rtg_time now, uint16_t sid, bool binary,
                              const void *data, size_t len);
/* rtg_dc_close closes a channel by resetting its outgoing stream (RFC 8831
 * §6.7); CHANNEL_CLOSED follows once the peer reset its side too.
 * returns 0 or one of: RTG_ERR_NOTFOUND, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_dc_close(struct rtg_dc *dc, uint16_t sid);
/* rtg_dc_poll_event pops the next event.
 * returns 0 or one of: RTG_ERR_AGAIN (none), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_dc_poll_event(struct rtg_dc *dc, struct rtg_dc_event *ev);
/* Bytes queued or in flight on |sid| (bufferedAmount). */
size_t rtg_dc_buffered(const struct rtg_dc *dc, uint16_t sid);

/* ------------------------------------------------------------------------ */
/* DCEP (RFC 8832)                                                          */
/* ------------------------------------------------------------------------ */

enum rtg_dcep_type { RTG_DCEP_ACK = 0x02, RTG_DCEP_OPEN = 0x03 };

/* RFC 8832 §5.1 channel types. */
enum rtg_dcep_channel_type {
  RTG_DCEP_RELIABLE = 0x00,
  RTG_DCEP_RELIABLE_UNORDERED = 0x80,
  RTG_DCEP_PARTIAL_REXMIT = 0x01,
  RTG_DCEP_PARTIAL_REXMIT_UNORDERED = 0x81,
  RTG_DCEP_PARTIAL_TIMED = 0x02,
  RTG_DCEP_PARTIAL_TIMED_UNORDERED = 0x82,
};

struct rtg_dcep_open {
  uint8_t channel_type;
  uint16_t priority;
  uint32_t reliability; /* retransmissions or lifetime in ms */
  struct rtg_slice label;
  struct rtg_slice protocol;
};

struct rtg_dcep_msg {
  uint8_t type; /* enum rtg_dcep_type */
  struct rtg_dcep_open open;
};

/* rtg_dcep_parse decodes one DCEP message (the payload of a PPID 50
 * message): an ACK is exactly one byte; an OPEN must be exactly as long as
 * its label and protocol say, with a known channel type and UTF-8 text.
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_dcep_parse(const uint8_t *data, size_t len, struct rtg_dcep_msg *msg,
                                 struct rtg_perr *perr);
/* rtg_dcep_open_write / rtg_dcep_ack_write encode a message into |buf|.
 * returns the length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD ptrdiff_t rtg_dcep_open_write(uint8_t *buf, size_t cap,
                                            const struct rtg_dcep_open *o);
RTG_NODISCARD ptrdiff_t rtg_dcep_ack_write(uint8_t *buf, size_t cap);
const char *rtg_dcep_channel_type_name(uint8_t t);

#ifdef __cplusplus
}
#endif
#endif /* RTG_SCTP_H */
