#!/usr/bin/env bash
# Installs the peer (Lightning Flow Scanner core 6.6.0, from npm) into target/ and times it
# on the Salesforce corpus; compare with `cargo bench -p flowgate-check --bench corpus`.
set -euo pipefail
cd "$(dirname "$0")/../.."
peer=target/lfs-peer
mkdir -p "$peer"
cp bench/lfs-peer/scan.cjs "$peer/"
if [ ! -d "$peer/node_modules/@flow-scanner/lightning-flow-scanner-core" ]; then
  (cd "$peer" && npm init -y >/dev/null && npm install --no-audit --no-fund @flow-scanner/lightning-flow-scanner-core@6.6.0 >/dev/null)
fi
node "$peer/scan.cjs" "$(cd ../shared/corpus/salesforce-flows && pwd)" "${1:-20}"
