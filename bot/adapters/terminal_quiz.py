"""Practice questions in the terminal chat (``/oefenvraag``, ``/mijnvoortgang``, ``/annuleer``)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.quiz import texts

if TYPE_CHECKING:
    from bot.services import Services


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def handle_quiz(services: Services, user_id: int, command: str, text: str,
                say: Callable[[str], None]) -> bool:
    """Handle a line if it belongs to the practice questions; False = not ours."""
    quiz = services.quiz
    if quiz is None:
        return False
    if command == "/oefenvraag":
        question = quiz.next_question(user_id)
        say(plain(quiz.render_question(question)) if question else texts.NO_QUESTION)
        return True
    if command == "/mijnvoortgang":
        say(plain(quiz.render_progress(user_id)))
        return True
    pending = quiz.pending(user_id)
    if pending is None:
        return False
    if command == "/annuleer":
        quiz.set_pending(user_id, None)
        say(texts.CANCELLED)
        return True
    if command or not text.strip():
        return False
    feedback = quiz.answer(user_id, pending.id, text)
    say(plain(quiz.render_feedback(feedback)))
    say(f"{texts.BTN_MORE}: {pending.source} – {pending.section}")
    return True
