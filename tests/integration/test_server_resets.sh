#!/bin/bash
# test_server_resets.sh: connections that send a few bytes and reset are
# counted closed (reset), and `held` equals what the kernel holds, in every
# model. 1,000 connections from `maxconn client` stay open while rounds of
# 6,000 others (12 processes: half connect all then reset all, half connect
# and reset one after the other) send 5 bytes and reset: 12 rounds for
# uring, 1 for the others. Under RLIMIT_NOFILE 1200 the uring server runs
# several rings with single-shot accepts and the epoll server several fd
# tables. (The uring server used to count 1 to 3 such connections as held
# in 3 of 5 runs of 10 rounds: its multishot receives could miss a reset
# that came right after data. A race, so not every run showed it.)
. "$(dirname "$0")/lib.sh"
mc_netns
PEER=$(dirname "$0")/reset_peer.pl
HOLD=1000
port=9000

for model in ${MODELS:-uring epoll threads}; do
	if [ $model = uring ] && [ "$(sysctl -n kernel.io_uring_disabled 2>/dev/null || echo 0)" != 0 ]; then
		mc_skip_part kernel io_uring "io_uring is disabled here (kernel.io_uring_disabled = $(sysctl -n kernel.io_uring_disabled)): the uring model's checks dropped"
		continue
	fi
	echo "== $model"
	port=$((port + 1))
	rounds=1
	[ $model = uring ] && rounds=12
	nofile=1200
	[ $model = threads ] && nofile=4096 # one table: room for the resets in flight
	mc_server $model prlimit --nofile=$nofile:$nofile "$MAXCONN" server --model $model \
		--listen 127.0.0.1:$port
	srv=$MC_SRV
	mc_bg "$MAXCONN" client -c 127.0.0.1:$port --conns $HOLD --hold 120s -q --json >"$MC_TMP/$model-client.json"
	cli=$MC_LAST
	mc_wait_established "sport = :$port" $HOLD 20
	for r in $(seq $rounds); do
		pids=""
		for k in 1 2 3 4 5 6; do
			timeout 60 perl "$PEER" batch $port 500 & pids="$pids $!"
			timeout 60 perl "$PEER" each $port 500 & pids="$pids $!"
		done
		for p in $pids; do wait $p || mc_fail "$model: a reset peer failed (exit $?)"; done
	done
	# the kernel's count settles at the holders once every reset is handled
	for i in $(seq 50); do
		[ "$(mc_ss_established "( sport = :$port )")" -eq $HOLD ] && break
		sleep 0.1
	done
	sleep 1
	kernel=$(mc_ss_established "( sport = :$port )")
	mc_stop $srv
	kill $cli 2>/dev/null
	s=$MC_TMP/$model.json
	mc_eq "$model: established, server side (ss)" $HOLD "$kernel"
	mc_eq "$model: held = what the kernel holds" "$kernel" "$(jq .held $s)"
	# a connection reset before its handshake completed on the server side
	# (an accept queue overflow drops the last ACK) is never accepted: at
	# most every connection, and most of them
	total=$((HOLD + rounds * 6000))
	taken=$(jq '.accepted + .refused.fd_limit + .refused.max_conns + .refused.memory' $s)
	mc_le "$model: accepted + refused" $total "$taken"
	mc_ge "$model: accepted + refused (most)" $((total / 2)) "$taken"
	mc_eq "$model: every accepted reset connection closed as reset" \
		$(($(jq .accepted $s) - HOLD)) "$(jq .closed.ECONNRESET $s)"
done
