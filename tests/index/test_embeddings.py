"""Embedding many units at once (Embedder.embed_many), as index builds do, and the store's use of it: several
documents embedded together in batches of similar length, progress by reports and units, and a changed report
re-embedding only itself."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import HashingModel, fake_embedder, fake_settings, write
from index.documents import load_documents
from index.embeddings import Embedder
from index.store import ChunkStore, document_units


class RecordingModel(HashingModel):
    """The hashing model, keeping the texts of each encode call."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def encode(self, texts, **options):  # type: ignore[no-untyped-def]
        self.batches.append(list(texts))
        return super().encode(texts, **options)


def recording_embedder(batch_size: int = 4) -> tuple[Embedder, RecordingModel]:
    model = RecordingModel()
    return Embedder(model, name="fake-hashing", batch_size=batch_size), model


INPUTS = ["短", "一个长得多的句子，有好几个分句，还有数字3000个。", "中等长度的句子。", "短", "另一个中等句子。",
          "第六句比较长一些，也有逗号。", "七"]


def test_embed_many_gives_each_input_its_own_vector_in_order():
    embedder, _ = recording_embedder(batch_size=2)
    one_by_one = np.vstack([embedder.embed_inputs([text]) for text in INPUTS])

    assert np.allclose(embedder.embed_many(INPUTS), one_by_one, atol=1e-6)


def test_embed_many_embeds_identical_inputs_once_in_batches_sorted_by_length():
    embedder, model = recording_embedder(batch_size=2)
    embedder.embed_many(INPUTS)

    sent = [text for batch in model.batches for text in batch]
    assert sorted(sent) == sorted(set(INPUTS))  # "短" twice in the inputs, embedded once
    assert all(len(batch) <= 2 for batch in model.batches)
    lengths = [len(text) for text in sent]
    assert lengths == sorted(lengths)  # no batch is padded to a text much longer than its others


def test_embed_many_reports_progress_up_to_every_input():
    embedder, _ = recording_embedder(batch_size=2)
    seen: list[int] = []
    embedder.embed_many(INPUTS, seen.append)

    assert seen == sorted(seen) and seen[-1] == len(INPUTS) and len(seen) == 3  # 6 distinct inputs, 2 a batch


def test_embed_many_of_nothing_is_an_empty_matrix():
    embedder, model = recording_embedder()
    assert embedder.embed_many([]).shape == (0, model.dimension)


def _report(name: str, figure: int) -> str:
    return f"# {name}报告\n\n## 民生\n\n新增学位{figure}个。新建公园{figure // 100}个。\n\n## 产业\n\n汽车产量突破{figure}辆。\n"


def _report_of(text: str) -> int | None:
    """Which of the three reports a unit comes from, by its figures (None: a unit without one)."""
    return next((i for i in (1, 2, 3) if f"{i}000" in text or f"{i}0个" in text), None)


@pytest.fixture
def three_reports(tmp_path):
    return [write(tmp_path, f"{name}.md", _report(name, 1000 * (i + 1))) for i, name in enumerate(("甲", "乙", "丙"))]


def test_sync_embeds_several_reports_together_and_shows_reports_and_units(tmp_path, three_reports):
    embedder, model = recording_embedder(batch_size=4)
    store = ChunkStore(fake_settings(tmp_path / "chroma"), embedder)
    seen: list[tuple[str, int, int]] = []
    report = store.sync(load_documents(three_reports), lambda label, done, total: seen.append((label, done, total)))

    assert report.added == ["甲.md", "乙.md", "丙.md"] and report.chunks_embedded == store.count()
    total = report.chunks_embedded
    assert seen[-1] == ("甲.md … 丙.md (reports 1–3 of 3)", total, total)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    # Units of different reports share batches: the reports were embedded as one group, not one by one.
    assert any(len({_report_of(text) for text in batch} - {None}) > 1 for batch in model.batches)


def test_a_changed_report_re_embeds_only_that_report(tmp_path, three_reports):
    settings = fake_settings(tmp_path / "chroma")
    ChunkStore(settings, fake_embedder()).sync(load_documents(three_reports))
    three_reports[1].write_text(_report("乙", 7000), encoding="utf-8")

    embedder, model = recording_embedder()
    seen: list[str] = []
    report = ChunkStore(settings, embedder).sync(load_documents(three_reports), lambda label, *_: seen.append(label))

    assert report.updated == ["乙.md"] and report.unchanged == ["甲.md", "丙.md"]
    sent = [text for batch in model.batches for text in batch]
    assert sent and all("1000" not in text and "3000" not in text for text in sent)
    assert set(seen) == {"乙.md (report 1 of 1)"}


@pytest.mark.models
def test_length_sorted_batches_give_the_vectors_each_unit_gets_alone(real_settings, embedder):
    """Padding in a batch must not change a vector: the index's vectors stay those the retrieval was tuned on."""
    units = document_units(load_documents(real_settings.documents)[0], real_settings)[:48]
    inputs = [embedder.unit_input(u.section, u.text) for u in units]
    alone = np.vstack([embedder.embed_inputs([text]) for text in inputs])

    assert (embedder.embed_many(inputs) * alone).sum(axis=1).min() >= 0.998
