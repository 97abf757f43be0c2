#!/bin/bash
# test_metrics.sh: --metrics on one host (a private namespace's loopback):
# the server's and client's pages carry the figures their summaries do
# (held, accepted, bytes, messages, round trips), Prometheus' linter takes
# them, other paths are 404, a scrape comes with keep-alive, the probe
# serves its run while it runs, and a bad or busy --metrics address is
# refused with its fix before anything starts.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq curl
mc_need promtool # package prometheus
PROMTOOL=$(command -v promtool)

# m URL NAME [LABEL VALUE]: the sum of a family's samples on a page
m() {
	curl -sf "$1" | awk -v n="$2" -v l="${3:+$3=\"$4\"}" '
		{name = $1; sub(/\{.*/, "", name)}
		name == n && (l == "" || index($1, l)) {s += $NF; k++}
		END {if (k) printf "%.0f\n", s; else print "none"}'
}

mc_server srv "$MAXCONN" server --listen 127.0.0.1:9000 --mode echo --metrics 127.0.0.1:9464
S=http://127.0.0.1:9464/metrics
# its figures come with its first publish, a second after its start
# (test_metrics_edges: before it, they are absent)
first_pub=0
for _ in $(seq 50); do
	first_pub=$((first_pub + 1))
	[ "$(m $S maxconn_metrics_publishes_total)" != 0 ] && break
	sleep 0.1
done
mc_eq "before any connection: held" 0 "$(m $S maxconn_server_connections_held)"
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -n 1000 --echo-verify 16 --every 100ms \
	--metrics 127.0.0.1:9465 --json -q >"$MC_TMP/c.json"
CL=$MC_LAST
C=http://127.0.0.1:9465/metrics
mc_wait_established 'dport = :9000' 1000 10
# the histograms ride the workers' once-a-second publish, then the tick's:
# up to two seconds behind (more on a busy host)
polls=0
for _ in $(seq 100); do
	polls=$((polls + 1))
	[ "$(m $C maxconn_client_connect_duration_seconds_count)" = 1000 ] && break
	sleep 0.1
done
mc_eq "server page: held" 1000 "$(m $S maxconn_server_connections_held)"
mc_eq "server page: accepted" 1000 "$(m $S maxconn_server_connections_accepted_total)"
mc_eq "server page: refused at the fd limit" 0 \
	"$(m $S maxconn_server_connections_refused_total cause fd_limit)"
mc_eq "client page: held" 1000 "$(m $C maxconn_client_connections_held)"
mc_eq "client page: requested" 1000 "$(m $C maxconn_client_connections_requested)"
mc_eq "client page: connect latency samples" 1000 "$(m $C maxconn_client_connect_duration_seconds_count)"
mc_eq "client page: run_info without --shard" 1 "$(m $C maxconn_run_info shard 1/1)"
mc_ge "client page: round trips counted (echo every 100 ms)" 2000 \
	"$(m $C maxconn_client_round_trip_seconds_count)"
mc_ge "server page: bytes received" 32000 "$(m $S maxconn_server_received_bytes_total)"
# every page counts the snapshots published so far (about one a second):
# what probe --server-metrics waits on for figures newer than its stop
p1=$(m $S maxconn_metrics_publishes_total)
mc_ge "server page: snapshots published" 1 "$p1"
pub_scrapes=1
for _ in $(seq 50); do
	pub_scrapes=$((pub_scrapes + 1))
	p2=$(m $S maxconn_metrics_publishes_total)
	[ "$p2" -gt "$p1" ] && break
	sleep 0.1
done
mc_ge "server page: a publish within 5 s" $((p1 + 1)) "$p2"
# sockets here: 2 a connection, the listener and the two --metrics
# listeners; the page sees its own scrape's two ends too
mc_eq "sockstat: sockets in use" 2003 "$(mc_sockstat_inuse)"
mc_eq "server page: the host's sockets (and the scrape's two)" 2005 "$(m $S maxconn_host_tcp_sockets_in_use)"
for u in $S $C; do
	curl -sf "$u" | "$PROMTOOL" check metrics || mc_fail "promtool check metrics $u"
	echo "ok: promtool check metrics $u"
done
mc_eq "content type" "text/plain; version=0.0.4; charset=utf-8" \
	"$(curl -sf -o /dev/null -w '%{content_type}' $S)"
mc_eq "other paths: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9464/nope)"
mc_eq "POST: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST $S)"
# two scrapes on one keep-alive connection, as Prometheus does
mc_eq "keep-alive: one connection for two scrapes" 1 \
	"$(curl -sf -o /dev/null -o /dev/null -w '%{num_connects}\n' $S $S | awk '{s += $1} END {print s}')"

# a bad --metrics is a usage error; a busy port a runtime one, with the fix
"$MAXCONN" server --metrics nowhere -q 2>"$MC_TMP/err"; rc=$?
mc_eq "--metrics nowhere: usage error" 2 $rc
grep -q "use ADDR:PORT" "$MC_TMP/err" || mc_fail "no fix in: $(cat "$MC_TMP/err")"
"$MAXCONN" server --listen 127.0.0.1:9100 --metrics 127.0.0.1:9464 -q 2>"$MC_TMP/err"; rc=$?
mc_eq "--metrics on a busy port: runtime error" 1 $rc
grep -q "another program listens there" "$MC_TMP/err" || mc_fail "no cause in: $(cat "$MC_TMP/err")"
echo "ok: $(cat "$MC_TMP/err")"

# Ctrl-C: the summaries still come, with the scrapes counted
kill -INT "$CL"; wait "$CL"
# pages served, as fetched above (404s and POSTs are none)
mc_eq "client summary: scrapes counted" $((6 + polls)) "$(jq .metrics.scrapes "$MC_TMP/c.json")"
mc_eq "client summary: its endpoint" '"http://127.0.0.1:9465/metrics"' "$(jq .metrics.url "$MC_TMP/c.json")"
mc_stop "$MC_SRV"
mc_eq "server summary: scrapes counted" $((10 + pub_scrapes + first_pub)) "$(jq .metrics.scrapes "$MC_TMP/srv.json")"

# the probe serves its run while it runs
# (in namespaces of its own, a fresh one per step: the endpoint stays here)
mc_bg "$MAXCONN" probe -q --target 2000 --hold 5s --metrics 127.0.0.1:9466 --json "$MC_TMP/p.json"
P=$MC_LAST
for _ in $(seq 100); do # the server child publishes once a second
	[ "$(m http://127.0.0.1:9466/metrics maxconn_server_connections_held)" = 2000 ] && break
	sleep 0.1
done
mc_eq "probe page: its client's held" 2000 "$(m http://127.0.0.1:9466/metrics maxconn_client_connections_held)"
mc_eq "probe page: its server's held" 2000 "$(m http://127.0.0.1:9466/metrics maxconn_server_connections_held)"
mc_eq "probe page: the step" 1 "$(m http://127.0.0.1:9466/metrics maxconn_probe_step)"
mc_eq "probe page: run_info role" 1 "$(m http://127.0.0.1:9466/metrics maxconn_run_info role probe)"
curl -sf http://127.0.0.1:9466/metrics | "$PROMTOOL" check metrics || mc_fail "promtool check metrics (probe)"
wait "$P"
mc_eq "probe: target reached" '"target"' "$(jq .result.stop "$MC_TMP/p.json")"
