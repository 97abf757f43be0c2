# lib.sh: helpers for integration tests. Source it first thing:
#   . "$(dirname "$0")/lib.sh"; mc_netns   # re-exec inside a private netns
#
# Every process a test starts is recorded with mc_bg and killed by PID on
# exit. Assertions print what was expected and what was seen.

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
		MC_IN_NETNS=1 exec unshare -n -- bash "$0" "$@"
	fi
	ip link set lo up
}

mc_skip() { echo "$*" >&2; exit 77; }
mc_fail() { echo "FAIL: $*" >&2; exit 1; }

# mc_bg CMD...: start in the background, remember the PID in $MC_LAST
mc_bg() {
	"$@" &
	MC_LAST=$!
	MC_PIDS="$MC_PIDS $MC_LAST"
}

# mc_wait_file PATH SECONDS: wait until PATH exists and is non-empty
mc_wait_file() {
	local i=0 n=$(( $2 * 10 ))
	while [ ! -s "$1" ]; do
		i=$((i + 1)); [ $i -gt $n ] && mc_fail "timed out waiting for $1"
		sleep 0.1
	done
}

# mc_eq NAME EXPECTED ACTUAL / mc_ge / mc_le / mc_between NAME LO HI ACTUAL
mc_eq() { [ "$3" = "$2" ] || mc_fail "$1: expected $2, got $3"; echo "ok: $1 = $3"; }
mc_ge() { [ "$3" -ge "$2" ] || mc_fail "$1: expected >= $2, got $3"; echo "ok: $1 = $3 (>= $2)"; }
mc_le() { [ "$3" -le "$2" ] || mc_fail "$1: expected <= $2, got $3"; echo "ok: $1 = $3 (<= $2)"; }
mc_between() { { [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; } || mc_fail "$1: expected $2..$3, got $4"; echo "ok: $1 = $4 (in $2..$3)"; }

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
