#!/usr/bin/env bash
# After `npx projen build`: the npm package must carry the bundled handlers
# (constructs load them with Code.fromAsset) and none of their sources.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls dist/js/*.tgz | head -n 1)
contents=$(tar -tzf "$tarball")
for handler in lambda-assets/*/index.ts; do
  name=$(basename "$(dirname "$handler")")
  grep -qx "package/assets/handlers/$name/index.js" <<<"$contents" \
    || { echo "check-package: $tarball lacks assets/handlers/$name/index.js"; exit 1; }
done
if grep -qE '^package/(lambda-assets|demo|bench|test)/' <<<"$contents"; then
  echo "check-package: $tarball ships sources it should not"; exit 1
fi
echo "check-package: $tarball carries $(grep -c '^package/assets/handlers/.*/index.js$' <<<"$contents") bundled handlers"
