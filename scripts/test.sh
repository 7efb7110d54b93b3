#!/usr/bin/env bash
# The whole test suite, on a fresh machine: restores for linux-x64, builds, runs every test project.
# Tests that need an external program install it here first (curl is used by the end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && apt-get install -y -qq curl >/dev/null
  else
    echo "curl is required by the end-to-end tests; install it (apt-get install curl)" >&2
    exit 1
  fi
fi

dotnet test Turbine.slnx -c Release "$@"
