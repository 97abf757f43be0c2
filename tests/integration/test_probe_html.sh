#!/bin/bash
# test_probe_html.sh: the probe's --html page, rendered in headless Chromium
# (Debian's chromium), shows its three charts and the figures of the run
# it reports: a staircase over 300 ports and an fd limit of 1000 to 3,000
# connections. The screenshot is kept as a test artifact in
# build/artifacts/probe-report.png (MC_ARTIFACTS overrides the folder).
. "$(dirname "$0")/lib.sh"
mc_netns
mc_need jq
here=$(cd "$(dirname "$0")" && pwd)
art=${MC_ARTIFACTS:-$here/../../build/artifacts}
mkdir -p "$art"

timeout 120 "$MAXCONN" probe -q --staircase --port-range 40000-40299 --fd-limit 1000 \
	--target 3000 --json "$MC_TMP/p.json" --html "$MC_TMP/p.html" >/dev/null
mc_eq "probe exit code" 0 $?
reached=$(jq .result.reached "$MC_TMP/p.json")
mc_eq "reached" 3000 "$reached"
samples=$(jq '.samples|length' "$MC_TMP/p.json")
points=$(grep -o '<polyline[^>]*id="series-held"[^>]*>' "$MC_TMP/p.html" | grep -o 'points="[^"]*"' |
	tr ' ' '\n' | grep -c ,)
mc_eq "one point per sample in the connections chart" "$samples" "$points"

cp "$MC_TMP/p.html" "$art/probe-report.html"
bash "$here/browser.sh" "$MC_TMP/p.html" "$art/probe-report.png" reached="$reached" \
	limit=target ephemeral_ports fd_process
rc=$?
[ $rc -eq 77 ] && mc_skip tool chromium "chromium not installed"
mc_eq "the page as Chromium renders it" 0 $rc
echo "ok: screenshot kept in $art/probe-report.png"
