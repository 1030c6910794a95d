#!/usr/bin/env bash
# The main job (README quick start): bundle the handlers, then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
npx projen bundle
# The AWS SDK warns on every start that Node 20 is past its support window; the demo output stays readable without it.
NODE_NO_WARNINGS=1 npx ts-node --project tsconfig.dev.json demo/run.ts
