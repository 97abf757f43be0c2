#!/bin/bash
# test_probe_secrets.sh: a password given in a --server-metrics URL
# (http://USER:PASSWORD@HOST/metrics, node_exporter's basic auth) never
# leaves the process: not on stdout or stderr (the summary, the live line,
# errors, usage errors), not in --json, not in --html. One probe with a URL
# that fails (nothing listens there: the error names the URL), one with a
# URL that answers (a maxconn server's --metrics, which ignores the
# credentials) and the failing one beside it, and a usage error. The
# passwords are grepped for in everything the probe wrote: none.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq

PW1=S3cretPass PW2='An0ther%40Pass' PW2D='An0ther@Pass'
mc_server srv "$MAXCONN" server --listen 127.0.0.1:9000 --metrics 127.0.0.1:9464

# no_secret NAME FILE...: none of the passwords, as typed or decoded
no_secret() {
	local name=$1; shift
	if grep -n -F -e "$PW1" -e "$PW2" -e "$PW2D" "$@"; then
		mc_fail "$name: a password is in $*"
	fi
	echo "ok: $name: no password in $*"
}

# probe NAME URL...: a probe of 200 connections with these --server-metrics,
# its stdout, stderr, JSON and HTML in $MC_TMP/NAME.*; it reaches them
probe() {
	local name=$1 rc; shift
	timeout 60 "$MAXCONN" probe --target-addr 127.0.0.1:9000 --target 200 --hold 0 \
		"${@/#/--server-metrics=}" --json "$MC_TMP/$name.json" --html "$MC_TMP/$name.html" \
		>"$MC_TMP/$name.out" 2>"$MC_TMP/$name.err"
	rc=$?
	cat "$MC_TMP/$name.out"
	mc_eq "$name: exit code (target reached)" 0 $rc
}

# the fetch fails: the server host is unknown, and the error says why
probe f "http://admin:$PW1@127.0.0.1:1/metrics"
mc_eq "failing fetch: the server host unknown" false "$(jq .server_host.known "$MC_TMP/f.json")"
jq -r .server_host.error "$MC_TMP/f.json" | grep -qF "http://admin:***@127.0.0.1:1/metrics: " ||
	mc_fail "the error does not name the URL without its password: $(jq .server_host.error "$MC_TMP/f.json")"
grep -qF "unknown    http://admin:***@127.0.0.1:1/metrics: " "$MC_TMP/f.out" ||
	mc_fail "the summary does not show the error with the URL redacted"
grep -qF "http://admin:***@127.0.0.1:1/metrics: " "$MC_TMP/f.html" ||
	mc_fail "the HTML page does not show the error with the URL redacted"
no_secret "failing fetch" "$MC_TMP/f.out" "$MC_TMP/f.err" "$MC_TMP/f.json" "$MC_TMP/f.html"

# one URL answers (its credentials are ignored there), the other fails
probe a "http://admin:$PW2@127.0.0.1:9464/metrics" "http://admin:$PW1@127.0.0.1:1/metrics"
mc_eq "answering fetch: the server host known" true "$(jq .server_host.known "$MC_TMP/a.json")"
mc_eq "answering fetch: from the maxconn server" '"maxconn server"' "$(jq .server_host.source "$MC_TMP/a.json")"
no_secret "answering fetch" "$MC_TMP/a.out" "$MC_TMP/a.err" "$MC_TMP/a.json" "$MC_TMP/a.html"

# a usage error shows what was typed, without the password
"$MAXCONN" probe --target-addr 127.0.0.1:9000 --server-metrics "admin:$PW1@127.0.0.1:9100/metrics" \
	>"$MC_TMP/u.out" 2>"$MC_TMP/u.err"
mc_eq "usage error: exit code" 2 $?
grep -qF "'admin:***@127.0.0.1:9100/metrics': use a URL" "$MC_TMP/u.err" ||
	mc_fail "the usage error does not show the value redacted: $(cat "$MC_TMP/u.err")"
no_secret "usage error" "$MC_TMP/u.out" "$MC_TMP/u.err"
mc_stop "$MC_SRV"
