#!/bin/bash
# test_time_wait.sh: ports a (source, destination) pair holds in TIME_WAIT
# lower what the pair allows, as connect() applies tcp_tw_reuse and
# tcp_tw_reuse_delay when it searches the port itself (the kernel takes
# over such a port only with TCP timestamps, tcp_tw_reuse 1, or 2 when an
# address is loopback, once the delay has passed since the socket entered
# TIME_WAIT); a client that binds each port first takes them over at once.
# In a namespace with a 1,000-port range, a client closes its connections
# first (its ports go to TIME_WAIT), then `maxconn limits --connect
# --source` predicts the pair's ceiling and `maxconn client --port-select
# kernel` reaches exactly that, for tw_reuse 0, 1 and 2 (loopback and
# not); the client's EADDRNOTAVAIL says how many of the pair's ports are in
# TIME_WAIT. With its own port choice (bind, then connect) it reaches the
# whole range even under tw_reuse 0, and limits --port-select maxconn says so.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq ss
sysctl -qw net.ipv4.ip_local_port_range="40000 40999"
sysctl -qw net.ipv4.tcp_timestamps=1
ip addr add 10.9.0.1/32 dev lo
ip addr add 10.9.0.2/32 dev lo
mc_server s1 "$MAXCONN" server --listen 127.0.0.1:9000 --listen 10.9.0.1:9000
srv=$MC_SRV

# tw SRC DST N [SELECT]: N connections from SRC to DST:9000, their ports
# chosen by SELECT (kernel, else maxconn: a client reconnects the way it
# connected, and ports left by the other way stay out of reach whatever
# tcp_tw_reuse says), closed by the client first: most of N of the pair's
# ports in TIME_WAIT (under load a close can end with a reset and no
# TIME_WAIT: 881 of 1,000 once), counted by the kernel into TW; the cases
# below expect what the kernel then holds
tw() {
	"$MAXCONN" client -q -c "$2:9000" -s "$1" -n "$3" --hold 0s --port-select "${4:-kernel}" \
		>/dev/null || mc_fail "making TIME_WAIT from $1"
	sleep 0.5
	TW=$(ss -Htn state time-wait src "$1" | wc -l)
	mc_between "$1: ports in TIME_WAIT" $(($3 / 2)) "$3" "$TW"
}

# case NAME SRC DST EXPECTED [SELECT]: limits predicts EXPECTED for the
# pair and the client, its ports chosen by SELECT (kernel, else maxconn),
# reaches it
case_() {
	local name=$1 src=$2 dst=$3 want=$4 sel=${5:-kernel} pred got
	pred=$("$MAXCONN" limits --role client --connect "$dst:9000" --source "$src" \
		--port-select "$sel" --json | jq '.limits[]|select(.id=="ephemeral_ports").connections')
	mc_eq "$name: limits predicts" "$want" "$pred"
	"$MAXCONN" client -c "$dst:9000" -s "$src" -n 1000 --hold 1s --force --port-select "$sel" \
		--json -q >"$MC_TMP/$name.json" 2>"$MC_TMP/$name.err"
	got=$(jq .established "$MC_TMP/$name.json")
	mc_eq "$name: the client reaches the prediction" "$pred" "$got"
	if [ "$got" -lt 1000 ]; then
		mc_eq "$name: the rest failed EADDRNOTAVAIL" $((1000 - got)) \
			"$(jq '.failures.EADDRNOTAVAIL // 0' "$MC_TMP/$name.json")"
		grep -q "ports of this pair are in TIME_WAIT" "$MC_TMP/$name.json" "$MC_TMP/$name.err" ||
			mc_fail "$name: the EADDRNOTAVAIL message does not name TIME_WAIT"
	fi
}

# tcp_tw_reuse 0: a port in TIME_WAIT is never taken over
sysctl -qw net.ipv4.tcp_tw_reuse=0
tw 127.0.0.2 127.0.0.1 1000
case_ reuse0 127.0.0.2 127.0.0.1 $((1000 - TW))

# tcp_tw_reuse 1, after tcp_tw_reuse_delay (1 s): all taken over
sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.tcp_tw_reuse_delay=1000
tw 127.0.0.3 127.0.0.1 1000
sleep 1.5
case_ reuse1 127.0.0.3 127.0.0.1 1000

# tcp_tw_reuse 1 with a 60 s delay, half the pair in TIME_WAIT: the other half
sysctl -qw net.ipv4.tcp_tw_reuse_delay=60000
tw 127.0.0.4 127.0.0.1 500
case_ reuse1_delay 127.0.0.4 127.0.0.1 $((1000 - TW))

# tcp_tw_reuse 2 (the default): loopback pairs only
sysctl -qw net.ipv4.tcp_tw_reuse=2 net.ipv4.tcp_tw_reuse_delay=1000
tw 127.0.0.5 127.0.0.1 1000
tw 10.9.0.2 10.9.0.1 1000
other=$TW
sleep 1.5
case_ reuse2_loopback 127.0.0.5 127.0.0.1 1000
case_ reuse2_other 10.9.0.2 10.9.0.1 $((1000 - other))

# a client that binds each port first (maxconn's own choice) takes them
# over at once, even under tcp_tw_reuse 0. Last: the bind buckets of such
# ports keep connect()'s own search off them, from any source, for 60 s
sysctl -qw net.ipv4.tcp_tw_reuse=0
tw 127.0.0.6 127.0.0.1 1000 maxconn
case_ reuse0_bound 127.0.0.6 127.0.0.1 1000 maxconn
mc_stop $srv
