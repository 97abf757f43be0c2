#!/bin/bash
# test_probe_source.sh: issue 22, row 8. probe --source with an address not
# on the host is a usage error before anything starts (exit 2, nothing on
# stdout), naming the address and the fix, as client's is: with its own
# server (a private namespace with only loopback) and with --no-netns or
# --target-addr (this host's addresses). An address the host has runs.
. "$(dirname "$0")/lib.sh"
mc_netns

# runs the probe; its exit code in $rc, stdout in out, stderr in err
probe() {
	timeout 60 "$MAXCONN" probe "$@" -q >"$MC_TMP/out" 2>"$MC_TMP/err"
	rc=$?
	cat "$MC_TMP/err"
}
has() { grep -qF -- "$2" "$MC_TMP/err" || mc_fail "$1: stderr lacks '$2'"; echo "ok: $1"; }

probe --source 10.9.9.9 --target 200
mc_eq "own server, --source 10.9.9.9: exit code (usage)" 2 $rc
mc_eq "own server, --source 10.9.9.9: stdout" "" "$(cat "$MC_TMP/out")"
has "own server: names the address and the fix" \
	"--source 10.9.9.9: the probe's own server runs in a private network namespace per step, which has only loopback; use loopback sources (127.0.0.2-127.0.0.50"
# a range whose far end is not loopback
probe --source 127.255.255.254-128.0.0.1 --target 200
mc_eq "own server, a range past 127/8: exit code" 2 $rc
has "names the end off loopback" "--source 128.0.0.1: the probe's own server"

probe --source 10.9.9.9 --no-netns --target 200
mc_eq "--no-netns, --source 10.9.9.9: exit code (usage)" 2 $rc
mc_eq "--no-netns: stdout" "" "$(cat "$MC_TMP/out")"
has "--no-netns: as client says it" \
	"maxconn probe: --source 10.9.9.9 is not an address of this host; add it (ip addr add 10.9.9.9 dev lo)"

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
probe --source 10.9.9.9 --target-addr 127.0.0.1:9000 --target 200
mc_eq "--target-addr, --source 10.9.9.9: exit code (usage)" 2 $rc
has "--target-addr: names the address" "--source 10.9.9.9 is not an address of this host"
"$MAXCONN" client --source 10.9.9.9 --connect 127.0.0.1:9000 -n 10 --hold 0 -q 2>"$MC_TMP/cerr"
mc_eq "client, --source 10.9.9.9: exit code (usage)" 2 $?
mc_eq "client and probe say the same" "$(sed 's/^maxconn client/maxconn probe/' "$MC_TMP/cerr")" \
	"$(cat "$MC_TMP/err")"

# once the host has it, the same probe runs
ip addr add 10.9.9.9/32 dev lo
probe --source 10.9.9.9 --target-addr 127.0.0.1:9000 --target 200 --json "$MC_TMP/p.json"
mc_eq "--target-addr, --source 10.9.9.9 on the host: exit code" 0 $rc
mc_eq "connections reached" 200 "$(jq '.steps[-1].reached' "$MC_TMP/p.json")"
mc_stop $MC_SRV
