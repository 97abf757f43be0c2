#!/bin/bash
# test_structure.sh: scripts/structure (run by `make check`) passes on this
# tree and fails, naming the place, on each rule it keeps: an include cycle
# between units, a .c file over 1,000 lines, a function over 150 lines. It
# runs on a copy of src/ in a temp dir, so the checkout is never touched.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$MC_TMP/tree
mkdir -p "$t/scripts"
cp "$root/scripts/structure" "$t/scripts/"
cp -r "$root/src" "$t/src"

"$t/scripts/structure" >"$MC_TMP/ok.out" 2>&1
rc=$?
cat "$MC_TMP/ok.out"
mc_eq "this tree: exit code" 0 $rc

# a cycle: two new units that include each other's headers
mkdir -p "$t/src/zz"
printf '#include "zz/b.h"\n' >"$t/src/zz/a.h"
printf '#include "zz/a.h"\n' >"$t/src/zz/b.h"
printf '#include "zz/a.h"\nint zz_a(void);\n' >"$t/src/zz/a.c"
"$t/scripts/structure" >"$MC_TMP/cycle.out" 2>&1
rc=$?
mc_eq "a cycle: exit code" 1 $rc
grep -q 'src/zz/a' "$MC_TMP/cycle.out" && grep -q 'src/zz/b' "$MC_TMP/cycle.out" ||
	mc_fail "the cycle's units are not named: $(cat "$MC_TMP/cycle.out")"
echo "ok: the cycle is named"
rm -r "$t/src/zz"

# a function of 151 lines (between its braces), in a file of 1,001
f=$t/src/common/zz_long.c
{
	echo "int zz_long(void)"
	echo "{"
	echo "	int x = 0;"
	for _ in $(seq 149); do echo "	x++;"; done
	echo "	return x;"
	echo "}"
	for _ in $(seq 847); do echo "/* filler */"; done
} >"$f"
mc_eq "the file's length" 1001 "$(wc -l <"$f")"
"$t/scripts/structure" >"$MC_TMP/long.out" 2>&1
rc=$?
cat "$MC_TMP/long.out"
mc_eq "a long function in a long file: exit code" 1 $rc
grep -q "src/common/zz_long.c:2: 151 lines: int zz_long(void)" "$MC_TMP/long.out" ||
	mc_fail "the long function is not named with its length"
grep -q "src/common/zz_long.c: 1001 lines" "$MC_TMP/long.out" ||
	mc_fail "the long file is not named with its length"
echo "ok: the long function and file are named"
