import pytest

from zzbot.text import names_outside_per


@pytest.mark.parametrize(("text", "term", "named"), [
    ("力争每千人口拥有3岁以下婴幼儿托位数达到4.8个", "人口", False),  # the base of a per-unit figure
    ("每万人拥有律师数", "人", False),
    ("农村人口减少，每千人口托位数增加", "人口", True),  # named once of its own
    ("常住人口达到1300万人", "人口", True),
    ("新增学位2.7万个", "人口", False),
])
def test_a_per_unit_base_does_not_name_its_subject(text, term, named):
    assert names_outside_per(text, term) is named


def test_a_clause_is_not_cut_at_the_comma_of_a_number():
    from zzbot.text import clause_around

    text = "Zhengzhou will train 10,000 digital talents and bring in 1,000 PhD talents, it says"
    assert clause_around(text, text.index("1,000"), text.index("1,000") + 5) == text[:text.index(", it") + 1]
    assert clause_around("新增学位2.7万个，新增城镇就业12.65万人", 0, 2) == "新增学位2.7万个，"


def test_a_figures_text_reaches_the_end_of_its_clause_not_the_names_after_it():
    from zzbot.text import up_to_clause_end

    text = "加快推进陇海路东延等25个郑港融城项目建设，抓好郑开大道智能化改造等郑开同城项目建设"
    assert up_to_clause_end(text, text.index("25个") + 3) == text[:text.index("，") + 1]
    assert "郑开" in up_to_clause_end(text, len(text))
    assert up_to_clause_end("新增学位2.7万个", 3) == "新增学位2.7万个"
