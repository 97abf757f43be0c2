#!/bin/bash
# test_limits_ports.sh: the ephemeral port ceiling predicted by `maxconn limits`
# is the one `maxconn client` meets. In a private network namespace the port
# range is set to 200 ports (40000-40199): limits must predict 200 per
# (source, destination) pair and name ephemeral_ports; the client asked for
# 500 must stop at exactly 200 established with 300 EADDRNOTAVAIL. With two
# source addresses both sides say 400.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
"$MAXCONN" client --help 2>&1 | grep -q -- --connect || mc_fail "this maxconn has no such option: a build older than the test"

echo "40000 40199" >/proc/sys/net/ipv4/ip_local_port_range
# The client closes first, so each run leaves its ports in TIME_WAIT, and
# tcp_tw_reuse only reuses them after 1 s: keep no TIME_WAIT sockets in this
# namespace so back-to-back runs start from a free range.
echo 0 >/proc/sys/net/ipv4/tcp_max_tw_buckets

j=$("$MAXCONN" limits --role client --sources 1 --dest-addrs 1 --dest-ports 1 --json)
mc_eq "predicted ceiling" 200 "$(echo "$j" | jq .summary.connections)"
mc_eq "predicted limit" '"ephemeral_ports"' "$(echo "$j" | jq .summary.binding)"
mc_eq "ports per pair" 200 "$(echo "$j" | jq .tuple.ports_per_pair)"
# client and server on this host: the client's ports still bind
mc_eq "predicted for --role both" 200 \
	"$("$MAXCONN" limits --role both --json | jq .summary.connections)"
# a server has no port ceiling however small the range
mc_eq "server port ceiling" null \
	"$("$MAXCONN" limits --json | jq '.limits[]|select(.id=="ephemeral_ports").connections')"

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000

timeout 60 "$MAXCONN" client --connect 127.0.0.1:9000 --conns 500 --force --hold 1s \
	--connect-timeout 5s --json -q >"$MC_TMP/c1.json"
rc=$?
mc_eq "client exit code (a host limit stopped it)" 3 $rc
mc_eq "established" 200 "$(jq .established "$MC_TMP/c1.json")"
mc_eq "EADDRNOTAVAIL" 300 "$(jq .failures.EADDRNOTAVAIL "$MC_TMP/c1.json")"
mc_eq "client names the limit limits predicted" '"ephemeral_ports"' "$(jq .limit "$MC_TMP/c1.json")"

# two source addresses: twice the pairs
j=$("$MAXCONN" limits --role client --sources 2 --json)
mc_eq "predicted with 2 sources" 400 "$(echo "$j" | jq .summary.connections)"
timeout 60 "$MAXCONN" client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.3 --conns 500 \
	--force --hold 1s --connect-timeout 5s --json -q >"$MC_TMP/c2.json"
mc_eq "established with 2 sources" 400 "$(jq .established "$MC_TMP/c2.json")"
mc_eq "EADDRNOTAVAIL with 2 sources" 100 "$(jq .failures.EADDRNOTAVAIL "$MC_TMP/c2.json")"

# the fix limits gives for --target 500 is a source range that suffices
fix=$("$MAXCONN" limits --role client --target 500 --json |
	jq -r '.changes[] | select(.limit == "ephemeral_ports") | .fix[0]')
src=$(echo "$fix" | sed -n 's/.*--source \([0-9.]*-[0-9.]*\).*/\1/p')
mc_eq "suggested sources" "127.0.0.1-127.0.0.3" "$src"
timeout 60 "$MAXCONN" client --connect 127.0.0.1:9000 --source "$src" --conns 500 --hold 1s \
	--connect-timeout 5s --json -q >"$MC_TMP/c3.json"
mc_eq "client with the suggested --source: exit code" 0 $?
mc_eq "established with the suggested --source" 500 "$(jq .established "$MC_TMP/c3.json")"
exit 0
