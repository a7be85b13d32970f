"""Round 13 (issue 13, route13): the composer's file choice among the retrieved files
(bot/answering/file_choice.py) and course questions the intent model put second
(bot/answering/route.py)."""

from __future__ import annotations

import math

from bot.answering.documents import Document, Section
from bot.answering.file_choice import (
    ASSIGNMENT_FILE_PENALTY,
    KEY_FILE_SHARPNESS,
    PREVIOUS_FILE,
    TITLE_BOOST,
    choose_file,
    file_score,
    rank_files,
)
from bot.answering.intent import INTENTS, IntentPrediction
from bot.answering.route import COURSE_MIN, course_question
from bot.retrieval.chunking import Chunk
from bot.retrieval.keys import KeyMatch
from bot.retrieval.retriever import Hit, RetrievalResult


def _doc(path: str, kind: str, title: str, headings: tuple[str, ...] = ()) -> Document:
    topic = path.split("/")[-1].removesuffix(".md")
    doc = Document(path, title, kind, topic)
    for h in ("Wat is het?", "Hoe pak je het aan?", "Valkuilen", *headings):
        doc.sections.append(Section(h, f"Tekst over {h.lower()}", f"{path}#{h}"))
    return doc


DOCS = {d.path: d for d in [
    _doc("lesstof/partners-zoeken.md", "lesstof", "Partners zoeken"),
    _doc("lesstof/relaties-bouwen.md", "lesstof", "Relaties bouwen"),
    _doc("lesstof/promotie.md", "lesstof", "Promotie"),
    _doc("voorbeelden/dokk1.md", "voorbeeld", "Dokk1"),
    _doc("opdrachten/opdracht-3-partners.md", "opdracht", "Opdracht 3"),
    _doc("casussen/a.md", "casus", "Casus a"),
    _doc("casussen/b.md", "casus", "Casus b"),
    _doc("lesstof/x.md", "lesstof", "X"),
    _doc("cursus/cursusinformatie.md", "cursusinfo", "Cursusinformatie"),
]}


def _hit(path: str, score: float) -> Hit:
    doc = DOCS[path]
    return Hit(Chunk(f"{path}#0", path, doc.title, "", doc.topic, doc.kind, "",
                     f"{path}#Hoe pak je het aan?", ""), score, 0.9, 0.0)


def test_file_score_boosts_a_named_title_and_lowers_unasked_assignments() -> None:
    partners = DOCS["lesstof/partners-zoeken.md"]
    assert file_score(0.1, partners, {"partner"}, "stappen") == TITLE_BOOST * 0.1
    assert file_score(0.1, partners, {"contact"}, "stappen") == 0.1
    task = DOCS["opdrachten/opdracht-3-partners.md"]
    assert file_score(0.1, task, {"contact"}, "stappen") == ASSIGNMENT_FILE_PENALTY * 0.1
    assert file_score(0.1, task, {"opdracht"}, "stappen") > 0.1  # asked about: no penalty


def test_closer_question_keys_outweigh_a_title_that_names_a_word() -> None:
    """"Hoe houd ik het contact met partners warm?": *Partners zoeken* leads by its title
    ("partner"), but *Relaties bouwen*'s question keys are clearly closer (0.06)."""
    hits = [_hit("lesstof/partners-zoeken.md", 0.11), _hit("lesstof/relaties-bouwen.md", 0.10)]
    keys = {"lesstof/partners-zoeken.md": 0.877, "lesstof/relaties-bouwen.md": 0.937}
    tokens = {"contact", "partner", "warm"}
    assert choose_file(hits, DOCS, tokens, "stappen").chunk.path == "lesstof/partners-zoeken.md"
    assert choose_file(hits, DOCS, tokens, "stappen", keys).chunk.path == \
        "lesstof/relaties-bouwen.md"
    # a small key gap does not overrule a clear retrieval lead
    near = {"lesstof/partners-zoeken.md": 0.930, "lesstof/relaties-bouwen.md": 0.937}
    assert choose_file(hits, DOCS, tokens, "stappen", near).chunk.path == \
        "lesstof/partners-zoeken.md"
    assert math.log(TITLE_BOOST * 0.11 / 0.10) < KEY_FILE_SHARPNESS * 0.06


def test_a_question_after_an_answer_stays_in_that_file_when_it_is_close() -> None:
    """"En waarom zou ge de mensen hoger op die ladder zetten?" after the participation ladder:
    the previous answer's file keeps it against a file whose keys are a little closer."""
    hits = [_hit("lesstof/x.md", 0.091), _hit("lesstof/promotie.md", 0.083)]
    keys = {"lesstof/x.md": 0.861, "lesstof/promotie.md": 0.880}
    assert choose_file(hits, DOCS, set(), "waarom", keys).chunk.path == "lesstof/promotie.md"
    assert choose_file(hits, DOCS, set(), "waarom", keys, "lesstof/x.md").chunk.path == \
        "lesstof/x.md"
    # not found by retrieval, or clearly behind: the question leaves the previous file
    assert choose_file(hits, DOCS, set(), "waarom", keys, "lesstof/y.md").chunk.path == \
        "lesstof/promotie.md"
    far = [_hit("lesstof/x.md", 0.05), _hit("lesstof/promotie.md", 0.083)]
    assert choose_file(far, DOCS, set(), "waarom", keys, "lesstof/x.md").chunk.path == \
        "lesstof/promotie.md"
    assert 1.0 < PREVIOUS_FILE < TITLE_BOOST


def test_rank_files_without_keys_is_by_file_score() -> None:
    hits = [_hit("lesstof/promotie.md", 0.12), _hit("lesstof/x.md", 0.15)]
    ranked = rank_files(hits, DOCS, {"promotie"}, "valkuilen")
    assert [h.chunk.path for h in ranked] == ["lesstof/promotie.md", "lesstof/x.md"]


def test_an_example_question_takes_a_close_example_file() -> None:
    hits = [_hit("lesstof/promotie.md", 0.12), _hit("voorbeelden/dokk1.md", 0.10)]
    assert choose_file(hits, DOCS, set(), "voorbeeld").chunk.path == "voorbeelden/dokk1.md"
    assert choose_file(hits, DOCS, set(), "stappen").chunk.path == "lesstof/promotie.md"
    far = [_hit("lesstof/promotie.md", 0.20), _hit("voorbeelden/dokk1.md", 0.10)]
    assert choose_file(far, DOCS, set(), "voorbeeld").chunk.path == "lesstof/promotie.md"


def _result(scores: dict[str, float], keys: dict[str, float]) -> RetrievalResult:
    hits = [_hit(p, s) for p, s in sorted(scores.items(), key=lambda kv: -kv[1])]
    return RetrievalResult("q", hits, True, 0.9, 1.0, keys=KeyMatch(keys, {}))


def _pred(probs: dict[str, float]) -> IntentPrediction:
    full = {k: probs.get(k, 0.0) for k in INTENTS}
    best = max(full, key=lambda k: full[k])
    return IntentPrediction(best, full[best], full)


def test_a_course_question_put_second_goes_to_the_course_information() -> None:
    """"Kan Wijkwijs mijn opdracht ook goedkeuren?": opdracht first, cursus second, and the
    closest question key is the course information's."""
    hits = {"opdrachten/opdracht-3-partners.md": 0.12, "cursus/cursusinformatie.md": 0.08}
    course_keys = {"cursus/cursusinformatie.md": 0.912, "opdrachten/opdracht-3-partners.md": 0.89}
    assert 0.1 < COURSE_MIN <= 0.2
    asked = _pred({"opdracht": 0.58, "cursus": 0.22, "stappen": 0.2})
    assert course_question(asked, _result(hits, course_keys), DOCS)
    task_keys = {"cursus/cursusinformatie.md": 0.88, "opdrachten/opdracht-3-partners.md": 0.91}
    assert not course_question(asked, _result(hits, task_keys), DOCS)
    unlikely = _pred({"opdracht": 0.9, "cursus": 0.05, "stappen": 0.05})
    assert not course_question(unlikely, _result(hits, course_keys), DOCS)
    already = _pred({"cursus": 0.8, "opdracht": 0.2})
    assert not course_question(already, _result(hits, course_keys), DOCS)
