#!/bin/sh
# fuzz_buildsh.sh RTCGATE SRCDIR - fuzz/build.sh run the way OSS-Fuzz and
# ClusterFuzzLite run it ($CC $CFLAGS $LIB_FUZZING_ENGINE $OUT $WORK
# exported): every target is built, with its seed corpus zip, options under
# [libfuzzer], dictionaries and the shared libraries it needs; a target runs
# its seeds from $OUT with an empty environment. Skipped when clang cannot
# build libFuzzer targets.
R="$1"; S="$2"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$S/fuzz/testdata/testlib.sh"

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$T/probe.c"
if ! clang -fsanitize=fuzzer "$T/probe.c" -o "$T/probe" 2>"$T/cc.err"; then
  echo "SKIP: clang cannot build libFuzzer targets:"; cat "$T/cc.err"; finish
fi
mkdir -p "$T/oss" "$T/work"
check missing-out 1 env -u OUT LIB_FUZZING_ENGINE=-fsanitize=fuzzer bash "$S/fuzz/build.sh"
check build 0 env CC=clang \
  CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
  LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT="$T/oss" WORK="$T/work" RTG_JOBS=2 \
  bash "$S/fuzz/build.sh"
ok "says how many" grep -q "fuzz targets in $T/oss" "$T/out"
for t in core_cursor core_fixup; do
  ok "$t binary" [ -x "$T/oss/$t" ]
  ok "$t seed zip" [ -s "$T/oss/${t}_seed_corpus.zip" ]
  ok "$t options section" grep -q '^\[libfuzzer\]' "$T/oss/$t.options"
done
ok "zip content" sh -c "unzip -l '$T/oss/core_fixup_seed_corpus.zip' | grep -q rfc5769-request"
ok "zip has no README" sh -c "! unzip -l '$T/oss/core_fixup_seed_corpus.zip' | grep -q README.md"
# every target CMake built is there, and every dict an options file names
n=$(ls "$T/work/rtcgate-build/fuzz" | wc -l)
m=0; for f in "$T/work/rtcgate-build/fuzz"/*; do [ -x "$T/oss/$(basename "$f")" ] && m=$((m+1)); done
ok "all $n targets copied" [ "$m" -eq "$n" ]
for o in "$T"/oss/*.options; do
  d=$(sed -n 's/^[[:space:]]*dict[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$o")
  [ -z "$d" ] || ok "dict $d" [ -s "$T/oss/$d" ]
done
# runs from $OUT alone: its libraries resolve through the rpath
mkdir -p "$T/seeds"
(cd "$T/seeds" && unzip -q "$T/oss/core_fixup_seed_corpus.zip")
check run-seeds 0 env -i "$T/oss/core_fixup" -runs=0 "$T/seeds"
ok "no missing library" sh -c "! ldd '$T/oss/core_fixup' | grep -q 'not found'"
finish
