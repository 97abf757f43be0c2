#!/bin/bash
# test_probe_flood.sh: a flood of another listener does not change the
# probe's verdict (issue 22, row 1). `maxconn server -n 500` (its own limit:
# it accepts and closes the rest) with --metrics on a second port; another
# listener on this host (backlog 16, never accepting: the issue's flood hit
# the --metrics endpoint's backlog of 64, which now holds 1024 and turns a
# crowd away at once, so a listener that does overflow stands in for it);
# 1,500 connections flood it at 300/s and hold, so its accept queue
# overflows for the whole probe (the namespace's ListenOverflows grow by
# hundreds a second, with the retransmitted SYNs).
# `maxconn probe --target-addr` at the server's port must name the same
# limit with the flood as without it, and show that the server's own
# listener dropped nothing while the namespace counted the flood's drops.
# Twice: reading only this host, and with --server-metrics at the server
# host's exporter (node_exporter; without it, a second maxconn server's
# --metrics page, which carries the same host counters). The second is
# where it went wrong: the server host's ListenOverflows (every listener's
# there) grew between its two readings while the server ended 1,500
# connections, and the probe named accept_queue.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq curl nstat

mc_server srv "$MAXCONN" server -n 500 --listen 127.0.0.1:9000 --metrics 127.0.0.1:9464
SRV=$MC_SRV
if NODE=$(command -v prometheus-node-exporter); then
	mc_bg "$NODE" --web.listen-address=127.0.0.1:9100 --no-collector.textfile --no-collector.systemd --log.level=warn
else
	mc_server exp "$MAXCONN" server --listen 127.0.0.1:9101 --metrics 127.0.0.1:9100
fi
for _ in $(seq 50); do curl -sf http://127.0.0.1:9100/metrics >/dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:9100/metrics | grep -q 'ListenOverflows' ||
	mc_fail "the exporter at 127.0.0.1:9100 serves no ListenOverflows"
EXP=(--server-metrics http://127.0.0.1:9100/metrics)

# probe NAME ARGS...: a bounded probe at the server, JSON in $MC_TMP/NAME.json
probe() {
	local name=$1; shift
	timeout 60 "$MAXCONN" probe -q --target-addr 127.0.0.1:9000 --target 2000 "$@" \
		--json "$MC_TMP/$name.json" >"$MC_TMP/$name.txt" 2>&1
	echo "$name: exit $?, $(jq -c '.result|{limit,reached,happened}' "$MC_TMP/$name.json")"
}
ev() { jq "[.steps[0].evidence[]|select(.what==\"$2\").value]|add // \"missing\"" "$MC_TMP/$1.json"; }
overflows() { nstat -az TcpExtListenOverflows | awk '/ListenOverflows/ {print $2}'; }

# without the flood: the server's own limit
probe quiet
probe quiet_exp "${EXP[@]}"
mc_eq "limit without the flood" '"server"' "$(jq .result.limit "$MC_TMP/quiet.json")"
mc_eq "limit without the flood (--server-metrics)" '"server"' \
	"$(jq .result.limit "$MC_TMP/quiet_exp.json")"

# the flood: 1,500 connections that never send, to a listener that never
# accepts
mc_bg perl -MIO::Socket::INET -e \
	'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:9300", Listen => 16, ReuseAddr => 1) or die "listen: $!"; sleep 120'
for _ in $(seq 50); do ss -Hltn 'sport = :9300' | grep -q . && break; sleep 0.1; done
o0=$(overflows)
mc_bg "$MAXCONN" client -c 127.0.0.1:9300 -n 1500 -r 300 --hold 60s -q
sleep 1
probe flood
probe flood_exp "${EXP[@]}"
grew=$(( $(overflows) - o0 ))
for p in flood flood_exp; do
	mc_eq "$p: the limit is the one without the flood" \
		"$(jq .result.limit "$MC_TMP/quiet.json")" "$(jq .result.limit "$MC_TMP/$p.json")"
	mc_eq "$p: reached as without the flood" "$(jq .result.reached "$MC_TMP/quiet.json")" \
		"$(jq .result.reached "$MC_TMP/$p.json")"
	mc_eq "$p: the server's own listener dropped nothing" 0 \
		"$(ev $p "server listeners: drops")"
	# the flood was real, and inside the step
	mc_ge "$p: ListenOverflows of the namespace during the step" 10 "$(ev $p ListenOverflows)"
done
mc_eq "without the flood: the server's listener dropped nothing" 0 "$(ev quiet "server listeners: drops")"
mc_ge "the server host's ListenOverflows during the step" 50 \
	"$(ev flood_exp "server host: ListenOverflows")"
mc_ge "ListenOverflows of the namespace over both probes" 500 "$grew"
kill -0 "$SRV" || mc_fail "the server died"
echo "ok: the flood's $grew ListenOverflows were the other listener's; the verdict stayed $(jq -r .result.limit "$MC_TMP/flood_exp.json")"
