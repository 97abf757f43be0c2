#!/bin/bash
# test_probe_close_signal.sh: Ctrl-C while the probe closes its sockets
# ("closing N sockets...", seconds for a few hundred thousand) ends the
# wait at once, says so, keeps the exit code the run earned and its
# reports; the kernel goes on closing the sockets, and the children's
# cgroups are removed once they are gone (issue 22, row 10: before, INT
# and TERM were not taken until the closing ended).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

setsid "$MAXCONN" probe --target 100k --json "$MC_TMP/p.json" >"$MC_TMP/out" 2>"$MC_TMP/err" &
p=$!
MC_PIDS="$MC_PIDS $p"
# wait for the closing to begin (the reports are written by then)
for _ in $(seq 600); do
	grep -q 'closing .* sockets\.\.\.' "$MC_TMP/err" && break
	kill -0 $p 2>/dev/null || break
	sleep 0.1
done
grep -q 'closing .* sockets\.\.\.' "$MC_TMP/err" || mc_fail "the probe never began closing: $(tr '\r' '\n' <"$MC_TMP/err" | tail -3)"
cgs0=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "maxconn-probe.$p.*" 2>/dev/null | wc -l)
echo "child cgroups of the probe while it closes: $cgs0"
t0=$(date +%s%N)
kill -INT -- -$p
wait $p
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tail -c 300 "$MC_TMP/err" | tr '\r' '\n' | tail -2
mc_eq "exit code: the run's (the target was reached)" 0 $rc
mc_le "ms from Ctrl-C to the probe's exit" 1000 $ms
grep -q 'interrupted after .*s: the kernel goes on closing them' "$MC_TMP/err" ||
	mc_fail "the probe does not say the closing was cut short"
mc_eq "the JSON report: reached" 100000 "$(jq .result.reached "$MC_TMP/p.json")"
# the children (maxconn-server, maxconn-client: the probe names them) finish
# exiting by themselves, and then their cgroups (maxconn-probe.PID.*) go
for _ in $(seq 300); do
	left=$(( $(pgrep -x maxconn-server -s $p | wc -l) + $(pgrep -x maxconn-client -s $p | wc -l) ))
	[ "$left" = 0 ] && break
	sleep 0.1
done
mc_eq "the probe's children left 30 s later" 0 "$left"
for _ in $(seq 50); do
	cgs=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "maxconn-probe.$p.*" 2>/dev/null | wc -l)
	[ "$cgs" = 0 ] && break
	sleep 0.1
done
mc_eq "the probe's child cgroups left" 0 "$cgs"
echo "ok: the children ended and their cgroups went after the probe had gone"
