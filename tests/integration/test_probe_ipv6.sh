#!/bin/bash
# test_probe_ipv6.sh: a probe against a server on IPv6 loopback ([::1])
# holds what it asks for (sources are the kernel's: ::1 is IPv6's only
# loopback address, 127.0.0.2 cannot reach it), --source of the other
# family is a usage error that names both, and a failure carries its
# message in the evidence.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

mc_server srv "$MAXCONN" server --listen '[::1]:9000'
timeout 60 "$MAXCONN" probe -q --target-addr '[::1]:9000' --target 2000 \
	--json "$MC_TMP/p.json" >"$MC_TMP/out"
rc=$?
cat "$MC_TMP/out"
mc_eq "exit code against [::1]:9000" 0 $rc
mc_eq "reached" 2000 "$(jq .result.reached "$MC_TMP/p.json")"
mc_eq "connections the kernel shows on [::1]:9000 now (closed)" 0 \
	"$(mc_ss_established '( sport = :9000 )')"

"$MAXCONN" probe --target-addr '[::1]:9000' --target 10 --source 127.0.0.2 2>"$MC_TMP/err"
mc_eq "exit code of --source 127.0.0.2 with an IPv6 server" 2 $?
grep -q "127.0.0.2: IPv4, but the server is at an IPv6 address" "$MC_TMP/err" ||
	mc_fail "the usage error does not name both: $(cat "$MC_TMP/err")"
mc_stop "$MC_SRV"

# nothing listens on 9001: each failure shown has its message
timeout 60 "$MAXCONN" probe -q --target-addr '[::1]:9001' --target 100 \
	--json "$MC_TMP/r.json" >/dev/null
mc_eq "exit code against a closed port" 3 $?
mc_eq "connects refused" 100 \
	"$(jq '.steps[0].evidence[]|select(.what=="client connect: ECONNREFUSED").value' "$MC_TMP/r.json")"
case "$(jq -r '.steps[0].evidence[]|select(.what=="client connect: ECONNREFUSED").text' "$MC_TMP/r.json")" in
"connect [::1]:9001: Connection refused (ECONNREFUSED); "* | \
"connect [::1]:9001 from ::1: Connection refused (ECONNREFUSED); "*) echo "ok: the failure carries its message" ;;
*) mc_fail "no message with the failure: $(jq -c .steps[0].evidence "$MC_TMP/r.json")" ;;
esac
