#!/bin/bash
# test_limits_cpu.sh: CPU as a ceiling with a number (issue 19, item 2).
# limits --heartbeat 100ms measures what one 16-byte message costs at each
# end (a calibration in a private namespace) and names cpu as binding for
# the issue's scenario, with connections = usable CPUs less 20% / (10
# messages/s x that cost), checked against the figures of the same report;
# in a cgroup with a CPU quota of 0.2 CPUs (v1 cpu.cfs_quota_us, or v2
# cpu.max) the quota is the usable CPU. --explain cpu shows the arithmetic;
# the probe with --heartbeat predicts with the same model (cpu binding).
# The cost is kept in /run/maxconn for the next run (--calibrate: anew).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

"$MAXCONN" limits --role both --fd-tables 64 --sources 100 --heartbeat 100ms --json \
	>"$MC_TMP/l.json" || mc_fail "limits --heartbeat 100ms failed"
l="$MC_TMP/l.json"
mc_eq "binding" '"cpu"' "$(jq .summary.binding "$l")"
mc_eq "the cost was measured" true "$(jq .cpu_cost.measured "$l")"
mc_between "server CPU per message (ns)" 500 1000000 "$(jq '.cpu_cost.server_ns_per_msg | floor' "$l")"
mc_between "client CPU per message (ns)" 500 1000000 "$(jq '.cpu_cost.client_ns_per_msg | floor' "$l")"
ncpu=$(nproc)
mc_eq "the CPU busy before was measured" true "$(jq .cpu_cost.busy_measured "$l")"
want=$(jq --argjson n "$ncpu" '(([$n, .cpu_cost.available_cpus] | min) * 0.8 * 1e9 / (10 * (.cpu_cost.server_ns_per_msg + .cpu_cost.client_ns_per_msg))) | floor' "$l")
got=$(jq '.limits[] | select(.id == "cpu") | .connections' "$l")
mc_between "cpu: connections = $ncpu CPUs x 0.8 / (10/s x cost)" $((want - 1)) $((want + 1)) "$got"
mc_eq "the summary's ceiling is cpu's" "$got" "$(jq .summary.connections "$l")"

# other work on the host: a busy loop's CPU is measured and subtracted
(while :; do :; done) &
burn=$!
sleep 0.3
"$MAXCONN" limits --role both --fd-tables 64 --sources 100 --heartbeat 100ms --json \
	>"$MC_TMP/b.json" || mc_fail "limits with a busy loop failed"
kill "$burn"
wait "$burn" 2>/dev/null
b="$MC_TMP/b.json"
mc_between "CPUs busy with the loop (x100)" 40 $((ncpu * 100)) "$(jq '.cpu_cost.busy_host_cpus * 100 | floor' "$b")"
mc_between "CPUs left beside the loop (x100)" 1 $((ncpu * 100 - 30)) "$(jq '.cpu_cost.available_cpus * 100 | floor' "$b")"
want=$(jq --argjson n "$ncpu" '(([$n, .cpu_cost.available_cpus] | min) * 0.8 * 1e9 / (10 * (.cpu_cost.server_ns_per_msg + .cpu_cost.client_ns_per_msg))) | floor' "$b")
got=$(jq '.limits[] | select(.id == "cpu") | .connections' "$b")
mc_between "cpu: ($ncpu CPUs - busy) x 0.8 / (10/s x cost)" $((want - 1)) $((want + 1)) "$got"
jq -r '.limits[] | select(.id == "cpu") | .note' "$b" | grep -q ' taken by other work (measured: [0-9]* threads spinning got [0-9.]* CPUs over 0.[0-9] s; /proc/stat: [0-9.]* busy before) = ' ||
	mc_fail "the note does not subtract the CPU taken: $(jq -r '.limits[] | select(.id == "cpu") | .note' "$b")"

"$MAXCONN" limits --explain cpu --role both --heartbeat 100ms >"$MC_TMP/e.out" ||
	mc_fail "--explain cpu failed"
grep -q '^On this host, for this scenario:' "$MC_TMP/e.out" || mc_fail "--explain cpu: no host part: $(cat "$MC_TMP/e.out")"
grep -q 'less 20% headroom' "$MC_TMP/e.out" || mc_fail "--explain cpu: no arithmetic: $(cat "$MC_TMP/e.out")"
tr -s '\n ' ' ' <"$MC_TMP/e.out" | grep -q 'measured: .* private network namespace' || mc_fail "--explain cpu: no source of the cost"

# the cost is kept for this boot, kernel and CPUs: the next run uses it
# and says so; --calibrate measures again
"$MAXCONN" limits --role both --heartbeat 100ms --json >"$MC_TMP/k.json"
jq -r .cpu_cost.how "$MC_TMP/k.json" | grep -q '; kept in /run/maxconn/msgcost-16-' ||
	mc_fail "the second run did not use the kept cost: $(jq -r .cpu_cost.how "$MC_TMP/k.json")"
"$MAXCONN" limits --role both --heartbeat 100ms --calibrate --json >"$MC_TMP/c.json"
jq -r .cpu_cost.how "$MC_TMP/c.json" | grep -q 'kept in' &&
	mc_fail "--calibrate used the kept cost: $(jq -r .cpu_cost.how "$MC_TMP/c.json")"
mc_eq "--calibrate: measured" true "$(jq .cpu_cost.measured "$MC_TMP/c.json")"

# the probe predicts with the same model: cpu binds among its limits
timeout 60 "$MAXCONN" probe -q --target 500 --heartbeat 100ms --json "$MC_TMP/p.json" >/dev/null ||
	mc_fail "probe --heartbeat 100ms --target 500 failed"
mc_eq "probe: the model's binding limit" cpu \
	"$(jq -r '.steps[0].limits[] | select(.binding) | .id' "$MC_TMP/p.json")"
mc_between "probe: cpu's connections" 500 1000000 \
	"$(jq '.steps[0].limits[] | select(.id == "cpu") | .connections' "$MC_TMP/p.json")"

# a CPU quota of 0.2 CPUs: the usable CPU is the quota's
mc_cgroup cpu limits-cpu
if [ "$MC_CG_V" = 1 ]; then
	echo 100000 >"$MC_CG/cpu.cfs_period_us" && echo 20000 >"$MC_CG/cpu.cfs_quota_us"
	file=cpu.cfs_quota_us
else
	echo "20000 100000" >"$MC_CG/cpu.max"
	file=cpu.max
fi || mc_fail "cannot set the cgroup's CPU quota"
mc_in_cgroup "$MC_CG"
"${MC_IN_CG[@]}" "$MAXCONN" limits --role both --fd-tables 64 --sources 100 --heartbeat 100ms \
	--json >"$MC_TMP/q.json" || mc_fail "limits in the cgroup failed"
q="$MC_TMP/q.json"
# the quota's, or what threads spinning in the cgroup got when less
mc_between "spinning under the quota (x100)" 1 35 "$(jq '.cpu_cost.available_cpus * 100 | floor' "$q")"
want=$(jq '([0.2, .cpu_cost.available_cpus] | min) as $u | ($u * 0.8 * 1e9 / (10 * (.cpu_cost.server_ns_per_msg + .cpu_cost.client_ns_per_msg))) | floor' "$q")
got=$(jq '.limits[] | select(.id == "cpu") | .connections' "$q")
mc_between "cpu under a 0.2-CPU quota" $((want - 1)) $((want + 1)) "$got"
jq -r '.limits[] | select(.id == "cpu") | .note' "$q" | grep -qF "0.20 CPUs (the cgroup's ${file%%_*}" ||
	mc_fail "the note does not name the quota: $(jq -r '.limits[] | select(.id == "cpu") | .note' "$q")"

# one cost per model, each measured with maxconn's own engine of that model
# (threads, uring) and kept apart; the probe takes its model's
for m in threads uring; do
	"$MAXCONN" limits --role both --heartbeat 100ms --model "$m" --json >"$MC_TMP/$m.json" ||
		mc_fail "limits --model $m failed"
	mc_eq "--model $m: measured" true "$(jq .cpu_cost.measured "$MC_TMP/$m.json")"
	jq -r .cpu_cost.how "$MC_TMP/$m.json" | grep -q "echoed by maxconn's $m engine" ||
		mc_fail "--model $m: not its engine's cost: $(jq -r .cpu_cost.how "$MC_TMP/$m.json")"
	mc_between "--model $m: server CPU per message (ns)" 500 1000000 \
		"$(jq '.cpu_cost.server_ns_per_msg | floor' "$MC_TMP/$m.json")"
	"$MAXCONN" limits --role both --heartbeat 100ms --model "$m" --json >"$MC_TMP/$m-k.json"
	jq -r .cpu_cost.how "$MC_TMP/$m-k.json" | grep -q "; kept in /run/maxconn/msgcost-$m-16-" ||
		mc_fail "--model $m: not kept apart: $(jq -r .cpu_cost.how "$MC_TMP/$m-k.json")"
done
# the probe measures its model's cost anew and keeps it (the threads file)
touch "$MC_TMP/mark"
sleep 0.01
timeout 60 "$MAXCONN" probe -q --target 300 --model threads --heartbeat 100ms \
	--json "$MC_TMP/pt.json" >/dev/null || mc_fail "probe --model threads --heartbeat failed"
[ -n "$(find /run/maxconn -name 'msgcost-threads-16-*' -newer "$MC_TMP/mark")" ] ||
	mc_fail "probe --model threads did not measure the threads engine's cost"
