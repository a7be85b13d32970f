"""Off-topic boundary calibration (issue 13, round 6; docs/benchmarks.md, "Round 6").

Scores every question key of ``knowledge/vragen/`` (in-scope participant questions; its key
similarity is to the nearest *other* key) and the first questions of the dev answer sets with
the scope features the composer decides on (retrieval grounded, best dense cosine, off-topic
probability and intent, best question-key similarity), then counts, for a grid of the
composer's thresholds, how many keys and in-scope dev questions are refused and how many
off-topic dev questions are refused. Follow-ups are left out (they are not scope-checked).

    PYTHONPATH=$PWD python benchmarks/scope_calibration.py tests/eval/answers.yaml \\
        tests/eval/answers_dev2.yaml tests/eval/answers_dev3.yaml tests/eval/answers_dev4.yaml \\
        tests/eval/answers_dev5.yaml
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

from bot.answering.composer import AnswerComposer
from bot.answering.evaluation import load_answer_questions
from bot.answering.intent_sources import same_question
from bot.cli_common import load_settings
from bot.services import build_services, configure_runtime


@dataclass(frozen=True)
class Point:
    grounded: bool
    dense: float
    p_oos: float
    off_topic: bool
    """The intent model's likeliest intent is off-topic."""
    key: float


def score(composer: AnswerComposer, question: str, skip_self: bool = False) -> Point:
    text = composer.glossary.normalise(question)
    result = composer.retriever.retrieve(text, k=5, normalised=True)
    pred = composer.predict(text, result.vector)
    assert pred is not None and result.vector is not None
    keys = composer.retriever.keys
    key = 0.0
    if keys is not None:
        same = same_question(question)
        key = max((sim for k, sim in keys.nearest(result.vector, n=4)
                   if not (skip_self and same_question(k.question) == same)), default=0.0)
    return Point(result.grounded, result.best_dense, pred.p("buiten_scope"),
                 pred.intent == "buiten_scope", key)


def answered(p: Point, veto: float, max_dense: float, key_in: float, rescue_oos: float,
             rescue_dense: float) -> bool:
    """``AnswerComposer.grounded`` with the thresholds as arguments."""
    if p.grounded:
        return not (p.p_oos >= veto and p.off_topic and p.dense < max_dense and p.key < key_in)
    return p.p_oos <= rescue_oos and p.dense >= rescue_dense


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    args = parser.parse_args()
    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, lambda *a, **k: None)
    composer = services.answers.composer
    assert composer is not None and composer.retriever.keys is not None
    seen: set[str] = set()
    keys: list[Point] = []
    for k in composer.retriever.keys.keys:
        if same_question(k.question) not in seen:
            seen.add(same_question(k.question))
            keys.append(score(composer, k.question, skip_self=True))
    inside: list[Point] = []
    outside: list[Point] = []
    for path in args.sets:
        for q in load_answer_questions(path):
            if not q.follow_up_of:
                (inside if q.in_scope else outside).append(score(composer, q.question))
    print(f"question keys {len(keys)}, dev first questions in scope {len(inside)}, "
          f"off-topic {len(outside)}")
    print("veto max_dense key_in rescue_oos rescue_dense | keys refused | dev in-scope refused"
          " | dev off-topic refused")
    grid = itertools.product((0.40, 0.45, 0.50), (0.90, 0.92), (0.93, 0.95), (0.15, 0.20),
                             (0.80, 0.82))
    for cut in grid:
        k_ref = sum(not answered(p, *cut) for p in keys)
        i_ref = sum(not answered(p, *cut) for p in inside)
        o_ref = sum(not answered(p, *cut) for p in outside)
        print(" ".join(f"{c:.2f}" for c in cut),
              f"| {k_ref} ({k_ref / len(keys):.3f}) | {i_ref}/{len(inside)} | "
              f"{o_ref}/{len(outside)}")


if __name__ == "__main__":
    main()
