"""Terminal adapter: drives the same services as the Telegram bot (``wijkwijs chat``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from bot import texts
from bot.answering.service import UserFacingError

if TYPE_CHECKING:
    from bot.app import Services

PROMPT = "jij> "


def _write(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def render_sources(answer_sources: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"  [{i}] {title} ({label}, {kind})"
                     for i, (title, label, kind) in enumerate(answer_sources, 1))


def run_terminal_chat(services: Services, stdin: TextIO, out: TextIO, user_id: int = 1) -> int:
    _write(out, texts.TERMINAL_WELCOME)
    interactive = stdin.isatty()
    while True:
        if interactive:
            out.write(PROMPT)
            out.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text in {"/stop", "/exit", "/quit", "exit", "quit"}:
            break
        if text in {"/help", "/start"}:
            _write(out, texts.TERMINAL_WELCOME)
            continue
        try:
            answer = services.answers.ask(text)
        except UserFacingError as exc:
            _write(out, f"bot> {exc}")
            continue
        _write(out, f"bot> {answer.answer}")
        if answer.sources:
            _write(out, f"{texts.SOURCES_HEADER}:")
            _write(out, render_sources(
                [(s.title, s.topic_label, texts.KIND_LABELS[s.kind]) for s in answer.sources]))
    _write(out, texts.TERMINAL_BYE)
    return 0
