#!/bin/sh
# probe_turn.sh RTCGATE SRCDIR - `rtcgate probe turn` against coturn started
# on 127.0.0.1 twice: hardened (long-term credentials, loopback/private/
# link-local/multicast peers denied, per-user quota) and open (no auth,
# loopback peers allowed). The probe must exit 0 on the first and 1 with
# named findings on the second. Skipped (passing) without turnserver.
RTCGATE=${1:?rtcgate}
. "$(dirname "$0")/lib.sh"

TS=$(command -v turnserver) || skip_all "turnserver (Debian package coturn) not installed: skipping"
need python3
PID=
stop() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null
    i=0
    while kill -0 "$PID" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
  fi
  PID=
}
on_exit() { stop; }

# start NAME ARGS...: turnserver on 127.0.0.1:$PORT, waits until it answers
start() {
  name=$1
  shift
  PORT=$(freeport udp)
  "$TS" -n --listening-ip 127.0.0.1 --listening-port "$PORT" --relay-ip 127.0.0.1 \
    --min-port 49152 --max-port 65535 --no-tls --no-dtls --no-tcp --no-tcp-relay --no-cli \
    --pidfile "$T/$name.pid" --userdb "$T/$name.db" --log-file stdout --simple-log "$@" \
    >"$T/$name.log" 2>&1 &
  PID=$!
  wait_for "$T/$name.log" 'Total General servers\|IPv4. UDP listener opened on' "$PID" || {
    cat "$T/$name.log"
    return 1
  }
  sleep 0.3
}

# --- usage ------------------------------------------------------------------
"$RTCGATE" probe turn >/dev/null 2>&1; [ $? -eq 2 ] && ok "missing --server exits 2" || ko "missing --server exits 2"
"$RTCGATE" probe turn --server 192.0.2.1:3478 >/dev/null 2>&1
[ $? -eq 2 ] && ok "a non-loopback server needs --allow-remote" || ko "a non-loopback server needs --allow-remote"
P=$(freeport udp)
t0=$(date +%s)
"$RTCGATE" probe turn --server 127.0.0.1:$P >"$T/none.out" 2>&1
rc=$?
t1=$(date +%s)
[ $rc -eq 2 ] && grep -q 'no answer' "$T/none.out" && [ $((t1 - t0)) -le 6 ] &&
  ok "no server: exit 2 within 6 s" || { cat "$T/none.out"; ko "no server: exit 2 within 6 s (rc $rc)"; }

# --- hardened -----------------------------------------------------------------
if start hardened --lt-cred-mech --realm rtcgate --user alice:wonderland --user-quota 3 \
  --no-multicast-peers --denied-peer-ip 0.0.0.0-0.255.255.255 --denied-peer-ip 10.0.0.0-10.255.255.255 \
  --denied-peer-ip 100.64.0.0-100.127.255.255 --denied-peer-ip 127.0.0.0-127.255.255.255 \
  --denied-peer-ip 169.254.0.0-169.254.255.255 --denied-peer-ip 172.16.0.0-172.31.255.255 \
  --denied-peer-ip 192.168.0.0-192.168.255.255 --denied-peer-ip 255.255.255.255 \
  --allow-loopback-peers --allowed-peer-ip 127.0.0.2; then
  "$RTCGATE" probe turn --server 127.0.0.1:$PORT --user alice --password wonderland --peer 127.0.0.2 \
    --max-allocations 6 --json "$T/hardened.json" >"$T/hardened.out" 2>&1
  rc=$?
  cat "$T/hardened.out"
  [ $rc -eq 0 ] && ok "hardened coturn: exit 0 (no finding)" || ko "hardened coturn: exit 0 (rc $rc)"
  python3 - "$T/hardened.json" <<'EOF' && ok "hardened coturn: every check passed or warned, none skipped" || ko "hardened coturn: check results"
import json, sys
r = {c["check"]: c["result"] for c in json.load(open(sys.argv[1]))["checks"]}
want = {"open_relay": "pass", "forbidden_peers": "pass", "ipv6_peers": "pass", "loopback_relay": "pass",
        "permission_rules": "pass", "channel_rules": "pass", "nonce": "pass", "quota": "pass"}
bad = {k: r.get(k) for k in want if r.get(k) != want[k]}
assert not bad, bad
assert r.get("guessing") in ("pass", "warning"), r
EOF
  grep -q '486 Allocation Quota Reached after 2 more' "$T/hardened.out" &&
    ok "hardened coturn: quota of 3 seen (2 more after the probe's own)" || ko "hardened coturn: quota of 3 seen"
else
  ko "hardened coturn starts"
fi
stop

# --- open ---------------------------------------------------------------------
if start open --no-auth --allow-loopback-peers; then
  "$RTCGATE" probe turn --server 127.0.0.1:$PORT --max-allocations 6 --json "$T/open.json" \
    >"$T/open.out" 2>&1
  rc=$?
  cat "$T/open.out"
  [ $rc -eq 1 ] && ok "open coturn: exit 1 (findings)" || ko "open coturn: exit 1 (rc $rc)"
  python3 - "$T/open.json" <<'EOF' && ok "open coturn: open relay, forbidden peers, loopback relay and no quota named" || ko "open coturn: findings named"
import json, sys
j = json.load(open(sys.argv[1]))
r = {c["check"]: c["result"] for c in j["checks"]}
for k in ("open_relay", "forbidden_peers", "loopback_relay", "quota"):
    assert r.get(k) == "finding", (k, r)
assert r.get("permission_rules") == "pass" and r.get("channel_rules") == "pass", r
assert j["findings"] == 4, j["findings"]
EOF
else
  ko "open coturn starts"
fi
stop

finish
