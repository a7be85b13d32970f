"""Which assignment a question names ("opdracht 2", "opdr. 3", "de tweede opdracht", "the fourth
assignment" — English is already "opdracht" after the glossary).

Retrieval ranks the four assignment files by their words, and those files share most of them
(inleveren, pagina's, checklist), so "wat moet ik inleveren voor opdracht 2?" could be answered
from opdracht 1. A question that names one assignment gets that assignment's file.
"""

from __future__ import annotations

import re

_NUMBERS = {
    "1": 1, "een": 1, "één": 1, "eerste": 1, "1e": 1, "1ste": 1, "one": 1, "first": 1,
    "2": 2, "twee": 2, "tweede": 2, "2e": 2, "2de": 2, "two": 2, "second": 2,
    "3": 3, "drie": 3, "derde": 3, "3e": 3, "3de": 3, "three": 3, "third": 3,
    "4": 4, "vier": 4, "vierde": 4, "4e": 4, "4de": 4, "four": 4, "fourth": 4,
}
_ORDINALS = frozenset(w for w in _NUMBERS if not w.isdigit() and w not in
                      {"een", "één", "twee", "drie", "vier", "one", "two", "three", "four"})
_AFTER = re.compile(r"\b(?:opdracht|opdr)\b\.?\s*(?:nummer|nr\.?|#)?\s*(\w+)", re.IGNORECASE)
""""opdracht 2", "opdr. 3", "opdracht nummer 4", "opdracht twee" (not "een": "in de opdracht een
doel noemen" is no number)."""
_BEFORE = re.compile(r"\b(\w+)\s+(?:opdracht|opdr)\b", re.IGNORECASE)
"""Only ordinals before the word ("de tweede opdracht", "2de opdracht"): "een opdracht" is
not assignment 1."""


def named_assignment(text: str) -> int | None:
    """The one assignment (1-4) ``text`` names, or None when it names none or several."""
    found = {_NUMBERS[m.lower()] for m in _AFTER.findall(text)
             if m.lower() in _NUMBERS and m.lower() != "een"}
    found |= {_NUMBERS[m.lower()] for m in _BEFORE.findall(text) if m.lower() in _ORDINALS}
    return found.pop() if len(found) == 1 else None
