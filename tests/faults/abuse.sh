#!/usr/bin/env bash
# libp2p abuse on loopback, one attack after another; during each a
# legitimate peer (connected before the attack) keeps calling a tool on our
# node, and one line per attack says how it fared:
#   half-open-connections  CONNS TCP connections from IPS addresses
#                          (127.0.0.2...) that never start a handshake, held
#   stream-flood           a peer opens (and resets) streams as fast as it can
#   bad-json               oversized (5 MiB) and deeply nested (100k '[') JSON
#                          lines on /praxis/tool/1.0.0
#   abuse: ATTACK | SECONDS | legit OK/TOTAL ok (RATE) | p50 .. ms p95 .. ms | attacker {what it managed}
# Fails if fewer than 95% of the legitimate calls of an attack succeed, or if
# the node died. No timing assertions: latencies are printed, not checked.
#
#   abuse.sh --peer agentp2p_fault_peer [--conns 10000] [--ips 40] [--seconds 6]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/abuse_lib.sh"

peer_bin="" conns=10000 ips=40 seconds=6
while [[ $# -gt 0 ]]; do
  case $1 in
    --peer) peer_bin=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --ips) ips=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "abuse.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $peer_bin ]] || { echo "abuse.sh: --peer $peer_bin is not executable" >&2; exit 2; }
# The attacker holds CONNS sockets at once.
ulimit -n $((conns + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < conns + 256 )); then
  conns=$(( $(ulimit -n) - 256 ))
  echo "note: open file limit $(ulimit -n): half-open connections lowered to $conns"
fi

make_work_dir

"$peer_bin" serve --data-dir "$work/server" --listen /ip4/127.0.0.1/tcp/0 >"$work/server.out" 2>"$work/server.err" &
server=$!
pids+=($server)
disown "$server"  # killed at exit; no job report
for _ in $(seq 100); do [[ -s $work/server.out ]] && break; sleep 0.1; done
target=$(grep -o '"/ip4/127.0.0.1/tcp/[0-9]*/p2p/[^"]*"' "$work/server.out" | head -n1 | tr -d '"')
[[ -n $target ]] || { echo "FAIL: server did not start"; exit 1; }
ms=$((seconds * 1000))

# attack NAME ATTACKER-ARGS...: runs the attacker while a legitimate peer
# (connected first) calls for SECONDS.
legit=("$peer_bin" call --target "$target" --data-dir "$work/legit" --duration-ms "$ms" --concurrency 2
       --deadline-ms 10000 --interval-ms 150)
attack() { run_attack legit-first "$1" "$server" legit "${@:2}"; }

attack half-open-connections flood-connect --target "$target" --data-dir "$work/a1" --count "$conns" \
  --bind 127.0.0.2 --ips "$ips" --duration-ms $((ms - 2000))
attack stream-flood flood-streams --target "$target" --data-dir "$work/a2" --duration-ms $((ms - 1000))
attack bad-json bad-json --target "$target" --data-dir "$work/a3" --count 5

grep -c "warn" "$work/server.err" | sed 's/^/abuse: node warning lines (rate-limited): /' || true
((${#failed_attacks[@]} == 0)) || { echo "FAIL: legitimate calls suffered under: ${failed_attacks[*]}"; exit 1; }
echo "abuse: the legitimate peer was served throughout every attack"
