#!/bin/bash
# test_probe_nginx.sh: a probe against a real third-party server, Debian's
# nginx, run in this test's private namespace with one worker process and
# worker_connections 1024. Its ceiling is its own: 1024 connection slots,
# one taken by the listening socket, so 1023 idle clients; past that nginx
# logs "worker_connections are not enough, reusing connections" and closes
# idle ones (up to 32 at a time) to serve the new ones, so the count held
# hovers just under 1023 while connections are lost. The
# probe must stop there, say the server closed them, and give nginx's
# memory per connection (RSS of the master and its worker) and fd limit.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || mc_skip tool nginx "nginx not installed (scripts/deps nginx)"

mkdir -p "$MC_TMP/ngx"
cat >"$MC_TMP/ngx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $MC_TMP/ngx/nginx.pid;
error_log $MC_TMP/ngx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_header_timeout 300s;
	client_body_temp_path $MC_TMP/ngx/body;
	proxy_temp_path $MC_TMP/ngx/proxy;
	fastcgi_temp_path $MC_TMP/ngx/fastcgi;
	uwsgi_temp_path $MC_TMP/ngx/uwsgi;
	scgi_temp_path $MC_TMP/ngx/scgi;
	server { listen 127.0.0.1:8080; return 200 "ok\n"; }
}
CONF
mc_bg "$NGINX" -e "$MC_TMP/ngx/error.log" -p "$MC_TMP/ngx" -c "$MC_TMP/ngx/nginx.conf"
ngx=$MC_LAST
for _ in $(seq 50); do
	ss -Htln "sport = :8080" | grep -q . && break
	sleep 0.1
done
ss -Htln "sport = :8080" | grep -q . || mc_fail "nginx did not listen: $(cat "$MC_TMP/ngx/error.log")"

# nginx's resident bytes read here (its master and workers, /proc/PID/status
# VmRSS), before the probe and at most while it ramps (sampled every 50 ms):
# the probe's user bytes per connection are measured against this
ngx_rss() {
	local p n=0
	for p in "$ngx" $(cat /proc/"$ngx"/task/*/children 2>/dev/null); do
		n=$((n + $(awk '/^VmRSS:/ { print $2 * 1024 }' /proc/"$p"/status 2>/dev/null || echo 0)))
	done
	echo $n
}
rss0=$(ngx_rss)
(
	max=0
	while :; do
		r=$(ngx_rss)
		[ "$r" -gt "$max" ] && max=$r && echo $max >"$MC_TMP/rss.max"
		sleep 0.05
	done
) &
sampler=$!
MC_PIDS="$MC_PIDS $sampler"
timeout 120 "$MAXCONN" probe -q --target-addr 127.0.0.1:8080 --server-pid "$ngx" --target 3000 \
	--json "$MC_TMP/p.json" >"$MC_TMP/out"
rc=$?
kill "$sampler"; wait "$sampler" 2>/dev/null
cat "$MC_TMP/out"
j="$MC_TMP/p.json"
mc_eq "exit code (a limit stopped it)" 3 $rc
mc_eq "limit: the server's own" '"server"' "$(jq .result.limit "$j")"
mc_between "reached: nginx's 1024 slots less its listener" 900 1023 "$(jq .result.reached "$j")"
mc_eq "reached is counted in nginx's own sockets" '"server_sockets"' "$(jq .steps[0].reached_from "$j")"
# the client's count, once it settled (no connect in flight, no new loss)
mc_between "the client held" 900 1023 "$(jq .steps[0].client_held "$j")"
mc_eq "the server's name" '"nginx"' "$(jq .server_name "$j")"
mc_eq "the server's pid" "$ngx" "$(jq .server_pid "$j")"
mc_eq "the server's fd limit" "$(ulimit -n)" "$(jq .server_fd_limit "$j")"
# nginx keeps a connection structure and read/write events per connection
# (~500 B on 64-bit) plus its buffers: against its RSS growth read here
# (the most it held while the probe ramped, less before, per connection
# reached). The probe reads it at the ramp's top, this test a little later
# at most: the same growth, give or take a few pages (+-16 KiB) and a half
# for what nginx allocates or frees between the two readings
reached=$(jq .result.reached "$j")
grew=$(( $(cat "$MC_TMP/rss.max" 2>/dev/null || echo "$rss0") - rss0 ))
own=$(( grew / reached ))
echo "nginx's RSS grew $grew B while the probe ramped: $own B per connection (read here)"
mc_ge "nginx grew while it held connections" $((100 * reached)) "$grew"
mc_between "nginx user bytes per connection: its RSS growth read here ($own)" \
	$(( (grew / 2 - 16384) / reached )) $(( (grew * 3 / 2 + 16384) / reached )) \
	"$(jq '.memory.user_bytes_per_conn.server|floor' "$j")"
mc_ge "connections nginx closed (client lost)" 64 \
	"$(jq '[.steps[0].evidence[]|select(.what|startswith("client lost")).value]|add' "$j")"
grep -q "worker_connections are not enough" "$MC_TMP/ngx/error.log" ||
	mc_fail "nginx did not log running out of worker_connections"
echo "ok: nginx's error.log: $(grep -m1 -o '[0-9]* worker_connections are not enough' "$MC_TMP/ngx/error.log")"
