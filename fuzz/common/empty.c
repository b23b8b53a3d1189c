/* empty.c - keeps rtg_fuzz_common a valid library while it has no helpers. */
typedef int rtg_fuzz_common_empty_unit;
