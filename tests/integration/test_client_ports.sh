#!/bin/bash
# test_client_ports.sh: maxconn chooses each local port itself (a cursor per
# (source, destination) pair), so one pair fills to exactly its range:
#   - a small range (the namespace's ip_local_port_range 40000-40299): 300
#     held, the rest EADDRNOTAVAIL, ephemeral_ports named, no timeout;
#     --port-select kernel fills the same range to the same count;
#   - the default range, 32768-60999: exactly 28,232 on one pair (past one
#     fd table: the client and the server take private tables), connects
#     never timing out;
#   - ports in TIME_WAIT and ports another program holds are skipped and
#     counted, not fatal: the pair holds the rest of its range;
#   - reserved ports (ip_local_reserved_ports) are never used.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
sysctl -qw net.core.somaxconn=65535
sysctl -qw net.ipv4.ip_local_port_range="40000 40299"

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV
c=$MC_TMP/c.json

# the kernel's choice fills a pair of the small range to the same count
# (first: the ports maxconn binds itself, once closed and in TIME_WAIT, are
# skipped by the kernel's own search for 60 s, from any source address)
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.3 -n 400 --force --hold 0 --port-select kernel \
	--json -q >"$c"
mc_eq "small range, kernel's choice: exit code" 3 $?
mc_eq "small range, kernel's choice: established" 300 "$(jq .established "$c")"
mc_eq "small range, kernel's choice: EADDRNOTAVAIL" 100 "$(jq '.failures.EADDRNOTAVAIL' "$c")"
mc_eq "small range, kernel's choice: who chose" '"kernel"' "$(jq .ports.select "$c")"
# a small range: exactly 300, then EADDRNOTAVAIL
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.2 -n 400 --force --hold 0 --json -q >"$c"
mc_eq "small range: exit code (a host limit)" 3 $?
mc_eq "small range: established" 300 "$(jq .established "$c")"
mc_eq "small range: EADDRNOTAVAIL" 100 "$(jq '.failures.EADDRNOTAVAIL' "$c")"
mc_eq "small range: no timeouts" null "$(jq '.failures.ETIMEDOUT' "$c")"
mc_eq "small range: limit" '"ephemeral_ports"' "$(jq .limit "$c")"
mc_eq "small range: who chose the ports" '"maxconn"' "$(jq .ports.select "$c")"
mc_eq "small range: ports per pair" 300 "$(jq .ports.per_pair "$c")"
jq -r .first_error "$c" | grep -q "Cannot assign requested address.*300 local ports 40000-40299" ||
	mc_fail "small range: the first error does not name the pair's ports: $(jq -r .first_error "$c")"
# --port-range with the kernel's choice is a usage error
"$MAXCONN" client -c 127.0.0.1:9000 --port-select kernel --port-range 1024-2000 -q 2>"$MC_TMP/err"
mc_eq "--port-range with --port-select kernel: usage error" 2 $?
grep -q "port-range" "$MC_TMP/err" || mc_fail "the usage error does not name --port-range"
for bad in 0-100 100-50 ' 40000-40299' +40000-+40299 40000 40000-70000 abc; do
	"$MAXCONN" client -c 127.0.0.1:9000 --port-range "$bad" -q 2>/dev/null
	mc_eq "--port-range '$bad': usage error" 2 $?
done

# TIME_WAIT and ports bound by another program: not fatal. 20 ports of
# 40000-40099 in TIME_WAIT (a client that closed first), 5 held by another
# program's listeners: the bound ones are skipped and counted; a TIME_WAIT
# with TCP timestamps the kernel takes over for a connect from a bound port
# (PAWS keeps it safe), so those ports are used again.
mc_out_rsts() { nstat -asz 2>/dev/null | awk '$1 == "TcpOutRsts" {n = $2} END {print n + 0}'; }
mc_time_wait() { # SRC LO HI: HI-LO+1 ports of SRC in TIME_WAIT toward :9000
	local n=$(($3 - $2 + 1)) round p missing rsts0 aborts
	rsts0=$(mc_out_rsts)
	"$MAXCONN" client -c 127.0.0.1:9000 -s "$1" --port-range "$2-$3" -n $n --hold 0 \
		--json -q >"$MC_TMP/tw.json"
	mc_eq "TIME_WAIT setup: $n established" $n "$(jq .established "$MC_TMP/tw.json")"
	# The kernel itself may reset one of them as it closes: on a busy host,
	# one RST sent by the namespace (TcpOutRsts) with no abort of either
	# side counted (TcpExtTCPAbortOn*: maxconn closed nothing with unread
	# data, no linger), and the socket is gone from both sides (1 in about
	# 150 here while other namespaces are torn down): most likely a lookup
	# that found no socket, and not maxconn. The setup then makes the ports it
	# lost again, and says so; what maxconn does with them is asserted below
	for round in 1 2 3; do
		for i in $(seq 50); do
			[ "$(ss -Htn state time-wait src "$1" | wc -l)" -ge $n ] && break
			sleep 0.1
		done
		missing=$(comm -23 <(seq "$2" "$3") <(ss -Htn state time-wait src "$1" |
			awk '{n = split($3, a, ":"); print a[n]}' | sort -u) | sort -n)
		[ -z "$missing" ] && break
		aborts=$(nstat -asz 2>/dev/null | awk '$1 ~ /Abort/ && $2 > 0 {printf "%s %s ", $1, $2}')
		echo "TIME_WAIT setup, round $round: port(s) $(echo $missing) of $1 not in" \
			"TIME_WAIT; the namespace sent $(($(mc_out_rsts) - rsts0)) RST(s) since" \
			"the setup began; its aborts: $aborts"
		echo "the sockets of $1 (client side, then server side), by state:"
		ss -Htan src "$1" | awk '{print $1}' | sort | uniq -c
		ss -Htan dst "$1" | awk '{print $1}' | sort | uniq -c
		# an abort of our own making is maxconn's fault: no remake
		[ -z "$aborts" ] || mc_fail "TIME_WAIT setup: a connection of $1 was aborted by a close"
		for p in $missing; do
			"$MAXCONN" client -c 127.0.0.1:9000 -s "$1" --port-range "$p-$p" -n 1 \
				--hold 0 --json -q >"$MC_TMP/tw.json"
			mc_eq "TIME_WAIT setup: port $p made again" 1 "$(jq .established "$MC_TMP/tw.json")"
		done
	done
	mc_eq "ports of $1 in TIME_WAIT (ss)" $n "$(ss -Htn state time-wait src "$1" | wc -l)"
}
mc_time_wait 127.0.0.4 40000 40019
mc_server other "$MAXCONN" server --listen 127.0.0.4:40050-40054
other=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.4 --port-range 40000-40099 -n 100 --force \
	--hold 0 --json -q >"$c"
mc_eq "skips: exit code (the rest of the range: a host limit)" 3 $?
mc_eq "skips: established (100 less 5 bound)" 95 "$(jq .established "$c")"
mc_eq "skips: ports skipped, bound by another program" 5 "$(jq .ports.skipped_bound "$c")"
mc_eq "skips: ports skipped, 4-tuple taken" 0 "$(jq .ports.skipped_tuple "$c")"
mc_eq "skips: EADDRNOTAVAIL once the range is used" 5 "$(jq '.failures.EADDRNOTAVAIL' "$c")"
mc_eq "skips: no timeouts" null "$(jq '.failures.ETIMEDOUT' "$c")"
mc_eq "skips: no other failure" 5 "$(jq .failed "$c")"
mc_stop $other
# without timestamps the kernel refuses a TIME_WAIT 4-tuple: skipped, counted
sysctl -qw net.ipv4.tcp_timestamps=0
mc_time_wait 127.0.0.7 40200 40219
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.7 --port-range 40200-40299 -n 100 --force \
	--hold 0 --json -q >"$c"
mc_eq "TIME_WAIT: exit code" 3 $?
mc_eq "TIME_WAIT: established (100 less 20 in TIME_WAIT)" 80 "$(jq .established "$c")"
mc_eq "TIME_WAIT: ports skipped, 4-tuple taken" 20 "$(jq .ports.skipped_tuple "$c")"
mc_eq "TIME_WAIT: EADDRNOTAVAIL once the range is used" 20 "$(jq '.failures.EADDRNOTAVAIL' "$c")"
mc_eq "TIME_WAIT: no timeouts" null "$(jq '.failures.ETIMEDOUT' "$c")"
sysctl -qw net.ipv4.tcp_timestamps=1

# two clients at once on one pair and one range: each skips the ports the
# other holds (the kernel refuses the taken 4-tuple), so together they hold
# the range exactly; with a slice each, neither meets the other
sysctl -qw net.ipv4.tcp_timestamps=1
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.8 --port-range 40300-40599 -n 300 --force \
	--hold 1s --json -q >"$MC_TMP/a.json"
a=$MC_LAST
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.8 --port-range 40300-40599 -n 300 --force \
	--hold 1s --json -q >"$MC_TMP/b.json"
b=$MC_LAST
wait $a $b
both=$(jq -s 'map(.established) | add' "$MC_TMP/a.json" "$MC_TMP/b.json")
mc_eq "two clients on one range: together they hold it exactly" 300 "$both"
mc_eq "two clients on one range: the rest EADDRNOTAVAIL" 300 \
	"$(jq -s 'map(.failures.EADDRNOTAVAIL // 0) | add' "$MC_TMP/a.json" "$MC_TMP/b.json")"
mc_eq "two clients on one range: no timeouts" 0 \
	"$(jq -s 'map(.failures.ETIMEDOUT // 0) | add' "$MC_TMP/a.json" "$MC_TMP/b.json")"
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.9 --port-range 40600-40749 -n 150 \
	--hold 1s --json -q >"$MC_TMP/a.json"
a=$MC_LAST
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.9 --port-range 40750-40899 -n 150 \
	--hold 1s --json -q >"$MC_TMP/b.json"
b=$MC_LAST
wait $a $b
mc_eq "two clients, a slice each: all established" 300 \
	"$(jq -s 'map(.established) | add' "$MC_TMP/a.json" "$MC_TMP/b.json")"
mc_eq "two clients, a slice each: nothing skipped" 0 \
	"$(jq -s 'map(.ports.skipped_tuple + .ports.skipped_bound) | add' "$MC_TMP/a.json" "$MC_TMP/b.json")"

# reserved ports are left out of the walk
sysctl -qw net.ipv4.ip_local_reserved_ports="40100-40109,40150"
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.5 --port-range 40100-40199 -n 100 --force \
	--hold 0 --json -q >"$c"
mc_eq "reserved: established (100 less 11 reserved)" 89 "$(jq .established "$c")"
mc_eq "reserved: counted" 11 "$(jq .ports.reserved "$c")"
mc_eq "reserved: per pair" 89 "$(jq .ports.per_pair "$c")"
mc_eq "reserved: none skipped at run time" 0 "$(jq '.ports.skipped_bound + .ports.skipped_tuple' "$c")"
sysctl -qw net.ipv4.ip_local_reserved_ports=""

# the default range on one pair: exactly 28,232, no timeouts
sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.6 -n 28300 --force --json -q >"$c"
cli=$MC_LAST
for i in $(seq 300); do
	[ "$(ss -Htn state established src 127.0.0.6 | wc -l)" -ge 28232 ] && break
	sleep 0.1
done
mc_eq "default range: established on one pair (ss)" 28232 "$(ss -Htn state established src 127.0.0.6 | wc -l)"
kill -INT $cli; wait $cli
mc_eq "default range: exit code (a host limit)" 3 $?
mc_eq "default range: established" 28232 "$(jq .established "$c")"
mc_eq "default range: held" 28232 "$(jq .held "$c")"
mc_eq "default range: EADDRNOTAVAIL" 68 "$(jq '.failures.EADDRNOTAVAIL' "$c")"
mc_eq "default range: no timeouts" null "$(jq '.failures.ETIMEDOUT' "$c")"
mc_eq "default range: private fd tables" true "$(jq .private_fd_tables "$c")"
mc_eq "default range: attempted = established + failed + in flight" "$(jq .attempted "$c")" \
	"$(jq '.established + .failed + .in_flight' "$c")"

mc_stop $srv
