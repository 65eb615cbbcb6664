#!/usr/bin/env bash
# Engine overhead: N trials of a trivial program that reports 3 times (bench/chatty_trial 3), run
# by `tuneq run` on 2 slots (FIFO, SQLite event log, one directory and log file per trial),
# against the same N programs run by `xargs -P 2`, R times side by side. Prints both wall times
# and their ratio for each round, then the median ratio (target: <= 1.2).
#
#   bench/engine_overhead.sh build/release [N=1000] [R=3]
#   TUNEQ_COMPARE=/path/to/other/tuneq bench/engine_overhead.sh build/release 1000 6
#
# With TUNEQ_COMPARE, every round also runs that tuneq binary (another build, for an A/B), the
# two in alternating order, and prints its ratio beside this build's.
#
# Every tuneq run gets its own new directory and all are deleted only at the end: on an ext4
# without a journal (as on the development VMs), creating a directory costs up to 0.5 ms of
# kernel time for a few minutes after many files were deleted nearby (docs/BENCHMARKS.md,
# "Engine overhead"), so deleting between rounds would measure the file system, not tuneq.
set -euo pipefail
build=$(cd "${1:?usage: engine_overhead.sh BUILD_DIR [N] [R]}" && pwd)
n=${2:-1000}
rounds=${3:-3}
trial="$build/bench/chatty_trial"
tuneq="$build/tuneq"
[[ -x "$trial" && -x "$tuneq" ]] || { echo "build $build has no tuneq or bench/chatty_trial" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/spec.yaml" <<SPEC
name: overhead
command: $trial 3 {x}
metric: loss
mode: min
resource: step
space: {x: "uniform(0, 1)"}
scheduler: fifo
pool: {cpu: 2}
max_concurrent: 2
budget: {trials: $n}
SPEC

now() { date +%s.%N; }
compare=${TUNEQ_COMPARE:-}
[[ -z "$compare" || -x "$compare" ]] || { echo "TUNEQ_COMPARE=$compare is not executable" >&2; exit 2; }
run_tuneq() {  # binary, directory: prints the wall seconds
  local t0 t1
  t0=$(now)
  "$1" run "$work/spec.yaml" --dir "$2" --quiet >/dev/null
  t1=$(now)
  python3 -c "print($t1 - $t0)"
}
rows=()
for ((r = 1; r <= rounds; ++r)); do
  t0=$(now)
  seq "$n" | xargs -P 2 -I{} "$trial" 3 {} >/dev/null
  t1=$(now)
  other=0
  if [[ -n "$compare" && $((r % 2)) -eq 0 ]]; then other=$(run_tuneq "$compare" "$work/cmp$r"); fi
  mine=$(run_tuneq "$tuneq" "$work/run$r")
  if [[ -n "$compare" && $((r % 2)) -eq 1 ]]; then other=$(run_tuneq "$compare" "$work/cmp$r"); fi
  rows+=("$(python3 -c "print($t1 - $t0)") $mine $other")
done
python3 - "$n" "${compare:+yes}" "${rows[@]}" <<'PY'
import statistics, sys
n, compare, rows = int(sys.argv[1]), sys.argv[2] == "yes", sys.argv[3:]
ratios, others = [], []
for row in rows:
    xargs, tuneq, other = map(float, row.split())
    ratios.append(tuneq / xargs)
    line = (f"{n} trials x 3 reports, 2 slots: xargs -P 2 {xargs:.2f} s, tuneq {tuneq:.2f} s, "
            f"ratio {tuneq / xargs:.2f}, tuneq overhead {1000 * (tuneq - xargs) / n:.2f} ms/trial")
    if compare:
        others.append(other / xargs)
        line += f"; TUNEQ_COMPARE {other:.2f} s, ratio {other / xargs:.2f}"
    print(line)
print(f"median ratio {statistics.median(ratios):.2f} over {len(ratios)} rounds (target <= 1.2)")
if compare:
    print(f"TUNEQ_COMPARE median ratio {statistics.median(others):.2f}")
PY
