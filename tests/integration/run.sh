#!/bin/sh
# Run every tests/integration/test_*.sh with the maxconn binary as $MAXCONN.
# A test exits 0 (pass), 77 (skipped, with the reason on stderr) or anything
# else (fail). Each test is bounded by a timeout. Prints one closing line.
# Each test's output goes to MC_LOGDIR/NAME.log (default: a new directory
# under /tmp, so that two runs on one host do not write each other's logs).
bin=$(realpath "$1")
dir=$(dirname "$0")
logs=${MC_LOGDIR:-$(mktemp -d /tmp/mc-it.XXXXXX)}
mkdir -p "$logs" || exit 1
pass=0 fail=0 skip=0 failed=""
for t in "$dir"/test_*.sh; do
	name=$(basename "$t" .sh)
	[ -n "${ONLY:-}" ] && case "$name" in *$ONLY*) ;; *) continue ;; esac
	start=$(date +%s)
	MAXCONN="$bin" timeout -k 5 300 bash "$t" >"$logs/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(tail -1 "$logs/$name.log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (rc $rc, ${secs}s)"
	   sed 's/^/    /' "$logs/$name.log" | tail -40 ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped (logs in $logs)"
[ $fail -eq 0 ]
