"""Practice questions in the terminal chat (``/oefenvraag``, ``/mijnvoortgang``, ``/annuleer``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import features
from bot import texts as bot_texts
from bot.adapters.terminal import TerminalFeature, html_plain
from bot.answering.service import UserFacingError
from bot.quiz import texts

if TYPE_CHECKING:
    from bot.adapters.terminal import TerminalChat

plain = html_plain


def register(chat: TerminalChat) -> TerminalFeature | None:
    """The quiz's commands; plain text answers an open practice question."""
    quiz = chat.services.quiz
    if quiz is None:
        return None
    user_id = chat.user_id

    def ask(args: list[str], line: str) -> None:
        question = quiz.next_question(user_id)
        chat.say(plain(quiz.render_question(question)) if question else texts.NO_QUESTION)

    def cancel(args: list[str], line: str) -> None:
        if quiz.pending(user_id) is None:  # nothing open: as any unknown command
            chat.say(bot_texts.TERMINAL_UNKNOWN_COMMAND)
            return
        quiz.set_pending(user_id, None)
        chat.say(texts.CANCELLED)

    def answer(text: str) -> bool:
        pending = quiz.pending(user_id)
        if pending is None or not text.strip():
            return False
        feedback = quiz.answer(user_id, pending.id, text)
        chat.say(plain(quiz.render_feedback(feedback)))
        try:  # the section's title, as Telegram's button opens it (not the file path)
            title, _ = chat.services.answers.section(quiz.source_section(pending))
        except UserFacingError:
            return True
        chat.say(f"{texts.BTN_MORE}: {title}")
        return True

    return TerminalFeature(features.QUIZ, {
        "oefenvraag": ask,
        "mijnvoortgang": lambda args, line: chat.say(plain(quiz.render_progress(user_id))),
    }, extra=[(bot_texts.TERMINAL_EXTRA_ANNULEER, cancel)], text=answer)
