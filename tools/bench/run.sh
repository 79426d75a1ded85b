#!/usr/bin/env bash
# Runs every benchmark script tools/bench/bench_*.sh in name order with the release binary.
# Each prints its own figures and ratios against peers measured in the same run.
set -euo pipefail
bin="${1:?usage: run.sh path/to/scaleface}"
here="$(cd "$(dirname "$0")" && pwd)"
status=0
for b in "$here"/bench_*.sh; do
    [ -e "$b" ] || continue
    echo "== $(basename "$b" .sh)"
    bash "$b" "$bin" || { echo "benchmark $(basename "$b") failed" >&2; status=1; }
done
exit $status
