# lib.sh - helpers the CLI test scripts (tools/tests/*.sh) source. POSIX sh.
# Run as a script (ctest's cli_lib, since every tools/tests/*.sh is a test)
# it checks its own helpers.
#
# ctest runs a test as `sh NAME.sh RTCGATE SRCDIR`; start it with
#
#   R="$1"; S="$2"
#   . "$(dirname "$0")/lib.sh"
#   ... checks ...
#   finish
#
# Sourcing it gives:
#   T                 a fresh temporary directory (${TMPDIR:-/tmp}/rtg-NAME.*),
#                     removed on exit.
#   PIDS              background processes to end on exit: append with
#                     PIDS="$PIDS $!". On exit each gets SIGTERM and is
#                     reaped, then on_exit runs, then $T is removed.
#   on_exit           a function that does nothing; redefine it after
#                     sourcing for more clean-up (it runs before $T goes).
#   passes, fails     the counters; every helper below counts into them.
#
#   ok NAME           count a pass, print "ok   - NAME".
#   ko NAME           count a failure, print "FAIL - NAME".
#   check NAME RC CMD...
#                     run CMD with stdout in $T/out and stderr in $T/err;
#                     passes when it exits with RC, else prints
#                     "FAIL NAME: exit X, want RC" and $T/err.
#   contains NAME FILE TEXT
#                     passes when FILE has a line matching the grep basic
#                     regular expression TEXT, else prints it and (the first
#                     4000 bytes of) FILE.
#   finish            print "N passed, N failed" and exit 0 when nothing
#                     failed, 1 otherwise. End every script with it.
#   skip_all REASON   print REASON and finish (at the top of a script:
#                     "0 passed, 0 failed", exit 0), for a missing optional
#                     prerequisite such as a browser or coturn.
#   need COMMAND      when COMMAND is not on PATH: print "COMMAND missing",
#                     count a failure and finish (exit 1).
#   freeport [udp]    print a free TCP (or UDP) port on 127.0.0.1.
#   wait_for FILE TEXT [PID]
#                     wait up to 10 s for a line matching TEXT in FILE (a
#                     background process's log); returns 1 on time-out or,
#                     given PID, as soon as that process has ended.
#   stop_pid PID      SIGTERM to PID, wait for it, and drop it from PIDS.
# (The shell traps SIGTERM, so a child signalled in the instant between its
# fork and its exec may miss it: signal processes that have started up.)

passes=0
fails=0
PIDS=
T=$(mktemp -d "${TMPDIR:-/tmp}/rtg-$(basename "$0" .sh).XXXXXX") || exit 1

on_exit() { :; }
_rtg_exit() {
  for _p in $PIDS; do kill "$_p" 2>/dev/null; done
  for _p in $PIDS; do wait "$_p" 2>/dev/null; done
  on_exit
  rm -rf "$T"
}
trap _rtg_exit EXIT
trap 'exit 1' INT TERM

ok() {
  passes=$((passes + 1))
  echo "ok   - $1"
}
ko() {
  fails=$((fails + 1))
  echo "FAIL - $1"
}

check() { # check NAME WANT_RC CMD...
  _name=$1
  _want=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  _rc=$?
  if [ "$_rc" -eq "$_want" ]; then
    passes=$((passes + 1))
  else
    fails=$((fails + 1))
    echo "FAIL $_name: exit $_rc, want $_want"
    cat "$T/err"
  fi
}

contains() { # contains NAME FILE TEXT
  if grep -q -- "$3" "$2"; then
    passes=$((passes + 1))
  else
    fails=$((fails + 1))
    echo "FAIL $1: '$3' not in output:"
    head -c 4000 "$2"
  fi
}

finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ] && exit 0
  exit 1
}

skip_all() {
  echo "$1"
  finish
}

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "$1 missing"
  fails=$((fails + 1))
  finish
}

freeport() {
  if [ "$1" = udp ]; then
    python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  else
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  fi
}

wait_for() { # wait_for FILE TEXT [PID]
  _i=0
  while ! grep -q -- "$2" "$1" 2>/dev/null; do
    _i=$((_i + 1))
    if [ $_i -gt 100 ] || { [ -n "$3" ] && ! kill -0 "$3" 2>/dev/null; }; then return 1; fi
    sleep 0.1
  done
}

stop_pid() { # stop_pid PID
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  _keep=
  for _p in $PIDS; do [ "$_p" = "$1" ] || _keep="$_keep $_p"; done
  PIDS=$_keep
}

# ---- run as a script: the helpers' own checks ---------------------------------
if [ "$(basename "$0")" = lib.sh ]; then
  LIB="$(cd "$(dirname "$0")" && pwd)/lib.sh"
  [ -d "$T" ] && ok "T is a fresh directory" || ko "T is a fresh directory"

  check "check: the wanted exit status passes" 3 sh -c 'echo hello; exit 3'
  contains "check: stdout lands in \$T/out" "$T/out" '^hello$'
  check "check: stderr lands in \$T/err" 0 sh -c 'echo oops >&2'
  contains "check: stderr lands in \$T/err" "$T/err" '^oops$'
  r=$(check x 0 sh -c 'echo why >&2; exit 4'; echo "=$passes/$fails")
  case $r in
    *"FAIL x: exit 4, want 0"*why*"=$passes/$((fails + 1))") ok "check: another exit status fails, showing stderr" ;;
    *) ko "check: another exit status fails, showing stderr (got: $r)" ;;
  esac
  printf 'alpha\n-beta\n' >"$T/f"
  contains "contains: a matching line passes" "$T/f" '^-beta$'
  r=$(contains x "$T/f" gamma; echo "=$passes/$fails")
  case $r in
    *"FAIL x: 'gamma' not in output:"*alpha*"=$passes/$((fails + 1))") ok "contains: no matching line fails, showing the file" ;;
    *) ko "contains: no matching line fails, showing the file (got: $r)" ;;
  esac

  r=$(passes=2 fails=1 finish)
  rc=$?
  [ "$rc" -eq 1 ] && [ "$r" = "2 passed, 1 failed" ] && ok "finish: a failure exits 1" || ko "finish: a failure exits 1 (rc $rc: $r)"
  r=$(passes=3 fails=0 finish)
  rc=$?
  [ "$rc" -eq 0 ] && [ "$r" = "3 passed, 0 failed" ] && ok "finish: no failure exits 0" || ko "finish: no failure exits 0 (rc $rc: $r)"
  r=$(passes=0 fails=0 skip_all "no widget here")
  rc=$?
  [ "$rc" -eq 0 ] && [ "$r" = "no widget here
0 passed, 0 failed" ] && ok "skip_all: reason, no checks, exit 0" || ko "skip_all (rc $rc: $r)"
  r=$(passes=0 fails=0 need rtg-no-such-command)
  rc=$?
  [ "$rc" -eq 1 ] && [ "$r" = "rtg-no-such-command missing
0 passed, 1 failed" ] && ok "need: a missing command fails the script" || ko "need: a missing command (rc $rc: $r)"
  r=$(need sh; echo "=$fails")
  [ "$r" = "=$fails" ] && ok "need: a present command goes on" || ko "need: a present command goes on (got: $r)"

  p=$(freeport)
  u=$(freeport udp)
  [ "${p:-0}" -gt 0 ] 2>/dev/null && [ "${u:-0}" -gt 0 ] 2>/dev/null && ok "freeport: TCP $p, UDP $u" ||
    ko "freeport (got '$p' and '$u')"

  (sleep 0.3 && echo ready >"$T/log") &
  PIDS="$PIDS $!"
  wait_for "$T/log" '^ready$' && ok "wait_for: a line that comes" || ko "wait_for: a line that comes"
  sh -c 'exit 0' &
  dead=$!
  t0=$(date +%s)
  wait_for "$T/never" x "$dead"
  rc=$?
  t1=$(date +%s)
  [ "$rc" -eq 1 ] && [ $((t1 - t0)) -le 2 ] && ok "wait_for: gives up when the process has ended" ||
    ko "wait_for: gives up when the process has ended (rc $rc, $((t1 - t0)) s)"

  sleep 30 &
  s=$!
  PIDS="$PIDS $s"
  sleep 0.2
  stop_pid "$s"
  case " $PIDS " in
    *" $s "*) ko "stop_pid: dropped from PIDS ($PIDS)" ;;
    *) ! kill -0 "$s" 2>/dev/null && ok "stop_pid: stopped and dropped from PIDS" || ko "stop_pid: still running" ;;
  esac

  # exit: background processes stopped, on_exit run, $T removed; also on SIGTERM
  r=$(sh -c '. "$1"; sleep 30 >/dev/null & PIDS="$PIDS $!"; echo "$T $!"; sleep 0.2
             on_exit() { [ -d "$T" ] && echo on_exit; }' sh "$LIB")
  set -- $r
  [ $# -eq 3 ] && [ "$3" = on_exit ] && [ ! -d "$1" ] && ! kill -0 "$2" 2>/dev/null &&
    ok "exit: processes stopped, on_exit run, T removed" || ko "exit: clean-up (got: $r)"
  r=$(sh -c '. "$1"; echo "$T"; kill -TERM $$; sleep 5; echo not-reached' sh "$LIB")
  rc=$?
  [ "$rc" -eq 1 ] && [ -n "$r" ] && [ ! -d "$r" ] && ok "SIGTERM: exit 1, T removed" ||
    ko "SIGTERM: exit 1, T removed (rc $rc: $r)"
  finish
fi
