"""Assignment checklist flows on the real opdracht files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assignments import (
    MAX_ANSWER_CHARS,
    Assignment,
    AssignmentError,
    AssignmentService,
    load_assignments,
    progress_bar,
)
from bot.store.db import Database
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
USER = 7


@pytest.fixture(scope="module")
def assignments() -> list[Assignment]:
    return load_assignments(KNOWLEDGE)


@pytest.fixture
def db(make_db: MakeDb) -> Database:
    database = make_db()
    return database


@pytest.fixture
def service(db: Database, assignments: list[Assignment]) -> AssignmentService:
    return AssignmentService(db, assignments)


def test_loads_the_four_opdracht_files(assignments: list[Assignment]) -> None:
    assert [a.number for a in assignments] == [1, 2, 3, 4]
    third = assignments[2]
    assert third.path == "opdrachten/opdracht-3-partners.md"
    assert third.topic == "opdracht-3-partners"
    assert third.heading.startswith("Opdracht 3")
    assert third.groups == ("Partner 1", "Partner 2", "Partner 3")
    assert third.items[0].id == "keuze"
    assert "partner-2-waarde" in [i.id for i in third.items]
    sections = third.sections()
    assert [s.heading for s in sections if s.group] == ["Partner 1", "Partner 2", "Partner 3"]
    assert sum(len(s.items) for s in sections) == len(third.items)
    for a in assignments:
        assert a.items, a.path
        assert len({i.id for i in a.items}) == len(a.items)


def test_overview_starts_empty(service: AssignmentService) -> None:
    overview = service.overview(USER)
    assert [p.assignment.number for p in overview] == [1, 2, 3, 4]
    for p in overview:
        assert p.done == 0
        assert p.total == len(p.assignment.items)
        assert {s.status for s in p.items} == {"leeg"}


def test_save_replace_and_done(service: AssignmentService) -> None:
    view = service.save_answer(USER, 3, "keuze", "Bibliotheek Noord")
    assert view.answer == "Bibliotheek Noord"
    assert view.status == "ingevuld"  # one partner, no reason: not in orde
    assert not view.done
    assert view.position == 1

    view = service.save_answer(USER, 3, "keuze", "  Welzijn Noord\nBasisschool De Linde\nGGD  ")
    assert view.answer == "Welzijn Noord\nBasisschool De Linde\nGGD"
    assert service.item(USER, 3, "keuze").answer == view.answer

    view = service.set_done(USER, 3, "keuze", True)
    assert view.done and view.status == "afgevinkt"
    # A new answer keeps the done flag.
    view = service.save_answer(USER, 3, "keuze", "Welzijn Noord\nBasisschool\nGGD\nBuurthuis")
    assert view.done and view.status == "afgevinkt"
    view = service.set_done(USER, 3, "keuze", False)
    assert view.status == "ingevuld"
    view = service.save_answer(USER, 3, "keuze", "Welzijn Noord (ouderen)\n"
                               "Basisschool De Linde (taal)\nGGD (gezondheid)")
    assert view.status == "in_orde" and not view.check

    progress = service.progress(USER, 3)
    assert progress.done == 0
    service.set_done(USER, 3, "keuze", True)
    service.set_done(USER, 3, "partner-1-waarde", True)  # ticking off without an answer is allowed
    progress = service.progress(USER, 3)
    assert (progress.done, progress.total) == (2, 10)
    assert progress.bar == "▰▱▱▱ 2/10"
    statuses = {s.item.id: s.status for s in progress.items}
    assert statuses["keuze"] == "afgevinkt"
    assert statuses["partner-1-waarde"] == "afgevinkt"
    assert (progress.filled, progress.in_order) == (1, 1)
    assert progress.counts == "1/10 ingevuld · 1 in orde · 2 afgevinkt"
    assert statuses["partner-1-diensten"] == "leeg"
    assert service.item(USER, 3, "partner-1-waarde").check == ("Je hebt hier nog niets ingevuld.",)


def test_answers_are_per_user(service: AssignmentService) -> None:
    service.save_answer(USER, 1, "werkgebied", "De wijk Noord")
    assert service.item(USER + 1, 1, "werkgebied").answer == ""


def test_answers_survive_a_new_service(make_db: MakeDb, assignments: list[Assignment]) -> None:
    db = make_db()
    AssignmentService(db, assignments).save_answer(USER, 2, "doel", "Twintig ouders doen mee.")
    db.close()
    again = AssignmentService(make_db(upgrade=False), assignments)
    assert again.item(USER, 2, "doel").answer == "Twintig ouders doen mee."


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_answer_is_rejected(service: AssignmentService, text: str) -> None:
    with pytest.raises(AssignmentError, match="leeg"):
        service.save_answer(USER, 1, "werkgebied", text)
    assert service.item(USER, 1, "werkgebied").status == "leeg"


def test_too_long_answer_is_rejected(service: AssignmentService) -> None:
    service.save_answer(USER, 1, "werkgebied", "Eerst dit.")
    with pytest.raises(AssignmentError) as exc:
        service.save_answer(USER, 1, "werkgebied", "a" * (MAX_ANSWER_CHARS + 1))
    assert f"{MAX_ANSWER_CHARS + 1} tekens" in str(exc.value)
    assert str(MAX_ANSWER_CHARS) in str(exc.value)
    assert service.item(USER, 1, "werkgebied").answer == "Eerst dit."
    assert service.save_answer(USER, 1, "werkgebied", "b" * MAX_ANSWER_CHARS).answer


def test_control_characters_are_dropped(service: AssignmentService) -> None:
    view = service.save_answer(USER, 1, "werkgebied", "De\x00 wijk\r\nNoord\x0b")
    assert view.answer == "De wijk\nNoord"


def test_unknown_assignment_and_item(service: AssignmentService) -> None:
    with pytest.raises(AssignmentError, match="Opdracht 9 ken ik niet"):
        service.item(USER, 9, "keuze")
    with pytest.raises(AssignmentError, match="bestaat niet"):
        service.save_answer(USER, 3, "bestaat-niet", "tekst")
    with pytest.raises(AssignmentError):
        service.set_done(USER, 3, "partner-4-waarde", True)


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (2, 4, "▰▰▱▱ 2/4"),
        (0, 4, "▱▱▱▱ 0/4"),
        (4, 4, "▰▰▰▰ 4/4"),
        (1, 3, "▰▱▱ 1/3"),
        (5, 10, "▰▰▱▱ 5/10"),
        (1, 16, "▰▱▱▱ 1/16"),
        (15, 16, "▰▰▰▱ 15/16"),
        (16, 16, "▰▰▰▰ 16/16"),
        (0, 0, "0/0"),
    ],
)
def test_progress_bar(done: int, total: int, expected: str) -> None:
    assert progress_bar(done, total) == expected


def test_progress_bar_width() -> None:
    assert progress_bar(3, 10, width=10) == "▰▰▰▱▱▱▱▱▱▱ 3/10"
    assert progress_bar(10, 20, width=8) == "▰▰▰▰▱▱▱▱ 10/20"


def test_next_open(service: AssignmentService, assignments: list[Assignment]) -> None:
    first = service.next_open(USER)
    assert first is not None
    assert (first.assignment.number, first.item.id) == (1, assignments[0].items[0].id)
    assert (first.done, first.total) == (0, len(assignments[0].items))

    # Working on assignment 3 makes it the current one.
    service.set_done(USER, 3, "keuze", True)
    nxt = service.next_open(USER)
    assert nxt is not None
    assert (nxt.assignment.number, nxt.item.id, nxt.done) == (3, "partner-1-waarde", 1)

    # A finished assignment hands over to the first one with open items.
    for item in assignments[2].items:
        service.set_done(USER, 3, item.id, True)
    nxt = service.next_open(USER)
    assert nxt is not None and nxt.assignment.number == 1

    for a in assignments:
        for item in a.items:
            service.set_done(USER, a.number, item.id, True)
    assert service.next_open(USER) is None


def test_reset(service: AssignmentService) -> None:
    service.save_answer(USER, 1, "werkgebied", "De wijk Noord")
    service.set_done(USER, 3, "keuze", True)
    service.save_answer(USER + 1, 1, "werkgebied", "Ander")
    assert service.reset(USER) == 2
    assert all(p.done == 0 for p in service.overview(USER))
    assert service.item(USER, 1, "werkgebied").answer == ""
    assert service.item(USER + 1, 1, "werkgebied").answer == "Ander"
    assert service.reset(USER) == 0


def test_export_filename(service: AssignmentService) -> None:
    assert service.export_filename(3, "docx") == "opdracht-3-partners.docx"
    assert service.export_filename(1, ".md") == "opdracht-1-omgevingsanalyse.md"
