"""Parsing a claim into places, years, negation, direction and figures (no models)."""

from __future__ import annotations

import pytest

from zzbot.settings import AnswerSettings
from bot.understand.claims import Ranking, direction_of, head_of, opposite, parse_claim, states_subject


@pytest.mark.parametrize(("claim", "negated", "denies_event", "denied_figures"), [
    ("郑州今年没有新增学位", True, True, []),
    ("今年新增绿地不是300万平方米", True, False, ["300万平方米"]),
    ("郑州今年不会新增2.7万个学位", True, True, []),  # the event is denied, not the value
    ("Zhengzhou will not add any school places", True, True, []),
    ("The new school places are not 27,000", True, False, ["27,000"]),
    ("新增学位2.7万个", False, False, []),
    # 不 or 没 right before a verb moving a thing denies the move; 不断 is an adverb.
    ("今年不新建公园游园", True, True, []),
    ("市区今年没新增绿地", True, True, []),
    ("今年不建森林乡村了", True, True, []), ("今年没修道路", True, True, []),  # before a verb of doing, too
    ("报告压根没提黄河流域", True, True, []), ("报告不讲粮食安全", True, True, []),  # and of saying
    ("今年要停止实施嵩山森林质量提升工程", True, True, []), ("The city will scrap its talent plan", True, True, []),
    ("全市不断提高研发投入强度", False, False, []),
    ("Zhengzhou gets zero new parks in 2024", True, True, []),  # zero of a thing: none of it
    # A bound, the future and a yes-no question deny nothing.
    ("全社会研发投入强度不低于2.8%", False, False, []),
    ("GDP will grow by no less than 7%", False, False, []),
    ("未来五年完成营造林3.28万亩", False, False, []),
    ("郑州今年有没有新增学位2.7万个", False, False, []),
    ("新增学位是不是2.7万个", False, False, []),
])
def test_a_negation_and_what_it_denies(claim, negated, denies_event, denied_figures):
    parsed = parse_claim(claim)
    assert parsed.negated is negated
    assert parsed.denies_event is denies_event
    assert [f.figure.text for f in parsed.figures if f.denied] == denied_figures


@pytest.mark.parametrize(("claim", "affirmed"), [
    ("Zhengzhou won't add any new school places", "Zhengzhou will add new school places"),
    ("郑州今年不会新增任何学位", "郑州今年新增学位"),
    ("2024年郑州没有完成营造林", "2024年郑州完成营造林"),
    ("新增学位2.7万个", "新增学位2.7万个"),
])
def test_a_denial_is_looked_up_as_what_it_denies(claim, affirmed):
    assert parse_claim(claim).affirmed == affirmed


@pytest.mark.parametrize(("text", "direction", "word"), [
    ("郑州今年将减少公共停车位10万个以上", "down", "减少"),
    ("新增公共停车位10万个以上", "up", "新增"),
    ("规模以上工业增加值增长9%以上", "up", "增长"),  # 增加值 is a noun, not a move
    ("报告预计规模以上工业增加值将下降9%以上", "down", "下降"),
    ("Public parking spaces are to be reduced by 100,000", "down", "reduced"),
    ("Zhengzhou will add 27,000 school places", "up", "add"),
    ("GDP growth close to 7%", "up", "growth"),  # "close to" is a hedge, not closing something
    ("城镇调查失业率控制在5.5%左右", None, None),
    ("由下降转为增长", None, None),  # both ways: nothing certain
    ("蔬菜播种面积稳定在80万亩以上", "steady", "稳定在"),  # held where it is: shrinking it is the other way
    ("Grain output will stay above 2.9 billion jin", "steady", "stay"),
    ("供热管网目标降到20公里", "down", "降"),  # 降到, 降至: a fall, whatever follows
    ("年降水量800毫米", None, None),  # 降水 is rain, not a fall
    ("菜地面积被压到60万亩", "down", "压到"),  # pressed down to
    ("预算收入今年缩水5%", "down", "缩水"),
    ("今年准备撤掉路边车位5万个", "down", "撤掉"),  # taking away is a fall
    ("The city will remove 50,000 roadside spaces", "down", "remove"),
])
def test_the_direction_a_text_moves_things(text, direction, word):
    assert direction_of(text) == (direction, word)


@pytest.mark.parametrize(("claim", "report", "direction"), [
    ("郑州今年新增学位会减少", "新增学位2.7万个", "down"),  # 新增 names the thing as the report does; 减少 is claimed
    ("进出口总值由下降转为增长", "进出口总值平稳增长", None),  # a shared direction word alone names nothing
    ("郑州今年新增学位", "新增学位2.7万个", None),
])
def test_a_claims_direction_is_read_outside_the_reports_name_of_its_thing(claim, report, direction):
    from bot.understand.claims import claimed_direction

    assert claimed_direction(None, None, claim, report)[0] == direction


def test_opposite_directions_need_both_sides():
    assert opposite("down", "up") and opposite("up", "down")
    assert not opposite("up", "up") and not opposite(None, "up") and not opposite("down", None)
    # Held steady at X or more: cut to X is wrong, raised to X may hold; a claim of holding steady denies no move.
    assert opposite("down", "steady") and not opposite("up", "steady") and not opposite("steady", "up")


@pytest.mark.parametrize(("claim", "places", "years"), [
    ("开封市今年计划新增公共停车位10万个以上", ["开封"], []),
    ("2024年洛阳完成营造林3.28万亩", ["洛阳"], [2024]),
    ("Luoyang's new school places in 2025", ["洛阳"], [2025]),
    ("2024年郑州新建公园游园30个", ["郑州"], [2024]),
    ("新增学位2.7万个", [], []),
])
def test_the_places_and_years_a_claim_names(claim, places, years):
    parsed = parse_claim(claim)
    assert [p.chinese for p in parsed.places] == places
    assert list(parsed.years) == years


def test_relative_years_are_offsets():
    assert parse_claim("去年新增学位2.7万个").relative_years == (-1,)
    assert parse_claim("今年新增学位2.7万个").relative_years == (0,)
    assert parse_claim("2024年新增学位2.7万个").relative_years == ()
    assert parse_claim("Retail sales rose 8% the year before the report").relative_years == (-1,)
    assert parse_claim("Retail sales rose 8% the year before last").relative_years == (-2,)


def test_every_figure_with_what_it_counts_and_its_direction():
    parsed = parse_claim("新增学位2.7万个，压减城镇就业100万人")
    assert [(f.figure.text, f.subject, f.direction) for f in parsed.figures] == [
        ("2.7万个", "学位", "up"), ("100万人", "城镇就业", "down")]
    # Before the figure, else after it; the place, the year and the hedges are no part of the thing counted.
    assert parse_claim("郑州今年将减少公共停车位10万个以上").figures[0].subject == "公共停车位"
    assert parse_claim("郑州今年将新增2.7万个学位").figures[0].subject == "学位"
    assert parse_claim("郑州今年没有新增学位").subject == "学位"


def test_the_base_of_a_rate_is_no_figure_of_the_claim():
    parsed = parse_claim("4.8 childcare places per 1,000 residents")
    assert [f.figure.value for f in parsed.figures] == [4.8]


@pytest.mark.parametrize(("subject", "head"), [
    ("公共停车位", "车位"), ("公共充电桩", "电桩"), ("全社会研发投入强度目标为", "强度"), ("", ""),
    ("为啥 中小学只有", "小学"),  # "only" qualifies the figure, it names nothing
])
def test_the_head_of_what_a_claim_counts(subject, head):
    assert head_of(subject) == head


@pytest.mark.parametrize(("subject", "sentence", "stated"), [
    ("公共停车位", "新增公共停车位10万个以上。", True),
    ("公共充电桩", "新增公共停车位10万个以上。", False),
    ("学位", "报告为2024年郑州发展擘画蓝图。", False),  # the byline names the year and the place, not the thing
    # Most of its words, though not its last two ("目标为" is no thing).
    ("全社会研发投入强度目标", "全社会研发投入强度达到2.8%", True),
    ("", "新增公共停车位10万个以上。", True),  # nothing Chinese to look for
])
def test_a_sentence_states_what_a_claim_counts(subject, sentence, stated):
    assert states_subject(subject, sentence, AnswerSettings().claim_subject_share) is stated


@pytest.mark.parametrize(("text", "stated"), [
    # The count of the things just listed is the sentence's own enumeration, not a figure it states.
    ("绿地和公园两个方面的目标加起来是多少？", []),
    ("供水、燃气、供热三种管网一共多少公里？", []),
    # A count of one thing listed, or in digits, is a figure the sentence states.
    ("郑州今年新增两个国家级项目", ["两个"]),
    ("绿地和公园2个方面", ["2个"]),
    ("绿地和公园三个方面", ["三个"]),  # two things listed, three counted: stated
])
def test_a_count_of_the_things_listed_is_no_stated_figure(text, stated):
    assert [f.figure.text for f in parse_claim(text).figures] == stated


def test_the_thing_right_after_a_figure_is_what_it_counts():
    claim = parse_claim("郑州今年要让20万大学生留下来")
    assert "大学生" in claim.figures[0].subject and "留下来" not in claim.figures[0].subject
    assert "学位" in parse_claim("新增2.7万个学位").figures[0].subject


def test_a_name_in_english_moves_nothing():
    # "value added" names 规模以上工业增加值: only "fall" says which way the claim moves it.
    assert direction_of("industrial value added is set to fall by 9%")[0] == "down"
    assert direction_of("industrial value added will grow by 9%")[0] == "up"


@pytest.mark.parametrize(("claim", "ranking"), [
    ("今年新建改造的供水管网比燃气管网还长", Ranking("改造 供水管网", "燃气管网")),
    ("供热管网比燃气管网短", Ranking("燃气管网", "供热管网")),  # a word of less: the other is larger
    ("供水管网不比燃气管网长", Ranking("燃气管网", "供水管网", or_equal=True)),  # denied: the reverse, or a tie
    # Each side is looked up by the report terms it names: the words after them do no harm.
    ("More kilometres of water mains than gas mains will be built",
     Ranking("kilometres of water mains", "gas mains will be built")),
    ("The heating mains are shorter than the gas mains", Ranking("the gas mains", "The heating mains are")),
    ("新增学位2.7万个", None),
])
def test_two_things_a_claim_ranks(claim, ranking):
    assert parse_claim(claim).ranking == ranking


def test_a_modal_verb_is_no_part_of_the_thing_counted():
    # "要保在" moves the figure; the thing is 蔬菜播种面积, whose head 面积 the report's sentence names.
    subject = parse_claim("全市蔬菜播种面积要保在80万亩以上").figures[0].subject
    assert head_of(subject) == "面积" and "要" not in subject
    assert direction_of("固定资产投资要压缩8%")[0] == "down"


@pytest.mark.parametrize(("claim", "subject"), [
    ("工业投资占总投资5200亿元的比重", "总投资"),  # an amount after 占 is the whole's
    ("研发投入占生产总值的2.8%", "研发投入占生产总值"),  # a percent there is the part's share
    ("新增学位2.7万个", "学位"),
])
def test_what_each_figure_of_a_claim_counts(claim, subject):
    assert parse_claim(claim).figures[0].subject == subject


@pytest.mark.parametrize(("claim", "qualifier"), [
    ("全市固投大约涨8%", "about"),  # the hedge stands before the verb, not the figure
    ("固投涨了8%", None),
    ("固投大概8%，绿地新增300万平方米", None),  # the hedge is the other clause's
])
def test_a_hedge_before_the_verb_qualifies_the_claims_figure(claim, qualifier):
    assert parse_claim(claim).figures[-1].figure.qualifier == qualifier


@pytest.mark.parametrize(("text", "period"), [
    ("今年一年就引进院士30名", "one_year"), ("光今年就新建公园40个", "one_year"), ("60 parks in 2024 alone", "one_year"),
    ("累计引进院士25名以上", "cumulative"), ("cumulatively 25 academicians", "cumulative"),
    ("新增学位2.7万个", None), ("每年新增学位", None),
])
def test_the_span_a_figure_counts_over(text, period):
    from bot.understand.claims import period_of

    assert period_of(text) == period


@pytest.mark.parametrize(("claim", "larger", "smaller"), [
    ("雨水管网长度要超过污水管网", "雨水管网长度", "污水管网"),  # a verb of ranking before a thing
    ("公园数量低于绿道数量", "绿道数量", "公园数量"),
])
def test_a_verb_of_ranking_before_a_thing_ranks_two_things(claim, larger, smaller):
    ranking = parse_claim(claim).ranking
    assert (ranking.larger, ranking.smaller) == (larger, smaller)


def test_a_verb_of_ranking_before_a_figure_is_a_bound():
    assert parse_claim("雨水管网长度要超过30公里").ranking is None
