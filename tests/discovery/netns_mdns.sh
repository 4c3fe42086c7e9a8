#!/usr/bin/env bash
# mDNS between nodes in network namespaces that this script creates: one
# "hub" namespace holding a bridge, and one namespace per node, each joined
# to the bridge by a veth pair (10.77.0.<i>/24, with the multicast route
# `224.0.0.0/4 dev eth0`). Nothing is sent on the machine's own interfaces.
# Every namespace and process is removed on exit (trap).
#
#   netns_mdns.sh js  --peer BIN --node NODE22 --js MDNS_JS_PEER.mjs
#       our node and a js-libp2p node with @libp2p/mdns find each other (both
#       directions) and connect
#   netns_mdns.sh many --peer BIN [--count 10]
#       COUNT of our nodes all find (and connect to) each other
#
# Exits 77 (ctest: skipped) when not root or `ip netns` is unavailable.
set -euo pipefail

mode=${1:-}
shift || true
peer_bin="" node_bin="" js_script="" count=10 timeout_s=40
while [[ $# -gt 0 ]]; do
  case $1 in
    --peer) peer_bin=$2; shift 2 ;;
    --node) node_bin=$2; shift 2 ;;
    --js) js_script=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --timeout-s) timeout_s=$2; shift 2 ;;
    *) echo "netns_mdns.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $mode == js || $mode == many ]] || { echo "usage: netns_mdns.sh js|many --peer BIN ..." >&2; exit 2; }
[[ -x $peer_bin ]] || { echo "netns_mdns.sh: --peer $peer_bin is not executable" >&2; exit 2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: netns_mdns.sh needs root to create network namespaces"
  exit 77
fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
  echo "SKIP: 'ip netns' is not available"
  exit 77
fi

# Unique per run: parallel runs never share a namespace.
tag="mdns$$"
hub="${tag}hub"
work=$(mktemp -d)
namespaces=()
pids=()

cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ $code -ne 0 ]]; then
    for f in "$work"/*.out "$work"/*.err; do
      [[ -s $f ]] && { echo "--- $(basename "$f")"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

ip netns add "$hub"
namespaces+=("$hub")
ip -n "$hub" link set lo up
ip -n "$hub" link add br0 type bridge
# 224.0.0.251 is link-local and always flooded; snooping off keeps it simple.
ip -n "$hub" link set br0 type bridge mcast_snooping 0
ip -n "$hub" link set br0 up

# make_node I: namespace ${tag}n<I> with eth0 = 10.77.0.<I>/24 on the bridge.
make_node() {
  local i=$1 ns="${tag}n$1"
  ip netns add "$ns"
  namespaces+=("$ns")
  ip -n "$hub" link add "b$i" type veth peer name "e$i"
  ip -n "$hub" link set "e$i" netns "$ns"
  ip -n "$hub" link set "b$i" master br0 up
  ip -n "$ns" link set "e$i" name eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "10.77.0.$i/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add 224.0.0.0/4 dev eth0
}

# wait_for FILE PATTERN COUNT: until FILE has COUNT lines matching PATTERN (or the deadline).
deadline=$((SECONDS + timeout_s))
wait_for() {
  local file=$1 pattern=$2 want=$3
  while (( SECONDS < deadline )); do
    local have
    have=$(grep -c -- "$pattern" "$file" 2>/dev/null || true)
    (( have >= want )) && return 0
    sleep 0.2
  done
  return 1
}

# found_by_mdns I: distinct peers node I found by mDNS. A node that the others
# dialed before its own query was answered has none yet; grep's "no match"
# must not end the script (set -e + pipefail) before the wait below.
found_by_mdns() {
  { grep -o '"event":"found","peer":"[^"]*"' "$work/n$1.out" || true; } | sort -u | wc -l
}

peer_of() { sed -n 's/.*"event":"ready","peer":"\([^"]*\)".*/\1/p' "$1" | head -n1; }

start_ours() {  # start_ours I EXPECT
  local i=$1
  ip netns exec "${tag}n$i" "$peer_bin" --interface eth0 --listen /ip4/0.0.0.0/tcp/0 \
    --query-interval-ms 500 --expect "$2" --timeout-s "$((timeout_s + 5))" \
    >"$work/n$i.out" 2>"$work/n$i.err" &
  pids+=($!)
}

case $mode in
  js)
    [[ -x $node_bin && -f $js_script ]] || { echo "netns_mdns.sh: js mode needs --node and --js" >&2; exit 2; }
    make_node 1
    make_node 2
    start_ours 1 1
    ip netns exec "${tag}n2" "$node_bin" "$js_script" --interval-ms 500 --timeout-s "$((timeout_s + 5))" \
      >"$work/js.out" 2>"$work/js.err" &
    pids+=($!)
    wait_for "$work/n1.out" '"event":"ready"' 1 || { echo "FAIL: our node did not start"; exit 1; }
    wait_for "$work/js.out" '"event":"ready"' 1 || { echo "FAIL: the js node did not start"; exit 1; }
    ours=$(peer_of "$work/n1.out")
    js=$(peer_of "$work/js.out")
    echo "our node $ours, js node $js"
    wait_for "$work/n1.out" "\"event\":\"found\",\"peer\":\"$js\"" 1 || { echo "FAIL: our node never found the js node"; exit 1; }
    echo "ok: our node found the js node by mDNS"
    wait_for "$work/js.out" "\"event\":\"found\",\"peer\":\"$ours\"" 1 || { echo "FAIL: the js node never found ours"; exit 1; }
    echo "ok: the js node found ours by mDNS"
    wait_for "$work/n1.out" "\"event\":\"connected\",\"peer\":\"$js\"" 1 || { echo "FAIL: our node is not connected to js"; exit 1; }
    wait_for "$work/js.out" "\"event\":\"connected\",\"peer\":\"$ours\"" 1 || { echo "FAIL: js is not connected to our node"; exit 1; }
    echo "ok: connected both ways"
    ;;
  many)
    for i in $(seq "$count"); do make_node "$i"; done
    for i in $(seq "$count"); do start_ours "$i" "$((count - 1))"; done
    failed=0
    for i in $(seq "$count"); do
      if ! wait_for "$work/n$i.out" '"event":"done"' 1; then
        echo "FAIL: node $i connected to $(grep -c '"event":"connected"' "$work/n$i.out" || true) of $((count - 1)) peers"
        failed=1
      fi
    done
    [[ $failed -eq 0 ]] || exit 1
    # Each node found the others by mDNS itself (not only by being dialed).
    for i in $(seq "$count"); do
      found=$(found_by_mdns "$i")
      if (( found < count - 1 )); then
        wait_for "$work/n$i.out" '"event":"found"' "$((count - 1))" || true
        found=$(found_by_mdns "$i")
      fi
      (( found >= count - 1 )) || { echo "FAIL: node $i found $found of $((count - 1)) peers by mDNS"; exit 1; }
    done
    echo "ok: all $count nodes found and connected to each other"
    ;;
esac
exit 0
