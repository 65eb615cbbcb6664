#!/usr/bin/env bash
# The test command: installs what the build needs, then builds and runs every test in three
# configurations — release, ASan+UBSan, and TSan (for the tests where threads meet) — plus the
# formatting check and the benchmark smoke run. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-examples

jobs=$(nproc)
step() { printf '\n==> %s\n' "$*"; }

step "formatting (clang-format --dry-run)"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

for preset in release asan tsan; do
  step "configure + build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  step "ctest: $preset"
  ctest --preset "$preset" -j "$jobs"
done

step "benchmark smoke run (every section of scripts/bench.sh at its smallest size)"
scripts/bench.sh --smoke build/release
step "all tests passed"
