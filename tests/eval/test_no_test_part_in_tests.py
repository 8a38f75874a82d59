"""The eval's held-out parts (test and sealed) stay held out: none of their questions or claims is written, as is or
as a near copy, into the tests, the library code, the prompts or the docs, where tuning would see it.

How a near copy is found, the way a reviewer reading both would find it:

* Words: NFKC, lower case, a Chinese character or a run of letters and digits is one word; citation marks ([1])
  and English function words (the, is, how, many…) are left out, and so is the filler a copy may change freely
  (2024年, 今年, 郑州, 全市, 的, "this year", "Zhengzhou's") except where a run is compared (below).
* Segments: each quoted string of a line, and each line without its quoted strings (a comment, a docstring line).
* Near: a segment whose words and the held-out text's have ``2·LCS / (len(a) + len(b)) ≥ SIMILAR`` (LCS: the
  longest common subsequence, so the same words in the same order with a few changed, added or dropped).
* Embedded: a file holding the held-out text as is (letters and digits only), or at least ``EMBEDDED`` of its
  words, filler kept, as one run (``RUN_WEIGHT`` or more): the claim inside a longer sentence, or across lines.
* Too short to tell: a held-out text, or a segment, that weighs less than ``SHORT`` in the held-out text's script
  (a Chinese character 3, a digit 1, English around it nothing; or a letter or digit 1): some ten characters or
  five English words. A short held-out text ("那公园呢？") only counts when a quoted string equals it; a short
  segment ("新增多少个学位？") is a generic question, no copy.
* Answer form: a quoted string that, without its figures, has the words of a held-out Chinese text without its
  asking words (多少个, 几, 吗…) and figures, at least ``FORM_CHARACTERS`` characters of them: a claim written
  from a held-out question, its asking words turned into a figure, however short the question.
* Not a leak either: the report's own text (each Chinese character inside a piece of ``REPORT_RUN`` words or more
  the report has as is, read left to right: "新增学位2.7万个" is report text, a figure moved onto another phrase
  is not), since the report holds every answer; and a segment that is a piece of a dev question or at least as
  near one as the held-out text, since the dev part is there to be tuned on and the tests should use it.

The questions are read from the dataset at run time; this file names none of them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHORT = 30
SIMILAR = 0.75
EMBEDDED = 0.8
REPORT_RUN = 4
FORM_CHARACTERS = 5
RUN_WEIGHT = 20
SUFFIXES = {".py", ".md", ".txt", ".tsv", ".csv", ".json", ".yaml", ".yml", ".toml", ".html", ".css", ".js", ".sh"}
LIBRARY = ["bot", "index", "zzbot", "ui", "prompts", "docs", "scripts"]
LIBRARY_FILES = ["app.py", "cli.py", "README.md"]
REPORT = ROOT / "data" / "zhengzhou-2024-government-work-report.md"
# Quoted strings; an apostrophe inside a word (Zhengzhou's) opens or closes none.
_QUOTED = re.compile(r'"([^"\n]+)"|(?<![A-Za-z])\'([^\'\n]+)\'(?![A-Za-z])|“([^”\n]+)”|‘([^’\n]+)’|`([^`\n]+)`|「([^」\n]+)」')
_CITATION = re.compile(r"\[\d+\]")
# 郑州市区 keeps its 市区 (the urban area is a scope, not filler).
_FILLER = re.compile(r"2024\s*年?|今年|this year|郑州(?:市(?!区))?|zhengzhou(?:'s|’s)?|[我全]市|的")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|[\u3400-\u9fff]")
_MEASURE = "个所座家条项张名套间处支户亩辆人元倍"
_ASKING = re.compile(rf"(?:多少|几)[{_MEASURE}]?|什么|哪些|哪个|是否|[吗呢？?]")
# A figure, not a year (2025年 says which year a claim is about).
_FIGURE = re.compile(rf"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*年)\s*[万亿千百]?(?:公里|平方米|[{_MEASURE}%])?(?:以上|左右)?")
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "s", "is", "are", "was", "be", "will", "would", "what", "how", "many", "much", "does", "do", "did",
    "of", "to", "in", "on", "at", "for", "by", "with", "and", "or", "that", "this", "its", "it", "which"})

Words = tuple[str, ...]


def normalised(text: str) -> str:
    """Letters and digits only, lower case: what a short held-out text is compared by."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def words(text: str, filler: bool = False) -> Words:
    """The words a copy is compared by: without citation marks and function words, and without the filler unless
    ``filler`` (a run of words written inside a longer text is compared filler and all)."""
    text = _CITATION.sub(" ", unicodedata.normalize("NFKC", text).lower())
    if not filler:
        text = _FILLER.sub(" ", text)
    return tuple(w for w in _WORD.findall(text) if w not in _FUNCTION_WORDS)


def form(text: str) -> Words:
    """The words of a text without its asking words and figures: what a question and its answer or claim share."""
    text = _FILLER.sub(" ", unicodedata.normalize("NFKC", text).lower())
    return words(_FIGURE.sub(" ", _ASKING.sub(" ", text)))


def _chinese(word: str) -> bool:
    return len(word) == 1 and "\u3400" <= word <= "\u9fff"


def chinese(text: str) -> bool:
    return any(_chinese(ch) for ch in text)


def weight(text: str, in_chinese: bool) -> int:
    """How much a text says in one script, filler and all: for Chinese, a character 3 and a digit 1 (English words
    around it do not count); for English, a letter or digit 1."""
    return _weights(text)[0 if in_chinese else 1]


@cache
def _weights(text: str) -> tuple[int, int]:
    text = normalised(text)
    characters = sum(map(_chinese, text))
    digits = sum(ch.isdigit() for ch in text)
    return 3 * characters + digits, len(text) - characters


def _run_weight(text_words: Words) -> int:
    return sum(3 if _chinese(w) else len(w) for w in text_words)


def _as_text(text_words: Words) -> str:
    """Words back into text: Chinese characters run together, other words apart."""
    out = ""
    for word in text_words:
        out += word if _chinese(word) and (not out or _chinese(out[-1])) else f" {word}"
    return out


def _joined(text_words: Words) -> str:
    return " " + " ".join(text_words) + " "


def _in_order(a: Words, b: Words) -> int:
    """Length of the longest common subsequence of ``a`` and ``b``."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for k, y in enumerate(b):
            current.append(previous[k] + 1 if x == y else max(previous[k + 1], current[k]))
        previous = current
    return previous[-1]


def similarity(a: Words, b: Words) -> float:
    return 2 * _in_order(a, b) / (len(a) + len(b)) if a and b else 0.0


def longest_run(held: Words, joined: str) -> Words:
    """The longest run of ``held``'s words that ``joined`` (a ``_joined`` text) holds as is."""
    best, start = 0, 0
    for i in range(len(held)):
        while i + best < len(held) and _joined(held[i:i + best + 1]) in joined:
            best, start = best + 1, i
    return held[start:start + best]


@dataclass(frozen=True)
class Reference:
    """What a held-out text is told apart from: the report's words and the dev questions."""

    report: str
    dev: tuple[Words, ...]
    dev_with_filler: tuple[str, ...] = ()
    dev_verbatim: tuple[str, ...] = ()

    @classmethod
    def of(cls, report: str, dev_questions: list[str]) -> Reference:
        return cls(_joined(words(report)), tuple(words(q) for q in dev_questions),
                   tuple(_joined(words(q, filler=True)) for q in dev_questions), tuple(map(normalised, dev_questions)))

    def quotes_the_report(self, text_words: Words) -> bool:
        """Whether every Chinese character of ``text_words`` lies in a piece of ``REPORT_RUN`` words or more that
        the report has as is, read left to right ("新增学位2.7万个", "市区新建中小学校10所，新增学位2.7万个"; a
        figure moved onto another phrase of the report leaves a short piece: not the report's text)."""
        if not any(map(_chinese, text_words)):
            return False
        i = 0
        while i < len(text_words):
            end = i
            while end < len(text_words) and _joined(text_words[i:end + 1]) in self.report:
                end += 1
            if end - i >= REPORT_RUN:
                i = end
            elif _chinese(text_words[i]):
                return False
            else:
                i += 1
        return True

    def closer_to_dev(self, segment: Words, score: float) -> bool:
        """Whether ``segment`` is at least as near a dev question as ``score``, or is a piece of one."""
        return (any(similarity(dev, segment) >= score for dev in self.dev)
                or any(_joined(segment) in _joined(dev) for dev in self.dev))

    def in_a_dev_question(self, run: Words) -> bool:
        return any(_joined(run) in dev for dev in self.dev_with_filler)

    def holds(self, verbatim: str) -> bool:
        """Whether a dev question holds ``verbatim`` (letters and digits) as is."""
        return any(verbatim in dev for dev in self.dev_verbatim)


def _segments(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(line)]
        found.extend([_QUOTED.sub(" ", line), *quoted])
    return found


def _quoted_strings(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]


def _quoted(text: str) -> set[str]:
    return set(map(normalised, _quoted_strings(text)))


@dataclass
class _Scanned:
    """Every file's words, filler kept (for runs), and letters and digits (for verbatim copies); every distinct
    segment long enough in Chinese (True) or in English (False), with the files that hold it; every quoted string."""

    files: dict[str, str]
    pairs: dict[str, set[Words]]
    verbatim: dict[str, str]
    segments: dict[bool, dict[Words, set[str]]]
    quoted: dict[str, set[str]]
    forms: dict[Words, set[str]]  # the answer form of each quoted Chinese string that is not the report's own

    def index(self) -> dict[bool, dict[str, set[Words]]]:
        found: dict[bool, dict[str, set[Words]]] = {True: defaultdict(set), False: defaultdict(set)}
        for in_chinese, segments in self.segments.items():
            for segment in segments:
                for word in set(segment):
                    found[in_chinese][word].add(segment)
        return found


def _scan(paths: list[Path], root: Path, reference: Reference) -> _Scanned:
    files, pairs, verbatim, quoted, forms = {}, {}, {}, defaultdict(set), defaultdict(set)
    segments: dict[bool, dict[Words, set[str]]] = {True: defaultdict(set), False: defaultdict(set)}
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        name = path.relative_to(root).as_posix()
        kept = words(text, filler=True)
        files[name], pairs[name], verbatim[name] = _joined(kept), set(pairwise(kept)), normalised(text)
        for segment in _segments(text):
            for in_chinese in (True, False):
                if weight(segment, in_chinese) >= SHORT:
                    segments[in_chinese][words(segment)].add(name)
        for short in _quoted(text):
            quoted[short].add(name)
        for string in _quoted_strings(text):
            if sum(map(_chinese, found := form(string))) >= FORM_CHARACTERS:
                forms[found].add(name)
    kept = {in_chinese: {s: names for s, names in found.items() if s and not reference.quotes_the_report(s)}
            for in_chinese, found in segments.items()}
    forms = {f: names for f, names in forms.items()
             if not reference.quotes_the_report(f) and not reference.closer_to_dev(f, 1.0)}
    return _Scanned(files, pairs, verbatim, kept, quoted, forms)


def _similar_segments(held: Words, segments: dict[Words, set[str]], index: dict[str, set[Words]],
                      reference: Reference) -> set[str]:
    """Files with a segment near ``held`` (and not nearer a dev question)."""
    shared: dict[Words, int] = defaultdict(int)
    for word in set(held):
        for segment in index.get(word, ()):
            shared[segment] += 1
    # An LCS of SIMILAR·(len+len)/2 words needs at least that many distinct shared words over len(held) ones.
    needed = SIMILAR * len(set(held)) / 2
    out = set()
    for segment, count in shared.items():
        if count < needed:
            continue
        score = similarity(held, segment)
        if score >= SIMILAR and not reference.closer_to_dev(segment, score):
            out |= segments[segment]
    return out


def _embedding_files(question: str, scanned: _Scanned, reference: Reference) -> set[str]:
    """Files holding the question as is (letters and digits), or most of its words, filler and all, as one run that
    is neither the report's text nor a dev question's."""
    held, whole = words(question, filler=True), normalised(question)
    out = {name for name, text in scanned.verbatim.items() if whole in text} if not reference.holds(whole) else set()
    pairs = list(pairwise(held))
    for name, joined in scanned.files.items():
        if name in out or sum(p in scanned.pairs[name] for p in pairs) < EMBEDDED * len(held) - 1:
            continue
        run = longest_run(held, joined)
        if (len(run) >= EMBEDDED * len(held) and _run_weight(run) >= RUN_WEIGHT
                and not reference.quotes_the_report(words(_as_text(run))) and not reference.in_a_dev_question(run)):
            out.add(name)
    return out


def leaks(paths: list[Path], held_out: dict[str, str], root: Path = ROOT,
          reference: Reference | None = None) -> set[tuple[str, str]]:
    """(path relative to ``root``, case id) for every held-out question or claim a file holds, or a near copy of."""
    reference = reference or Reference.of("", [])
    scanned = _scan(paths, root, reference)
    index = scanned.index()
    out = set()
    for case_id, question in held_out.items():
        held, in_chinese = words(question), chinese(question)
        if weight(question, in_chinese) < SHORT or not held:
            found = scanned.quoted.get(normalised(question), set()) if normalised(question) else set()
        else:
            found = (_similar_segments(held, scanned.segments[in_chinese], index[in_chinese], reference)
                     | _embedding_files(question, scanned, reference))
        if in_chinese and sum(map(_chinese, held_form := form(question))) >= FORM_CHARACTERS:
            found |= scanned.forms.get(held_form, set())
        out |= {(name, case_id) for name in found}
    return out


def _dataset() -> tuple[dict[str, str], dict[str, str]]:
    """(held-out id → question or claim, dev id → question)."""
    split = json.loads((ROOT / "eval" / "split.json").read_text(encoding="utf-8"))
    held_ids, dev_ids = set(split["test"]) | set(split.get("sealed", [])), set(split["dev"])
    cases = [json.loads(line) for line in (ROOT / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return ({c["id"]: c["question"] for c in cases if c["id"] in held_ids},
            {c["id"]: c["question"] for c in cases if c["id"] in dev_ids})


def _files(folders: list[str], files: list[str]) -> list[Path]:
    found = [p for name in folders if (ROOT / name).is_dir() for p in (ROOT / name).rglob("*")
             if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts]
    return sorted(found + [ROOT / f for f in files if (ROOT / f).is_file()])


def _data_files() -> list[Path]:
    """The glossary and place lists under data/; the bundled corpus (the report) is what every answer quotes."""
    return sorted(p for p in (ROOT / "data").rglob("*") if p.is_file() and p.suffix in SUFFIXES and p.suffix != ".md")


# The kinds of held-out case a reviewer once found near copies of: the self-check copies the first held-out case of
# each long enough to tell (the texts are read from the dataset; the cases the reviewer named were withdrawn to dev).
NAMED_KINDS = [("fig", "zh"), ("claim", "zh"), ("para", "zh"), ("para", "en"), ("fig", "en")]
_ID = re.compile(r"\b[a-z]+-(?:zh|en)-\d{3}\b")


def named(held_out: dict[str, str]) -> list[str]:
    return [min(i for i, text in held_out.items() if i.startswith(f"{kind}-{lang}-")
                and weight(text, chinese(text)) >= SHORT) for kind, lang in NAMED_KINDS]


def _near_copies(text: str) -> list[str]:
    """Copies a reviewer calls the same text: other case and punctuation, another year phrase, a few characters
    changed or dropped, the text inside a longer sentence."""
    cjk = [i for i, ch in enumerate(text) if _chinese(ch)]
    if cjk:
        swapped = text.replace("2024年", "今年") if "2024年" in text else text.replace("今年", "2024年")
        middle = cjk[len(cjk) // 2]
        changed = text[:middle] + "哦" + text[middle + 1:]
        dropped = "".join(ch for i, ch in enumerate(text) if i not in cjk[1::6])
        # The claim form of a question: its asking words out, a figure in ("…新增学位2.7万个").
        claimed = _ASKING.sub("", text) + "2.7万个"
        return [f"{swapped.rstrip('？?。')}！", changed, dropped, f"有人问：“{text.rstrip('？?。')}”，还问了别的。", claimed]
    plain = re.sub(r"[^\w\s]", "", text).upper()
    first, rest = text.split(" ", 1)
    return [plain, f"So, {first.lower()} {rest}", f"{text.replace(' the ', ' this ')} Please answer briefly."]


def test_a_near_copy_of_each_named_case_is_found(tmp_path, held_out, reference):
    for case_id in named(held_out):
        for n, copy in enumerate(_near_copies(held_out[case_id])):
            path = tmp_path / f"{case_id}-{n}.py"
            path.write_text(f"QUESTION = {json.dumps(copy, ensure_ascii=False)}\n", encoding="utf-8")
            assert leaks([path], held_out, tmp_path, reference) >= {(path.name, case_id)}, copy


def test_a_copy_is_found_however_it_is_spaced_and_a_short_case_only_when_quoted(tmp_path, held_out, reference):
    case_id, question = next((i, q) for i, q in held_out.items() if weight(q, chinese(q)) >= SHORT)
    spaced = tmp_path / "copy.py"
    spaced.write_text(f"# {' '.join(question.upper())} !\n", encoding="utf-8")
    assert leaks([spaced], {case_id: question}, tmp_path, reference) == {("copy.py", case_id)}
    short_id, short = next((i, q) for i, q in held_out.items() if 0 < weight(q, chinese(q)) < SHORT)
    inside = tmp_path / "inside.py"
    inside.write_text(f"x = '前面{short}后面'\n", encoding="utf-8")
    assert leaks([inside], {short_id: short}, tmp_path, reference) == set()  # inside a longer string: not a copy
    inside.write_text(f"x = '{short}?'\n", encoding="utf-8")
    assert leaks([inside], {short_id: short}, tmp_path, reference) == {("inside.py", short_id)}


def test_report_phrases_dev_questions_and_short_phrases_are_not_leaks(tmp_path, held_out, reference):
    cases = [json.loads(line) for line in (ROOT / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    evidence = sorted({e for c in cases if c["id"] in held_out for e in c.get("evidence", [])})
    dev = list(_dataset()[1].values())
    shorts = [q.rstrip("？?")[-6:] for q in held_out.values() if chinese(q)]  # "新增多少个学位" alone is no copy
    assert len(evidence) >= 100 and len(dev) >= 400
    for name, texts in (("evidence", evidence), ("dev", dev), ("shorts", shorts)):
        # One text a line, a word between them: a run across two texts is no copy of either.
        (tmp_path / f"{name}.py").write_text("".join(f"# {t}\n# next\n" for t in texts), encoding="utf-8")
    assert leaks(sorted(tmp_path.glob("*.py")), held_out, tmp_path, reference) == set()


@pytest.fixture(scope="module")
def held_out() -> dict[str, str]:
    found, _ = _dataset()
    assert len(found) >= 200  # the test and sealed parts are there to be guarded
    return found


@pytest.fixture(scope="module")
def reference() -> Reference:
    _, dev = _dataset()
    return Reference.of(REPORT.read_text(encoding="utf-8"), list(dev.values()))


def test_no_held_out_question_or_claim_is_in_the_tests(held_out, reference):
    found = leaks(_files(["tests"], []), held_out, reference=reference)
    if found:  # no traceback: it would print the held-out texts the fixture holds
        pytest.fail(f"held-out cases copied into tests (use a dev case or a new wording): {sorted(found)}", pytrace=False)


def test_no_held_out_question_is_in_library_code_prompts_or_docs(held_out, reference):
    paths = _files(LIBRARY, LIBRARY_FILES) + sorted((ROOT / "eval").glob("*.py")) + _data_files()
    found = leaks(paths, held_out, reference=reference)
    if found:
        pytest.fail(f"held-out cases copied into code, prompts or docs (use a dev example): {sorted(found)}", pytrace=False)


def test_no_held_out_case_is_named_by_its_id(held_out):
    """A held-out id in a test or in code points a reader (or a tuning session) at that case; synthetic ids in the
    eval's own tests use dev ids or ids the dataset lacks."""
    paths = _files(["tests", *LIBRARY], LIBRARY_FILES) + sorted((ROOT / "eval").glob("*.py"))
    found = sorted({(str(p.relative_to(ROOT)), i) for p in paths for i in _ID.findall(p.read_text(encoding="utf-8"))
                    if i in held_out})
    if found:
        pytest.fail(f"held-out ids named in tests or code (use a dev id or one the dataset lacks): {found}", pytrace=False)
