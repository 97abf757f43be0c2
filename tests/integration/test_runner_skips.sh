#!/bin/bash
# test_runner_skips.sh: a skip is not a pass. run.sh, given tests that skip
# (copies of run.sh and lib.sh in a directory of their own, next to small
# tests made here), fails each skip whose reason does not hold on this
# machine (root when this run is root, a tool that is installed, a kernel
# feature it has, an exit 77 with no reason), passes the ones that hold
# (a user that does not exist), counts skips and partial skips in its
# closing line, and exits non-zero when any failed.
. "$(dirname "$0")/lib.sh"
d="$MC_TMP/suite"
mkdir -p "$d"
cp "$(dirname "$0")/run.sh" "$(dirname "$0")/lib.sh" "$d/"
t() { printf '. "$(dirname "$0")/lib.sh"\n%s\n' "$2" >"$d/test_$1.sh"; }
t pass 'echo fine'
t toolhere 'mc_skip tool jq "jq not installed"'
t nokind 'exit 77'
t userabsent 'mc_skip user maxconn-no-such-user "no such user"'
t partgone 'mc_skip_part user maxconn-no-such-user "the checks as that user dropped"; echo rest'
# a feature this kernel has: io_uring when it is enabled, else the sysctl
# that disables it
if [ "$(sysctl -n kernel.io_uring_disabled 2>/dev/null || echo 0)" = 0 ]; then
	t kernelhas 'mc_skip kernel io_uring "io_uring is disabled"'
else
	t kernelhas 'mc_skip kernel io_uring_disabled "no kernel.io_uring_disabled"'
fi
t parthere 'mc_skip_part tool sh "sh not installed"; echo rest'
want_fail="toolhere nokind parthere kernelhas"
if [ "$(id -u)" -eq 0 ]; then
	t rootneeded 'mc_skip root - "needs root"'
	want_fail="$want_fail rootneeded"
fi
out=$(env -u ONLY -u MC_SANITIZE -u MC_ALLOW_SKIP MC_LOGDIR="$MC_TMP/logs" sh "$d/run.sh" /bin/true 2>&1)
rc=$?
echo "$out"
mc_eq "the runner's exit code" 1 $rc
for n in $want_fail; do
	echo "$out" | grep -q "^FAIL test_$n " || mc_fail "test_$n skipped what this machine has and did not fail"
done
echo "$out" | grep -q "^SKIP test_userabsent" || mc_fail "test_userabsent: an allowed skip is not reported as one"
echo "$out" | grep -q "^PASS test_partgone .*some checks skipped" || mc_fail "test_partgone: the checks it dropped are not said"
nfail=$(echo "$want_fail" | wc -w)
mc_eq "closing line" "integration: 2 passed, $nfail failed, 1 skipped, 1 passed with checks skipped" \
	"$(echo "$out" | tail -1 | sed 's/ (logs in .*//')"
echo "$out" | grep -q "NOT allowed: jq is installed" || mc_fail "the reason a skip is refused is not said"
