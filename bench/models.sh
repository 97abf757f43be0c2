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
# Every run (one row, one repetition) gets a fresh private network namespace
# (unshare -n: loopback up, net.core.somaxconn 65535 as in bench/run.sh), so
# nothing on the host is changed or needs restoring, and the TIME_WAIT
# sockets of one run go with its namespace instead of expiring into the
# next run's slab figures. In it: `maxconn server --model M --mode echo` on
# 127.0.0.1:9000, and `maxconn client` from 127.0.0.2-127.0.1.255 opening N
# connections, each sending a 16-byte heartbeat every EVERY (`--send
# 0123456789abcdef --every 1s`) that the server echoes, so round trips are
# timed. The connections come from two clients: the bulk (N - P), then,
# once those are up, a probe of P = min(1000, N / 2) that heartbeats like
# the rest (see RTT). The script starts only the server, the two clients and
# a watchdog, and ends only those, by PID; the watchdog interrupts them when
# a run outlives its bound (two ramp timeouts + window + 60 s) and kills
# them a minute later: no run can hang.
#
# Per row:
#   accept all   the clients' ramp_s (first connect to all established),
#                the bulk's and the probe's added
#   user B/conn  server VmRSS in the window minus VmRSS once listening,
#                divided by the connections the server holds
#   slab B/conn  /proc/meminfo Slab in the window minus before the clients
#                started, per connection; both ends are on this host, so a
#                connection is 2 sockets (halve it for B/socket). Slab is
#                host-wide: a figure marked ? disagrees by more than 3x with
#                this session's own memcg kernel memory (memory.kmem.
#                usage_in_bytes, less the kstack+pt column; it leaves out
#                some of the server's sockets, so it is only a cross-check),
#                i.e. something else on the host allocated or freed slab
#                during the run
#   kstack+pt B/conn  KernelStack delta (host-wide: the clients' threads add
#                a little at 1k) + the server's VmPTE delta, per connection:
#                the kernel side of one thread per connection
#   CPU ms/1k msgs  server utime+stime (/proc/PID/stat: all its threads)
#                over the window, per 1,000 messages echoed in it
#   msgs/s       messages echoed per second in the window: TcpExt
#                TCPOrigDataSent / 2 (data segments sent, counted per
#                namespace, so only this run's; a heartbeat and its echo are
#                one 16-byte segment each; messages coalesced into one
#                segment would count once, which happens only when the
#                server falls behind)
#   RTT p50/p99  rtt_us of the probe client. A client keeps one histogram
#                for its whole run, so the bulk's is dominated by its own
#                ramp (at 50k, ~5% of its samples are taken while it
#                connects); the probe's are all taken with the N held. The
#                bulk's figures are in the per-run log on stderr.
#   ctx sw/s     voluntary + nonvoluntary context switches summed over
#                /proc/PID/task/*/status, delta over the window / seconds
#   threads      the server's threads in the window
# A row that does not hold all N (threads: the fd table, pid_max, memory for
# stacks; any model: connects timing out) prints how many the server held
# and why, from the server's and clients' JSON (refused.*, limit, failures,
# lost) and the namespace's kernel counters, instead of figures.
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

snmp() { # /proc/net/snmp or netstat counter: FILE PREFIX NAME
	awk -v p="$2:" -v n="$3" '$1 == p && !h {for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next}
		$1 == p && h {print $c[n]; exit}' "$1"
}

# ---- one run, inside its own network namespace -------------------------------
# models.sh --run BIN MODEL STACK N EVERY OUT: appends one line of key=value to OUT
if [ "${1:-}" = "--run" ]; then
	BIN=$2 MODEL=$3 STACK=$4 N=$5 EVERY=$6 OUT=$7
	WINDOW=${WINDOW:-10} SETTLE=${SETTLE:-2} RAMP_TIMEOUT=${RAMP_TIMEOUT:-90}
	bench_netns_setup
	TMP=$(mktemp -d /tmp/mc-models.XXXXXX)
	SRV='' CLI='' PRB='' WD=''
	cleanup() {
		[ -z "$WD" ] || kill "$WD" 2>/dev/null || true
		bench_stop "$PRB"; bench_stop "$CLI"; bench_stop "$SRV"
		rm -rf "$TMP"
	}
	trap cleanup EXIT
	emit() { echo "$*" >>"$OUT"; }
	# wait for the slab to settle (the last run's namespace is freed lazily)
	for _ in $(seq 40); do
		a=$(bench_meminfo Slab); sleep 0.5; b=$(bench_meminfo Slab)
		[ $(( a > b ? a - b : b - a )) -lt 2000000 ] && break
	done
	sargs=(--model "$MODEL")
	[ "$MODEL" = threads ] && [ "$STACK" != default ] && sargs+=(--thread-stack "$STACK")
	bound=$(( 2 * RAMP_TIMEOUT + SETTLE + WINDOW + 60 ))
	"$BIN" server --listen 127.0.0.1:9000 --mode echo "${sargs[@]}" --duration "$((bound + 30))s" \
		--ready-file "$TMP/ready" --json -q >"$TMP/s.json" 2>"$TMP/s.err" &
	SRV=$!
	if ! bench_wait_ready "$TMP/ready" "$SRV" 10; then
		wait $SRV 2>/dev/null || true; SRV=
		emit "status=stopped held=0 why=server did not start: $(head -c 200 "$TMP/s.err" | tr '\n' ' ')"
		exit 0
	fi
	sleep 0.3
	rss() { awk '/^VmRSS:/ {printf "%.0f\n", $2 * 1024}' "/proc/$SRV/status"; }
	vsz() { awk '/^VmSize:/ {printf "%.0f\n", $2 * 1024}' "/proc/$SRV/status"; }
	# kernel stacks (host-wide: the client's few threads are in it too) and
	# the server's own page tables
	kstack_pt() { echo $(( $(bench_meminfo KernelStack) + $(awk '/^VmPTE:/ {printf "%.0f\n", $2 * 1024}' "/proc/$SRV/status") )); }
	# this session's memory cgroup (v1): kernel memory charged to it, a
	# host-noise-free cross-check of the Slab delta
	kmem_f=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)/memory.kmem.usage_in_bytes
	kmem() { [ -r "$kmem_f" ] && cat "$kmem_f" || echo 0; }
	rss0=$(rss) slab0=$(bench_meminfo Slab) kp0=$(kstack_pt) in0=$(bench_inuse) km0=$(kmem) vsz0=$(vsz)
	ao0=$(snmp /proc/net/snmp Tcp ActiveOpens)
	softnet_drops() { local s=0 p d r; while read -r p d r; do s=$((s + 16#$d)); done </proc/net/softnet_stat; echo $s; }
	kstat() { # this namespace's drop and retransmit counters, and the host's softnet backlog drops
		echo "$(snmp /proc/net/netstat TcpExt ListenOverflows) $(snmp /proc/net/netstat TcpExt TCPSynRetrans) $(snmp /proc/net/snmp Tcp RetransSegs) $(softnet_drops)"
	}
	K0=$(kstat)
	# the bulk of the connections, then (once they are up) the probe: the
	# last P connections, whose round trips all fall in the steady state
	P=$(( N / 2 < 1000 ? N / 2 : 1000 ))
	NB=$(( N - P ))
	client() { # CONNS JSON ERR
		"$BIN" client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.1.255 --conns "$1" \
			--send 0123456789abcdef --every "$EVERY" --hold "$((RAMP_TIMEOUT + SETTLE + WINDOW + 90))s" \
			--json -q >"$2" 2>"$3" &
	}
	client "$NB" "$TMP/c.json" "$TMP/c.err"
	CLI=$!
	# the watchdog: past the bound, SIGINT (so they still print their JSON),
	# a minute later SIGKILL; PRB is not known yet, so it reads a file
	# shellcheck disable=SC2046 # no probe yet: no word
	( for _ in $(seq "$bound"); do sleep 1; done
	  kill -INT $(cat "$TMP/prb" 2>/dev/null) "$CLI" "$SRV" 2>/dev/null
	  for _ in $(seq 60); do sleep 1; done
	  kill -KILL $(cat "$TMP/prb" 2>/dev/null) "$CLI" "$SRV" 2>/dev/null ) &
	WD=$!
	# a ramp is done when both ends of all its connections are sockets, or
	# all were tried and the socket count holds still, or nothing moves for
	# 15 s, or RAMP_TIMEOUT
	ramp_wait() { # PID CONNS-IN-ALL (sockets counted from before the bulk)
		local pid=$1 n=$2 t0 now last=-1 lastao=-1 still=0 ao
		t0=$(date +%s.%N) ramp=timeout
		while :; do
			now=$(date +%s.%N)
			in=$(bench_inuse) ao=$(( $(snmp /proc/net/snmp Tcp ActiveOpens) - ao0 ))
			if [ "$in" -ge $(( in0 + 2 * n )) ]; then ramp=all; break; fi
			kill -0 "$pid" 2>/dev/null || { ramp="client exited"; break; }
			if [ "$in" = "$last" ] && [ "$ao" = "$lastao" ]; then still=$((still + 1)); else still=0; fi
			last=$in lastao=$ao
			if [ "$ao" -ge "$n" ] && [ $still -ge 10 ]; then ramp=tried; break; fi
			[ $still -ge 75 ] && { ramp=stalled; break; }
			awk -v a="$t0" -v b="$now" -v t="$RAMP_TIMEOUT" 'BEGIN {exit !(b - a > t)}' && break
			sleep 0.2
		done
		echo "    ramp to $n: $ramp, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s, sockets $((in - in0)) of $((2 * n))" >&2
	}
	ramp_wait "$CLI" "$NB"
	case $ramp in
	all|tried) # the bulk is up: now the probe
		client "$P" "$TMP/p.json" "$TMP/p.err"
		PRB=$!
		echo "$PRB" >"$TMP/prb"
		ramp_wait "$PRB" "$N";;
	*) echo "    (no probe: the bulk's ramp did not finish)" >&2;;
	esac
	sleep "$SETTLE"
	sample() { # -> "t utime+stime(ticks) schedstat(ns) ctxsw threads origdatasent"
		local t a u s c th o
		a=$(date +%s.%N)
		u=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
		s=$(cat /proc/$SRV/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}')
		c=$(cat /proc/$SRV/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches:/ {s += $2} END {printf "%.0f", s}')
		th=$(awk '/^Threads:/ {print $2}' "/proc/$SRV/status")
		o=$(snmp /proc/net/netstat TcpExt TCPOrigDataSent)
		t=$(date +%s.%N)
		echo "$(awk -v a="$a" -v b="$t" 'BEGIN {printf "%.3f", (a + b) / 2}') $u $s $c $th $o"
	}
	A=$(sample)
	rss1=$(rss) slab1=$(bench_meminfo Slab) kp1=$(kstack_pt) in1=$(bench_inuse) km1=$(kmem) vsz1=$(vsz)
	sleep "$WINDOW"
	B=$(sample)
	alive=$(kill -0 "$CLI" 2>/dev/null && { [ -z "$PRB" ] || kill -0 "$PRB" 2>/dev/null; } && echo 1 || echo 0)
	K1=$(kstat)
	# the watchdog first: once a PID is reaped it may be reused
	kill "$WD" 2>/dev/null || true; WD=''
	bench_stop "$PRB"; PRB=''
	bench_stop "$CLI"; CLI=''
	bench_stop "$SRV"; SRV=''
	[ -s "$TMP/c.json" ] || echo '{}' >"$TMP/c.json"
	[ -s "$TMP/p.json" ] || echo '{}' >"$TMP/p.json"
	[ -s "$TMP/s.json" ] || echo '{}' >"$TMP/s.json"
	held=$(jq '.held_peak // 0' "$TMP/s.json")
	[ "$held" -gt 0 ] || held=$(( (in1 - in0) / 2 ))
	line=$(awk -v A="$A" -v B="$B" -v held="$held" -v tck="$(getconf CLK_TCK)" \
		-v rss0="$rss0" -v rss1="$rss1" -v slab0="$slab0" -v slab1="$slab1" -v kp0="$kp0" -v kp1="$kp1" \
		-v km0="$km0" -v km1="$km1" '
		BEGIN {
			split(A, a, " "); split(B, b, " ");
			dt = b[1] - a[1]; msgs = (b[6] - a[6]) / 2; h = held > 0 ? held : 1;
			k = msgs > 0 ? msgs / 1000 : 1;
			kb = (slab1 - slab0) / h; kp = (kp1 - kp0) / h;
			km = (km1 - km0) / h - (kp > 0 ? kp : 0); # the memcg charge less stacks and page tables
			# Slab moved by more than this run can explain: flag it
			noisy = km > 0 && (kb <= 0 || kb > 3 * km || 3 * kb < km) ? 1 : 0;
			printf "held=%d ub=%.1f kb=%.0f kmem=%.0f slab_noisy=%d kp=%.0f msgs_s=%.0f cpu=%.3f cpu_sched=%.3f cs_s=%.0f threads=%d window_s=%.2f",
				held, (rss1 - rss0) / h, kb, km, noisy, kp, msgs / dt,
				(b[2] - a[2]) * 1000 / tck / k, (b[3] - a[3]) / 1e6 / k, (b[4] - a[4]) / dt, b[5], dt
		}')
	cj=$TMP/c.json sj=$TMP/s.json pj=$TMP/p.json
	line+=" vsz=$(( (vsz1 - vsz0) / (held > 0 ? held : 1) ))"
	kd=$(awk -v a="$K0" -v b="$K1" 'BEGIN {split(a, x, " "); split(b, y, " ");
		printf "listen_overflows=%d syn_retrans=%d retrans_segs=%d backlog_drops=%d", y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4]}')
	line+=" $kd"
	# time to accept all: the bulk's ramp and the probe's, back to back
	line+=" ramp_s=$(jq -n --slurpfile c "$cj" --slurpfile p "$pj" '($c[0].ramp_s // 0) + ($p[0].ramp_s // 0)')"
	line+=" rtt50=$(jq '.rtt_us.p50 // 0' "$pj") rtt99=$(jq '.rtt_us.p99 // 0' "$pj") rtt_n=$(jq '.rtt_us.count // 0' "$pj")"
	line+=" bulk_rtt50=$(jq '.rtt_us.p50 // 0' "$cj") bulk_rtt99=$(jq '.rtt_us.p99 // 0' "$cj")"
	line+=" established=$(jq -n --slurpfile c "$cj" --slurpfile p "$pj" '($c[0].established // 0) + ($p[0].established // 0)')"
	line+=" sent=$(jq '.traffic.msgs_sent // 0' "$cj") returned=$(jq '.traffic.msgs_returned // 0' "$cj")"
	# did it hold all N, and if not, why
	why=""
	rt=$(jq '.refused.threads // 0' "$sj") rf=$(jq '.refused.fd_limit // 0' "$sj") rm=$(jq '.refused.memory // 0' "$sj")
	[ "$rt" -gt 0 ] && why+="pthread_create failed $rt times (limit $(jq -r '.limit' "$sj"): pid_max $(sysctl -n kernel.pid_max), threads-max $(sysctl -n kernel.threads-max), vm.max_map_count $(sysctl -n vm.max_map_count) (2 maps a thread), ulimit -u $(ulimit -u)); "
	[ "$rf" -gt 0 ] && why+="fd table full, $rf refused (RLIMIT_NOFILE $(ulimit -n)$([ "$MODEL" = threads ] && echo ': one thread per connection shares one fd table')); "
	[ "$rm" -gt 0 ] && why+="kernel memory, $rm refused; "
	cf=$(( $(jq '.failed // 0' "$cj") + $(jq '.failed // 0' "$pj") ))
	causes() { # KEY: "ETIMEDOUT 123, ..." over both clients
		jq -rs --arg k "$1" '[.[] | .[$k] // {} | to_entries[]] | group_by(.key)
			| map("\(.[0].key) \(map(.value) | add)") | join(", ")' "$cj" "$pj"
	}
	[ "$cf" -gt 0 ] && why+="client: $cf connects failed ($(causes failures); limit $(jq -r '.limit' "$cj"); namespace counters: ${kd//_/ }); "
	cl=$(( $(jq '[.lost // {} | .[]] | add // 0' "$cj") + $(jq '[.lost // {} | .[]] | add // 0' "$pj") ))
	[ "$cl" -gt 0 ] && why+="the clients lost $cl after connecting ($(causes lost)); "
	case $ramp in all|tried) ;; *) why+="ramp: $ramp after ${RAMP_TIMEOUT}s bound; ";; esac
	[ "$alive" = 1 ] || why+="client exited before the window ended ($(head -c 160 "$TMP/c.err" | tr '\n' ' ')); "
	if [ "$held" -ge "$N" ] && [ -z "$why" ]; then
		emit "status=ok $line"
	else
		emit "status=stopped $line why=${why%; }"
	fi
	exit 0
fi

# an expansion error inside the run's block abandons the block, not the script
[ "${1:-}" != "--run" ] || { echo "models.sh --run: aborted by an error above" >&2; exit 1; }

# ---- the driver (host side) --------------------------------------------------
[ $# -eq 1 ] || usage
BIN=$(realpath "$1")
[ -x "$BIN" ] || usage
[ "$(id -u)" -eq 0 ] || { echo "models.sh: needs root (private network namespaces)" >&2; exit 1; }
SELF=$(realpath "$0")
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
REPEAT=${REPEAT:-1}
export WINDOW=${WINDOW:-10} SETTLE=${SETTLE:-2} RAMP_TIMEOUT=${RAMP_TIMEOUT:-90}

RES=$(mktemp -d /tmp/mc-models-res.XXXXXX)
trap 'rm -rf "$RES"' EXIT

echo "\$ $cmd$0 $1"
echo "# settings: MODELS=\"$MODELS\" COUNTS=\"$COUNTS\" THREAD_STACK=$THREAD_STACK DEFAULT_STACK_AT=\"$DEFAULT_STACK_AT\" EVERY=$EVERY EXTRA=\"$EXTRA\" WINDOW=$WINDOW SETTLE=$SETTLE RAMP_TIMEOUT=$RAMP_TIMEOUT REPEAT=$REPEAT"
echo "# $("$BIN" --version 2>&1 | head -1), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), RLIMIT_NOFILE $(ulimit -n), ulimit -s $(ulimit -s)k, pid_max $(sysctl -n kernel.pid_max), threads-max $(sysctl -n kernel.threads-max), vm.max_map_count $(sysctl -n vm.max_map_count)"

# the models this binary has: "-M, --model epoll|threads|uring" in its help
has_model() {
	local l
	l=$("$BIN" server --help 2>&1 | sed -n 's/.*--model \([a-z|]*\).*/\1/p')
	case "|${l//$'\n'/|}|" in *"|$1|"*) return 0;; esac
	return 1
}
# rows: "label|model|stack|count|every"
dstack="$(( $(ulimit -s) / 1024 ))M"
rows=()
for m in $MODELS; do
	if ! has_model "$m"; then
		rows+=("$m|$m|-|-|-")
		continue
	fi
	label=$m stack=-
	[ "$m" = threads ] && label="threads, $THREAD_STACK stack" stack=$THREAD_STACK
	for c in $COUNTS; do
		[ "$m" = threads ] && [ "$(bench_to_n "$c")" -gt "$(bench_to_n "$THREADS_MAX")" ] && continue
		rows+=("$label|$m|$stack|$c|$EVERY")
	done
	[ "$m" = threads ] && [ -n "$DEFAULT_STACK_AT" ] &&
		rows+=("threads, default $dstack stack|$m|default|$DEFAULT_STACK_AT|$EVERY")
done
for f in $EXTRA; do
	for m in $MODELS; do
		has_model "$m" || continue
		label=$m stack=-
		[ "$m" = threads ] && label="threads, $THREAD_STACK stack" stack=$THREAD_STACK
		[ "$m" = threads ] && [ "$(bench_to_n "${f%@*}")" -gt "$(bench_to_n "$THREADS_MAX")" ] && continue
		rows+=("$label|$m|$stack|${f%@*}|${f#*@}")
	done
done

# The host may be shared: before each run wait (up to QUIET_WAIT s) for a
# second in which the CPUs are at least 80% idle, and note how busy they
# were; a run whose server or client could not even start (a host-wide
# limit such as fs.epoll.max_user_watches taken by someone else) is tried
# again, twice at most.
busy_pct() { # CPU busy % over one second, all CPUs
	local a b
	a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat); sleep 1
	b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); u = y[1] - x[1]; i = y[2] - x[2];
		printf "%.0f\n", (u + i > 0) ? 100 * u / (u + i) : 0}'
}
QUIET_WAIT=${QUIET_WAIT:-30}
i=0
for row in "${rows[@]}"; do
	IFS='|' read -r label m stack c every <<<"$row"
	i=$((i + 1))
	[ "$c" = - ] && continue
	for r in $(seq "$REPEAT"); do
		for try in 1 2 3; do
			busy=100
			for _ in $(seq "$QUIET_WAIT"); do busy=$(busy_pct); [ "$busy" -le 20 ] && break; done
			echo "  [$i/${#rows[@]}] $label, $c connections, heartbeat $every, run $r of $REPEAT (host CPU ${busy}% busy before it)" >&2
			unshare -n -- "$SELF" --run "$BIN" "$m" "$stack" "$(bench_to_n "$c")" "$every" "$RES/try" ||
				echo "status=stopped held=0 why=run failed (exit $?)" >>"$RES/try"
			res=$(tail -1 "$RES/try"); rm -f "$RES/try"
			echo "    $res host_busy=$busy" >&2
			case $res in *"did not start"*|*"could not start"*) [ $try -lt 3 ] && { sleep 10; continue; };; esac
			break
		done
		echo "$res host_busy=$busy" >>"$RES/row$i"
	done
done

# median of key K over a row's runs
med() { sed -n "s/.*\\b$2=\\([-0-9.e+]*\\).*/\\1/p" "$1" | bench_median; }
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
	f=$RES/row$i
	if [ "$c" = - ]; then
		echo "| $label | | | not in this build (\`maxconn server --help\` has no --model $m) | | | | | | | | | |"
		continue
	fi
	if grep -q '^status=stopped' "$f"; then
		reached=$(sed -n 's/.*\bheld=\([0-9]*\).*/\1/p' "$f" | sort -n | head -1)
		why=$(grep '^status=stopped' "$f" | head -1 | sed 's/.*why=//; s/ host_busy=[0-9]*$//')
		echo "| $label | $c | $every | stopped at $(fmtn "${reached:-0}") of $(fmtn "$(bench_to_n "$c")"): $why | | | | | | | | | |"
		continue
	fi
	noisy=$(grep -c 'slab_noisy=1' "$f" || true)
	# a run that started with the host's CPUs more than 20% busy: marked *
	awk -v b="$(med "$f" host_busy)" 'BEGIN {exit !(b > 20)}' && c="$c *"
	ub=$(med "$f" ub)
	ub=$(awk -v x="$ub" 'BEGIN {if (x < 1000) printf "%.1f", x; else print "big"}')
	[ "$ub" = big ] && ub=$(fmtn "$(med "$f" ub)")
	LC_ALL=C printf '| %s | %s | %s | %.2f | %s | %s | %s | %.2f | %s | %.0f | %.0f | %s | %s |\n' \
		"$label" "$c" "$every" "$(med "$f" ramp_s)" "$ub" "$(fmtn "$(med "$f" kb)")$([ "$noisy" -gt 0 ] && echo ' ?')" \
		"$(fmtn "$(med "$f" kp)")" "$(med "$f" cpu)" "$(fmtn "$(med "$f" msgs_s)")" \
		"$(med "$f" rtt50)" "$(med "$f" rtt99)" "$(fmtn "$(med "$f" cs_s)")" "$(med "$f" threads)"
done

# targets, from the numbers above
echo
echo "Targets:"
ok_rows() { # MODEL [EVERY] -> "count file" of the rows that held all N
	local j=0 row label m stack c every
	for row in "${rows[@]}"; do
		IFS='|' read -r label m stack c every <<<"$row"
		j=$((j + 1))
		[ "$m" = "$1" ] && { [ -z "${2:-}" ] || [ "$every" = "$2" ]; } && [ -f "$RES/row$j" ] &&
			! grep -q '^status=stopped' "$RES/row$j" && echo "$c $RES/row$j"
	done
	return 0
}
for m in epoll uring; do
	case " $MODELS " in *" $m "*) ;; *) continue;; esac
	# every heartbeat row that held all (user memory does not depend on the
	# period), by count; the larger figure where two rows share a count
	list=$(ok_rows "$m" | while read -r c f; do echo "$(bench_to_n "$c") $c $(med "$f" ub)"; done |
		sort -k1,1n -k3,3gr | awk '!seen[$1]++ {print $2 ":" $3}' | xargs)
	if [ -z "$list" ]; then
		echo "  $m <= 64 B user memory per connection: NOT MEASURED (no $m row held all its connections)"
		continue
	fi
	last=${list##* } first=${list%% *}
	verdict=$(awk -v w="${last#*:}" 'BEGIN {print (w <= 64) ? "PASS" : "FAIL"}')
	# the cost of one more connection: the RSS slope from the smallest count to the largest
	slope=$(awk -v a="$(bench_to_n "${first%%:*}")" -v ua="${first#*:}" -v b="$(bench_to_n "${last%%:*}")" -v ub="${last#*:}" \
		'BEGIN {if (b > a) printf "; marginal %s..%s: %.1f B", "'"${first%%:*}"'", "'"${last%%:*}"'", (ub * b - ua * a) / (b - a)}')
	echo "  $m <= 64 B user memory per connection: $verdict (${last#*:} B at ${last%%:*}; by count: $list$slope)"
done
rate_at() { # MODEL COUNT EVERY -> median msgs/s or empty
	ok_rows "$1" "$3" | while read -r c f; do [ "$c" = "$2" ] && med "$f" msgs_s; done | head -1
}
ratio_line() { # EVERY PASS-FROM WHAT
	local e u
	e=$(rate_at epoll 50k "$1") u=$(rate_at uring 50k "$1")
	if [ -z "$e" ] || [ -z "$u" ]; then
		echo "  uring >= epoll msgs/s at 50k, heartbeat $1: NOT MEASURED (needs an epoll and a uring row at 50k that held all)"
		return
	fi
	awk -v e="$e" -v u="$u" -v p="$2" -v w="$3" -v h="$1" 'BEGIN {
		r = u / e; printf "  uring >= epoll msgs/s at 50k, heartbeat %s: %s (uring %.0f / epoll %.0f = %.3f; passes from %.2f: %s)\n",
			h, (r >= p) ? "PASS" : "FAIL", u, e, r, p, w}'
}
ratio_line "$EVERY" 0.99 "both echo the offered 50k/s, so ~1 and 1% is noise"
for f in $EXTRA; do
	e=$(rate_at epoll "${f%@*}" "${f#*@}") u=$(rate_at uring "${f%@*}" "${f#*@}")
	[ -n "$e" ] && [ -n "$u" ] &&
		awk -v e="$e" -v u="$u" -v f="$f" 'BEGIN {printf "  (for information) uring / epoll msgs/s at %s: %.0f / %.0f = %.3f\n", f, u, e, u / e}'
done
echo
echo "* = the host's CPUs were more than 20% busy (median) just before the run: something else was running."
echo "slab B/conn: /proc/meminfo Slab delta / connections held; a connection is two sockets here (client and server on one host); ? = host slab moved by something else during the run."
echo "RTT: the probe client's (the last min(1000, N/2) connections, opened once the rest were up). CPU and msgs/s: a ${WINDOW} s window with all held."
