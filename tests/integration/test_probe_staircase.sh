#!/bin/bash
# test_probe_staircase.sh: the seeds' experiment with the probe's defaults,
# `maxconn probe --staircase --target 100k`, walks as the seeds tell it:
#   - one source, one port: one pair stops at its fd table (EMFILE, within 1%
#     of ulimit -n) or, when the fd table is larger, at the port range;
#   - the fd limit lifted, the pair meets its ports at exactly 28,232 with
#     EADDRNOTAVAIL (maxconn chooses the ports: no search cliff, no false
#     timeout; the kernel's choice stopped the first step 24% short here and
#     called it the accept queue);
#   - ports lifted with more source addresses, it goes on to the target.
# No step names the accept queue, and no connect times out.
# ulimit -n is set to 20,000 (or the hard limit, if lower) as on the host
# this was measured on.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
nofile=$((hard < 20000 ? hard : 20000))
ulimit -Sn $nofile
j=$MC_TMP/p.json

timeout 200 "$MAXCONN" probe -q --staircase --target 100k --json "$j" >"$MC_TMP/out"
mc_eq "exit code (the target, at last)" 0 $?
mc_eq "stop" '"target"' "$(jq .result.stop "$j")"
mc_eq "held at the end" 100000 "$(jq .result.reached "$j")"
n=$(jq '.steps|length' "$j")
s=0
if [ "$nofile" -lt 28300 ]; then
	mc_eq "step 1: one source, one port, one fd table" '[1,1,"one"]' \
		"$(jq -c '.steps[0].scenario|[.sources,.dest_ports,.fd_tables]' "$j")"
	mc_eq "step 1: limit" '"fd_process"' "$(jq '.steps[0].limit' "$j")"
	mc_between "step 1: reached within 1% of ulimit -n ($nofile)" $((nofile * 99 / 100)) \
		$nofile "$(jq '.steps[0].reached' "$j")"
	jq -r '.steps[0].happened' "$j" | grep -q "Too many open files" ||
		mc_fail "step 1: the error the user would see is not EMFILE"
	mc_eq "step 1: lifted by private fd tables" true "$(jq '.steps[0].lifted|test("fd table")' "$j")"
	s=1
fi
mc_eq "step $((s + 1)): one source, one port, range 32768-60999" '[1,1,[32768,60999]]' \
	"$(jq -c ".steps[$s].scenario|[.sources,.dest_ports,.port_range]" "$j")"
mc_eq "step $((s + 1)): limit" '"ephemeral_ports"' "$(jq ".steps[$s].limit" "$j")"
mc_eq "step $((s + 1)): reached exactly the range" 28232 "$(jq ".steps[$s].reached" "$j")"
mc_ge "step $((s + 1)): EADDRNOTAVAIL counted" 1 \
	"$(jq "[.steps[$s].evidence[]|select(.what==\"client connect: EADDRNOTAVAIL\").value]|add" "$j")"
mc_eq "step $((s + 1)): lifted by more source addresses" true \
	"$(jq ".steps[$s].lifted|test(\"more source addresses\")" "$j")"
mc_eq "last step: more sources, the same range" true \
	"$(jq '.steps[-1].scenario|.sources > 1 and .port_range == [32768,60999]' "$j")"
mc_eq "last step: the target" '"target"' "$(jq '.steps[-1].stop' "$j")"
mc_eq "steps" $((s + 2)) "$n"
mc_eq "no step names the accept queue" 0 "$(jq '[.steps[]|select(.limit=="accept_queue")]|length' "$j")"
mc_eq "no connect timed out" 0 \
	"$(jq '[.steps[].evidence[]|select(.what=="client connect: ETIMEDOUT")]|length' "$j")"
grep -q "The seed's table, measured" "$MC_TMP/out" || mc_fail "no seed table printed"
