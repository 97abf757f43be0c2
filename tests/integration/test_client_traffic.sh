#!/bin/bash
# test_client_traffic.sh: the client's traffic figures stay honest when the
# server stalls:
#   - round trips are timed from when each message was due, so a server
#     stopped 3 s under 250 ms heartbeats shows a 3 s round trip (timed
#     from the newest message, as before, it read as 0.25 s);
#   - a message counts as sent when its last byte is written: 100 KB
#     heartbeats every 10 ms to a server stopped 2 s leave the socket full,
#     and the ones due meanwhile are counted skipped (exit 1), not sent;
#     bytes out = messages sent x 100 KB + what is half written at the end.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000 --mode echo
srv=$MC_SRV
c=$MC_TMP/c.json
N=100

mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -n $N --send heartbeat-16byte --every 250ms \
	--hold 5s --json -q >"$c"
cli=$MC_LAST
sleep 1
kill -STOP $srv
sleep 3
kill -CONT $srv
wait $cli
mc_eq "stalled server: exit code (every heartbeat went out whole)" 0 $?
mc_eq "stalled server: the longest round trip shows the 3 s stop (>= 2.5 s)" true \
	"$(jq '.rtt_us.max >= 2500000' "$c")"
mc_eq "stalled server: p90 round trip >= 1 s (the messages due during the stop)" true \
	"$(jq '.rtt_us.p90 >= 1000000' "$c")"
mc_eq "stalled server: nothing skipped (16-byte messages fit the socket)" 0 \
	"$(jq .traffic.msgs_skipped "$c")"
mc_ge "stalled server: every heartbeat came back (but one on its way per connection)" \
	$(($(jq .traffic.msgs_sent "$c") - N)) "$(jq .traffic.msgs_returned "$c")"
mc_eq "stalled server: one round trip per message back" "$(jq .traffic.msgs_returned "$c")" \
	"$(jq .rtt_us.count "$c")"
mc_stop $srv

mc_server s2 "$MAXCONN" server --listen 127.0.0.1:9001 --mode hold
srv=$MC_SRV
big=$(head -c 100000 /dev/zero | tr '\0' x)
mc_bg "$MAXCONN" client -c 127.0.0.1:9001 -n 10 --send "$big" --every 10ms --hold 4s --json -q \
	>"$c"
cli=$MC_LAST
sleep 1
kill -STOP $srv
sleep 2
kill -CONT $srv
wait $cli
rc=$?
sent=$(jq .traffic.msgs_sent "$c")
out=$(jq .traffic.bytes_out "$c")
mc_ge "bytes out >= messages sent x 100 KB" $((sent * 100000)) "$out"
mc_le "bytes out < (messages sent + one half-written per connection) x 100 KB" \
	$(((sent + 10) * 100000 - 1)) "$out"
mc_ge "messages skipped while the socket was full" 1 "$(jq .traffic.msgs_skipped "$c")"
mc_eq "100 KB heartbeats, stopped server: exit code (messages skipped)" 1 $rc
# the client has closed; the server reads what is still in its sockets up
# to each EOF, then closes them
for i in $(seq 100); do
	[ "$(mc_ss_established '( sport = :9001 )')" -eq 0 ] && break
	sleep 0.1
done
mc_stop $srv
mc_eq "the server read every byte written" "$out" "$(jq .bytes_in "$MC_TMP/s2.json")"
