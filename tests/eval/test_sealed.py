"""The sealed part of the split: listed on purpose, never drawn into dev or test, reported beside them."""

from pathlib import Path

import pytest

from eval.__main__ import main
from eval.dataset import AnswerCase
from eval.metrics import score_answer
from eval.report import parts_by_category, parts_line, parts_table
from eval.runner import part_sections, summarize_rows
from eval.split import Split, extend_split, load_split, select_part, split_problems

EVIDENCE = "新增学位2.7万个"


def _case(case_id: str, category: str = "figure") -> AnswerCase:
    return AnswerCase(id=case_id, category=category, lang="zh", question="新增多少学位？", answerable=True,
                      reference_answer="新增学位2.7万个。", must_include=[["2.7万"]], evidence=[EVIDENCE])


def _row(case: AnswerCase, answer: str) -> dict:
    result = {"answer": answer, "found": True, "verified": True, "figures": [], "fallback_reason": None,
              "citations": [{"text": EVIDENCE}], "timings_ms": {"total": 10.0}}
    return {"id": case.id, **result, "scores": score_answer(result, case, rank=1)}


CASES = [_case("fig-zh-001"), _case("fig-zh-002"), _case("sealed-zh-001"), _case("sealed-zh-002", "paraphrase")]
SPLIT = Split(dev=["fig-zh-001"], test=["fig-zh-002"], sealed=["sealed-zh-001", "sealed-zh-002"])


def test_sealed_ids_have_their_own_part():
    assert SPLIT.part_of()["sealed-zh-001"] == "sealed"
    assert [c.id for c in select_part(CASES, SPLIT, "sealed")] == ["sealed-zh-001", "sealed-zh-002"]
    assert [c.id for c in select_part(CASES, SPLIT, "test")] == ["fig-zh-002"]
    assert split_problems(SPLIT, CASES) == []


def test_an_id_both_sealed_and_in_test_is_a_problem():
    problems = split_problems(SPLIT.model_copy(update={"test": ["fig-zh-002", "sealed-zh-001"]}), CASES)
    assert problems == ["sealed-zh-001: listed 2 times in the split file"]


def test_new_ids_are_never_drawn_into_sealed_and_sealed_ones_never_move():
    more = CASES + [_case(f"fig-zh-{n:03d}") for n in range(3, 9)]
    extended, added, dropped = extend_split(SPLIT, more)
    assert extended.sealed == SPLIT.sealed and dropped == []
    assert sorted(added) == [f"fig-zh-{n:03d}" for n in range(3, 9)]
    assert not set(added) & set(extended.sealed)


def test_seal_puts_every_new_id_in_sealed_and_keeps_the_tuned_list():
    split = SPLIT.model_copy(update={"tuned": ["fig-zh-001"]})
    extended, added, _ = extend_split(split, CASES + [_case("sealed-zh-003"), _case("sealed-zh-004")], seal=True)
    assert added == ["sealed-zh-003", "sealed-zh-004"]
    assert extended.sealed == [*SPLIT.sealed, *added] and extended.dev == SPLIT.dev and extended.test == SPLIT.test
    assert extended.tuned == ["fig-zh-001"]


def test_a_dropped_sealed_id_is_reported_as_dropped():
    _, _, dropped = extend_split(SPLIT, CASES[:3])
    assert dropped == ["sealed-zh-002"]


def _summary(rows: list[dict]) -> dict:
    run = {"started": "2026-01-01T00:00:00+00:00", "duration_s": 1.0, "dataset": "d.jsonl", "backend": "extractive",
           "overrides": {}, "compare": None, "cases": len(rows), "scored": len(rows), "unscored": 0,
           "skipped_claims": 0, "part": "all"}
    return {"run": run, "settings": {}, **summarize_rows(rows, SPLIT)}


def test_sealed_is_reported_beside_dev_and_test_overall_and_by_category():
    rows = [_row(CASES[0], "2.7万个"), _row(CASES[1], "3万个"), _row(CASES[2], "2.7万个"), _row(CASES[3], "不知道")]
    parts = part_sections(rows, SPLIT)
    assert list(parts) == ["dev", "test", "sealed"]
    assert parts["sealed"]["overall"]["cases"] == 2 and parts["sealed"]["overall"]["accuracy"] == 0.5
    summary = _summary(rows)
    header, table = parts_table(summary)
    assert header == ["Metric", "Dev", "Test", "Sealed"]
    assert {r[0]: r[1:] for r in table}["Answer accuracy"] == ["100.0%", "0.0%", "50.0%"]
    header, table = parts_by_category(summary)
    by_name = {r[0]: r[1:] for r in table}
    assert by_name["figure"][:2] == ["1 · 1 · 1", "100.0% · 0.0% · 100.0%"]
    assert by_name["paraphrase"][:2] == ["0 · 0 · 1", "– · – · 0.0%"]
    assert "sealed: accuracy 50.0% of 2 answer cases" in parts_line(summary)


def test_seal_needs_split_new_and_excludes_fresh(tmp_path: Path, capsys):
    dataset = tmp_path / "cases.jsonl"
    dataset.write_text("\n".join(c.model_dump_json() for c in CASES) + "\n", encoding="utf-8")
    assert main(["validate", "--dataset", str(dataset), "--seal"]) == 2
    assert "--seal" in capsys.readouterr().err
    assert main(["validate", "--dataset", str(dataset), "--split-new", "--seal", "--fresh"]) == 2
    assert "--fresh" in capsys.readouterr().err


def test_validate_split_new_seal_assigns_only_to_sealed(tmp_path: Path, capsys):
    dataset = tmp_path / "cases.jsonl"
    dataset.write_text("\n".join(c.model_dump_json() for c in CASES) + "\n", encoding="utf-8")
    (tmp_path / "split.json").write_text(Split(dev=["fig-zh-001"], test=["fig-zh-002"]).model_dump_json())
    main(["validate", "--dataset", str(dataset), "--split-new", "--seal"])
    assert "2 new id(s) assigned (dev 0, test 0, sealed 2)" in capsys.readouterr().out
    assert load_split(tmp_path / "split.json").sealed == ["sealed-zh-001", "sealed-zh-002"]


@pytest.mark.parametrize("part", ["sealed"])
def test_run_accepts_the_sealed_part(tmp_path: Path, capsys, part):
    dataset = tmp_path / "cases.jsonl"
    dataset.write_text("\n".join(c.model_dump_json() for c in CASES[:2]) + "\n", encoding="utf-8")
    (tmp_path / "split.json").write_text(Split(dev=["fig-zh-001"], test=["fig-zh-002"]).model_dump_json())
    assert main(["run", "--dataset", str(dataset), "--part", part]) == 2
    assert "in the sealed part" in capsys.readouterr().err


def test_the_real_sealed_part_holds_exactly_the_sealed_cases():
    root = Path(__file__).resolve().parents[2]
    from eval.dataset import load_dataset

    split = load_split(root / "eval" / "split.json")
    ids = {c.id for c in load_dataset(root / "eval" / "dataset.jsonl")}
    assert set(split.sealed) == {i for i in ids if i.startswith("sealed-")} and len(split.sealed) >= 100
    assert not set(split.sealed) & (set(split.tuned) | set(split.fresh))
