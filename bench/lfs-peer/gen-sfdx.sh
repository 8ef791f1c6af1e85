#!/usr/bin/env bash
# Builds the larger benchmark workspace: one SFDX project of 278 flows, made of copies of the
# corpus's 53 Salesforce flows (copy k of Name is Name_k). Usage: gen-sfdx.sh OUT_DIR [COUNT]
set -euo pipefail
out="$1"; count="${2:-278}"
corpus="$(cd "$(dirname "$0")/../../../shared/corpus/salesforce-flows" && pwd)"
rm -rf "$out"; mkdir -p "$out/force-app/main/default/flows"
printf '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}\n' >"$out/sfdx-project.json"
mapfile -t files < <(find "$corpus" -name '*.flow-meta.xml' | sort)
n=0; k=0
while [ "$n" -lt "$count" ]; do
  for f in "${files[@]}"; do
    [ "$n" -ge "$count" ] && break
    base="$(basename "$f" .flow-meta.xml)"
    cp "$f" "$out/force-app/main/default/flows/${base}_${k}.flow-meta.xml"
    n=$((n + 1))
  done
  k=$((k + 1))
done
printf '[workspace]\nname = "sfdx-%s"\nassets = ["assets/**/*.yaml"]\n' "$count" >"$out/flowgate.toml"
echo "$out: $n flows"
