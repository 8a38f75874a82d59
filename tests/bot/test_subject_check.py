"""The acceptance checks that an answer's subject and scope are the ones its cited sentence states, on scripted
drafts (no models)."""

from __future__ import annotations

import pytest

from dataclasses import replace

from bot.policy.acceptance import (ACCEPTANCE_CHECKS, Draft, asked_term_in_passages, first_rejection,
                                   qualifier_stated, scope_stated, subject_stated)
from bot.retrieval.figure_table import FigureTable
from bot.retrieval.context import Sentence
from bot.retrieval.retriever import Passage
from index.chunking import Chunk
from zzbot import numbers
from zzbot import figure_check
from zzbot.settings import AnswerSettings
from index.chunking import chunk_document
from index.documents import load_document
from index.figures import figure_rows
from tests.conftest import REPORT

CITY = "市政设施：完成道路中小修50万平方米，主干道亮灯率98%以上，新增公共停车位10万个以上。"
SCHOOLS = "深入推进义务教育优质均衡发展，市区新建中小学校10所，投入使用中小学校15所，新增学位2.7万个。"
TOURISM = "力争接待游客达到1.7亿人次，境外游客突破75万人次，旅游总收入突破2000亿元。"
CARS = "聚焦打造“新能源汽车之城”，力争新能源汽车产量超70万辆，带动汽车产量突破140万辆，汽车产业产值增长60%以上。"
TARGETS = "经济社会发展主要预期目标是：地区生产总值增长7%左右，固定资产投资增长8%以上，节能减排降碳完成国家和省定目标。"
GRADUATES = "落实“郑聚英才计划”，持续推进青年创新创业行动，力争20万名大学生来郑留郑。"
ENERGY = "居民消费价格涨幅3%左右，节能减排降碳完成国家和省定目标。"
JOBS = "突出抓好高校毕业生、退役军人、农民工等重点群体就业，推动创业带动就业，新增城镇就业12.65万人、农村劳动力转移就业2.68万人。"
ELDERLY = "推进乡镇敬老院转型区域养老服务中心，农村养老服务设施覆盖率提升至60%，全市养老托老床位数达到6.6万张。"
CLUSTER = "突出打造电子信息“1号”产业，力争电子信息产业产值增长5%以上，集群规模达到7000亿元。"
PARKS = "践行公园城市理念，市区新增绿地300万平方米，新建公园游园30个，完成道路绿化50条。"


def _draft(answer: str, question: str, *sentences: str) -> Draft:
    """A model answer to ``question``, each sentence a numbered passage, its figures matched as the chain does."""
    context = []
    for n, text in enumerate(sentences):
        chunk = Chunk(f"c{n}", "r.md", "", text, 0, len(text))
        context.append([Sentence(Passage(chunk, 1.0, 0.6, 0.0), 0, len(text), text, similarity=0.6)])
    lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in question) else "en"
    return Draft(raw=answer, text=answer, lang=lang, question=question, standalone=question, override=False,
                 context=context, sources=list(sentences), figure_checks=figure_check.match_figures(answer, list(sentences)))


SETTINGS = AnswerSettings()


def test_both_checks_are_in_the_ordered_list():
    names = [check.__name__ for check in ACCEPTANCE_CHECKS]
    # Before about_asked_words, whose clause sharing the most words ("旅游总收入" for "老外来旅游") is no figure
    # of the thing asked: the one the report gives for its term is quoted instead.
    assert names.index("counts_asked_subject") < names.index("subject_stated") < names.index("about_asked_words")
    assert "scope_stated" in names


def test_a_thing_no_clause_names_is_not_answered_with_a_neighbours_figure():
    """公共 is shared with 公共停车位; the head, 厕所, is named by no sentence: not in the report."""
    rejection = subject_stated(_draft("新增公共厕所10万个以上[1]。", "今年全市打算新增多少个公共厕所？", CITY), SETTINGS)
    assert rejection is not None and rejection.threshold is None and rejection.found == "公共厕所"
    assert subject_stated(_draft("新增公共停车位10万个以上[1]。", "今年全市打算新增多少个公共停车位？", CITY),
                          SETTINGS) is None


def test_one_character_of_a_head_shared_by_another_word_does_not_name_it():
    """化 of 孵化器 is in 深化 of the answer's clause: a head is named by both its characters."""
    firms = "深化科技型中小企业梯度培育机制，新认定高企1000家，入库国家科技型中小企业8000家以上。"
    rejection = subject_stated(_draft("要建1000家[1]。", "郑州今年要建多少个创业孵化器？", firms), SETTINGS)
    assert rejection is not None and "孵化器" in rejection.reason


def test_a_thing_whose_word_before_its_head_the_report_never_uses_is_not_a_sibling_of_the_same_head():
    """管网 is in 供热管网31.5公里's clause, but 污水 is nowhere in the report: the sewers have no figure there."""
    pipes = "新建改造供水管网85公里、燃气管网102公里、供热管网31.5公里，新增集中供热面积400万平方米。"
    draft = _draft("新建改造污水管网31.5公里[1]。", "今年新建改造多少公里的污水管网？", pipes)
    assert subject_stated(draft, SETTINGS) is None  # without knowing what the documents use, no word is unknown
    draft.mentions = lambda word: word in REPORT.read_text(encoding="utf-8")
    rejection = subject_stated(draft, SETTINGS)
    assert rejection is not None and rejection.threshold is None and "污水管网" in rejection.reason
    asked_for_gas = _draft("新建改造燃气管网102公里[1]。", "今年新建改造多少公里的燃气管网？", pipes)
    asked_for_gas.mentions = draft.mentions
    assert subject_stated(asked_for_gas, SETTINGS) is None
    # A count of the things asked (两个) is no word naming a kind of them.
    housing = "抓好保交楼、稳民生工作，剩余1.9万套专项借款项目全部交付，非专项借款项目交付4.2万套以上。"
    counted = _draft("非专项借款项目交付4.2万套以上[1]。", "保交楼方面的两个交付数字分别是多少", housing)
    counted.mentions = draft.mentions
    assert subject_stated(counted, SETTINGS) is None


def test_a_thing_the_report_states_without_a_figure_takes_no_other_things_figure():
    """居民人均可支配收入 is stated beside the targets, with no figure: 建筑业总产值's 10% is not its growth."""
    targets = "建筑业总产值增长10%以上，居民人均可支配收入与经济增长同步，进出口总值平稳增长。"
    rejection = subject_stated(_draft("居民人均可支配收入预计增长10%[1]。", "人均收入今年能涨多少？", targets),
                               SETTINGS)
    assert rejection is not None and rejection.threshold is None and "without a figure" in rejection.reason
    assert subject_stated(_draft("建筑业总产值增长10%以上[1]。", "建筑业总产值增长多少？", targets), SETTINGS) is None
    # A question asking for no figure: a figure beside the answer (a quote of the report's sentence) is not its.
    assert subject_stated(_draft("居民人均可支配收入与经济增长同步；建筑业总产值增长10%以上[1]。", "居民收入有什么目标？",
                                 targets), SETTINGS) is None


def test_a_thing_named_before_the_question_word_is_judged_by_its_head_though_a_word_of_it_is_a_term():
    """博士 is a report term, but 博士后工作站 is no 博士: the head 工作站 is named by no clause of the figure."""
    talents = "组建中原科技城博士后创新创业孵化园，新引进优秀人才2500名以上，累计引进院士25名以上。"
    rejection = subject_stated(_draft("25名[1]。", "今年新增的博士后工作站有多少个？", talents), SETTINGS)
    assert rejection is not None and rejection.found == "博士后工作站"


def test_every_thing_asked_must_be_named_by_some_passage():
    """"will open" is 投入使用, which the schools' sentence names; 公交 no passage names: the 15 are no bus routes."""
    rejection = first_rejection(_draft("15 new bus routes will open [1].", "How many new bus routes will open this year?",
                                       SCHOOLS), SETTINGS)
    assert rejection is not None and rejection.check == "asked_term_in_passages" and rejection.found == "公交"
    assert first_rejection(_draft("15 schools will open [1].", "How many schools will open this year?", SCHOOLS),
                           SETTINGS) is None


def test_a_term_the_report_uses_elsewhere_does_not_refuse_beside_one_the_passages_name():
    """"residents" is 人口, which the report uses only in 每千人口; the parks asked about are in the passage."""
    parks = "践行公园城市理念，市区新增绿地300万平方米，新建公园游园30个，完成道路绿化50条。"
    draft = _draft("30 new parks [1].", "How many new parks are residents going to get?", parks)
    assert asked_term_in_passages(draft, SETTINGS) is not None  # nothing says where else the report speaks
    draft.mentions = lambda word: word in "力争每千人口拥有3岁以下婴幼儿托位数达到4.8个"
    assert asked_term_in_passages(draft, SETTINGS) is None


def test_a_term_named_only_as_the_base_of_a_rate_is_not_what_the_figure_counts():
    """人口 of 每千人口 is the base of the childcare rate: 4.8个 is no population, however the answer words it."""
    childcare = "实施普惠托育服务专项行动，力争每千人口拥有3岁以下婴幼儿托位数达到4.8个。"
    rejection = first_rejection(_draft("The population target is 4.8 [1].", "What is the population target?",
                                       childcare), SETTINGS)
    assert rejection is not None and rejection.found == "人口"
    assert asked_term_in_passages(_draft("4.8 places [1].", "How many childcare places per 1,000 people?",
                                         childcare), SETTINGS) is None
    # A word of many things no passage uses (project, 项目) holds no answer to it.
    forest = "实施嵩山森林质量提升工程，完成营造林3.28万亩，创建省级森林城市1个、森林乡村50个。"
    assert asked_term_in_passages(_draft("Songshan's, with 32,800 mu [1].", "Which mountain's forests get a project?",
                                         forest), SETTINGS) is None


def test_a_thing_the_glossary_knows_and_no_passage_names_is_not_in_the_report():
    rejection = first_rejection(_draft("新增公共充电桩10万个以上[1]。", "今年全市打算新增多少个公共充电桩？", CITY),
                                SETTINGS)
    assert rejection is not None and rejection.threshold is None and rejection.found == "充电桩"


def test_a_paraphrase_is_bridged_by_the_glossary_not_refused():
    draft = _draft("新增学位2.7万个[1]。", "今年郑州上学的名额会多出多少？", SCHOOLS)
    assert first_rejection(draft, SETTINGS) is None


@pytest.mark.parametrize(("answer", "question", "sentence", "anchored"), [
    ("接待游客1.7亿人次[1]。", "今年郑州想吸引多少老外来旅游？", TOURISM, "75万人次"),
    ("700,000 vehicles [1].", "How many vehicles of every kind will Zhengzhou produce this year?", CARS,
     "140万辆"),
])
def test_the_neighbouring_figure_of_a_more_specific_term_is_rejected_for_the_figure_asked(answer, question, sentence,
                                                                                          anchored):
    rejection = subject_stated(_draft(answer, question, sentence), SETTINGS)
    assert rejection is not None
    assert [f.value for f in rejection.anchor] == [f.value for f in numbers.number_figures(anchored)]
    assert rejection.threshold == SETTINGS.min_similarity  # the report's own clause is quoted instead


@pytest.mark.parametrize(("answer", "question", "sentence"), [
    ("境外游客突破75万人次[1]。", "今年郑州想吸引多少老外来旅游？", TOURISM),
    ("More than 1.4 million vehicles [1].", "How many vehicles will Zhengzhou produce this year?", CARS),
    ("Over 700,000 new-energy vehicles [1].", "How many electric vehicles will Zhengzhou produce?", CARS),
    # Words the glossary lacks ("foreign visitors", 新能源车) may still mean the more specific term.
    ("Over 750,000 foreign visitors [1].", "How many foreign visitors does Zhengzhou hope to attract?", TOURISM),
    ("Over 700,000 [1].", "How many electric cars will Zhengzhou make?", CARS),
    ("新能源汽车产量超70万辆[1]。", "今年新能源车能造多少辆？", CARS),
])
def test_the_figure_the_report_gives_for_the_term_asked_is_accepted(answer, question, sentence):
    assert subject_stated(_draft(answer, question, sentence), SETTINGS) is None


@pytest.mark.parametrize("question", [
    "What GDP growth target has China set nationally for 2024?",
    "全国范围的GDP增长目标定了多少？",
    "河南全省的GDP今年预计涨几个点？",
])
def test_the_citys_figure_does_not_answer_for_the_country_or_the_province(question):
    rejection = scope_stated(_draft("地区生产总值增长7%左右[1]。", question, TARGETS), SETTINGS)
    assert rejection is not None and rejection.threshold is None


def test_the_citys_clause_is_not_quoted_for_the_provinces_figure_either():
    """The report's own sentence, quoted when the model's answer fails, is held to the scope asked as the model's is."""
    from bot.policy.fallback import unmet_requirement
    from bot.understand.parsed import parse_question

    draft = _draft("", "河南省级层面的经济增速目标定了多少？", TARGETS)
    unmet = unmet_requirement(parse_question(draft.question), "地区生产总值增长7%左右", TARGETS, draft.context)
    assert unmet is not None and unmet.check == "scope_stated"
    city = parse_question("郑州的经济增速目标定了多少？")
    assert unmet_requirement(city, "地区生产总值增长7%左右", TARGETS, draft.context) is None


@pytest.mark.parametrize(("answer", "question", "sentence"), [
    ("地区生产总值增长7%左右[1]。", "郑州今年经济要增长多少？", TARGETS),
    ("新增国家级智能制造项目5个以上[1]。", "今年郑州要新增多少个国家级智能制造项目？",
     "做大做强装备制造产业集群，新增国家级智能制造项目5个以上。"),
    ("节能减排降碳完成国家和省定目标[1]。", "节能减排要完成全国定的目标吗？", ENERGY),  # the sentence speaks of it
])
def test_a_scope_the_report_itself_states_or_the_citys_own_is_answered(answer, question, sentence):
    assert scope_stated(_draft(answer, question, sentence), SETTINGS) is None


def test_an_english_thing_the_report_never_names_is_not_answered_with_the_graduates_figure():
    draft = _draft("200,000 master's degree graduates [1].", "How many master's graduates will Zhengzhou recruit?",
                   GRADUATES)
    rejection = first_rejection(draft, SETTINGS)
    assert rejection is not None and rejection.threshold is None and "硕士" in rejection.found


# -- golden answers on the real models -----------------------------------------------------------------


@pytest.fixture(scope="module")
def chain(engine):
    from bot.policy.chain import AnswerChain

    return AnswerChain(engine)


@pytest.mark.models
@pytest.mark.parametrize(("question", "wrong"), [
    ("今年全市打算新增多少个公共充电桩？", "10万"),  # the report never names 充电桩; 10万 are parking spaces
    ("How many master's graduates will Zhengzhou recruit?", "200,000"),  # 20万 are 大学生, no 硕士
    ("What GDP growth target has China set nationally for 2024?", "7%"),  # the city's target, not the country's
    ("河南全省的GDP今年预计涨几个点？", "7%"),
    # The figure counts the thing right after it, or the last one listed before it: not the universities whose
    # institutes they are, nor the factories named as examples of the 1000 projects.
    ("郑州今年要新建多少所大学？", "10"),
    ("今年要建多少个新能源电池工厂？", "1000"),
])
def test_a_subject_or_scope_the_report_does_not_give_is_refused(chain, question, wrong):
    result = chain.ask(question)
    assert not result.found or wrong not in result.answer, result.answer


@pytest.mark.models
def test_a_foreign_visitors_question_gets_the_foreign_visitors_figure(chain):
    result = chain.ask("今年郑州想吸引多少老外来旅游？")
    assert "75万" in result.answer and "1.7亿" not in result.answer.split("75万")[0], result.answer


@pytest.mark.models
def test_a_follow_up_naming_another_thing_drops_the_earlier_one(chain):
    history = [{"role": "user", "content": "今年新增多少个学位？"},
               {"role": "assistant", "content": "新增学位2.7万个[1]。"}]
    result = chain.ask("那城镇就业呢？", history)
    assert "学位" not in result.standalone_question and "城镇就业" in result.standalone_question
    assert "12.65万" in result.answer and "2.7万" not in result.answer, result.answer


@pytest.fixture(scope="module")
def report_table() -> FigureTable:
    return FigureTable(figure_rows(chunk_document(load_document(REPORT))))


@pytest.mark.parametrize(("question", "answer", "sentence", "apart"), [
    # 退役军人 is one of the groups whose jobs the city looks after, in a clause of no figure: 12.65万 are all jobs.
    ("退役军人今年能新增多少个就业岗位？", "新增城镇就业12.65万人[1]。", JOBS, "退役军人"),
    # The rural facilities have a figure of their own clause (60%); the beds are the whole city's.
    ("How many rural elderly care beds will there be?", "66,000 beds [1].", ELDERLY, "农村养老服务设施"),
])
def test_a_figure_of_one_thing_is_no_answer_for_it_and_a_thing_named_apart(report_table, question, answer,
                                                                           sentence, apart):
    rejection = qualifier_stated(replace(_draft(answer, question, sentence), table=report_table), SETTINGS)
    assert rejection is not None and rejection.threshold is None and rejection.found == apart


@pytest.mark.parametrize(("question", "answer", "sentence"), [
    ("今年城镇就业新增多少人？", "新增城镇就业12.65万人[1]。", JOBS),
    ("养老托老床位数要达到多少？", "6.6万张[1]。", ELDERLY),
    # 集群规模 has figures in two sentences (electronics, cars): a measure whose thing is the clause before's.
    ("电子信息产业集群规模要达到多少？", "7000亿元[1]。", CLUSTER),
    # "greenery" is 绿地 (300万平方米's thing): beside no thing asked that 50条 counts, it is no qualifier of it.
    ("How many roads get new greenery along them?", "50 roads [1].", PARKS),
    # Two things asked, each with its own figure: "or" lists them, neither narrows the other.
    ("Any new parks or green space planned?", "3 million square metres of green space [1].", PARKS),
])
def test_a_figure_of_the_thing_asked_is_not_judged_apart(report_table, question, answer, sentence):
    assert qualifier_stated(replace(_draft(answer, question, sentence), table=report_table), SETTINGS) is None


def test_a_measure_term_is_told_from_a_thing_by_the_reports_figures(report_table):
    """Without the report's figures 集群规模 would be the figure's own thing, and 电子信息 named apart from it."""
    draft = _draft("7000亿元[1]。", "电子信息产业集群规模要达到多少？", CLUSTER)
    assert qualifier_stated(draft, SETTINGS) is not None
    assert qualifier_stated(replace(draft, table=report_table), SETTINGS) is None
