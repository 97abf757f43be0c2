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
# seconds until its server and client children are gone (the kernel has
# closed their sockets). The second run starts as soon as the first
# exits, so a teardown left to the kernel shows in its ramp. A benchmark, not a test.
#
# Measured at 1M on 2 CPUs shared with other jobs (load average 40-130),
# two runs each way:
#   the probe as it is (reports, then "closing 2.0M sockets...", exit):
#     answer 28.9 / 34.5 s, exit 74.7 / 69.4 s, nothing left at exit;
#   left to the kernel (SIGKILL, exit without waiting; measured with a
#   build that does so): answer 65.5 / 31.2 s, exit 71.3 / 32.7 s, and
#   the children went on closing sockets 65.5 / 33.4 s after the exit.
# At 200k: closing took 13.9 s; left to the kernel the children lived
# 17.1 s after the exit. The kernel's work is the same either way; left
# behind it holds memory and CPU the next run (or anything else) needs,
# unseen. So the probe gives the answer first and then waits, saying what
# for.
set -uo pipefail
MAXCONN=${1:-build/maxconn}
T=${2:-1M}
command -v jq >/dev/null || { echo "bench/teardown.sh: needs jq" >&2; exit 2; }
out=$(mktemp -d /tmp/mc-bench-teardown.XXXXXX)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

echo "# $0 $MAXCONN $T on $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-4s %9s %8s %7s %12s\n' run answer_s exit_s ramp_s kernel_done_s
for run in 1 2; do
	j=$out/$run.json
	t0=$(now)
	"$MAXCONN" probe -q --target "$T" --json "$j" >"$out/$run.out" 2>&1 &
	pid=$!
	answer="" kids=""
	while kill -0 $pid 2>/dev/null; do
		[ -z "$kids" ] && kids=$(pgrep -P $pid | tr '\n' ' ')
		[ -z "$answer" ] && grep -q "^JSON report: " "$out/$run.out" && answer=$(since "$t0")
		sleep 0.1
	done
	wait $pid
	[ -z "$answer" ] && grep -q "^JSON report: " "$out/$run.out" && answer=$(since "$t0")
	ex=$(since "$t0")
	t1=$(now)
	# the kernel has closed the sockets once the probe's children are gone
	kdone=""
	for _ in $(seq 1200); do
		alive=0
		for k in $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && { kdone=$(since "$t1"); break; }
		sleep 0.1
	done
	printf '%-4s %9s %8s %7s %12s\n' "$run" "${answer:--}" "$ex" \
		"$(jq '.steps[-1].seconds*10|round/10' "$j")" "${kdone:->120}"
done
