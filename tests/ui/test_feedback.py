"""The feedback log: one valid JSON line per record, even with many writers at once."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bot.feedback import append_record, record_feedback
from bot.schema import AnswerResult, Citation


def _result() -> AnswerResult:
    citation = Citation(n=1, chunk_id="c1", source="report.md", section="A > B", text="新增学位2.7万个。",
                        start=10, end=19, score=0.5, highlights=[(10, 19), (14, 18)])
    return AnswerResult(question="2024年郑州市区新增多少个学位？", standalone_question="2024年郑州市区新增多少个学位？",
                        answer="2.7万个 [1]", found=True, verified=True, citations=[citation], backend="extractive",
                        timings_ms={"total": 12.0})


def test_record_has_the_answer_rating_and_comment(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "dir" / "feedback.jsonl"  # the folder is created
    record_feedback(path, _result(), "down", "  wrong unit  ")
    record_feedback(path, _result(), "up")
    first, second = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    assert first["rating"] == "down" and first["comment"] == "wrong unit"
    assert second["rating"] == "up" and second["comment"] is None
    assert first["question"] == "2024年郑州市区新增多少个学位？" and first["answer"] == "2.7万个 [1]"
    assert first["citations"][0]["highlights"] == [[10, 19], [14, 18]]
    assert first["timestamp"].endswith("+00:00")


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    threads, per_thread = 20, 50
    padding = "反馈" * 2000  # long lines make torn writes likely if writes were not atomic
    start = threading.Barrier(threads)

    def writer(t: int) -> None:
        start.wait()
        for i in range(per_thread):
            append_record(path, {"thread": t, "i": i, "padding": padding})

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""  # every record ends its line
    records = [json.loads(line) for line in lines[:-1]]
    assert len(records) == threads * per_thread
    assert {(r["thread"], r["i"]) for r in records} == {(t, i) for t in range(threads) for i in range(per_thread)}


def test_a_path_that_is_not_a_folder_raises(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        record_feedback(tmp_path / "file" / "feedback.jsonl", _result(), "up")
