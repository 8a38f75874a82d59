"""Settings: every unusable value, key or file is one SettingsError whose one-line message names the setting,
where it was set and what is allowed; good values from files and the environment still apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzbot.settings import RetrievalSettings, SettingsError, field_bounds, load_settings


def _error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message
    return message


def _settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    monkeypatch.setenv("ZZBOT_SETTINGS_FILE", str(path))
    return path


def test_an_unknown_backend_names_the_setting_and_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, ZZBOT_LLM__BACKEND="gpt5")
    assert message.startswith("llm.backend: 'gpt5' is not one of local, openai, extractive")
    assert "ZZBOT_LLM__BACKEND" in message


@pytest.mark.parametrize(("value", "expected"), [
    ("abc", "retrieval.k: 'abc' is not a whole number"),
    ("0", "retrieval.k: '0' is out of range: it must be between 1 and 50"),
    ("1000000", "it must be between 1 and 50"),
])
def test_a_bad_number(monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    assert expected in _error(monkeypatch, ZZBOT_RETRIEVAL__K=value)


def test_a_misspelt_variable_is_not_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, ZZBOT_RETRIEVAL__KK="5")
    assert message.startswith("ZZBOT_RETRIEVAL__KK: not a setting") and "k, fusion" in message


def test_a_group_given_as_one_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _error(monkeypatch, ZZBOT_LLM="{bad").startswith("ZZBOT_LLM: llm is a group of settings")


def test_an_unknown_profile_lists_the_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _error(monkeypatch, ZZBOT_PROFILE="nope") == (
        "ZZBOT_PROFILE: 'nope' is not one of default, test (no file settings-nope.yaml)")


def test_a_missing_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert _error(monkeypatch, ZZBOT_SETTINGS_FILE=str(missing)) == (
        f"ZZBOT_SETTINGS_FILE: {missing} is missing; name a YAML settings file")
    assert "is a folder" in _error(monkeypatch, ZZBOT_SETTINGS_FILE=str(tmp_path))


@pytest.mark.parametrize(("text", "expected"), [
    ("retrieval: {k: [1,\n", "not valid YAML at line 2"),
    ("- retrieval\n- llm\n", "holds a list, not a mapping of settings"),
    ("just words\n", "holds a str, not a mapping of settings"),
    (b"\xff\xferetrieval: 3", "not UTF-8 text"),
])
def test_a_malformed_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str | bytes,
                                   expected: str) -> None:
    path = _settings_file(monkeypatch, tmp_path, text)
    message = _error(monkeypatch)
    assert message.startswith(f"settings file {path}: ") and expected in message


@pytest.mark.parametrize(("text", "expected"), [
    ("retrival:\n  k: 3\n", "retrival: unknown setting; known settings here: profile, documents"),
    ("retrieval:\n  kk: 3\n", "retrieval.kk: unknown setting; known settings here: k, fusion"),
    ("retrieval: 3\n", "retrieval: is a group of settings, not a single value"),
    ("llm:\n  backend: gpt5\n", "llm.backend: 'gpt5' is not one of local, openai, extractive"),
])
def test_unknown_keys_and_bad_values_in_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str,
                                               expected: str) -> None:
    path = _settings_file(monkeypatch, tmp_path, text)
    message = _error(monkeypatch)
    assert message.startswith(expected) and message.endswith(f"(in {path})")


def test_good_values_still_apply_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _settings_file(monkeypatch, tmp_path, "retrieval:\n  k: 7\nllm:\n  backend: extractive\n")
    settings = load_settings()
    assert settings.retrieval.k == 7 and settings.llm.backend == "extractive"
    monkeypatch.setenv("ZZBOT_RETRIEVAL__K", "9")
    assert load_settings().retrieval.k == 9
    _settings_file(monkeypatch, tmp_path, "")  # an empty file sets nothing
    assert load_settings().retrieval.k == 9


def test_a_bad_keyword_override_names_no_source() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(retrieval={"k": 0})
    assert str(caught.value) == "retrieval.k: 0 is out of range: it must be between 1 and 50"


def test_a_secret_is_never_echoed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _settings_file(monkeypatch, tmp_path, "llm:\n  openai_api_key: [sk-secret-123]\n")
    message = _error(monkeypatch)
    assert message.startswith("llm.openai_api_key:") and "sk-secret" not in message


def test_field_bounds_are_the_fields_own() -> None:
    assert field_bounds(RetrievalSettings, "k") == (1, 50)
    assert field_bounds(RetrievalSettings, "fusion") == (None, None)
