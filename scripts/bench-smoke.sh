#!/usr/bin/env bash
# The benchmark smoke run: every section of scripts/bench.sh at its smallest size, once.
#   scripts/bench-smoke.sh [BUILD_DIR=build/release]
exec "$(dirname "$0")/bench.sh" --smoke "${1:-build/release}"
