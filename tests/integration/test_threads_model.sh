#!/bin/bash
# test_threads_model.sh: `maxconn server --model threads` (one blocking
# thread per connection) holds and echoes like the epoll model, and given a
# small thread limit (RLIMIT_NPROC 100 for user nobody: root ignores it) it
# stops where `maxconn limits --model threads` predicts, less its own two
# threads (main and acceptor) and any thread of the user still exiting,
# refuses the rest, and names the thread limit.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_nobody || mc_skip $(mc_nobody_why) "no user nobody (or no setpriv)"

mc_server s1 "$MAXCONN" server --model threads --mode echo --listen 127.0.0.1:9000
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9000 --conns 2000 --echo-verify 1k --every 300ms --hold 1s --json -q >"$MC_TMP/c1.json"
mc_eq "client exit code" 0 $?
mc_stop $srv
mc_eq "server exit code" 0 $?
c=$MC_TMP/c1.json
mc_echo_intact $c 2000
mc_eq "server echoed every byte" "$(jq .traffic.bytes_out $c)" "$(jq .bytes_out "$MC_TMP/s1.json")"
mc_eq "server model" '"threads"' "$(jq .model "$MC_TMP/s1.json")"
mc_eq "server held at peak" 2000 "$(jq .held_peak "$MC_TMP/s1.json")"

# as nobody under RLIMIT_NPROC 100
NOBODY=("${MC_AS_NOBODY[@]}" prlimit --nproc=100:100 "$MC_NOBODY_BIN")
pred=$("${NOBODY[@]}" limits --model threads --json | jq .summary.connections)
mc_eq "limits predicts (RLIMIT_NPROC)" 100 "$pred"
mc_eq "limits names nproc" '"nproc"' "$("${NOBODY[@]}" limits --model threads --json | jq .summary.binding)"

mc_server nobody/s2 "${NOBODY[@]}" server --model threads --listen 127.0.0.1:9001
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9001 --conns 300 --hold 1s --json -q >"$MC_TMP/c2.json"
mc_stop $srv
mc_eq "server exit code (a host limit refused connections)" 3 $?
held=$(jq .held_peak "$MC_TMP/nobody/s2.json")
# RLIMIT_NPROC counts every task of the user, threads still exiting included:
# at most the prediction less main and acceptor, a few less at worst
mc_between "held (prediction - main and acceptor threads)" $((pred - 6)) $((pred - 2)) "$held"
mc_eq "refused for want of a thread" $((300 - held)) "$(jq .refused.threads "$MC_TMP/nobody/s2.json")"
mc_eq "server names the limit" '"threads"' "$(jq .limit "$MC_TMP/nobody/s2.json")"
mc_eq "client saw the refused ones closed" $((300 - held)) "$(jq '.lost.peer_closed // 0' "$MC_TMP/c2.json")"
