#!/usr/bin/env bash
# Set up everything that is missing, then start the chat UI on the bundled report.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python app.py "$@"
