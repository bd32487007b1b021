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

# ---- Stores needed from here on: the `run` stack, with databases of the benchmark's own. ----
echo "==> stores (the run stack; the benchmark uses its own databases, key prefix and bucket)"
scripts/stack.sh up --instance run >/dev/null
# shellcheck disable=SC1091
source .local/run/env.sh
psql -q "$CINEREC_POSTGRES_URL" -c 'DROP DATABASE IF EXISTS cinerec_bench' -c 'CREATE DATABASE cinerec_bench' >/dev/null
export CINEREC_POSTGRES_URL=${CINEREC_POSTGRES_URL%/*}/cinerec_bench
export CINEREC_CLICKHOUSE_DATABASE=cinerec_bench CINEREC_REDIS_KEY_PREFIX=cinerec:bench: CINEREC_S3_BUCKET=cinerec-bench
export CINEREC_LOG_LEVEL=warn
curl -s "$CINEREC_CLICKHOUSE_URL" --data-binary 'DROP DATABASE IF EXISTS cinerec_bench' >/dev/null
bin=build/release/bin/cinerec
"$bin" migrate

echo "==> ingest"
gen_users=${BENCH_GEN_USERS:-100000}; gen_movies=${BENCH_GEN_MOVIES:-20000}; gen_interactions=${BENCH_GEN_INTERACTIONS:-2000000}
start=$(date +%s.%N)
"$bin" generate --users "$gen_users" --movies "$gen_movies" --interactions "$gen_interactions" --seed 7 2>/dev/null
gen_secs=$(echo "$(date +%s.%N) - $start" | bc)
rm -rf "$work/ml" && mkdir -p "$work/ml"
"$bin" generate --users 20000 --movies 5000 --interactions 500000 --seed 8 --out-dir "$work/ml" 2>/dev/null
ratings=$(($(wc -l <"$work/ml/ratings.csv") - 1))
start=$(date +%s.%N)
"$bin" import --remap-ids "$work/ml" 2>/dev/null
import_secs=$(echo "$(date +%s.%N) - $start" | bc)
printf '    %-58s %10.1f s %12.0f /s\n' "generate ${gen_users} users x ${gen_movies} movies x ${gen_interactions} interactions" \
  "$gen_secs" "$(echo "$gen_interactions / $gen_secs" | bc -l)"
printf '    %-58s %10.1f s %12.0f /s\n' "import ml-latest CSV, ${ratings} ratings (remapped ids)" \
  "$import_secs" "$(echo "$ratings / $import_secs" | bc -l)"

echo "==> accounts: POST /v1/auth/login and GET /v1/me (wrk -t2, same 2 cores)"
CINEREC_HTTP_ADDR=127.0.0.1:18183 CINEREC_HTTP_ACCESS_LOG=false "$bin" serve &
pids+=($!)
wait_http http://127.0.0.1:18183/healthz
curl -fs -X POST http://127.0.0.1:18183/v1/auth/signup -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-0123","display_name":"Bench"}' >/dev/null
token=$(curl -fs -X POST http://127.0.0.1:18183/v1/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-0123"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
wrk_script() {  # wrk_script CONNECTIONS SCRIPT URL -> "rps p99_ms"
  local out
  out=$(CINEREC_BENCH_TOKEN=$token wrk -t2 -c"$1" -d"${duration}s" --latency -s "$2" "$3")
  awk '/^Requests\/sec:/ {rps=$2} $1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; p=v} END {print rps, p}' <<<"$out"
}
read -r login_rps login_p99 < <(wrk_script 8 bench/login.lua http://127.0.0.1:18183/v1/auth/login)
read -r me_rps me_p99 < <(wrk_script "$connections" bench/me.lua http://127.0.0.1:18183/v1/me)
printf '    %-40s %12s %10s\n' "endpoint" "requests/s" "p99 ms"
printf '    %-40s %12.0f %10.2f\n' "POST /v1/auth/login (Argon2id, -c8)" "$login_rps" "$login_p99"
printf '    %-40s %12.0f %10.2f\n' "GET /v1/me (session in Redis, -c$connections)" "$me_rps" "$me_p99"
