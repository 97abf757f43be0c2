#!/bin/bash
# test_probe_close_abort.sh: the probe's client closes its connections to
# its own server with an RST (SO_LINGER 0; issue 24, item 4): no FIN
# exchange and no TIME_WAIT, so closing millions takes a third of the time.
# A process of the test keeps the probe's namespace after the probe has
# gone: there, the probe's 3,000 connections must have ended with at least
# 3,000 RSTs sent and none left in TIME_WAIT (closed with FINs, both ends
# killed at once, about 3,000 end in TIME_WAIT).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq nsenter ss

N=3000
mc_bg "$MAXCONN" probe --timeout 60s --target $N --hold 3s --json "$MC_TMP/p.json" \
	>"$MC_TMP/out" 2>"$MC_TMP/err"
probe=$MC_LAST
keeper=""
for _ in $(seq 100); do
	child=$(mc_probe_kids "$probe" | head -1)
	if [ -n "$child" ] && nsenter -t "$child" -n true 2>/dev/null; then
		mc_bg nsenter -t "$child" -n sleep 60
		keeper=$MC_LAST
		break
	fi
	sleep 0.1
done
[ -n "$keeper" ] || mc_fail "never saw the probe's children"
wait "$probe"
mc_eq "exit code (target reached)" 0 $?
grep -q "closing 6000 sockets... done in" "$MC_TMP/err" ||
	mc_fail "no closing line: $(tr '\r' '\n' <"$MC_TMP/err" | tail -2)"
sleep 0.5 # the keeper's namespace: the last segments are in flight
in_ns() { nsenter -t "$keeper" -n "$@"; }
tw=$(in_ns awk '/^TCP:/ {print $7}' /proc/net/sockstat)
rsts=$(in_ns awk '/^Tcp:/ && $2 ~ /^[0-9]/ {print $15}' /proc/net/snmp)
left=$(in_ns ss -Htan | wc -l)
mc_eq "TIME_WAIT in the probe's namespace after it closed" 0 "$tw"
mc_ge "RSTs sent there (one per connection the client closed)" $N "$rsts"
mc_eq "sockets left there" 0 "$left"
