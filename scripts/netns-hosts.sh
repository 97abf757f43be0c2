# scripts/netns-hosts.sh: "hosts" on one machine, for the tests and
# benchmarks of maxconn across hosts (tests/integration/test_hosts.sh,
# bench/hosts.sh) and for trying docs/hosts.md without a second machine.
# Source it (bash), then, as root:
#   netns_hosts_up CIDR_LEN NS=ADDR[,ADDR...] ...
# makes a bridge br0 in the current network namespace (the "switch") and
# for each NS a named network namespace with lo up and eth0, a veth on the
# bridge, holding its addresses (/CIDR_LEN). Neighbour tables and routing
# are real; there is no loopback between the hosts. Delete the namespaces
# with netns_hosts_down NS... (ip netns names are host-wide: pick names
# no one else uses, e.g. with $$ in them).
netns_hosts_up() {
	local len=$1 spec ns addrs a i=1
	shift
	ip link add br0 type bridge || return 1
	ip link set br0 up
	for spec in "$@"; do
		ns=${spec%%=*}
		addrs=${spec#*=}
		ip netns add "$ns" || return 1
		ip link add "hv$i" type veth peer name eth0 netns "$ns" || return 1
		ip link set "hv$i" master br0 up
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
		for a in ${addrs//,/ }; do ip -n "$ns" addr add "$a/$len" dev eth0 || return 1; done
		i=$((i + 1))
	done
}

netns_hosts_down() {
	local ns
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null; done
	return 0
}
