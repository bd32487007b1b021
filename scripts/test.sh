#!/usr/bin/env bash
# `make test`: install, build the sanitizer build, start a fresh test stack (its own ports and data folder,
# never the `make run` one), run every test with CTest, stop the stack, and say how long each stage took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

declare -a stage_names=() stage_secs=()
stage() {  # stage NAME COMMAND...
  local name=$1; shift
  local start=$SECONDS
  echo "==> $name"
  "$@"
  stage_names+=("$name"); stage_secs+=($((SECONDS - start)))
}
report() {
  echo "==> timings"
  for i in "${!stage_names[@]}"; do printf '    %-8s %4ds\n' "${stage_names[$i]}" "${stage_secs[$i]}"; done
}
stack_down() { scripts/stack.sh down --instance test >/dev/null 2>&1 || true; }

fresh_stack() {
  scripts/stack.sh down --instance test >/dev/null 2>&1 || true
  rm -rf .local/test
  scripts/stack.sh up --instance test
}

build() {
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Asan -DCINEREC_BUILD_BENCH=OFF >/dev/null
  ninja -C build/asan -j"$(nproc)"
}

run_tests() {
  # shellcheck disable=SC1091
  source .local/test/env.sh
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  ctest --test-dir build/asan -j2 --output-on-failure --no-tests=error
}

# libFuzzer targets of fuzz/ for a bounded time (CINEREC_FUZZ_SECONDS, default 60; 0 only replays the seed
# corpora). A separate clang build in build/fuzz; needs no stack. docs/fuzzing.md.
run_fuzz() {
  fuzz/run.sh "${CINEREC_FUZZ_SECONDS:-60}"
}

trap 'stack_down; report' EXIT
stage install scripts/install-deps.sh
stage build build
stage stack fresh_stack
stage tests run_tests
stage fuzz run_fuzz
