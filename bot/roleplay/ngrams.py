"""Character and word n-gram TF-IDF features of a reply (the lexical half of the classifier).

The analyser works on normalised tokens (`bot.roleplay.normalise.tokens`: lowercase, accents
folded, punctuation dropped): character n-grams inside each space-padded word (like
scikit-learn's ``char_wb``) plus word unigrams and bigrams (prefixed with ``=``, so they never
collide with character n-grams). Training fits scikit-learn's ``TfidfVectorizer`` with this very
analyser; inference is plain Python + numpy over the stored vocabulary and idf weights
(`NgramVectoriser.transform` reproduces ``TfidfVectorizer(sublinear_tf=True)``: ``1 + log(tf)``,
times idf, L2-normalised).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from bot.roleplay.normalise import tokens

CHAR_MIN: Final = 2
CHAR_MAX: Final = 5
WORD_MAX: Final = 2
WORD_PREFIX: Final = "="
MIN_DF: Final = 2
MAX_FEATURES: Final = 6000
"""Vocabulary cap (most frequent n-grams) — keeps the shipped model small."""


def analyse(text: str) -> list[str]:
    """All n-grams of one reply (with repeats: the counts are the term frequencies)."""
    toks = tokens(text)
    out: list[str] = []
    for tok in toks:
        padded = f" {tok} "
        for n in range(CHAR_MIN, CHAR_MAX + 1):
            out += [padded[i:i + n] for i in range(max(0, len(padded) - n + 1))]
    for n in range(1, WORD_MAX + 1):
        out += [WORD_PREFIX + " ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    return out


@dataclass
class NgramVectoriser:
    """Stored vocabulary + idf; `transform` gives L2-normalised sublinear TF-IDF rows."""

    terms: tuple[str, ...]
    idf: np.ndarray
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {t: i for i, t in enumerate(self.terms)}

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.terms)), dtype=np.float64)
        for row, text in enumerate(texts):
            for term, count in Counter(analyse(text)).items():
                j = self._index.get(term)
                if j is not None:
                    out[row, j] = (1.0 + math.log(count)) * self.idf[j]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-12))

    @classmethod
    def fit(cls, texts: Sequence[str], max_features: int = MAX_FEATURES) -> NgramVectoriser:
        """Fit the vocabulary and idf with scikit-learn (training only)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=MIN_DF,
                              max_features=max_features)
        vec.fit(list(texts))
        terms = vec.get_feature_names_out()
        return cls(tuple(str(t) for t in terms), np.asarray(vec.idf_, dtype=np.float64))
