"""Waiting flows (issue 12 item 3): persistent ConversationHandlers backed by the SQL store.

End to end through the fake Bot API server, on SQLite and (WIJKWIJS_TEST_DATABASE_URL)
PostgreSQL: write-through before a restart, two replicas on one database, /annuleer, another
command or a question ending the wait, the newest wait winning, unreadable input, no database
query on the event loop while routing a message, and the upgrade of waits stored the old way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.services import Services
from bot.store import migrate
from bot.store.conversations import ConversationStore
from bot.store.db import Database
from bot.store.participants import ParticipantStore
from bot.telegram.application import INBOX_KEY, build_application
from bot.telegram.assignments import AWAITING
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button
from tests.pgtest import MakeDb

USER = 4646
KEY = (USER, USER)
ADMIN = 1
ANNA = 4242


async def say(tg: FakeTelegramServer, msg: str, user: int = USER) -> dict[str, Any]:
    await tg.send_message(user, msg)
    [reply] = await tg.wait_for_messages(user, timeout=20)
    return reply


async def press(tg: FakeTelegramServer, msg: dict[str, Any], label: str,
                user: int = USER) -> dict[str, Any]:
    """Press a button that answers with a new message; return it."""
    await tg.press_button(user, msg["message_id"], find_button(msg, label))
    [new] = await tg.wait_for_messages(user, timeout=20)
    return new


async def stored(db: Database, name: str, key: tuple[int, int] = KEY,
                 present: bool = True) -> None:
    """Wait (a few seconds at most) until the conversation row is there / gone. PTB's own
    persistence interval is 60 s: passing here means the state was written through."""
    store = ConversationStore(db)
    deadline = time.monotonic() + 5
    while (key in await asyncio.to_thread(store.load, name)) != present:
        assert time.monotonic() < deadline, f"{name} {key} present={not present} after 5 s"
        await asyncio.sleep(0.05)


async def ask_time(tg: FakeTelegramServer) -> None:
    status = await say(tg, "/herinnering")
    prompt = await press(tg, status, "Andere tijd")
    assert "Hoe laat" in prompt["plain_text"]


async def press_edit(tg: FakeTelegramServer, msg: dict[str, Any], label: str) -> dict[str, Any]:
    """Press a button that edits its own message; return the edited message."""
    await tg.press_button(USER, msg["message_id"], find_button(msg, label))
    await tg.wait_for_request("editMessageText",
                              lambda r: r.params.get("message_id") == msg["message_id"])
    return next(m for m in tg.sent_messages(USER) if m["message_id"] == msg["message_id"])


async def write_answer(tg: FakeTelegramServer) -> dict[str, Any]:
    """/opdrachten -> Opdracht 1 -> "Baken je werkgebied af" -> "Schrijf antwoord"."""
    overview = await say(tg, "/opdrachten")
    assignment = await press_edit(tg, overview, "Opdracht 1")
    item = await press_edit(tg, assignment, "Baken je werkgebied af")
    prompt = await press(tg, item, "Schrijf antwoord")
    assert "Typ je antwoord" in prompt["plain_text"]
    return prompt


# Restarts ---------------------------------------------------------------------------------------
async def test_waiting_for_a_time_is_written_through_and_survives_a_restart(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await ask_time(telegram)
        await stored(services.db, "reminder-time")  # before the restart, while running
    async with running_bot(services, telegram):  # a new Application on the same database
        ok = await say(telegram, "7:45")
        assert "om 07:45" in ok["plain_text"]
        await stored(services.db, "reminder-time", present=False)
        answer = await say(telegram, "8:15")  # no longer waiting: not a new time
        assert "Gelukt" not in answer["plain_text"]
    reminder = services.reminders.get(USER)
    assert reminder is not None and reminder.time == "07:45"


async def test_broadcast_confirmation_survives_a_restart_and_annuleer_drops_it(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        await say(telegram, "/start", ANNA)
        preview = await say(telegram, "/bericht Denk aan opdracht 2!", ADMIN)
        await stored(services.db, "trainer-broadcast", (ADMIN, ADMIN))
        help_ = await say(telegram, "/help", ADMIN)  # looking something up keeps the preview
        assert "Zo werkt" in help_["plain_text"]
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        cancelled = await say(telegram, "/annuleer", ADMIN)
        assert cancelled["plain_text"] == "Oké, het bericht is niet verstuurd."
        await stored(services.db, "trainer-broadcast", (ADMIN, ADMIN), present=False)
        assert services.participants.get_state(ADMIN, "broadcast") is None
        await telegram.press_button(ADMIN, preview["message_id"],
                                    find_button(preview, "Verstuur"))
        await telegram.wait_for_request(
            "editMessageText", lambda r: "geen bericht meer klaar" in r.params["text"])
        again = await say(telegram, "/annuleer", ADMIN)  # nothing waits: not ours any more
        assert "niet verstuurd" not in again["plain_text"]
    assert not [m for m in telegram.sent_messages(ANNA) if "trainer" in m["plain_text"]]


async def test_broadcast_is_sent_after_another_command(services: Services,
                                                       telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        await say(telegram, "/start", ANNA)
        preview = await say(telegram, "/bericht Tot dinsdag!", ADMIN)
        await say(telegram, "/overzicht", ADMIN)
        await telegram.press_button(ADMIN, preview["message_id"],
                                    find_button(preview, "Verstuur"))
        [anna] = await telegram.wait_for_messages(ANNA, timeout=20)
        assert "Tot dinsdag!" in anna["plain_text"]
        await stored(services.db, "trainer-broadcast", (ADMIN, ADMIN), present=False)


# Replicas ---------------------------------------------------------------------------------------
@asynccontextmanager
async def replica(services: Services, server: FakeTelegramServer,
                  db: Database) -> AsyncIterator[Any]:
    """A second process: its own Application and database connection, not polling yet."""
    settings = services.settings.model_copy(update={"telegram_api_url": server.api_root})
    svc = dataclasses.replace(services, settings=settings, db=db,
                              participants=ParticipantStore(db))
    app = build_application(settings, svc)
    async with app:
        await app.post_init(app)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)


@asynccontextmanager
async def polling(app: Any) -> AsyncIterator[None]:
    await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=False)
    try:
        yield
    finally:
        await app.updater.stop()


async def test_a_wait_entered_on_one_replica_is_answered_on_the_other(
        services: Services, telegram: FakeTelegramServer, make_db: MakeDb) -> None:
    async with replica(services, telegram, make_db()) as a, \
            replica(services, telegram, make_db()) as b:
        async with polling(a):  # both started before the wait: no start-up load helps
            await ask_time(telegram)
            await stored(services.db, "reminder-time")
        async with polling(b):
            ok = await say(telegram, "7:45")
            assert "om 07:45" in ok["plain_text"]
            await stored(services.db, "reminder-time", present=False)
        async with polling(a):  # A still remembers "waiting" from its own update: refreshed
            answer = await say(telegram, "8:15")
            assert "Gelukt" not in answer["plain_text"]
        async with polling(b):  # and an answer wait entered on B is taken by A
            await write_answer(telegram)
        async with polling(a):
            saved = await say(telegram, "De wijk Noord, daar wonen de meeste leden.")
            assert "Opgeslagen" in saved["plain_text"]
    reminder = services.reminders.get(USER)
    assert reminder is not None and reminder.time == "07:45"
    assert services.assignments.item(USER, 1, "werkgebied").answer.startswith("De wijk Noord")


# Ending a wait ----------------------------------------------------------------------------------
async def test_annuleer_and_another_command_end_the_answer_wait(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await write_answer(telegram)
        await stored(services.db, "assignment-answer")
        assert services.participants.get_state(USER, AWAITING)["item"] == "werkgebied"
        cancelled = await say(telegram, "/annuleer")
        assert cancelled["plain_text"] == "Oké, geannuleerd."
        await stored(services.db, "assignment-answer", present=False)
        assert services.participants.get_state(USER, AWAITING) is None
        unknown = await say(telegram, "/annuleer")  # nothing waits: an unknown command now
        assert "geannuleerd" not in unknown["plain_text"]

        await write_answer(telegram)
        progress = await say(telegram, "/herinnering")  # another command: done as usual…
        assert "Herinneringen" in progress["plain_text"]
        await stored(services.db, "assignment-answer", present=False)  # …and the wait ends
        assert services.participants.get_state(USER, AWAITING) is None
        answer = await say(telegram, "wat is een elevator pitch?")
        assert "Opgeslagen" not in answer["plain_text"]
    assert services.assignments.item(USER, 1, "werkgebied").answer == ""


async def test_a_question_while_waiting_for_a_time_is_answered_and_ends_the_wait(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await ask_time(telegram)
        answer = await say(telegram, "wat is een wijkschouw?")
        assert "Bronnen" in answer["plain_text"]
        await stored(services.db, "reminder-time", present=False)
        later = await say(telegram, "half acht 's avonds")  # not taken as the time any more
        assert "Gelukt" not in later["plain_text"]
    assert services.reminders.get(USER) is None


async def test_the_newest_wait_wins(services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await write_answer(telegram)
        await ask_time(telegram)  # "Andere tijd" after "Schrijf antwoord"
        await stored(services.db, "assignment-answer", present=False)
        ok = await say(telegram, "19:30")
        assert "om 19:30" in ok["plain_text"]
    assert services.assignments.item(USER, 1, "werkgebied").answer == ""


async def test_unreadable_input_while_waiting_gets_a_clear_message(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await write_answer(telegram)
        await telegram.send_sticker(USER)
        [reply] = await telegram.wait_for_messages(USER, timeout=20)
        assert reply["plain_text"] == ("Ik wacht op je antwoord als tekst. Typ het in één "
                                       "bericht, of stop met /annuleer.")
        saved = await say(telegram, "De wijk Noord.")  # still waiting
        assert "Opgeslagen" in saved["plain_text"]

        await ask_time(telegram)
        await telegram.send_photo(USER)
        [reply] = await telegram.wait_for_messages(USER, timeout=20)
        assert reply["plain_text"] == "Typ een tijd, bijvoorbeeld 19:30. Of stop met /annuleer."
        wrong = await say(telegram, "25:99")
        assert wrong["plain_text"].startswith("Die tijd bestaat niet")
        ok = await say(telegram, "7:45")  # still waiting after both
        assert "om 07:45" in ok["plain_text"]


# No database on the event loop --------------------------------------------------------------------
FILTER_TABLES = ("user_state", "roleplay_sessions", "assignment_answers", "conversations")
"""What the filters of the text handlers read (AwaitingFilter, ActiveRoleplay, JustEnded,
PendingFilter, EditedAnswerFilter did so on the event loop before issue 12)."""


@contextmanager
def queries_on_this_thread(db: Database) -> Iterator[list[str]]:
    """SQL statements executed on the calling thread (the event loop's) while inside."""
    loop_thread = threading.get_ident()
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == loop_thread:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


async def test_routing_a_message_queries_the_database_only_in_worker_threads(
        services: Services, telegram: FakeTelegramServer) -> None:
    """Filters (waiting, role-play active, quiz pending, edited answer) read pre-loaded values;
    before, AwaitingFilter and ActiveRoleplay queried the database on the event loop."""
    async with running_bot(services, telegram):
        await say(telegram, "/start")
        await telegram.send_message(USER, "/oefenvraag")
        await telegram.wait_for_messages(USER, timeout=20)
        with queries_on_this_thread(services.db) as on_loop:
            await ask_time(telegram)
            await say(telegram, "7:45")
            await say(telegram, "wat is netwerken?")
            await write_answer(telegram)
            sent = await telegram.send_message(USER, "De wijk Noord.")
            await telegram.wait_for_messages(USER, timeout=20)
            await telegram.edit_message(USER, sent["message"]["message_id"],
                                        "De wijk Noord en Oost.")
            [updated] = await telegram.wait_for_messages(USER, timeout=20)
            assert "is bijgewerkt" in updated["plain_text"]
        assert [q for q in on_loop if any(t in q for t in FILTER_TABLES)] == [], on_loop


# Upgrade ----------------------------------------------------------------------------------------
def test_waits_stored_the_old_way_become_conversations(make_db: MakeDb) -> None:
    db = make_db(upgrade=False)
    migrate.upgrade(db, "quiz_1")
    rows = [(11, "awaiting", '{"kind": "answer", "n": 1, "item": "werkgebied"}'),
            (12, "awaiting", '{"kind": "time"}'), (13, "broadcast", '{"text": "Hoi"}'),
            (14, "quiz_pending", '"lsd"'), (15, "llm_history", "[]")]
    with db.engine.begin() as conn:
        for user, key, value in rows:
            conn.execute(text("INSERT INTO user_state (user_id, key, value, updated_at) "
                              "VALUES (:u, :k, :v, '2026-11-28 10:00:00')"),
                         {"u": user, "k": key, "v": value})
    migrate.upgrade(db)
    store = ConversationStore(db)
    assert store.load("assignment-answer") == {(11, 11): "answer"}
    assert store.load("reminder-time") == {(12, 12): "time"}
    assert store.load("trainer-broadcast") == {(13, 13): "confirm"}
    assert store.load("quiz") == {(14, 14): 1}
    assert store.for_user(15, ["assignment-answer", "reminder-time", "quiz"]) == {}
    assert ParticipantStore(db).get_state(11, AWAITING)["item"] == "werkgebied"  # data kept


# A failed write ---------------------------------------------------------------------------------
async def test_an_unsaved_wait_leaves_the_update_pending_and_it_is_handled_again(
        services: Services, telegram: FakeTelegramServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The state must be in the database before the update counts as handled: when the write
    fails the update stays pending, and the next process handles it again (nothing lost)."""
    real_put = ConversationStore.put
    failures: list[str] = []

    def failing_put(self: ConversationStore, name: str, key: Any, state: Any) -> None:
        if not failures:
            failures.append(name)
            raise OSError("database went away")
        real_put(self, name, key, state)

    monkeypatch.setattr(ConversationStore, "put", failing_put)
    async with running_bot(services, telegram, inbox_lease_seconds=1) as app:
        status = await say(telegram, "/herinnering")
        pressed = await telegram.press_button(USER, status["message_id"],
                                              find_button(status, "Andere tijd"))
        await telegram.wait_for_messages(USER, timeout=20)
        inbox = app.bot_data[INBOX_KEY]
        await asyncio.sleep(1.0)  # time enough to have been marked done
        assert failures == ["reminder-time"]
        assert inbox.status(pressed["update_id"]) == "pending"
        await stored(services.db, "reminder-time", present=False)
    async with running_bot(services, telegram, inbox_lease_seconds=1) as app:
        [again] = await telegram.wait_for_messages(USER, timeout=20)  # handled once more
        assert "Hoe laat" in again["plain_text"]
        await stored(services.db, "reminder-time")
        ok = await say(telegram, "7:45")
        assert "om 07:45" in ok["plain_text"]
        assert app.bot_data[INBOX_KEY].status(pressed["update_id"]) == "done"


def test_store_upserts_reads_per_user_and_forget_removes_the_rows(make_db: MakeDb) -> None:
    db = make_db()
    store = ConversationStore(db)
    store.put("quiz", (5, 5), 1)
    store.put("quiz", (5, 5), 2)  # an upsert, on SQLite and PostgreSQL alike
    store.put("quiz", (-100, 5), 1)  # the same user in a group chat
    store.put("reminder-time", (6, 6), "time")
    assert store.load("quiz") == {(5, 5): 2, (-100, 5): 1}
    assert store.for_user(5, ["quiz", "reminder-time"]) == {("quiz", (5, 5)): 2,
                                                            ("quiz", (-100, 5)): 1}
    ParticipantStore(db).forget(5)  # /vergeet
    assert store.load("quiz") == {}
    store.put("reminder-time", (6, 6), None)
    assert store.load("reminder-time") == {}
