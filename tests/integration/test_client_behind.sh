#!/bin/bash
# test_client_behind.sh: a client that falls behind says so, and never
# calls its own lateness a timeout or a slow kernel:
#   - stopped (SIGSTOP) for 2 s, four times its --connect-timeout, in the
#     middle of a --rate ramp: every connect is established, none ETIMEDOUT,
#     the stall is reported (behind.stalls, the longest >= 1.5 s) and the
#     connects started late are reported as queued behind the schedule;
#   - connect latency is the kernel's, from each connect() call: 2,000
#     connects started in one burst on one pair (p50 was the whole burst's
#     time, ~tens of ms, before; the kernel's is microseconds on loopback);
#   - a busy worker: 4,000 connects in one burst with --connect-timeout 10ms;
#     the kernel completes each in microseconds, but the worker sees the
#     completions only as it gets to them: none may be called ETIMEDOUT (the
#     client before this looked at its deadlines before its events: 3,488 of
#     the 4,000 "timed out", a false accept-queue verdict in the probe);
#   - without --rate nothing is queued behind a schedule.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
sysctl -qw net.core.somaxconn=65535

mc_server s "$MAXCONN" server --listen 127.0.0.1:9000
srv=$MC_SRV
c=$MC_TMP/c.json

# 3,000 at 1,000/s; stopped 2 s at about 1 s in
mc_bg "$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.2 -n 3000 --rate 1000 \
	--connect-timeout 500ms --hold 500ms --json -q >"$c"
cli=$MC_LAST
sleep 1
kill -STOP $cli
sleep 2
kill -CONT $cli
wait $cli
mc_eq "stopped client: exit code" 0 $?
mc_eq "stopped client: established" 3000 "$(jq .established "$c")"
mc_eq "stopped client: no ETIMEDOUT" null "$(jq '.failures.ETIMEDOUT' "$c")"
mc_eq "stopped client: nothing failed" 0 "$(jq .failed "$c")"
mc_ge "stopped client: stalls reported" 1 "$(jq .behind.stalls "$c")"
mc_eq "stopped client: the longest stall >= 1.5 s" true "$(jq '.behind.longest_stall_s >= 1.5' "$c")"
mc_eq "stopped client: connects queued behind the schedule, up to >= 1.5 s" true \
	"$(jq '.connect_queued_us.max >= 1500000' "$c")"
# the kernel's connect time is not the stop: loopback handshakes stay fast
mc_eq "stopped client: connect latency p99 < 100 ms" true "$(jq '.connect_latency_us.p99 < 100000' "$c")"

# a burst on one pair: latency from each connect() call, the kernel's
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.3 -n 2000 --hold 0 --json -q >"$c"
mc_eq "burst: exit code" 0 $?
mc_eq "burst: established" 2000 "$(jq .established "$c")"
mc_eq "burst: connect latency p50 < 2 ms (the kernel's, not the burst's)" true \
	"$(jq '.connect_latency_us.p50 < 2000' "$c")"
mc_eq "burst: nothing queued without a rate" 0 "$(jq .connect_queued_us.count "$c")"

# a busy worker: a deadline shorter than the burst
"$MAXCONN" client -c 127.0.0.1:9000 -s 127.0.0.4 -n 4000 --connect-timeout 10ms --hold 0 \
	--json -q >"$c"
mc_eq "busy worker: exit code" 0 $?
mc_eq "busy worker: established" 4000 "$(jq .established "$c")"
mc_eq "busy worker: no ETIMEDOUT" null "$(jq '.failures.ETIMEDOUT' "$c")"

mc_stop $srv
