#!/usr/bin/env node
// Validate a GLB with the Khronos glTF-Validator; print the JSON report.
// Usage: node scripts/gltf_validate.cjs FILE.glb  (exit 0 when the report has no errors)
"use strict";

const fs = require("fs");
const validator = require("gltf-validator");

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: node scripts/gltf_validate.cjs FILE.glb\n");
    process.exit(2);
  }
  const bytes = new Uint8Array(fs.readFileSync(file));
  const report = await validator.validateBytes(bytes, {
    uri: file,
    maxIssues: 100,
    writeTimestamp: false,
  });
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  process.exit(report.issues.numErrors === 0 ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(2);
});
