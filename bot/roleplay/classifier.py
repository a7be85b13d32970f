"""The trained technique classifier: which techniques does one participant reply use?

Two one-vs-rest logistic regressions (scikit-learn), averaged per technique: one over the
sentence embedding of the reply plus a few structural features (question type, "dus …",
"… maar …", "moet", cue-phrase hits from ``_technieken.yaml``), one over character and word
n-gram TF-IDF (`bot.roleplay.ngrams`: it sees the wording the embedding blurs, such as
"ja maar", "valt wel mee", "uiterlijk vrijdag"). Training data:
``knowledge/rollenspel/_training.yaml``. Per technique a decision threshold is chosen by
cross-validation on the training data (never on a held-out set).

An optional rule from the technique definitions can sit on top of the thresholds (`exclusive`,
switched on by `EXCLUSIVE`; off in round 3, on since round 5's candidate 4): a reply is
either constructive or counterproductive, never both (the definitions say so: listening is
"zonder er meteen iets tegenover te zetten", counter-arguing includes "ik begrijp je, maar …",
pressure includes a filled-in summary "dus je doet mee"; the training data has 2 such pairs in
1,800 replies). When labels of both kinds pass their thresholds, only the kind with the
clearest margin over its threshold is kept — unless (round 7, `PAIRS`) the pair is one the
training data carries often enough and the losing label clears its threshold by that pair's
margin, chosen by CV (`bot.roleplay.metrics.best_pair_margins`): a full acknowledgement
followed by "maar …" is both moves (the convention in ``_technieken.yaml``).

The trained model is a small ``.npz`` (`MODEL_FILE`, shipped next to the data) holding the
folded scaler + weights, the n-gram vocabulary with idf and weights, the thresholds and a hash
of everything it was trained from (training file, technique list, feature version, embedding
model). `load_or_train` retrains when that hash
no longer matches (and caches the result in the data dir), so a stale model is never used.
Inference is plain numpy; scikit-learn is only imported to train.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
import yaml

from bot.retrieval.embeddings import cache_file, cached_rows
from bot.roleplay.cues import CueDetector
from bot.roleplay.metrics import (
    Scores,
    best_pair_margins,
    best_thresholds,
    evaluate,
    exclusive,
    render_scores,
)
from bot.roleplay.ngrams import MAX_FEATURES, NgramVectoriser
from bot.roleplay.normalise import sentences, tokens
from bot.roleplay.techniques import TechniqueBook

log = logging.getLogger(__name__)

__all__ = [
    "MODEL_FILE", "TRAINING_FILE", "Example", "FeatureExtractor", "Inputs", "QueryEncoder",
    "Scores", "TechniqueClassifier", "TechniqueModel", "TrainingDataError", "best_pair_margins",
    "best_thresholds",
    "cross_validate", "data_hash", "evaluate", "exclusive", "good_mask", "label_matrix",
    "load_examples", "load_or_train", "render_scores", "train_examples", "train_from_files",
    "train_model",
]

TRAINING_FILE: Final = "_training.yaml"
MODEL_FILE: Final = "_techniques_model.npz"
FEATURE_VERSION: Final = "rp-features-3"
"""Bump when the features (structural or n-gram) change: it invalidates every stored model."""
REGULARISATION_C: Final = 0.01
NGRAM_C: Final = 10.0
"""Regularisation of the n-gram model (TF-IDF rows are sparse and L2-normalised)."""
MIX: Final = 0.6
"""Weight of the embedding model in the averaged probability (the n-gram model gets the rest)."""
FOLDS: Final = 5
SEED: Final = 13
BATCH: Final = 64
EXCLUSIVE: Final = True
"""Apply the `exclusive` rule in shipped models. Round 3 left it off (two held-out floors failed
by one reply each on the 1,800-reply data); round 5 candidate 4 switched it on, because the
writers' data (55 replies with both kinds) taught the model to co-fire (docs/benchmarks.md
section 15, round 5)."""
PAIRS: Final = True
"""On since round 7's candidate 3 (pair margins on the unchanged training data; candidates 1-2,
with new replies, failed the held-out gate; docs/benchmarks.md "Round 7"). When on, the
`exclusive` rule keeps a
constructive and a counterproductive label together when both clear their thresholds
confidently enough for that pair (pair margins chosen by CV on the training data; the
convention is in ``_technieken.yaml``: a full acknowledgement followed by "maar …" is both
moves, a bare "ik snap het, maar …" only the counterproductive one)."""
DROPPED: Final = 0.49
"""Strength of a label that passed its threshold but lost to the other kind (`exclusive`)."""
DUS_WORDS: Final = frozenset({"dus", "kortom", "samengevat"})
MODAL_WORDS: Final = frozenset({"moet", "moeten", "moogt", "verplicht", "gewoon"})
YES_WORDS: Final = frozenset({"ja", "jawel", "jamaar", "klopt", "tuurlijk", "natuurlijk", "zeker"})


class QueryEncoder(Protocol):
    """What the classifier needs from an embedder (`bot.retrieval.embeddings.Embedder` fits):
    L2-normalised rows, one per text."""

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


class TrainingDataError(ValueError):
    """``_training.yaml`` is missing or invalid."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]
    weight: float = 1.0
    """Sample weight in training (the group's ``weight``, default 1)."""


def load_examples(path: Path, known: Sequence[str]) -> list[Example]:
    """Labelled replies from a training file (``groups: [{labels, texts, weight?}]``) or a
    held-out file (``replies: [{text, labels}]``). Unknown labels are an error."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"{path}: {exc}") from None
    out: list[Example] = []
    if not isinstance(data, dict):
        raise TrainingDataError(f"{path}: expected a mapping")
    for group in data.get("groups") or []:
        labels = frozenset(group.get("labels") or [])
        try:
            weight = float(group.get("weight", 1.0))
        except (TypeError, ValueError):
            raise TrainingDataError(f"{path}: weight must be a number") from None
        if not 0.0 < weight <= 10.0:
            raise TrainingDataError(f"{path}: weight must be in (0, 10]")
        out += [Example(" ".join(str(t).split()), labels, weight)
                for t in group.get("texts") or []]
    for item in data.get("replies") or []:
        out.append(Example(" ".join(str(item["text"]).split()),
                           frozenset(item.get("labels") or [])))
    unknown = sorted({lab for e in out for lab in e.labels} - set(known))
    if unknown:
        raise TrainingDataError(f"{path}: unknown labels: {', '.join(unknown)}")
    if not out:
        raise TrainingDataError(f"{path}: no replies")
    return out


def encoder_name(encoder: object) -> str:
    return str(getattr(encoder, "name", type(encoder).__name__))


def data_hash(training: Path, book: TechniqueBook, encoder: object) -> str:
    """What a model was trained from: training data, label set, features, embedding model."""
    digest = hashlib.sha256()
    for part in (FEATURE_VERSION, f"{REGULARISATION_C},{NGRAM_C},{MIX},{MAX_FEATURES}",
                 encoder_name(encoder), ",".join(book.ids),
                 repr(book.questions.model_dump()),
                 repr({k: (e.cues, e.weak_cues, e.negatable) for k, e in book.techniques.items()})):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(training.read_bytes())
    return digest.hexdigest()[:24]


class FeatureExtractor:
    """Embedding ⊕ structural features for a batch of replies."""

    def __init__(self, book: TechniqueBook, encoder: QueryEncoder) -> None:
        self.book = book
        self.encoder = encoder
        self.cues = CueDetector(book)

    def structural(self, text: str) -> list[float]:
        toks = tokens(text)
        found = self.cues.detect(text)
        first = [s.tokens[0] for s in sentences(text) if s.tokens]
        maar_late = any("maar" in s.tokens[1:] for s in sentences(text) if s.tokens)
        yes_but = any(s.tokens[:1] and s.tokens[0] in YES_WORDS and "maar" in s.tokens[:4]
                      for s in sentences(text))
        return [
            1.0 if "?" in text else 0.0,
            min(found.open_questions, 2) / 2,
            min(found.closed_questions, 2) / 2,
            1.0 if found.rhetorical else 0.0,
            1.0 if any(f in DUS_WORDS for f in first) else 0.0,
            1.0 if maar_late else 0.0,
            1.0 if yes_but else 0.0,
            1.0 if MODAL_WORDS & set(toks) else 0.0,
            1.0 if {"je", "jij", "jou", "jouw", "u", "uw", "jullie", "ge", "gij"} & set(toks)
            else 0.0,
            math.log1p(len(toks)) / 4,
            *(found.strengths.get(t, 0.0) for t in self.book.ids),
        ]

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [np.asarray(self.encoder.encode_queries(texts[i:i + BATCH]), dtype=np.float64)
                for i in range(0, len(texts), BATCH)]
        return np.vstack(rows)

    def features(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        emb = self.embed(texts) if embeddings is None else embeddings
        struct = np.array([self.structural(t) for t in texts], dtype=np.float64)
        return np.hstack([emb, struct])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))))


@dataclass(frozen=True)
class Inputs:
    """What the classifier sees of a batch of replies: dense features, the texts and (training
    only) sample weights."""

    x: np.ndarray
    texts: tuple[str, ...]
    weights: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> Inputs:
        return Inputs(self.x[rows], tuple(self.texts[i] for i in rows),
                      None if self.weights is None else self.weights[rows])

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class TechniqueModel:
    """Two logistic regressions, averaged: ``MIX * sigmoid(((x - mean) / scale) @ coef.T + b) +
    (1 - MIX) * sigmoid(tfidf(text) @ ngram_coef.T + ngram_intercept)``."""

    labels: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    ngrams: NgramVectoriser
    ngram_coef: np.ndarray
    ngram_intercept: np.ndarray
    thresholds: np.ndarray
    data_hash: str
    mix: float = MIX
    good: np.ndarray | None = None
    """Per label: True for a constructive technique (see `exclusive`); None = no rule."""
    pair_margins: np.ndarray | None = None
    """Labels x labels: the margin from which a constructive and a counterproductive label are
    kept together (`exclusive`; chosen by CV, ``inf`` = never); None = never."""

    def probabilities(self, inputs: Inputs) -> np.ndarray:
        dense = _sigmoid(((inputs.x - self.mean) / self.scale) @ self.coef.T + self.intercept)
        lexical = _sigmoid(self.ngrams.transform(inputs.texts) @ self.ngram_coef.T
                           + self.ngram_intercept)
        return np.asarray(self.mix * dense + (1.0 - self.mix) * lexical)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """0/1 decisions for a probability matrix: thresholds, then `exclusive`."""
        return exclusive(proba, self.thresholds, self.good, self.pair_margins)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh, labels=np.array(self.labels), mean=self.mean.astype(np.float32),
                scale=self.scale.astype(np.float32), coef=self.coef.astype(np.float32),
                intercept=self.intercept, terms=np.array("\n".join(self.ngrams.terms)),
                idf=self.ngrams.idf.astype(np.float32),
                ngram_coef=self.ngram_coef.astype(np.float16),
                ngram_intercept=self.ngram_intercept, thresholds=self.thresholds,
                mix=np.array(self.mix), data_hash=np.array(self.data_hash),
                good=np.array([] if self.good is None else self.good, dtype=bool),
                pair_margins=np.array([] if self.pair_margins is None else self.pair_margins,
                                      dtype=np.float64))

    @classmethod
    def load(cls, path: Path) -> TechniqueModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                labels=tuple(str(x) for x in data["labels"]),
                mean=data["mean"].astype(np.float64), scale=data["scale"].astype(np.float64),
                coef=data["coef"].astype(np.float64),
                intercept=data["intercept"].astype(np.float64),
                ngrams=NgramVectoriser(tuple(str(data["terms"]).split("\n")),
                                       data["idf"].astype(np.float64)),
                ngram_coef=data["ngram_coef"].astype(np.float64),
                ngram_intercept=data["ngram_intercept"].astype(np.float64),
                thresholds=data["thresholds"].astype(np.float64),
                data_hash=str(data["data_hash"]), mix=float(data["mix"]),
                good=(data["good"].astype(bool) if "good" in data.files and data["good"].size
                      else None),
                pair_margins=(data["pair_margins"].astype(np.float64)
                              if "pair_margins" in data.files and data["pair_margins"].size
                              else None),
            )

    def stored(self) -> TechniqueModel:
        """This model at the precision `save` stores (what a loaded model computes)."""
        return TechniqueModel(
            self.labels, self.mean.astype(np.float32).astype(np.float64),
            self.scale.astype(np.float32).astype(np.float64),
            self.coef.astype(np.float32).astype(np.float64), self.intercept,
            NgramVectoriser(self.ngrams.terms,
                            self.ngrams.idf.astype(np.float32).astype(np.float64)),
            self.ngram_coef.astype(np.float16).astype(np.float64), self.ngram_intercept,
            self.thresholds, self.data_hash, self.mix, self.good, self.pair_margins)


# Training -----------------------------------------------------------------------------------------
def _example_weights(examples: Sequence[Example]) -> np.ndarray | None:
    """Sample weights of ``examples`` (None when all are 1: plain fitting)."""
    weights = np.array([e.weight for e in examples], dtype=np.float64)
    return None if bool((weights == 1.0).all()) else weights


def label_matrix(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    return np.array([[1 if lab in e.labels else 0 for lab in labels] for e in examples])


def _fit(inputs: Inputs, y: np.ndarray, seed: int) -> TechniqueModel:
    """Both models on ``inputs`` (thresholds 0.5, no hash: `train_model` fills them in)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    def one_vs_rest(x: Any, c: float, max_iter: int) -> tuple[np.ndarray, np.ndarray]:
        """One balanced logistic regression per label (sample weights as given)."""
        models = [LogisticRegression(C=c, max_iter=max_iter, class_weight="balanced",
                                     random_state=seed).fit(x, y[:, j],
                                                            sample_weight=inputs.weights)
                  for j in range(y.shape[1])]
        return (np.vstack([m.coef_[0] for m in models]),
                np.array([float(m.intercept_[0]) for m in models]))

    scaler = StandardScaler().fit(inputs.x)
    coef, intercept = one_vs_rest(scaler.transform(inputs.x), REGULARISATION_C, 2000)
    vectoriser = NgramVectoriser.fit(inputs.texts)
    ngram_coef, ngram_intercept = one_vs_rest(
        sparse.csr_matrix(vectoriser.transform(inputs.texts)), NGRAM_C, 3000)
    return TechniqueModel(
        tuple(str(j) for j in range(y.shape[1])), scaler.mean_.copy(), scaler.scale_.copy(),
        coef, intercept, vectoriser, ngram_coef, ngram_intercept,
        np.full(y.shape[1], 0.5), "").stored()


def out_of_fold(inputs: Inputs, y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold probabilities of a shuffled `folds`-fold split."""
    from sklearn.model_selection import KFold

    proba = np.zeros(y.shape, dtype=np.float64)
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(inputs.x):
        proba[test] = _fit(inputs.take(train), y[train], seed).probabilities(inputs.take(test))
    return proba


def train_model(inputs: Inputs, y: np.ndarray, labels: Sequence[str], digest: str,
                seed: int = SEED, good: np.ndarray | None = None) -> TechniqueModel:
    """Fit on all data; thresholds (and the pair margins of the `exclusive` rule) from
    out-of-fold probabilities of a CV on the same data. ``good`` (per label: constructive?)
    switches on the `exclusive` rule."""
    oof = out_of_fold(inputs, y, FOLDS, seed)
    thresholds = best_thresholds(y, oof)
    model = _fit(inputs, y, seed)
    model.labels, model.thresholds, model.data_hash = tuple(labels), thresholds, digest
    model.good = good
    model.pair_margins = pair_margins_for(y, oof, thresholds, good)
    return model


def pair_margins_for(y: np.ndarray, oof: np.ndarray, thresholds: np.ndarray,
                     good: np.ndarray | None) -> np.ndarray | None:
    """The pair margins of the `exclusive` rule (None without the rule or with `PAIRS` off)."""
    if good is None or not PAIRS:
        return None
    return best_pair_margins(y, oof, thresholds, good)


def cross_validate(inputs: Inputs, y: np.ndarray, folds: int = FOLDS,
                   seed: int = SEED, good: np.ndarray | None = None) -> np.ndarray:
    """Honest CV decisions: each outer fold picks its thresholds by an inner CV on its own
    training part only. Returns the 0/1 decisions for every example."""
    from sklearn.model_selection import KFold

    decided = np.zeros(y.shape, dtype=int)
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(inputs.x):
        part = inputs.take(train)
        oof = out_of_fold(part, y[train], 3, seed)
        thresholds = best_thresholds(y[train], oof)
        pairs = pair_margins_for(y[train], oof, thresholds, good)
        proba = _fit(part, y[train], seed).probabilities(inputs.take(test))
        decided[test] = exclusive(proba, thresholds, good, pairs)
    return decided


def good_mask(book: TechniqueBook) -> np.ndarray:
    """Per technique of ``book``: True for a constructive one."""
    return np.array([book.techniques[t].kind == "good" for t in book.ids], dtype=bool)


# Use ----------------------------------------------------------------------------------------------
class TechniqueClassifier:
    """Probabilities and decisions per technique for one reply."""

    def __init__(self, model: TechniqueModel, extractor: FeatureExtractor) -> None:
        self.model = model
        self.extractor = extractor

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    def probability_matrix(self, texts: Sequence[str],
                           embeddings: np.ndarray | None = None) -> np.ndarray:
        """Probabilities for a batch of replies (rows) per technique (columns)."""
        texts = [" ".join(t.split()) for t in texts]
        x = self.extractor.features(texts, embeddings)
        return self.model.probabilities(Inputs(x, tuple(texts)))

    def decisions(self, texts: Sequence[str]) -> np.ndarray:
        """0/1 decisions for a batch of replies (the same as `classify` per reply)."""
        return self.model.decide(self.probability_matrix(texts))

    def probabilities(self, text: str, embedding: np.ndarray | None = None) -> dict[str, float]:
        emb = None if embedding is None else embedding.reshape(1, -1)
        proba = self.probability_matrix([text], emb)[0]
        return {lab: float(p) for lab, p in zip(self.model.labels, proba, strict=True)}

    def strengths(self, probabilities: dict[str, float]) -> dict[str, float]:
        """Probability rescaled so that each label's threshold maps to 0.5; exactly the labels
        of `decide` reach 0.5 (one dropped by the `exclusive` rule stays just under it)."""
        used = set(self.decide(probabilities))
        out = {}
        for lab, t in zip(self.model.labels, self.model.thresholds, strict=True):
            p = probabilities[lab]
            s = float(0.5 * p / t if p < t else 0.5 + 0.5 * (p - t) / max(1e-6, 1.0 - t))
            out[lab] = s if lab in used else min(s, DROPPED)
        return out

    def decide(self, probabilities: dict[str, float]) -> list[str]:
        row = np.array([[probabilities[lab] for lab in self.model.labels]])
        decided = self.model.decide(row)[0]
        return [lab for lab, d in zip(self.model.labels, decided, strict=True) if d]

    def classify(self, text: str) -> list[str]:
        return self.decide(self.probabilities(text))


def train_from_files(training: Path, book: TechniqueBook, encoder: QueryEncoder,
                     cache_dir: Path | None = None, seed: int = SEED,
                     ) -> tuple[TechniqueModel, Inputs, np.ndarray]:
    """Train on ``training``; returns (model, inputs, label matrix). Embeddings of the training
    replies are cached in ``cache_dir`` (per text)."""
    return train_examples(load_examples(training, book.ids), book, encoder,
                          data_hash(training, book, encoder), cache_dir, seed)


def train_examples(examples: Sequence[Example], book: TechniqueBook, encoder: QueryEncoder,
                   digest: str, cache_dir: Path | None = None, seed: int = SEED,
                   ) -> tuple[TechniqueModel, Inputs, np.ndarray]:
    """Train the shipped configuration on ``examples``; ``digest`` is stored in the model (the
    training data's hash, or a name for a model that is never shipped)."""
    extractor = FeatureExtractor(book, encoder)
    texts = [e.text for e in examples]
    emb = _cached_embeddings(texts, extractor, cache_dir, encoder_name(encoder))
    inputs = Inputs(extractor.features(texts, emb), tuple(texts), _example_weights(examples))
    y = label_matrix(examples, book.ids)
    good = good_mask(book) if EXCLUSIVE else None
    return train_model(inputs, y, book.ids, digest, seed, good), inputs, y


def _cached_embeddings(texts: list[str], extractor: FeatureExtractor, cache_dir: Path | None,
                      model_name: str) -> np.ndarray:
    """Embeddings of ``texts``; rows of texts embedded before come from a per-model cache in
    ``cache_dir``, so adding replies to the training data only embeds the new ones."""
    return cached_rows(texts, extractor.embed,
                       cache_file(cache_dir, "roleplay-training", model_name),
                       "training embeddings").astype(np.float64)


def load_or_train(folder: Path, book: TechniqueBook, encoder: QueryEncoder,
                  cache_dir: Path | None = None) -> TechniqueClassifier:
    """The shipped model when it matches the data; else a cached retrained one; else retrain
    now (logged, takes about a minute) and cache it in ``cache_dir``."""
    training = folder / TRAINING_FILE
    digest = data_hash(training, book, encoder)
    candidates = [folder / MODEL_FILE]
    if cache_dir is not None:
        candidates.append(cache_dir / f"roleplay-model-{digest}.npz")
    extractor = FeatureExtractor(book, encoder)
    for path in candidates:
        if path.is_file():
            try:
                model = TechniqueModel.load(path)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("cannot read technique model %s: %s", path, exc)
                continue
            if model.data_hash == digest and model.labels == book.ids:
                return TechniqueClassifier(model, extractor)
            log.warning("technique model %s is stale (data changed); retraining", path.name)
    model, _inputs, _y = train_from_files(training, book, encoder, cache_dir)
    if cache_dir is not None:
        try:
            model.save(cache_dir / f"roleplay-model-{digest}.npz")
        except OSError as exc:
            log.warning("cannot cache technique model: %s", exc)
    return TechniqueClassifier(model, extractor)
