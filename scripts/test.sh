#!/usr/bin/env bash
# Command 2 of the README (and CI's): install what the tests need, build, and run every
# test — once in a normal build (build/) and once under ASan+UBSan (build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
jobs=$(nproc)

run_suite() {  # build-dir extra-cmake-args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900)
}

echo "== Normal build =="
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== ASan+UBSan build =="
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DQUIRE_SANITIZE=ON
