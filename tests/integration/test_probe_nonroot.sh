#!/bin/bash
# test_probe_nonroot.sh: a probe run by a user who cannot read
# /proc/slabinfo never says "0 B per socket": the kernel's bytes per socket
# come from meminfo's Slab growth (and it says so), or they are unknown
# (null, and no projection is made from them).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
mc_nobody || mc_skip $(mc_nobody_why) "needs user nobody and setpriv"

j=$MC_NOBODY_DIR/p.json
timeout 60 "${MC_AS_NOBODY[@]}" "$MC_NOBODY_BIN" probe -q --target 5000 --json "$j" >"$MC_TMP/out"
rc=$?
cat "$MC_TMP/out"
mc_eq "exit code as nobody" 0 $rc
mc_eq "reached" 5000 "$(jq .result.reached "$j")"
mc_eq "slabinfo readable" false "$(jq .memory.kernel_bytes_per_socket.slabinfo "$j")"
from=$(jq -r .memory.kernel_bytes_per_socket.from "$j")
total=$(jq .memory.kernel_bytes_per_socket.total "$j")
case $from in
meminfo)
	mc_ge "kernel bytes per socket from meminfo" 1 "$(jq '.memory.kernel_bytes_per_socket.total|floor' "$j")"
	grep -q "per socket over .* from meminfo's Slab" "$MC_TMP/out" || mc_fail "the summary does not say meminfo"
	mc_ge "projection" 1 "$(jq .memory.more_conns "$j")" ;;
unknown)
	mc_eq "kernel bytes per socket, unknown" null "$total"
	mc_eq "projection without them" null "$(jq .memory.more_conns "$j")"
	grep -q "kernel     unknown" "$MC_TMP/out" || mc_fail "the summary does not say unknown" ;;
*) mc_fail "kernel bytes per socket from '$from' (total $total)" ;;
esac
grep -q "kernel     0 B" "$MC_TMP/out" && mc_fail "the summary says 0 B per socket"
echo "ok: kernel bytes per socket from $from ($total)"
