#!/bin/sh
# fuzz_regress.sh RTCGATE SRCDIR - `rtcgate fuzz --regress`: the real
# targets of this build tree pass over their corpora; a test target
# (fuzz/testdata/fuzz_testcrash.c) built here with the standalone driver
# and ASan+UBSan passes on a clean corpus and fails, naming each crashing
# reproducer, once regressions/ holds crashers; missing binaries and empty
# corpora are environment errors; the libFuzzer (-runs=0) path when clang
# can build it.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$S/fuzz/testdata/testlib.sh"

# The build tree rtcgate lives in (BUILD/bin/rtcgate) has the standalone
# regression binaries of the real targets.
B=$(cd "$(dirname "$R")/.." && pwd)
if [ -x "$B/fuzz-regress/core_cursor" ] && [ -x "$B/fuzz-regress/core_fixup" ]; then
  check real 0 "$R" fuzz --regress core_cursor core_fixup --build-dir "$B" --out "$T/o0"
  ok "real standalone" grep -q "^core_fixup  *standalone .* ok" "$T/out"
else
  echo "note: $B has no fuzz-regress binaries (not an asan/default tree): real targets skipped"
fi

CC=${CC:-cc}
SAN="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$T/a/fuzz-regress" "$T/c/testcrash"
if ! $CC $SAN "$S/fuzz/testdata/fuzz_testcrash.c" "$S/fuzz/driver/standalone.c" \
     -o "$T/a/fuzz-regress/testcrash" 2>"$T/cc.err"; then
  echo "SKIP: $CC cannot build with ASan+UBSan:"; cat "$T/cc.err"
  finish
fi
printf 'hello' > "$T/c/testcrash/seed1"
printf 'FUZ' > "$T/c/testcrash/seed2"
printf 'A' > "$T/c/testcrash/seed3"
F="--build-dir $T/a --corpus-dir $T/c"
check clean 0 "$R" fuzz --regress testcrash $F --out "$T/o1"
ok "clean ok, 3 inputs" grep -q "^testcrash  *standalone  *3  *ok" "$T/out"

mkdir -p "$T/c/testcrash/regressions"
printf 'FUZZZ' > "$T/c/testcrash/regressions/overflow"
printf 'ABC' > "$T/c/testcrash/regressions/ubsan-1"
printf 'ABCDEF' > "$T/c/testcrash/regressions/ubsan-2"
check crashes 1 "$R" fuzz --regress testcrash $F --out "$T/o2" --json
ok "two unique" json "len(d['findings']) == 2"
ok "crashing count" json "d['targets'][0]['crashing'] == 3"
ok "dedup" json "sorted(f['duplicates'] for f in d['findings']) == [1, 2]"
ok "kinds" json "any(f['frames'][0] == 'add_len' for f in d['findings'])"
ok "reports written" [ "$(find "$T/o2/crashes/testcrash" -name report.txt | wc -l)" -eq 2 ]
check crashes-text 1 "$R" fuzz --regress testcrash $F --out "$T/o2"
ok "text says CRASH" grep -q "CRASH" "$T/out"

check nobin 2 "$R" fuzz --regress core_cursor --build-dir "$T/none" --out "$T/o3"
ok "nobin names the command" grep -q "cmake --preset asan" "$T/err"
mkdir -p "$T/empty/testcrash"
check empty 2 "$R" fuzz --regress testcrash --build-dir "$T/a" --corpus-dir "$T/empty" --out "$T/o4"
ok "empty says so" grep -q "empty corpus tests nothing" "$T/err"

# The libFuzzer binary with -runs=0, when clang can build one.
mkdir -p "$T/l/fuzz"
if ${CLANG:-clang} -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
     "$S/fuzz/testdata/fuzz_testcrash.c" -o "$T/l/fuzz/testcrash" 2>/dev/null; then
  check libfuzzer 1 "$R" fuzz --regress testcrash --build-dir "$T/l" --corpus-dir "$T/c" \
    --out "$T/o5" --json
  ok "libfuzzer driver" json "d['targets'][0]['driver'] == 'libfuzzer'"
  ok "libfuzzer same signatures" json "len(d['findings']) == 2"
  rm -rf "$T/c/testcrash/regressions"
  check libfuzzer-clean 0 "$R" fuzz --regress testcrash --build-dir "$T/l" --corpus-dir "$T/c" \
    --out "$T/o6"
else
  echo "note: clang cannot build libFuzzer targets: -runs=0 path skipped"
fi

finish
