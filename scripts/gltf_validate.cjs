#!/usr/bin/env node
// Validate GLBs (or a .gltf and the files beside it) with the Khronos glTF-Validator.
// Usage: node scripts/gltf_validate.cjs FILE          print the JSON report (exit 0 when no errors)
//        node scripts/gltf_validate.cjs FILE FILE...  print one JSON report per line, in order
//                                                   (one process for many files; exit 0 when none has errors)
"use strict";

const fs = require("fs");
const path = require("path");
const validator = require("gltf-validator");

async function validate(file) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  return validator.validateBytes(bytes, {
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
}

async function main() {
  const files = process.argv.slice(2);
  if (!files.length) {
    process.stderr.write("usage: node scripts/gltf_validate.cjs FILE [FILE ...]\n");
    process.exit(2);
  }
  if (files.length === 1) {
    const report = await validate(files[0]);
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    process.exit(report.issues.numErrors === 0 ? 0 : 1);
  }
  let errors = 0;
  for (const file of files) {
    const report = await validate(file);
    errors += report.issues.numErrors;
    process.stdout.write(JSON.stringify(report) + "\n");
  }
  process.exit(errors === 0 ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(2);
});
