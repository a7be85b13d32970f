"""Agreement of the quiz judge with labelled participant answers.

``python -m bot.quiz.evaluation [FILE ...]`` (default: the development set and the held-out set,
reported apart). Needs no index, only the knowledge directory and the embedding model.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.quiz.judge import VERDICTS, QuizJudge, Verdict
from bot.quiz.questions import QuizBank

DEFAULT_FILES = ("tests/eval/quiz_answers.yaml", "tests/eval/quiz_answers_heldout.yaml")


@dataclass(frozen=True)
class LabelledAnswer:
    question: str
    answer: str
    verdict: Verdict


@dataclass
class AgreementReport:
    total: int = 0
    agree: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(expected, got) -> count."""
    misses: list[tuple[LabelledAnswer, str]] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return self.agree / self.total if self.total else 0.0

    def render(self) -> str:
        lines = [f"agreement {self.agree}/{self.total} = {self.agreement:.1%}"]
        for expected in VERDICTS:
            row = " ".join(f"{got}:{self.confusion[(expected, got)]}" for got in VERDICTS)
            lines.append(f"  expected {expected:<9} -> {row}")
        return "\n".join(lines)


def load_labelled(path: Path) -> list[LabelledAnswer]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    items = []
    for entry in raw:
        if entry["verdict"] not in VERDICTS:
            raise ValueError(f"{path}: unknown verdict {entry['verdict']!r}")
        items.append(LabelledAnswer(str(entry["question"]), str(entry["answer"]),
                                    entry["verdict"]))
    return items


def agreement(judge: QuizJudge, bank: QuizBank, items: Sequence[LabelledAnswer]) -> AgreementReport:
    report = AgreementReport()
    for item in items:
        question = bank.get(item.question)
        if question is None:
            raise KeyError(f"unknown quiz question {item.question!r}")
        got = judge.judge(question, item.answer).verdict
        report.total += 1
        report.confusion[(item.verdict, got)] += 1
        if got == item.verdict:
            report.agree += 1
        else:
            report.misses.append((item, got))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    from bot.quiz.questions import load_quiz
    from bot.retrieval.embeddings import make_embedder
    from bot.services import configure_runtime
    from bot.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", default=list(DEFAULT_FILES))
    parser.add_argument("--misses", action="store_true", help="list the disagreements")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_runtime(settings)
    bank = load_quiz(settings.knowledge_dir)
    judge = QuizJudge(make_embedder(settings.embedding_model))
    for name in args.files:
        report = agreement(judge, bank, load_labelled(Path(name)))
        print(f"{name}: {report.render()}")
        if args.misses:
            for item, got in report.misses:
                print(f"    [{item.question}] expected {item.verdict}, got {got}: {item.answer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
