#!/bin/bash
# test_server_dies.sh: a client holds 2,000 connections; the server is killed
# (SIGKILL). The client counts every lost connection by cause, reports them
# and exits non-zero.
. "$(dirname "$0")/lib.sh"
mc_netns
N=2000

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV
mc_bg "$MAXCONN" client --connect 127.0.0.1:9000 --conns $N --hold 3s --json -q >"$MC_TMP/c.json"
cli=$MC_LAST
mc_wait_established 'dport = :9000' $N 10
kill -KILL "$srv"
wait $cli
crc=$?
c=$MC_TMP/c.json
lost=$(jq '[.lost[]] | add // 0' $c)
mc_eq "client exit code (runtime failure)" 1 $crc
mc_eq "established before the kill" $N "$(jq .established $c)"
mc_eq "lost connections, by any cause" $N "$lost"
mc_eq "held at the end" 0 "$(jq .held $c)"
echo "causes: $(jq -c .lost $c)"
# a connect to the dead server is refused, by cause, exit 1
"$MAXCONN" client --connect 127.0.0.1:9000 --conns 10 --hold 0 --json -q >"$MC_TMP/c2.json"
mc_eq "exit code when nothing listens" 1 $?
mc_eq "ECONNREFUSED counted" 10 "$(jq .failures.ECONNREFUSED "$MC_TMP/c2.json")"
