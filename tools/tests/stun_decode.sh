#!/bin/sh
# stun_decode.sh RTCGATE SRCDIR - `rtcgate decode --proto stun|turn-channel`:
# RFC vectors decode, integrity is verified with short-term, long-term (MD5
# and SHA-256) credentials and raw keys, malformed samples exit 1 with the
# offset, field and RFC section on stderr.
R="$1"; S="$2"; D="$S/conformance/samples"
. "$(dirname "$0")/lib.sh"
USER=$(printf '\343\203\236\343\203\210\343\203\252\343\203\203\343\202\257\343\202\271')

check list 0 "$R" decode --list
contains list "$T/out" "turn-channel"
check req 0 "$R" decode --proto stun --compact "$D/stun/rfc5769-2.1-request.hex"
contains req "$T/out" '"method":"Binding","class":"request"'
contains req "$T/out" '"text":"evtj:h6vY"'
contains req "$T/out" '"fingerprint":"ok"'
contains req "$T/out" '"integrity":"unchecked (no credential given)"'
check req-pw 0 "$R" decode --proto stun --compact --password 'VOkJxbRl1RmTxUk/WvJxBt' "$D/stun/rfc5769-2.1-request.hex"
contains req-pw "$T/out" '"integrity":"ok"'
check req-badpw 1 "$R" decode --proto stun --compact --password 'VOkJxbRl1RmTxUk/WvJxBT' "$D/stun/rfc5769-2.1-request.hex"
contains req-badpw "$T/out" '"integrity":"mismatch"'
contains req-badpw "$T/err" 'offset 80: stun.MESSAGE-INTEGRITY: .*(RFC 8489 §14.5)'
# the short-term key as hex ("VOkJ..." in ASCII)
check req-key 0 "$R" decode --proto stun --compact --key 564f6b4a7862526c31526d5478556b2f57764a784274 "$D/stun/rfc5769-2.1-request.hex"
contains req-key "$T/out" '"integrity":"ok"'
check v4 0 "$R" decode --proto stun --compact --password 'VOkJxbRl1RmTxUk/WvJxBt' "$D/stun/rfc5769-2.2-ipv4-response.hex"
contains v4 "$T/out" '"address":"192.0.2.1","port":32853'
contains v4 "$T/out" '"integrity":"ok"'
check v6 0 "$R" decode --proto stun --compact "$D/stun/rfc5769-2.3-ipv6-response.hex"
contains v6 "$T/out" '"address":"2001:db8:1234:5678:11:2233:4455:6677","port":32853'
check lt-md5 0 "$R" decode --proto stun --compact --username "$USER" --realm example.org --password TheMatrIX "$D/stun/rfc5769-2.4-long-term.hex"
contains lt-md5 "$T/out" '"credential":"long-term MD5"'
contains lt-md5 "$T/out" '"integrity":"ok"'
check lt-md5-bad 1 "$R" decode --proto stun --compact --username "$USER" --realm example.org --password thematrix "$D/stun/rfc5769-2.4-long-term.hex"
check b1-sha256 0 "$R" decode --proto stun --compact --username "$USER" --realm example.org --password TheMatrIX "$D/stun/rfc8489-b1-sha256-userhash.hex"
contains b1-sha256 "$T/out" '"credential":"long-term SHA-256"'
contains b1-sha256 "$T/out" '"integrity":"ok"'
contains b1-sha256 "$T/out" '"algorithm":"SHA-256"'
check unknown 0 "$R" decode --proto stun --compact "$D/stun/ice-check-unknown-attr.hex"
contains unknown "$T/out" '"unknown_comprehension_required":\[32766\]'
check legacy 0 "$R" decode --proto stun --compact "$D/stun/rfc3489-legacy-response.hex"
contains legacy "$T/out" '"legacy_rfc3489":true'
check err401 0 "$R" decode --proto stun --compact "$D/stun/turn-allocate-401.hex"
contains err401 "$T/out" '"code":401,"reason":"Unauthorized"'
check fp-bad 1 "$R" decode --proto stun --compact "$D/stun/fingerprint-mismatch.bad.hex"
contains fp-bad "$T/err" 'offset 104: stun.FINGERPRINT: FINGERPRINT does not match the message (RFC 8489 §14.7)'
check overrun 1 "$R" decode --proto stun "$D/stun/attr-overrun.bad.hex"
contains overrun "$T/err" 'offset 22: stun.attr.length: attribute overruns message (RFC 8489 §14)'
check order 1 "$R" decode --proto stun "$D/stun/attr-after-fingerprint.bad.hex"
contains order "$T/err" 'stun.attr.order: attribute after FINGERPRINT (RFC 8489 §14.7)'
check badkey 1 "$R" decode --proto stun --key zz "$D/stun/rfc5769-2.1-request.hex"
check chan 0 "$R" decode --proto turn-channel --compact "$D/turn_channel/channel-4fff-padded.hex"
contains chan "$T/out" '"channel":20479,"length":5,"padding":3'
check chan-stun 0 "$R" decode --proto turn_channel --compact "$D/turn_channel/channel-4001-stun.hex"
contains chan-stun "$T/out" '"data_kind":"stun"'
check chan-bad 1 "$R" decode --proto turn-channel "$D/turn_channel/reserved-channel.bad.hex"
contains chan-bad "$T/err" 'turn.channel.number: channel number is not 0x4000..0x4FFF (RFC 8656 §12)'
printf '\100\000\000\011abcd' > "$T/short.bin"
check chan-short 1 "$R" decode --proto turn-channel --in bin "$T/short.bin"
contains chan-short "$T/err" 'offset 2: turn.channel.length'

finish
