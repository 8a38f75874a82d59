"""`index build --rebuild` fills a new collection beside the active one and switches readers to it only
when it is complete: interrupted at any point, search keeps the old index."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaClientSettings

from bot.retrieval.retriever import HybridSearcher
from fakes import (
    SMALL,
    Killed,
    build_and_close,
    fake_embedder,
    fake_env,
    fake_settings,
    killed_build,
    long_report,
    write,
)
from index.documents import load_documents
from index.store import FIX_REBUILD, ChunkStore, StoreError, rebuild_index
from index.verify import verify_index

ROOT = Path(__file__).resolve().parents[2]
REVISED = SMALL.replace("12个", "15个")


def _top_text(store: ChunkStore, question: str = "新建公园多少个") -> str:
    return HybridSearcher(store, store.settings.retrieval).search(question, k=1)[0].chunk.text


def _killed_on_third_embedding(calls: int) -> None:
    if calls == 3:
        raise Killed


def _interrupted_rebuild(settings, documents, client=None) -> None:
    with pytest.raises(Killed):
        rebuild_index(settings, fake_embedder(on_encode=_killed_on_third_embedding), documents, client=client)


def test_an_interrupted_rebuild_leaves_the_old_index_in_use(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    path = write(tmp_path, "a.md", SMALL)
    ChunkStore(settings, fake_embedder()).sync(load_documents([path]))
    write(tmp_path, "a.md", REVISED + long_report(passages=10))
    documents = load_documents([path])

    _interrupted_rebuild(settings, documents)

    store = ChunkStore(settings, fake_embedder())
    assert store.collection.name == settings.chroma.collection
    assert "新建公园12个" in _top_text(store)
    leftover = store.leftover_collections()
    assert len(leftover) == 1
    assert any("interrupted" in str(p) for p in verify_index(store, documents))

    rebuild_index(settings, fake_embedder(), documents)
    store = ChunkStore(settings, fake_embedder())
    assert store.collection.name not in (settings.chroma.collection, *leftover)
    assert "新建公园15个" in _top_text(store)
    assert store.leftover_collections() == [] and verify_index(store, documents) == []
    names = {c.name for c in store.client.list_collections()}
    assert names == {store.collection.name, f"{settings.chroma.collection}.catalog"}


def test_each_rebuild_replaces_the_previous_one_and_builds_update_the_active(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    path = write(tmp_path, "a.md", SMALL)
    documents = load_documents([path])
    rebuild_index(settings, fake_embedder(), documents)
    first = ChunkStore(settings, fake_embedder()).collection.name
    rebuild_index(settings, fake_embedder(), documents)
    store = ChunkStore(settings, fake_embedder())
    assert store.collection.name != first and store.leftover_collections() == []

    write(tmp_path, "a.md", REVISED)
    assert store.sync(load_documents([path])).updated == ["a.md"]
    reopened = ChunkStore(settings, fake_embedder())
    assert reopened.collection.name == store.collection.name and "新建公园15个" in _top_text(reopened)


def test_rebuild_through_a_client_given_to_it(tmp_path):
    """The code path of a Chroma server (nothing on disk is touched): an in-memory client passed as client=."""
    client = chromadb.EphemeralClient(settings=ChromaClientSettings(anonymized_telemetry=False))
    settings = fake_settings(tmp_path / "unused", collection=f"t{uuid.uuid4().hex[:8]}")
    path = write(tmp_path, "a.md", SMALL)
    ChunkStore(settings, fake_embedder(), client=client).sync(load_documents([path]))
    write(tmp_path, "a.md", REVISED + long_report(passages=10))
    documents = load_documents([path])

    _interrupted_rebuild(settings, documents, client=client)
    assert "新建公园12个" in _top_text(ChunkStore(settings, fake_embedder(), client=client))

    rebuild_index(settings, fake_embedder(), documents, client=client)
    store = ChunkStore(settings, fake_embedder(), client=client)
    assert "新建公园15个" in _top_text(store) and store.leftover_collections() == []
    assert not (tmp_path / "unused").exists()


def test_a_rebuild_is_how_to_change_the_embedder(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    documents = load_documents([write(tmp_path, "a.md", SMALL)])
    ChunkStore(settings, fake_embedder()).sync(documents)
    other = fake_embedder(name="other-embedder")

    with pytest.raises(StoreError, match=re.escape(FIX_REBUILD)):
        ChunkStore(settings, other)
    rebuild_index(settings, other, documents)

    assert ChunkStore(settings, other).count() > 0
    with pytest.raises(StoreError, match="other-embedder"):
        ChunkStore(settings, fake_embedder())


def _verify_cli(path: Path, *documents: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "index", "verify", *map(str, documents)], cwd=ROOT,
                          env={**os.environ, **fake_env(path)}, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("pause_at", ["embed:3", "write:1"])
def test_sigkill_mid_rebuild_keeps_the_old_index(tmp_path, pause_at):
    settings = fake_settings(tmp_path / "chroma")
    path = write(tmp_path, "a.md", SMALL)
    build_and_close(settings, path)
    write(tmp_path, "a.md", REVISED + long_report())

    killed_build(settings.chroma_path, "rebuild", pause_at, path)

    store = ChunkStore(settings, fake_embedder())
    assert "新建公园12个" in _top_text(store)
    verified = _verify_cli(settings.chroma_path, path)
    assert verified.returncode == 1 and "interrupted" in verified.stdout, verified.stdout + verified.stderr
    store.remove_leftovers()  # what the next build does first
    store.sync(load_documents([path]))
    assert "新建公园15个" in _top_text(store) and verify_index(store, load_documents([path])) == []


@pytest.mark.models
def test_sigkill_mid_rebuild_with_the_real_embedder(real_settings, embedder, report_text, tmp_path):
    """`python -m index build --rebuild` killed while embedding: search still answers from the old index."""
    settings = real_settings.model_copy(update={"chroma": real_settings.chroma.model_copy(
        update={"path": tmp_path / "chroma"})})
    small = write(tmp_path, "small.md", SMALL)
    built = ChunkStore(settings, embedder)
    built.sync(load_documents([small]))
    built.client.close()  # this process must read the files afresh after the rebuild process wrote them
    write(tmp_path, "small.md", REVISED + report_text)  # long enough to be killed mid-way
    env = {**os.environ, "ZZBOT_CHROMA__PATH": str(settings.chroma_path), "ZZBOT_DOCUMENTS": "[]"}
    child = subprocess.Popen([sys.executable, "-m", "index", "build", "--rebuild", str(small)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_embedding(child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)

    store = ChunkStore(settings, embedder)
    assert store.collection.name == settings.chroma.collection
    assert "新建公园12个" in _top_text(store)


def _wait_until_embedding(child: subprocess.Popen[bytes], timeout_s: float = 600) -> None:
    """Read the progress bar until some but not all units are embedded."""
    assert child.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        chunk = os.read(child.stderr.fileno(), 4096)
        assert chunk, f"the rebuild ended before it was killed: {seen[-2000:]!r}"
        seen += chunk
        progress = re.findall(rb"(\d+)/(\d+)", seen)
        if progress and 0 < int(progress[-1][0]) < int(progress[-1][1]):
            return
    raise AssertionError("no embedding progress in time")
