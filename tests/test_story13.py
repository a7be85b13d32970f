"""Round 13 (issue 13, story13): questions told as a story. The asking-sentence finder
(``ask.ask_sentence``) and the floors on the story dev set
``tests/eval/answers_story_dev13.yaml`` (79 long situational questions, 8 follow-ups; written
from the course material only).

Tried in round 13 and not merged (held-out gate below main, see branch story13-rule): fusing
the retrieval of the asking sentence with the whole text's, and answering a ``weerstand`` story
whose asking sentence asks for steps or pitfalls about a topic of its own as a lesson
question."""

from __future__ import annotations

from bot.answering.ask import ask_sentence
from bot.services import Services
from tests.dev_floors import dev_report


def test_the_asking_sentence_is_the_last_question() -> None:
    text = "We starten een taalcafé. Mijn collega twijfelt. Hoe vind ik partners? Ik ben nieuw."
    assert ask_sentence(text) == "Hoe vind ik partners?"


def test_without_a_question_mark_the_last_sentence_asks() -> None:
    assert ask_sentence("We starten een taalcafé. Vertel hoe ik partners vind.") == \
        "Vertel hoe ik partners vind."


def test_a_single_sentence_is_its_own_ask() -> None:
    assert ask_sentence("Hoe vind ik partners?") == ""
    assert ask_sentence("  ") == ""


def test_story_dev13_floors(base_services: Services) -> None:
    """On main 4d50ee5 (before round 13): every key fact 43/79 (odd half 25/39, even half
    18/40), coverage 0.604, intent 71/79, right file 0.696, no refusals; round 13 as merged
    (route13's file choice): 44/79, coverage 0.618, right file 0.709. Floors = the merged
    figures; raise them when a change reaches more, never lower them."""
    report, detail = dev_report(base_services, "answers_story_dev13.yaml", 79)
    assert report.all_facts >= 0.582, detail  # 46/79 (round 15, followup15; 45/79 round 14)
    assert report.fact_coverage >= 0.634, detail  # 0.635 (round 15; 0.627 round 14)
    assert report.intent_accuracy >= 0.898, detail  # 71/79
    assert report.topic_hit >= 0.708, detail  # 0.709 (0.696 main)
    assert report.in_scope_refusals == 0, detail
