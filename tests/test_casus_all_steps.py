"""Round 8: a follow-up on casus advice ("en hoe doe ik dat dan?") gets every step of *Goede
aanpak* with the detail that fits, plain sentences before quoted example words, not the
section cut off after its first steps (issue 13, items 2 and 3)."""

from __future__ import annotations

from bot.answering.casus import GOOD, MAX_CHARS
from bot.answering.casus_items import item_lead, lead_and_sentences, list_items
from bot.answering.evaluation import norm
from bot.answering.texts import APPROACH
from bot.services import Services
from tests.test_casus_followup import CASUS, _advisor, _casus


# Pure helper --------------------------------------------------------------------------------
def test_a_quote_of_several_sentences_stays_one_unit() -> None:
    lead, said = lead_and_sentences(
        '- **Erken zijn positie.** "Jij moet het rooster rond krijgen. Dat is geen kleine '
        'klus." Zeg dat rustig. Daarna luister je.')
    assert lead == "- **Erken zijn positie.**"
    assert said == ['"Jij moet het rooster rond krijgen. Dat is geen kleine klus."',
                    "Zeg dat rustig.", "Daarna luister je."]
    assert lead_and_sentences("- geen vet begin") == ("- geen vet begin", [])
    _, said = lead_and_sentences('- **Vraag open door.** "Wat mist u?" of "Wat helpt?" Luister.')
    assert said == ['"Wat mist u?" of "Wat helpt?"', "Luister."]


# Every casus --------------------------------------------------------------------------------
def test_all_steps_name_every_lead_whole_and_short(base_services: Services) -> None:
    advisor = _advisor(base_services)
    for casus in advisor.cases:
        text = advisor.all_steps(casus, "en hoe doe ik dat dan?", APPROACH)
        assert len(text) <= MAX_CHARS, casus.path
        assert text.startswith(f"**{APPROACH}**\n"), casus.path
        good = casus.doc.find(GOOD)
        assert good is not None
        items = list_items(good.text)
        lines = text.splitlines()[1:]
        assert len(lines) == len(items), casus.path  # every step, in order, nothing else
        for line, item in zip(lines, items, strict=True):
            lead, said = lead_and_sentences(item)
            assert line.startswith(lead), (casus.path, line)
            assert all(line.count(q) % 2 == 0 for q in '"'), (casus.path, line)
            shown = [j for j, s in enumerate(said) if s in line]
            # a step's sentences are shown from its first on
            assert shown == list(range(len(shown))), (casus.path, line)
        # the steps every case shares give way first; the small last step keeps its detail
        generic = [item_lead(it) in advisor.common_leads and i < len(items) - 1
                   for i, it in enumerate(items)]
        said_first = [lead_and_sentences(it)[1][:1] for it in items]
        if any(g and said_first[i] and said_first[i][0] in lines[i]
               for i, g in enumerate(generic)):
            assert all(said_first[i][0] in lines[i] for i, g in enumerate(generic)
                       if not g and said_first[i]), casus.path
        assert not said_first[-1] or said_first[-1][0] in lines[-1], casus.path


def test_all_steps_keep_the_detail_the_cut_section_lost(base_services: Services) -> None:
    """Dev set 4: "what do I track during the trial" is the small step's last sentence; the
    section cut to 900 characters ended before it (main: 'same section, cut')."""
    advisor = _advisor(base_services)
    text = advisor.all_steps(_casus(advisor, "teamleider-tijd-en-geld.md"),
                             "En wat hou ik dan bij tijdens die proef?", APPROACH)
    assert "aantal gesprekken, doorverwijzingen, nieuwe contacten" in text
    assert "gezamenlijke puzzel" in text
    privacy = advisor.all_steps(_casus(advisor, "zorgorganisatie-privacy.md"),
                                "So how do we reach those families if she can't give us "
                                "any names?", APPROACH)
    assert "De bibliotheek telt alleen anoniem" in privacy
    # "what do I say literally": the first step's words (dev set 3)
    words = advisor.all_steps(_casus(advisor, "welzijn-concurrent.md"),
                              "En wat zeg ik dan letterlijk als ik bij hem binnenstap?", APPROACH)
    assert "Je hoorde het niet van mij" in words and "Dat spijt me" in words
    # "the very first thing": the small step, whose lead every case shares (dev set 3)
    first = advisor.all_steps(_casus(advisor, "sleutelfiguur-wantrouwt-instanties.md"),
                              "OK, so what's the very first thing I should do?", APPROACH)
    for fact in ("aanschuiven bij hun koffieochtend", "rondleiding in de bibliotheek",
                 "Kom niet met een plan"):
        assert fact in first, fact


# End to end ---------------------------------------------------------------------------------
def test_how_follow_up_on_advice_gets_every_step_with_its_detail(services: Services) -> None:
    user = 801
    first = services.ask_offline(
        user, "mijn teamleider zegt dat er geen tijd en geen geld is voor buurtwerk")
    assert first.casus_path == CASUS + "teamleider-tijd-en-geld.md"
    follow = services.ask_offline(user, "En wat hou ik dan bij tijdens die proef?")
    assert follow.grounded and follow.casus_path == first.casus_path
    body = norm(follow.answer)
    assert norm("aantal gesprekken, doorverwijzingen, nieuwe contacten") in body
    for lead in ("Neem het probleem serieus", "Maak zijn voordeel zichtbaar",
                 "Stel een kleine, begrensde stap voor"):
        assert norm(lead) in body
    assert len(follow.answer) <= MAX_CHARS + 100  # the body plus the sources line
