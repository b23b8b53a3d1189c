/*
 * sctp_packet - the SCTP packet codec on arbitrary bytes (checksum ignored,
 * so the fuzzer reaches the chunks): parse, walk every chunk, parameter and
 * RE-CONFIG parameter, and check that DATA / I-DATA / SACK chunks encode
 * back to exactly the bytes they were decoded from.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/sctp.h"
#include "rtg_fuzz.h"

static void walk_tlvs(const struct rtg_sctp_chunk_info *in, const uint8_t *base) {
  struct rtg_rd rd;
  struct rtg_sctp_tlv t;
  if (in->tlvs.len == 0) return; /* p may be NULL */
  rd.p = in->tlvs.p;
  rd.end = in->tlvs.p + in->tlvs.len;
  rd.base = base;
  while (rtg_sctp_tlv_next(&rd, &t, "fuzz", NULL) == 1) {
    struct rtg_sctp_reconf r;
    CHECK(t.value.p >= in->tlvs.p && t.value.p + t.value.len <= in->tlvs.p + in->tlvs.len);
    if (rtg_sctp_reconf_decode(&t, &r, NULL) == 0 && r.nsids)
      CHECK(rtg_sctp_reconf_sid(&r, r.nsids - 1) <= 0xffff);
  }
}

/* Re-encodes |c| from its decoded form and compares with the input bytes. */
static void round_trip(const struct rtg_sctp_chunk *c, const struct rtg_sctp_chunk_info *in) {
  uint8_t buf[70000];
  struct rtg_wr wr;
  rtg_wr_init(&wr, buf, sizeof buf);
  switch (c->type) {
    case RTG_SCTP_DATA:
    case RTG_SCTP_I_DATA:
      if (c->flags & 0xf0) return; /* reserved flag bits are not kept */
      /* nor is I-DATA's reserved field (RFC 8260 §2.1) */
      if (c->type == RTG_SCTP_I_DATA && (c->value.p[6] | c->value.p[7])) return;
      CHECK(rtg_sctp_data_write(&wr, &in->u.data) == 0);
      break;
    case RTG_SCTP_SACK: {
      static uint16_t gaps[2 * 65536];
      static uint32_t dups[65536];
      const struct rtg_sctp_sack *s = &in->u.sack;
      if (c->flags) return;
      for (size_t i = 0; i < s->ngaps; i++)
        rtg_sctp_sack_gap(&s->gaps, i, &gaps[2 * i], &gaps[2 * i + 1]);
      for (size_t i = 0; i < s->ndups; i++) dups[i] = rtg_sctp_sack_dup(s, i);
      CHECK(rtg_sctp_sack_write(&wr, s->cum_tsn, s->a_rwnd, gaps, s->ngaps, dups, s->ndups) == 0);
      break;
    }
    default: return;
  }
  CHECK(rtg_wr_len(&wr) >= c->length);
  CHECK(memcmp(buf, c->value.p - 4, c->length) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk_iter it;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  struct rtg_perr perr;
  size_t n = 0;
  rtg_perr_clear(&perr);
  if (rtg_sctp_packet_parse(data, size, RTG_SCTP_PARSE_IGNORE_CHECKSUM, &pkt, &perr)) {
    CHECK(perr.field != NULL && perr.offset <= size);
    return 0;
  }
  rtg_sctp_chunk_iter_init(&it, data, &pkt);
  while (rtg_sctp_chunk_next(&it, &c, NULL) == 1) {
    CHECK(c.offset + c.length <= size);
    CHECK(rtg_sctp_chunk_decode(&c, &info, NULL) == 0); /* the parse checked it */
    walk_tlvs(&info, data);
    round_trip(&c, &info);
    n++;
  }
  CHECK(n == pkt.nchunks);
  return 0;
}
