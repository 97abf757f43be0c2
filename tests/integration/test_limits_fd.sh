#!/bin/bash
# test_limits_fd.sh: the per-process fd ceiling predicted by `maxconn limits`
# is the one `maxconn server` meets. With a soft and hard RLIMIT_NOFILE of
# 1000 (prlimit), limits predicts (1000 - 8 overhead fds) = 992 and names
# fd_process; a one-worker server then holds that many, within the overhead
# estimate (maxconn server keeps a few more fds than the 8 limits assumes:
# stdio, epoll, control eventfd, listener, EMFILE reserve and a margin), and
# refuses the rest as fd_limit.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
"$MAXCONN" server --help 2>&1 | grep -q -- --listen || mc_fail "this maxconn has no such option: a build older than the test"

j=$(prlimit --nofile=1000:1000 "$MAXCONN" limits --fd-tables 1 --json)
pred=$(echo "$j" | jq .summary.connections)
mc_eq "predicted ceiling" 992 "$pred"
mc_eq "predicted limit" '"fd_process"' "$(echo "$j" | jq .summary.binding)"
mc_eq "RLIMIT_NOFILE read" 1000 "$(echo "$j" | jq '.limits[]|select(.id=="fd_process").values.soft')"

# two tables double it
mc_eq "predicted with 2 fd tables" 1984 \
	"$(prlimit --nofile=1000:1000 "$MAXCONN" limits --fd-tables 2 --json | jq .summary.connections)"

mc_server s prlimit --nofile=1000:1000 "$MAXCONN" server --listen 127.0.0.1:9000 --workers 1
srv=$MC_SRV

timeout 60 "$MAXCONN" client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.3 --conns 1200 \
	--hold 2s --connect-timeout 5s --json -q >"$MC_TMP/c.json"
mc_stop "$srv"
mc_eq "server exit code (a host limit refused connections)" 3 $?

held=$(jq .held_peak "$MC_TMP/s.json")
refused=$(jq .refused.fd_limit "$MC_TMP/s.json")
# within the 8-fd overhead estimate below the prediction, never above it
mc_between "server held (predicted $pred)" $((pred - 8)) "$pred" "$held"
mc_eq "refused for fds = 1200 - held" $((1200 - held)) "$refused"
mc_eq "server names the limit limits predicted" '"fd_process"' "$(jq .limit "$MC_TMP/s.json")"
exit 0
