"""The summary's dev / test / fresh-test blocks and how the report and the closing line show them (no models)."""

from pathlib import Path

import pytest

from eval.dataset import AnswerCase, ClaimCase, QuestionOnly
from eval.metrics import score_answer, score_claim
from eval.report import parts_line, parts_table, write_report
from eval.runner import part_sections, summarize_rows
from eval.split import Split

EVIDENCE = "新增学位2.7万个"


def _answer(case_id: str, lang: str = "zh", category: str = "figure") -> AnswerCase:
    return AnswerCase(id=case_id, category=category, lang=lang, question="新增多少学位？", answerable=True,
                      reference_answer="新增学位2.7万个。", must_include=[["2.7万", "27,000"]], evidence=[EVIDENCE])


def _row(case: AnswerCase, answer: str) -> dict:
    result = {"answer": answer, "found": True, "verified": True, "figures": [], "fallback_reason": None,
              "citations": [{"text": EVIDENCE}], "timings_ms": {"total": 100.0}}
    return {"id": case.id, **result, "scores": score_answer(result, case, rank=1)}


def _claim_row(case: ClaimCase, verdict: str) -> dict:
    result = {"verdict": verdict, "report_figures": ["2.7万个"], "citations": [], "timings_ms": {"total": 50.0}}
    return {"id": case.id, **result, "scores": score_claim(result, case, rank=None)}


@pytest.fixture()
def scenario():
    """dev: 2 right; test: 1 right (old), 1 wrong and 1 right (fresh, en); a claim on test; a bare question."""
    dev = [_answer("fig-zh-001"), _answer("fig-en-001", "en")]
    test = [_answer("fig-zh-002"), _answer("para-en-001", "en", "paraphrase"), _answer("para-zh-001", "zh", "paraphrase")]
    claim = ClaimCase(id="claim-zh-001", category="claim", lang="zh", question="新增学位3万个", verdict="contradicted",
                      report_figures=["2.7万个"], evidence=[EVIDENCE], answerable=True, reference_answer="2.7万个。")
    rows = [_row(dev[0], "2.7万个[1]"), _row(dev[1], "27,000 places [1]"), _row(test[0], "2.7万个"),
            _row(test[1], "3 million places"), _row(test[2], "新增学位2.7万个"), _claim_row(claim, "contradicted"),
            {"id": "q-1", "answer": "…", "timings_ms": {"total": 1.0}}]
    split = Split(dev=["fig-zh-001", "fig-en-001"], test=["fig-zh-002", "para-en-001", "para-zh-001", "claim-zh-001"],
                  fresh=["para-en-001", "para-zh-001", "fig-en-001"])
    return [*dev, *test, claim, QuestionOnly(id="q-1", question="?")], rows, split


def test_part_sections_score_each_part_on_its_own(scenario):
    _, rows, split = scenario
    parts = part_sections(rows, split)
    assert list(parts) == ["dev", "test", "fresh_test"]
    assert parts["dev"]["overall"]["accuracy"] == 1.0 and parts["dev"]["overall"]["cases"] == 2
    test = parts["test"]["overall"]
    assert test["answer_cases"] == 3 and test["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert test["claims"]["verdict_accuracy"] == 1.0
    assert parts["fresh_test"]["overall"]["cases"] == 2 and parts["fresh_test"]["overall"]["accuracy"] == 0.5
    assert set(parts["test"]["by_category"]) == {"figure", "paraphrase", "claim"}
    assert parts["fresh_test"]["by_lang"]["en"]["accuracy"] == 0.0
    assert "fresh_test" not in part_sections(rows, split.model_copy(update={"fresh": ["fig-en-001"]}))


def test_part_sections_leave_out_parts_without_scored_rows(scenario):
    _, rows, split = scenario
    dev_only = [r for r in rows if r["id"] in split.dev]
    assert list(part_sections(dev_only, split)) == ["dev"]


def _summary(rows, split) -> dict:
    run = {"started": "2026-01-01T00:00:00+00:00", "duration_s": 1.0, "dataset": "d.jsonl", "backend": "extractive",
           "overrides": {}, "compare": None, "cases": len(rows), "scored": 6, "unscored": 1, "skipped_claims": 0,
           "part": "all"}
    summary = {"run": run, "settings": {"llm": {"backend": "extractive"}}, **summarize_rows(rows, split)}
    assert summary["parts"] == part_sections(rows, split)
    return summary


def test_parts_table_and_closing_line_put_the_parts_side_by_side(scenario):
    _, rows, split = scenario
    summary = _summary(rows, split)
    header, table = parts_table(summary)
    assert header == ["Metric", "Dev", "Test", "Fresh test"]
    by_label = {row[0]: row[1:] for row in table}
    assert by_label["Answer accuracy"] == ["100.0%", "66.7%", "50.0%"]
    assert by_label["Cases"] == ["2", "4", "2"] and by_label["Claim verdict accuracy"] == ["–", "100.0%", "–"]
    assert by_label["Claims"] == ["0", "1", "0"] and by_label["Accuracy on contradicted claims"][1] == "100.0%"
    line = parts_line(summary)
    assert line.startswith("test: accuracy 66.7% of 3 answer cases")
    assert "claims 100.0% of 1" in line and "fresh test: accuracy 50.0% of 2" in line and "dev: accuracy 100.0%" in line


def test_report_shows_dev_and_test_by_category_and_language(scenario, tmp_path: Path):
    cases, rows, split = scenario
    write_report(_summary(rows, split), rows, [], cases, tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Parts of the split\n" in md and "## Parts by category" in md and "## Parts by language" in md
    category_table = md.split("## Parts by category")[1].split("##")[0]
    assert "| paraphrase | 0 · 2 · 2 | – · 50.0% · 50.0% |" in category_table
    assert "| claim | 0 · 1 · 0 | – · 100.0% · – |" in category_table
    assert "Parts by language" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_summary_without_parts_keeps_the_old_report(scenario, tmp_path: Path):
    cases, rows, split = scenario
    summary = _summary(rows, split)
    del summary["parts"]
    write_report(summary, rows, [], cases, tmp_path)
    assert "Parts of the split" not in (tmp_path / "report.md").read_text(encoding="utf-8")
