/*
 * probe_mitm.h - `rtcgate probe mitm`: what tampered signaling gives an
 * attacker. The probe is a webrtc-echoes signaling relay (POST /offer on
 * --listen, forwarded to --forward-to) that does not pass the descriptions
 * through: it answers the offerer with a reference peer of its own (its
 * certificate, so its a=fingerprint) and offers the answerer another one,
 * terminating DTLS on both legs and relaying data-channel messages between
 * them (two rtg_peer objects, rtg/peer.h, over UDP on 127.0.0.1). Every
 * message crosses the probe in plaintext; the report shows a sample.
 *
 * Neither end can notice: each checks the certificate it sees against the
 * a=fingerprint it was given (RFC 8827 §6.5), and both match. The detection
 * is comparing fingerprints across the legs: the one the offerer sent with
 * the one the answerer received, and back. The report does that comparison
 * (what an out-of-band check or identity assertion, RFC 8827 §7, would do).
 *
 * The relay keeps each end's ICE credentials (leg B uses the offerer's,
 * leg A the answerer's), so the descriptions differ from the genuine ones
 * in a=fingerprint and candidates: `rtcgate replay` of the recorded
 * offerer leg (--capture) with the genuine SDPs (--sdp-dir: offer.sdp,
 * answer.sdp) reports dtls.fingerprint-mismatch, with the SDPs the offerer
 * actually got (answer.rewritten.sdp) nothing.
 *
 * Media sections are answered by the relay's own peer (not relayed).
 */
#ifndef RTG_PROBE_MITM_H
#define RTG_PROBE_MITM_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>

struct rtg_probe_mitm_opts {
  const char *listen_addr; /* IPv4 on 127.0.0.0/8 */
  int listen_port;
  const char *forward_to; /* http://127.x.x.x:PORT/offer */
  int sessions;           /* stop after this many (default 1) */
  int timeout_s;          /* per session and for the first offer (default 30) */
  const char *capture;    /* record the offerer's leg here (pcapng), or NULL */
  const char *sdp_dir;    /* write the genuine and rewritten SDPs here, or NULL */
  bool verbose;
};

/* Serves until |sessions| sessions ended (or the timeout, or |*stop|).
 * |*report| gets {"sessions": [...], "findings"}. Returns the number of
 * findings (sessions whose plaintext the relay read without either end
 * refusing) or -1 with |err| set (busy port...). */
int rtg_probe_mitm_run(const struct rtg_probe_mitm_opts *o, json_t **report,
                       volatile sig_atomic_t *stop, char *err, size_t errcap);

#endif
