#!/usr/bin/env bash
# `make run`: install, build a release binary, start the local stack, migrate, load the demo data, and serve on
# 127.0.0.1:8080 in the foreground. Ctrl-C stops the service; the stack keeps running until `make stack-down`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh
echo "==> build (release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCINEREC_BUILD_TESTS=OFF >/dev/null
ninja -C build/release -j"$(nproc)" cinerec_cli
echo "==> stack"
scripts/stack.sh up --instance run
# shellcheck disable=SC1091
source .local/run/env.sh
bin=build/release/bin/cinerec
echo "==> migrate"
"$bin" migrate
# Demo data: a MovieLens folder if CINEREC_DEMO_MOVIELENS points at one, else a small synthetic set. --if-empty
# skips it when the database already has movies, so re-runs stay fast.
echo "==> demo data"
if [[ -n "${CINEREC_DEMO_MOVIELENS:-}" ]]; then
  "$bin" import --if-empty "$CINEREC_DEMO_MOVIELENS"
else
  "$bin" generate --if-empty --users 2000 --movies 1000 --interactions 50000
fi
# A first model, so that recommendations are personal from the start (without one the service answers with
# trending and content-based cold start). Later models: `cinerec train`, or `serve --train-every`.
echo "==> model"
if ! "$bin" models list | grep -q "LATEST"; then
  "$bin" train || echo "warning: no model trained; recommendations fall back to trending until one is published"
fi
if command -v npm >/dev/null 2>&1; then
  (cd web && npm install --no-audit --no-fund --silent) || echo "warning: npm install failed; /docs will show the raw document only"
  export CINEREC_HTTP_DOCS_ASSETS_DIR=${CINEREC_HTTP_DOCS_ASSETS_DIR:-$root/web/node_modules/swagger-ui-dist}
fi
export CINEREC_HTTP_ADDR=${CINEREC_HTTP_ADDR:-127.0.0.1:8080}
echo "==> serve on http://$CINEREC_HTTP_ADDR  (try: curl $CINEREC_HTTP_ADDR/readyz; API docs at /docs)"
exec "$bin" serve
