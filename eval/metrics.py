"""Scoring answers and fact-checks against the gold cases without an LLM judge.

Pure functions over result dicts (``AnswerResult.to_dict()`` / ``CheckResult.to_dict()``), so the
baseline pipeline, which produces the same shape, is scored by exactly the same code. Figures are
compared after number normalisation (2.7万 = 27,000; 1.7亿 = 170 million; 7% ≠ 7), and the
retrieval gold set is the evidence text itself, not chunk ids, so it survives re-chunking.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from zzbot.numbers import Figure, extract_figures
from zzbot.figure_check import same_value
from eval.dataset import AnswerCase, ClaimCase

Result = Mapping[str, Any]
Scores = dict[str, Any]

STAGES = ("rewrite", "retrieve", "first_token", "generate", "total")
VERDICTS = ("supported", "contradicted", "not_in_report")
RETRIEVAL_K = 10
_CITATION_MARK = re.compile(r"\[\d+\]|【\d+】")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# --- matching ----------------------------------------------------------------------------------------

def _squash(text: str) -> str:
    """NFKC (full-width digits and %), lower case, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _literal(alternative: str, squashed_answer: str) -> bool:
    """``alternative`` occurs in the answer, but never as part of a longer number (15 is not in 150 or 2.15)."""
    alt = _squash(alternative)
    pattern = re.escape(alt)
    if alt[:1].isdigit():
        pattern = r"(?<!\d)(?<!\d[.,])" + pattern
    if alt[-1:].isdigit():
        pattern += r"(?!\d)(?![.,]\d)"
    return re.search(pattern, squashed_answer) is not None


def as_figure(alternative: str) -> Figure | None:
    """The figure an alternative consists of ("2.7万", "27,000", "85公里", "7%"), or None for plain text."""
    figures = extract_figures(alternative)
    if len(figures) == 1 and figures[0].text.strip() == alternative.strip():
        return figures[0]
    return None


def _units_compatible(a: str | None, b: str | None) -> bool:
    """Chinese measure words must agree (50万个 is not 50万平方米); English words after a number are
    too loose to compare, so they agree with anything."""
    return not (a and b and _CJK.match(a) and _CJK.match(b) and a != b)


def mentions(answer: str, alternative: str) -> bool:
    """The answer states ``alternative``: a figure as a figure of the same value, kind, percent-ness and
    Chinese unit (so "7" is not in "7%" nor "2.7万" in "2.7 million"), anything else literally."""
    answer = _CITATION_MARK.sub("", answer)
    wanted = as_figure(alternative)
    if wanted is None:
        return _literal(alternative, _squash(answer))
    return any(
        f.kind == wanted.kind and f.percent == wanted.percent and same_value(f.value, wanted.value)
        and _units_compatible(f.unit, wanted.unit)
        for f in extract_figures(answer)
    )


def missing_groups(answer: str, case: AnswerCase) -> list[list[str]]:
    return [group for group in case.must_include if not any(mentions(answer, alt) for alt in group)]


def forbidden_hits(answer: str, case: AnswerCase) -> list[str]:
    return [alt for alt in case.must_not_include if mentions(answer, alt)]


def answer_correct(answer: str, case: AnswerCase) -> bool:
    """Every must_include group matched and nothing of must_not_include (the answer text alone)."""
    return not missing_groups(answer, case) and not forbidden_hits(answer, case)


def citation_hit(result: Result, case: AnswerCase | ClaimCase) -> bool | None:
    """Some evidence string lies inside some cited passage; None when the case has no evidence."""
    if not case.evidence:
        return None
    cited = [_squash(c["text"]) for c in result.get("citations", [])]
    return any(_squash(e) in text for e in case.evidence for text in cited)


def retrieval_rank(passage_texts: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first passage holding an evidence string; None when none does."""
    wanted = [_squash(e) for e in evidence]
    for rank, text in enumerate(passage_texts, start=1):
        squashed = _squash(text)
        if any(e in squashed for e in wanted):
            return rank
    return None


def unverified(result: Result) -> bool:
    return not result.get("verified", True) or any(not f["verified"] for f in result.get("figures", []))


# --- per-case scores ---------------------------------------------------------------------------------

def score_answer(result: Result | None, case: AnswerCase, rank: int | None) -> Scores:
    """Scores of one answer; ``result`` None means the case raised an error (counted as wrong)."""
    base: Scores = {"kind": "answer", "category": case.category, "lang": case.lang, "answerable": case.answerable}
    if case.answerable:
        base["retrieval_rank"] = rank
    if result is None:
        return base | {"correct": False, "error": True}
    refused = not result["found"]
    answer = result["answer"]
    missing = missing_groups(answer, case) if case.answerable and not refused else case.must_include
    forbidden = forbidden_hits(answer, case)
    correct = refused if not case.answerable else not refused and not missing and not forbidden
    return base | {
        "correct": correct,
        "refused": refused,
        "citation_hit": citation_hit(result, case) if case.answerable else None,
        "unverified": unverified(result),
        "fallback": result.get("fallback_reason") is not None,
        "missing": missing,
        "forbidden": forbidden,
        # How much text the citations ask the reader to check (a citation hit is cheap with huge passages).
        "cited_chars": sum(len(c["text"]) for c in result.get("citations", [])),
    }


def report_figures_shown(result: Result, case: ClaimCase) -> bool:
    """Every gold report figure appears among the result's report figures, as written or with the same value."""
    shown = " ".join(result.get("report_figures", []))
    return all(mentions(shown, figure) for figure in case.report_figures)


def score_claim(result: Result | None, case: ClaimCase, rank: int | None) -> Scores:
    base: Scores = {"kind": "claim", "category": case.category, "lang": case.lang, "expected": case.verdict}
    if case.evidence:
        base["retrieval_rank"] = rank
    if result is None:
        return base | {"correct": False, "error": True}
    return base | {
        "verdict": result["verdict"],
        "correct": result["verdict"] == case.verdict,
        "citation_hit": citation_hit(result, case),
        "report_figure_shown": report_figures_shown(result, case) if case.verdict == "contradicted" else None,
    }


# --- aggregates --------------------------------------------------------------------------------------

def rate(flags: Iterable[bool | None]) -> float | None:
    """Share of True among the flags that are not None; None when there are none."""
    values = [bool(f) for f in flags if f is not None]
    return round(sum(values) / len(values), 4) if values else None


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return round(sum(items) / len(items), 1) if items else None


def retrieval_metrics(ranks: Sequence[int | None], k: int = RETRIEVAL_K) -> dict[str, float | None]:
    hits = {f"hit@{n}": rate(r is not None and r <= n for r in ranks) for n in (1, 3, k)}
    mrr = round(sum(1 / r for r in ranks if r is not None and r <= k) / len(ranks), 4) if ranks else None
    return hits | {"mrr": mrr}


def latency(timings: Iterable[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """p50 / p95 / n in milliseconds for each stage present in ``timings_ms``."""
    rows = list(timings)
    stages = [s for s in STAGES if any(s in t for t in rows)]
    stages += sorted({s for t in rows for s in t} - set(stages))
    out: dict[str, dict[str, float]] = {}
    for stage in stages:
        values = np.array([t[stage] for t in rows if stage in t], dtype=float)
        out[stage] = {"p50": round(float(np.percentile(values, 50)), 1),
                      "p95": round(float(np.percentile(values, 95)), 1), "n": len(values)}
    return out


def summarize(scores: Sequence[Scores]) -> dict[str, Any]:
    """All answer metrics over ``scores`` (claim cases get their own ``claims`` block)."""
    answers = [s for s in scores if s["kind"] == "answer"]
    answerable = [s for s in answers if s["answerable"]]
    unanswerable = [s for s in answers if not s["answerable"]]
    ran = [s for s in answers if not s.get("error")]
    claims = [s for s in scores if s["kind"] == "claim"]
    summary: dict[str, Any] = {
        "cases": len(scores),
        "errors": sum(1 for s in scores if s.get("error")),
        "answer_cases": len(answers),
        "accuracy": rate(s["correct"] for s in answers),
        "answerable_accuracy": rate(s["correct"] for s in answerable),
        "citation_hit": rate(s.get("citation_hit", False) for s in answerable),
        "refusal_rate": rate(s.get("refused") for s in unanswerable),
        "false_refusal_rate": rate(s.get("refused") for s in answerable),
        "unverified_rate": rate(s["unverified"] for s in ran),
        "fallback_rate": rate(s["fallback"] for s in ran),
        "cited_chars": mean(s["cited_chars"] for s in ran if s["answerable"] and not s["refused"]),
        **retrieval_metrics([s["retrieval_rank"] for s in answerable]),
    }
    if claims:
        summary["claims"] = {
            "cases": len(claims),
            "verdict_accuracy": rate(s["correct"] for s in claims),
            "by_verdict": {v: rate(s["correct"] for s in claims if s["expected"] == v) for v in VERDICTS},
            "report_figure_shown": rate(s.get("report_figure_shown") for s in claims if s["expected"] == "contradicted"),
            "citation_hit": rate(s.get("citation_hit", False) for s in claims if "retrieval_rank" in s),
            **retrieval_metrics([s["retrieval_rank"] for s in claims if "retrieval_rank" in s]),
        }
    return summary


def grouped(scores: Sequence[Scores], key: str) -> dict[str, dict[str, Any]]:
    """``summarize`` per value of ``key`` (category or lang)."""
    values = sorted({s[key] for s in scores})
    return {v: summarize([s for s in scores if s[key] == v]) for v in values}


def delta(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> dict[str, float]:
    """ours − theirs for every numeric top-level metric both have."""
    return {
        k: round(v - theirs[k], 4) for k, v in ours.items()
        if isinstance(v, float) and isinstance(theirs.get(k), float)
    }
