"""The terminal adapter (`wijkwijs chat`) drives the same services as Telegram."""

from __future__ import annotations

import io

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
