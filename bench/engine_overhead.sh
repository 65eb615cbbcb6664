#!/usr/bin/env bash
# Engine overhead: N trials of a trivial program that reports 3 times (bench/chatty_trial 3), run
# by `tuneq run` on 2 slots (FIFO, SQLite event log, one directory and log file per trial),
# against the same N programs run by `xargs -P 2`. Prints both wall times and their ratio
# (target: <= 1.2).
#
#   bench/engine_overhead.sh build/release [N=1000]
set -euo pipefail
build=$(cd "${1:?usage: engine_overhead.sh BUILD_DIR [N]}" && pwd)
n=${2:-1000}
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
t0=$(now)
seq "$n" | xargs -P 2 -I{} "$trial" 3 {} >/dev/null
t1=$(now)
"$tuneq" run "$work/spec.yaml" --dir "$work/run" --quiet >/dev/null
t2=$(now)
python3 - "$t0" "$t1" "$t2" "$n" <<'PY'
import sys
t0, t1, t2, n = map(float, sys.argv[1:])
xargs, tuneq = t1 - t0, t2 - t1
print(f"{int(n)} trials x 3 reports, 2 slots: xargs -P 2 {xargs:.2f} s, tuneq {tuneq:.2f} s, "
      f"ratio {tuneq / xargs:.2f} (target <= 1.2), tuneq overhead {1000 * (tuneq - xargs) / n:.2f} ms/trial")
PY
