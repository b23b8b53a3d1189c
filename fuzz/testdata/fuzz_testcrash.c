/*
 * fuzz_testcrash.c - a deliberately buggy fuzz target for the tests of
 * `rtcgate fuzz` (tools/tests/fuzz_*.sh compile it; it is not in fuzz/ so
 * the build does not pick it up). Two distinct bugs, each easy to find:
 *   "FUZ" + 1 byte or more: heap-buffer-overflow READ in read_past_end
 *   "AB...":                signed integer overflow (UBSan) in add_len
 *   "LK...":                memory leak (LeakSanitizer) allocated in leak_it
 * Any other input is fine. Built with -DTESTCRASH_BUGS=0 it has the same
 * branches but no bug (a clean target for the merge and Ctrl-C tests).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef TESTCRASH_BUGS
#define TESTCRASH_BUGS 1
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile int sink;

__attribute__((noinline)) static void read_past_end(size_t size) {
  char *p = malloc(4);
  if (p == NULL) return;
  memset(p, 0, 4);
  sink = p[size]; /* size >= 4 reads past the 4-byte block */
  free(p);
}

__attribute__((noinline)) static void add_len(size_t size) {
  int x = 0x7fffffff - (int)(sink & 1);
  x += (int)size; /* overflows for any size >= 2 */
  sink = x;
}

/* Only an XOR-ed copy of the pointer is kept, so LeakSanitizer sees no
 * reference to the block. */
static volatile uintptr_t hidden;

__attribute__((noinline)) static void leak_it(size_t size) {
  char *p = malloc(size + 16);
  if (p == NULL) return;
  memset(p, 0, size + 16);
  hidden = (uintptr_t)p ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull;
  if (TESTCRASH_BUGS == 0) free(p); /* with the bugs on, the block is lost */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 4 && data[0] == 'F' && data[1] == 'U' && data[2] == 'Z')
    read_past_end(TESTCRASH_BUGS ? size : 0);
  if (size >= 2 && data[0] == 'A' && data[1] == 'B') add_len(TESTCRASH_BUGS ? size : 0);
  if (size >= 2 && data[0] == 'L' && data[1] == 'K') leak_it(size);
  return 0;
}
