#!/usr/bin/env bash
# The multi-language consumers: a fresh Python virtual environment with aws-cdk-lib and constructs
# from PyPI and our wheel from dist/python, running pytest on test/consumers/python; and a Maven
# project compiling against our jar in dist/java and aws-cdk-lib from Maven Central, running its
# JUnit test. Both synthesize a JustInTimeRegistration and assert on the template.
# Downloads are cached within the checkout (.consumers/) so a second run stays offline-fast.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./package.json").version')
cdk_version=$(node -p 'require("aws-cdk-lib/package.json").version')
constructs_version=$(node -p 'require("constructs/package.json").version')
wheel=$(ls dist/python/cdk_iot_security-"$version"-py3-none-any.whl)
cache=.consumers

echo "consumers: Python (cdk-iot-security $version, aws-cdk-lib $cdk_version)"
rm -rf "$cache/python-venv"
python3 -m venv "$cache/python-venv"
"$cache/python-venv/bin/pip" install --quiet --disable-pip-version-check --cache-dir "$cache/pip" \
  "aws-cdk-lib==$cdk_version" "constructs==$constructs_version" "pytest>=8,<9" "$wheel"
(cd test/consumers/python && "../../../$cache/python-venv/bin/python" -m pytest -q -p no:cacheprovider)

echo "consumers: Java (io.github.cdk-iot-security:cdk-iot-security $version)"
mvn --batch-mode --no-transfer-progress -f test/consumers/java/pom.xml \
  -Dcdk.iot.security.version="$version" -Dcdk.version="$cdk_version" -Dconstructs.version="$constructs_version" \
  test
