#!/bin/sh
# peer_turn.sh RTCGATE SRCDIR - `rtcgate peer` with a STUN/TURN server:
# coturn (Debian's turnserver) started by this test on 127.0.0.1 on a random
# free port, killed on every exit path. Checks a srflx candidate gathered
# with --stun, and a session whose offerer uses only its relay candidate
# (--turn ... --relay-only): ICE selects the relay, DTLS, the data-channel
# echo and audio go through coturn; then both sides relay-only, and wrong
# credentials. In a network namespace of its own when
# it may. Skipped (passing) when turnserver is not installed.
R="$1"; S="$2"
. "$S/tools/tests/peer_common.inc"
if ! command -v turnserver >/dev/null 2>&1; then
  echo "SKIP: turnserver (Debian package coturn) not installed"
  summary; exit
fi
peer_enter_netns "$0"

# A free UDP port: a random one that nothing listens on.
free_port() {
  for _ in $(seq 20); do
    p=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
    ss -Hlun "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
  echo 34780
}
TP=$(free_port)
timeout 45 turnserver -n --listening-port "$TP" --listening-ip 127.0.0.1 --relay-ip 127.0.0.1 \
  --lt-cred-mech --user u:p --realm r --no-tls --no-dtls --no-tcp-relay --no-cli \
  --allowed-peer-ip 127.0.0.1 --allow-loopback-peers --pidfile "$T/turn.pid" \
  --userdb "$T/turndb" --log-file stdout --simple-log >"$T/turn.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 50); do ss -Hlun "sport = :$TP" 2>/dev/null | grep -q . && break; sleep 0.1; done

# srflx through --stun: the mapped address of the host socket.
if start_listener s --sessions 1 --timeout 15; then
  timeout 20 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 \
    --stun "127.0.0.1:$TP" --expect ice,dtls,datachannel --echo-max 1024 --timeout 15 \
    --json "$T/s.json" 2>"$T/s.out"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "stun: offerer exit $rc"; cat "$T/s.out"; }
  wait "$LPID"
  check srflx "$T/s.json" '[.sessions[0].events[] | select(.event == "srflx-gathered" and .type == "srflx" and (.address | startswith("127.0.0.1:")))] | length == 1'
  check srflx-in-offer "$T/s.json" '.sessions[0].offer_sdp | test("typ srflx raddr 127.0.0.1")'
fi

# relay only: every datagram of the offerer goes through coturn.
ALL=ice,dtls,datachannel,audio
if start_listener t --sessions 1 --timeout 20 --expect "$ALL"; then
  timeout 25 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 \
    --turn "127.0.0.1:$TP" --turn-user u --turn-password p --relay-only --expect "$ALL" \
    --timeout 20 --json "$T/t.json" 2>"$T/t.out"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "turn: offerer exit $rc"; cat "$T/t.out" "$T/turn.log"; }
  wait "$LPID"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "turn: answerer exit $rc"; cat "$T/t.err"; }
  O='.sessions[0]'
  check allocated "$T/t.json" "[$O.events[] | select(.event == \"turn-allocated\" and .relay.type == \"relay\")] | length == 1"
  check relay-selected "$T/t.json" "$O.stats.ice.local.type == \"relay\" and $O.stats.ice.connected"
  check relay-only-offer "$T/t.json" "($O.offer_sdp | test(\"typ host\") | not) and ($O.offer_sdp | test(\"typ relay\"))"
  check relay-echo "$T/t.json" "$O.test.echo.largest == 262144 and $O.test.media.audio.echo_valid >= 10"
fi

# both sides relay-only: every datagram crosses coturn twice.
TURN="--turn 127.0.0.1:$TP --turn-user u --turn-password p --relay-only"
if start_listener r --sessions 1 --timeout 20 --expect ice,dtls,datachannel $TURN \
     --json "$T/ra.json"; then
  timeout 25 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 $TURN \
    --expect ice,dtls,datachannel,video --echo-max 65536 --timeout 20 --json "$T/r.json" \
    2>"$T/r.out"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "relay-relay: offerer exit $rc"; cat "$T/r.out"; }
  wait "$LPID"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "relay-relay: answerer exit $rc"; cat "$T/r.err"; }
  check relay-relay "$T/r.json" '.sessions[0].stats.ice.local.type == "relay" and .sessions[0].stats.ice.remote.type == "relay"'
  check relay-relay-answer "$T/ra.json" '.sessions[0].ok and (.sessions[0].answer_sdp | test("typ host") | not)'
fi

# bad credentials: the allocation fails, nothing connects, exit 1.
if start_listener u --sessions 1 --timeout 6; then
  timeout 15 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 \
    --turn "127.0.0.1:$TP" --turn-user u --turn-password wrong --relay-only --expect ice \
    --timeout 4 --json "$T/u.json" 2>"$T/u.out"; rc=$?
  [ "$rc" -eq 1 ] && ok || { bad "bad credentials: exit $rc, want 1"; cat "$T/u.out"; }
  check turn-failed "$T/u.json" '[.sessions[0].events[] | select(.event == "turn-failed")] | length >= 1'
  kill "$LPID" 2>/dev/null
fi

summary
