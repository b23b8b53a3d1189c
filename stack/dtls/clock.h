/*
 * clock.h - the caller's clock for OpenSSL's DTLS timer (see clock.c).
 */
#ifndef RTG_DTLS_CLOCK_H
#define RTG_DTLS_CLOCK_H

#include "rtg/core.h"

/* Between enter and leave, OpenSSL's time of day on this thread is |now|
 * (the caller's clock). Calls nest. */
void rtg_dtls_clock_enter(rtg_time now);
void rtg_dtls_clock_leave(void);

#endif
