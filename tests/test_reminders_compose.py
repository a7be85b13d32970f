"""The reminder text and the course calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.assignments import AssignmentService, load_assignments
from bot.reminders import CourseCalendar, ReminderError, ReminderService, parse_date, parse_dates
from bot.store.db import Database, Participant
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
AMS = "Europe/Amsterdam"
USER = 300
NOW = dt.datetime(2027, 1, 7, 18, 30, tzinfo=dt.UTC)  # Thursday 7 January 2027, 19:30 local


@pytest.fixture
def db(make_db: MakeDb) -> Database:
    database = make_db()
    return database


@pytest.fixture
def assignments(db: Database) -> AssignmentService:
    return AssignmentService(db, load_assignments(KNOWLEDGE))


@pytest.fixture
def service(db: Database, assignments: AssignmentService) -> ReminderService:
    return ReminderService(db, AMS, lambda: NOW, assignments=assignments)


def test_compose_names_the_next_item_and_progress(service: ReminderService,
                                                  assignments: AssignmentService) -> None:
    third = assignments.get(3)
    for item in third.items[:4]:
        assignments.set_done(USER, 3, item.id, True)
    text = service.compose(USER, NOW)
    nxt = third.items[4]
    assert text.startswith("Hoi!")
    assert third.heading in text
    assert nxt.label in text
    assert f"Opdracht 3: 4/{len(third.items)} in orde" in text
    assert "lesdag" not in text


def test_next_step_is_the_first_item_not_in_order(service: ReminderService,
                                                 assignments: AssignmentService) -> None:
    """Answered items that are in orde are skipped; an answered item with gaps is named."""
    good = ("Buurthuis De Schakel (veel ouderen), Taalschool Nieuwkomers (statushouders) "
            "en basisschool De Wilg (taalachterstand)")
    assignments.save_answer(USER, 3, "keuze", good)
    assignments.save_answer(USER, 3, "partner-1-waarde", "De bibliotheek krijgt er meer "
                            "leden door en onze uitleningen stijgen, want we bereiken nieuwe "
                            "mensen die nu nooit komen en dat staat goed in ons jaarverslag.")
    text = service.compose(USER, NOW)
    waarde = assignments.get(3).get("partner-1-waarde")
    assert waarde is not None and waarde.label in text  # filled in, but no partner side
    assert f"Opdracht 3: 1/{len(assignments.get(3).items)} in orde" in text


def test_compose_greets_by_name(db: Database, service: ReminderService) -> None:
    with db.session() as s:
        s.add(Participant(user_id=USER, chat_id=USER, first_name="Anna"))
    assert service.compose(USER, NOW).startswith("Hoi Anna!")


def test_compose_with_course_dates(service: ReminderService) -> None:
    service.calendar.set_dates({1: "10-12-2026", 2: "2026-12-17", 3: "12-01-2027",
                                4: dt.date(2027, 1, 26)})
    assert "Nog 5 dagen tot lesdag 3." in service.compose(USER, NOW)
    assert "Morgen is lesdag 3." in service.compose(USER, dt.datetime(2027, 1, 11, 9, 0,
                                                                      tzinfo=dt.UTC))
    assert "Vandaag is lesdag 3." in service.compose(USER, dt.datetime(2027, 1, 12, 9, 0,
                                                                       tzinfo=dt.UTC))
    # 23:30 UTC on the 11th is already the 12th in Amsterdam
    assert "Vandaag is lesdag 3." in service.compose(USER, dt.datetime(2027, 1, 11, 23, 30,
                                                                       tzinfo=dt.UTC))
    assert "Nog 13 dagen tot lesdag 4." in service.compose(USER, dt.datetime(2027, 1, 13, 9, 0,
                                                                             tzinfo=dt.UTC))
    assert "lesdag" not in service.compose(USER, dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC))


def test_compose_when_everything_is_done(service: ReminderService,
                                         assignments: AssignmentService) -> None:
    for a in assignments.assignments:
        for item in a.items:
            assignments.set_done(USER, a.number, item.id, True)
    text = service.compose(USER, NOW)
    assert "al je opdrachten zijn in orde of afgevinkt" in text
    assert "Volgende stap" not in text


def test_compose_needs_assignments(db: Database) -> None:
    with pytest.raises(RuntimeError):
        ReminderService(db, AMS, lambda: NOW).compose(USER, NOW)


# Calendar ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["12-01-2027", "12-1-2027", "12/01/2027", "12.01.2027", "2027-01-12", " 2027-1-12 "]
)
def test_parse_date(text: str) -> None:
    assert parse_date(text) == dt.date(2027, 1, 12)


@pytest.mark.parametrize("text", ["", "12-13-2027", "31-02-2027", "12 januari", "01-12-27"])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ReminderError, match="dd-mm-jjjj"):
        parse_date(text)


def test_parse_dates() -> None:
    assert parse_dates("12-01-2027, 26-01-2027;\n9-2-2027") == {
        1: dt.date(2027, 1, 12), 2: dt.date(2027, 1, 26), 3: dt.date(2027, 2, 9)}
    with pytest.raises(ReminderError, match="volgorde"):
        parse_dates("26-01-2027 12-01-2027")
    with pytest.raises(ReminderError):
        parse_dates("   ")


def test_calendar(db: Database) -> None:
    calendar = CourseCalendar(db)
    assert calendar.dates() == {}
    assert calendar.next_lesdag(dt.date(2027, 1, 1)) is None
    assert calendar.render() == "Er zijn nog geen lesdagen ingesteld."
    calendar.set_dates({1: "12-01-2027", 2: "26-01-2027"})
    assert calendar.dates() == {1: dt.date(2027, 1, 12), 2: dt.date(2027, 1, 26)}
    assert calendar.next_lesdag(dt.date(2027, 1, 12)) == (1, dt.date(2027, 1, 12))
    assert calendar.next_lesdag(dt.date(2027, 1, 13)) == (2, dt.date(2027, 1, 26))
    assert calendar.next_lesdag(dt.date(2027, 1, 27)) is None
    assert calendar.render() == "Lesdag 1: di 12 januari 2027\nLesdag 2: di 26 januari 2027"
    calendar.set_dates({1: dt.date(2027, 3, 1)})  # replaces all
    assert calendar.dates() == {1: dt.date(2027, 3, 1)}
    with pytest.raises(ReminderError):
        calendar.set_dates({0: dt.date(2027, 3, 1)})
    assert calendar.dates() == {1: dt.date(2027, 3, 1)}
