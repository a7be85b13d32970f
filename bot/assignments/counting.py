"""Counting the entries of a list answer, the way people actually write lists.

"Buurthuis De Schakel (veel ouderen), Taalschool Nieuwkomers (statushouders) en basisschool
De Wilg (taalachterstand)" is three entries; so are three lines, three bullets, "a; b; c" and
three sentences that each name one partner. A clause that gives a reason ("…, want ze …",
"…, die …") belongs to the entry before it.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+(?:['’-]\w+)*")
"""A word: letters/digits, keeping "what's" and "co-creatie" as one word."""
MARKER = re.compile(r"^(?:[-*•–·]\s*|\d{1,3}[.)](?!\d)\s*|\(?[a-h1-9]\)\s*)(?=\S)")
"""A bullet ('-', '*', '•'), a number ('1.', '2)') or a letter ('a)') at the start of a line."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00C0-\u00DE'\"‘“])")
CONNECTOR = re.compile(
    r"^(?:want|omdat|vanwege|die|dat|zodat|om|maar|waar|waardoor|wat|met name|vooral|ook|"
    r"zoals|bijvoorbeeld|dus|daar|zij|ze|hij|wij|we)\b", re.IGNORECASE)
"""A fragment starting like this continues the entry before it."""
INTRO = re.compile(
    r"^(?:(?:ik|wij|we)\s+(?:kies|kiezen|heb|hebben)\s+(?:gekozen\s+)?(?:voor\s+)?|"
    r"(?:mijn|onze|de)\s+\w+\s+(?:zijn|is)\s*:?\s+|denk aan\s+|en\s+|of\s+)", re.IGNORECASE)
LABEL = re.compile(r"^(?:\w+\s?\d?\s*):\s+(?=\S)")
"""'Kanalen: …' or 'Tool 1: …' at the start of an entry (kept, but not split on)."""


def count_words(text: str) -> int:
    return len(WORD.findall(text))


def _top_level_split(text: str, separators: re.Pattern[str]) -> list[str]:
    """Split on ``separators`` outside parentheses and quotes."""
    parts: list[str] = []
    depth, quote, start = 0, False, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch in "'‘’\"“”" and not (ch in "'’" and 0 < i < len(text) - 1
                                     and text[i - 1].isalnum() and text[i + 1].isalnum()):
            quote = not quote
        elif depth == 0 and not quote:
            m = separators.match(text, i)
            if m:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip(" .;,") for p in parts if p.strip(" .;,")]


COMMA = re.compile(r"\s*[,;]\s*|\s+[/|+]\s+")
AND = re.compile(r"\s+(?:en|plus)\s+", re.IGNORECASE)
REASON_SEPARATOR = re.compile(r"\(.+\)|\s[–—-]\s|:\s*\S|;\s*\S|\s(?:→|->|=>)\s")


def _split_sentence(sentence: str) -> list[str]:
    entries: list[str] = []
    for fragment in _top_level_split(sentence, COMMA):
        fragment = fragment.strip()
        if entries and CONNECTOR.match(fragment):
            entries[-1] = f"{entries[-1]}, {fragment}"
            continue
        fragment = INTRO.sub("", fragment, count=1)
        entries += _top_level_split(fragment, AND) or [fragment]
    return [e for e in entries if e]


def split_entries(text: str) -> list[str]:
    """The entries of a list answer.

    - If some lines start with a bullet or number, only those lines count (an intro line such as
      'Mijn partners:' does not).
    - Otherwise, with several lines, every non-empty line is one entry (a line ending in ':' is
      an intro and does not count).
    - One line is split into sentences, then on ';', ',' and 'en' outside parentheses; a
      fragment that gives a reason ('want …', 'die …') stays with the entry before it.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any(MARKER.match(line) for line in lines):
        # Unmarked lines after a marked one continue it ('1) GGD' + '   reden: …').
        marked: list[str] = []
        for line in lines:
            if MARKER.match(line):
                marked.append(MARKER.sub("", line, count=1).strip())
            elif marked:
                marked[-1] = f"{marked[-1]}: {line}"
        return [m for m in marked if m]
    if len(lines) > 1:
        return [line for line in lines if not line.endswith(":")]
    if not lines:
        return []
    entries: list[str] = []
    for sentence in SENTENCE_END.split(lines[0]):
        entries += _split_sentence(sentence)
    return entries


def has_reason(entry: str, reason: re.Pattern[str]) -> bool:
    """Does a listed name come with a why / what for? ('GGD (bereikt ouders)', 'GGD: …')."""
    text = LABEL.sub("", entry.strip(), count=1)
    if REASON_SEPARATOR.search(text):
        return True
    return bool(reason.search(text))


def entry_name(entry: str) -> str:
    """The name part of an entry: 'GGD regio (bereikt ouders)' -> 'GGD regio'."""
    text = LABEL.sub("", entry.strip(), count=1)
    text = re.split(r"\s*(?:\(|:|;|\s[–—-]\s|\s(?:→|->|=>)\s|,|\bwant\b|\bomdat\b|"
                    r"\bvanwege\b|\bom\b|\bvoor\b|\bdie\b|\bdat\b)", text, maxsplit=1)[0]
    text = re.sub(r"^(?:(?:partner|tool)\s*\d\s*(?:is|:)?\s*|het eerste is\s+|daarnaast\s+|"
                  r"en als (?:derde|tweede)\s+|ik kies (?:voor\s+)?)", "", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"^(?:het|de|een)\s+(?=[A-Z])", "", text)
    return text.strip(" .'\"")
