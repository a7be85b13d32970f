"""Reminders end to end: /herinnering, its buttons, and the dispatcher through the fake server."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.services import Services
from tests.conftest import dispatch, running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

USER = 4242
OTHER = 5151
NOW = dt.datetime(2027, 1, 7, 12, 0, tzinfo=dt.UTC)  # Thursday, 13:00 in Amsterdam
AT_19_31 = dt.datetime(2027, 1, 7, 18, 31, tzinfo=dt.UTC)  # 19:31 in Amsterdam (CET)


async def ask(tg: FakeTelegramServer, text: str, user: int = USER) -> dict[str, Any]:
    await tg.send_message(user, text)
    [msg] = await tg.wait_for_messages(user, timeout=20)
    return msg


async def press_edit(tg: FakeTelegramServer, msg: dict[str, Any], label: str) -> dict[str, Any]:
    await tg.press_button(USER, msg["message_id"], find_button(msg, label))
    await tg.wait_for_request("editMessageText",
                              lambda r: r.params.get("message_id") == msg["message_id"])
    return next(m for m in tg.sent_messages(USER) if m["message_id"] == msg["message_id"])


def fixed_clock(services: Services) -> Services:
    return dataclasses.replace(services, clock=lambda: NOW)


async def test_command_sets_time_switches_off_and_rejects_bad_input(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        status = await ask(telegram, "/herinnering")
        assert "geen herinnering" in status["plain_text"]
        msg = await ask(telegram, "/herinnering 19:30")
        assert "Gelukt" in msg["plain_text"] and "19:30" in msg["plain_text"]
        msg = await ask(telegram, "/herinnering werkdagen")
        assert "werkdagen" in msg["plain_text"] and "19:30" in msg["plain_text"]
        msg = await ask(telegram, "/herinnering uit")
        assert "staan uit" in msg["plain_text"]
        msg = await ask(telegram, "/herinnering 25:99")
        assert msg["plain_text"].startswith("Die tijd bestaat niet")
        msg = await ask(telegram, "/herinnering morgen")
        assert "snap ik niet" in msg["plain_text"]
    reminder = services.reminders.get(USER)
    assert reminder is not None and not reminder.enabled and reminder.time == "19:30"


async def test_buttons_and_other_time(services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        status = await ask(telegram, "/herinnering")
        status = await press_edit(telegram, status, "08:00")
        assert "elke dag om 08:00" in status["plain_text"]
        status = await press_edit(telegram, status, "Alleen werkdagen")
        assert "werkdagen" in status["plain_text"]
        status = await press_edit(telegram, status, "Pauze")
        assert "pauze" in status["plain_text"]
        status = await press_edit(telegram, status, "Hervat")
        assert "om 08:00 een herinnering" in status["plain_text"]
        status = await press_edit(telegram, status, "Uit")
        assert "geen herinnering" in status["plain_text"]

        await telegram.press_button(USER, status["message_id"],
                                    find_button(status, "Andere tijd"))
        [prompt] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Hoe laat" in prompt["plain_text"]
        bad = await ask(telegram, "25:99")
        assert bad["plain_text"].startswith("Die tijd bestaat niet")  # still waiting
        ok = await ask(telegram, "7:45")
        assert "om 07:45" in ok["plain_text"]
        answer = await ask(telegram, "wat is netwerken?")  # waiting is over: Q&A again
        assert "Bronnen" in answer["plain_text"]


async def test_other_time_understands_phrases_and_lets_a_question_through(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        status = await ask(telegram, "/herinnering")
        await telegram.press_button(USER, status["message_id"], find_button(status, "Andere tijd"))
        [prompt] = await telegram.wait_for_messages(USER, timeout=20)
        assert "half acht" in prompt["plain_text"]
        ok = await ask(telegram, "half acht 's avonds")
        assert "elke dag om 19:30" in ok["plain_text"]

        await telegram.press_button(USER, ok["message_id"], find_button(ok, "Andere tijd"))
        await telegram.wait_for_messages(USER, timeout=20)
        answer = await ask(telegram, "wat is een wijkschouw?")  # a question, not a time
        assert "Bronnen" in answer["plain_text"]
        answer = await ask(telegram, "hoe maak ik een draaiboek")  # no longer waiting
        assert "Bronnen" in answer["plain_text"]
    reminder = services.reminders.get(USER)
    assert reminder is not None and reminder.time == "19:30"


async def test_command_understands_how_people_write_times(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        for text, expected in [("/herinnering 19u30", "elke dag om 19:30"),
                               ("/herinnering 20:00 werkdagen", "werkdagen (maandag tot en met "
                                                                "vrijdag) om 20:00"),
                               ("/herinnering half acht 's avonds", "om 19:30"),
                               ("/herinnering 8 uur", "om 08:00")]:
            msg = await ask(telegram, text)
            assert expected in msg["plain_text"], (text, msg["plain_text"])
        paused = await ask(telegram, "/herinnering pauze")
        assert "/herinnering hervat" in paused["plain_text"]
        resumed = await ask(telegram, "/herinnering hervat")
        assert "pauze" not in resumed["plain_text"] and "om 08:00" in resumed["plain_text"]
        unclear = await ask(telegram, "/herinnering ergens vanavond")
        assert "half acht 's avonds" in unclear["plain_text"]


async def test_from_the_start_menu(services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        welcome = await ask(telegram, "/start")
        await telegram.press_button(USER, welcome["message_id"],
                                    find_button(welcome, "Herinneringen"))
        [status] = await telegram.wait_for_messages(USER, timeout=20)
        find_button(status, "19:00")


async def test_dispatcher_sends_exactly_once_and_handles_blocked_users(
        services: Services, telegram: FakeTelegramServer) -> None:
    svc = fixed_clock(services)
    async with running_bot(svc, telegram) as app:
        await ask(telegram, "/herinnering 19:30")
        await ask(telegram, "/herinnering 19:30", user=OTHER)
        telegram.block_user(OTHER)

        early = await dispatch(app, AT_19_31 - dt.timedelta(minutes=5))
        assert early.total == 0
        report = await dispatch(app, AT_19_31)
        assert (report.sent, report.blocked, report.failed) == (1, 1, 0)
        [reminder] = await telegram.wait_for_messages(USER, timeout=20)
        assert reminder["plain_text"].startswith("Hoi Test!")
        assert "Volgende stap: Baken je werkgebied af" in reminder["plain_text"]
        again = await dispatch(app, AT_19_31 + dt.timedelta(minutes=1))
        assert again.sent == 0

        await telegram.press_button(USER, reminder["message_id"],
                                    find_button(reminder, "Naar mijn opdrachten"))
        [overview] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Je opdrachten" in overview["plain_text"]
    assert [m for m in telegram.sent_messages(USER) if "Hoi Test" in m["plain_text"]] == \
        [reminder]
    blocked = svc.reminders.get(OTHER)
    assert blocked is not None and not blocked.enabled


async def test_reminder_text_is_escaped(services: Services,
                                        telegram: FakeTelegramServer) -> None:
    svc = fixed_clock(services)
    async with running_bot(svc, telegram) as app:
        await telegram.send_message(USER, "/herinnering 19:30", first_name="<Anna & co>")
        await telegram.wait_for_messages(USER, timeout=20)
        await dispatch(app, AT_19_31)
        [reminder] = await telegram.wait_for_messages(USER, timeout=20)
        assert reminder["plain_text"].startswith("Hoi <Anna & co>!")


async def test_participant_sets_own_time_zone(services: Services,
                                              telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await ask(telegram, "/herinnering 08:00")
        msg = await ask(telegram, "/herinnering tijdzone Europe/London")
        assert "Europe/London" in msg["plain_text"]
        msg = await ask(telegram, "/herinnering tijdzone Mars/Base")
        assert "tijdzone ken ik niet" in msg["plain_text"]
        msg = await ask(telegram, "/herinnering tijdzone")
        assert "/herinnering tijdzone" in msg["plain_text"]
    reminder = services.reminders.get(USER)
    assert reminder is not None and reminder.timezone == "Europe/London"


async def test_blocking_the_bot_stops_reminders_until_the_participant_writes_again(
        services: Services, telegram: FakeTelegramServer) -> None:
    """Forbidden on a reminder send marks the participant blocked (the one "blocked" truth):
    no reminder is even tried while it lasts, and their own setting is untouched. Writing to the
    bot again clears it and the reminders come back."""
    svc = fixed_clock(services)
    next_day = AT_19_31 + dt.timedelta(days=1)
    day_after = AT_19_31 + dt.timedelta(days=2)
    async with running_bot(svc, telegram) as app:
        await ask(telegram, "/herinnering 19:30")
        telegram.block_user(USER)
        report = await dispatch(app, AT_19_31)
        assert (report.total, report.sent, report.blocked) == (1, 0, 1)
        participant = svc.participants.get(USER)
        assert participant is not None and participant.blocked
        reminder = svc.reminders.get(USER)
        assert reminder is not None and reminder.blocked and not reminder.enabled
        assert (await dispatch(app, next_day)).total == 0  # nothing tried while blocked

        telegram.unblock_user(USER)
        status = await ask(telegram, "/herinnering")
        assert "elke dag om 19:30" in status["plain_text"]  # their choice was kept
        participant = svc.participants.get(USER)
        assert participant is not None and not participant.blocked
        report = await dispatch(app, day_after)
        assert (report.total, report.sent, report.blocked) == (1, 1, 0)
        [sent] = await telegram.wait_for_messages(USER, timeout=20)
        assert sent["plain_text"].startswith("Hoi Test!")
