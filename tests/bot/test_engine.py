"""The engine builds each part once, takes parts handed in, and primes a prompt's model context from the state
a previous process saved (with a stand-in model: tests/bot/fake_llama.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_llama import FakeLlama

from bot.engine import PROMPT_STATE_DIR, Engine, Part
from bot.llm.client import LocalLlama
from bot.llm.model_queue import ModelQueue
from bot.schema import BotUnavailable
from zzbot.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(var_dir=tmp_path / "var", chroma={"path": tmp_path / "chroma"})


def _local(model_file: Path, settings: Settings) -> tuple[LocalLlama, FakeLlama]:
    fake = FakeLlama()
    return LocalLlama(model_file, settings.llm, llama=fake, queue=ModelQueue()), fake


def test_a_part_is_built_once_however_many_threads_ask_at_once() -> None:
    built: list[object] = []

    def build() -> object:
        time.sleep(0.05)
        built.append(object())
        return built[-1]

    part = Part(build)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(part.get())) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and got == built * 10


def test_a_part_that_failed_in_the_background_fails_again_for_its_user() -> None:
    attempts: list[int] = []

    def build() -> object:
        attempts.append(1)
        raise BotUnavailable("the index is empty")

    part = Part(build)
    part.start()
    with pytest.raises(BotUnavailable, match="the index is empty"):
        part.get()
    assert len(attempts) in (1, 2)  # the background attempt, then the caller's own unless it was still running


def test_parts_handed_in_are_used_not_loaded(settings: Settings) -> None:
    embedder, store = object(), SimpleNamespace(embedder=object())
    assert Engine(settings, embedder=embedder).embedder is embedder  # type: ignore[arg-type]
    engine = Engine(settings, store=store)  # type: ignore[arg-type]
    assert engine.store is store and engine.embedder is store.embedder


def test_a_missing_embedder_is_reported_with_the_fix(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path, model_cache=tmp_path / "models",
                             embedding={"model": "embeddinggemma-300m"})
    with pytest.raises(BotUnavailable, match="fetch-models"):
        Engine(settings).embedder  # noqa: B018


def test_prime_evaluates_a_role_once_and_a_new_engine_restores_it(settings: Settings, model_file: Path) -> None:
    llm, fake = _local(model_file, settings)
    first = Engine(settings, llm=llm)
    assert first.prime("local", "answer.zh") == "evaluated"
    assert first.prime("local", "answer.zh") == "evaluated"  # the same context: nothing done again
    assert len(fake.served) == 1

    again, fresh = _local(model_file, settings)
    assert Engine(settings, llm=again).prime("local", "answer.zh") == "restored"
    assert fresh.served == [] and fresh.evaluated == fake.evaluated
    saved = list((settings.var_dir / PROMPT_STATE_DIR).glob("answer.zh-*.state"))
    assert len(saved) == 1


def test_roles_without_a_prompt_and_backends_without_a_cache_are_not_primed(settings: Settings,
                                                                             model_file: Path) -> None:
    llm, fake = _local(model_file, settings)
    assert Engine(settings, llm=llm).prime("local", "naive") == "skipped" and fake.served == []

    class Remote:
        name = "openai"

        def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
            yield "答"

    remote = Remote()
    engine = Engine(settings, llm=remote)
    assert engine.prime("openai", "answer.zh") == "skipped" and engine.backend("openai", "answer.zh") is remote
    assert not (settings.var_dir / PROMPT_STATE_DIR).exists()


def test_preload_primes_the_roles_in_the_background(settings: Settings, model_file: Path) -> None:
    llm, fake = _local(model_file, settings)
    engine = Engine(settings, llm=llm, embedder=object())  # type: ignore[arg-type]
    engine.preload("local", ["rewrite.zh", "answer.zh"])
    deadline = time.monotonic() + 10
    while len(list((settings.var_dir / PROMPT_STATE_DIR).glob("*.state"))) < 2:
        assert time.monotonic() < deadline, "the roles were not primed"
        time.sleep(0.01)
    assert engine.prime("local", "answer.zh") == "evaluated"
    assert len(fake.served) == 2  # each role once, by the background thread


def test_preload_does_nothing_with_the_model_for_the_extractive_backend(settings: Settings, model_file: Path) -> None:
    llm, fake = _local(model_file, settings)
    Engine(settings, llm=llm, embedder=object()).preload("extractive", ["answer.zh"])  # type: ignore[arg-type]
    time.sleep(0.2)
    assert fake.served == []


def test_every_role_shares_the_one_local_model(settings: Settings, model_file: Path) -> None:
    llm, fake = _local(model_file, settings)
    engine = Engine(settings, llm=llm)
    answer, rewrite = engine.backend("local", "answer.zh"), engine.backend("local", "rewrite.zh")
    assert answer is engine.backend("local", "answer.zh") and answer is not rewrite
    assert answer.model is rewrite.model is llm  # type: ignore[attr-defined]
    assert (answer.label, rewrite.label) == ("answer.zh", "rewrite.zh")  # type: ignore[attr-defined]
    assert len(fake.served) == 2  # each role's prefix evaluated once
