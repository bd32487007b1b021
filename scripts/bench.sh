#!/usr/bin/env bash
# `make bench`: builds the release binary and prints the benchmark figures, each beside its ceiling measured in
# the same run. See docs/benchmarks.md for the figures recorded so far and how to read them.
# BENCH_DURATION (seconds per wrk run, default 10) and BENCH_CONNECTIONS (default 64) tune the runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-64}

scripts/install-deps.sh >/dev/null
echo "==> build (release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCINEREC_BUILD_TESTS=OFF -DCINEREC_BUILD_BENCH=ON >/dev/null
ninja -C build/release -j"$(nproc)" cinerec_cli micro_bench

work=$(mktemp -d /tmp/cinerec-bench.XXXXXX)
chmod 755 "$work"  # nginx workers run as an unprivileged user and must reach www/
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# wrk_run URL -> "requests_per_second p99_ms"
wrk_run() {
  local out rps p99
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rps $p99"
}

wait_http() {
  for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench: $1 did not answer" >&2; return 1
}

echo "==> micro-benchmarks"
build/release/bench/micro_bench --benchmark_min_time=0.2 2>/dev/null | grep -E "^BM_|^Benchmark" || true

echo "==> HTTP: cinerec /healthz vs nginx static file (wrk -t2 -c$connections -d${duration}s, load generator on the same 2 cores)"
mkdir -p "$work/www" "$work/tmp"
printf '{"status":"ok"}' >"$work/www/healthz.json"
sed -e "s|__ROOT__|$work|g" -e "s|__PORT__|18181|g" bench/nginx.conf >"$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
CINEREC_HTTP_ADDR=127.0.0.1:18182 CINEREC_HTTP_ACCESS_LOG=false CINEREC_LOG_LEVEL=warn build/release/bin/cinerec serve &
pids+=($!)
wait_http http://127.0.0.1:18181/healthz.json
wait_http http://127.0.0.1:18182/healthz

read -r nginx_rps nginx_p99 < <(wrk_run http://127.0.0.1:18181/healthz.json)
read -r cinerec_rps cinerec_p99 < <(wrk_run http://127.0.0.1:18182/healthz)
printf '    %-28s %12s %10s\n' "server" "requests/s" "p99 ms"
printf '    %-28s %12.0f %10.2f\n' "nginx (static, ceiling)" "$nginx_rps" "$nginx_p99"
printf '    %-28s %12.0f %10.2f\n' "cinerec GET /healthz" "$cinerec_rps" "$cinerec_p99"
awk -v a="$cinerec_rps" -v b="$nginx_rps" 'BEGIN {printf "    ratio cinerec/nginx: %.2f\n", a / b}'
