"""Self-tests of the fake Telegram Bot API server, driven by a real PTB Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_server import FakeTelegramServer, parse_html, parse_markdown_v2

USER = 42
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Ja 👍", callback_data="yes"),
      InlineKeyboardButton("Nee", callback_data="no")]]
)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


def build_app(tg: FakeTelegramServer) -> Application[Any, Any, Any, Any, Any, Any]:
    """A real PTB application talking HTTP to the fake server, with a few demo handlers."""
    app = (
        ApplicationBuilder()
        .token(tg.default_token)
        .base_url(f"{tg.api_root}/bot")
        .base_file_url(f"{tg.api_root}/file/bot")
        .build()
    )
    seen: list[str] = []
    app.bot_data["seen"] = seen

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        seen.append(update.message.text)
        await update.message.reply_text(f"echo: {update.message.text}", reply_markup=KEYBOARD)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"chosen: {query.data}")

    async def send_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_document(b"hello bytes", filename="notes.txt", caption="Notes")

    async def read_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.document is not None
        file = await update.message.document.get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"got {len(data)} bytes: {bytes(data).decode()}")

    app.add_handler(CommandHandler("doc", send_doc))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, read_doc))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_message_round_trip_and_button_press(tg: FakeTelegramServer) -> None:
    async with running(build_app(tg)):
        await tg.send_message(USER, "hallo", username="anne")
        [reply] = await tg.wait_for_messages(USER)
        assert reply["text"] == "echo: hallo"
        assert tg.find_button(reply, "Ja") == "yes"

        await tg.press_button(USER, reply["message_id"], "yes")
        edit = await tg.wait_for_request("editMessageText")
        assert edit.status == 200 and edit.params["chat_id"] == USER

    [msg] = tg.sent_messages(USER)
    assert msg["text"] == "chosen: yes" and msg["edited"]
    assert msg["edits"][0]["text"] == "echo: hallo"
    assert msg["reply_markup"] is None  # editMessageText without markup drops the keyboard
    [answer] = tg.callback_answers()
    assert answer["text"] == "ok" and answer["data"] == "yes" and answer["user_id"] == USER
    with pytest.raises(ValueError, match="no button"):
        await tg.press_button(USER, msg["message_id"], "yes")


async def test_documents_both_directions(tg: FakeTelegramServer) -> None:
    async with running(build_app(tg)):
        await tg.send_message(USER, "/doc")
        [sent] = await tg.wait_for_messages(USER)
        await tg.send_document(USER, "in.txt", content=b"abc")
        [reply] = await tg.wait_for_messages(USER)

    assert sent["caption"] == "Notes"
    [doc] = tg.documents(USER)
    assert doc["data"] == b"hello bytes" and doc["file_name"] == "notes.txt"
    assert reply["text"] == "got 3 bytes: abc"  # getFile + download through base_file_url


async def test_offset_confirms_updates_across_updater_restart(tg: FakeTelegramServer) -> None:
    app = build_app(tg)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await tg.send_message(USER, "one")
        await tg.wait_for_messages(USER)
        await app.updater.stop()
        assert tg.pending_updates() == []  # the final getUpdates confirmed "one"

        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await tg.send_message(USER, "two")
        [reply] = await tg.wait_for_messages(USER)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "echo: two"
    assert app.bot_data["seen"] == ["one", "two"]


async def test_get_updates_offset_limit_and_long_poll_over_raw_http(
    tg: FakeTelegramServer,
) -> None:
    url = f"{tg.api_root}/bot{tg.default_token}"
    for text in ("a", "b", "c"):
        await tg.send_message(USER, text)

    async with aiohttp.ClientSession() as http:

        async def call(method: str, **params: Any) -> Any:
            async with http.post(f"{url}/{method}", json=params) as resp:
                body = await resp.json()
                assert body["ok"], body
                return body["result"]

        def ids(updates: list[dict[str, Any]]) -> list[int]:
            return [u["update_id"] for u in updates]

        assert ids(await call("getUpdates")) == [1, 2, 3]
        assert ids(await call("getUpdates", offset=2)) == [2, 3]
        assert ids(await call("getUpdates")) == [2, 3]  # update 1 is forgotten
        assert ids(await call("getUpdates", limit=1)) == [2]
        assert ids(await call("getUpdates", offset=-1)) == [3]
        assert await call("getUpdates", offset=4, timeout=0.2) == []

        poll = asyncio.create_task(call("GETUPDATES", offset=4, timeout=5))
        await asyncio.sleep(0.05)
        await tg.send_message(USER, "d")
        async with asyncio.timeout(2):
            assert ids(await poll) == [4]

        async with http.get(f"{url}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "wijkwijs_test_bot"
        async with http.post(f"{url}/sendMessage", data={"chat_id": "7", "text": "123"}) as resp:
            assert (await resp.json())["result"]["text"] == "123"  # form text stays a string
        async with http.post(f"{url}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404,
                                         "description": "Not Found: method not found"}


async def test_failure_injection_and_blocking(tg: FakeTelegramServer) -> None:
    app = build_app(tg)
    async with app:
        tg.fail_next("sendMessage", retry_after=7)
        with pytest.raises(RetryAfter) as exc_info, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            await app.bot.send_message(USER, "x")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert exc_info.value.retry_after in (7, dtm.timedelta(seconds=7))
        assert (await app.bot.send_message(USER, "x")).text == "x"

        tg.fail_next("getChat", error_code=400, description="Bad Request: chat not found")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await app.bot.get_chat(USER)
        assert (await app.bot.get_chat(USER)).id == USER

        tg.block_user(USER)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await app.bot.send_document(USER, b"x", filename="x.txt")
        tg.unblock_user(USER)

        with pytest.raises(EndPointNotFound):
            await app.bot.do_api_request("fooBar")


async def test_text_validation(tg: FakeTelegramServer) -> None:
    app = build_app(tg)
    async with app:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(USER, "<b>x", parse_mode="HTML")
        msg = await app.bot.send_message(USER, "a &lt; b", parse_mode="HTML")
        assert msg.text == "a < b"
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(USER, "Klaar.", parse_mode="MarkdownV2")
        await app.bot.send_message(USER, "*Klaar*\\.", parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await app.bot.send_message(USER, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await app.bot.send_message(USER, " ")
        bad_keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(USER, "hi", reply_markup=bad_keyboard)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await app.bot.edit_message_text("a &lt; b", USER, msg.message_id, parse_mode="HTML")
    assert [m["text"] for m in tg.sent_messages(USER)] == ["a &lt; b", "*Klaar*\\."]


def test_markup_checkers() -> None:
    assert parse_html('<b>x</b> <a href="https://x.nl?a=1&amp;b=2">l</a> &#x27;') == "x l '"
    assert parse_html('<span class="tg-spoiler">s</span><pre><code>1 &gt; 0</code></pre>')
    for bad in ("<b>x", "x</b>", "<b><i>x</b></i>", "<p>x</p>", "a < b", "a & b", "<span>x</span>"):
        with pytest.raises(ValueError):
            parse_html(bad)
    assert parse_markdown_v2("*vet* _schuin_ `a.b` [link](https://x.nl/a_b) \\!") == (
        "vet schuin a.b link !"
    )
    for bad in ("1. punt", "*open", "(x)", "`code"):
        with pytest.raises(ValueError):
            parse_markdown_v2(bad)


async def test_commands_drafts_actions_and_reactions(tg: FakeTelegramServer) -> None:
    app = build_app(tg)
    async with app:
        await app.bot.set_my_commands([("start", "Begin"), ("help", "Hulp")])
        await app.bot.set_my_commands([("start", "Begin")], language_code="en")
        assert [c.command for c in await app.bot.get_my_commands()] == ["start", "help"]
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await app.bot.set_my_commands([("Start", "Begin")])
        await app.bot.send_message_draft(USER, draft_id=5, text="Den")
        await app.bot.send_message_draft(USER, draft_id=5, text="Denken")
        await app.bot.send_chat_action(USER, "typing")
        update = await tg.send_message(USER, "hoi")
        await app.bot.set_message_reaction(USER, update["message"]["message_id"], "👍")
        await app.bot.set_chat_menu_button()
        assert await app.bot.delete_webhook()
    assert tg.commands() == [{"command": "start", "description": "Begin"},
                             {"command": "help", "description": "Hulp"}]
    assert len(tg.commands(language_code="en")) == 1
    assert [d["text"] for d in tg.drafts(USER)] == ["Den", "Denken"]
    assert tg.chat_actions(USER) == ["typing"]
    reaction = tg.requests("setMessageReaction")[0].params["reaction"]
    assert reaction == [{"type": "emoji", "emoji": "👍"}]
