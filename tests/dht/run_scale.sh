#!/usr/bin/env bash
# DHT scale test. Default: 30 nodes (what ctest runs); --full: 100 nodes.
#   tests/dht/run_scale.sh [--full] [--build build/release] [extra agentp2p_kad_scale options]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/../../build/release"
nodes=30
extra=()
while (($#)); do
  case "$1" in
    --full) nodes=100; shift ;;
    --build) build="$2"; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
exec timeout 1200 "$build/tests/dht/agentp2p_kad_scale" --nodes "$nodes" --threads 2 --bootstrap-peers 3 "${extra[@]}"
