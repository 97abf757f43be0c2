#!/bin/bash
# test_echo_halfclose.sh: `server --mode echo` writes back everything it read
# before it closes, when the client half-closes (shutdown(SHUT_WR): the end
# of file is not the end of the write side), in every model; and what it
# could not write back (the peer reset, the server stopped) is counted:
# bytes_in = bytes_out + bytes_not_echoed, to the byte.
#
# The peers (echo_peer.pl) read nothing while they send, with an 8 KiB
# receive buffer, and the namespace's TCP buffers are small
# (net.ipv4.tcp_wmem/tcp_rmem are per namespace, and this one ends with the
# test), so the server's writes block early and the half-close reaches it
# while it still has bytes to write back.
. "$(dirname "$0")/lib.sh"
mc_netns
sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536" net.ipv4.tcp_rmem="4096 131072 262144" ||
	mc_fail "cannot set the namespace's tcp_wmem/tcp_rmem"
PEER=$(dirname "$0")/echo_peer.pl
N=20 BYTES=150000
port=9000

# peer MODE CONNS: run echo_peer.pl against the server on $port
peer() { timeout 70 perl "$PEER" "$1" 127.0.0.1 $port "$2" $BYTES; }
field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
# not_echoed_adds_up JSON: once stopped, bytes_in = bytes_out + bytes_not_echoed
not_echoed_adds_up() {
	local s=$1 in out lost
	in=$(jq .bytes_in "$s") out=$(jq .bytes_out "$s") lost=$(jq .bytes_not_echoed "$s")
	mc_ge "bytes not echoed (counted, not silent)" 1 "$lost"
	mc_eq "bytes in = bytes out + bytes not echoed" "$in" $((out + lost))
}

for model in epoll uring threads; do
	if [ $model = uring ] && [ "$(sysctl -n kernel.io_uring_disabled 2>/dev/null || echo 0)" != 0 ]; then
		mc_skip_part kernel io_uring "io_uring is disabled here (kernel.io_uring_disabled = $(sysctl -n kernel.io_uring_disabled)): the uring model's checks dropped"
		continue
	fi
	echo "== $model"
	# half-close: every byte back, in order, then the server's close
	port=$((port + 1))
	mc_server hc-$model "$MAXCONN" server --model $model --mode echo --listen 127.0.0.1:$port
	srv=$MC_SRV
	out=$(peer halfclose $N)
	echo "$out"
	mc_stop $srv
	s=$MC_TMP/hc-$model.json
	mc_eq "$model: sent by the peers" $((N * BYTES)) "$(field "$out" sent)"
	mc_eq "$model: bytes back after the half-close" $((N * BYTES)) "$(field "$out" back)"
	mc_eq "$model: connections intact, then closed" $N "$(field "$out" intact)"
	mc_eq "$model: server bytes in" $((N * BYTES)) "$(jq .bytes_in $s)"
	mc_eq "$model: server bytes out" $((N * BYTES)) "$(jq .bytes_out $s)"
	mc_eq "$model: server bytes not echoed" 0 "$(jq .bytes_not_echoed $s)"
	mc_eq "$model: closed by the peer" $N "$(jq .closed.peer_closed $s)"

	# reset while the server still has bytes to write back: counted
	port=$((port + 1))
	mc_server rst-$model "$MAXCONN" server --model $model --mode echo --listen 127.0.0.1:$port
	srv=$MC_SRV
	peer reset 10
	sleep 0.5
	mc_stop $srv
	s=$MC_TMP/rst-$model.json
	mc_eq "$model: reset connections closed as reset" 10 "$(jq .closed.ECONNRESET $s)"
	not_echoed_adds_up $s

	# stopped while connections still have bytes to write back: counted
	port=$((port + 1))
	mc_server stay-$model "$MAXCONN" server --model $model --mode echo --listen 127.0.0.1:$port
	srv=$MC_SRV
	mc_bg perl "$PEER" stay 127.0.0.1 $port 5 $BYTES
	sleep 1.5
	mc_stop $srv
	not_echoed_adds_up $MC_TMP/stay-$model.json
done
