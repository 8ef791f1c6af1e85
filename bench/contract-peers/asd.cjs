// api-smart-diff 1.0.6 on two OpenAPI 3 JSON files (Swagger 2 converted by swagger2openapi
// beforehand: the peer does not read Swagger 2). Prints the breaking changes' count and the
// removed operations (`METHOD path`, one a line, after `removed:`).
const fs = require("fs");
const { apiCompare } = require("api-smart-diff");
const [before, after] = process.argv.slice(2).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const { diffs } = apiCompare(before, after);
const breaking = diffs.filter((d) => d.type === "breaking");
const removed = new Set();
for (const d of diffs) {
  if (d.action !== "remove" || d.path[0] !== "paths") continue;
  const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
  if (d.path.length === 2) for (const m of Object.keys(d.before || {})) { if (methods.includes(m)) removed.add(`${m.toUpperCase()} ${d.path[1]}`); }
  if (d.path.length === 3 && methods.includes(d.path[2])) removed.add(`${d.path[2].toUpperCase()} ${d.path[1]}`);
}
console.log(`breaking: ${breaking.length} of ${diffs.length}`);
console.log("removed:");
for (const r of [...removed].sort()) console.log(r);
