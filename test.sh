#!/usr/bin/env bash
# Set up everything that is missing (test tools and Debian's Chromium included), then run all tests.
set -euo pipefail
cd "$(dirname "$0")"
# Chinese and emoji fonts so the browser test's screenshots are readable (Chromium brings neither).
browser_packages=(chromium fonts-noto-cjk fonts-noto-color-emoji)
if ! dpkg -s "${browser_packages[@]}" >/dev/null 2>&1; then
  echo "==> installing Debian's Chromium and fonts for the browser test"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${browser_packages[@]}" >/dev/null
fi
scripts/setup.sh requirements-test.txt
exec .venv/bin/python -m pytest "$@"
