#!/bin/sh
# peer_mdns.sh RTCGATE SRCDIR - mDNS resolution of `.local` names by real
# queries (RFC 6762 one-shot queries to 224.0.0.251:5353) against the
# responder of another rtcgate process. Runs inside a network namespace
# this test creates (loopback with multicast switched on and a route for
# 224.0.0.0/4), so no packet leaves it; the namespace goes away with its
# processes. Then a whole session where the offerer uses --mdns, and a
# resolution over IPv6 only (ff02::fb on a veth pair, no IPv4 at all).
R="$1"; S="$2"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0; passes=0

expect_usage() { # NAME GREP ARGS...: exit 2 with GREP on stderr
  n=$1; g=$2; shift 2
  "$R" peer "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$g" "$T/err"; then passes=$((passes+1)); else
    fails=$((fails+1)); echo "FAIL $n: exit $rc"; cat "$T/err"; fi
}
expect_usage publish-syntax "wants NAME=ADDR" --mdns-publish nothing --timeout 1
expect_usage publish-addr "cannot resolve" --mdns-publish x.local=not-an-address --timeout 1

if ! unshare -n true 2>/dev/null; then
  echo "SKIP namespace tests: unshare -n is not permitted here"
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]; exit
fi

# Inside the namespace: each check prints "ok NAME" or "FAIL NAME ...".
timeout 30 unshare -n sh -s "$R" "$T" > "$T/ns.out" 2>&1 <<'NS'
R="$1"; T="$2"
ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo || {
  echo "FAIL setup: cannot configure loopback multicast"; exit 0; }
"$R" peer --mdns-publish 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0.local=10.1.2.3 --timeout 8 \
  2>"$T/pub4.err" &
P1=$!
"$R" peer --mdns-publish host6.local=fd00::5 --timeout 8 2>"$T/pub6.err" &
P2=$!
for _ in $(seq 50); do
  grep -q answering "$T/pub4.err" 2>/dev/null && grep -q answering "$T/pub6.err" 2>/dev/null && break
  sleep 0.1
done
check() { # NAME WANT_RC WANT_OUT ARGS...
  n=$1; w=$2; o=$3; shift 3
  out=$("$R" peer "$@" 2>"$T/err"); rc=$?
  if [ "$rc" -eq "$w" ] && [ "$out" = "$o" ]; then echo "ok $n"; else
    echo "FAIL $n: exit $rc, output '$out', want $w '$o'"; cat "$T/err"; fi
}
check resolve-a 0 "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0.local 10.1.2.3" \
  --mdns-resolve 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0.local
check case-insensitive 0 "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F0.local 10.1.2.3" \
  --mdns-resolve 0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F0.local
check resolve-aaaa 0 "host6.local fd00::5" --mdns-resolve host6.local
start=$(date +%s)
check unknown 1 "" --mdns-resolve nobody.local --timeout 2
el=$(( $(date +%s) - start ))
if [ "$el" -le 4 ]; then echo "ok unknown-bounded"; else echo "FAIL unknown took ${el}s"; fi
grep -q "no mDNS answer for nobody.local" "$T/err" && echo "ok unknown-message" ||
  echo "FAIL unknown-message"
kill "$P1" "$P2" 2>/dev/null
wait
# A session whose offerer hides its host address behind a .local name
# (--mdns): the answerer resolves it by a real query and connects.
timeout 20 "$R" peer --listen 127.0.0.1:8000 --bind 127.0.0.1 --sessions 1 --timeout 10 \
  --json "$T/a.json" --quiet 2>"$T/a.err" &
P3=$!
sleep 0.5
timeout 20 "$R" peer --offer-to http://127.0.0.1:8000/offer --bind 127.0.0.1 --mdns \
  --expect ice,dtls,datachannel --echo-max 4096 --timeout 10 --json "$T/o.json" --quiet \
  2>"$T/o.err" && echo "ok mdns-session" || { echo "FAIL mdns-session"; cat "$T/o.err"; }
wait "$P3" && echo "ok mdns-answerer" || { echo "FAIL mdns-answerer"; cat "$T/a.err"; }
if jq -e '(.sessions[0].offer_sdp | test("[0-9a-f-]{36}[.]local [0-9]+ typ host")) and
          (.sessions[0].offer_sdp | test("candidate:[^\\r\\n]*127[.]0[.]0[.]1") | not) and
          ([.sessions[0].events[] | select(.event == "mdns-resolved" and .address == "127.0.0.1")]
           | length == 1) and .sessions[0].ok' "$T/a.json" >/dev/null; then
  echo "ok mdns-resolved-in-session"
else
  echo "FAIL mdns-resolved-in-session"; cat "$T/a.json"
fi
NS

# An IPv6-only link (a veth pair in a namespace of its own, no IPv4 address
# or route anywhere): the queries and the answer go over ff02::fb.
timeout 30 unshare -n sh -s "$R" "$T" > "$T/ns6.out" 2>&1 <<'NS'
R="$1"; T="$2"
ip link set lo up && ip link add m0 type veth peer name m1 && ip link set m0 up &&
  ip link set m1 up || { echo "FAIL setup6: cannot create the veth pair"; exit 0; }
"$R" peer --mdns-publish v6only.local=fd00::7 --timeout 8 2>"$T/pub6only.err" &
P=$!
for _ in $(seq 50); do grep -q answering "$T/pub6only.err" 2>/dev/null && break; sleep 0.1; done
out=$("$R" peer --mdns-resolve v6only.local --timeout 3 2>"$T/err6"); rc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "v6only.local fd00::7" ]; then echo "ok resolve-over-ipv6"; else
  echo "FAIL resolve-over-ipv6: exit $rc, output '$out'"; cat "$T/err6"; fi
kill "$P" 2>/dev/null
wait
NS
cat "$T/ns6.out" >> "$T/ns.out"
passes=$((passes + $(grep -c '^ok ' "$T/ns.out")))
nf=$(grep -c '^FAIL' "$T/ns.out")
fails=$((fails + nf))
[ "$nf" -gt 0 ] && cat "$T/ns.out"
[ "$(grep -c '^ok ' "$T/ns.out")" -eq 10 ] || { fails=$((fails+1)); echo "FAIL: not every check ran"; cat "$T/ns.out"; }
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
