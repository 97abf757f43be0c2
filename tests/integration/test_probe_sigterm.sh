#!/bin/bash
# test_probe_sigterm.sh: SIGTERM during a ramp stops the probe like Ctrl-C
# (exit 130, the report written with what it reached), and the report says
# SIGTERM: it is no Ctrl-C (it said "interrupted (Ctrl-C)" for both).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

# 50k at 10k/s: five seconds of ramp, stopped after about one and a half
mc_bg "$MAXCONN" probe --timeout 60s --target 50k --rate 10k --json "$MC_TMP/p.json" -q
probe=$MC_LAST
sleep 1.5
kill -TERM "$probe"
wait "$probe"
mc_eq "exit code after SIGTERM" 130 $?
j=$MC_TMP/p.json
[ -s "$j" ] || mc_fail "no JSON report after SIGTERM"
mc_eq "stop" '"interrupted"' "$(jq .result.stop "$j")"
happened=$(jq -r .result.happened "$j")
case $happened in
"interrupted (SIGTERM) at "*) echo "ok: happened = $happened" ;;
*) mc_fail "the report says '$happened', not 'interrupted (SIGTERM) at ...'" ;;
esac
mc_between "reached before SIGTERM" 1 49999 "$(jq .result.reached "$j")"
