import re
from pathlib import Path

import pytest

from zzbot import figure_words
from zzbot import numbers
from zzbot.numbers import Figure, extract_figures
from zzbot.figure_check import compare_qualified, match_figures, same_value
from zzbot.figure_check import units_conflict
from zzbot.in_english import annotate_for_english, english_amount, english_qualifier, english_unit, format_english

REPORT = (Path(__file__).resolve().parents[2] / "data" / "zhengzhou-2024-government-work-report.md").read_text(
    encoding="utf-8"
)
REPORT_FIGURES = extract_figures(REPORT)


def one(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def report_figure(text: str) -> Figure:
    found = [f for f in REPORT_FIGURES if f.text == text]
    assert found, f"{text!r} not extracted from the report"
    return found[0]


# --- every kind of figure in the report ------------------------------------

REPORT_CASES = [
    # text as extracted, value, percent, unit, qualifier
    ("7%左右", 7, True, None, "about"),
    ("8%以上", 8, True, None, "at_least"),
    ("9%以上", 9, True, None, "at_least"),
    ("10%以上", 10, True, None, "at_least"),
    ("3%以上", 3, True, None, "at_least"),
    ("5.5%左右", 5.5, True, None, "about"),
    ("达到2.8%", 2.8, True, None, "reach"),
    ("3%左右", 3, True, None, "about"),
    ("2500名以上", 2500, False, "名", "at_least"),
    ("25名以上", 25, False, "名", "at_least"),
    ("1万名", 10_000, False, "名", None),
    ("1000家", 1000, False, "家", None),
    ("8000家以上", 8000, False, "家", "at_least"),
    ("10家", 10, False, "家", None),
    ("50个", 50, False, "个", None),
    ("1000名", 1000, False, "名", None),
    ("20万名", 200_000, False, "名", None),
    ("5%以上", 5, True, None, "at_least"),
    ("达到7000亿元", 7e11, False, "元", "reach"),
    ("超70万辆", 700_000, False, "辆", "over"),
    ("突破140万辆", 1_400_000, False, "辆", "over"),
    ("60%以上", 60, True, None, "at_least"),
    ("达到4000亿元", 4e11, False, "元", "reach"),
    ("5个以上", 5, False, "个", "at_least"),
    ("3800个", 3800, False, "个", None),
    ("5200亿元", 5.2e11, False, "元", None),
    ("1000个", 1000, False, "个", None),
    ("20%以上", 20, True, None, "at_least"),
    ("1300亿元", 1.3e11, False, "元", None),
    ("达到1.7亿人次", 1.7e8, False, "人次", "reach"),
    ("突破75万人次", 750_000, False, "人次", "over"),
    ("突破2000亿元", 2e11, False, "元", "over"),
    ("15分钟", 15, False, "分钟", None),
    ("30项", 30, False, "项", None),
    ("100个", 100, False, "个", None),
    ("25个", 25, False, "个", None),
    ("1.5万套（间）", 15_000, False, "套", None),
    ("2万套（间）", 20_000, False, "套", None),
    ("3700套", 3700, False, "套", None),
    ("85公里", 85, False, "公里", None),
    ("102公里", 102, False, "公里", None),
    ("31.5公里", 31.5, False, "公里", None),
    ("400万平方米", 4_000_000, False, "平方米", None),
    ("50万平方米", 500_000, False, "平方米", None),
    ("98%以上", 98, True, None, "at_least"),
    ("10万个以上", 100_000, False, "个", "at_least"),
    ("3.28万亩", 32_800, False, "亩", None),
    ("1个", 1, False, "个", None),
    ("300万平方米", 3_000_000, False, "平方米", None),
    ("50条", 50, False, "条", None),
    ("446万亩以上", 4_460_000, False, "亩", "at_least"),
    ("29亿斤以上", 2.9e9, False, "斤", "at_least"),
    ("80万亩以上", 800_000, False, "亩", "at_least"),
    ("12.65万人", 126_500, False, "人", None),
    ("2.68万人", 26_800, False, "人", None),
    ("10所", 10, False, "所", None),
    ("2.7万个", 27_000, False, "个", None),
    ("36个", 36, False, "个", None),
    ("至60%", 60, True, None, "reach"),
    ("达到6.6万张", 66_000, False, "张", "reach"),
    ("3岁以下", 3, False, "岁", "at_most"),
    ("达到4.8个", 4.8, False, "个", "reach"),
    ("1.9万套", 19_000, False, "套", None),
    ("4.2万套以上", 42_000, False, "套", "at_least"),
    # Chinese numerals attached to a measure word
    ("十项", 10, False, "项", None),
    ("三个", 3, False, "个", None),
    ("三场", 3, False, "场", None),
    ("两级", 2, False, "级", None),
    ("三年", 3, False, "年", None),
]


@pytest.mark.parametrize(("text", "value", "percent", "unit", "qualifier"), REPORT_CASES)
def test_report_figures(text, value, percent, unit, qualifier):
    f = report_figure(text)
    assert (f.value, f.percent, f.unit, f.qualifier, f.kind) == (value, percent, unit, qualifier, "number")
    assert REPORT[f.start:f.end] == f.text


def test_report_has_no_bare_numbers():
    # Every number in the report carries a unit or is a percentage; a bare one means a misparse.
    bare = [f for f in REPORT_FIGURES if f.kind == "number" and not f.percent and f.unit is None]
    assert bare == []


def test_report_years_dates_ordinals():
    special = [(f.text, f.kind, f.value) for f in REPORT_FIGURES if f.kind != "number"]
    assert ("2月3日", "date", 203) in special
    assert ("2024年", "year", 2024) in special
    assert ("2024", "year", 2024) in special  # the bare "2024" title and "### 2024 主要目标"
    for text, value in [("第十六届", 16), ("第二次", 2), ("二十大", 20), ("二十届", 20), ("二中全会", 2),
                        ("十一届", 11), ("六次全会", 6), ("十二届", 12), ("五次全会", 5), ("1号", 1)]:
        assert (text, "ordinal", value) in special
    # "#### 1 突出创新核心地位" … "#### 10 加强政府自身建设" are section numbers.
    assert sorted(v for t, k, v in special if k == "ordinal" and t.isdigit()) == list(range(1, 11))


def test_report_fixed_names_are_not_figures():
    texts = {f.text for f in REPORT_FIGURES} - {"二十大"}  # the 20th Party Congress, an ordinal
    for name in ["十大", "三标", "四高地", "一枢纽", "一重地", "一中心", "三合一", "一件事", "一张网", "四宜", "千人"]:
        assert not any(name in t for t in texts), name


# --- extraction: general ---------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value", "percent", "unit", "qualifier", "scale"),
    [
        ("新增学位2.7万个", 27_000, False, "个", None, "万"),
        ("1.7亿人次", 1.7e8, False, "人次", None, "亿"),
        ("5200亿元", 5.2e11, False, "元", None, "亿"),
        ("29亿斤", 2.9e9, False, "斤", None, "亿"),
        ("1万亿元", 1e12, False, "元", None, "万亿"),
        ("3千万人", 3e7, False, "人", None, "千万"),
        ("4.8个", 4.8, False, "个", None, None),
        ("8000多家", 8000, False, "家", "over", None),
        ("1万多人", 10_000, False, "人", "over", "万"),
        ("100余个", 100, False, "个", "over", None),
        ("两万人", 20_000, False, "人", None, "万"),
        ("三千名", 3000, False, "名", None, "千"),
        ("十二万户", 120_000, False, "户", None, "万"),
        ("一点七亿人次", 1.7e8, False, "人次", None, "亿"),
        ("百分之七", 7, True, None, None, None),
        ("百分之七点五以上", 7.5, True, None, "at_least", None),
        ("5千米", 5, False, "公里", None, None),
        ("0.5个百分点", 0.5, False, "百分点", None, None),
        ("约7%", 7, True, None, "about", None),
        ("不超过5%", 5, True, None, "at_most", None),
        ("跌破29亿斤", 2.9e9, False, "斤", "at_most", "亿"), ("不足10万个", 100_000, False, "个", "at_most", "万"),
        ("控制在5%以内", 5, True, None, "at_most", None),
        ("至少3个", 3, False, "个", "at_least", None),
        ("最多70万辆", 700_000, False, "辆", "at_most", "万"), ("至多5个", 5, False, "个", "at_most", None),
        ("逾10万人", 100_000, False, "人", "over", "万"),
        # English
        ("27,000", 27_000, False, None, None, None),
        ("1,234,567.89", 1_234_567.89, False, None, None, None),
        ("1.7 billion yuan", 1.7e9, False, "yuan", None, "billion"),
        ("RMB 520 billion", 5.2e11, False, "yuan", None, "billion"),
        ("¥5m", 5e6, False, "yuan", None, "m"),
        ("27 thousand", 27_000, False, None, None, "thousand"),
        ("27k", 27_000, False, None, None, "k"),
        ("1.7bn", 1.7e9, False, None, None, "bn"),
        ("7%", 7, True, None, None, None),
        ("7 percent", 7, True, None, None, None),
        ("7 per cent", 7, True, None, None, None),
        ("85km", 85, False, "km", None, None),
        ("85 km", 85, False, "km", None, None),
        ("400 square meters", 400, False, "square meters", None, None),
        ("2 percentage points", 2, False, "percentage points", None, None),
        ("126.5 thousand", 126_500, False, None, None, "thousand"),
        ("more than 700,000 vehicles", 700_000, False, "vehicles", "over", None),
        ("about 7%", 7, True, None, "about", None),
        ("around 7%", 7, True, None, "about", None),
        ("approximately 7%", 7, True, None, "about", None),
        ("roughly 7%", 7, True, None, "about", None),
        ("over 8%", 8, True, None, "over", None),
        ("exceeding 8%", 8, True, None, "over", None),
        ("at least 7%", 7, True, None, "at_least", None),
        ("8% or more", 8, True, None, "at_least", None),
        ("2,500 or more talents", 2500, False, "talents", "at_least", None),
        ("at most 3%", 3, True, None, "at_most", None),
        ("up to 3%", 3, True, None, "at_most", None),
        ("no more than 5%", 5, True, None, "at_most", None),
        ("under 3", 3, False, None, "at_most", None),
        ("reach 2.8%", 2.8, True, None, "reach", None),
        ("100+ projects", 100, False, "projects", "over", None),
        ("growth of -2%", -2, True, None, None, None),
    ],
)
def test_extract(text, value, percent, unit, qualifier, scale):
    f = one(text)
    assert f.kind == "number"
    assert (f.value, f.percent, f.unit, f.qualifier, f.scale) == (value, percent, unit, qualifier, scale)
    assert text[f.start:f.end] == f.text


def test_text_spans_qualifiers_and_unit():
    f = one("新能源汽车产量超70万辆以上，")
    assert (f.text, f.value, f.qualifier) == ("超70万辆以上", 700_000, "at_least")


def test_full_width_input_keeps_original_offsets():
    text = "新增学位２．７万个，增长７％以上，合计２７，０００人"
    figures = extract_figures(text)
    assert [(f.text, f.value, f.percent, f.qualifier) for f in figures] == [
        ("２．７万个", 27_000, False, None),
        ("７％以上", 7, True, "at_least"),
        ("２７，０００人", 27_000, False, None),
    ]
    assert all(text[f.start:f.end] == f.text for f in figures)


def test_full_width_comma_needs_exactly_three_digits():
    assert [f.value for f in extract_figures("完成10，100个和5，20个")] == [10_100, 5, 20]
    assert [f.value for f in extract_figures("增长7%，2024年")] == [7, 2024]


def test_identifiers_are_not_figures():
    assert extract_figures("5G network, COVID-19, H1N1, 3D") == []


def test_bare_chinese_numerals_and_vague_amounts_are_skipped():
    for text in ["十大战略", "千家万户", "每千人口", "数十万人", "三分之一", "一个中心", "三五年"]:
        assert extract_figures(text) == [], text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3-5%", [(3, True), (5, True)]),
        ("3至5万人", [(30_000, False), (50_000, False)]),
        ("3～5万", [(30_000, False), (50_000, False)]),
    ],
)
def test_ranges_share_scale_and_percent(text, expected):
    figures = extract_figures(text)
    assert [(f.value, f.percent) for f in figures] == expected
    assert figures[1].qualifier is None  # 至 is the range, not "reach"


def test_year_ranges_stay_years():
    assert [(f.kind, f.value) for f in extract_figures("2023-2025")] == [("year", 2023), ("year", 2025)]
    assert [(f.kind, f.value) for f in extract_figures("2000-3000 people")] == [("number", 2000), ("number", 3000)]


# --- years, dates, ordinals, citations -------------------------------------

@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2024年", "year", 2024),
        ("二〇二四年", "year", 2024),
        ("in 2024 the city", "year", 2024),
        ("By 2025, growth", "year", 2025),
        ("2月3日", "date", 203),
        ("12月", "date", 1200),
        ("February 3", "date", 203),
        ("Feb. 3rd", "date", 203),
        ("3 February", "date", 203),
        ("第十六届", "ordinal", 16),
        ("第16届", "ordinal", 16),
        ("二十大", "ordinal", 20),
        ("1号", "ordinal", 1),
        ("the 20th Congress", "ordinal", 20),
        ("No. 1 industry", "ordinal", 1),
    ],
)
def test_kinds(text, kind, value):
    f = one(text)
    assert (f.kind, f.value, f.qualifier, f.unit) == (kind, value, None, None)


@pytest.mark.parametrize(("text", "kind"), [
    ("What is the 2025 target for car output?", "year"),  # a year qualifying the word after it
    ("What was Zhengzhou's 2023 GDP?", "year"),
    ("How are the 2000 projects going?", "number"),  # a count takes a plural word
    ("over 2000 yuan", "number"),
])
def test_a_year_before_a_singular_word_after_a_determiner(text, kind):
    assert [f.kind for f in extract_figures(text)] == [kind]


def test_date_and_year_together():
    assert [(f.kind, f.value) for f in extract_figures("2024年2月3日")] == [("year", 2024), ("date", 203)]
    assert [(f.kind, f.value) for f in extract_figures("February 3, 2024")] == [("date", 203), ("year", 2024)]


def test_list_markers_are_ordinals():
    text = "1. Growth of 7%\n2、就业\n(3) jobs\n#### 4 突出\n- 25 academicians."
    figures = extract_figures(text)
    assert [(f.kind, f.value) for f in figures] == [
        ("ordinal", 1), ("number", 7), ("ordinal", 2), ("ordinal", 3), ("ordinal", 4), ("number", 25),
    ]


def test_citation_markers_are_not_figures():
    assert extract_figures("GDP growth [1] and [2][3], also [1, 2] and 【4】 and [^5]") == []
    assert [f.value for f in extract_figures("about 7% [1], 27,000 places [2][3]")] == [7, 27_000]


# --- English rendering -----------------------------------------------------

@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("2.7万", "27,000"),
        ("1.7亿", "170 million"),
        ("5200亿元", "520 billion"),
        ("29亿斤", "2.9 billion"),
        ("12.65万人", "126,500"),
        ("3.28万亩", "32,800"),
        ("1.5万套", "15,000"),
        ("446万亩", "4.46 million"),
        ("140万辆", "1.4 million"),
        ("400万平方米", "4 million"),
        ("1万亿元", "1 trillion"),
        ("126.58万人", "1.266 million"),
        ("7%", "7%"),
        ("5.5%", "5.5%"),
        ("4.8个", "4.8"),
        ("31.5公里", "31.5"),
        ("growth of -2%", "-2%"),
        ("2024年", "2024"),
        ("2月3日", "February 3"),
        ("第十六届", "16th"),
        ("二十大", "20th"),
        ("第二次", "2nd"),
    ],
)
def test_format_english(text, english):
    assert format_english(one(text)) == english


def test_english_unit():
    assert english_unit("元") == "yuan"
    assert english_unit("亩") == "mu"
    assert english_unit("斤") == "jin"
    assert english_unit("辆") == "vehicles"
    assert english_unit("人次") == "person-times"
    assert english_unit("公里") == "km"
    assert english_unit("平方米") == "square metres"
    assert english_unit("个") is None
    assert english_unit("家") is None
    assert english_unit(None) is None


@pytest.mark.parametrize(("text", "english"), [
    ("7%左右", "about "), ("3%上下", "about "), ("约3万人", "about "), ("8%以上", "at least "),
    ("不低于90%", "at least "), ("超70万辆", "over "), ("突破140万辆", "over "), ("超过2000亿元", "over "),
    ("3%以内", "at most "), ("2%以下", "at most "), ("不超过50亿元", "at most "),
    ("达到2.8%", ""), ("2.7万个", ""),  # 达到 only states the figure
])
def test_english_qualifier_reads_the_report_qualifier(text, english):
    (figure,) = extract_figures(text)
    assert english_qualifier(figure) == english
    assert english_amount(figure, qualified=True).startswith(english + format_english(figure))


def test_annotate_for_english():
    assert annotate_for_english("新增学位2.7万个") == "新增学位2.7万个(=27,000)"
    assert annotate_for_english("1.7亿人次") == "1.7亿人次(=170 million person-times)"
    assert annotate_for_english("面积稳定在446万亩以上，") == "面积稳定在446万亩以上(=at least 4.46 million mu)，"
    # A qualifier is read out too (a small model rendered 8%以上 as "8% to 8.5%"); a bare figure is left alone.
    assert annotate_for_english("增长7%左右，投资增长8%以上，新认定高企1000家") == (
        "增长7%左右(=about 7%)，投资增长8%以上(=at least 8%)，新认定高企1000家")
    once = annotate_for_english(REPORT)
    assert annotate_for_english(once) == once  # idempotent


def test_annotate_round_trips_on_the_report():
    """Every annotated English value matches its Chinese figure via match_figures."""
    scaled = [f for f in REPORT_FIGURES if f.kind == "number" and (f.scale in ("万", "亿") or f.qualifier in
                                                                    ("about", "over", "at_least", "at_most"))]
    annotated = annotate_for_english(REPORT)
    notes = re.findall(r"\(=([^)]*)\)", annotated)
    assert len(notes) == len(scaled) > 28
    for figure, note in zip(scaled, notes):
        checks = match_figures(note, [figure.text])
        assert [(c.found, c.source_index) for c in checks] == [(True, 0)], (figure.text, note)
        assert same_value(checks[0].figure.value, figure.value)
    # Every annotation sits right after its figure.
    for figure in scaled:
        assert f"{figure.text}(={english_amount(figure, qualified=True)})" in annotated


def test_every_report_number_matches_itself():
    for f in (f for f in REPORT_FIGURES if f.kind == "number"):
        assert [c.found for c in match_figures(f.text, [REPORT])] == [True], f.text


# --- verification ----------------------------------------------------------

def test_same_value():
    assert same_value(126_500, 126_500)
    assert same_value(1_265_800, 1_270_000)
    assert same_value(100, 100.4)
    assert not same_value(100, 101)
    assert same_value(0, 0)


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        ("27,000 new school places", "新增学位2.7万个"),
        ("27 thousand places", "新增学位2.7万个"),
        ("170 million tourist visits", "接待游客达到1.7亿人次"),
        ("520 billion yuan", "力争完成投资5200亿元"),
        ("RMB 520 billion", "力争完成投资5200亿元"),
        ("2.9 billion jin", "总产量稳定在29亿斤以上"),
        ("7 percent", "地区生产总值增长7%左右"),
        ("126,500 urban jobs", "新增城镇就业12.65万人"),
        ("126.5 thousand", "新增城镇就业12.65万人"),
        ("0.1265 million", "新增城镇就业12.65万人"),
        ("1.27 million", "就业126.58万人"),
        ("4.46 million mu", "446万亩以上"),
        ("15,000 units", "1.5万套（间）"),
        ("about 7%", "7%左右"),
        ("２．７万个", "27,000 places"),
    ],
)
def test_match_figures_found(answer, source):
    checks = match_figures(answer, ["无关的文字", source])
    assert [(c.found, c.source_index) for c in checks] == [(True, 1)]


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        ("2.7 million school places", "新增学位2.7万个"),  # the classic 万 slip
        ("1.7 billion visits", "接待游客达到1.7亿人次"),
        ("5.2 trillion yuan", "力争完成投资5200亿元"),
        ("29 billion jin", "总产量稳定在29亿斤以上"),
        ("2.69万人", "农村劳动力转移就业2.68万人"),  # within 0.5% but not the stated figure
        ("4.45 million mu", "446万亩以上"),
        ("1.3 million", "就业126.58万人"),
        ("7", "增长7%"),  # percent-ness must agree
        ("7%", "新增7个"),
        ("27,000 yuan", "新增学位2.7万个"),  # the value is stated, but as a count of places
    ],
)
def test_match_figures_not_found(answer, source):
    checks = match_figures(answer, [source])
    assert [(c.found, c.source_index) for c in checks] == [(False, None)]


def test_match_figures_years_dates_ordinals():
    checks = match_figures(
        "On February 3, 2024 the 16th congress met; 2024 targets; in 2023 [1]",
        ["2月3日上午，在郑州市第十六届人民代表大会", "报告为2024年郑州发展擘画蓝图"],
    )
    assert [(c.figure.kind, c.found, c.source_index) for c in checks] == [
        ("date", True, 0), ("year", True, 1), ("ordinal", True, 0), ("number", True, 1), ("year", False, None),
    ]
    # A year is not confirmed by a count of the same value, nor a date by a number.
    assert not match_figures("in 2000", ["2000名"])[0].found
    assert not match_figures("February 3", ["203个"])[0].found


def test_match_figures_ignores_citation_markers():
    checks = match_figures("Growth of about 7% [1][2].", ["增长7%左右"])
    assert [(c.figure.value, c.found) for c in checks] == [(7, True)]


@pytest.mark.parametrize(
    ("claim", "report", "result"),
    [
        ("7%以上", "7%左右", "different_qualifier"),
        ("at least 7%", "7%左右", "different_qualifier"),
        ("more than 700,000", "超70万辆", "same"),
        ("at least 700,000 vehicles", "超70万辆", "same"),  # over ~ at_least
        ("7% growth", "7%左右", "same"),  # no qualifier in the claim
        ("about 7%", "7%左右", "same"),
        ("about 2.8%", "达到2.8%", "same"),  # reach is a target, like no qualifier
        ("more than 1,000", "新认定高企1000家", "different_qualifier"),
        ("under 5.5%", "5.5%左右", "different_qualifier"),
        ("8%", "7%左右", "different_value"),
        ("7", "7%左右", "different_value"),
        ("2.7 million", "2.7万个", "different_value"),
        ("170 million yuan", "达到1.7亿人次", "different_unit"),
        ("170 million people", "达到1.7亿人次", "different_unit"),
        ("170 million tourists", "达到1.7亿人次", "same"),
        ("4.46 million mu", "446万亩以上", "same"),
        ("4.46 million projects", "446万亩以上", "same"),  # unknown unit family: not judged
        ("27,000 yuan", "新增学位2.7万个", "different_unit"),  # money is never a count of places
        ("2.7万元", "新增学位2.7万个", "different_unit"),
        ("85 km", "新建改造供水管网85公里", "same"),
    ],
)
def test_compare_qualified(claim, report, result):
    assert compare_qualified(one(claim), one(report)) == result


def test_units_conflict_only_between_known_different_families():
    def figure(text):
        return extract_figures(text)[0]

    assert units_conflict(figure("1500亿元"), figure("20万名"))
    assert not units_conflict(figure("1500亿元"), figure("1300亿元"))
    assert not units_conflict(figure("25个"), figure("3条"))  # unknown counters decide nothing
    # An age or a span of years is no count: "3-6 year olds" says nothing of 10所, nor 3岁以下 of 4.8个.
    assert units_conflict(figure("6 year olds"), figure("10所"))
    assert units_conflict(figure("3岁以下"), figure("4.8个"))


@pytest.mark.parametrize(("text", "figures"), [
    ('新增学位<img src=x onerror="x=1">8000个', ["8000个"]),  # an attribute's value is no figure
    ("see http://127.0.0.1:8080/x.png for 27,000 places", ["27,000 places"]),  # nor an address's port
    ("![chart](http://host/2024/7.png) 增长7%左右", ["7%左右"]),
    ('<a href="javascript:alert(1)">新增学位2.7万个</a>', ["2.7万个"]),
])
def test_markup_and_addresses_hold_no_figures(text, figures):
    assert [f.text for f in extract_figures(text) if f.kind == "number"] == figures


@pytest.mark.parametrize(("text", "figure", "words"), [
    ("新建改造供水管网85公里、燃气管网102公里、供热管网31.5公里", "102公里", "燃气管网…"),
    ("抓好已谋划的3800个项目建设，力争完成投资5200亿元", "3800个", "抓好已谋划的…项目建设"),
    ("抓好已谋划的3800个项目建设，力争完成投资5200亿元", "5200亿元", "力争完成投资…"),
    # A bare total counts the thing of the item before it: the grain's output, not an output of nothing.
    ("确保粮食播种面积稳定在446万亩以上、总产量稳定在29亿斤以上", "29亿斤以上", "确保粮食播种面积…总产量稳定在…"),
    ("确保粮食播种面积稳定在446万亩以上、总产量稳定在29亿斤以上", "446万亩以上", "确保粮食播种面积稳定在…"),
    ("蔬菜产量达到50万吨、总产值突破80亿元", "突破80亿元", "蔬菜产量…总产值…"),
    ("蔬菜产量达到50万吨、农产品加工总产值突破80亿元", "突破80亿元", "农产品加工总产值…"),  # a thing of its own
])
def test_a_figures_own_words_are_those_of_its_clause_next_to_it(text, figure, words):
    found = next(f for f in numbers.number_figures(text) if f.text == figure)
    assert figure_words.own_words(text, found) == words


@pytest.mark.parametrize(("text", "figure", "counted"), [
    # The thing after a figure is what it counts; the things listed before it name whose (examples, owners).
    ("推进甲集团电池工厂、乙产业园等200个产业项目", "200个", "产业项目"),
    ("引进知名大学、科研院所研究院8家", "8家", "科研院所研究院"),
    ("新建雨水管网6公里、污水管网9公里", "9公里", "污水管网"),
    ("新建雨水管网6公里、污水管网9公里", "6公里", "新建雨水管网"),
    ("商业投资增长5%以上，完成80亿元", "80亿元", "商业投资完成"),  # a bare verb: the words before its figure
])
def test_what_a_figure_counts(text, figure, counted):
    found = next(f for f in numbers.number_figures(text) if f.text == figure)
    assert figure_words.counted_words(text, found) == counted


def test_a_bare_verb_measures_what_the_figure_before_it_does():
    text = "力争工业投资增长20%以上，完成1300亿元"
    amount = next(f for f in numbers.number_figures(text) if f.text == "1300亿元")
    words = figure_words.own_words(text, amount)
    assert "工业投资" in words and "增长" not in words  # the investment's amount, not its growth rate


@pytest.mark.parametrize(("text", "words", "reached"), [
    ("超70万辆", ("超", ""), False), ("达到6.6万张", ("达到", ""), True), ("7%左右", ("", "左右"), False),
    ("不超过5%", ("不超过", ""), False),  # the longest word: not 超过
    ("2.7万个", ("", ""), False),
])
def test_the_qualifier_words_a_figure_opens_and_ends_with(text, words, reached):
    assert numbers.qualifier_words(text) == words
    assert numbers.reaches(words[0]) is reached
