/*
 * stun_validate - parse + rtg_stun_msg_validate with a fixed short-term
 * credential (RTG_FUZZ_STUN_PASSWORD). The custom mutator recomputes
 * MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT after each mutation so mutated
 * messages still authenticate and reach the code behind the checks.
 *
 * Oracle: the verdict on MESSAGE-INTEGRITY is recomputed independently with
 * OpenSSL's one-shot HMAC() over a copy whose header length is patched, and
 * the FINGERPRINT with a plain CRC-32 over a patched copy; the two must
 * agree with the library. An authenticated message with one covered byte
 * flipped must not authenticate any more.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/stun.h"
#include "rtg_fuzz.h"

RTG_FUZZ_FIXUP_MUTATOR(rtg_fuzz_fix_stun)

static struct rtg_stun_cred cred; /* keyed once for the whole run */
static bool cred_ready;

/* Independent MAC check of the attribute at |off| with |md|, |mlen| bytes. */
static bool oracle_mac(const uint8_t *raw, size_t off, const EVP_MD *md, size_t mlen) {
  static uint8_t copy[65600];
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int olen = 0;
  memcpy(copy, raw, off);
  rtg_store_u16(copy + 2, (uint16_t)(off + 4 + mlen - RTG_STUN_HDR_LEN));
  CHECK(HMAC(md, RTG_FUZZ_STUN_PASSWORD, (int)strlen(RTG_FUZZ_STUN_PASSWORD), copy, off, mac,
             &olen) != NULL);
  return memcmp(mac, raw + off + 4, mlen) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t flipped[65600];
  struct rtg_stun_msg m, m2;
  struct rtg_perr e;
  int rc;
  bool fp_ok = true, mi_ok = true, mi256_ok = true;
  if (!cred_ready) {
    CHECK(rtg_stun_cred_init_short(&cred, RTG_FUZZ_STUN_PASSWORD, strlen(RTG_FUZZ_STUN_PASSWORD)) ==
          0);
    cred_ready = true;
  }
  if (rtg_stun_msg_parse(&m, data, size, NULL)) return 0;
  rtg_perr_clear(&e);
  rc = rtg_stun_msg_validate(&m, &cred, RTG_STUN_REQUIRE_INTEGRITY, &e);
  CHECK(rc == 0 || rc == RTG_ERR_AUTH || rc == RTG_ERR_UNSUPPORTED);
  if (rc) CHECK(e.reason != NULL || rc == RTG_ERR_UNSUPPORTED);

  /* the oracle's verdict */
  if (m.fp_off) {
    static uint8_t copy[65600];
    uint32_t crc;
    memcpy(copy, data, m.fp_off);
    rtg_store_u16(copy + 2, (uint16_t)(m.fp_off + 8 - RTG_STUN_HDR_LEN));
    crc = rtg_crc32(0, copy, m.fp_off) ^ RTG_STUN_FP_XOR;
    fp_ok = crc == rtg_load_u32(data + m.fp_off + 4);
  }
  if (m.mi_off) mi_ok = oracle_mac(data, m.mi_off, EVP_sha1(), 20);
  if (m.mi256_off) mi256_ok = oracle_mac(data, m.mi256_off, EVP_sha256(), m.mi256_len);
  if (m.legacy) {
    CHECK(!fp_ok || rc == RTG_ERR_UNSUPPORTED || rc == RTG_ERR_AUTH);
    return 0;
  }
  if (!fp_ok) {
    CHECK(rc == RTG_ERR_AUTH);
    return 0;
  }
  if (m.mi_off == 0 && m.mi256_off == 0) {
    CHECK(rc == RTG_ERR_AUTH); /* integrity required */
    return 0;
  }
  CHECK((rc == 0) == (mi_ok && mi256_ok));
  if (rc != 0) return 0;

  /* authenticated: flipping a covered byte (after the header) must break
   * the MAC; the FINGERPRINT is left stale on purpose only when absent */
  if (size > RTG_STUN_HDR_LEN) {
    size_t end = m.mi_off ? m.mi_off : m.mi256_off;
    size_t at = RTG_STUN_HDR_LEN + (data[size - 1] % (end - RTG_STUN_HDR_LEN + 1));
    if (at < end) {
      memcpy(flipped, data, size);
      flipped[at] ^= 0x01;
      if (rtg_stun_msg_parse(&m2, flipped, size, NULL) == 0 && !m2.legacy &&
          m2.mi_off == m.mi_off && m2.mi256_off == m.mi256_off)
        CHECK(rtg_stun_msg_check_integrity(&m2, &cred, NULL) == RTG_ERR_AUTH);
    }
  }
  return 0;
}
