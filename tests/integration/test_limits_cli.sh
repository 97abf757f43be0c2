#!/bin/bash
# test_limits_cli.sh: `maxconn limits` as a command: help, flags, exit codes,
# valid JSON (jq), --explain, and the numbers it computes from a fake /proc
# tree (tests/unit/fixtures/limits/base) with a known RLIMIT_NOFILE.
. "$(dirname "$0")/lib.sh"
mc_need jq
FIX=$(cd "$(dirname "$0")/../unit/fixtures/limits" && pwd)

# --help teaches every flag and the exit codes
help=$("$MAXCONN" limits --help) || mc_fail "--help exited $?"
for w in --role --sources --dest-addrs --dest-ports --model --fd-tables --fd-overhead \
	--traffic --backlog --target --json --explain --pid --root "Exit codes" Example; do
	case $help in *"$w"*) ;; *) mc_fail "--help does not mention $w" ;; esac
done
echo "ok: --help names every flag"

# bad values: exit 2 and a message naming the value
for bad in "--role waiter" "--sources 0" "--sources 10x" "--dest-ports 70000" \
	"--model fibers" "--traffic 1Q" "--target -5" "--explain nosuch" "--pid 12x" "--bogus" "extra"; do
	# shellcheck disable=SC2086
	err=$("$MAXCONN" limits $bad 2>&1 >/dev/null); rc=$?
	mc_eq "exit code for '$bad'" 2 $rc
	val=${bad#* }; val=${val#--}
	case $err in *"$val"*) ;; *) mc_fail "message for '$bad' does not name '$val': $err" ;; esac
done

# the live host: valid JSON with a summary and every limit id
out=$("$MAXCONN" limits --json) || mc_fail "limits --json exited $?"
echo "$out" | jq -e . >/dev/null || mc_fail "limits --json is not valid JSON"
for id in ephemeral_ports fd_process fd_nr_open fd_system memory cgroup_memory tcp_mem \
	conntrack accept_queue threads pid_max nproc cgroup_pids thread_stack cpu time_wait; do
	n=$(echo "$out" | jq --arg id "$id" '[.limits[] | select(.id == $id)] | length')
	mc_eq "limit $id listed once" 1 "$n"
done
mc_eq "schema_version" 1 "$(echo "$out" | jq .schema_version)"
for role in client both; do
	for model in epoll threads; do
		"$MAXCONN" limits --role $role --model $model --traffic 64k --target 1M --json |
			jq -e '.summary.text' >/dev/null || mc_fail "--role $role --model $model: bad JSON"
	done
done
echo "ok: JSON valid for every role and model"

# a fake tree: RLIMIT_NOFILE 5000 (this process), fs.file-max 1000000 with
# 1000 in use, MemAvailable 4 GiB of 8, 3900 B per socket in the named slab
# caches + 250 B the named caches miss (MC_LIMITS_SOCK_REST_BYTES)
j=$(prlimit --nofile=5000:5000 "$MAXCONN" limits --root "$FIX/base" --json)
mc_eq "fake tree: ceiling" 4992 "$(echo "$j" | jq .summary.connections)"
mc_eq "fake tree: binding" '"fd_process"' "$(echo "$j" | jq .summary.binding)"
mc_eq "fake tree: the JSON says which root it read" "\"$FIX/base\"" "$(echo "$j" | jq .root)"
mc_eq "the real host: no root" null "$("$MAXCONN" limits --json | jq .root)"
mc_eq "fake tree: fd_system" 999000 "$(echo "$j" | jq '.limits[]|select(.id=="fd_system").connections')"
# real root (CAP_SYS_ADMIN) is exempt from fs.file-max: shown, never binding
mc_eq "fake tree: fd_system is information for root" '"info"' \
	"$(echo "$j" | jq '.limits[]|select(.id=="fd_system").kind')"
mc_eq "fake tree: socket bytes" 4150 "$(echo "$j" | jq .per_connection.socket_bytes)"
mc_eq "fake tree: memory" $(( 3865470567 / 4150 )) \
	"$(echo "$j" | jq '.limits[]|select(.id=="memory").connections')"
mc_eq "fake tree: server port ceiling" null "$(echo "$j" | jq '.limits[]|select(.id=="ephemeral_ports").connections')"
mc_eq "fake tree: no warning but the binding one" 0 \
	"$(echo "$j" | jq '[.limits[] | select(.status != "fine" and .status != "binding")] | length')"

# --fd-tables multiplies, --role client brings the ports in
j=$(prlimit --nofile=5000:5000 "$MAXCONN" limits --root "$FIX/base" --fd-tables 10 --role client --json)
mc_eq "client, 10 tables: binding" '"ephemeral_ports"' "$(echo "$j" | jq .summary.binding)"
mc_eq "client, 10 tables: ceiling" 28232 "$(echo "$j" | jq .summary.connections)"
j=$(prlimit --nofile=5000:5000 "$MAXCONN" limits --root "$FIX/base" --fd-tables 10 --role client --sources 4 --json)
mc_eq "client, 4 sources: ceiling" 49920 "$(echo "$j" | jq .summary.connections)"

# --target: exit 3 and the ordered changes; reachable: exit 0
prlimit --nofile=5000:5000 "$MAXCONN" limits --root "$FIX/base" --role client --target 100k --json >"$MC_TMP/t.json"
mc_eq "unreachable target exit code" 3 $?
mc_eq "changes in order" '["fd_process","ephemeral_ports"]' "$(jq -c '[.changes[].limit]' "$MC_TMP/t.json")"
mc_eq "fd_process raise_to" 100008 "$(jq '.changes[0].raise_to' "$MC_TMP/t.json")"
mc_eq "target_reachable" false "$(jq '.summary.target_reachable' "$MC_TMP/t.json")"
prlimit --nofile=5000:5000 "$MAXCONN" limits --root "$FIX/base" --target 4000 >/dev/null
mc_eq "reachable target exit code" 0 $?

# a tree that does not exist, a file, a directory with none of proc/, sys/,
# etc/: a usage error that names it, nothing printed on stdout
mkdir -p "$MC_TMP/no-proc"
for r in "$MC_TMP/nothing-here" /etc/hostname "$MC_TMP/no-proc"; do
	out=$("$MAXCONN" limits --root "$r" 2>&1 >"$MC_TMP/root.out")
	mc_eq "--root $r: exit code" 2 $?
	case $out in *"--root '$r'"*) ;; *) mc_fail "--root $r: the message does not name it: $out" ;; esac
	mc_eq "--root $r: nothing on stdout" 0 "$(wc -c <"$MC_TMP/root.out")"
done
# a tree with an empty proc/: unknowns with reasons, exit 0, no crash; the
# table says whose files it read
mkdir -p "$MC_TMP/empty/proc"
j=$("$MAXCONN" limits --root "$MC_TMP/empty" --json) || mc_fail "empty tree exited $?"
case $("$MAXCONN" limits --root "$MC_TMP/empty" | head -1) in
*"read under --root $MC_TMP/empty"*) echo "ok: the table names the root" ;;
*) mc_fail "the table does not name --root" ;; esac
n=$(echo "$j" | jq '[.limits[] | select(.status == "unknown")] | length')
mc_ge "unknown limits in an empty tree" 4 "$n"
echo "$j" | jq -e '[.limits[] | select(.status == "unknown") | .unknown_reason | test("ENOENT")] | all' >/dev/null ||
	mc_fail "unknown limits without an ENOENT reason"
echo "ok: empty tree gives $n unknown limits with reasons"

# permission: as nobody, /proc/slabinfo (0400) is unreadable and the
# socket calibration cannot run (--calibrate: not the result root kept), so
# the socket size is the documented 4.1 KB default, said so; a file of the tree made
# unreadable is unknown with EACCES, never guessed
if [ "$(id -u)" -ne 0 ]; then
	mc_skip_part root - "the permission checks (as user nobody) dropped: not root"
elif ! mc_nobody; then
	mc_skip_part $(mc_nobody_why) "the permission checks (as user nobody) dropped"
else
	asnobody() { "${MC_AS_NOBODY[@]}" "$MC_NOBODY_BIN" "$@"; }
	cp -r "$FIX/base" "$MC_TMP/perm"
	chmod 755 "$MC_TMP/perm"
	chmod 000 "$MC_TMP/perm/proc/sys/fs/file-nr"
	j=$(asnobody limits --root "$MC_TMP/perm" --json) || mc_fail "as nobody: exit $?"
	mc_eq "unreadable file-nr: status" '"unknown"' "$(echo "$j" | jq '.limits[]|select(.id=="fd_system").status')"
	mc_eq "unreadable file-nr: reason" \
		'"cannot read /proc/sys/fs/file-nr: Permission denied (EACCES)"' \
		"$(echo "$j" | jq '.limits[]|select(.id=="fd_system").unknown_reason')"
	mc_eq "unknown count" 1 "$(echo "$j" | jq .summary.unknown)"
	if [ "$(stat -c %a /proc/slabinfo 2>/dev/null)" = 400 ]; then
		j=$(asnobody limits --calibrate --json) || mc_fail "as nobody on the host: exit $?"
		mc_eq "no slabinfo: source" '"assumed"' "$(echo "$j" | jq .per_connection.socket_bytes_source)"
		mc_eq "no slabinfo: socket bytes" 4100 "$(echo "$j" | jq .per_connection.socket_bytes)"
		t=$(asnobody limits --calibrate | tr -s ' \n' '  ')
		case $t in *"cannot read /proc/slabinfo: Permission denied (EACCES); 4.1 KB"*) ;;
		*) mc_fail "the table does not say slabinfo was unreadable" ;; esac
	else
		mc_skip_part kernel slabinfo-0400 "/proc/slabinfo is mode $(stat -c %a /proc/slabinfo 2>/dev/null), not 0400: the no-slabinfo checks dropped"
	fi
fi

# --pid: a running process's own rlimits (here 777 soft, 800 hard)
mc_bg prlimit --nofile=777:800 sleep 30
for _ in $(seq 50); do [ "$(cat /proc/$MC_LAST/comm 2>/dev/null)" = sleep ] && break; sleep 0.1; done
j=$("$MAXCONN" limits --pid "$MC_LAST" --json) || mc_fail "--pid exited $?"
mc_eq "--pid: scenario.pid" "$MC_LAST" "$(echo "$j" | jq .scenario.pid)"
mc_eq "--pid: its soft limit" 777 "$(echo "$j" | jq '.limits[]|select(.id=="fd_process").values.soft')"
mc_eq "--pid: its hard limit" 800 "$(echo "$j" | jq '.limits[]|select(.id=="fd_process").values.hard')"
mc_eq "--pid: ceiling" 769 "$(echo "$j" | jq .summary.connections)"
mc_eq "--pid: source" "\"/proc/$MC_LAST/limits\"" "$(echo "$j" | jq '.limits[]|select(.id=="fd_process").source')"
"$MAXCONN" limits --pid 4194303 >/dev/null 2>&1
mc_eq "--pid of no process: exit code" 2 $?

# the table: summary line and the seeds' arithmetic
t=$(prlimit --nofile=5000:5000 "$MAXCONN" limits --root "$FIX/base")
case $t in *"This host can hold about 4,992 connections as a server"*) ;; *) mc_fail "no summary line" ;; esac
case $t in *"281,474,976,710,656"*) ;; *) mc_fail "no 2^48 arithmetic" ;; esac
echo "ok: table has the summary and the 4-tuple arithmetic"

# --explain for each id
for id in ephemeral_ports fd_process fd_nr_open fd_system fd_user memory cgroup_memory tcp_mem \
	conntrack accept_queue threads pid_max nproc cgroup_pids thread_stack cpu time_wait orphans; do
	e=$("$MAXCONN" limits --explain $id) || mc_fail "--explain $id exited $?"
	case $e in *"How it shows when hit"*"How to raise it"*) ;; *) mc_fail "--explain $id incomplete" ;; esac
done
case $("$MAXCONN" limits --explain fd_process) in *EMFILE*) ;; *) mc_fail "fd_process: no EMFILE" ;; esac
case $("$MAXCONN" limits --explain ephemeral_ports) in *EADDRNOTAVAIL*) ;; *) mc_fail "no EADDRNOTAVAIL" ;; esac
case $("$MAXCONN" limits --explain conntrack) in *"table full, dropping packet"*) ;; *) mc_fail "no dmesg line" ;; esac
echo "ok: --explain"

# the established hash: a speed row that never binds (issue 24), in the
# text and the JSON, with the fake tree's 262,144 buckets: 1M connections
# with both ends here walk chains of 7.6
j=$("$MAXCONN" limits --root "$FIX/base" --role both --sources 100 --target 1M --json)
e=$(jq -c '.limits[]|select(.id=="ehash")' <<<"$j")
mc_eq "ehash kind" '"speed"' "$(jq .kind <<<"$e")"
mc_eq "ehash status" '"fine"' "$(jq .status <<<"$e")"
mc_eq "ehash limits nothing" false "$(jq .limited <<<"$e")"
mc_eq "ehash buckets" 262144 "$(jq .values.buckets <<<"$e")"
mc_eq "ehash chain length" 7.6 "$(jq '.chain_length*10|floor/10' <<<"$e")"
mc_eq "ehash fix: thash_entries" 1 "$(jq '[.fix[]|select(test("thash_entries=4194304 "))]|length' <<<"$e")"
mc_eq "ehash never binds" true "$(jq '.binding != "ehash"' <<<"$j")"
t=$("$MAXCONN" limits --root "$FIX/base" --role both --sources 100 --target 1M)
case $t in *"ehash             262144 buckets (the host's)"*"chains of 7.6  speed: slows"*) ;;
*) mc_fail "the table has no ehash speed row" ;; esac
case $t in *"tcp_child_ehash_entries=4194304"*) ;; *) mc_fail "the table gives no namespace fix" ;; esac
echo "ok: ehash"
case $("$MAXCONN" limits --explain ehash) in *thash_entries=N*tcp_child_ehash_entries*) ;;
*) mc_fail "--explain ehash: no fix" ;; esac
exit 0
