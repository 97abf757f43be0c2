#!/bin/bash
# test_echo_verify.sh: 5,000 connections each send 3 messages of 1 KiB of a
# pattern unique to the connection through `server --mode echo`; every byte
# must come back, in order, on its own connection: zero lost, zero wrong,
# and the byte counts of both sides agree to the byte.
. "$(dirname "$0")/lib.sh"
mc_netns
N=5000 MSG=1024

mc_bg "$MAXCONN" server --listen 127.0.0.1:9000-9001 --mode echo --ready-file "$MC_TMP/ready" --json -q >"$MC_TMP/s.json"
srv=$MC_LAST
mc_wait_file "$MC_TMP/ready" 10
mc_eq "listeners in the ready file" 2 "$(wc -l <"$MC_TMP/ready")"

"$MAXCONN" client --connect 127.0.0.1:9000-9001 --conns $N --echo-verify $MSG --every 1s \
	--hold 2500ms --json -q >"$MC_TMP/c.json"
crc=$?
kill -TERM "$srv"; wait "$srv"
c=$MC_TMP/c.json
sent=$(jq .traffic.bytes_out $c)
mc_eq "client exit code" 0 $crc
mc_eq "established" $N "$(jq .established $c)"
mc_eq "echo mismatches" 0 "$(jq .traffic.echo_mismatch $c)"
mc_eq "echo bytes lost" 0 "$(jq .traffic.echo_lost_bytes $c)"
mc_ge "messages sent (at least 2 per connection)" $((2 * N)) "$(jq .traffic.msgs_sent $c)"
mc_eq "bytes out = messages x $MSG" $(( $(jq .traffic.msgs_sent $c) * MSG )) "$sent"
mc_eq "bytes back = bytes out" "$sent" "$(jq .traffic.bytes_in $c)"
mc_eq "server bytes in = client bytes out" "$sent" "$(jq .bytes_in "$MC_TMP/s.json")"
mc_eq "server bytes out = client bytes out" "$sent" "$(jq .bytes_out "$MC_TMP/s.json")"
mc_ge "round trips measured" $N "$(jq .rtt_us.count $c)"

# the same client against a server that only holds: every byte is lost, and
# the client says so with a non-zero exit
mc_bg "$MAXCONN" server --listen 127.0.0.1:9100 --mode hold --ready-file "$MC_TMP/ready2" -q
mc_wait_file "$MC_TMP/ready2" 10
"$MAXCONN" client --connect 127.0.0.1:9100 --conns 100 --echo-verify 100 --hold 200ms --json -q >"$MC_TMP/c2.json"
mc_eq "exit code when no echo comes back" 1 $?
mc_eq "bytes lost without echo" 10000 "$(jq .traffic.echo_lost_bytes "$MC_TMP/c2.json")"
