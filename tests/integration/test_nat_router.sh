#!/bin/bash
# test_nat_router.sh: the 4-tuple in the middle (issue 21). Three network
# namespaces made here: this one is the client, with 20 source addresses;
# a router namespace forwards to a server namespace and masquerades with
# nftables onto a narrowed range (`masquerade to :40000-40999`: 1,000 ports
# toward the server's one ip:port, so it is small and fast); the server
# listens at 10.21.2.2:9000. `maxconn limits --via snat` on the router reads
# the rule and predicts 1,000 (middlebox_ports), and in the client's
# namespace with the range given; `maxconn client` and `maxconn probe
# --target-addr` stop within 1% of it and name middlebox_ports with the
# router's conntrack -S counts (--router-netns), never accept_queue; the
# client without the router's counts names nothing and says it is not the
# accept queue. Every process stopped by PID, the namespaces deleted.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq nft ip
# nf_conntrack_max is global: test_conntrack lowers it to 5,000 while it
# runs; 1,500 entries fit under that, but not under a lower one
mc_lock conntrack -s
R=mc21r-$$
S=mc21s-$$
mc_named_netns "$R" "$S"
ip link add c0 type veth peer name r0 netns "$R"
ip -n "$R" link add r1 type veth peer name s0 netns "$S"
ip addr add 10.21.1.2/24 dev c0
for i in $(seq 10 29); do ip addr add "10.21.1.$i/24" dev c0; done
ip link set c0 up
ip route add 10.21.2.0/24 via 10.21.1.1
ip -n "$R" addr add 10.21.1.1/24 dev r0
ip -n "$R" addr add 10.21.2.1/24 dev r1
for l in lo r0 r1; do ip -n "$R" link set "$l" up; done
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
ip -n "$S" addr add 10.21.2.2/24 dev s0
for l in lo s0; do ip -n "$S" link set "$l" up; done
ip netns exec "$R" nft -f - <<'NFT' || mc_fail "nft could not load the masquerade rule"
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r1" meta l4proto tcp masquerade to :40000-40999
	}
}
NFT

# limits: on the router, the rule read; here, the path described
lim="$MC_TMP/l.json"
ip netns exec "$R" "$MAXCONN" limits --via snat --connect 10.21.2.2:9000 --json >"$lim"
mc_eq "limits on the router: middlebox_ports" 1000 \
	"$(jq '.limits[]|select(.id=="middlebox_ports").connections' "$lim")"
mc_eq "the rule read from" '"nft list ruleset"' \
	"$(jq '.limits[]|select(.id=="middlebox_ports").source' "$lim")"
mc_eq "the rule quoted" true \
	"$(jq '.limits[]|select(.id=="middlebox_ports").note|test("masquerade to :40000-40999")' "$lim")"
mc_eq "it binds" '"middlebox_ports"' "$(jq .summary.binding "$lim")"
mc_eq "its fix: an address pool" true \
	"$(jq '[.limits[]|select(.id=="middlebox_ports").fix[]|test("snat to ADDR1-ADDRn")]|any' "$lim")"
ip netns exec "$R" "$MAXCONN" limits --json >"$lim"
mc_eq "without --via the rule is information" '"info"' \
	"$(jq '.limits[]|select(.id=="middlebox_ports").kind' "$lim")"
"$MAXCONN" limits --role client --via snat::40000-40999 --source 10.21.1.10-10.21.1.29 \
	--connect 10.21.2.2:9000 --json >"$lim"
pred=$(jq '.limits[]|select(.id=="middlebox_ports").connections' "$lim")
mc_eq "limits in the client's namespace, path described" 1000 "$pred"
mc_eq "it binds there too" '"middlebox_ports"' "$(jq .summary.binding "$lim")"
mc_eq "scenario.via" '"snat"' "$(jq .scenario.via.kind "$lim")"

mc_server srv ip netns exec "$S" "$MAXCONN" server --listen 10.21.2.2:9000

c="$MC_TMP/c.json"
timeout 30 "$MAXCONN" client -c 10.21.2.2:9000 -s 10.21.1.10-10.21.1.29 -n 1500 \
	--connect-timeout 3s -H 0 -q --json --router-netns "$R" >"$c"
mc_eq "client exit code: a limit" 3 $?
mc_between "client stops within 1% of $pred" $((pred * 99 / 100)) $((pred * 101 / 100)) \
	"$(jq .established "$c")"
mc_eq "client names the middle box" '"middlebox_ports"' "$(jq .limit "$c")"
mc_eq "with the router's conntrack -S" true \
	"$(jq '.timeouts_why|test("router.s namespace \\('"$R"'\\) counted insert_failed [1-9]")' "$c")"
mc_eq "and no listen overflow" true "$(jq '.timeouts_why|test("0 ListenOverflows")' "$c")"

timeout 30 "$MAXCONN" client -c 10.21.2.2:9000 -s 10.21.1.10-10.21.1.29 -n 1500 \
	--connect-timeout 3s -H 0 -q --json >"$c"
mc_eq "without the router: no limit named" null "$(jq .limit "$c")"
mc_eq "and not the accept queue" true "$(jq '.timeouts_why|test("not the accept queue")' "$c")"

p="$MC_TMP/p.json"
timeout 60 "$MAXCONN" probe -q --target-addr 10.21.2.2:9000 --source 10.21.1.10-10.21.1.29 \
	--target 1500 --router-netns "$R" --json "$p" >"$MC_TMP/p.out" 2>&1
mc_eq "probe exit code: a limit" 3 $?
mc_eq "probe names the middle box" '"middlebox_ports"' "$(jq .result.limit "$p")"
mc_between "probe reached within 1% of $pred" $((pred * 99 / 100)) $((pred * 101 / 100)) \
	"$(jq .result.reached "$p")"
mc_ge "the router's insert failures in the evidence" 1 \
	"$(jq '[.steps[-1].evidence[]|select(.what=="router conntrack insert_failed").value]|add // 0' "$p")"
mc_eq "no step names the accept queue" 0 "$(jq '[.steps[]|select(.limit=="accept_queue")]|length' "$p")"
mc_stop "$MC_SRV"
