"""The answer report of a dev answer set, shared by the dev-set floor tests."""

from __future__ import annotations

from pathlib import Path

from bot.answering.evaluation import AnswerReport, evaluate_answers, load_answer_questions
from bot.services import Services

EVAL = Path(__file__).resolve().parent / "eval"


def dev_report(services: Services, name: str, questions: int) -> tuple[AnswerReport, str]:
    """The report of ``tests/eval/<name>`` and its verbose rendering (for assertion messages);
    asserts the set's size and that no answer has noise (link lists, mid-list starts, stray
    case quotes)."""
    composer = services.answers.composer
    assert composer is not None
    report = evaluate_answers(services.answers, load_answer_questions(EVAL / name),
                              composer.docs)
    detail = report.render(verbose=True)
    assert report.questions == questions, detail
    assert report.link_list_bodies == report.mid_list_starts == report.stray_case_quotes == 0, \
        detail
    return report, detail
