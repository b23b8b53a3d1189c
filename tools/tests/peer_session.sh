#!/bin/sh
# peer_session.sh RTCGATE SRCDIR - two `rtcgate peer` processes on
# 127.0.0.1 through the webrtc-echoes contract: ICE + DTLS, data-channel
# echo of 1 B .. 256 KiB, the unordered maxRetransmits=0 channel, audio and
# video echo, an ICE restart, the --json content (jq), and `rtcgate replay`
# of a tcpdump capture of the session with the --keylog file (no error
# finding: the key log and the wire format are right). Then a session with
# --loss 10 on both sides. It runs in a network namespace of its own when
# it may (so the capture holds only this test's packets), else on the
# host's loopback. Every process it starts is bounded by timeout(1) and
# killed on exit.
R="$1"; S="$2"
. "$S/tools/tests/peer_common.inc"
peer_enter_netns "$0"
ALL=ice,dtls,datachannel,datachannel-unreliable,audio,video,ice-restart

# ---- the full session, captured -------------------------------------------------------------
CAP=""
if command -v tcpdump >/dev/null 2>&1; then
  timeout 30 tcpdump -i lo -U -c 20000 -w "$T/cap.pcap" udp 2>"$T/tcpdump.err" &
  CAP=$!
  PIDS="$PIDS $CAP"
  for _ in $(seq 50); do grep -q listening "$T/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
fi
if start_listener a --sessions 1 --timeout 20 --expect "$ALL" --json "$T/a.json" \
     --keylog "$T/keys.a"; then
  timeout 30 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 --expect "$ALL" \
    --timeout 20 --json "$T/o.json" --keylog "$T/keys.o" 2>"$T/o.err"
  rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "offerer exit $rc"; cat "$T/o.err"; }
  wait "$LPID"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "answerer exit $rc"; cat "$T/a.err"; }
  O='.sessions[0]'
  check offerer-ok "$T/o.json" "$O.ok == true and $O.role == \"offerer\" and ($O.missing | length) == 0"
  check met-all "$T/o.json" "($O.met | sort) == (\"$ALL\" | split(\",\") | sort)"
  check echo-sizes "$T/o.json" "$O.test.echo.messages == 19 and $O.test.echo.largest == 262144 and $O.test.echo.mismatch == false"
  check echo-rtt "$T/o.json" "$O.test.echo.rtt_ms_p50 > 0 and $O.test.echo.rtt_ms_256k > 0"
  check unreliable "$T/o.json" "$O.test.unreliable.echoed > 0 and $O.test.unreliable.invalid == 0"
  check media "$T/o.json" "$O.test.media.audio.echo_valid >= 10 and $O.test.media.video.echo_valid >= 10 and $O.test.media.audio.echo_invalid == 0"
  check rtcp-pli "$T/o.json" "$O.test.rtcp.feedback_sent and $O.test.rtcp.pli_answered and $O.test.rtcp.invalid == 0"
  check restart "$T/o.json" "$O.test.ice_restart == 3 and ($O.events | map(.event) | index(\"ice-restart\")) != null"
  check ice-stats "$T/o.json" "$O.stats.ice.connected and $O.stats.ice.role == \"controlling\" and $O.stats.ice.local.type == \"host\""
  check dtls-stats "$T/o.json" "$O.stats.dtls.connected and ($O.stats.dtls.version == \"1.2\" or $O.stats.dtls.version == \"1.3\") and $O.stats.dtls.srtp_profile != \"none\""
  check channels "$T/o.json" "[$O.stats.channels[] | select(.label == \"rtcgate-echo\" and .messages_out >= 19 and .bytes_out >= 524287)] | length == 1"
  check streams "$T/o.json" "[$O.stats.streams[] | select(.direction == \"outbound\" and .packets > 0)] | length == 2"
  check event-times "$T/o.json" "[$O.events[].t_ms] | (length > 5 and . == sort)"
  check answerer-ok "$T/a.json" "$O.ok == true and $O.role == \"answerer\" and ($O.met | length) == 7"
  check answerer-echo "$T/a.json" "[$O.stats.streams[] | select(.direction == \"outbound\" and .packets > 0)] | length == 2"
  [ -s "$T/keys.o" ] && grep -q '^CLIENT_RANDOM \|_TRAFFIC_SECRET_' "$T/keys.o" && ok || bad "offerer key log empty"
  cmp -s "$T/keys.a" "$T/keys.o" && ok || bad "the two key logs differ"
fi
if [ -n "$CAP" ]; then
  sleep 0.3
  kill -INT "$CAP" 2>/dev/null; wait "$CAP" 2>/dev/null
  jq -j '.sessions[0].offer_sdp' "$T/o.json" > "$T/offer.sdp"
  jq -j '.sessions[0].answer_sdp' "$T/o.json" > "$T/answer.sdp"
  "$R" replay "$T/cap.pcap" --keylog "$T/keys.o" --sdp "$T/offer.sdp" --sdp "$T/answer.sdp" \
    --json "$T/replay.json" > "$T/replay.out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && grep -q "findings: 0 errors" "$T/replay.out" &&
     grep -q "data-channel messages" "$T/replay.out" &&
     ! grep -q "SRTP 0/" "$T/replay.out"; then ok; else
    bad "replay of the capture: exit $rc"; cat "$T/replay.out"; fi
else
  echo "SKIP capture: tcpdump not installed"
fi

# ---- --loss 10 on both sides --------------------------------------------------------------------
LOSS=ice,dtls,datachannel,datachannel-unreliable,audio,video
# Lost SCTP INIT/COOKIE chunks back off 0.5, 1, 2, 4 s and tail losses wait
# for T3-rtx: usually done in 3-10 s, but 20 s was seen on a loaded machine.
if LISTEN_LIMIT=70 start_listener b --sessions 1 --timeout 60 --loss 10 --seed 11 --expect "$LOSS" \
     --json "$T/lb.json"; then
  timeout 65 "$R" peer --offer-to "http://127.0.0.1:$PORT/offer" --bind 127.0.0.1 --loss 10 \
    --seed 12 --echo-max 16384 --expect "$LOSS" --timeout 60 --json "$T/lo.json" 2>"$T/lo.err"
  rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "loss: offerer exit $rc"; cat "$T/lo.err"; }
  wait "$LPID"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "loss: answerer exit $rc"; cat "$T/b.err"; }
  check loss-dropped "$T/lo.json" '.sessions[0].stats.datagrams.loss_dropped_in > 0 and .sessions[0].stats.datagrams.loss_dropped_out > 0'
  check loss-echo "$T/lo.json" '.sessions[0].test.echo.largest == 16384 and .sessions[0].test.echo.mismatch == false'
fi

# ---- IPv6, and gathering without --bind -----------------------------------------------------
# Only inside the test's own namespace: there lo is the only interface, so
# the offerer without --bind must fall back to loopback (127.0.0.1 and ::1).
if [ -n "$PEER_IN_NS" ] && ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
  timeout 20 "$R" peer --listen '[::1]:0' --bind ::1 --sessions 1 --timeout 10 \
    --expect ice,dtls,datachannel --json "$T/v6a.json" 2>"$T/v6.err" &
  LPID=$!; PIDS="$PIDS $LPID"
  for _ in $(seq 50); do
    PORT=$(sed -n 's#.*listening on http://\[::1\]:\([0-9]*\)/offer#\1#p' "$T/v6.err")
    [ -n "$PORT" ] && break; sleep 0.1
  done
  SSLKEYLOGFILE="$T/env.keys" timeout 20 "$R" peer --offer-to "http://[::1]:$PORT/offer" \
    --expect ice,dtls,datachannel \
    --echo-max 16384 --timeout 10 --json "$T/v6o.json" 2>"$T/v6o.err"; rc=$?
  [ "$rc" -eq 0 ] && ok || { bad "ipv6: offerer exit $rc"; cat "$T/v6o.err" "$T/v6.err"; }
  wait "$LPID" && ok || { bad "ipv6: answerer"; cat "$T/v6.err"; }
  grep -q '^CLIENT_RANDOM \|_TRAFFIC_SECRET_' "$T/env.keys" 2>/dev/null && ok ||
    bad "SSLKEYLOGFILE was not written"
  check ipv6-pair "$T/v6o.json" '.sessions[0].stats.ice.local.address | startswith("[::1]:")'
  check loopback-fallback "$T/v6o.json" '(.sessions[0].offer_sdp | test("candidate:[^\r\n]* 127[.]0[.]0[.]1 ")) and (.sessions[0].offer_sdp | test("candidate:[^\r\n]* ::1 "))'
fi

summary
