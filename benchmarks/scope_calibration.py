"""Off-topic boundary calibration (issue 13; rounds 6-8, docs/benchmarks.md).

Round 8: the scope model (bot/answering/scope.py) joins round 6's decision through the
agreement of the scope model's and the intent model's off-topic probabilities
(``scope.decide``). Two views, both dev only:

1. Cross-validation on the scope model's training data: out-of-fold off-topic probabilities
   (group k-fold, a question key's file is one group, so paraphrases of one section never sit
   on both sides) for the question keys, the in-scope intent examples, the ``buiten_scope``
   intent examples and ``knowledge/buiten-scope.yaml``.
2. The dev answer sets' first questions (follow-ups are not scope-checked alone) and the
   retrieval set (questions.yaml, ``grounded`` true/false), scored by the model fitted on all
   training data, as the composer retrieves them.

For a grid of thresholds (``VETO_AGREEMENT``, ``RESCUE_MAX_SCOPE``, ``RESCUE_MAX_INTENT``;
1.01 / 0 / 0 = round 6) it counts refused in-scope and refused off-topic questions per set.
``--c`` / ``--scalar-weight`` refit the model with other settings.

    PYTHONPATH=$PWD python benchmarks/scope_calibration.py tests/eval/answers.yaml \\
        tests/eval/answers_dev2.yaml tests/eval/answers_dev3.yaml tests/eval/answers_dev4.yaml \\
        tests/eval/answers_dev5.yaml tests/eval/answers_casus_dev7.yaml tests/eval/questions.yaml
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from bot.answering import scope as scope_module
from bot.answering.composer import AnswerComposer
from bot.answering.grounding import RESCUE_DENSE
from bot.answering.scope import ScopeModel, decide
from bot.answering.scope_training import Example, training_matrix
from bot.cli_common import load_settings
from bot.evaluation import load_eval_questions
from bot.services import build_services, configure_runtime

FOLDS = 5


@dataclass(frozen=True)
class DevPoint:
    set: str
    question: str
    in_scope: bool
    grounded: bool
    dense: float
    before: bool
    """Answered by the round-6 decision (the intent model's veto and rescue)."""
    p_intent: float
    protected: bool
    """Very close to the material or to a question key: never vetoed."""


Cut = tuple[float, float, float]


def answered(p_off: float, p: DevPoint, cut: Cut) -> bool:
    """``scope.decide`` for a first question with the thresholds as arguments."""
    return decide(p.before, p.grounded, p_off, p.p_intent, p.dense, RESCUE_DENSE, p.protected,
                  cut)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--c", type=float, nargs="+", default=[scope_module.C])
    parser.add_argument("--scalar-weight", type=float, nargs="+",
                        default=[scope_module.SCALAR_WEIGHT])
    parser.add_argument("--show", action="store_true", help="list dev misses at the default")
    args = parser.parse_args()
    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, lambda *a, **k: None)
    composer = services.answers.composer
    assert composer is not None and composer.sections is not None
    examples, x, y = training_matrix(settings.knowledge_dir, composer.retriever,
                                     composer.sections.by_section, composer.retriever.embedder,
                                     composer.glossary.normalise, settings.data_dir)
    rows: list[np.ndarray] = []
    points: list[DevPoint] = []
    for path in args.sets:
        for q in load_eval_questions(path):  # answer sets: first questions only
            point, row = score(composer, path.stem, q.question, q.grounded)
            points.append(point)
            rows.append(row)
    dev = np.vstack(rows)
    inside = [p for p in points if p.in_scope]
    outside = [p for p in points if not p.in_scope]
    print(f"training: {len(y)} examples, {int(y.sum())} off topic")
    print(f"dev first questions: in scope {len(inside)}, off topic {len(outside)}")
    print("round 6 (intent veto): in-scope refused "
          f"{sum(not p.before for p in inside)}, off-topic refused "
          f"{sum(not p.before for p in outside)}; per set: "
          + per_set(points, [p.before for p in points]))
    for c, weight in itertools.product(args.c, args.scalar_weight):
        calibrate(composer, examples, x, y, points, dev, (c, weight), args.show)


def calibrate(composer: AnswerComposer, examples: list[Example], x: np.ndarray, y: np.ndarray,
              points: list[DevPoint], dev: np.ndarray, params: tuple[float, float],
              show: bool) -> None:
    c, weight = params

    def model() -> ScopeModel:
        return ScopeModel(composer.retriever.embedder, composer.glossary.normalise, c=c,
                          scalar_weight=weight)

    oof = np.zeros(len(y))
    groups = [e.group for e in examples]
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        oof[test] = model().fit(x[train], y[train]).p_off_rows(x[test])
    p_off = model().fit(x, y).p_off_rows(dev)
    kinds = {"keys": [i for i, e in enumerate(examples) if e.group.startswith("key:")],
             "hand in-scope": [i for i, e in enumerate(examples)
                               if e.group.startswith("hand:") and not e.off_topic],
             "hand off-topic": [i for i, e in enumerate(examples)
                                if e.group.startswith("hand:") and e.off_topic],
             "buiten-scope.yaml": [i for i, e in enumerate(examples)
                                   if e.group.startswith("extra:")]}
    print(f"\n== C={c} scalar weight={weight}")
    print("cross-validated (group k-fold) refusals at p_off >= t:")
    for t in (0.3, 0.5, 0.7, 0.9):
        parts = [f"{name} {int((oof[idx] >= t).sum())}/{len(idx)}" for name, idx in
                 kinds.items()]
        print(f"  t={t:.2f}: " + ", ".join(parts))
    print("veto_agreement rescue_max_scope rescue_max_intent | dev in-scope refused | "
          "dev off-topic refused | per set (in-scope refused, off-topic refused)")
    n_in = sum(p.in_scope for p in points)
    grid = itertools.product((0.36, 0.40, 0.44, 0.48, 0.52, 1.01), (0.0, 0.02, 0.05, 0.1),
                             (0.25, 0.35))
    for cut in grid:
        ok = [answered(float(q), p, cut) for p, q in zip(points, p_off, strict=True)]
        i_ref = sum(not a for a, p in zip(ok, points, strict=True) if p.in_scope)
        o_ref = sum(not a for a, p in zip(ok, points, strict=True) if not p.in_scope)
        print(" ".join(f"{v:.2f}" for v in cut), f"| {i_ref}/{n_in} | "
              f"{o_ref}/{len(points) - n_in} | {per_set(points, ok)}")
    if show:
        cut = (scope_module.VETO_AGREEMENT, scope_module.RESCUE_MAX_SCOPE,
               scope_module.RESCUE_MAX_INTENT)
        print("misses at the shipped thresholds:")
        for p, q in zip(points, p_off, strict=True):
            if answered(float(q), p, cut) != p.in_scope:
                print(f"  {p.set} {'in' if p.in_scope else 'off'} p_off={q:.2f} "
                      f"p_intent={p.p_intent:.2f} "
                      f"grounded={p.grounded} dense={p.dense:.3f}: {p.question[:110]}")


def score(composer: AnswerComposer, name: str, question: str,
          in_scope: bool) -> tuple[DevPoint, np.ndarray]:
    """A dev question as the composer retrieves it, with its scope feature row."""
    text = composer.glossary.normalise(question)
    result = composer.retriever.retrieve(text, k=5, normalised=True)
    row = ScopeModel.features(result)
    assert row is not None
    pred = composer.asked_for(text, composer.predict(text, result.vector))
    before = composer.intent_grounded(result, pred)
    p_intent = pred.p("buiten_scope") if pred is not None else 0.0
    return DevPoint(name, question, in_scope, result.grounded, result.best_dense, before,
                    p_intent, composer.protected(result)), row


def per_set(points: list[DevPoint], answers: list[bool]) -> str:
    out = []
    for name in dict.fromkeys(p.set for p in points):
        mine = [(p, a) for p, a in zip(points, answers, strict=True) if p.set == name]
        i_ref = sum(not a for p, a in mine if p.in_scope)
        o_ref = sum(not a for p, a in mine if not p.in_scope)
        n_off = sum(not p.in_scope for p, _ in mine)
        out.append(f"{name.removeprefix('answers_') or name} {i_ref},{o_ref}/{n_off}")
    return " ".join(out)


if __name__ == "__main__":
    main()
