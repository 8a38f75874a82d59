#!/usr/bin/env bash
# Set up everything that is missing (test tools and Debian's Chromium included), then run all tests.
set -euo pipefail
cd "$(dirname "$0")"
# Chromium for the browser test; Chinese and emoji fonts so its screenshots are readable.
scripts/system-packages.sh chromium fonts-noto-cjk fonts-noto-color-emoji
scripts/setup.sh requirements-test.txt
exec .venv/bin/python -m pytest "$@"
