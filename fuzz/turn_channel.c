/*
 * turn_channel - rtg_turn_channel_parse on TURN ChannelData (RFC 8656
 * §12.4); every accepted message is rebuilt (with the padding it had) and
 * must give the same bytes, padding content aside.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/stun.h"
#include "rtg_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t buf[65600];
  struct rtg_turn_channel ch;
  struct rtg_perr e;
  ptrdiff_t n;
  enum rtg_stun_kind k = rtg_stun_classify(data, size);
  rtg_perr_clear(&e);
  if (rtg_turn_channel_parse(&ch, data, size, &e)) {
    CHECK(e.field != NULL && e.reason != NULL && e.offset <= size);
    return 0;
  }
  CHECK(k == RTG_STUN_KIND_CHANNEL);
  CHECK(ch.number >= 0x4000 && ch.number <= 0x4FFF && ch.padding < 4);
  CHECK(4 + ch.data.len + ch.padding == size && ch.data.p == data + 4);
  n = rtg_turn_channel_build(buf, sizeof buf, ch.number, ch.data.p, ch.data.len, ch.padding != 0);
  CHECK(n == (ptrdiff_t)size);
  CHECK(memcmp(buf, data, 4 + ch.data.len) == 0);
  return 0;
}
