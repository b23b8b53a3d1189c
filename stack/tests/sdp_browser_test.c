/*
 * sdp_browser_test.c - offers made by rtg_jsep_offer are accepted by a real
 * browser: headless Chromium (Debian's `chromium`) loads a local page that
 * calls setRemoteDescription(offer) and createAnswer() and prints the
 * answer, which must then pass the RFC 8829 §5.3.1 / RFC 8843 checks with
 * our parser. No ICE runs (no setLocalDescription) and the browser is
 * started in a private network namespace (`unshare -rn`), so no traffic
 * leaves the process. Skipped (passing) without chromium or unshare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rtg/sdp.h"

static char dir[256];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/rtg-sdp-browser-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  char cmd[400];
  (void)state;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static const uint8_t fp[32] = {0x42, 0xcb, 0x86, 0x92, 0xe9, 0x02, 0xc0, 0x99, 0xea, 0x23, 0x5f,
                               0x5a, 0xc6, 0xe6, 0xba, 0x44, 0xbb, 0x17, 0x7f, 0xc2, 0x4c, 0x01,
                               0xd7, 0x35, 0x59, 0x52, 0x2a, 0x2d, 0x94, 0x64, 0x38, 0x0c};

static void make_offer(struct rtg_sdp *o, bool full, char *text, size_t cap) {
  static const char *const cands[] = {"candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host",
                                      NULL};
  static const char *const codecs[] = {"opus", "VP8", NULL};
  struct rtg_jsep_local l;
  ptrdiff_t n;
  memset(&l, 0, sizeof l);
  l.ice_ufrag = "rtgU";
  l.ice_pwd = "rtcgatepassword0123456789";
  l.fp_alg = RTG_HASH_SHA256;
  l.fp = fp;
  l.sess_id = 12345;
  l.sess_version = 1;
  l.audio = l.data = true;
  l.video = full;
  l.trickle = !full;
  l.candidates = full ? cands : NULL;
  l.codecs = full ? NULL : codecs;
  l.msid_stream = full ? "rtcgate" : NULL;
  assert_int_equal(rtg_jsep_offer(&l, o), 0);
  n = rtg_sdp_write(o, text, cap);
  assert_true(n > 0);
  assert_null(strchr(text, '<')); /* safe inside the page's text block */
}

/* Chromium's answer to our offer, checked like ours are checked. */
static void check_browser_answer(const struct rtg_sdp *offer, const char *text, size_t len) {
  struct rtg_sdp *a = calloc(1, sizeof *a);
  struct rtg_perr e;
  size_t gi = 0;
  struct rtg_sdp_group g;
  assert_non_null(a);
  if (rtg_sdp_parse(a, text, len, &e))
    fail_msg("browser answer rejected: line %u: %s: %s", rtg_sdp_line_at(text, len, e.offset),
             e.field, e.reason);
  assert_int_equal(a->nmedia, offer->nmedia);
  assert_int_equal(rtg_sdp_attr_find(a, -1, "group", &gi), 0);
  assert_int_equal(rtg_sdp_get_group(a, gi, &g), 0);
  assert_int_equal(g.nids, offer->nmedia); /* everything accepted, bundled */
  for (size_t m = 0; m < a->nmedia; m++) {
    struct rtg_sdp_mline am, om;
    size_t i = 0;
    assert_int_equal(rtg_sdp_get_mline(a, (int)m, &am), 0);
    assert_int_equal(rtg_sdp_get_mline(offer, (int)m, &om), 0);
    assert_int_equal(am.kind, om.kind);
    assert_string_equal(rtg_sdp_attr_get(a, (int)m, "mid", false),
                        rtg_sdp_attr_get(offer, (int)m, "mid", false));
    /* we offered actpass: the browser picks active (RFC 8842 §5.3) */
    assert_int_equal(rtg_sdp_attr_find(a, (int)m, "setup", &i), 0);
    assert_int_equal(rtg_sdp_get_setup(a, i), RTG_SDP_SETUP_ACTIVE);
    for (size_t k = 0; k < am.nfmt; k++) {
      bool found = false;
      for (size_t j = 0; j < om.nfmt; j++)
        found = found || (am.fmt[k].len == om.fmt[j].len &&
                          memcmp(am.fmt[k].p, om.fmt[j].p, om.fmt[j].len) == 0);
      assert_true(found);
    }
    if (am.kind == RTG_SDP_MEDIA_APPLICATION)
      assert_non_null(rtg_sdp_attr_get(a, (int)m, "sctp-port", false));
    else
      assert_non_null(rtg_sdp_attr_get(a, (int)m, "rtcp-mux", false));
  }
  free(a);
}

static void test_sdp_browser_chromium_accepts_offers(void **state) {
  static char o1[RTG_SDP_MAX_LEN], o2[RTG_SDP_MAX_LEN], out[1 << 18];
  struct rtg_sdp *off1 = calloc(1, sizeof *off1), *off2 = calloc(1, sizeof *off2);
  char page[512], cmd[2048];
  FILE *f;
  size_t n;
  (void)state;
  if (access("/usr/bin/chromium", X_OK) != 0 || system("unshare -rn true 2>/dev/null") != 0) {
    print_message("chromium or unprivileged 'unshare -rn' not available: skipping\n");
    free(off1);
    free(off2);
    skip();
  }
  make_offer(off1, true, o1, sizeof o1);
  make_offer(off2, false, o2, sizeof o2);
  snprintf(page, sizeof page, "%s/page.html", dir);
  f = fopen(page, "w");
  assert_non_null(f);
  fprintf(
      f,
      "<html><body><script type=text/plain id=o1>%s</script>"
      "<script type=text/plain id=o2>%s</script><pre id=r1>pending</pre><pre "
      "id=r2>pending</pre><script>\n"
      "async function answer(src, dst) {\n"
      "  const r = document.getElementById(dst);\n"
      "  try {\n"
      "    const sdp = document.getElementById(src).textContent.replace(/\\r?\\n/g, '\\r\\n');\n"
      "    const pc = new RTCPeerConnection();\n"
      "    await pc.setRemoteDescription({type: 'offer', sdp});\n"
      "    const a = await pc.createAnswer();\n"
      "    r.textContent = 'OK\\n' + a.sdp + 'END';\n"
      "    pc.close();\n"
      "  } catch (e) { r.textContent = 'ERROR ' + e + 'END'; }\n"
      "}\n"
      "answer('o1', 'r1').then(() => answer('o2', 'r2'));\n"
      "</script></body></html>\n",
      o1, o2);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "timeout 90 unshare -rn /usr/bin/chromium --headless --no-sandbox --disable-gpu "
           "--disable-quic --no-first-run --disable-background-networking "
           "--disable-component-update --disable-sync --user-data-dir='%s/profile' "
           "--virtual-time-budget=10000 --dump-dom 'file://%s' 2>/dev/null",
           dir, page);
  f = popen(cmd, "r");
  assert_non_null(f);
  n = fread(out, 1, sizeof out - 1, f);
  pclose(f);
  out[n] = 0;
  for (int k = 1; k <= 2; k++) {
    char tag[32];
    snprintf(tag, sizeof tag, "<pre id=\"r%d\">", k);
    char *s = strstr(out, tag);
    if (s == NULL) fail_msg("no result %d from chromium:\n%.2000s", k, out);
    s += strlen(tag);
    if (strncmp(s, "OK\n", 3) != 0) fail_msg("chromium refused offer %d: %.500s", k, s);
    s += 3;
    char *end = strstr(s, "END");
    assert_non_null(end);
    check_browser_answer(k == 1 ? off1 : off2, s, (size_t)(end - s));
  }
  free(off1);
  free(off2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_sdp_browser_chromium_accepts_offers, setup, teardown),
  };
  return cmocka_run_group_tests_name("sdp_browser", tests, NULL, NULL);
}
