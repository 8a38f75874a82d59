"""The index side of the benchmark: building 1×, 10×, 100×… copies of the report (embedded for real up to a
limit, reused above it), searching them, and the embedder's runtimes compared (see eval/bench.py).

Copies embedded for real are each made different in every unit (another place, its own headings, figures
changed), so neither a cache nor the embedder's merging of identical inputs makes a large scale cheap; copies
above the limit differ only in their first line, so that the 1× build's vectors serve them."""

from __future__ import annotations

import copy
import gc
import logging
import os
import re
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.retrieval.retriever import HybridSearcher
from eval.latency import (
    percentiles,
)
from index.chunking import Chunk, chunk_document, sentence_units
from index.documents import Document
from index.embeddings import Embedder
from index.models import resolve_model
from index.store import ChunkStore
from zzbot.places import places
from zzbot.settings import Settings

log = logging.getLogger(__name__)

# Varied questions, alternating Chinese and English; answers take the first N.
QUESTIONS: tuple[str, ...] = (
    "市区学校今年计划增加的学位数量是多少？",
    "How many new school seats will the urban area add in 2024?",
    "今年郑州地区生产总值的预期增长目标是多少？",
    "How fast is Zhengzhou's economy meant to grow this year?",
    "郑州今年打算新建多少公里供水管网？",
    "How many kilometres of gas pipelines will be built or renovated?",
    "新能源汽车今年力争产多少辆？",
    "What output of NEVs is the city aiming for?",
    "2024年计划新增城镇就业多少人？",
    "How many urban jobs are to be created?",
    "市区新增绿地多少平方米？",
    "How many new parks and gardens will be built?",
    "保障性租赁住房筹集多少套？",
    "How many talent apartments will be allocated?",
    "全社会研发投入强度目标是多少？",
    "What is the target for R&D spending intensity?",
    "力争接待游客达到多少人次？",
    "How much total tourism revenue is targeted?",
    "粮食种植面积今年要保持在多少亩？",
    "What is the grain output target?",
    "电子信息产业集群规模要达到多少？",
    "How many high-tech enterprises will be newly recognised?",
    "城镇调查失业率控制在多少？",
    "What is the consumer price inflation target?",
    "全市养老托老床位数达到多少张？",
    "What number of extra parking places is the city planning?",
    "中原科技城计划引进多少优秀人才？",
    "How many university graduates should stay in Zhengzhou?",
    "这份报告由谁、在哪个大会上宣读？",
    "Which reforms of state-owned enterprises are planned?",
)
WARMUP_QUERIES = 3


class TimedModel:
    """The embedder's model, counting the seconds spent in it (every embed_* call ends in its encode)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.seconds = 0.0

    def encode(self, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return self.model.encode(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began

    def __getattr__(self, name: str) -> Any:  # prompts, dimension…: the model's own
        return getattr(self.model, name)


def timed_embedder(settings: Settings) -> tuple[Embedder, TimedModel]:
    """The configured sentence-transformers embedder (as index builds use it), and its timed model."""
    loaded = Embedder.load(settings)
    model = TimedModel(loaded.model)
    return Embedder(model, loaded.name, loaded.batch_size, loaded.dtype), model


class ReusingEmbedder(Embedder):
    """Gives texts already embedded their vectors from ``cache`` (identical texts, identical vectors) and embeds
    only the others, so that ChunkStore.sync itself writes a large scale's records without embedding it all."""

    def __init__(self, embedder: Embedder, cache: dict[str, np.ndarray]) -> None:
        super().__init__(embedder.model, embedder.name, embedder.batch_size, embedder.dtype)
        self.cache = cache

    def embed_many(self, inputs: Sequence[str], on_batch: Callable[[int], object] | None = None) -> np.ndarray:
        missing = list(dict.fromkeys(text for text in inputs if text not in self.cache))
        if missing:
            self.cache.update(zip(missing, super().embed_many(missing), strict=True))
        if on_batch is not None:
            on_batch(len(inputs))
        return np.stack([self.cache[text] for text in inputs]) if inputs else super().embed_many([])


@dataclass
class ScaleResult:
    scale: int
    documents: int
    passages: int
    units: int  # passages and sentence units, each one vector
    embedded: bool  # False: vectors reused from the 1× build, embedding time estimated
    embed_s: float
    write_s: float  # chunking and writing to Chroma, without embedding
    build_s: float  # embed_s + write_s
    units_per_s: float
    passages_per_s: float
    open_s: float  # opening the store and building the searcher (keyword index) from it
    query_ms: dict[str, float]  # fused hybrid search, query embedding included
    embed_query_ms: dict[str, float]
    dense_ms: dict[str, float]  # Chroma vector search alone
    keyword_ms: dict[str, float]  # BM25 alone
    rss_mb: float
    peak_rss_mb: float
    load_average: tuple[float, ...] = ()  # 1/5/15-minute, after the build (other processes share the machine)
    build_with_load_s: float | None = None  # 1× only: the build plus loading the embedder


def memory_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process."""
    status = Path("/proc/self/status").read_text().splitlines()
    current_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return current_kb / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KB


def units_of(document: Document, settings: Settings) -> list[Chunk]:
    """What ChunkStore.sync embeds and stores for a document: its passages and their sentence units."""
    chunks = chunk_document(document, settings.chunking.max_chars, settings.chunking.caption_max_chars)
    return chunks + sentence_units(chunks)


def write_copies(source: Path, folder: Path, n: int, varied: bool = False) -> list[Path]:
    """``n`` copies of a document as distinct documents: own file name, own first line; ``varied``: each copy
    also different in every unit (``varied_copy``)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    paths = [folder / f"{source.stem}-copy{i:04d}{source.suffix}" for i in range(1, n + 1)]
    for i, path in enumerate(paths, start=1):
        path.write_text(f"副本 {i}\n\n{varied_copy(text, i) if varied else text}", encoding="utf-8")
    return paths


_PLACE = "郑州"
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")


def copy_place(copy: int) -> str:
    """A place of data/places.tsv other than the report's own for each copy, numbered once they run out."""
    names = [p.chinese for p in places() if p.chinese != _PLACE and len(p.chinese) >= 2]
    name = names[(copy - 1) % len(names)]
    return name if copy <= len(names) else f"{name}{(copy - 1) // len(names) + 1}号"


def varied_copy(text: str, copy: int) -> str:
    """The report as another place's: the place renamed, every figure but a year changed in its last digit,
    and every heading naming the place, under a first section of the place's name (the title, a level-1
    heading, does not end it), so that each unit's embedder input (its section title and text) differs from
    every other copy's."""
    place = copy_place(copy)
    shift = copy % 9 + 1

    def figure(match: re.Match[str]) -> str:
        value = match.group()
        return value if _YEAR.fullmatch(value) else value[:-1] + str((int(value[-1]) + shift) % 10)

    headings = [f"{line}（{place}）" if line.startswith("##") else line
                for line in _FIGURE.sub(figure, text.replace(_PLACE, place)).splitlines()]
    return "\n".join([f"## {place}", "", *headings, ""])


def vector_cache(store: ChunkStore, documents: Sequence[Document]) -> dict[str, np.ndarray]:
    """Embedder input text → stored vector, for every unit of ``documents`` in ``store``."""
    stored = store.collection.get(include=["embeddings"])
    by_id = dict(zip(stored["ids"], np.asarray(stored["embeddings"], np.float32), strict=True))
    cache: dict[str, np.ndarray] = {}
    for doc in documents:
        units = units_of(doc, store.settings)
        cache.update((store.embedder.unit_input(u.section, u.text), by_id[u.chunk_id]) for u in units)
    return cache


def write_cached(store: ChunkStore, documents: Sequence[Document], cache: dict[str, np.ndarray]) -> int:
    """Write the documents' records through ChunkStore.sync itself, taking each vector from ``cache`` and
    embedding only texts it lacks. Returns the units written."""
    reusing = ChunkStore(store.settings, ReusingEmbedder(store.embedder, cache), client=store.client)
    return reusing.sync(documents).chunks_embedded


@contextmanager
def open_store(settings: Settings, embedder: Embedder) -> Iterator[ChunkStore]:
    """A store on its own Chroma client, closed afterwards so that the index is next read from disk and its
    memory freed (other clients of the same path are unaffected)."""
    store = ChunkStore(settings, embedder)
    try:
        yield store
    finally:
        store.client.close()
        gc.collect()


def with_chroma_path(settings: Settings, path: Path) -> Settings:
    return settings.model_copy(update={"chroma": settings.chroma.model_copy(update={"path": path})})


def measure_search(store: ChunkStore, settings: Settings, questions: Sequence[str]) -> dict[str, Any]:
    """Open the searcher on ``store`` and time each stage of a search for every question, after a warm-up."""
    began = time.perf_counter()
    searcher = HybridSearcher(store, settings.retrieval)
    open_s = time.perf_counter() - began
    n = max(settings.retrieval.candidates, settings.retrieval.k)
    for question in questions[:WARMUP_QUERIES]:
        searcher.search(question)
    stages = ("embed_query_ms", "dense_ms", "keyword_ms", "query_ms")
    times: dict[str, list[float]] = {stage: [] for stage in stages}
    for question in questions:
        clock = [time.perf_counter()]
        vector = store.embedder.embed_queries([question])[0]
        clock.append(time.perf_counter())
        store.dense_search(vector, n)
        clock.append(time.perf_counter())
        searcher.keyword.search(question, n)
        clock.append(time.perf_counter())
        searcher.search(question)
        clock.append(time.perf_counter())
        for stage, start, end in zip(stages, clock, clock[1:], strict=False):
            times[stage].append((end - start) * 1000)
    return {"open_s": open_s, **{stage: percentiles(values) for stage, values in times.items()}}


def bench_scale(settings: Settings, embedder: Embedder, timer: TimedModel, documents: Sequence[Document], scale: int,
                cache: dict[str, np.ndarray] | None, reference_units_per_s: float | None) -> ScaleResult:
    """Build the index of ``documents`` at ``settings.chroma.path``, then reopen it and time searches
    (``timer``: the embedder's model). Without a ``cache`` it is a real ChunkStore.sync; with one, vectors are
    reused and the embedding time is estimated at ``reference_units_per_s``."""
    embedded_before = timer.seconds
    with open_store(settings, embedder) as store:
        began = time.perf_counter()
        units = store.sync(documents).chunks_embedded if cache is None else write_cached(store, documents, cache)
        wall_s = time.perf_counter() - began
    load_average = tuple(round(x, 2) for x in os.getloadavg())
    spent_embedding = timer.seconds - embedded_before
    write_s = wall_s - spent_embedding
    if cache is None:
        embed_s = spent_embedding
    elif reference_units_per_s:
        embed_s = units / reference_units_per_s
    else:
        raise ValueError("estimating the embedding time needs the throughput of a real build first")
    began = time.perf_counter()
    with open_store(settings, embedder) as store:
        opened_s = time.perf_counter() - began
        search = measure_search(store, settings, QUESTIONS)
        rss, peak = memory_mb()
        passages = store.count_passages()
    log.info("%d×: %d units, build %.1f s%s, query p50 %.0f ms", scale, units, embed_s + write_s,
             "" if cache is None else " (est.)", search["query_ms"]["p50"])
    return ScaleResult(
        scale=scale, documents=len(documents), passages=passages, units=units, embedded=cache is None,
        embed_s=round(embed_s, 2), write_s=round(write_s, 2), build_s=round(embed_s + write_s, 2),
        units_per_s=round(units / embed_s, 1), passages_per_s=round(passages / embed_s, 2),
        open_s=round(opened_s + search["open_s"], 2), query_ms=search["query_ms"],
        embed_query_ms=search["embed_query_ms"], dense_ms=search["dense_ms"], keyword_ms=search["keyword_ms"],
        rss_mb=round(rss), peak_rss_mb=round(peak), load_average=load_average,
    )


def embedding_options(settings: Settings, texts: Sequence[Chunk], queries: Sequence[str],
                      batch_sizes: Sequence[int] = (8, 16, 32)) -> list[dict[str, Any]]:
    """Throughput of ways to run the embedder on ``texts`` and their fidelity to fp32 (batch 8): cosine of each
    passage/query vector to the fp32 one, and how many of each query's top-5 units stay. Loads its own fp32
    model, so the configured one (perhaps bf16) is neither the reference nor changed."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    fp32 = Embedder.load(settings.model_copy(update={
        "embedding": settings.embedding.model_copy(update={"dtype": "float32"})}))

    def run(model: Any, batch_size: int) -> tuple[float, np.ndarray, np.ndarray]:
        variant = Embedder(model, fp32.name, batch_size)
        variant.embed_chunks(texts[:8])  # warm-up
        began = time.perf_counter()
        passages = variant.embed_chunks(texts)
        return len(texts) / (time.perf_counter() - began), passages, variant.embed_queries(list(queries))

    options: list[tuple[str, Callable[[], Any], int]] = [
        *((f"fp32, batch {b}", lambda: fp32.model, b) for b in batch_sizes),
        ("int8 dynamic (Linear), batch 32",
         lambda: torch.ao.quantization.quantize_dynamic(fp32.model, {torch.nn.Linear}, dtype=torch.qint8), 32),
        *((f"bf16, batch {b}", lambda: copy.deepcopy(fp32.model).to(torch.bfloat16), b) for b in (8, 32)),
    ]
    _, reference_passages, reference_queries = run(fp32.model, 8)
    reference_top = np.argsort(-(reference_queries @ reference_passages.T), axis=1)[:, :5]
    measured: list[dict[str, Any]] = []
    for name, make, batch_size in options:
        model = make()
        units_per_s, passages, query_vectors = run(model, batch_size)
        cosines = np.concatenate([(passages * reference_passages).sum(1), (query_vectors * reference_queries).sum(1)])
        top = np.argsort(-(query_vectors @ passages.T), axis=1)[:, :5]
        overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(top, reference_top, strict=True)])
        measured.append({
            "option": name, "units_per_s": round(units_per_s, 1), "min_cosine": round(float(cosines.min()), 4),
            "mean_cosine": round(float(cosines.mean()), 4), "top5_overlap": round(float(overlap), 3),
            "safe": bool(cosines.min() >= 0.99), "threads": torch.get_num_threads(),
        })
        log.info("embedding option %s", measured[-1])
        del model
        gc.collect()
    return measured


def onnx_option(settings: Settings) -> dict[str, Any]:
    """Whether sentence-transformers' ONNX backend loads the embedder offline (exporting needs Optimum)."""
    from sentence_transformers import SentenceTransformer

    try:
        SentenceTransformer(resolve_model(settings.embedding.model, settings.model_cache, fetch=False), backend="onnx",
                            device="cpu")
    except Exception as err:  # noqa: BLE001 - any failure means the option is not available here
        return {"option": "onnx", "unavailable": str(err).splitlines()[0]}
    return {"option": "onnx", "unavailable": "it loads: export it and benchmark it before switching"}
