/*
 * auth.c - STUN credentials and message validation: MESSAGE-INTEGRITY
 * (RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256 (§14.6), FINGERPRINT (§14.7),
 * short-term (§9.1) and long-term (§9.2) keys, USERHASH (§14.4).
 *
 * HMAC (RFC 2104) is keyed once per credential: the SHA-1/SHA-256 states
 * after hashing the key XOR ipad and key XOR opad blocks are kept, and each
 * message starts from copies of them. Why OpenSSL's low-level SHA1_/SHA256_
 * contexts and not rtg_hmac (EVP_MAC): re-initialising an EVP_MAC or
 * copying an EVP_MD_CTX duplicates the provider context, which allocates on
 * every message; measured on the RFC 5769 §2.1 request it costs ~45% of a
 * parse+validate. The low-level contexts are plain structs: copying them is
 * a memcpy. They are deprecated in OpenSSL 3 but present in every 3.x; the
 * digest itself is still OpenSSL's (assembly, SHA extensions).
 *
 * The header with its adjusted length is fed from a 20-byte copy on the
 * stack, so checking a message neither allocates nor copies the message.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#include "rtg/stun.h"
#include "stun/internal.h"

struct hstate {
  SHA_CTX in1, out1;
  SHA256_CTX in256, out256;
};
_Static_assert(sizeof(struct hstate) <= sizeof(((struct rtg_stun_cred *)0)->hmac_state),
               "rtg_stun_cred.hmac_state too small for the hash states");

static struct hstate *hs(struct rtg_stun_cred *c) { return (struct hstate *)(void *)c->hmac_state; }

/* key XOR pad, for a key already at most one block long */
static void pad_block(uint8_t blk[64], const uint8_t *k, size_t n, uint8_t pad) {
  memset(blk, pad, 64);
  for (size_t i = 0; i < n; i++) blk[i] ^= k[i];
}

int rtg_stun_cred_init_key(struct rtg_stun_cred *cred, const void *key, size_t key_len) {
  struct hstate *st;
  uint8_t blk[64], k1[SHA_DIGEST_LENGTH], k256[SHA256_DIGEST_LENGTH];
  const uint8_t *key1 = key, *key256 = key;
  size_t n1 = key_len, n256 = key_len;
  int ok = 1;
  memset(cred, 0, sizeof *cred);
  if (key_len > sizeof cred->key || (key == NULL && key_len)) return RTG_ERR_INVAL;
  if (key_len) memcpy(cred->key, key, key_len);
  cred->key_len = key_len;
  st = hs(cred);
  /* RFC 2104 §2: keys longer than the block are hashed first */
  if (key_len > 64) {
    SHA1(cred->key, key_len, k1);
    SHA256(cred->key, key_len, k256);
    key1 = k1;
    n1 = sizeof k1;
    key256 = k256;
    n256 = sizeof k256;
  }
  pad_block(blk, key1, n1, 0x36);
  ok &= SHA1_Init(&st->in1) & SHA1_Update(&st->in1, blk, 64);
  pad_block(blk, key1, n1, 0x5c);
  ok &= SHA1_Init(&st->out1) & SHA1_Update(&st->out1, blk, 64);
  pad_block(blk, key256, n256, 0x36);
  ok &= SHA256_Init(&st->in256) & SHA256_Update(&st->in256, blk, 64);
  pad_block(blk, key256, n256, 0x5c);
  ok &= SHA256_Init(&st->out256) & SHA256_Update(&st->out256, blk, 64);
  OPENSSL_cleanse(blk, sizeof blk);
  OPENSSL_cleanse(k1, sizeof k1);
  OPENSSL_cleanse(k256, sizeof k256);
  return ok == 1 ? 0 : RTG_ERR_CRYPTO;
}

int rtg_stun_cred_init_short(struct rtg_stun_cred *cred, const char *password,
                             size_t password_len) {
  /* RFC 8489 §9.1.1: key = OpaqueString(password); ICE passwords are
   * 22..256 characters (RFC 8839 §5.4), which the key buffer holds. */
  return rtg_stun_cred_init_key(cred, password, password_len);
}

int rtg_stun_cred_init_long(struct rtg_stun_cred *cred, enum rtg_stun_pwalg alg,
                            const char *username, size_t username_len, const char *realm,
                            size_t realm_len, const char *password, size_t password_len) {
  /* RFC 8489 §9.2.2: key = MD5 or SHA-256 of
   * username ":" OpaqueString(realm) ":" OpaqueString(password). Hashed in
   * one go from a bounded buffer (USERNAME < 509, REALM < 763 bytes). */
  uint8_t buf[2048], key[32];
  size_t n = username_len + realm_len + password_len + 2;
  enum rtg_hash_alg h;
  int rc;
  memset(cred, 0, sizeof *cred);
  switch (alg) {
    case RTG_STUN_PWALG_MD5: h = RTG_HASH_MD5; break;
    case RTG_STUN_PWALG_SHA256: h = RTG_HASH_SHA256; break;
    default: return RTG_ERR_INVAL;
  }
  if (n > sizeof buf) return RTG_ERR_INVAL;
  memcpy(buf, username, username_len);
  buf[username_len] = ':';
  memcpy(buf + username_len + 1, realm, realm_len);
  buf[username_len + 1 + realm_len] = ':';
  memcpy(buf + username_len + realm_len + 2, password, password_len);
  rc = rtg_hash(h, buf, n, key);
  if (rc) return rc;
  return rtg_stun_cred_init_key(cred, key, rtg_hash_size(h));
}

void rtg_stun_cred_free(struct rtg_stun_cred *cred) {
  if (cred == NULL) return;
  OPENSSL_cleanse(cred, sizeof *cred);
}

int rtg_stun_userhash(const char *username, size_t username_len, const char *realm,
                      size_t realm_len, uint8_t out[32]) {
  uint8_t buf[2048];
  size_t n = username_len + realm_len + 1;
  if (n > sizeof buf) return RTG_ERR_NOBUF;
  memcpy(buf, username, username_len);
  buf[username_len] = ':';
  memcpy(buf + username_len + 1, realm, realm_len);
  return rtg_hash(RTG_HASH_SHA256, buf, n, out);
}

/* HMAC-SHA1 (|sha256| false) or HMAC-SHA256 of raw[0..off) with the header
 * length field replaced by |hlen|, into |out| (20 or 32 bytes). */
static int mac_prefix(struct rtg_stun_cred *cred, bool sha256, const uint8_t *raw, size_t off,
                      uint16_t hlen, uint8_t *out) {
  struct hstate *st = hs(cred);
  uint8_t hdr[RTG_STUN_HDR_LEN], inner[SHA256_DIGEST_LENGTH];
  int ok;
  memcpy(hdr, raw, RTG_STUN_HDR_LEN);
  rtg_store_u16(hdr + 2, hlen);
  if (!sha256) {
    SHA_CTX c = st->in1;
    ok = SHA1_Update(&c, hdr, sizeof hdr) &
         SHA1_Update(&c, raw + RTG_STUN_HDR_LEN, off - RTG_STUN_HDR_LEN) & SHA1_Final(inner, &c);
    c = st->out1;
    ok &= SHA1_Update(&c, inner, SHA_DIGEST_LENGTH) & SHA1_Final(out, &c);
  } else {
    SHA256_CTX c = st->in256;
    ok = SHA256_Update(&c, hdr, sizeof hdr) &
         SHA256_Update(&c, raw + RTG_STUN_HDR_LEN, off - RTG_STUN_HDR_LEN) &
         SHA256_Final(inner, &c);
    c = st->out256;
    ok &= SHA256_Update(&c, inner, SHA256_DIGEST_LENGTH) & SHA256_Final(out, &c);
  }
  return ok == 1 ? 0 : RTG_ERR_CRYPTO;
}

/* CRC-32 of raw[0..off) with the header length field replaced by |hlen|,
 * XORed with 0x5354554e (RFC 8489 §14.7). */
static uint32_t fp_prefix(const uint8_t *raw, size_t off, uint16_t hlen) {
  uint8_t hdr[RTG_STUN_HDR_LEN];
  uint32_t crc;
  /* FINGERPRINT is last, so the length on the wire is normally the right
   * one already: no copy needed */
  if (rtg_load_u16(raw + 2) == hlen) return rtg_crc32(0, raw, off) ^ RTG_STUN_FP_XOR;
  memcpy(hdr, raw, RTG_STUN_HDR_LEN);
  rtg_store_u16(hdr + 2, hlen);
  crc = rtg_crc32(0, hdr, sizeof hdr);
  crc = rtg_crc32(crc, raw + RTG_STUN_HDR_LEN, off - RTG_STUN_HDR_LEN);
  return crc ^ RTG_STUN_FP_XOR;
}

int rtg_stun_msg_check_fingerprint(const struct rtg_stun_msg *msg, struct rtg_perr *perr) {
  size_t off = msg->fp_off;
  if (off == 0 || off + 8 > msg->len) return RTG_ERR_NOTFOUND;
  if (fp_prefix(msg->raw, off, (uint16_t)(off + 8 - RTG_STUN_HDR_LEN)) !=
      rtg_load_u32(msg->raw + off + 4)) {
    rtg_perr_set(perr, off + 4, "stun.FINGERPRINT", "FINGERPRINT does not match the message",
                 "RFC 8489 §14.7");
    return RTG_ERR_AUTH;
  }
  return 0;
}

int rtg_stun_msg_check_integrity(const struct rtg_stun_msg *msg, struct rtg_stun_cred *cred,
                                 struct rtg_perr *perr) {
  uint8_t mac[32];
  int rc;
  if (msg->mi_off == 0 && msg->mi256_off == 0) return RTG_ERR_NOTFOUND;
  /* RFC 3489 computed MESSAGE-INTEGRITY over a 64-byte padded message
   * without the length fix-up: not supported here. */
  if (msg->legacy) return RTG_ERR_UNSUPPORTED;
  if (msg->mi_off) {
    size_t off = msg->mi_off;
    if (off + 24 > msg->len) return RTG_ERR_NOTFOUND;
    /* the length field counts up to the end of MESSAGE-INTEGRITY */
    rc = mac_prefix(cred, false, msg->raw, off, (uint16_t)(off + 24 - RTG_STUN_HDR_LEN), mac);
    if (rc) return rc;
    if (rtg_memeq_ct(mac, msg->raw + off + 4, 20)) {
      rtg_perr_set(perr, off + 4, "stun.MESSAGE-INTEGRITY",
                   "MESSAGE-INTEGRITY does not match (wrong key or altered message)",
                   "RFC 8489 §14.5");
      return RTG_ERR_AUTH;
    }
  }
  if (msg->mi256_off) {
    size_t off = msg->mi256_off, l = msg->mi256_len;
    if (l < 16 || l > 32 || off + 4 + l > msg->len) return RTG_ERR_NOTFOUND;
    rc = mac_prefix(cred, true, msg->raw, off, (uint16_t)(off + 4 + l - RTG_STUN_HDR_LEN), mac);
    if (rc) return rc;
    if (rtg_memeq_ct(mac, msg->raw + off + 4, l)) {
      rtg_perr_set(perr, off + 4, "stun.MESSAGE-INTEGRITY-SHA256",
                   "MESSAGE-INTEGRITY-SHA256 does not match (wrong key or altered message)",
                   "RFC 8489 §14.6");
      return RTG_ERR_AUTH;
    }
  }
  return 0;
}

int rtg_stun_msg_validate(const struct rtg_stun_msg *msg, struct rtg_stun_cred *cred,
                          unsigned flags, struct rtg_perr *perr) {
  int rc = rtg_stun_msg_check_fingerprint(msg, perr);
  if (rc == RTG_ERR_NOTFOUND) {
    if (flags & RTG_STUN_REQUIRE_FINGERPRINT) {
      rtg_perr_set(perr, 0, "stun.FINGERPRINT", "FINGERPRINT is required but missing",
                   "RFC 8445 §7.1.1");
      return RTG_ERR_AUTH;
    }
  } else if (rc) {
    return rc;
  }
  if (cred == NULL) return 0;
  rc = rtg_stun_msg_check_integrity(msg, cred, perr);
  if (rc == RTG_ERR_NOTFOUND) {
    if (flags & RTG_STUN_REQUIRE_INTEGRITY) {
      rtg_perr_set(perr, 0, "stun.MESSAGE-INTEGRITY", "message integrity is required but missing",
                   "RFC 8489 §9.1.3");
      return RTG_ERR_AUTH;
    }
    return 0;
  }
  return rc;
}

int rtg_stun__mac_prefix(struct rtg_stun_cred *cred, bool sha256, const uint8_t *raw, size_t off,
                         uint16_t hlen, uint8_t *out) {
  return mac_prefix(cred, sha256, raw, off, hlen, out);
}

uint32_t rtg_stun__fp_prefix(const uint8_t *raw, size_t off, uint16_t hlen) {
  return fp_prefix(raw, off, hlen);
}
