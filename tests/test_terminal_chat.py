"""The terminal adapter (`wijkwijs chat`) drives the same services as Telegram."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from bot.adapters.terminal import run_terminal_chat
from bot.services import Services


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
    assert "Dat commando ken ik niet" in out and "opdracht ken ik niet" not in out
    assert "na exit" not in out and out.rstrip().endswith("Tot de volgende keer!")


def test_end_notice_only_until_the_participant_moves_on(services: Services) -> None:
    from bot.answering import texts as answer_texts
    from bot.roleplay import texts as rp_texts

    line = "Ik hoor dat je er moe van bent. Wat maakt het zo zwaar voor je?"
    # Right after the end, a line is taken for the conversation, not a course question...
    out = chat(services, ["/oefenen", "1", line, "/stop", "Zullen we dan toch beginnen?"])
    assert out.count(rp_texts.SESSION_OVER) == 1 and "Bronnen:" not in out
    # ...but a command in between means the participant moved on: text is a question again.
    out = chat(services, ["/oefenen", "1", line, "/stop", "/nieuw", "hoi",
                          "wat is een wijkschouw"])
    assert rp_texts.SESSION_OVER not in out
    assert answer_texts.GREETING_REPLY in out
    assert "Bronnen:" in out and "wijkschouw" in out.split("Je score")[-1].lower()


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


# Issue 16: everything Telegram has -------------------------------------------------------------
def test_help_lists_the_commands(services: Services) -> None:
    out = chat(services, ["/help"])
    help_part = out.split("Dit kun je typen", 1)[1]
    for command in ("/vraag", "/nieuw", "/oefenen", "/opdrachten", "/antwoord 3 2",
                    "/herinnering", "/exit"):
        assert command in help_part


def test_vraag_and_nieuw(services: Services) -> None:
    from bot.llm.memory import ConversationMemory

    memory = ConversationMemory(services.participants)
    out = chat(services, ["/vraag", "/vraag Wat is een wijkschouw?"])
    assert "Zet je vraag achter /vraag" in out
    assert out.count("bot> ") == 1 and "Bronnen" in out.split("bot> ", 1)[1]
    memory.remember(9, "Wat is een wijkschouw?", "Een wandeling door de wijk.")
    assert memory.history(9) != []
    out = chat(services, ["/nieuw"])
    assert "we beginnen opnieuw" in out
    assert memory.history(9) == []


def test_unknown_command_says_commando(services: Services) -> None:
    out = chat(services, ["/bestaatniet"])
    assert "Dat commando ken ik niet" in out and "/help" in out


def test_items_by_number_and_ids_still_work(services: Services) -> None:
    items = services.assignments.get(3).items
    out = chat(services, [
        "/opdracht 3",
        "/antwoord 3 1 Buurthuis De Linde; Bibliotheekvrienden; Basisschool De Regenboog",
        f"/antwoord 3 {items[1].id} Omdat ze veel ouderen bereiken.",
        "/klaar 3 1",
    ])
    listing = out.split("Opgeslagen.")[0]
    assert "  1. " in listing and items[0].label in listing
    assert f"  {len(items)}. " in listing
    assert items[0].id not in listing and items[1].id not in listing  # numbers, not ids
    assert services.assignments.item(9, 3, items[0].id).answer.startswith("Buurthuis De Linde")
    assert services.assignments.item(9, 3, items[1].id).answer.startswith("Omdat ze veel")
    assert services.assignments.progress(9, 3).done == 1


def test_reminder_pause_resume_days_in_the_terminal(services: Services) -> None:
    out = chat(services, ["/herinnering 19:30", "/herinnering werkdagen"])
    reminder = services.reminders.get(9)
    assert reminder is not None and reminder.days == "weekdays" and reminder.time == "19:30"
    out = chat(services, ["/herinnering pauze"])
    assert "staat op pauze" in out
    reminder = services.reminders.get(9)
    assert reminder is not None and reminder.paused
    out = chat(services, ["/herinnering hervat"])
    assert "staat op pauze" not in out and "19:30" in out
    reminder = services.reminders.get(9)
    assert reminder is not None and not reminder.paused and reminder.days == "weekdays"


def test_markdown_is_plain_text() -> None:
    from bot.adapters.terminal import plain

    text = plain("## Kop\n**Vet** en *schuin* en `code`.\n* punt\n[bron](https://x.nl/a)")
    assert "**" not in text and "`" not in text and "#" not in text
    assert "Vet en schuin en code." in text
    assert "• punt" in text and "bron (https://x.nl/a)" in text
    assert plain("3 * 4 = 12") == "3 * 4 = 12"


def test_cli_help_is_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    from bot import cli

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("gebruik: wijkwijs")
    for english in ("usage:", "show this help", "options:", "index knowledge/",
                    "answer one question"):
        assert english not in out
    assert "met de bot praten in de terminal" in out
    with pytest.raises(SystemExit):
        cli.main(["invite", "new", "--help"])
    out = capsys.readouterr().out
    assert "--cohort GROEP" in out and "toon deze hulp" in out
