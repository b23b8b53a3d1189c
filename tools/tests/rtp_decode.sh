#!/bin/sh
# rtp_decode.sh RTCGATE SRCDIR - `rtcgate decode --proto rtp|rtcp` on the
# bundled samples: good ones decode (exit 0) to the expected fields, .bad.
# ones exit 1 with one line naming offset and field.
R="$1"; S="$2"
. "$(dirname "$0")/lib.sh"
for p in rtp rtcp; do
  for f in "$S"/conformance/samples/$p/*.hex; do
    case "$f" in
      *.bad.*) check "$p-$(basename "$f")" 1 "$R" decode --proto $p "$f"
               contains "$p-$(basename "$f")-err" "$T/err" "offset [0-9]*: $p\.";;
      *) check "$p-$(basename "$f")" 0 "$R" decode --proto $p "$f";;
    esac
  done
done
D="$S/conformance/samples"
check rfc7714 0 "$R" decode --proto rtp --compact "$D/rtp/rfc7714-16.hex"
contains rfc7714 "$T/out" '"seq":61819'
contains rfc7714 "$T/out" '"payload_length":38'
check ext 0 "$R" decode --proto rtp --compact --opt ext.1=mid --opt ext.3=transport-cc \
  --opt ext.5=playout-delay "$D/rtp/browser-video-ext.hex"
contains ext-mid "$T/out" '"name":"mid","value":"0"'
contains ext-tcc "$T/out" '"seq":43981'
contains ext-pd "$T/out" '"min_ms":200,"max_ms":1000'
# a real Chromium audio packet (pcaps/chromium-firefox-dtls13, SDP extmap ids)
check capture 0 "$R" decode --proto rtp --compact --opt ext.1=audio-level --opt ext.3=transport-cc \
  --opt ext.4=mid "$D/rtp/chromium-opus-capture.hex"
contains capture-mid "$T/out" '"name":"mid","value":"0"'
contains capture-tcc "$T/out" '"name":"transport-cc","seq":11'
contains capture-level "$T/out" '"name":"audio-level","voice":true,"level_dbov":-52'
check sr 0 "$R" decode --proto rtcp --compact "$D/rtcp/sr-sdes-bye.hex"
contains sr "$T/out" '"type":"SR"'
contains sr-cname "$T/out" '"name":"CNAME","value":"user@host"'
contains sr-bye "$T/out" '"reason":"bye"'
check twcc 0 "$R" decode --proto rtcp --compact "$D/rtcp/rr-transport-cc.hex"
contains twcc "$T/out" '"delta_us":-32000'
check remb 0 "$R" decode --proto rtcp --compact "$D/rtcp/rr-remb.hex"
contains remb "$T/out" '"remb_bitrate":1500000'
# a lone PLI is only valid as reduced-size RTCP (RFC 5506)
printf '81ce000200005678000012 34' > "$T/pli.hex"
check pli-compound 1 "$R" decode --proto rtcp "$T/pli.hex"
contains pli-compound "$T/err" "first packet is not SR or RR"
check pli-reduced 0 "$R" decode --proto rtcp --opt reduced-size=1 --compact "$T/pli.hex"
contains pli-reduced "$T/out" '"fmt_name":"PLI"'
# --proto srtp: the srtp_unprotect seeds are sealed with the fuzz target's
# fixed keys (fuzz/srtp_unprotect.c); the first byte is the target's mode
K128=525443476174652d66757a7a2d6b6579
K128="${K128}73616c742d727463676174652121"
K256=525443476174652d66757a7a2d6b65791032547698badcfe0123456789abcdef
K256="${K256}73616c742d72746367617465"
C="$S/corpora/srtp_unprotect"
tail -c +2 "$C/srtp-cm80-rfc7714.bin" | od -An -tx1 | tr -d ' \n' > "$T/srtp.hex"
check srtp 0 "$R" decode --proto srtp --key "$K128" --compact "$T/srtp.hex"
contains srtp "$T/out" '"index":61819'
contains srtp-inner "$T/out" '"payload_length":38'
check srtp-badkey 1 "$R" decode --proto srtp --key 000000000000000000000000000000000000000000000000000000000000 "$T/srtp.hex"
contains srtp-badkey "$T/err" "authentication tag mismatch"
tail -c +2 "$C/srtcp-gcm256-sr-sdes-bye.bin" | od -An -tx1 | tr -d ' \n' > "$T/srtcp.hex"
check srtcp 0 "$R" decode --proto srtp --profile SRTP_AEAD_AES_256_GCM --key "$K256" --opt rtcp=1 \
  --compact "$T/srtcp.hex"
contains srtcp "$T/out" '"srtcp_index":0'
contains srtcp-inner "$T/out" '"value":"user@host"'
finish
