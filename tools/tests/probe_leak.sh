#!/bin/sh
# probe_leak.sh RTCGATE SRCDIR - `rtcgate probe leak`: the classifier on
# synthetic page results (deterministic), then every browser found x every
# configuration in a private network namespace (~25 s): defaults must mask
# (mDNS names), mdns-off must expose the namespace's 10.99.0.1, every run
# must produce a result, and the exit code must match the findings.
# The browser part is skipped (passing) without a browser or namespaces.
RTCGATE=${1:?rtcgate}
. "$(dirname "$0")/lib.sh"

# analyse NAME EXPECTED_RC PYTHON_ASSERT JSON
analyse() {
  printf '%s' "$4" >"$T/$1.json"
  "$RTCGATE" probe leak --analyse "$T/$1.json" --json "$T/$1.out" >/dev/null 2>"$T/$1.err"
  rc=$?
  if [ $rc -eq "$2" ] && python3 -c "import json,sys; a=json.load(open(sys.argv[1])); assert $3, a" "$T/$1.out"; then
    ok "analyse: $1"
  else
    cat "$T/$1.err" "$T/$1.out" 2>/dev/null
    ko "analyse: $1 (rc $rc)"
  fi
}
analyse mdns-only 0 'not a["leak"] and a["mdns_names"] == 1 and a["candidates"] == 2' \
  '{"candidates":["candidate:1 1 udp 2113937151 3ae1-645d.local 35062 typ host generation 0","candidate:2 1 tcp 2105458943 3ae1-645d.local 9 typ host tcptype active"],"sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nc=IN IP4 0.0.0.0\r\n"}'
analyse host-private 1 'a["leak"] and a["exposed"]["private_ipv4"] == ["192.168.1.20"] and a["interfaces"] == 1' \
  '{"candidates":["candidate:1 1 udp 2113937151 192.168.1.20 35062 typ host"],"sdp":"v=0\r\n"}'
analyse ipv6-in-sdp-only 1 'a["leak"] and a["exposed"]["ipv6"] == ["2001:db8::5"] and a["exposed"]["link_local"] == ["fe80::1"]' \
  '{"candidates":[],"sdp":"v=0\r\nc=IN IP6 2001:db8::5\r\na=candidate:9 1 UDP 1 fe80::1 5000 typ host\r\n"}'
analyse srflx-base 1 'a["leak"] and a["exposed"]["private_ipv4"] == ["10.0.0.7"] and a["reflexive"] == ["203.0.113.9"]' \
  '{"candidates":["candidate:1 1 udp 1677729535 203.0.113.9 4000 typ srflx raddr 10.0.0.7 rport 4000"],"sdp":"v=0\r\nc=IN IP4 203.0.113.9\r\n"}'
analyse relay-masked 0 'not a["leak"] and a["relay_addresses"] == ["198.51.100.1"] and a["reflexive"] == ["203.0.113.9"] and a["types"]["relay"] == 2' \
  '{"candidates":["candidate:2 1 udp 50339839 198.51.100.1 61169 typ relay raddr 203.0.113.9 rport 35062","candidate:0 1 UDP 92151807 198.51.100.1 64289 typ relay raddr 198.51.100.1 rport 64289"],"sdp":"v=0\r\nc=IN IP4 198.51.100.1\r\n"}'
analyse loopback 1 'a["leak"] and a["exposed"]["loopback"] == ["127.0.0.1", "::1"]' \
  '{"candidates":["candidate:1 1 udp 1 127.0.0.1 5 typ host","candidate:1 1 udp 1 ::1 5 typ host"]}'
"$RTCGATE" probe leak --analyse "$T/nonexistent.json" >/dev/null 2>&1
[ $? -eq 2 ] && ok "analyse: missing file exits 2" || ko "analyse: missing file exits 2"
"$RTCGATE" probe leak --configs nosuch >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown configuration exits 2" || ko "unknown configuration exits 2"

browsers=
command -v chromium >/dev/null 2>&1 && browsers=chromium
command -v firefox-esr >/dev/null 2>&1 && browsers=${browsers:+$browsers,}firefox
if [ -z "$browsers" ]; then
  echo "no browser installed: skipping the browser runs"
else
  "$RTCGATE" probe leak --browsers "$browsers" --timeout 15 --json "$T/leak.json" >"$T/leak.out" 2>&1
  rc=$?
  cat "$T/leak.out"
  if [ $rc -eq 2 ] && grep -q 'namespace' "$T/leak.out"; then
    echo "no network namespaces here: skipping the browser runs"
  else
    python3 - "$T/leak.json" $rc "$browsers" <<'PY' && ok "browsers ($browsers): every run has a result, defaults masked, mdns-off exposes 10.99.0.1, exit code matches the findings" || ko "browsers ($browsers): results"
import json, sys
rep, rc, browsers = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3].split(",")
runs = {(r["browser"], r["config"]): r for r in rep["runs"]}
for b in browsers:
    for c in ("defaults", "mdns-off", "media", "relay-only", "turn"):
        assert (b, c) in runs and "error" not in runs[(b, c)], (b, c, runs.get((b, c)))
    d, m = runs[(b, "defaults")]["analysis"], runs[(b, "mdns-off")]["analysis"]
    assert not d["leak"] and d["mdns_names"] > 0, (b, d)
    assert m["leak"] and "10.99.0.1" in m["exposed"]["private_ipv4"], (b, m)
    r = runs[(b, "relay-only")]["analysis"]
    assert r["types"].get("relay", 0) > 0 and r["candidates"] == r["types"]["relay"], (b, r)
assert rc == (1 if rep["findings"] else 0), (rc, rep["findings"])
PY
  fi
fi
finish
