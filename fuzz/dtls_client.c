/*
 * dtls_client - the OpenSSL-backed DTLS endpoint (stack/dtls/endpoint.c) as
 * a client fed peer flights from the input; fuzz/dtls_server.c reuses this
 * file as the server.
 *
 * Input: a sequence of chunks, each a 2-byte big-endian length then that
 * many bytes delivered as one datagram from the peer; a length of 0 is a
 * timer tick instead (time jumps to poll_timeout, handle_timeout runs).
 * Time is simulated; the certificate and the expected peer fingerprint are
 * fixed (the peer fingerprint is that of the server certificate in the
 * recorded session stack/dtls/testdata/dtls12-gcm, whose datagrams seed the
 * corpus). Invariants: every poll_* drains cleanly, poll_timeout is never in
 * the past after handle_timeout, events are well formed, data only after
 * CONNECTED.
 *
 * Randomness: the certificate (rtg_dtls_cert_generate_seeded, reseeded for
 * each input) and the endpoint (seeded_rng, sharing the certificate's
 * generators) draw every random value OpenSSL needs from a deterministic
 * context, so a run repeats exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"
#include "rtg_fuzz.h"

#ifndef RTG_FUZZ_DTLS_ROLE
#define RTG_FUZZ_DTLS_ROLE RTG_DTLS_ROLE_CLIENT
#endif

/* sha-256 of the server certificate in stack/dtls/testdata/dtls12-gcm. */
static const uint8_t recorded_server_fp[32] = {
    0xfc, 0x16, 0x07, 0x11, 0xa2, 0xf9, 0xca, 0x38, 0x33, 0x59, 0x91, 0x2f, 0x2f, 0xc3, 0xc6, 0x28,
    0x1f, 0x12, 0xb3, 0xb3, 0xbf, 0xf6, 0xb3, 0xfe, 0x9d, 0xa7, 0x52, 0xc6, 0x90, 0x79, 0x5d, 0xcf};

static void drain(struct rtg_dtls_endpoint *ep, bool *connected, rtg_time now) {
  uint8_t buf[2048];
  size_t len;
  struct rtg_dtls_event ev;
  rtg_time t;
  while (rtg_dtls_endpoint_poll_transmit(ep, buf, sizeof buf, &len) == 0) CHECK(len > 0);
  while (rtg_dtls_endpoint_poll_event(ep, &ev) == 0) {
    switch (ev.type) {
      case RTG_DTLS_EV_CONNECTED: *connected = true; break;
      case RTG_DTLS_EV_DATA: CHECK(*connected && ev.len > 0 && ev.data != NULL); break;
      case RTG_DTLS_EV_FINGERPRINT_MISMATCH:
      case RTG_DTLS_EV_FAILED: CHECK(ev.reason != NULL); break;
      case RTG_DTLS_EV_CLOSED: CHECK(*connected); break;
      default: abort();
    }
  }
  t = rtg_dtls_endpoint_poll_timeout(ep);
  CHECK(t == RTG_TIME_NEVER || t >= now - RTG_SEC(1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_dtls_config cfg;
  struct rtg_dtls_endpoint *ep;
  static const uint16_t profiles[] = {RTG_DTLS_SRTP_AEAD_AES_128_GCM,
                                      RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80};
  rtg_time now = RTG_SEC(1000);
  bool connected = false;
  size_t at = 0;
  static struct rtg_ctx ctx;
  static struct rtg_prng prng;
  static struct rtg_dtls_cert *cert;
  /* one certificate, its generators refilled from the same seed per input */
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  if (cert == NULL && rtg_dtls_cert_generate_seeded(&ctx, &cert)) abort();
  if (rtg_dtls_cert_reseed(cert, &ctx)) abort();
  memset(&cfg, 0, sizeof cfg);
  cfg.role = RTG_FUZZ_DTLS_ROLE;
  cfg.cert = cert;
  cfg.peer_fp_alg = RTG_HASH_SHA256;
  memcpy(cfg.peer_fp, recorded_server_fp, 32);
  cfg.srtp_profiles = profiles;
  cfg.n_srtp_profiles = 2;
  cfg.mtu = 1200;
  cfg.seeded_rng = true;
  if (rtg_dtls_endpoint_new(&ctx, &cfg, now, &ep)) return 0;
  drain(ep, &connected, now);
  while (at + 2 <= size) {
    size_t len = rtg_load_u16(data + at);
    at += 2;
    if (len == 0) {
      rtg_time t = rtg_dtls_endpoint_poll_timeout(ep);
      if (t != RTG_TIME_NEVER && t > now) now = t;
      if (rtg_dtls_endpoint_handle_timeout(ep, now)) break;
    } else {
      if (len > size - at) len = size - at;
      if (rtg_dtls_endpoint_handle_datagram(ep, now, data + at, len)) break;
      at += len;
    }
    drain(ep, &connected, now);
  }
  if (connected) {
    struct rtg_dtls_srtp_keys k;
    CHECK(rtg_dtls_endpoint_send(ep, (const uint8_t *)"fuzz", 4) == 0 ||
          rtg_dtls_endpoint_send(ep, (const uint8_t *)"fuzz", 4) == RTG_ERR_STATE);
    (void)!rtg_dtls_endpoint_srtp_keys(ep, &k);
  }
  rtg_dtls_endpoint_free(ep);
  return 0;
}
