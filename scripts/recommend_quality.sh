#!/usr/bin/env bash
# Recommendation quality through the API (issue 6): hold out, import and train on the rest, ask the running
# service for each held-out user's top K, compare with the popularity baseline.
#   scripts/recommend_quality.sh [path/to/cinerec]          (default build/release/bin/cinerec)
# Steps, on the run stack in a PostgreSQL/ClickHouse database, Redis key prefix and S3 bucket of its own
# (cinerec_quality_rec, cinerec:quality-rec:, cinerec-quality-rec; dropped and made again on every run):
#   1. `cinerec generate --seed 42 --out-dir` writes a MovieLens-latest data set (QUALITY_USERS x QUALITY_MOVIES x
#      QUALITY_INTERACTIONS, default 20,000 x 5,000 x 500,000), or QUALITY_DATA names a MovieLens folder of your own;
#   2. scripts/recommend_quality.py split: QUALITY_HELDOUT_USERS (2,000) users with >= 15 ratings lose their
#      QUALITY_HOLDOUT (5) newest ratings to heldout.csv;
#   3. `cinerec import` of the rest, then `cinerec train` (QUALITY_TRAIN_ARGS, default: the defaults) publishing
#      models/LATEST;
#   4. `cinerec serve` loads it; scripts/recommend_quality.py evaluate asks GET /v1/users/{id}/recommendations?limit=K
#      (K = QUALITY_K, 10) for every held-out user with an admin API key and prints precision/recall/NDCG@K and
#      the hit rate of the service and of the popularity baseline (most positively rated in training, minus the
#      user's own training movies).
# QUALITY_REUSE=1 keeps the database and the model of the previous run (same data and split: generate and split
# are deterministic for the seed on the same day) and only asks the service again.
# Takes about 10 minutes on the 2 shared cores (import ~20 s; training with the default grid search most of it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$(realpath "${1:-build/release/bin/cinerec}")
db=cinerec_quality_rec port=18197 key=quality-admin-key-0123456789abcdef
work=$(mktemp -d /tmp/cinerec-quality-rec.XXXXXX)
serve_pid=0
cleanup() {
  if ((serve_pid > 0)); then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

scripts/stack.sh up --instance run >/dev/null
# shellcheck disable=SC1091
source .local/run/env.sh
reuse=${QUALITY_REUSE:-0}
if [[ $reuse != 1 ]]; then
  psql -q "$CINEREC_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  curl -fs "$CINEREC_CLICKHOUSE_URL" --data-binary "DROP DATABASE IF EXISTS $db" >/dev/null
fi
export CINEREC_POSTGRES_URL=${CINEREC_POSTGRES_URL%/*}/$db CINEREC_CLICKHOUSE_DATABASE=$db
export CINEREC_REDIS_KEY_PREFIX=cinerec:quality-rec: CINEREC_S3_BUCKET=cinerec-quality-rec CINEREC_LOG_LEVEL=warn
redis_hp=$(sed -E 's|redis://([^:/]+):([0-9]+).*|-h \1 -p \2|' <<<"$CINEREC_REDIS_URL")
# shellcheck disable=SC2086
redis-cli $redis_hp --scan --pattern 'cinerec:quality-rec:*' | xargs -r -n 1000 redis-cli $redis_hp unlink >/dev/null

# The model version the service answers with ("" until a model is loaded; the load runs in the background).
# Movie 1 exists in every generated catalogue; /similar needs no session.
loaded_model() {
  curl -s "http://127.0.0.1:$port/v1/movies/1/similar?limit=1" 2>/dev/null | sed -nE 's/.*"model_version":"([^"]+)".*/\1/p' || true
}

src=${QUALITY_DATA:-}
if [[ -z $src ]]; then
  src=$work/generated
  "$bin" generate --users "${QUALITY_USERS:-20000}" --movies "${QUALITY_MOVIES:-5000}" \
    --interactions "${QUALITY_INTERACTIONS:-500000}" --seed 42 --out-dir "$src" 2>/dev/null
fi
scripts/recommend_quality.py split "$src" "$work/train" --users "${QUALITY_HELDOUT_USERS:-2000}" \
  --holdout "${QUALITY_HOLDOUT:-5}"
"$bin" migrate >/dev/null
if [[ $reuse == 1 ]]; then
  echo "reusing $db and the bucket's LATEST model (QUALITY_REUSE=1)"
else
  "$bin" import "$work/train" 2>/dev/null >/dev/null
  echo "imported $(($(wc -l <"$work/train/ratings.csv") - 1)) ratings"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" train ${QUALITY_TRAIN_ARGS:-} --no-features >"$work/train.log" 2>&1 || { cat "$work/train.log" >&2; exit 1; }
  grep -E '^tune: chose|uploaded|^model version' "$work/train.log" | sed 's/^/  train: /'
  sed -n '/precision/,/^$/p' "$work/train.log" | head -8 | sed 's/^/  offline: /'
  echo "trained and published in $(($(date +%s) - start)) s"
fi

CINEREC_HTTP_ADDR=127.0.0.1:$port CINEREC_HTTP_ACCESS_LOG=false CINEREC_ADMIN_API_KEYS=$key \
  CINEREC_RECOMMEND_MODEL_CACHE_DIR=$work/models "$bin" serve >"$work/serve.log" 2>&1 &
serve_pid=$!
model=""
for _ in $(seq 600); do
  model=$(loaded_model)
  [[ -n $model ]] && break
  sleep 0.5
done
[[ -n $model ]] || { echo "no model loaded" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
sleep 3  # the catalogue snapshot
echo "serving model $model"
scripts/recommend_quality.py evaluate "http://127.0.0.1:$port" "$key" "$work/train" --k "${QUALITY_K:-10}"
