#!/bin/sh
# fuzz_corpus.sh RTCGATE SRCDIR - `rtcgate corpus from-pcap`: a capture
# written here with python3's struct (Ethernet/IPv4/IPv6, a duplicate, a
# fragmented datagram, SCTP over IP, ARP, TCP) is split into seeds per
# RFC 7983 class, named by SHA-1, deduplicated, with README notes.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$S/fuzz/testdata/testlib.sh"

if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 is needed to write the test capture"; finish
fi
python3 - "$T/cap.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def eth(t, p): return b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + struct.pack('!H', t) + p
def ip4(proto, payload, ident=1, frag=0):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    bytes([127,0,0,1]), bytes([127,0,0,2]))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return eth(0x0800, h + payload)
def udp(sp, dp, p): return struct.pack('!HHHH', sp, dp, 8 + len(p), 0) + p
def ip6udp(p):
    src, dst = b'\0'*15 + b'\1', b'\0'*15 + b'\1'
    u = struct.pack('!HHHH', 5000, 5002, 8 + len(p), 0) + p
    ph = src + dst + struct.pack('!IxxxB', len(u), 17)
    c = csum(ph + u) or 0xffff
    u = u[:6] + struct.pack('!H', c) + u[8:]
    return eth(0x86dd, struct.pack('!IHBB', 6 << 28, len(u), 17, 64) + src + dst + u)
stun = bytes.fromhex('000100002112a442' + '0102030405060708090a0b0c')
dtls = bytes.fromhex('16fefd000000000000000000050100000100')
rtp = bytes.fromhex('80001c4e0000000112345678') + b'\xff' * 20
rtcp = bytes.fromhex('80c80006123456780000000000000000000000000000000000000000')
turn = bytes.fromhex('4000000401020304')
zrtp = bytes.fromhex('1000000000000000')
big = bytes.fromhex('80611000000000020000abcd') + bytes(range(256)) * 8   # 2060 bytes
sctp = struct.pack('!HHII', 5000, 5000, 0, 0) + struct.pack('!BBH', 1, 0, 4)
frames = [ip4(17, udp(5000, 5002, stun)), ip4(17, udp(5000, 5002, stun)),  # duplicate
          ip4(17, udp(5000, 5002, dtls)), ip4(17, udp(5000, 5002, rtp)),
          ip4(17, udp(5000, 5002, rtcp)), ip4(17, udp(5000, 5002, turn)),
          ip4(17, udp(5000, 5002, zrtp)), ip6udp(rtp[:12] + b'\x01'),
          ip4(132, sctp), eth(0x0806, b'\0' * 28),
          ip4(6, struct.pack('!HHIIBBHHH', 1, 2, 0, 0, 0x50, 0x02, 1024, 0, 0))]
d = udp(5000, 5002, big)                                  # fragmented in two
frames += [ip4(17, d[:1480], ident=7, frag=0x2000), ip4(17, d[1480:], ident=7, frag=1480 // 8)]
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(fr), len(fr)) + fr)
PY

check from-pcap 0 "$R" corpus from-pcap "$T/cap.pcap" --out "$T/c" --max-size 0
ok "stun seed (duplicate skipped)" [ "$(count "$T/c/stun_parse")" -eq 1 ]
ok "dtls seed" [ "$(count "$T/c/dtls_record")" -eq 1 ]
ok "rtp seeds (IPv4, IPv6, reassembled)" [ "$(count "$T/c/rtp_parse")" -eq 3 ]
ok "rtcp seed" [ "$(count "$T/c/rtcp_parse")" -eq 1 ]
ok "turn seed" [ "$(count "$T/c/turn_channel")" -eq 1 ]
ok "sctp seed" [ "$(count "$T/c/sctp_packet")" -eq 1 ]
ok "summary counts" grep -q "13 frames" "$T/out"
# seeds are named by the SHA-1 of their content, like libFuzzer's corpus
f=$(find "$T/c/stun_parse" -type f ! -name README.md)
if command -v sha1sum >/dev/null 2>&1; then
  ok "sha1 name" [ "$(basename "$f")" = "$(sha1sum "$f" | cut -c1-40)" ]
fi
ok "reassembled datagram whole" sh -c "find '$T/c/rtp_parse' -type f -size 2060c | grep -q ."
ok "readme note" grep -q "from-pcap.*cap.pcap" "$T/c/rtp_parse/README.md"
# a second run adds nothing: all duplicates
check rerun 0 "$R" corpus from-pcap "$T/cap.pcap" --out "$T/c" --json --max-size 0
ok "rerun all duplicates" grep -q '"added": 0' "$T/out"
ok "rerun no new stun" [ "$(count "$T/c/stun_parse")" -eq 1 ]
ok "rerun json valid" python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(0 if d['frames']==13 else 1)"
# --map renames or drops a class
check map 0 "$R" corpus from-pcap "$T/cap.pcap" --out "$T/m" --max-size 0 --map rtp=my_rtp --map stun=
ok "map renamed" [ "$(count "$T/m/my_rtp")" -eq 3 ]
ok "map dropped" [ ! -d "$T/m/stun_parse" ]
# --max-size leaves out what a target would not read anyway
check maxsize 0 "$R" corpus from-pcap "$T/cap.pcap" --out "$T/s" --max-size 1000 --json
ok "maxsize drops the big one" [ "$(count "$T/s/rtp_parse")" -eq 2 ]
ok "maxsize counted" python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(0 if [c['too_big'] for c in d['classes'] if c['class']=='rtp']==[1] else 1)"
# errors
check badmax 2 "$R" corpus from-pcap "$T/cap.pcap" --max-size lots
check missing 2 "$R" corpus from-pcap "$T/nope.pcap" --out "$T/x"
ok "missing says why" grep -q "cannot read capture" "$T/err"
printf 'not a capture' > "$T/junk"
check junk 2 "$R" corpus from-pcap "$T/junk" --out "$T/x"
check badmap 2 "$R" corpus from-pcap "$T/cap.pcap" --map bogus=x
check keylog-missing 2 "$R" corpus from-pcap "$T/cap.pcap" --keylog "$T/k" --out "$T/x"
# --keylog: SCTP and DCEP from inside DTLS, RTP/RTCP from inside SRTP
P="$S/pcaps/firefox-chromium-dtls12"
check keylog 0 "$R" corpus from-pcap "$P/capture.pcap" --keylog "$P/keylog.txt" --out "$T/dec" --json
ok "keylog: decrypted SCTP seeds" [ "$(count "$T/dec/sctp_packet")" -ge 70 ]
ok "keylog: DCEP seeds" [ "$(count "$T/dec/dcep_parse")" -ge 1 ]
ok "keylog: decrypted RTP too" [ "$(count "$T/dec/rtp_parse")" -gt 931 ]
check keylog-mismatch 2 "$R" corpus from-pcap "$P/capture.pcap" --keylog "$S/pcaps/chromium-firefox-dtls13/keylog.txt" --out "$T/x2"
ok "keylog-mismatch says why" grep -q "matches nothing" "$T/err"
check nosub 2 "$R" corpus frobnicate
check help 0 "$R" corpus --help

finish
