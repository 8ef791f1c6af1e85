// Swagger 2.0 YAML → OpenAPI 3.0 JSON with swagger2openapi, for peers that read OpenAPI 3 only.
const fs = require("fs");
const yaml = require("js-yaml");
const converter = require("swagger2openapi");
const [input, output] = process.argv.slice(2);
converter.convertObj(yaml.load(fs.readFileSync(input, "utf8")), { patch: true, warnOnly: true }, (err, options) => {
  if (err) { console.error(err.message); process.exit(2); }
  fs.writeFileSync(output, JSON.stringify(options.openapi));
});
