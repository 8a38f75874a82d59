"""A model-free embedder, small documents and a killable build for fast index tests (the embedder is shared
with the pausing build script)."""

from __future__ import annotations

import signal
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from index.embeddings import Embedder
from zzbot.settings import Settings, load_settings

FAKE_MODEL = "fake-hashing"
SMALL = "# 小城报告\n\n## 民生\n\n新增学位3000个。新建公园12个。\n\n## 产业\n\n汽车产量突破5万辆。\n"


class HashingModel:
    """Stands in for a SentenceTransformer: a text's character bigrams hashed into a small vector, so texts
    sharing words are close. ``on_encode`` is called with the number of calls so far (to fail or pause)."""

    prompts: dict[str, str] = {}

    def __init__(self, dimension: int = 64, on_encode: Callable[[int], None] | None = None) -> None:
        self.dimension = dimension
        self.on_encode = on_encode
        self.calls = 0

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        self.calls += 1
        if self.on_encode is not None:
            self.on_encode(self.calls)
        vectors = np.zeros((len(texts), self.dimension), np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:] or " ", strict=False):
                vectors[row, zlib.crc32(f"{a}{b}".encode()) % self.dimension] += 1.0
            vectors[row, 0] += 0.01  # never the zero vector
        return vectors


def fake_embedder(on_encode: Callable[[int], None] | None = None, name: str = FAKE_MODEL,
                  dtype: str = "float32") -> Embedder:
    """The real Embedder class around the hashing model (its prompts, titles and normalisation)."""
    return Embedder(HashingModel(on_encode=on_encode), name=name, batch_size=8, dtype=dtype)


def fake_settings(chroma_path: Path, **chroma: Any) -> Settings:
    """Settings naming the fake embedder (as `index verify` reads them) with the index at ``chroma_path``."""
    return load_settings(chroma={"path": chroma_path, **chroma},
                         embedding={"model": FAKE_MODEL, "dtype": "float32"}, documents=[])


def fake_env(chroma_path: Path) -> dict[str, str]:
    """Environment for a CLI subprocess that reads the index ``fake_settings`` describes."""
    return {"ZZBOT_CHROMA__PATH": str(chroma_path), "ZZBOT_EMBEDDING__MODEL": FAKE_MODEL,
            "ZZBOT_EMBEDDING__DTYPE": "float32", "ZZBOT_DOCUMENTS": "[]"}


def long_report(passages: int = 400, variant: str = "") -> str:
    """A document of more than WRITE_BATCH records (passages plus their sentences), so it takes several
    writes; ``variant`` changes every passage."""
    lines = ["# 长报告", ""]
    for i in range(passages):
        lines += [f"## 第{i}节", "", f"第{i}项工作{variant}完成。新增岗位{i * 7}个{variant}。投资{i + 3}亿元。", ""]
    return "\n".join(lines)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def build_and_close(settings: Settings, *paths: Path) -> None:
    """Index ``paths`` and close the client, as a separate build process would: Chroma's embedded store
    caches a collection's vectors per process, and a client left open here would not see what another
    process writes afterwards."""
    from index.documents import load_documents
    from index.store import ChunkStore

    store = ChunkStore(settings, fake_embedder())
    store.sync(load_documents(list(paths)))
    store.client.close()


class Killed(BaseException):
    """Stands in for SIGKILL in-process: not an Exception, so no handler on the way turns it into a message."""


@contextmanager
def paused_build(chroma_path: Path, mode: str, pause_at: str, *documents: Path) -> Iterator[subprocess.Popen[str]]:
    """Run tests/index/pausing_build.py until it pauses at ``pause_at`` ("embed:N" or "write:N"), hand it over
    while it waits there, then SIGKILL it."""
    script = Path(__file__).with_name("pausing_build.py")
    child = subprocess.Popen([sys.executable, str(script), str(chroma_path), mode, pause_at, *map(str, documents)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = child.stdout.readline().strip() if child.stdout else ""
        if said != "paused":
            child.kill()
            _, errors = child.communicate(timeout=60)
            raise AssertionError(f"the build did not pause at {pause_at}: {said!r} {errors[-2000:]}")
        yield child
    finally:
        child.kill()
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL


def killed_build(chroma_path: Path, mode: str, pause_at: str, *documents: Path) -> None:
    """Run tests/index/pausing_build.py until it pauses at ``pause_at``, then SIGKILL it there."""
    with paused_build(chroma_path, mode, pause_at, *documents):
        pass
