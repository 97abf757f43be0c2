#!/bin/bash
# test_shard_split.sh: issue 22, row 7. Three sources, two shards, a port
# range of 1,000, -n 2400: the total fits 3,000 ports, so both shards run
# and establish their share (in proportion to their sources: 1,600 over two
# sources, 800 over one), 2,400 in all. A total that does not fit is refused
# with advice for every shard (the same, longer --source list), not a
# shorter slice. Two shards without --source toward this host are warned
# about at start: they would take each other's ports.
. "$(dirname "$0")/lib.sh"
mc_netns

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV
# every shard: the same lists, the same range
same=(client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.4 --port-range 40000-40999
	--json -q)
mc_bg "$MAXCONN" "${same[@]}" -n 2400 --shard 1/2 --hold 3s >"$MC_TMP/c1.json" 2>"$MC_TMP/c1.err"
c1=$MC_LAST
mc_bg "$MAXCONN" "${same[@]}" -n 2400 --shard 2/2 --hold 3s >"$MC_TMP/c2.json" 2>"$MC_TMP/c2.err"
c2=$MC_LAST
mc_wait_established 'dport = :9000' 2400 20
mc_eq "connections held by the two shards together" 2400 "$(mc_ss_established '( dport = :9000 )')"
wait $c1
rc1=$?
wait $c2
rc2=$?
cat "$MC_TMP/c1.err" "$MC_TMP/c2.err"
mc_eq "shard 1/2's exit code" 0 $rc1
mc_eq "shard 2/2's exit code" 0 $rc2
mc_eq "shard 1/2 established (2 of the 3 sources)" 1600 "$(jq .established "$MC_TMP/c1.json")"
mc_eq "shard 2/2 established (1 of the 3 sources)" 800 "$(jq .established "$MC_TMP/c2.json")"
mc_eq "shard 1/2 failures" 0 "$(jq '[.failures[]] | add // 0' "$MC_TMP/c1.json")"
mc_eq "shard 2/2 failures" 0 "$(jq '[.failures[]] | add // 0' "$MC_TMP/c2.json")"

# a total over the ports (3,600 > 3,000): refused before anything starts,
# with advice that keeps the --source list the same on every shard
"$MAXCONN" "${same[@]}" -n 3600 --shard 1/2 --hold 0 >/dev/null 2>"$MC_TMP/r.err"
rc=$?
cat "$MC_TMP/r.err"
mc_eq "shard 1/2 of 3,600: exit code (a limit)" 3 $rc
grep -q "shard 1/2: its 2400 connections (its share of --conns) are more than the ports allow: 2 source addresses" "$MC_TMP/r.err" ||
	mc_fail "the refusal does not name the shard's share and slice"
grep -q "All the shards: --conns 3600 over 3 source addresses x 1 destination x 1000 ports = 3000 connections. Give every shard the same --source list of 4 addresses in all" "$MC_TMP/r.err" ||
	mc_fail "the advice is not for the shared --source list"
if grep -q "Use 2 source addresses\|127.0.0.2-127.0.0.3" "$MC_TMP/r.err"; then
	mc_fail "the advice names a --source list of the shard's own slice"
fi
echo "ok: the advice is for all the shards"

# no --source, one destination on this host: each shard is warned at start
for k in 1 2; do
	"$MAXCONN" client --connect 127.0.0.1:9000 -n 10 --hold 0 --shard $k/2 -q \
		>/dev/null 2>"$MC_TMP/w$k.err"
	cat "$MC_TMP/w$k.err"
	grep -q "warning: --shard $k/2 without --source, 1 destination for 2 shards: .*127.0.0.1 is on this host.* EADDRNOTAVAIL. Give every shard the same --source list of 2 addresses or more" "$MC_TMP/w$k.err" ||
		mc_fail "shard $k/2 without --source toward this host: no warning"
done
echo "ok: both shards warned"
# with its own slice of the sources: no warning
"$MAXCONN" "${same[@]}" -n 20 --shard 2/2 --hold 0 >/dev/null 2>"$MC_TMP/nw.err"
mc_eq "warnings with --source" 0 "$(grep -c warning "$MC_TMP/nw.err")"
mc_stop $srv
