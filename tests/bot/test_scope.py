"""What a question asks about against what the report covers: places, people, the measure asked for."""

import pytest

from bot.understand.scope import asked_measure, asks_person, person_names, states_measure
from zzbot.places import places_named


@pytest.mark.parametrize(("text", "expected"), [
    ("三个一批项目今年计划投资多少？", "yuan"), ("What education budget does the city plan, in yuan?", "yuan"),
    ("How much is invested in the 3,800 projects?", "yuan"), ("今年财政收入一共有多少亿元？", "yuan"),
    ("研发强度力争提高到多少？", None), ("How much will car output grow?", "percent"), ("新增多少个学位？", "count"),
    ("How much will general budget revenue grow?", "percent"), ("供水管网新建多少公里？", "km"),
    ("How many square metres of green space?", "m2"), ("What will the GDP be in yuan at the end of 2024?", "yuan"),
    # "grow" of farming or of a number of things is no growth rate.
    ("How much farmland will grow vegetables?", None), ("How many startup teams will the city bring in or grow?", None),
    ("How fast should factory output grow this year?", "percent"),
    ("How many percentage points will unemployment rise?", "percent"),
    ("周末想带孩子去公园遛遛，今年会多几个公园吗？", "count"), ("今年失业率降几个百分点？", "percent"), ("建筑业产值要涨几个点？", "percent"), ("新增几个点位？", "count"),
    # An area asked by its noun, whatever unit the report gives it in.
    ("农田的面积今年能扩大多少？", "area"), ("What area of farmland will be kept?", "area"),
    ("How many schools will the urban area open?", None),  # a place, not a measure
    ("开封的生产总值增长目标是多少？", "percent"),  # a growth target is a rate, not an amount
])
def test_the_measure_a_question_asks_for(text, expected):
    assert asked_measure(text) == expected


def test_a_figure_in_the_measure_asked_for():
    assert states_measure("旅游总收入突破2000亿元[1]", "yuan")
    assert not states_measure("一般公共预算收入增长3%以上[1]", "yuan")
    assert states_measure("at least 3% [1]", "percent")
    assert states_measure("85 km of water mains", "km") and states_measure("85公里", "km")
    # a count is anything but a measured amount or a percentage
    assert states_measure("新建公园游园30个[1]", "count") and states_measure("新增城镇就业12.65万人", "count")
    assert not states_measure("市区新增绿地300万平方米[1]", "count") and not states_measure("增长8%以上", "count")
    assert states_measure("新增绿地300万平方米", "area") and states_measure("稳定在80万亩以上", "area")
    assert not states_measure("供热管网31.5公里", "area")


@pytest.mark.parametrize(("text", "names"), [
    ("洛阳今年要修多少公里地铁？", ["洛阳"]), ("What is Beijing's GDP target?", ["北京"]),
    ("How does Zhengzhou compare with Luoyang and Kaifeng?", ["郑州", "开封", "洛阳"]),
    ("郑州今年新增多少学位？", ["郑州"]), ("How many new school places?", []),
])
def test_places_a_question_names(text, names):
    assert sorted(p.chinese for p in places_named(text)) == sorted(names)


def test_people_named_after_a_title_including_a_byline():
    names = person_names("2月3日上午，市长何雄向大会作政府工作报告。本报记者 董艳竹 王红 见习记者 田莎 摘编")
    assert {"何雄", "董艳竹", "王红", "田莎"} <= names
    assert "摘编" not in names
    assert person_names("组建产业投资集团，推动战新产业和未来产业发展壮大。") == set()


@pytest.mark.parametrize(("text", "expected"), [
    ("Who will head the new industrial investment group?", True), ("谁作的政府工作报告？", True),
    ("哪位领导作的报告？", True), ("How many new school places?", False), ("Whoever asks gets 27,000?", False),
    ("Whose employment does the report prioritise?", False),
])
def test_questions_that_ask_for_a_person(text, expected):
    assert asks_person(text) is expected


@pytest.mark.parametrize(("text", "level"), [
    ("创建省级森林城市1个", "province"), ("新增国家级智能制造项目5个以上", "nation"),
    ("5 provincial-level smart manufacturing projects", "province"), ("新增学位2.7万个", None),
    ("national forest city", "nation"), ("创建国家森林城市1个", "nation"), ("入库国家科技型中小企业", "nation"),
    ("完成国家和省定目标", None), ("当好国家队", None),  # the country's targets, a team: no level of a thing
    ("city-level parks", "city"), ("city parks", None),
])
def test_the_level_a_text_names(text, level):
    from bot.understand.scope import level_of

    assert level_of(text) == level


@pytest.mark.parametrize(("claim", "report", "words"), [
    ("创建国家级森林城市1个", "创建省级森林城市1个", ("国家级", "省级")),
    ("城镇养老设施覆盖率达到70%", "农村养老服务设施覆盖率提升至", ("城镇", "农村")),
    ("rural jobs", "新增城镇就业", ("rural", "城镇")),
    ("市区新增绿地", "市区新增绿地", None), ("新增绿地", "市区新增绿地", None),  # the same side, or none named
    ("农村新增学位", "统筹城乡学位", None),  # 城乡 names both sides
])
def test_another_level_or_side_of_a_thing(claim, report, words):
    from bot.understand.scope import other_level

    assert other_level(claim, report) == words


def test_a_scope_word_the_reports_sentence_writes_names_its_thing():
    from bot.understand.scope import asked_scope, states_scope

    question = "进国家名录的示范企业有几家？"
    assert asked_scope(question) == "nation"
    assert states_scope("认定国家名录示范企业20家", "nation", question)
    assert not states_scope("认定省级示范企业20家", "nation", question)


@pytest.mark.parametrize(("question", "family"), [
    ("In the push for unfinished homes, how many homes in total, both kinds of projects?", "homes"),
    ("保交楼一共交付多少套？", "homes"), ("一共多少公里？", "km"),
    ("How many projects in total?", None), ("一共几所学校？", None),  # a count in no known family
    ("Green space plus heating area: how many square metres?", "m2"),  # an area, not the metres of a length
])
def test_the_unit_a_count_question_counts_in(question, family):
    from bot.understand.scope import counted_family

    assert counted_family(question) == family


@pytest.mark.parametrize(("text", "extent"), [
    ("剩余1.9万套专项借款项目全部交付", "all"), ("交付一半", "half"), ("部分交付", "part"), ("大部分交付", "most"),
    ("half of the remaining units", "half"), ("all of the remaining units", "all"), ("新增学位2.7万个", None),
])
def test_how_much_of_its_thing_a_text_says_is_done(text, extent):
    from bot.understand.scope import extent_of

    assert extent_of(text) == extent
