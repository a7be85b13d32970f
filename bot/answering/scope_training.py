"""Training data and features of the scope model (scope.py): which questions are in scope or off
topic, their feature rows, and the cached training.

- in scope: every participant question key of ``knowledge/vragen/`` and the hand-labelled
  intent examples that are not ``buiten_scope``;
- off topic: the ``buiten_scope`` intent examples and ``knowledge/buiten-scope.yaml``.

The fitted model is cached in the data directory by a hash of everything the features and the
fit read (``training_digest``), so a warm start builds no features.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.answering.intent import OFF_TOPIC, cached_model, encode_cached, load_hand_examples
from bot.answering.intent_sources import same_question
from bot.answering.scope import (
    MODEL_VERSION,
    NEIGHBOURS,
    OFF_TOPIC_FILE,
    SCALAR_WEIGHT,
    SCALARS,
    SEED,
    C,
    ScopeModel,
)
from bot.retrieval.embeddings import Embedder
from bot.retrieval.lexical import tokenize
from bot.retrieval.retriever import HybridRetriever

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    text: str
    off_topic: bool
    group: str
    """Cross-validation group: a question key's file (its siblings are paraphrases), else the
    text itself."""


def load_off_topic_questions(knowledge_dir: Path) -> list[str]:
    """The questions of ``knowledge/buiten-scope.yaml`` (``questions: {category: [...]}``)."""
    path = knowledge_dir / OFF_TOPIC_FILE
    if not path.is_file():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = raw.get("questions") if isinstance(raw, dict) else None
    if not isinstance(groups, dict):
        raise ValueError(f"{path}: expected 'questions: {{category: [questions]}}'")
    out: list[str] = []
    for category, questions in groups.items():
        if not isinstance(questions, list):
            raise ValueError(f"{path}: category {category!r} must be a list of questions")
        out.extend(str(q) for q in questions)
    return out


def training_examples(knowledge_dir: Path, retriever: HybridRetriever) -> list[Example]:
    """In scope: the attached question keys and the in-scope intent examples; off topic: the
    ``buiten_scope`` intent examples and ``buiten-scope.yaml``. Repeats (``same_question``)
    keep their first label."""
    seen: set[str] = set()
    out: list[Example] = []

    def add(text: str, off: bool, group: str) -> None:
        key = same_question(text)
        if key and key not in seen:
            seen.add(key)
            out.append(Example(text, off, group))

    hand = load_hand_examples(knowledge_dir)
    for q, label in hand:
        if label == OFF_TOPIC:
            add(q, True, f"hand:{q}")
    for q in load_off_topic_questions(knowledge_dir):
        add(q, True, f"extra:{q}")
    if retriever.keys is not None:
        for k in retriever.keys.keys:
            add(k.question, False, f"key:{k.path}")
    for q, label in hand:
        if label != OFF_TOPIC:
            add(q, False, f"hand:{q}")
    return out


class FeatureBuilder:
    """Training features from the retriever's material: chunk vectors, keys, vocabulary."""

    def __init__(self, retriever: HybridRetriever, chunk_matrix: np.ndarray,
                 normalise: Callable[[str], str]) -> None:
        self.retriever = retriever
        self.chunks = chunk_matrix
        self.normalise = normalise
        keys = retriever.keys
        self.key_matrix = keys.matrix if keys is not None else np.zeros((0, 1), np.float32)
        self.key_ids = np.array([same_question(k.question) for k in keys.keys]) \
            if keys is not None else np.array([], dtype=str)

    def rows(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """One feature row per (original) text and its normalised text's query embedding; a
        key's own entry (and its exact repeats) is left out of its key similarity."""
        v = np.asarray(vectors, dtype=np.float32)
        dense = (v @ self.chunks.T).max(axis=1) if self.chunks.size else np.zeros(len(texts))
        out = np.zeros((len(texts), v.shape[1] + SCALARS))
        key_sims = v @ self.key_matrix.T if len(self.key_ids) else None
        for i, text in enumerate(texts):
            key = 0.0
            if key_sims is not None:
                sims = key_sims[i].copy()
                sims[self.key_ids == same_question(text)] = -1.0
                key = float(sims.max())
            cov = self.retriever.lexical.coverage(tokenize(self.normalise(text)))
            out[i, :-SCALARS] = v[i]
            out[i, -SCALARS:] = ScopeModel.scalars(float(dense[i]), key, cov)
        return out


def chunk_matrix(by_section: dict[str, np.ndarray]) -> np.ndarray:
    mats = [m for m in by_section.values() if m.size]
    return np.vstack(mats).astype(np.float32) if mats else np.zeros((0, 1), np.float32)


def feature_rows(examples: list[Example], normalised: list[str], retriever: HybridRetriever,
                 chunks: np.ndarray, embedder: Embedder, normalise: Callable[[str], str],
                 cache_dir: Path | None) -> np.ndarray:
    """The training feature matrix (``FeatureBuilder.rows``; ``normalised``: each example's
    normalised text, whose query embedding comes from the per-model cache). The part of a cold
    start this costs (~0.6 s) is skipped when the model is cached (``training_digest``)."""
    if not examples:
        return np.zeros((0, 0))
    vectors = encode_cached(embedder, normalised, cache_dir)
    return FeatureBuilder(retriever, chunks, normalise).rows([e.text for e in examples], vectors)


def training_digest(examples: list[Example], normalised: list[str], retriever: HybridRetriever,
                    chunks: np.ndarray, embedder_name: str) -> str:
    """Hash of everything ``feature_rows`` and ``ScopeModel.fit`` read, so a cached model is
    found without building the features: the examples (text, normalised text, label), the
    embedding model's name (the query embeddings of the normalised texts), the chunk matrix
    (best dense), the question keys and their matrix (best key), the material's vocabulary
    (coverage), and the model's version and constants. A change to the feature code itself
    must bump ``MODEL_VERSION``."""
    h = hashlib.sha256(repr((MODEL_VERSION, embedder_name, C, SCALAR_WEIGHT, SCALARS,
                             NEIGHBOURS, SEED)).encode("utf-8"))

    def add_text(parts: list[str]) -> None:
        h.update("\x1e".join(parts).encode("utf-8"))
        h.update(b"\x1d")

    def add_matrix(matrix: np.ndarray) -> None:
        data = np.ascontiguousarray(matrix, dtype=np.float32)
        h.update(repr(data.shape).encode("ascii"))
        h.update(data.tobytes())

    add_text([f"{e.text}\t{n}\t{int(e.off_topic)}" for e, n in zip(examples, normalised,
                                                                  strict=True)])
    add_matrix(chunks)
    keys = retriever.keys
    add_text([k.question for k in keys.keys] if keys is not None else [])
    add_matrix(keys.matrix if keys is not None else np.zeros((0, 1), np.float32))
    add_text(sorted(retriever.lexical.vocabulary))
    return h.hexdigest()[:16]


def training_matrix(knowledge_dir: Path, retriever: HybridRetriever,
                    by_section: dict[str, np.ndarray], embedder: Embedder,
                    normalise: Callable[[str], str], cache_dir: Path | None,
                    ) -> tuple[list[Example], np.ndarray, np.ndarray]:
    examples = training_examples(knowledge_dir, retriever)
    x = feature_rows(examples, [normalise(e.text) for e in examples], retriever,
                     chunk_matrix(by_section), embedder, normalise, cache_dir)
    y = np.array([e.off_topic for e in examples], dtype=np.int64)
    return examples, x, y


def train_scope_model(knowledge_dir: Path, retriever: HybridRetriever,
                      by_section: dict[str, np.ndarray], embedder: Embedder,
                      normalise: Callable[[str], str] = lambda s: s,
                      cache_dir: Path | None = None) -> ScopeModel | None:
    """The scope model, or None without both classes (no off-topic data, no in-scope data):
    the composer then keeps the intent model's off-topic veto. The fitted model is cached by
    ``training_digest`` (a hash of the inputs), so a warm start builds no features."""
    if not (knowledge_dir / OFF_TOPIC_FILE).is_file():
        return None
    examples = training_examples(knowledge_dir, retriever)
    y = np.array([e.off_topic for e in examples], dtype=np.int64)
    if not examples or y.min() == y.max():
        log.warning("scope model: one class only (%d examples); intent veto kept", len(y))
        return None
    normalised = [normalise(e.text) for e in examples]
    chunks = chunk_matrix(by_section)
    digest = training_digest(examples, normalised, retriever, chunks, embedder.name)
    cached = cache_dir / f"scope-model-{digest}.npz" if cache_dir else None

    def fit() -> ScopeModel:
        x = feature_rows(examples, normalised, retriever, chunks, embedder, normalise, cache_dir)
        model = ScopeModel(embedder, normalise).fit(x, y)
        log.info("scope model: %d in scope, %d off topic", *model.trained_on)
        return model

    return cached_model(cached, ScopeModel(embedder, normalise).load, fit, "scope model")
