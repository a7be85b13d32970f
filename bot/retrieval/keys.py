"""Question-key vectors: the participant questions of ``knowledge/vragen/`` as one matrix.

Each key is embedded as a *query* (multilingual e5 "query:"), so a participant's question is
compared with questions, not with passages. The matrix is computed at ingest and cached in the
index directory as ``question-keys-<hash>.npy`` (hash of the model and every key), so start-up
only reads it; when the cache is missing (a new replica in Chroma server mode, a changed key
file) it is embedded once and written. Per question: one matrix product (a few thousand rows)
and two ``reduceat`` maxima, per file and per section; no extra model call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.knowledge.question_keys import QuestionKey, QuestionKeys
from bot.retrieval.embeddings import Embedder

log = logging.getLogger(__name__)

CACHE_PREFIX = "question-keys-"


@dataclass(frozen=True)
class KeyMatch:
    """How close a question is to the keys of each file and each section (best cosine)."""

    files: dict[str, float]
    """knowledge file path -> best key similarity."""
    sections: dict[str, float]
    """section id (``path#heading``, the ``##`` heading) -> best key similarity."""

    def section(self, key: str) -> float:
        """Similarity of a document section key; ``path#h2 > h3`` counts as its ``##``."""
        return self.sections.get(key.split(" > ", 1)[0], 0.0)


class KeyIndex:
    def __init__(self, keys: list[QuestionKey], vectors: np.ndarray) -> None:
        order = sorted(range(len(keys)), key=lambda i: (keys[i].path, keys[i].heading))
        self.keys = [keys[i] for i in order]
        m = np.asarray(vectors, dtype=np.float32)[order] if keys else \
            np.zeros((0, 1), dtype=np.float32)
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        self.matrix = np.ascontiguousarray(m / np.where(norms == 0, 1.0, norms))
        self.file_names, self._file_starts = _groups([k.path for k in self.keys])
        self.section_names, self._section_starts = _groups([k.section for k in self.keys])

    def __len__(self) -> int:
        return len(self.keys)

    def match(self, vector: np.ndarray | None) -> KeyMatch | None:
        if vector is None or not self.keys:
            return None
        sims = self.matrix @ np.asarray(vector, dtype=np.float32)
        files = np.maximum.reduceat(sims, self._file_starts)
        sections = np.maximum.reduceat(sims, self._section_starts)
        return KeyMatch(dict(zip(self.file_names, files.tolist(), strict=True)),
                        dict(zip(self.section_names, sections.tolist(), strict=True)))

    def nearest(self, vector: np.ndarray, n: int = 5) -> list[tuple[QuestionKey, float]]:
        """The ``n`` closest keys (for diagnostics)."""
        sims = self.matrix @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-sims)[:n]
        return [(self.keys[i], float(sims[i])) for i in top]


def _groups(names: list[str]) -> tuple[list[str], np.ndarray]:
    """Names of consecutive runs and their start offsets (for ``np.maximum.reduceat``)."""
    out: list[str] = []
    starts: list[int] = []
    for i, name in enumerate(names):
        if not out or out[-1] != name:
            out.append(name)
            starts.append(i)
    return out, np.asarray(starts, dtype=np.intp)


def cache_path(cache_dir: Path, keys: QuestionKeys, model: str) -> Path:
    return cache_dir / f"{CACHE_PREFIX}{keys.digest(model)}.npy"


def embed_keys(keys: QuestionKeys, embedder: Embedder, cache_dir: Path | None) -> np.ndarray:
    """The keys' query embeddings, from the cache when it holds them, else embedded (and
    cached; older caches of this directory are removed)."""
    texts = [k.question for k in keys.keys]
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    cache = cache_path(cache_dir, keys, embedder.name) if cache_dir is not None else None
    if cache is not None and cache.is_file():
        try:
            cached: np.ndarray = np.load(cache)
            if cached.shape[0] == len(texts):
                return cached
        except (OSError, ValueError):
            log.warning("question-key cache %s unreadable; embedding again", cache)
    vectors = np.vstack([embedder.encode_queries(texts[i:i + 64])
                         for i in range(0, len(texts), 64)]).astype(np.float32)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.parent / f".{cache.name}.tmp"
            with tmp.open("wb") as fh:
                np.save(fh, vectors)
            tmp.replace(cache)
            for old in cache.parent.glob(f"{CACHE_PREFIX}*.npy"):
                if old != cache:
                    old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not cache question-key embeddings: %s", exc)
    return vectors


def build_key_index(keys: QuestionKeys, embedder: Embedder,
                    cache_dir: Path | None) -> KeyIndex:
    return KeyIndex(keys.keys, embed_keys(keys, embedder, cache_dir))
