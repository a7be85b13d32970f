"""Round 10: objection advice that holds what the participant needs (issue 13, item 2).

The chosen pitfall can show what one would say and why it goes wrong, the other pitfalls
their quote and why while they fit, every lead as the material writes it (with its full
stop), and a short follow-up on the advice ("wat moet ik vooral niet doen?", "wat zit
erachter?") is answered from the same casus. (Casus dev set 10 floors: tests/test_match10.py.)"""

from __future__ import annotations

from bot.answering import casus_units as cu
from bot.answering.casus import MAX_CHARS
from bot.answering.casus_items import lead_and_sentences, lead_text
from bot.answering.followup import follow_up_kind
from bot.answering.texts import ADVICE_LABELS
from bot.services import Services

ITEM = ('- **Cijfers afdoen als onbelangrijk.** "Cijfers zeggen niets." Annemiek hoort: dit '
        'plan is niet te controleren. Dan zegt ze zeker nee.')


def test_a_pitfall_splits_into_lead_quote_and_why() -> None:
    lead, said = lead_and_sentences(ITEM)
    assert lead_text(lead) == "Cijfers afdoen als onbelangrijk."  # with its full stop
    assert said == ['"Cijfers zeggen niets."', "Annemiek hoort: dit plan is niet te controleren.",
                    "Dan zegt ze zeker nee."]
    plain = "- **Zeggen dat het niet te meten is.** Dan heeft ze niets om mee te verdedigen."
    assert lead_and_sentences(plain)[1] == ["Dan heeft ze niets om mee te verdedigen."]


def test_the_fill_adds_the_closest_sentences_that_fit() -> None:
    """Round 12: single sentences, the closest to the story first, while they fit; a step
    sentence brings its step into the list, one that does not fit is left out."""
    said = {("under", 0, 0): "a" * 10, ("pit", 1, 0): "b" * 50, ("step", 2, 0): "c" * 5,
            ("step", 2, 1): "d" * 3}
    lay = cu.Layout(steps=[0])

    def render() -> str:
        shown = [("under", i, 0) for i in lay.concern]
        shown += [("pit", i, j) for i, j in lay.pit_sentences]
        shown += [("step", i, j) for i, j in lay.step_sentences]
        return "".join(said[k] for k in sorted(shown))

    todo = cu.units([0.5], {(2, 0): 0.8, (2, 1): 0.95}, [0.0, 0.0, 0.9], {(1, 0): 0.9},
                    [0.0, 0.9])
    assert [(u.kind, u.sentence) for u in todo] == [("step", 1), ("pit", 0), ("step", 0),
                                                    ("under", 0)]
    # a step's second sentence waits for its first; the pitfall sentence does not fit
    assert cu.fill(lay, todo, render, 20, [0], 5) == "c" * 5 + "d" * 3 + "a" * 10
    assert lay.steps == [0, 2] and not lay.pit_sentences


def test_follow_ups_on_advice_that_ask_for_a_part_carry_no_topic() -> None:
    for question in ("wat moet ik vooral niet doen?", "wat zit erachter?",
                     "wat gaat er vaak mis?", "what should I not say?"):
        assert follow_up_kind(question) == "pure", question
    assert follow_up_kind("wat moet ik zeggen tegen de wethouder?") == "none"


def test_advice_leads_are_written_as_in_the_material(base_services: Services) -> None:
    composer = base_services.answers.composer
    assert composer is not None and composer.advisor is not None
    casus = composer.advisor.by_path("casussen/beleidsmedewerker-wil-resultaten.md")
    assert casus is not None
    story = ("De beleidsmedewerker van de gemeente zegt dat ze met onze aantallen niets kan. "
             "Kan ik haar gewoon naar ons jaarverslag verwijzen?")
    advice = composer.advisor.advise(casus, story, [], ADVICE_LABELS).text
    assert len(advice) <= MAX_CHARS
    assert "**Vermijd:** Verwijzen naar het jaarverslag." in advice  # the pitfall asked about
    assert "Combineer cijfers met verhalen." in advice  # "Verder helpt", with its full stop
    assert "Zeggen dat het niet te meten is." in advice  # "Ook niet", with its full stop
    pitfalls = advice.split("**Vermijd:**", 1)[1]
    assert pitfalls.count("**") == 2  # only the "Ook niet:" label is bold after "Vermijd:"


def test_the_chosen_pitfall_is_the_one_the_story_makes_with_its_words(
        base_services: Services) -> None:
    answer = base_services.answers.ask(
        "mijn collega zegt bij elk nieuw plan dat ze het beu is. mag ik dan zeggen dat het "
        "nu eenmaal besloten is?")
    assert answer.casus_path == "casussen/collega-veranderingsmoe.md"
    avoid = answer.answer.split("Vermijd:**", 1)[1].split("\n\n", 1)[0]
    assert avoid.strip().startswith("Druk zetten.")
    assert '"Het is nu eenmaal besloten."' in avoid
    assert len(answer.answer) <= MAX_CHARS


def test_a_follow_up_asking_what_not_to_do_answers_from_the_pitfalls(
        base_services: Services) -> None:
    first = base_services.answers.ask(
        "Mijn teamleider zegt dat er geen tijd en geen geld is voor werk in de wijk. Hoe pak ik "
        "dat aan?")
    assert first.casus_path == "casussen/teamleider-tijd-en-geld.md"
    follow = base_services.answers.ask("wat moet ik vooral niet doen?", first.context)
    assert follow.sources and follow.sources[0].path == "casussen/teamleider-tijd-en-geld.md"
    assert "Moraliseren." in follow.answer and "Over zijn hoofd heen gaan." in follow.answer
