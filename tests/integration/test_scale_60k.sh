#!/bin/bash
# test_scale_60k.sh: one server process holds 60,000 connections, three times
# its RLIMIT_NOFILE of 20,000 (each worker has its own fd table), and one
# client opens 60,000 connections to ONE destination address and port, more
# than the 28,232 local ports one source address has toward it, from 20
# source addresses (127.0.0.2-21), exactly 3,000 each. Counted by maxconn on
# both sides and checked against the kernel (ss, /proc/net/sockstat and the
# per-thread fd tables under /proc/PID/task).
. "$(dirname "$0")/lib.sh"
mc_netns
N=60000
# the client holds them while the kernel is asked three ways, then is
# stopped with Ctrl-C (it exits 0 with its summary): a fixed hold of 4 s
# ran out while a busy host's find walked 60,000 fds (45,044 counted)
hold=120s

mc_server s prlimit --nofile=20000:20000 "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV

mc_bg prlimit --nofile=20000:20000 "$MAXCONN" client --connect 127.0.0.1:9000 \
	--source 127.0.0.2-127.0.0.21 --conns $N --hold $hold --json -q >"$MC_TMP/c.json"
cli=$MC_LAST

# wait until the client holds all of them, then count with the kernel
mc_wait_established 'sport = :9000' $N 30
srv_side=$(ss -Htn state established '( sport = :9000 )' | wc -l)
cli_side=$(ss -Htn state established '( dport = :9000 )' | wc -l)
inuse=$(mc_sockstat_inuse)
per_src=$(ss -Htn state established '( dport = :9000 )' | awk '{split($3, a, ":"); n[a[1]]++} END {for (k in n) print n[k]}' | sort -u | tr '\n' ' ')
nsrc=$(ss -Htn state established '( dport = :9000 )' | awk '{split($3, a, ":"); print a[1]}' | sort -u | wc -l)
# sockets across all of the server's per-thread fd tables
srv_fds=0
for t in /proc/$srv/task/*; do
	n=$(find "$t/fd" -lname 'socket:*' 2>/dev/null | wc -l)
	srv_fds=$((srv_fds + n))
done
main_fds=$(find /proc/$srv/fd -lname 'socket:*' | wc -l)

kill -INT $cli
wait $cli
crc=$?
mc_stop "$srv"

mc_eq "client exit code" 0 $crc
mc_eq "ss: established, server side" $N "$srv_side"
mc_eq "ss: established, client side" $N "$cli_side"
mc_ge "sockstat TCP inuse (both ends + listener)" $((2 * N)) "$inuse"
mc_eq "source addresses used" 20 "$nsrc"
mc_eq "connections per source address (all equal)" "3000 " "$per_src"
mc_ge "sockets in the server's per-thread fd tables" $N "$srv_fds"
mc_le "sockets in the main thread's table (RLIMIT_NOFILE 20000)" 20000 "$main_fds"
mc_eq "client: established" $N "$(jq .established "$MC_TMP/c.json")"
mc_eq "client: held at the end of the hold" $N "$(jq .held "$MC_TMP/c.json")"
mc_eq "client: failed" 0 "$(jq .failed "$MC_TMP/c.json")"
mc_ge "client: more than one source's port range" 28233 "$(jq .established "$MC_TMP/c.json")"
mc_eq "server: accepted" $N "$(jq .accepted "$MC_TMP/s.json")"
mc_eq "server: held at peak" $N "$(jq .held_peak "$MC_TMP/s.json")"
mc_eq "server: private fd tables" true "$(jq .private_fd_tables "$MC_TMP/s.json")"
mc_ge "server: workers (60,000 / ~20,000 per table)" 3 "$(jq .workers "$MC_TMP/s.json")"
mc_eq "server: refused" 0 "$(jq '.refused.fd_limit + .refused.max_conns + .refused.memory' "$MC_TMP/s.json")"
mc_le "server: user bytes per held connection" 64 "$(jq '.user_bytes_per_conn | floor' "$MC_TMP/s.json")"
mc_le "client: user bytes per held connection" 64 "$(jq '.user_bytes_per_conn | floor' "$MC_TMP/c.json")"
