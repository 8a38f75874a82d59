"""Every stored record carries its document's place, years and kind; a changed sidecar or an index of an older
version is indexed again; ``python -m index status`` lists the indexed documents; a search can be kept to some."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fakes import build_and_close, fake_embedder, fake_env, fake_settings, write
from index.documents import load_document, load_documents
from index.metadata import DocumentMeta, scope_filter
from index.store import ChunkStore

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "data" / "zhengzhou-2024-government-work-report.md"
SAMPLES = ROOT / "tests" / "fixtures" / "reports"
KAIFENG = SAMPLES / "kaifeng-2023-report-sample.md"
ZHENGZHOU_2023 = SAMPLES / "zhengzhou-2023-review-sample.md"


def _status(chroma_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "index", "status"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **fake_env(chroma_path)}, timeout=300)


def test_every_record_carries_its_documents_metadata(tmp_path):
    store = ChunkStore(fake_settings(tmp_path / "chroma"), fake_embedder())
    documents = load_documents([KAIFENG, ZHENGZHOU_2023])
    store.sync(documents)
    expected = {doc.source: doc.meta for doc in documents}
    units = store.all_units()
    assert {u.kind for u in units} >= {"passage", "sentence"}
    assert all(unit.meta == expected[unit.source] for unit in units)
    assert [(d.source, d.meta, d.outdated) for d in store.indexed_documents()] == sorted(
        (doc.source, doc.meta, False) for doc in documents)


def test_a_changed_sidecar_reindexes_only_its_document(tmp_path):
    kaifeng = write(tmp_path, "kaifeng.md", KAIFENG.read_text(encoding="utf-8"))
    other = write(tmp_path, "zhengzhou.md", ZHENGZHOU_2023.read_text(encoding="utf-8"))
    store = ChunkStore(fake_settings(tmp_path / "chroma"), fake_embedder())
    store.sync(load_documents([kaifeng, other]))
    write(tmp_path, "kaifeng.meta.json", '{"target_year": 2024, "review_year": 2023}')
    report = store.sync(load_documents([kaifeng, other]))
    assert report.updated == ["kaifeng.md"] and report.unchanged == ["zhengzhou.md"]
    metas = {u.meta for u in store.all_units() if u.source == "kaifeng.md"}
    assert metas == {DocumentMeta("开封", 2024, 2023, "work_report", "开封市2023年政府工作报告（测试样本）")}


def test_an_index_of_the_older_version_is_listed_as_outdated_and_rebuilt(tmp_path):
    doc = write(tmp_path, "kaifeng.md", KAIFENG.read_text(encoding="utf-8"))
    store = ChunkStore(fake_settings(tmp_path / "chroma"), fake_embedder())
    store.sync(load_documents([doc]))
    # What version 5 wrote: a marker without the metadata, under another key.
    marker = store.manifests()["kaifeng.md"]
    old = {k: v for k, v in marker.items() if k != "meta" and not k.startswith("doc_")}
    store.catalog.remove_manifest(store.collection.name, "kaifeng.md")
    store.catalog.put_manifest(store.collection.name, "kaifeng.md", {**old, "chunker_version": 5, "index_key": "v5"})
    assert [d.outdated for d in store.indexed_documents()] == [True]
    assert store.sync(load_documents([doc])).updated == ["kaifeng.md"]
    assert [d.outdated for d in store.indexed_documents()] == [False]


def test_a_year_the_sidecar_no_longer_gives_leaves_every_record(tmp_path):
    doc = write(tmp_path, "kaifeng.md", KAIFENG.read_text(encoding="utf-8"))
    store = ChunkStore(fake_settings(tmp_path / "chroma"), fake_embedder())
    store.sync(load_documents([doc]))
    write(tmp_path, "kaifeng.meta.yaml", "target_year: null\nplace: null\n")
    store.sync(load_documents([doc]))
    assert {(u.meta.place, u.meta.target_year, u.meta.review_year) for u in store.all_units()} == {(None, None, 2022)}
    assert store.dense_search(fake_embedder().embed_query("生产总值"), 5, where=scope_filter(place="开封")) == []


def test_a_search_can_be_kept_to_a_place_or_a_year(tmp_path):
    store = ChunkStore(fake_settings(tmp_path / "chroma"), fake_embedder())
    store.sync(load_documents([KAIFENG, ZHENGZHOU_2023]))
    query = fake_embedder().embed_query("生产总值")
    sources = {u.chunk_id: u.source for u in store.all_units()}
    everywhere = {sources[i] for i, _ in store.dense_search(query, 20)}
    assert everywhere == {KAIFENG.name, ZHENGZHOU_2023.name}
    kaifeng = {sources[i] for i, _ in store.dense_search(query, 20, where=scope_filter(place="开封"))}
    assert kaifeng == {KAIFENG.name}
    reviewed_2023 = {sources[i] for i, _ in store.dense_search(query, 20, where=scope_filter(year=2023))}
    assert reviewed_2023 == {KAIFENG.name, ZHENGZHOU_2023.name}  # Kaifeng's targets are for 2023
    assert store.dense_search(query, 20, where=scope_filter("郑州", 2022)) == []


def test_status_lists_each_indexed_document_with_place_years_and_kind(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    build_and_close(settings, REPORT, KAIFENG, ZHENGZHOU_2023)
    result = _status(settings.chroma_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("documents: 3")
    assert lines[start + 1:] == [
        "  kaifeng-2023-report-sample.md: 开封 (Kaifeng) · government work report · targets 2023 · review 2022 · "
        "《开封市2023年政府工作报告（测试样本）》",
        "  zhengzhou-2023-review-sample.md: 郑州 (Zhengzhou) · other · targets: no year · review 2023 · "
        "《郑州市2023年经济社会发展成绩回顾（测试样本）》",
        "  zhengzhou-2024-government-work-report.md: 郑州 (Zhengzhou) · government work report · targets 2024 · "
        "review 2023 · 《政府工作报告摘编》",
    ]


def test_status_without_an_index_says_so_and_creates_none(tmp_path):
    result = _status(tmp_path / "chroma")
    assert result.returncode == 0, result.stderr
    assert "documents: none indexed yet (run: python -m index build)" in result.stdout.splitlines()
    assert not (tmp_path / "chroma").exists()


def test_the_bundled_reports_records_say_zhengzhou_2024(tmp_path):
    store = ChunkStore(fake_settings(tmp_path / "chroma"), fake_embedder())
    store.sync([load_document(REPORT)])
    assert {u.meta for u in store.all_chunks()} == {DocumentMeta("郑州", 2024, 2023, "work_report", "政府工作报告摘编")}
