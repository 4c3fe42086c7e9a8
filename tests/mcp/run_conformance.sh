#!/usr/bin/env bash
# Runs the official MCP conformance suite (server side, active and pending
# scenarios) against our fixture server over Streamable HTTP on loopback.
#   run_conformance.sh <agentp2p_mcp_fixture_server> <tests/interop dir>
set -euo pipefail
server=$1
interop=$2
log=$(mktemp -d)
cleanup() {
  if [[ -n "${pid:-}" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$log"
}
trap cleanup EXIT

"$server" --http 0 >"$log/url" 2>"$log/server.err" &
pid=$!
for _ in $(seq 1 100); do
  [[ -s "$log/url" ]] && break
  sleep 0.1
done
url=$(head -n1 "$log/url")
[[ "$url" == http://127.0.0.1:* ]] || { echo "fixture server did not start"; cat "$log/server.err"; exit 1; }
echo "fixture server at $url"

status=0
for suite in active pending; do
  out="$log/$suite.txt"
  if ! timeout 240 "$interop/node22" "$interop/node_modules/.bin/conformance" server --url "$url" --suite "$suite" >"$out" 2>&1; then
    status=1
  fi
  sed -n '/=== SUMMARY ===/,$p' "$out"
  total=$(grep -E '^Total:' "$out" || true)
  echo "conformance server --suite $suite: ${total:-no summary}"
  if [[ -z "$total" ]] || ! grep -qE '^Total: [0-9]+ passed, 0 failed' "$out"; then
    status=1
    grep -E 'FAILURE|✗' "$out" | head -40 || true
  fi
done
exit $status
