"""Practice questions in the terminal chat: the same service as Telegram."""

from __future__ import annotations

import io

from bot.adapters.terminal import run_terminal_chat
from bot.services import Services


def test_oefenvraag_in_the_terminal(services: Services) -> None:
    out = io.StringIO()
    lines = ["/oefenvraag", "kennis en vaardigheden", "/oefenvraag", "/annuleer",
             "/mijnvoortgang", "/annuleer"]
    assert run_terminal_chat(services, io.StringIO("\n".join(lines) + "\n"), out,
                             user_id=11) == 0
    text = out.getvalue()
    assert "Oefenvraag" in text and "<b>" not in text
    assert "🟡 Half goed." in text and "Dit mist nog: houding" in text
    assert "📖 Meer hierover: De competenties van de community librarian – Wat is het?" in text
    assert "lesstof/competenties.md" not in text  # the title, not the file path
    assert "slaan deze oefenvraag over" in text
    assert "0 van 6 vast" in text
    assert services.quiz is not None
    assert services.quiz.schedule.progress(11)["competentie"].missed == 1
