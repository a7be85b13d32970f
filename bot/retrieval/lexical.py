"""BM25 over the chunks with Dutch stemming and Dutch stopwords (bm25s + PyStemmer)."""

from __future__ import annotations

import re
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

from bot.folding import fold

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Question words and chat filler carry no topic; they would make every question "match".
EXTRA_STOPWORDS = {
    "wat", "hoe", "waarom", "wanneer", "welke", "welk", "wie", "waar", "kan", "kun", "kunnen",
    "moet", "moeten", "mag", "ik", "je", "jij", "we", "wij", "mijn", "onze", "ons", "eigenlijk",
    "best", "beste", "goed", "goede", "iemand", "iets", "zo", "even", "graag", "vraag", "vragen",
    "tips", "tip", "precies", "ofzo", "gewoon", "zeg", "echt", "nou", "hé", "hey", "hallo", "hoi",
    "please", "can", "how", "what", "why", "which", "should", "does", "do", "is", "are", "the",
    "i", "my", "me", "you", "your", "a", "an", "to", "of", "for", "with", "about",
}
STOPWORDS = frozenset(STOPWORDS_DUTCH) | frozenset(STOPWORDS_EN) | EXTRA_STOPWORDS


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch")


TOKEN_CACHE = 8192
"""Texts whose tokens are remembered (``tokenize``). The answer path tokenizes the same section
texts, titles and casus sentences for every question (about 60 calls per answer, round 13);
the course material has a few thousand such texts."""


def tokenize(text: str) -> list[str]:
    """Folded, stemmed content words of ``text`` (a new list on every call)."""
    return list(_tokens(text))


@lru_cache(maxsize=TOKEN_CACHE)
def _tokens(text: str) -> tuple[str, ...]:
    words = [w for w in _WORD.findall(fold(text)) if w not in STOPWORDS and len(w) > 1]
    return tuple(_stemmer().stemWords(words))


class LexicalIndex:
    """In-memory BM25; rebuilt from chunk texts at load (a few hundred chunks: milliseconds)."""

    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        corpus_tokens = [tokenize(t) for t in texts]
        self.vocabulary: frozenset[str] = frozenset(t for doc in corpus_tokens for t in doc)
        self._bm25 = bm25s.BM25()
        self._vocab_ids: dict[str, int] = {}
        if texts:
            vocab_ids: dict[str, int] = {}
            ids = [[vocab_ids.setdefault(t, len(vocab_ids)) for t in doc] for doc in corpus_tokens]
            self._vocab_ids = vocab_ids
            self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab_ids),
                             show_progress=False)

    def coverage(self, query_tokens: list[str]) -> float:
        """Share of the query's content words that occur anywhere in the material."""
        if not query_tokens:
            return 0.0
        return sum(t in self.vocabulary for t in query_tokens) / len(query_tokens)

    def search(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Return ``(chunk index, bm25 score)`` best first, only positive scores."""
        known = [t for t in query_tokens if t in self._vocab_ids]
        if not known or self.size == 0:
            return []
        scores = self._bm25.get_scores(known)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
