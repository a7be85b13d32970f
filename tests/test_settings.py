from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.telegram_api_url == "https://api.telegram.org"
    assert s.bot_base_url == "https://api.telegram.org/bot"
    assert s.llm_provider == "none"
    assert s.sqlalchemy_url.startswith("sqlite:///") and s.sqlalchemy_url.endswith("wijkwijs.db")


@pytest.mark.parametrize(("var", "value", "needle"), [
    ("WIJKWIJS_TIMEZONE", "Mars/Olympus", "WIJKWIJS_TIMEZONE"),
    ("WIJKWIJS_ADMIN_IDS", "12,abc", "WIJKWIJS_ADMIN_IDS"),
    ("WIJKWIJS_TELEGRAM_API_URL", "ftp://x", "WIJKWIJS_TELEGRAM_API_URL"),
    ("WIJKWIJS_LLM_PROVIDER", "gpt", "WIJKWIJS_LLM_PROVIDER"),
    ("WIJKWIJS_TOP_K", "0", "WIJKWIJS_TOP_K"),
])
def test_wrong_value_fails_with_one_line_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, var: str, value: str, needle: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as exc:
        load_settings(_env_file=None)
    assert needle in str(exc.value)
    assert "\n" not in str(exc.value)


def test_id_lists_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKWIJS_ADMIN_IDS", "1, 2;3")
    assert load_settings(_env_file=None).admin_ids == [1, 2, 3]
