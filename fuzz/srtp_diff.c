/*
 * srtp_diff - differential SRTP/SRTCP against libsrtp2. The input chooses
 * the profile, the MKI, the master key and salt, then a script of
 * operations over a few SSRCs: protect a packet (sequence steps, payload
 * sizes), tamper with a packet, replay an earlier one, protect/replay RTCP.
 *
 * Byte 0 also puts rtcgate's sender (bit 3) and receiver (bit 4) on the
 * generic EVP path instead of the CPU's AES-CM fast path, so both paths
 * are held to libsrtp2 and to each other.
 *
 * Checked on every step:
 * - rtcgate and libsrtp2 protect an RTP packet to the same bytes (when
 *   libsrtp2 accepts to protect it at all);
 * - both receivers get the same datagrams and agree on accepting or
 *   rejecting each one (tampered, replayed, too old), and what they accept
 *   decrypts to the original plaintext;
 * - SRTCP protected by each side is unprotected by the other to the same
 *   bytes (the indexes differ: RFC 3711 starts at 0, libsrtp2 at 1), and
 *   both reject replays and tampering.
 */
#include <srtp2/srtp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/srtp.h"
#include "rtp/srtp_libsrtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c)       \
  do {                 \
    if (!(c)) abort(); \
  } while (0)

#define MAXPKT 512
#define HIST 8

struct in {
  const uint8_t *p;
  size_t n;
};

static uint8_t take(struct in *in) {
  uint8_t v = 0;
  if (in->n) {
    v = *in->p++;
    in->n--;
  }
  return v;
}

struct pkt {
  uint8_t b[MAXPKT];
  size_t len;
};

struct diff {
  enum rtg_srtp_profile profile;
  bool mki;
  struct rtg_srtp *tx, *rx;
  srtp_t ltx, lrx;
  uint16_t seq[4];
  struct pkt hist[HIST]; /* delivered SRTP packets */
  size_t nhist;
  struct pkt rhist_mine[HIST], rhist_lib[HIST]; /* SRTCP delivered to lib / to us */
  size_t nrhist;
};

static const enum rtg_srtp_profile profiles[4] = {
    RTG_SRTP_AES128_CM_HMAC_SHA1_80, RTG_SRTP_AES128_CM_HMAC_SHA1_32, RTG_SRTP_AEAD_AES_128_GCM,
    RTG_SRTP_AEAD_AES_256_GCM};

static struct rtg_srtp *rtg_session(enum rtg_srtp_profile p, const uint8_t *keysalt,
                                    const uint8_t *mki, size_t mki_len, bool generic) {
  struct rtg_ctx ctx;
  struct rtg_prng g;
  struct rtg_srtp *s = NULL;
  struct rtg_srtp_policy pol = {0};
  rtg_ctx_deterministic(&ctx, &g, 1, NULL);
  pol.profile = p;
  pol.key = keysalt;
  pol.key_len = rtg_srtp_profile_key_len(p);
  pol.salt = keysalt + pol.key_len;
  pol.salt_len = rtg_srtp_profile_salt_len(p);
  pol.mki = mki;
  pol.mki_len = mki_len;
  pol.generic_only = generic;
  if (rtg_srtp_create(&s, &ctx, &pol)) return NULL;
  return s;
}

/* Delivers |p| to both receivers; they must agree; accepted packets must
 * decrypt to |plain| when given. */
static void deliver(struct diff *d, const struct pkt *p, const uint8_t *plain, size_t plain_len) {
  uint8_t a[MAXPKT], b[MAXPKT];
  int ln = (int)p->len;
  ptrdiff_t r;
  srtp_err_status_t st;
  memcpy(a, p->b, p->len);
  memcpy(b, p->b, p->len);
  r = rtg_srtp_unprotect(d->rx, a, p->len);
  st = d->mki ? srtp_unprotect_mki(d->lrx, b, &ln, 1) : srtp_unprotect(d->lrx, b, &ln);
  CHECK((r >= 0) == (st == srtp_err_status_ok));
  if (r < 0) return;
  CHECK(r == ln && memcmp(a, b, (size_t)ln) == 0);
  if (plain) CHECK((size_t)r == plain_len && memcmp(a, plain, plain_len) == 0);
}

static void op_rtp(struct diff *d, struct in *in, uint8_t op) {
  uint8_t plain[MAXPKT], lib[MAXPKT];
  struct pkt p;
  size_t si = op & 3, plen = take(in) % 200 + ((op & 0x20) ? 180u : 0u), n;
  uint16_t step = (uint16_t)(take(in) << 8 | take(in));
  uint32_t ssrc = 0x1000u + (uint32_t)si;
  int ln;
  ptrdiff_t r;
  /* mostly small forward steps; the op byte's high bit allows any jump */
  if (!(op & 0x80)) step = (uint16_t)(step % 64 + 1);
  d->seq[si] = (uint16_t)(d->seq[si] + step);
  plain[0] = (uint8_t)(0x80 | ((op & 0x40) ? 1 : 0)); /* sometimes one CSRC */
  plain[1] = 0x60;
  rtg_store_u16(plain + 2, d->seq[si]);
  rtg_store_u32(plain + 4, 0xabcdef00u + d->seq[si]);
  rtg_store_u32(plain + 8, ssrc);
  n = 12;
  if (plain[0] & 0x0f) {
    rtg_store_u32(plain + n, 0xc5c5c5c5u);
    n += 4;
  }
  for (size_t i = 0; i < plen; i++) plain[n + i] = take(in);
  n += plen;
  memcpy(p.b, plain, n);
  memcpy(lib, plain, n);
  r = rtg_srtp_protect(d->tx, p.b, n, sizeof p.b);
  CHECK(r > 0);
  ln = (int)n;
  if ((d->mki ? srtp_protect_mki(d->ltx, lib, &ln, 1, 0) : srtp_protect(d->ltx, lib, &ln)) !=
      srtp_err_status_ok)
    return; /* libsrtp2 refuses to send packets older than its window */
  CHECK(r == ln && memcmp(p.b, lib, (size_t)ln) == 0);
  p.len = (size_t)r;
  deliver(d, &p, plain, n);
  d->hist[d->nhist % HIST] = p;
  d->nhist++;
}

static void op_tamper(struct diff *d, struct in *in) {
  struct pkt p;
  size_t pos;
  if (d->nhist == 0) return;
  p = d->hist[take(in) % (d->nhist < HIST ? d->nhist : HIST)];
  pos = take(in) % p.len;
  p.b[pos] ^= (uint8_t)(take(in) | 1);
  /* the version bits change the rules (libsrtp2 does not look at them) */
  if (pos == 0) p.b[0] = (uint8_t)((p.b[0] & 0x3f) | 0x80);
  deliver(d, &p, NULL, 0);
}

static void op_replay(struct diff *d, struct in *in) {
  if (d->nhist == 0) return;
  deliver(d, &d->hist[take(in) % (d->nhist < HIST ? d->nhist : HIST)], NULL, 0);
}

static void op_rtcp(struct diff *d, struct in *in, uint8_t op) {
  uint8_t plain[64], a[MAXPKT], b[MAXPKT];
  uint32_t ssrc = 0x1000u + (op & 3);
  size_t n = 8 + 4 * (size_t)(take(in) % 8);
  int ln;
  ptrdiff_t r;
  /* libsrtp2 2.5 cannot find the SRTCP MKI under _32 (see srtp_test.c) */
  if (d->mki && d->profile == RTG_SRTP_AES128_CM_HMAC_SHA1_32) return;
  plain[0] = 0x80;
  plain[1] = 201;
  rtg_store_u16(plain + 2, (uint16_t)(n / 4 - 1));
  rtg_store_u32(plain + 4, ssrc);
  for (size_t i = 8; i < n; i++) plain[i] = take(in);
  memcpy(a, plain, n);
  memcpy(b, plain, n);
  r = rtg_srtcp_protect(d->tx, a, n, sizeof a);
  ln = (int)n;
  CHECK(r > 0);
  CHECK((d->mki ? srtp_protect_rtcp_mki(d->ltx, b, &ln, 1, 0)
                : srtp_protect_rtcp(d->ltx, b, &ln)) == srtp_err_status_ok);
  CHECK(r == ln);
  d->rhist_mine[d->nrhist % HIST].len = (size_t)r;
  memcpy(d->rhist_mine[d->nrhist % HIST].b, a, (size_t)r);
  d->rhist_lib[d->nrhist % HIST].len = (size_t)ln;
  memcpy(d->rhist_lib[d->nrhist % HIST].b, b, (size_t)ln);
  d->nrhist++;
  /* ours -> libsrtp2, theirs -> us */
  CHECK((d->mki ? srtp_unprotect_rtcp_mki(d->lrx, a, &ln, 1)
                : srtp_unprotect_rtcp(d->lrx, a, &ln)) == srtp_err_status_ok);
  CHECK(ln == (int)n && memcmp(a, plain, n) == 0);
  CHECK(rtg_srtcp_unprotect(d->rx, b, (size_t)r) == (ptrdiff_t)n && memcmp(b, plain, n) == 0);
}

static void op_rtcp_replay(struct diff *d, struct in *in) {
  uint8_t a[MAXPKT];
  size_t i;
  int ln;
  bool tamper = take(in) & 1;
  if (d->nrhist == 0) return;
  i = take(in) % (d->nrhist < HIST ? d->nrhist : HIST);
  /* a replayed (or tampered) SRTCP packet is rejected by both */
  memcpy(a, d->rhist_mine[i].b, d->rhist_mine[i].len);
  ln = (int)d->rhist_mine[i].len;
  if (tamper) a[take(in) % (size_t)ln] ^= 0x04;
  CHECK((d->mki ? srtp_unprotect_rtcp_mki(d->lrx, a, &ln, 1)
                : srtp_unprotect_rtcp(d->lrx, a, &ln)) != srtp_err_status_ok);
  memcpy(a, d->rhist_lib[i].b, d->rhist_lib[i].len);
  if (tamper) a[take(in) % d->rhist_lib[i].len] ^= 0x04;
  CHECK(rtg_srtcp_unprotect(d->rx, a, d->rhist_lib[i].len) < 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (srtp_init() != srtp_err_status_ok) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct in in = {data, size};
  struct diff *d;
  uint8_t keysalt[46], mki[4];
  uint8_t b0;
  d = calloc(1, sizeof *d);
  if (d == NULL) return 0;
  b0 = take(&in);
  d->profile = profiles[b0 & 3];
  d->mki = (b0 & 4) != 0;
  for (size_t i = 0; i < sizeof keysalt; i++) keysalt[i] = take(&in);
  for (size_t i = 0; i < sizeof mki; i++) mki[i] = take(&in);
  for (size_t i = 0; i < 4; i++) d->seq[i] = (uint16_t)(take(&in) << 8 | take(&in));
  {
    /* libsrtp2 reads key||salt contiguously; ours takes them apart */
    uint8_t ks[46];
    size_t kl = rtg_srtp_profile_key_len(d->profile);
    memcpy(ks, keysalt, kl);
    memcpy(ks + kl, keysalt + 32, 14);
    d->tx = rtg_session(d->profile, ks, d->mki ? mki : NULL, d->mki ? sizeof mki : 0, b0 & 8);
    d->rx = rtg_session(d->profile, ks, d->mki ? mki : NULL, d->mki ? sizeof mki : 0, b0 & 16);
    d->ltx = rtg_libsrtp_session(d->profile, false, ks, mki, d->mki ? sizeof mki : 0);
    d->lrx = rtg_libsrtp_session(d->profile, true, ks, mki, d->mki ? sizeof mki : 0);
  }
  CHECK(d->tx && d->rx && d->ltx && d->lrx);
  for (int ops = 0; ops < 64 && in.n; ops++) {
    uint8_t op = take(&in);
    switch ((op >> 2) % 6) {
      case 0:
      case 1: op_rtp(d, &in, op); break;
      case 2: op_tamper(d, &in); break;
      case 3: op_replay(d, &in); break;
      case 4: op_rtcp(d, &in, op); break;
      default: op_rtcp_replay(d, &in); break;
    }
  }
  rtg_srtp_destroy(d->tx);
  rtg_srtp_destroy(d->rx);
  srtp_dealloc(d->ltx);
  srtp_dealloc(d->lrx);
  free(d);
  return 0;
}
