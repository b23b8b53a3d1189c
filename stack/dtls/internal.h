/*
 * internal.h - functions shared between the files of stack/dtls/ that are
 * not part of the public API.
 */
#ifndef RTG_DTLS_INTERNAL_H
#define RTG_DTLS_INTERNAL_H

#include "rtg/dtls.h"

/* rtg_dtls12_unprotect / rtg_dtls13_unprotect with keyed-once cipher
 * contexts (|cache| NULL: none); the _typed DTLS 1.2 form stores the content
 * type (the real type of a tls12_cid record) in |*type|. The DTLS 1.3 form takes two: the record
 * cipher and the record number mask. Same returns as the public forms. */
ptrdiff_t rtg_dtls12_unprotect_cached(const struct rtg_dtls12_keys *k,
                                      const struct rtg_dtls_record *rec, uint8_t *out, size_t cap,
                                      struct rtg_perr *perr, struct rtg_dtls_cipher_cache *cache);
ptrdiff_t rtg_dtls12_unprotect_cached_typed(const struct rtg_dtls12_keys *k,
                                            const struct rtg_dtls_record *rec, uint8_t *out,
                                            size_t cap, uint8_t *type, struct rtg_perr *perr,
                                            struct rtg_dtls_cipher_cache *cache);
ptrdiff_t rtg_dtls13_unprotect_cached(struct rtg_dtls13_keys *k, const struct rtg_dtls_record *rec,
                                      uint8_t *out, size_t cap, uint8_t *type, uint64_t *seq,
                                      struct rtg_perr *perr, struct rtg_dtls_cipher_cache cache[2]);
void rtg_dtls_cipher_cache_free(struct rtg_dtls_cipher_cache *cache);

#endif
