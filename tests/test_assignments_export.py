"""Markdown and Word exports: headings and answers in checklist order."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document

from bot.assignments import AssignmentService, field_label, load_assignments
from bot.store.db import Participant
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
USER = 21
NOW = dt.datetime(2027, 1, 12, 23, 30, tzinfo=dt.UTC)  # already 13 January in Amsterdam


@pytest.fixture
def service(make_db: MakeDb) -> AssignmentService:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=USER, chat_id=USER, first_name="Anna", username="anna_b"))
    svc = AssignmentService(db, load_assignments(KNOWLEDGE), clock=lambda: NOW)
    svc.save_answer(USER, 3, "keuze", "Welzijn Noord\nBasisschool De Linde\nGGD regio")
    svc.save_answer(USER, 3, "partner-1-waarde", "Samen bereiken we meer ouders.")
    svc.save_answer(USER, 3, "partner-2-overtuigen", "# Geen kop\nIk bel de directeur.")
    return svc


def expected_blocks(service: AssignmentService) -> list[tuple[int, str]]:
    blocks: list[tuple[int, str]] = []
    for section in service.get(3).sections():
        if section.group:
            blocks.append((2, section.heading))
            blocks += [(3, field_label(i)) for i in section.items]
        else:
            blocks.append((2, section.items[0].label))
    return blocks


def test_markdown_export(service: AssignmentService) -> None:
    md = service.export_markdown(USER, 3)
    lines = md.splitlines()
    assert lines[0] == f"# {service.get(3).heading}"
    assert "Naam: Anna" in md
    assert "Datum: 13 januari 2027" in md
    headings = [(len(line) - len(line.lstrip("#")), line.lstrip("#").strip())
                for line in lines[1:] if line.startswith("#")]
    assert headings == expected_blocks(service)
    assert headings[:2] == [(2, service.get(3).items[0].label), (2, "Partner 1")]
    # answers sit under their own heading, in order
    pos_keuze = md.index("Welzijn Noord\nBasisschool De Linde\nGGD regio")
    pos_p1 = md.index("Samen bereiken we meer ouders.")
    pos_p2 = md.index("Ik bel de directeur.")
    assert pos_keuze < md.index("## Partner 1") < pos_p1 < md.index("## Partner 2") < pos_p2
    assert md.count("(nog niet ingevuld)") == 10 - 3
    assert "\\# Geen kop" in md  # participant text never becomes a heading


def test_docx_export(service: AssignmentService) -> None:
    data = service.export_docx(USER, 3)
    assert data[:2] == b"PK"
    doc = Document(io.BytesIO(data))
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in doc.paragraphs]
    headings = [(int(style.split()[-1]), text) for style, text in paragraphs
                if style.startswith("Heading")]
    assert headings[0] == (1, service.get(3).heading)
    assert headings[1:] == expected_blocks(service)
    texts = [text for _, text in paragraphs]
    assert "Naam: Anna" in texts
    assert "Datum: 13 januari 2027" in texts
    flat = [t for t in texts if t]

    def after(heading: str) -> str:
        return flat[flat.index(heading) + 1]

    keuze = service.get(3).items[0]
    assert after(keuze.label) == "Welzijn Noord\nBasisschool De Linde\nGGD regio"
    assert after("Partner 1") == field_label(service.get(3).items[1])
    assert after(field_label(service.get(3).items[1])) == "Samen bereiken we meer ouders."
    assert texts.count("(nog niet ingevuld)") == 7
    # Partner 2 - overtuigen holds its answer, Partner 3 is empty
    p2 = flat.index("Partner 2")
    p3 = flat.index("Partner 3")
    assert "# Geen kop\nIk bel de directeur." in flat[p2:p3]
    assert "Ik bel de directeur." not in " ".join(flat[p3:])
    assert doc.core_properties.title == service.get(3).heading


def test_export_without_name_or_answers(make_db: MakeDb) -> None:
    db = make_db()
    svc = AssignmentService(db, load_assignments(KNOWLEDGE), clock=lambda: NOW)
    md = svc.export_markdown(99, 1)
    assert "Naam:" not in md
    assert md.count("(nog niet ingevuld)") == len(svc.get(1).items)
    doc = Document(io.BytesIO(svc.export_docx(99, 4)))
    texts = [p.text for p in doc.paragraphs]
    assert texts.count("(nog niet ingevuld)") == len(svc.get(4).items)
    assert [t for t in texts if t.startswith("Tool ")] == ["Tool 1", "Tool 2", "Tool 3"]


def test_username_when_no_first_name(make_db: MakeDb) -> None:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=5, chat_id=5, first_name="", username="bieb_bert"))
    svc = AssignmentService(db, load_assignments(KNOWLEDGE), clock=lambda: NOW)
    assert "Naam: @bieb_bert" in svc.export_markdown(5, 2)
