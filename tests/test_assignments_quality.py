"""The assignment checks read the answer: the examples of issue 16, advice vs. warnings
(issue 15), the criteria file as data, and the agreement floors on the labelled answers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.assignments import Assignment, load_assignments, split_entries
from bot.assignments.checks import review
from bot.assignments.criteria import CRITERIA_FILE, EMPTY, load_criteria, parse_criteria
from bot.assignments.evaluate import evaluate, load_cases

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
EVAL = ROOT / "tests" / "eval"

# Floors, measured with benchmarks/assignment_checks.py (docs/benchmarks.md, section 6).
TUNING_EXACT_FLOOR = 0.97
HELDOUT_EXACT_FLOOR = 0.90
HELDOUT_VERDICT_FLOOR = 0.95
PROBE2_EXACT_FLOOR = 0.85
"""Probe 2 was written after the checks to find their limits, before the last fixes, and was
never tuned on (probe 1 was, after its first run: see docs/benchmarks.md)."""


@pytest.fixture(scope="module")
def assignments() -> dict[int, Assignment]:
    return {a.number: a for a in load_assignments(KNOWLEDGE)}


def codes(assignments: dict[int, Assignment], n: int, item_id: str, text: str) -> set[str]:
    a = assignments[n]
    item = a.get(item_id)
    assert item is not None
    return review(item, text, a.criteria_for(item), a.criteria.lexicons).codes


THREE_WITH_NOTES = ("Buurthuis De Schakel (veel ouderen), Taalschool Nieuwkomers (statushouders) "
                    "en basisschool De Wilg (taalachterstand)")


def test_names_with_notes_count_as_three(assignments: dict[int, Assignment]) -> None:
    assert len(split_entries(THREE_WITH_NOTES)) == 3
    assert codes(assignments, 3, "keuze", THREE_WITH_NOTES) == set()


@pytest.mark.parametrize("text", [
    "Buurthuis De Schakel, Taalschool Nieuwkomers en basisschool De Wilg",
    "- Buurthuis De Schakel\n- Taalschool Nieuwkomers\n- basisschool De Wilg",
])
def test_three_names_without_reasons_do_not_pass_silently(
        assignments: dict[int, Assignment], text: str) -> None:
    assert codes(assignments, 3, "keuze", text) == {"no_reason"}
    a = assignments[3]
    item = a.get("keuze")
    assert item is not None
    [message] = [f.message for f in review(item, text, a.criteria_for(item),
                                           a.criteria.lexicons).warnings]
    assert "'Buurthuis De Schakel'" in message and "bijvoorbeeld" in message


def test_wiifm_from_the_library_side_only(assignments: dict[int, Assignment]) -> None:
    text = ("De bibliotheek krijgt hierdoor meer leden en meer uitleningen. We worden "
            "zichtbaarder in de wijk en kunnen aan de gemeente laten zien dat we een "
            "maatschappelijke rol spelen. Ook leren onze medewerkers veel van deze doelgroep.")
    assert codes(assignments, 3, "partner-2-waarde", text) == {"missing:partner"}
    both = text + " Het buurthuis krijgt er een vaste activiteit bij voor hun bezoekers."
    assert codes(assignments, 3, "partner-2-waarde", both) == set()


def test_vague_promise(assignments: dict[int, Assignment]) -> None:
    text = ("we gaan samen iets leuks doen voor de kinderen in de wijk, "
            "dat zien we later wel precies")
    assert codes(assignments, 3, "partner-1-diensten", text) == {"vague"}


def test_mailtje_sturen_is_not_in_order(assignments: dict[int, Assignment]) -> None:
    assert "short" in codes(assignments, 3, "partner-1-overtuigen", "mailtje sturen")


def test_beyond_the_course_description_is_advice(assignments: dict[int, Assignment]) -> None:
    """Issue 15: 'at least five stakeholders' is advice, not missing."""
    a = assignments[1]
    item = a.get("stakeholders")
    assert item is not None
    assert "vijf" not in item.label and "Advies" in item.help
    result = review(item, "De gemeente, het wijkteam en basisschool De Linde, die alle drie "
                          "invloed hebben op wat wij doen.", a.criteria_for(item),
                    a.criteria.lexicons)
    assert result.ok
    assert [f.code for f in result.advice] == ["advice:count"]
    assert "advies" in result.advice[0].message
    # One stakeholder is below what the course asks ("stakeholders"): a warning.
    one = review(item, "Alleen de gemeente, want die bepaalt ons budget en de subsidie.",
                 a.criteria_for(item), a.criteria.lexicons)
    assert one.codes == {"few"}


def test_criteria_cover_real_items_and_messages_give_examples(
        assignments: dict[int, Assignment]) -> None:
    criteria = load_criteria(KNOWLEDGE)
    assert criteria is not EMPTY
    for (n, key), spec in criteria.items.items():
        assert any(criteria.for_item(n, i.id) is spec for i in assignments[n].items), (n, key)
        for part in (*spec.parts, *spec.advice):
            assert "bijvoorbeeld" in part.message, (n, key, part.id)
        for message in (spec.vague, *(() if spec.sides is None else
                                      (spec.sides.partner, spec.sides.bibliotheek))):
            assert not message or "bijvoorbeeld" in message, (n, key)


def test_invalid_criteria_file_is_logged_not_fatal(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / CRITERIA_FILE
    path.parent.mkdir(parents=True)
    path.write_text("items:\n  1:\n    x:\n      parts: [{id: a}]\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_criteria(tmp_path) is EMPTY
    assert "controles.yaml" in caplog.text
    with pytest.raises(ValueError, match="lexicon"):
        parse_criteria({"items": {1: {"x": {"parts": [
            {"id": "a", "patterns": ["@nope"], "message": "m"}]}}}})


def test_agreement_floors(assignments: dict[int, Assignment]) -> None:
    tuning = load_cases(EVAL / "assignment_answers.yaml")
    heldout = load_cases(EVAL / "assignment_answers_heldout.yaml")
    assert len(tuning) >= 180 and len(heldout) >= 25
    for kind in ("lijst", "onderdelen", "vaag"):
        assert sum(c.type == kind for c in tuning) >= 60, kind
    assert not {c.text for c in tuning} & {c.text for c in heldout}
    tuned = evaluate(list(assignments.values()), tuning)
    held = evaluate(list(assignments.values()), heldout)
    assert tuned.exact >= TUNING_EXACT_FLOOR, tuned.summary("tuning")
    assert held.exact >= HELDOUT_EXACT_FLOOR, held.summary("held-out")
    assert held.verdict >= HELDOUT_VERDICT_FLOOR, held.summary("held-out")
    probe = evaluate(list(assignments.values()),
                     load_cases(EVAL / "assignment_answers_probe2.yaml"))
    assert probe.exact >= PROBE2_EXACT_FLOOR, probe.summary("probe 2")
