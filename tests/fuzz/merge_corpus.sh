#!/usr/bin/env bash
# Merges what scripts/fuzz found (build/fuzz/corpus/<t>/) into the committed
# corpus (tests/fuzz/corpus/<t>/), keeping it small: the hand-written seeds,
# plus a set of inputs that covers every edge the run and the old corpus
# reached (libFuzzer -merge=1 with -use_counters=0: edges, not hit counts),
# then prune_corpus.py's caps (200 files, 1 MB).
#   tests/fuzz/merge_corpus.sh [target...]     (default: every target with a run corpus)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/build/fuzz"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for d in "$dir"/corpus/*/; do targets+=("$(basename "$d")"); done
fi
for t in "${targets[@]}"; do
  bin="$dir/tests/fuzz/fuzz_$t"
  committed="$root/tests/fuzz/corpus/$t"
  [[ -x $bin && -d $dir/corpus/$t ]] || { echo "merge_corpus: no binary or run corpus for $t" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir "$work/out"
  for f in "$committed"/*; do
    n=$(basename "$f")
    [[ ${#n} -eq 40 && $n =~ ^[0-9a-f]+$ ]] || cp "$f" "$work/out/"
  done
  "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=10 "$work/out" "$dir/corpus/$t" "$committed" \
    >"$dir/logs/$t.merge.log" 2>&1
  rm -rf "$committed"
  mv "$work/out" "$committed"
  rm -rf "$work"
  trap - EXIT
  python3 "$root/tests/fuzz/prune_corpus.py" "$t"
done
