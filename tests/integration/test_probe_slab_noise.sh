#!/bin/bash
# test_probe_slab_noise.sh: the slab caches are host-wide, so other work on
# the same kernel moves them while a probe measures. Here that other work
# is this test: it holds 12,000 connections in its own namespace, starts a
# probe of 3,000 (--rate 1000, so the ramp lasts about 3 s) and, once the
# probe has taken its "before" figures (they come just before it starts its
# client), kills them: 24,000 sockets leave the TCP cache while the probe
# adds 6,000. The probe must see that the TCP cache's growth is not its own
# (tcp_objects_grew far below one per connection), say so, and give the
# kernel bytes per socket from the caches' object sizes: what this kernel's
# /proc/slabinfo says one socket's objects take, never the 0 (or the absurd
# figure) the caches' growth gives.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
[ -r /proc/slabinfo ] || mc_skip root - "needs /proc/slabinfo (root)"
# test_probe_basic measures the same caches: not while this test moves them
mc_lock slab

H=12000 N=3000
mc_server hold "$MAXCONN" server -l 127.0.0.1:9000
server=$MC_SRV
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.2-127.0.0.3 -n $H --hold 120s -q
holder=$MC_LAST
mc_wait_established 'dport = :9000' $H 30
mc_eq "the other work holds" $H "$(mc_ss_established '( dport = :9000 )')"

mc_bg "$MAXCONN" probe --timeout 60s --target $N --rate 1000 --json "$MC_TMP/p.json" -q \
	>"$MC_TMP/p.txt"
probe=$MC_LAST
kids=0
for _ in $(seq 200); do
	kids=$(pgrep -P "$probe" | wc -l)
	[ "$kids" -ge 2 ] && break
	sleep 0.05
done
mc_eq "the probe runs its server and its client" 2 "$kids"
kill -KILL "$holder"
wait "$holder" 2>/dev/null
mc_stop "$server"
mc_eq "the other work's connections are gone" 0 "$(mc_ss_established '( dport = :9000 )')"

wait "$probe"
mc_eq "probe exit code (target reached)" 0 $?
j=$MC_TMP/p.json
mc_eq "reached" $N "$(jq .result.reached "$j")"
k=.memory.kernel_bytes_per_socket
grew=$(jq "$k.tcp_objects_grew" "$j")
echo "the TCP cache moved by $grew objects while the probe added $((2 * N)) sockets"
echo "kernel bytes per socket: $(jq "$k.total" "$j") (from $(jq "$k.from" "$j"))"
mc_le "TCP objects grew (far below one per connection)" $((N * 3 / 4)) "$grew"
mc_eq "the figure's source" '"object_sizes"' "$(jq "$k.from" "$j")"
# one object of each socket cache, at the object sizes /proc/slabinfo says
# here (a slab's pages over its objects; the epoll watch's with the epoll
# model): the probe's figure to the byte or so
S=$(mc_slab_socket_bytes)
mc_between "kernel bytes per socket: this kernel's object sizes ($S)" $((S - 8)) $((S + 8)) \
	"$(jq "$k.total|floor" "$j")"
mc_eq "of which the TCP sock: its object size" "$(mc_slab_obj TCP)" "$(jq "$k.tcp|floor" "$j")"
mc_eq "other (meminfo's growth is not ours either)" 0 "$(jq "$k.other" "$j")"
grep -q "B per socket from the caches' object sizes.*other work on this kernel" "$MC_TMP/p.txt" ||
	mc_fail "the text report does not say where the figure came from: $(grep kernel "$MC_TMP/p.txt")"
