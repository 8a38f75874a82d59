"""A build killed mid-embed or mid-write leaves an index that search can use and that the next build
completes: a document counts as indexed only once its completion marker is written, after all its records."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromadb.api.models.Collection import Collection

from bot.retrieval.retriever import HybridSearcher
from fakes import Killed, build_and_close, fake_embedder, fake_settings, killed_build, long_report, write
from index.documents import load_documents
from index.store import WRITE_BATCH, ChunkStore, document_units
from index.verify import verify_index

QUESTION = "第7项工作完成了吗"


def _top_text(store: ChunkStore) -> str:
    return HybridSearcher(store, store.settings.retrieval).search(QUESTION, k=1)[0].chunk.text


def _cut_off_after_first_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next index write stores its records and then the process dies, before anything else is written."""
    upsert = Collection.upsert

    def first_then_killed(self: Collection, *args: object, **kwargs: object) -> None:
        upsert(self, *args, **kwargs)
        if not self.name.endswith(".catalog"):
            raise Killed

    monkeypatch.setattr(Collection, "upsert", first_then_killed)


@pytest.mark.parametrize("before", ["none", "previous version"])
def test_a_document_cut_off_mid_write_is_indexed_again(tmp_path, monkeypatch, before):
    settings = fake_settings(tmp_path / "chroma")
    path = write(tmp_path, "long.md", long_report())
    if before == "previous version":
        ChunkStore(settings, fake_embedder()).sync(load_documents([path]))
        write(tmp_path, "long.md", long_report(variant="（修订）"))
    documents = load_documents([path])
    units = document_units(documents[0], settings)
    assert len(units) > WRITE_BATCH  # so the document takes more than one write

    with monkeypatch.context() as patch:
        _cut_off_after_first_write(patch)
        with pytest.raises(Killed):
            ChunkStore(settings, fake_embedder()).sync(documents)

    store = ChunkStore(settings, fake_embedder())
    assert "第7项工作" in _top_text(store)  # search works in between
    assert any("an interrupted build" in str(p) for p in verify_index(store, documents))
    report = store.sync(documents)
    assert report.unchanged == [] and report.chunks_embedded == len(units)
    assert verify_index(store, documents) == []
    assert "（修订）" in _top_text(store) or before == "none"


def test_sigkill_mid_embed_leaves_the_previous_version_searchable(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    path = write(tmp_path, "long.md", long_report())
    build_and_close(settings, path)
    write(tmp_path, "long.md", long_report(variant="（修订）"))

    killed_build(settings.chroma_path, "build", "embed:5", path)

    store = ChunkStore(settings, fake_embedder())
    documents = load_documents([path])
    assert "（修订）" not in _top_text(store) and "第7项工作" in _top_text(store)
    assert store.sync(documents).updated == ["long.md"]
    assert verify_index(store, documents) == [] and "（修订）" in _top_text(store)


def test_sigkill_mid_write_is_completed_by_the_next_build(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    other = write(tmp_path, "other.md", "# 其他\n\n新建公园12个。")
    path = write(tmp_path, "long.md", long_report())
    build_and_close(settings, other)

    killed_build(settings.chroma_path, "build", "write:1", other, path)

    store = ChunkStore(settings, fake_embedder())
    documents = load_documents([other, path])
    assert "第7项工作" in _top_text(store)
    problems = [str(p) for p in verify_index(store, documents)]
    assert len(problems) == 1 and problems[0].startswith("long.md: incompletely indexed")
    report = store.sync(documents)
    assert report.updated == ["long.md"] and report.unchanged == ["other.md"]
    assert verify_index(store, documents) == []


def test_a_document_missing_records_under_its_marker_is_indexed_again(tmp_path):
    """A marker counts its records: records lost after it was written make the document incomplete again."""
    settings = fake_settings(tmp_path / "chroma")
    documents = load_documents([write(tmp_path, "long.md", long_report(passages=20))])
    store = ChunkStore(settings, fake_embedder())
    store.sync(documents)
    store.collection.delete(ids=[store.all_chunks()[3].chunk_id])

    assert store.sync(documents).updated == ["long.md"]
    assert verify_index(store, documents) == []


def test_the_pausing_build_finishes_when_not_told_to_pause_in_time(tmp_path: Path):
    """The helper itself: with a pause point past the end it completes, so a pause it reports is real."""
    path = write(tmp_path, "other.md", "# 其他\n\n新建公园12个。")
    with pytest.raises(AssertionError, match="'finished'"):
        killed_build(tmp_path / "chroma", "build", "embed:1000", path)
