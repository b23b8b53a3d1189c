/*
 * clock.c - the caller's clock for OpenSSL's DTLS timer.
 *
 * OpenSSL 3.0 keeps its DTLS retransmission timer as an absolute
 * gettimeofday() time and checks it against gettimeofday() again: on
 * DTLSv1_handle_timeout, DTLSv1_get_timeout and on every read that finds
 * no data (where an expired timer retransmits). It has no API to give it
 * another clock. A sans-IO endpoint must run on the caller's clock only
 * (DESIGN.md rule 1: handle_timeout(now) decides, never the wall clock), so
 * this file defines gettimeofday() for the program: while an endpoint is
 * inside a call into OpenSSL (rtg_dtls_clock_enter .. _leave, on this
 * thread) it returns the caller's |now| mapped onto a fixed origin;
 * otherwise it returns the real time of day (clock_gettime, which is not
 * affected). libssl imports gettimeofday through its PLT, so the program's
 * definition is the one it uses. The thread-local state is the one piece of
 * mutable global state in the stack; it holds a value only for the duration
 * of a call.
 */
#include <sys/time.h>
#include <time.h>

#include "clock.h"

/* 2020-09-13: any fixed origin works, OpenSSL only subtracts times. */
#define ORIGIN_S 1600000000LL

static _Thread_local int vclock_depth;
static _Thread_local rtg_time vclock_now;

void rtg_dtls_clock_enter(rtg_time now) {
  vclock_now = now < 0 ? 0 : now;
  vclock_depth++;
}

void rtg_dtls_clock_leave(void) {
  if (vclock_depth > 0) vclock_depth--;
}

int gettimeofday(struct timeval *__restrict tv, void *__restrict tz) {
  struct timespec ts;
  (void)tz;
  if (vclock_depth > 0) {
    tv->tv_sec = (time_t)(ORIGIN_S + vclock_now / RTG_SEC(1));
    tv->tv_usec = (suseconds_t)((vclock_now % RTG_SEC(1)) / RTG_US(1));
    return 0;
  }
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
  tv->tv_sec = ts.tv_sec;
  tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
  return 0;
}
