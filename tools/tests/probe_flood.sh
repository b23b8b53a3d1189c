#!/bin/sh
# probe_flood.sh RTCGATE SRCDIR - `rtcgate probe flood` on 127.0.0.1:
# 1. against `rtcgate peer --listen`: the probe sets up an ICE session
#    (--offer-to), floods it (2000 unauthenticated, bad-integrity and
#    valid-integrity Binding requests each, at 2000/s); the peer must
#    answer no bad integrity, rate-limit unauthenticated checks, keep
#    consent and its session (exit 0);
# 2. target mode (--target/--ufrag/--pwd) on the same session;
# 3. a deliberately broken ICE responder (python: answers everything with
#    success and 300 bytes of padding): exit 1 naming the findings.
RTCGATE=${1:?rtcgate}
. "$(dirname "$0")/lib.sh"
need python3
PORT=$(freeport)

"$RTCGATE" probe flood >/dev/null 2>&1; [ $? -eq 2 ] && ok "no target exits 2" || ko "no target exits 2"
"$RTCGATE" probe flood --target 192.0.2.1:9 --ufrag a --pwd b >/dev/null 2>&1
[ $? -eq 2 ] && ok "a target outside 127.0.0.0/8 is refused" || ko "a target outside 127.0.0.0/8 is refused"
"$RTCGATE" probe flood --offer-to http://127.0.0.1:$PORT/offer >"$T/none.out" 2>&1
[ $? -eq 2 ] && ok "no answerer: exit 2" || { cat "$T/none.out"; ko "no answerer: exit 2"; }

"$RTCGATE" peer --listen 127.0.0.1:$PORT --bind 127.0.0.1 --timeout 30 2>"$T/peer.log" &
PEER=$!
PIDS="$PIDS $PEER"
wait_for "$T/peer.log" 'listening on'

"$RTCGATE" probe flood --offer-to http://127.0.0.1:$PORT/offer --json "$T/flood.json" >"$T/flood.out" 2>&1
rc=$?
cat "$T/flood.out"
[ $rc -eq 0 ] && ok "rtcgate peer under flood: exit 0 (no finding)" || ko "rtcgate peer under flood: exit 0 (rc $rc)"
python3 - "$T/flood.json" <<'PY' && ok "rtcgate peer: no answer to bad integrity, unauthenticated rate-limited, consent held, session survived" || ko "rtcgate peer: flood figures"
import json, sys
r = json.load(open(sys.argv[1]))
f = {x["flood"]: x for x in r["floods"]}
assert f["bad-integrity"]["success"] == 0 and f["bad-integrity"]["received"] == 0, f["bad-integrity"]
assert f["unauthenticated"]["success"] == 0, f["unauthenticated"]
assert f["unauthenticated"]["received"] <= f["unauthenticated"]["sent"] // 10, f["unauthenticated"]
assert f["valid-integrity"]["success"] > 0 and f["valid-integrity"]["amplification"] <= 2.0, f["valid-integrity"]
for x in f.values():
    c = x["consent"]
    assert c["answered"] * 2 >= c["checks"] and c["max_gap_ms"] < 2000, (x["flood"], c)
assert r["after"]["survived"], r["after"]
print("figures:", json.dumps({k: {"sent": v["sent"], "back": v["received"], "amplification": round(v["amplification"], 2), "consent": "%d/%d" % (v["consent"]["answered"], v["consent"]["checks"])} for k, v in f.items()}))
PY

set -- $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["target"], r["answer_ufrag"], r["answer_pwd"], r["offer_ufrag"])' "$T/flood.json" 2>/dev/null)
if [ $# -eq 4 ]; then
  "$RTCGATE" probe flood --target "$1" --ufrag "$2" --pwd "$3" --local-ufrag "$4" --count 500 \
    --json "$T/target.json" >"$T/target.out" 2>&1
  rc=$?
  cat "$T/target.out"
  [ $rc -eq 0 ] && ok "target mode on the same session: exit 0" || ko "target mode on the same session (rc $rc)"
else
  ko "the report names the target and its ICE credentials"
fi
stop_pid "$PEER"

# a broken ICE responder: success to anything, with MESSAGE-INTEGRITY keyed
# with the password it was told (so the probe's own checks succeed) and
# 300 bytes of SOFTWARE padding
BPORT=$(freeport udp)
cat >"$T/bad.py" <<'PY'
import hashlib, hmac, socket, struct, sys, time, zlib
port, pwd = int(sys.argv[1]), sys.argv[2].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(0.5)
end = time.time() + 30
def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    if len(d) < 20 or struct.unpack("!H", d[:2])[0] != 0x0001:
        continue
    tid = d[8:20]
    ip = bytes(b ^ c for b, c in zip(socket.inet_aton(a[0]), struct.pack("!I", 0x2112A442)))
    body = attr(0x0020, struct.pack("!BBH", 0, 1, a[1] ^ 0x2112) + ip) + attr(0x8022, b"x" * 300)
    head = lambda n: struct.pack("!HHI", 0x0101, n, 0x2112A442) + tid
    mi = hmac.new(pwd, head(len(body) + 24) + body, hashlib.sha1).digest()
    body += attr(0x0008, mi)
    fp = (zlib.crc32(head(len(body) + 8) + body) ^ 0x5354554E) & 0xFFFFFFFF
    body += attr(0x8028, struct.pack("!I", fp))
    s.sendto(head(len(body)) + body, a)
PY
python3 "$T/bad.py" "$BPORT" badpassword1234567890xyz &
PIDS="$PIDS $!"
sleep 0.3
"$RTCGATE" probe flood --target 127.0.0.1:$BPORT --ufrag badu --pwd badpassword1234567890xyz --count 300 \
  --json "$T/bad.json" >"$T/bad.out" 2>&1
rc=$?
cat "$T/bad.out"
[ $rc -eq 1 ] && ok "broken responder: exit 1" || ko "broken responder: exit 1 (rc $rc)"
python3 - "$T/bad.json" <<'PY' && ok "broken responder: success to bad integrity and amplification named" || ko "broken responder: findings named"
import json, sys
fs = " | ".join(json.load(open(sys.argv[1]))["findings"])
assert "bad-integrity checks answered with success" in fs, fs
assert "unauthenticated checks answered with success" in fs, fs
assert "flood amplified" in fs, fs
PY
finish
