"""The feedback log: one valid JSON line per record, even with many writers at once or after a crash."""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

import pytest

from bot.serving.feedback import append_record, record_feedback
from bot.schema import AnswerResult, Citation


def _result() -> AnswerResult:
    citation = Citation(n=1, chunk_id="c1", source="report.md", section="A > B", text="新增学位2.7万个。",
                        start=10, end=19, score=0.5, highlights=[(10, 19), (14, 18)])
    return AnswerResult(question="今年新增学位多少个？", standalone_question="今年新增学位多少个？",
                        answer="2.7万个 [1]", found=True, verified=True, citations=[citation], backend="extractive",
                        timings_ms={"total": 12.0})


def test_record_has_the_answer_rating_and_comment(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "dir" / "feedback.jsonl"  # the folder is created
    record_feedback(path, _result(), "down", "  wrong unit  ")
    record_feedback(path, _result(), "up")
    first, second = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    assert first["rating"] == "down" and first["comment"] == "wrong unit"
    assert second["rating"] == "up" and second["comment"] is None
    assert first["question"] == "今年新增学位多少个？" and first["answer"] == "2.7万个 [1]"
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


CUT_SHORT = '{"rating": "up", "question": "新增多少'  # a record whose write a crash cut off: no newline


def _records_after_the_cut(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == CUT_SHORT and lines[-1] == "", "the cut line stays alone and every record ends its line"
    return [json.loads(line) for line in lines[1:-1]]


def test_a_line_cut_short_by_a_crash_does_not_swallow_the_next_record(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text(CUT_SHORT, encoding="utf-8")
    record_feedback(path, _result(), "down", "wrong")
    record_feedback(path, _result(), "up")
    assert [r["rating"] for r in _records_after_the_cut(path)] == ["down", "up"]


def _append_many(path: Path, writer: int, count: int) -> None:
    for i in range(count):
        append_record(path, {"writer": writer, "i": i, "padding": "反馈" * 500})


def test_concurrent_threads_after_a_crash_close_the_cut_line_once(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text(CUT_SHORT, encoding="utf-8")
    workers = [threading.Thread(target=_append_many, args=(path, t, 20)) for t in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(_records_after_the_cut(path)) == 8 * 20


def test_concurrent_processes_append_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text(CUT_SHORT, encoding="utf-8")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(path, p, 40)) for p in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert all(w.exitcode == 0 for w in workers)
    records = _records_after_the_cut(path)
    assert {(r["writer"], r["i"]) for r in records} == {(p, i) for p in range(4) for i in range(40)}
