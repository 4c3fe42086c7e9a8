#!/usr/bin/env bash
# HTTP abuse on loopback against `agentp2p run` (its API, /mcp and /a2a on one
# server), one attack after another; during each a legitimate client keeps
# calling a tool through POST /api/v1/tools/call (a fresh connection per
# call, like curl or the CLI), and one line per attack says how it fared:
#   slowloris        SLOTS connections from 127.0.0.2 that send half a request
#                    and one more header byte a second, reconnecting whenever
#                    the server drops them (more than the server's 256 slots)
#   bad-bodies       oversized (5 MiB) and deeply nested (1M '[') JSON bodies
#                    and 64 KiB headers to /api/v1/tools/call, /mcp and /a2a
#   abuse: ATTACK | SECONDS | legit OK/TOTAL ok (RATE) | p50 .. ms p95 .. ms | attacker {what it managed}
# Fails if fewer than 95% of the legitimate calls of an attack succeed, or if
# the node died. No timing assertions: latencies are printed, not checked.
#
#   abuse_http.sh --node agentp2p --peer agentp2p_fault_peer [--slots 400] [--seconds 12]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/abuse_lib.sh"

node_bin="" peer_bin="" slots=400 seconds=12
while [[ $# -gt 0 ]]; do
  case $1 in
    --node) node_bin=$2; shift 2 ;;
    --peer) peer_bin=$2; shift 2 ;;
    --slots) slots=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "abuse_http.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $node_bin ]] || { echo "abuse_http.sh: --node $node_bin is not executable" >&2; exit 2; }
[[ -x $peer_bin ]] || { echo "abuse_http.sh: --peer $peer_bin is not executable" >&2; exit 2; }
ulimit -n $((slots + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

make_work_dir

"$node_bin" run --data-dir "$work/node" --api 127.0.0.1:0 --listen /ip4/127.0.0.1/tcp/0 --no-mdns --no-dht \
  --name abuse-target >"$work/node.out" 2>"$work/node.err" &
node=$!
pids+=($node)
disown "$node"  # killed at exit; no job report
for _ in $(seq 150); do [[ -s $work/node.out ]] && break; sleep 0.1; done
url=$(grep -o '"apiUrl":"[^"]*"' "$work/node.out" | head -n1 | cut -d'"' -f4)
[[ -n $url ]] || { echo "FAIL: the node did not start"; exit 1; }
ms=$((seconds * 1000))

# attack NAME ATTACKER-ARGS...: runs the attacker (started first) while the
# legitimate client calls for SECONDS.
legit=("$peer_bin" http-call --url "$url" --duration-ms "$ms" --deadline-ms 10000 --interval-ms 100)
attack() { run_attack attacker-first "$1" "$node" legit "${@:2}"; }

attack slowloris slowloris --url "$url" --count "$slots" --bind 127.0.0.2 --duration-ms "$ms"
attack bad-bodies bad-http --url "$url" --count 3

metrics=$(curl -s --max-time 5 "$url/metrics" || true)
grep -E '^agentp2p_(http_slow_clients_evicted_total|limits_hit_total\{limit="http|http_requests_total\{area="(mcp|a2a)",status="4)' \
  <<<"$metrics" | sed 's/^/abuse: node metric /' || true
((${#failed_attacks[@]} == 0)) || { echo "FAIL: legitimate calls suffered under: ${failed_attacks[*]}"; exit 1; }
echo "abuse: the legitimate client was served throughout every attack"
