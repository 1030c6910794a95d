#!/usr/bin/env node
'use strict';
// The published entry point: the CLI is bundled into dist/ at build time (scripts/bundle-cli.ts).
let main;
try {
  main = require('../dist/main.js').main;
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    console.error('cdk-iot-security-cli: dist/main.js is missing; in the repository, build it with `npx projen bundle`');
    process.exit(70);
  }
  throw error;
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
