#!/usr/bin/env bash
# Fault tests between two whole nodes in network namespaces this script
# creates (server 10.78.0.1 <-veth-> client 10.78.0.2); nothing touches the
# machine's own interfaces. Every namespace and process is removed on exit.
#
#   netns_faults.sh --peer agentp2p_fault_peer
#
# Scenarios (each prints one "figures:" line):
#   lossy     tc netem 5% loss + 100 ms delay each way: a 1 MiB transfer and
#             20 tool calls complete. Where the kernel has no sch_netem (e.g.
#             a Firecracker guest without modules), the same figures through a
#             userspace emulation instead: `agentp2p_fault_peer lossy-proxy`
#             in the client's namespace delays every segment 100 ms each way
#             and holds 5% of them back one more round trip (what TCP's
#             retransmission of a lost packet costs); the line says which.
#   sigkill   the server is SIGKILLed mid-call: the caller gets an error
#             within its deadline
#   restart   the server restarts with the same identity and data directory:
#             same peer id, the A2A task and its result are still there, and
#             a client that kept calling recovers
#   crash     the server is SIGKILLed right after answering an A2A task
#             (completed): restarted, it still has the task and its artifact
#   partition the link goes down for 3 s and comes back: calls recover
# Exits 77 (ctest: skipped) when not root or `ip netns` is unavailable.
set -euo pipefail

peer_bin=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --peer) peer_bin=$2; shift 2 ;;
    *) echo "netns_faults.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $peer_bin ]] || { echo "netns_faults.sh: --peer $peer_bin is not executable" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then echo "SKIP: no 'ip netns'"; exit 77; fi

tag="flt$$"
ns_s="${tag}s" ns_c="${tag}c"
work=$(mktemp -d)
server_pid=""
bg_pids=()

cleanup() {
  local code=$?
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null || true
  for p in "${bg_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns_s" 2>/dev/null || true
  ip netns del "$ns_c" 2>/dev/null || true
  if [[ $code -ne 0 ]]; then
    for f in "$work"/*.out "$work"/*.err; do [[ -s $f ]] && { echo "--- $(basename "$f")"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

ip netns add "$ns_s"
ip netns add "$ns_c"
ip -n "$ns_s" link set lo up
ip -n "$ns_c" link set lo up
ip -n "$ns_s" link add eth0 type veth peer name eth0 netns "$ns_c"
ip -n "$ns_s" addr add 10.78.0.1/24 dev eth0
ip -n "$ns_c" addr add 10.78.0.2/24 dev eth0
ip -n "$ns_s" link set eth0 up
ip -n "$ns_c" link set eth0 up

fail() { echo "FAIL: $*"; exit 1; }
# The first "KEY":value (a greedy match would find the per-window "ok" counts instead).
json_field() { grep -o "\"$2\":[^,}]*" <<<"$1" | head -n1 | cut -d: -f2- | tr -d '"'; }

start_server() {
  # A restart must not read the previous server's line: the redirection below
  # truncates the file only once the background job runs.
  rm -f "$work/server.out"
  ip netns exec "$ns_s" "$peer_bin" serve --data-dir "$work/server" --listen /ip4/10.78.0.1/tcp/4101 \
    >"$work/server.out" 2>>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s $work/server.out ]] && break
    sleep 0.1
  done
  local line
  line=$(head -n1 "$work/server.out")
  peer_id=$(json_field "$line" peerId)
  [[ -n $peer_id ]] || fail "server did not start: $line"
  target="/ip4/10.78.0.1/tcp/4101/p2p/$peer_id"
}

client() {  # client ARGS... -> the client's JSON line on stdout
  ip netns exec "$ns_c" "$peer_bin" "$@" --data-dir "$work/client" 2>>"$work/client.err" | tail -n1
}

start_server
first_peer=$peer_id
echo "server $peer_id"

# --- baseline
out=$(client call --target "$target" --count 20) || true
echo "figures: baseline $out"
[[ $(json_field "$out" failed) == 0 ]] || fail "baseline calls failed"

# --- A2A task before the restart
sent=$(client a2a-send --target "$target") || true
task_id=$(json_field "$sent" task)
[[ $(json_field "$sent" state) == completed ]] || fail "A2A task did not complete: $sent"

# --- lossy link
lossy_calls() {  # lossy_calls HOW TARGET
  local how=$1 via=$2 out
  out=$(client call --target "$via" --tool blob --args '{"bytes":1048576}' --count 1 --deadline-ms 60000) || true
  echo "figures: lossy ($how) 1MiB transfer $out"
  [[ $(json_field "$out" ok) == 1 ]] || fail "1 MiB transfer over the lossy link ($how) failed"
  out=$(client call --target "$via" --count 20 --deadline-ms 20000) || true
  echo "figures: lossy ($how) 20 calls $out"
  [[ $(json_field "$out" ok) == 20 ]] || fail "calls over the lossy link ($how) failed"
}
if tc -n "$ns_s" qdisc add dev eth0 root netem loss 5% delay 100ms 2>/dev/null; then
  tc -n "$ns_c" qdisc add dev eth0 root netem loss 5% delay 100ms
  lossy_calls "tc netem" "$target"
  tc -n "$ns_s" qdisc del dev eth0 root
  tc -n "$ns_c" qdisc del dev eth0 root
else
  echo "note: this kernel has no sch_netem (tc qdisc netem unavailable); emulating the lossy link in userspace"
  ip netns exec "$ns_c" "$peer_bin" lossy-proxy --listen 127.0.0.1:4102 --to 10.78.0.1:4101 --delay-ms 100 \
    --loss 0.05 >"$work/proxy.out" 2>>"$work/proxy.err" &
  proxy_pid=$!
  bg_pids+=($proxy_pid)
  for _ in $(seq 50); do [[ -s $work/proxy.out ]] && break; sleep 0.1; done
  lossy_calls "userspace proxy: 100 ms each way, 5% of segments one round trip late" \
    "/ip4/127.0.0.1/tcp/4102/p2p/$peer_id"
  kill -TERM "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  echo "figures: lossy proxy $(tail -n1 "$work/proxy.out")"
fi

# --- restart with the same identity while a client keeps calling
client call --target "$target" --duration-ms 9000 --deadline-ms 1500 --window-ms 1000 --interval-ms 100 >"$work/restart.out" &
bg_pids+=($!)
sleep 2
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
sleep 1
start_server
[[ $peer_id == "$first_peer" ]] || fail "peer id changed across the restart: $first_peer -> $peer_id"
got=$(client a2a-get --target "$target" --task "$task_id") || fail "a2a-get after the restart failed: $got"
echo "figures: restart task $got"
[[ $(json_field "$got" state) == completed && $(json_field "$got" artifacts) -ge 1 ]] || fail "task lost across the restart: $got"
wait "${bg_pids[-1]}" || true
out=$(tail -n1 "$work/restart.out")
echo "figures: restart calls $out"
last_window=$(grep -o '"windows":\[.*\]' <<<"$out" | grep -o '{"ok":[0-9]*' | tail -n2 | head -n1 | grep -o '[0-9]*$')
[[ ${last_window:-0} -gt 0 ]] || fail "calls did not recover after the restart"

# --- partition that heals
client call --target "$target" --duration-ms 9000 --deadline-ms 1500 --window-ms 1000 --interval-ms 100 >"$work/partition.out" &
bg_pids+=($!)
sleep 2
ip -n "$ns_c" link set eth0 down
sleep 3
ip -n "$ns_c" link set eth0 up
wait "${bg_pids[-1]}" || true
out=$(tail -n1 "$work/partition.out")
echo "figures: partition $out"
[[ $(json_field "$out" failed) -gt 0 ]] || echo "note: no call failed during the partition"
last_window=$(grep -o '"windows":\[.*\]' <<<"$out" | grep -o '{"ok":[0-9]*' | tail -n2 | head -n1 | grep -o '[0-9]*$')
[[ ${last_window:-0} -gt 0 ]] || fail "calls did not recover after the partition healed"

# --- crash right after an acknowledged A2A task: SIGKILL (no clean stop), restart, the task is there
sent=$(client a2a-send --target "$target") || true
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
crash_task=$(json_field "$sent" task)
[[ $(json_field "$sent" state) == completed ]] || fail "A2A task before the crash did not complete: $sent"
start_server
got=$(client a2a-get --target "$target" --task "$crash_task") || true
echo "figures: crash task $got"
[[ $(json_field "$got" state) == completed && $(json_field "$got" artifacts) -ge 1 ]] ||
  fail "a task reported completed was lost when the server was killed: $got"

# --- SIGKILL mid-call (last: the server is gone afterwards)
client call --target "$target" --tool sleep --args '{"ms":20000}' --count 1 --deadline-ms 4000 >"$work/kill.out" &
bg_pids+=($!)
sleep 1.5
kill -9 "$server_pid"; server_pid=""
wait "${bg_pids[-1]}" || true
out=$(tail -n1 "$work/kill.out")
echo "figures: sigkill $out"
[[ $(json_field "$out" failed) == 1 ]] || fail "the call to a killed peer did not fail"
max_fail=$(json_field "$out" maxFailureMs)
awk -v m="$max_fail" 'BEGIN { exit !(m <= 4500) }' || fail "the caller waited ${max_fail} ms, past its 4000 ms deadline"
echo "netns_faults: all scenarios passed"
