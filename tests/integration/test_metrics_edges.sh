#!/bin/bash
# test_metrics_edges.sh: the --metrics endpoint's small cases (issue 22,
# row 10). A page served before the command's first publish holds the
# build and run info and a publish count of 0, and no figure (no 0 that
# stands for "not known yet"): the probe's before its first sample; the
# server publishes its first figures as it becomes ready (none held, none
# refused: known), so a scrape once it listens has them. A GET with a body is answered as a GET.
# A --metrics address that is the command's own (server --listen, client
# --connect, probe --target-addr) is a usage error naming both flags,
# before anything starts; a neighbouring address is not.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need curl

# families URL: the families on a page, sorted, on one line
families() { curl -sf --max-time 2 "$1" | awk '!/^#/ {sub(/[{ ].*/, ""); print}' | sort -u | xargs; }
# m URL NAME: the value of a family's first sample, "none" if absent
m() { curl -sf --max-time 2 "$1" | awk -v n="$2" '{x = $1; sub(/\{.*/, "", x)} x == n {print $NF; f = 1; exit} END {if (!f) print "none"}'; }
INFO="maxconn_build_info maxconn_metrics_publishes_total maxconn_run_info"
S=http://127.0.0.1:9464/metrics

# the server, as soon as it listens: its first figures are published
mc_server srv "$MAXCONN" server --listen 127.0.0.1:9000 --metrics 127.0.0.1:9464
mc_ge "server, once it listens: the publish count" 1 "$(m $S maxconn_metrics_publishes_total)"
mc_eq "server, once it listens: refused at the fd limit" 0 \
	"$(curl -sf --max-time 2 $S | awk '/^maxconn_server_connections_refused_total\{cause="fd_limit"/ {print $NF}')"
mc_eq "server, once it listens: connections held" 0 "$(m $S maxconn_server_connections_held)"
mc_ge "server, after a publish: the host's sockets" 1 "$(m $S maxconn_host_tcp_sockets_in_use)"

# a GET with a body (legal, meaningless) is answered as a GET
code=$(curl -s -o "$MC_TMP/body" --max-time 2 -w '%{http_code}' -X GET --data hello $S)
mc_eq "GET with a body: status" 200 "$code"
grep -q '^maxconn_server_connections_held 0' "$MC_TMP/body" || mc_fail "GET with a body: no page: $(head -c 300 "$MC_TMP/body")"
echo "ok: GET with a body: the page"
code=$(head -c 200000 /dev/zero | curl -s -o /dev/null --max-time 2 -w '%{http_code}' -X GET --data-binary @- $S)
mc_eq "GET with a 200 KB body: status" 200 "$code"
mc_eq "POST with a body: 405" 405 "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' --data hello $S)"
mc_stop "$MC_SRV"

# the probe: no memory available of 0 before its first sample
mc_bg "$MAXCONN" probe -q --target 2000 --hold 3s --metrics 127.0.0.1:9466 --json "$MC_TMP/p.json" >/dev/null
P=$MC_LAST
PS=http://127.0.0.1:9466/metrics
for _ in $(seq 100); do
	page=$(families $PS) && [ -n "$page" ] && break
	sleep 0.05
done
first=$(m $PS maxconn_metrics_publishes_total)
if [ "$first" = 0 ]; then
	mc_eq "probe, before its first sample: the families" "$INFO" "$page"
else
	echo "the probe's first scrape came after its first sample ($first): not checked"
fi
for _ in $(seq 100); do
	[ "$(m $PS maxconn_metrics_publishes_total)" != 0 ] && break
	sleep 0.1
done
mem=$(m $PS maxconn_probe_memory_available_bytes)
[ "$mem" != none ] && [ "${mem%%[.e]*}" -gt 0 ] 2>/dev/null || mc_fail "probe, after a sample: memory available $mem"
echo "ok: probe, after a sample: memory available $mem"
wait "$P"

# --metrics on the command's own address: a usage error naming both
clash() {
	local want=$1; shift
	timeout 10 "$MAXCONN" "$@" -q 2>"$MC_TMP/err"
	rc=$?
	mc_eq "$* : exit" 2 "$rc"
	grep -q -- "$want" "$MC_TMP/err" || mc_fail "$*: no '$want' in: $(cat "$MC_TMP/err")"
	echo "ok: $(head -1 "$MC_TMP/err")"
}
clash "--metrics 127.0.0.1:9000 is also --listen 127.0.0.1:9000: the endpoint and the server cannot both listen there" \
	server --listen 127.0.0.1:9000 --metrics 127.0.0.1:9000
clash "is also --listen 0.0.0.0:9000-9003" server --listen 0.0.0.0:9000-9003 --metrics 127.0.0.1:9002
clash "--metrics 0.0.0.0:9001 is also --listen 127.0.0.1:9001" server -l 127.0.0.1:9001 --metrics :9001
clash "is also --connect 127.0.0.1:9464: the client would connect to its own endpoint" \
	client -c 127.0.0.1:9464 -n 10 --metrics 127.0.0.1:9464
clash "is also --target-addr 127.0.0.1:9464: the probe would measure its own endpoint" \
	probe --target-addr 127.0.0.1:9464 --target 10 --metrics 127.0.0.1:9464
# neighbours are no clash: another address, another family, another port
for args in "-l 127.0.0.1:9000 --metrics 127.0.0.2:9000" "-l [::1]:9000 --metrics 127.0.0.1:9000" \
	"-l 127.0.0.1:9000-9003 --metrics 127.0.0.1:9004"; do
	# shellcheck disable=SC2086
	"$MAXCONN" server $args --duration 1s -q 2>"$MC_TMP/err" >/dev/null
	mc_eq "server $args: exit" 0 $?
done
