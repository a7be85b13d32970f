"""Issue 12: one command registry for Telegram and the terminal, the shared Telegram helpers
(parse-mode fallback, callback data), and the import contract in `make test`."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from telegram.error import BadRequest

from bot import features
from bot.adapters.terminal import TerminalChat, run_terminal_chat
from bot.services import Services
from bot.telegram.common import (
    ASSIGNMENTS,
    QA,
    Callback,
    CallbackDataError,
    TelegramFeature,
    html_to_plain,
    with_plain_fallback,
)
from tests.conftest import ROOT, running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

USER = 6161
ADMIN = 6262
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def as_pairs(commands: list[features.Command]) -> list[dict[str, str]]:
    return [{"command": c.name, "description": c.description} for c in commands]


# One registry --------------------------------------------------------------------------------
async def test_telegram_command_menus_are_the_registry(services: Services,
                                                       telegram: FakeTelegramServer) -> None:
    catalog = features.catalog(services)
    public = as_pairs(catalog.commands)
    assert [c["command"] for c in public][:3] == ["start", "vraag", "nieuw"]
    assert {"oefenen", "opdrachten", "herinnering", "oefenvraag", "privacy"} <= {
        c["command"] for c in public}
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        await telegram.send_message(USER, "/help")
        [help_msg] = await telegram.wait_for_messages(USER, timeout=20)
    assert telegram.commands() == public
    assert telegram.commands(language_code="nl") == public
    trainer = telegram.commands({"type": "chat", "chat_id": ADMIN})
    assert trainer == as_pairs(catalog.trainer_commands)
    assert trainer[:len(public)] == public
    assert {"overzicht", "bericht", "groepen"} <= {c["command"] for c in trainer[len(public):]}
    # /help in Telegram lists the same commands with the same descriptions, in order.
    lines = [line for line in help_msg["plain_text"].splitlines() if line.startswith("/")]
    assert lines == [f"/{c['command']} – {c['description']}" for c in public]


def test_terminal_help_is_the_registry(services: Services) -> None:
    out = io.StringIO()
    run_terminal_chat(services, io.StringIO("/help\n"), out, user_id=61)
    help_part = out.getvalue().split("Dit kun je typen", 1)[1]
    listed = [line.strip() for line in help_part.splitlines() if line.startswith("  /")]
    registry = [f"/{c.name} – {c.description}" for c in features.catalog(services).commands]
    assert listed[:len(registry)] == registry
    # Then only terminal-only commands (what Telegram does with buttons), none of the trainers'.
    extra = {line.split()[0] for line in listed[len(registry):]}
    assert extra == {"/opdracht", "/antwoord", "/klaar", "/tip", "/annuleer", "/exit"}


def test_every_registry_command_works_in_the_terminal(services: Services) -> None:
    catalog = features.catalog(services)
    lines = [f"/{c.name}" for c in catalog.commands]
    out = io.StringIO()
    run_terminal_chat(services, io.StringIO("\n".join(lines) + "\n"), out, user_id=62)
    assert "Dat commando ken ik niet" not in out.getvalue()
    assert "Wat bewaart Wijkwijs?" in out.getvalue()  # /privacy, as plain text
    assert "<b>" not in out.getvalue()
    for trainer_command in ("/overzicht", "/groepen"):
        out = io.StringIO()
        run_terminal_chat(services, io.StringIO(trainer_command + "\n"), out, user_id=62)
        assert "Dat commando ken ik niet" in out.getvalue()


def test_a_feature_without_a_handler_is_refused(services: Services,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    extended = dataclasses.replace(features.REMINDERS, commands=(
        *features.REMINDERS.commands, features.Command("nieuwding", "Iets nieuws")))
    registry = tuple(extended if f is features.REMINDERS else f for f in features.REGISTRY)
    monkeypatch.setattr(features, "REGISTRY", registry)
    monkeypatch.setattr(features.catalog, "__defaults__", (registry,))
    assert "nieuwding" in {c.name for c in features.catalog(services).commands}
    import asyncio

    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="/nieuwding"):
            TerminalChat(services, io.StringIO(), 1, loop)
    finally:
        loop.close()
    with pytest.raises(RuntimeError, match="/nieuwding"):
        TelegramFeature(extended, []).check()


def test_vergeet_in_the_terminal_asks_first(services: Services) -> None:
    services.participants.set_state(63, "history", [{"q": "oud", "a": "antwoord"}])
    out = io.StringIO()
    run_terminal_chat(services, io.StringIO("/vergeet\n"), out, user_id=63)
    assert "/vergeet ja" in out.getvalue()
    assert services.participants.get_state(63, "history") is not None
    run_terminal_chat(services, io.StringIO("/vergeet ja\n"), out, user_id=63)
    assert "Alles wat ik over je bewaarde is gewist" in out.getvalue()
    assert services.participants.get_state(63, "history") is None


# Sending with the parse-mode fallback ----------------------------------------------------------
async def test_plain_fallback_only_for_rejected_markup() -> None:
    calls: list[tuple[str, str | None]] = []

    async def send(text: str, mode: str | None) -> str:
        calls.append((text, mode))
        if mode is not None:
            raise BadRequest("Can't parse entities: unsupported start tag")
        return "sent"

    assert await with_plain_fallback(send, "<b>a &amp; b</b>") == "sent"
    assert calls == [("<b>a &amp; b</b>", "HTML"), ("a & b", None)]

    async def other_error(text: str, mode: str | None) -> str:
        calls.append((text, mode))
        raise BadRequest("Chat not found")

    calls.clear()
    with pytest.raises(BadRequest, match="Chat not found"):
        await with_plain_fallback(other_error, "<b>x</b>")
    assert len(calls) == 1  # no second try for other errors
    assert html_to_plain("<i>x</i> &lt;y&gt;") == "x <y>"


async def test_rejected_markup_is_resent_as_plain_text_everywhere(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        telegram.fail_next("sendMessage",
                           description="Bad Request: can't parse entities: unsupported tag")
        await telegram.send_message(USER, "/privacy")
        [msg] = await telegram.wait_for_messages(USER, timeout=20)
        assert msg["parse_mode"] is None and "<b>" not in msg["text"]
        assert msg["plain_text"].startswith("Wat bewaart Wijkwijs?")
        await telegram.send_message(USER, "/help")  # the Application's default: HTML
        [html_msg] = await telegram.wait_for_messages(USER, timeout=20)
        assert html_msg["parse_mode"] == "HTML" and "<b>" in html_msg["text"]
        await telegram.send_message(USER, "/vraag")  # plain texts say so (parse_mode=None)
        [plain_msg] = await telegram.wait_for_messages(USER, timeout=20)
        assert plain_msg["parse_mode"] is None


# Callback data -------------------------------------------------------------------------------
def test_callback_data_round_trip_and_limits() -> None:
    data = QA.data("more", 12, 1)
    assert data == "q:more:12:1"
    parsed = QA.parse(data)
    assert parsed is not None and parsed.action == "more" and parsed.args == ("12", "1")
    assert parsed.ints() == (12, 1)
    assert QA.parse("a:open:3") is None and QA.parse(None) is None
    assert ASSIGNMENTS.parse("a:open:3") is not None
    with pytest.raises(CallbackDataError):
        QA.parse("q:rate:x:1").ints()  # type: ignore[union-attr]
    # Telegram's limit is 64 bytes (UTF-8): 64 is fine, 65 is refused, so are multi-byte ones.
    ok = ASSIGNMENTS.data("item", 3, "x" * (64 - len("a:item:3:")))
    assert len(ok.encode()) == 64
    with pytest.raises(CallbackDataError, match="64 bytes"):
        ASSIGNMENTS.data("item", 3, "x" * (65 - len("a:item:3:")))
    with pytest.raises(CallbackDataError):
        ASSIGNMENTS.data("item", 3, "é" * 30)
    with pytest.raises(CallbackDataError):  # could not be parsed back
        ASSIGNMENTS.data("item", "a:b")
    with pytest.raises(ValueError):  # every feature has its own prefix
        Callback("a")
    import re

    assert re.match(QA.pattern("more"), "q:more:1:0")
    assert not re.match(QA.pattern("more"), "q:moreover")
    assert re.match(QA.pattern("rate", exact=True), "q:rate")
    assert not re.match(QA.pattern("rate", exact=True), "q:rate:1")


async def test_reminder_cancel_is_its_own_button(services: Services,
                                                 telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await telegram.send_message(USER, "/herinnering")
        [status] = await telegram.wait_for_messages(USER, timeout=20)
        await telegram.press_button(USER, status["message_id"], find_button(status, "Andere tijd"))
        [prompt] = await telegram.wait_for_messages(USER, timeout=20)
        cancel = find_button(prompt, "Annuleer")
        assert cancel == "r:cancel"  # not the assignments' a:cancel
        await telegram.press_button(USER, prompt["message_id"], cancel)
        await telegram.wait_for_request("editMessageText",
                                        lambda r: r.params.get("message_id")
                                        == prompt["message_id"])
        edited = next(m for m in telegram.sent_messages(USER)
                      if m["message_id"] == prompt["message_id"])
        assert edited["plain_text"].startswith("Oké, geannuleerd")
        assert services.participants.get_state(USER, "awaiting") is None
        await telegram.send_message(USER, "19:30")  # no longer waiting for a time
        [answer] = await telegram.wait_for_messages(USER, timeout=30)
        assert "een herinnering" not in answer["plain_text"]
    assert services.reminders.get(USER) is None


# The import contract -------------------------------------------------------------------------
def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(cwd)})


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed (dev extra)")
def test_import_contract_holds_and_runs_in_make_test() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in test_target


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed (dev extra)")
@pytest.mark.parametrize(("module", "line", "contract"), [
    ("bot/quiz/leak.py", "import telegram\n", "never import Telegram"),
    ("bot/services.py", "from bot.telegram import common\n", "never import Telegram"),
    ("bot/telegram/leak.py", "import sqlalchemy\n", "imports no database"),
    ("bot/roleplay/leak.py", "from bot.telegram import common\n", "never import Telegram"),
    ("bot/preflight.py", "from bot.telegram import application\n", "Only the entry point"),
    ("bot/telegram/trainer.py", "from bot.telegram import quiz\n", "never import each other"),
    ("bot/telegram/reminders.py", "from bot.telegram.quiz import more_markup\n",
     "never import each other"),
])
def test_import_contract_catches_a_violation(tmp_path: Path, module: str, line: str,
                                             contract: str) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot",
                    ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / module
    path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + line,
                    encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in " ".join(broken.split())
