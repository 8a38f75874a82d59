"""The benchmark's copies of the report (no models): copies embedded for real differ from each other in every
unit's embedder input, so no cache or merging of identical inputs makes a large scale cheap."""

from __future__ import annotations

import re
from collections import Counter

from eval.bench_index import copy_place, units_of, varied_copy, write_copies
from index.documents import load_documents
from index.embeddings import Embedder
from zzbot.settings import load_settings

GEMMA_PROMPTS = {"query": "task: search result | query: ", "document": "title: none | text: "}


def titled_embedder() -> Embedder:
    """The real Embedder with EmbeddingGemma's prompts (a unit's input is titled with its section); nothing is
    embedded here."""
    return Embedder(type("PromptsOnly", (), {"prompts": GEMMA_PROMPTS})(), name="prompts-only")


def test_varied_copies_share_no_unit_input(tmp_path):
    settings = load_settings()
    embedder = titled_embedder()
    documents = load_documents(write_copies(settings.documents[0], tmp_path, 12, varied=True))
    inputs = [[embedder.unit_input(u.section, u.text) for u in units_of(doc, settings)] for doc in documents]

    owners = Counter(text for copy in inputs for text in set(copy))
    assert max(owners.values()) == 1
    assert len({len(copy) for copy in inputs}) == 1  # every copy is the same size as the others
    original = units_of(load_documents(settings.documents)[0], settings)
    assert abs(len(inputs[0]) - len(original)) <= 4  # and about the report's: the same work per copy


def test_a_varied_copy_is_another_place_with_changed_figures_and_the_same_years():
    text = load_settings().documents[0].read_text(encoding="utf-8")
    copy = varied_copy(text, 3)

    assert "郑州" in text and "郑州" not in copy and copy.count(copy_place(3)) > text.count("郑州")
    years = re.compile(r"20[12]\d")
    assert Counter(years.findall(copy)) == Counter(years.findall(text))
    figures = re.compile(r"\d+(?:\.\d+)?")
    assert len(figures.findall(copy)) == len(figures.findall(text))
    assert figures.findall(copy) != figures.findall(text)


def test_each_copy_has_its_own_place_beyond_the_place_list():
    assert len({copy_place(i) for i in range(1, 301)}) == 300


def test_copies_above_the_embedding_limit_keep_the_report_text(tmp_path):
    source = load_settings().documents[0]
    (path,) = write_copies(source, tmp_path, 1)
    assert path.read_text(encoding="utf-8") == f"副本 1\n\n{source.read_text(encoding='utf-8')}"
