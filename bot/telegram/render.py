"""Rendering for Telegram: HTML escaping, message splitting, answers with sources."""

from __future__ import annotations

import html
import re

from bot import texts
from bot.answering import texts as at
from bot.answering.service import Answer

MAX_MESSAGE = 4096
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_BULLET = re.compile(r"^(\s*)[-*]\s+", re.M)


def esc(text: str) -> str:
    """Escape text for parse_mode=HTML."""
    return html.escape(text, quote=False)


def markdown_to_html(text: str) -> str:
    """Escape course text; **bold** -> <b>, *italic* -> <i>, "- item" -> "• item"."""
    html_text = _BOLD.sub(r"<b>\1</b>", esc(text))
    html_text = _ITALIC.sub(r"<i>\1</i>", html_text)
    return _BULLET.sub(r"\1• ", html_text)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph, then line, then word boundaries into parts of at most ``limit``.

    Splitting happens on the final (escaped) text, so entity escapes are never cut; a tag pair
    is never split because we only break at blank lines / newlines / spaces outside tags.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            idx = window.rfind(sep)
            if idx > limit // 3 and _outside_tag(window, idx):
                cut = idx
                break
        if cut <= 0:
            cut = _safe_hard_cut(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _outside_tag(text: str, idx: int) -> bool:
    """True if position ``idx`` is not inside an open <b>/<i>/... pair."""
    before = text[:idx]
    for tag in ("b", "i", "u", "s", "code", "pre", "blockquote", "a"):
        opens = len(re.findall(rf"<{tag}[\s>]", before))
        closes = before.count(f"</{tag}>")
        if opens != closes:
            return False
    return True


def _safe_hard_cut(window: str) -> int:
    """Cut point that does not fall inside an HTML entity like &amp; or a tag."""
    cut = len(window)
    amp = window.rfind("&", max(0, cut - 8))
    if amp != -1 and ";" not in window[amp:]:
        cut = amp
    lt = window.rfind("<", max(0, cut - 40))
    if lt != -1 and ">" not in window[lt:cut]:
        cut = lt
    return cut


def render_answer(answer: Answer) -> str:
    body = markdown_to_html(answer.answer)
    lines = [body]
    if answer.related:
        lines += ["", f"<i>{esc(at.READ_ALSO)} {esc(' · '.join(answer.related))}</i>"]
    if not answer.sources:
        return "\n".join(lines)
    lines += ["", f"📚 <b>{esc(texts.SOURCES_HEADER)}</b>"]
    for i, s in enumerate(answer.sources, 1):
        kind = texts.KIND_LABELS.get(s.kind, s.kind)
        lines.append(f"{i}. {esc(s.title)} <i>– {esc(kind)}</i>")
    return "\n".join(lines)


def render_section(title: str, text: str) -> str:
    return f"📖 <b>{esc(title)}</b>\n\n{markdown_to_html(text)}"
