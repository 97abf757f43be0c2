#!/bin/bash
# test_cli_errors.sh: bad input gets a message naming the bad value and exit
# code 2, never a crash or a hang; --help and --version work.
. "$(dirname "$0")/lib.sh"

expect() { # expect CODE PATTERN ARGS...
	local code=$1 pat=$2; shift 2
	out=$(timeout 10 "$MAXCONN" "$@" 2>&1 </dev/null)
	rc=$?
	[ $rc -eq "$code" ] || mc_fail "maxconn $*: exit $rc, expected $code; said: $out"
	echo "$out" | grep -qF -- "$pat" || mc_fail "maxconn $*: message lacks '$pat': $out"
	echo "ok: maxconn $* -> $rc: $(echo "$out" | head -1)"
}

expect 2 "not a command" frobnicate
expect 2 "Usage" 
expect 0 "maxconn 0." --version
expect 0 "Exit codes" --help
expect 0 "--listen" server --help
expect 0 "IP_BIND_ADDRESS_NO_PORT" client --help
expect 2 "unknown option '--bogus'" server --bogus
expect 2 "unknown option '--bogus'" client --bogus -c 127.0.0.1:9
expect 2 "'300.1.1.1'" server --listen 300.1.1.1:9000
expect 2 "no port" server --listen 127.0.0.1
expect 2 "9010-9000" server --listen 127.0.0.1:9010-9000
expect 2 "brackets" client -c ::1:9000
expect 2 "'12q'" client -c 127.0.0.1:9000 --conns 12q
expect 2 "'-5'" client -c 127.0.0.1:9000 --conns -5
expect 2 "'5parsecs'" client -c 127.0.0.1:9000 --hold 5parsecs
expect 2 "'10.0.0.9-10.0.0.1'" client -c 127.0.0.1:9000 --source 10.0.0.9-10.0.0.1
expect 2 "prefix" client -c 127.0.0.1:9000 --source 127.0.0.0/40
expect 2 "--connect" client --conns 10
expect 2 "needs a value" client -c
expect 2 "IPv6" client -c [::1]:9000 --source 127.0.0.2
expect 2 "not an address of this host" client -c 127.0.0.1:9000 --source 192.0.2.77
expect 2 "--every" client -c 127.0.0.1:9000 --send ping
expect 2 "use hold, echo or unread" server --mode shout
expect 2 "'0'" server --workers 0
# --metrics shows what was typed, not the 0.0.0.0 it reads ":PORT" as (issue 22)
expect 2 "--metrics ':9464x': use ADDR:PORT" server --metrics :9464x
echo "$out" | grep -qF "0.0.0.0" && mc_fail "--metrics :9464x: the message shows 0.0.0.0: $out"
expect 2 "unexpected argument" server extra
# the port preflight: 100k connections from one source to one destination
expect 3 "--source 127.0.0.2-127.0.0." client -c 127.0.0.1:9 --conns 100k
# probe: bad values are named, nothing is started, unwritable reports fail first
expect 2 "--target '0'" probe --target 0
expect 2 "epoll, threads or uring" probe --model fibers
expect 2 "'60000-1000': the port range ends before it starts" probe --port-range 60000-1000
expect 2 "/nonexistent/r.json" probe --json /nonexistent/r.json
expect 2 "goes with --target-addr" probe --server-pid 1
expect 2 "unknown option" probe --bogus

# every usage error names the value it refuses (issue 12)
expect 2 "--max-conns: 'abc' is not a count" server --max-conns abc
expect 2 "--max-conns '0'" server --max-conns 0
expect 2 "'99999999999h' is too long" client -c 127.0.0.1:9 --connect-timeout 99999999999h
expect 2 "--connect-timeout '0'" client -c 127.0.0.1:9 --connect-timeout 0
expect 2 "unknown option '-x'" server -xq
# long options: ambiguous, a value to a flag, a near miss named
expect 2 "ambiguous option '--mod': it could be --mode, --model" server --mod epoll
expect 2 "unknown option '--taget' (did you mean --target?)" probe --taget 10
expect 2 "--quiet takes no value ('--quiet=yes')" client --quiet=yes -c 127.0.0.1:9
expect 2 "unknown option '--jsn' (did you mean --json?)" limits --jsn
expect 2 "unknown option '-x'" server -qx
expect 2 "unknown option '-x'" server --json -xq
expect 2 "-n needs a value" server -qn
expect 2 "'127.0.0.1-'" client -c 127.0.0.1:9 -s 127.0.0.1-
expect 2 "':9000' has no address" server --listen :9000
# decimals that name a whole number are counts; the others are refused, named
mc_eq "limits --target 4.1M" 4100000 "$("$MAXCONN" limits --target 4.1M --json | jq .scenario.target)"
mc_eq "limits --dest-addrs 16.1k" 16100 "$("$MAXCONN" limits --dest-addrs 16.1k --json | jq .scenario.dest_addrs)"
mc_eq "limits --target 8.2G" 8200000000 "$("$MAXCONN" limits --target 8.2G --json | jq .scenario.target)"
expect 2 "'1.2345k' is not a whole number" limits --target 1.2345k
# server --duration 0 would run until a signal: refused
expect 2 "--duration '0'" server --duration 0
# --fd-limit above the hard limit: refused, naming the hard limit
out=$(prlimit --nofile=1000:1000 "$MAXCONN" probe --fd-limit 5000 2>&1)
mc_eq "probe --fd-limit above the hard limit: exit code" 2 $?
case $out in *"'5000'"*"hard limit on open files, 1000"*) echo "ok: $out" ;;
*) mc_fail "probe --fd-limit 5000 under a hard limit of 1000 said: $out" ;; esac
# --port-range: digits only
expect 2 "' 40000-40299' is not a port range" probe --port-range " 40000-40299"
expect 2 "'+40000-+40299' is not a port range" probe --port-range +40000-+40299
# --ready-file is checked before any listener opens: with a listen address
# that cannot be bound (TEST-NET-1 is no address of this host), the ready
# file is the error, not the listener
expect 1 "--ready-file /nonexistent/dir/r" server --listen 192.0.2.1:9000 --ready-file /nonexistent/dir/r
