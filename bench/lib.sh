# bench/lib.sh: what the bench scripts share. Source it (bash):
#   . "$(dirname "$(realpath "$0")")/lib.sh"
#
# Counts with unit suffixes, medians, the private network namespace a
# benchmark runs in, a bounded wait for a server's ready file, a bounded
# stop of a process by PID, and the kernel figures more than one script
# reads (/proc/meminfo, /proc/net/sockstat). Nothing here prints a table:
# each script keeps its own.

# bench_to_n SIZE: 100k -> 100000, 1M -> 1000000, 42 -> 42
bench_to_n() {
	case $1 in
	*k) echo $(( ${1%k} * 1000 ));;
	*M) echo $(( ${1%M} * 1000000 ));;
	*) echo "$1";;
	esac
}

# bench_median: the median of the numbers on stdin, one a line (the mean of
# the middle two for an even count); "nan" when there are none
bench_median() {
	sort -g | awk '{a[NR] = $1}
		END {if (!NR) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# bench_netns VAR SCRIPT ARGS...: unless the environment variable VAR is
# set, re-run SCRIPT ARGS in a new network namespace (unshare -n) with VAR=1
# and never return. Needs root: the caller checks, since whether to fall
# back to the host differs between scripts.
bench_netns() {
	local var=$1; shift
	[ -n "${!var:-}" ] && return 0
	exec env "$var=1" unshare -n -- "$@"
}

# bench_netns_setup [SOMAXCONN]: inside the namespace, bring loopback up and
# give it a deep accept queue (default 65535), so a burst of connects waits
# instead of being dropped (a dropped SYN costs a 1 s retransmit)
bench_netns_setup() {
	ip link set lo up
	sysctl -qw net.core.somaxconn="${1:-65535}"
}

# bench_wait_ready FILE PID SECONDS: wait until FILE is non-empty, at most
# SECONDS, and not past the exit of process PID. Returns 0 when ready, 1 on
# time-out or if PID exited first.
bench_wait_ready() {
	local i n=$(( $3 * 20 ))
	for (( i = 0; i < n; i++ )); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$1" ]
}

# bench_stop PID [SIGNAL]: send SIGNAL (default INT, so the process still
# prints its summary), SIGKILL if it has not exited after 60 s, and reap it.
# Nothing to do for an empty PID.
bench_stop() {
	local p=$1
	[ -n "$p" ] || return 0
	kill -"${2:-INT}" "$p" 2>/dev/null || true
	for _ in $(seq 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# bench_meminfo KEY: a /proc/meminfo field in bytes (Slab, KernelStack, ...)
bench_meminfo() { awk -v k="$1:" '$1 == k {printf "%.0f\n", $2 * 1024}' /proc/meminfo; }

# bench_inuse: TCP sockets in use in this namespace (/proc/net/sockstat)
bench_inuse() { awk '/^TCP:/ {print $3}' /proc/net/sockstat; }
