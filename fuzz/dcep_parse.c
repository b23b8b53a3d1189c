/*
 * dcep_parse - DCEP (RFC 8832) messages: whatever parses must encode back
 * to exactly the input bytes (the format has no slack), and failures must
 * say where.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/sctp.h"
#include "rtg_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t buf[140000];
  struct rtg_dcep_msg m;
  struct rtg_perr perr;
  ptrdiff_t n;
  rtg_perr_clear(&perr);
  if (rtg_dcep_parse(data, size, &m, &perr)) {
    CHECK(perr.field != NULL && perr.offset <= size);
    return 0;
  }
  n = m.type == RTG_DCEP_OPEN ? rtg_dcep_open_write(buf, sizeof buf, &m.open)
                              : rtg_dcep_ack_write(buf, sizeof buf);
  CHECK(n == (ptrdiff_t)size);
  CHECK(memcmp(buf, data, size) == 0);
  return 0;
}
