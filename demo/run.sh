#!/usr/bin/env bash
# The main job (README quick start): bundle the handlers, then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
npx projen bundle
npx ts-node --project tsconfig.dev.json demo/run.ts
