/*
 * probe_http.h - the small HTTP pieces the probes share, on libwebsockets:
 * a server that hands each complete request to a handler (the leak probe's
 * page and result sink, the MitM relay's POST /offer). The POST client
 * is lib/http_client.h.
 */
#ifndef RTG_PROBE_HTTP_H
#define RTG_PROBE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* A request: |post| with its |body| (|len| bytes, NUL-terminated) or a GET.
 * The handler sets |*status|, |*ctype| (static) and |*resp| (malloc'd, may
 * be NULL for an empty body); it may block (the server waits). */
typedef void (*rtg_probe_http_fn)(void *ud, bool post, const char *path, const char *body,
                                  size_t len, unsigned *status, const char **ctype, char **resp);

struct rtg_probe_http;

/* Serves HTTP/1.1 on |addr|:|port| (IPv4); NULL with |err| set. */
struct rtg_probe_http *rtg_probe_http_new(const char *addr, int port, size_t max_body,
                                          rtg_probe_http_fn fn, void *ud, char *err, size_t errcap);
/* Services the server for up to |ms| milliseconds. */
void rtg_probe_http_service(struct rtg_probe_http *h, int ms);
void rtg_probe_http_free(struct rtg_probe_http *h);

#endif
