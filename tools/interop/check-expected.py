#!/usr/bin/env python3
"""check-expected.py RTCGATE DIR... - every run directory below each DIR that
holds an expected.json (the pcaps/ format: capture.pcap, offer.sdp,
answer.sdp, keylog.txt) is replayed afresh with `RTCGATE replay`, and the
result must equal expected.json exactly where tools/tests/replay_pcaps.sh
compares it: summary counts, streams, findings, DTLS versions, data
channels. Prints the number of directories checked; exit 1 on a
difference. Used by tools/tests/interop_*.sh for `rtcgate interop
--keep-captures` directories and the sessions kept in pcaps/interop/."""
import json
import os
import subprocess
import sys


def check(rtcgate, d):
    f = lambda x: os.path.join(d, x)
    args = [rtcgate, "replay", f("capture.pcap"), "--json", "-", "--quiet"]
    for x in ("offer.sdp", "answer.sdp"):
        if os.path.exists(f(x)):
            args += ["--sdp", f(x)]
    if os.path.exists(f("keylog.txt")) and os.path.getsize(f("keylog.txt")) > 0:
        args += ["--keylog", f("keylog.txt")]
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    got, exp = json.loads(out), json.load(open(f("expected.json")))
    s = got["summary"]
    summ = {"packets": s["packets"], "stun": s["stun"], "dtls": s["dtls"],
            "srtp_packets": s["srtp"]["packets"], "srtp_authenticated": s["srtp"]["authenticated"],
            "srtcp_packets": s["srtcp"]["packets"],
            "srtcp_authenticated": s["srtcp"]["authenticated"], "ssrcs": s["ssrcs"],
            "dtls_decrypted": s["dtls_decrypted"],
            "datachannel_messages": s["datachannel"]["messages"]}
    errs = []
    if exp["summary"] != summ:
        errs.append("summary %s, expected %s" % (summ, exp["summary"]))
    streams = {"%08x" % st["ssrc"]: {k: st[k] for k in ("packets", "payload_type", "lost",
                                                        "authenticated", "mid")}
               for sess in got["sessions"] for fl in sess["flows"] for st in fl["streams"]}
    if exp["streams"] != streams:
        errs.append("streams %s, expected %s" % (streams, exp["streams"]))
    ids = {}
    for x in got["findings"]:
        ids[x["id"]] = ids.get(x["id"], 0) + 1
    if exp["findings"] != ids:
        errs.append("findings %s, expected %s" % (ids, exp["findings"]))
    vers = [fl["dtls_version"] for sess in got["sessions"] for fl in sess["flows"]
            if fl["dtls_version"]]
    if exp["dtls_version"] != vers:
        errs.append("dtls versions %s, expected %s" % (vers, exp["dtls_version"]))
    chans = [{k: c[k] for k in ("label", "protocol", "stream", "messages", "bytes")}
             for c in s["datachannel"]["channels"]]
    if exp["channels"] != chans:
        errs.append("channels %s, expected %s" % (chans, exp["channels"]))
    return errs


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    n, bad = 0, 0
    for root in sys.argv[2:]:
        for dirpath, dirs, files in sorted(os.walk(root)):
            if "expected.json" not in files or "capture.pcap" not in files:
                continue
            n += 1
            for e in check(sys.argv[1], dirpath):
                print("%s: %s" % (dirpath, e))
                bad += 1
    print(n)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
