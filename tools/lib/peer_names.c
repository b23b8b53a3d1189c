/*
 * peer_names.c - `rtcgate peer --mdns`: host addresses hidden behind random
 * .local names (UUID v4, as browsers do) in the descriptions we send, and
 * answered by our mDNS responder.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/peer_session.h"

/* Index of the socket whose address is the text |a| (|len| bytes), or -1. */
static int host_index(const struct rtg_pio_net *n, const char *a, size_t len) {
  for (size_t i = 0; i < n->nsocks; i++) {
    char txt[64];
    rtg_pio_addr_format(&n->socks[i].local, false, txt, sizeof txt);
    if (strlen(txt) == len && memcmp(txt, a, len) == 0) return (int)i;
  }
  return -1;
}

static bool tok_is(const char *p, const size_t f[2], const char *word) {
  return f[1] - f[0] == strlen(word) && memcmp(p + f[0], word, f[1] - f[0]) == 0;
}

/* One line of a local description with --mdns: a host candidate's address
 * becomes its .local name, a host address in c= or in raddr becomes the
 * unspecified address (what browsers do). Appends to |out| at |*o| (the
 * caller gives room for the line plus 64 bytes per field). */
static void mdns_line(const struct rtg_pio_net *n, const char *p, size_t len, char *out,
                      size_t *o) {
  size_t f[12][2], nf = 0, i = 0, at = 0;
  bool cand = len > 12 && memcmp(p, "a=candidate:", 12) == 0;
  bool cline = len > 9 && memcmp(p, "c=IN IP", 7) == 0;
  while (i < len && nf < 12) { /* space-separated fields up to the line end */
    while (i < len && p[i] == ' ') i++;
    f[nf][0] = i;
    while (i < len && p[i] != ' ' && p[i] != '\r' && p[i] != '\n') i++;
    f[nf][1] = i;
    if (f[nf][1] > f[nf][0]) nf++;
    if (i < len && p[i] != ' ') break;
  }
  for (size_t k = 0; k < nf && (cand || cline); k++) {
    int h = host_index(n, p + f[k][0], f[k][1] - f[k][0]);
    const char *rep = NULL;
    if (h < 0) continue;
    if (cand && k == 4 && nf > 7 && tok_is(p, f[7], "host"))
      rep = n->mdns_name[h];
    else if ((cand && k > 0 && tok_is(p, f[k - 1], "raddr")) || (cline && k == 2))
      rep = n->socks[h].local.family == 1 ? "0.0.0.0" : "::";
    if (rep == NULL) continue;
    memcpy(out + *o, p + at, f[k][0] - at);
    *o += f[k][0] - at;
    memcpy(out + *o, rep, strlen(rep));
    *o += strlen(rep);
    at = f[k][1];
  }
  memcpy(out + *o, p + at, len - at);
  *o += len - at;
}

/* The local description |sdp| as sent with --mdns (malloc'd). */
char *rtg_pio_mdns_rewrite(const struct rtg_pio_net *n, const char *sdp) {
  size_t len = strlen(sdp), o = 0;
  char *out = malloc(len * 2 + 4096);
  const char *p = sdp;
  if (out == NULL) return NULL;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t l = eol ? (size_t)(eol - p) + 1 : strlen(p);
    mdns_line(n, p, l, out, &o);
    p += l;
  }
  out[o] = '\0';
  return out;
}

/* --mdns: one random name (a UUID v4, as browsers do) per host address,
 * answered by our responder for the whole run. */
int rtg_pio_publish_names(struct rtg_pio_net *n, char *err, size_t cap) {
  if (!n->mdns_open) {
    snprintf(err, cap, "--mdns: no mDNS socket");
    return -1;
  }
  for (size_t i = 0; i < n->nsocks; i++) {
    uint8_t u[16];
    char hex[33];
    if (rtg_random(&n->ctx, u, sizeof u) != 0 ||
        rtg_hex_encode(hex, sizeof hex, u, 16, 0, false) < 0)
      return -1;
    hex[12] = '4';              /* version 4 */
    hex[16] = "89ab"[u[8] & 3]; /* variant 10 */
    snprintf(n->mdns_name[i], sizeof n->mdns_name[i], "%.8s-%.4s-%.4s-%.4s-%.12s.local", hex,
             hex + 8, hex + 12, hex + 16, hex + 20);
    if (rtg_pio_mdns_publish(&n->mdns, n->mdns_name[i], &n->socks[i].local, err, cap) != 0)
      return -1;
  }
  return 0;
}
