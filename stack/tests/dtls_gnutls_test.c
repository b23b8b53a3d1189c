/*
 * dtls_gnutls_test.c - interop of the DTLS endpoint with a foreign stack,
 * GnuTLS (gnutls-bin), over UDP on 127.0.0.1 only, both roles:
 *
 *   our server <- gnutls-cli --udp   (client certificate, use_srtp)
 *   our client -> gnutls-serv --udp --echo (HelloVerifyRequest cookie)
 *
 * The peer certificate must match its fingerprint, application data must
 * cross, the SRTP profile must be agreed, and with gnutls-cli (which prints
 * its RFC 5764 keying material with --keymatexport) the exported keys must
 * equal ours. Everything is
 * bounded: 10 s per run, the helper processes are killed by pid.
 *
 * The I/O (sockets, processes, the clock) lives here in the test; the
 * endpoint stays sans-IO.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "rtg/dtls.h"
#include "test_util.h"

struct peer_files {
  char dir[64], cert[96], key[96], out[96];
  uint8_t fp[32]; /* sha-256 of the GnuTLS side's certificate */
};

static bool have(const char *prog) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
  return system(cmd) == 0;
}

/* A P-256 certificate + key in PEM for the GnuTLS process. */
static void make_peer_files(struct peer_files *pf) {
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  FILE *f;
  unsigned char *der = NULL;
  int n;
  snprintf(pf->dir, sizeof pf->dir, "/tmp/rtg-dtls-gnutls-XXXXXX");
  assert_non_null(mkdtemp(pf->dir));
  snprintf(pf->cert, sizeof pf->cert, "%s/cert.pem", pf->dir);
  snprintf(pf->key, sizeof pf->key, "%s/key.pem", pf->dir);
  snprintf(pf->out, sizeof pf->out, "%s/out.txt", pf->dir);
  assert_non_null(key);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             (const unsigned char *)"gnutls-peer", -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  ASN1_TIME_set_string(X509_getm_notBefore(x), "20200101000000Z");
  ASN1_TIME_set_string(X509_getm_notAfter(x), "20991231235959Z");
  X509_set_pubkey(x, key);
  assert_true(X509_sign(x, key, EVP_sha256()) > 0);
  f = fopen(pf->cert, "w");
  assert_non_null(f);
  PEM_write_X509(f, x);
  fclose(f);
  f = fopen(pf->key, "w");
  assert_non_null(f);
  PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
  fclose(f);
  n = i2d_X509(x, &der);
  assert_true(n > 0);
  assert_int_equal(rtg_hash(RTG_HASH_SHA256, der, (size_t)n, pf->fp), 0);
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(key);
}

static void remove_peer_files(const struct peer_files *pf) {
  unlink(pf->cert);
  unlink(pf->key);
  unlink(pf->out);
  rmdir(pf->dir);
}

/* Starts |argv| with stdout+stderr to |out| and stdin from a pipe whose
 * write end is returned in |*stdin_fd|. */
static pid_t spawn(char *const argv[], const char *out, int *stdin_fd) {
  int p[2];
  pid_t pid;
  assert_int_equal(pipe(p), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(p[0], 0);
    dup2(fd, 1);
    dup2(fd, 2);
    close(p[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(p[0]);
  *stdin_fd = p[1];
  return pid;
}

static void stop(pid_t pid, int stdin_fd) {
  int status;
  close(stdin_fd);
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
}

/* "Key material: HEX" from GnuTLS's output. */
static bool read_key_material(const char *out, uint8_t *km, size_t n) {
  char line[512];
  bool found = false;
  FILE *f = fopen(out, "r");
  if (f == NULL) return false;
  while (fgets(line, sizeof line, f)) {
    char *p = strstr(line, "Key material: ");
    if (p != NULL) {
      p += strlen("Key material: ");
      found = rtg_hex_decode(km, n, p, strlen(p), NULL) == (ptrdiff_t)n;
    }
  }
  fclose(f);
  return found;
}

static bool output_contains(const char *out, const char *text) {
  char buf[16384];
  size_t n;
  FILE *f = fopen(out, "r");
  if (f == NULL) return false;
  n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  return strstr(buf, text) != NULL;
}

struct run {
  int sock;
  struct sockaddr_in peer;
  bool have_peer;
  struct rtg_dtls_endpoint *ep;
  bool connected, failed;
  char data[512];
  size_t data_len;
};

static void flush(struct run *r) {
  uint8_t buf[1500];
  size_t len;
  while (r->have_peer && rtg_dtls_endpoint_poll_transmit(r->ep, buf, sizeof buf, &len) == 0)
    sendto(r->sock, buf, len, 0, (struct sockaddr *)&r->peer, sizeof r->peer);
}

static void events(struct run *r) {
  struct rtg_dtls_event ev;
  while (rtg_dtls_endpoint_poll_event(r->ep, &ev) == 0) {
    if (ev.type == RTG_DTLS_EV_CONNECTED) r->connected = true;
    if (ev.type == RTG_DTLS_EV_FAILED || ev.type == RTG_DTLS_EV_FINGERPRINT_MISMATCH) {
      print_message("endpoint: %s\n", ev.reason ? ev.reason : "failed");
      r->failed = true;
    }
    if (ev.type == RTG_DTLS_EV_DATA && r->data_len + ev.len < sizeof r->data) {
      memcpy(r->data + r->data_len, ev.data, ev.len);
      r->data_len += ev.len;
    }
  }
}

/* The I/O loop: until |done| or the time limit. */
static void loop(struct run *r, rtg_time limit, bool (*done)(const struct run *)) {
  while (!done(r) && !r->failed && tu_mono() < limit) {
    struct pollfd pfd = {r->sock, POLLIN, 0};
    rtg_time now = tu_mono(), t = rtg_dtls_endpoint_poll_timeout(r->ep);
    int ms = 50;
    if (t != RTG_TIME_NEVER && t > now && (t - now) / 1000000 < ms) ms = (int)((t - now) / 1000000);
    if (t != RTG_TIME_NEVER && t <= now) ms = 0;
    if (poll(&pfd, 1, ms) > 0) {
      uint8_t buf[2048];
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(r->sock, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
      if (n > 0) {
        if (!r->have_peer) {
          r->peer = from;
          r->have_peer = true;
        }
        assert_int_equal(rtg_dtls_endpoint_handle_datagram(r->ep, tu_mono(), buf, (size_t)n), 0);
      }
    }
    if (rtg_dtls_endpoint_poll_timeout(r->ep) <= tu_mono())
      assert_int_equal(rtg_dtls_endpoint_handle_timeout(r->ep, tu_mono()), 0);
    events(r);
    flush(r);
  }
}

static bool is_connected(const struct run *r) { return r->connected; }
static bool got_data(const struct run *r) { return r->data_len > 0; }

static void new_endpoint(struct run *r, struct rtg_ctx *ctx, struct rtg_dtls_cert *cert,
                         enum rtg_dtls_role role, const uint8_t fp[32]) {
  static const uint16_t profile = RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80;
  struct rtg_dtls_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.role = role;
  cfg.cert = cert;
  cfg.peer_fp_alg = RTG_HASH_SHA256;
  memcpy(cfg.peer_fp, fp, 32);
  cfg.srtp_profiles = &profile;
  cfg.n_srtp_profiles = 1;
  cfg.initial_rto = RTG_MS(200);
  assert_int_equal(rtg_dtls_endpoint_new(ctx, &cfg, tu_mono(), &r->ep), 0);
}

static void check_keys(const struct run *r, const char *out) {
  struct rtg_dtls_srtp_keys k;
  uint8_t theirs[60], ours[60];
  assert_int_equal(rtg_dtls_endpoint_srtp_keys(r->ep, &k), 0);
  assert_int_equal(k.profile, RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80);
  memcpy(ours, k.client_key, 16);
  memcpy(ours + 16, k.server_key, 16);
  memcpy(ours + 32, k.client_salt, 14);
  memcpy(ours + 46, k.server_salt, 14);
  assert_true(read_key_material(out, theirs, 60));
  assert_memory_equal(ours, theirs, 60);
}

/* Our endpoint as the DTLS server, gnutls-cli as the client. */
static void test_dtls_gnutls_our_server(void **state) {
  struct peer_files pf;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_dtls_cert *cert;
  struct run r;
  uint16_t port;
  char port_s[16];
  pid_t pid;
  int in_fd;
  (void)state;
  if (!have("gnutls-cli")) skip();
  memset(&r, 0, sizeof r);
  rtg_ctx_deterministic(&ctx, &prng, 5, NULL);
  make_peer_files(&pf);
  assert_int_equal(rtg_dtls_cert_generate(&ctx, &cert), 0);
  r.sock = tu_udp_socket(&port);
  snprintf(port_s, sizeof port_s, "%u", port);
  new_endpoint(&r, &ctx, cert, RTG_DTLS_ROLE_SERVER, pf.fp);
  {
    char *argv[] = {"gnutls-cli",
                    "--udp",
                    "--insecure",
                    "-p",
                    port_s,
                    "--x509certfile",
                    pf.cert,
                    "--x509keyfile",
                    pf.key,
                    "--srtp-profiles",
                    "SRTP_AES128_CM_HMAC_SHA1_80",
                    "--keymatexport",
                    RTG_DTLS_SRTP_LABEL,
                    "--keymatexportsize",
                    "60",
                    "127.0.0.1",
                    NULL};
    pid = spawn(argv, pf.out, &in_fd);
  }
  loop(&r, tu_mono() + RTG_SEC(10), is_connected);
  assert_true(r.connected);
  /* data both ways: we send, and gnutls-cli sends what it reads on stdin */
  assert_int_equal(rtg_dtls_endpoint_send(r.ep, (const uint8_t *)"hello gnutls\n", 13), 0);
  flush(&r);
  assert_int_equal(write(in_fd, "hello rtcgate\n", 14), 14);
  loop(&r, tu_mono() + RTG_SEC(5), got_data);
  assert_true(r.data_len >= 13 && memcmp(r.data, "hello rtcgate", 13) == 0);
  for (int i = 0; i < 40 && !output_contains(pf.out, "hello gnutls"); i++) usleep(50000);
  stop(pid, in_fd);
  assert_true(output_contains(pf.out, "hello gnutls"));
  check_keys(&r, pf.out);
  rtg_dtls_endpoint_free(r.ep);
  rtg_dtls_cert_free(cert);
  close(r.sock);
  remove_peer_files(&pf);
}

/* Our endpoint as the DTLS client, gnutls-serv (cookie exchange, echo) as
 * the server. */
static void test_dtls_gnutls_our_client(void **state) {
  struct peer_files pf;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_dtls_cert *cert;
  struct run r;
  uint16_t port;
  char port_s[16];
  pid_t pid;
  int in_fd, probe;
  (void)state;
  if (!have("gnutls-serv")) skip();
  memset(&r, 0, sizeof r);
  rtg_ctx_deterministic(&ctx, &prng, 6, NULL);
  make_peer_files(&pf);
  assert_int_equal(rtg_dtls_cert_generate(&ctx, &cert), 0);
  /* a free port for gnutls-serv */
  probe = tu_udp_socket(&port);
  close(probe);
  snprintf(port_s, sizeof port_s, "%u", port);
  {
    char *argv[] = {"gnutls-serv",
                    "--udp",
                    "--echo",
                    "-p",
                    port_s,
                    "--x509certfile",
                    pf.cert,
                    "--x509keyfile",
                    pf.key,
                    "--srtp-profiles",
                    "SRTP_AES128_CM_HMAC_SHA1_80",
                    NULL};
    pid = spawn(argv, pf.out, &in_fd);
  }
  for (int i = 0; i < 40 && !output_contains(pf.out, "listening"); i++) usleep(50000);
  r.sock = tu_udp_socket(&port);
  memset(&r.peer, 0, sizeof r.peer);
  r.peer.sin_family = AF_INET;
  r.peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  r.peer.sin_port = htons((uint16_t)atoi(port_s));
  r.have_peer = true;
  new_endpoint(&r, &ctx, cert, RTG_DTLS_ROLE_CLIENT, pf.fp);
  flush(&r);
  loop(&r, tu_mono() + RTG_SEC(10), is_connected);
  assert_true(r.connected);
  assert_int_equal(rtg_dtls_endpoint_send(r.ep, (const uint8_t *)"echo me", 7), 0);
  flush(&r);
  loop(&r, tu_mono() + RTG_SEC(5), got_data);
  assert_int_equal(r.data_len, 7);
  assert_memory_equal(r.data, "echo me", 7);
  assert_int_equal(rtg_dtls_endpoint_close(r.ep), 0);
  flush(&r);
  stop(pid, in_fd);
  /* gnutls-serv negotiated our profile; it cannot print its exporter output
   * (--keymatexport only acts in gnutls-cli), so key equality is checked in
   * the other role. */
  assert_true(output_contains(pf.out, "DTLS profile set to SRTP_AES128_CM_HMAC_SHA1_80"));
  {
    struct rtg_dtls_srtp_keys k;
    assert_int_equal(rtg_dtls_endpoint_srtp_keys(r.ep, &k), 0);
    assert_int_equal(k.profile, RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80);
  }
  rtg_dtls_endpoint_free(r.ep);
  rtg_dtls_cert_free(cert);
  close(r.sock);
  remove_peer_files(&pf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dtls_gnutls_our_server),
      cmocka_unit_test(test_dtls_gnutls_our_client),
  };
  signal(SIGPIPE, SIG_IGN);
  return cmocka_run_group_tests_name("dtls_gnutls", tests, NULL, NULL);
}
