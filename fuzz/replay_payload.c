/*
 * replay_payload - UDP payloads of one flow straight into the replay
 * engine's RFC 7983 demultiplexer and protocol checks (STUN/ICE, TURN
 * ChannelData and indications, DTLS records and handshake reassembly,
 * SRTP/SRTCP headers and stream statistics), without the capture layer.
 *
 * Input: records of [direction:1][length:2 big-endian][payload:length].
 */
#include <stdlib.h>
#include <string.h>

#include "engine/replay.h"
#include "rtg_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_replay_opts opts = {0};
  struct rtg_replay *r;
  struct rtg_net_addr a = {4, {10, 0, 0, 1}, 5000}, b = {4, {10, 0, 0, 2}, 6000};
  struct rtg_rd rd;
  int dir, f;
  json_t *doc;
  rtg_rules_defaults(&opts);
  r = malloc(sizeof *r);
  if (r == NULL || rtg_replay_init(r, &opts)) {
    free(r);
    return 0;
  }
  f = rtg_flow_lookup(r, &a, &b, RTG_NET_PROTO_UDP, -1, 0, &dir);
  rtg_rd_init(&rd, data, size);
  while (f >= 0 && !rtg_rd_empty(&rd)) {
    uint8_t d;
    uint16_t n;
    struct rtg_slice p;
    if (rtg_rd_u8(&rd, &d) || rtg_rd_u16(&rd, &n)) break;
    if (rtg_rd_bytes(&rd, n <= rtg_rd_left(&rd) ? n : rtg_rd_left(&rd), &p)) break;
    /* an exactly-sized copy so ASan sees any read past the payload */
    {
      uint8_t *copy = malloc(p.len ? p.len : 1);
      if (copy == NULL) break;
      if (p.len) memcpy(copy, p.p, p.len);
      r->cur_pkt++;
      r->cur_ts += 0.01;
      rtg_replay_payload(r, f, d & 1, copy, p.len);
      free(copy);
    }
  }
  rtg_replay_finish(r);
  doc = rtg_replay_json(r);
  json_decref(doc);
  rtg_replay_free(r);
  free(r);
  return 0;
}
