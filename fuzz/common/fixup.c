/*
 * fixup.c - checksum / MAC / length repair after mutation (rtg_fuzz.h).
 * Uses rtg_core only: its CRC-32, CRC-32c and HMAC wrappers.
 */
#include <string.h>

#include "rtg/core.h"
#include "rtg_fuzz.h"

/* RFC 8489 attribute types the fix-up knows. */
#define STUN_HDR 20
#define STUN_ATTR_MI 0x0008
#define STUN_ATTR_MI256 0x001C
#define STUN_ATTR_FINGERPRINT 0x8028
#define STUN_FINGERPRINT_XOR 0x5354554eu
#define STUN_MAX_BODY 0xfffcu

/* Writes the HMAC of data[0..off) into data[off+4 .. off+4+mac_len), with
 * the header length pointing at the end of that attribute while hashing
 * (RFC 8489 §14.5: "the length ... is set to point to the length prior to
 * the MESSAGE-INTEGRITY attribute plus the attribute size"). */
static void stun_put_mac(uint8_t *data, size_t off, size_t mac_len, enum rtg_hash_alg alg,
                         const void *key, size_t key_len) {
  uint8_t mac[RTG_HASH_MAX];
  rtg_store_u16(data + 2, (uint16_t)(off + 4 + mac_len - STUN_HDR));
  /* On an OpenSSL failure the attribute keeps whatever bytes it had: the
   * target then sees an integrity failure, which is a valid input too. */
  if (rtg_hmac_oneshot(alg, key, key_len, data, off, mac) != 0) return;
  memcpy(data + off + 4, mac, mac_len);
}

size_t rtg_fuzz_fix_stun_key(uint8_t *data, size_t size, size_t max_size, const void *key,
                             size_t key_len) {
  size_t off = STUN_HDR, body;
  (void)max_size; /* the fix-up only ever shrinks the input */
  if (data == NULL || size < STUN_HDR) return size;
  body = (size - STUN_HDR) & ~(size_t)3;
  if (body > STUN_MAX_BODY) body = STUN_MAX_BODY;
  size = STUN_HDR + body;
  while (size - off >= 4) {
    uint16_t type = rtg_load_u16(data + off);
    size_t len = rtg_load_u16(data + off + 2);
    size_t padded = (len + 3) & ~(size_t)3;
    if (padded > size - off - 4) break; /* overruns: leave the rest as is */
    switch (type) {
      case STUN_ATTR_MI:
        if (len == 20) stun_put_mac(data, off, len, RTG_HASH_SHA1, key, key_len);
        break;
      case STUN_ATTR_MI256:
        if (len >= 16 && len <= 32 && len % 4 == 0)
          stun_put_mac(data, off, len, RTG_HASH_SHA256, key, key_len);
        break;
      case STUN_ATTR_FINGERPRINT:
        if (len == 4) {
          rtg_store_u16(data + 2, (uint16_t)(off + 8 - STUN_HDR));
          rtg_store_u32(data + off + 4, rtg_crc32(0, data, off) ^ STUN_FINGERPRINT_XOR);
        }
        break;
      default: break;
    }
    off += 4 + padded;
  }
  rtg_store_u16(data + 2, (uint16_t)body);
  return size;
}

size_t rtg_fuzz_fix_stun(uint8_t *data, size_t size, size_t max_size) {
  return rtg_fuzz_fix_stun_key(data, size, max_size, RTG_FUZZ_STUN_PASSWORD,
                               sizeof RTG_FUZZ_STUN_PASSWORD - 1);
}

size_t rtg_fuzz_fix_sctp(uint8_t *data, size_t size, size_t max_size) {
  uint32_t crc;
  (void)max_size;
  if (data == NULL || size < 12) return size;
  memset(data + 8, 0, 4);
  crc = rtg_crc32c(0, data, size);
  data[8] = (uint8_t)crc;
  data[9] = (uint8_t)(crc >> 8);
  data[10] = (uint8_t)(crc >> 16);
  data[11] = (uint8_t)(crc >> 24);
  return size;
}
