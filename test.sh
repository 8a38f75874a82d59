#!/usr/bin/env bash
# Set up everything that is missing (test tools and Debian's Chromium included), then run all tests.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's Chromium for the browser test"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
scripts/setup.sh requirements-test.txt
exec .venv/bin/python -m pytest "$@"
