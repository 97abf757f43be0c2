#!/usr/bin/env bash
# bench/teardown.sh: how long a user waits for the probe's answer, and for
# the probe to end, at a large target; and whether what it leaves to the
# kernel slows the next run.
#
#   bench/teardown.sh [MAXCONN] [TARGET]      default: build/maxconn 1M
#
# Runs `maxconn probe --target T --json` twice back to back and prints per
# run: seconds until the JSON report is in place (the answer), seconds
# until the command exits, its ramp seconds, and, after it exited, the
# seconds until meminfo's Slab is back within 256 MiB of where it was
# before the run (the kernel has closed the sockets) with the TCP orphans
# then. The second run starts as soon as the first exits, so a teardown
# left to the kernel shows in its ramp. A benchmark, not a test.
#
# Measured at 1M on 2 CPUs (a loaded host), the probe as it is (reports,
# then "closing 2.0M sockets...", then exit): the answer at 24-30 s, the
# exit 22-27 s later, and nothing left (Slab back within 6.5 s). Left to
# the kernel (SIGKILL and exit, no wait), the answer came as early but the
# kernel went on closing for 48.6 s after the exit, taking the CPUs and the
# memory a next run needs, and a shell pipeline after the probe (| tee)
# still waited for the children's end (exit at 51 s). So the probe waits,
# and says what for.
set -uo pipefail
MAXCONN=${1:-build/maxconn}
T=${2:-1M}
command -v jq >/dev/null || { echo "bench/teardown.sh: needs jq" >&2; exit 2; }
out=$(mktemp -d /tmp/mc-bench-teardown.XXXXXX)
trap 'rm -rf "$out"' EXIT
slab() { awk '/^Slab:/ {printf "%d\n", $2 * 1024}' /proc/meminfo; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

echo "# $0 $MAXCONN $T on $(uname -r), $(nproc) CPUs"
printf '%-4s %9s %8s %7s %12s %8s\n' run answer_s exit_s ramp_s kernel_done_s orphans
slab0=$(slab)
for run in 1 2; do
	j=$out/$run.json
	t0=$(now)
	answer=""
	while IFS= read -r line; do
		case $line in "JSON report: "*) answer=$(since "$t0") ;; esac
	done < <("$MAXCONN" probe -q --target "$T" --json "$j")
	ex=$(since "$t0")
	t1=$(now)
	kdone=""
	for _ in $(seq 1200); do
		[ "$(slab)" -le $((slab0 + 268435456)) ] && { kdone=$(since "$t1"); break; }
		sleep 0.1
	done
	orph=$(awk '/^TCP:/ {print $5}' /proc/net/sockstat)
	printf '%-4s %9s %8s %7s %12s %8s\n' "$run" "${answer:--}" "$ex" \
		"$(jq '.steps[-1].seconds*10|round/10' "$j")" "${kdone:->120}" "$orph"
done
