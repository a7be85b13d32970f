"""Round 5: casus advice ranked by relevance to the story, and follow-ups that leave the casus
when they bring a topic of their own (issue 13, items 2 and 3)."""

from __future__ import annotations

import re

from bot.answering.casus import (
    GOOD,
    MAX_CHARS,
    POOR,
    Casus,
    CasusAdvisor,
)
from bot.answering.casus_items import lead_and_sentences
from bot.answering.followup import AnswerContext, leaves_previous, own_topic
from bot.answering.texts import ADVICE_LABELS
from bot.services import Services

CASUS = "casussen/"


def _advisor(services: Services) -> CasusAdvisor:
    composer = services.answers.composer
    assert composer is not None and composer.advisor is not None
    return composer.advisor


def _casus(advisor: CasusAdvisor, name: str) -> Casus:
    casus = advisor.by_path(CASUS + name)
    assert casus is not None
    return casus


def _avoid(text: str) -> str:
    """The "Vermijd:" paragraph of an advice."""
    return text.split(f"**{ADVICE_LABELS['avoid']}**", 1)[1].split("\n\n", 1)[0].strip()


# Pure helpers -------------------------------------------------------------------------------
def test_pitfall_quote_is_only_the_words_one_would_say() -> None:
    item = '- **Bagatelliseren.** "Het is maar een uurtje." Voor wie al overloopt, is dat veel.'
    assert lead_and_sentences(item)[1][0] == '"Het is maar een uurtje."'
    plain = "- **Zeggen dat het niet te meten is.** Dan heeft ze niets om mee te verdedigen."
    assert lead_and_sentences(plain)[1] == ["Dan heeft ze niets om mee te verdedigen."]


def test_own_topic_is_what_the_follow_up_adds() -> None:
    previous = "de vrijwilliger wil een huiswerkklas in de bibliotheek"
    assert "vog" in own_topic("Moeten die ouders dan zo'n VOG hebben?", previous)
    assert own_topic("en hoe doe ik dat dan?", previous) == []


def test_a_follow_up_leaves_only_for_a_file_with_its_words_that_is_clearly_closer() -> None:
    context = AnswerContext("een mama wil een huiswerkklas in de bib", "casussen/a.md",
                            "weerstand")
    words = {"casussen/a.md": frozenset({"huiswerkklas", "mama"}),
             "lesstof/b.md": frozenset({"vog", "verzekering"})}

    def stems(path: str) -> frozenset[str]:
        return words.get(path, frozenset())

    question = "Moeten die ouders dan zo'n VOG hebben?"
    closer = {"lesstof/b.md": 0.87, "casussen/a.md": 0.83}
    assert leaves_previous(question, context, closer, "lesstof/b.md", stems)
    # not clearly closer: stay
    near = {"lesstof/b.md": 0.84, "casussen/a.md": 0.83}
    assert not leaves_previous(question, context, near, "lesstof/b.md", stems)
    # the best file is the previous one: stay
    assert not leaves_previous(question, context, closer, "casussen/a.md", stems)
    # a truly referring question brings no words of its own the other file has: stay
    assert not leaves_previous("en wat zeg ik dan letterlijk?", context, closer,
                               "lesstof/b.md", stems)


# Advice on the real material ----------------------------------------------------------------
def test_advice_shows_the_pitfall_the_participant_is_making_with_its_words(
        base_services: Services) -> None:
    advisor = _advisor(base_services)
    casus = _casus(advisor, "schooldirecteur-geen-tijd.md")
    story = ("De directeur van de basisschool reageert nooit. Ik heb haar al vier keer ons "
             "volledige plan van aanpak gemaild. Hoe kom ik binnen?")
    advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
    avoid = _avoid(advice)
    assert avoid.startswith("Zenden.")  # the pitfall the story describes comes first
    assert len(advice) <= MAX_CHARS


def test_advice_shows_the_detail_of_the_step_that_fits_the_story(
        base_services: Services) -> None:
    advisor = _advisor(base_services)
    casus = _casus(advisor, "bestuurslid-wil-cijfers.md")
    story = ("Een lid van de raad van toezicht wil vooraf weten hoeveel deelnemers we halen. "
             "Die aantallen heb ik nog niet, ik kan ze niet onderbouwen. Wat nu?")
    advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
    assert "Verzin geen aantallen" in advice
    assert len(advice) <= MAX_CHARS


def test_an_english_story_gets_the_concern_sentence_it_is_about(
        base_services: Services) -> None:
    advisor = _advisor(base_services)
    casus = _casus(advisor, "bestuurslid-wil-cijfers.md")
    story = "a board member says our stories about connection sound vague to her, what now?"
    advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
    assert "klinken voor haar vaag" in advice


def test_advice_stays_whole_and_short_and_names_every_pitfall(base_services: Services) -> None:
    advisor = _advisor(base_services)
    story = "mijn collega zegt dat dit ons werk niet is en wil niet meedoen"
    for casus in advisor.cases:
        advice = advisor.advise(casus, story, [], ADVICE_LABELS).text
        assert len(advice) <= MAX_CHARS, casus.path
        steps = [ln for ln in advice.splitlines() if ln.startswith("- ")]
        assert 3 <= len(steps) <= 5, casus.path
        assert all(ln.startswith("- **") for ln in steps), casus.path  # whole items
        poor = casus.doc.find(POOR)
        good = casus.doc.find(GOOD)
        assert poor is not None and good is not None
        for lead in re.findall(r"\*\*([^*]+?)\.?\*\*", poor.text):
            assert lead.rstrip(".") in advice, (casus.path, lead)


# Follow-ups end to end ----------------------------------------------------------------------
def test_follow_up_with_its_own_topic_leaves_the_casus(services: Services) -> None:
    user = 501
    first = services.ask_offline(
        user, "de jongerenwerker zegt dat zijn jongeren niet in ons project passen")
    assert first.casus_path.startswith(CASUS)
    follow = services.ask_offline(
        user, "Welke kanalen werken dan beter als je vooral zestigplussers wilt bereiken?")
    assert follow.grounded and follow.sources[0].path == "lesstof/promotie.md"
    assert not follow.casus_path


def test_truly_referring_follow_up_stays_in_the_casus(services: Services) -> None:
    user = 502
    first = services.ask_offline(user, "de welzijnsorganisatie ziet ons als concurrent")
    assert first.casus_path == "casussen/welzijn-concurrent.md"
    follow = services.ask_offline(user, "en wat zeg ik dan letterlijk?")
    assert follow.sources[0].path == first.casus_path
