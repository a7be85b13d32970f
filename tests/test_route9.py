"""Round 9 (issue 13, route9): lesson question or objection, decided by the file kind
retrieval puts first (bot/answering/route.py) where the intent model hesitates."""

from __future__ import annotations

import pytest

from bot.answering.documents import Document
from bot.answering.intent import INTENTS, IntentPrediction
from bot.answering.route import (
    CASUS_LEAD,
    LESSON_LEAD,
    casus_lead,
    lesson_intent,
    lesson_leads,
)
from bot.retrieval.chunking import Chunk
from bot.retrieval.keys import KeyMatch
from bot.retrieval.retriever import Hit, RetrievalResult
from bot.services import Services

DOCS = {p: Document(p, p, kind, p.split("/")[-1])
        for p, kind in [("casussen/a.md", "casus"), ("casussen/b.md", "casus"),
                        ("lesstof/x.md", "lesstof"), ("lesstof/y.md", "lesstof")]}


def _result(scores: dict[str, float], keys: dict[str, float] | None = None) -> RetrievalResult:
    hits = [Hit(Chunk(f"{p}#0", p, p, "", p, DOCS[p].kind, "", f"{p}#0", ""), s, 0.9, 0.0)
            for p, s in sorted(scores.items(), key=lambda kv: -kv[1])]
    return RetrievalResult("q", hits, True, 0.9, 1.0,
                           keys=KeyMatch(keys, {}) if keys is not None else None)


def _pred(probs: dict[str, float]) -> IntentPrediction:
    full = {k: probs.get(k, 0.0) for k in INTENTS}
    best = max(full, key=lambda k: full[k])
    return IntentPrediction(best, full[best], full)


def test_casus_lead_is_best_casus_over_best_other_file() -> None:
    assert casus_lead(_result({"casussen/a.md": 0.2, "casussen/b.md": 0.3,
                               "lesstof/x.md": 0.15}), DOCS) == pytest.approx(2.0)
    assert casus_lead(_result({"lesstof/x.md": 0.1}), DOCS) == 0.0
    assert casus_lead(_result({"casussen/a.md": 0.1}), DOCS) == float("inf")


def test_lesson_files_lead_by_score_and_by_their_question_keys() -> None:
    assert LESSON_LEAD > 1.0 and CASUS_LEAD > 1.0
    close = {"casussen/a.md": 0.105, "lesstof/x.md": 0.1}  # 1.05: the keys decide
    assert lesson_leads(_result(close, {"lesstof/x.md": 0.93, "casussen/b.md": 0.90}), DOCS)
    assert not lesson_leads(_result(close, {"lesstof/x.md": 0.88, "casussen/b.md": 0.90}),
                            DOCS)
    assert not lesson_leads(_result(close), DOCS)  # no keys: the casus keeps it
    clear = {"casussen/a.md": 0.05, "lesstof/x.md": 0.1}
    assert not lesson_leads(_result(clear, {"lesstof/x.md": 0.85, "casussen/a.md": 0.9}),
                            DOCS)  # the keys disagree: a lead alone does not decide
    ahead = _result({"casussen/a.md": 0.15, "lesstof/x.md": 0.1},
                    {"lesstof/x.md": 0.95, "casussen/a.md": 0.85})
    assert not lesson_leads(ahead, DOCS)  # 1.5: the casus leads whatever the keys say


def test_lesson_intent_is_the_sure_asking_sentence_else_the_best_lesson_intent() -> None:
    story = _pred({"weerstand": 0.5, "valkuilen": 0.2, "definitie": 0.15, "buiten_scope": 0.15})
    assert lesson_intent(story) == "valkuilen"
    assert lesson_intent(story, _pred({"stappen": 0.8, "valkuilen": 0.2})) == "stappen"
    # an unsure asking sentence ("Is dat erg?") does not outvote the whole story
    assert lesson_intent(story, _pred({"definitie": 0.3, "valkuilen": 0.25,
                                       "waarom": 0.25, "stappen": 0.2})) == "valkuilen"
    # nor does one that is sure of an objection or of off-topic
    assert lesson_intent(story, _pred({"weerstand": 0.9, "stappen": 0.1})) == "valkuilen"
    assert lesson_intent(story, _pred({"buiten_scope": 0.9, "stappen": 0.1})) == "valkuilen"


STORIES = [
    # Both were routed the other way before round 9 (objection advice for the lesson story,
    # a lesson file's "waarom" section for the objection).
    # a what/why question about a described objection: the casus's concern
    ("De voorzitter van de buurtvereniging zei op de bewonersavond dat de bieb alleen komt "
     "als er subsidie te halen valt. Waarom denkt hij dat?", "weerstand", "casus"),
    # a lesson question told as a situation, nobody resists: the lesson file
    ("Mijn collega regelt alle afspraken met de school mondeling en schrijft nooit iets op. "
     "Is dat een probleem?", "valkuilen", "lesstof"),
]


@pytest.mark.parametrize(("story", "intent", "kind"), STORIES)
def test_the_leading_file_kind_routes_a_story(base_services: Services, story: str,
                                              intent: str, kind: str) -> None:
    answer = base_services.answers.ask(story)
    composer = base_services.answers.composer
    assert composer is not None
    assert answer.grounded and answer.sources, story
    assert answer.intent == intent, story
    assert composer.docs[answer.sources[0].path].kind == kind, story
