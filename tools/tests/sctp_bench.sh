#!/bin/sh
# sctp_bench.sh RTCGATE SRCDIR - `rtcgate bench sctp` runs both stacks
# (rtcgate and usrsctp over AF_CONN), checks delivery in setup and reports
# four cases with ratios. --no-limit: sanitizer builds are not for speed.
R="$1"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok() { passes=$((passes+1)); }
ko() { fails=$((fails+1)); echo "FAIL $1"; cat "$T/out" "$T/err" 2>/dev/null | head -20; }

if "$R" bench --list >"$T/out" 2>"$T/err" && grep -q "sctp" "$T/out"; then ok; else ko list; fi
if "$R" bench sctp --no-limit --rounds 1 --json >"$T/out" 2>"$T/err"; then ok; else ko run; fi
n=$(grep -o '"case"' "$T/out" | wc -l)
if [ "$n" -eq 4 ]; then ok; else ko "cases: $n"; fi
if grep -q '"baseline_name": *"usrsctp AF_CONN"' "$T/out"; then ok; else ko baseline; fi
if grep -q '"error"' "$T/out"; then ko "a case failed"; else ok; fi
if grep -q '"ratio"' "$T/out"; then ok; else ko ratio; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
