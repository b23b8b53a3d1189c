#!/bin/bash -eu
# fuzz/build.sh - builds every fuzz target for OSS-Fuzz / ClusterFuzzLite.
#
# The environment is OSS-Fuzz's: $CC and $CFLAGS (sanitizer flags and
# -fsanitize=fuzzer-no-link already in), $LIB_FUZZING_ENGINE (the engine to
# link, e.g. -fsanitize=fuzzer), $OUT (where binaries and their files go),
# $WORK (scratch). CMakeLists.txt takes $LIB_FUZZING_ENGINE as the engine when
# it is set. For each fuzz/<target>.c this writes to $OUT:
#   <target>                    the fuzz target
#   <target>_seed_corpus.zip    corpora/<target>/ (regressions/ included)
#   <target>.options            fuzz/<target>.options under [libfuzzer]
#   <target>.dict (and any dict an options file names)
#   lib/                        shared libraries the targets need that the
#                               runner image lacks (found with ldd; the
#                               targets look there through an $ORIGIN rpath)
# Run it here the way OSS-Fuzz does:
#   export CC=clang CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only \
#     -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
#     LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out WORK=/tmp/work
#   fuzz/build.sh
# RTG_JOBS limits build parallelism (default: all CPUs).

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:?OUT must name the output directory}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE must be set (e.g. -fsanitize=fuzzer)}"
CC=${CC:-clang}
WORK=${WORK:-$(mktemp -d)}
BUILD="$WORK/rtcgate-build"
JOBS=${RTG_JOBS:-$(nproc)}
mkdir -p "$OUT" "$BUILD"

GEN=()
if command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); fi
# CFLAGS come from the environment (CMake reads $CFLAGS on first configure).
# --as-needed: rtg_fuzz_common carries the oracle libraries (libnice, glib,
# ...) that only differential targets use; the others should not need them.
# No -Werror: OSS-Fuzz's clang is newer than the one the tree is checked with.
cmake -S "$SRC_DIR" -B "$BUILD" "${GEN[@]}" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=None \
  -DRTG_FUZZ=ON -DRTG_WERROR=OFF -DRTG_BUILD_TESTS=OFF -DRTG_BUILD_TOOLS=OFF \
  '-DCMAKE_EXE_LINKER_FLAGS=-Wl,--as-needed -Wl,-rpath,$ORIGIN/lib'
cmake --build "$BUILD" -j"$JOBS"

# Every target CMake found (fuzz/*.c at configure time) is in $BUILD/fuzz.
targets=""
for bin in "$BUILD"/fuzz/*; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  t=$(basename "$bin")
  cp "$bin" "$OUT/$t"
  targets="$targets $t"

  # Seed corpus: flat zip of every file (README.md is documentation).
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ -d "$SRC_DIR/corpora/$t" ]; then
    (cd "$SRC_DIR/corpora/$t" &&
      find . -type f ! -name README.md ! -name '.*' -print | sort |
      zip -q -j "$OUT/${t}_seed_corpus.zip" -@) || true
  fi

  # Options: OSS-Fuzz reads them as an INI file with a [libfuzzer] section.
  opt="$SRC_DIR/fuzz/$t.options"
  if [ -f "$opt" ]; then
    {
      grep -q '^\[libfuzzer\]' "$opt" || echo "[libfuzzer]"
      cat "$opt"
    } > "$OUT/$t.options"
    # A dictionary named in the options is copied next to the target.
    sed -n 's/^[[:space:]]*dict[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$opt" |
      while read -r d; do
        [ -f "$SRC_DIR/fuzz/$d" ] && cp "$SRC_DIR/fuzz/$d" "$OUT/$d"
      done
  fi
  if [ -f "$SRC_DIR/fuzz/$t.dict" ]; then cp "$SRC_DIR/fuzz/$t.dict" "$OUT/$t.dict"; fi
done

# Shared libraries outside glibc (libssl, libcrypto, libsrtp2, libnice, ...)
# are not in the runner image: copy them next to the targets.
mkdir -p "$OUT/lib"
for t in $targets; do
  ldd "$OUT/$t" 2>/dev/null | awk '/=> \// { print $3 }'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so* | libm.so* | libdl.so* | libpthread.so* | librt.so* | ld-linux* | libresolv.so*) ;;
    *) cp -L "$lib" "$OUT/lib/" ;;
  esac
done

n=$(echo $targets | wc -w)
if [ "$n" -eq 0 ]; then
  echo "build.sh: no fuzz target was built" >&2
  exit 1
fi
echo "build.sh: $n fuzz targets in $OUT"
