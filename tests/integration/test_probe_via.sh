#!/bin/bash
# test_probe_via.sh: `maxconn probe --via snat --staircase` builds the path
# itself (issue 21): each step a router namespace masquerading with
# nftables (`snat to 10.231.2.1:40000-40999`: 1,000 ports toward the
# server) between the client's namespace and a server namespace. The first
# step (the seeds' one client address) stops at 1,000 within 1%, predicted
# and named middlebox_ports with the router's conntrack insert failures as
# evidence, never accept_queue; the lift is the fix limits names, a second
# NAT address (an address pool, with client addresses for netfilter to
# hash onto it), and the next step goes past 1,000 to the target, 1,500.
# The same with --via nginx (below). The probe removes its namespaces (ip
# netns mcp-PID-*) and stops its nginx.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq nft ip
# nf_conntrack_max is global: test_conntrack lowers it to 5,000 meanwhile
mc_lock conntrack -s

j="$MC_TMP/p.json"
timeout 60 "$MAXCONN" probe -q --via snat --staircase --target 1500 --json "$j" >"$MC_TMP/p.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || mc_fail "probe exit code $rc: $(tail -5 "$MC_TMP/p.out")"
mc_eq "two steps" 2 "$(jq '.steps|length' "$j")"
mc_eq "step 1 named the NAT's ports" '"middlebox_ports"' "$(jq '.steps[0].limit' "$j")"
mc_eq "step 1 predicted them" '"middlebox_ports"' "$(jq '.steps[0].predicted_limit' "$j")"
mc_eq "step 1 predicted 1,000" 1000 "$(jq '.steps[0].predicted' "$j")"
mc_between "step 1 stopped within 1% of 1,000" 990 1010 "$(jq '.steps[0].reached' "$j")"
mc_ge "the router's insert failures in step 1's evidence" 1 \
	"$(jq '[.steps[0].evidence[]|select(.what=="router conntrack insert_failed").value]|add // 0' "$j")"
mc_eq "the lift: a second NAT address" true \
	"$(jq '.steps[0].lifted|test("snat to 10.231.2.1-10.231.2.2")' "$j")"
mc_eq "step 2 reached the target, past the ceiling" 1500 "$(jq '.steps[1].reached' "$j")"
mc_eq "no step names the accept queue" 0 "$(jq '[.steps[]|select(.limit=="accept_queue")]|length' "$j")"
mc_eq "its namespaces are gone" 0 "$(ip netns list | grep -c "^mcp-")"

# --via nginx: Debian's nginx as a stream proxy in the middle namespace,
# started by the probe with its own config and pid file, that namespace's
# ip_local_port_range 40000-40999: the proxy's upstream ports stop the
# first step at 1,000 (the server's own count), quoted from nginx's error
# log; the lift, proxy_bind over two source addresses, reaches 2,000
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || mc_skip tool nginx "nginx not installed (scripts/test installs nginx libnginx-mod-stream)"
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] ||
	mc_skip package libnginx-mod-stream "nginx's stream module not installed (libnginx-mod-stream)"
j="$MC_TMP/n.json"
timeout 60 "$MAXCONN" probe -q --via nginx --staircase --target 2500 --json "$j" >"$MC_TMP/n.out" 2>&1
mc_eq "nginx: probe exit code, a limit" 3 $?
mc_eq "nginx: two steps" 2 "$(jq '.steps|length' "$j")"
mc_eq "nginx: step 1 named the proxy's upstream ports" '"middlebox_ports"' "$(jq '.steps[0].limit' "$j")"
mc_eq "nginx: predicted 1,000" 1000 "$(jq '.steps[0].predicted' "$j")"
mc_between "nginx: step 1 within 1% of 1,000" 990 1010 "$(jq '.steps[0].reached' "$j")"
mc_eq "nginx: its own line quoted" true \
	"$(jq '.steps[0].happened|test("\\(99: Cannot assign requested address\\) while connecting to upstream")' "$j")"
mc_eq "nginx: the lift" true "$(jq '.steps[0].lifted|test("proxy_bind over two source addresses")' "$j")"
mc_between "nginx: proxy_bind over two addresses, 2,000 within 1%" 1980 2020 "$(jq '.steps[1].reached' "$j")"
mc_eq "nginx: no step names the accept queue" 0 "$(jq '[.steps[]|select(.limit=="accept_queue")]|length' "$j")"
mc_eq "nginx: its namespaces are gone" 0 "$(ip netns list | grep -c "^mcp-")"
mc_eq "nginx: no nginx left running" 0 "$(pgrep -fc "nginx-[0-9]+.conf" || true)"
