"""The reminder send state machine and the leader lock on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.assignments import AssignmentService
from bot.reminders import ReminderDispatcher, ReminderService
from bot.store.db import Database, Participant
from bot.store.leader import Leader
from bot.store.outbox import BLOCKED, CLAIMED, SENDING, SENT, UNCERTAIN, Outbox
from tests.pgtest import MakeDb

AMS = "Europe/Amsterdam"
NOW = dt.datetime(2027, 1, 7, 18, 31, tzinfo=dt.UTC)  # 19:31 in Amsterdam
TODAY = dt.date(2027, 1, 7)


@pytest.fixture
def db(make_db: MakeDb) -> Database:
    """SQLite, and PostgreSQL in the PostgreSQL pass of `make test`."""
    return make_db()


def reminders(db: Database, n: int) -> ReminderService:
    early = dt.datetime(2027, 1, 7, 8, 0, tzinfo=dt.UTC)
    service = ReminderService(db, AMS, lambda: early, assignments=AssignmentService(db, ()))
    with db.session() as s:
        for uid in range(1, n + 1):
            s.add(Participant(user_id=uid, chat_id=uid, first_name=f"D{uid}"))
    for uid in range(1, n + 1):
        service.set_time(uid, uid, "19:30")
    service.clock = lambda: NOW
    return service


class Timeout(Exception):
    """Stands for a read time-out: the request may have reached Telegram."""


class Refused(Exception):
    """Stands for an error that proves non-delivery (429, connection refused)."""


class Blocked(Exception):
    pass


def make(service: ReminderService, outbox: Outbox, send: object) -> ReminderDispatcher:
    async def no_sleep(_s: float) -> None:
        return None

    return ReminderDispatcher(
        service, send,  # type: ignore[arg-type]
        is_blocked=lambda e: isinstance(e, Blocked), outbox=outbox,
        not_delivered=lambda e: isinstance(e, Refused), rate=1000, sleep=no_sleep)


def test_claim_is_atomic_and_writes_the_send_row(db: Database) -> None:
    service = reminders(db, 1)
    a, b = Outbox(db, owner="a"), Outbox(db, owner="b")
    key = service.claim(1, TODAY, a)
    assert key == "reminder:1:2027-01-07"
    assert service.claim(1, TODAY, b) is None
    assert a.status(key) == CLAIMED
    assert b.start(key) is False  # not b's
    assert a.start(key) is True and a.status(key) == SENDING
    assert a.start(key) is False  # started once
    assert a.settle(key, SENT) and a.status(key) == SENT
    assert a.settle(key, SENT) is False


async def test_send_confirm_and_each_outcome(db: Database) -> None:
    service = reminders(db, 4)
    outbox = Outbox(db, owner="leader")
    calls: dict[int, int] = {}

    async def send(chat_id: int, text: str) -> None:
        calls[chat_id] = calls.get(chat_id, 0) + 1
        if chat_id == 2:
            raise Timeout("read timed out")
        if chat_id == 3 and calls[chat_id] == 1:
            raise Refused("429")
        if chat_id == 4:
            raise Blocked()

    report = await make(service, outbox, send).run_once(NOW)
    assert (report.sent, report.uncertain, report.blocked, report.retried) == (2, 1, 1, 1)
    assert calls == {1: 1, 2: 1, 3: 2, 4: 1}  # the time-out is NOT repeated
    assert outbox.status("reminder:1:2027-01-07") == SENT
    assert outbox.status("reminder:2:2027-01-07") == UNCERTAIN
    assert outbox.status("reminder:3:2027-01-07") == SENT
    assert outbox.status("reminder:4:2027-01-07") == BLOCKED
    again = await make(service, outbox, send).run_once(NOW + dt.timedelta(minutes=1))
    assert again.total == 0 and calls == {1: 1, 2: 1, 3: 2, 4: 1}


async def test_new_leader_retries_claimed_and_never_repeats_sending(db: Database) -> None:
    """A leader died with one reminder claimed (not sent) and one in flight."""
    service = reminders(db, 3)
    dead = Outbox(db, owner="dead")
    claimed = service.claim(1, TODAY, dead)
    in_flight = service.claim(2, TODAY, dead)
    assert claimed and in_flight and dead.start(in_flight)

    sent: list[int] = []

    async def send(chat_id: int, text: str) -> None:
        sent.append(chat_id)

    new = Outbox(db, owner="new")
    dispatcher = make(service, new, send)
    assert dispatcher.adopt() == 1
    report = await dispatcher.run_once(NOW)
    assert sorted(sent) == [1, 3]  # 1: claimed, retried; 3: due; 2: maybe delivered
    assert report.sent == 2
    assert new.status(claimed) == SENT
    assert new.status(in_flight) == UNCERTAIN
    # The old leader, if it were still running, can no longer send what was adopted.
    assert dead.start(claimed) is False
    assert new.counts() == {SENT: 3 - 1, UNCERTAIN: 1}


def test_one_leader_at_a_time_and_re_election(db: Database) -> None:
    a, b = Leader(db, 123), Leader(db, 123)
    assert a.check() is True
    assert b.check() is False
    assert a.check() is True  # still leading
    assert Leader(db, 456).check() is True or db.engine.dialect.name == "sqlite"
    a.resign()
    assert b.check() is True
    assert a.check() is False
    b.resign()


async def test_a_reminder_that_cannot_be_composed_fails_once(db: Database) -> None:
    service = reminders(db, 1)
    service.assignments = None  # compose raises
    outbox = Outbox(db, owner="leader")
    sent: list[int] = []

    async def send(chat_id: int, text: str) -> None:
        sent.append(chat_id)

    dispatcher = make(service, outbox, send)
    assert (await dispatcher.run_once(NOW)).failed == 1
    assert outbox.status("reminder:1:2027-01-07") == "failed"
    assert (await dispatcher.run_once(NOW)).total == 0  # not retried every minute
    assert sent == []


async def test_broadcast_from_a_standby_is_sent_by_the_leader(db: Database) -> None:
    service = reminders(db, 0)
    sent: list[tuple[int, str]] = []

    async def send(chat_id: int, text: str) -> None:
        raise AssertionError("a broadcast is not sent as a reminder")

    async def broadcast_send(chat_id: int, text: str) -> None:
        if chat_id == 3:
            raise Blocked()
        sent.append((chat_id, text))

    standby = make(service, Outbox(db, owner="standby"), send)
    standby.is_leader = lambda: False
    standby._sleep = asyncio.sleep  # waits in real time for the leader
    leader = make(service, Outbox(db, owner="leader"), send)
    leader.broadcast_send = broadcast_send
    waiting = asyncio.create_task(standby.queue_broadcast([1, 2, 3, 2], "<b>Hoi</b>", poll=0.05))
    await asyncio.sleep(0.3)
    assert sent == [] and not waiting.done()  # the standby sends nothing itself
    await leader.run_once(NOW)
    report = await asyncio.wait_for(waiting, 10)
    assert sorted(sent) == [(1, "<b>Hoi</b>"), (2, "<b>Hoi</b>")]
    assert (report.total, report.sent, report.blocked) == (3, 2, 1)
    assert (await leader.run_once(NOW)).total == 0  # nothing is sent twice


async def test_a_blocked_broadcast_marks_the_participant_and_silences_reminders(
        db: Database) -> None:
    """Forbidden during a broadcast sets the one "blocked" flag (the participant's), so their
    reminder is not even tried; their own reminder setting stays on for when they return."""
    from bot.store.participants import ParticipantStore

    service = reminders(db, 2)
    tried: list[int] = []

    async def send(chat_id: int, text: str) -> None:
        tried.append(chat_id)

    async def broadcast_send(chat_id: int, text: str) -> None:
        if chat_id == 2:
            raise Blocked()

    leader = make(service, Outbox(db, owner="leader"), send)
    leader.broadcast_send = broadcast_send
    service.clock = lambda: NOW - dt.timedelta(hours=8)  # the broadcast goes out in the morning
    report = await leader.queue_broadcast([1, 2], "Hoi", poll=0.01)
    assert tried == []
    assert (report.sent, report.blocked) == (1, 1)
    participants = ParticipantStore(db)
    assert [p.user_id for p in participants.all() if p.blocked] == [2]
    await leader.run_once(NOW)
    assert tried == [1]  # no reminder tried for the blocked participant
    with db.session() as s:
        from bot.store.db import Reminder as ReminderRow
        row = s.get(ReminderRow, 2)
        assert row is not None and row.enabled
