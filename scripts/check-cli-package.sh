#!/usr/bin/env bash
# The command-line tool as a user gets it: pack cli/ (bundled by `npx projen bundle`) into
# dist/cli/, install that tarball into an empty directory from the npm registry, and run it
# there with npx: a CA, a device certificate that openssl verifies, a key only its owner reads.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ -f cli/dist/main.js ] || npx ts-node --project tsconfig.dev.json scripts/bundle-cli.ts
rm -rf dist/cli && mkdir -p dist/cli
tarball=$(cd cli && npm pack --silent --pack-destination "$root/dist/cli" | tail -n 1)
tarball="$root/dist/cli/$tarball"
contents=$(tar -tzf "$tarball")
for required in package/bin/cdk-iot-security-cli.js package/dist/main.js package/dist/worker-bootstrap.js package/README.md; do
  grep -qx "$required" <<<"$contents" || { echo "check-cli-package: $tarball lacks $required"; exit 1; }
done
if grep -qE '^package/src/' <<<"$contents"; then echo "check-cli-package: $tarball ships its TypeScript sources"; exit 1; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" >/dev/null
export NODE_NO_WARNINGS=1
[ "$(npx --no-install cdk-iot-security-cli --version)" = "$(node -p "require('$root/cli/package.json').version")" ]
npx --no-install cdk-iot-security-cli ca create --common-name "Package Check CA" --out-dir ca --quiet >/dev/null
npx --no-install cdk-iot-security-cli device cert --ca-cert ca/ca.cert.pem --ca-key ca/ca.key.pem --common-name pkg-device-1 --quiet >/dev/null
openssl verify -CAfile ca/ca.cert.pem pkg-device-1.cert.pem >/dev/null
[ "$(stat -c %a ca/ca.key.pem)" = 600 ] && [ "$(stat -c %a pkg-device-1.key.pem)" = 600 ]
set +e
npx --no-install cdk-iot-security-cli ca create --out-dir ca >/dev/null 2>&1
code=$?
set -e
[ "$code" = 3 ] || { echo "check-cli-package: overwriting a CA exited $code, not 3"; exit 1; }

# The local cloud from the installed package, and a command against it (its bin itself, not npx,
# so that SIGINT reaches it).
"$work/node_modules/.bin/cdk-iot-security-cli" local up --state-dir "$work/.local" >"$work/up.log" 2>&1 &
up=$!
for _ in $(seq 1 60); do grep -q '^control plane: ' "$work/up.log" && break; sleep 0.5; done
url=$(sed -n 's/^control plane: //p' "$work/up.log")
[ -n "$url" ] || { echo "check-cli-package: local up printed no control plane"; cat "$work/up.log"; kill "$up"; exit 1; }
AWS_ENDPOINT_URL_IOT="$url" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
  npx --no-install cdk-iot-security-cli ca register --ca-cert ca/ca.cert.pem --ca-key ca/ca.key.pem --jitr --quiet >/dev/null
listed=$(AWS_ENDPOINT_URL_IOT="$url" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
  npx --no-install cdk-iot-security-cli ca list --json)
kill -INT "$up"; wait "$up" || true
grep -q '"autoRegistrationStatus": "ENABLE"' <<<"$listed" || { echo "check-cli-package: ca list against local up: $listed"; exit 1; }
echo "check-cli-package: $(basename "$tarball") installs from the registry and runs with npx (CA, device certificate verified by openssl, local up, ca register and ca list against it)"
