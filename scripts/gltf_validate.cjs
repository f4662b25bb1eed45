#!/usr/bin/env node
// Validate a GLB (or a .gltf and the files beside it) with the Khronos glTF-Validator; print
// the JSON report. Usage: node scripts/gltf_validate.cjs FILE.glb|FILE.gltf  (exit 0 when the
// report has no errors)
"use strict";

const fs = require("fs");
const path = require("path");
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
    // External buffers and images of a .gltf are read from beside it, so they are checked too.
    externalResourceFunction: (uri) =>
      new Promise((resolve, reject) => {
        fs.readFile(path.join(path.dirname(file), decodeURIComponent(uri)), (err, data) =>
          err ? reject(err.toString()) : resolve(new Uint8Array(data)),
        );
      }),
  });
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  process.exit(report.issues.numErrors === 0 ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(2);
});
