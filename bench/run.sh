#!/usr/bin/env bash
# bench/run.sh: establish-and-hold benchmark for maxconn server + client.
#
#   bench/run.sh build/maxconn [N ...]        (default N: 100k 500k 1M)
#   REPEAT=3 bench/run.sh build/maxconn 1M    (median of 3 runs; default 3)
#
# Runs in a private network namespace (root), so nothing on the host is
# touched or counted. For each N: a server on 127.0.0.1:9000 and a client
# from 127.0.0.2-127.0.1.255 (510 sources, ~2k ports used per pair: the
# kernel's port search slows as a pair's range fills). While all N are held
# it reads /proc/slabinfo and sockstat. Prints, per N, the median of REPEAT
# runs: time to establish, connects per second, user memory per held
# connection (RSS delta / N) for server and client, and kernel memory per
# socket (Slab delta in /proc/meminfo / 2N sockets), with the slab caches that
# make it up.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"
BIN=$(realpath "${1:?usage: bench/run.sh path/to/maxconn [N ...]}")
shift
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100k 500k 1M)
export REPEAT=${REPEAT:-3}

if [ -z "${MC_BENCH_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root for a private network namespace" >&2; exit 1; }
	# EHASH=N: give the benchmark's namespace its own established-connection
	# hash table of N buckets (net.ipv4.tcp_child_ehash_entries is read when
	# a namespace is created; it is restored at once)
	if [ -n "${EHASH:-}" ]; then
		old=$(sysctl -n net.ipv4.tcp_child_ehash_entries)
		sysctl -qw net.ipv4.tcp_child_ehash_entries="$EHASH"
		MC_BENCH_NETNS=1 unshare -n -- "$0" "$BIN" "${SIZES[@]}" &
		sleep 0.5
		sysctl -qw net.ipv4.tcp_child_ehash_entries="$old"
		wait $!
		exit $?
	fi
	bench_netns MC_BENCH_NETNS "$0" "$BIN" "${SIZES[@]}"
fi
# the namespace is ours: a deep accept queue (SOMAXCONN)
bench_netns_setup "${SOMAXCONN:-65535}"
TMP=$(mktemp -d /tmp/mc-bench.XXXXXX)
SRV=
cleanup() { bench_stop "$SRV" TERM; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# bytes held per slab cache: num_objs * objsize (SLUB's active_objs leaves
# out objects on per-CPU slabs and undercounts at a million sockets)
slab() { awk 'NR > 2 {printf "%s %.0f\n", $1, $3 * $4}' /proc/slabinfo; }

run_one() { # N -> one line of figures in $TMP/run.txt
	local n=$1 r=$2
	rm -f "$TMP/ready"
	"$BIN" server --listen 127.0.0.1:9000 --ready-file "$TMP/ready" --json -q >"$TMP/s.json" &
	SRV=$!
	bench_wait_ready "$TMP/ready" "$SRV" 10 ||
		{ echo "bench: the server did not start within 10 s (see above)" >&2; exit 1; }
	sleep 0.2
	slab >"$TMP/slab0"
	local base s0; base=$(bench_inuse); s0=$(bench_meminfo Slab)
	"$BIN" client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.1.255 --conns "$n" \
		--hold 4s --json -q >"$TMP/c.json" &
	local cli=$! t_start; t_start=$(date +%s); nstat -n 2>/dev/null || true
	# wait until both ends of all N are in the kernel, then read the slabs
	for _ in $(seq 1200); do
		[ "$(bench_inuse)" -ge $((base + 2 * n)) ] && break
		sleep 0.05
	done
	sleep 0.5
	echo "  (slabs read with $(bench_inuse) TCP sockets in use, $(( $(date +%s) - t_start ))s after the start; Slab $s0 -> $(bench_meminfo Slab))" >&2
	slab >"$TMP/slab1"
	local slab_ps=$(( ($(bench_meminfo Slab) - s0) / (2 * n) ))
	wait $cli
	echo "  (kernel: $(nstat 2>/dev/null | awk 'BEGIN {o = 0; r = 0} /ListenOverflows/ {o = $2} /TCPSynRetrans/ {r = $2} END {printf "ListenOverflows=%d SynRetrans=%d", o, r}'))" >&2
	bench_stop "$SRV"
	SRV=
	join "$TMP/slab0" "$TMP/slab1" | awk -v s=$((2 * n)) '
		{d = $3 - $2; if (d > 0) {tot += d; if (d / s >= 8) printf "%s=%.0f ", $1, d / s}}
		END {printf "\n"}' >"$TMP/slabdelta"
	echo "$slab_ps" >>"$TMP/slabdelta"
	local ramp rate ub_s ub_c est
	est=$(jq .established "$TMP/c.json")
	ramp=$(jq .ramp_s "$TMP/c.json")
	rate=$(jq .connect_rate "$TMP/c.json")
	ub_s=$(jq .user_bytes_per_conn "$TMP/s.json")
	ub_c=$(jq .user_bytes_per_conn "$TMP/c.json")
	echo "$est $ramp $rate $ub_s $ub_c $(tail -1 "$TMP/slabdelta")" >>"$TMP/runs.$n"
	head -1 "$TMP/slabdelta" >"$TMP/caches.$n"
	printf '  run %d: N=%s established=%s in %.2fs (%.0f/s), user B/conn server %.1f client %.1f, kernel B/socket %s\n' \
		"$r" "$n" "$est" "$ramp" "$rate" "$ub_s" "$ub_c" "$(tail -1 "$TMP/slabdelta")" >&2
	# let the kernel free the sockets before the next run
	for _ in $(seq 600); do [ "$(bench_inuse)" -le $((base + 10)) ] && break; sleep 0.1; done
}

echo "maxconn bench: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), RLIMIT_NOFILE $(ulimit -n), median of $REPEAT" >&2
for size in "${SIZES[@]}"; do
	n=$(bench_to_n "$size")
	for r in $(seq "$REPEAT"); do run_one "$n" "$r"; done
done

printf '\n%-9s %12s %10s %12s %14s %14s %16s\n' "conns" "established" "time (s)" "conns/s" "server B/conn" "client B/conn" "kernel B/socket"
for size in "${SIZES[@]}"; do
	n=$(bench_to_n "$size")
	f=$TMP/runs.$n
	col() { awk -v c="$1" '{print $c}' "$f" | bench_median; }
	printf '%-9s %12.0f %10.2f %12.0f %14.1f %14.1f %16.0f\n' "$size" "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)"
done
echo
for size in "${SIZES[@]}"; do
	echo "slab caches >= 8 B/socket at $size (last run): $(cat "$TMP/caches.$(bench_to_n "$size")")"
done
