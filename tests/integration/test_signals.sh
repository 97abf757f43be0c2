#!/bin/bash
# test_signals.sh: Ctrl-C (SIGINT) and SIGTERM stop both commands cleanly and
# they still print their summary. A client interrupted before all N were
# opened says so with exit 130; one interrupted while holding exits 0.
. "$(dirname "$0")/lib.sh"
mc_netns

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV

# holding (default --hold: until Ctrl-C)
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 --conns 500 --json -q >"$MC_TMP/c1.json"
cli=$MC_LAST
mc_wait_established 'dport = :9000' 500 5
kill -INT $cli; wait $cli
mc_eq "exit code, Ctrl-C while holding" 0 $?
mc_eq "summary: held" 500 "$(jq .held "$MC_TMP/c1.json")"
mc_eq "summary: interrupted" true "$(jq .interrupted "$MC_TMP/c1.json")"
mc_eq "summary: attempted = established + failed + in flight" "$(jq .attempted "$MC_TMP/c1.json")" \
	"$(jq '.established + .failed + .in_flight' "$MC_TMP/c1.json")"

# ramping slowly (100/s toward 10,000): interrupted after about a second
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 --conns 10k --rate 100 --json -q >"$MC_TMP/c2.json"
cli=$MC_LAST
sleep 1.5
kill -INT $cli; wait $cli
mc_eq "exit code, Ctrl-C during the ramp" 130 $?
est=$(jq .established "$MC_TMP/c2.json")
mc_between "established at ~100/s for ~1.5s" 50 400 "$est"
# the counts are taken once the workers have stopped: a connect started just
# before Ctrl-C is in flight, never lost from the sum
mc_eq "nothing failed" 0 "$(jq .failed "$MC_TMP/c2.json")"
mc_eq "attempted = established + failed + in flight" "$(jq .attempted "$MC_TMP/c2.json")" \
	"$(jq '.established + .failed + .in_flight' "$MC_TMP/c2.json")"

mc_stop $srv
mc_eq "server exit code on SIGTERM" 0 $?
mc_eq "server summary: stopped by" '"SIGTERM"' "$(jq .stopped_by "$MC_TMP/s.json")"
mc_ge "server summary: accepted" $((500 + est)) "$(jq .accepted "$MC_TMP/s.json")"
left=0
for p in $srv $cli; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
mc_eq "processes this test started still running" 0 $left
