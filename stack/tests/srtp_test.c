/*
 * srtp_test.c - SRTP/SRTCP: RFC 3711 B.2/B.3, RFC 6188 §7.1/§7.2 and
 * RFC 7714 §16 vectors, round trips for every profile (with and without
 * MKI), sequence wrap / ROC, replay, tamper, stream admission, and a
 * differential check against libsrtp2 in both directions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <srtp2/srtp.h>

#include "rtg/srtp.h"
#include "rtp/srtp_internal.h"
#include "rtp/srtp_libsrtp.h"

static size_t unhex(uint8_t *out, size_t cap, const char *s) {
  ptrdiff_t n = rtg_hex_decode(out, cap, s, strlen(s), NULL);
  assert_true(n >= 0);
  return (size_t)n;
}

static const enum rtg_srtp_profile all_profiles[] = {
    RTG_SRTP_AES128_CM_HMAC_SHA1_80, RTG_SRTP_AES128_CM_HMAC_SHA1_32, RTG_SRTP_AEAD_AES_128_GCM,
    RTG_SRTP_AEAD_AES_256_GCM};

/* The tests that create sessions run twice (see main): on the CPU's fast
 * path when it has one, and with policy generic_only on OpenSSL EVP. */
static bool path_generic = true, path_fast = false;

static bool generic(void **state) { return state != NULL && *state != NULL && *(bool *)*state; }

static struct rtg_srtp *make(void **state, enum rtg_srtp_profile p, const uint8_t *mki,
                             size_t mki_len, uint32_t window) {
  static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  static const uint8_t salt[14] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
                                   0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad};
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_srtp *s = NULL;
  struct rtg_srtp_policy pol = {0};
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.profile = p;
  pol.key = key;
  pol.key_len = rtg_srtp_profile_key_len(p);
  pol.salt = salt;
  pol.salt_len = rtg_srtp_profile_salt_len(p);
  pol.mki = mki;
  pol.mki_len = mki_len;
  pol.replay_window = window;
  pol.generic_only = generic(state);
  assert_int_equal(rtg_srtp_create(&s, &ctx, &pol), 0);
  {
    /* the path asked for is the one taken: AES-CM on the CPU's, if any */
    const struct rtg_srtp_fast_ops *ops = rtg_srtp_x86_ops();
    bool cm = p == RTG_SRTP_AES128_CM_HMAC_SHA1_80 || p == RTG_SRTP_AES128_CM_HMAC_SHA1_32;
    assert_ptr_equal(rtg_srtp_fast_path(s), cm && !generic(state) && ops ? ops->name : NULL);
  }
  return s;
}

static size_t rtp_packet(uint8_t *buf, uint16_t seq, uint32_t ssrc, size_t payload) {
  buf[0] = 0x80;
  buf[1] = 0x60;
  rtg_store_u16(buf + 2, seq);
  rtg_store_u32(buf + 4, seq * 960u);
  rtg_store_u32(buf + 8, ssrc);
  for (size_t i = 0; i < payload; i++) buf[12 + i] = (uint8_t)(i * 7 + seq);
  return 12 + payload;
}

/* ---- RFC vectors -------------------------------------------------------- */

/* RFC 3711 B.2: AES-CM keystream, session key 2B7E..., salt F0F1...FD,
 * SSRC 0, ROC 0, SEQ 0: blocks 0, 1, 2 and 0xFEFF, 0xFF00, 0xFF01. */
static void test_srtp_aes_cm_keystream_rfc3711_b2(void **state) {
  uint8_t key[16], iv[16], *ks, want[16];
  size_t n = 0xff02 * 16;
  (void)state;
  unhex(key, sizeof key, "2B7E151628AED2A6ABF7158809CF4F3C");
  unhex(iv, sizeof iv, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  ks = malloc(n);
  assert_non_null(ks);
  assert_int_equal(rtg_srtp_aes_cm_keystream(key, 16, iv, ks, n), 0);
  unhex(want, 16, "E03EAD0935C95E80E166B16DD92B4EB4");
  assert_memory_equal(ks, want, 16);
  unhex(want, 16, "D23513162B02D0F72A43A2FE4A5F97AB");
  assert_memory_equal(ks + 16, want, 16);
  unhex(want, 16, "41E95B3BB0A2E8DD477901E4FCA894C0");
  assert_memory_equal(ks + 32, want, 16);
  unhex(want, 16, "EC8CDF7398607CB0F2D21675EA9EA1E4");
  assert_memory_equal(ks + 0xfeff * 16, want, 16);
  unhex(want, 16, "362B7C3C6773516318A077D7FC5073AE");
  assert_memory_equal(ks + 0xff00 * 16, want, 16);
  unhex(want, 16, "6A2CC3787889374FBEB4C81B17BA6C44");
  assert_memory_equal(ks + 0xff01 * 16, want, 16);
  {
    /* the CPU's fast path (if any) gives the same keystream */
    const struct rtg_srtp_fast_ops *o = rtg_srtp_x86_ops();
    struct rtg_srtp_fast f;
    uint8_t auth[20] = {0}, *fks = calloc(1, n);
    assert_non_null(fks);
    if (o != NULL) {
      o->init(&f, key, auth);
      o->ctr(&f, iv, fks, fks, n);
      assert_memory_equal(fks, ks, n);
    }
    free(fks);
  }
  free(ks);
}

/* RFC 3711 B.3: key derivation (labels 0, 1, 2; and the SRTCP labels 3, 4,
 * 5 for the same master key). */
static void test_srtp_kdf_rfc3711_b3(void **state) {
  uint8_t mk[16], ms[14], out[20], want[20];
  (void)state;
  unhex(mk, sizeof mk, "E1F97A0D3E018BE0D64FA32C06DE4139");
  unhex(ms, sizeof ms, "0EC675AD498AFEEBB6960B3AABE6");
  assert_int_equal(rtg_srtp_kdf(mk, 16, ms, 14, 0, out, 16), 0);
  unhex(want, 16, "C61E7A93744F39EE10734AFE3FF7A087");
  assert_memory_equal(out, want, 16);
  assert_int_equal(rtg_srtp_kdf(mk, 16, ms, 14, 2, out, 14), 0);
  unhex(want, 14, "30CBBC08863D8C85D49DB34A9AE1");
  assert_memory_equal(out, want, 14);
  assert_int_equal(rtg_srtp_kdf(mk, 16, ms, 14, 1, out, 20), 0);
  unhex(want, 20, "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");
  assert_memory_equal(out, want, 20);
  assert_int_equal(rtg_srtp_kdf(mk, 16, ms, 14, 3, out, 16), 0);
  unhex(want, 16, "4c1aa45a81f73d61c800bbb00fbb1eaa");
  assert_memory_equal(out, want, 16);
  assert_int_equal(rtg_srtp_kdf(mk, 16, ms, 14, 4, out, 20), 0);
  unhex(want, 20, "8d54534feb49ae8e7993a6bd0b844fc323a93dfd");
  assert_memory_equal(out, want, 20);
  assert_int_equal(rtg_srtp_kdf(mk, 16, ms, 14, 5, out, 14), 0);
  unhex(want, 14, "9581c7ad87b3e530bf3e4454a8b3");
  assert_memory_equal(out, want, 14);
  /* a bad key length is refused */
  assert_int_equal(rtg_srtp_kdf(mk, 15, ms, 14, 0, out, 16), RTG_ERR_INVAL);
}

/* RFC 6188 §7.1: AES-256 counter mode keystream. */
static void test_srtp_aes_cm_keystream_rfc6188_71(void **state) {
  uint8_t key[32], iv[16], ks[48], want[48];
  (void)state;
  unhex(key, sizeof key, "57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98");
  unhex(iv, sizeof iv, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  assert_int_equal(rtg_srtp_aes_cm_keystream(key, 32, iv, ks, sizeof ks), 0);
  unhex(want, sizeof want,
        "92bdd28a93c3f52511c677d08b5515a49da71b2378a854f67050756ded165bac"
        "63c4868b7096d88421b563b8c94c9a31");
  assert_memory_equal(ks, want, sizeof want);
}

/* RFC 6188 §7.2: AES_256_CM_PRF key derivation. */
static void test_srtp_kdf_rfc6188_72(void **state) {
  uint8_t mk[32], ms[14], out[32], want[32];
  (void)state;
  unhex(mk, sizeof mk, "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6");
  unhex(ms, sizeof ms, "3b04803de51ee7c96423ab5b78d2");
  assert_int_equal(rtg_srtp_kdf(mk, 32, ms, 14, 0, out, 32), 0);
  unhex(want, 32, "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4");
  assert_memory_equal(out, want, 32);
  assert_int_equal(rtg_srtp_kdf(mk, 32, ms, 14, 1, out, 20), 0);
  unhex(want, 20, "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05");
  assert_memory_equal(out, want, 20);
  assert_int_equal(rtg_srtp_kdf(mk, 32, ms, 14, 2, out, 14), 0);
  unhex(want, 14, "fa31791685ca444a9e07c6c64e93");
  assert_memory_equal(out, want, 14);
}

/* RFC 7714 §16.1.1: AEAD_AES_128_GCM SRTP protect (session key and salt
 * given directly), and unprotect back. */
static void test_srtp_protect_rfc7714_16(void **state) {
  uint8_t key[16], salt[12], pkt[128], want[128], plain[64];
  size_t n, wn;
  struct rtg_srtp *s = make(state, RTG_SRTP_AEAD_AES_128_GCM, NULL, 0, 0);
  ptrdiff_t r;
  (void)state;
  unhex(key, sizeof key, "000102030405060708090a0b0c0d0e0f");
  unhex(salt, sizeof salt, "517569642070726f2071756f");
  assert_int_equal(rtg_srtp_set_session_keys(s, key, salt, NULL), 0);
  n = unhex(plain, sizeof plain,
            "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e697320646976697361"
            "20696e207061727465732074726573");
  wn = unhex(want, sizeof want,
             "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f"
             "42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce");
  memcpy(pkt, plain, n);
  r = rtg_srtp_protect(s, pkt, n, sizeof pkt);
  assert_int_equal(r, (ptrdiff_t)wn);
  assert_memory_equal(pkt, want, wn);
  /* a fresh receiver with the same keys gets the plaintext back */
  rtg_srtp_destroy(s);
  s = make(state, RTG_SRTP_AEAD_AES_128_GCM, NULL, 0, 0);
  assert_int_equal(rtg_srtp_set_session_keys(s, key, salt, NULL), 0);
  assert_int_equal(rtg_srtp_unprotect(s, pkt, wn), (ptrdiff_t)n);
  assert_memory_equal(pkt, plain, n);
  rtg_srtp_destroy(s);
}

/* RFC 7714 §17.2: AEAD_AES_256_GCM SRTCP with SRTCP index 0x5d4, E=1
 * (session key and salt given directly). The plaintext is the §17 packet
 * as printed (its length field says 14 words; SRTCP does not look). */
static void test_srtcp_protect_rfc7714_17(void **state) {
  uint8_t key[32], salt[12], pkt[128], want[128], plain[64];
  size_t n, wn;
  struct rtg_srtp *s = make(state, RTG_SRTP_AEAD_AES_256_GCM, NULL, 0, 0);
  (void)state;
  unhex(key, sizeof key, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  unhex(salt, sizeof salt, "517569642070726f2071756f");
  n = unhex(plain, sizeof plain,
            "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
            "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef");
  wn = unhex(want, sizeof want,
             "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be"
             "8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4");
  assert_int_equal(rtg_srtp_set_session_keys(s, key, salt, NULL), 0);
  assert_int_equal(rtg_srtp_set_srtcp_index(s, 0x4d617273, 0x5d4), 0);
  memcpy(pkt, plain, n);
  assert_int_equal(rtg_srtcp_protect(s, pkt, n, sizeof pkt), (ptrdiff_t)wn);
  assert_memory_equal(pkt, want, wn);
  rtg_srtp_destroy(s);
  s = make(state, RTG_SRTP_AEAD_AES_256_GCM, NULL, 0, 0);
  assert_int_equal(rtg_srtp_set_session_keys(s, key, salt, NULL), 0);
  /* the tag covers E|index: flipping the E bit fails */
  memcpy(pkt, want, wn);
  pkt[wn - 4] ^= 0x80;
  assert_int_equal(rtg_srtcp_unprotect(s, pkt, wn), RTG_ERR_AUTH);
  memcpy(pkt, want, wn);
  assert_int_equal(rtg_srtcp_unprotect(s, pkt, wn), (ptrdiff_t)n);
  assert_memory_equal(pkt, plain, n);
  assert_int_equal(rtg_srtp_last_index(s), 0x5d4);
  /* and once accepted, the same index is a replay */
  memcpy(pkt, want, wn);
  assert_int_equal(rtg_srtcp_unprotect(s, pkt, wn), RTG_ERR_REPLAY);
  rtg_srtp_destroy(s);
}

/* ---- round trips, ROC, replay, tamper ----------------------------------- */

static void round_trip(void **state, enum rtg_srtp_profile p, const uint8_t *mki, size_t mki_len) {
  struct rtg_srtp *tx = make(state, p, mki, mki_len, 0), *rx = make(state, p, mki, mki_len, 0);
  uint8_t buf[1500], orig[1500];
  for (uint16_t seq = 0; seq < 50; seq++) {
    size_t n = rtp_packet(orig, (uint16_t)(seq * 31), 0x1234, seq * 13u);
    ptrdiff_t pn;
    memcpy(buf, orig, n);
    pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
    assert_int_equal(pn, (ptrdiff_t)(n + rtg_srtp_profile_rtp_overhead(p, mki_len)));
    assert_memory_equal(buf, orig, 12); /* header in clear */
    if (n > 20) assert_memory_not_equal(buf + 12, orig + 12, n - 12);
    assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), (ptrdiff_t)n);
    assert_memory_equal(buf, orig, n);
  }
  /* RTCP: an RR */
  for (int i = 0; i < 5; i++) {
    uint8_t rr[8 + 24] = {0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x12, 0x34};
    ptrdiff_t pn;
    memcpy(buf, rr, sizeof rr);
    pn = rtg_srtcp_protect(tx, buf, sizeof rr, sizeof buf);
    assert_int_equal(pn, (ptrdiff_t)(sizeof rr + rtg_srtp_profile_rtcp_overhead(p, mki_len)));
    assert_int_equal(rtg_srtcp_unprotect(rx, buf, (size_t)pn), (ptrdiff_t)sizeof rr);
    assert_memory_equal(buf, rr, sizeof rr);
    assert_int_equal(rtg_srtp_last_index(rx), (uint64_t)i);
  }
  rtg_srtp_destroy(tx);
  rtg_srtp_destroy(rx);
}

static void test_srtp_protect_round_trip_all_profiles(void **state) {
  static const uint8_t mki[4] = {0xde, 0xad, 0xbe, 0xef};
  (void)state;
  for (size_t i = 0; i < 4; i++) {
    round_trip(state, all_profiles[i], NULL, 0);
    round_trip(state, all_profiles[i], mki, sizeof mki);
  }
}

static void test_srtp_unprotect_seq_wrap_roc(void **state) {
  struct rtg_srtp *tx = make(state, RTG_SRTP_AES128_CM_HMAC_SHA1_80, NULL, 0, 0);
  struct rtg_srtp *rx = make(state, RTG_SRTP_AES128_CM_HMAC_SHA1_80, NULL, 0, 0);
  uint8_t buf[256], hold[256];
  size_t hold_len = 0;
  (void)state;
  /* 65530 .. 65535, 0 .. 9: the ROC goes to 1; one packet from before the
   * wrap arrives late and still decrypts with ROC 0. */
  for (uint32_t i = 0; i < 16; i++) {
    uint16_t seq = (uint16_t)(65530 + i);
    size_t n = rtp_packet(buf, seq, 7, 40);
    ptrdiff_t pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
    assert_true(pn > 0);
    assert_int_equal(rtg_srtp_last_index(tx), 65530u + i);
    if (seq == 65534) {
      memcpy(hold, buf, (size_t)pn);
      hold_len = (size_t)pn;
      continue;
    }
    assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), (ptrdiff_t)n);
    assert_int_equal(rtg_srtp_last_index(rx), 65530u + i);
  }
  assert_int_equal(rtg_srtp_unprotect(rx, hold, hold_len), (ptrdiff_t)(hold_len - 10));
  assert_int_equal(rtg_srtp_last_index(rx), 65534u);
  /* a receiver told the ROC (joining late) decrypts ROC 1 packets */
  rtg_srtp_destroy(rx);
  rx = make(state, RTG_SRTP_AES128_CM_HMAC_SHA1_80, NULL, 0, 0);
  {
    size_t n = rtp_packet(buf, 10, 7, 40);
    ptrdiff_t pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
    uint8_t copy[256];
    memcpy(copy, buf, (size_t)pn);
    assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), RTG_ERR_AUTH);
    assert_int_equal(rtg_srtp_stream_set_roc(rx, 7, 1), 0);
    assert_int_equal(rtg_srtp_unprotect(rx, copy, (size_t)pn), (ptrdiff_t)n);
    assert_int_equal(rtg_srtp_last_index(rx), 65536u + 10);
  }
  rtg_srtp_destroy(tx);
  rtg_srtp_destroy(rx);
}

static void replay_case(void **state, enum rtg_srtp_profile p) {
  struct rtg_srtp *tx = make(state, p, NULL, 0, 64);
  struct rtg_srtp *rx = make(state, p, NULL, 0, 64);
  uint8_t pkts[80][128], buf[128];
  ptrdiff_t lens[80];
  (void)state;
  for (uint16_t i = 0; i < 80; i++) {
    size_t n = rtp_packet(pkts[i], (uint16_t)(1000 + i), 9, 20);
    lens[i] = rtg_srtp_protect(tx, pkts[i], n, sizeof pkts[i]);
    assert_true(lens[i] > 0);
  }
  memcpy(buf, pkts[10], (size_t)lens[10]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[10]), 32);
  memcpy(buf, pkts[10], (size_t)lens[10]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[10]), RTG_ERR_REPLAY);
  /* older but inside the window (64): accepted once */
  memcpy(buf, pkts[0], (size_t)lens[0]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[0]), 32);
  memcpy(buf, pkts[0], (size_t)lens[0]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[0]), RTG_ERR_REPLAY);
  /* jump ahead by 75: packet 5 falls out of the 64-packet window */
  memcpy(buf, pkts[79], (size_t)lens[79]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[79]), 32);
  memcpy(buf, pkts[5], (size_t)lens[5]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[5]), RTG_ERR_REPLAY);
  memcpy(buf, pkts[16], (size_t)lens[16]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[16]), 32);
  /* after the stream is forgotten (BYE) the same packet is new again */
  assert_int_equal(rtg_srtp_stream_remove(rx, 9), 0);
  assert_int_equal(rtg_srtp_stream_remove(rx, 9), RTG_ERR_NOTFOUND);
  memcpy(buf, pkts[16], (size_t)lens[16]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)lens[16]), 32);
  /* SRTCP replay */
  {
    uint8_t rr[8] = {0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09}, c[64], d[64];
    ptrdiff_t pn;
    memcpy(c, rr, 8);
    pn = rtg_srtcp_protect(tx, c, 8, sizeof c);
    memcpy(d, c, (size_t)pn);
    assert_int_equal(rtg_srtcp_unprotect(rx, c, (size_t)pn), 8);
    assert_int_equal(rtg_srtcp_unprotect(rx, d, (size_t)pn), RTG_ERR_REPLAY);
  }
  rtg_srtp_destroy(tx);
  rtg_srtp_destroy(rx);
}

static void test_srtp_unprotect_replay(void **state) {
  replay_case(state, RTG_SRTP_AEAD_AES_128_GCM);
  replay_case(state, RTG_SRTP_AES128_CM_HMAC_SHA1_80);
}

static void test_srtp_unprotect_tamper(void **state) {
  (void)state;
  for (size_t pi = 0; pi < 4; pi++) {
    struct rtg_srtp *tx = make(state, all_profiles[pi], NULL, 0, 0);
    struct rtg_srtp *rx = make(state, all_profiles[pi], NULL, 0, 0);
    uint8_t pkt[128], buf[128];
    size_t n = rtp_packet(pkt, 77, 3, 30);
    ptrdiff_t pn = rtg_srtp_protect(tx, pkt, n, sizeof pkt);
    assert_true(pn > 0);
    /* flipping any single bit anywhere is detected, and a failed packet
     * creates no stream (the original still authenticates afterwards) */
    for (size_t i = 0; i < (size_t)pn; i++) {
      memcpy(buf, pkt, (size_t)pn);
      buf[i] ^= 0x10;
      ptrdiff_t r = rtg_srtp_unprotect(rx, buf, (size_t)pn);
      assert_true(r == RTG_ERR_AUTH || (i == 0 && r == RTG_ERR_PARSE));
      /* AES-CM leaves a rejected packet as it was (the fast path decrypts
       * while it authenticates and puts the bytes back) */
      if (pi < 2) {
        buf[i] ^= 0x10;
        assert_memory_equal(buf, pkt, (size_t)pn);
      }
    }
    /* truncations */
    for (size_t l = 0; l < (size_t)pn; l++) {
      memcpy(buf, pkt, (size_t)pn);
      ptrdiff_t r = rtg_srtp_unprotect(rx, buf, l);
      assert_true(r == RTG_ERR_AUTH || r == RTG_ERR_PARSE);
    }
    memcpy(buf, pkt, (size_t)pn);
    assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), (ptrdiff_t)n);
    rtg_srtp_destroy(tx);
    rtg_srtp_destroy(rx);
  }
}

static void test_srtp_create_invalid(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_srtp *s;
  uint8_t key[32] = {0}, salt[14] = {0};
  struct rtg_srtp_policy pol = {.profile = RTG_SRTP_AES128_CM_HMAC_SHA1_80,
                                .key = key,
                                .key_len = 16,
                                .salt = salt,
                                .salt_len = 14};
  (void)state;
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.key_len = 32;
  assert_int_equal(rtg_srtp_create(&s, &ctx, &pol), RTG_ERR_INVAL);
  pol.key_len = 16;
  pol.salt_len = 12;
  assert_int_equal(rtg_srtp_create(&s, &ctx, &pol), RTG_ERR_INVAL);
  pol.salt_len = 14;
  pol.replay_window = 100;
  assert_int_equal(rtg_srtp_create(&s, &ctx, &pol), RTG_ERR_INVAL);
  pol.replay_window = 0;
  pol.profile = (enum rtg_srtp_profile)5;
  assert_int_equal(rtg_srtp_create(&s, &ctx, &pol), RTG_ERR_INVAL);
  assert_int_equal(rtg_srtp_profile_from_name("SRTP_AEAD_AES_128_GCM"), RTG_SRTP_AEAD_AES_128_GCM);
  assert_string_equal(rtg_srtp_profile_name(RTG_SRTP_AES128_CM_HMAC_SHA1_32),
                      "AES_CM_128_HMAC_SHA1_32");
}

static void test_srtp_unprotect_unknown_ssrc_and_mki(void **state) {
  static const uint8_t mki[2] = {1, 2}, other[2] = {1, 3};
  struct rtg_ctx ctx;
  struct rtg_prng g;
  uint8_t key[16] = {9}, salt[14] = {8}, buf[128];
  struct rtg_srtp_policy pol = {.profile = RTG_SRTP_AES128_CM_HMAC_SHA1_80,
                                .key = key,
                                .key_len = 16,
                                .salt = salt,
                                .salt_len = 14,
                                .mki = mki,
                                .mki_len = 2};
  struct rtg_srtp *tx, *rx, *rx2;
  size_t n;
  ptrdiff_t pn;
  (void)state;
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.generic_only = generic(state);
  assert_int_equal(rtg_srtp_create(&tx, &ctx, &pol), 0);
  pol.fixed_ssrcs = true;
  assert_int_equal(rtg_srtp_create(&rx, &ctx, &pol), 0);
  pol.fixed_ssrcs = false;
  pol.mki = other;
  assert_int_equal(rtg_srtp_create(&rx2, &ctx, &pol), 0);
  n = rtp_packet(buf, 1, 0x55, 10);
  pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
  assert_int_equal(rtg_srtp_unprotect(rx2, buf, (size_t)pn), RTG_ERR_NOTFOUND); /* MKI */
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), RTG_ERR_NOTFOUND);  /* SSRC */
  assert_int_equal(rtg_srtp_stream_add(rx, 0x55), 0);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), (ptrdiff_t)n);
  /* not enough room for the trailer */
  n = rtp_packet(buf, 2, 0x55, 10);
  assert_int_equal(rtg_srtp_protect(tx, buf, n, n + 5), RTG_ERR_NOBUF);
  rtg_srtp_destroy(tx);
  rtg_srtp_destroy(rx);
  rtg_srtp_destroy(rx2);
}

/* A forged packet from a new SSRC takes no slot; a full table is
 * RTG_ERR_NOMEM; SRTCP's default window is 128. */
/* rtg_srtp_unprotect_to: the same plaintext as in place, for AES-CM and
 * GCM, the input left as it was, a short output buffer refused, and the
 * replay window shared with rtg_srtp_unprotect. */
static void test_srtp_unprotect_to_copy(void **state) {
  static const enum rtg_srtp_profile profiles[2] = {RTG_SRTP_AES128_CM_HMAC_SHA1_80,
                                                    RTG_SRTP_AEAD_AES_128_GCM};
  (void)state;
  for (int k = 0; k < 2; k++) {
    struct rtg_ctx ctx;
    struct rtg_prng g;
    uint8_t key[16] = {7}, salt[14] = {8}, plain[200], pkt[256], keep[256], out[256];
    struct rtg_srtp_policy pol = {.profile = profiles[k],
                                  .key = key,
                                  .key_len = 16,
                                  .salt = salt,
                                  .salt_len = rtg_srtp_profile_salt_len(profiles[k])};
    struct rtg_srtp *tx, *rx;
    size_t n = rtp_packet(plain, 9, 0x1234, 150);
    ptrdiff_t pn;
    rtg_ctx_deterministic(&ctx, &g, 1, NULL);
    pol.generic_only = generic(state);
    assert_int_equal(rtg_srtp_create(&tx, &ctx, &pol), 0);
    assert_int_equal(rtg_srtp_create(&rx, &ctx, &pol), 0);
    memcpy(pkt, plain, n);
    pn = rtg_srtp_protect(tx, pkt, n, sizeof pkt);
    assert_true(pn > (ptrdiff_t)n);
    memcpy(keep, pkt, (size_t)pn);
    assert_int_equal(rtg_srtp_unprotect_to(rx, pkt, (size_t)pn, out, n - 1), RTG_ERR_NOBUF);
    assert_int_equal(rtg_srtp_unprotect_to(rx, pkt, (size_t)pn, out, sizeof out), (ptrdiff_t)n);
    assert_memory_equal(out, plain, n);
    assert_memory_equal(pkt, keep, (size_t)pn);
    /* the in-place call sees the same packet as a replay */
    assert_int_equal(rtg_srtp_unprotect(rx, pkt, (size_t)pn), RTG_ERR_REPLAY);
    /* a tampered packet fails authentication */
    n = rtp_packet(pkt, 10, 0x1234, 150);
    pn = rtg_srtp_protect(tx, pkt, n, sizeof pkt);
    assert_true(pn > 0);
    pkt[20] ^= 1;
    assert_int_equal(rtg_srtp_unprotect_to(rx, pkt, (size_t)pn, out, sizeof out), RTG_ERR_AUTH);
    rtg_srtp_destroy(tx);
    rtg_srtp_destroy(rx);
  }
}

/* The stream table grows as SSRCs appear (it starts with a few slots):
 * replay windows and ROCs of the first streams survive every growth, and
 * removing a stream after growth frees its slot. */
static void test_srtp_unprotect_stream_table_growth(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  uint8_t key[16] = {5}, salt[14] = {6}, buf[64], first[40][64];
  struct rtg_srtp_policy pol = {.profile = RTG_SRTP_AES128_CM_HMAC_SHA1_80,
                                .key = key,
                                .key_len = 16,
                                .salt = salt,
                                .salt_len = 14,
                                .max_streams = 40};
  struct rtg_srtp *tx, *rx;
  ptrdiff_t pn, flen[40];
  size_t n;
  (void)state;
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.generic_only = generic(state);
  pol.max_streams = 64;
  assert_int_equal(rtg_srtp_create(&tx, &ctx, &pol), 0);
  pol.max_streams = 40;
  assert_int_equal(rtg_srtp_create(&rx, &ctx, &pol), 0);
  for (uint16_t seq = 100; seq < 103; seq++)
    for (uint32_t ssrc = 1; ssrc <= 40; ssrc++) {
      n = rtp_packet(buf, seq, ssrc, 20);
      pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
      assert_true(pn > 0);
      if (seq == 100) {
        memcpy(first[ssrc - 1], buf, (size_t)pn);
        flen[ssrc - 1] = pn;
      }
      assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), (ptrdiff_t)n);
    }
  for (uint32_t ssrc = 1; ssrc <= 40; ssrc++) {
    memcpy(buf, first[ssrc - 1], (size_t)flen[ssrc - 1]);
    assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)flen[ssrc - 1]), RTG_ERR_REPLAY);
  }
  /* the table is full; a 41st SSRC fits only after one is removed */
  n = rtp_packet(buf, 7, 41, 20);
  pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
  assert_true(pn > 0);
  memcpy(first[0], buf, (size_t)pn);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn), RTG_ERR_NOMEM);
  assert_int_equal(rtg_srtp_stream_remove(rx, 3), 0);
  assert_int_equal(rtg_srtp_unprotect(rx, first[0], (size_t)pn), (ptrdiff_t)n);
  /* the remaining streams still reject their replays */
  memcpy(buf, first[39], (size_t)flen[39]);
  assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)flen[39]), RTG_ERR_REPLAY);
  rtg_srtp_destroy(tx);
  rtg_srtp_destroy(rx);
}

static void test_srtp_unprotect_stream_table(void **state) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  uint8_t key[16] = {3}, salt[14] = {4}, buf[128], keep[128];
  struct rtg_srtp_policy pol = {.profile = RTG_SRTP_AES128_CM_HMAC_SHA1_32,
                                .key = key,
                                .key_len = 16,
                                .salt = salt,
                                .salt_len = 14,
                                .max_streams = 2};
  struct rtg_srtp *tx, *rx;
  size_t n;
  ptrdiff_t pn;
  (void)state;
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.generic_only = generic(state);
  pol.max_streams = 8;
  assert_int_equal(rtg_srtp_create(&tx, &ctx, &pol), 0);
  pol.max_streams = 2;
  assert_int_equal(rtg_srtp_create(&rx, &ctx, &pol), 0);
  for (uint32_t ssrc = 1; ssrc <= 3; ssrc++) {
    n = rtp_packet(buf, 5, ssrc, 8);
    pn = rtg_srtp_protect(tx, buf, n, sizeof buf);
    if (ssrc == 1) {
      /* forged first: tag broken, must not take a slot */
      memcpy(keep, buf, (size_t)pn);
      keep[pn - 1] ^= 1;
      assert_int_equal(rtg_srtp_unprotect(rx, keep, (size_t)pn), RTG_ERR_AUTH);
    }
    assert_int_equal(rtg_srtp_unprotect(rx, buf, (size_t)pn),
                     ssrc <= 2 ? (ptrdiff_t)n : RTG_ERR_NOMEM);
  }
  /* SRTCP: index 0 accepted, then 200 packets later index 0..71 are out
   * of the 128-packet window */
  {
    uint8_t rr[8] = {0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01}, first[64];
    ptrdiff_t fl = 0;
    for (int i = 0; i < 200; i++) {
      memcpy(buf, rr, 8);
      pn = rtg_srtcp_protect(tx, buf, 8, sizeof buf);
      if (i == 0) {
        memcpy(first, buf, (size_t)pn);
        fl = pn;
        continue;
      }
      assert_int_equal(rtg_srtcp_unprotect(rx, buf, (size_t)pn), 8);
    }
    assert_int_equal(rtg_srtcp_unprotect(rx, first, (size_t)fl), RTG_ERR_REPLAY);
  }
  rtg_srtp_destroy(tx);
  rtg_srtp_destroy(rx);
}

/* ---- differential against libsrtp2 -------------------------------------- */

static srtp_t lib_session(enum rtg_srtp_profile p, bool inbound, const uint8_t *mki,
                          size_t mki_len) {
  static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  static const uint8_t salt[14] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
                                   0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad};
  uint8_t keysalt[46], mk[16];
  size_t kl = rtg_srtp_profile_key_len(p);
  srtp_t s;
  memcpy(keysalt, key, kl);
  memcpy(keysalt + kl, salt, rtg_srtp_profile_salt_len(p));
  if (mki_len) memcpy(mk, mki, mki_len);
  s = rtg_libsrtp_session(p, inbound, keysalt, mk, mki_len);
  assert_non_null(s);
  return s;
}

static void test_srtp_protect_matches_libsrtp2(void **state) {
  static const uint8_t mki[3] = {7, 8, 9};
  for (size_t pi = 0; pi < 4; pi++) {
    for (int with_mki = 0; with_mki < 2; with_mki++) {
      enum rtg_srtp_profile p = all_profiles[pi];
      size_t ml = with_mki ? sizeof mki : 0;
      struct rtg_srtp *mine_tx = make(state, p, mki, ml, 0), *mine_rx = make(state, p, mki, ml, 0);
      srtp_t lib_tx = lib_session(p, false, mki, ml), lib_rx = lib_session(p, true, mki, ml);
      /* sequence numbers crossing a wrap, with a gap */
      static const uint16_t seqs[] = {65500, 65501, 65535, 0, 1, 300, 301};
      for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        uint8_t a[1600], b[1600], orig[1600];
        size_t n = rtp_packet(orig, seqs[k], 0xabcdef, 100 + 37 * k);
        int ln = (int)n;
        ptrdiff_t pn;
        memcpy(a, orig, n);
        memcpy(b, orig, n);
        pn = rtg_srtp_protect(mine_tx, a, n, sizeof a);
        assert_int_equal(
            with_mki ? srtp_protect_mki(lib_tx, b, &ln, 1, 0) : srtp_protect(lib_tx, b, &ln),
            srtp_err_status_ok);
        /* both sides produce identical SRTP bytes */
        assert_int_equal(pn, ln);
        assert_memory_equal(a, b, (size_t)ln);
        /* libsrtp2 unprotects ours, we unprotect theirs */
        assert_int_equal(srtp_unprotect_mki(lib_rx, a, &ln, (unsigned)with_mki),
                         srtp_err_status_ok);
        assert_int_equal(ln, (int)n);
        assert_memory_equal(a, orig, n);
        assert_int_equal(rtg_srtp_unprotect(mine_rx, b, (size_t)pn), (ptrdiff_t)n);
        assert_memory_equal(b, orig, n);
      }
      for (int k = 0; k < 3; k++) {
        uint8_t sr[28] = {0x80, 0xc8, 0x00, 0x06, 0x00, 0xab, 0xcd, 0xef, 1,  2,  3,  4,  5,  6,
                          7,    8,    9,    10,   11,   12,   13,   14,   15, 16, 17, 18, 19, 20};
        uint8_t a[128], b[128];
        int ln = sizeof sr;
        ptrdiff_t pn;
        memcpy(a, sr, sizeof sr);
        memcpy(b, sr, sizeof sr);
        pn = rtg_srtcp_protect(mine_tx, a, sizeof sr, sizeof a);
        assert_int_equal(with_mki ? srtp_protect_rtcp_mki(lib_tx, b, &ln, 1, 0)
                                  : srtp_protect_rtcp(lib_tx, b, &ln),
                         srtp_err_status_ok);
        /* Same length; the bytes differ: RFC 3711 §3.4 starts the SRTCP
         * index at 0, libsrtp2 at 1. Each side unprotects the other's. */
        assert_int_equal(pn, ln);
        assert_int_equal(
            rtg_load_u32(a + ln - rtg_srtp_profile_rtcp_overhead(p, ml) + (pi >= 2 ? 16 : 0)) &
                0x7fffffffu,
            (uint32_t)k);
        if (pi == 1 && with_mki) {
          /* libsrtp2 2.5.0 looks for the SRTCP MKI with the RTP tag length
           * (4 bytes under _32, where SRTCP keeps 10): it rejects even its
           * own packets with bad_mki. Only our side is checked here. */
          uint8_t c[128];
          int cl = ln;
          memcpy(c, b, (size_t)ln);
          assert_int_equal(srtp_unprotect_rtcp_mki(lib_rx, c, &cl, 1), srtp_err_status_bad_mki);
          assert_int_equal(rtg_srtcp_unprotect(mine_rx, b, (size_t)pn), (ptrdiff_t)sizeof sr);
          assert_memory_equal(b, sr, sizeof sr);
          continue;
        }
        assert_int_equal(srtp_unprotect_rtcp_mki(lib_rx, a, &ln, (unsigned)with_mki),
                         srtp_err_status_ok);
        assert_memory_equal(a, sr, sizeof sr);
        assert_int_equal(rtg_srtcp_unprotect(mine_rx, b, (size_t)pn), (ptrdiff_t)sizeof sr);
        assert_memory_equal(b, sr, sizeof sr);
      }
      rtg_srtp_destroy(mine_tx);
      rtg_srtp_destroy(mine_rx);
      srtp_dealloc(lib_tx);
      srtp_dealloc(lib_rx);
    }
  }
}

/* libsrtp2 is initialised once for the whole group (a second srtp_init
 * reports an error). */
static int group_setup(void **state) {
  (void)state;
  return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

/* A session test on the fast path, then again with generic_only. */
#define BOTH_PATHS(f) \
  cmocka_unit_test_prestate(f, &path_fast), { #f "_generic", f, NULL, NULL, &path_generic }

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_srtp_aes_cm_keystream_rfc3711_b2),
      cmocka_unit_test(test_srtp_kdf_rfc3711_b3),
      cmocka_unit_test(test_srtp_aes_cm_keystream_rfc6188_71),
      cmocka_unit_test(test_srtp_kdf_rfc6188_72),
      cmocka_unit_test(test_srtp_protect_rfc7714_16),
      cmocka_unit_test(test_srtcp_protect_rfc7714_17),
      BOTH_PATHS(test_srtp_protect_round_trip_all_profiles),
      BOTH_PATHS(test_srtp_unprotect_seq_wrap_roc),
      BOTH_PATHS(test_srtp_unprotect_replay),
      BOTH_PATHS(test_srtp_unprotect_tamper),
      cmocka_unit_test(test_srtp_create_invalid),
      BOTH_PATHS(test_srtp_unprotect_unknown_ssrc_and_mki),
      BOTH_PATHS(test_srtp_unprotect_stream_table),
      BOTH_PATHS(test_srtp_unprotect_stream_table_growth),
      BOTH_PATHS(test_srtp_unprotect_to_copy),
      BOTH_PATHS(test_srtp_protect_matches_libsrtp2),
  };
  return cmocka_run_group_tests_name("srtp", tests, group_setup, NULL);
}
