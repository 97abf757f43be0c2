#!/bin/bash
# shellcheck disable=SC2046 # $(addrs ...) splits on purpose: one argument per address
# test_metrics_abuse.sh: the --metrics endpoint under attack (issue 22,
# row 3). While slowloris peers (a header line every 3 s, never the end of
# the request; reconnecting when closed) hold connections to it, from one
# address, from several, beyond the endpoint's 128 places, or from the
# scraper's own address, a scraper's every scrape (one every 0.5 s) is
# answered within 1 s. A crowd of keep-alive scrapers beyond the cap is
# served or refused at once: none is left to time out in the listen queue.
# The peers are metrics_peer.pl; the server's JSON counts what its
# endpoint refused and closed for room.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need curl perl jq
PEER=$(dirname "$0")/metrics_peer.pl
S=http://127.0.0.1:9464/metrics

mc_server srv "$MAXCONN" server --listen 127.0.0.1:9000 --metrics 127.0.0.1:9464

# addrs FIRST N: 127.0.0.FIRST and the N-1 after it
addrs() { seq "$1" $(($1 + $2 - 1)) | sed 's/^/127.0.0./'; }

# slowloris NAME CONNS SRC...: CONNS slowloris peers from SRC for 13 s;
# once they are connected, 20 scrapes from 127.0.0.1, one every 0.5 s,
# each bounded to 1 s: all 20 answered
slowloris() {
	local name=$1 conns=$2 pid ok=0 i r; shift 2
	mc_bg perl "$PEER" slowloris 127.0.0.1 9464 "$conns" 13 "$@" >"$MC_TMP/peer"
	pid=$MC_LAST
	# every case holds at least 16 (the endpoint's places for one address)
	mc_wait_established 'dport = :9464' 16 5
	echo "$name: $(mc_ss_established '( dport = :9464 )') connections to the endpoint"
	for i in $(seq 20); do
		r=$(curl -s -o /dev/null --max-time 1 -w '%{http_code} (curl exit %{exitcode}, %{time_total} s)' $S)
		[ "${r%% *}" = 200 ] && ok=$((ok + 1)) || echo "$name: scrape $i: $r"
		sleep 0.5
	done
	wait "$pid"
	echo "$name: the peers: $(cat "$MC_TMP/peer")"
	mc_eq "$name: scrapes answered within 1 s" 20 "$ok"
}
slowloris "64 slowloris from 127.0.0.2" 64 127.0.0.2
slowloris "64 slowloris from 127.0.0.2-9" 64 $(addrs 2 8)
slowloris "256 slowloris from 127.0.0.2-17" 256 $(addrs 2 16)
# from the scraper's own address (a proxy, a port-forward): 16 held, 48
# more coming back every 0.5 s, each taking the place of the one that has
# waited longest; the scraper's connection takes one too, and its request
# is whole before 16 more arrivals could take its place
slowloris "64 slowloris from the scraper's 127.0.0.1" 64 127.0.0.1

# a crowd: 400 keep-alive scrapers from 25 addresses at once, 3 times the
# endpoint's 128 places; each is answered or refused within 2 s. Three
# crowds one after another: the library's epoll mode left a whole crowd's
# 128 admitted connections unread now and then (served 0, timed out 128)
crowd() {
	local n=$1
	perl "$PEER" crowd 127.0.0.1 9464 400 4 $(addrs 20 25) >"$MC_TMP/crowd"
	echo "crowd $n: $(cat "$MC_TMP/crowd")"
	read -r _ _ _ opened _ served _ refused _ timedout <"$MC_TMP/crowd"
	mc_eq "crowd $n: connections made" 400 "$opened"
	if [ -z "${MC_SANITIZE:-}" ]; then
		mc_eq "crowd $n: connections timed out (connect or answer)" 0 "$timedout"
		mc_ge "crowd $n: served (the endpoint's places at least)" 128 "$served"
		mc_eq "crowd $n: served + refused" 400 $((served + refused))
	else
		# the sanitizer build renders a page several times slower: 128
		# pages at once take the endpoint's one thread longer than a
		# scraper's 2 s (0 of 128 answered in time once, 181 served and
		# 219 turned away another time); it must still turn part of the
		# crowd away, account for every connection, and answer the next
		# scrape (below)
		mc_eq "crowd $n (sanitizer build): every connection served, refused or late" 400 \
			$((served + refused + timedout))
		mc_ge "crowd $n (sanitizer build): turned away at once" 1 "$refused"
	fi
	crowd_served=$((crowd_served + served))
}
crowd_served=0
crowd 1
crowd 2
crowd 3
mc_eq "after the crowd: a scrape" 200 "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' $S)"

mc_stop "$MC_SRV"
echo "server's endpoint: $(jq -c .metrics "$MC_TMP/srv.json")"
# the crowd's turned away: refused, or closed for a newer arrival before
# their request was read (the slowloris peers' closes count there too)
mc_ge "server's endpoint: refused and closed for room" $((3 * 400 - crowd_served)) \
	"$(jq '.metrics.refused + .metrics.evicted' "$MC_TMP/srv.json")"
mc_ge "server's endpoint: closed for room" 1000 "$(jq .metrics.evicted "$MC_TMP/srv.json")"
