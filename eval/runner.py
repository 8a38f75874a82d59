"""Running an evaluation: every case through the chain the UI uses (and, when asked, the naive
baseline in the same process), scored, and written to ``results.jsonl``, ``summary.json`` and a report.

Retrieval is measured by a separate search per case (not timed into the answer) so hit@k and MRR do
not depend on how many passages the answer used. A case that raises is recorded with an ``error``
field and counted as wrong; only a missing model or index stops the run.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime, timezone
from functools import partial
from itertools import zip_longest
from pathlib import Path
from typing import Any


from bot.policy.chain import AnswerChain
from bot.engine import Engine
from bot.schema import AnswerResult, BotUnavailable, CheckResult
from eval import metrics
from eval.dataset import AnswerCase, ClaimCase, QuestionOnly
from eval.naive import NaivePipeline
from eval.report import write_report
from eval.split import Split
from index.documents import load_documents
from index.store import ChunkStore
from zzbot.progress import Progress

log = logging.getLogger(__name__)

Case = AnswerCase | ClaimCase | QuestionOnly
Row = dict[str, Any]
NAIVE_NOTE = ("RecursiveCharacterTextSplitter 500/50, dense top-3, the same LLM, a plain prompt on the raw last "
              "message, no rewrite, no verification")
NAIVE_EXTRACTIVE_NOTE = ("with the extractive backend the baseline has no LLM: it answers with its whole top chunk, "
                         "which favours it on key-fact recall")


def ensure_index(engine: Engine) -> None:
    """Index the configured documents when the engine's index is empty (a fresh or temporary path)."""
    store = ChunkStore(engine.settings, engine.embedder)
    if store.collection.count() == 0:
        log.info("the index at %s is empty; indexing %s", engine.settings.chroma_path, engine.settings.documents)
        store.sync(load_documents(engine.settings.documents))


def select_cases(cases: list[Case], categories: list[str] | None, limit: int | None) -> list[Case]:
    """Cases of the given categories; with a limit, taken in turn from each category (and within it from
    each language) so that a small limit still covers every category."""
    if categories:
        cases = [c for c in cases if getattr(c, "category", None) in categories]
    if limit is None:
        return cases
    groups: dict[str | None, dict[str | None, list[Case]]] = defaultdict(lambda: defaultdict(list))
    for case in cases:
        groups[getattr(case, "category", None)][getattr(case, "lang", None)].append(case)
    chosen = {c.id for c in _interleave(_interleave(by_lang.values()) for by_lang in groups.values())[:limit]}
    return [c for c in cases if c.id in chosen]


def _interleave(lists: Iterable[list[Case]]) -> list[Case]:
    """[a1, a2], [b1] → [a1, b1, a2]."""
    return [c for batch in zip_longest(*lists) for c in batch if c is not None]


def run(
    cases: Sequence[Case],
    engine: Engine,
    out_dir: Path,
    *,
    compare_naive: bool = False,
    overrides: Mapping[str, Any] | None = None,
    dataset: Path | None = None,
    split: Split | None = None,
    part: str = "all",
    backend: str | None = None,
    chain: AnswerChain | None = None,
) -> tuple[dict[str, Any], Path]:
    """Answer, score and write everything; return the summary and the path of the HTML report.

    With a ``split`` the summary also holds ``parts``: the same metrics for the dev cases, the test cases,
    the fresh test cases alone and the sealed cases (``part`` only records which part the cases were selected from).
    """
    started = datetime.now(timezone.utc)
    began = time.perf_counter()
    backend = backend or engine.settings.llm.backend
    chain = chain or AnswerChain(engine)
    claims = [c for c in cases if isinstance(c, ClaimCase)]
    checker = _fact_checker(engine) if claims else None
    if claims and checker is None:
        cases = [c for c in cases if not isinstance(c, ClaimCase)]
    naive = NaivePipeline(engine, backend) if compare_naive else None

    def search(query: str) -> list[str]:
        return [p.chunk.text for p in engine.search(query, k=metrics.RETRIEVAL_K)]

    out_dir.mkdir(parents=True, exist_ok=True)
    rows, naive_rows = _answer_all(cases, partial(chain.ask, backend=backend), checker, naive, search, out_dir)
    summary: dict[str, Any] = {
        "run": {
            "started": started.isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - began, 1),
            "dataset": str(dataset) if dataset else None,
            "backend": backend,
            "overrides": dict(overrides or {}),
            "compare": "naive" if naive else None,
            "cases": len(rows),
            "scored": sum(1 for r in rows if "scores" in r),
            "unscored": sum(1 for r in rows if "scores" not in r),
            "skipped_claims": len(claims) if checker is None else 0,
            "part": part,
        },
        "settings": _public_settings(engine),
        **summarize_rows(rows, split),
    }
    if naive is not None:
        summary.update(_versus_naive(summary, naive_rows, backend, split))

    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    report = write_report(summary, rows, naive_rows, cases, out_dir)
    return summary, report


def _answer_all(cases: Sequence[Case], ask: Callable[..., Any], checker: Any, naive: NaivePipeline | None,
                search: Callable[[str], list[str]], out_dir: Path) -> tuple[list[Row], list[Row]]:
    """Our rows and the baseline's, each written to its JSONL file as it comes."""
    with ExitStack() as stack:
        ours = _Output(stack, out_dir / "results.jsonl")
        theirs = _Output(stack, out_dir / "naive_results.jsonl") if naive else None
        for case in Progress.over(cases, "eval", unit="case"):
            if isinstance(case, ClaimCase):
                assert checker is not None
                ours.add(_row(case, partial(checker.check, case.question), search))
                continue
            history = [t.model_dump() for t in case.history]
            ours.add(_row(case, partial(ask, case.question, history), search))
            if naive is not None and theirs is not None:
                theirs.add(_row(case, partial(naive.ask, case.question), naive.passages))
    return ours.rows, theirs.rows if theirs else []


def _versus_naive(ours: Mapping[str, Any], naive_rows: Sequence[Row], backend: str,
                  split: Split | None) -> dict[str, Any]:
    """The baseline's block and ours − theirs."""
    note = NAIVE_NOTE + ("; " + NAIVE_EXTRACTIVE_NOTE if backend == "extractive" else "")
    theirs = {"note": note, **summarize_rows(naive_rows, split)}
    latency = {stage: round(v["p50"] - theirs["latency"][stage]["p50"], 1)
               for stage, v in ours["latency"].items() if stage in theirs["latency"]}
    return {"naive": theirs, "delta": {**metrics.delta(ours["overall"], theirs["overall"]), "latency_p50_ms": latency}}


def _row(case: Case, produce: Callable[[], AnswerResult | CheckResult], search: Callable[[str], list[str]]) -> Row:
    try:
        result: dict[str, Any] | None = produce().to_dict()
    except BotUnavailable:
        raise
    except Exception as err:  # one broken case must not end a long run; it is recorded and counted as wrong
        log.warning("case %s failed: %s: %s", case.id, type(err).__name__, err, exc_info=log.isEnabledFor(logging.DEBUG))
        result = None
        row: Row = {"id": case.id, "question": case.question, "error": f"{type(err).__name__}: {err}"}
    else:
        row = {"id": case.id, **result}
    if isinstance(case, QuestionOnly):
        return row
    rank = None
    if result is not None and case.evidence:
        rank = metrics.retrieval_rank(search(result.get("standalone_question") or case.question), case.evidence)
    if isinstance(case, ClaimCase):
        row["scores"] = metrics.score_claim(result, case, rank)
    else:
        row["scores"] = metrics.score_answer(result, case, rank)
    return row


def summarize_rows(rows: Sequence[Row], split: Split | None = None) -> dict[str, Any]:
    """Overall, per-category and per-language metrics and the latency of ``rows``; with a split, also the
    same for each of its parts (``parts``)."""
    scores = [r["scores"] for r in rows if "scores" in r]
    answers = [r["timings_ms"] for r in rows if "answer" in r]
    checks = [r["timings_ms"] for r in rows if "verdict" in r]
    section: dict[str, Any] = {
        "overall": metrics.summarize(scores),
        "by_category": metrics.grouped(scores, "category"),
        "by_lang": metrics.grouped(scores, "lang"),
        "latency": metrics.latency(answers),
    }
    if checks:
        section["claim_latency"] = metrics.latency(checks)
    if split is not None:
        section["parts"] = part_sections(rows, split)
    return section


def part_sections(rows: Sequence[Row], split: Split) -> dict[str, Any]:
    """``summarize_rows`` for the dev rows, the test rows, the fresh test rows and the sealed rows; parts without a
    scored row are left out."""
    part, fresh = split.part_of(), set(split.fresh)
    groups = {
        "dev": [r for r in rows if part.get(r["id"]) == "dev"],
        "test": [r for r in rows if part.get(r["id"]) == "test"],
        "fresh_test": [r for r in rows if part.get(r["id"]) == "test" and r["id"] in fresh],
        "sealed": [r for r in rows if part.get(r["id"]) == "sealed"],
    }
    return {name: summarize_rows(group) for name, group in groups.items() if any("scores" in r for r in group)}


def _fact_checker(engine: Engine) -> Any:
    try:
        from bot.policy.factcheck import FactChecker
    except ImportError as err:
        log.warning("bot.policy.factcheck is not available (%s); claim cases are skipped", err)
        return None
    return FactChecker(engine)


def _public_settings(engine: Engine) -> dict[str, Any]:
    data = engine.settings.model_dump(mode="json")
    data["llm"].pop("openai_api_key", None)
    return data


class _Output:
    """Rows kept in memory and appended to a JSONL file as they come, so an interrupted run keeps them."""

    def __init__(self, stack: ExitStack, path: Path) -> None:
        self.rows: list[Row] = []
        self._file = stack.enter_context(path.open("w", encoding="utf-8"))

    def add(self, row: Row) -> None:
        self.rows.append(row)
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()
