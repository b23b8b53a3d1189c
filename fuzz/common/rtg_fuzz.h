/*
 * rtg_fuzz.h - helpers shared by the fuzz targets in fuzz/: a custom mutator
 * that repairs checksums, MACs and lengths after libFuzzer's own mutation,
 * so that mutated inputs get past integrity checks and reach the code behind
 * them.
 *
 * Use in a target:
 *
 *   #include "rtg_fuzz.h"
 *   RTG_FUZZ_FIXUP_MUTATOR(rtg_fuzz_fix_stun)
 *
 * defines LLVMFuzzerCustomMutator as LLVMFuzzerMutate followed by the
 * fix-up. A target needing its own keys (SRTP tags, DTLS records) writes a
 * function with the same signature in its own file and passes it instead.
 *
 * A target includes this header for the libFuzzer prototypes and CHECK
 * (its invariants); rtg_fuzz_keylogs.h has the key logs of the recorded
 * browser sessions.
 *
 * Everything here uses rtg_core only (fuzz/common cannot link the protocol
 * modules). Under the standalone gcc driver (fuzz/driver/standalone.c) a weak
 * LLVMFuzzerMutate exists so such targets still link; libFuzzer provides the
 * real one.
 */
#ifndef RTG_FUZZ_H
#define RTG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The short-term credential (RFC 8489 §9.1) the STUN fix-up keys
 * MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 with. A STUN target that
 * verifies integrity must use the same password to get past the check. */
#define RTG_FUZZ_STUN_PASSWORD "rtcgate-fuzz-password"

/* libFuzzer's entry points (declared here for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* CHECK(c): an invariant of the code under test; when |c| does not hold
 * the target aborts, which the fuzzer reports as a finding. */
#define CHECK(c)       \
  do {                 \
    if (!(c)) abort(); \
  } while (0)

/* A command stream read byte by byte: rtg_fuzz_take gives the next byte,
 * or 0 once the input is used up, so a harness never has to stop midway.
 *   struct rtg_fuzz_in in = {data, size};
 *   switch (rtg_fuzz_take(&in) % 8) ... */
struct rtg_fuzz_in {
  const uint8_t *p;
  size_t n;
};

static inline uint8_t rtg_fuzz_take(struct rtg_fuzz_in *in) {
  uint8_t v;
  if (in->n == 0) return 0;
  v = *in->p++;
  in->n--;
  return v;
}

/* A fix-up repairs |data| (|size| bytes, room for |max_size|) in place and
 * returns the new size (<= max_size). It never fails: input it cannot make
 * sense of is returned unchanged (or truncated, see each function). */
typedef size_t (*rtg_fuzz_fixup_fn)(uint8_t *data, size_t size, size_t max_size);

/* RTG_FUZZ_FIXUP_MUTATOR(fix) defines LLVMFuzzerCustomMutator: libFuzzer's
 * default mutation, then |fix|. */
#define RTG_FUZZ_FIXUP_MUTATOR(fix)                                                                \
  size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) { \
    (void)seed;                                                                                    \
    return (fix)(data, LLVMFuzzerMutate(data, size, max_size), max_size);                          \
  }

/* rtg_fuzz_fix_stun repairs a STUN message (RFC 8489 §5, §14.5, §14.6, §14.7):
 * - the message is cut to 20 + a multiple of 4 bytes (at most 20 + 0xfffc)
 *   and the header length set to cover it;
 * - the attributes are walked (type, length, value padded to 4); for each
 *   MESSAGE-INTEGRITY (0x0008, length 20) the HMAC-SHA1 over the message up
 *   to that attribute, with the header length temporarily pointing at its
 *   end, is written, keyed with RTG_FUZZ_STUN_PASSWORD; the same for
 *   MESSAGE-INTEGRITY-SHA256 (0x001C, length 16..32, multiple of 4) with
 *   HMAC-SHA256 truncated to the attribute length; for FINGERPRINT (0x8028,
 *   length 4) CRC-32 of the message up to it XOR 0x5354554e;
 * - the walk stops at an attribute that overruns the message; attributes
 *   with unexpected lengths are left alone (they exercise the error paths).
 * Inputs shorter than 20 bytes are returned unchanged. The magic cookie and
 * the type are not touched. */
size_t rtg_fuzz_fix_stun(uint8_t *data, size_t size, size_t max_size);

/* rtg_fuzz_fix_stun_key is rtg_fuzz_fix_stun with an explicit HMAC key
 * (short-term: the password; long-term: MD5(username:realm:password)). */
size_t rtg_fuzz_fix_stun_key(uint8_t *data, size_t size, size_t max_size, const void *key,
                             size_t key_len);

/* rtg_fuzz_fix_sctp recomputes the SCTP common-header checksum (RFC 9260
 * §6.8, Appendix A): CRC-32c over the whole packet with bytes 8..11 zeroed,
 * stored least significant byte first (the RFC 3720 §B.4 vector: 32 zero
 * bytes give 0x8a9136aa, on the wire aa 36 91 8a). Packets shorter than the
 * 12-byte common header are returned unchanged. */
size_t rtg_fuzz_fix_sctp(uint8_t *data, size_t size, size_t max_size);

#ifdef __cplusplus
}
#endif
#endif /* RTG_FUZZ_H */
