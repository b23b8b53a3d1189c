#!/bin/sh
# dtls_decode.sh RTCGATE SRCDIR - `rtcgate decode --proto dtls`: every record
# of a datagram, handshake messages and extensions, DTLS 1.3 unified headers,
# connection IDs, and exit 1 with offset/field/reason on malformed input.
R="$1"; S="$2"; D="$S/conformance/samples/dtls"
. "$(dirname "$0")/lib.sh"

check list 0 "$R" decode --list
contains list "$T/out" "dtls"
check client-hello 0 "$R" decode --proto dtls --compact "$D/dtls12-client-hello.hex"
contains client-hello "$T/out" '"name":"client_hello"'
contains client-hello "$T/out" '"profiles":\["SRTP_AEAD_AES_128_GCM","SRTP_AES128_CM_HMAC_SHA1_80"\]'
contains client-hello "$T/out" '"name":"extended_master_secret"'
check hvr 0 "$R" decode --proto dtls --compact "$D/dtls12-hello-verify-request.hex"
contains hvr "$T/out" '"name":"hello_verify_request"'
check flight 0 "$R" decode --proto dtls --compact "$D/dtls12-server-flight.hex"
for m in server_hello certificate server_key_exchange certificate_request server_hello_done; do
  contains "flight-$m" "$T/out" "\"name\":\"$m\""
done
check finished 0 "$R" decode --proto dtls --compact "$D/dtls12-ticket-ccs-finished.hex"
contains finished "$T/out" '"content_name":"change_cipher_spec"'
contains finished "$T/out" '"epoch":1,'
contains finished "$T/out" '"encrypted":true'
check unified 0 "$R" decode --proto dtls --compact "$D/dtls13-unified-headers.hex"
contains unified "$T/out" '"header":"unified","epoch":3,"sequence_number":4660,"sequence_bits":16'
contains unified "$T/out" '"length_present":false'
# C bit set: needs --opt cid_len
check cid-missing 1 sh -c "printf '3a01020304aa00112233445566778899aabbccddeeff' | '$R' decode --proto dtls -"
contains cid-missing "$T/err" 'dtls.record.cid_bit'
check cid 0 sh -c "printf '3a01020304aa00112233445566778899aabbccddeeff' | '$R' decode --proto dtls --opt cid_len=4 --compact -"
contains cid "$T/out" '"connection_id":"01020304"'
check two-fragments 0 "$R" decode --proto dtls --compact "$D/client-hello-two-fragments.hex"
contains two-fragments "$T/out" '"fragment":true'
contains two-fragments "$T/out" '"reassembled":\[{"msg_type":1,"name":"client_hello"'
check chromium 0 "$R" decode --proto dtls --compact "$D/chromium-dtls13-client-hello.hex"
contains chromium "$T/out" '"fragment_length":1383,"fragment":true'
check bad-version 1 "$R" decode --proto dtls "$D/tls-version.bad.hex"
contains bad-version "$T/err" 'offset 1: dtls.record.version: not a DTLS version'
check truncated 1 "$R" decode --proto dtls "$D/truncated-server-hello.bad.hex"
contains truncated "$T/err" 'offset 11: dtls.record.length: record overruns datagram'
check empty 1 sh -c "printf '' | '$R' decode --proto dtls --in bin -"

finish
