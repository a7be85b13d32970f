"""Round 14 (issue 13, lesson14): a new why or pitfalls question keeps its own section (question
keys move it only to a specific section, which the intent's own section then follows); an
unsure pure follow-up on a lesson file takes its own likeliest lesson intent over the previous
one."""

from __future__ import annotations

from bot.answering.compose import KEY_SECTION_MIN, compose_section, pick_section
from bot.answering.documents import Document, Section
from bot.answering.intent import IntentPrediction
from bot.answering.route import lesson_follow_up_intent

WHY = "Waarom is het belangrijk voor een community librarian?"


def lesson() -> Document:
    path = "lesstof/x.md"
    parts = [("Wat is het?", "Uitleg."), (WHY, "Omdat bewoners zelf het best weten wat er is."),
             ("Asset mapping: een kaart maken", "Bij asset mapping maak je een kaart."),
             ("Hoe pak je het aan?", "- Stap een."), ("Valkuilen", "- Te snel gaan.")]
    return Document(path, "X", "lesstof", "x", [Section(h, t, f"{path}#{h}") for h, t in parts])


def test_keys_move_a_why_question_to_a_specific_section_followed_by_the_why_section() -> None:
    d = lesson()
    keys = {f"lesstof/x.md#{WHY}": 0.80,
            "lesstof/x.md#Asset mapping: een kaart maken": KEY_SECTION_MIN + 0.05,
            "lesstof/x.md#Hoe pak je het aan?": KEY_SECTION_MIN + 0.06}
    composed = compose_section(d, "waarom", [], keys=keys, intents={"waarom": 0.5,
                                                                   "stappen": 0.4})
    assert composed.sections[0].heading.startswith("Asset mapping")  # never the steps
    assert f"**{WHY}**" in composed.text and "bewoners zelf" in composed.text


def test_a_new_pitfalls_question_keeps_the_pitfalls() -> None:
    d = lesson()
    keys = {"lesstof/x.md#Valkuilen": 0.80,
            "lesstof/x.md#Hoe pak je het aan?": KEY_SECTION_MIN + 0.05}
    section = pick_section(d, "valkuilen", [], keys=keys,
                           intents={"valkuilen": 0.5, "stappen": 0.4})
    assert section is not None and section.heading == "Valkuilen"


def pred(**p: float) -> IntentPrediction:
    best = max(p, key=lambda k: p[k])
    return IntentPrediction(best, p[best], dict(p))


def test_an_unsure_pure_follow_up_takes_its_likeliest_lesson_intent() -> None:
    # "heeft iemand dat al eens gedaan?" after *Wat is het?*: objection first, example second
    assert lesson_follow_up_intent(pred(weerstand=0.25, voorbeeld=0.22, definitie=0.16),
                                   "definitie") == "voorbeeld"
    # the previous intent stays when the follow-up finds it at least as likely
    assert lesson_follow_up_intent(pred(weerstand=0.3, stappen=0.2, voorbeeld=0.2),
                                   "stappen") == "stappen"
    assert lesson_follow_up_intent(None, "waarom") == "waarom"
