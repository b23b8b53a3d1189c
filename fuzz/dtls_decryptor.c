/*
 * dtls_decryptor - the replay decryptor (stack/dtls/decryptor.c) over an
 * arbitrary two-direction datagram stream, with a fixed key log holding the
 * secrets of three recorded sessions (stack/dtls/testdata: dtls12-gcm,
 * browser-chromium-firefox-dtls13, browser-firefox-chromium-dtls12), so
 * their streams (the seeds) decrypt and mutations reach the record
 * protection, reassembly, KeyUpdate and EncryptedExtensions paths.
 *
 * A fourth session (client random 20 21 .. 3f, the fixed master secret of
 * stack/tests/dtls_cid_test.c) negotiates DTLS 1.2 connection IDs (RFC
 * 9146); its seed has tls12_cid records both ways.
 *
 * Input: chunks of direction(1: bit 0 = from the client) length(2) datagram.
 * Datagrams are parsed with the CID length the decryptor learnt for their
 * direction, as the replay engine does. Invariants: errors are the
 * documented ones; decrypted content fits the record; SRTP keys, when
 * derivable, split to the profile's sizes.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"
#include "rtg_fuzz.h"
#include "rtg_fuzz_keylogs.h"

/* The dtls12-gcm session (stack/dtls/testdata/dtls12-gcm/keylog.txt), then
 * the two browser sessions. */
static const char keylog_text[] =
    "CLIENT_RANDOM 05698c4f428535418301cc86d14c051b40b908d360a245ab391a70a60aa2a0df "
    "17bbd4ee418e12cd72a16dc02bc085763de67941a509a6a66bc8a24eca5c2c2809b996e88144e9c491647796a75605"
    "d7\n" RTG_FUZZ_KEYLOG_CHROMIUM_FIREFOX_DTLS13 RTG_FUZZ_KEYLOG_FIREFOX_CHROMIUM_DTLS12
    "CLIENT_RANDOM 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f "
    "3a510c9e27846f13d542b80e71c62d995fa01368e24b07bc8d31f65a229c4017e863ab057d961ec258340fd18a6eb3"
    "27\n";

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
    if (rtg_dtls_datagram_parse(data + at, len, rtg_dtls_decryptor_cid_len(&d, from_client), recs,
                                32, &n, NULL) < 0 &&
        n == 0) {
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
