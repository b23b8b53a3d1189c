/*
 * probe_flood.h - `rtcgate probe flood`: bounded STUN Binding floods at an
 * ICE endpoint (RFC 8445) and what they do to its session.
 *
 * Two ways to find the session:
 *   --offer-to URL  the probe is the remote end: it POSTs an offer (the
 *                   webrtc-echoes contract, as `rtcgate peer --offer-to`),
 *                   takes the answer's ICE credentials and host candidate,
 *                   gets the pair nominated (controlling, USE-CANDIDATE) and
 *                   keeps consent checks (RFC 7675) going on it during and
 *                   after the floods: consent holds when they keep being
 *                   answered, the session survives when it is still
 *                   answered after the floods;
 *   --target HOST:PORT --ufrag U --pwd P [--local-ufrag L]
 *                   an established session of someone else: the target's
 *                   ICE credentials (from its SDP); liveness is a valid
 *                   check from the probe before and after the floods.
 *
 * Floods, each from its own UDP socket (a new 5-tuple), at most --count
 * datagrams at --rate per second:
 *   unauthenticated  Binding requests without USERNAME/MESSAGE-INTEGRITY
 *   bad-integrity    the right USERNAME, MESSAGE-INTEGRITY with a wrong key
 *   valid-integrity  correct credentials (a peer-reflexive address to the
 *                    target)
 * For each: datagrams and bytes sent and received back, success answers,
 * and the amplification (bytes out of the target / bytes in).
 * Findings: any answer to bad integrity that is a success, amplification
 * above 1 for the unauthenticated or bad-integrity flood, above 2 for the
 * valid one (a triggered check per request is expected), consent not
 * holding, the session not surviving.
 */
#ifndef RTG_PROBE_FLOOD_H
#define RTG_PROBE_FLOOD_H

#include <jansson.h>
#include <stdbool.h>

struct rtg_probe_flood_opts {
  const char *offer_to; /* URL, or NULL with target mode */
  const char *target;   /* HOST:PORT (IPv4) */
  const char *ufrag, *pwd, *local_ufrag;
  int count; /* datagrams per flood (default 2000) */
  int rate;  /* per second (default 2000) */
  bool verbose;
};

/* Runs the floods; |*report| gets the JSON report. Returns the number of
 * findings, or -1 with |err| set (signaling failed, ICE did not connect,
 * target silent before any flood). */
int rtg_probe_flood_run(const struct rtg_probe_flood_opts *o, json_t **report, char *err,
                        size_t errcap);

#endif
