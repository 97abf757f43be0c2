#!/bin/bash
# test_hosts.sh: maxconn across hosts, on one machine. Three network
# namespaces, server, client1 and client2, hang on a bridge with addresses
# in 10.77.0.0/24 (real neighbour tables and routing, no loopback between
# them). In the server namespace: Debian's node_exporter and a maxconn
# server with --metrics. In the client namespaces: `maxconn client --shard
# 1/2` and `--shard 2/2`, each given the same --source list (four
# addresses on each client's interface) and binding its own slice of it.
# A real Prometheus (Debian's), started here with a generated config in this
# test's temp dir, scrapes all four. Then:
#   - Prometheus' HTTP API: every target up with no scrape error;
#     sum(held) over the shards = N; the server's held = N;
#     node_sockstat_TCP_inuse in the server namespace = N + listeners +
#     scrape connections, and ss there agrees; no 4-tuple twice;
#   - promtool check metrics on a page fetched from the server and a client;
#   - `maxconn probe --target-addr` from client1 with --server-metrics at the
#     server namespace's node_exporter reports its socket count as ss there
#     counts it, and its kernel bytes per socket;
#   - a server-side limit met across hosts (a server with 1100 fds) is named
#     from the server host's evidence (its --metrics), and without
#     --server-metrics the probe says the server host is unknown.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/netns-hosts.sh"
mc_netns
mc_need jq curl prometheus prometheus-node-exporter promtool # scripts/test installs them
PROM=$(command -v prometheus)
NODE=$(command -v prometheus-node-exporter)
PROMTOOL=$(command -v promtool)

N=20000
SRV=mc13s$$ C1=mc13a$$ C2=mc13b$$
NSS="$SRV $C1 $C2"
hosts_cleanup() {
	mc_cleanup
	netns_hosts_down $NSS
}
trap hosts_cleanup EXIT

# the hub (this test's own namespace) holds the bridge and Prometheus
netns_hosts_up 24 "$SRV=10.77.0.1" "$C1=10.77.0.11,10.77.0.12,10.77.0.13,10.77.0.14,10.77.0.15" \
	"$C2=10.77.0.21,10.77.0.22,10.77.0.23,10.77.0.24,10.77.0.25" || mc_fail "cannot make the hosts"
ip addr add 10.77.0.100/24 dev br0

IN() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# the server host: node_exporter (slabinfo on: kernel bytes per socket by
# slab cache) and a maxconn server with --metrics
mc_bg ip netns exec "$SRV" "$NODE" --web.listen-address=10.77.0.1:9100 --collector.slabinfo \
	--no-collector.textfile
NODE_PID=$MC_LAST
mc_server srv ip netns exec "$SRV" "$MAXCONN" server --listen 10.77.0.1:9000-9001 \
	--metrics 10.77.0.1:9464
SRV_PID=$MC_SRV
for _ in $(seq 50); do curl -sf http://10.77.0.1:9100/metrics >/dev/null && break; sleep 0.1; done
curl -sf http://10.77.0.1:9100/metrics | grep -q '^node_sockstat_TCP_inuse' ||
	mc_fail "node_exporter did not serve node_sockstat_TCP_inuse"

# the clients: the same command on both hosts but the shard
SOURCES=(-s 10.77.0.12-10.77.0.15 -s 10.77.0.22-10.77.0.25)
mc_bg ip netns exec "$C1" "$MAXCONN" client -c 10.77.0.1:9000-9001 "${SOURCES[@]}" -n $N \
	--shard 1/2 --metrics 10.77.0.11:9464 --json -q >"$MC_TMP/c1.json"
CL1=$MC_LAST
mc_bg ip netns exec "$C2" "$MAXCONN" client -c 10.77.0.1:9000-9001 "${SOURCES[@]}" -n $N \
	--shard 2/2 --metrics 10.77.0.21:9464 --json -q >"$MC_TMP/c2.json"
CL2=$MC_LAST

# Prometheus, scraping the four every second
mkdir -p "$MC_TMP/prom"
cat >"$MC_TMP/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['10.77.0.1:9100']}]
  - job_name: maxconn-server
    static_configs: [{targets: ['10.77.0.1:9464']}]
  - job_name: maxconn-client
    static_configs: [{targets: ['10.77.0.11:9464', '10.77.0.21:9464']}]
YML
"$PROMTOOL" check config "$MC_TMP/prom/prometheus.yml" >/dev/null || mc_fail "promtool rejects the generated config"
mc_bg "$PROM" --config.file="$MC_TMP/prom/prometheus.yml" --storage.tsdb.path="$MC_TMP/prom/data" \
	--web.listen-address=10.77.0.100:9090 --log.level=warn
PROM_PID=$MC_LAST
API=http://10.77.0.100:9090/api/v1
# q EXPR: the value of an instant query (the sum of the result's samples), "" when none
q() { curl -sf --get "$API/query" --data-urlencode "query=$1" | jq -r '[.data.result[].value[1]|tonumber]|add // empty'; }
# wait_q EXPR VALUE SECONDS: until the query says VALUE
wait_q() {
	local i
	for (( i = 0; i < $3 * 2; i++ )); do
		[ "$(q "$1")" = "$2" ] && return 0
		sleep 0.5
	done
	return 1
}

# every target up, scraped without error
wait_q 'sum(up)' 4 60 || mc_fail "not every target is up: $(curl -s "$API/targets" | jq -c '[.data.activeTargets[]|{scrapeUrl,health,lastError}]')"
wait_q 'sum(maxconn_client_connections_held)' $N 60
mc_eq "Prometheus: sum(held) over the shards" $N "$(q 'sum(maxconn_client_connections_held)')"
mc_eq "Prometheus: shards reporting" 2 "$(q 'count(maxconn_run_info{role="client"})')"
mc_eq "Prometheus: shard 1/2 held its share" $((N / 2)) \
	"$(q 'maxconn_client_connections_held * on(instance) group_left(shard) maxconn_run_info{shard="1/2"}')"
wait_q 'maxconn_server_connections_held' $N 10
mc_eq "Prometheus: the server's held" $N "$(q 'maxconn_server_connections_held')"
mc_eq "Prometheus: connects failed, all causes" 0 "$(q 'sum(maxconn_client_connects_failed_total)')"
mc_eq "Prometheus: connect latency histogram count" $N \
	"$(q 'sum(maxconn_client_connect_duration_seconds_count)')"
sleep 2 # two more scrapes with every connection up
errs=$(curl -sf "$API/targets" | jq '[.data.activeTargets[]|select(.lastError != "")]|length')
mc_eq "Prometheus: targets with a scrape error" 0 "$errs"
# sockets in the server namespace: node_exporter's view (as Prometheus got it)
# against ss's, at the same moment: the listeners, the N held connections and
# Prometheus' keep-alive scrape connections to node_exporter and the server
inuse=$(q 'node_sockstat_TCP_inuse')
listeners=$(IN "$SRV" ss -Htln | wc -l)
scrapes=$(IN "$SRV" ss -Htn state established '( sport = :9100 or sport = :9464 )' | wc -l)
held=$(IN "$SRV" ss -Htn state established '( sport >= :9000 and sport <= :9001 )' | wc -l)
echo "server namespace: node_sockstat_TCP_inuse=$inuse, ss: $listeners listeners, $held held, $scrapes scrape connections"
mc_eq "ss: connections held in the server namespace" $N "$held"
mc_eq "ss: distinct 4-tuples there" $N \
	"$(IN "$SRV" ss -Htn state established '( sport >= :9000 and sport <= :9001 )' | awk '{print $3, $4}' | sort -u | wc -l)"
mc_eq "listeners: 2 of the server, its --metrics, node_exporter" 4 "$listeners"
mc_eq "node_sockstat_TCP_inuse = N + listeners + scrape connections" $((N + listeners + scrapes)) "$inuse"
mc_eq "ss: TCP sockets in the server namespace (no TIME_WAIT)" "$inuse" \
	"$(IN "$SRV" ss -Htan exclude time-wait | wc -l)"
# each shard bound only its slice of the sources (4 addresses of its host)
mc_eq "client1's sources" "10.77.0.12 10.77.0.13 10.77.0.14 10.77.0.15" \
	"$(IN "$C1" ss -Htn state established '( dport >= :9000 and dport <= :9001 )' | awk '{sub(/:[0-9]+$/, "", $3); print $3}' | sort -u | xargs)"
mc_eq "client2's sources" "10.77.0.22 10.77.0.23 10.77.0.24 10.77.0.25" \
	"$(IN "$C2" ss -Htn state established '( dport >= :9000 and dport <= :9001 )' | awk '{sub(/:[0-9]+$/, "", $3); print $3}' | sort -u | xargs)"

# the exposition format, checked by Prometheus' own linter
for url in http://10.77.0.1:9464/metrics http://10.77.0.11:9464/metrics; do
	curl -sf "$url" >"$MC_TMP/page" || mc_fail "fetching $url"
	"$PROMTOOL" check metrics <"$MC_TMP/page" || mc_fail "promtool check metrics $url: $(
		"$PROMTOOL" check metrics <"$MC_TMP/page" 2>&1 | head -5)"
	echo "ok: promtool check metrics $url ($(grep -vc '^#' "$MC_TMP/page") samples)"
done

# Prometheus is done: stop it, so only the probe's own scrapes come and go
kill -TERM "$PROM_PID"; wait "$PROM_PID" 2>/dev/null

# the probe from client1, with the server host's node_exporter: while it
# holds its connections, ss in the server namespace counts the sockets it
# reported (plus the connection of its own scrape, open on the server side
# while node_exporter read sockstat)
mc_bg ip netns exec "$C1" "$MAXCONN" probe -q --target-addr 10.77.0.1:9001 --target 5000 \
	--hold 8s --server-metrics http://10.77.0.1:9100/metrics --json "$MC_TMP/p.json" \
	--html "$MC_TMP/p.html"
PROBE=$MC_LAST
for _ in $(seq 600); do # 60 s: a busy host ramps slowly
	[ "$(IN "$SRV" ss -Htn state established '( sport = :9001 )' | wc -l)" -ge $((N / 2 + 5000)) ] && break
	sleep 0.1
done
sleep 2 # inside its hold: nothing moves until its last reading at the end

ss_now=$(IN "$SRV" ss -Htan exclude time-wait | wc -l)
wait "$PROBE"; rc=$?
j="$MC_TMP/p.json"
jq .server_host "$j"
mc_eq "probe exit code (target reached)" 0 $rc
mc_eq "probe: the server host is known" true "$(jq .server_host.known "$j")"
mc_eq "probe: the server host's source" '"node_exporter"' "$(jq .server_host.source "$j")"
mc_between "probe: server host sockets = ss there (+ its own scrape)" "$ss_now" $((ss_now + 1)) \
	"$(jq '.server_host.sockets|floor' "$j")"
mc_eq "probe: sockets it added there" 5000 "$(jq '.server_host.sockets - .server_host.sockets_before|floor' "$j")"
jq -r .server_host.kernel_bytes_method "$j" | grep -q slabinfo ||
	mc_fail "probe: kernel bytes per socket not from slabinfo: $(jq .server_host.kernel_bytes_method "$j")"
# against this kernel's own figures: O, one object of each socket cache at
# the object sizes node_exporter reports (slabinfo's objsize column, read
# here: the "server host" is a namespace of this kernel). Said as one
# object of each (other work moved the caches): O. From the caches' growth
# over the sockets added there: the client's ends live in this kernel too,
# so about 2 O; from O (other work freed half the probe's growth meanwhile)
# to 3 O (the most the probe takes for growth)
O=$(mc_slab_socket_bytes objsize)
kps=$(jq '.server_host.kernel_bytes_per_socket|floor' "$j")
echo "O = $O B (slabinfo objsize); the probe's: $kps, $(jq .server_host.kernel_bytes_method "$j")"
if jq -r .server_host.kernel_bytes_method "$j" | grep -q "one object"; then
	mc_between "probe: kernel bytes per socket there: O" $((O - 8)) $((O + 8)) "$kps"
else
	mc_between "probe: kernel bytes per socket there: O .. 3 O (both ends: ~2 O)" "$O" $((3 * O)) "$kps"
fi
mc_ge "probe: server host memory available" 1 "$(jq '.server_host.mem_available|floor' "$j")"
mc_ge "probe: projection on the server host" 1 "$(jq '.server_host.more_conns|floor' "$j")"
# the HTML page shows the same server host: its source and the sockets added
grep -q '<tr><th>from</th><td>node_exporter</td>' "$MC_TMP/p.html" ||
	mc_fail "the HTML page has no server host table"
before=$(jq '.server_host.sockets_before|floor' "$j") top=$(jq '.server_host.sockets|floor' "$j")
grep -q "<tr><th>TCP sockets in use there at the top</th><td class=\"n\">$top</td>" "$MC_TMP/p.html" ||
	mc_fail "the HTML page's server host sockets are not the JSON's $top"
echo "ok: the HTML page has the server host table ($before before, $top at the top)"

# a server-side limit across hosts: a second server with 1100 fds in one
# table refuses past ~1090; the probe names it from the server's --metrics
mc_server lim ip netns exec "$SRV" prlimit --nofile=1100:1100 "$MAXCONN" server \
	--listen 10.77.0.1:9200 --workers 1 --metrics 10.77.0.1:9465
IN "$C1" timeout 120 "$MAXCONN" probe -q --target-addr 10.77.0.1:9200 --target 3000 \
	--server-metrics http://10.77.0.1:9465/metrics --server-metrics http://10.77.0.1:9100/metrics \
	--json "$MC_TMP/lim.json" >"$MC_TMP/lim.out"
rc=$?
cat "$MC_TMP/lim.out"
j="$MC_TMP/lim.json"
mc_eq "limit probe: exit code (a limit)" 3 $rc
mc_eq "limit probe: the limit, from the server host" '"fd_process"' "$(jq .result.limit "$j")"
jq -r .result.limit_name "$j" | grep -q server || mc_fail "limit probe: the limit's name does not say server: $(jq .result.limit_name "$j")"
mc_between "limit probe: reached (1100 fds less a few)" 1000 1100 "$(jq .result.reached "$j")"
mc_ge "limit probe: refusals seen on the server host" 1 \
	"$(jq '[.steps[-1].evidence[]|select(.what == "server host: refused fd_limit").value]|add // 0' "$j")"
mc_eq "limit probe: the source" '"node_exporter + maxconn server"' "$(jq .server_host.source "$j")"
grep -q "^Server host (from node_exporter + maxconn server)" "$MC_TMP/lim.out" || mc_fail "no server host section"
# the same without --server-metrics: the server's own limit, unknown which,
# and the server host unknown, said plainly
IN "$C1" timeout 120 "$MAXCONN" probe -q --target-addr 10.77.0.1:9200 --target 3000 \
	--json "$MC_TMP/blind.json" >"$MC_TMP/blind.out"
mc_eq "blind probe: the limit (the server's own, unnamed)" '"server"' "$(jq .result.limit "$MC_TMP/blind.json")"
mc_eq "blind probe: the server host unknown" false "$(jq .server_host.known "$MC_TMP/blind.json")"
grep -q "unknown    no --server-metrics" "$MC_TMP/blind.out" || mc_fail "the blind probe does not say the server host is unknown"
echo "ok: without --server-metrics: $(grep -m1 'unknown ' "$MC_TMP/blind.out" | sed 's/^ *//')"

# the shards' summaries say which shard they are, and their share
mc_stop "$CL1"; mc_stop "$CL2"
mc_eq "client1's summary: shard" '"1/2"' "$(jq .shard "$MC_TMP/c1.json")"
mc_eq "client2's summary: shard" '"2/2"' "$(jq .shard "$MC_TMP/c2.json")"
mc_eq "shares sum to N" $N "$(( $(jq .requested "$MC_TMP/c1.json") + $(jq .requested "$MC_TMP/c2.json") ))"
mc_ge "client1 was scraped" 2 "$(jq .metrics.scrapes "$MC_TMP/c1.json")"
mc_stop "$SRV_PID"
kill -TERM "$NODE_PID"
