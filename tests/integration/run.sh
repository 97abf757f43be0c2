#!/bin/sh
# Run every tests/integration/test_*.sh with the maxconn binary as $MAXCONN
# (ONLY="WORD...": those whose names contain one of the words).
# A test exits 0 (pass), 77 (skipped) or anything else (fail). Each test is
# bounded by a timeout. Prints one closing line, skips counted.
# A skip is not a pass: a test skips, or drops some of its checks, only
# through lib.sh's mc_skip / mc_skip_part KIND WHAT MESSAGE, which write the
# reason to MC_SKIP_FILE; skip_allowed (below) checks each reason on this
# machine, and a test that skipped anything this machine has (root, a tool
# whose package can be installed, a kernel feature) FAILS, as does an exit
# 77 without a reason. MC_ALLOW_SKIP=1 lets such skips pass (still counted).
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
pass=0 fail=0 skip=0 partial=0 failed=""

# pkg_of CMD: the Debian package that installs command CMD ("" unknown)
pkg_of() {
	case $1 in
	jq | curl | perl | nginx | redis-server | yamllint | npm | prometheus | prometheus-node-exporter) echo "$1" ;;
	promtool) echo prometheus ;;
	nft) echo nftables ;;
	node) echo nodejs ;;
	chromium) echo chromium ;;
	cc) echo gcc ;;
	ss | nstat | ip) echo iproute2 ;;
	strace) echo strace ;;
	nsenter | setsid | setpriv | taskset | unshare | prlimit) echo util-linux ;;
	*) echo "" ;;
	esac
}

# cgroup_ctrl CTRL: this host mounts controller CTRL (v1, or delegated by the
# v2 root), as lib.sh's mc_cgroup looks for it
cgroup_ctrl() {
	local mnt
	mnt=$(awk -v c="$1" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	[ -n "$mnt" ] && return 0
	mnt=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	[ -n "$mnt" ] && grep -qw "$1" "$mnt/cgroup.subtree_control" 2>/dev/null
}

# skip_allowed KIND WHAT: does this reason to skip hold on this machine?
# Prints why it does (0) or why not (1).
skip_allowed() {
	local pkg cand
	case $1 in
	root) [ "$(id -u)" -ne 0 ] && { echo "not root"; return 0; }
		echo "this run is root"; return 1 ;;
	user) id "$2" >/dev/null 2>&1 || { echo "no user $2"; return 0; }
		echo "user $2 exists"; return 1 ;;
	sanitizer) [ -n "${MC_SANITIZE:-}" ] && { echo "a sanitizer build"; return 0; }
		echo "not a sanitizer build"; return 1 ;;
	tool)
		pkg=$(pkg_of "$2")
		[ -n "$pkg" ] || { echo "no package known for $2 (add it to run.sh's pkg_of)"; return 1; }
		command -v "$2" >/dev/null && { echo "$2 is installed"; return 1; }
		cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
		if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
			echo "package $pkg $cand can be installed (scripts/deps $pkg)"; return 1
		fi
		echo "package $pkg cannot be installed here"; return 0 ;;
	kernel)
		case $2 in
		io_uring) [ "$(sysctl -n kernel.io_uring_disabled 2>/dev/null || echo 0)" != 0 ] ;;
		io_uring_disabled) [ ! -e /proc/sys/kernel/io_uring_disabled ] ;;
		tcp_child_ehash_entries) [ ! -e /proc/sys/net/ipv4/tcp_child_ehash_entries ] ;;
		slabinfo-0400) [ "$(stat -c %a /proc/slabinfo 2>/dev/null)" != 400 ] ;;
		cgroup-*) ! cgroup_ctrl "${2#cgroup-}" ;;
		*) echo "unknown kernel feature $2 (add it to run.sh's skip_allowed)"; return 1 ;;
		esac && { echo "this kernel lacks $2"; return 0; }
		echo "this kernel has $2"; return 1 ;;
	package)
		dpkg-query -W -f '${Status}' "$2" 2>/dev/null | grep -q 'ok installed' &&
			{ echo "package $2 is installed"; return 1; }
		cand=$(apt-cache policy "$2" 2>/dev/null | awk '/Candidate:/ { print $2 }')
		if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
			echo "package $2 $cand can be installed (scripts/deps $2)"; return 1
		fi
		echo "package $2 cannot be installed here"; return 0 ;;
	registry)
		[ "$2" = npm ] && ! timeout 30 npm ping >/dev/null 2>&1 &&
			{ echo "the npm registry cannot be reached"; return 0; }
		echo "the $2 registry can be reached"; return 1 ;;
	esac
	echo "unknown kind of skip '$1' (lib.sh's mc_skip lists them)"
	return 1
}

# judge_skips NAME FILE: every reason in FILE holds here (0), or prints the
# first that does not (1); no reason at all is one that does not
judge_skips() {
	local kind what msg why bad=0
	[ -s "$2" ] || { echo "    a skip must say why (lib.sh: mc_skip KIND WHAT MESSAGE)"; return 1; }
	while IFS=' ' read -r kind what msg; do
		if why=$(skip_allowed "$kind" "$what"); then
			echo "    skipped ($kind $what): $msg; allowed: $why"
		else
			echo "    skipped ($kind $what): $msg; NOT allowed: $why"
			bad=1
		fi
	done <"$2"
	[ $bad -eq 0 ] || [ -n "${MC_ALLOW_SKIP:-}" ]
}
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
	skips="$logs/$name.skips"
	rm -f "$skips"
	MC_SKIP_FILE="$skips" MAXCONN="$bin" timeout -k 5 300 bash "$t" >"$logs/$name.log" 2>&1
	rc=$?
	if [ -n "${MC_SANITIZE:-}" ] && ls "$logs/san/$name".* >/dev/null 2>&1; then
		case $rc in 0 | 77) rc=86 ;; esac
		{ echo "sanitizer reports:"; cat "$logs/san/$name".*; } >>"$logs/$name.log"
	fi
	secs=$(( $(date +%s) - start ))
	# a skip, or checks skipped in a pass, whose reason does not hold here: fail
	if [ $rc -eq 77 ] || { [ $rc -eq 0 ] && [ -s "$skips" ]; }; then
		if ! judge_skips "$name" "$skips" >"$logs/$name.judged"; then
			echo "skipped for a reason that does not hold on this machine, or for none (run.sh: skip_allowed):" >>"$logs/$name.log"
			cat "$logs/$name.judged" >>"$logs/$name.log"
			rc=78
		fi
	fi
	case $rc in
	0) pass=$((pass + 1))
	   if [ -s "$skips" ]; then
		partial=$((partial + 1)); echo "PASS $name (${secs}s), some checks skipped:"
		cat "$logs/$name.judged"
	   else echo "PASS $name (${secs}s)"; fi ;;
	77) skip=$((skip + 1)); echo "SKIP $name:"; cat "$logs/$name.judged" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (rc $rc, ${secs}s)"
	   sed 's/^/    /' "$logs/$name.log" | tail -40 ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped, $partial passed with checks skipped (logs in $logs)"
[ $fail -eq 0 ]
