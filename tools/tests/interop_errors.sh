#!/bin/sh
# interop_errors.sh RTCGATE SRCDIR - `rtcgate interop` without browsers:
# usage and environment errors (exit 2 with a clear message), the case list,
# and external participants (--implementations): a command exiting 127 is
# "unsupported" (exit 0), one that posts no result fails (exit 1). Each run
# happens in its own network namespace (root or unprivileged user
# namespaces); where neither is available that is the expected exit 2.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok() { passes=$((passes+1)); }
bad() { fails=$((fails+1)); echo "FAIL $*"; }
expect() { # expect NAME WANT_RC GREP_ERR CMD...
  n=$1; w=$2; g=$3; shift 3
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -ne "$w" ]; then bad "$n: exit $rc, want $w"; cat "$T/err"; return; fi
  if [ -n "$g" ] && ! grep -q -- "$g" "$T/err" "$T/out"; then
    bad "$n: output lacks '$g'"; cat "$T/err"; return
  fi
  ok
}

expect help 0 "usage: rtcgate interop" "$R" interop --help
expect list 0 "fingerprint-mismatch" "$R" interop --list-cases
[ "$("$R" interop --list-cases | wc -l)" -ge 13 ] && ok || bad "list: fewer than 13 cases"
expect unknown-case 2 "unknown case 'nope'" "$R" interop --cases handshake,nope
expect unknown-participant 2 "unknown participant 'safari'" "$R" interop --participants chromium,safari
expect missing-binary 2 "browser '/nonexistent/chromium' not found" \
  "$R" interop --participants chromium --chromium /nonexistent/chromium
expect missing-in-path 2 "browser 'firefox-esr' not found" \
  env PATH=/nonexistent "$R" interop --participants firefox --cases handshake
expect bad-retries 2 "--retries" "$R" interop --retries x
expect bad-timeout 2 "--timeout" "$R" interop --timeout 0
expect bad-option 2 "unknown or incomplete option" "$R" interop --frobnicate
expect bad-pairs 2 "--pairs" "$R" interop --pairs chromium-firefox
expect duplicate 2 "given twice" "$R" interop --participants firefox,firefox
printf '{"implementations": [{"name": "x"}]}' > "$T/bad.json"
expect impl-invalid 2 "needs a \"name\"" "$R" interop --implementations "$T/bad.json" --participants x
printf 'not json' > "$T/bad2.json"
printf '{"implementations": [{"name": "x", "command": "true", "signaling": "carrier-pigeon"}]}' \
  > "$T/sig.json"
expect impl-json 2 "--implementations" "$R" interop --implementations "$T/bad2.json"
expect impl-missing-file 2 "--implementations" "$R" interop --implementations "$T/none.json"
expect impl-bad-signaling 2 "signaling must be" "$R" interop --implementations "$T/sig.json" \
  --participants x
expect bench-no-browser 2 "browser 'chromium' not found" env PATH=/nonexistent "$R" bench interop

# The rtcgate<->browser sessions kept in pcaps/interop/ (from `rtcgate
# interop --keep-captures`) replay to exactly their expected.json.
n=$(python3 "$S/tools/interop/check-expected.py" "$R" "$S/pcaps/interop" 2>&1)
if [ $? -eq 0 ] && [ "$(echo "$n" | tail -1)" -ge 2 ]; then ok
else bad "pcaps/interop: expected.json differs from a fresh replay"; echo "$n"; fi

# External participants: exit 127 = unsupported; no result = fail.
cat > "$T/impls.json" <<JSON
{"implementations": [
  {"name": "nocase", "command": "exit 127", "role": "both",
   "contract": "https://github.com/sipsorcery/webrtc-echoes"},
  {"name": "silent", "command": "exit 0", "role": "both"},
  {"name": "offeronly", "command": "exit 127", "role": "offer"}
]}
JSON
TMPDIR="$T" "$R" interop --implementations "$T/impls.json" --participants nocase,offeronly \
  --cases handshake --json "$T/u.json" --junit "$T/u.xml" >"$T/out" 2>"$T/err"; rc=$?
if [ "$rc" -eq 2 ] && grep -q "namespace" "$T/err"; then
  echo "SKIP external runs: $(cat "$T/err")"
else
  if [ "$rc" -eq 0 ]; then ok; else bad "unsupported: exit $rc"; cat "$T/err" "$T/out"; fi
  if python3 - "$T/u.json" "$T/u.xml" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
assert [p["name"] for p in d["participants"]] == ["nocase", "offeronly"], d["participants"]
assert d["participants"][0]["contract"].startswith("https://"), d["participants"][0]
assert [c["name"] for c in d["cases"]] == ["handshake"]
res = {(r["offerer"], r["answerer"]): r for r in d["results"]}
assert len(res) == 4, res.keys()
for k, r in res.items():
    assert r["result"] == "unsupported", (k, r)
    for key in ("ice_connected", "dtls_connected", "first_message", "first_media", "dc_rtt_p50"):
        assert key in r["timings_ms"], r
    assert r["findings"] == 0
assert "cannot take that role" in res[("nocase", "offeronly")]["reason"]
assert "exit 127" in res[("nocase", "nocase")]["reason"]
x = ET.parse(sys.argv[2]).getroot()
assert x.get("tests") == "4" and x.get("skipped") == "4" and x.get("failures") == "0"
PY
  then ok; else bad "unsupported: JSON/JUnit content"; fi
  expect silent-fails 1 "no result from the offer" \
    env TMPDIR="$T" "$R" interop --implementations "$T/impls.json" --participants silent \
    --cases handshake
  # rtcgate with itself (no browser): trickle through the runner's mailbox
  # (`rtcgate peer --trickle`) and a plain data channel; an external echoes
  # implementation that does not declare "trickle" is unsupported there
  TMPDIR="$T" "$R" interop --participants rtcgate --cases trickle,datachannel \
    --json "$T/self.json" --keep-captures "$T/self" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -eq 0 ] && python3 - "$T/self.json" "$T/self" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
assert sorted(r["case"] for r in d["results"]) == ["datachannel", "trickle"], d["results"]
assert all(r["result"] == "pass" for r in d["results"]), d["results"]
dd = os.path.join(sys.argv[2], "rtcgate-rtcgate", "trickle")
for side in ("offer", "answer"):
    assert "a=candidate" not in open(os.path.join(dd, side + ".sdp")).read(), side
    tr = json.load(open(os.path.join(dd, side + "-peer.json")))["sessions"][0]["trickle"]
    assert tr["candidates_sent"] >= 1 and tr["candidates_applied"] >= 1, (side, tr)
PY
  then ok; else bad "rtcgate with itself (trickle): exit $rc"; cat "$T/err" "$T/out"; fi
  printf '{"implementations": [{"name": "plain", "command": "exit 0", "signaling": "echoes"}]}' \
    > "$T/plain.json"
  TMPDIR="$T" "$R" interop --implementations "$T/plain.json" --participants plain \
    --cases trickle --json "$T/plain.out.json" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -eq 0 ] && python3 -c "import json,sys; r=json.load(open('$T/plain.out.json'))['results']; sys.exit(0 if len(r)==1 and r[0]['result']=='unsupported' else 1)"
  then ok; else bad "echoes without trickle: exit $rc"; cat "$T/err" "$T/out"; fi
  # the runner leaves no process behind (their arguments name files in $T)
  if pgrep -f "$T" >/dev/null 2>&1; then bad "processes left behind"; pgrep -af "$T"; else ok; fi
  # Ctrl-C in the middle of a run: the runner stops within seconds, says so
  # (exit 1) and ends every process it started.
  printf '{"implementations": [{"name": "sleeper", "command": "exec sleep 31.5"}]}' \
    > "$T/sleeper.json"
  TMPDIR="$T" "$R" interop --implementations "$T/sleeper.json" --participants sleeper \
    --cases handshake >"$T/out" 2>"$T/err" &
  pid=$!
  sleep 3
  kill -INT $pid
  i=0
  while kill -0 $pid 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done
  if kill -0 $pid 2>/dev/null; then bad "interrupt: still running after 15 s"; kill -9 $pid; fi
  wait $pid; rc=$?
  if [ "$rc" -eq 1 ] && grep -q "interrupted" "$T/err"; then ok; else
    bad "interrupt: exit $rc"; cat "$T/err"; fi
  if pgrep -f "sleep 31.5" >/dev/null 2>&1 || pgrep -f "$T" >/dev/null 2>&1; then
    bad "interrupt: processes left behind"; pgrep -af "sleep 31.5|$T"
  else ok; fi
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
