"""The dispatcher in simulated time: pacing, bounded concurrency, blocked users, retries."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.assignments import AssignmentService, load_assignments
from bot.reminders import ReminderDispatcher, ReminderService
from bot.reminders.models import Reminder
from bot.store.db import Participant
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
AMS = "Europe/Amsterdam"
NOW = dt.datetime(2027, 1, 7, 18, 30, tzinfo=dt.UTC)
TODAY = dt.date(2027, 1, 7)


class FakeTime:
    """monotonic() and sleep() in simulated seconds: sleeping only moves the clock."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


class Blocked(Exception):
    pass


class Flaky(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("temporary")
        self.retry_after = retry_after


def is_blocked(exc: BaseException) -> bool:
    return isinstance(exc, Blocked)


class FakeBackend:
    """In-memory stand-in for ReminderService with ``n`` due reminders."""

    def __init__(self, n: int) -> None:
        self.clock = lambda: NOW
        self.reminders = [
            Reminder(user_id=i, chat_id=100_000 + i, time="19:30", days="daily", enabled=True,
                     paused=False, timezone=AMS)
            for i in range(n)
        ]
        self.claimed: set[tuple[int, dt.date]] = set()
        self.blocked: list[int] = []

    def due(self, now_utc: dt.datetime | None = None) -> list[Reminder]:
        return [r for r in self.reminders if (r.user_id, TODAY) not in self.claimed]

    def local_date(self, reminder: Reminder, now_utc: dt.datetime) -> dt.date:
        return TODAY

    def mark_sent(self, user_id: int, local_date: dt.date) -> bool:
        if (user_id, local_date) in self.claimed:
            return False
        self.claimed.add((user_id, local_date))
        return True

    def mark_blocked(self, user_id: int) -> None:
        self.blocked.append(user_id)

    def compose(self, user_id: int, now_utc: dt.datetime | None = None) -> str:
        return f"Herinnering voor {user_id}"


async def test_ten_thousand_reminders_at_the_configured_rate() -> None:
    fake = FakeTime()
    backend = FakeBackend(10_000)
    sent_at: list[float] = []
    chats: list[int] = []
    inflight = peak_inflight = peak_tasks = 0

    async def send(chat_id: int, text: str) -> None:
        nonlocal inflight, peak_inflight, peak_tasks
        inflight += 1
        peak_inflight = max(peak_inflight, inflight)
        peak_tasks = max(peak_tasks, len(asyncio.all_tasks()))
        sent_at.append(fake.t)
        chats.append(chat_id)
        assert text == f"Herinnering voor {chat_id - 100_000}"
        await asyncio.sleep(0)
        inflight -= 1

    dispatcher = ReminderDispatcher(backend, send, is_blocked=is_blocked, rate=20, workers=8,
                                    sleep=fake.sleep, monotonic=fake.monotonic)
    report = await dispatcher.run_once(NOW)

    assert (report.total, report.sent, report.failed, report.blocked) == (10_000, 10_000, 0, 0)
    assert sorted(chats) == [100_000 + i for i in range(10_000)]
    # 20 per second: 10,000 messages take (10,000 - 1) / 20 simulated seconds.
    assert report.seconds == pytest.approx(9_999 / 20, abs=0.01)
    assert sent_at == sorted(sent_at)
    assert all(b - a >= 1.0 - 1e-6 for a, b in zip(sent_at, sent_at[20:], strict=False))
    # A bounded pool: never thousands of concurrent sends or tasks.
    assert peak_inflight <= 8
    assert peak_tasks <= 8 + 2
    # Nothing is due any more: a second run sends nothing.
    again = await dispatcher.run_once(NOW)
    assert (again.total, again.sent) == (0, 0)


async def test_other_rates() -> None:
    for rate in (5.0, 30.0):
        fake = FakeTime()
        sent_at: list[float] = []

        async def send(chat_id: int, text: str, fake: FakeTime = fake,
                       sent_at: list[float] = sent_at) -> None:
            sent_at.append(fake.t)

        dispatcher = ReminderDispatcher(FakeBackend(301), send, is_blocked=is_blocked,
                                        rate=rate, sleep=fake.sleep, monotonic=fake.monotonic)
        report = await dispatcher.run_once(NOW)
        assert report.sent == 301
        assert report.seconds == pytest.approx(300 / rate, abs=0.01)


async def test_blocked_and_transient_errors() -> None:
    fake = FakeTime()
    backend = FakeBackend(6)
    attempts: dict[int, int] = {}

    async def send(chat_id: int, text: str) -> None:
        user = chat_id - 100_000
        attempts[user] = attempts.get(user, 0) + 1
        if user == 1:
            raise Blocked()
        if user == 2 and attempts[user] == 1:
            raise Flaky()  # fails once, then works
        if user == 3:
            raise Flaky()  # keeps failing

    dispatcher = ReminderDispatcher(backend, send, is_blocked=is_blocked, retry_delay=2.0,
                                    sleep=fake.sleep, monotonic=fake.monotonic)
    report = await dispatcher.run_once(NOW)
    assert (report.sent, report.blocked, report.failed, report.retried) == (4, 1, 1, 2)
    assert backend.blocked == [1]
    assert attempts == {0: 1, 1: 1, 2: 2, 3: 2, 4: 1, 5: 1}  # one retry, never more
    assert 2.0 in fake.sleeps


async def test_flood_control_holds_all_sending() -> None:
    fake = FakeTime()
    sent_at: dict[int, float] = {}
    failed_at: list[float] = []

    async def send(chat_id: int, text: str) -> None:
        if chat_id == 100_000 and not failed_at:
            failed_at.append(fake.t)
            raise Flaky(retry_after=30)
        sent_at[chat_id] = fake.t

    dispatcher = ReminderDispatcher(
        FakeBackend(5), send, is_blocked=is_blocked, workers=1, sleep=fake.sleep,
        monotonic=fake.monotonic,
        retry_after=lambda e: e.retry_after if isinstance(e, Flaky) else None)
    report = await dispatcher.run_once(NOW)
    assert report.sent == 5
    assert min(sent_at.values()) >= failed_at[0] + 30


async def test_a_second_run_while_busy_does_nothing() -> None:
    release = asyncio.Event()
    sent: list[int] = []

    async def send(chat_id: int, text: str) -> None:
        await release.wait()
        sent.append(chat_id)

    dispatcher = ReminderDispatcher(FakeBackend(3), send, is_blocked=is_blocked, rate=1000)
    first = asyncio.create_task(dispatcher.run_once(NOW))
    await asyncio.sleep(0.01)
    busy = await dispatcher.run_once(NOW)
    assert busy.busy and busy.sent == 0
    release.set()
    report = await first
    assert report.sent == 3 and sorted(sent) == [100_000, 100_001, 100_002]


async def test_broadcast_uses_the_same_pacing() -> None:
    fake = FakeTime()
    backend = FakeBackend(0)
    got: list[tuple[int, str]] = []

    async def send(chat_id: int, text: str) -> None:
        if chat_id == 2:
            raise Blocked()
        got.append((chat_id, text))

    dispatcher = ReminderDispatcher(backend, send, is_blocked=is_blocked, rate=10,
                                    sleep=fake.sleep, monotonic=fake.monotonic)
    report = await dispatcher.broadcast([1, 2, 3], "Les gaat niet door.")
    assert got == [(1, "Les gaat niet door."), (3, "Les gaat niet door.")]
    assert (report.sent, report.blocked) == (2, 1)
    assert backend.blocked == [2]
    assert report.seconds == pytest.approx(0.2)



async def test_announce_sends_a_broadcast_with_broadcast_send_not_the_reminder_send() -> None:
    """Without an outbox `announce` sends here, through ``broadcast_send`` (no reminder button);
    the reminder ``send`` is never used for it."""
    fake = FakeTime()
    reminder_sends: list[int] = []
    broadcast: list[tuple[int, str]] = []

    async def send(chat_id: int, text: str) -> None:
        reminder_sends.append(chat_id)

    async def broadcast_send(chat_id: int, text: str) -> None:
        broadcast.append((chat_id, text))

    dispatcher = ReminderDispatcher(FakeBackend(0), send, is_blocked=is_blocked, rate=10,
                                    broadcast_send=broadcast_send, sleep=fake.sleep,
                                    monotonic=fake.monotonic)
    report = await dispatcher.announce([1, 2], "<b>Les gaat niet door.</b>")
    assert broadcast == [(1, "<b>Les gaat niet door.</b>"), (2, "<b>Les gaat niet door.</b>")]
    assert reminder_sends == []
    assert report.sent == 2

async def test_end_to_end_with_the_database(make_db: MakeDb) -> None:
    db = make_db()
    clock_now = dt.datetime(2027, 1, 7, 12, 0, tzinfo=dt.UTC)
    assignments = AssignmentService(db, load_assignments(KNOWLEDGE))
    service = ReminderService(db, AMS, lambda: clock_now, assignments=assignments)
    with db.session() as s:
        for uid in range(1, 201):
            s.add(Participant(user_id=uid, chat_id=uid, first_name=f"Deelnemer {uid}"))
    for uid in range(1, 201):
        service.set_time(uid, uid, "19:30")
    fake = FakeTime()
    texts: dict[int, str] = {}

    async def send(chat_id: int, text: str) -> None:
        if chat_id == 13:
            raise Blocked()
        texts[chat_id] = text

    dispatcher = ReminderDispatcher(service, send, is_blocked=is_blocked,
                                    sleep=fake.sleep, monotonic=fake.monotonic)
    report = await dispatcher.run_once(NOW)
    assert (report.total, report.sent, report.blocked) == (200, 199, 1)
    assert texts[7].startswith("Hoi Deelnemer 7!")
    assert "Opdracht 1: 0/" in texts[7]
    reminder = service.get(13)
    assert reminder is not None and not reminder.enabled

    # Restart: a new service and dispatcher on the same file send nothing more today.
    db.close()
    db2 = make_db(upgrade=False)
    service2 = ReminderService(db2, AMS, lambda: NOW,
                               assignments=AssignmentService(db2, assignments.assignments))
    texts.clear()
    dispatcher2 = ReminderDispatcher(service2, send, is_blocked=is_blocked,
                                     sleep=fake.sleep, monotonic=fake.monotonic)
    report2 = await dispatcher2.run_once(NOW + dt.timedelta(minutes=5))
    assert (report2.total, report2.sent) == (0, 0)
    report3 = await dispatcher2.run_once(NOW + dt.timedelta(days=1))
    assert (report3.sent, report3.blocked) == (199, 0)  # the blocked one stays off
