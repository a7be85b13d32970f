"""Embedding half of the analyser: how much a reply resembles replies that work or backfire.

Two views on the labelled example replies are blended:

- a small L2-regularised logistic regression on the embeddings (good vs. poor). Every casus has
  good and poor replies about the same topic, so the model learns the *manner* of a reply rather
  than its topic;
- a soft k-nearest-neighbour vote, which also yields a share per technique label.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

KNN_K = 15
KNN_TEMPERATURE = 0.05
LOGISTIC_L2 = 10.0
LOGISTIC_STEPS = 400
LOGISTIC_RATE = 0.5
LOGISTIC_WEIGHT = 0.6
BATCH = 64


class QueryEncoder(Protocol):
    """What the analyser needs from an embedder (`bot.retrieval.embeddings.Embedder` fits):
    L2-normalised rows, one per text."""

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Exemplar:
    text: str
    polarity: int
    """+1 for a reply that works, -1 for one that backfires."""
    labels: frozenset[str]
    source: str


@dataclass
class Judgement:
    polarity: float = 0.0
    """-1 (like replies that backfire) .. +1 (like replies that work)."""
    votes: dict[str, float] = field(default_factory=dict)
    """Similarity-weighted share of the nearest examples carrying each technique label."""


class SimilarityModel:
    """Embeds the exemplars once (lazily, optionally cached on disk) and judges replies."""

    def __init__(
        self,
        exemplars: Sequence[Exemplar],
        encoder: QueryEncoder,
        cache_dir: Path | None = None,
    ) -> None:
        self.exemplars = list(exemplars)
        self.encoder = encoder
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None
        self._mean = np.zeros(0, dtype=np.float64)
        self._scale = np.ones(0, dtype=np.float64)
        self._weights = np.zeros(0, dtype=np.float64)
        self._bias = 0.0

    def _encode(self, texts: list[str]) -> np.ndarray:
        rows = [
            np.asarray(self.encoder.encode_queries(texts[i : i + BATCH]), dtype=np.float32)
            for i in range(0, len(texts), BATCH)
        ]
        return np.vstack(rows)

    def _cache_path(self, texts: list[str]) -> Path | None:
        if self.cache_dir is None:
            return None
        name = str(getattr(self.encoder, "name", type(self.encoder).__name__))
        digest = hashlib.sha256("\n".join([name, *texts]).encode("utf-8")).hexdigest()[:20]
        return self.cache_dir / f"roleplay-exemplars-{digest}.npy"

    def warm_up(self) -> None:
        """Embed the exemplars and fit the model now instead of on the first reply."""
        with self._lock:
            if self._matrix is not None:
                return
            texts = [e.text for e in self.exemplars]
            cache = self._cache_path(texts)
            matrix: np.ndarray | None = None
            if cache is not None and cache.is_file():
                try:
                    matrix = np.load(cache)
                except (OSError, ValueError):
                    matrix = None
            if matrix is None or matrix.shape[0] != len(texts):
                matrix = self._encode(texts)
                if cache is not None:
                    try:
                        cache.parent.mkdir(parents=True, exist_ok=True)
                        np.save(cache, matrix)
                    except OSError as exc:  # a cache is a nice-to-have
                        log.warning("cannot cache role-play exemplars: %s", exc)
            self._fit(matrix)
            self._matrix = matrix

    def _fit(self, matrix: np.ndarray) -> None:
        x = matrix.astype(np.float64)
        y = np.array([1.0 if e.polarity > 0 else 0.0 for e in self.exemplars])
        self._mean = x.mean(axis=0)
        self._scale = x.std(axis=0) + 1e-6
        xs = (x - self._mean) / self._scale
        w = np.zeros(x.shape[1])
        b = 0.0
        n = len(y)
        for _ in range(LOGISTIC_STEPS):
            p = 1.0 / (1.0 + np.exp(-(xs @ w + b)))
            w -= LOGISTIC_RATE * (xs.T @ (p - y) / n + LOGISTIC_L2 * w / n)
            b -= LOGISTIC_RATE * float((p - y).mean())
        self._weights, self._bias = w, b

    def judge(self, text: str) -> Judgement:
        if not self.exemplars:
            return Judgement()
        self.warm_up()
        assert self._matrix is not None
        q = np.asarray(self.encoder.encode_queries([text]), dtype=np.float32)[0]
        z = float(((q - self._mean) / self._scale) @ self._weights + self._bias)
        p_logistic = float(1.0 / (1.0 + np.exp(-max(-30.0, min(30.0, z)))))
        sims = self._matrix @ q
        k = min(KNN_K, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        weights = np.exp((sims[top] - sims[top].max()) / KNN_TEMPERATURE)
        weights /= weights.sum()
        p_knn = 0.0
        votes: dict[str, float] = {}
        for w, i in zip(weights, top, strict=True):
            ex = self.exemplars[int(i)]
            if ex.polarity > 0:
                p_knn += float(w)
            for label in ex.labels:
                votes[label] = votes.get(label, 0.0) + float(w)
        p_good = LOGISTIC_WEIGHT * p_logistic + (1.0 - LOGISTIC_WEIGHT) * p_knn
        return Judgement(polarity=float(2.0 * p_good - 1.0), votes=votes)
