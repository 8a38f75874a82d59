"""A message asking several things, split into its questions (bot.understand.parts) and answered part by part,
the answers joined with their citations numbered on (bot.policy.parts)."""

from __future__ import annotations

import pytest

from bot.policy.parts import answered_in_parts
from bot.schema import AnswerResult, Citation, StreamEvent
from bot.understand.parts import asked_parts, with_shared_head


@pytest.mark.parametrize(("message", "parts"), [
    # Two questions: the second, elliptical, is asked after the first (the chain reads it as a follow-up).
    ("失业率控制在多少？物价涨幅呢？", ["失业率控制在多少？", "物价涨幅呢？"]),
    ("新增绿地多少，新建公园游园多少个，道路绿化多少条？", ["新增绿地多少？", "新建公园游园多少个？", "道路绿化多少条？"]),
    ("Who delivered the report, and what is the GDP growth target?",
     ["Who delivered the report?", "what is the GDP growth target?"]),
    # "Each" of the things listed: the words after the last one, up to a time, a verb or their count, are shared.
    ("院士和优秀人才今年分别引进多少？", ["院士今年引进多少？", "优秀人才今年引进多少？"]),
    ("电子信息和汽车两个集群规模各是多少？", ["电子信息集群规模是多少？", "汽车集群规模是多少？"]),
    # 上 of 以上 is no verb ending the last thing; 的 starts the shared words.
    ("优秀人才和博士以上青年人才的目标分别是多少？", ["优秀人才的目标是多少？", "博士以上青年人才的目标是多少？"]),
    # What tells the asker's situation goes with the first question; thanks with the last.
    ("我是家长。新增学位多少？新建几所中小学校？谢谢", ["我是家长。新增学位多少？", "新建几所中小学校？谢谢"]),
])
def test_a_message_asking_several_things_is_split_into_its_questions(message, parts):
    assert asked_parts(message) == parts


def test_the_head_the_things_listed_share_is_every_parts():
    report = "小麦种植面积保持在12万亩。玉米种植面积保持在9万亩。"
    assert asked_parts("小麦和玉米种植面积分别保持在多少？", lambda text: text in report) == [
        "小麦种植面积保持在多少？", "玉米种植面积保持在多少？"]
    # Without the report's words to tell the shared head, the last thing keeps it.
    assert asked_parts("小麦和玉米种植面积分别保持在多少？")[0] == "小麦保持在多少？"
    # The parts of a sum too: 新建 is the schools built, not the parks.
    schools = "市区新建学校8所，投入使用学校6所。新建公园9个。"
    assert with_shared_head(["新建", "投入使用的学校"], lambda text: text in schools) == ["新建学校", "投入使用的学校"]
    assert with_shared_head(["新建", "投入使用的学校"], lambda text: False) == ["新建", "投入使用的学校"]


def test_things_run_together_before_one_head_are_the_reports_things():
    report = "改造雨水管道20公里、污水管道35公里、中水管道6公里。"
    assert with_shared_head(["今年雨水污水中水管道"], lambda text: text in report) == ["雨水管道", "污水管道", "中水管道"]
    assert with_shared_head(["污水管道"], lambda text: text in report) == ["污水管道"]  # one thing stays one
    assert with_shared_head(["雨水污水管道"], lambda text: False) == ["雨水污水管道"]  # the report names neither


@pytest.mark.parametrize("message", [
    "供水、燃气、供热管网一共要新建改造多少公里？",  # a sum over several things is one question
    "今年要打造的战略性新兴产业都有哪些？",  # so is a list
    "既然新增学位2.7万个，为啥市区新建中小学只有5所？",  # a premise, then one question
    "How much investment is planned for the 3,800 projects?",  # the comma of 3,800 parts nothing
    "What are the targets for the grain area and the vegetable area?",
    "今年各类违法犯罪要打击多少起？",  # 各类: kinds, not each of a list
    "新增学位多少？？", "Really? How many school places?",  # a question mark after a word or none asks nothing
    "听说新增学位只有1万个？那新建学校多少所？",  # a premise without a question word goes with the question
    # An English clause after a comma asks of its own only after "and", with words of its own.
    "What value of imports and exports, in yuan, is Zhengzhou aiming for?",
    "Will any new hospitals open, and how many?",
])
def test_a_message_asking_one_thing_is_not_split(message):
    assert asked_parts(message) == [message]


def _result(answer: str, cited: int, backend: str = "local") -> AnswerResult:
    citations = [Citation(n, f"c{cited}-{n}", "r.md", "", "…", 0, 1, 1.0) for n in range(1, cited + 1)]
    return AnswerResult(question="q", standalone_question="q", answer=answer, found=True, verified=True,
                        citations=citations, backend=backend, timings_ms={})


def test_the_parts_answers_are_joined_with_their_citations_numbered_on():
    answers = {"新增学位多少？": _result("新增学位2.7万个[1]。", 1),
               "新建几所中小学校？": _result("新建中小学校10所[2]，投入使用15所[1]。", 2)}
    seen: list[list[dict[str, str]]] = []

    def answer_one(part, turns):
        seen.append(turns)
        yield StreamEvent("token", text=answers[part].answer)
        yield StreamEvent("final", result=answers[part])

    events = list(answered_in_parts("新增学位多少？新建几所中小学校？", list(answers), [], "zh", answer_one))
    result = events[-1].result
    assert result.answer == "新增学位2.7万个[1]。\n\n新建中小学校10所[3]，投入使用15所[2]。"
    assert [c.n for c in result.citations] == [1, 2, 3]
    assert [s.rule for s in result.trace if s.outcome == "decided"] == ["parts_asked"]
    # The second part is asked after the first, as a follow-up of it; the tokens streamed on a line of their own.
    assert seen[1] == [{"role": "user", "content": "新增学位多少？"}, {"role": "assistant", "content": "新增学位2.7万个[1]。"}]
    assert "".join(e.text for e in events if e.kind == "token").count("\n\n") == 1
