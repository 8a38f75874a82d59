"""Load through the HTTP API of a running server (issue 23): many users at once, and a soak of steady users.

    python -m eval.soak burst --serve extractive --users 50 --retries 2           # starts app.py itself
    python -m eval.soak burst --url http://127.0.0.1:7860 --users 50 --retries 2  # a server already running
    python -m eval.soak soak --serve extractive --minutes 3 --users 4
    python -m eval.soak soak --url http://127.0.0.1:7860 --pid 1234 --minutes 20 --users 4

burst: ``--users`` users ask at the same moment, one question each. Each request ends answered, told to retry
(the server said 429 and the client's ``--retries`` waits of Retry-After, within ``--retry-budget`` s, ran out)
or lost (an error, no final answer, no answer within ``--timeout`` s: nothing may hang). soak: ``--users``
users ask one question after another for ``--minutes``, after ``--warmup`` s of the same load not counted; the
server's RSS (/proc/<pid>/status) before the warm-up, at the start and at the end (its growth in %), and per
minute the answers' p50 / p95 and the RSS then.

``--serve BACKEND`` starts ``app.py`` on a free loopback port with that backend and ``--max-in-flight`` as its
queue limit (``ui.max_answers_in_flight``), so the pid is known; ``--url`` needs ``--pid`` for the soak's RSS.
The questions are the dev part's single-turn questions (eval/split.json), never the test part's. Latencies in ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.latency import AskFn, HttpAsker, ToldToRetry, percentiles
from zzbot.settings import PROJECT_ROOT

READY_S = 300  # app.py loading the embedder, the index and a local model
ANSWERED, TOLD_TO_RETRY, LOST = "answered", "told_to_retry", "lost"


@dataclass(frozen=True)
class Outcome:
    """One request: how it ended, when (s since the run's start), its wall time and, lost, why."""

    kind: str
    ended_s: float
    total_ms: float
    first_token_ms: float | None = None
    detail: str = ""


def ask_once(ask: AskFn, question: str, run_start: float) -> Outcome:
    began = time.perf_counter()
    try:
        seen = ask(question)
    except ToldToRetry as err:
        kind, detail, seen = TOLD_TO_RETRY, str(err), {}
    except Exception as err:  # noqa: BLE001 - a lost request is what this counts
        kind, detail, seen = LOST, f"{type(err).__name__}: {err}"[:200], {}
    else:
        kind, detail = ANSWERED, ""
    now = time.perf_counter()
    return Outcome(kind, now - run_start, (now - began) * 1000, seen.get("first_token"), detail)


def _counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    kinds = Counter(o.kind for o in outcomes)
    return {kind: kinds[kind] for kind in (ANSWERED, TOLD_TO_RETRY, LOST)}


def _answered_percentiles(outcomes: Sequence[Outcome]) -> tuple[dict[str, float], dict[str, float]]:
    answered = [o for o in outcomes if o.kind == ANSWERED]
    firsts = [o.first_token_ms for o in answered if o.first_token_ms is not None]
    return (percentiles([o.total_ms for o in answered]) if answered else {},
            percentiles(firsts) if firsts else {})


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- many users at once ----------------------------------------------------------------------------------


@dataclass
class BurstResult:
    users: int
    answered: int
    told_to_retry: int
    lost: int
    busy_replies: int  # 429s the clients saw, answered on retry or not
    answered_on_retry: int
    total_ms: dict[str, float]  # p50 / p95 of the answered requests' wall time (waits for a retry included)
    first_token_ms: dict[str, float]
    wall_s: float
    lost_reasons: dict[str, int] = field(default_factory=dict)
    load_average: dict[str, list[float]] = field(default_factory=dict)


def burst(asker: HttpAsker, questions: Sequence[str], users: int) -> BurstResult:
    """``users`` threads ask at the same moment, one question each (user i takes question i mod n)."""
    if users < 1 or not questions:
        raise ValueError(f"a burst needs at least one user and one question, got {users} and {len(questions)}")
    load = {"start": _load_average()}
    start = threading.Barrier(users)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    began = time.perf_counter()

    def user(index: int) -> None:
        start.wait()
        outcome = ask_once(asker, questions[index % len(questions)], began)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load["end"] = _load_average()
    counts = _counts(outcomes)
    total, first = _answered_percentiles(outcomes)
    reasons = Counter(o.detail[:120] for o in outcomes if o.kind == LOST)
    return BurstResult(users, counts[ANSWERED], counts[TOLD_TO_RETRY], counts[LOST], asker.busy_replies,
                       asker.retried_answers, total, first, round(time.perf_counter() - began, 1), dict(reasons), load)


def format_burst(result: BurstResult) -> str:
    def p(stats: dict[str, float]) -> str:
        return f"{stats['p50']:.0f} / {stats['p95']:.0f} ms" if stats else "-"

    lines = [f"{result.users} users at once: answered {result.answered}, told to retry (429) {result.told_to_retry}, "
             f"lost {result.lost}; {result.busy_replies} busy replies seen, {result.answered_on_retry} answered on "
             f"retry; all done in {result.wall_s:.1f} s",
             f"answered: total p50 / p95 {p(result.total_ms)}, first token {p(result.first_token_ms)}",
             f"load average {result.load_average.get('start')} at start, {result.load_average.get('end')} at end"]
    lines += [f"lost {count}×: {reason}" for reason, count in result.lost_reasons.items()]
    return "\n".join(lines)


# -- steady users for minutes ------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """The resident set size of process ``pid`` (VmRSS in /proc/<pid>/status), in kB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError as err:
        raise ValueError(f"cannot read the memory of process {pid}: {err}") from err
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"process {pid} reports no VmRSS (a kernel thread or a zombie?)")


@dataclass
class Minute:
    """The requests that ended in one bucket of the soak (a minute by default), and the RSS at its end."""

    index: int
    answered: int
    told_to_retry: int
    lost: int
    total_ms: dict[str, float]
    rss_kb: int | None = None


def per_bucket(outcomes: Sequence[Outcome], bucket_s: float, buckets: int) -> list[Minute]:
    """The outcomes grouped by the bucket they ended in; one still running at the end counts in the last."""
    grouped: list[list[Outcome]] = [[] for _ in range(buckets)]
    for outcome in outcomes:
        grouped[min(int(outcome.ended_s // bucket_s), buckets - 1)].append(outcome)
    minutes = []
    for index, group in enumerate(grouped):
        counts = _counts(group)
        minutes.append(Minute(index + 1, counts[ANSWERED], counts[TOLD_TO_RETRY], counts[LOST],
                              _answered_percentiles(group)[0]))
    return minutes


@dataclass
class SoakResult:
    users: int
    duration_s: float
    rss_start_kb: int
    rss_end_kb: int
    rss_growth_pct: float
    answered: int
    told_to_retry: int
    lost: int
    total_ms: dict[str, float]
    minutes: list[Minute]
    load_average: dict[str, list[float]] = field(default_factory=dict)
    warmup_s: float = 0.0
    rss_before_warmup_kb: int | None = None


def _steady_users(ask: AskFn, questions: Sequence[str], users: int, duration_s: float) -> tuple[
        list[threading.Thread], list[Outcome], float]:
    """``users`` threads started, each asking one question after another (the questions in turn, shared) until
    ``duration_s`` has passed; a request still running then finishes. Returns the threads, the list their
    outcomes go into and the start time."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    turn = iter(range(sys.maxsize))
    began = time.perf_counter()

    def user() -> None:
        while time.perf_counter() - began < duration_s:
            with lock:
                question = questions[next(turn) % len(questions)]
            outcome = ask_once(ask, question, began)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for thread in threads:
        thread.start()
    return threads, outcomes, began


def soak(ask: AskFn, questions: Sequence[str], users: int, duration_s: float, pid: int,
         bucket_s: float = 60, rss: Callable[[int], int] = rss_kb, warmup_s: float = 0) -> SoakResult:
    """Steady users for ``duration_s``, after ``warmup_s`` of the same users not counted (the server's caches
    and its threads' memory filled, so the growth measured is the steady one). The RSS of ``pid`` is read
    before the warm-up, at the start, at the end of each bucket and once every request has ended."""
    if users < 1 or duration_s <= 0 or bucket_s <= 0 or warmup_s < 0 or not questions:
        raise ValueError(f"a soak needs users >= 1, a positive duration and bucket, no negative warm-up, and "
                         f"questions; got {users}, {duration_s}, {bucket_s}, {warmup_s}, {len(questions)}")
    buckets = max(1, round(duration_s / bucket_s))
    before_kb = rss(pid)
    if warmup_s:
        for thread in _steady_users(ask, questions, users, warmup_s)[0]:
            thread.join()
    load, start_kb = {"start": _load_average()}, rss(pid)
    threads, outcomes, began = _steady_users(ask, questions, users, duration_s)
    samples = []
    for index in range(1, buckets + 1):
        time.sleep(max(0.0, began + index * bucket_s - time.perf_counter()))
        samples.append(rss(pid))
    for thread in threads:
        thread.join()
    end_kb = rss(pid)
    load["end"] = _load_average()
    minutes = per_bucket(outcomes, bucket_s, buckets)
    for minute, sample in zip(minutes, samples):
        minute.rss_kb = sample
    counts = _counts(outcomes)
    return SoakResult(users, round(time.perf_counter() - began, 1), start_kb, end_kb,
                      round(100 * (end_kb - start_kb) / start_kb, 1), counts[ANSWERED], counts[TOLD_TO_RETRY],
                      counts[LOST], _answered_percentiles(outcomes)[0], minutes, load, warmup_s, before_kb)


def format_soak(result: SoakResult, bucket: str = "minute") -> str:
    lines = [f"soak: {result.users} steady users for {result.duration_s:.0f} s: answered {result.answered}, told to "
             f"retry {result.told_to_retry}, lost {result.lost}; total p50 / p95 "
             + (f"{result.total_ms['p50']:.0f} / {result.total_ms['p95']:.0f} ms" if result.total_ms else "-"),
             f"server RSS {result.rss_start_kb / 1024:.1f} MB at the start, {result.rss_end_kb / 1024:.1f} MB at the "
             f"end: {result.rss_growth_pct:+.1f}%"
             + (f" (before {result.warmup_s:.0f} s of warm-up: {result.rss_before_warmup_kb / 1024:.1f} MB)"
                if result.warmup_s and result.rss_before_warmup_kb else ""),
             f"load average {result.load_average.get('start')} at start, {result.load_average.get('end')} at end",
             f"{bucket:>6} {'answered':>8} {'retry':>5} {'lost':>4} {'p50 ms':>8} {'p95 ms':>8} {'RSS MB':>7}"]
    for m in result.minutes:
        p50, p95 = (f"{m.total_ms['p50']:.0f}", f"{m.total_ms['p95']:.0f}") if m.total_ms else ("-", "-")
        rss = f"{m.rss_kb / 1024:.1f}" if m.rss_kb is not None else "-"
        lines.append(f"{m.index:>6} {m.answered:>8} {m.told_to_retry:>5} {m.lost:>4} {p50:>8} {p95:>8} {rss:>7}")
    return "\n".join(lines)


# -- the server and the questions --------------------------------------------------------------------------


def dev_questions(root: Path = PROJECT_ROOT) -> list[str]:
    """The dev part's single-turn questions (no claims, no follow-ups), in the dataset's order; a wording that
    a test-part case shares is left out."""
    split = json.loads((root / "eval" / "split.json").read_text(encoding="utf-8"))
    cases = [json.loads(line) for line in (root / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    dev, test = set(split["dev"]), set(split["test"])
    sealed = {c["question"] for c in cases if c["id"] in test}
    return [c["question"] for c in cases if c["id"] in dev and not c.get("history")
            and "verdict" not in c and c["question"] not in sealed]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(backend: str, max_in_flight: int, folder: Path) -> Iterator[tuple[str, int]]:
    """``app.py`` on a free loopback port with ``backend`` and the queue limit ``max_in_flight``, its log and
    feedback in ``folder``; yields its URL and pid once it has given one answer, and stops it on exit."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ZZBOT_UI__HOST": "127.0.0.1", "ZZBOT_UI__PORT": str(port), "ZZBOT_LLM__BACKEND": backend,
           "ZZBOT_UI__MAX_ANSWERS_IN_FLIGHT": str(max_in_flight),
           "ZZBOT_UI__FEEDBACK_PATH": str(folder / "feedback.jsonl"), "GRADIO_ANALYTICS_ENABLED": "False",
           "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    log_path = folder / "app.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        _wait_until_answering(url, process, log_path)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_S
    while True:
        if process.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"app.py did not answer on {url} within {READY_S} s; its log: {log_path}")
        time.sleep(1)
    HttpAsker(url, timeout_s=READY_S, retries=10)(dev_questions()[0])  # the warm-up answer


# -- command line ---------------------------------------------------------------------------------------


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise argparse.ArgumentTypeError(f"want a positive number, got {text!r}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("burst", "soak"))
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running server, e.g. http://127.0.0.1:7860 (loopback or your own)")
    where.add_argument("--serve", choices=("local", "openai", "extractive"), metavar="BACKEND",
                       help="start app.py with this backend (local, openai, extractive)")
    parser.add_argument("--pid", type=_positive(int), help="the --url server's process id (the soak's RSS)")
    parser.add_argument("--max-in-flight", type=_positive(int), default=16,
                        help="--serve: the server's queue limit, ui.max_answers_in_flight (default 16)")
    parser.add_argument("--users", type=_positive(int), help="users (default: 50 burst, 4 soak)")
    parser.add_argument("--minutes", type=_positive(float), default=20.0, help="soak: how long (default 20)")
    parser.add_argument("--warmup", type=float, default=60.0,
                        help="soak: s of the same users before the start, not counted (default 60; 0 = none)")
    parser.add_argument("--retries", type=int, default=2, help="retries after a 429 per request (default 2)")
    parser.add_argument("--retry-budget", type=_positive(float), default=120.0,
                        help="s from a request's start within which a retry must begin (default 120)")
    parser.add_argument("--timeout", type=_positive(float), default=600.0,
                        help="s a request waits for its final answer before it counts as lost (default 600)")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.retries < 0 or args.warmup < 0:
        parser.error("--retries and --warmup must be 0 or more")
    if args.mode == "soak" and args.url and not args.pid:
        parser.error("a soak of --url needs --pid, the server's process id, to read its RSS")
    questions = dev_questions()
    with contextlib.ExitStack() as stack:
        if args.serve:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zzbot-soak-")))
            print(f"starting app.py ({args.serve}, queue limit {args.max_in_flight}); log in {folder}", flush=True)
            url, pid = stack.enter_context(served(args.serve, args.max_in_flight, folder))
        else:
            url, pid = args.url, args.pid
        asker = HttpAsker(url, timeout_s=args.timeout, retries=args.retries, retry_budget_s=args.retry_budget)
        if args.mode == "burst":
            result: Any = burst(asker, questions, args.users or 50)
            text = format_burst(result)
        else:
            result = soak(asker, questions, args.users or 4, args.minutes * 60, pid, warmup_s=args.warmup)
            text = format_soak(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
