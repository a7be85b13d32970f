"""Answers as plain text for the terminal and the CLI: no Markdown markers, sources once."""

from __future__ import annotations

import re

from bot import texts
from bot.answering import texts as at
from bot.answering.service import Answer, Source

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_BULLET = re.compile(r"^(\s*)[-*]\s+", re.M)


def markdown_to_plain(text: str) -> str:
    """Course Markdown without markers: **bold** -> bold, *x* -> x, "- item" -> "• item"."""
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    return _BULLET.sub(r"\1• ", text)


def source_label(source: Source) -> str:
    """"Een draaiboek opstellen – lesstof": the title once, then what kind of file it is."""
    return f"{source.title} – {texts.KIND_LABELS.get(source.kind, source.kind)}"


def render_plain(answer: Answer, paths: bool = False) -> str:
    lines = [markdown_to_plain(answer.answer)]
    if answer.related:
        lines += ["", f"{at.READ_ALSO} {' · '.join(answer.related)}"]
    if answer.sources:
        lines += ["", f"{texts.SOURCES_HEADER}:"]
        for i, s in enumerate(answer.sources, 1):
            lines.append(f"  [{i}] {source_label(s)}" + (f" ({s.path})" if paths else ""))
    return "\n".join(lines)
