#!/usr/bin/env bash
# fuzz/run.sh [SECONDS]: builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) into build/fuzz and
# runs each for a share of SECONDS (default 60; the event parser gets half, the others split the rest).
# SECONDS=0 builds and replays the seed corpora once: a quick regression check.
# Prints one line per target (executions, coverage, corpus); exits non-zero if any target crashed, naming the
# saved input (build/fuzz/crashes/<target>/crash-*) and how to replay it. See docs/fuzzing.md.
#
# Environment: FUZZ_TARGETS (default "event_parser_fuzz text_fuzz spool_codec_fuzz"), FUZZ_JOBS (build
# parallelism, default 2), FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${1:-60}
if [[ ! $seconds =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh [SECONDS]" >&2
  exit 2
fi
read -r -a targets <<<"${FUZZ_TARGETS:-event_parser_fuzz text_fuzz spool_codec_fuzz}"
read -r -a extra_args <<<"${FUZZ_ARGS:-}"
build=build/fuzz

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; scripts/install-deps.sh installs clang and libclang-rt-14-dev" >&2
  exit 1
fi

# Configure once (CMakeLists.txt checks that libFuzzer links), then build only what changed.
if [[ ! -f $build/build.ninja ]]; then
  cmake -S fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; exit 1; }
fi
build_start=$SECONDS
ninja -C "$build" -j"${FUZZ_JOBS:-2}" "${targets[@]}" >"$build/ninja.log" 2>&1 || { cat "$build/ninja.log" >&2; exit 1; }
echo "fuzz: built ${#targets[@]} target(s) in $((SECONDS - build_start))s (clang, ASan+UBSan, libFuzzer)"

# The event parser is the one facing the network: it gets weight 2, the others 1.
weight() { [[ $1 == event_parser_fuzz ]] && echo 2 || echo 1; }
total_weight=0
for t in "${targets[@]}"; do total_weight=$((total_weight + $(weight "$t"))); done

failed=()
for t in "${targets[@]}"; do
  seeds=fuzz/corpus/$t
  work=$build/corpus/$t  # new inputs go here (kept between runs); the seeds in the repo are only read
  crashes=$build/crashes/$t
  log=$build/logs/$t.log
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  args=(-max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/")
  [[ -f fuzz/$t.dict ]] && args+=(-dict="fuzz/$t.dict")
  if ((seconds == 0)); then
    args+=(-runs=0)
    share=0
  else
    share=$((seconds * $(weight "$t") / total_weight))
    ((share >= 1)) || share=1
    args+=(-max_total_time="$share")
  fi
  rc=0
  start=$SECONDS
  "$build/$t" "${args[@]}" "${extra_args[@]}" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  elapsed=$((SECONDS - start))

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs=${execs:-0}
  rate=$((execs / (elapsed > 0 ? elapsed : 1)))
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)
  printf 'fuzz: %-18s %4ss %11s execs %8s/s  %s\n' "$t" "$elapsed" "$execs" "$rate" "${cov:-cov: ?}"
  if ((rc != 0)); then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
    # The report without libFuzzer's progress lines and its own / libc's stack frames.
    grep -v -E '^(#[0-9]+|INFO:|MERGE|\s*$)|in fuzzer::|__sanitizer_print_stack_trace|libc\.so|/nptl/|sysdeps/|stdlib/abort|libc_start| in _start|in main \(' "$log" |
      tail -40 | sed 's/^/    /' >&2
    if [[ -n $crash ]]; then
      echo "fuzz: $t crash input saved as $crash; replay: $build/$t $crash" >&2
      failed+=("$t: $crash")
    else
      failed+=("$t: exit $rc, see $log")
    fi
  fi
done

if ((${#failed[@]})); then
  printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
