"""Build a short extractive answer from retrieved passages (no LLM)."""

from __future__ import annotations

import re

from bot.retrieval.retriever import Hit

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def trim_at_sentence(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a sentence or line boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(cut)]
    good = [e for e in ends if e >= limit * 0.4]
    if good:
        return cut[: good[-1]].rstrip()
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.5 else cut).rstrip(" ,;") + "…"


def extract_answer(hits: list[Hit], limit: int = 900) -> str:
    """The best passage, topped up with the next best ones while there is room."""
    parts: list[str] = []
    used = 0
    for hit in hits[:3]:
        text = hit.chunk.text.strip()
        if any(text in p or p in text for p in parts):
            continue
        room = limit - used - (2 if parts else 0)
        if parts and (room < 200 or used >= limit * 0.5):
            break
        piece = trim_at_sentence(text, room)
        parts.append(piece)
        used += len(piece) + 2
    return "\n\n".join(parts)
