#!/bin/bash
# test_server_limits.sh: --max-conns holds exactly N and refuses the rest,
# counted; a client opens exactly --conns, never more; and at the fd limit the
# EMFILE reserve fd keeps a level-triggered listener from spinning a core.
. "$(dirname "$0")/lib.sh"
mc_netns

# exact counts on both sides
mc_server s1 "$MAXCONN" server --listen 127.0.0.1:9000 --max-conns 3000
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9000 --conns 3456 --hold 1s --json -q >"$MC_TMP/c1.json"
mc_stop $srv
mc_eq "server: held at peak (--max-conns 3000)" 3000 "$(jq .held_peak "$MC_TMP/s1.json")"
mc_eq "server: refused over --max-conns" 456 "$(jq .refused.max_conns "$MC_TMP/s1.json")"
mc_eq "server: accepted + refused = client attempts" 3456 \
	"$(jq '.accepted + .refused.max_conns' "$MC_TMP/s1.json")"
mc_eq "client: attempted exactly --conns" 3456 "$(jq .attempted "$MC_TMP/c1.json")"

# the fd limit: a one-worker server with 300 fds gets 800 connections
mc_server s2 prlimit --nofile=300:300 "$MAXCONN" server --listen 127.0.0.1:9001 --workers 1
srv=$MC_SRV
# 300/s: connections keep arriving at the full server while its CPU is measured
mc_bg "$MAXCONN" client -c 127.0.0.1:9001 --conns 800 --rate 300 --hold 1s --json -q >"$MC_TMP/c2.json"
cli=$MC_LAST
sleep 1.5
# CPU time the server burns over one second while full and still polled
t1=$(awk '{print $14 + $15}' /proc/$srv/stat)
sleep 1
t2=$(awk '{print $14 + $15}' /proc/$srv/stat)
wait $cli
mc_stop $srv
mc_eq "server exit code (a host limit refused connections)" 3 $?
held=$(jq .held_peak "$MC_TMP/s2.json")
mc_between "server held near its 300 fds" 280 299 "$held"
mc_eq "refused at the fd limit = 800 - held" $((800 - held)) "$(jq .refused.fd_limit "$MC_TMP/s2.json")"
mc_eq "server names fd_process" '"fd_process"' "$(jq .limit "$MC_TMP/s2.json")"
mc_le "server CPU ticks in 1s while full (no spin; 100 = a whole core)" 10 $((t2 - t1))
mc_eq "client sees the refused ones closed by the peer" $((800 - held)) \
	"$(jq '.lost.peer_closed // 0 + (.lost.ECONNRESET // 0)' "$MC_TMP/c2.json")"
