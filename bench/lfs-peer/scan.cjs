// Times the peer, Lightning Flow Scanner core, on the Salesforce corpus: parse + scan with its
// default rules, repeated, reporting the median. Run with `bash bench/lfs-peer/run.sh`.
"use strict";
const path = require("path");
const fs = require("fs");
const { parse, scan } = require("@flow-scanner/lightning-flow-scanner-core");

function flowFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...flowFiles(full));
    else if (entry.name.endsWith(".flow-meta.xml")) out.push(full);
  }
  return out.sort();
}

async function main() {
  const corpus = process.argv[2];
  const runs = Number(process.argv[3] || 20);
  const files = flowFiles(corpus);
  const times = [];
  let violations = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const parsed = await parse(files);
    const results = scan(parsed);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    violations = results.reduce(
      (n, r) => n + r.ruleResults.reduce((m, rr) => m + (rr.occurs ? rr.details.length : 0), 0),
      0,
    );
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ files: files.length, runs, median_ms: median, min_ms: times[0], violations }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
