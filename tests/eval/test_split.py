"""The dev/test split: stratified, seeded, stable for existing ids; its CLI; the real split file."""

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.__main__ import main
from eval.dataset import AnswerCase, ClaimCase, QuestionOnly, load_dataset
from eval.split import Split, SplitError, extend_split, load_split, save_split, select_part, split_problems

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "eval" / "dataset.jsonl"
SPLIT = ROOT / "eval" / "split.json"
PREFIX = {"figure": "fig", "unanswerable": "un", "computed": "calc"}


def _answer(category: str, lang: str, n: int) -> AnswerCase:
    answerable = category != "unanswerable"
    return AnswerCase(
        id=f"{PREFIX[category]}-{lang}-{n:03d}", category=category, lang=lang, question=f"q{n}?", answerable=answerable,
        reference_answer="新增学位2.7万个。" if answerable else "报告未提及。",
        must_include=[["2.7万"]] if answerable else [], evidence=["新增学位2.7万个"] if answerable else [],
    )


def _claim(lang: str, n: int) -> ClaimCase:
    return ClaimCase(id=f"claim-{lang}-{n:03d}", category="claim", lang=lang, question="新增学位3万个",
                     verdict="contradicted", report_figures=["2.7万个"], evidence=["新增学位2.7万个"], answerable=True,
                     reference_answer="报告是2.7万个。")


def _cases(sizes: dict[tuple[str, str], int]) -> list:
    cases = []
    for (category, lang), size in sizes.items():
        cases += [_claim(lang, n) if category == "claim" else _answer(category, lang, n) for n in range(1, size + 1)]
    return cases


SIZES = {("figure", "zh"): 9, ("figure", "en"): 6, ("unanswerable", "zh"): 5, ("unanswerable", "en"): 4,
         ("computed", "zh"): 3, ("claim", "zh"): 7, ("claim", "en"): 1}


def _strata(cases, split: Split) -> dict[tuple[str, str], Counter]:
    part = split.part_of()
    out: dict[tuple[str, str], Counter] = {}
    for case in cases:
        out.setdefault((case.category, case.lang), Counter())[part[case.id]] += 1
    return out


def test_a_new_split_is_stratified_and_about_half_half():
    cases = _cases(SIZES)
    split, added, dropped = extend_split(Split(seed=3), cases)
    assert sorted(added) == sorted(c.id for c in cases) and dropped == []
    assert sorted(split.dev + split.test) == sorted(c.id for c in cases)
    for key, count in _strata(cases, split).items():
        assert abs(count["dev"] - count["test"]) <= 1, key
        assert count["dev"] + count["test"] == SIZES[key]
    assert abs(len(split.dev) - len(split.test)) <= 1
    assert split.fresh == [] and split.seed == 3


def test_the_split_depends_on_the_seed_not_on_the_dataset_order():
    cases = _cases(SIZES)
    first, _, _ = extend_split(Split(seed=3), cases)
    again, _, _ = extend_split(Split(seed=3), list(reversed(cases)))
    other, _, _ = extend_split(Split(seed=4), cases)
    assert first.part_of() == again.part_of()
    assert other.part_of() != first.part_of()


def test_new_ids_are_appended_and_existing_ones_never_move():
    old_cases = _cases(SIZES)
    old, _, _ = extend_split(Split(seed=3), old_cases)
    new_cases = [_answer("figure", "zh", n) for n in range(10, 15)] + [_claim("en", 2), _answer("computed", "en", 1)]
    new, added, _ = extend_split(old, old_cases + new_cases, fresh=True)
    assert new.dev[: len(old.dev)] == old.dev and new.test[: len(old.test)] == old.test
    assert sorted(added) == sorted(c.id for c in new_cases) == sorted(new.fresh)
    assert all(new.part_of()[i] == p for i, p in old.part_of().items())
    for key, count in _strata(old_cases + new_cases, new).items():
        assert abs(count["dev"] - count["test"]) <= 1, key


def test_new_ids_fill_the_smaller_part_of_their_stratum():
    cases = [_answer("figure", "zh", n) for n in range(1, 7)]
    lopsided = Split(dev=[c.id for c in cases[:4]], test=[cases[4].id])
    split, added, _ = extend_split(lopsided, cases)
    assert added == [cases[5].id] and split.test == [cases[4].id, cases[5].id]


def test_fresh_ids_accumulate_and_vanished_ids_are_dropped():
    cases = _cases({("figure", "zh"): 4})
    split, _, _ = extend_split(Split(), cases[:2], fresh=True)
    split, added, dropped = extend_split(split, cases[1:], fresh=True)
    assert dropped == [cases[0].id] and cases[0].id not in split.dev + split.test + split.fresh
    assert split.fresh == [c.id for c in cases[1:]] and sorted(added) == [c.id for c in cases[2:]]


def test_bare_questions_are_never_split():
    split, added, _ = extend_split(Split(), [QuestionOnly(id="q-1", question="?"), _answer("figure", "en", 1)])
    assert added == ["fig-en-001"]
    assert split_problems(split, [QuestionOnly(id="q-2", question="?"), _answer("figure", "en", 1)]) == []


def test_split_problems_name_missing_duplicate_and_stale_ids():
    cases = _cases({("figure", "zh"): 3})
    split = Split(dev=["fig-zh-001", "fig-zh-002"], test=["fig-zh-002", "fig-zh-099"], fresh=["fig-zh-777"],
                  withdrawn=["fig-zh-003"])
    problems = split_problems(split, cases)
    assert problems[0].startswith("1 case(s) not in the split file") and problems[0].endswith("fig-zh-003")
    assert "fig-zh-002: listed 2 times in the split file" in problems
    assert "fig-zh-099: in the split file but not in the dataset" in problems
    assert "fig-zh-777: fresh but in no part" in problems
    assert "fig-zh-003: withdrawn but not in dev" in problems
    assert len(problems) == 5


def test_select_part(tmp_path):
    cases = _cases({("figure", "zh"): 4, ("claim", "en"): 2}) + [QuestionOnly(id="q-1", question="?")]
    split, _, _ = extend_split(Split(), cases)
    dev, test = select_part(cases, split, "dev"), select_part(cases, split, "test")
    assert {c.id for c in dev} == set(split.dev) and {c.id for c in test} == set(split.test)
    assert select_part(cases, split, "all") == cases
    with pytest.raises(SplitError, match=r"1 case\(s\) not in the split file, e.g. fig-zh-099"):
        select_part([*cases, _answer("figure", "zh", 99)], split, "test")


def test_split_file_round_trip_and_errors(tmp_path):
    split, _, _ = extend_split(Split(seed=5), _cases({("figure", "en"): 3}), fresh=True)
    path = tmp_path / "split.json"
    save_split(split, path)
    assert load_split(path) == split and not list(tmp_path.glob("*.tmp"))
    with pytest.raises(SplitError, match="no split file .*--split-new"):
        load_split(tmp_path / "none.json")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SplitError, match="is malformed"):
        load_split(path)
    path.write_text(json.dumps({"seed": 1, "dev": [], "test": [], "extra": 1}), encoding="utf-8")
    with pytest.raises(SplitError, match="extra"):
        load_split(path)


# ------------------------------------------------------------------ command line


def _write_dataset(path: Path, cases) -> Path:
    path.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    return path


def test_validate_reports_a_missing_split_and_split_new_creates_then_extends_it(tmp_path, capsys):
    dataset = _write_dataset(tmp_path / "cases.jsonl", _cases({("figure", "zh"): 4}))
    assert main(["validate", "--dataset", str(dataset)]) == 1
    assert "no split file" in capsys.readouterr().out

    assert main(["validate", "--dataset", str(dataset), "--split-new"]) == 0
    first = load_split(tmp_path / "split.json")
    assert "4 new id(s) assigned (dev 2, test 2)" in capsys.readouterr().out and first.fresh == []

    _write_dataset(dataset, _cases({("figure", "zh"): 6}))
    assert main(["validate", "--dataset", str(dataset)]) == 1
    assert "2 case(s) not in the split file" in capsys.readouterr().out
    assert main(["validate", "--dataset", str(dataset), "--split-new", "--fresh"]) == 0
    second = load_split(tmp_path / "split.json")
    assert sorted(second.fresh) == ["fig-zh-005", "fig-zh-006"]
    assert second.dev[:2] == first.dev and second.test[:2] == first.test


def test_validate_fresh_needs_split_new(tmp_path, capsys):
    dataset = _write_dataset(tmp_path / "cases.jsonl", _cases({("figure", "zh"): 2}))
    assert main(["validate", "--dataset", str(dataset), "--fresh"]) == 2
    assert "--fresh" in capsys.readouterr().err


def test_run_part_needs_a_split_that_covers_the_cases(tmp_path, capsys):
    dataset = _write_dataset(tmp_path / "cases.jsonl", _cases({("figure", "zh"): 2}))
    assert main(["run", "--dataset", str(dataset), "--part", "test"]) == 2
    assert "no split file" in capsys.readouterr().err
    save_split(Split(dev=["fig-zh-001"]), tmp_path / "split.json")
    assert main(["run", "--dataset", str(dataset), "--part", "dev"]) == 2
    assert "not in the split file, e.g. fig-zh-002" in capsys.readouterr().err
    save_split(Split(dev=["fig-zh-001", "fig-zh-002"]), tmp_path / "split.json")
    assert main(["run", "--dataset", str(dataset), "--part", "test"]) == 2
    assert "in the test part" in capsys.readouterr().err


# ------------------------------------------------------------------ the real split


def test_the_real_split_covers_the_dataset_stratified():
    cases = load_dataset(DATASET)
    split = load_split(SPLIT)
    assert split_problems(split, cases) == []
    tuned, withdrawn = set(split.tuned), set(split.withdrawn)
    assert tuned <= set(split.dev)  # written and tuned on after the split: dev only
    assert withdrawn <= set(split.dev) and not withdrawn & set(split.test)
    # The draw's balance: a withdrawn id counts where it was drawn (test).
    as_drawn = split.model_copy(update={"dev": [i for i in split.dev if i not in withdrawn],
                                        "test": split.test + split.withdrawn})
    drawn = [c for c in cases if not isinstance(c, QuestionOnly) and c.id not in tuned]
    for key, count in _strata(drawn, as_drawn).items():
        assert abs(count["dev"] - count["test"]) <= 1, key
    fresh = set(split.fresh)
    new = [c for c in cases if c.id in fresh]
    assert len(new) >= 130 and all(isinstance(c, AnswerCase) for c in new)
    assert abs(sum(c.id in set(split.test) for c in new) - len(new) / 2) <= len(new) * 0.1


def test_run_part_passes_only_that_part_and_ends_with_the_test_numbers(tmp_path, capsys, monkeypatch):
    import eval.runner

    cases = _cases({("figure", "zh"): 4, ("claim", "en"): 2})
    dataset = _write_dataset(tmp_path / "cases.jsonl", cases)
    split, _, _ = extend_split(Split(), cases)
    save_split(split, tmp_path / "split.json")
    seen = {}

    def fake_run(chosen, engine, out, **kwargs):
        seen.update(ids=[c.id for c in chosen], **kwargs)
        rows = [{"id": c.id, "scores": {"kind": "answer", "category": c.category, "lang": c.lang, "answerable": True,
                                        "correct": True, "refused": False, "citation_hit": True, "unverified": False,
                                        "fallback": False, "cited_chars": 10, "retrieval_rank": 1}}
                for c in chosen if isinstance(c, AnswerCase)]
        summary = {"run": {"scored": len(rows)}, **eval.runner.summarize_rows(rows, kwargs["split"])}
        return summary, out / "report.html"

    monkeypatch.setattr(eval.runner, "run", fake_run)
    monkeypatch.setattr(eval.runner, "ensure_index", lambda engine: None)
    assert main(["run", "--dataset", str(dataset), "--part", "test", "--out", str(tmp_path / "out")]) == 0
    assert sorted(seen["ids"]) == sorted(split.test) and seen["part"] == "test"
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last.startswith("test: accuracy 100.0% of 2 answer cases") and "dev:" not in last

    assert main(["run", "--dataset", str(dataset), "--out", str(tmp_path / "out")]) == 0
    assert sorted(seen["ids"]) == sorted(c.id for c in cases) and seen["part"] == "all"
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("test: ")
