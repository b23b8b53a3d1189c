/*
 * http_client.h - the one HTTP client of the tools (libwebsockets): a POST
 * of a JSON body to an http:// URL, or a GET, blocking or on a thread of
 * its own.
 * Used for the webrtc-echoes signaling by `rtcgate peer --offer-to`, the
 * interop runner's relay to an echoes answerer and the flood and MitM
 * probes.
 */
#ifndef RTG_HTTP_CLIENT_H
#define RTG_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* Largest response body accepted. */
#define RTG_HTTP_MAX_RESPONSE (4u << 20)

/* POSTs |len| bytes of |body| (Content-Type: application/json) to |url|
 * (http://HOST[:PORT]/PATH) and waits at most |timeout_ms| for the whole
 * response: |*status| and a malloc'd, NUL-terminated |*resp| of |*rlen|
 * bytes (empty, not NULL, for an empty body). returns 0, or -1 with |err|
 * set: bad URL, connection refused, closed early, timeout, response too
 * large. */
int rtg_http_post(const char *url, const char *body, size_t len, int timeout_ms, unsigned *status,
                  char **resp, size_t *rlen, char *err, size_t cap);

/* A GET of |url|, as rtg_http_post otherwise. */
int rtg_http_get(const char *url, int timeout_ms, unsigned *status, char **resp, size_t *rlen,
                 char *err, size_t cap);

/* The same requests on a thread of their own, so that the caller keeps
 * serving its sockets meanwhile (an offerer answering ICE checks, the
 * runner serving the browser pages, trickled candidates). post/get copy
 * their arguments; NULL with |err| set. When the response or the error is
 * there, rtg_http_async_done says true, rtg_http_async_fd (an eventfd;
 * read it to clear) becomes readable and |notify|(|ud|) is called on the
 * request's thread (e.g. to wake an event loop; NULL for none). finish
 * joins the thread, returns what rtg_http_post would and frees the handle;
 * abandon leaves a request still running to end on its own (bounded by its
 * timeout, without notify) and to free itself. */
struct rtg_http_async;
struct rtg_http_async *rtg_http_async_post(const char *url, const char *body, size_t len,
                                           int timeout_ms, void (*notify)(void *ud), void *ud,
                                           char *err, size_t cap);
struct rtg_http_async *rtg_http_async_get(const char *url, int timeout_ms, void (*notify)(void *ud),
                                          void *ud, char *err, size_t cap);
int rtg_http_async_fd(const struct rtg_http_async *p);
bool rtg_http_async_done(struct rtg_http_async *p);
int rtg_http_async_finish(struct rtg_http_async *p, unsigned *status, char **resp, size_t *rlen,
                          char *err, size_t cap);
void rtg_http_async_abandon(struct rtg_http_async *p);

#endif
