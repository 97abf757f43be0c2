#!/bin/bash
# test_probe_ehash.sh: the probe gives its step's namespace an established
# hash sized for the step (issue 24, item 1). At --target 3000 the namespace
# holds 6,001 sockets (both ends and the listener): the power of two nearest
# twice that is 8,192 buckets. Read from inside the probe's namespace
# (through its server child) the kernel must show a hash of the
# namespace's own of that size (without the probe's setting a child
# namespace shares the host's: tcp_ehash_entries is negative there); the
# step line and the JSON must say the same; and the setting must be left
# nowhere outside the probe: the namespace the probe ran from and the
# host keep their tcp_child_ehash_entries, and a namespace made after it
# shares the host's hash again.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq nsenter unshare
[ -e /proc/sys/net/ipv4/tcp_child_ehash_entries ] ||
	mc_skip kernel tcp_child_ehash_entries "no net.ipv4.tcp_child_ehash_entries (Linux before 5.19)"

N=3000
child_sysctl=/proc/sys/net/ipv4/tcp_child_ehash_entries
here_before=$(cat $child_sysctl)
host_before=$(mc_host_net cat $child_sysctl)
host_buckets=$(mc_host_net cat /proc/sys/net/ipv4/tcp_ehash_entries)

mc_bg "$MAXCONN" probe --timeout 60s --target $N --hold 4s --json "$MC_TMP/p.json" \
	>"$MC_TMP/out" 2>&1
probe=$MC_LAST
inside=""
for _ in $(seq 100); do
	child=$(mc_probe_kids "$probe" | head -1)
	if [ -n "$child" ]; then
		inside=$(nsenter -t "$child" -n cat /proc/sys/net/ipv4/tcp_ehash_entries 2>/dev/null)
		[ -n "$inside" ] && break
	fi
	sleep 0.1
done
mc_eq "tcp_ehash_entries inside the probe's namespace (its own, 2 x 6,001 -> 8,192)" \
	8192 "$inside"
wait "$probe"
mc_eq "exit code (target reached)" 0 $?

j="$MC_TMP/p.json"
mc_eq "JSON: buckets" 8192 "$(jq .steps[0].ehash.buckets "$j")"
mc_eq "JSON: its own" true "$(jq .steps[0].ehash.own "$j")"
mc_eq "JSON: asked" 8192 "$(jq .steps[0].ehash.asked "$j")"
mc_eq "JSON: sized for (both ends and the listener)" $((2 * N + 1)) \
	"$(jq .steps[0].ehash.sized_for_sockets "$j")"
mc_eq "JSON: no reason given" '""' "$(jq .steps[0].ehash.why "$j")"

mc_eq "the step line says it" 1 \
	"$(grep -c 'backlog [0-9]*, hash 8,192 buckets (its own, for 6,001 sockets)$' "$MC_TMP/out")"

mc_eq "tcp_child_ehash_entries where the probe ran from" "$here_before" "$(cat $child_sysctl)"
mc_eq "tcp_child_ehash_entries of the host" "$host_before" "$(mc_host_net cat $child_sysctl)"
if [ "$here_before" = 0 ]; then
	mc_eq "a namespace made after the probe shares the host's hash" "-$host_buckets" \
		"$(unshare -n cat /proc/sys/net/ipv4/tcp_ehash_entries)"
fi

# --ehash shared: the kernel's hash, and the step line says why
"$MAXCONN" probe --timeout 60s --target 1000 --ehash shared --json "$MC_TMP/s.json" \
	>"$MC_TMP/s.out" 2>&1
mc_eq "--ehash shared: exit code" 0 $?
mc_eq "--ehash shared: its own" false "$(jq .steps[0].ehash.own "$MC_TMP/s.json")"
mc_eq "--ehash shared: buckets (the host's)" "$host_buckets" "$(jq .steps[0].ehash.buckets "$MC_TMP/s.json")"
mc_eq "--ehash shared: the step line" 1 "$(grep -c "hash [0-9,]* buckets (the kernel's, shared: --ehash shared)$" "$MC_TMP/s.out")"
# --ehash N: N buckets, rounded up to a power of two by the kernel
"$MAXCONN" probe --timeout 60s --target 1000 --ehash 5000 --json "$MC_TMP/n.json" >/dev/null 2>&1
mc_eq "--ehash 5000: 8,192 buckets" 8192 "$(jq .steps[0].ehash.buckets "$MC_TMP/n.json")"
"$MAXCONN" probe --ehash 0 >/dev/null 2>&1
mc_eq "--ehash 0: a usage error" 2 $?
