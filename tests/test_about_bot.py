"""Round 13: a question about the bot itself ("wat kun je?", "hoe werkt deze bot?", "what can
you do?", "help") gets the course information's section about Wijkwijs, offline and with an
LLM configured.

Found in the terminal chat (round 12's closing note): "what can you do?" and "hoe werkt deze
bot?" were refused as off topic, and "wat kun je voor me doen?" got the pitfalls of *What's in
it for me*. A course question that only uses "je" as "one" ("hoe doe je dat?", "wat doe je als
niemand komt?") stays a course question."""

from __future__ import annotations

import pytest

from bot.answering.social import asks_about_bot
from bot.services import Services
from tests.fakes.openai_server import FakeOpenAIServer
from tests.test_llm_answers import with_llm

ABOUT_BOT = [
    "what can you do?", "hoe werkt deze bot?", "wat kun je voor me doen?", "wie ben jij?",
    "help", "Help!", "kunt u mij helpen?", "waarmee kan Wijkwijs mij helpen?",
    "wat kan jij allemaal?", "can you help me?", "wat kunt ge allemaal?",
]
COURSE = [
    "hoe doe je dat?", "wat kan ik doen?", "wat is een wijkschouw?", "hoe maak je een draaiboek?",
    "wat doe je dan?", "hoe werkt het?", "wat doe je als niemand komt?", "en dan?",
    "wat kan ik doen als de wethouder nee zegt?", "help, hoe maak ik een netwerkkaart?",
    "what is this?", "hoe werkt een wijkschouw?",
]


@pytest.mark.parametrize("text", ABOUT_BOT)
def test_questions_about_the_bot_are_recognised(text: str) -> None:
    assert asks_about_bot(text)


@pytest.mark.parametrize("text", COURSE)
def test_course_questions_with_you_are_not_about_the_bot(text: str) -> None:
    assert not asks_about_bot(text)


@pytest.mark.parametrize("text", ["what can you do?", "hoe werkt deze bot?",
                                  "wat kun je voor me doen?", "help"])
def test_about_the_bot_is_answered_from_how_wijkwijs_helps(base_services: Services,
                                                           text: str) -> None:
    answer = base_services.answers.ask(text)
    assert answer.grounded and answer.intent == "cursus"
    assert [s.path for s in answer.sources] == ["cursus/cursusinformatie.md"]
    assert answer.answer.startswith("Wijkwijs is je cursusmaatje")
    assert "te oefenen met weerstanden" in answer.answer
    assert "Alleen vanuit de bibliotheek denken" not in answer.answer


def test_a_course_question_after_it_is_answered_as_before(base_services: Services) -> None:
    about = base_services.answers.ask("wat kun je voor me doen?")
    course = base_services.answers.ask("wat is een wijkschouw?", about.context)
    assert course.grounded and course.sources
    assert course.sources[0].path != "cursus/cursusinformatie.md"


async def test_with_an_llm_the_bot_page_is_not_sent_to_the_model(
        services: Services) -> None:
    async with FakeOpenAIServer() as llm:
        svc = with_llm(services, llm)
        answer = await svc.ask(1, "what can you do?")
        assert not llm.requests  # the model would refuse it: not in the sources
    assert answer.grounded and not answer.generated
    assert answer.answer.startswith("Wijkwijs is je cursusmaatje")
