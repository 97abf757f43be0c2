#!/usr/bin/env bash
# bench/demo.sh: maxconn's main job with sensible defaults: a server and a
# client holding N connections (default 100k) on loopback, both summaries.
# As root it runs in a private network namespace (nothing on the host is
# touched); otherwise on the host's loopback, tuning nothing.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh"
BIN=$(realpath "${1:?usage: bench/demo.sh path/to/maxconn [N]}")
N=${2:-100k}
[ "$(id -u)" -eq 0 ] && bench_netns MC_DEMO_NETNS "$0" "$BIN" "$N"
# in our own namespace: loopback up and a deep accept queue
[ -n "${MC_DEMO_NETNS:-}" ] && bench_netns_setup
where=$([ -n "${MC_DEMO_NETNS:-}" ] && echo "a private network namespace" || echo "the host's loopback")
TMP=$(mktemp -d /tmp/mc-demo.XXXXXX)
SRV=
trap 'bench_stop "$SRV" TERM; wait 2>/dev/null; rm -rf "$TMP"' EXIT

echo "maxconn demo: $N connections on loopback in $where (ulimit -n is $(ulimit -n))"
echo
"$BIN" server --listen 127.0.0.1:9000 --ready-file "$TMP/ready" -q >"$TMP/server.txt" &
SRV=$!
bench_wait_ready "$TMP/ready" "$SRV" 10 ||
	{ echo "demo: the server did not start within 10 s:"; cat "$TMP/server.txt"; exit 1; }
echo "\$ maxconn client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.101 --conns $N --hold 3s"
set +e
"$BIN" client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.101 --conns "$N" --hold 3s
rc=$?
set -e
bench_stop "$SRV"
SRV=
echo
echo "\$ maxconn server --listen 127.0.0.1:9000   (stopped with Ctrl-C)"
cat "$TMP/server.txt"
exit $rc
