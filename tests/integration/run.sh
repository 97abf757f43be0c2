#!/bin/sh
# Run every tests/integration/test_*.sh with the maxconn binary as $MAXCONN
# (ONLY="WORD...": those whose names contain one of the words).
# A test exits 0 (pass), 77 (skipped, with the reason on stderr) or anything
# else (fail). Each test is bounded by a timeout. Prints one closing line.
# Each test's output goes to MC_LOGDIR/NAME.log (default: a new directory
# under /tmp, so that two runs on one host do not write each other's logs).
# MC_SANITIZE=1 (a binary built with ASan+UBSan, `make integration-asan`):
# every process writes what a sanitizer finds to MC_LOGDIR/san/NAME.PID
# (user nobody's too) and exits 86 at the first error; a test whose
# processes wrote such a file fails, whatever it asserted.
bin=$(realpath "$1")
dir=$(dirname "$0")
logs=${MC_LOGDIR:-$(mktemp -d /tmp/mc-it.XXXXXX)}
mkdir -p "$logs" || exit 1
pass=0 fail=0 skip=0 failed=""
if [ -n "${MC_SANITIZE:-}" ]; then
	chmod 711 "$logs" && mkdir -p -m 1777 "$logs/san" || exit 1
	# detect_leaks: a process that exits reports what it did not free (one
	# killed by a signal does not); allocator_may_return_null: malloc fails
	# as without ASan (a memory cgroup's limit is a scenario, not a bug)
	san="halt_on_error=1:exitcode=86:detect_leaks=1:allocator_may_return_null=1"
	# verify_asan_link_order=0: test_thread_limits preloads its own library
	san="$san:print_stacktrace=1:verify_asan_link_order=0:${MC_SANITIZE_OPTIONS:-}"
fi
for t in "$dir"/test_*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${ONLY:-}" ]; then # words: a test whose name has any of them
		keep=
		for o in $ONLY; do case "$name" in *$o*) keep=1 ;; esac; done
		[ -n "$keep" ] || continue
	fi
	start=$(date +%s)
	if [ -n "${MC_SANITIZE:-}" ]; then
		export ASAN_OPTIONS="$san:log_path=$logs/san/$name" UBSAN_OPTIONS="$san:log_path=$logs/san/$name"
	fi
	MAXCONN="$bin" timeout -k 5 300 bash "$t" >"$logs/$name.log" 2>&1
	rc=$?
	if [ -n "${MC_SANITIZE:-}" ] && ls "$logs/san/$name".* >/dev/null 2>&1; then
		case $rc in 0 | 77) rc=86 ;; esac
		{ echo "sanitizer reports:"; cat "$logs/san/$name".*; } >>"$logs/$name.log"
	fi
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
