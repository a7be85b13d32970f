"""Fit a section's Markdown into a short answer: clean lines, whole list items, whole sentences.

Used by the composer (compose.py) and the objection advice (casus.py): tables flattened,
"(zie hieronder)" removed, a list that does not fit shortened per item (bold lead + first
sentence, then the lead alone) and then cut after a whole item, never mid-list.
"""

from __future__ import annotations

import re

from bot.retrieval.lexical import tokenize

MAX_CHARS = 900
_SEE_BELOW = re.compile(r"\s*\((?:zie|lees) (?:hieronder|hierboven|verderop|onder)\)", re.I)
_LIST_ITEM = re.compile(r"^(?:[-*]\s+|\d+\.\s+)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_HEADING_LINE = re.compile(r"^\*\*[^*]+\*\*$")
_BOLD_LEAD = re.compile(r"^((?:[-*]|\d+\.)\s+\*\*[^*]+\*\*)\s*(.*)$")


def clean_lines(text: str) -> list[str]:
    """Lines of a section, tables flattened, "(zie hieronder)" removed."""
    out = []
    for line in text.splitlines():
        line = _SEE_BELOW.sub("", line).rstrip()
        if not line.strip() or _TABLE_RULE.match(line.strip()):
            continue
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            line = "- " + " · ".join(c for c in cells if c)
        out.append(line)
    return out


def first_sentence(text: str) -> str:
    """The first sentence, extended to the end of a quotation it opens."""
    sentences = _SENTENCE.split(text)
    out = ""
    for s in sentences:
        out = f"{out} {s}".strip()
        if out.count('"') % 2 == 0 and out.count("“") <= out.count("”"):
            break
    return out


def shorten_item(line: str) -> str:
    """A list item as its bold lead plus the first sentence of its explanation."""
    m = _BOLD_LEAD.match(line)
    if m:
        rest = first_sentence(m.group(2)) if m.group(2) else ""
        return f"{m.group(1)} {rest}".rstrip()
    marker = _LIST_ITEM.match(line)
    body = line[marker.end():] if marker else line
    return (marker.group(0) if marker else "") + first_sentence(body)


def lead_only(line: str) -> str:
    """A list item as its bold lead alone ("1. **Wie ben je?**"); an item without one as is."""
    m = _BOLD_LEAD.match(line)
    return m.group(1) if m else line


def strip_marker(line: str) -> str:
    """A list item without its "- " / "1. " marker."""
    marker = _LIST_ITEM.match(line.lstrip())
    return line.lstrip()[marker.end():] if marker else line.strip()


def join_lines(lines: list[str]) -> str:
    """List items on consecutive lines; paragraphs separated by a blank line."""
    out = ""
    prev_item = False
    for line in lines:
        item = bool(_LIST_ITEM.match(line.lstrip()))
        if out:
            out += "\n" if (item and prev_item) or (item and out.endswith(":")) else "\n\n"
        out += line
        prev_item = item
    return out


def fit(text: str, limit: int = MAX_CHARS, question_tokens: list[str] | None = None) -> str:
    """Whole lines up to ``limit``. Too long: list items are shortened to their lead and first
    sentence one by one, the items sharing fewest words with the question first (ties: from
    the end), so the most relevant steps keep their detail; then, in the same order, to their
    bold lead alone (the five questions of a pitch after its steps: all five, not the first);
    then cut after a whole item."""
    lines = clean_lines(text)
    full = join_lines(lines)
    if len(full) <= limit:
        return full
    wanted = set(question_tokens or [])
    items = [i for i, ln in enumerate(lines) if _LIST_ITEM.match(ln.lstrip())]
    order = sorted(items, key=lambda i: (len(wanted & set(tokenize(lines[i]))), -i))
    for i in order:
        lines[i] = shorten_item(lines[i])
        if len(join_lines(lines)) <= limit:
            return join_lines(lines)
    for i in order:  # still too long: bold leads alone, every item kept
        lines[i] = lead_only(lines[i])
        if len(join_lines(lines)) <= limit:
            return join_lines(lines)
    kept: list[str] = []
    for line in lines:
        candidate = join_lines([*kept, line])
        if len(candidate) > limit:
            if not kept or (len(kept) == 1 and _HEADING_LINE.match(kept[0]) and
                            not _LIST_ITEM.match(line.lstrip())):
                # one very long paragraph, or the first under an added heading: whole sentences
                room = limit - len(join_lines(kept)) - (2 if kept else 0)
                sentences = _SENTENCE.split(line)
                part = ""
                for s in sentences:
                    if len(part) + len(s) + 1 > room and (part or kept):
                        break
                    part = f"{part} {s}".strip()
                if part:
                    kept.append(part)
            break
        kept.append(line)
    while kept and kept[-1].rstrip().endswith(":"):  # never end on an intro to a missing list
        kept.pop()
    return join_lines(kept)
