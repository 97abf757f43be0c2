#!/bin/bash
# test_accept_rate.sh: `server --accept-rate R` accepts R connections a
# second whatever the model: 60 connections wait in the backlog of a server
# that accepts 20 a second for 2 s; epoll and threads hold 41 of them (one
# ahead, then 20 a second), not 60 (issue 22: threads took the rate and
# accepted everything at once). uring refuses a rate above 0 by name.
. "$(dirname "$0")/lib.sh"
mc_netns

for model in epoll threads; do
	mc_server $model "$MAXCONN" server --model $model --listen 127.0.0.1:9000 \
		--accept-rate 20 --duration 2s
	srv=$MC_SRV
	mc_bg "$MAXCONN" client -c 127.0.0.1:9000 --conns 60 --hold 10s -q
	cli=$MC_LAST
	wait $srv
	mc_eq "$model: server exit code" 0 $?
	kill -TERM $cli 2>/dev/null
	wait $cli
	s=$MC_TMP/$model.json
	mc_eq "$model: model" "\"$model\"" "$(jq .model "$s")"
	# 2 s at 20 a second, one ahead: 41; the client's 60 connects take a
	# few ms of those 2 s, and a slow start a few more
	mc_between "$model: held at peak (20 a second for 2 s)" 33 42 "$(jq .held_peak "$s")"
	mc_between "$model: accepted" 33 42 "$(jq .accepted "$s")"
done

out=$("$MAXCONN" server --model uring --accept-rate 10 2>&1)
mc_eq "uring: --accept-rate 10 is a usage error" 2 $?
echo "$out" | grep -qF -- "--accept-rate above 0 is not supported with --model uring" ||
	mc_fail "uring: the message lacks the reason: $out"
echo "ok: uring refuses --accept-rate 10"
