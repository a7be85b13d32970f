"""End to end through the fake Bot API server: poison updates, the webhook server's checks and
its inbox claim (issue 11 items 1-3)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest

from bot.services import Services
from bot.store.inbox import DONE, SKIPPED, Inbox
from bot.telegram.application import INBOX_KEY, build_application, serve_webhook
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer

USER = 4242


def poison(update_id: int | None = None) -> dict[str, Any]:
    """A callback whose ``message`` lacks ``message_id``: PTB cannot parse it."""
    update: dict[str, Any] = {"callback_query": {
        "id": "77", "from": {"id": USER, "is_bot": False, "first_name": "T"},
        "chat_instance": "1", "data": "x",
        "message": {"date": 0, "chat": {"id": USER, "type": "private"}}}}
    if update_id is not None:
        update["update_id"] = update_id
    return update


def message(update_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "T"}, "text": text}}


async def test_unparseable_updates_are_skipped_logged_once_and_confirmed(
        services: Services, telegram: FakeTelegramServer,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(30):
        await telegram.inject_update(poison())
    await telegram.send_message(USER, "/help")
    async with running_bot(services, telegram) as app:
        [reply] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Zo werkt" in reply["plain_text"]
        for _ in range(100):  # the offset moves past the poison updates
            if not telegram.pending_updates():
                break
            await asyncio.sleep(0.05)
        assert telegram.pending_updates() == []
        inbox: Inbox = app.bot_data[INBOX_KEY]
        counts = await asyncio.to_thread(inbox.counts)
    assert counts[SKIPPED] == 30
    skipped = [r for r in caplog.records if "cannot be parsed" in r.getMessage()]
    assert len(skipped) == 1, "identical parse errors are logged once"
    assert "skipping update 1 " in skipped[0].getMessage()
    assert not [r for r in caplog.records if "Error while parsing" in r.getMessage()]


async def test_webhook_checks_secret_and_body_and_claims_once(
        services: Services, telegram: FakeTelegramServer, unused_tcp_port: int) -> None:
    settings = services.settings.model_copy(update={
        "telegram_api_url": telegram.api_root, "webhook_url": "https://example.invalid",
        "webhook_secret": "s3cret-s3cret-s3cret", "webhook_listen": "127.0.0.1",
        "webhook_port": unused_tcp_port})
    app = build_application(settings, services)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_webhook(settings, app, stop))
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
    good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-s3cret-s3cret",
            "Content-Type": "application/json"}
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.post(url, data=b"{}", headers=good):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            update = message(1, "/help")

            async def post(body: bytes, headers: dict[str, str]) -> int:
                async with http.post(url, data=body, headers=headers) as resp:
                    return resp.status

            import json
            body = json.dumps(update).encode()
            assert await post(body, {}) == 403
            assert await post(body, {**good, "X-Telegram-Bot-Api-Secret-Token": "fout"}) == 403
            assert await post(body, {**good, "X-Telegram-Bot-Api-Secret-Token": "s3cret"}) == 403
            assert await post(b"{not json", good) == 400
            assert await post(b'{"update_id": 5, "x": "\xff\xfe"}', good) == 400
            assert await post(b"[1, 2]", good) == 400
            assert await post(json.dumps(poison(9)).encode(), good) == 200
            # The same update twice (e.g. to two replicas or a redelivery): answered once.
            statuses = await asyncio.gather(post(body, good), post(body, good))
            assert statuses == [200, 200]
            await telegram.wait_for_messages(USER, timeout=20)
            await asyncio.sleep(0.5)
            assert len(telegram.sent_messages(USER)) == 1
            inbox: Inbox = app.bot_data[INBOX_KEY]
            assert await asyncio.to_thread(inbox.status, 1) == DONE
            assert await asyncio.to_thread(inbox.status, 9) == SKIPPED
            # Only the leader registers the webhook, with one connection at a time.
            hook = await telegram.wait_for_request("setWebhook")
            assert hook.params["url"] == "https://example.invalid/telegram"
            assert int(hook.params["max_connections"]) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
