"""Reminder settings and due logic with a controllable clock (DST, grace, restarts)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.reminders import ReminderError, ReminderService, interpret, parse_clock, parse_days
from bot.store.db import Participant
from tests.pgtest import MakeDb

UTC = dt.UTC
AMS = "Europe/Amsterdam"
USER = 100
CHAT = 100


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(utc(2026, 1, 1, 12, 0))


@pytest.fixture
def service(make_db: MakeDb, clock: Clock) -> ReminderService:
    return ReminderService(make_db(), AMS, clock)


def fire(service: ReminderService, now: dt.datetime) -> list[int]:
    """What the dispatcher does: claim every due reminder; return the claimed user ids."""
    fired = []
    for r in service.due(now):
        if service.mark_sent(r.user_id, service.local_date(r, now)):
            fired.append(r.user_id)
    return fired


# Parsing -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("19:30", "19:30"), ("19.30", "19:30"), ("1930", "19:30"), ("7:05", "07:05"),
     ("07:05", "07:05"), (" 0:00 ", "00:00"), ("23:59", "23:59"), ("om 19:30 uur", "19:30"),
     ("19:30uur", "19:30"), ("19u30", "19:30"), ("19u", "19:00"), ("19 uur", "19:00"),
     ("om 20:00", "20:00"), ("8 uur", "08:00"), ("930", "09:30"), ("19", "19:00"),
     ("half acht 's avonds", "19:30"), ("half acht s avonds", "19:30"),
     ("half acht ’s avonds", "19:30"), ("half acht", "07:30"), ("kwart over zeven", "07:15"),
     ("kwart voor acht 's avonds", "19:45"), ("tien voor half acht", "07:20"),
     ("vijf over half negen 's avonds", "20:35"), ("acht uur 's avonds", "20:00"),
     ("8 uur 's avonds", "20:00"), ("12 uur 's middags", "12:00"), ("3 uur 's middags", "15:00"),
     ("7 uur 's ochtends", "07:00"), ("20:00 's avonds", "20:00"), ("7pm", "19:00")],
)
def test_parse_clock(text: str, expected: str) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["", "19:3", "19:30:00", "morgen", "straks", "half", "uur",
                                  "dertig over acht"])
def test_parse_clock_rejects_unclear_input_with_examples(text: str) -> None:
    with pytest.raises(ReminderError, match="19:30") as err:
        parse_clock(text)
    assert "half acht" in str(err.value)


@pytest.mark.parametrize("text", ["24:00", "19:60", "99.99"])
def test_parse_clock_rejects_impossible_times(text: str) -> None:
    with pytest.raises(ReminderError, match="bestaat niet"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "action", "time", "days"),
    [("20:00 werkdagen", "set", "20:00", "weekdays"),
     ("19u30 elke dag", "set", "19:30", "daily"),
     ("op werkdagen om half acht 's avonds", "set", "19:30", "weekdays"),
     ("werkdagen", "days", None, "weekdays"), ("Elke dag", "days", None, "daily"),
     ("pauze", "pause", None, None), ("Hervat", "resume", None, None),
     ("aan", "resume", None, None), ("uit", "off", None, None), ("stop", "off", None, None)],
)
def test_interpret(text: str, action: str, time: str | None, days: str | None) -> None:
    request = interpret(text)
    assert (request.action, request.time, request.days) == (action, time, days)


def test_apply_keeps_the_days_typed_with_the_time(service: ReminderService) -> None:
    service.apply(USER, CHAT, "20:00 werkdagen")
    reminder = service.get(USER)
    assert reminder is not None and (reminder.time, reminder.days) == ("20:00", "weekdays")
    service.apply(USER, CHAT, "pauze")
    paused = service.describe(USER)
    assert "pauze" in paused and "/herinnering hervat" in paused
    service.apply(USER, CHAT, "hervat")
    assert service.describe(USER) == (
        "Je krijgt op werkdagen (maandag tot en met vrijdag) om 20:00 een herinnering."
    )
    service.apply(USER, CHAT, "uit")
    assert service.describe(USER) == "Je hebt geen herinnering aan staan."


def test_parse_days() -> None:
    assert parse_days("daily") == "daily"
    assert parse_days("Elke dag") == "daily"
    assert parse_days("weekdays") == "weekdays"
    assert parse_days("werkdagen") == "weekdays"
    with pytest.raises(ReminderError, match="werkdagen"):
        parse_days("soms")


# Settings ------------------------------------------------------------------------------------
def test_set_time_and_describe(service: ReminderService) -> None:
    assert service.describe(USER) == "Je hebt geen herinnering aan staan."
    reminder = service.set_time(USER, CHAT, "19.30")
    assert (reminder.time, reminder.days, reminder.timezone) == ("19:30", "daily", AMS)
    assert reminder.enabled and not reminder.paused
    assert service.describe(USER) == "Je krijgt elke dag om 19:30 een herinnering."
    service.set_days(USER, "weekdays")
    assert service.describe(USER) == (
        "Je krijgt op werkdagen (maandag tot en met vrijdag) om 19:30 een herinnering."
    )
    service.pause(USER)
    assert "19:30" in service.describe(USER)
    assert "pauze" in service.describe(USER)
    service.resume(USER)
    assert service.describe(USER).startswith("Je krijgt op werkdagen")
    service.off(USER)
    assert service.describe(USER) == "Je hebt geen herinnering aan staan."
    stored = service.get(USER)
    assert stored is not None and stored.time == "19:30"  # settings are kept


def test_invalid_time_changes_nothing(service: ReminderService) -> None:
    service.set_time(USER, CHAT, "19:30")
    with pytest.raises(ReminderError):
        service.set_time(USER, CHAT, "kwart over")
    stored = service.get(USER)
    assert stored is not None and stored.time == "19:30"


def test_actions_without_reminder(service: ReminderService) -> None:
    for action in (service.pause, service.resume):
        with pytest.raises(ReminderError, match="nog geen herinnering"):
            action(USER)
    with pytest.raises(ReminderError):
        service.set_days(USER, "daily")
    assert service.off(USER) is None


def test_timezone(service: ReminderService, clock: Clock) -> None:
    with pytest.raises(ReminderError, match="tijdzone"):
        service.set_timezone(USER, "Mars/Olympus")
    service.set_time(USER, CHAT, "19:30")
    service.set_timezone(USER, "Europe/London")
    assert "Europe/London" in service.describe(USER)
    assert fire(service, utc(2026, 1, 1, 18, 30)) == []
    assert fire(service, utc(2026, 1, 1, 19, 30)) == [USER]


def test_participant_timezone_is_used_for_a_new_reminder(make_db: MakeDb, clock: Clock) -> None:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=USER, chat_id=CHAT, timezone="America/Curacao"))
    service = ReminderService(db, AMS, clock)
    assert service.set_time(USER, CHAT, "19:30").timezone == "America/Curacao"


# Due logic across DST --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (dt.date(2026, 1, 15), utc(2026, 1, 15, 18, 30)),  # winter, CET = UTC+1
        (dt.date(2026, 7, 1), utc(2026, 7, 1, 17, 30)),  # summer, CEST = UTC+2
        (dt.date(2026, 3, 29), utc(2026, 3, 29, 17, 30)),  # spring forward that night
        (dt.date(2026, 10, 25), utc(2026, 10, 25, 18, 30)),  # fall back that night
    ],
)
def test_1930_amsterdam_in_utc(make_db: MakeDb, clock: Clock, day: dt.date,
                               expected_utc: dt.datetime) -> None:
    clock.now = utc(day.year, day.month, day.day, 0, 0) - dt.timedelta(days=1)
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    minute = dt.timedelta(minutes=1)
    assert fire(service, expected_utc - minute) == []
    assert fire(service, expected_utc) == [USER]
    assert fire(service, expected_utc + minute) == []
    assert fire(service, expected_utc + dt.timedelta(hours=1)) == []


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Three days around the spring switch: 19:30 local each day, exactly once a day.
        (utc(2026, 3, 28, 0, 0),
         [utc(2026, 3, 28, 18, 30), utc(2026, 3, 29, 17, 30), utc(2026, 3, 30, 17, 30)]),
        (utc(2026, 10, 24, 0, 0),
         [utc(2026, 10, 24, 17, 30), utc(2026, 10, 25, 18, 30), utc(2026, 10, 26, 18, 30)]),
    ],
)
def test_minute_by_minute_over_a_dst_switch(make_db: MakeDb, start: dt.datetime,
                                            expected: list[dt.datetime]) -> None:
    clock = Clock(start - dt.timedelta(hours=12))
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    fired_at = []
    now = start
    while now < start + dt.timedelta(days=3):
        if fire(service, now):
            fired_at.append(now)
        now += dt.timedelta(minutes=1)
    assert fired_at == expected


def test_time_inside_the_spring_gap_fires_once_after_the_jump(make_db: MakeDb) -> None:
    clock = Clock(utc(2026, 3, 28, 12, 0))
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "02:30")  # 02:30 does not exist on 29 March
    assert fire(service, utc(2026, 3, 29, 1, 29)) == []  # 03:29 CEST: wall time is past 02:30
    assert fire(service, utc(2026, 3, 29, 1, 30)) == [USER]  # 03:30 CEST
    assert fire(service, utc(2026, 3, 29, 2, 30)) == []


def test_ambiguous_time_on_the_fall_back_day_fires_once(make_db: MakeDb) -> None:
    clock = Clock(utc(2026, 10, 24, 12, 0))
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "02:30")  # 02:30 happens twice on 25 October
    assert fire(service, utc(2026, 10, 25, 0, 29)) == []
    assert fire(service, utc(2026, 10, 25, 0, 30)) == [USER]  # first 02:30 (CEST)
    assert fire(service, utc(2026, 10, 25, 1, 30)) == []  # second 02:30 (CET)


# Grace window, restarts, blocked ---------------------------------------------------------------
def test_grace_window(make_db: MakeDb, clock: Clock) -> None:
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "08:00")  # 07:00 UTC in winter
    assert [r.user_id for r in service.due(utc(2026, 1, 2, 12, 59))] == [USER]  # 5h59 late
    assert service.due(utc(2026, 1, 2, 13, 1)) == []  # 6h01 late: skip today
    assert fire(service, utc(2026, 1, 3, 7, 0)) == [USER]  # and fire normally tomorrow


def test_missed_late_evening_reminder_is_not_sent_after_midnight(make_db: MakeDb,
                                                                 clock: Clock) -> None:
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "23:30")
    # Down from 23:00 to 00:30 local: 23:30 was missed; 00:30 is another day (not yet 23:30).
    assert service.due(utc(2026, 1, 2, 23, 30)) == []
    assert fire(service, utc(2026, 1, 3, 22, 30)) == [USER]


def test_restart_after_sending_does_not_fire_again(make_db: MakeDb, clock: Clock) -> None:
    first = ReminderService(make_db(), AMS, clock)
    first.set_time(USER, CHAT, "19:30")
    assert fire(first, utc(2026, 1, 2, 18, 30)) == [USER]
    first.db.close()  # "kill"
    second = ReminderService(make_db(upgrade=False), AMS, clock)
    assert second.due(utc(2026, 1, 2, 18, 31)) == []
    assert second.due(utc(2026, 1, 2, 20, 0)) == []
    assert fire(second, utc(2026, 1, 3, 18, 30)) == [USER]


def test_kill_during_the_reminder_minute_fires_once_after_restart(make_db: MakeDb,
                                                                  clock: Clock) -> None:
    first = ReminderService(make_db(), AMS, clock)
    first.set_time(USER, CHAT, "19:30")
    assert [r.user_id for r in first.due(utc(2026, 1, 2, 18, 30))] == [USER]
    first.db.close()  # killed before anything was claimed
    second = ReminderService(make_db(upgrade=False), AMS, clock)
    assert fire(second, utc(2026, 1, 2, 18, 45)) == [USER]
    third = ReminderService(make_db(upgrade=False), AMS, clock)
    assert fire(third, utc(2026, 1, 2, 18, 46)) == []


def test_mark_sent_claims_once_across_instances(make_db: MakeDb, clock: Clock) -> None:
    a = ReminderService(make_db(), AMS, clock)
    b = ReminderService(make_db(upgrade=False), AMS, clock)
    a.set_time(USER, CHAT, "19:30")
    day = dt.date(2026, 1, 2)
    assert a.mark_sent(USER, day) is True
    assert b.mark_sent(USER, day) is False
    assert a.mark_sent(USER, day) is False
    assert b.mark_sent(USER, day + dt.timedelta(days=1)) is True
    assert a.mark_sent(USER + 1, day) is False  # no reminder at all


def test_blocked_participant_is_switched_off(make_db: MakeDb, clock: Clock) -> None:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=USER, chat_id=CHAT, first_name="Anna"))
    service = ReminderService(db, AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    service.set_time(USER + 1, CHAT + 1, "19:30")
    service.mark_blocked(USER)
    assert [r.user_id for r in service.due(utc(2026, 1, 2, 18, 30))] == [USER + 1]
    reminder = service.get(USER)
    assert reminder is not None and not reminder.enabled
    with db.session() as s:
        participant = s.get(Participant, USER)
        assert participant is not None and participant.blocked
    assert service.describe(USER) == "Je hebt geen herinnering aan staan."


def test_blocked_flag_alone_keeps_reminders_quiet(make_db: MakeDb, clock: Clock) -> None:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=USER, chat_id=CHAT, blocked=True))
    service = ReminderService(db, AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    assert service.due(utc(2026, 1, 2, 18, 30)) == []


def test_weekdays_skip_the_weekend(make_db: MakeDb, clock: Clock) -> None:
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    service.set_days(USER, "weekdays")
    fired = [day for day in range(16, 21) if fire(service, utc(2026, 1, day, 18, 30))]
    assert fired == [16, 19, 20]  # Fri 16 yes, Sat 17 and Sun 18 no, Mon 19 and Tue 20 yes


def test_paused_and_off_are_not_due(make_db: MakeDb, clock: Clock) -> None:
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    service.pause(USER)
    assert service.due(utc(2026, 1, 2, 18, 30)) == []
    service.off(USER)
    assert service.due(utc(2026, 1, 3, 18, 30)) == []


def test_no_immediate_reminder_for_a_time_already_passed(make_db: MakeDb, clock: Clock) -> None:
    clock.now = utc(2026, 1, 2, 19, 0)  # 20:00 in Amsterdam
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    assert service.due(clock.now) == []  # first reminder comes tomorrow
    assert fire(service, utc(2026, 1, 3, 18, 30)) == [USER]


def test_later_time_today_still_fires_today(make_db: MakeDb, clock: Clock) -> None:
    clock.now = utc(2026, 1, 2, 9, 0)  # 10:00 in Amsterdam
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    assert fire(service, utc(2026, 1, 2, 18, 30)) == [USER]


def test_resume_after_the_time_waits_until_tomorrow(make_db: MakeDb, clock: Clock) -> None:
    service = ReminderService(make_db(), AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    service.pause(USER)
    clock.now = utc(2026, 1, 2, 19, 0)
    service.resume(USER)
    assert service.due(clock.now) == []
    assert fire(service, utc(2026, 1, 3, 18, 30)) == [USER]


def test_many_reminders_due_at_once(make_db: MakeDb, clock: Clock) -> None:
    service = ReminderService(make_db(), AMS, clock)
    for uid in range(1, 51):
        service.set_time(uid, uid, "19:30" if uid % 2 else "20:00")
    assert [r.user_id for r in service.due(utc(2026, 1, 2, 18, 30))] == list(range(1, 51, 2))


def test_blocked_is_kept_once_on_the_participant_and_cleared_by_writing(
        make_db: MakeDb, clock: Clock) -> None:
    """One truth for "blocked": `mark_blocked` flags the participant only; the reminder keeps
    the participant's own on/off choice, and `touch` (they write again) brings it back."""
    from bot.store.db import Reminder as ReminderRow
    from bot.store.participants import ParticipantStore

    db = make_db()
    participants = ParticipantStore(db)
    participants.touch(USER, CHAT, "Anna")
    service = ReminderService(db, AMS, clock)
    service.set_time(USER, CHAT, "19:30")
    service.mark_blocked(USER)
    assert service.due(utc(2026, 1, 2, 18, 30)) == []
    with db.session() as s:
        row = s.get(ReminderRow, USER)
        assert row is not None and row.enabled  # the participant's choice is untouched
    participants.touch(USER, CHAT, "Anna")
    assert [r.user_id for r in service.due(utc(2026, 1, 2, 18, 30))] == [USER]
    service.off(USER)  # their own choice: off stays off, blocked or not
    participants.set_blocked(USER, False)
    assert service.due(utc(2026, 1, 3, 18, 30)) == []


def test_time_zone_lives_on_the_participant(make_db: MakeDb, clock: Clock) -> None:
    """Changing the time zone changes the participant (created when missing) and moves the
    reminder with it; a reminder without a chosen zone follows the bot's default."""
    db = make_db()
    service = ReminderService(db, AMS, clock)
    assert service.set_time(USER, CHAT, "19:30").timezone == AMS
    service.set_timezone(USER, "Europe/London")
    with db.session() as s:
        participant = s.get(Participant, USER)
        assert participant is not None and participant.timezone == "Europe/London"
    reminder = service.get(USER)
    assert reminder is not None and reminder.timezone == "Europe/London"
    assert fire(service, utc(2026, 1, 1, 19, 30)) == [USER]
