"""Round 12: a question about the course or about Wijkwijs itself whose words retrieval matched
elsewhere is answered from the course information when that file has the closest question key.

Found in the terminal chat: "wat kan jij allemaal?" got the pitfalls of *What's in it for me*
(its words "wat kan ... allemaal" matched there), although the course information has a section
"Hoe helpt Wijkwijs?" with question keys for exactly this."""

from __future__ import annotations

from bot.services import Services


def test_what_can_you_do_is_answered_from_how_wijkwijs_helps(base_services: Services) -> None:
    answer = base_services.answers.ask("wat kan jij allemaal?")
    assert answer.grounded
    assert answer.sources and answer.sources[0].path == "cursus/cursusinformatie.md"
    assert "Wijkwijs is je cursusmaatje" in answer.answer
    assert "Alleen vanuit de bibliotheek denken" not in answer.answer
