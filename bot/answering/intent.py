"""Offline intent recogniser: what kind of answer does the question ask for?

A scikit-learn logistic regression over the query embedding the retriever already computes
(multilingual, so English and Flemish questions land near their Dutch counterparts) plus
character n-grams of the question (cheap, catches "hoe", "waarom", "valkuil", "opdracht 3").
Trained at start-up from the labelled questions in ``knowledge/intenties.yaml`` (seeded, well
under a second once the training embeddings are cached in the data directory by content hash).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.retrieval.embeddings import Embedder

log = logging.getLogger(__name__)

INTENTS = ("definitie", "stappen", "waarom", "valkuilen", "voorbeeld", "opdracht", "cursus",
           "weerstand", "buiten_scope")
INTENT_FILE = "intenties.yaml"
SEED = 13
EMBEDDING_WEIGHT = 1.0
C = 4.0


@dataclass(frozen=True)
class IntentPrediction:
    intent: str
    confidence: float
    probabilities: dict[str, float]

    def p(self, intent: str) -> float:
        return self.probabilities.get(intent, 0.0)


def load_intent_examples(path: Path) -> list[tuple[str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    intents = raw.get("intents") if isinstance(raw, dict) else None
    if not isinstance(intents, dict):
        raise ValueError(f"{path}: expected 'intents: {{label: [questions]}}'")
    out: list[tuple[str, str]] = []
    for label, questions in intents.items():
        if label not in INTENTS:
            raise ValueError(f"{path}: unknown intent {label!r}")
        out.extend((str(q), str(label)) for q in questions or [])
    return out


class IntentModel:
    def __init__(self, embedder: Embedder, normalise: Callable[[str], str] = lambda s: s) -> None:
        self.embedder = embedder
        self.normalise = normalise
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                     lowercase=True, min_df=1)
        self.model = LogisticRegression(C=C, max_iter=2000, random_state=SEED)
        self.labels: list[str] = []
        self._w_dense = np.zeros((0, 0))
        self._w_chars = csr_matrix((0, 0))
        self._bias = np.zeros(0)

    def _features(self, texts: list[str], vectors: np.ndarray) -> csr_matrix:
        dense = csr_matrix(np.asarray(vectors, dtype=np.float64) * EMBEDDING_WEIGHT)
        return hstack([dense, self.chars.transform(texts)]).tocsr()

    def _encode(self, texts: list[str], cache_dir: Path | None) -> np.ndarray:
        digest = hashlib.sha256(
            ("\n".join([self.embedder.name, *texts])).encode("utf-8")).hexdigest()[:16]
        cache = cache_dir / f"intent-embeddings-{digest}.npy" if cache_dir else None
        if cache is not None and cache.is_file():
            try:
                cached: np.ndarray = np.load(cache)
                if cached.shape[0] == len(texts):
                    return cached
            except (OSError, ValueError):
                log.warning("intent embedding cache unreadable; recomputing")
        vectors = self.embedder.encode_queries(texts)
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                np.save(cache, vectors)
            except OSError as exc:
                log.warning("could not cache intent embeddings: %s", exc)
        return vectors

    def fit(self, examples: list[tuple[str, str]], cache_dir: Path | None = None) -> IntentModel:
        texts = [self.normalise(q) for q, _ in examples]
        labels = [label for _, label in examples]
        vectors = self._encode(texts, cache_dir)
        self.chars.fit(texts)
        self.model.fit(self._features(texts, vectors), labels)
        self.labels = [str(c) for c in self.model.classes_]
        # Prediction by hand (softmax of the linear scores, as sklearn's multinomial
        # predict_proba): skips sklearn's per-call input validation on the answer path.
        dims = vectors.shape[1]
        self._w_dense = np.ascontiguousarray(self.model.coef_[:, :dims].T * EMBEDDING_WEIGHT)
        self._w_chars = csr_matrix(self.model.coef_[:, dims:].T)
        self._bias = np.asarray(self.model.intercept_)
        return self

    def predict(self, question: str, vector: np.ndarray | None = None) -> IntentPrediction:
        """``question`` already normalised; ``vector`` its query embedding (computed if None)."""
        if vector is None:
            vector = self.embedder.encode_queries([question])[0]
        scores = np.asarray(vector, dtype=np.float64) @ self._w_dense + self._bias
        scores = scores + (self.chars.transform([question]) @ self._w_chars).toarray()[0]
        scores = np.exp(scores - scores.max())
        probs = scores / scores.sum()
        best = int(np.argmax(probs))
        return IntentPrediction(self.labels[best], float(probs[best]),
                                {label: float(p) for label, p in zip(self.labels, probs,
                                                                     strict=True)})


def train_intent_model(knowledge_dir: Path, embedder: Embedder,
                       normalise: Callable[[str], str] = lambda s: s,
                       cache_dir: Path | None = None) -> IntentModel | None:
    path = knowledge_dir / INTENT_FILE
    if not path.is_file():
        log.warning("no %s: answers fall back to the best passage", path)
        return None
    return IntentModel(embedder, normalise).fit(load_intent_examples(path), cache_dir)
