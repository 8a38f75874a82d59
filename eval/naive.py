"""The baseline most peers ship, run in the same process as our chain so the comparison is fair.

LangChain's RecursiveCharacterTextSplitter (500 characters, 50 overlap) over the same documents,
vectors from our loaded embedder in an in-memory Chroma collection, dense top-3, the same LLM with
a plain "answer from the context" prompt, on the raw last message (no follow-up rewrite) and with
no figure verification. The figures of its answers are checked against its passages afterwards,
only to measure them. With the extractive backend there is no LLM: it answers with its top chunk.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from zzbot import figure_check
from bot.engine import Engine
from bot.llm.client import Waiting
from bot.understand.questions import clean_question, detect_lang
from bot.schema import AnswerResult, Citation, FigureCheck, Lang
from eval.metrics import RETRIEVAL_K
from index.documents import load_documents
from index.store import ChromaEmbeddingFunction
from zzbot.settings import PROJECT_ROOT

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
TOP_K = 3
_DONT_KNOW = re.compile(
    r"(?:don'?t|do not|doesn'?t|does not) (?:know|contain|mention|say|specify|provide|include)"
    r"|not (?:mentioned|specified|provided|included|available)|no (?:information|mention)"
    r"|cannot (?:answer|determine|find)|can'?t (?:answer|determine|find)|unable to"
    r"|不知道|没有提到|未提到|没有提及|未提及|无法|没有相关|不包含|未包含|没有包含|未说明|没有说明|没有给出|未给出",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NaiveChunk:
    chunk_id: str
    source: str
    text: str
    start: int


class NaivePipeline:
    def __init__(self, engine: Engine, backend: str) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaClientSettings

        self.engine = engine
        self.backend = backend
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        pieces = [
            (doc.source, piece) for doc in load_documents(engine.settings.documents)
            for piece in splitter.create_documents([doc.text])
        ]
        self.chunks = [
            NaiveChunk(f"naive-{n}", source, piece.page_content, int(piece.metadata["start_index"]))
            for n, (source, piece) in enumerate(pieces)
        ]
        client = chromadb.EphemeralClient(settings=ChromaClientSettings(anonymized_telemetry=False))
        self.collection = client.create_collection(
            f"naive-{uuid.uuid4().hex}",
            embedding_function=ChromaEmbeddingFunction(engine.embedder),
            metadata={"hnsw:space": "cosine"},
        )
        self.collection.add(
            ids=[c.chunk_id for c in self.chunks],
            embeddings=engine.embedder.embed_texts([c.text for c in self.chunks]),
            documents=[c.text for c in self.chunks],
        )
        self._by_id = {c.chunk_id: c for c in self.chunks}

    def search(self, query: str, k: int) -> list[tuple[NaiveChunk, float]]:
        """Dense top-k: (chunk, cosine similarity)."""
        vector = self.engine.embedder.embed_queries([query])[0]
        found = self.collection.query(
            query_embeddings=[vector], n_results=min(k, len(self.chunks)), include=["distances"]
        )
        return [(self._by_id[cid], 1.0 - d) for cid, d in zip(found["ids"][0], found["distances"][0], strict=True)]

    def passages(self, query: str, k: int = RETRIEVAL_K) -> list[str]:
        """Texts of the top-k chunks, for retrieval metrics."""
        return [c.text for c, _ in self.search(query, k)]

    def ask(self, question: str) -> AnswerResult:
        began = time.perf_counter()
        settings = self.engine.settings
        question = clean_question(question, settings.question_max_chars)
        lang = detect_lang(question)
        hits = self.search(question, TOP_K)
        timings = {"retrieve": _ms(began)}
        citations = [
            Citation(n=n, chunk_id=c.chunk_id, source=c.source, section="", text=c.text,
                     start=c.start, end=c.start + len(c.text), score=round(score, 6))
            for n, (c, score) in enumerate(hits, start=1)
        ]
        generating = time.perf_counter()
        if self.backend == "extractive":
            answer, found = citations[0].text, True
        else:
            llm = self.engine.backend(self.backend, role="naive")
            answer = ""
            answer = ""
            for piece in llm.stream(_messages(question, citations, lang), settings.llm.max_tokens):
                if isinstance(piece, Waiting):  # in the model's line behind other questions
                    continue
                timings.setdefault("first_token", _ms(began))
                answer += piece
            answer = answer.strip()
            found = bool(answer) and not _DONT_KNOW.search(answer)
        timings["generate"] = _ms(generating)
        checks = [
            c for c in figure_check.match_figures(answer, [c.text for c in citations])
            if c.figure.kind == "number" or c.figure.text not in question
        ]
        timings["total"] = _ms(began)
        return AnswerResult(
            question=question, standalone_question=question, answer=answer, found=found,
            verified=all(c.found for c in checks), citations=citations, backend=self.backend,
            timings_ms={k: round(v, 1) for k, v in timings.items()}, lang=lang,
            figures=[FigureCheck(c.figure.text, c.found, None if c.source_index is None else c.source_index + 1)
                     for c in checks],
        )


def _messages(question: str, citations: list[Citation], lang: Lang) -> list[dict[str, str]]:
    system = (PROJECT_ROOT / "prompts" / f"naive.{lang}.md").read_text(encoding="utf-8").strip()
    context = "\n\n".join(c.text for c in citations)
    if lang == "zh":
        user = f"上下文：\n{context}\n\n问题：{question}\n回答："
    else:
        user = f"Context:\n{context}\n\nQuestion: {question}\nAnswer:"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
