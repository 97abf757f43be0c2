#!/bin/bash
# test_probe_limits.sh: in its private namespace, a probe with a deliberately
# small limit stops where the limits model predicted and names that limit:
#   - 300 local ports and one source address: exactly 300 held, 700
#     EADDRNOTAVAIL, ephemeral_ports named, exit 3;
#   - RLIMIT_NOFILE 400 with one fd table per process: stops within 2% of the
#     prediction with EMFILE counted, fd_process named;
#   - --staircase across both: ports, then file descriptors, each lifted in
#     turn (a wider range, private fd tables), then the target.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
j="$MC_TMP/p.json"

timeout 120 "$MAXCONN" probe -q --port-range 40000-40299 --sources 1 --target 1000 --json "$j" \
	>"$MC_TMP/out1"
rc=$?
mc_eq "ports: exit code (a limit stopped it)" 3 $rc
mc_eq "ports: limit named" '"ephemeral_ports"' "$(jq .result.limit "$j")"
mc_eq "ports: predicted" 300 "$(jq .result.predicted "$j")"
mc_eq "ports: reached" 300 "$(jq .result.reached "$j")"
mc_eq "ports: EADDRNOTAVAIL counted" 700 \
	"$(jq '.steps[0].evidence[]|select(.what=="client connect: EADDRNOTAVAIL").value' "$j")"
grep -q "Cannot assign requested address" "$MC_TMP/out1" ||
	mc_fail "ports: the summary does not show the error the user would see"

timeout 120 "$MAXCONN" probe -q --fd-limit 400 --target 1000 --json "$j" >"$MC_TMP/out2"
rc=$?
mc_eq "fds: exit code" 3 $rc
mc_eq "fds: limit named" '"fd_process"' "$(jq .result.limit "$j")"
mc_eq "fds: predicted limit" '"fd_process"' "$(jq .result.predicted_limit "$j")"
pred=$(jq .result.predicted "$j")
reached=$(jq .result.reached "$j")
mc_between "fds: reached within 2% of the prediction ($pred)" $((pred * 98 / 100)) "$pred" "$reached"
emfile=$(jq '[.steps[0].evidence[]|select(.what|test("EMFILE|fd_limit")).value]|add' "$j")
mc_ge "fds: EMFILE seen (client connect or server accept)" 1 "$emfile"
grep -q "Too many open files" "$MC_TMP/out2" || mc_fail "fds: no 'Too many open files' in the summary"

timeout 180 "$MAXCONN" probe -q --staircase --port-range 40000-40299 --fd-limit 1000 \
	--target 3000 --json "$j" >"$MC_TMP/out3"
rc=$?
mc_eq "staircase: exit code (the target, at last)" 0 $rc
mc_eq "staircase: steps" 3 "$(jq '.steps|length' "$j")"
mc_eq "staircase: step 1 limit" '"ephemeral_ports"' "$(jq '.steps[0].limit' "$j")"
mc_eq "staircase: step 1 reached" 300 "$(jq '.steps[0].reached' "$j")"
mc_eq "staircase: step 1 lifted by the port range" true \
	"$(jq '.steps[0].lifted|test("ip_local_port_range")' "$j")"
mc_eq "staircase: step 2 limit" '"fd_process"' "$(jq '.steps[1].limit' "$j")"
mc_between "staircase: step 2 reached" 960 992 "$(jq '.steps[1].reached' "$j")"
mc_eq "staircase: step 2 lifted by fd tables" true "$(jq '.steps[1].lifted|test("fd table")' "$j")"
mc_eq "staircase: step 3 range" "[1024,65535]" "$(jq -c '.steps[2].scenario.port_range' "$j")"
mc_eq "staircase: step 3 private fd tables" '"private"' "$(jq '.steps[2].scenario.fd_tables' "$j")"
mc_eq "staircase: step 3 reached" 3000 "$(jq '.steps[2].reached' "$j")"
mc_eq "staircase: stop" '"target"' "$(jq .result.stop "$j")"
grep -q "The seed's table, measured" "$MC_TMP/out3" || mc_fail "staircase: no seed table printed"

# --model threads under RLIMIT_NPROC 200 (root ignores RLIMIT_NPROC, so as
# user nobody; without root the probe cannot make a namespace and says so,
# running in this test's namespace instead): pthread_create fails with
# EAGAIN near the model's ceiling and the limit is named.
if mc_nobody; then
	t="$MC_NOBODY_DIR/t.json"
	"${MC_AS_NOBODY[@]}" prlimit --nproc=200:200 timeout 60 "$MC_NOBODY_BIN" probe -q --model threads \
		--thread-stack 64k --target 1000 --json "$t" >"$MC_TMP/out4"
	rc=$?
	mc_eq "threads: exit code" 3 $rc
	mc_eq "threads: limit named" '"threads"' "$(jq .result.limit "$t")"
	mc_eq "threads: the model's binding limit" '"nproc"' "$(jq .result.predicted_limit "$t")"
	pred=$(jq .result.predicted "$t")
	mc_between "threads: reached within 5% of the prediction ($pred)" $((pred * 95 / 100)) \
		"$pred" "$(jq .result.reached "$t")"
	# a sanitizer build's pthread_create takes longer to fail (ASan sets up
	# and tears down its own thread state each time): the step ends with
	# fewer refused, still counted
	refused_min=700
	[ -z "${MC_SANITIZE:-}" ] || refused_min=100
	mc_ge "threads: refusals counted" $refused_min \
		"$(jq '.steps[0].evidence[]|select(.what=="server refused: threads").value' "$t")"
	grep -q "EAGAIN" "$MC_TMP/out4" || mc_fail "threads: EAGAIN not in the summary"
	mc_eq "threads: the run says it had no namespace" false "$(jq .netns "$t")"
	# no namespace, so the step ran with this namespace's somaxconn and
	# port range, and says so (it said backlog 65535 and 32768-60999)
	mc_eq "threads: step backlog = somaxconn" "$(sysctl -n net.core.somaxconn)" \
		"$(jq '.steps[0].scenario.backlog' "$t")"
	mc_eq "threads: step port range = ip_local_port_range" \
		"[$(sysctl -n net.ipv4.ip_local_port_range | tr -s '\t ' ',')]" \
		"$(jq -c '.steps[0].scenario.port_range' "$t")"
else
	mc_skip_part $(mc_nobody_why) "the threads/nproc checks (as user nobody) dropped"
fi
