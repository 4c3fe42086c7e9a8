#!/usr/bin/env bash
# Abuse on loopback: while a legitimate peer keeps calling a tool on our node,
#   - another address (127.0.0.2) opens CONNS TCP connections that never
#     start a handshake and holds them,
#   - a peer opens streams as fast as it can,
#   - a peer sends oversized (5 MiB) and deeply nested (100k '[') JSON lines.
# Prints the legitimate peer's success rate and latency, and what each attack
# achieved. Fails if fewer than 90% of the legitimate calls succeed.
#
#   abuse.sh --peer agentp2p_fault_peer [--conns 2000] [--seconds 8]
set -euo pipefail

peer_bin="" conns=2000 seconds=8
while [[ $# -gt 0 ]]; do
  case $1 in
    --peer) peer_bin=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "abuse.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $peer_bin ]] || { echo "abuse.sh: --peer $peer_bin is not executable" >&2; exit 2; }
ulimit -n $((conns * 2 + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
pids=()
cleanup() {
  local code=$?
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $code -ne 0 ]]; then
    for f in "$work"/*.out "$work"/*.err; do [[ -s $f ]] && { echo "--- $(basename "$f")"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM
json_field() { sed -n "s/.*\"$2\":\\([^,}]*\\).*/\\1/p" <<<"$1" | head -n1 | tr -d '"'; }

"$peer_bin" serve --data-dir "$work/server" --listen /ip4/127.0.0.1/tcp/0 >"$work/server.out" 2>"$work/server.err" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/server.out ]] && break; sleep 0.1; done
target=$(grep -o '"/ip4/127.0.0.1/tcp/[0-9]*/p2p/[^"]*"' "$work/server.out" | head -n1 | tr -d '"')
[[ -n $target ]] || { echo "FAIL: server did not start"; exit 1; }

ms=$((seconds * 1000))
"$peer_bin" call --target "$target" --data-dir "$work/legit" --duration-ms "$ms" --concurrency 2 \
  --deadline-ms 10000 --window-ms 1000 --interval-ms 100 >"$work/legit.out" 2>"$work/legit.err" &
legit=$!
pids+=($legit)
sleep 1
"$peer_bin" flood-connect --target "$target" --data-dir "$work/a1" --count "$conns" --bind 127.0.0.2 \
  --duration-ms $((ms - 3000)) >"$work/conns.out" 2>"$work/conns.err" &
pids+=($!)
"$peer_bin" flood-streams --target "$target" --data-dir "$work/a2" --duration-ms $((ms - 3000)) \
  >"$work/streams.out" 2>"$work/streams.err" &
pids+=($!)
"$peer_bin" bad-json --target "$target" --data-dir "$work/a3" --count 5 >"$work/json.out" 2>"$work/json.err" &
pids+=($!)
wait "$legit" || true
for p in "${pids[@]:2}"; do wait "$p" 2>/dev/null || true; done

echo "figures: half-open connections $(tail -n1 "$work/conns.out")"
echo "figures: stream flood $(tail -n1 "$work/streams.out")"
echo "figures: bad JSON $(tail -n1 "$work/json.out")"
out=$(tail -n1 "$work/legit.out")
echo "figures: legitimate peer under attack $out"
grep -c "warning" "$work/server.err" | sed 's/^/figures: server warning lines (rate-limited): /'
rate=$(json_field "$out" successRate)
awk -v r="${rate:-0}" 'BEGIN { exit !(r >= 0.9) }' || { echo "FAIL: legitimate success rate $rate"; exit 1; }
kill -0 "${pids[0]}" || { echo "FAIL: the server died"; exit 1; }
echo "abuse: the legitimate peer was served throughout"
