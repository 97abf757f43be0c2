#!/usr/bin/env bash
# bench/hosts.sh: N connections across "hosts" on one machine: a server
# namespace and client namespaces on a bridge (veth pairs, 10.78.0.0/16,
# real neighbour tables and routing; no loopback between them), as
# docs/hosts.md runs it on real machines:
#   one      one client namespace opens all N;
#   shards   two client namespaces, --shard 1/2 and --shard 2/2, N/2 each,
#            the same command line on both (the union of their sources).
#
#   bench/hosts.sh build/maxconn [N]          (default N: 1M)
#   REPEAT=3 bench/hosts.sh build/maxconn 1M  (median of 3; default 1)
#
# For each: time to establish (the slowest client's ramp), connects per
# second, and memory per host: the server's and each client's user bytes
# per connection, the sockets each namespace holds (sockstat), and kernel
# bytes per socket (Slab growth ÷ every socket added: the namespaces share
# one kernel, so this is the figure one host would see per socket it holds).
# Needs root and about 9 GiB of memory free for 1M (2M sockets); it refuses
# when MemAvailable is less than 1.3 x what N needs.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"
. "$(dirname "$(realpath "$0")")/../scripts/netns-hosts.sh"
BIN=$(realpath "${1:?usage: bench/hosts.sh path/to/maxconn [N]}")
SIZE=${2:-1M}
N=$(bench_to_n "$SIZE")
REPEAT=${REPEAT:-1}

if [ -z "${MC_BENCH_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root for network namespaces" >&2; exit 1; }
	bench_netns MC_BENCH_NETNS "$0" "$@"
fi
need=$(( N * 2 * 4200 * 13 / 10 ))
avail=$(bench_meminfo MemAvailable)
[ "$avail" -ge "$need" ] || {
	echo "bench: $N connections need about $((need >> 30)) GiB free (2 sockets of ~4.2 KB each, +30%); MemAvailable is $((avail >> 30)) GiB" >&2
	exit 1
}
TMP=$(mktemp -d /tmp/mc-bench.XXXXXX)
S=mcb$$s C1=mcb$$a C2=mcb$$b
PIDS=""
cleanup() {
	for p in $PIDS; do bench_stop "$p" TERM; done
	netns_hosts_down $S $C1 $C2
	rm -rf "$TMP"
}
trap cleanup EXIT

# the hub (this namespace) holds the bridge; each host a veth on it. 32
# source addresses per client host: 4 ports x 64,512 local ports each keeps
# every pair under 25% full at 1M from one host
srcs() { local a l="10.78.$1.0"; for a in $(seq 1 32); do l="$l,10.78.$1.$a"; done; echo "$l"; }
netns_hosts_up 16 "$S=10.78.0.1" "$C1=$(srcs 1)" "$C2=$(srcs 2)"
ip netns exec $S sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
for ns in $C1 $C2; do ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"; done
SOURCES=(-s 10.78.1.1-10.78.1.32 -s 10.78.2.1-10.78.2.32)
inuse() { ip netns exec "$1" awk '/^TCP:/ {print $3}' /proc/net/sockstat; }
# tcpext NS NAME: a TcpExt counter of /proc/net/netstat in NS
tcpext() {
	ip netns exec "$1" awk -v k="$2" '$1 == "TcpExt:" && !h {for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next}
		$1 == "TcpExt:" {print $c[k]}' /proc/net/netstat
}

run_one() { # KIND RUN
	local kind=$1 r=$2 srv cl1 cl2= t0 s0 base
	rm -f "$TMP/ready"
	ip netns exec $S "$BIN" server --listen 10.78.0.1:9000-9003 --ready-file "$TMP/ready" --json -q >"$TMP/s.json" &
	srv=$!
	PIDS="$srv"
	bench_wait_ready "$TMP/ready" "$srv" 10 || { echo "bench: the server did not start" >&2; exit 1; }
	sleep 0.2
	base=$(inuse $S)
	s0=$(bench_meminfo Slab)
	local ov0 rt0 rt0b
	ov0=$(tcpext $S ListenOverflows)
	rt0=$(tcpext $C1 TCPSynRetrans)
	rt0b=$(tcpext $C2 TCPSynRetrans)
	t0=$(date +%s.%N)
	if [ "$kind" = one ]; then
		ip netns exec $C1 "$BIN" client -c 10.78.0.1:9000-9003 -s 10.78.1.1-10.78.1.32 -n "$N" \
			--hold 3s --connect-timeout 30s --json -q >"$TMP/c1.json" &
		cl1=$!
	else
		ip netns exec $C1 "$BIN" client -c 10.78.0.1:9000-9003 "${SOURCES[@]}" -n "$N" --shard 1/2 \
			--hold 3s --connect-timeout 30s --json -q >"$TMP/c1.json" &
		cl1=$!
		ip netns exec $C2 "$BIN" client -c 10.78.0.1:9000-9003 "${SOURCES[@]}" -n "$N" --shard 2/2 \
			--hold 3s --connect-timeout 30s --json -q >"$TMP/c2.json" &
		cl2=$!
	fi
	PIDS="$srv $cl1 $cl2"
	# the top: every connection held on the server host
	for _ in $(seq 3000); do
		[ "$(inuse $S)" -ge $((base + N)) ] && break
		kill -0 "$cl1" 2>/dev/null || break
		sleep 0.05
	done
	local wall held_s c1s c2s=0 slab
	wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
	held_s=$(( $(inuse $S) - base ))
	c1s=$(inuse $C1)
	[ "$kind" = shards ] && c2s=$(inuse $C2)
	slab=$(( ($(bench_meminfo Slab) - s0) / (2 * N) ))
	local ov retr
	ov=$(( $(tcpext $S ListenOverflows) - ov0 ))
	retr=$(( $(tcpext $C1 TCPSynRetrans) - rt0 + $(tcpext $C2 TCPSynRetrans) - rt0b ))
	wait "$cl1" || true
	[ -n "$cl2" ] && { wait "$cl2" || true; }
	bench_stop "$srv" TERM
	PIDS=
	local ramp est rate ub_s ub_c1 ub_c2=nan
	est=$(jq .established "$TMP/c1.json")
	[ -n "$est" ] || { echo "bench: the client did not run (see above)" >&2; exit 1; }
	ramp=$(jq .ramp_s "$TMP/c1.json")
	ub_c1=$(jq .user_bytes_per_conn "$TMP/c1.json")
	if [ "$kind" = shards ]; then
		est=$((est + $(jq .established "$TMP/c2.json")))
		ramp=$(jq -s 'map(.ramp_s)|max' "$TMP/c1.json" "$TMP/c2.json")
		ub_c2=$(jq .user_bytes_per_conn "$TMP/c2.json")
	fi
	ub_s=$(jq .user_bytes_per_conn "$TMP/s.json")
	rate=$(awk -v n="$est" -v t="$ramp" 'BEGIN {printf "%.0f", n / t}')
	echo "$kind $est $ramp $rate $ub_s $ub_c1 $ub_c2 $slab $held_s $c1s $c2s $wall $ov $retr" >>"$TMP/runs"
	printf '  run %d %-6s established %s in %.2fs (%s/s; %ss until the server host held them all); server host %s sockets, %.1f user B/conn; client hosts %s + %s sockets, %.1f / %s user B/conn; kernel %s B/socket; %s ListenOverflows, %s SYN retransmits (load average %s)\n' \
		"$r" "$kind" "$est" "$ramp" "$rate" "$wall" "$held_s" "$ub_s" "$c1s" "$c2s" "$ub_c1" "$ub_c2" "$slab" "$ov" "$retr" "$(cut -d' ' -f1 /proc/loadavg)" >&2
	for ns in $S $C1 $C2; do
		for _ in $(seq 1200); do [ "$(inuse "$ns")" -le 10 ] && break; sleep 0.1; done
	done
}

echo "maxconn bench hosts: N=$N over veth, $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), median of $REPEAT" >&2
for r in $(seq "$REPEAT"); do
	run_one one "$r"
	run_one shards "$r"
done

printf '\n| clients | established | time to establish (s) | connects/s | server host: sockets, user B/conn | client host(s): sockets, user B/conn | kernel B/socket | ListenOverflows, SYN retransmits |\n|---|---|---|---|---|---|---|---|\n'
for kind in one shards; do
	col() { awk -v k="$kind" -v c="$1" '$1 == k {print $c}' "$TMP/runs" | bench_median; }
	if [ $kind = one ]; then
		printf '| one host, %s | %.0f | %.2f | %.0f | %.0f, %.1f | %.0f, %.1f | %.0f | %.0f, %.0f |\n' "$SIZE" \
			"$(col 2)" "$(col 3)" "$(col 4)" "$(col 9)" "$(col 5)" "$(col 10)" "$(col 6)" "$(col 8)" "$(col 13)" "$(col 14)"
	else
		printf '| two shards of %s | %.0f | %.2f | %.0f | %.0f, %.1f | %.0f + %.0f, %.1f + %.1f | %.0f | %.0f, %.0f |\n' "$SIZE" \
			"$(col 2)" "$(col 3)" "$(col 4)" "$(col 9)" "$(col 5)" "$(col 10)" "$(col 11)" "$(col 6)" "$(col 7)" "$(col 8)" "$(col 13)" "$(col 14)"
	fi
done
