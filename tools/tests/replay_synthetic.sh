#!/bin/sh
# replay_synthetic.sh RTCGATE SRCDIR - the capture layer and rules on
# captures built here from scratch (python3 writes the pcap bytes):
# Ethernet / raw IP / BSD loopback / Linux cooked link types, IPv6, IPv4
# fragments, ICE-TCP (RFC 4571), TURN ChannelData and Send indications,
# pcapng (converted by editcap), and RFC 7675 consent expiry.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok() { passes=$((passes+1)); }
bad() { fails=$((fails+1)); echo "FAIL $*"; }

python3 - "$T" <<'PY' || { echo "generator failed"; exit 1; }
import struct, sys, zlib
out = sys.argv[1]

def stun(mtype, tid, attrs=b"", fingerprint=True):
    body = attrs
    if fingerprint:
        hdr = struct.pack(">HHI", mtype, len(body) + 8, 0x2112A442) + tid
        crc = zlib.crc32(hdr + body) ^ 0x5354554E
        body += struct.pack(">HHI", 0x8028, 4, crc & 0xFFFFFFFF)
    return struct.pack(">HHI", mtype, len(body), 0x2112A442) + tid + body

def attr(t, v):
    pad = (4 - len(v) % 4) % 4
    return struct.pack(">HH", t, len(v)) + v + b"\0" * pad

def ice_req(tid):
    return stun(0x0001, tid, attr(0x0024, struct.pack(">I", 12345)) +
                attr(0x802A, struct.pack(">Q", 1)) + attr(0x0006, b"aaaa:bbbb"))

def rtp(seq, ts=0, ssrc=0x11223344, pt=111):
    return struct.pack(">BBHII", 0x80, pt, seq, ts, ssrc) + b"\xaa" * 40

def ipv4(src, dst, proto, payload, ident=1, frag=0):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h + payload

def udp(sp, dp, payload):
    return struct.pack(">HHHH", sp, dp, 8 + len(payload), 0) + payload

def tcp(sp, dp, seq, payload, flags=0x18):
    return struct.pack(">HHIIBBHHH", sp, dp, seq, 0, 0x50, flags, 65535, 0, 0) + payload

def ipv6(src, dst, nh, payload):
    return struct.pack(">IHBB", 0x60000000, len(payload), nh, 64) + bytes(src) + bytes(dst) + payload

def pcap(name, link, frames):
    with open(f"{out}/{name}", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link))
        for t, fr in frames:
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(fr), len(fr)))
            f.write(fr)

A, B = [10, 0, 0, 1], [10, 0, 0, 2]
eth = lambda ip: b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip
t1, t2 = b"T" * 12, b"U" * 12
sess = [(0.0, ice_req(t1), 0), (0.01, stun(0x0101, t1), 1)]
sess += [(1.0 + i * 0.02, rtp(100 + i, i * 960), 0) for i in range(20)]
def frames_of(s, wrap):
    return [(t, wrap(ipv4(A, B, 17, udp(5000, 6000, p)) if d == 0 else ipv4(B, A, 17, udp(6000, 5000, p)))) for t, p, d in s]
pcap("ethernet.pcap", 1, frames_of(sess, eth))
pcap("raw.pcap", 101, frames_of(sess, lambda ip: ip))
pcap("null.pcap", 0, frames_of(sess, lambda ip: struct.pack("<I", 2) + ip))
pcap("sll.pcap", 113, frames_of(sess, lambda ip: b"\0" * 14 + b"\x08\x00" + ip))
# consent: last success at 0.01 s, media still flowing at 40 s
late = sess + [(40.0, rtp(200, 40000), 0)]
pcap("consent-expired.pcap", 101, frames_of(late, lambda ip: ip))
# consent refreshed at 35 s: no finding
fresh = sess + [(35.0, ice_req(b"V" * 12), 0), (35.01, stun(0x0101, b"V" * 12), 1), (40.0, rtp(120, 40000), 0)]
pcap("consent-fresh.pcap", 101, frames_of(fresh, lambda ip: ip))
# mDNS (a browser announcing its .local name) is not STUN despite byte 0
mdns = [(0.0, ipv4(A, [224, 0, 0, 251], 17, udp(5353, 5353, b"\x00\x00\x84\x00" + b"\x00" * 20)))]
pcap("mdns.pcap", 101, mdns + frames_of(sess, lambda ip: ip))
# an RTP timestamp going back within the sequence
tsb = sess + [(1.5, rtp(120, 100), 0)]
pcap("ts-backwards.pcap", 101, frames_of(tsb, lambda ip: ip))
# one ICE session (same ufrags) on two pairs: DTLS on the first, media on
# the second (RFC 8445 §12.1 / a new selected pair): no srtp.before-dtls
def dtls_ch():
    hs = struct.pack(">B", 1) + (40).to_bytes(3, "big") + struct.pack(">H", 0) + b"\0\0\0" + (40).to_bytes(3, "big") + b"\xfe\xfd" + b"r" * 32 + b"\0\0\0\0\0\0"
    return struct.pack(">BHHHIH", 22, 0xFEFD, 0, 0, 0, len(hs)) + hs
moved = [(t, ipv4(A, B, 17, udp(5000, 6000, p)) if d == 0 else ipv4(B, A, 17, udp(6000, 5000, p))) for t, p, d in sess[:2] + [(0.02, dtls_ch(), 0)]]
moved += [(0.5, ipv4(A, B, 17, udp(5001, 6000, ice_req(b"W" * 12)))), (0.51, ipv4(B, A, 17, udp(6000, 5001, stun(0x0101, b"W" * 12))))]
moved += [(1.0 + i * 0.02, ipv4(A, B, 17, udp(5001, 6000, rtp(100 + i, i * 960)))) for i in range(5)]
pcap("session-moved.pcap", 101, moved)
# RFC 9146 connection IDs negotiated in clear hellos, then tls12_cid records
# both ways: without a key log they still parse (the hellos say the CID
# lengths), so no dtls.malformed
def hs(mtype, seq, body):
    return struct.pack(">B", mtype) + len(body).to_bytes(3, "big") + struct.pack(">H", seq) + \
        b"\0\0\0" + len(body).to_bytes(3, "big") + body
def rec(ctype, epoch, seq, payload, cid=b""):
    return struct.pack(">BHH", ctype, 0xFEFD, epoch) + seq.to_bytes(6, "big") + cid + \
        struct.pack(">H", len(payload)) + payload
def ext(t, v):
    return struct.pack(">HH", t, len(v)) + v
cid_c, cid_s = b"CCCC", b"SSSSSS"
exts_c = ext(54, bytes([len(cid_c)]) + cid_c)
exts_s = ext(54, bytes([len(cid_s)]) + cid_s)
ch = b"\xfe\xfd" + b"r" * 32 + b"\0" + b"\0" + struct.pack(">H", 2) + b"\xc0\x2b" + b"\x01\x00" + \
    struct.pack(">H", len(exts_c)) + exts_c
sh = b"\xfe\xfd" + b"s" * 32 + b"\0" + b"\xc0\x2b" + b"\x00" + struct.pack(">H", len(exts_s)) + exts_s
cidf = [(0.0, rec(22, 0, 0, hs(1, 0, ch)), 0), (0.01, rec(22, 0, 0, hs(2, 0, sh)), 1)]
cidf += [(0.1 + i * 0.01, rec(25, 1, i, b"\x55" * 40, cid_s), 0) for i in range(3)]
cidf += [(0.2 + i * 0.01, rec(25, 1, i, b"\x66" * 40, cid_c), 1) for i in range(3)]
pcap("dtls-cid.pcap", 101, frames_of(cidf, lambda ip: ip))
# IPv6
A6, B6 = [0xfd] + [0] * 14 + [1], [0xfd] + [0] * 14 + [2]
pcap("ipv6.pcap", 101, [(t, ipv6(A6, B6, 17, udp(5000, 6000, p)) if d == 0 else ipv6(B6, A6, 17, udp(6000, 5000, p))) for t, p, d in sess])
# a 3000-byte UDP datagram (an RTP packet) in IPv4 fragments, sent out of order
big = udp(5000, 6000, rtp(1, 0)[:12] + b"\x55" * 2988)
frs = [(0.0, ipv4(A, B, 17, big[1480:2960], 7, 0x2000 | (1480 // 8))),
       (0.001, ipv4(A, B, 17, big[2960:], 7, 2960 // 8)),
       (0.002, ipv4(A, B, 17, big[:1480], 7, 0x2000))]
pcap("fragments.pcap", 101, frs)
# ICE-TCP: RFC 4571 frames, a STUN request split across two segments, then RTP
req = ice_req(t1)
stream = struct.pack(">H", len(req)) + req + struct.pack(">H", 52) + rtp(7)
segs = [(0.0, ipv4(A, B, 6, tcp(5000, 6000, 1000, b"", 0x02))),
        (0.1, ipv4(A, B, 6, tcp(5000, 6000, 1001, stream[:30]))),
        (0.2, ipv4(A, B, 6, tcp(5000, 6000, 1031, stream[30:])))]
pcap("ice-tcp.pcap", 101, segs)
# TURN: ChannelData (0x4000) carrying RTP, a Send indication carrying STUN
def chan(n, p):
    return struct.pack(">HH", n, len(p)) + p + b"\0" * ((4 - len(p) % 4) % 4)
xpeer = attr(0x0012, struct.pack(">BBH4s", 0, 1, 7000 ^ 0x2112, bytes(x ^ y for x, y in zip([10, 0, 0, 9], b"\x21\x12\xa4\x42"))))
send = stun(0x0016, b"S" * 12, xpeer + attr(0x0013, ice_req(t2)), fingerprint=False)
turn = [(0.0, ipv4(A, B, 17, udp(5000, 3478, send)))] + \
       [(0.1 + i * 0.02, ipv4(A, B, 17, udp(5000, 3478, chan(0x4000, rtp(50 + i))))) for i in range(10)] + \
       [(0.5, ipv4(A, B, 17, udp(5000, 3478, b"\x40\x01\x00\x10\x00")))]
pcap("turn.pcap", 101, turn)
# XOR-MAPPED-ADDRESS in a Binding success response (RFC 8489 §14.2)
def xmapped(ip, port, tid):
    if len(ip) == 4:
        x = bytes(a ^ b for a, b in zip(ip, b"\x21\x12\xa4\x42"))
        return attr(0x0020, struct.pack(">BBH", 0, 1, port ^ 0x2112) + x)
    x = bytes(a ^ b for a, b in zip(ip, b"\x21\x12\xa4\x42" + tid))
    return attr(0x0020, struct.pack(">BBH", 0, 2, port ^ 0x2112) + x)
def mapped_sess(ip):
    s = [(0.0, ice_req(t1), 0), (0.01, stun(0x0101, t1, xmapped(ip, 4000, t1)), 1)]
    return frames_of(s, lambda x: x)
pcap("mapped-private.pcap", 101, mapped_sess([192, 168, 7, 7]))
pcap("mapped-public.pcap", 101, mapped_sess([203, 0, 113, 9]))
pcap("mapped-ipv6.pcap", 101, mapped_sess([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [7]))
PY

json() { # json NAME PYEXPR: replay T/NAME.pcap and check a Python expression on the JSON
  rm -f "$T/out.json"
  "$R" replay "$T/$1" --quiet --json "$T/out.json" >/dev/null 2>"$T/err"
  if python3 -c "import json,sys; d=json.load(open('$T/out.json')); s=d['summary']; ids=[f['id'] for f in d['findings']]; streams=[st for se in d['sessions'] for fl in se['flows'] for st in fl['streams']]; flows=[fl for se in d['sessions'] for fl in se['flows']]; sys.exit(0 if ($2) else 1)" 2>"$T/pyerr"; then ok
  else bad "$1: expected $2"; cat "$T/err" "$T/pyerr"; python3 -m json.tool "$T/out.json" | head -40; fi
}
# the same with an SDP declaring PT 111 as Opus (timestamp ordering is checked
# only for payload types an SDP maps to a codec other than rtx)
printf 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:aaaa\r\na=ice-pwd:pppppppppppppppppppppp\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 112\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:112 rtx/48000\r\n' > "$T/s.sdp"
json_sdp() {
  rm -f "$T/out.json"
  "$R" replay "$T/$1" --sdp "$T/s.sdp" --quiet --json "$T/out.json" >/dev/null 2>"$T/err"
  if python3 -c "import json,sys; d=json.load(open('$T/out.json')); ids=[f['id'] for f in d['findings']]; streams=[st for se in d['sessions'] for fl in se['flows'] for st in fl['streams']]; sys.exit(0 if ($2) else 1)" 2>"$T/pyerr"; then ok
  else bad "$1 (with SDP): expected $2"; cat "$T/err" "$T/pyerr"; fi
}
for f in ethernet raw null sll; do
  json $f.pcap "s['stun']==2 and s['srtp']['packets']==20 and s['ssrcs']==1 and len(d['sessions'])==1"
done
json consent-expired.pcap "'ice.consent-expired' in ids"
json session-moved.pcap "'srtp.before-dtls' not in ids and len(flows)==2 and s['srtp']['packets']==5"
json dtls-cid.pcap "'dtls.malformed' not in ids and s['dtls'] == 8"
json raw.pcap "'srtp.before-dtls' in ids"
json mdns.pcap "'stun.malformed' not in ids and s['stun']==2"
json_sdp ts-backwards.pcap "'rtp.timestamp-backwards' in ids and streams[0]['timestamp_backwards']==1"
json_sdp raw.pcap "'rtp.timestamp-backwards' not in ids"
json consent-fresh.pcap "'ice.consent-expired' not in ids and s['srtp']['packets']==21"
json ipv6.pcap "s['stun']==2 and s['srtp']['packets']==20 and flows[0]['a'].startswith('[fd00:')"
json fragments.pcap "s['srtp']['packets']==1 and 'ip.fragment' in ids and streams[0]['bytes']==3000"
json ice-tcp.pcap "s['stun']==1 and s['srtp']['packets']==1 and flows[0]['transport']=='tcp'"
json turn.pcap "s['turn_channel']==10 and s['stun']==2 and s['srtp']['packets']==10 and 'turn.channel-malformed' in ids and any(fl['via_turn'] for fl in flows)"
# SDPs are read by the stack's SDP codec: a malformed one is unusable input
printf 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' > "$T/noc.sdp"
"$R" replay "$T/raw.pcap" --sdp "$T/noc.sdp" >/dev/null 2>"$T/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "noc.sdp:5: malformed SDP: .*c=" "$T/err"; then ok; else bad "malformed SDP: exit $rc"; cat "$T/err"; fi
# ice.private-address-exposed (RFC 8828 §5.2): host candidates with private
# (RFC 1918), ULA, link-local or global IPv6 addresses are flagged once per
# address and SDP; public IPv4, mDNS names and non-host candidates are not
{ printf 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n'
  printf 'a=candidate:1 1 udp 2122260223 192.168.1.5 50000 typ host\r\n'
  printf 'a=candidate:2 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active\r\n'
  printf 'a=candidate:3 1 udp 2122260223 203.0.113.7 50001 typ host\r\n'
  printf 'a=candidate:4 1 udp 2122260223 0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.local 50002 typ host\r\n'
  printf 'a=candidate:5 1 udp 2122260223 2001:db8::1 50003 typ host\r\n'
  printf 'a=candidate:6 1 udp 2122260223 fd12::5 50004 typ host\r\n'
  printf 'a=candidate:7 1 udp 2122260223 fe80::1 50005 typ host\r\n'
  printf 'a=candidate:8 1 udp 1686052607 198.51.100.4 50006 typ srflx raddr 192.168.1.5 rport 50000\r\n'
  printf 'a=rtpmap:111 opus/48000/2\r\n'; } > "$T/cand.sdp"
# only relay candidates: the endpoint was relay-only
{ printf 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n'
  printf 'a=candidate:9 1 udp 41885439 198.51.100.20 60000 typ relay raddr 0.0.0.0 rport 0\r\n'
  printf 'a=rtpmap:111 opus/48000/2\r\n'; } > "$T/relay.sdp"
xjson() { # xjson NAME PYEXPR ARGS...: replay with extra arguments, check the findings
  n=$1; e=$2; shift 2
  rm -f "$T/out.json"
  "$R" replay "$@" --quiet --json "$T/out.json" >/dev/null 2>"$T/err"
  if python3 -c "import json,sys; d=json.load(open('$T/out.json')); x=[f['message'] for f in d['findings'] if f['id']=='ice.private-address-exposed']; sev=[f['severity'] for f in d['findings'] if f['id']=='ice.private-address-exposed']; sys.exit(0 if ($e) else 1)" 2>"$T/pyerr"; then ok
  else bad "$n: expected $e"; cat "$T/err" "$T/pyerr"; python3 -c "import json; print([f['message'] for f in json.load(open('$T/out.json'))['findings']])"; fi
}
xjson sdp-host-candidates "len(x)==4 and set(sev)=={'warning'} and sum('192.168.1.5, a private address (RFC 1918)' in m for m in x)==1 and any('2001:db8::1, a real (global) IPv6' in m for m in x) and any('fd12::5, a unique local' in m for m in x) and any('fe80::1, a link-local' in m for m in x) and not any('203.0.113.7' in m or '.local' in m.split(',')[0] or '198.51.100.4' in m for m in x)" "$T/raw.pcap" --sdp "$T/cand.sdp"
xjson sdp-relay-none "len(x)==0" "$T/raw.pcap" --sdp "$T/relay.sdp"
xjson mapped-not-relay-only "len(x)==0" "$T/mapped-private.pcap"
xjson mapped-relay-only "len(x)==1 and 'XOR-MAPPED-ADDRESS of a Binding success carries 192.168.7.7:4000, a private address' in x[0]" "$T/mapped-private.pcap" --relay-only
xjson mapped-relay-sdp "len(x)==1 and 'relay-only was expected' in x[0]" "$T/mapped-private.pcap" --sdp "$T/relay.sdp"
xjson mapped-public "len(x)==0" "$T/mapped-public.pcap" --relay-only
xjson mapped-ipv6 "len(x)==1 and '[2001:db8::7]:4000' in x[0] and 'real (global) IPv6' in x[0]" "$T/mapped-ipv6.pcap" --relay-only
xjson peer-relay-only "len(x)==1 and 'XOR-PEER-ADDRESS of a Send indication carries 10.0.0.9:7000' in x[0]" "$T/turn.pcap" --relay-only
xjson peer-not-relay-only "len(x)==0" "$T/turn.pcap"
if "$R" replay --list-rules | grep -q '^ice.private-address-exposed *warning *RFC 8828 §5.2'; then ok; else bad "--list-rules lacks ice.private-address-exposed"; fi
# pcapng: the same session converted by editcap
if editcap -F pcapng "$T/raw.pcap" "$T/raw.pcapng" >/dev/null 2>&1; then
  json raw.pcapng "s['stun']==2 and s['srtp']['packets']==20"
else bad "editcap -F pcapng failed"; fi
# an unsupported link type is an input error
python3 -c "
import struct; open('$T/usb.pcap','wb').write(struct.pack('<IHHiIII',0xA1B2C3D4,2,4,0,0,65535,189))"
"$R" replay "$T/usb.pcap" >/dev/null 2>"$T/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "unsupported link type 189" "$T/err"; then ok; else bad "usb link type: exit $rc"; cat "$T/err"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
