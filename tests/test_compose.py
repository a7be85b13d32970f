"""Composition rules of offline answers, on small hand-made documents (no index needed)."""

from __future__ import annotations

from pathlib import Path

from bot.answering.compose import (
    EXTRA_MIN_CHARS,
    EXTRA_ROOM,
    SPECIFIC_MARGIN,
    STRONG_MARGIN,
    compose_section,
    pick_section,
    strongest_section,
)
from bot.answering.documents import Document, Section
from bot.answering.followup import AnswerContext, follow_up_kind
from bot.answering.glossary import Glossary
from bot.answering.plain import markdown_to_plain
from bot.answering.text_fit import MAX_CHARS, clean_lines, fit
from bot.retrieval.lexical import tokenize
from bot.telegram.render import markdown_to_html

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def doc(kind: str = "lesstof") -> Document:
    d = Document("lesstof/x.md", "Doelgroepen bepalen", kind, "doelgroepen-bepalen")
    parts = [
        ("Wat is het?", "Een doelgroep is de groep mensen voor wie je iets maakt."),
        ("Waarom is het belangrijk voor een community librarian?", "Het bepaalt bijna alles."),
        ("Hoe pak je het aan?", "\n".join(f"{i}. **Stap {i}.** Uitleg {i}. Meer uitleg {i}."
                                          for i in range(1, 8))),
        ("Persona's", "Een persona is een verzonnen, maar realistische beschrijving."),
        ("Valkuilen", "- **Te breed.** Hoe breder, hoe vager.\n- **Stereotypen.** Nee."),
        ("Voorbeeld uit de praktijk", "Een bibliotheek wilde iets voor jongeren (zie hieronder)."),
        ("Verbonden onderwerpen", "- Promotie: de kanalen.\n- Partners zoeken – intermediairs."),
    ]
    d.sections = [Section(h, t, f"lesstof/x.md#{h}") for h, t in parts]
    return d


def test_each_intent_gets_its_own_section() -> None:
    d = doc()
    expected = {
        "definitie": "Wat is het?",
        "stappen": "Hoe pak je het aan?",
        "waarom": "Waarom is het belangrijk voor een community librarian?",
        "valkuilen": "Valkuilen",
        "voorbeeld": "Voorbeeld uit de praktijk",
    }
    for intent, heading in expected.items():
        section = pick_section(d, intent, tokenize("hoe doe ik dat"))
        assert section is not None and section.heading == heading, intent


def test_definition_of_a_term_with_its_own_section() -> None:
    section = pick_section(doc(), "definitie", tokenize("wat is een persona"))
    assert section is not None and section.heading == "Persona's"


def test_unknown_intent_falls_back_to_the_hit_section_never_a_link_list() -> None:
    d = doc()
    assert pick_section(d, "cursus", [], "lesstof/x.md#Valkuilen").heading == "Valkuilen"  # type: ignore[union-attr]
    section = pick_section(d, "cursus", [], "lesstof/x.md#Verbonden onderwerpen")
    assert section is not None and not section.is_links


def test_related_files_become_labels_not_body() -> None:
    composed = compose_section(doc(), "stappen", [])
    assert composed.related == ["Promotie", "Partners zoeken"]
    assert "Promotie" not in composed.text


def test_long_lists_keep_whole_items_from_the_first() -> None:
    text = "\n".join(f"{i}. **Stap {i}.** " + "Lange uitleg met veel woorden. " * 8
                     for i in range(1, 12))
    out = fit(text)
    assert len(out) <= MAX_CHARS
    lines = out.splitlines()
    assert lines[0].startswith("1. **Stap 1.**")
    numbers = [int(ln.split(".")[0]) for ln in lines]
    assert numbers == list(range(1, len(numbers) + 1))  # never mid-list, never a gap
    assert all(ln.endswith(".") for ln in lines)  # whole sentences


def test_see_below_is_removed_and_tables_are_flattened() -> None:
    lines = clean_lines("Zie dit (zie hieronder).\n| Wat | Wie |\n|---|---|\n| Zaal | Ik |")
    assert lines == ["Zie dit.", "- Wat · Wie", "- Zaal · Ik"]


def test_never_ends_on_an_intro_to_a_missing_list() -> None:
    text = "Intro.\n" + "x " * 420 + "\nDit zijn de stappen:\n- " + "y " * 300
    assert not fit(text).rstrip().endswith(":")


def test_follow_up_kinds() -> None:
    assert follow_up_kind("en hoe doe ik dat dan?") == "pure"
    assert follow_up_kind("kun je een voorbeeld geven?") == "pure"
    assert follow_up_kind("waarom is dat nuttig?") == "pure"
    assert follow_up_kind("en bij een school?") == "refine"
    assert follow_up_kind("wat is een draaiboek?") == "none"
    assert follow_up_kind("hoe maak ik een persona voor jongeren in de wijk") == "none"


def test_context_round_trip_and_bad_state() -> None:
    ctx = AnswerContext("wat is een draaiboek", "lesstof/draaiboek-opstellen.md", "definitie")
    assert AnswerContext.from_state(ctx.to_state()) == ctx
    assert AnswerContext.from_state({"q": 1}) is None
    assert AnswerContext.from_state("rommel") is None


def test_flemish_glossary_normalises_phrases() -> None:
    glossary = Glossary.load(KNOWLEDGE)
    out = glossary.normalise("Hebt ge tips? De schepen heeft geen goesting, het OCMW ook niet")
    assert "heb je tips" in out.lower()
    assert "wethouder" in out and "goesting" not in out and "geen zin" in out
    assert "user generated content" in glossary.normalise("wat is user generated content")


def test_markdown_rendering_html_and_plain() -> None:
    md = "**Zo pak je het aan:**\n- **Luister.** Vraag *door*.\n1. Een <tag> & meer"
    html = markdown_to_html(md)
    assert "<b>Zo pak je het aan:</b>" in html and "• <b>Luister.</b> Vraag <i>door</i>." in html
    assert "&lt;tag&gt; &amp;" in html
    plain = markdown_to_plain(md)
    assert "*" not in plain and "• Luister. Vraag door." in plain


def test_a_section_whose_question_keys_match_clearly_better_answers() -> None:
    from bot.answering.compose import KEY_SECTION_MARGIN, KEY_SECTION_MIN

    doc = Document("lesstof/x.md", "X", "lesstof", "x", [
        Section("Wat is het?", "Uitleg.", "lesstof/x.md#Wat is het?"),
        Section("Hoe pak je het aan?", "- Stap een.", "lesstof/x.md#Hoe pak je het aan?"),
        Section("Valkuilen", "- Te snel gaan.", "lesstof/x.md#Valkuilen"),
    ])
    close = KEY_SECTION_MIN + 0.01
    keys = {"lesstof/x.md#Wat is het?": close - KEY_SECTION_MARGIN - 0.01,
            "lesstof/x.md#Valkuilen": close}
    assert pick_section(doc, "definitie", [], keys=keys).heading == "Valkuilen"  # type: ignore[union-attr]
    assert pick_section(doc, "definitie", [], keys=None).heading == "Wat is het?"  # type: ignore[union-attr]
    near = dict(keys, **{"lesstof/x.md#Wat is het?": close - KEY_SECTION_MARGIN / 2})
    assert pick_section(doc, "definitie", [], keys=near).heading == "Wat is het?"  # type: ignore[union-attr]
    far = {"lesstof/x.md#Valkuilen": KEY_SECTION_MIN - 0.01}
    assert pick_section(doc, "definitie", [], keys=far).heading == "Wat is het?"  # type: ignore[union-attr]
    assert pick_section(doc, "opdracht", [], keys=keys) is not None
    assert pick_section(doc, "voorbeeld", [], keys=keys).heading != "Valkuilen"  # type: ignore[union-attr]


def test_the_asking_sentence_of_a_story() -> None:
    from bot.answering.ask import ask_sentence

    assert ask_sentence("wat is een draaiboek?") == ""  # one sentence: the whole is the ask
    story = ("Mijn collega zei in het overleg dat ons doel niet SMART is. Ik knikte maar. "
             "Wat bedoelt ze daarmee? Ik wil het graag goed doen.")
    assert ask_sentence(story) == "Wat bedoelt ze daarmee?"
    assert ask_sentence("We hebben een plan. Help me verder.") == "Help me verder."


def test_a_follow_up_takes_a_specific_section_without_a_margin() -> None:
    from bot.answering.compose import FOLLOW_UP_MARGIN, SPECIFIC_MARGIN

    d = doc()
    steps, personas = "lesstof/x.md#Hoe pak je het aan?", "lesstof/x.md#Persona's"
    sims = {steps: 0.80, personas: 0.80 + (FOLLOW_UP_MARGIN + SPECIFIC_MARGIN) / 2}
    question = tokenize("en hoe ziet dat eruit?")
    new = pick_section(d, "stappen", question, sims=sims)
    follow = pick_section(d, "stappen", question, sims=sims, follow_up=True)
    assert new is not None and new.heading == "Hoe pak je het aan?"
    assert follow is not None and follow.heading == "Persona's"


def test_referring_follow_ups_may_be_a_little_longer() -> None:
    assert follow_up_kind("stel dat ze een proef wil, hoe lang moet die dan duren?") == "refer"
    assert follow_up_kind("hoe maak ik een persona voor jongeren in de wijk") == "none"


def test_a_second_section_as_close_as_the_first_fills_the_room() -> None:
    """The key facts may sit in a second section of the same file; it is added (under its own
    heading, whole items) only when it is at least as close as the section the intent
    picked, is not another intent's standard section, and the answer leaves room."""
    d = doc()
    d.sections.insert(4, Section("Soorten doelgroepen",
                                 "- **Primair.** Voor wie je het maakt.\n- **Via anderen.** Nee.",
                                 "lesstof/x.md#Soorten doelgroepen"))
    kinds, pitfalls = "lesstof/x.md#Soorten doelgroepen", "lesstof/x.md#Valkuilen"
    steps, what = "lesstof/x.md#Hoe pak je het aan?", "lesstof/x.md#Wat is het?"
    sims = {s.key: 0.70 for s in d.sections}
    sims[what], sims[kinds] = 0.80, 0.81
    composed = compose_section(d, "definitie", [], sims=sims)
    assert [s.heading for s in composed.sections] == ["Wat is het?", "Soorten doelgroepen"]
    assert composed.text.startswith("Een doelgroep is")
    assert "**Soorten doelgroepen**\n\n- **Primair.**" in composed.text
    assert "**Via anderen.**" in composed.text
    sims[kinds] = 0.79  # less close than the definition: the definition alone
    assert [s.heading for s in compose_section(d, "definitie", [], sims=sims).sections] == \
        ["Wat is het?"]
    # another intent's own section, closer but by less than STRONG_MARGIN: never added
    sims[pitfalls] = 0.80 + STRONG_MARGIN / 2
    assert [s.heading for s in compose_section(d, "definitie", [], sims=sims).sections] == \
        ["Wat is het?"]
    sims[steps] = sims[kinds] = 0.95  # the steps fill the budget: nothing added
    composed = compose_section(d, "stappen", [], sims=sims)
    assert composed.sections[0].heading == "Hoe pak je het aan?"
    assert len(composed.text) <= MAX_CHARS
    long_steps = compose_section(d, "stappen", [], limit=200, sims=sims)
    assert len(long_steps.sections) == 1 and len(long_steps.text) <= 200


def test_the_extra_section_only_adds_and_never_to_a_casus() -> None:
    """The first section's text is unchanged by the extra one (key facts can only be gained);
    a casus never gets one (its objection would be quoted back)."""
    d = doc()
    kinds = Section("Soorten doelgroepen", "- **Primair.** Voor wie je het maakt.",
                    "lesstof/x.md#Soorten doelgroepen")
    d.sections.insert(4, kinds)
    sims = {s.key: 0.70 for s in d.sections}
    sims["lesstof/x.md#Wat is het?"], sims[kinds.key] = 0.80, 0.82
    alone = compose_section(d, "definitie", [])
    both = compose_section(d, "definitie", [], sims=sims)
    assert both.text.startswith(alone.text) and len(both.sections) == 2
    d.kind = "casus"
    assert len(compose_section(d, "definitie", [], sims=sims).sections) == 1


def long_steps_doc(kind: str = "lesstof") -> Document:
    """``doc()`` with a *Hoe pak je het aan?* too long for the budget on its own."""
    d = doc(kind)
    steps = "\n".join(f"{i}. **Stap {i}.** " + " ".join(f"Uitleg {i} deel {j}." for j in range(12))
                      for i in range(1, 8))
    d.sections[2] = Section("Hoe pak je het aan?", steps, "lesstof/x.md#Hoe pak je het aan?")
    return d


def test_a_clearly_closer_section_follows_the_intents_section_when_there_is_room() -> None:
    """A file-specific section clearly more similar to the question than the intent's (by
    STRONG_MARGIN) follows it under its own heading even when the answer is past EXTRA_ROOM;
    the intent's text stays as it is. At less than STRONG_MARGIN, without room, for another
    intent's standard section, or in a casus: the intent's section alone."""
    d = doc()
    steps = "\n".join(f"{i}. **Stap {i}.** Uitleg {i} met wat meer woorden. Meer uitleg {i} "
                      f"met nog meer woorden." for i in range(1, 8))
    d.sections[2] = Section("Hoe pak je het aan?", steps, "lesstof/x.md#Hoe pak je het aan?")
    personas, pitfalls = "lesstof/x.md#Persona's", "lesstof/x.md#Valkuilen"
    sims = {s.key: 0.70 for s in d.sections}
    sims["lesstof/x.md#Hoe pak je het aan?"] = 0.80
    sims[personas] = 0.80 + STRONG_MARGIN
    alone = compose_section(d, "stappen", [])
    assert MAX_CHARS * EXTRA_ROOM < len(alone.text) < MAX_CHARS - EXTRA_MIN_CHARS
    both = compose_section(d, "stappen", [], sims=sims)
    assert [s.heading for s in both.sections] == ["Hoe pak je het aan?", "Persona's"]
    assert both.text == alone.text + "\n\n**Persona's**\n\nEen persona is een verzonnen, " \
        "maar realistische beschrijving."
    sims[personas] = 0.80 + STRONG_MARGIN / 2
    assert compose_section(d, "stappen", [], sims=sims).text == alone.text
    sims[personas], sims[pitfalls] = 0.70, 0.90  # another intent's section: not added
    assert compose_section(d, "stappen", [], sims=sims).text == alone.text
    sims[personas] = 0.80 + 2 * STRONG_MARGIN  # not enough to replace the steps
    assert 2 * STRONG_MARGIN < SPECIFIC_MARGIN
    long = long_steps_doc()
    assert compose_section(long, "stappen", [], sims=sims).text == \
        compose_section(long, "stappen", []).text
    d.kind = "casus"
    assert len(compose_section(d, "stappen", [], sims=sims).sections) == 1


def test_the_strongest_section_is_never_a_link_list() -> None:
    d = long_steps_doc()
    sims = {s.key: 0.70 for s in d.sections}
    sims["lesstof/x.md#Verbonden onderwerpen"] = 0.99
    assert strongest_section(d, d.sections[2], sims) is None
    sims["lesstof/x.md#Persona's"] = 0.75
    found = strongest_section(d, d.sections[2], sims)
    assert found is not None and found.heading == "Persona's"
