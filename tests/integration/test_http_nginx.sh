#!/bin/bash
# test_http_nginx.sh: --proto http against a real web server, Debian's
# nginx, in this test's private namespace with client_header_timeout 3s.
# Raw tcp connections send nothing, so nginx closes each one 3 s after its
# accept, saying nothing: the client holds them at 1 s and has lost them
# all by 6 s (peer_closed, nothing quoted), and the probe says the server
# closed them, said nothing (server_closes_idle, not server_refuses). With
# --proto http each connection sends GET / and is held once nginx's 200
# came whole; its heartbeat (the request again, every 1 s) keeps 2,000 held
# for 10 s: every answer counted, no failure. A server answering 503 or
# 429 fails them by protocol cause, its status line quoted (the probe:
# server_answer).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || mc_skip tool nginx "nginx not installed (scripts/deps nginx)"

N=2000
mkdir -p "$MC_TMP/ngx"
# one worker in the foreground; its pid file, log and temp files its own
cat >"$MC_TMP/ngx/nginx.conf" <<CONF
daemon off; worker_processes 1; worker_rlimit_nofile 8192;
pid $MC_TMP/ngx/nginx.pid; error_log $MC_TMP/ngx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_header_timeout 3s;
	keepalive_timeout 5s;
	keepalive_requests 1000000;
$(for t in client_body proxy fastcgi uwsgi scgi; do echo "	${t}_temp_path $MC_TMP/ngx/$t;"; done)
	server { listen 127.0.0.1:8080 backlog=4096; return 200 "ok\n"; }
	server { listen 127.0.0.1:8081; return 503; }
	server { listen 127.0.0.1:8082; return 429; }
}
CONF
mc_bg "$NGINX" -e "$MC_TMP/ngx/error.log" -p "$MC_TMP/ngx" -c "$MC_TMP/ngx/nginx.conf"
for _ in $(seq 50); do
	ss -Htln "sport = :8082" | grep -q . && break
	sleep 0.1
done
ss -Htln "sport = :8082" | grep -q . || mc_fail "nginx did not listen: $(cat "$MC_TMP/ngx/error.log")"

# raw tcp: held at 1 s (before client_header_timeout), all closed by 6 s
"$MAXCONN" client -q --json -c 127.0.0.1:8080 -n $N --hold 1s >"$MC_TMP/t1.json"
mc_eq "tcp: held at 1 s" $N "$(jq .held "$MC_TMP/t1.json")"
"$MAXCONN" client -q --json -c 127.0.0.1:8080 -n $N --hold 6s >"$MC_TMP/t6.json"
cat "$MC_TMP/t6.json" | jq -c '{held, lost, server_said}'
mc_eq "tcp: held at 6 s (nginx closed them at 3 s)" 0 "$(jq .held "$MC_TMP/t6.json")"
mc_eq "tcp: lost, the server closing them" $N "$(jq .lost.peer_closed "$MC_TMP/t6.json")"
mc_eq "tcp: nothing quoted (nginx said nothing)" 0 "$(jq '.server_said|length' "$MC_TMP/t6.json")"

timeout 60 "$MAXCONN" probe -q --target-addr 127.0.0.1:8080 --target $N --hold 5s \
	--json "$MC_TMP/pt.json" >"$MC_TMP/pt.out"
rc=$?
grep -E "happened|predicted .* reached" "$MC_TMP/pt.out"
mc_eq "probe tcp: exit code (the server's limit)" 3 $rc
mc_eq "probe tcp: limit" '"server_closes_idle"' "$(jq .result.limit "$MC_TMP/pt.json")"
jq -r .result.happened "$MC_TMP/pt.json" | grep -q "the server closed every connection ($N).*it said nothing" ||
	mc_fail "probe tcp: the sentence: $(jq -r .result.happened "$MC_TMP/pt.json")"
jq -r .result.happened "$MC_TMP/pt.json" | grep -q "it said \"" &&
	mc_fail "probe tcp: quotes something nginx did not say"

# http: 2,000 held 10 s by their keep-alive heartbeats, every answer counted
"$MAXCONN" client -q --json -c 127.0.0.1:8080 -n $N --proto http --every 1s --hold 10s \
	>"$MC_TMP/h.json"
rc=$?
j="$MC_TMP/h.json"
jq -c '{held, failed, lost, http, traffic}' "$j"
mc_eq "http: exit code" 0 $rc
mc_eq "http: held at 10 s" $N "$(jq .held "$j")"
mc_eq "http: failed" 0 "$(jq .failed "$j")"
mc_eq "http: lost" 0 "$(jq '[.lost[]]|add // 0' "$j")"
mc_eq "http: failed by protocol cause" 0 "$(jq '[.http.failed[]]|add' "$j")"
mc_eq "http: answers counted = the requests sent" "$(jq .traffic.msgs_sent "$j")" "$(jq .http.responses "$j")"
# the first request's and about 10 heartbeats each (the hold starts once all
# are up; a connection's first heartbeat is in the sweep's next round)
mc_ge "http: answers (first + ~10 heartbeats each)" $((N * 9)) "$(jq .http.responses "$j")"

timeout 60 "$MAXCONN" probe -q --target-addr 127.0.0.1:8080 --target $N --proto http \
	--heartbeat 1s --hold 2s --json "$MC_TMP/ph.json" >"$MC_TMP/ph.out"
rc=$?
grep -E "happened" "$MC_TMP/ph.out"
mc_eq "probe http: exit code (target reached)" 0 $rc
mc_eq "probe http: reached" $N "$(jq .result.reached "$MC_TMP/ph.json")"
mc_eq "probe http: client held" $N "$(jq .steps[0].client_held "$MC_TMP/ph.json")"

# refusals by protocol cause, the status line quoted
for s in 503:8081 429:8082; do
	code=${s%%:*}
	"$MAXCONN" client -q --json -c 127.0.0.1:${s##*:} -n 20 --proto http --hold 0 >"$MC_TMP/r.json"
	jq -c '{held, failures, http, server_said}' "$MC_TMP/r.json"
	mc_eq "http $code: held" 0 "$(jq .held "$MC_TMP/r.json")"
	mc_eq "http $code: failed, protocol" 20 "$(jq .failures.protocol "$MC_TMP/r.json")"
	mc_eq "http $code: by protocol cause" 20 "$(jq ".http.failed[\"$code\"]" "$MC_TMP/r.json")"
	jq -r '.server_said[0].text' "$MC_TMP/r.json" | grep -q "^\"HTTP/1.1 $code " ||
		mc_fail "http $code: the status line quoted: $(jq -c .server_said "$MC_TMP/r.json")"
done
timeout 60 "$MAXCONN" probe -q --target-addr 127.0.0.1:8081 --target 200 --proto http \
	--json "$MC_TMP/p5.json" >/dev/null
mc_eq "probe http 503: limit, the server's answer" '"server_answer"' "$(jq .result.limit "$MC_TMP/p5.json")"
jq -r .result.happened "$MC_TMP/p5.json" | grep -q 'refused 200 connections.*it said "HTTP/1.1 503 ' ||
	mc_fail "probe http 503: the sentence: $(jq -r .result.happened "$MC_TMP/p5.json")"
"$MAXCONN" client -c 127.0.0.1:8080 --proto wss 2>"$MC_TMP/e" && mc_fail "--proto wss accepted"
grep -q "not built yet" "$MC_TMP/e" || mc_fail "--proto wss: $(cat "$MC_TMP/e")"
echo "ok: --proto wss: $(head -1 "$MC_TMP/e")"
