"""The local backend around a stand-in model (tests/bot/fake_llama.py): one first-come, first-served line for
every call, each waiting caller told its place, and prompt prefixes restored from disk by a new process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.llm.client import BackendError, LocalLlama, Waiting, complete
from bot.llm.model_queue import ModelQueue
from bot.llm.prompt_cache import PromptCache

from fake_llama import FakeLlama

PREFIX = [{"role": "system", "content": "只用段落回答。"}, {"role": "user", "content": "例题"},
          {"role": "assistant", "content": "例答[1]。"}]


def _until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


class Caller(threading.Thread):
    """One user: streams a question through the backend, keeping every Waiting and the text it gets."""

    def __init__(self, llm: LocalLlama, question: str) -> None:
        super().__init__(daemon=True)
        self.llm, self.question = llm, question
        self.places: list[int] = []
        self.text = ""
        self.error: BackendError | None = None

    def run(self) -> None:
        try:
            for piece in self.llm.stream([*PREFIX, {"role": "user", "content": self.question}], 100):
                if isinstance(piece, Waiting):
                    assert not self.text, "a place in line came after the answer had begun"
                    self.places.append(piece.ahead)
                else:
                    self.text += piece
        except BackendError as err:
            self.error = err


def test_ten_callers_are_served_one_at_a_time_in_arrival_order_each_told_every_change_of_place(model_file, llm_settings):
    gate = threading.Semaphore(0)
    fake = FakeLlama(gate)
    queue = ModelQueue(poll_s=30)  # only real changes of place are reported within this test
    llm = LocalLlama(model_file, llm_settings, llama=fake, queue=queue)
    callers = [Caller(llm, f"问题{i}：" + "长" * i) for i in range(10)]
    for n, caller in enumerate(callers):  # one after another, so that arrival order is known
        caller.start()
        _until(lambda: len(queue) == n + 1 and (n == 0 or caller.places == [n]), f"caller {n} in line")
    for served in range(10):
        _until(lambda: all(c.places[-1:] == [n - served] for n, c in enumerate(callers) if n > served),
               f"every waiting caller told its place after {served} answers")
        gate.release()
        callers[served].join(timeout=10)
        assert not callers[served].is_alive()

    assert fake.served == [c.question for c in callers] and fake.overlaps == 0
    assert [c.text for c in callers] == [c.question for c in callers]  # nothing lost or mixed up
    assert [c.places for c in callers] == [list(range(n, 0, -1)) for n in range(10)]
    assert len(queue) == 0


def test_a_waiting_caller_hears_its_place_again_every_poll(model_file, llm_settings):
    gate = threading.Semaphore(0)
    queue = ModelQueue(poll_s=0.05)
    llm = LocalLlama(model_file, llm_settings, llama=FakeLlama(gate), queue=queue)
    first, second = Caller(llm, "先到"), Caller(llm, "后到")
    first.start()
    _until(lambda: len(queue) == 1, "the first call running")
    second.start()
    _until(lambda: len(second.places) >= 4, "repeated reports of the same place")
    gate.release(2)
    first.join(10)
    second.join(10)
    assert set(second.places) == {1} and second.text == "后到"


def test_a_caller_that_stops_listening_leaves_the_line_at_once(model_file, llm_settings):
    gate = threading.Semaphore(0)
    queue = ModelQueue(poll_s=30)
    fake = FakeLlama(gate)
    llm = LocalLlama(model_file, llm_settings, llama=fake, queue=queue)
    running = Caller(llm, "第一")
    running.start()
    _until(lambda: len(queue) == 1, "the first call running")
    gone = llm.stream([{"role": "user", "content": "走了"}], 10)
    assert next(gone) == Waiting(1)
    behind = Caller(llm, "第三")
    behind.start()
    _until(lambda: behind.places == [2], "the third caller behind the one that will go")

    gone.close()  # the client went away (the chain's generator is closed)
    _until(lambda: behind.places == [2, 1], "the third caller moving up")
    assert len(queue) == 2
    gate.release(2)
    running.join(10)
    behind.join(10)
    assert fake.served == ["第一", "第三"] and behind.text == "第三" and len(queue) == 0


def test_complete_returns_the_text_without_places_in_line(model_file, llm_settings):
    gate = threading.Semaphore(0)
    queue = ModelQueue(poll_s=0.01)
    llm = LocalLlama(model_file, llm_settings, llama=FakeLlama(gate), queue=queue)
    first = Caller(llm, "在前")
    first.start()
    _until(lambda: len(queue) == 1, "a call running")
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(complete(llm, [{"role": "user", "content": "答案"}], 10)))
    worker.start()
    time.sleep(0.1)  # several places reported meanwhile
    gate.release(2)
    worker.join(10)
    first.join(10)
    assert result == ["答案"]


def test_the_timeout_counts_the_models_time_not_the_wait(model_file):
    from zzbot.settings import LLMSettings

    gate = threading.Semaphore(0)
    queue = ModelQueue(poll_s=0.05)
    llm = LocalLlama(model_file, LLMSettings(timeout_s=0.3), llama=FakeLlama(gate), queue=queue)
    first = Caller(llm, "慢")
    first.start()
    _until(lambda: len(queue) == 1, "a call running")
    result: list[str] = []
    waiter = threading.Thread(target=lambda: result.append(complete(llm, [{"role": "user", "content": "等"}], 10)))
    waiter.start()
    time.sleep(0.6)  # twice the timeout in line
    gate.release(2)
    waiter.join(10)
    first.join(10)
    assert result == ["等"]
    assert first.error is not None and first.error.kind == "timeout"  # the model's own 0.6 s is too long


def test_a_model_failure_is_a_backend_error_and_frees_the_line(model_file, llm_settings):
    class Failing(FakeLlama):
        def create_chat_completion(self, **kwargs):  # type: ignore[override]
            raise ValueError("Requested tokens (5000) exceed context window of 4096")

    queue = ModelQueue()
    llm = LocalLlama(model_file, llm_settings, llama=Failing(), queue=queue)
    with pytest.raises(BackendError, match="exceed context window") as caught:
        complete(llm, [{"role": "user", "content": "长"}], 10)
    assert caught.value.kind == "failed" and len(queue) == 0


# -- prompt prefixes saved for the next process ---------------------------------------------------------


def _primed(model_file: Path, settings, cache: PromptCache, messages=PREFIX) -> tuple[str, FakeLlama]:
    """A new process's context (a fresh model object) primed with ``messages``."""
    fake = FakeLlama()
    outcome = LocalLlama(model_file, settings, llama=fake, queue=ModelQueue()).prime(messages, cache, "answer.zh")
    return outcome, fake


def test_a_new_process_restores_the_prefix_the_last_one_evaluated(model_file, llm_settings, tmp_path):
    cache = PromptCache(tmp_path / "llm-cache")
    first, evaluated = _primed(model_file, llm_settings, cache)
    second, restored = _primed(model_file, llm_settings, cache)

    assert (first, second) == ("evaluated", "restored")
    assert evaluated.served == [PREFIX[-1]["content"]] and restored.served == []  # nothing evaluated again
    assert restored.evaluated == evaluated.evaluated and restored.restored == 1
    assert [p.name for p in cache.folder.iterdir()] == [cache.path("answer.zh", _key(model_file, PREFIX)).name]


def _key(model_file: Path, messages) -> str:
    from bot.llm.prompt_cache import prefix_key

    return prefix_key(model_file, 4096, messages)


def test_other_messages_or_another_model_file_are_evaluated_again(model_file, llm_settings, tmp_path):
    cache = PromptCache(tmp_path / "llm-cache")
    _primed(model_file, llm_settings, cache)
    changed = [*PREFIX[:-1], {"role": "assistant", "content": "另一个例答[1]。"}]
    assert _primed(model_file, llm_settings, cache, changed)[0] == "evaluated"
    model_file.write_bytes(b"GGUF other weights!")  # same path, another model
    assert _primed(model_file, llm_settings, cache, changed)[0] == "evaluated"
    assert _primed(model_file, llm_settings, cache, changed)[0] == "restored"
    assert len(list(cache.folder.iterdir())) == 1  # the stale states were replaced


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_a_damaged_state_file_is_ignored_and_replaced(model_file, llm_settings, tmp_path, damage):
    cache = PromptCache(tmp_path / "llm-cache")
    _, evaluated = _primed(model_file, llm_settings, cache)
    path = next(cache.folder.iterdir())
    data = path.read_bytes()
    path.write_bytes({"truncate": data[:-7], "flip": data[:-3] + bytes([data[-3] ^ 0x40]) + data[-2:],
                      "empty": b"", "garbage": b"\x00\xff" * 100}[damage])

    outcome, fake = _primed(model_file, llm_settings, cache)
    assert outcome == "evaluated" and fake.evaluated == evaluated.evaluated
    assert path.read_bytes() == data  # written anew
    assert _primed(model_file, llm_settings, cache)[0] == "restored"


def test_a_state_the_model_refuses_is_evaluated_instead(model_file, llm_settings, tmp_path):
    class Refusing(FakeLlama):
        def load_state(self, state):  # type: ignore[override]
            raise RuntimeError("Failed to set llama state data")

    cache = PromptCache(tmp_path / "llm-cache")
    _primed(model_file, llm_settings, cache)
    fake = Refusing()
    assert LocalLlama(model_file, llm_settings, llama=fake, queue=ModelQueue()).prime(PREFIX, cache, "answer.zh") \
        == "evaluated"
    assert fake.served == [PREFIX[-1]["content"]]


def test_an_unwritable_cache_folder_only_costs_the_saving(model_file, llm_settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = PromptCache(blocker / "llm-cache")
    assert _primed(model_file, llm_settings, cache)[0] == "evaluated"
    assert _primed(model_file, llm_settings, cache)[0] == "evaluated"


def test_prompts_share_one_context_each_prefix_restored_when_another_ran_last(model_file, llm_settings, tmp_path):
    fake = FakeLlama()
    llm = LocalLlama(model_file, llm_settings, llama=fake, queue=ModelQueue())
    other = [{"role": "system", "content": "改写问题。"}]
    assert llm.prime(PREFIX, None, "answer.zh") == llm.prime(other, None, "rewrite.zh") == "evaluated"
    answer, rewrite = llm.with_prefix("answer.zh"), llm.with_prefix("rewrite.zh")

    def ask(backend, question: str) -> int:
        messages = [*(PREFIX if backend is answer else other), {"role": "user", "content": question}]
        assert complete(backend, messages, 50) == question
        return fake.restored

    assert ask(answer, "一") == 1  # the context held the rewrite prefix: the answer's is restored
    assert ask(answer, "二") == 1  # still the answer's prefix: nothing to restore
    assert ask(rewrite, "三") == 2
    assert complete(llm, [{"role": "user", "content": "无前缀"}], 10) == "无前缀"
    assert ask(rewrite, "四") == 3  # the plain call replaced the context's prefix
    assert fake.served == [PREFIX[-1]["content"], other[-1]["content"], "一", "二", "三", "无前缀", "四"]


@pytest.mark.models
def test_the_real_model_answers_the_same_from_a_restored_or_swapped_prefix(real_settings, tmp_path):
    from bot.llm.client import load_backend
    from bot.llm.prompting import primer, render

    zh = render("answer.zh.md", passages="[1] 深入推进义务教育优质均衡发展，市区新建中小学校10所，新增学位2.7万个。",
                question="今年新增学位多少个？")
    en = render("answer.en.md", passages="[1] 新建改造供水管网85公里(=85 kilometres)。",
                question="How many kilometres of water supply pipes will be built?")
    cache = PromptCache(tmp_path / "llm-cache")
    first = load_backend(real_settings, ModelQueue())
    assert isinstance(first, LocalLlama)
    assert first.prime(primer("answer.zh.md"), cache, "answer.zh") == "evaluated"
    assert first.prime(primer("answer.en.md"), cache, "answer.en") == "evaluated"
    answer_zh, answer_en = first.with_prefix("answer.zh"), first.with_prefix("answer.en")
    expected = complete(answer_zh, zh, 40)  # the zh prefix swapped back in
    assert "2.7万" in expected
    assert "85" in complete(answer_en, en, 40)
    assert complete(answer_zh, zh, 40) == expected  # and again after the en call
    del first, answer_zh, answer_en

    second = load_backend(real_settings, ModelQueue())  # as a new process: the states come from disk
    assert second.prime(primer("answer.zh.md"), cache, "answer.zh") == "restored"
    assert complete(second.with_prefix("answer.zh"), zh, 40) == expected


@pytest.mark.models
def test_a_judges_margin_is_the_same_with_its_examples_primed_or_evaluated_whole(real_settings, tmp_path):
    from bot.llm.client import load_backend
    from bot.llm.prompting import primer, render

    messages = render("judge.zh.md", question="今年要新增多少个停车的地方？", clause="新增公共停车位10万个以上")
    other = render("judge.zh.md", question="今年要新建多少个充电桩？", clause="新建公园游园30个")
    model = load_backend(real_settings, ModelQueue())
    assert isinstance(model, LocalLlama)
    whole = model.next_token_margin(messages, "是", "否")  # no prefix: every token evaluated
    model.prime(primer("judge.zh.md"), PromptCache(tmp_path / "llm-cache"), "judge.zh")
    judge = model.with_prefix("judge.zh")
    primed = judge.next_token_margin(messages, "是", "否")  # only the question and clause evaluated
    assert primed == pytest.approx(whole, abs=0.1)
    assert judge.next_token_margin(other, "是", "否") < primed
    # After another prompt's call the context holds its tokens: the judge's prefix is restored, the margin the same.
    complete(model, [{"role": "user", "content": "你好"}], 5)
    assert judge.next_token_margin(messages, "是", "否") == pytest.approx(primed, abs=0.1)
