# testlib.sh - helpers sourced by tools/tests/fuzz_*.sh (after setting T,
# the scratch directory): counters and the check/ok/json/finish functions.
fails=0; passes=0
check() { # check NAME WANT_RC CMD... : exit status of CMD (output in $T/out, $T/err)
  name=$1; want=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -eq "$want" ]; then passes=$((passes+1)); else
    fails=$((fails+1)); echo "FAIL $name: exit $rc, want $want"; cat "$T/out" "$T/err"; fi
}
ok() { # ok NAME COND... : COND succeeds
  name=$1; shift
  if "$@"; then passes=$((passes+1)); else fails=$((fails+1)); echo "FAIL $name"; fi
}
json() { # json PYTHON-EXPR : true about d, the JSON document in $T/out
  python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)"
}
count() { find "$1" -type f ! -name README.md 2>/dev/null | wc -l | tr -d ' '; }
finish() { echo "$passes passed, $fails failed"; [ "$fails" -eq 0 ]; exit; }
