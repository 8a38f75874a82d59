"""scripts/system-packages.sh with fake ``apt-get``, ``sudo``, ``dpkg`` and ``id`` first on PATH: the exact
commands it issues as root, through sudo, and with neither."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages.sh"
PACKAGES = ["chromium", "fonts-noto-cjk"]


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _run(tmp_path: Path, *, uid: int, sudo: bool, installed: bool = False) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    # Only the fakes and the few real tools the script needs are on PATH, so a real sudo cannot leak in.
    for tool in ("env", "bash"):
        (bin_dir / tool).symlink_to(Path("/usr/bin") / tool if Path("/usr/bin", tool).exists() else Path("/bin") / tool)
    _fake(bin_dir, "id", f'[ "$1" = -u ] && echo {uid}')
    _fake(bin_dir, "dpkg", f'echo "dpkg $*" >> {calls}; exit {0 if installed else 1}')
    _fake(bin_dir, "apt-get", f'echo "apt-get DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> {calls}')
    if sudo:
        _fake(bin_dir, "sudo", f'echo "sudo $*" >> {calls}; [ "$1" = -n ] && exit 0; exec "$@"')
    result = subprocess.run(["/bin/bash", str(SCRIPT), *PACKAGES], env={"PATH": str(bin_dir)},
                            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    lines = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return result, lines


def test_root_installs_directly(tmp_path: Path) -> None:
    result, calls = _run(tmp_path, uid=0, sudo=False)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "dpkg -s chromium fonts-noto-cjk",
        "apt-get DEBIAN_FRONTEND=noninteractive update -qq",
        "apt-get DEBIAN_FRONTEND=noninteractive install -y -qq chromium fonts-noto-cjk",
    ]


def test_user_with_sudo_installs_through_sudo(tmp_path: Path) -> None:
    result, calls = _run(tmp_path, uid=1000, sudo=True)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "dpkg -s chromium fonts-noto-cjk",
        "sudo -n true",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "apt-get DEBIAN_FRONTEND=noninteractive update -qq",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk",
        "apt-get DEBIAN_FRONTEND=noninteractive install -y -qq chromium fonts-noto-cjk",
    ]


def test_user_without_sudo_stops_with_one_line_naming_the_packages(tmp_path: Path) -> None:
    result, calls = _run(tmp_path, uid=1000, sudo=False)
    assert result.returncode == 1
    assert calls == ["dpkg -s chromium fonts-noto-cjk"]
    message = result.stderr.strip()
    assert "\n" not in message and "chromium fonts-noto-cjk" in message and "apt-get install" in message


@pytest.mark.parametrize("uid", [0, 1000])
def test_nothing_is_run_when_the_packages_are_installed(tmp_path: Path, uid: int) -> None:
    result, calls = _run(tmp_path, uid=uid, sudo=True, installed=True)
    assert result.returncode == 0
    assert calls == ["dpkg -s chromium fonts-noto-cjk"]


def test_the_test_command_uses_the_installer() -> None:
    """test.sh goes through the tested script, not an inline apt-get of its own."""
    text = (ROOT / "test.sh").read_text(encoding="utf-8")
    assert "scripts/system-packages.sh chromium" in text and "apt-get" not in text
    assert os.access(SCRIPT, os.X_OK)
