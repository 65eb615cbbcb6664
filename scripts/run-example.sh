#!/usr/bin/env bash
# The main job: installs what it needs, builds tuneq (release) and runs a real tuning experiment
# on this machine: scikit-learn's MLP on the digits data set, tuned with ASHA on 2 local slots
# (examples/digits_sklearn/experiment.yaml). It ends by printing the best configuration and
# where everything is stored. Extra arguments go to `tuneq run` (e.g. --seed 3, --dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-examples
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target tuneq_cli
dir="tuneq-runs/digits-mlp-$(date +%Y%m%d-%H%M%S)"
exec build/release/tuneq run examples/digits_sklearn/experiment.yaml --dir "$dir" "$@"
