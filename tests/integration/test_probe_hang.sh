#!/bin/bash
# test_probe_hang.sh: --server-metrics pages that hang never stall the
# probe (issue 22, item 4). Four exporters answer one scrape and then hang
# on every later one (hang_exporter.pl); a maxconn server's --metrics is
# a good one. A probe with --metrics of its own (which reads the
# server host's sockets once a second) ramps 8,000 connections at 1,500/s:
#   - with the good page and three that hang, its time series has no gap
#     over 1 s, and the server host is known (the good page came in every
#     round);
#   - with the four that hang, no gap either, and Ctrl-C (SIGINT to its
#     process group) a few seconds in: it exits 130 with its report within
#     1 s.
# Before, the pages were read one after another, 2 s each: 8 s without a
# sample, and Ctrl-C waited for them.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq setsid

mc_server srv "$MAXCONN" server --listen 127.0.0.1:9000 --metrics 127.0.0.1:9464
mc_bg perl "$(dirname "$0")/hang_exporter.pl" 4 120 >"$MC_TMP/hang.ports"
for _ in $(seq 50); do grep -q ready "$MC_TMP/hang.ports" && break; sleep 0.1; done
grep -q ready "$MC_TMP/hang.ports" || mc_fail "hang_exporter.pl did not start"
hang=()
for p in $(grep -v ready "$MC_TMP/hang.ports"); do
	hang+=(--server-metrics "http://127.0.0.1:$p/metrics")
done
mc_eq "hanging --server-metrics URLs" 4 $((${#hang[@]} / 2))

# max_gap JSON: the largest gap between two samples, in ms
max_gap() { jq '[.samples as $s | range(1; $s|length) | ($s[.].t - $s[.-1].t)] | max * 1000 | floor' "$1"; }

# 1. the whole ramp, with the good page and three that hang (the probe
# takes four at most): samples at least once a second
timeout 60 "$MAXCONN" probe -q --target-addr 127.0.0.1:9000 --target 8000 --rate 1500 \
	--metrics 127.0.0.1:9466 --server-metrics http://127.0.0.1:9464/metrics "${hang[@]:0:6}" \
	--json "$MC_TMP/p.json"
rc=$?
j=$MC_TMP/p.json
mc_eq "exit code (target reached)" 0 $rc
mc_eq "reached" 8000 "$(jq .result.reached "$j")"
mc_ge "samples" 30 "$(jq '.samples|length' "$j")"
mc_le "largest gap between samples (ms)" 1000 "$(max_gap "$j")"
mc_eq "the server host known (the good page)" true "$(jq .server_host.known "$j")"

# 2. four that hang (each answered the reading before the client started):
# samples at least once a second, and Ctrl-C a few seconds in, while every
# round waits on them
mc_bg setsid "$MAXCONN" probe -q --target-addr 127.0.0.1:9000 --target 8000 --rate 1000 \
	--metrics 127.0.0.1:9466 "${hang[@]}" --json "$MC_TMP/i.json"
probe=$MC_LAST
# a few seconds in: once 1,000 are up (each step first measures what a
# socket costs here, which takes a second or more on a busy host: a fixed
# 3.5 s found 906 up), and a second more
mc_wait_established 'dport = :9000' 1000 20
sleep 1
mc_eq "the probe leads its process group" "$probe" "$(ps -o pgid= -p "$probe" | tr -d ' ')"
t0=$(date +%s%N)
kill -INT -- -"$probe"
wait "$probe"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
mc_eq "exit code after Ctrl-C" 130 $rc
mc_le "from SIGINT to exit (ms)" 1000 $ms
j=$MC_TMP/i.json
mc_eq "stop" '"interrupted"' "$(jq .result.stop "$j")"
mc_le "largest gap between samples before Ctrl-C (ms)" 1000 "$(max_gap "$j")"
mc_between "reached before Ctrl-C" 1000 7999 "$(jq .result.reached "$j")"
