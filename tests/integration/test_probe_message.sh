#!/bin/bash
# test_probe_message.sh: --message SIZE sizes the probe's heartbeats (issue
# 19, item 1: one way to describe traffic). 100 connections each send a
# 1,000-byte message every 100 ms, echoed whole: after a second and more the
# client's bytes (its --metrics families) are whole messages, at least one
# per connection, and came back. --message without --heartbeat, or out of
# range, is a usage error naming it.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq curl

for bad in "--message 1k" "--message 0 --heartbeat 1s" "--message 2M --heartbeat 1s"; do
	# shellcheck disable=SC2086 # one word per flag and value
	"$MAXCONN" probe $bad -q >/dev/null 2>"$MC_TMP/err"
	mc_eq "exit code of 'probe $bad' (usage)" 2 $?
	grep -q -- "--message" "$MC_TMP/err" || mc_fail "'probe $bad': the message does not name --message: $(cat "$MC_TMP/err")"
done

mc_bg "$MAXCONN" probe -q --target 100 --heartbeat 100ms --message 1000 --hold 4s \
	--timeout 30s --metrics 127.0.0.1:9464
probe=$MC_LAST
m() { curl -s --max-time 2 http://127.0.0.1:9464/metrics | awk -v n="$1" '$1 == n {print int($2)}'; }
sent=0
for i in $(seq 60); do
	sent=$(m maxconn_client_sent_bytes_total)
	[ "${sent:-0}" -ge 300000 ] && break
	sleep 0.1
done
recv=$(m maxconn_client_received_bytes_total)
kill -INT $probe 2>/dev/null; wait $probe
mc_ge "bytes sent: at least 3 messages of 1,000 B per connection" 300000 "${sent:-0}"
mc_eq "bytes sent are whole 1,000-byte messages" 0 $((sent % 1000))
mc_ge "bytes echoed back (all but the last round's)" $((sent - 200000)) "${recv:-0}"
