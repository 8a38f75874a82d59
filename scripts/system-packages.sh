#!/usr/bin/env bash
# Install the Debian packages a command needs, once: as root directly, otherwise through sudo (which may
# ask for a password on a terminal).
# Without either, stop with one line naming the packages, so nothing is skipped silently.
# Usage: scripts/system-packages.sh PACKAGE...
set -euo pipefail
packages=("$@")
[ ${#packages[@]} -gt 0 ] || exit 0
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  run=(env)
elif command -v sudo >/dev/null 2>&1 && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
  run=(sudo env)
else
  echo "error: these Debian packages are missing and there is no root or sudo to install them: ${packages[*]}; run as root: apt-get install -y ${packages[*]}" >&2
  exit 1
fi
echo "==> installing Debian packages: ${packages[*]}"
"${run[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${run[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
