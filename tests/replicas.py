"""Helpers to run real `wijkwijs run` processes against the fake Bot API server (used by
tests/test_replicas.py and benchmarks/replicas.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.store.db import Database, OutboxSend, Participant, Reminder
from tests.fakes.telegram_server import FakeTelegramServer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123:ABC"
SECRET = "replica-test-secret-0123456789-abcdef"  # 32-256 chars, as required
AMS = "Europe/Amsterdam"


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process
    log: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill9(self) -> None:
        if self.proc.returncode is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.kill9()
                await self.proc.wait()


def bot_env(tg: FakeTelegramServer, data_dir: Path, database_url: str,
            **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKWIJS_")}
    env.update({
        "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "WIJKWIJS_TELEGRAM_TOKEN": TOKEN, "WIJKWIJS_TELEGRAM_API_URL": tg.api_root,
        "WIJKWIJS_DATA_DIR": str(data_dir), "WIJKWIJS_DATABASE_URL": database_url,
        "WIJKWIJS_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "WIJKWIJS_PROMPTS_DIR": str(ROOT / "prompts"),
        "WIJKWIJS_INBOX_LEASE_SECONDS": "5", "WIJKWIJS_LEADER_CHECK_SECONDS": "0.5",
        "WIJKWIJS_REMINDER_CHECK_SECONDS": "1", "WIJKWIJS_LOG_LEVEL": "INFO",
    })
    env.update(extra)
    return env


def webhook_env(port: int) -> dict[str, str]:
    return {"WIJKWIJS_WEBHOOK_URL": "https://bot.example.invalid",
            "WIJKWIJS_WEBHOOK_SECRET": SECRET, "WIJKWIJS_WEBHOOK_LISTEN": "127.0.0.1",
            "WIJKWIJS_WEBHOOK_PORT": str(port)}


async def start_bot(env: dict[str, str], log: Path, port: int | None = None) -> BotProcess:
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=str(log.parent),
            stdout=out, stderr=out)
    return BotProcess(proc, log, port)


async def wait_webhook_ready(bot: BotProcess, seconds: float = 600) -> None:
    url = f"http://127.0.0.1:{bot.port}/telegram"
    deadline = asyncio.get_running_loop().time() + seconds
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            if bot.proc.returncode is not None:
                raise AssertionError(f"bot exited: {bot.log.read_text()[-3000:]}")
            try:
                async with http.get(url) as resp:
                    if resp.status == 405:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.3)
    raise AssertionError(f"bot did not start: {bot.log.read_text()[-3000:]}")


async def post_update(port: int, update: dict[str, object]) -> int:
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{port}/telegram", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
        return resp.status


def message_update(update_id: int, user: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "T"}, "text": text}}


def add_due_reminders(db: Database, users: range) -> None:
    """Reminders due right now (local time of this minute) for every user."""
    now = dt.datetime.now(zoneinfo.ZoneInfo(AMS))
    hhmm = now.strftime("%H:%M")
    with db.session() as s:
        for uid in users:
            s.add(Participant(user_id=uid, chat_id=uid, first_name=f"D{uid}", timezone=AMS))
        s.flush()
        for uid in users:
            s.add(Reminder(user_id=uid, chat_id=uid, time=hhmm, days="daily", enabled=True,
                           paused=False))


def send_owners(db: Database) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(OutboxSend.owner).distinct()))


def send_statuses(db: Database) -> dict[int, str]:
    with db.session() as s:
        return {int(u): str(st) for u, st in s.execute(
            select(OutboxSend.user_id, OutboxSend.status))}


def peak_rate(times: list[float], window: float = 1.0) -> int:
    """Most sends in any ``window`` seconds."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best
