#!/usr/bin/env bash
# bench/metrics.sh: does serving --metrics slow a ramp? Issue 13's target:
# a scrape during a 100k ramp slows it by no more than 5%.
#
#   bench/metrics.sh build/maxconn [N]        (default N: 100k)
#   REPEAT=7 EVERY=0.1 bench/metrics.sh build/maxconn 100k
#
# In a private network namespace (root): a server on 127.0.0.1:9000-9003
# and a client from 127.0.0.2-127.0.0.41 opening N, alternately
#   plain    no --metrics anywhere;
#   served   (KINDS="plain served scraped") --metrics on both, no scrape;
#   scraped  server and client with --metrics, both scraped every EVERY
#            seconds (default 0.1 s: 150 times Prometheus' usual 15 s)
#            from the start of the ramp to its end, by one curl keeping its
#            connections alive, as Prometheus does.
# Prints each run and the median time to establish of each kind, their
# ratio and PASS/FAIL against 1.05. The runs alternate, so a slow moment of
# the host falls on both kinds.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"
BIN=$(realpath "${1:?usage: bench/metrics.sh path/to/maxconn [N]}")
N=$(bench_to_n "${2:-100k}")
REPEAT=${REPEAT:-7}
EVERY=${EVERY:-0.1}
KINDS=${KINDS:-plain scraped} # and served: --metrics, never scraped
command -v curl >/dev/null || { echo "bench: needs curl" >&2; exit 1; }

if [ -z "${MC_BENCH_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root for a private network namespace" >&2; exit 1; }
	bench_netns MC_BENCH_NETNS "$0" "$@"
fi
bench_netns_setup 65535
TMP=$(mktemp -d /tmp/mc-bench.XXXXXX)
SRV= SCR=
cleanup() { [ -n "$SCR" ] && kill "$SCR" 2>/dev/null; bench_stop "$SRV" TERM; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# scrape both endpoints every $EVERY seconds until killed, as Prometheus
# does: one process, one keep-alive connection each (curl's --rate over a
# list of URLs; a curl started per scrape would cost the ramp more CPU than
# the endpoints do); one line per page in $TMP/pages
scraper() {
	local per_s
	per_s=$(awk -v e="$EVERY" 'BEGIN {printf "%d", 2 / e}')
	curl -s --rate "$per_s/s" -w '%{stderr}%{http_code} %{url_effective}\n' -o /dev/null \
		"http://127.0.0.1:{9464,9465}/metrics?scrape=[1-100000]" 2>>"$TMP/pages" >/dev/null
}

run_one() { # KIND RUN -> "KIND seconds pages" in $TMP/runs
	local kind=$1 r=$2 smet=() cmet=()
	if [ "$kind" != plain ]; then
		smet=(--metrics 127.0.0.1:9464)
		cmet=(--metrics 127.0.0.1:9465)
	fi
	rm -f "$TMP/ready" "$TMP/pages"
	touch "$TMP/pages"
	"$BIN" server --listen 127.0.0.1:9000-9003 "${smet[@]}" --ready-file "$TMP/ready" --json -q >"$TMP/s.json" &
	SRV=$!
	bench_wait_ready "$TMP/ready" "$SRV" 10 || { echo "bench: the server did not start" >&2; exit 1; }
	"$BIN" client -c 127.0.0.1:9000-9003 -s 127.0.0.2-127.0.0.41 -n "$N" --hold 1s "${cmet[@]}" \
		--json -q >"$TMP/c.json" &
	local cli=$!
	if [ "$kind" = scraped ]; then
		scraper &
		SCR=$!
	fi
	wait "$cli" || true
	[ -n "$SCR" ] && { kill "$SCR" 2>/dev/null; wait "$SCR" 2>/dev/null || true; SCR=; }
	# what serving cost the server: its endpoint thread's time on a CPU
	# (schedstat, ns) over the pages it served
	local ep_ns=0 ep_pages=0 t
	for t in /proc/"$SRV"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = MHD-single ] && ep_ns=$(awk '{print $1}' "$t/schedstat")
	done
	ep_pages=$(grep -c '^200 .*:9464/' "$TMP/pages" || true)
	bench_stop "$SRV" TERM
	SRV=
	local est ramp pages
	est=$(jq .established "$TMP/c.json")
	ramp=$(jq .ramp_s "$TMP/c.json")
	pages=$(grep -c '^200' "$TMP/pages" || true)
	[ "$est" -eq "$N" ] || { echo "bench: run $r ($kind) established $est of $N" >&2; exit 1; }
	local per_page=nan share=nan
	if [ "$ep_pages" -gt 0 ]; then
		per_page=$(awk -v n="$ep_ns" -v p="$ep_pages" 'BEGIN {printf "%.0f", n / p / 1000}')
		# both endpoints' pages at the server's cost, against the ramp's CPU time
		share=$(awk -v n="$ep_ns" -v p="$ep_pages" -v all="$pages" -v t="$ramp" -v c="$(nproc)" \
			'BEGIN {printf "%.3f", 100 * n / p * all / (t * c * 1e9)}')
	fi
	echo "$kind $ramp $pages $per_page $share" >>"$TMP/runs"
	printf '  run %d %-8s %d established in %.3fs, %d pages scraped during the run; server endpoint %s us a page (%s%% of the CPUs over the run)\n' \
		"$r" "$kind" "$est" "$ramp" "$pages" "$per_page" "$share" >&2
	for _ in $(seq 300); do [ "$(bench_inuse)" -le 5 ] && break; sleep 0.1; done
}

echo "maxconn bench metrics: N=$N, $(nproc) CPUs, kernel $(uname -r), $REPEAT runs of each, scrape every ${EVERY}s" >&2
for r in $(seq "$REPEAT"); do
	for kind in $KINDS; do run_one "$kind" "$r"; done
done
med() { awk -v k="$1" '$1 == k {print $2}' "$TMP/runs" | bench_median; }
plain=$(med plain)
scraped=$(med scraped)
pages=$(awk '$1 == "scraped" {print $3}' "$TMP/runs" | bench_median)
printf '\n%-8s %14s\n' kind "ramp (s), median"
for kind in $KINDS; do printf '%-8s %14.3f\n' "$kind" "$(med "$kind")"; done
ratio=$(awk -v a="$scraped" -v b="$plain" 'BEGIN {printf "%.3f", a / b}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.05) ? "PASS" : "FAIL"}')
per_page=$(awk '$1 == "scraped" {print $4}' "$TMP/runs" | bench_median)
share=$(awk '$1 == "scraped" {print $5}' "$TMP/runs" | bench_median)
echo "scraped / plain = $ratio ($pages pages a run, median): <= 1.05: $verdict"
echo "(for information) serving costs the server $per_page us of CPU a page; the run's pages at that cost: $share% of the CPUs' time over the run (median)"
