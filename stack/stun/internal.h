/* internal.h - helpers shared between the files of stack/stun/ (not API). */
#ifndef RTG_STUN_INTERNAL_H
#define RTG_STUN_INTERNAL_H

#include "rtg/stun.h"

/* HMAC-SHA1 (or -SHA256 when |sha256|) keyed by |cred| of raw[0..off) with
 * the header length field set to |hlen| (the MESSAGE-INTEGRITY length
 * fix-up, RFC 8489 §14.5); |out| gets 20 (32) bytes. */
int rtg_stun__mac_prefix(struct rtg_stun_cred *cred, bool sha256, const uint8_t *raw, size_t off,
                         uint16_t hlen, uint8_t *out);
/* FINGERPRINT value of raw[0..off) with the header length set to |hlen|. */
uint32_t rtg_stun__fp_prefix(const uint8_t *raw, size_t off, uint16_t hlen);

#endif
