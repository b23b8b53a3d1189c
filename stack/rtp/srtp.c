/*
 * srtp.c - SRTP/SRTCP (RFC 3711) with AES-CM + HMAC-SHA1 and AES-GCM
 * (RFC 7714), in place.
 *
 * Performance rules (issue 5): the EVP cipher contexts and the HMAC key
 * schedule are set up once per session (with key derivation rate 0 the
 * session keys do not depend on the SSRC or the index, so every stream of a
 * session shares them); per packet only the IV is re-initialised and
 * nothing is allocated.
 *
 * Profiles, the ECB-based AES-CM keystream and the KDF are in srtp_kdf.c.
 * AES-CM sessions on a CPU with AES-NI and the SHA extensions hand the
 * per-packet cipher and MAC work to srtp_x86.c (one stitched loop), chosen
 * once in rtg_srtp_create; the EVP code below is the generic path.
 *
 * SRTP packet (RFC 3711 §3.1):
 *   | RTP header | encrypted payload | MKI (opt) | auth tag |
 *   authenticated: header + encrypted payload (+ ROC for the MAC)
 * SRTCP packet (RFC 3711 §3.4):
 *   | first 8 bytes | encrypted rest | E | SRTCP index | MKI | auth tag |
 * AEAD (RFC 7714 §8.2, §9.2): the tag (16) is part of the ciphertext; for
 * SRTCP, E|index follows the tag and is associated data.
 */
/* HMAC-SHA1 runs on OpenSSL's low-level SHA-1 (deprecated in 3.0 but
 * present): in OpenSSL 3.0 every EVP_MAC_init / EVP_MD_CTX_copy_ex re-keys
 * by duplicating the provider context, i.e. one malloc/free per packet.
 * With the raw SHA_CTX the ipad/opad states are computed once per session
 * and copied by value per packet: no allocation, no provider dispatch, the
 * same SHA-NI/AVX block function underneath. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#include "rtp/srtp_internal.h"

#define REPLAY_DEFAULT 1024u
#define RTCP_REPLAY_DEFAULT 128u
#define STREAMS_DEFAULT 64u
/* The stream table starts this small and doubles up to max_streams: a
 * session that sees a handful of SSRCs (the usual case) allocates and
 * touches about a kilobyte, not max_streams replay windows. */
#define STREAMS_INITIAL 4u
#define GCM_TAG 16
#define SRTCP_E 0x80000000u

struct replay {
  uint64_t *bits; /* ring bitmap, |size| bits, bit (i % size) for index i */
  uint32_t size;
  uint64_t top; /* highest index accepted */
  bool any;     /* top is meaningful */
};

struct stream {
  uint32_t ssrc;
  bool used;
  /* RTP send */
  bool tx_started;
  uint32_t tx_roc;
  uint16_t tx_seq;
  /* RTP receive: s_l and ROC are the top of the replay window */
  bool rx_started;
  uint32_t rx_roc;
  uint16_t rx_seq;
  struct replay rtp;
  /* RTCP */
  uint32_t rtcp_tx_index;
  struct replay rtcp;
};

/* Keys of one direction kind (RTP or RTCP). */
struct keyset {
  EVP_CIPHER_CTX *enc;          /* AES-ECB keystream (AES-CM, both ways) or GCM encrypt */
  EVP_CIPHER_CTX *dec;          /* GCM decrypt (NULL for AES-CM) */
  SHA_CTX mac_inner, mac_outer; /* AES-CM only: HMAC-SHA1 key, absorbed once */
  struct rtg_srtp_fast fast;    /* AES-CM on a fast path: its keys */
  uint8_t salt[14];
};

struct rtg_srtp {
  struct rtg_ctx ctx;
  enum rtg_srtp_profile profile;
  bool gcm;
  size_t key_len, salt_len, tag_len;
  uint8_t mki[RTG_SRTP_MAX_MKI];
  size_t mki_len;
  bool fixed_ssrcs;
  struct keyset rtp, rtcp;
  const struct rtg_srtp_fast_ops *fast; /* AES-CM fast path, NULL = EVP */
  size_t nstreams, max_streams, cap_streams;
  struct stream *streams; /* |cap_streams| slots, the first |nstreams| used */
  size_t last;            /* index of the most recently used stream (fast path) */
  uint64_t last_index;
  uint32_t window, rtcp_window;
  uint64_t *bitmaps; /* one RTP + RTCP replay bitmap per slot */
};

/* ------------------------------------------------------------------------ */
/* Session setup                                                            */
/* ------------------------------------------------------------------------ */

static void keyset_free(struct keyset *k) {
  EVP_CIPHER_CTX_free(k->enc);
  EVP_CIPHER_CTX_free(k->dec);
  OPENSSL_cleanse(k, sizeof *k);
}

/* |ecb|: the session's AES-ECB cipher (AES-CM profiles), fetched once per
 * session so that keying a context does not look the algorithm up again. */
static int keyset_init(struct rtg_srtp *s, struct keyset *k, const EVP_CIPHER *ecb,
                       const uint8_t *enc_key, const uint8_t *salt, const uint8_t *auth_key) {
  const EVP_CIPHER *c;
  keyset_free(k);
  memcpy(k->salt, salt, s->salt_len);
  if (s->gcm) {
    c = s->key_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
    k->enc = EVP_CIPHER_CTX_new();
    k->dec = EVP_CIPHER_CTX_new();
    if (k->enc == NULL || k->dec == NULL) return RTG_ERR_NOMEM;
    if (EVP_EncryptInit_ex(k->enc, c, NULL, enc_key, NULL) != 1 ||
        EVP_DecryptInit_ex(k->dec, c, NULL, enc_key, NULL) != 1)
      return RTG_ERR_CRYPTO;
    return 0;
  }
  /* AES-CM keystream blocks are AES-ECB of counter blocks: an ECB context
   * keyed once needs no per-packet IV re-initialisation (which costs more
   * than the AES of a small packet in OpenSSL 3). */
  k->enc = rtg_srtp_ecb_new(ecb, enc_key);
  if (k->enc == NULL) return RTG_ERR_CRYPTO;
  {
    /* RFC 2104: H(K ^ opad, H(K ^ ipad, m)); the 20-byte key is padded to
     * the 64-byte block. */
    uint8_t pad[64];
    memset(pad, 0x36, sizeof pad);
    for (size_t i = 0; i < 20; i++) pad[i] ^= auth_key[i];
    if (SHA1_Init(&k->mac_inner) != 1 || SHA1_Update(&k->mac_inner, pad, sizeof pad) != 1)
      return RTG_ERR_CRYPTO;
    memset(pad, 0x5c, sizeof pad);
    for (size_t i = 0; i < 20; i++) pad[i] ^= auth_key[i];
    if (SHA1_Init(&k->mac_outer) != 1 || SHA1_Update(&k->mac_outer, pad, sizeof pad) != 1)
      return RTG_ERR_CRYPTO;
    OPENSSL_cleanse(pad, sizeof pad);
  }
  if (s->fast) s->fast->init(&k->fast, enc_key, auth_key);
  return 0;
}

/* RFC 3711 §4.3.1 through |prf|, an ECB context keyed with the master key
 * (one key schedule for all six derived keys). */
static int kdf_ecb(EVP_CIPHER_CTX *prf, const struct rtg_srtp_policy *p, uint8_t label,
                   uint8_t *out, size_t n) {
  uint8_t iv[16];
  rtg_srtp_kdf_iv(iv, p->salt, p->salt_len, label);
  memset(out, 0, n);
  return rtg_srtp_ecb_ctr(prf, iv, out, out, n);
}

static int derive_keyset(struct rtg_srtp *s, struct keyset *k, EVP_CIPHER_CTX *prf,
                         const EVP_CIPHER *ecb, const struct rtg_srtp_policy *p, uint8_t label0) {
  uint8_t ek[32], salt[14], ak[20];
  int r = kdf_ecb(prf, p, label0, ek, s->key_len);
  if (!r && !s->gcm) r = kdf_ecb(prf, p, (uint8_t)(label0 + 1), ak, sizeof ak);
  if (!r) r = kdf_ecb(prf, p, (uint8_t)(label0 + 2), salt, s->salt_len);
  if (!r) r = keyset_init(s, k, ecb, ek, salt, s->gcm ? NULL : ak);
  OPENSSL_cleanse(ek, sizeof ek);
  OPENSSL_cleanse(ak, sizeof ak);
  OPENSSL_cleanse(salt, sizeof salt);
  return r;
}

int rtg_srtp_set_session_keys(struct rtg_srtp *s, const uint8_t *key, const uint8_t *salt,
                              const uint8_t *auth) {
  const EVP_CIPHER *ecb = rtg_srtp_ecb_cipher(s->key_len);
  int r;
  if (!s->gcm && auth == NULL) return RTG_ERR_INVAL;
  r = keyset_init(s, &s->rtp, ecb, key, salt, auth);
  if (!r) r = keyset_init(s, &s->rtcp, ecb, key, salt, auth);
  return r;
}

/* Grows the stream table (doubling, up to max_streams). Each slot owns one
 * RTP and one RTCP replay bitmap; slot i's bitmaps move to the new slot i.
 * returns 0 or one of: RTG_ERR_NOMEM. */
static int streams_grow(struct rtg_srtp *s) {
  size_t cap = s->cap_streams ? 2 * s->cap_streams : STREAMS_INITIAL;
  size_t wr = s->window / 64, words = wr + s->rtcp_window / 64;
  struct stream *ns;
  uint64_t *nb;
  if (cap > s->max_streams) cap = s->max_streams;
  if (cap <= s->cap_streams) return RTG_ERR_NOMEM;
  ns = rtg_alloc(&s->ctx, cap * sizeof *ns);
  nb = rtg_alloc(&s->ctx, cap * words * sizeof *nb);
  if (ns == NULL || nb == NULL) {
    rtg_free(&s->ctx, ns);
    rtg_free(&s->ctx, nb);
    return RTG_ERR_NOMEM;
  }
  for (size_t i = 0; i < cap; i++) {
    uint64_t *b = nb + i * words;
    if (i < s->cap_streams) {
      ns[i] = s->streams[i];
      memcpy(b, s->streams[i].rtp.bits, wr * 8);
      memcpy(b + wr, s->streams[i].rtcp.bits, (words - wr) * 8);
    }
    ns[i].rtp.bits = b;
    ns[i].rtp.size = s->window;
    ns[i].rtcp.bits = b + wr;
    ns[i].rtcp.size = s->rtcp_window;
  }
  rtg_free(&s->ctx, s->streams);
  rtg_free(&s->ctx, s->bitmaps);
  s->streams = ns;
  s->bitmaps = nb;
  s->cap_streams = cap;
  return 0;
}

static bool window_ok(uint32_t w) { return w % 64 == 0 && w >= 64 && w <= 32768; }

int rtg_srtp_create(struct rtg_srtp **out, const struct rtg_ctx *ctx,
                    const struct rtg_srtp_policy *p) {
  struct rtg_srtp *s;
  int r;
  *out = NULL;
  if (rtg_srtp_profile_key_len(p->profile) == 0 ||
      p->key_len != rtg_srtp_profile_key_len(p->profile) ||
      p->salt_len != rtg_srtp_profile_salt_len(p->profile) || p->key == NULL || p->salt == NULL ||
      p->mki_len > RTG_SRTP_MAX_MKI || (p->mki_len && p->mki == NULL))
    return RTG_ERR_INVAL;
  s = rtg_alloc(ctx, sizeof *s);
  if (s == NULL) return RTG_ERR_NOMEM;
  s->ctx = *ctx;
  s->profile = p->profile;
  s->gcm = p->profile == RTG_SRTP_AEAD_AES_128_GCM || p->profile == RTG_SRTP_AEAD_AES_256_GCM;
  s->key_len = p->key_len;
  s->salt_len = p->salt_len;
  s->tag_len = rtg_srtp_profile_tag_len(p->profile, false);
  s->mki_len = p->mki_len;
  if (p->mki_len) memcpy(s->mki, p->mki, p->mki_len);
  s->fixed_ssrcs = p->fixed_ssrcs;
  /* decided once: the AES-CM profiles (128-bit keys) on the CPU's path */
  s->fast = s->gcm || p->generic_only ? NULL : rtg_srtp_x86_ops();
  s->window = p->replay_window ? p->replay_window : REPLAY_DEFAULT;
  s->rtcp_window = p->rtcp_replay_window ? p->rtcp_replay_window : RTCP_REPLAY_DEFAULT;
  s->max_streams = p->max_streams ? p->max_streams : STREAMS_DEFAULT;
  if (!window_ok(s->window) || !window_ok(s->rtcp_window) || s->max_streams > 65536) {
    rtg_free(ctx, s);
    return RTG_ERR_INVAL;
  }
  {
    /* RFC 3711 §4.3.2 labels: 0..2 SRTP, 3..5 SRTCP. */
    static const char *const ecb_names[3] = {"AES-128-ECB", "AES-192-ECB", "AES-256-ECB"};
    EVP_CIPHER *ecb = EVP_CIPHER_fetch(NULL, ecb_names[(p->key_len - 16) / 8], NULL);
    EVP_CIPHER_CTX *prf = rtg_srtp_ecb_new(ecb, p->key);
    r = prf == NULL ? RTG_ERR_CRYPTO : streams_grow(s);
    if (!r) r = derive_keyset(s, &s->rtp, prf, ecb, p, 0);
    if (!r) r = derive_keyset(s, &s->rtcp, prf, ecb, p, 3);
    EVP_CIPHER_CTX_free(prf);
    EVP_CIPHER_free(ecb);
  }
  if (r) {
    rtg_srtp_destroy(s);
    return r;
  }
  *out = s;
  return 0;
}

void rtg_srtp_destroy(struct rtg_srtp *s) {
  struct rtg_ctx ctx;
  if (s == NULL) return;
  ctx = s->ctx;
  keyset_free(&s->rtp);
  keyset_free(&s->rtcp);
  rtg_free(&ctx, s->streams);
  rtg_free(&ctx, s->bitmaps);
  OPENSSL_cleanse(s, sizeof *s);
  rtg_free(&ctx, s);
}

uint64_t rtg_srtp_last_index(const struct rtg_srtp *s) { return s->last_index; }

const char *rtg_srtp_fast_path(const struct rtg_srtp *s) { return s->fast ? s->fast->name : NULL; }

/* ------------------------------------------------------------------------ */
/* Streams and replay windows                                               */
/* ------------------------------------------------------------------------ */

static struct stream *stream_find(struct rtg_srtp *s, uint32_t ssrc) {
  if (s->nstreams && s->streams[s->last].ssrc == ssrc) return &s->streams[s->last];
  for (size_t i = 0; i < s->nstreams; i++)
    if (s->streams[i].ssrc == ssrc) {
      s->last = i;
      return &s->streams[i];
    }
  return NULL;
}

static struct stream *stream_new(struct rtg_srtp *s, uint32_t ssrc) {
  struct stream *st;
  uint64_t *a, *b;
  if (s->nstreams == s->cap_streams && streams_grow(s)) return NULL;
  st = &s->streams[s->nstreams];
  a = st->rtp.bits;
  b = st->rtcp.bits;
  memset(st, 0, sizeof *st);
  st->rtp.bits = a;
  st->rtp.size = s->window;
  st->rtcp.bits = b;
  st->rtcp.size = s->rtcp_window;
  memset(a, 0, s->window / 8);
  memset(b, 0, s->rtcp_window / 8);
  st->ssrc = ssrc;
  st->used = true;
  s->last = s->nstreams++;
  return st;
}

int rtg_srtp_stream_add(struct rtg_srtp *s, uint32_t ssrc) {
  if (stream_find(s, ssrc)) return 0;
  return stream_new(s, ssrc) ? 0 : RTG_ERR_NOMEM;
}

int rtg_srtp_stream_remove(struct rtg_srtp *s, uint32_t ssrc) {
  struct stream *st = stream_find(s, ssrc), tmp;
  struct stream *lastst;
  if (st == NULL) return RTG_ERR_NOTFOUND;
  /* Swap with the last slot so the table stays dense; each slot's bitmap
   * memory travels with its struct, so swapping whole structs keeps every
   * bitmap owned by exactly one slot. */
  lastst = &s->streams[s->nstreams - 1];
  tmp = *st;
  *st = *lastst;
  *lastst = tmp;
  lastst->used = false;
  s->nstreams--;
  s->last = 0;
  return 0;
}

int rtg_srtp_set_srtcp_index(struct rtg_srtp *s, uint32_t ssrc, uint32_t index) {
  struct stream *st = stream_find(s, ssrc);
  if (index > 0x7fffffffu) return RTG_ERR_INVAL;
  if (st == NULL && (st = stream_new(s, ssrc)) == NULL) return RTG_ERR_NOMEM;
  st->rtcp_tx_index = index;
  return 0;
}

int rtg_srtp_stream_set_roc(struct rtg_srtp *s, uint32_t ssrc, uint32_t roc) {
  struct stream *st = stream_find(s, ssrc);
  if (st == NULL && (st = stream_new(s, ssrc)) == NULL) return RTG_ERR_NOMEM;
  st->tx_roc = roc;
  st->rx_roc = roc;
  return 0;
}

/* 0 when |idx| may be accepted, RTG_ERR_REPLAY when seen or too old. */
static int replay_check(const struct replay *w, uint64_t idx) {
  if (!w->any || idx > w->top) return 0;
  if (w->top - idx >= w->size) return RTG_ERR_REPLAY;
  if (w->bits[(idx % w->size) / 64] >> (idx % 64) & 1) return RTG_ERR_REPLAY;
  return 0;
}

static void replay_add(struct replay *w, uint64_t idx) {
  if (!w->any) {
    memset(w->bits, 0, w->size / 8);
    w->top = idx;
    w->any = true;
  } else if (idx > w->top) {
    uint64_t d = idx - w->top;
    if (d >= w->size) {
      memset(w->bits, 0, w->size / 8);
    } else {
      for (uint64_t i = w->top + 1; i < idx; i++)
        w->bits[(i % w->size) / 64] &= ~(1ull << (i % 64));
    }
    w->top = idx;
  }
  w->bits[(idx % w->size) / 64] |= 1ull << (idx % 64);
}

/* RFC 3711 §3.3.1 / Appendix A: the index of |seq| relative to the highest
 * seen (s_l, with rollover counter |roc|). There is no ROC below 0: while
 * the ROC is 0 a packet that would belong to ROC -1 is taken as ROC 0 (a
 * jump ahead), as libsrtp2 does. */
static uint64_t estimate_index(uint32_t roc, uint16_t s_l, uint16_t seq) {
  uint64_t v = roc;
  if (s_l < 32768) {
    if (seq > s_l && seq - s_l > 32768 && roc > 0) v = (uint64_t)roc - 1;
  } else if (s_l - 32768 > seq) {
    v = (uint64_t)roc + 1;
  }
  return (v << 16) | seq;
}

/* ------------------------------------------------------------------------ */
/* Packet helpers                                                           */
/* ------------------------------------------------------------------------ */

/* Length of the RTP header (fixed part, CSRCs, extension) in |p|, or a
 * negative error. */
static ptrdiff_t rtp_header_len(const uint8_t *p, size_t len) {
  size_t h;
  if (len < 12 || (p[0] >> 6) != 2) return RTG_ERR_PARSE;
  h = 12 + 4u * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (len < h + 4) return RTG_ERR_PARSE;
    h += 4 + 4u * rtg_load_u16(p + h + 2);
  }
  if (h > len) return RTG_ERR_PARSE;
  return (ptrdiff_t)h;
}

/* AES-CM IV (RFC 3711 §4.1.1): salt*2^16 XOR SSRC*2^64 XOR index*2^16. */
static void cm_iv(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t index) {
  memcpy(iv, salt, 14);
  iv[14] = iv[15] = 0;
  iv[4] ^= (uint8_t)(ssrc >> 24);
  iv[5] ^= (uint8_t)(ssrc >> 16);
  iv[6] ^= (uint8_t)(ssrc >> 8);
  iv[7] ^= (uint8_t)ssrc;
  for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

/* GCM IV (RFC 7714 §8.1 / §9.1): 00 00 || SSRC || ROC || SEQ (SRTP) or
 * 00 00 || SSRC || 00 00 || 0 || index (SRTCP), XOR the 12-byte salt. */
static void gcm_iv(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint64_t index48) {
  uint8_t b[12] = {0};
  rtg_store_u32(b + 2, ssrc);
  rtg_store_u32(b + 6, (uint32_t)(index48 >> 16));
  rtg_store_u16(b + 10, (uint16_t)index48);
  for (int i = 0; i < 12; i++) iv[i] = b[i] ^ salt[i];
}

/* The SHA-1 state words as the 20-byte digest (FIPS 180-4 §6.1.2). */
static void sha1_digest(const SHA_CTX *c, uint8_t out[20]) {
  rtg_store_u32(out, c->h0);
  rtg_store_u32(out + 4, c->h1);
  rtg_store_u32(out + 8, c->h2);
  rtg_store_u32(out + 12, c->h3);
  rtg_store_u32(out + 16, c->h4);
}

/* HMAC-SHA1 (RFC 2104) over |a| (|an| bytes) then |b| (|bn| <= 8 bytes:
 * the ROC), from the ipad/opad states absorbed once per session. The whole
 * blocks of |a| go to SHA1_Update straight from the packet; the last block
 * or two (the rest of |a|, |b|, the FIPS 180-4 §5.1.1 padding and the
 * length) and the single outer block are laid out here and compressed as
 * whole blocks, so no SHA1_Final (its buffer copy, memset and cleanse) runs
 * per packet. The inner message is 64 (ipad) + |an| + |bn| bytes. */
static int mac2(struct keyset *k, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                uint8_t out[20]) {
  SHA_CTX c = k->mac_inner;
  uint8_t tail[128];
  size_t whole = an & ~(size_t)63, rest = an - whole, tl;
  uint64_t bits = (uint64_t)(64 + an + bn) * 8;
  if (bn > 8) return RTG_ERR_INVAL;
  if (whole && SHA1_Update(&c, a, whole) != 1) return RTG_ERR_CRYPTO;
  memcpy(tail, a + whole, rest);
  if (bn) memcpy(tail + rest, b, bn);
  tl = rest + bn;
  tail[tl++] = 0x80;
  /* room for the 8-byte length in this block, or one more block */
  {
    size_t end = tl + 8 <= 64 ? 64 : 128;
    memset(tail + tl, 0, end - 8 - tl);
    rtg_store_u32(tail + end - 8, (uint32_t)(bits >> 32));
    rtg_store_u32(tail + end - 4, (uint32_t)bits);
    if (SHA1_Update(&c, tail, end) != 1) return RTG_ERR_CRYPTO;
  }
  sha1_digest(&c, tail);
  /* outer: opad state || inner digest (20) || padding || length 84 * 8 */
  c = k->mac_outer;
  memset(tail + 20, 0, 44);
  tail[20] = 0x80;
  rtg_store_u32(tail + 60, (64 + 20) * 8);
  if (SHA1_Update(&c, tail, 64) != 1) return RTG_ERR_CRYPTO;
  sha1_digest(&c, out);
  return 0;
}

/* AES-CM + HMAC-SHA1 (RFC 3711 §4.1.1, §4.2) of one packet: encrypts
 * p[off..len) in place, |tag| = HMAC(p[0..len) || sfx). */
static int cm_seal(const struct rtg_srtp *s, struct keyset *k, const uint8_t iv[16], uint8_t *p,
                   size_t off, size_t len, const uint8_t *sfx, size_t sn, uint8_t tag[20]) {
  int err;
  if (len - off > 16u * 0x10000u) return RTG_ERR_INVAL; /* beyond the 16-bit block counter */
  if (s->fast) {
    s->fast->seal(&k->fast, iv, p, off, len, sfx, sn, tag);
    return 0;
  }
  err = rtg_srtp_ecb_ctr(k->enc, iv, p + off, p + off, len - off);
  return err ? err : mac2(k, p, len, sfx, sn, tag);
}

/* The inverse: checks the |tag_len|-byte tag |want| against HMAC(in[0..len)
 * || sfx), then in[off..len) decrypted is out[off..len) (|out| == |in| or
 * disjoint). A fast path decrypts while it hashes: on a mismatch it puts
 * an in-place packet back as it was. returns 0 or one of: RTG_ERR_AUTH,
 * RTG_ERR_INVAL, RTG_ERR_CRYPTO. */
static int cm_open(const struct rtg_srtp *s, struct keyset *k, const uint8_t iv[16],
                   const uint8_t *in, uint8_t *out, size_t off, size_t len, const uint8_t *sfx,
                   size_t sn, const uint8_t *want, size_t tag_len) {
  uint8_t tag[20];
  int err;
  if (len - off > 16u * 0x10000u) return RTG_ERR_INVAL;
  if (s->fast) {
    s->fast->open(&k->fast, iv, in, out, off, len, sfx, sn, tag);
    if (rtg_memeq_ct(tag, want, tag_len) == 0) return 0;
    if (out == in) s->fast->ctr(&k->fast, iv, out + off, out + off, len - off);
    return RTG_ERR_AUTH;
  }
  err = mac2(k, in, len, sfx, sn, tag);
  if (err) return err;
  if (rtg_memeq_ct(tag, want, tag_len) != 0) return RTG_ERR_AUTH;
  return rtg_srtp_ecb_ctr(k->enc, iv, in + off, out + off, len - off);
}

static int gcm_seal(struct keyset *k, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *aad2, size_t aad2_len, uint8_t *p, size_t n, uint8_t *tag) {
  int outl;
  if (EVP_EncryptInit_ex(k->enc, NULL, NULL, NULL, iv) != 1 ||
      EVP_EncryptUpdate(k->enc, NULL, &outl, aad, (int)aad_len) != 1 ||
      (aad2_len && EVP_EncryptUpdate(k->enc, NULL, &outl, aad2, (int)aad2_len) != 1) ||
      (n && EVP_EncryptUpdate(k->enc, p, &outl, p, (int)n) != 1) ||
      EVP_EncryptFinal_ex(k->enc, p + n, &outl) != 1 ||
      EVP_CIPHER_CTX_ctrl(k->enc, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag) != 1)
    return RTG_ERR_CRYPTO;
  return 0;
}

static int gcm_open(struct keyset *k, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *p, size_t n,
                    const uint8_t *tag) {
  int outl;
  uint8_t t[GCM_TAG];
  memcpy(t, tag, GCM_TAG);
  if (EVP_DecryptInit_ex(k->dec, NULL, NULL, NULL, iv) != 1 ||
      EVP_DecryptUpdate(k->dec, NULL, &outl, aad, (int)aad_len) != 1 ||
      (aad2_len && EVP_DecryptUpdate(k->dec, NULL, &outl, aad2, (int)aad2_len) != 1) ||
      (n && EVP_DecryptUpdate(k->dec, p, &outl, in, (int)n) != 1) ||
      EVP_CIPHER_CTX_ctrl(k->dec, EVP_CTRL_GCM_SET_TAG, GCM_TAG, t) != 1)
    return RTG_ERR_CRYPTO;
  /* GCM's final step writes nothing; an authenticate-only SRTCP packet
   * (E = 0) has no plaintext buffer at all, and NULL + 0 is undefined. */
  if (EVP_DecryptFinal_ex(k->dec, n ? p + n : t, &outl) != 1) return RTG_ERR_AUTH;
  return 0;
}

static struct stream *stream_for(struct rtg_srtp *s, uint32_t ssrc, int *err) {
  struct stream *st = stream_find(s, ssrc);
  if (st) return st;
  if (s->fixed_ssrcs) {
    *err = RTG_ERR_NOTFOUND;
    return NULL;
  }
  st = stream_new(s, ssrc);
  if (st == NULL) *err = RTG_ERR_NOMEM;
  return st;
}

/* ------------------------------------------------------------------------ */
/* SRTP                                                                     */
/* ------------------------------------------------------------------------ */

ptrdiff_t rtg_srtp_protect(struct rtg_srtp *s, uint8_t *pkt, size_t len, size_t cap) {
  ptrdiff_t hl = rtp_header_len(pkt, len);
  struct stream *st;
  uint32_t ssrc;
  uint16_t seq;
  uint64_t index;
  size_t plen, out_len;
  int err = 0;
  if (hl < 0) return hl;
  if (len > INT32_MAX) return RTG_ERR_INVAL;
  out_len = len + s->mki_len + s->tag_len;
  if (cap < out_len) return RTG_ERR_NOBUF;
  ssrc = rtg_load_u32(pkt + 8);
  seq = rtg_load_u16(pkt + 2);
  st = stream_for(s, ssrc, &err);
  if (st == NULL) return err;
  if (!st->tx_started) {
    st->tx_started = true;
    st->tx_seq = seq;
    index = ((uint64_t)st->tx_roc << 16) | seq;
  } else {
    index = estimate_index(st->tx_roc, st->tx_seq, seq);
    if (index > (((uint64_t)st->tx_roc << 16) | st->tx_seq)) {
      st->tx_roc = (uint32_t)(index >> 16);
      st->tx_seq = seq;
    }
  }
  plen = len - (size_t)hl;
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtp.salt, ssrc, index);
    /* RFC 7714 §8.2: AAD = header; tag right after the ciphertext, MKI
     * after the tag (§7: the MKI is not authenticated). */
    err = gcm_seal(&s->rtp, iv, pkt, (size_t)hl, NULL, 0, pkt + hl, plen, pkt + len);
    if (err) return err;
    if (s->mki_len) memcpy(pkt + len + GCM_TAG, s->mki, s->mki_len);
  } else {
    uint8_t iv[16], roc[4], tag[20];
    cm_iv(iv, s->rtp.salt, ssrc, index);
    /* §4.2: M = authenticated portion || ROC */
    rtg_store_u32(roc, (uint32_t)(index >> 16));
    err = cm_seal(s, &s->rtp, iv, pkt, (size_t)hl, len, roc, 4, tag);
    if (err) return err;
    if (s->mki_len) memcpy(pkt + len, s->mki, s->mki_len);
    memcpy(pkt + len + s->mki_len, tag, s->tag_len);
  }
  s->last_index = index;
  return (ptrdiff_t)out_len;
}

ptrdiff_t rtg_srtp_unprotect_to(struct rtg_srtp *s, const uint8_t *pkt, size_t len, uint8_t *out,
                                size_t cap) {
  size_t trailer = s->mki_len + s->tag_len, body_len, plen;
  ptrdiff_t hl;
  struct stream *st, tmp;
  uint32_t ssrc;
  uint16_t seq;
  uint64_t index;
  int err;
  if (len < 12 + trailer || len > INT32_MAX) return RTG_ERR_PARSE;
  body_len = len - trailer;
  hl = rtp_header_len(pkt, body_len);
  if (hl < 0) return hl;
  if (cap < body_len) return RTG_ERR_NOBUF;
  ssrc = rtg_load_u32(pkt + 8);
  seq = rtg_load_u16(pkt + 2);
  if (s->mki_len) {
    /* AES-CM: MKI then tag; AEAD: tag then MKI. */
    const uint8_t *mki = pkt + body_len + (s->gcm ? GCM_TAG : 0);
    if (rtg_memeq_ct(mki, s->mki, s->mki_len) != 0) return RTG_ERR_NOTFOUND;
  }
  st = stream_find(s, ssrc);
  if (st == NULL) {
    if (s->fixed_ssrcs) return RTG_ERR_NOTFOUND;
    /* Not created before the packet authenticates (a forged packet must
     * not take a table slot). */
    if (s->nstreams == s->max_streams) return RTG_ERR_NOMEM;
    memset(&tmp, 0, sizeof tmp);
    st = &tmp;
  }
  if (!st->rx_started) {
    index = ((uint64_t)st->rx_roc << 16) | seq;
  } else {
    index = estimate_index(st->rx_roc, st->rx_seq, seq);
    if (st->rtp.bits && replay_check(&st->rtp, index)) return RTG_ERR_REPLAY;
  }
  plen = body_len - (size_t)hl;
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtp.salt, ssrc, index);
    /* the header (AAD) is read from |pkt| before |out| is written */
    err = gcm_open(&s->rtp, iv, pkt, (size_t)hl, NULL, 0, pkt + hl, out + hl, plen, pkt + body_len);
    if (err) return err;
    if (out != pkt) memcpy(out, pkt, (size_t)hl);
  } else {
    uint8_t iv[16], roc[4];
    rtg_store_u32(roc, (uint32_t)(index >> 16));
    cm_iv(iv, s->rtp.salt, ssrc, index);
    err = cm_open(s, &s->rtp, iv, pkt, out, (size_t)hl, body_len, roc, 4,
                  pkt + body_len + s->mki_len, s->tag_len);
    if (err) return err;
    if (out != pkt) memcpy(out, pkt, (size_t)hl);
  }
  if (st == &tmp) {
    st = stream_new(s, ssrc);
    if (st == NULL) return RTG_ERR_NOMEM;
    st->rx_roc = tmp.rx_roc;
  }
  if (!st->rx_started || index > (((uint64_t)st->rx_roc << 16) | st->rx_seq)) {
    st->rx_roc = (uint32_t)(index >> 16);
    st->rx_seq = seq;
  }
  st->rx_started = true;
  replay_add(&st->rtp, index);
  s->last_index = index;
  return (ptrdiff_t)body_len;
}

ptrdiff_t rtg_srtp_unprotect(struct rtg_srtp *s, uint8_t *pkt, size_t len) {
  return rtg_srtp_unprotect_to(s, pkt, len, pkt, len);
}

/* ------------------------------------------------------------------------ */
/* SRTCP                                                                    */
/* ------------------------------------------------------------------------ */

ptrdiff_t rtg_srtcp_protect(struct rtg_srtp *s, uint8_t *pkt, size_t len, size_t cap) {
  size_t tag_len = rtg_srtp_profile_tag_len(s->profile, true);
  size_t out_len = len + 4 + s->mki_len + tag_len;
  struct stream *st;
  uint32_t ssrc, index, ei;
  uint8_t eib[4];
  int err = 0;
  if (len < 8 || (pkt[0] >> 6) != 2 || len > INT32_MAX) return RTG_ERR_PARSE;
  if (cap < out_len) return RTG_ERR_NOBUF;
  ssrc = rtg_load_u32(pkt + 4);
  st = stream_for(s, ssrc, &err);
  if (st == NULL) return err;
  /* §3.4: the index starts at 0 and must not wrap (re-key before 2^31). */
  if (st->rtcp_tx_index > 0x7fffffffu) return RTG_ERR_STATE;
  index = st->rtcp_tx_index++;
  ei = SRTCP_E | index;
  rtg_store_u32(eib, ei);
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtcp.salt, ssrc, index);
    /* RFC 7714 §9.2: AAD = first 8 octets || E|index; tag after the
     * ciphertext, then E|index, then the MKI. */
    err = gcm_seal(&s->rtcp, iv, pkt, 8, eib, 4, pkt + 8, len - 8, pkt + len);
    if (err) return err;
    memcpy(pkt + len + GCM_TAG, eib, 4);
    if (s->mki_len) memcpy(pkt + len + GCM_TAG + 4, s->mki, s->mki_len);
  } else {
    uint8_t iv[16], tag[20];
    cm_iv(iv, s->rtcp.salt, ssrc, index);
    err = cm_seal(s, &s->rtcp, iv, pkt, 8, len, eib, 4, tag);
    if (err) return err;
    memcpy(pkt + len, eib, 4);
    if (s->mki_len) memcpy(pkt + len + 4, s->mki, s->mki_len);
    memcpy(pkt + len + 4 + s->mki_len, tag, tag_len);
  }
  s->last_index = index;
  return (ptrdiff_t)out_len;
}

ptrdiff_t rtg_srtcp_unprotect(struct rtg_srtp *s, uint8_t *pkt, size_t len) {
  size_t tag_len = rtg_srtp_profile_tag_len(s->profile, true);
  size_t trailer = 4 + s->mki_len + tag_len, body_len;
  struct stream *st;
  uint32_t ssrc, ei, index;
  const uint8_t *eib, *mki;
  int err;
  if (len < 8 + trailer || len > INT32_MAX || (pkt[0] >> 6) != 2) return RTG_ERR_PARSE;
  body_len = len - trailer;
  ssrc = rtg_load_u32(pkt + 4);
  if (s->gcm) {
    eib = pkt + body_len + GCM_TAG;
    mki = eib + 4;
  } else {
    eib = pkt + body_len;
    mki = eib + 4;
  }
  if (s->mki_len && rtg_memeq_ct(mki, s->mki, s->mki_len) != 0) return RTG_ERR_NOTFOUND;
  ei = rtg_load_u32(eib);
  index = ei & 0x7fffffffu;
  st = stream_find(s, ssrc);
  if (st == NULL && s->fixed_ssrcs) return RTG_ERR_NOTFOUND;
  if (st == NULL && s->nstreams == s->max_streams) return RTG_ERR_NOMEM;
  if (st && replay_check(&st->rtcp, index)) return RTG_ERR_REPLAY;
  if (s->gcm) {
    uint8_t iv[12];
    uint8_t e4[4];
    memcpy(e4, eib, 4);
    gcm_iv(iv, s->rtcp.salt, ssrc, index);
    if (ei & SRTCP_E) {
      err = gcm_open(&s->rtcp, iv, pkt, 8, e4, 4, pkt + 8, pkt + 8, body_len - 8, pkt + body_len);
    } else {
      /* §9.3: unencrypted SRTCP: everything before the tag is AAD. */
      err = gcm_open(&s->rtcp, iv, pkt, body_len, e4, 4, NULL, NULL, 0, pkt + body_len);
    }
    if (err) return err;
  } else {
    uint8_t iv[16];
    /* E = 0: authenticated only, nothing to decrypt */
    cm_iv(iv, s->rtcp.salt, ssrc, index);
    err = cm_open(s, &s->rtcp, iv, pkt, pkt, (ei & SRTCP_E) ? 8 : body_len, body_len, eib, 4,
                  pkt + body_len + 4 + s->mki_len, tag_len);
    if (err) return err;
  }
  if (st == NULL) {
    st = stream_new(s, ssrc);
    if (st == NULL) return RTG_ERR_NOMEM;
  }
  replay_add(&st->rtcp, index);
  s->last_index = index;
  return (ptrdiff_t)body_len;
}
