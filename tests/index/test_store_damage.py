"""A damaged index says so in one line naming the fix, on every path that reads or writes it, and
`index build --rebuild` repairs it without touching anything but the store's own files."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from fakes import SMALL, fake_embedder, fake_env, fake_settings, long_report, write
from index.documents import load_documents
from index.store import FIX_REBUILD, ChunkStore, IndexDamaged, StoreError, rebuild_index
from index.verify import verify_index

ROOT = Path(__file__).resolve().parents[2]


def _built(tmp_path: Path, text: str = SMALL) -> tuple[object, list, Path]:
    """An index of one document, built and closed (so the next client opens the files afresh)."""
    settings = fake_settings(tmp_path / "chroma")
    documents = load_documents([write(tmp_path, "a.md", text)])
    store = ChunkStore(settings, fake_embedder())
    store.sync(documents)
    store.client.close()
    return settings, documents, settings.chroma_path


def _garbage(database: Path) -> None:
    database.write_bytes(os.urandom(database.stat().st_size))


def _truncated(database: Path) -> None:
    with database.open("r+b") as f:
        f.truncate(database.stat().st_size // 2)


def _assert_names_the_fix(message: str, path: Path) -> None:
    assert "damaged" in message and str(path) in message and FIX_REBUILD in message
    assert "\n" not in message


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_a_damaged_database_fails_on_opening_with_the_fix(tmp_path, damage):
    settings, _, path = _built(tmp_path)
    damage(path / "chroma.sqlite3")

    with pytest.raises(IndexDamaged) as raised:
        ChunkStore(settings, fake_embedder())
    _assert_names_the_fix(str(raised.value), path)


def test_every_path_into_an_open_store_raises_store_error(tmp_path):
    """The database damaged under an open store: counting, reading, searching and syncing all say so."""
    settings, documents, path = _built(tmp_path)
    embedder = fake_embedder()
    store = ChunkStore(settings, embedder)
    query = embedder.embed_queries(["新建公园"])[0]
    database = path / "chroma.sqlite3"
    with database.open("r+b") as f:
        f.seek(24)  # SQLite's file change counter: a new value makes the open connection drop its page cache
        f.write(os.urandom(4))
        f.seek(4096)  # every page after the first
        f.write(os.urandom(database.stat().st_size - 4096))

    calls = {"count": store.count, "count_passages": store.count_passages, "all_chunks": store.all_chunks,
             "unit_vectors": store.unit_vectors, "dense_search": lambda: store.dense_search(query, 3),
             "sync": lambda: store.sync(documents)}
    for name, call in calls.items():
        with pytest.raises(StoreError) as raised:
            call()
        message = str(raised.value)
        assert "damaged" in message and str(path) in message and FIX_REBUILD in message, (name, message)


def _vector_segment_folders(path: Path) -> set[Path]:
    """Folders of the collections whose vectors are in segment files (the catalog's are not)."""
    return {p.parent for p in path.glob("*/index_metadata.pickle")}


def test_a_damaged_vector_index_fails_on_opening_and_a_rebuild_repairs_it(tmp_path):
    # Chroma keeps vectors in the database until a collection has 1000 of them; past that, in segment files.
    settings, documents, path = _built(tmp_path, long_report())
    segments = _vector_segment_folders(path)
    assert segments
    for folder in segments:
        (folder / "header.bin").write_bytes(os.urandom(100))

    with pytest.raises(IndexDamaged) as raised:
        ChunkStore(settings, fake_embedder())
    _assert_names_the_fix(str(raised.value), path)

    report = rebuild_index(settings, fake_embedder(), documents)
    assert report.added == ["a.md"]
    store = ChunkStore(settings, fake_embedder())
    assert verify_index(store, documents) == []
    assert all(not folder.exists() for folder in segments)  # the damaged collection was deleted


def test_rebuild_removes_only_the_store_files_of_a_damaged_database(tmp_path):
    settings, documents, path = _built(tmp_path)
    _garbage(path / "chroma.sqlite3")
    notes = write(path, "notes.txt", "mine")
    (path / "backup").mkdir()
    odd = path / str(uuid.uuid4())  # named like a segment folder, but holds a folder: not Chroma's
    (odd / "nested").mkdir(parents=True)
    outside = write(tmp_path, "chroma.sqlite3", "not the store")

    report = rebuild_index(settings, fake_embedder(), documents)

    assert report.added == ["a.md"]
    assert notes.read_text() == "mine" and (path / "backup").is_dir() and (odd / "nested").is_dir()
    assert outside.read_text() == "not the store"
    assert verify_index(ChunkStore(settings, fake_embedder()), documents) == []


def _cli(module: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=600)


def test_index_verify_on_a_damaged_database_exits_1_naming_the_fix(tmp_path):
    _, _, path = _built(tmp_path)
    _garbage(path / "chroma.sqlite3")

    result = _cli("index", "verify", str(tmp_path / "a.md"), env=fake_env(path))

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert FIX_REBUILD in result.stdout and "damaged" in result.stdout


@pytest.mark.models
def test_bot_search_on_a_damaged_index_and_the_rebuild_that_fixes_it(tmp_path):
    """The CLI end to end with the real embedder: a clear error (no traceback), then the named fix works."""
    path = tmp_path / "chroma"
    path.mkdir()
    (path / "chroma.sqlite3").write_bytes(b"SQLite format 3\x00" + os.urandom(20000))
    document = write(tmp_path, "small.md", SMALL)
    env = {"ZZBOT_CHROMA__PATH": str(path), "ZZBOT_DOCUMENTS": "[]"}

    failed = _cli("bot", "search", "新建公园多少个", env=env)
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    _assert_names_the_fix(failed.stderr.strip().splitlines()[-1], path)

    rebuilt = _cli("index", "build", "--rebuild", "--quiet", str(document), env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Traceback" not in rebuilt.stderr
    found = _cli("bot", "search", "新建公园多少个", "--k", "1", env=env)
    assert found.returncode == 0, found.stderr
    assert "新建公园12个" in found.stdout
