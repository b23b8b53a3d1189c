#!/bin/sh
# cli_basics.sh RTCGATE SRCDIR - the CLI skeleton: help, version, exit codes,
# decode of raw/hex, clear errors for bad input.
R="$1"; S="$2"
. "$(dirname "$0")/lib.sh"

check version 0 "$R" --version
contains version "$T/out" "rtcgate "
check help 0 "$R" --help
contains help "$T/out" "decode"
check noargs 2 "$R"
check unknown-cmd 2 "$R" frobnicate
for c in decode bench fuzz corpus replay peer interop serve probe; do
  check "help-$c" 0 "$R" "$c" --help
done
check decode-list 0 "$R" decode --list
contains decode-list "$T/out" "raw"

check decode-raw 0 "$R" decode --proto raw "$S/conformance/samples/raw/rfc5769-binding-request.hex"
contains decode-raw "$T/out" '"rfc7983_class": "stun"'
contains decode-raw "$T/out" '"length": 108'
printf '\200\310\000\006' > "$T/rtcp.bin"
check decode-raw-bin 0 "$R" decode --proto raw --in bin "$T/rtcp.bin"
contains decode-raw-bin "$T/out" '"rfc7983_class": "rtcp"'
check decode-stdin 0 sh -c "printf '17fefd' | '$R' decode --proto raw --compact -"
contains decode-stdin "$T/out" '"rfc7983_class":"dtls"'
check decode-hexdump 0 "$R" decode --proto hex "$S/conformance/samples/hex/rtp-pcmu.hex"
contains decode-hexdump "$T/out" '0000  80 00 1c 4e'

# bad input: clear message, non-zero exit, never a crash
check decode-noproto 2 "$R" decode "$T/rtcp.bin"
check decode-badproto 2 "$R" decode --proto nope "$T/rtcp.bin"
contains decode-badproto "$T/err" "unknown protocol 'nope'"
check decode-missing 2 "$R" decode --proto raw "$T/does-not-exist"
contains decode-missing "$T/err" "cannot open"
printf 'abc' > "$T/odd.hex"
check decode-oddhex 2 "$R" decode --proto raw --in hex "$T/odd.hex"
contains decode-oddhex "$T/err" "odd number of hex digits"
check decode-badopt 2 "$R" decode --bogus
check peer-badopt 2 "$R" peer --bogus

# bench: JSON shape of the convention (one round, sanitizer build is slow)
check bench-json 0 "$R" bench core --json --rounds 1 --no-limit
for k in '"bench": "core"' '"case"' '"unit"' '"rtcgate"' '"baseline"' '"baseline_name"' '"ratio"' '"limit"'; do
  contains bench-json "$T/out" "$k"
done
check bench-unknown 2 "$R" bench nosuch
check fuzz-list 0 "$R" fuzz --list
contains fuzz-list "$T/out" "core_cursor"
check fuzz-badtime 2 "$R" fuzz --time soon

finish
