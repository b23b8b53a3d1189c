# rtcgate: the two commands are `make run` and `make test`; both install
# what is missing (tools/install-deps), configure and build first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CMAKE_QUIET := > /dev/null

.PHONY: all deps build build-asan build-clang build-fuzz test run bench fuzz coverage \
        format clean

all: build

deps:
	@tools/install-deps

# Optimised tree (release preset): the CLI at build/bin/rtcgate, benchmarks.
build: deps
	@cmake --preset release $(CMAKE_QUIET)
	@cmake --build build -j$(JOBS)

build-asan: deps
	@cmake --preset asan $(CMAKE_QUIET)
	@cmake --build build-asan -j$(JOBS)

# clang -Werror build check of the whole tree.
build-clang: deps
	@cmake --preset clang $(CMAKE_QUIET)
	@cmake --build build-clang -j$(JOBS)

# libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined).
build-fuzz: deps
	@cmake --preset fuzz $(CMAKE_QUIET)
	@cmake --build build-fuzz -j$(JOBS)

# The whole suite: unit tests + corpus regression under ASan+UBSan (gcc),
# plus -Werror builds of the release tree (gcc -O3 finds warnings -O1 does
# not), with clang, and of the libFuzzer targets.
test: build-asan build build-clang build-fuzz
	@ctest --test-dir build-asan --output-on-failure -j$(JOBS)

# The main job on bundled defaults.
run: build build-fuzz
	@tools/run-defaults

bench: build
	@build/bin/rtcgate bench

fuzz: build build-fuzz
	@build/bin/rtcgate fuzz --time $${TIME:-60s}

format:
	@find stack fuzz tools conformance -name '*.[ch]' ! -name crc_tables.h | xargs clang-format -i

clean:
	rm -rf build build-asan build-clang build-fuzz build-default build-coverage fuzz-out
