#!/bin/bash
# test_cgroup_memory.sh: a memory cgroup of 256 MiB (v1 here, v2 where the
# host delegates its memory controller) binds first, and the limits model
# and the probe agree with the kernel for each role:
#   - both: server and client in the cgroup (`maxconn probe`);
#   - client: the probe's client in the cgroup, its server outside
#     (`maxconn probe --target-addr`);
#   - server: a `maxconn server` in the cgroup, the probe outside
#     (`--target-addr --server-pid`).
# Each time `maxconn limits` in the same place names cgroup_memory, the
# probe stops at its reserve with exit 3 naming cgroup_memory, reaches
# within 5% of what limits predicted, and the OOM killer never ran (the
# cgroup's oom_kill and the dmesg count unchanged).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
mc_cgroup memory mem
mc_cgroup_memory_max "$MC_CG" 256M
mc_in_cgroup "$MC_CG"
sysctl -qw net.core.somaxconn=65535
dmesg_ooms() { dmesg 2>/dev/null | grep -c "Memory cgroup out of memory"; }
ooms0=$(dmesg_ooms)
kills0=$(mc_oom_kills "$MC_CG")

# check ROLE JSON PREDICTED: what every role must show
check() {
	local role=$1 j=$2 pred=$3 reached
	reached=$(jq .result.reached "$j")
	mc_eq "$role: stop" '"memory_reserve"' "$(jq .result.stop "$j")"
	mc_eq "$role: limit named" '"cgroup_memory"' "$(jq .result.limit "$j")"
	mc_eq "$role: the probe's own prediction names it" '"cgroup_memory"' \
		"$(jq .result.predicted_limit "$j")"
	mc_eq "$role: exit code in the report" 3 "$(jq .result.exit_code "$j")"
	# a sanitizer build (make integration-asan) has the cgroup charged for
	# ASan's shadow and redzones too, which limits' model leaves out: it
	# reached 94.7% once; 10% below is its bound
	local low=95
	[ -z "${MC_SANITIZE:-}" ] || low=90
	mc_between "$role: reached within $((100 - low))% of limits' $pred" $((pred * low / 100)) \
		$((pred * 105 / 100)) "$reached"
	mc_eq "$role: the cgroup's room at the top is about the reserve" true \
		"$(jq '.cgroups[0] | .room_end <= 2 * .reserve' "$j")"
	mc_eq "$role: no OOM kill in the cgroup" "$kills0" "$(mc_oom_kills "$MC_CG")"
	mc_eq "$role: no OOM kill in dmesg" "$ooms0" "$(dmesg_ooms)"
	mc_eq "$role: memory oom_kill evidence" 0 \
		"$(jq '[.steps[-1].evidence[]|select(.what=="memory oom_kill").value]|add' "$j")"
}

# ---- both: the probe and its children in the cgroup
lim="$MC_TMP/l.json"
"${MC_IN_CG[@]}" "$MAXCONN" limits --role both --sources 1000 --fd-tables 4096 --json >"$lim"
mc_eq "both: limits names the cgroup" '"cgroup_memory"' "$(jq .summary.binding "$lim")"
pred=$(jq .summary.connections "$lim")
j="$MC_TMP/both.json"
timeout 120 "${MC_IN_CG[@]}" "$MAXCONN" probe -q --target max --json "$j" >"$MC_TMP/both.out"
mc_eq "both: exit code" 3 $?
check both "$j" "$pred"
grep -q "stopped by cgroup_memory" "$MC_TMP/both.out" || mc_fail "both: the summary does not name cgroup_memory"
if [ "$MC_CG_V" = 1 ]; then
	# each side in its own child cgroup: an accepted socket is charged less
	# than a connecting one (no tcp_sock), both near the model's figures
	acc=$(jq '.steps[-1].cgroup_accept_bytes|floor' "$j")
	con=$(jq '.steps[-1].cgroup_connect_bytes|floor' "$j")
	macc=$(jq .per_connection.cgroup_accept_bytes "$lim")
	mcon=$(jq .per_connection.cgroup_connect_bytes "$lim")
	mc_between "both: accepted socket charge vs the model's $macc" $((macc * 90 / 100)) \
		$((macc * 115 / 100)) "$acc"
	mc_between "both: connecting socket charge vs the model's $mcon" $((mcon * 90 / 100)) \
		$((mcon * 115 / 100)) "$con"
	mc_eq "both: the probe's child cgroups are gone" 0 \
		"$(find "$MC_CG" -mindepth 1 -maxdepth 1 -type d | wc -l)"
fi

# ---- client: the probe (only a client) in the cgroup, the server outside
mc_server s1 "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV
"${MC_IN_CG[@]}" "$MAXCONN" limits --role client --sources 1000 --fd-tables 4096 --json >"$lim"
mc_eq "client: limits names the cgroup" '"cgroup_memory"' "$(jq .summary.binding "$lim")"
pred=$(jq .summary.connections "$lim")
j="$MC_TMP/client.json"
timeout 120 "${MC_IN_CG[@]}" "$MAXCONN" probe -q --target-addr 127.0.0.1:9000 --target max \
	--json "$j" >/dev/null
mc_eq "client: exit code" 3 $?
check client "$j" "$pred"
mc_eq "client: the cgroup watched is the client's" '"client"' "$(jq '.cgroups[0].who' "$j")"
mc_stop $srv

# ---- server: a server in the cgroup, the probe outside
mc_server s2 "${MC_IN_CG[@]}" "$MAXCONN" server --listen 127.0.0.1:9001
srv=$MC_SRV
"$MAXCONN" limits --role server --pid "$srv" --fd-tables 4096 --json >"$lim"
mc_eq "server: limits names the server's cgroup" '"cgroup_memory"' "$(jq .summary.binding "$lim")"
pred=$(jq .summary.connections "$lim")
j="$MC_TMP/server.json"
timeout 120 "$MAXCONN" probe -q --target-addr 127.0.0.1:9001 --server-pid "$srv" --target max \
	--json "$j" >/dev/null
mc_eq "server: exit code" 3 $?
check server "$j" "$pred"
mc_eq "server: the cgroup watched is the server's" "\"server (pid $srv)\"" "$(jq '.cgroups[0].who' "$j")"
mc_stop $srv
