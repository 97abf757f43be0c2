#!/usr/bin/env bash
# bench/ports.sh: filling one (source, destination) pair, with maxconn's port
# selection and with the kernel's, and the seeds' staircase end to end.
#
#   bench/ports.sh [MAXCONN]          default build/maxconn; REPEAT=3 runs each
#
# Each client run has a private network namespace of its own (root): a
# server on 127.0.0.1:9000 (somaxconn 65535) and one client, so no run sees
# another's ports in TIME_WAIT (the ports maxconn binds itself are skipped
# by the kernel's own search until their TIME_WAIT ends). Prints one row per
# run and, per case, the median of REPEAT:
#   one pair, 19,900   --port-select maxconn vs kernel, in the same run of
#                      this script; the same count over 10 pairs (10 sources)
#                      for comparison. Target: >= 30k connects/s for the whole
#                      fill with maxconn's, no slower than over 10 pairs.
#   full range         one pair filled to its last port: 28,232 (32768-60999;
#                      the client and the server each take private fd tables
#                      past ulimit -n) and 64,512 (--port-range 1024-65535,
#                      no sysctl touched); time, and reached = the range.
#   staircase          `maxconn probe --staircase --target 100k`: wall time
#                      (target under 30 s) and each step's limit and count.
# A benchmark, not a test: the machine is shared and noisy; read the medians.
set -uo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"

if [ "${1:-}" = --one ]; then
	# inside a fresh namespace: BIN N CLIENT-ARGS... -> client JSON on stdout
	shift
	bin=$1 n=$2
	shift 2
	bench_netns_setup 65535
	tmp=$(mktemp -d /tmp/mc-bench-ports.XXXXXX)
	"$bin" server --listen 127.0.0.1:9000 --ready-file "$tmp/ready" --json -q >"$tmp/s.json" &
	srv=$!
	bench_wait_ready "$tmp/ready" "$srv" 10 || { echo '{}'; exit 1; }
	"$bin" client -c 127.0.0.1:9000 -n "$n" --hold 0 --force --json -q "$@" 2>/dev/null
	bench_stop "$srv" TERM
	rm -rf "$tmp"
	exit 0
fi

BIN=$(realpath "${1:-build/maxconn}")
REPEAT=${REPEAT:-3}
[ "$(id -u)" -eq 0 ] || { echo "bench/ports.sh: needs root (private network namespaces)" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench/ports.sh: needs jq (scripts/deps)" >&2; exit 2; }
out=$(mktemp -d /tmp/mc-bench-ports.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "# $0 $BIN (REPEAT=$REPEAT) on $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %3s %9s %9s %9s %11s %9s %9s\n' case run reached failed ramp_s "conn/s" p50_us p99_us

# case NAME N CLIENT-ARGS...: REPEAT runs, one row each, then the medians
# (conn/s, ramp) in $out/NAME.rate and $out/NAME.ramp
case_() {
	local name=$1 n=$2 r j
	shift 2
	for r in $(seq "$REPEAT"); do
		j="$out/$name.$r.json"
		unshare -n -- "$0" --one "$BIN" "$n" "$@" >"$j"
		jq -r --arg c "$name" --arg r "$r" '[$c, $r, .established, .failed, (.ramp_s*1000|round/1000),
			(.connect_rate|round), (.connect_latency_us.p50|round),
			(.connect_latency_us.p99|round)] | @tsv' "$j" |
			awk -F'\t' '{printf "%-34s %3s %9s %9s %9s %11s %9s %9s\n", $1,$2,$3,$4,$5,$6,$7,$8}'
		jq .connect_rate "$j" >>"$out/$name.rate"
		jq .ramp_s "$j" >>"$out/$name.ramp"
	done
}
med() { bench_median <"$out/$1.$2"; }

case_ "1 pair 19.9k, maxconn" 19900 -s 127.0.0.2
case_ "1 pair 19.9k, kernel" 19900 -s 127.0.0.2 --port-select kernel
case_ "10 pairs 19.9k, maxconn" 19900 -s 127.0.0.2-127.0.0.11
case_ "10 pairs 19.9k, kernel" 19900 -s 127.0.0.2-127.0.0.11 --port-select kernel
case_ "1 pair full 32768-60999, maxconn" 28232 -s 127.0.0.2
case_ "1 pair full 1024-65535, maxconn" 64512 -s 127.0.0.2 --port-range 1024-65535

echo
printf '%-34s %10s %8s\n' "median of $REPEAT" "conn/s" ramp_s
for c in "1 pair 19.9k, maxconn" "1 pair 19.9k, kernel" "10 pairs 19.9k, maxconn" \
	"10 pairs 19.9k, kernel" "1 pair full 32768-60999, maxconn" "1 pair full 1024-65535, maxconn"; do
	printf '%-34s %10.0f %8.3f\n' "$c" "$(med "$c" rate)" "$(med "$c" ramp)"
done
fail=0
m=$(med "1 pair 19.9k, maxconn" rate) ten=$(med "10 pairs 19.9k, maxconn" rate)
v=$(awk -v m="$m" -v t="$ten" 'BEGIN {print (m >= 30000 && m >= 0.9 * t) ? "PASS" : "FAIL"}')
[ "$v" = PASS ] || fail=1
echo "  one pair, 19,900, maxconn's ports: >= 30k/s and no slower than 10 pairs (90%): $v"
for c in "1 pair full 32768-60999, maxconn:28232" "1 pair full 1024-65535, maxconn:64512"; do
	name=${c%:*} want=${c##*:}
	got=$(jq -s 'map(.established) | min' "$out/$name".*.json)
	[ "$got" = "$want" ] && v=PASS || { v=FAIL; fail=1; }
	echo "  $name: reached $got of $want in every run: $v"
done

echo
echo "# maxconn probe --staircase --target 100k (ulimit -n $(ulimit -n))"
printf '%3s %8s  %s\n' run wall_s "steps: limit reached (ramp s)"
for r in $(seq "$REPEAT"); do
	j="$out/stair.$r.json"
	t0=$(date +%s.%N)
	"$BIN" probe -q --staircase --target 100k --json "$j" >/dev/null
	rc=$?
	wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
	echo "$wall" >>"$out/stair.wall"
	printf '%3s %8s  %s (exit %s)\n' "$r" "$wall" \
		"$(jq -r '[.steps[] | "\(if .limit == "" then "target" else .limit end) \(.reached) (\(.seconds*10|round/10))"] | join(", ")' "$j")" "$rc"
done
w=$(bench_median <"$out/stair.wall")
v=$(awk -v w="$w" 'BEGIN {print (w < 30) ? "PASS" : "FAIL"}')
[ "$v" = PASS ] || fail=1
echo "  staircase end to end under 30 s (median $w s): $v"
exit $fail
