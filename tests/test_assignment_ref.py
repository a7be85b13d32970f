"""Round 12: a question that names an assignment is answered from that assignment's file.

The four assignment files share most words (inleveren, pagina's, checklist), so retrieval alone
answered "wat moet ik inleveren voor opdracht 2?" from opdracht 1 and "waar let de trainer op
bij opdracht 3?" from opdracht 4 (dev3-5, scope dev10)."""

from __future__ import annotations

import pytest

from bot.answering.assignment_ref import named_assignment
from bot.services import Services


@pytest.mark.parametrize(("text", "number"), [
    ("wat moet ik inleveren voor opdracht 2?", 2),
    ("opdr. 3: hoeveel partners?", 3),
    ("Opdracht nummer 4, welke tools?", 4),
    ("de tweede opdracht", 2),
    ("mijn 3de opdracht", 3),
    ("what do I hand in for the fourth opdracht?", 4),  # English after the glossary
    ("opdracht twee", 2),
])
def test_named_assignment(text: str, number: int) -> None:
    assert named_assignment(text) == number


@pytest.mark.parametrize("text", [
    "moet ik in de opdracht een SMART doel noemen?",  # "een" is no number here
    "welke opdracht past hierbij?",
    "opdracht 1 en opdracht 2 lijken op elkaar",  # two named: retrieval decides
    "hoeveel opdrachten zijn er?",
])
def test_no_single_assignment_named(text: str) -> None:
    assert named_assignment(text) is None


@pytest.mark.parametrize(("question", "path"), [
    ("wat moet ik nou precies inleveren voor opdracht 2 en hoeveel paginas",
     "opdrachten/opdracht-2-activiteit.md"),
    ("Waar let de trainer op bij de beoordeling van opdracht 3?",
     "opdrachten/opdracht-3-partners.md"),
    ("What exactly do I hand in for assignment 1?",
     "opdrachten/opdracht-1-omgevingsanalyse.md"),
])
def test_answer_comes_from_the_named_assignment(base_services: Services, question: str,
                                                path: str) -> None:
    answer = base_services.answers.ask(question)
    assert answer.sources and answer.sources[0].path == path
    assert answer.assignment == int(path.split("-")[1])  # its checklist button
