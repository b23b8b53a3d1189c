/*
 * dtls_server - the OpenSSL-backed DTLS endpoint as a server fed client
 * flights from the input (same driver as fuzz/dtls_client.c: 2-byte length
 * + datagram chunks, length 0 = timer tick). The expected peer fingerprint
 * is fixed, so recorded client certificates fail the check: the target
 * covers ClientHello processing, the server flight, the client flight up
 * to certificate verification, and every malformed-input path.
 */
#define RTG_FUZZ_DTLS_ROLE RTG_DTLS_ROLE_SERVER
#include "dtls_client.c"
