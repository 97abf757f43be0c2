#!/bin/bash
# test_client_syscalls.sh: what the client asks the kernel per connection
# (issue 24, item 3: the ramp's user-space costs). Counted by strace over
# 2,000 connections: a connect that completes is seen writable without an
# error, so the client asks no SO_ERROR for it: getsockopt once per
# connection (TCP_INFO, the kernel's connect time), not twice; and one
# epoll_ctl per connection for its whole life (no EPOLL_CTL_MOD).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need strace jq

N=2000
mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
strace -f -c -o "$MC_TMP/st" -e trace=getsockopt,epoll_ctl,connect \
	"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.2 -n $N --hold 0s -q --json \
	>"$MC_TMP/c.json" 2>/dev/null
mc_eq "client exit code" 0 $?
mc_eq "established" $N "$(jq .established "$MC_TMP/c.json")"
calls() { awk -v s="$1" '$NF == s {print $4}' "$MC_TMP/st"; }
cat "$MC_TMP/st"
mc_eq "connect calls" $N "$(calls connect)"
# a few besides the connections' (a failed connect's SO_ERROR, none here)
mc_between "getsockopt calls: one per connection" $N $((N + 20)) "$(calls getsockopt)"
mc_between "epoll_ctl calls: one per connection, a few for the workers" $N $((N + 100)) \
	"$(calls epoll_ctl)"
