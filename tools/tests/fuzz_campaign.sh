#!/bin/sh
# fuzz_campaign.sh RTCGATE SRCDIR - `rtcgate fuzz` campaigns: options and
# exit codes, a missing build, a clean run, --merge, triage (reproduce,
# deduplicate, minimise, report, --json), fork mode with --jobs, Ctrl-C.
# Uses fuzz/testdata/fuzz_testcrash.c compiled here with clang's libFuzzer
# (skipped when clang cannot build libFuzzer targets).
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$S/fuzz/testdata/testlib.sh"

# Options and environment errors need no fuzz build.
check list 0 "$R" fuzz --list
ok "list has core_cursor" grep -qx core_cursor "$T/out"
check help 0 "$R" fuzz --help
check badtime 2 "$R" fuzz --time soon
check badjobs 2 "$R" fuzz --jobs 0
check unknown 2 "$R" fuzz no_such_target
ok "unknown says so" grep -q "unknown target 'no_such_target'" "$T/err"
check nobuild 2 "$R" fuzz core_cursor --build-dir "$T/none" --out "$T/o0"
ok "nobuild names the command" grep -q "cmake --preset fuzz" "$T/err"
check twomodes 2 "$R" fuzz --regress --coverage

CC=${CLANG:-clang}
FL="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$T/b/fuzz" "$T/c/testcrash" "$T/c/testclean"
if ! $CC $FL "$S/fuzz/testdata/fuzz_testcrash.c" -o "$T/b/fuzz/testcrash" 2>"$T/cc.err" ||
   ! $CC $FL -DTESTCRASH_BUGS=0 "$S/fuzz/testdata/fuzz_testcrash.c" -o "$T/b/fuzz/testclean"; then
  echo "SKIP campaign checks: $CC cannot build libFuzzer targets:"; cat "$T/cc.err"
  finish
fi
printf 'hello' > "$T/c/testcrash/seed"
printf 'hello' > "$T/c/testclean/seed"
F="--build-dir $T/b --corpus-dir $T/c"

# A clean target: exit 0, a log, a grown corpus.
check clean 0 "$R" fuzz testclean $F --out "$T/o1" --time 2s
ok "clean result ok" grep -q "^testclean .* ok" "$T/out"
ok "clean log" [ -s "$T/o1/logs/testclean.log" ]
ok "clean grew corpus" [ "$(count "$T/o1/corpus/testclean")" -gt 0 ]

# --merge adds new-coverage inputs to the seed corpus.
check merge 0 "$R" fuzz testclean $F --out "$T/o1" --time 2s --merge --json
ok "merge json" json "d['targets'][0]['merged'] >= 1"
ok "merge seeds grew" [ "$(count "$T/c/testclean")" -gt 1 ]

# Triage: planted artifacts of the three bugs (three of one) give exactly
# three findings, minimised, deduplicated, with reports.
mkdir -p "$T/o2/artifacts/testcrash"
printf 'FUZZZZZZZZZZ' > "$T/o2/artifacts/testcrash/crash-a"
printf 'FUZZZZZ' > "$T/o2/artifacts/testcrash/crash-b"
printf 'FUZ-overflow' > "$T/o2/artifacts/testcrash/crash-c"
printf 'ABxxxxxx' > "$T/o2/artifacts/testcrash/crash-d"
printf 'LKxxxx' > "$T/o2/artifacts/testcrash/leak-e"
check triage 1 "$R" fuzz testcrash $F --out "$T/o2" --time 1s --minimize-time 5s --json
ok "triage three unique" json "len(d['findings']) == 3"
ok "triage kinds" json "sorted(f['kind'] for f in d['findings']) == ['heap-buffer-overflow READ', 'memory leak', 'ubsan: signed integer overflow']"
ok "triage dedup" json "[f['duplicates'] for f in d['findings'] if f['kind'].startswith('heap')][0] >= 3"
ok "triage minimised" json "sorted(f['size'] for f in d['findings']) == [2, 2, 4]"
ok "triage frames" json "sorted(f['frames'][0] for f in d['findings']) == ['add_len', 'leak_it', 'read_past_end']"
for dir in "$T"/o2/crashes/testcrash/*/; do
  ok "finding input $dir" [ -s "$dir/input" ]
  ok "finding report $dir" grep -q "^reproduce: " "$dir/report.txt"
  ok "finding sanitizer text $dir" grep -q "ERROR\|runtime error" "$dir/report.txt"
done
check triage-text 1 "$R" fuzz testcrash $F --out "$T/o2" --time 1s --minimize-time 0
ok "summary lists findings" grep -q "unique findings: 3" "$T/out"

# Fork mode: crashes do not stop it; every finding is one of the two bugs.
check fork 1 "$R" fuzz testcrash $F --out "$T/o3" --time 4s --jobs 2 --minimize-time 2s --json
ok "fork mode used" grep -q "fork mode" "$T/err"
ok "fork findings" json "1 <= len(d['findings']) <= 3 and all(f['frames'][0] in ('read_past_end', 'add_len', 'leak_it') for f in d['findings'])"

# Ctrl-C: children stopped and reaped, the summary still printed.
start=$(date +%s)
"$R" fuzz testclean $F --out "$T/o4" --time 120s --jobs 2 --progress 1s >"$T/out" 2>"$T/err" &
pid=$!
sleep 4
kill -INT $pid
wait $pid; rc=$?
el=$(( $(date +%s) - start ))
ok "ctrl-c exit 0 (no finding)" [ "$rc" -eq 0 ]
ok "ctrl-c prompt stop ($el s)" [ "$el" -lt 40 ]
ok "ctrl-c summary" grep -q "interrupted" "$T/out"
ok "ctrl-c progress lines" grep -q "^\[fuzz " "$T/err"
ok "ctrl-c children reaped" sh -c "! pgrep -f '$T/b/fuzz/testclea[n]' >/dev/null"

finish
