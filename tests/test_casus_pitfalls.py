"""Round 10: objection advice that holds what the participant needs (issue 13, item 2).

The chosen pitfall can show what one would say and why it goes wrong, the other pitfalls
their quote and why while they fit, every lead as the material writes it (with its full
stop), and a short follow-up on the advice ("wat moet ik vooral niet doen?", "wat zit
erachter?") is answered from the same casus. (Casus dev set 10 floors: tests/test_match10.py.)"""

from __future__ import annotations

from bot.answering.casus import MAX_CHARS, _lead_text, _pitfall_line, _pitfall_parts
from bot.answering.followup import follow_up_kind
from bot.answering.texts import ADVICE_LABELS
from bot.services import Services

ITEM = ('- **Cijfers afdoen als onbelangrijk.** "Cijfers zeggen niets." Annemiek hoort: dit '
        'plan is niet te controleren. Dan zegt ze zeker nee.')


def test_a_pitfall_splits_into_lead_quote_and_why() -> None:
    lead, quote, why = _pitfall_parts(ITEM)
    assert _lead_text(lead) == "Cijfers afdoen als onbelangrijk."  # with its full stop
    assert quote == '"Cijfers zeggen niets."'
    assert why == ["Annemiek hoort: dit plan is niet te controleren.", "Dan zegt ze zeker nee."]
    plain = "- **Zeggen dat het niet te meten is.** Dan heeft ze niets om mee te verdedigen."
    assert _pitfall_parts(plain)[1:] == ("", ["Dan heeft ze niets om mee te verdedigen."])


def test_another_pitfall_shows_its_quote_and_why_when_asked() -> None:
    parts = _pitfall_parts(ITEM)
    assert _pitfall_line(*parts, 0, 0) == "Cijfers afdoen als onbelangrijk."
    assert _pitfall_line(*parts, 1, 0) == 'Cijfers afdoen als onbelangrijk. "Cijfers zeggen niets."'
    assert _pitfall_line(*parts, 1, 1) == ('Cijfers afdoen als onbelangrijk. "Cijfers zeggen '
                                           'niets." Annemiek hoort: dit plan is niet te '
                                           'controleren.')


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
