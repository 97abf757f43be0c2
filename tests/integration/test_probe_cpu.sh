#!/bin/bash
# test_probe_cpu.sh: the probe stops at the CPU and names it (issue 19,
# item 3). In a CPU cgroup with a quota of half a CPU (v1 cpu.cfs_quota_us,
# or v2 cpu.max), `probe --target max --heartbeat 100ms` ramps at 1,000/s
# until the heartbeats' round trips pass --max-rtt (the period, 100 ms) for
# 3 samples while the cgroup is throttled: exit 3 naming cpu, predicted cpu
# by the model (0.5 CPU less 20% / 10 messages/s x the measured cost),
# reached (the last count at which the schedule held) 60-140% of it, with
# the evidence (the CPUs' busy split, the run queue, the round trips at the
# stop and at the last good point). A few seconds; only the test's cgroup
# is loaded.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

"$MAXCONN" probe --max-rtt 1s -q >/dev/null 2>"$MC_TMP/err"
mc_eq "--max-rtt without --heartbeat: usage" 2 $?
grep -q -- --max-rtt "$MC_TMP/err" || mc_fail "the usage error does not name --max-rtt"

mc_cgroup cpu probe-cpu
if [ "$MC_CG_V" = 1 ]; then
	echo 100000 >"$MC_CG/cpu.cfs_period_us" && echo 50000 >"$MC_CG/cpu.cfs_quota_us"
else
	echo "50000 100000" >"$MC_CG/cpu.max"
fi || mc_fail "cannot set the cgroup's CPU quota"
mc_in_cgroup "$MC_CG"
"${MC_IN_CG[@]}" timeout 90 "$MAXCONN" probe -q --target max --heartbeat 100ms --rate 1000 \
	--timeout 40s --json "$MC_TMP/p.json" >"$MC_TMP/p.out" 2>&1
rc=$?
head -4 "$MC_TMP/p.out"
p="$MC_TMP/p.json"
mc_eq "exit code (a limit stopped it)" 3 $rc
mc_eq "the limit it names" '"cpu"' "$(jq '.steps[-1].limit' "$p")"
mc_eq "the limit it predicted" '"cpu"' "$(jq '.steps[-1].predicted_limit' "$p")"
pred=$(jq '.steps[-1].predicted' "$p")
got=$(jq '.steps[-1].reached' "$p")
mc_between "reached, as % of predicted ($got of $pred)" 60 140 $((got * 100 / pred))
grep -q 'heartbeats late (p99 [0-9]* ms > --max-rtt 100 ms)' "$MC_TMP/p.out" ||
	mc_fail "the words: $(grep happened "$MC_TMP/p.out")"
grep -q 'the CPU cgroup throttled; the schedule held up to' "$MC_TMP/p.out" ||
	mc_fail "the stop does not say the cgroup was throttled: $(grep happened "$MC_TMP/p.out")"
for e in "CPU busy (%)" "run queue" "heartbeats skipped" "RTT p99 at the stop (us)"; do
	mc_eq "evidence: $e" 1 "$(jq --arg e "$e" '[.steps[-1].evidence[] | select(.what == $e)] | length' "$p")"
done
