"""Answer latency along every path a user takes, as p50/p95 and as ratios to the warm path (issue 12):

- cold: ``python -m bot ask Q --json``, a new process per question (its first run, with no prompt state saved
  yet, apart);
- ``python -m bot ask --file``: many questions in one process (per question: the process's wall time / n, and
  each answer's own total);
- warm: the chain in a process whose models are loaded and prompts primed;
- 1, 4, 10… concurrent users, each a thread calling an ``AskFn`` (the chain here; an HTTP client plugs in the
  same way) at the same moment; through several servers, round-robin (scripts/scale-out.sh);
- the naive baseline (eval/naive.py) in the same warm process.

Latencies are in ms.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zzbot.settings import PROJECT_ROOT

# Answers one question; returns the times (ms from the call's start) of the moments it saw, e.g. "sources",
# "queue" (first place in line), "first_token", "total". The runner measures the wall time itself.
AskFn = Callable[[str], Mapping[str, float]]


@dataclass
class PathLatency:
    path: str
    n: int
    total: dict[str, float]  # p50 / p95 of the wall time per question
    first_token: dict[str, float] | None = None
    failures: int = 0
    moments: dict[str, dict[str, float]] = field(default_factory=dict)  # other moments' p50 / p95 ("sources"…)
    note: str = ""


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    return {f"p{q}": round(float(np.percentile(values_ms, q)), 1) for q in (50, 95)}


def _stats(path: str, totals: Sequence[float], moments: Sequence[Mapping[str, float]], failures: int = 0,
           note: str = "") -> PathLatency:
    names = sorted({name for m in moments for name in m} - {"total"})
    seen = {name: percentiles([m[name] for m in moments if name in m]) for name in names}
    return PathLatency(path, len(totals), percentiles(totals) if totals else {}, seen.pop("first_token", None),
                       failures, seen, note)


# -- new processes -------------------------------------------------------------------------------------


def cli_env(chroma_path: Path, var_dir: Path, backend: str) -> dict[str, str]:
    """The environment of a ``python -m bot`` run on the bench's index, with its own runtime state."""
    return {**os.environ, "ZZBOT_CHROMA__PATH": str(chroma_path), "ZZBOT_VAR_DIR": str(var_dir),
            "ZZBOT_LLM__BACKEND": backend, "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}


def _run_bot(args: Sequence[str], env: Mapping[str, str], timeout_s: float = 600) -> tuple[float, subprocess.CompletedProcess[str]]:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=dict(env), capture_output=True,
                          text=True, timeout=timeout_s)
    return (time.perf_counter() - began) * 1000, done


def cold_asks(questions: Sequence[str], env: Mapping[str, str], path: str = "cold `bot ask`") -> PathLatency:
    """One new process per question; the wall time of each, and its first token as the chain timed it
    (from the chain's start, so the process's start-up is not in it)."""
    totals, moments, failures = [], [], 0
    for question in questions:
        wall_ms, done = _run_bot(["ask", question, "--json"], env)
        if done.returncode != 0:
            failures += 1
            continue
        result = json.loads(done.stdout)
        totals.append(wall_ms)
        moments.append({"chain_total": result["timings_ms"]["total"]})
    return _stats(path, totals, moments, failures, note="wall time of the whole process")


def file_asks(questions: Sequence[str], env: Mapping[str, str]) -> PathLatency:
    """All questions in one ``bot ask --file`` process: per question, the process's wall time / n (start-up
    shared), with each answer's own total beside it."""
    with tempfile.TemporaryDirectory(prefix="zzbot-bench-file-") as tmp:
        path = Path(tmp) / "questions.jsonl"
        path.write_text("".join(json.dumps({"id": i, "question": q}, ensure_ascii=False) + "\n"
                                for i, q in enumerate(questions)), encoding="utf-8")
        wall_ms, done = _run_bot(["ask", "--file", str(path), "--json"], env)
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    answered = [r for r in records if "error" not in r]
    per_question = wall_ms / max(len(questions), 1)
    latency = _stats("`bot ask --file` (per question)", [per_question] * len(answered),
                     [{"answer_total": r["timings_ms"]["total"]} for r in answered], len(questions) - len(answered),
                     note=f"process {wall_ms / 1000:.1f} s for {len(questions)} questions")
    return latency


# -- one warm process ----------------------------------------------------------------------------------


def chain_asker(chain: Any, backend: str) -> AskFn:
    """Asks through the answer chain's stream, noting when the sources, the first place in line and the first
    token arrived."""

    def ask(question: str) -> dict[str, float]:
        began = time.perf_counter()
        seen: dict[str, float] = {}
        for event in chain.events(question, backend=backend):
            moment = {"sources": "sources", "queue": "queue", "token": "first_token"}.get(event.kind)
            if moment and moment not in seen:
                seen[moment] = (time.perf_counter() - began) * 1000
        return seen

    return ask


class LostAnswer(Exception):
    """A request that got no answer: the stream reported an error, ended without the final answer, or took longer
    than the asker waits."""


class ToldToRetry(Exception):
    """The server said it was busy (429) and the asker's retries or its time budget ran out; ``retry_after_s``:
    the server's last Retry-After."""

    def __init__(self, retry_after_s: float, busy_replies: int) -> None:
        self.retry_after_s, self.busy_replies = retry_after_s, busy_replies
        super().__init__(f"told to retry after {retry_after_s:g} s ({busy_replies} busy replies)")


def _retry_after_s(err: urllib.error.HTTPError) -> float:
    """The Retry-After of a 429 in seconds (1 when missing or not a number)."""
    try:
        return max(0.0, float(err.headers.get("Retry-After", "1")))
    except (TypeError, ValueError):
        return 1.0


class HttpAsker:
    """Asks one running server (``zzbot serve``, an app worker) through its OpenAI-compatible streaming
    endpoint, noting when the sources, the first place in line and the first draft token arrived (the extra
    ``zzbot`` field of each chunk). ``backend`` None: the server's own default backend. ``answered_by`` counts
    the backend of each final answer ("extractive" after a fallback, e.g. when the model server timed out).

    A request waits at most ``timeout_s`` for its final answer (then it is lost, not hung). Told to retry (429),
    it waits the server's Retry-After and asks again, at most ``retries`` times and only while the wait ends
    within ``retry_budget_s`` of its start; then it raises ToldToRetry. ``busy_replies`` counts the 429s seen,
    ``retried_answers`` the answers that came after at least one."""

    def __init__(self, url: str, backend: str | None = None, timeout_s: float = 600, retries: int = 0,
                 retry_budget_s: float = 120) -> None:
        if timeout_s <= 0 or retries < 0 or retry_budget_s < 0:
            raise ValueError(f"want timeout_s > 0 and retries, retry_budget_s >= 0; got {timeout_s}, {retries}, "
                             f"{retry_budget_s}")
        self.url, self.backend, self.timeout_s = url.rstrip("/"), backend, timeout_s
        self.retries, self.retry_budget_s = retries, retry_budget_s
        self.answered_by: Counter[str] = Counter()
        self.busy_replies = 0
        self.retried_answers = 0
        self._lock = threading.Lock()

    def __call__(self, question: str) -> dict[str, float]:
        began = time.perf_counter()
        for attempt in itertools.count():
            try:
                seen = self._ask_once(question, began)
            except urllib.error.HTTPError as err:
                if err.code != 429:
                    raise LostAnswer(f"{self.url}: HTTP {err.code} {err.reason}") from err
                wait = _retry_after_s(err)
                with self._lock:
                    self.busy_replies += 1
                if attempt >= self.retries or time.perf_counter() - began + wait > self.retry_budget_s:
                    raise ToldToRetry(wait, attempt + 1) from err
                time.sleep(wait)
                continue
            if attempt:
                with self._lock:
                    self.retried_answers += 1
            return seen
        raise AssertionError("unreachable")

    def _ask_once(self, question: str, began: float) -> dict[str, float]:
        body: dict[str, Any] = {"model": "zzbot", "stream": True, "messages": [{"role": "user", "content": question}]}
        if self.backend:
            body["backend"] = self.backend
        request = urllib.request.Request(self.url + "/v1/chat/completions", json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        seen: dict[str, float] = {}
        final: Mapping[str, Any] | None = None
        left_s = self.timeout_s - (time.perf_counter() - began)
        with urllib.request.urlopen(request, timeout=max(left_s, 0.1)) as response:
            for raw in response:
                if time.perf_counter() - began > self.timeout_s:
                    raise LostAnswer(f"{self.url}: no final answer within {self.timeout_s:g} s")
                line = raw.decode("utf-8").strip()
                if not line.startswith("data: {"):
                    continue
                data = json.loads(line[6:])
                if "error" in data:
                    raise LostAnswer(f"{self.url}: {data['error'].get('message', data['error'])}")
                extra = data.get("zzbot", {})
                moment = {"sources": "sources", "queue": "queue", "token": "first_token"}.get(extra.get("kind") or "")
                if moment and moment not in seen:
                    seen[moment] = (time.perf_counter() - began) * 1000
                if extra.get("kind") == "final":
                    seen.setdefault("first_token", (time.perf_counter() - began) * 1000)
                    final = extra.get("result") or {}
        if final is None:
            raise LostAnswer(f"{self.url}: the stream ended without a final answer")
        with self._lock:
            self.answered_by[str(final.get("backend", "?"))] += 1
        return seen


def http_asker(url: str, backend: str | None = None, retries: int = 0) -> HttpAsker:
    return HttpAsker(url, backend, retries=retries)


def round_robin(askers: Sequence[AskFn]) -> AskFn:
    """Sends each question to the next asker in turn, as a round-robin load balancer would."""
    if not askers:
        raise ValueError("round_robin needs at least one asker")
    turn = itertools.count()
    lock = threading.Lock()

    def ask(question: str) -> Mapping[str, float]:
        with lock:
            index = next(turn) % len(askers)
        return askers[index](question)

    return ask


def served_users(urls: Sequence[str], questions: Sequence[str], users: Sequence[int],
                 retries: int = 0) -> list[PathLatency]:
    """Concurrent users through running servers, round-robin: one row per number of users (each asking
    ``max(1, 4 // users)`` questions, like the in-process rows), noting which backend gave each answer (a model
    server that timed out shows as extractive answers) and how many busy replies (429) came; a request told to
    retry ``retries`` times over counts as a failure."""
    rows = []
    for n in users:
        askers = [http_asker(url, retries=retries) for url in urls]
        row = concurrent(round_robin(askers), questions, n, rounds=max(1, 4 // n),
                         path=f"{n} users via {len(urls)} server{'s' if len(urls) > 1 else ''}")
        answered_by = sum((a.answered_by for a in askers), Counter())
        row.note = "answered by " + (", ".join(f"{name} {count}" for name, count in sorted(answered_by.items()))
                                     or "no server")
        busy = sum(a.busy_replies for a in askers)
        if busy:
            row.note += f"; {busy} busy replies (429), {sum(a.retried_answers for a in askers)} answered on retry"
        rows.append(row)
    return rows


def sequential(path: str, ask: AskFn, questions: Sequence[str]) -> PathLatency:
    totals, moments = [], []
    for question in questions:
        began = time.perf_counter()
        moments.append(ask(question))
        totals.append((time.perf_counter() - began) * 1000)
    return _stats(path, totals, moments)


def concurrent(ask: AskFn, questions: Sequence[str], users: int, rounds: int = 1, path: str = "") -> PathLatency:
    """``users`` threads start together; each asks ``rounds`` questions in turn (user i takes questions i,
    i + users, …). A request that raises counts as a failure (a lost answer), and the others go on. ``path``
    names the row (default "N concurrent users")."""
    start = threading.Barrier(users)
    results: list[tuple[float, Mapping[str, float]] | None] = []
    lock = threading.Lock()

    def user(index: int) -> None:
        start.wait()
        for r in range(rounds):
            question = questions[(index + r * users) % len(questions)]
            began = time.perf_counter()
            try:
                seen = ask(question)
            except Exception:  # noqa: BLE001 - a lost request is what this measures
                outcome = None
            else:
                outcome = ((time.perf_counter() - began) * 1000, seen)
            with lock:
                results.append(outcome)

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user, range(users)))
    done = [r for r in results if r is not None]
    return _stats(path or f"{users} concurrent user{'s' if users > 1 else ''}", [t for t, _ in done], [s for _, s in done],
                  failures=len(results) - len(done))


def naive_asker(pipeline: Any) -> AskFn:
    def ask(question: str) -> dict[str, float]:
        timings = pipeline.ask(question).timings_ms
        return {"first_token": timings["first_token"]} if "first_token" in timings else {}

    return ask


# -- the table -----------------------------------------------------------------------------------------------


def _p(stats: Mapping[str, float] | None) -> str:
    return f"{stats['p50']:.0f} / {stats['p95']:.0f}" if stats else "-"


def _ratio(stats: Mapping[str, float] | None, warm: Mapping[str, float] | None) -> str:
    return f"{stats['p50'] / warm['p50']:.1f}×" if stats and warm and warm.get("p50") else "-"


def format_paths(paths: Sequence[PathLatency], warm_path: str = "warm") -> str:
    """One row per path: p50 / p95 of the total and of the first token, each with its p50's ratio to the warm
    path's; then the other moments seen (sources, queue…)."""
    warm = next((p for p in paths if p.path == warm_path), None)
    lines = [f"{'path':<34} {'n':>3} {'fail':>4} {'total p50 / p95':>16} {'× warm':>7} "
             f"{'first token':>14} {'× warm':>7}  other moments (p50 / p95)"]
    for p in paths:
        others = ", ".join(f"{name} {_p(stats)}" for name, stats in p.moments.items())
        lines.append(f"{p.path:<34} {p.n:>3} {p.failures:>4} {_p(p.total):>16} "
                     f"{_ratio(p.total, warm.total if warm else None):>7} {_p(p.first_token):>14} "
                     f"{_ratio(p.first_token, warm.first_token if warm else None):>7}  {others}"
                     + (f"  ({p.note})" if p.note else ""))
    return "\n".join(lines)
