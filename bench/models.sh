#!/usr/bin/env bash
# bench/models.sh: the C10K benchmark. The server models (epoll, threads,
# uring) holding N connections that all send heartbeats, in one table.
#
#   bench/models.sh build/maxconn                                  (full run)
#   COUNTS="1k 10k" MODELS="epoll threads" bench/models.sh build/maxconn
#
# Settings (environment; defaults in brackets):
#   MODELS        server models                          [epoll threads uring]
#   COUNTS        connection counts                      [1k 10k 50k 500k]
#   THREADS_MAX   threads rows only up to this count     [50k]
#   THREAD_STACK  --thread-stack of the threads rows     [64k]
#   DEFAULT_STACK_AT  one more threads row at this count with the default
#                 stack (ulimit -s); empty: none         [10k]
#   EVERY         heartbeat period of the main rows      [1s]
#   EXTRA         more rows, COUNT@PERIOD, for every model; empty: none
#                                                        [10k@100ms 500k@10s]
#   WINDOW        seconds of the steady measurement window          [10]
#   SETTLE        seconds from "all connected" to the window        [2]
#   RAMP_TIMEOUT  seconds a ramp may take before the row is stopped [90]
#   REPEAT        runs per row; the table shows medians  [1]
#   QUIET_WAIT    seconds to wait before a run for the host's CPUs to be
#                 80% idle (a shared host); a row marked * started busier [30]
#
# Each row (and each repetition) is one `maxconn probe --json` run:
#   maxconn probe --target N --model M [--thread-stack S] --heartbeat EVERY
#       --settle SETTLE --window WINDOW --timeout RAMP_TIMEOUT+SETTLE+WINDOW+30
# The probe runs its server (`--mode echo`) and client in a fresh private
# network namespace (loopback up, net.core.somaxconn 65535), so nothing on
# the host is changed and the TIME_WAIT sockets of one run go with its
# namespace. Every connection sends a 16-byte heartbeat every EVERY from the
# moment it opens, the server echoes it, and the client times each round
# trip. Once all N are up and SETTLE has passed, the probe measures for
# WINDOW (docs/probe.md, "Traffic and the steady-state window"); the row is
# its JSON's figures. A run is bounded: the probe's --timeout, and
# `timeout` interrupts it (SIGINT: it still writes its JSON) a minute past
# that and kills it a minute later.
#
# Per row (the JSON field in brackets):
#   accept all   the ramp: the client's start to every connect finished
#                [steps[-1].seconds]
#   user B/conn  server RSS at the window's end minus once listening, per
#                connection the server holds [steady.bytes_per_conn.server_user]
#   slab B/conn  /proc/meminfo Slab at the window's end minus before the
#                client started, per connection; both ends are on this host,
#                so a connection is 2 sockets (halve it for B/socket). Slab is
#                host-wide: other work on the host moves it [.slab]
#   kstack+pt B/conn  KernelStack growth (host-wide: the client's few threads
#                are in it too) + the server's VmPTE growth, per connection:
#                the kernel side of one thread per connection [.kstack_pt]
#   CPU ms/1k msgs  server utime+stime (/proc/PID/stat: all its threads)
#                over the window, per 1,000 messages echoed in it
#                [steady.cpu_ms_per_1k_msgs]
#   msgs/s       messages echoed back to the client per second in the window
#                [steady.msgs_per_sec]
#   RTT p50/p99  the round trips completed in the window only: the probe
#                takes the client's histogram at the window's start out of
#                the one at its end, so the ramp's do not count
#                [steady.rtt_us.p50, .p99]
#   ctx sw/s     voluntary + nonvoluntary context switches summed over
#                /proc/PID/task/*/status of the server, over the window
#                [steady.ctx_switches_per_sec]
#   threads      the server's threads at the window's end [steady.threads]
# A row that does not hold all N (threads: the fd table, pid_max, memory for
# stacks; any model: connects timing out) prints how many the probe held,
# the limit that stopped it and what happened, and its evidence (errors by
# cause, kernel counters), all as the probe's JSON words them.
#
# The heartbeat. With every connection sending once a second the server
# echoes N messages a second, so the main rows (EVERY=1s, the heartbeat the
# targets speak of) measure CPU per message at 1k/s, 10k/s, 50k/s and
# 500k/s. 500k msgs/s is more than this 2-core host echoes with the client
# on the same cores: heartbeats start as each connection opens, the host
# saturates before the ramp ends, SYNs are dropped and the ramp stalls, so
# the 500k@1s rows show where it stopped. EXTRA therefore adds 500k@10s
# (500k held with heartbeats, 50k msgs/s) and, for CPU per message under
# load, 10k@100ms (100k msgs/s, about half of what the host sustains; a
# rate it cannot sustain collapses the ramp in the same way). The client
# sends on schedule whether or not the last echo came back, so a model that
# falls behind shows it in RTT and msgs/s.
#
# Targets (computed from the table, printed under it):
#   epoll and uring <= 64 B of server user memory per connection (heartbeat
#   rows: each connection is idle all but microseconds of each period),
#   judged at the largest count that held all, any heartbeat (fixed costs
#   amortised; the smaller counts and the marginal cost are printed too);
#   uring >= epoll msgs/s at 50k with 1 s heartbeats, as a ratio from the
#   same invocation. Both can only echo the offered 50k/s, so the ratio is
#   ~1.00 and passes from 0.99 (the window's noise). The ratios of the EXTRA
#   rows are printed for information.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"

usage() { echo "usage: [MODELS=...] [COUNTS=...] [REPEAT=N] bench/models.sh path/to/maxconn" >&2; exit 2; }
[ $# -eq 1 ] || usage
BIN=$(realpath "$1")
[ -x "$BIN" ] || usage
[ "$(id -u)" -eq 0 ] || { echo "models.sh: needs root (the probe's private network namespaces)" >&2; exit 1; }
command -v jq >/dev/null || { echo "models.sh: needs jq" >&2; exit 1; }
# the command as given: the settings it had in the environment, then the script
cmd=""
for v in MODELS COUNTS THREADS_MAX THREAD_STACK DEFAULT_STACK_AT EVERY EXTRA WINDOW SETTLE RAMP_TIMEOUT REPEAT QUIET_WAIT; do
	[ -n "${!v+set}" ] && cmd+="$v=\"${!v}\" "
done
MODELS=${MODELS:-epoll threads uring}
COUNTS=${COUNTS:-1k 10k 50k 500k}
THREADS_MAX=${THREADS_MAX:-50k}
THREAD_STACK=${THREAD_STACK:-64k}
DEFAULT_STACK_AT=${DEFAULT_STACK_AT-10k}
EVERY=${EVERY:-1s}
EXTRA=${EXTRA-10k@100ms 500k@10s}
WINDOW=${WINDOW:-10} SETTLE=${SETTLE:-2} RAMP_TIMEOUT=${RAMP_TIMEOUT:-90}
REPEAT=${REPEAT:-1} QUIET_WAIT=${QUIET_WAIT:-30}

RES=$(mktemp -d /tmp/mc-models.XXXXXX)
trap 'rm -rf "$RES"' EXIT

echo "\$ $cmd$0 $1"
echo "# settings: MODELS=\"$MODELS\" COUNTS=\"$COUNTS\" THREAD_STACK=$THREAD_STACK DEFAULT_STACK_AT=\"$DEFAULT_STACK_AT\" EVERY=$EVERY EXTRA=\"$EXTRA\" WINDOW=$WINDOW SETTLE=$SETTLE RAMP_TIMEOUT=$RAMP_TIMEOUT REPEAT=$REPEAT"
echo "# $("$BIN" --version 2>&1 | head -1), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), RLIMIT_NOFILE $(ulimit -n), ulimit -s $(ulimit -s)k, pid_max $(sysctl -n kernel.pid_max), threads-max $(sysctl -n kernel.threads-max), vm.max_map_count $(sysctl -n vm.max_map_count)"

# the models this binary has: "-M, --model epoll|threads|uring" in its help
has_model() {
	case "|$("$BIN" probe --help 2>&1 | sed -n 's/.*--model \([a-z|]*\).*/\1/p' | head -1)|" in
	*"|$1|"*) return 0;;
	esac
	return 1
}
# rows: "label|model|stack|count|every"; stack "-": not threads
rows=()
add_rows() { # MODEL EVERY COUNT...
	local m=$1 every=$2 c label=$1 stack=-
	shift 2
	[ "$m" = threads ] && label="threads, $THREAD_STACK stack" stack=$THREAD_STACK
	for c; do
		[ "$m" = threads ] && [ "$(bench_to_n "$c")" -gt "$(bench_to_n "$THREADS_MAX")" ] && continue
		rows+=("$label|$m|$stack|$c|$every")
	done
}
for m in $MODELS; do
	has_model "$m" || { rows+=("$m|$m|-|-|-"); continue; }
	# shellcheck disable=SC2086 # a list of counts
	add_rows "$m" "$EVERY" $COUNTS
	[ "$m" = threads ] && [ -n "$DEFAULT_STACK_AT" ] &&
		rows+=("threads, default $(( $(ulimit -s) / 1024 ))M stack|$m|default|$DEFAULT_STACK_AT|$EVERY")
done
for f in $EXTRA; do
	for m in $MODELS; do has_model "$m" && add_rows "$m" "${f#*@}" "${f%@*}"; done
done

# The host may be shared: before each run wait (up to QUIET_WAIT s) for a
# second in which the CPUs are at least 80% idle, and for the last run's
# slab to settle (a namespace is freed lazily); note how busy they were. A
# probe that could not start (exit 1 without a result, e.g. a host-wide
# limit such as fs.epoll.max_user_watches taken by someone else) is tried
# again, twice at most.
busy_pct() { # CPU busy % over one second, all CPUs
	local a b
	a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat); sleep 1
	b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); u = y[1] - x[1]; i = y[2] - x[2];
		printf "%.0f\n", (u + i > 0) ? 100 * u / (u + i) : 0}'
}
bound=$(( RAMP_TIMEOUT + SETTLE + WINDOW + 30 ))
i=0
for row in "${rows[@]}"; do
	IFS='|' read -r label m stack c every <<<"$row"
	i=$((i + 1))
	[ "$c" = - ] && continue
	args=(--target "$(bench_to_n "$c")" --model "$m" --heartbeat "$every" --settle "${SETTLE}s"
		--window "${WINDOW}s" --timeout "${bound}s" -q)
	[ "$stack" = - ] || [ "$stack" = default ] || args+=(--thread-stack "$stack")
	for r in $(seq "$REPEAT"); do
		out=$RES/row$i.$r.json
		for try in 1 2 3; do
			busy=100
			for _ in $(seq "$QUIET_WAIT"); do busy=$(busy_pct); [ "$busy" -le 20 ] && break; done
			for _ in $(seq 40); do
				a=$(bench_meminfo Slab); sleep 0.5; b=$(bench_meminfo Slab)
				[ $(( a > b ? a - b : b - a )) -lt 2000000 ] && break
			done
			echo "  [$i/${#rows[@]}] $label, $c connections, heartbeat $every, run $r of $REPEAT (host CPU ${busy}% busy before it)" >&2
			rc=0
			timeout -s INT -k 60 $((bound + 60)) "$BIN" probe "${args[@]}" --json "$out" >"$RES/log" 2>&1 || rc=$?
			[ -s "$out" ] && jq -e .result "$out" >/dev/null 2>&1 && break
			echo "    probe exit $rc, no report: $(head -c 300 "$RES/log" | tr '\n' ' ')" >&2
			[ "$rc" -eq 1 ] && [ $try -lt 3 ] && { sleep 10; continue; }
			jq -n --arg h "the probe exited $rc with no report: $(head -c 200 "$RES/log" | tr '\n' ' ')" \
				'{result: {stop: "failed", reached: 0, happened: $h}, steps: [{}]}' >"$out"
			break
		done
		echo "$busy" >"$RES/row$i.$r.busy"
		jq -c '{stop: .result.stop, reached: .result.reached} + (.steady // {} | {msgs_per_sec, cpu_ms_per_1k_msgs, ctx_switches_per_sec, threads, p50: .rtt_us.p50, p99: .rtt_us.p99})' "$out" >&2
	done
done

# median of a jq expression over a row's runs
med() { jq -r "$2 // empty" "$RES/row$1".*.json | bench_median; }
# a row held all N in every run and measured its window
held_all() { [ -z "$(jq -r 'select(.result.stop != "target" or .steady == null) | 1' "$RES/row$1".*.json)" ]; }
fmtn() { # 1234567.8 -> 1,234,568
	awk -v x="$1" 'BEGIN {if (x != x + 0) {print x; exit} s = sprintf("%.0f", x); n = "";
		neg = s ~ /^-/; if (neg) s = substr(s, 2);
		while (length(s) > 3) {n = "," substr(s, length(s) - 2) n; s = substr(s, 1, length(s) - 3)}
		print (neg ? "-" : "") s n}'
}
echo
echo "| model | conns | heartbeat | accept all (s) | server user B/conn | slab B/conn (2 sockets) | kstack+pt B/conn | server CPU ms/1k msgs | msgs/s | RTT p50 (µs) | RTT p99 (µs) | ctx sw/s | threads |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
i=0
for row in "${rows[@]}"; do
	IFS='|' read -r label m stack c every <<<"$row"
	i=$((i + 1))
	if [ "$c" = - ]; then
		echo "| $label | | | not in this build (\`maxconn probe --help\` has no --model $m) | | | | | | | | | |"
		continue
	fi
	if ! held_all $i; then
		# the first run that did not: the probe's own words
		first=$(jq -cs 'map(select(.result.stop != "target" or .steady == null))[0]' "$RES/row$i".*.json)
		why=$(jq -r '(if .result.stop == "limit" then "\(.result.limit) (\(.result.limit_name))"
			elif .result.stop == "target" then "no window (all held, but the window did not complete)"
			else .result.stop end) + ": \(.result.happened)" +
			([.steps[-1].evidence // [] | .[] | select(.what != "dmesg") | "\(.what) \(.value)"][:6] |
			 if length > 0 then " (evidence: " + join(", ") + ")" else "" end)' <<<"$first")
		echo "| $label | $c | $every | stopped at $(fmtn "$(jq .result.reached <<<"$first")") of $(fmtn "$(bench_to_n "$c")"): ${why//|//} | | | | | | | | | |"
		continue
	fi
	# a run that started with the host's CPUs more than 20% busy: marked *
	awk -v b="$(cat "$RES/row$i".*.busy | bench_median)" 'BEGIN {exit !(b > 20)}' && c="$c *"
	ub=$(med $i .steady.bytes_per_conn.server_user)
	ub=$(awk -v x="$ub" 'BEGIN {if (x < 1000) printf "%.1f", x; else print "big"}')
	[ "$ub" = big ] && ub=$(fmtn "$(med $i .steady.bytes_per_conn.server_user)")
	LC_ALL=C printf '| %s | %s | %s | %.2f | %s | %s | %s | %.2f | %s | %.0f | %.0f | %s | %s |\n' \
		"$label" "$c" "$every" "$(med $i '.steps[-1].seconds')" "$ub" \
		"$(fmtn "$(med $i .steady.bytes_per_conn.slab)")" "$(fmtn "$(med $i .steady.bytes_per_conn.kstack_pt)")" \
		"$(med $i .steady.cpu_ms_per_1k_msgs)" "$(fmtn "$(med $i .steady.msgs_per_sec)")" \
		"$(med $i .steady.rtt_us.p50)" "$(med $i .steady.rtt_us.p99)" \
		"$(fmtn "$(med $i .steady.ctx_switches_per_sec)")" "$(med $i .steady.threads)"
done

# targets, from the numbers above
echo
echo "Targets:"
ok_rows() { # MODEL [EVERY] -> "count row" of the rows that held all N
	local j=0 row label m stack c every
	for row in "${rows[@]}"; do
		IFS='|' read -r label m stack c every <<<"$row"
		j=$((j + 1))
		[ "$m" = "$1" ] && { [ -z "${2:-}" ] || [ "$every" = "$2" ]; } && [ "$c" != - ] &&
			held_all $j && echo "$c $j"
	done
	return 0
}
for m in epoll uring; do
	case " $MODELS " in *" $m "*) ;; *) continue;; esac
	# every heartbeat row that held all (user memory does not depend on the
	# period), by count; the larger figure where two rows share a count
	list=$(ok_rows "$m" | while read -r c j; do echo "$(bench_to_n "$c") $c $(med "$j" .steady.bytes_per_conn.server_user)"; done |
		sort -k1,1n -k3,3gr | awk '!seen[$1]++ {printf "%s:%.1f\n", $2, $3}' | xargs)
	if [ -z "$list" ]; then
		echo "  $m <= 64 B user memory per connection: NOT MEASURED (no $m row held all its connections)"
		continue
	fi
	last=${list##* } first=${list%% *}
	verdict=$(awk -v w="${last#*:}" 'BEGIN {print (w <= 64) ? "PASS" : "FAIL"}')
	# the cost of one more connection: the RSS slope from the smallest count to the largest
	slope=$(awk -v a="$(bench_to_n "${first%%:*}")" -v ua="${first#*:}" -v b="$(bench_to_n "${last%%:*}")" -v ub="${last#*:}" \
		-v fa="${first%%:*}" -v fb="${last%%:*}" \
		'BEGIN {if (b > a) printf "; marginal %s..%s: %.1f B", fa, fb, (ub * b - ua * a) / (b - a)}')
	echo "  $m <= 64 B user memory per connection: $verdict (${last#*:} B at ${last%%:*}; by count: $list$slope)"
done
rate_at() { # MODEL COUNT EVERY -> median msgs/s or empty
	ok_rows "$1" "$3" | while read -r c j; do
		if [ "$c" = "$2" ]; then med "$j" .steady.msgs_per_sec; fi
	done | head -1
}
e=$(rate_at epoll 50k "$EVERY") u=$(rate_at uring 50k "$EVERY")
if [ -z "$e" ] || [ -z "$u" ]; then
	echo "  uring >= epoll msgs/s at 50k, heartbeat $EVERY: NOT MEASURED (needs an epoll and a uring row at 50k that held all)"
else
	awk -v e="$e" -v u="$u" -v h="$EVERY" 'BEGIN {r = u / e;
		printf "  uring >= epoll msgs/s at 50k, heartbeat %s: %s (uring %.0f / epoll %.0f = %.3f; passes from 0.99: both echo the offered 50k/s, so ~1 and 1%% is noise)\n",
			h, (r >= 0.99) ? "PASS" : "FAIL", u, e, r}'
fi
for f in $EXTRA; do
	e=$(rate_at epoll "${f%@*}" "${f#*@}") u=$(rate_at uring "${f%@*}" "${f#*@}")
	if [ -n "$e" ] && [ -n "$u" ]; then
		awk -v e="$e" -v u="$u" -v f="$f" 'BEGIN {printf "  (for information) uring / epoll msgs/s at %s: %.0f / %.0f = %.3f\n", f, u, e, u / e}'
	fi
done
echo
echo "* = the host's CPUs were more than 20% busy (median) just before the run: something else was running."
echo "slab B/conn: /proc/meminfo Slab growth / connections held; a connection is two sockets here (client and server on one host); Slab is host-wide."
echo "RTT: the round trips completed in the window (the client's histogram at its start taken out). CPU and msgs/s: a ${WINDOW} s window with all held."
