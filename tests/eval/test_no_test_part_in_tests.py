"""The eval's test part stays held out: none of its questions or claims is written into the tests, the library
code or the docs, where tuning would see it.

Texts are compared normalised (NFKC, lower case, letters and digits only), so a copy with other punctuation or
spacing is still found. A short question (a follow-up of a few words) would be found inside longer, unrelated
sentences, so below ``SHORT`` (a Chinese character weighs 3, a letter or digit 1: ten characters or some five
English words) only a quoted string equal to it counts. The questions are read from the dataset at run
time; this file names none of them.
"""

import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHORT = 30
SUFFIXES = {".py", ".md", ".txt", ".tsv", ".json", ".yaml", ".yml", ".toml", ".html", ".css", ".js", ".sh"}
LIBRARY = ["bot", "index", "zzbot", "ui", "prompts", "docs", "scripts"]
LIBRARY_FILES = ["app.py", "cli.py", "README.md"]
_QUOTED = re.compile(r'"([^"\n]+)"|\'([^\'\n]+)\'|“([^”\n]+)”|`([^`\n]+)`|「([^」\n]+)」')


def _weight(question: str) -> int:
    return sum(3 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in question)


def normalised(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def _test_part() -> dict[str, str]:
    """id → normalised question (or claim) of every case in the test part."""
    test_ids = set(json.loads((ROOT / "eval" / "split.json").read_text(encoding="utf-8"))["test"])
    cases = [json.loads(line) for line in (ROOT / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return {c["id"]: normalised(c["question"]) for c in cases if c["id"] in test_ids}


def _files(folders: list[str], files: list[str]) -> list[Path]:
    found = [p for name in folders if (ROOT / name).is_dir() for p in (ROOT / name).rglob("*")
             if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts]
    return sorted(found + [ROOT / f for f in files if (ROOT / f).is_file()])


def leaks(paths: list[Path], questions: dict[str, str], root: Path = ROOT) -> set[tuple[str, str]]:
    """(path relative to ``root``, case id) for every test-part text a file holds."""
    out = set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        whole = normalised(text)
        quoted = {normalised(next(g for g in m.groups() if g)) for m in _QUOTED.finditer(text)}
        for case_id, question in questions.items():
            if not question:
                continue
            if (question in whole) if _weight(question) >= SHORT else (question in quoted):
                out.add((path.relative_to(root).as_posix(), case_id))
    return out


@pytest.fixture(scope="module")
def questions() -> dict[str, str]:
    found = _test_part()
    assert len(found) >= 100  # the test part is there to be guarded
    return found


def test_the_check_finds_a_copy_however_it_is_punctuated(tmp_path, questions):
    case_id, question = next((i, q) for i, q in questions.items() if _weight(q) >= SHORT)
    spaced = tmp_path / "copy.py"
    spaced.write_text(f"# {' '.join(question.upper())} !\n", encoding="utf-8")
    assert leaks([spaced], {case_id: question}, tmp_path) == {("copy.py", case_id)}
    short_id, short = next((i, q) for i, q in questions.items() if 0 < _weight(q) < SHORT)
    inside = tmp_path / "inside.py"
    inside.write_text(f"x = '前面{short}后面'\n", encoding="utf-8")
    assert leaks([inside], {short_id: short}, tmp_path) == set()  # inside a longer string: not a copy
    inside.write_text(f"x = '{short}?'\n", encoding="utf-8")
    assert leaks([inside], {short_id: short}, tmp_path) == {("inside.py", short_id)}


def test_no_test_part_question_or_claim_is_in_the_tests(questions):
    found = leaks(_files(["tests"], []), questions)
    assert not found, f"test-part cases copied into tests (use a dev case or a new wording): {sorted(found)}"


def test_no_new_test_part_question_is_in_library_code_or_docs(questions):
    paths = _files(LIBRARY, LIBRARY_FILES) + sorted((ROOT / "eval").glob("*.py"))
    found = leaks(paths, questions)
    assert not found, f"test-part cases copied into code or docs (use a dev example): {sorted(found)}"
