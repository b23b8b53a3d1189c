#!/bin/sh
# sdp_decode.sh RTCGATE SRCDIR - `rtcgate decode --proto sdp` on the
# captured browser descriptions and on malformed ones (line number, field,
# RFC section, exit 1).
R="$1"; S="$2"
. "$(dirname "$0")/lib.sh"

check list 0 "$R" decode --list
contains list "$T/out" "sdp"
for f in "$S"/pcaps/*/offer.sdp "$S"/pcaps/*/answer.sdp; do
  n=$(basename "$(dirname "$f")")-$(basename "$f")
  check "decode-$n" 0 "$R" decode --proto sdp "$f"
  contains "decode-$n" "$T/out" '"media": \['
  contains "decode-$n" "$T/out" '"semantics": "BUNDLE"'
done
check chromium 0 "$R" decode --proto sdp --compact "$S/pcaps/chromium-firefox-dtls13/offer.sdp"
contains chromium "$T/out" '"line_ends":"crlf"'
contains chromium "$T/out" '"encoding":"opus","clock":48000,"channels":2,"fmtp":"minptime=10;useinbandfec=1","rtcp_fb":\["transport-cc"\]'
contains chromium "$T/out" '"tcptype":"active"'
contains chromium "$T/out" '"mid":"2"'
contains chromium "$T/out" '"name":"max-message-size","value":"262144","parsed":262144'
contains chromium "$T/out" '"hash":"sha-256"'
contains chromium "$T/out" '"extensions":{"generation":"0","network-id":"1"}'

printf 'v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=audio 9 UDP/TLS/RTP/SAVPF 0\nc=IN IP4 0.0.0.0\na=mid:0\na=candidate:1 1 udp 1 abc-def.local 5000 typ host\n' > "$T/mdns.sdp"
check mdns 0 "$R" decode --proto sdp --compact "$T/mdns.sdp"
contains mdns "$T/out" '"family":"mdns"'
contains mdns "$T/out" '"line_ends":"lf"'

# malformed: exit 1, one line on stderr with offset, field and RFC; JSON
# names the line
check bad-sample 1 "$R" decode --proto sdp "$S/conformance/samples/sdp/rtpmap-pt-not-on-mline.bad.bin"
contains bad-sample "$T/err" 'sdp: offset 157: sdp.a.rtpmap: payload type not listed on the m= line (RFC 8866 §6.6)'
contains bad-sample "$T/out" '"error_line": 10'
printf 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=setup:both\r\n' > "$T/setup.sdp"
check bad-setup 1 "$R" decode --proto sdp "$T/setup.sdp"
contains bad-setup "$T/err" 'sdp.a.setup: setup must be active, passive, actpass or holdconn (RFC 4145 §4)'
contains bad-setup "$T/out" '"error_text": "a=setup:both"'
printf 'not an sdp' > "$T/junk.sdp"
check junk 1 "$R" decode --proto sdp "$T/junk.sdp"
contains junk "$T/err" 'sdp.line'

finish
