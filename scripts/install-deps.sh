#!/usr/bin/env bash
# Installs the Debian packages tuneq needs to build, test and run its examples.
# Idempotent: packages already present are skipped, so a second run is quick.
# Usage: scripts/install-deps.sh [--with-examples]
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libsqlite3-dev sqlite3
  clang-format zlib1g-dev libeigen3-dev
)
# --with-examples: the examples, and the Python benchmark scripts (bench/quality.py, bench/peers/)
example_pkgs=(python3 python3-sklearn python3-numpy python3-optuna python3-matplotlib)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--with-examples" ]]; then want+=("${example_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
