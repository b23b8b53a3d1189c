/*
 * dtls_decryptor - the replay decryptor (stack/dtls/decryptor.c) over an
 * arbitrary two-direction datagram stream, with a fixed key log holding the
 * secrets of three recorded sessions (stack/dtls/testdata: dtls12-gcm,
 * browser-chromium-firefox-dtls13, browser-firefox-chromium-dtls12), so
 * their streams (the seeds) decrypt and mutations reach the record
 * protection, reassembly, KeyUpdate and EncryptedExtensions paths.
 *
 * Input: chunks of direction(1: bit 0 = from the client) length(2) datagram.
 * Invariants: errors are the documented ones; decrypted content fits the
 * record; SRTP keys, when derivable, split to the profile's sizes.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)       \
  do {                 \
    if (!(c)) abort(); \
  } while (0)

static const char keylog_text[] =
    "CLIENT_RANDOM 05698c4f428535418301cc86d14c051b40b908d360a245ab391a70a60aa2a0df "
    "17bbd4ee418e12cd72a16dc02bc085763de67941a509a6a66bc8a24eca5c2c2809b996e88144e9c491647796a75605"
    "d7\n"
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET "
    "4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "d10c64632513481778ac8cf9c870fb5ea8fd47f9cea68105319e35e3842ab2f5\n"
    "SERVER_HANDSHAKE_TRAFFIC_SECRET "
    "4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "887c6f325101152f5813d37cb468418acc15e9bdaa1f6a475af8d570c75247eb\n"
    "CLIENT_TRAFFIC_SECRET_0 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "6fef42694418e0be3001936fcc508237b06d76fe7b3396a7bd93edb2b41959f9\n"
    "SERVER_TRAFFIC_SECRET_0 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "a30a7bb240ca8c52809ced3373dfa636a3b04d5bb59a8a7b15996f2e953e5bc7\n"
    "EXPORTER_SECRET 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "
    "3a49cd840c19d6587f8685f4c5ef5e7ef6d895623895a452cb015802a5ba56b0\n"
    "CLIENT_RANDOM 01eeb9825de92b9381b57cca9ffc931c7c1bd937c832ae543180f658ad55a341 "
    "619cbec93c3578b9e7f688785506b4b968796e04a88c31dc6871d3f193df6318434b3bd60da497abd81e7661af970e"
    "cc\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_dtls_keylog kl;
  static struct rtg_dtls_decryptor d;
  static struct rtg_dtls_record recs[32];
  static uint8_t out[20000];
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_dtls_srtp_keys k;
  size_t at = 0;
  if (kl.n == 0 && rtg_dtls_keylog_parse(&kl, keylog_text, sizeof keylog_text - 1, NULL)) abort();
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  rtg_dtls_decryptor_init(&d, &kl, &ctx);
  while (at + 3 <= size) {
    bool from_client = data[at] & 1u;
    size_t len = rtg_load_u16(data + at + 1), n = 0;
    at += 3;
    if (len > size - at) len = size - at;
    if (rtg_dtls_datagram_parse(data + at, len, 0, recs, 32, &n, NULL) < 0 && n == 0) {
      at += len;
      continue;
    }
    for (size_t i = 0; i < n; i++) {
      uint8_t type;
      ptrdiff_t got =
          rtg_dtls_decryptor_record(&d, from_client, &recs[i], out, sizeof out, &type, NULL);
      CHECK(got >= 0 || got == RTG_ERR_NOTFOUND || got == RTG_ERR_AUTH || got == RTG_ERR_PARSE ||
            got == RTG_ERR_UNSUPPORTED || got == RTG_ERR_INVAL || got == RTG_ERR_NOBUF);
      if (got >= 0) CHECK((size_t)got <= recs[i].payload.len);
    }
    at += len;
  }
  if (rtg_dtls_decryptor_srtp_keys(&d, &k) == 0)
    CHECK(rtg_dtls_srtp_material_len(k.profile) == 2u * ((size_t)k.key_len + k.salt_len));
  rtg_dtls_decryptor_free(&d);
  return 0;
}
