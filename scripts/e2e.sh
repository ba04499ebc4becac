#!/usr/bin/env bash
# Browser end-to-end run: a real `mizan serve` holding the synthetic demo and
# real data from ../shared/datasets, driven by headless Chromium
# (frontend/e2e). Usage: scripts/e2e.sh path/to/mizan
set -euo pipefail
bin=${1:?usage: scripts/e2e.sh path/to/mizan}
root=$(cd "$(dirname "$0")/.." && pwd)
shared="$root/../shared/datasets"
data=$(mktemp -d)
log="$data/serve.log"
port=$((20000 + RANDOM % 20000))
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

"$bin" ingest --data "$data" --demo >/dev/null
if [ -d "$shared/bh-bahrain-budgets" ]; then
  "$bin" ingest --data "$data" --from "$shared/bh-bahrain-budgets" "$root/datasets/bahrain-budget.yaml" >/dev/null
  "$bin" ingest --data "$data" --from "$shared/uk-manchester-spending-500" "$root/datasets/manchester-spending.yaml" >/dev/null
  "$bin" ingest --data "$data" --from "$shared/mx-pef-2016" "$root/datasets/mexico-pef-2016.yaml" >/dev/null
  # The overview flow drills three levels: Mexico's functional
  # classification (group > function > sub-function) has them.
  export MIZAN_E2E_DATASET=mexico-pef-2016
fi
# Contracts: the Canadian OCDS releases (43,086, a 2014 draft schema); the
# Manchester payments above are the payments side (frontend/e2e/contracts.e2e.ts).
if [ -d "$shared/ocds-canada-buyandsell-2014" ]; then
  "$bin" ingest --data "$data" --from "$shared/ocds-canada-buyandsell-2014" "$root/datasets/canada-contracts-2014.yaml" >/dev/null
fi
"$bin" serve --data "$data" --addr "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/mizan.v1.CatalogService/ListDatasets"; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; exit 1; fi
  sleep 0.2
done
cd "$root/frontend"
MIZAN_URL="http://127.0.0.1:$port" npm run e2e
