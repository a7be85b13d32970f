"""The update inbox and participant upserts on SQLite and PostgreSQL: atomic claims, leases,
take-over of a dead process's updates, pruning."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from bot.store.db import Database, Participant
from bot.store.inbox import DONE, PENDING, SKIPPED, Inbox
from bot.store.participants import ParticipantStore
from tests.pgtest import MakeDb

BOT = 123


@pytest.fixture
def db(make_db: MakeDb) -> Database:
    """SQLite, and PostgreSQL in the PostgreSQL pass of `make test`."""
    return make_db()


def test_one_claim_wins_and_a_redelivery_is_dropped(db: Database) -> None:
    a, b = Inbox(db, BOT, owner="a"), Inbox(db, BOT, owner="b")
    assert a.claim(1, '{"update_id": 1}') is True
    assert b.claim(1, '{"update_id": 1}') is False  # another replica got the same update
    assert a.claim(1, '{"update_id": 1}') is False  # Telegram sent it again
    assert a.status(1) == PENDING
    a.done(1)
    assert a.status(1) == DONE
    assert b.claim(1, '{"update_id": 1}') is False
    # Another bot (other token) with the same update id is a different update.
    assert Inbox(db, BOT + 1, owner="b").claim(1, "{}") is True


def test_concurrent_claims_win_exactly_once(db: Database) -> None:
    inboxes = [Inbox(db, BOT, owner=f"p{i}") for i in range(6)]
    won: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(inbox: Inbox) -> None:
        try:
            for update_id in range(1, 41):
                if inbox.claim(update_id, "{}"):
                    with lock:
                        won.append(update_id)
        except BaseException as exc:  # pragma: no cover - the failure we look for
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in inboxes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(won) == list(range(1, 41))


def test_pending_update_of_a_dead_process_is_taken_over_once(db: Database) -> None:
    lease = dt.timedelta(seconds=0.3)
    dead = Inbox(db, BOT, owner="dead", lease=lease)
    alive = Inbox(db, BOT, owner="alive", lease=lease)
    other = Inbox(db, BOT, owner="other", lease=lease)
    assert dead.claim(7, '{"update_id": 7}')
    assert alive.claim(8, '{"update_id": 8}')
    assert other.take_over_stale() == []  # leases still running
    time.sleep(0.4)
    alive.renew()  # a live process keeps its claims
    assert other.take_over_stale() == [(7, '{"update_id": 7}')]
    assert alive.take_over_stale() == []  # taken once only
    # The restarted process sees Telegram's redelivery: the row is pending with a fresh lease.
    assert alive.claim(7, "{}") is False
    other.done(7)
    assert other.status(7) == DONE


def test_prune_keeps_pending_and_skips_unparseable_once(db: Database) -> None:
    inbox = Inbox(db, BOT, owner="a")
    assert inbox.claim(1, "{}") and inbox.claim(2, "{}")
    inbox.done(1)
    assert inbox.skip(3, '{"update_id": 3, "callback_query": {}}') is True
    assert inbox.skip(3, "{}") is False
    assert inbox.claim(3, "{}") is False  # a skipped update is never handled
    assert inbox.counts() == {PENDING: 1, DONE: 1, SKIPPED: 1}
    assert inbox.prune(dt.timedelta(days=1)) == 0
    assert inbox.prune(dt.timedelta(seconds=-1)) == 2
    assert inbox.counts() == {PENDING: 1}


def test_done_drops_the_message_text(db: Database) -> None:
    inbox = Inbox(db, BOT, owner="a")
    inbox.claim(5, '{"update_id": 5, "message": {"text": "geheim"}}')
    inbox.done(5)
    with db.engine.connect() as conn:
        payload = conn.exec_driver_sql("select payload from inbox").scalar()
    assert payload == ""


def test_new_participant_from_two_processes_at_once(db: Database) -> None:
    stores = [ParticipantStore(db) for _ in range(6)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def worker(store: ParticipantStore, n: int) -> None:
        try:
            barrier.wait()
            for uid in range(100, 120):
                store.touch(uid, uid, f"Naam {n}")
                store.mark_refused(uid + 1000)
        except BaseException as exc:  # pragma: no cover - the failure we look for
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s, i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        assert s.query(Participant).count() == 40
    # mark_refused is True exactly once per user, however many callers.
    assert ParticipantStore(db).mark_refused(1100) is False
    assert ParticipantStore(db).mark_refused(5000) is True
