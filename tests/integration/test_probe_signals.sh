#!/bin/bash
# test_probe_signals.sh: Ctrl-C (SIGINT) during a ramp stops the probe, and
# it leaves nothing behind: no server or client process, no network
# namespace, no changed sysctl, no temporary directory; and it still
# writes its JSON and HTML reports, with the count it had reached, and
# exits 130.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

sysctls="net/core/somaxconn net/ipv4/ip_local_port_range net/ipv4/tcp_max_syn_backlog"
snap() { for s in $sysctls; do printf '%s=%s\n' "$s" "$(cat /proc/sys/$s)"; done; }
before=$(snap)
# the probe makes its temporary directory in $TMPDIR: one of this test's
# own, so that another probe running on the host cannot move the count
export TMPDIR=$MC_TMP/tmp
mkdir "$TMPDIR"
tmp_before=$(ls -d "$TMPDIR"/maxconn-probe.* 2>/dev/null | sort)

# 200k at 20k/s: ten seconds of ramp, interrupted after about two
mc_bg "$MAXCONN" probe --timeout 60s --target 200k --rate 20k --json "$MC_TMP/p.json" \
	--html "$MC_TMP/p.html" -q
probe=$MC_LAST
kids=""
for _ in $(seq 50); do
	kids=$(pgrep -P "$probe" | tr '\n' ' ')
	[ "$(echo $kids | wc -w)" -ge 2 ] && break
	sleep 0.1
done
mc_eq "children while ramping (server, client)" 2 "$(echo $kids | wc -w)"
mc_eq "temporary directories while it runs" 1 "$(ls -d "$TMPDIR"/maxconn-probe.* 2>/dev/null | wc -l)"
ns=$(readlink "/proc/${kids%% *}/ns/net")
[ "$ns" != "$(readlink /proc/self/ns/net)" ] || mc_fail "the children share the test's namespace"
sleep 2
kill -INT "$probe"
wait "$probe"
rc=$?
mc_eq "exit code after Ctrl-C" 130 $rc

for k in $kids; do
	kill -0 "$k" 2>/dev/null && mc_fail "child $k is still running"
done
echo "ok: no child left ($kids)"
if lsns -t net -n -o NS 2>/dev/null | grep -q "$(echo "$ns" | tr -dc 0-9)"; then
	mc_fail "the probe's namespace $ns is still held by a process"
fi
echo "ok: the probe's namespace $ns is gone"
mc_eq "sysctls of the probe's parent namespace" "$before" "$(snap)"
mc_eq "temporary directories" "$tmp_before" "$(ls -d "$TMPDIR"/maxconn-probe.* 2>/dev/null | sort)"

j="$MC_TMP/p.json"
[ -s "$j" ] || mc_fail "no JSON report after Ctrl-C"
mc_eq "stop" '"interrupted"' "$(jq .result.stop "$j")"
mc_eq "where the probe made its temporary directory" "\"$TMPDIR\"" "$(jq .tmpdir "$j")"
reached=$(jq .result.reached "$j")
mc_between "reached before Ctrl-C" 1000 199999 "$reached"
mc_eq "exit code in the report" 130 "$(jq .result.exit_code "$j")"
[ -s "$MC_TMP/p.html" ] || mc_fail "no HTML report after Ctrl-C"
grep -q 'id="chart-conns"' "$MC_TMP/p.html" || mc_fail "the HTML report has no connections chart"
echo "ok: both reports written"
