import json

import pytest

from bot.questions import clean_history, clean_question, detect_lang, load_history_file
from bot.schema import BotInputError


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_questions_are_refused(text):
    with pytest.raises(BotInputError, match="empty"):
        clean_question(text, 2000)


def test_overlong_question_is_refused_with_its_length():
    with pytest.raises(BotInputError, match="20,000 characters"):
        clean_question("学" * 20_000, 2000)


def test_control_characters_and_fullwidth_are_normalised():
    assert clean_question("\x07新增学位\u200b多少？\r\n", 100) == "新增学位多少?"
    assert clean_question("ｈｏｗ　many？", 100) == "how many?"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("2024年郑州市区新增多少个学位？", "zh"), ("how many new school seats in 2024?", "en"),
     ("What does 新增学位 mean in the report?", "en"), ("GDP增长目标是多少", "zh")],
)
def test_language_detection(text, lang):
    assert detect_lang(text) == lang


def test_history_is_validated():
    good = [{"role": "user", "content": "学位？"}, {"role": "assistant", "content": "2.7万个"}]
    assert clean_history(good, 100) == good
    for bad, message in [("x", "list"), ([{"role": "system", "content": "x"}], "role"),
                         ([{"content": "x"}], "role"), ([{"role": "user", "content": 3}], "text")]:
        with pytest.raises(BotInputError, match=message):
            clean_history(bad, 100)


def test_history_file_errors(tmp_path):
    with pytest.raises(BotInputError, match="does not exist"):
        load_history_file(tmp_path / "none.json", 100)
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(BotInputError, match="not valid JSON"):
        load_history_file(broken, 100)
    fine = tmp_path / "fine.json"
    fine.write_text(json.dumps([{"role": "user", "content": "hi"}]), encoding="utf-8")
    assert load_history_file(fine, 100) == [{"role": "user", "content": "hi"}]
