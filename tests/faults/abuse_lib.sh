# Shared by abuse.sh and abuse_http.sh (sourced): the work directory and its
# cleanup, running one attack beside the legitimate client, the per-attack
# summary line and its pass check.
# json_field JSON KEY: the first top-level-looking "KEY":value (numbers, strings without commas).
json_field() { grep -o "\"$2\":[^,}]*" <<<"$1" | head -n1 | cut -d: -f2- | tr -d '"'; }

# summary ATTACK SECONDS LEGIT_JSON ATTACKER_JSON: one line per attack,
#   abuse: ATTACK | 8.0 s | legit 158/160 ok (98.8%) | p50 2.1 ms p95 6.3 ms | attacker {...}
# and remembers a failure when fewer than MIN_SUCCESS of the legitimate calls succeeded.
MIN_SUCCESS=${MIN_SUCCESS:-0.95}
failed_attacks=()
summary() {
  local attack=$1 seconds=$2 legit=$3 attacker=$4
  local ok failed p50 p95
  ok=$(json_field "$legit" ok) failed=$(json_field "$legit" failed)
  p50=$(json_field "$legit" p50Ms) p95=$(json_field "$legit" p95Ms)
  ok=${ok:-0} failed=${failed:-0}
  local total=$((ok + failed))
  awk -v a="$attack" -v s="$seconds" -v ok="$ok" -v t="$total" -v p50="${p50:-0}" -v p95="${p95:-0}" -v at="$attacker" \
    'BEGIN { printf "abuse: %-24s | %4.1f s | legit %d/%d ok (%.1f%%) | p50 %.1f ms p95 %.1f ms | attacker %s\n",
             a, s, ok, t, t ? 100 * ok / t : 0, p50, p95, at }'
  if ! awk -v ok="$ok" -v t="$total" -v m="$MIN_SUCCESS" 'BEGIN { exit !(t > 0 && ok / t >= m) }'; then
    echo "FAIL: $attack: legitimate calls $ok/$total ok, below $MIN_SUCCESS (errors: $(grep -o '"errors":{[^}]*}' <<<"$legit"))"
    failed_attacks+=("$attack")
  fi
}

# elapsed_since START_NS: seconds (one decimal) since `date +%s%N` gave START_NS.
elapsed_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# make_work_dir: $work (removed at exit, with the tails of its *.out and
# *.err printed on failure) and $pids (killed at exit).
make_work_dir() {
  work=$(mktemp -d)
  pids=()
  trap cleanup EXIT INT TERM
}
cleanup() {
  local code=$?
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $code -ne 0 ]]; then
    for f in "$work"/*.out "$work"/*.err; do [[ -s $f ]] && { echo "--- $(basename "$f")"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$work"
  exit $code
}

# run_attack legit-first|attacker-first NAME NODE_PID LEGIT_CMD_ARRAY ATTACKER_ARGS...:
# runs the legitimate client (the command in the array named LEGIT_CMD_ARRAY)
# beside the attacker ($peer_bin ATTACKER_ARGS), the first-named started first,
# waits for both, prints the summary line, and stops if the node died.
run_attack() {
  local order=$1 name=$2 node_pid=$3 t0 legit_pid attacker_pid
  local -n legit_cmd=$4
  shift 4
  t0=$(date +%s%N)
  if [[ $order == attacker-first ]]; then
    "$peer_bin" "$@" >"$work/$name.out" 2>>"$work/attacker.err" &
    attacker_pid=$!
  fi
  "${legit_cmd[@]}" >"$work/$name.legit.out" 2>>"$work/legit.err" &
  legit_pid=$!
  if [[ $order == legit-first ]]; then
    "$peer_bin" "$@" >"$work/$name.out" 2>>"$work/attacker.err" &
    attacker_pid=$!
  fi
  pids+=("$legit_pid" "$attacker_pid")
  wait "$legit_pid" || true
  wait "$attacker_pid" || true
  [[ -n ${ABUSE_DEBUG:-} ]] && cat "$work/$name.legit.out" "$work/legit.err" | cut -c1-400
  summary "$name" "$(elapsed_since "$t0")" "$(tail -n1 "$work/$name.legit.out")" "$(tail -n1 "$work/$name.out")"
  kill -0 "$node_pid" 2>/dev/null || { echo "FAIL: the node died during $name"; exit 1; }
}
