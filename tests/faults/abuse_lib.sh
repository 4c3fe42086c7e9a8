# Shared by abuse.sh and abuse_http.sh (sourced): the per-attack summary line
# and its pass check.
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
