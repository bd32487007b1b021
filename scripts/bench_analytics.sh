#!/usr/bin/env bash
# The `analytics` stage of `make bench` (BENCH_ONLY=analytics): report latency over a generated event history.
#   scripts/bench_analytics.sh [path/to/cinerec]
# On the run stack's ClickHouse, in a database of its own (cinerec_bench_analytics), it generates
# BENCH_ANALYTICS_EVENTS events (default 100 million: 60 % watch events, 25 % UI events, 15 % impressions) over
# the 120 days before 2026-11-01, 1 M users and 20,000 movies with power-law popularity, then runs every report
# BENCH_ANALYTICS_REPEAT times (default 10) over the last 30 and 90 days and prints p50 / p99 per report.
# Generation uses ClickHouse's own INSERT ... SELECT FROM numbers() (tens of millions of rows a minute on two
# cores) and is skipped when the database already holds the events (BENCH_ANALYTICS_REGENERATE=1 forces it).
# Goals (docs/benchmarks.md): every report under 1 s for 30 days, under 5 s for 90 days.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${1:-build/release/bin/cinerec}
events=${BENCH_ANALYTICS_EVENTS:-100000000}
repeat=${BENCH_ANALYTICS_REPEAT:-10}
db=cinerec_bench_analytics
end=1793491200  # 2026-11-01T00:00:00Z: fixed, so that a generated history can be reused
span=$((120 * 86400))

scripts/stack.sh up --instance run >/dev/null
# shellcheck disable=SC1091
source .local/run/env.sh
# Reports slower than the default 10 s ClickHouse timeout are measured, not failed.
export CINEREC_CLICKHOUSE_DATABASE=$db CINEREC_LOG_LEVEL=warn CINEREC_CLICKHOUSE_TIMEOUT_MS=${BENCH_ANALYTICS_TIMEOUT_MS:-600000}
ch() {  # ClickHouse's error message on stderr when a statement fails
  local out
  if ! out=$(curl -sS --fail-with-body "$CINEREC_CLICKHOUSE_URL/?database=$db" --data-binary "$1"); then
    echo "$out" >&2
    return 1
  fi
  echo "$out"
}
curl -fsS "$CINEREC_CLICKHOUSE_URL/" --data-binary "CREATE DATABASE IF NOT EXISTS $db" >/dev/null

have=$(ch "SELECT (SELECT count() FROM system.tables WHERE database = '$db' AND name = 'watch_events') > 0" || echo 0)
total=0
if [[ $have == 1 ]]; then
  total=$(ch "SELECT (SELECT count() FROM watch_events) + (SELECT count() FROM ui_events) + (SELECT count() FROM recommendation_impressions)")
fi
if [[ ${BENCH_ANALYTICS_REGENERATE:-0} == 1 || $total -lt $events ]]; then
  echo "==> analytics: generating $events events in $db (run stack)"
  curl -fsS "$CINEREC_CLICKHOUSE_URL/" --data-binary "DROP DATABASE IF EXISTS $db" >/dev/null
  "$bin" migrate >/dev/null
  started=$(date +%s)
  # Shared expressions: cityHash64(number, k) a per-row hash, time spread uniformly over the span, power-law movie ids.
  time="toDateTime($end - 1 - cityHash64(number, 1) % $span)"
  user="(1 + cityHash64(number, 2) % 1000000)"
  movie="(1 + toUInt64(20000 * pow((cityHash64(number, 3) % 1000000) / 1000000, 3)))"
  genres="[arrayElement(['Action','Adventure','Animation','Children','Comedy','Crime','Documentary','Drama','Fantasy','Film-Noir','Horror','Musical','Mystery','Romance','Sci-Fi','Thriller','War','Western','IMAX'], $movie % 19 + 1)]"
  device="arrayElement(['tv','web','ios','android'], cityHash64(number, 4) % 4 + 1)"
  tier="arrayElement(['free','basic','premium'], cityHash64(number, 5) % 3 + 1)"
  country="arrayElement(['DE','FR','US','GB','ES','IT','NL','PL'], cityHash64(number, 6) % 8 + 1)"
  chunk=10000000
  insert() {  # table count select-list
    local table=$1 n=$2 select=$3 done_rows=0 size
    while ((done_rows < n)); do
      size=$((n - done_rows < chunk ? n - done_rows : chunk))
      ch "INSERT INTO $table SELECT $select FROM (SELECT number + $done_rows AS number FROM numbers($size))" >/dev/null
      done_rows=$((done_rows + size))
    done
  }
  watch=$((events * 60 / 100)) ui=$((events * 25 / 100)) impressions=$((events - events * 60 / 100 - events * 25 / 100))
  # Watch: 12 % starts, 50 % progress, 8 % pauses, 8 % seeks, 22 % stops; sessions of ~10 events.
  insert watch_events "$watch" "generateUUIDv4(), arrayElement(['view_start','view_progress','view_progress','view_progress','view_progress','view_pause','view_seek','view_stop','view_stop','view_start'], cityHash64(number, 7) % 10 + 1), $time, $time, $user, $movie, toString(intDiv(number, 10)), $device, cityHash64(number, 8) % 7200, cityHash64(number, 9) % 7200, cityHash64(number, 10) % 7200, cityHash64(number, 11) % 7200, 5400 + $movie % 3600, $genres, $tier, $country"
  # UI: clicks, page views, searches (5 % with no result), trailer plays, likes, dislikes.
  insert ui_events "$ui" "generateUUIDv4(), arrayElement(['click','click','click','click','page_view','page_view','page_view','search','trailer_play','like','dislike'], cityHash64(number, 7) % 11 + 1), $time, $time, $user, '', $device, $movie, 'poster', arrayElement(['home/top-picks','home/trending','search','detail'], cityHash64(number, 8) % 4 + 1), '', toUInt16(cityHash64(number, 9) % 20), concat('query ', toString(cityHash64(number, 10) % 500)), toUInt32(cityHash64(number, 11) % 20), $genres, $tier, $country, ''"
  # Impressions: 20 per request, two model versions, two variants, seven sources.
  insert recommendation_impressions "$impressions" "generateUUIDv4(), toString(intDiv(number, 20)), $time, $time, $user, $movie, toUInt16(number % 20 + 1), 0.5, arrayElement(['v1','v2'], cityHash64(number, 7) % 2 + 1), arrayElement(['A','B'], cityHash64(number, 8) % 2 + 1), arrayElement(['personal','fold_in','content','cold_start','trending','similar','popular'], cityHash64(number, 9) % 7 + 1), $genres, $tier, $country"
  ch "INSERT INTO movies_dim SELECT number + 1, concat('Movie ', toString(number + 1)), [arrayElement(['Action','Adventure','Animation','Children','Comedy','Crime','Documentary','Drama','Fantasy','Film-Noir','Horror','Musical','Mystery','Romance','Sci-Fi','Thriller','War','Western','IMAX'], (number + 1) % 19 + 1)], 2000, 5400, 0, now() FROM numbers(20000)" >/dev/null
  ch "INSERT INTO users_dim SELECT number, arrayElement(['free','basic','premium'], number % 3 + 1), 'DE', toDate(toDateTime($end - (cityHash64(number) % $span))), 0, now(), 0 FROM numbers(1000000)" >/dev/null
  echo "    generated in $(($(date +%s) - started)) s; on disk: $(ch "SELECT formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE database = '$db' AND active")"
fi
# The rollup tables (a history generated before they existed gets them now), then seal every closed day of the
# history into the daily rollups, as serve's scheduled job would (docs/analytics.md, "Speed"); a second run
# finds every fingerprint unchanged and seals nothing.
"$bin" migrate >/dev/null
echo "==> analytics: sealing closed days into the daily rollups"
"$bin" rollup
# BENCH_ANALYTICS_RAW=1 also times the raw-only reports (cinerec report --no-rollups), the figures before rollups.
echo "==> analytics: report latency over $(ch "SELECT (SELECT count() FROM watch_events) + (SELECT count() FROM ui_events) + (SELECT count() FROM recommendation_impressions)") events (goal: < 1 s for 30 days, < 5 s for 90 days)"
for days in 30 90; do
  range=(--from "$(date -u -d "@$((end - days * 86400))" +%F)" --to "$(date -u -d "@$end" +%F)" --repeat "$repeat")
  if [[ ${BENCH_ANALYTICS_RAW:-0} == 1 ]]; then
    echo "--- raw tables only (--no-rollups)"
    "$bin" report "${range[@]}" --no-rollups
    echo "--- with the sealed daily rollups"
  fi
  "$bin" report "${range[@]}"
done
