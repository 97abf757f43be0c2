# lib.sh: helpers for integration tests. Source it first thing:
#   . "$(dirname "$0")/lib.sh"; mc_netns   # re-exec inside a private netns
#
# Every process a test starts is recorded with mc_bg and killed by PID on
# exit. Assertions print what was expected and what was seen. Nothing here
# depends on where the checkout lives: what user nobody runs is a copy of
# the binary in a directory nobody can enter (mc_nobody).

set -u
MAXCONN=${MAXCONN:?set MAXCONN to the maxconn binary}
MC_PIDS=""
MC_TMP=$(mktemp -d /tmp/mc-test.XXXXXX)

mc_cleanup() {
	for p in $MC_PIDS; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.2
	for p in $MC_PIDS; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$MC_TMP"
}
trap mc_cleanup EXIT

# Re-run this script inside a new network namespace (private loopback, its
# own net.* sysctls). Needs root; skips otherwise.
mc_netns() {
	if [ -z "${MC_IN_NETNS:-}" ]; then
		[ "$(id -u)" -eq 0 ] || mc_skip "needs root for a private network namespace"
		# exec runs no EXIT trap: the run inside makes its own MC_TMP
		rmdir "$MC_TMP"
		MC_IN_NETNS=1 exec unshare -n -- bash "$0" "$@"
	fi
	ip link set lo up
}

mc_skip() { echo "$*" >&2; exit 77; }
mc_fail() { echo "FAIL: $*" >&2; exit 1; }

# mc_need CMD...: skip the test unless every CMD is installed
mc_need() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null || mc_skip "$c not installed"; done
}

# mc_bg CMD...: start in the background, remember the PID in $MC_LAST (the
# command's own: the subshell execs it), without the test's lock fds
mc_bg() {
	(
		for v in ${!MC_LOCK_FD_*}; do eval "exec ${!v}>&-"; done
		exec "$@"
	) &
	MC_LAST=$!
	MC_PIDS="$MC_PIDS $MC_LAST"
}

# mc_wait_file PATH SECONDS [PID]: wait until PATH exists and is non-empty;
# fail after SECONDS, or at once if process PID has exited
mc_wait_file() {
	local i=0 n=$(( $2 * 10 ))
	while [ ! -s "$1" ]; do
		i=$((i + 1)); [ $i -gt $n ] && mc_fail "timed out waiting for $1"
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || mc_fail "process $3 exited before writing $1"
		sleep 0.1
	done
}

# mc_server NAME CMD...: start CMD, a `maxconn server` command line (maybe
# behind prlimit or ${MC_AS_NOBODY[@]}), with --ready-file $MC_TMP/NAME.ready
# --json -q and its JSON summary in $MC_TMP/NAME.json; wait (10 s at most)
# until it is listening. NAME may be nobody/NAME, in the directory user nobody
# can write (mc_nobody). Sets MC_SRV (and MC_LAST) to its PID.
mc_server() {
	local name=$1; shift
	mc_bg "$@" --ready-file "$MC_TMP/$name.ready" --json -q >"$MC_TMP/$name.json"
	MC_SRV=$MC_LAST
	mc_wait_file "$MC_TMP/$name.ready" 10 "$MC_SRV"
}

# mc_stop PID: SIGTERM, then wait; returns the process's exit code
mc_stop() { kill -TERM "$1" 2>/dev/null; wait "$1"; }

# mc_lock NAME [-s]: hold the host-wide lock NAME until the test ends (-s:
# shared), waiting at most 120 s. For what a private namespace does not
# make private and another run of these tests on the same host would
# disturb: a global sysctl, the tasks of user nobody (RLIMIT_NPROC counts
# them all). Taking it again converts it (flock(1) semantics).
mc_lock() {
	local v=MC_LOCK_FD_$1
	if [ -z "${!v:-}" ]; then
		exec {MC_FD}>>"/tmp/maxconn-test-$1.lock" || mc_fail "cannot open the lock /tmp/maxconn-test-$1.lock"
		printf -v "$v" %s "$MC_FD"
	fi
	flock -w 120 ${2:--x} "${!v}" || mc_fail "waited 120 s for the lock $1 (another test run holds it)"
}

# mc_nobody: set up to run maxconn as user nobody; returns 1 (and sets up
# nothing) without a user nobody or setpriv. A checkout may sit where nobody cannot go (a home of mode 0700),
# so nobody runs MC_NOBODY_BIN, a copy of $MAXCONN in $MC_TMP/bin (0755,
# removed with $MC_TMP), from MC_NOBODY_DIR, a directory it may write (its
# ready files and reports). Run a command as nobody with
# "${MC_AS_NOBODY[@]}" CMD... (an array, not a function, so that mc_bg
# records the PID of the command itself). Holds the lock "nobody": the
# tests set RLIMIT_NPROC for nobody, which counts nobody's every task on
# the host, so two runs at once would take each other's threads.
mc_nobody() {
	id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null || return 1
	mc_lock nobody
	chmod 711 "$MC_TMP"
	mkdir -p -m 755 "$MC_TMP/bin"
	cp "$MAXCONN" "$MC_TMP/bin/maxconn"
	chmod 755 "$MC_TMP/bin/maxconn"
	MC_NOBODY_BIN=$MC_TMP/bin/maxconn
	MC_NOBODY_DIR=$MC_TMP/nobody
	mkdir -p -m 777 "$MC_NOBODY_DIR"
	MC_AS_NOBODY=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups env -C "$MC_NOBODY_DIR")
}

# mc_eq NAME EXPECTED ACTUAL / mc_ge / mc_le / mc_between NAME LO HI ACTUAL
mc_eq() { [ "$3" = "$2" ] || mc_fail "$1: expected $2, got $3"; echo "ok: $1 = $3"; }
mc_ge() { [ "$3" -ge "$2" ] || mc_fail "$1: expected >= $2, got $3"; echo "ok: $1 = $3 (>= $2)"; }
mc_le() { [ "$3" -le "$2" ] || mc_fail "$1: expected <= $2, got $3"; echo "ok: $1 = $3 (<= $2)"; }
mc_between() { { [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; } || mc_fail "$1: expected $2..$3, got $4"; echo "ok: $1 = $4 (in $2..$3)"; }

# mc_echo_intact CLIENT_JSON N: a client's --echo-verify run established all
# N, and every byte came back as sent
mc_echo_intact() {
	mc_eq "established" "$2" "$(jq .established "$1")"
	mc_eq "echo mismatches" 0 "$(jq .traffic.echo_mismatch "$1")"
	mc_eq "echo bytes lost" 0 "$(jq .traffic.echo_lost_bytes "$1")"
}

# mc_echo_verified CLIENT_JSON SERVER_JSON N MSG: mc_echo_intact, and the
# byte counts add up: at least 2 messages of MSG bytes per connection, all
# of them back, and the echo server read and wrote exactly what was sent
mc_echo_verified() {
	local c=$1 s=$2 n=$3 msg=$4 sent
	sent=$(jq .traffic.bytes_out "$c")
	mc_echo_intact "$c" "$n"
	mc_ge "messages sent (at least 2 per connection)" $((2 * n)) "$(jq .traffic.msgs_sent "$c")"
	mc_eq "bytes out = messages x $msg" $(( $(jq .traffic.msgs_sent "$c") * msg )) "$sent"
	mc_eq "bytes back = bytes out" "$sent" "$(jq .traffic.bytes_in "$c")"
	mc_eq "server bytes in = client bytes out" "$sent" "$(jq .bytes_in "$s")"
	mc_eq "server bytes out = client bytes out" "$sent" "$(jq .bytes_out "$s")"
}

# mc_wait_established FILTER N SECONDS: wait until the kernel shows at least
# N established sockets matching the ss FILTER (e.g. 'dport = :9000'); on
# time-out go on and let the test's own assertions report the count
mc_wait_established() {
	local i=0 n=$(( $3 * 10 ))
	while [ "$(ss -Htn state established "( $1 )" | wc -l)" -lt "$2" ]; do
		i=$((i + 1)); [ $i -gt $n ] && return 0
		sleep 0.1
	done
}

# established TCP sockets in this namespace, from the kernel (not maxconn)
mc_ss_established() { ss -Htn state established "$@" | wc -l; }
mc_sockstat_inuse() { awk '/^TCP:/ {print $3}' /proc/net/sockstat; }
