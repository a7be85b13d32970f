"""Honest, deterministic feedback on one checklist answer: what is still missing.

No language model, no guessing: we count words and entries and compare them with the
``min_words`` / ``min_items`` of the opdracht file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.assignments import texts
from bot.assignments.models import field_label
from bot.knowledge.models import ChecklistItem

WORD = re.compile(r"\w+(?:['’-]\w+)*")
"""A word: letters/digits, keeping "what's" and "co-creatie" as one word."""
MARKER = re.compile(r"^(?:[-*•–·]\s*|\d{1,3}[.)](?!\d)\s*)(?=\S)")
"""A bullet ('-', '*', '•') or a number ('1.', '2)') at the start of a line."""


def count_words(text: str) -> int:
    return len(WORD.findall(text))


def split_entries(text: str) -> list[str]:
    """The entries of a list answer.

    - If some lines start with a bullet or number, only those lines count (an intro line such as
      'Mijn partners:' does not).
    - Otherwise every non-empty line counts, and ';' splits a line further. A line that ends in
      ':' is an intro and does not count when there are more lines.
    - A single line without ';' is split on commas: 'bibliotheek, school, buurthuis' is three.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    marked = [MARKER.sub("", line, count=1).strip() for line in lines if MARKER.match(line)]
    if marked:
        return [m for m in marked if m]
    if len(lines) > 1:
        lines = [line for line in lines if not line.endswith(":")]
    parts = [p.strip() for line in lines for p in line.split(";") if p.strip()]
    if len(lines) == 1 and len(parts) == 1 and "," in parts[0]:
        parts = [p.strip() for p in parts[0].split(",") if p.strip()]
    return parts


@dataclass(frozen=True)
class Problem:
    kind: Literal["empty", "short", "few"]
    count: int = 0
    """Words (short) or entries (few) found."""
    minimum: int = 0


def find_problems(item: ChecklistItem, text: str) -> list[Problem]:
    if not text.strip():
        return [Problem("empty")]
    problems: list[Problem] = []
    words = count_words(text)
    if words < item.min_words:
        problems.append(Problem("short", words, item.min_words))
    if item.min_items:
        entries = len(split_entries(text))
        if entries < item.min_items:
            problems.append(Problem("few", entries, item.min_items))
    return problems


def _noun(item: ChecklistItem) -> str:
    return item.item_noun or texts.DEFAULT_ITEM_NOUN


def check(item: ChecklistItem, text: str) -> list[str]:
    """Dutch messages saying what is still missing in ``text``; empty list = looks complete."""
    messages: list[str] = []
    for p in find_problems(item, text):
        if p.kind == "empty":
            messages.append(texts.CHECK_EMPTY)
        elif p.kind == "short":
            template = texts.CHECK_SHORT if item.help.strip() else texts.CHECK_SHORT_NO_HELP
            messages.append(template.format(words=p.count, word_noun=texts.word_noun(p.count),
                                            help=item.help.strip()))
        elif p.count == 1:
            messages.append(texts.CHECK_ONE_ENTRY.format(minimum=p.minimum, noun=_noun(item)))
        else:
            messages.append(texts.CHECK_FEW_ENTRIES.format(count=p.count, noun=_noun(item),
                                                           minimum=p.minimum))
    return messages


def where(item: ChecklistItem) -> str:
    """"Partner 2: 'Wat levert…'" or "'Kies drie potentiële partners'"."""
    if item.group:
        return texts.WHERE_GROUP.format(group=item.group, label=field_label(item))
    return texts.WHERE_ITEM.format(label=item.label)


def brief(item: ChecklistItem, text: str) -> list[str]:
    """One short line per problem, naming the item (for the assignment-level check)."""
    lines: list[str] = []
    for p in find_problems(item, text):
        if p.kind == "empty":
            lines.append(texts.ASSIGNMENT_EMPTY.format(where=where(item)))
        elif p.kind == "short":
            lines.append(texts.ASSIGNMENT_SHORT.format(
                where=where(item), words=p.count, word_noun=texts.word_noun(p.count),
                minimum=p.minimum))
        else:
            lines.append(texts.ASSIGNMENT_FEW_ENTRIES.format(
                where=where(item), count=p.count, minimum=p.minimum, noun=_noun(item)))
    return lines
