"""Trainer overview, CSV export and broadcast recipients."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from bot.assignments import AssignmentService, load_assignments
from bot.store.db import Database, Participant
from bot.trainer import CSV_DELIMITER, TrainerService
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture
def db(make_db: MakeDb) -> Database:
    database = make_db()
    with database.session() as s:
        s.add_all([
            Participant(user_id=1, chat_id=1, first_name="Anna", username="anna_b",
                        authorized=True, last_seen=dt.datetime(2027, 1, 12, 18, 30)),
            Participant(user_id=2, chat_id=2, first_name="", username="bert",
                        last_seen=dt.datetime(2027, 1, 10, 8, 0)),
            Participant(user_id=3, chat_id=3, first_name="=HYPERLINK(\"x\")", blocked=True,
                        last_seen=dt.datetime(2027, 1, 1, 12, 0)),
            Participant(user_id=4, chat_id=4, first_name="Buitenstaander", refused_notice=True),
            Participant(user_id=5, chat_id=None, first_name="Zonder chat",
                        last_seen=dt.datetime(2027, 1, 2, 9, 0)),
            Participant(user_id=6, chat_id=1, first_name="Ook chat 1",
                        last_seen=dt.datetime(2027, 1, 2, 9, 0)),
        ])
    return database


@pytest.fixture
def assignments(db: Database) -> AssignmentService:
    service = AssignmentService(db, load_assignments(KNOWLEDGE))
    first = service.get(1)
    for item in first.items[:2]:
        service.set_done(1, 1, item.id, True)
    service.save_answer(1, 3, "keuze", "Welzijn Noord")  # answered, not done: does not count
    service.set_done(2, 3, "keuze", True)
    return service


@pytest.fixture
def trainer(db: Database, assignments: AssignmentService) -> TrainerService:
    return TrainerService(db, assignments)


def totals(assignments: AssignmentService) -> dict[int, int]:
    return {a.number: len(a.items) for a in assignments.assignments}


def test_overview(trainer: TrainerService, assignments: AssignmentService) -> None:
    rows = trainer.overview()
    assert [r.user_id for r in rows] == [3, 2, 1, 6, 5]  # by name; the outsider is left out
    anna = next(r for r in rows if r.user_id == 1)
    t = totals(assignments)
    assert anna.name == "Anna" and anna.username == "anna_b"
    assert anna.progress == {1: (2, t[1]), 2: (0, t[2]), 3: (0, t[3]), 4: (0, t[4])}
    assert anna.progress_text(1) == f"2/{t[1]}"
    assert anna.last_seen == dt.datetime(2027, 1, 12, 18, 30, tzinfo=dt.UTC)
    bert = next(r for r in rows if r.user_id == 2)
    assert bert.name == "@bert"
    assert bert.progress[3] == (1, t[3])
    assert next(r for r in rows if r.user_id == 3).blocked


def test_csv_parses_back(trainer: TrainerService, assignments: AssignmentService) -> None:
    data = trainer.overview_csv()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=CSV_DELIMITER))
    assert CSV_DELIMITER == ";"
    t = totals(assignments)
    assert rows[0] == ["Naam", "Gebruikersnaam", "Telegram-id",
                       *(f"Opdracht {n} klaar (van {t[n]})" for n in sorted(t)),
                       "Laatst actief", "Geblokkeerd", "Groep"]
    by_id = {r[2]: r for r in rows[1:]}
    assert set(by_id) == {"1", "2", "3", "5", "6"}
    assert by_id["1"] == ["Anna", "anna_b", "1", "2", "0", "0", "0", "2027-01-12 19:30", "nee",
                          "Standaard"]
    assert by_id["2"][:7] == ["", "bert", "2", "0", "0", "1", "0"]
    # A formula-like name is neutralised for Excel; the blocked flag is shown.
    assert by_id["3"][0] == "'=HYPERLINK(\"x\")"
    assert by_id["3"][-2] == "ja"


def test_render_overview(trainer: TrainerService, assignments: AssignmentService) -> None:
    text = trainer.render_overview()
    lines = text.splitlines()
    assert lines[0] == "Deelnemers: 5"
    assert lines[2].split() == ["Naam", "O1", "O2", "O3", "O4", "Laatst"]
    anna = next(line for line in lines if line.startswith("Anna"))
    t = totals(assignments)
    assert anna.split() == ["Anna", f"2/{t[1]}", f"0/{t[2]}", f"0/{t[3]}", f"0/{t[4]}",
                            "12-01", "19:30"]
    blocked = next(line for line in lines if line.startswith("=HYPERLINK"))
    assert blocked.endswith("(geblokkeerd)")
    assert len(blocked.split()[0]) <= 14
    assert "Buitenstaander" not in text
    short = trainer.render_overview(max_rows=2)
    assert short.splitlines()[-1].startswith("… en nog 3 deelnemers")


def test_render_without_participants(make_db: MakeDb) -> None:
    empty = make_db()
    assignments = AssignmentService(empty, load_assignments(KNOWLEDGE))
    assert TrainerService(empty, assignments).render_overview() == "Er zijn nog geen deelnemers."


def test_recipients(trainer: TrainerService) -> None:
    # not blocked, not the outsider, a known chat, each chat once
    assert sorted(trainer.recipients()) == [1, 2]
