#!/usr/bin/env bash
# libp2p test-plans "transport-interop" run, locally and without docker:
# starts a private redis-server on a free loopback port, then for every
# (listener, dialer) pair x security runs the two test nodes with the spec's
# environment variables and checks the dialer's JSON result line.
#
#   run_transport_interop.sh --cpp-node /path/agentp2p_transport_interop [--cpp-security noise,plaintext]
#   run_transport_interop.sh --only-js
#
# Exit code 0 only if every run passes.
set -uo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
NODE="$HERE/node22"
JS_NODE="$HERE/transport_interop_js.mjs"
CPP_NODE=""
ONLY_JS=0
CPP_SECURITY="noise,plaintext"
JS_SECURITY="noise,plaintext"
TEST_TIMEOUT=60        # test_timeout_seconds handed to the nodes
DIALER_TIMEOUT=90      # hard limit for one dialer process

usage() {
  echo "usage: $0 (--cpp-node PATH | --only-js) [--cpp-security LIST] [--timeout SECS]" >&2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --cpp-node) CPP_NODE="${2:-}"; shift 2 ;;
    --cpp-node=*) CPP_NODE="${1#*=}"; shift ;;
    --cpp-security) CPP_SECURITY="${2:-}"; shift 2 ;;
    --cpp-security=*) CPP_SECURITY="${1#*=}"; shift ;;
    --only-js) ONLY_JS=1; shift ;;
    --timeout) TEST_TIMEOUT="${2:-60}"; DIALER_TIMEOUT=$((TEST_TIMEOUT + 30)); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done

if [[ $ONLY_JS -eq 0 ]]; then
  if [[ -z "$CPP_NODE" || ! -x "$CPP_NODE" ]]; then
    echo "run_transport_interop: --cpp-node '${CPP_NODE}' is not an executable file (or use --only-js)" >&2
    exit 2
  fi
  CPP_NODE="$(readlink -f "$CPP_NODE")"
fi
if [[ ! -x "$NODE" ]] || ! "$NODE" -e 0 2>/dev/null; then
  echo "run_transport_interop: $NODE does not run - run 'npm ci' in $HERE" >&2
  exit 2
fi
REDIS_SERVER="$(command -v redis-server || true)"
REDIS_CLI="$(command -v redis-cli || true)"
if [[ -z "$REDIS_SERVER" || -z "$REDIS_CLI" ]]; then
  echo "run_transport_interop: redis-server and redis-cli are needed (Debian: apt-get install redis-server)" >&2
  exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/transport-interop.XXXXXX")"
REDIS_PID=""
LISTENER_PID=""

kill_listener() {
  [[ -n "$LISTENER_PID" ]] || return 0
  kill -TERM -- "-$LISTENER_PID" 2>/dev/null || kill -TERM "$LISTENER_PID" 2>/dev/null
  for _ in $(seq 1 30); do kill -0 "$LISTENER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$LISTENER_PID" 2>/dev/null; kill -KILL "$LISTENER_PID" 2>/dev/null
  wait "$LISTENER_PID" 2>/dev/null
  LISTENER_PID=""
}

cleanup() {
  kill_listener
  if [[ -n "$REDIS_PID" ]]; then kill -TERM "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- private redis on a free loopback port
start_redis() {
  local attempt port
  for attempt in 1 2 3 4 5; do
    port="$("$NODE" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
    "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize no --protected-mode yes --logfile "$WORK/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 1 50); do
      if [[ "$("$REDIS_CLI" -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == "PONG" ]]; then
        REDIS_PORT="$port"
        return 0
      fi
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null
    REDIS_PID=""
  done
  echo "run_transport_interop: could not start redis-server; log:" >&2
  cat "$WORK/redis.log" >&2 2>/dev/null
  return 1
}
start_redis || exit 1
REDIS_ADDR="127.0.0.1:$REDIS_PORT"
echo "run_transport_interop: redis-server pid $REDIS_PID on $REDIS_ADDR" >&2

node_cmd() { # impl -> command array in NODE_CMD
  if [[ "$1" == js ]]; then NODE_CMD=("$NODE" "$JS_NODE"); else NODE_CMD=("$CPP_NODE"); fi
}

supports() { # impl security
  local list
  if [[ "$1" == js ]]; then list="$JS_SECURITY"; else list="$CPP_SECURITY"; fi
  [[ ",$list," == *",$2,"* ]]
}

# validate the dialer's stdout: last JSON line with both numbers; prints "hs ping" or fails
check_json() {
  "$NODE" -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").map(l => l.trim()).filter(l => l.startsWith("{"))
    if (lines.length === 0) { console.error("no JSON line on stdout"); process.exit(1) }
    let o
    try { o = JSON.parse(lines[lines.length - 1]) } catch (e) { console.error("bad JSON: " + e.message); process.exit(1) }
    const ok = (x) => typeof x === "number" && Number.isFinite(x) && x > 0
    if (!ok(o.handshakePlusOneRTTMillis) || !ok(o.pingRTTMilllis)) {
      console.error("need positive numbers handshakePlusOneRTTMillis and pingRTTMilllis: " + JSON.stringify(o)); process.exit(1)
    }
    console.log(o.handshakePlusOneRTTMillis.toFixed(2) + " " + o.pingRTTMilllis.toFixed(3))
  ' "$1"
}

declare -a ROWS=()
FAILED=0
PASSED=0

run_one() { # listener dialer security
  local li="$1" di="$2" sec="$3" name="$1-listener/$2-dialer/$3"
  local lout="$WORK/$name.listener.out" lerr="$WORK/$name.listener.err"
  local dout="$WORK/$name.dialer.out" derr="$WORK/$name.dialer.err"
  mkdir -p "$(dirname "$lout")"
  "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" FLUSHALL >/dev/null

  local -a common_env=(transport=tcp "security=$sec" muxer=yamux ip=127.0.0.1
                       "redis_addr=$REDIS_ADDR" "test_timeout_seconds=$TEST_TIMEOUT")
  node_cmd "$li"
  # own session/process group, so everything the listener starts is killed with it
  setsid env "${common_env[@]}" is_dialer=false "${NODE_CMD[@]}" >"$lout" 2>"$lerr" </dev/null &
  LISTENER_PID=$!

  # wait until the listener has published its address (or died), so a
  # broken listener fails fast instead of after the dialer's BLPOP timeout
  local waited=0 published=0
  while [[ $waited -lt $((TEST_TIMEOUT * 10)) ]]; do
    if [[ "$("$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" LLEN listenerAddr 2>/dev/null)" =~ ^[1-9] ]]; then
      published=1; break
    fi
    kill -0 "$LISTENER_PID" 2>/dev/null || break
    sleep 0.1; waited=$((waited + 1))
  done

  node_cmd "$di"
  local t0=$SECONDS rc=0
  : >"$dout"; : >"$derr"
  if [[ $published -eq 1 ]]; then
    env "${common_env[@]}" is_dialer=true timeout -k 5 "$DIALER_TIMEOUT" "${NODE_CMD[@]}" >"$dout" 2>"$derr" </dev/null
    rc=$?
  fi
  local secs=$((SECONDS - t0))

  local listener_alive=1
  kill -0 "$LISTENER_PID" 2>/dev/null || listener_alive=0
  kill_listener
  LISTENER_PID=""

  local why="" nums=""
  if [[ $published -eq 0 ]]; then
    why="listener never published listenerAddr to redis (exited or timed out)"
  elif [[ $rc -ne 0 ]]; then
    why="dialer exit code $rc$([[ $rc -eq 124 || $rc -eq 137 ]] && echo ' (timeout)')"
  elif ! nums="$(check_json "$dout" 2>"$WORK/check.err")"; then
    why="$(cat "$WORK/check.err")"
  elif [[ $listener_alive -eq 0 ]]; then
    why="listener exited before the dialer finished"
  fi
  local hs="-" pg="-"
  if [[ -n "$nums" ]]; then read -r hs pg <<<"$nums"; fi
  if [[ -z "$why" ]]; then
    PASSED=$((PASSED + 1))
    ROWS+=("$(printf '%-6s %-6s %-10s %-5s %14s %10s' "$li" "$di" "$sec" PASS "$hs" "$pg")")
    echo "PASS $name (${secs}s)" >&2
  else
    FAILED=$((FAILED + 1))
    ROWS+=("$(printf '%-6s %-6s %-10s %-5s %14s %10s' "$li" "$di" "$sec" FAIL "$hs" "$pg")")
    echo "FAIL $name (${secs}s): $why" >&2
    echo "  dialer stdout: $(tail -c 600 "$dout")" >&2
    echo "  dialer stderr: $(tail -c 1500 "$derr")" >&2
    echo "  listener stderr: $(tail -c 1500 "$lerr")" >&2
  fi
}

PAIRS=("js js")
if [[ $ONLY_JS -eq 0 ]]; then PAIRS+=("js cpp" "cpp js"); fi

for pair in "${PAIRS[@]}"; do
  read -r li di <<<"$pair"
  for sec in noise plaintext; do
    if supports "$li" "$sec" && supports "$di" "$sec"; then
      run_one "$li" "$di" "$sec"
    fi
  done
done

echo
printf '%-6s %-6s %-10s %-5s %14s %10s\n' listen dial security res "handshake+RTT" "ping ms"
printf '%-6s %-6s %-10s %-5s %14s %10s\n' ------ ------ ---------- ----- -------------- ----------
for r in "${ROWS[@]}"; do echo "$r"; done
echo
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 && $PASSED -gt 0 ]]
