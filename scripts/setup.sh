#!/usr/bin/env bash
# Set-up on a fresh machine: the Debian packages the tests and the demo use
# (openssl to check certificates, mosquitto as a real MQTT peer; Python with
# venv, a JDK and Maven to build and consume the PyPI and Maven packages), then
# the npm dependencies exactly as locked.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3 python3-venv python3-pip)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm 11.19 rejects its own lock files in `npm ci` when a dependency has optional
# per-platform packages (here unrs-resolver, under eslint-import-resolver-typescript):
# "Missing: @unrs/resolver-binding-...@ from lock file", even for a fresh lock.
# `npm install` then installs the same locked versions.
if ! npm ci --no-audit --no-fund; then
  echo "setup: npm ci refused the lock file; installing the locked versions with npm install"
  npm install --no-audit --no-fund
fi
