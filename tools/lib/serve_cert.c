/*
 * serve_cert.c - the self-signed certificate `rtcgate serve` uses when no
 * --cert/--key is given: ECDSA P-256, SHA-256 signature, random serial,
 * subjectAltName for localhost and the bound address.
 */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/serve_server.h"

/* The PEM text of a memory BIO as a malloc'd string. */
static char *bio_string(BIO *b) {
  char *data = NULL, *out;
  long n = BIO_get_mem_data(b, &data);
  if (n <= 0) return NULL;
  out = malloc((size_t)n + 1);
  if (out == NULL) return NULL;
  memcpy(out, data, (size_t)n);
  out[n] = '\0';
  return out;
}

static int add_san(X509 *x, const char *ip) {
  char san[160];
  X509V3_CTX v3;
  X509_EXTENSION *ext;
  int ok;
  if (ip && *ip && strcmp(ip, "127.0.0.1") != 0 && strcmp(ip, "0.0.0.0") != 0)
    snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1,IP:%s", ip);
  else
    snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1");
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
  if (ext == NULL) return -1;
  ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? 0 : -1;
}

int rtg_serve_cert_generate(const char *ip, int days, char **cert_pem, char **key_pem, char *err,
                            size_t errcap) {
  EVP_PKEY *pkey = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  X509_NAME *name;
  BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
  unsigned char serial[16];
  BIGNUM *bn = NULL;
  int rc = -1;
  *cert_pem = *key_pem = NULL;
  if (pkey == NULL || x == NULL || cb == NULL || kb == NULL) goto out;
  if (RAND_bytes(serial, sizeof serial) != 1) goto out;
  serial[0] &= 0x7f; /* positive */
  bn = BN_bin2bn(serial, sizeof serial, NULL);
  if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL) goto out;
  if (X509_set_version(x, 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
      X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) == NULL ||
      X509_set_pubkey(x, pkey) != 1)
    goto out;
  name = X509_get_subject_name(x);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"rtcgate-serve",
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(x, name) != 1 || add_san(x, ip) != 0)
    goto out;
  if (X509_sign(x, pkey, EVP_sha256()) <= 0) goto out;
  if (PEM_write_bio_X509(cb, x) != 1 ||
      PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) != 1)
    goto out;
  *cert_pem = bio_string(cb);
  *key_pem = bio_string(kb);
  if (*cert_pem && *key_pem) rc = 0;
out:
  if (rc != 0) {
    free(*cert_pem);
    free(*key_pem);
    *cert_pem = *key_pem = NULL;
    snprintf(err, errcap, "cannot generate a self-signed certificate (OpenSSL)");
  }
  BN_free(bn);
  BIO_free(cb);
  BIO_free(kb);
  X509_free(x);
  EVP_PKEY_free(pkey);
  return rc;
}
