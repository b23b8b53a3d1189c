/*
 * rtg/stun.h - STUN/TURN message codec (RFC 8489, RFC 8656, RFC 8445 §16,
 * RFC 5389/3489 legacy detection), TURN ChannelData framing and message
 * validation (MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, FINGERPRINT,
 * short-term and long-term credentials).
 *
 * Sans-IO and allocation-free: a parsed message points into the caller's
 * buffer (valid as long as that buffer is) and credentials key their HMACs
 * once (struct rtg_hmac), so validating a message allocates nothing.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Magic Cookie                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Transaction ID (96 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                     RFC 8489 §5: the STUN header
 */
#ifndef RTG_STUN_H
#define RTG_STUN_H

#include "rtg/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTG_STUN_MAGIC 0x2112A442u
#define RTG_STUN_HDR_LEN 20
#define RTG_STUN_TID_LEN 12
#define RTG_STUN_FP_XOR 0x5354554Eu /* RFC 8489 §14.7 */
/* Unknown comprehension-required attribute types remembered per message
 * (the count goes on beyond this; 420 responses list at most these). */
#define RTG_STUN_MAX_UNKNOWN 16

/* RFC 8489 §5: the class bits C1 C0. */
enum rtg_stun_class {
  RTG_STUN_REQUEST = 0,
  RTG_STUN_INDICATION = 1,
  RTG_STUN_SUCCESS = 2,
  RTG_STUN_ERROR = 3,
};

/* Methods: RFC 8489 §18.2, RFC 8656 §17. */
enum rtg_stun_method {
  RTG_STUN_BINDING = 0x001,
  RTG_STUN_ALLOCATE = 0x003,
  RTG_STUN_REFRESH = 0x004,
  RTG_STUN_SEND = 0x006,
  RTG_STUN_DATA = 0x007,
  RTG_STUN_CREATE_PERMISSION = 0x008,
  RTG_STUN_CHANNEL_BIND = 0x009,
};

/* Attribute types: RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1, and the
 * RFC 3489 ones a legacy message may carry. */
enum rtg_stun_attr_type {
  RTG_STUN_ATTR_MAPPED_ADDRESS = 0x0001,
  RTG_STUN_ATTR_RESPONSE_ADDRESS = 0x0002, /* RFC 3489 */
  RTG_STUN_ATTR_CHANGE_REQUEST = 0x0003,   /* RFC 3489 / RFC 5780 */
  RTG_STUN_ATTR_SOURCE_ADDRESS = 0x0004,   /* RFC 3489 */
  RTG_STUN_ATTR_CHANGED_ADDRESS = 0x0005,  /* RFC 3489 */
  RTG_STUN_ATTR_USERNAME = 0x0006,
  RTG_STUN_ATTR_PASSWORD = 0x0007, /* RFC 3489 */
  RTG_STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
  RTG_STUN_ATTR_ERROR_CODE = 0x0009,
  RTG_STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,
  RTG_STUN_ATTR_REFLECTED_FROM = 0x000B, /* RFC 3489 */
  RTG_STUN_ATTR_CHANNEL_NUMBER = 0x000C,
  RTG_STUN_ATTR_LIFETIME = 0x000D,
  RTG_STUN_ATTR_XOR_PEER_ADDRESS = 0x0012,
  RTG_STUN_ATTR_DATA = 0x0013,
  RTG_STUN_ATTR_REALM = 0x0014,
  RTG_STUN_ATTR_NONCE = 0x0015,
  RTG_STUN_ATTR_XOR_RELAYED_ADDRESS = 0x0016,
  RTG_STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017,
  RTG_STUN_ATTR_EVEN_PORT = 0x0018,
  RTG_STUN_ATTR_REQUESTED_TRANSPORT = 0x0019,
  RTG_STUN_ATTR_DONT_FRAGMENT = 0x001A,
  RTG_STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
  RTG_STUN_ATTR_PASSWORD_ALGORITHM = 0x001D,
  RTG_STUN_ATTR_USERHASH = 0x001E,
  RTG_STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
  RTG_STUN_ATTR_RESERVATION_TOKEN = 0x0022,
  RTG_STUN_ATTR_PRIORITY = 0x0024,
  RTG_STUN_ATTR_USE_CANDIDATE = 0x0025,
  RTG_STUN_ATTR_PASSWORD_ALGORITHMS = 0x8002,
  RTG_STUN_ATTR_ALTERNATE_DOMAIN = 0x8003,
  RTG_STUN_ATTR_SOFTWARE = 0x8022,
  RTG_STUN_ATTR_ALTERNATE_SERVER = 0x8023,
  RTG_STUN_ATTR_FINGERPRINT = 0x8028,
  RTG_STUN_ATTR_ICE_CONTROLLED = 0x8029,
  RTG_STUN_ATTR_ICE_CONTROLLING = 0x802A,
};

/* PASSWORD-ALGORITHM values, RFC 8489 §18.5. */
enum rtg_stun_pwalg {
  RTG_STUN_PWALG_MD5 = 0x0001,
  RTG_STUN_PWALG_SHA256 = 0x0002,
};

/* One attribute (TLV) of a parsed message; |value| points into the input. */
struct rtg_stun_attr {
  uint16_t type;
  uint16_t len;         /* value length, without padding */
  const uint8_t *value; /* |len| bytes */
  size_t offset;        /* offset of the TLV header from the message start */
};

/* A parsed message. Every pointer points into the parsed buffer. */
struct rtg_stun_msg {
  const uint8_t *raw; /* the whole message */
  size_t len;         /* RTG_STUN_HDR_LEN + Message Length */
  uint16_t type;      /* the 14-bit message type */
  uint16_t method;    /* enum rtg_stun_method or any 12-bit value */
  uint8_t cls;        /* enum rtg_stun_class */
  bool legacy;        /* no magic cookie: RFC 3489 message (§ 5 of 8489) */
  uint32_t cookie;    /* the magic cookie word (first TID word if legacy) */
  uint8_t tid[RTG_STUN_TID_LEN];
  size_t nattrs;
  /* TLV offsets of the integrity/fingerprint attributes, 0 when absent. */
  size_t mi_off, mi256_off, fp_off;
  uint16_t mi256_len; /* MESSAGE-INTEGRITY-SHA256 value length (16..32) */
  /* Comprehension-required (type < 0x8000) attributes this codec does not
   * know: reported, never dropped (RFC 8489 §6.3.1: a request gets a 420). */
  size_t nunknown; /* how many; the first RTG_STUN_MAX_UNKNOWN are below */
  uint16_t unknown[RTG_STUN_MAX_UNKNOWN];
};

/* A transport address (MAPPED-ADDRESS & co., already un-XORed). */
struct rtg_stun_addr {
  uint8_t family; /* 1 = IPv4, 2 = IPv6 (RFC 8489 §14.1) */
  uint16_t port;
  uint8_t addr[16]; /* network order; 4 bytes used for IPv4 */
};

/* One PASSWORD-ALGORITHM(S) entry, RFC 8489 §14.11/§14.12. */
struct rtg_stun_pwalg_entry {
  uint16_t alg;
  struct rtg_slice params;
};

/* RFC 7983 §7 / RFC 8489 §5: what a datagram looks like. */
enum rtg_stun_kind {
  RTG_STUN_KIND_OTHER = 0,   /* not STUN nor ChannelData */
  RTG_STUN_KIND_STUN,        /* first byte 0..3, magic cookie present */
  RTG_STUN_KIND_STUN_LEGACY, /* first byte 0..3, RFC 3489 (no cookie) */
  RTG_STUN_KIND_CHANNEL,     /* TURN ChannelData, first byte 64..79 */
};

/* rtg_stun_classify looks at the first bytes of |data| (RFC 7983 §7 plus the
 * STUN header rules of RFC 8489 §5: length multiple of 4, top bits zero) and
 * says what it is. It does not validate the rest. */
enum rtg_stun_kind rtg_stun_classify(const uint8_t *data, size_t len);

/* rtg_stun_attr_name returns the RFC name of attribute |type|
 * ("XOR-MAPPED-ADDRESS"), or NULL when unknown. */
const char *rtg_stun_attr_name(uint16_t type);
/* rtg_stun_method_name: "Binding", "Allocate", ... or NULL. */
const char *rtg_stun_method_name(uint16_t method);
/* rtg_stun_class_name: "request", "indication", "success", "error". */
const char *rtg_stun_class_name(uint8_t cls);

/* rtg_stun_msg_parse parses the single STUN message that is all of |data|
 * (one UDP datagram): header (RFC 8489 §5), every attribute's TLV framing,
 * alignment and padding (§14), attribute order (only
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT after MESSAGE-INTEGRITY, only
 * FINGERPRINT after MESSAGE-INTEGRITY-SHA256, nothing after FINGERPRINT;
 * §14.5-§14.7) and the value layout of every attribute it knows. It does not
 * check MESSAGE-INTEGRITY or FINGERPRINT values (rtg_stun_msg_validate does).
 * |msg| points into |data| afterwards. |perr| (may be NULL) says what and
 * where on failure.
 *
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_stun_msg_parse(struct rtg_stun_msg *msg, const uint8_t *data, size_t len,
                                     struct rtg_perr *perr);

/* rtg_stun_msg_attr_next iterates over the attributes of |msg| in wire
 * order: start with |*pos| = 0; each call fills |attr| and advances |*pos|.
 * returns true while an attribute was produced, false at the end. */
bool rtg_stun_msg_attr_next(const struct rtg_stun_msg *msg, size_t *pos,
                            struct rtg_stun_attr *attr);

/* rtg_stun_msg_find finds the first attribute of |type| in |msg|.
 * returns 0 or one of: RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_stun_msg_find(const struct rtg_stun_msg *msg, uint16_t type,
                                    struct rtg_stun_attr *attr);

/* Attribute value decoders. |perr| offsets are relative to the message
 * start. On a message that rtg_stun_msg_parse accepted they cannot fail for
 * the attribute types they are meant for; they return RTG_ERR_INVAL for an
 * attribute of another type. */

/* rtg_stun_attr_addr decodes MAPPED-ADDRESS, ALTERNATE-SERVER, and the
 * XOR-MAPPED/XOR-PEER/XOR-RELAYED-ADDRESS family (un-XORed with the magic
 * cookie and the transaction ID of |msg|; RFC 8489 §14.1-§14.2).
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_attr_addr(const struct rtg_stun_msg *msg,
                                     const struct rtg_stun_attr *attr, struct rtg_stun_addr *out,
                                     struct rtg_perr *perr);
/* rtg_stun_attr_error_code decodes ERROR-CODE (RFC 8489 §14.8): |*code| is
 * class*100+number, |reason| the UTF-8 reason phrase.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_attr_error_code(const struct rtg_stun_attr *attr, uint16_t *code,
                                           struct rtg_slice *reason, struct rtg_perr *perr);
/* rtg_stun_attr_u32 decodes a 32-bit value attribute: PRIORITY, LIFETIME,
 * CHANNEL-NUMBER (number in the top 16 bits), REQUESTED-TRANSPORT (protocol
 * in the top 8 bits), REQUESTED-ADDRESS-FAMILY (family in the top 8 bits)
 * or FINGERPRINT.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_attr_u32(const struct rtg_stun_attr *attr, uint32_t *v,
                                    struct rtg_perr *perr);
/* rtg_stun_attr_u64 decodes ICE-CONTROLLED, ICE-CONTROLLING (the tie-breaker)
 * or RESERVATION-TOKEN.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_attr_u64(const struct rtg_stun_attr *attr, uint64_t *v,
                                    struct rtg_perr *perr);
/* rtg_stun_attr_even_port decodes EVEN-PORT (RFC 8656 §18.7): |*reserve| is
 * the R bit.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_attr_even_port(const struct rtg_stun_attr *attr, bool *reserve,
                                          struct rtg_perr *perr);
/* rtg_stun_attr_unknown_list reads entry |i| of UNKNOWN-ATTRIBUTES
 * (RFC 8489 §14.13); the attribute has attr->len / 2 entries.
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL, RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_stun_attr_unknown_list(const struct rtg_stun_attr *attr, size_t i,
                                             uint16_t *type, struct rtg_perr *perr);
/* rtg_stun_attr_pwalg reads entry |i| of PASSWORD-ALGORITHMS (RFC 8489
 * §14.11) or, with i = 0, the single PASSWORD-ALGORITHM (§14.12).
 * returns 0 or one of: RTG_ERR_PARSE, RTG_ERR_INVAL, RTG_ERR_NOTFOUND. */
RTG_NODISCARD int rtg_stun_attr_pwalg(const struct rtg_stun_attr *attr, size_t i,
                                      struct rtg_stun_pwalg_entry *out, struct rtg_perr *perr);

/* ---- credentials and validation --------------------------------------- */

/* A credential: the key of RFC 8489 §9.1.1 (short-term) or §9.2.2
 * (long-term), with HMAC-SHA1 (MESSAGE-INTEGRITY) and HMAC-SHA256
 * (MESSAGE-INTEGRITY-SHA256) keyed once: |hmac_state| holds the inner and
 * outer hash states after the padded key block (RFC 2104 §4), so a message
 * costs only its own hash blocks, with no allocation and no key setup.
 * Strings must already be prepared (OpaqueString, RFC 8265); ASCII
 * passwords are their own preparation. Plain data: no free needed beyond
 * rtg_stun_cred_free wiping the key. */
struct rtg_stun_cred {
  uint8_t key[256]; /* ICE passwords are up to 256 characters */
  size_t key_len;
  uint64_t hmac_state[64]; /* opaque (OpenSSL SHA_CTX/SHA256_CTX pairs) */
};

/* rtg_stun_cred_init_key keys |cred| with |key| as it is (short-term: the
 * password; or a long-term key computed elsewhere).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_stun_cred_init_key(struct rtg_stun_cred *cred, const void *key,
                                         size_t key_len);
/* rtg_stun_cred_init_short: short-term credential, key = password
 * (RFC 8489 §9.1.1).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_stun_cred_init_short(struct rtg_stun_cred *cred, const char *password,
                                           size_t password_len);
/* rtg_stun_cred_init_long: long-term credential, key =
 * MD5 or SHA-256 of "username:realm:password" per |alg| (RFC 8489 §9.2.2).
 * returns 0 or one of: RTG_ERR_INVAL, RTG_ERR_CRYPTO, RTG_ERR_NOMEM. */
RTG_NODISCARD int rtg_stun_cred_init_long(struct rtg_stun_cred *cred, enum rtg_stun_pwalg alg,
                                          const char *username, size_t username_len,
                                          const char *realm, size_t realm_len, const char *password,
                                          size_t password_len);
/* rtg_stun_cred_free wipes the key material (NULL and zeroed allowed). */
void rtg_stun_cred_free(struct rtg_stun_cred *cred);

/* rtg_stun_userhash computes USERHASH = SHA-256("username:realm")
 * (RFC 8489 §14.4) into |out| (32 bytes).
 * returns 0 or one of: RTG_ERR_CRYPTO, RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_stun_userhash(const char *username, size_t username_len, const char *realm,
                                    size_t realm_len, uint8_t out[32]);

/* Flags of rtg_stun_msg_validate. */
#define RTG_STUN_REQUIRE_INTEGRITY 0x1u   /* MI or MI-SHA256 must be present */
#define RTG_STUN_REQUIRE_FINGERPRINT 0x2u /* FINGERPRINT must be present */

/* rtg_stun_msg_check_fingerprint checks the FINGERPRINT of |msg| (CRC-32 of
 * the message up to it, XOR 0x5354554e; RFC 8489 §14.7).
 * returns 0 or one of: RTG_ERR_NOTFOUND (no FINGERPRINT), RTG_ERR_AUTH
 * (mismatch, |perr| filled). */
RTG_NODISCARD int rtg_stun_msg_check_fingerprint(const struct rtg_stun_msg *msg,
                                                 struct rtg_perr *perr);
/* rtg_stun_msg_check_integrity checks MESSAGE-INTEGRITY (HMAC-SHA1) and
 * MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated) where present,
 * each over the message prefix before it with the header length adjusted to
 * end at that attribute (RFC 8489 §14.5, §14.6).
 * returns 0 or one of: RTG_ERR_NOTFOUND (neither present), RTG_ERR_AUTH
 * (mismatch, |perr| filled), RTG_ERR_UNSUPPORTED (legacy RFC 3489 message),
 * RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_stun_msg_check_integrity(const struct rtg_stun_msg *msg,
                                               struct rtg_stun_cred *cred, struct rtg_perr *perr);
/* rtg_stun_msg_validate runs the checks a receiver makes on a parsed
 * message: FINGERPRINT when present (or required by |flags|), then
 * integrity with |cred| when |cred| is non-NULL (required when |flags| says
 * so).
 * returns 0 or one of: RTG_ERR_AUTH, RTG_ERR_UNSUPPORTED, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_stun_msg_validate(const struct rtg_stun_msg *msg, struct rtg_stun_cred *cred,
                                        unsigned flags, struct rtg_perr *perr);

/* ---- building --------------------------------------------------------- */

/* A message being written into a caller's buffer. The header length is kept
 * up to date after every attribute so integrity attributes see the right
 * prefix. The first error sticks: later calls return it too. */
struct rtg_stun_builder {
  struct rtg_wr wr;
  uint8_t tid[RTG_STUN_TID_LEN];
  int err;
};

/* rtg_stun_builder_init starts a message of |cls| and |method| (12 bits)
 * with transaction ID |tid| in |buf|.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_builder_init(struct rtg_stun_builder *b, void *buf, size_t cap,
                                        uint8_t cls, uint16_t method,
                                        const uint8_t tid[RTG_STUN_TID_LEN]);
/* rtg_stun_builder_add appends one attribute with zero padding.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_builder_add(struct rtg_stun_builder *b, uint16_t type, const void *value,
                                       size_t len);
/* rtg_stun_builder_add_u32 / _u64: 4- and 8-byte big-endian values.
 * returns 0 or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_stun_builder_add_u32(struct rtg_stun_builder *b, uint16_t type, uint32_t v);
RTG_NODISCARD int rtg_stun_builder_add_u64(struct rtg_stun_builder *b, uint16_t type, uint64_t v);
/* rtg_stun_builder_add_addr appends an address attribute, XORed when |type|
 * is one of the XOR-*-ADDRESS types.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_builder_add_addr(struct rtg_stun_builder *b, uint16_t type,
                                            const struct rtg_stun_addr *addr);
/* rtg_stun_builder_add_error appends ERROR-CODE |code| (300..699).
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD int rtg_stun_builder_add_error(struct rtg_stun_builder *b, uint16_t code,
                                             const char *reason, size_t reason_len);
/* rtg_stun_builder_add_integrity appends MESSAGE-INTEGRITY keyed by |cred|.
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_stun_builder_add_integrity(struct rtg_stun_builder *b,
                                                 struct rtg_stun_cred *cred);
/* rtg_stun_builder_add_integrity_sha256 appends MESSAGE-INTEGRITY-SHA256,
 * truncated to |len| bytes (16..32, multiple of 4).
 * returns 0 or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
RTG_NODISCARD int rtg_stun_builder_add_integrity_sha256(struct rtg_stun_builder *b,
                                                        struct rtg_stun_cred *cred, size_t len);
/* rtg_stun_builder_add_fingerprint appends FINGERPRINT (last attribute).
 * returns 0 or one of: RTG_ERR_NOBUF. */
RTG_NODISCARD int rtg_stun_builder_add_fingerprint(struct rtg_stun_builder *b);
/* rtg_stun_builder_finish returns the message length, or the first error
 * any call on |b| returned. */
RTG_NODISCARD ptrdiff_t rtg_stun_builder_finish(const struct rtg_stun_builder *b);

/* ---- TURN ChannelData (RFC 8656 §12.4) -------------------------------- */

/*    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Channel Number        |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   /                       Application Data                        /
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ */
struct rtg_turn_channel {
  uint16_t number; /* 0x4000..0x4FFF (RFC 8656 §12) */
  struct rtg_slice data;
  size_t padding; /* 0..3 trailing bytes after the data (allowed over UDP) */
};

/* rtg_turn_channel_parse parses the ChannelData message that is all of
 * |data| (one UDP datagram: the application data either unpadded or padded
 * to a multiple of 4, RFC 8656 §12.5).
 * returns 0 or one of: RTG_ERR_PARSE. */
RTG_NODISCARD int rtg_turn_channel_parse(struct rtg_turn_channel *ch, const uint8_t *data,
                                         size_t len, struct rtg_perr *perr);
/* rtg_turn_channel_build writes a ChannelData message for channel |number|
 * carrying |len| bytes of |data|, padded to a multiple of 4 when |pad|
 * (required over TCP, RFC 8656 §12.5).
 * returns the message length or one of: RTG_ERR_NOBUF, RTG_ERR_INVAL. */
RTG_NODISCARD ptrdiff_t rtg_turn_channel_build(void *buf, size_t cap, uint16_t number,
                                               const void *data, size_t len, bool pad);

#ifdef __cplusplus
}
#endif
#endif /* RTG_STUN_H */
