#!/bin/sh
# replay_pcaps.sh RTCGATE SRCDIR - conformance tests over the bundled browser
# captures (pcaps/*/): exact expected counts and findings, getStats() lower
# bounds, derived negative captures, and clear errors for unusable input.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok() { passes=$((passes+1)); }
bad() { fails=$((fails+1)); echo "FAIL $*"; }
expect_rc() { # expect_rc NAME WANT CMD...
  en=$1; w=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -eq "$w" ]; then ok; else bad "$en: exit $rc, want $w"; cat "$T/err"; fi
}

for d in "$S"/pcaps/*/; do
  [ -f "$d/capture.pcap" ] || continue
  n=$(basename "$d")
  expect_rc "$n-replay" 0 "$R" replay "$d/capture.pcap" --sdp "$d/offer.sdp" --sdp "$d/answer.sdp" \
    --keylog "$d/keylog.txt" --json "$T/$n.json" --junit "$T/$n.xml" --quiet
  if python3 - "$T/$n.json" "$d" "$T/$n.xml" >"$T/py" 2>&1 <<'PY'
import json, sys, collections
import xml.etree.ElementTree as ET
got = json.load(open(sys.argv[1])); d = sys.argv[2]
exp = json.load(open(d + "/expected.json"))
s = got["summary"]
summ = {"packets": s["packets"], "stun": s["stun"], "dtls": s["dtls"],
        "srtp_packets": s["srtp"]["packets"], "srtp_authenticated": s["srtp"]["authenticated"],
        "srtcp_packets": s["srtcp"]["packets"], "srtcp_authenticated": s["srtcp"]["authenticated"],
        "ssrcs": s["ssrcs"], "dtls_decrypted": s["dtls_decrypted"],
        "datachannel_messages": s["datachannel"]["messages"]}
errs = []
for k, v in exp["summary"].items():
    if summ.get(k) != v: errs.append("summary.%s = %s, expected %s" % (k, summ.get(k), v))
streams = {}
for sess in got["sessions"]:
    for fl in sess["flows"]:
        for st in fl["streams"]:
            streams["%08x" % st["ssrc"]] = st
for ssrc, e in exp["streams"].items():
    g = streams.get(ssrc)
    if g is None: errs.append("stream %s missing" % ssrc); continue
    for k in ("packets", "payload_type", "lost", "authenticated", "mid"):
        if g[k] != e[k]: errs.append("stream %s %s = %s, expected %s" % (ssrc, k, g[k], e[k]))
fid = collections.Counter(f["id"] for f in got["findings"])
if dict(fid) != exp["findings"]: errs.append("findings %s, expected %s" % (dict(fid), exp["findings"]))
vers = [fl["dtls_version"] for sess in got["sessions"] for fl in sess["flows"] if fl["dtls_version"]]
if vers != exp["dtls_version"]: errs.append("dtls versions %s, expected %s" % (vers, exp["dtls_version"]))
# The browsers' own getStats() are lower bounds (stats were taken before the
# end). Browsers count retransmissions sent on the RTX SSRC in the primary
# stream's packetsSent, so the RTX streams of the same direction (payload
# types mapped to "rtx" in the SDPs) may make up the difference.
import re
rtx_pts = set()
for role in ("offer", "answer"):
    rtx_pts |= {int(m) for m in re.findall(r"a=rtpmap:(\d+) rtx/", open("%s/%s.sdp" % (d, role)).read())}
rtx_by_dir = collections.Counter()
for st in streams.values():
    if st["payload_type"] in rtx_pts: rtx_by_dir[st["direction"]] += st["packets"]
for role in ("offer", "answer"):
    for st in json.load(open("%s/%s.json" % (d, role)))["stats"]:
        if st["type"] == "outbound-rtp": want = st["packetsSent"]
        elif st["type"] == "inbound-rtp": want = st["packetsReceived"]
        else: continue
        g = streams.get("%08x" % st["ssrc"])
        if g is None or g["packets"] + rtx_by_dir[g["direction"]] < want:
            errs.append("%s %s ssrc %08x: browser counted %d, replay %s" % (role, st["type"], st["ssrc"], want, g and g["packets"]))
# every SRTP/SRTCP packet of a clean capture authenticates with the key log
if s["srtp"]["authenticated"] != s["srtp"]["packets"] or s["srtcp"]["authenticated"] != s["srtcp"]["packets"]:
    errs.append("not every SRTP/SRTCP packet authenticated: %s %s" % (s["srtp"], s["srtcp"]))
chans = [{k: c[k] for k in ("label", "protocol", "stream", "messages", "bytes")} for c in s["datachannel"]["channels"]]
if chans != exp["channels"]: errs.append("channels %s, expected %s" % (chans, exp["channels"]))
# Independently of expected.json: what the pages sent and received. Text
# messages are listed; binary ones appear as "[binary N]" on the receiver.
pages = {role: json.load(open("%s/%s.json" % (d, role))) for role in ("offer", "answer")}
want_msgs = sorted(len(p["received"]) for p in pages.values())
want_bytes = sum(len(m.encode()) if not m.startswith("[binary ") else int(m[8:-1])
                 for p in pages.values() for m in p["received"])
got = [c for c in s["datachannel"]["channels"] if c["label"] == "rtcgate-chat"]
if not got or sorted(got[0]["messages_by_direction"]) != want_msgs or got[0]["bytes"] != want_bytes \
        or got[0]["protocol"] != "rtcgate-v1":
    errs.append("data channel: replay %s, pages received %s messages / %d bytes" % (got, want_msgs, want_bytes))
root = ET.parse(sys.argv[3]).getroot()
if root.tag != "testsuites" or not root.findall("./testsuite/testcase"):
    errs.append("JUnit XML has no testcases")
print("\n".join(errs))
sys.exit(1 if errs else 0)
PY
  then ok; else bad "$n: results differ from expected.json / getStats:"; cat "$T/py"; fi
done

# Negative captures derived by tools/make-negative-pcaps.
P="$S/pcaps/firefox-chromium-dtls12"
if python3 "$S/tools/make-negative-pcaps" "$P" "$T/neg" >"$T/err" 2>&1; then ok; else bad "make-negative-pcaps"; cat "$T/err"; fi
finding() { # finding NAME RULE CMD...: exit 1 and RULE among the findings
  fn=$1; rule=$2; shift 2
  "$@" --quiet --json "$T/f.json" >/dev/null 2>"$T/err"; rc=$?
  if [ "$rc" -eq 1 ] && grep -q "\"id\": \"$rule\"" "$T/f.json"; then ok; else
    bad "$fn: exit $rc, want 1 with finding $rule"; cat "$T/err"; fi
}
finding bad-fingerprint stun.fingerprint "$R" replay "$T/neg/bad-fingerprint.pcap"
finding bad-integrity stun.integrity "$R" replay "$T/neg/bad-integrity.pcap" --sdp "$P/offer.sdp" --sdp "$P/answer.sdp"
finding truncated capture.truncated "$R" replay "$T/neg/truncated.pcap"
finding mitm-fingerprint dtls.fingerprint-mismatch "$R" replay "$P/capture.pcap" --sdp "$P/offer.sdp" --sdp "$T/neg/wrong-fingerprint.sdp"
# with the key log: SRTP tag, SRTP replay, DTLS record tampering, and the
# DTLS 1.3 certificate (encrypted) against the SDP fingerprint
K="--sdp $P/offer.sdp --sdp $P/answer.sdp --keylog $P/keylog.txt"
finding tampered-srtp srtp.auth-failed "$R" replay "$T/neg/tampered-srtp.pcap" $K
finding replayed-srtp srtp.replay "$R" replay "$T/neg/replayed-srtp.pcap" --rules srtp.replay=error $K
finding tampered-dtls dtls.auth-failed "$R" replay "$T/neg/tampered-dtls.pcap" $K
finding bad-sctp-checksum sctp.checksum "$R" replay "$T/neg/bad-sctp-checksum.pcap" $K
C13="$S/pcaps/chromium-firefox-dtls13"
python3 "$S/tools/make-negative-pcaps" "$C13" "$T/neg13" >/dev/null 2>&1 || bad "make-negative-pcaps dtls13"
finding mitm-fingerprint-dtls13 dtls.fingerprint-mismatch "$R" replay "$C13/capture.pcap" --sdp "$C13/offer.sdp" --sdp "$T/neg13/wrong-fingerprint.sdp" --keylog "$C13/keylog.txt"
finding tampered-srtp-dtls13 srtp.auth-failed "$R" replay "$T/neg13/tampered-srtp.pcap" --sdp "$C13/offer.sdp" --sdp "$C13/answer.sdp" --keylog "$C13/keylog.txt"
# SDP-dependent RTP rules: header extension ids, MIDs, extmap conflicts
C="$S/pcaps/chromium-firefox-dtls13"
grep -v 'sdes:mid' "$C/offer.sdp" > "$T/nomid-offer.sdp"; grep -v 'sdes:mid' "$C/answer.sdp" > "$T/nomid-answer.sdp"
finding undeclared-ext rtp.undeclared-extension "$R" replay "$C/capture.pcap" --sdp "$T/nomid-offer.sdp" --sdp "$T/nomid-answer.sdp"
# (browser SDP lines end in CRLF)
sed 's/^a=mid:1\(\r*\)$/a=mid:video\1/; s/BUNDLE 0 1 2/BUNDLE 0 video 2/' "$C/offer.sdp" > "$T/mid-offer.sdp"
sed 's/^a=mid:1\(\r*\)$/a=mid:video\1/; s/BUNDLE 0 1 2/BUNDLE 0 video 2/' "$C/answer.sdp" > "$T/mid-answer.sdp"
finding unknown-mid rtp.unknown-mid "$R" replay "$C/capture.pcap" --sdp "$T/mid-offer.sdp" --sdp "$T/mid-answer.sdp"
awk '{print} /^a=mid:0/{print "a=extmap:2 urn:ietf:params:rtp-hdrext:toffset\r"}' "$C/offer.sdp" > "$T/conflict.sdp"
finding extmap-conflict sdp.extmap-conflict "$R" replay "$C/capture.pcap" --sdp "$T/conflict.sdp" --sdp "$C/answer.sdp"

# the HTML report: self-contained, ladder + plots, findings linked
"$R" replay "$T/neg/bad-integrity.pcap" --sdp "$P/offer.sdp" --sdp "$P/answer.sdp" --html "$T/html" --quiet >/dev/null 2>&1
if grep -q '<svg class="ladder"' "$T/html/index.html" && grep -q 'href="#f' "$T/html/index.html" \
   && grep -q 'id="f0"' "$T/html/index.html" && grep -q 'DTLS client_hello' "$T/html/index.html" \
   && grep -q 'polyline' "$T/html/index.html" && ! grep -Eq '(src|href)="https?:' "$T/html/index.html"; then ok
else bad "html report content"; fi
expect_rc html-unwritable 2 "$R" replay "$P/capture.pcap" --html /proc/nope/dir --quiet
# rules can silence a finding
expect_rc rules-disable 0 "$R" replay "$T/neg/bad-fingerprint.pcap" --rules -stun.fingerprint --quiet

# key logs embedded in pcapng Decryption Secrets Blocks
if editcap --inject-secrets "tls,$P/keylog.txt" "$P/capture.pcap" "$T/dsb.pcapng" >/dev/null 2>&1; then
  "$R" replay "$T/dsb.pcapng" --json "$T/dsb.json" --quiet >/dev/null 2>&1
  if python3 -c "import json,sys; k=json.load(open(sys.argv[1]))['summary']['keylog']; sys.exit(0 if k['from_capture_blocks']==1 and k['matched']>=1 else 1)" "$T/dsb.json"; then ok; else bad "pcapng DSB key log not read"; fi
else bad "editcap --inject-secrets failed (tshark/wireshark-common installed?)"; fi

# unusable input: a clear message and exit 2
expect_rc missing 2 "$R" replay "$T/nope.pcap"
grep -q "cannot read capture" "$T/err" && ok || bad "missing: message"
printf 'not a capture at all' > "$T/junk.pcap"
expect_rc junk 2 "$R" replay "$T/junk.pcap"
expect_rc keylog-mismatch 2 "$R" replay "$P/capture.pcap" --keylog "$S/pcaps/chromium-firefox-dtls13/keylog.txt"
grep -q "key log matches nothing" "$T/err" && ok || bad "keylog-mismatch: message"
expect_rc keylog-garbage 2 "$R" replay "$P/capture.pcap" --keylog "$P/offer.sdp"
expect_rc sdp-garbage 2 "$R" replay "$P/capture.pcap" --sdp "$P/keylog.txt"
expect_rc rules-unknown 2 "$R" replay "$P/capture.pcap" --rules nosuch.rule
expect_rc no-capture 2 "$R" replay
expect_rc list-rules 0 "$R" replay --list-rules
grep -q "dtls.fingerprint-mismatch" "$T/out" && ok || bad "list-rules content"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
