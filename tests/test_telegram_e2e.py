"""End to end: the real Application, polling over HTTP, against the fake Bot API server."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from bot.services import Services
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

USER = 4242


async def ask(tg: FakeTelegramServer, text: str, user: int = USER, count: int = 1) -> list[Any]:
    await tg.send_message(user, text)
    return await tg.wait_for_messages(user, count=count, timeout=20)


async def test_start_shows_welcome_menu_and_commands(services: Services,
                                                     telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "/start")
        assert "Wijkwijs" in msg["plain_text"]
        assert msg["parse_mode"] == "HTML"
        assert find_button(msg, "Vraag stellen")
        commands = {c["command"] for c in telegram.commands(language_code="nl")}
        assert {"start", "help", "vraag", "privacy", "vergeet"} <= commands
        [help_msg] = await ask(telegram, "/help")
        assert "/vraag" in help_msg["plain_text"]


async def test_question_with_sources_more_and_rating(services: Services,
                                                     telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "Hoe ga ik om met weerstand van een collega?")
        assert "Bronnen" in msg["plain_text"]
        assert "typing" in telegram.chat_actions(USER)
        more = find_button(msg, "Meer hierover")
        assert len(more.encode()) <= 64
        await telegram.press_button(USER, msg["message_id"], more)
        [section] = await telegram.wait_for_messages(USER, timeout=20)
        assert section["plain_text"].startswith("📖")
        assert len(section["plain_text"]) > 100
        await telegram.press_button(USER, msg["message_id"], find_button(msg, "👍"))
        req = await telegram.wait_for_request("answerCallbackQuery",
                                              lambda r: "Dank" in str(r.params.get("text")))
        assert req is not None
    rows = services.participants.db.engine.connect().exec_driver_sql(
        "select question, rating from questions").fetchall()
    assert rows[0][1] == 1 and "weerstand" in rows[0][0]


async def test_vraag_command_and_out_of_scope(services: Services,
                                             telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "/vraag wat is de hoofdstad van Australië?")
        assert "niet in het cursusmateriaal" in msg["plain_text"]
        assert "Bronnen" not in msg["plain_text"]
        [empty] = await ask(telegram, "/vraag")
        assert "/vraag" in empty["plain_text"]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location"])
async def test_unsupported_input_gets_friendly_reply(services: Services,
                                                     telegram: FakeTelegramServer,
                                                     kind: str) -> None:
    async with running_bot(services, telegram):
        await getattr(telegram, f"send_{kind}")(USER)
        [msg] = await telegram.wait_for_messages(USER, timeout=20)
        assert "alleen tekst" in msg["plain_text"]


async def test_huge_markup_and_unknown_inputs(services: Services,
                                             telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "a" * 10_000)
        assert "te lang" in msg["plain_text"]
        [msg] = await ask(telegram, "/bestaatniet")
        assert "/help" in msg["plain_text"]
        [msg] = await ask(telegram, "<b>wat</b> is & een *pitch* _ [x](y) 🎉🎉?")
        assert msg["plain_text"]  # sent with HTML and accepted by the (validating) fake server
        await telegram.press_button(USER, msg["message_id"], "q:more:999999:0", force=True)
        req = await telegram.wait_for_request("answerCallbackQuery")
        assert "werkt niet meer" in str(req.params.get("text"))
        await telegram.press_button(USER, msg["message_id"], "rommel", force=True)
        req = await telegram.wait_for_request("answerCallbackQuery")
        assert "werkt niet meer" in str(req.params.get("text"))


async def test_access_control_refuses_once_and_invite_link_admits(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, invite_code="bieb2026", allowed_user_ids=[7]):
        [msg] = await ask(telegram, "wat is netwerken?", user=555)
        assert "alleen voor deelnemers" in msg["plain_text"]
        await telegram.send_message(555, "nog een vraag")
        await telegram.send_message(7, "/help")  # allowed user: proves the queue moved on
        await telegram.wait_for_messages(7, timeout=20)
        assert not [m for m in telegram.sent_messages(555)][1:]
        joined, welcome = await ask(telegram, "/start bieb2026", user=556, count=2)
        assert "aangemeld" in joined["plain_text"]
        assert "Wijkwijs" in welcome["plain_text"]
        [answer] = await ask(telegram, "wat is netwerken?", user=556)
        assert "Bronnen" in answer["plain_text"]


async def test_forget_deletes_after_confirmation(services: Services,
                                                 telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await ask(telegram, "wat is een elevator pitch?")
        [confirm] = await ask(telegram, "/vergeet")
        await telegram.press_button(USER, confirm["message_id"], find_button(confirm, "Ja"))
        await telegram.wait_for_request("editMessageText")
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from questions").scalar() == 0
        assert conn.exec_driver_sql("select count(*) from participants").scalar() == 0


async def test_restart_keeps_data_and_never_double_answers(services: Services,
                                                           telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await ask(telegram, "wat is co-creatie?")
    # Sent while the bot is down: answered after the restart, exactly once.
    await telegram.send_message(USER, "wat is een draaiboek?")
    async with running_bot(services, telegram):
        [msg] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Bronnen" in msg["plain_text"]
        # Redelivery of an already handled update (e.g. killed before confirming the offset).
        handled = services.participants.db.engine.connect().exec_driver_sql(
            "select max(update_id) from inbox where status = 'done'").scalar()
        await telegram.inject_update({"update_id": handled, "message": {
            "message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"},
            "from": {"id": USER, "is_bot": False, "first_name": "T"}, "text": "dubbel?"}})
        await telegram.send_message(USER, "/help")
        [only] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Zo werkt" in only["plain_text"]
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from questions").scalar() == 2


async def test_flood_guard_answers_politely(services: Services,
                                            telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, questions_per_minute=2):
        for q in ("wat is netwerken", "wat is een pitch", "wat is co-creatie", "nog een"):
            await telegram.send_message(USER, q)
        msgs = await telegram.wait_for_messages(USER, count=3, timeout=20)
        assert "Rustig aan" in msgs[2]["plain_text"]


async def test_group_only_when_mentioned(services: Services,
                                         telegram: FakeTelegramServer) -> None:
    group = -100123
    async with running_bot(services, telegram):
        await telegram.send_message(USER, "wat is netwerken", chat_id=group, chat_type="group")
        await telegram.send_message(USER, "@wijkwijs_test_bot wat is netwerken", chat_id=group,
                                    chat_type="group")
        [msg] = await telegram.wait_for_messages(group, timeout=20)
        assert "Bronnen" in msg["plain_text"]
        await asyncio.sleep(0.2)
        assert len(telegram.sent_messages(group)) == 1


async def test_retry_after_is_retried_not_dropped(services: Services,
                                                  telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        telegram.fail_next("sendMessage", retry_after=1)
        [msg] = await ask(telegram, "/help")
        assert "Zo werkt" in msg["plain_text"]


async def test_webhook_requires_secret(services: Services, telegram: FakeTelegramServer,
                                       unused_tcp_port: int) -> None:
    from bot.telegram.application import build_application

    settings = services.settings.model_copy(update={"telegram_api_url": telegram.api_root})
    app = build_application(settings, services)
    async with app:
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=unused_tcp_port, url_path="telegram",
            webhook_url="https://example.invalid/telegram", secret_token="s3cret")
        try:
            url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
            update = {"update_id": 1, "message": {
                "message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "T"}, "text": "hoi"}}
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=update) as resp:
                    assert resp.status == 403
                async with http.post(url, json=update, headers={
                        "X-Telegram-Bot-Api-Secret-Token": "fout"}) as resp:
                    assert resp.status == 403
                async with http.post(url, json=update, headers={
                        "X-Telegram-Bot-Api-Secret-Token": "s3cret"}) as resp:
                    assert resp.status == 200
        finally:
            await app.updater.stop()
