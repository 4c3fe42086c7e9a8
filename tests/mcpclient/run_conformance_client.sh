#!/usr/bin/env bash
# `conformance client --suite core` against our client binary. The scenarios
# that need OAuth (auth/*) are reported but not required; every other one
# must pass.  usage: run_conformance_client.sh <tests/interop dir> <client binary>
set -uo pipefail
interop=$1
client=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$interop"
log="$out/run.log"
timeout 110 ./node22 node_modules/.bin/conformance client --command "$client" --suite core --timeout 20000 \
  -o "$out/results" >"$log" 2>&1
echo "conformance exit status: $? (auth scenarios are expected to fail)"
grep -E '^[✓✗] ' "$log" || { cat "$log"; exit 1; }
summary=$(grep -E '^[✓✗] ' "$log")
core_total=$(grep -vc ' auth/' <<<"$summary")
core_fail=$(grep -v ' auth/' <<<"$summary" | grep -c '^✗')
auth_total=$(grep -c ' auth/' <<<"$summary")
auth_pass=$(grep ' auth/' <<<"$summary" | grep -c '^✓')
echo "non-OAuth scenarios: $((core_total - core_fail))/$core_total passed; OAuth scenarios: $auth_pass/$auth_total passed"
if [ "$core_fail" -ne 0 ] || [ "$core_total" -eq 0 ]; then
  grep -B2 -A30 'Client exited\|FAILURE' "$log" | head -150
  exit 1
fi
