"""Evaluation cases: typed models, a JSONL loader and an evidence check.

A line of ``eval/dataset.jsonl`` is one of three kinds:

* ``AnswerCase``: a question scored by ``must_include`` / ``must_not_include`` and refusal;
* ``ClaimCase`` (``category == "claim"``): a statement to be judged against the report;
* ``QuestionOnly``: only ``id``, ``question`` and optional ``history``; answered but not scored.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter, ValidationError, model_validator

# The project's own cases, beside this file.
DEFAULT_DATASET = Path(__file__).resolve().parent / "dataset.jsonl"

Lang = Literal["zh", "en"]
AnswerCategory = Literal[
    "figure", "entity", "list", "comparison", "multi_part", "follow_up",
    "cross_lingual", "unanswerable", "false_premise", "injection", "paraphrase", "computed",
]
Verdict = Literal["supported", "contradicted", "not_in_report"]
NonEmpty = Annotated[str, Field(min_length=1)]


class DatasetError(ValueError):
    """A dataset file is missing, or one of its lines is malformed or breaks the schema."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line = Path(path), line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: NonEmpty


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: NonEmpty
    question: NonEmpty
    history: list[Turn] = []


class QuestionOnly(_Case):
    """A question the runner answers without scoring."""


class AnswerCase(_Case):
    category: AnswerCategory
    lang: Lang
    answerable: bool
    reference_answer: NonEmpty
    # Every group must be matched by at least one of its alternatives.
    must_include: list[list[NonEmpty]] = []
    must_not_include: list[NonEmpty] = []
    # Exact substrings of the report.
    evidence: list[NonEmpty] = []

    @model_validator(mode="after")
    def _consistent(self) -> AnswerCase:
        if any(not group for group in self.must_include):
            raise ValueError("must_include has an empty group")
        if self.category == "unanswerable" and self.answerable:
            raise ValueError("an unanswerable case must have answerable=false")
        if not self.answerable and (self.must_include or self.evidence):
            raise ValueError("an unanswerable case must have empty must_include and evidence")
        if self.answerable and not self.evidence:
            raise ValueError("an answerable case needs at least one evidence string")
        return self


class ClaimCase(_Case):
    category: Literal["claim"]
    lang: Lang
    verdict: Verdict
    report_figures: list[NonEmpty] = []
    evidence: list[NonEmpty] = []
    answerable: bool
    must_include: list[list[str]] = []
    must_not_include: list[str] = []
    reference_answer: NonEmpty

    @model_validator(mode="after")
    def _consistent(self) -> ClaimCase:
        if self.answerable != (self.verdict != "not_in_report"):
            raise ValueError("answerable must be false exactly when verdict is not_in_report")
        if self.verdict == "not_in_report" and (self.report_figures or self.evidence):
            raise ValueError("a not_in_report claim must have empty report_figures and evidence")
        if self.verdict != "not_in_report" and not self.evidence:
            raise ValueError("a supported/contradicted claim needs at least one evidence string")
        if self.must_include or self.must_not_include:
            raise ValueError("claim cases carry empty must_include and must_not_include")
        return self


def _kind(value: Any) -> str:
    category = value.get("category") if isinstance(value, dict) else getattr(value, "category", None)
    if category is None:
        return "question"
    return "claim" if category == "claim" else "answer"


Case = Annotated[
    Union[
        Annotated[AnswerCase, Tag("answer")],
        Annotated[ClaimCase, Tag("claim")],
        Annotated[QuestionOnly, Tag("question")],
    ],
    Discriminator(_kind),
]
_CASE: TypeAdapter[AnswerCase | ClaimCase | QuestionOnly] = TypeAdapter(Case)


def _describe(error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        # Drop the union tag ("answer"/"claim"/"question") from the location.
        loc = ".".join(str(p) for p in e["loc"][1:]) or "line"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def load_dataset(path: Path | str) -> list[AnswerCase | ClaimCase | QuestionOnly]:
    """Parse a JSONL file (blank lines skipped); raise ``DatasetError`` naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(path, None, f"cannot read dataset: {exc}") from exc
    cases: list[AnswerCase | ClaimCase | QuestionOnly] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(path, number, f"invalid JSON: {exc.msg} (column {exc.colno})") from exc
        if not isinstance(raw, dict):
            raise DatasetError(path, number, f"expected a JSON object, got {type(raw).__name__}")
        try:
            cases.append(_CASE.validate_python(raw))
        except ValidationError as exc:
            case_id = raw.get("id", "?")
            raise DatasetError(path, number, f"case {case_id!r} breaks the schema: {_describe(exc)}") from exc
    return cases


def validate_evidence(cases: list[AnswerCase | ClaimCase | QuestionOnly], corpus_texts: list[str]) -> list[str]:
    """Problems: duplicate ids, and evidence / report_figures strings not found verbatim in any corpus text."""
    problems = [f"duplicate id {i!r} ({n} times)" for i, n in Counter(c.id for c in cases).items() if n > 1]
    for case in cases:
        quoted: list[tuple[str, str]] = []
        if isinstance(case, (AnswerCase, ClaimCase)):
            quoted += [("evidence", s) for s in case.evidence]
        if isinstance(case, ClaimCase):
            quoted += [("report_figures", s) for s in case.report_figures]
        for field, snippet in quoted:
            if not any(snippet in text for text in corpus_texts):
                problems.append(f"{case.id}: {field} not found verbatim in the corpus: {snippet!r}")
    return problems
