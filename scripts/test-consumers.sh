#!/usr/bin/env bash
# The multi-language consumers: a fresh Python virtual environment with aws-cdk-lib and constructs
# from PyPI and our wheel from dist/python, running pytest on test/consumers/python; and a Maven
# project compiling against our jar in dist/java and aws-cdk-lib from Maven Central, running its
# JUnit tests. Between them they synthesize every construct (JustInTimeRegistration, JustInTimeProvision,
# FleetProvision, CsrProvisioningApi, RegistrationGateway)
# and assert on the templates. Then the npm tarball is checked to hold the package and nothing else.
# Downloads are cached within the checkout (.consumers/) so a second run stays offline-fast.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./package.json").version')
cdk_version=$(node -p 'require("aws-cdk-lib/package.json").version')
constructs_version=$(node -p 'require("constructs/package.json").version')
wheel=$(ls dist/python/cdk_iot_security-"$version"-py3-none-any.whl)
tarball=$(ls dist/js/cdk-iot-security@"$version".jsii.tgz)
cache=.consumers

echo "consumers: Python (cdk-iot-security $version, aws-cdk-lib $cdk_version)"
rm -rf "$cache/python-venv"
python3 -m venv "$cache/python-venv"
"$cache/python-venv/bin/pip" install --quiet --disable-pip-version-check --cache-dir "$cache/pip" \
  "aws-cdk-lib==$cdk_version" "constructs==$constructs_version" "pytest>=8,<9" "$wheel"
(cd test/consumers/python && "../../../$cache/python-venv/bin/python" -m pytest -q -p no:cacheprovider)

echo "consumers: Java (io.github.cdk-iot-security:cdk-iot-security $version)"
# A Maven repository of our own, and our artifact dropped from it first: every build packages the
# same version (0.0.0), and Maven never fetches a release it already holds, so a shared ~/.m2 would
# keep testing the first jar it saw.
m2="$PWD/$cache/m2"
rm -rf "$m2/io/github/cdk-iot-security"
mvn --batch-mode --no-transfer-progress -f test/consumers/java/pom.xml -Dmaven.repo.local="$m2" \
  -Dcdk.iot.security.version="$version" -Dcdk.version="$cdk_version" -Dconstructs.version="$constructs_version" \
  test

echo "consumers: npm tarball contents ($tarball)"
# What consumers download: the compiled library, the bundled handlers and the jsii metadata. Build
# output and caches of this checkout (.consumers/, .demo/, ...) must never ride along.
unexpected=$(tar -tzf "$tarball" | cut -d/ -f2 | sort -u \
  | grep -vxE '\.jsii|lib|assets|package\.json|README\.md|LICENSE|API\.md|tsconfig\.dev\.json' || true)
if [ -n "$unexpected" ]; then
  echo "the npm tarball (and so the wheel and the jar, which embed it) holds what is not the package:" >&2
  echo "$unexpected" | sed 's/^/  /' >&2
  echo "exclude it with project.addPackageIgnore() in .projenrc.ts, then npx projen && npx projen package-all" >&2
  exit 1
fi
size=$(stat -c %s "$tarball")
echo "  $(tar -tzf "$tarball" | wc -l) files, $((size / 1024)) KiB"
