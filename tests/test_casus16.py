"""Round 16: the one pitfall to avoid is the one the participant says they did, plan or fear
(also in other words than the material's, by its wrong reply in the front matter), shown with
why it goes wrong; the first pitfall on a tie (issue 13, item 2)."""

from __future__ import annotations

from bot.answering import casus_units as cu
from bot.answering.casus import MAX_CHARS
from bot.answering.texts import ADVICE_LABELS
from bot.services import Services
from tests.test_casus_followup import _advisor, _avoid, _casus


def test_the_closest_pitfall_first_and_the_first_on_a_tie() -> None:
    assert cu.pitfall_order([0.80, 0.82, 0.95, 0.81]) == [2, 1, 3, 0]
    assert cu.pitfall_order([0.80, 0.80, 0.80]) == [0, 1, 2]  # no hint: the first
    assert cu.pitfall_order([]) == []
    assert cu.points_at([0.80, 0.82, 0.95, 0.81], [2, 1, 3, 0])  # the story points at it
    assert not cu.points_at([0.80, 0.83, 0.82, 0.81], [1, 2, 3, 0])
    assert not cu.points_at([0.9], [0])


def test_the_shown_pitfalls_quote_and_why_fill_first() -> None:
    todo = [cu.Unit("under", 0, 0, 0.9), cu.Unit("pit", 1, 1, 0.5), cu.Unit("step", 2, 0, 0.8),
            cu.Unit("pit", 1, 0, 0.4), cu.Unit("pit", 1, 2, 0.3), cu.Unit("pit", 0, 0, 0.7)]
    said = ['"Het is maar een uurtje."', "Voor iemand die al overloopt, is een uur heel veel.",
            "Je laat zien dat je haar situatie niet snapt."]
    out = cu.first_pitfall(todo, 1, said, ('"',))
    assert [(u.kind, u.index, u.sentence) for u in out[:2]] == [("pit", 1, 0), ("pit", 1, 1)]
    assert sorted(out, key=repr) == sorted(todo, key=repr)  # nothing lost or added
    plain = cu.first_pitfall(todo, 1, said[1:], ('"',))  # no quote: only the why
    assert [(u.kind, u.index, u.sentence) for u in plain[:1]] == [("pit", 1, 0)]


def test_the_participants_own_words_choose_the_pitfall_with_its_why(
        base_services: Services) -> None:
    advisor = _advisor(base_services)
    casus = _casus(advisor, "schooldirecteur-geen-tijd.md")
    story = ("de directeur van de school heeft geen tijd. ik wil zeggen dat het maar een "
             "uurtje per week is. slim?")
    advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
    avoid = _avoid(advice)
    assert avoid.startswith("Bagatelliseren.")  # not the first pitfall ("Belerend worden.")
    assert "is een uur heel veel" in avoid  # why it goes wrong
    assert len(advice) <= MAX_CHARS


def test_a_wrong_reply_in_other_words_finds_its_pitfall(base_services: Services) -> None:
    advisor = _advisor(base_services)
    casus = _casus(advisor, "welzijn-concurrent.md")
    story = ("de coordinator van welzijn is boos dat wij een spreekuur starten. ik wil hem "
             "zeggen dat de gemeente het ons gevraagd heeft. goed idee?")
    advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
    assert _avoid(advice).startswith("Je verschuilen achter de gemeente.")
    assert len(advice) <= MAX_CHARS


def test_every_advice_stays_within_the_limit(base_services: Services) -> None:
    advisor = _advisor(base_services)
    for story in ("hoe ga ik om met iemand die niet mee wil werken aan ons plan?",
                  "ik zei: ik snap u, maar het plan ligt vast. en nu?"):
        for casus in advisor.cases:
            advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
            assert len(advice) <= MAX_CHARS, casus.path
