#!/bin/bash
# test_heartbeats.sh: --send STRING --every D sends STRING from every
# connection once a period. Against an echo server each heartbeat comes back
# and gives a round trip; against a holding server the bytes are counted on
# both sides and nothing comes back.
. "$(dirname "$0")/lib.sh"
mc_netns
N=1000

mc_server s1 "$MAXCONN" server --listen 127.0.0.1:9000 --mode echo
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9000 --conns $N --send heartbeat-16byte --every 250ms --hold 2s --json -q >"$MC_TMP/c1.json"
mc_eq "client exit code" 0 $?
mc_stop $srv
c=$MC_TMP/c1.json
sent=$(jq .traffic.msgs_sent $c)
# 2 s of hold at 4 a second, plus the ramp: at least 6 per connection
mc_ge "heartbeats sent" $((6 * N)) "$sent"
mc_le "heartbeats sent (at most 4/s for ~2.5 s each)" $((12 * N)) "$sent"
mc_eq "bytes out = heartbeats x 16" $((sent * 16)) "$(jq .traffic.bytes_out $c)"
mc_eq "echo server got every byte" "$(jq .traffic.bytes_out $c)" "$(jq .bytes_in "$MC_TMP/s1.json")"
mc_ge "heartbeats that came back" $((sent - N)) "$(jq .traffic.msgs_returned $c)"
mc_ge "round trips measured" $((5 * N)) "$(jq .rtt_us.count $c)"

mc_server s2 "$MAXCONN" server --listen 127.0.0.1:9001 --mode hold
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9001 --conns $N --send ping --every 500ms --hold 1s --json -q >"$MC_TMP/c2.json"
mc_eq "client exit code (hold server)" 0 $?
mc_stop $srv
mc_eq "hold server read every byte" "$(jq .traffic.bytes_out "$MC_TMP/c2.json")" "$(jq .bytes_in "$MC_TMP/s2.json")"
mc_eq "nothing comes back from a hold server" 0 "$(jq .traffic.bytes_in "$MC_TMP/c2.json")"
mc_eq "hold server wrote nothing" 0 "$(jq .bytes_out "$MC_TMP/s2.json")"
