#!/usr/bin/env bash
# Whole-process comparison of `flowgate check` with the peer, Lightning Flow Scanner core 6.6.0
# (from npm, installed into target/), on the same Salesforce flows:
#   corpus-53: the 53 flows of ../shared/corpus/salesforce-flows (copied, with a flowgate.toml)
#   sfdx-278:  one SFDX project of 278 flows generated from them by gen-sfdx.sh
# The peer is timed two ways: in-process (parse + scan repeated in one warm Node process, median
# of RUNS: what scan.cjs prints) and as a whole process (`node scan.cjs DIR 1`: Node start,
# loading the package, one cold parse + scan) with hyperfine. flowgate is timed as a whole
# process with hyperfine (median), which includes process start; `empty` is a workspace with
# one tag (process start, reading flowgate.toml, rule registry). Usage: run.sh [RUNS] [BIN]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20}"
peer=target/lfs-peer
bin="${2:-target/release/flowgate}"
mkdir -p "$peer"
cp bench/lfs-peer/scan.cjs "$peer/"
if [ ! -d "$peer/node_modules/@flow-scanner/lightning-flow-scanner-core" ]; then
  (cd "$peer" && npm init -y >/dev/null && npm install --no-audit --no-fund @flow-scanner/lightning-flow-scanner-core@6.6.0 >/dev/null)
fi
[ -x "$bin" ] || cargo build --release -p flowgate-cli
corpus="$(cd ../shared/corpus/salesforce-flows && pwd)"
if [ ! -f "$peer/corpus-53/flowgate.toml" ]; then
  rm -rf "$peer/corpus-53"; mkdir -p "$peer/corpus-53"
  (cd "$corpus" && find . -name '*.flow-meta.xml' -exec cp --parents {} "$OLDPWD/$peer/corpus-53/" \;)
  printf '[workspace]\nname = "corpus-53"\nassets = ["assets/**/*.yaml"]\n' >"$peer/corpus-53/flowgate.toml"
fi
[ -f "$peer/sfdx-278/flowgate.toml" ] || bash bench/lfs-peer/gen-sfdx.sh "$peer/sfdx-278" 278
mkdir -p "$peer/empty/assets"
printf '[workspace]\nname = "empty"\nassets = ["assets/**/*.yaml"]\n' >"$peer/empty/flowgate.toml"
# One tag: a workspace without any asset file is an error (FG016).
printf 'kind: Tag\nid: bench\nname: Bench\n' >"$peer/empty/assets/tag.yaml"
for ws in corpus-53 sfdx-278; do
  printf '%s lfs: ' "$ws"
  node "$peer/scan.cjs" "$(cd "$peer/$ws" && pwd)" "$runs"
done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$peer/times.json" \
  -n "flowgate empty" "$bin check -C $peer/empty --fail-on never" \
  -n "flowgate corpus-53" "$bin check -C $peer/corpus-53 --fail-on never" \
  -n "flowgate sfdx-278" "$bin check -C $peer/sfdx-278 --fail-on never" \
  -n "lfs-process corpus-53" "node $peer/scan.cjs $peer/corpus-53 1" \
  -n "lfs-process sfdx-278" "node $peer/scan.cjs $peer/sfdx-278 1" >/dev/null
node -e 'for (const r of require(process.argv[1]).results) console.log(r.command.padEnd(22), "median", (r.median * 1e3).toFixed(1), "ms  min", (r.min * 1e3).toFixed(1), "ms")' "$PWD/$peer/times.json"
