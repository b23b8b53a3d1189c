#!/bin/sh
# probe_mitm.sh RTCGATE SRCDIR - `rtcgate probe mitm` between two `rtcgate
# peer` processes on 127.0.0.1: the offerer's data-channel echo test must
# pass through the relay (neither end notices), the relay must report the
# messages it read in clear (exit 1) and the fingerprints it rewrote (the
# detection); with an unreachable answerer the offerer gets an error and
# the relay exits 2.
RTCGATE=${1:?rtcgate}
. "$(dirname "$0")/lib.sh"
need python3

"$RTCGATE" probe mitm --listen 127.0.0.1:1 >/dev/null 2>&1
[ $? -eq 2 ] && ok "missing --forward-to exits 2" || ko "missing --forward-to exits 2"
"$RTCGATE" probe mitm --listen 0.0.0.0:9 --forward-to http://127.0.0.1:9/offer >/dev/null 2>&1
[ $? -eq 2 ] && ok "listening outside 127.0.0.0/8 is refused" || ko "listening outside 127.0.0.0/8 is refused"

A=$(freeport)
M=$(freeport)
"$RTCGATE" peer --listen 127.0.0.1:$A --bind 127.0.0.1 --sessions 1 --timeout 20 2>"$T/answer.log" &
PIDS="$PIDS $!"
wait_for "$T/answer.log" 'listening on'
mkdir -p "$T/sdp"
"$RTCGATE" probe mitm --listen 127.0.0.1:$M --forward-to http://127.0.0.1:$A/offer --timeout 20 \
  --capture "$T/leg.pcapng" --sdp-dir "$T/sdp" --json "$T/mitm.json" 2>"$T/mitm.log" &
MP=$!
PIDS="$PIDS $MP"
wait_for "$T/mitm.log" 'relaying'
"$RTCGATE" peer --offer-to http://127.0.0.1:$M/offer --bind 127.0.0.1 --expect ice,dtls,datachannel \
  --timeout 15 >"$T/offer.log" 2>&1
rc=$?
cat "$T/offer.log"
[ $rc -eq 0 ] && ok "the offerer's echo test passes through the relay (nothing noticed)" ||
  ko "the offerer's echo test through the relay (rc $rc)"
wait $MP
rc=$?
cat "$T/mitm.log"
[ $rc -eq 1 ] && ok "the relay exits 1: it read the session in clear" || ko "the relay exits 1 (rc $rc)"
python3 - "$T/mitm.json" <<'PY' && ok "report: DTLS up on both legs, messages read both ways, fingerprints differ across the legs" || ko "report contents"
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
assert s["dtls_offerer_leg"] and s["dtls_answerer_leg"], s
assert s["messages_offerer_to_answerer"] > 0 and s["messages_answerer_to_offerer"] > 0, s
assert s["bytes_read_in_clear"] > 0 and s["plaintext_read"] and len(s["samples"]) > 0, s
assert s["fingerprints_rewritten"], s
assert s["offerer_fingerprint"] != s["answerer_was_told"], s
assert s["answerer_fingerprint"] != s["offerer_was_told"], s
assert s["relay_errors"] == 0, s
print("figures: %d + %d messages, %d bytes read in clear" % (s["messages_offerer_to_answerer"], s["messages_answerer_to_offerer"], s["bytes_read_in_clear"]))
PY

# detection by the replay engine: the recorded offerer leg checked against
# the genuine SDPs (what the answerer really sent) shows the relay's
# certificate; against the SDPs the offerer was given it looks clean
if [ "$(wc -c <"$T/leg.pcapng" 2>/dev/null || echo 0)" -lt 1000 ]; then
  echo "no capture of the offerer leg (needs CAP_NET_RAW): skipping the replay detection"
else
  "$RTCGATE" replay "$T/leg.pcapng" --sdp "$T/sdp/offer.sdp" --sdp "$T/sdp/answer.sdp" \
    --json "$T/replay.json" >"$T/replay.out" 2>&1
  rc=$?
  grep -E 'fingerprint|findings' "$T/replay.out"
  [ $rc -eq 1 ] && python3 -c 'import json,sys; assert "dtls.fingerprint-mismatch" in open(sys.argv[1]).read()' "$T/replay.json" &&
    ok "replay with the genuine SDPs: dtls.fingerprint-mismatch (exit 1)" || ko "replay with the genuine SDPs (rc $rc)"
  "$RTCGATE" replay "$T/leg.pcapng" --sdp "$T/sdp/offer.sdp" --sdp "$T/sdp/answer.rewritten.sdp" \
    --rules=-info,-warning >"$T/replay2.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && ok "replay with the SDPs the offerer was given: no error (the relay is invisible there)" ||
    { cat "$T/replay2.out"; ko "replay with the rewritten SDPs (rc $rc)"; }
fi

# the answerer is gone: the offerer hears an error, the relay relays nothing
M2=$(freeport)
DEAD=$(freeport)
"$RTCGATE" probe mitm --listen 127.0.0.1:$M2 --forward-to http://127.0.0.1:$DEAD/offer --timeout 3 \
  2>"$T/mitm2.log" &
MP=$!
PIDS="$PIDS $MP"
wait_for "$T/mitm2.log" 'relaying'
"$RTCGATE" peer --offer-to http://127.0.0.1:$M2/offer --bind 127.0.0.1 --expect ice --timeout 5 \
  >"$T/offer2.log" 2>&1
rc=$?
[ $rc -ne 0 ] && ok "no answerer behind the relay: the offerer fails (rc $rc)" || ko "no answerer: the offerer fails"
wait $MP
rc=$?
[ $rc -eq 2 ] && ok "no answerer behind the relay: the relay exits 2" || { cat "$T/mitm2.log"; ko "no answerer: the relay exits 2 (rc $rc)"; }
finish
