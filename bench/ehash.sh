#!/usr/bin/env bash
# bench/ehash.sh: the probe with and without an established hash sized for
# its namespace (issue 24), at large targets, in one run.
#
#   bench/ehash.sh [MAXCONN] [TARGET...]     default: build/maxconn 1M 2M
#
# For each target it runs `maxconn probe --target T --json` RUNS times
# (default 1) each way, alternating: sized (the default) and `--ehash
# shared` (the kernel's hash, as before issue 24). Per run: the buckets the
# step had, the ramp (the client's own seconds), connects/s over each tenth
# of the ramp (from the JSON's samples, held against time, interpolated),
# the closing seconds ("closing N sockets... done in Xs") and the wall time.
# Then per target and way the medians, and the ratios issue 24 is judged
# on: the last tenth's rate against the rate between 200k and 400k held
# (want >= 0.6), closing against ramp (want <= 0.3), and sized against
# shared (ramp and wall). A benchmark, not a test: each run fills GiBs of
# memory and both CPUs for a minute; never two at once.
set -uo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"
MAXCONN=${1:-build/maxconn}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(1M 2M)
RUNS=${RUNS:-1}
command -v jq >/dev/null || { echo "bench/ehash.sh: needs jq (scripts/deps)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench/ehash.sh: needs root (the probe's namespaces)" >&2; exit 2; }
out=$(mktemp -d /tmp/mc-bench-ehash.XXXXXX)
trap 'rm -rf "$out"' EXIT

# rates J N: connects/s over each tenth of N held, then over 200k-400k
# (held against time from the samples of the last step, linear between)
rates() {
	jq -r --argjson n "$2" '
	  (.samples[-1].step) as $st
	  | [.samples[] | select(.step == $st)] as $s
	  | def t_at($h): ([$s[] | select(.held >= $h)][0]) as $b
	      | ([$s[] | select(.held < $h)][-1] // {t: $s[0].t, held: 0}) as $a
	      | if $b == null then null
	        elif $b.held == $a.held then $b.t
	        else $a.t + ($b.t - $a.t) * ($h - $a.held) / ($b.held - $a.held) end;
	  def rate($lo; $hi): (t_at($lo)) as $x | (t_at($hi)) as $y
	      | if $x == null or $y == null or $y <= $x then "nan"
	        else (($hi - $lo) / ($y - $x) | floor) end;
	  [range(0; 10) as $k | rate($n * $k / 10; $n * ($k + 1) / 10)]
	  + [if $n >= 400000 then rate(200000; 400000) else "nan" end]
	  | map(tostring) | join(" ")' "$1"
}

echo "# $0 $MAXCONN ${targets[*]} (RUNS=$RUNS) on $(uname -r), $(nproc) CPUs, $(date -u +%F)"
printf '%-5s %-7s %3s %10s %7s %7s %7s  %s\n' target hash run buckets ramp_s close_s wall_s \
	"connects/s per tenth of the ramp (k) | 200k-400k"
for t in "${targets[@]}"; do
	n=$(bench_to_n "$t")
	for r in $(seq "$RUNS"); do
		for way in sized shared; do
			j="$out/$t.$way.$r.json"
			args=()
			[ $way = shared ] && args=(--ehash shared)
			t0=$(date +%s.%N)
			"$MAXCONN" probe --target "$t" "${args[@]}" --json "$j" >"$out/out" 2>"$out/err"
			wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
			close=$(tr '\r' '\n' <"$out/err" | grep -o 'done in [0-9.]*s' | tail -1 | tr -dc '0-9.')
			ramp=$(jq '.steps[-1].seconds*10|round/10' "$j")
			read -r -a rs <<<"$(rates "$j" "$n")"
			tenths=""
			for k in $(seq 0 9); do
				v=${rs[$k]}
				[ "$v" = nan ] || v="$(awk -v v="$v" 'BEGIN {printf "%.1f", v / 1000}')"
				tenths="$tenths $v"
			done
			early=${rs[10]}
			[ "$early" = nan ] || early=$(awk -v v="$early" 'BEGIN {printf "%.1f", v / 1000}')
			printf '%-5s %-7s %3s %10s %7s %7s %7s %s | %s\n' "$t" $way "$r" \
				"$(jq .steps[-1].ehash.buckets "$j")" "$ramp" "${close:--}" "$wall" "$tenths" "$early"
			echo "$t $way $ramp ${close:-nan} $wall ${rs[9]} ${rs[10]}" >>"$out/rows"
		done
	done
done

echo
echo "# medians per target and way; last/early: the last tenth's rate over the rate between"
echo "# 200k and 400k held (want >= 0.6); close/ramp (want <= 0.3)"
printf '%-5s %-7s %7s %7s %7s %10s %10s %10s %10s\n' target hash ramp_s close_s wall_s \
	last_k/s early_k/s last/early close/ramp
for t in "${targets[@]}"; do
	for way in sized shared; do
		col() { awk -v t="$t" -v w=$way -v c="$1" '$1 == t && $2 == w && $c != "nan" {print $c}' \
			"$out/rows" | bench_median; }
		ramp=$(col 3) close=$(col 4) wall=$(col 5) last=$(col 6) early=$(col 7)
		awk -v t="$t" -v w=$way -v r="$ramp" -v c="$close" -v wl="$wall" -v l="$last" -v e="$early" '
		  function ratio(a, b) { return (a == "nan" || b == "nan" || b == 0) ? "-" : sprintf("%.2f", a / b) }
		  function k(v) { return v == "nan" ? "-" : sprintf("%.1f", v / 1000) }
		  BEGIN {printf "%-5s %-7s %7s %7s %7s %10s %10s %10s %10s\n", t, w, r, c, wl, k(l), k(e),
		         ratio(l, e), ratio(c, r)}'
		echo "$t $way $ramp $wall" >>"$out/med"
	done
	awk -v t="$t" '$1 == t {r[$2] = $3; w[$2] = $4}
	  END {if (r["shared"] > 0 && w["shared"] > 0)
	         printf "%-5s sized/shared: ramp %.2fx, wall %.2fx\n", t, r["sized"] / r["shared"], w["sized"] / w["shared"]}' "$out/med"
done
