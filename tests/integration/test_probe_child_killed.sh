#!/bin/bash
# test_probe_child_killed.sh: issue 22, row 9. The probe ramps to 50k; once
# about 20k connections are held its server child is killed (SIGKILL). The
# report says it was killed, by which signal, and reaches what was held
# before the death (not the few left once the client drained); exit 1 (a
# runtime failure, the README's table).
. "$(dirname "$0")/lib.sh"
mc_netns

mc_bg "$MAXCONN" probe --target 50k --rate 20k --json "$MC_TMP/p.json"
probe=$MC_LAST
# the server child: the probe's child that holds the listener (found while
# the children have few fds); killed as soon as the step's namespace holds
# 40k sockets (20k connections)
srv=
for _ in $(seq 3000); do
	if [ -z "$srv" ] || ! [ -e /proc/$srv/net/sockstat ]; then
		srv=
		for k in $(pgrep -P $probe); do
			ino=$(awk '$4 == "0A" {print $10; exit}' /proc/$k/net/tcp 2>/dev/null)
			[ -n "$ino" ] && ls -l /proc/$k/fd 2>/dev/null | grep -q "socket:\[$ino\]" && srv=$k
		done
	fi
	inuse=$(awk '/^TCP:/ {print $3}' /proc/${srv:-0}/net/sockstat 2>/dev/null)
	[ "${inuse:-0}" -ge 40000 ] && break
	sleep 0.01
done
[ "${inuse:-0}" -ge 40000 ] || mc_fail "no server child of the probe came to 20k connections"
kill -KILL "$srv"
held=$(( inuse / 2 ))
echo "killed the server child $srv with about $held connections held ($inuse sockets)"
wait $probe
rc=$?
j=$MC_TMP/p.json
reached=$(jq '.steps[-1].reached' "$j")
echo "reached $reached"
mc_eq "exit code (runtime failure)" 1 $rc
mc_eq "stopped by" '"failed"' "$(jq .steps[-1].stop "$j")"
mc_eq "what happened" \
	"\"the probe's server was killed by SIGKILL (signal 9): by another process or the kernel's OOM killer\"" \
	"$(jq .steps[-1].happened "$j")"
# what was held at the kill, within a sample's distance (10 samples a
# second at 20k/s: 2,000), not what was left once the client drained
mc_between "reached: the connections held at the kill" $(( held - 2000 )) $(( held + 2000 )) "$reached"
