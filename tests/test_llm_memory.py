"""Follow-up questions: history in the database, standalone rewrite, fallbacks, /nieuw."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.llm.memory import ConversationMemory, Turn, clean_rewrite
from bot.services import Services
from tests.fakes.openai_server import FakeOpenAIServer
from tests.test_llm_answers import with_llm

FIRST = "Wat is een krachtenveldanalyse?"
FOLLOW_UP = "en hoe pak ik dat aan?"
STANDALONE = "Hoe pak ik een krachtenveldanalyse aan?"


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer() as server:
        yield server


async def test_follow_up_is_rewritten_with_the_history(services: Services,
                                                       llm: FakeOpenAIServer) -> None:
    svc = with_llm(services, llm)
    llm.reply("Met een krachtenveldanalyse breng je voor- en tegenstanders in kaart [1].")
    await svc.ask(7, FIRST)
    assert len(llm.requests) == 1  # no history yet: no rewrite call
    llm.reply(STANDALONE)
    llm.reply("Begin met een lijst van alle betrokken partijen [1].")
    answer = await svc.ask(7, FOLLOW_UP)
    rewrite = llm.text(1)
    assert FIRST in rewrite and "voor- en tegenstanders" in rewrite  # history: q and answer
    assert f"<nieuwe_vraag>\n{FOLLOW_UP}\n</nieuwe_vraag>" in rewrite
    assert f"<vraag>\n{STANDALONE}\n</vraag>" in llm.text(2)
    assert answer.question == FOLLOW_UP  # the log keeps the participant's words
    assert answer.retrieval is not None and answer.retrieval.question == STANDALONE
    offline = services.answers.ask(STANDALONE)
    assert answer.sources[0].path == offline.sources[0].path
    assert services.answers.ask(FOLLOW_UP).sources[0].path != offline.sources[0].path


async def test_history_is_capped_stored_and_survives_a_restart(services: Services,
                                                               llm: FakeOpenAIServer) -> None:
    svc = with_llm(services, llm)
    llm.default = lambda body: "Zelfstandige vraag" if "<gesprek>" in str(body) else \
        "Netwerken doe je met een plan [1]."
    for q in ("wat is netwerken?", "Wat is een elevator pitch?", "Wat is co-creatie?",
              FIRST):
        await svc.ask(8, q)
    restarted = dataclasses.replace(svc)  # a fresh Services on the same database
    history = ConversationMemory(restarted.participants).history(8)
    assert len(history) == 3 and history[-1].question in {FIRST, "Zelfstandige vraag"}
    stored = services.participants.get_state(8, "history")
    assert len(stored) == 3 and all(len(t["a"]) <= 300 for t in stored)


async def test_failed_or_useless_rewrite_uses_the_question_as_asked(
        services: Services, llm: FakeOpenAIServer) -> None:
    svc = with_llm(services, llm, llm_timeout=0.5)
    ConversationMemory(svc.participants).remember(9, FIRST, "Een analyse van het speelveld.")
    llm.reply(status=500)  # the rewrite fails
    llm.reply("Zo pak je het aan [1].")
    answer = await svc.ask(9, STANDALONE)
    assert answer.retrieval is not None and answer.retrieval.question == STANDALONE
    assert answer.generated
    # A rewrite that leads nowhere (not grounded) loses against the grounded original.
    llm.reply("Wat is de hoofdstad van Australië?")
    llm.reply("Zo pak je het aan [1].")
    answer = await svc.ask(9, STANDALONE)
    assert answer.grounded and answer.retrieval is not None
    assert answer.retrieval.question == STANDALONE


def test_clean_rewrite() -> None:
    assert clean_rewrite('Herschreven vraag: "Hoe pak ik het aan?"\nUitleg: ...', "x?") == \
        "Hoe pak ik het aan?"
    assert clean_rewrite("", "vraag") is None
    assert clean_rewrite("x" * 500, "korte vraag") is None


def test_memory_clear_and_broken_state(services: Services) -> None:
    memory = ConversationMemory(services.participants)
    memory.remember(5, "vraag", "antwoord")
    assert memory.history(5) == [Turn("vraag", "antwoord")]
    memory.clear(5)
    assert memory.history(5) == []
    services.participants.set_state(5, "history", {"rommel": True})
    assert memory.history(5) == []
