#!/usr/bin/env bash
# `make bench`: builds the release binary and prints the benchmark figures, each beside its ceiling measured in
# the same run. See docs/benchmarks.md for the figures recorded so far and how to read them.
# BENCH_DURATION (seconds per wrk run, default 10) and BENCH_CONNECTIONS (default 64) tune the runs.
# BENCH_ONLY=events (a comma-separated list of micro, http, ingest, accounts, events, train, analytics, recommend)
# runs only those stages; the event-ingestion stage has its own knobs (BENCH_EVENTS_*, BENCH_SOAK=1): see
# stage_events below.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-64}
only=${BENCH_ONLY:-}
build=${BENCH_BUILD_DIR:-build/release}
want() { [[ -z $only || ",$only," == *",$1,"* ]]; }

scripts/install-deps.sh >/dev/null
echo "==> build (release)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCINEREC_BUILD_TESTS=OFF -DCINEREC_BUILD_BENCH=ON >/dev/null
ninja -C "$build" -j"$(nproc)" cinerec_cli micro_bench event_load train_bench

work=$(mktemp -d /tmp/cinerec-bench.XXXXXX)
chmod 755 "$work"  # nginx workers run as an unprivileged user and must reach www/
pids=()
ch_stopped=0  # the events soak stops the run stack's ClickHouse for a minute: started again on any exit
cleanup() {
  if [[ $ch_stopped == 1 ]]; then scripts/stack.sh start-one clickhouse --instance run >/dev/null || true; fi
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

if want micro; then
echo "==> micro-benchmarks"
"$build"/bench/micro_bench --benchmark_min_time=0.2 2>/dev/null | grep -E "^BM_|^Benchmark" || true
fi

if want http; then
echo "==> HTTP: cinerec /healthz vs nginx static file (wrk -t2 -c$connections -d${duration}s, load generator on the same 2 cores)"
mkdir -p "$work/www" "$work/tmp"
printf '{"status":"ok"}' >"$work/www/healthz.json"
sed -e "s|__ROOT__|$work|g" -e "s|__PORT__|18181|g" bench/nginx.conf >"$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
CINEREC_HTTP_ADDR=127.0.0.1:18182 CINEREC_HTTP_ACCESS_LOG=false CINEREC_LOG_LEVEL=warn "$build"/bin/cinerec serve &
pids+=($!)
wait_http http://127.0.0.1:18181/healthz.json
wait_http http://127.0.0.1:18182/healthz

read -r nginx_rps nginx_p99 < <(wrk_run http://127.0.0.1:18181/healthz.json)
read -r cinerec_rps cinerec_p99 < <(wrk_run http://127.0.0.1:18182/healthz)
printf '    %-28s %12s %10s\n' "server" "requests/s" "p99 ms"
printf '    %-28s %12.0f %10.2f\n' "nginx (static, ceiling)" "$nginx_rps" "$nginx_p99"
printf '    %-28s %12.0f %10.2f\n' "cinerec GET /healthz" "$cinerec_rps" "$cinerec_p99"
awk -v a="$cinerec_rps" -v b="$nginx_rps" 'BEGIN {printf "    ratio cinerec/nginx: %.2f\n", a / b}'
fi

# ---- Stores needed from here on: the `run` stack, with databases of the benchmark's own. ----
if want ingest || want accounts; then
echo "==> stores (the run stack; the benchmark uses its own databases, key prefix and bucket)"
scripts/stack.sh up --instance run >/dev/null
# shellcheck disable=SC1091
source .local/run/env.sh
psql -q "$CINEREC_POSTGRES_URL" -c 'DROP DATABASE IF EXISTS cinerec_bench' -c 'CREATE DATABASE cinerec_bench' >/dev/null
export CINEREC_POSTGRES_URL=${CINEREC_POSTGRES_URL%/*}/cinerec_bench
export CINEREC_CLICKHOUSE_DATABASE=cinerec_bench CINEREC_REDIS_KEY_PREFIX=cinerec:bench: CINEREC_S3_BUCKET=cinerec-bench
export CINEREC_LOG_LEVEL=warn
curl -s "$CINEREC_CLICKHOUSE_URL" --data-binary 'DROP DATABASE IF EXISTS cinerec_bench' >/dev/null
bin=$build/bin/cinerec
"$bin" migrate
fi

if want ingest; then
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
fi

if want accounts; then
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
fi

# ---- Event ingestion (issue 4): POST /v1/events -> spool (fdatasync) -> consumers -> ClickHouse ----
# The load comes from bench/event_load, a second process on loopback (fixed event mix, admin API key; see the
# head of bench/event_load.cpp). It prints the acknowledged rate and latency, waits until every acknowledged
# event is in ClickHouse (the end-to-end rate), then inserts the same rows straight into ClickHouse (10,000
# per INSERT) as the ceiling. Databases "cinerec_bench_events" (PostgreSQL and ClickHouse) of its own: the
# BENCH_EVENTS_USERS x BENCH_EVENTS_MOVIES users and movies (default 1M x 60k) are generated once and reused;
# the event tables, views and reactions are emptied before the runs.
#   BENCH_EVENTS_BATCHES ("100 1000"), BENCH_EVENTS_DURATION (s per run, 30), BENCH_EVENTS_CONNECTIONS (16),
#   BENCH_EVENTS_CEILING_BATCH (rows per ceiling INSERT: 50000, the service's clickhouse.batch_rows),
#   BENCH_EVENTS_SYNC (true: the real guarantee; false skips fdatasync and is labelled so), BENCH_EVENTS_DRAIN_S
#   (300: how long to wait after a run for the slower consumers, postgres mostly, before the next run starts
#   with a fresh service and spool),
#   BENCH_SOAK=1: BENCH_SOAK_SECONDS (600) at BENCH_SOAK_RATE events/s (20000) in batches of 1,000, the run
#   stack's ClickHouse stopped for BENCH_SOAK_CH_DOWN_S (60; 0 = no outage) in the middle (it is shared: other
#   users of the run stack see the outage too); the service's RSS at 2 min and at the end, and their ratio
#   (goal <= 1.2).
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# A server and its child processes (PostgreSQL's backends): CPU ticks, including exited children's.
cpu_ticks_tree() {
  local total child
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0)
  for child in $(ps --ppid "$1" -o pid= 2>/dev/null); do total=$((total + $(cpu_ticks "$child"))); done
  echo "$total"
}
# Spool lag of every sink from the service's /metrics, summed ("" when unreachable).
spool_lag() {
  curl -fs "$1" 2>/dev/null | awk '/^cinerec_collect_spool_lag_records\{/ {s += $2; n++} END {if (n) printf "%d\n", s}'
}

stage_events() {
  local users=${BENCH_EVENTS_USERS:-1000000} movies=${BENCH_EVENTS_MOVIES:-60000}
  local run_secs=${BENCH_EVENTS_DURATION:-30} conns=${BENCH_EVENTS_CONNECTIONS:-16}
  local batches=${BENCH_EVENTS_BATCHES:-100 1000} sync=${BENCH_EVENTS_SYNC:-true}
  local db=cinerec_bench_events port=18190 key=bench-events-admin-key-0123456789
  local spool=$root/.local/run/bench-spool load=$build/bench/event_load bin=$build/bin/cinerec
  local sync_label="spool_sync=true (fdatasync before every acknowledgement)"
  [[ $sync == true ]] || sync_label="spool_sync=$sync: NO fdatasync, the delivery guarantee is OFF (comparison only)"
  echo "==> events: POST /v1/events -> spool -> ClickHouse ($sync_label; event_load on the same 2 cores)"
  scripts/stack.sh up --instance run >/dev/null
  # shellcheck disable=SC1091
  source .local/run/env.sh
  local ch=$CINEREC_CLICKHOUSE_URL pg_admin=$CINEREC_POSTGRES_URL pg=${CINEREC_POSTGRES_URL%/*}/$db
  local ev_env=(CINEREC_POSTGRES_URL="$pg" CINEREC_CLICKHOUSE_DATABASE="$db" CINEREC_REDIS_KEY_PREFIX=cinerec:bench-events:
    CINEREC_S3_BUCKET=cinerec-bench-events CINEREC_LOG_LEVEL=warn)
  local have
  have=$(psql -Atq "$pg" -c 'SELECT (SELECT count(*) FROM users) || chr(32) || (SELECT count(*) FROM movies)' 2>/dev/null || true)
  if [[ $have != "$users $movies" ]]; then
    echo "    preparing $db: $users users x $movies movies (once; later runs reuse them)"
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    curl -fs "$ch" --data-binary "DROP DATABASE IF EXISTS $db" >/dev/null
    env "${ev_env[@]}" "$bin" migrate >/dev/null
    local start; start=$(date +%s.%N)
    env "${ev_env[@]}" "$bin" generate --users "$users" --movies "$movies" --interactions 0 --seed 11 2>/dev/null
    printf '    generated in %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
  else
    env "${ev_env[@]}" "$bin" migrate >/dev/null
  fi
  psql -q "$pg" -c 'TRUNCATE views, reactions' >/dev/null
  for t in watch_events ui_events; do curl -fs "$ch/?database=$db" --data-binary "TRUNCATE TABLE $t" >/dev/null; done

  local serve_pid=0
  start_serve() {
    rm -rf "$spool"
    env "${ev_env[@]}" CINEREC_HTTP_ADDR=127.0.0.1:$port CINEREC_HTTP_ACCESS_LOG=false CINEREC_ADMIN_API_KEYS=$key \
      CINEREC_COLLECT_SPOOL_DIR="$spool" CINEREC_COLLECT_SPOOL_SYNC="$sync" "$bin" serve >>"$work/events-serve.log" 2>&1 &
    serve_pid=$!
    pids+=("$serve_pid")
    wait_http "http://127.0.0.1:$port/healthz"
    sleep 2  # the movie directory's first load (60k movies)
  }
  stop_serve() {
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  }
  # Waits until every consumer has caught up (or BENCH_EVENTS_DRAIN_S, default 300 s); prints how long it took.
  wait_drained() {
    local t0=$SECONDS lag
    while ((SECONDS - t0 < ${BENCH_EVENTS_DRAIN_S:-300})); do
      lag=$(spool_lag "http://127.0.0.1:$port/metrics")
      [[ $lag == 0 ]] && break
      sleep 1
    done
    if [[ $lag == 0 ]]; then
      printf '    every consumer (clickhouse, postgres, redis) caught up %d s after the end of the run\n' $((SECONDS - t0))
    else
      printf '    consumers NOT caught up %d s after the end of the run: %s spool records (requests of %d events) behind, summed over the sinks\n' \
        $((SECONDS - t0)) "${lag:-?}" "$1"
    fi
  }
  local ch_pid; ch_pid=$(cat .local/run/pids/clickhouse.pid 2>/dev/null || echo 0)
  start_serve

  local pg_pid; pg_pid=$(head -1 .local/run/postgres/data/postmaster.pid 2>/dev/null || echo 0)
  local results=() b out cpu0 chcpu0 pgcpu0 t0 cpu_s ch_s pg_s wall tck; tck=$(getconf CLK_TCK)
  for b in $batches; do
    echo "  -- batch $b, $conns connections, ${run_secs} s"
    cpu0=$(cpu_ticks "$serve_pid"); chcpu0=$(cpu_ticks "$ch_pid"); pgcpu0=$(cpu_ticks_tree "$pg_pid"); t0=$(date +%s.%N)
    out=$("$load" --url "http://127.0.0.1:$port/v1/events" --key "$key" --batch "$b" --duration "$run_secs" \
      --connections "$conns" --users "$users" --movies "$movies" --clickhouse-url "$ch" --clickhouse-database "$db" \
      --metrics-url "http://127.0.0.1:$port/metrics" --ceiling-batch "${BENCH_EVENTS_CEILING_BATCH:-50000}" \
      --label "batch$b") || true
    wall=$(echo "$(date +%s.%N) - $t0" | bc)
    cpu_s=$(echo "($(cpu_ticks "$serve_pid") - $cpu0) / $tck" | bc -l)
    ch_s=$(echo "($(cpu_ticks "$ch_pid") - $chcpu0) / $tck" | bc -l)
    pg_s=$(echo "($(cpu_ticks_tree "$pg_pid") - $pgcpu0) / $tck" | bc -l)
    grep -v '^RESULT' <<<"$out" | sed 's/^/  /'
    printf '    CPU over the run (%.0f s incl. the ceiling), %% of one core: cinerec %.0f, clickhouse %.0f, postgres %.0f; load average %s\n' \
      "$wall" "$(echo "100 * $cpu_s / $wall" | bc -l)" "$(echo "100 * $ch_s / $wall" | bc -l)" \
      "$(echo "100 * $pg_s / $wall" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    results+=("$(grep '^RESULT' <<<"$out")")
    wait_drained "$b"
    # A fresh service and spool for the next run, so that a backlog left over does not load it.
    stop_serve
    psql -q "$pg" -c 'TRUNCATE views, reactions' >/dev/null
    start_serve
  done
  echo "  -- summary ($sync_label)"
  printf '    %6s %12s %8s %8s %14s %16s %7s %s\n' batch "acked/s" "p50 ms" "p99 ms" "end-to-end/s" "ceiling rows/s" ratio non-2xx
  local r
  for r in "${results[@]}"; do
    awk '{for (i = 2; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
          printf "    %6s %12.0f %8.2f %8.2f %14.0f %16.0f %7.3f %s\n", v["batch"], v["acked_per_s"], v["p50_ms"],
                 v["p99_ms"], v["e2e_per_s"], v["ceiling_per_s"], v["ratio"], v["non2xx"]}' <<<"$r"
  done

  if [[ ${BENCH_SOAK:-0} == 1 ]]; then
    local soak_secs=${BENCH_SOAK_SECONDS:-600} soak_rate=${BENCH_SOAK_RATE:-20000}
    local down=${BENCH_SOAK_CH_DOWN_S:-60}
    local stop_at=$((soak_secs / 2 - down / 2)) restart_at=$((soak_secs / 2 - down / 2 + down)) rss2=0 rss_end=0 t lag
    echo "==> events soak: ${soak_secs} s at $soak_rate events/s (batches of 1,000), ClickHouse (run stack) stopped from t=${stop_at} s to t=${restart_at} s"
    "$load" --url "http://127.0.0.1:$port/v1/events" --key "$key" --batch 1000 --duration "$soak_secs" --rate "$soak_rate" \
      --connections 8 --users "$users" --movies "$movies" --clickhouse-url "$ch" --clickhouse-database "$db" \
      --metrics-url "http://127.0.0.1:$port/metrics" --no-ceiling --visible-timeout 900 --label soak >"$work/soak.out" 2>&1 &
    local load_pid=$!
    pids+=("$load_pid")
    local t0s=$SECONDS next=0
    printf '    %6s %10s %14s %s\n' "t (s)" "RSS MB" "spool lag" "note"
    while ((SECONDS - t0s < soak_secs)); do
      t=$((SECONDS - t0s))
      if ((down > 0 && ch_stopped == 0 && t >= stop_at && t < restart_at)); then
        scripts/stack.sh stop-one clickhouse --instance run >/dev/null
        ch_stopped=1
        printf '    %6d %10s %14s %s\n' "$t" "" "" "ClickHouse stopped"
      elif ((ch_stopped == 1 && t >= restart_at)); then
        scripts/stack.sh start-one clickhouse --instance run >/dev/null
        ch_stopped=2
        printf '    %6d %10s %14s %s\n' "$((SECONDS - t0s))" "" "" "ClickHouse started"
      fi
      if ((rss2 == 0 && t >= 120)); then rss2=$(rss_kb "$serve_pid"); fi
      if ((t >= next)); then
        lag=$(spool_lag "http://127.0.0.1:$port/metrics")
        printf '    %6d %10.1f %14s\n' "$t" "$(echo "$(rss_kb "$serve_pid") / 1024" | bc -l)" "${lag:--}"
        next=$((next + 30))
      fi
      rss_end=$(rss_kb "$serve_pid")  # the last sample before the load ends
      sleep 1
    done
    if ((ch_stopped == 1)); then scripts/stack.sh start-one clickhouse --instance run >/dev/null; fi
    ch_stopped=0
    wait "$load_pid" || true
    grep -v '^RESULT' "$work/soak.out" | sed 's/^/  /'
    printf '    RSS after 2 min %.1f MB, after %d min %.1f MB: ratio %.3f (goal <= 1.2)\n' "$(echo "$rss2 / 1024" | bc -l)" \
      $((soak_secs / 60)) "$(echo "$rss_end / 1024" | bc -l)" "$(echo "$rss_end / $rss2" | bc -l)"
  fi
  stop_serve
}

if want events; then stage_events; fi

# Training: ALS (seconds per iteration, wall and CPU, GFLOP/s per core), neighbours, evaluation and peak memory
# on a MovieLens-20M-sized synthetic matrix built in memory (bench/train_bench.cpp; no stores needed).
# BENCH_TRAIN_ARGS passes other sizes, e.g. "--users 20000 --items 5000 --interactions 2000000".
if want train; then
echo "==> training: 138k users x 27k movies x 20M interactions, 64 factors, 3 CG steps ($(nproc) cores)"
# shellcheck disable=SC2086
"$build"/bench/train_bench ${BENCH_TRAIN_ARGS:-}
fi

# Analytics (BENCH_ONLY=analytics): every report over a generated 100-million-event history, p50/p99 for 30 and
# 90 days; knobs BENCH_ANALYTICS_EVENTS, BENCH_ANALYTICS_REPEAT, BENCH_ANALYTICS_REGENERATE (scripts/bench_analytics.sh).
if want analytics; then scripts/bench_analytics.sh "$build/bin/cinerec"; fi

# Recommendations (BENCH_ONLY=recommend): cache hit vs nginx on the same payload, cache miss on 60,000 movies x 64
# factors, RSS with a 1M-user model loaded (scripts/bench_recommend.sh; knobs BENCH_REC_*).
if want recommend; then
  ninja -C "$build" -j"$(nproc)" rec_model_gen
  scripts/bench_recommend.sh "$build/bin/cinerec"
fi
