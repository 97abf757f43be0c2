#!/bin/bash
# test_thread_limits.sh: with --model threads (a thread per connection) the
# thread limit that binds is the one named, within 2% of `maxconn limits`:
#   - a pids cgroup with pids.max 300: cgroup_pids, pids.events counting
#     the refused forks, and the kernel's "fork rejected by pids controller"
#     line in the probe's evidence;
#   - a process that already holds ~63,000 memory maps (LD_PRELOAD of
#     maps_preload.c, built here: no global sysctl is touched), against
#     vm.max_map_count: max_map_count, for `maxconn server` and the probe.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq cc
sysctl -qw net.core.somaxconn=4096

# ---- pids.max
mc_cgroup pids pids
echo 300 >"$MC_CG/pids.max"
mc_in_cgroup "$MC_CG"
lim="$MC_TMP/l.json"
"${MC_IN_CG[@]}" "$MAXCONN" limits --model threads --json >"$lim"
mc_eq "pids: limits names the cgroup" '"cgroup_pids"' "$(jq .summary.binding "$lim")"
j="$MC_TMP/pids.json"
timeout 60 "${MC_IN_CG[@]}" "$MAXCONN" probe -q --model threads --thread-stack 64k --target max \
	--json "$j" >"$MC_TMP/pids.out"
mc_eq "pids: probe exit code" 3 $?
pred=$(jq .summary.connections "$lim")
mc_eq "pids: limit named" '"cgroup_pids"' "$(jq .result.limit "$j")"
mc_eq "pids: the probe's prediction names it" '"cgroup_pids"' "$(jq .result.predicted_limit "$j")"
reached=$(jq .result.reached "$j")
mc_between "pids: reached within 2% of limits' $pred" $((pred * 98 / 100)) $((pred * 102 / 100)) "$reached"
ppred=$(jq .result.predicted "$j")
mc_between "pids: reached within 2% of the probe's own $ppred" $((ppred * 98 / 100)) \
	$((ppred * 102 / 100)) "$reached"
mc_ge "pids: pids.events counted the refused forks" 1 \
	"$(jq '[.steps[-1].evidence[]|select(.what=="pids.events max").value]|add' "$j")"
mc_eq "pids: pids.events of the cgroup agrees" true \
	"$(awk '$1 == "max" { print ($2 > 0) ? "true" : "false" }' "$MC_CG/pids.events")"
if dmesg >/dev/null 2>&1; then
	mc_eq "pids: the kernel's line in the evidence" true \
		"$(jq '[.steps[-1].evidence[]|select(.what=="dmesg")|.text|test("fork rejected by pids controller")]|any' "$j")"
else
	mc_skip_part root - "dmesg cannot be read: the kernel line's check dropped"
fi
grep -q "stopped by cgroup_pids" "$MC_TMP/pids.out" || mc_fail "pids: the summary does not name cgroup_pids"

# ---- vm.max_map_count: a process holding many maps
# (not under a sanitizer build, make integration-asan: ASan maps memory for
# each thread it sees start, so at the limit its own runtime fails first,
# "Failed to mmap", before maxconn can refuse anything)
[ -z "${MC_SANITIZE:-}" ] || { mc_skip_part sanitizer - "the maps checks (max_map_count) dropped under the sanitizer build"; exit 0; }
cc -O2 -shared -fPIC -o "$MC_TMP/maps.so" "$(dirname "$0")/maps_preload.c" ||
	mc_fail "cannot build maps_preload.c"
max=$(cat /proc/sys/vm/max_map_count)
MAPS=(env MC_TEST_MAPS=$((max - 2500)) LD_PRELOAD="$MC_TMP/maps.so")
"${MAPS[@]}" "$MAXCONN" limits --model threads --json >"$lim"
mc_eq "maps: limits names max_map_count" '"max_map_count"' "$(jq .summary.binding "$lim")"

# the server: it holds as many as its maps allow, refuses the rest, names it
mc_server s1 "${MAPS[@]}" "$MAXCONN" server --model threads --thread-stack 64k --listen 127.0.0.1:9000
srv=$MC_SRV
pred=$("$MAXCONN" limits --model threads --pid "$srv" --json | jq .summary.connections)
mc_eq "maps: limits --pid names it" '"max_map_count"' \
	"$("$MAXCONN" limits --model threads --pid "$srv" --json | jq .summary.binding)"
"$MAXCONN" client -q -c 127.0.0.1:9000 -n $((pred + 300)) --hold 1s --json >"$MC_TMP/c1.json"
mc_stop $srv
mc_eq "maps: server exit code (a host limit refused connections)" 3 $?
s="$MC_TMP/s1.json"
held=$(jq .held_peak "$s")
mc_between "maps: server held within 2% of limits' $pred" $((pred * 98 / 100)) $((pred * 102 / 100)) "$held"
mc_eq "maps: server names the limit" '"max_map_count"' "$(jq .limit "$s")"
mc_ge "maps: refused for want of a thread" 250 "$(jq .refused.threads "$s")"

# the probe: its server is forked from it and inherits its maps
j="$MC_TMP/maps.json"
pred=$(jq .summary.connections "$lim")
timeout 60 "${MAPS[@]}" "$MAXCONN" probe -q --model threads --thread-stack 64k --target max \
	--json "$j" >/dev/null
mc_eq "maps: probe exit code" 3 $?
mc_eq "maps: probe names max_map_count" '"max_map_count"' "$(jq .result.limit "$j")"
mc_eq "maps: the probe's prediction names it" '"max_map_count"' "$(jq .result.predicted_limit "$j")"
mc_between "maps: probe reached within 2% of limits' $pred" $((pred * 98 / 100)) \
	$((pred * 102 / 100)) "$(jq .result.reached "$j")"
mc_ge "maps: the server's maps are at the max" $((max - 8)) \
	"$(jq '[.steps[-1].evidence[]|select(.what=="server memory maps").value]|add' "$j")"
