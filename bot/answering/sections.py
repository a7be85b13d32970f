"""Section-level matching: how close is a question to each section of a file?

The index already holds one embedding per chunk (title + heading + passage, multilingual e5
"passage:"), so a section's similarity to a question is the best cosine of its chunks to the
query embedding ("query:"). Loaded once from the vector store at start-up (a few hundred small
vectors); no extra model call per question.

Used to pick a file's *specific* section ("Sturen met GOTIK", "Persona's", "De
overtuigingsprincipes van Cialdini") over the generic section for the recognised intent when the
question is clearly about it, and to answer follow-ups about the previous answer's content from
the section of that file the follow-up is closest to.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from bot.retrieval.retriever import HybridRetriever


class SectionVectors:
    def __init__(self, by_section: dict[str, np.ndarray]) -> None:
        self.by_section = by_section
        """section key (path#heading) -> matrix of its chunks' unit vectors."""

    @classmethod
    def load(cls, retriever: HybridRetriever) -> SectionVectors:
        chunks = retriever.chunks
        try:
            stored = retriever.store.vectors([c.id for c in chunks])
        except Exception:  # a store without vectors: intent-only section choice
            stored = {}
        rows: dict[str, list[list[float]]] = defaultdict(list)
        for c in chunks:
            vec = stored.get(c.id)
            if vec is not None:
                rows[c.section].append(vec)
        by_section: dict[str, np.ndarray] = {}
        for key, vecs in rows.items():
            m = np.asarray(vecs, dtype=np.float32)
            norms = np.linalg.norm(m, axis=1, keepdims=True)
            by_section[key] = m / np.where(norms == 0, 1.0, norms)
        return cls(by_section)

    def similarity(self, key: str, vector: np.ndarray | None) -> float:
        """Best cosine of the section's chunks to ``vector`` (0 when unknown)."""
        m = self.by_section.get(key)
        if m is None or vector is None:
            return 0.0
        return float(np.max(m @ np.asarray(vector, dtype=np.float32)))

    def similarities(self, keys: list[str], vector: np.ndarray | None) -> dict[str, float]:
        return {k: self.similarity(k, vector) for k in keys}
