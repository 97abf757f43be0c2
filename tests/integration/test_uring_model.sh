#!/bin/bash
# test_uring_model.sh: `maxconn server --model uring` (a ring per worker,
# multishot accept into registered files, receives from provided
# buffers). Under RLIMIT_NOFILE 1200 one ring holds at most 1200 sockets, so
# 3000 connections need at least 3 workers: every one is held (the kernel
# and the server agree), none refused, and echo returns every byte in order;
# with one worker only, what its ring cannot hold is refused and counted.
# With kernel.io_uring_disabled=2 the server refuses to start (exit 3) and
# names the sysctl; the sysctl is global, so it is restored on every exit.
. "$(dirname "$0")/lib.sh"
mc_netns
N=3000 MSG=1024
NOFILE=(prlimit --nofile=1200:1200)

# the sysctl is host-wide: another run of this test must not disable
# io_uring under these servers (shared here, exclusive below)
mc_lock io_uring -s
orig=$(sysctl -n kernel.io_uring_disabled 2>/dev/null || echo none)
[ "$orig" = none ] || [ "$orig" = 0 ] || mc_skip kernel io_uring "io_uring is disabled here (kernel.io_uring_disabled = $orig)"

# hold: 3000 connections, counted by the kernel and by the server
mc_server s1 "${NOFILE[@]}" "$MAXCONN" server --model uring --listen 127.0.0.1:9000 --backlog 512
srv=$MC_SRV
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 --conns $N --hold 20s --json -q >"$MC_TMP/c1.json"
cli=$MC_LAST
mc_wait_established 'sport = :9000' $N 30
sleep 0.5
kill -0 $cli 2>/dev/null || { cat "$MC_TMP/c1.json"; mc_fail "the client ended early"; }
mc_eq "established server side (ss)" $N "$(mc_ss_established '( sport = :9000 )')"
mc_stop $srv
mc_eq "server exit code" 0 $?
mc_stop $cli
s=$MC_TMP/s1.json
mc_eq "server model" '"uring"' "$(jq .model $s)"
mc_eq "held" $N "$(jq .held $s)"
mc_eq "held at peak" $N "$(jq .held_peak $s)"
mc_eq "accepted" $N "$(jq .accepted $s)"
mc_eq "refused (fd limit + max + memory)" 0 "$(jq '.refused.fd_limit + .refused.max_conns + .refused.memory' $s)"
mc_eq "registered files per ring (RLIMIT_NOFILE)" 1200 "$(jq .per_table_cap $s)"
mc_ge "workers (3000 / 1200 per ring)" 3 "$(jq .workers $s)"
mc_eq "no private fd tables (sockets live in the rings)" false "$(jq .private_fd_tables $s)"

# echo: every byte back, in order, and both sides count the same bytes
mc_server s2 "${NOFILE[@]}" "$MAXCONN" server --model uring --mode echo --listen 127.0.0.1:9001 \
	--backlog 512
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9001 --conns $N --echo-verify $MSG --every 300ms --hold 2s \
	--json -q >"$MC_TMP/c2.json"
crc=$?
mc_stop $srv
mc_eq "echo server exit code" 0 $?
c=$MC_TMP/c2.json s=$MC_TMP/s2.json
mc_eq "client exit code" 0 $crc
mc_echo_verified $c $s $N $MSG
mc_eq "echo server held at peak" $N "$(jq .held_peak $s)"
mc_eq "echo server refused" 0 "$(jq '.refused.fd_limit + .refused.max_conns + .refused.memory' $s)"
# the client hung up: each connection closed by the peer or still held
# when the server stopped, none reset or closed for another cause
mc_eq "closed by the peer + held at the end" $N "$(jq '.closed.peer_closed + .held' $s)"
mc_eq "closed reset or other" 0 "$(jq '.closed.ECONNRESET + .closed.other' $s)"

# one worker, a table of 200: the 100 past it are refused and counted, none lost
mc_server s4 prlimit --nofile=200:200 "$MAXCONN" server --model uring --workers 1 --listen 127.0.0.1:9003
srv=$MC_SRV
"$MAXCONN" client -c 127.0.0.1:9003 --conns 300 --hold 1s --json -q >"$MC_TMP/c4.json"
mc_stop $srv
mc_eq "server exit code (a host limit refused connections)" 3 $?
s=$MC_TMP/s4.json
mc_eq "held at peak (one ring of 200)" 200 "$(jq .held_peak $s)"
mc_eq "refused at the fd limit" 100 "$(jq .refused.fd_limit $s)"
mc_eq "server names the limit" '"fd_process"' "$(jq .limit $s)"
mc_eq "client saw the refused ones closed" 100 "$(jq '.lost.peer_closed // 0' "$MC_TMP/c4.json")"

# limits knows the model
mc_eq "limits --model uring" '"uring"' "$("$MAXCONN" limits --model uring --json | jq .scenario.model)"

# io_uring disabled: a clear error and exit 3, never a silent fallback
[ "$orig" = none ] && mc_skip_part kernel io_uring_disabled "no kernel.io_uring_disabled sysctl on this kernel: the check of its error dropped (the rest passed)" && exit 0
restore() { sysctl -qw kernel.io_uring_disabled="$orig"; }
trap 'restore; mc_cleanup' EXIT
mc_lock io_uring
sysctl -qw kernel.io_uring_disabled=2 || mc_fail "could not set kernel.io_uring_disabled"
"$MAXCONN" server --model uring --listen 127.0.0.1:9002 --duration 5s -q >"$MC_TMP/s3.out" 2>"$MC_TMP/s3.err"
rc=$?
restore
mc_eq "kernel.io_uring_disabled restored" "$orig" "$(sysctl -n kernel.io_uring_disabled)"
cat "$MC_TMP/s3.err"
mc_eq "exit code when io_uring is disabled (a host limit)" 3 $rc
mc_eq "the error names the sysctl" 1 "$(grep -c 'kernel.io_uring_disabled = 2' "$MC_TMP/s3.err")"
mc_eq "the error names the way out" 1 "$(grep -c -- '--model epoll' "$MC_TMP/s3.err")"
mc_eq "nothing printed on stdout" 0 "$(wc -c <"$MC_TMP/s3.out")"
