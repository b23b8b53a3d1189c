/*
 * serve_server.h - the hardened signaling server behind `rtcgate serve`.
 *
 * HTTPS and WSS (RFC 6455) through libwebsockets with OpenSSL. Rooms hold one
 * offer and one answer (HTTP: POST/GET /rooms/ROOM/offer and
 * /rooms/ROOM/answer) and relay WebSocket messages between the two members
 * of /rooms/ROOM/ws. The defences, each counted in the statistics:
 *
 *   - an Origin allow-list (403 "origin_not_allowed");
 *   - a bearer token per room: "Authorization: Bearer T" or "?token=T"
 *     (browsers cannot set headers on a WebSocket) (401 "unauthorized");
 *     rooms without a token are refused (403 "unknown_room") unless open;
 *   - a token bucket of requests per client IP (429 "rate_limited" with
 *     Retry-After); WebSocket messages draw from the same bucket;
 *   - a cap of simultaneous connections per client IP and in total (the
 *     connection is closed at accept);
 *   - a maximum message size (413 "too_large" from Content-Length; a larger
 *     chunked body or WebSocket message closes the connection, 1009);
 *   - a header timeout (a request's head and body must arrive within it:
 *     slowloris) and an idle timeout (keep-alive and WebSocket);
 *   - bounded rooms, bounded per-member queues (a slow reader is dropped).
 *
 * libwebsockets does every byte of HTTP and WebSocket parsing; bodies are
 * JSON read with jansson. Errors are JSON: {"error":KIND,"status":N,
 * "detail":TEXT}.
 */
#ifndef RTG_SERVE_SERVER_H
#define RTG_SERVE_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTG_SERVE_MAX_ORIGINS 16
#define RTG_SERVE_MAX_TOKENS 64

struct rtg_serve_token {
  char room[65];
  char token[129];
};

struct rtg_serve_opts {
  char addr[64]; /* bind address, "127.0.0.1" by default */
  int port;      /* 8443 by default */
  bool tls;      /* false only with --no-tls */
  /* PEM certificate and key (in memory), both set or both NULL */
  const char *cert_pem, *key_pem;
  size_t cert_len, key_len;
  const char *origins[RTG_SERVE_MAX_ORIGINS];
  int norigins;
  struct rtg_serve_token tokens[RTG_SERVE_MAX_TOKENS];
  int ntokens;
  bool open_rooms;     /* rooms without a token are allowed */
  double rate;         /* requests per second per IP */
  double burst;        /* bucket size */
  int max_conns_ip;    /* simultaneous connections per IP */
  int max_conns;       /* simultaneous connections in total */
  size_t max_message;  /* bytes of an HTTP body or WebSocket message */
  long long header_ms; /* request head and body must arrive within this */
  long long idle_ms;   /* keep-alive and WebSocket idle limit */
  int max_rooms;
  bool verbose;
};

/* Refusal and event counters (also in rtg_serve_stats_json). */
struct rtg_serve_stats {
  uint64_t conns_accepted, conns_refused_ip_cap, conns_refused_total_cap;
  uint64_t http_requests, http_ok;
  uint64_t http_400, http_401, http_403, http_404, http_405, http_409, http_413, http_429;
  uint64_t header_timeouts, idle_timeouts;
  uint64_t ws_accepted, ws_refused, ws_messages, ws_relayed, ws_oversize, ws_rate_limited,
      ws_bad_message, ws_slow_reader_dropped;
  uint64_t body_oversize_closed;
  int conns_now, conns_peak, rooms_now;
};

/* Fills |o| with the defaults described in the README. */
void rtg_serve_opts_init(struct rtg_serve_opts *o);

struct rtg_serve;

/* Creates the server and starts listening; NULL with |err| set (busy port,
 * bad certificate...). The options' strings must outlive the server. */
struct rtg_serve *rtg_serve_new(const struct rtg_serve_opts *o, char *err, size_t errcap);
/* Services the server for up to |ms| milliseconds. */
void rtg_serve_service(struct rtg_serve *s, int ms);
const struct rtg_serve_stats *rtg_serve_get_stats(const struct rtg_serve *s);
json_t *rtg_serve_stats_json(const struct rtg_serve *s);
void rtg_serve_free(struct rtg_serve *s);

/* serve_cert.c: a self-signed ECDSA P-256 certificate for CN=rtcgate-serve
 * with subjectAltName DNS:localhost, IP:127.0.0.1 and IP:|ip| when given,
 * valid |days| days. Sets malloc'd PEM strings; 0 or -1 with |err| set. */
int rtg_serve_cert_generate(const char *ip, int days, char **cert_pem, char **key_pem, char *err,
                            size_t errcap);

#endif
