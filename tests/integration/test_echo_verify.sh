#!/bin/bash
# test_echo_verify.sh: 5,000 connections each send 3 messages of 1 KiB of a
# pattern unique to the connection through `server --mode echo`; every byte
# must come back, in order, on its own connection: zero lost, zero wrong,
# and the byte counts of both sides agree to the byte.
. "$(dirname "$0")/lib.sh"
mc_netns
N=5000 MSG=1024

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000-9001 --mode echo
srv=$MC_SRV
mc_eq "listeners in the ready file" 2 "$(wc -l <"$MC_TMP/s.ready")"

"$MAXCONN" client --connect 127.0.0.1:9000-9001 --conns $N --echo-verify $MSG --every 1s \
	--hold 2500ms --json -q >"$MC_TMP/c.json"
crc=$?
mc_stop "$srv"
c=$MC_TMP/c.json
mc_eq "client exit code" 0 $crc
mc_echo_verified $c "$MC_TMP/s.json" $N $MSG
mc_ge "round trips measured" $N "$(jq .rtt_us.count $c)"

# the same client against a server that only holds: every byte is lost, and
# the client says so with a non-zero exit
mc_server s2 "$MAXCONN" server --listen 127.0.0.1:9100 --mode hold
"$MAXCONN" client --connect 127.0.0.1:9100 --conns 100 --echo-verify 100 --hold 200ms --json -q >"$MC_TMP/c2.json"
mc_eq "exit code when no echo comes back" 1 $?
mc_eq "bytes lost without echo" 10000 "$(jq .traffic.echo_lost_bytes "$MC_TMP/c2.json")"
