"""Per-item and per-assignment checks: exact, honest Dutch feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assignments import (
    AssignmentService,
    check,
    count_words,
    field_label,
    load_assignments,
    split_entries,
)
from bot.knowledge.models import ChecklistItem
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
USER = 11

HELP = "Beschrijf wat de partner eraan heeft."
ESSAY = ChecklistItem(id="waarde", label="Wat levert het op?", help=HELP, min_words=25,
                      min_items=None, item_noun="")
PARTNERS = ChecklistItem(id="keuze", label="Kies drie potentiële partners", help="Eén per regel.",
                         min_words=3, min_items=3, item_noun="partners")
NO_NOUN = ChecklistItem(id="lijst", label="Noem drie dingen", help="", min_words=0,
                        min_items=3, item_noun="")


def test_empty() -> None:
    assert check(ESSAY, "") == ["Je hebt hier nog niets ingevuld."]
    assert check(PARTNERS, "  \n ") == ["Je hebt hier nog niets ingevuld."]


def test_too_short_names_the_count_and_the_help() -> None:
    text = "De partner krijgt meer bereik bij jonge ouders."
    assert count_words(text) == 8
    assert check(ESSAY, text) == ["Je antwoord is nog kort (8 woorden, richtlijn 25): " + HELP]


def test_one_word_is_singular() -> None:
    assert check(ESSAY, "Bereik.")[0].startswith("Je antwoord is nog kort (1 woord,")


def test_short_without_help() -> None:
    item = ChecklistItem(id="x", label="X", help="", min_words=5, min_items=None, item_noun="")
    assert check(item, "Twee woorden") == [
        "Je antwoord is nog kort (2 woorden, richtlijn 5); vertel er wat meer over."
    ]


def test_long_enough_is_fine() -> None:
    assert check(ESSAY, " ".join(["woord"] * 25)) == []


@pytest.mark.parametrize(
    "text",
    [
        "Welzijn Noord, want ouderen\nBasisschool De Linde, want taal",
        "- Welzijn Noord vanwege ouderen\n- Basisschool De Linde vanwege taal",
        "Welzijn Noord voor ouderen; basisschool De Linde voor taal",
        "Welzijn Noord, basisschool De Linde",
    ],
)
def test_too_few_partners(text: str) -> None:
    messages = check(PARTNERS, text)
    assert "je noemt 2 partners, de opdracht vraagt er 3" in " ".join(messages).lower()


def test_one_entry_suggests_one_per_line() -> None:
    assert check(PARTNERS, "Welzijn Noord, want ze kennen de ouderen in de wijk") == [
        "Je noemt er nu 1, de opdracht vraagt 3 partners. "
        "Zet ze elk op een eigen regel, dan tel ik ze goed."
    ]


def test_enough_partners() -> None:
    assert check(PARTNERS, "1. Welzijn Noord\n2. Basisschool De Linde\n3. GGD regio") == []


def test_default_noun() -> None:
    assert check(NO_NOUN, "a; b") == ["Je noemt 2 punten, de opdracht vraagt er 3."]


def test_short_and_few_are_both_reported_in_order() -> None:
    messages = check(PARTNERS, "GGD, bieb")
    assert messages[0].startswith("Je antwoord is nog kort (2 woorden,")
    assert messages[1] == "Je noemt 2 partners, de opdracht vraagt er 3."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb\nc", ["a", "b", "c"]),
        ("Mijn partners:\n- a\n- b\n* c\n• d", ["a", "b", "c", "d"]),
        ("1. a\n2) b\n3.c", ["a", "b", "c"]),
        ("a; b; c", ["a", "b", "c"]),
        ("a, b, c", ["a", "b", "c"]),
        ("a, b\nc", ["a, b", "c"]),
        ("Partners:\na\nb", ["a", "b"]),
        ("a\n\n\nb", ["a", "b"]),
        ("12.5 procent is jong", ["12.5 procent is jong"]),
        ("", []),
    ],
)
def test_split_entries(text: str, expected: list[str]) -> None:
    assert split_entries(text) == expected


def test_words_keep_contractions_and_compounds() -> None:
    assert count_words("What's in it for me? Co-creatie - 2 keer") == 8


def test_check_is_deterministic() -> None:
    text = "Welzijn Noord, basisschool"
    assert check(PARTNERS, text) == check(PARTNERS, text)


def test_assignment_level_check_for_an_empty_partner_2(make_db: MakeDb) -> None:
    db = make_db()
    service = AssignmentService(db, load_assignments(KNOWLEDGE))
    third = service.get(3)
    good = {
        "waarde": "Het wijkteam heeft lange wachtlijsten en hun consulenten krijgen veel "
                  "eenvoudige vragen. Als wij een formulierenspreekuur doen, hebben zij meer "
                  "tijd. De bibliotheek bereikt zo mensen die nu nooit binnenkomen.",
        "diensten": "Elke dinsdagmiddag een formulierenspreekuur in de bibliotheek, samen met "
                    "een consulent van het wijkteam, voor bewoners met vragen over toeslagen.",
        "overtuigen": "Ik bel de teamleider van het wijkteam en vraag om een kop koffie. "
                      "Pitch: 'Jullie wachtlijst is lang, wij hebben ruimte en vrijwilligers. "
                      "Laten we drie maanden een spreekuur proberen.'",
    }
    service.save_answer(USER, 3, "keuze", "Welzijn Noord (ouderen)\n"
                        "Basisschool De Linde (taal)\nGGD regio (gezondheid)")
    for item in third.items:
        if item.group != "Partner 2" and item.id != "keuze":
            service.save_answer(USER, 3, item.id, good[item.id.rsplit("-", 1)[1]])
    service.save_answer(USER, 3, "partner-2-diensten", good["diensten"])
    service.save_answer(USER, 3, "partner-2-overtuigen", "Ik bel ze.")

    lines = service.check_assignment(USER, 3)
    waarde, overtuigen = third.get("partner-2-waarde"), third.get("partner-2-overtuigen")
    assert waarde is not None and overtuigen is not None
    label = field_label(waarde)
    assert "What's in it for me?" in label
    # The group is named after the chosen partner.
    assert lines == [
        f"Partner 2: Basisschool De Linde, '{label}' – Je hebt hier nog niets ingevuld.",
        f"Partner 2: Basisschool De Linde, '{field_label(overtuigen)}' – Je antwoord is nog "
        f"kort (3 woorden, richtlijn {overtuigen.min_words}): Beschrijf hoe je het eerste "
        "contact legt, met wie je praat en welke argumenten je gebruikt.",
    ]

    service.save_answer(USER, 3, "partner-2-waarde", good["waarde"])
    service.save_answer(USER, 3, "partner-2-overtuigen", good["overtuigen"])
    assert service.check_assignment(USER, 3) == []


def test_assignment_level_check_for_a_list_item(make_db: MakeDb) -> None:
    db = make_db()
    service = AssignmentService(db, load_assignments(KNOWLEDGE))
    service.save_answer(USER, 3, "keuze", "Welzijn Noord (ouderen)\nBasisschool De Linde (taal)")
    keuze = service.get(3).get("keuze")
    assert keuze is not None and keuze.min_items == 3
    assert service.check_assignment(USER, 3)[0] == (
        f"'{keuze.label}' – Je noemt 2 partners, de opdracht vraagt er 3."
    )
