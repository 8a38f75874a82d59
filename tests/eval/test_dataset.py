import json
import re
from collections import Counter
from pathlib import Path
from typing import get_args

import pytest

from eval.dataset import (
    AnswerCase,
    AnswerCategory,
    ClaimCase,
    DatasetError,
    QuestionOnly,
    load_dataset,
    validate_evidence,
)
from eval.metrics import mentions

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "eval" / "dataset.jsonl"
REPORT = ROOT / "data" / "zhengzhou-2024-government-work-report.md"


@pytest.fixture(scope="module")
def cases():
    return load_dataset(DATASET)


@pytest.fixture(scope="module")
def answers(cases):
    return [c for c in cases if isinstance(c, AnswerCase)]


@pytest.fixture(scope="module")
def claims(cases):
    return [c for c in cases if isinstance(c, ClaimCase)]


def _norm(text: str) -> str:
    """Lower-case and drop thousands separators, enough to compare reference answers with their own groups."""
    return re.sub(r"(?<=\d),(?=\d{3})", "", text).lower()


def test_real_dataset_is_well_formed_utf8_json_lines():
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "no blank lines in the real dataset"
    for line in lines:
        assert "\\u" not in line, "written with ensure_ascii=False"
        json.loads(line)


def test_every_evidence_string_is_verbatim_in_the_report(cases):
    assert validate_evidence(cases, [REPORT.read_text(encoding="utf-8")]) == []


def test_counts(cases, answers, claims):
    assert not [c for c in cases if isinstance(c, QuestionOnly)]
    assert len(answers) >= 100
    assert len(claims) >= 40
    by_category = Counter(c.category for c in answers)
    assert set(by_category) == set(get_args(AnswerCategory))
    assert by_category["unanswerable"] >= 15
    assert by_category["follow_up"] >= 10
    assert {c.lang for c in answers if c.category == "unanswerable"} == {"zh", "en"}
    assert {c.lang for c in answers if c.category == "follow_up"} == {"zh", "en"}
    assert all(c.lang == "en" for c in answers if c.category == "cross_lingual")
    langs = Counter(c.lang for c in answers)
    assert min(langs["zh"], langs["en"]) >= 0.4 * len(answers)
    verdicts = Counter(c.verdict for c in claims)
    assert verdicts["supported"] >= 12 and verdicts["contradicted"] >= 20 and verdicts["not_in_report"] >= 6
    assert {c.lang for c in claims} == {"zh", "en"}


def test_ids_follow_the_naming_scheme(answers, claims):
    # Sealed cases (eval/split.py) carry a "sealed-" prefix before the usual id.
    for c in answers:
        assert re.fullmatch(r"(sealed-)?[a-z]+-(zh|en)-\d{3}", c.id), c.id
        assert c.id.split("-")[-2] == c.lang, c.id
    for c in claims:
        assert re.fullmatch(r"(sealed-)?claim-(zh|en)-\d{3}", c.id), c.id
        assert c.id.split("-")[-2] == c.lang, c.id


def test_answer_cases_are_self_consistent(answers):
    for c in answers:
        ref = _norm(c.reference_answer)
        for group in c.must_include:
            assert any(_norm(alt) in ref for alt in group), f"{c.id}: reference misses group {group}"
        for bad in c.must_not_include:
            assert _norm(bad) not in ref, f"{c.id}: reference contains forbidden {bad!r}"
            assert not any(_norm(bad) in _norm(e) for e in c.evidence), f"{c.id}: evidence contains {bad!r}"
        if c.category == "follow_up":
            assert c.history and c.history[-1].role == "assistant", c.id
        if c.category in {"false_premise", "injection"} and c.answerable:
            assert c.must_include, c.id
        if c.category == "injection" and c.answerable:
            assert c.must_not_include, c.id
        if not c.answerable:
            assert any(s in c.reference_answer for s in ("报告未提及", "The report does not say")), c.id


def test_no_forbidden_string_is_stated_by_the_evidence(answers):
    # Figures compare by value: a forbidden wrong result must not equal an operand a right answer restates.
    for c in answers:
        assert not [bad for bad in c.must_not_include for e in c.evidence if mentions(e, bad)], c.id


def test_everyday_and_computed_categories_are_covered(answers):
    by_category = Counter((c.category, c.lang) for c in answers)
    for category in ("paraphrase", "computed"):
        assert by_category[(category, "zh")] >= 6 and by_category[(category, "en")] >= 6, category


def test_claim_figures_are_quoted_in_their_evidence(claims):
    for c in claims:
        for figure in c.report_figures:
            assert any(figure in e for e in c.evidence), f"{c.id}: {figure!r} not inside its evidence"


# ------------------------------------------------------------------ loader unit tests


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ANSWER = {
    "id": "fig-zh-001", "category": "figure", "lang": "zh", "question": "新增多少学位？", "answerable": True,
    "reference_answer": "2.7万个", "must_include": [["2.7万"]], "must_not_include": [], "evidence": ["新增学位2.7万个"],
}
CLAIM = {
    "id": "claim-zh-001", "category": "claim", "lang": "zh", "question": "新增学位3万个", "verdict": "contradicted",
    "report_figures": ["2.7万个"], "evidence": ["新增学位2.7万个"], "answerable": True,
    "must_include": [], "must_not_include": [], "reference_answer": "报告是2.7万个。",
}


def test_load_dataset_dispatches_the_three_kinds(tmp_path):
    question = {"id": "q-1", "question": "那全部汽车的产量呢？", "history": [{"role": "user", "content": "新能源汽车？"}]}
    path = _write(tmp_path, json.dumps(ANSWER, ensure_ascii=False), "",
                  json.dumps(CLAIM, ensure_ascii=False), json.dumps(question, ensure_ascii=False))
    loaded = load_dataset(path)
    assert [type(c) for c in loaded] == [AnswerCase, ClaimCase, QuestionOnly]
    assert loaded[2].history[0].content == "新能源汽车？"
    assert load_dataset(_write(tmp_path, '{"id": "q-2", "question": "hi"}'))[0].history == []


def test_bad_json_line_names_file_and_line(tmp_path):
    path = _write(tmp_path, json.dumps(ANSWER), '{"id": "x", "question": ')
    with pytest.raises(DatasetError, match=r"cases\.jsonl:2: invalid JSON") as info:
        load_dataset(path)
    assert info.value.line == 2 and info.value.path == path


def test_missing_field_names_line_and_field(tmp_path):
    broken = {k: v for k, v in CLAIM.items() if k != "verdict"}
    path = _write(tmp_path, json.dumps(ANSWER), json.dumps(broken))
    with pytest.raises(DatasetError, match=r"cases\.jsonl:2: case 'claim-zh-001'.*verdict"):
        load_dataset(path)


@pytest.mark.parametrize(
    "change",
    [
        {"category": "trivia"},
        {"lang": "fr"},
        {"unexpected": 1},
        {"must_include": [[]]},
        {"category": "unanswerable"},  # still answerable=true
        {"answerable": False},  # but has evidence and must_include
        {"evidence": []},
    ],
)
def test_schema_errors_raise_dataset_error(tmp_path, change):
    with pytest.raises(DatasetError, match=r"cases\.jsonl:1: "):
        load_dataset(_write(tmp_path, json.dumps({**ANSWER, **change})))


@pytest.mark.parametrize("line", ['["a list"]', '{"question": "no id"}', '{"id": "q", "question": "x", "extra": 1}'])
def test_other_malformed_lines(tmp_path, line):
    with pytest.raises(DatasetError, match=r"cases\.jsonl:1: "):
        load_dataset(_write(tmp_path, line))


def test_claim_verdict_and_answerable_must_agree(tmp_path):
    with pytest.raises(DatasetError, match="not_in_report"):
        load_dataset(_write(tmp_path, json.dumps({**CLAIM, "verdict": "not_in_report"})))


def test_missing_file_raises_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="nope.jsonl"):
        load_dataset(tmp_path / "nope.jsonl")


def test_validate_evidence_reports_missing_snippets_and_duplicates():
    cases = [
        AnswerCase.model_validate(ANSWER),
        AnswerCase.model_validate({**ANSWER, "evidence": ["新增学位3万个"]}),
        ClaimCase.model_validate({**CLAIM, "report_figures": ["3万个"]}),
        QuestionOnly(id="q-1", question="?"),
    ]
    problems = validate_evidence(cases, ["新增学位2.7万个。"])
    assert any("duplicate id 'fig-zh-001'" in p for p in problems)
    assert any("fig-zh-001: evidence" in p and "新增学位3万个" in p for p in problems)
    assert any("claim-zh-001: report_figures" in p and "3万个" in p for p in problems)
    assert len(problems) == 3
