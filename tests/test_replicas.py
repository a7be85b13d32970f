"""Real `wijkwijs run` processes, kill -9 and the fake Bot API server (issue 10 "Tests and
proof", issue 11 item 2). The full-size runs are in benchmarks/replicas.py."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.services import Services
from bot.store.db import Database, InboxUpdate
from bot.store.outbox import UNCERTAIN
from tests.fakes.telegram_server import FakeTelegramServer
from tests.pgutil import fresh_postgres_url
from tests.replicas import (
    TOKEN,
    BotProcess,
    add_due_reminders,
    bot_env,
    message_update,
    peak_rate,
    post_update,
    send_owners,
    send_statuses,
    start_bot,
    wait_webhook_ready,
    webhook_env,
)

pytestmark = pytest.mark.slow  # starts bot processes (~20 s each on a busy machine)

REMINDERS = 150
FIRST_USER = 10_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def telegram_server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(default_token=TOKEN) as server:
        yield server


@pytest.mark.db
async def test_two_webhook_replicas_answer_once_and_survive_a_leader_kill(
        base_services: Services, index_dir: Path, tmp_path: Path,
        telegram_server: FakeTelegramServer) -> None:
    tg = telegram_server
    with fresh_postgres_url() as url:
        db = Database(url)
        db.upgrade()
        bots: list[BotProcess] = []
        try:
            for i in range(2):
                port = free_port()
                env = bot_env(tg, index_dir, url, **webhook_env(port))
                bots.append(await start_bot(env, tmp_path / f"bot{i}.log", port))
            await asyncio.gather(*(wait_webhook_ready(b) for b in bots))

            # The same update delivered to both replicas is answered once.
            update = message_update(1, 77, "/help")
            statuses = await asyncio.gather(*(post_update(b.port or 0, update) for b in bots))
            assert statuses == [200, 200]
            await tg.wait_for_messages(77, timeout=120)
            await asyncio.sleep(1.0)
            assert len(tg.sent_messages(77)) == 1
            assert len(tg.requests("setWebhook")) == 1  # only the leader registers it

            # A burst of due reminders; kill -9 the leader in the middle of it.
            users = range(FIRST_USER, FIRST_USER + REMINDERS)
            await asyncio.to_thread(add_due_reminders, db, users)

            def reminder_sends() -> list[float]:
                return [r.at for r in tg.requests("sendMessage")
                        if int(r.params["chat_id"]) >= FIRST_USER and r.status == 200]

            for _ in range(600):
                if len(reminder_sends()) >= REMINDERS // 3:
                    break
                await asyncio.sleep(0.05)
            [owner] = await asyncio.to_thread(send_owners, db)
            leader = next(b for b in bots if f":{b.pid}:" in owner)
            leader.kill9()
            survivor = next(b for b in bots if b is not leader)
            sent_before_kill = len(reminder_sends())
            assert sent_before_kill < REMINDERS, "the kill came too late to test a take-over"

            def settled() -> bool:
                statuses = send_statuses(db)
                return len(statuses) == REMINDERS and all(
                    st in ("sent", UNCERTAIN) for st in statuses.values())

            for _ in range(1200):
                if await asyncio.to_thread(settled):
                    break
                await asyncio.sleep(0.1)
            statuses_by_user = await asyncio.to_thread(send_statuses, db)
            counts = {u: len(tg.sent_messages(u)) for u in users}
            doubled = [u for u, n in counts.items() if n > 1]
            lost = [u for u, n in counts.items()
                    if n == 0 and statuses_by_user.get(u) != UNCERTAIN]
            assert doubled == []
            assert lost == []
            uncertain = [u for u, st in statuses_by_user.items() if st == UNCERTAIN]
            assert len(uncertain) <= 8  # at most the requests in flight at the kill
            assert peak_rate(reminder_sends()) <= 30
            assert survivor.proc.returncode is None
        finally:
            for b in bots:
                await b.stop()
            db.close()


async def test_polling_kill_between_fetch_and_answer_answers_once_after_restart(
        base_services: Services, index_dir: Path, tmp_path: Path,
        telegram_server: FakeTelegramServer) -> None:
    tg = telegram_server
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database(url)
    db.upgrade()
    env = bot_env(tg, index_dir, url)
    first = await start_bot(env, tmp_path / "first.log")
    second: BotProcess | None = None
    try:
        await tg.wait_for_request("getUpdates", timeout=600)
        await tg.send_message(55, "wat is een elevator pitch?")

        def pending() -> bool:
            with db.session() as s:
                return s.scalar(select(InboxUpdate.status)) == "pending"

        for _ in range(5000):  # killed as soon as the update is in the inbox, before the answer
            if await asyncio.to_thread(pending):
                break
            await asyncio.sleep(0.002)
        first.kill9()
        await first.proc.wait()
        answered_before_kill = len(tg.sent_messages(55))
        second = await start_bot(env, tmp_path / "second.log")
        [reply] = await tg.wait_for_messages(55, timeout=600)
        assert "Bronnen" in reply["plain_text"] or "cursusmateriaal" in reply["plain_text"]
        await asyncio.sleep(3.0)  # a redelivery or a second take-over would show up here
        assert len(tg.sent_messages(55)) == 1
        assert answered_before_kill == 0, "the kill came after the answer: nothing tested"
    finally:
        first.kill9()
        if second is not None:
            await second.stop()
        db.close()
