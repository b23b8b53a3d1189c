/*
 * keylog.c - the NSS key log format (SSLKEYLOGFILE): one secret per line,
 *
 *   <LABEL> <client_random: 64 hex digits> <secret: hex>
 *
 * '#' starts a comment line. Browsers and OpenSSL write it; replay reads it
 * to decrypt captured DTLS; the endpoint writes it for its own sessions.
 */
#include <string.h>

#include "rtg/dtls.h"

#define REF "NSS key log format"

static const char *const label_names[] = {
    NULL,
    "CLIENT_RANDOM",
    "CLIENT_EARLY_TRAFFIC_SECRET",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
    "EARLY_EXPORTER_SECRET",
    "EXPORTER_SECRET",
};
#define N_LABELS (sizeof label_names / sizeof label_names[0])

const char *rtg_dtls_keylog_label_name(unsigned label) {
  return label < N_LABELS ? label_names[label] : NULL;
}

static unsigned label_from(const char *s, size_t n) {
  for (unsigned i = 1; i < N_LABELS; i++)
    if (strlen(label_names[i]) == n && memcmp(label_names[i], s, n) == 0) return i;
  return 0;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Next space-separated field in [*p, end). */
static size_t field(const char **p, const char *end, const char **start) {
  const char *q = *p;
  while (q < end && is_space(*q)) q++;
  *start = q;
  while (q < end && !is_space(*q)) q++;
  *p = q;
  return (size_t)(q - *start);
}

static int parse_line(struct rtg_dtls_keylog *kl, const char *base, const char *line,
                      const char *end, struct rtg_perr *perr) {
  const char *p = line, *f;
  size_t n = field(&p, end, &f);
  struct rtg_dtls_keylog_entry e;
  ptrdiff_t got;
  unsigned label;
  if (n == 0 || f[0] == '#') return RTG_OK;
  label = label_from(f, n);
  if (label == 0) return RTG_OK; /* a label this stack does not use */
  memset(&e, 0, sizeof e);
  e.label = (uint8_t)label;
  n = field(&p, end, &f);
  if (n != 64)
    return rtg_perr_set(perr, (size_t)(f - base), "keylog.client_random",
                        "client_random must be 64 hex digits", REF);
  got = rtg_hex_decode(e.client_random, 32, f, n, NULL);
  if (got != 32)
    return rtg_perr_set(perr, (size_t)(f - base), "keylog.client_random", "not hex", REF);
  n = field(&p, end, &f);
  if (n == 0 || n % 2 || n > 128)
    return rtg_perr_set(perr, (size_t)(f - base), "keylog.secret",
                        "secret must be 2..128 hex digits", REF);
  got = rtg_hex_decode(e.secret, sizeof e.secret, f, n, NULL);
  if (got < 0) return rtg_perr_set(perr, (size_t)(f - base), "keylog.secret", "not hex", REF);
  e.secret_len = (uint8_t)got;
  if (label == RTG_DTLS_KL_CLIENT_RANDOM && e.secret_len != 48)
    return rtg_perr_set(perr, (size_t)(f - base), "keylog.secret",
                        "CLIENT_RANDOM master secret must be 48 bytes", REF);
  n = field(&p, end, &f);
  if (n != 0) return rtg_perr_set(perr, (size_t)(f - base), "keylog.line", "trailing field", REF);
  for (size_t i = 0; i < kl->n; i++) {
    struct rtg_dtls_keylog_entry *o = &kl->e[i];
    if (o->label == e.label && memcmp(o->client_random, e.client_random, 32) == 0) {
      *o = e;
      return RTG_OK;
    }
  }
  if (kl->n == RTG_DTLS_KEYLOG_MAX) return RTG_ERR_NOBUF;
  kl->e[kl->n++] = e;
  return RTG_OK;
}

int rtg_dtls_keylog_parse(struct rtg_dtls_keylog *kl, const char *text, size_t len,
                          struct rtg_perr *perr) {
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    int rc;
    if (le > p && le[-1] == '\r') le--;
    rc = parse_line(kl, text, p, le, perr);
    if (rc) return rc;
    p = nl ? nl + 1 : end;
  }
  return RTG_OK;
}

const struct rtg_dtls_keylog_entry *rtg_dtls_keylog_find(const struct rtg_dtls_keylog *kl,
                                                         unsigned label,
                                                         const uint8_t client_random[32]) {
  for (size_t i = 0; i < kl->n; i++)
    if (kl->e[i].label == label && memcmp(kl->e[i].client_random, client_random, 32) == 0)
      return &kl->e[i];
  return NULL;
}

ptrdiff_t rtg_dtls_keylog_format(char *out, size_t cap, unsigned label,
                                 const uint8_t client_random[32], const uint8_t *secret,
                                 size_t secret_len) {
  const char *name = rtg_dtls_keylog_label_name(label);
  size_t n, need;
  if (name == NULL || secret_len == 0 || secret_len > 64) return RTG_ERR_INVAL;
  n = strlen(name);
  need = n + 1 + 64 + 1 + 2 * secret_len + 2;
  if (cap < need) return RTG_ERR_NOBUF;
  memcpy(out, name, n);
  out[n++] = ' ';
  if (rtg_hex_encode(out + n, cap - n, client_random, 32, 0, false) < 0) return RTG_ERR_NOBUF;
  n += 64;
  out[n++] = ' ';
  if (rtg_hex_encode(out + n, cap - n, secret, secret_len, 0, false) < 0) return RTG_ERR_NOBUF;
  n += 2 * secret_len;
  out[n++] = '\n';
  out[n] = '\0';
  return (ptrdiff_t)n;
}
