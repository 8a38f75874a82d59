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

# llama.cpp is compiled for this CPU, but without AMX: on virtual machines that report AMX without supporting
# it, its tile instructions die with SIGILL ("Illegal instruction") on the first answer. The wheel is built
# into a folder named after these flags, so a wheel cached by pip with other flags is never reused.
llama_version=$(sed -n 's/^llama-cpp-python==//p' requirements.txt)
llama_flags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
wheelhouse=.cache/wheels/llama-$(echo "$llama_version $llama_flags $(uname -m)" | sha256sum | cut -c1-12)
if ! ls "$wheelhouse"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "==> building llama-cpp-python $llama_version for this CPU (once, about 6 minutes on 2 cores)"
  mkdir -p "$wheelhouse"
  CFLAGS="$llama_flags" CXXFLAGS="$llama_flags" CMAKE_ARGS="-DGGML_NATIVE=ON" \
    .venv/bin/python -m pip wheel --disable-pip-version-check -q --no-deps --no-cache-dir \
    -w "$wheelhouse" "llama-cpp-python==$llama_version"
fi

# Machines of ours keep wheels on disk (torch's CPU build among them) that only root's pip configuration names;
# any user installs from there too, instead of downloading torch's multi-GB CUDA build from PyPI.
local_wheels=()
if [ -d /opt/wheels ]; then local_wheels=(--find-links /opt/wheels); fi

wanted=$(cat requirements.txt constraints.txt pyproject.toml "${extras[@]}" <(echo "$wheelhouse") | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing requirements (torch CPU build)"
  args=(-r requirements.txt)
  for extra in "${extras[@]}"; do args+=(-r "$extra"); done
  .venv/bin/python -m pip install --disable-pip-version-check -q --find-links "$wheelhouse" "${local_wheels[@]}" \
    --only-binary llama-cpp-python -c constraints.txt "${args[@]}"
  # An earlier llama-cpp-python of the same version (built with other flags) is replaced by ours.
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-deps --force-reinstall "$wheelhouse"/*.whl
  # The project itself, editable: the zzbot command, and its packages importable from anywhere.
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
  echo "$wanted" > .venv/.installed
fi

echo "==> models"
.venv/bin/python -m index fetch-models
echo "==> index"
.venv/bin/python -m index build
