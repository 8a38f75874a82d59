#!/usr/bin/env bash
# Set-up shared by ./run.sh and ./test.sh. Each step runs only when needed:
# a virtual environment with the pinned requirements, the offline models, the index.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=("$@")   # e.g. requirements-test.txt
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($python --version)"
  "$python" -m venv .venv
fi

wanted=$(cat requirements.txt constraints.txt "${extras[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing requirements (torch CPU build; llama-cpp-python compiles once, ~6 min on 2 cores)"
  args=(-r requirements.txt)
  for extra in "${extras[@]}"; do args+=(-r "$extra"); done
  .venv/bin/python -m pip install --disable-pip-version-check -q -c constraints.txt "${args[@]}"
  echo "$wanted" > .venv/.installed
fi

echo "==> models"
.venv/bin/python -m index fetch-models
echo "==> index"
.venv/bin/python -m index build
