"""Case and accent folding: the one implementation every matcher shares (retrieval, answering,
role-play cues, the quiz judge), so 'één', 'Eén' and 'een' match the same everywhere."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans("", "", "'’`")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str, *, keep_apostrophes: bool = True) -> str:
    """Lowercase and strip accents (ë→e, één→een), so 'australië' and 'australie' match.
    ``keep_apostrophes=False`` also drops apostrophes (z'n→zn): chat replies write them or not."""
    if text.isascii():  # NFKD leaves ASCII as it is and it has no combining marks
        lowered = text.lower()
        return lowered if keep_apostrophes else lowered.translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded if keep_apostrophes else folded.translate(_APOSTROPHES)


def fold_words(text: str) -> str:
    """`fold`, then only letters and digits, separated by single spaces."""
    return _NOT_WORD.sub(" ", fold(text)).strip()
