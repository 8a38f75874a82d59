"""The Chroma index with the real embedder: incremental sync, bad input, and a real Chroma server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.documents import DocumentError, load_documents
from index.store import ChunkStore, rebuild_index

pytestmark = pytest.mark.models

SMALL = "# 小城报告\n\n## 民生\n\n新增学位3000个。新建公园12个。\n\n## 产业\n\n汽车产量突破5万辆。\n"


def _settings(real_settings, path: Path, **chroma):
    return real_settings.model_copy(update={"chroma": real_settings.chroma.model_copy(update={"path": path, **chroma})})


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sync_is_incremental(real_settings, embedder, tmp_path):
    settings = _settings(real_settings, tmp_path / "chroma")
    a = _write(tmp_path, "a.md", SMALL)
    b = _write(tmp_path, "b.txt", "第二份文件。新增停车位800个。")
    store = ChunkStore(settings, embedder)

    first = store.sync(load_documents([a, b]))
    assert sorted(first.added) == ["a.md", "b.txt"] and first.chunks_embedded > 0
    ids = {c.chunk_id for c in store.all_chunks()}

    again = store.sync(load_documents([a, b]))
    assert again.chunks_embedded == 0 and sorted(again.unchanged) == ["a.md", "b.txt"]
    assert {c.chunk_id for c in store.all_chunks()} == ids

    a.write_text(SMALL.replace("3000", "3500"), encoding="utf-8")
    changed = store.sync(load_documents([a, b]))
    assert changed.updated == ["a.md"] and changed.unchanged == ["b.txt"]
    texts = "".join(c.text for c in store.all_chunks())
    assert "3500" in texts and "3000" not in texts

    removed = store.sync(load_documents([a]))
    assert removed.removed == ["b.txt"]
    assert {c.source for c in store.all_chunks()} == {"a.md"}
    # A reopened store sees the same index (persistence).
    assert len(ChunkStore(settings, embedder).all_chunks()) == len(store.all_chunks())


def test_bad_input_leaves_the_index_intact(real_settings, embedder, tmp_path):
    """`python -m index build` with a bad file: a specific message, no traceback, the index unchanged."""
    settings = _settings(real_settings, tmp_path / "chroma")
    # Only the small document: the bundled report is left out to keep the test fast.
    env = {**os.environ, "ZZBOT_CHROMA__PATH": str(settings.chroma.path), "ZZBOT_DOCUMENTS": "[]"}
    root = Path(__file__).resolve().parents[2]

    def build(*paths: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "index", "build", "--quiet", *map(str, paths)], cwd=root,
                              env=env, capture_output=True, text=True, timeout=600)

    good = _write(tmp_path, "good.md", SMALL)
    assert build(good).returncode == 0
    before = {c.chunk_id for c in ChunkStore(settings, embedder).all_chunks()}
    empty = _write(tmp_path, "empty.md", "")
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\x00\x00")
    for bad, message in [(tmp_path / "missing.md", "no such file"), (empty, "empty"), (binary, "binary")]:
        result = build(good, bad)
        assert result.returncode == 1
        assert message in result.stderr and "Traceback" not in result.stderr
        assert "The index was not changed" in result.stderr
    assert {c.chunk_id for c in ChunkStore(settings, embedder).all_chunks()} == before
    assert "unchanged  good.md" in build(good).stdout


def test_load_documents_refuses_before_touching_anything(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        load_documents([tmp_path / "nope.md"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_chroma_server_through_the_http_client(real_settings, embedder, tmp_path):
    """The same index code against a real Chroma server (``chroma run``) on loopback, rebuild included."""
    from bot.retrieval.retriever import HybridSearcher

    port = _free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log = open(tmp_path / "chroma.log", "w")
    server = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port),
                               "--path", str(tmp_path / "server-data")], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "chroma.log").read_text()
                time.sleep(0.5)
        settings = _settings(real_settings, tmp_path / "unused", host="127.0.0.1", port=port)
        store = ChunkStore(settings, embedder)
        report = store.sync(load_documents([_write(tmp_path, "a.md", SMALL)]))
        assert report.added == ["a.md"]
        assert not (tmp_path / "unused").exists()  # nothing was written to the embedded store
        hits = HybridSearcher(store, settings.retrieval).search("How many new parks?", k=1)
        assert "新建公园12个" in hits[0].chunk.text
        again = ChunkStore(settings, embedder).sync(load_documents([tmp_path / "a.md"]))
        assert again.unchanged == ["a.md"]
        rebuilt = rebuild_index(settings, embedder, load_documents([tmp_path / "a.md"]))
        assert rebuilt.added == ["a.md"]
        reopened = ChunkStore(settings, embedder)
        assert reopened.collection.name != settings.chroma.collection and reopened.leftover_collections() == []
        hits = HybridSearcher(reopened, settings.retrieval).search("How many new parks?", k=1)
        assert "新建公园12个" in hits[0].chunk.text
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
