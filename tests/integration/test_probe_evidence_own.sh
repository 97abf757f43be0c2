#!/bin/bash
# test_probe_evidence_own.sh: the probe's kernel-log evidence is its own.
# While a probe ramps toward its fd limit (--target 8k --fd-limit 4000
# --rate 1000: it stops at fd_process), a process of no concern to it (tail
# reading /dev/zero) is OOM-killed in a memory cgroup of this test's own
# with an 8 MiB limit. The kernel logs the kill (checked in dmesg); the
# probe's JSON evidence holds no line about it (its pid, its cgroup, the
# OOM killer) and counts its lines under "dmesg, other processes" at most.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
mc_cgroup memory oomhog
mc_cgroup_memory_max "$MC_CG" 8M
[ "$MC_CG_V" = 1 ] || echo 0 >"$MC_CG/memory.swap.max" 2>/dev/null
cg=$(basename "$MC_CG")

j="$MC_TMP/p.json"
mc_bg "$MAXCONN" probe -q --target 8k --fd-limit 4000 --rate 1000 --timeout 60s --json "$j"
probe=$MC_LAST

# wait until the probe's client holds connections: the ramp is under way
# (its children's socket fds over their threads' fd tables, a table
# counted once per thread that shares it; 20 s at most)
socks() {
	local n=0 c
	for c in $(cat /proc/"$probe"/task/*/children 2>/dev/null); do
		n=$((n + $(find /proc/"$c"/task/*/fd -lname 'socket:*' 2>/dev/null | wc -l)))
	done
	echo $n
}
i=0
while [ "$(socks)" -lt 300 ]; do
	i=$((i + 1)); [ $i -gt 200 ] && mc_fail "the probe's children held no 300 sockets in 20 s"
	kill -0 "$probe" 2>/dev/null || mc_fail "the probe ended before its ramp was seen"
	sleep 0.1
done

# the hog: killed by its cgroup's OOM killer within moments
(echo $BASHPID >"$MC_CG/cgroup.procs" && exec tail /dev/zero) &
hog=$!
wait $hog
mc_eq "the hog was killed (SIGKILL)" 137 $?
mc_eq "the kernel logged the kill" 1 \
	"$(dmesg | grep -c "Killed process $hog (tail)")"
held=$(socks)
mc_ge "the probe was still ramping after the kill" 1 "$held"

wait $probe
mc_eq "probe exit code (a limit stopped it)" 3 $?
mc_eq "limit named" '"fd_process"' "$(jq .result.limit "$j")"

# no evidence line of any step names the hog, its cgroup or the OOM killer
mc_eq "dmesg evidence about the hog" 0 \
	"$(jq --arg p "$hog" --arg c "$cg" '[.steps[].evidence[] | select(.what == "dmesg") | .text
		| select(test("oom|Killed process|" + $c + "|[^0-9]" + $p + "([^0-9]|$)"))] | length' "$j")"
# and its lines are counted as other processes' (3: the OOM killer's
# "invoked", "oom-kill:" and "Killed process" lines; more when other
# processes on the host log too)
other=$(jq '[.steps[].evidence[] | select(.what == "dmesg, other processes") | .value] | add // 0' "$j")
mc_ge "counted as other processes' lines" 3 "$other"
mc_eq "the count is said in words" true \
	"$(jq '[.steps[].evidence[] | select(.what == "dmesg, other processes") | .text
		| test("other processes on this host: [0-9]+ lines")] | any' "$j")"
