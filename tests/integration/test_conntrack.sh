#!/bin/bash
# test_conntrack.sh: a stateful nftables rule (ct state established,related
# accept, as Debian's firewall has) makes the kernel track every connection
# from the first one, before any entry exists. With nf_conntrack_max, which
# is global and read-only in a namespace like this one, lowered to 5000 on
# the host (restored by the trap in every branch, also when nf_conntrack was
# not loaded at the start; the lock "conntrack" keeps other runs of these
# tests off it): `maxconn limits` names conntrack at 5000 from the
# ruleset, with fixes that work here (set it on the host, the hash table,
# a notrack rule for the port); the probe, run in this namespace
# (--no-netns), stops within 1% of it, names it, and shows the kernel's
# "nf_conntrack: table full" line.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq nft nsenter
mc_lock conntrack
# what the host had: nf_conntrack_max, or no nf_conntrack at all (the rule
# below loads it, and max_new is the max the kernel gave the new module)
CTMAX=/proc/sys/net/netfilter/nf_conntrack_max
max0=$(mc_host_net cat $CTMAX 2>/dev/null)
max_new=
# restore, whatever branch the test ends in: the rule goes (it would go with
# this namespace, but it holds nf_conntrack until then), then the host's max;
# a module this test loaded is unloaded again when nothing else uses it
restore() {
	nft delete table inet filter 2>/dev/null
	if [ -n "$max0" ]; then
		mc_host_net sysctl -qw net.netfilter.nf_conntrack_max="$max0" ||
			echo "FAIL: could not restore nf_conntrack_max $max0" >&2
	elif [ -e $CTMAX ]; then
		[ -z "$max_new" ] || mc_host_net sysctl -qw net.netfilter.nf_conntrack_max="$max_new"
		modprobe -r nft_ct nf_conntrack 2>/dev/null ||
			echo "nf_conntrack, not loaded when the test began, could not be unloaded (modprobe -r: in use, or no modprobe): left loaded with its nf_conntrack_max ${max_new:-as loaded}" >&2
	fi
}
trap 'restore; mc_cleanup' EXIT
sysctl -qw net.core.somaxconn=4096

lim="$MC_TMP/l.json"
"$MAXCONN" limits --role both --sources 10 --json >"$lim"
mc_eq "no rule yet: conntrack caps nothing" null \
	"$(jq '.limits[]|select(.id=="conntrack").connections' "$lim")"
nft -f - <<'NFT' || mc_fail "nft could not load the ruleset"
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
	}
}
NFT
[ -n "$max0" ] || max_new=$(mc_host_net cat $CTMAX) || mc_fail "the ct rule loaded no nf_conntrack"
mc_eq "read-only here" true "$( (echo 5000 >/proc/sys/net/netfilter/nf_conntrack_max) 2>/dev/null && echo false || echo true)"
mc_host_net sysctl -qw net.netfilter.nf_conntrack_max=5000 || mc_fail "cannot set nf_conntrack_max on the host"
mc_eq "lowered for this namespace too (global)" 5000 "$(cat /proc/sys/net/netfilter/nf_conntrack_max)"

"$MAXCONN" limits --role both --sources 10 --json >"$lim"
mc_eq "limits names conntrack" '"conntrack"' "$(jq .summary.binding "$lim")"
pred=$(jq .summary.connections "$lim")
mc_eq "limits predicts max - tracked" 5000 "$pred"
mc_eq "limits says why: the ruleset" true \
	"$(jq '.limits[]|select(.id=="conntrack")|.note|test("nftables inet filter/input: ct")' "$lim")"
fixes=$(jq -r '.limits[]|select(.id=="conntrack")|.fix|join("\n")' "$lim")
for want in "read-only in this network namespace" "net.netfilter.nf_conntrack_max=" \
	"notrack"; do
	grep -qF -- "$want" <<<"$fixes" || mc_fail "the fixes do not say '$want'"
done

j="$MC_TMP/p.json"
timeout 150 "$MAXCONN" probe -q --no-netns --target max --json "$j" >"$MC_TMP/p.out"
mc_eq "probe exit code" 3 $?
mc_eq "probe names conntrack" '"conntrack"' "$(jq .result.limit "$j")"
mc_eq "the probe's prediction names it" '"conntrack"' "$(jq .result.predicted_limit "$j")"
reached=$(jq .result.reached "$j")
mc_between "reached within 1% of limits' $pred" $((pred * 99 / 100)) $((pred * 101 / 100)) "$reached"
mc_ge "connects timed out (SYNs dropped)" 64 \
	"$(jq '[.steps[-1].evidence[]|select(.what=="client connect: ETIMEDOUT").value]|add' "$j")"
if dmesg >/dev/null 2>&1; then
	mc_eq "the kernel's line in the evidence" true \
		"$(jq '[.steps[-1].evidence[]|select(.what=="dmesg")|.text|test("nf_conntrack: table full")]|any' "$j")"
else
	mc_skip_part root - "dmesg cannot be read: the kernel line's check dropped"
fi
