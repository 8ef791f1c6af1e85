#!/usr/bin/env bash
# Whole-process comparison of `flowgate contract diff` with npm peers on the Magento admin REST
# schemas (Swagger 2.0, ~1 MB YAML each), pairs 2.4.6→2.4.7, 2.4.7→2.4.8, 2.4.8→2.4.9:
#   openapi-diff 0.24.1 (reads Swagger 2 and OpenAPI 3 YAML itself; run once per pair (it takes minutes), from
#   PEERS where an empty intro/redocly-intro.md answers the schemas' one external $ref),
#   api-smart-diff 1.0.6 (OpenAPI 3 only: the schemas are converted once, beforehand, by
#   swagger2openapi; the conversion is not timed).
# Peers are installed into PEERS (default target/contract-peers). Each command is run RUNS times
# after 2 warm-ups (time.py: median). Also checks that every operation a peer reports removed is
# reported removed by flowgate. Usage: run.sh [RUNS] [BIN]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-10}"
bin="${2:-target/release/flowgate}"
peers="${PEERS:-target/contract-peers}"
here="$(pwd)/bench/contract-peers"
magento="$(cd ../shared/corpus/magento/openapi && pwd)"
mkdir -p "$peers"
[ -x "$bin" ] || cargo build --release -p flowgate-cli
if [ ! -d "$peers/node_modules/api-smart-diff" ]; then
  (cd "$peers" && npm init -y >/dev/null && npm install --no-audit --no-fund openapi-diff@0.24.1 api-smart-diff@1.0.6 swagger2openapi js-yaml >/dev/null)
fi
cp "$here"/*.cjs "$peers/"
mkdir -p "$peers/intro" && touch "$peers/intro/redocly-intro.md"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
for v in 6 7 8 9; do
  [ -f "$peers/oas3-2.4.$v.json" ] || node "$peers/convert.cjs" "$magento/admin-schema-2.4.$v.yaml" "$peers/oas3-2.4.$v.json"
done
for pair in "6 7" "7 8" "8 9"; do
  set -- $pair
  old="$magento/admin-schema-2.4.$1.yaml"; new="$magento/admin-schema-2.4.$2.yaml"
  echo "== 2.4.$1 → 2.4.$2"
  python3 "$here/time.py" "$runs" \
    flowgate -- "$bin" contract diff "$old" "$new" --fail-on never ";;" \
    api-smart-diff -- node "$peers/asd.cjs" "$peers/oas3-2.4.$1.json" "$peers/oas3-2.4.$2.json"
  start=$(date +%s%N)
  verdict="$(cd "$peers" && timeout 600 node node_modules/.bin/openapi-diff "$old" "$new" 2>&1 | grep -m1 -o -e 'Circular [$]ref pointer found at [^ ]*' -e '"breakingDifferencesFound": [a-z]*' || true)"
  echo "openapi-diff	one run $(( ($(date +%s%N) - start) / 1000000 )) ms	${verdict:-no verdict}"
  "$bin" contract diff "$old" "$new" --format json --fail-on never |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(sorted(f["operation"]["method"] + " " + f["operation"]["path"] for f in d["findings"] if f["id"].startswith(("api-path-removed", "api-removed")))))' >"$peers/ours-$1$2.txt"
  node "$peers/asd.cjs" "$peers/oas3-2.4.$1.json" "$peers/oas3-2.4.$2.json" | sed -n '/^removed:/,$p' | tail -n +2 >"$peers/asd-$1$2.txt"
  missing="$(comm -23 <(sort "$peers/asd-$1$2.txt") <(sort "$peers/ours-$1$2.txt") | grep -c . || true)"
  echo "removed operations: flowgate $(grep -c . "$peers/ours-$1$2.txt" || true), api-smart-diff $(grep -c . "$peers/asd-$1$2.txt" || true), found by the peer but not by flowgate: $missing"
done
