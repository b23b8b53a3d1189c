#!/bin/sh
# sctp_decode.sh RTCGATE SRCDIR - `rtcgate decode --proto sctp|dcep` on the
# bundled samples: fields decoded, malformed samples rejected with exit 1
# and an error naming offset, field and RFC section.
R="$1"; S="$2"
. "$(dirname "$0")/lib.sh"
D="$S/conformance/samples"

check list 0 "$R" decode --list
contains list "$T/out" "sctp"
contains list "$T/out" "dcep"

check init 0 "$R" decode --proto sctp --compact "$D/sctp/init-webrtc.hex"
contains init "$T/out" '"name":"INIT"'
contains init "$T/out" '"checksum_ok":true'
contains init "$T/out" '"initiate_tag":287454020'
contains init "$T/out" '"name":"zero_checksum_acceptable"'
contains init "$T/out" '"edmid":1'
contains init "$T/out" '"chunks":\["RE_CONFIG","FORWARD_TSN","I_DATA"\]'

check dcep-in-data 0 "$R" decode --proto sctp --compact "$D/sctp/cookie-echo-data.hex"
contains dcep-in-data "$T/out" '"name":"COOKIE_ECHO"'
contains dcep-in-data "$T/out" '"ppid_name":"webrtc_dcep"'
contains dcep-in-data "$T/out" '"label":"chat"'

check sack 0 "$R" decode --proto sctp --compact "$D/sctp/sack-gaps-dups.hex"
contains sack "$T/out" '"gap_blocks":\[\[2,4\],\[6,6\]\]'
contains sack "$T/out" '"dup_tsns":\[998\]'

check reconfig 0 "$R" decode --proto sctp --compact "$D/sctp/reconfig-reset.hex"
contains reconfig "$T/out" '"name":"outgoing_ssn_reset_request"'
contains reconfig "$T/out" '"streams":\[1,3\]'

check abort 0 "$R" decode --proto sctp --compact "$D/sctp/abort-user.hex"
contains abort "$T/out" '"reason":"closing"'

check zero-checksum 0 "$R" decode --proto sctp --compact "$D/sctp/shutdown-complete-zero-checksum.hex"
contains zero-checksum "$T/out" '"checksum_zero":true'

# a flipped byte breaks the CRC-32c: exit 1, unless told to ignore it
printf '138813880000000000000000' > "$T/hdr.hex"
# "hello" -> "hellp": the CRC-32c no longer matches
tr '\n' ' ' < "$D/sctp/data-string.hex" | sed 's/68 65 6c 6c 6f/68 65 6c 6c 70/' > "$T/flip.hex"
check crc-mismatch 1 "$R" decode --proto sctp "$T/flip.hex"
contains crc-mismatch "$T/err" "sctp.header.checksum: CRC-32c mismatch"
check crc-ignored 0 "$R" decode --proto sctp --opt checksum=ignore --compact "$T/flip.hex"
contains crc-ignored "$T/out" '"checksum_ok":false'

check overrun 1 "$R" decode --proto sctp "$D/sctp/chunk-overrun.bad.hex"
contains overrun "$T/err" "offset 14: sctp.chunk.length: chunk overruns packet (RFC 9260 §3.2)"
check truncated 1 "$R" decode --proto sctp "$T/hdr.hex"
contains truncated "$T/err" "sctp.chunk: packet without chunks"

check dcep-open 0 "$R" decode --proto dcep --compact "$D/dcep/open-partial-rexmit.hex"
contains dcep-open "$T/out" '"channel_type_name":"partial_reliable_rexmit_unordered"'
contains dcep-open "$T/out" '"max_retransmits":3'
contains dcep-open "$T/out" '"protocol":"v1.state"'
check dcep-ack 0 "$R" decode --proto dcep --compact "$D/dcep/ack.hex"
contains dcep-ack "$T/out" '"name":"DATA_CHANNEL_ACK"'
check dcep-utf8 1 "$R" decode --proto dcep "$D/dcep/open-bad-utf8.bad.hex"
contains dcep-utf8 "$T/err" "offset 12: dcep.open.label: label is not UTF-8 (RFC 8832 §5.1)"

finish
