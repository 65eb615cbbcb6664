#!/usr/bin/env bash
# The main job: installs what it needs, builds tuneq (release) and runs a real tuning experiment:
# an MLP trained with SGD on scikit-learn's digits, tuned with ASHA in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-examples
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target digits_asha
exec build/release/examples/digits_asha "$@"
