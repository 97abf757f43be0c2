#!/bin/bash
# test_threads_model.sh: `maxconn server --model threads` (one blocking
# thread per connection) holds and echoes like the epoll model, and given a
# small thread limit (RLIMIT_NPROC 100 for user nobody: root ignores it) it
# stops where `maxconn limits --model threads` predicts, less its own two
# threads (main and acceptor) and any thread of the user still exiting,
# refuses the rest, and names the thread limit.
. "$(dirname "$0")/lib.sh"
mc_netns
id nobody >/dev/null 2>&1 || mc_skip "no user nobody"

mc_bg "$MAXCONN" server --model threads --mode echo --listen 127.0.0.1:9000 --ready-file "$MC_TMP/r1" --json -q >"$MC_TMP/s1.json"
srv=$MC_LAST
mc_wait_file "$MC_TMP/r1" 10
"$MAXCONN" client -c 127.0.0.1:9000 --conns 2000 --echo-verify 1k --every 300ms --hold 1s --json -q >"$MC_TMP/c1.json"
mc_eq "client exit code" 0 $?
kill -TERM $srv; wait $srv
mc_eq "server exit code" 0 $?
c=$MC_TMP/c1.json
mc_eq "established" 2000 "$(jq .established $c)"
mc_eq "echo mismatches" 0 "$(jq .traffic.echo_mismatch $c)"
mc_eq "echo bytes lost" 0 "$(jq .traffic.echo_lost_bytes $c)"
mc_eq "server echoed every byte" "$(jq .traffic.bytes_out $c)" "$(jq .bytes_out "$MC_TMP/s1.json")"
mc_eq "server model" '"threads"' "$(jq .model "$MC_TMP/s1.json")"
mc_eq "server held at peak" 2000 "$(jq .held_peak "$MC_TMP/s1.json")"

NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups prlimit --nproc=100:100)
as_nobody() { "${NOBODY[@]}" "$@"; }
pred=$(as_nobody "$MAXCONN" limits --model threads --json | jq .summary.connections)
mc_eq "limits predicts (RLIMIT_NPROC)" 100 "$pred"
mc_eq "limits names nproc" '"nproc"' "$(as_nobody "$MAXCONN" limits --model threads --json | jq .summary.binding)"

mkdir -m 777 "$MC_TMP/nobody"
chmod 711 "$MC_TMP"
mc_bg "${NOBODY[@]}" "$MAXCONN" server --model threads --listen 127.0.0.1:9001 --ready-file "$MC_TMP/nobody/r2" --json -q >"$MC_TMP/s2.json"
srv=$MC_LAST
mc_wait_file "$MC_TMP/nobody/r2" 10
"$MAXCONN" client -c 127.0.0.1:9001 --conns 300 --hold 1s --json -q >"$MC_TMP/c2.json"
kill -TERM $srv; wait $srv
mc_eq "server exit code (a host limit refused connections)" 3 $?
held=$(jq .held_peak "$MC_TMP/s2.json")
# RLIMIT_NPROC counts every task of the user, threads still exiting included:
# at most the prediction less main and acceptor, a few less at worst
mc_between "held (prediction - main and acceptor threads)" $((pred - 6)) $((pred - 2)) "$held"
mc_eq "refused for want of a thread" $((300 - held)) "$(jq .refused.threads "$MC_TMP/s2.json")"
mc_eq "server names the limit" '"threads"' "$(jq .limit "$MC_TMP/s2.json")"
mc_eq "client saw the refused ones closed" $((300 - held)) "$(jq '.lost.peer_closed // 0' "$MC_TMP/c2.json")"
