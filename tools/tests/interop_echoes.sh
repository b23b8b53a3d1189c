#!/bin/sh
# interop_echoes.sh RTCGATE SRCDIR - the runner's webrtc-echoes relay
# (participants that answer POST /offer instead of using the page's
# mailbox: `rtcgate peer` and externals with "signaling": "echoes"), in both
# directions, with tools/interop/fake-echoes-peer.py (a headless Chromium
# behind the contract) standing in for the implementation:
#  - as an external implementation: chromium<->fake x handshake, datachannel,
#    fingerprint-mismatch (both must refuse), trickle (the contract is
#    non-trickle: unsupported) and audio (the fake exits 127: unsupported);
#  - as the rtcgate participant (--rtcgate PATH runs `PATH peer --listen` /
#    `--offer-to` with --expect, --json, --keylog): datachannel both ways.
# Checks verdicts, the SDPs kept from the relayed offer/answer, the relay in
# signal.log, the replay of each capture, and that nothing is left running.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok() { passes=$((passes+1)); }
bad() { fails=$((fails+1)); echo "FAIL $*"; }
FAKE="$S/tools/interop/fake-echoes-peer.py"
if ! command -v chromium >/dev/null 2>&1; then
  echo "FAIL chromium is not installed (tools/install-deps)"; echo "0 passed, 1 failed"; exit 1
fi
cat > "$T/impls.json" <<JSON
{"implementations": [
  {"name": "fake", "command": "python3 $FAKE", "role": "both", "signaling": "echoes",
   "contract": "https://github.com/sipsorcery/webrtc-echoes"}
]}
JSON
start=$(date +%s)
TMPDIR="$T" "$R" interop --implementations "$T/impls.json" --participants chromium,fake \
  --pairs chromium:fake,fake:chromium \
  --cases handshake,datachannel,fingerprint-mismatch,trickle,audio --retries 1 \
  --json "$T/e.json" --keep-captures "$T/runs" >"$T/out" 2>"$T/err"
rc=$?
echo "external echoes matrix: $(( $(date +%s) - start )) s"
cat "$T/out"
if [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && grep -q "^flaky" "$T/out" && ! grep -q "^fail" "$T/out"; }
then ok; else bad "interop (external echoes) exit $rc"; cat "$T/err"; fi
start=$(date +%s)
TMPDIR="$T" "$R" interop --rtcgate "$FAKE" --participants chromium,rtcgate \
  --pairs chromium:rtcgate,rtcgate:chromium --cases datachannel --retries 1 \
  --json "$T/r.json" --keep-captures "$T/runs2" >"$T/out2" 2>"$T/err2"
rc=$?
echo "rtcgate participant (fake peer): $(( $(date +%s) - start )) s"
cat "$T/out2"
if [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && grep -q "^flaky" "$T/out2" && ! grep -q "^fail" "$T/out2"; }
then ok; else bad "interop (rtcgate participant) exit $rc"; cat "$T/err2"; fi
if python3 - "$T/e.json" "$T/runs" "$T/r.json" "$T/runs2" <<'PY'
import json, os, sys
want = {"handshake": "pass", "datachannel": "pass", "fingerprint-mismatch": "pass",
        "trickle": "unsupported", "audio": "unsupported"}
for doc, runs in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    d = json.load(open(doc))
    for r in d["results"]:
        w = want[r["case"]]
        assert r["result"] == w or (w == "pass" and r["result"] == "flaky"), r
        if r["result"] != "pass":
            continue
        dd = os.path.join(runs, "%s-%s" % (r["offerer"], r["answerer"]), r["case"])
        # the relayed descriptions are on file, the relay in the signaling log
        for f in ("offer.sdp", "answer.sdp", "capture.pcap", "offer.json", "answer.json"):
            assert os.path.getsize(os.path.join(dd, f)) > 0, (dd, f)
        assert "v=0" in open(os.path.join(dd, "answer.sdp")).read(), dd
        log = open(os.path.join(dd, "signal.log")).read()
        if r["answerer"] in ("fake", "rtcgate"):
            assert "runner POST http://127.0.0.1:8643/offer" in log, log
        assert r["findings"] == 0, r
        peer = "offer" if r["offerer"] in ("fake", "rtcgate") else "answer"
        res = json.load(open(os.path.join(dd, peer + ".json")))
        if r["case"] == "fingerprint-mismatch":
            assert res["exit"] == 1 and res["checks"]["refused"], res
            assert os.path.exists(os.path.join(dd, "offer.rewritten.sdp")), dd
        else:
            assert res["exit"] == 0 and res["checks"]["expectations"], res
            assert res["peer"]["ok"] is True, res
            t = r["timings_ms"]
            assert t["dtls_connected"] is not None, r
            if r["case"] == "datachannel":
                assert t["dc_open"] is not None, r
PY
then ok; else bad "results"; fi
sleep 1
if pgrep -f "$T" >/dev/null 2>&1; then bad "processes left behind"; pgrep -af "$T"; else ok; fi
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
