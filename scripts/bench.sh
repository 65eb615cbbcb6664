#!/usr/bin/env bash
# Reproduces every number in docs/BENCHMARKS.md, section by section, from a Release build
# (`cmake --preset release && cmake --build --preset release`). The `make bench` of this project.
#
#   scripts/bench.sh [--smoke] [BUILD_DIR=build/release] [SECTION ...]
#
# Sections, in the order of docs/BENCHMARKS.md (default: all):
#   cost         decision cost per report, 10^3..10^6 trials      bench/scheduler_cost.py
#   utilisation  ASHA vs synchronous Hyperband, 64 workers         tests/tuneq_tests Utilisation.*
#   protocol     report round trips through the process executor   bench/protocol_bench
#   store        events persisted per second                       bench/store_bench
#   overhead     tuneq run vs xargs -P 2, 1000 trials              bench/engine_overhead.sh
#   scale        tuneq simulate, 1000 workers / 100 000 trials     bench/simulate_scale_bench
#   quality      regret tables and plots -> docs/bench/quality.*   bench/quality.py
#   optuna       Optuna side by side -> docs/bench/optuna.md       bench/peers/optuna_side_by_side.py
#   curves       the recorded benchmark's recorder (smoke only: the CSV is recorded once)
#   pb2          cost of one PB2 explore step, 50..1000 data rows   bench/pb2_bench
#   pbt          PBT vs fixed configs at equal compute, 3 seeds     bench/pbt_vs_fixed.py
#
# The full run takes about 30-40 minutes on the 2-core development machine and rewrites
# docs/bench/ (quality.json, quality.md, the PNG plots, optuna.md); the other sections print
# their figures. --smoke runs every section at its smallest size, writes nothing under docs/,
# and takes well under 2 minutes: the test command (scripts/test.sh) runs it so none can rot.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
if [[ "${1:-}" == "--smoke" ]]; then smoke=1; shift; fi
build=${1:-build/release}
[[ $# -gt 0 ]] && shift
sections=("$@")
[[ ${#sections[@]} -eq 0 ]] && sections=(cost utilisation protocol store overhead scale quality optuna curves pb2 pbt)
py=/usr/bin/python3  # Debian's python3: sees python3-optuna, -sklearn, -matplotlib

[[ -x "$build/tuneq" ]] || { echo "bench.sh: $build/tuneq not found; build the release preset" >&2; exit 2; }
step() { printf '\n==> bench: %s\n' "$*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for s in "${sections[@]}"; do
  case "$s" in
    cost)
      step "cost per scheduler decision"
      if ((smoke)); then
        "$build/bench/scheduler_bench" --benchmark_filter='/1000/' --benchmark_repetitions=1 \
          --benchmark_counters_tabular=true
      else
        $py bench/scheduler_cost.py "$build"
      fi ;;
    utilisation)
      step "worker utilisation"
      if [[ -x "$build/tests/tuneq_tests" ]]; then
        "$build/tests/tuneq_tests" --gtest_filter='Utilisation.*'
      else
        echo "skipped: $build has no tests/tuneq_tests"
      fi ;;
    protocol)
      step "protocol round trips"
      if ((smoke)); then
        "$build/bench/protocol_bench" --benchmark_min_time=0.01
      else
        "$build/bench/protocol_bench"
      fi ;;
    store)
      step "event log"
      if ((smoke)); then
        "$build/bench/store_bench" --benchmark_min_time=0.01 --benchmark_counters_tabular=true
      else
        "$build/bench/store_bench" --benchmark_counters_tabular=true
      fi ;;
    overhead)
      step "engine overhead"
      bench/engine_overhead.sh "$build" "$( ((smoke)) && echo 20 || echo 1000)" "$( ((smoke)) && echo 1 || echo 3)" ;;
    scale)
      step "simulator scale"
      if [[ -x "$build/bench/simulate_scale_bench" ]]; then
        if ((smoke)); then
          "$build/bench/simulate_scale_bench" --benchmark_filter='trials:10000/' \
            --benchmark_min_time=0.01 --benchmark_counters_tabular=true
        else
          "$build/bench/simulate_scale_bench" --benchmark_counters_tabular=true
        fi
      else
        echo "skipped: $build has no bench/simulate_scale_bench"
      fi ;;
    quality)
      step "quality tables and plots"
      if ((smoke)); then
        $py bench/simlib_test.py 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
        $py bench/quality.py "$build/tuneq" --smoke >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
        echo "quality smoke: ok"
      else
        $py bench/quality.py "$build/tuneq" --out docs/bench
      fi ;;
    optuna)
      step "Optuna side by side"
      if ((smoke)); then
        $py bench/peers/optuna_side_by_side.py "$build/tuneq" --smoke >/dev/null 2>"$tmp/err" ||
          { cat "$tmp/err"; exit 1; }
        echo "optuna smoke: ok"
      else
        $py bench/peers/optuna_side_by_side.py "$build/tuneq" --out docs/bench/optuna.md
      fi ;;
    curves)
      step "recorded learning curves"
      if ((smoke)); then
        # 4 configs (seed 0: both solvers appear), 3 epochs; then tuneq simulate reads the CSV.
        $py bench/record_curves.py --configs 4 --epochs 3 --out "$tmp/curves.csv"
        $py -c 'import sys; sys.path.insert(0, "bench"); import simlib
print(simlib.spec_text("digits_mlp", "{type: asha, max_t: 3, reduction_factor: 3}",
                       budget="{trials: 6}"), end="")' >"$tmp/curves.yaml"
        "$build/tuneq" simulate "$tmp/curves.yaml" --benchmark "$tmp/curves.csv" --workers 2 >/dev/null
        echo "curves smoke: recorded and simulated"
      else
        echo "recorded once (bench/data/digits_mlp.csv); to record again:"
        echo "  $py bench/record_curves.py   # about 5 minutes"
      fi ;;
    pb2)
      step "PB2 explore step"
      if ((smoke)); then
        "$build/bench/pb2_bench" --benchmark_filter='/50/' --benchmark_min_time=0.01 \
          --benchmark_counters_tabular=true
      else
        "$build/bench/pb2_bench" --benchmark_counters_tabular=true
      fi ;;
    pbt)
      step "PBT against the best fixed configuration"
      if ((smoke)); then
        $py bench/pbt_vs_fixed.py "$build" --smoke >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
        echo "pbt smoke: ok"
      else
        $py bench/pbt_vs_fixed.py "$build" --seeds 1 2 3
      fi ;;
    *) echo "bench.sh: unknown section '$s'" >&2; exit 2 ;;
  esac
done
step "done"
