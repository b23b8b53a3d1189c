/*
 * rtg/dtls.h - DTLS codec (RFC 6347 DTLS 1.2, RFC 9147 DTLS 1.3, RFC 9146
 * connection IDs, RFC 5764 use_srtp), handshake fragment reassembly, NSS key
 * log parsing and record protection from logged secrets.
 *
 * Decoded structures point into the caller's input buffer (struct rtg_slice):
 * they are valid as long as that buffer is. Parsers take a cursor whose
 * |base| is the start of the datagram so that every struct rtg_perr offset
 * is absolute.
 */
#ifndef RTG_DTLS_H
#define RTG_DTLS_H

#include "rtg/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol versions as they appear on the wire (one's complement style). */
#define RTG_DTLS_V10 0xfeffu
#define RTG_DTLS_V12 0xfefdu
#define RTG_DTLS_V13 0xfefcu

/* Content types (RFC 6347 §4.1, RFC 9146 §4, RFC 9147 §4). */
enum rtg_dtls_ct {
  RTG_DTLS_CT_CCS = 20,
  RTG_DTLS_CT_ALERT = 21,
  RTG_DTLS_CT_HANDSHAKE = 22,
  RTG_DTLS_CT_APPDATA = 23,
  RTG_DTLS_CT_HEARTBEAT = 24,
  RTG_DTLS_CT_TLS12_CID = 25,
  RTG_DTLS_CT_ACK = 26,
};

/* Handshake types (RFC 8446 §4, RFC 6347 §4.2, RFC 9147 §5). */
enum rtg_dtls_hs_type {
  RTG_DTLS_HS_HELLO_REQUEST = 0,
  RTG_DTLS_HS_CLIENT_HELLO = 1,
  RTG_DTLS_HS_SERVER_HELLO = 2,
  RTG_DTLS_HS_HELLO_VERIFY_REQUEST = 3,
  RTG_DTLS_HS_NEW_SESSION_TICKET = 4,
  RTG_DTLS_HS_END_OF_EARLY_DATA = 5,
  RTG_DTLS_HS_ENCRYPTED_EXTENSIONS = 8,
  RTG_DTLS_HS_REQUEST_CONNECTION_ID = 9,
  RTG_DTLS_HS_NEW_CONNECTION_ID = 10,
  RTG_DTLS_HS_CERTIFICATE = 11,
  RTG_DTLS_HS_SERVER_KEY_EXCHANGE = 12,
  RTG_DTLS_HS_CERTIFICATE_REQUEST = 13,
  RTG_DTLS_HS_SERVER_HELLO_DONE = 14,
  RTG_DTLS_HS_CERTIFICATE_VERIFY = 15,
  RTG_DTLS_HS_CLIENT_KEY_EXCHANGE = 16,
  RTG_DTLS_HS_FINISHED = 20,
  RTG_DTLS_HS_KEY_UPDATE = 24,
  RTG_DTLS_HS_MESSAGE_HASH = 254,
};

/* Extension types used by WebRTC endpoints. */
enum rtg_dtls_ext_type {
  RTG_DTLS_EXT_SERVER_NAME = 0,
  RTG_DTLS_EXT_SUPPORTED_GROUPS = 10,
  RTG_DTLS_EXT_EC_POINT_FORMATS = 11,
  RTG_DTLS_EXT_SIGNATURE_ALGORITHMS = 13,
  RTG_DTLS_EXT_USE_SRTP = 14,
  RTG_DTLS_EXT_ALPN = 16,
  RTG_DTLS_EXT_ENCRYPT_THEN_MAC = 22,
  RTG_DTLS_EXT_EXTENDED_MASTER_SECRET = 23,
  RTG_DTLS_EXT_SESSION_TICKET = 35,
  RTG_DTLS_EXT_PRE_SHARED_KEY = 41,
  RTG_DTLS_EXT_EARLY_DATA = 42,
  RTG_DTLS_EXT_SUPPORTED_VERSIONS = 43,
  RTG_DTLS_EXT_COOKIE = 44,
  RTG_DTLS_EXT_PSK_KEY_EXCHANGE_MODES = 45,
  RTG_DTLS_EXT_KEY_SHARE = 51,
  RTG_DTLS_EXT_CONNECTION_ID = 54,
  RTG_DTLS_EXT_RENEGOTIATION_INFO = 0xff01,
};

/* DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2). */
enum rtg_dtls_srtp_profile {
  RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001,
  RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_32 = 0x0002,
  RTG_DTLS_SRTP_AEAD_AES_128_GCM = 0x0007,
  RTG_DTLS_SRTP_AEAD_AES_256_GCM = 0x0008,
};

/* Name of a content type / handshake type / extension / SRTP profile / alert
 * description; a static string, "unknown" when not known. */
RTG_NODISCARD const char *rtg_dtls_ct_name(unsigned ct);
RTG_NODISCARD const char *rtg_dtls_hs_name(unsigned type);
RTG_NODISCARD const char *rtg_dtls_ext_name(unsigned type);
RTG_NODISCARD const char *rtg_dtls_srtp_profile_name(unsigned profile);
RTG_NODISCARD const char *rtg_dtls_alert_name(unsigned desc);

/* ------------------------------------------------------------------------ */
/* Records                                                                  */
/* ------------------------------------------------------------------------ */

/* Largest record payload accepted: 2^14 plus the RFC 6347 §4.1 / RFC 5246
 * §6.2.3 ciphertext expansion allowance of 2048. */
#define RTG_DTLS_RECORD_MAX 18432u
#define RTG_DTLS_CID_MAX 255u

/*
 * One record. Two header forms exist (RFC 9147 §4):
 *
 *   DTLSPlaintext / DTLS 1.2 (13 bytes, +CID for type 25, RFC 9146 §4):
 *     type(1) version(2) epoch(2) sequence_number(6) [cid] length(2)
 *
 *   DTLS 1.3 unified header (|unified| true):
 *      0 1 2 3 4 5 6 7
 *     +-+-+-+-+-+-+-+-+
 *     |0|0|1|C|S|L|E E|
 *     +-+-+-+-+-+-+-+-+
 *     | Connection ID |   present if C
 *     | 8 or 16 bit   |   16 bits if S
 *     |Sequence Number|
 *     | 16 bit Length |   present if L, else the record fills the datagram
 *     +-+-+-+-+-+-+-+-+
 */
struct rtg_dtls_record {
  bool unified;
  uint8_t type;             /* content type; 0 for a unified header (encrypted) */
  uint16_t version;         /* plaintext header only */
  uint16_t epoch;           /* 16 bits, or the low 2 bits (E E) when unified */
  uint64_t seq;             /* 48 bits, or the 8/16 low bits when unified */
  uint8_t seq_len;          /* bytes on the wire: 6, 2 or 1 */
  bool has_cid;             /* type 25 or unified C bit */
  bool has_length;          /* always for plaintext; L bit when unified */
  struct rtg_slice cid;     /* connection ID (empty unless has_cid) */
  struct rtg_slice header;  /* the header bytes as received */
  struct rtg_slice payload; /* fragment / encrypted_record */
  size_t offset;            /* of the record in the datagram */
};

/* rtg_dtls_record_parse reads one record from |rd|. |cid_len| is the length
 * of connection IDs this endpoint receives (needed because neither header
 * carries it; 0 when none was negotiated). On success |rd| is after the
 * record. returns 0 or one of: RTG_ERR_PARSE (|perr| filled; |rd| unchanged). */
RTG_NODISCARD int rtg_dtls_record_parse(struct rtg_rd *rd, size_t cid_len,
                                        struct rtg_dtls_record *rec, struct rtg_perr *perr);

/* rtg_dtls_datagram_parse splits one UDP payload into its records (RFC 6347
 * §4.1.1: several records may share a datagram), at most |max| of them;
 * |*n| receives the count. returns 0 or one of: RTG_ERR_PARSE (empty
 * datagram or a malformed record; |*n| holds the records parsed before it),
 * RTG_ERR_NOBUF (more than |max| records). */
RTG_NODISCARD int rtg_dtls_datagram_parse(const uint8_t *data, size_t len, size_t cid_len,
                                          struct rtg_dtls_record *recs, size_t max, size_t *n,
                                          struct rtg_perr *perr);

/* rtg_dtls_record_write writes |rec| (header built from its fields, |header|
 * and |offset| ignored; |payload| copied). The unified form is written when
 * |rec->unified|. returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL (field
 * out of range, e.g. seq_len not 1/2/6). */
RTG_NODISCARD int rtg_dtls_record_write(struct rtg_wr *wr, const struct rtg_dtls_record *rec);

/* ------------------------------------------------------------------------ */
/* Handshake fragments and reassembly                                      */
/* ------------------------------------------------------------------------ */

/* RFC 6347 §4.2.2 / RFC 9147 §5.2:
 *   msg_type(1) length(3) message_seq(2) fragment_offset(3)
 *   fragment_length(3) body[fragment_length] */
struct rtg_dtls_hs_frag {
  uint8_t msg_type;
  uint32_t length;
  uint16_t msg_seq;
  uint32_t frag_off;
  uint32_t frag_len;
  struct rtg_slice body;
  size_t offset; /* of the fragment header */
};
#define RTG_DTLS_HS_HEADER_LEN 12u

/* rtg_dtls_hs_frag_parse reads one fragment from |rd| (a record payload may
 * hold several). returns 0 or one of: RTG_ERR_PARSE (|rd| unchanged). */
RTG_NODISCARD int rtg_dtls_hs_frag_parse(struct rtg_rd *rd, struct rtg_dtls_hs_frag *f,
                                         struct rtg_perr *perr);

/* rtg_dtls_hs_frag_write writes the 12-byte header from |f| then |f->body|
 * (whose length must equal |f->frag_len|). returns 0 or one of:
 * RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_dtls_hs_frag_write(struct rtg_wr *wr, const struct rtg_dtls_hs_frag *f);

/* Reassembly of fragmented handshake messages (RFC 6347 §4.2.3): fragments
 * may arrive duplicated, overlapping, out of order and retransmitted, and
 * the messages of a flight may arrive out of order. Up to
 * RTG_DTLS_REASM_SLOTS messages ahead of the next expected one are buffered.
 * Buffers come from the context's allocator. */
#define RTG_DTLS_REASM_SLOTS 8
#define RTG_DTLS_REASM_MAX_MSG 65536u

struct rtg_dtls_reasm_slot {
  bool used;
  uint8_t msg_type;
  uint16_t msg_seq;
  uint32_t length;
  uint32_t have; /* bytes received so far (bitmap population) */
  uint8_t *buf;  /* |length| bytes */
  uint8_t *map;  /* one bit per byte */
};

struct rtg_dtls_reasm {
  const struct rtg_ctx *ctx;
  uint16_t next_seq; /* message_seq of the next message to deliver */
  int delivered;     /* slot index handed out by _next, freed on next call */
  struct rtg_dtls_reasm_slot slot[RTG_DTLS_REASM_SLOTS];
};

/* A complete handshake message. |body| points into the reassembler and stays
 * valid until the next call on it. */
struct rtg_dtls_hs_raw {
  uint8_t msg_type;
  uint16_t msg_seq;
  struct rtg_slice body;
};

/* rtg_dtls_reasm_init prepares |r| to expect message_seq |first_seq|. */
void rtg_dtls_reasm_init(struct rtg_dtls_reasm *r, const struct rtg_ctx *ctx, uint16_t first_seq);
void rtg_dtls_reasm_free(struct rtg_dtls_reasm *r);

/* rtg_dtls_reasm_add takes in one fragment. returns 0 (stored, possibly
 * completing a message) or one of: RTG_ERR_REPLAY (message already delivered:
 * a retransmission, ignored), RTG_ERR_PARSE (contradicts an earlier fragment
 * of the same message: different type or length, or overlapping bytes that
 * differ; |perr| filled), RTG_ERR_UNSUPPORTED (message longer than
 * RTG_DTLS_REASM_MAX_MSG, or too far ahead), RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_dtls_reasm_add(struct rtg_dtls_reasm *r, const struct rtg_dtls_hs_frag *f,
                                     struct rtg_perr *perr);

/* rtg_dtls_reasm_next hands out the next complete message in message_seq
 * order. returns 0 or one of: RTG_ERR_AGAIN (not complete yet). */
RTG_NODISCARD int rtg_dtls_reasm_next(struct rtg_dtls_reasm *r, struct rtg_dtls_hs_raw *out);

/* ------------------------------------------------------------------------ */
/* Handshake messages and extensions                                        */
/* ------------------------------------------------------------------------ */

struct rtg_dtls_ext {
  uint16_t type;
  struct rtg_slice data;
  size_t offset;       /* of the extension's type field, from |base| */
  const uint8_t *base; /* the parsed input's start (error offsets count from
                        * it); NULL for a hand-built extension: offsets are
                        * then within |data| */
};

#define RTG_DTLS_EXT_MAX 40
struct rtg_dtls_exts {
  bool present; /* the extensions block was there (may be empty) */
  size_t n;
  struct rtg_dtls_ext e[RTG_DTLS_EXT_MAX];
};

/* rtg_dtls_exts_find returns the extension of |type| or NULL. */
RTG_NODISCARD const struct rtg_dtls_ext *rtg_dtls_exts_find(const struct rtg_dtls_exts *x,
                                                            uint16_t type);

/* ClientHello (RFC 6347 §4.2.1, RFC 9147 §5.3: the legacy cookie stays). */
struct rtg_dtls_client_hello {
  uint16_t version;
  struct rtg_slice random;      /* 32 bytes */
  struct rtg_slice session_id;  /* 0..32 */
  struct rtg_slice cookie;      /* 0..255 */
  struct rtg_slice suites;      /* 2*N bytes, N >= 1 */
  struct rtg_slice compression; /* 1..255 */
  struct rtg_dtls_exts exts;
};

/* ServerHello; |hrr| is set when random is the RFC 8446 §4.1.3
 * HelloRetryRequest value. */
struct rtg_dtls_server_hello {
  uint16_t version;
  struct rtg_slice random;
  struct rtg_slice session_id;
  uint16_t suite;
  uint8_t compression;
  bool hrr;
  struct rtg_dtls_exts exts;
};

struct rtg_dtls_hello_verify {
  uint16_t version;
  struct rtg_slice cookie; /* 0..255 */
};

#define RTG_DTLS_CERT_MAX 16
struct rtg_dtls_certificate {
  struct rtg_slice context; /* DTLS 1.3 certificate_request_context */
  size_t n;
  struct rtg_slice cert[RTG_DTLS_CERT_MAX];     /* DER */
  struct rtg_slice cert_ext[RTG_DTLS_CERT_MAX]; /* DTLS 1.3 only, raw block */
};

struct rtg_dtls_cert_verify {
  uint16_t sig_alg;
  struct rtg_slice sig;
};

/* ServerKeyExchange for ECDHE (RFC 8422 §5.4); |params| covers the signed
 * ServerECDHParams. */
struct rtg_dtls_server_kx {
  uint8_t curve_type; /* 3 = named_curve */
  uint16_t group;
  struct rtg_slice pubkey;
  struct rtg_slice params;
  uint16_t sig_alg;
  struct rtg_slice sig;
};

struct rtg_dtls_client_kx {
  struct rtg_slice pubkey; /* ECDHE: ECPoint<1..255> */
};

struct rtg_dtls_new_ticket {
  uint32_t lifetime;
  uint32_t age_add;       /* 1.3 only */
  struct rtg_slice nonce; /* 1.3 only */
  struct rtg_slice ticket;
  struct rtg_dtls_exts exts; /* 1.3 only */
};

struct rtg_dtls_hs_msg {
  uint8_t type;
  union {
    struct rtg_dtls_client_hello ch;
    struct rtg_dtls_server_hello sh;
    struct rtg_dtls_hello_verify hvr;
    struct rtg_dtls_certificate cert;
    struct rtg_dtls_cert_verify cv;
    struct rtg_dtls_server_kx skx;
    struct rtg_dtls_client_kx ckx;
    struct rtg_dtls_new_ticket nst;
    struct rtg_dtls_exts ee;   /* EncryptedExtensions */
    struct rtg_slice finished; /* verify_data */
    uint8_t key_update;        /* KeyUpdateRequest: 0 or 1 */
    struct rtg_slice other;    /* any other type: the raw body */
  } u;
};

/* rtg_dtls_hs_body_parse parses the body of a handshake message of |type|.
 * |body| covers exactly the body and must be fully consumed. |tls13| selects
 * the 1.3 layout where the two versions differ (Certificate,
 * NewSessionTicket). returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_dtls_hs_body_parse(uint8_t type, struct rtg_rd *body, bool tls13,
                                         struct rtg_dtls_hs_msg *m, struct rtg_perr *perr);

/* Writers for the messages a test or a fuzz mutator builds. Each writes the
 * body only (no handshake header). returns 0 or one of: RTG_ERR_NOBUF,
 * RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_dtls_client_hello_write(struct rtg_wr *wr,
                                              const struct rtg_dtls_client_hello *ch);
RTG_NODISCARD int rtg_dtls_server_hello_write(struct rtg_wr *wr,
                                              const struct rtg_dtls_server_hello *sh);
RTG_NODISCARD int rtg_dtls_hello_verify_write(struct rtg_wr *wr,
                                              const struct rtg_dtls_hello_verify *hv);
/* Writes an extensions block (2-byte length + entries) when |x->present|. */
RTG_NODISCARD int rtg_dtls_exts_write(struct rtg_wr *wr, const struct rtg_dtls_exts *x);

/* A list of 16-bit values: supported_groups, signature_algorithms,
 * supported_versions (ClientHello form), use_srtp profiles, cipher suites. */
#define RTG_DTLS_LIST_MAX 64
struct rtg_dtls_u16_list {
  size_t n;
  uint16_t v[RTG_DTLS_LIST_MAX];
};

/* use_srtp (RFC 5764 §4.1.1): SRTPProtectionProfiles<2..2^16-1>, srtp_mki<0..255>. */
struct rtg_dtls_use_srtp {
  struct rtg_dtls_u16_list profiles;
  struct rtg_slice mki;
};

/* key_share (RFC 8446 §4.2.8): ClientHello: a list; ServerHello: one entry;
 * HelloRetryRequest: only the selected group (n = 1, key empty). */
#define RTG_DTLS_KEY_SHARE_MAX 8
struct rtg_dtls_key_share {
  size_t n;
  uint16_t group[RTG_DTLS_KEY_SHARE_MAX];
  struct rtg_slice key[RTG_DTLS_KEY_SHARE_MAX];
};

/* Extension body parsers. |ext| comes from a parsed extensions block; each
 * body must be consumed exactly. Each returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_dtls_ext_use_srtp_parse(const struct rtg_dtls_ext *ext,
                                              struct rtg_dtls_use_srtp *out, struct rtg_perr *perr);
/* supported_groups and signature_algorithms: a 16-bit-length list. */
RTG_NODISCARD int rtg_dtls_ext_u16_list_parse(const struct rtg_dtls_ext *ext,
                                              struct rtg_dtls_u16_list *out, struct rtg_perr *perr);
/* supported_versions: |client_hello| selects the list form (8-bit length);
 * otherwise one selected version (n = 1). */
RTG_NODISCARD int rtg_dtls_ext_versions_parse(const struct rtg_dtls_ext *ext, bool client_hello,
                                              struct rtg_dtls_u16_list *out, struct rtg_perr *perr);
/* key_share; |msg| is RTG_DTLS_HS_CLIENT_HELLO or _SERVER_HELLO, |hrr| for a
 * HelloRetryRequest. */
RTG_NODISCARD int rtg_dtls_ext_key_share_parse(const struct rtg_dtls_ext *ext, uint8_t msg,
                                               bool hrr, struct rtg_dtls_key_share *out,
                                               struct rtg_perr *perr);
/* cookie (1..2^16-1, 16-bit length), renegotiation_info and connection_id
 * (0..255, 8-bit length): the opaque value. */
RTG_NODISCARD int rtg_dtls_ext_opaque_parse(const struct rtg_dtls_ext *ext, struct rtg_slice *out,
                                            struct rtg_perr *perr);
/* extended_master_secret / encrypt_then_mac: must be empty. */
RTG_NODISCARD int rtg_dtls_ext_empty_parse(const struct rtg_dtls_ext *ext, struct rtg_perr *perr);

/* rtg_dtls_exts_validate runs the body parser of every extension of |x| it
 * knows (use_srtp, supported_groups, signature_algorithms,
 * supported_versions, key_share, cookie, renegotiation_info, connection_id,
 * extended_master_secret, encrypt_then_mac) for a block carried in message
 * |msg| (|hrr| for a HelloRetryRequest); others are skipped. returns 0 or
 * one of: RTG_ERR_PARSE (the first bad extension; |perr| filled). */
RTG_NODISCARD int rtg_dtls_exts_validate(const struct rtg_dtls_exts *x, uint8_t msg, bool hrr,
                                         struct rtg_perr *perr);

/* rtg_dtls_ext_use_srtp_write writes a complete use_srtp extension (type,
 * length and body). returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_dtls_ext_use_srtp_write(struct rtg_wr *wr, const struct rtg_dtls_use_srtp *u);

/* ------------------------------------------------------------------------ */
/* Alerts, ChangeCipherSpec, ACK                                            */
/* ------------------------------------------------------------------------ */

struct rtg_dtls_alert {
  uint8_t level; /* 1 warning, 2 fatal */
  uint8_t desc;  /* 0 close_notify, ... */
};

/* Each parser consumes all of |rd|. returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_dtls_alert_parse(struct rtg_rd *rd, struct rtg_dtls_alert *a,
                                       struct rtg_perr *perr);
RTG_NODISCARD int rtg_dtls_ccs_parse(struct rtg_rd *rd, struct rtg_perr *perr);

/* ACK (RFC 9147 §7): RecordNumber record_numbers<0..2^16-1>, each
 * {uint64 epoch; uint64 sequence_number}. */
#define RTG_DTLS_ACK_MAX 64
struct rtg_dtls_ack {
  size_t n;
  uint64_t epoch[RTG_DTLS_ACK_MAX];
  uint64_t seq[RTG_DTLS_ACK_MAX];
};
RTG_NODISCARD int rtg_dtls_ack_parse(struct rtg_rd *rd, struct rtg_dtls_ack *a,
                                     struct rtg_perr *perr);
/* Writers. returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_dtls_alert_write(struct rtg_wr *wr, const struct rtg_dtls_alert *a);
RTG_NODISCARD int rtg_dtls_ack_write(struct rtg_wr *wr, const struct rtg_dtls_ack *a);

/* ------------------------------------------------------------------------ */
/* NSS key log (the SSLKEYLOGFILE convention)                               */
/* ------------------------------------------------------------------------ */

/* Labels of the NSS key log format: "LABEL <client_random hex> <secret hex>"
 * per line; '#' lines and blank lines are comments. */
enum rtg_dtls_kl_label {
  RTG_DTLS_KL_CLIENT_RANDOM = 1, /* DTLS 1.2: the 48-byte master secret */
  RTG_DTLS_KL_CLIENT_EARLY_TRAFFIC_SECRET,
  RTG_DTLS_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
  RTG_DTLS_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
  RTG_DTLS_KL_CLIENT_TRAFFIC_SECRET_0,
  RTG_DTLS_KL_SERVER_TRAFFIC_SECRET_0,
  RTG_DTLS_KL_EARLY_EXPORTER_SECRET,
  RTG_DTLS_KL_EXPORTER_SECRET,
};

struct rtg_dtls_keylog_entry {
  uint8_t label;
  uint8_t client_random[32];
  uint8_t secret[64];
  uint8_t secret_len;
};

#define RTG_DTLS_KEYLOG_MAX 256
struct rtg_dtls_keylog {
  size_t n;
  struct rtg_dtls_keylog_entry e[RTG_DTLS_KEYLOG_MAX];
};

/* "CLIENT_RANDOM" etc.; NULL for an unknown label. */
RTG_NODISCARD const char *rtg_dtls_keylog_label_name(unsigned label);

/* rtg_dtls_keylog_parse appends the entries of key log |text| to |kl|.
 * Lines with labels this stack does not use are skipped; a repeated
 * (label, client_random) pair replaces the earlier secret. returns 0 or one
 * of: RTG_ERR_PARSE (|perr| has the byte offset of the bad field),
 * RTG_ERR_NOBUF (more than RTG_DTLS_KEYLOG_MAX entries). */
RTG_NODISCARD int rtg_dtls_keylog_parse(struct rtg_dtls_keylog *kl, const char *text, size_t len,
                                        struct rtg_perr *perr);

/* rtg_dtls_keylog_find returns the entry for |label| and |client_random|, or
 * NULL. */
RTG_NODISCARD const struct rtg_dtls_keylog_entry *rtg_dtls_keylog_find(
    const struct rtg_dtls_keylog *kl, unsigned label, const uint8_t client_random[32]);

/* rtg_dtls_keylog_format writes one key log line (with '\n' and a NUL) into
 * |out|. returns the line length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD ptrdiff_t rtg_dtls_keylog_format(char *out, size_t cap, unsigned label,
                                               const uint8_t client_random[32],
                                               const uint8_t *secret, size_t secret_len);

/* ------------------------------------------------------------------------ */
/* Record protection from logged secrets (decryption for replay)            */
/* ------------------------------------------------------------------------ */

enum rtg_dtls_cipher_kind {
  RTG_DTLS_CIPHER_AES_GCM = 1,
  RTG_DTLS_CIPHER_CHACHA20_POLY1305,
  RTG_DTLS_CIPHER_AES_CBC, /* DTLS 1.2 only, with HMAC */
};

/* A DTLS 1.2 cipher suite this stack can decrypt. */
struct rtg_dtls12_suite {
  uint16_t id;
  const char *name;
  uint8_t kind;         /* enum rtg_dtls_cipher_kind */
  uint8_t key_len;      /* encryption key */
  uint8_t fixed_iv_len; /* GCM 4, ChaCha20 12, CBC 0 */
  uint8_t mac_len;      /* CBC: HMAC key and tag length; AEAD: 0 */
  uint8_t mac_alg;      /* enum rtg_hash_alg for CBC's HMAC */
  uint8_t prf_alg;      /* enum rtg_hash_alg of the TLS 1.2 PRF */
};

/* NULL if |id| is not supported. */
RTG_NODISCARD const struct rtg_dtls12_suite *rtg_dtls12_suite_find(uint16_t id);

/* One direction's DTLS 1.2 keys. |etm| selects encrypt-then-MAC (RFC 7366)
 * for CBC suites. */
struct rtg_dtls12_keys {
  const struct rtg_dtls12_suite *suite;
  bool etm;
  uint8_t key[32];
  uint8_t iv[12];
  uint8_t mac_key[48];
};

/* rtg_dtls12_keys_derive expands |master| (a CLIENT_RANDOM secret: with the
 * extended master secret extension it already is the RFC 7627 value) into
 * the RFC 5246 §6.3 key block and splits it. returns 0 or one of:
 * RTG_ERR_UNSUPPORTED (suite), RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls12_keys_derive(uint16_t suite, bool etm, const uint8_t master[48],
                                         const uint8_t client_random[32],
                                         const uint8_t server_random[32],
                                         struct rtg_dtls12_keys *client_write,
                                         struct rtg_dtls12_keys *server_write);

/* rtg_dtls12_unprotect decrypts and authenticates the payload of |rec|
 * (a DTLS 1.2 record, epoch > 0) into |out|. A tls12_cid record (type 25,
 * RFC 9146 §5: its own additional data / MAC header with the CID) yields
 * the content of its DTLSInnerPlaintext: use rtg_dtls12_unprotect_typed to
 * learn its real content type. returns the plaintext length or one of:
 * RTG_ERR_AUTH (tag, MAC or padding check failed: the record was altered or
 * the keys are wrong; |perr| says which), RTG_ERR_PARSE (payload too short
 * for the suite; a tls12_cid inner plaintext without a non-zero byte),
 * RTG_ERR_INVAL, RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_dtls12_unprotect(const struct rtg_dtls12_keys *k,
                                             const struct rtg_dtls_record *rec, uint8_t *out,
                                             size_t cap, struct rtg_perr *perr);

/* rtg_dtls12_unprotect_typed is rtg_dtls12_unprotect that also stores the
 * content type in |*type|: the record's type, or for a tls12_cid record the
 * real_type of its DTLSInnerPlaintext (RFC 9146 §4; content || real_type ||
 * zeros, the zero padding stripped). Same returns. */
RTG_NODISCARD ptrdiff_t rtg_dtls12_unprotect_typed(const struct rtg_dtls12_keys *k,
                                                   const struct rtg_dtls_record *rec, uint8_t *out,
                                                   size_t cap, uint8_t *type,
                                                   struct rtg_perr *perr);

/* rtg_dtls12_protect writes a whole protected record (13-byte header and
 * payload) for |pt|. The explicit nonce (GCM) is epoch||seq and the CBC IV
 * is derived from it, so output is deterministic. returns the record length
 * or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL (|type| 25: use
 * rtg_dtls12_protect_cid), RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_dtls12_protect(const struct rtg_dtls12_keys *k, uint8_t type,
                                           uint16_t version, uint16_t epoch, uint64_t seq,
                                           const uint8_t *pt, size_t len, uint8_t *out, size_t cap);

/* rtg_dtls12_protect_cid writes a tls12_cid record (RFC 9146 §4, §5):
 * header type 25 with |cid| (1..255 bytes, the CID the receiver asked for),
 * payload the protected DTLSInnerPlaintext |pt| || |type| || |zeros| zero
 * bytes (0..255). Same nonce and IV choice as rtg_dtls12_protect. returns
 * the record length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_dtls12_protect_cid(const struct rtg_dtls12_keys *k, uint8_t type,
                                               uint16_t version, uint16_t epoch, uint64_t seq,
                                               const uint8_t *cid, size_t cid_len,
                                               const uint8_t *pt, size_t len, size_t zeros,
                                               uint8_t *out, size_t cap);

/* rtg_dtls12_export computes the RFC 5705 exporter without context:
 * PRF(master, label, client_random + server_random)[0..len). returns 0 or
 * one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls12_export(uint8_t prf_alg, const uint8_t master[48],
                                    const uint8_t client_random[32],
                                    const uint8_t server_random[32], const char *label,
                                    uint8_t *out, size_t len);

/* rtg_tls13_hkdf_expand_label is HKDF-Expand-Label (RFC 8446 §7.1) with the
 * label prefix "tls13 ", or "dtls13" when |dtls| (RFC 9147 §5.9). returns 0
 * or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_tls13_hkdf_expand_label(uint8_t hash_alg, bool dtls, const uint8_t *secret,
                                              size_t secret_len, const char *label,
                                              const uint8_t *context, size_t context_len,
                                              uint8_t *out, size_t out_len);

/* rtg_tls13_export is the TLS 1.3 exporter (RFC 8446 §7.5) from an
 * EXPORTER_SECRET. returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_tls13_export(uint8_t hash_alg, bool dtls, const uint8_t *exporter_secret,
                                   size_t secret_len, const char *label, const uint8_t *context,
                                   size_t context_len, uint8_t *out, size_t out_len);

/* A DTLS 1.3 cipher suite (TLS_AES_128_GCM_SHA256 0x1301,
 * TLS_AES_256_GCM_SHA384 0x1302, TLS_CHACHA20_POLY1305_SHA256 0x1303). */
struct rtg_dtls13_suite {
  uint16_t id;
  const char *name;
  uint8_t kind;
  uint8_t key_len;
  uint8_t hash_alg;
};
RTG_NODISCARD const struct rtg_dtls13_suite *rtg_dtls13_suite_find(uint16_t id);

/* One direction of one DTLS 1.3 epoch: 2 = handshake, 3 = application
 * traffic secret 0, 4+ = after KeyUpdate. |next_seq| is the sequence number
 * expected next, used to reconstruct the full number from its low 8 or 16
 * bits (RFC 9147 §4.2.2); unprotect advances it. */
struct rtg_dtls13_keys {
  const struct rtg_dtls13_suite *suite;
  uint64_t epoch;
  uint8_t secret[48];
  uint8_t key[32];
  uint8_t iv[12];
  uint8_t sn_key[32];
  uint64_t next_seq;
};

/* rtg_dtls13_keys_derive derives key, iv and sn_key (RFC 9147 §4.2.3) from a
 * traffic |secret|. returns 0 or one of: RTG_ERR_UNSUPPORTED, RTG_ERR_INVAL,
 * RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls13_keys_derive(uint16_t suite, uint64_t epoch, const uint8_t *secret,
                                         size_t secret_len, struct rtg_dtls13_keys *k);

/* rtg_dtls13_keys_update moves |k| to the next epoch (RFC 8446 §7.2
 * "traffic upd"). returns 0 or one of: RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls13_keys_update(struct rtg_dtls13_keys *k);

/* rtg_dtls13_unprotect removes record number encryption (RFC 9147 §4.2.3),
 * reconstructs the sequence number, decrypts and authenticates a unified-
 * header record into |out|, strips the padding and returns the content
 * length with the inner content type in |*type| and the full sequence
 * number in |*seq|. returns the length or one of: RTG_ERR_AUTH (failed
 * authentication; |perr| says so), RTG_ERR_PARSE (ciphertext shorter than
 * 16 bytes, or no content type in the plaintext), RTG_ERR_INVAL (epoch bits
 * do not match |k|), RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_dtls13_unprotect(struct rtg_dtls13_keys *k,
                                             const struct rtg_dtls_record *rec, uint8_t *out,
                                             size_t cap, uint8_t *type, uint64_t *seq,
                                             struct rtg_perr *perr);

/* rtg_dtls13_protect writes a unified-header record (16-bit sequence number,
 * length present, no CID) carrying |pt| as content |type|. returns the
 * record length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_dtls13_protect(const struct rtg_dtls13_keys *k, uint8_t type,
                                           uint64_t seq, const uint8_t *pt, size_t len,
                                           uint8_t *out, size_t cap);

/* DTLS-SRTP keys (RFC 5764 §4.2): the exporter output with label
 * "EXTRACTOR-dtls_srtp" is client_key | server_key | client_salt |
 * server_salt. */
struct rtg_dtls_srtp_keys {
  uint16_t profile;
  uint8_t key_len;
  uint8_t salt_len;
  uint8_t client_key[32];
  uint8_t server_key[32];
  uint8_t client_salt[14];
  uint8_t server_salt[14];
};
#define RTG_DTLS_SRTP_LABEL "EXTRACTOR-dtls_srtp"

/* Exporter bytes needed for |profile|, 0 if unknown. */
RTG_NODISCARD size_t rtg_dtls_srtp_material_len(uint16_t profile);

/* rtg_dtls_srtp_keys_split splits |material| (rtg_dtls_srtp_material_len
 * bytes) for |profile|. returns 0 or one of: RTG_ERR_UNSUPPORTED,
 * RTG_ERR_INVAL (wrong length). */
RTG_NODISCARD int rtg_dtls_srtp_keys_split(uint16_t profile, const uint8_t *material, size_t len,
                                           struct rtg_dtls_srtp_keys *k);

/* ------------------------------------------------------------------------ */
/* Session decryptor (pcap replay)                                          */
/* ------------------------------------------------------------------------ */

/* A cipher context keyed once and reused for every record under the same
 * key (the decryptor keeps them; fields are internal). */
struct rtg_dtls_cipher_cache {
  void *evp;          /* EVP_CIPHER_CTX */
  const void *cipher; /* the EVP_CIPHER it was keyed for */
  uint8_t key[32];
  uint8_t key_len;
  bool enc;
};

/* Follows one DTLS session record by record, both directions: learns the
 * client and server randoms, the cipher suite, encrypt_then_mac, the
 * version (supported_versions) and the SRTP profile from the plaintext
 * hellos, then decrypts protected records with secrets from |kl|
 * (CLIENT_RANDOM for 1.2; *_TRAFFIC_SECRET_* for 1.3, following KeyUpdate).
 * Plaintext handshake messages are reassembled (browsers fragment their
 * ClientHello), with buffers from |ctx|. DTLS 1.2 connection IDs (RFC 9146)
 * negotiated by the hellos are followed: tls12_cid records decrypt to their
 * real content type. */
struct rtg_dtls_decryptor {
  const struct rtg_dtls_keylog *kl;
  struct rtg_dtls_reasm reasm[2]; /* [from_server] epoch-0 handshake */
  bool have_client_random, have_server_hello, tls13;
  uint8_t client_random[32];
  uint8_t server_random[32];
  uint16_t suite;
  bool etm;
  uint16_t srtp_profile;
  /* connection_id (RFC 9146 §3) as the hellos carried it: [0] the CID the
   * client asked for (ClientHello; on the server's records), [1] the one
   * the server asked for (ServerHello; on the client's records). */
  bool cid_sent[2];
  uint8_t cid_len[2];
  uint8_t cid[2][RTG_DTLS_CID_MAX];
  bool have12;
  struct rtg_dtls12_keys c12, s12;
  bool have13[2][2]; /* [from_server][0 handshake, 1 application] */
  struct rtg_dtls13_keys k13[2][2];
  struct rtg_dtls_cipher_cache cache[2][2]; /* [from_server][record, number mask] */
};

void rtg_dtls_decryptor_init(struct rtg_dtls_decryptor *d, const struct rtg_dtls_keylog *kl,
                             const struct rtg_ctx *ctx);
void rtg_dtls_decryptor_free(struct rtg_dtls_decryptor *d);

/* rtg_dtls_decryptor_record takes the next record sent by the client
 * (|from_client|) or the server, and writes its content to |out| (the
 * payload itself for plaintext records) with the content type in |*type|.
 * A tls12_cid record gives its real content type (RFC 9146 §4).
 * returns the content length or one of: RTG_ERR_NOTFOUND (no secret for this
 * session and epoch in the key log), RTG_ERR_AUTH (failed authentication),
 * RTG_ERR_UNSUPPORTED (cipher suite), RTG_ERR_PARSE (also: a tls12_cid
 * record whose CID is not the one negotiated for its sender, or no real
 * content type inside), RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD ptrdiff_t rtg_dtls_decryptor_record(struct rtg_dtls_decryptor *d, bool from_client,
                                                  const struct rtg_dtls_record *rec, uint8_t *out,
                                                  size_t cap, uint8_t *type, struct rtg_perr *perr);

/* rtg_dtls_decryptor_cid_len returns the length of the connection ID
 * carried by the records the client (|from_client|) or the server sends:
 * the CID the receiver asked for in its hello (RFC 9146 §3: records from
 * the client carry the ServerHello's, from the server the ClientHello's),
 * when both hellos carried connection_id and that CID is not empty; else 0.
 * Pass it to rtg_dtls_datagram_parse for that direction. */
RTG_NODISCARD size_t rtg_dtls_decryptor_cid_len(const struct rtg_dtls_decryptor *d,
                                                bool from_client);

/* rtg_dtls_decryptor_srtp_keys derives the DTLS-SRTP keys of the session
 * (RFC 5764 §4.2) from the key log: the TLS 1.2 PRF exporter over the
 * master secret, or the TLS 1.3 exporter over EXPORTER_SECRET. returns 0 or
 * one of: RTG_ERR_STATE (hellos or use_srtp not seen), RTG_ERR_NOTFOUND,
 * RTG_ERR_UNSUPPORTED, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_decryptor_srtp_keys(const struct rtg_dtls_decryptor *d,
                                               struct rtg_dtls_srtp_keys *k);

/* ------------------------------------------------------------------------ */
/* Endpoint: DTLS 1.2 over OpenSSL, sans-IO                                 */
/* ------------------------------------------------------------------------ */

/* A certificate and its private key (ECDSA P-256, self-signed), as every
 * WebRTC endpoint generates for itself. Opaque: OpenSSL objects inside. */
struct rtg_dtls_cert;

/* rtg_dtls_cert_generate makes a fresh P-256 key and a self-signed
 * certificate (serial from |ctx|'s randomness, fixed validity 2020..2099 so
 * that no clock is read). returns 0 or one of: RTG_ERR_NOMEM,
 * RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_cert_generate(const struct rtg_ctx *ctx, struct rtg_dtls_cert **out);

/* rtg_dtls_cert_generate_seeded is rtg_dtls_cert_generate with every random
 * value (the key, the signature nonces of this certificate and of the
 * handshakes it signs) drawn from |ctx|: with rtg_ctx_deterministic the
 * certificate and its signatures repeat exactly. For tests and fuzzing: the
 * stream is finite (RTG_DTLS_SEEDED_RNG bytes per generator, about a
 * thousand signatures). returns 0 or one of: RTG_ERR_NOMEM, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_cert_generate_seeded(const struct rtg_ctx *ctx,
                                                struct rtg_dtls_cert **out);
/* rtg_dtls_cert_reseed refills a seeded certificate's generators from
 * |ctx| (a fuzz target keeps one certificate and reseeds it per input).
 * Endpoints created with config.seeded_rng on a seeded certificate draw
 * from the same generators. returns 0 or one of: RTG_ERR_STATE (not a
 * seeded certificate), RTG_ERR_NOMEM, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_cert_reseed(struct rtg_dtls_cert *c, const struct rtg_ctx *ctx);
void rtg_dtls_cert_free(struct rtg_dtls_cert *c);

/* Bytes of |ctx| randomness behind each OpenSSL generator of a seeded
 * certificate or endpoint. */
#define RTG_DTLS_SEEDED_RNG 65536u

/* rtg_dtls_cert_fingerprint hashes the certificate's DER with |alg| (SDP
 * a=fingerprint, RFC 8122 §5) into |out| (rtg_hash_size(alg) bytes).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_cert_fingerprint(const struct rtg_dtls_cert *c, enum rtg_hash_alg alg,
                                            uint8_t *out);

enum rtg_dtls_role {
  RTG_DTLS_ROLE_CLIENT = 1, /* SDP a=setup:active */
  RTG_DTLS_ROLE_SERVER,     /* SDP a=setup:passive */
};

struct rtg_dtls_config {
  enum rtg_dtls_role role;
  const struct rtg_dtls_cert *cert; /* ours; must outlive the endpoint */
  /* The peer's SDP a=fingerprint: its certificate must hash to this, or
   * the handshake fails (the MitM defence, RFC 8827 §6.5). */
  enum rtg_hash_alg peer_fp_alg;
  uint8_t peer_fp[RTG_HASH_MAX];
  /* use_srtp profiles in preference order (0 entries: no use_srtp). */
  const uint16_t *srtp_profiles;
  size_t n_srtp_profiles;
  size_t mtu;           /* datagram size limit; 0 = 1200 */
  rtg_time initial_rto; /* first retransmission timeout; 0 = 1 s */
  /* Draw OpenSSL's randomness for this endpoint (hello randoms, ECDHE keys,
   * CBC IVs) from the context instead of OpenSSL's DRBG, so that runs with
   * rtg_ctx_deterministic repeat byte for byte: from the seeded
   * certificate's generators if |cert| is one, else from new ones filled
   * from |ctx|. For tests and fuzzing: the stream is finite
   * (RTG_DTLS_SEEDED_RNG bytes per generator). */
  bool seeded_rng;
  /* Key log writer: called with each NSS key log line (no newline). */
  void (*keylog)(void *ud, const char *line);
  void *keylog_ud;
};

enum rtg_dtls_event_type {
  RTG_DTLS_EV_CONNECTED = 1,        /* handshake done, keys available */
  RTG_DTLS_EV_DATA,                 /* application data from the peer */
  RTG_DTLS_EV_FINGERPRINT_MISMATCH, /* peer certificate != a=fingerprint */
  RTG_DTLS_EV_FAILED,               /* the handshake or connection failed */
  RTG_DTLS_EV_CLOSED,               /* the peer sent close_notify */
};

/* |data| stays valid until the next rtg_dtls_endpoint_poll_event call.
 * |reason| is a static or library-owned string. */
struct rtg_dtls_event {
  enum rtg_dtls_event_type type;
  const uint8_t *data;
  size_t len;
  uint16_t srtp_profile; /* CONNECTED: the negotiated profile, 0 if none */
  const char *reason;    /* FAILED / FINGERPRINT_MISMATCH */
};

struct rtg_dtls_endpoint;

/* rtg_dtls_endpoint_new creates an endpoint; a client starts its handshake
 * (the ClientHello is ready in poll_transmit). |now| is the current time.
 * returns 0 or one of: RTG_ERR_INVAL (config), RTG_ERR_NOMEM,
 * RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_endpoint_new(const struct rtg_ctx *ctx,
                                        const struct rtg_dtls_config *cfg, rtg_time now,
                                        struct rtg_dtls_endpoint **out);
void rtg_dtls_endpoint_free(struct rtg_dtls_endpoint *ep);

/* rtg_dtls_endpoint_handle_datagram takes one datagram from the peer.
 * returns 0 or one of: RTG_ERR_STATE (endpoint failed or closed). Protocol
 * failures are reported as events, not return codes. */
RTG_NODISCARD int rtg_dtls_endpoint_handle_datagram(struct rtg_dtls_endpoint *ep, rtg_time now,
                                                    const uint8_t *data, size_t len);

/* rtg_dtls_endpoint_handle_timeout retransmits the last flight when the
 * timer from poll_timeout has expired at |now|. returns 0 or one of:
 * RTG_ERR_STATE. */
RTG_NODISCARD int rtg_dtls_endpoint_handle_timeout(struct rtg_dtls_endpoint *ep, rtg_time now);

/* rtg_dtls_endpoint_poll_transmit moves the next datagram to send into
 * |buf|. There is no destination: the endpoint has one peer, reached over
 * whatever path (ICE pair) the caller uses. returns 0 or one of: RTG_ERR_AGAIN (nothing to send),
 * RTG_ERR_NOBUF (|cap| too small; the datagram stays queued). */
RTG_NODISCARD int rtg_dtls_endpoint_poll_transmit(struct rtg_dtls_endpoint *ep, uint8_t *buf,
                                                  size_t cap, size_t *len);

/* When handle_timeout must be called next, RTG_TIME_NEVER if no timer. */
RTG_NODISCARD rtg_time rtg_dtls_endpoint_poll_timeout(const struct rtg_dtls_endpoint *ep);

/* rtg_dtls_endpoint_poll_event returns 0 with the next event in |ev|, or
 * RTG_ERR_AGAIN. Drain after every input: up to 32 events are queued, later
 * ones are dropped (as are datagrams beyond 64 queued for poll_transmit,
 * which then behave like loss). */
RTG_NODISCARD int rtg_dtls_endpoint_poll_event(struct rtg_dtls_endpoint *ep,
                                               struct rtg_dtls_event *ev);

/* rtg_dtls_endpoint_send sends application data (one record). returns 0 or
 * one of: RTG_ERR_STATE (not connected), RTG_ERR_INVAL (too large for the
 * MTU), RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_endpoint_send(struct rtg_dtls_endpoint *ep, const uint8_t *data,
                                         size_t len);

/* rtg_dtls_endpoint_close sends close_notify. returns 0 or one of:
 * RTG_ERR_STATE. */
RTG_NODISCARD int rtg_dtls_endpoint_close(struct rtg_dtls_endpoint *ep);

/* rtg_dtls_endpoint_srtp_keys exports the RFC 5764 keying material of the
 * negotiated profile and splits it. returns 0 or one of: RTG_ERR_STATE (not
 * connected or no profile), RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_dtls_endpoint_srtp_keys(const struct rtg_dtls_endpoint *ep,
                                              struct rtg_dtls_srtp_keys *k);

/* Counters for tests and reports. */
struct rtg_dtls_endpoint_stats {
  uint64_t datagrams_in, datagrams_out, timeouts, retransmit_datagrams;
};
void rtg_dtls_endpoint_stats(const struct rtg_dtls_endpoint *ep,
                             struct rtg_dtls_endpoint_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* RTG_DTLS_H */
