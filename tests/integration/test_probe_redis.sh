#!/bin/bash
# test_probe_redis.sh: a probe against Debian's redis-server, run in this
# test's private namespace, telling apart the two ways it ends connections
# and counting what it really holds:
#  - protected mode (no password): redis answers every client that is not
#    127.0.0.1 with "-DENIED Redis is running in protected mode..." and
#    closes. The probe (sources 127.0.0.2 on) must name a refusal
#    (server_refuses), show what redis said, and hold 0; with
#    --source 127.0.0.1 the same redis takes them all. maxconn client
#    shows the same words in its summary and its JSON.
#  - maxclients 10000 (protected mode off): past it redis answers
#    "-ERR max number of clients reached" and closes. The probe must name
#    the server's own limit, show that line, and with --server-pid report
#    what redis holds (its own sockets) within 1% of 10000, not the
#    client's count of connections redis had not accepted yet.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
REDIS=$(command -v redis-server || echo /usr/bin/redis-server)
[ -x "$REDIS" ] || mc_skip tool redis-server "redis-server not installed (scripts/deps redis-server)"

# start_redis NAME PROTECTED MAXCLIENTS: redis on 127.0.0.1:6379, its pid in $RDS.
# Its accept queue is the namespace's somaxconn (4096), not redis' default
# 511: a probe ramping at 5,000/s against a redis slowed by a busy host
# overflowed 511 (6,502 ListenOverflows; the kernel completed connections
# redis never saw), and the probe then rightly named the accept queue, not
# maxclients, which is what this test is about. The maxclients probe ramps
# at 2,000/s for the same reason.
start_redis() {
	mkdir -p "$MC_TMP/$1"
	cat >"$MC_TMP/$1/redis.conf" <<CONF
port 6379
bind 127.0.0.1
tcp-backlog 4096
protected-mode $2
maxclients $3
daemonize no
save ""
appendonly no
dir $MC_TMP/$1
logfile $MC_TMP/$1/redis.log
CONF
	mc_bg "$REDIS" "$MC_TMP/$1/redis.conf"
	RDS=$MC_LAST
	for _ in $(seq 50); do
		ss -Htln "sport = :6379" | grep -q . && return
		sleep 0.1
	done
	mc_fail "redis did not listen: $(cat "$MC_TMP/$1/redis.log")"
}

# probe OUT ARGS...: run a bounded probe against redis, JSON in $MC_TMP/OUT.json
probe() {
	local out=$1; shift
	timeout 120 "$MAXCONN" probe -q --target-addr 127.0.0.1:6379 --json "$MC_TMP/$out.json" \
		"$@" >"$MC_TMP/$out.txt"
	PRC=$?
	cat "$MC_TMP/$out.txt"
	J=$MC_TMP/$out.json
}

said() { jq -r '[.steps[0].evidence[]|select(.what|startswith("server said"))|.text]|join(" | ")' "$J"; }

# 1. protected mode: a refusal at once, in redis' own words
start_redis protected yes 10000
probe denied --server-pid "$RDS" --target 2000
mc_eq "exit code (stopped by the server)" 3 $PRC
mc_eq "limit: the server refuses this client" '"server_refuses"' "$(jq .result.limit "$J")"
mc_eq "reached (redis' own sockets)" 0 "$(jq .result.reached "$J")"
case "$(said)" in
*'-DENIED Redis is running in protected mode'*) echo "ok: redis said: $(said)" ;;
*) mc_fail "the probe did not show what redis said: '$(said)'" ;;
esac
case "$(jq -r .result.happened "$J")" in
*'-DENIED Redis is running in protected mode'*) echo "ok: and the result says it" ;;
*) mc_fail "the result does not say what redis said: $(jq -r .result.happened "$J")" ;;
esac
mc_ge "connections that carried it" 1 \
	"$(jq '[.steps[0].evidence[]|select(.what=="server said: peer_closed").value]|add' "$J")"

# 1b. maxconn client against it shows the same words: 50 connections from
# 127.0.0.2, each told "-DENIED ..." and closed
timeout 60 "$MAXCONN" client -c 127.0.0.1:6379 -s 127.0.0.2 -n 50 --hold 1s >"$MC_TMP/c.txt"
mc_eq "client exit code (connections lost)" 1 $?
cat "$MC_TMP/c.txt"
grep -q '^  the server said, then ended: [0-9]* x peer_closed: "-DENIED Redis is running in protected mode' \
	"$MC_TMP/c.txt" || mc_fail "the client's summary does not show what redis said"
timeout 60 "$MAXCONN" client -c 127.0.0.1:6379 -s 127.0.0.2 -n 50 --hold 1s --json >"$MC_TMP/c.json"
case "$(jq -r '.server_said[0].text' "$MC_TMP/c.json")" in
'"-DENIED Redis is running in protected mode'*) echo "ok: server_said in the client's JSON" ;;
*) mc_fail "server_said in the client's JSON: $(jq -c .server_said "$MC_TMP/c.json")" ;;
esac
mc_eq "its cause" '"peer_closed"' "$(jq '.server_said[0].cause' "$MC_TMP/c.json")"
# every connection was told, and one message is one entry: 50 in all
mc_eq "connections that carried it" 50 "$(jq '[.server_said[].conns]|add' "$MC_TMP/c.json")"

# 2. the same redis from 127.0.0.1 (--source): every connection is taken
probe local --server-pid "$RDS" --target 2000 --source 127.0.0.1
mc_eq "exit code from 127.0.0.1" 0 $PRC
mc_eq "reached from 127.0.0.1 (redis' own sockets)" 2000 "$(jq .result.reached "$J")"
mc_eq "the scenario's sources" 1 "$(jq .steps[0].scenario.sources "$J")"
mc_stop "$RDS"

# 3. maxclients 10000: the server's own limit, counted where it is held
start_redis full no 10000
probe full --server-pid "$RDS" --target 12000 --rate 2000
mc_eq "exit code (the server's limit)" 3 $PRC
mc_eq "limit: the server's own" '"server"' "$(jq .result.limit "$J")"
mc_eq "reached is counted in the server" '"server_sockets"' "$(jq .steps[0].reached_from "$J")"
mc_between "reached: redis' maxclients 10000, within 1%" 9900 10100 "$(jq .result.reached "$J")"
case "$(said)" in
*'-ERR max number of clients reached'*) echo "ok: redis said: $(said)" ;;
*) mc_fail "the probe did not show redis' refusal: '$(said)'" ;;
esac
mc_eq "the server's name" '"redis-server"' "$(jq .server_name "$J")"
mc_stop "$RDS"
