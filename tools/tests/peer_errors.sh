#!/bin/sh
# peer_errors.sh RTCGATE SRCDIR - `rtcgate peer` usage and environment
# errors (exit 2 with a clear message), the HTTP errors of POST /offer
# (400 bad JSON / bad SDP with the parser's message, 404, 405, 409 busy,
# 413 too large, 204 for a CORS preflight) and a missing expectation (exit 1 naming it). Everything
# runs on 127.0.0.1; every process started here is killed on exit.
R="$1"; S="$2"
. "$S/tools/tests/peer_common.inc"
expect() { # expect NAME WANT_RC GREP CMD...
  n=$1; w=$2; g=$3; shift 3
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -ne "$w" ]; then bad "$n: exit $rc, want $w"; cat "$T/err"; return; fi
  if [ -n "$g" ] && ! grep -q -- "$g" "$T/err" "$T/out"; then
    bad "$n: output lacks '$g'"; cat "$T/err" "$T/out"; return
  fi
  ok
}
# http CODE_WANT GREP METHOD BODYFILE: one request to the listener.
http() {
  want=$1; g=$2; method=$3; shift 3
  code=$(curl -s -m 5 -o "$T/body" -w '%{http_code}' -X "$method" "$@" \
         "http://127.0.0.1:$PORT/offer")
  if [ "$code" != "$want" ]; then bad "HTTP $method: $code, want $want"; cat "$T/body"; return; fi
  if [ -n "$g" ] && ! grep -q -- "$g" "$T/body"; then
    bad "HTTP $method $want: body lacks '$g'"; cat "$T/body"; return
  fi
  ok
}

expect help 0 "usage: rtcgate peer" "$R" peer --help
expect no-mode 2 "exactly one of --listen" "$R" peer
expect both-modes 2 "exactly one of --listen" "$R" peer --listen 127.0.0.1:1 --offer-to http://x/
expect bad-expect 2 "unknown 'bogus'" "$R" peer --offer-to http://127.0.0.1:1/offer --expect ice,bogus
expect bad-loss 2 "--loss: bad value" "$R" peer --offer-to http://127.0.0.1:1/offer --loss 101
expect bad-timeout 2 "--timeout: bad value" "$R" peer --offer-to http://127.0.0.1:1/offer --timeout 0
expect turn-creds 2 "--turn needs --turn-user" "$R" peer --offer-to http://127.0.0.1:1/ --turn 127.0.0.1:3478
expect trickle-url 2 "--trickle: 'ftp://x' is not an http:// URL" "$R" peer --offer-to http://127.0.0.1:1/offer --trickle ftp://x
expect trickle-expect 2 "--expect trickle needs --trickle" "$R" peer --offer-to http://127.0.0.1:1/offer --expect ice,trickle
expect relay-only 2 "--relay-only needs --turn" "$R" peer --offer-to http://127.0.0.1:1/ --relay-only
expect unknown 2 "unknown option --frob" "$R" peer --frob 1
expect bad-listen 2 "--listen" "$R" peer --listen nothing
expect bad-bind 2 "cannot bind a UDP socket to 192.0.2.99" "$R" peer --offer-to http://127.0.0.1:1/offer --bind 192.0.2.99
expect bad-url 2 "is not an http://" "$R" peer --offer-to ftp://127.0.0.1/offer --bind 127.0.0.1
expect unreachable 2 "cannot POST to http://127.0.0.1:1/offer" \
  "$R" peer --offer-to http://127.0.0.1:1/offer --bind 127.0.0.1 --timeout 5
expect keylog-dir 2 "cannot open the key log" \
  "$R" peer --offer-to http://127.0.0.1:1/offer --keylog /nonexistent/dir/keys

if start_listener a --timeout 3; then
  expect busy-port 2 "cannot listen on 127.0.0.1:$PORT: Address already in use" \
    "$R" peer --listen "127.0.0.1:$PORT" --bind 127.0.0.1
  printf '{"type":"offer",' > "$T/trunc.json"
  http 400 "bad JSON" POST -H 'Content-Type: application/json' --data-binary @"$T/trunc.json"
  printf '{"type":"answer","sdp":"v=0"}' > "$T/answer.json"
  http 400 "expected an RTCSessionDescriptionInit" POST --data-binary @"$T/answer.json"
  printf '{"type":"offer","sdp":"v=0\\r\\nbogus\\r\\n"}' > "$T/badsdp.json"
  http 400 "bad offer SDP: line 2" POST --data-binary @"$T/badsdp.json"
  http 405 "POST an RTCSessionDescriptionInit" GET
  # a browser's CORS preflight
  code=$(curl -s -m 5 -D "$T/hdr" -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Origin: http://x' \
         -H 'Access-Control-Request-Method: POST' "http://127.0.0.1:$PORT/offer")
  if [ "$code" = 204 ] && grep -qi '^access-control-allow-methods: POST' "$T/hdr"; then ok; else
    bad "OPTIONS preflight: $code"; cat "$T/hdr"; fi
  head -c 300000 /dev/zero | tr '\0' 'x' > "$T/big"
  http 413 "too large" POST --data-binary @"$T/big"
  code=$(curl -s -m 5 -o "$T/body" -w '%{http_code}' -X POST --data-binary @"$T/answer.json" \
         "http://127.0.0.1:$PORT/other")
  [ "$code" = 404 ] && ok || bad "wrong path: $code, want 404"
fi

# A second offer while a session is in progress: 409, exit 2. The first
# offerer keeps the session busy (nothing connects with --loss 100) while
# the second one POSTs.
if start_listener b --timeout 5; then
  timeout -k 3 15 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 \
    --timeout 4 --quiet --loss 100 >/dev/null 2>&1 &
  PIDS="$PIDS $!"
  sleep 1
  expect busy-409 2 "HTTP 409" "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" \
    --bind 127.0.0.1 --timeout 3
fi

# An offerer that leaves before the answer (the answerer is still gathering:
# its STUN server never answers) leaves no session behind: the next offer
# is answered.
if start_listener d --stun 127.0.0.1:9 --timeout 5; then
  "$R" peer --offer-to http://127.0.0.1:1/offer --bind 127.0.0.1 --json "$T/d.json" >/dev/null 2>&1
  jq '{type: "offer", sdp: .sessions[0].offer_sdp}' "$T/d.json" > "$T/offer.json"
  curl -s -m 0.5 -o /dev/null -X POST --data-binary @"$T/offer.json" "http://127.0.0.1:$PORT/offer"
  sleep 0.5
  http 200 '"type":"answer"' POST --data-binary @"$T/offer.json"
  grep -q "left before the answer" "$T/d.err" && ok || { bad "no 'left before the answer'"; cat "$T/d.err"; }
fi

# A missing expectation: --loss 100 drops every datagram, so nothing
# connects; exit 1 with the expectation named, and the JSON says so.
if start_listener c --sessions 1 --timeout 4; then
  expect missing-expectation 1 "expectation 'ice' not met" \
    "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 --timeout 2 \
    --loss 100 --expect ice,dtls --json "$T/miss.json"
  if jq -e '.sessions[0].ok == false and (.sessions[0].missing | index("ice")) != null
            and .sessions[0].role == "offerer"
            and (.sessions[0].events | map(.event) | index("offer-sent")) != null' \
       "$T/miss.json" >/dev/null; then ok; else bad "missing-expectation json"; cat "$T/miss.json"; fi
fi

summary
