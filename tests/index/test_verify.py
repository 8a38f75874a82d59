"""`index verify`: one line per problem, each with its fix, and the fix it names makes the index clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from fakes import SMALL, build_and_close, fake_embedder, fake_env, fake_settings, write
from index.documents import load_documents
from index.store import FIX_BUILD, FIX_REBUILD, ChunkStore, rebuild_index
from index.verify import verify_index

ROOT = Path(__file__).resolve().parents[2]
OTHER = "# 第二份文件\n\n新增停车位800个。改造老旧小区50个，惠及居民3万户。\n"


def _cli(env: dict[str, str], *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "index", "verify", *map(str, paths)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


class Case:
    """An index of a.md and b.md, verified against the documents (and settings) the damage leaves."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.settings = fake_settings(tmp_path / "chroma")
        self.paths = [write(tmp_path, "a.md", SMALL), write(tmp_path, "b.md", OTHER)]
        self.store = ChunkStore(self.settings, fake_embedder())
        self.store.sync(load_documents(self.paths))

    def passage_with_sentences(self) -> str:
        return next(u.parent for u in self.store.all_units() if u.kind == "sentence" and u.source == "a.md")


def _unlisted(case: Case) -> None:
    case.paths = case.paths[:1]


def _not_indexed(case: Case) -> None:
    case.paths.append(write(case.tmp_path, "c.md", "# 第三份\n\n新建学校5所。"))


def _incomplete(case: Case) -> None:
    case.store.catalog.remove_manifest(case.store.collection.name, "a.md")


def _changed(case: Case) -> None:
    write(case.tmp_path, "a.md", SMALL.replace("12个", "15个"))


def _rechunked(case: Case) -> None:
    case.settings = case.settings.model_copy(update={"chunking": case.settings.chunking.model_copy(
        update={"max_chars": 100})})


def _other_dtype(case: Case) -> None:
    case.settings = case.settings.model_copy(update={"embedding": case.settings.embedding.model_copy(
        update={"dtype": "bfloat16"})})


def _text_edited(case: Case) -> None:
    case.store.collection.update(ids=[case.store.all_chunks()[0].chunk_id], documents=["篡改的文字"])


def _offsets_shifted(case: Case) -> None:
    chunk = case.store.all_chunks()[0]
    stored = case.store.collection.get(ids=[chunk.chunk_id], include=["metadatas"])["metadatas"][0]
    case.store.collection.update(ids=[chunk.chunk_id], metadatas=[{**stored, "start": chunk.start + 1}])


def _passage_lost(case: Case) -> None:
    case.store.collection.delete(ids=[case.passage_with_sentences()])


def _sentence_lost(case: Case) -> None:
    case.store.collection.delete(ids=[next(u.chunk_id for u in case.store.all_units() if u.kind == "sentence")])


def _vector_broken(case: Case) -> None:
    case.store.collection.update(ids=[case.store.all_chunks()[0].chunk_id], embeddings=[np.full(64, 3.0)])


def _leftover(case: Case) -> None:
    case.store.catalog.add_generation("reports.interrupted")
    case.store.client.create_collection("reports.interrupted")


# damage → (the start of each problem line, the fix it names)
CASES: dict[str, tuple[Callable[[Case], None], list[tuple[str, str]]]] = {
    "unlisted document": (_unlisted, [("b.md: 4 records of a document that is not in the document list", FIX_BUILD)]),
    "document not indexed": (_not_indexed, [("c.md: not in the index", FIX_BUILD)]),
    "no completion marker": (_incomplete, [("a.md: incompletely indexed", FIX_BUILD)]),
    "document changed": (_changed, [("a.md: indexed with another content", FIX_BUILD)]),
    "chunking changed": (_rechunked, [("a.md: indexed with another chunking.max_chars (220 → 100)", FIX_BUILD),
                                      ("b.md: indexed with another chunking.max_chars (220 → 100)", FIX_BUILD)]),
    "embedder dtype changed": (_other_dtype, [
        ("a.md: indexed with another embedder dtype (float32 → bfloat16)", FIX_BUILD),
        ("b.md: indexed with another embedder dtype (float32 → bfloat16)", FIX_BUILD)]),
    "text edited": (_text_edited, [("a.md: record", FIX_REBUILD)]),
    "offsets shifted": (_offsets_shifted, [("a.md: record", FIX_REBUILD)]),
    "passage lost": (_passage_lost, [("a.md: 1 of its", FIX_BUILD)] + [("a.md: sentence unit", FIX_REBUILD)] * 4),
    "sentence unit lost": (_sentence_lost, [("a.md: 1 of its", FIX_BUILD)]),
    "broken vector": (_vector_broken, [("1 records have a broken vector", FIX_REBUILD)]),
    "leftover collection": (_leftover, [("collection reports.interrupted was left by", FIX_BUILD)]),
}


def test_a_clean_index_has_no_problems(tmp_path):
    case = Case(tmp_path)
    assert verify_index(case.store, load_documents(case.paths)) == []


@pytest.mark.parametrize("name", list(CASES))
def test_each_problem_is_found_and_its_fix_fixes_it(tmp_path, name):
    damage, expected = CASES[name]
    case = Case(tmp_path)
    damage(case)
    store = ChunkStore(case.settings, None)  # as `index verify` opens it: the settings name the embedder
    documents = load_documents(case.paths)

    problems = sorted(verify_index(store, documents), key=lambda p: p.message)

    assert len(problems) == len(expected), problems
    for problem, (start, fix) in zip(problems, sorted(expected), strict=True):
        assert problem.message.startswith(start) and problem.fix == fix, problem
        assert "\n" not in str(problem) and str(problem).endswith(f"; fix: `{fix}`")
    embedder = fake_embedder(dtype=case.settings.embedding.dtype)
    if any(p.fix == FIX_REBUILD for p in problems):
        rebuild_index(case.settings, embedder, documents)
    else:
        store = ChunkStore(case.settings, embedder)
        store.remove_leftovers()  # what `index build` does before syncing
        store.sync(documents)
    assert verify_index(ChunkStore(case.settings, None), documents) == []


def test_cli_exit_codes_one_line_per_problem_and_the_summary(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    a, b = write(tmp_path, "a.md", SMALL), write(tmp_path, "b.md", OTHER)
    build_and_close(settings, a, b)
    env = fake_env(settings.chroma_path)

    clean = _cli(env, a, b)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("\n") == 1 and "OK (2 documents" in clean.stdout, clean.stdout

    unlisted = _cli(env, a)
    assert unlisted.returncode == 1 and "Traceback" not in unlisted.stderr
    lines = unlisted.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("problem: b.md:") and lines[0].endswith(f"fix: `{FIX_BUILD}`")
    assert re.fullmatch(rf"index at {re.escape(str(settings.chroma_path))}: 1 problem \(1 document, \d+ passages, "
                        rf"\d+ records\); fix: `{re.escape(FIX_BUILD)}`", lines[1]), lines[1]

    other_model = _cli({**env, "ZZBOT_EMBEDDING__MODEL": "other-model"}, a, b)
    assert other_model.returncode == 1 and "Traceback" not in other_model.stderr
    assert "built with the embedder 'fake-hashing'" in other_model.stdout and FIX_REBUILD in other_model.stdout


def test_cli_refuses_a_missing_document(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    result = _cli(fake_env(settings.chroma_path), tmp_path / "missing.md")
    assert result.returncode == 1 and "no such file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.models
def test_the_bundled_report_indexed_with_the_real_embedder_verifies_clean(real_settings, engine):
    """The `engine` fixture indexes the bundled report with the real embedder into a temporary folder."""
    result = _cli({"ZZBOT_CHROMA__PATH": str(real_settings.chroma_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK (1 document," in result.stdout
