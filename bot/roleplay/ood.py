"""Out-of-distribution checks of the technique classifier: leave a writer's replies out.

Held-out micro-F1 sits below cross-validated F1 because new writers word the same moves
differently. `train_without` trains the shipped configuration on the training file minus the
replies of some writers (files of labelled replies that were also folded into the training
data), so that `score` measures how well the configuration generalises to those writers.
Used by ``benchmarks/roleplay_ood.py --leave-out``; `score` also by the OOD dev floor test.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.roleplay import classifier as clf
from bot.roleplay.metrics import Scores, evaluate
from bot.roleplay.techniques import TechniqueBook


def train_without(training: Path, leave_out: Sequence[Path], book: TechniqueBook,
                  encoder: clf.QueryEncoder, cache_dir: Path | None = None,
                  ) -> tuple[clf.TechniqueClassifier, int]:
    """A classifier trained like the shipped one on ``training`` without the replies in the
    ``leave_out`` files (compared after whitespace normalisation); also the number of training
    replies it saw."""
    held = {e.text for path in leave_out for e in clf.load_examples(path, book.ids)}
    examples = [e for e in clf.load_examples(training, book.ids) if e.text not in held]
    model, _inputs, _y = clf.train_examples(examples, book, encoder, "leave-out", cache_dir)
    return clf.TechniqueClassifier(model, clf.FeatureExtractor(book, encoder)), len(examples)


def score(classifier: clf.TechniqueClassifier, paths: Sequence[Path],
          ) -> tuple[dict[str, Scores], float, int]:
    """Per-technique and micro scores on the replies of one or more labelled files together,
    the exact label-set match rate and the number of replies."""
    examples = [e for path in paths for e in clf.load_examples(path, classifier.labels)]
    y = clf.label_matrix(examples, classifier.labels)
    decided = classifier.decisions([e.text for e in examples])
    exact = float((decided == y).all(axis=1).mean())
    return evaluate(y, decided, classifier.labels), exact, len(examples)
