"""The list items of a casus section: a bold lead ("**Luister eerst.**") and the sentences after it.

Shared by the objection advice (``casus``) and its tests; no course text here.
"""

from __future__ import annotations

import re

from bot.answering.text_fit import clean_lines, shorten_item, strip_marker

BOLD = re.compile(r"\*\*([^*]+)\*\*")
"""The bold lead of a list item ("**Luister eerst.**")."""
LEAD_ITEM = re.compile(r"^((?:[-*])\s+\*\*[^*]+\*\*)")
"""A list item that starts with its bold lead; group 1 = marker and lead."""


def lead_text(item: str) -> str:
    """The bold lead of a list item as written, with its full stop (the material's words)."""
    m = BOLD.search(item)
    lead = m.group(1) if m else strip_marker(shorten_item(item))
    return lead.strip()


def list_items(text: str) -> list[str]:
    """The list items of a section's text (lines starting with a marker)."""
    return [ln for ln in clean_lines(text) if ln.lstrip().startswith(("-", "*"))]


def item_lead(item: str) -> str:
    """The bold lead of a list item, normalised ("vraag open door.")."""
    m = BOLD.search(item)
    return (m.group(1) if m else strip_marker(item)).strip().lower()


QUOTE_MARKS = ('"', "“", "”", "„")
EXPLANATION_SPLIT = re.compile(r'(?<=[.!?])\s+|(?<=[.!?]["”])\s+')
"""Sentence ends, also right after a closing quote (a quote ends the words one would say)."""


def lead_and_sentences(item: str) -> tuple[str, list[str]]:
    """A list item as its marker and bold lead, and the sentences after it; a quote with
    several sentences ("Jij moet ... verantwoorden. Dat is geen kleine klus.") stays whole, and
    so do two quoted questions joined by "of"."""
    m = LEAD_ITEM.match(item.strip())
    if m is None:
        return item.strip(), []
    out: list[str] = []
    part = ""
    for piece in EXPLANATION_SPLIT.split(item.strip()[m.end():].strip()):
        if out and not part and piece[:1].islower():  # '"Wat ...?" of "Hoe ...?"'
            out[-1] = f"{out[-1]} {piece}"
            continue
        part = f"{part} {piece}".strip()
        if sum(part.count(q) for q in QUOTE_MARKS) % 2 == 0:
            out.append(part)
            part = ""
    if part:
        out.append(part)
    return m.group(1), out
