"""Intent-aware answers with the real index: one rule per intent, casus advice, follow-ups,
Flemish and English, the eval floors, and `wijkwijs ask` through the LLM path."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest

from bot.answering.casus import GOOD, POOR
from bot.answering.compose import INTENT_HEADINGS
from bot.answering.evaluation import (
    AnswerReport,
    evaluate_answers,
    evaluate_intents,
    evaluate_scope,
    load_answer_questions,
    load_intent_questions,
)
from bot.answering.intent import (
    INTENTS,
    IntentPrediction,
    intent_files,
    load_hand_examples,
    load_intent_examples,
    load_training_set,
)
from bot.answering.intent_sources import same_question
from bot.answering.service import UserFacingError
from bot.answering.text_fit import fit
from bot.answering.texts import ADVICE_LABELS
from bot.evaluation import load_eval_questions
from bot.retrieval.lexical import tokenize
from bot.services import Services
from tests.dev_floors import dev_report
from tests.fakes.openai_server import FakeOpenAIServer

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
# Round 13 (route13, file choice and course questions): 54/80, 0.783, intent 78/90 (0.867).
# Round 9: 49/80, 0.743, intent 0.844.
# Round 14: 55/80, 0.791, intent 79/90. Round 15 (followup15): 56/80, 0.800.
DEV3_ALL, DEV3_COVERAGE, DEV3_INTENT = 0.699, 0.799, 0.877  # round 8: 48/80, 0.730 (round 7:
# 47/80, 0.726; 0.562, 0.682 in round 5)
# Round 6: intent 74/90 = 0.822 with the casus advice and follow-ups of main merged in
# (0.844 on branch answers5 alone, 0.688 on main; two follow-ups now leave or keep the
# previous topic under another intent): the floor holds what the merged code reaches.


def section_text(services: Services, path: str, intent: str, question: str = "") -> str:
    composer = services.answers.composer
    assert composer is not None
    found = composer.docs[path].find(INTENT_HEADINGS[intent])
    assert found is not None
    return fit(found.text, question_tokens=tokenize(composer.glossary.normalise(question)))


@pytest.mark.parametrize(("question", "intent", "path"), [
    ("Hoe bepaal ik mijn doelgroep?", "stappen", "lesstof/doelgroepen-bepalen.md"),
    ("wat is user generated content", "definitie", "lesstof/user-generated-content.md"),
    ("waarom is een draaiboek belangrijk?", "waarom", "lesstof/draaiboek-opstellen.md"),
    ("wat zijn valkuilen bij het bepalen van een doelgroep?", "valkuilen",
     "lesstof/doelgroepen-bepalen.md"),
])
def test_lesstof_answer_is_the_section_for_the_intent(base_services: Services, question: str,
                                                      intent: str, path: str) -> None:
    answer = base_services.answers.ask(question)
    assert answer.grounded and answer.intent == intent
    paths = [s.path for s in answer.sources]
    assert paths[0] == path and len(paths) == len(set(paths))  # its own file first, each once
    assert answer.answer == section_text(base_services, path, intent, question)
    assert answer.related and all(r not in answer.answer for r in answer.related)


def test_example_from_the_practice_section(base_services: Services) -> None:
    question = "geef eens een voorbeeld van hoe een bibliotheek een doelgroep scherp maakte"
    answer = base_services.answers.ask(question)
    assert answer.intent == "voorbeeld"
    assert answer.answer == section_text(base_services, "lesstof/doelgroepen-bepalen.md",
                                         "voorbeeld", question)


def test_assignment_answer_lists_what_to_hand_in_with_checklist(base_services: Services) -> None:
    answer = base_services.answers.ask("Wat moet ik indienen voor opdracht 1?")
    assert answer.intent == "opdracht" and answer.assignment == 1
    assert answer.sources[0].path == "opdrachten/opdracht-1-omgevingsanalyse.md"
    assert "een lijst van stakeholders" in answer.answer  # "Wat lever je op?", whole list
    assert "Zie ook" not in answer.answer and "opdracht 2" not in answer.answer.lower()


def test_course_logistics_from_the_matching_course_section(base_services: Services) -> None:
    answer = base_services.answers.ask("Hoeveel uur per week kost de cursus?")
    assert answer.intent == "cursus"
    assert answer.sources[0].kind == "cursusinfo"
    assert "6 tot 8 uur per week" in answer.answer
    assert "teamleider" not in answer.answer and "5." not in answer.answer.split()[-1:]


def test_objection_gets_casus_advice_not_the_objection(base_services: Services) -> None:
    answer = base_services.answers.ask(
        "Hoe ga ik om met een wethouder die vindt dat de bibliotheek gewoon boeken moet uitlenen?")
    assert answer.intent == "weerstand"
    assert answer.casus_path == "casussen/wethouder-alleen-boeken.md"
    assert answer.practice == "wethouder-alleen-boeken"
    for label in ("Wat er vaak onder zit:", "Zo pak je het aan:", "Zeg bijvoorbeeld:",
                  "Vermijd:"):
        assert label in answer.answer
    steps = [ln for ln in answer.answer.splitlines() if ln.startswith("- ")]
    assert 3 <= len(steps) <= 5
    assert "Luister eerst" in answer.answer
    assert "Jullie zijn er om boeken uit te lenen" not in answer.answer  # no stray quote
    assert len(answer.answer) <= 990


@pytest.mark.parametrize("question", [
    "wat is de hoofdstad van Australië?", "hoe bak ik een appeltaart",
    "what's the weather like in Amsterdam tomorrow",
])
def test_out_of_scope_is_refused(base_services: Services, question: str) -> None:
    answer = base_services.answers.ask(question)
    assert not answer.grounded and answer.intent == "buiten_scope" and not answer.sources


@pytest.mark.parametrize(("question", "path_part"), [
    ("ik vind netwerken doodeng, hebt ge tips?", "netwerken"),
    ("Hoe krijg ik de mensen van het OCMW mee, ze hebben er precies geen goesting in",
     "casussen/"),
    ("How do I convince a school principal who says he has no time?",
     "schooldirecteur-geen-tijd"),
])
def test_flemish_and_english_are_answered_in_dutch(base_services: Services, question: str,
                                                   path_part: str) -> None:
    answer = base_services.answers.ask(question)
    assert answer.grounded, question
    assert path_part in answer.sources[0].path
    assert "Dat staat niet" not in answer.answer


def test_offline_follow_ups_use_the_stored_context_and_nieuw_clears_it(
        services: Services) -> None:
    user = 77
    first = services.ask_offline(user, "wat moet er in een draaiboek staan?")
    assert first.sources[0].path == "lesstof/draaiboek-opstellen.md"
    second = services.ask_offline(user, "en hoe doe ik dat dan?")
    assert second.intent == "stappen"
    assert second.answer == section_text(services, "lesstof/draaiboek-opstellen.md", "stappen",
                                         "en hoe doe ik dat dan?")
    third = services.ask_offline(user, "kun je een voorbeeld geven?")
    assert third.answer == section_text(services, "lesstof/draaiboek-opstellen.md", "voorbeeld",
                                        "kun je een voorbeeld geven?")
    services.new_conversation(user)
    after = services.ask_offline(user, "en hoe doe ik dat dan?")
    assert not after.sources or after.sources[0].path != "lesstof/draaiboek-opstellen.md"


def test_a_short_how_after_a_definition_gets_the_steps(services: Services) -> None:
    """Found by trying the bot (round 6): "en hoe word ik dat?" after "wat is een community
    librarian?" predicts stappen at 0.57, below the confident-own-intent bar, and kept the
    previous intent, so it got a second definition (derde plek, kwartiermaken). A previous
    intent that is implausible for the follow-up is not kept."""
    user = 81
    first = services.ask_offline(user, "wat is een community librarian eigenlijk?")
    assert first.sources[0].path == "lesstof/rol-en-definities.md"
    second = services.ask_offline(user, "en hoe word ik dat?")
    assert second.intent == "stappen"
    assert second.answer == section_text(services, "lesstof/rol-en-definities.md", "stappen",
                                         "en hoe word ik dat?")
    assert "derde plek" not in second.answer


def test_refining_follow_up_switches_casus(services: Services) -> None:
    user = 78
    first = services.ask_offline(user, "mijn teamleider zegt dat er geen tijd is")
    assert first.casus_path == "casussen/teamleider-tijd-en-geld.md"
    second = services.ask_offline(user, "en bij een school?")
    assert second.intent == "weerstand"
    assert second.casus_path == "casussen/schooldirecteur-geen-tijd.md"


def test_casus_advice_keeps_first_steps_the_small_step_and_the_closest_pitfall(
        base_services: Services) -> None:
    answer = base_services.answers.ask("mijn teamleider zegt dat er geen tijd is")
    assert answer.casus_path == "casussen/teamleider-tijd-en-geld.md"
    steps = [ln for ln in answer.answer.splitlines() if ln.startswith("- ")]
    assert 3 <= len(steps) <= 5 and len(answer.answer) <= 900
    assert "Neem het probleem serieus" in steps[0] and "Erken zijn positie" in steps[1]
    assert "Stel een kleine, begrensde stap voor" in steps[-1]
    assert "zes weken" in steps[-1]  # the small step keeps its concrete detail
    assert "Vat inhoud" not in answer.answer  # a lead every casus shares gives way
    pitfall = base_services.answers.ask(
        "mijn teamleider heeft geen tijd; kan ik het dan gewoon aan de directeur vragen?")
    assert "Over zijn hoofd heen gaan" in pitfall.answer.split("Vermijd:")[1]


def test_casus_is_matched_by_the_concern_not_only_the_quote(base_services: Services) -> None:
    answer = base_services.answers.ask(
        "mijn collega is bang dat haar collectiekennis er straks niet meer toe doet")
    assert answer.casus_path == "casussen/collega-veranderingsmoe.md"


def test_follow_up_on_a_casus_asking_what_lies_behind(services: Services) -> None:
    user = 79
    first = services.ask_offline(user, "de wethouder vindt dat de bieb alleen boeken moet uitlenen")
    assert first.casus_path == "casussen/wethouder-alleen-boeken.md"
    # Round 4: the standalone advice shows up to six sentences of the concern (new writers'
    # key facts sit anywhere in it) as far as 900 characters allow; the follow-up asking what
    # lies behind shows more of it.
    # Round 5: the standalone advice holds as much of the concern as fits next to the steps
    # and pitfalls; the follow-up still shows more of it than the first answer did.
    more = "Hij betaalt al voor welzijnswerk"

    def concern_sentences(text: str) -> int:
        return len(re.findall(r"[.!?](?:\s|$)", text.split("\n\n", 1)[0]))

    second = services.ask_offline(user, "wat zit daar meestal achter?")
    assert second.casus_path == first.casus_path
    assert "De tweede zorg gaat over overlap" in second.answer and more in second.answer
    assert concern_sentences(second.answer) > concern_sentences(first.answer)
    assert len([ln for ln in second.answer.splitlines() if ln.startswith("- ")]) >= 3


def test_referring_follow_up_answers_from_the_section_it_points_at(services: Services) -> None:
    user = 80
    first = services.ask_offline(
        user, "hoe laat ik bewoners zelf een activiteit organiseren in de bibliotheek?")
    assert first.sources[0].path == "lesstof/bezoeker-aan-het-roer.md"
    second = services.ask_offline(user, "wat moet ik dan praktisch regelen?")
    assert second.sources[0].path == "lesstof/bezoeker-aan-het-roer.md"
    assert "Sleutels en toegang" in second.answer and "Verzekering" in second.answer


def test_a_specific_section_wins_when_the_question_is_about_it(base_services: Services) -> None:
    composer = base_services.answers.composer
    assert composer is not None
    question = "welke stappen heeft Appreciative Inquiry?"
    answer = base_services.answers.ask(question)
    assert answer.sources[0].path == "lesstof/asset-based-werken.md"
    assert "Ontdekken" in answer.answer and "Dromen" in answer.answer
    saved = composer.sections
    try:  # without section matching (nor question keys) the generic "Hoe pak je het aan?"
        composer.sections = None
        composer.use_keys = False
        assert "Ontdekken" not in base_services.answers.ask(question).answer
    finally:
        composer.sections = saved
        composer.use_keys = True


def test_fit_keeps_the_items_closest_to_the_question_whole() -> None:
    items = [f"{i}. **Stap {i}.** Eerste zin over stap {i}. " + "Meer uitleg. " * 12
             for i in range(1, 6)]
    text = "\n".join(items)
    plain = fit(text, 700)
    assert plain.count("Meer uitleg") < 12 * 5 and "Stap 5" in plain
    focused = fit(text, 700, question_tokens=tokenize("hoe werkt de agenda"))
    assert focused == plain  # no overlap: shortened from the end
    items[3] = items[3].replace("Eerste zin over stap 4.", "Eerste zin over de agenda.")
    text = "\n".join(items)
    with_agenda = fit(text, 700, question_tokens=tokenize("de agenda"))
    line4 = next(ln for ln in with_agenda.splitlines() if ln.startswith("4."))
    assert line4.count("Meer uitleg") == 12  # the related item stays whole
    assert len(with_agenda) <= 700


def test_intent_training_set_is_large_and_labelled() -> None:
    examples = load_intent_examples(ROOT / "knowledge" / "intenties.yaml")
    assert len(examples) >= 300
    assert {label for _, label in examples} == set(INTENTS)
    # Round 5: two more writers' batches (intenties-a/-b.yaml, about 420 each) are read too.
    assert len(intent_files(ROOT / "knowledge")) >= 3
    examples = load_hand_examples(ROOT / "knowledge")
    assert len(examples) >= 1200
    # Every answer eval set, dev and held-out (a held-out question once sat in intenties.yaml).
    dev = {same_question(q.question) for path in sorted(EVAL.glob("answers*.yaml"))
           for q in load_answer_questions(path)}
    assert len(dev) > 450
    assert not dev & {same_question(q) for q, _ in examples}  # eval sets are not training data
    # Nor are they among the question keys used as intent examples (knowledge/vragen, or the
    # folder in WIJKWIJS_TEST_QUESTION_KEYS); case and punctuation ignored.
    for folder in question_key_folders():
        derived = load_training_set(ROOT / "knowledge", folder).derived
        assert derived, folder
        leaked = sorted(q.text for q in derived if same_question(q.text) in dev)
        assert not leaked, f"{folder}: add these to 'exclude' in knowledge/intent-secties.yaml"


def question_key_folders() -> list[Path]:
    folders = [ROOT / "knowledge" / "vragen"]
    if os.environ.get("WIJKWIJS_TEST_QUESTION_KEYS"):
        folders.append(Path(os.environ["WIJKWIJS_TEST_QUESTION_KEYS"]))
    return [f for f in folders if f.is_dir()]


def test_answer_eval_floors(base_services: Services) -> None:
    """Floors reached on the dev set (docs/benchmarks.md, "Answers"); never lower them."""
    report, detail = _answer_report(base_services, "answers.yaml")
    assert report.questions >= 60
    assert report.all_facts >= 0.946, detail  # 71/75 measured (round 2)
    assert report.fact_coverage >= 0.958, detail  # 0.959 measured
    assert report.intent_accuracy >= 0.975, detail  # 0.976 measured
    if uses_question_keys(base_services):  # round 3: + question keys (82/83 measured)
        assert report.intent_accuracy >= 0.999, detail  # 83/83 (round 14; 82/83 round 3)
    assert report.in_scope_refusal_rate <= 0.03, detail
    assert report.oos_refused >= 0.95, detail
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == 0, detail


def uses_question_keys(services: Services) -> bool:
    """The intent model was trained with question keys (knowledge/vragen, or the folder in
    WIJKWIJS_TEST_QUESTION_KEYS)."""
    composer = services.answers.composer
    return composer is not None and composer.intents is not None and \
        composer.intents.trained_on[1] > 0


def test_answer_eval_floors_dev2(base_services: Services) -> None:
    """Second dev set (round 2, written before its tuning): objection advice that needs the
    concern, a later step or the pitfall; follow-ups about the previous answer's content;
    English/Flemish wordings far from the titles. Floors = what round 2 reached (0.510 / 0.507
    before); never lower them."""
    report, detail = _answer_report(base_services, "answers_dev2.yaml")
    assert report.questions >= 50
    # 46/51 as merged in round 6 (47/51 on branch answers5 alone, whose floor was 0.921;
    # main's casus ranking loses one concern sentence, docs/benchmarks.md "Round 5")
    assert report.all_facts >= 0.921, detail  # 47/51 (round 7: the extra section)
    assert report.fact_coverage >= 0.919, detail  # 0.920 (round 7; 0.907 before)
    assert report.intent_accuracy >= 0.929, detail  # 0.930 measured (round 5; 0.912 before)
    assert report.in_scope_refusal_rate <= 0.0, detail
    assert report.oos_refused >= 0.95, detail
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == 0, detail


def test_answer_eval_floors_dev3(base_services: Services) -> None:
    """Third dev set (round 4, 90 questions by a new writer, measured before any round-4
    change: every key fact 0.200, coverage 0.400, intent 0.689, refusals 3/80, out of scope
    refused 5/10): objections told as stories over all 19 casussen, detail follow-ups, English,
    Flemish, near-topic off-topic questions. Floors = what round 4 reached; never lower them."""
    report, detail = _answer_report(base_services, "answers_dev3.yaml")
    assert report.questions >= 90
    assert report.all_facts >= DEV3_ALL, detail
    assert report.fact_coverage >= DEV3_COVERAGE, detail
    assert report.intent_accuracy >= DEV3_INTENT, detail
    assert report.in_scope_refusal_rate <= 0.0, detail
    assert report.oos_refused >= 1.0, detail  # 10/10 (round 8; 9/10 round 5, 5/10 round 4)
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == report.over_length == 0, detail


def test_answer_eval_floors_dev4(base_services: Services) -> None:
    """Fourth dev set (round 5, 90 questions by a new writer: stories, English, Flemish,
    near-topic off-topic; measured before any round-5 change: every key fact 0.423, coverage
    0.497, intent 0.700, refusals 3/78 (English 3/20), out of scope refused 8/12). Floors = what
    round 5 reached (docs/benchmarks.md, "Round 5: intent"); never lower them."""
    report, detail = _answer_report(base_services, "answers_dev4.yaml")
    assert report.questions >= 90
    assert report.all_facts >= 0.666, detail  # 52/78 (round 14; 51/78 round 13; 37/78 before)
    assert report.fact_coverage >= 0.742, detail  # 0.743 (round 14; 0.726 round 13; 0.559 before)
    assert report.intent_accuracy >= 0.877, detail  # 79/90 (round 12; 78/90 round 9)
    assert report.in_scope_refusal_rate <= 0.039, detail  # 3/78, all English
    assert report.oos_refused >= 1.0, detail  # 12/12 (round 12; 10/12 round 5, 8/12 before)
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == report.over_length == 0, detail


def test_answer_eval_floors_dev5(base_services: Services) -> None:
    """Fifth dev set (round 6, 100 questions, no follow-ups: 40 off-topic questions close to the
    course's world (library operations, staff matters, IT, course words in another sense), 25
    English, 20 Flemish); measured on the merged round-5 code before any round-6 change: every
    key fact 0.450, coverage 0.537, intent 0.780, refusals 4/60 (English 4/15), out of scope
    refused 34/40. Floors = what round 6 reached minus 0.02 (docs/benchmarks.md, "Round 6");
    never lower them."""
    report, detail = _answer_report(base_services, "answers_dev5.yaml")
    assert report.questions == 100
    assert report.all_facts >= 0.516, detail  # 31/60 (round 13; 30/60 round 9, 27/60 round 7)
    assert report.fact_coverage >= 0.639, detail  # 0.640 (round 13; 0.616 round 9)
    assert report.intent_accuracy >= 0.86, detail  # 86/100 (round 9; 80/100 before)
    assert report.in_scope_refusal_rate <= 0.067, detail  # 4/60 (3 English)
    assert report.oos_refused >= 0.975, detail  # 39/40 (round 8; 35/40 before)
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == report.over_length == 0, detail


def test_answer_eval_floors_scope_dev10(base_services: Services) -> None:
    """Scope dev set 10 (round 10, 80 questions: 50 off-topic questions near the course world,
    30 in-scope questions that look odd; 4 follow-ups). Measured on main 724bbc9 (round 10
    tuned on the odd items only): every key fact 0.467, coverage 0.514, intent 0.887, refusals
    3/30, out of scope refused 46/50. Floors = what was reached; never lower them."""
    report, detail = _answer_report(base_services, "answers_scope_dev10.yaml")
    assert report.questions == 80
    assert report.all_facts >= 0.566, detail  # 17/30 (round 13; 14/30 round 10)
    assert report.fact_coverage >= 0.628, detail  # 0.629 (round 13; 0.514 round 10)
    assert report.intent_accuracy >= 0.911, detail  # 73/80 (round 14; 72/80 round 12)
    assert report.in_scope_refusal_rate <= 0.10, detail  # 3/30
    assert report.oos_refused >= 0.96, detail  # 48/50 (round 14; 47/50 round 12)
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == report.over_length == 0, detail


def test_answer_eval_floors_scope_dev12(base_services: Services) -> None:
    """Scope dev set 12 (round 12, 80 questions: 50 off-topic questions near the course world
    that ask for an outside fact or service, 30 in-scope questions that look odd; 4 follow-ups;
    written from the course material only). Measured on main f92bbb6 before any round-12
    change: every key fact 0.200, coverage 0.314, intent 0.750, refusals 1/30, out of scope
    refused 45/50 (odd half 23/25, even half 22/25). Round 12 (scope12) tuned on the odd items
    only: out of scope refused 47/50 (odd 24/25, even 23/25), intent 0.775. Floors = what was
    reached; never lower them."""
    report, detail = _answer_report(base_services, "answers_scope_dev12.yaml")
    assert report.questions == 80
    assert report.all_facts >= 0.199, detail  # 6/30
    assert report.fact_coverage >= 0.313, detail  # 0.314
    assert report.intent_accuracy >= 0.774, detail  # 62/80
    assert report.in_scope_refusal_rate <= 0.034, detail  # 1/30
    assert report.oos_refused >= 0.94, detail  # 47/50
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == report.over_length == 0, detail


def test_casus_advice_names_every_step_and_pitfall_and_the_concern_the_story_tells(
        base_services: Services) -> None:
    """Round 4: the steps not shown in full are named ("Verder helpt"), the other pitfalls too
    ("Ook niet"), and the concern sentences closest to the story are shown."""
    story = ("Ik wilde met de kinderboerderij samen een voorleesmiddag doen. De beheerder zei dat "
             "hij er geen tijd voor heeft en dat het nooit wat oplevert. Ik ben bang dat het "
             "straks stiekem een vaste taak wordt voor hem. Hoe pak ik dat aan?")
    composer = base_services.answers.composer
    assert composer is not None and composer.advisor is not None
    casus = composer.advisor.by_path("casussen/teamleider-tijd-en-geld.md")
    assert casus is not None
    advice = composer.advisor.advise(casus, story, [], ADVICE_LABELS).text
    assert len(advice) <= 900
    assert "ongemerkt een vaste taak wordt" in advice  # the concern's last sentence
    good = casus.doc.find(GOOD)
    poor = casus.doc.find(POOR)
    assert good is not None and poor is not None
    leads = re.findall(r"\*\*([^*]+?)\.?\*\*", good.text)
    generic = composer.advisor.common_leads
    for lead in leads:
        if lead.lower().rstrip(".") + "." not in generic and lead.lower() not in generic:
            assert lead.rstrip(".") in advice, lead
    for lead in re.findall(r"\*\*([^*]+?)\.?\*\*", poor.text):
        assert lead.rstrip(".") in advice, lead


def test_a_story_asking_what_something_is_gets_a_definition(base_services: Services) -> None:
    composer = base_services.answers.composer
    assert composer is not None
    story = composer.glossary.normalise(
        "Mijn teamleider schreef in de kantlijn van mijn plan dat ik een krachtenveldanalyse "
        "moet maken. Ik heb geen idee. Wat is dat eigenlijk?")
    labels = INTENTS
    objection = IntentPrediction("weerstand", 0.7, {k: 0.7 if k == "weerstand" else 0.3 / 8
                                                   for k in labels})
    asked = composer.asked_for(story, objection)
    assert asked is not None and asked.intent == "definitie"
    # one sentence: the whole question is the ask, nothing changes
    assert composer.asked_for("wat is een krachtenveldanalyse", objection) is objection


def test_the_intent_model_reads_a_story_by_what_it_asks(base_services: Services) -> None:
    """Round 5 data (story-form questions): a story naming a manager that asks a definition,
    steps or a reason is not taken for an objection; one that describes resistance still is."""
    composer = base_services.answers.composer
    assert composer is not None and composer.intents is not None
    stories = {
        "Onze regiomanager blijft zeggen dat we voor de subsidie een theory of change nodig "
        "hebben. Ik knik dan maar. Wat houdt dat eigenlijk in?": "definitie",
        "My supervisor asked me to map the neighbourhood before we start anything. I have never "
        "done that. Where do I begin?": "stappen",
        "Mijn leidinggevende wil dat ik elke week een uur de wijk in ga. Mijn collega's vinden "
        "dat vreemd. Waarom zou een bibliotheek dat doen?": "waarom",
        "Mijn teamleider zegt dat er echt geen tijd is voor buurtwerk naast de balie en wil er "
        "niet over praten. Hoe krijg ik hem mee?": "weerstand",
    }
    trained = {same_question(q) for q, _ in load_hand_examples(ROOT / "knowledge")}
    for story, intent in stories.items():
        assert same_question(story) not in trained
        text = composer.glossary.normalise(story)
        assert composer.intents.predict(text).intent == intent, story


def test_a_close_question_key_keeps_an_in_scope_question_from_the_off_topic_veto(
        base_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.answering.grounding as grounding

    composer = base_services.answers.composer
    assert composer is not None
    result = composer.retriever.retrieve("Hoe lang duurt een pitch?", k=5)  # a question key
    veto = IntentPrediction("buiten_scope", 0.6, {k: 0.6 if k == "buiten_scope" else 0.05
                                                 for k in INTENTS})
    assert result.grounded and result.best_dense < grounding.VETO_MAX_DENSE
    assert composer._best_key(result) >= grounding.KEY_IN_SCOPE
    assert composer.grounded(result, veto)
    monkeypatch.setattr(grounding, "KEY_IN_SCOPE", 1.01)
    assert not composer.grounded(result, veto)


def test_an_off_topic_question_that_names_the_role_is_refused(
        base_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Round 6: a staff question naming "community librarian" is close to the material by its
    words (dense >= 0.90, a question key about the role at ~0.94), yet it is not in it; the
    off-topic veto holds up to VETO_MAX_DENSE 0.92 and KEY_IN_SCOPE 0.95."""
    import bot.answering.grounding as grounding

    question = "Hoeveel verdient een community librarian per maand?"
    answer = base_services.answers.ask(question)
    assert not answer.grounded
    composer = base_services.answers.composer
    assert composer is not None
    result = composer.retriever.retrieve(composer.glossary.normalise(question), k=5)
    assert result.grounded and result.best_dense >= 0.90  # retrieval alone would answer
    monkeypatch.setattr(grounding, "VETO_MAX_DENSE", 0.90)  # round 5's setting
    monkeypatch.setattr(composer, "facts", None)  # round 14 refuses it for asking pay too
    assert base_services.answers.ask(question).grounded


def test_a_question_refused_alone_is_answered_as_a_follow_up(services: Services) -> None:
    question = "What would you advise me to try first?"
    assert not services.answers.ask(question).grounded
    user = 82
    first = services.ask_offline(user, "mijn teamleider zegt dat er geen tijd is")
    assert first.casus_path == "casussen/teamleider-tijd-en-geld.md"
    follow = services.ask_offline(user, question)
    assert follow.grounded and follow.casus_path == first.casus_path
    # an off-topic question is still refused with a stored answer
    assert not services.ask_offline(user, "wat is de hoofdstad van Australië?").grounded


def test_off_topic_after_objection_advice_is_refused_not_the_advice_again(
        services: Services) -> None:
    """Round 9: the follow-up fallback honours the scope veto; a message without words is
    never a follow-up of the advice."""
    from bot import texts as ui_texts

    user = 83
    first = services.ask_offline(user, "mijn wethouder zegt dat de bieb gewoon boeken moet "
                                       "uitlenen")
    assert first.casus_path == "casussen/wethouder-alleen-boeken.md"
    salary = services.ask_offline(user, "wat verdient een community librarian in Belgie per "
                                        "maand bruto")
    assert not salary.grounded and not salary.casus_path
    assert "niet in het cursusmateriaal" in salary.answer
    for junk in (";;; <b>", "?!", "<b>"):
        with pytest.raises(UserFacingError) as err:
            services.ask_offline(user, junk)
        assert str(err.value) == ui_texts.NO_WORDS
    # the context survives both: a real follow-up still gets the casus
    follow = services.ask_offline(user, "en hoe doe ik dat dan?")
    assert follow.grounded and follow.casus_path == first.casus_path


def test_scope_floors_on_the_retrieval_set(base_services: Services) -> None:
    questions = load_eval_questions(EVAL / "questions.yaml")
    scope = evaluate_scope(base_services.answers, [(q.question, q.grounded) for q in questions])
    assert scope.refusal_rate <= 0.03, scope.misses
    assert scope.oos_refused >= 0.95, scope.misses


def test_intent_file_format_loads() -> None:
    items = load_intent_questions(EVAL / "answers.yaml")
    assert items and all(intent in INTENTS for _, intent in items)


async def run_cli(args: list[str], env: dict[str, str]) -> list[dict[str, object]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "ask", "--json", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=240)
    assert proc.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines()]


async def test_cli_ask_uses_the_configured_llm_unless_offline(base_services: Services) -> None:
    async with FakeOpenAIServer(default="Volgens de cursus begin je bij de behoefte [1].") as llm:
        env = {"WIJKWIJS_DATA_DIR": str(base_services.settings.data_dir),
               "WIJKWIJS_KNOWLEDGE_DIR": str(ROOT / "knowledge"), "HF_HUB_OFFLINE": "1",
               "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "WIJKWIJS_LLM_PROVIDER": "openai", "WIJKWIJS_LLM_BASE_URL": f"{llm.url}/v1",
               "WIJKWIJS_LLM_MODEL": "test", "WIJKWIJS_LLM_API_KEY": "x"}
        [generated] = await run_cli(["Hoe bepaal ik mijn doelgroep?"], env)
        assert generated["answer"].startswith("Volgens de cursus")  # type: ignore[union-attr]
        assert set(generated) == {"question", "answer", "grounded", "sources"}
        [offline] = await run_cli(["--offline", "Hoe bepaal ik mijn doelgroep?"], env)
        assert re.search(r"Begin bij de behoefte", str(offline["answer"]))
        assert "Volgens de cursus" not in str(offline["answer"])


def _answer_report(services: Services, name: str) -> tuple[AnswerReport, str]:
    composer = services.answers.composer
    assert composer is not None
    report = evaluate_answers(services.answers, load_answer_questions(EVAL / name),
                              composer.docs)
    return report, report.render(verbose=True)


def _assert_heldout_floors(services: Services, name: str, questions: int, *,
                           all_facts: float, coverage: float, intent: float,
                           max_refusals: float, min_oos: float) -> None:
    """The floors of a held-out answer set (what was reached; never lower them) and no noise."""
    report, detail = _answer_report(services, name)
    assert report.questions == questions
    assert report.all_facts >= all_facts, detail
    assert report.fact_coverage >= coverage, detail
    assert report.intent_accuracy >= intent, detail
    assert report.in_scope_refusal_rate <= max_refusals, detail
    assert report.oos_refused >= min_oos, detail
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    assert report.second_file_passages == report.over_length == 0, detail


def test_heldout_answer_floors(base_services: Services) -> None:
    """Held-out sets by an independent writer, never tuned on (docs/benchmarks.md, "Answers").
    Floors = what was reached; never lower them.

    Measured 0.579 / 0.638 on the first-edition material, 0.561 / 0.622 with the second
    edition merged; round 2 (casus advice with the relevant and the small step, section-level
    matching, referring follow-ups, glossary before retrieval) reaches 0.596 / 0.669, intent
    accuracy 0.903 and 0.944 on the intents set, refusals 2/57; round 3 (question keys,
    intent examples from the keys) 0.632 / 0.717, intent 0.952; round 4 (more of the casus in
    the advice, refused-alone follow-ups) 0.649 / 0.724, refusals 1/57. The target (0.85,
    issue 13) is not met."""
    report, detail = _answer_report(base_services, "answers_heldout.yaml")
    assert report.all_facts >= 0.753, detail  # 43/57 (round 13; 42/57 round 11)
    # Round 12: 0.795 (0.803 in round 11). casus12's sentence-by-sentence advice shows one key
    # fact fewer here while every-key-fact stays 42/57 and the seen held-out sets 1-11 gain 28
    # complete answers in sum (413 -> 441); a measured trade-off, stated in docs/benchmarks.md
    # (round 12) and the closing note, not a regression passed silently.
    assert report.fact_coverage >= 0.810, detail  # 0.811 (round 13; 0.795 round 12)
    assert report.intent_accuracy >= 0.983, detail  # 0.984
    assert report.in_scope_refusal_rate == 0, detail  # 0/57
    assert report.oos_refused >= 0.95, detail
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0
    intents = evaluate_intents(base_services.answers,
                               load_intent_questions(EVAL / "intents_heldout.yaml"))
    assert intents["accuracy"] >= 0.94, intents["errors"]  # 0.944


def test_second_heldout_answer_floors(base_services: Services) -> None:
    """A second held-out set (70 questions), written on 2026-11-29 by another independent
    writer while round 2 was being tuned, added after tuning ended and evaluated once:
    every key fact 0.516 (33/64), coverage 0.573, intent 0.786, refusals 4/64, out of scope
    6/6; after round 3: 0.578 (37/64), coverage 0.626, intent 0.814; after round 4: 0.578,
    coverage 0.641, intent 0.829, refusals 2/64. Floors = what was
    reached; never lower them. The target (0.85, issue 13) is not met."""
    report, detail = _answer_report(base_services, "answers_heldout2.yaml")
    assert report.all_facts >= 0.733, detail  # 47/64 (round 14; 46/64 round 12)
    assert report.fact_coverage >= 0.793, detail  # 0.794 (round 14; 0.779 round 12)
    assert report.intent_accuracy >= 0.899, detail  # 0.900
    assert report.in_scope_refusal_rate <= 0.016, detail  # 1/64
    assert report.oos_refused >= 0.95, detail
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0


def test_question_keys_vote_for_the_file(base_services: Services) -> None:
    """A close question key (knowledge/vragen/) moves the answer to its file: without keys
    this English question is answered from a neighbouring voorbeeld."""
    composer = base_services.answers.composer
    retriever = base_services.retriever
    assert composer is not None and retriever.keys is not None
    question = "Does the Dutch library act apply in Flanders too?"
    with_keys = base_services.answers.ask(question)
    assert with_keys.sources[0].path == "lesstof/bibliotheken-in-vlaanderen.md"
    result = retriever.retrieve(question)
    assert result.keys is not None
    best = max(result.keys.files, key=lambda p: result.keys.files[p])  # type: ignore[union-attr]
    assert best == "lesstof/bibliotheken-in-vlaanderen.md"
    keys = retriever.keys
    try:
        composer.use_keys = False
        retriever.attach_keys(None)
        without = base_services.answers.ask(question)
        assert without.sources[0].path != "lesstof/bibliotheken-in-vlaanderen.md"
        assert retriever.retrieve(question).keys is None
    finally:
        composer.use_keys = True
        retriever.attach_keys(keys)


def test_question_keys_are_a_fourth_casus_view(base_services: Services) -> None:
    composer = base_services.answers.composer
    assert composer is not None and composer.advisor is not None
    question = "mijn teamleider zegt dat er geen tijd is"
    vector = base_services.retriever.retrieve(question).vector
    assert vector is not None
    plain = composer.advisor.rank(vector, question)
    assert plain[0].casus.path == "casussen/teamleider-tijd-en-geld.md"
    second = plain[1].casus.path
    keys = {c.casus.path: 0.0 for c in plain} | {second: 1.0}
    voted = composer.advisor.rank(vector, question, keys)
    assert voted[0].casus.path == second  # a perfect key match outweighs the views
    assert composer.advisor.rank(vector, question, {})[0].casus.path == plain[0].casus.path


def test_sources_name_only_the_files_the_answer_uses(base_services: Services) -> None:
    for question in ("Hoe bepaal ik mijn doelgroep?", "mijn teamleider zegt dat er geen tijd is"):
        answer = base_services.answers.ask(question)
        assert [s.path for s in answer.sources] == [answer.sources[0].path], question
    advice = base_services.answers.ask("mijn teamleider zegt dat er geen tijd is")
    # the theory behind objection advice is offered ('Meer hierover'), not listed as a source
    assert advice.casus_path and advice.further is not None
    assert advice.further.kind != "casus" and advice.further.path not in {
        s.path for s in advice.sources}
    assert base_services.answers.ask("Hoe bepaal ik mijn doelgroep?").further is None


def test_follow_up_on_casus_advice_does_not_repeat_it(services: Services) -> None:
    user = 81
    first = services.ask_offline(user, "mijn teamleider zegt dat er geen tijd is")
    assert first.casus_path == "casussen/teamleider-tijd-en-geld.md"
    composer = services.answers.composer
    assert composer is not None and composer.advisor is not None
    casus = composer.advisor.by_path(first.casus_path)
    assert casus is not None
    example = services.ask_offline(user, "kun je een voorbeeld geven?")
    assert example.casus_path == first.casus_path and example.answer != first.answer
    assert sum(r[:40] in example.answer for r in casus.good_responses) >= 2
    steps = services.ask_offline(user, "en hoe doe ik dat dan?")
    assert steps.casus_path == first.casus_path and steps.answer != first.answer
    shown = [ln for ln in first.answer.splitlines() if ln.startswith("- ")]
    listed = [ln for ln in steps.answer.splitlines() if ln.startswith("- ")]
    assert len(listed) > len(shown)  # every step of the good approach, not the same 3-5


def test_third_heldout_answer_floors(base_services: Services) -> None:
    """A third held-out set (70 questions, 50 files, 16 English and 16 Flemish), written on
    2026-11-29 by an independent writer before round 3 started and evaluated once, after round 3
    ended: every key fact 0.438 (28/64; 0.375 on the code before round 3), coverage 0.528,
    intent 0.714, refusals 2/64, out of scope refused 5/6; after round 4: 0.547 (35/64),
    coverage 0.604, refusals 1/64. Floors = what was reached; never lower them. The targets
    (0.85 every key fact, out of scope >= 0.95, issue 13) are not met."""
    report, detail = _answer_report(base_services, "answers_heldout3.yaml")
    assert report.all_facts >= 0.718, detail  # 46/64 (round 15; 45/64 round 13)
    assert report.fact_coverage >= 0.742, detail  # 0.743 (round 15; 0.729 round 13)
    assert report.intent_accuracy >= 0.813, detail  # 0.814
    assert report.in_scope_refusal_rate == 0, detail  # 0/64
    assert report.oos_refused == 1, detail  # 6/6
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0


def test_sixteenth_heldout_answer_floors(base_services: Services) -> None:
    """A sixteenth held-out set (69 questions: of the writer's 70, the follow-up "En daarna?" was
    removed because it is a training example of the casus part model, which this round's leak
    check had left out; 18 objections, 12 follow-ups, 15 English, 15 Flemish, 7 off-topic; a
    plan to check, asking for wording, a correction halfway, fatigue first, numbers from their
    own work,
    objections as a voicemail, meeting minutes, a social media comment or a reply-all mail),
    written on 2026-12-01 by an independent writer before round 16's tuning, evaluated on the
    code before it (b781c86: every key fact 0.629, coverage 0.722, intent 0.841, right file
    0.754, refusals 1/62, out of scope refused 6/7) and once on round 16 as merged: unchanged
    (docs/benchmarks.md, "Round 16 as merged"). Floors = what was reached; never lower them.
    The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout16.yaml", 69,
                           all_facts=0.629,  # 39/62
                           coverage=0.721,  # 0.722
                           intent=0.840,  # 58/69
                           max_refusals=0.017,  # 1/62
                           min_oos=0.85)  # 6/7


def test_fifteenth_heldout_answer_floors(base_services: Services) -> None:
    """A fifteenth held-out set (70 questions, none removed: the leak check's highest ratio was
    0.92; 18 objections, 13 follow-ups, 15 English, 15 Flemish, 7 off-topic; own setting first,
    something that already happened, a misunderstanding to put right, a half-remembered term,
    "noem eens drie", chat abbreviations, objections as forwarded mail or overheard remarks),
    written on 2026-12-01 by an independent writer before round 15's tuning, evaluated on the
    code before it (1870bd5: every key fact 0.556, coverage 0.671, intent 0.814, right file
    0.839, refusals 1/63, out of scope refused 7/7) and once on round 15 as merged: unchanged
    (docs/benchmarks.md, "Round 15 as merged"). Floors = what was reached; never lower them.
    The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout15.yaml", 70,
                           all_facts=0.555,  # 35/63
                           coverage=0.670,  # 0.671
                           intent=0.814,  # 57/70
                           max_refusals=0.016,  # 1/63
                           min_oos=1.0)  # 7/7


def test_dev15_check_set_floors(base_services: Services) -> None:
    """Dev check set 15 (80 questions by an independent writer in round 15, half of its steps
    and pitfall questions naming a person who asks or risks something without resisting; a
    CHECK set: measured on main and at the end, never read per question while tuning).
    1870bd5 and round 15 as merged: every key fact 51/76, refusals 0/76, off-topic 3/4.
    Floors = what was reached; never lower them."""
    report, detail = dev_report(base_services, "answers_dev15.yaml", 80)
    assert report.all_facts >= 0.671, detail  # 51/76
    assert report.in_scope_refusals == 0, detail
    assert report.oos_refused >= 0.75, detail  # 3/4


def test_fourteenth_heldout_answer_floors(base_services: Services) -> None:
    """A fourteenth held-out set (64 questions: 70 written, five short follow-ups and one
    off-topic question removed unread because they repeated earlier eval or training questions
    almost verbatim; 18 objections, 9 follow-up pairs, 15 English, 14 Flemish, 6 off-topic; two
    questions in one message, hypotheticals, comparisons, a goal first, asking on behalf of a
    manager, a time frame, "what would you do", the other person's exact words), written on
    2026-12-01 by an independent writer before round 14's tuning, evaluated on the code before
    it (469042f: every key fact 0.690, coverage 0.791, intent 0.922, right file 0.912, refusals
    1/58, out of scope refused 5/6) and once on round 14 as merged (docs/benchmarks.md,
    "Round 14 as merged"). Floors = what was reached; never lower them. The targets are not
    met."""
    _assert_heldout_floors(base_services, "answers_heldout14.yaml", 64,
                           all_facts=0.706,  # 41/58 (round 15; 40/58 round 14)
                           coverage=0.809,  # 0.810 (round 15; 0.791 round 14)
                           intent=0.921,  # 59/64
                           max_refusals=0.018,  # 1/58
                           min_oos=1.0)  # 6/6 (5/6 before)


def test_thirteenth_heldout_answer_floors(base_services: Services) -> None:
    """A thirteenth held-out set (66 questions: 70 written, four short follow-ups removed unread
    because they repeated earlier eval or training questions almost verbatim; 18 objections, 9
    follow-up pairs, 15 English, 14 Flemish, 7 off-topic; own setting first, new colleagues,
    frustration, "the core of", the objection as the other person's question, emoji, other
    Flemish words, polite international English), written on 2026-12-01 by an independent writer
    before round 13's tuning, evaluated on the code before it (4d50ee5: every key fact 0.542,
    coverage 0.658, intent 0.894, right file 0.797, refusals 0/59, out of scope refused 7/7) and
    once on round 13 as merged: unchanged (docs/benchmarks.md, "Round 13 as merged"). Floors =
    what was reached; never lower them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout13.yaml", 66,
                           all_facts=0.542,  # 32/59
                           coverage=0.663,  # 0.664 (round 16; 0.658 round 13)
                           intent=0.893,  # 59/66
                           max_refusals=0.0,  # 0/59
                           min_oos=1.0)  # 7/7


def test_twelfth_heldout_answer_floors(base_services: Services) -> None:
    """A twelfth held-out set (67 questions: 70 written, three short follow-ups removed unread
    because they repeated earlier eval or training questions almost verbatim; 18 objections, 10
    follow-up pairs, 15 English, 14 Flemish, 7 off-topic; what was already tried, deadline
    pressure, half-shared objections, misspelt course terms, code switching, yes/no checks,
    references to the lesson), written on 2026-12-01 by an independent writer before round 12's
    tuning, evaluated on the code before it (f92bbb6: every key fact 0.483, coverage 0.624,
    intent 0.940, right file 0.867, refusals 0/60, out of scope refused 7/7) and once on round
    12 as merged (docs/benchmarks.md, "Round 12 as merged"). Floors = what was reached; never
    lower them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout12.yaml", 67,
                           all_facts=0.549,  # 33/60 (round 13; 31/60 round 12, 29/60 before)
                           coverage=0.673,  # 0.674 (round 13; 0.645 round 12, 0.624 before)
                           intent=0.939,  # 63/67
                           max_refusals=0.0,  # 0/60
                           min_oos=1.0)  # 7/7


def test_eleventh_heldout_answer_floors(base_services: Services) -> None:
    """An eleventh held-out set (68 questions: 70 written, two removed because they repeated
    questions of held-out sets 9 and 10 almost verbatim; 18 objections, 13 follow-up pairs, 15
    English, 15 Flemish, 6 off-topic; imperative requests, worry first, partners the material
    does not name, time and size constraints, shorthand, non-native English, stronger Flemish),
    written on 2026-12-01 by an independent writer before round 11's tuning, evaluated on the
    code before it (499657e: every key fact 0.435, coverage 0.632, intent 0.838, right file
    0.836, refusals 1/62, out of scope refused 6/6) and once on round 11 as merged
    (docs/benchmarks.md, "Round 11 as merged"): unchanged. Floors = what was reached; never
    lower them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout11.yaml", 68,
                           all_facts=0.531,  # 33/62 (round 15; 32/62 round 13)
                           coverage=0.705,  # 0.706 (round 15; 0.693 round 13)
                           intent=0.837,  # 57/68
                           max_refusals=0.017,  # 1/62
                           min_oos=1.0)  # 6/6


def test_tenth_heldout_answer_floors(base_services: Services) -> None:
    """A tenth held-out set (70 questions, 48 files, 18 objections over 18 casussen, 13
    follow-up pairs, 15 English, 15 Flemish, 7 off-topic; dictated run-on sentences, the formal
    "u", questions opening with the participant's role, indirect questions, objections as
    meeting notes or quoted messages, stronger Flemish dialect, very short follow-ups), written
    on 2026-11-30 by an independent writer before round 10's tuning, evaluated on the code
    before it (724bbc9: every key fact 0.571, coverage 0.723, intent 0.900, right file 0.873,
    refusals 0/63, out of scope refused 6/7) and once on round 10 as merged (docs/benchmarks.md,
    "Round 10 as merged"). Floors = what was reached; never lower them. The targets are not
    met."""
    _assert_heldout_floors(base_services, "answers_heldout10.yaml", 70,
                           all_facts=0.634,  # 40/63 (round 14; 39/63 round 13)
                           coverage=0.760,  # 0.761 (round 14; 0.748 round 13)
                           intent=0.913,  # 64/70 (round 14; 63/70 before)
                           max_refusals=0.0,  # 0/63
                           min_oos=0.85)  # 6/7


def test_ninth_heldout_answer_floors(base_services: Services) -> None:
    """A ninth held-out set (70 questions, 46 files, 18 objections over all 19 casussen, 13
    follow-up pairs, 15 English, 15 Flemish, 7 off-topic; typed fast on a phone, questions inside
    a story or an e-mail being drafted, team "we"-questions, negative phrasing, "klopt het
    dat ...?" checks), written on 2026-11-30 by an independent writer before round 9's tuning,
    evaluated on the code before it (19a8e54: every key fact 0.587, coverage 0.735, intent
    0.914, right file 0.903, refusals 1/63, out of scope refused 7/7) and once on round 9 as
    merged (docs/benchmarks.md, "Round 9 as merged"). Floors = what was reached; never lower
    them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout9.yaml", 70,
                           all_facts=0.824,  # 52/63 (round 12)
                           coverage=0.860,  # 0.861 (round 12)
                           intent=0.942,  # 66/70
                           max_refusals=0.016,  # 1/63
                           min_oos=1.0)  # 7/7


def test_eighth_heldout_answer_floors(base_services: Services) -> None:
    """An eighth held-out set (70 questions, 47 files, 19 objections, 13 follow-up pairs, 15
    English, 15 Flemish, 7 off-topic; voice-message style, half-remembered terms, questions
    passed on by a colleague, doubting and very short ones), written on 2026-11-30 by an
    independent writer before round 8's tuning, evaluated on the code before it (every key fact
    0.476, coverage 0.596, intent 0.800, right file 0.758, refusals 1/63, out of scope refused
    5/7) and once on round 8 as merged (docs/benchmarks.md, "Round 8 as merged"). Floors =
    what was reached; never lower them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout8.yaml", 70,
                           all_facts=0.586,  # 37/63 (round 12)
                           coverage=0.677,  # 0.678 (round 12)
                           intent=0.842,  # 59/70 (round 9; 57/70 round 8)
                           max_refusals=0.016,  # 1/63
                           min_oos=0.85)  # 6/7


def test_seventh_heldout_answer_floors(base_services: Services) -> None:
    """A seventh held-out set (70 questions, 50 files, 19 objections, 13 follow-up pairs, 15
    English, 15 Flemish, 7 off-topic), written on 2026-11-30 by an independent writer before
    round 7's tuning, evaluated on the code before it (every key fact 0.413, coverage 0.557,
    intent 0.843, right file 0.823, refusals 1/63, out of scope refused 6/7) and once on round 7
    as merged (docs/benchmarks.md, "Round 7 as merged"). Floors = what was reached; never lower
    them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout7.yaml", 70,
                           all_facts=0.666,  # 42/63 (round 15; 40/63 round 12)
                           coverage=0.766,  # 0.767 (round 15; 0.744 round 12)
                           intent=0.899,  # 63/70 (round 9; 59/70 round 8)
                           max_refusals=0.016,  # 1/63
                           min_oos=1.0)  # 7/7 since round 8 (6/7 before)


def test_sixth_heldout_answer_floors(base_services: Services) -> None:
    """A sixth held-out set (70 questions, 52 files, 19 objections over all 19 casussen, 12
    follow-up pairs, 19 English, 17 Flemish, 7 off-topic), written on 2026-11-30 by an
    independent writer before round 6's tuning, evaluated on the exact-search code before it
    (every key fact 0.381, coverage 0.465, intent 0.643, right file 0.565, refusals 1/63, out
    of scope refused 6/7) and once on round 6 as merged (docs/benchmarks.md, "Round 6 as
    merged"). Floors = what was reached; never lower them. The targets are not met."""
    _assert_heldout_floors(base_services, "answers_heldout6.yaml", 70,
                           all_facts=0.523,  # 33/63 (round 12)
                           coverage=0.605,  # 0.606 (round 14; 0.594 round 12)
                           intent=0.828,  # 58/70 (round 14; 57/70 round 9)
                           max_refusals=0.032,  # 2/63
                           min_oos=1)  # 7/7


def test_fifth_heldout_answer_floors(base_services: Services) -> None:
    """A fifth held-out set (70 questions, 50 files, 19 objections over all 19 casussen, 12
    follow-up pairs, 18 English, 16 Flemish, 7 off-topic), written on 2026-11-30 by an
    independent writer before round 5 started, evaluated on the code before round 5 (every key
    fact 0.381, coverage 0.470, intent 0.786, right file 0.714, refusals 0/63, out of scope
    refused 7/7) and on round 5 as merged. One follow-up flipped between runs of the same code
    (27 or 26 of 63) until round 6 made the dense search exact (docs/benchmarks.md, "Round 6:
    exact dense search"); since then every run gives the higher outcome. Floors = what was
    reached; never lower them."""
    _assert_heldout_floors(base_services, "answers_heldout5.yaml", 70,
                           all_facts=0.602,  # 38/63 (round 13)
                           coverage=0.706,  # 0.707 (round 13)
                           intent=0.913,  # 64/70 (round 9; 61/70 before)
                           max_refusals=0,  # 0/63
                           min_oos=1)  # 7/7


def test_fourth_heldout_answer_floors(base_services: Services) -> None:
    """A fourth held-out set (70 questions, 50 files, 20 objections, 12 follow-up pairs, 21
    English, 18 Flemish, 7 off-topic), written on 2026-11-30 by an independent writer before
    round 4 started, evaluated on the code before round 4 (every key fact 0.286, coverage 0.427,
    intent 0.700, refusals 5/63, out of scope refused 4/7) and once on round 4 as merged.
    Floors = what was reached; never lower them. The targets (issue 13) are not met."""
    _assert_heldout_floors(base_services, "answers_heldout4.yaml", 70,
                           all_facts=0.713,  # 45/63 (round 12)
                           coverage=0.810,  # 0.811 (round 12)
                           intent=0.885,  # 62/70 (round 9; 59/70 before)
                           max_refusals=0,  # 0/63
                           min_oos=0.57)  # 4/7
