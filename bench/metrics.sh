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
#   scraped  server and client with --metrics, both scraped every EVERY
#            seconds (default 0.1 s: 150 times Prometheus' usual 15 s)
#            from before the ramp to its end, by curl.
# Prints each run and the median time to establish of each kind, their
# ratio and PASS/FAIL against 1.05. The runs alternate, so a slow moment of
# the host falls on both kinds.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"
BIN=$(realpath "${1:?usage: bench/metrics.sh path/to/maxconn [N]}")
N=$(bench_to_n "${2:-100k}")
REPEAT=${REPEAT:-7}
EVERY=${EVERY:-0.1}
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

# scrape URL... every $EVERY seconds until killed; counts pages in $TMP/pages
scraper() {
	while :; do
		for u in "$@"; do curl -sf -o /dev/null "$u" && echo >>"$TMP/pages"; done
		sleep "$EVERY"
	done
}

run_one() { # KIND RUN -> "KIND seconds pages" in $TMP/runs
	local kind=$1 r=$2 smet=() cmet=()
	if [ "$kind" = scraped ]; then
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
		scraper http://127.0.0.1:9464/metrics http://127.0.0.1:9465/metrics &
		SCR=$!
	fi
	wait "$cli" || true
	[ -n "$SCR" ] && { kill "$SCR" 2>/dev/null; wait "$SCR" 2>/dev/null || true; SCR=; }
	bench_stop "$SRV" TERM
	SRV=
	local est ramp pages
	est=$(jq .established "$TMP/c.json")
	ramp=$(jq .ramp_s "$TMP/c.json")
	pages=$(wc -l <"$TMP/pages")
	[ "$est" -eq "$N" ] || { echo "bench: run $r ($kind) established $est of $N" >&2; exit 1; }
	echo "$kind $ramp $pages" >>"$TMP/runs"
	printf '  run %d %-8s %d established in %.3fs, %d pages scraped during the run\n' "$r" "$kind" "$est" "$ramp" "$pages" >&2
	for _ in $(seq 300); do [ "$(bench_inuse)" -le 5 ] && break; sleep 0.1; done
}

echo "maxconn bench metrics: N=$N, $(nproc) CPUs, kernel $(uname -r), $REPEAT runs of each, scrape every ${EVERY}s" >&2
for r in $(seq "$REPEAT"); do
	run_one plain "$r"
	run_one scraped "$r"
done
med() { awk -v k="$1" '$1 == k {print $2}' "$TMP/runs" | bench_median; }
plain=$(med plain)
scraped=$(med scraped)
pages=$(awk '$1 == "scraped" {print $3}' "$TMP/runs" | bench_median)
printf '\n%-8s %14s\n' kind "ramp (s), median"
printf '%-8s %14.3f\n' plain "$plain" scraped "$scraped"
ratio=$(awk -v a="$scraped" -v b="$plain" 'BEGIN {printf "%.3f", a / b}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.05) ? "PASS" : "FAIL"}')
echo "scraped / plain = $ratio ($pages pages a run, median): <= 1.05: $verdict"
