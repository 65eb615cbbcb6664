#!/usr/bin/env bash
# Engine overhead: N trials of a trivial program that reports 3 times (bench/chatty_trial 3), run
# by `tuneq run` on 2 slots (FIFO, SQLite event log, one directory and log file per trial),
# against the same N programs run by `xargs -P 2`, R times side by side. Prints both wall times
# and their ratio for each round, then the median ratio (target: <= 1.2).
#
#   bench/engine_overhead.sh build/release [N=1000] [R=3]
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
times=()
for ((r = 1; r <= rounds; ++r)); do
  t0=$(now)
  seq "$n" | xargs -P 2 -I{} "$trial" 3 {} >/dev/null
  t1=$(now)
  "$tuneq" run "$work/spec.yaml" --dir "$work/run$r" --quiet >/dev/null
  t2=$(now)
  times+=("$t0" "$t1" "$t2")
done
python3 - "$n" "${times[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
t = list(map(float, sys.argv[2:]))
ratios = []
for i in range(0, len(t), 3):
    xargs, tuneq = t[i + 1] - t[i], t[i + 2] - t[i + 1]
    ratios.append(tuneq / xargs)
    print(f"{n} trials x 3 reports, 2 slots: xargs -P 2 {xargs:.2f} s, tuneq {tuneq:.2f} s, "
          f"ratio {tuneq / xargs:.2f}, tuneq overhead {1000 * (tuneq - xargs) / n:.2f} ms/trial")
print(f"median ratio {statistics.median(ratios):.2f} over {len(ratios)} rounds (target <= 1.2)")
PY
