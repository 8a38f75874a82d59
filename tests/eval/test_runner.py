"""The evaluation runner end to end on a fast subset of the real dataset, with the real models.

The whole set is one command: ``python -m eval run`` (see ``python -m eval run --help``).
"""

import json
from pathlib import Path

import pytest

from bot.engine import Engine
from eval.dataset import load_dataset
from eval.runner import Case, run, select_cases
from eval.split import load_split

pytestmark = pytest.mark.models

ROOT = Path(__file__).resolve().parents[2]
SUBSET_SIZE = 16
# Measured on this subset with the local model (2026-11-27): accuracy 0.67 (10/15), citation hit 0.75 (9/12),
# refusal on unanswerable 0.67 (2/3).
# A clean-clone CI run measured accuracy 0.53 on an earlier subset: the bars guard against regressions and
# stay below what is measured; the product's target (0.9) is not met yet.
THRESHOLDS = {"accuracy": 0.5, "citation_hit": 0.6, "refusal_rate": 0.3}
# The categories the thresholds were measured on: the subset stays the same 16 cases. The paraphrase and computed
# categories (added later) are measured by the full evaluation.
MEASURED_CATEGORIES = ["figure", "entity", "list", "comparison", "multi_part", "follow_up", "cross_lingual",
                       "unanswerable", "false_premise", "injection", "claim"]


def fast_subset() -> list[Case]:
    """Every measured category (taken in turn), plus three unanswerable questions so that the refusal rate means
    something."""
    cases = load_dataset(ROOT / "eval" / "dataset.jsonl")
    chosen = {c.id for c in select_cases(cases, MEASURED_CATEGORIES, 14) + select_cases(cases, ["unanswerable"], 3)}
    return [c for c in cases if c.id in chosen]


@pytest.fixture(scope="module")
def subset():
    cases = fast_subset()
    categories = {c.category for c in cases}
    assert len(cases) == SUBSET_SIZE and len(categories) == 11
    assert sum(c.category == "unanswerable" for c in cases) == 3
    return cases


def _with_llm(engine: Engine, **llm) -> Engine:
    settings = engine.settings.model_copy(update={"llm": engine.settings.llm.model_copy(update=llm)})
    return Engine(settings, embedder=engine.embedder)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_extractive_run_writes_results_summary_and_report_with_naive_baseline(engine, subset, tmp_path):
    split = load_split(ROOT / "eval" / "split.json")
    summary, report = run(subset, _with_llm(engine, backend="extractive"), tmp_path, compare_naive=True, split=split)

    rows = _lines(tmp_path / "results.jsonl")
    assert [r["id"] for r in rows] == [c.id for c in subset]
    assert all("scores" in r and "error" not in r for r in rows)
    assert len(_lines(tmp_path / "naive_results.jsonl")) == sum(c.category != "claim" for c in subset)
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8")) == summary
    assert summary["run"]["backend"] == "extractive" and summary["settings"]["llm"]["backend"] == "extractive"
    assert "openai_api_key" not in summary["settings"]["llm"]
    assert {"overall", "by_category", "by_lang", "latency"} <= set(summary["naive"])
    assert "accuracy" in summary["delta"] and summary["overall"]["claims"]["cases"] > 0
    parts = summary["parts"]
    assert parts["dev"]["overall"]["cases"] + parts["test"]["overall"]["cases"] == len(subset)
    assert set(summary["naive"]["parts"]) <= {"dev", "test", "fresh_test"}

    page = report.read_text(encoding="utf-8")
    for plot in ("metrics.png", "accuracy.png", "latency.png"):
        assert (tmp_path / plot).stat().st_size > 1000
        assert f'data-file="{plot}"' in page and f"]({plot})" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 3 and "Naive" in page and "Parts of the split" in page


def test_local_backend_meets_thresholds(engine, subset, tmp_path):
    # A generous timeout: the thresholds measure answers, not how busy the machine is.
    summary, _ = run(subset, _with_llm(engine, backend="local", timeout_s=600), tmp_path)

    assert summary["run"]["backend"] == "local"
    assert len(_lines(tmp_path / "results.jsonl")) == SUBSET_SIZE
    overall = summary["overall"]
    assert overall["errors"] == 0
    for metric, floor in THRESHOLDS.items():
        assert overall[metric] >= floor, f"{metric} {overall[metric]} < {floor}: {json.dumps(overall, indent=1)}"


def test_question_only_lines_are_answered_but_not_scored(engine, tmp_path):
    questions = tmp_path / "questions.jsonl"
    lines = [
        {"id": "q1", "question": "今年郑州地区生产总值的预期增长目标是多少？"},
        {"id": "q2", "question": "and the unemployment rate?",
         "history": [{"role": "user", "content": "What is the GDP growth target?"},
                     {"role": "assistant", "content": "About 7% [1]."}]},
        {"id": "q3", "question": "郑州市常住人口有多少？"},
    ]
    questions.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")

    summary, report = run(load_dataset(questions), _with_llm(engine, backend="extractive"), tmp_path / "out")

    rows = _lines(tmp_path / "out" / "results.jsonl")
    assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
    assert all("answer" in r and "scores" not in r for r in rows)
    assert summary["run"]["unscored"] == 3 and summary["overall"]["accuracy"] is None
    assert "latency.png" in report.read_text(encoding="utf-8")
