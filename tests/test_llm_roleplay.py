"""LLM-played personas and the LLM evaluator, against the fake OpenAI server.

The engine is synchronous; like the Telegram handlers, the tests call it via asyncio.to_thread
(the fake server runs on the test's event loop).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.llm.providers import build_chat_model
from bot.llm.roleplay import LLMEvaluator, LLMPersonaVoice, with_llm_roleplay
from bot.roleplay.analyser import Analyser
from bot.roleplay.engine import RoleplayEngine
from bot.roleplay.feedback import ScriptedEvaluator
from bot.roleplay.scenarios import Scenario, load_scenarios
from bot.roleplay.techniques import TECHNIQUES_FILE, load_technique_book
from bot.roleplay.voice import level
from bot.services import Services
from tests.conftest import KNOWLEDGE, make_settings
from tests.fakes.openai_server import FakeOpenAIServer
from tests.test_llm_answers import with_llm

CRITERIA = load_technique_book(KNOWLEDGE / "rollenspel" / TECHNIQUES_FILE).criteria
SCENARIO = "bestuurslid-wil-cijfers"
GOOD_REPLY = "Ik hoor dat u zich zorgen maakt. Waar moet u dit straks verantwoorden?"


@pytest.fixture(scope="module")
def offline_engine() -> RoleplayEngine:
    return RoleplayEngine(load_scenarios(KNOWLEDGE), Analyser.from_knowledge(KNOWLEDGE, None))


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def engine(offline_engine: RoleplayEngine, llm: FakeOpenAIServer,
           tmp_path: Path) -> RoleplayEngine:
    settings = make_settings(tmp_path, llm_provider="openai", llm_base_url=f"{llm.url}/v1",
                             llm_model="test", llm_timeout=1.0)
    model = build_chat_model(settings)
    assert model is not None
    llm_engine = with_llm_roleplay(offline_engine, settings, model)
    assert offline_engine.voice is not llm_engine.voice  # the shared engine is untouched
    return llm_engine


def scenario_of(engine: RoleplayEngine) -> Scenario:
    found = engine.scenarios.get(SCENARIO)
    assert found is not None
    return found


async def test_persona_line_is_generated_in_character(engine: RoleplayEngine,
                                                      llm: FakeOpenAIServer) -> None:
    start = engine.start(SCENARIO, rng=random.Random(1))
    scenario = scenario_of(engine)
    llm.reply('Annemiek van Dijk: "Tja. Volgend jaar moeten we bij de gemeente **laten zien** '
              'wat het oplevert."')
    result = await asyncio.to_thread(engine.reply, start.session, GOOD_REPLY)
    assert result.persona == ("Tja. Volgend jaar moeten we bij de gemeente laten zien wat het "
                              "oplevert.")
    system, user = llm.messages()
    content = system["content"]
    for expected in (scenario.persona.name, scenario.persona.traits[0], scenario.hidden_concern,
                     f"Je weerstand is nu {start.session.resistance}", "Noem deze zorg nooit"):
        assert expected in content
    own = ("high", "medium", "low", "on_question", "on_pressure", "agreement")
    kind_lines = scenario.reactions.lines(
        result.kind if result.kind in own else level(start.session.resistance))
    assert any(line in content for line in kind_lines)  # this moment's lines as examples
    assert scenario.opening in user["content"] and GOOD_REPLY in user["content"]
    if result.kind == "on_question":
        assert start.session.revealed == 1  # same bookkeeping as the scripted voice


@pytest.mark.parametrize("reply", [
    None,  # HTTP 500
    "",
    "Als AI-taalmodel kan ik geen rol spelen.",
    "HIDDEN",  # recites the hidden concern
])
async def test_unusable_persona_reply_falls_back_to_the_scripted_line(
        engine: RoleplayEngine, llm: FakeOpenAIServer, reply: str | None) -> None:
    start = engine.start(SCENARIO, rng=random.Random(2))
    scenario = scenario_of(engine)
    if reply is None:
        llm.reply(status=500)
    else:
        llm.reply(scenario.hidden_concern if reply == "HIDDEN" else reply)
    result = await asyncio.to_thread(engine.reply, start.session, "Kom op, het is gewoon goed.")
    all_lines = [line for kind in ("high", "medium", "low", "on_question", "on_pressure",
                                   "agreement") for line in scenario.reactions.lines(kind)]
    assert any(line in result.persona for line in all_lines)


def evaluation(**overrides: object) -> str:
    data: dict[str, object] = {
        "score": 72,
        "criteria": {c: 70 for c in CRITERIA},
        "next_time": "Vraag nog eens door naar **wat** ze precies nodig heeft.",
        "tips": ["Vat samen voor je een voorstel doet.", "Blijf rustig."],
        "quotes_good": [{"quote": "Waar moet u dit straks verantwoorden?",
                         "technique": "doorvragen"},
                        {"quote": "Dit heb ik nooit gezegd", "technique": "luisteren"}],
        "quotes_poor": [],
    }
    data.update(overrides)
    return "Hier is mijn oordeel:\n```json\n" + json.dumps(data) + "\n```"


async def test_evaluator_json_is_validated_and_merged(engine: RoleplayEngine,
                                                      llm: FakeOpenAIServer) -> None:
    start = engine.start(SCENARIO, rng=random.Random(3))
    llm.reply("Tja.")
    await asyncio.to_thread(engine.reply, start.session, GOOD_REPLY)
    llm.reply(evaluation())
    feedback = await asyncio.to_thread(engine.stop, start.session)
    assert feedback.score == 72 and feedback.criteria == {c: 70 for c in CRITERIA}
    assert list(feedback.criteria) == list(CRITERIA)
    assert feedback.next_time == "Vraag nog eens door naar wat ze precies nodig heeft."
    # Only quotes the participant really said survive.
    assert [q.text for q in feedback.quotes_good] == ["Waar moet u dit straks verantwoorden?"]
    scenario = scenario_of(engine)
    assert feedback.hidden_concern == scenario.hidden_concern
    assert feedback.outcome == "stopped" and feedback.turns == 1
    prompt = llm.text()
    assert GOOD_REPLY in prompt and scenario.hidden_concern in prompt
    assert all(c in prompt for c in CRITERIA)


@pytest.mark.parametrize("reply", [
    "geen json hoor",
    "{kapot",
    evaluation(score=250),
    evaluation(criteria={"luisteren": 50}),
    evaluation(next_time=""),
    None,  # HTTP 500
])
async def test_evaluator_garbage_gives_the_offline_feedback(
        engine: RoleplayEngine, llm: FakeOpenAIServer, reply: str | None) -> None:
    start = engine.start(SCENARIO, rng=random.Random(4))
    llm.reply("Tja.")
    await asyncio.to_thread(engine.reply, start.session, GOOD_REPLY)
    if reply is None:
        llm.reply(status=500)
    else:
        llm.reply(reply)
    start.session.status = "stopped"
    feedback = await asyncio.to_thread(engine.evaluator.evaluate, scenario_of(engine),
                                       start.session)
    offline = ScriptedEvaluator(engine.book).evaluate(scenario_of(engine), start.session)
    assert feedback.to_dict() == offline.to_dict()


def test_no_turns_means_no_llm_call(offline_engine: RoleplayEngine) -> None:
    class Boom:
        def invoke(self, *_: object) -> None:
            raise AssertionError("must not be called")

    from bot.llm.prompts import PromptLibrary
    from tests.conftest import ROOT

    evaluator = LLMEvaluator(Boom(), PromptLibrary(ROOT / "prompts"))  # type: ignore[arg-type]
    start = offline_engine.start(SCENARIO, rng=random.Random(5))
    scenario = offline_engine.scenarios.get(SCENARIO)
    assert scenario is not None
    assert evaluator.evaluate(scenario, start.session).turns == 0


async def test_services_plug_the_llm_into_the_roleplay_engine(services: Services,
                                                              llm: FakeOpenAIServer) -> None:
    assert services.roleplay is not None and services.llm is None
    svc = with_llm(services, llm)
    assert svc.roleplay is not None and svc.llm is not None
    assert isinstance(svc.roleplay.engine.voice, LLMPersonaVoice)
    assert isinstance(svc.roleplay.engine.evaluator, LLMEvaluator)
    assert svc.roleplay.engine.voice.model is svc.llm.model  # one chat model for everything
    assert not isinstance(services.roleplay.engine.voice, LLMPersonaVoice)  # shared one intact
