"""The terminal adapter (`wijkwijs chat`) drives the same services as Telegram."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from bot.adapters.terminal import run_terminal_chat
from bot.app import Services


def chat(services: Services, lines: list[str]) -> str:
    out = io.StringIO()
    assert run_terminal_chat(services, io.StringIO("\n".join(lines) + "\n"), out, user_id=9) == 0
    return out.getvalue()


def test_question_answer_with_sources_and_out_of_scope(services: Services) -> None:
    out = chat(services, ["wat is een wijkschouw", "hoe bak ik een appeltaart", "", "x" * 5000])
    assert "Bronnen:" in out and "wijkschouw" in out.lower()
    assert "niet in het cursusmateriaal" in out
    assert "te lang" in out


def test_roleplay_in_the_terminal(services: Services) -> None:
    out = chat(services, [
        "/oefenen", "1",
        "Ik hoor dat je er moe van bent. Wat maakt het zo zwaar voor je?",
        "/tip", "/stop", "/mijnoefeningen", "/stop", "/onbekend", "/exit", "na exit",
    ])
    assert "Verras me" in out and "Je doel" in out
    assert out.count("🎭") >= 2
    assert "💡" in out
    assert "Je score" in out and "De zorg eronder" in out
    assert "Je oefeningen (1)" in out
    assert "niet aan het oefenen" in out
    assert "Die opdracht ken ik niet" in out
    assert "na exit" not in out and out.rstrip().endswith("Tot de volgende keer!")


def test_reminder_phrases_in_the_terminal(services: Services) -> None:
    out = chat(services, ["/herinnering 19u30", "/herinnering 20:00 werkdagen",
                          "/herinnering pauze", "/herinnering hervat",
                          "/herinnering half acht 's avonds", "/herinnering morgen"])
    assert "Je krijgt elke dag om 19:30 een herinnering." in out
    assert "Je krijgt op werkdagen (maandag tot en met vrijdag) om 20:00 een herinnering." in out
    assert "staat op pauze" in out and "/herinnering hervat" in out
    assert "om 19:30 een herinnering" in out.split("half acht")[-2]
    assert "Die tijd snap ik niet" in out


def test_assignments_export_and_reminder_in_the_terminal(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "started-here"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    out = chat(services, [
        "/opdrachten",
        "/antwoord 3 keuze Buurthuis De Linde; Bibliotheekvrienden",
        "/antwoord 3 keuze Buurthuis De Linde; Bibliotheekvrienden; Basisschool De Regenboog",
        "/klaar 3 keuze", "/exporteer 3", "/herinnering 19:30", "/antwoord 3", "/opdracht x",
    ])
    assert "▱▱▱▱ 0/10  Opdracht 3" in out
    assert "Je noemt 2 partners, de opdracht vraagt er 3." in out
    assert "✅ Kies drie potentiële partners" in out
    assert "  ⚠ Bij 'Buurthuis De Linde'" in out  # ticked without reasons: said honestly
    assert "19:30" in out
    assert out.count("Zo werk je aan een opdracht") == 3  # overview + two malformed commands
    # Exports go to the data folder, not the folder the chat was started from.
    assert list(cwd.iterdir()) == []
    exports = services.settings.data_dir / "exports"
    doc = docx.Document(str(exports / "9-opdracht-3-partners.docx"))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Basisschool De Regenboog" in body
    assert "Basisschool De Regenboog" in (exports / "9-opdracht-3-partners.md").read_text()
    assert str(exports) in out
    assert services.assignments.progress(9, 3).done == 1
