"""Speed and memory benchmark: index build, search and answer latency as the corpus grows (issues 2 and 3),
faster ways to run the embedder checked against fp32, and answer latency along every path a user takes
(cold `bot ask`, `bot ask --file`, warm, concurrent users, the naive baseline; eval/latency.py; issue 12).

    python -m eval.bench                                   # 1×, 10×, 100× and 1000× the report, every path, local
    python -m eval.bench --scales 1,10 --search-scale 0 --answers 4 --backend extractive --json /tmp/bench.json
    python -m eval.bench --scales 1 --search-scale 0 --skip-options --cold 3 --users 1,4   # latency paths mostly

Everything is built in temporary folders; the real index (var/chroma) is never touched. Copies of the report
are distinct documents (own file name, own first line). Up to ``--embed-limit`` copies (default 100) they are
embedded for real, each copy another place's report differing in every unit (eval/bench_index.varied_copy);
above it the copies keep the report's text, their vectors are reused from the 1× build and the embedding time is
estimated from the measured throughput (marked "est."). Latencies are in ms, sizes in MB; each scale records the
load average after its build (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.policy.chain import AnswerChain
from bot.engine import Engine
from eval.latency import (
    PathLatency,
    chain_asker,
    cli_env,
    cold_asks,
    concurrent,
    served_users,
    file_asks,
    format_paths,
    naive_asker,
    percentiles,
    sequential,
)
from eval.bench_index import (QUESTIONS, ScaleResult, TimedModel, bench_scale, embedding_options, onnx_option,
                              open_store, timed_embedder, units_of, vector_cache, with_chroma_path, write_copies)
from index.documents import Document, load_documents
from index.embeddings import Embedder
from zzbot.settings import Settings, load_settings

log = logging.getLogger(__name__)

WARM = "warm"  # the path the others are compared with


@dataclass(frozen=True)
class PathOptions:
    """Which answer paths to time besides the warm one (eval/latency.py)."""

    cold: int = 5  # new `bot ask` processes, one question each (0: none); one more first run, with no saved state
    file: bool = True  # one `bot ask --file` process answering --answers questions
    users: tuple[int, ...] = (1, 4, 10)  # concurrent users through the chain, or through ``http``
    naive: bool = True  # the naive baseline's answers beside ours
    # Running servers (``zzbot serve``, app workers): concurrent users also ask their OpenAI-compatible API,
    # round-robin, each server answering with its own default backend; timed beside the in-process users.
    http: tuple[str, ...] = ()
    http_retries: int = 0  # times a request told to retry (429) waits its Retry-After and asks again


@dataclass
class Bench:
    cpus: int
    load_average: dict[str, list[float]] = field(default_factory=dict)  # 1/5/15-minute averages, start and end
    embedder_load_s: float = 0.0
    embedder: str = ""  # dtype and batch size as configured
    llm_load_s: float | None = None
    scales: list[ScaleResult] = field(default_factory=list)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # backend → stage → p50/p95
    paths: list[PathLatency] = field(default_factory=list)  # answer latency along each path, warm first
    embedding_options: list[dict[str, Any]] = field(default_factory=list)


def bench_answers(chain: AnswerChain, backend: str, n: int) -> tuple[dict[str, Any], PathLatency]:
    """Latency of each answer stage over ``n`` questions, after one warm-up answer; and the same answers as the
    warm path (total and first token as the chain timed them)."""
    chain.ask(QUESTIONS[-1], backend=backend)
    results = [chain.ask(q, backend=backend) for q in (QUESTIONS * (n // len(QUESTIONS) + 1))[:n]]
    stages = ("retrieve", "first_token", "generate", "total")
    summary: dict[str, Any] = {"n": n, "fallbacks": sum(r.fallback_reason is not None for r in results)}
    for stage in stages:
        values = [r.timings_ms[stage] for r in results if stage in r.timings_ms]
        if values:
            summary[stage] = percentiles(values)
    log.info("answers with %s: %s", backend, summary)
    firsts = [r.timings_ms["first_token"] for r in results if "first_token" in r.timings_ms]
    warm = PathLatency(WARM, n, summary["total"], percentiles(firsts) if firsts else None,
                       note=f"{backend}, one process, prompts primed")
    return summary, warm


def run_bench(settings: Settings, scales: Sequence[int], answers: int, backend: str, embed_limit: int,
              options: bool = True, paths: PathOptions | None = None) -> Bench:
    """Every measurement, in an order that keeps memory readings honest: index scales in ascending order
    (the LLM not yet loaded), then answers on the 1× index (and the other answer paths when ``paths`` is
    given), then the embedding options."""
    bench = Bench(cpus=os.cpu_count() or 1, load_average={"start": [round(x, 2) for x in os.getloadavg()]})
    began = time.perf_counter()
    embedder, timer = timed_embedder(settings)
    bench.embedder_load_s = round(time.perf_counter() - began, 2)
    bench.embedder = f"{embedder.name}, {embedder.dtype}, batch {embedder.batch_size}"
    report = load_documents(settings.documents)
    with tempfile.TemporaryDirectory(prefix="zzbot-bench-") as tmp:
        bench.scales = bench_scales(settings, embedder, timer, report, scales, embed_limit, Path(tmp))
        bench.scales[0].build_with_load_s = round(bench.scales[0].build_s + bench.embedder_load_s, 2)
        # Runtime state (saved prompt states) of its own, so the first cold run finds none.
        first = with_chroma_path(settings, Path(tmp) / "chroma-1").model_copy(update={"var_dir": Path(tmp) / "var"})
        bench_paths(bench, first, answers, backend, paths)
        if options:
            texts = [u for doc in report for u in units_of(doc, settings)]
            bench.embedding_options = [*embedding_options(settings, texts, QUESTIONS), onnx_option(settings)]
    bench.load_average["end"] = [round(x, 2) for x in os.getloadavg()]
    return bench


def bench_scales(settings: Settings, embedder: Embedder, timer: TimedModel, report: Sequence[Document],
                 scales: Sequence[int], embed_limit: int, tmp: Path) -> list[ScaleResult]:
    """Each scale built and searched in ``tmp``; the 1× index (chroma-1) is kept for the answers."""
    results: list[ScaleResult] = []
    cache: dict[str, np.ndarray] | None = None
    reference: float | None = None
    first = with_chroma_path(settings, tmp / "chroma-1")
    for scale in sorted({1, *scales}):
        scaled = first if scale == 1 else with_chroma_path(settings, tmp / f"chroma-{scale}")
        embedded = scale <= embed_limit
        documents = report if scale == 1 else load_documents(write_copies(settings.documents[0], tmp / f"docs-{scale}",
                                                                          scale, varied=embedded))
        result = bench_scale(scaled, embedder, timer, documents, scale, None if embedded else cache, reference)
        if scale == 1:
            with open_store(first, embedder) as store:
                cache = vector_cache(store, report)
        if result.embedded:
            reference = result.units_per_s
        results.append(result)
        if scale != 1:
            shutil.rmtree(tmp / f"chroma-{scale}")
            shutil.rmtree(tmp / f"docs-{scale}")
    return results


def bench_paths(bench: Bench, settings: Settings, answers: int, backend: str, paths: PathOptions | None) -> None:
    """The answer paths on the 1× index at ``settings``: a first cold run with nothing saved, the warm engine
    (loaded, every prompt primed: the states the later cold runs restore), the cold runs, `bot ask --file`,
    then in the warm process the answers, concurrent users and the naive baseline."""
    env = cli_env(settings.chroma_path, settings.var_dir, backend)
    questions = (QUESTIONS * (answers // len(QUESTIONS) + 1))[:answers]
    if paths and paths.cold:
        bench.paths.append(cold_asks(QUESTIONS[:1], env, "cold `bot ask`, first run"))
    engine = Engine(settings)  # the bot's own embedder and model, as the app and the CLI load them
    chain = AnswerChain(engine)
    if backend != "extractive":
        began = time.perf_counter()
        chain.warm_up(backend)  # as the UI does: every prompt's context loaded and primed
        bench.llm_load_s = round(time.perf_counter() - began, 2)
    if paths and paths.cold:
        bench.paths.append(cold_asks(QUESTIONS[:paths.cold], env))
    if paths and paths.file:
        bench.paths.append(file_asks(questions, env))
    for name in dict.fromkeys((backend, "extractive")):
        bench.answers[name], warm = bench_answers(chain, name, answers)
        if name == backend:
            bench.paths.insert(0, warm)
    for users in paths.users if paths else ():
        bench.paths.append(concurrent(chain_asker(chain, backend), QUESTIONS, users, rounds=max(1, 4 // users)))
    if paths and paths.http:
        bench.paths += served_users(paths.http, QUESTIONS, paths.users, paths.http_retries)
    if paths and paths.naive:
        from eval.naive import NaivePipeline

        naive = NaivePipeline(engine, backend)
        naive.ask(QUESTIONS[-1])
        bench.paths.append(sequential("naive baseline (warm)", naive_asker(naive), questions))
    engine.store.client.close()


# -- command line ---------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _p(stats: dict[str, float] | None) -> str:
    return f"{_ms(stats['p50'])} / {_ms(stats['p95'])}" if stats else "-"


def format_bench(bench: Bench) -> str:
    lines = [
        f"machine: {bench.cpus} CPUs, load average {bench.load_average['start']} at start, "
        f"{bench.load_average.get('end')} at end",
        f"model load: embedder ({bench.embedder}) {bench.embedder_load_s:.1f} s"
        + (f", LLM with its prompts primed {bench.llm_load_s:.1f} s" if bench.llm_load_s is not None else ""),
        "",
        "index build and search (latencies in ms as p50 / p95)",
        f"{'scale':>6} {'docs':>5} {'units':>7} {'build s':>12} {'units/s':>8} {'passages/s':>11} "
        f"{'open s':>7} {'query':>11} {'embed q':>9} {'dense':>9} {'bm25':>9} {'RSS MB':>7} {'peak MB':>8} load",
    ]
    for r in bench.scales:
        est = "" if r.embedded else "est."
        lines.append(
            f"{r.scale:>5}× {r.documents:>5} {r.units:>7} {r.build_s:>7.1f} {est:<4} {r.units_per_s:>8.1f} "
            f"{r.passages_per_s:>11.2f} {r.open_s:>7.2f} {_p(r.query_ms):>11} {_p(r.embed_query_ms):>9} "
            f"{_p(r.dense_ms):>9} {_p(r.keyword_ms):>9} {r.rss_mb:>7.0f} {r.peak_rss_mb:>8.0f} "
            f"{' '.join(f'{x:.1f}' for x in r.load_average)}"
        )
    first = bench.scales[0]
    lines += [f"1× build with the embedder load: {first.build_with_load_s:.1f} s. est. = vectors reused from the 1× "
              "build: writes measured, embedding time (so units/s, passages/s) taken at the real throughput; "
              "load = the 1/5/15-minute load average after the build",
              "open s = opening the store and building the searcher (keyword index); query = fused hybrid search "
              "incl. query embedding; embed q, dense (Chroma), bm25 = its stages alone",
              "", "answer latency on the 1× index (ms as p50 / p95)",
              f"{'backend':<11} {'n':>3} {'fallbacks':>9} {'retrieve':>11} {'first token':>12} {'generate':>13} "
              f"{'total':>13}"]
    for name, a in bench.answers.items():
        lines.append(f"{name:<11} {a['n']:>3} {a['fallbacks']:>9} {_p(a.get('retrieve')):>11} "
                     f"{_p(a.get('first_token')):>12} {_p(a.get('generate')):>13} {_p(a.get('total')):>13}")
    if bench.paths:
        lines += ["", "answer latency along each path, in ms (× warm: the p50 as a multiple of the warm path's)",
                  format_paths(bench.paths, WARM),
                  "cold: the whole process's wall time; --file: the process's wall time / questions (answer_total: each "
                  "answer's own); users: each request's wall time; sources / queue / first_token: when each was seen"]
    if bench.embedding_options:
        lines += ["", "embedding options (fidelity against fp32, batch 8)",
                  f"{'option':<34} {'units/s':>8} {'min cos':>8} {'mean cos':>9} {'top-5 kept':>11} {'safe':>5}"]
        for o in bench.embedding_options:
            if "unavailable" in o:
                lines.append(f"{o['option']:<34} unavailable: {o['unavailable']}")
            else:
                lines.append(f"{o['option']:<34} {o['units_per_s']:>8.1f} {o['min_cosine']:>8.4f} "
                             f"{o['mean_cosine']:>9.4f} {o['top5_overlap']:>11.3f} {'yes' if o['safe'] else 'no':>5}")
        safe = [o for o in bench.embedding_options if o.get("safe")]
        if safe:
            best = max(safe, key=lambda o: o["units_per_s"])
            lines.append(f"fastest safe option: {best['option']} ({best['units_per_s']:.1f} units/s)")
    return "\n".join(lines)


def _scales(text: str) -> list[int]:
    try:
        scales = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        scales = []
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError(f"want positive whole numbers separated by commas, got {text!r}")
    return scales


def _users(text: str) -> tuple[int, ...]:
    if not text.strip():
        return ()
    try:
        users = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        users = ()
    if not users or min(users) < 1:
        raise argparse.ArgumentTypeError(f"want positive whole numbers separated by commas, got {text!r}")
    return users


def _urls(text: str) -> tuple[str, ...]:
    urls = tuple(u.strip() for u in text.split(",") if u.strip())
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise argparse.ArgumentTypeError(f"want http:// or https:// addresses separated by commas, got {bad[0]!r}")
    return urls


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=_scales, default=[1, 10, 100],
                        help="corpus sizes as copies of the report (default 1,10,100)")
    parser.add_argument("--search-scale", type=int, default=1000, help="one more, larger scale; 0 = none")
    parser.add_argument("--embed-limit", type=int, default=100, help="largest scale embedded for real (default 100)")
    parser.add_argument("--answers", type=int, default=12, help="answers timed per backend (default 12)")
    parser.add_argument("--backend", choices=("local", "extractive"), default="local")
    parser.add_argument("--skip-options", action="store_true", help="do not compare embedding options")
    parser.add_argument("--cold", type=int, default=5, help="cold `bot ask` processes timed (default 5; 0 = none)")
    parser.add_argument("--users", type=_users, default=(1, 4, 10),
                        help="concurrent users to time, e.g. 1,4,10 (default); '' = none")
    parser.add_argument("--no-file", action="store_true", help="do not time `bot ask --file`")
    parser.add_argument("--no-naive", action="store_true", help="do not time the naive baseline")
    parser.add_argument("--http", type=_urls, default=(), metavar="URL[,URL…]",
                        help="concurrent users also ask these running servers' API, round-robin, beside the "
                             "in-process users (e.g. http://127.0.0.1:7860; scripts/scale-out.sh)")
    parser.add_argument("--http-retries", type=int, default=0, metavar="N",
                        help="a request to --http told to retry (429) waits its Retry-After and asks again, at most "
                             "N times (default 0); 50 users at once alone, without the rest: python -m eval.soak burst")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.search_scale < 0 or args.answers < 1 or args.cold < 0 or args.http_retries < 0:
        parser.error("--search-scale, --cold and --http-retries must be 0 or more and --answers positive")
    scales = args.scales + ([args.search_scale] if args.search_scale else [])

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    paths = PathOptions(cold=args.cold, file=not args.no_file, users=args.users, naive=not args.no_naive,
                        http=args.http, http_retries=args.http_retries)
    bench = run_bench(load_settings(), scales, args.answers, args.backend, args.embed_limit, not args.skip_options,
                      paths)
    print(format_bench(bench))
    if args.json:
        args.json.write_text(json.dumps(asdict(bench), ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
