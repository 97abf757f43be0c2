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
MC_CGROUPS=""
MC_NETNS=""
MC_TMP=$(mktemp -d /tmp/mc-test.XXXXXX)

mc_cleanup() {
	for p in $MC_PIDS; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.2
	for p in $MC_PIDS; do kill -KILL "$p" 2>/dev/null; done
	mc_cgroup_cleanup
	for n in $MC_NETNS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$MC_TMP"
}
trap mc_cleanup EXIT

# Re-run this script inside a new network namespace (private loopback, its
# own net.* sysctls). Needs root; skips otherwise.
mc_netns() {
	if [ -z "${MC_IN_NETNS:-}" ]; then
		[ "$(id -u)" -eq 0 ] || mc_skip root - "needs root for a private network namespace"
		# exec runs no EXIT trap: the run inside makes its own MC_TMP
		rmdir "$MC_TMP"
		# the host's namespace stays reachable for what is global there
		# (mc_host_net)
		exec {MC_HOST_NETFD}</proc/self/ns/net
		export MC_HOST_NETFD
		MC_IN_NETNS=1 exec unshare -n -- bash "$0" "$@"
	fi
	ip link set lo up
}

# mc_host_net CMD...: run CMD in the network namespace the test started in
# (after mc_netns): sysctls a child namespace shows read-only, such as
# net.netfilter.nf_conntrack_max, are set there
mc_host_net() { nsenter --net="/proc/$$/fd/${MC_HOST_NETFD:?mc_host_net needs mc_netns}" "$@"; }

# mc_named_netns NAME...: make named network namespaces (ip netns add) for
# a topology of several (a router, a proxy, a server), deleted at the end
# (after the processes in them are stopped)
mc_named_netns() {
	local n
	for n in "$@"; do
		ip netns add "$n" || mc_fail "ip netns add $n"
		MC_NETNS="$MC_NETNS $n"
	done
}

# mc_skip KIND WHAT MESSAGE: skip the whole test (exit 77), for a reason
# the runner (run.sh) checks: it fails the test when this machine has what
# the test needs. KIND WHAT is one of:
#   root -             the test needs root and runs as another user
#   tool CMD           command CMD is not installed (allowed only where its
#                      Debian package cannot be installed: run.sh's table)
#   user nobody        there is no user nobody
#   kernel FEATURE     this kernel lacks FEATURE (io_uring, io_uring_disabled,
#                      cgroup-CTRL, slabinfo-0400, tcp_child_ehash_entries)
#   sanitizer -        not under a sanitizer build (MC_SANITIZE)
#   package PKG        Debian package PKG (no command of its own: a module)
#                      is not installed and cannot be
#   registry npm       the npm registry cannot be reached
# The reason goes to $MC_SKIP_FILE (set by run.sh) and stderr.
mc_skip() {
	[ $# -ge 3 ] || mc_fail "mc_skip needs KIND WHAT MESSAGE, got: $*"
	printf '%s %s %s\n' "$1" "$2" "$3" >>"${MC_SKIP_FILE:-/dev/null}"
	echo "skip ($1 $2): $3" >&2
	exit 77
}
# mc_skip_part KIND WHAT MESSAGE: the same for some checks of a test: says
# what it drops (stdout and $MC_SKIP_FILE) and goes on; the runner fails the
# test when the reason does not hold here
mc_skip_part() {
	[ $# -ge 3 ] || mc_fail "mc_skip_part needs KIND WHAT MESSAGE, got: $*"
	printf '%s %s %s\n' "$1" "$2" "$3" >>"${MC_SKIP_FILE:-/dev/null}"
	echo "checks skipped ($1 $2): $3"
}
mc_fail() { echo "FAIL: $*" >&2; exit 1; }

# mc_need CMD...: skip the test unless every CMD is installed
mc_need() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null || mc_skip tool "$c" "$c not installed"; done
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
# nothing) without a user nobody or setpriv (mc_nobody_why says which). A checkout may sit where nobody cannot go (a home of mode 0700),
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
# mc_nobody_why: why mc_nobody returned 1, as mc_skip's KIND WHAT
mc_nobody_why() { id nobody >/dev/null 2>&1 && echo "tool setpriv" || echo "user nobody"; }

# mc_probe_kids PID: the children of probe PID in its own network namespace
# (its server and client; not a calibration's child, which has a namespace
# of its own for a second at the start of each step)
mc_probe_kids() {
	local k ns
	ns=$(readlink "/proc/$1/ns/net" 2>/dev/null) || return 0
	for k in $(pgrep -P "$1"); do
		[ "$(readlink "/proc/$k/ns/net" 2>/dev/null)" = "$ns" ] && echo "$k"
	done
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

# mc_slab_obj CACHE [objsize]: the bytes one object of slab cache CACHE
# takes, read from /proc/slabinfo (a slab's pages over its objects; with
# objsize, the object's own size, as node_exporter's slabinfo gives it), 0
# when not listed
mc_slab_obj() {
	awk -v c="$1" -v pg="$(getconf PAGESIZE)" -v own="${2:-}" \
		'$1 == c && $5 > 0 { print own ? $4 : int($6 * pg / $5); f = 1; exit } END { if (!f) print 0 }' /proc/slabinfo
}
# mc_slab_socket_bytes [objsize]: the kernel bytes of one idle TCP socket
# with an epoll watch, one object of each cache it lives in (TCP,
# sock_inode_cache, dentry, filp, eventpoll_epi and _pwq), at this kernel's
# object sizes (mc_slab_obj)
mc_slab_socket_bytes() {
	local c n=0
	for c in TCP sock_inode_cache dentry filp eventpoll_epi eventpoll_pwq; do
		n=$((n + $(mc_slab_obj $c "${1:-}")))
	done
	echo $n
}

# mc_cgroup CTRL NAME: make a cgroup of controller CTRL (memory or pids) for
# this test, v1 or v2, whichever this host mounts with that controller
# (v2 only where the root already delegates it: nothing on the host is
# re-configured), and hold the lock "cgroups". Sets MC_CG (its directory)
# and MC_CG_V (1 or 2); skips the test when there is none. Removed on exit,
# after every process the test started in it has ended.
mc_cgroup() {
	local ctrl=$1 mnt
	[ "$(id -u)" -eq 0 ] || mc_skip root - "needs root for a $ctrl cgroup"
	mc_lock cgroups
	mnt=$(awk -v c="$ctrl" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	if [ -n "$mnt" ]; then
		MC_CG_V=1
	else
		mnt=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
		[ -n "$mnt" ] && grep -qw "$ctrl" "$mnt/cgroup.subtree_control" 2>/dev/null ||
			mc_skip kernel "cgroup-$ctrl" "no $ctrl cgroup controller (v1, or delegated by the v2 root)"
		MC_CG_V=2
	fi
	MC_CG=$mnt/maxconn-test-$2.$$
	mkdir "$MC_CG" || mc_fail "cannot make the cgroup $MC_CG"
	MC_CGROUPS="$MC_CGROUPS $MC_CG"
}

# mc_cgroup_memory_max DIR SIZE: set memory cgroup DIR's limit (v1
# memory.limit_in_bytes, v2 memory.max)
mc_cgroup_memory_max() {
	if [ "$MC_CG_V" = 1 ]; then
		echo "$2" >"$1/memory.limit_in_bytes"
	else
		echo "$2" >"$1/memory.max"
	fi || mc_fail "cannot set the memory limit of $1 to $2"
}

# End what is left in this test's cgroups (only the test's own processes
# are in them) and remove them.
mc_cgroup_cleanup() {
	local d p i
	for d in $MC_CGROUPS; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -s "$d/cgroup.procs" ] || break
			for p in $(cat "$d/cgroup.procs"); do kill -KILL "$p" 2>/dev/null; done
			sleep 0.2
		done
		rmdir "$d" 2>/dev/null
	done
}

# mc_in_cgroup DIR CMD...: run CMD inside cgroup DIR (an array prefix, as
# MC_AS_NOBODY: "${MC_IN_CG[@]}" CMD... after mc_in_cgroup DIR)
mc_in_cgroup() {
	MC_IN_CG=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$1")
}

# mc_oom_kills DIR: the OOM kills counted in memory cgroup DIR (v1
# memory.oom_control, v2 memory.events)
mc_oom_kills() {
	awk '$1 == "oom_kill" { print $2 }' "$1/memory.oom_control" "$1/memory.events" 2>/dev/null | head -1
}
