#!/usr/bin/env bash
# bench/demo.sh: maxconn's main job with sensible defaults: a server and a
# client holding N connections (default 100k) on loopback, both summaries.
# As root it runs in a private network namespace (nothing on the host is
# touched); otherwise on the host's loopback, tuning nothing.
set -euo pipefail
BIN=$(realpath "${1:?usage: bench/demo.sh path/to/maxconn [N]}")
N=${2:-100k}
if [ -z "${MC_DEMO_NETNS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	MC_DEMO_NETNS=1 exec unshare -n -- "$0" "$BIN" "$N"
fi
# in our own namespace: a deep accept queue, so bursts wait instead of
# being dropped (a dropped SYN costs a 1 s retransmit)
[ -n "${MC_DEMO_NETNS:-}" ] && ip link set lo up && sysctl -qw net.core.somaxconn=65535
where=$([ -n "${MC_DEMO_NETNS:-}" ] && echo "a private network namespace" || echo "the host's loopback")
TMP=$(mktemp -d /tmp/mc-demo.XXXXXX)
SRV=
trap '[ -n "$SRV" ] && kill -TERM $SRV 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

echo "maxconn demo: $N connections on loopback in $where (ulimit -n is $(ulimit -n))"
echo
"$BIN" server --listen 127.0.0.1:9000 --ready-file "$TMP/ready" -q >"$TMP/server.txt" &
SRV=$!
while [ ! -s "$TMP/ready" ]; do sleep 0.05; done
echo "\$ maxconn client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.101 --conns $N --hold 3s"
set +e
"$BIN" client --connect 127.0.0.1:9000 --source 127.0.0.2-127.0.0.101 --conns "$N" --hold 3s
rc=$?
set -e
kill -INT $SRV; wait $SRV || true
SRV=
echo
echo "\$ maxconn server --listen 127.0.0.1:9000   (stopped with Ctrl-C)"
cat "$TMP/server.txt"
exit $rc
