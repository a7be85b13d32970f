"""Long questions told as a story: which sentence carries the ask?

New writers describe their situation in several sentences and ask in the last one ("... Ze
zei dat ze de subsidie anders lastig kan verdedigen. Hoe pak ik het vervolggesprek aan?").
The whole text decides *what* it is about; the asking sentence decides *what kind* of answer is
wanted when it asks for a definition or a reason ("... doel niet SMART. Wat bedoelt ze
daarmee?"): a story around a what/why question is not an objection to handle.
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
ASK_INTENTS = frozenset({"definitie", "waarom"})
"""Kinds of answer an asking sentence may claim over the whole story's ``weerstand``."""
ASK_MIN = 0.45
"""...when the asking sentence alone gives that intent at least this probability."""


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def ask_sentence(text: str) -> str:
    """The sentence that asks: the last one with a question mark, else the last one; ""
    when the text is a single sentence (then the whole question is the ask)."""
    parts = sentences(text)
    if len(parts) < 2:
        return ""
    asking = [s for s in parts if s.endswith("?")]
    return asking[-1] if asking else parts[-1]
