"""Which section(s) of the right file answer (round 7, issue 13): the key facts were often in
the file but not in the answer. With the real index; questions written for these tests (not
from the eval sets)."""

from __future__ import annotations

import re

import pytest

from bot.answering.documents import build_documents
from bot.answering.evaluation import norm
from bot.knowledge.loader import load_knowledge
from bot.services import Services
from tests.test_answers import ROOT

LEARN = re.compile(r"^wat kun je ervan leren", re.I)
EXAMPLES = sorted(d.path for d in build_documents(load_knowledge(ROOT / "knowledge").files)
                  .values() if d.kind == "voorbeeld")


def first_line(text: str) -> str:
    line = next(ln for ln in text.splitlines() if ln.strip())
    return norm(re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line))[:30]


@pytest.mark.parametrize("path", EXAMPLES)
def test_what_can_i_learn_from_an_example_gets_its_lessons(base_services: Services,
                                                           path: str) -> None:
    """"Wat kan ik leren van X?" got *Wat is het?* of every voorbeeld file (0 of 16 before
    round 7): the file's section closest to the question answers."""
    composer = base_services.answers.composer
    assert composer is not None
    doc = composer.docs[path]
    learn = doc.find(LEARN)
    assert learn is not None
    answer = base_services.answers.ask(
        f"Wat kan ik als community librarian leren van {doc.title}?")
    assert answer.sources and answer.sources[0].path == path
    assert first_line(learn.text) in norm(answer.answer)
    assert len(answer.answer) <= 900


@pytest.mark.parametrize(("question", "fact"), [
    ("Voor opdracht 1: moet ik op de stakeholderkaart de naam van elke school schrijven?",
     "Schrijf concrete namen op"),
    ("Welke trede van de participatieladder moet ik kiezen voor opdracht 2?",
     "Kies bewust een trede"),
])
def test_how_to_do_part_of_an_assignment_comes_from_its_how_to_file(
        base_services: Services, question: str, fact: str) -> None:
    """A question about doing one part of an assignment is answered from the assignment's
    how-to file (lesstof/opdracht-*), still with the assignment's checklist button."""
    answer = base_services.answers.ask(question)
    assert answer.intent == "opdracht" and answer.assignment is not None
    assert answer.sources[0].path.startswith("lesstof/opdracht-")
    assert norm(fact) in norm(answer.answer)


@pytest.mark.parametrize(("question", "number"), [
    ("Wat moet ik inleveren voor opdracht 2?", 2),
    ("Wat lever ik in voor opdracht 4?", 4),
])
def test_what_to_hand_in_still_comes_from_the_task_file(base_services: Services,
                                                        question: str, number: int) -> None:
    composer = base_services.answers.composer
    assert composer is not None
    answer = base_services.answers.ask(question)
    assert answer.intent == "opdracht" and answer.assignment == number
    path = answer.sources[0].path
    assert path.startswith("opdrachten/")
    hand_in = composer.docs[path].find(re.compile(r"^wat lever je op", re.I))
    assert hand_in is not None and answer.answer.startswith(hand_in.text.splitlines()[0])
    assert len(answer.answer) <= 900


@pytest.mark.parametrize("question", ["Over welke onderwerpen gaat de cursus?",
                                      "What topics does the course cover?"])
def test_course_info_adds_the_section_as_close_as_the_first(base_services: Services,
                                                            question: str) -> None:
    """The best passage picked *Voor wie?* (160 characters); the five themes, as close to the
    question, now follow it under their heading."""
    answer = base_services.answers.ask(question)
    assert answer.intent == "cursus" and answer.sources[0].kind == "cursusinfo"
    text = norm(answer.answer)
    assert norm("Samenwerken en relatiebeheer") in text and "de vijf themas" in text
    assert len(answer.answer) <= 900
