#!/usr/bin/env bash
# A small run of every benchmark so they cannot rot: builds nothing, runs what the given build
# directory has, at the smallest sizes, once.
set -euo pipefail
build=${1:-build/release}
"$build/bench/scheduler_bench" --benchmark_filter='/1000/' --benchmark_repetitions=1 \
  --benchmark_counters_tabular=true
