"""Markdown and Word exports: a file you can hand in (issue 16)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from bot.assignments import AssignmentError, AssignmentService, field_label, load_assignments
from bot.store.db import Participant
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
USER = 21
NOW = dt.datetime(2027, 1, 12, 23, 30, tzinfo=dt.UTC)  # already 13 January in Amsterdam
KEUZE = ("Welzijn Noord (eenzame ouderen)\nBasisschool De Linde (taalachterstand)\n"
         "GGD regio (campagne gezond opgroeien)")


@pytest.fixture
def service(make_db: MakeDb) -> AssignmentService:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=USER, chat_id=USER, first_name="Anna", username="anna_b"))
    svc = AssignmentService(db, load_assignments(KNOWLEDGE), clock=lambda: NOW)
    svc.set_library(USER, "Bibliotheek Westerveen")
    svc.save_answer(USER, 3, "keuze", KEUZE)
    svc.save_answer(USER, 3, "partner-1-waarde", "Samen bereiken we meer ouders.")
    svc.save_answer(USER, 3, "partner-2-overtuigen", "# Geen kop\nIk bel de directeur.")
    return svc


NAMES = ["Welzijn Noord", "Basisschool De Linde", "GGD regio"]


def expected_blocks(service: AssignmentService) -> list[tuple[int, str]]:
    blocks: list[tuple[int, str]] = []
    for section in service.get(3).sections():
        if section.group:
            n = int(section.heading.split()[-1])
            blocks.append((2, f"{section.heading}: {NAMES[n - 1]}"))
            blocks += [(3, field_label(i)) for i in section.items]
        else:
            blocks.append((2, section.items[0].label))
    return blocks


def test_markdown_export(service: AssignmentService) -> None:
    md = service.export_markdown(USER, 3)
    lines = md.splitlines()
    assert lines[0] == f"# {service.get(3).heading}"
    assert "Naam: Anna" in md
    assert "Bibliotheek: Bibliotheek Westerveen" in md
    assert "Datum: 13 januari 2027" in md
    headings = [(len(line) - len(line.lstrip("#")), line.lstrip("#").strip())
                for line in lines[1:] if line.startswith("#")]
    assert headings == expected_blocks(service)
    pos_keuze = md.index(KEUZE)
    pos_p1 = md.index("Samen bereiken we meer ouders.")
    pos_p2 = md.index("Ik bel de directeur.")
    assert pos_keuze < md.index("## Partner 1: Welzijn Noord") < pos_p1 \
        < md.index("## Partner 2: Basisschool De Linde") < pos_p2
    assert md.count("(nog niet ingevuld)") == 10 - 3
    assert "\\# Geen kop" in md  # participant text never becomes a heading
    # The two thin answers are marked, the complete choice is not.
    assert md.count("⚠ Nog niet in orde") >= 2
    assert md.index("⚠ Nog niet in orde") > pos_p1


def test_docx_is_ready_to_hand_in(service: AssignmentService) -> None:
    data = service.export_docx(USER, 3)
    assert data[:2] == b"PK"
    doc = Document(io.BytesIO(data))
    # A4, author/title/language in the properties
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert doc.core_properties.author == "Anna"
    assert doc.core_properties.title == service.get(3).heading
    assert doc.core_properties.language == "nl-NL"
    assert "python-docx" not in (doc.core_properties.author, doc.core_properties.last_modified_by)
    # nl-NL proofing language: document defaults, every style with run properties, every run
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")) \
        .find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "nl-NL"
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        rpr = doc.styles[name].element.rPr
        assert rpr is not None and rpr.find(qn("w:lang")).get(qn("w:val")) == "nl-NL", name
    runs = [r for p in doc.paragraphs for r in p.runs]
    assert runs and all(r._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "nl-NL" for r in runs)
    assert "en-US" not in data.decode("latin-1")

    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in doc.paragraphs]
    headings = [(int(style.split()[-1]), text) for style, text in paragraphs
                if style.startswith("Heading")]
    assert headings[0] == (1, service.get(3).heading)
    assert headings[1:] == expected_blocks(service)
    texts = [text for _, text in paragraphs]
    assert texts[1:4] == ["Naam: Anna", "Bibliotheek: Bibliotheek Westerveen",
                          "Datum: 13 januari 2027"]
    assert not [t for t in texts if t in ("Partner 1", "Partner 2", "Partner 3")]
    flat = [t for t in texts if t]

    def after(heading: str) -> str:
        return flat[flat.index(heading) + 1]

    assert after(service.get(3).items[0].label) == KEUZE
    assert after(field_label(service.get(3).items[1])) == "Samen bereiken we meer ouders."
    # The thin WIIFM answer is marked right below it.
    marked = flat[flat.index("Samen bereiken we meer ouders.") + 1]
    assert marked.startswith("⚠ Nog niet in orde:")
    assert texts.count("(nog niet ingevuld)") == 7
    p2 = flat.index("Partner 2: Basisschool De Linde")
    p3 = flat.index("Partner 3: GGD regio")
    assert "# Geen kop\nIk bel de directeur." in flat[p2:p3]
    assert "Ik bel de directeur." not in " ".join(flat[p3:])


def test_empty_assignment_is_refused_with_a_friendly_message(
        service: AssignmentService, tmp_path: Path) -> None:
    for export in (service.export_docx, service.export_markdown):
        with pytest.raises(AssignmentError, match="nog leeg"):
            export(USER, 1)
    with pytest.raises(AssignmentError, match="/opdrachten"):
        service.write_exports(USER, 4, tmp_path / "exports")
    assert not (tmp_path / "exports").exists()


def test_files_are_written_to_the_given_folder(service: AssignmentService, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    paths = service.write_exports(USER, 3, tmp_path / "data" / "exports")
    assert [p.suffix for p in paths] == [".docx", ".md"]
    assert all(p.parent == tmp_path / "data" / "exports" and p.is_file() for p in paths)
    assert all(p.stat().st_mode & 0o077 == 0 for p in paths)
    assert list(cwd.iterdir()) == []
    assert Document(str(paths[0])).core_properties.author == "Anna"


def test_without_name_or_library(make_db: MakeDb) -> None:
    db = make_db()
    svc = AssignmentService(db, load_assignments(KNOWLEDGE), clock=lambda: NOW)
    svc.save_answer(99, 4, "keuze", "Padlet\nCanva\nZoom")
    md = svc.export_markdown(99, 4)
    assert "Naam:" not in md and "Bibliotheek:" not in md
    doc = Document(io.BytesIO(svc.export_docx(99, 4)))
    texts = [p.text for p in doc.paragraphs]
    assert texts.count("(nog niet ingevuld)") == len(svc.get(4).items) - 1
    assert [t for t in texts if t.startswith("Tool ")] == [
        "Tool 1: Padlet", "Tool 2: Canva", "Tool 3: Zoom"]
    assert doc.core_properties.author == ""


def test_username_when_no_first_name(make_db: MakeDb) -> None:
    db = make_db()
    with db.session() as s:
        s.add(Participant(user_id=5, chat_id=5, first_name="", username="bieb_bert"))
    svc = AssignmentService(db, load_assignments(KNOWLEDGE), clock=lambda: NOW)
    svc.save_answer(5, 2, "doel", "Twintig ouders doen mee voor de zomer.")
    assert "Naam: @bieb_bert" in svc.export_markdown(5, 2)


def test_library_name_is_cleaned_and_limited(service: AssignmentService) -> None:
    assert service.set_library(USER, "  Bibliotheek\n Westerveen  ") == "Bibliotheek Westerveen"
    assert service.library(USER) == "Bibliotheek Westerveen"
    with pytest.raises(AssignmentError, match="te lang"):
        service.set_library(USER, "x" * 500)
    assert service.library(USER) == "Bibliotheek Westerveen"
    assert service.set_library(USER, "") == ""
    assert service.library(777) == ""
