"""Post-processing of a generated answer: markup, citations, and a grounding guard.

Decisions (tested in tests/test_llm_postprocess.py):

* Markup: only ``**bold**`` survives (the Telegram renderer turns it into <b>). HTML tags, code,
  headings, links, tables' pipes stay as text or are flattened; headings become bold lines.
  The renderer escapes everything anyway; this step is about what the participant *sees*.
* Citations: ``[2]``, ``[1, 3]``, ``[bron 2]``, ``[1-2]`` are normalised to ``[1][3]``. Numbers
  that point to no passage are removed. When at least one valid citation exists, sources that
  were never cited are dropped and the rest are **renumbered** 1..k in their original (retrieval)
  order, so the text and the rendered source list (always numbered 1..k) agree.
* No valid citation at all: every source is kept, so the participant can check the material.
  Such a reply must still look grounded: either it admits the passages don't answer the question,
  or it has at least `MIN_WORDS` content words, most of which occur in the passages, and it
  shares a content word with the question. Otherwise (e.g. an injected "HAHA", even when the
  passage itself contains "HAHA") it is rejected and the caller falls back to the extractive
  answer. This is a lexical heuristic, not a proof of faithfulness: a fluent uncited answer that
  reuses the passages' words passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answering.extractive import trim_at_sentence
from bot.folding import fold
from bot.retrieval.lexical import tokenize

MAX_CHARS = 1500
"""Hard cap for a generated answer (the prompt asks for ~150 words, about 1000 characters)."""
MIN_SUPPORT = 0.5
"""Share of an uncited reply's content words that must occur in the passages."""
MIN_WORDS = 3
"""Content words (stemmed, no stopwords) an uncited reply needs to count as an answer."""
ADMISSIONS = (
    "niet in de bronnen", "staat niet in", "bronnen geven geen", "bronnen zeggen niets",
    "bronnen gaan niet over", "geen antwoord op", "niet in het cursusmateriaal",
    "weet ik niet", "kan ik niet beantwoorden",
)
"""Phrases with which a model says the passages don't answer the question (rule 3)."""

_CITATION = re.compile(
    r"\[\s*(?:bron(?:nen)?\s*)?(\d{1,3}(?:\s*(?:,|;|-|–|en|and|&)\s*(?:bron\s*)?\d{1,3})*)\s*\]",
    re.IGNORECASE,
)
_GONE = "\x00"
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*```[^\n]*$", re.MULTILINE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[*+•]\s+", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\[\]\n]+)\]\([^)\n]*\)")
_BOLD = re.compile(r"\*\*(\S(?:[^*\n]*?\S)?)\*\*")
_UNDER_BOLD = re.compile(r"(?<!\w)__(\S(?:[^_\n]*?\S)?)__(?!\w)")
_ITALIC_UNDER = re.compile(r"(?<!\w)_(\S(?:[^_\n]*?\S)?)_(?!\w)")
_STRIKE = re.compile(r"~~(.+?)~~")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE)
_KEEP = ("\x01", "\x02")


def clean_markup(text: str) -> str:
    """Plain text plus ``**bold**``; see the module docstring."""
    text = text.replace("\r\n", "\n").replace(_GONE, "").replace(_KEEP[0], "").replace(
        _KEEP[1], "")
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    text = _FENCE.sub("", text).replace("`", "")
    text = _RULE.sub("", text)
    text = _HEADING.sub(lambda m: f"**{m.group(1).strip('*').strip()}**", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(r"\1- ", text)
    text = _LINK.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    text = _UNDER_BOLD.sub(r"**\1**", text)
    text = _ITALIC_UNDER.sub(r"\1", text)
    text = _BOLD.sub(lambda m: f"{_KEEP[0]}{m.group(1)}{_KEEP[1]}", text)
    text = text.replace("*", "")  # single-star emphasis and unpaired markers
    text = text.replace(_KEEP[0], "**").replace(_KEEP[1], "**")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for piece in re.split(r"\s*(?:,|;|en|and|&)\s*", group, flags=re.IGNORECASE):
        bounds = [int(n) for n in re.findall(r"\d+", piece)]
        if len(bounds) == 2 and re.search(r"[-–]", piece) and 0 < bounds[1] - bounds[0] < 10:
            out.extend(range(bounds[0], bounds[1] + 1))
        else:
            out.extend(bounds)
    return out


def fix_citations(text: str, sources: int) -> tuple[str, list[int]]:
    """Normalise citations to ``[n]``, remove those pointing to nothing.

    Returns the text and the valid numbers (1-based) in order of first use.
    """
    cited: list[int] = []

    def repl(match: re.Match[str]) -> str:
        valid = [n for n in dict.fromkeys(_numbers(match.group(1))) if 1 <= n <= sources]
        for n in valid:
            if n not in cited:
                cited.append(n)
        return "".join(f"[{n}]" for n in valid) if valid else _GONE

    text = _CITATION.sub(repl, text)
    text = re.sub(rf"[ \t]*{_GONE}", "", text)
    text = re.sub(r"(\[\d+\])(?:\1)+", r"\1", text)  # "[1][1]" -> "[1]"
    return text, cited


def renumber(text: str, keep: list[int]) -> str:
    """Map the citations ``[keep[i]]`` to ``[i+1]`` (``keep`` 1-based, ascending)."""
    mapping = {old: new for new, old in enumerate(keep, 1)}

    def repl(match: re.Match[str]) -> str:
        new = mapping.get(int(match.group(1)))
        return f"[{new}]" if new else ""

    return re.sub(r"\[(\d+)\]", repl, text)


def preview(raw: str, sources: int) -> str:
    """What to show while the answer is still being generated (no renumbering yet)."""
    return fix_citations(clean_markup(raw), sources)[0]


def admits_no_answer(text: str) -> bool:
    folded = fold(text)
    return any(phrase in folded for phrase in ADMISSIONS)


def support(text: str, context: str) -> float:
    """Share of the text's content words (stemmed, no stopwords) that occur in ``context``."""
    words = set(tokenize(text))
    if not words:
        return 0.0
    return len(words & set(tokenize(context))) / len(words)


class UngroundedReply(ValueError):
    """The reply is empty, or cites nothing and is unrelated to the passages."""


@dataclass(frozen=True)
class Finished:
    text: str
    keep: list[int]
    """0-based indexes of the sources to show, in order."""
    cited: bool


def related(text: str, passages: str, question: str) -> bool:
    """The uncited-reply guard: enough words, mostly from the passages, on the question's topic."""
    words = set(tokenize(text))
    asked = set(tokenize(question))
    return (len(words) >= MIN_WORDS and support(text, passages) >= MIN_SUPPORT
            and (not asked or bool(words & asked)))


def finish(raw: str, sources: int, passages: str, question: str) -> Finished:
    """The final answer text and which sources to show; raises `UngroundedReply`."""
    text = clean_markup(raw)
    text, cited = fix_citations(text, sources)
    text = trim_at_sentence(text, MAX_CHARS)
    if not re.sub(r"\[\d+\]", "", text).strip(" \n.,;:-"):
        raise UngroundedReply("empty reply")
    if cited:
        keep = sorted(cited)
        return Finished(renumber(text, keep), [n - 1 for n in keep], True)
    if not admits_no_answer(text) and not related(text, passages, question):
        raise UngroundedReply("reply cites nothing and is unrelated to the passages")
    return Finished(text, list(range(sources)), False)
