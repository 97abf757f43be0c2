#!/bin/bash
# test_enfile.sh: fs.file-max binds processes without CAP_SYS_ADMIN. Run by
# user nobody, a server holding 300 connections meets the system's file
# limit when it is lowered below what the host has open (fs.file-max 1,
# restored on exit; the lock "file_max" keeps other runs of these tests
# off it, mc_nobody's lock any other test's nobody): it refuses the next
# connections counting them as refused.fd_system, starts no extra workers
# for them, and exits 3 naming fd_system. A probe run by nobody meets the
# same limit mid-ramp, names fd_system, and shows the /proc readings that
# failed with ENFILE as unreadable, never as 0.
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
mc_nobody || mc_skip $(mc_nobody_why) "no user nobody (or no setpriv)"
mc_lock file_max
fmax0=$(cat /proc/sys/fs/file-max)
restore() { sysctl -qw fs.file-max="$fmax0"; }
trap 'restore; mc_cleanup' EXIT
# a sanitizer build (make integration-asan): LeakSanitizer's check at exit
# stops the threads from a helper task that reads /proc/PID/task; with no
# file left in the system the helper dies and the check waits for it forever
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"

mc_server nobody/s1 "${MC_AS_NOBODY[@]}" "$MC_NOBODY_BIN" server --listen 127.0.0.1:9000
srv=$MC_SRV
mc_bg "$MAXCONN" client -q -c 127.0.0.1:9000 -s 127.0.0.2 -n 300 --hold 10s
c1=$MC_LAST
mc_wait_established 'sport = :9000' 300 10
mc_eq "held before the limit" 300 "$(mc_ss_established 'sport = :9000')"
workers0=$(ls /proc/$srv/task | wc -l)
sysctl -qw fs.file-max=1
# the client runs as root: exempt, its connections complete; the server's
# accept() cannot have a file for them
"$MAXCONN" client -q -c 127.0.0.1:9000 -s 127.0.0.3 -n 300 --hold 1s >/dev/null
workers1=$(ls /proc/$srv/task | wc -l)
# past the server's once-a-second growth check: a worker that the host
# refuses (no file for its epoll) must stop the growth, not be retried
sleep 1.2
mc_stop $srv
rc=$?
restore
kill $c1 2>/dev/null
mc_eq "server exit code (a host limit refused connections)" 3 $rc
s="$MC_TMP/nobody/s1.json"
mc_eq "server names the limit" '"fd_system"' "$(jq .limit "$s")"
mc_ge "refused at the system's file limit" 1 "$(jq .refused.fd_system "$s")"
mc_eq "none refused as a full fd table" 0 "$(jq .refused.fd_limit "$s")"
mc_eq "held at most what it had before the limit" 300 "$(jq .held_peak "$s")"
# (the pool may still add the one worker it plans from the start)
mc_le "no worker added for it (threads before: $workers0)" $((workers0 + 1)) "$workers1"
mc_le "workers the server started (threads before: $workers0)" "$workers0" "$(jq .workers "$s")"

# the probe as nobody (no namespace of its own: it runs in this test's);
# no --json: a report file cannot be made while the system has no file
# left (the probe would exit 1 for it), the summary on stdout says it all
out="$MC_NOBODY_DIR/p.out"
mc_bg sh -c "\"\$@\" >'$out' 2>&1" sh "${MC_AS_NOBODY[@]}" timeout 60 "$MC_NOBODY_BIN" probe -q \
	--target 20000 --rate 2000
probe=$MC_LAST
for i in $(seq 100); do pgrep -u nobody -x maxconn-client >/dev/null && break; sleep 0.1; done
sleep 0.5
sysctl -qw fs.file-max=1
wait $probe
rc=$?
restore
cat "$out"
mc_eq "probe exit code" 3 $rc
grep -q "stopped by fd_system" "$out" || mc_fail "the probe does not name fd_system"
grep -qE "client connect: ENFILE +[1-9]" "$out" || mc_fail "the client's ENFILE failures are not counted"
grep -qE "MemAvailable +unreadable +could not be read: /proc/meminfo: .*ENFILE" "$out" ||
	mc_fail "MemAvailable, unreadable, is not shown as such"
grep -qE "MemAvailable +0 " "$out" && mc_fail "MemAvailable shown as 0"
echo "ok: the probe names fd_system and shows the failed readings as unreadable"
