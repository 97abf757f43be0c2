#!/bin/bash
# test_nginx_proxy.sh: the seeds' open question, measured (issue 21): can a
# reverse proxy reach one backend ip:port from more than its one range of
# ports? Three network namespaces made here: this one is the client (10
# source addresses), a middle one runs Debian's nginx (stream proxy, its
# own config and pid file in the test's directory, never a host service)
# with ip_local_port_range 40000-40999, and a server one holds `maxconn
# server` at 10.22.2.2:9000. The probe (--target-addr at nginx,
# --proxy-log its error log, --server-pid the backend: its own count, as
# the client's held count runs ahead by connections nginx accepted and is
# about to close: 2,114 once) stops at 1,000 within 1%, names
# middlebox_ports and quotes nginx's own "(99: Cannot assign requested
# address) while connecting to upstream"; `limits --via proxy` in the
# middle namespace predicts the same 1,000. Then nginx again with
# proxy_bind over two source addresses (a map on the client's address: the
# client spreads its connections evenly over its 10 sources, so each proxy
# address gets half and both fill together; split_clients hashes, and one
# address filled while the other had room: 1,700): 2,000, twice the
# ceiling, and `limits --via proxy:A,B` says 2,000. Every process stopped by PID, the namespaces
# deleted.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq ip
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || mc_skip tool nginx "nginx not installed (scripts/test installs nginx libnginx-mod-stream)"
STREAM=/usr/lib/nginx/modules/ngx_stream_module.so
[ -f "$STREAM" ] || mc_skip package libnginx-mod-stream "nginx's stream module not installed (libnginx-mod-stream)"
X=mc22x-$$
S=mc22s-$$
mc_named_netns "$X" "$S"
ip link add c0 type veth peer name x0 netns "$X"
ip -n "$X" link add x1 type veth peer name s0 netns "$S"
ip addr add 10.22.1.2/24 dev c0
for i in $(seq 10 19); do ip addr add "10.22.1.$i/24" dev c0; done
ip link set c0 up
ip -n "$X" addr add 10.22.1.1/24 dev x0
ip -n "$X" addr add 10.22.2.1/24 dev x1
ip -n "$X" addr add 10.22.2.3/24 dev x1
ip -n "$X" addr add 10.22.2.4/24 dev x1
for l in lo x0 x1; do ip -n "$X" link set "$l" up; done
ip netns exec "$X" sysctl -qw net.ipv4.ip_local_port_range="40000 40999"
ip -n "$S" addr add 10.22.2.2/24 dev s0
for l in lo s0; do ip -n "$S" link set "$l" up; done

mc_server srv ip netns exec "$S" "$MAXCONN" server --listen 10.22.2.2:9000

# nginx_run NAME [BIND]: nginx in the middle namespace (its listen backlog
# the namespace's somaxconn, and the probes at 2,000 connects/s: with
# nginx's own 511 a busy host overflowed it, and the SYN cookies let the
# client count connections nginx had not accepted), a stream proxy to
# the server; with BIND, proxy_bind over 10.22.2.3 (clients from even
# addresses) and 10.22.2.4 (odd): not 10.22.2.1, whose ports toward the
# server the first run's closed connections still held (binding it again
# reached 1,680 and 1,700, not 2,000)
nginx_run() {
	local d=$MC_TMP/$1 split="" bind=""
	mkdir -p "$d"
	if [ -n "${2:-}" ]; then
		# nginx's variables, literally (SC2016)
		# shellcheck disable=SC2016
		split='map $remote_addr $src { ~[02468]$ 10.22.2.3; default 10.22.2.4; }'
		# shellcheck disable=SC2016
		bind='proxy_bind $src;'
	fi
	cat >"$d/nginx.conf" <<CONF
load_module $STREAM;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
stream {
	$split
	server {
		listen 10.22.1.1:8000 backlog=4096;
		proxy_pass 10.22.2.2:9000;
		proxy_connect_timeout 3s;
		$bind
	}
}
CONF
	: >"$d/error.log"
	mc_bg ip netns exec "$X" "$NGINX" -e "$d/error.log" -p "$d" -c "$d/nginx.conf"
	NGX=$MC_LAST
	for _ in $(seq 50); do
		ip netns exec "$X" ss -Htln "sport = :8000" | grep -q . && return 0
		sleep 0.1
	done
	mc_fail "nginx did not listen (see $d/error.log: $(tail -2 "$d/error.log"))"
}

lim="$MC_TMP/l.json"
ip netns exec "$X" "$MAXCONN" limits --via proxy --connect 10.22.2.2:9000 --json >"$lim"
pred=$(jq '.limits[]|select(.id=="middlebox_ports").connections' "$lim")
mc_eq "limits in the proxy's namespace: its range" 1000 "$pred"

nginx_run one
p="$MC_TMP/p1.json"
timeout 60 "$MAXCONN" probe -q --target-addr 10.22.1.1:8000 --source 10.22.1.10-10.22.1.19 --rate 2000 \
	--target 1500 --server-pid "$MC_SRV" --proxy-log "$MC_TMP/one/error.log" --json "$p" >"$MC_TMP/p1.out" 2>&1
mc_eq "probe exit code: a limit" 3 $?
mc_eq "probe names the proxy's upstream ports" '"middlebox_ports"' "$(jq .result.limit "$p")"
mc_between "reached within 1% of $pred" $((pred * 99 / 100)) $((pred * 101 / 100)) \
	"$(jq .result.reached "$p")"
mc_eq "quotes nginx's own line" true "$(jq '.result.happened|test("\\(99: Cannot assign requested address\\) while connecting to upstream")' "$p")"
grep -q "(99: Cannot assign requested address) while connecting to upstream" "$MC_TMP/one/error.log" ||
	mc_fail "nginx's error log lacks the line the probe quoted"
mc_stop "$NGX"

ip netns exec "$X" "$MAXCONN" limits --via proxy:10.22.2.3,10.22.2.4 --connect 10.22.2.2:9000 \
	--json >"$lim"
mc_eq "limits with two proxy addresses" 2000 \
	"$(jq '.limits[]|select(.id=="middlebox_ports").connections' "$lim")"
nginx_run two bind
p="$MC_TMP/p2.json"
timeout 60 "$MAXCONN" probe -q --target-addr 10.22.1.1:8000 --source 10.22.1.10-10.22.1.19 --rate 2000 \
	--target 2500 --server-pid "$MC_SRV" --proxy-log "$MC_TMP/two/error.log" --json "$p" >"$MC_TMP/p2.out" 2>&1
mc_eq "probe exit code: a limit again" 3 $?
mc_between "proxy_bind over two addresses: 2,000 within 1%" 1980 2020 "$(jq .result.reached "$p")"
mc_eq "named the same way" '"middlebox_ports"' "$(jq .result.limit "$p")"
mc_stop "$NGX"
mc_stop "$MC_SRV"
