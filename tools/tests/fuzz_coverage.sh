#!/bin/sh
# fuzz_coverage.sh RTCGATE SRCDIR - `rtcgate fuzz --coverage --no-build`:
# fuzz/core_cursor.c and stack/core are compiled here with clang's
# source-based coverage and the standalone driver (what the `coverage`
# preset builds), then the corpus is run and llvm-profdata/llvm-cov give a
# text summary, HTML and per-module totals of stack/. Skipped without clang
# or llvm-cov-14.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$S/fuzz/testdata/testlib.sh"

PD=${LLVM_PROFDATA:-llvm-profdata-14}; COV=${LLVM_COV:-llvm-cov-14}
if ! command -v "$PD" >/dev/null 2>&1 || ! command -v "$COV" >/dev/null 2>&1; then
  echo "SKIP: $PD / $COV not installed"; finish
fi
mkdir -p "$T/cov/fuzz-regress"
if ! ${CLANG:-clang} -g -O0 -fprofile-instr-generate -fcoverage-mapping -D_GNU_SOURCE \
     -I"$S/stack/include" -I"$S/stack" "$S/fuzz/core_cursor.c" "$S/fuzz/driver/standalone.c" \
     "$S"/stack/core/*.c -lcrypto -o "$T/cov/fuzz-regress/core_cursor" 2>"$T/cc.err"; then
  echo "SKIP: cannot build the coverage binary:"; cat "$T/cc.err"
  finish
fi
# a second binary sharing stack/core: llvm-cov then warns about mismatched
# functions, which must not spoil the combined per-module summary
${CLANG:-clang} -g -O0 -fprofile-instr-generate -fcoverage-mapping -D_GNU_SOURCE \
  -I"$S/stack/include" -I"$S/stack" -I"$S/fuzz/common" "$S/fuzz/core_fixup.c" \
  "$S/fuzz/common/fixup.c" "$S/fuzz/driver/standalone.c" "$S"/stack/core/*.c -lcrypto \
  -o "$T/cov/fuzz-regress/core_fixup"
check coverage2 0 "$R" fuzz --coverage core_cursor core_fixup --no-build --build-dir "$T/cov" \
  --out "$T/o2" --json
ok "two targets" json "len(d['targets']) == 2 and all(t['ok'] for t in d['targets'])"
ok "combined module" json "[m['module'] for m in d['modules']] == ['core'] and d['modules'][0]['line_percent'] > 0"
check coverage 0 "$R" fuzz --coverage core_cursor --no-build --build-dir "$T/cov" --out "$T/o"
ok "table row" grep -q "^core_cursor .*%.*html/index.html" "$T/out"
ok "module line" grep -q "^  core  *lines" "$T/out"
ok "summary.txt" grep -q "cursor.c" "$T/o/coverage/core_cursor/summary.txt"
ok "summary only stack/" sh -c "! grep -q 'standalone.c\|core_cursor.c' '$T/o/coverage/core_cursor/summary.txt'"
ok "html" [ -s "$T/o/coverage/core_cursor/html/index.html" ]
check coverage-json 0 "$R" fuzz --coverage core_cursor --no-build --build-dir "$T/cov" --out "$T/o" --json
ok "json lines" json "0 < d['targets'][0]['line_percent'] <= 100"
ok "json branches" json "0 < d['targets'][0]['branch_percent'] <= 100"
ok "json modules" json "[m['module'] for m in d['modules']] == ['core']"
# a missing coverage binary is an environment error naming the build
check nocov 2 "$R" fuzz --coverage core_cursor --no-build --build-dir "$T/none" --out "$T/o3"
ok "nocov names the preset" grep -q "cmake --preset coverage" "$T/err"

finish
