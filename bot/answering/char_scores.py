"""The character n-gram part of the intent model's linear scores, without scikit-learn's and
scipy's per-call overhead.

``TfidfVectorizer.transform`` validates its input and builds sparse matrices on every call:
about 0.6 ms per question, twice per answer (the intent model and its scope model), where the
arithmetic itself takes a few microseconds (round 13, the 139 questions of
tests/eval/questions.yaml). `CharScores` does the same arithmetic in the same order (counts,
sublinear tf, idf, l2 norm summed left to right, then the weighted sum over the features in
index order, as scipy's sparse product sums), so the scores are the same floats
(tests/test_perf13.py compares them with ``(chars.transform(texts) @ weights).toarray()``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer


class CharScores:
    """``(chars.transform(texts) @ weights).toarray()`` for a fitted ``chars`` and a dense
    ``weights`` matrix (features x labels)."""

    def __init__(self, chars: TfidfVectorizer, weights: np.ndarray) -> None:
        self.chars = chars
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self._sparse = csr_matrix(self.weights)
        names = chars.get_feature_names_out()
        self._vocabulary = {str(name): i for i, name in enumerate(names)}
        self._analyze = chars.build_analyzer()
        self._idf = np.asarray(chars.idf_, dtype=np.float64) if chars.use_idf else None
        self._fast = chars.norm in ("l2", None) and not chars.binary and \
            chars.dtype == np.float64

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not self._fast:
            return np.asarray((self.chars.transform(texts) @ self._sparse).toarray())
        out = np.zeros((len(texts), self.weights.shape[1]))
        for row, text in enumerate(texts):
            counts: dict[int, int] = {}
            for feature in self._analyze(text):
                j = self._vocabulary.get(feature)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            index = np.array(sorted(counts), dtype=np.intp)
            data = np.array([counts[j] for j in index.tolist()], dtype=np.float64)
            if self.chars.sublinear_tf:
                np.log(data, data)
                data += 1.0
            if self._idf is not None:
                data *= self._idf[index]
            if self.chars.norm == "l2":
                total = 0.0
                for x in data.tolist():  # left to right, as sklearn's row normalisation
                    total += x * x
                if total != 0.0:
                    data /= math.sqrt(total)
            # Summed over the features in index order (rows of a C-ordered array are added
            # one after the other), as scipy's sparse product accumulates.
            out[row] = (data[:, None] * self.weights[index]).sum(axis=0)
        return out
