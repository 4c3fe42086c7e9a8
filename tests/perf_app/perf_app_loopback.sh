#!/usr/bin/env bash
# Runs agentp2p-perf as a server and as a client against it on loopback and
# checks the client's JSON lines (multiaddr and host:port forms).
set -euo pipefail
bin=$1
dir=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$bin" --run-server --server-address /ip4/127.0.0.1/tcp/0 >"$dir/server.out" &
server_pid=$!
for _ in $(seq 100); do [[ -s $dir/server.out ]] && break; sleep 0.1; done
addr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["addrs"][0])' "$dir/server.out")
hostport=$(sed -E 's|/ip4/([^/]+)/tcp/([0-9]+).*|\1:\2|' <<<"$addr")

check() {  # <output file> <upload> <download>
  python3 - "$@" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines, "no output"
for l in lines:
    assert l["type"] in ("intermediary", "final"), l
    assert set(l) == {"type", "timeSeconds", "uploadBytes", "downloadBytes"}, l
final = lines[-1]
assert final["type"] == "final", final
assert final["uploadBytes"] == int(sys.argv[2]) and final["downloadBytes"] == int(sys.argv[3]), final
assert final["timeSeconds"] > 0, final
PY
}
timeout 30 "$bin" --server-address "$addr" --transport tcp --upload-bytes 50000000 --download-bytes 70000000 >"$dir/a.out"
check "$dir/a.out" 50000000 70000000
timeout 30 "$bin" --server-address "$hostport" --upload-bytes 0 --download-bytes 1 >"$dir/b.out"
check "$dir/b.out" 0 1
# Nothing listening: a clear failure, exit code 1.
set +e
timeout 30 "$bin" --server-address /ip4/127.0.0.1/tcp/1 --upload-bytes 1 >"$dir/c.out" 2>"$dir/c.err"
rc=$?
set -e
[[ $rc == 1 ]] || { echo "expected exit 1 for an unreachable server, got $rc"; exit 1; }
echo "perf_app_loopback: ok"
